"""A scripted stand-in for a ComfyUI server, in process, for the faults a real one will not
produce on demand.

It answers like the real server does in the recordings under ``recordings/`` (copied from a real
ComfyUI 0.3.75): ``POST /prompt`` gives the recorded answer, the WebSocket replays the recorded
messages of that run, ``/history/{id}`` gives the recorded entry once the run is "over". No socket
is opened: a Client reaches it through its two seams, ``adapter=fake.adapter`` (a ``requests``
transport adapter answering every HTTP request) and ``websocket=fake.websocket`` (a factory
handing out scripted connections). Faults are switched on per test: drop the WebSocket after N
messages, refuse WebSockets, answer 500 with text, answer slowly, die, or answer one endpoint
with whatever a test scripts (``answer``).
"""

from __future__ import annotations

import io
import json
import socket
import threading
import time
from collections import deque
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
import urllib3
import websocket
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers

RECORDINGS = Path(__file__).resolve().parent / "recordings"
_TEXT = "text/plain; charset=utf-8"
_DROP = object()  # in a connection's inbox: the server drops the connection here


class RawJSON(str):
    """A WebSocket message or an answer given as JSON text, sent as it is (it may be JSON that
    Python's json module cannot write, such as lists nested 50,000 deep)."""


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
    """The fake server. ``url`` is its base URL; ``adapter`` and ``websocket`` are what a Client
    takes to reach it: ``Client(fake.url, adapter=fake.adapter, websocket=fake.websocket)``.

    Knobs: ``runs`` (answers to successive POST /prompt), ``ws_enabled``, ``drop_ws_after``
    (drop the WebSocket after that many messages of a run), ``history_visible`` (serve the history
    entry: set False to keep a run "running" forever), ``delay`` (seconds before every answer; an
    answer later than the client's read timeout is a read timeout), ``fail_all_with`` (a status
    answered with text to every HTTP request), ``answer()`` (script one endpoint's answer).
    ``requests`` records (method, path, headers, body) of everything received, the WebSocket
    handshake included; ``handshakes`` the options each handshake was made with.
    """

    url = "http://comfy.test:8188"

    def __init__(self) -> None:
        self.runs: list[Run] = []
        self.ws_enabled = True
        self.drop_ws_after: int | None = None
        self.history_visible = True
        self.delay = 0.0
        self.fail_all_with: int | None = None
        self.requests: list[tuple[str, str, dict[str, str], bytes]] = []
        self.handshakes: list[dict[str, Any]] = []
        self.queue_running: list[list[Any]] = []
        self.files: dict[tuple[str, str, str], bytes] = {}
        self.adapter = FakeAdapter(self)
        self._answers: dict[tuple[str, str], tuple[int, Any]] = {}
        self._history: dict[str, Any] = {}
        self._stopped = False
        self._ws_pending: list[list[Any]] = []
        self._wakeup = threading.Condition()

    def __enter__(self) -> FakeComfy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop answering and drop every connection (a server that died)."""
        with self._wakeup:
            self._stopped = True
            self._wakeup.notify_all()

    @property
    def stopped(self) -> bool:
        """True once the server has "died"."""
        return self._stopped

    def answer(self, method: str, path: str, body: Any, *, status: int = 200) -> None:
        """Answer every ``method path`` (no query) with ``body``: JSON, or text if a str."""
        self._answers[(method, path)] = (status, body)

    # -- the WebSocket factory (a WebSocketFactory, as websocket.create_connection is) -----------
    def websocket(
        self,
        url: str,
        *,
        timeout: float,
        header: list[str],
        sslopt: dict[str, Any],
        suppress_origin: bool,
    ) -> FakeWebSocket:
        """Open a scripted connection, or fail as the real handshake would."""
        if self._stopped:
            raise ConnectionRefusedError(111, "Connection refused")
        parts = urlsplit(url)
        headers = dict(line.split(": ", 1) for line in header)
        self.requests.append(("GET", f"{parts.path}?{parts.query}", headers, b""))
        self.handshakes.append(
            {"url": url, "timeout": timeout, "sslopt": sslopt, "suppress_origin": suppress_origin}
        )
        if self.delay > timeout:
            time.sleep(timeout)
            raise websocket.WebSocketTimeoutException("handshake timed out")
        time.sleep(self.delay)
        if not self.ws_enabled:
            raise websocket.WebSocketBadStatusException("Handshake status 404 Not Found", 404)
        return FakeWebSocket(self)

    # -- what the adapter answers ---------------------------------------------------------------
    def answer_http(
        self, request: requests.PreparedRequest, read_timeout: float | None
    ) -> tuple[int, bytes, str]:
        """(status, body, content type) for one request, as the real server would answer."""
        if self._stopped:
            raise requests.ConnectionError("[Errno 111] Connection refused", request=request)
        body = request.body or b""
        body = body.encode() if isinstance(body, str) else body
        assert request.method is not None and request.url is not None
        parts = urlsplit(request.url)
        path_url = parts.path + (f"?{parts.query}" if parts.query else "")
        self.requests.append((request.method, path_url, dict(request.headers), bytes(body)))
        if self.delay:
            if read_timeout is not None and self.delay > read_timeout:
                time.sleep(read_timeout)
                raise requests.ReadTimeout(
                    f"Read timed out. (read timeout={read_timeout})", request=request
                )
            time.sleep(self.delay)
        if self.fail_all_with is not None:
            text = b"500 Internal Server Error\n\nServer got itself in trouble"
            return self.fail_all_with, text, _TEXT
        scripted = self._answers.get((request.method, parts.path))
        if scripted is not None:
            return _encoded(*scripted)
        if request.method == "GET":
            return self._get(parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()})
        if request.method == "POST":
            return self._post(parts.path, body)
        return 405, b"405: Method Not Allowed", _TEXT

    def _get(self, path: str, query: dict[str, str]) -> tuple[int, bytes, str]:
        if path.startswith("/history/"):
            prompt_id = path[len("/history/") :]
            entry = self._history.get(prompt_id) if self.history_visible else None
            return _encoded(200, {prompt_id: entry} if entry else {})
        if path == "/queue":
            running = [] if self.history_visible else self.queue_running
            return _encoded(200, {"queue_running": running, "queue_pending": []})
        if path == "/view":
            key = (query.get("filename", ""), query.get("subfolder", ""), query.get("type", ""))
            if key in self.files:
                return 200, self.files[key], "image/png"
            return 404, b"", "text/plain"
        if path == "/object_info":
            return _encoded(200, {})
        return 404, b"404: Not Found", "text/plain"

    def _post(self, path: str, body: bytes) -> tuple[int, bytes, str]:
        if path == "/prompt":
            run = self.runs.pop(0) if self.runs else Run(status=500, body="no run scripted")
            if run.status == 200:
                with self._wakeup:
                    self._ws_pending.append(list(run.ws_messages))
                    self._wakeup.notify_all()
                self._history.update(run.history)
            return _encoded(run.status, run.body)
        if path in ("/queue", "/interrupt", "/history", "/free"):
            return 200, b"", "text/plain"
        return 404, b"404: Not Found", "text/plain"

    def _next_batch(self) -> list[Any] | None:
        """The messages of the next posted run, if one waits (call holding ``_wakeup``)."""
        return self._ws_pending.pop(0) if self._ws_pending else None


class FakeAdapter(BaseAdapter):
    """The fake's HTTP side: a ``requests`` transport adapter that answers from its script."""

    def __init__(self, fake: FakeComfy) -> None:
        super().__init__()
        self.fake = fake
        self.sent_with: list[dict[str, Any]] = []  # the options requests gave each send()

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: float | tuple[float, float] | tuple[float, None] | None = None,
        verify: bool | str = True,
        cert: bytes | str | tuple[bytes | str, bytes | str] | None = None,
        proxies: dict[str, str] | None = None,
    ) -> requests.Response:
        """The fake's answer to one request, as a real ``requests.Response``."""
        self.sent_with.append({"timeout": timeout, "verify": verify})
        read_timeout = timeout[1] if isinstance(timeout, tuple) else timeout
        status, body, content_type = self.fake.answer_http(request, read_timeout)
        reason = HTTPStatus(status).phrase
        headers = {"Content-Type": content_type, "Content-Length": str(len(body))}
        response = requests.Response()
        response.status_code = status
        response.reason = reason
        response.headers = CaseInsensitiveDict(headers)
        response.encoding = get_encoding_from_headers(response.headers)
        response.raw = urllib3.HTTPResponse(
            body=io.BytesIO(body),
            headers=headers,
            status=status,
            reason=reason,
            preload_content=False,
        )
        response.url = request.url or ""
        response.request = request
        response.connection = self
        return response

    def close(self) -> None:
        """Nothing to release: no connection was ever opened."""


