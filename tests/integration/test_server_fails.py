"""Where comfydsl refuses what the real server takes, the server really fails on it.

Each rule by which comfydsl is stricter than ComfyUI's validation (the deliberate differences of
test_server_verdict.py) is shown twice here: comfydsl raises at the line that made the mistake,
and the same prompt, sent unchecked (``validate=False``) to a real ComfyUI 0.3.75, is accepted
and then fails when it runs (``ExecutionFailed``). And where the server's own check of a file is
the verdict (LoadImage), comfydsl with the server's catalog says the same before sending.

Needs from tests/integration/conftest.py: the session fixture ``comfyui_server`` (``.url``,
``.root``, ``.input_dir``). Every prompt here is small and safe to run on it.
"""

from __future__ import annotations

import inspect
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from comfydsl import Node, Workflow, load_prompt
from comfydsl.catalog import use_catalog
from comfydsl.client import Client, ExecutionFailed, PromptRejected
from comfydsl.errors import (
    BadLinkError,
    ChoiceError,
    InputValueError,
    PathError,
    SourceLocation,
    UnknownInputError,
    ValueRangeError,
)
from comfydsl.nodes import (
    EmptyImage,
    ImageInvert,
    LoadImage,
    Morphology,
    PreviewImage,
    PrimitiveInt,
    SaveImage,
)

RUN_TIMEOUT = 120.0
HERE = str(Path(__file__))


@pytest.fixture
def client(comfyui_server: Any) -> Iterator[Client]:
    with Client(comfyui_server.url, timeout=30.0) as c:
        yield c


def line_here() -> int:
    """The line number of the caller (where it calls this)."""
    frame = inspect.currentframe()
    assert frame is not None and frame.f_back is not None
    return frame.f_back.f_lineno


def fails_when_run(client: Client, prompt: dict[str, Any]) -> ExecutionFailed:
    """Send ``prompt`` unchecked: the server must accept it, run it, and fail."""
    job = client.submit(prompt, validate=False)
    with pytest.raises(ExecutionFailed) as caught:
        job.wait(timeout=RUN_TIMEOUT, progress=False)
    return caught.value


def image() -> dict[str, Any]:
    return {
        "inputs": {"width": 8, "height": 8, "batch_size": 1, "color": 0},
        "class_type": "EmptyImage",
    }


@pytest.mark.parametrize(
    "prefix", ["../escaped", "verdict/../../escaped", "%year%/../../escaped", "/tmp/escaped"]
)
def test_an_output_prefix_outside_the_output_folder(client: Client, prefix: str) -> None:
    with Workflow(), pytest.raises(PathError) as caught:
        line = line_here() + 1
        SaveImage(images=EmptyImage(width=8, height=8), filename_prefix=prefix)
    where = SourceLocation(HERE, line, "test_an_output_prefix_outside_the_output_folder")
    assert ("path_outside_folder", where) == (caught.value.type, caught.value.source)
    prompt = {
        "1": image(),
        "2": {"inputs": {"images": ["1", 0], "filename_prefix": prefix}, "class_type": "SaveImage"},
    }
    failure = fails_when_run(client, prompt)
    assert "2" == failure.node_id, failure
    assert "Saving image outside the output folder is not allowed" in failure.exception_message


@pytest.mark.parametrize("name", ["../server.log", "", "."])
def test_an_input_file_outside_the_input_folder(
    client: Client, comfyui_server: Any, name: str
) -> None:
    assert (comfyui_server.input_dir / name).exists(), "the server's own check would refuse it"
    with Workflow(), pytest.raises(PathError, match="input folder"):
        LoadImage(image=name)
    with use_catalog(client.catalog()), Workflow(), pytest.raises(PathError):
        LoadImage(image=name)
    prompt = {
        "1": {"inputs": {"image": name}, "class_type": "LoadImage"},
        "2": {"inputs": {"images": ["1", 0]}, "class_type": "PreviewImage"},
    }
    assert ["path_outside_folder"] == [e.type for e in load_prompt(prompt).check(client.catalog())]
    failure = fails_when_run(client, prompt)
    assert "1" == failure.node_id, failure


