"""The bundled catalog, the three input-spec forms, hidden inputs, custom packs, and the wheel (point 7)."""

from __future__ import annotations

import contextvars
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from comfydsl import Node, Workflow
from comfydsl.catalog import (
    Catalog,
    active_catalog,
    bundled_catalog,
    extend_catalog,
    load_catalog,
    pack_catalog,
    use_catalog,
)
from comfydsl.errors import CatalogError, UnknownInputError, UnknownNodeError

REPO = Path(__file__).resolve().parents[2]
REFERENCE = REPO / "tests" / "data" / "reference"
CUSTOM_PACKS = REFERENCE / "object_info-custom-packs-controlnet_aux-vhs.json"
PROSE_KEYS = {"tooltip", "description", "output_tooltips"}


def keys_anywhere(data: Any) -> set[str]:
    found: set[str] = set()
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            found.update(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def test_the_bundled_catalog_has_stock_comfyui_without_prose() -> None:
    catalog = bundled_catalog()
    assert 516 == len(catalog), "stock ComfyUI 0.3.75 has 516 classes"
    assert set() == PROSE_KEYS & keys_anywhere(catalog.to_object_info()), (
        "tooltips or descriptions left in"
    )
    ksampler = catalog.raw("KSampler")
    assert {
        "input",
        "input_order",
        "output",
        "output_is_list",
        "output_name",
        "name",
        "category",
    } <= set(ksampler), f"structure lost: {sorted(ksampler)}"


def test_the_bundled_catalog_keeps_the_servers_structure() -> None:
    recorded = json.loads(
        (REFERENCE / "object_info-comfyui-0.3.75.json").read_text(encoding="utf-8")
    )
    bundled = bundled_catalog()
    assert sorted(recorded) == sorted(bundled), "the classes differ from the recording"
    for name in ("KSampler", "EmptyLatentImage", "LoadImage", "ImageBlend", "ModelMergeSD1"):
        raw = bundled.raw(name)
        assert recorded[name]["input_order"] == raw["input_order"], name
        assert recorded[name]["output"] == raw["output"], name
        for section, specs in recorded[name]["input"].items():
            for input_name, spec in specs.items():
                kept = raw["input"][section][input_name]
                if isinstance(spec[0], list) and [] == kept[0]:
                    continue  # a list of the recording server's files: emptied, not known here
                assert spec[0] == kept[0], f"{name}.{input_name}: type or choices changed"
                options = spec[1] if len(spec) > 1 and isinstance(spec[1], dict) else {}
                for key in ("default", "min", "max", "options", "forceInput"):
                    if key in options:
                        assert options[key] == kept[1][key], f"{name}.{input_name}: {key} changed"


def test_all_three_input_spec_forms_are_understood() -> None:
    catalog = bundled_catalog()
    legacy = catalog["KSampler"].inputs["sampler_name"]
    assert ("COMBO", "legacy", "euler") == (legacy.kind, legacy.combo_form, legacy.default)
    assert legacy.choices is not None and "dpmpp_2m" in legacy.choices
    new = catalog["ImageBlend"].inputs["blend_mode"]
    assert ("COMBO", "COMBO", "normal") == (new.kind, new.combo_form, new.default)
    assert new.choices is not None and "multiply" in new.choices
    model = catalog["KSampler"].inputs["model"]
    assert ("LINK", "MODEL", False) == (model.kind, model.type, model.widget)
    assert ("LINK", "*") == (
        catalog["PreviewAny"].inputs["source"].kind,
        catalog["PreviewAny"].inputs["source"].type,
    )
    union = catalog["TripoConversionNode"].inputs["original_model_task_id"]
    assert ("LINK", "MODEL_TASK_ID,RIG_TASK_ID,RETARGET_TASK_ID") == (union.kind, union.type)
    steps = catalog["KSampler"].inputs["steps"]
    assert ("INT", 20, 1, 10000, True) == (
        steps.kind,
        steps.default,
        steps.min,
        steps.max,
        steps.widget,
    )
    empty = catalog["CheckpointLoaderSimple"].inputs["ckpt_name"]
    assert None is empty.choices, "an empty model list in the bundled catalog means: not known here"


def test_force_input_makes_a_socket() -> None:
    catalog = Catalog.from_object_info(
        {
            "F": {
                "input": {
                    "required": {
                        "n": ["INT", {"forceInput": True, "default": 3}],
                        "m": ["INT", {"default": 1}],
                    }
                },
                "output": [],
                "name": "F",
                "output_node": True,
            }
        }
    )
    definition = catalog["F"]
    assert (False, True) == (definition.inputs["n"].widget, definition.inputs["m"].widget)
    assert ("m", "n") == definition.emit_order, "widgets first, then sockets"
    assert {"m": 1} == definition.required_defaults, "a socket gets no default"


def test_hidden_inputs_are_never_asked_for() -> None:
    from comfydsl.nodes import EmptyImage, SaveImage

    definition = bundled_catalog()["SaveImage"]
    assert ("prompt", "extra_pnginfo") == definition.hidden
    assert "prompt" not in definition.inputs and "prompt" not in definition.positional
    with use_catalog(bundled_catalog(), merge=False), Workflow() as wf:
        save = SaveImage(images=EmptyImage())
        with pytest.raises(UnknownInputError, match="hidden"):
            SaveImage(images=EmptyImage(), extra_pnginfo={})
    assert {"filename_prefix", "images"} == set(wf.to_api()[save.id]["inputs"])


def test_a_custom_pack_catalog_loads_from_a_file_and_merges() -> None:
    packs = load_catalog(CUSTOM_PACKS)
    assert 104 == len(packs)
    assert not packs.files_known, "a file's model lists are not the user's server's"
    with pytest.raises(ImportError):
        from comfydsl.nodes import HEDPreprocessor  # noqa: F401, RUF100
    with use_catalog(packs) as merged, Workflow() as wf:
        from comfydsl.nodes import EmptyImage, HEDPreprocessor, PreviewImage

        assert 516 + 104 == len(merged)
        hed = HEDPreprocessor(image=EmptyImage(), resolution=512)
        PreviewImage(images=hed)
    assert {"resolution": 512, "image": ["1", 0]} == wf.to_api()[hed.id]["inputs"], (
        "optional widgets get no default"
    )
    assert "HEDPreprocessor" not in active_catalog(), "use_catalog must end with its block"


def test_extend_catalog_lasts_for_the_rest_of_the_context() -> None:
    def script() -> list[str]:
        extend_catalog(load_catalog(CUSTOM_PACKS))
        from comfydsl.nodes import VHS_VideoCombine

        with Workflow() as wf:
            VHS_VideoCombine(frame_rate=8)
        return [n.class_type for n in wf]

    assert ["VHS_VideoCombine"] == contextvars.copy_context().run(script)
    assert "VHS_VideoCombine" not in active_catalog(), "extend_catalog leaked out of its context"


def test_unreadable_catalog_files_are_catalog_errors(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"broken\.json"):
        load_catalog(broken)
    with pytest.raises(CatalogError, match=r"missing\.json"):
        load_catalog(tmp_path / "missing.json")
    with pytest.raises(CatalogError):
        Catalog.from_object_info(["not", "a", "mapping"])  # type: ignore[arg-type]


def test_a_catalog_file_that_is_not_utf8_is_a_catalog_error(tmp_path: Path) -> None:
    latin1 = tmp_path / "latin1.json"
    latin1.write_bytes(b'{"caf\xe9": {}}')
    with pytest.raises(CatalogError, match=r"latin1\.json: not UTF-8 text"):
        load_catalog(latin1)


def test_an_unknown_class_is_an_unknown_node_error_with_a_hint() -> None:
    from comfydsl.nodes import node_class

    with pytest.raises(UnknownNodeError) as info:
        node_class("HEDPreprocesor")
    assert "load_catalog" in str(info.value), str(info.value)


#: Modules that building and compiling a workflow has no need of, each of which would cost
#: ``import comfydsl.nodes`` several milliseconds (typing alone as much as the rest together).
HEAVY_MODULES = ["typing", "pathlib", "importlib.resources", "tempfile", "numbers", "zipfile"]

WHEEL_CHECK = textwrap.dedent(
    f"""
    import sys
    heavy = {HEAVY_MODULES!r}
    before = [name for name in heavy if name in sys.modules]
    import comfydsl
    from comfydsl import Workflow
    from comfydsl.nodes import KSampler, EmptyLatentImage, SaveImage, VAEDecode, VAELoader
    from comfydsl.catalog import active_catalog
    with Workflow() as wf:
        samples = KSampler(latent_image=EmptyLatentImage(), steps=4)
        VAELoader(vae_name="ae.safetensors")  # the file lists are installed too
    prompt = wf.to_api(check=False)
    loaded = [name for name in heavy if name in sys.modules and name not in before]
    import json
    print(json.dumps({{"file": comfydsl.__file__, "classes": len(active_catalog()),
                      "prompt": prompt, "heavy": loaded}}))
    """
)


@pytest.mark.slow
def test_the_bundled_catalog_works_from_an_installed_wheel(tmp_path: Path) -> None:
    # Build from a copy: building in the checkout would leave build/ and *.egg-info behind.
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        if (REPO / name).exists():
            shutil.copy(REPO / name, source / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(REPO / "comfydsl", source / "comfydsl", ignore=ignore)
    shutil.copytree(REPO / "nodes_catalog", source / "nodes_catalog", ignore=ignore)
    wheels = tmp_path / "wheels"
    run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(source)],
        tmp_path,
    )
    (wheel,) = wheels.glob("comfydsl-*.whl")
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", str(venv)], tmp_path)
    python = venv / "bin" / "python"
    run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)], tmp_path
    )
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    done = run([str(python), "-c", WHEEL_CHECK], outside)
    result = json.loads(done.stdout)
    assert result["file"].startswith(str(venv)), f"imported from the checkout: {result['file']}"
    assert 516 == result["classes"], "the bundled catalog is not complete in the wheel"
    assert [] == result["heavy"], "building and compiling imported modules it has no need of"
    assert {
        "seed": 0,
        "steps": 4,
        "cfg": 8,
        "sampler_name": "euler",
        "scheduler": "simple",
        "denoise": 1,
        "latent_image": ["1", 0],
    } == result["prompt"]["2"]["inputs"]
    assert {"vae_name": "ae.safetensors"} == result["prompt"]["3"]["inputs"]


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    # Nothing of this checkout may leak in through the environment.
    env = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")
    }
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert 0 == done.returncode, f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}"
    return done


