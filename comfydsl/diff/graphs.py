"""One side of a comparison: a workflow as plain arrays, labelled for matching.

Each node gets an index (its place in the workflow), a *label* (its class, its literal inputs
type for type, and its title when titles count) and its links as edges typed by the input's name
and the output's index. Labels and the colours made from them are small ints drawn from one
``Palette`` shared by both sides, so that equal ints mean equal things across the two.

Two colours summarise a node's whole context in one pass each (the graph is a DAG): ``up`` is
its label with the ``up`` colours of what feeds each input (a hash of everything upstream) and
``down`` its label with the ``down`` colours of every consumer (everything downstream); both
also hold the names of its own linked inputs and used outputs. Nodes
on a loop (a prompt file may hold one) get a colour of their own for it. ``up_shape`` and
``down_shape`` are the same made of the classes alone, which a changed value leaves alone.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

from comfydsl.errors import CompareError
from comfydsl.formats.workflow import load_workflow
from comfydsl.graph import Node, Output, Workflow

__all__ = ["Palette", "Side", "read_workflow", "value_key"]


def read_workflow(source: Workflow | Mapping[str, Any] | str | os.PathLike[str]) -> Workflow:
    """The workflow of one side: a Workflow as it is, or a workflow of either format (an
    API-format prompt or an editor workflow), as a dict or a file (``load_workflow``)."""
    if isinstance(source, Workflow):
        return source
    if isinstance(source, (Mapping, str, os.PathLike)):
        return load_workflow(source)
    raise CompareError(
        f"a side is a Workflow, a prompt (a dict) or a file's path, not {type(source).__name__}"
    )


class Palette:
    """Small ints for hashable keys, the same int for the same key on both sides.

    ``ids`` is the dict itself: hot loops call ``ids.setdefault(key, len(ids))`` on it
    directly, which is what ``palette(key)`` does.
    """

    __slots__ = ("ids",)

    def __init__(self) -> None:
        self.ids: dict[Any, int] = {}

    def __call__(self, key: Any) -> int:
        ids = self.ids
        return ids.setdefault(key, len(ids))


def value_key(value: Any) -> Any:
    """A hashable key of a JSON value, equal exactly when the values are equal type for type:
    ``1``, ``1.0`` and ``True`` differ, NaN equals NaN, objects compare whatever their key order."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return (kind.__name__, value)
    if kind is float:
        return ("float", repr(value))
    if isinstance(value, str):  # a LocalFile: its name is what goes out
        return ("str", str(value))
    return ("json", json.dumps(value, sort_keys=True, ensure_ascii=False, allow_nan=True))


