"""An editor workflow as the editor executes it: subgraphs opened, widget values named, links resolved.

This is the model behind ``ui_to_api``: the editor (frontend 1.58) turns the graph it shows into
"executable nodes" before it writes a prompt, and :class:`ExecutionGraph` builds the same:

- **load**: subgraph nodes whose ids collide with the root's (or an earlier definition's) are
  renumbered upward from the file's last node id, as the editor's deduplication does;
- **expand**: every node gets an execution id, its path of subgraph instances joined by ``:``
  (``"10:3"``; nested ``"10:5:3"``); instances are opened, but a muted or bypassed instance in
  the root stays whole (a nested one is opened whatever its mode, as the editor does);
- **values** (:meth:`ExecutionGraph.widget_values`): each widget takes the file's value by
  position (or by name from an object), PrimitiveNodes write into the widgets they feed, text
  boxes show their values as text, and subgraph instances write their values (``proxyWidgets``)
  into the inner widgets they show;
- **links** (:meth:`ExecutionGraph.resolve_input`): a link is followed by input name through
  reroutes, SetNode/GetNode pairs, bypassed nodes (to an input of a fitting type), subgraph
  boundaries (outward to the instance's link or its widget's value, inward to the node that feeds
  an output) until it reaches a node that is sent; a muted node ends it with nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from comfydsl.catalog import Catalog, NodeDef
from comfydsl.editor.widgets import (
    GET_TYPE,
    PRIMITIVE_TYPE,
    SET_TYPE,
    UI_ONLY_TYPES,
    EditorNode,
    as_text,
    editor_node,
    types_fit,
)
from comfydsl.formats.ui import INPUTS_NODE, OUTPUTS_NODE, UIGraph, UILink, UINode, UIWorkflow
from comfydsl.formats.ui_values import named_values, positional_values, unknown_class_values

__all__ = ["BYPASSED", "MUTED", "ExecNode", "ExecutionGraph", "LinkLoop", "Resolved"]

MUTED = 2
BYPASSED = 4
#: The source of an instance widget that stands for a subgraph input (``proxyWidgets``).
PROMOTED_INPUT = "-1"
#: "No widget here", where None is a value.
_NONE: Any = object()
_SPECIAL_TYPES = frozenset({PRIMITIVE_TYPE, SET_TYPE})
#: The type of a legacy group node is ``workflow>NAME`` (older editors: ``workflow/NAME``).
GROUP_NODE_PREFIXES = ("workflow>", "workflow/")

#: (name, type, link id or None) of an input socket.
Socket = tuple[str, str, "int | None"]


class Resolved:
    """Where a link ends: the output ``slot`` of the sent node ``node_id``, or (``node_id`` None)
    the ``value`` of a subgraph instance's widget."""

    __slots__ = ("node_id", "slot", "value")

    def __init__(self, node_id: str | None, slot: int, value: Any = None) -> None:
        self.node_id = node_id
        self.slot = slot
        self.value = value


class LinkLoop(Exception):
    """Links that come back to where they started (through reroutes or bypassed nodes)."""

    def __init__(self, node: ExecNode) -> None:
        super().__init__(node.id)
        self.node = node


class _Scope:
    """One graph as the editor holds it after loading: its nodes and links, renumbered."""

    __slots__ = ("graph", "ids", "links", "nodes", "primitives", "setters")

    def __init__(self, graph: UIGraph, renumbered: Mapping[str, str]) -> None:
        self.graph = graph
        self.ids = renumbered
        if not renumbered:
            self.nodes = graph.nodes
            self.links = graph.links
        else:
            self.nodes = {renumbered.get(i, i): n for i, n in graph.nodes.items()}
            self.links = {
                k: UILink(
                    v.id,
                    renumbered.get(v.origin_id, v.origin_id),
                    v.origin_slot,
                    renumbered.get(v.target_id, v.target_id),
                    v.target_slot,
                    v.type,
                )
                for k, v in graph.links.items()
            }
        #: node id -> widget name -> the value a PrimitiveNode gives it.
        self.primitives: dict[str, dict[str, Any]] = {}
        #: SetNode name -> (node id, node).
        self.setters: dict[str, tuple[str, UINode]] = {}


