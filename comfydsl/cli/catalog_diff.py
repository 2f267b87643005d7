"""``comfydsl catalog diff OLD NEW``: what changed between two catalogs, and what it breaks.

    comfydsl catalog diff bundled http://127.0.0.1:8188            # drift: bundled vs your server
    comfydsl catalog diff old.json new.json --check my_script.py   # which of its nodes break
    comfydsl catalog diff bundled:vhs vhs-new.json --json

OLD and NEW are each a saved ``/object_info`` file, a server URL (asked through the one HTTP
stack, with ``--header``/``--cacert``/``--insecure``), ``-`` (standard input, once), ``bundled``
(everything comfydsl ships: stock ComfyUI and every bundled node pack) or ``bundled:PACK,PACK``
(stock ComfyUI and those packs; ``bundled:none``, stock ComfyUI alone).

``--check FILE`` (a script or an API-format prompt; repeatable) builds FILE's workflow with OLD in
force, checks it as the server would against OLD and against NEW, and lists the nodes that are
fine with OLD and not with NEW, at their file:line; then the command fails (exit 1) if any is.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from comfydsl.cli.arguments import STDIN, UsageError, add_http_arguments, http_options
from comfydsl.cli.output import make_parent_folders, write_output

__all__ = ["add_diff_command", "broken_nodes", "catalog_at"]

_BUNDLED = "bundled"


def add_diff_command(actions: Any) -> argparse.ArgumentParser:
    """Add ``diff OLD NEW [--check FILE] [--json] [-o FILE]`` to a ``catalog`` group."""
    diff: argparse.ArgumentParser = actions.add_parser(
        "diff",
        help="what changed between two catalogs (files, servers, bundled), and what it breaks",
        description=(
            "List the node classes added, removed and changed from OLD to NEW (inputs, types, "
            "defaults, ranges, choices, input order, outputs). OLD and NEW: a saved "
            "/object_info, a server URL, - (standard input), 'bundled' (stock ComfyUI and every "
            "bundled node pack) or 'bundled:PACK,...' ('bundled:none': stock ComfyUI alone)."
        ),
    )
    diff.add_argument("old", metavar="OLD", help="the catalog before")
    diff.add_argument("new", metavar="NEW", help="the catalog after")
    diff.add_argument(
        "--check",
        action="append",
        default=[],
        metavar="FILE",
        help="a script or prompt: list its nodes that work with OLD and not with NEW, and "
        "fail if any does; repeatable",
    )
    diff.add_argument("--json", action="store_true", help="write the difference as JSON")
    diff.add_argument(
        "-o", "--output", metavar="FILE", help="write the report there (default: standard output)"
    )
    add_http_arguments(diff)
    diff.set_defaults(handler=run_diff)
    return diff


def catalog_at(location: str, http: Any) -> Any:
    """The catalog a diff argument names: ``bundled[:PACKS]``, ``-``, a file or a server URL."""
    from comfydsl.catalog import bundled_catalog, pack_catalog
    from comfydsl.catalog.packs import resolve_pack_names
    from comfydsl.cli.script import load_catalogs

    if location == _BUNDLED or location.startswith(_BUNDLED + ":"):
        _bundled, _sep, listed = location.partition(":")
        names = resolve_pack_names(listed.split(",") if listed else ["all"], source=location)
        catalog = bundled_catalog().merged(*(pack_catalog(n) for n in names))
        catalog.source = location
        return catalog
    (catalog,) = load_catalogs([location], http)
    return catalog


def broken_nodes(path: str, old: Any, new: Any) -> list[Any]:
    """The errors of the nodes of ``path`` (a script or prompt) that OLD accepts and NEW does not.

    The workflow is built (or read) with OLD in force, and checked as the server would check it:
    once against the definitions it was built with, once against NEW, where classes of neither
    catalog keep those definitions and classes OLD had and NEW lacks are gone.
    """
    from comfydsl.catalog import Catalog, use_catalog
    from comfydsl.cli.script import load_script_workflow
    from comfydsl.validation.workflow import check_workflow

    with use_catalog(old):
        workflow = load_script_workflow(path)
    kept: dict[str, Any] = {}
    for node in workflow.nodes.values():
        definition = node.definition
        in_diff = node.class_type in old or node.class_type in new
        if definition is not None and not in_diff:
            kept[node.class_type] = definition.raw
    outside = Catalog(kept, source=f"{path} (as built)", files_known=False)
    after_view = outside.merged(new)
    before = {_key(e) for e in check_workflow(workflow)}
    return [e for e in check_workflow(workflow, after_view) if _key(e) not in before]


def _key(error: Any) -> tuple[Any, ...]:
    return (error.node_id, error.input_name, error.type)


def run_diff(args: argparse.Namespace) -> int:
    """Print what changed from OLD to NEW; with ``--check``, what it breaks (exit 1 if anything)."""
    from comfydsl.catalog.diff import diff_catalogs

    if [args.old, args.new, *args.check].count(STDIN) > 1:
        raise UsageError("standard input ('-') can be read only once: give one argument as '-'")
    http = http_options(args)
    old = catalog_at(args.old, http)
    new = catalog_at(args.new, http)
    diff = diff_catalogs(old, new)
    checked = [(path, broken_nodes(path, old, new)) for path in args.check]
    if args.json:
        data = diff.to_json()
        if args.check:
            data["broken"] = {path: [_error_json(e) for e in errors] for path, errors in checked}
        text = json.dumps(data, indent=2, ensure_ascii=False, default=repr) + "\n"
    else:
        lines = diff.lines()
        for path, errors in checked:
            if errors:
                lines.append(f"nodes of {path} that work with OLD and not with NEW:")
                lines += [f"  {error}" for error in errors]
            else:
                lines.append(f"no node of {path} is broken by the change")
        text = "\n".join(lines) + "\n"
    if args.output is not None and args.output != STDIN:
        make_parent_folders(args.output)
        write_output(text, Path(args.output))
    else:
        write_output(text)
    broken = sum(len(errors) for _path, errors in checked)
    if broken:
        files = sum(1 for _path, errors in checked if errors)
        print(
            f"error: the change breaks {broken} input(s) or node(s) of {files} file(s)",
            file=sys.stderr,
        )
        return 1
    return 0


def _error_json(error: Any) -> dict[str, Any]:
    source = error.source
    return {
        "node_id": error.node_id,
        "class_type": error.class_type,
        "input_name": error.input_name,
        "type": error.type,
        "message": str(error),
        "file": None if source is None else source.file,
        "line": None if source is None else source.line,
    }
