"""Whole-workflow checks, as the server makes them before it runs a prompt.

The server validates only what it will run: the output nodes and everything they depend on
(``reachable_from_outputs``); a node that leads nowhere is neither checked nor run. Within those,
``check_workflow`` finds every problem at once — unknown classes, values and links (the rules of
comfydsl.validate), required inputs without a value, and loops, which the server rejects without
saying why — each located at the line that built its node.
"""

from __future__ import annotations

from collections.abc import Iterable

from comfydsl.catalog import Catalog, InputSpec, NodeDef, active_catalog
from comfydsl.errors import (
    BadLinkError,
    CycleError,
    MissingInputError,
    NodeError,
    UnknownInputError,
    ValidationError,
)
from comfydsl.graph import Node, Output, Workflow
from comfydsl.validation.inputs import check_link, check_literal, check_output_fits, input_error

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def reachable_from_outputs(workflow: Workflow, catalog: Catalog | None = None) -> set[str]:
    """Ids of the nodes the server would validate and run: output nodes and all they depend on.

    A node whose class is not known counts as an output node (it may be one).
    """
    nodes = workflow.nodes
    stack = []
    for node_id, node in nodes.items():
        definition = _definition(node, catalog)
        if definition is None or definition.output_node:
            stack.append(node_id)
    seen = set(stack)
    while stack:
        node = nodes[stack.pop()]
        for value in node.inputs.values():
            if type(value) is Output:
                upstream = value.node.id
                if upstream not in seen and upstream in nodes:
                    seen.add(upstream)
                    stack.append(upstream)
    return seen


def _definition(node: Node, catalog: Catalog | None) -> NodeDef | None:
    if catalog is None:
        definition: NodeDef | None = node.definition
        return definition
    return catalog.get(node.class_type)


def find_cycles(workflow: Workflow) -> list[list[Node]]:
    """Every loop of links, each as the list of its nodes (iterative; safe on any graph size)."""
    nodes = workflow.nodes
    indegree: dict[str, int] = dict.fromkeys(nodes, 0)
    consumers: dict[str, list[str]] = {node_id: [] for node_id in nodes}
    for node_id, node in nodes.items():
        for value in node.inputs.values():
            if type(value) is Output and value.node.id in nodes:
                consumers[value.node.id].append(node_id)
                indegree[node_id] += 1
    ready = [node_id for node_id, n in indegree.items() if n == 0]
    while ready:
        node_id = ready.pop()
        for consumer in consumers[node_id]:
            indegree[consumer] -= 1
            if indegree[consumer] == 0:
                ready.append(consumer)
    left = {node_id for node_id, n in indegree.items() if n > 0}
    cycles: list[list[Node]] = []
    while left:
        # Walk upstream inside the leftover set until a node repeats: that is one loop.
        start = next(iter(left))
        path: list[str] = []
        index: dict[str, int] = {}
        current: str | None = start
        while current is not None and current not in index:
            index[current] = len(path)
            path.append(current)
            current = next(
                (
                    v.node.id
                    for v in nodes[current].inputs.values()
                    if type(v) is Output and v.node.id in left
                ),
                None,
            )
        if current is not None:
            loop = path[index[current] :]
            cycles.append([nodes[i] for i in loop])
            left.difference_update(loop)
        left.difference_update(path)
    return cycles


def cycle_errors(workflow: Workflow, only: Iterable[str] | None = None) -> list[NodeError]:
    """A CycleError for each loop (restricted to loops touching ``only`` when given)."""
    wanted = None if only is None else set(only)
    errors: list[NodeError] = []
    for loop in find_cycles(workflow):
        if wanted is not None and not any(n.id in wanted for n in loop):
            continue
        first = loop[0]
        chain = " -> ".join(f"{n.class_type}#{n.id}" for n in reversed(loop))
        errors.append(
            CycleError(
                f"links form a loop: {chain} -> {loop[-1].class_type}#{loop[-1].id}",
                class_type=first.class_type,
                node_id=first.id,
                source=first.source,
                has_value=False,
            )
        )
    return errors


def missing_inputs(workflow: Workflow, only: Iterable[str] | None = None) -> list[NodeError]:
    """A MissingInputError for each required input without a value, in the nodes ``only`` names."""
    errors: list[NodeError] = []
    nodes = workflow.nodes
    wanted = None if only is None else set(only)
    for node_id, node in nodes.items():
        definition = node.definition
        if definition is None or (wanted is not None and node_id not in wanted):
            continue
        inputs = node.inputs
        # Written flat: compiling runs this over every node, and nearly every node has all it needs.
        for name in definition.required_names:
            if name not in inputs:
                errors += _missing_in(node, definition)
                break
    return errors


