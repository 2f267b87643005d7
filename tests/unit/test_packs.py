"""Bundled node packs (comfydsl.catalog.packs): the files, and the switches that enable them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from comfydsl.catalog import (
    PACKS_ENV,
    active_catalog,
    bundled_catalog,
    bundled_pack_names,
    pack_catalog,
    use_packs,
)
from comfydsl.catalog.catalog import FILE_LISTS_SUFFIX
from comfydsl.catalog.packs import pack_of, resolve_pack_names
from comfydsl.errors import UnknownNodeError, UnknownPackError
from comfydsl.graph import Workflow

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "tests" / "data" / "reference" / "object_info-custom-packs-controlnet_aux-vhs.json"
#: Each bundled pack and the --module of scripts/make_catalog.py that makes it from SOURCE.
MODULES = {
    "controlnet_aux": "custom_nodes.comfyui_controlnet_aux",
    "vhs": "custom_nodes.ComfyUI-VideoHelperSuite",
}
#: The inputs of each pack that list files, as nodes_catalog/README.md gives them to the script.
FILE_LISTS = {
    "controlnet_aux": [],
    "vhs": [
        "VHS_LoadVideo.video=input",
        "VHS_LoadVideoFFmpeg.video=input",
        "VHS_LoadAudioUpload.audio=input",
        "VHS_LoadImages.directory=input",
        "VHS_VideoCombine.format=VHS_video_formats",
    ],
}


@pytest.fixture(autouse=True)
def _no_packs_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PACKS_ENV, raising=False)


def test_the_bundled_packs_are_the_seeds_packs() -> None:
    assert sorted(MODULES) == bundled_pack_names()


@pytest.mark.parametrize("name", sorted(MODULES))
def test_each_pack_file_is_what_the_documented_script_makes(name: str, tmp_path: Path) -> None:
    made = tmp_path / f"{name}.json"
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "make_catalog.py"),
            str(SOURCE),
            "--module",
            MODULES[name],
            *(f"--file-list={entry}" for entry in FILE_LISTS[name]),
            "-o",
            str(made),
        ],
        check=True,
        capture_output=True,
    )
    for made_file in (made, made.with_name(f"{name}{FILE_LISTS_SUFFIX}")):
        shipped = ROOT / "nodes_catalog" / "packs" / made_file.name
        assert made_file.exists() == shipped.exists(), f"{shipped}: made and shipped differ"
        if shipped.exists():
            assert made_file.read_text(encoding="utf-8") == shipped.read_text(encoding="utf-8"), (
                f"regenerate {shipped} as nodes_catalog/README.md says"
            )


@pytest.mark.parametrize("name", sorted(MODULES))
def test_each_pack_is_a_valid_catalog_without_prose(name: str) -> None:
    catalog = pack_catalog(name)
    catalog.validate()  # builds every definition: one CatalogError would list every problem
    assert set(catalog).isdisjoint(bundled_catalog()), "a pack adds classes, it replaces none"
    data = json.loads((ROOT / "nodes_catalog" / "packs" / f"{name}.json").read_text("utf-8"))
    text = json.dumps(data)
    assert '"description"' not in text and '"tooltip"' not in text


def test_pack_classes_are_off_until_enabled() -> None:
    with pytest.raises(UnknownNodeError) as info:
        from comfydsl.nodes import HEDPreprocessor  # noqa: F401
    message = str(info.value)
    assert "controlnet_aux" in message and f"{PACKS_ENV}=controlnet_aux" in message
    assert 'use_packs("controlnet_aux")' in message


def test_use_packs_for_a_block_and_for_the_rest_of_the_context() -> None:
    before = active_catalog()
    with use_packs("controlnet_aux") as catalog:
        from comfydsl.nodes import HEDPreprocessor

        assert catalog is active_catalog() and "HEDPreprocessor" in catalog
        with Workflow():
            assert "HEDPreprocessor" == HEDPreprocessor().class_type
        assert "VHS_VideoCombine" not in catalog
    assert before is active_catalog()

    def later() -> None:
        use_packs("vhs", "controlnet_aux")
        assert {"VHS_VideoCombine", "HEDPreprocessor"} <= set(active_catalog())

    thread = threading.Thread(target=later)
    thread.start()
    thread.join()
    assert "VHS_VideoCombine" not in active_catalog(), "another thread's packs stay there"


def test_pack_names_by_name_folder_any_case_or_all() -> None:
    assert ["vhs"] == resolve_pack_names(["VHS"])
    assert ["vhs"] == resolve_pack_names(["ComfyUI-VideoHelperSuite"])
    assert ["controlnet_aux"] == resolve_pack_names([" comfyui_controlnet_aux "])
    assert ["controlnet_aux", "vhs"] == resolve_pack_names(["all", "vhs", ""])
    assert "vhs" == pack_of("VHS_VideoCombine") and None is pack_of("KSampler")


def test_an_unknown_pack_is_an_error_naming_the_bundled_ones() -> None:
    with pytest.raises(UnknownPackError) as info:
        use_packs("vhz")
    assert isinstance(info.value, LookupError)
    assert ("vhz", ["vhs"]) == (info.value.pack, info.value.suggestions)
    assert "controlnet_aux, vhs" in str(info.value)


def _run(code: str, packs: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, PACKS_ENV: packs, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT
    )


def test_the_variable_enables_packs_for_every_script() -> None:
    code = (
        "from comfydsl.nodes import HEDPreprocessor, VHS_VideoCombine, KSampler\n"
        "print(HEDPreprocessor.class_type, VHS_VideoCombine.class_type)"
    )
    result = _run(code, "controlnet_aux,vhs")
    assert "HEDPreprocessor VHS_VideoCombine" == result.stdout.strip(), result.stderr


def test_a_wrong_variable_is_an_error_that_names_it() -> None:
    result = _run("import comfydsl.nodes", "controlnet_aux,nope")
    assert 0 != result.returncode
    assert f"UnknownPackError: {PACKS_ENV}: no bundled node pack is named 'nope'" in result.stderr


def test_the_seed_examples_compile_with_the_packs_they_enable() -> None:
    for name in ("sdxl_unclip_controlnet", "svd_img2vid"):
        result = subprocess.run(
            [sys.executable, "-m", "comfydsl.cli", "compile", f"examples/{name}.py"],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        assert 0 == result.returncode, result.stderr
        expected = (ROOT / "tests" / "golden" / "expected" / f"{name}.api.json").read_text("utf-8")
        assert json.loads(expected) == json.loads(result.stdout)
