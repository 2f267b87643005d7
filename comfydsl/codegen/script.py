"""A workflow as a readable comfydsl script: what ``comfydsl import`` writes.

``to_script(workflow)`` writes one statement per node, in an order where every node comes after
the nodes it takes links from (the file's own order where it already is one):

    load_checkpoint = CheckpointLoaderSimple(ckpt_name="sd15.safetensors", title="Load Checkpoint")
    positive = CLIPTextEncode(text="a lighthouse", clip=load_checkpoint.CLIP, title="Positive")

Variables are named after the node's title, else its class (``comfydsl.names.Namespace``: never
a keyword, a builtin or a name the script imports); a link is the source's variable and output
name; inputs are keyword arguments (``**{"odd name": ...}`` for a name Python cannot take as a
keyword); a required widget whose value is its default is left out, unless ``explicit``; titles
are kept; a class the catalog does not know is made with ``Node("Class", ...)``.

What the script builds is the workflow it was made from: its prompt is the same, node for node
and value for value (type for type: ``1`` stays an int, ``1.0`` a float), with the same ids when
``keep_ids`` and ids numbered 1, 2, ... in the script's order otherwise. That is not left to
prediction: each node's statement is tried as it is written, in a workflow built alongside, and
compared with the node it stands for. A node that a typed call would not give back exactly (a
value the catalog refuses, a required widget left out, which a call would fill in, a required
input left empty in a node the server would run, which compiling refuses, ``_meta`` beyond the
title) is written with ``comfydsl.unchecked_node``, under a comment that says why.

Nothing of the workflow's text becomes code: every string goes through ``render.literal``,
every comment through ``render.comment``, every name through ``PythonIdentifier``, and the
template refuses anything else. Links that form a loop cannot be written as calls in order: they
are a ScriptWriteError.
"""

from __future__ import annotations

import functools
import heapq
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from comfydsl.catalog import Catalog, active_catalog, bundled_catalog, set_catalog
from comfydsl.catalog.catalog import catalog_var
from comfydsl.catalog.packs import pack_catalog, pack_of
from comfydsl.codegen.forms import UNCHECKED, UNTYPED, Form, Forms
from comfydsl.codegen.render import Code, comment, environment, literal
from comfydsl.codegen.stubs import declarable
from comfydsl.errors import ScriptWriteError
from comfydsl.graph import FROM_NODE, Output, OutputsView
from comfydsl.graph import Node as GraphNode
from comfydsl.graph import Workflow as GraphWorkflow
from comfydsl.names import Namespace, PythonIdentifier
from comfydsl.validation.workflow import find_cycles
from comfydsl.values import LocalFile

if TYPE_CHECKING:
    import jinja2

__all__ = ["TEMPLATE", "WIDTH", "WITH_META", "Constant", "Statement", "to_script"]

TEMPLATE = "workflow_script.py.jinja"

#: The function that adds _meta beyond the title to a node (comfydsl.formats.exported).
WITH_META = "with_meta"

#: The widest a statement is written on one line; longer ones take a line per argument.
WIDTH = 100


def to_script(
    workflow: GraphWorkflow,
    *,
    keep_ids: bool = False,
    explicit: bool = False,
    catalog: Catalog | None = None,
    origin: str | None = None,
    command: str | None = None,
) -> str:
    """The text of a comfydsl script that builds ``workflow`` (see the module's docstring).

    ``keep_ids`` gives every node its id (``id="5"``), so that the compiled prompt is the same
    to the byte of every id; ``explicit`` writes the required widgets that hold their default
    too. ``catalog`` is the one the script is meant to compile against (default: the one in
    force); its classes are written as typed calls. A class of a node pack that ships with
    comfydsl (comfydsl.catalog.packs) is typed too: the script enables its pack
    (``use_packs("vhs")``) before it imports node classes. ``origin`` (the file the workflow
    came from) and ``command`` (the one that wrote the script) are named in the header.

        from comfydsl import load_prompt
        from comfydsl.codegen.script import to_script

        text = to_script(load_prompt("exported.json"), origin="exported.json")
    """
    catalog = catalog if catalog is not None else active_catalog()
    _check_writable(workflow)
    order, part = _order(workflow)
    packs = _packs_needed(workflow, catalog)
    if packs:
        catalog = catalog.merged(*(pack_catalog(name) for name in packs))
    forms = Forms(catalog, keep_ids=keep_ids, explicit=explicit)
    token = set_catalog(catalog)  # (use_catalog would copy it: a cost per script)
    try:
        forms.decide(order)
    finally:
        catalog_var.reset(token)
    writer = _Writer(forms, packs)
    constants = writer.constants()
    statements = writer.statements(order, part)
    return _template().render(
        header=_header(workflow, origin, command, keep_ids),
        imports=writer.imports(),
        constants=constants,
        constants_comment=[comment(line) for line in _CONSTANTS_COMMENT],
        statements=statements,
    )


