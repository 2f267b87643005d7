"""Workflow ⇄ API-format prompt (the ``prompt`` object of ``POST /prompt``).

Compiling is pure and deterministic: the same workflow gives the same dict, key for key, in every
process. Each node becomes ``{"inputs": {...}, "class_type": ..., "_meta": {...}}`` (``_meta`` only
when the node has one), under its id, in the order the nodes were made; a link becomes
``["<id>", <index>]``.

Loading does the reverse and keeps everything: ids, key order, ``_meta``, classes the catalog does
not know, input keys the definition does not declare, nodes that lead nowhere. So
``load_prompt(p).to_api() == p``, and the JSON text is byte-for-byte the same.
"""

from __future__ import annotations

import gc
import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path, PurePath
from typing import Any

from comfydsl.catalog import Catalog, active_catalog
from comfydsl.check import cycle_errors, missing_inputs, reachable_from_outputs
from comfydsl.errors import NodeError, PromptFormatError, ValidationError
from comfydsl.graph import Node, Workflow
from comfydsl.values import LocalFile, freeze


def compile_workflow(
    workflow: Workflow,
    *,
    check: bool | None = None,
    uploads: Callable[[PurePath], str] | None = None,
) -> dict[str, dict[str, Any]]:
    """The API-format prompt of ``workflow``; see ``Workflow.to_api``."""
    if check is None or check:
        _check(workflow, built_only=check is None)
    # The prompt is a tree of fresh dicts with no cycles: pause the collector while it is made,
    # or every few hundred dicts it would walk the whole workflow (at 100,000 nodes that
    # doubled the time of a compile). It runs again, as before, right after.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _emit(workflow, uploads)
    finally:
        if collecting:
            gc.enable()


def _emit(
    workflow: Workflow, uploads: Callable[[PurePath], str] | None
) -> dict[str, dict[str, Any]]:
    prompt: dict[str, dict[str, Any]] = {}
    for node_id, node in workflow.nodes.items():
        # Stored values are already in their JSON form and read-only (comfydsl.values): links are
        # Output lists, so one shallow copy per node is the whole translation.
        inputs = dict(node.inputs)
        if uploads is not None:
            for name, value in inputs.items():
                if type(value) is LocalFile:
                    inputs[name] = uploads(value.path)
        meta = node.meta
        if meta is None:
            prompt[node_id] = {"inputs": inputs, "class_type": node.class_type}
        else:
            prompt[node_id] = {"inputs": inputs, "class_type": node.class_type, "_meta": dict(meta)}
    return prompt


def _check(workflow: Workflow, *, built_only: bool) -> None:
    errors: list[NodeError] = missing_inputs(workflow)
    if errors:
        # Like the server, leave alone nodes that feed no output: they are never run.
        run = reachable_from_outputs(workflow)
        errors = [e for e in errors if e.node_id in run]
        if built_only:
            # Nodes read from a prompt file compile back as they were; wf.check() reports on them.
            errors = [e for e in errors if e.source is not None]
    if workflow.loaded and not built_only:
        errors += cycle_errors(workflow, reachable_from_outputs(workflow))
    if errors:
        raise ValidationError(errors, heading=f"cannot compile {workflow!r}")


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
        try:
            data = json.loads(Path(file).read_text(encoding="utf-8"))
        except OSError as exc:
            raise PromptFormatError(
                [f"cannot read the file: {exc.strerror or exc}"], file=file
            ) from exc
        except json.JSONDecodeError as exc:
            raise PromptFormatError(
                [f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"], file=file
            ) from exc
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
        if not isinstance(raw, Mapping):
            problems.append(f"{where}: a node must be an object, not {type(raw).__name__}")
            continue
        class_type = raw.get("class_type")
        if not isinstance(class_type, str):
            problems.append(f"{where}: no class_type (the server rejects the whole prompt for it)")
            continue
        inputs = raw.get("inputs", {})
        if not isinstance(inputs, Mapping):
            problems.append(f"{where} ({class_type}): inputs must be an object")
            continue
        meta = raw.get("_meta")
        if meta is not None and not isinstance(meta, Mapping):
            problems.append(f"{where} ({class_type}): _meta must be an object")
            continue
        unknown_keys = [k for k in raw if k not in ("inputs", "class_type", "_meta")]
        if unknown_keys:
            problems.append(
                f"{where} ({class_type}): unexpected keys {unknown_keys} (kept would be lost)"
            )
            continue
        values = {name: freeze(value) for name, value in inputs.items()}
        node = Node._make(
            class_type, values, catalog.get(class_type), None, node_id, None, workflow
        )
        node.meta = dict(meta) if meta is not None else None
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


def dumps_prompt(prompt: Mapping[str, Any], *, indent: int | None = 2) -> str:
    """JSON text of a prompt as comfydsl writes it: UTF-8 characters kept, given indent."""
    return json.dumps(prompt, indent=indent, ensure_ascii=False)
