"""``comfydsl export``: a script or a workflow file as the editor's ``workflow.json``, laid out.

comfydsl export txt2img.py -o workflow.json        # open workflow.json in ComfyUI's editor
comfydsl export prompt.json -o workflow.json       # an API-format prompt
comfydsl export workflow.json -o again.json        # an editor workflow: its layout is kept
cat txt2img.py | comfydsl export - -o -            # standard input and output
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from comfydsl.cli.arguments import STDIN, add_catalog_argument, add_http_arguments, http_options
from comfydsl.cli.output import write_output
from comfydsl.cli.script import STDIN_NAME, load_script_workflow
from comfydsl.formats.api_to_ui import dumps_ui, export_ui

__all__ = ["add_export_command"]


def add_export_command(commands: Any) -> argparse.ArgumentParser:
    """Add ``export SCRIPT [-o FILE] [--catalog ...] [--strict]`` to a subparsers object."""
    parser: argparse.ArgumentParser = commands.add_parser(
        "export",
        help="write a script or workflow file as the editor's workflow.json, laid out",
        description=(
            "Write the workflow of a comfydsl script, an API-format prompt or an editor workflow "
            "in the format of ComfyUI's editor (workflow.json: what its Load opens), with a "
            "layout: columns left to right by dependency, no two nodes overlapping. Queued from "
            "the editor, it gives the prompt that 'comfydsl compile' gives. An editor workflow "
            "keeps its nodes' places, colours, groups and notes. What the editor cannot hold "
            "as the prompt has it is printed as a warning. SCRIPT may be '-': standard input."
        ),
    )
    parser.add_argument(
        "script",
        help="a Python script, an API-format prompt or editor workflow .json, or - for standard input",
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write the workflow to this file (- or left out: standard output)",
    )
    add_catalog_argument(
        parser,
        "node definitions of custom node packs (a saved /object_info, a server URL, or - for "
        "standard input); repeatable",
    )
    add_http_arguments(parser)
    parser.add_argument("--workflow", help="the global variable holding the workflow to export")
    parser.add_argument(
        "--indent",
        type=int,
        default=None,
        help="JSON indent; -1 for one line (default: one node, link or group a line)",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="fail (exit 1) when the editor would not queue exactly the workflow's prompt",
    )
    parser.set_defaults(handler=run_export)
    return parser


def run_export(args: argparse.Namespace) -> int:
    """Export the workflow of parsed ``export`` arguments; returns the exit status."""
    workflow = load_script_workflow(
        args.script, name=args.workflow, catalogs=args.catalog, http=http_options(args)
    )
    source = STDIN_NAME if args.script == STDIN else args.script
    exported = export_ui(workflow, source=source)
    for loss in exported.lost:
        print(f"{'error' if args.strict else 'warning'}: {loss}", file=sys.stderr)
    if exported.lost and args.strict:
        return 1
    if args.indent is None:
        text = dumps_ui(exported.workflow)
    else:
        indent = None if args.indent < 0 else args.indent
        text = json.dumps(exported.workflow, indent=indent, ensure_ascii=False, allow_nan=False)
    write_output(text + "\n", args.output)
    if args.output not in (None, STDIN):
        print(f"wrote {len(workflow)} nodes to {args.output}", file=sys.stderr)
    return 0
