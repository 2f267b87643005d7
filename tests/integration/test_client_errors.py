"""Errors from a real ComfyUI, at the user's line: stopped locally, rejected by the server, and
failed at execution.

Needs from tests/integration/conftest.py: the session fixture ``comfyui_server`` whose models
folder holds ``checkpoints/empty.safetensors`` (an empty file: it validates, then fails to load).
"""

from __future__ import annotations

import inspect
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from comfydsl import Workflow
from comfydsl.cli import main
from comfydsl.client import Client, ExecutionFailed, PromptRejected, ServerNodeError
from comfydsl.errors import ChoiceError, SourceLocation, ValidationError
from comfydsl.nodes import CheckpointLoaderSimple, PreviewAny

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


def missing_checkpoint() -> tuple[Workflow, int]:
    """A workflow whose checkpoint is not on the server (the bundled catalog cannot know that)."""
    with Workflow() as wf:
        line = line_here() + 1
        checkpoint = CheckpointLoaderSimple(ckpt_name="no_such_model.safetensors")
        PreviewAny(source=checkpoint.MODEL)
    return wf, line


def test_a_file_choice_the_server_lacks_is_stopped_before_sending(client: Client) -> None:
    wf, line = missing_checkpoint()
    with pytest.raises(ValidationError) as caught:
        client.submit(wf)
    assert not isinstance(caught.value, PromptRejected), "found locally, not by the server"
    (error,) = caught.value.errors
    assert isinstance(error, ChoiceError)
    assert (SourceLocation(HERE, line, "missing_checkpoint"), "ckpt_name") == (
        error.source,
        error.input_name,
    )
    assert "empty.safetensors" in str(error), "the server's real choices are listed"
    assert [] == [
        i
        for i in client.queue().pending
        if i.prompt["1"]["inputs"].get("ckpt_name") == "no_such_model.safetensors"
    ]


def test_the_same_prompt_sent_unchecked_is_rejected_by_the_server_at_that_line(
    client: Client,
) -> None:
    wf, line = missing_checkpoint()
    with pytest.raises(PromptRejected) as caught:
        client.submit(wf, validate=False)
    (error,) = caught.value.errors
    assert isinstance(error, ServerNodeError)
    assert ("value_not_in_list", "1", "CheckpointLoaderSimple", "ckpt_name") == (
        error.type,
        error.node_id,
        error.class_type,
        error.input_name,
    )
    assert line == error.source.line if error.source else None
    assert "Value not in list" == error.message and "no_such_model.safetensors" in error.details
    assert str(caught.value).count(f"{HERE}:{line}") == 1
    assert caught.value.response is not None and 400 == caught.value.response.status_code


def test_a_raw_prompt_rejected_by_the_server_names_node_and_class(client: Client) -> None:
    wf, _ = missing_checkpoint()
    with pytest.raises(
        PromptRejected, match=r"CheckpointLoaderSimple \(node 1\), input 'ckpt_name'"
    ) as caught:
        client.submit(wf.to_api(), validate=False)
    assert [None] == [e.source for e in caught.value.errors]


def test_an_empty_checkpoint_fails_at_execution_at_its_line(client: Client) -> None:
    with Workflow() as wf:
        line = line_here() + 1
        checkpoint = CheckpointLoaderSimple(ckpt_name="empty.safetensors")
        PreviewAny(source=checkpoint.MODEL)
    job = client.submit(wf)  # validates: the file exists
    with pytest.raises(ExecutionFailed) as caught:
        job.wait(timeout=RUN_TIMEOUT)
    error = caught.value
    assert ("1", "CheckpointLoaderSimple", line) == (
        error.node_id,
        error.class_type,
        error.source and error.source.line,
    )
    assert "SafetensorError" in error.exception_type, error.exception_type
    assert error.traceback and "load_checkpoint" in error.server_traceback
    assert str(error).startswith(f"{HERE}:{line}: CheckpointLoaderSimple (node 1) failed")
    with pytest.raises(ExecutionFailed):
        job.wait(timeout=RUN_TIMEOUT)  # the same answer again, without asking the server


def test_the_run_command_prints_the_failing_line_and_exits_1(
    comfyui_server: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "broken.py"
    script.write_text(
        textwrap.dedent(
            """\
            from comfydsl.nodes import CheckpointLoaderSimple, PreviewAny

            checkpoint = CheckpointLoaderSimple(ckpt_name="empty.safetensors")
            PreviewAny(source=checkpoint.MODEL)
            """
        )
    )
    status = main(
        [
            "run",
            str(script),
            "--server",
            comfyui_server.url,
            "--out",
            str(tmp_path),
            "--no-progress",
        ]
    )
    err = capsys.readouterr().err
    assert 1 == status
    assert f"{script}:3: CheckpointLoaderSimple (node 1) failed" in err
    assert "Traceback" not in err, "no bare traceback"


def test_the_run_command_lists_every_local_error_with_its_line(
    comfyui_server: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "bad.py"
    script.write_text(
        textwrap.dedent(
            """\
            from comfydsl.nodes import CheckpointLoaderSimple, PreviewAny

            a = CheckpointLoaderSimple(ckpt_name="nope_a.safetensors")
            b = CheckpointLoaderSimple(ckpt_name="nope_b.safetensors")
            PreviewAny(source=a.MODEL)
            PreviewAny(source=b.MODEL)
            """
        )
    )
    status = main(["run", str(script), "--server", comfyui_server.url, "--no-progress"])
    err = capsys.readouterr().err
    assert 1 == status
    assert f"{script}:3:" in err and f"{script}:4:" in err, err