@functools.cache
def _template() -> jinja2.Template:
    """The script's template, compiled once (compiling it costs more than rendering a script)."""
    return environment().get_template(TEMPLATE)


#: What the constants of _meta are, said above them.
_CONSTANTS_COMMENT = (
    "What the editor recorded beside each node's title: the server ignores _meta, the script",
    "keeps it (with_meta) so that it compiles to the very prompt exported.",
)


# -- the order ------------------------------------------------------------------------------------


def _check_writable(workflow: GraphWorkflow) -> None:
    """Refuse what no statement can make: a bare list of two as a value (a prompt reads it as
    a link, here one that cannot be followed), keys of a node besides ``inputs``,
    ``class_type`` and ``_meta`` (``is_changed``), an ``inputs`` or ``_meta`` that is not an
    object (load_prompt keeps them, for wf.check() to report)."""
    problems = []
    for node_id, node in workflow.nodes.items():
        where = f"node {node_id!r} ({node.class_type})"
        for name, value in node.inputs.items():
            if type(value) is not Output and isinstance(value, list) and len(value) == 2:
                problems.append(
                    f"{where}, input {name!r}: {value!r} reads as a link that cannot be "
                    "followed (to a node not in the workflow, or not of [id, index])"
                )
        for key, raw in (workflow.layouts or {}).get(node_id, ()):
            if raw is FROM_NODE:
                continue  # the node's own inputs, class or _meta, in another order: no matter
            if key in ("inputs", "_meta"):
                problems.append(f"{where}: its {key} is not an object ({type(raw).__name__})")
            else:
                problems.append(f"{where}: its key {key!r}, which no node call sets")
    if problems:
        listed = "; ".join(problems[:10]) + ("; ..." if len(problems) > 10 else "")
        raise ScriptWriteError(f"a script cannot make what the workflow holds: {listed}")


def _order(workflow: GraphWorkflow) -> tuple[list[GraphNode], dict[str, int]]:
    """The nodes with every link's source first: connected part by connected part (in the
    order of their first node), each in the file's order where that allows; and the part of
    each node (by id)."""
    nodes = list(workflow.nodes.values())
    position = {node.id: i for i, node in enumerate(nodes)}
    waiting = [0] * len(nodes)
    consumers: list[list[int]] = [[] for _ in nodes]
    for i, node in enumerate(nodes):
        for value in node.inputs.values():
            if type(value) is Output:
                source = position.get(value.node.id)
                if source is None or workflow.nodes[value.node.id] is not value.node:
                    raise ScriptWriteError(
                        f"node {node.id!r} ({node.class_type}) takes a link from node "
                        f"{value.node.id!r}, which is not in the workflow"
                    )
                waiting[i] += 1
                consumers[source].append(i)
    part = _components(nodes)
    rank = {node.id: (part[node.id], i) for i, node in enumerate(nodes)}
    ready = [rank[nodes[i].id] for i, count in enumerate(waiting) if count == 0]
    heapq.heapify(ready)
    order: list[GraphNode] = []
    while ready:
        i = heapq.heappop(ready)[1]
        order.append(nodes[i])
        for consumer in consumers[i]:
            waiting[consumer] -= 1
            if waiting[consumer] == 0:
                heapq.heappush(ready, rank[nodes[consumer].id])
    if len(order) < len(nodes):
        loop = find_cycles(workflow)[0]
        chain = " -> ".join(f"{n.class_type}#{n.id}" for n in reversed(loop))
        raise ScriptWriteError(
            f"links form a loop ({chain} -> {loop[-1].class_type}#{loop[-1].id}): a script "
            "makes each node after the nodes it takes links from, so a loop cannot be written"
        )
    return order, part


