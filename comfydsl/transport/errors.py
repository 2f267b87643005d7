"""The errors of one HTTP exchange with a server, the root of the client's branch of the tree.

Each also subclasses the builtin it resembles (``except ConnectionError`` and ``except
TimeoutError`` keep working) and carries the HTTP ``request`` and ``response`` (``requests``
objects) where there is one::

    ComfyDSLError
    └── ClientError                                  .request, .response
        ├── BadServerURL          (ValueError)       a server URL that is not http(s)://host[:port]
        ├── ServerUnreachable     (ConnectionError)  no connection at all: refused, DNS, TLS
        ├── RequestTimeout        (TimeoutError)     one HTTP request got no answer in time
        ├── ServerError           (RuntimeError)     a 5xx answer, or one the API does not give
        └── RequestRejected       (ValueError)       a 4xx answer

The rest of the branch (a rejected prompt, a failed run, a lost job...) is in
``comfydsl.client.errors``, which re-exports these.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from comfydsl.errors import ComfyDSLError

if TYPE_CHECKING:
    import requests

__all__ = [
    "BadServerURL",
    "ClientError",
    "RequestRejected",
    "RequestTimeout",
    "ServerError",
    "ServerUnreachable",
]


class ClientError(ComfyDSLError):
    """The root of the client's errors; ``request`` and ``response`` are set when there was one."""

    request: requests.PreparedRequest | None = None
    response: requests.Response | None = None

    def with_http(
        self,
        request: requests.PreparedRequest | None = None,
        response: requests.Response | None = None,
    ) -> ClientError:
        """This error with the HTTP exchange that caused it attached."""
        self.request = request
        self.response = response
        return self


class BadServerURL(ClientError, ValueError):
    """A server URL that is not ``http://`` or ``https://`` with a host (and a whole-number port)."""


class ServerUnreachable(ClientError, ConnectionError):
    """No connection could be made to the server (refused, unknown host, TLS failure)."""


class RequestTimeout(ClientError, TimeoutError):
    """One HTTP request (or the WebSocket handshake) got no answer within the client's timeout."""


class ServerError(ClientError, RuntimeError):
    """The server answered 5xx, or with something that is not what its API gives."""

    def __init__(self, message: str, *, status: int | None = None, body: str = "") -> None:
        self.status = status
        self.body = body
        super().__init__(message)


class RequestRejected(ClientError, ValueError):
    """The server refused a request with a 4xx status (other than a prompt's validation errors)."""

    def __init__(self, message: str, *, status: int, body: str = "") -> None:
        self.status = status
        self.body = body
        super().__init__(message)
