"""The editor's shipped JavaScript, read for the facts the pictures take from it (its palette).

The editor is PyPI's ``comfyui-frontend-package``, pinned. Where the editor tests have unpacked it
(``$COMFYDSL_FRONTEND_DIR``, or the cache's ``frontend-<version>/static``) its files are read
there; otherwise its wheel is downloaded once with pip into the cache
(``$COMFYDSL_CACHE_DIR`` or ``~/.cache/comfydsl``) and read from the zip.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

PACKAGE = "comfyui-frontend-package"
VERSION = "1.58.1"


def _cache_root() -> Path:
    if os.environ.get("COMFYDSL_CACHE_DIR"):
        return Path(os.environ["COMFYDSL_CACHE_DIR"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "comfydsl"


def _static_dir() -> Path | None:
    if os.environ.get("COMFYDSL_FRONTEND_DIR"):
        return Path(os.environ["COMFYDSL_FRONTEND_DIR"])
    unpacked = _cache_root() / f"frontend-{VERSION}"
    if (unpacked / ".complete").is_file() and (unpacked / "static").is_dir():
        return unpacked / "static"
    return None


def _wheel() -> Path:
    folder = _cache_root() / "wheels"
    pattern = f"{PACKAGE.replace('-', '_')}-{VERSION}-*.whl"
    found = sorted(folder.glob(pattern))
    if found:
        return found[0]
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder) as scratch:
        done = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
             "--no-deps", "--only-binary=:all:", f"{PACKAGE}=={VERSION}", "-d", scratch],
            capture_output=True,
            text=True,
            check=False,
        )  # fmt: skip
        wheels = sorted(Path(scratch).glob(pattern))
        if done.returncode != 0 or not wheels:
            raise RuntimeError(f"pip could not download {PACKAGE}=={VERSION}:\n{done.stderr}")
        target = folder / wheels[0].name
        os.replace(wheels[0], target)  # whole or not at all, for a run started beside this one
    return target


def editor_assets(pattern: str) -> dict[str, str]:
    """The text of every file of the editor's ``static/assets`` whose name matches ``pattern``."""
    name = re.compile(pattern)
    static = _static_dir()
    if static is not None:
        return {
            path.name: path.read_text(encoding="utf-8")
            for path in sorted((static / "assets").iterdir())
            if name.fullmatch(path.name)
        }
    prefix = "comfyui_frontend_package/static/assets/"
    with zipfile.ZipFile(_wheel()) as wheel:
        return {
            member[len(prefix) :]: wheel.read(member).decode("utf-8")
            for member in wheel.namelist()
            if member.startswith(prefix) and name.fullmatch(member[len(prefix) :])
        }
