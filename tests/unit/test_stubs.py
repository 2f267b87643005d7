"""The type stub of comfydsl.nodes (comfydsl/nodes/__init__.pyi) and the command that makes it.

The checked-in stub must equal a fresh render of the bundled catalog; regenerate it with
``python -m comfydsl.codegen.stubs``. mypy checks a stub of awkward names and a script using it,
and stubtest checks that the stub declares the runtime names of comfydsl/nodes/__init__.py as
that module defines them. (tests/unit/codegen/test_typed_links.py runs mypy and pyright on
scripts, right and wrong, and on examples/*.py against the shipped stub.)
"""

from __future__ import annotations

import ast
import difflib
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typecheck import run_mypy

import comfydsl.nodes
from comfydsl.catalog import Catalog, bundled_catalog
from comfydsl.codegen import stubs
from comfydsl.codegen.link_types import LinkTypes
from comfydsl.codegen.node_stub import TEMPLATE_NAMES
from comfydsl.graph import Workflow
from comfydsl.nodes import node_class

ROOT = Path(__file__).resolve().parents[2]
STUB = ROOT / "comfydsl" / "nodes" / "__init__.pyi"

#: A catalog of awkward cases: inputs named like control keywords, ``self``, keywords and soft
#: keywords, a Python form taken by another input, outputs named like node attributes or like
#: names the stub uses, choices no Literal spells, text that needs escaping, class names that
#: cannot be declared.
EDGE_DEFINITIONS: dict[str, Any] = {
    "Clashes": {
        "input": {
            "required": {
                "title": ["STRING", {}],
                "id": ["INT", {"min": 0}],
                "extra_inputs": ["STRING", {}],
                "self": ["FLOAT", {}],
                "type": [["a", "b"], {}],
                "from": ["BOOLEAN", {}],
                "a.b": ["INT", {}],
                "a_b": ["INT", {}],
                "c": ["MODEL", {}],
            }
        },
        "output": ["MODEL", "INT", "IMAGE", "X", "Y", "IMAGE"],
        "output_name": ["id", "output", "int", "property", "_Output", "IMAGE"],
        "display_name": 'Weird """ \\ name"',
        "category": "t\u2028x",
        "description": 'He said "hi" \\n and """ left\x00.',
    },
    "Choices": {
        "input": {
            "required": {
                "f": [[0.5, 1.5], {}],
                "e": [[], {}],
                "q": [['it\'s "q"', "back\\slash", "new\nline", "ü"], {"tooltip": 'tip """'}],
                "n": [[1, True, 1], {}],
                "mix": [[1, "a", None], {}],
                "up": [["x.png"], {"image_upload": True}],
                "any": ["*", {}],
                "cam": ["WEBCAM", {}],
                "o": ["COMBO", {"options": ["x", "y"]}],
            },
            "optional": {"opt": ["INT", {"default": 3}]},
        },
        "output": [],
        "display_name": "Choices",
        "category": "",
    },
    "NoInputs": {"input": {}, "output": ["A,B"], "output_is_list": [True]},
    "int": {"input": {}, "output": ["INT"]},
    "Any": {"input": {}, "output": ["INT"]},
    "_hidden": {"input": {}, "output": ["INT"]},
    "class": {"input": {}, "output": ["INT"]},
    "Epsilon Scaling": {"input": {}, "output": ["INT"]},
}

EDGE_SCRIPT = """\
from pathlib import Path

from comfydsl import Node
from edge_nodes import Choices, Clashes, NoInputs, NotDeclared

model = Node("Unknown")[0]
clashes = Clashes("t", 1, "x", 1.5, "a", True, a_b=3, c=model)
Clashes(title="T", id=4, extra_inputs="E", from_=False, type="b", self=2.0, a_b=1, c=clashes[0])
no_inputs = NoInputs(title="x", id=3)
Choices(up=Path("a.png"), any=[1, 2], mix=None, q="new\\nline", n=True, f=0.5, e="m.ckpt", cam=1)
NotDeclared(1, anything=2)
image = clashes.IMAGE
hidden = clashes.out.id
Choices(q="nope", e="m", any=1, cam=2)  # call-overload: "_Choices_Class"
Clashes("t", 1, "x", 1.5, "a", True, a_b=3, c=model, b=2)  # call-overload: Unexpected keyword argument "b"
Clashes(title=None, id=1, extra_inputs="x", self=1.0, from_=True, a_b=1, c=model)  # call-overload: "_Clashes_Class"
Clashes("t", 1, "x", 1.5, "a", True, a_b=3, c=no_inputs)  # call-overload: "_NoInputs_Node"
Clashes("t", 1, "x", 1.5, "a", True, a_b=3)  # call-overload: "_Clashes_Class"
"""


