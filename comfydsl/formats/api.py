"""The API format (the ``prompt`` object of ``POST /prompt``): reading it into a Workflow, and writing it.

Emitting the prompt is the model's (``comfydsl.graph.emit_prompt``, behind ``Workflow.to_api``):
pure and deterministic, the same workflow gives the same dict, key for key, in every process.

Loading does the reverse and keeps everything: ids, key order, ``_meta``, classes the catalog does
not know, input keys the definition does not declare, nodes that lead nowhere. So
``load_prompt(p).to_api() == p``, and the JSON text is byte-for-byte the same.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping

from comfydsl.build.make import Node, UntypedNode, Workflow, make_node, node_type
from comfydsl.build.plans import plan_of
from comfydsl.catalog import Catalog, active_catalog
from comfydsl.errors import PromptFormatError
from comfydsl.values import freeze, json_problem, read_json, text_problem

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# -- loading --------------------------------------------------------------------------------------


def _looks_like_link(value: Any) -> bool:
    # isinstance, not type(): a prompt made by to_api() holds Output objects, a list subclass.
    return isinstance(value, list) and len(value) == 2


def load_prompt(
    source: Mapping[str, Any] | str | os.PathLike[str],
    *,
    catalog: Catalog | None = None,
) -> Workflow:
    """A Workflow from an API-format prompt: a dict, a JSON file, or a ``POST /prompt`` body.

    Every problem of the file is reported at once (PromptFormatError.problems). Nodes keep their
    ids and ``_meta``; classes the catalog knows get their definition (outputs by name), the others
    stay untyped. Links become Output references; a link to a node that is not in the prompt is an
    error (such a prompt stops a real server's execution thread).
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
    problems: list[str] = []
    if not isinstance(data, Mapping):
        raise PromptFormatError(
            [
                f"an API-format prompt is a JSON object of node id -> node, not {type(data).__name__}"
            ],
            file=file,
        )
    catalog = catalog if catalog is not None else active_catalog()
    workflow = Workflow(name=file)
    workflow.loaded = True
    pending: list[tuple[Node, str, list[Any]]] = []
    for node_id, raw in data.items():
        where = f"node {node_id!r}"
        if not isinstance(node_id, str) or text_problem(node_id):
            problems.append(f"{where}: a node id must be a string of UTF-8")
            continue
        if not isinstance(raw, Mapping):
            problems.append(f"{where}: a node must be an object, not {type(raw).__name__}")
            continue
        class_type = raw.get("class_type")
        if not isinstance(class_type, str):
            problems.append(f"{where}: no class_type (the server rejects the whole prompt for it)")
            continue
        if text_problem(class_type):
            problems.append(f"{where}: class_type: {text_problem(class_type)}")
            continue
        inputs = raw.get("inputs", {})
        if not isinstance(inputs, Mapping):
            problems.append(f"{where} ({class_type}): inputs must be an object")
            continue
        meta = raw.get("_meta")
        if meta is not None and not isinstance(meta, Mapping):
            problems.append(f"{where} ({class_type}): _meta must be an object")
            continue
        if meta is not None and json_problem(meta):
            problems.append(f"{where} ({class_type}): _meta: {json_problem(meta)}")
            continue
        unknown_keys = [k for k in raw if k not in ("inputs", "class_type", "_meta")]
        if unknown_keys:
            problems.append(
                f"{where} ({class_type}): unexpected keys {unknown_keys} (kept would be lost)"
            )
            continue
        bad = _input_problems(inputs)
        if bad:
            problems += [f"{where} ({class_type}), {problem}" for problem in bad]
            continue
        values = {name: freeze(value) for name, value in inputs.items()}
        definition = catalog.get(class_type)
        node = make_node(
            workflow,
            UntypedNode if definition is None else node_type(plan_of(definition)),
            class_type,
            values,
            definition,
            dict(meta) if meta is not None else None,
            node_id,
            None,
        )
        if "inputs" not in raw:
            problems.append(f"{where} ({class_type}): no inputs object")
        for name, value in inputs.items():
            if _looks_like_link(value):
                pending.append((node, name, value))
    for node, name, link in pending:
        target_id, index = link
        where = f"node {node.id!r} ({node.class_type}), input {name!r}"
        if not isinstance(target_id, str):
            problems.append(
                f"{where}: link {link!r} names its node by a {type(target_id).__name__}; "
                "the server needs the id as a string"
            )
            continue
        if not isinstance(index, int) or isinstance(index, bool):
            problems.append(f"{where}: link {link!r} has no whole-number output index")
            continue
        target = workflow.nodes.get(target_id)
        if target is None:
            problems.append(
                f"{where}: link to node {target_id!r}, which is not in the prompt "
                "(a real server's execution thread stops on such a prompt)"
            )
            continue
        node.inputs[name] = target.output(index)
    if problems:
        raise PromptFormatError(problems, file=file)
    return workflow


def _input_problems(inputs: Mapping[Any, Any]) -> list[str]:
    """What is wrong with a node's inputs object as JSON: names that are not UTF-8 strings, values
    too deep, that contain themselves, or that JSON cannot hold."""
    found = []
    for name, value in inputs.items():
        if not isinstance(name, str) or text_problem(name):
            found.append(f"input {name!r}: an input name must be a string of UTF-8")
            continue
        problem = json_problem(value)
        if problem is not None:
            found.append(f"input {name!r}: {problem}")
    return found


def dumps_prompt(prompt: Mapping[str, Any], *, indent: int | None = 2) -> str:
    """JSON text of a prompt as comfydsl writes it: UTF-8 characters kept, given indent."""
    return json.dumps(prompt, indent=indent, ensure_ascii=False)


__all__ = ["dumps_prompt", "load_prompt"]
