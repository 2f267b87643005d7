"""Server URLs as the transport takes them."""

from __future__ import annotations

import pytest

from comfydsl.transport.http import Transport, normalize_url


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("127.0.0.1:8188", "http://127.0.0.1:8188/"),
        ("http://127.0.0.1:8188/", "http://127.0.0.1:8188/"),
        ("https://example.com/comfy", "https://example.com/comfy/"),
    ],
)
def test_server_urls_are_normalized(given: str, expected: str) -> None:
    assert expected == normalize_url(given)


def test_https_servers_get_a_wss_websocket() -> None:
    transport = Transport("https://example.com/comfy")
    assert "wss://example.com/comfy/ws?clientId=a" == transport.ws_url("ws?clientId=a")
    assert "https://example.com/comfy/prompt" == transport.url("/prompt")
    transport.session.close()


def test_other_schemes_are_refused() -> None:
    with pytest.raises(ValueError, match="http:// or https://"):
        normalize_url("ftp://example.com")
