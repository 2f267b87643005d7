"""``comfydsl catalog``: node definitions. ``pull`` saves a server's; ``diff`` compares two
(``comfydsl.cli.catalog_diff``).

    comfydsl catalog pull --server http://127.0.0.1:8188 -o my-server.json
    comfydsl catalog pull --server https://comfy.example --header 'Authorization: Bearer T' -o -
    comfydsl catalog diff bundled http://127.0.0.1:8188 --check my_script.py

The file holds what ``GET /object_info`` answers; ``--catalog my-server.json`` reads it back.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from comfydsl.cli.arguments import STDIN, add_server_arguments, http_options
from comfydsl.cli.catalog_diff import add_diff_command
from comfydsl.cli.output import make_parent_folders, write_output

__all__ = ["add_catalog_command", "add_pull_command"]


def add_catalog_command(commands: Any) -> Any:
    """Add the ``catalog`` group with its ``pull`` and ``diff`` actions; returns its subparsers."""
    catalog: argparse.ArgumentParser = commands.add_parser(
        "catalog", help="node definitions", description="Work with node definitions."
    )
    actions = catalog.add_subparsers(dest="catalog_command", metavar="ACTION")
    actions.required = True
    add_pull_command(actions)
    add_diff_command(actions)
    return actions


def add_pull_command(actions: Any) -> argparse.ArgumentParser:
    """Add ``pull --server URL -o FILE`` to the subparsers object of a ``catalog`` group."""
    pull: argparse.ArgumentParser = actions.add_parser(
        "pull",
        help="save a server's node definitions (GET /object_info) to a file",
        description=(
            "Save a server's node definitions to a JSON file usable with --catalog. Missing "
            "folders of the file are made; '-o -' prints the definitions instead."
        ),
    )
    add_server_arguments(pull)
    pull.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="FILE",
        help="the file to write (- : standard output)",
    )
    pull.set_defaults(handler=run_pull)
    return pull


def run_pull(args: argparse.Namespace) -> int:
    """Save the node definitions of the server of parsed ``catalog pull`` arguments."""
    from comfydsl.client import Client  # here: building the parser does not import requests

    http = http_options(args)
    with Client(args.server, headers=http.headers, verify=http.verify) as client:
        data = client.object_info()
    text = json.dumps(data, indent=1, ensure_ascii=False) + "\n"
    if args.output == STDIN:
        write_output(text)
        return 0
    target = Path(args.output)
    make_parent_folders(target)
    write_output(text, target)
    print(f"wrote {len(data)} node definitions from {args.server} to {target}", file=sys.stderr)
    return 0
