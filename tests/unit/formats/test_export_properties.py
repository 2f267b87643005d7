"""Round trips of export over random workflows (random catalogs, tests/strategies.py): comfydsl
reads its own export back as the prompt the export says the editor will queue."""

from __future__ import annotations

import json
from typing import Any

import strategies as sts
from hypothesis import given, settings

from comfydsl import load_workflow
from comfydsl.formats.api_to_ui import export_ui


def expected_after(prompt: dict[str, Any], exported: Any) -> dict[str, Any]:
    expected = {
        node_id: {"inputs": dict(node["inputs"]), "class_type": node["class_type"]}
        for node_id, node in json.loads(json.dumps(prompt)).items()
    }
    renamed = {loss.node_id: str(loss.value) for loss in exported.lost if loss.kind == "renamed"}
    for loss in exported.lost:
        if loss.kind == "not_sent":
            del expected[loss.node_id]
            continue
        if loss.kind == "renamed":
            continue
        inputs = expected[loss.node_id]["inputs"]
        if loss.kind == "dropped":
            inputs.pop(loss.input, None)
        else:
            inputs[loss.input] = loss.value
    for old, new in renamed.items():
        if old in expected:
            expected[new] = expected.pop(old)
    for node in expected.values():
        for name, value in node["inputs"].items():
            if isinstance(value, list) and len(value) == 2 and value[0] in renamed:
                node["inputs"][name] = [renamed[value[0]], value[1]]
    return expected


@settings(max_examples=200, deadline=None)
@given(sts.valid_plans())
def test_an_exported_workflow_reads_back_as_its_prompt(plan: sts.Plan) -> None:
    wf, _ = sts.build(plan)
    exported = export_ui(wf)
    text = json.dumps(exported.workflow, ensure_ascii=False, allow_nan=False)
    read = load_workflow(json.loads(text), catalog=plan.catalog()).to_api(check=False)
    actual = {
        node_id: {"inputs": node["inputs"], "class_type": node["class_type"]}
        for node_id, node in json.loads(json.dumps(read)).items()
    }
    assert expected_after(wf.to_api(check=False), exported) == actual
    renamed = {loss.node_id: loss.value for loss in exported.lost if loss.kind == "renamed"}
    assert [n["id"] for n in exported.workflow["nodes"]] == [
        renamed[i] if i in renamed else int(i) if i.isdigit() and str(int(i)) == i else i
        for i in wf.nodes
    ]
