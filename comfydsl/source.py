"""Where a node was made: the user's file and line, found cheaply.

A node remembers the code object and bytecode offset of the call that made it, and turns them
into a line only when asked (an error, ``node.source``). Not the line itself, because
``frame.f_lineno`` scans the code's line table from its start: in a long generated script it
costs time in proportion to the line number, and building a 20,000-line script node by node
became quadratic (measured: 190 µs per node at the end of such a script).
"""

from __future__ import annotations

import os
import sys

from comfydsl.errors import SourceLocation

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["PACKAGE_DIR", "Where", "caller_location", "to_location"]

#: comfydsl's own directory: frames in it are not the user's.
PACKAGE_DIR = os.path.dirname(os.path.realpath(__file__))

if TYPE_CHECKING:
    #: Where a node was made, as stored: a SourceLocation, or (code object, bytecode offset)
    #: until first asked for.
    Where = SourceLocation | tuple[Any, int] | None
else:
    Where = object  # at run time only a name: typing is not imported (import time)


def line_of(code: Any, offset: int) -> int:
    """The source line of the instruction at ``offset`` (bytes) in ``code``."""
    line: int = code.co_firstlineno
    for start, end, number in code.co_lines():
        if start <= offset < end:
            return line if number is None else int(number)
        if number is not None:
            line = int(number)
    return line


def to_location(where: Where) -> SourceLocation | None:
    """A stored ``Where`` as a SourceLocation (or None)."""
    if type(where) is tuple:
        code, offset = where
        return SourceLocation(code.co_filename, line_of(code, offset), code.co_name)
    return where  # type: ignore[return-value]


def caller_location(depth: int = 2) -> SourceLocation | None:
    """The first frame outside comfydsl, as a SourceLocation: the user's line."""
    try:
        frame: Any = sys._getframe(depth)
    except ValueError:
        return None
    while frame is not None and frame.f_code.co_filename.startswith(PACKAGE_DIR):
        frame = frame.f_back
    if frame is None:
        return None
    code = frame.f_code
    return SourceLocation(code.co_filename, frame.f_lineno, code.co_name)