def edge_catalog() -> Catalog:
    return Catalog(EDGE_DEFINITIONS, source="edge")


def expected_errors(script: str) -> dict[int, tuple[str, str]]:
    """Line number -> (error code, text) from the ``# code: text`` comments of a script."""
    found = {}
    for number, line in enumerate(script.splitlines(), 1):
        match = re.search(r"  # ([a-z-]+): (.+)$", line)
        if match:
            found[number] = (match.group(1), match.group(2))
    return found


# -- the checked-in stub -------------------------------------------------------------------------


def test_checked_in_stub_equals_a_fresh_render() -> None:
    expected = stubs.default_stub()
    actual = STUB.read_text(encoding="utf-8") if STUB.is_file() else ""
    if expected != actual:
        diff = "".join(
            list(
                difflib.unified_diff(
                    actual.splitlines(keepends=True),
                    expected.splitlines(keepends=True),
                    "checked in",
                    "fresh render",
                    n=1,
                )
            )[:40]
        )
        pytest.fail(
            f"{STUB.relative_to(ROOT)} is stale: regenerate it with `{stubs.COMMAND}` "
            f"(and review the diff).\n{diff}"
        )


def test_stub_is_valid_python_and_declares_every_class() -> None:
    text = STUB.read_text(encoding="utf-8")
    tree = ast.parse(text, filename=str(STUB))
    declared = {
        node.target.id
        for node in tree.body
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
    }
    catalog, origins = stubs.stub_catalog()
    expected = {name for name in catalog if stubs.declarable(name)}
    assert expected == declared, "every class of the bundled catalog and packs with a Python name"
    undeclared = set(catalog.names()) - declared
    assert "Epsilon Scaling" in undeclared and "MiDaS-DepthMapPreprocessor" in undeclared
    assert all(not name.isidentifier() for name in undeclared), undeclared
    assert {"HEDPreprocessor", "VHS_VideoCombine"} <= set(origins) <= set(catalog), "pack classes"
    assert set(bundled_catalog()).isdisjoint(origins)
    assert text.splitlines()[2] == f"#     {stubs.COMMAND}"
    assert "Do not edit" in text.splitlines()[3]


def test_stub_keywords_are_those_the_runtime_takes() -> None:
    catalog, _origins = stubs.stub_catalog()
    controls = {"title", "id", "extra_inputs"}
    for name in catalog:
        if not stubs.declarable(name):
            continue
        definition = catalog[name]
        declared = stubs.stub_class(definition)
        for param, input_name in zip(declared.positional, definition.positional, strict=False):
            spec = definition.input(param.name)
            assert spec is not None and input_name == spec.name, f"{name}: {param.name}"
        widgets = definition.format_widget_names() - set(definition.inputs)
        for param in declared.keyword_only:
            if param.name in controls and param.name not in definition.inputs:
                continue
            if param.name in widgets:
                continue  # a pack widget of some choices of a combo (VHS_VideoCombine's crf)
            spec = definition.input(param.name)
            assert spec is not None, f"{name}: the stub's keyword {param.name!r} sets no input"


def test_runtime_names_of_comfydsl_nodes_are_known_to_the_generator() -> None:
    public = {n for n in vars(comfydsl.nodes) if not n.startswith("_")}
    assert set() == public - stubs.RUNTIME_NAMES, (
        "comfydsl/nodes/__init__.py defines new names: add them to stubs.RUNTIME_NAMES "
        "(and declare the public ones in the template)"
    )


