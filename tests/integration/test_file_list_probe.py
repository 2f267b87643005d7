"""The probe of the inputs that list files (scripts/probe_file_lists.py) on the real server.

Run on a server of the test's own (it fills every folder with dummy files): it finds VAELoader's
and the checkpoint loaders' lists, and what the server shows today is what the bundled catalog
ships (nodes_catalog/comfyui-core.file-lists.json) and the recordings it was made from.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from corpus import load_script

ROOT = Path(__file__).resolve().parents[2]
PROBE = ROOT / "tests" / "data" / "reference" / "file-probe-comfyui-0.3.75"
probe_file_lists = load_script("probe_file_lists")
make_catalog = load_script("make_catalog")
CORE_LISTS = ROOT / "nodes_catalog" / f"comfyui-core{make_catalog.FILE_LISTS_SUFFIX}"


def test_the_probe_finds_the_vae_and_checkpoint_lists_as_shipped(
    unstarted_comfyui_server: Any,
) -> None:
    empty, probed, listed = probe_file_lists.probe(unstarted_comfyui_server)
    found = make_catalog.probed_file_lists(empty, probed)
    assert {"vae_name": ["vae"]} == found["VAELoader"]
    assert ["pixel_space"] == make_catalog.combo_lists(empty["VAELoader"])["vae_name"]
    assert (
        "comfydsl-probe-vae.safetensors"
        in make_catalog.combo_lists(probed["VAELoader"])["vae_name"]
    )
    # The checkpoint loaders: every class with a combo ckpt_name.
    loaders = [c for c, node in empty.items() if "ckpt_name" in make_catalog.combo_lists(node)]
    assert {"CheckpointLoaderSimple", "CheckpointLoader", "unCLIPCheckpointLoader"} <= set(loaders)
    for loader in loaders:
        assert ["checkpoints"] == found[loader]["ckpt_name"], loader
    assert "KSampler" not in found, "a list that names no file is not one"
    # Every model folder the server names saw its dummies, but diffusers (whose "extension"
    # is a folder holding model_index.json, which DiffusersLoader finds itself).
    assert ["diffusers"] == sorted(folder for folder, names in listed.items() if not names)
    assert "diffusers" in found["DiffusersLoader"]["model_path"]
    shipped = json.loads(CORE_LISTS.read_text(encoding="utf-8"))
    assert shipped == found, f"the server lists other files today: regenerate {CORE_LISTS}"
    for name, answer in (("empty", empty), ("probed", probed)):
        recorded = PROBE / f"object_info-{name}.json"
        assert json.loads(recorded.read_text(encoding="utf-8")) == answer, f"{recorded} is stale"
