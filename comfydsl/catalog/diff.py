"""What changed between two catalogs: classes added and removed, and in each class kept, its
inputs, types, defaults, ranges, choices, input order and outputs.

    from comfydsl.catalog import bundled_catalog, load_catalog
    from comfydsl.catalog.diff import diff_catalogs
    drift = diff_catalogs(bundled_catalog(), load_catalog("http://127.0.0.1:8188"))
    print("\\n".join(drift.lines()))

Definitions are compared as comfydsl reads them, not as JSON text: prose and presentation
(descriptions, tooltips, display names, categories) are not compared, and a list of files that
one side does not know (the bundled catalog's model lists, emptied upload lists) is not a change.
``comfydsl catalog diff`` prints this, and says which nodes of a script or prompt a change breaks.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from comfydsl.catalog.catalog import Catalog
from comfydsl.catalog.model import MISSING, InputSpec, NodeDef

__all__ = ["CatalogDiff", "Change", "ClassChanges", "diff_catalogs", "diff_classes"]

#: Options of an input compared beside its type and default: its range and rounding.
_RANGE_OPTIONS = ("min", "max", "step", "round")
_SHOWN = 8


@dataclass(frozen=True)
class Change:
    """One difference in one class: ``where`` (``input 'seed'``, ``output 0``, ``class``),
    ``field`` (``added``, ``removed``, ``type``, ``default``, ``min``..., ``choices``), and the
    old and new values (``None`` for one that is not there)."""

    where: str
    field: str
    old: Any = None
    new: Any = None

    def describe(self) -> str:
        """The change in words: ``input 'steps': max 10000 → 100``."""
        if self.field in ("added", "removed"):
            detail = f" ({self.new if self.field == 'added' else self.old})"
            return f"{self.where}: {self.field}{detail}"
        if self.field == "choices":
            added, removed = self.new, self.old
            parts = []
            if added:
                parts.append(f"choices added {_listed(added)}")
            if removed:
                parts.append(f"choices removed {_listed(removed)}")
            return f"{self.where}: {'; '.join(parts)}"
        return f"{self.where}: {self.field} {_shown(self.old)} → {_shown(self.new)}"

    def to_json(self) -> dict[str, Any]:
        """The change as JSON data."""
        return {"where": self.where, "field": self.field, "old": self.old, "new": self.new}


@dataclass(frozen=True)
class ClassChanges:
    """The changes of one class present in both catalogs."""

    class_type: str
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class CatalogDiff:
    """The difference from ``old`` to ``new`` (their sources name them)."""

    old_source: str
    new_source: str
    old_count: int
    new_count: int
    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[ClassChanges, ...]

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    def summary(self) -> str:
        """One line: how many classes were added, removed and changed."""
        return (
            f"{len(self.added)} added, {len(self.removed)} removed, {len(self.changed)} changed "
            f"({self.old_count} → {self.new_count} classes)"
        )

    def lines(self) -> list[str]:
        """The report, line by line: the sources, the summary, then each class."""
        found = [f"--- {self.old_source}", f"+++ {self.new_source}", self.summary()]
        found += [f"- {name}" for name in self.removed]
        found += [f"+ {name}" for name in self.added]
        for changes in self.changed:
            found.append(f"~ {changes.class_type}")
            found += [f"    {change.describe()}" for change in changes.changes]
        return found

    def to_json(self) -> dict[str, Any]:
        """The difference as JSON data."""
        return {
            "old": self.old_source,
            "new": self.new_source,
            "added": list(self.added),
            "removed": list(self.removed),
            "changed": {
                c.class_type: [change.to_json() for change in c.changes] for c in self.changed
            },
        }


def diff_catalogs(old: Catalog, new: Catalog) -> CatalogDiff:
    """What changed from ``old`` to ``new``: classes added, removed, and changed (see diff_classes)."""
    added = tuple(name for name in new if name not in old)
    removed = tuple(name for name in old if name not in new)
    changed = []
    for name in old:
        if name in new:
            changes = tuple(diff_classes(old[name], new[name]))
            if changes:
                changed.append(ClassChanges(name, changes))
    return CatalogDiff(old.source, new.source, len(old), len(new), added, removed, tuple(changed))


def diff_classes(old: NodeDef, new: NodeDef) -> Iterator[Change]:
    """Every change from one definition of a class to another."""
    for name, spec in old.inputs.items():
        if name not in new.inputs:
            yield Change(f"input {name!r}", "removed", old=_input_text(spec))
    for name, spec in new.inputs.items():
        if name not in old.inputs:
            yield Change(f"input {name!r}", "added", new=_input_text(spec))
        else:
            yield from _diff_input(f"input {name!r}", old.inputs[name], spec)
    kept_old = [n for n in old.positional if n in new.inputs]
    kept_new = [n for n in new.positional if n in old.inputs]
    if kept_old != kept_new:
        # A call that gives inputs by position gives them to others now.
        yield Change("inputs", "order", old=kept_old, new=kept_new)
    for index in range(max(len(old.outputs), len(new.outputs))):
        where = f"output {index}"
        if index >= len(new.outputs):
            yield Change(where, "removed", old=_output_text(old.outputs[index]))
        elif index >= len(old.outputs):
            yield Change(where, "added", new=_output_text(new.outputs[index]))
        else:
            before, after = old.outputs[index], new.outputs[index]
            for field in ("type", "name", "is_list"):
                if getattr(before, field) != getattr(after, field):
                    yield Change(where, field, getattr(before, field), getattr(after, field))
    for flag in ("output_node", "deprecated"):
        if getattr(old, flag) != getattr(new, flag):
            yield Change("class", flag, getattr(old, flag), getattr(new, flag))


def _diff_input(where: str, old: InputSpec, new: InputSpec) -> Iterator[Change]:
    if old.required != new.required:
        yield Change(where, "section", _section(old), _section(new))
    if _type(old) != _type(new):
        yield Change(where, "type", _type(old), _type(new))
    if old.widget != new.widget:
        yield Change(where, "widget", old.widget, new.widget)
    unknown = old.choices is None or new.choices is None
    if old.kind == "COMBO" and new.kind == "COMBO" and unknown:
        pass  # a combo's default is its first choice, which a side that knows none lacks
    elif old.default != new.default and (old.widget or new.widget):
        yield Change(where, "default", _value(old.default), _value(new.default))
    for option in _RANGE_OPTIONS:
        before, after = old.options.get(option), new.options.get(option)
        if before != after:
            yield Change(where, option, before, after)
    if old.choices is not None and new.choices is not None and old.choices != new.choices:
        # Choices that one side does not know (a file list read from no server) are no change.
        kept = set(_hashable(new.choices))
        gone = set(_hashable(old.choices))
        added = [c for c in new.choices if _hashable([c])[0] not in gone]
        removed = [c for c in old.choices if _hashable([c])[0] not in kept]
        if added or removed:
            yield Change(where, "choices", old=removed, new=added)
        else:
            yield Change(where, "choice order", list(old.choices), list(new.choices))
    widgets_old, widgets_new = old.options.get("formats"), new.options.get("formats")
    if old.kind == "COMBO" and widgets_old != widgets_new:
        yield Change(where, "widgets of its choices", _keys(widgets_old), _keys(widgets_new))


def _hashable(values: Any) -> list[Any]:
    return [(type(v).__name__, v) if _is_hashable(v) else repr(v) for v in values]


def _is_hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _keys(value: Any) -> list[str] | None:
    return sorted(map(str, value)) if isinstance(value, dict) else None


def _type(spec: InputSpec) -> str:
    if spec.kind == "COMBO":
        return "COMBO"
    return str(spec.type)


def _section(spec: InputSpec) -> str:
    return "required" if spec.required else "optional"


def _value(value: Any) -> Any:
    return None if value is MISSING else value


def _input_text(spec: InputSpec) -> str:
    return f"{_section(spec)} {_type(spec)}"


def _output_text(out: Any) -> str:
    return f"{out.type if isinstance(out.type, str) else 'COMBO'} {out.name!r}"


def _shown(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, list):
        return _listed(value)
    return repr(value) if isinstance(value, str) else str(value)


def _listed(values: list[Any]) -> str:
    shown = ", ".join(repr(v) for v in values[:_SHOWN])
    if len(values) > _SHOWN:
        shown += f", ... ({len(values)} in all)"
    return f"[{shown}]"
