"""What may be wrong in a node definition, collected so that a catalog reports every problem at once.

The parser in ``model.py`` records each problem here, with the path where it is in the definition,
and goes on with a harmless stand-in, so one pass finds everything and the parse and the checks are
the same code. The rules follow what ComfyUI's own editor accepts: a missing optional key (or
``null`` in its place) is fine; a value of the wrong JSON type is a problem.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from comfydsl.errors import CatalogError, CatalogProblem

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def shown(value: Any, limit: int = 60) -> str:
    """A value as a problem shows it: its repr, cut short."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def is_string(value: Any) -> bool:
    """True for a str."""
    return isinstance(value, str)


def is_bool(value: Any) -> bool:
    """True for a bool (JSON true/false)."""
    return isinstance(value, bool)


def is_number(value: Any) -> bool:
    """True for an int or a float; not for a bool, although Python counts it as an int."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_list(value: Any) -> bool:
    """True for a JSON array (a list, or a tuple from Python code)."""
    return isinstance(value, (list, tuple))


def is_mapping(value: Any) -> bool:
    """True for a JSON object."""
    return isinstance(value, Mapping)


def is_choice(value: Any) -> bool:
    """True for what a combo may offer: a string, a number, a boolean or null."""
    return value is None or isinstance(value, (str, int, float, bool))


class Problems:
    """The problems found in one class's definition, in the order they were found."""

    __slots__ = ("class_type", "found", "source")

    def __init__(self, class_type: str | None, source: str | None) -> None:
        self.class_type = class_type
        self.source = source
        self.found: list[CatalogProblem] = []

    def __len__(self) -> int:
        return len(self.found)

    def add(self, path: str, detail: str) -> None:
        """Record one problem at ``path`` (dotted, from the class's definition)."""
        self.found.append(
            CatalogProblem(detail, class_type=self.class_type, path=path, source=self.source)
        )

    def expect(self, path: str, expected: str, value: Any) -> None:
        """Record that ``path`` holds ``value`` where ``expected`` belongs."""
        self.add(path, f"expected {expected}, got {shown(value)}")

    def field(
        self,
        container: Mapping[str, Any],
        key: str,
        path: str,
        check: Callable[[Any], bool],
        expected: str,
    ) -> Any:
        """``container[key]`` when it passes ``check``; None when it is absent or null, or wrong
        (and then recorded)."""
        value = container.get(key)
        if value is None or check(value):
            return value
        self.expect(join(path, key), expected, value)
        return None

    def items(self, values: Any, path: str, check: Callable[[Any], bool], expected: str) -> None:
        """Record the first item of a list that fails ``check`` (one problem per list is enough)."""
        for index, value in enumerate(values):
            if not check(value):
                self.expect(f"{path}[{index}]", expected, value)
                return

    def error(self) -> CatalogError:
        """One CatalogError listing every problem."""
        return CatalogError(source=self.source, problems=self.found)


def join(path: str, key: str) -> str:
    """A path one key deeper: ``join("input", "required")`` is ``input.required``."""
    return f"{path}.{key}" if path else key


__all__ = [
    "Problems",
    "is_bool",
    "is_choice",
    "is_list",
    "is_mapping",
    "is_number",
    "is_string",
    "join",
    "shown",
]
