"""The WebSocket seam: what comfydsl needs of a connection, and what opens one.

A :class:`WebSocketFactory` opens the connection; by default it is websocket-client's
``websocket.create_connection``, and ``Client(url, websocket=...)`` (or ``Transport(...,
websocket=...)``) takes another: a scripted double in tests, a connection through a tunnel. The
Transport calls it with the URL and what it holds for every request, so headers, TLS settings and
the timeout are the same as for HTTP::

    factory(
        "ws://host:8188/ws?clientId=...",
        timeout=30.0,                       # seconds, for the handshake (the client's timeout)
        header=["Authorization: Bearer ..."],  # the client's extra headers
        sslopt={"cert_reqs": ssl.CERT_NONE, "check_hostname": False},  # from verify=
        suppress_origin=True,               # the server refuses an Origin that differs from Host
    )

The connection it returns behaves like websocket-client's ``WebSocket`` (:class:`WebSocketConnection`):
``recv_data()`` gives ``(opcode, payload)`` with ``websocket.ABNF`` opcodes and raises
``websocket.WebSocketTimeoutException`` when the timeout set by ``settimeout`` passes. Failures
are ``OSError`` or ``websocket.WebSocketException``, both when opening and when reading.
"""

from __future__ import annotations

from typing import Any, Protocol

__all__ = ["WebSocketConnection", "WebSocketFactory", "default_websocket_factory"]


class WebSocketConnection(Protocol):
    """An open WebSocket, as comfydsl uses one (websocket-client's ``WebSocket`` is one)."""

    @property
    def connected(self) -> bool:
        """True while the connection is open."""

    def send(self, payload: str) -> object:
        """Send one text frame."""

    def settimeout(self, timeout: float | None) -> None:
        """Bound the next reads: ``recv_data`` raises WebSocketTimeoutException after that long."""

    def recv_data(self) -> tuple[int, bytes]:
        """The next data frame as ``(opcode, payload)`` (``websocket.ABNF.OPCODE_*``)."""

    def close(self, *, timeout: float) -> None:
        """Close with the closing handshake, waiting at most ``timeout`` for the answer."""

    def shutdown(self) -> None:
        """Drop the connection without a closing handshake (the other end is gone)."""


class WebSocketFactory(Protocol):
    """Opens a :class:`WebSocketConnection` (``websocket.create_connection`` is one)."""

    def __call__(
        self,
        url: str,
        *,
        timeout: float,
        header: list[str],
        sslopt: dict[str, Any],
        suppress_origin: bool,
    ) -> WebSocketConnection:
        """Open a connection to ``url``, or raise OSError / websocket.WebSocketException."""


def default_websocket_factory() -> WebSocketFactory:
    """websocket-client's ``create_connection`` (imported only when a WebSocket is opened)."""
    import websocket

    return websocket.create_connection
