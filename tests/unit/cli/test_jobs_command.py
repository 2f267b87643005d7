"""``comfydsl jobs``: a sweep's journal listed, job by job, read while a run may write it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from comfydsl.cli import main
from comfydsl.client.journal import JOURNAL_NAME, Journal


@pytest.fixture
def out(tmp_path: Path) -> Path:
    with Journal(tmp_path / JOURNAL_NAME) as journal:
        journal.add(
            [
                ("seed=1", {"seed": 1}, "a"),
                ("seed=2", {"seed": 2}, "b"),
                ("seed=3", {"seed": 3}, "c"),
                ("seed=4", {"seed": 4}, "d"),
            ]
        )
        journal.submitting("seed=1", "http://a:8188/")
        journal.queued("seed=1", 4)
        journal.submitting("seed=2", "http://b:8188/")
        journal.done("seed=2", ["seed=2/x_00001_.png"], {})
        journal.submitting("seed=3", "http://a:8188/")
        journal.failed("seed=3", "KSampler (node 5) failed on the server: OOM\nmore")
    return tmp_path


def test_jobs_lists_every_job_and_counts_the_states(
    out: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Journal(out / JOURNAL_NAME, readonly=True) as journal:
        prompt_id = journal.entry("seed=1").prompt_id
    assert 0 == main(["jobs", str(out)])
    captured = capsys.readouterr()
    assert [
        f"queued      seed=1  http://a:8188/  prompt {prompt_id}",
        "done        seed=2  http://b:8188/  seed=2/x_00001_.png",
        "failed      seed=3  http://a:8188/  KSampler (node 5) failed on the server: OOM",
        "pending     seed=4  -",
    ] == captured.out.splitlines()
    assert f"4 jobs: 1 pending, 1 queued, 1 done, 1 failed ({out / JOURNAL_NAME})\n" == captured.err


def test_jobs_filters_by_state_and_speaks_json(
    out: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert 0 == main(["jobs", str(out / JOURNAL_NAME), "--state", "failed", "--state", "done"])
    assert ["done", "failed"] == [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert 0 == main(["jobs", str(out), "--json", "--state", "done"])
    (entry,) = json.loads(capsys.readouterr().out)
    assert ("seed=2", {"seed": 2}, ["seed=2/x_00001_.png"]) == (
        entry["name"],
        entry["params"],
        entry["files"],
    )


@pytest.mark.parametrize(
    ("where", "said"),
    [("missing", "no such journal"), ("text.sqlite3", "not a comfydsl journal")],
)
def test_jobs_of_no_journal_is_an_error(
    tmp_path: Path, where: str, said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "text.sqlite3").write_text("not a database " * 100, encoding="utf-8")
    assert 1 == main(["jobs", str(tmp_path / where)])
    err = capsys.readouterr().err
    assert err.startswith("error: ") and said in err, err
