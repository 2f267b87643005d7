#!/usr/bin/env python3
"""What comfydsl makes of the whole workflow corpus: how many files convert, why the others do
not, how many converted prompts pass validation, and how often comfydsl's naming of widget values
agrees with the ``widgets_values_named`` that newer editors write beside them.

    python scripts/corpus_report.py              # the figures, as text
    python scripts/corpus_report.py --json       # ... as JSON

The corpus is the official templates and the subgraph blueprints (scripts/editor_setup.py
installs them). The conversion uses the bundled catalog (stock ComfyUI 0.3.75), with
``widgets_values_named`` standing in for the definition of a class it does not know.

Validation needs definitions of every class a prompt uses, and most of the corpus uses classes
that ComfyUI 0.3.75 does not have. No newer server is at hand, so the catalog used for
validation is the bundled one plus definitions *inferred from the corpus itself*: for each
unknown class, its input sockets and output types as the files show them, and a widget for each
name of ``widgets_values_named``, typed by the values seen (INT, FLOAT, BOOLEAN, STRING; lists of
choices are not known, so a combo counts as text). Against such definitions validation checks the
wiring (which output type feeds which input), value types and unknown input names; it cannot
check choices, ranges or required inputs. The report says which part of each figure rests on
inferred definitions.
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, not installed
from comfydsl import load_workflow
from comfydsl.catalog import Catalog, bundled_catalog
from comfydsl.editor.widgets import UI_ONLY_TYPES
from comfydsl.errors import WorkflowFormatError
from comfydsl.formats.ui_execution import ExecutionGraph
from comfydsl.formats.ui_read import parse_workflow
from comfydsl.formats.ui_values import EDITOR_ONLY_NAMES, positional_values

sys.path.insert(0, str(Path(__file__).resolve().parent))
import editor_setup


def corpus() -> list[tuple[str, Any]]:
    """(name, workflow) of every template and blueprint."""
    paths = [*editor_setup.template_files(), *editor_setup.blueprint_files()]
    if not paths:
        sys.exit("the corpus is not installed: run `python scripts/editor_setup.py`")
    return [(f"{p.parent.name}/{p.name}", json.loads(p.read_bytes())) for p in paths]


def all_nodes(workflow: Any) -> list[dict[str, Any]]:
    subgraphs = (workflow.get("definitions") or {}).get("subgraphs") or []
    found = list(workflow.get("nodes") or [])
    for subgraph in subgraphs:
        found += subgraph.get("nodes") or []
    return [n for n in found if isinstance(n, dict)]


def _value_type(values: list[Any]) -> str:
    kinds = {type(v) for v in values if v is not None}
    if kinds == {bool}:
        return "BOOLEAN"
    if kinds and kinds <= {int}:
        return "INT"
    if kinds and kinds <= {int, float}:
        return "FLOAT"
    return "STRING"


def inferred_catalog(files: list[tuple[str, Any]], known: Catalog) -> Catalog:
    """Definitions of the corpus's classes that ``known`` lacks, as the files show them."""
    sockets: dict[str, dict[str, str]] = collections.defaultdict(dict)
    widgets: dict[str, dict[str, list[Any]]] = collections.defaultdict(dict)
    outputs: dict[str, list[tuple[str, str]]] = {}
    subgraph_ids = set()
    for _, workflow in files:
        for subgraph in (workflow.get("definitions") or {}).get("subgraphs") or []:
            subgraph_ids.add(subgraph.get("id"))
    for _, workflow in files:
        for node in all_nodes(workflow):
            node_type = node.get("type")
            if node_type in known or node_type in UI_ONLY_TYPES or node_type in subgraph_ids:
                continue
            named = node.get("widgets_values_named") or {}
            for name, value in named.items():
                if name not in EDITOR_ONLY_NAMES:
                    widgets[node_type].setdefault(name, []).append(value)
            for slot in node.get("inputs") or []:
                if not slot.get("widget") and slot.get("name") not in named:
                    sockets[node_type].setdefault(slot["name"], slot.get("type") or "*")
            seen = [(o.get("name") or "", o.get("type") or "*") for o in node.get("outputs") or []]
            if len(seen) > len(outputs.get(node_type, [])):
                outputs[node_type] = seen
    definitions = {}
    for node_type in set(sockets) | set(widgets) | set(outputs):
        optional: dict[str, Any] = {
            name: [_value_type(values), {}] for name, values in widgets[node_type].items()
        }
        for name, socket_type in sockets[node_type].items():
            optional.setdefault(name, [socket_type, {}])
        found_outputs = outputs.get(node_type, [])
        definitions[node_type] = {
            "input": {"required": {}, "optional": optional},
            "output": [t for _, t in found_outputs],
            "output_name": [n for n, _ in found_outputs],
            "output_node": not found_outputs,
            "display_name": node_type,
            "category": "inferred from the corpus",
        }
    return Catalog(definitions, source="inferred from the corpus", files_known=False)


