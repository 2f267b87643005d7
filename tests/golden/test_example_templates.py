"""The templates of examples/templates/: rendered with the values of the examples they were made
from, each compiles to that example's golden prompt, byte for byte; with other values, only
those values change."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from comfydsl.cli.script import ScriptSource
from comfydsl.formats.api import dumps_prompt

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "examples" / "templates"
EXPECTED = Path(__file__).parent / "expected"
#: The node packs the JSON template's classes come from (the Python one enables its own).
PACKS = str(ROOT / "nodes_catalog" / "packs" / "vhs.json")

#: template -> (golden prompt, the variables that make it)
CASES = {
    "sdxl_unclip_controlnet.py.j2": ("sdxl_unclip_controlnet.api.json", {}),
    "svd_img2vid.json.j2": ("svd_img2vid.api.json", {}),
    "invert.py.j2": ("invert.api.json", {"color": 0x404040}),
}


def test_every_template_has_a_case() -> None:
    assert sorted(CASES) == sorted(p.name for p in TEMPLATES.iterdir() if p.suffix == ".j2")


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_template_compiles_to_the_prompt_of_its_example(name: str) -> None:
    golden, variables = CASES[name]
    source = ScriptSource(TEMPLATES / name, catalogs=[PACKS])
    text = dumps_prompt(source.workflow(variables).to_api()) + "\n"
    assert (EXPECTED / golden).read_text(encoding="utf-8") == text


def changed(a: dict[str, Any], b: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (node, key)
        for node in a
        for key in a[node]["inputs"]
        if a[node]["inputs"][key] != b[node]["inputs"].get(key)
    }


@pytest.mark.parametrize(
    ("name", "variables", "expected"),
    [
        (
            "sdxl_unclip_controlnet.py.j2",
            {"seed": 1, "cfg": 6.5, "prompt": 'a "lighthouse"\n'},
            {("19", "seed"), ("19", "cfg"), ("5", "text")},
        ),
        (
            "svd_img2vid.json.j2",
            {"seed": 3, "fps": 8},
            {("5", "seed"), ("3", "fps"), ("7", "frame_rate")},
        ),
    ],
)
def test_a_template_changes_only_what_its_variables_set(
    name: str, variables: dict[str, Any], expected: set[tuple[str, str]]
) -> None:
    source = ScriptSource(TEMPLATES / name, catalogs=[PACKS])
    base = source.workflow({}).to_api()
    other = source.workflow(variables).to_api()
    assert expected == changed(base, other)
    for node, key in expected:
        wanted = {"frame_rate": "fps", "text": "prompt"}.get(key, key)
        assert variables[wanted] == other[node]["inputs"][key]
