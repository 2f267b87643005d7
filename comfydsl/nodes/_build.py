"""Typed node calls: ``KSampler(model=..., seed=42)`` checks each input at once and makes the node.

This is the hot path of building a workflow: one call per node, so it avoids work it does not need
(no copies of the definition, one dict of inputs built in the order the prompt will have).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

from comfydsl import graph
from comfydsl.catalog import MISSING, Catalog, NodeDef, active_catalog
from comfydsl.catalog.catalog import _active as _active_catalog
from comfydsl.errors import (
    BadLinkError,
    CallError,
    NodeError,
    SourceLocation,
    UnknownInputError,
    UnknownNodeError,
)
from comfydsl.graph import (
    Node,
    Output,
    Workflow,
    _current,
    check_control,
    check_no_cycle,
    current_workflow,
)
from comfydsl.source import Where, to_location
from comfydsl.validate import checker_for, unknown_input

_CONTROL = ("title", "id", "extra_inputs")


def _bind(
    definition: NodeDef,
    args: tuple[Any, ...],
    kwargs: Mapping[str, Any],
    workflow: Workflow,
    source: SourceLocation | None,
) -> dict[str, Any]:
    """Checked values by input name, from positional and keyword arguments."""
    specs = definition.inputs
    given: dict[str, Any] = {}
    try:
        if args:
            positional = definition.positional
            if len(args) > len(positional):
                raise CallError(
                    f"takes at most {len(positional)} positional inputs "
                    f"({', '.join(positional)}); got {len(args)}",
                    class_type=definition.name,
                    source=source,
                )
            for name, value in zip(positional, args, strict=False):
                spec = specs[name]
                given[name] = (spec.check or checker_for(spec))(value, workflow)
        for name, value in kwargs.items():
            found = specs.get(name)
            if found is None:
                real = definition.aliases.get(name)
                if real is None:
                    raise unknown_input(definition, name, value)
                found = specs[real]
                name = real
                if name in kwargs:
                    raise CallError(
                        f"got two values for input {name!r}",
                        class_type=definition.name,
                        source=source,
                    )
            spec = found
            if args and name in given:
                raise CallError(
                    f"got two values for input {name!r}", class_type=definition.name, source=source
                )
            given[name] = (spec.check or checker_for(spec))(value, workflow)
    except NodeError as error:
        raise error.located(None, source) from None
    return given


def _ordered(definition: NodeDef, given: dict[str, Any], fill_defaults: bool) -> dict[str, Any]:
    """The inputs in the order the editor sends them, required widgets defaulted when asked."""
    order = definition.emit_order
    if len(given) == len(order):
        return {name: given[name] for name in order}
    if fill_defaults and definition.required_defaults:
        given = {**definition.required_defaults, **given}
    return {name: given[name] for name in order if name in given}


def _extras(
    definition: NodeDef | None,
    class_type: str,
    extra: Mapping[str, Any],
    inputs: dict[str, Any],
    source: SourceLocation | None,
) -> None:
    if not isinstance(extra, Mapping):
        raise CallError(
            f"extra_inputs takes a mapping of input name -> value, not {type(extra).__name__}",
            class_type=class_type,
            source=source,
        )
    for name, value in extra.items():
        if definition is not None and name in definition.inputs:
            raise CallError(
                f"{name!r} is a declared input; pass it as {name}=..., not through extra_inputs",
                class_type=class_type,
                source=source,
            )
        if isinstance(value, (Node, Output)):
            raise BadLinkError(
                "an input the definition does not declare cannot hold a link "
                "(the server accepts it, then fails when the node runs)",
                class_type=class_type,
                input_name=name,
                value=value,
                source=source,
            )
        inputs[name] = graph.untyped_value(value, class_type, name, source)


def _checkers(definition: NodeDef) -> dict[str, Any]:
    found = definition.checkers
    if found is None:
        found = {name: checker_for(spec) for name, spec in definition.inputs.items()}
        definition.checkers = found
        # (name, checker, default) in the order the prompt has its inputs; the default only for
        # required widgets, which the editor always sends.
        defaults = definition.required_defaults
        if not definition.format_widgets:  # those need the whole of build()
            definition.plan = tuple(
                (name, found[name], defaults.get(name, MISSING)) for name in definition.emit_order
            )
    return found


def build(
    definition: NodeDef,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    where: Where,
    target: Node | None = None,
) -> Node:
    """Make a node of ``definition``'s class from a call's arguments (see NodeClass).

    This is the hot path of building a workflow, written flat on purpose: a 10,000-node graph
    makes 10,000 calls, and each function call saved here is measured in benchmarks/.
    """
    title = node_id = extra = None
    workflow = _current.get() or current_workflow()
    dynamic: dict[str, Any] = {}
    if definition.format_widgets:
        names = definition.format_widget_names() - set(definition.inputs)
        dynamic = {name: kwargs.pop(name) for name in list(kwargs) if name in names}
    if args or definition.control_clash:
        title, node_id, extra = _control_keywords(definition, kwargs)
        given = _bind(definition, args, kwargs, workflow, to_location(where))
    else:
        checkers = definition.checkers or _checkers(definition)
        given = {}
        try:
            for name, value in kwargs.items():
                check = checkers.get(name)
                if check is not None:
                    given[name] = check(value, workflow)
                elif name == "title":
                    title = value
                elif name == "id":
                    node_id = value
                elif name == "extra_inputs":
                    extra = value
                else:
                    if definition.aliases.get(name) in kwargs:
                        raise CallError(
                            f"got two values for input {definition.aliases[name]!r} "
                            f"(by its name and as {name})",
                            class_type=definition.name,
                            source=to_location(where),
                        )
                    given.update(_bind(definition, (), {name: value}, workflow, to_location(where)))
        except NodeError as error:
            raise error.located(None, to_location(where)) from None
    if title is not None or node_id is not None:
        check_control(definition.name, title, node_id, where)
    order = definition.emit_order
    if len(given) == len(order):
        inputs = given if len(order) == 1 or tuple(given) == order else {n: given[n] for n in order}
    else:
        inputs = _ordered(definition, given, True)
    if definition.format_widgets:
        inputs = _with_format_widgets(definition, inputs, dynamic, workflow, to_location(where))
    if extra:
        _extras(definition, definition.name, extra, inputs, to_location(where))
    if target is None:
        return Node._make(definition.name, inputs, definition, title, node_id, where, workflow)
    target._setup(definition.name, inputs, definition, title, node_id, where, workflow)
    return target


def _with_format_widgets(
    definition: NodeDef,
    inputs: dict[str, Any],
    given: dict[str, Any],
    workflow: Workflow,
    source: SourceLocation | None,
) -> dict[str, Any]:
    """``inputs`` with the widgets of the chosen formats right after their combo, as the editor
    places them: the values given (checked), else the widgets' defaults."""
    result: dict[str, Any] = {}
    used: set[str] = set()
    for name, value in inputs.items():
        result[name] = value
        by_choice = definition.format_widgets.get(name)
        if by_choice is None:
            continue
        try:
            specs = by_choice.get(value, ())
        except TypeError:  # an unhashable value (a link): its widgets cannot be known
            specs = ()
        for spec in specs:
            if spec.name in given:
                try:
                    result[spec.name] = checker_for(spec)(given[spec.name], workflow)
                except NodeError as error:
                    raise error.located(None, source) from None
                used.add(spec.name)
            elif spec.default is not MISSING:
                result[spec.name] = spec.default
    for name in given.keys() - used:
        owners = sorted(
            f"{combo}={choice!r}"
            for combo, by_choice in definition.format_widgets.items()
            for choice, specs in by_choice.items()
            if any(spec.name == name for spec in specs)
        )
        raise UnknownInputError(
            f"{name!r} is a widget only of {', '.join(owners)}, not of the choice made here",
            class_type=definition.name,
            input_name=name,
            value=given[name],
            source=source,
        )
    return result


