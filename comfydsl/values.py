"""The values a node's inputs hold, each already in its JSON form and read-only.

A node stores every input value as what it will be in the prompt: scalars as they are, a link as
an ``Output`` (a read-only ``["<id>", <index>]`` list, see graph.py), JSON lists and objects as
``FrozenList``/``FrozenDict``, a local file to upload as a ``LocalFile`` (a str: its name). So the
compiler only copies each node's dict of inputs, and the prompt it returns can share these values
with the workflow without letting a change to the prompt reach back into the workflow.
``copy.deepcopy(prompt)`` gives plain lists and dicts to edit freely.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import PurePath
    from typing import Any, NoReturn


def is_path(value: object) -> bool:
    """Whether ``value`` is a path object (``pathlib.PurePath``): a local file to upload.

    Asked of sys.modules, so that comfydsl need not import pathlib (which would cost
    ``import comfydsl.nodes`` a sixth of its time): where pathlib was never imported, no value
    can be a path.
    """
    pathlib = sys.modules.get("pathlib")
    return pathlib is not None and isinstance(value, pathlib.PurePath)


__all__ = [
    "MAX_DEPTH",
    "FrozenDict",
    "FrozenList",
    "LocalFile",
    "as_sent",
    "freeze",
    "is_path",
    "json_problem",
    "read_json",
    "read_only",
    "read_text",
    "text_problem",
    "wrap_list",
]


def read_only(self: object, *args: object, **kwargs: object) -> NoReturn:
    """Each method that would change a FrozenList, FrozenDict or Output: raises TypeError."""
    raise TypeError(
        f"this {type(self).__name__} is part of a workflow and read-only; "
        "copy.deepcopy(prompt) gives plain lists and dicts to edit"
    )


class FrozenList(list):  # type: ignore[type-arg]
    """A JSON list that cannot be changed (it equals, and serializes as, a plain list)."""

    __slots__ = ()
    __setitem__ = __delitem__ = __iadd__ = __imul__ = read_only
    append = extend = insert = pop = remove = clear = sort = reverse = read_only

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(self))

    def __copy__(self) -> list[Any]:
        return list(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> list[Any]:
        import copy

        return [copy.deepcopy(item, memo) for item in self]

    def __reduce__(self) -> tuple[Any, ...]:
        return (list, (list(self),))


class FrozenDict(dict):  # type: ignore[type-arg]
    """A JSON object that cannot be changed (it equals, and serializes as, a plain dict)."""

    __slots__ = ()
    __setitem__ = __delitem__ = __ior__ = read_only
    pop = popitem = clear = update = setdefault = read_only

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(self.items()))

    def __copy__(self) -> dict[Any, Any]:
        return dict(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[Any, Any]:
        import copy

        return {key: copy.deepcopy(value, memo) for key, value in self.items()}

    def __reduce__(self) -> tuple[Any, ...]:
        return (dict, (dict(self),))


class LocalFile(str):
    """A file on this machine, to upload at submit time; in a prompt it reads as its file name."""

    __slots__ = ("path",)
    path: PurePath

    def __new__(cls, path: str | PurePath) -> LocalFile:
        from pathlib import PurePath  # only where a path was given (see is_path)

        path = PurePath(path)
        self = super().__new__(cls, path.name)
        self.path = path
        return self

    def __repr__(self) -> str:
        return f"LocalFile({str(self.path)!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (str, (str(self),))


def freeze(value: Any) -> Any:
    """``value`` with every list and dict inside it made read-only (and paths made LocalFile)."""
    kind = type(value)
    if kind in (str, int, float, bool) or value is None:
        return value
    if isinstance(value, (FrozenList, FrozenDict, LocalFile)):
        return value
    if isinstance(value, (list, tuple)):
        return FrozenList(freeze(item) for item in value)
    if isinstance(value, Mapping):
        return FrozenDict((key, freeze(item)) for key, item in value.items())
    if is_path(value):
        return LocalFile(value)
    return value


def wrap_list(value: list[Any] | tuple[Any, ...]) -> FrozenDict:
    """A list given as a value: ``{"__value__": [...]}``, as the editor sends it (a bare list of two
    would read as a link)."""
    return FrozenDict({"__value__": freeze(value)})


def as_sent(value: Any) -> Any:
    """A JSON value (a catalog's default) as a prompt holds it: a list wrapped as the editor
    sends it (``wrap_list``: a bare list of two reads as a link), anything else read-only."""
    return wrap_list(value) if isinstance(value, (list, tuple)) else freeze(value)


#: How deeply lists and objects may nest inside one input value. Real prompts nest a few levels;
#: a deeper value is refused with a clear error, so that checking or copying it never recurses
#: without end (nor hits Python's recursion limit, nor the server's JSON reader's).
MAX_DEPTH = 64


def text_problem(text: str) -> str | None:
    """Why a string cannot go into a prompt (a lone surrogate: not UTF-8), or None when it can."""
    if text.isascii():
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return (
            f"the string has a character that is not UTF-8 ({text[exc.start]!r} at position "
            f"{exc.start}, a lone surrogate)"
        )
    return None


def json_problem(value: Any) -> str | None:
    """Why ``value`` cannot go into a JSON prompt, or None when it can.

    Lists and objects may nest :data:`MAX_DEPTH` levels deep and may not contain themselves.
    """
    return _json_problem(value, 0, set())


#: The longest integer Python writes as text (sys.get_int_max_str_digits()'s default), in bits.
_INT_BITS = 14_000


def _json_problem(value: Any, depth: int, path: set[int]) -> str | None:
    kind = type(value)
    if kind is bool or value is None or kind is float:
        return None  # nan and inf go out as NaN/Infinity, which the server's json reads
    if kind is int:
        return _int_problem(value)
    if isinstance(value, str):
        return text_problem(value)  # subclasses (LocalFile...) write as their base value
    if isinstance(value, int):
        return _int_problem(value)  # subclasses (IntEnum...) write as their base value
    if isinstance(value, float):
        return None
    if is_path(value):
        return None  # a local file: uploaded, then its server name is sent
    if isinstance(value, (list, tuple, Mapping)):
        if depth >= MAX_DEPTH:
            return f"lists and objects nest deeper than {MAX_DEPTH} levels"
        if id(value) in path:
            return "a list or object contains itself"
        path.add(id(value))
        try:
            if isinstance(value, Mapping):
                for key, item in value.items():
                    if not isinstance(key, str):
                        return f"the object key {_short_repr(key)} is not a string"
                    found = text_problem(key) or _json_problem(item, depth + 1, path)
                    if found is not None:
                        return found
            else:
                for item in value:
                    found = _json_problem(item, depth + 1, path)
                    if found is not None:
                        return found
        finally:
            path.discard(id(value))
        return None
    return f"a {kind.__name__} cannot be written in a prompt"


def _int_problem(value: int) -> str | None:
    if value.bit_length() > _INT_BITS:
        return f"an integer of about {int(value.bit_length() * 0.30103)} digits cannot be written"
    return None


def _short_repr(value: Any, limit: int = 60) -> str:
    try:
        text = repr(value)
    except Exception:  # a huge int (more digits than Python will print), a broken __repr__
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def read_text(file: str, error: Callable[[str], Exception], *, bom: bool = False) -> str:
    """A file's UTF-8 text; a missing file, a directory, or bytes that are not UTF-8 raised as
    ``error(reason)``, the caller's comfydsl error. ``bom``: a byte-order mark is dropped
    (spreadsheets write one in front of their CSV)."""
    try:
        with open(file, "rb") as stream:
            raw = stream.read()
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise error(f"cannot read the file: {reason}") from None
    try:
        return raw.decode("utf-8-sig" if bom else "utf-8")
    except UnicodeDecodeError as exc:
        raise error(f"not UTF-8 text: byte {raw[exc.start]:#04x} at offset {exc.start}") from None


def read_json(file: str, error: Callable[[str], Exception]) -> Any:
    """JSON from a file; every way that fails (a missing file, a directory, bytes that are not
    UTF-8, numbers too long for Python, nesting deeper than its parser goes) raised as
    ``error(reason)``, the caller's comfydsl error."""
    text = read_text(file, error)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise error(f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    except RecursionError:
        raise error("not readable JSON: lists and objects nest too deeply") from None
    except ValueError as exc:  # an integer of more digits than Python converts
        raise error(f"not readable JSON: {exc}") from None
