"""How big ComfyUI's editor (frontend 1.58) draws a node: what an exported workflow gives as ``size``.

The editor sizes a fresh node from its sockets, its widgets and the width of its texts (the title
in ``14px Inter``, socket labels in ``12px Inter``), then adds 60 pixels of width when the node
has widgets so that their values fit; a text box or a Markdown widget asks for at least 400 x 200.
On load it keeps a file's size unless its own minimum (the same rule without the 60) is larger.
This module follows those rules (:func:`node_size`), so that an exported node is drawn exactly
as big as the editor would draw it new, and the layout can keep nodes apart.

How the numbers were measured (each is checked against the real editor by
tests/editor/test_node_sizes.py, which asks it again for every class of the bundled catalog):

- row heights: LiteGraph's constants (title 30, a socket row 20, a widget row 20 plus 4 of
  spacing, 8 below the widgets, 6 of margin); text boxes, Markdown, webcam and 3D viewers take
  50, the text preview of PreviewAny 60 (each widget's ``computeLayoutSize().minHeight``);
- text widths: ``LGraphCanvas._measureText`` of every printable ASCII character in the editor's
  bundled Inter font at 14 px (:data:`INTER_14`); 12 px is the same glyphs scaled by 12/14. A text's
  width is the sum of its characters' (kerning changes that by a pixel or two, so a node gets
  TEXT_SLACK more); other characters count one em, wider than Inter draws them;
- the few nodes an extension sizes itself (3D viewers, PreviewAny): their fresh size, measured.
"""

from __future__ import annotations

from comfydsl.catalog import NodeDef
from comfydsl.formats.editor import EditorNode, Widget

__all__ = ["INTER_14", "node_size", "text_width"]

#: Advance width in pixels of each printable ASCII character (" " to "~") in Inter at 14 px,
#: as the editor's canvas measures it.
INTER_14 = (
    3.9375, 4.0264, 6.5215, 8.8662, 8.9824, 13.7471, 9.0166, 4.1973, 5.1064, 5.1064, 7.0137,
    9.2627, 4.0332, 6.4395, 4.0332, 5.0449, 8.832, 5.6943, 8.5381, 8.6475, 9.0439, 8.3057,
    8.6816, 7.9229, 8.6611, 8.6816, 4.0332, 4.2246, 9.2627, 9.2627, 9.2627, 7.1572, 13.5215,
    9.6592, 9.1602, 10.2266, 10.1035, 8.415, 8.2646, 10.4453, 10.4043, 3.7598, 7.9912, 9.4062,
    7.916, 12.6465, 10.5479, 10.7051, 8.9414, 10.7051, 9.0098, 8.9824, 9.0371, 10.418, 9.6592,
    13.7949, 9.5498, 9.502, 8.8047, 5.1064, 5.0449, 5.1064, 6.5967, 6.3848, 4.5186, 7.8613,
    8.5723, 7.998, 8.5723, 8.1621, 5.1816, 8.5859, 8.2783, 3.3906, 3.3906, 7.6836, 3.3906,
    12.2637, 8.2715, 8.3945, 8.5723, 8.5723, 5.2705, 7.3896, 4.5801, 8.2783, 7.8682, 11.457,
    7.6426, 7.8682, 7.7314, 5.9678, 4.6553, 5.9678, 9.2627,
)  # fmt: skip

TITLE_FONT = 14
LABEL_FONT = 12
TITLE_HEIGHT = 30
SLOT_HEIGHT = 20
WIDGET_HEIGHT = 20
#: Between widgets (each), below the last one, and at the bottom of every node.
WIDGET_GAP = 4
WIDGETS_BOTTOM = 8
NODE_MARGIN = 6
#: Width of a node without widgets at least; with widgets 1.5 times that.
NODE_WIDTH = 140
#: A widget row's label, its value's minimum width (42) and its arrows and margins (2 x 31).
WIDGET_PADDING = 42 + 2 * (15 + 6 + 10)
#: Added to a fresh node's width when it has widgets ("to fit widget values on screen").
WIDGET_VALUE_ROOM = 60

