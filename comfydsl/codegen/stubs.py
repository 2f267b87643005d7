"""Type stubs of the node classes, for IDEs and type checkers: ``comfydsl/nodes/__init__.pyi``.

At run time ``comfydsl.nodes`` makes its classes from the catalog on first use, so a type checker
sees nothing there. The stub declares each class of a catalog as a typed callable: one parameter
per input (named by its Python form, positional in the definition's order, every one optional as
at run time), a ``Literal`` of the choices where a combo's choices are known, the control keywords
``title``, ``id`` and ``extra_inputs``, and a return type that names the node's outputs. Misspelt
keywords and combo values outside the choices become type errors, and the IDE completes both.

Regenerate the stub of the bundled catalog (it is checked in; a test fails when it is stale)::

    python -m comfydsl.codegen.stubs

**Custom node packs.** Stubs for the bundled catalog plus your packs, whose model lists are those
of your server when read from it (so ``ckpt_name`` completes your checkpoints)::

    python -m comfydsl.codegen.stubs --catalog http://127.0.0.1:8188
    python -m comfydsl.codegen.stubs --catalog my-server.json -o typings/comfydsl/nodes/__init__.pyi

The first form rewrites the stub inside the installed comfydsl package: mypy, pyright and every
IDE read it with no setting; reinstalling or upgrading comfydsl puts the stock stub back, so run
it again then. The second keeps the stub in your project, where pyright and Pylance find it with
no setting (``typings/`` is their default ``stubPath``) and a reinstall leaves it alone. mypy does
not take one module of a package from its ``mypy_path`` (it reads the installed package's own
stub), so with mypy use the first form. Classes a stub does not declare (packs you have not made
stubs for, or a name that is not an identifier, such as ``"Epsilon Scaling"``) type as a plain
``NodeClass`` through the stub's module ``__getattr__``; ``--no-fallback`` leaves it out, so that
a misspelt class name in ``from comfydsl.nodes import ...`` is an error too.

mypy gives a variable the type of its first value: to reuse one name for nodes of different
classes (``cond = A(...)`` then ``cond = B(conditioning=cond)``), annotate it (``cond: Node``) or
set ``allow_redefinition = true``. pyright needs neither.

The stub is a pure function of the catalog and of the command's arguments: the same catalog gives
the same bytes.
"""

from __future__ import annotations

import argparse
import itertools
import shlex
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from comfydsl.build import Node
from comfydsl.catalog import Catalog, InputSpec, NodeDef, bundled_catalog, load_catalog
from comfydsl.catalog.model import MISSING
from comfydsl.codegen.render import Code, comment, environment, literal
from comfydsl.errors import ComfyDSLError
from comfydsl.names import PythonIdentifier

__all__ = [
    "COMMAND",
    "DEFAULT_OUTPUT",
    "declarable",
    "main",
    "render_stubs",
    "stub_command",
    "write_stubs",
]

#: The command that regenerates a stub; it is named in the stub's header.
COMMAND = "python -m comfydsl.codegen.stubs"

#: Where the stub goes by default: next to ``comfydsl/nodes/__init__.py``.
DEFAULT_OUTPUT = Path(__file__).resolve().parents[1] / "nodes" / "__init__.pyi"

TEMPLATE = "node_stubs.pyi.jinja"

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

#: Names that the body of a node's class uses: an output property of that name would shadow them.
_CLASS_BODY_NAMES = frozenset({"int", "property", "_Iterator", "_Output"})

#: Attributes of every node: at run time they win over an output of the same name (that output is
#: reached as ``node.out.NAME``), so no property is declared for it.
_NODE_ATTRIBUTES = frozenset(dir(Node))

#: The control keywords of node calls and their types.
_CONTROL_KEYWORDS = (
    ("title", "str | None"),
    ("id", "str | int | None"),
    ("extra_inputs", "_Mapping[str, _Any] | None"),
)

_LINK = "_Output | _Node"
_ELLIPSIS = Code("...")

#: Docstrings of a call's body are indented this much (their text keeps it, as a docstring does).
_DOC_INDENT = " " * 8

#: Literal values of each scalar kind, as the server converts them (``int("48")``, ``str(3)``).
_SCALARS = {
    "INT": "int | float | str",
    "FLOAT": "float | int | str",
    "STRING": "str | int | float | bool",
    "BOOLEAN": "bool",
}

