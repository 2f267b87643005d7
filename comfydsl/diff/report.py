"""What ``compare`` answers: the difference of two workflows, to read or to hand to a program.

A ``Diff`` lists the nodes only in ``a``, the nodes only in ``b``, and the paired nodes that
differ, each with what changed: a value, a link that comes from elsewhere (re-wired), an input
given on one side only, the title (when titles count). Every node is named by its class, its
title and its id on its side, with the script's line where it was built in one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import attrs

from comfydsl.diff.graphs import Side
from comfydsl.errors import SourceLocation
from comfydsl.graph import Node, Output

__all__ = [
    "ABSENT",
    "Diff",
    "InputChange",
    "LinkEnd",
    "NodeChange",
    "NodeRef",
    "SideInfo",
    "build_diff",
    "same_graph",
]


class _Absent:
    """The marker of an input that one side does not give."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "ABSENT"


#: What an ``InputChange`` holds for the side that does not give the input.
ABSENT: Any = _Absent()


def _short(value: Any, limit: int = 70) -> str:
    text = json.dumps(value, ensure_ascii=False, allow_nan=True)
    return text if len(text) <= limit else text[: limit - 3] + "..."


@attrs.frozen
class NodeRef:
    """A node named for people: its class, title, id, and the script line that built it."""

    id: str
    class_type: str
    title: str | None
    source: SourceLocation | None

    @classmethod
    def of(cls, node: Node) -> NodeRef:
        """The reference of ``node``."""
        return cls(node.id, node.class_type, node.title, node.source)

    def __str__(self) -> str:
        title = f" {json.dumps(self.title, ensure_ascii=False)}" if self.title else ""
        where = f" ({self.source})" if self.source is not None else ""
        return f"{self.class_type}{title} #{self.id}{where}"

    def to_json(self) -> dict[str, Any]:
        """The reference as JSON: id, class_type, title, file and line (null when none)."""
        return {
            "id": self.id,
            "class_type": self.class_type,
            "title": self.title,
            "file": self.source.file if self.source else None,
            "line": self.source.line if self.source else None,
        }


@attrs.frozen
class LinkEnd:
    """Where a link comes from: a node and the index (and name, when known) of its output."""

    node: NodeRef
    index: int
    output: str | None

    def __str__(self) -> str:
        shown = f".{self.output}" if self.output is not None else f"[{self.index}]"
        return f"{self.node} {shown}"

    def to_json(self) -> dict[str, Any]:
        """The link's end as JSON: the node, the output's index and name."""
        return {"node": self.node.to_json(), "index": self.index, "output": self.output}


@attrs.frozen
class InputChange:
    """One input that differs: its value on each side (a ``LinkEnd`` for a link, ``ABSENT``)."""

    name: str
    a: Any
    b: Any

    @property
    def kind(self) -> str:
        """``"link"`` when a link is involved (re-wired, or a link against a value), else
        ``"value"``."""
        return "link" if isinstance(self.a, LinkEnd) or isinstance(self.b, LinkEnd) else "value"

    def __str__(self) -> str:
        return f"{self.name}: {_side(self.a)} -> {_side(self.b)}"

    def to_json(self) -> dict[str, Any]:
        """The change as JSON: its name, kind, and each side (null when the side lacks it)."""
        return {
            "name": self.name,
            "kind": self.kind,
            "a": _side_json(self.a),
            "b": _side_json(self.b),
        }


def _side(value: Any) -> str:
    if value is ABSENT:
        return "(not given)"
    if isinstance(value, LinkEnd):
        return str(value)
    return _short(value)


def _side_json(value: Any) -> dict[str, Any] | None:
    if value is ABSENT:
        return None
    if isinstance(value, LinkEnd):
        return {"link": value.to_json()}
    return {"value": value}


@attrs.frozen
class NodeChange:
    """A node of ``a`` paired with one of ``b``, and what differs between them."""

    a: NodeRef
    b: NodeRef
    inputs: tuple[InputChange, ...]
    title: tuple[str | None, str | None] | None = None

    def to_json(self) -> dict[str, Any]:
        """The change as JSON: both nodes, the inputs that differ, the titles when they do."""
        found: dict[str, Any] = {
            "a": self.a.to_json(),
            "b": self.b.to_json(),
            "inputs": [change.to_json() for change in self.inputs],
        }
        if self.title is not None:
            found["title"] = {"a": self.title[0], "b": self.title[1]}
        return found


@attrs.frozen
class SideInfo:
    """One side as the report names it: its name (a file, or A/B) and its size."""

    name: str
    nodes: int


