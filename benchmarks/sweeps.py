"""Benchmarks of templates, sweeps, the journal and the pool of servers (issue 10, points 4, 7).

- sweep: rendering + compiling a 1,000-combination sweep (target: under 1 s), three ways: the
  SDXL seed as a script template (.py.j2, 17 values, 21 nodes), the SVD seed as a prompt
  template (.json.j2), and the Python API (a function per combination). "build" is rendering
  and running (or reading) each combination, "compile" is ``to_api()``; writing the prompts as
  files (indent 2) and the whole ``comfydsl compile --sweep -o DIR`` process (interpreter start
  included) are reported beside, not in the target.
- journal: what the journal adds to each job of a run: the row made for it and the three
  commits of its states (submitting, queued, done with its outputs), on a file on disk.
- pool: jobs per second of a 200-job model-free sweep (EmptyImage -> ImageInvert -> SaveImage,
  64x64, each job its own colour) on one and on two real servers, saved to disk, journal on.
  The rounds alternate (1, 2, 1, 2...) so that both see the machine in the same state.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
TEMPLATES = REPO / "examples" / "templates"
PACKS = str(REPO / "nodes_catalog" / "packs" / "vhs.json")

#: (label, template or None for the Python API, --sweep options): 1,000 combinations each.
SWEEPS = [
    ("SDXL seed, .py.j2", "sdxl_unclip_controlnet.py.j2", ["seed=1..250", "cfg=4,5,6,7"]),
    ("SVD seed, .json.j2", "svd_img2vid.json.j2", ["seed=1..250", "fps=6,8,10,12"]),
    ("invert, Python API", None, ["color=1..250", "size=8,16,32,64"]),
]

Rows = list[dict[str, Any]]


def _median_of(repeats: int, action: Callable[[], Any]) -> tuple[float, float, Any]:
    """The median wall time and the median CPU time of this process (on a machine shared with
    others, the CPU time is what the code itself cost), and the last result."""
    walls, cpus, result = [], [], None
    for _ in range(repeats):
        cpu, start = time.process_time(), time.perf_counter()
        result = action()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), result


def _python_api_jobs(sweeps: list[str]) -> Any:
    from comfydsl.nodes import EmptyImage, ImageInvert, SaveImage
    from comfydsl.sweep import Sweep, combine, parse_axis

    def build(color: int, size: int) -> None:
        image = EmptyImage(width=size, height=size, color=color)
        SaveImage(images=ImageInvert(image=image), filename_prefix="bench/sweep")

    return list(Sweep(build, combine([parse_axis(s) for s in sweeps])))


def _template_jobs(template: str, sweeps: list[str]) -> Any:
    from comfydsl.cli.script import ScriptSource
    from comfydsl.cli.sweeping import build_jobs

    args = argparse.Namespace(var=[], vars=[], sweep=sweeps, zip=False)
    source = ScriptSource(TEMPLATES / template, catalogs=[PACKS])
    return build_jobs(args, source.template, source.workflow)


def bench_sweep(repeats: int) -> Rows:
    """Render + compile 1,000 combinations, three ways (see the module)."""
    from comfydsl.formats.api import dumps_prompt

    rows: Rows = []
    for label, template, sweeps in SWEEPS:

        def build(template: str | None = template, sweeps: list[str] = sweeps) -> Any:
            return (
                _python_api_jobs(sweeps) if template is None else _template_jobs(template, sweeps)
            )

        build_s, build_cpu, jobs = _median_of(repeats, build)
        compile_s, compile_cpu, prompts = _median_of(
            repeats, lambda jobs=jobs: [j.prompt() for j in jobs]
        )

        def write(prompts: list[Any] = prompts) -> None:
            with tempfile.TemporaryDirectory() as folder:
                for i, prompt in enumerate(prompts):
                    (Path(folder) / f"{i}.json").write_text(dumps_prompt(prompt) + "\n")

        write_s, _, _ = _median_of(repeats, write)
        row = {
            "bench": "sweep",
            "sweep": label,
            "combinations": len(jobs),
            "build_s": build_s,
            "compile_s": compile_s,
            "render_compile_s": build_s + compile_s,
            "render_compile_cpu_s": build_cpu + compile_cpu,
            "write_files_s": write_s,
        }
        if template is not None:
            row["cli_process_s"] = _cli_compile(template, sweeps)
        rows.append(row)
    return rows


def _cli_compile(template: str, sweeps: list[str]) -> float:
    """The whole ``comfydsl compile TEMPLATE --sweep ... -o DIR`` process, median of 3."""
    times = []
    for _ in range(3):
        with tempfile.TemporaryDirectory() as folder:
            command = [sys.executable, "-m", "comfydsl.cli", "compile", str(TEMPLATES / template)]
            command += [arg for s in sweeps for arg in ("--sweep", s)]
            command += ["--catalog", PACKS, "-o", folder]
            start = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True, cwd=REPO)
            times.append(time.perf_counter() - start)
    return statistics.median(times)


# -- the journal ------------------------------------------------------------------------------------


def bench_journal(jobs: int = 2000, repeats: int = 3) -> Rows:
    """The journal's time per job: its row, and the commits of its three states."""
    from comfydsl.client.journal import Journal

    outputs = {"3": {"images": [{"filename": "x_00001_.png", "subfolder": "", "type": "output"}]}}
    per_step: dict[str, list[float]] = {"add": [], "submitting": [], "queued": [], "done": []}
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as folder, Journal(Path(folder) / "j.sqlite3") as j:
            names = [(f"seed={i},cfg=5", {"seed": i, "cfg": 5}, f"{i:064x}") for i in range(jobs)]
            start = time.perf_counter()
            j.add(names)
            per_step["add"].append((time.perf_counter() - start) / jobs)
            for step, act in (
                ("submitting", lambda n: j.submitting(n, "http://127.0.0.1:8188/")),
                ("queued", lambda n: j.queued(n, 7)),
                ("done", lambda n: j.done(n, [f"{n}/x_00001_.png"], outputs)),
            ):
                start = time.perf_counter()
                for name, _, _ in names:
                    act(name)
                per_step[step].append((time.perf_counter() - start) / jobs)
    medians = {step: statistics.median(times) * 1e6 for step, times in per_step.items()}
    return [
        {
            "bench": "journal",
            "jobs": jobs,
            **{f"{step}_us": us for step, us in medians.items()},
            "per_job_us": sum(medians.values()),
        }
    ]


