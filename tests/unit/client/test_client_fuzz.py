"""Whatever a server says, a job ends with a result or a comfydsl error, never another exception.

The recorded runs are replayed through the in-process server with some WebSocket messages and the
history entry mutated (``server_strategies``): values of other types, keys gone, lists nested
50,000 deep, strings of 200,000 characters. ``COMFYDSL_FUZZ_EXAMPLES`` sets how many runs are
tried (default: the hypothesis profile's count); a long run::

    COMFYDSL_FUZZ_EXAMPLES=5000 pytest tests/unit/client/test_client_fuzz.py
"""

from __future__ import annotations

import os

import pytest
from comfy_fake import FakeComfy, RawJSON, Run, recording
from hypothesis import given, settings
from server_strategies import MutatedRun, mutated_runs

from comfydsl.client import Client, JobResult, ServerError
from comfydsl.errors import ComfyDSLError

EXAMPLES = int(os.environ.get("COMFYDSL_FUZZ_EXAMPLES") or settings.default.max_examples)


@settings(max_examples=EXAMPLES)
@given(mutated_runs())
def test_a_job_ends_with_a_result_or_a_comfydsl_error(run: MutatedRun) -> None:
    with FakeComfy() as fake:
        fake.runs.append(Run(status=200, body=run.answer, ws_messages=list(run.messages)))
        fake.answer("GET", f"/history/{run.prompt_id}", run.history)
        with Client(
            fake.url,
            adapter=fake.adapter,
            websocket=fake.websocket,
            timeout=2.0,
            lost_after=0.2,
            poll_interval=0.02,
        ) as client:
            try:
                job = client.submit(run.prompt, validate=False, watch=run.watch)
                result = job.wait(timeout=0.3)
            except ComfyDSLError:
                return
            assert isinstance(result, JobResult)
            result.files  # noqa: B018  (reading them must not raise either)


def test_json_nested_past_what_python_reads_is_a_server_error(fake: FakeComfy) -> None:
    deep = "[" * 50_000 + "]" * 50_000
    fake.answer("GET", "/system_stats", RawJSON(deep))
    with (
        Client(fake.url, adapter=fake.adapter, websocket=fake.websocket) as client,
        pytest.raises(ServerError, match="nested deeper than can be read"),
    ):
        client.system_stats()


def test_a_websocket_message_nested_past_what_python_reads_is_skipped(
    fake: FakeComfy, client: Client
) -> None:
    run = Run.from_recording(recording("A1_invert_save"))
    run.ws_messages.insert(3, RawJSON('{"type": "x", "data": ' + "[" * 50_000 + "]" * 50_000 + "}"))
    fake.runs.append(run)
    result = client.submit(recording("A1_invert_save")["request"]["prompt"], validate=False).wait(
        timeout=10
    )
    assert ["invert_00001_.png"] == [f.filename for f in result.files]
