"""A timeout bounds the whole call, whatever the server sends: against a real loopback socket.

Each test starts a server (``misbehaving.py``) that paces its bytes so that no single socket read
ever times out, and asserts the call ends within its timeout and a margin. The margin is generous
(this is no speed test): without whole-call deadlines these calls last 30 s or more.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable, Iterator

import pytest
from comfy_fake import FakeComfy, Run, recording
from misbehaving import (
    PROMPT_ID,
    Misbehaving,
    Peer,
    after,
    drip_body,
    drip_headers,
    json_answer,
    seconds_of,
    websocket_then,
    ws_drip_frame,
    ws_huge_frame,
    ws_ping_every,
    ws_silent,
)

from comfydsl.client import Client, RequestTimeout, WaitTimeout
from comfydsl.transport import Deadline

TIMEOUT = 1.5
MARGIN = 1.0  # the margin the client documents is about 0.1 s
PROMPT = {"1": {"class_type": "SaveImage", "inputs": {}}}


@pytest.fixture
def server() -> Iterator[Misbehaving]:
    with Misbehaving() as running:
        yield running


def client_of(server: Misbehaving, *, timeout: float = TIMEOUT) -> Client:
    return Client(server.url, timeout=timeout, lost_after=30.0, poll_interval=0.05)


def test_headers_dripped_a_byte_at_a_time_end_at_the_deadline(server: Misbehaving) -> None:
    server.route("GET", "/system_stats", drip_headers())
    with client_of(server) as client:
        took, error = seconds_of(client.system_stats)
    assert isinstance(error, RequestTimeout), error
    assert took < TIMEOUT + MARGIN, f"took {took:.2f} s"
    assert f"GET {server.url}/system_stats: no complete answer within 1.5 s" == str(error)
    assert TIMEOUT == error.deadline


def test_a_body_dripped_a_byte_at_a_time_ends_at_the_deadline(server: Misbehaving) -> None:
    server.route("GET", "/object_info", drip_body())
    with client_of(server) as client:
        took, error = seconds_of(client.object_info)
    assert isinstance(error, RequestTimeout), error
    assert took < TIMEOUT + MARGIN, f"took {took:.2f} s"
    assert "/object_info" in str(error)


def test_a_dripped_history_cannot_stretch_a_wait(server: Misbehaving) -> None:
    server.route("GET", f"/history/{PROMPT_ID}", drip_body())
    with client_of(server, timeout=30.0) as client:
        took, error = seconds_of(lambda: client.job(PROMPT_ID).wait(timeout=TIMEOUT))
    assert isinstance(error, WaitTimeout), error
    assert took < TIMEOUT + MARGIN, f"took {took:.2f} s"


@pytest.mark.parametrize(
    "script",
    [ws_drip_frame, ws_ping_every(0.2), ws_silent],
    ids=["a dripped frame", "a ping every 0.2 s", "silence"],
)
def test_the_websocket_cannot_stretch_a_wait(
    server: Misbehaving, script: Callable[[Peer], None]
) -> None:
    server.route("GET", "/ws", websocket_then(script))
    with client_of(server, timeout=30.0) as client:
        job = client.submit(PROMPT, validate=False)
        assert client.listener.connected
        took, error = seconds_of(lambda: job.wait(timeout=TIMEOUT))
    assert isinstance(error, WaitTimeout), error
    assert took < TIMEOUT + MARGIN, f"took {took:.2f} s"


def test_a_300_mb_frame_is_refused_without_holding_it(server: Misbehaving) -> None:
    server.route("GET", "/ws", websocket_then(ws_huge_frame()))
    with client_of(server, timeout=30.0) as client:  # the default limit: 64 MiB
        job = client.submit(PROMPT, validate=False)
        tracemalloc.start()
        try:
            took, error = seconds_of(lambda: job.wait(timeout=TIMEOUT))
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        last_error = client.listener.last_error or ""
    assert isinstance(error, WaitTimeout), error
    assert took < TIMEOUT + MARGIN, f"took {took:.2f} s"
    assert "AnswerTooLarge" in last_error and "past the limit of 67108864 bytes" in last_error
    assert peak < 16 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB while refusing the frame"


def test_a_dripped_handshake_ends_at_the_deadline(server: Misbehaving) -> None:
    server.route("GET", "/ws", websocket_then(ws_silent, headers_every=0.05))
    with client_of(server) as client:
        took, connected = seconds_of(client.listener.connect)
        assert not client.listener.connected
        assert "/ws?clientId=" in (client.listener.last_error or "")
        assert "handshake did not complete within 1.5 s" in (client.listener.last_error or "")
    assert connected is None
    assert took < TIMEOUT + MARGIN, f"took {took:.2f} s"


def test_a_submits_handshake_and_post_share_one_timeout(server: Misbehaving) -> None:
    # Each takes 1 s: with a timeout each (the old way) the submit succeeded after 2 s.
    server.route("GET", "/ws", after(1.0, websocket_then(ws_silent)))
    server.route("POST", "/prompt", after(1.0, json_answer({"prompt_id": PROMPT_ID})))
    with client_of(server) as client:
        took, error = seconds_of(lambda: client.submit(PROMPT, validate=False))
        assert client.listener.connected, "the handshake fitted in the timeout"
    assert isinstance(error, RequestTimeout), error
    assert "POST" in str(error) and "1.5 s" in str(error)
    assert took < TIMEOUT + 0.5, f"took {took:.2f} s: the POST had only what was left"


def test_a_slow_but_steady_server_is_answered(server: Misbehaving) -> None:
    server.route("GET", "/system_stats", after(0.3, json_answer({"system": {}})))
    with client_of(server) as client:
        assert {"system": {}} == client.system_stats()
        assert {"system": {}} == client.system_stats(), "the pooled connection is still good"


def test_a_deadline_says_how_long_is_left() -> None:
    deadline = Deadline(10.0)
    assert 9.0 < deadline.remaining() <= 10.0
    assert deadline.sooner(1.0).remaining() <= 1.0
    assert deadline.sooner(100.0) is deadline
    assert Deadline(0.0).expired


def test_a_wait_with_no_time_left_still_looks_once(fake: FakeComfy, client: Client) -> None:
    fake.runs.append(Run.from_recording(recording("A1_invert_save")))
    job = client.submit(recording("A1_invert_save")["request"]["prompt"], validate=False)
    fake.ws_enabled = False
    client.listener.close()  # followed by polling: the run is already in the history
    assert ["invert_00001_.png"] == [f.filename for f in job.wait(timeout=0).files]
