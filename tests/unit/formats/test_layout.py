"""The layout of exported workflows: no overlaps, data left to right, few crossings, wrapping."""

from __future__ import annotations

import random

import strategies as sts
from hypothesis import given, settings

from comfydsl.formats.layout import MIN_ROW_WIDTH, layered_layout

Sizes = list[tuple[float, float]]
Edges = list[tuple[int, int]]


def overlapping(sizes: Sizes, positions: list[tuple[float, float]]) -> list[tuple[int, int]]:
    """Pairs of nodes whose rectangles (with the editor's 30-pixel title bar above) overlap."""
    boxes = sorted(
        (x, y - 30, x + w, y + h, i)
        for i, ((w, h), (x, y)) in enumerate(zip(sizes, positions, strict=True))
    )
    found = []
    for a, (ax0, ay0, ax1, ay1, i) in enumerate(boxes):
        for bx0, by0, _bx1, by1, j in boxes[a + 1 :]:
            if bx0 >= ax1:
                break
            if ay0 < by1 and by0 < ay1 and ax0 < ax1:
                found.append((i, j))
    return found


def crossings(edges: Edges, column: dict[int, float], row: dict[int, float]) -> int:
    """How many pairs of links between the same two columns cross."""
    count = 0
    for a, (s1, t1) in enumerate(edges):
        for s2, t2 in edges[a + 1 :]:
            same = column[s1] == column[s2] and column[t1] == column[t2]
            if same and (row[s1] - row[s2]) * (row[t1] - row[t2]) < 0:
                count += 1
    return count


@settings(max_examples=150, deadline=None)
@given(sts.layout_graphs(loops=True))
def test_no_two_nodes_overlap(graph: tuple[Sizes, Edges]) -> None:
    sizes, edges = graph
    positions = layered_layout(sizes, edges)
    assert len(sizes) == len(positions)
    assert [] == overlapping(sizes, positions)
    assert all(x >= 0 and y >= 0 for x, y in positions)


@settings(max_examples=150, deadline=None)
@given(sts.layout_graphs())
def test_data_flows_left_to_right(graph: tuple[Sizes, Edges]) -> None:
    """Each link goes to a column further right, or (wrapped) to a band further down."""
    sizes, edges = graph
    positions = layered_layout(sizes, edges)
    for source, target in edges:
        (sx, sy), (sw, sh) = positions[source], sizes[source]
        tx, ty = positions[target]
        assert sx + sw < tx or ty > sy + sh, (source, target)


@given(sts.layout_graphs())
def test_the_same_graph_gives_the_same_layout(graph: tuple[Sizes, Edges]) -> None:
    sizes, edges = graph
    assert layered_layout(sizes, edges) == layered_layout(list(sizes), list(reversed(edges)))


def test_the_order_in_a_column_has_fewer_crossings_than_the_order_of_making() -> None:
    """Against the order the nodes were made in (what a naive layout would draw), on random
    graphs of two to four columns: never more crossings, and far fewer in all."""
    ours_total = naive_total = 0
    for seed in range(60):
        chance = random.Random(seed)
        columns = [list(range(k * 8, k * 8 + 8)) for k in range(chance.randint(2, 4))]
        edges = sorted(
            {
                (chance.choice(columns[k]), chance.choice(columns[k + 1]))
                for k in range(len(columns) - 1)
                for _ in range(12)
            }
        )
        linked = {n for edge in edges for n in edge}
        nodes = sorted(linked)
        index = {n: i for i, n in enumerate(nodes)}
        local = [(index[a], index[b]) for a, b in edges]
        sizes = [(200.0, 100.0)] * len(nodes)
        positions = layered_layout(sizes, local)
        column = {i: positions[i][0] for i in range(len(nodes))}
        row = {i: positions[i][1] for i in range(len(nodes))}
        naive_row = {i: float(nodes[i]) for i in range(len(nodes))}
        ours, naive = crossings(local, column, row), crossings(local, column, naive_row)
        assert ours <= naive, (seed, ours, naive)
        ours_total += ours
        naive_total += naive
    assert ours_total < naive_total * 0.7, (ours_total, naive_total)


def test_a_long_chain_wraps_into_a_block() -> None:
    count = 5000
    sizes = [(300.0, 130.0)] * count
    positions = layered_layout(sizes, [(i, i + 1) for i in range(count - 1)])
    width = max(x + w for (x, _), (w, _) in zip(positions, sizes, strict=True))
    height = max(y + h for (_, y), (_, h) in zip(positions, sizes, strict=True))
    assert width < 40_000 and height < 40_000, (width, height)
    assert 0.3 < width / height < 4, (width, height)
    assert [] == overlapping(sizes, positions)


def test_a_tall_column_is_cut() -> None:
    count = 3000
    sizes = [(270.0, 262.0)] * count
    positions = layered_layout(sizes, [(0, i) for i in range(1, count)])
    height = max(y + h for (_, y), (_, h) in zip(positions, sizes, strict=True))
    width = max(x + w for (x, _), (w, _) in zip(positions, sizes, strict=True))
    assert height < 40_000 and width < 40_000, (width, height)
    assert [] == overlapping(sizes, positions)


def test_a_small_workflow_is_one_band_of_whole_columns() -> None:
    sizes = [(300.0, 100.0)] * 12
    positions = layered_layout(sizes, [(i, i + 1) for i in range(11)])
    assert len({y for _, y in positions}) == 1
    assert max(x for x, _ in positions) < MIN_ROW_WIDTH
