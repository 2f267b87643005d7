"""Catalogs are checked when they are loaded: every problem of a file at once, and a malformed
definition never crashes later with an error from outside comfydsl."""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import requests
from hypothesis import event, given, settings

from comfydsl import Workflow
from comfydsl.catalog import Catalog, bundled_catalog, load_catalog, use_catalog
from comfydsl.catalog import catalog as catalog_module
from comfydsl.catalog.model import NodeDef
from comfydsl.errors import CatalogError, ComfyDSLError
from comfydsl.formats.api import load_prompt
from comfydsl.nodes import node_class
from comfydsl.validation.workflow import check_workflow
from tests.strategies import mutated_object_infos

REFERENCE = Path("/work/shared/comfyui/reference")


def definition(**changes: Any) -> dict[str, Any]:
    """A small valid definition shaped like the server's, with ``changes`` put over it."""
    base: dict[str, Any] = {
        "input": {
            "required": {
                "seed": ["INT", {"default": 0, "min": 0, "max": 2**64 - 1}],
                "sampler": [["euler", "ddim"], {}],
                "mode": ["COMBO", {"options": ["a", "b"]}],
                "model": ["MODEL"],
            },
            "optional": {"strength": ["FLOAT", {"default": 1.0}]},
            "hidden": {"prompt": "PROMPT", "unique_id": ["UNIQUE_ID"]},
        },
        "input_order": {
            "required": ["seed", "sampler", "mode", "model"],
            "optional": ["strength"],
            "hidden": ["prompt", "unique_id"],
        },
        "output": ["LATENT"],
        "output_is_list": [False],
        "output_name": ["LATENT"],
        "name": "KSampler",
        "display_name": "KSampler",
        "description": "",
        "python_module": "nodes",
        "category": "sampling",
        "output_node": False,
    }
    base.update(changes)
    return base


def with_input(spec: Any, name: str = "seed", section: str = "required") -> dict[str, Any]:
    """The small definition with one input's spec replaced."""
    result = definition()
    result["input"][section][name] = spec
    return result


def load_file(tmp_path: Path, data: Any, name: str = "my.json") -> Catalog:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return load_catalog(path)


def problem_of(tmp_path: Path, data: Any) -> CatalogError:
    """The CatalogError that loading ``data`` from a file gives (it must give one)."""
    with pytest.raises(CatalogError) as info:
        load_file(tmp_path, data)
    return info.value