_SHOWN_CHOICES = 10
_SHOWN_DEFAULT = 60


@dataclass(frozen=True)
class StubParam:
    """One parameter of a node call: its Python name, its annotation, and the input it sets."""

    name: PythonIdentifier
    annotation: Code
    default: Code = _ELLIPSIS


@dataclass(frozen=True)
class StubOutput:
    """One typed output property of a node's class."""

    attr: PythonIdentifier
    doc: Code


@dataclass(frozen=True)
class StubClass:
    """What the template needs to declare one node class."""

    name: PythonIdentifier
    callable_class: PythonIdentifier
    node_class: PythonIdentifier
    self_name: PythonIdentifier
    positional: tuple[StubParam, ...]
    keyword_only: tuple[StubParam, ...]
    doc: Code
    summary: Code
    node_doc: Code
    properties: tuple[StubOutput, ...]
    has_outputs: bool
    outputs_doc: Code
    unpack_doc: Code


def render_stubs(
    catalog: Catalog, *, command: str = COMMAND, source: str = "bundled", fallback: bool = True
) -> str:
    """The text of the stub (``comfydsl/nodes/__init__.pyi``) that types the classes of ``catalog``.

    ``command`` is named in the header as the one that regenerates the file, ``source`` says
    which catalog it was made from. ``fallback`` declares a module ``__getattr__`` so that
    classes the stub does not declare still type as ``NodeClass``.

        text = render_stubs(bundled_catalog())
    """
    declared: list[StubClass] = []
    undeclared: list[str] = []
    for name in sorted(catalog.names(), key=lambda n: (n.lower(), n)):
        if not declarable(name):
            undeclared.append(name)
            continue
        declared.append(stub_class(catalog[name]))
    text = "\n".join(p.annotation for c in declared for p in (*c.positional, *c.keyword_only))
    template = environment().get_template(TEMPLATE)
    rendered = template.render(
        command=comment(command),
        source=comment(source),
        count=len(declared),
        classes=declared,
        undeclared=comment(", ".join(literal(n) for n in undeclared)),
        fallback=fallback,
        uses_literal="_Literal[" in text,
        uses_purepath="_PurePath" in text,
    )
    return rendered


def write_stubs(
    path: str | Path,
    catalog: Catalog,
    *,
    command: str = COMMAND,
    source: str = "bundled",
    fallback: bool = True,
) -> int:
    """Write the stub of ``catalog`` to ``path`` (its folders made as needed); returns its size."""
    data = render_stubs(catalog, command=command, source=source, fallback=fallback).encode()
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return len(data)


def stub_command(
    output: str | None = None, catalogs: Sequence[str] = (), *, fallback: bool = True
) -> str:
    """The command line that makes a stub with these arguments, as named in its header."""
    words = shlex.split(COMMAND)
    if output is not None:
        words += ["-o", output]
    for location in catalogs:
        words += ["--catalog", location]
    if not fallback:
        words.append("--no-fallback")
    return shlex.join(words)


def stub_source(catalogs: Sequence[str] = ()) -> str:
    """Which catalog a stub is made from, as its header names it: ``bundled + packs.json``."""
    return " + ".join(["bundled", *catalogs])


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


# -- one class -------------------------------------------------------------------------------------


def stub_class(definition: NodeDef) -> StubClass:
    """The declaration of one node class: its call's parameters, docstrings and output properties.

    Every parameter is a keyword the call takes (see keyword_names), each name written once.
    """
    widgets = pack_widget_names(definition)
    names = keyword_names(definition)
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
        param = StubParam(python, annotation(definition.inputs[input_name]))
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
    properties = tuple(
        StubOutput(attr, _output_doc(o.index, o.name, o.type, o.attr, o.is_list))
        for o in definition.outputs
        if (attr := _property_name(o.attr)) is not None
    )
    out_names = ", ".join(o.attr for o in definition.outputs)
    name = PythonIdentifier(definition.name)
    if name != definition.name:
        raise ValueError(f"{definition.name!r} is not declarable in a stub (see declarable())")
    return StubClass(
        name=name,
        callable_class=PythonIdentifier(f"_{name}_Class"),
        node_class=PythonIdentifier(f"_{name}_Node"),
        self_name=PythonIdentifier(self_name),
        positional=tuple(positional),
        keyword_only=tuple(keyword_only),
        doc=_doc_literal(
            _indented(_docstring(definition, names), _DOC_INDENT) + "\n" + _DOC_INDENT
        ),
        summary=_doc_literal(_summary(definition)),
        node_doc=_doc_literal(
            f"A node of class {definition.name}"
            + (f": outputs {out_names}." if out_names else ", without outputs.")
        ),
        properties=properties,
        has_outputs=bool(definition.outputs),
        outputs_doc=_doc_literal(
            "Outputs by index: "
            + ", ".join(f"{o.index} {o.attr}" for o in definition.outputs)
            + "."
        ),
        unpack_doc=_doc_literal(f"Unpacks to the outputs in order: {out_names}."),
    )


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


