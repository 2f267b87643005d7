"""From a Workflow to the editor's ``workflow.json`` (the UI format): open it in ComfyUI's editor.

What the editor needs to draw a workflow and to queue exactly its prompt again:

- **Nodes** keep their ids (a numeric id as a number, any other as a string: the editor queues
  ``"sampler"`` and ``"10:3"`` under those ids) and titles. Each known class gets its widget
  values in the editor's positional order (``comfydsl.editor.widgets``): the prompt's value for
  each input widget, the input's default where a link feeds it, and the editor's own values
  where it expects them: ``fixed`` after a seed ("control after generate"), ``image`` for an
  upload button. A class with widgets that its pack's JavaScript adds per choice
  (VideoHelperSuite's ``format``) gets them by name, as that pack saves them.
- **Sockets and links**: the link-only inputs, then each widget input that a link feeds, as the
  editor saves them; each link carries the type of the output it leaves.
- **Sizes** are those the editor gives a fresh node (``comfydsl.editor.node_size``), and
  **positions** come from the layered layout (``comfydsl.editor.layout``). A workflow read from
  an editor file keeps its nodes where they were, with their colours, and its groups and notes
  (``comfydsl.editor.kept``); only nodes that are new there are placed, below the others.
- ``extra.comfydsl`` says which comfydsl wrote the file and from what (``version``, ``source``).

What the editor cannot hold is not dropped silently: :func:`export_ui` lists it
(``UIExport.lost``) and :func:`to_ui` gives each as an :class:`ExportWarning`: an input that no
widget or socket of the editor has (an old editor's upload button), an input left out of the
prompt that the editor would send at its default, a link to a node that is not there.

    ui = to_ui(wf)                       # a dict; json.dump(ui, f) and open it in the editor
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import uuid
import warnings
from collections.abc import Mapping
from typing import Any

from comfydsl.catalog import NodeDef
from comfydsl.editor.kept import KeptLayout, KeptNode, kept_layout
from comfydsl.editor.layout import COLUMN_GAP, ROW_GAP, layered_layout
from comfydsl.editor.losses import ExportWarning, Loss, UIExport
from comfydsl.editor.node_size import node_size
from comfydsl.editor.widgets import UI_ONLY_TYPES, EditorNode, as_text, editor_node
from comfydsl.graph import Node, Workflow
from comfydsl.output import Output
from comfydsl.values import text_problem
from comfydsl.version import __version__

__all__ = ["ExportWarning", "Loss", "UIExport", "dumps_ui", "export_ui", "to_ui", "to_ui_method"]

#: The schema version written (what editor 1.58 writes for a workflow without subgraphs).
SCHEMA_VERSION = 0.4
#: The view of a workflow that was not read from a file: the editor fits it to the window.
DEFAULT_VIEW = {"scale": 1, "offset": [0, 0]}
#: Largest id written as a number (JavaScript's safe integers).
_SAFE_INTEGER = 2**53 - 1


def to_ui(workflow: Workflow, *, source: str | None = None) -> dict[str, Any]:
    """``workflow`` as the editor's ``workflow.json``: a dict ready for ``json.dump``.

    ``source`` names the script or file it came from in ``extra.comfydsl.source`` (by default:
    the file it was read from, or the script its nodes were built in). Whatever the editor
    cannot hold is given as an :class:`ExportWarning` (see :func:`export_ui`).

    >>> json.dump(to_ui(wf), open("workflow.json", "w"))  # doctest: +SKIP
    """
    exported = export_ui(workflow, source=source)
    for loss in exported.lost:
        warnings.warn(str(loss), ExportWarning, stacklevel=2)
    return exported.workflow


def dumps_ui(workflow: Mapping[str, Any]) -> str:
    """An editor workflow as JSON text with one node, link or group a line: as easy to read and
    to compare as an indented file, and written by the C encoder (indenting takes Python's own,
    several times slower: most of the time of exporting thousands of nodes).

    >>> print(dumps_ui({"nodes": [{"id": 1}, {"id": 2}], "version": 0.4}))
    {
    "nodes": [
    {"id": 1},
    {"id": 2}
    ],
    "version": 0.4
    }
    """
    encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
    lines = []
    for key, value in workflow.items():
        if isinstance(value, list) and value:
            items = ",\n".join(encode(item) for item in value)
            lines.append(f"{encode(key)}: [\n{items}\n]")
        else:
            lines.append(f"{encode(key)}: {encode(value)}")
    return "{\n" + ",\n".join(lines) + "\n}"


def to_ui_method(workflow: Workflow, source: str | None) -> dict[str, Any]:
    """What ``Workflow.to_ui()`` calls: to_ui, with warnings that point at the line that called
    the method."""
    exported = export_ui(workflow, source=source)
    for loss in exported.lost:
        warnings.warn(str(loss), ExportWarning, stacklevel=3)
    return exported.workflow


def export_ui(workflow: Workflow, *, source: str | None = None) -> UIExport:
    """``workflow`` as the editor's ``workflow.json``, and what the editor cannot hold of it."""
    return _Exporter(workflow, source).export()


