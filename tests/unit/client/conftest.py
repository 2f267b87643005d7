"""Fixtures of the client's unit tests: the scripted fake server and clients bound to it."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from comfy_fake import FakeComfy

from comfydsl.client import Client


@pytest.fixture
def fake() -> Iterator[FakeComfy]:
    """A fake ComfyUI server on a free loopback port, stopped after the test."""
    with FakeComfy() as server:
        yield server


@pytest.fixture
def client(fake: FakeComfy) -> Iterator[Client]:
    """A Client of the fake server, with short bounds so that fault tests end quickly."""
    with Client(fake.url, timeout=5.0, lost_after=1.0, poll_interval=0.05) as c:
        yield c
