"""Running the command line as a real process, for the tests of tests/unit/cli."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


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
