"""The editor's colours: links by type, nodes, widgets and errors, as its default palette has them.

Read from the editor comfydsl targets, ``comfyui-frontend-package`` 1.58.1 (PyPI): its
``static/assets/colorPaletteTheme-*.js`` holds the palettes, and the default one (the setting
``Comfy.ColorPalette`` defaults to ``dark``, "Dark (Default)") gives

- ``colors.node_slot``: the colour of each link type. The editor copies it over a table that has
  every known type with an empty colour (``loadLinkColorPalette``), and draws a link in
  ``link_type_colors[slotTypeKey(type)] || default_link_color``, where ``slotTypeKey`` joins a
  list type with commas: a type the palette does not name (INT, STRING, a pack's own type) is
  drawn in ``LINK_COLOR``;
- ``colors.litegraph_base``: the canvas, the node and widget colours, the error outline.

The editor writes colours in CSS short form (``#9A9``); Graphviz knows only the long form, so
they are kept here as ``#99AA99``. tests/unit/picture/test_palette.py reads the shipped editor and
checks every value here against it.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "CANVAS",
    "ERROR",
    "LINK_COLOR",
    "LINK_TYPE_COLORS",
    "NODE_BODY",
    "NODE_OUTLINE",
    "NODE_TEXT",
    "NODE_TITLE_BAR",
    "NODE_TITLE_TEXT",
    "WIDGET_BODY",
    "WIDGET_LABEL",
    "WIDGET_TEXT",
    "link_color",
    "type_key",
]


def _long(color: str) -> str:
    """``#9A9`` as ``#99AA99``; a long form stays as it is."""
    if len(color) == 4:
        return "#" + "".join(c * 2 for c in color[1:]).upper()
    return color.upper()


#: ``colors.node_slot`` of the palette ``dark``, as the editor ships it (short forms kept here as
#: written there; see :func:`link_color` for the long form).
NODE_SLOT_COLORS = {
    "CLIP": "#FFD500",
    "CLIP_VISION": "#A8DADC",
    "CLIP_VISION_OUTPUT": "#ad7452",
    "CONDITIONING": "#FFA931",
    "CONTROL_NET": "#6EE7B7",
    "IMAGE": "#64B5F6",
    "LATENT": "#FF9CF9",
    "MASK": "#81C784",
    "MODEL": "#B39DDB",
    "STYLE_MODEL": "#C2FFAE",
    "VAE": "#FF6E6E",
    "NOISE": "#B0B0B0",
    "GUIDER": "#66FFFF",
    "SAMPLER": "#ECB4B4",
    "SIGMAS": "#CDFFCD",
    "TAESD": "#DCC274",
}

#: ``colors.litegraph_base`` of the palette ``dark``: the entries the pictures use.
LITEGRAPH_BASE = {
    "CLEAR_BACKGROUND_COLOR": "#141414",
    "NODE_TITLE_COLOR": "#999",
    "NODE_TEXT_COLOR": "#AAA",
    "NODE_DEFAULT_COLOR": "#333",
    "NODE_DEFAULT_BGCOLOR": "#353535",
    "NODE_DEFAULT_BOXCOLOR": "#666",
    "NODE_ERROR_COLOUR": "#E00",
    "WIDGET_BGCOLOR": "#222",
    "WIDGET_TEXT_COLOR": "#DDD",
    "WIDGET_SECONDARY_TEXT_COLOR": "#999",
    "LINK_COLOR": "#9A9",
}

#: Each link type's colour, long form.
LINK_TYPE_COLORS = {name: _long(color) for name, color in NODE_SLOT_COLORS.items()}
#: A link whose type has no colour of its own.
LINK_COLOR = _long(LITEGRAPH_BASE["LINK_COLOR"])
#: The canvas behind the nodes.
CANVAS = _long(LITEGRAPH_BASE["CLEAR_BACKGROUND_COLOR"])
#: A node's title bar, its title, its body, its slot labels and its outline.
NODE_TITLE_BAR = _long(LITEGRAPH_BASE["NODE_DEFAULT_COLOR"])
NODE_TITLE_TEXT = _long(LITEGRAPH_BASE["NODE_TITLE_COLOR"])
NODE_BODY = _long(LITEGRAPH_BASE["NODE_DEFAULT_BGCOLOR"])
NODE_TEXT = _long(LITEGRAPH_BASE["NODE_TEXT_COLOR"])
NODE_OUTLINE = _long(LITEGRAPH_BASE["NODE_DEFAULT_BOXCOLOR"])
#: A widget's box, its value and its name.
WIDGET_BODY = _long(LITEGRAPH_BASE["WIDGET_BGCOLOR"])
WIDGET_TEXT = _long(LITEGRAPH_BASE["WIDGET_TEXT_COLOR"])
WIDGET_LABEL = _long(LITEGRAPH_BASE["WIDGET_SECONDARY_TEXT_COLOR"])
#: The outline of a node with an error, and the text that says what is wrong.
ERROR = _long(LITEGRAPH_BASE["NODE_ERROR_COLOUR"])


def type_key(link_type: Any) -> str | None:
    """The editor's key of a slot type (``slotTypeKey``): a list's items joined by commas.

    None for a type that is not known (a node of a class the catalog does not have).
    """
    if isinstance(link_type, (list, tuple)):
        return ",".join(str(item) for item in link_type)
    if isinstance(link_type, str):
        return link_type
    return None


def link_color(link_type: Any) -> str:
    """The colour the editor draws a link of ``link_type`` in (long form, for Graphviz)."""
    key = type_key(link_type)
    return LINK_TYPE_COLORS.get(key, LINK_COLOR) if key is not None else LINK_COLOR
