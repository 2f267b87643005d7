"""``comfydsl import`` on the whole corpus: every converted workflow, written as a script and
compiled, gives back its prompt: identical with ``--keep-ids``, the same graph (titles included)
without.

The corpus is the official templates and the subgraph blueprints (tests/corpus.py, installed by
the editor tests' setup), converted with ``load_workflow``. A file the converter refuses (node
types the catalog lacks) is the converter's to report (tests/test_corpus_conversion.py): the
files converted are chosen when the tests are collected, so that none is skipped.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from corpus import names, require_corpus, workflows

from comfydsl import compare, load_workflow, to_script
from comfydsl.catalog import bundled_catalog
from comfydsl.cli import load_script_workflow
from comfydsl.errors import WorkflowFormatError

CATALOG = bundled_catalog()


def converted() -> list[str]:
    """The names of the corpus files the converter takes (none without the corpus)."""
    if not names():
        return []
    taken = []
    for name, workflow in workflows():
        try:
            load_workflow(workflow, catalog=CATALOG)
        except WorkflowFormatError:
            continue
        taken.append(name)
    return taken


CONVERTED = converted()


@pytest.fixture(scope="module")
def by_name() -> dict[str, Any]:
    require_corpus()
    return dict(workflows())


def test_most_of_the_corpus_is_converted() -> None:
    require_corpus()
    # 422 of 759 with the bundled catalog of ComfyUI 0.3.75 (scripts/corpus_report.py).
    assert len(CONVERTED) >= 400, len(CONVERTED)


@pytest.mark.parametrize("name", CONVERTED or ["<the corpus is not installed>"])
def test_a_converted_workflow_imports_to_a_script_that_compiles_back(
    name: str, by_name: dict[str, Any], tmp_path: Path
) -> None:
    workflow = load_workflow(by_name[name], catalog=CATALOG)
    prompt = workflow.to_api(check=False)
    for keep_ids in (True, False):
        script = tmp_path / f"imported_{keep_ids}.py"
        script.write_text(to_script(workflow, keep_ids=keep_ids, catalog=CATALOG), "utf-8")
        back = load_script_workflow(script).to_api()
        if keep_ids:
            assert json.dumps(prompt, sort_keys=True) == json.dumps(back, sort_keys=True)
        else:
            diff = compare(prompt, back, titles=True)
            assert diff.same, str(diff)
