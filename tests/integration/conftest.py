"""Integration tests run against a real ComfyUI server started here, once per test session.

Fixtures:

- ``comfyui_server`` (session): the shared server, started the first time a test asks for it.
  A `ComfyUIServer` from scripts/comfyui_server.py: ``.url``, ``.port``, ``.pid``, ``.input_dir``,
  ``.output_dir``, ``.temp_dir``, ``.user_dir``, ``.models_dir``, ``.log_path``, ``.kill()``
  (SIGKILL, as a crash), ``.restart()`` (same port, directories kept; queue, history and cache
  cleared), ``.log_tail()``. ``models_dir / "checkpoints" / "empty.safetensors"`` exists: the
  checkpoint "empty.safetensors" passes validation and fails at execution. A test that kills the
  shared server should restart it itself; if it does not, the next test that asks for the server
  finds it restarted anyway.
- ``fresh_comfyui_server`` (function): a server of the test's own, on another port with other
  directories, stopped after the test. For tests that break a server beyond a restart's repair,
  or that need an empty history. Costs a start-up (about 6 to 40 s).
- ``unstarted_comfyui_server`` (function): a `ComfyUIServer` of the test's own, not started, for
  tests that set it up before starting it (its model folders, ``empty_checkpoint``) or start it
  more than once; stopped after the test.
- ``validation_only_server`` (module): a server of the module's own that judges prompts and never
  runs one: its execution thread is stopped first (see `stop_execution`), so that every prompt it
  accepts stays queued. For the differential tests of the server's verdict, whose prompts include
  ones that would stop a running server's execution thread, or take all its memory to run.
  ``input_dir`` holds ``verdict.png`` (an 8x8 PNG), uploaded before anything else.

Without a server install (see scripts/comfyui_server.py `find_install`) the tests that ask for a
server are skipped with a message telling how to run them; with ``CI=true`` or
``COMFYDSL_REQUIRE_SERVER=1`` in the environment they fail instead. Everything collected under
this directory is marked ``integration`` (deselect with ``-m "not integration"``).
"""

from __future__ import annotations

import importlib.util
import io
import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any, NoReturn

import pytest

HERE = Path(__file__).resolve().parent
SERVER_MODULE_PATH = HERE.parents[1] / "scripts" / "comfyui_server.py"


def _load_server_module() -> ModuleType:
    # scripts/ is not a package; load the module by path, under a name of its own.
    name = "comfydsl_test_comfyui_server"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, SERVER_MODULE_PATH)
    assert spec is not None and spec.loader is not None, SERVER_MODULE_PATH
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


