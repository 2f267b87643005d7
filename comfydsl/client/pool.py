"""Several ComfyUI servers as one: the jobs of a sweep spread across them, failures survived.

    from comfydsl.client import ClientPool, Journal

    with ClientPool(["http://gpu1:8188", "http://gpu2:8188"]) as pool, \\
            Journal("out/comfydsl-journal.sqlite3") as journal:
        report = pool.run(sweep, out="out", journal=journal)
    report.failed                  # {} when every job succeeded

Each server gets a worker (a thread with the server's own Client) that keeps at most
``in_flight`` jobs queued there, and takes the next job only while the server's queue (its own
count, the ``status`` it broadcasts, or ``GET /prompt``) is shorter than that: so jobs go where
queues are short, and a server busy with someone else's prompts gets fewer. A worker waits for
its jobs in the order the server runs them, saves each job's files in ``out/<job name>/`` while
the server runs the next, and records every step in the journal.

A server that fails (a refused connection, a 5xx answer, a timeout, a WebSocket and HTTP gone
mid-run) is taken out: the jobs it had are sent to the others, and it is asked again every
``probe_interval`` seconds; once it answers, it takes jobs again. A job that fails on its own
(the server rejects the prompt, a node raises) is recorded as failed and the others go on.
If no server answers for ``give_up_after`` seconds (or none answers at all when the run
starts), the run stops with NoServerLeft; what did not finish stays in the journal for the
next run. Ctrl-C cancels the jobs queued on the
servers and stops.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from comfydsl.client.errors import ClientError
from comfydsl.client.http import Client
from comfydsl.client.journal import FAILED, Journal
from comfydsl.client.outcomes import JobOutcome, ServerStatus, SweepReport, prompt_sha
from comfydsl.client.worker import Limits, RunState, Worker
from comfydsl.errors import ComfyDSLError
from comfydsl.sweep import SweepError, SweepJob

__all__ = ["ClientPool", "JobOutcome", "NoServerLeft", "ServerStatus", "SweepReport", "prompt_sha"]


class NoServerLeft(ClientError, ConnectionError):
    """No server of the pool answered for ``give_up_after`` seconds; ``errors`` maps each
    server's URL to its last failure. Unfinished jobs stay in the journal."""

    def __init__(self, message: str, *, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__(message)


def _checked_sha(job: SweepJob) -> str:
    try:
        return prompt_sha(job)
    except ComfyDSLError as exc:  # a workflow that does not compile
        raise SweepError(str(exc), combination=job.name) from exc


class ClientPool:
    """Several servers that run the jobs of a sweep (see the module).

    ``servers`` are URLs (a Client is made for each, with ``headers``, ``verify`` and
    ``timeout``) or Clients of your own (their settings are used as they are). ``in_flight``
    bounds the jobs queued on each server; ``probe_interval`` is how often a server that failed
    is asked again, ``give_up_after`` how long the run goes on with no server answering.
    """

    def __init__(
        self,
        servers: Sequence[str | Client],
        *,
        in_flight: int = 4,
        headers: Mapping[str, str] | None = None,
        verify: bool | str | None = None,
        timeout: float = 30.0,
        probe_interval: float = 1.0,
        give_up_after: float = 300.0,
    ) -> None:
        if not servers:
            raise ValueError("a ClientPool needs at least one server")
        if in_flight < 1:
            raise ValueError(f"in_flight must be at least 1 (got {in_flight})")
        self._given = list(servers)
        urls = [s.url if isinstance(s, Client) else s for s in servers]
        if len(set(urls)) != len(urls):
            raise ValueError(f"a server is given twice: {urls}")
        self.in_flight = in_flight
        self.headers = dict(headers or {})
        self.verify = verify
        self.timeout = timeout
        self.probe_interval = probe_interval
        self.give_up_after = give_up_after
        self._workers: list[Worker] = []

    def __enter__(self) -> ClientPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the clients the pool made."""
        for worker in self._workers:
            worker.close()
        self._workers = []

    def status(self) -> list[ServerStatus]:
        """Each server's status (after or during a run)."""
        return [worker.status() for worker in self._workers]

    def _client(self, server: str | Client, client_id: str) -> tuple[Client, bool]:
        if isinstance(server, Client):
            return server, False
        client = Client(
            server,
            headers=self.headers,
            verify=self.verify,
            timeout=self.timeout,
            client_id=client_id,
        )
        return client, True

    # -- a run ------------------------------------------------------------------------------------
    def run(
        self,
        jobs: Iterable[SweepJob],
        *,
        out: str | os.PathLike[str] | None = None,
        journal: Journal | None = None,
        progress: bool | None = None,
        timeout: float = 1800.0,
        validate: bool = True,
        retry_failed: bool = False,
        folders: bool = True,
    ) -> SweepReport:
        """Run every job (a Sweep, or SweepJobs) on the pool's servers; return what happened.

        With ``out``, each job's files are saved in ``out/<job name>/`` (``folders=False``:
        in ``out`` itself, for a single job). With a ``journal``, jobs it records as done are
        not run again, those it records as sent are looked for on their server first, and
        failed ones are run again only with ``retry_failed``. ``timeout`` bounds each job from
        the moment the server starts on it; ``validate`` checks each workflow against the
        server's node definitions before sending it; ``progress`` shows one bar for the whole
        run (default: when stderr is a terminal).

        Raises NoServerLeft when no server answers for ``give_up_after`` seconds, the error of
        a file that cannot be saved (LocalFileError), and KeyboardInterrupt after cancelling
        the queued jobs.
        """
        started = time.monotonic()
        listed = list(jobs)
        counted = Counter(job.name for job in listed)
        twice = sorted(name for name, count in counted.items() if count > 1)
        if twice:
            raise ValueError(f"jobs of one run need names of their own: {twice} come twice")
        book = journal if journal is not None else Journal(None)
        try:
            entries = book.add((job.name, job.params, _checked_sha(job)) for job in listed)
            if retry_failed and any(entry.state == FAILED for entry in entries):
                for entry in entries:
                    if entry.state == FAILED:  # a new id: the old one has a history of its own
                        book.pending(entry.name, new_id=True)
                entries = [book.entry(entry.name) for entry in entries]
            state = RunState(listed, out, folders, progress)
            self.close()
            limits = Limits(self.in_flight, self.probe_interval, self.timeout)
            for server in self._given:
                client, own = self._client(server, book.client_id)
                self._workers.append(
                    Worker(limits, client, own, state, book, timeout=timeout, validate=validate)
                )
            state.adopt(entries, self._workers)
            self._drive(state)
        finally:
            if journal is None:
                book.close()
        return SweepReport(state.outcomes(), time.monotonic() - started, self.status())

    def _drive(self, state: RunState) -> None:
        for worker in self._workers:
            worker.start()
        try:
            with state.cond:
                while state.stop is None and not state.all_finished():
                    state.cond.wait(0.25)
                    if all(not w.up for w in self._workers):
                        down_since = min(w.down_since or time.monotonic() for w in self._workers)
                        never = all(w.probed and not w.answered for w in self._workers)
                        if never or time.monotonic() - down_since >= self.give_up_after:
                            state.stop = "gave up"  # at once if none ever answered: a typo?
                if state.stop is None:
                    state.stop = "finished"
                state.cond.notify_all()
        except KeyboardInterrupt:
            with state.cond:
                state.stop = "interrupted"
                state.cond.notify_all()
            self._join()
            raise
        finally:
            state.close_bar()
        self._join()
        if state.fatal is not None:
            raise state.fatal
        if state.stop == "gave up":
            errors = {w.url: w.last_error or "no answer" for w in self._workers}
            listed = "; ".join(errors.values())
            when = (
                ""
                if not any(w.answered for w in self._workers)
                else (f" for {self.give_up_after:g} s")
            )
            raise NoServerLeft(
                f"no server answered{when} ({listed}); {state.unfinished()} of "
                f"{len(state.order)} jobs did not finish (run again to go on)",
                errors=errors,
            )

    def _join(self) -> None:
        for worker in self._workers:
            worker.join(timeout=60.0)
