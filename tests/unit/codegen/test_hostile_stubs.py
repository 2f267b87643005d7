"""Stubs made from hostile catalogs and command lines: they compile, import, and run nothing of them.

A catalog is data (a pack's ``/object_info``, a file someone sent) and so is a ``--catalog`` file
name; the stub made from them is imported by type checkers, IDEs and sometimes Python. A canary,
``__import__("pathlib").Path(<tmp>/pwned).touch()``, is put everywhere a break-out of a string or
a comment would make it code; after the stub is imported the file must not exist.

The property runs a bounded number of examples (``FUZZ_EXAMPLES``); set ``COMFYDSL_FUZZ_EXAMPLES``
for a long run: ``COMFYDSL_FUZZ_EXAMPLES=5000 pytest tests/unit/codegen/test_hostile_stubs.py``.
"""

from __future__ import annotations

import ast
import importlib.util
import itertools
import os
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import strategies as sts
from hypothesis import given, settings
from hypothesis import strategies as st

from comfydsl.catalog import Catalog, NodeDef
from comfydsl.codegen import stubs
from comfydsl.graph import Workflow
from comfydsl.nodes import node_class

ROOT = Path(__file__).resolve().parents[3]
FUZZ_EXAMPLES = int(os.environ.get("COMFYDSL_FUZZ_EXAMPLES") or 200)
CONTROLS = ("title", "id", "extra_inputs")
_modules = itertools.count()


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hostile")


def canary_for(folder: Path) -> tuple[str, Path]:
    """A line of Python that touches a file, and that file (which must never exist)."""
    target = folder / "pwned"
    return f"__import__({'pathlib'!r}).Path({str(target)!r}).touch()", target


def import_stub(text: str, folder: Path) -> None:
    """Write ``text`` as a module and import it as Python would (from its bytes)."""
    name = f"hostile_stub_{next(_modules)}"
    path = folder / f"{name}.py"
    path.write_bytes(text.encode("utf-8"))  # strict: a lone surrogate written raw would fail
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.pop(name, None)
        path.unlink()


def check_stub(text: str, folder: Path, canary: Path) -> None:
    """The stub compiles, holds no call at all (no code of the data), imports, and ran nothing."""
    assert "\x00" not in text
    tree = ast.parse(text)
    compile(text, "x.pyi", "exec")
    calls = [ast.unparse(node) for node in ast.walk(tree) if isinstance(node, ast.Call)]
    assert [] == calls, "a stub calls nothing: these came from the data"
    header = text.split("\n# fmt: off\n", 1)[0].splitlines()
    assert all(line.startswith("#") for line in header), header
    import_stub(text, folder)
    assert not canary.exists(), "the stub ran code of its catalog when imported"


def check_keywords_bind(definition: NodeDef) -> None:
    """Every keyword the stub declares is one the call takes for what the stub says it sets."""
    declared = stubs.stub_class(definition)
    params = [p.name for p in (*declared.positional, *declared.keyword_only)]
    assert len(set(params)) == len(params), params
    assert declared.self_name not in params
    widgets = definition.format_widget_names() - set(definition.inputs)
    for param, input_name in zip(declared.positional, definition.positional, strict=False):
        spec = definition.input(param.name)
        assert spec is not None and input_name == spec.name, (definition.name, param.name)
        assert param.name not in widgets
    for param in declared.keyword_only:
        if param.name in widgets:
            continue  # a pack widget: the call takes it by its own name, first
        if param.name in CONTROLS and param.name not in definition.inputs:
            continue
        spec = definition.input(param.name)
        assert spec is not None, (
            f"{definition.name}: the stub's keyword {param.name!r} sets nothing"
        )
        assert param.name not in widgets


@settings(max_examples=FUZZ_EXAMPLES)
@given(st.data())
def test_hostile_catalogs_make_stubs_that_compile_import_and_run_nothing(
    folder: Path, data: st.DataObject
) -> None:
    code, canary = canary_for(folder)
    info = data.draw(sts.hostile_object_infos(code), label="object_info")
    paths = data.draw(st.lists(sts.hostile_texts(code), max_size=3), label="--catalog")
    output = data.draw(st.none() | sts.hostile_texts(code), label="-o")
    fallback = data.draw(st.booleans(), label="fallback")
    catalog = Catalog(info, source="hostile")
    text = stubs.render_stubs(
        catalog,
        command=stubs.stub_command(output, paths, fallback=fallback),
        source=stubs.stub_source(paths),
        fallback=fallback,
    )
    check_stub(text, folder, canary)
    for name in catalog.names():
        if stubs.declarable(name):
            check_keywords_bind(catalog[name])


# -- the reproducers, one by one -------------------------------------------------------------------


