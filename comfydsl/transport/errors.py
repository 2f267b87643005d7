"""The errors of one HTTP exchange with a server, the root of the client's branch of the tree.

Each also subclasses the builtin it resembles (``except ConnectionError`` and ``except
TimeoutError`` keep working) and carries the HTTP ``request`` and ``response`` (``requests``
objects) where there is one::

    ComfyDSLError
    └── ClientError                                  .request, .response
        ├── BadServerURL          (ValueError)       a server URL that is not http(s)://host[:port]
        ├── ServerUnreachable     (ConnectionError)  no connection at all: refused, DNS, TLS
        ├── RequestTimeout        (TimeoutError)     a call did not complete by its deadline
        ├── ServerError           (RuntimeError)     a 5xx answer, or one the API does not give
        │   ├── MalformedAnswer                      JSON of a shape the API does not give
        │   └── AnswerTooLarge                       a body or WebSocket message past a limit
        └── RequestRejected       (ValueError)       a 4xx answer

The rest of the branch (a rejected prompt, a failed run, a lost job...) is in
``comfydsl.client.errors``, which re-exports these.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from comfydsl.errors import ComfyDSLError

if TYPE_CHECKING:
    import requests

__all__ = [
    "AnswerTooLarge",
    "BadServerURL",
    "ClientError",
    "MalformedAnswer",
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
    """A call (an HTTP request with its whole body, or the WebSocket handshake) did not complete
    within its deadline, however the server paced its answer. The message names the endpoint and
    the deadline; ``deadline`` holds it in seconds."""

    deadline: float | None = None


class ServerError(ClientError, RuntimeError):
    """The server answered 5xx, or with something that is not what its API gives."""

    def __init__(self, message: str, *, status: int | None = None, body: str = "") -> None:
        self.status = status
        self.body = body
        super().__init__(message)


class MalformedAnswer(ServerError):
    """An answer of a shape the server's API does not give: a list where an object belongs, a
    number where a list of node ids does. The message names the endpoint (or the WebSocket
    message), what was expected and what arrived. A wait ends with it at once: asking again
    would not make the answer readable.
    """

    @classmethod
    def of(
        cls,
        where: str,
        expected: str,
        got: Any,
        *,
        response: requests.Response | None = None,
    ) -> MalformedAnswer:
        """``{where}: expected {expected}, got {type} {value}``, with the HTTP exchange if any.

        >>> str(MalformedAnswer.of("GET /queue", "'queue_running' to be a list", 5))
        "GET /queue: expected 'queue_running' to be a list, got int 5"
        """
        shown = repr(got)
        shown = shown if len(shown) <= 80 else shown[:77] + "..."
        error = cls(
            f"{where}: expected {expected}, got {type(got).__name__} {shown}",
            status=response.status_code if response is not None else None,
            body=response.text if response is not None else "",
        )
        if response is not None:
            error.with_http(response.request, response)
        return error


class AnswerTooLarge(ServerError):
    """An answer larger than the client accepts: a JSON body past ``Transport.max_json_bytes``, a
    WebSocket message past the connection's ``max_message``. ``limit`` is the limit in bytes. It
    is refused before more than the limit is read, so memory stays bounded.
    """

    def __init__(self, message: str, *, limit: int, status: int | None = None) -> None:
        self.limit = limit
        super().__init__(message, status=status)


class RequestRejected(ClientError, ValueError):
    """The server refused a request with a 4xx status (other than a prompt's validation errors)."""

    def __init__(self, message: str, *, status: int, body: str = "") -> None:
        self.status = status
        self.body = body
        super().__init__(message)
