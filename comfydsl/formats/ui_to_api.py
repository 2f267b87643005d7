"""From an editor workflow (UI format) to the API-format prompt, as the editor's "Queue" makes it.

The editor turns what it shows into what the server runs in three steps, and so does this module
(with ``comfydsl.formats.ui_execution``, which holds the rules):

1. **Load.** Subgraph nodes whose ids collide with the root's (or an earlier definition's) are
   renumbered upward from the file's last node id. Each node of a known class gets its widgets
   (``comfydsl.editor.widgets``) and takes ``widgets_values`` by position (or by name, when the
   file holds an object), skipping the editor's own values (control after generate, upload
   buttons); a short list leaves the rest at their defaults, a long one is cut.
2. **Expand.** Subgraph instances are replaced by their inner nodes, with ids joined by ``:``
   (``"10:3"``, nested ``"10:5:3"``); notes, reroutes, the editor's own PrimitiveNode and
   KJNodes' SetNode/GetNode exist only in the editor and are not sent; muted nodes (mode 2) and
   bypassed ones (mode 4) are not sent either.
3. **Resolve links.** Each input's link is followed, by input name, through reroutes, named
   wires, bypassed nodes (to the bypassed node's input of a fitting type), subgraph boundaries
   (to the instance's link, or to its promoted widget's value), until it reaches a node that is
   sent. A link that reaches nothing is left out (a widget then keeps its value).

Every value that is a list is sent wrapped, ``{"__value__": [...]}``, so that it cannot read as
a link. Every problem is collected and raised at once as a ``WorkflowFormatError``: a node
class the catalog does not know whose values cannot be named, a GetNode with no SetNode, links
that loop.

    prompt = ui_to_prompt(json.load(open("workflow.json")), catalog=active_catalog())
"""

from __future__ import annotations

from typing import Any

from comfydsl.catalog import Catalog, NodeDef, active_catalog
from comfydsl.errors import WorkflowFormatError
from comfydsl.formats.ui import UIWorkflow
from comfydsl.formats.ui_execution import ExecNode, ExecutionGraph, LinkLoop
from comfydsl.formats.ui_read import parse_workflow
from comfydsl.values import text_problem

__all__ = ["ConvertedNode", "convert_workflow", "ui_to_prompt"]

#: The node properties that newer editors copy into a node's ``_meta``.
META_PROPERTIES = ("cnr_id", "aux_id", "ver")


class ConvertedNode:
    """One node of the prompt: ``id`` (``"10:3"`` for a subgraph's node), ``class_type``,
    ``inputs`` (name -> value, or ``[origin id, output index]`` for a link: every list value is
    sent wrapped as ``{"__value__": [...]}``, so a list is always a link), ``meta`` (the
    ``_meta`` object: the title, and the pack's ``cnr_id``/``aux_id``/``ver`` when the file has
    them) and ``definition`` (the NodeDef, or None for a class the catalog does not know)."""

    __slots__ = ("class_type", "definition", "id", "inputs", "meta")

    def __init__(
        self,
        node_id: str,
        class_type: str,
        inputs: dict[str, Any],
        meta: dict[str, Any],
        definition: NodeDef | None,
    ) -> None:
        self.id = node_id
        self.class_type = class_type
        self.inputs = inputs
        self.meta = meta
        self.definition = definition

    def __repr__(self) -> str:
        return f"<ConvertedNode {self.id} {self.class_type}>"


def _convert_node(graph: ExecutionGraph, item: ExecNode) -> ConvertedNode:
    node = item.node
    inputs = graph.widget_values(item)
    for name, value in inputs.items():
        if type(value) is list:
            inputs[name] = {"__value__": value}
    linked = [(s.name, s.link, i) for i, s in enumerate(node.inputs) if s.link is not None]
    if len(linked) > 1:
        # In the editor's slot order (the file's list may have another).
        linked.sort(key=lambda entry: item.slot_of(entry[0], entry[2]))
    links = item.scope.links
    nodes = graph.nodes
    prefix = item.prefix
    for name, link_id, position in linked:
        link = links.get(link_id)
        if link is not None:
            # The common case first: a link straight from a node that is sent.
            source = nodes.get(prefix + link.origin_id)
            if source is not None and source.plain:
                inputs[name] = [source.id, link.origin_slot]
                continue
        try:
            found = graph.resolve_input(item, item.slot_of(name, position), set())
        except LinkLoop as loop:
            graph.problem(
                graph.where(item),
                f"input {name!r}: its link loops back through node {loop.node.id} "
                f"({loop.node.node.type})",
            )
            continue
        if found is None:
            continue
        if found.node_id is not None:
            inputs[name] = [found.node_id, found.slot]
        else:
            value = found.value
            inputs[name] = {"__value__": value} if type(value) is list else value
    definition = item.definition
    title = node.title
    if title is None:
        title = definition.display_name if definition is not None else node.type
    meta: dict[str, Any] = {"title": title}
    properties = node.properties
    if properties:
        for key in META_PROPERTIES:
            value = properties.get(key)
            if type(value) is str and not text_problem(value):
                meta[key] = value
    return ConvertedNode(item.id, node.type, inputs, meta, definition)


def convert_workflow(ui: UIWorkflow, catalog: Catalog | None = None) -> list[ConvertedNode]:
    """The nodes of the prompt the editor would send for ``ui`` (see the module's docstring).

    Raises WorkflowFormatError listing every problem found.
    """
    graph = ExecutionGraph(ui, catalog if catalog is not None else active_catalog())
    converted = [_convert_node(graph, item) for item in graph.nodes.values() if item.plain]
    sent = {node.id for node in converted}
    for node in converted:
        # A link to a node that is not sent is dropped with its input, as the editor does.
        stale = [n for n, v in node.inputs.items() if type(v) is list and v[0] not in sent]
        for name in stale:
            del node.inputs[name]
    if graph.problems:
        raise WorkflowFormatError(graph.problems, file=ui.file)
    return converted


def ui_to_prompt(
    data: Any, *, catalog: Catalog | None = None, file: str | None = None
) -> dict[str, dict[str, Any]]:
    """The API-format prompt of an editor workflow (a parsed ``workflow.json``), as a plain dict.

    >>> ui_to_prompt(json.load(open("workflow.json")))["3"]["class_type"]  # doctest: +SKIP
    'KSampler'
    """
    nodes = convert_workflow(parse_workflow(data, file=file), catalog)
    return {
        node.id: {"inputs": node.inputs, "class_type": node.class_type, "_meta": node.meta}
        for node in nodes
    }