comfyui_server_module = _load_server_module()
ComfyUIServer = comfyui_server_module.ComfyUIServer


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test under tests/integration as ``integration``."""
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.integration)


def _server_required() -> bool:
    def truthy(name: str) -> bool:
        return os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no")

    return truthy("CI") or truthy("COMFYDSL_REQUIRE_SERVER")


def _no_server(reason: str) -> NoReturn:
    message = f"{reason}\nTo run the integration tests: {comfyui_server_module.HOW_TO_GET_ONE}."
    if _server_required():
        pytest.fail(f"{message}\n(failing, not skipping: CI or COMFYDSL_REQUIRE_SERVER is set)")
    pytest.skip(message)


def _find_install() -> Any:
    try:
        install = comfyui_server_module.find_install()
    except comfyui_server_module.ServerUnavailable as error:
        reason = str(error)
    else:
        if install is not None:
            return install
        reason = "No ComfyUI server is installed for the integration tests."
    _no_server(reason)


def _start(root: Path, tls: tuple[Path, Path] | None = None) -> ComfyUIServer:
    server = ComfyUIServer(_find_install(), root=root, tls=tls)
    try:
        server.start()
    except comfyui_server_module.ServerStartError as error:
        failure = str(error)
    else:
        return server
    pytest.fail(failure, pytrace=False)


@pytest.fixture(scope="session")
def comfyui_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[ComfyUIServer]:
    """The real ComfyUI server shared by the session's integration tests (see module docstring)."""
    server = _start(tmp_path_factory.mktemp("comfyui"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def _revive_shared_server(request: pytest.FixtureRequest) -> None:
    """Restart the shared server if an earlier test left it dead (say, after `kill()`)."""
    if "comfyui_server" not in request.fixturenames:
        return
    server = request.getfixturevalue("comfyui_server")
    if server.is_running() and server.answers(timeout=10.0):
        return
    try:
        server.restart()
    except comfyui_server_module.ServerStartError as error:
        failure = f"the shared server could not be restarted: {error}"
    else:
        return
    pytest.fail(failure, pytrace=False)


@pytest.fixture
def tls_comfyui_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[ComfyUIServer]:
    """A real ComfyUI server serving https and wss with a self-signed certificate for 127.0.0.1
    (made with the openssl command); ``server.tls[0]`` is the certificate to trust."""
    root = tmp_path_factory.mktemp("comfyui-tls")
    cert, key = root / "cert.pem", root / "key.pem"
    made = subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1",
        ],
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    if made.returncode != 0:
        pytest.fail(f"openssl could not make a certificate:\n{made.stderr}", pytrace=False)
    server = _start(root, tls=(cert, key))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def unstarted_comfyui_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[ComfyUIServer]:
    """A ComfyUI server for this test alone, not started yet; stopped (by its PID) after it."""
    server = ComfyUIServer(_find_install(), root=tmp_path_factory.mktemp("comfyui-unstarted"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def fresh_comfyui_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[ComfyUIServer]:
    """A real ComfyUI server for this test alone, stopped (by its PID) after it."""
    server = _start(tmp_path_factory.mktemp("comfyui-fresh"))
    try:
        yield server
    finally:
        server.stop()


#: A prompt the server accepts and whose run stops its execution thread for good (ComfyUI 0.3.75
#: reads the ``inputs`` of every node of a prompt when it runs one, this node's included, though
#: no output needs it). Queued prompts then stay queued; validation still answers.
STOPPER = {
    "1": {
        "inputs": {"width": 8, "height": 8, "batch_size": 1, "color": 0},
        "class_type": "EmptyImage",
    },
    "2": {"inputs": {"images": ["1", 0]}, "class_type": "PreviewImage"},
    "3": {"class_type": "ImageInvert"},
}
#: What Python writes to the server's log when that thread ends with an exception.
STOPPED_LINE = "Exception in thread"


def stop_execution(server: ComfyUIServer, timeout: float = 60.0) -> None:
    """Stop ``server``'s execution thread with `STOPPER`; fail the test if it goes on running."""
    before = server.log_path.read_text(errors="replace").count(STOPPED_LINE)
    body = json.dumps({"prompt": STOPPER}).encode()
    request = urllib.request.Request(
        f"{server.url}/prompt", data=body, headers={"Content-Type": "application/json"}
    )
    with comfyui_server_module._DIRECT.open(request, timeout=30) as answer:
        prompt_id = json.load(answer)["prompt_id"]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.log_path.read_text(errors="replace").count(STOPPED_LINE) > before:
            return
        with comfyui_server_module._DIRECT.open(f"{server.url}/history/{prompt_id}") as answer:
            if json.load(answer):
                pytest.fail(
                    "the prompt meant to stop the server's execution thread ran instead: "
                    "this ComfyUI does not behave as 0.3.75 does",
                    pytrace=False,
                )
        time.sleep(0.1)
    pytest.fail(f"the server's execution thread did not stop.\n{server.log_tail()}", pytrace=False)


@pytest.fixture(scope="module")
def validation_only_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[ComfyUIServer]:
    """A real ComfyUI server that validates prompts and runs none (see module docstring)."""
    from PIL import Image

    from comfydsl.client import Client

    server = _start(tmp_path_factory.mktemp("comfyui-validation"))
    try:
        image = io.BytesIO()
        Image.new("RGB", (8, 8), (200, 40, 40)).save(image, format="PNG")
        with Client(server.url) as client:
            client.upload_image(image.getvalue(), name="verdict.png")
        stop_execution(server)
        yield server
    finally:
        server.stop()
