"""The Client: one ComfyUI server, its HTTP endpoints, and submitting prompts to it."""

from __future__ import annotations

import io
import os
import uuid
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, BinaryIO
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

import attrs
import requests

from comfydsl.client.errors import MalformedAnswer
from comfydsl.client.job import Job
from comfydsl.client.results import JobResult, OutputFile
from comfydsl.client.submit import Prepared, default_extra_data, prepare, rejection
from comfydsl.client.uploads import UploadedFile, Uploader, upload_image
from comfydsl.client.ws import Listener
from comfydsl.errors import ValidationError
from comfydsl.transport.http import MAX_JSON_BYTES, Timeout, Transport
from comfydsl.transport.websocket import MAX_MESSAGE_BYTES
from comfydsl.validation.workflow import Targets
from comfydsl.validation.workflow import target_ids as _target_ids

if TYPE_CHECKING:
    from requests.adapters import BaseAdapter

    from comfydsl.catalog import Catalog
    from comfydsl.graph import Workflow
    from comfydsl.transport.deadline import Deadline
    from comfydsl.transport.websocket import WebSocketFactory

__all__ = ["Client", "QueueItem", "QueueState"]


@attrs.frozen
class QueueItem:
    """One prompt in the server's queue: ``number`` (lower runs first), ``prompt_id``, the
    ``prompt`` itself, its ``extra_data`` and the output nodes it will run."""

    number: float
    prompt_id: str
    prompt: dict[str, Any] = attrs.field(repr=False)
    extra_data: dict[str, Any] = attrs.field(repr=False)
    outputs: list[str] = attrs.field(repr=False)

    @classmethod
    def from_row(cls, row: Sequence[Any], *, where: str = "GET /queue") -> QueueItem:
        """An item from a row of ``GET /queue`` (``[number, id, prompt, extra_data, outputs]``).

        MalformedAnswer (naming ``where``) for a row that is not such a list.
        """
        if not isinstance(row, (list, tuple)) or len(row) < 2:
            raise MalformedAnswer.of(where, "a queue row [number, prompt_id, ...]", row)
        padded = list(row) + [None] * (5 - len(row))
        if padded[4] is not None and not isinstance(padded[4], list):
            raise MalformedAnswer.of(where, "a queue row's outputs to be a list", padded[4])
        return cls(
            number=padded[0] if isinstance(padded[0], (int, float)) else 0,
            prompt_id=str(padded[1]),
            prompt=padded[2] if isinstance(padded[2], dict) else {},
            extra_data=padded[3] if isinstance(padded[3], dict) else {},
            outputs=[str(o) for o in padded[4] or []],
        )


@attrs.frozen
class QueueState:
    """The server's queue: the prompt ``running`` and those ``pending``, in the order they run."""

    running: list[QueueItem]
    pending: list[QueueItem]


