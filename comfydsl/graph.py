"""The data model: a ``Workflow`` of ``Node`` objects whose inputs hold literals or ``Output`` links.

No I/O, no catalog, no compiler here. A node may carry a definition (duck-typed: anything with
``outputs`` and ``output_attrs``, in practice a ``comfydsl.catalog.NodeDef``) so that its outputs can
be reached by name; without one (a class the catalog does not know) they are reached by index.

The workflow being built lives in a ContextVar: ``with Workflow() as wf:`` scopes new nodes to
``wf``; outside any ``with`` block they land in this context's default workflow, made on first use.
Threads start with a default of their own; asyncio tasks see their creator's.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator, Mapping
from pathlib import PurePath
from typing import Any

from comfydsl.errors import (
    BadLinkError,
    CallError,
    CycleError,
    DuplicateIdError,
    InputValueError,
    NoWorkflowError,
    SourceLocation,
)
from comfydsl.output import Output, OutputsView, new_output
from comfydsl.source import Where, caller_location, to_location
from comfydsl.values import LocalFile, freeze, json_problem, wrap_list

_current: contextvars.ContextVar[Workflow | None] = contextvars.ContextVar(
    "comfydsl_workflow", default=None
)


def current_workflow() -> Workflow:
    """The workflow new nodes go to: the innermost ``with Workflow()``, else this context's default."""
    wf = _current.get()
    if wf is None:
        wf = Workflow()
        wf.is_default = True
        _current.set(wf)
    return wf


def reset_default_workflow() -> Workflow:
    """Start a fresh default workflow for this context (the old one is left as it is) and return it."""
    wf = Workflow()
    wf.is_default = True
    _current.set(wf)
    return wf


#: Set by comfydsl.nodes: builds a node of a class through its definition when the catalog has it.
#: Called as hook(class_type, args, kwargs, title, id, extra_inputs, source) -> Node | None.
typed_builder: Callable[..., Node | None] | None = None
#: Set by comfydsl.nodes: ``node.set(...)`` for a node with a definition.
typed_setter: Callable[..., None] | None = None


