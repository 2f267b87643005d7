"""The WebSocket reader: one ``/ws?clientId=...`` connection per client, read on demand.

The connection is opened by the client's Transport (``Transport.open_websocket``), so its
headers, TLS settings and timeout are the HTTP ones, and a test can hand in its own connection
(``Client(url, websocket=...)``, see ``comfydsl.transport.websocket``).

ComfyUI sends a prompt's execution messages only to the WebSocket whose ``clientId`` equals the
prompt's ``client_id``, and a second connection with the same id silently replaces the first. So a
client keeps ONE connection, opened before its first prompt is posted, and whoever waits reads it:
messages for other prompts are put aside in per-prompt buffers for their own waiters. Every read
is bounded by a deadline (the whole read: pings and a slow frame cannot stretch it, and a message
past the connection's size limit hangs up); the Listener runs no thread of its own.
"""

from __future__ import annotations

import contextlib
import json
import struct
import threading
import time
from collections import OrderedDict, deque
from typing import TYPE_CHECKING, Any

import attrs
import websocket

from comfydsl.transport.errors import AnswerTooLarge, ClientError

if TYPE_CHECKING:
    from PIL import Image

    from comfydsl.transport.deadline import Deadline
    from comfydsl.transport.http import Transport
    from comfydsl.transport.websocket import WebSocketConnection

__all__ = ["ConnectionDropped", "Listener", "Message", "Preview", "parse_binary"]

# ComfyUI's protocol.BinaryEventTypes
_PREVIEW_IMAGE = 1
_PREVIEW_IMAGE_WITH_METADATA = 4
_IMAGE_TYPES = {1: "image/jpeg", 2: "image/png"}
# How long one read holds the connection, so that waiters in other threads get their turn.
_READ_SLICE = 0.5
# Prompts nobody has claimed yet (their POST may still be in flight) keep at most this many buffers.
_UNCLAIMED_LIMIT = 64
# After a failed handshake, do not try again for this long (a proxy may hang on WebSockets).
_RETRY_AFTER = 60.0


@attrs.frozen
class Preview:
    """A preview image the server sent while a node ran (a binary WebSocket frame).

    ``image`` holds the encoded bytes, ``mime`` is ``image/jpeg`` or ``image/png``; ``node_id``
    and ``prompt_id`` are known when the server sent metadata with it (it does, for this client).
    """

    image: bytes = attrs.field(repr=lambda b: f"<{len(b)} bytes>")
    mime: str
    node_id: str | None = None
    prompt_id: str | None = None

    def to_pil(self) -> Image.Image:
        """The preview as a PIL image (needs Pillow)."""
        import io

        from PIL import Image

        return Image.open(io.BytesIO(self.image))


Message = dict[str, Any] | Preview


class ConnectionDropped(ClientError, ConnectionError):
    """The WebSocket is gone (closed, reset, or never opened); a waiter should poll instead.

    ``Job.wait`` catches it and goes on by polling; it reaches only direct users of a Listener.
    """


def parse_binary(frame: bytes) -> Preview | None:
    """A binary frame as a Preview, or None for frame types this client does not use.

    >>> parse_binary(b"\\x00\\x00\\x00\\x01\\x00\\x00\\x00\\x02PNGDATA").mime
    'image/png'
    """
    if len(frame) < 8:
        return None
    (event,) = struct.unpack(">I", frame[:4])
    if event == _PREVIEW_IMAGE:
        (image_type,) = struct.unpack(">I", frame[4:8])
        return Preview(image=bytes(frame[8:]), mime=_IMAGE_TYPES.get(image_type, "image/jpeg"))
    if event == _PREVIEW_IMAGE_WITH_METADATA:
        (length,) = struct.unpack(">I", frame[4:8])
        try:
            meta = json.loads(frame[8 : 8 + length])
        except (ValueError, RecursionError):  # not JSON, or nested past what Python reads
            return None
        if not isinstance(meta, dict):
            return None
        return Preview(
            image=bytes(frame[8 + length :]),
            mime=str(meta.get("image_type", "image/jpeg")),
            node_id=_opt_str(meta.get("node_id")),
            prompt_id=_opt_str(meta.get("prompt_id")),
        )
    return None