def _control_keywords(definition: NodeDef, kwargs: dict[str, Any]) -> tuple[Any, Any, Any]:
    # Called where an input is named title, id or extra_inputs: that name is then the input's.
    found = []
    for key in ("title", "id", "extra_inputs"):
        found.append(kwargs.pop(key) if key in kwargs and key not in definition.inputs else None)
    return found[0], found[1], found[2]


def set_inputs(node: Node, values: dict[str, Any], source: SourceLocation | None) -> None:
    """``node.set(...)``: check new values, refuse loops, keep the prompt's input order."""
    definition: NodeDef = node.definition
    given = _bind(definition, (), values, node.workflow, source)
    for name, value in given.items():
        if type(value) is Output:
            check_no_cycle(node, value, name, source)
    merged = dict(node.inputs)
    merged.update(given)
    ordered = _ordered(definition, merged, False)
    for name, value in node.inputs.items():
        if name not in ordered:
            ordered[name] = value  # extra inputs stay after the declared ones
    node.inputs = ordered


class NodeClass:
    """A node class of the catalog, callable to make nodes: ``KSampler(model=m, seed=42, ...)``.

    Inputs are keyword arguments named after the definition's inputs (or their Python form, e.g.
    ``input_blocks_0_`` for ``"input_blocks.0."``), or positional in the definition's order.
    ``title=`` sets the node's title, ``id=`` its id, ``extra_inputs={...}`` passes input keys the
    definition does not declare. Required widgets left out take the definition's default.

    A class imported from ``comfydsl.nodes`` checks each call against the catalog in force at that
    call (a ``use_catalog(server_catalog)`` block sees that server's model files), falling back to
    the definition it was made from; one from ``from_catalog(catalog)`` keeps to that catalog.
    Mistakes in the call's shape raise ``comfydsl.errors.CallError`` (a TypeError).
    """

    def __init__(self, definition: NodeDef, *, bound: bool = False) -> None:
        self._definition = definition
        self.bound = bound
        self.__name__ = definition.name
        self.__qualname__ = definition.name
        self.__doc__ = _docstring(definition)

    @property
    def definition(self) -> NodeDef:
        """The definition calls are checked against now (see the class docstring)."""
        definition = self._definition
        if not self.bound:
            active = _active_catalog.get()
            if active is not None:
                return active.get(definition.name) or definition
        return definition

    def __call__(self, *args: Any, **kwargs: Any) -> Node:
        definition = self._definition
        if not self.bound:
            active = _active_catalog.get()
            if active is not None:
                definition = active.get(definition.name) or definition
        # The caller is the user's code: comfydsl itself never calls a node class (it calls
        # build() with the user's location), so the frame needs no walking here.
        frame = sys._getframe(1)
        plan = definition.plan
        if args or definition.control_clash or plan is None:
            return build(definition, args, kwargs, (frame.f_code, frame.f_lasti))
        # The hot path of every node call, inline (see build() for the whole of it): walk the
        # inputs in the order the prompt will have them, check the ones given, default the rest.
        workflow = _current.get() or current_workflow()
        inputs = {}
        used = 0
        try:
            for name, check, default in plan:
                if name in kwargs:
                    inputs[name] = check(kwargs[name], workflow)
                    used += 1
                elif default is not MISSING:
                    inputs[name] = default
        except NodeError as error:
            raise error.located(None, to_location((frame.f_code, frame.f_lasti))) from None
        if used != len(kwargs):
            # Keywords that are not input names: title=, id=, extra_inputs=, aliases, mistakes.
            return build(definition, args, kwargs, (frame.f_code, frame.f_lasti))
        node = Node.__new__(Node)
        node.class_type = definition.name
        node.inputs = inputs
        node.definition = definition
        node.meta = None
        node._where = frame.f_code
        node._offset = frame.f_lasti
        node._outs = None
        node.workflow = workflow
        nodes = workflow.nodes
        key = str(workflow._next_id)
        if key in nodes:
            workflow._add(node, None)
        else:
            workflow._next_id += 1
            node.id = key
            nodes[key] = node
        return node

    @property
    def class_type(self) -> str:
        """The class name the server knows this node by."""
        return self._definition.name

    def __repr__(self) -> str:
        return f"<node class {self._definition.name}>"


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
            hint="For a class of a custom node pack, load its catalog (comfydsl.catalog.load_catalog) "
            "or use Node(class_type, ...).",
        )
    if catalog is not None:
        bound = definition.bound_class
        if bound is None:
            bound = definition.bound_class = NodeClass(definition, bound=True)
        return bound  # type: ignore[no-any-return]
    found = _by_name.get(name)
    if found is None:
        found = _by_name[name] = NodeClass(definition)
    return found


def _typed_builder(
    class_type: str,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    title: str | None,
    node_id: str | int | None,
    extra: Mapping[str, Any] | None,
    source: SourceLocation | None,
    target: Node,
) -> Node | None:
    definition = active_catalog().get(class_type)
    if definition is None:
        return None
    if title is not None:
        kwargs.setdefault("title", title)
    if node_id is not None:
        kwargs.setdefault("id", node_id)
    if extra:
        kwargs.setdefault("extra_inputs", extra)
    return build(definition, args, kwargs, source, target)


graph.typed_builder = _typed_builder
graph.typed_setter = set_inputs
