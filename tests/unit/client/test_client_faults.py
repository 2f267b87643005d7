"""Faults a real server will not produce on demand, against the scripted in-process server.

The normal paths (submit, follow, results, errors, interrupt, cache, a killed server) are tested
against a real ComfyUI in tests/integration/test_client_*.py.
"""

from __future__ import annotations

import io
import json
import struct
from typing import Any

import pytest
from comfy_fake import FakeComfy, Run, recording, refused_url

from comfydsl.client import (
    Client,
    ExecutionInterrupted,
    JobLost,
    Preview,
    ProgressBar,
    PromptRejected,
    RequestRejected,
    RequestTimeout,
    ServerError,
    ServerLost,
    ServerUnreachable,
    WaitTimeout,
)

A1 = recording("A1_invert_save")
PROMPT: dict[str, Any] = A1["request"]["prompt"]
PROMPT_ID = A1["response"]["body"]["prompt_id"]


def posted_bodies(fake: FakeComfy, path: str) -> list[Any]:
    return [
        json.loads(body or b"null")
        for method, p, _, body in fake.requests
        if method == "POST" and p == path
    ]


def test_a_recorded_run_is_followed_to_its_files(fake: FakeComfy, client: Client) -> None:
    fake.runs.append(Run.from_recording(A1))
    seen: list[str] = []
    result = client.submit(PROMPT, validate=False).wait(
        timeout=10, on_message=lambda m: seen.append(m["type"])
    )
    assert "executing" == seen[-1]
    assert ["invert_00001_.png"] == [f.filename for f in result.files]


def test_the_body_carries_client_id_extra_data_front_and_prompt_id(
    fake: FakeComfy, client: Client
) -> None:
    fake.runs.append(Run.from_recording(A1))
    client.submit(PROMPT, validate=False, front=True, prompt_id="mine", extra_data={"k": 1})
    (body,) = posted_bodies(fake, "/prompt")
    assert {
        "client_id": client.client_id,
        "prompt": PROMPT,
        "extra_data": {"k": 1},
        "front": True,
        "prompt_id": "mine",
    } == body


def test_the_websocket_drops_mid_run_and_the_wait_still_finishes(
    fake: FakeComfy, client: Client
) -> None:
    fake.runs.append(Run.from_recording(A1))
    fake.drop_ws_after = 4
    seen: list[str] = []
    result = client.submit(PROMPT, validate=False).wait(
        timeout=10, on_message=lambda m: seen.append(m["type"])
    )
    assert ["execution_start", "execution_cached"] == seen, "what came before the drop"
    assert ["invert_00001_.png"] == [f.filename for f in result.files], "the rest from /history"
    assert any(p.startswith("/history/") for _, p, _, _ in fake.requests)


def test_without_a_websocket_the_wait_polls(fake: FakeComfy, client: Client) -> None:
    fake.runs.append(Run.from_recording(A1))
    fake.ws_enabled = False
    result = client.submit(PROMPT, validate=False).wait(timeout=10)
    assert ["invert_00001_.png"] == [f.filename for f in result.files]


def test_a_500_text_answer_is_a_server_error(fake: FakeComfy, client: Client) -> None:
    fake.runs.append(
        Run(status=500, body="500 Internal Server Error\n\nServer got itself in trouble")
    )
    with pytest.raises(ServerError, match="server error 500: 500 Internal Server Error") as caught:
        client.submit(PROMPT, validate=False)
    assert caught.value.response is not None and 500 == caught.value.response.status_code
    assert caught.value.request is not None and "POST" == caught.value.request.method
    assert isinstance(caught.value, RuntimeError)


def test_a_refused_connection_is_server_unreachable() -> None:
    with (
        Client(refused_url(), timeout=5.0) as client,
        pytest.raises(ServerUnreachable, match="Connection refused"),
    ):
        client.submit(PROMPT, validate=False)


def test_a_server_that_does_not_answer_in_time_is_a_request_timeout(fake: FakeComfy) -> None:
    fake.delay = 2.0
    with (
        Client(fake.url, adapter=fake.adapter, websocket=fake.websocket, timeout=0.2) as client,
        pytest.raises(RequestTimeout, match=r"no complete answer within 0\.2 s"),
    ):
        client.system_stats()


def test_the_error_classes_of_the_four_faults_are_distinct() -> None:
    classes = {ServerError, ServerUnreachable, RequestTimeout, ServerLost, WaitTimeout}
    for a in classes:
        for b in classes - {a}:
            assert not issubclass(a, b), f"{a.__name__} must not be a {b.__name__}"


def test_a_4xx_answer_is_request_rejected(fake: FakeComfy, client: Client) -> None:
    with pytest.raises(RequestRejected, match="404") as caught:
        client.view("missing.png")
    assert 404 == caught.value.status