#: (what is wrong, the definition of KSampler, the place the message must name, what it must say)
BROKEN_DEFINITIONS = [
    ("input is a list", definition(input=[]), "KSampler.input:", "expected an object"),
    ("input is a number", definition(input=5), "KSampler.input:", "got 5"),
    (
        "required is a list",
        definition(input={"required": ["a"]}),
        "KSampler.input.required:",
        "got ['a']",
    ),
    ("optional is a number", definition(input={"optional": 5}), "KSampler.input.optional:", "5"),
    ("hidden is a number", definition(input={"hidden": 5}), "KSampler.input.hidden:", "got 5"),
    (
        "input_order is a list",
        definition(input_order=["seed"]),
        "KSampler.input_order:",
        "got ['seed']",
    ),
    (
        "a section of input_order is not a list",
        definition(input_order={"required": "seed"}),
        "KSampler.input_order.required:",
        "expected a list of input names, got 'seed'",
    ),
    (
        "input_order names an input by a list",
        definition(input_order={"required": [["seed"]]}),
        "KSampler.input_order.required[0]:",
        "expected an input name",
    ),
    ("output is a number", definition(output=5), "KSampler.output:", "got 5"),
    ("output_name is a number", definition(output_name=5), "KSampler.output_name:", "got 5"),
    ("output_name is a string", definition(output_name="x"), "KSampler.output_name:", "'x'"),
    (
        "output_is_list is a number",
        definition(output_is_list=5),
        "KSampler.output_is_list:",
        "got 5",
    ),
    (
        "output_is_list holds a string",
        definition(output_is_list=["yes"]),
        "KSampler.output_is_list[0]:",
        "got 'yes'",
    ),
    (
        "an output name is not a string",
        definition(output_name=[5]),
        "KSampler.output_name[0]:",
        "got 5",
    ),
    (
        "an output type is an object",
        definition(output=[{"a": 1}]),
        "KSampler.output[0]:",
        "expected a type name or a list of choices, got {'a': 1}",
    ),
    ("an output type is a number", definition(output=[5]), "KSampler.output[0]:", "got 5"),
    (
        "a combo output offers a list",
        definition(output=[["a", ["b"]]]),
        "KSampler.output[0][1]:",
        "expected a choice",
    ),
    (
        "output_tooltips is a number",
        definition(output_tooltips=5),
        "KSampler.output_tooltips:",
        "got 5",
    ),
    (
        "output_tooltips is an object",
        definition(output_tooltips={"0": "x"}),
        "KSampler.output_tooltips:",
        "got {'0': 'x'}",
    ),
    (
        "an output tooltip is a number",
        definition(output_tooltips=[5]),
        "KSampler.output_tooltips[0]:",
        "got 5",
    ),
    (
        "COMBO options are a number",
        with_input(["COMBO", {"options": 5}], "mode"),
        "KSampler.input.required.mode[1].options:",
        "expected a list of choices, got 5",
    ),
    (
        "COMBO options offer an object",
        with_input(["COMBO", {"options": ["a", {"b": 1}]}], "mode"),
        "KSampler.input.required.mode[1].options[1]:",
        "got {'b': 1}",
    ),
    (
        "legacy combo choices hold a list",
        with_input([["euler", ["ddim"]]], "sampler"),
        "KSampler.input.required.sampler[0][1]:",
        "expected a choice (a string, number, boolean or null), got ['ddim']",
    ),
    (
        "options are a number",
        with_input(["INT", 5]),
        "KSampler.input.required.seed[1]:",
        "expected an object of options, got 5",
    ),
    (
        "options are a list",
        with_input(["INT", ["min", 0]]),
        "KSampler.input.required.seed[1]:",
        "got ['min', 0]",
    ),
    (
        "min is a string",
        with_input(["INT", {"min": "0"}]),
        "KSampler.input.required.seed[1].min:",
        "expected a number, got '0'",
    ),
    (
        "max is a boolean",
        with_input(["INT", {"max": True}]),
        "KSampler.input.required.seed[1].max:",
        "expected a number, got True",
    ),
    (
        "step is a string",
        with_input(["FLOAT", {"step": "0.1"}], "strength", "optional"),
        "KSampler.input.optional.strength[1].step:",
        "got '0.1'",
    ),
    (
        "forceInput is a string",
        with_input(["INT", {"forceInput": "false"}]),
        "KSampler.input.required.seed[1].forceInput:",
        "expected true or false",
    ),
    (
        "an input spec is empty",
        with_input([]),
        "KSampler.input.required.seed:",
        "expected an input spec: a non-empty list",
    ),
    ("an input spec is a string", with_input("INT"), "KSampler.input.required.seed:", "'INT'"),
    ("an input spec is null", with_input(None), "KSampler.input.required.seed:", "got None"),
    ("an input spec is an object", with_input({}), "KSampler.input.required.seed:", "got {}"),
    (
        "an input type is a number",
        with_input([5]),
        "KSampler.input.required.seed[0]:",
        "expected a type name or a list of choices, got 5",
    ),
    ("an input type is null", with_input([None]), "KSampler.input.required.seed[0]:", "None"),
    ("an input type is empty", with_input([""]), "KSampler.input.required.seed[0]:", "''"),
    ("display_name is a number", definition(display_name=5), "KSampler.display_name:", "got 5"),
    ("category is a list", definition(category=["a"]), "KSampler.category:", "got ['a']"),
    ("output_node is a string", definition(output_node="yes"), "KSampler.output_node:", "'yes'"),
    ("the definition is null", None, "KSampler:", "expected a node definition (an object)"),
    ("the definition is a list", [], "KSampler:", "got []"),
]


