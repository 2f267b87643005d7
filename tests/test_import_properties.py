"""Scripts written from hostile prompts: they parse, run nothing of the prompt, and compile back.

A prompt is data (a file someone sent, an editor's export), and the script ``comfydsl import``
writes from it is run by ``comfydsl compile``. A canary, ``__import__("pathlib").Path(<tmp>/
pwned).touch()``, is put everywhere a break-out of a string, a name or a comment would make it
code: class names, input names, titles, ids, values, ``_meta``, the file name and the command in
the header (tests/strategies.py: ``hostile_prompts``, over ``hostile_object_infos``, a catalog
of hostile names too). After each script has run the file must not exist, and the script must
have built exactly the prompt it was written from: identical with ``keep_ids``, the same graph
(titles included) with its ids numbered from 1 without.

``COMFYDSL_FUZZ_EXAMPLES`` sets the number of examples (a few hundred by default).
"""

from __future__ import annotations

import ast
import itertools
import json
from pathlib import Path

import pytest
import strategies as sts
from hypothesis import given, settings
from hypothesis import strategies as st

from comfydsl import compare, load_prompt, to_script
from comfydsl.catalog import Catalog, use_catalog
from comfydsl.cli import load_script_workflow

_scripts = itertools.count()

#: The calls a written script makes: node classes aside, these names only.
OWN_CALLS = {"Node", "unchecked_node", "with_meta", "use_packs", "float", "Path"}


def canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hostile-imports")


@settings(max_examples=sts.FUZZ_EXAMPLES)
@given(st.data())
def test_hostile_prompts_make_scripts_that_run_nothing_of_them_and_compile_back(
    folder: Path, data: st.DataObject
) -> None:
    target = folder / "pwned"
    canary = f"__import__({'pathlib'!r}).Path({str(target)!r}).touch()"
    info = sts.utf8(data.draw(sts.hostile_object_infos(canary), label="object_info"))
    prompt = data.draw(sts.hostile_prompts(canary, info), label="prompt")
    keep_ids = data.draw(st.booleans(), label="keep_ids")
    explicit = data.draw(st.booleans(), label="explicit")
    origin = sts.utf8(data.draw(sts.hostile_texts(canary), label="origin"))
    catalog = Catalog(info, source="hostile")
    with use_catalog(catalog):
        text = to_script(
            load_prompt(prompt),
            keep_ids=keep_ids,
            explicit=explicit,
            origin=origin,
            command=f"comfydsl import {origin}",
        )
    assert "\x00" not in text
    tree = ast.parse(text)
    classes = {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) for alias in node.names}  # fmt: skip
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            called = node.func
            if isinstance(called, ast.Attribute):  # an output out of range: node.output(7)
                assert "output" == called.attr and isinstance(called.value, ast.Name)
            else:
                assert isinstance(called, ast.Name), ast.unparse(node)[:200]
                assert called.id in OWN_CALLS | classes, ast.unparse(node)[:200]
    header = text.split("\n\n", 1)[0].splitlines()
    assert all(line.startswith("# ") for line in header), header
    path = folder / f"imported_{next(_scripts)}.py"
    path.write_text(text, encoding="utf-8")
    with use_catalog(catalog):
        back = load_script_workflow(path).to_api()
    assert not target.exists(), "a script ran code of the prompt it was written from"
    if keep_ids:
        differ = {
            node_id: (entry, back.get(node_id))
            for node_id, entry in prompt.items()
            if canonical(entry) != canonical(back.get(node_id))
        }
        assert {} == differ, f"the script:\n{text}"
        assert set(prompt) == set(back)
    else:
        diff = compare(prompt, back, titles=True)
        assert diff.same, f"{diff}\n\n{text}"
        assert [str(i) for i in range(1, len(prompt) + 1)] == list(back)
