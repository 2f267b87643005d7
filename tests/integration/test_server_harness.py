"""The harness itself: the real server runs a raw prompt posted with plain requests.

This checks the fixture, not comfydsl: if it fails, every other integration test would fail for
the same reason, and this one says so most plainly.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import requests

INVERT_SAVE_PROMPT: dict[str, Any] = {
    "1": {
        "class_type": "EmptyImage",
        "inputs": {"width": 64, "height": 64, "batch_size": 1, "color": 0xFF0000},
    },
    "2": {"class_type": "ImageInvert", "inputs": {"image": ["1", 0]}},
    "3": {
        "class_type": "SaveImage",
        "inputs": {"images": ["2", 0], "filename_prefix": "harness/invert"},
    },
}
# A bound on how long the test may wait for the run, not a performance assertion.
RUN_TIMEOUT_SECONDS = 120.0


def wait_for_history(url: str, prompt_id: str) -> dict[str, Any]:
    """Poll ``/history/{prompt_id}`` until the run is recorded (bounded)."""
    deadline = time.monotonic() + RUN_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        history = requests.get(f"{url}/history/{prompt_id}", timeout=10).json()
        if prompt_id in history:
            entry: dict[str, Any] = history[prompt_id]
            return entry
        time.sleep(0.1)
    raise AssertionError(f"prompt {prompt_id} not in /history after {RUN_TIMEOUT_SECONDS} s")


def test_server_answers_system_stats(comfyui_server: Any) -> None:
    stats = requests.get(f"{comfyui_server.url}/system_stats", timeout=10).json()
    assert stats["system"]["comfyui_version"] == "0.3.75"


def test_raw_invert_prompt_runs_and_saves_a_file(comfyui_server: Any) -> None:
    response = requests.post(
        f"{comfyui_server.url}/prompt",
        json={"prompt": INVERT_SAVE_PROMPT, "client_id": uuid.uuid4().hex},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    assert response.json()["node_errors"] == {}

    entry = wait_for_history(comfyui_server.url, response.json()["prompt_id"])

    assert entry["status"]["status_str"] == "success", entry["status"]
    images = entry["outputs"]["3"]["images"]
    assert len(images) == 1, images
    saved = Path(comfyui_server.output_dir, images[0]["subfolder"], images[0]["filename"])
    found = sorted(Path(comfyui_server.output_dir).rglob("*"))
    assert saved.is_file(), f"{saved} missing; the output directory holds {found}"
    assert saved.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_empty_checkpoint_is_offered_to_loaders(comfyui_server: Any) -> None:
    info = requests.get(
        f"{comfyui_server.url}/object_info/CheckpointLoaderSimple", timeout=30
    ).json()
    choices = info["CheckpointLoaderSimple"]["input"]["required"]["ckpt_name"][0]
    assert "empty.safetensors" in choices, choices


def test_kill_then_restart_on_the_same_port(comfyui_server: Any) -> None:
    port, old_pid = comfyui_server.port, comfyui_server.pid

    comfyui_server.kill()
    assert not comfyui_server.answers()
    assert comfyui_server.pid is None
    comfyui_server.restart()

    assert port == comfyui_server.port
    assert old_pid != comfyui_server.pid
    assert comfyui_server.answers()


def test_a_fresh_server_is_separate_from_the_shared_one(
    comfyui_server: Any, fresh_comfyui_server: Any
) -> None:
    assert fresh_comfyui_server.port != comfyui_server.port
    assert fresh_comfyui_server.output_dir != comfyui_server.output_dir
    assert requests.get(f"{fresh_comfyui_server.url}/history", timeout=10).json() == {}
