"""What an export to the editor's format cannot hold, as it is reported: each :class:`Loss`
in ``UIExport.lost`` (``export_ui``), or as an :class:`ExportWarning` (``to_ui``)."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["ExportWarning", "Loss", "UIExport"]


class ExportWarning(UserWarning):
    """Something of a workflow that the editor's format cannot hold as it is (see ``export_ui``)."""


class Loss:
    """One input (or node) that the editor will not queue as the prompt has it.

    ``node_id``, ``class_type`` and ``input`` say where; ``kind`` what the editor will do instead:
    ``"dropped"`` (it does not send the input: no widget or socket of its holds it, or its link
    comes from a node it does not send), ``"added"`` (it sends ``value``: the widget's default,
    for an input the prompt leaves out or whose link it drops) or ``"as_text"`` (a text box sends
    ``value``, the prompt's value as text). Two concern a whole node (``input`` is then ``""``):
    ``"not_sent"`` (its class is the name of one of the editor's own nodes, a Note or a Reroute,
    which it never queues) and ``"renamed"`` (its id cannot be an editor node's, such as an empty
    string: the file gives it the number ``value``). ``why`` may say more; ``str(loss)`` says it
    all in a sentence.
    """

    __slots__ = ("class_type", "input", "kind", "node_id", "value", "why")

    def __init__(
        self,
        node_id: str,
        class_type: str,
        input_name: str,
        kind: str,
        value: Any = None,
        why: str | None = None,
    ) -> None:
        self.node_id = node_id
        self.class_type = class_type
        self.input = input_name
        self.kind = kind
        self.value = value
        self.why = why

    def __str__(self) -> str:
        if self.kind == "not_sent":
            return (
                f"node {self.node_id!r} ({self.class_type}): the editor takes the class for its "
                "own node of that name and does not queue it"
            )
        if self.kind == "renamed":
            return (
                f"node {self.node_id!r} ({self.class_type}): an editor node cannot have that id; "
                f"it is node {self.value} in the file"
            )
        where = f"node {self.node_id} ({self.class_type}), input {self.input!r}"
        if self.why is not None:
            where += f": {self.why}"
        else:
            where += {
                "added": " is not set",
                "as_text": " is a text box",
                "dropped": " is no widget or socket of the editor",
            }.get(self.kind, "")
        if self.kind == "added":
            return f"{where}: the editor sends the widget's value {_shown(self.value)}"
        if self.kind == "as_text":
            return f"{where}: the editor sends it as text, {_shown(self.value)}"
        return f"{where}: the editor will not send it"

    def __repr__(self) -> str:
        return f"<Loss {self.kind} {self.node_id}.{self.input}>"


class UIExport:
    """The result of :func:`export_ui`: ``workflow`` (the editor workflow, a JSON-ready dict) and
    ``lost`` (a :class:`Loss` for each input the editor will not queue as the prompt has it)."""

    __slots__ = ("lost", "workflow")

    def __init__(self, workflow: dict[str, Any], lost: list[Loss]) -> None:
        self.workflow = workflow
        self.lost = lost

    def __repr__(self) -> str:
        return f"<UIExport: {len(self.workflow['nodes'])} nodes, {len(self.lost)} lost>"


def _shown(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)
