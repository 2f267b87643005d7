"""The client's two seams: a requests adapter for HTTP and a factory for the WebSocket.

Whatever is injected, the client sends the same headers, TLS settings and timeouts as it does
over the network; and the default WebSocket factory is websocket-client's own.
"""

from __future__ import annotations

import ssl
from typing import Any

import pytest
import requests
import websocket
from comfy_fake import FakeComfy, Run, recording

from comfydsl.client import Client
from comfydsl.transport import Transport

A1 = recording("A1_invert_save")
PROMPT: dict[str, Any] = A1["request"]["prompt"]


def test_http_and_the_handshake_get_the_same_headers_tls_and_timeout(fake: FakeComfy) -> None:
    fake.runs.append(Run.from_recording(A1))
    with Client(
        "https://comfy.test",
        adapter=fake.adapter,
        websocket=fake.websocket,
        headers={"X-Token": "t"},
        verify=False,
        timeout=(2.0, 7.0),
    ) as client:
        client.submit(PROMPT, validate=False).wait(timeout=10)
        client_id = client.client_id
    (handshake,) = fake.handshakes
    assert {
        "url": f"wss://comfy.test/ws?clientId={client_id}",
        "timeout": pytest.approx(7.0, abs=0.5),  # what is left of the submit's one deadline
        "sslopt": {"cert_reqs": ssl.CERT_NONE, "check_hostname": False},
        "suppress_origin": True,
    } == handshake
    assert [] == [h for _, _, h, _ in fake.requests if h.get("X-Token") != "t"], (
        "every request and the handshake carry the header"
    )
    sent_with = fake.adapter.sent_with
    connect, read = sent_with[0]["timeout"]
    assert (2.0, pytest.approx(7.0, abs=0.5)) == (connect, read), "the POST /prompt: time left"
    assert read <= handshake["timeout"], "the handshake and the POST share one deadline"
    assert [] == [o for o in sent_with if o["verify"] is not False]


def test_a_ca_bundle_is_trusted_for_the_websocket_too(fake: FakeComfy) -> None:
    with Client(
        "https://comfy.test", adapter=fake.adapter, websocket=fake.websocket, verify="ca.pem"
    ) as client:
        assert client.listener.connect()
    assert {"ca_certs": "ca.pem"} == fake.handshakes[0]["sslopt"]


def test_a_session_of_your_own_with_the_adapter_mounted_works_too(fake: FakeComfy) -> None:
    fake.runs.append(Run.from_recording(A1))
    session = requests.Session()
    session.mount("http://", fake.adapter)
    with Client(fake.url, session=session, websocket=fake.websocket) as client:
        result = client.submit(PROMPT, validate=False).wait(timeout=10)
    assert ["invert_00001_.png"] == [f.filename for f in result.files]
    assert session.adapters["http://"] is fake.adapter, "the client leaves your session as it was"


def test_the_adapter_is_mounted_for_both_schemes() -> None:
    adapter = requests.adapters.HTTPAdapter()
    transport = Transport("http://comfy.test", adapter=adapter)
    assert transport.session.get_adapter("http://comfy.test/prompt") is adapter
    assert transport.session.get_adapter("https://elsewhere.test/") is adapter
    transport.session.close()


def test_without_a_factory_the_websocket_is_websocket_clients(
    fake: FakeComfy, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[tuple[str, dict[str, Any]]] = []

    def connect(self: websocket.WebSocket, url: str, **options: Any) -> Any:
        opened.append((url, {**options, "sslopt": self.sock_opt.sslopt}))
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(websocket.WebSocket, "connect", connect)
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):  # they would be trusted for wss too
        monkeypatch.delenv(name, raising=False)
    with Client(fake.url, adapter=fake.adapter, headers={"X-Token": "t"}) as client:
        assert not client.listener.connect()
    assert [
        (
            f"ws://comfy.test:8188/ws?clientId={client.client_id}",
            {
                "timeout": pytest.approx(30.0, abs=0.5),
                "header": ["X-Token: t"],
                "sslopt": {},
                "suppress_origin": True,
            },
        )
    ] == opened
    assert "ConnectionRefusedError" in (client.listener.last_error or "")
