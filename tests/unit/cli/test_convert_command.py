"""The ``comfydsl convert`` command: editor workflows in, the editor's prompt out."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from cli_runner import ROOT, run_cli
from ui_cases import UIBuilder, case_subgraph_promoted_widget, case_txt2img

from comfydsl import load_workflow
from comfydsl.catalog import bundled_catalog, load_catalog
from comfydsl.cli import main

PACKS = ROOT / "nodes_catalog" / "packs" / "vhs.json"


def write(path: Path, data: Any) -> str:
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def with_stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def test_convert_prints_the_prompt(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write(tmp_path / "workflow.json", case_subgraph_promoted_widget())
    assert 0 == main(["convert", source, "--indent", "-1"])
    prompt = json.loads(capsys.readouterr().out)
    assert load_workflow(source).to_api() == prompt
    assert "a cat in a subgraph" == prompt["10:3"]["inputs"]["text"]


def test_convert_writes_a_file_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write(tmp_path / "workflow.json", case_txt2img())
    target = tmp_path / "prompt.json"
    assert 0 == main(["convert", source, "-o", str(target)])
    assert f"wrote 7 nodes to {target}\n" == capsys.readouterr().err
    assert 7 == len(json.loads(target.read_text(encoding="utf-8")))


def test_convert_reads_standard_input_and_writes_standard_output(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with_stdin(monkeypatch, json.dumps(case_txt2img()).encode())
    assert 0 == main(["convert", "-", "-o", "-", "--indent", "-1"])
    assert load_workflow(case_txt2img()).to_api() == json.loads(capsys.readouterr().out)


def test_an_api_format_file_goes_through_unchanged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prompt = load_workflow(case_txt2img()).to_api()
    source = write(tmp_path / "prompt.json", prompt)
    assert 0 == main(["convert", source, "--indent", "-1"])
    assert prompt == json.loads(capsys.readouterr().out)


def vhs_workflow() -> dict[str, Any]:
    wf = UIBuilder(bundled_catalog().merged(load_catalog(PACKS)))
    image = wf.node("LoadImage", ["cat.png", "image"])
    combine = wf.node(
        "VHS_VideoCombine", [8, 0, "clip", "image/gif", False, True], title="Make a gif"
    )
    wf.link(image, 0, combine, "images")
    return wf.build()


def test_a_pack_class_needs_its_catalog(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write(tmp_path / "gif.json", vhs_workflow())
    assert 1 == main(["convert", source])
    err = capsys.readouterr().err
    assert err == (
        f"error: {source}: node 2 (VHS_VideoCombine): the class is not in the catalog, so its 6 "
        "widget value(s) cannot be named (load the definitions of its node pack with --catalog)\n"
    )
    assert 0 == main(["convert", source, "--catalog", str(PACKS), "--indent", "-1"])
    inputs = json.loads(capsys.readouterr().out)["2"]["inputs"]
    assert {"frame_rate": 8, "format": "image/gif", "save_output": True} == {
        k: inputs[k] for k in ("frame_rate", "format", "save_output")
    }
    monkeypatch.setenv("COMFYDSL_CATALOG", str(PACKS))
    assert 0 == main(["convert", source, "--indent", "-1"])
    assert inputs == json.loads(capsys.readouterr().out)["2"]["inputs"]


def test_check_reports_what_the_server_would_refuse(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workflow = case_txt2img()
    workflow["nodes"][4]["widgets_values"][2] = 0  # KSampler steps: at least 1
    source = write(tmp_path / "workflow.json", workflow)
    assert 1 == main(["convert", source, "--check"])
    err = capsys.readouterr().err
    assert "KSampler (node 5), input 'steps'" in err and "value_smaller_than_min" in err
    assert 0 == main(["convert", source])  # without --check the prompt is written as it is


def test_compile_takes_an_editor_workflow_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write(tmp_path / "workflow.json", case_txt2img())
    assert 0 == main(["compile", source, "--indent", "-1"])
    assert load_workflow(source).to_api() == json.loads(capsys.readouterr().out)


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (b'{"version": 0.4, "nodes": ', "error: <stdin>: not valid JSON"),
        (b"\xff\xfe{}", "error: <stdin>: the workflow is not UTF-8"),
        (b'{"version": 3, "nodes": [], "links": []}', "error: <stdin>: unknown schema version 3"),
    ],
    ids=["not JSON", "not UTF-8", "unknown version"],
)
def test_bad_standard_input_names_it(
    data: bytes, said: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with_stdin(monkeypatch, data)
    assert 1 == main(["convert", "-"])
    err = capsys.readouterr().err
    assert err.startswith(said), err


def test_standard_input_is_read_once(capsys: pytest.CaptureFixture[str]) -> None:
    assert 2 == main(["convert", "-", "--catalog", "-"])
    assert "can be read only once" in capsys.readouterr().err


def test_convert_in_a_real_process(tmp_path: Path) -> None:
    result = run_cli(["convert", "-"], stdin=json.dumps(case_txt2img()).encode())
    assert 0 == result.returncode, result.stderr.decode()
    assert load_workflow(case_txt2img()).to_api() == json.loads(result.stdout)