def test_a_server_that_dies_mid_wait_is_server_lost(fake: FakeComfy, client: Client) -> None:
    run = Run.from_recording(A1)
    run.ws_messages = run.ws_messages[:5]  # the run never ends
    fake.runs.append(run)
    fake.history_visible = False
    fake.queue_running = [[0, PROMPT_ID, PROMPT, {}, ["3"]]]
    job = client.submit(PROMPT, validate=False)
    fake.stop()
    with pytest.raises(ServerLost, match=PROMPT_ID):
        job.wait(timeout=30)


def test_a_wait_past_its_timeout_is_wait_timeout_and_the_job_goes_on(
    fake: FakeComfy, client: Client
) -> None:
    run = Run.from_recording(A1)
    run.ws_messages = run.ws_messages[:5]
    fake.runs.append(run)
    fake.history_visible = False
    fake.queue_running = [[0, PROMPT_ID, PROMPT, {}, ["3"]]]
    job = client.submit(PROMPT, validate=False)
    with pytest.raises(WaitTimeout) as caught:
        job.wait(timeout=0.3)
    assert caught.value.job is job and not job.done
    fake.history_visible = True
    assert ["invert_00001_.png"] == [f.filename for f in job.wait(timeout=10).files], (
        "a later wait finishes"
    )


def test_a_prompt_the_server_forgot_is_job_lost(fake: FakeComfy, client: Client) -> None:
    fake.runs.append(Run.from_recording(A1))
    fake.ws_enabled = False
    fake.history_visible = False
    with pytest.raises(JobLost, match="neither its queue nor its history"):
        client.submit(PROMPT, validate=False).wait(timeout=10)


def test_a_cancelled_pending_job_is_interrupted_not_lost(fake: FakeComfy, client: Client) -> None:
    fake.runs.append(Run.from_recording(A1))
    fake.ws_enabled = False
    fake.history_visible = False
    job = client.submit(PROMPT, validate=False)
    job.cancel()
    assert [{"delete": [PROMPT_ID]}] == posted_bodies(fake, "/queue")
    assert [{"prompt_id": PROMPT_ID}] == posted_bodies(fake, "/interrupt")
    with pytest.raises(ExecutionInterrupted, match="cancelled before it ran"):
        job.wait(timeout=10)


def test_a_partly_accepted_prompt_is_cancelled_and_rejected(
    fake: FakeComfy, client: Client
) -> None:
    errors = recording("execution_error_dummy_models")["txt2img_missing_ckpt"]["response"]["body"]
    fake.runs.append(
        Run(body={"prompt_id": "p9", "number": 3, "node_errors": errors["node_errors"]})
    )
    with pytest.raises(PromptRejected, match="queued, then cancelled"):
        client.submit(PROMPT, validate=False)
    assert [{"delete": ["p9"]}] == posted_bodies(fake, "/queue")


def test_extra_headers_go_on_every_request_and_the_websocket_handshake(fake: FakeComfy) -> None:
    fake.runs.append(Run.from_recording(A1))
    with Client(
        fake.url,
        adapter=fake.adapter,
        websocket=fake.websocket,
        headers={"Authorization": "Bearer t0k"},
    ) as client:
        client.submit(PROMPT, validate=False).wait(timeout=10)
    paths = [(p.split("?")[0], h.get("Authorization")) for _, p, h, _ in fake.requests]
    assert "/ws" in [p for p, _ in paths]
    assert [] == [p for p, auth in paths if auth != "Bearer t0k"]


def test_preview_frames_reach_the_callback_with_their_node(fake: FakeComfy, client: Client) -> None:
    run = Run.from_recording(A1)
    meta = json.dumps({"node_id": "2", "prompt_id": PROMPT_ID, "image_type": "image/png"}).encode()
    frame = struct.pack(">II", 4, len(meta)) + meta + b"\x89PNG-preview"
    run.ws_messages.insert(6, frame)
    fake.runs.append(run)
    previews: list[Preview] = []
    client.submit(PROMPT, validate=False).wait(timeout=10, on_preview=previews.append)
    assert [("2", PROMPT_ID, b"\x89PNG-preview")] == [
        (p.node_id, p.prompt_id, p.image) for p in previews
    ]


def test_the_progress_bar_shows_the_running_node(fake: FakeComfy, client: Client) -> None:
    fake.runs.append(Run.from_recording(A1))
    screen = io.StringIO()
    bar = ProgressBar(file=screen, leave=True)
    client.submit(PROMPT, validate=False).wait(timeout=10, on_progress=bar)
    bar.close()
    shown = screen.getvalue()
    assert "ImageInvert #2" in shown and "3/3" in shown, shown


def test_a_refused_websocket_is_not_asked_again_at_every_submit(
    fake: FakeComfy, client: Client
) -> None:
    fake.ws_enabled = False
    for _ in range(2):
        fake.runs.append(Run.from_recording(A1))
        client.submit(PROMPT, validate=False).wait(timeout=10)
    assert 1 == len([p for _, p, _, _ in fake.requests if p.startswith("/ws")])