class ExecNode:
    """A node as the editor executes it: its execution ``id``, its ``node`` in the file, the
    ``scope`` it is in, the ``instance`` it is inside (None in the root), its ``definition`` and
    editor ``shape`` (None for classes the catalog does not know), and for a subgraph instance
    the scope of its definition (``inner``)."""

    __slots__ = (
        "_outputs",
        "_sockets",
        "definition",
        "id",
        "inner",
        "instance",
        "local_id",
        "node",
        "plain",
        "prefix",
        "promoted",
        "scope",
        "shape",
    )

    def __init__(
        self, node: UINode, local_id: str, scope: _Scope, prefix: str, instance: ExecNode | None
    ) -> None:
        self.node = node
        self.local_id = local_id
        self.id = prefix + local_id
        self.scope = scope
        self.prefix = prefix
        self.instance = instance
        self.definition: NodeDef | None = None
        self.shape: EditorNode | None = None
        #: Whether a link from it ends here: a node that is sent.
        self.plain = False
        self.inner: _Scope | None = None
        self.promoted: list[tuple[str, str, Any]] | None = None
        self._sockets: list[Socket] | None = None
        self._outputs: tuple[str, ...] | None = None

    @property
    def sockets(self) -> list[Socket]:
        """(name, type, link id) of each input socket, in the editor's slot order."""
        found = self._sockets
        if found is None:
            found = self._sockets = self._make_sockets()
        return found

    def _make_sockets(self) -> list[Socket]:
        node = self.node
        links = {s.name: s.link for s in node.inputs}
        if self.inner is not None:
            return [(s.name, s.type, links.get(s.name)) for s in self.inner.graph.inputs]
        shape = self.shape
        if shape is None:
            return [(s.name, s.type, s.link) for s in node.inputs]
        found: list[Socket] = [(s.name, s.type, links.get(s.name)) for s in shape.sockets]
        known = shape.socket_index
        found += [(s.name, s.type, s.link) for s in node.inputs if s.name not in known]
        return found

    def slot_of(self, name: str, position: int) -> int:
        """The slot of the file's input ``name`` (the ``position``-th of the file's inputs)."""
        shape = self.shape
        if shape is not None:
            index = shape.socket_index.get(name)
            if index is not None:
                return index
        return next(i for i, socket in enumerate(self.sockets) if socket[0] == name)

    @property
    def outputs(self) -> tuple[str, ...]:
        """The type of each output."""
        found = self._outputs
        if found is None:
            if self.inner is not None:
                found = tuple(s.type for s in self.inner.graph.outputs)
            elif self.shape is not None:
                found = self.shape.outputs
            else:
                found = tuple(s.type for s in self.node.outputs)
            self._outputs = found
        return found

    def __repr__(self) -> str:
        return f"<ExecNode {self.id} {self.node.type}>"


