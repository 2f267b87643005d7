"""Per-input rules: one value or link against one input's definition, as the server checks it, and better.

Whole-workflow checks (reachability, loops, missing inputs) are in ``comfydsl.validation.workflow``.

The server's rules (ComfyUI's ``execution.validate_inputs``), which these follow:

- a literal is converted with the input type's builtin: ``int(v)``, ``float(v)``, ``str(v)``,
  ``bool(v)``; a value that does not convert is ``invalid_input_type``. So INT takes ``"48"``,
  ``" 16 "``, ``40.7`` (→ 40) and ``True``; FLOAT takes ``"nan"``; STRING takes any scalar.
- the converted number is compared with ``min``/``max`` (``value_smaller_than_min`` /
  ``value_bigger_than_max``); ``step`` is not checked.
- a legacy combo (a list of choices) must contain the value (``value_not_in_list``).
- a link's output type must share a type with the input's (comma unions split; ``*`` fits all),
  else ``return_type_mismatch``.

Where the server accepts and then fails at run time, we refuse at once: values of the newer
``"COMBO"`` form outside the options, constants where only a link makes sense (IMAGE, MODEL...;
``null`` is taken in an optional one, as "not given"), file names and output prefixes that
lead out of the server's folders (``comfydsl.validation.files``), and values that reach a widget
through a link from a primitive node (PrimitiveInt, PrimitiveFloat, PrimitiveString,
PrimitiveBoolean) and break its min/max or choices: the server checks only constants.
A combo whose choices are not known here (model files, in the bundled catalog) takes any file name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from comfydsl.catalog import InputSpec, NodeDef
from comfydsl.errors import (
    BadLinkError,
    ChoiceError,
    CycleError,
    InputValueError,
    LinkTypeError,
    NodeError,
    PathError,
    SourceLocation,
    UnknownInputError,
    ValueRangeError,
)
from comfydsl.graph import Node, Output, Workflow
from comfydsl.names import close_matches
from comfydsl.validation.files import (
    file_name_problem,
    listed_name,
    own_check_of,
    plainly_relative,
    prefix_problem,
)
from comfydsl.values import LocalFile, freeze, is_path, json_problem, wrap_list

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

#: 2**14000: integers beyond it cannot be written as JSON text (see comfydsl.values).
_WRITABLE = 1 << 14_000

_list_new = list.__new__
_list_extend = list.extend


def types_match(received: Any, expected: Any) -> bool:
    """Whether an output of type ``received`` may feed an input of type ``expected``.

    Equal types match; ``*`` on either side matches anything; comma unions match when they share a
    type. A legacy combo input (a list of choices) only takes an output of the same list, or ``*``.
    """
    if received == expected:
        return True
    if isinstance(received, list):
        received = tuple(received)
        if received == expected:
            return True
    if received == "*" or expected == "*":
        return True
    if not isinstance(received, str) or not isinstance(expected, str):
        return False
    got = {part.strip() for part in received.split(",")}
    want = {part.strip() for part in expected.split(",")}
    return "*" in got or "*" in want or not got.isdisjoint(want)


def input_error(
    cls: type[NodeError], spec: InputSpec, value: Any, detail: str, **kw: Any
) -> NodeError:
    return cls(
        detail,
        class_type=spec.class_type,
        input_name=spec.name,
        value=value,
        expected=kw.pop("expected", spec.describe()),
        **kw,
    )


def check_link(spec: InputSpec, link: Output, workflow: Workflow | None) -> Output:
    """A link into ``spec``'s input, checked: same workflow, existing output, fitting type."""
    node = link.node
    if workflow is not None and node.workflow is not workflow:
        raise input_error(
            BadLinkError,
            spec,
            link,
            f"the link comes from {node.class_type}#{node.id}, a node of another workflow",
            type="link_to_missing_node",
        )
    if node.definition is not None:
        check_output_fits(spec, link, node.definition)
    if node.class_type in PRIMITIVES:
        check_folded(spec, link)
    return link


