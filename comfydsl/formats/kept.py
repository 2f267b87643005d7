"""What a workflow read from an editor file keeps of how it was drawn, for writing it out again.

A prompt knows nothing of positions, colours or groups; a Workflow read from the editor's
``workflow.json`` (``load_workflow``) remembers them here, so that exporting it again
(``comfydsl.formats.api_to_ui``) puts every node that came from the file where it was, with its
size, colour and the values of the editor's own widgets (a seed's "control after generate"),
and brings back the file's groups and notes. Only nodes that are new (or came from inside a
subgraph, which an export opens) are placed by the layout.

The memory is kept beside the Workflow, not in it (a weak mapping: it goes when the workflow
does), so the model stays free of the editor's format.

    wf = load_workflow("workflow.json")
    kept_layout(wf).nodes["3"].layout["pos"]      # [863.0, 186.0]
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Mapping
from typing import Any

from comfydsl.catalog import Catalog
from comfydsl.formats.editor import NOTE_TYPES, editor_node
from comfydsl.formats.ui import UINode, UIWorkflow

__all__ = ["KeptLayout", "KeptNode", "keep_layout", "kept_layout"]

#: The parts of the file's ``extra`` that still mean the same once the workflow is written
#: again (links are renumbered, so native reroutes and link extensions are not among them).
KEPT_EXTRA = ("ds", "workflowRendererVersion")


class KeptNode:
    """How one node was drawn in its file: ``layout`` (``pos``, ``size``, ``color``, ``bgcolor``,
    ``shape``, ``flags``: see ``comfydsl.formats.ui.node_layout``), ``properties``, and
    ``extras``: the values of the editor's own widgets, by (widget name, how many of that name
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
    are in the prompt), ``notes`` (the root's notes, as UINodes), ``groups`` (as the file has
    them), ``extra`` (the parts of the file's ``extra`` that still hold, see KEPT_EXTRA),
    ``workflow_id`` (the file's id) and ``file``."""

    __slots__ = ("extra", "file", "groups", "nodes", "notes", "workflow_id")

    def __init__(
        self,
        nodes: dict[str, KeptNode],
        notes: list[UINode],
        groups: list[Mapping[str, Any]],
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
    workflow: object, ui: UIWorkflow, node_ids: Iterable[str], catalog: Catalog
) -> None:
    """Remember, for ``workflow`` (read from ``ui``), how its nodes ``node_ids`` were drawn."""
    wanted = set(node_ids)
    nodes: dict[str, KeptNode] = {}
    notes: list[UINode] = []
    for node_id, node in ui.root.nodes.items():
        if node.type in NOTE_TYPES:
            notes.append(node)
        elif node_id in wanted:
            nodes[node_id] = KeptNode(node.layout, node.properties, _extras(node, catalog))
    extra = {key: ui.extra[key] for key in KEPT_EXTRA if key in ui.extra}
    _KEPT[workflow] = KeptLayout(nodes, notes, list(ui.groups), extra, ui.workflow_id, ui.file)


def kept_layout(workflow: object) -> KeptLayout | None:
    """What ``workflow`` kept of the editor file it was read from, or None (built in Python, or
    read from a prompt)."""
    return _KEPT.get(workflow)


def _extras(node: UINode, catalog: Catalog) -> dict[tuple[str, int], Any]:
    """The values the file gives the editor's own widgets of ``node`` (by name and occurrence)."""
    definition = catalog.get(node.type)
    values = node.widgets_values
    if definition is None or values is None or definition.format_widgets:
        return {}
    stored = [w for w in editor_node(definition).widgets if w.stored]
    found: dict[tuple[str, int], Any] = {}
    seen: dict[str, int] = {}
    if isinstance(values, Mapping):
        for widget in stored:
            if widget.spec is None and widget.name in values:
                found[(widget.name, 0)] = values[widget.name]
        return found
    if len(values) != len(stored):
        return {}  # an older layout of the widgets: which value is whose is not clear
    for widget, value in zip(stored, values, strict=True):
        occurrence = seen.get(widget.name, 0)
        seen[widget.name] = occurrence + 1
        if widget.spec is None:
            found[(widget.name, occurrence)] = value
    return found
