"""One HTTP exchange with the server, and every way it can fail mapped to comfydsl's errors.

Every request comfydsl makes goes through a :class:`Transport`: the client's, and the catalog's
``load_catalog("http://...")``; so does the client's WebSocket handshake. It knows the base URL,
the ``requests`` session, the timeout, the TLS settings and the extra headers (sent on every
request and on the handshake); it never retries, so a caller's timeout is the whole story.

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

import json
import os
import ssl
from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import requests

from comfydsl.transport.errors import (
    BadServerURL,
    MalformedAnswer,
    RequestRejected,
    RequestTimeout,
    ServerError,
    ServerUnreachable,
)

if TYPE_CHECKING:
    from requests.adapters import BaseAdapter

    from comfydsl.transport.websocket import WebSocketConnection, WebSocketFactory

Timeout = float | tuple[float, float]

__all__ = ["Timeout", "Transport", "normalize_url"]


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
    ) -> None:
        self.base_url = normalize_url(base_url)
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

    def open_websocket(self, path: str) -> WebSocketConnection:
        """Open the WebSocket at an endpoint path, with this Transport's headers, TLS and timeout.

        Raises what the factory raises when it cannot connect: OSError or
        ``websocket.WebSocketException``.
        """
        factory = self.websocket
        if factory is None:
            from comfydsl.transport.websocket import default_websocket_factory

            factory = default_websocket_factory()
        return factory(
            self.ws_url(path),
            timeout=self.timeout_seconds,
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
        """The longest single wait the timeout allows (the read part of a (connect, read) pair)."""
        return float(max(self.timeout)) if isinstance(self.timeout, tuple) else float(self.timeout)

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
    ) -> requests.Response:
        """Send one request; return the response if its status is in ``accept``, else raise.

        Raises ServerUnreachable (no connection), RequestTimeout (no answer in time), ServerError
        (5xx) or RequestRejected (another 4xx). The exception carries the request and response.
        """
        url = self.url(path)
        headers = self.headers
        body: Any = data
        if json_body is not None:
            # Encoded here rather than by requests, whose encoder refuses NaN (a FLOAT the server
            # takes) and pads every separator with a space the server then has to read.
            body = json.dumps(json_body, separators=(",", ":"), ensure_ascii=False).encode()
            headers = {"Content-Type": "application/json", **headers}
        try:
            response = self.session.request(
                method,
                url,
                params=params,
                data=body,
                files=files,
                headers=headers,
                timeout=timeout if timeout is not None else self.timeout,
            )
        except requests.Timeout as exc:
            raise RequestTimeout(
                f"{method} {url}: no answer within {self._timeout_text(timeout)}"
            ).with_http(_prepared(exc.request)) from exc
        except (requests.ConnectionError, requests.exceptions.InvalidURL) as exc:
            raise ServerUnreachable(
                f"{method} {url}: cannot reach the server ({_reason(exc)})"
            ).with_http(_prepared(exc.request)) from exc
        except requests.RequestException as exc:
            raise ServerError(f"{method} {url}: broken answer ({_reason(exc)})").with_http(
                _prepared(exc.request), exc.response
            ) from exc
        if response.status_code in accept:
            return response
        raise self._status_error(method, url, response)

    def post(self, path: str, body: Any = None) -> requests.Response:
        """POST a JSON body to an endpoint that answers 200 (often with an empty body)."""
        return self.send("POST", path, json_body=body if body is not None else {})

    def json_of(self, response: requests.Response) -> Any:
        """The response's JSON body, or ServerError if it is not JSON."""
        try:
            return response.json()
        except ValueError as exc:
            raise ServerError(
                f"{response.request.method} {response.url}: the answer is not JSON "
                f"({_snippet(response.text)})",
                status=response.status_code,
                body=response.text,
            ).with_http(response.request, response) from exc

    def json_object(
        self,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        timeout: Timeout | None = None,
    ) -> dict[str, Any]:
        """GET an endpoint whose answer is a JSON object, or ServerError."""
        response = self.send("GET", path, params=params, timeout=timeout)
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

    def _timeout_text(self, timeout: Timeout | None) -> str:
        value = timeout if timeout is not None else self.timeout
        if isinstance(value, tuple):
            return f"{value[0]:g} s to connect and {value[1]:g} s to answer"
        return f"{value:g} s"


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
