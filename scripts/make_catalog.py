#!/usr/bin/env python3
"""Make a bundled node catalog from a real server's ``GET /object_info``.

    python scripts/make_catalog.py SOURCE -o nodes_catalog/comfyui-core.json
    python scripts/make_catalog.py http://127.0.0.1:8188 -o nodes_catalog/comfyui-core.json
    python scripts/make_catalog.py dump.json --module custom_nodes.comfyui_controlnet_aux -o pack.json
    python scripts/make_catalog.py SOURCE --probe EMPTY PROBED -o nodes_catalog/comfyui-core.json

SOURCE is a saved ``/object_info`` answer or a server URL. The output keeps the structure (types,
defaults, ranges, choices, input order, outputs, categories, flags) and leaves out prose (tooltips,
descriptions, output tooltips). Combo lists that name files in the recording server's input folder
(image/video/file upload widgets) are emptied: they say nothing about the user's server, and an empty
list in the bundled catalog means "unknown here". One node class per line, in the server's order,
so that a new ComfyUI version gives a readable diff.

With ``--probe EMPTY PROBED`` (the two answers scripts/probe_file_lists.py records) or
``--file-list CLASS.INPUT=FOLDER`` (said by hand, for a node pack no server here has), it also
writes beside the output the inputs whose combo lists name files on the server (``OUT.json`` ->
``OUT.file-lists.json``): class -> input -> the folders it lists. A combo lists files when its list
in PROBED gains a dummy ``comfydsl-probe-FOLDER...`` name that EMPTY lacks. The catalog then takes
any file name for those inputs (see comfydsl/catalog/catalog.py, ``files_known``).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, not installed
from comfydsl.catalog.catalog import FILE_LISTS_SUFFIX  # the same name the loader reads
from comfydsl.catalog.model import UPLOAD_FLAGS  # the same flags the loader reads

PROSE_KEYS = {"description", "output_tooltips"}
PROSE_OPTION_KEYS = {"tooltip"}
#: The stem of the dummy files of scripts/probe_file_lists.py: ``comfydsl-probe-FOLDER.EXT``.
PROBE_STEM = "comfydsl-probe"
_PROBE_NAME = re.compile(re.escape(PROBE_STEM) + r"-([A-Za-z0-9_]+)")


def read_source(source: str) -> dict[str, Any]:
    if source.startswith(("http://", "https://")):
        with urllib.request.urlopen(source.rstrip("/") + "/object_info", timeout=60) as answer:
            data: dict[str, Any] = json.load(answer)
        return data
    with open(source, encoding="utf-8") as handle:
        loaded: dict[str, Any] = json.load(handle)
    return loaded


def strip_spec(spec: Any) -> Any:
    """An input spec without prose; upload combos without the recording server's file list."""
    if not isinstance(spec, list) or len(spec) < 2 or not isinstance(spec[1], dict):
        return spec
    options = {k: v for k, v in spec[1].items() if k not in PROSE_OPTION_KEYS}
    first = spec[0]
    if any(options.get(flag) for flag in UPLOAD_FLAGS):
        if isinstance(first, list):
            first = []
        elif first == "COMBO":
            options["options"] = []
    return [first, options, *spec[2:]]


