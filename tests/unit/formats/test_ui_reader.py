"""Bad editor workflows: one WorkflowFormatError that names the file and lists every problem,
each with where it is; never a traceback, never a hang."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from ui_cases import as_version_1, case_subgraph_promoted_widget, case_txt2img

from comfydsl import load_workflow
from comfydsl.errors import PromptFormatError, WorkflowFormatError
from comfydsl.formats.ui import is_api_prompt
from comfydsl.formats.ui_read import parse_workflow
from comfydsl.formats.workflow import is_editor_workflow


def problems_of(data: Any) -> list[str]:
    with pytest.raises(WorkflowFormatError) as caught:
        load_workflow(data)
    return caught.value.problems


def test_a_good_workflow_parses() -> None:
    ui = parse_workflow(case_subgraph_promoted_widget(), file="wf.json")
    assert (0.4, "wf.json") == (ui.version, ui.file)
    assert ["sg-encode"] == list(ui.subgraphs)
    assert ["clip", "text"] == [s.name for s in ui.subgraphs["sg-encode"].inputs]


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b'{"version": 0.4, "nodes": [', "not valid JSON"),
        (b"[1, 2]", "not a list"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b"[" * 100_000 + b"]" * 100_000, "nest too deeply"),
        (b"", "not valid JSON"),
    ],
)
def test_a_file_that_is_no_workflow_names_itself(tmp_path: Path, content: bytes, said: str) -> None:
    path = tmp_path / "workflow.json"
    path.write_bytes(content)
    with pytest.raises(PromptFormatError) as caught:
        load_workflow(path)
    message = str(caught.value)
    assert str(path) in message and said in message, message


def test_truncated_corpus_like_file(tmp_path: Path) -> None:
    text = json.dumps(case_txt2img())
    path = tmp_path / "cut.json"
    path.write_text(text[: len(text) // 2], encoding="utf-8")
    with pytest.raises(WorkflowFormatError, match=r"cut\.json: not valid JSON"):
        load_workflow(path)


def test_unknown_and_missing_schema_versions() -> None:
    workflow = case_txt2img()
    workflow["version"] = 0.5
    assert ["unknown schema version 0.5 (this reads editor workflows of version 0.4 and 1)"] == (
        problems_of(workflow)
    )
    del workflow["version"]
    assert ["no 'version' (an editor workflow says 0.4 or 1)"] == problems_of(workflow)


def test_missing_fields_are_each_named() -> None:
    workflow = case_txt2img()
    del workflow["nodes"][0]["type"]
    del workflow["nodes"][1]["id"]
    workflow["nodes"][2]["mode"] = 9
    workflow["nodes"][3]["inputs"] = "none"
    problems = problems_of(workflow)
    assert [
        "node 1: no 'type' (the node's class, a string)",
        "nodes[1]: no 'id' (a number or a string)",
        "node 3 (CLIPTextEncode): unknown mode 9 (0 always, 1 on event, 2 never, 3 on trigger, 4 bypass)",
        "node 4 (EmptyLatentImage): 'inputs' must be a list, not 'none'",
    ] == problems[:4]


def test_no_nodes_and_no_links() -> None:
    assert ["no 'nodes' list"] == problems_of({"version": 0.4, "links": []})
    workflow = case_txt2img()
    del workflow["links"]
    problems = problems_of(workflow)
    assert "no 'links' list" == problems[0]


def test_links_to_missing_nodes_and_slots() -> None:
    workflow = case_txt2img()
    links = workflow["links"]
    links[0][1] = 99  # from a node that is not there
    links[1][2] = 7  # from an output the node does not have
    workflow["nodes"][4]["inputs"][0]["link"] = 1234  # a link that is not in the table
    problems = problems_of(workflow)
    assert [
        "node 2 (CLIPTextEncode), input 'clip': link 1 comes from node 99, which is not in the graph",
        "node 3 (CLIPTextEncode), input 'clip': link 2 comes from output 7 of node 1 "
        "(CheckpointLoaderSimple), which has 3 outputs",
        "node 5 (KSampler), input 'model': uses link 1234, which is not in the links table",
    ] == problems


def test_malformed_links_are_each_named() -> None:
    workflow = case_txt2img()
    workflow["links"][0] = [1, 1, "x"]
    workflow["links"][1] = {"id": 2}
    workflow["links"][2][3] = None
    problems = problems_of(workflow)
    assert problems[0].startswith("links[0]: a link must be a list [id, origin_id,")
    assert problems[1].startswith("links[1]: a link must be a list")
    assert problems[2].startswith("links[2]: target_id missing or not a number")


def test_version_1_links_must_be_objects() -> None:
    workflow = as_version_1(case_txt2img())
    workflow["links"][0] = [1, 1, 1, 2, 0, "CLIP"]
    problems = problems_of(workflow)
    assert problems[0].startswith("links[0]: a link must be an object {id, origin_id,")


def test_a_subgraph_that_contains_itself() -> None:
    workflow = case_subgraph_promoted_widget()
    definition = workflow["definitions"]["subgraphs"][0]
    definition["nodes"].append(
        {"id": 50, "type": "sg-encode", "mode": 0, "inputs": [], "outputs": []}
    )
    assert ["subgraph 'encode' -> 'encode': a subgraph contains itself"] == problems_of(workflow)


def test_subgraphs_that_contain_each_other() -> None:
    workflow = case_subgraph_promoted_widget()
    first = workflow["definitions"]["subgraphs"][0]
    second = copy.deepcopy(first)
    second["id"], second["name"] = "sg-other", "other"
    second["nodes"].append({"id": 60, "type": "sg-encode", "mode": 0})
    first["nodes"].append({"id": 61, "type": "sg-other", "mode": 0})
    workflow["definitions"]["subgraphs"].append(second)
    assert ["subgraph 'encode' -> 'other' -> 'encode': a subgraph contains itself"] == (
        problems_of(workflow)
    )


def test_broken_subgraph_definitions() -> None:
    workflow = case_subgraph_promoted_widget()
    subgraphs = workflow["definitions"]["subgraphs"]
    subgraphs.append({"name": "no id"})
    subgraphs.append("not an object")
    subgraphs[0]["links"][0]["origin_slot"] = 5  # from an input the subgraph does not have
    del subgraphs[0]["outputs"]
    problems = problems_of(workflow)
    assert [
        "subgraph 'encode', node 3 (CLIPTextEncode), input 'clip': link 1 comes from subgraph "
        "input 5, and the subgraph has 2 inputs",
        "subgraph 'encode': no 'outputs' list (the subgraph's output slots)",
        "definitions.subgraphs[1]: no 'id' (a string: what its instances have as type)",
        "definitions.subgraphs[2]: a subgraph definition must be an object, not 'not an object'",
    ] == sorted(problems, key=lambda p: (not p.startswith("subgraph"), p))


def test_every_problem_of_a_file_is_reported_once_with_its_name(tmp_path: Path) -> None:
    workflow = case_txt2img()
    workflow["version"] = "2"
    workflow["nodes"][0]["mode"] = -1
    workflow["links"][0][1] = 77
    path = tmp_path / "three.json"
    path.write_text(json.dumps(workflow), encoding="utf-8")
    with pytest.raises(WorkflowFormatError) as caught:
        load_workflow(path)
    error = caught.value
    assert (str(path), 3) == (error.file, len(error.problems))
    assert str(error).startswith(f"{path}: 3 problems:\n  - unknown schema version '2'")
    assert isinstance(error, ValueError)


def test_stale_links_nothing_uses_are_ignored_as_the_editor_ignores_them() -> None:
    workflow = case_txt2img()
    workflow["links"].append([500, 404, 0, 405, 0, "IMAGE"])
    assert load_workflow(workflow).to_api() == load_workflow(case_txt2img()).to_api()


def test_formats_are_told_apart_by_content() -> None:
    prompt = load_workflow(case_txt2img()).to_api()
    assert is_api_prompt(prompt) and not is_editor_workflow(prompt)
    assert is_editor_workflow(case_txt2img())
    assert not is_editor_workflow({"prompt": prompt, "client_id": "x"})
    assert prompt == load_workflow({"prompt": prompt}).to_api()
    # A broken prompt is left to the prompt reader, whose problems name its nodes.
    with pytest.raises(PromptFormatError, match="no class_type") as caught:
        load_workflow({"1": {"inputs": {}}})
    assert not isinstance(caught.value, WorkflowFormatError)
