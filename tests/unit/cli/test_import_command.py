"""The ``comfydsl import`` command: a workflow file in, a script that compiles back to it out."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from cli_runner import run_cli

from comfydsl.cli import main

ROOT = Path(__file__).resolve().parents[3]
SEEDS = ROOT / "tests" / "data" / "seeds"


def seed(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SEEDS / name).read_text(encoding="utf-8"))
    return data.get("prompt", data)


def test_import_writes_a_script_that_compiles_back_with_the_same_ids(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "svd.py"
    seed_file = SEEDS / "svd_img2vid.api.json"
    assert 0 == main(["import", str(seed_file), "-o", str(script), "--keep-ids"])
    assert f"wrote 7 nodes to {script}\n" == capsys.readouterr().err
    text = script.read_text(encoding="utf-8")
    assert text.startswith("# A comfydsl workflow of 7 nodes, imported from ")
    assert f"# Made by: comfydsl import {seed_file} -o {script} --keep-ids\n" in text
    assert 'use_packs("vhs")' in text, "VHS_VideoCombine is of a pack that ships with comfydsl"
    assert 0 == main(["compile", str(script), "--indent", "-1"])
    back = json.loads(capsys.readouterr().out)
    assert json.dumps(seed("svd_img2vid.api.json"), sort_keys=True) == json.dumps(
        back, sort_keys=True
    )


def test_import_prints_the_script_and_diff_finds_it_the_same(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed_file = SEEDS / "sdxl_unclip_controlnet.api.json"
    assert 0 == main(["import", str(seed_file), "--explicit"])
    text = capsys.readouterr().out
    assert "from comfydsl.nodes import (" in text and "denoise=1" in text
    script = tmp_path / "sdxl.py"
    script.write_text(text, encoding="utf-8")
    assert 0 == main(["diff", str(seed_file), str(script), "--titles"])
    assert "same: both build the same graph of 21 nodes (ids aside)" in capsys.readouterr().out


def test_import_reads_standard_input(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    inputs = {"width": 8, "height": 8, "batch_size": 1, "color": 0}
    prompt = {"7": {"inputs": inputs, "class_type": "EmptyImage"}}
    monkeypatch.setattr(
        "sys.stdin", io.TextIOWrapper(io.BytesIO(json.dumps(prompt).encode()), encoding="utf-8")
    )
    assert 0 == main(["import", "-"])
    text = capsys.readouterr().out
    assert "imported from standard input" in text
    assert "EmptyImage(width=8, height=8)" in text


def test_a_loop_cannot_be_imported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    looped = tmp_path / "loop.json"
    looped.write_text(
        json.dumps(
            {
                "1": {"inputs": {"image": ["2", 0]}, "class_type": "ImageInvert"},
                "2": {"inputs": {"image": ["1", 0]}, "class_type": "ImageInvert"},
            }
        ),
        encoding="utf-8",
    )
    assert 1 == main(["import", str(looped)])
    err = capsys.readouterr().err
    assert err.startswith("error: links form a loop (ImageInvert#") and "Traceback" not in err


def test_import_in_a_real_process(tmp_path: Path) -> None:
    target = tmp_path / "svd.py"
    result = run_cli(["import", str(SEEDS / "svd_img2vid.api.json"), "-o", str(target)])
    assert 0 == result.returncode, result.stderr.decode()
    assert "VHS_VideoCombine(" in target.read_text(encoding="utf-8")