def _property_name(attr: str) -> PythonIdentifier | None:
    """The name of an output's typed property, or None where it gets none (see has_property).

    A dunder (``__qualname__``) would change or break the class, and a node answers it with no
    output; a mangled name (``__x``) Python would rewrite: those outputs are reached by index.
    """
    name = PythonIdentifier.exact(attr)
    if name is None or name.mangled or name.dunder or not has_property(name):
        return None
    return name


def has_property(attr: str) -> bool:
    """Whether an output attribute gets a typed property (else ``node.NAME`` is still an Output)."""
    return attr not in _NODE_ATTRIBUTES and attr not in _CLASS_BODY_NAMES


def output_reach(attr: str) -> str:
    """How a script reaches an output by name: ``.NAME``, or ``.out.NAME`` where a node attribute
    wins, or ``.out["NAME"]`` for a name no attribute can have (a dunder, a mangled name)."""
    name = PythonIdentifier(attr)
    if name != attr or name.dunder or name.mangled:
        return f".out[{attr!r}]"
    return f".out.{attr}" if attr in _NODE_ATTRIBUTES else f".{attr}"


def annotation(spec: InputSpec) -> Code:
    """The type of the values an input takes, as text of the stub."""
    scalar = _SCALARS.get(spec.kind)
    if scalar is not None:
        return Code(f"{scalar} | {_LINK}")
    if spec.kind == "COMBO":
        choices = "str" if spec.choices is None else _choices_type(spec.choices)
        upload = " | _PurePath" if spec.uploads else ""
        return Code(f"{choices}{upload} | {_LINK}")
    if spec.type == "*" or spec.widget:
        return Code("_Any")  # any literal or link (the server hands it to the node as it is)
    return Code(_LINK)


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


# -- docstrings ------------------------------------------------------------------------------------


def _heading(definition: NodeDef) -> str:
    label = definition.display_name
    shown = definition.name if label == definition.name else f"{definition.name}: {label!r}"
    return f"{shown} (category {definition.category or 'none'})."


def _summary(definition: NodeDef) -> str:
    outs = ", ".join(o.attr for o in definition.outputs) or "none"
    return f"{_heading(definition)} Outputs: {outs}."


def _docstring(definition: NodeDef, names: Mapping[str, str]) -> str:
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
    if flags:
        lines += ["", " ".join(flags)]
    description = definition.raw.get("description")
    if isinstance(description, str) and description.strip():
        lines += ["", description.strip()]
    lines += ["", "Inputs (by keyword, or positional in this order):" if names else "Inputs: none."]
    for name, spec in definition.inputs.items():
        python = names.get(name)
        label = name if python == name else f"{python} ({name!r})" if python else repr(name)
        line = f"    {label}: {_describe(spec)}"
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
        lines.append(f"    {reach} or [{out.index}]{named}: {out.type}{many}")
        tip = tooltips[out.index] if out.index < len(tooltips) else None
        if isinstance(tip, str) and tip.strip():
            lines += [f"        {t}" for t in tip.strip().splitlines()]
    return "\n".join(lines)


def _describe(spec: InputSpec) -> str:
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
        parts = [f"link to {spec.type}"]
    if spec.widget and spec.default is not MISSING and spec.default is not None:
        shown = repr(spec.default)
        if len(shown) > _SHOWN_DEFAULT:
            shown = shown[: _SHOWN_DEFAULT - 3] + "..."
        parts.append(f"default {shown}")
    if not spec.required:
        parts.append("optional")
    return ", ".join(parts)


