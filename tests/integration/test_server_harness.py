"""The harness itself: the real server runs a raw prompt posted with plain requests.

This checks the fixture, not comfydsl: if it fails, every other integration test would fail for
the same reason, and this one says so most plainly.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests

SERVER_SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "comfyui_server.py"

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


CHILD = """
import importlib.util, sys, time
from pathlib import Path
spec = importlib.util.spec_from_file_location("harness", sys.argv[1])
harness = importlib.util.module_from_spec(spec)
sys.modules["harness"] = harness
spec.loader.exec_module(harness)
install = harness.ServerInstall(comfyui_dir=Path(sys.argv[2]), python=Path(sys.argv[3]))
server = harness.ComfyUIServer(install, root=Path(sys.argv[4]))
server.start()
print(server.pid, flush=True)
time.sleep(600)
"""


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie no reaper has collected yet does not)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_a_server_dies_with_the_process_that_started_it(
    unstarted_comfyui_server: Any, tmp_path: Path
) -> None:
    # A test run killed by SIGKILL runs no atexit handler: its servers must not run on.
    install = unstarted_comfyui_server.install
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(SERVER_SCRIPT), str(install.comfyui_dir),
         str(install.python), str(tmp_path / "server")],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line.strip().isdigit(), f"the child did not start a server: {line!r}"
        pid = int(line)
        assert _alive(pid)
    finally:
        child.kill()
        child.wait()
        if child.stdout is not None:
            child.stdout.close()
    deadline = time.monotonic() + 30
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _alive(pid):
        os.kill(pid, signal.SIGKILL)
        raise AssertionError("the server ran on after the process that started it was killed")