def test_the_bundled_definitions_are_read_one_line_each_and_agree_with_the_whole_file() -> None:
    from comfydsl.catalog.catalog import _Unread, bundled_files, split_definitions

    ((_name, text),) = bundled_files()
    whole = json.loads(text)
    lazy = split_definitions(text)
    assert list(whole) == list(lazy), "the class order differs"
    assert all(type(raw) is _Unread for raw in lazy.values()), "the one-line layout was not used"
    assert whole == {name: raw.value() for name, raw in lazy.items()}


@pytest.mark.parametrize(
    "text",
    [
        '{"A": {"input": {}}, "B": {"output": []}}',  # one line
        '{\n"A": {"input": {}},\n"B": {"output": []}\n}',  # no newline at the end
        '{\n"A": {"input": {}}\n,"B": {"output": []}\n}\n',  # commas at the start of lines
        '{\n  "A": {"input": {}},\n  "B": {"output": []}\n}\n',  # indented
        '{\n"A\\"x": {"input": {}},\n"B": {"output": []}\n}\n',  # an escaped quote in a name
    ],
)
def test_a_bundled_file_in_another_layout_is_read_whole(text: str) -> None:
    from comfydsl.catalog.catalog import _Unread, split_definitions

    found = split_definitions(text)
    values = {k: v.value() if type(v) is _Unread else v for k, v in found.items()}
    assert json.loads(text) == values