@pytest.mark.parametrize(
    "label",
    ["packs\n{code}\n.json", "packs\r{code}.json", "x\u2028{code}", "x coding: utf-7 +AAo-{code}"],
)
def test_a_catalog_file_name_cannot_add_code_to_the_stub(
    folder: Path, label: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A file name holds no "/": this canary finds its target in the environment.
    _code, canary = canary_for(folder)
    monkeypatch.setenv("COMFYDSL_CANARY", str(canary))
    code = '__import__("pathlib").Path(__import__("os").environ["COMFYDSL_CANARY"]).touch()'
    catalog_file = folder / label.format(code=code)
    catalog_file.write_text('{"MyPackNode": {"input": {}, "output": ["IMAGE"]}}', encoding="utf-8")
    target = folder / "out" / "__init__.pyi"
    assert 0 == stubs.main(["-o", str(target), "--catalog", str(catalog_file)])
    text = target.read_text(encoding="utf-8")
    check_stub(text, folder, canary)
    assert "MyPackNode: _MyPackNode_Class" in text
    header = "\n".join(text.splitlines()[:3])
    assert any(escape in header for escape in ("packs\\n", "packs\\r", "\\u2028", "coding\\x3a"))


#: Inputs and outputs named as Python reserves, widgets named as the call's control keywords,
#: names NFKC makes equal, and class names that no Python name spells.
RESERVED_DEFINITIONS: dict[str, Any] = {
    "Dunders": {
        "input": {
            "required": {
                name: ["INT", {}]
                for name in (
                    "__debug__",
                    "__qualname__",
                    "__classcell__",
                    "__class__",
                    "__module__",
                    "__dict__",
                    "__slots__",
                    "__init_subclass__",
                    "__x",
                    "_Dunders_Class__x",
                    "self",
                    "_self",
                    "_Dunders_Class__self",
                    "fix",
                    "\ufb01x",
                    "ｆｏｒ",
                )
            }
        },
        "output": ["INT"] * 9,
        "output_name": [
            "__qualname__",
            "__classcell__",
            "__slots__",
            "__init_subclass__",
            "__debug__",
            "__class__",
            "__x",
            "_Dunders_Node__x",
            "__dict__",
        ],
    },
    "Pack": {
        "input": {
            "required": {
                "fmt": [
                    ["a", "b"],
                    {
                        "formats": {
                            "a": [
                                ["title", "INT", {"default": 1}],
                                ["id", "INT"],
                                ["extra_inputs", "INT"],
                                ["\ufb01x", "INT"],
                                ["fix", "INT"],
                                ["__debug__", "INT"],
                                ["self", "INT"],
                                ["b_c", "INT"],
                            ]
                        }
                    },
                ],
                "b.c": ["STRING", {}],
                "fix": ["STRING", {}],
            }
        },
        "output": [],
    },
    "class": {"input": {}, "output": []},
    "\ufb01x": {"input": {}, "output": []},
    "__debug__": {"input": {}, "output": []},
    "ｆｏｒ": {"input": {}, "output": []},
    "x\u2118": {"input": {}, "output": []},
}


def reserved_catalog() -> Catalog:
    return Catalog(RESERVED_DEFINITIONS, source="reserved")


def test_reserved_names_make_a_stub_that_compiles_and_imports(folder: Path) -> None:
    _code, canary = canary_for(folder)
    text = stubs.render_stubs(reserved_catalog(), source="reserved")
    check_stub(text, folder, canary)
    assert {"Dunders", "Pack"} == {n for n in reserved_catalog().names() if stubs.declarable(n)}
    for name in ("Dunders", "Pack"):
        check_keywords_bind(reserved_catalog()[name])


def test_reserved_names_take_their_python_form_in_the_stub_and_the_call() -> None:
    catalog = reserved_catalog()
    declared = stubs.stub_class(catalog["Dunders"])
    params = [p.name for p in (*declared.positional, *declared.keyword_only)]
    assert "__debug__" not in params and "__debug___" in params, "no code may bind __debug__"
    assert {"__class__", "__qualname__", "__slots__", "__classcell__"} <= set(params)
    assert "__x" not in params, "Python would rewrite it inside the class body"
    assert "_Dunders_Class__x" in params
    assert {"self", "fix", "_x", "___"} <= set(params), "ﬁx and ｆｏｒ by their Python forms"
    assert "_self_2" == declared.self_name
    assert ["_Dunders_Node__x"] == [p.attr for p in declared.properties], "no dunder property"
    with Workflow():
        node = node_class("Dunders", catalog)(
            __debug___=1, __class__=2, self=3, _x=4, ___=5, __qualname__=6
        )
        assert node.out["__qualname__"] == node[0]
    assert {
        "__debug__": 1,
        "__class__": 2,
        "self": 3,
        "\ufb01x": 4,
        "ｆｏｒ": 5,
        "__qualname__": 6,
    } == node.inputs


def test_pack_widgets_named_like_control_keywords_are_declared_once() -> None:
    catalog = reserved_catalog()
    declared = stubs.stub_class(catalog["Pack"])
    keyword_only = {p.name: p.annotation for p in declared.keyword_only}
    assert {"title": "_Any", "id": "_Any", "extra_inputs": "_Any", "self": "_Any"}.items() <= (
        keyword_only.items()
    ), "the call gives these keywords to the widgets"
    assert "b_c" in keyword_only and "_Any" == keyword_only["b_c"], "a widget wins over an alias"
    assert ["fmt"] == [p.name for p in declared.positional], (
        "no keyword sets 'b.c': by keyword after it"
    )
    assert "_Any" != keyword_only["fix"], "the input fix, not the widget ﬁx"
    with Workflow():
        node = node_class("Pack", catalog)(fmt="a", title=5, id=6, b_c=7, fix="f")
    assert None is node.meta
    assert {"title": 5, "id": 6, "b_c": 7, "fix": "f"}.items() <= node.inputs.items()


def test_class_names_without_a_python_name_are_listed_not_declared() -> None:
    text = stubs.render_stubs(reserved_catalog(), source="reserved")
    undeclared = next(line for line in text.splitlines() if line.startswith("# Not declared"))
    for name in ('"class"', '"\ufb01x"', '"__debug__"', '"ｆｏｒ"', '"x\u2118"'):
        assert name in undeclared


def test_mypy_accepts_a_hostile_stub(tmp_path: Path) -> None:
    api = pytest.importorskip("mypy.api")
    code, _canary = canary_for(tmp_path)
    definitions = {
        **RESERVED_DEFINITIONS,
        "Texts": {
            "input": {
                "required": {
                    "q": [["a\n" + code, '"""' + code, "\\", "\u2028", 1, None, True], {}],
                    "d": ["INT", {"default": {"k": [1, None, '"""']}, "tooltip": '"""\n' + code}],
                }
            },
            "output": ["X\n" + code],
            "output_name": ['"""' + code],
            "description": '\\"""\n' + code,
            "display_name": "\n" + code,
        },
        # Links of hostile types: the stub's classes of them are named by PythonIdentifier and
        # the types written as literals, yet the same text still types the same link.
        "Sink": {
            "input": {"required": {"x": ["X\n" + code]}, "optional": {"y": ['"""' + code]}},
            "output": [["\n" + code, '"""']],
        },
        "Choosy": {"input": {"optional": {"c": [["\n" + code, '"""'], {}]}}, "output": []},
    }
    stub = tmp_path / "hostile_nodes.pyi"
    stub.write_text(
        stubs.render_stubs(
            Catalog(definitions, source="x"),
            command=stubs.stub_command("o\n" + code, ["p\n" + code]),
            source=stubs.stub_source(["p\n" + code]),
        ),
        encoding="utf-8",
    )
    script = tmp_path / "use_hostile.py"
    script.write_text(
        textwrap.dedent("""\
            from hostile_nodes import Choosy, Dunders, Pack, Sink, Texts
            Dunders(__debug___=1, __class__=2, self=3, _x=4, title="t", __qualname__=5,
                    __classcell__=6, __module__=7, __dict__=8, __slots__=9, __init_subclass__=10,
                    _Dunders_Class__x=11, _self=12, _Dunders_Class__self=13, fix=14, ___=15)
            Pack(fmt="a", title=1, id="x", b_c=2, fix="f")
            Texts(q="\\\\", d=3)
            Texts(q="nope")  # arg-type
            sink = Sink(x=Texts(q="\\\\")[0])
            Sink(x=Texts(q="\\\\"), y=Texts(q="\\\\")[0])  # arg-type
            Choosy(c=sink)
            Choosy(c=sink[0])
            Choosy(c=Texts(q="\\\\"))  # arg-type
            """),
        encoding="utf-8",
    )
    config = tmp_path / "mypy.ini"
    config.write_text(
        textwrap.dedent(f"""\
            [mypy]
            strict = True
            no_site_packages = True
            mypy_path = {ROOT}
            cache_dir = {tmp_path / "cache"}
            [mypy-comfydsl.*]
            follow_imports = silent
            """),
        encoding="utf-8",
    )
    stdout, stderr, _status = api.run(["--config-file", str(config), str(stub), str(script)])
    assert "" == stderr
    errors = [line for line in stdout.splitlines() if ": error:" in line]
    assert [7, 9, 12] == [int(line.split(":")[1]) for line in errors], "\n".join(errors)
    assert all("use_hostile.py" in line for line in errors)