def _missing_in(node: Node, definition: NodeDef) -> list[NodeError]:
    """A MissingInputError for each required input of ``definition`` that ``node`` lacks."""
    errors: list[NodeError] = []
    for name in definition.required_names:
        if name not in node.inputs:
            spec = definition.inputs[name]
            errors.append(
                MissingInputError(
                    "Required input is missing"
                    + ("" if spec.widget else " (nothing is linked to it)"),
                    class_type=node.class_type,
                    node_id=node.id,
                    input_name=name,
                    expected=spec.describe(),
                    source=node.source,
                    has_value=False,
                )
            )
    return errors


def check_workflow(workflow: Workflow, catalog: Catalog | None = None) -> list[NodeError]:
    """Every problem the server would find in the nodes it would run, checked against ``catalog``.

    With no catalog, each node is checked against the definition it was built with (or the
    catalog in force, for nodes without one). Pass a server's catalog (``Client.catalog()``) to
    check against what that server really has, model files included. Returns the errors, each
    located at its node's source line; an empty list means the server should accept the prompt.
    """
    errors: list[NodeError] = []
    lookup = catalog if catalog is not None else active_catalog()
    run = reachable_from_outputs(workflow, catalog)
    # "Did you mean" costs a search of the whole catalog: once per unknown class, not per node.
    suggestions: dict[str, str] = {}
    for node_id in workflow.nodes:
        if node_id not in run:
            continue
        node = workflow.nodes[node_id]
        definition = catalog.get(node.class_type) if catalog is not None else node.definition
        if definition is None:
            definition = lookup.get(node.class_type)
        if definition is None:
            errors.append(
                _located(
                    NodeError(
                        f"Cannot execute because node {node.class_type} does not exist."
                        + _suggestion(lookup, node.class_type, suggestions),
                        class_type=node.class_type,
                        type="invalid_prompt",
                        has_value=False,
                    ),
                    node,
                )
            )
            continue
        for name, value in node.inputs.items():
            spec = definition.inputs.get(name)
            if spec is None:
                if type(value) is Output:
                    errors.append(
                        _located(
                            _fail_unknown_link(definition, name, value),
                            node,
                        )
                    )
                continue  # the server ignores inputs it does not declare
            try:
                if type(value) is Output:
                    _check_loaded_link(spec, value, workflow, catalog)
                else:
                    _check_loaded_literal(spec, value)
            except NodeError as error:
                errors.append(_located(error, node))
        errors += _missing_in(node, definition)
    errors.extend(cycle_errors(workflow, run))
    return errors


def check_compilable(workflow: Workflow, *, built_only: bool) -> None:
    """What compiling checks (``Workflow.to_api``): raise ValidationError for required inputs
    left without a value in the nodes the server would run, and, unless ``built_only``, for loops.

    With ``built_only``, nodes read from a prompt file are left alone, so that a file compiles
    back as it was (``wf.check()`` reports on them).
    """
    errors: list[NodeError] = missing_inputs(workflow)
    if errors:
        # Like the server, leave alone nodes that feed no output: they are never run.
        run = reachable_from_outputs(workflow)
        errors = [e for e in errors if e.node_id in run]
        if built_only:
            errors = [e for e in errors if e.source is not None]
    if workflow.loaded and not built_only:
        errors += cycle_errors(workflow, reachable_from_outputs(workflow))
    if errors:
        raise ValidationError(errors, heading=f"cannot compile {workflow!r}")


#: How many distinct unknown classes one check offers a "did you mean" for: each costs a search of
#: the whole catalog, and a prompt of thousands of different unknown classes is not a typo.
SUGGEST_LIMIT = 100


def _suggestion(catalog: Catalog, class_type: str, known: dict[str, str]) -> str:
    found = known.get(class_type)
    if found is None:
        if len(known) >= SUGGEST_LIMIT:
            return ""
        close = catalog.suggest(class_type)
        found = known[class_type] = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
    return found


def _fail_unknown_link(definition: NodeDef, name: str, value: Output) -> NodeError:
    return UnknownInputError(
        f"{definition.name} has no input {name!r}, and a link there fails when the node runs",
        class_type=definition.name,
        input_name=name,
        value=value,
    )


def _check_loaded_link(
    spec: InputSpec, link: Output, workflow: Workflow, catalog: Catalog | None
) -> None:
    if link.node.id not in workflow.nodes or workflow.nodes[link.node.id] is not link.node:
        raise input_error(
            BadLinkError, spec, link, "the link points at a node that is not in the prompt"
        )
    if catalog is None:
        check_link(spec, link, None)
        return
    source_def = catalog.get(link.node.class_type)
    if source_def is not None:
        check_output_fits(spec, link, source_def)


def _check_loaded_literal(spec: InputSpec, value: Any) -> None:
    if isinstance(value, list):
        raise input_error(
            BadLinkError,
            spec,
            value,
            "Bad linked input, must be a length-2 list of [node_id, slot_index]",
            type="bad_linked_input",
        )
    check_literal(spec, value)


def _located(error: NodeError, node: Node) -> NodeError:
    return error.located(node.id, node.source)


__all__ = [
    "check_compilable",
    "check_workflow",
    "cycle_errors",
    "find_cycles",
    "missing_inputs",
    "reachable_from_outputs",
]
