"""Controlling runs on a real ComfyUI: interrupt a running job, cancel a queued one, and a server
killed while a job is followed.

Needs from tests/integration/conftest.py: the session fixture ``comfyui_server`` with ``.url``,
``.kill()`` (SIGKILL) and ``.restart()``.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

import pytest

from comfydsl import Workflow
from comfydsl.client import (
    Client,
    ExecutionInterrupted,
    Job,
    Progress,
    ServerLost,
    ServerUnreachable,
)
from comfydsl.nodes import EmptyImage, ImageBlur, ImageInvert, PreviewImage

RUN_TIMEOUT = 120.0


@pytest.fixture
def client(comfyui_server: Any) -> Iterator[Client]:
    with Client(comfyui_server.url, timeout=30.0, lost_after=3.0) as c:
        yield c


def heavy_workflow(sigma: float, blurs: int = 1) -> tuple[Workflow, dict[str, int]]:
    """A job that takes seconds on a CPU (wide blurs of a big image); ``sigma`` makes it unique."""
    lines = {}
    with Workflow() as wf:
        lines["1"] = _line()
        image = EmptyImage(width=1536, height=1536, batch_size=1, color=0)
        lines["2"] = _line()
        blurred = ImageBlur(image=image, blur_radius=31, sigma=sigma)
        for _ in range(blurs - 1):
            blurred = ImageBlur(image=blurred, blur_radius=31, sigma=sigma)
        lines["3"] = _line()
        inverted = ImageInvert(image=blurred)
        PreviewImage(images=inverted)
    return wf, {k: v + 1 for k, v in lines.items()}


def _line() -> int:
    frame = inspect.currentframe()
    assert frame is not None and frame.f_back is not None
    return frame.f_back.f_lineno


def when_running(node_class: str, action: Any) -> Any:
    """An on_progress callback that calls ``action()`` once, when ``node_class`` starts."""
    done: list[bool] = []

    def callback(progress: Progress) -> None:
        if not done and progress.class_type == node_class:
            done.append(True)
            action()

    return callback


def test_interrupting_a_running_job(client: Client) -> None:
    wf, lines = heavy_workflow(sigma=3.01)
    job = client.submit(wf)
    with pytest.raises(ExecutionInterrupted) as caught:
        job.wait(timeout=RUN_TIMEOUT, on_progress=when_running("ImageBlur", job.cancel))
    error = caught.value
    assert error.node_id in ("2", "3"), "interrupted at the blur or at the next node boundary"
    assert error.source is not None and lines[error.node_id] == error.source.line
    assert "1" in error.executed
    assert "error" == job.status()


def test_cancelling_a_queued_job_takes_it_off_the_queue(client: Client) -> None:
    # The running job is long (many blurs), so the queued one is still waiting when it is cancelled.
    running_wf, _ = heavy_workflow(sigma=3.02, blurs=12)
    queued_wf, _ = heavy_workflow(sigma=3.03)
    running = client.submit(running_wf)
    queued = client.submit(queued_wf)
    assert "pending" == queued.status()
    queued.cancel()
    assert queued.prompt_id not in {item.prompt_id for item in client.queue().pending}
    with pytest.raises(ExecutionInterrupted, match="cancelled before it ran"):
        queued.wait(timeout=RUN_TIMEOUT)
    running.cancel()
    with pytest.raises(ExecutionInterrupted):
        running.wait(timeout=RUN_TIMEOUT)


def test_a_server_killed_mid_wait_is_server_lost_within_the_timeout(
    client: Client, comfyui_server: Any
) -> None:
    wf, _ = heavy_workflow(sigma=3.04)
    job: Job = client.submit(wf)
    try:
        with pytest.raises(ServerLost, match=job.prompt_id):
            job.wait(
                timeout=RUN_TIMEOUT, on_progress=when_running("ImageBlur", comfyui_server.kill)
            )
        with pytest.raises(ServerUnreachable):
            client.queue()
    finally:
        comfyui_server.restart()
