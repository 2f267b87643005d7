"""Turning the arguments of a node call into the node's checked inputs, in prompt order.

``bind_call`` does it for a class the catalog knows (positional and keyword inputs, Python
aliases, ``title=``/``id=``/``extra_inputs=``, defaults of required widgets, format-dependent
widgets), ``bind_untyped`` for one it does not know. Both raise at the user's line; neither makes
the node: ``comfydsl.build.make.make_node`` does, for every node.
"""

from __future__ import annotations

from collections.abc import Mapping

from comfydsl.build.plans import Plan, plan_of
from comfydsl.catalog import MISSING, NodeDef
from comfydsl.errors import (
    BadLinkError,
    CallError,
    InputValueError,
    NodeError,
    SourceLocation,
    UnknownInputError,
)
from comfydsl.graph import Node, Output, Workflow
from comfydsl.validation.inputs import check_no_cycle, unknown_input
from comfydsl.values import as_sent, freeze, json_problem, text_problem, wrap_list

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    #: (inputs in prompt order, _meta or None, the id asked for or None)
    Bound = tuple[dict[str, Any], dict[str, Any] | None, str | int | None]
else:
    Bound = tuple  # at run time only a name: typing is not imported (import time)

#: Keywords of a node call that are not inputs (unless the class has an input of that name).
CONTROL = ("title", "id", "extra_inputs")


def bind_call(
    definition: NodeDef,
    plan: Plan,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    workflow: Workflow,
    source: SourceLocation | None,
) -> Bound:
    """The checked inputs, _meta and id of a call of ``definition``'s class (see NodeClass)."""
    title = node_id = extra = None
    dynamic: dict[str, Any] = {}
    if definition.format_widgets:
        names = definition.format_widget_names() - set(definition.inputs)
        dynamic = {name: kwargs.pop(name) for name in list(kwargs) if name in names}
    if args or definition.control_clash:
        title, node_id, extra = _control_keywords(definition, kwargs)
        given = _bind(definition, plan, args, kwargs, workflow, source)
    else:
        checkers = plan.checkers
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
                            source=source,
                        )
                    given.update(_bind(definition, plan, (), {name: value}, workflow, source))
        except NodeError as error:
            raise error.located(None, source) from None
    check_control(definition.name, title, node_id, source)
    order = definition.emit_order
    if len(given) == len(order):
        inputs = given if len(order) == 1 or tuple(given) == order else {n: given[n] for n in order}
    else:
        inputs = _ordered(definition, given, True)
    if definition.format_widgets:
        inputs = _with_format_widgets(definition, plan, inputs, dynamic, workflow, source)
    if extra:
        _extras(definition, definition.name, extra, inputs, source, workflow)
    return inputs, None if title is None else {"title": title}, node_id


def bind_untyped(
    class_type: Any,
    args: tuple[Any, ...],
    inputs: Mapping[str, Any],
    title: Any,
    node_id: Any,
    extra_inputs: Any,
    source: SourceLocation | None,
    workflow: Workflow | None = None,
) -> Bound:
    """The inputs, _meta and id of ``Node(class_type, ...)`` for a class the catalog does not know."""
    if not isinstance(class_type, str):
        raise CallError(
            f"the class type must be a string, not {type(class_type).__name__}",
            class_type=repr(class_type),
            source=source,
        )
    if args:
        raise CallError(
            "Node(class_type, ...) takes the inputs of a class the catalog does not know "
            "by keyword: their order is not known",
            class_type=class_type,
            source=source,
        )
    check_control(class_type, title, node_id, source)
    values: dict[str, Any] = {}
    for name, value in inputs.items():
        values[name] = untyped_value(value, class_type, name, source, workflow)
    if extra_inputs:
        _extras(None, class_type, extra_inputs, values, source, workflow)
    return values, None if title is None else {"title": title}, node_id


def check_control(class_type: str, title: Any, node_id: Any, source: SourceLocation | None) -> None:
    """Refuse a title that is not a string and an id that is neither a string nor an int."""
    if title is not None and not isinstance(title, str):
        raise CallError(
            f"title must be a string, not {type(title).__name__}",
            class_type=class_type,
            source=source,
        )
    if node_id is not None and (isinstance(node_id, bool) or not isinstance(node_id, (str, int))):
        raise CallError(
            f"id must be a string (or an int), not {type(node_id).__name__}",
            class_type=class_type,
            source=source,
        )


