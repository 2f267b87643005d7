"""Text that goes into a picture: made printable, cut to a readable length, and escaped.

Titles, class names, input names and values come from scripts and files, and may hold anything:
quotes, backslashes, line breaks, ``<`` and ``>``, NUL, lone surrogates, megabytes. What is shown
is :func:`shown_text`: each character that cannot be shown as itself (control characters, lone
surrogates, the characters XML forbids, the bidirectional overrides that would reorder the text
around them) is written as its Python escape (``\\n``, ``\\x00``, ``\\udc80``), and a long text is
cut with a note of its length. Then :func:`dot_html` escapes it for a Graphviz HTML-like label,
or :func:`html_text` for an HTML page. No text from the workflow reaches the DOT source any other
way: node names and ports are comfydsl's own (``n0``, ``i1``, ``o2``).
"""

from __future__ import annotations

import json
import math

from comfydsl.values import LocalFile

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["dot_html", "html_text", "shown_text", "shown_value"]

_SIMPLE_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}

#: Characters shown escaped although they are not controls: the bidirectional ones (they reorder
#: the text around them, so that a label could read as something else) and the line and
#: paragraph separators.
_ESCAPED = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029"
)


def _escaped(char: str) -> str:
    """``char`` as it is shown: itself, or its Python escape."""
    code = ord(char)
    if 0x20 <= code < 0x7F:
        return char
    if char in _SIMPLE_ESCAPES:
        return _SIMPLE_ESCAPES[char]
    if (
        code < 0x20
        or 0x7F <= code < 0xA0  # C0 and C1 controls, DEL
        or 0xD800 <= code < 0xE000  # lone surrogates: not UTF-8, not XML
        or 0xFDD0 <= code < 0xFDF0  # non-characters
        or (code & 0xFFFE) == 0xFFFE  # U+FFFE, U+FFFF (XML forbids them) and each plane's pair
        or char in _ESCAPED
    ):
        if code < 0x100:
            return f"\\x{code:02x}"
        if code < 0x10000:
            return f"\\u{code:04x}"
        return f"\\U{code:08x}"
    return char


def shown_text(text: str, limit: int) -> str:
    """``text`` as a picture shows it: printable, and cut after about ``limit`` characters.

    >>> shown_text('a "b"\\n<c>', 40)
    'a "b"\\\\n<c>'
    >>> shown_text("x" * 1000, 12)
    'xxxxxxxxxxxx… (1,000 characters)'
    """
    pieces: list[str] = []
    size = 0
    for char in text:
        piece = _escaped(char)
        size += len(piece)
        if size > limit:
            return "".join(pieces) + f"… ({len(text):,} characters)"
        pieces.append(piece)
    return "".join(pieces)


def shown_value(value: Any, limit: int) -> str:
    """A widget's value as a picture shows it (JSON's words for true, false and null)."""
    if value is True or value is False:
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, LocalFile):
        return shown_text(f"{value.path.name} (local file)", limit)
    if isinstance(value, str):
        return shown_text(value, limit) if value else '""'
    if isinstance(value, int):
        try:
            return shown_text(str(value), limit)
        except ValueError:  # more digits than Python will print
            digits = math.floor(value.bit_length() * math.log10(2)) + 1
            return f"(a whole number of about {digits:,} digits)"
    if isinstance(value, float):
        return repr(value)
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "), allow_nan=True)
    except (TypeError, ValueError, RecursionError):
        return f"({type(value).__name__})"
    return shown_text(text, limit)


def html_text(text: str) -> str:
    """Text for an HTML page or an XML document: ``&``, ``<``, ``>`` and ``"`` escaped."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def dot_html(text: str) -> str:
    """Text for a Graphviz HTML-like label (``label=<...>``).

    As :func:`html_text`, and a backslash doubled: Graphviz reads the text of an HTML-like
    label as an escape string too (``\\N`` becomes the node's name, ``\\G`` the graph's), and
    ``\\\\`` is its backslash.
    """
    return html_text(text).replace("\\", "\\\\")
