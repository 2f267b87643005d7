"""Benchmarks of the client against a real ComfyUI server (issue 3, point 10).

- client_job: the client's wall time for a trivial job (EmptyImage -> ImageInvert -> SaveImage:
  submit, wait, download the image) minus the server's own execution time (from the
  ``execution_start`` / ``execution_success`` timestamps in the job's history), next to the same
  job done with the least any client must do (raw requests + one WebSocket). Target: under 20 ms of
  client time per job on top of the server's.
- queueing: prompts accepted per second when queueing 200 prompts (no waiting) with the client,
  against raw ``requests`` posts of the same prompts (the server's acceptance rate).

The server is started like the integration tests' (scripts/comfyui_server.py), in a temporary
directory, and stopped at the end. Every job gets a colour of its own, so that nothing is served
from the server's cache.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import requests

REPO = Path(__file__).resolve().parents[1]
#: Bounds on every wait, so that a broken server cannot hang the benchmark.
JOB_TIMEOUT = 120.0
DRAIN_TIMEOUT = 600.0

_colours = itertools.count(1)


def load_script(script: str) -> ModuleType:
    """A module of scripts/ (``comfyui_server``, ``editor_setup``), loaded by path once
    (scripts/ is not a package)."""
    name = f"comfydsl_bench_{script}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / f"{script}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def load_server_module() -> ModuleType:
    """scripts/comfyui_server.py."""
    return load_script("comfyui_server")


class Unavailable(Exception):
    """A benchmark cannot run here; the message says why."""


@contextmanager
def running_server() -> Iterator[Any]:
    """A ComfyUI server in a temporary directory, as the test fixture starts it."""
    module = load_server_module()
    try:
        install = module.find_install()
    except module.ServerUnavailable as error:
        raise Unavailable(str(error)) from error
    if install is None:
        raise Unavailable(f"no ComfyUI server installed: {module.HOW_TO_GET_ONE}")
    with tempfile.TemporaryDirectory(prefix="comfydsl-bench-") as root:
        server = module.ComfyUIServer(install, root=Path(root))
        server.start()
        try:
            yield server
        finally:
            server.stop()


def invert_prompt(colour: int) -> dict[str, Any]:
    """The trivial job as a raw API-format prompt."""
    return {
        "1": {
            "inputs": {"width": 64, "height": 64, "batch_size": 1, "color": colour},
            "class_type": "EmptyImage",
        },
        "2": {"inputs": {"image": ["1", 0]}, "class_type": "ImageInvert"},
        "3": {
            "inputs": {"filename_prefix": "bench/invert", "images": ["2", 0]},
            "class_type": "SaveImage",
        },
    }


def invert_workflow(colour: int) -> Any:
    """The trivial job as a comfydsl Workflow."""
    from comfydsl import Workflow
    from comfydsl.nodes import EmptyImage, ImageInvert, SaveImage

    with Workflow() as wf:
        image = EmptyImage(width=64, height=64, color=colour)
        SaveImage(images=ImageInvert(image=image), filename_prefix="bench/invert")
    return wf


def server_seconds(url: str, prompt_id: str) -> float:
    """The server's own execution time of a finished prompt, from its history (1 ms resolution)."""
    history = requests.get(f"{url}/history/{prompt_id}", timeout=30).json()
    stamps = {
        event: data["timestamp"]
        for event, data in history[prompt_id]["status"]["messages"]
        if isinstance(data, dict) and "timestamp" in data
    }
    return float(stamps["execution_success"] - stamps["execution_start"]) / 1000.0


def raw_job(url: str, session: requests.Session) -> tuple[float, str]:
    """The trivial job with the least a client must do: WebSocket, POST, wait, /history, /view."""
    import websocket

    client_id = uuid.uuid4().hex
    ws = websocket.create_connection(
        f"ws://{url.split('://', 1)[1]}/ws?clientId={client_id}", timeout=JOB_TIMEOUT
    )
    try:
        start = time.perf_counter()
        body = {"prompt": invert_prompt(next(_colours)), "client_id": client_id}
        prompt_id = session.post(f"{url}/prompt", json=body, timeout=30).json()["prompt_id"]
        while True:
            message = ws.recv()
            if isinstance(message, str):
                data = json.loads(message)
                if (
                    data["type"] == "executing"
                    and data["data"].get("node") is None
                    and data["data"].get("prompt_id") == prompt_id
                ):
                    break
        entry = session.get(f"{url}/history/{prompt_id}", timeout=30).json()[prompt_id]
        for image in entry["outputs"]["3"]["images"]:
            session.get(f"{url}/view", params=image, timeout=30).raise_for_status()
        return time.perf_counter() - start, prompt_id
    finally:
        ws.close()


