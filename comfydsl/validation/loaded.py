"""What the server says of the odd shapes a prompt read from a file can have, node by node.

``comfydsl.formats.api.load_prompt`` keeps everything the server would take: a link it cannot
follow (to a node that is not in the prompt, an id that is not a string, an output index that is
not a whole number) stays the list it was, and an ``inputs`` that is missing or not an object is
kept in the workflow's layouts. Here they get the server's verdict, in its words, as ComfyUI
0.3.75's ``validate_inputs`` reaches it:

- following a link, the server looks the node up (``KeyError``, or ``TypeError`` for an id that
  is a list) and then its output (``IndexError``, ``TypeError`` for an index that is not an int):
  ``exception_during_validation`` when the node holding the link is an output node,
  ``exception_during_inner_validation`` when an output needs it (:func:`role_type` picks);
- an ``inputs`` that is missing or ``null`` fails the same way; a list or a string is searched for
  each input name (a name found fails, the others are missing).

Where the server takes such a node, comfydsl does not: when the server runs a prompt it reads
the ``inputs`` of every node, so one that is not an object stops it running prompts for good
(``inputs_not_an_object``); and an output index of ``true`` or ``false`` (read as 1 or 0) is
refused as ``bad_linked_input``.
"""

from __future__ import annotations

from collections.abc import Mapping

from comfydsl.catalog import InputSpec, NodeDef
from comfydsl.errors import BadLinkError, MalformedNodeError, MissingInputError, NodeError
from comfydsl.graph import FROM_NODE, Node, Workflow
from comfydsl.validation.inputs import input_error

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

#: The server's types for an exception while it validates: on an output node, on a node it needs.
EXCEPTION_TYPES = ("exception_during_validation", "exception_during_inner_validation")
#: comfydsl's types, said at the user's line, for what the server meets as an exception.
_AS_EXCEPTION = (*EXCEPTION_TYPES, "output_index_out_of_range")

#: An ``inputs`` key that the node read from a prompt did not have.
ABSENT: Any = type("Absent", (), {"__repr__": lambda self: "ABSENT", "__slots__": ()})()


def role_type(error: NodeError, output: bool) -> NodeError:
    """``error`` with the server's exception type for the node's role (see module docstring)."""
    if error.type in _AS_EXCEPTION:
        error.type = EXCEPTION_TYPES[0] if output else EXCEPTION_TYPES[1]
        error.located(None, None)  # the message names the type
    return error


def odd_inputs(workflow: Workflow, node: Node) -> tuple[bool, Any]:
    """``(True, inputs as read)`` for a node read with ``inputs`` that were not an object
    (ABSENT when it had none), else ``(False, None)``. Inputs given to the node since then make
    it an object again."""
    layouts = workflow.layouts
    layout = layouts.get(node.id) if layouts and not node.inputs else None
    if layout is None:
        return False, None
    for key, raw in layout:
        if key == "inputs":
            return raw is not FROM_NODE, raw
    return True, ABSENT


def _shown(raw: Any) -> str:
    if raw is ABSENT:
        return "has no inputs object"
    return (
        f"has inputs that are {'null' if raw is None else 'a ' + type(raw).__name__}, not an object"
    )


def malformed_errors(node: Node, definition: NodeDef, raw: Any, validated: bool) -> list[NodeError]:
    """The errors of a node whose inputs are ``raw`` (not an object), as the server finds them
    when it validates the node (``validated``), or comfydsl's own when it would not."""
    shown = _shown(raw)

    def failing(how: str, kind: str = EXCEPTION_TYPES[0]) -> list[NodeError]:
        error = MalformedNodeError(
            f"the node {shown}: {how}", class_type=node.class_type, type=kind, has_value=False
        )
        return [error]

    if validated:
        if raw is ABSENT or not isinstance(raw, (list, str)):
            reason = (
                "KeyError: 'inputs'" if raw is ABSENT else f"a {type(raw).__name__} holds no inputs"
            )
            return failing(f"the server fails on it ({reason})")
        if any(name in raw for name in definition.inputs):
            return failing("the server fails when it looks an input up in it")
        missing: list[NodeError] = [
            MissingInputError(
                f"Required input is missing (the node {shown})",
                class_type=node.class_type,
                input_name=name,
                expected=definition.inputs[name].describe(),
                has_value=False,
            )
            for name in definition.required_names
        ]
        if missing:
            return missing
    return failing(
        "the server takes the prompt, then stops running prompts for good when it runs it "
        "(it reads the inputs of every node, needed or not)",
        MalformedNodeError.type,
    )


def is_pair(value: Any) -> bool:
    """Whether the server takes ``value`` for a link: any list of two items."""
    return isinstance(value, list) and len(value) == 2


def runs_as_link(value: Any) -> bool:
    """Whether the server, running a prompt, follows ``value`` as a link: a pair of a string and
    a number (``comfy_execution.graph_utils.is_link``)."""
    return is_pair(value) and isinstance(value[0], str) and isinstance(value[1], (int, float))


def pair_error(
    spec: InputSpec, pair: list[Any], nodes: Mapping[str, Node], definition: NodeDef | None
) -> NodeError | None:
    """What the server says of a pair it cannot follow as a link (one load_prompt kept as it
    was); ``definition`` is the linked node's (None when the class is unknown: reported apart)."""
    target, index = pair
    if isinstance(target, (list, dict)):
        return _exception(spec, pair, f"a node id must be a string, not a {type(target).__name__}")
    if not isinstance(target, str) or target not in nodes:
        return _exception(
            spec,
            pair,
            f"a link to node {target!r}, which is not in the prompt"
            + ("" if isinstance(target, str) else " (node ids are strings)"),
        )
    if definition is None:
        return None
    count = len(definition.outputs)
    if isinstance(index, bool):
        if -count <= index < count:
            return input_error(
                BadLinkError,
                spec,
                pair,
                f"an output index is a whole number, not {str(index).lower()} "
                f"(the server reads it as output {int(index)})",
            )
        return _exception(
            spec, pair, f"{definition.name} has {count} output(s); there is no output {int(index)}"
        )
    return _exception(
        spec,
        pair,
        f"an output index must be a whole number, not {type(index).__name__ if index is not None else 'null'}",
    )


def _exception(spec: InputSpec, pair: list[Any], detail: str) -> NodeError:
    return input_error(
        BadLinkError,
        spec,
        pair,
        f"{detail}: the server fails following the link",
        type=EXCEPTION_TYPES[0],
    )


__all__ = [
    "ABSENT",
    "EXCEPTION_TYPES",
    "is_pair",
    "malformed_errors",
    "odd_inputs",
    "pair_error",
    "role_type",
    "runs_as_link",
]
