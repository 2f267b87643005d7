"""Graphviz's ``dot`` program, run on DOT source to make an SVG or PNG.

comfydsl drives the program directly rather than through a Python wrapper: the DOT source is
comfydsl's own (its escaping is what keeps every input from breaking it), and what is left is one
process with a deadline. ``dot`` is found on PATH, or where ``COMFYDSL_DOT`` says; when it is not
there, :class:`GraphvizNotFound` says how to install it.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess

from comfydsl.errors import ComfyDSLError

__all__ = [
    "DOT_ENV",
    "FORMATS",
    "INSTALL_HINT",
    "GraphvizError",
    "GraphvizNotFound",
    "find_dot",
    "run_dot",
]

#: The environment variable that names the ``dot`` program when it is not on PATH.
DOT_ENV = "COMFYDSL_DOT"

#: What :func:`run_dot` makes: Graphviz's output formats by comfydsl's name for them.
FORMATS = {"svg": "svg", "png": "png"}

#: How to get the ``dot`` program, for the error that says it is missing.
INSTALL_HINT = (
    "install Graphviz (Debian/Ubuntu: apt-get install graphviz; Fedora: dnf install graphviz; "
    "macOS: brew install graphviz; conda: conda install -c conda-forge graphviz; Windows: "
    f"winget install graphviz), or set {DOT_ENV} to the dot program"
)


class GraphvizError(ComfyDSLError, RuntimeError):
    """Graphviz's ``dot`` failed to draw a picture: ``program``, and ``detail`` (what it said)."""

    def __init__(self, message: str, *, program: str | None = None, detail: str = "") -> None:
        self.program = program
        self.detail = detail
        super().__init__(message)


class GraphvizNotFound(GraphvizError, FileNotFoundError):
    """Graphviz's ``dot`` program is not installed (or not where ``COMFYDSL_DOT`` says)."""


def find_dot(program: str | None = None) -> str:
    """The path of the ``dot`` program: ``program``, else ``$COMFYDSL_DOT``, else ``dot`` on PATH.

    Raises GraphvizNotFound, which says how to install Graphviz.
    """
    wanted = program or os.environ.get(DOT_ENV) or "dot"
    found = shutil.which(wanted)
    if found is None:
        where = (
            f"{wanted!r} is not an executable program" if wanted != "dot" else "no 'dot' on PATH"
        )
        raise GraphvizNotFound(
            f"drawing a picture needs Graphviz's dot program ({where}): {INSTALL_HINT}",
            program=wanted,
        )
    return found


def run_dot(
    source: str, format: str = "svg", *, program: str | None = None, timeout: float = 120.0
) -> bytes:
    """Run ``dot`` on DOT ``source``; the picture in ``format`` (``svg`` or ``png``) as bytes.

    Raises GraphvizNotFound when there is no ``dot``, GraphvizError when it fails, says nothing
    or takes longer than ``timeout`` seconds (the process is ended then).
    """
    if format not in FORMATS:
        raise ValueError(f"a picture is one of {', '.join(FORMATS)} (got {format!r})")
    path = find_dot(program)
    try:
        done = subprocess.run(
            [path, f"-T{FORMATS[format]}"],
            input=source.encode("utf-8"),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise GraphvizError(
            f"Graphviz's dot took more than {timeout:g} s to draw the picture (a graph this "
            "large may need a longer timeout)",
            program=path,
        ) from None
    except OSError as exc:  # removed or made unrunnable since it was found
        error = GraphvizNotFound if isinstance(exc, FileNotFoundError) else GraphvizError
        raise error(
            f"cannot run Graphviz's dot ({path}): {exc.strerror or exc}", program=path
        ) from exc
    said = done.stderr.decode("utf-8", "replace").strip()
    if done.returncode != 0 or not done.stdout:
        status = _status(done.returncode)
        raise GraphvizError(
            f"Graphviz's dot failed: {status}" + (f"; it said: {said[:2000]}" if said else ""),
            program=path,
            detail=said,
        )
    return done.stdout


def _status(code: int) -> str:
    """A finished ``dot``'s exit status in words."""
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"it crashed ({name}): a graph this large or tangled may be too much for it"
    return f"exit status {code}" if code else "it wrote nothing"
