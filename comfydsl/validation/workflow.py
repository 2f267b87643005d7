"""Whole-workflow checks, as the server makes them before it runs a prompt.

The server refuses a prompt with a class it does not know anywhere in it, or with no output node
(``prompt_no_outputs``); with a body's ``partial_execution_targets``, only those output nodes
count. It validates only what it will run: the output nodes and everything they depend on; a
node that leads nowhere is neither checked nor run. Within those, ``check_workflow`` finds every
problem at once — values and links (``comfydsl.validation.inputs``), the odd shapes of nodes read
from a file (``comfydsl.validation.loaded``), required inputs without a value, and loops, which
the server rejects without saying why — each located at the line that built its node.

The server then runs the outputs that validated and drops the others; ``check_report`` says which
those would be (a ``CheckReport``), while comfydsl itself refuses the prompt whole.
"""

from __future__ import annotations

from collections.abc import Iterable

from comfydsl.catalog import Catalog, InputSpec, NodeDef, active_catalog
from comfydsl.errors import (
    BadLinkError,
    CycleError,
    MissingInputError,
    NodeError,
    NoOutputsError,
    UnknownInputError,
    ValidationError,
)
from comfydsl.graph import Node, Output, Workflow
from comfydsl.validation.inputs import (
    check_folded,
    check_link,
    check_literal,
    check_output_fits,
    input_error,
)
from comfydsl.validation.loaded import (
    is_pair,
    malformed_errors,
    odd_inputs,
    pair_error,
    role_type,
    runs_as_link,
)

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
    return _upstream(workflow, stack)


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


class CheckReport:
    """What the server would say of a workflow: ``errors``, every problem it would find, and
    ``outputs``, each output node it would try (only the ``targets``, when given) with the errors
    that stop it: an output whose list is empty would have run.

    The server runs the outputs that validate and drops the others (it answers 200 and lists
    their errors); comfydsl refuses the whole prompt when anything is wrong (``ok``), and says
    which outputs would have run (``would_run``): ``Client.submit(..., targets=would_run)`` runs
    just those.
    """

    __slots__ = ("errors", "outputs")

    def __init__(self, errors: list[NodeError], outputs: dict[str, list[NodeError]]) -> None:
        self.errors = errors
        self.outputs = outputs

    @property
    def ok(self) -> bool:
        """Whether the server would take the prompt whole (no error)."""
        return not self.errors

    @property
    def would_run(self) -> list[str]:
        """The ids of the output nodes the server would run, in prompt order."""
        return [node_id for node_id, errors in self.outputs.items() if not errors]

    def __repr__(self) -> str:
        return (
            f"<CheckReport: {len(self.errors)} error(s); would run {self.would_run} "
            f"of outputs {list(self.outputs)}>"
        )


Targets = Iterable["str | Node"] | None


def target_ids(targets: Targets, workflow: Workflow | None = None) -> list[str] | None:
    """The node ids of ``targets`` (nodes or ids), or None; TypeError for anything else.

    A node of another workflow than ``workflow`` (when given) gets an id no node has."""
    if targets is None:
        return None
    if isinstance(targets, (str, bytes, Node)) or not isinstance(targets, Iterable):
        raise TypeError(
            f"targets must be a list of output nodes or of their ids, not {type(targets).__name__}"
        )
    found = []
    for target in targets:
        if isinstance(target, Node):
            mine = workflow is None or workflow.nodes.get(target.id) is target
            target = target.id if mine else f"<{target!r}>"
        elif not isinstance(target, str):
            raise TypeError(
                f"a target is an output node or its id (a str), not {type(target).__name__} "
                f"{target!r}"
            )
        found.append(target)
    return found


def check_workflow(
    workflow: Workflow, catalog: Catalog | None = None, *, targets: Targets = None
) -> list[NodeError]:
    """Every problem the server would find in the nodes it would run, checked against ``catalog``.

    With no catalog, each node is checked against the definition it was built with (or the
    catalog in force, for nodes without one). Pass a server's catalog (``Client.catalog()``) to
    check against what that server really has, model files included. ``targets`` (output nodes
    or their ids) checks only those outputs and what they need, as the server does with a body's
    ``partial_execution_targets``. Returns the errors, each located at its node's source line;
    an empty list means the server should accept the prompt. See `check_report`.
    """
    return check_report(workflow, catalog, targets=targets).errors


