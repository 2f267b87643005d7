"""Pictures drawn by the real Graphviz: every text shown as it is meant to be, none able to break
the DOT source, links in the editor's colours, problems marked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from strategies import PicturePlan, build_picture, picture_plans
from svg_reading import Drawing, read_svg

from comfydsl import Node, Workflow, load_prompt
from comfydsl.catalog import use_packs
from comfydsl.cli.script import load_script_workflow
from comfydsl.errors import NodeError
from comfydsl.nodes import EmptyImage, ImageInvert, LoadImage, SaveImage
from comfydsl.picture import render, run_dot, to_dot
from comfydsl.picture.dot import scene_dot
from comfydsl.picture.scene import make_scene


@given(picture_plans())
def test_no_text_breaks_the_dot_source_and_each_shows_as_meant(plan: PicturePlan) -> None:
    workflow, problems = build_picture(plan)
    scene = make_scene(workflow, problems)
    source = scene_dot(scene)
    drawing = read_svg(run_dot(source, "svg"))  # raises if dot rejects the source
    # Nothing added or lost: one drawn node per card, one edge per link.
    assert sorted(card.key for card in scene.cards) == sorted(drawing.nodes)
    assert len(scene.wires) == len(drawing.edge_colors)
    for card in scene.cards:
        texts = drawing.nodes[card.key]
        shown = [card.title or '""', card.subtitle or '""']
        shown += [row.value or '""' for row in card.widgets]
        shown += [slot.name or '""' for slot in (*card.inputs, *card.outputs)]
        shown += [f"⚠ {problem}" for problem in card.problems]
        # Graphviz draws a run of text apart from the mark or space beside it, and writes
        # spaces as no-break spaces: compare without the spaces around, either space as one.
        drawn = {text.strip(" ") for text in texts}
        missing = [t for t in shown if t.replace("\xa0", " ").strip(" ") not in drawn]
        assert [] == missing, f"{card.key}: not shown as meant: {missing!r}; drawn: {texts!r}"


ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))


def draw(workflow: Workflow, problems: list[NodeError] | None = None) -> Drawing:
    return read_svg(render(workflow, problems=problems))


def test_a_title_made_to_inject_dot_stays_a_title() -> None:
    attack = '"];e[shape=box];</TD></TABLE>>];f[label=<\\N&#92;'
    assert len(attack) <= 48  # shown whole
    with Workflow() as wf:
        EmptyImage(width=8, height=8, title=attack)
    drawing = draw(wf)
    assert ["n0"] == list(drawing.nodes)
    assert attack in drawing.nodes["n0"], drawing.nodes["n0"]


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("line one\nline two", "line one\\nline two"),
        ("nul\x00here", "nul\\x00here"),
        ("lone \udc80 surrogate", "lone \\udc80 surrogate"),
        ("\u202eevil", "\\u202eevil"),
        ('"quoted" <b>&amp;</b> \\N', '"quoted" <b>&amp;</b> \\N'),
        ("x" * 100_000, "x" * 48 + "… (100,000 characters)"),
        ("", '""'),
        (10**5000, "(a whole number of about 5,001 digits)"),
        (1.5, "1.5"),
        (True, "true"),
        (None, "null"),
        ({"a": [1, "b"]}, '{"a": [1, "b"]}'),
    ],
    ids=[
        "newline",
        "NUL",
        "lone surrogate",
        "bidi override",
        "quotes and markup",
        "huge",
        "empty",
        "huge int",
        "float",
        "bool",
        "null",
        "object",
    ],
)
def test_each_kind_of_value_is_shown_readably(value: Any, shown: str) -> None:
    with Workflow() as wf:
        node = Node("SomePackNode")
    node.inputs["value"] = value  # as a file read may hold it (the calls refuse some of these)
    texts = draw(wf).nodes["n0"]
    assert shown in texts, texts


def test_a_local_file_is_shown_by_its_name(tmp_path: Path) -> None:
    with Workflow() as wf:
        LoadImage(image=tmp_path / "cat.png")
    texts = draw(wf).nodes["n0"]
    assert "cat.png (local file)" in texts, texts


def test_a_node_shows_its_class_title_id_sockets_outputs_and_widgets() -> None:
    with Workflow() as wf:
        image = EmptyImage(width=64, height=48, id="src")
        SaveImage(images=ImageInvert(image=image), filename_prefix="inv", title="Keep it")
    drawing = draw(wf)
    assert {"EmptyImage", "#src", "IMAGE", "width", "64", "height", "48"} <= {
        t.strip() for t in drawing.nodes["n0"]
    }
    assert {"Keep it", "SaveImage #2", "images", "filename_prefix", "inv"} <= {
        t.strip() for t in drawing.nodes["n2"]
    }


def test_links_take_the_editors_colour_of_their_type() -> None:
    # The colours of the editor's default palette, as it draws links (comfyui-frontend 1.58.1).
    expected = {
        "MODEL": "#b39ddb",
        "CLIP": "#ffd500",
        "VAE": "#ff6e6e",
        "CONDITIONING": "#ffa931",
        "LATENT": "#ff9cf9",
        "IMAGE": "#64b5f6",
    }
    source = ROOT / "examples" / "txt2img.py"
    workflow = load_script_workflow(source)
    scene = make_scene(workflow)
    drawing = read_svg(run_dot(scene_dot(scene), "svg"))
    assert len(scene.wires) == len(drawing.edge_colors) == 9
    assert [expected[wire.type].upper() for wire in scene.wires] == [w.color for w in scene.wires]
    assert sorted(expected[wire.type] for wire in scene.wires) == sorted(drawing.edge_colors)


def test_a_link_of_a_type_without_a_colour_is_drawn_in_the_default_link_colour() -> None:
    with Workflow() as wf:
        number = Node("SomeIntNode")
        EmptyImage(width=number[0])
    (wire,) = make_scene(wf).wires
    assert ("#99AA99", "") == (wire.color, wire.type)
    assert ["#99aa99"] == draw(wf).edge_colors


def test_nodes_with_problems_are_outlined_in_red_and_say_what_is_wrong() -> None:
    workflow = load_prompt(
        {
            "1": {
                "inputs": {"width": 0, "height": 64, "batch_size": 1, "color": 0},
                "class_type": "EmptyImage",
            },
            "2": {
                "inputs": {"images": ["1", 0], "filename_prefix": "x"},
                "class_type": "SaveImage",
            },
            "3": {"inputs": {}, "class_type": "NoSuchNode"},
        }
    )
    problems = workflow.check()
    assert {"1", "3"} == {p.node_id for p in problems}
    drawing = draw(workflow, problems)
    assert "#ee0000" in drawing.node_outlines["n0"] and "#ee0000" in drawing.node_outlines["n2"]
    assert "#ee0000" not in drawing.node_outlines["n1"]
    assert any(t.startswith("⚠ width: Value 0 smaller than min of 1") for t in drawing.nodes["n0"])
    assert any("NoSuchNode does not exist" in t for t in drawing.nodes["n2"])


def test_a_required_widget_without_a_value_is_listed_as_a_problem() -> None:
    with Workflow() as wf:
        node = Node("EmptyImage")
        SaveImage(images=node)
    node.inputs.pop("width")
    texts = draw(wf).nodes["n0"]
    assert "(no value)" in texts and any(t.startswith("⚠ width: Required input") for t in texts)


def test_a_link_to_a_node_of_another_workflow_leads_to_a_stand_in() -> None:
    with Workflow():
        elsewhere = EmptyImage(width=8, height=8)
    with Workflow() as wf:
        save = SaveImage(images=EmptyImage(width=8, height=8))
    del wf.nodes["1"]
    save.inputs["images"] = (
        elsewhere.IMAGE
    )  # the calls refuse it; a workflow changed by hand may not
    drawing = draw(wf, [])
    assert {"n0", "x0"} == set(drawing.nodes)
    assert any("not in the workflow" in t for t in drawing.nodes["x0"])
    assert "#ee0000" in drawing.node_outlines["x0"]


def test_the_outputs_of_an_unknown_class_are_those_its_links_use() -> None:
    with Workflow() as wf:
        pack = Node("PackLoader")
        EmptyImage(width=pack[2], height=pack[0])
    card = make_scene(wf, []).cards[0]
    assert ["output 0", "output 2"] == [slot.name for slot in card.outputs]


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
@pytest.mark.parametrize("kind", ["svg", "png"])
def test_every_example_is_drawn(example: Path, kind: str) -> None:
    with use_packs("all"):
        workflow = load_script_workflow(example)
        picture = render(workflow, kind)
    magic = b"\x89PNG\r\n\x1a\n" if kind == "png" else b"<?xml"
    assert picture.startswith(magic)
    if kind == "svg":
        assert len(workflow) == len(read_svg(picture).nodes)


def test_the_dot_source_is_the_same_every_time() -> None:
    workflow = load_script_workflow(ROOT / "examples" / "sdxl_unclip_controlnet.py")
    assert to_dot(workflow) == to_dot(
        load_script_workflow(ROOT / "examples" / "sdxl_unclip_controlnet.py")
    )
