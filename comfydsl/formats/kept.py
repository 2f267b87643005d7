"""What a workflow read from an editor file keeps of how it was drawn, for writing it out again.

A prompt knows nothing of positions, colours or groups; a Workflow read from the editor's
``workflow.json`` (``load_workflow``) remembers them here, so that exporting it again
(``comfydsl.formats.api_to_ui``) puts every node that came from the file where it was, with its
size, colour and the values of the editor's own widgets (a seed's "control after generate"),
and brings back the file's groups and notes. Only nodes that are new (or came from inside a
subgraph, which an export opens) are placed by the layout.

What is kept is read from the file loosely, after the file was checked and converted: a
position, a colour or a group that is not well formed is left out, never a problem, as it does
not change what the workflow runs. The memory is kept beside the Workflow, not in it (a weak
mapping: it goes when the workflow does), so the model stays free of the editor's format.

    wf = load_workflow("workflow.json")
    kept_layout(wf).nodes["3"].layout["pos"]      # [863.0, 186.0]
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Iterable, Mapping
from typing import Any

from comfydsl.catalog import Catalog
from comfydsl.formats.editor import NOTE_TYPES, editor_node
from comfydsl.values import json_problem, text_problem

__all__ = ["KeptLayout", "KeptNode", "keep_layout", "kept_layout", "node_layout"]

#: The parts of the file's ``extra`` that still mean the same once the workflow is written
#: again (links are renumbered, so native reroutes and link extensions are not among them).
KEPT_EXTRA = ("ds", "workflowRendererVersion")


class KeptNode:
    """How one node was drawn in its file: ``layout`` (see :func:`node_layout`), ``properties``,
    and ``extras``: the values of the editor's own widgets, by (widget name, how many of that name
    came before), e.g. ``{("control_after_generate", 0): "randomize"}``."""

    __slots__ = ("extras", "layout", "properties")

    def __init__(
        self,
        layout: Mapping[str, Any],
        properties: Mapping[str, Any],
        extras: dict[tuple[str, int], Any],
    ) -> None:
        self.layout = layout
        self.properties = properties
        self.extras = extras

    def __repr__(self) -> str:
        return f"<KeptNode at {self.layout.get('pos')}>"


class KeptLayout:
    """What a workflow file kept: ``nodes`` (node id -> KeptNode, for the nodes of the root that
    are in the prompt), ``notes`` (the root's notes, as editor nodes ready to write), ``groups``
    (as the file has them), ``extra`` (the parts of the file's ``extra`` that still hold, see
    KEPT_EXTRA), ``workflow_id`` (the file's id) and ``file``."""

    __slots__ = ("extra", "file", "groups", "nodes", "notes", "workflow_id")

    def __init__(
        self,
        nodes: dict[str, KeptNode],
        notes: list[dict[str, Any]],
        groups: list[dict[str, Any]],
        extra: dict[str, Any],
        workflow_id: str | None,
        file: str | None,
    ) -> None:
        self.nodes = nodes
        self.notes = notes
        self.groups = groups
        self.extra = extra
        self.workflow_id = workflow_id
        self.file = file

    def __repr__(self) -> str:
        return f"<KeptLayout {self.file or ''}: {len(self.nodes)} nodes>"


_KEPT: weakref.WeakKeyDictionary[object, KeptLayout] = weakref.WeakKeyDictionary()


def keep_layout(
    workflow: object,
    data: Mapping[str, Any],
    node_ids: Iterable[str],
    catalog: Catalog,
    *,
    file: str | None = None,
) -> None:
    """Remember, for ``workflow`` (converted from the editor workflow ``data``, already checked),
    how its nodes ``node_ids`` were drawn, and the file's groups, notes and view."""
    wanted = set(node_ids)
    nodes: dict[str, KeptNode] = {}
    notes: list[dict[str, Any]] = []
    raw_nodes = data.get("nodes")
    for raw in raw_nodes if isinstance(raw_nodes, list) else ():
        if not isinstance(raw, Mapping):
            continue
        node_id = raw.get("id")
        node_type = raw.get("type")
        if node_type in NOTE_TYPES:
            note = _note(raw)
            if note is not None:
                notes.append(note)
            continue
        key = str(node_id) if type(node_id) in (int, str) else None
        if key is None or key not in wanted:
            continue
        properties = raw.get("properties")
        nodes[key] = KeptNode(
            node_layout(raw),
            _plain(properties) if isinstance(properties, Mapping) else {},
            _extras(raw, catalog),
        )
    extra_in = data.get("extra")
    extra: dict[str, Any] = {}
    if isinstance(extra_in, Mapping):
        extra = {k: extra_in[k] for k in KEPT_EXTRA if k in extra_in and _is_plain(extra_in[k])}
    workflow_id = data.get("id")
    _KEPT[workflow] = KeptLayout(
        nodes,
        notes,
        _groups(data.get("groups")),
        extra,
        workflow_id if isinstance(workflow_id, str) and not text_problem(workflow_id) else None,
        file,
    )


def kept_layout(workflow: object) -> KeptLayout | None:
    """What ``workflow`` kept of the editor file it was read from, or None (built in Python, or
    read from a prompt)."""
    return _KEPT.get(workflow)


def node_layout(raw: Mapping[str, Any]) -> dict[str, Any]:
    """How a node of a file is drawn, what the editor needs to draw it again where it was:
    ``pos``, ``size`` (two numbers each), ``color``, ``bgcolor`` (strings), ``shape`` (a number)
    and ``flags`` (an object of true/false, e.g. collapsed): those of them the node has right."""
    found: dict[str, Any] = {}
    for key in ("pos", "size"):
        numbers = _numbers(raw.get(key), 2)
        if numbers is not None:
            found[key] = numbers
    for key in ("color", "bgcolor"):
        value = raw.get(key)
        if _short_text(value):
            found[key] = value
    shape = raw.get("shape")
    if type(shape) is int:
        found["shape"] = shape
    flags = raw.get("flags")
    if isinstance(flags, Mapping) and all(type(v) is bool for v in flags.values()):
        found["flags"] = {str(k): v for k, v in flags.items()}
    return found


def _note(raw: Mapping[str, Any]) -> dict[str, Any] | None:
    """A note of the file as it will be written again (None when its text cannot be)."""
    values = raw.get("widgets_values")
    if values is not None and not _is_plain(values):
        return None
    title = raw.get("title")
    mode = raw.get("mode")
    properties = raw.get("properties")
    note: dict[str, Any] = {"id": raw.get("id"), "type": raw["type"]}
    if _short_text(title, 10_000):
        note["title"] = title
    note.update(node_layout(raw))
    note["mode"] = mode if type(mode) is int else 0
    note["properties"] = _plain(properties) if isinstance(properties, Mapping) else {}
    if values is not None:
        note["widgets_values"] = values
    return note


def _groups(raw: Any) -> list[dict[str, Any]]:
    """The groups of a file that can be drawn again: each with a title and a four-number bounding
    box, with its colour, font size and flags when well formed."""
    found: list[dict[str, Any]] = []
    for item in raw if isinstance(raw, list) else ():
        if not isinstance(item, Mapping):
            continue
        bounding = _numbers(item.get("bounding"), 4)
        title = item.get("title", "Group")
        if bounding is None or not _short_text(title, 10_000):
            continue
        group: dict[str, Any] = {"title": title, "bounding": bounding}
        color = item.get("color")
        if _short_text(color):
            group["color"] = color
        font_size = item.get("font_size")
        if (
            isinstance(font_size, (int, float))
            and type(font_size) is not bool
            and 0 < font_size < 1000
        ):
            group["font_size"] = font_size
        flags = item.get("flags")
        if isinstance(flags, Mapping) and all(type(v) is bool for v in flags.values()):
            group["flags"] = {str(k): v for k, v in flags.items()}
        found.append(group)
    return found


def _extras(raw: Mapping[str, Any], catalog: Catalog) -> dict[tuple[str, int], Any]:
    """The values the file gives the editor's own widgets of a node (by name and occurrence)."""
    node_type = raw.get("type")
    definition = catalog.get(node_type) if isinstance(node_type, str) else None
    values = raw.get("widgets_values")
    if definition is None or values is None or definition.format_widgets:
        return {}
    stored = [w for w in editor_node(definition).widgets if w.stored]
    found: dict[tuple[str, int], Any] = {}
    if isinstance(values, Mapping):
        for widget in stored:
            if widget.spec is None and _is_plain(values.get(widget.name)):
                found[(widget.name, 0)] = values[widget.name]
        return found
    if not isinstance(values, list) or len(values) != len(stored):
        return {}  # an older layout of the widgets: which value is whose is not clear
    seen: dict[str, int] = {}
    for widget, value in zip(stored, values, strict=True):
        occurrence = seen.get(widget.name, 0)
        seen[widget.name] = occurrence + 1
        if widget.spec is None and _is_plain(value):
            found[(widget.name, occurrence)] = value
    return found


def _numbers(value: Any, count: int) -> list[float] | None:
    """``count`` finite numbers (a position or a size), or None."""
    if isinstance(value, Mapping):  # some old files: {"0": x, "1": y}
        value = [value.get(str(i)) for i in range(count)]
    if not isinstance(value, list) or len(value) != count:
        return None
    if not all(type(v) in (int, float) and abs(v) < 1e9 for v in value):
        return None
    return [float(v) for v in value]


def _short_text(value: Any, limit: int = 100) -> bool:
    return isinstance(value, str) and len(value) < limit and text_problem(value) is None


def _is_plain(value: Any) -> bool:
    """Whether a value of the file can be written again as it is (JSON, UTF-8, no NaN)."""
    if json_problem(value) is not None:
        return False
    try:
        json.dumps(value, allow_nan=False)
    except ValueError:
        return False
    return True


def _plain(mapping: Mapping[str, Any]) -> dict[str, Any]:
    return {str(k): v for k, v in mapping.items() if isinstance(k, str) and _is_plain(v)}
