"""The data model: a ``Workflow`` of ``Node`` objects whose inputs hold literals or ``Output`` links.

Data only: no I/O, no checks, no node calls. The classes here hold what a workflow is and answer
questions about it (outputs by name or index, the files to upload); emitting the API-format
prompt (:func:`emit_prompt`) is a pure function of them. Nodes are made in one place, the building
layer (``comfydsl.build.make_node``), which also keeps the id counter and the call site; the
``Node`` and ``Workflow`` that users meet (``comfydsl.Node``, ``comfydsl.Workflow``) are that
layer's subclasses of these, with the checked constructor, ``set()``, ``to_api()`` and ``check()``.

A node may carry a definition (a ``comfydsl.catalog.NodeDef``) so that its outputs can be reached
by name; without one (a class the catalog does not know) they are reached by index.

The workflow being built lives in a ContextVar (:data:`current`): ``with Workflow() as wf:``
scopes new nodes to ``wf``; outside any ``with`` block they land in the context's default
workflow, which the building layer makes on first use. Threads start with a default of their
own; asyncio tasks see their creator's.
"""

from __future__ import annotations

import contextvars
import gc
from collections.abc import Callable, Iterator

from comfydsl.errors import NoWorkflowError, SourceLocation
from comfydsl.output import Output, OutputsView, new_output
from comfydsl.source import to_location
from comfydsl.values import LocalFile

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import PurePath
    from typing import Any

    from comfydsl.catalog import NodeDef

#: In a node's layout (``Workflow.layouts``), the value of a key the node itself holds: its
#: ``inputs``, ``class_type`` or (a dict) ``_meta``.
FROM_NODE: Any = type("FromNode", (), {"__repr__": lambda self: "FROM_NODE", "__slots__": ()})()

if TYPE_CHECKING:
    #: The keys of a node read from a prompt, in the file's order, each with its value as read
    #: or FROM_NODE (see ``Workflow.layouts``).
    NodeLayout = tuple[tuple[str, Any], ...]
else:
    NodeLayout = tuple  # at run time only a name: typing is not imported (import time)

#: The workflow new nodes go to in this context (None until the first node or ``with``).
current: contextvars.ContextVar[Workflow | None] = contextvars.ContextVar(
    "comfydsl_workflow", default=None
)