@attrs.frozen
class Diff:
    """The difference of two workflows regardless of their node ids (see ``compare``).

    ``same`` is True when they build the same graph; otherwise ``only_a``, ``only_b`` (NodeRefs)
    and ``changed`` (NodeChanges) say how they differ. ``matched`` pairs every id of ``a`` that
    has a counterpart with that counterpart's id in ``b``. ``str(diff)`` is the report to read,
    ``diff.to_json()`` the one for programs.
    """

    a: SideInfo
    b: SideInfo
    titles: bool
    only_a: tuple[NodeRef, ...]
    only_b: tuple[NodeRef, ...]
    changed: tuple[NodeChange, ...]
    matched: Mapping[str, str]

    @property
    def same(self) -> bool:
        """Whether the two workflows build the same graph."""
        return not (self.only_a or self.only_b or self.changed)

    def summary(self) -> str:
        """One line: ``same`` or how many nodes differ."""
        aside = "ids aside" if self.titles else "ids and titles aside"
        if self.same:
            return f"same: both build the same graph of {self.a.nodes} nodes ({aside})"
        parts = []
        if self.only_a:
            parts.append(f"{_count(len(self.only_a))} only in A")
        if self.only_b:
            parts.append(f"{_count(len(self.only_b))} only in B")
        if self.changed:
            parts.append(f"{_count(len(self.changed))} changed")
        return f"different: {', '.join(parts)} ({aside})"

    def __str__(self) -> str:
        lines = [
            f"A: {self.a.name} ({_count(self.a.nodes)})",
            f"B: {self.b.name} ({_count(self.b.nodes)})",
            self.summary(),
        ]
        if self.only_a:
            lines += ["", "only in A:"]
            lines += [f"  - {ref}" for ref in self.only_a]
        if self.only_b:
            lines += ["", "only in B:"]
            lines += [f"  + {ref}" for ref in self.only_b]
        if self.changed:
            lines += ["", "changed:"]
            for change in self.changed:
                lines.append(f"  ~ A: {change.a}")
                lines.append(f"    B: {change.b}")
                if change.title is not None:
                    lines.append(
                        f"      title: {_short(change.title[0])} -> {_short(change.title[1])}"
                    )
                lines += [f"      {item}" for item in change.inputs]
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        """The difference as a JSON object (see the README for its keys)."""
        return {
            "same": self.same,
            "titles": self.titles,
            "a": attrs.asdict(self.a),
            "b": attrs.asdict(self.b),
            "only_a": [ref.to_json() for ref in self.only_a],
            "only_b": [ref.to_json() for ref in self.only_b],
            "changed": [change.to_json() for change in self.changed],
            "matched": dict(self.matched),
        }


def _count(n: int) -> str:
    return f"{n} node{'s' if n != 1 else ''}"


def same_graph(
    a: Side, b: Side, renaming: Mapping[int, int], *, titles: bool, names: tuple[str, str]
) -> Diff:
    """The Diff of two sides that a renaming (comfydsl.diff.iso's) makes the same graph."""
    return Diff(
        a=SideInfo(names[0], len(a)),
        b=SideInfo(names[1], len(b)),
        titles=titles,
        only_a=(),
        only_b=(),
        changed=(),
        matched={a.nodes[v].id: b.nodes[w].id for v, w in sorted(renaming.items())},
    )


def build_diff(
    a: Side, b: Side, pairs: Mapping[int, int], *, titles: bool, names: tuple[str, str]
) -> Diff:
    """The Diff of two sides under a pairing of their nodes (by index)."""
    # Made when asked for: a node's source line costs a walk of its script's line table.
    refs_a = _Refs(a)
    refs_b = _Refs(b)
    changed = []
    for v in range(len(a)):
        w = pairs.get(v)
        if w is None:
            continue
        inputs = _input_changes(a, b, v, w, pairs, refs_a, refs_b)
        title = None
        if titles and a.nodes[v].title != b.nodes[w].title:
            title = (a.nodes[v].title, b.nodes[w].title)
        if inputs or title is not None or a.nodes[v].class_type != b.nodes[w].class_type:
            changed.append(NodeChange(refs_a[v], refs_b[w], tuple(inputs), title))
    paired_b = set(pairs.values())
    return Diff(
        a=SideInfo(names[0], len(a)),
        b=SideInfo(names[1], len(b)),
        titles=titles,
        only_a=tuple(refs_a[v] for v in range(len(a)) if v not in pairs),
        only_b=tuple(refs_b[w] for w in range(len(b)) if w not in paired_b),
        changed=tuple(changed),
        matched={a.nodes[v].id: b.nodes[w].id for v, w in sorted(pairs.items())},
    )


def _input_changes(
    a: Side,
    b: Side,
    v: int,
    w: int,
    pairs: Mapping[int, int],
    refs_a: _Refs,
    refs_b: _Refs,
) -> list[InputChange]:
    node_a, node_b = a.nodes[v], b.nodes[w]
    links_b = {name: (source, output) for name, source, output in b.links[w]}
    same_values = a.label[v] == b.label[w] or (
        a.nodes[v].class_type == b.nodes[w].class_type and a.keys[v] == b.keys[w]
    )
    # The usual pair: values alike (one comparison of labels), so only the links to check.
    if (
        same_values
        and len(a.links[v]) == len(links_b)
        and all(links_b.get(n) == (pairs.get(s), i) for n, s, i in a.links[v])
    ):
        return []
    changes = []
    names = list(node_a.inputs) + [n for n in node_b.inputs if n not in node_a.inputs]
    keys_a, keys_b = a.keys[v], b.keys[w]
    for name in names:
        here = node_a.inputs.get(name, ABSENT)
        there = node_b.inputs.get(name, ABSENT)
        if type(here) is Output and type(there) is Output:
            source = a.index[here.node.id]
            if pairs.get(source) == b.index[there.node.id] and here[1] == there[1]:
                continue
        elif name in keys_a and name in keys_b and keys_a[name] == keys_b[name]:
            continue
        changes.append(InputChange(name, _end(a, here, refs_a), _end(b, there, refs_b)))
    return changes


class _Refs:
    """The NodeRef of each node of a side, made on first use."""

    def __init__(self, side: Side) -> None:
        self.nodes = side.nodes
        self.made: dict[int, NodeRef] = {}

    def __getitem__(self, v: int) -> NodeRef:
        found = self.made.get(v)
        if found is None:
            found = self.made[v] = NodeRef.of(self.nodes[v])
        return found


def _end(side: Side, value: Any, refs: _Refs) -> Any:
    if type(value) is not Output:
        return value
    return LinkEnd(refs[side.index[value.node.id]], value.index, value.name)
