"""Golden pairs of ``comfydsl import``: each seed prompt and the script written from it.

The scripts are in tests/golden/imported/ (ruff and the type checker read them like any code of
the repository: tests/unit/test_stubs.py runs mypy on them). Regenerate after an intended change
with ``COMFYDSL_REGEN_GOLDEN=1 python -m pytest tests/golden`` and review the diff. Each script,
compiled, gives back its seed: identical with ``--keep-ids``, the same graph without.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from comfydsl import compare, load_prompt
from comfydsl.cli import load_script_workflow
from comfydsl.codegen.script import to_script

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "tests" / "data" / "seeds"
IMPORTED = Path(__file__).parent / "imported"

#: (seed file, golden script, keep the ids)
PAIRS = [
    ("sdxl_unclip_controlnet.api.json", "imported_sdxl_unclip_controlnet.py", False),
    ("svd_img2vid.api.json", "imported_svd_img2vid_keep_ids.py", True),
]


def seed(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SEEDS / name).read_text(encoding="utf-8"))
    return data.get("prompt", data)


def command(name: str, script: str, keep_ids: bool) -> str:
    ids = " --keep-ids" if keep_ids else ""
    return f"comfydsl import tests/data/seeds/{name} -o tests/golden/imported/{script}{ids}"


@pytest.mark.parametrize(("name", "script", "keep_ids"), PAIRS, ids=[p[1] for p in PAIRS])
def test_a_seed_imports_to_its_golden_script(name: str, script: str, keep_ids: bool) -> None:
    # The seeds use classes of two packs that ship with comfydsl: the scripts enable them.
    text = to_script(
        load_prompt(seed(name)),
        keep_ids=keep_ids,
        origin=f"tests/data/seeds/{name}",
        command=command(name, script, keep_ids),
    )
    golden = IMPORTED / script
    if os.environ.get("COMFYDSL_REGEN_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"no golden file {script}: run with COMFYDSL_REGEN_GOLDEN=1"
    assert golden.read_text(encoding="utf-8") == text, f"{name} imports differently"


@pytest.mark.parametrize(("name", "script", "keep_ids"), PAIRS, ids=[p[1] for p in PAIRS])
def test_a_golden_script_compiles_back_to_its_seed(name: str, script: str, keep_ids: bool) -> None:
    prompt = seed(name)
    back = load_script_workflow(IMPORTED / script).to_api()
    if keep_ids:
        assert json.dumps(prompt, sort_keys=True) == json.dumps(back, sort_keys=True)
    else:
        diff = compare(prompt, back, titles=True)
        assert diff.same, str(diff)
        assert [str(i) for i in range(1, len(prompt) + 1)] == list(back)
