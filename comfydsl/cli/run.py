"""``comfydsl run``: a script's workflow on a ComfyUI server (or a sweep of them on several),
its outputs saved.

    comfydsl run txt2img.py --server http://127.0.0.1:8188 --out results/ --timeout 600
    comfydsl run txt2img.py --server https://comfy.example --header 'Authorization: Bearer T'
    comfydsl run txt2img.py.j2 --sweep seed=1..8 --sweep cfg=5,7 \
        --server http://gpu1:8188 --server http://gpu2:8188 --out results/

The server is asked with the same headers and TLS settings for everything: the catalogs given as
URLs, its node definitions, the prompt, the WebSocket, the files. Ctrl-C (or the timeout) cancels
the prompt on the server. The paths of the saved files are printed, one a line.

A sweep saves each job's files in ``OUT/<job name>/`` and keeps a journal,
``OUT/comfydsl-journal.sqlite3``: run the same command again after a crash (or Ctrl-C) and it
sends only what did not finish, collecting what finished meanwhile (``comfydsl jobs OUT`` shows
where each job stands). Several ``--server`` share the jobs (see comfydsl.client.pool).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from comfydsl.cli.arguments import (
    HTTPOptions,
    add_catalog_argument,
    add_server_arguments,
    http_options,
)
from comfydsl.cli.output import write_output
from comfydsl.cli.script import ScriptSource
from comfydsl.cli.sweeping import add_template_arguments, build_jobs, is_sweep
from comfydsl.errors import ComfyDSLError

if TYPE_CHECKING:
    from comfydsl.client import Job, JobResult, SweepReport
    from comfydsl.sweep import SweepJob

__all__ = ["add_run_command"]


def add_run_command(commands: Any) -> argparse.ArgumentParser:
    """Add ``run SCRIPT --server URL [--out DIR] [--timeout S]`` to a subparsers object."""
    parser: argparse.ArgumentParser = commands.add_parser(
        "run",
        help="run a script's workflow on a ComfyUI server and save its outputs",
        description=(
            "Run a comfydsl script, check its workflow against the server's nodes, submit it, "
            "show its progress and save every output file under --out. SCRIPT may be '-': "
            "standard input, as for compile."
        ),
    )
    parser.add_argument(
        "script",
        help="a Python script, an API-format .json prompt, a template of either (.py.j2, "
        ".json.j2), or - for standard input",
    )
    add_server_arguments(parser, several=True)
    parser.add_argument("--out", default=".", metavar="DIR", help="where outputs go (default: .)")
    parser.add_argument(
        "--timeout",
        type=float,
        default=1800.0,
        metavar="S",
        help="give up waiting after S seconds (default: 1800); the prompt is then cancelled "
        "(in a sweep: for each job, from when the server starts on it; the job fails)",
    )
    parser.add_argument("--workflow", help="the global variable holding the workflow to run")
    add_catalog_argument(
        parser,
        "node definitions of custom node packs for building the workflow (a file, a server URL "
        "asked with --header, or -); repeatable",
    )
    parser.add_argument(
        "--no-validate",
        action="store_true",
        help="send without checking against the server's node definitions first",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument(
        "--traceback", action="store_true", help="on a failed node, print the server's traceback"
    )
    add_template_arguments(parser)
    pool = parser.add_argument_group("sweeps and several servers")
    pool.add_argument(
        "--in-flight",
        type=_positive_int,
        default=4,
        metavar="N",
        help="at most N jobs queued on each server at once (default: 4)",
    )
    pool.add_argument(
        "--retry-failed",
        action="store_true",
        help="run again the jobs the journal records as failed",
    )
    pool.add_argument(
        "--give-up-after",
        type=float,
        default=300.0,
        metavar="S",
        help="stop when no server has answered for S seconds (default: 300); the journal keeps "
        "what did not finish",
    )
    parser.set_defaults(handler=run_run)
    return parser


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {value}")
    return value


def run_run(args: argparse.Namespace) -> int:
    """Run the workflow of parsed ``run`` arguments on the server; returns the exit status."""
    from comfydsl.client import Client  # here: building the parser does not import requests

    http = http_options(args)
    servers: list[str] = args.server
    if is_sweep(args) or len(servers) > 1:
        for url in servers:  # a bad server URL is reported before the script runs
            Client(url).close()
        return _run_pool(args, servers, http)
    # Made first: a bad server URL is reported before the script runs.
    client = Client(servers[0], headers=http.headers, verify=http.verify, wait_timeout=args.timeout)
    with client:
        source = ScriptSource(args.script, name=args.workflow, catalogs=args.catalog, http=http)
        workflow = build_jobs(args, source.template, source.workflow)[0].workflow
        started = time.monotonic()
        job = client.submit(workflow, validate=not args.no_validate)
        print(f"queued prompt {job.prompt_id} (#{job.number:g}) on {client.url}", file=sys.stderr)
        result = _wait(job, progress=not args.no_progress, traceback=args.traceback)
        saved = result.save(args.out)
    seconds = time.monotonic() - started
    cached = " (all cached)" if result.cached and len(result.cached) == len(job.nodes) else ""
    print(
        f"done in {seconds:.1f} s{cached}: {len(saved)} file{'s' if len(saved) != 1 else ''} "
        f"in {Path(args.out)}",
        file=sys.stderr,
    )
    write_output("".join(f"{path}\n" for path in saved))
    return 0


def _run_pool(args: argparse.Namespace, servers: list[str], http: HTTPOptions) -> int:
    """A sweep (or one job on several servers): the pool, the journal, one bar for the whole."""
    from comfydsl.client import ClientPool, Journal
    from comfydsl.client.journal import JOURNAL_NAME

    source = ScriptSource(args.script, name=args.workflow, catalogs=args.catalog, http=http)
    jobs = build_jobs(args, source.template, source.workflow)
    out = Path(args.out)
    sweep = is_sweep(args)
    journal = Journal(out / JOURNAL_NAME) if sweep else None
    try:
        with ClientPool(
            servers,
            in_flight=args.in_flight,
            headers=http.headers,
            verify=http.verify,
            give_up_after=args.give_up_after,
        ) as pool:
            report = pool.run(
                jobs,
                out=out,
                journal=journal,
                progress=False if args.no_progress else None,
                timeout=args.timeout,
                validate=not args.no_validate,
                retry_failed=args.retry_failed,
                folders=sweep,
            )
    finally:
        if journal is not None:
            journal.close()
    _summarize(report, jobs, out, sweep)
    write_output("".join(f"{path}\n" for path in report.files))
    if report.failed:
        failed = report.failed
        listed = "\n".join(f"  {name}: {outcome.error}" for name, outcome in failed.items())
        hint = f" (comfydsl jobs {out} --state failed lists them)" if sweep else ""
        print(
            f"error: {len(failed)} of {len(jobs)} job{'s' if len(jobs) != 1 else ''} "
            f"failed{hint}:\n{listed}",
            file=sys.stderr,
        )
        return 1
    return 0


def _summarize(report: SweepReport, jobs: list[SweepJob], out: Path, sweep: bool) -> None:
    done = report.done
    earlier = sum(1 for outcome in done.values() if outcome.earlier)
    now = len(done) - earlier
    before = f" ({now} now, {earlier} done earlier)" if earlier else ""
    up = sum(1 for server in report.servers if server.up)
    taken_out = [s.url for s in report.servers if s.failures]
    trouble = f"; taken out on the way: {', '.join(taken_out)}" if taken_out else ""
    where = f"; results in {out}/<job name>/" if sweep else f"; results in {out}"
    print(
        f"{len(done)} of {len(jobs)} job{'s' if len(jobs) != 1 else ''} done{before} in "
        f"{report.seconds:.1f} s ({report.jobs_per_second:.1f} jobs/s) on {up} of "
        f"{len(report.servers)} server{'s' if len(report.servers) != 1 else ''}{trouble}{where}",
        file=sys.stderr,
    )


def _wait(job: Job, *, progress: bool, traceback: bool) -> JobResult:
    from comfydsl.client import ExecutionFailed

    try:
        return job.wait(progress=progress)
    except KeyboardInterrupt:
        _cancel_quietly(job)
        raise
    except TimeoutError:
        _cancel_quietly(job)
        raise
    except ExecutionFailed as failed:
        if traceback and failed.traceback:
            print(failed.server_traceback, file=sys.stderr, end="")
        raise


def _cancel_quietly(job: Job) -> None:
    try:
        job.cancel()
        print(f"cancelled prompt {job.prompt_id} on the server", file=sys.stderr)
    except ComfyDSLError as exc:
        print(f"could not cancel prompt {job.prompt_id}: {exc}", file=sys.stderr)
