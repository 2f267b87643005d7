"""The journal of a sweep (comfydsl.client.journal): every step on disk at once, read back by the
next run, one run at a time, and a clear error for a file that is not a journal."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest

from comfydsl.client.journal import (
    DONE,
    FAILED,
    JOURNAL_NAME,
    PENDING,
    QUEUED,
    SUBMITTING,
    Journal,
    JournalError,
    journal_path,
)

JOBS = [("seed=1", {"seed": 1}, "sha1"), ("seed=2", {"seed": 2}, "sha2")]


def test_jobs_go_through_their_states_and_stay_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "out" / JOURNAL_NAME
    with Journal(path) as journal:
        entries = journal.add(JOBS)
        assert [PENDING, PENDING] == [e.state for e in entries]
        assert all(str(uuid.UUID(e.prompt_id)) == e.prompt_id for e in entries)
        journal.submitting("seed=1", "http://a/")
        journal.queued("seed=1", 7)
        journal.done("seed=1", ["seed=1/x.png"], {"3": {"images": []}})
        journal.submitting("seed=2", "http://b/")
        journal.failed("seed=2", "KSampler (node 3) failed")
        client_id = journal.client_id
    with Journal(path, readonly=True) as again:
        first, second = again.entries()
        assert (DONE, "http://a/", 7.0, ["seed=1/x.png"], 1) == (
            first.state,
            first.server,
            first.number,
            first.files,
            first.attempts,
        )
        assert {"3": {"images": []}} == first.outputs
        assert (FAILED, "KSampler (node 3) failed") == (second.state, second.error)
        assert {
            "pending": 0,
            "submitting": 0,
            "queued": 0,
            "done": 1,
            "failed": 1,
        } == again.counts()
        assert client_id == again.client_id


def test_a_second_run_keeps_what_the_first_recorded(tmp_path: Path) -> None:
    path = tmp_path / JOURNAL_NAME
    with Journal(path) as journal:
        before = journal.add(JOBS)
        journal.submitting("seed=1", "http://a/")
    with Journal(path) as journal:
        after = journal.add([*JOBS, ("seed=3", {"seed": 3}, "sha3")])
        assert [SUBMITTING, PENDING, PENDING] == [e.state for e in after]
        assert [e.prompt_id for e in before] == [e.prompt_id for e in after[:2]]
        assert ["seed=1", "seed=2"] == [e.name for e in journal.add(JOBS)]


def test_a_job_whose_prompt_changed_is_an_error(tmp_path: Path) -> None:
    with Journal(tmp_path / JOURNAL_NAME) as journal:
        journal.add(JOBS)
        with pytest.raises(JournalError, match="'seed=2' was recorded with another prompt"):
            journal.add([JOBS[0], ("seed=2", {"seed": 2}, "other"), ("seed=9", {}, "x")])
        assert ["seed=1", "seed=2"] == [e.name for e in journal.entries()]  # nothing added


def test_pending_again_with_a_new_id(tmp_path: Path) -> None:
    with Journal(tmp_path / JOURNAL_NAME) as journal:
        old = journal.add(JOBS)[0].prompt_id
        journal.submitting("seed=1", "http://a/")
        journal.pending("seed=1")
        assert (PENDING, old) == (journal.entry("seed=1").state, journal.entry("seed=1").prompt_id)
        journal.pending("seed=1", new_id=True)
        assert old != journal.entry("seed=1").prompt_id
        with pytest.raises(KeyError):
            journal.queued("nobody", 1)


def test_one_run_at_a_time(tmp_path: Path) -> None:
    path = tmp_path / JOURNAL_NAME
    with Journal(path):
        with pytest.raises(JournalError, match="another comfydsl run is using this journal"):
            Journal(path)
        with Journal(path, readonly=True) as reader:  # reading while it runs is fine
            assert [] == reader.entries()
    Journal(path).close()  # free again


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_killed_run_leaves_a_journal_the_next_run_can_take(tmp_path: Path) -> None:
    path = tmp_path / JOURNAL_NAME
    script = textwrap.dedent(
        f"""
        import sys, time
        from comfydsl.client.journal import Journal
        journal = Journal({str(path)!r})
        journal.add([("seed=1", {{"seed": 1}}, "sha1")])
        journal.submitting("seed=1", "http://a/")
        print("ready", flush=True)
        time.sleep(60)
        """
    )
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE)
    try:
        assert process.stdout is not None
        assert b"ready\n" == process.stdout.readline()
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
        if process.stdout is not None:
            process.stdout.close()
    with Journal(path) as journal:
        assert SUBMITTING == journal.entry("seed=1").state


def test_the_journal_of_a_folder_is_inside_it(tmp_path: Path) -> None:
    assert tmp_path / JOURNAL_NAME == journal_path(tmp_path)
    assert tmp_path / "new" / JOURNAL_NAME == journal_path(tmp_path / "new")
    assert tmp_path / "j.sqlite3" == journal_path(tmp_path / "j.sqlite3")


def test_files_that_are_not_journals_are_errors(tmp_path: Path) -> None:
    (tmp_path / "text.sqlite3").write_text("hello, not a database " * 100, encoding="utf-8")
    with pytest.raises(JournalError, match="not a comfydsl journal"):
        Journal(tmp_path / "text.sqlite3")
    with pytest.raises(JournalError, match="no such journal"):
        Journal(tmp_path / "missing.sqlite3", readonly=True)
    with pytest.raises(JournalError, match="is a directory"):
        Journal(tmp_path, readonly=True)
    newer = tmp_path / "newer.sqlite3"
    with sqlite3.connect(newer) as db:
        db.execute("PRAGMA user_version=99")
    with pytest.raises(JournalError, match="newer comfydsl"):
        Journal(newer)
    (tmp_path / "file").write_text("", encoding="utf-8")
    with pytest.raises(JournalError, match="a file stands where its folder should be"):
        Journal(tmp_path / "file" / JOURNAL_NAME)


def test_a_journal_in_memory_needs_no_file(tmp_path: Path) -> None:
    with Journal(None) as journal:
        journal.add(JOBS)
        journal.done("seed=1", [], {})
        assert 1 == journal.counts()["done"]


def test_the_journal_keeps_a_write_ahead_log(tmp_path: Path) -> None:
    """WAL: each commit is cheap and a reader (comfydsl jobs) never waits for the run."""
    with Journal(tmp_path / JOURNAL_NAME) as journal:
        journal.add(JOBS)
        with sqlite3.connect(tmp_path / JOURNAL_NAME) as db:
            assert "wal" == db.execute("PRAGMA journal_mode").fetchone()[0]
            journal.queued("seed=1", 3)  # while another connection has the file open
            assert QUEUED == db.execute("SELECT state FROM jobs WHERE name='seed=1'").fetchone()[0]
