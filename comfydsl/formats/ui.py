"""The editor's workflow format (``workflow.json``, the "UI format"), read into a small checked model.

What ComfyUI's editor saves with "Save" and what the official templates are: nodes with their
positions, positional ``widgets_values``, a table of links, and subgraph definitions. Two schema
versions exist and both are read:

- ``version: 0.4``: links are arrays ``[id, origin_id, origin_slot, target_id, target_slot, type]``;
- ``version: 1``: links are objects ``{id, origin_id, origin_slot, target_id, target_slot, type}``
  and the counters live in ``state {lastNodeId, ...}``.

Subgraph definitions (``definitions.subgraphs[]``) always use the object form. Inside one, node
``-10`` stands for its inputs and ``-20`` for its outputs.

:func:`parse_workflow` checks a whole file and raises one ``WorkflowFormatError`` listing every
problem found (each naming the node, and the subgraph it is in); a ``UIWorkflow`` that exists is
safe to walk: every link a node's input names exists and comes from a node (or subgraph input)
that exists, from an output it has, and no subgraph contains itself. How nodes are drawn
(positions, sizes, colours) and the root's groups are kept loosely, for writing the workflow
again: a malformed one is dropped, never a problem, as it does not change what the workflow runs.

Entries of the links table that no input uses are ignored, as the editor ignores them: real files
keep such stale entries (12 of the official templates do).

    ui = parse_workflow(json.load(open("workflow.json")), file="workflow.json")
    ui.root.nodes["3"].widgets_values      # [156680208700286, "randomize", 20, 8, ...]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from comfydsl.errors import WorkflowFormatError
from comfydsl.values import json_problem, text_problem

__all__ = [
    "INPUTS_NODE",
    "OUTPUTS_NODE",
    "UIGraph",
    "UIInput",
    "UILink",
    "UINode",
    "UIOutput",
    "UISubgraphSlot",
    "UIWorkflow",
    "is_api_prompt",
    "node_layout",
    "parse_workflow",
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
    None), ``widget`` (the widget's name when the socket stands for a widget) and ``label``."""

    __slots__ = ("label", "link", "name", "type", "widget")

    def __init__(
        self, name: str, input_type: str, link: int | None, widget: str | None, label: Any
    ) -> None:
        self.name = name
        self.type = input_type
        self.link = link
        self.widget = widget
        self.label = label

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
    ``properties`` the node's properties, ``layout`` how it is drawn (see :func:`node_layout`).
    """

    __slots__ = (
        "id",
        "inputs",
        "layout",
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
        layout: Mapping[str, Any] | None = None,
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
        self.layout: Mapping[str, Any] = layout if layout is not None else {}

    def input_named(self, name: str) -> UIInput | None:
        """The file's input socket of that name, or None."""
        for slot in self.inputs:
            if slot.name == name:
                return slot
        return None

    def __repr__(self) -> str:
        return f"<UINode {self.id} {self.type}>"


