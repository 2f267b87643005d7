"""The journal of a sweep run: what each job is, where it went, and how it ended, on disk.

A journal is one SQLite file beside the outputs (``OUT/comfydsl-journal.sqlite3``; SQLite is
in Python's standard library and needs no server). For each job it keeps the parameters, the
``prompt_id`` the client chose for it, the server it was sent to, its state and its outputs:

    pending     not sent yet
    submitting  about to be posted (or posted, the answer not yet read): the server may have it
    queued      the server accepted it
    done        its files are saved (``files``, relative to the output folder)
    failed      it cannot succeed as it is (``error`` says why)

Every change is committed before the run goes on (write-ahead log, ``synchronous=NORMAL``: a
process killed at any moment loses nothing; only the machine losing power may lose the last
change). A run started again with the same command reads the journal, asks each server about
the jobs it had (by their ``prompt_id``), collects those that finished meanwhile, waits for
those still queued, and sends again only those the server does not know. ComfyUI itself
accepts a ``prompt_id`` it already has and would run the prompt twice: this check is what
keeps a job from running twice.

One run at a time may use a journal: a second one fails at once (a lock held by the first
process, which the system releases however that process ends).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import sys
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import attrs

from comfydsl.errors import ComfyDSLError

__all__ = [
    "DONE",
    "FAILED",
    "JOURNAL_NAME",
    "PENDING",
    "QUEUED",
    "STATES",
    "SUBMITTING",
    "Journal",
    "JournalEntry",
    "JournalError",
    "journal_path",
]

#: The journal's file name in the output folder.
JOURNAL_NAME = "comfydsl-journal.sqlite3"

PENDING = "pending"
SUBMITTING = "submitting"
QUEUED = "queued"
DONE = "done"
FAILED = "failed"
STATES = (PENDING, SUBMITTING, QUEUED, DONE, FAILED)

_SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS jobs (
    name TEXT PRIMARY KEY,
    position INTEGER NOT NULL,
    params TEXT NOT NULL,
    prompt_sha TEXT NOT NULL,
    prompt_id TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL,
    server TEXT,
    number REAL,
    attempts INTEGER NOT NULL DEFAULT 0,
    files TEXT,
    outputs TEXT,
    error TEXT,
    updated REAL NOT NULL
);
"""


class JournalError(ComfyDSLError, ValueError):
    """A journal that cannot be used: not a journal, from a newer comfydsl, written by another
    sweep, or in use by another run. ``path`` is its file."""

    def __init__(self, message: str, *, path: str) -> None:
        self.path = path
        super().__init__(f"{path}: {message}")


@attrs.frozen
class JournalEntry:
    """One job as the journal has it (see the module for the states)."""

    name: str
    position: int
    params: dict[str, Any]
    prompt_sha: str
    prompt_id: str
    state: str
    server: str | None
    number: float | None
    attempts: int
    files: list[str]
    outputs: dict[str, Any] | None
    error: str | None
    updated: float


def journal_path(location: str | os.PathLike[str]) -> Path:
    """The journal file of an output folder, or ``location`` itself when it is a file."""
    path = Path(location)
    return path / JOURNAL_NAME if path.is_dir() or not path.suffix else path


