"""The pictures' colours are the editor's: read from the editor comfydsl targets, as it ships."""

from __future__ import annotations

import re

import pytest
from editor_assets import VERSION, editor_assets

from comfydsl.picture import palette


@pytest.fixture(scope="module")
def palettes() -> str:
    found = editor_assets(r"colorPaletteTheme-[\w-]+\.js")
    assert 1 == len(found), f"editor {VERSION}: expected one palette file, found {sorted(found)}"
    return next(iter(found.values()))


def _entries(text: str) -> dict[str, str]:
    return dict(re.findall(r"([\w-]+):`([^`]*)`", text))


def _dark(palettes: str) -> tuple[dict[str, str], dict[str, str]]:
    found = re.search(
        r"id:`dark`,name:`[^`]*`,colors:\{node_slot:\{(?P<slots>[^}]*)\},"
        r"litegraph_base:\{(?P<base>[^}]*)\}",
        palettes,
    )
    assert found is not None, "the palette 'dark' is not where it was in the editor's file"
    return _entries(found["slots"]), _entries(found["base"])


def test_link_colours_are_the_default_palettes(palettes: str) -> None:
    slots, _ = _dark(palettes)
    assert slots == palette.NODE_SLOT_COLORS


def test_node_widget_and_error_colours_are_the_default_palettes(palettes: str) -> None:
    _, base = _dark(palettes)
    assert {key: base[key] for key in palette.LITEGRAPH_BASE} == palette.LITEGRAPH_BASE


def test_the_default_palette_is_dark_and_untyped_links_take_link_color() -> None:
    scripts = editor_assets(r"[\w-]+\.js")
    text = "\n".join(scripts.values())
    default = re.search(r"id:`Comfy\.ColorPalette`[^}]*?defaultValue:`(\w+)`", text)
    assert default is not None and "dark" == default[1]
    # The canvas draws a link in the colour of its type's key, else its default link colour,
    # which the palette's LINK_COLOR sets.
    assert re.search(
        r"link_type_colors\[slotTypeKey\(\w+\.type\)\]\|\|this\.default_link_color", text
    )
    assert re.search(r"default_link_color=\w+\.LINK_COLOR", text)


def test_a_list_type_takes_the_colour_of_its_joined_key() -> None:
    assert "IMAGE" == palette.type_key(["IMAGE"])
    assert "#64B5F6" == palette.link_color(["IMAGE"])
    assert "#99AA99" == palette.link_color("IMAGE,MASK") == palette.link_color(None)
