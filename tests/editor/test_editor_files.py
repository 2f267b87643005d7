"""Files the editor itself writes: after loading a workflow, the editor's own serialisation (as
its "Save" writes it, and in schema 1) must convert to the prompt the editor queues for it; and
the harness's screenshot shows the canvas (for the tests of exports to the editor)."""

from __future__ import annotations

from typing import Any

import pytest
from editor_harness import Oracle
from test_corpus_prompts import describe_difference, without_meta
from ui_cases import EDITOR_CASES

from comfydsl import load_workflow

#: Cases with subgraphs, bypassed and muted nodes, reroutes and PrimitiveNodes: what the editor
#: rewrites most when it saves (proxyWidgets, renumbered ids, links of its own).
SAVED = [
    "subgraph_modes",
    "nested_promotion",
    "proxy_widgets",
    "subgraph_id_collision",
    "legacy_primitive",
    "reroutes",
    "bypass_chain_and_misfit",
]


@pytest.mark.parametrize("name", SAVED)
@pytest.mark.parametrize("form", ["workflow", "schema_1"])
def test_what_the_editor_saves_converts_to_its_prompt(name: str, form: str, oracle: Oracle) -> None:
    workflow = EDITOR_CASES[name]()
    saved: Any = oracle.loaded(workflow)[form]
    assert saved is not None, f"the editor gave no {form}"
    expected = without_meta(oracle.prompt_of(workflow))
    actual = without_meta(load_workflow(saved).to_api())
    assert expected == actual, f"{name}, the editor's {form}:\n" + describe_difference(
        expected, actual
    )


def test_a_screenshot_of_a_loaded_workflow(oracle: Oracle) -> None:
    data = oracle.screenshot_of(EDITOR_CASES["txt2img"]())
    assert b"\x89PNG\r\n\x1a\n" == data[:8]
    assert len(data) > 20_000, "an empty canvas is a few kB; seven nodes make it larger"
