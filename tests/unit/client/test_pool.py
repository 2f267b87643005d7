"""ClientPool without a server: what it refuses before it starts, and a run that finds no
server answering (refused connections, at once). Its work against real servers is in
tests/integration/test_sweeps.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from comfy_fake import refused_url

from comfydsl import Workflow
from comfydsl.client import ClientPool, Journal, NoServerLeft
from comfydsl.client.journal import JOURNAL_NAME, PENDING
from comfydsl.client.outcomes import JobOutcome, SweepReport, prompt_sha
from comfydsl.nodes import EmptyImage, PreviewImage, SaveImage
from comfydsl.sweep import Combination, Sweep, SweepError, SweepJob, grid


def preview(size: int) -> None:
    PreviewImage(images=EmptyImage(width=size, height=size))


def test_a_pool_needs_servers_of_its_own_and_room_for_a_job() -> None:
    with pytest.raises(ValueError, match="at least one server"):
        ClientPool([])
    with pytest.raises(ValueError, match="in_flight must be at least 1"):
        ClientPool(["http://a:1"], in_flight=0)
    with pytest.raises(ValueError, match="given twice"):
        ClientPool(["http://a:1", "http://a:1"])


def test_jobs_of_one_run_need_names_of_their_own() -> None:
    jobs = list(Sweep(preview, grid(size=[8])))
    with ClientPool([refused_url()]) as pool, pytest.raises(ValueError, match="come twice"):
        pool.run([*jobs, *jobs])


def test_a_job_that_does_not_compile_is_named_before_anything_is_sent() -> None:
    with Workflow() as uncompilable:
        SaveImage()  # images missing: compiling says so
    good = list(Sweep(preview, grid(size=[8])))
    bad = SweepJob(Combination({"size": 0}), uncompilable)
    with ClientPool([refused_url()]) as pool, pytest.raises(SweepError, match=r"^size=0: "):
        pool.run([*good, bad])


def test_no_server_answering_stops_the_run_at_once_and_keeps_the_journal(tmp_path: Path) -> None:
    sweep = Sweep(preview, grid(size=[8, 16]))
    pool = ClientPool([refused_url(), refused_url() + "/b"], give_up_after=600)
    with pool, Journal(tmp_path / JOURNAL_NAME) as journal:
        with pytest.raises(NoServerLeft, match="no server answered \\(") as caught:
            pool.run(sweep, out=tmp_path, journal=journal)
        assert [PENDING, PENDING] == [e.state for e in journal.entries()]
    assert 2 == len(caught.value.errors)
    assert all("cannot reach the server" in e for e in caught.value.errors.values())


def test_a_report_sums_up_its_outcomes() -> None:
    outcomes = {
        "a": JobOutcome("a", {}, "done", "1", files=[Path("a/x.png")]),
        "b": JobOutcome("b", {}, "done", "2", earlier=True, files=[Path("b/x.png")]),
        "c": JobOutcome("c", {}, "failed", "3", error="no"),
    }
    report = SweepReport(outcomes, 2.0, [])
    assert (["a", "b"], ["c"], [Path("a/x.png"), Path("b/x.png")], 0.5) == (
        list(report.done),
        list(report.failed),
        report.files,
        report.jobs_per_second,
    )


def test_the_prompt_hash_follows_the_prompt() -> None:
    one, other = Sweep(preview, grid(size=[8, 16]))
    assert prompt_sha(one) == prompt_sha(next(iter(Sweep(preview, grid(size=[8])))))
    assert prompt_sha(one) != prompt_sha(other)
