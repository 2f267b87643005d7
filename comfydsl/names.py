"""Names: the Python form of a name from a node definition, and "did you mean" suggestions.

Ground level: nothing of comfydsl below it but nothing else either, so that the catalog, the
building layer and the code generator agree on one spelling of every name.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterable, Sequence

_NOT_IDENT = re.compile(r"\W", re.ASCII)


def python_name(name: str, *, fallback: str = "value") -> str:
    """The predictable Python identifier for a name from a node definition.

    Every character that cannot stand in an identifier becomes ``_``; a leading digit gets a
    leading ``_``; a Python keyword gets a trailing ``_``; an empty name becomes ``fallback``.
    ``"model task_id"`` → ``model_task_id``, ``"3D Model Path"`` → ``_3D_Model_Path``,
    ``"input_blocks.0."`` → ``input_blocks_0_``, ``"from"`` → ``from_``.
    """
    text = _NOT_IDENT.sub("_", name)
    if not text:
        return fallback
    if text[0].isdigit():
        text = "_" + text
    if keyword.iskeyword(text):  # soft keywords (match, case, type, _) are valid names
        text += "_"
    return text


def unique_python_names(names: Sequence[str], *, fallback: str = "value") -> list[str]:
    """``python_name`` of each name, with repeats numbered from the second on: ``IMAGE``, ``IMAGE_2``."""
    result: list[str] = []
    taken: set[str] = set()
    counts: dict[str, int] = {}
    for name in names:
        base = python_name(name, fallback=fallback)
        candidate = base
        if candidate in taken:
            n = counts.get(base, 1)
            while candidate in taken:
                n += 1
                candidate = f"{base}_{n}"
            counts[base] = n
        taken.add(candidate)
        result.append(candidate)
    return result


def close_matches(
    word: str, candidates: Iterable[str], n: int = 3, cutoff: float = 0.6
) -> list[str]:
    """The candidates most like ``word`` (difflib's ratio), for "did you mean ...?".

    difflib is imported here, on the first mistake, not when comfydsl.nodes is imported.
    """
    import difflib

    return difflib.get_close_matches(word, list(candidates), n=n, cutoff=cutoff)


__all__ = ["close_matches", "python_name", "unique_python_names"]
