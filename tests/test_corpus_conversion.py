"""Every corpus workflow, with the bundled catalog (stock ComfyUI 0.3.75): converted, or refused
with precise reasons, each naming a node; never another exception. A converted workflow's
prompt reads back as itself, and the same workflow in schema 1 converts to the same prompt.

(The files whose classes are all known are compared with the real editor in tests/editor/.)
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from corpus import names, require_corpus, workflows
from ui_cases import as_version_1

from comfydsl import load_prompt, load_workflow
from comfydsl.catalog import bundled_catalog
from comfydsl.errors import WorkflowFormatError

CATALOG = bundled_catalog()
#: What a reason for refusing a corpus file may say: a class the catalog does not know.
PRECISE = re.compile(
    r"^node [0-9:]+ \(.+\): the class is not in the catalog, so its \d+ widget value\(s\) "
    r"cannot be named \(load the definitions of its node pack with --catalog\)$"
)


NAMES = names()


@pytest.fixture(scope="module")
def by_name() -> dict[str, Any]:
    require_corpus()
    return dict(workflows())


@pytest.mark.parametrize("name", NAMES or ["<the corpus is not installed>"])
def test_every_file_converts_or_says_precisely_why_not(name: str, by_name: dict[str, Any]) -> None:
    workflow = by_name[name]
    try:
        prompt = load_workflow(workflow, catalog=CATALOG).to_api()
    except WorkflowFormatError as error:
        unclear = [p for p in error.problems if not PRECISE.match(p)]
        assert [] == unclear, f"{name}: reasons that are not the expected kind"
        return
    assert prompt == load_prompt(prompt).to_api()
    if workflow.get("version") == 0.4:
        assert prompt == load_workflow(as_version_1(workflow), catalog=CATALOG).to_api()
