"""Sweeps against real ComfyUI servers: a template swept by the command line, a run killed with
SIGKILL halfway and started again, and a pool of two servers, one killed and one stopped
mid-sweep.

Needs from tests/integration/conftest.py: ``comfyui_server`` (the session's) and
``fresh_comfyui_server`` (a second server of the test's own). Jobs are model-free
(EmptyImage -> ImageInvert -> SaveImage), each of its own colour, so that nothing comes from
the server's cache and every file a server writes can be told apart.
"""

from __future__ import annotations

import hashlib
import io
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from comfydsl.cli import main
from comfydsl.client import Client, ClientPool, Journal, SweepReport
from comfydsl.client.journal import DONE, JOURNAL_NAME, QUEUED, SUBMITTING
from comfydsl.nodes import EmptyImage, ImageInvert, SaveImage
from comfydsl.sweep import Sweep, grid

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = str(ROOT / "examples" / "templates" / "invert.py.j2")
#: Bounds on how long a test waits for something, not performance assertions.
PATIENCE = 300.0


def wait_for(condition: Callable[[], bool], what: str, timeout: float = PATIENCE) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.05)


def posts(server: Any) -> int:
    """How many prompts the server has been sent (its log says "got prompt" for each POST)."""
    return server.log_path.read_text(encoding="utf-8", errors="replace").count("got prompt")


def executions(server: Any) -> int:
    """How many prompts the server has run to the end (its log says "Prompt executed")."""
    return server.log_path.read_text(encoding="utf-8", errors="replace").count("Prompt executed")


def server_files(server: Any, prefix: str) -> list[str]:
    folder = server.output_dir / prefix
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def states(out: Path) -> dict[str, str]:
    if not (out / JOURNAL_NAME).exists():
        return {}
    try:
        with Journal(out / JOURNAL_NAME, readonly=True) as journal:
            return {entry.name: entry.state for entry in journal.entries()}
    except Exception:  # the first run is making it
        return {}


def inverted(path: Path) -> tuple[int, int, int]:
    with Image.open(path) as image:
        return image.getpixel((0, 0))  # type: ignore[return-value]


def rgb(color: int) -> tuple[int, int, int]:
    return ((color >> 16) & 255, (color >> 8) & 255, color & 255)


def inverse(color: int) -> tuple[int, int, int]:
    return tuple(255 - c for c in rgb(color))  # type: ignore[return-value]


# -- a template swept from the command line ----------------------------------------------------------


