"""Type stubs of the node classes, for IDEs and type checkers: ``comfydsl/nodes/__init__.pyi``.

At run time ``comfydsl.nodes`` makes its classes from the catalog on first use, so a type checker
sees nothing there. The stub declares each class of a catalog as a typed callable: one parameter
per input (named by its Python form, positional in the definition's order), a ``Literal`` of the
choices where a combo's choices are known, the control keywords ``title``, ``id`` and
``extra_inputs``, and a return type whose outputs have their ComfyUI types. Links are typed
(``comfydsl.codegen.link_types``): ``KSampler(model=ckpt.CLIP)`` is a type error, as is a call that
leaves out a required link; ``*`` and comma-union inputs take what the server takes. Misspelt
keywords and combo values outside the choices are type errors too, and the IDE completes both
(``comfydsl.codegen.node_stub`` makes one class's declaration, ``stub_docs`` its docstrings).

The shipped stub declares the bundled node packs' classes too (each says how to enable its pack),
since a stub cannot know which packs a script enables.

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
import shlex
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from comfydsl.catalog import Catalog, bundled_catalog, load_catalog
from comfydsl.catalog.packs import bundled_pack_names, pack_catalog, pack_origin
from comfydsl.codegen.link_types import LinkTypes
from comfydsl.codegen.node_stub import (
    RUNTIME_NAMES,
    TEMPLATE_NAMES,
    StubClass,
    annotation,
    declarable,
    has_property,
    keyword_names,
    own_names,
    pack_widget_names,
    stub_class,
)
from comfydsl.codegen.render import comment, environment, literal
from comfydsl.codegen.stub_docs import output_reach
from comfydsl.errors import ComfyDSLError

__all__ = [
    "COMMAND",
    "DEFAULT_OUTPUT",
    "RUNTIME_NAMES",
    "annotation",
    "declarable",
    "default_stub",
    "has_property",
    "keyword_names",
    "main",
    "output_reach",
    "pack_widget_names",
    "render_stubs",
    "stub_catalog",
    "stub_class",
    "stub_command",
    "write_stubs",
]

#: The command that regenerates a stub; it is named in the stub's header.
COMMAND = "python -m comfydsl.codegen.stubs"

#: Where the stub goes by default: next to ``comfydsl/nodes/__init__.py``.
DEFAULT_OUTPUT = Path(__file__).resolve().parents[1] / "nodes" / "__init__.pyi"

TEMPLATE = "node_stubs.pyi.jinja"


def render_stubs(
    catalog: Catalog,
    *,
    command: str = COMMAND,
    source: str = "bundled",
    fallback: bool = True,
    origins: Mapping[str, str] | None = None,
) -> str:
    """The text of the stub (``comfydsl/nodes/__init__.pyi``) that types the classes of ``catalog``.

    ``command`` is named in the header as the one that regenerates the file, ``source`` says
    which catalog it was made from. ``fallback`` declares a module ``__getattr__`` so that
    classes the stub does not declare still type as ``NodeClass``. ``origins`` says, by class
    name, where a class comes from (a bundled node pack), for its docstrings.

        text = render_stubs(*stub_catalog())
    """
    names = sorted(catalog.names(), key=lambda n: (n.lower(), n))
    declared_names = [n for n in names if declarable(n)]
    undeclared = [n for n in names if not declarable(n)]
    definitions = [catalog[n] for n in declared_names]
    taken = set(TEMPLATE_NAMES)
    for name in declared_names:
        taken.update((name, *own_names(name)))
    links = LinkTypes(definitions, taken)
    origins = origins or {}
    declared: list[StubClass] = [
        stub_class(definition, links, origin=origins.get(definition.name))
        for definition in definitions
    ]
    params = [
        p
        for c in declared
        for s in c.signatures
        for p in (*s.positional_only, *s.positional, *s.keyword_only)
    ]
    template = environment().get_template(TEMPLATE)
    return template.render(
        command=comment(command),
        source=comment(source),
        count=len(declared),
        classes=declared,
        output_classes=links.classes,
        protocols=links.protocols,
        undeclared=comment(", ".join(literal(n) for n in undeclared)),
        fallback=fallback,
        uses_purepath=any("_PurePath" in p.annotation for p in params),
        uses_overload=any(c.has_outputs or len(c.signatures) > 1 for c in declared),
    )


def write_stubs(
    path: str | Path,
    catalog: Catalog,
    *,
    command: str = COMMAND,
    source: str = "bundled",
    fallback: bool = True,
    origins: Mapping[str, str] | None = None,
) -> int:
    """Write the stub of ``catalog`` to ``path`` (its folders made as needed); returns its size."""
    text = render_stubs(catalog, command=command, source=source, fallback=fallback, origins=origins)
    data = text.encode()
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return len(data)


def stub_catalog(extra: Sequence[Catalog] = ()) -> tuple[Catalog, dict[str, str]]:
    """The catalog a stub declares, and the origin of each pack class (see render_stubs).

    The bundled catalog, every bundled node pack (the stub cannot know which ones a script
    enables: their classes are declared, each saying how to enable its pack), then ``extra``
    (catalogs of your own packs or server) over them.
    """
    packs = [(name, pack_catalog(name)) for name in bundled_pack_names()]
    catalog = bundled_catalog().merged(*(c for _n, c in packs), *extra)
    origins = {}
    for name, pack in packs:
        for class_name in pack:
            if class_name not in origins:
                origins[class_name] = pack_origin(name)
    for extra_catalog in extra:
        for class_name in extra_catalog:
            origins.pop(class_name, None)
    return catalog, origins


def default_stub() -> str:
    """The stub that ``python -m comfydsl.codegen.stubs`` writes with no argument: the one shipped
    (``comfydsl/nodes/__init__.pyi``), of the bundled catalog and node packs."""
    catalog, origins = stub_catalog()
    return render_stubs(catalog, source=stub_source(), origins=origins)


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
    packs = bundled_pack_names()
    bundled = "bundled" + (f" (with the node packs {', '.join(packs)})" if packs else "")
    return " + ".join([bundled, *catalogs])


# -- the command -----------------------------------------------------------------------------------


def load_extra(locations: Iterable[str]) -> list[Catalog]:
    """The catalogs at ``locations`` (files or server URLs), to merge over the bundled ones."""
    return [load_catalog(location) for location in locations]


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


def render_for(args: argparse.Namespace, extra: Sequence[Catalog]) -> str:
    """The stub that parsed arguments ask for; ``extra`` are the catalogs of ``args.catalog``."""
    catalog, origins = stub_catalog(extra)
    return render_stubs(
        catalog,
        command=stub_command(args.output, args.catalog, fallback=args.fallback),
        source=stub_source(args.catalog),
        fallback=args.fallback,
        origins=origins,
    )


def run(args: argparse.Namespace, *, extra: Sequence[Catalog] | None = None) -> int:
    """Make (or with ``--check`` compare) the stub the parsed arguments ask for; returns a status.

    ``-o -`` prints the stub. ``extra``, when given, are the catalogs of ``args.catalog``
    already loaded (the command line reads a ``-`` from standard input).
    """
    if extra is None:
        extra = load_extra(args.catalog)
    target = Path(args.output) if args.output else DEFAULT_OUTPUT
    command = stub_command(args.output, args.catalog, fallback=args.fallback)
    if args.output == "-":
        if args.check:
            print("error: --check compares a file (-o FILE), not standard output", file=sys.stderr)
            return 2
        sys.stdout.write(render_for(args, extra))
        return 0
    text = render_for(args, extra)
    if args.check:
        current = target.read_text(encoding="utf-8") if target.is_file() else None
        if current != text:
            print(f"{target} is stale: regenerate it with {command}", file=sys.stderr)
            return 1
        print(f"{target} is up to date", file=sys.stderr)
        return 0
    data = text.encode()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    print(f"wrote {target} ({len(data):,} bytes)", file=sys.stderr)
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