# -- the statements --------------------------------------------------------------------------------


@dataclass
class Statement:
    """One node's statement, laid out by the template: ``assign callee(args)`` then ``after``.

    ``wrap`` is the constant of the node's ``_meta`` beyond its title, when it has one: the call
    is then written inside ``with_meta(..., wrap)``.
    """

    callee: Code
    assign: Code | None = None
    comments: list[Code] = field(default_factory=list)
    head: list[Code] = field(default_factory=list)
    entries: list[Code] | None = None
    keywords: list[Code] = field(default_factory=list)
    starred: list[Code] | None = None
    wrap: Code | None = None
    after: list[Code] = field(default_factory=list)
    blank_before: bool = False

    @functools.cached_property
    def args(self) -> list[Code]:
        """The arguments as one line writes them (asked once the statement is made)."""
        found = list(self.head)
        if self.entries is not None:
            found.append(Code("{" + ", ".join(self.entries) + "}"))
        found += self.keywords
        if self.starred is not None:
            found.append(Code("**{" + ", ".join(self.starred) + "}"))
        return found

    @functools.cached_property
    def layout(self) -> str:
        """``line`` (all on one line), ``inner line`` (``with_meta(`` on a line, the call on
        the next, the constant after) or ``lines`` (one argument a line)."""
        args = self.args
        if any("\n" in a for a in args):
            return "lines"
        call = len(self.callee) + 2 + sum(len(a) + 2 for a in args) - (2 if args else 0)
        if self.wrap is None:
            return "line" if len(self.assign or "") + call <= WIDTH else "lines"
        if len(self.assign or "") + len("with_meta(") + call + len(self.wrap) + 3 <= WIDTH:
            return "line"
        return "inner line" if 4 + call + 1 <= WIDTH else "lines"

    @property
    def comma(self) -> Code:
        """What follows the call's closing parenthesis inside ``with_meta(``: a comma."""
        return Code("," if self.wrap is not None else "")

    @property
    def pad(self) -> Code:
        """How far a multi-line call is indented: inside ``with_meta(`` or not."""
        return Code("    " if self.wrap is not None else "")


@dataclass
class Constant:
    """A module-level constant of the script: ``name = value``."""

    name: PythonIdentifier
    value: Code


def _packs_needed(workflow: GraphWorkflow, catalog: Catalog) -> list[str]:
    """The bundled node packs whose classes the workflow uses and ``catalog`` lacks (or has as
    the pack has them): the script enables them itself, so that it compiles anywhere."""
    stock = bundled_catalog()
    needed: list[str] = []
    for class_type in dict.fromkeys(node.class_type for node in workflow.nodes.values()):
        if class_type in stock:
            continue
        pack = pack_of(class_type)
        if pack is None or pack in needed:
            continue
        known = catalog.get(class_type)
        if known is None or known.raw == pack_catalog(pack).raw(class_type):
            needed.append(pack)
    return sorted(needed)


