"""One HTTP exchange with the server, and every way it can fail mapped to comfydsl's errors.

Every request comfydsl makes goes through a :class:`Transport`: the client's, and the catalog's
``load_catalog("http://...")``; so does the client's WebSocket handshake. It knows the base URL,
the ``requests`` session, the timeout, the TLS settings and the extra headers (sent on every
request and on the handshake); it never retries, so a caller's timeout is the whole story.

A timeout bounds a whole call, not each socket read: every call runs under one
:class:`~comfydsl.transport.deadline.Deadline` (connecting, sending, the headers, the whole body,
the WebSocket handshake), each socket wait is given only the time left, and the connections of
the Transport's own session are cut by the deadline's watchdog when it passes (a server that drips
its headers a byte at a time cannot hold a call). Calls end within their timeout and a few tens
of milliseconds. JSON bodies are read whole up to ``max_json_bytes`` (default 256 MiB, past
which AnswerTooLarge); files (:meth:`Transport.download`) stream to a sink in chunks.

Two seams, so that tests (or a tunnel, or a recorder) can stand in for the network without
patching anything:

- HTTP: ``adapter=``, a ``requests`` transport adapter (a ``requests.adapters.BaseAdapter``
  subclass), is mounted on the session for ``http://`` and ``https://``, so every request of this
  Transport goes through its ``send()``. Or pass a whole ``session=`` of your own.
- WebSocket: ``websocket=``, a :class:`~comfydsl.transport.websocket.WebSocketFactory` called as
  ``websocket.create_connection`` is (the default), with this Transport's headers, TLS settings
  and timeout.

>>> class Answer(requests.adapters.BaseAdapter):        # doctest: +SKIP
...     def send(self, request, **kwargs): ...           # a requests.Response for each request
>>> Transport("http://comfy.test", adapter=Answer())    # doctest: +SKIP
"""

from __future__ import annotations

import io
import json
import os
import ssl
from collections.abc import Collection, Iterator, Mapping
from typing import TYPE_CHECKING, Any, BinaryIO
from urllib.parse import urlsplit, urlunsplit

import requests

from comfydsl.transport.adapter import DeadlineAdapter
from comfydsl.transport.deadline import Deadline
from comfydsl.transport.errors import (
    AnswerTooLarge,
    BadServerURL,
    ClientError,
    MalformedAnswer,
    RequestRejected,
    RequestTimeout,
    ServerError,
    ServerUnreachable,
)
from comfydsl.transport.websocket import MAX_MESSAGE_BYTES, default_websocket_factory

if TYPE_CHECKING:
    from requests.adapters import BaseAdapter

    from comfydsl.transport.websocket import WebSocketConnection, WebSocketFactory

Timeout = float | tuple[float, float]

# JSON answers are read whole before parsing: this many bytes at most (/object_info of a server
# with many custom node packs is a few tens of MB). A file from /view streams and has no limit.
MAX_JSON_BYTES = 256 * 1024 * 1024
_ERROR_BODY_LIMIT = 1024 * 1024  # of an error answer, this much is kept for the message
_CHUNK = 64 * 1024
# A call left with (almost) no time still gets this long to fail cleanly rather than at once.
_LEAST_WAIT = 0.05

__all__ = ["MAX_JSON_BYTES", "Timeout", "Transport", "normalize_url"]


def normalize_url(url: str) -> str:
    """The server's base URL with a scheme and exactly one trailing slash.

    >>> normalize_url("127.0.0.1:8188")
    'http://127.0.0.1:8188/'
    >>> normalize_url("https://example.com/comfy")
    'https://example.com/comfy/'
    """
    text = url.strip()
    if "://" not in text:
        text = "http://" + text
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https"):
        raise BadServerURL(f"the server URL must be http:// or https:// (got {url!r})")
    if not parts.hostname:
        raise BadServerURL(f"the server URL has no host (got {url!r})")
    try:
        parts.port  # noqa: B018  (reading it checks it)
    except ValueError:
        raise BadServerURL(f"the server URL has a bad port (got {url!r})") from None
    path = parts.path.rstrip("/") + "/"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def _own_session(base_url: str) -> requests.Session:
    """A session for one server, with what the environment says about it read once.

    requests reads the proxy variables (and ~/.netrc, and the CA-bundle variables) again for every
    request, scanning the whole environment each time: with a large environment that halved the
    rate at which prompts could be queued. The server does not change, so read them here, once;
    the answer is the same as requests would find per request.
    """
    session = requests.Session()
    adapter = DeadlineAdapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    proxies = requests.utils.get_environ_proxies(base_url)
    auth = requests.utils.get_netrc_auth(base_url)
    verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    session.trust_env = False
    session.proxies.update(proxies)
    if auth is not None:
        session.auth = auth
    if verify:
        session.verify = verify
    return session