def test_importing_the_nodes_does_not_import_codegen() -> None:
    code = (
        "import sys, comfydsl.nodes; "
        "print(sorted(m for m in sys.modules if m == 'jinja2' or m.startswith('comfydsl.codegen')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert "[]" == result.stdout.strip()


# -- rendering awkward catalogs ------------------------------------------------------------------


def test_edge_catalog_renders_valid_python() -> None:
    text = stubs.render_stubs(edge_catalog(), source="edge")
    ast.parse(text)
    assert '"_hidden", "Any", "class", "Epsilon Scaling", "int"' in text
    clashes = stubs.stub_class(edge_catalog()["Clashes"])
    assert "_self" == clashes.self_name
    assert ["title", "id", "extra_inputs", "self", "type", "from_"] == [
        p.name for p in clashes.positional
    ]
    assert ["a_b", "c"] == [p.name for p in clashes.keyword_only], "no keyword sets 'a.b'"
    assert ["IMAGE"] == [p.attr for p in clashes.properties]


@pytest.mark.parametrize(
    ("input_name", "annotation"),
    [
        ("f", "float | _To_CHOICES"),
        ("e", "str | _To_CHOICES"),
        ("n", "_Literal[1, True] | _To_CHOICES"),
        ("mix", '_Literal[1, "a", None] | _To_CHOICES'),
        ("up", '_Literal["x.png"] | _PurePath | _To_CHOICES'),
        ("any", "_Any"),
        ("cam", "_Any"),
        ("o", '_Literal["x", "y"] | _To_COMBO'),
        ("opt", "int | float | str | _To_INT"),
    ],
)
def test_annotation_of_each_kind(input_name: str, annotation: str) -> None:
    catalog = edge_catalog()
    links = LinkTypes([catalog[n] for n in catalog if stubs.declarable(n)], TEMPLATE_NAMES)
    assert annotation == stubs.annotation(catalog["Choices"].inputs[input_name], links)


def test_edge_catalog_calls_bind_at_run_time_as_the_stub_says() -> None:
    catalog = edge_catalog()
    with Workflow():
        positional = node_class("Clashes", catalog)("t", 1, "x", 1.5, "a", True, a_b=3)
        by_keyword = node_class("Clashes", catalog)(title="T", id=4, extra_inputs="E", from_=False)
        controls = node_class("NoInputs", catalog)(title="x", id=3)
    assert {"title": "t", "id": 1, "extra_inputs": "x", "self": 1.5, "type": "a"} == {
        k: positional.inputs[k] for k in ("title", "id", "extra_inputs", "self", "type")
    }
    assert (None, "T", 4) == (by_keyword.meta, by_keyword.inputs["title"], by_keyword.inputs["id"])
    assert ({"title": "x"}, "3") == (controls.meta, controls.id)


# -- the command ---------------------------------------------------------------------------------


def test_command_writes_and_checks_a_stub(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    catalog_file = tmp_path / "packs.json"
    catalog_file.write_text('{"MyPackNode": {"input": {}, "output": ["IMAGE"]}}', encoding="utf-8")
    target = tmp_path / "typings" / "comfydsl" / "nodes" / "__init__.pyi"
    args = ["-o", str(target), "--catalog", str(catalog_file)]
    assert 0 == stubs.main(args)
    text = target.read_text(encoding="utf-8")
    assert f"#     {stubs.stub_command(str(target), [str(catalog_file)])}" == text.splitlines()[2]
    assert "MyPackNode: _MyPackNode_Class" in text
    assert "KSampler: _KSampler_Class" in text
    assert 0 == stubs.main([*args, "--check"])
    target.write_text(text + "# edited\n", encoding="utf-8")
    assert 1 == stubs.main([*args, "--check"])
    assert "is stale: regenerate it with python -m comfydsl.codegen.stubs -o" in (
        capsys.readouterr().err
    )


def test_command_reports_a_missing_catalog(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert 1 == stubs.main(["-o", str(tmp_path / "x.pyi"), "--catalog", str(tmp_path / "no.json")])
    assert "error:" in capsys.readouterr().err


def test_no_fallback_leaves_out_the_module_getattr() -> None:
    text = stubs.render_stubs(edge_catalog(), fallback=False)
    assert "def __getattr__(name: str)" not in text
    assert "def __getattr__(name: str)" in stubs.render_stubs(edge_catalog())


# -- type checkers -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mypy_report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """mypy --strict on the edge stub and a script that uses it: errors by file.

    (tests/unit/codegen/test_typed_links.py checks the shipped stub and examples/*.py.)
    """
    api = pytest.importorskip("mypy.api")
    folder = tmp_path_factory.mktemp("mypy")
    (folder / "edge_nodes.pyi").write_text(
        stubs.render_stubs(edge_catalog(), source="edge"), encoding="utf-8"
    )
    (folder / "use_edge.py").write_text(EDGE_SCRIPT, encoding="utf-8")
    files = [str(folder / n) for n in ("edge_nodes.pyi", "use_edge.py")]
    stdout = run_mypy(api, folder, files)
    errors: dict[str, list[str]] = {}
    for line in stdout.splitlines():
        if ": error:" in line:
            path = line.split(":", 1)[0]
            errors.setdefault(Path(path).name, []).append(line)
    return errors


@pytest.mark.parametrize("name", ["edge_nodes.pyi"])
def test_mypy_accepts_the_edge_stub(mypy_report: dict[str, list[str]], name: str) -> None:
    assert [] == mypy_report.get(name, [])


@pytest.mark.parametrize(("name", "script"), [("use_edge.py", EDGE_SCRIPT)])
def test_mypy_reports_each_wrong_call(
    mypy_report: dict[str, list[str]], name: str, script: str
) -> None:
    expected = expected_errors(script)
    found: dict[int, str] = {}
    for line in mypy_report.get(name, []):
        number = int(line.split(":")[1])
        found[number] = found.get(number, "") + line
    assert sorted(expected) == sorted(found), "\n".join(mypy_report.get(name, []))
    for number, (code, text) in expected.items():
        assert f"[{code}]" in found[number] and text in found[number], found[number]


def test_stub_declares_the_runtime_names_as_the_module_defines_them(tmp_path: Path) -> None:
    pytest.importorskip("mypy.stubtest")
    # Node classes are instances of NodeClass at run time and of a stub-only subclass in the
    # stub: that difference is the point, so stubtest is told to allow it for them.
    allowlist = tmp_path / "allowlist.txt"
    # (The packs' classes need no entry: the module's __getattr__ answers them at run time.)
    names = [n for n in bundled_catalog() if stubs.declarable(n)]
    allowlist.write_text("".join(f"comfydsl.nodes.{n}\n" for n in names), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "comfydsl.nodes", "--allowlist", str(allowlist)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "MYPYPATH": str(ROOT), "PYTHONPATH": str(ROOT)},
    )
    assert 0 == result.returncode, result.stdout + result.stderr


def test_mypy_still_checks_the_runtime_module(tmp_path: Path) -> None:
    # With the stub beside it, mypy of the package reads comfydsl/nodes/__init__.pyi, not the .py.
    api = pytest.importorskip("mypy.api")
    stdout, _stderr, status = api.run(
        [
            "--strict",
            "--cache-dir",
            str(tmp_path / "cache"),
            "--follow-imports",
            "silent",
            "--no-site-packages",
            str(ROOT / "comfydsl" / "nodes" / "__init__.py"),
        ]
    )
    assert 0 == status, stdout


def test_command_prints_the_stub_for_o_dash(capsys: pytest.CaptureFixture[str]) -> None:
    assert 0 == stubs.main(["-o", "-"])
    out = capsys.readouterr().out
    assert "#     python -m comfydsl.codegen.stubs -o -" == out.splitlines()[2]
    assert 2 == stubs.main(["-o", "-", "--check"])


def test_command_reports_an_output_it_cannot_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert 1 == stubs.main(["-o", str(tmp_path)])
    assert "error:" in capsys.readouterr().err
