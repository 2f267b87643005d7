"""How the stub types links: a class per output type of the catalog, a protocol per input type.

At run time every output is an ``Output`` (``comfydsl.graph``), whose ``type`` property is the
ComfyUI type of the output (``"CLIP"``), or anything when its node's class is not known. The stub
gives each output type of the catalog its own subclass of ``Output`` whose ``type`` is that type
as a ``Literal``::

    class _CLIP(_Output):
        @property
        def type(self) -> _Literal["CLIP"]: ...

and annotates each input that takes a link with a ``Protocol`` whose ``type`` is the ``Literal`` of
every output type of the catalog that the server lets into it (``types_match``: the same type,
``*`` on either side, comma unions that share a type)::

    class _To_MODEL(_Protocol):
        @property
        def type(self) -> _Literal["*", "MODEL"]: ...

So ``KSampler(model=ckpt.MODEL)`` type-checks and ``KSampler(model=ckpt.CLIP)`` does not, while an
output of a node whose class the stub does not know (``Node("MyPackNode")[0]``, whose ``type`` is
``Any``) goes anywhere, as it does at run time.

A node with one output stands for that output: its class subclasses ``_Node_<TYPE>``, which each
input's annotation lists for every type it takes. A node with several outputs, or of a class the
catalog does not know, is not one of those, and the runtime refuses it there too.

Legacy combo outputs (a list of choices, not a type name) fit only a combo input with the same list:
each distinct list gets a marker class, ``_CHOICES_Kind``, that its output's ``type`` returns.

Every name made here is a ``PythonIdentifier`` no other name of the stub has (``Namespace``), and
every type name is written as a literal (``render.literal``): a catalog's text never becomes code.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from comfydsl.catalog import InputSpec, NodeDef
from comfydsl.codegen.render import Code, literal
from comfydsl.names import PythonIdentifier
from comfydsl.validation.inputs import types_match

__all__ = ["LinkProtocol", "LinkTypes", "Namespace", "OutputClass", "takes_links"]

#: The type every link protocol lets in: an output of type ``*`` fits any input.
_ANY_TYPE = "*"


class Namespace:
    """The names of one stub module: each name given out once, never one already taken.

    ``name("_To_", "MODEL")`` is ``_To_MODEL``, or ``_To_MODEL_2`` when that is taken. The stem
    is the Python form of the text (``PythonIdentifier``) without leading underscores, so that no
    name starts with ``__``, which Python would rewrite inside the class bodies that use it.
    """

    def __init__(self, taken: Iterable[str]) -> None:
        self._taken = set(taken)

    def name(self, prefix: str, text: str, fallback: str) -> PythonIdentifier:
        """A new name ``prefix + stem``, made unique with ``_2``, ``_3``..."""
        stem = PythonIdentifier(text, fallback=fallback).lstrip("_") or fallback
        candidate = PythonIdentifier(prefix + stem)
        number = 1
        while candidate in self._taken:
            number += 1
            candidate = PythonIdentifier(f"{prefix}{stem}_{number}")
        self._taken.add(candidate)
        return candidate


@dataclass(frozen=True)
class OutputClass:
    """The stub's class of the outputs of one type: ``class _CLIP(_Output)``.

    ``kind_class`` is the marker class a legacy combo output's ``type`` returns (None for a type
    name); ``node_base`` is the base class of the nodes whose one output has this type, or None
    when no node of the catalog has it as its only output.
    """

    name: PythonIdentifier
    marker: Code
    kind_class: PythonIdentifier | None
    node_base: PythonIdentifier | None
    doc: Code


@dataclass(frozen=True)
class LinkProtocol:
    """The protocol of the links one input type takes: ``class _To_MODEL(_Protocol)``."""

    name: PythonIdentifier
    accepts: Code
    doc: Code


def takes_links(spec: InputSpec) -> bool:
    """Whether the stub types the links of this input (``*`` and other widget types take ``Any``)."""
    if spec.kind in ("INT", "FLOAT", "STRING", "BOOLEAN", "COMBO"):
        return True
    return spec.type != _ANY_TYPE and not spec.widget


def _type_text(key: Any) -> str:
    """A type in words, for a class's docstring: one line, its unprintable characters escaped
    (a class's docstring must encode as UTF-8, which a lone surrogate does not)."""
    if isinstance(key, tuple):
        return f"a list of {len(key)} choices"
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in str(key))