def test_a_primitive_outside_the_range_of_the_widget_it_feeds(client: Client) -> None:
    with Workflow() as wf:
        line = line_here() + 1
        width = PrimitiveInt(value=-5)
        with pytest.raises(ValueRangeError) as caught:
            EmptyImage(width=width, height=8)
    error = caught.value
    assert ("value_smaller_than_min", "width", "EmptyImage") == (
        error.type,
        error.input_name,
        error.class_type,
    )
    assert (
        SourceLocation(HERE, line, "test_a_primitive_outside_the_range_of_the_widget_it_feeds")
        == error.source
    ), "the error is at the line that built the primitive"
    assert "PrimitiveInt#1" in str(error)
    # A primitive changed after it was linked is caught by check().
    with Workflow() as wf:
        width = PrimitiveInt(value=8)
        PreviewImage(images=EmptyImage(width=width, height=8))
        width.set(value=-5)
    assert [("value_smaller_than_min", "2")] == [(e.type, e.node_id) for e in wf.check()]
    prompt = wf.to_api()
    assert ["value_smaller_than_min"] == [
        e.type for e in load_prompt(prompt).check(client.catalog())
    ]
    failure = fails_when_run(client, prompt)
    assert "2" == failure.node_id, failure
    assert "negative dimension" in failure.exception_message


def test_a_newer_combo_value_outside_its_options(client: Client) -> None:
    with Workflow(), pytest.raises(ChoiceError) as caught:
        Morphology(image=EmptyImage(width=8, height=8), operation="bogus", kernel_size=3)
    assert "value_not_in_list" == caught.value.type
    prompt = {
        "1": image(),
        "2": {
            "inputs": {"image": ["1", 0], "operation": "bogus", "kernel_size": 3},
            "class_type": "Morphology",
        },
        "3": {"inputs": {"images": ["2", 0]}, "class_type": "PreviewImage"},
    }
    failure = fails_when_run(client, prompt)
    assert "2" == failure.node_id, failure
    assert "Invalid operation bogus" in failure.exception_message


def test_a_constant_where_a_link_is_needed(client: Client) -> None:
    with Workflow(), pytest.raises(InputValueError, match="not a constant"):
        ImageInvert(image="a constant")
    for value in ("a constant", None, 3):
        prompt = {
            "1": {"inputs": {"image": value}, "class_type": "ImageInvert"},
            "2": {"inputs": {"images": ["1", 0]}, "class_type": "PreviewImage"},
        }
        assert ["invalid_input_type"] == [
            e.type for e in load_prompt(prompt).check(client.catalog())
        ]
        # ImageInvert fails on it, or passes a number on that PreviewImage fails on.
        assert fails_when_run(client, prompt).node_id in ("1", "2")


def test_a_link_under_an_undeclared_input(client: Client) -> None:
    with Workflow(), pytest.raises(BadLinkError, match="does not declare"):
        source = EmptyImage(width=8, height=8)
        Node("ImageInvert", image=source, extra_inputs={"bogus": source})
    prompt = {
        "1": image(),
        "2": {"inputs": {"image": ["1", 0], "bogus": ["1", 0]}, "class_type": "ImageInvert"},
        "3": {"inputs": {"images": ["2", 0]}, "class_type": "PreviewImage"},
    }
    (error,) = load_prompt(prompt).check(client.catalog())
    assert isinstance(error, UnknownInputError) and "bogus" == error.input_name, error
    failure = fails_when_run(client, prompt)
    assert "2" == failure.node_id, failure
    assert "unexpected keyword argument 'bogus'" in failure.exception_message


# -- the server's own check of LoadImage's file, said before sending ---------------------------------


def upload(client: Client, name: str) -> None:
    data = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 200, 30)).save(data, format="PNG")
    client.upload_image(data.getvalue(), name=name, overwrite=True)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("fails-verdict.png", []),
        ("fails-verdict.png [input]", []),
        ("FAILS-VERDICT.PNG", ["custom_validation_failed"]),
        ("no-such-image.png", ["custom_validation_failed"]),
    ],
)
def test_loadimage_files_are_checked_against_the_servers_list(
    client: Client, name: str, expected: list[str]
) -> None:
    upload(client, "fails-verdict.png")
    catalog = client.catalog(refresh=True)
    with use_catalog(catalog), Workflow() as wf:
        line = line_here() + 3
        if expected:
            with pytest.raises(ChoiceError) as caught:
                LoadImage(image=name)
            assert ("custom_validation_failed", line) == (
                caught.value.type,
                caught.value.source.line,
            )
            assert f"image - Invalid image file: {name}" in str(caught.value)
        else:
            PreviewImage(images=LoadImage(image=name).IMAGE)
    prompt = {
        "1": {"inputs": {"image": name}, "class_type": "LoadImage"},
        "2": {"inputs": {"images": ["1", 0]}, "class_type": "PreviewImage"},
    }
    assert expected == [e.type for e in load_prompt(prompt).check(catalog)]
    if expected:
        with pytest.raises(PromptRejected) as rejected:
            client.submit(prompt, validate=False)
        assert [("1", "custom_validation_failed")] == [
            (e.node_id, e.type) for e in rejected.value.errors
        ]
    else:
        client.submit(wf).wait(timeout=RUN_TIMEOUT, progress=False)