def check_report(
    workflow: Workflow, catalog: Catalog | None = None, *, targets: Targets = None
) -> CheckReport:
    """The errors of `check_workflow`, and which output nodes would have run (a CheckReport)."""
    lookup = catalog if catalog is not None else active_catalog()
    nodes = workflow.nodes
    definitions: dict[str, NodeDef | None] = {}
    for node_id, node in nodes.items():
        definition = catalog.get(node.class_type) if catalog is not None else node.definition
        definitions[node_id] = definition if definition is not None else lookup.get(node.class_type)
    wanted = target_ids(targets, workflow)
    per_node: dict[str, list[NodeError]] = {}
    # Errors of nodes that stop every output, and errors of the prompt as a whole.
    everywhere: list[NodeError] = []
    # An unknown class anywhere, needed or not, makes the server refuse the whole prompt.
    suggestions: dict[str, str] = {}
    for node_id, node in nodes.items():
        if definitions[node_id] is None:
            error = _located(
                NodeError(
                    f"Cannot execute because node {node.class_type} does not exist."
                    + _suggestion(lookup, node.class_type, suggestions),
                    class_type=node.class_type,
                    type="invalid_prompt",
                    has_value=False,
                ),
                node,
            )
            per_node[node_id] = [error]
            everywhere.append(error)
    outputs = [
        node_id
        for node_id, definition in definitions.items()
        if definition is not None
        and definition.output_node
        and (wanted is None or node_id in wanted)
    ]
    prompt_wide = _target_errors(wanted, workflow, definitions)
    if not outputs and not everywhere:  # an unknown class may be an output node: not said then
        prompt_wide.append(
            NoOutputsError(
                "the prompt has no output node (SaveImage, PreviewImage...): the server would run "
                "nothing"
                if wanted is None
                else "none of the targets is an output node of the prompt: the server would run "
                "nothing",
                class_type="prompt",
                has_value=False,
            )
        )
    run = _upstream(workflow, outputs)
    is_output = set(outputs)
    layouts = workflow.layouts
    for node_id, node in nodes.items():
        definition = definitions[node_id]
        if definition is None:
            continue
        odd, raw = odd_inputs(workflow, node) if layouts else (False, None)
        if odd:
            found = [
                role_type(_located(e, node), node_id in is_output)
                for e in malformed_errors(node, definition, raw, node_id in run)
            ]
            per_node[node_id] = found
            everywhere += found  # running any output reads every node's inputs: it stops them all
        elif node_id in run:
            per_node[node_id] = [
                role_type(_located(e, node), node_id in is_output)
                for e in _node_errors(workflow, node, definition, catalog, definitions)
            ]
    errors = [e for node_id in nodes for e in per_node.get(node_id, ())]
    cycles = cycle_errors(workflow, run)
    errors += cycles
    errors += prompt_wide
    report = _outputs_report(workflow, outputs, per_node, cycles, everywhere + prompt_wide)
    return CheckReport(errors, report)


def _outputs_report(
    workflow: Workflow,
    outputs: list[str],
    per_node: dict[str, list[NodeError]],
    cycles: list[NodeError],
    everywhere: list[NodeError],
) -> dict[str, list[NodeError]]:
    """Each output with the errors that stop it: those of the nodes it needs, and ``everywhere``
    (errors that stop every output). Linear in the workflow's size when nothing is wrong, or
    few outputs are."""
    if not outputs:
        return {}
    failing = {node_id for node_id, found in per_node.items() if found}
    failing.update(e.node_id for e in cycles if e.node_id is not None)
    stopped = _downstream(workflow, failing)
    report: dict[str, list[NodeError]] = {}
    for output in outputs:
        stopping: list[NodeError] = []
        if output in stopped:
            needed = _upstream(workflow, [output])
            stopping = [
                e
                for node_id in workflow.nodes
                if node_id in needed
                for e in per_node.get(node_id, ())
            ]
            stopping += [e for e in cycles if e.node_id in needed]
        held = {id(e) for e in stopping}
        report[output] = stopping + [e for e in everywhere if id(e) not in held]
    return report


def _upstream(workflow: Workflow, starts: list[str]) -> set[str]:
    """``starts`` and every node they need, through links (any input's)."""
    nodes = workflow.nodes
    seen = set(starts)
    stack = list(starts)
    while stack:
        for value in nodes[stack.pop()].inputs.values():
            if type(value) is Output:
                upstream = value.node.id
                if upstream not in seen and upstream in nodes:
                    seen.add(upstream)
                    stack.append(upstream)
    return seen


