"""The one way a node is born, and the Node and Workflow that users meet.

Every node (a typed call, ``Node("Class", ...)``, a node read from a prompt file) is made by
:func:`make_node`: it alone sets a node's slots, keeps the call site, and draws ids from the
workflow's counter. ``Node`` and ``Workflow`` here are the model's classes (``comfydsl.graph``)
with what needs the layers between: the checked constructor and ``set()``, ``to_api()`` that checks
before it emits, ``check()``.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Mapping

from comfydsl import graph
from comfydsl.build.bind import bind_call, bind_untyped, set_inputs
from comfydsl.build.plans import Plan, plan_of
from comfydsl.catalog import Catalog, active_catalog
from comfydsl.errors import DuplicateIdError, NodeError
from comfydsl.graph import current, emit_prompt
from comfydsl.source import caller_location
from comfydsl.validation.workflow import (
    CheckReport,
    Targets,
    check_compilable,
    check_report,
    check_workflow,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import PurePath
    from typing import Any, TypeVar

    W = TypeVar("W", bound="Workflow")

#: What ``Workflow.to_ui`` calls, by format: the formats layer above this one fills it in when it
#: is imported (``import comfydsl`` does), since building may not import the formats.
EXPORTERS: dict[str, Callable[[Any, str | None], dict[str, Any]]] = {}


class Node(graph.Node):
    """One node of a workflow.

    Made by calling a node class (``KSampler(...)``, from ``comfydsl.nodes``), or directly for any
    class, known or not::

        video = Node("VHS_VideoCombine", images=frames, frame_rate=6)   # outputs by index: video[0]

    A class the catalog in force knows is checked as its node class would check it. See
    ``comfydsl.graph.Node`` for the attributes and how outputs are reached.
    """

    __slots__ = ()

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
        workflow = current_workflow()
        definition = active_catalog().get(class_type) if isinstance(class_type, str) else None
        kind: type[Node] = UntypedNode
        if definition is None:
            values, meta, node_id = bind_untyped(
                class_type, args, inputs, title, id, extra_inputs, source, workflow
            )
        else:
            plan = plan_of(definition)
            kind = node_type(plan)
            # Given back as keywords, so that a class with an input named title (or id, or
            # extra_inputs) gets its input, as its node class would.
            for key, value in (("title", title), ("id", id), ("extra_inputs", extra_inputs)):
                if value is not None:
                    inputs.setdefault(key, value)
            values, meta, node_id = bind_call(definition, plan, args, inputs, workflow, source)
        make_node(workflow, kind, class_type, values, definition, meta, node_id, source, -1, self)

    def set(self, **inputs: Any) -> Node:
        """Set or replace inputs after the node was made (checked like at creation). Returns the node."""
        set_inputs(self, inputs, caller_location())
        return self


class UntypedNode(Node):
    """A node of a class the catalog does not know (its outputs are reached by index)."""

    __slots__ = ()


# The built-in AttributeError names the type (its first 50 characters): let it say what to do.
UntypedNode.__name__ = UntypedNode.__qualname__ = "node of an unknown class: index its outputs"


def node_type(plan: Plan) -> type[Node]:
    """The type of the nodes of ``plan``'s class: a subclass of Node with a property per output.

    Made once per definition. An output whose Python name is a node attribute (``id``,
    ``title``...) or a dunder gets no property: reach it as ``node.out.NAME``.

    Properties, not a ``__getattr__`` on Node: a type with that hook cannot have its attribute
    reads specialised by the interpreter, which cost about 40 ns on each of the ten or so reads
    that making and compiling a node takes. The built-in AttributeError names the type (its
    first 50 characters), so the name lists the outputs: ``'node with outputs MODEL, CLIP,
    VAE' object has no attribute 'LATENT'``.
    """
    found: type[Node] | None = plan.node_type
    if found is None:
        found = plan.node_type = _new_node_type(plan.outputs)
    return found


def _new_node_type(outputs: tuple[tuple[str, int], ...]) -> type[Node]:
    namespace: dict[str, Any] = {"__slots__": (), "__module__": __name__}
    taken = set(dir(Node))
    for attr, index in outputs:
        if attr in taken or (attr.startswith("__") and attr.endswith("__")):
            continue
        namespace[attr] = property(operator.methodcaller("output", index), doc=f"output {index}")
    name = _type_name([attr for attr, _ in outputs])
    made = type(name, (Node,), namespace)
    made.__qualname__ = name
    return made


def _type_name(attrs: list[str], limit: int = 50) -> str:
    if not attrs:
        return "node with no outputs"
    name = "node with outputs " + ", ".join(attrs)
    if len(name) <= limit:
        return name
    shown = ""
    for attr in attrs:
        longer = f"{shown}, {attr}" if shown else attr
        if len("node with outputs ") + len(longer) + len(", ...") > limit:
            break
        shown = longer
    return f"node with outputs {shown}, ..." if shown else "node with outputs (see dir(node))"


class Workflow(graph.Workflow):
    """A graph of nodes that compiles to one API-format prompt.

    Example::

        with Workflow() as wf:
            img = EmptyImage(width=64, height=64)
            SaveImage(images=ImageInvert(image=img))
        prompt = wf.to_api()          # {"1": {"inputs": {...}, "class_type": "EmptyImage"}, ...}

    Nodes get ids "1", "2", ... in the order they are made, unless given one (``id="sampler"``);
    an automatic id skips ids already taken.
    """

    def __enter__(self: W) -> W:
        super().__enter__()
        return self

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
        if check is None or check:
            check_compilable(self, built_only=check is None)
        return emit_prompt(self, uploads)

    def to_json(self, *, indent: int | None = 2, check: bool | None = None) -> str:
        """The API-format prompt as JSON text (UTF-8 characters kept, as the editor writes them)."""
        return json.dumps(self.to_api(check=check), indent=indent, ensure_ascii=False)

    def check(self, catalog: Catalog | None = None, *, targets: Targets = None) -> list[NodeError]:
        """Every problem the server would find, against ``catalog`` (default: the one in force).

        ``targets`` (output nodes or their ids): only those outputs and what they need, as the
        server checks a prompt sent with them (``Client.submit(..., targets=...)``).
        """
        return check_workflow(self, catalog, targets=targets)

    def check_report(
        self, catalog: Catalog | None = None, *, targets: Targets = None
    ) -> CheckReport:
        """`check`'s errors, and which output nodes the server would have run despite them.

        >>> report = wf.check_report(client.catalog())    # doctest: +SKIP
        >>> report.ok, report.would_run, report.outputs["9"]    # doctest: +SKIP
        (False, ['7'], [<ChoiceError ...>])
        """
        return check_report(self, catalog, targets=targets)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        """What Jupyter shows: the workflow's picture (SVG, drawn by Graphviz), or a table of its
        nodes without Graphviz; never an error (see ``comfydsl.picture.notebook``)."""
        # Imported when a notebook first shows a workflow, not with every script that builds one.
        from comfydsl.picture.notebook import workflow_bundle

        return workflow_bundle(self)

    def to_ui(self, *, source: str | None = None) -> dict[str, Any]:
        """The workflow as ComfyUI's editor saves it (``workflow.json``, a dict for ``json.dump``):
        laid out, with the editor's widget values, sizes and links. See
        ``comfydsl.formats.api_to_ui.to_ui``; what the editor cannot hold is an ExportWarning."""
        return EXPORTERS["ui"](self, source)


def current_workflow() -> graph.Workflow:
    """The workflow new nodes go to: the innermost ``with Workflow()``, else this context's default."""
    wf = current.get()
    if wf is None:
        wf = reset_default_workflow()
    return wf


