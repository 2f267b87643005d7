"""`comfydsl convert` against the real editor, on every corpus workflow the editor can convert.

A corpus file is eligible when every node class it uses is in the catalog (stock ComfyUI
0.3.75, the server under the editor): for those the editor's prompt is the answer, and
``comfydsl convert`` must give exactly it, ``_meta`` aside (titles are localised by the
editor). A failure shows, per node, what differs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from corpus import eligible, require_corpus, setup, workflows
from editor_harness import Oracle

from comfydsl import load_prompt
from comfydsl.catalog import bundled_catalog
from comfydsl.catalog.catalog import FILE_LISTS_SUFFIX
from comfydsl.cli import main

CATALOG = bundled_catalog()
CORE_FILE_LISTS = (
    Path(__file__).resolve().parents[2] / "nodes_catalog" / (f"comfyui-core{FILE_LISTS_SUFFIX}")
)
#: How many corpus files are eligible today: a change in the corpus pins or the catalog moves it.
ELIGIBLE_TEMPLATES = 132
ELIGIBLE_BLUEPRINTS = 33


def _eligible_names() -> list[str]:
    try:
        return [name for name, workflow in workflows() if eligible(workflow, CATALOG)]
    except OSError:
        return []


NAMES = _eligible_names()


def without_meta(prompt: dict[str, Any]) -> dict[str, Any]:
    """A prompt without its nodes' ``_meta`` (the server ignores it)."""
    return {
        node_id: {key: value for key, value in node.items() if key != "_meta"}
        for node_id, node in prompt.items()
    }


def describe_difference(expected: dict[str, Any], actual: dict[str, Any]) -> str:
    """What differs between two prompts, node by node and input by input."""
    lines = []
    for node_id in sorted(set(expected) | set(actual)):
        want, got = expected.get(node_id), actual.get(node_id)
        if got is None:
            lines.append(f"  node {node_id} ({want['class_type']}): missing, the editor sends it")
        elif want is None:
            lines.append(f"  node {node_id} ({got['class_type']}): sent, and the editor does not")
        elif want != got:
            if want["class_type"] != got["class_type"]:
                lines.append(
                    f"  node {node_id}: class {got['class_type']}, the editor's {want['class_type']}"
                )
            inputs_want, inputs_got = want.get("inputs", {}), got.get("inputs", {})
            for name in sorted(set(inputs_want) | set(inputs_got)):
                a = json.dumps(inputs_want.get(name, "<absent>"))[:120]
                b = json.dumps(inputs_got.get(name, "<absent>"))[:120]
                if a != b:
                    lines.append(
                        f"  node {node_id} ({want['class_type']}).{name}: {b}, the editor's {a}"
                    )
    return "\n".join(lines)


def test_the_eligible_corpus_is_what_it_was() -> None:
    require_corpus()
    templates = [n for n in NAMES if n.startswith("templates/")]
    blueprints = [n for n in NAMES if n.startswith("blueprints/")]
    assert (ELIGIBLE_TEMPLATES, ELIGIBLE_BLUEPRINTS) == (len(templates), len(blueprints))


@pytest.mark.parametrize("name", NAMES or ["<the corpus is not installed>"])
def test_convert_gives_the_editors_prompt(name: str, oracle: Oracle, tmp_path: Path) -> None:
    require_corpus()
    path = setup.corpus_dir() / name
    workflow = dict(workflows())[name]
    expected = without_meta(oracle.prompt_of(workflow))
    out = tmp_path / "prompt.json"
    assert 0 == main(["convert", str(path), "-o", str(out)])
    actual = without_meta(json.loads(out.read_text(encoding="utf-8")))
    assert expected == actual, f"{name}: comfydsl convert differs from the editor:\n" + (
        describe_difference(expected, actual)
    )


def test_the_editors_prompts_pass_the_bundled_checks_of_inputs_that_list_files(
    oracle: Oracle,
) -> None:
    # The bundled catalog does not know the user's files (nodes_catalog/README.md): whatever
    # file name the editor sends, it is not refused here. (A value that is not a name at all,
    # from a template made for another version, is refused, as the server refuses it.)
    require_corpus()
    lists = json.loads(CORE_FILE_LISTS.read_text(encoding="utf-8"))
    refused: list[str] = []
    checked: set[str] = set()
    for name in NAMES:
        prompt = oracle.prompt_of(dict(workflows())[name])
        for problem in load_prompt(prompt, catalog=CATALOG).check(CATALOG):
            if problem.input_name not in lists.get(problem.class_type or "", {}):
                continue
            if type(prompt[problem.node_id]["inputs"][problem.input_name]) is str:
                refused.append(f"{name}: {problem}")
        checked |= {
            f"{node['class_type']}.{input_name}"
            for node in prompt.values()
            for input_name in node.get("inputs", {})
            if input_name in lists.get(node["class_type"], {})
        }
    assert [] == refused
    assert {"VAELoader.vae_name", "CheckpointLoaderSimple.ckpt_name"} <= checked
