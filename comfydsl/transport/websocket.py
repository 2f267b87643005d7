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

The ``timeout`` bounds the whole handshake, not each read of it. The connection it returns
behaves like websocket-client's ``WebSocket`` (:class:`WebSocketConnection`): ``recv_data()``
gives ``(opcode, payload)`` with ``websocket.ABNF`` opcodes and raises
``websocket.WebSocketTimeoutException`` when the timeout set by ``settimeout`` passes: the
timeout bounds the whole call, however the server paces its bytes or pings. Failures are
``OSError`` or ``websocket.WebSocketException``, both when opening and when reading, and
AnswerTooLarge for a message past the connection's size limit.

The default factory (:func:`default_websocket_factory`) keeps both promises: its handshake is cut
by a :class:`~comfydsl.transport.deadline.Deadline`, and its connection
(:class:`BoundedWebSocket`) reads and limits frames itself.
"""

from __future__ import annotations

import contextlib
import struct
from typing import Any, Protocol

from comfydsl.transport.deadline import Deadline, shutdown_socket
from comfydsl.transport.errors import AnswerTooLarge

__all__ = [
    "MAX_MESSAGE_BYTES",
    "BoundedWebSocket",
    "WebSocketConnection",
    "WebSocketFactory",
    "connect_websocket",
    "default_websocket_factory",
]


class WebSocketConnection(Protocol):
    """An open WebSocket, as comfydsl uses one (websocket-client's ``WebSocket`` is one)."""

    @property
    def connected(self) -> bool:
        """True while the connection is open."""

    def send(self, payload: str) -> object:
        """Send one text frame."""

    def settimeout(self, timeout: float | None) -> None:
        """Bound each next ``recv_data`` call as a whole: it raises WebSocketTimeoutException
        after that long."""

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


# A preview image is a few hundred kB and a progress message a few hundred bytes: a message this
# big is not one the server's protocol sends, and is refused before its payload is read.
MAX_MESSAGE_BYTES = 64 * 1024 * 1024
_RECV_CHUNK = 64 * 1024


def default_websocket_factory(*, max_message: int = MAX_MESSAGE_BYTES) -> WebSocketFactory:
    """The factory comfydsl uses: websocket-client's handshake, bounded as a whole by its
    ``timeout``, and a connection that reads frames itself (:class:`BoundedWebSocket`)."""

    def connect(
        url: str,
        *,
        timeout: float,
        header: list[str],
        sslopt: dict[str, Any],
        suppress_origin: bool,
    ) -> WebSocketConnection:
        return connect_websocket(
            url,
            timeout=timeout,
            header=header,
            sslopt=sslopt,
            suppress_origin=suppress_origin,
            max_message=max_message,
        )

    return connect


def connect_websocket(
    url: str,
    *,
    timeout: float,
    header: list[str],
    sslopt: dict[str, Any],
    suppress_origin: bool,
    max_message: int = MAX_MESSAGE_BYTES,
) -> BoundedWebSocket:
    """Open a WebSocket whose handshake (connect, TLS, the answer's headers) ends within
    ``timeout`` seconds whatever the server sends: the socket is cut when the time is up."""
    import websocket

    deadline = Deadline(timeout)
    ws = websocket.WebSocket(sslopt=sslopt, skip_utf8_validation=True)
    with deadline.cutting():
        deadline.on_expiry(ws, lambda: shutdown_socket(ws.sock))
        try:
            ws.connect(  # type: ignore[no-untyped-call]
                url, header=header, suppress_origin=suppress_origin, timeout=timeout
            )
        except (OSError, websocket.WebSocketException) as exc:
            with contextlib.suppress(OSError, websocket.WebSocketException):
                ws.shutdown()  # type: ignore[no-untyped-call]
            if deadline.expired:
                raise websocket.WebSocketTimeoutException(
                    f"GET {url}: the WebSocket handshake did not complete within {timeout:.3g} s"
                ) from exc
            raise
    return BoundedWebSocket(ws, max_message=max_message)


class BoundedWebSocket:
    """A websocket-client connection whose frames comfydsl reads itself.

    websocket-client's ``recv_data`` answers pings inside its own loop (a server that pings every
    0.2 s keeps it from ever returning), reads a frame's whole payload into memory whatever its
    announced size, and applies its timeout to each socket read. Here the timeout set by
    :meth:`settimeout` bounds one whole ``recv_data`` call, pings are answered without extending
    it, and a message announced larger than ``max_message`` bytes raises AnswerTooLarge before
    its payload is read. A frame cut short by the timeout is kept and completed by the next call.
    """

    def __init__(self, ws: Any, *, max_message: int = MAX_MESSAGE_BYTES) -> None:
        self._ws = ws
        self.max_message = max_message
        self._timeout: float | None = None
        self._buffer = bytearray()
        self._fragments: list[bytes] = []
        self._fragment_opcode = 0
        self._fragment_size = 0

    @property
    def connected(self) -> bool:
        """True while the connection is open."""
        return bool(self._ws.connected)

    def send(self, payload: str) -> object:
        """Send one text frame."""
        return self._ws.send(payload)

    def settimeout(self, timeout: float | None) -> None:
        """Bound each following ``recv_data`` call, as a whole, to ``timeout`` seconds."""
        self._timeout = timeout

    def recv_data(self) -> tuple[int, bytes]:
        """The next data message (or the close frame) as ``(opcode, payload)``.

        Raises ``websocket.WebSocketTimeoutException`` when the timeout passes,
        ``WebSocketConnectionClosedException`` when the server hangs up, AnswerTooLarge for a
        message past ``max_message``, ``WebSocketProtocolException`` for a broken frame.
        """
        import websocket

        abnf = websocket.ABNF
        deadline = None if self._timeout is None else Deadline(self._timeout)
        while True:
            frame = self._next_frame()
            if frame is None:
                self._fill(deadline)
                continue
            fin, opcode, payload = frame
            if opcode == abnf.OPCODE_PING:
                self._ws.pong(payload)
            elif opcode == abnf.OPCODE_CLOSE:
                return opcode, payload
            elif opcode == abnf.OPCODE_CONT:
                message = self._continue(fin, payload)
                if message is not None:
                    return message
            elif opcode in (abnf.OPCODE_TEXT, abnf.OPCODE_BINARY):
                if fin:
                    return opcode, payload
                self._fragments, self._fragment_opcode = [payload], opcode
                self._fragment_size = len(payload)
            elif opcode != abnf.OPCODE_PONG:
                raise websocket.WebSocketProtocolException(f"unknown frame opcode {opcode}")

    def _continue(self, fin: bool, payload: bytes) -> tuple[int, bytes] | None:
        import websocket

        if not self._fragment_opcode:
            raise websocket.WebSocketProtocolException("a continuation frame without a start")
        self._fragment_size += len(payload)
        if self._fragment_size > self.max_message:
            raise self._too_large(self._fragment_size)
        self._fragments.append(payload)
        if not fin:
            return None
        message = (self._fragment_opcode, b"".join(self._fragments))
        self._fragments, self._fragment_opcode, self._fragment_size = [], 0, 0
        return message

    def _next_frame(self) -> tuple[bool, int, bytes] | None:
        """The first whole frame of the buffer (taken out of it), or None if it is not all here."""
        buffer = self._buffer
        if len(buffer) < 2:
            return None
        fin, opcode = bool(buffer[0] & 0x80), buffer[0] & 0x0F
        masked, length = bool(buffer[1] & 0x80), buffer[1] & 0x7F
        start = 2
        if length == 126:
            if len(buffer) < 4:
                return None
            (length,) = struct.unpack_from(">H", buffer, 2)
            start = 4
        elif length == 127:
            if len(buffer) < 10:
                return None
            (length,) = struct.unpack_from(">Q", buffer, 2)
            start = 10
        if length > self.max_message or length + self._fragment_size > self.max_message:
            raise self._too_large(length + self._fragment_size)
        mask = b""
        if masked:  # servers do not mask; accepted all the same
            mask = bytes(buffer[start : start + 4])
            start += 4
        end = start + length
        if len(buffer) < end:
            return None
        payload = bytes(buffer[start:end])
        del buffer[:end]
        if mask:
            payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        return fin, opcode, payload

    def _fill(self, deadline: Deadline | None) -> None:
        import websocket

        sock = self._ws.sock
        if sock is None:
            raise websocket.WebSocketConnectionClosedException("socket is already closed.")
        if deadline is not None:
            remaining = deadline.remaining()
            if remaining <= 0:
                raise websocket.WebSocketTimeoutException("Connection timed out")
            sock.settimeout(remaining)
        else:
            sock.settimeout(None)
        try:
            chunk = sock.recv(_RECV_CHUNK)
        except TimeoutError as exc:  # socket.timeout, and ssl's read timeout
            raise websocket.WebSocketTimeoutException("Connection timed out") from exc
        if not chunk:
            raise websocket.WebSocketConnectionClosedException(
                "Connection to remote host was lost."
            )
        self._buffer += chunk

    def _too_large(self, size: int) -> AnswerTooLarge:
        return AnswerTooLarge(
            f"a WebSocket message of {size} bytes, past the limit of {self.max_message} bytes",
            limit=self.max_message,
        )

    def close(self, *, timeout: float) -> None:
        """Send the close frame and wait (at most ``timeout``) for the server's, then hang up."""
        import websocket

        with contextlib.suppress(OSError, websocket.WebSocketException, AnswerTooLarge):
            self._ws.send_close()
            end = Deadline(timeout)
            while not end.expired:
                self._timeout = end.remaining()
                if self.recv_data()[0] == websocket.ABNF.OPCODE_CLOSE:
                    break
        self.shutdown()

    def shutdown(self) -> None:
        """Drop the connection without a closing handshake."""
        import websocket

        with contextlib.suppress(OSError, websocket.WebSocketException):
            self._ws.shutdown()
