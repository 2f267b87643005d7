"""Whether two workflows are the same graph up to their node ids: an exact test, with the renaming.

The two graphs are put side by side (one graph of ``len(a) + len(b)`` nodes) and their nodes
split into cells of nodes that no structure tells apart, starting from each node's label and
``up``/``down`` context (comfydsl.diff.graphs), then refined until every node of a cell has
the same number of links of each type into every cell (colour refinement, with Hopcroft's rule of
not splitting again by the largest piece, so it costs about ``(nodes + links) * log(nodes)``).
A cell that holds more nodes of one side than of the other proves the graphs differ.

Refinement alone cannot tell repeated identical subgraphs or mirror-image branches apart (the
nodes of each copy are in the same cells). So, as the canonical-labelling programs do, a node of
``a`` in a cell that still holds several is *individualised* together with one candidate of
``b`` (both put in a cell of their own), refinement runs again, and so on; a choice that leads
to unbalanced cells is undone (a trail of the splits) and the next candidate tried. When every
cell holds one node of each side the pairing is checked link by link. For copies that really
are interchangeable the first candidate always works, so the search costs about one refinement
per copy; ``budget`` bounds the work of a pathological pair instead of letting it run on.
"""

from __future__ import annotations

from collections.abc import Sequence

from comfydsl.diff.graphs import Palette, Side

__all__ = ["Budget", "isomorphism"]


class Budget(Exception):
    """The search went past its budget (the caller decides what that means)."""


class _Partition:
    """Cells of the nodes of both sides, refined by links; every split kept on a trail to undo.

    Each cell's nodes are kept per side (``side_a``, ``side_b``): a cell is balanced when both
    hold as many, and a node of each side is found in one step when a cell is individualised.
    """

    def __init__(
        self,
        colours: Sequence[tuple[int, int]],
        split_at: int,
        edge_in: Sequence[Sequence[tuple[int, int]]],
        edge_out: Sequence[Sequence[tuple[int, int]]],
        budget: int,
    ) -> None:
        self.split_at = split_at  # nodes below it are a's, the others b's
        self.edge_in = edge_in
        self.edge_out = edge_out
        self.budget = budget
        self.cell: list[int] = [0] * len(colours)
        self.side_a: dict[int, set[int]] = {}
        self.side_b: dict[int, set[int]] = {}
        self.trail: list[tuple[int, list[int]]] = []
        by_colour: dict[tuple[int, int], int] = {}
        for v, colour in enumerate(colours):
            c = by_colour.get(colour)
            if c is None:
                c = by_colour[colour] = len(by_colour)
                self.side_a[c] = set()
                self.side_b[c] = set()
            self.cell[v] = c
            (self.side_a if v < split_at else self.side_b)[c].add(v)
        self.next_cell = len(by_colour)
        self.open: list[int] = [c for c in self.side_a if self.size(c) > 2]

    def size(self, cell: int) -> int:
        return len(self.side_a[cell]) + len(self.side_b[cell])

    def balanced(self, cell: int) -> bool:
        return len(self.side_a[cell]) == len(self.side_b[cell])

    def cells(self) -> list[int]:
        return list(self.side_a)

    def refine(self, splitters: list[int]) -> bool:
        """Refine until stable; False as soon as a cell holds more of one side than the other."""
        queue = list(splitters)
        queued = set(queue)
        cell = self.cell
        side_a, side_b = self.side_a, self.side_b
        edge_in, edge_out = self.edge_in, self.edge_out
        while queue:
            s = queue.pop()
            queued.discard(s)
            counts: dict[int, list[int]] = {}
            work = 0
            for members in (side_a[s], side_b[s]):
                for u in members:
                    for kind, w in edge_out[u]:
                        found = counts.get(w)
                        if found is None:
                            counts[w] = [kind]
                        else:
                            found.append(kind)
                    for kind, w in edge_in[u]:
                        found = counts.get(w)
                        if found is None:
                            counts[w] = [~kind]
                        else:
                            found.append(~kind)
                    work += len(edge_out[u]) + len(edge_in[u]) + 1
            self.budget -= work
            if self.budget < 0:
                raise Budget
            touched: dict[int, dict[tuple[int, ...], list[int]]] = {}
            for w, kinds in counts.items():
                kinds.sort()
                touched.setdefault(cell[w], {}).setdefault(tuple(kinds), []).append(w)
            for x, groups in touched.items():
                size = self.size(x)
                hit = sum(len(g) for g in groups.values())
                if len(groups) == 1 and hit == size:
                    continue
                pieces = [groups[key] for key in sorted(groups)]
                if hit == size:
                    pieces = pieces[1:]  # the first group stays in x
                made = self._split(x, pieces)
                if not all(self.balanced(c) for c in (x, *made)):
                    return False
                if x in queued:
                    queue += made
                    queued.update(made)
                else:
                    everything = [x, *made]
                    largest = max(everything, key=self.size)
                    for c in everything:
                        if c != largest:
                            queue.append(c)
                            queued.add(c)
        return True

    def _split(self, x: int, pieces: list[list[int]]) -> list[int]:
        made = []
        split_at = self.split_at
        for piece in pieces:
            c = self.next_cell
            self.next_cell += 1
            ours = {v for v in piece if v < split_at}
            theirs = {v for v in piece if v >= split_at}
            self.side_a[c] = ours
            self.side_b[c] = theirs
            self.side_a[x] -= ours
            self.side_b[x] -= theirs
            for v in piece:
                self.cell[v] = c
            made.append(c)
            if len(piece) > 2:
                self.open.append(c)
        self.trail.append((x, made))
        return made

    def undo(self, mark: int) -> None:
        """Undo the splits made since the trail was ``mark`` long."""
        while len(self.trail) > mark:
            x, made = self.trail.pop()
            for c in reversed(made):
                ours = self.side_a.pop(c)
                theirs = self.side_b.pop(c)
                self.side_a[x] |= ours
                self.side_b[x] |= theirs
                for v in ours:
                    self.cell[v] = x
                for v in theirs:
                    self.cell[v] = x
                self.next_cell -= 1
            if self.size(x) > 2:
                self.open.append(x)

    def target(self) -> int | None:
        """A cell still holding more than one node of each side, or None when all are pairs."""
        while self.open:
            c = self.open[-1]
            if c in self.side_a and self.size(c) > 2:
                return c
            self.open.pop()
        return None

    def individualise(self, x: int, a: int, b: int) -> bool:
        made = self._split(x, [[a, b]])
        return self.refine(made)


