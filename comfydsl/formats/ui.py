"""The editor's workflow format (``workflow.json``, the "UI format"), read into a small checked model.

What ComfyUI's editor saves with "Save" and what the official templates are: nodes with their
positions, positional ``widgets_values``, a table of links, and subgraph definitions. Two schema
versions exist and both are read:

- ``version: 0.4``: links are arrays ``[id, origin_id, origin_slot, target_id, target_slot, type]``;
- ``version: 1``: links are objects ``{id, origin_id, origin_slot, target_id, target_slot, type}``
  and the counters live in ``state {lastNodeId, ...}``.

Subgraph definitions (``definitions.subgraphs[]``) always use the object form. Inside one, node
``-10`` stands for its inputs and ``-20`` for its outputs.

This module is the model; ``comfydsl.formats.ui_read.parse_workflow`` checks a file and makes
one. A ``UIWorkflow`` that exists is safe to walk: every link a node's input names exists and
comes from a node (or subgraph input) that exists, from an output it has, and no subgraph
contains itself. Layout (positions, sizes, groups, colours, native reroutes) is not kept: it does
not change what the workflow runs.

    ui = parse_workflow(json.load(open("workflow.json")), file="workflow.json")
    ui.root.nodes["3"].widgets_values      # [156680208700286, "randomize", 20, 8, ...]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "INPUTS_NODE",
    "MODES",
    "OUTPUTS_NODE",
    "SCHEMA_VERSIONS",
    "UIGraph",
    "UIInput",
    "UILink",
    "UINode",
    "UIOutput",
    "UISubgraphSlot",
    "UIWorkflow",
    "is_api_prompt",
]

#: The id of a subgraph's input node (its links come from the instance's inputs).
INPUTS_NODE = "-10"
#: The id of a subgraph's output node (its links go to the instance's outputs).
OUTPUTS_NODE = "-20"

#: What each mode number means; 2 and 4 are the ones that change the prompt.
MODES = {0: "always", 1: "on event", 2: "never (muted)", 3: "on trigger", 4: "bypass"}
SCHEMA_VERSIONS = (0.4, 1)


def is_api_prompt(data: Any) -> bool:
    """Whether ``data`` is an API-format prompt: an object whose every value is a node with a string
    ``class_type`` and an object ``inputs``. Anything else is taken for an editor workflow."""
    if not isinstance(data, Mapping) or not data:
        return False
    for node in data.values():
        if not isinstance(node, Mapping):
            return False
        if not isinstance(node.get("class_type"), str) or not isinstance(
            node.get("inputs"), Mapping
        ):
            return False
    return True


class UILink:
    """One link: from output ``origin_slot`` of node ``origin_id`` to input ``target_slot`` of
    ``target_id`` (node ids as strings; ``-10``/``-20`` inside a subgraph)."""

    __slots__ = ("id", "origin_id", "origin_slot", "target_id", "target_slot", "type")

    def __init__(
        self,
        link_id: int,
        origin_id: str,
        origin_slot: int,
        target_id: str,
        target_slot: int,
        link_type: Any,
    ) -> None:
        self.id = link_id
        self.origin_id = origin_id
        self.origin_slot = origin_slot
        self.target_id = target_id
        self.target_slot = target_slot
        self.type = link_type

    def __repr__(self) -> str:
        return (
            f"<UILink {self.id}: {self.origin_id}[{self.origin_slot}] -> "
            f"{self.target_id}[{self.target_slot}]>"
        )


class UIInput:
    """One input socket a node carries in the file: ``name``, ``type``, ``link`` (a link id or
    None) and ``widget`` (the widget's name when the socket stands for a widget)."""

    __slots__ = ("link", "name", "type", "widget")

    def __init__(self, name: str, input_type: str, link: int | None, widget: str | None) -> None:
        self.name = name
        self.type = input_type
        self.link = link
        self.widget = widget

    def __repr__(self) -> str:
        return f"<UIInput {self.name}: {self.type} link={self.link}>"


class UIOutput:
    """One output a node carries in the file: ``name``, ``type`` and the ids of its ``links``."""

    __slots__ = ("links", "name", "type")

    def __init__(self, name: str, output_type: str, links: tuple[int, ...]) -> None:
        self.name = name
        self.type = output_type
        self.links = links

    def __repr__(self) -> str:
        return f"<UIOutput {self.name}: {self.type}>"


class UINode:
    """One node of a graph as the file has it.

    ``id`` is a string (``"12"``), ``type`` the node class (or a subgraph's id for an instance of
    one), ``mode`` 0-4 (see MODES), ``title`` the node's own title or None, ``inputs`` and
    ``outputs`` the sockets the file lists (unlinked widget sockets are usually left out, and slots
    renumbered), ``widgets_values`` a list (by position), a dict (by name) or None,
    ``widgets_values_named`` the name -> value map newer editors write beside it (or None),
    ``properties`` the node's properties.
    """

    __slots__ = (
        "id",
        "inputs",
        "mode",
        "outputs",
        "properties",
        "title",
        "type",
        "widgets_values",
        "widgets_values_named",
    )

    def __init__(
        self,
        node_id: str,
        node_type: str,
        mode: int,
        title: str | None,
        inputs: list[UIInput],
        outputs: list[UIOutput],
        widgets_values: list[Any] | Mapping[str, Any] | None,
        widgets_values_named: Mapping[str, Any] | None,
        properties: Mapping[str, Any],
    ) -> None:
        self.id = node_id
        self.type = node_type
        self.mode = mode
        self.title = title
        self.inputs = inputs
        self.outputs = outputs
        self.widgets_values = widgets_values
        self.widgets_values_named = widgets_values_named
        self.properties = properties

    def __repr__(self) -> str:
        return f"<UINode {self.id} {self.type}>"


class UISubgraphSlot:
    """An input or output of a subgraph definition: ``name``, ``type``, the ``link_ids`` inside."""

    __slots__ = ("link_ids", "name", "type")

    def __init__(self, name: str, slot_type: str, link_ids: tuple[int, ...]) -> None:
        self.name = name
        self.type = slot_type
        self.link_ids = link_ids

    def __repr__(self) -> str:
        return f"<UISubgraphSlot {self.name}: {self.type}>"


class UIGraph:
    """The root graph of a workflow, or one subgraph definition.

    ``nodes`` maps node id (a string) -> UINode in file order; ``links`` maps link id -> UILink.
    A subgraph also has ``id`` (what its instances have as their ``type``), ``name``, and its
    ``inputs``/``outputs``; the root's ``id`` is None.
    """

    __slots__ = ("id", "inputs", "links", "name", "nodes", "outputs")

    def __init__(self, graph_id: str | None, name: str | None) -> None:
        self.id = graph_id
        self.name = name
        self.nodes: dict[str, UINode] = {}
        self.links: dict[int, UILink] = {}
        self.inputs: list[UISubgraphSlot] = []
        self.outputs: list[UISubgraphSlot] = []

    def describe(self) -> str:
        """How problems name this graph: ``subgraph 'Name'`` (empty for the root)."""
        if self.id is None:
            return ""
        return f"subgraph {self.name or self.id!r}"

    def __repr__(self) -> str:
        return f"<UIGraph {self.id or 'root'}: {len(self.nodes)} nodes>"


class UIWorkflow:
    """A parsed, checked editor workflow.

    ``version`` (0.4 or 1), ``root`` (a UIGraph), ``subgraphs`` (definition id -> UIGraph, in file
    order), ``last_node_id`` (the file's counter; renumbered subgraph nodes take ids above it),
    ``file`` (where it was read from, or None) and ``extra`` (the file's ``extra`` object).
    """

    __slots__ = ("extra", "file", "last_node_id", "root", "subgraphs", "version")

    def __init__(
        self,
        version: float,
        root: UIGraph,
        subgraphs: dict[str, UIGraph],
        last_node_id: int,
        extra: Mapping[str, Any],
        file: str | None,
    ) -> None:
        self.version = version
        self.root = root
        self.subgraphs = subgraphs
        self.last_node_id = last_node_id
        self.extra = extra
        self.file = file

    def __repr__(self) -> str:
        return f"<UIWorkflow {self.file or ''} v{self.version}: {len(self.root.nodes)} nodes>"
