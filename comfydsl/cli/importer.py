"""``comfydsl import``: an exported workflow (either format) as a readable comfydsl script.

comfydsl import exported.json                    # print the script
comfydsl import exported.json -o workflow.py     # write it
comfydsl import exported.json --keep-ids         # every node keeps its id (id=...)
comfydsl import exported.json --explicit         # write the widgets that hold their default too

Compiling the script (``comfydsl compile workflow.py``) gives back the exported prompt: with the
same ids under ``--keep-ids``, with the nodes numbered in the script's order otherwise
(``comfydsl diff exported.json workflow.py`` says they build the same graph).
"""

from __future__ import annotations

import argparse
import shlex
import sys
from typing import Any

from comfydsl.cli.arguments import STDIN, add_catalog_argument, add_http_arguments, http_options
from comfydsl.cli.output import write_output
from comfydsl.cli.script import load_sides

__all__ = ["add_import_command"]


def add_import_command(commands: Any) -> argparse.ArgumentParser:
    """Add ``import FILE [-o SCRIPT] [--keep-ids] [--explicit] [--catalog ...]``."""
    parser: argparse.ArgumentParser = commands.add_parser(
        "import",
        help="write a workflow file (API format or the editor's) as a readable comfydsl script",
        description=(
            "Write a comfydsl script that builds the workflow of FILE: one typed node call per "
            "node, in order, with variables named after the nodes' titles or classes. Compiled, "
            "the script gives back the same prompt. FILE may be '-': standard input."
        ),
    )
    parser.add_argument(
        "file",
        help="a workflow file (.json: an API-format prompt or an editor workflow), a script, or - "
        "for standard input",
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="SCRIPT",
        help="write the script to this file (- : standard output)",
    )
    parser.add_argument(
        "--keep-ids",
        action="store_true",
        help="give every node its id from the file, so that the compiled prompt has the same ids",
    )
    parser.add_argument(
        "--explicit",
        action="store_true",
        help="also write the required widgets that hold their default value",
    )
    add_catalog_argument(
        parser,
        "node definitions of custom node packs (a saved /object_info, a server URL, or - for "
        "standard input): their classes are written as typed calls; repeatable",
    )
    add_http_arguments(parser)
    parser.set_defaults(handler=run_import)
    return parser


def run_import(args: argparse.Namespace) -> int:
    """Write the script of parsed ``import`` arguments; returns the exit status."""
    from comfydsl.codegen.script import to_script

    catalog, (workflow,) = load_sides([args.file], catalogs=args.catalog, http=http_options(args))
    text = to_script(
        workflow,
        keep_ids=args.keep_ids,
        explicit=args.explicit,
        catalog=catalog,
        origin="standard input" if args.file == STDIN else args.file,
        command=_command(args),
    )
    write_output(text, args.output)
    if args.output not in (None, STDIN):
        print(f"wrote {len(workflow)} nodes to {args.output}", file=sys.stderr)
    return 0


def _command(args: argparse.Namespace) -> str:
    """The command line that wrote the script, for its header."""
    words = ["comfydsl", "import", args.file]
    if args.output not in (None, STDIN):
        words += ["-o", args.output]
    if args.keep_ids:
        words.append("--keep-ids")
    if args.explicit:
        words.append("--explicit")
    for location in args.catalog:
        words += ["--catalog", location]
    return shlex.join(words)
