"""The errors of the client, one branch of comfydsl's error tree (the HTTP ones come from
``comfydsl.transport.errors`` and are re-exported here).

Each also subclasses the builtin it resembles, so ``except ConnectionError`` or ``except
TimeoutError`` keeps working, and carries the HTTP ``request`` and ``response`` (``requests``
objects) where there is one::

    ComfyDSLError
    └── ClientError                                  .request, .response
        ├── ServerUnreachable     (ConnectionError)  no connection at all: refused, DNS, TLS
        ├── ServerLost            (ConnectionError)  the server went away while a job was followed
        ├── ConnectionDropped     (ConnectionError)  the WebSocket is gone (client.ws; waits poll)
        ├── RequestTimeout        (TimeoutError)     a call did not complete by its deadline
        ├── WaitTimeout           (TimeoutError)     a job did not end within the wait's timeout
        ├── ServerError           (RuntimeError)     a 5xx answer, or one the API does not give
        │   ├── MalformedAnswer                      JSON of a shape the API does not give
        │   └── AnswerTooLarge                       a body or WebSocket message past a limit
        ├── RequestRejected       (ValueError)       a 4xx answer (other than a prompt's validation)
        ├── PromptRejected        (ValidationError)  400 from /prompt: .errors (ServerNodeError)
        ├── ExecutionFailed       (RuntimeError)     execution_error: node, source line, traceback
        ├── ExecutionInterrupted  (RuntimeError)     interrupted, or cancelled while queued
        ├── JobLost               (LookupError)      the server knows nothing of the prompt any more
        ├── UnsafeOutputPath      (ValueError)       a server's file name that would leave the dir
        └── LocalFileError        (OSError)          a local file to upload or to save: .path

    NodeError
    └── ServerNodeError                              one entry of the server's ``node_errors``
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from comfydsl.errors import NodeError, SourceLocation, ValidationError
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

if TYPE_CHECKING:
    from comfydsl.client.job import Job

__all__ = [
    "AnswerTooLarge",
    "BadServerURL",
    "ClientError",
    "ExecutionFailed",
    "ExecutionInterrupted",
    "JobLost",
    "LocalFileError",
    "MalformedAnswer",
    "PromptRejected",
    "RequestRejected",
    "RequestTimeout",
    "ServerError",
    "ServerLost",
    "ServerNodeError",
    "ServerUnreachable",
    "UnsafeOutputPath",
    "WaitTimeout",
]


class ServerLost(ClientError, ConnectionError):
    """The server stopped answering while a job was followed (killed, crashed, network gone)."""

    def __init__(self, message: str, *, prompt_id: str | None = None) -> None:
        self.prompt_id = prompt_id
        super().__init__(message)


class WaitTimeout(ClientError, TimeoutError):
    """A job did not end within the wait's timeout; it may still be queued or running (``job``)."""

    def __init__(self, message: str, *, job: Job | None = None) -> None:
        self.job = job
        super().__init__(message)


class ServerNodeError(NodeError):
    """One entry of the server's ``node_errors`` (or its top-level ``error``) at the user's line.

    Besides NodeError's fields (``type``, ``class_type``, ``node_id``, ``input_name``, ``source``)
    it keeps the server's own ``message``, ``details`` and ``extra_info`` as they arrived.
    """

    def __init__(
        self,
        server_error: dict[str, Any],
        *,
        class_type: str,
        node_id: str | None,
        source: SourceLocation | None,
    ) -> None:
        self.message = str(server_error.get("message", ""))
        self.details = str(server_error.get("details", ""))
        extra = server_error.get("extra_info")
        self.extra_info: dict[str, Any] = extra if isinstance(extra, dict) else {}
        input_name = self.extra_info.get("input_name")
        detail = self.message
        if self.details:
            detail = f"{detail}: {self.details}" if detail else self.details
        super().__init__(
            detail or "rejected by the server",
            class_type=class_type,
            node_id=node_id,
            input_name=input_name if isinstance(input_name, str) else None,
            value=self.extra_info.get("received_value"),
            source=source,
            type=str(server_error.get("type") or "server_error"),
            has_value="received_value" in self.extra_info,
        )


