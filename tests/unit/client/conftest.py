"""Fixtures of the client's unit tests: the scripted in-process server and clients bound to it."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

from comfy_fake import FakeComfy

import comfydsl.transport.http
from comfydsl.client import Client


@pytest.fixture
def fake(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeComfy]:
    """A scripted ComfyUI server in this process, stopped after the test."""
    with FakeComfy() as server:
        if request.module.__name__.endswith("test_client_commands"):
            _route_own_sessions_to(server, monkeypatch)
        yield server


def _route_own_sessions_to(server: FakeComfy, monkeypatch: pytest.MonkeyPatch) -> None:
    """Sessions the client makes for itself, for the fake's URL, go through the fake's adapter.

    Only for the command-line tests: a command builds its own Client from ``--server`` and has no
    seam to inject through. Everywhere else the fake is reached through ``adapter=`` and
    ``websocket=`` only, so that a broken seam fails the tests.
    """
    made_by_transport = comfydsl.transport.http._own_session

    def own_session(base_url: str) -> requests.Session:
        session = made_by_transport(base_url)
        if base_url.startswith(server.url):
            session.mount(server.url, server.adapter)
        return session

    monkeypatch.setattr(comfydsl.transport.http, "_own_session", own_session)


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