def strip_node(node: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in node.items():
        if key in PROSE_KEYS:
            continue
        if key == "input":
            value = {
                section: (
                    {name: strip_spec(spec) for name, spec in specs.items()}
                    if section != "hidden"
                    else specs
                )
                for section, specs in value.items()
            }
        result[key] = value
    return result


def combo_lists(node: Any) -> dict[str, list[Any]]:
    """Input name -> the list of choices, of every combo input of a definition, in its order."""
    found: dict[str, list[Any]] = {}
    sections = node.get("input", {}) if isinstance(node, dict) else {}
    for section in ("required", "optional"):
        for name, spec in (sections.get(section) or {}).items():
            if not isinstance(spec, list) or not spec:
                continue
            options = spec[1] if len(spec) > 1 and isinstance(spec[1], dict) else {}
            if isinstance(spec[0], list):
                found[name] = spec[0]
            elif spec[0] == "COMBO":
                found[name] = list(options.get("options") or [])
    return found


def probed_file_lists(empty: dict[str, Any], probed: dict[str, Any]) -> dict[str, Any]:
    """Class -> input -> folders, of every combo whose list in ``probed`` gains a dummy name
    (``comfydsl-probe-FOLDER...``) that its list in ``empty`` lacks; in ``probed``'s order."""
    found: dict[str, Any] = {}
    for class_type, node in probed.items():
        before = combo_lists(empty.get(class_type))
        inputs = {}
        for name, choices in combo_lists(node).items():
            had = before.get(name, [])
            folders = {
                match.group(1)
                for choice in choices
                if isinstance(choice, str) and choice not in had
                for match in [_PROBE_NAME.search(choice)]
                if match
            }
            if folders:
                inputs[name] = sorted(folders)
        if inputs:
            found[class_type] = inputs
    return found


def declared_file_lists(declared: list[str]) -> dict[str, Any]:
    """Class -> input -> folders from ``--file-list CLASS.INPUT=FOLDER[,FOLDER]`` arguments."""
    found: dict[str, Any] = {}
    for text in declared:
        where, _, folders = text.partition("=")
        class_type, _, name = where.rpartition(".")
        if not class_type or not name or not folders:
            raise SystemExit(f"error: --file-list {text!r}: expected CLASS.INPUT=FOLDER[,FOLDER]")
        found.setdefault(class_type, {})[name] = sorted(folders.split(","))
    return found


def file_lists_for(nodes: dict[str, Any], lists: dict[str, Any]) -> dict[str, Any]:
    """The file lists of the classes in ``nodes``, in their order and their inputs' order; an
    input that is not a combo of its class is an error (a wrong --file-list, or a probe of another
    version). Classes ``nodes`` does not have are left out."""
    kept: dict[str, Any] = {}
    for class_type, node in nodes.items():
        inputs = lists.get(class_type)
        if not inputs:
            continue
        combos = combo_lists(node)
        wrong = sorted(name for name in inputs if name not in combos)
        if wrong:
            raise SystemExit(f"error: {class_type} has no combo input {', '.join(wrong)}")
        kept[class_type] = {name: inputs[name] for name in combos if name in inputs}
    return kept


def render(nodes: dict[str, Any]) -> str:
    if not nodes:
        return "{}\n"
    lines = [
        f"{json.dumps(name, ensure_ascii=False)}: {json.dumps(node, ensure_ascii=False)}"
        for name, node in nodes.items()
    ]
    return "{\n" + ",\n".join(lines) + "\n}\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("source", help="a saved /object_info JSON file, or a server URL")
    parser.add_argument("-o", "--output", required=True, help="the catalog file to write")
    parser.add_argument(
        "--module",
        action="append",
        default=[],
        help="keep only classes whose python_module starts with this (repeatable)",
    )
    parser.add_argument(
        "--probe",
        nargs=2,
        metavar=("EMPTY", "PROBED"),
        help="the /object_info of a server without files and with dummies "
        "(scripts/probe_file_lists.py): write the inputs that list files beside the output",
    )
    parser.add_argument(
        "--file-list",
        action="append",
        default=[],
        metavar="CLASS.INPUT=FOLDER",
        help="an input whose list names files of FOLDER (FOLDER,FOLDER for several), for a class "
        "no probe covers (repeatable)",
    )
    args = parser.parse_args(argv)
    nodes = read_source(args.source)
    if args.module:
        nodes = {
            name: node
            for name, node in nodes.items()
            if any(str(node.get("python_module", "")).startswith(m) for m in args.module)
        }
    stripped = {name: strip_node(node) for name, node in nodes.items()}
    output = Path(args.output)
    output.write_text(render(stripped), encoding="utf-8")
    print(f"wrote {len(stripped)} node classes to {output}", file=sys.stderr)
    if args.probe or args.file_list:
        lists = probed_file_lists(*map(read_source, args.probe)) if args.probe else {}
        declared = declared_file_lists(args.file_list)
        missing = sorted(set(declared) - set(nodes))
        if missing:
            raise SystemExit(f"error: --file-list names classes the output lacks: {missing}")
        for class_type, inputs in declared.items():
            lists.setdefault(class_type, {}).update(inputs)
        kept = file_lists_for(nodes, lists)
        beside = output.with_name(output.name.removesuffix(".json") + FILE_LISTS_SUFFIX)
        beside.write_text(render(kept), encoding="utf-8")
        count = sum(len(inputs) for inputs in kept.values())
        print(
            f"wrote {count} inputs that list files ({len(kept)} classes) to {beside}",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
