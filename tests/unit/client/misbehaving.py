"""A ComfyUI server that misbehaves on a real loopback socket, in the test process.

The in-process adapter double answers whole responses; it cannot drip bytes down a socket, and
dripping is exactly what a per-read timeout misses. So this one speaks HTTP/1.1 and the
WebSocket protocol over a real socket (stdlib ``socket`` and ``threading`` only), and each
endpoint's answer is a small function that may send a byte every 50 ms, sleep, ping, or announce
a 300 MB frame. By default it behaves like a server with prompt ``p1`` running forever:
``POST /prompt`` queues ``p1``, ``/queue`` shows it running, ``/history/p1`` is empty, and the
WebSocket says nothing after its handshake.

>>> with Misbehaving() as server:                          # doctest: +SKIP
...     server.route("GET", "/system_stats", drip_headers())
...     Client(server.url, timeout=1.5).system_stats()     # RequestTimeout after 1.5 s
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import socket
import struct
import threading
import time
from collections.abc import Callable
from typing import Any

PROMPT_ID = "p1"
_WS_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class Request:
    """One request as received: ``method``, ``path`` (no query), ``headers`` (lower-case names)."""

    def __init__(self, method: str, path: str, headers: dict[str, str], body: bytes) -> None:
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body


class Peer:
    """The server's end of one connection, for the scripted answers."""

    def __init__(self, conn: socket.socket, stopped: threading.Event) -> None:
        self.conn = conn
        self._stopped = stopped
        self._pending = b""

    def send(self, data: bytes) -> None:
        """Send bytes (OSError once the client has hung up)."""
        self.conn.sendall(data)

    def sleep(self, seconds: float) -> None:
        """Wait; OSError if the server is stopped meanwhile (the answer ends there)."""
        if self._stopped.wait(seconds):
            raise OSError("the server stopped")

    def drip(self, data: bytes, *, every: float = 0.05) -> None:
        """Send ``data`` one byte at a time."""
        for i in range(len(data)):
            self.send(data[i : i + 1])
            self.sleep(every)

    def drip_forever(self, byte: bytes = b"a", *, every: float = 0.05) -> None:
        """Send one byte after another until the client hangs up or the server stops."""
        while True:
            self.send(byte)
            self.sleep(every)

    def read_request(self) -> Request | None:
        """The next request on the connection, or None when the client closed it."""
        data = self._pending
        while b"\r\n\r\n" not in data:
            chunk = self.conn.recv(65536)
            if not chunk:
                return None
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        while len(rest) < length:
            chunk = self.conn.recv(65536)
            if not chunk:
                return None
            rest += chunk
        self._pending = rest[length:]
        return Request(method, target.split("?", 1)[0], headers, rest[:length])

    # -- WebSocket -------------------------------------------------------------------------------
    def accept_websocket(self, request: Request, *, headers_every: float | None = None) -> None:
        """Answer the handshake (dripping it, if ``headers_every``)."""
        key = request.headers["sec-websocket-key"].encode()
        accept = base64.b64encode(hashlib.sha1(key + _WS_GUID).digest())
        answer = (
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n"
        )
        if headers_every is None:
            self.send(answer)
        else:
            self.drip(answer, every=headers_every)

    def frame_header(self, opcode: int, length: int) -> bytes:
        """The header of an unmasked, final frame announcing ``length`` payload bytes."""
        if length < 126:
            return bytes([0x80 | opcode, length])
        if length < 1 << 16:
            return bytes([0x80 | opcode, 126]) + struct.pack(">H", length)
        return bytes([0x80 | opcode, 127]) + struct.pack(">Q", length)

    def frame(self, opcode: int, payload: bytes) -> bytes:
        """A whole unmasked, final frame."""
        return self.frame_header(opcode, len(payload)) + payload


Handler = Callable[[Peer, Request], None]


def json_answer(body: Any, *, status: int = 200) -> Handler:
    """An endpoint answering ``body`` as JSON, all at once."""

    def answer(peer: Peer, request: Request) -> None:
        data = json.dumps(body).encode()
        peer.send(
            f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(data)}\r\n\r\n".encode()
            + data
        )

    return answer


def after(seconds: float, then: Handler) -> Handler:
    """An endpoint that waits ``seconds`` before answering as ``then`` does."""

    def answer(peer: Peer, request: Request) -> None:
        peer.sleep(seconds)
        then(peer, request)

    return answer


def drip_headers(every: float = 0.05) -> Handler:
    """Headers that never end: a status line, then a header value a byte at a time."""

    def answer(peer: Peer, request: Request) -> None:
        peer.send(b"HTTP/1.1 200 OK\r\nX-Drip: ")
        peer.drip_forever(every=every)

    return answer


