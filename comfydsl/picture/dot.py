"""A workflow as Graphviz DOT: each node an HTML-like table drawn like the editor's node, each link
a wire from an output to a socket, coloured and labelled by its type.

Nothing from the workflow is written into the DOT source except as the escaped text of an
HTML-like label (:func:`comfydsl.picture.text.dot_html`); node names, ports and every attribute
are comfydsl's own, so no title, class name or value can break the syntax or add attributes.
"""

from __future__ import annotations

from collections.abc import Sequence

from comfydsl.errors import NodeError
from comfydsl.graph import Workflow
from comfydsl.picture import palette
from comfydsl.picture.scene import Card, Scene, Slot, Wire, make_scene
from comfydsl.picture.text import dot_html, shown_text
from comfydsl.validation import check_workflow

__all__ = ["FONT", "scene_dot", "to_dot"]

#: The font of every text (Graphviz takes the first it finds).
FONT = "Helvetica,Arial,sans-serif"


def to_dot(
    workflow: Workflow,
    problems: Sequence[NodeError] | None = None,
    *,
    caption: str | None = None,
) -> str:
    """The DOT source of ``workflow``'s picture (Graphviz's ``dot`` draws it).

    ``problems`` are marked on their nodes; None (the default) checks the workflow against the
    catalog in force (``wf.check()``). ``caption``, when given, is written above the graph.

    >>> print(to_dot(wf))            # doctest: +SKIP
    digraph workflow {
    ...
    """
    if problems is None:
        problems = check_workflow(workflow)
    return scene_dot(make_scene(workflow, problems), caption=caption)


def scene_dot(scene: Scene, *, caption: str | None = None) -> str:
    """The DOT source of a scene."""
    lines = [
        "digraph workflow {",
        f'  graph [rankdir=LR, bgcolor="{palette.CANVAS}", pad="0.3", nodesep="0.3", '
        f'ranksep="0.7", fontname="{FONT}", fontsize=12, fontcolor="{palette.NODE_TEXT}", '
        "labelloc=t, labeljust=l];",
        f'  node [shape=plain, fontname="{FONT}", fontsize=11];',
        f'  edge [fontname="{FONT}", fontsize=9, penwidth=2, arrowsize=0.6];',
    ]
    heading = _heading(caption, scene.problem_count)
    if heading:
        lines.append(f"  label=<{heading}>;")
    lines += [f"  {card.key} [label=<{_card_label(card)}>];" for card in scene.cards]
    lines += [_wire(wire) for wire in scene.wires]
    lines.append("}")
    return "\n".join(lines) + "\n"


def _heading(caption: str | None, problem_count: int) -> str:
    parts = []
    if caption:
        parts.append(_text(shown_text(caption, 120)))
    if problem_count:
        noun = "problem" if problem_count == 1 else "problems"
        parts.append(f'<FONT COLOR="{palette.ERROR}">{problem_count} {noun}, marked in red</FONT>')
    return " — ".join(parts)


def _text(shown: str) -> str:
    """Shown text for a label; an empty text as ``""`` (an empty name is still a name)."""
    return dot_html(shown) if shown else '""'


def _font(color: str, text: str, size: int | None = None) -> str:
    point = f' POINT-SIZE="{size}"' if size is not None else ""
    return f'<FONT COLOR="{color}"{point}>{text}</FONT>'


def _card_label(card: Card) -> str:
    outline = palette.ERROR if card.has_problems else palette.NODE_OUTLINE
    border = 3 if card.has_problems else 1
    title = _font(palette.NODE_TITLE_TEXT, f"<B>{_text(card.title)}</B>")
    subtitle = _font(palette.WIDGET_LABEL, _text(card.subtitle), 9)
    rows = [
        f'<TABLE BORDER="{border}" COLOR="{outline}" CELLBORDER="0" CELLSPACING="0" '
        f'CELLPADDING="3" BGCOLOR="{palette.NODE_BODY}" STYLE="ROUNDED">',
        f'<TR><TD COLSPAN="2" BGCOLOR="{palette.NODE_TITLE_BAR}" ALIGN="LEFT">'
        f"{title}  {subtitle}</TD></TR>",
    ]
    for index in range(max(len(card.inputs), len(card.outputs))):
        left = _slot_cell(card.inputs[index], "LEFT") if index < len(card.inputs) else "<TD></TD>"
        right = (
            _slot_cell(card.outputs[index], "RIGHT") if index < len(card.outputs) else "<TD></TD>"
        )
        rows.append(f"<TR>{left}{right}</TR>")
    for row in card.widgets:
        name_color = palette.ERROR if row.problem else palette.WIDGET_LABEL
        value_color = palette.ERROR if row.problem else palette.WIDGET_TEXT
        rows.append(
            f'<TR><TD ALIGN="LEFT" BGCOLOR="{palette.WIDGET_BODY}">'
            f"{_font(name_color, _text(row.name))}</TD>"
            f'<TD ALIGN="RIGHT" BGCOLOR="{palette.WIDGET_BODY}">'
            f"{_font(value_color, _text(row.value))}</TD></TR>"
        )
    if card.more_widgets:
        rows.append(_note(f"… and {card.more_widgets:,} more widgets", palette.WIDGET_LABEL))
    for problem in card.problems:
        rows.append(_note(f"⚠ {problem}", palette.ERROR))
    if card.more_problems:
        rows.append(_note(f"… and {card.more_problems:,} more problems", palette.ERROR))
    rows.append("</TABLE>")
    return "".join(rows)


def _slot_cell(slot: Slot, side: str) -> str:
    dot = _font(slot.color, "●" if slot.linked else "○")
    name = _font(palette.ERROR if slot.problem else palette.NODE_TEXT, _text(slot.name))
    inside = f"{dot} {name}" if side == "LEFT" else f"{name} {dot}"
    return f'<TD ALIGN="{side}" PORT="{slot.port}">{inside}</TD>'


def _note(text: str, color: str) -> str:
    return f'<TR><TD COLSPAN="2" ALIGN="LEFT">{_font(color, dot_html(text), 10)}</TD></TR>'


def _wire(wire: Wire) -> str:
    label = f", xlabel=<{dot_html(wire.type)}>" if wire.type else ""
    return (
        f"  {wire.tail}:{wire.tail_port}:e -> {wire.head}:{wire.head_port}:w "
        f'[color="{wire.color}", fontcolor="{wire.color}"{label}];'
    )
