"""Comparing two workflows regardless of their node ids: ``compare(a, b)`` gives a ``Diff``.

    from comfydsl import compare, load_prompt

    diff = compare(load_prompt("exported.json"), my_workflow)
    diff.same          # True when both build the same graph (ids and, by default, titles aside)
    print(diff)        # otherwise what differs: nodes on one side only, changed values, re-wired links

Two workflows build the same graph when a renaming of one's ids makes its prompt the other's
(titles aside unless ``titles=True``). That is decided exactly (comfydsl.diff.iso: colour
refinement and individualisation, so that repeated identical subgraphs and mirror-image branches
are paired correctly); when they differ, the nodes are paired so that the report is as short as
the changes (comfydsl.diff.matching), and the report is built from that pairing
(comfydsl.diff.report).
"""

from __future__ import annotations

import gc
import os
from collections.abc import Mapping
from typing import Any

from comfydsl.diff.graphs import Palette, Side, read_workflow
from comfydsl.diff.iso import Budget, isomorphism
from comfydsl.diff.matching import match
from comfydsl.diff.report import (
    ABSENT,
    Diff,
    InputChange,
    LinkEnd,
    NodeChange,
    NodeRef,
    SideInfo,
    build_diff,
    same_graph,
)
from comfydsl.errors import CompareError
from comfydsl.graph import Workflow

__all__ = [
    "ABSENT",
    "Diff",
    "InputChange",
    "LinkEnd",
    "NodeChange",
    "NodeRef",
    "SideInfo",
    "compare",
]

Source = Workflow | Mapping[str, Any] | str | os.PathLike[str]


def compare(
    a: Source,
    b: Source,
    *,
    titles: bool = False,
    names: tuple[str, str] | None = None,
    budget: int | None = None,
) -> Diff:
    """The difference between two workflows, regardless of their node ids.

    Each side is a Workflow, or a workflow of either format (an API-format prompt or an editor
    workflow), as a dict or a file. ``titles`` counts
    the nodes' titles as part of the graph (by default they are ignored); ``names`` names the
    sides in the report (default: their files, else ``A`` and ``B``). ``budget`` bounds the
    search for a pairing of very symmetric graphs (see comfydsl.diff.iso); a pair that
    exhausts it and that the pairing of comfydsl.diff.matching does not show equal is a
    CompareError rather than a guess.

        diff = compare("exported.json", workflow)
        if not diff.same:
            print(diff)
    """
    first, second = read_workflow(a), read_workflow(b)
    if names is None:
        names = (_name(a, first, "A"), _name(b, second, "B"))
    # Comparing makes many small tuples and no cycles: pause the collector meanwhile, or every
    # few hundred of them it walks both workflows whole (it doubled the time at 5,000 nodes).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _compare(first, second, titles, names, budget)
    finally:
        if collecting:
            gc.enable()


def _compare(
    first: Workflow, second: Workflow, titles: bool, names: tuple[str, str], budget: int | None
) -> Diff:
    palette = Palette()
    side_a = Side(first, palette, titles=titles, label=names[0])
    side_b = Side(second, palette, titles=titles, label=names[1])
    try:
        renaming = isomorphism(side_a, side_b, budget)
    except Budget:
        pairs = match(side_a, side_b)
        diff = build_diff(side_a, side_b, pairs, titles=titles, names=names)
        if diff.same:
            return diff
        raise CompareError(
            f"{names[0]} and {names[1]} are too symmetric to tell apart within the search's "
            f"budget; a pairing of their nodes finds {diff.summary()[11:]}",
            steps=budget,
        ) from None
    if renaming is not None:
        return same_graph(side_a, side_b, renaming, titles=titles, names=names)
    return build_diff(side_a, side_b, match(side_a, side_b), titles=titles, names=names)


def _name(source: Source, workflow: Workflow, default: str) -> str:
    if isinstance(source, (str, os.PathLike)):
        return os.fspath(source)
    return workflow.name or default
