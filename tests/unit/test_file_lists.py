"""Inputs whose combo lists name files on the server: which they are, and what the catalog does.

A real ComfyUI answered ``/object_info`` twice, without files and with dummy files in every folder
(scripts/probe_file_lists.py; tests/data/reference/file-probe-comfyui-0.3.75/), and
scripts/make_catalog.py wrote the inputs whose lists gained a dummy beside the bundled definitions
(nodes_catalog/*.file-lists.json). In the bundled catalog and packs any file name passes those
inputs, while the entries the server has built in (VAELoader's ``pixel_space``) stay the defaults
the editor sends; a catalog from a real server checks them against its own files.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from comfydsl import Workflow
from comfydsl.catalog import Catalog, bundled_catalog, pack_catalog, use_catalog, use_packs
from comfydsl.catalog.catalog import FILE_LISTS_SUFFIX
from comfydsl.catalog.model import UPLOAD_FLAGS
from comfydsl.errors import CatalogError, ChoiceError, InputValueError

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "tests" / "data" / "reference"
RECORDED = REFERENCE / "object_info-comfyui-0.3.75.json"
PROBE = REFERENCE / "file-probe-comfyui-0.3.75"
EMPTY, PROBED = PROBE / "object_info-empty.json", PROBE / "object_info-probed.json"
CORE_LISTS = ROOT / "nodes_catalog" / f"comfyui-core{FILE_LISTS_SUFFIX}"
#: The checkpoint loaders of stock ComfyUI 0.3.75: each lists the checkpoints folder.
CHECKPOINT_LOADERS = (
    "CheckpointLoaderSimple",
    "CheckpointLoader",
    "unCLIPCheckpointLoader",
    "ImageOnlyCheckpointLoader",
    "CreateHookModelAsLora",
    "CreateHookModelAsLoraModelOnly",
)


def read(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def combo_list(definition: Any, name: str) -> list[Any]:
    sections = definition["input"]
    spec = {**sections.get("required", {}), **sections.get("optional", {})}[name]
    return list(spec[0]) if isinstance(spec[0], list) else list(spec[1].get("options") or [])


def test_any_vae_passes_against_the_bundled_catalog_and_compiles_as_the_editor_sends_it() -> None:
    names = ["ae.safetensors", "flux/ae.sft", "taesd", "pixel_space", "ünïcode vae.pt"]
    with Workflow() as wf:
        from comfydsl.nodes import VAELoader

        for name in names:
            VAELoader(vae_name=name)
    expected = {
        str(i): {"inputs": {"vae_name": name}, "class_type": "VAELoader"}
        for i, name in enumerate(names, start=1)
    }
    assert expected == wf.to_api()


def test_the_built_in_entry_is_still_the_default_the_editor_sends() -> None:
    with Workflow() as wf:
        from comfydsl.nodes import CheckpointLoader, VAELoader

        VAELoader()
        CheckpointLoader(ckpt_name="v1-5-pruned-emaonly.ckpt")
    assert {
        "1": {"inputs": {"vae_name": "pixel_space"}, "class_type": "VAELoader"},
        "2": {
            "inputs": {"config_name": "anything_v3.yaml", "ckpt_name": "v1-5-pruned-emaonly.ckpt"},
            "class_type": "CheckpointLoader",
        },
    } == wf.to_api()


def test_a_file_name_must_still_be_a_string() -> None:
    with Workflow():
        from comfydsl.nodes import VAELoader

        with pytest.raises(InputValueError, match="must be a string"):
            VAELoader(vae_name=3)


@pytest.mark.parametrize("files", ["empty", "probed"])
def test_a_servers_catalog_without_the_file_is_a_choice_error(files: str) -> None:
    server = Catalog.from_object_info(read(PROBE / f"object_info-{files}.json"), source=files)
    assert server.files_known
    with use_catalog(server, merge=False), Workflow() as wf:
        from comfydsl.nodes import VAELoader

        VAELoader(vae_name="pixel_space")
        with pytest.raises(ChoiceError, match=r"ae\.safetensors") as info:
            VAELoader(vae_name="ae.safetensors")
        if files == "probed":
            VAELoader(vae_name="comfydsl-probe-vae.safetensors")
    assert "vae_name" == info.value.input_name
    assert "pixel_space" == wf.to_api()["1"]["inputs"]["vae_name"]


def test_exactly_the_inputs_that_list_files_are_unknown_in_the_bundled_catalog() -> None:
    lists = read(CORE_LISTS)
    assert {"vae_name": ["vae"]} == lists["VAELoader"]
    for loader in CHECKPOINT_LOADERS:
        assert ["checkpoints"] == lists[loader]["ckpt_name"], loader
    catalog = bundled_catalog()
    for class_type in catalog:
        definition = catalog[class_type]
        for name, spec in definition.inputs.items():
            if spec.kind != "COMBO":
                continue
            lists_files = name in lists.get(class_type, {})
            unknown = lists_files or not spec.listed or spec.uploads
            where = f"{class_type}.{name}"
            assert unknown == (spec.choices is None), where
            if lists_files and spec.listed and "default" not in spec.options:
                assert spec.listed[0] == spec.default, f"{where}: the editor sends the first"


def test_what_the_server_lists_without_files_is_built_in() -> None:
    lists, empty = read(CORE_LISTS), read(EMPTY)
    built_in = {
        f"{class_type}.{name}": combo_list(empty[class_type], name)
        for class_type, inputs in lists.items()
        for name in inputs
        if combo_list(empty[class_type], name)
    }
    assert {
        "VAELoader.vae_name": ["pixel_space"],
        "TrainLoraNode.existing_lora": ["[None]"],
        "LoadImageDataSetFromFolder.folder": ["3d"],
        "LoadImageTextDataSetFromFolder.folder": ["3d"],
    } == {k: v for k, v in built_in.items() if k != "CheckpointLoader.config_name"}
    assert 11 == len(built_in["CheckpointLoader.config_name"]), "the configs ComfyUI ships"


def test_the_probes_server_is_the_one_the_bundled_catalog_was_recorded_from() -> None:
    # The same classes and definitions; only the recording server's uploaded files differ,
    # and those lists are emptied in the bundled catalog.
    recorded, empty = read(RECORDED), read(EMPTY)
    assert list(recorded) == list(empty)
    differing = {
        (class_type, name)
        for class_type in recorded
        for section in ("required", "optional")
        for name, spec in recorded[class_type]["input"].get(section, {}).items()
        if spec != empty[class_type]["input"][section][name]
    }
    assert {("LoadImage", "image"), ("LoadImageMask", "image")} == differing
    for class_type, name in differing:
        options = recorded[class_type]["input"]["required"][name][1]
        assert any(options.get(flag) for flag in UPLOAD_FLAGS)


def test_the_file_lists_are_what_the_documented_script_makes(tmp_path: Path) -> None:
    made = tmp_path / "comfyui-core.json"
    run_make_catalog(str(RECORDED), "--probe", str(EMPTY), str(PROBED), "-o", str(made))
    shipped = ROOT / "nodes_catalog" / "comfyui-core.json"
    assert shipped.read_text(encoding="utf-8") == made.read_text(encoding="utf-8"), (
        f"regenerate {shipped} as nodes_catalog/README.md says"
    )
    beside = tmp_path / f"comfyui-core{FILE_LISTS_SUFFIX}"
    assert CORE_LISTS.read_text(encoding="utf-8") == beside.read_text(encoding="utf-8"), (
        f"regenerate {CORE_LISTS} as nodes_catalog/README.md says"
    )


def run_make_catalog(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_catalog.py"), *args],
        check=False,
        capture_output=True,
        text=True,
    )


def test_a_wrong_file_list_argument_is_refused(tmp_path: Path) -> None:
    out = str(tmp_path / "out.json")
    for wrong, said in [
        ("VAELoader.vae_name", "expected CLASS.INPUT=FOLDER"),
        ("NoSuchClass.x=vae", "classes the output lacks"),
        ("VAELoader.no_input=vae", "VAELoader has no combo input no_input"),
        ("KSampler.steps=vae", "KSampler has no combo input steps"),
    ]:
        done = run_make_catalog(str(RECORDED), "--file-list", wrong, "-o", out)
        assert 1 == done.returncode and said in done.stderr, (wrong, done.stderr)


def test_a_bundled_pack_takes_any_file_for_its_file_lists() -> None:
    assert {"directory", "video", "audio", "format"} == {
        name
        for class_type in pack_catalog("vhs")
        for name, spec in pack_catalog("vhs")[class_type].inputs.items()
        if spec.kind == "COMBO" and spec.choices is None
    }
    with use_packs("vhs"), Workflow() as wf:
        from comfydsl.nodes import VHS_LoadImages, VHS_VideoCombine

        VHS_LoadImages(directory="my_frames")
        VHS_LoadImages()
        frames = VHS_LoadImages(directory="3d")
        VHS_VideoCombine(images=frames.IMAGE, format="video/my-own-format")
    prompt = wf.to_api()
    assert ["my_frames", "3d", "3d"] == [prompt[i]["inputs"]["directory"] for i in "123"]
    assert "video/my-own-format" == prompt["4"]["inputs"]["format"]


def test_controlnet_aux_lists_no_files_so_its_model_names_stay_checked() -> None:
    assert not (ROOT / "nodes_catalog" / "packs" / f"controlnet_aux{FILE_LISTS_SUFFIX}").exists()
    with use_packs("controlnet_aux"), Workflow():
        from comfydsl.nodes import DWPreprocessor, LoadImage

        image = LoadImage(image="photo.png").IMAGE
        DWPreprocessor(image=image, bbox_detector="None")
        with pytest.raises(ChoiceError, match=r"yolox_s\.onnx"):
            DWPreprocessor(image=image, bbox_detector="yolox_s.onnx")


def test_malformed_file_lists_are_a_catalog_error() -> None:
    definition = bundled_catalog().raw("VAELoader")
    for wrong in (["vae_name"], {1: ["vae"]}, "vae_name"):
        catalog = Catalog._unchecked(
            {"VAELoader": definition},
            source="test",
            files_known=False,
            file_lists={"VAELoader": wrong},
        )
        with pytest.raises(CatalogError, match="file lists of VAELoader"):
            catalog["VAELoader"]
        with pytest.raises(CatalogError, match="file lists of VAELoader"):
            catalog.validate()
