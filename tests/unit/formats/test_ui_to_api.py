"""The conversion where the real editor cannot answer (tests/editor/ covers the rest): nodes of
packs the test server does not have (KJNodes' SetNode/GetNode, rgthree's reroute,
VideoHelperSuite's object of widget values), classes no catalog knows, graphs the editor
refuses, and what a loaded Workflow keeps."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ui_cases import UIBuilder, case_nested_promotion, case_txt2img, sampler_graph

from comfydsl import Workflow, load_workflow
from comfydsl.catalog import Catalog, bundled_catalog, load_catalog
from comfydsl.errors import WorkflowFormatError
from comfydsl.formats.ui_to_api import ui_to_prompt

DATA = Path(__file__).resolve().parents[2] / "data"
PACKS = bundled_catalog().merged(
    load_catalog(DATA / "reference" / "object_info-custom-packs-controlnet_aux-vhs.json")
)


def inputs_of(prompt: dict[str, Any], node_id: str) -> dict[str, Any]:
    found: dict[str, Any] = prompt[node_id]["inputs"]
    return found


def test_the_prompt_of_a_small_workflow() -> None:
    prompt = load_workflow(case_txt2img()).to_api()
    assert {
        "seed": 42,
        "steps": 20,
        "cfg": 7,
        "sampler_name": "euler",
        "scheduler": "normal",
        "denoise": 1,
        "model": ["1", 0],
        "positive": ["2", 0],
        "negative": ["3", 0],
        "latent_image": ["4", 0],
    } == inputs_of(prompt, "5")
    assert ["seed", "steps", "cfg", "sampler_name", "scheduler", "denoise", "model"] == list(
        inputs_of(prompt, "5")
    )[:7]


def test_nodes_keep_the_files_ids_and_titles() -> None:
    wf = UIBuilder()
    parts = sampler_graph(wf)
    parts["sampler"]["title"] = "My sampler"
    parts["sampler"]["properties"] = {"cnr_id": "comfy-core", "ver": "0.3.75"}
    workflow = load_workflow(wf.build())
    assert isinstance(workflow, Workflow)
    node = workflow["5"]
    assert ("5", "My sampler", "KSampler") == (node.id, node.title, node.class_type)
    assert {"title": "My sampler", "cnr_id": "comfy-core", "ver": "0.3.75"} == node.meta
    assert "Load Checkpoint" == workflow["1"].title  # the definition's display name
    assert workflow["5"].inputs["model"] is workflow["1"].MODEL


def set_get_workflow(name: str = "model", getter_name: str = "model") -> UIBuilder:
    wf = UIBuilder()
    parts = sampler_graph(wf)
    setter = wf.node(
        "SetNode", [name], inputs=[("MODEL", "MODEL")], outputs=[("*", "*")], title=f"Set_{name}"
    )
    getter = wf.node("GetNode", [getter_name], outputs=[("MODEL", "MODEL")])
    wf.link(parts["ckpt"], 0, setter, "MODEL")
    sampler = parts["sampler"]
    for slot in sampler["inputs"]:
        if slot["name"] == "model":
            wf.links = [x for x in wf.links if x["id"] != slot["link"]]
            slot["link"] = None
    wf.link(getter, 0, sampler, "model")
    return wf


def test_a_get_node_reads_what_its_set_node_is_fed() -> None:
    prompt = load_workflow(set_get_workflow().build()).to_api()
    assert ["1", 0] == inputs_of(prompt, "5")["model"]
    assert {"SetNode", "GetNode"}.isdisjoint(n["class_type"] for n in prompt.values())


def test_a_get_node_without_its_set_node_is_reported() -> None:
    with pytest.raises(WorkflowFormatError) as caught:
        load_workflow(set_get_workflow(getter_name="modle").build())
    assert ["node 7 (GetNode): GetNode 'modle' has no SetNode of that name in its graph"] == (
        caught.value.problems
    )


def test_two_set_nodes_of_one_name_are_reported() -> None:
    wf = set_get_workflow()
    wf.node("SetNode", ["model"], inputs=[("MODEL", "MODEL")], outputs=[("*", "*")])
    with pytest.raises(WorkflowFormatError, match="a second SetNode named 'model'"):
        load_workflow(wf.build())


def test_rgthree_reroutes_pass_links_through() -> None:
    wf = UIBuilder()
    parts = sampler_graph(wf)
    reroute = wf.node("Reroute (rgthree)", inputs=[("", "*")], outputs=[("", "*")])
    wf.link(parts["sampler"], 0, reroute, "")
    decode = wf.node("VAEDecode")
    wf.link(reroute, 0, decode, "samples")
    wf.link(parts["ckpt"], 2, decode, "vae")
    prompt = load_workflow(wf.build()).to_api()
    assert ["5", 0] == inputs_of(prompt, str(decode["id"]))["samples"]
    assert "Reroute (rgthree)" not in {n["class_type"] for n in prompt.values()}


def test_reroutes_in_a_loop_are_reported_not_followed_forever() -> None:
    wf = UIBuilder()
    first = wf.node("Reroute", inputs=[("", "*")], outputs=[("", "*")])
    second = wf.node("Reroute", inputs=[("", "*")], outputs=[("", "*")])
    wf.link(first, 0, second, "")
    wf.link(second, 0, first, "")
    save = wf.node("SaveImage", ["ComfyUI"])
    wf.link(second, 0, save, "images")
    with pytest.raises(WorkflowFormatError) as caught:
        load_workflow(wf.build())
    assert ["node 3 (SaveImage): input 'images': its link loops back through node 2 (Reroute)"] == (
        caught.value.problems
    )


def test_bypassed_nodes_in_a_loop_are_reported() -> None:
    wf = UIBuilder()
    first = wf.node("ImageInvert", mode=4)
    second = wf.node("ImageInvert", mode=4)
    wf.link(first, 0, second, "image")
    wf.link(second, 0, first, "image")
    save = wf.node("SaveImage", ["ComfyUI"])
    wf.link(second, 0, save, "images")
    with pytest.raises(WorkflowFormatError, match="loops back through node"):
        load_workflow(wf.build())


def test_an_object_of_widget_values_names_them() -> None:
    """VideoHelperSuite saves its widgets by name, with a format's own widgets among them."""
    wf = UIBuilder(PACKS)
    image = wf.node("LoadImage", ["cat.png", "image"])
    combine = wf.node(
        "VHS_VideoCombine",
        {
            "frame_rate": 12,
            "loop_count": 0,
            "filename_prefix": "clip",
            "format": "video/h264-mp4",
            "pix_fmt": "yuv420p",
            "crf": 19,
            "save_metadata": True,
            "pingpong": False,
            "save_output": True,
            "videopreview": {"hidden": False, "params": {}},
        },
    )
    wf.link(image, 0, combine, "images")
    prompt = ui_to_prompt(wf.build(), catalog=PACKS)
    inputs = inputs_of(prompt, "2")
    assert {
        "frame_rate": 12,
        "loop_count": 0,
        "filename_prefix": "clip",
        "format": "video/h264-mp4",
        "pix_fmt": "yuv420p",
        "crf": 19,
        "save_metadata": True,
        "pingpong": False,
        "save_output": True,
        "trim_to_audio": False,  # a widget of the format that the file does not have
        "images": ["1", 0],
    } == inputs


