"""The workers of a pool: one thread per server, and the state of the run they share.

A worker keeps at most ``in_flight`` jobs queued on its server and takes the next job only while
the server's queue is shorter than that (see comfydsl.client.pool); it waits for its jobs in the
order the server runs them, saves each one's files while the server runs the next, and writes
every step to the journal before it goes on. When its server fails it gives its jobs back to
the queue for the other workers, and asks the server again now and then until it answers.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from comfydsl.client.errors import (
    ClientError,
    ExecutionFailed,
    ExecutionInterrupted,
    JobLost,
    LocalFileError,
    RequestTimeout,
    ServerError,
    ServerLost,
    ServerUnreachable,
    WaitTimeout,
)
from comfydsl.client.journal import DONE, FAILED, PENDING, QUEUED, SUBMITTING, Journal, JournalEntry
from comfydsl.client.outcomes import JobOutcome, ServerStatus
from comfydsl.client.submit import default_extra_data
from comfydsl.errors import ComfyDSLError
from comfydsl.graph import Workflow
from comfydsl.sweep import SweepJob

if TYPE_CHECKING:
    from tqdm import tqdm

    from comfydsl.client.http import Client
    from comfydsl.client.job import Job
    from comfydsl.client.results import JobResult

__all__ = ["Limits", "RunState", "Worker"]

#: Failures that say the server, not the job, is in trouble: the job is sent elsewhere.
SERVER_TROUBLE = (ServerUnreachable, RequestTimeout, ServerError, ServerLost)
#: How long one wait for a job lasts before the worker looks around (stop asked, server alive).
_SLICE = 1.0
#: How often a worker asks its server whether it is alive while a job runs long, in probe
#: intervals (and at least every second).
_CHECKS_APART = 5


@attrs.frozen
class Limits:
    """What a pool asks of its workers: ``in_flight`` jobs queued per server at most, a failed
    server asked again every ``probe_interval`` seconds, requests bounded by ``timeout``."""

    in_flight: int
    probe_interval: float
    timeout: float


class _Work:
    """A job during a run: what to send, the id it is sent under, and the servers it may have
    reached under that id (a server is asked about it before it is sent there again)."""

    __slots__ = ("job", "prompt_id", "sent_to")

    def __init__(self, job: SweepJob, prompt_id: str, sent_to: str | None = None) -> None:
        self.job = job
        self.prompt_id = prompt_id
        self.sent_to: set[str] = {sent_to} if sent_to else set()

    @property
    def name(self) -> str:
        return self.job.name


class RunState:
    """What the workers of one run share: the queue of jobs to send, the outcomes, the stop."""

    def __init__(
        self,
        jobs: list[SweepJob],
        out: str | os.PathLike[str] | None,
        folders: bool,
        progress: bool | None,
    ) -> None:
        self.cond = threading.Condition()
        self.out = Path(out) if out is not None else None
        self.folders = folders
        self.jobs = {job.name: job for job in jobs}
        self.order = [job.name for job in jobs]
        self.queue: deque[_Work] = deque()
        self.finished: dict[str, JobOutcome] = {}
        self.failed = 0
        self.stop: str | None = None
        self.fatal: BaseException | None = None
        self.workers: list[Worker] = []
        self._bar: tqdm[Any] | None = None
        self._progress = sys.stderr.isatty() if progress is None else progress

    def adopt(self, entries: list[JournalEntry], workers: list[Worker]) -> None:
        """Sort the journal's jobs: done ones are finished, sent ones go back to their server's
        worker to be looked for, the others wait in the queue."""
        self.workers = list(workers)
        by_url = {worker.url: worker for worker in workers}
        for entry in entries:
            sent = entry.server if entry.state in (SUBMITTING, QUEUED) else None
            work = _Work(self.jobs[entry.name], entry.prompt_id, sent)
            if entry.state in (DONE, FAILED):
                self.finished[entry.name] = self._outcome_of(entry, earlier=True)
            elif entry.state == PENDING or entry.server not in by_url:
                self.queue.append(work)
            else:
                by_url[str(entry.server)].adopted.append(work)
        if self._progress:
            from tqdm.auto import tqdm

            self._bar = tqdm(
                total=len(self.order),
                initial=len(self.finished),
                unit="job",
                desc="sweep",
                file=sys.stderr,
                dynamic_ncols=True,
                leave=False,
            )

    def _outcome_of(self, entry: JournalEntry, *, earlier: bool) -> JobOutcome:
        base = self.out if self.out is not None else Path()
        return JobOutcome(
            name=entry.name,
            params=entry.params,
            state=entry.state,
            prompt_id=entry.prompt_id,
            server=entry.server,
            files=[base / f for f in entry.files],
            error=entry.error,
            earlier=earlier,
        )

    # -- called by the workers, each under the lock -----------------------------------------------
    def take(self) -> _Work | None:
        with self.cond:
            return self.queue.popleft() if self.queue and self.stop is None else None

    def give_back(self, works: Sequence[_Work]) -> None:
        with self.cond:
            self.queue.extendleft(reversed(works))
            self.cond.notify_all()

    def finish(self, outcome: JobOutcome) -> None:
        with self.cond:
            if outcome.name in self.finished:  # pragma: no cover - a guard: each job ends once
                return
            self.finished[outcome.name] = outcome
            self.failed += outcome.state == FAILED
            if self._bar is not None:
                up = sum(1 for w in self.workers if w.up)
                failed = f", {self.failed} failed" if self.failed else ""
                self._bar.set_postfix_str(
                    f"{up}/{len(self.workers)} servers{failed}", refresh=False
                )
                self._bar.update(1)
            self.cond.notify_all()

    def fail(self, error: BaseException) -> None:
        with self.cond:
            if self.fatal is None:
                self.fatal = error
            self.stop = "fatal"
            self.cond.notify_all()

    def wait(self, seconds: float) -> None:
        with self.cond:
            if self.stop is None and not self.all_finished():
                self.cond.wait(seconds)

    def all_finished(self) -> bool:
        return len(self.finished) >= len(self.order)

    def unfinished(self) -> int:
        return len(self.order) - len(self.finished)

    def outcomes(self) -> dict[str, JobOutcome]:
        return {name: self.finished[name] for name in self.order if name in self.finished}

    def close_bar(self) -> None:
        with self.cond:
            if self._bar is not None:
                self._bar.close()
                self._bar = None

    def folder_of(self, name: str) -> Path | None:
        if self.out is None:
            return None
        return self.out / name if self.folders else self.out


# -- one server's worker ---------------------------------------------------------------------------


class _InFlight:
    __slots__ = ("job", "since", "work")

    def __init__(self, work: _Work, job: Job) -> None:
        self.work = work
        self.job = job
        self.since: float | None = None  # when the worker began to wait for it


class Worker(threading.Thread):
    """The thread that runs jobs on one server (see the module)."""

    def __init__(
        self,
        limits: Limits,
        client: Client,
        own: bool,
        run: RunState,
        journal: Journal,
        *,
        timeout: float,
        validate: bool,
    ) -> None:
        super().__init__(name=f"comfydsl-pool {client.url}", daemon=True)
        self.limits = limits
        self.client = client
        self.url = client.url
        self.own = own
        self.run_state = run
        self.journal = journal
        self.timeout = timeout
        self.validate = validate
        self.adopted: list[_Work] = []
        self.in_flight: deque[_InFlight] = deque()
        self.up = True
        self.answered = False  # whether the server has answered at all in this run
        self.probed = False  # whether the first look at it is over
        self.down_since: float | None = None
        self.done = 0
        self.failures = 0
        self.last_error: str | None = None
        self._next_probe = 0.0
        self._next_check = 0.0

    def status(self) -> ServerStatus:
        return ServerStatus(
            url=self.url,
            up=self.up,
            done=self.done,
            in_flight=len(self.in_flight),
            failures=self.failures,
            last_error=self.last_error,
        )

    def close(self) -> None:
        if self.own:
            self.client.close()

    # -- the loop ---------------------------------------------------------------------------------
    def run(self) -> None:
        try:
            self._loop()
        except BaseException as exc:  # a file that cannot be saved, the journal's disk, a bug
            self.run_state.fail(exc)

    def _loop(self) -> None:
        run = self.run_state
        if not self._probe():
            self._down(self.last_error or "no answer")
        self.probed = True
        while True:
            if run.stop is not None:
                if run.stop == "interrupted":
                    self._cancel_in_flight()
                return
            if not self.up:
                if time.monotonic() >= self._next_probe and self._probe():
                    self.up, self.down_since = True, None
                else:
                    run.wait(self.limits.probe_interval)
                continue
            if self.adopted:
                self._resume_adopted()
                continue
            self._fill()
            if self.in_flight:
                self._wait_oldest()
            else:
                run.wait(0.25)

    def _probe(self) -> bool:
        """Whether the server answers (``GET /prompt``); the queue length it says is kept."""
        self._next_probe = time.monotonic() + self.limits.probe_interval
        try:
            info = self.client.transport.json_object("prompt", timeout=self.limits.timeout)
        except ClientError as exc:
            self.last_error = str(exc)
            return False
        self.answered = True
        exec_info = info.get("exec_info")
        remaining = exec_info.get("queue_remaining") if isinstance(exec_info, dict) else None
        if isinstance(remaining, int):
            self.client.listener.queue_remaining = remaining
        return True

    def _down(self, error: BaseException | str) -> None:
        """Take the server out: its jobs go back to the queue for the others. The journal
        still says they were sent here (they may be here still): a run started after a crash
        asks this server about them first, and so does this worker if it takes one back."""
        self.last_error = str(error)
        if self.up:
            self.failures += 1
        self.up = False
        self.down_since = time.monotonic()
        self._next_probe = time.monotonic() + self.limits.probe_interval
        works = [flight.work for flight in self.in_flight] + self.adopted
        self.in_flight.clear()
        self.adopted = []
        self.run_state.give_back(works)
        self.client.listener.close()

    # -- sending ----------------------------------------------------------------------------------
    def _load(self) -> int:
        """How many prompts wait on the server: its word when known, at least ours."""
        own = len(self.in_flight)
        if own == 0 and not self._probe():
            return self.limits.in_flight  # it does not answer: the next submit will say why
        reported = self.client.listener.queue_remaining
        return max(own, reported if isinstance(reported, int) else 0)

    def _fill(self) -> None:
        while len(self.in_flight) < self.limits.in_flight and self.up:
            if self._load() >= self.limits.in_flight:
                return
            work = self.run_state.take()
            if work is None:
                return
            if self.url in work.sent_to:
                self._look_for(work)  # sent here before: the server may have it still
            else:
                self._submit(work)

    def _submit(self, work: _Work) -> None:
        job = work.job
        workflow = job.workflow
        extra = default_extra_data(workflow if isinstance(workflow, Workflow) else None)
        extra["extra_pnginfo"]["comfydsl"]["job"] = {"name": job.name, "params": job.params}
        self.journal.submitting(work.name, self.url)
        work.sent_to.add(self.url)
        try:
            submitted = self.client.submit(
                workflow,
                prompt_id=work.prompt_id,
                validate=self.validate,
                extra_data=extra,
            )
        except SERVER_TROUBLE as exc:  # it may have arrived (a timeout): the journal says so
            self.run_state.give_back([work])
            self._down(exc)
            return
        except ComfyDSLError as exc:  # rejected, invalid, a local file missing
            self._failed(work, str(exc))
            return
        if submitted.prompt_id != work.prompt_id:  # a server (or proxy) that chose another id
            work.prompt_id = submitted.prompt_id
            self.journal.queued(work.name, submitted.number, prompt_id=work.prompt_id)
        else:
            self.journal.queued(work.name, submitted.number)
        self.in_flight.append(_InFlight(work, submitted))

    def _resume_adopted(self) -> None:
        """Look for the jobs an earlier run sent here (see ``_look_for``)."""
        self.client.listener.connect()
        while self.adopted and self.up and self.run_state.stop is None:
            self._look_for(self.adopted.pop(0))

    def _look_for(self, work: _Work) -> None:
        """A job this server may have (sent by an earlier run, or before the server was taken
        out): collect it if it finished, follow it if it waits or runs, send it (same id)
        only if the server does not know it. ComfyUI would run a prompt_id it has twice."""
        listener = self.client.listener
        job = self.client.job(work.prompt_id)
        try:
            result = job.wait(timeout=0, progress=False)
        except WaitTimeout:  # queued or running: follow it from here
            if listener.connected or listener.connect():
                listener.claim(work.prompt_id)
            self.in_flight.append(_InFlight(work, job))
            return
        except JobLost:  # the server never got it, or forgot it: send it (same id) again
            self.journal.pending(work.name)
            work.sent_to.discard(self.url)
            self._submit(work)
            return
        except (ExecutionFailed, ExecutionInterrupted) as exc:
            self._failed(work, str(exc))
            return
        except SERVER_TROUBLE as exc:
            self.adopted.insert(0, work)
            self._down(exc)
            return
        self._collect(work, result)

    # -- waiting ----------------------------------------------------------------------------------
    def _wait_oldest(self) -> None:
        flight = self.in_flight[0]
        now = time.monotonic()
        if flight.since is None:
            flight.since = now
        left = self.timeout - (now - flight.since)
        try:
            result = flight.job.wait(timeout=max(0.0, min(_SLICE, left)), progress=False)
        except WaitTimeout:
            if time.monotonic() - flight.since >= self.timeout:
                self.in_flight.popleft()
                self._cancel(flight)
                self._failed(flight.work, f"did not finish within {self.timeout:g} s (cancelled)")
            elif not self.client.listener.connected or time.monotonic() >= self._next_check:
                # A server that stopped (or hangs) says nothing: ask it now and then.
                apart = max(1.0, _CHECKS_APART * self.limits.probe_interval)
                self._next_check = time.monotonic() + apart
                if not self._probe():
                    self._down(self.last_error or "no answer")
            return
        except JobLost:  # the server forgot it (restarted between two looks): send it again
            self.in_flight.popleft()
            self.journal.pending(flight.work.name)
            flight.work.sent_to.discard(self.url)
            self.run_state.give_back([flight.work])
            return
        except (ExecutionFailed, ExecutionInterrupted) as exc:
            self.in_flight.popleft()
            self._failed(flight.work, str(exc))
            return
        except SERVER_TROUBLE as exc:
            self._down(exc)
            return
        self.in_flight.popleft()
        self._collect(flight.work, result)

    def _collect(self, work: _Work, result: JobResult) -> None:
        folder = self.run_state.folder_of(work.name)
        files: list[Path] = []
        if folder is not None:
            if self.run_state.folders:
                _clear_leftovers(folder)
            try:
                files = result.save(folder)
            except LocalFileError:
                raise  # the disk, not the server: the run stops; the journal keeps the job queued
            except SERVER_TROUBLE as exc:  # it finished there: the journal keeps it queued there
                self.run_state.give_back([work])
                self._down(exc)
                return
            except ComfyDSLError as exc:  # a file name that would leave the folder
                self._failed(work, str(exc))
                return
        base = self.run_state.out or Path()
        relative = [os.path.relpath(path, base) for path in files]
        self.journal.done(work.name, relative, result.outputs)
        self.done += 1
        self._finish(work, DONE, files=files, result=result if folder is None else None)

    def _failed(self, work: _Work, error: str) -> None:
        self.journal.failed(work.name, error)
        self._finish(work, FAILED, error=error)

    def _finish(self, work: _Work, state: str, **fields: Any) -> None:
        self.run_state.finish(
            JobOutcome(
                name=work.name,
                params=work.job.params,
                state=state,
                prompt_id=work.prompt_id,
                server=self.url,
                **fields,
            )
        )

    # -- stopping ---------------------------------------------------------------------------------
    def _cancel(self, flight: _InFlight) -> bool:
        try:
            self.client.cancel(flight.work.prompt_id)
        except ClientError:
            return False
        return True

    def _cancel_in_flight(self) -> None:
        """Ctrl-C: take this run's jobs off the server; they are pending again (new ids)."""
        for flight in list(self.in_flight):
            if self._cancel(flight):
                self.journal.pending(flight.work.name, new_id=True)
        self.in_flight.clear()


def _clear_leftovers(folder: Path) -> None:
    """Remove what a save killed in the middle left in a job's own folder: the temporary
    files JobResult.save writes before it names them (``.comfydsl-*.part``) and the old files
    it moves aside while it does (``.comfydsl-*.old``). Only this run writes there."""
    if not folder.is_dir():
        return
    for leftover in folder.rglob(".comfydsl-*"):
        if leftover.suffix in (".part", ".old") and leftover.is_file():
            with contextlib.suppress(OSError):
                leftover.unlink()
