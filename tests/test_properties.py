"""Properties of building, validating and compiling, over random catalogs and workflows.

The strategies are in tests/strategies.py; the server's rules used as oracles here are those
observed on a real ComfyUI 0.3.75 server (its validation of ``POST /prompt``).
"""

from __future__ import annotations

import json
import math
from typing import Any

import strategies as sts
from hypothesis import given
from hypothesis import strategies as st

from comfydsl import Workflow, load_prompt
from comfydsl.catalog import Catalog, use_catalog
from comfydsl.errors import NodeError, ValidationError
from comfydsl.nodes import node_class

#: Every ``.type`` a NodeError may carry: the server's words, plus the few comfydsl adds.
ERROR_TYPES = {
    "value_not_in_list",
    "return_type_mismatch",
    "value_smaller_than_min",
    "value_bigger_than_max",
    "invalid_input_type",
    "unknown_input",
    "required_input_missing",
    "dependency_cycle",
    "bad_linked_input",
    "link_to_missing_node",
    "output_index_out_of_range",
    # comfydsl's own, stricter than the server where the answer is knowable (README): a file
    # name that leaves its folder or names the folder itself, a constant a primitive feeds.
    "path_outside_folder",
    "custom_validation_failed",
}


def dumps(prompt: Any) -> str:
    return json.dumps(prompt, indent=2, ensure_ascii=False)


# -- round trips and determinism ----------------------------------------------------------------------


@given(sts.valid_plans())
def test_compile_load_compile_is_the_identity(plan: sts.Plan) -> None:
    wf, _ = sts.build(plan)
    first = wf.to_api()
    text = dumps(first)
    again = load_prompt(json.loads(text), catalog=plan.catalog()).to_api()
    assert first == again, f"the prompt changed on the way back:\n{text}\n---\n{dumps(again)}"
    assert text == dumps(again), "same dicts, but the JSON text differs (key order?)"
    assert json.dumps(first) == json.dumps(again), "compact JSON differs"


@given(sts.valid_plans())
def test_loading_under_the_catalog_in_force_round_trips_too(plan: sts.Plan) -> None:
    wf, _ = sts.build(plan)
    text = dumps(wf.to_api())
    with use_catalog(plan.catalog(), merge=False):
        loaded = load_prompt(json.loads(text))
    assert text == dumps(loaded.to_api()), "load_prompt with the active catalog changed the prompt"


@given(sts.valid_plans())
def test_compiling_twice_and_building_twice_give_the_same_bytes(plan: sts.Plan) -> None:
    wf, _ = sts.build(plan)
    once = dumps(wf.to_api())
    assert once == dumps(wf.to_api()), "compiling the same workflow twice gave different bytes"
    rebuilt, _ = sts.build(plan)
    assert once == dumps(rebuilt.to_api()), "building the same plan twice gave different bytes"


@given(sts.valid_plans())
def test_every_link_points_at_an_existing_node_and_output(plan: sts.Plan) -> None:
    wf, _ = sts.build(plan)
    prompt = wf.to_api()
    assert [str(k) for k in prompt] == list(prompt), "node ids must be strings"
    for node_id, node in prompt.items():
        assert ["inputs", "class_type", "_meta"][: len(node)] == list(node), (
            f"node {node_id}: keys out of order: {list(node)}"
        )
        for name, value in node["inputs"].items():
            if not isinstance(value, list):
                continue
            assert 2 == len(value), f"{node_id}.{name}: a list literal must be wrapped: {value!r}"
            source_id, index = value
            assert source_id in prompt, f"{node_id}.{name} links to missing node {source_id!r}"
            source_class = prompt[source_id]["class_type"]
            if source_class in plan.object_info:
                outputs = plan.object_info[source_class]["output"]
                assert 0 <= index < len(outputs), (
                    f"{node_id}.{name} links to output {index} of {source_class}, "
                    f"which has {len(outputs)}"
                )
                consumer = plan.object_info.get(node["class_type"])
                spec = None if consumer is None else _spec(consumer, name)
                if spec is not None and not isinstance(spec[0], list) and spec[0] != "COMBO":
                    assert sts.type_fits(outputs[index], spec[0]), (
                        f"{node_id}.{name} ({spec[0]}) takes an output of type {outputs[index]}"
                    )


def _spec(definition: dict[str, Any], name: str) -> list[Any] | None:
    for section in ("required", "optional"):
        found = (definition["input"].get(section) or {}).get(name)
        if found is not None:
            return found
    return None


@given(sts.valid_plans())
def test_ids_are_given_in_creation_order_and_inputs_in_definition_order(plan: sts.Plan) -> None:
    wf, nodes = sts.build(plan)
    prompt = wf.to_api()
    assert [n.id for n in nodes] == list(prompt), "nodes are not in creation order"
    automatic = [n.id for n, step in zip(nodes, plan.steps, strict=True) if step.node_id is None]
    assert [str(i) for i in range(1, len(automatic) + 1)] == automatic, (
        "automatic ids must be 1, 2, ... in creation order (the explicit ones used here are never numbers "
        "a small workflow reaches)"
    )
    for node, step in zip(nodes, plan.steps, strict=True):
        if not step.typed:
            continue
        infos = sts.spec_infos(plan.object_info[step.class_type], plan.files_known)
        order = _definition_order(plan.object_info[step.class_type])
        widgets = [i.name for i in sorted(infos, key=lambda i: order.index(i.name)) if i.widget]
        sockets = [i.name for i in sorted(infos, key=lambda i: order.index(i.name)) if not i.widget]
        declared = [name for name in prompt[node.id]["inputs"] if name in order]
        expected = [name for name in widgets + sockets if name in declared]
        assert expected == declared, f"{step.class_type}: inputs out of the editor's order"