@pytest.mark.parametrize(
    ("broken", "expected_place", "expected_text"),
    [case[1:] for case in BROKEN_DEFINITIONS],
    ids=[case[0] for case in BROKEN_DEFINITIONS],
)
def test_a_malformed_definition_is_a_catalog_error_at_load(
    tmp_path: Path, broken: Any, expected_place: str, expected_text: str
) -> None:
    error = problem_of(tmp_path, {"KSampler": broken})
    message = str(error)
    assert isinstance(error, ValueError), "a CatalogError is also a ValueError"
    assert message.startswith(f"{tmp_path / 'my.json'}: {expected_place}"), message
    assert expected_text in message, message
    assert [str(tmp_path / "my.json")] == [p.source for p in error.problems]
    assert ["KSampler"] == [p.class_type for p in error.problems], message


def test_every_problem_of_every_class_is_reported_at_once(tmp_path: Path) -> None:
    broken = with_input(["INT", {"min": "0", "max": "9"}])
    broken["output"] = 5
    data = {
        "KSampler": broken,
        "Good": definition(),
        "Gone": None,
        "Odd": definition(input={"required": ["a"], "hidden": 5}),
    }
    error = problem_of(tmp_path, data)
    expected = [
        "KSampler.input.required.seed[1].min",
        "KSampler.input.required.seed[1].max",
        "KSampler.output",
        "Gone",
        "Odd.input.required",
        "Odd.input.hidden",
    ]
    assert expected == [p.where for p in error.problems], str(error)
    message = str(error)
    assert message.startswith(f"{tmp_path / 'my.json'}: 6 problems in the node definitions:\n")
    for where in expected:
        assert f"\n  - {where}: expected " in message, f"{where} not listed:\n{message}"


def test_the_message_of_thousands_of_problems_stays_readable() -> None:
    with pytest.raises(CatalogError) as info:
        Catalog({f"C{i}": None for i in range(500)}, source="big.json")
    assert 500 == len(info.value.problems)
    message = str(info.value)
    assert 102 == len(message.splitlines()), "a heading, 100 problems, and how many more"
    assert message.endswith("... and 400 more (see .problems)"), message[-80:]


def test_a_catalog_from_a_server_names_its_url() -> None:
    class Server(requests.Session):
        def send(self, request: requests.PreparedRequest, **kwargs: object) -> requests.Response:
            response = requests.Response()
            response.status_code = 200
            response._content = json.dumps({"KSampler": definition(output=5)}).encode()
            return response

    with pytest.raises(CatalogError) as info:
        load_catalog("http://127.0.0.1:1", session=Server())
    assert str(info.value).startswith("http://127.0.0.1:1: KSampler.output: "), str(info.value)


@pytest.mark.parametrize("top", [[], 5, "x", None, True], ids=repr)
def test_a_file_that_is_not_an_object_is_a_catalog_error(tmp_path: Path, top: Any) -> None:
    error = problem_of(tmp_path, top)
    assert str(error).startswith(f"{tmp_path / 'my.json'}: "), str(error)
    assert "JSON object" in str(error), str(error)


@pytest.mark.parametrize("name", ["", 5, None], ids=repr)
def test_a_class_name_must_be_a_non_empty_string(name: Any) -> None:
    with pytest.raises(CatalogError, match=r"^mem: a class name must be a non-empty string"):
        Catalog({name: definition()}, source="mem")


def test_a_null_definition_never_becomes_a_class() -> None:
    with pytest.raises(
        CatalogError, match=r"X: expected a node definition \(an object\), got None"
    ):
        Catalog({"X": None, "Y": definition()})
    # Before, the catalog loaded, then said "unknown node class 'X'; did you mean 'X'?".


