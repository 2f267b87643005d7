"""The ``comfydsl compile`` command: scripts and prompt files in, prompts or file:line errors out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from comfydsl.cli import main

ROOT = Path(__file__).resolve().parents[3]
PACKS = ROOT / "nodes_catalog" / "packs" / "vhs.json"


def test_compile_prints_the_prompt_of_a_script(capsys: pytest.CaptureFixture[str]) -> None:
    assert 0 == main(["compile", str(ROOT / "examples" / "invert.py"), "--indent", "-1"])
    prompt = json.loads(capsys.readouterr().out)
    assert ["EmptyImage", "ImageInvert", "SaveImage"] == [n["class_type"] for n in prompt.values()]
    assert ["1", 0] == prompt["2"]["inputs"]["image"]


def test_compile_writes_a_file_and_a_whole_body(tmp_path: Path) -> None:
    target = tmp_path / "prompt.json"
    script = str(ROOT / "examples" / "invert.py")
    assert 0 == main(["compile", script, "-o", str(target), "--body", "--client-id", "me"])
    body = json.loads(target.read_text(encoding="utf-8"))
    assert "me" == body["client_id"] and 3 == len(body["prompt"])


def test_a_mistake_in_a_script_exits_1_with_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "bad.py"
    script.write_text(
        "from comfydsl.nodes import EmptyImage\nEmptyImage(width=0)\n", encoding="utf-8"
    )
    assert 1 == main(["compile", str(script)])
    err = capsys.readouterr().err
    assert f"{script}:2:" in err and "value_smaller_than_min" in err
    assert "Traceback" not in err


def test_a_script_that_raises_shows_only_its_own_frames(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "raises.py"
    script.write_text("x = 1\ny = x / 0\n", encoding="utf-8")
    assert 1 == main(["compile", str(script)])
    err = capsys.readouterr().err
    assert f'File "{script}", line 2' in err and "ZeroDivisionError" in err
    assert "runpy" not in err and "comfydsl/cli.py" not in err


def test_several_workflows_need_a_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "two.py"
    script.write_text(
        "from comfydsl import Workflow\n"
        "from comfydsl.nodes import EmptyImage, PreviewImage\n"
        "with Workflow() as small:\n    PreviewImage(images=EmptyImage(width=8))\n"
        "with Workflow() as big:\n    PreviewImage(images=EmptyImage(width=16))\n",
        encoding="utf-8",
    )
    assert 1 == main(["compile", str(script)])
    assert "--workflow" in capsys.readouterr().err
    assert 0 == main(["compile", str(script), "--workflow", "big", "--indent", "-1"])
    assert 16 == json.loads(capsys.readouterr().out)["1"]["inputs"]["width"]


def test_a_prompt_file_compiles_back_and_checks_with_the_packs_catalog(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prompt = {
        "7": {"inputs": {"width": 8, "height": 8}, "class_type": "EmptyImage"},
        "9": {
            "inputs": {"images": ["7", 0], "frame_rate": 6},
            "class_type": "VHS_VideoCombine",
            "_meta": {"title": "Video"},
        },
    }
    source = tmp_path / "prompt.json"
    source.write_text(json.dumps(prompt), encoding="utf-8")
    assert 0 == main(["compile", str(source), "--indent", "-1"])
    assert prompt == json.loads(capsys.readouterr().out)
    assert 1 == main(["compile", str(source), "--check"])
    assert "VHS_VideoCombine does not exist" in capsys.readouterr().err
    # With the pack's definitions the class is known, and its missing inputs are what is wrong.
    assert 1 == main(["compile", str(source), "--check", "--catalog", str(PACKS)])
    err = capsys.readouterr().err
    assert "does not exist" not in err and "required_input_missing" in err


def test_a_missing_script_is_an_error_not_a_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    assert 1 == main(["compile", "no/such/script.py"])
    assert "no such file" in capsys.readouterr().err


def test_compile_asks_a_catalog_server_with_its_headers(
    fake: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["compile", str(ROOT / "examples" / "invert.py"), "--catalog", fake.url]
    assert 0 == main([*argv, "--header", "Authorization: Bearer T", "--indent", "-1"])
    assert ["Bearer T"] == [headers.get("Authorization") for _, _, headers, _ in fake.requests]
    assert 3 == len(json.loads(capsys.readouterr().out))


def test_a_catalog_url_of_another_scheme_is_named_as_such(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert 1 == main(["compile", str(ROOT / "examples" / "invert.py"), "--catalog", "ftp://h/x"])
    assert capsys.readouterr().err.startswith("error: ftp://h/x: a catalog is a file, a server's")