class FakeWebSocket:
    """One scripted WebSocket connection (a WebSocketConnection, as websocket-client's is).

    It says ``status`` on connect, like the real server, then replays the messages of each run
    posted after it, in order; several connections share the runs, first come first served.
    """

    def __init__(self, fake: FakeComfy) -> None:
        self._fake = fake
        self._connected = True
        self._timeout: float | None = None
        self._inbox: deque[Any] = deque([{"type": "status", "data": {"status": {}, "sid": "x"}}])
        self.sent: list[str] = []

    @property
    def connected(self) -> bool:
        """True until closed, dropped, or the server died."""
        return self._connected and not self._fake.stopped

    def send(self, payload: str) -> int:
        """Take one text frame from the client (the real server ignores what it does not know)."""
        if not self.connected:
            raise websocket.WebSocketConnectionClosedException("socket is already closed.")
        self.sent.append(payload)
        return len(payload)

    def settimeout(self, timeout: float | None) -> None:
        """Bound the next reads."""
        self._timeout = timeout

    def recv_data(self) -> tuple[int, bytes]:
        """The next message: text for JSON-able values, binary for bytes."""
        deadline = None if self._timeout is None else time.monotonic() + self._timeout
        fake = self._fake
        with fake._wakeup:
            while True:
                if not self.connected:
                    self._connected = False
                    raise websocket.WebSocketConnectionClosedException(
                        "Connection to remote host was lost."
                    )
                if not self._inbox:
                    batch = fake._next_batch()
                    if batch is not None:
                        drop = fake.drop_ws_after
                        if drop is not None and len(batch) > drop:
                            batch = [*batch[:drop], _DROP]
                        self._inbox.extend(batch)
                if self._inbox:
                    message = self._inbox.popleft()
                    if message is _DROP:
                        self._connected = False
                        continue
                    if isinstance(message, (bytes, bytearray)):
                        return websocket.ABNF.OPCODE_BINARY, bytes(message)
                    if isinstance(message, RawJSON):
                        return websocket.ABNF.OPCODE_TEXT, message.encode()
                    return websocket.ABNF.OPCODE_TEXT, json.dumps(message).encode()
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    raise websocket.WebSocketTimeoutException("Connection timed out")
                fake._wakeup.wait(remaining)

    def close(self, *, timeout: float = 3) -> None:
        """Close (the real server answers the close frame at once)."""
        self._connected = False

    def shutdown(self) -> None:
        """Drop the connection."""
        self._connected = False