class Node:
    """One node of a workflow: its class, inputs, title, definition and where it was made.

    Attributes: ``id`` (str), ``class_type``, ``inputs`` (name -> literal or Output), ``title``,
    ``source`` (the user's file:line), ``definition`` (the NodeDef or None), ``workflow``.
    Outputs: ``node.MODEL`` / ``node.out.MODEL`` (by the name's Python form; see
    ``comfydsl.names.python_name``), ``node[1]``, or ``model, clip, vae = node``.

    Made only by ``comfydsl.build.make_node``; users make nodes by calling node classes or
    ``comfydsl.Node(class_type, ...)``. Outputs by name are properties of the node's type, one
    type per definition (see ``comfydsl.build.make.node_type``): no ``__getattr__`` here, whose
    hook would slow every attribute read of every node.
    """

    __slots__ = (
        "_offset",
        "_outs",
        "_where",
        "class_type",
        "definition",
        "id",
        "inputs",
        "meta",
        "workflow",
    )
    #: Where the node was made: a SourceLocation, or the calling code object (with the bytecode
    #: offset of the call in _offset) until first asked for; two slots rather than a tuple, so
    #: that a node costs one object less to make and for the garbage collector to visit.
    _offset: int
    _outs: Output | dict[int, Output] | None
    _where: Any
    id: str
    class_type: str
    inputs: dict[str, Any]
    definition: NodeDef | None
    meta: dict[str, Any] | None
    workflow: Workflow

    @property
    def source(self) -> SourceLocation | None:
        """Where the node was built: the user's file and line (None for nodes read from JSON)."""
        where = self._where
        if where is not None and type(where) is not SourceLocation:
            where = self._where = to_location((where, self._offset))
        return where

    @property
    def source_file(self) -> str | None:
        """The file the node was built in, without working out the line (cheap)."""
        where = self._where
        if where is None:
            return None
        return str(where.file if type(where) is SourceLocation else where.co_filename)

    # -- title and meta -------------------------------------------------------------------------
    @property
    def title(self) -> str | None:
        """The node's title (``_meta.title`` in the prompt), or None."""
        meta = self.meta
        return None if meta is None else meta.get("title")

    @title.setter
    def title(self, value: str | None) -> None:
        if value is None:
            if self.meta is not None:
                self.meta.pop("title", None)
                if not self.meta:
                    self.meta = None
        else:
            if self.meta is None:
                self.meta = {}
            self.meta["title"] = value

    # -- outputs --------------------------------------------------------------------------------
    @property
    def out(self) -> OutputsView:
        """The outputs by name, for names that a node attribute (``id``, ``title``...) hides."""
        return OutputsView(self)

    @property
    def outputs(self) -> list[Output]:
        """Every output, in order (empty when the class is not known: use ``node[i]``)."""
        definition = self.definition
        if definition is None:
            return []
        return [self.output(i) for i in range(len(definition.outputs))]

    def output(self, index: int) -> Output:
        """Output ``index`` (not range-checked), the same object each time: Outputs are read-only."""
        outs = self._outs
        if outs is None:
            # Most nodes are linked from once, through output 0: keep that one without a dict.
            if index == 0:
                first = self._outs = new_output(self, 0)
                return first
            outs = self._outs = {}
        elif isinstance(outs, Output):
            if index == 0:
                return outs
            outs = self._outs = {0: outs}
        found: Output | None = outs.get(index)
        if found is None:
            found = outs[index] = new_output(self, index)
        return found

    def _output_by_attr(self, name: str) -> Output:
        definition = self.definition
        if definition is not None:
            index = definition.output_attrs.get(name)
            if index is not None:
                return self.output(index)
            for spec in definition.outputs:
                if spec.name == name:
                    return self.output(spec.index)
            known = ", ".join(definition.output_attrs) or "none"
            raise AttributeError(
                f"{self.class_type} has no output or attribute {name!r} (outputs: {known})"
            )
        raise AttributeError(
            f"{self.class_type!r} is not in the catalog, so its outputs have no names: "
            f"use an index, e.g. node[0]"
        )

    def __getitem__(self, index: int) -> Output:
        if isinstance(index, bool) or not isinstance(index, int):
            raise TypeError(
                f"{self.class_type}: outputs are indexed by int (got {index!r}); by name use node.out.NAME"
            )
        definition = self.definition
        if definition is None:
            if index < 0:
                raise IndexError(
                    f"{self.class_type!r} is not in the catalog: index its outputs from 0"
                )
            return self.output(index)
        count = len(definition.outputs)
        if not -count <= index < count:
            raise IndexError(f"{self.class_type} has {count} output(s); there is no output {index}")
        return self.output(index % count)

    def __iter__(self) -> Iterator[Output]:
        definition = self.definition
        if definition is None:
            raise TypeError(
                f"{self.class_type!r} is not in the catalog, so its outputs cannot be unpacked: "
                "index them, e.g. node[0]"
            )
        return iter([self.output(i) for i in range(len(definition.outputs))])

    def __dir__(self) -> list[str]:
        names = list(super().__dir__())
        if self.definition is not None:
            names += list(self.definition.output_attrs)
        return names

    def __repr__(self) -> str:
        where = f" at {self.source}" if self.source else ""
        return f"<Node {self.class_type}#{self.id}{where}>"

    def __bool__(self) -> bool:
        return True


