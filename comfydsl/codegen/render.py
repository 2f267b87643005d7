"""Writing generated Python source: one literal writer, one comment writer, one jinja environment.

Generated code holds text from node definitions and from the command line (class and input
names, descriptions, defaults, choices, file names and URLs). None of it may become code: a
catalog is data, and a stub that ran a catalog's text when imported would be a hole. So the
templates emit nothing but what these writers made:

- ``literal(value)``: a Python literal of a JSON-like value (``repr`` per character, checked to
  read back equal with ``ast.literal_eval``), for values, docstrings and names in strings;
- ``comment(text)``: text that cannot end the comment it sits in (every line break escaped
  visibly) nor be read as the file's encoding declaration;
- ``PythonIdentifier`` (comfydsl.names): a name written as itself;
- ``Code``: text of Python source assembled from the above and fixed text.

``environment()`` refuses, at render time, any other value a template would write: a plain
``str`` that reached ``{{ ... }}`` without going through a writer is a ``TypeError``, not a stub.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from comfydsl.names import PythonIdentifier

if TYPE_CHECKING:
    import jinja2

__all__ = ["Code", "comment", "environment", "literal"]


class Code(str):
    """Text of Python source made by a writer of this module, safe to emit as it is."""

    __slots__ = ()


#: Python's encoding declaration (PEP 263) as the tokenizer finds it on line 1 or 2 of a file.
_CODING = re.compile(r"(coding)([:=])", re.IGNORECASE)


def comment(text: str) -> Code:
    """``text`` made fit for a ``#`` comment: one line, whatever it holds.

    Every character that is not printable (each that ``str.splitlines`` splits on among them:
    ``\\n``, ``\\r``, ``\\x0b``, ``\\x0c``, ``\\x1c``-``\\x1e``, ``\\x85``, ``\\u2028``,
    ``\\u2029``; NUL, bidi overrides) is written as its escape, and ``coding:`` as
    ``coding\\x3a`` so that a file name cannot choose the encoding Python reads the file in.
    Printable text, backslashes included, is kept so that a path or command stays readable.
    """
    escaped = "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)
    escaped = _CODING.sub(lambda m: m.group(1) + f"\\x{ord(m.group(2)):02x}", escaped)
    if len(escaped.splitlines()) > 1:  # cannot happen: a guard, not a rule
        raise ValueError(f"a comment would span lines: {escaped!r}")
    return Code(escaped)


def literal(value: Any, *, multiline: bool = False) -> Code:
    """A Python literal that reads back (``ast.literal_eval``) as ``value``.

    ``None``, bools, ints, finite floats, strings, and lists, tuples and string-keyed dicts of
    those. Strings are double-quoted, escaped character by character as ``repr`` escapes them
    (``"it's \\"q\\""``); with ``multiline`` a string is written between triple quotes with its
    line breaks kept (for docstrings), falling back to one line where that would not read back.
    Anything else (NaN, objects) is a ``ValueError``: the caller must not write it as code.
    """
    if multiline and isinstance(value, str):
        text = _triple_quoted(value)
        if _reads_back(text, value):
            return Code(text)
    if type(value) in (int, bool) or value is None:  # repr of these reads back as themselves
        return Code(_write(value))
    text = _write(value)
    if not _reads_back(text, value):
        raise ValueError(f"{value!r} does not read back from its literal {text!r}")
    return Code(text)


def _escape(char: str) -> str:
    # repr's escape of one character (itself when printable), with the double quote escaped.
    return '\\"' if char == '"' else repr(char)[1:-1]


def _string(text: str) -> str:
    return '"' + "".join(_escape(char) for char in text) + '"'


def _triple_quoted(text: str) -> str:
    parts = []
    for char in text:
        if char == "\n" or (char.isprintable() and char != "\\"):
            parts.append(char)
        else:
            parts.append(repr(char)[1:-1])
    body = "".join(parts).replace('"""', '\\"\\"\\"')
    if body.endswith('"'):
        body = body[:-1] + '\\"'
    return f'"""{body}"""'


def _write(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, int):
        return repr(int(value))
    if isinstance(value, float):
        if math.isnan(value):
            raise ValueError("NaN has no Python literal")
        if math.isinf(value):
            return "1e999" if value > 0 else "-1e999"
        return repr(float(value))
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, (list, tuple)):
        items = ", ".join(_write(item) for item in value)
        if isinstance(value, tuple):
            return f"({items},)" if len(value) == 1 else f"({items})"
        return f"[{items}]"
    if isinstance(value, Mapping):
        if not all(isinstance(key, str) for key in value):
            raise ValueError("only string keys are written in dict literals")
        return "{" + ", ".join(f"{_string(k)}: {_write(v)}" for k, v in value.items()) + "}"
    raise ValueError(f"{type(value).__name__} values have no literal here")


def _reads_back(text: str, value: Any) -> bool:
    try:
        back = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return False
    return _same(back, value)


def _same(a: Any, b: Any) -> bool:
    # Equal and of the same type all the way down (1 == 1.0 == True would hide a wrong literal).
    if isinstance(b, Mapping):
        return isinstance(a, dict) and list(a) == list(b) and all(_same(a[k], b[k]) for k in b)
    if isinstance(b, (list, tuple)):
        return (
            type(a) is (tuple if isinstance(b, tuple) else list)
            and len(a) == len(b)
            and all(_same(x, y) for x, y in zip(a, b, strict=True))
        )
    for kind in (bool, int, float, str):  # bool first: it is an int
        if isinstance(b, kind):
            return type(a) is kind and a == b
    return a is None and b is None


# -- the environment -------------------------------------------------------------------------------


def _only_written(value: Any) -> Any:
    """jinja's ``finalize``: what a template may write, and nothing else."""
    if isinstance(value, (Code, PythonIdentifier)):
        return value
    if type(value) is int:
        return value
    raise TypeError(
        f"a template wrote {value!r} ({type(value).__name__}) as it is: pass it through "
        "literal(), comment() or PythonIdentifier first"
    )


def environment() -> jinja2.Environment:
    """The jinja environment of comfydsl's templates (``templates/``), with the writers as filters."""
    import jinja2  # here, so that building the command line's parser does not import it

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("comfydsl.codegen", "templates"),
        autoescape=False,  # Python source, not HTML: the writers above do the escaping
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_only_written,
    )
    env.filters["literal"] = literal
    env.filters["comment"] = comment
    return env