def _encoded(status: int, body: Any) -> tuple[int, bytes, str]:
    if isinstance(body, str):
        return status, body.encode(), _TEXT
    return status, json.dumps(body).encode(), "application/json; charset=utf-8"


def refused_url() -> str:
    """A loopback URL where nothing listens (a port taken then freed): the OS refuses at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def route_own_connections(server: FakeComfy, monkeypatch: Any) -> None:
    """Sessions and WebSockets that comfydsl opens for itself, for the fake's URL, go to the fake.

    Only for the command-line tests: a command builds its own Client (and its catalog's
    Transport) from its arguments and has no seam to inject through. Everywhere else the fake is
    reached through ``adapter=`` and ``websocket=`` only, so that a broken seam fails the tests.
    """
    import comfydsl.transport.http
    import comfydsl.transport.websocket

    made_by_transport = comfydsl.transport.http._own_session
    default_factory = comfydsl.transport.websocket.default_websocket_factory

    def own_session(base_url: str) -> Any:
        session = made_by_transport(base_url)
        if base_url.startswith(server.url):
            session.mount(server.url, server.adapter)
        return session

    def factory() -> Any:
        real = default_factory()

        def connect(url: str, **options: Any) -> Any:
            if url.startswith(server.url.replace("http://", "ws://", 1)):
                return server.websocket(url, **options)
            return real(url, **options)

        return connect

    monkeypatch.setattr(comfydsl.transport.http, "_own_session", own_session)
    monkeypatch.setattr(comfydsl.transport.websocket, "default_websocket_factory", factory)