class Client:
    """A client of one ComfyUI server.

    >>> from comfydsl.client import Client
    >>> with Client("http://127.0.0.1:8188") as client:        # doctest: +SKIP
    ...     result = client.submit(wf).wait(timeout=300)
    ...     result.save("out")

    ``adapter`` is a ``requests`` transport adapter (``requests.adapters.BaseAdapter``) that every
    HTTP request goes through, and ``websocket`` the factory that opens the WebSocket (default
    ``websocket.create_connection``; see :mod:`comfydsl.transport.websocket`): the seams a test
    injects a scripted server through, with no socket and no patching. ``session`` is the
    ``requests.Session`` to use instead of the client's own (yours is not closed by the client;
    an ``adapter`` is mounted on it). ``timeout``
    bounds each call as a whole (seconds, or a (connect, read) pair whose larger part bounds the
    call): connecting, the headers, the whole body, the WebSocket handshake, however slowly the
    server sends them; a submit's handshake and POST share one. ``max_json_bytes`` caps a JSON
    answer (AnswerTooLarge past it; files from ``/view`` stream to disk and have no cap) and
    ``max_message_bytes`` a WebSocket message (the connection is dropped and waits poll).
    ``headers`` go on every request
    and on the WebSocket handshake (an auth token behind a proxy); ``client_id`` names this
    client's WebSocket (two connections with one id steal each other's messages: keep it unique).
    ``wait_timeout`` is the default bound of ``Job.wait``, ``poll_interval`` the first pause between
    polls when the WebSocket is not there, ``lost_after`` how long the server may not answer during
    a wait before ServerLost. For https, ``verify`` is a CA bundle to trust (a self-signed
    server's certificate, say) or False to trust any; it holds for the wss WebSocket too.
    """

    def __init__(
        self,
        url: str,
        *,
        session: requests.Session | None = None,
        adapter: BaseAdapter | None = None,
        websocket: WebSocketFactory | None = None,
        timeout: Timeout = 30.0,
        headers: Mapping[str, str] | None = None,
        client_id: str | None = None,
        wait_timeout: float = 1800.0,
        poll_interval: float = 0.25,
        lost_after: float = 10.0,
        verify: bool | str | None = None,
        max_json_bytes: int = MAX_JSON_BYTES,
        max_message_bytes: int = MAX_MESSAGE_BYTES,
    ) -> None:
        self._own_session = session is None
        self.transport = Transport(
            url,
            session=session,
            adapter=adapter,
            websocket=websocket,
            timeout=timeout,
            headers=headers,
            verify=verify,
            max_json_bytes=max_json_bytes,
            max_message_bytes=max_message_bytes,
        )
        self.client_id = client_id or uuid.uuid4().hex
        self.listener = Listener(self.transport, self.client_id)
        self.wait_timeout = wait_timeout
        self.poll_interval = poll_interval
        self.lost_after = lost_after
        self._object_info: dict[str, Any] | None = None
        self._catalog: Catalog | None = None

    @property
    def url(self) -> str:
        """The server's base URL."""
        return self.transport.base_url

    def __repr__(self) -> str:
        return f"<Client {self.url}>"

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the WebSocket, and the HTTP session if the client made it."""
        self.listener.close()
        if self._own_session:
            self.transport.session.close()

    # -- submitting -------------------------------------------------------------------------------
    def submit(
        self,
        workflow: Workflow | Mapping[str, Any],
        *,
        extra_data: Mapping[str, Any] | None = None,
        front: bool = False,
        prompt_id: str | None = None,
        validate: bool = True,
        watch: bool = True,
        targets: Targets = None,
    ) -> Job:
        """Queue a Workflow (or a raw API-format prompt) on the server; return its Job.

        First the workflow is checked against the server's own node definitions (``validate``,
        fetched once per client: model-file choices are then known) and ValidationError lists
        every problem, at the user's lines; then local files (``Path`` values) are uploaded and
        the prompt is posted. A 400 answer raises PromptRejected, every node error mapped to the
        line that built the node. ``extra_data`` replaces :func:`default_extra_data` (which stamps
        saved images with the comfydsl version and script name); ``front`` puts the prompt at the
        head of the queue; ``prompt_id`` chooses its id. ``watch`` opens the WebSocket before
        posting, so the run can be followed from its first message (without it, waits poll).
        ``targets`` (output nodes, or their ids) runs only those outputs and what they need (the
        body's ``partial_execution_targets``); only they are checked, as the server does.

        If the server queues only the outputs that validated (it answers 200 and lists the other
        nodes' errors), the queued part is cancelled and PromptRejected raised: a workflow runs
        whole or not at all.

        >>> job = client.submit(wf)          # doctest: +SKIP
        >>> job.prompt_id, job.number        # doctest: +SKIP
        ('6b0c...', 12)
        """
        prepared = self._prepare(workflow, validate=validate, targets=targets)
        body: dict[str, Any] = {
            "client_id": self.client_id,
            "prompt": prepared.prompt,
            "extra_data": dict(extra_data)
            if extra_data is not None
            else default_extra_data(prepared.workflow),
        }
        if front:
            body["front"] = True
        if prompt_id is not None:
            body["prompt_id"] = prompt_id
        if targets is not None:
            body["partial_execution_targets"] = _target_ids(targets)
        # The handshake and the POST are one call to the server: one timeout for both.
        deadline = self.transport.deadline()
        if watch:
            self.listener.connect(deadline)  # before posting: no message of the run is missed
        response = self.transport.send(
            "POST", "prompt", json_body=body, accept=(200, 400), deadline=deadline
        )
        answer = self.transport.json_of(response)
        if response.status_code == 400:
            raise rejection(answer, prepared.nodes, response=response).with_http(
                response.request, response
            )
        if not isinstance(answer, dict) or not isinstance(answer.get("prompt_id"), str):
            raise MalformedAnswer.of(
                f"POST {response.url}",
                "an object with the queued prompt's 'prompt_id'",
                answer,
                response=response,
            )
        job_id = answer["prompt_id"]
        if watch and self.listener.connected:
            self.listener.claim(job_id)
        if answer.get("node_errors"):
            # Queued with only the outputs that validated: not what was asked for.
            self.cancel(job_id)
            self.listener.release(job_id)
            error = rejection(answer, prepared.nodes, response=response)
            error.args = (f"{error.args[0]}\n(the valid outputs were queued, then cancelled)",)
            raise error.with_http(response.request, response)
        number = answer.get("number", 0)
        return Job(
            self,
            job_id,
            number if isinstance(number, (int, float)) else 0,
            prompt=prepared.prompt,
            nodes=prepared.nodes,
            workflow=prepared.workflow,
        )

    def run(
        self,
        workflow: Workflow | Mapping[str, Any],
        *,
        out: str | os.PathLike[str] | None = None,
        timeout: float | None = None,
        progress: bool | None = None,
        validate: bool = True,
    ) -> JobResult:
        """Submit, wait for the end, and save the output files into ``out`` (if given).

        >>> client.run(wf, out="out").files      # doctest: +SKIP
        """
        result = self.submit(workflow, validate=validate).wait(timeout, progress=progress)
        if out is not None:
            result.save(out)
        return result

    def job(self, prompt_id: str) -> Job:
        """A Job for a prompt queued earlier (by this client or another), to wait on or cancel."""
        return Job(self, prompt_id, 0)

    def _prepare(
        self, workflow: Workflow | Mapping[str, Any], *, validate: bool, targets: Targets = None
    ) -> Prepared:
        uploader = Uploader(lambda path: self.upload_image(path))
        if not validate:
            _target_ids(targets)  # a mistake in them is said before anything is sent
            return prepare(workflow, uploads=uploader, catalog=None)
        fresh = self._catalog is None
        try:
            return prepare(workflow, uploads=uploader, catalog=self.catalog(), targets=targets)
        except ValidationError:
            if fresh:
                raise
        # The server's files may have changed since its definitions were read: read them again.
        return prepare(
            workflow, uploads=uploader, catalog=self.catalog(refresh=True), targets=targets
        )

    # -- node definitions -------------------------------------------------------------------------
    def object_info(self, class_type: str | None = None) -> dict[str, Any]:
        """``GET /object_info`` (every node definition), or one class's (``{}`` if unknown)."""
        if class_type is not None:
            return self._json_object(f"object_info/{quote(class_type, safe='')}")
        if self._object_info is None:
            self._object_info = self._json_object("object_info")
        return self._object_info

    def catalog(self, *, refresh: bool = False) -> Catalog:
        """The server's node definitions as a Catalog (read once; ``refresh`` reads them again)."""
        from comfydsl.catalog import Catalog

        if refresh:
            self._object_info = None
            self._catalog = None
        if self._catalog is None:
            self._catalog = Catalog.from_object_info(
                self.object_info(), source=self.url, files_known=True
            )
        return self._catalog

    # -- queue, history, control -----------------------------------------------------------------
    def queue(self) -> QueueState:
        """``GET /queue``: what runs and what waits."""
        data = self._json_object("queue")
        running, pending = (_queue_rows(data, key) for key in ("queue_running", "queue_pending"))
        return QueueState(
            running=[QueueItem.from_row(r) for r in running],
            pending=[QueueItem.from_row(r) for r in pending],
        )

    def queue_ids(self, *, deadline: Deadline | None = None) -> tuple[set[str], set[str]]:
        """The ids of the running and of the pending prompts (by ``deadline``, if given)."""
        data = self._json_object("queue", deadline=deadline)
        running, pending = (
            {QueueItem.from_row(row).prompt_id for row in _queue_rows(data, key)}
            for key in ("queue_running", "queue_pending")
        )
        return running, pending

    def history(
        self, prompt_id: str | None = None, *, max_items: int | None = None
    ) -> dict[str, Any]:
        """``GET /history`` (every entry, or the last ``max_items``) or ``/history/{prompt_id}``."""
        if prompt_id is not None:
            return self._json_object(f"history/{quote(prompt_id, safe='')}")
        params = {"max_items": max_items} if max_items is not None else None
        return self._json_object("history", params=params)

    def history_entry(
        self, prompt_id: str, *, deadline: Deadline | None = None
    ) -> dict[str, Any] | None:
        """The history entry of one prompt, or None while it has none (queued, running, unknown).

        The request ends by ``deadline``, if given, else within the client's timeout.
        """
        path = f"history/{quote(prompt_id, safe='')}"
        data = self._json_object(path, deadline=deadline)
        entry = data.get(prompt_id)
        if entry is not None and not isinstance(entry, dict):
            raise MalformedAnswer.of(f"GET /{path}", "the prompt's entry to be an object", entry)
        return entry

    def delete_history(self, *prompt_ids: str) -> None:
        """Forget these prompts' history entries."""
        self.transport.post("history", {"delete": list(prompt_ids)})

    def clear_history(self) -> None:
        """Forget the whole history."""
        self.transport.post("history", {"clear": True})

    def delete_queued(self, *prompt_ids: str) -> None:
        """Take these prompts off the queue (a running prompt is not touched: interrupt it)."""
        self.transport.post("queue", {"delete": list(prompt_ids)})

    def clear_queue(self) -> None:
        """Take every pending prompt off the queue (the running one goes on)."""
        self.transport.post("queue", {"clear": True})

    def interrupt(self, prompt_id: str | None = None) -> None:
        """Interrupt the running prompt (only if it is ``prompt_id``, if given) at the next node."""
        self.transport.post("interrupt", {"prompt_id": prompt_id} if prompt_id else {})

    def cancel(self, prompt_id: str) -> None:
        """Cancel one prompt: off the queue if pending, interrupted if running, nothing if done.

        Both requests are harmless when they do not apply, and in this order no moment is missed
        (a prompt that starts between them is interrupted).
        """
        self.delete_queued(prompt_id)
        self.interrupt(prompt_id)

    def free(self, *, unload_models: bool = True, free_memory: bool = True) -> None:
        """Ask the server to unload its models and free memory (after the current prompt)."""
        self.transport.post("free", {"unload_models": unload_models, "free_memory": free_memory})

    def system_stats(self) -> dict[str, Any]:
        """``GET /system_stats``: versions of ComfyUI, Python, PyTorch, and the devices."""
        return self._json_object("system_stats")

    # -- files ------------------------------------------------------------------------------------
    def upload_image(
        self,
        file: str | os.PathLike[str] | bytes,
        *,
        name: str | None = None,
        subfolder: str = "",
        type: str = "input",
        overwrite: bool = False,
    ) -> UploadedFile:
        """Upload an image to the server (``POST /upload/image``); see ``uploads.upload_image``.

        >>> client.upload_image(Path("cat.png")).prompt_value    # doctest: +SKIP
        'cat.png'
        """
        return upload_image(
            self.transport, file, name=name, subfolder=subfolder, type=type, overwrite=overwrite
        )

    def view(self, filename: str, *, subfolder: str = "", type: str = "output") -> bytes:
        """The bytes of one file of the server (``GET /view``), in memory (to stream one to
        disk, :meth:`view_into` or ``JobResult.save``)."""
        sink = io.BytesIO()
        self.view_into(sink, filename, subfolder=subfolder, type=type)
        return sink.getvalue()

    def view_into(
        self, sink: BinaryIO, filename: str, *, subfolder: str = "", type: str = "output"
    ) -> int:
        """Write one file of the server (``GET /view``) into ``sink`` chunk by chunk; return its
        size. Memory stays bounded whatever the file's size; the whole download ends within the
        client's timeout (RequestTimeout past it)."""
        params = {"filename": filename, "subfolder": subfolder, "type": type}
        return self.transport.download("view", sink, params=params)

    def view_url(self, file: OutputFile) -> str:
        """The ``GET /view`` URL of one output file, for a browser (a notebook's player): it
        carries no user name or password of the server's URL, and a browser sends none of the
        client's headers."""
        parts = urlsplit(self.transport.url("view"))
        host = parts.netloc.rpartition("@")[2]
        query = urlencode(file.view_params)
        return urlunsplit((parts.scheme, host, parts.path, query, ""))

    def download(self, file: OutputFile) -> bytes:
        """The bytes of one output file."""
        return self.view(file.filename, subfolder=file.subfolder, type=file.type)

    def download_into(self, file: OutputFile, sink: BinaryIO) -> int:
        """Write one output file into ``sink``, streaming (see :meth:`view_into`)."""
        return self.view_into(sink, file.filename, subfolder=file.subfolder, type=file.type)

    # -- helpers ----------------------------------------------------------------------------------
    def _json_object(
        self,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        deadline: Deadline | None = None,
    ) -> dict[str, Any]:
        return self.transport.json_object(path, params=params, deadline=deadline)


def _queue_rows(data: Mapping[str, Any], key: str) -> list[Any]:
    rows = data.get(key)
    if rows is None:
        return []
    if not isinstance(rows, list):
        raise MalformedAnswer.of("GET /queue", f"{key!r} to be a list of rows", rows)
    return rows