class _Writer:
    """Writes each node's statement from its form (comfydsl.codegen.forms)."""

    def __init__(self, forms: Forms, packs: Sequence[str] = ()) -> None:
        self.forms = forms
        self.packs = list(packs)
        self.names = Namespace((UNTYPED, UNCHECKED, WITH_META, "comfydsl", "Path", "use_packs"))
        self.classes: dict[str, PythonIdentifier | None] = {}  # class -> its imported name
        self.variables: dict[str, PythonIdentifier] = {}  # node id -> its variable
        self.meta: dict[str, PythonIdentifier] = {}  # node id -> its _meta's constant
        self.used: set[str] = set()  # UNTYPED, UNCHECKED, "Path"

    def constants(self) -> list[Constant]:
        """One constant per distinct ``_meta`` beyond the titles, named after the pack the
        editor says the classes come from: ``COMFY_CORE = {"cnr_id": "comfy-core", ...}``."""
        made: dict[Any, Constant] = {}
        for form in self.forms.forms.values():
            meta = form.meta
            if meta is None:
                continue
            key = _meta_key(meta)
            if key not in made:
                origin = meta.get("cnr_id") or meta.get("aux_id")
                text = origin if isinstance(origin, str) else "editor meta"
                name = self.names.fresh(text, fallback="editor meta", constant=True)
                made[key] = Constant(name, literal(dict(meta), nan=True))
            self.meta[form.source_id] = made[key].name
        return list(made.values())

    def statements(self, order: Sequence[GraphNode], part: Mapping[str, int]) -> list[Statement]:
        linked = {v.node.id for n in order for v in n.inputs.values() if type(v) is Output}
        for node in order:
            form = self.forms.forms[node.id]
            if node.id in linked or form.title_after:
                self.variables[node.id] = self.names.fresh(_label(node), fallback=node.class_type)
        found = []
        for i, node in enumerate(order):
            statement = self._statement(node, self.forms.forms[node.id])
            statement.blank_before = i > 0 and part[node.id] != part[order[i - 1].id]
            found.append(statement)
        return found

    def _statement(self, node: GraphNode, form: Form) -> Statement:
        variable = self.variables.get(node.id)
        assign = Code(f"{variable} = ") if variable is not None else None
        if form.callee == UNCHECKED:
            self.used.add(UNCHECKED)
            return Statement(
                Code(UNCHECKED),
                assign,
                comments=[comment(f"As exported, unchecked: {'; '.join(form.reasons)}")],
                head=[literal(node.class_type)],
                entries=[Code(f"{literal(k)}: {self._value(v)}") for k, v in form.keywords.items()],
                keywords=self._controls(form),
            )
        name = None if form.callee == UNTYPED else self._import(form.callee)
        statement = Statement(Code(name) if name is not None else Code(UNTYPED), assign)
        if name is None:
            self.used.add(UNTYPED)
            statement.head = [literal(node.class_type)]
        # (The keywords are identifiers as they are: codegen.forms put no other name there.)
        statement.keywords = [Code(f"{k}={self._value(v)}") for k, v in form.keywords.items()]
        if form.extra:
            extra = ", ".join(f"{literal(k)}: {self._value(v)}" for k, v in form.extra.items())
            statement.keywords.append(Code(f"extra_inputs={{{extra}}}"))
        statement.keywords += self._controls(form)
        if form.starred:
            statement.starred = [
                Code(f"{literal(k)}: {self._value(v)}") for k, v in form.starred.items()
            ]
        if form.title_after and form.title is not None:
            statement.after.append(Code(f"{variable}.title = {self._text(form.title)}"))
        if form.meta is not None:
            self.used.add(WITH_META)
            statement.wrap = Code(self.meta[form.source_id])
        return statement

    def _controls(self, form: Form) -> list[Code]:
        found = []
        if form.title is not None and not form.title_after:
            found.append(Code(f"title={self._text(form.title)}"))
        if form.node_id is not None:
            found.append(Code(f"id={_id_literal(form.node_id)}"))
        if form.meta is not None and form.callee == UNCHECKED:
            found.append(Code(f"meta={self.meta[form.source_id]}"))
        return found

    def _import(self, class_type: str) -> PythonIdentifier | None:
        if class_type not in self.classes:
            name = self.names.claim(class_type) if declarable(class_type) else None
            self.classes[class_type] = name
        return self.classes[class_type]

    def _value(self, value: Any) -> Code:
        if type(value) is Output:
            return self._reference(value)
        if type(value) is LocalFile:
            self.used.add("Path")
            return Code(f"Path({literal(str(value.path))})")
        if isinstance(value, str):
            return self._text(value)
        return literal(value, nan=True)

    @staticmethod
    def _text(value: str) -> Code:
        return literal(value, multiline="\n" in value)

    def _reference(self, link: Output) -> Code:
        """A link as the script writes it: ``load_checkpoint.MODEL``, ``node[0]``, ``node.output(7)``."""
        variable = self.variables[link.node.id]
        made = self.forms.twin[link.node.id]
        index = link.index
        definition = made.definition
        form = self.forms.forms[link.node.id]
        # A class's call is typed (the stub names its outputs); Node(...) and unchecked_node
        # give a plain Node, whose outputs by name are reached through node.out.
        typed = form.callee not in (UNTYPED, UNCHECKED) and self.classes.get(form.callee)
        if definition is not None and 0 <= index < len(definition.outputs):
            attr = definition.outputs[index].attr
            if PythonIdentifier(attr).dunder or hasattr(OutputsView, attr):  # node.out's own
                return Code(f"{variable}[{index}]")
            if typed and isinstance(type(made).__dict__.get(attr), property):  # see node_type
                return Code(f"{variable}.{attr}")
            return Code(f"{variable}.out.{attr}")
        if definition is None and index >= 0:
            return Code(f"{variable}[{index}]")
        return Code(f"{variable}.output({index})")

    def imports(self) -> list[Code]:
        """The script's import lines, the standard library's first."""
        lines = []
        if "Path" in self.used:
            lines += [Code("from pathlib import Path"), Code("")]
        own = sorted(self.used & {UNTYPED, UNCHECKED, WITH_META})
        if own:
            lines.append(Code(f"from comfydsl import {', '.join(own)}"))
        names = sorted((n for n in self.classes.values() if n is not None), key=_import_order)
        late = ""
        if self.packs:
            lines.append(Code("from comfydsl.catalog import use_packs"))
            lines.append(Code(""))
            lines.append(Code(f"use_packs({', '.join(literal(p) for p in self.packs)})"))
            lines.append(Code(""))
            late = "  # noqa: E402  (after use_packs, which makes the packs importable)"
        line = f"from comfydsl.nodes import {', '.join(names)}"
        if names and len(line + late) <= WIDTH:
            lines.append(Code(line + late))
        elif names:
            lines.append(Code(f"from comfydsl.nodes import ({late}"))
            lines += [Code(f"    {name},") for name in names]
            lines.append(Code(")"))
        return lines


