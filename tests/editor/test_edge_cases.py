"""The hand-made cases of tests/ui_cases.py (one rule of the conversion each) against the real
editor: ``load_workflow(...).to_api()`` must give exactly the editor's prompt, ``_meta`` aside;
so must the same workflow written in schema 1."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from editor_harness import Oracle
from test_corpus_prompts import describe_difference, without_meta
from ui_cases import EDITOR_CASES, as_version_1

from comfydsl import load_workflow


@pytest.mark.parametrize("name", list(EDITOR_CASES))
@pytest.mark.parametrize("schema", ["0.4", "1"])
def test_the_case_converts_as_the_editor_does(name: str, schema: str, oracle: Oracle) -> None:
    case: Callable[[], dict[str, Any]] = EDITOR_CASES[name]
    workflow = case()
    if schema == "1" and workflow["version"] != 1:
        workflow = as_version_1(workflow)
    expected = without_meta(oracle.prompt_of(workflow))
    if name == "string_slots":
        # The one deliberate difference: links whose output slot the file wrote as a string go
        # out from the editor 1.58 as ["1", "0"], whose index the server cannot use (it indexes
        # the outputs with it). comfydsl sends the number.
        expected = _numbered_slots(expected)
    actual = without_meta(load_workflow(workflow).to_api())
    assert expected == actual, f"{name}:\n" + describe_difference(expected, actual)


def _numbered_slots(prompt: dict[str, Any]) -> dict[str, Any]:
    for node in prompt.values():
        for name, value in node["inputs"].items():
            if isinstance(value, list) and len(value) == 2 and isinstance(value[1], str):
                node["inputs"][name] = [value[0], int(value[1])]
    return prompt