class Workflow:
    """A graph of nodes that compiles to one API-format prompt (see ``comfydsl.Workflow``).

    ``nodes`` maps each id to its node, in the order the nodes were made. ``next_id`` is the
    number the next automatic id starts from; ``comfydsl.build.make_node`` alone advances it.

    ``layouts`` is None, except in a workflow read from a prompt that has nodes of another shape
    than ``{"inputs": {...}, "class_type": ..., "_meta"?: {...}}``: keys the model has no field
    for (the server reads ``is_changed``), a ``_meta`` or ``inputs`` that is not an object, keys
    in another order. It maps such a node's id to its layout (``NodeLayout``), from which
    `emit_prompt` writes the node back as it was read, key for key.
    """

    def __init__(self, name: str | None = None) -> None:
        self.name = name
        self.nodes: dict[str, Node] = {}
        self.is_default = False
        #: True for a workflow read from a prompt, whose links may form loops (built ones cannot).
        self.loaded = False
        self.next_id = 1
        self.layouts: dict[str, NodeLayout] | None = None
        self._tokens: list[contextvars.Token[Workflow | None]] = []

    # -- the context ------------------------------------------------------------------------------
    def __enter__(self) -> Workflow:
        self._tokens.append(current.set(self))
        return self

    def __exit__(self, *exc: object) -> None:
        if not self._tokens:
            raise NoWorkflowError(f"{self!r} was left (__exit__) without being entered")
        current.reset(self._tokens.pop())

    # -- nodes ------------------------------------------------------------------------------------
    def __iter__(self) -> Iterator[Node]:
        return iter(self.nodes.values())

    def __len__(self) -> int:
        return len(self.nodes)

    def __getitem__(self, node_id: str | int) -> Node:
        return self.nodes[str(node_id)]

    def __contains__(self, item: object) -> bool:
        if isinstance(item, Node):
            return self.nodes.get(item.id) is item
        return str(item) in self.nodes

    def local_files(self) -> list[tuple[Node, str, PurePath]]:
        """Every (node, input name, path) whose value is a local file to upload at submit time."""
        found = []
        for node in self.nodes.values():
            for name, value in node.inputs.items():
                if type(value) is LocalFile:
                    found.append((node, name, value.path))
        return found

    def __repr__(self) -> str:
        label = f" {self.name!r}" if self.name else ""
        return f"<Workflow{label}: {len(self.nodes)} nodes>"


def emit_prompt(
    workflow: Workflow, uploads: Callable[[PurePath], str] | None = None
) -> dict[str, dict[str, Any]]:
    """The API-format prompt of ``workflow``, unchecked: pure and deterministic.

    Each node becomes ``{"inputs": {...}, "class_type": ..., "_meta": {...}}`` (``_meta`` only
    when the node has one), under its id, in the order the nodes were made; a link is its Output,
    which is the ``["<id>", <index>]`` list. ``uploads`` maps each local file (a Path value) to
    the name the server gave it; without it, the file's name is used.
    """
    # The prompt is a tree of fresh dicts with no cycles: pause the collector while it is made,
    # or every few hundred dicts it would walk the whole workflow (at 100,000 nodes that
    # doubled the time of a compile). It runs again, as before, right after.
    collecting = gc.isenabled()
    gc.disable()
    try:
        if uploads is None:
            # Stored values are already in their JSON form and read-only (comfydsl.values): one
            # shallow copy per node is the whole translation.
            emitted: dict[str, dict[str, Any]] = {}
            for node_id, node in workflow.nodes.items():
                meta = node.meta
                if meta is None:
                    emitted[node_id] = {"inputs": node.inputs.copy(), "class_type": node.class_type}
                else:
                    emitted[node_id] = {
                        "inputs": node.inputs.copy(),
                        "class_type": node.class_type,
                        "_meta": meta.copy(),
                    }
            if workflow.layouts:
                _lay_out(emitted, workflow.layouts)
            return emitted
        prompt: dict[str, dict[str, Any]] = {}
        for node_id, node in workflow.nodes.items():
            inputs = {
                name: uploads(value.path) if type(value) is LocalFile else value
                for name, value in node.inputs.items()
            }
            entry: dict[str, Any] = {"inputs": inputs, "class_type": node.class_type}
            if node.meta is not None:
                entry["_meta"] = dict(node.meta)
            prompt[node_id] = entry
        if workflow.layouts:
            _lay_out(prompt, workflow.layouts)
        return prompt
    finally:
        if collecting:
            gc.enable()


def _lay_out(prompt: dict[str, dict[str, Any]], layouts: dict[str, NodeLayout]) -> None:
    """Write each node of ``prompt`` that has a layout in it: its keys in the layout's order,
    with the values read for the keys the node has no field for. What the node holds wins: inputs
    or a title given to it since it was read are written."""
    for node_id, layout in layouts.items():
        entry = prompt.get(node_id)
        if entry is None:
            continue
        written: dict[str, Any] = {}
        for key, raw in layout:
            if key in entry and (raw is FROM_NODE or entry[key]):
                written[key] = entry[key]  # the node's inputs, class_type, or its _meta dict
            elif raw is not FROM_NODE:
                written[key] = raw  # a key the model has no field for, or one not an object
        for key, value in entry.items():
            if key not in written and (key != "inputs" or value):
                written[key] = value  # inputs or a title given since the node was read
        prompt[node_id] = written


__all__ = [
    "FROM_NODE",
    "Node",
    "NodeLayout",
    "Output",
    "OutputsView",
    "Workflow",
    "current",
    "emit_prompt",
    "new_output",
]
