"""Template variables: typed values from command-line text and from TOML or JSON files, and
the error of templates.

``parse_value`` reads JSON where the text is JSON (``42``, ``7.5``, ``true``, ``null``,
``"quoted"``, ``[1, 2]``, ``{"a": 1}``), else the text itself; ``name:TYPE=value`` forces
a type (``str``, ``int``, ``float``, ``bool``, ``json``).
"""

from __future__ import annotations

import json
import math
import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from comfydsl.errors import ComfyDSLError
from comfydsl.values import json_problem, read_text

__all__ = [
    "VALUE_TYPES",
    "TemplateError",
    "load_variables",
    "parse_assignment",
    "parse_value",
    "read_toml",
]

#: The types an assignment may name: ``seed:int=42``.
VALUE_TYPES = ("str", "int", "float", "bool", "json")


class TemplateError(ComfyDSLError, ValueError):
    """A template that cannot be read or rendered, or a variable that cannot be given to it.

    ``file`` is the template (or variables file), ``line`` its line when known, ``variable`` the
    variable concerned when there is one.
    """

    def __init__(
        self,
        detail: str,
        *,
        file: str | None = None,
        line: int | None = None,
        variable: str | None = None,
    ) -> None:
        self.detail = detail
        self.file = file
        self.line = line
        self.variable = variable
        where = file or ""
        if file and line is not None:
            where = f"{file}:{line}"
        super().__init__(f"{where}: {detail}" if where else detail)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _strict_json(text: str) -> Any:
    """JSON without NaN/Infinity and with finite numbers; ValueError otherwise."""

    def finite(number: str) -> float:
        value = float(number)
        if not math.isfinite(value):
            raise ValueError(f"{number} is too large for a float")
        return value

    try:
        return json.loads(text, parse_constant=_no_constant, parse_float=finite)
    except RecursionError:
        raise ValueError("lists and objects nest too deeply") from None


def parse_value(text: str, kind: str | None = None) -> Any:
    """A variable's value from command-line text.

    Without ``kind``: the JSON value when ``text`` is JSON (numbers, ``true``/``false``,
    ``null``, a quoted string, a list, an object), else ``text`` itself as a string. With
    ``kind`` (one of ``str``, ``int``, ``float``, ``bool``, ``json``) that type or a ValueError.

    >>> parse_value("42"), parse_value("7.5"), parse_value("true"), parse_value("a cat")
    (42, 7.5, True, 'a cat')
    >>> parse_value("007"), parse_value("42", "str")
    ('007', '42')
    """
    if kind is None:
        try:
            return _strict_json(text)
        except ValueError:
            return text
    if kind == "str":
        return text
    if kind == "int":
        try:
            return int(text.strip())
        except ValueError:
            raise ValueError(f"{text!r} is not an integer") from None
    if kind == "float":
        try:
            value = float(text.strip())
        except ValueError:
            raise ValueError(f"{text!r} is not a number") from None
        if not math.isfinite(value):
            raise ValueError(f"{text!r} is not a finite number")
        return value
    if kind == "bool":
        word = text.strip().lower()
        if word in ("true", "yes", "on", "1"):
            return True
        if word in ("false", "no", "off", "0"):
            return False
        raise ValueError(f"{text!r} is not a boolean (true/false, yes/no, on/off, 1/0)")
    if kind == "json":
        try:
            return _strict_json(text)
        except ValueError as exc:
            raise ValueError(f"not JSON: {exc}") from None
    raise ValueError(f"unknown type {kind!r}: one of {', '.join(VALUE_TYPES)}")


_ASSIGNMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(?::([a-z]+))?=", re.DOTALL)


def parse_assignment(text: str) -> tuple[str, str | None, str]:
    """``"name=value"`` or ``"name:type=value"`` as ``(name, type or None, value text)``.

    ValueError when the text is not such an assignment (the name must be an identifier).
    """
    found = _ASSIGNMENT.match(text)
    if found is None:
        raise ValueError(f"expected NAME=VALUE or NAME:TYPE=VALUE, got {text!r}")
    name, kind = found.group(1), found.group(2)
    if kind is not None and kind not in VALUE_TYPES:
        raise ValueError(f"{text!r}: unknown type {kind!r} (one of {', '.join(VALUE_TYPES)})")
    return name, kind, text[found.end() :]


def load_variables(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The variables in a ``.toml`` or ``.json`` file (a table / object of name -> value)."""
    file = os.fspath(path)
    suffix = Path(file).suffix.lower()
    if suffix not in (".toml", ".json"):
        raise TemplateError("a variables file is .toml or .json", file=file)
    text = read_text(file, lambda reason: TemplateError(reason, file=file), bom=True)
    if suffix == ".toml":
        data = read_toml(text, file)
    else:
        try:
            data = _strict_json(text)
        except ValueError as exc:
            raise TemplateError(f"not valid JSON: {exc}", file=file) from None
    if not isinstance(data, dict):
        raise TemplateError("expected an object of variable name -> value", file=file)
    for name, value in data.items():
        if not name.isidentifier():
            raise TemplateError(f"{name!r} is not a variable name", file=file, variable=name)
        problem = json_problem(value)
        if problem is None and _has_nan(value):
            problem = "NaN and infinities have no literal"
        if problem is not None:
            raise TemplateError(f"variable {name!r}: {problem}", file=file, variable=name)
    return data


def read_toml(text: str, file: str) -> Any:
    """TOML text read (``tomllib``; ``tomli`` before Python 3.11); TemplateError naming ``file``."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TemplateError(f"not valid TOML: {exc}", file=file) from None


def _has_nan(value: Any) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, Mapping):
        return any(_has_nan(item) for item in value.values())
    if isinstance(value, (list, tuple)):
        return any(_has_nan(item) for item in value)
    return False
