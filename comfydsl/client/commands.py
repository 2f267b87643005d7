"""The client's commands of the ``comfydsl`` command line: ``run`` and ``catalog pull``.

    comfydsl run txt2img.py --server http://127.0.0.1:8188 --out results/ --timeout 600
    comfydsl catalog pull --server http://127.0.0.1:8188 -o my-server.json

``comfydsl.cli`` registers them with :func:`add_run_command` and :func:`add_catalog_pull_command`.
Failures print every error (at the script's file:line where known) and exit with status 1;
Ctrl-C cancels the prompt on the server and exits with 130.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from comfydsl.client.errors import ExecutionFailed
from comfydsl.client.http import Client
from comfydsl.client.job import Job
from comfydsl.errors import ComfyDSLError

__all__ = ["add_catalog_pull_command", "add_run_command"]

_SERVER_ENV = "COMFYDSL_SERVER"
_DEFAULT_SERVER = "http://127.0.0.1:8188"


def add_run_command(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``run SCRIPT --server URL [--out DIR] [--timeout S]`` to a subparsers object."""
    run: argparse.ArgumentParser = subparsers.add_parser(
        "run",
        help="run a script's workflow on a ComfyUI server and save its outputs",
        description=(
            "Run a comfydsl script, check its workflow against the server's nodes, submit it, "
            "show its progress and save every output file under --out."
        ),
    )
    run.add_argument("script", help="a Python script, or an API-format .json prompt")
    _add_server_arguments(run)
    run.add_argument("--out", default=".", metavar="DIR", help="where outputs go (default: .)")
    run.add_argument(
        "--timeout",
        type=float,
        default=1800.0,
        metavar="S",
        help="give up waiting after S seconds (default: 1800); the prompt is then cancelled",
    )
    run.add_argument("--workflow", help="the global variable holding the workflow to run")
    run.add_argument(
        "--catalog",
        action="append",
        default=[],
        metavar="FILE_OR_URL",
        help="node definitions of custom node packs for building the workflow; repeatable",
    )
    run.add_argument(
        "--no-validate",
        action="store_true",
        help="send without checking against the server's node definitions first",
    )
    run.add_argument("--no-progress", action="store_true", help="no progress bar")
    run.add_argument(
        "--traceback", action="store_true", help="on a failed node, print the server's traceback"
    )
    run.set_defaults(handler=_cmd_run)
    return run


def add_catalog_pull_command(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``catalog pull --server URL -o FILE`` (making the ``catalog`` group if needed)."""
    catalog = subparsers.choices.get("catalog")
    if catalog is None:
        catalog = subparsers.add_parser(
            "catalog", help="node definitions", description="Work with node definitions."
        )
    group = _subparsers_of(catalog)
    if group is None:
        group = catalog.add_subparsers(dest="catalog_command", metavar="ACTION")
        group.required = True
    pull: argparse.ArgumentParser = group.add_parser(
        "pull",
        help="save a server's node definitions (GET /object_info) to a file",
        description="Save a server's node definitions to a JSON file usable with --catalog.",
    )
    _add_server_arguments(pull)
    pull.add_argument("-o", "--output", required=True, metavar="FILE", help="the file to write")
    pull.set_defaults(handler=_cmd_catalog_pull)
    return pull


def _add_server_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--server",
        default=os.environ.get(_SERVER_ENV, _DEFAULT_SERVER),
        metavar="URL",
        help=f"the ComfyUI server (default: ${_SERVER_ENV} or {_DEFAULT_SERVER})",
    )
    parser.add_argument(
        "--header",
        action="append",
        default=[],
        type=_header,
        metavar="'NAME: VALUE'",
        help="an extra HTTP header for every request (e.g. an auth token); repeatable",
    )


def _subparsers_of(parser: argparse.ArgumentParser) -> Any:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    return None


def _header(text: str) -> tuple[str, str]:
    name, sep, value = text.partition(":")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"expected 'Name: value', got {text!r}")
    return name.strip(), value.strip()


def _headers(pairs: list[tuple[str, str]]) -> dict[str, str]:
    return dict(pairs)


def _cmd_run(args: argparse.Namespace) -> int:
    try:
        return _run(args)
    except ComfyDSLError:
        raise  # printed by comfydsl.cli.main (some of these are OSErrors too)
    except OSError as exc:  # a file of the user's: the script, the output directory
        print(f"error: {exc}", file=sys.stderr)
        return 1


def _run(args: argparse.Namespace) -> int:
    from comfydsl.cli import load_script_workflow

    workflow = load_script_workflow(args.script, name=args.workflow, catalogs=args.catalog)
    with Client(args.server, headers=_headers(args.header), wait_timeout=args.timeout) as client:
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
    for path in saved:
        print(path)
    return 0


def _wait(job: Job, *, progress: bool, traceback: bool) -> Any:
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


def _cmd_catalog_pull(args: argparse.Namespace) -> int:
    try:
        return _pull(args)
    except ComfyDSLError:
        raise
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def _pull(args: argparse.Namespace) -> int:
    with Client(args.server, headers=_headers(args.header)) as client:
        data = client.object_info()
    target = Path(args.output)
    if target.parent != Path(""):
        target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {len(data)} node definitions from {args.server} to {target}", file=sys.stderr)
    return 0