def _definition_order(definition: dict[str, Any]) -> list[str]:
    order = definition.get("input_order")
    names: list[str] = []
    for section in ("required", "optional"):
        specs = definition["input"].get(section) or {}
        listed = (order or {}).get(section) or list(specs)
        names += [n for n in listed if n in specs]
    return names


# -- validation -------------------------------------------------------------------------------------


@given(st.data(), sts.object_infos(), st.booleans())
def test_validation_raises_nothing_but_comfydsl_errors(
    data: st.DataObject, object_info: dict[str, Any], files_known: bool
) -> None:
    calls = data.draw(sts.random_calls(object_info))
    wf, errors = sts.run_calls(object_info, calls, files_known)  # anything else propagates
    for error in errors:
        assert isinstance(error, NodeError), f"not a NodeError: {error!r}"
        assert error.type in ERROR_TYPES, f"unknown error type {error.type!r}: {error}"
        assert error.source is not None, f"no source line: {error}"
        assert sts.__file__ == error.source.file, f"the error points outside the caller: {error}"
        assert f"{error.source.file}:{error.source.line}" in str(error), str(error)
    try:
        prompt = wf.to_api()
    except ValidationError as error:
        assert all(isinstance(e, NodeError) for e in error.errors), repr(error.errors)
        return
    json.dumps(prompt)  # every value accepted must be something JSON holds


SERVER_CONVERSIONS = {"INT": int, "FLOAT": float, "STRING": str, "BOOLEAN": bool}


def server_verdict(kind: str, value: Any, low: Any, high: Any) -> str:
    """What ComfyUI's validate_inputs says of a literal: "ok" or its error type (PROTOCOL.md)."""
    try:
        converted = SERVER_CONVERSIONS[kind](value)
    except Exception:
        return "invalid_input_type"
    if kind in ("INT", "FLOAT"):
        if low is not None and converted < low:
            return "value_smaller_than_min"
        if high is not None and converted > high:
            return "value_bigger_than_max"
    return "ok"


def one_input_catalog(spec: list[Any], files_known: bool = True) -> Catalog:
    return Catalog.from_object_info(
        {
            "T": {
                "input": {"required": {"v": spec}},
                "input_order": {"required": ["v"]},
                "output": [],
                "output_is_list": [],
                "output_name": [],
                "name": "T",
                "display_name": "T",
                "category": "test",
                "output_node": True,
            }
        },
        files_known=files_known,
    )


def dsl_verdict(catalog: Catalog, value: Any) -> str:
    with use_catalog(catalog, merge=False), Workflow():
        try:
            node_class("T")(v=value)
        except NodeError as error:
            return error.type
    return "ok"


_bounds = {
    "INT": st.none() | st.integers(-100, 100) | st.integers(-(2**65), 2**65),
    "FLOAT": st.none() | st.floats(-100, 100) | st.integers(-100, 100),
    "STRING": st.none(),
    "BOOLEAN": st.none(),
}


@given(st.data(), st.sampled_from(sorted(SERVER_CONVERSIONS)), sts.scalars())
def test_literals_are_accepted_exactly_when_the_server_accepts_them(
    data: st.DataObject, kind: str, value: Any
) -> None:
    low = data.draw(_bounds[kind], label="min")
    high = data.draw(_bounds[kind], label="max")
    options = {k: v for k, v in (("min", low), ("max", high)) if v is not None}
    expected = server_verdict(kind, value, low, high)
    actual = dsl_verdict(one_input_catalog([kind, options]), value)
    assert expected == actual, f"{kind} {options}: the server says {expected} of {value!r}"


def test_the_oracle_knows_the_server_coercions() -> None:
    # The facts of PROTOCOL.md, so that the oracle above cannot drift from them.
    accepted = [
        ("INT", "48"),
        ("INT", " 16 "),
        ("INT", 40.7),
        ("INT", True),
        ("FLOAT", "nan"),
        ("STRING", 5),
        ("STRING", None),
        ("BOOLEAN", "false"),
    ]
    rejected = [("INT", "16.5"), ("INT", "1e1"), ("INT", "0x10")]
    for kind, value in accepted:
        assert "ok" == server_verdict(kind, value, None, None), f"{kind} {value!r}"
        assert "ok" == dsl_verdict(one_input_catalog([kind]), value), f"comfydsl: {kind} {value!r}"
    for kind, value in rejected:
        assert "invalid_input_type" == server_verdict(kind, value, None, None), f"{kind} {value!r}"
        assert "invalid_input_type" == dsl_verdict(one_input_catalog([kind]), value), (
            f"comfydsl: {kind} {value!r}"
        )
    assert math.isnan(float("nan"))


@given(
    st.sampled_from(["legacy", "COMBO"]),
    st.lists(st.one_of(st.text(max_size=4), st.integers(-3, 3)), unique=True, max_size=4),
    st.one_of(st.text(max_size=4), st.integers(-3, 3), st.none(), st.booleans()),
    st.booleans(),
)
def test_combo_values_are_accepted_exactly_when_among_the_choices(
    form: str, choices: list[Any], value: Any, files_known: bool
) -> None:
    spec = [choices, {}] if form == "legacy" else ["COMBO", {"options": choices}]
    unknown = (
        not files_known and not choices
    )  # an empty file list not from the server: unknown here
    if unknown:
        expected = "ok" if isinstance(value, str) else "invalid_input_type"
    else:
        expected = "ok" if value in choices else "value_not_in_list"
    actual = dsl_verdict(one_input_catalog(spec, files_known), value)
    assert expected == actual, f"{form} {choices} (files_known={files_known}): {value!r}"
