"""``load_prompt`` never refuses a prompt the server would run, and writes back what it read.

Nodes of every shape the server takes (keys besides ``inputs``/``class_type``/``_meta``, a
``_meta`` that is not an object, keys in another order, ``inputs`` missing or not an object,
links that point nowhere) load, and compile back byte for byte. What the server would say of
them, ``check()`` says node by node, in its words, with no error about a node that is fine. Only
a file that is no prompt at all is a PromptFormatError.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from comfydsl import Workflow, load_prompt
from comfydsl.errors import MalformedNodeError, PromptFormatError
from comfydsl.formats.api import dumps_prompt
from comfydsl.nodes import EmptyImage, PreviewImage


def image(**extra: Any) -> dict[str, Any]:
    return {
        "inputs": {"width": 8, "height": 8, "batch_size": 1, "color": 0},
        "class_type": "EmptyImage",
        **extra,
    }


def preview(link: Any = None, **extra: Any) -> dict[str, Any]:
    return {
        "inputs": {"images": ["1", 0] if link is None else link},
        "class_type": "PreviewImage",
        **extra,
    }


def round_trip(prompt: dict[str, Any]) -> tuple[str, str]:
    text = dumps_prompt(prompt)
    return text, load_prompt(json.loads(text)).to_json(check=False)


ODD_NODES = {
    "is_changed": {"1": image(is_changed="always"), "2": preview()},
    "is_changed_list": {"1": image(is_changed=[1.5, None]), "2": preview()},
    "unknown_keys": {"1": image(color="#223", pos=[1, 2]), "2": preview()},
    "meta_string": {"1": image(_meta="a title"), "2": preview()},
    "meta_null": {"1": image(_meta=None), "2": preview()},
    "meta_list": {"1": image(_meta=["t"]), "2": preview()},
    "meta_number": {"1": image(_meta=3), "2": preview()},
    "meta_odd_title": {"1": image(_meta={"title": 5, "x": {"y": [1, None]}}), "2": preview()},
    "class_type_first": {
        "1": {"class_type": "EmptyImage", "inputs": {"width": 8}},
        "2": {
            "_meta": {"title": "first"},
            "inputs": {"images": ["1", 0]},
            "class_type": "PreviewImage",
        },
    },
    "unreachable_missing_link": {
        "1": image(),
        "2": preview(),
        "3": {"inputs": {"image": ["99", 0]}, "class_type": "ImageInvert"},
    },
    "unreachable_odd_links": {
        "1": image(),
        "2": preview(),
        "3": {
            "inputs": {"image": [1, 0], "x": [None, 0], "y": ["1", "0"], "z": ["1", True]},
            "class_type": "ImageInvert",
        },
    },
    "no_inputs": {"1": image(), "2": preview(), "3": {"class_type": "ImageInvert"}},
    "inputs_null": {
        "1": image(),
        "2": preview(),
        "3": {"inputs": None, "class_type": "ImageInvert"},
    },
    "inputs_list": {
        "1": image(),
        "2": preview(),
        "3": {"class_type": "ImageInvert", "inputs": ["image"]},
    },
    "inputs_string": {
        "1": image(),
        "2": preview(),
        "3": {"inputs": "x", "class_type": "ImageInvert", "_meta": "t"},
    },
}


@pytest.mark.parametrize("prompt", ODD_NODES.values(), ids=ODD_NODES.keys())
def test_a_node_of_any_shape_the_server_takes_is_written_back_byte_for_byte(
    prompt: dict[str, Any],
) -> None:
    text, again = round_trip(prompt)
    assert text == again


def test_the_odd_keys_are_kept_when_the_workflow_is_changed() -> None:
    wf = load_prompt(
        {
            "1": image(is_changed="x", _meta="odd"),
            "2": preview(),
            "3": {"inputs": None, "class_type": "ImageInvert"},
        }
    )
    wf["1"].title = "Picture"  # a title replaces the odd _meta, in its place
    wf["3"].inputs["image"] = wf["1"].output(0)  # inputs given replace the null
    assert {
        "1": {
            "inputs": {"width": 8, "height": 8, "batch_size": 1, "color": 0},
            "class_type": "EmptyImage",
            "is_changed": "x",
            "_meta": {"title": "Picture"},
        },
        "2": preview(),
        "3": {"inputs": {"image": ["1", 0]}, "class_type": "ImageInvert"},
    } == wf.to_api(check=False)
    assert "Picture" == wf["1"].title and wf["3"].meta is None


def test_built_workflows_carry_no_layouts() -> None:
    with Workflow() as wf:
        PreviewImage(images=EmptyImage(width=8, height=8))
    assert wf.layouts is None
    assert load_prompt(wf.to_api()).layouts is None, "a prompt of the usual shape needs none"


# -- problems inside nodes: per-node errors from check(), in the server's words -----------------


def errors_of(prompt: dict[str, Any]) -> list[tuple[str | None, str]]:
    return [(e.node_id, e.type) for e in load_prompt(prompt).check()]


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        (["99", 0], "exception_during_validation"),  # KeyError
        ([1, 0], "exception_during_validation"),  # node ids are strings
        ([None, 0], "exception_during_validation"),
        ([["1", 0], 0], "exception_during_validation"),  # unhashable
        (["1", "0"], "exception_during_validation"),  # tuple indices must be integers
        (["1", 0.0], "exception_during_validation"),
        (["1", 5], "exception_during_validation"),  # IndexError
        (["1", -2], "exception_during_validation"),
        (["1", True], "exception_during_validation"),  # true is 1: out of range for EmptyImage
        (["1", False], "bad_linked_input"),  # false is 0: the server runs it; comfydsl refuses
        (["1"], "bad_linked_input"),
        (["1", 0, 0], "bad_linked_input"),
    ],
)
def test_a_link_that_cannot_be_followed_is_an_error_of_its_node_only(
    link: list[Any], expected: str
) -> None:
    assert [("2", expected)] == errors_of({"1": image(), "2": preview(link)})


def test_a_bad_link_in_a_node_an_output_needs_is_an_inner_exception() -> None:
    prompt = {
        "1": image(),
        "3": {"inputs": {"image": ["99", 0]}, "class_type": "ImageInvert"},
        "2": preview(["3", 0]),
    }
    assert [("3", "exception_during_inner_validation")] == errors_of(prompt)
    (error,) = load_prompt(prompt).check()
    assert "'99'" in str(error) and "not in the prompt" in str(error)


def test_a_link_of_the_last_output_by_minus_one_is_fine() -> None:
    assert [] == errors_of({"1": image(), "2": preview(["1", -1])})


@pytest.mark.parametrize(
    ("inputs", "expected"),
    [
        ("ABSENT", "exception_during_validation"),
        (None, "exception_during_validation"),
        (5, "exception_during_validation"),
        ([], "required_input_missing"),
        ("x", "required_input_missing"),
        (["images"], "exception_during_validation"),  # found, then indexed by a name
    ],
)
def test_inputs_that_are_not_an_object_are_said_as_the_server_says_them(
    inputs: Any, expected: str
) -> None:
    node: dict[str, Any] = {"class_type": "PreviewImage"}
    if inputs != "ABSENT":
        node["inputs"] = inputs
    assert [("2", expected)] == errors_of({"1": image(), "2": node})


@pytest.mark.parametrize("inputs", ["ABSENT", None, [], "x", 5])
def test_a_node_no_output_needs_with_inputs_not_an_object_is_refused(inputs: Any) -> None:
    # The server takes it, then stops running prompts for good: it reads every node's inputs.
    node: dict[str, Any] = {"class_type": "ImageInvert"}
    if inputs != "ABSENT":
        node["inputs"] = inputs
    wf = load_prompt({"1": image(), "2": preview(), "3": node})
    (error,) = wf.check()
    assert isinstance(error, MalformedNodeError)
    assert ("3", "inputs_not_an_object") == (error.node_id, error.type)
    assert [] == wf.check_report().would_run, "nothing runs: the whole prompt is refused"


def test_a_node_no_output_needs_may_link_anywhere() -> None:
    prompt = ODD_NODES["unreachable_odd_links"]
    assert [] == errors_of(prompt)


def test_no_knock_on_errors_about_nodes_that_are_fine() -> None:
    prompt = {
        "1": image(),
        "3": {"inputs": {"image": ["1", "0"]}, "class_type": "ImageInvert"},
        "4": {"inputs": {"image": ["3", 0]}, "class_type": "ImageInvert"},
        "2": preview(["4", 0]),
    }
    assert [("3", "exception_during_inner_validation")] == errors_of(prompt)


def test_an_unknown_key_holding_a_link_to_a_missing_node_is_refused() -> None:
    # The server does not check undeclared inputs, and running it stops the server for good.
    prompt = {
        "1": image(),
        "2": {"inputs": {"images": ["1", 0], "bogus": ["99", 0]}, "class_type": "PreviewImage"},
    }
    (error,) = load_prompt(prompt).check()
    assert ("2", "unknown_input", "bogus") == (error.node_id, error.type, error.input_name)
    assert "stops the server" in str(error)


# -- what is no prompt at all ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "prompt",
    [
        [1, 2],
        "text",
        {"1": ["not", "a", "node"]},
        {"1": None},
        {"1": {"inputs": {}}},
        {"1": {"inputs": {}, "class_type": None}},
        {"1": {"inputs": {}, "class_type": 7}},
        {"1": {"inputs": {"x": {1: 2}}, "class_type": "Foo"}},
        {"1": {"inputs": {}, "class_type": "Foo", "extra": object()}},
    ],
)
def test_what_is_no_prompt_is_one_prompt_format_error(prompt: Any) -> None:
    with pytest.raises(PromptFormatError) as caught:
        load_prompt(prompt)
    assert 1 == len(caught.value.problems), caught.value.problems