#: The core primitive nodes: class -> the kind of their ``value``, which they pass on unchanged.
PRIMITIVES = {
    "PrimitiveInt": "INT",
    "PrimitiveFloat": "FLOAT",
    "PrimitiveString": "STRING",
    "PrimitiveStringMultiline": "STRING",
    "PrimitiveBoolean": "BOOLEAN",
}


def check_folded(spec: InputSpec, link: Output) -> None:
    """A link from a primitive node into ``spec``'s input: its constant, checked as if given here.

    The server range-checks constants only, so a PrimitiveInt of 0 linked into a width of min 16
    passes validation and reaches the node as it is. The error is the one the constant would get,
    located at the line that built the primitive.
    """
    if spec.kind not in ("INT", "FLOAT", "STRING", "BOOLEAN", "COMBO"):
        return
    node = link.node
    seen = 0
    value = node.inputs.get("value")
    while type(value) is Output and value.node.class_type in PRIMITIVES and seen < 100:
        node, value, seen = value.node, value.node.inputs.get("value"), seen + 1
    if type(value) is Output or node.class_type not in PRIMITIVES or "value" not in node.inputs:
        return
    try:
        passed = _convert(PRIMITIVES[node.class_type], _unwrap(value))
    except (TypeError, ValueError, OverflowError):
        return  # the primitive's own input is wrong: its own check says so
    try:
        check_literal(spec, passed)
    except NodeError as error:
        where = f", built at {node.source}," if node.source is not None else ""
        error.detail += (
            f" (the value of {node.class_type}#{node.id}{where} reaches it through a link, "
            "which the server does not check)"
        )
        error.value = link
        error.source = node.source
        raise error.located(None, None) from None


def check_output_fits(spec: InputSpec, link: Output, source: NodeDef) -> None:
    """The output ``link`` names exists in ``source`` (its node's definition) and fits ``spec``."""
    count = len(source.outputs)
    if not -count <= link.index < count:
        raise input_error(
            BadLinkError,
            spec,
            link,
            f"{link.node.class_type} has {count} output(s); there is no output {link.index} "
            "(the server fails following the link)",
            type="output_index_out_of_range",
        )
    out_type = source.outputs[link.index].type
    if not types_match(out_type, spec.type):
        expected = spec.type if isinstance(spec.type, str) else "a combo output"
        raise input_error(
            LinkTypeError,
            spec,
            link,
            f"received_type({_type_text(out_type)}) mismatch input_type({_type_text(spec.type)})",
            expected=f"an output of type {expected}",
        )


