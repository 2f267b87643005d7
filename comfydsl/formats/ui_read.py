"""Reading an editor workflow (``workflow.json``) into the model of ``comfydsl.formats.ui``.

:func:`parse_workflow` checks a whole file and raises one ``WorkflowFormatError`` listing every
problem found, each naming the node (and the subgraph it is in): a missing or unknown
``version``, nodes without ``id`` or ``type``, unknown modes, links of the wrong shape, an input
using a link that is not in the table or that comes from a node or an output that does not
exist, subgraph definitions without ids, a subgraph that contains itself, values JSON cannot
hold.

Entries of the links table that no input uses are ignored, as the editor ignores them: real files
keep such stale entries (12 of the official templates do). Nodes and links the way editors write
them take a fast path; anything unusual is read field by field, each problem recorded.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from comfydsl.errors import WorkflowFormatError
from comfydsl.formats.ui import (
    INPUTS_NODE,
    MODES,
    SCHEMA_VERSIONS,
    UIGraph,
    UIInput,
    UILink,
    UINode,
    UIOutput,
    UISubgraphSlot,
    UIWorkflow,
)
from comfydsl.formats.ui_fast import plain_link, plain_node
from comfydsl.values import json_problem, text_problem

__all__ = ["parse_workflow"]


def _wanted(raw: Any, key: str, what: str) -> str:
    """``no 'key' (what)`` when the key is missing, ``'key' must be what, not VALUE`` otherwise."""
    if not isinstance(raw, Mapping) or key not in raw:
        return f"no '{key}' ({what})"
    return f"'{key}' must be {what}, not {_shown(raw[key])}"


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
        return UIWorkflow(version, root, subgraphs, last, extra, self.file)

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
            self.problem(where, _wanted(raw, "id", "a string: what its instances have as type"))
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
                self.problem(at, _wanted(item, "name", "a string"))
                continue
            slot_type = _type_name(item.get("type"))
            if slot_type is None:
                self.problem(at, f"'type' must be a string, not {_shown(item.get('type'))}")
                slot_type = "*"
            link_ids = self.link_ids(item.get("linkIds"), at, "linkIds")
            slots.append(UISubgraphSlot(name, slot_type, link_ids))
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
        if type(raw) is dict:
            found = plain_node(raw)
            if found is not None:
                return found
        return self.checked_node(graph, index, raw)

    def checked_node(self, graph: UIGraph, index: int, raw: Any) -> UINode | None:
        """A node read field by field, each problem recorded (the path of unusual nodes)."""
        prefix = f"{graph.describe()}, " if graph.id is not None else ""
        if not isinstance(raw, Mapping):
            self.problem(f"{prefix}nodes[{index}]", f"a node must be an object, not {_shown(raw)}")
            return None
        node_id = _node_id(raw.get("id"))
        if node_id is None:
            self.problem(f"{prefix}nodes[{index}]", _wanted(raw, "id", "a number or a string"))
            return None
        node_type = raw.get("type")
        if not isinstance(node_type, str) or not node_type or text_problem(node_type):
            self.problem(
                f"{prefix}node {node_id}", _wanted(raw, "type", "the node's class, a string")
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
                self.problem(at, _wanted(item, "name", "a string"))
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
            found.append(UIInput(name, input_type, link, widget_name))
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
        found = plain_link(raw, object_links)
        if found is not None:
            return found
        return self.checked_link(graph, index, raw, object_links)

    def checked_link(
        self, graph: UIGraph, index: int, raw: Any, object_links: bool
    ) -> UILink | None:
        """A link read field by field, its problems recorded (the path of unusual links)."""
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


def parse_workflow(data: Any, *, file: str | None = None) -> UIWorkflow:
    """Check an editor workflow (a parsed ``workflow.json``) and read it into a UIWorkflow.

    Raises WorkflowFormatError listing every problem of the file, each with where it is: a
    missing or unknown ``version``, nodes without ``id`` or ``type``, unknown modes, links of the
    wrong shape, an input using a link that is not in the table or that comes from a node or an
    output that does not exist, subgraph definitions without ids, a subgraph that contains itself.
    """
    return _Reader(file).workflow(data)
