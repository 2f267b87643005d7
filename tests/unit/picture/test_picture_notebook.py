"""What a notebook shows for a workflow: its SVG picture; a table of its nodes without Graphviz
or for a workflow too large to draw; never an error."""

from __future__ import annotations

from pathlib import Path

import pytest
from svg_reading import read_svg

from comfydsl import Node, Workflow, load_prompt
from comfydsl.nodes import EmptyImage, ImageInvert, SaveImage
from comfydsl.picture import DOT_ENV, notebook, to_html


def pipeline() -> Workflow:
    with Workflow() as wf:
        image = EmptyImage(width=64, height=48, title="<script>alert(1)</script>")
        SaveImage(images=ImageInvert(image=image), filename_prefix="inverted")
    return wf


def test_a_workflow_shows_as_its_svg_picture() -> None:
    bundle = pipeline()._repr_mimebundle_()
    assert ["image/svg+xml"] == list(bundle)
    svg = bundle["image/svg+xml"]
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    drawing = read_svg(svg.encode())
    assert 3 == len(drawing.nodes) and ["#64b5f6", "#64b5f6"] == drawing.edge_colors
    assert "<script>alert(1)</script>" in drawing.nodes["n0"]  # as text, escaped in the SVG
    assert "<script>" not in svg


def test_without_graphviz_it_shows_a_table_that_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv(DOT_ENV, raising=False)
    bundle = pipeline()._repr_mimebundle_()
    assert ["text/html"] == list(bundle)
    page = bundle["text/html"]
    assert "no picture: drawing a picture needs Graphviz's dot program" in page
    assert "apt-get install graphviz" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>" not in page
    assert "filename_prefix = inverted" in page and "width = 64" in page
    assert "← &lt;script&gt;alert(1)&lt;/script&gt; (EmptyImage #1).IMAGE" in page
    assert "← Invert Image (ImageInvert #2).IMAGE" in page


def test_the_table_marks_problems() -> None:
    workflow = load_prompt(
        {"1": {"inputs": {"images": ["2", 0]}, "class_type": "SaveImage"},
         "2": {"inputs": {}, "class_type": "NoSuchNode"}}
    )  # fmt: skip
    page = to_html(workflow)
    assert "2 problems" in page and "NoSuchNode does not exist" in page
    assert "filename_prefix: Required input is missing" in page


def test_a_workflow_too_large_to_draw_shows_as_a_table(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(notebook, "MAX_DRAWN_NODES", 2)
    bundle = pipeline()._repr_mimebundle_()
    assert ["text/html"] == list(bundle)
    assert "3 nodes are more than a notebook draws (2)" in bundle["text/html"]


def test_a_failing_graphviz_shows_the_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "dot"
    broken.write_text("#!/bin/sh\necho 'Error: out of memory' >&2\nexit 2\n", encoding="utf-8")
    broken.chmod(0o755)
    monkeypatch.setenv(DOT_ENV, str(broken))
    page = pipeline()._repr_mimebundle_()["text/html"]
    assert (
        "no picture: Graphviz&#x27;s dot failed" in page
        or "no picture: Graphviz's dot failed" in page
    )
    assert "Error: out of memory" in page


def test_the_repr_never_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(notebook, "make_scene", broken)
    bundle = pipeline()._repr_mimebundle_()
    assert {"text/plain": "<Workflow: 3 nodes> (cannot be shown: RuntimeError: boom)"} == bundle


def test_an_empty_workflow_and_an_untyped_one_show_too() -> None:
    assert "image/svg+xml" in Workflow()._repr_mimebundle_()
    with Workflow() as wf:
        Node("SomePackNode", extra_inputs={"x": "\x00"})
    assert "image/svg+xml" in wf._repr_mimebundle_()
