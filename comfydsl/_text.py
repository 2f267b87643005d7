"""Small text helpers for error messages."""

from __future__ import annotations

from collections.abc import Iterable


def close_matches(
    word: str, candidates: Iterable[str], n: int = 3, cutoff: float = 0.6
) -> list[str]:
    """The candidates most like ``word`` (difflib's ratio), for "did you mean ...?".

    difflib is imported here, on the first mistake, not when comfydsl.nodes is imported.
    """
    import difflib

    return difflib.get_close_matches(word, list(candidates), n=n, cutoff=cutoff)