def client_job(client: Any) -> tuple[float, str]:
    """The trivial job with comfydsl's client: submit (with validation), wait, download."""
    wf = invert_workflow(next(_colours))
    start = time.perf_counter()
    job = client.submit(wf)
    result = job.wait(timeout=JOB_TIMEOUT, progress=False)
    for file in result.files:
        result.read(file)
    return time.perf_counter() - start, job.prompt_id


def _summary(url: str, runs: list[tuple[float, str]]) -> dict[str, float]:
    walls = [wall for wall, _ in runs]
    servers = [server_seconds(url, prompt_id) for _, prompt_id in runs]
    overheads = [wall - own for wall, own in zip(walls, servers, strict=True)]
    return {
        "wall_median_ms": statistics.median(walls) * 1000,
        "server_median_ms": statistics.median(servers) * 1000,
        "overhead_median_ms": statistics.median(overheads) * 1000,
        "overhead_max_ms": max(overheads) * 1000,
    }


def wait_for_empty_queue(url: str) -> None:
    deadline = time.monotonic() + DRAIN_TIMEOUT
    while time.monotonic() < deadline:
        queue = requests.get(f"{url}/queue", timeout=30).json()
        if not queue["queue_running"] and not queue["queue_pending"]:
            return
        time.sleep(0.2)
    raise TimeoutError(f"the server's queue did not drain within {DRAIN_TIMEOUT} s")


def bench_client_job(server: Any, jobs: int) -> list[dict[str, Any]]:
    """Per-job overhead on top of the server's execution time, raw and with the client."""
    from comfydsl.client import Client

    url = server.url
    with requests.Session() as session:
        session.trust_env = False  # no proxy or netrc look-ups: the least a client must do
        raw_job(url, session)  # warm-up: the server's first run loads its nodes' code
        raw = [raw_job(url, session) for _ in range(jobs)]
    with Client(url) as client:
        first_wall, _ = client_job(client)  # includes reading /object_info for validation
        runs = [client_job(client) for _ in range(jobs)]
    return [
        {"bench": "client_job", "how": "raw requests + WebSocket", "jobs": jobs}
        | _summary(url, raw),
        {"bench": "client_job", "how": "comfydsl Client", "jobs": jobs}
        | _summary(url, runs)
        | {"first_job_ms": first_wall * 1000},
    ]


def bench_queueing(server: Any, prompts: int, rounds: int = 1) -> list[dict[str, Any]]:
    """Prompts accepted per second when queueing ``prompts`` prompts each way, without waiting.

    The server runs what it accepted while it accepts more, so its acceptance rate drifts with
    what it is doing; measured one way after the other, the ways saw different servers (the same
    run gave raw posts 720/s once and 1,230/s the next). So the ways take turns, one prompt each:
    a raw post, a client submit, a client submit without validation, and again (in a rotating
    order); each post is timed, and a way's rate is one over its median time per prompt.
    """
    from comfydsl.client import Client

    url = server.url
    times: dict[str, list[float]] = {
        "raw requests": [],
        "comfydsl Client": [],
        "comfydsl Client, validate=False": [],
    }
    total = prompts * rounds
    bodies = [{"prompt": invert_prompt(next(_colours)), "client_id": "bench"} for _ in range(total)]
    checked = [invert_workflow(next(_colours)) for _ in range(total)]
    unchecked = [invert_workflow(next(_colours)) for _ in range(total)]
    with requests.Session() as session, Client(url) as client:
        session.trust_env = False
        client.catalog()  # read once per client; not part of the rate
        ways: list[tuple[str, Callable[[int], object]]] = [
            (
                "raw requests",
                lambda i: session.post(
                    f"{url}/prompt", json=bodies[i], timeout=30
                ).raise_for_status(),
            ),
            ("comfydsl Client", lambda i: client.submit(checked[i])),
            (
                "comfydsl Client, validate=False",
                lambda i: client.submit(unchecked[i], validate=False),
            ),
        ]
        for i in range(total):
            # Each way goes first, second and third equally often: the server's work on one
            # prompt (its broadcasts, say) spills onto the next request, whoever sends it.
            shift = i % len(ways)
            for how, send in ways[shift:] + ways[:shift]:
                start = time.perf_counter()
                send(i)
                times[how].append(time.perf_counter() - start)
    wait_for_empty_queue(url)
    return [
        {
            "bench": "queueing",
            "how": how,
            "prompts": len(seconds),
            "median_ms": statistics.median(seconds) * 1000,
            "per_s": 1 / statistics.median(seconds),
        }
        for how, seconds in times.items()
    ]
