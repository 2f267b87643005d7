"""Export of the whole corpus, judged by the real editor: every workflow the editor can convert.

Two ways for each eligible corpus file (its node classes all in the catalog):

- **From its prompt**: the prompt ``comfydsl convert`` gives (the editor's own, see
  test_corpus_prompts.py), read back and exported with a fresh layout: the editor opens it
  without a complaint, queues that very prompt, and draws no two nodes overlapping.
- **Round trip from the file**: ``comfydsl export WORKFLOW.json`` (convert, then export): the same
  prompt again; every node that was in the file's root stands where the file had it, the file's
  groups are there, and the nodes the export placed (those from inside subgraphs, which it
  opens) overlap nothing.

The one thing an export may report it cannot hold here: a text box whose value is not text (two
blueprints give a subgraph's promoted text widget null, which the editor queues as it is from the
subgraph, but as "" from a text box of its own); the editor must then do just that.
"""

from __future__ import annotations

from typing import Any

import pytest
from corpus import eligible, require_corpus, setup, workflows
from export_checks import complaints, differences, expected_after, overlaps, without_meta
from export_harness import ExportOracle

from comfydsl.catalog import bundled_catalog
from comfydsl.formats.api import load_prompt
from comfydsl.formats.api_to_ui import export_ui
from comfydsl.formats.ui_to_api import ui_to_prompt
from comfydsl.formats.workflow import load_workflow

CATALOG = bundled_catalog()


def _eligible_names() -> list[str]:
    try:
        return [name for name, workflow in workflows() if eligible(workflow, CATALOG)]
    except OSError:
        return []


NAMES = _eligible_names() or ["<the corpus is not installed>"]


def _workflow(name: str) -> Any:
    require_corpus()
    return dict(workflows())[name]


@pytest.mark.parametrize("name", NAMES)
def test_a_converted_prompt_exported_queues_itself(name: str, export_oracle: ExportOracle) -> None:
    prompt = ui_to_prompt(_workflow(name), catalog=CATALOG)
    exported = export_ui(load_prompt(prompt, catalog=CATALOG), source=name)
    assert [] == [str(loss) for loss in exported.lost if loss.kind != "as_text"]
    answer = export_oracle.opened(exported.workflow)
    assert [] == complaints(answer)
    expected = expected_after(prompt, exported.lost)
    actual = without_meta(answer["prompt"])
    assert expected == actual, f"{name}:\n" + differences(expected, actual)
    assert [] == overlaps(answer["nodes"])


@pytest.mark.parametrize("name", NAMES)
def test_a_workflow_file_exported_again_keeps_its_layout(
    name: str, export_oracle: ExportOracle
) -> None:
    original = _workflow(name)
    workflow = load_workflow(setup.corpus_dir() / name, catalog=CATALOG)
    exported = export_ui(workflow, source=name)
    assert [] == [str(loss) for loss in exported.lost if loss.kind != "as_text"]
    answer = export_oracle.opened(exported.workflow)
    assert [] == complaints(answer)
    expected = expected_after(ui_to_prompt(original, catalog=CATALOG), exported.lost)
    actual = without_meta(answer["prompt"])
    assert expected == actual, f"{name}:\n" + differences(expected, actual)
    drawn = {n["id"]: n for n in answer["nodes"]}
    kept = {str(n["id"]): n for n in original["nodes"] if str(n["id"]) in workflow.nodes}
    moved = [
        (node_id, node["pos"], drawn[node_id]["pos"])
        for node_id, node in kept.items()
        if [float(v) for v in _position(node["pos"])] != drawn[node_id]["pos"]
    ]
    assert [] == moved
    groups = [(g["title"], list(g["bounding"])) for g in original.get("groups") or []]
    assert groups == [(g["title"], list(g["bounding"])) for g in answer["workflow"]["groups"]]
    placed = {node_id for node_id in workflow.nodes if node_id not in kept}
    assert [] == overlaps(answer["nodes"], among=placed)


def _position(value: Any) -> list[Any]:
    if isinstance(value, dict):  # some files write {"0": x, "1": y}
        return [value["0"], value["1"]]
    return list(value)