# -- the pool on real servers ------------------------------------------------------------------------


@contextlib.contextmanager
def _servers(count: int) -> Iterator[list[Any]]:
    import server_jobs

    with contextlib.ExitStack() as stack:
        yield [stack.enter_context(server_jobs.running_server()) for _ in range(count)]


def bench_pool(jobs: int = 200, rounds: int = 3) -> Rows:
    """Jobs per second of a model-free sweep on one server and on two (see the module)."""
    from comfydsl.client import Client, ClientPool, Journal
    from comfydsl.nodes import EmptyImage, ImageInvert, SaveImage
    from comfydsl.sweep import Sweep, grid

    def build(color: int) -> None:
        image = EmptyImage(width=64, height=64, color=color)
        SaveImage(images=ImageInvert(image=image), filename_prefix="bench/pool")

    rates: dict[int, list[float]] = {1: [], 2: []}
    cpu: dict[int, list[float]] = {1: [], 2: []}
    colours = iter(range(10_000, 10_000_000, 1))
    with _servers(2) as servers:
        for server in servers:  # the first run of a server loads its nodes' code
            with Client(server.url) as client:
                client.run(Sweep(build, [{"color": 1}]).workflow({"color": 1}), timeout=300)
        startup = [s.startup_seconds for s in servers]
        for _ in range(rounds):
            for count in (1, 2):
                sweep = Sweep(build, grid(color=[next(colours) for _ in range(jobs)]))
                listed = list(sweep)
                with tempfile.TemporaryDirectory() as out:
                    pool = ClientPool([s.url for s in servers[:count]])
                    with pool, Journal(Path(out) / "j.sqlite3") as journal:
                        cpu_start = time.process_time()
                        report = pool.run(listed, out=out, journal=journal, progress=False)
                        cpu_used = time.process_time() - cpu_start
                if report.failed:
                    raise RuntimeError(f"{len(report.failed)} jobs failed: {report.failed}")
                rates[count].append(len(report.done) / report.seconds)
                cpu[count].append(cpu_used / len(report.done) * 1000)
    return [
        {
            "bench": "pool",
            "servers": count,
            "jobs": jobs,
            "rounds": rounds,
            "jobs_per_s_median": statistics.median(rates[count]),
            "jobs_per_s_min": min(rates[count]),
            "jobs_per_s_max": max(rates[count]),
            "client_cpu_ms_per_job": statistics.median(cpu[count]),
            "server_startup_s": max(startup),
        }
        for count in (1, 2)
    ]