class Journal:
    """A sweep run's journal (see the module). Thread-safe: the workers of a pool share one.

    >>> with Journal("out/comfydsl-journal.sqlite3") as journal:      # doctest: +SKIP
    ...     journal.add([("seed=1", {"seed": 1}, sha)])
    ...     [entry.state for entry in journal.entries()]
    ['pending']

    ``readonly`` opens an existing journal only to read it (``comfydsl jobs``): no lock, no
    change. Otherwise the file (and its folder) is made if missing and locked for this run.
    ``path=None`` keeps the journal in memory (a run that needs no record on disk).
    """

    def __init__(self, path: str | os.PathLike[str] | None, *, readonly: bool = False) -> None:
        self.path = Path(path) if path is not None else None
        self._name = os.fspath(path) if path is not None else ":memory:"
        self._lock = threading.Lock()
        self._lock_file: IO[bytes] | None = None
        if self.path is None:  # a run that keeps no journal: the same bookkeeping, in memory
            self._db = self._connect(":memory:")
            self._check_schema(create=True)
            return
        if readonly:
            if not self.path.is_file():
                what = "is a directory" if self.path.is_dir() else "no such journal"
                raise JournalError(what, path=self._name)
            uri = f"{self.path.resolve().as_uri()}?mode=ro"
            self._db = self._connect(uri, uri=True)
            self._check_schema(create=False)
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except FileExistsError:
            raise JournalError(
                "a file stands where its folder should be", path=self._name
            ) from None
        self._take_lock()
        try:
            self._db = self._connect(os.fspath(self.path))
            try:
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=NORMAL")
            except sqlite3.DatabaseError as exc:
                raise JournalError(f"not a comfydsl journal ({exc})", path=self._name) from None
            self._check_schema(create=True)
        except BaseException:
            self._release_lock()
            raise

    def _connect(self, target: str, *, uri: bool = False) -> sqlite3.Connection:
        try:
            db = sqlite3.connect(
                target, uri=uri, isolation_level=None, check_same_thread=False, timeout=10.0
            )
            db.execute("PRAGMA busy_timeout=10000")
            return db
        except sqlite3.Error as exc:
            raise JournalError(f"cannot open the journal: {exc}", path=self._name) from None

    def _check_schema(self, *, create: bool) -> None:
        try:
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version == 0 and create:
                with self._write():
                    for statement in _SCHEMA.split(";"):
                        if statement.strip():
                            self._db.execute(statement)
                    self._db.execute(f"PRAGMA user_version={_SCHEMA_VERSION}")
                    self._db.execute(
                        "INSERT OR IGNORE INTO meta VALUES ('client_id', ?)", (uuid.uuid4().hex,)
                    )
                return
        except sqlite3.DatabaseError as exc:
            raise JournalError(f"not a comfydsl journal ({exc})", path=self._name) from None
        if version == 0:
            raise JournalError("not a comfydsl journal (empty)", path=self._name)
        if version > _SCHEMA_VERSION:
            raise JournalError(
                f"written by a newer comfydsl (journal version {version})", path=self._name
            )

    # -- the lock of the run ----------------------------------------------------------------------
    def _take_lock(self) -> None:
        assert self.path is not None
        lock_path = self.path.with_name(self.path.name + ".lock")
        try:
            handle = open(lock_path, "a+b")  # noqa: SIM115 - held open for the whole run
        except OSError as exc:
            raise JournalError(
                f"cannot make its lock file {lock_path}: {exc.strerror or exc}", path=self._name
            ) from None
        try:
            _lock_exclusively(handle)
        except OSError:
            handle.close()
            raise JournalError(
                "another comfydsl run is using this journal (wait for it, or use another --out)",
                path=self._name,
            ) from None
        self._lock_file = handle

    def _release_lock(self) -> None:
        if self._lock_file is not None:
            with contextlib.suppress(OSError):
                self._lock_file.close()  # closing releases the lock
            self._lock_file = None

    # -- reading ----------------------------------------------------------------------------------
    @property
    def client_id(self) -> str:
        """The WebSocket client id of this sweep's runs: the same after a restart, so that the
        server's messages about prompts sent before it reach the new process."""
        row = self._query("SELECT value FROM meta WHERE key = 'client_id'")
        return str(row[0][0]) if row else uuid.uuid4().hex

    def entries(self) -> list[JournalEntry]:
        """Every job, in the sweep's order."""
        return [_entry(row) for row in self._query("SELECT * FROM jobs ORDER BY position, name")]

    def entry(self, name: str) -> JournalEntry:
        """One job (KeyError if the journal does not have it)."""
        found = self._query("SELECT * FROM jobs WHERE name = ?", (name,))
        if not found:
            raise KeyError(name)
        return _entry(found[0])

    def counts(self) -> dict[str, int]:
        """How many jobs are in each state (every state listed, zero included)."""
        counted = dict.fromkeys(STATES, 0)
        for state, count in self._query("SELECT state, COUNT(*) FROM jobs GROUP BY state"):
            counted[str(state)] = int(count)
        return counted

    # -- writing ----------------------------------------------------------------------------------
    def add(self, jobs: Iterable[tuple[str, Mapping[str, Any], str]]) -> list[JournalEntry]:
        """Record the jobs of a sweep (``(name, params, prompt_sha)``, in order); return every
        entry the journal then holds for them, in the same order.

        Jobs it already has are kept as they are, so a run started again goes on where the last
        one stopped. A job whose prompt differs from the one recorded (the script, template or
        catalog changed) is a JournalError: its results would not be those of this prompt.
        """
        jobs = list(jobs)
        now = time.time()
        with self._write() as db:
            known = {
                str(name): str(sha) for name, sha in db.execute("SELECT name, prompt_sha FROM jobs")
            }
            for position, (name, params, sha) in enumerate(jobs):
                recorded = known.get(name)
                if recorded is None:
                    db.execute(
                        "INSERT INTO jobs (name, position, params, prompt_sha, prompt_id, state,"
                        " updated) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (name, position, _dump(params), sha, new_prompt_id(), PENDING, now),
                    )
                elif recorded != sha:
                    raise JournalError(
                        f"job {name!r} was recorded with another prompt than it has now (the "
                        "script, template or catalog changed): use another output folder, or "
                        "delete the journal to start over",
                        path=self._name,
                    )
                else:
                    db.execute("UPDATE jobs SET position = ? WHERE name = ?", (position, name))
        wanted = {name for name, _, _ in jobs}
        return [entry for entry in self.entries() if entry.name in wanted]

    def submitting(self, name: str, server: str) -> None:
        """The job is about to be posted to ``server`` (under its recorded prompt_id)."""
        self._update(
            name,
            "state = ?, server = ?, attempts = attempts + 1, error = NULL",
            (SUBMITTING, server),
        )

    def queued(self, name: str, number: float, *, prompt_id: str | None = None) -> None:
        """The server accepted the job; ``number`` is its place in the server's queue
        (``prompt_id``: the id it answered with, when not the one it was sent with)."""
        if prompt_id is None:
            self._update(name, "state = ?, number = ?", (QUEUED, number))
        else:
            self._update(name, "state = ?, number = ?, prompt_id = ?", (QUEUED, number, prompt_id))

    def done(self, name: str, files: Sequence[str], outputs: Mapping[str, Any]) -> None:
        """The job's files are saved (``files`` relative to the output folder)."""
        self._update(
            name,
            "state = ?, files = ?, outputs = ?, error = NULL",
            (DONE, _dump(list(files)), _dump(dict(outputs))),
        )

    def failed(self, name: str, error: str) -> None:
        """The job cannot succeed as it is; ``error`` says why."""
        self._update(name, "state = ?, error = ?", (FAILED, error))

    def pending(self, name: str, *, new_id: bool = False) -> None:
        """Back to pending (to send again), with a new prompt_id if ``new_id`` (after a cancel:
        the old id may have a history entry of its own on the server)."""
        if new_id:
            self._update(name, "state = ?, prompt_id = ?", (PENDING, new_prompt_id()))
        else:
            self._update(name, "state = ?", (PENDING,))

    def _update(self, name: str, assignments: str, values: tuple[Any, ...]) -> None:
        with self._write() as db:
            changed = db.execute(
                f"UPDATE jobs SET {assignments}, updated = ? WHERE name = ?",
                (*values, time.time(), name),
            ).rowcount
        if changed != 1:
            raise KeyError(name)

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield self._db
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                raise JournalError(f"cannot write the journal: {exc}", path=self._name) from None

    def _query(self, sql: str, args: tuple[Any, ...] = ()) -> list[Any]:
        with self._lock:
            try:
                return self._db.execute(sql, args).fetchall()
            except sqlite3.Error as exc:
                raise JournalError(f"cannot read the journal: {exc}", path=self._name) from None

    # -- closing ----------------------------------------------------------------------------------
    def close(self) -> None:
        """Close the database and let other runs use the journal."""
        with self._lock:
            self._db.close()
        self._release_lock()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Journal {self._name}>"


def new_prompt_id() -> str:
    """A new prompt id: a canonical lower-case UUID, as newer servers require."""
    return str(uuid.uuid4())


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=True)


def _load(text: Any, default: Any) -> Any:
    if text is None:
        return default
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return default


def _entry(row: Sequence[Any]) -> JournalEntry:
    (name, position, params, sha, prompt_id, state, server, number, attempts, files, outputs,
     error, updated) = row  # fmt: skip
    return JournalEntry(
        name=str(name),
        position=int(position),
        params=_load(params, {}),
        prompt_sha=str(sha),
        prompt_id=str(prompt_id),
        state=str(state),
        server=server,
        number=number,
        attempts=int(attempts),
        files=_load(files, []),
        outputs=_load(outputs, None),
        error=error,
        updated=float(updated),
    )


def _lock_exclusively(handle: IO[bytes]) -> None:
    """An exclusive lock on an open file, without waiting (OSError if another process has it)."""
    if sys.platform == "win32":  # pragma: no cover - Windows
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
    else:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