#: Widget types (the editor's, from the input's type) whose row is taller than 20, and the
#: least node size they ask for.
_TALL_WIDGETS = {"customtext": 50, "MARKDOWN": 50, "WEBCAM": 50, "LOAD_3D": 50, "textPreview": 60}
_MIN_NODE = {"customtext": (400.0, 200.0), "MARKDOWN": (400.0, 200.0)}
#: Nodes whose extensions give them their own fresh size (measured).
_CLASS_SIZES = {
    "Load3D": (300.0, 600.0),
    "Load3DAnimation": (300.0, 600.0),
    "Preview3D": (400.0, 550.0),
    "Preview3DAnimation": (400.0, 550.0),
    "SaveGLB": (400.0, 550.0),
}
#: Nodes whose widgets an extension adds after the editor has sized them (no room for values).
_NO_VALUE_ROOM = frozenset({"PreviewAny"})
#: Added to a node's width: a text's width from its characters' can be a pixel under the
#: editor's own measure of it, and a node the editor finds too narrow on load it widens.
TEXT_SLACK = 2.0
#: Names the editor shows instead of a socket's own.
_SOCKET_LABELS = {"upload": "choose file to upload"}


def text_width(text: str, font_size: int) -> float:
    """The width in pixels of ``text`` in the editor's Inter at ``font_size`` (12 or 14 px)."""
    scale = font_size / TITLE_FONT
    total = 0.0
    for char in text:
        code = ord(char) - 32
        total += INTER_14[code] * scale if 0 <= code < len(INTER_14) else font_size
    return total


def _widget_type(widget: Widget, shape: EditorNode) -> str:
    spec = widget.spec
    if spec is None:
        if shape.definition.name == "PreviewAny" and widget.name == "preview_text":
            return "textPreview"
        if widget.name == "image" and widget.kind == "ui":
            return "LOAD_3D"
        return widget.kind
    if spec.kind == "STRING" and spec.options.get("multiline"):
        return "customtext"
    return spec.type if isinstance(spec.type, str) else "COMBO"


def node_size(
    definition: NodeDef | None,
    shape: EditorNode | None,
    title: str,
    *,
    link_inputs: list[str] | None = None,
    outputs: list[str] | None = None,
    widget_count: int = 0,
) -> tuple[float, float]:
    """The (width, height) the editor gives a fresh node with this title.

    ``shape`` is the editor's view of ``definition`` (``comfydsl.formats.editor.editor_node``).
    For a class the catalog does not know (``definition`` None), give the names of its
    ``link_inputs`` and ``outputs`` and how many widget values it holds: it is sized as the
    editor would size a node with those sockets and that many plain widgets.
    """
    if definition is not None and definition.name in _CLASS_SIZES:
        return _CLASS_SIZES[definition.name]
    if shape is not None:
        links = [s.name for s in shape.sockets if not s.widget]
        widget_labels = [_SOCKET_LABELS.get(s.name, s.name) for s in shape.sockets if s.widget]
        output_names = [o.name for o in shape.definition.outputs]
        kinds = [_widget_type(w, shape) for w in shape.widgets]
    else:
        links = list(link_inputs or ())
        output_names = list(outputs or ())
        widget_labels = []
        kinds = ["number"] * widget_count
    rows = max(len(links), len(output_names), 1)
    label = max((text_width(n, LABEL_FONT) for n in links), default=0.0)
    output = max((text_width(n, LABEL_FONT) for n in output_names), default=0.0)
    widget = max((text_width(n, LABEL_FONT) for n in widget_labels), default=0.0)
    if widget:
        widget += WIDGET_PADDING
    slots = label + output + 2 * SLOT_HEIGHT + (5 if label and output else 0)
    title_width = TITLE_HEIGHT * 1.33 + text_width(title, TITLE_FONT)
    width = max(slots, widget, title_width, NODE_WIDTH * (1.5 if kinds else 1)) + TEXT_SLACK
    height = float(rows * SLOT_HEIGHT)
    if kinds:
        height += sum(_TALL_WIDGETS.get(k, WIDGET_HEIGHT) + WIDGET_GAP for k in kinds)
        height += WIDGETS_BOTTOM
    height += NODE_MARGIN
    if kinds and (definition is None or definition.name not in _NO_VALUE_ROOM):
        width += WIDGET_VALUE_ROOM
    for kind in kinds:
        least = _MIN_NODE.get(kind)
        if least is not None:
            width = max(width, least[0])
            height = max(height, least[1])
    return (width, height)