#: Definitions that look odd but are what real servers send, or what ComfyUI's editor accepts.
LENIENT = [
    ("display_name is null (seen on stock ComfyUI)", definition(display_name=None)),
    ("no optional keys at all", {"input": {"required": {}}}),
    ("nothing at all", {}),
    ("input is null", definition(input=None, input_order=None)),
    ("sections are null", definition(input={"required": None, "optional": None})),
    ("output_is_list holds null (seen on custom packs)", definition(output_is_list=[None])),
    ("output_tooltips hold null (seen on stock ComfyUI)", definition(output_tooltips=[None])),
    ("options are null", with_input(["INT", None])),
    ("a third item in a spec", with_input(["INT", {}, "extra"])),
    ("an empty legacy combo (no models)", with_input([[]], "sampler")),
    ("a COMBO without options (remote choices)", with_input(["COMBO", {}], "mode")),
    ("choices of every scalar type", with_input([["a", 1, 2.5, True, None]], "sampler")),
    ("min and max are null", with_input(["INT", {"min": None, "max": None}])),
    ("a hidden input given as a list", definition(input={"hidden": {"p": ["PROMPT"]}})),
    ("input_order names an input that is not there", definition(input_order={"required": ["z"]})),
    ("shorter output lists", definition(output=["A", "B"], output_name=[], output_is_list=[])),
    ("unknown keys", definition(api_node=False, help="x", future={"a": [1]})),
]


@pytest.mark.parametrize("raw", [case[1] for case in LENIENT], ids=[case[0] for case in LENIENT])
def test_what_the_server_sends_and_the_editor_accepts_loads(raw: dict[str, Any]) -> None:
    catalog = Catalog({"KSampler": raw}, source="lenient.json")
    node = catalog["KSampler"]
    for spec in node.inputs.values():
        spec.describe()


def test_a_list_as_output_type_is_a_legacy_combo_output_and_keeps_working() -> None:
    raw = definition(output=[["euler", "ddim"], "MODEL"], output_name=["sampler", "model"])
    raw["output_is_list"] = [False, False]
    catalog = Catalog({"Pick": raw})
    first = catalog["Pick"].outputs[0]
    assert ("sampler", ["euler", "ddim"], ("euler", "ddim")) == (
        first.name,
        first.type,
        first.type_key,
    ), "a combo output's choices are its type, and a tuple as a dict key"
    assert "MODEL" == catalog["Pick"].outputs[1].type_key


def test_every_definition_is_built_once_at_load_and_get_uses_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    built: list[str] = []

    class CountingNodeDef(NodeDef):
        __slots__ = ()

        def __init__(self, name: str, raw: Any, **kwargs: Any) -> None:
            built.append(name)
            super().__init__(name, raw, **kwargs)

    monkeypatch.setattr(catalog_module, "NodeDef", CountingNodeDef)
    data = {"A": definition(), "B": definition()}
    catalog = Catalog(data)
    assert ["A", "B"] == built, "every class is built when the catalog is made"
    data["A"]["input"] = 5  # what the caller does with its dict afterwards changes nothing
    for _ in range(3):
        assert catalog.get("A") is catalog.get("A") is catalog["A"]
    assert ["A", "B"] == built, "get() built a definition again"


def test_merging_keeps_the_checked_definitions() -> None:
    packs = Catalog({"A": definition(), "KSampler": definition(output=["MINE"])}, source="p")
    merged = bundled_catalog().merged(packs)
    assert packs["A"] is merged["A"], "merging built a checked definition again"
    assert ("MINE",) == tuple(o.type for o in merged["KSampler"].outputs), "the later one wins"
    with use_catalog(packs) as active:
        assert packs["A"] is active["A"]
    with pytest.raises(CatalogError):
        bundled_catalog().merged(Catalog({"Bad": {"output": 5}}))


