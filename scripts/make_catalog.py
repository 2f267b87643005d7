#!/usr/bin/env python3
"""Make a bundled node catalog from a real server's ``GET /object_info``.

    python scripts/make_catalog.py SOURCE -o nodes_catalog/comfyui-core.json
    python scripts/make_catalog.py http://127.0.0.1:8188 -o nodes_catalog/comfyui-core.json
    python scripts/make_catalog.py dump.json --module custom_nodes.comfyui_controlnet_aux -o pack.json

SOURCE is a saved ``/object_info`` answer or a server URL. The output keeps the structure (types,
defaults, ranges, choices, input order, outputs, categories, flags) and leaves out prose (tooltips,
descriptions, output tooltips). Combo lists that name files in the recording server's input folder
(image/video/file upload widgets) are emptied: they say nothing about the user's server, and an empty
list in the bundled catalog means "unknown here". One node class per line, in the server's order,
so that a new ComfyUI version gives a readable diff.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, not installed
from comfydsl.catalog.model import UPLOAD_FLAGS  # the same flags the loader reads

PROSE_KEYS = {"description", "output_tooltips"}
PROSE_OPTION_KEYS = {"tooltip"}


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


def render(nodes: dict[str, Any]) -> str:
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
    args = parser.parse_args(argv)
    nodes = read_source(args.source)
    if args.module:
        nodes = {
            name: node
            for name, node in nodes.items()
            if any(str(node.get("python_module", "")).startswith(m) for m in args.module)
        }
    stripped = {name: strip_node(node) for name, node in nodes.items()}
    Path(args.output).write_text(render(stripped), encoding="utf-8")
    print(f"wrote {len(stripped)} node classes to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