def _type_text(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return "COMBO"
    return str(value)


def _unwrap(value: Any) -> Any:
    if isinstance(value, dict) and "__value__" in value:
        return value["__value__"]
    return value


def _is_wrapped_link(value: Any) -> bool:
    if not (isinstance(value, Mapping) and "__value__" in value):
        return False
    inner = value["__value__"]
    return (
        isinstance(inner, list)
        and len(inner) == 2
        and isinstance(inner[0], str)
        and isinstance(inner[1], (int, float))
    )


def _convert(kind: str, value: Any) -> Any:
    if kind == "INT":
        return int(value)
    if kind == "FLOAT":
        return float(value)
    if kind == "STRING":
        return str(value)
    return bool(value)


def check_literal(spec: InputSpec, value: Any) -> Any:
    """A literal for ``spec``'s input, checked as the server converts and compares it.

    Returns the value to store: the user's own value (the server converts it, not us), except that
    lists and tuples are wrapped as ``{"__value__": [...]}`` (a bare list would read as a link) and
    numbers of other libraries (numpy...) become Python numbers so that JSON can hold them.
    """
    stored = value
    if type(value) not in (str, int, float, bool) and value is not None:
        import numbers  # here, not at the top: a cost ``import comfydsl.nodes`` need not pay

        if isinstance(value, numbers.Number) and not isinstance(value, (int, float)):
            # numpy numbers, Decimal, Fraction: JSON holds only Python's own int and float.
            try:
                stored = int(value) if isinstance(value, numbers.Integral) else float(value)  # type: ignore[arg-type]
            except (TypeError, ValueError, OverflowError):
                stored = value
    # Before any copy: a value too deep, or one that contains itself, is refused, not recursed into.
    problem = json_problem(stored)
    if problem is not None:
        raise input_error(
            InputValueError,
            spec,
            value,
            f"{problem}: a prompt is JSON, which holds strings, numbers, booleans, null, "
            "lists and objects",
        )
    if isinstance(stored, (list, tuple)):
        stored = wrap_list(stored)
    elif isinstance(stored, Mapping):
        stored = freeze(stored)
    elif is_path(stored):
        stored = LocalFile(stored)  # a local file, uploaded at submit time, whatever the input
    raw = _unwrap(stored)
    kind = spec.kind
    if kind == "COMBO":
        return _check_choice(spec, stored, raw)
    if kind == "LINK":
        if spec.type == "*" or spec.widget:
            if _is_wrapped_link(stored):
                raise input_error(
                    BadLinkError,
                    spec,
                    value,
                    "the server unwraps {'__value__': [...]} and runs a pair of a node id and a "
                    "number as a link, which no check sees (to a node that is not in the prompt, "
                    "it stops the server running prompts)",
                )
            return stored
        if raw is None and not spec.required:
            return stored  # the server passes null on, as "not given"
        raise input_error(
            InputValueError,
            spec,
            value,
            f"{spec.name} takes a link to an output of type {spec.type}, not a constant "
            "(the server would accept it and fail when the node runs)",
        )
    if isinstance(raw, LocalFile) or is_path(raw):
        raise input_error(InputValueError, spec, value, f"a file path is not a {kind} value")
    try:
        converted = _convert(kind, raw)
    except (TypeError, ValueError, OverflowError) as exc:
        raise input_error(
            InputValueError,
            spec,
            value,
            f"Failed to convert an input value to a {kind} value ({exc})",
        ) from None
    if kind == "STRING" and spec.name == "filename_prefix":
        problem = prefix_problem(converted)
        if problem is not None:
            raise input_error(PathError, spec, value, f"filename_prefix {converted!r}: {problem}")
    if kind in ("INT", "FLOAT"):
        low, high = spec.min, spec.max
        if low is not None and converted < low:
            raise input_error(
                ValueRangeError,
                spec,
                value,
                f"Value {_number(converted)} smaller than min of {low}",
                type="value_smaller_than_min",
            )
        if high is not None and converted > high:
            raise input_error(
                ValueRangeError,
                spec,
                value,
                f"Value {_number(converted)} bigger than max of {high}",
                type="value_bigger_than_max",
            )
    return stored


def _number(value: Any) -> str:
    """A number for a message; a huge int (more digits than Python prints) by its size."""
    try:
        return str(value)
    except ValueError:
        return f"<an int of about {int(value.bit_length() * 0.30103)} digits>"


def _check_choice(spec: InputSpec, stored: Any, raw: Any) -> Any:
    choices = spec.choices
    if isinstance(raw, LocalFile) or is_path(raw):
        if spec.uploads or choices is None:
            return raw if type(raw) is LocalFile else LocalFile(raw)  # uploaded at submit time
        raise input_error(ChoiceError, spec, raw, "this input does not take an uploaded file")
    own = own_check_of(spec.class_type, spec.name)
    if own is not None or spec.uploads:
        if isinstance(raw, str) and not _listed(raw, choices):
            problem = file_name_problem(raw)
            if problem is not None:
                raise input_error(PathError, spec, raw, f"{spec.name} {raw!r}: {problem}")
        if own is not None:
            return _check_own_file(spec, stored, raw, own)
    if choices is None:
        if isinstance(raw, str):
            return stored
        raise input_error(InputValueError, spec, raw, "a file name must be a string")
    try:
        found = raw in choices
    except TypeError:
        found = False
    if found:
        return stored
    shown = f"(list of length {len(choices)})" if len(choices) > 20 else str(list(choices))
    detail = f"{spec.name}: '{raw}' not in {shown}"
    if not choices:
        detail += " (the server has no file for this input: put it in the server's folder)"
    if isinstance(raw, str):
        close = close_matches(raw, [c for c in choices if isinstance(c, str)], n=3)
        if close:
            detail += f"; did you mean {', '.join(map(repr, close))}?"
    raise input_error(ChoiceError, spec, raw, detail)


def _listed(value: str, choices: tuple[Any, ...] | None) -> bool:
    """Whether a server's list of files names ``value`` (then it is a file there, whatever its
    name looks like)."""
    return choices is not None and value in choices


def _check_own_file(spec: InputSpec, stored: Any, raw: Any, what: str) -> Any:
    """A file name for an input the node checks itself (LoadImage's image): the server skips its
    list check and asks whether the file exists, so a file it lacks is custom_validation_failed."""
    if not isinstance(raw, str):
        raise input_error(
            InputValueError,
            spec,
            raw,
            f"a file name must be a string: the node's own check of its file fails on "
            f"a {type(raw).__name__}",
            type="exception_during_validation",
        )
    choices = spec.choices
    wanted = listed_name(raw)
    if choices is None or wanted is None or wanted in choices:
        return stored  # not known here, or in a folder the server's list does not show
    detail = f"{spec.name} - Invalid {what} file: {raw}"
    close = close_matches(wanted, [c for c in choices if isinstance(c, str)], n=3)
    if close:
        detail += f"; did you mean {', '.join(map(repr, close))}?"
    elif not choices:
        detail += " (the server has no such file: upload it, or give a Path to upload)"
    raise input_error(ChoiceError, spec, raw, detail, type="custom_validation_failed")


def check_value(spec: InputSpec, value: Any, workflow: Workflow | None) -> Any:
    """Any value for ``spec``'s input (link, node or literal), checked; returns what to store."""
    if type(value) is Output:
        return check_link(spec, value, workflow)
    if isinstance(value, Node):
        return check_link(spec, as_output(value, spec), workflow)
    return check_literal(spec, value)


if TYPE_CHECKING:
    Checker = Callable[[Any, Workflow | None], Any]
else:
    Checker = Callable  # at run time only a name: typing is not imported (import time)


def checker_for(spec: InputSpec) -> Checker:
    """The checker of one input: ``check(value, workflow) -> value to store``, or a NodeError.

    Made once per input (the building layer keeps it in its plan of the class). It answers the
    common cases (an int in range for an
    INT, a known choice for a combo, a link of a type seen before) in a few operations, and hands
    everything else to ``check_value``, which has the whole rule.
    """
    kind = spec.kind
    checker: Checker
    if kind in ("INT", "FLOAT"):
        # Unbounded, the fast path still stops at the longest integer JSON can be written with.
        low = -_WRITABLE if spec.min is None else spec.min
        high = _WRITABLE if spec.max is None else spec.max
        fast = (int,) if kind == "INT" else (int, float)

        def checker(value: Any, workflow: Workflow | None) -> Any:
            if type(value) in fast and low <= value <= high:
                return value
            return check_value(spec, value, workflow)

    elif kind == "STRING" and spec.name == "filename_prefix":

        def checker(value: Any, workflow: Workflow | None) -> Any:
            if type(value) is str and value.isascii() and plainly_relative(value):
                return value  # a path that cannot leave the output folder (files.prefix_problem)
            return check_value(spec, value, workflow)

    elif kind == "STRING":

        def checker(value: Any, workflow: Workflow | None) -> Any:
            if type(value) is str and value.isascii():
                return value
            return check_value(spec, value, workflow)

    elif kind == "BOOLEAN":

        def checker(value: Any, workflow: Workflow | None) -> Any:
            if type(value) is bool:
                return value
            return check_value(spec, value, workflow)

    elif kind == "COMBO" and (spec.uploads or own_check_of(spec.class_type, spec.name)):

        def checker(value: Any, workflow: Workflow | None) -> Any:
            return check_value(spec, value, workflow)  # a file name: checked whole, every time

    elif kind == "COMBO" and spec.choices is not None:
        try:
            allowed = frozenset(c for c in spec.choices if type(c) is str)
        except TypeError:
            allowed = frozenset()

        def checker(value: Any, workflow: Workflow | None) -> Any:
            if type(value) is str and value in allowed:
                return value
            return check_value(spec, value, workflow)

    else:
        fits: dict[Any, bool] = {}  # output types seen to fit this input
        combo = kind == "COMBO"

        def checker(value: Any, workflow: Workflow | None) -> Any:
            kind_of = type(value)
            if kind_of is Output:
                node = value.node
                definition = node.definition
                if node.workflow is workflow:
                    if definition is None:
                        return value
                    index = value[1]
                    outputs = definition.outputs
                    if 0 <= index < len(outputs) and fits.get(outputs[index].type_key):
                        return value
            elif isinstance(value, Node):
                definition = value.definition
                if value.workflow is workflow and definition is not None:
                    outputs = definition.outputs
                    if len(outputs) == 1 and fits.get(outputs[0].type_key):
                        out = value._outs
                        if out is None:
                            # new_output(value, 0), inline: this line runs once per link.
                            out = value._outs = _list_new(Output)
                            _list_extend(out, (value.id, 0))
                            out.node = value
                        elif type(out) is not Output:
                            out = value.output(0)
                        return out
            elif combo and kind_of is str:
                return value  # choices not known here: any file name
            checked = check_value(spec, value, workflow)
            if type(checked) is Output and checked.node.definition is not None:
                fits[checked.node.definition.outputs[checked[1]].type_key] = True
            return checked

    return checker


def check_no_cycle(
    node: Node, link: Output, input_name: str, source: SourceLocation | None
) -> None:
    """Raise CycleError if feeding ``link`` into ``node`` would close a loop."""
    start = link.node
    if start is node:
        raise CycleError(
            "a node cannot take its own output",
            class_type=node.class_type,
            node_id=node.id,
            input_name=input_name,
            value=link,
            source=source,
        )
    seen = {id(start)}
    stack = [start]
    while stack:
        current = stack.pop()
        for value in current.inputs.values():
            if type(value) is Output:
                upstream = value.node
                if upstream is node:
                    raise CycleError(
                        f"this link would close a loop: {node.class_type}#{node.id} already feeds "
                        f"{start.class_type}#{start.id}",
                        class_type=node.class_type,
                        node_id=node.id,
                        input_name=input_name,
                        value=link,
                        source=source,
                    )
                if id(upstream) not in seen:
                    seen.add(id(upstream))
                    stack.append(upstream)


def as_output(node: Node, spec: InputSpec) -> Output:
    """A node given where an output is wanted: its only output."""
    definition = node.definition
    if definition is not None and len(definition.outputs) == 1:
        return node.output(0)
    if definition is None:
        detail = f"{node.class_type} is not in the catalog; pick its output by index, e.g. node[0]"
    else:
        names = ", ".join(o.attr for o in definition.outputs) or "none"
        detail = f"{node.class_type} has {len(definition.outputs)} outputs ({names}); pick one, e.g. node.{definition.outputs[0].attr if definition.outputs else 'X'}"
    raise input_error(BadLinkError, spec, node, detail)


def unknown_input(definition: NodeDef, name: str, value: Any) -> NodeError:
    """The error for an input name the definition does not have, with the likely intended one."""
    if name in definition.hidden:
        detail = f"{name!r} is a hidden input: the server fills it, never the prompt"
    else:
        names = list(definition.inputs) + list(definition.aliases)
        close = close_matches(name, names, n=3, cutoff=0.6)
        detail = f"{definition.name} has no input {name!r}"
        if close:
            detail += f"; did you mean {', '.join(map(repr, close))}?"
        detail += " (pass inputs the definition lacks through extra_inputs={...})"
    return UnknownInputError(
        detail,
        class_type=definition.name,
        input_name=name,
        value=value,
        expected="one of " + ", ".join(definition.inputs) if definition.inputs else "no inputs",
    )


__all__ = [
    "PRIMITIVES",
    "Checker",
    "as_output",
    "check_folded",
    "check_link",
    "check_literal",
    "check_no_cycle",
    "check_output_fits",
    "check_value",
    "checker_for",
    "input_error",
    "types_match",
    "unknown_input",
]
