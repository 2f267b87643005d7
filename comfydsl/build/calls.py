"""Typed node calls: ``KSampler(model=..., seed=42)`` checks each input at once and makes the node.

This is the hot path of building a workflow: one call per node, so it avoids work it does not need
(no copies of the definition, one dict of inputs built in the order the prompt will have), and then
makes the node through ``make_node`` like every other.
"""

from __future__ import annotations

import functools
import sys
from typing import Any

from comfydsl.build.bind import bind_call
from comfydsl.build.make import Node, current_workflow, make_node, node_type
from comfydsl.build.plans import plan_of
from comfydsl.catalog import MISSING, Catalog, NodeDef, active_catalog
from comfydsl.catalog.catalog import catalog_var
from comfydsl.catalog.packs import unknown_class_hint
from comfydsl.errors import NodeError, UnknownNodeError
from comfydsl.graph import current
from comfydsl.source import to_location


class _Bound:
    """What a call of one node class reads: its definition, whether it keeps to it, and what
    the building layer made of the definition last called (kept here, so that a call finds
    each in one step): its plan, the fast path's steps, its node type."""

    __slots__ = ("bound", "class_type", "definition", "fast", "kind", "plan", "plan_of")

    def __init__(self, definition: NodeDef, bound: bool) -> None:
        self.definition = definition
        self.bound = bound
        self.use(definition)

    def use(self, definition: NodeDef) -> None:
        """Make ``definition`` the one calls are checked against until another is in force."""
        plan = plan_of(definition)
        self.plan_of = definition
        self.plan = plan
        self.class_type = definition.name
        # The fast path walks these steps; classes with an input named like a control keyword
        # (title, id, extra_inputs) or with format-dependent widgets take bind_call instead.
        self.fast = None if definition.control_clash else plan.steps
        self.kind = node_type(plan)


def _call(state: _Bound, /, *args: Any, **kwargs: Any) -> Node:
    """A call of a node class (see NodeClass): check the inputs, make the node."""
    definition = state.definition
    if not state.bound:
        active = catalog_var.get()
        if active is not None:
            definition = active.get(definition.name) or definition
    if state.plan_of is not definition:
        state.use(definition)
    # The caller is the user's code: comfydsl itself never calls a node class, and the call
    # reaches here through functools.partial, which is C: the frame needs no walking.
    frame = sys._getframe(1)
    workflow = current.get()
    if workflow is None:  # not `or`: an empty workflow is false, and asking costs a call
        workflow = current_workflow()
    steps = state.fast
    if steps is not None and not args:
        # The common call, inline: walk the inputs in the order the prompt will have them,
        # check the ones given, default the rest.
        inputs = {}
        used = 0
        try:
            for name, check, default in steps:
                if name in kwargs:
                    inputs[name] = check(kwargs[name], workflow)
                    used += 1
                elif default is not MISSING:
                    inputs[name] = default
        except NodeError as error:
            raise error.located(None, to_location((frame.f_code, frame.f_lasti))) from None
        if used == len(kwargs):
            return make_node(
                workflow,
                state.kind,
                state.class_type,
                inputs,
                definition,
                None,
                None,
                frame.f_code,
                frame.f_lasti,
            )
        # Otherwise there are keywords that are not input names: title=, id=, extra_inputs=,
        # aliases, mistakes.
    source = to_location((frame.f_code, frame.f_lasti))
    values, meta, node_id = bind_call(definition, state.plan, args, kwargs, workflow, source)
    return make_node(
        workflow,
        state.kind,
        state.class_type,
        values,
        definition,
        meta,
        node_id,
        frame.f_code,
        frame.f_lasti,
    )


class NodeClass(functools.partial):  # type: ignore[type-arg]
    """A node class of the catalog, callable to make nodes: ``KSampler(model=m, seed=42, ...)``.

    Inputs are keyword arguments named after the definition's inputs (or their Python form, e.g.
    ``input_blocks_0_`` for ``"input_blocks.0."``), or positional in the definition's order.
    ``title=`` sets the node's title, ``id=`` its id, ``extra_inputs={...}`` passes input keys the
    definition does not declare. Required widgets left out take the definition's default.

    A class imported from ``comfydsl.nodes`` checks each call against the catalog in force at that
    call (a ``use_catalog(server_catalog)`` block sees that server's model files), falling back to
    the definition it was made from; one from ``from_catalog(catalog)`` keeps to that catalog.
    Mistakes in the call's shape raise ``comfydsl.errors.CallError`` (a TypeError).

    It is a ``functools.partial`` of one function: a partial is called in C, which saves a
    Python-level ``__call__`` on every node made (measured in benchmarks/).
    """

    _state: _Bound
    __name__: str
    __qualname__: str

    def __new__(cls, definition: NodeDef, *, bound: bool = False) -> NodeClass:
        state = _Bound(definition, bound)
        self = super().__new__(cls, _call, state)
        self._state = state
        self.__name__ = definition.name
        self.__qualname__ = definition.name
        self.__doc__ = _docstring(definition)
        return self

    @property
    def bound(self) -> bool:
        """Whether calls keep to the definition the class was made from (``from_catalog``)."""
        return self._state.bound

    @property
    def definition(self) -> NodeDef:
        """The definition calls are checked against now (see the class docstring)."""
        state = self._state
        if not state.bound:
            active = catalog_var.get()
            if active is not None:
                return active.get(state.definition.name) or state.definition
        return state.definition

    @property
    def class_type(self) -> str:
        """The class name the server knows this node by."""
        return self._state.definition.name

    def __repr__(self) -> str:
        return f"<node class {self._state.definition.name}>"


def _docstring(definition: NodeDef) -> str:
    lines = [f"{definition.display_name} ({definition.category})", "", "Inputs:"]
    for spec in definition.inputs.values():
        flag = "" if spec.required else ", optional"
        default = "" if spec.default is None or not spec.widget else f" = {spec.default!r}"
        lines.append(f"  {spec.name}: {spec.describe()}{flag}{default}")
    lines.append("Outputs:")
    lines += [f"  .{o.attr} / [{o.index}]: {o.type}" for o in definition.outputs] or ["  none"]
    return "\n".join(lines)


#: The classes of comfydsl.nodes, one per class name (they follow the catalog in force).
_by_name: dict[str, NodeClass] = {}


def node_class(name: str, catalog: Catalog | None = None) -> NodeClass:
    """The callable node class ``name``: of the catalog in force (following it from call to
    call), or bound to ``catalog`` when one is given."""
    source = catalog if catalog is not None else active_catalog()
    definition = source.get(name)
    if definition is None:
        raise UnknownNodeError(
            name,
            suggestions=source.suggest(name),
            hint=unknown_class_hint(name),
        )
    if catalog is not None:
        plan = plan_of(definition)
        bound = plan.bound_class
        if bound is None:
            bound = plan.bound_class = NodeClass(definition, bound=True)
        return bound  # type: ignore[no-any-return]
    found = _by_name.get(name)
    if found is None:
        found = _by_name[name] = NodeClass(definition)
    return found


__all__ = ["NodeClass", "node_class"]