# -- helpers ---------------------------------------------------------------------------------------


def _meta_key(meta: Mapping[str, Any]) -> Any:
    """A key equal for equal ``_meta`` records: their items, or their JSON when not hashable."""
    try:
        items = tuple(meta.items())
        hash(items)
        return items
    except TypeError:
        return json.dumps(meta, sort_keys=True, ensure_ascii=False, allow_nan=True)


def _import_order(name: str) -> tuple[int, str, str]:
    """isort's order (ruff's too): CONSTANTS, then Classes, then other names, each A to z."""
    kind = 0 if len(name) > 1 and name.isupper() else 1 if name[0].isupper() else 2
    return kind, name.lower(), name


def _label(node: GraphNode) -> str:
    """What a node's variable is named after: its title when that is ASCII text, else its class
    (a title in another script says little once its letters are gone)."""
    title = node.title
    return title if isinstance(title, str) and title.isascii() else node.class_type


def _id_literal(node_id: str) -> Code:
    """An id as the call takes it: ``5`` for the id "5", a string otherwise."""
    if node_id.isascii() and node_id.isdigit() and str(int(node_id)) == node_id:
        return Code(node_id)
    return literal(node_id)


def _components(order: Iterable[GraphNode]) -> dict[str, int]:
    """Each node's connected part of the graph (links either way), numbered in order."""
    parent: dict[str, str] = {}

    def find(node_id: str) -> str:
        root = node_id
        while parent[root] != root:
            root = parent[root]
        while parent[node_id] != root:
            parent[node_id], node_id = root, parent[node_id]
        return root

    for node in order:
        parent.setdefault(node.id, node.id)
        for value in node.inputs.values():
            if type(value) is Output:
                parent.setdefault(value.node.id, value.node.id)
                parent[find(value.node.id)] = find(node.id)
    numbers: dict[str, int] = {}
    return {node.id: numbers.setdefault(find(node.id), len(numbers)) for node in order}


def _header(
    workflow: GraphWorkflow, origin: str | None, command: str | None, keep_ids: bool
) -> list[Code]:
    where = f", imported from {origin}" if origin else ""
    ids = "with the same node ids" if keep_ids else "with its nodes numbered 1, 2, ... in order"
    count = len(workflow.nodes)
    lines = [
        f"A comfydsl workflow of {count} node{'s' if count != 1 else ''}{where}.",
        f"Made by: {command or 'comfydsl.codegen.script.to_script'}",
        f"Compiled (comfydsl compile), it gives back the same prompt, {ids}.",
    ]
    return [comment(line) for line in lines]