def test_a_format_adds_its_widgets_after_the_combo_in_a_list_too() -> None:
    wf = UIBuilder(PACKS)
    image = wf.node("LoadImage", ["cat.png", "image"])
    combine = wf.node(
        "VHS_VideoCombine",
        [8, 0, "clip", "video/h264-mp4", "yuv420p", 19, True, False, True],
    )
    wf.link(image, 0, combine, "images")
    inputs = inputs_of(ui_to_prompt(wf.build(), catalog=PACKS), "2")
    assert ["frame_rate", "loop_count", "filename_prefix", "format", "pix_fmt", "crf"] == list(
        inputs
    )[:6]
    # h264-mp4's widgets (pix_fmt, crf, save_metadata, trim_to_audio) take the four values
    # after the format; pingpong and save_output come after them.
    assert (19, True, False, True, True) == (
        inputs["crf"],
        inputs["save_metadata"],
        inputs["trim_to_audio"],
        inputs["pingpong"],
        inputs["save_output"],
    )


def test_a_class_no_catalog_knows_is_named_by_its_widgets_values_named() -> None:
    wf = UIBuilder()
    node = wf.node("FancyPackNode", [7, "randomize", "cat"], outputs=[("IMAGE", "IMAGE")])
    node["widgets_values_named"] = {"seed": 7, "control_after_generate": "randomize", "text": "cat"}
    save = wf.node("SaveImage", ["ComfyUI"])
    wf.link(node, 0, save, "images")
    prompt = load_workflow(wf.build()).to_api()
    assert {"seed": 7, "text": "cat"} == inputs_of(prompt, "1")
    assert "FancyPackNode" == prompt["1"]["class_type"]


