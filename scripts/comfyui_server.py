"""Start, check and stop a real ComfyUI server for the integration tests and the benchmarks.

This module imports nothing from comfydsl (only attrs, a dependency of the project), so that the
test fixtures (tests/integration/conftest.py), the benchmarks (benchmarks/run.py) and a person at a
shell all start the server the same way::

    python scripts/comfyui_server.py            # start one, print its URL, stop it on Ctrl-C

Where the server comes from (see `find_install`): the directory named by ``COMFYDSL_COMFYUI_DIR``
(the one holding ComfyUI's main.py; its Python is ``../venv/bin/python`` unless
``COMFYDSL_COMFYUI_PYTHON`` says otherwise), else the copy that scripts/install-comfyui.sh keeps in
``~/.cache/comfydsl`` once its ``.complete`` marker is there.

Each started server gets directories of its own under a root directory (input/, output/, temp/,
user/, models/, its SQLite database and its log ``server.log``), so the cached copy is never written
to and servers started side by side do not share files. Its extra model folders under
``models/`` (checkpoints/, loras/, vae/, ...) are searched after those of the cached copy: an empty
file put there makes a loader pass validation and then fail at execution.
``models/checkpoints/empty.safetensors`` is created at start for that purpose.

Errors: `ServerUnavailable` (no install found) and `ServerStartError` (it did not come up; the
message ends with the tail of its log), both subclasses of RuntimeError.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path

import attrs

COMFYUI_VERSION = "0.3.75"
HORDE_VERSION = "2.22.2"
#: How long a server may take to answer /system_stats. About 40 s on two cores with a cold disk
#: cache, 6 s with a warm one; a loaded CI machine gets a generous margin, but never forever.
DEFAULT_START_TIMEOUT = 240.0
#: How long a polite stop (SIGTERM) may take before the server is killed.
DEFAULT_STOP_TIMEOUT = 15.0
#: The model folders given to each server besides the cached copy's own.
EXTRA_MODEL_FOLDERS = (
    "checkpoints",
    "clip",
    "clip_vision",
    "controlnet",
    "diffusion_models",
    "embeddings",
    "loras",
    "style_models",
    "text_encoders",
    "unet",
    "upscale_models",
    "vae",
)
#: The README's test command, quoted in every message that tells how to get a server.
TEST_COMMAND = "scripts/test.sh"
HOW_TO_GET_ONE = (
    f"run `{TEST_COMMAND}` from the repository (it installs a ComfyUI {COMFYUI_VERSION} server "
    "into ~/.cache/comfydsl the first time, about 4 GB, and runs every test against it), or point "
    "COMFYDSL_COMFYUI_DIR at a ComfyUI directory holding main.py"
)


class ServerUnavailable(RuntimeError):
    """No ComfyUI install was found to start a server from."""


class ServerStartError(RuntimeError):
    """A ComfyUI server was started but did not answer in time, or exited."""


@attrs.frozen
class ServerInstall:
    """A ComfyUI copy that can be started: the directory holding main.py and its Python."""

    comfyui_dir: Path
    python: Path


def cache_root(env: Mapping[str, str] = os.environ) -> Path:
    """The cache directory of scripts/install-comfyui.sh (same rules as that script)."""
    if env.get("COMFYDSL_CACHE_DIR"):
        return Path(env["COMFYDSL_CACHE_DIR"])
    xdg = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "comfydsl"


def cached_install_home(env: Mapping[str, str] = os.environ) -> Path | None:
    """The completed cached install made by scripts/install-comfyui.sh, if there is one.

    The install is keyed by the Python version that made it; this Python's own is preferred.
    """
    root = cache_root(env)
    stem = f"comfyui-{COMFYUI_VERSION}-horde-{HORDE_VERSION}-py"
    own = root / f"{stem}{sys.version_info[0]}{sys.version_info[1]}"
    candidates = [own, *sorted(p for p in root.glob(f"{stem}*") if p != own)]
    for home in candidates:
        if (home / ".complete").is_file() and (home / "ComfyUI" / "main.py").is_file():
            return home
    return None


def find_install(env: Mapping[str, str] = os.environ) -> ServerInstall | None:
    """Where to start a server from, or None when there is nothing to start.

    ``COMFYDSL_COMFYUI_DIR`` wins when set; a value that does not hold main.py raises
    `ServerUnavailable` (a wrong setting should not silently skip the tests).
    """
    given = env.get("COMFYDSL_COMFYUI_DIR")
    if given:
        comfyui_dir = Path(given).expanduser().resolve()
        if not (comfyui_dir / "main.py").is_file():
            raise ServerUnavailable(
                f"COMFYDSL_COMFYUI_DIR={given!r} does not hold ComfyUI's main.py."
            )
    else:
        home = cached_install_home(env)
        if home is None:
            return None
        comfyui_dir = home / "ComfyUI"
    python_given = env.get("COMFYDSL_COMFYUI_PYTHON")
    if python_given:
        python = Path(shutil.which(python_given) or python_given)
    else:
        python = comfyui_dir.parent / "venv" / "bin" / "python"
    if not python.exists():
        raise ServerUnavailable(
            f"no Python for the ComfyUI server at {python} "
            "(set COMFYDSL_COMFYUI_PYTHON to the interpreter that has ComfyUI's requirements)."
        )
    return ServerInstall(comfyui_dir=comfyui_dir, python=python)


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free on `host` right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


# Straight to the loopback server, whatever proxy the environment names.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _get_json(url: str, timeout: float, cafile: Path | None = None) -> object:
    opener = _DIRECT
    if cafile is not None:
        context = ssl.create_default_context(cafile=str(cafile))
        opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=context)
        )
    with opener.open(url, timeout=timeout) as response:
        return json.load(response)


# Servers started by this process, stopped at interpreter exit if their owner did not.
_LIVE: set[ComfyUIServer] = set()


@atexit.register
def _stop_leftovers() -> None:
    for server in list(_LIVE):
        server.stop()


def _killed_with(parent: int) -> None:
    """In the server's process, before ComfyUI starts (Linux): die when ``parent`` does.

    atexit does not run when the process that started a server is killed (SIGKILL, the OOM
    killer, a CI job cancelled): without this its servers would run on, holding their ports.
    ``PR_SET_PDEATHSIG`` fires when the thread that started the server ends, so servers must be
    started from a thread that lives as long as they do (the main thread, everywhere here).
    """
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the signal was asked for
        os._exit(1)


@attrs.define(eq=False)
class ComfyUIServer:
    """One ComfyUI server process on 127.0.0.1, with directories of its own under `root`.

    >>> server = ComfyUIServer(find_install(), root=Path("/tmp/comfy1"))  # doctest: +SKIP
    >>> server.start()  # doctest: +SKIP
    >>> server.url  # doctest: +SKIP
    'http://127.0.0.1:40123'
    >>> server.stop()  # doctest: +SKIP
    """

    install: ServerInstall
    root: Path
    port: int = attrs.field(factory=free_port)
    host: str = "127.0.0.1"
    start_timeout: float = DEFAULT_START_TIMEOUT
    #: (certificate file, key file): serve https and wss with them (ComfyUI's --tls-* options).
    tls: tuple[Path, Path] | None = None
    #: More of ComfyUI's options, e.g. ("--front-end-root", DIR) to serve another editor.
    extra_args: tuple[str, ...] = ()
    #: The model folders made under `models_dir` and given to the server.
    model_folders: tuple[str, ...] = EXTRA_MODEL_FOLDERS
    #: Whether ``models/checkpoints/empty.safetensors`` is made at start (see the module docstring).
    empty_checkpoint: bool = True
    _process: subprocess.Popen[bytes] | None = attrs.field(default=None, init=False, repr=False)
    #: Seconds the last start took until /system_stats answered.
    startup_seconds: float | None = attrs.field(default=None, init=False)

    @property
    def url(self) -> str:
        """The base URL, without a trailing slash: ``http://127.0.0.1:PORT`` (https with tls)."""
        scheme = "https" if self.tls is not None else "http"
        return f"{scheme}://{self.host}:{self.port}"

    @property
    def input_dir(self) -> Path:
        """The server's input directory (uploads land here; LoadImage reads from here)."""
        return self.root / "input"

    @property
    def output_dir(self) -> Path:
        """The server's output directory (SaveImage writes here)."""
        return self.root / "output"

    @property
    def temp_dir(self) -> Path:
        """The directory given as --temp-directory (ComfyUI adds a ``temp/`` below it)."""
        return self.root / "temp"

    @property
    def user_dir(self) -> Path:
        """The server's user directory (settings, saved workflows)."""
        return self.root / "user"

    @property
    def models_dir(self) -> Path:
        """Extra model folders, searched after the cached copy's (``checkpoints/``, ``vae/``...)."""
        return self.root / "models"

    @property
    def log_path(self) -> Path:
        """The server's stdout and stderr, appended across restarts."""
        return self.root / "server.log"

    @property
    def pid(self) -> int | None:
        """The process id of the running server, or None when it was never started or stopped."""
        return self._process.pid if self._process is not None else None

    @property
    def _cafile(self) -> Path | None:
        return self.tls[0] if self.tls is not None else None

    def is_running(self) -> bool:
        """Whether the server process is alive (it may still be starting)."""
        return self._process is not None and self._process.poll() is None

    def command(self) -> list[str]:
        """The command line that starts this server."""
        return [
            str(self.install.python),
            "main.py",
            "--cpu",
            "--listen",
            self.host,
            "--port",
            str(self.port),
            "--disable-auto-launch",
            "--input-directory",
            str(self.input_dir),
            "--output-directory",
            str(self.output_dir),
            "--temp-directory",
            str(self.temp_dir),
            "--user-directory",
            str(self.user_dir),
            "--extra-model-paths-config",
            str(self.root / "extra_model_paths.yaml"),
            "--database-url",
            f"sqlite:///{self.root / 'comfyui.db'}",
            *(
                ["--tls-certfile", str(self.tls[0]), "--tls-keyfile", str(self.tls[1])]
                if self.tls is not None
                else []
            ),
            *self.extra_args,
        ]

    def _prepare_dirs(self) -> None:
        for directory in (self.input_dir, self.output_dir, self.temp_dir, self.user_dir):
            directory.mkdir(parents=True, exist_ok=True)
        lines = ["comfydsl_tests:", f"    base_path: {json.dumps(str(self.models_dir))}"]
        for folder in self.model_folders:
            (self.models_dir / folder).mkdir(parents=True, exist_ok=True)
            lines.append(f"    {folder}: {folder}/")
        (self.root / "extra_model_paths.yaml").write_text("\n".join(lines) + "\n")
        if self.empty_checkpoint:
            (self.models_dir / "checkpoints").mkdir(parents=True, exist_ok=True)
            (self.models_dir / "checkpoints" / "empty.safetensors").touch()

    def start(self, timeout: float | None = None) -> None:
        """Start the server and wait until it answers ``GET /system_stats``.

        Raises `ServerStartError`, with the tail of the server's log, if it exits or does not
        answer within `timeout` seconds (`start_timeout` by default); it is then killed.
        """
        if self.is_running():
            raise ServerStartError(f"the server on {self.url} is already running (pid {self.pid}).")
        self._prepare_dirs()
        began = time.monotonic()
        with self.log_path.open("ab") as log:
            log.write(f"\n=== comfydsl: starting {' '.join(self.command())}\n".encode())
            log.flush()
            self._process = subprocess.Popen(
                self.command(),
                cwd=self.install.comfyui_dir,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
                preexec_fn=(
                    functools.partial(_killed_with, os.getpid())
                    if sys.platform.startswith("linux")
                    else None
                ),
            )
        _LIVE.add(self)
        try:
            self._wait_until_ready(timeout if timeout is not None else self.start_timeout)
        except BaseException:
            self.kill()
            raise
        self.startup_seconds = time.monotonic() - began

    def _wait_until_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            assert self._process is not None
            code = self._process.poll()
            if code is not None:
                raise ServerStartError(
                    f"the ComfyUI server exited with code {code} while starting.\n{self.log_tail()}"
                )
            if self.answers():
                return
            if time.monotonic() > deadline:
                raise ServerStartError(
                    f"the ComfyUI server on {self.url} did not answer /system_stats within "
                    f"{timeout:.0f} s.\n{self.log_tail()}"
                )
            time.sleep(0.25)

    def answers(self, timeout: float = 2.0) -> bool:
        """Whether ``GET /system_stats`` answers with JSON right now."""
        try:
            _get_json(f"{self.url}/system_stats", timeout, self._cafile)
        except (OSError, ValueError):
            return False
        return True

    def system_stats(self, timeout: float = 10.0) -> dict[str, object]:
        """The server's ``GET /system_stats`` answer."""
        stats = _get_json(f"{self.url}/system_stats", timeout, self._cafile)
        assert isinstance(stats, dict)
        return stats

    def get_json(self, path: str, timeout: float = 60.0) -> object:
        """The JSON the server answers to ``GET path`` (``/object_info``, ``/models``...)."""
        return _get_json(f"{self.url}{path}", timeout, self._cafile)

    def stop(self, timeout: float = DEFAULT_STOP_TIMEOUT) -> None:
        """Stop the server by its PID: SIGTERM, then SIGKILL after `timeout` seconds."""
        process = self._process
        if process is None:
            return
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        self._forget()

    def kill(self) -> None:
        """Kill the server at once (SIGKILL by its PID), like a crash; `restart` brings it back."""
        process = self._process
        if process is None:
            return
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(process.pid, signal.SIGKILL)
        process.wait()
        self._forget()

    def _forget(self) -> None:
        self._process = None
        _LIVE.discard(self)

    def restart(self, timeout: float | None = None) -> None:
        """Stop the server if it runs, and start it again on the same port and directories.

        A restart clears the server's queue, history and cache.
        """
        self.stop()
        self.start(timeout)

    def log_tail(self, lines: int = 60) -> str:
        """The last `lines` lines of the server's log, for error messages."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return f"(no log at {self.log_path})"
        tail = "\n".join(text.splitlines()[-lines:])
        return f"--- last lines of {self.log_path} ---\n{tail}"


def main(argv: list[str] | None = None) -> int:
    """Start a server, print its URL and directories, and stop it on Ctrl-C."""
    import argparse
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=None, help="port (default: a free one)")
    parser.add_argument("--root", type=Path, default=None, help="directory for the server's files")
    args = parser.parse_args(argv)
    install = find_install()
    if install is None:
        print(f"no ComfyUI server found: {HOW_TO_GET_ONE}", file=sys.stderr)
        return 2
    root = args.root or Path(tempfile.mkdtemp(prefix="comfyui-"))
    server = ComfyUIServer(install, root=root, port=args.port or free_port())
    server.start()
    print(f"ComfyUI {COMFYUI_VERSION} at {server.url} (pid {server.pid}), files in {root}")
    print(f"started in {server.startup_seconds:.1f} s; log: {server.log_path}; Ctrl-C stops it")
    try:
        while server.is_running():
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
