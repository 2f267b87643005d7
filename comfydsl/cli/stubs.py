"""``comfydsl stubs``: the type stub of ``comfydsl.nodes``, for IDEs and type checkers.

    comfydsl stubs                                   # the stub of the bundled catalog, in place
    comfydsl stubs --catalog http://127.0.0.1:8188   # with your server's packs and model files
    comfydsl stubs --check                           # exit 1 if the stub is stale

It does what ``python -m comfydsl.codegen.stubs`` does, with the same arguments, and writes the
same bytes (the stub's header names that command); ``--catalog -`` reads a catalog from
standard input, and ``-o -`` prints the stub.
"""

from __future__ import annotations

import argparse
from typing import Any

from comfydsl.cli.arguments import STDIN, UsageError
from comfydsl.cli.output import make_parent_folders, write_output
from comfydsl.cli.script import load_catalogs

__all__ = ["add_stubs_command"]


def add_stubs_command(commands: Any) -> argparse.ArgumentParser:
    """Add ``stubs [-o FILE] [--catalog FILE_OR_URL ...] [--no-fallback] [--check]``."""
    from comfydsl.codegen import stubs

    parser: argparse.ArgumentParser = commands.add_parser(
        "stubs",
        help="write the type stub of comfydsl.nodes, for IDEs and type checkers",
        description=(
            "Write comfydsl/nodes/__init__.pyi: a typed signature for every node class of the "
            "bundled catalog and of the catalogs given, so that IDEs complete inputs and choices "
            "and type checkers report misspelt ones."
        ),
    )
    stubs.add_arguments(parser)
    parser.set_defaults(handler=run_stubs)
    return parser


def run_stubs(args: argparse.Namespace) -> int:
    """Write (or check) the stub that parsed ``stubs`` arguments ask for; returns the exit status."""
    from comfydsl.codegen import stubs

    if args.output == STDIN and args.check:
        raise UsageError("--check compares a file (-o FILE), not standard output (-o -)")
    if args.catalog.count(STDIN) > 1:
        raise UsageError("standard input ('-') can be read only once: give one --catalog as '-'")
    extra = load_catalogs(args.catalog)
    if args.output == STDIN:
        write_output(stubs.render_for(args, extra))
        return 0
    if args.output is not None and not args.check:
        make_parent_folders(args.output)
    return stubs.run(args, extra=extra)