def test_a_class_no_catalog_knows_without_names_is_reported_with_every_other() -> None:
    wf = UIBuilder()
    wf.node("FancyPackNode", [7, "cat"])
    wf.node("OtherPackNode", {"strength": 0.5})  # named by its own object: fine
    wf.node("ThirdPackNode", [])  # nothing to name: fine
    wf.node("FourthPackNode", ["x"])
    with pytest.raises(WorkflowFormatError) as caught:
        load_workflow(wf.build())
    assert [
        "node 1 (FancyPackNode): the class is not in the catalog, so its 2 widget value(s) "
        "cannot be named (load the definitions of its node pack with --catalog)",
        "node 4 (FourthPackNode): the class is not in the catalog, so its 1 widget value(s) "
        "cannot be named (load the definitions of its node pack with --catalog)",
    ] == caught.value.problems


def test_a_subgraph_output_wired_straight_from_an_input_is_followed() -> None:
    """The editor 1.58 cannot queue this ("No output node found"); the wiring says what it
    means, and comfydsl follows it: the second output is the instance's image input."""
    prompt = load_workflow(case_nested_promotion(pass_through=True)).to_api()
    saves = [n for n in prompt.values() if n["class_type"] == "SaveImage"]
    first, second = (n["inputs"]["images"] for n in saves)
    assert (True, ["20", 0]) == (first[0].startswith("21:") and first[0].endswith(":1"), second)


def test_values_python_cannot_write_as_json_are_reported() -> None:
    workflow = case_txt2img()
    workflow["nodes"][1]["widgets_values"] = ["\ud800 lone surrogate"]
    loop: list[Any] = []
    loop.append(loop)
    workflow["nodes"][2]["widgets_values"] = [loop]
    with pytest.raises(WorkflowFormatError) as caught:
        load_workflow(workflow)
    assert [
        "node 2 (CLIPTextEncode): 'widgets_values': the string has a character that is not "
        "UTF-8 ('\\ud800' at position 0, a lone surrogate)",
        "node 3 (CLIPTextEncode): 'widgets_values': a list or object contains itself",
    ] == caught.value.problems


def test_a_legacy_group_node_is_reported_not_sent_as_a_class() -> None:
    wf = UIBuilder()
    image = wf.node("LoadImage", ["cat.png", "image"])
    group = wf.node("workflow>blur and save", [3, 1.0, "ComfyUI"], inputs=[("image", "IMAGE")])
    wf.link(image, 0, group, "image")
    workflow = wf.build()
    workflow["extra"]["groupNodes"] = {"blur and save": {"nodes": [], "links": [], "external": []}}
    with pytest.raises(WorkflowFormatError) as caught:
        load_workflow(workflow)
    assert [
        "node 2 (workflow>blur and save): a legacy group node, which comfydsl does not open: "
        "in the editor, convert it to a subgraph and save the workflow again"
    ] == caught.value.problems


#: Definitions the test server lacks (its ComfyUI has no torchaudio), as a server that has them
#: describes them, and a combo that asks for "control after generate".
EXTRA = Catalog(
    {
        "LoadAudio": {
            "input": {"required": {"audio": [["long_demo.mp3"], {"audio_upload": True}]}},
            "output": ["AUDIO"],
            "output_name": ["AUDIO"],
        },
        "SaveAudioMP3": {
            "input": {
                "required": {
                    "audio": ["AUDIO"],
                    "filename_prefix": ["STRING", {"default": "audio/ComfyUI"}],
                    "quality": [["V0", "128k", "320k"], {"default": "V0"}],
                }
            },
            "output": [],
            "output_node": True,
        },
        "PickStyle": {
            "input": {
                "required": {
                    "style": [["a", "b", "c"], {"control_after_generate": True}],
                    "strength": ["FLOAT", {"default": 1.0}],
                }
            },
            "output": ["STRING"],
        },
    },
    source="test",
)


def test_audio_nodes_send_their_player_as_the_editor_does() -> None:
    catalog = bundled_catalog().merged(EXTRA)
    wf = UIBuilder(catalog)
    load = wf.node("LoadAudio", ["long_demo.mp3", None, None])
    save = wf.node("SaveAudioMP3", ["audio/mine", "320k"])
    wf.link(load, 0, save, "audio")
    prompt = ui_to_prompt(wf.build(), catalog=catalog)
    assert {"audio": "long_demo.mp3", "audioUI": ""} == inputs_of(prompt, "1")
    assert {
        "filename_prefix": "audio/mine",
        "quality": "320k",
        "audioUI": "",
        "audio": ["1", 0],
    } == inputs_of(prompt, "2")


def test_a_combo_with_control_after_generate_stores_two_values_after_it() -> None:
    catalog = bundled_catalog().merged(EXTRA)
    wf = UIBuilder(catalog)
    wf.node("PickStyle", ["b", "randomize", "", 0.5])
    assert {"style": "b", "strength": 0.5} == inputs_of(
        ui_to_prompt(wf.build(), catalog=catalog), "1"
    )