class _Choice:
    """One individualisation: in cell ``x``, a's node ``node`` with one of b's nodes.

    The first candidate tried is any node of b's side of the cell (for copies that really are
    interchangeable it is the only one tried); the others are listed only if it fails.
    """

    __slots__ = ("candidates", "mark", "next", "node", "x")

    def __init__(self, partition: _Partition, x: int) -> None:
        self.mark = len(partition.trail)
        self.x = x
        self.node = next(iter(partition.side_a[x]))
        self.candidates: list[int] = [next(iter(partition.side_b[x]))]
        self.next = 0

    def advance(self, partition: _Partition) -> bool:
        """Try the next candidates until one refines without a contradiction."""
        while True:
            exhausted = self.next == len(self.candidates)
            if exhausted and (self.next > 1 or not self._list_all(partition)):
                partition.undo(self.mark)
                return False
            candidate = self.candidates[self.next]
            self.next += 1
            partition.undo(self.mark)
            if partition.individualise(self.x, self.node, candidate):
                return True

    def _list_all(self, partition: _Partition) -> bool:
        partition.undo(self.mark)
        first = self.candidates[0]
        rest = sorted(v for v in partition.side_b[self.x] if v != first)
        self.candidates += rest
        return bool(rest)


def isomorphism(a: Side, b: Side, budget: int | None = None) -> dict[int, int] | None:
    """A renaming of ``a``'s nodes to ``b``'s (by index) that makes the graphs equal, or None.

    Raises Budget when the search takes more than ``budget`` steps (a step is one link looked
    at); by default that is a few hundred times the size of the graphs.
    """
    if len(a) != len(b):
        return None
    if sorted(zip(a.up, a.down, strict=True)) != sorted(zip(b.up, b.down, strict=True)):
        return None
    types = Palette()
    in_a, out_a = a.edges(types, 0)
    in_b, out_b = b.edges(types, len(a))
    edges_in = in_a + in_b
    edges_out = out_a + out_b
    size = len(edges_in) + sum(len(e) for e in edges_in)
    colours = [*zip(a.up, a.down, strict=True), *zip(b.up, b.down, strict=True)]
    partition = _Partition(
        colours, len(a), edges_in, edges_out, budget if budget is not None else 300 * size + 10_000
    )
    if not all(partition.balanced(c) for c in partition.cells()):
        return None
    # The up and down contexts already tell apart every node that differs from the others by
    # what is upstream or downstream of it: refining by the cells of one node of each side
    # (usually nearly all of them) would find nothing more, so only the others are splitters.
    # (Refinement only prunes the search; the pairing found is checked link by link.)
    crowded = [c for c in partition.cells() if partition.size(c) > 2]
    if crowded and not partition.refine(crowded):
        return None
    choices: list[_Choice] = []  # depth first
    while True:
        x = partition.target()
        if x is None:
            renaming = _pairs(partition, len(a))
            if _preserves(a, b, renaming):
                return renaming
        else:
            choices.append(_Choice(partition, x))
            if choices[-1].advance(partition):
                continue
            choices.pop()
        # A contradiction, or a pairing that is not an isomorphism: move an earlier choice on.
        while choices and not choices[-1].advance(partition):
            choices.pop()
        if not choices:
            return None


def _pairs(partition: _Partition, split_at: int) -> dict[int, int]:
    renaming = {}
    for c, ours in partition.side_a.items():
        (first,) = ours
        (second,) = partition.side_b[c]
        renaming[first] = second - split_at
    return renaming


def _preserves(a: Side, b: Side, renaming: dict[int, int]) -> bool:
    """Whether ``renaming`` maps every node onto one of the same label and every link onto a link."""
    for v, w in renaming.items():
        if a.label[v] != b.label[w]:
            return False
        if [(n, renaming[s], i) for n, s, i in a.links[v]] != b.links[w]:
            return False
    return True
