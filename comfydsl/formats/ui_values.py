"""The values of a node's widgets, named as the editor names them (see ``comfydsl.editor.widgets``).

The editor stores a node's widget values by position (``widgets_values``), or, for some packs'
nodes, as an object by name. These functions turn either into name -> value for the widgets that
are sent: a short list leaves the rest at their defaults, a long one is cut, a pack's format
widgets follow their combo, and the dummy values that editors before 1.16 stored for forceInput
inputs are skipped. For a class no catalog knows, ``widgets_values_named`` (written by newer
editors) stands in for its definition.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from comfydsl.editor.widgets import EditorNode, format_widgets, widget_default
from comfydsl.formats.ui import UINode

__all__ = [
    "CONTROL_VALUES",
    "EDITOR_ONLY_NAMES",
    "named_values",
    "positional_values",
    "unknown_class_values",
]

#: Names that newer editors write into ``widgets_values_named`` for their own widgets.
EDITOR_ONLY_NAMES = frozenset(
    {"control_after_generate", "control_filter_list", "upload", "Auto-refresh after generation"}
)
#: The values of a "control after generate" widget.
CONTROL_VALUES = frozenset({"fixed", "increment", "decrement", "randomize"})


def named_values(shape: EditorNode, values: Mapping[str, Any]) -> dict[str, Any]:
    """Widget values saved as an object (by name), a format's own widgets included."""
    found: dict[str, Any] = {}
    for widget in shape.widgets:
        if widget.sent:
            value = values.get(widget.name, widget.default)
            found[widget.name] = value
            if widget.spec is not None:
                for extra in format_widgets(shape.definition, widget.name, value):
                    found[extra.name] = values.get(extra.name, widget_default(extra))
    return found


def positional_values(shape: EditorNode, values: list[Any]) -> dict[str, Any]:
    """Widget values by position, a format's widgets after their combo; a list from an editor
    before 1.16 (one value more for each forceInput input) has those dummies skipped."""
    stored: list[Any] = list(shape.stored)
    forced = shape.forced
    if forced and len(values) == len(stored) + len(forced):
        forced_names = {spec.name for spec in forced}
        old: list[Any] = []
        by_input = {w.spec.name: i for i, w in enumerate(stored) if w.spec is not None}
        for spec in shape.definition.inputs.values():
            if spec.name in forced_names:
                old.append(None)  # the dummy's place
            elif spec.name in by_input:
                index = by_input[spec.name]
                old.append(stored[index])
                while index + 1 < len(stored) and stored[index + 1].spec is None:
                    index += 1
                    old.append(stored[index])
        old += [w for w in stored if w not in old]
        stored = old
    found: dict[str, Any] = {}
    position = 0
    count = len(values)
    for widget in stored:
        value = values[position] if position < count else None
        position += 1
        if widget is None:
            continue
        if position > count:
            value = widget.default
        if widget.sent:
            found[widget.name] = value
        if widget.spec is not None:
            for extra in format_widgets(shape.definition, widget.name, value):
                found[extra.name] = values[position] if position < count else widget_default(extra)
                position += 1
    return found


def unknown_class_values(node: UINode) -> tuple[dict[str, Any], str | None]:
    """Widget values of a node whose class no catalog knows, by the names the file gives them
    (an object of values, or ``widgets_values_named``), and what is wrong when it gives none."""
    values = node.widgets_values
    if isinstance(values, Mapping):
        return dict(values), None
    named = node.widgets_values_named
    if named:
        return {
            k: v
            for k, v in named.items()
            if k not in EDITOR_ONLY_NAMES and not (k == v and v in CONTROL_VALUES)
        }, None
    if values:
        return {}, (
            f"the class is not in the catalog, so its {len(values)} widget value(s) cannot be "
            "named (load the definitions of its node pack with --catalog)"
        )
    return {}, None