def test_a_template_sweep_runs_each_combination_once(
    comfyui_server: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prefix = f"sweep-{uuid.uuid4().hex[:8]}"
    out = tmp_path / "out"
    argv = [
        "run",
        TEMPLATE,
        "--sweep",
        "color=1..3",
        "--sweep",
        "size=8,16",
        "--var",
        f"prefix={prefix}/c",
    ]
    argv += ["--server", comfyui_server.url, "--out", str(out), "--no-progress"]
    before = posts(comfyui_server)
    # What a save killed in the middle leaves (see JobResult.save) is cleared from a job's folder.
    leftovers = [
        out / "color=1,size=8" / prefix / ".comfydsl-x.part",
        out / "color=2,size=8" / ".comfydsl-y.old",
    ]
    for leftover in leftovers:
        leftover.parent.mkdir(parents=True, exist_ok=True)
        leftover.write_bytes(b"half a file")
    assert 0 == main(argv), capsys.readouterr().err
    captured = capsys.readouterr()
    assert "6 of 6 jobs done" in captured.err
    assert not any(leftover.exists() for leftover in leftovers)
    names = [
        "color=1,size=8",
        "color=1,size=16",
        "color=2,size=8",
        "color=2,size=16",
        "color=3,size=8",
        "color=3,size=16",
    ]
    assert dict.fromkeys(names, DONE) == states(out)
    for name in names:
        color, size = (int(part.split("=")[1]) for part in name.split(","))
        (saved,) = (out / name / prefix).iterdir()
        with Image.open(saved) as image:
            assert (size, size) == image.size
        assert inverse(color) == inverted(saved)
    assert sorted(str(p) for p in out.glob("*/*/*.png")) == sorted(captured.out.split())
    assert 6 == posts(comfyui_server) - before

    assert 0 == main(argv)  # again: everything is done, nothing is sent
    assert "6 of 6 jobs done (0 now, 6 done earlier)" in capsys.readouterr().err
    assert 6 == posts(comfyui_server) - before
    assert 0 == main(["jobs", str(out)])
    assert 6 == capsys.readouterr().out.count("done ")


# -- a run killed with SIGKILL halfway, started again --------------------------------------------------


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_sweep_killed_halfway_finishes_with_each_job_run_once(
    comfyui_server: Any, tmp_path: Path
) -> None:
    jobs = 60
    prefix = f"crash-{uuid.uuid4().hex[:8]}"
    out = tmp_path / "out"
    command = [sys.executable, "-m", "comfydsl.cli", "run", TEMPLATE]
    command += [
        "--sweep",
        f"color=0..{jobs - 1}",
        "--var",
        "size=256",
        "--var",
        f"prefix={prefix}/c",
    ]
    command += [
        "--server",
        comfyui_server.url,
        "--out",
        str(out),
        "--no-progress",
        "--in-flight",
        "6",
    ]
    before, ran_before = posts(comfyui_server), executions(comfyui_server)
    log = tmp_path / "first.log"
    with log.open("wb") as stderr:
        first = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=stderr)
        try:
            wait_for(lambda: list(states(out).values()).count(DONE) >= jobs // 4, "a quarter done")
            first.send_signal(signal.SIGKILL)
            assert -signal.SIGKILL == first.wait(timeout=60)
        finally:
            if first.poll() is None:
                first.kill()
    at_kill = states(out)
    sending = [name for name, state in at_kill.items() if state == SUBMITTING]
    queued = [name for name, state in at_kill.items() if state == QUEUED]
    assert queued, f"nothing was queued on the server when the run was killed: {at_kill}"
    assert jobs > list(at_kill.values()).count(DONE)
    # What was queued finishes while no client is there.
    with Client(comfyui_server.url) as client:
        wait_for(lambda: client.queue_ids() == (set(), set()), "the server's queue to empty")

    second = subprocess.run(command, cwd=ROOT, capture_output=True, timeout=PATIENCE)
    said = f"first run:\n{log.read_text()}\nsecond run:\n{second.stderr.decode()}"
    assert 0 == second.returncode, said
    assert f"{jobs} of {jobs} jobs done" in second.stderr.decode(), said

    assert dict.fromkeys(at_kill, DONE) == states(out)
    for color in range(jobs):
        saved = list((out / f"color={color}" / prefix).iterdir())
        assert 1 == len(saved), f"color={color}: {saved}\n{said}"
        assert inverse(color) == inverted(saved[0])
    # Each job ran once: one file each on the server, one execution each in its log. A job the
    # kill caught in the middle of its POST may have been posted twice (the server logs "got
    # prompt" before it reads the body, and queues nothing of a body cut short); no other.
    assert jobs == len(server_files(comfyui_server, prefix)), said
    assert jobs == executions(comfyui_server) - ran_before, said
    assert jobs <= posts(comfyui_server) - before <= jobs + len(sending), (sending, said)


def test_ctrl_c_cancels_the_queued_jobs_and_the_next_run_sends_them(
    comfyui_server: Any, tmp_path: Path
) -> None:
    prefix = f"int-{uuid.uuid4().hex[:8]}"
    out = tmp_path / "out"
    command = [sys.executable, "-m", "comfydsl.cli", "run", TEMPLATE, "--sweep", "color=0..39"]
    command += ["--var", "size=256", "--var", f"prefix={prefix}/c", "--server", comfyui_server.url]
    command += ["--out", str(out), "--no-progress"]
    first = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for(lambda: QUEUED in states(out).values(), "a job queued")
        first.send_signal(signal.SIGINT)
        assert first.stderr is not None
        err = first.stderr.read().decode()
        assert 130 == first.wait(timeout=60), err
    finally:
        if first.poll() is None:
            first.kill()
        if first.stderr is not None:
            first.stderr.close()
    assert err.endswith("interrupted\n"), err
    assert QUEUED not in states(out).values()  # cancelled, and pending again
    with Client(comfyui_server.url) as client:
        assert (set(), set()) == client.queue_ids()
    second = subprocess.run(command, cwd=ROOT, capture_output=True, timeout=PATIENCE)
    assert 0 == second.returncode, second.stderr.decode()
    assert dict.fromkeys(states(out), DONE) == states(out) and 40 == len(states(out))


FAILING = """\
from comfydsl.nodes import (CheckpointLoaderSimple, EmptyImage, EmptyLatentImage, ImageInvert,
                            SaveImage, VAEDecode)
image = EmptyImage(width=8, height=8, color={{ color }})
{% if broken %}
ckpt = CheckpointLoaderSimple(ckpt_name="empty.safetensors")  # passes checks, fails to load
image = VAEDecode(samples=EmptyLatentImage(width=16, height=16), vae=ckpt.VAE)
{% endif %}
SaveImage(images=ImageInvert(image=image), filename_prefix={{ prefix }})
"""


def test_a_failed_job_is_reported_and_run_again_only_when_asked(
    comfyui_server: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = tmp_path / "failing.py.j2"
    template.write_text(FAILING, encoding="utf-8")
    out = tmp_path / "out"
    argv = ["run", str(template), "--sweep", "broken=false,true", "--var", "color=7"]
    argv += ["--var", f"prefix=fail-{uuid.uuid4().hex[:8]}", "--server", comfyui_server.url]
    argv += ["--out", str(out), "--no-progress"]
    before = posts(comfyui_server)
    assert 1 == main(argv)
    err = capsys.readouterr().err
    assert "error: 1 of 2 jobs failed" in err and "broken=true: " in err, err
    assert {"broken=false": DONE, "broken=true": "failed"} == states(out)
    assert 1 == main(argv)  # not run again
    assert 2 == posts(comfyui_server) - before
    assert 1 == main([*argv, "--retry-failed"])  # run again, and failing again
    assert 3 == posts(comfyui_server) - before
    with Journal(out / JOURNAL_NAME, readonly=True) as journal:
        assert 2 == journal.entry("broken=true").attempts


def test_one_job_on_two_servers_saves_its_files_in_out(
    comfyui_server: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    port = comfyui_server.url.rstrip("/").rsplit(":", 1)[1]
    down = "http://127.0.0.1:9"  # nothing listens there: the pool uses the other
    prefix = f"one-{uuid.uuid4().hex[:8]}"
    argv = ["run", TEMPLATE, "--var", "color=9", "--var", f"prefix={prefix}/c", "--no-progress"]
    argv += ["--server", down, "--server", f"http://localhost:{port}", "--out", str(tmp_path)]
    assert 0 == main(argv), capsys.readouterr().err
    (saved,) = (tmp_path / prefix).iterdir()
    assert inverse(9) == inverted(saved)
    assert not (tmp_path / JOURNAL_NAME).exists()


# -- a pool of two real servers ----------------------------------------------------------------------


def invert(color: int, prefix: str, size: int) -> None:
    image = EmptyImage(width=size, height=size, color=color)
    SaveImage(images=ImageInvert(image=image), filename_prefix=prefix)


def digests(report: SweepReport, out: Path) -> dict[str, list[str]]:
    return {
        name: sorted(hashlib.sha256(path.read_bytes()).hexdigest() for path in outcome.files)
        for name, outcome in report.outcomes.items()
    }


def run_in_thread(action: Callable[[], SweepReport]) -> tuple[threading.Thread, dict[str, Any]]:
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["report"] = action()
        except BaseException as exc:  # reported by the test
            box["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread, box


def base(server: Any) -> str:
    """The server's URL as a client writes it (the journal and a pool's statuses use it)."""
    return str(server.url).rstrip("/") + "/"


def warm_up(server: Any) -> None:
    """A first job on a fresh server (its first run loads the nodes' code: seconds)."""
    with Client(server.url) as client:
        client.run(invert_workflow(0), timeout=PATIENCE)


def invert_workflow(color: int) -> Any:
    from comfydsl import Workflow

    with Workflow() as wf:
        invert(color, "warm-up", 8)
    return wf


def done_on(out: Path, server: Any) -> int:
    with Journal(out / JOURNAL_NAME, readonly=True) as journal:
        return sum(1 for e in journal.entries() if e.state == DONE and e.server == base(server))


def test_two_servers_share_a_sweep_and_one_killed_midway_changes_no_result(
    comfyui_server: Any, fresh_comfyui_server: Any, tmp_path: Path
) -> None:
    prefix = f"pool-{uuid.uuid4().hex[:8]}"
    sweep = Sweep(invert, grid(color=range(500, 560), prefix=[prefix], size=[128]))
    jobs = list(sweep)

    one = tmp_path / "one"
    with ClientPool([comfyui_server.url]) as pool, Journal(one / JOURNAL_NAME) as journal:
        alone = pool.run(jobs, out=one, journal=journal)
    assert not alone.failed

    two = tmp_path / "two"
    warm_up(fresh_comfyui_server)
    servers = [comfyui_server.url, fresh_comfyui_server.url]
    with ClientPool(servers, in_flight=3) as pool, Journal(two / JOURNAL_NAME) as journal:
        thread, box = run_in_thread(lambda: pool.run(jobs, out=two, journal=journal))
        wait_for(
            lambda: done_on(two, fresh_comfyui_server) >= 5 or not thread.is_alive(),
            "five jobs done on B",
        )
        assert thread.is_alive(), f"the sweep ended before B did five jobs: {box}"
        fresh_comfyui_server.kill()  # SIGKILL, mid-sweep: its queued jobs are lost with it
        thread.join(PATIENCE)
    assert not thread.is_alive() and "error" not in box, box.get("error")
    report: SweepReport = box["report"]
    assert ({}, len(jobs)) == (report.failed, len(report.done))
    by_url = {status.url: status for status in report.servers}
    killed = by_url[base(fresh_comfyui_server)]
    assert (False, 1) == (killed.up, killed.failures)
    assert killed.done >= 5 and by_url[base(comfyui_server)].done >= 5
    assert digests(alone, one) == digests(report, two)  # the same files, byte for byte


def test_a_server_that_stops_answering_is_taken_out_and_comes_back(
    comfyui_server: Any, fresh_comfyui_server: Any, tmp_path: Path
) -> None:
    """SIGSTOP: the process lives and answers nothing, so every request times out. Both servers
    are stopped together, so that the sweep cannot end before the first is let go again and
    has to take jobs; then the second is let go too."""
    prefix = f"stop-{uuid.uuid4().hex[:8]}"
    sweep = Sweep(invert, grid(color=range(1000, 1120), prefix=[prefix], size=[128]))
    out = tmp_path / "out"
    servers = [comfyui_server, fresh_comfyui_server]
    pool = ClientPool([s.url for s in servers], in_flight=2, timeout=2.0, probe_interval=0.2)
    warm_up(fresh_comfyui_server)
    with pool, Journal(out / JOURNAL_NAME) as journal:
        thread, box = run_in_thread(lambda: pool.run(sweep, out=out, journal=journal))
        wait_for(
            lambda: done_on(out, fresh_comfyui_server) >= 3 or not thread.is_alive(),
            "three jobs done on B",
        )
        assert thread.is_alive(), f"the sweep ended before B did three jobs: {box}"
        for server in servers:
            os.kill(server.pid, signal.SIGSTOP)
        try:
            wait_for(lambda: not any(_status(pool, s).up for s in servers), "both out", 60)
            before = {s.url: done_on(out, s) for s in servers}
            os.kill(fresh_comfyui_server.pid, signal.SIGCONT)
            wait_for(lambda: _status(pool, fresh_comfyui_server).up, "B back", 60)
            wait_for(
                lambda: done_on(out, fresh_comfyui_server) > before[fresh_comfyui_server.url],
                "B at work again",
            )
        finally:
            for server in servers:
                os.kill(server.pid, signal.SIGCONT)
        thread.join(PATIENCE)
    assert not thread.is_alive() and "error" not in box, box.get("error")
    report: SweepReport = box["report"]
    assert ({}, 120) == (report.failed, len(report.done))
    for server in servers:
        (status,) = [s for s in report.servers if s.url == base(server)]
        assert status.up and 1 <= status.failures, status


def _status(pool: ClientPool, server: Any) -> Any:
    (found,) = [s for s in pool.status() if s.url == base(server)]
    return found


def test_a_server_that_answers_5xx_is_taken_out(comfyui_server: Any, tmp_path: Path) -> None:
    """A proxy in front of a server answering 500 (in process: the client's adapter seam)."""
    import requests
    from requests.adapters import HTTPAdapter

    class FailingPosts(HTTPAdapter):
        failing = True

        def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
            if (
                self.failing
                and request.method == "POST"
                and (request.url or "").endswith("/prompt")
            ):
                response = requests.Response()
                response.status_code, response._content = 502, b"Bad Gateway"
                response.url, response.request = request.url or "", request
                response.headers["Content-Type"] = "text/plain"
                return response
            return super().send(request, **kwargs)

    adapter = FailingPosts()
    port = comfyui_server.url.rstrip("/").rsplit(":", 1)[1]
    flaky = Client(f"http://localhost:{port}", adapter=adapter)  # the same server, by another name
    prefix = f"proxy-{uuid.uuid4().hex[:8]}"
    sweep = Sweep(invert, grid(color=range(2000, 2030), prefix=[prefix], size=[64]))
    with flaky, ClientPool([flaky, comfyui_server.url], probe_interval=0.2) as pool:
        report = pool.run(sweep, out=tmp_path / "out")
    assert ({}, 30) == (report.failed, len(report.done))
    by_url = {status.url: status for status in report.servers}
    assert by_url[flaky.url].failures >= 1 and "502" in str(by_url[flaky.url].last_error)
    assert 30 == by_url[base(comfyui_server)].done


def test_a_server_taken_out_and_back_runs_what_it_had_once(
    comfyui_server: Any, tmp_path: Path
) -> None:
    """A download that fails (a proxy's 502, in process) takes the server out with jobs still
    queued there; when it answers again, the worker finds those jobs there (queued or done)
    instead of sending them a second time: one execution, one POST, one file per job."""
    import requests
    from requests.adapters import HTTPAdapter

    class OneBadDownload(HTTPAdapter):
        downloads = 0

        def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
            if "/view?" in (request.url or ""):
                self.downloads += 1
                if self.downloads == 3:
                    response = requests.Response()
                    response.status_code, response.raw = 502, io.BytesIO(b"Bad Gateway")
                    response.url, response.request = request.url or "", request
                    return response
            return super().send(request, **kwargs)

    prefix = f"back-{uuid.uuid4().hex[:8]}"
    sweep = Sweep(invert, grid(color=range(3000, 3024), prefix=[f"{prefix}/c"], size=[128]))
    before, ran_before = posts(comfyui_server), executions(comfyui_server)
    client = Client(comfyui_server.url, adapter=OneBadDownload())
    with client, ClientPool([client], in_flight=6, probe_interval=0.2) as pool:
        report = pool.run(sweep, out=tmp_path / "out")
    assert ({}, 24) == (report.failed, len(report.done))
    (status,) = report.servers
    assert (True, 1) == (status.up, status.failures), status
    assert 24 == len(server_files(comfyui_server, prefix))
    assert (24, 24) == (posts(comfyui_server) - before, executions(comfyui_server) - ran_before)