class Side:
    """One workflow as arrays over its nodes (index = place in ``workflow.nodes``).

    ``links[v]``: ``(input name, source index, output index)`` per linked input, by name;
    ``literals[v]``: input name -> value (``keys[v]``: -> its value_key); ``consumers[v]``: ``(input name, consumer, output
    index)``; ``label``/``up``/``down``/``classes``: colours (see the module's docstring);
    ``up_shape``/``down_shape`` once ``shapes()`` has made them.
    """

    def __init__(
        self, workflow: Workflow, palette: Palette, *, titles: bool, label: str | None = None
    ) -> None:
        nodes: list[Node] = list(workflow.nodes.values())
        self.workflow = workflow
        self.nodes = nodes
        self.palette = palette
        index = {node.id: i for i, node in enumerate(nodes)}
        self.index = index
        count = len(nodes)
        links: list[list[tuple[str, int, int]]] = [[] for _ in range(count)]
        consumers: list[list[tuple[str, int, int]]] = [[] for _ in range(count)]
        literals: list[dict[str, Any]] = [{} for _ in range(count)]
        keys: list[dict[str, Any]] = [{} for _ in range(count)]
        labels = []
        ids = palette.ids
        for v, node in enumerate(nodes):
            literal_keys = []
            mine = literals[v]
            mine_keys = keys[v]
            for name, value in node.inputs.items():
                if type(value) is Output:
                    source = index.get(value.node.id)
                    if source is None or nodes[source] is not value.node:
                        raise CompareError(
                            f"node {node.id!r} ({node.class_type}), input {name!r}: its link "
                            f"comes from node {value.node.id!r}, which is not in the workflow"
                        )
                    output = value[1]
                    links[v].append((name, source, output))
                    consumers[source].append((name, v, output))
                else:
                    if type(value) is not str and isinstance(value, list) and len(value) == 2:
                        raise CompareError(
                            f"{label or workflow.name or 'a side'}: node {node.id!r} "
                            f"({node.class_type}), "
                            f"input {name!r}: {value!r} is a link that cannot be followed (to a "
                            "node not in the workflow, or not of [id, index])"
                        )
                    mine[name] = value
                    key = mine_keys[name] = value_key(value)
                    literal_keys.append((name, key))
            if len(links[v]) > 1:
                links[v].sort()
            if len(literal_keys) > 1:
                literal_keys.sort()
            # A title read from a file may be any JSON (the server ignores _meta): keyed as a value.
            title = value_key(node.title) if titles and node.title is not None else None
            key = (node.class_type, title, tuple(literal_keys))
            labels.append(ids.setdefault(key, len(ids)))
        self.links = links
        self.consumers = consumers
        self.literals = literals
        #: Each literal's value_key, by input name: values compare by these.
        self.keys = keys
        self.label = labels
        self.classes = [ids.setdefault(("class", n.class_type), len(ids)) for n in nodes]
        # Each node's own links, by input name and output index, both ways: so that even a
        # node with nothing upstream (or downstream) has a context that says how it is linked.
        self._sockets = [
            (
                tuple([(n, i) for n, _, i in links[v]]),
                tuple(sorted([(n, i) for n, _, i in consumers[v]])),
            )
            for v in range(count)
        ]
        self._order, self._on_loops = self._kahn()
        local = [ids.setdefault((labels[v], self._sockets[v]), len(ids)) for v in range(count)]
        self.up, self.down = self._contexts(local)
        self.up_shape: list[int] = []
        self.down_shape: list[int] = []

    def __len__(self) -> int:
        return len(self.nodes)

    def shapes(self) -> None:
        """Make ``up_shape`` and ``down_shape``: the contexts made of the classes alone, which a
        changed value leaves as they were (for pairing nodes of workflows that differ)."""
        if self.up_shape or not self.nodes:
            return
        ids = self.palette.ids
        shapes = [
            ids.setdefault((self.classes[v], sockets), len(ids))
            for v, sockets in enumerate(self._sockets)
        ]
        self.up_shape, self.down_shape = self._contexts(shapes)

    def _kahn(self) -> tuple[list[int], list[int]]:
        """The nodes in an order with every link's source first, and the nodes on loops."""
        waiting = [len(links) for links in self.links]
        order = [v for v, count in enumerate(waiting) if count == 0]
        consumers = self.consumers
        for v in order:  # grows while it is walked
            for _, consumer, _ in consumers[v]:
                waiting[consumer] -= 1
                if waiting[consumer] == 0:
                    order.append(consumer)
        return order, [v for v, count in enumerate(waiting) if count > 0]

    def _contexts(self, label: list[int]) -> tuple[list[int], list[int]]:
        count = len(self.nodes)
        ids = self.palette.ids
        links, consumers = self.links, self.consumers
        up = [0] * count
        down = [0] * count
        for v in self._on_loops:
            up[v] = down[v] = ids.setdefault(("loop", label[v]), len(ids))
        for v in self._order:
            mine = links[v]
            key = (label[v], tuple([(n, i, up[s]) for n, s, i in mine])) if mine else label[v]
            up[v] = ids.setdefault(("up", key), len(ids))
        for v in reversed(self._order):
            used = consumers[v]
            if used:
                key = (label[v], tuple(sorted([(n, i, down[c]) for n, c, i in used])))
            else:
                key = label[v]
            down[v] = ids.setdefault(("down", key), len(ids))
        return up, down

    def edges(self, types: Palette, offset: int) -> tuple[list[list[tuple[int, int]]], ...]:
        """The links as ``(edge type, other node + offset)`` lists, into and out of each node."""
        edge_in: list[list[tuple[int, int]]] = [[] for _ in self.nodes]
        edge_out: list[list[tuple[int, int]]] = [[] for _ in self.nodes]
        for v, links in enumerate(self.links):
            for name, source, output in links:
                kind = types((name, output))
                edge_in[v].append((kind, source + offset))
                edge_out[source].append((kind, v + offset))
        return edge_in, edge_out
