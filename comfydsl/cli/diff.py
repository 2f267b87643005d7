"""``comfydsl diff``: whether two workflows build the same graph, whatever their node ids.

comfydsl diff exported.json workflow.py          # same? otherwise what differs
comfydsl diff a.json b.json --titles             # titles count too
comfydsl diff a.json b.json --json               # the difference as JSON, for programs

Each side is a script (run as ``compile`` runs it), a workflow file (.json) or ``-`` (standard
input). Exit status: 0 the same graph, 1 different, 2 an error (a side that cannot be read, a
mistake in the command line), as ``diff`` and ``cmp`` do.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from comfydsl.cli.arguments import STDIN, add_catalog_argument, add_http_arguments, http_options
from comfydsl.cli.output import write_output
from comfydsl.cli.script import STDIN_NAME, load_sides

__all__ = ["EXIT_DIFFERENT", "EXIT_SAME", "add_diff_command"]

EXIT_SAME = 0
EXIT_DIFFERENT = 1
#: Every failure of ``diff``, usage included: 1 already means "different".
EXIT_TROUBLE = 2


def add_diff_command(commands: Any) -> argparse.ArgumentParser:
    """Add ``diff A B [--titles] [--json] [-q] [--catalog ...]``."""
    parser: argparse.ArgumentParser = commands.add_parser(
        "diff",
        help="say whether two workflows build the same graph, and what differs",
        description=(
            "Compare two workflows regardless of their node ids (and of their titles, unless "
            "--titles): nodes on one side only, values that differ on paired nodes, links that "
            "come from elsewhere. Each side is a script, a workflow file (.json) or - for "
            "standard input. Exit status: 0 same, 1 different, 2 error."
        ),
    )
    parser.add_argument("a", help="a script, a workflow file (.json), or -")
    parser.add_argument("b", help="a script, a workflow file (.json), or -")
    parser.add_argument("--titles", action="store_true", help="count the nodes' titles too")
    shown = parser.add_mutually_exclusive_group()
    shown.add_argument("--json", action="store_true", help="print the difference as JSON")
    shown.add_argument(
        "-q", "--quiet", action="store_true", help="print nothing: the exit status says it"
    )
    add_catalog_argument(
        parser,
        "node definitions of custom node packs (a saved /object_info, a server URL, or - for "
        "standard input), for the scripts' node classes; repeatable",
    )
    add_http_arguments(parser)
    parser.set_defaults(handler=run_diff, error_status=EXIT_TROUBLE)
    return parser


def run_diff(args: argparse.Namespace) -> int:
    """Compare the two sides of parsed ``diff`` arguments; returns the exit status."""
    from comfydsl.diff import compare

    _, (first, second) = load_sides(
        [args.a, args.b], catalogs=args.catalog, http=http_options(args)
    )
    names = tuple(STDIN_NAME if side == STDIN else side for side in (args.a, args.b))
    diff = compare(first, second, titles=args.titles, names=(names[0], names[1]))
    if args.json:
        write_output(json.dumps(diff.to_json(), indent=2, ensure_ascii=False) + "\n")
    elif not args.quiet:
        write_output(f"{diff}\n")
    return EXIT_SAME if diff.same else EXIT_DIFFERENT