class _Draft:
    """One node on its way into the file: what it will say, and where its links go."""

    __slots__ = ("entry", "inputs", "kept", "node", "outputs", "size", "widget_count", "widgets")

    def __init__(self, node: Node, kept: KeptNode | None) -> None:
        self.node = node
        self.kept = kept
        self.entry: dict[str, Any] = {}
        #: (socket name, socket type, widget name or None, link source or None), in slot order.
        self.inputs: list[tuple[str, str, str | None, Output | None]] = []
        #: (name, type) of each output slot.
        self.outputs: list[tuple[str, str]] = []
        self.size = (0.0, 0.0)
        #: How many widget values it holds (what sizes a node of an unknown class).
        self.widget_count = 0
        #: The value each input widget holds, by name.
        self.widgets: dict[str, Any] = {}


class _Exporter:
    def __init__(self, workflow: Workflow, source: str | None) -> None:
        self.workflow = workflow
        self.kept: KeptLayout | None = kept_layout(workflow)
        self.source = source
        self.lost: list[Loss] = []
        #: Each node's id in the file (see _file_id); an id a file cannot hold gets a number.
        self.ids: dict[str, int | str] = {}
        #: The size of a node of a known class, by definition and title.
        self.sizes: dict[tuple[NodeDef, str], tuple[float, float]] = {}

    def note(
        self, node: Node, name: str, kind: str, value: Any = None, why: str | None = None
    ) -> None:
        if name and node.class_type in UI_ONLY_TYPES:
            return  # the whole node is not sent (reported once, as not_sent)
        self.lost.append(Loss(node.id, node.class_type, name, kind, value, why))

    def unlinked(self, draft: _Draft, name: str, widget: str | None, why: str) -> None:
        """A link the editor drops: a widget then sends its value, another input nothing."""
        if widget is not None:
            self.note(draft.node, name, "added", draft.widgets.get(widget), why)
        else:
            self.note(draft.node, name, "dropped", None, why)

    def number_ids(self) -> None:
        ids = self.ids
        for node in self.workflow:
            if node.id and not text_problem(node.id):
                ids[node.id] = _file_id(node.id)
        highest = max((i for i in ids.values() if type(i) is int), default=0)
        for node in self.workflow:
            if node.id not in ids:
                highest += 1
                ids[node.id] = highest
                self.note(node, "", "renamed", highest)

    def export(self) -> UIExport:
        self.number_ids()
        kept_nodes = self.kept.nodes if self.kept is not None else {}
        drafts = [self.draft(node, kept_nodes.get(node.id)) for node in self.workflow]
        by_id = {d.node.id: d for d in drafts}
        links = self.link(drafts, by_id)
        for draft in drafts:
            self.size(draft)
        self.place(drafts)
        nodes = [d.entry for d in drafts]
        nodes += self.notes(by_id)
        numbers = [e["id"] for e in nodes if type(e["id"]) is int]
        data: dict[str, Any] = {
            "id": self.workflow_id(),
            "revision": 0,
            "last_node_id": max(numbers, default=0),
            "last_link_id": len(links),
            "nodes": nodes,
            "links": links,
            "groups": [dict(g) for g in self.kept.groups] if self.kept is not None else [],
            "config": {},
            "extra": self.extra(),
            "version": SCHEMA_VERSION,
        }
        return UIExport(data, self.lost)

    # -- one node ----------------------------------------------------------------------------------
    def draft(self, node: Node, kept: KeptNode | None) -> _Draft:
        draft = _Draft(node, kept)
        definition = node.definition
        shape = editor_node(definition) if definition is not None else None
        entry = draft.entry
        entry["id"] = self.ids[node.id]
        entry["type"] = node.class_type
        if node.class_type in UI_ONLY_TYPES:
            self.note(node, "", "not_sent")
        title = node.title
        # A title that is only the class's name (a converted or exported prompt titles every
        # node so) is left to the editor, which shows its own, translated, display name.
        if title is not None and title not in (node.class_type, _display_name(node)):
            entry["title"] = title
        properties: dict[str, Any] = {"Node name for S&R": node.class_type}
        for key in ("cnr_id", "aux_id", "ver"):
            value = (node.meta or {}).get(key)
            if isinstance(value, str):
                properties[key] = value
        if kept is not None:
            properties.update(kept.properties)
        if shape is not None:
            values, named = self.known_widgets(draft, shape)
        else:
            values, named = self.unknown_widgets(draft)
        entry["properties"] = properties
        draft.widget_count = len(values)
        if values:  # as the editor writes a node without widgets: no values at all
            entry["widgets_values"] = values
            if named is not None:
                entry["widgets_values_named"] = named
        return draft

    def known_widgets(
        self, draft: _Draft, shape: EditorNode
    ) -> tuple[list[Any] | dict[str, Any], dict[str, Any] | None]:
        """The node's sockets, and its widget values in the editor's order (and by name)."""
        node = draft.node
        inputs = node.inputs
        definition = shape.definition
        links = {name: value for name, value in inputs.items() if type(value) is Output}
        linked = set(links)
        for socket in shape.sockets:
            source = links.pop(socket.name, None)
            if not socket.widget or source is not None:
                widget_name = socket.name if socket.widget else None
                draft.inputs.append((socket.name, socket.type, widget_name, source))
        for name in links:
            self.note(node, name, "dropped")
        draft.outputs = [
            (o.name, t) for o, t in zip(definition.outputs, shape.outputs, strict=True)
        ]
        kept = draft.kept.extras if draft.kept is not None else {}
        placed: set[str] = set()
        by_name = bool(definition.format_widgets)
        values: list[Any] = []
        named: dict[str, Any] = {}
        seen: dict[str, int] = {}
        for widget in shape.widgets:
            occurrence = seen.get(widget.name, 0)
            seen[widget.name] = occurrence + 1
            spec = widget.spec
            if spec is None and widget.sent and widget.name in inputs:
                value = _widget_form(inputs[widget.name])  # an editor widget that is sent
                placed.add(widget.name)
            elif spec is None:
                value = kept.get((widget.name, occurrence), widget.default)
            else:
                value = self.widget_value(node, widget.name, widget.default, spec.name in linked)
                placed.add(widget.name)
                if widget.name in shape.text_boxes and type(value) is not str:
                    self.note(node, widget.name, "as_text", as_text(value))
            if by_name and spec is not None:
                for extra in definition.format_widgets.get(widget.name, {}).get(value, ()):
                    if extra.name in inputs:
                        named[extra.name] = _widget_form(inputs[extra.name])
                        placed.add(extra.name)
            if spec is not None:
                draft.widgets[widget.name] = value
            if widget.stored:
                values.append(value)
                named[widget.name] = value
        for name, value in inputs.items():
            if name not in placed and type(value) is not Output:
                self.note(node, name, "dropped")
        if by_name:
            return named, None
        return values, named

    def widget_value(self, node: Node, name: str, default: Any, linked: bool) -> Any:
        """What an input widget holds: the prompt's value, else (linked) its default."""
        value = node.inputs.get(name, _ABSENT)
        if value is _ABSENT:
            if not linked:
                self.note(node, name, "added", default)
            return default
        if type(value) is Output:
            return default
        if type(value) is float and not math.isfinite(value):
            self.note(
                node, name, "added", default, "JSON (and so the editor) has no NaN or infinity"
            )
            return default
        return _widget_form(value)

    def unknown_widgets(self, draft: _Draft) -> tuple[list[Any], dict[str, Any]]:
        """A class the catalog does not know: its linked inputs as sockets, its values in order."""
        node = draft.node
        values: list[Any] = []
        named: dict[str, Any] = {}
        for name, value in node.inputs.items():
            if type(value) is Output:
                draft.inputs.append((name, "*", None, value))
            elif type(value) is float and not math.isfinite(value):
                self.note(node, name, "dropped", None, "JSON (and so the editor) has no NaN")
            else:
                values.append(_widget_form(value))
                named[name] = values[-1]
        return values, named

    def size(self, draft: _Draft) -> None:
        """The size the editor gives the node (the file's, for a node kept from one)."""
        kept = draft.kept
        if kept is not None and "size" in kept.layout:
            width, height = kept.layout["size"]
            draft.size = (width, height)
            return
        node = draft.node
        definition = node.definition
        title = node.title
        if title is None or title == node.class_type:
            title = _display_name(node)
        if definition is not None:  # a known class's size depends on its title alone
            found = self.sizes.get((definition, title))
            if found is None:
                found = self.sizes[(definition, title)] = self.measure(draft, definition, title)
            draft.size = found
            return
        draft.size = self.measure(draft, None, title)

    def measure(self, draft: _Draft, definition: NodeDef | None, title: str) -> tuple[float, float]:
        width, height = node_size(
            definition,
            editor_node(definition) if definition is not None else None,
            title,
            link_inputs=[name for name, _, widget, _ in draft.inputs if widget is None],
            outputs=[name for name, _ in draft.outputs],
            widget_count=draft.widget_count,
        )
        return (float(math.ceil(width)), float(math.ceil(height)))

    # -- links --------------------------------------------------------------------------------------
    def link(self, drafts: list[_Draft], by_id: dict[str, _Draft]) -> list[list[Any]]:
        """The links table, and each node's ``inputs`` and ``outputs`` with their link ids."""
        links: list[list[Any]] = []
        outgoing: dict[tuple[str, int], list[int]] = {}
        for draft in drafts:
            sockets: list[dict[str, Any]] = []
            if draft.node.class_type in UI_ONLY_TYPES:
                draft.inputs = []  # the editor's own node of that name: nothing flows through it
            for name, socket_type, widget, source in draft.inputs:
                entry: dict[str, Any] = {"name": name, "type": socket_type, "link": None}
                if widget is not None:
                    entry["widget"] = {"name": widget}
                origin = by_id.get(source.node.id) if source is not None else None
                if source is not None and (origin is None or origin.node is not source.node):
                    why = f"its link comes from node {source.node.id}, which is not in the workflow"
                    self.unlinked(draft, name, widget, why)
                elif source is not None and origin is not None:
                    if origin.node.class_type in UI_ONLY_TYPES:
                        why = f"its link comes from node {origin.node.id}, which the editor does not queue"
                        self.unlinked(draft, name, widget, why)
                    index = source.index
                    if origin.node.definition is None:
                        while len(origin.outputs) <= index:
                            origin.outputs.append((str(len(origin.outputs)), "*"))
                    link_type = (
                        origin.outputs[index][1] if index < len(origin.outputs) else socket_type
                    )
                    link_id = len(links) + 1
                    links.append(
                        [
                            link_id,
                            origin.entry["id"],
                            index,
                            draft.entry["id"],
                            len(sockets),
                            link_type,
                        ]
                    )
                    outgoing.setdefault((origin.node.id, index), []).append(link_id)
                    entry["link"] = link_id
                sockets.append(entry)
            draft.entry["inputs"] = sockets
        for draft in drafts:
            draft.entry["outputs"] = [
                {
                    "name": name,
                    "type": output_type,
                    "links": outgoing.get((draft.node.id, index), []),
                }
                for index, (name, output_type) in enumerate(draft.outputs)
            ]
        return links

    # -- where ------------------------------------------------------------------------------------
    def place(self, drafts: list[_Draft]) -> None:
        """Positions: kept ones as they were, the rest laid out below them."""
        new = [d for d in drafts if d.kept is None or "pos" not in d.kept.layout]
        index = {d.node.id: i for i, d in enumerate(new)}
        edges = []
        for i, draft in enumerate(new):
            for _name, _type, _widget, source in draft.inputs:
                if source is not None and source.node.id in index:
                    edges.append((index[source.node.id], i))
        positions = layered_layout([d.size for d in new], edges)
        left, top = self.free_corner(drafts)
        for draft, (x, y) in zip(new, (_rounded(p) for p in positions), strict=True):
            draft.entry["pos"] = [_number(left + x), _number(top + y)]
        for order, draft in enumerate(drafts):
            entry = draft.entry
            kept = draft.kept
            if kept is not None and "pos" in kept.layout:
                entry["pos"] = [_number(v) for v in kept.layout["pos"]]
            entry["size"] = [_number(v) for v in draft.size]
            entry["flags"] = dict(kept.layout.get("flags", {})) if kept is not None else {}
            entry["order"] = order
            entry["mode"] = 0
            if kept is not None:
                for key in ("color", "bgcolor", "shape"):
                    if key in kept.layout:
                        entry[key] = kept.layout[key]
            _reorder(entry)

    def free_corner(self, drafts: list[_Draft]) -> tuple[float, float]:
        """Where new nodes go: below everything kept from the file (nodes, notes, groups)."""
        boxes = [
            (*d.kept.layout["pos"], *d.size)
            for d in drafts
            if d.kept is not None and "pos" in d.kept.layout
        ]
        if self.kept is not None:
            boxes += [
                (*n["pos"], *n.get("size", (0.0, 0.0))) for n in self.kept.notes if "pos" in n
            ]
            boxes += [tuple(g["bounding"]) for g in self.kept.groups]
        if not boxes:
            return (0.0, 0.0)
        left = min(b[0] for b in boxes)
        bottom = max(b[1] + b[3] for b in boxes)
        return (left, bottom + ROW_GAP + COLUMN_GAP)

    def notes(self, by_id: dict[str, _Draft]) -> list[dict[str, Any]]:
        """The notes of the file the workflow was read from, each with a free id."""
        if self.kept is None:
            return []
        found: list[dict[str, Any]] = []
        taken = {str(d.entry["id"]) for d in by_id.values()}
        highest = max((int(i) for i in taken if i.isdigit()), default=0)
        for note in self.kept.notes:
            if type(note["id"]) is int:
                highest = max(highest, note["id"])
        for note in self.kept.notes:
            node_id = note["id"]
            if type(node_id) not in (int, str) or not node_id or str(node_id) in taken:
                highest += 1
                node_id = highest
            taken.add(str(node_id))
            entry = {**note, "id": node_id, "order": len(by_id) + len(found)}
            entry.setdefault("pos", [0, 0])
            entry.setdefault("size", [400, 200])
            entry.setdefault("flags", {})
            entry["pos"] = [_number(v) for v in entry["pos"]]
            entry["size"] = [_number(v) for v in entry["size"]]
            entry["inputs"] = []
            entry["outputs"] = []
            _reorder(entry)
            found.append(entry)
        return found

    # -- the whole file -------------------------------------------------------------------------
    def extra(self) -> dict[str, Any]:
        extra: dict[str, Any] = {"ds": dict(DEFAULT_VIEW)}
        if self.kept is not None:
            extra.update(self.kept.extra)
        mark: dict[str, Any] = {"version": __version__}
        source = self.source or self.guess_source()
        if source is not None:
            mark["source"] = source
        extra["comfydsl"] = mark
        return extra

    def guess_source(self) -> str | None:
        if self.kept is not None and self.kept.file is not None:
            return self.kept.file
        if self.workflow.name:
            return self.workflow.name
        for node in self.workflow:
            file = node.source_file
            if file is not None and not file.startswith("<"):
                return os.path.basename(file)
        return None

    def workflow_id(self) -> str:
        """The file's id when it was read from one; else one made from the prompt (stable)."""
        if self.kept is not None and self.kept.workflow_id is not None:
            return self.kept.workflow_id
        digest = hashlib.sha256()
        for node in self.workflow:
            digest.update(f"{node.id}\0{node.class_type}\0".encode())
            for name, value in node.inputs.items():
                digest.update(f"{name}\0{_digest_form(value)}\0".encode())
        return str(uuid.UUID(bytes=digest.digest()[:16], version=4))


