"""The checks the server makes of a prompt as a whole: an output node, the targets, each output.

ComfyUI refuses a prompt with no output node (``prompt_no_outputs``), runs only the outputs a
body's ``partial_execution_targets`` names, and runs the outputs that validate while dropping the
others. comfydsl refuses the whole prompt when anything is wrong, and its CheckReport says which
outputs would have run.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from comfydsl import Workflow, load_prompt
from comfydsl.errors import NoOutputsError, ValidationError
from comfydsl.nodes import EmptyImage, ImageInvert, PreviewImage, SaveImage


def test_a_prompt_without_an_output_node_would_run_nothing() -> None:
    with Workflow() as wf:
        ImageInvert(image=EmptyImage(width=8, height=8))
    (error,) = wf.check()
    assert isinstance(error, NoOutputsError)
    assert ("prompt_no_outputs", None) == (error.type, error.node_id)
    assert "no output node" in str(error)


def test_the_empty_prompt_would_run_nothing() -> None:
    assert ["prompt_no_outputs"] == [e.type for e in load_prompt({}).check()]
    assert ["prompt_no_outputs"] == [e.type for e in Workflow().check()]


def test_an_unknown_class_is_said_instead_of_no_outputs() -> None:
    # It may be an output node: the server stops at it, and so does comfydsl.
    wf = load_prompt({"1": {"inputs": {}, "class_type": "NoSuchSaver"}})
    assert [("1", "invalid_prompt")] == [(e.node_id, e.type) for e in wf.check()]


@pytest.fixture
def two_outputs() -> Iterator[tuple[Workflow, Any, Any]]:
    """A workflow whose first output is fine and whose second fails (a value out of range)."""
    with Workflow() as wf:
        image = EmptyImage(width=8, height=8)
        good = SaveImage(images=image, filename_prefix="good")
        bad = PreviewImage(images=ImageInvert(image=image))
    wf["3"].inputs["image"] = wf["1"].output(5)  # ImageInvert: no output 5, fails validation
    yield wf, good, bad


def test_each_output_says_what_stops_it(two_outputs: tuple[Workflow, Any, Any]) -> None:
    wf, good, bad = two_outputs
    report = wf.check_report()
    assert not report.ok
    assert [good.id] == report.would_run
    assert [] == report.outputs[good.id]
    assert [("3", "exception_during_inner_validation")] == [
        (e.node_id, e.type) for e in report.outputs[bad.id]
    ]
    assert report.errors == report.outputs[bad.id], "check() lists every error once"


def test_targets_check_only_those_outputs_and_what_they_need(
    two_outputs: tuple[Workflow, Any, Any],
) -> None:
    wf, good, bad = two_outputs
    assert [] == wf.check(targets=[good])
    assert [] == wf.check(targets=[good.id])
    assert {good.id: []} == wf.check_report(targets=[good]).outputs
    assert ["exception_during_inner_validation"] == [e.type for e in wf.check(targets=[bad])]


def test_a_target_that_is_not_an_output_node_is_a_mistake(
    two_outputs: tuple[Workflow, Any, Any],
) -> None:
    wf, good, _ = two_outputs
    errors = wf.check(targets=[good, wf["1"]])
    assert [("1", "prompt_no_outputs")] == [(e.node_id, e.type) for e in errors]
    assert "not an output node" in str(errors[0])
    errors = wf.check(targets=["99"])
    assert ["prompt_no_outputs", "prompt_no_outputs"] == [e.type for e in errors]
    assert "'99' is not a node of the prompt" in str(errors[0])
    assert "none of the targets" in str(errors[1])
    assert ["prompt_no_outputs"] == [e.type for e in wf.check(targets=[])]


def test_a_node_of_another_workflow_is_no_target(two_outputs: tuple[Workflow, Any, Any]) -> None:
    wf, _, _ = two_outputs
    with Workflow():
        other = PreviewImage(images=EmptyImage(width=8, height=8))
    assert "is not a node of the prompt" in str(wf.check(targets=[other])[0])


@pytest.mark.parametrize("targets", ["2", b"2", 2, [2], [None], 5.0])
def test_targets_are_nodes_or_their_ids(
    two_outputs: tuple[Workflow, Any, Any], targets: Any
) -> None:
    wf, _, _ = two_outputs
    with pytest.raises(TypeError, match="target"):
        wf.check(targets=targets)


def test_validation_errors_say_which_outputs_would_have_run(
    two_outputs: tuple[Workflow, Any, Any],
) -> None:
    wf, good, _bad = two_outputs
    report = wf.check_report()
    error = ValidationError(report.errors, outputs=report.outputs)
    assert [good.id] == error.would_run
    assert f"targets=['{good.id}']" in str(error)
    assert [] == ValidationError(report.errors).would_run
