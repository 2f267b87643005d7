"""One node class as the stub declares it: its call's signatures, its node's typed outputs.

The call takes one parameter per input that a keyword can set (named by its Python form), in the
definition's order, positional or by keyword as at run time, plus the control keywords ``title``,
``id`` and ``extra_inputs``. Each parameter's type is what the server takes there: literals of
its kind (a ``Literal`` of the choices of a combo), and links of the output types that fit (see
``link_types``). An input the call must give (a required link, or a required widget with no
default) has no default in the stub, so that leaving it out is a type error.

Python cannot say "required, after optional ones" in one signature, yet ComfyUI puts required
links after widgets that have defaults (KSampler: ``model, seed, ..., scheduler, positive, ...``).
Such a call gets one signature per way of giving those inputs (``signatures``): by keyword after
the optional ones, or by position through them. Each signature takes a different number of
positional arguments, so a type checker knows which one a call meant and reports its own errors.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from comfydsl.catalog import InputSpec, NodeDef
from comfydsl.catalog.model import MISSING
from comfydsl.codegen.link_types import LinkTypes, takes_links
from comfydsl.codegen.render import Code, literal
from comfydsl.codegen.stub_docs import (
    NODE_ATTRIBUTES,
    call_doc,
    doc_literal,
    node_doc,
    output_doc,
    summary,
)
from comfydsl.names import PythonIdentifier

__all__ = [
    "RUNTIME_NAMES",
    "TEMPLATE_NAMES",
    "StubClass",
    "StubItem",
    "StubOutput",
    "StubParam",
    "StubSignature",
    "annotation",
    "declarable",
    "has_property",
    "keyword_names",
    "needed_inputs",
    "own_names",
    "pack_widget_names",
    "signatures",
    "stub_class",
]

#: Names that ``comfydsl/nodes/__init__.py`` itself defines: ``from comfydsl.nodes import X``
#: gives those objects, not a node class, so a node class of that name is left undeclared.
#: (tests/unit/test_stubs.py checks this against the module.)
RUNTIME_NAMES = frozenset(
    {
        "Any",
        "Catalog",
        "CatalogNodes",
        "NodeClass",
        "active_catalog",
        "annotations",
        "from_catalog",
        "node_class",
    }
)

#: Builtins the template names in annotations: a module-level node class of that name would
#: shadow them for the whole stub.
_TEMPLATE_BUILTINS = frozenset({"bool", "float", "int", "list", "object", "property", "str"})

#: The private names the template imports or defines; no name made from a catalog takes one.
TEMPLATE_NAMES = frozenset(
    {
        "_Any",
        "_Catalog",
        "_Iterator",
        "_Literal",
        "_Mapping",
        "_Node",
        "_Output",
        "_Protocol",
        "_PurePath",
        "_overload",
    }
)

#: Names that the body of a node's class uses besides the output classes: an output property of
#: that name would shadow them.
_CLASS_BODY_NAMES = frozenset({"int", "property", "_Iterator", "_Literal", "_Output", "_overload"})

#: The control keywords of node calls and their types.
_CONTROL_KEYWORDS = (
    ("title", "str | None"),
    ("id", "str | int | None"),
    ("extra_inputs", "_Mapping[str, _Any] | None"),
)

_ELLIPSIS = Code("...")

#: Literal values of each scalar kind, as the server converts them (``int("48")``, ``str(3)``).
_SCALARS = {
    "INT": "int | float | str",
    "FLOAT": "float | int | str",
    "STRING": "str | int | float | bool",
    "BOOLEAN": "bool",
}


@dataclass(frozen=True)
class StubParam:
    """One parameter of a node call: its Python name, its annotation, its default (None: none)."""

    name: PythonIdentifier
    annotation: Code
    default: Code | None = _ELLIPSIS


@dataclass(frozen=True)
class StubSignature:
    """One signature of a node call: positional-only, positional-or-keyword, keyword-only."""

    positional_only: tuple[StubParam, ...]
    positional: tuple[StubParam, ...]
    keyword_only: tuple[StubParam, ...]


@dataclass(frozen=True)
class StubOutput:
    """One typed output property of a node's class."""

    attr: PythonIdentifier
    type: PythonIdentifier
    doc: Code


