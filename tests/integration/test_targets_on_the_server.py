"""The whole-prompt checks against a real ComfyUI: no output node, targets, outputs that fail.

Needs from tests/integration/conftest.py: the session fixture ``comfyui_server`` (``.url``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from comfydsl import Workflow
from comfydsl.client import Client, PromptRejected
from comfydsl.errors import ValidationError
from comfydsl.nodes import EmptyImage, ImageInvert, PreviewImage, SaveImage

RUN_TIMEOUT = 120.0


@pytest.fixture
def client(comfyui_server: Any) -> Iterator[Client]:
    with Client(comfyui_server.url, timeout=30.0) as c:
        yield c


def test_a_prompt_without_an_output_node_is_refused_before_sending(client: Client) -> None:
    with Workflow() as wf:
        ImageInvert(image=EmptyImage(width=8, height=8))
    with pytest.raises(ValidationError) as caught:
        client.submit(wf)
    assert not isinstance(caught.value, PromptRejected), "found before sending"
    assert ["prompt_no_outputs"] == [e.type for e in caught.value.errors]
    with pytest.raises(PromptRejected) as rejected:
        client.submit(wf, validate=False)
    assert "prompt_no_outputs" == rejected.value.error["type"], "the server says the same"


def two_outputs(prefix: str) -> tuple[Workflow, Any, Any]:
    """A workflow whose SaveImage is fine and whose PreviewImage fails validation."""
    with Workflow() as wf:
        image = EmptyImage(width=8, height=8, color=0x102030)
        good = SaveImage(images=image, filename_prefix=prefix)
        bad = PreviewImage(images=ImageInvert(image=image))
    wf["3"].inputs["image"] = wf["1"].output(5)  # no output 5
    return wf, good, bad


def test_the_outputs_that_would_have_run_are_said_and_the_server_agrees(client: Client) -> None:
    wf, good, _bad = two_outputs("whole/refused")
    with pytest.raises(ValidationError) as caught:
        client.submit(wf)
    assert [good.id] == caught.value.would_run
    assert f"targets=['{good.id}']" in str(caught.value)
    # Unchecked, the server queues the good output alone and lists the other's errors; the
    # client cancels it (a workflow runs whole or not at all) and says why.
    with pytest.raises(PromptRejected) as rejected:
        client.submit(wf, validate=False)
    assert [("3", "exception_during_inner_validation")] == [
        (e.node_id, e.type) for e in rejected.value.errors
    ]
    assert [(e.node_id, e.type) for e in wf.check(client.catalog())] == [
        (e.node_id, e.type) for e in rejected.value.errors
    ]


def test_targets_run_only_those_outputs(client: Client) -> None:
    wf, good, bad = two_outputs("whole/target")
    job = client.submit(wf, targets=[good])
    result = job.wait(timeout=RUN_TIMEOUT, progress=False)
    assert {good.id} == {f.node_id for f in result.files}
    entry = client.history_entry(job.prompt_id)
    assert [good.id] == entry["prompt"][4], "the server ran the target alone"
    with pytest.raises(ValidationError) as caught:
        client.submit(wf, targets=[bad])
    assert ["exception_during_inner_validation"] == [e.type for e in caught.value.errors]
    with pytest.raises(ValidationError) as caught:
        client.submit(wf, targets=[wf["1"]])  # not an output node: then none is
    assert ["prompt_no_outputs", "prompt_no_outputs"] == [e.type for e in caught.value.errors]
    assert "EmptyImage (node 1): is a target but not an output node" in str(caught.value)


def test_targets_of_a_raw_prompt_are_ids(client: Client) -> None:
    wf, good, _ = two_outputs("whole/raw")
    job = client.submit(wf.to_api(), targets=[good.id])
    result = job.wait(timeout=RUN_TIMEOUT, progress=False)
    assert {good.id} == {f.node_id for f in result.files}
    with pytest.raises(TypeError, match="target"):
        client.submit(wf.to_api(), targets=good.id, validate=False)
