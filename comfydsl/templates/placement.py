"""Where a template's value may stand: alone, as a whole value (or in a comment).

A render first writes every value as a marker, a name that no template holds. These functions
read the marked text as Python tokens (or JSON) and find the first marker that does not stand
alone: inside a string literal, or glued to a name, a number or a dot that would join the
value's text. Whatever the value then is, its literal replaces a whole token and cannot change
the code around it.
"""

from __future__ import annotations

import bisect
import io
import re
import tokenize

__all__ = ["Placement", "json_placement", "python_placement"]

Placement = tuple[int | None, str] | None

_INSIDE_STRING = (
    "a value written inside a string literal would be cut into it: write the whole string "
    'as one value instead ({{ "img_" ~ seed }}), or build it in the script'
)
_GLUED = (
    "a value written against a name, a number or a dot would join it: leave it standing "
    "alone (a space, an operator or a bracket on each side)"
)
#: Python 3.12 reads the text of an f-string as tokens of its own.
_FSTRING_MIDDLE = getattr(tokenize, "FSTRING_MIDDLE", None)


def python_placement(text: str, marker: re.Pattern[str]) -> Placement:
    """The first value (its index) that does not stand alone in the Python text, and why."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError) as exc:
        return None, f"the rendered script cannot be read as Python: {exc}"
    line_starts = [0]
    for line in text.split("\n"):  # StringIO.readline ends lines at "\n" only
        line_starts.append(line_starts[-1] + len(line) + 1)

    def offset(position: tuple[int, int]) -> int:
        return line_starts[position[0] - 1] + position[1]

    spans = [(offset(t.start), offset(t.end), t.type) for t in tokens if t.start != t.end]
    starts = [start for start, _, _ in spans]
    for found in marker.finditer(text):
        index, (first, last) = int(found.group(1)), found.span()
        at = bisect.bisect_right(starts, first) - 1
        start, end, kind = spans[at] if at >= 0 else (-1, -1, tokenize.ERRORTOKEN)
        if end < last:  # split between tokens: 0x{{ n }} reads as 0x5
            return index, _GLUED
        if kind == tokenize.COMMENT:
            continue  # a literal is one line: it cannot leave the comment
        if kind in (tokenize.STRING, _FSTRING_MIDDLE):
            return index, _INSIDE_STRING
        if kind != tokenize.NAME or (start, end) != (first, last):
            return index, _GLUED
        # A name token cannot hold what follows it, but a number or a dot before it can join
        # the value that replaces it: 1{{ n }} would read as one number.
        before = text[first - 1 : first]
        if before and (before == "." or ("a" + before).isidentifier()):
            return index, _GLUED
    return None


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"?|[\s]+|[{}\[\]:,]|[^\s{}\[\]:,"]+', re.DOTALL)


def json_placement(text: str, marker: re.Pattern[str]) -> Placement:
    """The first value (its index) that is not a whole JSON value or key, and why."""
    tokens = [m.group(0) for m in _JSON_TOKEN.finditer(text) if not m.group(0).isspace()]
    for i, token in enumerate(tokens):
        found = marker.search(token)
        if found is None:
            continue
        index = int(found.group(1))
        if token.startswith('"'):
            return index, _INSIDE_STRING
        if found.group(0) != token:
            return index, _GLUED
        before = tokens[i - 1] if i > 0 else "["
        after = tokens[i + 1] if i + 1 < len(tokens) else "]"
        if before not in ("{", "[", ",", ":") or after not in ("}", "]", ",", ":"):
            return index, "a value must stand alone as a whole JSON value or key"
    return None