def drip_body(every: float = 0.05) -> Handler:
    """Whole headers announcing a JSON body of a megabyte, then the body a byte at a time."""

    def answer(peer: Peer, request: Request) -> None:
        peer.send(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
        peer.send(b"Content-Length: 1000000\r\n\r\n")
        peer.drip_forever(b" ", every=every)

    return answer


def websocket_then(
    script: Callable[[Peer], None], *, headers_every: float | None = None
) -> Handler:
    """A WebSocket endpoint: the handshake, then ``script`` (the status message comes first)."""

    def answer(peer: Peer, request: Request) -> None:
        peer.accept_websocket(request, headers_every=headers_every)
        status = {"type": "status", "data": {"status": {}, "sid": "x"}}
        peer.send(peer.frame(0x1, json.dumps(status).encode()))
        script(peer)
        raise OSError("the connection is done")

    return answer


def ws_silent(peer: Peer) -> None:
    """Say nothing, until the client hangs up."""
    while True:
        if not peer.conn.recv(65536):
            return


def ws_drip_frame(peer: Peer) -> None:
    """A text frame announcing 1000 bytes, its payload a byte every 50 ms."""
    peer.send(peer.frame_header(0x1, 1000))
    peer.drip_forever(b" ")


def ws_ping_every(seconds: float) -> Callable[[Peer], None]:
    """A ping every ``seconds``, and nothing else."""

    def script(peer: Peer) -> None:
        while True:
            peer.send(peer.frame(0x9, b"ping"))
            peer.sleep(seconds)

    return script


def ws_huge_frame(size: int = 300 * 1024 * 1024) -> Callable[[Peer], None]:
    """A binary frame announcing ``size`` bytes, then its payload as fast as the client reads."""

    def script(peer: Peer) -> None:
        peer.send(peer.frame_header(0x2, size))
        chunk = b"\x00" * (1 << 20)
        for _ in range(size // len(chunk)):
            peer.send(chunk)
        ws_silent(peer)

    return script


class Misbehaving:
    """The server: ``url``; ``route(method, path, handler)`` scripts one endpoint;
    ``requests`` lists (method, path) of everything received."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self.requests: list[tuple[str, str]] = []
        self._stopped = threading.Event()
        self._connections: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        queued = {"prompt_id": PROMPT_ID, "number": 1, "node_errors": {}}
        running = {"queue_running": [[1, PROMPT_ID, {}, {}, []]], "queue_pending": []}
        self._routes: dict[tuple[str, str], Handler] = {
            ("POST", "/prompt"): json_answer(queued),
            ("GET", "/queue"): json_answer(running),
            ("GET", f"/history/{PROMPT_ID}"): json_answer({}),
            ("GET", "/ws"): websocket_then(ws_silent),
        }
        accepting = threading.Thread(target=self._accept, daemon=True)
        accepting.start()
        self._threads.append(accepting)

    def route(self, method: str, path: str, handler: Handler) -> None:
        """Answer ``method path`` (no query) with ``handler``."""
        self._routes[(method, path)] = handler

    def __enter__(self) -> Misbehaving:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop answering and hang up every connection."""
        self._stopped.set()
        self._listener.close()
        with self._lock:
            for conn in self._connections:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
                conn.close()
        for thread in self._threads:
            thread.join(timeout=5)

    def _accept(self) -> None:
        self._listener.settimeout(0.05)  # closing a socket does not wake a blocked accept()
        while not self._stopped.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(None)
            with self._lock:
                self._connections.append(conn)
                serving = threading.Thread(target=self._serve, args=(conn,), daemon=True)
                self._threads.append(serving)
            serving.start()

    def _serve(self, conn: socket.socket) -> None:
        peer = Peer(conn, self._stopped)
        with contextlib.suppress(OSError):
            while not self._stopped.is_set():
                request = peer.read_request()
                if request is None:
                    return
                self.requests.append((request.method, request.path))
                handler = self._routes.get((request.method, request.path))
                if handler is None:
                    json_answer({"error": "not found"}, status=404)(peer, request)
                else:
                    handler(peer, request)


def seconds_of(call: Callable[[], object]) -> tuple[float, BaseException | None]:
    """How long ``call`` took, and what it raised (None if it returned)."""
    start = time.monotonic()
    try:
        call()
    except BaseException as exc:  # the tests assert on it
        return time.monotonic() - start, exc
    return time.monotonic() - start, None
