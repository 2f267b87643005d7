"""Writing generated Python source: one literal writer, one comment writer, one jinja environment.

Generated code holds text from node definitions and from the command line (class and input
names, descriptions, defaults, choices, file names and URLs). None of it may become code: a
catalog is data, and a stub that ran a catalog's text when imported would be a hole. So the
templates emit nothing but what these writers made:

- ``literal(value)``: a Python literal of a JSON-like value (``repr`` per character, checked to
  read back equal with ``ast.literal_eval``), for values, docstrings and names in strings;
  with ``nan=True`` NaN is written as the one call it may hold, ``float("nan")``;
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
    if text.isprintable():
        escaped = text
    else:
        escaped = "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)
    escaped = _CODING.sub(lambda m: m.group(1) + f"\\x{ord(m.group(2)):02x}", escaped)
    if len(escaped.splitlines()) > 1:  # cannot happen: a guard, not a rule
        raise ValueError(f"a comment would span lines: {escaped!r}")
    return Code(escaped)


def literal(value: Any, *, multiline: bool = False, nan: bool = False) -> Code:
    """A Python literal that reads back (``ast.literal_eval``) as ``value``.

    ``None``, bools, ints, finite floats, strings, and lists, tuples and string-keyed dicts of
    those. Strings are double-quoted, escaped character by character as ``repr`` escapes them
    (``"it's \\"q\\""``); with ``multiline`` a string is written between triple quotes with its
    line breaks kept (for docstrings), falling back to one line where that would not read back.
    NaN has no literal: with ``nan`` it is written ``float("nan")`` (a value of a prompt may be
    NaN: JSON readers take it), which the check reads back as NaN and as nothing else.
    Anything else (NaN without ``nan``, objects) is a ``ValueError``: the caller must not write
    it as code.
    """
    kind = type(value)
    if kind is str and not multiline and _PLAIN.fullmatch(value) is not None:
        # Printable ASCII with no quote or backslash: nothing to escape, nothing to check.
        return Code(f'"{value}"')
    if kind is int or kind is bool or value is None:
        return Code(repr(value))  # repr of these is their literal, always
    if multiline and isinstance(value, str):
        text = _triple_quoted(value)
        if _reads_back(text, value):
            return Code(text)
    text = _write(value, nan)
    if not _reads_back(text, value):
        raise ValueError(f"{value!r} does not read back from its literal {text!r}")
    return Code(text)


#: A string written between double quotes as it is: printable ASCII, no quote, no backslash.
_PLAIN = re.compile(r"[ !#-\[\]-~]*")

#: How NaN is written when asked for: the only call a literal of this module holds.
_NAN = 'float("nan")'


def _escape(char: str) -> str:
    # repr's escape of one character (itself when printable), with the double quote escaped.
    return '\\"' if char == '"' else repr(char)[1:-1]


def _string(text: str) -> str:
    if text.isprintable():  # then repr would escape only the backslash (and we the quote)
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return '"' + "".join(_escape(char) for char in text) + '"'


def _triple_quoted(text: str) -> str:
    if text.replace("\n", "").isprintable():  # the common case, without a loop in Python
        body = text.replace("\\", "\\\\")
    else:
        parts = []
        for char in text:
            if char == "\n" or (char.isprintable() and char != "\\"):
                parts.append(char)
            else:
                parts.append(repr(char)[1:-1])
        body = "".join(parts)
    body = body.replace('"""', '\\"\\"\\"')
    if body.endswith('"'):
        body = body[:-1] + '\\"'
    return f'"""{body}"""'


def _write(value: Any, nan: bool = False) -> str:
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, int):
        return repr(int(value))
    if isinstance(value, float):
        if math.isnan(value):
            if nan:
                return _NAN
            raise ValueError("NaN has no Python literal")
        if math.isinf(value):
            return "1e999" if value > 0 else "-1e999"
        return repr(float(value))
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, (list, tuple)):
        items = ", ".join(_write(item, nan) for item in value)
        if isinstance(value, tuple):
            return f"({items},)" if len(value) == 1 else f"({items})"
        return f"[{items}]"
    if isinstance(value, Mapping):
        if not all(isinstance(key, str) for key in value):
            raise ValueError("only string keys are written in dict literals")
        return "{" + ", ".join(f"{_string(k)}: {_write(v, nan)}" for k, v in value.items()) + "}"
    raise ValueError(f"{type(value).__name__} values have no literal here")


def _reads_back(text: str, value: Any) -> bool:
    try:
        tree: Any = text
        if _NAN in text:
            tree = _NanToConstant().visit(ast.parse(text, mode="eval"))
        back = ast.literal_eval(tree)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    return _same(back, value)


class _NanToConstant(ast.NodeTransformer):
    """``float("nan")``, exactly, read as NaN; any other call stays a call, which literal_eval
    refuses."""

    def visit_Call(self, node: ast.Call) -> ast.AST:
        if (
            isinstance(node.func, ast.Name)
            and node.func.id == "float"
            and not node.keywords
            and len(node.args) == 1
            and isinstance(node.args[0], ast.Constant)
            and node.args[0].value == "nan"
        ):
            return ast.copy_location(ast.Constant(math.nan), node)
        return self.generic_visit(node)


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
    if isinstance(b, float) and math.isnan(b):
        return type(a) is float and math.isnan(a)
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
