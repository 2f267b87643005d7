"""The ``comfydsl diff`` command: 0 the same graph, 1 different (and what differs), 2 an error.
Sides are scripts and workflow files of either format (API prompts, editor workflows)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cli_runner import ROOT, run_cli
from ui_cases import case_txt2img

from comfydsl import load_workflow
from comfydsl.cli import main

INVERT = ROOT / "examples" / "invert.py"


def write(path: Path, prompt: dict[str, Any]) -> str:
    path.write_text(json.dumps(prompt), encoding="utf-8")
    return str(path)


def invert_prompt(**changes: Any) -> dict[str, Any]:
    prompt: dict[str, Any] = {
        "10": {
            "inputs": {"width": 64, "height": 64, "batch_size": 1, "color": 0x404040},
            "class_type": "EmptyImage",
        },
        "11": {"inputs": {"image": ["10", 0]}, "class_type": "ImageInvert"},
        "12": {
            "inputs": {"filename_prefix": "comfydsl_invert", "images": ["11", 0]},
            "class_type": "SaveImage",
        },
    }
    for node_id, inputs in changes.items():
        prompt[node_id]["inputs"].update(inputs)
    return prompt


def test_a_script_and_its_prompt_under_other_ids_are_the_same(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exported = write(tmp_path / "exported.json", invert_prompt())
    assert 0 == main(["diff", exported, str(INVERT)])
    out = capsys.readouterr().out
    assert f"A: {exported} (3 nodes)\nB: {INVERT} (3 nodes)\n" in out
    assert "same: both build the same graph of 3 nodes (ids and titles aside)" in out


def test_a_difference_exits_1_and_names_the_scripts_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exported = write(tmp_path / "exported.json", invert_prompt(**{"10": {"width": 32}}))
    assert 1 == main(["diff", exported, str(INVERT)])
    out = capsys.readouterr().out
    assert "different: 1 node changed (ids and titles aside)" in out
    assert "  ~ A: EmptyImage #10\n" in out
    assert f"    B: EmptyImage #1 ({INVERT}:" in out
    assert "      width: 32 -> 64" in out


def test_json_for_programs_and_quiet_for_scripts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exported = write(tmp_path / "exported.json", invert_prompt(**{"12": {"filename_prefix": "x"}}))
    assert 1 == main(["diff", exported, str(INVERT), "--json"])
    data = json.loads(capsys.readouterr().out)
    assert False is data["same"]
    (change,) = data["changed"]
    assert ("12", "3") == (change["a"]["id"], change["b"]["id"])
    assert str(INVERT) == change["b"]["file"] and isinstance(change["b"]["line"], int)
    assert [{"name": "filename_prefix", "kind": "value", "a": {"value": "x"}, "b": {"value": "comfydsl_invert"}}] == change["inputs"]  # fmt: skip
    assert {"10": "1", "11": "2", "12": "3"} == data["matched"]
    assert 1 == main(["diff", exported, str(INVERT), "-q"])
    assert ("", "") == tuple(capsys.readouterr())
    assert 0 == main(["diff", str(INVERT), str(INVERT), "-q"])


def test_titles_count_when_asked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    prompt = invert_prompt()
    prompt["11"]["_meta"] = {"title": "Invert"}
    exported = write(tmp_path / "exported.json", prompt)
    assert 0 == main(["diff", exported, str(INVERT), "-q"])
    assert 1 == main(["diff", exported, str(INVERT), "--titles"])
    assert '      title: "Invert" -> null' in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["diff", "-", "-"], "standard input ('-') can be read only once"),
        (["diff", str(INVERT), str(INVERT), "--json", "-q"], "not allowed with argument"),
        (["diff", str(INVERT)], "the following arguments are required: b"),
    ],
)
def test_usage_mistakes_exit_2(
    argv: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert 2 == main(argv)
    assert said in capsys.readouterr().err


def test_diff_in_a_real_process_exits_with_its_answer(tmp_path: Path) -> None:
    exported = write(tmp_path / "exported.json", invert_prompt())
    assert 0 == run_cli(["diff", exported, str(INVERT), "-q"]).returncode
    changed = write(tmp_path / "changed.json", invert_prompt(**{"10": {"height": 8}}))
    result = run_cli(["diff", changed, str(INVERT)])
    assert 1 == result.returncode and b"height: 8 -> 64" in result.stdout
    broken = tmp_path / "broken.json"
    broken.write_text('{"1": {"class_type": ', encoding="utf-8")
    result = run_cli(["diff", str(broken), str(INVERT)])
    err = result.stderr.decode()
    assert 2 == result.returncode and err.startswith(f"error: {broken}: not valid JSON"), err


def test_an_editor_workflow_imports_and_compares_with_its_script(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    editor = write(tmp_path / "workflow.json", case_txt2img())
    script = tmp_path / "workflow.py"
    assert 0 == main(["import", editor, "-o", str(script), "--keep-ids"])
    capsys.readouterr()
    assert 0 == main(["diff", editor, str(script), "--titles"])
    assert "same: both build the same graph" in capsys.readouterr().out
    assert 0 == main(["compile", str(script), "--indent", "-1"])
    assert json.loads(capsys.readouterr().out) == load_workflow(editor).to_api()
    # A value changed in the editor's file is a value changed in the diff.
    changed = case_txt2img()
    sampler = next(n for n in changed["nodes"] if n["type"] == "KSampler")
    sampler["widgets_values"][2] = 99  # steps
    assert 1 == main(["diff", write(tmp_path / "changed.json", changed), str(script)])
    assert "steps: 99 -> " in capsys.readouterr().out