def untyped_value(
    value: Any,
    class_type: str,
    name: str,
    source: SourceLocation | None,
    workflow: Workflow | None = None,
) -> Any:
    """A value for an input of a class the catalog does not know: links as Output, lists wrapped.

    A link must come from ``workflow`` when one is given (the workflow the node goes to).
    """
    if type(value) is Output or isinstance(value, Node):
        node = value.node if isinstance(value, Output) else value
        if workflow is not None and node.workflow is not workflow:
            raise BadLinkError(
                f"the link comes from {node.class_type}#{node.id}, a node of another workflow",
                class_type=class_type,
                input_name=name,
                value=value,
                source=source,
                type="link_to_missing_node",
            )
    if type(value) is Output:
        return value
    if isinstance(value, Node):
        definition = value.definition
        if definition is not None and len(definition.outputs) == 1:
            return value.output(0)
        raise BadLinkError(
            "a node given as a value must have exactly one output; pick one, e.g. node[0]",
            class_type=class_type,
            input_name=name,
            value=value,
            source=source,
            type="bad_linked_input",
        )
    problem = json_problem(value)
    if problem is not None:
        raise InputValueError(
            f"{problem}: a prompt is JSON",
            class_type=class_type,
            input_name=name,
            value=value,
            source=source,
        )
    if isinstance(value, (list, tuple)):
        return wrap_list(value)
    return freeze(value)


def set_inputs(node: Node, values: dict[str, Any], source: SourceLocation | None) -> None:
    """``node.set(...)``: check new values, refuse loops, keep the prompt's input order."""
    definition = node.definition
    if definition is None:
        for name, value in values.items():
            value = untyped_value(value, node.class_type, name, source, node.workflow)
            if type(value) is Output:
                check_no_cycle(node, value, name, source)
            node.inputs[name] = value
        return
    given = _bind(definition, plan_of(definition), (), values, node.workflow, source)
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


def _bind(
    definition: NodeDef,
    plan: Plan,
    args: tuple[Any, ...],
    kwargs: Mapping[str, Any],
    workflow: Workflow,
    source: SourceLocation | None,
) -> dict[str, Any]:
    """Checked values by input name, from positional and keyword arguments."""
    specs = definition.inputs
    checkers = plan.checkers
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
                given[name] = checkers[name](value, workflow)
        for name, value in kwargs.items():
            if name not in specs:
                real = definition.aliases.get(name)
                if real is None:
                    raise unknown_input(definition, name, value)
                name = real
                if name in kwargs:
                    raise CallError(
                        f"got two values for input {name!r}",
                        class_type=definition.name,
                        source=source,
                    )
            if args and name in given:
                raise CallError(
                    f"got two values for input {name!r}", class_type=definition.name, source=source
                )
            given[name] = checkers[name](value, workflow)
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
    extra: Any,
    inputs: dict[str, Any],
    source: SourceLocation | None,
    workflow: Workflow | None,
) -> None:
    if not isinstance(extra, Mapping):
        raise CallError(
            f"extra_inputs takes a mapping of input name -> value, not {type(extra).__name__}",
            class_type=class_type,
            source=source,
        )
    for name, value in extra.items():
        if not isinstance(name, str) or text_problem(name) is not None:
            raise CallError(
                f"extra_inputs takes input names that are strings (of UTF-8), not {name!r}",
                class_type=class_type,
                source=source,
            )
        if definition is not None and name in definition.inputs:
            raise CallError(
                f"{name!r} is a declared input; pass it as {name}=..., not through extra_inputs",
                class_type=class_type,
                source=source,
            )
        if definition is not None and isinstance(value, (Node, Output)):
            raise BadLinkError(
                "an input the definition does not declare cannot hold a link "
                "(the server accepts it, then fails when the node runs)",
                class_type=class_type,
                input_name=name,
                value=value,
                source=source,
            )
        inputs[name] = untyped_value(value, class_type, name, source, workflow)


def _with_format_widgets(
    definition: NodeDef,
    plan: Plan,
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
                    result[spec.name] = plan.checker(spec)(given[spec.name], workflow)
                except NodeError as error:
                    raise error.located(None, source) from None
                used.add(spec.name)
            elif spec.default is not MISSING:
                result[spec.name] = as_sent(spec.default)
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
    for key in CONTROL:
        found.append(kwargs.pop(key) if key in kwargs and key not in definition.inputs else None)
    return found[0], found[1], found[2]


__all__ = [
    "CONTROL",
    "Bound",
    "bind_call",
    "bind_untyped",
    "check_control",
    "set_inputs",
    "untyped_value",
]