def _describe_choices(spec: InputSpec) -> str:
    upload = ", or a local file to upload (a Path)" if spec.uploads else ""
    if spec.choices is None:
        return "a file name (the choices are not known here)" + upload
    choices = spec.choices
    shown = ", ".join(repr(c) for c in choices[:_SHOWN_CHOICES])
    if len(choices) > _SHOWN_CHOICES:
        shown += f", ... ({len(choices)} choices)"
    return f"one of {shown}{upload}" if choices else "no choice is known" + upload


def _output_doc(index: int, name: str, type_: Any, attr: str, is_list: bool) -> Code:
    named = "" if name == attr else f" ({name!r})"
    many = ", a list" if is_list else ""
    return _doc_literal(f"Output {index}{named}: {type_}{many}.")


def _doc_literal(text: str) -> Code:
    """A docstring: ``text`` as a triple-quoted literal (see render.literal)."""
    return literal(text, multiline=True)


def _indented(text: str, indent: str) -> str:
    """``text`` with every line but the first indented, blank ones left empty (jinja's indent)."""
    first, *rest = text.split("\n")
    return "\n".join([first, *(indent + line if line else line for line in rest)])


# -- the command -----------------------------------------------------------------------------------


def build_catalog(locations: Iterable[str]) -> Catalog:
    """The bundled catalog with the catalogs at ``locations`` (files or server URLs) merged over it."""
    extra = [load_catalog(location) for location in locations]
    base = bundled_catalog()
    return base.merged(*extra) if extra else base


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of the stub command, shared by ``python -m`` and ``comfydsl stubs``."""
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="where to write the stub (default: comfydsl/nodes/__init__.pyi of this "
        "installation; - : standard output)",
    )
    parser.add_argument(
        "--catalog",
        action="append",
        default=[],
        metavar="FILE_OR_URL",
        help="node definitions of custom node packs (a saved /object_info or a server URL), "
        "merged over the bundled ones; repeatable",
    )
    parser.add_argument(
        "--no-fallback",
        dest="fallback",
        action="store_false",
        help="declare no module __getattr__: classes the stub does not know are type errors",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit with status 1 if the file differs from a fresh render",
    )


def render_for(args: argparse.Namespace, catalog: Catalog) -> str:
    """The stub that parsed arguments ask for, of ``catalog`` (the catalog of ``args.catalog``)."""
    return render_stubs(
        catalog,
        command=stub_command(args.output, args.catalog, fallback=args.fallback),
        source=stub_source(args.catalog),
        fallback=args.fallback,
    )


def run(args: argparse.Namespace, *, catalog: Catalog | None = None) -> int:
    """Make (or with ``--check`` compare) the stub the parsed arguments ask for; returns a status.

    ``-o -`` prints the stub. ``catalog``, when given, is the catalog of ``args.catalog`` already
    loaded (the command line reads a ``-`` from standard input).
    """
    if catalog is None:
        catalog = build_catalog(args.catalog)
    target = Path(args.output) if args.output else DEFAULT_OUTPUT
    command = stub_command(args.output, args.catalog, fallback=args.fallback)
    source = stub_source(args.catalog)
    if args.output == "-":
        if args.check:
            print("error: --check compares a file (-o FILE), not standard output", file=sys.stderr)
            return 2
        sys.stdout.write(render_for(args, catalog))
        return 0
    if args.check:
        text = render_for(args, catalog)
        current = target.read_text(encoding="utf-8") if target.is_file() else None
        if current != text:
            print(f"{target} is stale: regenerate it with {command}", file=sys.stderr)
            return 1
        print(f"{target} is up to date", file=sys.stderr)
        return 0
    size = write_stubs(target, catalog, command=command, source=source, fallback=args.fallback)
    print(f"wrote {target} ({size:,} bytes)", file=sys.stderr)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m comfydsl.codegen.stubs [-o FILE] [--catalog FILE_OR_URL ...]``."""
    parser = argparse.ArgumentParser(
        prog=COMMAND,
        description="Write the type stub of comfydsl.nodes for the bundled catalog and your packs.",
    )
    add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        return run(args)
    except ComfyDSLError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # the stub's file: a missing folder, a directory in the way
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
