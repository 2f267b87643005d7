"""Answers of the wrong shape: each is a MalformedAnswer (a ServerError) that names the endpoint
or message, what was expected and what arrived, never a bare TypeError or KeyError from deep inside.

The malformed answers are injected into the scripted in-process server (comfy_fake).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from comfy_fake import FakeComfy, Run, recording

from comfydsl.client import (
    Client,
    ExecutionFailed,
    MalformedAnswer,
    PromptRejected,
    ServerError,
    ServerLost,
)
from comfydsl.client.results import checked_outputs

A1 = recording("A1_invert_save")
PROMPT: dict[str, Any] = A1["request"]["prompt"]
PROMPT_ID: str = A1["response"]["body"]["prompt_id"]
FAILED = recording("execution_error_dummy_models")["txt2img_zero_byte_sdxl"]


def a1_with_message(kind: str, **data: Any) -> Run:
    """The recorded run A1 with the data of its (first) ``kind`` message changed."""
    run = Run.from_recording(copy.deepcopy(A1))
    message = next(m for m in run.ws_messages if isinstance(m, dict) and m["type"] == kind)
    message["data"].update(data)
    return run


def a1_with_history(**changes: Any) -> Run:
    """The recorded run A1 with its history entry changed (followed by polling)."""
    run = Run.from_recording(copy.deepcopy(A1))
    run.history[PROMPT_ID].update(changes)
    return run


def wait_for(client: Client) -> Any:
    return client.submit(PROMPT, validate=False).wait(timeout=10)


# -- the WebSocket's messages ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kind", "data", "expected"),
    [
        ("execution_cached", {"nodes": 5}, "execution_cached.*expected 'nodes' to be a list"),
        ("executed", {"output": 5}, "'executed'.*expected the outputs of node 3 to be an object"),
        (
            "executed",
            {"output": {"images": [{"filename": 5, "subfolder": "", "type": "output"}]}},
            "expected a file name \\(a string\\) in node 3's images, got int 5",
        ),
        (
            "executed",
            {"output": {"images": [{"filename": "a.png", "subfolder": ["x"]}]}},
            "expected the subfolder of a file in node 3's images to be a string",
        ),
    ],
)
def test_a_malformed_message_is_a_malformed_answer(
    fake: FakeComfy, client: Client, kind: str, data: dict[str, Any], expected: str
) -> None:
    fake.runs.append(a1_with_message(kind, **data))
    with pytest.raises(MalformedAnswer, match=expected) as caught:
        wait_for(client)
    assert isinstance(caught.value, ServerError) and isinstance(caught.value, RuntimeError)
    assert PROMPT_ID in str(caught.value), "the message names the prompt it was about"


def test_an_execution_error_with_executed_not_a_list_is_a_malformed_answer(
    fake: FakeComfy, client: Client
) -> None:
    run = Run.from_recording(copy.deepcopy(FAILED))
    error = next(m for m in run.ws_messages if m["type"] == "execution_error")
    error["data"]["executed"] = 5
    fake.runs.append(run)
    with pytest.raises(MalformedAnswer, match=r"'execution_error'.*'executed' to be a list"):
        client.submit(FAILED["prompt"], validate=False).wait(timeout=10)


def test_the_recorded_execution_error_still_fails_as_it_did(
    fake: FakeComfy, client: Client
) -> None:
    fake.runs.append(Run.from_recording(FAILED))
    with pytest.raises(ExecutionFailed, match="header too small"):
        client.submit(FAILED["prompt"], validate=False).wait(timeout=10)


# -- /history and /queue, while polling ----------------------------------------------------------
@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"status": 5}, "expected 'status' to be an object, got int 5"),
        (
            {"status": {"status_str": "success", "completed": True, "messages": 5}},
            "expected 'status.messages' to be a list",
        ),
        ({"outputs": [1, 2]}, "expected 'outputs' to be an object of node id -> outputs"),
        ({"outputs": {"3": 5}}, "expected the outputs of node 3 to be an object, got int 5"),
        (
            {"outputs": {"3": {"images": [{"filename": 7}]}}},
            "expected a file name \\(a string\\) in node 3's images, got int 7",
        ),
    ],
)
def test_a_malformed_history_entry_is_a_malformed_answer_naming_the_endpoint(
    fake: FakeComfy, client: Client, changes: dict[str, Any], expected: str
) -> None:
    fake.runs.append(a1_with_history(**changes))
    fake.ws_enabled = False
    with pytest.raises(MalformedAnswer, match=f"GET /history/{PROMPT_ID}: {expected}"):
        wait_for(client)


def test_a_malformed_history_entry_after_the_websocket_said_success(
    fake: FakeComfy, client: Client
) -> None:
    fake.runs.append(a1_with_history(outputs=[1, 2]))
    with pytest.raises(MalformedAnswer, match=f"GET /history/{PROMPT_ID}: expected 'outputs'"):
        wait_for(client)


def test_a_history_entry_that_is_not_an_object_is_a_malformed_answer(
    fake: FakeComfy, client: Client
) -> None:
    fake.answer("GET", "/history/p1", {"p1": 5})
    with pytest.raises(MalformedAnswer, match="GET /history/p1: expected the prompt's entry"):
        client.history_entry("p1")


@pytest.mark.parametrize(
    ("queue", "expected"),
    [
        ({"queue_running": 5}, "GET /queue: expected 'queue_running' to be a list of rows"),
        ({"queue_pending": "x"}, "GET /queue: expected 'queue_pending' to be a list of rows"),
        ({"queue_running": [5]}, r"GET /queue: expected a queue row \[number, prompt_id, ...\]"),
        (
            {"queue_running": [[0, "p", {}, {}, 5]]},
            "GET /queue: expected a queue row's outputs to be a list",
        ),
    ],
)
def test_a_malformed_queue_is_a_malformed_answer(
    fake: FakeComfy, client: Client, queue: dict[str, Any], expected: str
) -> None:
    fake.answer("GET", "/queue", queue)
    with pytest.raises(MalformedAnswer, match=expected):
        client.queue()
    if "outputs" not in expected:  # queue_ids reads only the ids
        with pytest.raises(MalformedAnswer, match=expected):
            client.queue_ids()


def test_a_malformed_queue_ends_a_wait_at_once_and_is_not_server_lost(
    fake: FakeComfy, client: Client
) -> None:
    fake.runs.append(Run.from_recording(A1))
    fake.ws_enabled = False
    fake.history_visible = False
    fake.answer("GET", "/queue", {"queue_running": 5, "queue_pending": []})
    with pytest.raises(MalformedAnswer) as caught:
        wait_for(client)
    assert not isinstance(caught.value, ServerLost)
    queue_reads = [p for m, p, _, _ in fake.requests if m == "GET" and p == "/queue"]
    assert 1 == len(queue_reads), "a malformed answer is not asked again until lost_after"


# -- POST /prompt --------------------------------------------------------------------------------
def rejected_with(errors: Any) -> dict[str, Any]:
    return {
        "error": {
            "type": "prompt_outputs_failed_validation",
            "message": "Prompt outputs failed validation",
            "details": "",
            "extra_info": {},
        },
        "node_errors": {"1": {"errors": errors, "dependent_outputs": ["3"], "class_type": "X"}},
    }


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ([1, 2], "expected an object with 'error' and 'node_errors', got list"),
        ({}, "expected an 'error' object or 'node_errors' saying what was wrong"),
        ({"error": None, "node_errors": 5}, "expected 'node_errors' to be an object"),
        ({"node_errors": {"1": 5}}, "expected node_errors.1 to be an object, got int 5"),
        (rejected_with(5), "expected node_errors.1.errors to be a list, got int 5"),
        (rejected_with([5]), "expected each of node_errors.1.errors to be an object"),
    ],
)
def test_a_400_of_the_wrong_shape_is_a_malformed_answer_not_a_rejection(
    fake: FakeComfy, client: Client, body: Any, expected: str
) -> None:
    fake.runs.append(Run(status=400, body=body))
    with pytest.raises(MalformedAnswer, match=expected) as caught:
        client.submit(PROMPT, validate=False)
    assert not isinstance(caught.value, PromptRejected)
    assert "failed validation" not in str(caught.value)
    assert "POST http://comfy.test:8188/prompt (400)" in str(caught.value)
    assert caught.value.response is not None and 400 == caught.value.response.status_code


def test_a_400_that_says_what_was_wrong_is_still_a_rejection(
    fake: FakeComfy, client: Client
) -> None:
    good = {"type": "required_input_missing", "message": "Required input is missing"}
    fake.runs.append(Run(status=400, body=rejected_with([good])))
    with pytest.raises(PromptRejected, match="Required input is missing"):
        client.submit(PROMPT, validate=False)


def test_a_partly_queued_prompt_with_malformed_node_errors_is_cancelled_and_malformed(
    fake: FakeComfy, client: Client
) -> None:
    fake.runs.append(Run(body={"prompt_id": "p9", "number": 3, "node_errors": {"1": 5}}))
    with pytest.raises(MalformedAnswer, match=r"expected node_errors\.1 to be an object"):
        client.submit(PROMPT, validate=False)
    assert [b'{"delete":["p9"]}'] == [
        body for m, p, _, body in fake.requests if (m, p) == ("POST", "/queue")
    ], "what was queued is cancelled"


@pytest.mark.parametrize("body", [[1], {"number": 3}, {"prompt_id": 5}])
def test_a_200_without_a_prompt_id_is_a_malformed_answer(
    fake: FakeComfy, client: Client, body: Any
) -> None:
    fake.runs.append(Run(body=body))
    with pytest.raises(MalformedAnswer, match="expected an object with the queued prompt's"):
        client.submit(PROMPT, validate=False)


# -- uploads -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ([1], "expected an object naming the file, got list"),
        ({"name": 5}, "expected 'name' to be the file's name \\(a string\\), got int 5"),
        ({"subfolder": ""}, "expected 'name' to be the file's name \\(a string\\), got NoneType"),
        ({"name": "a.png", "subfolder": 5}, "expected 'subfolder' to be a string, got int 5"),
        ({"name": "a.png", "type": ["input"]}, "expected 'type' to be a string, got list"),
    ],
)
def test_a_malformed_upload_answer_is_a_malformed_answer(
    fake: FakeComfy, client: Client, answer: Any, expected: str
) -> None:
    fake.answer("POST", "/upload/image", answer)
    with pytest.raises(MalformedAnswer, match=expected):
        client.upload_image(b"\x89PNG", name="a.png")


def test_an_upload_answer_of_the_right_shape_is_read(fake: FakeComfy, client: Client) -> None:
    fake.answer("POST", "/upload/image", {"name": "a (1).png", "subfolder": "in", "type": "input"})
    assert "in/a (1).png" == client.upload_image(b"\x89PNG", name="a.png").prompt_value


def test_output_bytes_that_are_not_an_image_are_a_server_error(
    fake: FakeComfy, client: Client
) -> None:
    fake.runs.append(Run.from_recording(A1))
    (file,) = wait_for(client).files
    fake.files[(file.filename, file.subfolder, file.type)] = b"not a png at all"
    result = client.job(PROMPT_ID).wait(timeout=10)
    with pytest.raises(ServerError, match=r"GET /view of 'oracle/invert_00001_\.png' \(node 3\)"):
        result.images()


def test_outputs_that_are_not_files_are_kept_as_they_are() -> None:
    outputs = {
        "5": {"text": ["hello"], "animated": [False], "extra": {"k": 1}},
        "6": {"images": [{"filename": "a.png", "subfolder": "", "type": "temp"}, {"v": 1}]},
    }
    assert outputs == checked_outputs(outputs, "GET /history/p")