def _downstream(workflow: Workflow, starts: set[str]) -> set[str]:
    """``starts`` and every node that needs one of them, through links (any input's)."""
    if not starts:
        return set()
    consumers: dict[str, list[str]] = {}
    for node_id, node in workflow.nodes.items():
        for value in node.inputs.values():
            if type(value) is Output:
                consumers.setdefault(value.node.id, []).append(node_id)
    seen = set(starts)
    stack = list(starts)
    while stack:
        for consumer in consumers.get(stack.pop(), ()):
            if consumer not in seen:
                seen.add(consumer)
                stack.append(consumer)
    return seen


def _target_errors(
    wanted: list[str] | None, workflow: Workflow, definitions: dict[str, NodeDef | None]
) -> list[NodeError]:
    """A target that names no node, or a node that is not an output node: the server passes it
    over in silence; comfydsl refuses it, as a mistake."""
    errors: list[NodeError] = []
    for target in wanted or ():
        node = workflow.nodes.get(target)
        if node is None:
            errors.append(
                NoOutputsError(
                    f"target {target!r} is not a node of the prompt",
                    class_type="prompt",
                    has_value=False,
                )
            )
            continue
        definition = definitions[target]
        if definition is not None and not definition.output_node:
            errors.append(
                _located(
                    NoOutputsError(
                        "is a target but not an output node: targets run output nodes only "
                        "(the server passes it over)",
                        class_type=node.class_type,
                        has_value=False,
                    ),
                    node,
                )
            )
    return errors


def _node_errors(
    workflow: Workflow,
    node: Node,
    definition: NodeDef,
    catalog: Catalog | None,
    definitions: dict[str, NodeDef | None],
) -> list[NodeError]:
    """Every problem of one node the server validates (its odd shapes: ``validation.loaded``)."""
    errors: list[NodeError] = []
    nodes = workflow.nodes
    for name, value in node.inputs.items():
        spec = definition.inputs.get(name)
        if spec is None:
            if type(value) is Output or runs_as_link(value):
                errors.append(_fail_unknown_link(definition, name, value, nodes))
            continue  # the server ignores inputs it does not declare
        try:
            if type(value) is Output:
                _check_loaded_link(spec, value, workflow, catalog)
            elif is_pair(value):
                found = pair_error(spec, value, nodes, _linked_definition(value, definitions))
                if found is not None:
                    raise found
            elif isinstance(value, list):
                raise input_error(
                    BadLinkError,
                    spec,
                    value,
                    "Bad linked input, must be a length-2 list of [node_id, slot_index]",
                    type="bad_linked_input",
                )
            else:
                check_literal(spec, value)
        except NodeError as error:
            errors.append(error)
    errors += _missing_in(node, definition)
    return errors


def _linked_definition(pair: list[Any], definitions: dict[str, NodeDef | None]) -> NodeDef | None:
    target = pair[0]
    return definitions.get(target) if isinstance(target, str) else None


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


def _fail_unknown_link(
    definition: NodeDef, name: str, value: Any, nodes: dict[str, Node]
) -> NodeError:
    target = value.node.id if type(value) is Output else value[0]
    if type(value) is not Output and target not in nodes:
        effect = (
            f"a link there to node {target!r}, which is not in the prompt, stops the server "
            "running prompts (it takes the prompt: it does not check undeclared inputs)"
        )
    else:
        effect = "a link there fails when the node runs"
    return UnknownInputError(
        f"{definition.name} has no input {name!r}, and {effect}",
        class_type=definition.name,
        input_name=name,
        value=value,
    )


def _check_loaded_link(
    spec: InputSpec, link: Output, workflow: Workflow, catalog: Catalog | None
) -> None:
    if link.node.id not in workflow.nodes or workflow.nodes[link.node.id] is not link.node:
        raise input_error(
            BadLinkError,
            spec,
            link,
            "the link points at a node that is not in the prompt",
            type="link_to_missing_node",
        )
    if catalog is None:
        check_link(spec, link, None)
        return
    source_def = catalog.get(link.node.class_type)
    if source_def is not None:
        check_output_fits(spec, link, source_def)
    check_folded(spec, link)


def _located(error: NodeError, node: Node) -> NodeError:
    return error.located(node.id, node.source)


__all__ = [
    "CheckReport",
    "Targets",
    "check_compilable",
    "check_report",
    "check_workflow",
    "cycle_errors",
    "find_cycles",
    "missing_inputs",
    "reachable_from_outputs",
    "target_ids",
]
