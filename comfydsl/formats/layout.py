"""Where to put the nodes of a workflow so that people can read it: a layered layout, left to right.

Data flows left to right in columns by dependency depth: a node stands one column right of the
deepest node it reads from (a node that reads nothing stands just left of its first reader, not
far away in the first column). The order of the nodes inside each column is the one the
Sugiyama method's barycenter heuristic finds to keep links from crossing, as igraph's
``layout_sugiyama`` does it (igraph is compiled, well kept and ships as a wheel: no system
package; a pure-Python Sugiyama such as grandalf took 100 s for 2,000 nodes). Loops, which a
prompt read from a file may have, are broken first by igraph's feedback arc set.

Then the nodes get pixels: each column is as wide as its widest node, columns stand
:data:`COLUMN_GAP` apart, and in a column each node goes where the heuristic put it, pushed down
as far as needed to keep :data:`ROW_GAP` below the one above: no two nodes overlap. A column
taller than the workflow calls for is cut into several side by side, and a row of columns wider
than that wraps, like text, into bands one under the other: a chain of 5,000 nodes makes a block
a few tens of thousands of pixels on each side, not a line of a million.

    positions = layered_layout([(270, 98), (400, 200)], [(0, 1)])   # [(x, y), (x, y)]
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["COLUMN_GAP", "ROW_GAP", "TITLE_HEIGHT", "layered_layout"]

#: Pixels between two columns (room for the links), and between two nodes of a column.
COLUMN_GAP = 100.0
ROW_GAP = 40.0
#: The editor draws a node's title bar this high above its position (the top of its body).
TITLE_HEIGHT = 30.0
#: Pixels between two bands of a wrapped layout.
BAND_GAP = 120.0
#: No column is cut below this height, and no row wraps below this width: ordinary workflows
#: are laid out in one band of whole columns.
MIN_COLUMN_HEIGHT = 3000.0
MIN_ROW_WIDTH = 6000.0
#: The wrapped layout aims at this ratio of width to height.
ASPECT = 16 / 9
#: How many sweeps the crossing reduction may take.
CROSSING_SWEEPS = 30


def layered_layout(
    sizes: Sequence[tuple[float, float]], edges: Sequence[tuple[int, int]]
) -> list[tuple[float, float]]:
    """The position of each node, given each node's (width, height) and the links.

    As in the editor, a position is the top-left corner of a node's body, and ``height`` is the
    body's: its title bar (:data:`TITLE_HEIGHT`) is drawn above. ``edges`` are (source, target)
    indexes into ``sizes``: data flows from source to target. Deterministic: the same input gives
    the same positions. The title bars of the top row are at y = 0, the first column at x = 0.
    """
    count = len(sizes)
    if count == 0:
        return []
    drawn_sizes = [(width, height + TITLE_HEIGHT) for width, height in sizes]
    boxes = _layered_boxes(drawn_sizes, edges)
    return [(x, y + TITLE_HEIGHT) for x, y in boxes]


def _layered_boxes(
    sizes: Sequence[tuple[float, float]], edges: Sequence[tuple[int, int]]
) -> list[tuple[float, float]]:
    """The top-left corner of each box of the given sizes (see layered_layout)."""
    count = len(sizes)
    columns, order = _columns_and_order(count, edges)
    by_column: dict[int, list[int]] = {}
    for node in sorted(range(count), key=lambda n: (columns[n], order[n], n)):
        by_column.setdefault(columns[node], []).append(node)
    area = sum((w + COLUMN_GAP) * (h + ROW_GAP) for w, h in sizes)
    side = math.sqrt(area)
    max_height = max(MIN_COLUMN_HEIGHT, side / math.sqrt(ASPECT))
    max_width = max(MIN_ROW_WIDTH, side * math.sqrt(ASPECT))
    unit = _median([h for _, h in sizes]) + ROW_GAP
    # Columns as drawn: a column too tall is cut into pieces, each placed as a column and
    # stacked from the top (the heuristic's spacing would leave holes in it).
    drawn: list[tuple[list[int], bool]] = []
    for column in sorted(by_column):
        nodes = by_column[column]
        total = sum(sizes[n][1] + ROW_GAP for n in nodes)
        if total <= max_height:
            drawn.append((nodes, False))
            continue
        piece: list[int] = []
        height = 0.0
        for node in nodes:
            if piece and height + sizes[node][1] > max_height:
                drawn.append((piece, True))
                piece, height = [], 0.0
            piece.append(node)
            height += sizes[node][1] + ROW_GAP
        drawn.append((piece, True))
    # Bands: drawn columns, left to right, as many as fit in the width.
    bands: list[list[tuple[list[int], bool]]] = [[]]
    x = 0.0
    for nodes, cut in drawn:
        width = max(sizes[n][0] for n in nodes)
        if x > 0 and x + width > max_width:
            bands.append([])
            x = 0.0
        bands[-1].append((nodes, cut))
        x += width + COLUMN_GAP
    positions: list[tuple[float, float]] = [(0.0, 0.0)] * count
    top = 0.0
    for band in bands:
        # One origin for the band, so that nodes the heuristic put side by side stay level.
        whole = [order[n] for nodes, cut in band if not cut for n in nodes]
        origin = min(whole) if whole else 0.0
        x = 0.0
        bottom = top
        for nodes, cut in band:
            y = top
            # What the nodes below each one need: no node goes so low that they would end
            # below the band's height (the heuristic spreads a short column beside long ones).
            below = sum(sizes[n][1] + ROW_GAP for n in nodes)
            for node in nodes:
                if not cut:
                    wanted = top + (order[node] - origin) * unit
                    y = max(y, min(wanted, top + max(max_height - below, 0.0)))
                positions[node] = (x, y)
                y += sizes[node][1] + ROW_GAP
                below -= sizes[node][1] + ROW_GAP
            bottom = max(bottom, y - ROW_GAP)
            x += max(sizes[n][0] for n in nodes) + COLUMN_GAP
        top = bottom + BAND_GAP
    return positions


def _columns_and_order(
    count: int, edges: Sequence[tuple[int, int]]
) -> tuple[list[int], list[float]]:
    """Each node's column, and its place in the column (smaller is higher) from igraph."""
    import igraph

    pairs = sorted({(a, b) for a, b in edges if a != b})
    graph = igraph.Graph(n=count, edges=pairs, directed=True)
    if not graph.is_dag():
        broken = set(graph.feedback_arc_set(method="eades"))
        pairs = [pair for index, pair in enumerate(pairs) if index not in broken]
        graph = igraph.Graph(n=count, edges=pairs, directed=True)
    readers: list[list[int]] = [[] for _ in range(count)]
    sources: list[list[int]] = [[] for _ in range(count)]
    for a, b in pairs:
        readers[a].append(b)
        sources[b].append(a)
    topological = graph.topological_sorting()
    columns = [0] * count
    for node in topological:
        for source in sources[node]:
            columns[node] = max(columns[node], columns[source] + 1)
    # A node that reads nothing stands just left of its first reader.
    for node in reversed(topological):
        if not sources[node] and readers[node]:
            columns[node] = max(0, min(columns[r] for r in readers[node]) - 1)
    layout = graph.layout_sugiyama(layers=columns, hgap=1, vgap=1, maxiter=CROSSING_SWEEPS)
    order = [float(layout[i][0]) for i in range(count)]
    return columns, order


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2
