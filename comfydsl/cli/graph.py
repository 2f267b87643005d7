"""``comfydsl graph``: a picture of a workflow, drawn by Graphviz.

comfydsl graph txt2img.py -o graph.svg        # SVG (the format follows the file's ending)
comfydsl graph exported.json -o graph.png     # a prompt file; PNG
comfydsl graph txt2img.py -o -                # SVG on standard output
comfydsl graph txt2img.py -o graph.dot        # the DOT source (no Graphviz needed)

Nodes with problems (what ``compile --check`` reports) are drawn outlined in red and say what is
wrong; the problems are also listed on standard error, as warnings: the picture is still made.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from comfydsl.cli.arguments import (
    STDIN,
    UsageError,
    add_catalog_argument,
    add_http_arguments,
    http_options,
)
from comfydsl.cli.output import write_output
from comfydsl.cli.script import load_script_workflow
from comfydsl.picture import render, to_dot

__all__ = ["FORMAT_OF_SUFFIX", "add_graph_command"]

#: The picture's format by the ending of the -o file.
FORMAT_OF_SUFFIX = {".svg": "svg", ".png": "png", ".dot": "dot", ".gv": "dot"}
#: How many problems are listed on standard error before "... and N more".
LISTED_PROBLEMS = 20


def add_graph_command(commands: Any) -> argparse.ArgumentParser:
    """Add ``graph SCRIPT [-o FILE] [--format ...] [--catalog ...]`` to a subparsers object."""
    parser: argparse.ArgumentParser = commands.add_parser(
        "graph",
        help="draw a workflow (SVG, PNG, or DOT for Graphviz)",
        description=(
            "Draw the workflow of a script or prompt file as the editor shows it: nodes with their "
            "class, title and widget values, links coloured and labelled by type, nodes with "
            "problems outlined in red. SVG and PNG need Graphviz's dot program."
        ),
    )
    parser.add_argument(
        "script", help="a Python script, an API-format .json prompt, or - for standard input"
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="the picture's file: .svg, .png, or .dot/.gv for the DOT source; - (the default): "
        "standard output",
    )
    parser.add_argument(
        "--format",
        choices=["svg", "png", "dot"],
        help="the picture's format (default: from the -o file's ending, else svg)",
    )
    add_catalog_argument(
        parser,
        "node definitions of custom node packs (a saved /object_info, a server URL, or - for "
        "standard input); repeatable",
    )
    add_http_arguments(parser)
    parser.add_argument("--workflow", help="the global variable holding the workflow to draw")
    parser.add_argument(
        "--timeout",
        type=float,
        default=120.0,
        metavar="SECONDS",
        help="how long Graphviz may take (default 120; thousands of nodes may need more)",
    )
    parser.set_defaults(handler=run_graph)
    return parser


def picture_format(output: str | None, chosen: str | None) -> str:
    """The format of the picture: ``chosen``, else the ending of ``output``, else SVG."""
    if chosen is not None:
        return chosen
    if output is None or output == STDIN:
        return "svg"
    suffix = os.path.splitext(output)[1].lower()
    if suffix not in FORMAT_OF_SUFFIX:
        raise UsageError(
            f"cannot tell the picture's format from {output!r}: name it .svg, .png or .dot, "
            "or give --format svg, png or dot"
        )
    return FORMAT_OF_SUFFIX[suffix]


def run_graph(args: argparse.Namespace) -> int:
    """Draw the workflow of parsed ``graph`` arguments; returns the exit status."""
    if args.timeout <= 0:
        raise UsageError(f"--timeout must be more than 0 seconds (got {args.timeout:g})")
    kind = picture_format(args.output, args.format)
    to_stdout = args.output in (None, STDIN)
    if to_stdout and kind == "png" and sys.stdout.isatty():
        raise UsageError("a PNG is not written to a terminal: give -o FILE, or redirect")
    workflow = load_script_workflow(
        args.script, name=args.workflow, catalogs=args.catalog, http=http_options(args)
    )
    problems = workflow.check()
    caption = None if args.script == STDIN else os.path.basename(args.script)
    if kind == "dot":
        data: str | bytes = to_dot(workflow, problems, caption=caption)
    else:
        data = render(workflow, kind, problems=problems, caption=caption, timeout=args.timeout)
    write_output(data, args.output)
    for problem in problems[:LISTED_PROBLEMS]:
        print(f"warning: {problem}", file=sys.stderr)
    if len(problems) > LISTED_PROBLEMS:
        print(f"warning: ... and {len(problems) - LISTED_PROBLEMS} more problems", file=sys.stderr)
    if not to_stdout:
        marked = f" ({len(problems)} problems marked in red)" if problems else ""
        print(f"drew {len(workflow)} nodes in {args.output}{marked}", file=sys.stderr)
    return 0