def reset_default_workflow() -> Workflow:
    """Start a fresh default workflow for this context (the old one is left as it is) and return it."""
    wf = Workflow()
    wf.is_default = True
    current.set(wf)
    return wf


_new_node = Node.__new__


def make_node(
    workflow: graph.Workflow,
    kind: type[Node],
    class_type: str,
    inputs: dict[str, Any],
    definition: Any,
    meta: dict[str, Any] | None,
    node_id: str | int | None,
    where: Any,
    offset: int = -1,
    into: Node | None = None,
) -> Node:
    """Make a node and add it to ``workflow``: the one path every node takes.

    ``inputs`` are already checked and in prompt order (``comfydsl.build.bind``, or a prompt
    file's own); ``definition`` is the class's NodeDef or None; ``meta`` the node's ``_meta``.
    ``where`` is the call site: a code object (with the bytecode ``offset`` of the call, turned
    into a line only when asked for), a SourceLocation, or None for a node read from a file.
    ``node_id`` None takes the workflow's next free number; a taken id is a DuplicateIdError.
    ``kind`` is the node's type (``node_type(plan)``, or UntypedNode); ``into`` is the
    instance to fill (``Node.__init__``); by default a new one is made.
    """
    if into is None:
        node = _new_node(kind)
    else:
        node = into
        node.__class__ = kind
    node.class_type = class_type
    node.inputs = inputs
    node.definition = definition
    node.meta = meta
    node._where = where
    node._offset = offset
    node._outs = None
    node.workflow = workflow
    nodes = workflow.nodes
    if node_id is None:
        number = workflow.next_id
        key = str(number)
        while key in nodes:
            number += 1
            key = str(number)
        workflow.next_id = number + 1
    else:
        key = str(node_id)
        if key in nodes:
            raise DuplicateIdError(key, source=node.source, first=nodes[key].source)
    node.id = key
    nodes[key] = node
    return node


__all__ = [
    "EXPORTERS",
    "Node",
    "UntypedNode",
    "Workflow",
    "current_workflow",
    "make_node",
    "node_type",
    "reset_default_workflow",
]
