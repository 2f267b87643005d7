"""comfydsl.unchecked_node and comfydsl.with_meta: nodes exactly as an exported file has them."""

from __future__ import annotations

import pytest

from comfydsl import Workflow, unchecked_node, with_meta
from comfydsl.errors import BadLinkError, CallError, InputValueError
from comfydsl.nodes import EmptyImage


def test_it_keeps_what_a_call_would_refuse_and_compiles_as_it_is() -> None:
    with Workflow() as wf:
        image = EmptyImage(width=8, height=8)
        node = unchecked_node(
            "KSampler",
            {"sampler_name": "no such sampler", "latent_image": image.IMAGE, "many": [1, 2, 3]},
            title="Sampler",
            id="s",
        )
        decoded = unchecked_node("VAEDecode", {"samples": node.LATENT})  # so that it would run
        unchecked_node("PreviewImage", {"images": decoded.IMAGE})
    assert {
        "inputs": {
            "sampler_name": "no such sampler",
            "latent_image": [image.id, 0],
            "many": [1, 2, 3],
        },
        "class_type": "KSampler",
        "_meta": {"title": "Sampler"},
    } == wf.to_api()["s"]
    assert node.source is None, "like a node read from a file: compiling leaves it alone"
    assert "LATENT" == node.LATENT.type, "a known class's outputs have their names"
    found = {(e.input_name, e.type) for e in wf.check()}
    assert ("sampler_name", "value_not_in_list") in found
    assert ("model", "required_input_missing") in found


def test_meta_is_kept_whole_and_the_title_wins() -> None:
    with Workflow() as wf:
        unchecked_node("Note", {}, meta={"title": "old", "color": "#fff"}, title="new")
        unchecked_node("Note")
    assert {"title": "new", "color": "#fff"} == wf.to_api()["1"]["_meta"]
    assert {"inputs": {}, "class_type": "Note"} == wf.to_api()["2"]


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "said"),
    [
        ((5,), {}, CallError, "class type must be a string of UTF-8"),
        (("\ud800",), {}, CallError, "class type must be a string of UTF-8"),
        (("X", [1]), {}, CallError, "mapping of input name"),
        (("X", {1: 2}), {}, CallError, "input names are strings"),
        (("X", {"a": ["1", 0]}), {}, InputValueError, "reads as a link"),
        (("X", {"a": object()}), {}, InputValueError, "cannot be written in a prompt"),
        (("X", {}), {"title": 5}, CallError, "title must be a string"),
        (("X", {}), {"meta": {"k": {1, 2}}}, CallError, "cannot be written as _meta"),
    ],
)
def test_what_no_prompt_can_hold_is_refused_at_the_line(
    args: tuple[object, ...], kwargs: dict[str, object], error: type[Exception], said: str
) -> None:
    with Workflow(), pytest.raises(error, match=said) as caught:
        unchecked_node(*args, **kwargs)  # type: ignore[arg-type]
    assert __file__ in str(caught.value)


def test_an_empty_class_type_is_kept_as_a_prompt_file_keeps_it() -> None:
    # load_prompt keeps it (the server, not the file, refuses it), so a script written from
    # such a prompt must be able to make it again.
    with Workflow() as wf:
        unchecked_node("", {"a": 1})
    assert {"1": {"inputs": {"a": 1}, "class_type": ""}} == wf.to_api(check=False)


def test_a_link_from_another_workflow_is_refused() -> None:
    with Workflow():
        image = EmptyImage(width=8, height=8)
    with Workflow(), pytest.raises(BadLinkError, match="another workflow"):
        unchecked_node("ImageInvert", {"image": image.IMAGE})


def test_with_meta_adds_keys_beside_the_title_and_returns_the_node() -> None:
    with Workflow() as wf:
        image = with_meta(EmptyImage(width=8, height=8, title="E"), {"cnr_id": "core"}, ver="1")
        bare = with_meta(EmptyImage(width=8, height=8), ver="2")
    assert "IMAGE" == image.IMAGE.type, "the node, typed as it was"
    prompt = wf.to_api()
    assert {"title": "E", "cnr_id": "core", "ver": "1"} == prompt[image.id]["_meta"]
    assert {"ver": "2"} == prompt[bare.id]["_meta"]


@pytest.mark.parametrize(
    ("meta", "said"),
    [({"title": "x"}, "set by the node's call"), ({"k": {1}}, "cannot be written")],
)
def test_with_meta_refuses_a_title_and_what_json_cannot_hold(
    meta: dict[str, object], said: str
) -> None:
    with Workflow():
        image = EmptyImage(width=8, height=8)
        with pytest.raises(CallError, match=said) as caught:
            with_meta(image, meta)
    assert __file__ in str(caught.value)