class Transport:
    """Sends requests to one server and turns failures into :mod:`comfydsl.client.errors`.

    >>> t = Transport("http://127.0.0.1:8188")
    >>> t.url("history/abc")
    'http://127.0.0.1:8188/history/abc'
    """

    def __init__(
        self,
        base_url: str,
        *,
        session: requests.Session | None = None,
        adapter: BaseAdapter | None = None,
        websocket: WebSocketFactory | None = None,
        timeout: Timeout = 30.0,
        headers: Mapping[str, str] | None = None,
        verify: bool | str | None = None,
        max_json_bytes: int = MAX_JSON_BYTES,
        max_message_bytes: int = MAX_MESSAGE_BYTES,
    ) -> None:
        self.base_url = normalize_url(base_url)
        self.max_json_bytes = max_json_bytes
        self.max_message_bytes = max_message_bytes
        self.session = session if session is not None else _own_session(self.base_url)
        if adapter is not None:
            # Both schemes, so that nothing of this session (a redirect, an https URL) escapes it.
            self.session.mount("http://", adapter)
            self.session.mount("https://", adapter)
        self.websocket = websocket
        if verify is not None:
            # For https: False trusts any certificate, a path trusts that CA bundle (also for wss).
            self.session.verify = verify
        self.timeout = timeout
        self.headers = dict(headers or {})

    def url(self, path: str) -> str:
        """The absolute URL of an endpoint path such as ``"prompt"`` or ``"/view"``."""
        return self.base_url + path.lstrip("/")

    def ws_url(self, path: str) -> str:
        """The ``ws://`` or ``wss://`` URL of an endpoint path."""
        http = self.url(path)
        return (
            ("wss://" + http[len("https://") :])
            if http.startswith("https://")
            else ("ws://" + http[len("http://") :])
        )

    def deadline(self, timeout: Timeout | None = None) -> Deadline:
        """A deadline for one call: ``timeout`` (default this Transport's) from now."""
        return Deadline(_total(timeout if timeout is not None else self.timeout))

    def open_websocket(self, path: str, *, deadline: Deadline | None = None) -> WebSocketConnection:
        """Open the WebSocket at an endpoint path, with this Transport's headers, TLS and timeout.

        The handshake ends by ``deadline`` (default: this Transport's timeout from now), so that
        a handshake and the request after it can share one. Raises what the factory raises when
        it cannot connect: OSError or ``websocket.WebSocketException``.
        """
        factory = self.websocket
        if factory is None:
            factory = default_websocket_factory(max_message=self.max_message_bytes)
        deadline = deadline if deadline is not None else self.deadline()
        return factory(
            self.ws_url(path),
            timeout=max(deadline.remaining(), _LEAST_WAIT),
            header=[f"{k}: {v}" for k, v in self.headers.items()],
            sslopt=self.sslopt(),
            suppress_origin=True,  # the server refuses an Origin that differs from Host
        )

    def sslopt(self) -> dict[str, Any]:
        """The session's ``verify`` as websocket-client's ``sslopt`` (the same trust for wss)."""
        verify = getattr(self.session, "verify", True)
        if verify is False:
            return {"cert_reqs": ssl.CERT_NONE, "check_hostname": False}
        if isinstance(verify, str):
            return {"ca_certs": verify}
        return {}

    @property
    def timeout_seconds(self) -> float:
        """The whole-call bound the timeout gives (the larger part of a (connect, read) pair)."""
        return _total(self.timeout)

    def send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        data: Mapping[str, str] | None = None,
        files: Mapping[str, Any] | None = None,
        accept: Collection[int] = (200,),
        timeout: Timeout | None = None,
        deadline: Deadline | None = None,
    ) -> requests.Response:
        """Send one request and read its whole body (at most ``max_json_bytes``); return the
        response if its status is in ``accept``, else raise.

        The whole exchange (connecting, sending, the headers and the body) ends by ``deadline``
        (default: ``timeout``, or this Transport's, from now) whatever the server sends.
        Raises ServerUnreachable (no connection), RequestTimeout (not complete in time),
        AnswerTooLarge (a body past the limit), ServerError (5xx) or RequestRejected (another
        4xx). The exception carries the request and response.
        """
        deadline = deadline if deadline is not None else self.deadline(timeout)
        with deadline.cutting():
            response = self._exchange(
                method, path, deadline, timeout, params, json_body, data, files
            )
            if response.raw is not None:  # else a session of the caller's gave it whole
                try:
                    self._read_body(response, method, deadline, self.max_json_bytes)
                finally:
                    response.close()
        if response.status_code in accept:
            return response
        raise self._status_error(method, response.url or self.url(path), response)

    def download(
        self,
        path: str,
        sink: BinaryIO,
        *,
        params: Mapping[str, Any] | None = None,
        timeout: Timeout | None = None,
        deadline: Deadline | None = None,
    ) -> int:
        """GET an endpoint that answers 200 with a file, writing the body into ``sink`` chunk by
        chunk (memory stays bounded whatever the file's size); return the bytes written.

        The whole download ends by ``deadline`` (default ``timeout`` from now). Raises as
        :meth:`send` does; an answer that is not 200 is read (at most 1 MiB) for its error.
        """
        deadline = deadline if deadline is not None else self.deadline(timeout)
        with deadline.cutting():
            response = self._exchange("GET", path, deadline, timeout, params, None, None, None)
            try:
                if response.status_code != 200:
                    self._read_body(response, "GET", deadline, _ERROR_BODY_LIMIT, truncate=True)
                    raise self._status_error("GET", response.url, response)
                written = 0
                for chunk in self._chunks(response, "GET", deadline):
                    sink.write(chunk)
                    written += len(chunk)
                return written
            finally:
                response.close()

    def _exchange(
        self,
        method: str,
        path: str,
        deadline: Deadline,
        timeout: Timeout | None,
        params: Mapping[str, Any] | None,
        json_body: Any,
        data: Mapping[str, str] | None,
        files: Mapping[str, Any] | None,
    ) -> requests.Response:
        """Send the request and read the answer's headers (the body is left to stream)."""
        url = self.url(path)
        headers = self.headers
        body: Any = data
        if json_body is not None:
            # Encoded here rather than by requests, whose encoder refuses NaN (a FLOAT the server
            # takes) and pads every separator with a space the server then has to read.
            body = json.dumps(json_body, separators=(",", ":"), ensure_ascii=False).encode()
            headers = {"Content-Type": "application/json", **headers}
        remaining = max(deadline.remaining(), _LEAST_WAIT)
        given = timeout if timeout is not None else self.timeout
        connect = given[0] if isinstance(given, tuple) else remaining
        try:
            return self.session.request(
                method,
                url,
                params=params,
                data=body,
                files=files,
                headers=headers,
                stream=True,
                # Each socket wait is bounded by the time left; the deadline's watchdog cuts a
                # server that keeps every single wait short (comfydsl's own adapter).
                timeout=(min(connect, remaining), remaining),
            )
        except requests.RequestException as exc:
            raise self._failure(method, url, deadline, exc) from exc

    def _chunks(
        self, response: requests.Response, method: str, deadline: Deadline
    ) -> Iterator[bytes]:
        """The body, a chunk at a time, ending by the deadline."""
        try:
            for chunk in response.iter_content(_CHUNK):
                if deadline.expired:
                    raise self._timed_out(method, response.url, deadline, response.request)
                yield chunk
        except requests.RequestException as exc:
            raise self._failure(method, response.url, deadline, exc) from exc
        if deadline.expired:
            # The watchdog may have cut the last read short: a cut body is no body.
            raise self._timed_out(method, response.url, deadline, response.request)

    def _read_body(
        self,
        response: requests.Response,
        method: str,
        deadline: Deadline,
        limit: int,
        *,
        truncate: bool = False,
    ) -> None:
        """Read the whole body into ``response.content``, refusing one past ``limit`` bytes."""
        announced = response.headers.get("Content-Length", "")
        if not truncate and announced.isdigit() and int(announced) > limit:
            raise self._too_large(method, response, limit, f"announces {announced} bytes")
        # One buffer, whose bytes become the body without a copy (a list of chunks joined
        # would hold the body twice at the end).
        body = io.BytesIO()
        size = 0
        for chunk in self._chunks(response, method, deadline):
            size += len(chunk)
            if size > limit:
                if truncate:
                    body.write(chunk[: len(chunk) - (size - limit)])
                    break
                raise self._too_large(method, response, limit, f"is over {limit} bytes")
            body.write(chunk)
        # Where requests keeps a body it has read: from here on ``response.content`` is this.
        vars(response).update(_content=body.getvalue(), _content_consumed=True)

    def _too_large(
        self, method: str, response: requests.Response, limit: int, what: str
    ) -> AnswerTooLarge:
        error = AnswerTooLarge(
            f"{method} {response.url}: the answer {what}, past the limit of {limit} bytes "
            "(Transport max_json_bytes)",
            limit=limit,
            status=response.status_code,
        )
        error.with_http(response.request, response)
        return error

    def _failure(
        self, method: str, url: str, deadline: Deadline, exc: requests.RequestException
    ) -> ClientError:
        """The comfydsl error for what requests raised while sending or reading."""
        request = _prepared(exc.request)
        if deadline.expired or isinstance(exc, requests.Timeout):
            return self._timed_out(method, url, deadline, request)
        if isinstance(exc, (requests.ConnectionError, requests.exceptions.InvalidURL)) and not (
            isinstance(exc, requests.exceptions.ChunkedEncodingError)
        ):
            return ServerUnreachable(
                f"{method} {url}: cannot reach the server ({_reason(exc)})"
            ).with_http(request)
        return ServerError(f"{method} {url}: broken answer ({_reason(exc)})").with_http(
            request, exc.response
        )

    def _timed_out(
        self,
        method: str,
        url: str,
        deadline: Deadline,
        request: requests.PreparedRequest | None,
    ) -> RequestTimeout:
        error = RequestTimeout(f"{method} {url}: no complete answer within {deadline.seconds:g} s")
        error.deadline = deadline.seconds
        error.with_http(request)
        return error

    def post(self, path: str, body: Any = None) -> requests.Response:
        """POST a JSON body to an endpoint that answers 200 (often with an empty body)."""
        return self.send("POST", path, json_body=body if body is not None else {})

    def json_of(self, response: requests.Response) -> Any:
        """The response's JSON body, or ServerError if it is not JSON."""
        try:
            return json.loads(response.content)
        except (ValueError, RecursionError) as exc:
            what = "nested deeper than can be read" if isinstance(exc, RecursionError) else ""
            raise ServerError(
                f"{response.request.method} {response.url}: the answer is not JSON "
                f"({what or _snippet(response.text)})",
                status=response.status_code,
                body=response.text,
            ).with_http(response.request, response) from exc

    def json_object(
        self,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        timeout: Timeout | None = None,
        deadline: Deadline | None = None,
    ) -> dict[str, Any]:
        """GET an endpoint whose answer is a JSON object, or ServerError."""
        response = self.send("GET", path, params=params, timeout=timeout, deadline=deadline)
        data = self.json_of(response)
        if not isinstance(data, dict):
            raise MalformedAnswer.of(
                f"GET {response.url}", "a JSON object", data, response=response
            )
        return data

    def _status_error(
        self, method: str, url: str, response: requests.Response
    ) -> ServerError | RequestRejected:
        body = response.text
        status = response.status_code
        said = f": {_snippet(body)}" if body.strip() else ""
        error: ServerError | RequestRejected
        if status >= 500:
            error = ServerError(
                f"{method} {url}: server error {status}{said}", status=status, body=body
            )
        else:
            error = RequestRejected(
                f"{method} {url}: refused with {status} {response.reason}{said}",
                status=status,
                body=body,
            )
        error.with_http(response.request, response)
        return error


def _total(timeout: Timeout) -> float:
    """The whole-call bound of a timeout: a number, or the larger part of a (connect, read) pair."""
    return float(max(timeout)) if isinstance(timeout, tuple) else float(timeout)


def _prepared(request: Any) -> requests.PreparedRequest | None:
    return request if isinstance(request, requests.PreparedRequest) else None


def _reason(exc: BaseException) -> str:
    """The innermost useful reason of a requests/urllib3 exception, in a few words."""
    text = str(exc)
    for marker in ("Connection refused", "Name or service not known", "Remote end closed"):
        if marker in text:
            return marker
    return text if len(text) <= 160 else text[:157] + "..."


def _snippet(text: str, limit: int = 200) -> str:
    one_line = " ".join(text.split())
    if not one_line:
        return "empty body"
    return one_line if len(one_line) <= limit else one_line[: limit - 3] + "..."
