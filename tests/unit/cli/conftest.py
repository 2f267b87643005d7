"""Fixtures of the command line's tests: the fake server of the client's tests, and a runner."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "tests" / "unit" / "client"))

from comfy_fake import FakeComfy  # noqa: E402  (found through the path above)


@pytest.fixture
def fake() -> Iterator[FakeComfy]:
    """A fake ComfyUI server on a free loopback port, stopped after the test."""
    with FakeComfy() as server:
        yield server


def run_cli(
    args: Sequence[str], *, stdin: bytes = b"", cwd: Path | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[bytes]:
    """``python -m comfydsl.cli ARGS`` as a real process, its output captured."""
    return subprocess.run(
        [sys.executable, "-m", "comfydsl.cli", *args],
        input=stdin,
        capture_output=True,
        cwd=cwd or ROOT,
        timeout=timeout,
    )
