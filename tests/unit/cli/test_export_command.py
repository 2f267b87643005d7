"""The ``comfydsl export`` command: a script, a prompt or an editor workflow in, workflow.json out."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from cli_runner import ROOT, run_cli
from ui_cases import case_txt2img

from comfydsl import load_workflow
from comfydsl.cli import main

INVERT = ROOT / "examples" / "invert.py"
SEEDS = ROOT / "tests" / "data" / "seeds"
PACKS = ROOT / "tests" / "data" / "reference" / "object_info-custom-packs-controlnet_aux-vhs.json"


def with_stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def test_export_prints_the_workflow(capsys: pytest.CaptureFixture[str]) -> None:
    assert 0 == main(["export", str(INVERT)])
    out = capsys.readouterr()
    ui = json.loads(out.out)
    assert ["EmptyImage", "ImageInvert", "SaveImage"] == [n["type"] for n in ui["nodes"]]
    assert str(INVERT) == ui["extra"]["comfydsl"]["source"]
    assert "" == out.err
    assert '\n{"id": 1, "type": "EmptyImage"' in out.out  # one node a line unless told


def test_export_writes_a_file_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "workflow.json"
    assert 0 == main(["export", str(INVERT), "-o", str(out), "--indent", "-1"])
    assert f"wrote 3 nodes to {out}\n" == capsys.readouterr().err
    text = out.read_text(encoding="utf-8")
    assert 1 == text.count("\n")
    compiled = json.loads(run_cli(["compile", str(INVERT)]).stdout)
    read = load_workflow(json.loads(text)).to_api()
    assert [n["inputs"] for n in compiled.values()] == [n["inputs"] for n in read.values()]


def test_export_reads_a_script_or_a_prompt_on_standard_input(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with_stdin(monkeypatch, INVERT.read_bytes())
    assert 0 == main(["export", "-", "-o", "-"])
    ui = json.loads(capsys.readouterr().out)
    assert "<stdin>" == ui["extra"]["comfydsl"]["source"]
    prompt = json.loads(run_cli(["compile", str(INVERT)]).stdout)
    with_stdin(monkeypatch, json.dumps(prompt).encode())
    assert 0 == main(["export", "-"])
    assert [n["type"] for n in ui["nodes"]] == [
        n["type"] for n in json.loads(capsys.readouterr().out)["nodes"]
    ]


def test_an_editor_workflow_keeps_its_places(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data: dict[str, Any] = case_txt2img()
    for index, node in enumerate(data["nodes"]):
        node["pos"] = [100 * index, 7]
    source = tmp_path / "workflow.json"
    source.write_text(json.dumps(data), encoding="utf-8")
    assert 0 == main(["export", str(source)])
    ui = json.loads(capsys.readouterr().out)
    assert [n["pos"] for n in data["nodes"]] == [n["pos"] for n in ui["nodes"]]


def test_what_the_editor_cannot_hold_is_a_warning_or_with_strict_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed = str(SEEDS / "svd_img2vid.api.json")
    out = tmp_path / "w.json"
    assert 0 == main(["export", seed, "--catalog", str(PACKS), "-o", str(out)])
    err = capsys.readouterr().err
    assert err.startswith("warning: node 23 (LoadImage), input 'upload'"), err
    assert out.exists()
    out.unlink()
    assert 1 == main(["export", seed, "--catalog", str(PACKS), "-o", str(out), "--strict"])
    err = capsys.readouterr().err
    assert err.startswith("error: node 23 (LoadImage), input 'upload'"), err
    assert not out.exists()


def test_a_real_process_exports(tmp_path: Path) -> None:
    result = run_cli(["export", str(INVERT), "-o", str(tmp_path / "w.json")])
    assert 0 == result.returncode, result.stderr
    assert 3 == len(json.loads((tmp_path / "w.json").read_text(encoding="utf-8"))["nodes"])
