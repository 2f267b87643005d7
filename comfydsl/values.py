"""The values a node's inputs hold, each already in its JSON form and read-only.

A node stores every input value as what it will be in the prompt: scalars as they are, a link as
an ``Output`` (a read-only ``["<id>", <index>]`` list, see graph.py), JSON lists and objects as
``FrozenList``/``FrozenDict``, a local file to upload as a ``LocalFile`` (a str: its name). So the
compiler only copies each node's dict of inputs, and the prompt it returns can share these values
with the workflow without letting a change to the prompt reach back into the workflow.
``copy.deepcopy(prompt)`` gives plain lists and dicts to edit freely.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePath
from typing import Any, NoReturn

__all__ = [
    "FrozenDict",
    "FrozenList",
    "LocalFile",
    "freeze",
    "json_problem",
    "read_only",
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
    if isinstance(value, PurePath):
        return LocalFile(value)
    return value


def wrap_list(value: list[Any] | tuple[Any, ...]) -> FrozenDict:
    """A list given as a value: ``{"__value__": [...]}``, as the editor sends it (a bare list of two
    would read as a link)."""
    return FrozenDict({"__value__": freeze(value)})


def json_problem(value: Any) -> str | None:
    """Why ``value`` cannot go into a JSON prompt, or None when it can."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return None
    if kind is float:
        return None  # nan and inf go out as NaN/Infinity, which the server's json reads
    if isinstance(value, (str, int, float)):
        return None  # subclasses (LocalFile, IntEnum...) write as their base value
    if isinstance(value, PurePath):
        return None  # a local file: uploaded, then its server name is sent
    if isinstance(value, (list, tuple)):
        for item in value:
            found = json_problem(item)
            if found is not None:
                return found
        return None
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                return f"the object key {key!r} is not a string"
            found = json_problem(item)
            if found is not None:
                return found
        return None
    return f"a {kind.__name__} cannot be written in a prompt"