class ExecutionGraph:
    """The executable nodes of one workflow (see the module's docstring). ``nodes`` maps
    execution id -> ExecNode; ``problems`` collects what is wrong, each naming its node."""

    def __init__(self, ui: UIWorkflow, catalog: Catalog) -> None:
        self.ui = ui
        self.catalog = catalog
        self.problems: list[str] = []
        self.nodes: dict[str, ExecNode] = {}
        self.scopes: dict[str | None, _Scope] = {}
        #: The editor's view of each class met, looked up once per class.
        self.shapes: dict[str, EditorNode | None] = {}
        #: Subgraph instances that are opened, outermost first.
        self.instances: list[ExecNode] = []
        #: Widget values that instances set on the nodes inside them: exec id -> name -> value.
        self.overrides: dict[str, dict[str, Any]] = {}
        self.load()
        self.expand(self.scopes[None], "", None)
        self.apply_instance_widgets()

    def problem(self, where: str, text: str) -> None:
        self.problems.append(f"{where}: {text}")

    # -- load ---------------------------------------------------------------------------------
    def load(self) -> None:
        """Scopes for the root and each subgraph, with colliding inner ids renumbered as the
        editor does on load: subgraphs in file order, each node keeping its id unless an earlier
        one (of the root or any subgraph) has it; then it takes the next free id above the
        highest seen so far (the file's last node id at least)."""
        root = self.ui.root
        self.scopes[None] = _Scope(root, {})
        used = {int(i) for i in root.nodes if _is_number(i)}
        last = self.ui.last_node_id
        for graph_id, graph in self.ui.subgraphs.items():
            renumbered: dict[str, str] = {}
            for node_id in graph.nodes:
                if not _is_number(node_id):
                    continue
                number = int(node_id)
                if number in used:
                    last += 1
                    while last in used:
                        last += 1
                    renumbered[node_id] = str(last)
                    used.add(last)
                else:
                    used.add(number)
                    if number > last:
                        last = number
            self.scopes[graph_id] = _Scope(graph, renumbered)
        for scope in self.scopes.values():
            special = [(i, n) for i, n in scope.nodes.items() if n.type in _SPECIAL_TYPES]
            if special:
                self.index_special_nodes(scope, special)

    def index_special_nodes(self, scope: _Scope, special: list[tuple[str, UINode]]) -> None:
        """The values legacy PrimitiveNodes give the widgets they feed, and the named SetNodes."""
        for node_id, node in special:
            if node.type == PRIMITIVE_TYPE:
                values = node.widgets_values
                if not isinstance(values, list) or not values or not node.outputs:
                    continue
                for link_id in node.outputs[0].links:
                    link = scope.links.get(link_id)
                    target = scope.nodes.get(link.target_id) if link is not None else None
                    if target is None:
                        continue
                    for slot in target.inputs:
                        if slot.link == link_id:
                            name = slot.widget or slot.name
                            scope.primitives.setdefault(link.target_id, {})[name] = values[0]  # type: ignore[union-attr]
            else:
                wire = wire_name(node)
                if wire is None:
                    continue
                if wire in scope.setters:
                    self.problem(
                        self.where_in(scope, node_id, node),
                        f"a second SetNode named {wire!r} (node {scope.setters[wire][0]} has "
                        "that name already)",
                    )
                    continue
                scope.setters[wire] = (node_id, node)

    # -- expand -------------------------------------------------------------------------------
    def expand(self, scope: _Scope, prefix: str, instance: ExecNode | None) -> None:
        subgraphs = self.ui.subgraphs
        shapes = self.shapes
        catalog = self.catalog
        nodes = self.nodes
        for local_id, node in scope.nodes.items():
            item = ExecNode(node, local_id, scope, prefix, instance)
            node_type = node.type
            inner = subgraphs.get(node_type)
            if inner is not None:
                item.inner = self.scopes[node_type]
                # A bypassed or muted instance in the root stays whole (the editor routes
                # around it); inside a subgraph, an instance is opened whatever its mode.
                if instance is not None or node.mode not in (MUTED, BYPASSED):
                    self.instances.append(item)
                    self.expand(item.inner, f"{item.id}:", item)
            elif node_type.startswith(GROUP_NODE_PREFIXES) and node_type not in catalog:
                # The editor's legacy group nodes (before subgraphs): not opened here.
                if node.mode not in (MUTED, BYPASSED):
                    self.problem(
                        self.where_in(scope, local_id, node),
                        "a legacy group node, which comfydsl does not open: in the editor, "
                        "convert it to a subgraph and save the workflow again",
                    )
            elif node_type not in UI_ONLY_TYPES:
                item.plain = node.mode != MUTED and node.mode != BYPASSED
                if node_type in shapes:
                    shape = shapes[node_type]
                else:
                    definition = catalog.get(node_type)
                    shape = shapes[node_type] = (
                        editor_node(definition) if definition is not None else None
                    )
                if shape is not None:
                    item.shape = shape
                    item.definition = shape.definition
            nodes[item.id] = item

    # -- values -------------------------------------------------------------------------------
    def widget_values(self, item: ExecNode) -> dict[str, Any]:
        """Every widget value the node sends, by name, in the editor's order."""
        shape = item.shape
        if shape is None:
            found, problem = unknown_class_values(item.node)
            if problem is not None:
                self.problem(self.where(item), problem)
            return found
        values = item.node.widgets_values
        if isinstance(values, Mapping):
            found = named_values(shape, values)
        elif not shape.has_formats and (
            not shape.forced or len(values or ()) != len(shape.stored) + len(shape.forced)
        ):
            given = values or ()
            count = len(given)
            found = {
                name: given[i] if i < count else default
                for i, name, default in shape.sent_by_position
            }
        else:
            found = positional_values(shape, values or [])
        for name, value in shape.constants:
            found[name] = value
        primitives = item.scope.primitives
        if primitives:
            for name, value in primitives.get(item.local_id, {}).items():
                if name in found:
                    found[name] = value
        # A text box shows what the file or a PrimitiveNode gives it as text; a subgraph
        # instance writes its values past the box, as they are.
        for name in shape.text_boxes:
            if name in found and type(found[name]) is not str:
                found[name] = as_text(found[name])
        overrides = self.overrides.get(item.id)
        if overrides:
            for name, value in overrides.items():
                if name in found:
                    found[name] = value
        return found

    # -- subgraph instances -------------------------------------------------------------------
    def apply_instance_widgets(self) -> None:
        """Write the values instances hold for inner nodes' widgets into those nodes, outermost
        instance first (a nested instance's own values then yield to its parent's)."""
        for instance in self.instances:
            for source, widget, value in self.instance_widgets(instance):
                if source != PROMOTED_INPUT:
                    target = f"{instance.id}:{source}"
                    if target in self.nodes:
                        self.overrides.setdefault(target, {})[widget] = value
        for instance in self.instances:
            instance.promoted = None  # worked out again with every override in place

    def instance_widgets(self, instance: ExecNode) -> list[tuple[str, str, Any]]:
        """The widgets a subgraph instance shows, each as (source, widget name, value).

        The editor lists them in the instance's ``proxyWidgets`` property: ``["-1", name]`` for
        the widget of subgraph input ``name``, ``[inner node id, name]`` for an inner node's
        widget shown on the instance. Files from before that property promote, in order, each
        subgraph input that is linked to an inner widget. The instance's ``widgets_values``
        hold their values by position; where it has none, the inner widget's own value stands.
        """
        found = instance.promoted
        if found is not None:
            return found
        inner = instance.inner
        assert inner is not None
        proxies = instance.node.properties.get("proxyWidgets")
        entries: list[tuple[str, str]] = []
        if isinstance(proxies, list):
            for entry in proxies:
                if (
                    isinstance(entry, list)
                    and len(entry) >= 2
                    and type(entry[0]) in (str, int)
                    and isinstance(entry[1], str)
                ):
                    source = str(entry[0])
                    entries.append((inner.ids.get(source, source), entry[1]))
        else:
            for subgraph_input in inner.graph.inputs:
                if self.inner_widget_value(instance, subgraph_input.name) is not _NONE:
                    entries.append((PROMOTED_INPUT, subgraph_input.name))
        values = instance.node.widgets_values
        given = values if isinstance(values, list) else []
        outer = self.overrides.get(instance.id, {})
        found = []
        for index, (source, widget) in enumerate(entries):
            if widget in outer:
                value = outer[widget]
            elif index < len(given):
                value = given[index]
            elif source == PROMOTED_INPUT:
                value = self.inner_widget_value(instance, widget)
                if value is _NONE:
                    continue
            else:
                continue  # an inner widget with no value here keeps its own
            found.append((source, widget, value))
        instance.promoted = found
        return found

    def inner_widget_value(self, instance: ExecNode, name: str) -> Any:
        """The value of the first inner widget that subgraph input ``name`` is linked to (_NONE
        when it is linked to no widget)."""
        inner = instance.inner
        assert inner is not None
        subgraph_input = next((x for x in inner.graph.inputs if x.name == name), None)
        if subgraph_input is None:
            return _NONE
        for link_id in subgraph_input.link_ids:
            link = inner.links.get(link_id)
            target = self.nodes.get(f"{instance.id}:{link.target_id}") if link else None
            if target is None:
                continue
            socket = next((s.name for s in target.node.inputs if s.link == link_id), None)
            if socket is None:
                continue
            if target.inner is not None:
                for source, widget, value in self.instance_widgets(target):
                    if source == PROMOTED_INPUT and widget == socket:
                        return value
                continue
            if target.shape is None:
                continue
            values = self.widget_values(target)
            if socket in values:
                return values[socket]
        return _NONE

    def promoted_value(self, instance: ExecNode, slot: int) -> Resolved | None:
        """The value of the widget an unlinked subgraph input shows on its instance, if any."""
        name = instance.sockets[slot][0]
        for source, widget, value in self.instance_widgets(instance):
            if source == PROMOTED_INPUT and widget == name:
                return Resolved(None, -1, value)
        return None

    # -- links --------------------------------------------------------------------------------
    def resolve_input(
        self, item: ExecNode, slot: int, seen: set[tuple[str, int]], wanted: str | None = None
    ) -> Resolved | None:
        """Where the link into input ``slot`` of ``item`` ends (None: nowhere). Raises LinkLoop
        for links that come back to where they started."""
        key = (item.id, slot)
        if key in seen:
            raise LinkLoop(item)
        seen.add(key)
        _name, socket_type, link_id = item.sockets[slot]
        link = item.scope.links.get(link_id) if link_id is not None else None
        if link is None:
            return None
        instance = item.instance
        if link.origin_id == INPUTS_NODE and instance is not None:
            outer_slot = link.origin_slot
            if not 0 <= outer_slot < len(instance.sockets):
                return None
            if instance.sockets[outer_slot][2] is None:
                return self.promoted_value(instance, outer_slot)
            return self.resolve_input(instance, outer_slot, seen)
        source = self.nodes.get(item.prefix + link.origin_id)
        if source is None:
            return None
        return self.resolve_output(source, link.origin_slot, wanted or socket_type, seen)

    def resolve_output(
        self, item: ExecNode, slot: int, wanted: str, seen: set[tuple[str, int]]
    ) -> Resolved | None:
        """Where a link from output ``slot`` of ``item`` ends, for an input of type ``wanted``."""
        if item.plain:
            return Resolved(item.id, slot)
        key = (item.id, -1 - slot)  # outputs as negative numbers: apart from the inputs
        if key in seen:
            raise LinkLoop(item)
        seen.add(key)
        node = item.node
        if node.mode == MUTED:
            return None  # what it fed keeps its widget value, or nothing
        if node.mode == BYPASSED:
            index = self.bypass_slot(item, slot, wanted)
            return self.resolve_input(item, index, seen) if index >= 0 else None
        if item.inner is not None:
            return self.resolve_subgraph_output(item, slot, wanted, seen)
        if node.type == GET_TYPE:
            return self.resolve_getter(item, wanted, seen)
        if slot < len(item.sockets):  # a reroute, a SetNode: through the same slot
            return self.resolve_input(item, slot, seen, wanted)
        return None

    def resolve_getter(
        self, item: ExecNode, wanted: str, seen: set[tuple[str, int]]
    ) -> Resolved | None:
        name = wire_name(item.node)
        setter = item.scope.setters.get(name) if name is not None else None
        if setter is None:
            self.problem(
                self.where(item),
                f"GetNode {name!r} has no SetNode of that name in its graph"
                if name is not None
                else "a GetNode without a name",
            )
            return None
        source = self.nodes.get(item.prefix + setter[0])
        if source is None or not source.sockets:
            return None
        return self.resolve_input(source, 0, seen, wanted)

    def resolve_subgraph_output(
        self, item: ExecNode, slot: int, wanted: str, seen: set[tuple[str, int]]
    ) -> Resolved | None:
        inner = item.inner
        assert inner is not None
        graph = inner.graph
        if not 0 <= slot < len(graph.outputs):
            return None
        link = None
        for link_id in graph.outputs[slot].link_ids:
            link = inner.links.get(link_id)
            if link is not None:
                break
        if link is None:
            link = next(
                (
                    x
                    for x in inner.links.values()
                    if x.target_id == OUTPUTS_NODE and x.target_slot == slot
                ),
                None,
            )
        if link is None:
            return None
        if link.origin_id == INPUTS_NODE:
            # An input wired straight to an output: continue outside, from the instance's input.
            if link.origin_slot >= len(item.sockets):
                return None
            if item.sockets[link.origin_slot][2] is None:
                return self.promoted_value(item, link.origin_slot)
            return self.resolve_input(item, link.origin_slot, seen)
        source = self.nodes.get(f"{item.id}:{link.origin_id}")
        if source is None:
            return None
        return self.resolve_output(source, link.origin_slot, wanted, seen)

    @staticmethod
    def bypass_slot(item: ExecNode, slot: int, wanted: str) -> int:
        """Which of a bypassed node's inputs stands in for its output ``slot`` (-1: none): the
        same slot when the consumer takes anything or that input's type fits; else the first
        input of exactly the wanted type; else the first that fits both types."""
        sockets = item.sockets
        if wanted in ("*", ""):
            return slot if len(sockets) > slot else 0
        outputs = item.outputs
        output_type = outputs[slot] if slot < len(outputs) else "*"
        if slot < len(sockets):
            opposite = sockets[slot][1]
            if types_fit(opposite, output_type) and types_fit(opposite, wanted):
                return slot
        for index, socket in enumerate(sockets):
            if socket[1] == wanted:
                return index
        for index, socket in enumerate(sockets):
            if types_fit(socket[1], output_type) and types_fit(socket[1], wanted):
                return index
        return -1

    # -- messages -----------------------------------------------------------------------------
    @staticmethod
    def where(item: ExecNode) -> str:
        return f"node {item.id} ({item.node.type})"

    @staticmethod
    def where_in(scope: _Scope, node_id: str, node: UINode) -> str:
        inside = scope.graph.describe()
        here = f"node {node_id} ({node.type})"
        return f"{inside}, {here}" if inside else here


def _is_number(node_id: str) -> bool:
    return node_id.isdigit() or (node_id[:1] == "-" and node_id[1:].isdigit())


def wire_name(node: UINode) -> str | None:
    """The name of a SetNode's or GetNode's wire (its first widget value)."""
    values = node.widgets_values
    if isinstance(values, list) and values and isinstance(values[0], str):
        return values[0]
    return None
