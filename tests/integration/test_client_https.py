"""The client over https and wss, against a real ComfyUI server serving TLS."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from comfydsl import Workflow
from comfydsl.client import Client, ServerUnreachable
from comfydsl.nodes import EmptyImage, ImageInvert, SaveImage

# A bound on how long the run may take, not a performance assertion.
RUN_TIMEOUT = 120.0


def test_a_job_runs_over_https_and_wss(tls_comfyui_server: Any, tmp_path: Path) -> None:
    server = tls_comfyui_server
    assert server.url.startswith("https://")
    with Workflow() as wf:
        SaveImage(images=ImageInvert(image=EmptyImage(width=8, height=8)), filename_prefix="tls")
    seen: list[str] = []
    with Client(server.url, verify=str(server.tls[0])) as client:
        job = client.submit(wf)
        result = job.wait(
            timeout=RUN_TIMEOUT, progress=False, on_message=lambda m: seen.append(m.get("type", ""))
        )
        saved = result.save(tmp_path)
        assert client.listener.connected, "the wss WebSocket was used"
    assert 1 == len(saved) and saved[0].read_bytes().startswith(b"\x89PNG")
    assert "executing" in seen, f"no WebSocket message came over wss: {seen}"


def test_an_untrusted_certificate_is_refused(tls_comfyui_server: Any) -> None:
    with (
        Client(tls_comfyui_server.url) as client,
        pytest.raises(ServerUnreachable, match=r"SSL|certificate"),
    ):
        client.system_stats()
