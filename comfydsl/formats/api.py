"""The API format (the ``prompt`` object of ``POST /prompt``): reading it into a Workflow, and writing it.

Emitting the prompt is the model's (``comfydsl.graph.emit_prompt``, behind ``Workflow.to_api``):
pure and deterministic, the same workflow gives the same dict, key for key, in every process.

Loading does the reverse and keeps everything: ids, key order, ``_meta``, other keys of a node,
classes the catalog does not know, input keys the definition does not declare, nodes that lead
nowhere, links that point nowhere. So ``load_prompt(p).to_api() == p``, and the JSON text is
byte-for-byte the same.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping

from comfydsl.build.make import Node, UntypedNode, Workflow, make_node, node_type
from comfydsl.build.plans import plan_of
from comfydsl.catalog import Catalog, active_catalog
from comfydsl.errors import PromptFormatError
from comfydsl.graph import FROM_NODE, NodeLayout
from comfydsl.values import freeze, json_problem, read_json, text_problem

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# -- loading --------------------------------------------------------------------------------------

#: The node keys the model holds, in the order it writes them.
_STANDARD_KEYS = ("inputs", "class_type", "_meta")


def _is_link(value: Any, nodes: Mapping[str, Any]) -> bool:
    """Whether a value read from a prompt is a link this workflow can follow: a pair of a node
    id of the prompt and a whole-number output index (not true/false)."""
    return (
        isinstance(value, list)
        and len(value) == 2
        and type(value[0]) is str
        and value[0] in nodes
        and type(value[1]) is int
    )


def load_prompt(
    source: Mapping[str, Any] | str | os.PathLike[str],
    *,
    catalog: Catalog | None = None,
) -> Workflow:
    """A Workflow from an API-format prompt: a dict, a JSON file, or a ``POST /prompt`` body.

    Nodes keep their ids, ``_meta`` and every other key (the server reads ``is_changed``), in the
    file's order: the workflow compiles back to the same prompt, byte for byte. Classes the
    catalog knows get their definition (outputs by name), the others stay untyped. Links become
    Output references; a link that cannot be followed (to a node that is not in the prompt, with
    an output index that is not a whole number...) is kept as it was, and so is an ``inputs``
    that is not an object: what the server would say of them, ``wf.check()`` says, node by node.

    Only a file that is not a prompt at all raises PromptFormatError, listing every problem:
    not JSON, not an object of nodes, a node that is not an object or has no ``class_type``
    string (the server refuses the whole prompt for those), values JSON cannot hold.
    """
    file = None
    if isinstance(source, (str, os.PathLike)):
        file = os.fspath(source)
        data = read_json(file, lambda reason: PromptFormatError([reason], file=file))
    else:
        data = source
    if (
        isinstance(data, Mapping)
        and isinstance(data.get("prompt"), Mapping)
        and all(not isinstance(v, Mapping) or "class_type" not in v for v in data.values())
    ):
        data = data["prompt"]  # a whole POST /prompt body
    if not isinstance(data, Mapping):
        raise PromptFormatError(
            [
                f"an API-format prompt is a JSON object of node id -> node, not {type(data).__name__}"
            ],
            file=file,
        )
    problems = [
        problem for node_id, raw in data.items() for problem in _node_problems(node_id, raw)
    ]
    if problems:
        raise PromptFormatError(problems, file=file)
    catalog = catalog if catalog is not None else active_catalog()
    workflow = Workflow(name=file)
    workflow.loaded = True
    layouts: dict[str, NodeLayout] = {}
    pending: list[tuple[Node, str, list[Any]]] = []
    for node_id, raw in data.items():
        class_type = raw["class_type"]
        given = raw.get("inputs")
        values = (
            {name: freeze(value) for name, value in given.items()}
            if isinstance(given, Mapping)
            else {}
        )
        meta = raw.get("_meta")
        definition = catalog.get(class_type)
        node = make_node(
            workflow,
            UntypedNode if definition is None else node_type(plan_of(definition)),
            class_type,
            values,
            definition,
            dict(meta) if isinstance(meta, Mapping) else None,
            node_id,
            None,
        )
        layout = _layout(raw)
        if layout is not None:
            layouts[node_id] = layout
        for name, value in values.items():
            if _is_link(value, data):
                pending.append((node, name, value))
    for node, name, link in pending:
        node.inputs[name] = workflow.nodes[link[0]].output(link[1])
    if layouts:
        workflow.layouts = layouts
    return workflow


def _node_problems(node_id: Any, raw: Any) -> list[str]:
    """Why a node makes a prompt unreadable: an id that is not a string, a node that is not an
    object, no class_type string, values JSON cannot hold (the first of those found)."""
    where = f"node {node_id!r}"
    if not isinstance(node_id, str) or text_problem(node_id):
        return [f"{where}: a node id must be a string of UTF-8"]
    if not isinstance(raw, Mapping):
        return [
            f"{where}: a node must be an object, not {type(raw).__name__} "
            "(the server refuses the whole prompt for it)"
        ]
    class_type = raw.get("class_type")
    if not isinstance(class_type, str):
        return [f"{where}: no class_type string (the server refuses the whole prompt for it)"]
    problem = text_problem(class_type)
    if problem is not None:
        return [f"{where}: class_type: {problem}"]
    for key, value in raw.items():
        if not isinstance(key, str) or text_problem(key):
            return [f"{where} ({class_type}): a key must be a string of UTF-8, not {key!r}"]
        if key == "inputs" and isinstance(value, Mapping):
            # Per input, so that the message names it.
            for name, item in value.items():
                if not isinstance(name, str) or text_problem(name):
                    return [
                        f"{where} ({class_type}), input {name!r}: an input name must be a string of UTF-8"
                    ]
                problem = json_problem(item)
                if problem is not None:
                    return [f"{where} ({class_type}), input {name!r}: {problem}"]
            continue
        problem = json_problem(value)
        if problem is not None:
            return [f"{where} ({class_type}): {key}: {problem}"]
    return []


def _layout(raw: Mapping[str, Any]) -> NodeLayout | None:
    """The layout of a node the model cannot write back as it was read, or None (see
    ``Workflow.layouts``): one whose keys are not ``inputs``, ``class_type``, ``_meta`` in that
    order, or whose ``inputs`` or ``_meta`` is not an object."""
    keys = tuple(raw)
    if (
        keys in (_STANDARD_KEYS[:2], _STANDARD_KEYS)
        and isinstance(raw["inputs"], Mapping)
        and isinstance(raw.get("_meta", {}), Mapping)
    ):
        return None
    layout = []
    for key, value in raw.items():
        held = key == "class_type" or (key in ("inputs", "_meta") and isinstance(value, Mapping))
        layout.append((key, FROM_NODE if held else freeze(value)))
    return tuple(layout)


def dumps_prompt(prompt: Mapping[str, Any], *, indent: int | None = 2) -> str:
    """JSON text of a prompt as comfydsl writes it: UTF-8 characters kept, given indent."""
    return json.dumps(prompt, indent=indent, ensure_ascii=False)


__all__ = ["dumps_prompt", "load_prompt"]
