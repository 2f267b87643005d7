"""The compiler (point 4) and loading prompts back (point 5)."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from comfydsl import Output, Workflow, load_prompt
from comfydsl.catalog import bundled_catalog, load_catalog, use_catalog
from comfydsl.errors import MissingInputError, PromptFormatError, ValidationError
from comfydsl.nodes import (
    CheckpointLoaderSimple,
    CLIPTextEncode,
    EmptyLatentImage,
    GetImageSize,
    ImageInvert,
    KSampler,
    LoadImage,
    SaveImage,
    VAEDecode,
)

DATA = Path(__file__).resolve().parents[1] / "data"
SEEDS = sorted((DATA / "seeds").glob("*.api.json"))
assert SEEDS, f"no seed prompts in {DATA / 'seeds'}"
CUSTOM_PACKS = DATA / "reference" / "object_info-custom-packs-controlnet_aux-vhs.json"


def dumps(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)


@pytest.fixture(autouse=True)
def bundled() -> Iterator[None]:
    with use_catalog(bundled_catalog(), merge=False):
        yield


def txt2img() -> dict[str, Any]:
    ckpt = CheckpointLoaderSimple(ckpt_name="sd_xl_base_1.0.safetensors")
    pos = CLIPTextEncode(text="a lighthouse at dusk", clip=ckpt.CLIP)
    neg = CLIPTextEncode(text="blurry", clip=ckpt.CLIP)
    latent = EmptyLatentImage(width=1024, height=1024)
    samples = KSampler(
        model=ckpt.MODEL,
        positive=pos,
        negative=neg,
        latent_image=latent,
        seed=42,
        steps=26,
        cfg=5.0,
        sampler_name="dpmpp_3m_sde_gpu",
        scheduler="karras",
    )
    SaveImage(images=VAEDecode(samples=samples, vae=ckpt.VAE), filename_prefix="lighthouse")
    return {"ckpt": ckpt, "samples": samples}


# -- compiling --------------------------------------------------------------------------------------


def test_the_issue_example_compiles_to_the_exact_prompt() -> None:
    with Workflow() as wf:
        txt2img()
    expected = {
        "1": {
            "inputs": {"ckpt_name": "sd_xl_base_1.0.safetensors"},
            "class_type": "CheckpointLoaderSimple",
        },
        "2": {
            "inputs": {"text": "a lighthouse at dusk", "clip": ["1", 1]},
            "class_type": "CLIPTextEncode",
        },
        "3": {"inputs": {"text": "blurry", "clip": ["1", 1]}, "class_type": "CLIPTextEncode"},
        "4": {
            "inputs": {"width": 1024, "height": 1024, "batch_size": 1},
            "class_type": "EmptyLatentImage",
        },
        "5": {
            "inputs": {
                "seed": 42,
                "steps": 26,
                "cfg": 5.0,
                "sampler_name": "dpmpp_3m_sde_gpu",
                "scheduler": "karras",
                "denoise": 1,
                "model": ["1", 0],
                "positive": ["2", 0],
                "negative": ["3", 0],
                "latent_image": ["4", 0],
            },
            "class_type": "KSampler",
        },
        "6": {"inputs": {"samples": ["5", 0], "vae": ["1", 2]}, "class_type": "VAEDecode"},
        "7": {
            "inputs": {"filename_prefix": "lighthouse", "images": ["6", 0]},
            "class_type": "SaveImage",
        },
    }
    assert dumps(expected) == wf.to_json(), "ids, key order, input order or values differ"


def test_ksampler_inputs_in_the_editors_order() -> None:
    with Workflow() as wf:
        samples = txt2img()["samples"]
    assert [
        "seed",
        "steps",
        "cfg",
        "sampler_name",
        "scheduler",
        "denoise",
        "model",
        "positive",
        "negative",
        "latent_image",
    ] == list(wf.to_api()[samples.id]["inputs"])


def test_a_linked_widget_keeps_its_widget_place() -> None:
    with Workflow() as wf:
        size = GetImageSize(image=ImageInvert(image=LoadImage(image="a.png")[0]))
        sampler = KSampler(latent_image=EmptyLatentImage(), seed=size.width)
    inputs = wf.to_api(check=False)[sampler.id]["inputs"]
    assert ["seed", "steps", "cfg", "sampler_name", "scheduler", "denoise", "latent_image"] == list(
        inputs
    )
    assert [size.id, 0] == inputs["seed"]


def test_required_widgets_take_the_catalog_default() -> None:
    with Workflow() as wf:
        sampler = KSampler()
        latent = EmptyLatentImage()
    prompt = wf.to_api(check=False)
    assert {
        "seed": 0,
        "steps": 20,
        "cfg": 8,
        "sampler_name": "euler",
        "scheduler": "simple",
        "denoise": 1,
    } == (prompt[sampler.id]["inputs"])
    denoise = prompt[sampler.id]["inputs"]["denoise"]
    assert (int, 1) == (type(denoise), denoise), (
        "an integral float default goes out as 1, like the editor"
    )
    assert '"denoise": 1\n' in wf.to_json(check=False)
    assert {"width": 512, "height": 512, "batch_size": 1} == prompt[latent.id]["inputs"]
    choices = bundled_catalog()["KSampler"].inputs["scheduler"].choices
    assert choices is not None and choices[0] == prompt[sampler.id]["inputs"]["scheduler"], (
        "a combo defaults to its first choice"
    )


def test_a_required_input_without_default_is_an_error_at_compile() -> None:
    with Workflow() as wf:
        decode = VAEDecode()
        SaveImage(images=decode)
    with pytest.raises(ValidationError) as info:
        wf.to_api()
    missing = sorted((e.node_id, e.input_name) for e in info.value.errors)
    assert [(decode.id, "samples"), (decode.id, "vae")] == missing
    assert all(isinstance(e, MissingInputError) for e in info.value.errors)


def test_a_node_that_feeds_no_output_is_not_checked_like_the_server() -> None:
    # The server validates only what an output node needs; so does the compiler.
    with Workflow() as wf:
        dangling = VAEDecode()
    assert {"inputs": {}, "class_type": "VAEDecode"} == wf.to_api()[dangling.id]


def test_loaded_nodes_are_checked_only_when_asked() -> None:
    wf = load_prompt({"1": {"inputs": {}, "class_type": "SaveImage"}})
    assert {"1": {"inputs": {}, "class_type": "SaveImage"}} == wf.to_api(), (
        "loaded prompts compile as they are"
    )
    with pytest.raises(ValidationError) as info:
        wf.to_api(check=True)
    # Unlike a built node, a loaded one gets no defaults: the server would miss both.
    assert [("1", "filename_prefix"), ("1", "images")] == sorted(
        (e.node_id, e.input_name) for e in info.value.errors
    )


SCRIPT = textwrap.dedent(
    """
    import sys
    from comfydsl import Node, Workflow
    from comfydsl.nodes import CheckpointLoaderSimple, CLIPTextEncode, EmptyLatentImage, KSampler
    from comfydsl.nodes import LoadImage, SaveImage, VAEDecode

    with Workflow() as wf:
        ckpt = CheckpointLoaderSimple(ckpt_name="m.safetensors", title="Loader")
        texts = [CLIPTextEncode(text=f"prompt {i}", clip=ckpt.CLIP) for i in range(20)]
        image = LoadImage(image="a.png", extra_inputs={"upload": "image", "z": 1, "a": {"b": 2, "a": 1}})
        latent = EmptyLatentImage(batch_size=3, id="latent")
        for i, text in enumerate(texts):
            s = KSampler(model=ckpt.MODEL, positive=text, negative=texts[0], latent_image=latent, seed=i)
            SaveImage(images=VAEDecode(samples=s, vae=ckpt.VAE), filename_prefix=f"x{i}")
        Node("VHS_VideoCombine", images=image[0], frame_rate=6, loop_count=0, format="video/h264-mp4",
             pingpong=False, save_output=True, extra={"k": [1, 2, 3]})
    sys.stdout.write(wf.to_json())
    """
)


def test_the_same_script_gives_the_same_bytes_in_every_process(tmp_path: Path) -> None:
    script = tmp_path / "script.py"
    script.write_text(SCRIPT, encoding="utf-8")
    outputs = []
    for seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, str(script)], capture_output=True, env=env, cwd=tmp_path, check=False
        )
        assert 0 == done.returncode, done.stderr.decode()
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1] == outputs[2], "the bytes depend on PYTHONHASHSEED"
    assert len(json.loads(outputs[0])) > 60, "the script should make a sizeable prompt"


# -- loading ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS, ids=[p.name for p in SEEDS])
@pytest.mark.parametrize("with_packs", [False, True], ids=["bundled", "bundled+packs"])
def test_seed_prompts_round_trip_byte_for_byte(seed: Path, with_packs: bool) -> None:
    text = seed.read_text(encoding="utf-8")
    body = json.loads(text)
    packs = [load_catalog(CUSTOM_PACKS)] if with_packs else []
    with use_catalog(*packs):
        wf = load_prompt(seed)
    again = dumps({"client_id": body["client_id"], "prompt": wf.to_api()})
    assert text == again, f"{seed.name} does not round-trip"
    assert text == dumps({"client_id": body["client_id"], "prompt": load_prompt(body).to_api()}), (
        "loading the body as a dict differs from loading the file"
    )


def test_a_prompt_with_everything_odd_round_trips() -> None:
    prompt = {
        "10:3": {
            "inputs": {"image": "a.png", "upload": "image"},
            "class_type": "LoadImage",
            "_meta": {"title": "Photo", "color": "#fff"},
        },
        "a b": {
            "inputs": {"images": ["10:3", 0], "mystery": {"__value__": [1, 2]}, "n": None},
            "class_type": "VHS_VideoCombine",
            "_meta": {},
        },
        "2": {"inputs": {"samples": ["2", 0]}, "class_type": "NotAnyKnownNode"},
        "1": {"inputs": {"image": ["10:3", 0]}, "class_type": "ImageInvert"},
        "dangling": {"inputs": {"width": "16.5"}, "class_type": "EmptyLatentImage"},
        "prompt": {"inputs": {}, "class_type": "KSampler"},
    }
    text = dumps(prompt)
    wf = load_prompt(json.loads(text))
    assert text == wf.to_json(), (
        "unknown classes, extra keys, _meta, loops or dangling nodes were changed"
    )
    assert {"title": "Photo", "color": "#fff"} == wf["10:3"].meta
    assert wf["1"].definition is not None and wf["a b"].definition is None


def test_load_errors_are_collected_and_name_the_file_and_nodes(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text(
        dumps(
            {
                "1": {"inputs": {"image": [2, 0]}, "class_type": "ImageInvert"},
                "2": {"inputs": {"image": ["99", 0]}, "class_type": "ImageInvert"},
                "3": {"inputs": {}},
                "4": ["not", "a", "node"],
                "5": {"inputs": {}, "class_type": "EmptyImage"},
            }
        ),
        encoding="utf-8",
    )
    with pytest.raises(PromptFormatError) as info:
        load_prompt(path)
    error = info.value
    assert str(path) == error.file
    # Only what makes the file no prompt at all: the server refuses the whole prompt for these.
    assert 2 == len(error.problems), f"one problem per node that is no node: {error.problems}"
    message = str(error)
    assert message.startswith(str(path)), message
    for node_id in ("'3'", "'4'"):
        assert node_id in message, f"node {node_id} is not named: {message}"
    for node_id in ("'1'", "'2'", "'5'"):
        assert node_id not in message, f"node {node_id} is readable: {message}"


def test_a_prompt_file_that_is_not_json_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text("{", encoding="utf-8")
    with pytest.raises(PromptFormatError, match=r"bad\.json"):
        load_prompt(path)
    with pytest.raises(PromptFormatError):
        load_prompt(["not", "a", "prompt"])  # type: ignore[arg-type]


def test_a_prompt_file_that_is_not_utf8_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes(b'{"caf\xe9": 1}')
    with pytest.raises(PromptFormatError, match=r"latin1\.json: not UTF-8 text"):
        load_prompt(path)


def test_compiled_prompts_do_not_share_values_with_the_workflow() -> None:
    prompt = {"1": {"inputs": {"x": [1, 2, 3], "d": {"__value__": [1]}}, "class_type": "Foo"}}
    wf = load_prompt(prompt)
    first = wf.to_api()
    for change in (
        lambda: first["1"]["inputs"]["d"]["__value__"].append(2),
        lambda: first["1"]["inputs"]["x"].append(4),
    ):
        with contextlib.suppress(TypeError):  # read-only values are fine too
            change()
    assert {"x": [1, 2, 3], "d": {"__value__": [1]}} == wf.to_api()["1"]["inputs"], (
        "changing a compiled prompt changed the workflow"
    )
    prompt["1"]["inputs"]["x"].append(5)
    assert [1, 2, 3] == wf.to_api()["1"]["inputs"]["x"], (
        "changing the source prompt changed the workflow"
    )


def test_loading_a_compiled_dict_keeps_its_links() -> None:
    with Workflow() as wf:
        ckpt = CheckpointLoaderSimple(ckpt_name="m.safetensors")
        CLIPTextEncode(text="a", clip=ckpt.CLIP)
    loaded = load_prompt(wf.to_api())
    link = loaded["2"].inputs["clip"]
    assert isinstance(link, Output) and link.node is loaded["1"], f"not a link: {link!r}"
    # Neither has an output node: the server would refuse both, and say so of both.
    assert [str(e) for e in wf.check()] == [str(e) for e in loaded.check()], (
        "the loaded copy should validate like the original"
    )
