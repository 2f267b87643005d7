"""How each node of an imported workflow is written: a typed call, or ``unchecked_node``.

A node is written as the typed call that should give it back (``KSampler(seed=5, ...)``, or
``Node("Class", ...)`` for a class the catalog does not know), and that call is *made*, on a
workflow built alongside the one written, and its node compared with the original: same class,
same ``_meta``, same inputs value for value and type for type (``1`` is not ``1.0``), links from
the same nodes' same outputs, the same id under ``keep_ids``. Only a call that gives the node
back is kept; any other node is written with ``unchecked_node``, with the reason. So what the
script builds is the workflow it was made from by construction, not by prediction.

A call that passes this test can still be refused: a node built by a call that lacks a required
input fails to compile where the server would run it, and fails the type checker anywhere (the
stub makes a required link a required argument). Such nodes are made unchecked too, once the
whole workflow is built (``Forms._leave_missing_inputs_unchecked``).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from comfydsl.build import Node, Workflow, node_class
from comfydsl.catalog import Catalog, NodeDef
from comfydsl.errors import CallError, ComfyDSLError, NodeError
from comfydsl.formats.exported import unchecked_node, with_meta
from comfydsl.graph import Node as GraphNode
from comfydsl.graph import Output
from comfydsl.names import PythonIdentifier
from comfydsl.validation.workflow import missing_inputs
from comfydsl.values import LocalFile

__all__ = ["UNCHECKED", "UNTYPED", "Form", "Forms"]

#: The callee of a node written with ``comfydsl.unchecked_node``.
UNCHECKED = "unchecked_node"
#: The callee of a node written with ``comfydsl.Node("Class", ...)``.
UNTYPED = "Node"

#: Keywords of node calls that are not inputs (unless the class has an input of that name).
_CONTROL = ("title", "id", "extra_inputs")


@dataclass
class Form:
    """How one node is made: a call of ``callee`` with these arguments.

    ``callee`` is the class (a typed call), ``UNTYPED`` or ``UNCHECKED``. ``keywords`` are the
    keyword arguments (all the inputs, by name, for an unchecked node); ``starred`` the inputs
    whose names Python cannot take as keywords (``**{...}``); ``extra`` the ``extra_inputs``.
    A value that is a link is the original's Output. ``title_after``: the class has an input
    named title, so the node's title is set after the call. ``meta``: the node's ``_meta`` beyond
    its title (``with_meta`` adds it to a call's node), or the whole of an odd one (unchecked).
    """

    source_id: str
    class_type: str
    callee: str
    keywords: dict[str, Any]
    starred: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    title: str | None = None
    title_after: bool = False
    node_id: str | None = None
    meta: Mapping[str, Any] | None = None
    reasons: list[str] = field(default_factory=list)


class Forms:
    """The form of every node of a workflow, each tried on a workflow built alongside."""

    def __init__(self, catalog: Catalog, *, keep_ids: bool, explicit: bool) -> None:
        self.catalog = catalog
        self.keep_ids = keep_ids
        self.explicit = explicit
        self.built = Workflow()
        #: The node built alongside for each original id: a link's source in the script.
        self.twin: dict[str, GraphNode] = {}
        self.forms: dict[str, Form] = {}
        self._pack_widgets: dict[str, set[str]] = {}

    def decide(self, order: Iterable[GraphNode]) -> None:
        """Decide the form of each node, sources first (the catalog in force is the script's)."""
        originals = {}
        with self.built:
            for node in order:
                originals[node.id] = node
                self.forms[node.id] = self._decide(node)
        self._leave_missing_inputs_unchecked(originals)

    def _decide(self, node: GraphNode) -> Form:
        tried = self._typed(node, self.catalog.get(node.class_type))
        if isinstance(tried, Form):
            problem = self._try(node, tried)
            if problem is None:
                return tried
        else:
            problem = tried
        form = Form(node.id, node.class_type, UNCHECKED, dict(node.inputs), reasons=[problem])
        form.node_id = node.id if self.keep_ids else None
        title, extra = _split_meta(node.meta)
        if extra is None:
            form.meta = node.meta  # an odd title, or an empty _meta: written whole
        else:
            form.title, form.meta = title, extra or None
        self._make(form)
        return form

    def _typed(self, node: GraphNode, definition: NodeDef | None) -> Form | str:
        """The typed call that should give back ``node``, or why there is none."""
        title, extra = _split_meta(node.meta)
        if extra is None:
            return "its _meta is not a title and keys with_meta can add"
        form = Form(node.id, node.class_type, node.class_type, {}, title=title)
        form.meta = extra or None
        form.node_id = node.id if self.keep_ids else None
        if definition is None:
            form.callee = UNTYPED
            for name, value in node.inputs.items():
                if _keyword(name) and name not in _CONTROL:
                    form.keywords[name] = _natural(value)
                else:
                    form.extra[name] = _natural(value)
            return form
        if form.node_id is not None and "id" in definition.inputs:
            return f"{node.class_type} has an input named id, so a call cannot set the node's id"
        pack_widgets = self._pack_widgets.get(definition.name)
        if pack_widgets is None:
            pack_widgets = definition.format_widget_names() - set(definition.inputs)
            self._pack_widgets[definition.name] = pack_widgets
        defaults = definition.required_defaults
        for name, value in node.inputs.items():
            if name in definition.inputs:
                if (
                    not self.explicit
                    and name in defaults
                    and type(value) is not Output
                    and _identical(value, defaults[name])
                ):
                    continue  # the call fills it in
                word = name if _keyword(name) else None
                alias = _alias(name)
                if word is None and definition.aliases.get(alias) == name:
                    word = alias
                if word is None:
                    form.starred[name] = _natural(value)
                else:
                    form.keywords[word] = _natural(value)
            elif name in pack_widgets:
                (form.keywords if _keyword(name) else form.starred)[name] = _natural(value)
            elif "extra_inputs" in definition.inputs:
                return (
                    f"{node.class_type} has an input named extra_inputs, so a call cannot pass "
                    f"{name!r}, which its definition does not declare"
                )
            else:
                form.extra[name] = _natural(value)
        form.title_after = "title" in definition.inputs and form.title is not None
        return form

    def _try(self, node: GraphNode, form: Form) -> str | None:
        """Make ``form`` alongside; None when it gives back ``node``, else what differs."""
        try:
            made = self._make(form)
        except (ComfyDSLError, TypeError, ValueError) as error:
            return _reason(error)
        difference = self._difference(node, made)
        if difference is not None:
            # Taken back out: the unchecked node made instead takes its place and its number.
            del self.built.nodes[made.id]
            if not self.keep_ids:
                self.built.next_id = int(made.id)
        return difference

    def _make(self, form: Form) -> GraphNode:
        keywords = {k: self._linked(v) for k, v in form.keywords.items()}
        starred = {k: self._linked(v) for k, v in form.starred.items()}
        extra = {k: self._linked(v) for k, v in form.extra.items()}
        made: GraphNode
        if form.callee == UNCHECKED:
            made = unchecked_node(
                form.class_type, keywords, title=form.title, id=form.node_id, meta=form.meta
            )
        else:
            controls: dict[str, Any] = {}
            if form.title is not None and not form.title_after:
                controls["title"] = form.title
            if form.node_id is not None:
                controls["id"] = form.node_id
            if extra:
                controls["extra_inputs"] = extra
            if form.callee == UNTYPED:
                made = Node(form.class_type, **controls, **keywords, **starred)
            else:
                made = _call(node_class(form.callee), keywords, starred, controls)
            if form.title_after:
                made.title = form.title
            if form.meta:
                with_meta(made, form.meta)
        self.twin[form.source_id] = made
        return made

    def _linked(self, value: Any) -> Any:
        """A value as the script passes it: a link from the node built alongside."""
        if type(value) is Output:
            return self.twin[value.node.id].output(value.index)
        return value

    def _difference(self, node: GraphNode, made: GraphNode) -> str | None:
        if self.keep_ids and made.id != node.id:
            return f"the call would make node {made.id!r}"
        if (node.meta or None) != (made.meta or None):
            return "the call would give another _meta"
        for name, value in made.inputs.items():
            if name not in node.inputs:
                return f"a call would add {name!r} = {_short(value)}, which the node leaves out"
        for name, value in node.inputs.items():
            got = made.inputs.get(name, _GONE)
            if got is _GONE:
                return f"a call would leave {name!r} out"
            if type(value) is Output:
                if type(got) is not Output or (got.node, got.index) != (
                    self.twin[value.node.id],
                    value.index,
                ):
                    return f"a call would link {name!r} elsewhere"
            elif not _identical(value, got):
                return f"a call would store {name!r} as {_short(got)}, not {_short(value)}"
        return None

    def _leave_missing_inputs_unchecked(self, originals: Mapping[str, GraphNode]) -> None:
        """Nodes built by a call that lack a required input: compiling refuses those where the
        server would run them, and a type checker refuses the call anywhere (the stub makes a
        required link a required argument), so they are made unchecked, as a file's nodes are."""
        lacking = {error.node_id for error in missing_inputs(self.built)}
        if not lacking:
            return
        source_of = {id(made): source for source, made in self.twin.items()}
        for made_id in sorted(i for i in lacking if i is not None):
            form = self.forms[source_of[id(self.built.nodes[made_id])]]
            if form.callee == UNCHECKED:
                continue
            node = originals[form.source_id]
            required = self.catalog[node.class_type].required_names
            empty = ", ".join(repr(n) for n in required if n not in node.inputs)
            form.callee = UNCHECKED
            form.keywords, form.starred, form.extra = dict(node.inputs), {}, {}
            form.title_after = False
            form.reasons.append(
                f"it lacks the required {empty}, which a call needs (and compiling, where the "
                "server would run the node)"
            )


_GONE = object()


def _call(
    make: Any, keywords: dict[str, Any], starred: dict[str, Any], controls: dict[str, Any]
) -> GraphNode:
    """A node class's call, from a function of a few lines: where the call records its line
    (a walk of the calling code's line table), this one is short to walk."""
    made: GraphNode = make(**keywords, **starred, **controls)
    return made


def _split_meta(meta: Mapping[str, Any] | None) -> tuple[str | None, dict[str, Any] | None]:
    """A node's ``_meta`` as its title (a call's ``title=``) and the other keys (``with_meta``);
    None for the keys when it cannot be written so (a title that is not a string, an empty
    ``_meta``, which a call would leave out)."""
    if meta is None:
        return None, {}
    title = meta.get("title")
    if not meta or ("title" in meta and type(title) is not str):
        return None, None
    return title, {key: value for key, value in meta.items() if key != "title"}


def _reason(error: Exception) -> str:
    """Why a call failed, in a line: the error's own sentence, without the call site (which is
    this module's, not the script's)."""
    if isinstance(error, NodeError):
        subject = f"{error.input_name!r}: " if error.input_name else ""
        text = f"{subject}{error.detail}"
    elif isinstance(error, CallError):
        text = error.detail
    else:
        text = str(error)
    lines = text.splitlines()
    return lines[0] if lines else type(error).__name__


@functools.lru_cache(maxsize=4096)
def _keyword(name: str) -> bool:
    """Whether ``name`` can be written as a keyword argument as it is (names repeat: cached)."""
    return PythonIdentifier.exact(name) is not None


@functools.lru_cache(maxsize=4096)
def _alias(name: str) -> PythonIdentifier:
    return PythonIdentifier(name)


def _natural(value: Any) -> Any:
    """A value as a call is best given it: a wrapped list ``{"__value__": [...]}`` as the list
    (a call wraps it again); anything else as it is."""
    if isinstance(value, Mapping) and len(value) == 1 and isinstance(value.get("__value__"), list):
        return list(value["__value__"])
    return value


def _identical(a: Any, b: Any) -> bool:
    """Equal as JSON, type for type (``1`` is not ``1.0`` nor ``True``), NaN equal to NaN."""
    if isinstance(a, Mapping):
        return (
            isinstance(b, Mapping) and list(a) == list(b) and all(_identical(a[k], b[k]) for k in a)
        )
    if isinstance(a, (list, tuple)):
        return (
            isinstance(b, (list, tuple))
            and type(a) is not Output
            and type(b) is not Output
            and len(a) == len(b)
            and all(_identical(x, y) for x, y in zip(a, b, strict=True))
        )
    if type(a) is float and type(b) is float and math.isnan(a):
        return math.isnan(b)
    if type(a) is LocalFile or type(b) is LocalFile:
        return type(a) is type(b) and a.path == b.path
    return type(a) is type(b) and a == b


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
