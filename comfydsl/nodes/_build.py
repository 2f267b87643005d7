"""Typed node calls: ``KSampler(model=..., seed=42)`` checks each input at once and makes the node.

This is the hot path of building a workflow: one call per node, so it avoids work it does not need
(no copies of the definition, one dict of inputs built in the order the prompt will have).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from comfydsl import graph
from comfydsl.catalog import Catalog, NodeDef, active_catalog
from comfydsl.errors import BadLinkError, NodeError, SourceLocation, UnknownNodeError
from comfydsl.graph import Node, Output, Workflow, caller_location, check_no_cycle, current_workflow
from comfydsl.validate import check_value, unknown_input

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
                raise TypeError(
                    f"{source}: {definition.name} takes at most {len(positional)} positional "
                    f"inputs ({', '.join(positional)}); got {len(args)}"
                )
            for name, value in zip(positional, args):
                given[name] = check_value(specs[name], value, workflow)
        for name, value in kwargs.items():
            spec = specs.get(name)
            if spec is None:
                real = definition.aliases.get(name)
                if real is None:
                    raise unknown_input(definition, name, value)
                spec = specs[real]
            if spec.name in given:
                raise TypeError(f"{source}: {definition.name} got two values for input {spec.name!r}")
            given[spec.name] = check_value(spec, value, workflow)
    except NodeError as error:
        raise error.located(None, source) from None
    return given


def _ordered(definition: NodeDef, given: dict[str, Any], fill_defaults: bool) -> dict[str, Any]:
    """The inputs in the order the editor sends them, required widgets defaulted when asked."""
    inputs: dict[str, Any] = {}
    defaults = definition.required_defaults if fill_defaults else {}
    for name in definition.emit_order:
        if name in given:
            inputs[name] = given[name]
        elif name in defaults:
            inputs[name] = defaults[name]
    return inputs


def _extras(
    definition: NodeDef | None,
    class_type: str,
    extra: Mapping[str, Any],
    inputs: dict[str, Any],
    source: SourceLocation | None,
) -> None:
    for name, value in extra.items():
        if definition is not None and name in definition.inputs:
            raise TypeError(
                f"{source}: {class_type}: {name!r} is a declared input; pass it as {name}=..., "
                "not through extra_inputs"
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


def build(
    definition: NodeDef,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    source: SourceLocation | None,
    target: Node | None = None,
) -> Node:
    """Make a node of ``definition``'s class from a call's arguments (see NodeClass)."""
    title = node_id = extra = None
    if kwargs:
        specs = definition.inputs
        if "title" in kwargs and "title" not in specs:
            title = kwargs.pop("title")
        if "id" in kwargs and "id" not in specs:
            node_id = kwargs.pop("id")
        if "extra_inputs" in kwargs and "extra_inputs" not in specs:
            extra = kwargs.pop("extra_inputs")
    workflow = current_workflow()
    given = _bind(definition, args, kwargs, workflow, source)
    inputs = _ordered(definition, given, True)
    if extra:
        _extras(definition, definition.name, extra, inputs, source)
    if target is None:
        return Node._make(definition.name, inputs, definition, title, node_id, source, workflow)
    target._setup(definition.name, inputs, definition, title, node_id, source, workflow)
    return target


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
    """

    def __init__(self, definition: NodeDef) -> None:
        self.definition = definition
        self.__name__ = definition.name
        self.__qualname__ = definition.name
        self.__doc__ = _docstring(definition)

    def __call__(self, *args: Any, **kwargs: Any) -> Node:
        return build(self.definition, args, kwargs, caller_location())

    @property
    def class_type(self) -> str:
        """The class name the server knows this node by."""
        return self.definition.name

    def __repr__(self) -> str:
        return f"<node class {self.definition.name}>"


def _docstring(definition: NodeDef) -> str:
    lines = [f"{definition.display_name} ({definition.category})", "", "Inputs:"]
    for spec in definition.inputs.values():
        flag = "" if spec.required else ", optional"
        default = "" if spec.default is None or not spec.widget else f" = {spec.default!r}"
        lines.append(f"  {spec.name}: {spec.describe()}{flag}{default}")
    lines.append("Outputs:")
    lines += [f"  .{o.attr} / [{o.index}]: {o.type}" for o in definition.outputs] or ["  none"]
    return "\n".join(lines)


_classes: dict[tuple[int, str], NodeClass] = {}


def node_class(name: str, catalog: Catalog | None = None) -> NodeClass:
    """The callable node class ``name`` of ``catalog`` (default: the one in force)."""
    catalog = catalog if catalog is not None else active_catalog()
    definition = catalog.get(name)
    if definition is None:
        raise UnknownNodeError(
            name,
            suggestions=catalog.suggest(name),
            hint="For a class of a custom node pack, load its catalog (comfydsl.catalog.load_catalog) "
            "or use Node(class_type, ...).",
        )
    key = (id(definition), name)
    cls = _classes.get(key)
    if cls is None or cls.definition is not definition:
        cls = NodeClass(definition)
        _classes[key] = cls
    return cls


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