class LinkTypes:
    """The link typing of one stub: its output classes, protocols and single-output node bases.

    Made from every definition the stub declares; ``taken`` are the names the stub already uses
    (its imports, the node classes and their private classes), which no name made here takes.
    """

    def __init__(self, definitions: Iterable[NodeDef], taken: Iterable[str]) -> None:
        definitions = list(definitions)
        names = Namespace(taken)
        output_keys: dict[Any, None] = {}
        single: set[Any] = set()
        for definition in definitions:
            for out in definition.outputs:
                output_keys.setdefault(out.type_key)
            if len(definition.outputs) == 1:
                single.add(definition.outputs[0].type_key)
        # Sorted so that the names do not depend on the catalog's order: type names first.
        ordered = sorted(output_keys, key=lambda k: (isinstance(k, tuple), repr(k)))
        self.outputs: dict[Any, OutputClass] = {}
        for key in ordered:
            is_choices = isinstance(key, tuple)
            stem = "CHOICES" if is_choices else ("ANY" if key == _ANY_TYPE else str(key))
            name = names.name("_", stem, "TYPE")
            kind_class = names.name("_", f"{name}_Kind", "Kind") if is_choices else None
            marker = Code(kind_class) if kind_class else Code(f"_Literal[{literal(key)}]")
            base = names.name("_Node_", name, "TYPE") if key in single else None
            doc = literal(f"An output of type {_type_text(key)}.")
            self.outputs[key] = OutputClass(name, marker, kind_class, base, doc)
        self._names = names
        self._protocols: dict[Any, tuple[LinkProtocol, tuple[Any, ...]]] = {}
        self._links: dict[Any, Code] = {}
        input_keys: dict[Any, None] = {}
        for definition in definitions:
            for spec in definition.inputs.values():
                if takes_links(spec):
                    input_keys.setdefault(_key(spec.type))
        for key in sorted(input_keys, key=lambda k: (isinstance(k, tuple), repr(k))):
            self._protocol_of(key)

    def _protocol_of(self, key: Any) -> tuple[LinkProtocol, tuple[Any, ...]]:
        found = self._protocols.get(key)
        if found is not None:
            return found
        fits = tuple(k for k in self.outputs if types_match(_raw(k), key))
        texts = sorted({_ANY_TYPE, *(k for k in fits if isinstance(k, str))})
        kinds = [self.outputs[k].kind_class for k in fits if isinstance(k, tuple)]
        accepts = "_Literal[" + ", ".join(literal(t) for t in texts) + "]"
        accepts += "".join(f" | {kind}" for kind in sorted(k for k in kinds if k))
        # Legacy combos (a list of choices each) that take the same outputs share one protocol.
        shared = frozenset(fits) if isinstance(key, tuple) else None
        if shared is not None and shared in self._protocols:
            found = self._protocols[shared]
        else:
            stem = "CHOICES" if isinstance(key, tuple) else str(key)
            name = self._names.name("_To_", stem, "TYPE")
            doc = literal(f"A link the server lets into an input of type {_type_text(key)}.")
            found = (LinkProtocol(name, Code(accepts), doc), fits)
            if shared is not None:
                self._protocols[shared] = found
        self._protocols[key] = found
        return found

    @property
    def protocols(self) -> list[LinkProtocol]:
        """Every protocol, once each, in the order of their names."""
        unique = {p.name: p for p, _fits in self._protocols.values()}
        return [unique[name] for name in sorted(unique)]

    @property
    def classes(self) -> list[OutputClass]:
        """Every output class, in the order of their names."""
        return sorted(self.outputs.values(), key=lambda c: c.name)

    def output(self, type_key: Any) -> PythonIdentifier:
        """The class of the outputs of this type (a type name, or a tuple of choices)."""
        return self.outputs[type_key].name

    def node_base(self, definition: NodeDef) -> PythonIdentifier | None:
        """The base class of a node of this class: ``_Node_<TYPE>`` when it has one output."""
        if len(definition.outputs) != 1:
            return None
        return self.outputs[definition.outputs[0].type_key].node_base

    def link(self, spec: InputSpec) -> Code:
        """What this input takes as a link: its protocol and the single-output nodes that fit."""
        key = _key(spec.type)
        found = self._links.get(key)
        if found is None:
            protocol, fits = self._protocol_of(key)
            bases = sorted(b for k in fits if (b := self.outputs[k].node_base) is not None)
            found = self._links[key] = Code(" | ".join([protocol.name, *bases]))
        return found


def _key(spec_type: Any) -> Any:
    return tuple(spec_type) if isinstance(spec_type, list) else spec_type


def _raw(type_key: Any) -> Any:
    # types_match takes an output's type as the server sends it: a list of choices is a list.
    return list(type_key) if isinstance(type_key, tuple) else type_key
