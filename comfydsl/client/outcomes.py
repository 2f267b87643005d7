"""What a run of a pool did: each job's outcome, each server's status, the whole report."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from comfydsl.client.journal import DONE, FAILED
from comfydsl.formats.api import dumps_prompt

if TYPE_CHECKING:
    from comfydsl.client.results import JobResult
    from comfydsl.sweep import SweepJob

__all__ = ["JobOutcome", "ServerStatus", "SweepReport", "prompt_sha"]


@attrs.frozen
class ServerStatus:
    """One server of a pool: ``up`` (taking jobs), ``done`` (jobs it finished in the last run),
    ``in_flight`` (queued there now), ``failures`` (times it was taken out) and its
    ``last_error``."""

    url: str
    up: bool
    done: int
    in_flight: int
    failures: int
    last_error: str | None


@attrs.frozen
class JobOutcome:
    """How one job of a run ended: ``state`` is ``"done"`` or ``"failed"``; ``files`` the saved
    paths; ``error`` why it failed; ``earlier`` when a previous run finished it; ``result`` the
    JobResult when the run saved nothing (no ``out``)."""

    name: str
    params: dict[str, Any]
    state: str
    prompt_id: str
    server: str | None = None
    files: list[Path] = attrs.field(factory=list)
    error: str | None = None
    earlier: bool = False
    result: JobResult | None = attrs.field(default=None, repr=False)


@attrs.frozen
class SweepReport:
    """What a run did: ``outcomes`` (job name -> JobOutcome, in the sweep's order), ``seconds``
    and the pool's ``servers`` at the end."""

    outcomes: dict[str, JobOutcome]
    seconds: float
    servers: list[ServerStatus]

    @property
    def done(self) -> dict[str, JobOutcome]:
        """The jobs that succeeded (in this run or an earlier one)."""
        return {k: v for k, v in self.outcomes.items() if v.state == DONE}

    @property
    def failed(self) -> dict[str, JobOutcome]:
        """The jobs that failed."""
        return {k: v for k, v in self.outcomes.items() if v.state == FAILED}

    @property
    def files(self) -> list[Path]:
        """Every saved file, job by job."""
        return [path for outcome in self.outcomes.values() for path in outcome.files]

    @property
    def jobs_per_second(self) -> float:
        """Jobs finished by this run per second of it."""
        now = sum(1 for o in self.outcomes.values() if o.state == DONE and not o.earlier)
        return now / self.seconds if self.seconds > 0 else 0.0


def prompt_sha(job: SweepJob) -> str:
    """The SHA-256 of a job's prompt (what the journal compares across runs)."""
    return hashlib.sha256(dumps_prompt(job.prompt(), indent=None).encode("utf-8")).hexdigest()
