"""``comfydsl compile``: the API-format prompt of a script or a prompt file.

comfydsl compile txt2img.py                 # print the prompt
comfydsl compile txt2img.py -o prompt.json  # write it
comfydsl compile exported.json --check      # read a prompt, check it, write it back
cat txt2img.py | comfydsl compile -         # a script (or a JSON prompt) on standard input
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from comfydsl.cli.arguments import add_catalog_argument, add_http_arguments, http_options
from comfydsl.cli.output import write_output
from comfydsl.cli.script import load_script_workflow
from comfydsl.formats.api import dumps_prompt

__all__ = ["add_compile_command"]


def add_compile_command(commands: Any) -> argparse.ArgumentParser:
    """Add ``compile SCRIPT [-o FILE] [--catalog ...] [--check] [--body]`` to a subparsers object."""
    parser: argparse.ArgumentParser = commands.add_parser(
        "compile",
        help="print (or write) the API-format prompt of a script or prompt file",
        description=(
            "Run a comfydsl script and print the API-format prompt it builds. SCRIPT may be '-': "
            "standard input, read as a prompt when it is a JSON object and as a Python script "
            "otherwise."
        ),
    )
    parser.add_argument(
        "script", help="a Python script, an API-format .json prompt, or - for standard input"
    )
    parser.add_argument(
        "-o", "--output", metavar="FILE", help="write the prompt to this file (- : standard output)"
    )
    add_catalog_argument(
        parser,
        "node definitions of custom node packs (a saved /object_info, a server URL, or - for "
        "standard input); repeatable",
    )
    add_http_arguments(parser)
    parser.add_argument("--workflow", help="the global variable holding the workflow to compile")
    parser.add_argument("--indent", type=int, default=2, help="JSON indent; -1 for one line")
    parser.add_argument(
        "--check",
        action="store_true",
        help="also report every problem the server would find (unknown classes, bad values)",
    )
    parser.add_argument(
        "--body", action="store_true", help="print a whole POST /prompt body with client_id"
    )
    parser.add_argument("--client-id", help="the client_id of --body")
    parser.set_defaults(handler=run_compile)
    return parser


def run_compile(args: argparse.Namespace) -> int:
    """Compile the script of parsed ``compile`` arguments; returns the exit status."""
    workflow = load_script_workflow(
        args.script, name=args.workflow, catalogs=args.catalog, http=http_options(args)
    )
    if args.check:
        problems = workflow.check()
        if problems:
            for problem in problems:
                print(f"error: {problem}", file=sys.stderr)
            return 1
    prompt = workflow.to_api()
    data: dict[str, Any] = prompt
    if args.body:
        data = {"client_id": args.client_id or "comfydsl", "prompt": prompt}
    text = dumps_prompt(data, indent=None if args.indent < 0 else args.indent)
    write_output(text + "\n", args.output)
    if args.output not in (None, "-"):
        print(f"wrote {len(workflow)} nodes to {args.output}", file=sys.stderr)
    return 0
