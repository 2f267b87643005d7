"""The node sizes of exported workflows (comfydsl.formats.node_size) against the real editor.

For every class of the bundled catalog and of the two node packs, the editor makes a fresh node:
the size it gives it is the size an export writes (within what kerning changes in a title), and
never less than the least size the editor keeps when it loads a file (so it grows no node, and
the layout's gaps hold). The character widths of the editor's font are those node_size has.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from export_harness import ExportOracle

from comfydsl.catalog import bundled_catalog, load_catalog
from comfydsl.formats.editor import editor_node
from comfydsl.formats.node_size import INTER_14, node_size

ROOT = Path(__file__).resolve().parents[2]
CATALOG = bundled_catalog().merged(
    load_catalog(
        ROOT / "tests" / "data" / "reference" / "object_info-custom-packs-controlnet_aux-vhs.json"
    )
)
CLASSES = sorted(CATALOG.names())
CHARS = [chr(code) for code in range(32, 127)]
#: A title's real width is its characters' widths less the kerning of some pairs: up to six
#: pixels over a long title ("HunyuanVideo15ImageToVideo"), and node_size adds two.
KERNING = 8.0


def pack_widgets(class_type: str) -> bool:
    """Whether the class has widgets that only its pack's JavaScript draws (a ``widgetType`` the
    editor does not know): the editor here, without that JavaScript, draws them not at all."""
    return any("widgetType" in spec.options for spec in CATALOG[class_type].inputs.values())


@pytest.fixture(scope="module")
def fresh(export_oracle: ExportOracle) -> dict[str, Any]:
    return export_oracle.fresh_sizes(CLASSES, CHARS)


def test_the_fonts_widths_are_the_editors(fresh: dict[str, Any]) -> None:
    assert [] == [
        (char, ours, theirs)
        for char, ours, theirs in zip(CHARS, INTER_14, fresh["widths"], strict=True)
        if abs(ours - theirs) > 0.0001
    ]


@pytest.mark.parametrize("class_type", CLASSES)
def test_a_node_is_as_big_as_the_editor_makes_it(class_type: str, fresh: dict[str, Any]) -> None:
    theirs = fresh["nodes"][class_type]
    assert theirs is not None, f"the editor does not know {class_type}"
    definition = CATALOG[class_type]
    width, height = node_size(definition, editor_node(definition), theirs["title"])
    (fresh_width, fresh_height), (least_width, least_height) = theirs["size"], theirs["least"]
    if not pack_widgets(class_type):
        assert fresh_height == height
    if theirs["title"].isascii():
        assert -1 <= width - fresh_width <= KERNING, (width, fresh_width)
    assert math.ceil(width) >= least_width and height >= least_height
