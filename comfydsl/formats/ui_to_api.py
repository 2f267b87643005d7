"""From an editor workflow (UI format) to the API-format prompt, as the editor's "Queue" makes it.

The editor turns what it shows into what the server runs in three steps, and so does this module:

1. **Load.** Subgraph nodes whose ids collide with the root's (or an earlier definition's) are
   renumbered upward from the file's last node id. Each node of a known class gets its widgets
   (``comfydsl.formats.editor``) and takes ``widgets_values`` by position (or by name, when the
   file holds an object), skipping the editor's own values (control after generate, upload
   buttons); a short list leaves the rest at their defaults, a long one is cut.
2. **Expand.** Subgraph instances are replaced by their inner nodes, with ids joined by ``:``
   (``"10:3"``, nested ``"10:5:3"``); notes, reroutes, the editor's own PrimitiveNode and
   KJNodes' SetNode/GetNode exist only in the editor and are not sent; muted nodes (mode 2) and
   bypassed ones (mode 4) are not sent either.
3. **Resolve links.** Each input's link is followed, by input name, through reroutes, named
   wires, bypassed nodes (to the bypassed node's input of a fitting type), subgraph boundaries
   (to the instance's link, or to its promoted widget's value), until it reaches a node that is
   sent. A link that reaches nothing is left out (a widget then keeps its value); one that
   reaches a muted node is dropped with its input.

Every problem is collected and raised at once as a ``WorkflowFormatError``: a node class the
catalog does not know whose values cannot be named, a GetNode with no SetNode, links that loop.

    prompt = ui_to_prompt(json.load(open("workflow.json")), catalog=active_catalog())
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from comfydsl.catalog import Catalog, NodeDef, active_catalog
from comfydsl.errors import WorkflowFormatError
from comfydsl.formats.editor import (
    GET_TYPE,
    PRIMITIVE_TYPE,
    SET_TYPE,
    UI_ONLY_TYPES,
    EditorNode,
    as_text,
    editor_node,
    format_widgets,
    types_fit,
    widget_default,
)
from comfydsl.formats.ui import (
    INPUTS_NODE,
    OUTPUTS_NODE,
    UIGraph,
    UINode,
    UIWorkflow,
    parse_workflow,
)
from comfydsl.values import text_problem

__all__ = ["ConvertedNode", "convert_workflow", "ui_to_prompt"]

MUTED = 2
BYPASSED = 4
#: The source of an instance widget that stands for a subgraph input (``proxyWidgets``).
PROMOTED_INPUT = "-1"
#: "No widget here", where None is a value.
_NONE: Any = object()
#: Names that newer editors write into ``widgets_values_named`` for their own widgets.
EDITOR_ONLY_NAMES = frozenset(
    {"control_after_generate", "control_filter_list", "upload", "Auto-refresh after generation"}
)
CONTROL_VALUES = frozenset({"fixed", "increment", "decrement", "randomize"})


class ConvertedNode:
    """One node of the prompt: ``id`` (``"10:3"`` for a subgraph's node), ``class_type``,
    ``inputs`` (name -> value, or ``(origin id, output index)`` for a link), ``meta`` (the
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


class _Link:
    """A resolved link: the id of a node that is sent, and its output index."""

    __slots__ = ("node_id", "slot")

    def __init__(self, node_id: str, slot: int) -> None:
        self.node_id = node_id
        self.slot = slot


class _Value:
    """A resolved input that is a value: a subgraph instance's promoted widget."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


class _Scope:
    """One graph as the editor holds it after loading: its nodes by (renumbered) id."""

    __slots__ = ("graph", "ids", "links", "nodes", "primitives", "setters")

    def __init__(self, graph: UIGraph, renumbered: Mapping[str, str]) -> None:
        self.graph = graph
        self.ids = renumbered
        self.nodes = {renumbered.get(i, i): n for i, n in graph.nodes.items()}
        #: link id -> (origin id, origin slot), with renumbered ids.
        self.links = {
            k: (renumbered.get(v.origin_id, v.origin_id), v.origin_slot)
            for k, v in graph.links.items()
        }
        self.primitives: dict[str, dict[str, Any]] = {}
        self.setters: dict[str, UINode] = {}


class _Exec:
    """A node as the editor executes it: its execution id, where it is, and its sockets."""

    __slots__ = (
        "definition",
        "id",
        "inner",
        "instance",
        "local_id",
        "node",
        "outputs",
        "prefix",
        "promoted",
        "scope",
        "shape",
        "sockets",
    )

    def __init__(
        self, node: UINode, local_id: str, scope: _Scope, prefix: str, instance: _Exec | None
    ) -> None:
        self.node = node
        self.local_id = local_id
        self.id = prefix + local_id
        self.scope = scope
        self.prefix = prefix
        self.instance = instance
        self.definition: NodeDef | None = None
        self.shape: EditorNode | None = None
        #: (name, type, link id or None) of each input socket, in the editor's slot order.
        self.sockets: list[tuple[str, str, int | None]] = []
        self.outputs: list[str] = []
        #: For a subgraph instance: the scope of its definition, and its widgets once known.
        self.inner: _Scope | None = None
        self.promoted: list[tuple[str, str, Any]] | None = None


class _Converter:
    def __init__(self, ui: UIWorkflow, catalog: Catalog) -> None:
        self.ui = ui
        self.catalog = catalog
        self.problems: list[str] = []
        self.execs: dict[str, _Exec] = {}
        self.scopes: dict[str | None, _Scope] = {}
        #: Subgraph instances that are opened, outermost first.
        self.instances: list[_Exec] = []
        #: Widget values that instances set on the nodes inside them: exec id -> name -> value.
        self.overrides: dict[str, dict[str, Any]] = {}

    def problem(self, where: str, text: str) -> None:
        self.problems.append(f"{where}: {text}")

    # -- 1. load ---------------------------------------------------------------------------------
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
                    last = max(last, number)
            self.scopes[graph_id] = _Scope(graph, renumbered)
        for scope in self.scopes.values():
            self.index_ui_nodes(scope)

    def index_ui_nodes(self, scope: _Scope) -> None:
        """The values legacy PrimitiveNodes give the widgets they feed, and the named SetNodes."""
        graph = scope.graph
        for node in scope.nodes.values():
            if node.type == PRIMITIVE_TYPE:
                values = node.widgets_values
                if not isinstance(values, list) or not values:
                    continue
                value = values[0]
                for output in node.outputs[:1]:
                    for link_id in output.links:
                        link = graph.links.get(link_id)
                        if link is None:
                            continue
                        target_id = scope.ids.get(link.target_id, link.target_id)
                        target = scope.nodes.get(target_id)
                        if target is None:
                            continue
                        for slot in target.inputs:
                            if slot.link == link_id:
                                name = slot.widget or slot.name
                                scope.primitives.setdefault(target_id, {})[name] = value
            elif node.type == SET_TYPE:
                wire = _wire_name(node)
                if wire is not None:
                    if wire in scope.setters:
                        self.problem(
                            self.where_node(node, scope),
                            f"a second SetNode named {wire!r} (node {scope.setters[wire].id} has "
                            "that name already)",
                        )
                    scope.setters.setdefault(wire, node)

    # -- 2. expand -------------------------------------------------------------------------------
    def expand(self, scope: _Scope, prefix: str, instance: _Exec | None) -> None:
        subgraphs = self.ui.subgraphs
        for local_id, node in scope.nodes.items():
            item = _Exec(node, local_id, scope, prefix, instance)
            self.describe(item)
            if node.type in subgraphs:
                item.inner = self.scopes[node.type]
                # A bypassed or muted instance in the root stays whole (the editor routes around
                # it); inside a subgraph, an instance is opened whatever its mode.
                if instance is not None or node.mode not in (MUTED, BYPASSED):
                    self.instances.append(item)
                    self.expand(item.inner, f"{item.id}:", item)
            self.execs[item.id] = item

    def describe(self, item: _Exec) -> None:
        """An exec node's sockets and outputs, as the editor builds them."""
        node = item.node
        subgraph = self.ui.subgraphs.get(node.type)
        if subgraph is not None:
            item.sockets = [(s.name, s.type, _link_of(node, s.name)) for s in subgraph.inputs]
            item.outputs = [s.type for s in subgraph.outputs]
            return
        definition = self.catalog.get(node.type) if node.type not in UI_ONLY_TYPES else None
        if definition is None:
            item.sockets = [(s.name, s.type, s.link) for s in node.inputs]
            item.outputs = [s.type for s in node.outputs]
            return
        shape = editor_node(definition)
        item.definition = definition
        item.shape = shape
        sockets = [(s.name, s.type, _link_of(node, s.name)) for s in shape.sockets]
        known = shape.socket_index
        sockets += [(s.name, s.type, s.link) for s in node.inputs if s.name not in known]
        item.sockets = sockets
        item.outputs = list(shape.outputs)

    # -- 3. resolve -------------------------------------------------------------------------------
    def resolve_input(
        self, item: _Exec, slot: int, seen: set[tuple[str, str, int]], wanted: str | None = None
    ) -> _Link | _Value | None:
        key = (item.id, "in", slot)
        if key in seen:
            raise _Loop(item)
        seen.add(key)
        _name, socket_type, link_id = item.sockets[slot]
        if link_id is None:
            return None
        origin = item.scope.links.get(link_id)
        if origin is None:
            return None  # checked when the file was read: cannot happen
        origin_id, origin_slot = origin
        instance = item.instance
        if origin_id == INPUTS_NODE and instance is not None:
            inputs = item.scope.graph.inputs
            if not 0 <= origin_slot < len(inputs):
                return None
            outer_slot = origin_slot
            outer_link = instance.sockets[outer_slot][2]
            if outer_link is None:
                return self.promoted_value(instance, outer_slot)
            return self.resolve_input(instance, outer_slot, seen)
        source = self.execs.get(item.prefix + origin_id)
        if source is None:
            return None
        return self.resolve_output(source, origin_slot, wanted or socket_type, seen)

    def resolve_output(
        self, item: _Exec, slot: int, wanted: str, seen: set[tuple[str, str, int]]
    ) -> _Link | _Value | None:
        key = (item.id, "out", slot)
        if key in seen:
            raise _Loop(item)
        seen.add(key)
        node = item.node
        if node.mode == MUTED:
            return None  # what it fed keeps its widget value, or nothing
        if node.mode == BYPASSED:
            index = self.bypass_slot(item, slot, wanted)
            if index < 0:
                return None
            return self.resolve_input(item, index, seen)
        if item.inner is not None:
            return self.resolve_subgraph_output(item, slot, wanted, seen)
        node_type = node.type
        if node_type in UI_ONLY_TYPES:
            if node_type == GET_TYPE:
                return self.resolve_getter(item, wanted, seen)
            if slot < len(item.sockets):
                return self.resolve_input(item, slot, seen, wanted)
            return None
        return _Link(item.id, slot)

    def resolve_getter(
        self, item: _Exec, wanted: str, seen: set[tuple[str, str, int]]
    ) -> _Link | _Value | None:
        name = _wire_name(item.node)
        setter = item.scope.setters.get(name) if name is not None else None
        if setter is None:
            self.problem(
                self.where(item),
                f"GetNode {name!r} has no SetNode of that name in its graph"
                if name is not None
                else "a GetNode without a name",
            )
            return None
        local = next(k for k, v in item.scope.nodes.items() if v is setter)
        source = self.execs.get(item.prefix + local)
        if source is None or not source.sockets:
            return None
        return self.resolve_input(source, 0, seen, wanted)

    def resolve_subgraph_output(
        self, item: _Exec, slot: int, wanted: str, seen: set[tuple[str, str, int]]
    ) -> _Link | _Value | None:
        inner = item.inner
        assert inner is not None
        graph = inner.graph
        if not 0 <= slot < len(graph.outputs):
            return None
        link = None
        for link_id in graph.outputs[slot].link_ids:
            link = graph.links.get(link_id)
            if link is not None:
                break
        if link is None:
            link = next(
                (
                    x
                    for x in graph.links.values()
                    if x.target_id == OUTPUTS_NODE and x.target_slot == slot
                ),
                None,
            )
        if link is None:
            return None
        origin_id = inner.ids.get(link.origin_id, link.origin_id)
        if origin_id == INPUTS_NODE:
            # An input wired straight to an output: continue outside, from the instance's input.
            if link.origin_slot >= len(item.sockets):
                return None
            if item.sockets[link.origin_slot][2] is None:
                return self.promoted_value(item, link.origin_slot)
            return self.resolve_input(item, link.origin_slot, seen)
        source = self.execs.get(f"{item.id}:{origin_id}")
        if source is None:
            return None
        return self.resolve_output(source, link.origin_slot, wanted, seen)

    def bypass_slot(self, item: _Exec, slot: int, wanted: str) -> int:
        """Which of a bypassed node's inputs stands in for its output ``slot`` (-1: none)."""
        sockets = item.sockets
        if wanted in ("*", ""):
            return slot if len(sockets) > slot else 0
        output_type = item.outputs[slot] if slot < len(item.outputs) else "*"
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

    def promoted_value(self, instance: _Exec, slot: int) -> _Value | None:
        """The value of the widget an unlinked subgraph input shows on its instance, if any."""
        name = instance.sockets[slot][0]
        for source, widget, value in self.instance_widgets(instance):
            if source == PROMOTED_INPUT and widget == name:
                return _Value(value)
        return None

    def instance_widgets(self, instance: _Exec) -> list[tuple[str, str, Any]]:
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
                    and isinstance(entry[0], (str, int))
                    and isinstance(entry[1], str)
                ):
                    source = str(entry[0])
                    entries.append((inner.ids.get(source, source), entry[1]))
        else:
            graph = inner.graph
            for subgraph_input in graph.inputs:
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

    def inner_widget_value(self, instance: _Exec, name: str) -> Any:
        """The value of the first inner widget that subgraph input ``name`` is linked to (_NONE
        when it is linked to no widget)."""
        inner = instance.inner
        assert inner is not None
        graph = inner.graph
        subgraph_input = next((x for x in graph.inputs if x.name == name), None)
        if subgraph_input is None:
            return _NONE
        for link_id in subgraph_input.link_ids:
            link = graph.links.get(link_id)
            if link is None:
                continue
            target_id = inner.ids.get(link.target_id, link.target_id)
            target = self.execs.get(f"{instance.id}:{target_id}")
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

    def apply_instance_widgets(self) -> None:
        """Write the values instances hold for inner nodes' widgets into those nodes, outermost
        instance first (a nested instance's own values then yield to its parent's)."""
        for instance in self.instances:
            for source, widget, value in self.instance_widgets(instance):
                if source != PROMOTED_INPUT:
                    target = f"{instance.id}:{source}"
                    if target in self.execs:
                        self.overrides.setdefault(target, {})[widget] = value

    # -- values ----------------------------------------------------------------------------------
    def widget_values(self, item: _Exec) -> dict[str, Any]:
        """Every widget value the node sends, by name, in the editor's order."""
        shape = item.shape
        node = item.node
        if shape is None:
            return self.unknown_values(item)
        values = node.widgets_values
        found: dict[str, Any] = {}
        if isinstance(values, Mapping):
            for widget in shape.widgets:
                if widget.sent:
                    value = values.get(widget.name, widget.default)
                    found[widget.name] = value
                    if widget.spec is not None:
                        for extra in format_widgets(shape.definition, widget.name, value):
                            found[extra.name] = values.get(extra.name, widget_default(extra))
        else:
            stored = self.stored_widgets(item, values or [])
            position = 0
            given = values or []
            for widget in stored:
                value = given[position] if position < len(given) else widget.default
                position += 1
                if widget.sent:
                    found[widget.name] = value
                if widget.spec is not None:
                    for extra in format_widgets(shape.definition, widget.name, value):
                        extra_value = (
                            given[position] if position < len(given) else widget_default(extra)
                        )
                        position += 1
                        found[extra.name] = extra_value
        primitives = item.scope.primitives.get(item.local_id)
        if primitives:
            for name, value in primitives.items():
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

    def stored_widgets(self, item: _Exec, values: list[Any]) -> list[Any]:
        """The widgets that take ``widgets_values`` in order; for a file from an editor older than
        1.16, whose list also holds a dummy value for each forceInput input, those too."""
        shape = item.shape
        assert shape is not None
        stored = [w for w in shape.widgets if w.stored]
        forced = [s for s in shape.definition.inputs.values() if s.force_input and s.kind != "LINK"]
        if forced and len(values) == len(stored) + len(forced):
            old: list[Any] = []
            by_name = {w.spec.name: w for w in stored if w.spec is not None}
            for spec in shape.definition.inputs.values():
                if spec.force_input and spec.kind != "LINK":
                    old.append(_Dummy(spec.name))
                elif spec.name in by_name:
                    index = stored.index(by_name[spec.name])
                    old.append(stored[index])
                    while index + 1 < len(stored) and stored[index + 1].spec is None:
                        index += 1
                        old.append(stored[index])
            old += [w for w in stored if w not in old]
            return old
        return stored

    def unknown_values(self, item: _Exec) -> dict[str, Any]:
        """Widget values of a class the catalog does not know: by name when the file says them."""
        node = item.node
        values = node.widgets_values
        if isinstance(values, Mapping):
            return dict(values)
        named = node.widgets_values_named
        if named:
            return {
                k: v
                for k, v in named.items()
                if k not in EDITOR_ONLY_NAMES and not (k == v and v in CONTROL_VALUES)
            }
        if values:
            self.problem(
                self.where(item),
                f"the class is not in the catalog, so its {len(values)} widget value(s) cannot "
                "be named (load the definitions of its node pack with --catalog)",
            )
        return {}

    # -- the whole workflow -----------------------------------------------------------------------
    def convert(self) -> list[ConvertedNode]:
        self.load()
        self.expand(self.scopes[None], "", None)
        self.apply_instance_widgets()
        for instance in self.instances:
            instance.promoted = None  # worked out again with every override in place
        converted: list[ConvertedNode] = []
        for item in self.execs.values():
            node = item.node
            if node.mode in (MUTED, BYPASSED) or item.inner is not None:
                continue
            if node.type in UI_ONLY_TYPES:
                continue
            converted.append(self.convert_node(item))
        sent = {c.id for c in converted}
        for done in converted:
            for name in [
                n for n, v in done.inputs.items() if type(v) is tuple and v[0] not in sent
            ]:
                del done.inputs[name]
        if self.problems:
            raise WorkflowFormatError(self.problems, file=self.ui.file)
        return converted

    def convert_node(self, item: _Exec) -> ConvertedNode:
        node = item.node
        inputs = self.widget_values(item)
        for name, value in inputs.items():
            if isinstance(value, list):
                inputs[name] = {"__value__": value}
        for slot, (name, _type, link_id) in enumerate(item.sockets):
            if link_id is None:
                continue
            try:
                found = self.resolve_input(item, slot, set())
            except _Loop as loop:
                self.problem(
                    self.where(item),
                    f"input {name!r}: its link loops back through node {loop.item.id} "
                    f"({loop.item.node.type})",
                )
                continue
            if found is None:
                continue
            if type(found) is _Link:
                inputs[name] = (found.node_id, found.slot)
            else:
                value = found.value  # type: ignore[union-attr]
                inputs[name] = {"__value__": value} if isinstance(value, list) else value
        definition = item.definition
        title = node.title
        if title is None:
            title = definition.display_name if definition is not None else node.type
        meta: dict[str, Any] = {"title": title}
        for key in ("cnr_id", "aux_id", "ver"):
            value = node.properties.get(key)
            if type(value) is str and not text_problem(value):
                meta[key] = value
        return ConvertedNode(item.id, node.type, inputs, meta, definition)

    # -- messages --------------------------------------------------------------------------------
    def where(self, item: _Exec) -> str:
        return f"node {item.id} ({item.node.type})"

    def where_node(self, node: UINode, scope: _Scope) -> str:
        inside = scope.graph.describe()
        return (
            f"{inside}, node {node.id} ({node.type})" if inside else f"node {node.id} ({node.type})"
        )


class _Loop(Exception):
    """Links that come back to where they started (through reroutes or bypassed nodes)."""

    def __init__(self, item: _Exec) -> None:
        super().__init__(item.id)
        self.item = item


class _Dummy:
    """The place of a forceInput input's dummy value in a list from an old editor."""

    __slots__ = ("name",)
    spec = None
    sent = False
    default = None

    def __init__(self, name: str) -> None:
        self.name = name


def _is_number(node_id: str) -> bool:
    return node_id.isdigit() or (node_id[:1] == "-" and node_id[1:].isdigit())


def _link_of(node: UINode, name: str) -> int | None:
    for slot in node.inputs:
        if slot.name == name:
            return slot.link
    return None


def _wire_name(node: UINode) -> str | None:
    values = node.widgets_values
    if isinstance(values, list) and values and isinstance(values[0], str):
        return values[0]
    return None


def convert_workflow(ui: UIWorkflow, catalog: Catalog | None = None) -> list[ConvertedNode]:
    """The nodes of the prompt the editor would send for ``ui`` (see the module's docstring).

    Raises WorkflowFormatError listing every problem found.
    """
    return _Converter(ui, catalog if catalog is not None else active_catalog()).convert()


def ui_to_prompt(
    data: Any, *, catalog: Catalog | None = None, file: str | None = None
) -> dict[str, dict[str, Any]]:
    """The API-format prompt of an editor workflow (a parsed ``workflow.json``), as a plain dict.

    >>> ui_to_prompt(json.load(open("workflow.json")))["3"]["class_type"]  # doctest: +SKIP
    'KSampler'
    """
    nodes = convert_workflow(parse_workflow(data, file=file), catalog)
    return {
        node.id: {
            "inputs": {k: list(v) if type(v) is tuple else v for k, v in node.inputs.items()},
            "class_type": node.class_type,
            "_meta": node.meta,
        }
        for node in nodes
    }
