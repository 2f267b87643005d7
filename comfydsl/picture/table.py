"""A workflow as an HTML table: what a notebook shows when there is no picture (no Graphviz).

One row per node, with what its card in the picture would show: the title and class, each input
and where its link comes from, the widget values, the outputs, and its problems in red. Plain
HTML with inline styles, so that it reads the same in a saved notebook; every text is escaped.
"""

from __future__ import annotations

from comfydsl.picture import palette
from comfydsl.picture.scene import Card, Scene, Slot
from comfydsl.picture.text import html_text

__all__ = ["MAX_TABLE_NODES", "scene_table"]

#: How many nodes the table lists before "... and N more".
MAX_TABLE_NODES = 200

_CELL = "padding:2px 8px;text-align:left;vertical-align:top;border-top:1px solid #8884"


def scene_table(scene: Scene, *, note: str = "") -> str:
    """The HTML table of a scene; ``note`` (why there is no picture) is written above it."""
    cards = {card.key: card for card in scene.cards}
    sources: dict[tuple[str, str], str] = {}
    for wire in scene.wires:
        tail = cards[wire.tail]
        out = next((s for s in tail.outputs if s.port == wire.tail_port), None)
        sources[(wire.head, wire.head_port)] = (
            f"{tail.title} ({tail.subtitle}).{out.name if out is not None else '?'}"
        )
    count = sum(1 for card in scene.cards if not card.elsewhere)
    summary = f"{count:,} node{'s' if count != 1 else ''}"
    if scene.problem_count:
        summary += (
            f', <span style="color:{palette.ERROR}">{scene.problem_count:,} '
            f"problem{'s' if scene.problem_count != 1 else ''}</span>"
        )
    parts = [
        '<div class="comfydsl-workflow">',
        f"<p><b>Workflow</b>: {summary}"
        + (f"<br><small>{html_text(note)}</small>" if note else "")
        + "</p>",
        '<table style="border-collapse:collapse;font-size:90%">',
        "<thead><tr>"
        + "".join(
            f'<th style="{_CELL}">{name}</th>' for name in ("node", "inputs", "widgets", "outputs")
        )
        + "</tr></thead><tbody>",
    ]
    shown = scene.cards[:MAX_TABLE_NODES]
    for card in shown:
        parts.append(_row(card, sources))
    if len(scene.cards) > len(shown):
        parts.append(
            f'<tr><td colspan="4" style="{_CELL}">… and '
            f"{len(scene.cards) - len(shown):,} more nodes</td></tr>"
        )
    parts.append("</tbody></table></div>")
    return "".join(parts)


def _row(card: Card, sources: dict[tuple[str, str], str]) -> str:
    outline = f"border-left:4px solid {palette.ERROR};" if card.has_problems else ""
    node = f"<b>{html_text(card.title)}</b><br><small>{html_text(card.subtitle)}</small>"
    inputs = "<br>".join(
        _slot(slot)
        + (
            f" ← {html_text(sources[(card.key, slot.port)])}"
            if (card.key, slot.port) in sources
            else ""
        )
        for slot in card.inputs
    )
    widgets = "<br>".join(
        _marked(f"{html_text(row.name)} = {html_text(row.value)}", row.problem)
        for row in card.widgets
    )
    if card.more_widgets:
        widgets += f"<br>… and {card.more_widgets:,} more"
    outputs = "<br>".join(_slot(slot) for slot in card.outputs)
    cells = [node, inputs, widgets, outputs]
    row = (
        f'<tr style="{outline}">'
        + "".join(f'<td style="{_CELL}">{cell}</td>' for cell in cells)
        + "</tr>"
    )
    problems = [html_text(f"⚠ {text}") for text in card.problems]
    if card.more_problems:
        problems.append(f"… and {card.more_problems:,} more problems")
    if problems:
        row += (
            f'<tr style="{outline}"><td colspan="4" style="{_CELL};color:{palette.ERROR}">'
            + "<br>".join(problems)
            + "</td></tr>"
        )
    return row


def _slot(slot: Slot) -> str:
    mark = "●" if slot.linked else "○"
    kind = f" <small>{html_text(slot.type)}</small>" if slot.type not in ("", slot.name) else ""
    return _marked(
        f'<span style="color:{slot.color}">{mark}</span> {html_text(slot.name)}{kind}', slot.problem
    )


def _marked(html: str, problem: bool) -> str:
    return f'<span style="color:{palette.ERROR}">{html}</span>' if problem else html