@dataclass(frozen=True)
class StubItem:
    """``node[index]``: an output by its index, and its class."""

    index: int
    type: PythonIdentifier


@dataclass(frozen=True)
class StubClass:
    """What the template needs to declare one node class."""

    name: PythonIdentifier
    callable_class: PythonIdentifier
    node_class: PythonIdentifier
    node_base: PythonIdentifier
    self_name: PythonIdentifier
    #: Every parameter a keyword can set, positional ones first (the keyword form of the call).
    positional: tuple[StubParam, ...]
    keyword_only: tuple[StubParam, ...]
    signatures: tuple[StubSignature, ...]
    doc: Code
    summary: Code
    node_doc: Code
    properties: tuple[StubOutput, ...]
    items: tuple[StubItem, ...]
    iter_type: PythonIdentifier
    outputs_doc: Code
    unpack_doc: Code

    @property
    def has_outputs(self) -> bool:
        """Whether the node has outputs (else it is neither indexed nor unpacked)."""
        return bool(self.items)


def declarable(class_name: str) -> bool:
    """Whether the stub can declare a class under this name (else it is reached by __getattr__).

    The name must be a Python name as it is (``PythonIdentifier.exact``), and public: a leading
    ``_`` is the stub's own (``_Output``, ``_KSampler_Class``).
    """
    return (
        PythonIdentifier.exact(class_name) is not None
        and not class_name.startswith("_")
        and class_name not in RUNTIME_NAMES
        and class_name not in _TEMPLATE_BUILTINS
    )


def own_names(class_name: str) -> tuple[PythonIdentifier, PythonIdentifier]:
    """The private names a declared class takes in the stub: its call's class, its node's class."""
    return PythonIdentifier(f"_{class_name}_Class"), PythonIdentifier(f"_{class_name}_Node")


