"""Golden pairs: each script of examples/ and the prompt it compiles to (tests/golden/expected/).

Regenerate after an intended change with ``COMFYDSL_REGEN_GOLDEN=1 python -m pytest tests/golden``
and review the diff. The two seed workflows are also compared with the seed prompts they were
written from (tests/data/seeds), up to a renaming of node ids.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from comfydsl.cli import load_script_workflow
from comfydsl.formats.api import dumps_prompt

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))
assert EXAMPLES, f"no example scripts in {ROOT / 'examples'}"
EXPECTED = Path(__file__).parent / "expected"
SEEDS = ROOT / "tests" / "data" / "seeds"


def compile_example(path: Path) -> dict[str, Any]:
    return load_script_workflow(path).to_api()


@pytest.mark.parametrize("script", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_matches_its_golden_prompt(script: Path) -> None:
    text = dumps_prompt(compile_example(script)) + "\n"
    golden = EXPECTED / f"{script.stem}.api.json"
    if os.environ.get("COMFYDSL_REGEN_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"no golden file for {script.name}: run with COMFYDSL_REGEN_GOLDEN=1"
    assert golden.read_text(encoding="utf-8") == text, (
        f"{script.name} compiles differently from {golden.name}"
    )


def test_compiling_an_example_twice_gives_the_same_bytes() -> None:
    script = ROOT / "examples" / "sdxl_unclip_controlnet.py"
    assert dumps_prompt(compile_example(script)) == dumps_prompt(compile_example(script))


# -- the seeds, up to a renaming of ids ------------------------------------------------------------


def _is_link(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 2 and isinstance(value[0], str)


def _signatures(prompt: dict[str, Any]) -> dict[str, str]:
    """A canonical text per node: its class, its literals and, recursively, what feeds it."""
    done: dict[str, str] = {}

    def sign(node_id: str) -> str:
        # Iterative post-order, so that deep graphs do not hit the recursion limit.
        stack = [node_id]
        while stack:
            current = stack[-1]
            pending = [
                v[0] for v in prompt[current]["inputs"].values() if _is_link(v) and v[0] not in done
            ]
            if pending:
                stack.extend(pending)
                continue
            stack.pop()
            inputs = {
                k: (["link", done[v[0]], v[1]] if _is_link(v) else v)
                for k, v in prompt[current]["inputs"].items()
            }
            node = {**prompt[current], "inputs": inputs}
            done[current] = json.dumps(node, sort_keys=True, ensure_ascii=False)
        return done[node_id]

    return {node_id: sign(node_id) for node_id in prompt}


def find_renaming(ours: dict[str, Any], theirs: dict[str, Any]) -> dict[str, str]:
    """Our id -> their id, pairing nodes with the same class, literals and upstream graph."""
    ours_by_sig: dict[str, list[str]] = {}
    for node_id, sig in _signatures(ours).items():
        ours_by_sig.setdefault(sig, []).append(node_id)
    theirs_by_sig: dict[str, list[str]] = {}
    for node_id, sig in _signatures(theirs).items():
        theirs_by_sig.setdefault(sig, []).append(node_id)
    only_ours = sorted(set(ours_by_sig) - set(theirs_by_sig))
    only_theirs = sorted(set(theirs_by_sig) - set(ours_by_sig))
    assert not only_ours and not only_theirs, (
        "nodes without a counterpart:\n  ours: "
        + "\n  ours: ".join(only_ours)
        + "\n  theirs: "
        + "\n  theirs: ".join(only_theirs)
    )
    renaming: dict[str, str] = {}
    for sig, ids in ours_by_sig.items():
        assert len(ids) == len(theirs_by_sig[sig]), f"a different number of nodes like {sig}"
        renaming.update(zip(ids, theirs_by_sig[sig], strict=True))
    return renaming


def renamed(prompt: dict[str, Any], renaming: dict[str, str]) -> dict[str, Any]:
    result = {}
    for node_id, node in prompt.items():
        inputs = {
            k: ([renaming[v[0]], v[1]] if _is_link(v) else v) for k, v in node["inputs"].items()
        }
        result[renaming[node_id]] = {**node, "inputs": inputs}
    return result


def seed_for_comfyui_0_3_75(prompt: dict[str, Any]) -> dict[str, Any]:
    """The seed as a 0.3.75 editor would send it: the one input added to ComfyUI since the seed.

    CLIPVisionEncode gained a required ``crop`` combo (choices center/none, first = default)
    after the seed was exported; a 0.3.75 server rejects the seed without it
    (required_input_missing). It is the node's only widget, so it comes first.
    """
    result = json.loads(json.dumps(prompt))
    for node in result.values():
        if node["class_type"] == "CLIPVisionEncode":
            assert "crop" not in node["inputs"]
            node["inputs"] = {"crop": "center", **node["inputs"]}
    return result


@pytest.mark.parametrize(
    ("script", "seed"),
    [
        ("sdxl_unclip_controlnet.py", "sdxl_unclip_controlnet.api.json"),
        ("svd_img2vid.py", "svd_img2vid.api.json"),
    ],
)
def test_seed_example_equals_the_seed_up_to_ids(script: str, seed: str) -> None:
    ours = compile_example(ROOT / "examples" / script)
    theirs = seed_for_comfyui_0_3_75(
        json.loads((SEEDS / seed).read_text(encoding="utf-8"))["prompt"]
    )
    renaming = find_renaming(ours, theirs)
    assert len(renaming) == len(theirs) == len(ours)
    mapped = renamed(ours, renaming)
    assert theirs == mapped
    # Key order too: every node's JSON text is the same.
    for node_id, node in theirs.items():
        expected = json.dumps(node, ensure_ascii=False)
        actual = json.dumps(mapped[node_id], ensure_ascii=False)
        assert expected == actual, f"node {node_id} differs in its key order or values"


def test_the_renaming_finder_notices_a_changed_literal() -> None:
    ours = compile_example(ROOT / "examples" / "svd_img2vid.py")
    theirs = json.loads(json.dumps(ours))
    theirs["3"]["inputs"]["fps"] = 7
    with pytest.raises(AssertionError, match="without a counterpart"):
        find_renaming(ours, theirs)
