"""A scripted stand-in for a ComfyUI server, for the faults a real one will not produce on demand.

It answers on 127.0.0.1 like the real server does in the recordings under ``recordings/`` (copied
from a real ComfyUI 0.3.75): ``POST /prompt`` gives the recorded answer, the WebSocket replays the
recorded messages of that run, ``/history/{id}`` gives the recorded entry once the run is "over".
Faults are switched on per test: drop the WebSocket after N messages, refuse WebSockets, answer
500 with text, answer slowly, die.
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
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

RECORDINGS = Path(__file__).resolve().parent / "recordings"
_WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def recording(name: str) -> Any:
    """A recording by file stem, e.g. ``recording("A1_invert_save")``."""
    return json.loads((RECORDINGS / f"{name}.json").read_text(encoding="utf-8"))


class Run:
    """What the fake does for one posted prompt: its answer, messages, and history entry."""

    def __init__(
        self,
        *,
        status: int = 200,
        body: Any = None,
        ws_messages: list[Any] | None = None,
        history: dict[str, Any] | None = None,
        content_type: str = "application/json",
    ) -> None:
        self.status = status
        self.body = body
        self.ws_messages = ws_messages or []
        self.history = history or {}
        self.content_type = content_type

    @classmethod
    def from_recording(cls, data: dict[str, Any]) -> Run:
        """A run as recorded (``request``/``response``/``ws_messages``/``history`` keys)."""
        history = data.get("history", {})
        return cls(
            status=data["response"]["status"],
            body=data["response"]["body"],
            ws_messages=data.get("ws_messages", []),
            history=history.get("body", history) if isinstance(history, dict) else {},
        )


class FakeComfy:
    """The fake server; use as a context manager. ``url`` is its base URL.

    Knobs: ``runs`` (answers to successive POST /prompt), ``ws_enabled``, ``drop_ws_after``
    (close the WebSocket after that many messages of a run), ``history_visible`` (serve the history
    entry: set False to keep a run "running" forever), ``delay`` (seconds before every answer),
    ``fail_all_with`` (a status answered with text to every request). ``requests`` records
    (method, path, headers, body) of everything received.
    """

    def __init__(self) -> None:
        self.runs: list[Run] = []
        self.ws_enabled = True
        self.drop_ws_after: int | None = None
        self.history_visible = True
        self.delay = 0.0
        self.fail_all_with: int | None = None
        self.requests: list[tuple[str, str, dict[str, str], bytes]] = []
        self.queue_running: list[list[Any]] = []
        self.files: dict[tuple[str, str, str], bytes] = {}
        self._posted: list[Run] = []
        self._history: dict[str, Any] = {}
        self._stop = threading.Event()
        self._connections: list[socket.socket] = []
        self._ws_pending: list[list[Any]] = []
        self._ws_wakeup = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> FakeComfy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop answering and close every connection (a server that died)."""
        if self._stop.is_set():
            return
        self._stop.set()
        with self._ws_wakeup:
            self._ws_wakeup.notify_all()
        self._server.shutdown()
        self._server.server_close()
        for conn in self._connections:  # keep-alive and WebSocket connections die with it
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        self._thread.join(timeout=5)

    # -- internals --------------------------------------------------------------------------------
    def _post_prompt(self, body: dict[str, Any]) -> Run:
        run = self.runs.pop(0) if self.runs else Run(status=500, body="no run scripted")
        self._posted.append(run)
        if run.status == 200:
            with self._ws_wakeup:
                self._ws_pending.append(list(run.ws_messages))
                self._ws_wakeup.notify_all()
            self._history.update(run.history)
        return run

    def _next_ws_messages(self) -> Iterator[list[Any]]:
        while not self._stop.is_set():
            with self._ws_wakeup:
                while not self._ws_pending and not self._stop.is_set():
                    self._ws_wakeup.wait(timeout=0.1)
                if self._stop.is_set():
                    return
                batch = self._ws_pending.pop(0)
            yield batch

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def setup(self) -> None:
                super().setup()
                fake._connections.append(self.connection)

            def _record(self) -> bytes:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                fake.requests.append((self.command, self.path, dict(self.headers), body))
                if fake.delay:
                    time.sleep(fake.delay)
                return body

            def _send(self, status: int, body: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _json(self, data: Any, status: int = 200) -> None:
                self._send(status, json.dumps(data).encode(), "application/json; charset=utf-8")

            def _maybe_fail(self) -> bool:
                if fake.fail_all_with is None:
                    return False
                text = b"500 Internal Server Error\n\nServer got itself in trouble"
                self._send(fake.fail_all_with, text, "text/plain; charset=utf-8")
                return True

            def do_GET(self) -> None:
                self._record()
                parts = urlsplit(self.path)
                path = parts.path
                if path == "/ws":
                    self._websocket()
                    return
                if self._maybe_fail():
                    return
                if path.startswith("/history/"):
                    prompt_id = path[len("/history/") :]
                    entry = fake._history.get(prompt_id) if fake.history_visible else None
                    self._json({prompt_id: entry} if entry else {})
                elif path == "/queue":
                    running = [] if fake.history_visible else fake.queue_running
                    self._json({"queue_running": running, "queue_pending": []})
                elif path == "/view":
                    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                    key = (
                        query.get("filename", ""),
                        query.get("subfolder", ""),
                        query.get("type", ""),
                    )
                    if key in fake.files:
                        self._send(200, fake.files[key], "image/png")
                    else:
                        self._send(404, b"", "text/plain")
                elif path == "/object_info":
                    self._json({})
                else:
                    self._send(404, b"404: Not Found", "text/plain")

            def do_POST(self) -> None:
                body = self._record()
                if self._maybe_fail():
                    return
                path = urlsplit(self.path).path
                if path == "/prompt":
                    run = fake._post_prompt(json.loads(body))
                    if isinstance(run.body, str):
                        self._send(run.status, run.body.encode(), "text/plain; charset=utf-8")
                    else:
                        self._json(run.body, run.status)
                elif path in ("/queue", "/interrupt", "/history", "/free"):
                    self._send(200, b"", "text/plain")
                else:
                    self._send(404, b"404: Not Found", "text/plain")

            def _websocket(self) -> None:
                if not fake.ws_enabled or "Sec-WebSocket-Key" not in self.headers:
                    self._send(404, b"404: Not Found", "text/plain")
                    return
                key = self.headers["Sec-WebSocket-Key"] + _WS_GUID
                accept = base64.b64encode(hashlib.sha1(key.encode()).digest()).decode()
                self.send_response(101)
                self.send_header("Upgrade", "websocket")
                self.send_header("Connection", "Upgrade")
                self.send_header("Sec-WebSocket-Accept", accept)
                self.end_headers()
                self.close_connection = True
                conn = self.connection
                threading.Thread(target=_answer_close, args=(conn,), daemon=True).start()
                try:
                    _send_frame(conn, {"type": "status", "data": {"status": {}, "sid": "x"}})
                    for batch in fake._next_ws_messages():
                        for sent, message in enumerate(batch):
                            if fake.drop_ws_after is not None and sent >= fake.drop_ws_after:
                                conn.shutdown(socket.SHUT_RDWR)
                                return
                            _send_frame(conn, message)
                except OSError:
                    return

        return Handler


def _send_frame(conn: socket.socket, message: Any) -> None:
    """One unmasked server frame: text for JSON-able values, binary for bytes."""
    if isinstance(message, (bytes, bytearray)):
        opcode, payload = 0x2, bytes(message)
    else:
        opcode, payload = 0x1, json.dumps(message).encode()
    header = bytes([0x80 | opcode])
    size = len(payload)
    if size < 126:
        header += bytes([size])
    elif size < 1 << 16:
        header += bytes([126]) + struct.pack(">H", size)
    else:
        header += bytes([127]) + struct.pack(">Q", size)
    conn.sendall(header + payload)


def _answer_close(conn: socket.socket) -> None:
    """Read the client's frames; answer a close frame with one, as a real server does."""
    with contextlib.suppress(OSError):
        while True:
            head = _read_exactly(conn, 2)
            opcode, size = head[0] & 0x0F, head[1] & 0x7F
            if size == 126:
                (size,) = struct.unpack(">H", _read_exactly(conn, 2))
            elif size == 127:
                (size,) = struct.unpack(">Q", _read_exactly(conn, 8))
            _read_exactly(conn, size + (4 if head[1] & 0x80 else 0))
            if opcode == 0x8:
                conn.sendall(bytes([0x88, 0]))
                conn.shutdown(socket.SHUT_RDWR)
                return


def _read_exactly(conn: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            raise OSError("closed")
        data += chunk
    return data


def refused_url() -> str:
    """A loopback URL where nothing listens (a port taken then freed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
