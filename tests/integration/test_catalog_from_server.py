"""Node definitions read from a real server: its own file lists are then known, and checked."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from comfydsl import Workflow
from comfydsl.catalog import bundled_catalog, load_catalog, use_catalog
from comfydsl.errors import ChoiceError


def test_a_catalog_read_from_the_server_knows_its_files(comfyui_server: Any) -> None:
    catalog = load_catalog(comfyui_server.url)
    assert catalog.files_known, "a server's catalog lists that server's own files"
    assert set(bundled_catalog()) <= set(catalog), "the server has every bundled class"
    checkpoints = catalog["CheckpointLoaderSimple"].inputs["ckpt_name"].choices
    assert checkpoints is not None and "empty.safetensors" in checkpoints
    with use_catalog(catalog), Workflow():
        from comfydsl.nodes import CheckpointLoaderSimple

        CheckpointLoaderSimple(ckpt_name="empty.safetensors")
        with pytest.raises(ChoiceError, match="no_such_model"):
            CheckpointLoaderSimple(ckpt_name="no_such_model.safetensors")


def test_catalog_pull_writes_what_load_catalog_reads(comfyui_server: Any, tmp_path: Path) -> None:
    from comfydsl.cli import main

    target = tmp_path / "server.json"
    assert 0 == main(["catalog", "pull", "--server", comfyui_server.url, "-o", str(target)])
    pulled = load_catalog(target)
    live = load_catalog(comfyui_server.url)
    assert sorted(live) == sorted(pulled)
    assert (
        json.loads(target.read_text(encoding="utf-8"))["KSampler"]["input_order"]
        == live.raw("KSampler")["input_order"]
    )