class PromptRejected(ClientError, ValidationError):
    """The server refused the prompt (400 from ``/prompt``).

    ``errors`` lists every problem, each a :class:`ServerNodeError` with the server's
    type/message/details and the file:line where that node was built (or the node id and class for
    prompts loaded from JSON); ``error`` is the server's top-level error object as it arrived.
    """

    def __init__(
        self,
        errors: Sequence[NodeError],
        *,
        error: dict[str, Any] | None = None,
        heading: str = "",
    ) -> None:
        self.error: dict[str, Any] = error or {}
        count = len(errors)
        default = f"the server rejected the prompt ({count} problem{'s' if count != 1 else ''})"
        ValidationError.__init__(self, errors, heading=heading or default)


class ExecutionFailed(ClientError, RuntimeError):
    """A node raised while the server ran the prompt (``execution_error``).

    Fields: ``prompt_id``, ``node_id``, ``class_type``, ``source`` (the user's file:line, or None),
    ``exception_type``, ``exception_message``, ``traceback`` (the server's, a list of strings),
    ``executed`` (node ids that had finished) and ``data`` (the server's message as it arrived).
    """

    def __init__(self, data: dict[str, Any], *, source: SourceLocation | None) -> None:
        self.data = data
        self.prompt_id = str(data.get("prompt_id", ""))
        self.node_id = _opt_str(data.get("node_id"))
        self.class_type = str(data.get("node_type", "?"))
        self.source = source
        self.exception_type = str(data.get("exception_type", ""))
        self.exception_message = str(data.get("exception_message", "")).strip()
        tb = data.get("traceback")
        self.traceback: list[str] = [str(line) for line in tb] if isinstance(tb, list) else []
        self.executed: list[str] = [str(n) for n in data.get("executed") or []]
        where = f"{source}: " if source is not None else ""
        super().__init__(
            f"{where}{self.class_type} (node {self.node_id}) failed on the server: "
            f"{self.exception_type}: {self.exception_message}"
        )

    @property
    def server_traceback(self) -> str:
        """The server's traceback as one string, as Python would print it."""
        return "Traceback (most recent call last):\n" + "".join(self.traceback)


class ExecutionInterrupted(ClientError, RuntimeError):
    """The run was interrupted (``execution_interrupted``), or the job was cancelled while queued.

    ``node_id``/``class_type``/``source`` name the node that was running (None if it never started);
    ``executed`` lists the nodes that had finished.
    """

    def __init__(
        self,
        message: str,
        *,
        prompt_id: str,
        node_id: str | None = None,
        class_type: str | None = None,
        source: SourceLocation | None = None,
        executed: Sequence[str] = (),
    ) -> None:
        self.prompt_id = prompt_id
        self.node_id = node_id
        self.class_type = class_type
        self.source = source
        self.executed = list(executed)
        super().__init__(message)


class JobLost(ClientError, LookupError):
    """The server knows nothing of the prompt: deleted from its queue, or the server restarted."""

    def __init__(self, message: str, *, prompt_id: str) -> None:
        self.prompt_id = prompt_id
        super().__init__(message)


class UnsafeOutputPath(ClientError, ValueError):
    """A server-given file name or subfolder that would put a file outside the target directory."""

    def __init__(self, message: str, *, filename: str, subfolder: str) -> None:
        self.filename = filename
        self.subfolder = subfolder
        super().__init__(message)


class LocalFileError(ClientError, OSError):
    """A local file the client could not read (to upload it) or write (a result), at ``path``.

    The OSError that caused it, if any, is its ``__cause__``.
    """

    def __init__(self, message: str, *, path: os.PathLike[str] | str) -> None:
        super().__init__(message)
        self.path = path


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)
