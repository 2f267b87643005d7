"""Fixtures of the client's unit tests: the scripted in-process server and clients bound to it."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from comfy_fake import FakeComfy, route_own_connections

from comfydsl.client import Client


@pytest.fixture
def fake(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeComfy]:
    """A scripted ComfyUI server in this process, stopped after the test."""
    with FakeComfy() as server:
        if request.module.__name__.endswith("test_client_commands"):
            route_own_connections(server, monkeypatch)
        yield server


@pytest.fixture
def client(fake: FakeComfy) -> Iterator[Client]:
    """A Client of the fake server, with short bounds so that fault tests end quickly."""
    with Client(
        fake.url,
        adapter=fake.adapter,
        websocket=fake.websocket,
        timeout=5.0,
        lost_after=1.0,
        poll_interval=0.05,
    ) as c:
        yield c
