"""``comfydsl catalog diff`` against a real server: the drift between what comfydsl ships and
what a server has, and which nodes of a script that drift breaks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from comfydsl.catalog import bundled_catalog, load_catalog
from comfydsl.catalog.diff import diff_catalogs
from comfydsl.cli import main

ROOT = Path(__file__).resolve().parents[2]


def test_stock_comfyui_has_every_bundled_class_as_bundled(comfyui_server: Any) -> None:
    # The server is the ComfyUI version the bundled catalog was read from: no class is missing or
    # different; the server may have more (the audio nodes need torchaudio, absent when recorded).
    drift = diff_catalogs(bundled_catalog(), load_catalog(comfyui_server.url))
    assert () == drift.removed, drift.removed
    # Nothing differs: the lists of the server's own files (models, the input folder and its
    # subfolders, which the recording server's and this one's do not share) are unknown in the
    # bundled catalog, and so no change.
    changes = [(c.class_type, change) for c in drift.changed for change in c.changes]
    assert [] == changes


def test_the_drift_report_of_the_bundled_packs_and_the_server(
    comfyui_server: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["catalog", "diff", "bundled", comfyui_server.url, "--json"])
    report = json.loads(capsys.readouterr().out)
    assert 0 == status
    assert comfyui_server.url == report["new"]
    assert {"HEDPreprocessor", "VHS_VideoCombine"} <= set(report["removed"]), (
        "the server has no custom node packs"
    )
    assert not report["changed"], "lists of files are no change"


def test_check_names_the_nodes_a_server_cannot_run(
    comfyui_server: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    script = ROOT / "examples" / "sdxl_unclip_controlnet.py"
    status = main(["catalog", "diff", "bundled", comfyui_server.url, "--check", str(script)])
    out, err = capsys.readouterr()
    assert 1 == status and err.startswith("error: the change breaks"), err
    broken = out.split("that work with OLD and not with NEW:\n", 1)[1].splitlines()
    # The pack's nodes (not on this server) and the model files the server does not have, each
    # at its line of the script.
    assert any("HEDPreprocessor" in line and "does not exist" in line for line in broken), out
    assert any("'sd_xl_base_1.0.safetensors'" in line for line in broken), out
    assert all(line.startswith(f"  {script}:") for line in broken), out


def test_check_of_a_script_the_server_runs(
    comfyui_server: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    script = ROOT / "examples" / "invert.py"
    status = main(["catalog", "diff", "bundled", comfyui_server.url, "--check", str(script)])
    out = capsys.readouterr().out
    assert 0 == status
    assert out.endswith(f"no node of {script} is broken by the change\n")
