"""Writing a template's values: the Python literal of a value (through the one literal writer,
``comfydsl.codegen.render.literal``) or its JSON. Scalars, which a sweep writes over and over,
are cached."""

from __future__ import annotations

import functools
import json
from typing import Any

from comfydsl.codegen.render import comment, literal
from comfydsl.values import json_problem

__all__ = ["SCALARS", "json_value", "python_value"]


def python_value(value: Any) -> str:
    """The Python source of a value written by a ``.py.j2`` template.

    ``literal(value)``, in parentheses when it starts with a minus sign, and fit for a comment as
    well as for code (``comment`` escapes ``coding:`` so that no value can choose the encoding a
    saved script is read in; the literal still reads back the same).
    """
    kind = type(value)
    if kind in SCALARS:  # a sweep writes the same few values over and over
        return _scalar_value(kind.__name__, value)
    return _python_value(value)


SCALARS = frozenset({str, int, float, bool, type(None)})


def _python_value(value: Any) -> str:
    code = literal(value)
    return comment(f"({code})" if code.startswith("-") else code)


@functools.lru_cache(maxsize=4096)
def _scalar_value(kind: str, value: Any) -> str:  # the type is part of the key: 1, 1.0, True
    return _python_value(value)


def json_value(value: Any) -> str:
    """The JSON text of a value written by a ``.json.j2`` template (UTF-8 kept)."""
    kind = type(value)
    if kind in SCALARS:
        return _scalar_json(kind.__name__, value)
    return _json_value(value)


@functools.lru_cache(maxsize=4096)
def _scalar_json(kind: str, value: Any) -> str:
    return _json_value(value)


def _json_value(value: Any) -> str:
    problem = json_problem(value)
    if problem is not None:
        raise ValueError(problem)
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    except ValueError:
        raise ValueError("NaN and infinities are not JSON") from None
    return text