def naming_agreement(files: list[tuple[str, Any]], catalog: Catalog) -> dict[str, Any]:
    """Nodes of known classes that carry widgets_values_named: does comfydsl's naming of their
    positional values agree? Disagreements are sorted by cause."""
    agree = 0
    causes: collections.Counter[str] = collections.Counter()
    examples: dict[str, str] = {}
    for name, workflow in files:
        try:
            graph = ExecutionGraph(parse_workflow(workflow, file=name), catalog)
        except WorkflowFormatError:
            continue
        for item in graph.nodes.values():
            named = item.node.widgets_values_named
            if item.shape is None or not named or not isinstance(item.node.widgets_values, list):
                continue
            ours = positional_values(item.shape, item.node.widgets_values)
            inputs = item.shape.definition.inputs
            theirs = {k: v for k, v in named.items() if k in inputs}
            compared = {k: v for k, v in ours.items() if k in inputs}
            if compared == theirs:
                agree += 1
                continue
            extra = [k for k in named if k not in inputs and k not in EDITOR_ONLY_NAMES]
            if extra:
                cause = "the file's server had inputs 0.3.75 lacks, so later values shift"
            elif len(named) < len(item.shape.stored):
                cause = "widgets_values_named has fewer names than values (a name written twice)"
            elif set(theirs) != set(compared):
                cause = "other names"
            else:
                cause = "same names, other values (edited by hand, or written by another editor)"
            causes[cause] += 1
            examples.setdefault(cause, f"{name} node {item.id} ({item.node.type})")
    return {
        "agree": agree,
        "disagree": sum(causes.values()),
        "causes": dict(causes.most_common()),
        "examples": examples,
    }


def report() -> dict[str, Any]:
    files = corpus()
    bundled = bundled_catalog()
    inferred = inferred_catalog(files, bundled)
    knowing = bundled.merged(inferred)
    converted: list[tuple[str, Any, bool]] = []
    refused: collections.Counter[str] = collections.Counter()
    missing: collections.Counter[str] = collections.Counter()
    for name, workflow in files:
        types = {n.get("type") for n in all_nodes(workflow)} - UI_ONLY_TYPES
        types -= {s.get("id") for s in (workflow.get("definitions") or {}).get("subgraphs") or []}
        all_known = all(t in bundled for t in types)
        try:
            workflow_object = load_workflow(workflow, catalog=bundled)
        except WorkflowFormatError as error:
            refused[name.split("/")[0]] += 1
            for problem in error.problems:
                missing[problem.split("(", 1)[1].split(")", 1)[0]] += 1
            continue
        converted.append((name, workflow_object, all_known))
    valid = {"all classes known": [0, 0], "some classes inferred": [0, 0]}
    problems: collections.Counter[str] = collections.Counter()
    for _, workflow_object, all_known in converted:
        key = "all classes known" if all_known else "some classes inferred"
        found = workflow_object.check(bundled if all_known else knowing)
        valid[key][1] += 1
        if not found:
            valid[key][0] += 1
        for error in found:
            problems[error.type] += 1
    return {
        "files": len(files),
        "converted": len(converted),
        "converted_all_classes_known": sum(1 for c in converted if c[2]),
        "refused": dict(refused),
        "classes_most_often_unnamed": dict(missing.most_common(15)),
        "inferred_classes": len(inferred),
        "validation_passed": {k: f"{v[0]} of {v[1]}" for k, v in valid.items()},
        "validation_problems": dict(problems.most_common()),
        "widgets_values_named": naming_agreement(files, bundled),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    found = report()
    if args.json:
        print(json.dumps(found, indent=2))
        return 0
    for key, value in found.items():
        if isinstance(value, dict):
            print(f"{key}:")
            for inner, figure in value.items():
                print(f"  {inner}: {figure}")
        else:
            print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
