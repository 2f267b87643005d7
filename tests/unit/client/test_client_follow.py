"""Reading runs from recorded WebSocket messages and history entries of a real server."""

from __future__ import annotations

from typing import Any

import pytest
from comfy_fake import recording

from comfydsl.client.errors import ExecutionFailed, ExecutionInterrupted
from comfydsl.client.follow import RunState, outcome_of_history
from comfydsl.client.submit import NodeInfo, node_info
from comfydsl.errors import SourceLocation


def feed_all(state: RunState, messages: list[dict[str, Any]]) -> int:
    """Feed messages until the run says it is over; return how many were used."""
    for used, message in enumerate(messages, start=1):
        if state.feed(message):
            return used
    raise AssertionError("the run never ended")


def located(prompt: dict[str, Any]) -> NodeInfo:
    """Node info with a made-up source line per node (line = 10 + position)."""
    return {
        node_id: (node["class_type"], SourceLocation("wf.py", 10 + i))
        for i, (node_id, node) in enumerate(prompt.items())
    }


def test_a_successful_run_ends_on_the_last_message_with_every_node_done() -> None:
    data = recording("A1_invert_save")
    state = RunState(
        data["response"]["body"]["prompt_id"], node_info(None, data["request"]["prompt"])
    )
    used = feed_all(state, data["ws_messages"])
    assert len(data["ws_messages"]) == used, (
        "the run ends at executing {node: null}, the last message"
    )
    assert state.succeeded
    assert {"1", "2", "3"} == state.done
    assert ["images"] == list(state.outputs["3"])
    progress = state.progress()
    assert (3, 3) == (progress.nodes_done, progress.nodes_total)


def test_a_cached_run_counts_cached_nodes_as_done() -> None:
    data = recording("A2_invert_save_resubmit")
    state = RunState(
        data["response"]["body"]["prompt_id"], node_info(None, data["request"]["prompt"])
    )
    feed_all(state, data["ws_messages"])
    assert ["1", "2", "3"] == state.cached
    assert "invert_00001_.png" == state.outputs["3"]["images"][0]["filename"]


def test_the_running_node_is_named_with_its_class_and_line() -> None:
    data = recording("A1_invert_save")
    nodes = located(data["request"]["prompt"])
    state = RunState("p", nodes)
    state.feed({"type": "executing", "data": {"node": "2", "prompt_id": "p"}})
    progress = state.progress()
    assert ("ImageInvert #2", SourceLocation("wf.py", 11)) == (progress.node_label, progress.source)


def test_an_execution_error_raises_at_the_nodes_line_with_the_server_traceback() -> None:
    data = recording("execution_error_dummy_models")["txt2img_zero_byte_sdxl"]
    state = RunState(data["response"]["body"]["prompt_id"], located(data["prompt"]))
    with pytest.raises(ExecutionFailed) as caught:
        feed_all(state, data["ws_messages"])
    error = caught.value
    assert ("4", "CheckpointLoaderSimple") == (error.node_id, error.class_type)
    assert SourceLocation("wf.py", 10) == error.source, "node 4 is the first node of the prompt"
    assert "safetensors._safetensors_rust.SafetensorError" == error.exception_type
    assert "header too small" in error.exception_message
    assert str(error).startswith("wf.py:10: CheckpointLoaderSimple (node 4) failed")
    assert error.traceback and "load_checkpoint" in error.server_traceback
    assert isinstance(error, RuntimeError)


def test_an_interrupted_run_raises_interrupted_naming_the_node() -> None:
    data = recording("queue_interrupt")
    state = RunState("e346219d-cdf0-41a4-a1fc-459bc2c0bb8d", {})
    with pytest.raises(ExecutionInterrupted) as caught:
        feed_all(state, data["ws_messages_P1"])
    assert ("3", "ImageInvert", ["1", "2"]) == (
        caught.value.node_id,
        caught.value.class_type,
        caught.value.executed,
    )


def test_history_of_a_success_gives_its_outputs() -> None:
    data = recording("A1_invert_save")
    (entry,) = data["history"]["body"].values()
    outputs = outcome_of_history(entry, {})
    assert outputs is not None
    assert "invert_00001_.png" == outputs["3"]["images"][0]["filename"]


def test_history_of_an_error_raises_execution_failed() -> None:
    data = recording("execution_error_dummy_models")["txt2img_zero_byte_sdxl"]
    (entry,) = data["history"].values()
    with pytest.raises(ExecutionFailed, match="header too small"):
        outcome_of_history(entry, {})


def test_history_of_an_interrupted_run_raises_interrupted() -> None:
    data = recording("queue_interrupt")
    (entry,) = data["history_P1"]["body"].values()
    with pytest.raises(ExecutionInterrupted, match="interrupted while ImageInvert"):
        outcome_of_history(entry, {})
