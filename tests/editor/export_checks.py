"""What the export tests check of the editor's answers (export_harness.py): one place for them."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from export_harness import IGNORED_CONSOLE

from comfydsl.formats.api_to_ui import Loss


def without_meta(prompt: Mapping[str, Any]) -> dict[str, Any]:
    """A prompt as plain JSON without its nodes' ``_meta`` (the server ignores it)."""
    plain = json.loads(json.dumps(prompt))
    return {
        node_id: {key: value for key, value in node.items() if key != "_meta"}
        for node_id, node in plain.items()
    }


def expected_after(prompt: Mapping[str, Any], lost: Iterable[Loss]) -> dict[str, Any]:
    """The prompt the editor should queue: ``prompt`` with each reported loss applied."""
    expected = without_meta(prompt)
    for loss in lost:
        inputs = expected[loss.node_id]["inputs"]
        if loss.kind == "dropped":
            del inputs[loss.input]
        else:  # "added" or "as_text": the editor sends this value
            inputs[loss.input] = loss.value
    return expected


def differences(expected: Mapping[str, Any], actual: Mapping[str, Any]) -> str:
    """What differs between two prompts, input by input."""
    lines = []
    for node_id in sorted(set(expected) | set(actual)):
        want, got = expected.get(node_id), actual.get(node_id)
        if want != got:
            lines.append(f"  node {node_id}: expected {json.dumps(want)[:300]}")
            lines.append(f"  {' ' * len(node_id)}       editor {json.dumps(got)[:300]}")
    return "\n".join(lines)


def complaints(answer: Mapping[str, Any]) -> list[str]:
    """Everything the editor said against the file while opening it."""
    found = [f"missing node type {t}" for t in answer["missing"]]
    found += [f"toast {t}" for t in answer["toasts"]]
    found += [f"dialog {d}" for d in answer["dialogs"]]
    found += [f"console {c}" for c in answer["console"] if not any(n in c for n in IGNORED_CONSOLE)]
    return found


def overlaps(
    nodes: list[Mapping[str, Any]], among: set[str] | None = None
) -> list[tuple[str, str]]:
    """Pairs of nodes whose rectangles overlap (``among``: only pairs with one of these ids).

    A node's rectangle is its ``pos`` and ``size`` plus its title bar above (the editor draws
    the title above ``pos``, 30 pixels high).
    """
    boxes = []
    for node in nodes:
        x, y = node["pos"]
        width, height = node["size"]
        boxes.append((str(node["id"]), x, y - 30, x + width, y + height))
    boxes.sort(key=lambda b: b[1])
    found = []
    for i, (a, _ax0, ay0, ax1, ay1) in enumerate(boxes):
        for b, bx0, by0, _bx1, by1 in boxes[i + 1 :]:
            if bx0 >= ax1:
                break
            if among is not None and a not in among and b not in among:
                continue
            if ay0 < by1 and by0 < ay1:
                found.append((a, b))
    return found


def disagreements(ours: Mapping[str, Any], theirs: Mapping[str, Any]) -> list[str]:
    """Where the editor's re-serialisation of our file says something else than the file:
    widget values, which link each input and output has, and the links table."""
    found = []
    mine = {str(n["id"]): n for n in ours["nodes"]}
    for node in theirs["nodes"]:
        node_id = str(node["id"])
        own = mine.get(node_id)
        if own is None:
            found.append(f"node {node_id}: the editor has it, the file does not")
            continue
        if isinstance(own.get("widgets_values"), list) and own.get("widgets_values") != node.get(
            "widgets_values"
        ):
            found.append(
                f"node {node_id} ({own['type']}): widgets_values {own.get('widgets_values')} "
                f"became {node.get('widgets_values')}"
            )
        own_inputs = [(i["name"], i["link"]) for i in own.get("inputs", [])]
        their_inputs = [(i["name"], i["link"]) for i in node.get("inputs") or []]
        if own_inputs != their_inputs:
            found.append(f"node {node_id}: inputs {own_inputs} became {their_inputs}")
        own_outputs = [(o["name"], sorted(o["links"] or [])) for o in own.get("outputs", [])]
        their_outputs = [(o["name"], sorted(o["links"] or [])) for o in node.get("outputs") or []]
        if own_outputs != their_outputs:
            found.append(f"node {node_id}: outputs {own_outputs} became {their_outputs}")
    links = sorted(json.dumps(link) for link in ours["links"])
    their_links = sorted(json.dumps(link) for link in theirs["links"])
    if links != their_links:
        found.append(f"links {links} became {their_links}")
    return found