class Listener:
    """The client's WebSocket connection and the per-prompt buffers of what it received.

    >>> listener = Listener(transport, client_id="abc")   # doctest: +SKIP
    >>> listener.connect()                                 # doctest: +SKIP
    True
    >>> listener.claim(prompt_id)                          # doctest: +SKIP
    >>> listener.next_for(prompt_id, deadline=time.monotonic() + 5)   # doctest: +SKIP
    {'type': 'execution_start', 'data': {...}}
    """

    def __init__(self, transport: Transport, client_id: str) -> None:
        self.transport = transport
        self.client_id = client_id
        self._ws: WebSocketConnection | None = None
        self._lock = threading.RLock()
        self._buffers: OrderedDict[str, deque[Message]] = OrderedDict()
        self._claimed: set[str] = set()
        self._running_prompt: str | None = None
        self._failed_at: float | None = None
        self.last_error: str | None = None
        #: The server's queue length (running and pending) from its last ``status`` message.
        self.queue_remaining: int | None = None

    @property
    def connected(self) -> bool:
        """True while the connection is open."""
        return self._ws is not None and bool(self._ws.connected)

    def connect(self, deadline: Deadline | None = None) -> bool:
        """Open the connection if it is not open; False (and ``last_error``) if that fails.

        The handshake ends by ``deadline`` (default: the client's timeout from now). A server or
        proxy without WebSockets is not an error: jobs are then followed by polling, and the
        handshake is not tried again for a minute.
        """
        with self._lock:
            if self.connected:
                return True
            if self._failed_at is not None and time.monotonic() - self._failed_at < _RETRY_AFTER:
                return False
            ws = None
            try:
                ws = self.transport.open_websocket(
                    f"ws?clientId={self.client_id}", deadline=deadline
                )
                # Ask for previews with metadata, so each names its prompt and node.
                ws.send(
                    json.dumps(
                        {"type": "feature_flags", "data": {"supports_preview_metadata": True}}
                    )
                )
            except (OSError, websocket.WebSocketException) as exc:
                self.last_error = f"{type(exc).__name__}: {exc}"
                self._failed_at = time.monotonic()
                if ws is not None:
                    _close_quietly(ws)
                return False
            self._ws = ws
            self._failed_at = None
            self.last_error = None
            return True

    def close(self) -> None:
        """Close the connection and forget every buffer."""
        with self._lock:
            ws, self._ws = self._ws, None
            self._buffers.clear()
            self._claimed.clear()
            if ws is not None:
                with contextlib.suppress(OSError, websocket.WebSocketException):
                    ws.close(timeout=1)

    def claim(self, prompt_id: str) -> None:
        """Keep every message of this prompt until it is read (call right after it is queued)."""
        with self._lock:
            self._claimed.add(prompt_id)
            self._buffers.setdefault(prompt_id, deque())

    def release(self, prompt_id: str) -> None:
        """Stop keeping this prompt's messages."""
        with self._lock:
            self._claimed.discard(prompt_id)
            self._buffers.pop(prompt_id, None)

    @property
    def claimed(self) -> frozenset[str]:
        """The prompts whose messages are being kept."""
        return frozenset(self._claimed)

    def next_for(self, prompt_id: str, deadline: float) -> Message | None:
        """The next message of this prompt, or None when the deadline (``time.monotonic()``) passes.

        Raises ConnectionDropped when the connection is closed or breaks; what was already
        buffered for the prompt is still returned first.
        """
        while True:
            remaining = deadline - time.monotonic()
            if not self._lock.acquire(timeout=max(remaining, 0.0)):
                return None
            try:
                buffered = self._buffers.get(prompt_id)
                if buffered:
                    return buffered.popleft()
                if remaining <= 0:
                    return None
                self._read_one(min(remaining, _READ_SLICE))
            finally:
                self._lock.release()

    def _read_one(self, timeout: float) -> None:
        ws = self._ws
        if ws is None or not ws.connected:
            raise ConnectionDropped(self.last_error or "the WebSocket is not connected")
        try:
            ws.settimeout(timeout)
            opcode, payload = ws.recv_data()
        except websocket.WebSocketTimeoutException:
            return
        except (OSError, websocket.WebSocketException, AnswerTooLarge) as exc:
            # A message past the size limit cannot be skipped without reading it: hang up.
            self.last_error = f"{type(exc).__name__}: {exc}"
            self._ws = None
            _close_quietly(ws)
            raise ConnectionDropped(self.last_error) from exc
        if opcode == websocket.ABNF.OPCODE_CLOSE:
            self.last_error = "the server closed the WebSocket"
            self._ws = None
            _close_quietly(ws)
            raise ConnectionDropped(self.last_error)
        if opcode == websocket.ABNF.OPCODE_BINARY:
            self._route_preview(parse_binary(payload))
        elif opcode == websocket.ABNF.OPCODE_TEXT:
            self._route_json(payload)

    def _route_json(self, payload: bytes) -> None:
        try:
            message = json.loads(payload)
        except (ValueError, RecursionError):  # not JSON, or nested past what Python reads
            return
        if not isinstance(message, dict) or not isinstance(message.get("data"), dict):
            return
        data = message["data"]
        prompt_id = _opt_str(data.get("prompt_id"))
        if prompt_id is None:
            if message.get("type") == "status":
                self._note_queue(data)
            return  # status broadcasts, feature_flags, the reconnect "executing" without an id
        kind = message.get("type")
        if kind in ("execution_start", "executing"):
            self._running_prompt = prompt_id if data.get("node", True) is not None else None
        self._store(prompt_id, message)

    def _note_queue(self, data: dict[str, Any]) -> None:
        status = data.get("status")
        info = status.get("exec_info") if isinstance(status, dict) else None
        remaining = info.get("queue_remaining") if isinstance(info, dict) else None
        if isinstance(remaining, int) and not isinstance(remaining, bool):
            self.queue_remaining = remaining

    def _route_preview(self, preview: Preview | None) -> None:
        if preview is None:
            return
        prompt_id = preview.prompt_id or self._running_prompt
        if prompt_id is not None and prompt_id in self._claimed:
            self._store(prompt_id, preview)

    def _store(self, prompt_id: str, message: Message) -> None:
        buffer = self._buffers.get(prompt_id)
        if buffer is None:
            buffer = self._buffers[prompt_id] = deque()
            unclaimed = [p for p in self._buffers if p not in self._claimed]
            for stale in unclaimed[:-_UNCLAIMED_LIMIT]:
                del self._buffers[stale]
        buffer.append(message)


def _close_quietly(ws: WebSocketConnection) -> None:
    with contextlib.suppress(OSError, websocket.WebSocketException):
        ws.shutdown()  # no close handshake: the other end is gone


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)
