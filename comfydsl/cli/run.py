"""``comfydsl run``: a script's workflow on a ComfyUI server, its outputs saved.

    comfydsl run txt2img.py --server http://127.0.0.1:8188 --out results/ --timeout 600
    comfydsl run txt2img.py --server https://comfy.example --header 'Authorization: Bearer T'

The server is asked with the same headers and TLS settings for everything: the catalogs given as
URLs, its node definitions, the prompt, the WebSocket, the files. Ctrl-C (or the timeout) cancels
the prompt on the server. The paths of the saved files are printed, one a line.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from comfydsl.cli.arguments import add_catalog_argument, add_server_arguments, http_options
from comfydsl.cli.output import write_output
from comfydsl.cli.script import load_script_workflow
from comfydsl.errors import ComfyDSLError

if TYPE_CHECKING:
    from comfydsl.client import Job, JobResult

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
        "script", help="a Python script, an API-format .json prompt, or - for standard input"
    )
    add_server_arguments(parser)
    parser.add_argument("--out", default=".", metavar="DIR", help="where outputs go (default: .)")
    parser.add_argument(
        "--timeout",
        type=float,
        default=1800.0,
        metavar="S",
        help="give up waiting after S seconds (default: 1800); the prompt is then cancelled",
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
    parser.set_defaults(handler=run_run)
    return parser


def run_run(args: argparse.Namespace) -> int:
    """Run the workflow of parsed ``run`` arguments on the server; returns the exit status."""
    from comfydsl.client import Client  # here: building the parser does not import requests

    http = http_options(args)
    # Made first: a bad server URL is reported before the script runs.
    client = Client(
        args.server, headers=http.headers, verify=http.verify, wait_timeout=args.timeout
    )
    with client:
        workflow = load_script_workflow(
            args.script, name=args.workflow, catalogs=args.catalog, http=http
        )
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
