"""comfydsl.codegen.script (``comfydsl import``): a workflow as a readable script that builds it.

Each test writes a script, runs it as ``comfydsl compile`` would, and compares what it builds
with what it was written from; the texts are checked for the forms a reader expects.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import pytest

from comfydsl import Workflow, compare, load_prompt, to_script
from comfydsl.catalog import Catalog, use_catalog
from comfydsl.cli import load_script_workflow
from comfydsl.errors import ScriptWriteError
from comfydsl.nodes import EmptyImage, ImageInvert, SaveImage

Prompt = dict[str, dict[str, Any]]


def node(class_type: str, title: str | None = None, /, **inputs: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"inputs": inputs, "class_type": class_type}
    if title is not None:
        entry["_meta"] = {"title": title}
    return entry


def written(prompt: Prompt, tmp_path: Path, **options: Any) -> tuple[str, Prompt]:
    """The script of ``prompt`` and the prompt that script compiles to."""
    text = to_script(load_prompt(prompt), **options)
    ast.parse(text)
    path = tmp_path / "imported.py"
    path.write_text(text, encoding="utf-8")
    return text, load_script_workflow(path).to_api()


def identical(a: Prompt, b: Prompt) -> bool:
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


TXT2IMG: Prompt = {
    "4": node("CheckpointLoaderSimple", "Load Checkpoint", ckpt_name="sd15.safetensors"),
    "6": node("CLIPTextEncode", "Positive", text="a lighthouse\nat dusk", clip=["4", 1]),
    "7": node("CLIPTextEncode", "Negative", text="blurry", clip=["4", 1]),
    "5": node("EmptyLatentImage", width=512, height=512, batch_size=1),
    "3": node(
        "KSampler",
        seed=42,
        steps=20,
        cfg=8,
        sampler_name="euler",
        scheduler="normal",
        denoise=1,
        model=["4", 0],
        positive=["6", 0],
        negative=["7", 0],
        latent_image=["5", 0],
    ),
    "8": node("VAEDecode", samples=["3", 0], vae=["4", 2]),
    "9": node("SaveImage", images=["8", 0], filename_prefix="ComfyUI"),
}


def test_a_workflow_reads_as_typed_calls_in_order(tmp_path: Path) -> None:
    text, back = written(TXT2IMG, tmp_path)
    assert "from comfydsl.nodes import (" in text
    assert (
        'load_checkpoint = CheckpointLoaderSimple(ckpt_name="sd15.safetensors", '
        'title="Load Checkpoint")' in text
    )
    assert "    clip=load_checkpoint.CLIP," in text
    assert '    text="""a lighthouse\nat dusk""",' in text
    assert (
        "model=load_checkpoint.MODEL" in text and "latent_image=empty_latent_image.LATENT" in text
    )
    assert "SaveImage(images=vae_decode.IMAGE)" in text, "an output node needs no variable"
    # Defaults left out: the call fills them in (batch_size=1, denoise=1, filename_prefix).
    assert "batch_size" not in text and "denoise" not in text and "ComfyUI" not in text
    assert text.index("load_checkpoint =") < text.index("ksampler =") < text.index("SaveImage(")
    assert "unchecked_node" not in text and "Node(" not in text
    diff = compare(TXT2IMG, back, titles=True)
    assert diff.same, str(diff)
    assert [str(i) for i in range(1, 8)] == list(back)


def test_keep_ids_compiles_to_the_very_prompt(tmp_path: Path) -> None:
    text, back = written(TXT2IMG, tmp_path, keep_ids=True)
    assert "SaveImage(images=vae_decode.IMAGE, id=9)" in text
    assert identical(TXT2IMG, back)


def test_explicit_writes_the_defaults_too(tmp_path: Path) -> None:
    text, back = written(TXT2IMG, tmp_path, explicit=True)
    assert "batch_size=1" in text and "denoise=1" in text and 'filename_prefix="ComfyUI"' in text
    assert compare(TXT2IMG, back, titles=True).same


def test_a_class_the_catalog_does_not_know_is_made_with_node(tmp_path: Path) -> None:
    prompt = {
        "1": node("EmptyImage", width=8, height=8, batch_size=1, color=0),
        "2": node("My Pack Node", "Pack", image=["1", 0], strength=0.5, **{"odd name": 1}),
        "3": node("Another", title_input=["2", 3], **{"title": "an input", "id": 7}),
    }
    text, back = written(prompt, tmp_path, keep_ids=True)
    assert "from comfydsl import Node" in text
    assert (
        'pack = Node(\n    "My Pack Node",\n    image=empty_image.IMAGE,\n    strength=0.5,\n'
        '    extra_inputs={"odd name": 1},\n    title="Pack",\n    id=2,\n)' in text
    )
    assert "title_input=pack[3]" in text
    assert 'extra_inputs={"title": "an input", "id": 7}' in text
    assert identical(prompt, back)


def test_values_a_call_would_refuse_are_kept_unchecked_with_the_reason(tmp_path: Path) -> None:
    prompt = {
        "1": node("EmptyImage", width=8, height=99999, batch_size=1, color=0),  # over the max
        "2": node("KSampler", sampler_name="no such sampler"),  # the links missing too
        "3": node("SaveImage", images=["1", 0], filename_prefix="x"),
    }
    text, back = written(prompt, tmp_path, keep_ids=True)
    assert "from comfydsl import unchecked_node" in text
    assert "# As exported, unchecked: 'height': Value 99999 bigger than max of 16384\n" in text
    assert (
        "# As exported, unchecked: 'sampler_name': sampler_name: 'no such sampler' not in" in text
    )
    assert 'empty_image = unchecked_node(\n    "EmptyImage",\n    {\n        "width": 8,' in text
    assert 'SaveImage(images=empty_image.out.IMAGE, filename_prefix="x", id=3)' in text
    assert identical(prompt, back)


def test_a_required_widget_left_out_or_a_missing_link_stays_as_exported(tmp_path: Path) -> None:
    prompt = {
        "1": node("EmptyImage", width=8),  # height left out: a call would fill it in
        "2": node("SaveImage", filename_prefix="x"),  # images missing: compiling refuses it
        "3": node("ImageInvert"),  # not run by the server, but a typed call needs its image
    }
    text, back = written(prompt, tmp_path, keep_ids=True)
    assert "a call would add 'height' = 512" in text
    assert "it lacks the required 'images', which a call needs" in text
    assert 'unchecked_node("ImageInvert", {}, id=3)' in text
    assert identical(prompt, back)


def test_meta_beyond_the_title_and_lists_are_kept(tmp_path: Path) -> None:
    image = node("EmptyImage", width=8, height=8, batch_size=1, color=0)
    core = {"cnr_id": "comfy-core", "ver": "0.3.75"}
    prompt: Prompt = {
        "1": {**image, "_meta": {"title": "Empty", **core}},
        "2": {**node("ImageInvert", image=["1", 0]), "_meta": {"title": "Invert", **core}},
        "3": {**node("Some Node", pair={"__value__": [1, 2]}), "_meta": {"title": 5}},
        "4": node("Some Node", many=[1, 2, 3], nan=float("nan")),
        "5": {**node("Some Node"), "_meta": {}},
    }
    text, back = written(prompt, tmp_path, keep_ids=True)
    assert 'COMFY_CORE = {"cnr_id": "comfy-core", "ver": "0.3.75"}' in text
    assert 'EDITOR_META = {"title": 5}' in text
    assert (
        'empty = with_meta(EmptyImage(width=8, height=8, title="Empty", id=1), COMFY_CORE)' in text
    )
    assert 'with_meta(ImageInvert(image=empty.IMAGE, title="Invert", id=2), COMFY_CORE)' in text
    assert "meta=EDITOR_META" in text, "a title that is not a string: unchecked, _meta whole"
    assert 'unchecked_node("Some Node", {}, id=5, meta=EDITOR_META_2)' in text, "an empty _meta"
    assert '"pair": {"__value__": [1, 2]}' in text
    assert '"many": [1, 2, 3]' in text, "a bare list cannot go through a call: unchecked"
    assert 'float("nan")' in text
    assert json.dumps(prompt, sort_keys=True) == json.dumps(back, sort_keys=True)
    assert ["title", "cnr_id", "ver"] == list(back["1"]["_meta"]), "the editor's order of keys"


def test_a_wrapped_list_is_written_as_the_list(tmp_path: Path) -> None:
    prompt = {"1": node("Some Node", pair={"__value__": [1, 2]})}
    text, back = written(prompt, tmp_path, keep_ids=True)
    assert 'Node("Some Node", pair=[1, 2], id=1)' in text
    assert identical(prompt, back)


def test_names_never_clash_nor_hide_a_builtin(tmp_path: Path) -> None:
    prompt = {
        "1": node("EmptyImage", "print", width=8, height=8),
        "2": node("ImageInvert", "print", image=["1", 0]),
        "3": node("ImageInvert", "class", image=["2", 0]),
        "4": node("ImageInvert", "Node", image=["3", 0]),
        "5": node("ImageInvert", "名前", image=["4", 0]),
        "6": node("SaveImage", images=["5", 0]),
    }
    text, back = written(prompt, tmp_path)
    for variable in ("print_2 =", "print_3 =", "class_ =", "node =", "image_invert ="):
        assert variable in text
    assert compare(prompt, back, titles=True).same


CUSTOM: dict[str, Any] = {
    "Node": {"input": {"required": {"x": ["INT", {"default": 1}]}}, "output": ["IMAGE"]},
    "Titled": {
        "input": {"required": {"title": ["STRING"], "3D Model Path": ["STRING"]}},
        "output": ["MODEL", "INT"],
        "output_name": ["id", "__class__"],
    },
}


def test_a_class_named_like_the_scripts_own_names_and_odd_inputs(tmp_path: Path) -> None:
    prompt = {
        "1": node("Node", x=5),
        "2": node("Titled", "the node", title="the input", **{"3D Model Path": "m.glb"}),
        "3": node("Some Node", a=["2", 0], b=["2", 1]),
    }
    with use_catalog(Catalog(CUSTOM, source="custom")):
        text, back = written(prompt, tmp_path, keep_ids=True)
    assert 'Node("Node", x=5, id=1)' in text
    assert 'the_node = Titled(title="the input", _3D_Model_Path="m.glb", id=2)' in text
    assert 'the_node.title = "the node"' in text
    assert "a=the_node.out.id, b=the_node[1]" in text
    assert identical(prompt, back)


@pytest.mark.parametrize(
    ("prompt", "said"),
    [
        ({"1": node("A", x=["9", 0])}, "input 'x': ['9', 0] reads as a link that cannot be"),
        ({"1": {**node("A"), "is_changed": "x"}}, "its key 'is_changed', which no node call sets"),
        ({"1": {**node("A"), "_meta": "t"}}, "its _meta is not an object (str)"),
        ({"1": {"class_type": "A", "inputs": 5}}, "its inputs is not an object (int)"),
    ],
    ids=["a link to a missing node", "a key besides inputs", "an odd _meta", "odd inputs"],
)
def test_what_no_call_can_make_is_refused_by_name(prompt: Prompt, said: str) -> None:
    with pytest.raises(ScriptWriteError, match=r"node '1' \(A\)") as caught:
        to_script(load_prompt(prompt))
    assert said in str(caught.value)


def test_a_loop_cannot_be_written() -> None:
    prompt = {"1": node("A", x=["2", 0]), "2": node("B", y=["1", 0])}
    with pytest.raises(ScriptWriteError, match=r"links form a loop \(.*A#1.*B#2"):
        to_script(load_prompt(prompt))


def test_a_workflow_built_in_python_is_written_too(tmp_path: Path) -> None:
    with Workflow() as wf:
        SaveImage(images=ImageInvert(image=EmptyImage(width=64, height=64)), title="out")
    text = to_script(wf)
    path = tmp_path / "again.py"
    path.write_text(text, encoding="utf-8")
    assert identical(wf.to_api(), load_script_workflow(path).to_api())


def test_the_header_names_the_origin_and_the_command_as_comments() -> None:
    text = to_script(
        load_prompt(TXT2IMG), origin="a\nb.json", command="comfydsl import 'a\nb.json'"
    )
    header = text.split("\n\n", 1)[0].splitlines()
    assert all(line.startswith("# ") for line in header)
    assert "imported from a\\nb.json" in header[0]
    assert "Made by: comfydsl import 'a\\nb.json'" == header[1][2:]