def stub_class(
    definition: NodeDef, links: LinkTypes | None = None, *, origin: str | None = None
) -> StubClass:
    """The declaration of one node class: its call's signatures, docstrings and output properties.

    ``links`` types the links of the whole stub (made from this definition alone when None);
    ``origin`` says where the class comes from (a bundled node pack), for its docstrings. Every
    parameter is a keyword the call takes (see keyword_names), each name written once.
    """
    name = PythonIdentifier(definition.name)
    if name != definition.name:
        raise ValueError(f"{definition.name!r} is not declarable in a stub (see declarable())")
    callable_class, node_class = own_names(name)
    if links is None:
        links = LinkTypes([definition], TEMPLATE_NAMES | {name, callable_class, node_class})
    widgets = pack_widget_names(definition)
    names = keyword_names(definition)
    needed = needed_inputs(definition, names)
    positional: list[StubParam] = []
    keyword_only: list[StubParam] = []
    in_order = True
    for input_name in definition.positional:
        python = names.get(input_name)
        if python is None:
            # No keyword sets it (its Python form is taken), so a typed call cannot give it, nor
            # the inputs after it by position: those become keyword-only.
            in_order = False
            continue
        default = None if input_name in needed else _ELLIPSIS
        param = StubParam(python, annotation(definition.inputs[input_name], links), default)
        (positional if in_order else keyword_only).append(param)
    taken: set[str] = {p.name for p in (*positional, *keyword_only)}
    for widget in widgets:
        # A widget of some choices of a combo (VHS_VideoCombine's crf, say): its type depends
        # on the choice, which the call checks; the stub only lets the keyword through.
        if widget not in taken:
            keyword_only.append(StubParam(widget, Code("_Any")))
            taken.add(widget)
    for control, control_type in _CONTROL_KEYWORDS:
        # An input or a pack widget of that name takes the keyword (bind_call gives it to them).
        if control not in taken:
            keyword_only.append(
                StubParam(PythonIdentifier(control), Code(control_type), Code("None"))
            )
            taken.add(control)
    # The call's receiver (positional-only when renamed): a name no parameter has, and never
    # one with a leading "__", which Python would rewrite into another parameter's name.
    self_name = next(
        name
        for name in itertools.chain(("self", "_self"), (f"_self_{n}" for n in itertools.count(2)))
        if name not in taken
    )
    body_names = _CLASS_BODY_NAMES | {links.output(o.type_key) for o in definition.outputs}
    properties = tuple(
        StubOutput(
            attr, links.output(o.type_key), output_doc(o.index, o.name, o.type, o.attr, o.is_list)
        )
        for o in definition.outputs
        if (attr := _property_name(o.attr, body_names)) is not None
    )
    items = tuple(StubItem(o.index, links.output(o.type_key)) for o in definition.outputs)
    out_names = ", ".join(o.attr for o in definition.outputs)
    return StubClass(
        name=name,
        callable_class=callable_class,
        node_class=node_class,
        node_base=links.node_base(definition) or PythonIdentifier("_Node"),
        self_name=PythonIdentifier(self_name),
        positional=tuple(positional),
        keyword_only=tuple(keyword_only),
        signatures=signatures(positional, keyword_only),
        doc=call_doc(definition, names, frozenset(needed), origin),
        summary=summary(definition, origin),
        node_doc=node_doc(definition),
        properties=properties,
        items=items,
        iter_type=items[0].type if len(items) == 1 else PythonIdentifier("_Output"),
        outputs_doc=doc_literal(
            "Outputs by index: "
            + ", ".join(f"{o.index} {o.attr}" for o in definition.outputs)
            + "."
        ),
        unpack_doc=doc_literal(
            f"Unpacks to the outputs in order: {out_names}."
            + (
                ""
                if len(items) == 1
                else " (A type checker cannot tell them apart: "
                "name them, node.NAME, or index them, node[0], to type them.)"
            )
        ),
    )


def signatures(
    positional: Sequence[StubParam], keyword_only: Sequence[StubParam]
) -> tuple[StubSignature, ...]:
    """The call's signatures: one, or one per run of optional inputs before a required one.

    With ``h_1 < h_2 < ...`` the positions of the first required input after each run of
    optional ones, signature 0 takes inputs before ``h_1`` by position (or keyword) and the rest
    by keyword only; signature k takes ``0..h_k`` by position only (all given, so none has a
    default), then up to ``h_(k+1)`` by position or keyword. A call with m positional arguments
    fits exactly one of them.
    """
    cuts: list[int] = []
    optional_seen = False
    for index, param in enumerate(positional):
        if param.default is not None:
            optional_seen = True
        elif optional_seen:
            cuts.append(index)
            optional_seen = False
    bounds = [*cuts, len(positional)]
    found = [
        StubSignature((), tuple(positional[: bounds[0]]), (*positional[bounds[0] :], *keyword_only))
    ]
    for k, cut in enumerate(cuts):
        given = tuple(StubParam(p.name, p.annotation, None) for p in positional[: cut + 1])
        end = bounds[k + 1]
        found.append(
            StubSignature(
                given, tuple(positional[cut + 1 : end]), (*positional[end:], *keyword_only)
            )
        )
    return tuple(found)


def needed_inputs(definition: NodeDef, names: dict[str, PythonIdentifier]) -> set[str]:
    """The inputs a typed call must give: required, with no default the call would fill in,
    and settable by a keyword (one that is not cannot be asked for)."""
    return {
        name
        for name, spec in definition.inputs.items()
        if spec.required and name in names and (not spec.widget or spec.default is MISSING)
    }