def test_importing_the_nodes_builds_no_definition_of_the_bundled_catalog() -> None:
    # The bundled catalog skips the check at load so that import comfydsl.nodes stays fast.
    script = (
        "import comfydsl.nodes\n"
        "from comfydsl.catalog import catalog\n"
        "print(catalog._bundled is not None, len(catalog._bundled._defs) if catalog._bundled else 0)"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert "True 0" == done.stdout.strip(), done.stdout + done.stderr


def test_the_bundled_catalog_is_valid_when_checked_whole() -> None:
    bundled = bundled_catalog()
    bundled.validate()
    fresh = Catalog(bundled.to_object_info(), source="bundled", files_known=False)
    assert len(bundled) == len(fresh)


@pytest.mark.parametrize(
    "name",
    ["object_info-comfyui-0.3.75.json", "object_info-custom-packs-controlnet_aux-vhs.json"],
)
def test_recorded_server_answers_load(name: str) -> None:
    path = REFERENCE / name
    if not path.exists():
        pytest.skip(f"{path} is not on this machine")
    assert len(load_catalog(path)) > 100


def test_a_bad_widget_of_a_format_is_reported_where_it_is() -> None:
    raw = with_input([["video/webm"], {"formats": {"video/webm": [["crf", "INT", {"min": "0"}]]}}])
    with pytest.raises(CatalogError) as info:
        Catalog({"V": raw}, source="vhs.json")
    expected = "V.input.required.seed[1].formats.video/webm[0][1].min"
    assert [expected] == [p.where for p in info.value.problems], str(info.value)


# -- the property: no malformed definition ever crashes outside comfydsl's errors ----------------

#: COMFYDSL_FUZZ_EXAMPLES=20000 for a long run; CI runs a few hundred (more with the thorough profile).
FUZZ_EXAMPLES = int(os.environ.get("COMFYDSL_FUZZ_EXAMPLES", "0")) or max(
    300, settings().max_examples
)
_REAL = bundled_catalog().to_object_info()


def use_every_definition(catalog: Catalog) -> None:
    """Read every field of every class, describe every input, check a one-node workflow of it."""
    from comfydsl.codegen.stubs import declarable, stub_class

    for name in catalog:
        node = catalog[name]
        for slot in NodeDef.__slots__:
            if slot != "__weakref__":
                getattr(node, slot)
        repr(node)
        node.format_widget_names()
        for input_name, spec in node.inputs.items():
            spec.describe()
            repr(spec)
            assert spec is node.input(input_name)
            assert spec is node.input(spec.python_name) or spec.python_name not in node.aliases
        for output in node.outputs:
            hash(output.type_key)
        if declarable(name):  # the others are reached through the stub's __getattr__
            stub_class(node)
        try:
            workflow = load_prompt({"1": {"class_type": name, "inputs": {}}}, catalog=catalog)
            check_workflow(workflow, catalog)
            workflow.to_api(check=False)
        except ComfyDSLError:
            pass
        try:  # the typed call, with the definition's defaults
            with Workflow() as built:
                node_class(name, catalog)()
            built.to_api(check=False)
            built.check(catalog)
        except ComfyDSLError:
            pass


@settings(max_examples=FUZZ_EXAMPLES)
@given(mutated_object_infos(_REAL))
def test_a_catalog_is_either_refused_or_safe_to_use(object_info: dict[Any, Any]) -> None:
    original = copy.deepcopy(object_info)
    try:
        catalog = Catalog(object_info, source="fuzz.json")
    except CatalogError as error:
        event("refused")
        assert error.problems, "a CatalogError of a catalog lists its problems"
        assert str(error).startswith("fuzz.json: "), str(error)
        for problem in error.problems:
            assert problem.class_type in original or problem.class_type is None, problem
            assert re.match(r"^\S", str(problem)), problem
        return
    event("accepted")
    use_every_definition(catalog)
