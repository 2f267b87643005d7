"""Fixtures of the command line's tests: the client tests' scripted server, routed to."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "tests" / "unit" / "client"))

from comfy_fake import FakeComfy, route_own_connections  # noqa: E402  (found through the path above)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeComfy]:
    """The client tests' scripted server, in this process: the commands' own connections to its
    URL are routed to it (a command has no seam to inject through)."""
    with FakeComfy() as server:
        route_own_connections(server, monkeypatch)
        yield server
