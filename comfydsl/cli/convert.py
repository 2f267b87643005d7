"""``comfydsl convert``: the API-format prompt of an editor workflow, without opening the editor.

comfydsl convert workflow.json                    # print the prompt the editor would queue
comfydsl convert workflow.json -o prompt.json     # write it
comfydsl convert workflow.json --catalog packs.json   # node packs the workflow uses
cat workflow.json | comfydsl convert - -o -       # standard input and output
"""

from __future__ import annotations

import argparse
import contextvars
import sys
from typing import Any

from comfydsl.build import Workflow
from comfydsl.cli.arguments import (
    STDIN,
    HTTPOptions,
    add_catalog_argument,
    add_http_arguments,
    http_options,
)
from comfydsl.cli.output import write_output
from comfydsl.cli.script import catalog_locations, extend_catalogs, read_workflow_file
from comfydsl.formats.api import dumps_prompt

__all__ = ["add_convert_command"]


def add_convert_command(commands: Any) -> argparse.ArgumentParser:
    """Add ``convert WORKFLOW [-o FILE] [--catalog ...] [--check]`` to a subparsers object."""
    parser: argparse.ArgumentParser = commands.add_parser(
        "convert",
        help="print (or write) the API-format prompt of an editor workflow (workflow.json)",
        description=(
            "Convert a workflow saved by ComfyUI's editor (the UI format: workflow.json, the "
            "official templates) into the API-format prompt the editor would queue: widget "
            "values named by the node definitions, subgraphs opened, notes, reroutes, muted and "
            "bypassed nodes left out. An API-format file is read and written back. WORKFLOW may "
            "be '-': standard input."
        ),
    )
    parser.add_argument(
        "workflow", help="an editor workflow or API-format .json, or - for standard input"
    )
    parser.add_argument(
        "-o", "--output", metavar="FILE", help="write the prompt to this file (- : standard output)"
    )
    add_catalog_argument(
        parser,
        "node definitions of the custom node packs the workflow uses (a saved /object_info, a "
        "server URL, or - for standard input); repeatable",
    )
    add_http_arguments(parser)
    parser.add_argument("--indent", type=int, default=2, help="JSON indent; -1 for one line")
    parser.add_argument(
        "--check",
        action="store_true",
        help="also report every problem the server would find in the prompt",
    )
    parser.set_defaults(handler=run_convert)
    return parser


def run_convert(args: argparse.Namespace) -> int:
    """Convert the workflow of parsed ``convert`` arguments; returns the exit status."""
    locations = catalog_locations([args.workflow], args.catalog)
    context = contextvars.copy_context()
    workflow: Workflow = context.run(_load, args.workflow, locations, http_options(args))
    if args.check:
        problems = context.run(workflow.check)
        if problems:
            for problem in problems:
                print(f"error: {problem}", file=sys.stderr)
            return 1
    prompt = workflow.to_api(check=False)
    text = dumps_prompt(prompt, indent=None if args.indent < 0 else args.indent)
    write_output(text + "\n", args.output)
    if args.output not in (None, STDIN):
        print(f"wrote {len(prompt)} nodes to {args.output}", file=sys.stderr)
    return 0


def _load(path: str, locations: list[str], http: HTTPOptions) -> Workflow:
    extend_catalogs(locations, http)
    return read_workflow_file(path)
