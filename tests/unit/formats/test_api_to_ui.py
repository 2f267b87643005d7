"""Export to the editor's format where no editor is needed to say the answer (tests/editor/ asks
the real one): widget order and the editor's own values, sockets and links, ids, what is lost,
what a workflow read from a file keeps, and that comfydsl reads its own export back."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import pytest
from ui_cases import UIBuilder, case_txt2img, sampler_graph

from comfydsl import Node, Workflow, load_workflow
from comfydsl.catalog import bundled_catalog, load_catalog, use_catalog
from comfydsl.formats.api import load_prompt
from comfydsl.formats.api_to_ui import ExportWarning, export_ui, to_ui
from comfydsl.nodes import (
    CheckpointLoaderSimple,
    CLIPTextEncode,
    EmptyImage,
    ImageInvert,
    KSampler,
    LoadImage,
    PrimitiveInt,
    SaveImage,
)
from comfydsl.version import __version__

DATA = Path(__file__).resolve().parents[2] / "data"
PACKS = bundled_catalog().merged(
    load_catalog(DATA / "reference" / "object_info-custom-packs-controlnet_aux-vhs.json")
)


def without_meta(prompt: dict[str, Any]) -> dict[str, Any]:
    """A prompt without ``_meta`` (a converted prompt titles every node)."""
    return {k: {"inputs": v["inputs"], "class_type": v["class_type"]} for k, v in prompt.items()}


def node_of(ui: dict[str, Any], node_id: Any) -> dict[str, Any]:
    found: dict[str, Any] = next(n for n in ui["nodes"] if n["id"] == node_id)
    return found


def sampler_workflow() -> Workflow:
    with Workflow() as wf:
        ckpt = CheckpointLoaderSimple(ckpt_name="model.safetensors")
        pos = CLIPTextEncode(text="a cat", clip=ckpt.CLIP)
        KSampler(
            model=ckpt.MODEL,
            positive=pos,
            negative=pos,
            latent_image=Node("EmptyLatentImage", width=512, height=512, batch_size=1)[0],
            seed=PrimitiveInt(value=7),
            steps=12,
            id="sampler",
            title="Sampler",
        )
    return wf


def test_widget_values_in_the_editors_order_with_its_own_values() -> None:
    ui = to_ui(sampler_workflow())
    sampler = node_of(ui, "sampler")
    # The seed is linked: its widget keeps its default, and "fixed" follows it.
    assert [0, "fixed", 12, 8, "euler", "simple", 1] == sampler["widgets_values"]
    assert "Sampler" == sampler["title"]
    with Workflow() as wf:
        LoadImage(image="cat.png")
    assert ["cat.png", "image"] == node_of(to_ui(wf), 1)["widgets_values"]


def test_sockets_links_and_their_types() -> None:
    ui = to_ui(sampler_workflow())
    sampler = node_of(ui, "sampler")
    names = [(i["name"], i["type"], i.get("widget")) for i in sampler["inputs"]]
    assert [
        ("model", "MODEL", None),
        ("positive", "CONDITIONING", None),
        ("negative", "CONDITIONING", None),
        ("latent_image", "LATENT", None),
        ("seed", "INT", {"name": "seed"}),
    ] == names
    links = {link[0]: link for link in ui["links"]}
    seed_link = links[sampler["inputs"][4]["link"]]
    assert [4, "sampler", 4, "INT"] == [seed_link[1], seed_link[3], seed_link[4], seed_link[5]]
    ckpt = node_of(ui, 1)
    assert [o["type"] for o in ckpt["outputs"]] == ["MODEL", "CLIP", "VAE"]
    for link_id, origin, slot, target, target_slot, _type in ui["links"]:
        assert link_id in node_of(ui, origin)["outputs"][slot]["links"]
        assert link_id == node_of(ui, target)["inputs"][target_slot]["link"]
    assert len(ui["links"]) == ui["last_link_id"]


def test_ids_numbers_and_strings() -> None:
    ui = to_ui(sampler_workflow())
    assert [1, 2, 3, 4, "sampler"] == [n["id"] for n in ui["nodes"]]
    assert 4 == ui["last_node_id"]


def test_what_the_editor_cannot_hold_is_reported() -> None:
    prompt = {
        "1": {"inputs": {"image": "a.png", "upload": "image"}, "class_type": "LoadImage"},
        "2": {"inputs": {"images": ["1", 0]}, "class_type": "PreviewImage"},
        "3": {"inputs": {"text": 5, "clip": ["9", 0]}, "class_type": "CLIPTextEncode"},
        "9": {"inputs": {}, "class_type": "CheckpointLoaderSimple"},
        "4": {"inputs": {"model": ["9", 0]}, "class_type": "CLIPVisionEncode"},
    }
    exported = export_ui(load_prompt(prompt))
    found = {(loss.node_id, loss.input, loss.kind, loss.value) for loss in exported.lost}
    assert {
        ("1", "upload", "dropped", None),
        ("3", "text", "as_text", "5"),
        ("9", "ckpt_name", "added", None),
        ("4", "model", "dropped", None),
        ("4", "crop", "added", "center"),
    } == found
    assert all(str(loss).startswith(f"node {loss.node_id} (") for loss in exported.lost)
    with pytest.warns(ExportWarning) as caught:
        to_ui(load_prompt(prompt))
    assert sorted(str(loss) for loss in exported.lost) == sorted(str(w.message) for w in caught)


def test_workflow_to_ui_warns_at_the_callers_line() -> None:
    with Workflow() as wf:
        Node("LoadImage", image="a.png", extra_inputs={"upload": "image"})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ui = wf.to_ui()
    assert [__file__] == [w.filename for w in caught]
    assert ui == export_ui(wf).workflow


def test_the_file_says_who_wrote_it_and_is_the_same_each_time() -> None:
    wf = sampler_workflow()
    ui = to_ui(wf)
    assert {"version": __version__, "source": Path(__file__).name} == ui["extra"]["comfydsl"]
    assert "explicit.py" == to_ui(wf, source="explicit.py")["extra"]["comfydsl"]["source"]
    assert json.dumps(ui) == json.dumps(to_ui(sampler_workflow()))
    assert 0.4 == ui["version"]


def test_a_packs_per_choice_widgets_go_by_name() -> None:
    with use_catalog(PACKS), Workflow() as wf:
        frames = EmptyImage(width=64, height=64)
        Node(
            "VHS_VideoCombine",
            images=frames,
            frame_rate=8,
            format="video/h264-mp4",
            pix_fmt="yuv420p",
            crf=19,
            save_metadata=True,
            trim_to_audio=False,
        )
    exported = export_ui(wf)
    assert [] == exported.lost
    values = node_of(exported.workflow, 2)["widgets_values"]
    assert {"format": "video/h264-mp4", "crf": 19, "pix_fmt": "yuv420p"}.items() <= values.items()
    read = load_workflow(exported.workflow, catalog=PACKS).to_api()
    assert without_meta(wf.to_api()) == without_meta(read)


def test_an_unknown_class_keeps_its_values_in_order_and_by_name() -> None:
    with Workflow() as wf:
        image = EmptyImage(width=8, height=8)
        Node("SomePackNode", image=image, strength=0.5, mode="fast")
    ui = to_ui(wf)
    node = node_of(ui, 2)
    assert [0.5, "fast"] == node["widgets_values"]
    assert {"strength": 0.5, "mode": "fast"} == node["widgets_values_named"]
    assert [("image", "*")] == [(i["name"], i["type"]) for i in node["inputs"]]
    assert without_meta(wf.to_api()) == without_meta(load_workflow(ui).to_api())


def test_comfydsl_reads_its_own_export_back() -> None:
    wf = sampler_workflow()
    assert without_meta(wf.to_api()) == without_meta(load_workflow(to_ui(wf)).to_api())


def test_a_workflow_file_keeps_its_layout_notes_groups_and_controls() -> None:
    builder = UIBuilder()
    parts = sampler_graph(builder, seed=[42, "randomize", 20, 7, "euler", "normal", 1])
    data = builder.build()
    for index, node in enumerate(data["nodes"]):
        node["pos"] = [1000 + 10 * index, 500 + 300 * index]
        node["size"] = [333, 120]
    node_of(data, parts["sampler"]["id"])["color"] = "#223"
    data["groups"] = [{"title": "Prompt", "bounding": [0, 0, 500, 400], "color": "#3f789e"}]
    data["nodes"].append(
        {"id": 99, "type": "Note", "pos": [5, 5], "size": [200, 80], "widgets_values": ["hi"]}
    )
    data["extra"] = {"ds": {"scale": 0.5, "offset": [3, 4]}, "reroutes": [{"id": 1}]}
    workflow = load_workflow(data)
    with workflow:
        SaveImage(images=ImageInvert(image=EmptyImage(width=8, height=8)))
    ui = to_ui(workflow)
    for node in data["nodes"]:
        if node["type"] != "Note":
            assert (node["id"], node["pos"]) == (node["id"], node_of(ui, node["id"])["pos"])
    sampler = node_of(ui, parts["sampler"]["id"])
    assert ("#223", [333, 120]) == (sampler["color"], sampler["size"])
    # Titles that are only the class's display name are the editor's to show.
    assert "title" not in sampler
    assert "randomize" == sampler["widgets_values"][1]
    assert [{"title": "Prompt", "bounding": [0.0, 0.0, 500.0, 400.0], "color": "#3f789e"}] == ui[
        "groups"
    ]
    assert ["hi"] == node_of(ui, 99)["widgets_values"]
    assert {"scale": 0.5, "offset": [3, 4]} == ui["extra"]["ds"]
    assert "reroutes" not in ui["extra"]
    # The new nodes stand below everything the file had.
    bottom = max(n["pos"][1] + n["size"][1] for n in data["nodes"])
    new = [n for n in ui["nodes"] if str(n["id"]) not in {str(m["id"]) for m in data["nodes"]}]
    assert 3 == len(new)
    assert all(n["pos"][1] > bottom for n in new)
    assert without_meta(workflow.to_api()) == without_meta(load_workflow(ui).to_api())


def test_the_editor_model_keeps_layout_loosely() -> None:
    data = case_txt2img()
    data["nodes"][0]["pos"] = {"0": 1, "1": 2}
    data["nodes"][1]["pos"] = ["x", 2]
    data["nodes"][2]["color"] = 7
    data["groups"] = [{"title": "ok", "bounding": [1, 2, 3, 4]}, {"bounding": "no"}, 5]
    ui = to_ui(load_workflow(data))
    assert [1, 2] == node_of(ui, data["nodes"][0]["id"])["pos"]
    assert "color" not in node_of(ui, data["nodes"][2]["id"])
    assert ["ok"] == [g["title"] for g in ui["groups"]]