def test_merges_of_the_bundled_catalog_share_its_definitions() -> None:
    # A script that calls use_packs runs once per combination of a sweep: each merge must not
    # build (and check, and make node classes for) the bundled definitions again.
    bundled = bundled_catalog()
    first = bundled.merged(pack_catalog("vhs"))
    second = bundled.merged(pack_catalog("vhs"), pack_catalog("controlnet_aux"))
    for name in ("KSampler", "ImageScaleBy", "VAEDecodeTiled"):
        assert first[name] is second[name] is bundled[name]
    assert first["VHS_VideoCombine"] is second["VHS_VideoCombine"]
    overriding = Catalog({"KSampler": {"input": {"required": {}}, "output": []}}, source="mine")
    assert overriding["KSampler"] is bundled.merged(overriding)["KSampler"]
    assert bundled["KSampler"] is overriding.merged(bundled)["KSampler"]


def test_a_default_that_is_a_list_goes_out_as_the_editor_sends_it_never_as_a_link() -> None:
    # A catalog's default of two items, [id, index], would read as a link to node "1" itself.
    odd = Catalog(
        {
            "Odd": {
                "input": {
                    "required": {
                        "text": ["STRING", {"default": ["1", 0]}],
                        "table": ["STRING", {"default": {"rows": [1, 2]}}],
                    }
                },
                "output": [],
                "output_node": True,
            }
        },
        source="odd",
    )
    with use_catalog(odd), Workflow() as wf:
        Node("Odd")
        Node("Odd", **{"text": "plain"})
    prompt = wf.to_api()
    assert {"__value__": ["1", 0]} == prompt["1"]["inputs"]["text"]
    assert {"rows": [1, 2]} == prompt["1"]["inputs"]["table"]
    assert "plain" == prompt["2"]["inputs"]["text"]
