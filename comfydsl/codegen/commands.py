"""The ``stubs`` command of the ``comfydsl`` command line.

    comfydsl stubs                                   # the stub of the bundled catalog, in place
    comfydsl stubs --catalog http://127.0.0.1:8188   # with your server's packs and model files
    comfydsl stubs --check                           # exit 1 if the stub is stale

``comfydsl.cli`` registers it with :func:`add_stubs_command`. It does what
``python -m comfydsl.codegen.stubs`` does, with the same arguments, and writes the same bytes.
"""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["add_stubs_command"]


def add_stubs_command(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``stubs [-o FILE] [--catalog FILE_OR_URL ...] [--no-fallback] [--check]``."""
    from comfydsl.codegen import stubs

    parser: argparse.ArgumentParser = subparsers.add_parser(
        "stubs",
        help="write the type stub of comfydsl.nodes, for IDEs and type checkers",
        description=(
            "Write comfydsl/nodes/__init__.pyi: a typed signature for every node class of the "
            "bundled catalog and of the catalogs given, so that IDEs complete inputs and choices "
            "and type checkers report misspelt ones."
        ),
    )
    stubs.add_arguments(parser)
    parser.set_defaults(handler=stubs.run)
    return parser
