"""The docstrings of a stub: what each node class, input and output is, in words.

Every text here is written into the stub through ``render.literal`` (as a docstring), never as
code; it may hold anything a catalog holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from comfydsl.build import Node
from comfydsl.catalog import InputSpec, NodeDef
from comfydsl.catalog.model import MISSING
from comfydsl.codegen.render import Code, literal
from comfydsl.names import PythonIdentifier

__all__ = [
    "NODE_ATTRIBUTES",
    "call_doc",
    "doc_literal",
    "node_doc",
    "output_doc",
    "output_reach",
    "summary",
]

#: Docstrings of a call's body are indented this much (their text keeps it, as a docstring does).
_DOC_INDENT = " " * 8

_SHOWN_CHOICES = 10
_SHOWN_DEFAULT = 60

#: Attributes of every node: at run time they win over an output of the same name (that output is
#: reached as ``node.out.NAME``).
NODE_ATTRIBUTES = frozenset(dir(Node))


def output_reach(attr: str) -> str:
    """How a script reaches an output by name: ``.NAME``, or ``.out.NAME`` where a node attribute
    wins, or ``.out["NAME"]`` for a name no attribute can have (a dunder, a mangled name)."""
    name = PythonIdentifier(attr)
    if name != attr or name.dunder or name.mangled:
        return f".out[{attr!r}]"
    return f".out.{attr}" if attr in NODE_ATTRIBUTES else f".{attr}"


def doc_literal(text: str) -> Code:
    """A docstring: ``text`` as a triple-quoted literal (see render.literal)."""
    return literal(text, multiline=True)


def _indented(text: str, indent: str) -> str:
    """``text`` with every line but the first indented, blank ones left empty (jinja's indent)."""
    first, *rest = text.split("\n")
    return "\n".join([first, *(indent + line if line else line for line in rest)])


def _heading(definition: NodeDef) -> str:
    label = definition.display_name
    shown = definition.name if label == definition.name else f"{definition.name}: {label!r}"
    return f"{shown} (category {definition.category or 'none'})."


def summary(definition: NodeDef, origin: str | None = None) -> Code:
    """The docstring of a node class's name: what it is and its outputs, in one line."""
    outs = ", ".join(o.attr for o in definition.outputs) or "none"
    tail = f" {origin}" if origin else ""
    return doc_literal(f"{_heading(definition)} Outputs: {outs}.{tail}")


def node_doc(definition: NodeDef) -> Code:
    """The docstring of the class of a node of ``definition``."""
    out_names = ", ".join(o.attr for o in definition.outputs)
    return doc_literal(
        f"A node of class {definition.name}"
        + (f": outputs {out_names}." if out_names else ", without outputs.")
    )


def call_doc(
    definition: NodeDef,
    names: Mapping[str, str],
    needed: frozenset[str],
    origin: str | None = None,
) -> Code:
    """The docstring of a node call: inputs (those a call must give marked), outputs, flags."""
    text = _docstring(definition, names, needed, origin)
    return doc_literal(_indented(text, _DOC_INDENT) + "\n" + _DOC_INDENT)


def _docstring(
    definition: NodeDef,
    names: Mapping[str, str],
    needed: frozenset[str],
    origin: str | None,
) -> str:
    lines = [_heading(definition)]
    flags = [
        text
        for flag, text in (
            (definition.output_node, "An output node: the server runs what leads to it."),
            (definition.deprecated, "Deprecated."),
            (definition.experimental, "Experimental."),
            (definition.api_node, "An API node: it calls a paid external service."),
        )
        if flag
    ]
    if origin:
        flags.append(origin)
    if flags:
        lines += ["", " ".join(flags)]
    description = definition.raw.get("description")
    if isinstance(description, str) and description.strip():
        lines += ["", description.strip()]
    lines += ["", "Inputs (by keyword, or positional in this order):" if names else "Inputs: none."]
    for name, spec in definition.inputs.items():
        python = names.get(name)
        label = name if python == name else f"{python} ({name!r})" if python else repr(name)
        line = f"    {label}: {_describe(spec, name in needed)}"
        if python is None:
            line += f"; by keyword only as **{{{name!r}: ...}}"
        lines.append(line)
        tooltip = spec.options.get("tooltip")
        if isinstance(tooltip, str) and tooltip.strip():
            lines += [f"        {t}" for t in tooltip.strip().splitlines()]
    tooltips = definition.raw.get("output_tooltips")
    if not isinstance(tooltips, list):
        tooltips = []
    lines += ["", "Outputs:" if definition.outputs else "Outputs: none."]
    for out in definition.outputs:
        reach = output_reach(out.attr)
        named = "" if out.name == out.attr else f" ({out.name!r})"
        many = ", a list" if out.is_list else ""
        lines.append(f"    {reach} or [{out.index}]{named}: {_type_text(out.type)}{many}")
        tip = tooltips[out.index] if out.index < len(tooltips) else None
        if isinstance(tip, str) and tip.strip():
            lines += [f"        {t}" for t in tip.strip().splitlines()]
    return "\n".join(lines)


def _type_text(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return f"a list of {len(value)} choices"
    return str(value)


def _describe(spec: InputSpec, needed: bool) -> str:
    """What an input takes, for a docstring: ``INT, 1 to 10000, default 20``."""
    parts: list[str]
    if spec.kind in ("INT", "FLOAT"):
        parts = [spec.kind]
        if spec.min is not None and spec.max is not None:
            parts.append(f"{spec.min} to {spec.max}")
        elif spec.min is not None:
            parts.append(f"at least {spec.min}")
        elif spec.max is not None:
            parts.append(f"at most {spec.max}")
        step = spec.options.get("step")
        if step is not None:
            parts.append(f"step {step}")
    elif spec.kind in ("STRING", "BOOLEAN"):
        parts = [spec.kind + (", multiline" if spec.options.get("multiline") else "")]
    elif spec.kind == "COMBO":
        parts = [_describe_choices(spec)]
    elif spec.type == "*":
        parts = ["any value, or a link of any type"]
    elif spec.widget:
        parts = [f"{spec.type} value, or a link"]
    else:
        parts = [f"link to {_type_text(spec.type)}"]
    if spec.widget and spec.default is not MISSING and spec.default is not None:
        shown = repr(spec.default)
        if len(shown) > _SHOWN_DEFAULT:
            shown = shown[: _SHOWN_DEFAULT - 3] + "..."
        parts.append(f"default {shown}")
    if needed:
        parts.append("required")
    elif not spec.required:
        parts.append("optional")
    return ", ".join(parts)


def _describe_choices(spec: InputSpec) -> str:
    upload = ", or a local file to upload (a Path)" if spec.uploads else ""
    if spec.choices is None:
        unknown = "a file name (the choices are not known here)"
        if spec.listed and not spec.uploads:  # what the server lists without files of its own
            return f"{unknown}, or one built in: {_shown_choices(spec.listed)}"
        return unknown + upload
    choices = spec.choices
    return f"one of {_shown_choices(choices)}{upload}" if choices else "no choice is known" + upload


def _shown_choices(choices: tuple[Any, ...]) -> str:
    shown = ", ".join(repr(c) for c in choices[:_SHOWN_CHOICES])
    if len(choices) > _SHOWN_CHOICES:
        shown += f", ... ({len(choices)} choices)"
    return shown


def output_doc(index: int, name: str, type_: Any, attr: str, is_list: bool) -> Code:
    """The docstring of an output's property."""
    named = "" if name == attr else f" ({name!r})"
    many = ", a list" if is_list else ""
    return doc_literal(f"Output {index}{named}: {_type_text(type_)}{many}.")