class Node:
    """One node of a workflow.

    Made by calling a node class (``KSampler(...)``, from ``comfydsl.nodes``), or directly for any
    class, known or not::

        video = Node("VHS_VideoCombine", images=frames, frame_rate=6)   # outputs by index: video[0]

    Attributes: ``id`` (str), ``class_type``, ``inputs`` (name -> literal or Output), ``title``,
    ``source`` (the user's file:line), ``definition`` (the NodeDef or None), ``workflow``.
    Outputs: ``node.MODEL`` / ``node.out.MODEL`` (by the name's Python form; see
    ``comfydsl.catalog.python_name``), ``node[1]``, or ``model, clip, vae = node``.
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
    definition: Any
    meta: dict[str, Any] | None
    workflow: Workflow

    def __init__(
        self,
        class_type: str,
        /,
        *args: Any,
        title: str | None = None,
        id: str | int | None = None,
        extra_inputs: Mapping[str, Any] | None = None,
        **inputs: Any,
    ) -> None:
        source = caller_location()
        if typed_builder is not None:
            built = typed_builder(class_type, args, inputs, title, id, extra_inputs, source, self)
            if built is not None:
                return
        if args:
            raise CallError(
                "Node(class_type, ...) takes the inputs of a class the catalog does not know "
                "by keyword: their order is not known",
                class_type=class_type,
                source=source,
            )
        if title is not None or id is not None:
            check_control(class_type, title, id, source)
        values = dict(inputs)
        if extra_inputs:
            if not isinstance(extra_inputs, Mapping):
                raise CallError(
                    f"extra_inputs takes a mapping of input name -> value, "
                    f"not {type(extra_inputs).__name__}",
                    class_type=class_type,
                    source=source,
                )
            values.update(extra_inputs)
        for name, value in values.items():
            values[name] = untyped_value(value, class_type, name, source)
        self._setup(class_type, values, None, title, id, source, current_workflow())

    def _setup(
        self,
        class_type: str,
        inputs: dict[str, Any],
        definition: Any,
        title: str | None,
        node_id: str | int | None,
        source: Where,
        workflow: Workflow,
    ) -> None:
        self.class_type = class_type
        self.inputs = inputs
        self.definition = definition
        self.meta = None if title is None else {"title": title}
        if type(source) is tuple:
            self._where, self._offset = source
        else:
            self._where, self._offset = source, -1
        self._outs = None
        self.workflow = workflow
        workflow._add(self, node_id)

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

    @classmethod
    def _make(
        cls,
        class_type: str,
        inputs: dict[str, Any],
        definition: Any,
        title: str | None,
        node_id: str | int | None,
        source: Where,
        workflow: Workflow,
    ) -> Node:
        node = cls.__new__(cls)
        node._setup(class_type, inputs, definition, title, node_id, source, workflow)
        return node

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

    def __getattr__(self, name: str) -> Output:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return self._output_by_attr(name)

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

    # -- inputs ---------------------------------------------------------------------------------
    def set(self, **inputs: Any) -> Node:
        """Set or replace inputs after the node was made (checked like at creation). Returns the node."""
        source = caller_location()
        if typed_setter is not None and self.definition is not None:
            typed_setter(self, inputs, source)
            return self
        for name, value in inputs.items():
            value = untyped_value(value, self.class_type, name, source)
            if isinstance(value, Output):
                check_no_cycle(self, value, name, source)
            self.inputs[name] = value
        return self

    def __repr__(self) -> str:
        where = f" at {self.source}" if self.source else ""
        return f"<Node {self.class_type}#{self.id}{where}>"

    def __bool__(self) -> bool:
        return True


def check_control(class_type: str, title: Any, node_id: Any, where: Where) -> None:
    """Refuse a title that is not a string and an id that is neither a string nor an int."""
    if title is not None and not isinstance(title, str):
        raise CallError(
            f"title must be a string, not {type(title).__name__}",
            class_type=class_type,
            source=to_location(where),
        )
    if node_id is not None and (isinstance(node_id, bool) or not isinstance(node_id, (str, int))):
        raise CallError(
            f"id must be a string (or an int), not {type(node_id).__name__}",
            class_type=class_type,
            source=to_location(where),
        )


def untyped_value(value: Any, class_type: str, name: str, source: SourceLocation | None) -> Any:
    """A value for an input of a class the catalog does not know: links as Output, lists wrapped."""
    if type(value) is Output:
        return value
    if isinstance(value, Node):
        definition = value.definition
        if definition is not None and len(definition.outputs) == 1:
            return value.output(0)
        raise BadLinkError(
            "a node given as a value must have exactly one output; pick one, e.g. node[0]",
            class_type=class_type,
            input_name=name,
            value=value,
            source=source,
            type="bad_linked_input",
        )
    problem = json_problem(value)
    if problem is not None:
        raise InputValueError(
            f"{problem}: a prompt is JSON",
            class_type=class_type,
            input_name=name,
            value=value,
            source=source,
        )
    if isinstance(value, (list, tuple)):
        return wrap_list(value)
    return freeze(value)


def check_no_cycle(
    node: Node, link: Output, input_name: str, source: SourceLocation | None
) -> None:
    """Raise CycleError if feeding ``link`` into ``node`` would close a loop."""
    start = link.node
    if start is node:
        raise CycleError(
            "a node cannot take its own output",
            class_type=node.class_type,
            node_id=node.id,
            input_name=input_name,
            value=link,
            source=source,
        )
    seen = {id(start)}
    stack = [start]
    while stack:
        current = stack.pop()
        for value in current.inputs.values():
            if type(value) is Output:
                upstream = value.node
                if upstream is node:
                    raise CycleError(
                        f"this link would close a loop: {node.class_type}#{node.id} already feeds "
                        f"{start.class_type}#{start.id}",
                        class_type=node.class_type,
                        node_id=node.id,
                        input_name=input_name,
                        value=link,
                        source=source,
                    )
                if id(upstream) not in seen:
                    seen.add(id(upstream))
                    stack.append(upstream)


class Workflow:
    """A graph of nodes that compiles to one API-format prompt.

    Example::

        with Workflow() as wf:
            img = EmptyImage(width=64, height=64)
            SaveImage(images=ImageInvert(image=img))
        prompt = wf.to_api()          # {"1": {"inputs": {...}, "class_type": "EmptyImage"}, ...}

    Nodes get ids "1", "2", ... in the order they are made, unless given one (``id="sampler"``);
    an automatic id skips ids already taken.
    """

    def __init__(self, name: str | None = None) -> None:
        self.name = name
        self.nodes: dict[str, Node] = {}
        self.is_default = False
        #: True for a workflow read from a prompt, whose links may form loops (built ones cannot).
        self.loaded = False
        self._next_id = 1
        self._tokens: list[contextvars.Token[Workflow | None]] = []

    # -- the context ------------------------------------------------------------------------------
    def __enter__(self) -> Workflow:
        self._tokens.append(_current.set(self))
        return self

    def __exit__(self, *exc: object) -> None:
        _current.reset(self._tokens.pop())

    # -- nodes ------------------------------------------------------------------------------------
    def _add(self, node: Node, node_id: str | int | None) -> None:
        nodes = self.nodes
        if node_id is None:
            number = self._next_id
            key = str(number)
            while key in nodes:
                number += 1
                key = str(number)
            self._next_id = number + 1
        else:
            key = str(node_id)
            if key in nodes:
                raise DuplicateIdError(key, source=node.source, first=nodes[key].source)
        node.id = key
        nodes[key] = node

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

    def node_source(self, node_id: str) -> SourceLocation | None:
        """Where the node with this id was built, or None (unknown id, or loaded from JSON)."""
        node = self.nodes.get(str(node_id))
        return None if node is None else node.source

    def local_files(self) -> list[tuple[Node, str, PurePath]]:
        """Every (node, input name, path) whose value is a local file to upload at submit time."""
        found = []
        for node in self.nodes.values():
            for name, value in node.inputs.items():
                if type(value) is LocalFile:
                    found.append((node, name, value.path))
        return found

    # -- compiling (the compiler module does the work) ------------------------------------------------
    def to_api(
        self,
        *,
        check: bool | None = None,
        uploads: Callable[[PurePath], str] | None = None,
    ) -> dict[str, dict[str, Any]]:
        """The API-format prompt (the ``prompt`` of ``POST /prompt``) as a dict.

        Raises ValidationError for required inputs left without a value in the nodes the server
        would run (output nodes and what feeds them; like the server, nodes that lead nowhere are
        left alone). By default (``check=None``) only nodes built in Python are checked, so that a
        prompt read from a file compiles back exactly as it was; ``check=True`` checks the nodes
        read from a file too, and their links for loops; ``check=False`` checks nothing.
        ``uploads`` maps each local file (a Path value) to the name the server gave it; without
        it, the file's name is used.
        """
        from comfydsl.compiler import compile_workflow

        return compile_workflow(self, check=check, uploads=uploads)

    def to_json(self, *, indent: int | None = 2, check: bool | None = None) -> str:
        """The API-format prompt as JSON text (UTF-8 characters kept, as the editor writes them)."""
        import json

        return json.dumps(self.to_api(check=check), indent=indent, ensure_ascii=False)

    def check(self, catalog: Any = None) -> list[Any]:
        """Every problem the server would find, against ``catalog`` (default: the one in force)."""
        from comfydsl.check import check_workflow

        return check_workflow(self, catalog)

    def __repr__(self) -> str:
        label = f" {self.name!r}" if self.name else ""
        return f"<Workflow{label}: {len(self.nodes)} nodes>"


def require_workflow(value: object) -> Workflow:
    """``value`` if it is a Workflow, else a NoWorkflowError that says what it was."""
    if isinstance(value, Workflow):
        return value
    raise NoWorkflowError(f"expected a Workflow, got {type(value).__name__}")


__all__ = [
    "Node",
    "Output",
    "Workflow",
    "caller_location",
    "check_control",
    "check_no_cycle",
    "current_workflow",
    "new_output",
    "require_workflow",
    "reset_default_workflow",
    "untyped_value",
]