def pack_widget_names(definition: NodeDef) -> list[PythonIdentifier]:
    """The format-dependent widgets (see catalog.model._format_widgets) a keyword can set, sorted.

    The call takes them by their own name only (no alias), ahead of everything else: so only
    names that stand in Python as themselves, and none that an input declares.
    """
    found = []
    for widget in sorted(definition.format_widget_names() - set(definition.inputs)):
        name = PythonIdentifier.exact(widget)
        if name is not None and not name.mangled:
            found.append(name)
    return found


def keyword_names(definition: NodeDef) -> dict[str, PythonIdentifier]:
    """Input name -> the keyword that sets it in a call, for every input a keyword can set.

    An input takes its own name where that is a Python name as it is (``type`` stays ``type``),
    else its Python form (``"input_blocks.0."`` -> ``input_blocks_0_``) when the definition
    keeps that alias: a form taken by another input, by a pack widget (the call gives the
    keyword to the widget) or equal to a control keyword sets nothing. A name Python rewrites
    in a class body (``__x``) sets nothing from the stub either.
    """
    by_alias = {real: alias for alias, real in definition.aliases.items()}
    widgets = definition.format_widget_names() - set(definition.inputs)
    controls = {name for name, _type in _CONTROL_KEYWORDS}
    found: dict[str, PythonIdentifier] = {}
    for name in definition.inputs:
        keyword = PythonIdentifier.exact(name)
        if keyword is None:
            alias = by_alias.get(name)
            if alias is None or alias in controls or alias in widgets:
                continue
            keyword = PythonIdentifier.exact(alias)
        if keyword is not None and not keyword.mangled:
            found[name] = keyword
    return found


def _property_name(attr: str, body_names: frozenset[str] | set[str]) -> PythonIdentifier | None:
    """The name of an output's typed property, or None where it gets none (see has_property).

    A dunder (``__qualname__``) would change or break the class, and a node answers it with no
    output; a mangled name (``__x``) Python would rewrite: those outputs are reached by index.
    """
    name = PythonIdentifier.exact(attr)
    if name is None or name.mangled or name.dunder or not has_property(name, body_names):
        return None
    return name


def has_property(attr: str, body_names: frozenset[str] | set[str] = _CLASS_BODY_NAMES) -> bool:
    """Whether an output attribute gets a typed property (else ``node.NAME`` is still an Output).

    Not for a node attribute (which wins at run time), nor for a name the class body uses in
    its annotations (``body_names``: the stub's output classes, ``int``...), which it would hide.
    """
    return attr not in NODE_ATTRIBUTES and attr not in body_names


def annotation(spec: InputSpec, links: LinkTypes) -> Code:
    """The type of the values an input takes, as text of the stub (links typed by ``links``)."""
    link = links.link(spec) if takes_links(spec) else Code("_Any")
    scalar = _SCALARS.get(spec.kind)
    if scalar is not None:
        return Code(f"{scalar} | {link}")
    if spec.kind == "COMBO":
        choices = "str" if spec.choices is None else _choices_type(spec.choices)
        upload = " | _PurePath" if spec.uploads else ""
        return Code(f"{choices}{upload} | {link}")
    # A link of the types that fit, or anything for "*" and the other widget types (the server
    # hands such a value to the node as it is).
    return link


def _choices_type(choices: Sequence[Any]) -> str:
    unique: dict[tuple[type, Any], Any] = {}
    for choice in choices:
        key: tuple[type, Any] = (type(choice), choice)
        try:
            hash(key)
        except TypeError:  # a list or an object among the choices: no Literal spells it
            return "_Any"
        unique.setdefault(key, choice)
    values = list(unique.values())
    if not values:
        return "str"  # no choice at all (an empty model folder): a file name still reads as one
    if all(v is None or type(v) in (str, int, bool) for v in values):
        return "_Literal[" + ", ".join(literal(v) for v in values) + "]"
    if any(v is not None and type(v) not in (str, int, float, bool) for v in values):
        return "_Any"  # choices that no annotation spells
    kinds = sorted({"None" if v is None else type(v).__name__ for v in values})
    return " | ".join(kinds)
