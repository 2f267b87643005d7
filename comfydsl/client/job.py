"""A submitted prompt, and following its run to the end within a timeout.

The run is followed over the client's WebSocket; if that is unavailable or drops, :meth:`Job.wait`
polls ``/history/{id}`` (and ``/queue``) instead and still finishes. Every wait is bounded: by the
caller's timeout (WaitTimeout), and by the client's ``lost_after`` when the server stops answering
(ServerLost).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from comfydsl.client.errors import (
    ClientError,
    ExecutionFailed,
    ExecutionInterrupted,
    JobLost,
    MalformedAnswer,
    RequestTimeout,
    ServerError,
    ServerLost,
    ServerUnreachable,
    WaitTimeout,
)
from comfydsl.client.follow import RunState, outcome_of_history
from comfydsl.client.progress import Progress, ProgressBar, ProgressCallback
from comfydsl.client.results import JobResult
from comfydsl.client.submit import NodeInfo
from comfydsl.client.ws import ConnectionDropped, Preview
from comfydsl.transport.deadline import Deadline

if TYPE_CHECKING:
    from comfydsl.client.http import Client
    from comfydsl.graph import Workflow

__all__ = ["Job"]

# When the WebSocket is silent this long, ask /history once (the end may have been missed).
_SILENCE_CHECK = 5.0
# The least time the requests of one poll get, even at the end of a wait.
_LAST_LOOK = 0.1
# A server in trouble may answer again: these are waited out (up to the client's lost_after).
# A MalformedAnswer is a ServerError too, but it ends the wait at once: the server does answer,
# and asking again would not make the answer readable (waiting it out would end in a ServerLost
# that says the server stopped answering).
_TROUBLE = (ServerUnreachable, RequestTimeout, ServerError)


class Job:
    """A prompt the server accepted: ``prompt_id``, ``number`` (its place in the server's queue).

    >>> job = client.submit(wf)                   # doctest: +SKIP
    >>> result = job.wait(timeout=120)            # doctest: +SKIP
    >>> result.save("out")                        # doctest: +SKIP
    """

    def __init__(
        self,
        client: Client,
        prompt_id: str,
        number: float,
        *,
        prompt: dict[str, Any] | None = None,
        nodes: NodeInfo | None = None,
        workflow: Workflow | None = None,
    ) -> None:
        self.client = client
        self.prompt_id = prompt_id
        self.number = number
        self.prompt = prompt
        self.workflow = workflow
        self.nodes: NodeInfo = nodes or {}
        self._state = RunState(prompt_id, self.nodes)
        self._result: JobResult | None = None
        self._error: ClientError | None = None
        self._cancelled = False
        self._waits = 0

    def __repr__(self) -> str:
        return f"<Job {self.prompt_id} #{self.number:g}>"

    # -- waiting ----------------------------------------------------------------------------------
    def wait(
        self,
        timeout: float | None = None,
        *,
        progress: bool | None = None,
        on_progress: ProgressCallback | None = None,
        on_preview: Callable[[Preview], None] | None = None,
        on_message: Callable[[dict[str, Any]], None] | None = None,
    ) -> JobResult:
        """Wait until the run ends; return its outputs, or raise why it failed.

        ``timeout`` (seconds, default the client's ``wait_timeout``) bounds the whole wait,
        whatever the server sends (every request and WebSocket read inside it ends by the wait's
        deadline): WaitTimeout when it passes, within about 0.1 s (the job goes on; wait again
        or ``cancel()``). ``progress``
        shows a tqdm bar on stderr (default: when stderr is a terminal); ``on_progress`` gets a
        Progress for each node and step, ``on_preview`` each preview image, ``on_message`` every
        WebSocket message of this prompt.

        Raises ExecutionFailed (a node raised), ExecutionInterrupted (interrupted or cancelled),
        ServerLost (the server stopped answering), JobLost (the server forgot the prompt).
        """
        if self._result is not None:
            return self._result
        if self._error is not None:
            raise self._error
        limit = self.client.wait_timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        bar = ProgressBar() if (sys.stderr.isatty() if progress is None else progress) else None

        def report(event: Progress) -> None:
            if bar is not None:
                bar(event)
            if on_progress is not None:
                on_progress(event)

        try:
            outputs = self._follow(deadline, limit, report, on_preview, on_message)
        except ClientError as error:
            if not isinstance(error, WaitTimeout):
                self._error = error
                self._release()
            raise
        finally:
            if bar is not None:
                bar.close()
        return self._finish(outputs=outputs)

    def _follow(
        self,
        deadline: float,
        limit: float,
        report: ProgressCallback,
        on_preview: Callable[[Preview], None] | None,
        on_message: Callable[[dict[str, Any]], None] | None,
    ) -> dict[str, dict[str, Any]]:
        listener = self.client.listener
        watching = self.prompt_id in listener.claimed and listener.connected
        # A wait after an earlier one may have missed nothing, or the end: ask at once.
        next_check = time.monotonic() + (_SILENCE_CHECK if self._waits == 0 else 0.0)
        self._waits += 1
        last: Progress | None = None
        while watching:
            try:
                message = listener.next_for(self.prompt_id, min(deadline, next_check))
            except ConnectionDropped:
                break  # poll from here on
            if message is None:
                if time.monotonic() >= deadline:
                    raise self._timeout(limit)
                try:
                    outputs = self._poll_once(deadline)
                except MalformedAnswer:
                    raise
                except _TROUBLE:
                    break  # the server does not answer HTTP either: poll, and give up in time
                if outputs is not None:
                    return outputs
                next_check = time.monotonic() + _SILENCE_CHECK
                continue
            next_check = time.monotonic() + _SILENCE_CHECK
            if isinstance(message, Preview):
                if on_preview is not None:
                    on_preview(message)
                continue
            if on_message is not None:
                on_message(message)
            over = self._state.feed(message)  # raises on execution_error / interrupted
            event = self._state.progress()
            if event != last:
                report(event)
                last = event
            if over:
                return self._outputs_after_end(deadline)
        return self._poll_until_end(deadline, limit)

    def _outputs_after_end(self, deadline: float) -> dict[str, dict[str, Any]]:
        """The outputs once the WebSocket said the run is over: from /history, else messages."""
        try:
            outputs = self._poll_once(deadline, history_only=True)
        except MalformedAnswer:
            raise
        except _TROUBLE:
            outputs = None
        if outputs is None:
            return dict(self._state.outputs)
        return outputs

    def _poll_until_end(self, deadline: float, limit: float) -> dict[str, dict[str, Any]]:
        interval = self.client.poll_interval
        lost_since: float | None = None
        while True:
            try:
                outputs = self._poll_once(deadline)
                lost_since = None
            except MalformedAnswer:
                raise
            except _TROUBLE as trouble:
                now = time.monotonic()
                lost_since = lost_since if lost_since is not None else now
                if now - lost_since >= self.client.lost_after:
                    raise self._lost(trouble) from trouble
                outputs = None
            if outputs is not None:
                return outputs
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise self._timeout(limit)
            time.sleep(min(interval, remaining))
            interval = min(interval * 1.5, 2.0)

    def _poll_once(
        self, deadline: float, *, history_only: bool = False
    ) -> dict[str, dict[str, Any]] | None:
        """The outputs if the run is over, None if it is queued or running.

        A prompt in neither the queue nor the history is lost (or was cancelled while queued).
        The queue is read between two history reads: the server moves a finished prompt from
        one to the other at once, so a prompt seen in neither really is gone.
        """
        # One deadline for the two or three requests: the client's timeout, or the wait's end
        # (a wait at its end still gets one short look: wait(timeout=0) asks if it is done).
        end = max(deadline, time.monotonic() + _LAST_LOOK)
        bound = Deadline.until(end).sooner(self.client.transport.timeout_seconds)
        where = f"GET /history/{self.prompt_id}"
        entry = self.client.history_entry(self.prompt_id, deadline=bound)
        if entry is not None:
            return outcome_of_history(entry, self.nodes, where=where)
        if history_only:
            return None
        running, pending = self.client.queue_ids(deadline=bound)
        if self.prompt_id in running or self.prompt_id in pending:
            return None
        entry = self.client.history_entry(self.prompt_id, deadline=bound)
        if entry is not None:
            return outcome_of_history(entry, self.nodes, where=where)
        if self._cancelled:
            raise ExecutionInterrupted(
                f"prompt {self.prompt_id} was cancelled before it ran", prompt_id=self.prompt_id
            )
        raise JobLost(
            f"the server at {self.client.url} knows nothing of prompt {self.prompt_id}: it is in "
            "neither its queue nor its history (deleted, or the server restarted)",
            prompt_id=self.prompt_id,
        )

    def _finish(self, *, outputs: dict[str, dict[str, Any]]) -> JobResult:
        self._result = JobResult(
            prompt_id=self.prompt_id,
            outputs=outputs,
            cached=list(self._state.cached),
            fetch=self.client.download_into,
            view_url=self.client.view_url,
        )
        self._release()
        return self._result

    def _release(self) -> None:
        self.client.listener.release(self.prompt_id)

    def _timeout(self, limit: float) -> WaitTimeout:
        where = self._state.progress().node_label
        doing = f"running {where}" if where else "not finished"
        return WaitTimeout(
            f"prompt {self.prompt_id} still {doing} after {limit:g} s; it goes on on the server "
            "(wait again, or cancel it)",
            job=self,
        )

    def _lost(self, trouble: ClientError) -> ServerLost:
        return ServerLost(
            f"the server at {self.client.url} stopped answering while prompt {self.prompt_id} "
            f"was queued or running ({trouble}) for {self.client.lost_after:g} s",
            prompt_id=self.prompt_id,
        )

    # -- state and control ----------------------------------------------------------------------
    @property
    def done(self) -> bool:
        """True once a wait has seen the end of the run (success or failure)."""
        return self._result is not None or self._error is not None

    def status(self) -> str:
        """``"pending"``, ``"running"``, ``"success"``, ``"error"`` or ``"unknown"``.

        Once a wait has seen the run end, that outcome is the answer: the server announces the
        end over the WebSocket a moment before it moves the prompt from its queue to its history,
        and asking it in that moment would say "running". Otherwise the server is asked now.
        """
        if self._result is not None:
            return "success"
        if isinstance(self._error, (ExecutionFailed, ExecutionInterrupted)):
            return "error"
        entry = self.client.history_entry(self.prompt_id)
        if entry is not None:
            status = entry.get("status")
            ok = not isinstance(status, dict) or status.get("status_str") == "success"
            return "success" if ok else "error"
        running, pending = self.client.queue_ids()
        if self.prompt_id in running:
            return "running"
        if self.prompt_id in pending:
            return "pending"
        return "unknown"

    def cancel(self) -> None:
        """Take the prompt off the queue if it waits there, or interrupt it if it runs.

        A wait then raises ExecutionInterrupted. Interrupting acts at the next node boundary.
        """
        self._cancelled = True
        self.client.cancel(self.prompt_id)