class UISubgraphSlot:
    """An input or output of a subgraph definition: ``name``, ``type``, the ``link_ids`` inside."""

    __slots__ = ("label", "link_ids", "name", "type")

    def __init__(self, name: str, slot_type: str, link_ids: tuple[int, ...], label: Any) -> None:
        self.name = name
        self.type = slot_type
        self.link_ids = link_ids
        self.label = label

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
    ``file`` (where it was read from, or None) and ``extra`` (the file's ``extra`` object); for
    writing it again, ``groups`` (the root's well-formed groups, as the file has them) and
    ``workflow_id`` (the file's ``id``, or None).
    """

    __slots__ = (
        "extra",
        "file",
        "groups",
        "last_node_id",
        "root",
        "subgraphs",
        "version",
        "workflow_id",
    )

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
        self.groups: list[Mapping[str, Any]] = []
        self.workflow_id: str | None = None

    def __repr__(self) -> str:
        return f"<UIWorkflow {self.file or ''} v{self.version}: {len(self.root.nodes)} nodes>"


# -- reading -------------------------------------------------------------------------------------


def _shown(value: Any, limit: int = 50) -> str:
    try:
        text = repr(value)
    except Exception:  # a number too long to print
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _as_int(value: Any) -> int | None:
    """A whole number, or a string of one (the editor writes some slots as "2"); else None."""
    kind = type(value)
    if kind is int:
        return value  # type: ignore[no-any-return]
    if kind is float and value.is_integer():
        return int(value)
    if kind is str and value.strip().lstrip("-").isdigit() and len(value) < 20:
        return int(value)
    return None


def _node_id(value: Any) -> str | None:
    """A node id as the prompt writes it: ``12`` and ``"12"`` are both ``"12"``."""
    kind = type(value)
    if kind is int:
        return str(value)
    if kind is str and value and not text_problem(value):
        return value  # type: ignore[no-any-return]
    if kind is float and value.is_integer():
        return str(int(value))
    return None


def _type_name(value: Any) -> str | None:
    """A socket type: a string (``0`` and ``""`` mean any, ``*``); None when it is not one."""
    if isinstance(value, str):
        return value or "*"
    if value is None or value == 0:
        return "*"
    return None


class _Reader:
    """Reads one file, collecting every problem instead of stopping at the first."""

    def __init__(self, file: str | None) -> None:
        self.file = file
        self.problems: list[str] = []

    def problem(self, where: str, text: str) -> None:
        self.problems.append(f"{where}: {text}" if where else text)

    # -- the whole file ---------------------------------------------------------------------------
    def workflow(self, data: Any) -> UIWorkflow:
        if not isinstance(data, Mapping):
            kind = "a list" if isinstance(data, list) else type(data).__name__
            raise WorkflowFormatError(
                [
                    f"a workflow is a JSON object (an editor workflow with nodes and links, or an "
                    f"API-format prompt), not {kind}"
                ],
                file=self.file,
            )
        version = data.get("version")
        if "version" not in data:
            self.problem("", "no 'version' (an editor workflow says 0.4 or 1)")
            version = 0.4
        elif type(version) not in (int, float) or version not in SCHEMA_VERSIONS:
            self.problem(
                "",
                f"unknown schema version {_shown(version)} (this reads editor workflows of "
                "version 0.4 and 1)",
            )
            version = 0.4
        extra = data.get("extra")
        if extra is None:
            extra = {}
        elif not isinstance(extra, Mapping):
            self.problem("", f"'extra' must be an object, not {_shown(extra)}")
            extra = {}
        root = UIGraph(None, None)
        self.graph(root, data, object_links=version == 1)
        last = self.last_node_id(data, version, root)
        subgraphs: dict[str, UIGraph] = {}
        definitions = data.get("definitions")
        if definitions is not None and not isinstance(definitions, Mapping):
            self.problem("", f"'definitions' must be an object, not {_shown(definitions)}")
            definitions = None
        found = definitions.get("subgraphs") if definitions is not None else None
        if found is not None and not isinstance(found, list):
            self.problem("", f"'definitions.subgraphs' must be a list, not {_shown(found)}")
            found = None
        for index, raw in enumerate(found or ()):
            subgraph = self.subgraph(index, raw)
            if subgraph is None:
                continue
            if subgraph.id in subgraphs:
                self.problem("", f"two subgraph definitions have the id {subgraph.id!r}")
                continue
            subgraphs[subgraph.id] = subgraph  # type: ignore[index]
        self.check_nesting(subgraphs)
        if self.problems:
            raise WorkflowFormatError(self.problems, file=self.file)
        read = UIWorkflow(version, root, subgraphs, last, extra, self.file)
        read.groups = _groups(data.get("groups"))
        workflow_id = data.get("id")
        read.workflow_id = workflow_id if isinstance(workflow_id, str) else None
        return read

    def last_node_id(self, data: Mapping[str, Any], version: float, root: UIGraph) -> int:
        """The file's node counter: ``last_node_id`` (0.4) or ``state.lastNodeId`` (1); for a file
        without one (made by hand), the highest numeric id of the root."""
        state = data.get("state")
        value = state.get("lastNodeId") if isinstance(state, Mapping) else None
        if value is None:
            value = data.get("last_node_id")
        highest = max((int(i) for i in root.nodes if i.lstrip("-").isdigit()), default=0)
        if value is None:
            return highest
        number = _as_int(value)
        if number is None:
            self.problem("", f"the last node id must be a number, not {_shown(value)}")
            return highest
        return number

    def subgraph(self, index: int, raw: Any) -> UIGraph | None:
        where = f"definitions.subgraphs[{index}]"
        if not isinstance(raw, Mapping):
            self.problem(where, f"a subgraph definition must be an object, not {_shown(raw)}")
            return None
        graph_id = raw.get("id")
        if not isinstance(graph_id, str) or not graph_id or text_problem(graph_id):
            self.problem(where, f"a subgraph needs a string 'id', not {_shown(graph_id)}")
            return None
        name = raw.get("name")
        graph = UIGraph(graph_id, name if isinstance(name, str) else None)
        self.graph(graph, raw, object_links=True)
        graph.inputs = self.io_slots(graph, raw, "inputs")
        graph.outputs = self.io_slots(graph, raw, "outputs")
        self.check_io_links(graph)
        return graph

    def io_slots(self, graph: UIGraph, raw: Mapping[str, Any], key: str) -> list[UISubgraphSlot]:
        where = graph.describe()
        found = raw.get(key)
        if not isinstance(found, list):
            self.problem(where, f"no '{key}' list (the subgraph's {key[:-1]} slots)")
            return []
        slots = []
        for index, item in enumerate(found):
            at = f"{where}, {key}[{index}]"
            if not isinstance(item, Mapping):
                self.problem(at, f"must be an object, not {_shown(item)}")
                continue
            name = item.get("name")
            if not isinstance(name, str) or text_problem(name):
                self.problem(at, f"needs a string 'name', not {_shown(name)}")
                continue
            slot_type = _type_name(item.get("type"))
            if slot_type is None:
                self.problem(at, f"'type' must be a string, not {_shown(item.get('type'))}")
                slot_type = "*"
            link_ids = self.link_ids(item.get("linkIds"), at, "linkIds")
            slots.append(UISubgraphSlot(name, slot_type, link_ids, item.get("label")))
        return slots

    # -- one graph --------------------------------------------------------------------------------
    def graph(self, graph: UIGraph, raw: Mapping[str, Any], *, object_links: bool) -> None:
        where = graph.describe()
        nodes = raw.get("nodes")
        if not isinstance(nodes, list):
            self.problem(where, "no 'nodes' list" if nodes is None else "'nodes' must be a list")
            nodes = []
        for index, item in enumerate(nodes):
            node = self.node(graph, index, item)
            if node is None:
                continue
            if node.id in graph.nodes:
                self.problem(where, f"two nodes have the id {node.id}")
                continue
            graph.nodes[node.id] = node
        links = raw.get("links")
        if links is None and not any(
            i.link is not None for n in graph.nodes.values() for i in n.inputs
        ):
            links = []  # a graph without links may leave the table out
        if not isinstance(links, list):
            self.problem(where, "no 'links' list" if links is None else "'links' must be a list")
            links = []
        for index, item in enumerate(links):
            link = self.link(graph, index, item, object_links)
            if link is not None:
                if link.id in graph.links:
                    self.problem(where, f"two links have the id {link.id}")
                    continue
                graph.links[link.id] = link
        self.check_used_links(graph)

    def node(self, graph: UIGraph, index: int, raw: Any) -> UINode | None:
        prefix = f"{graph.describe()}, " if graph.id is not None else ""
        if not isinstance(raw, Mapping):
            self.problem(f"{prefix}nodes[{index}]", f"a node must be an object, not {_shown(raw)}")
            return None
        node_id = _node_id(raw.get("id"))
        if node_id is None:
            self.problem(
                f"{prefix}nodes[{index}]", f"a node needs an 'id', not {_shown(raw.get('id'))}"
            )
            return None
        node_type = raw.get("type")
        if not isinstance(node_type, str) or not node_type or text_problem(node_type):
            self.problem(
                f"{prefix}node {node_id}", f"a node needs a string 'type', not {_shown(node_type)}"
            )
            return None
        where = f"{prefix}node {node_id} ({node_type})"
        mode = raw.get("mode", 0)
        if mode is None:
            mode = 0
        if type(mode) is not int or mode not in MODES:
            self.problem(
                where,
                f"unknown mode {_shown(mode)} (0 always, 1 on event, 2 never, 3 on trigger, 4 bypass)",
            )
            mode = 0
        title = raw.get("title")
        if title is not None and (not isinstance(title, str) or text_problem(title)):
            self.problem(where, f"'title' must be a string, not {_shown(title)}")
            title = None
        values = raw.get("widgets_values")
        if values is not None and not isinstance(values, (list, Mapping)):
            self.problem(
                where, f"'widgets_values' must be a list or an object, not {_shown(values)}"
            )
            values = None
        elif values is not None:
            wrong = json_problem(values)
            if wrong is not None:
                self.problem(where, f"'widgets_values': {wrong}")
                values = None
        named = raw.get("widgets_values_named")
        if named is not None and not isinstance(named, Mapping):
            named = None  # only a cross-check, written by some editors: not worth refusing a file
        properties = raw.get("properties")
        if not isinstance(properties, Mapping):
            properties = {}
        return UINode(
            node_id,
            node_type,
            mode,
            title,
            self.inputs(raw.get("inputs"), where),
            self.outputs(raw.get("outputs"), where),
            values,
            named,
            properties,
            node_layout(raw),
        )

    def inputs(self, raw: Any, where: str) -> list[UIInput]:
        if raw is None:
            return []
        if not isinstance(raw, list):
            self.problem(where, f"'inputs' must be a list, not {_shown(raw)}")
            return []
        found = []
        for index, item in enumerate(raw):
            at = f"{where}, inputs[{index}]"
            if not isinstance(item, Mapping):
                self.problem(at, f"an input must be an object, not {_shown(item)}")
                continue
            name = item.get("name")
            if not isinstance(name, str) or text_problem(name):
                self.problem(at, f"an input needs a string 'name', not {_shown(name)}")
                continue
            input_type = _type_name(item.get("type"))
            if input_type is None:
                input_type = "*"
                if not isinstance(item.get("type"), list):  # a legacy combo's list of choices
                    self.problem(
                        f"{where}, input {name!r}",
                        f"'type' must be a string, not {_shown(item.get('type'))}",
                    )
            link = item.get("link")
            if link is not None:
                link = _as_int(link)
                if link is None:
                    self.problem(
                        f"{where}, input {name!r}",
                        f"'link' must be a link id or null, not {_shown(item.get('link'))}",
                    )
            widget = item.get("widget")
            widget_name = widget.get("name") if isinstance(widget, Mapping) else None
            if widget_name is not None and not isinstance(widget_name, str):
                widget_name = None
            found.append(UIInput(name, input_type, link, widget_name, item.get("label")))
        return found

    def outputs(self, raw: Any, where: str) -> list[UIOutput]:
        if raw is None:
            return []
        if not isinstance(raw, list):
            self.problem(where, f"'outputs' must be a list, not {_shown(raw)}")
            return []
        found = []
        for index, item in enumerate(raw):
            at = f"{where}, outputs[{index}]"
            if not isinstance(item, Mapping):
                self.problem(at, f"an output must be an object, not {_shown(item)}")
                found.append(UIOutput("", "*", ()))  # keeps the later outputs at their slots
                continue
            name = item.get("name")
            output_type = _type_name(item.get("type"))
            if output_type is None:
                output_type = "*"
                if not isinstance(item.get("type"), list):
                    self.problem(at, f"'type' must be a string, not {_shown(item.get('type'))}")
            links = self.link_ids(item.get("links"), at, "links")
            found.append(UIOutput(name if isinstance(name, str) else "", output_type, links))
        return found

    def link_ids(self, raw: Any, where: str, key: str) -> tuple[int, ...]:
        if raw is None:
            return ()
        if not isinstance(raw, list):
            self.problem(where, f"'{key}' must be a list of link ids, not {_shown(raw)}")
            return ()
        ids = []
        for item in raw:
            number = _as_int(item)
            if number is None:
                self.problem(where, f"'{key}' holds {_shown(item)}, which is not a link id")
            else:
                ids.append(number)
        return tuple(ids)

    def link(self, graph: UIGraph, index: int, raw: Any, object_links: bool) -> UILink | None:
        prefix = f"{graph.describe()}, " if graph.id is not None else ""
        where = f"{prefix}links[{index}]"
        if object_links:
            if not isinstance(raw, Mapping):
                self.problem(
                    where,
                    f"a link must be an object {{id, origin_id, origin_slot, target_id, "
                    f"target_slot, type}}, not {_shown(raw)}",
                )
                return None
            fields = [
                raw.get(k) for k in ("id", "origin_id", "origin_slot", "target_id", "target_slot")
            ]
            link_type = raw.get("type")
        else:
            if not isinstance(raw, list) or len(raw) < 5:
                self.problem(
                    where,
                    f"a link must be a list [id, origin_id, origin_slot, target_id, target_slot, "
                    f"type], not {_shown(raw)}",
                )
                return None
            fields = list(raw[:5])
            link_type = raw[5] if len(raw) > 5 else "*"
        link_id = _as_int(fields[0])
        origin = _node_id(fields[1])
        origin_slot = _as_int(fields[2])
        target = _node_id(fields[3])
        target_slot = _as_int(fields[4])
        wrong = [
            name
            for name, value in (
                ("id", link_id),
                ("origin_id", origin),
                ("origin_slot", origin_slot),
                ("target_id", target),
                ("target_slot", target_slot),
            )
            if value is None
        ]
        if wrong or origin_slot is None or target_slot is None:  # (the second part: for mypy)
            self.problem(where, f"{', '.join(wrong)} missing or not a number in {_shown(raw, 80)}")
            return None
        return UILink(link_id, origin, origin_slot, target, target_slot, link_type)  # type: ignore[arg-type]

    # -- consistency --------------------------------------------------------------------------
    def check_used_links(self, graph: UIGraph) -> None:
        """Every link a node's input uses exists and comes from an output that exists."""
        prefix = f"{graph.describe()}, " if graph.id is not None else ""
        for node in graph.nodes.values():
            for slot in node.inputs:
                if slot.link is None:
                    continue
                where = f"{prefix}node {node.id} ({node.type}), input {slot.name!r}"
                link = graph.links.get(slot.link)
                if link is None:
                    self.problem(where, f"uses link {slot.link}, which is not in the links table")
                    continue
                self.check_origin(graph, link, where)

    def check_origin(self, graph: UIGraph, link: UILink, where: str) -> None:
        origin = link.origin_id
        if origin == INPUTS_NODE and graph.id is not None:
            return  # checked with the subgraph's inputs, once they are read
        source = graph.nodes.get(origin)
        if source is None:
            self.problem(
                where, f"link {link.id} comes from node {origin}, which is not in the graph"
            )
        elif not 0 <= link.origin_slot < len(source.outputs):
            count = len(source.outputs)
            self.problem(
                where,
                f"link {link.id} comes from output {link.origin_slot} of node {origin} "
                f"({source.type}), which has {count} output{'s' if count != 1 else ''}",
            )

    def check_io_links(self, graph: UIGraph) -> None:
        """Links from the subgraph's input node use an input it has; outputs' links exist."""
        where = graph.describe()
        for node in graph.nodes.values():
            for slot in node.inputs:
                link = graph.links.get(slot.link) if slot.link is not None else None
                if link is None or link.origin_id != INPUTS_NODE:
                    continue
                if not 0 <= link.origin_slot < len(graph.inputs):
                    self.problem(
                        f"{where}, node {node.id} ({node.type}), input {slot.name!r}",
                        f"link {link.id} comes from subgraph input {link.origin_slot}, and the "
                        f"subgraph has {len(graph.inputs)} inputs",
                    )
        for index, output in enumerate(graph.outputs):
            for link_id in output.link_ids:
                link = graph.links.get(link_id)
                if link is None:
                    continue  # a stale id: the output is then found by the links table
                self.check_origin(graph, link, f"{where}, output {index} ({output.name!r})")

    def check_nesting(self, subgraphs: Mapping[str, UIGraph]) -> None:
        """No subgraph contains itself, directly or through others (the editor would recurse)."""
        contains = {
            graph_id: [n.type for n in graph.nodes.values() if n.type in subgraphs]
            for graph_id, graph in subgraphs.items()
        }
        state: dict[str, int] = {}  # 1: on the current path, 2: done
        for start in contains:
            if start in state:
                continue
            path = [start]
            stack = [iter(contains[start])]
            state[start] = 1
            while stack:
                child = next(stack[-1], None)
                if child is None:
                    state[path.pop()] = 2
                    stack.pop()
                    continue
                if state.get(child) == 1:
                    loop = [*path[path.index(child) :], child]
                    names = " -> ".join(repr(subgraphs[g].name or g) for g in loop)
                    self.problem("", f"subgraph {names}: a subgraph contains itself")
                    continue
                if child not in state:
                    state[child] = 1
                    path.append(child)
                    stack.append(iter(contains[child]))


def _numbers(value: Any, count: int) -> list[float] | None:
    """``count`` finite numbers (a position or a size), or None."""
    if isinstance(value, Mapping):  # some old files: {"0": x, "1": y}
        value = [value.get("0"), value.get("1")]
    if not isinstance(value, list) or len(value) != count:
        return None
    if not all(type(v) in (int, float) and abs(v) < 1e9 for v in value):
        return None
    return [float(v) for v in value]


def node_layout(raw: Mapping[str, Any]) -> dict[str, Any]:
    """How a node is drawn, what the editor needs to draw it again where it was: ``pos``, ``size``
    (two numbers each), ``color``, ``bgcolor`` (strings), ``shape`` (a number) and ``flags`` (an
    object, e.g. collapsed), those of them the node has and has right. Never a problem: layout
    does not change what a workflow runs."""
    found: dict[str, Any] = {}
    for key in ("pos", "size"):
        numbers = _numbers(raw.get(key), 2)
        if numbers is not None:
            found[key] = numbers
    for key in ("color", "bgcolor"):
        value = raw.get(key)
        if isinstance(value, str) and len(value) < 100 and not text_problem(value):
            found[key] = value
    shape = raw.get("shape")
    if type(shape) is int:
        found["shape"] = shape
    flags = raw.get("flags")
    if isinstance(flags, Mapping) and all(type(v) is bool for v in flags.values()):
        found["flags"] = {str(k): v for k, v in flags.items()}
    return found


def _groups(raw: Any) -> list[Mapping[str, Any]]:
    """The groups of a file that can be drawn again: each with a title and a four-number bounding
    box, with its colour, font size and flags when well formed."""
    if not isinstance(raw, list):
        return []
    found: list[Mapping[str, Any]] = []
    for item in raw:
        if not isinstance(item, Mapping):
            continue
        bounding = _numbers(item.get("bounding"), 4)
        title = item.get("title", "Group")
        if bounding is None or not isinstance(title, str) or text_problem(title):
            continue
        group: dict[str, Any] = {"title": title, "bounding": bounding}
        color = item.get("color")
        if isinstance(color, str) and len(color) < 100 and not text_problem(color):
            group["color"] = color
        font_size = item.get("font_size")
        if (
            isinstance(font_size, (int, float))
            and not isinstance(font_size, bool)
            and 0 < font_size < 1000
        ):
            group["font_size"] = font_size
        flags = item.get("flags")
        if isinstance(flags, Mapping) and all(type(v) is bool for v in flags.values()):
            group["flags"] = {str(k): v for k, v in flags.items()}
        found.append(group)
    return found


def parse_workflow(data: Any, *, file: str | None = None) -> UIWorkflow:
    """Check an editor workflow (a parsed ``workflow.json``) and read it into a UIWorkflow.

    Raises WorkflowFormatError listing every problem of the file, each with where it is: a
    missing or unknown ``version``, nodes without ``id`` or ``type``, unknown modes, links of the
    wrong shape, an input using a link that is not in the table or that comes from a node or an
    output that does not exist, subgraph definitions without ids, a subgraph that contains itself.
    """
    return _Reader(file).workflow(data)
