"""``comfydsl import`` on the whole corpus: every converted workflow, written as a script and
compiled, gives back its prompt: identical with ``--keep-ids``, the same graph (titles included)
without.

The corpus is the official templates and the subgraph blueprints (tests/corpus.py, installed by
the editor tests' setup), converted with ``load_workflow``; a file the converter refuses (node
types the catalog lacks) is the converter's to report (tests/test_corpus_conversion.py).
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


NAMES = names()


@pytest.fixture(scope="module")
def by_name() -> dict[str, Any]:
    require_corpus()
    return dict(workflows())


@pytest.mark.parametrize("name", NAMES or ["<the corpus is not installed>"])
def test_a_converted_workflow_imports_to_a_script_that_compiles_back(
    name: str, by_name: dict[str, Any], tmp_path: Path
) -> None:
    try:
        workflow = load_workflow(by_name[name], catalog=CATALOG)
    except WorkflowFormatError:
        pytest.skip("the converter refuses it (its reasons are tested with the conversion)")
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