_ABSENT: Any = object()
_KEY_ORDER = (
    "id", "type", "title", "pos", "size", "flags", "order", "mode", "color", "bgcolor", "shape",
    "inputs", "outputs", "properties", "widgets_values", "widgets_values_named",
)  # fmt: skip


def _reorder(entry: dict[str, Any]) -> None:
    """The keys of a node in the order the editor writes them (a file people may read)."""
    ordered = {key: entry[key] for key in _KEY_ORDER if key in entry}
    entry.clear()
    entry.update(ordered)


def _display_name(node: Node) -> str:
    definition = node.definition
    return definition.display_name if definition is not None else node.class_type


def _file_id(node_id: str) -> int | str:
    """A node id as the file writes it: a number when it is one, else the string itself."""
    if node_id.isdigit() and node_id.isascii() and str(int(node_id)) == node_id:
        number = int(node_id)
        if number <= _SAFE_INTEGER:
            return number
    return node_id


def _rounded(position: tuple[float, float]) -> tuple[float, float]:
    return (float(round(position[0])), float(round(position[1])))


def _number(value: float) -> int | float:
    """A coordinate as the editor writes it: a whole number without its ``.0``."""
    return int(value) if value.is_integer() else value


def _widget_form(value: Any) -> Any:
    """A prompt value as a widget holds it: a list the prompt wraps in ``__value__`` unwrapped."""
    if isinstance(value, Mapping) and len(value) == 1 and "__value__" in value:
        inner = value["__value__"]
        if isinstance(inner, list):
            return inner
    return value


def _digest_form(value: Any) -> str:
    if type(value) is Output:
        return f"->{value[0]}:{value[1]}"
    try:
        return json.dumps(value, sort_keys=True, default=str)
    except ValueError:
        return repr(value)
