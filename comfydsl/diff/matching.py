"""Pairing the nodes of two workflows that differ, so that the differences read as few and small.

When the graphs are not the same (comfydsl.diff.iso says so), the pairing that makes the
smallest report is the answer of an NP-hard problem; this finds it for the changes people make
(a value, a link, a node added or taken away, here and there) from the strictest evidence to the
loosest. The nodes not yet paired are grouped by a key, in this order:

1. ``up`` and ``down`` context together: the node, everything upstream and everything downstream
   unchanged;
2. ``up`` alone (the nodes upstream of a change), 3. ``down`` alone (the nodes downstream of
   it, and a node whose own link moved);
4. to 6. the same contexts made of classes alone (``up_shape``, ``down_shape``), which values
   do not touch: a node near a changed value;
7. the label (class and values), 8. the class alone (a node whose values changed).

A key held by exactly one unpaired node on each side pairs them; that is done for every key,
again and again, until it pairs nothing more. Only then are keys shared by several nodes
decided, strictest key first: each node of ``a`` takes the candidate that agrees with it most
(links to nodes already paired, then contexts, then values), and after each key the unique
pairs are looked for again. Every new pair also pairs its neighbours: the sources of
same-named inputs and the consumers of same outputs that share the key, one to one, outwards,
so that a repeated subgraph is paired copy with copy and not node by node across copies.
Last, comfydsl.diff.improve re-pairs nodes where that shortens the report.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from comfydsl.diff.graphs import Side
from comfydsl.diff.improve import improve

__all__ = ["match"]

_GONE = object()

#: How many candidates of one key a node weighs one by one; past it, those next to its pairs.
_CANDIDATES = 64

Key = Callable[[Side, int], Any]

#: The keys, strictest first (see the module's docstring).
KEYS: tuple[Key, ...] = (
    lambda s, v: (s.up[v], s.down[v]),
    lambda s, v: s.up[v],
    lambda s, v: s.down[v],
    lambda s, v: (s.up_shape[v], s.down_shape[v]),
    lambda s, v: s.up_shape[v],
    lambda s, v: s.down_shape[v],
    lambda s, v: s.label[v],
    lambda s, v: s.classes[v],
)


def match(a: Side, b: Side) -> dict[int, int]:
    """A pairing of ``a``'s nodes with ``b``'s (by index), for a readable difference."""
    a.shapes()
    b.shapes()
    matcher = _Matcher(a, b)
    matcher.unique_pairs()
    for level in range(len(KEYS)):
        matcher.shared_keys(level)
        matcher.unique_pairs()
    return improve(a, b, matcher.ab)


class _Matcher:
    def __init__(self, a: Side, b: Side) -> None:
        self.a = a
        self.b = b
        self.ab: dict[int, int] = {}
        self.ba: dict[int, int] = {}
        self.b_links = [{n: (s, i) for n, s, i in links} for links in b.links]
        self.keys_a = [[key(a, v) for v in range(len(a))] for key in KEYS]
        self.keys_b = [[key(b, w) for w in range(len(b))] for key in KEYS]
        self.key_a: list[Any] = []
        self.key_b: list[Any] = []

    def _buckets(self, level: int) -> dict[Any, tuple[list[int], list[int]]]:
        """The unpaired nodes of each side by their key at ``level`` (keys held on both sides)."""
        self.key_a, self.key_b = self.keys_a[level], self.keys_b[level]
        buckets: dict[Any, tuple[list[int], list[int]]] = {}
        for v, key in enumerate(self.key_a):
            if v not in self.ab:
                buckets.setdefault(key, ([], []))[0].append(v)
        for w, key in enumerate(self.key_b):
            if w not in self.ba:
                found = buckets.get(key)
                if found is not None:
                    found[1].append(w)
        return buckets

    def unique_pairs(self) -> None:
        """Pair the nodes whose key, at any level, one unpaired node of each side holds."""
        progress = True
        while progress and len(self.ab) < min(len(self.a), len(self.b)):
            progress = False
            for level in range(len(KEYS)):
                for xs, ys in self._buckets(level).values():
                    # (A pair made in this loop may have paired one of these by spreading.)
                    single = len(xs) == 1 and len(ys) == 1
                    if single and xs[0] not in self.ab and ys[0] not in self.ba:
                        self._pair(xs[0], ys[0])
                        progress = True

    def shared_keys(self, level: int) -> None:
        """Pair the nodes of keys that several unpaired nodes hold, best agreement first.

        Before the last key, a node waits until the nodes it takes links from are paired (so
        that copies are told apart by what they hang from), and a pair whose links disagree
        with pairs already made (x's input comes from a node paired with another than y's
        input's source) is left for later: the node is likely the changed one, and its true
        partner has another key. Within a key, the pairs that agree most are made first.
        """
        last = level == len(KEYS) - 1
        for xs, ys in self._buckets(level).values():
            if not last:
                xs = [x for x in xs if all(s in self.ab for _, s, _ in self.a.links[x])]
            if len(xs) * len(ys) <= _CANDIDATES * _CANDIDATES:
                self._pair_best_first(xs, ys, last)
                continue
            for x in xs:  # too many to weigh every pair: each node takes its best in turn
                free = [y for y in ys if y not in self.ba]
                if not free:
                    break
                if x in self.ab:
                    continue
                if not last:
                    free = [y for y in free if not self._conflicts(x, y)]
                if free:
                    self._pair(x, self._best(x, free))

    def _pair_best_first(self, xs: list[int], ys: list[int], last: bool) -> None:
        scored = [
            (-self._score(x, y), i, j, x, y)
            for i, x in enumerate(xs)
            for j, y in enumerate(ys)
            if last or not self._conflicts(x, y)
        ]
        scored.sort()
        for _, _, _, x, y in scored:
            if x in self.ab or y in self.ba:
                continue
            if not last and self._conflicts(x, y):
                continue  # a pair made since disagrees with this one
            self._pair(x, y)

    # -- pairing and spreading -------------------------------------------------------------------
    def _pair(self, x: int, y: int) -> None:
        queue = [(x, y)]
        self.ab[x] = y
        self.ba[y] = x
        while queue:
            x, y = queue.pop()
            for pair in self._neighbour_pairs(x, y):
                self.ab[pair[0]] = pair[1]
                self.ba[pair[1]] = pair[0]
                queue.append(pair)

    def _neighbour_pairs(self, x: int, y: int) -> list[tuple[int, int]]:
        """Unpaired neighbours of a new pair that pair one to one under the pass's key."""
        found = []
        key_a, key_b = self.key_a, self.key_b
        links_y = self.b_links[y]
        for name, source, output in self.a.links[x]:
            other = links_y.get(name)
            if (
                other is not None
                and other[1] == output
                and source not in self.ab
                and other[0] not in self.ba
                and key_a[source] == key_b[other[0]]
            ):
                found.append((source, other[0]))
        groups: dict[tuple[str, int, Any], tuple[list[int], list[int]]] = {}
        for name, consumer, output in self.a.consumers[x]:
            if consumer not in self.ab:
                groups.setdefault((name, output, key_a[consumer]), ([], []))[0].append(consumer)
        if groups:
            for name, consumer, output in self.b.consumers[y]:
                if consumer not in self.ba:
                    group = groups.get((name, output, key_b[consumer]))
                    if group is not None:
                        group[1].append(consumer)
            for xs, ys in groups.values():
                if len(xs) == 1 and len(ys) == 1:
                    found.append((xs[0], ys[0]))
        # One node may be reached twice (two links from one source): pair it once.
        seen_a: set[int] = set()
        seen_b: set[int] = set()
        unique = []
        for pair in found:
            if pair[0] not in seen_a and pair[1] not in seen_b:
                seen_a.add(pair[0])
                seen_b.add(pair[1])
                unique.append(pair)
        return unique

    # -- choosing among several ----------------------------------------------------------------
    def _best(self, x: int, free: list[int]) -> int:
        if len(free) > _CANDIDATES:
            near = self._near(x)
            free = [y for y in free if y in near] + free[:_CANDIDATES]
        best = free[0]
        best_score = -1
        for y in free:
            score = self._score(x, y)
            if score > best_score:
                best, best_score = y, score
        return best

    def _near(self, x: int) -> set[int]:
        """``b``'s nodes next to the pairs of ``x``'s neighbours."""
        near: set[int] = set()
        b = self.b
        for _, source, _ in self.a.links[x]:
            partner = self.ab.get(source)
            if partner is not None:
                near.update(c for _, c, _ in b.consumers[partner])
        for _, consumer, _ in self.a.consumers[x]:
            partner = self.ab.get(consumer)
            if partner is not None:
                near.update(s for _, s, _ in b.links[partner])
        return near

    def _conflicts(self, x: int, y: int) -> bool:
        """Whether pairing x with y contradicts a pair made: a link from a paired node on one
        side that is not the link from its partner on the other."""
        links_y = self.b_links[y]
        for name, source, output in self.a.links[x]:
            partner = self.ab.get(source)
            if partner is not None and links_y.get(name) != (partner, output):
                return True
        links_x = {n: (s, i) for n, s, i in self.a.links[x]}
        for name, source, output in self.b.links[y]:
            partner = self.ba.get(source)
            if partner is not None and links_x.get(name) != (partner, output):
                return True
        consumers_y = {(n, c, i) for n, c, i in self.b.consumers[y]}
        for name, consumer, output in self.a.consumers[x]:
            partner = self.ab.get(consumer)
            if partner is not None and (name, partner, output) not in consumers_y:
                return True
        consumers_x = {(n, c, i) for n, c, i in self.a.consumers[x]}
        for name, consumer, output in self.b.consumers[y]:
            partner = self.ba.get(consumer)
            if partner is not None and (name, partner, output) not in consumers_x:
                return True
        return False

    def _score(self, x: int, y: int) -> int:
        a, b = self.a, self.b
        score = 0
        links_y = self.b_links[y]
        for name, source, output in a.links[x]:
            other = links_y.get(name)
            if other is not None and other[1] == output and self.ab.get(source) == other[0]:
                score += 4
        consumers_y = {(n, c, i) for n, c, i in b.consumers[y]}
        for name, consumer, output in a.consumers[x]:
            partner = self.ab.get(consumer)
            if partner is not None and (name, partner, output) in consumers_y:
                score += 4
        score += 2 * (a.up[x] == b.up[y]) + 2 * (a.down[x] == b.down[y])
        score += (a.up_shape[x] == b.up_shape[y]) + (a.down_shape[x] == b.down_shape[y])
        score += 2 * (a.label[x] == b.label[y])
        keys_y = b.keys[y]
        for name, key in a.keys[x].items():
            if keys_y.get(name, _GONE) == key:
                score += 1
        # Neighbours alike: inputs and consumers of the same name and class, and output.
        near_x: Counter[tuple[Any, ...]] = Counter((n, a.classes[c]) for n, c, _ in a.consumers[x])
        near_y: Counter[tuple[Any, ...]] = Counter((n, b.classes[c]) for n, c, _ in b.consumers[y])
        near_x.update(("in", n, a.classes[s]) for n, s, _ in a.links[x])
        near_y.update(("in", n, b.classes[s]) for n, s, _ in b.links[y])
        near_x.update((n, i) for n, _, i in a.consumers[x])
        near_y.update((n, i) for n, _, i in b.consumers[y])
        near_x.update(("in", n, i) for n, _, i in a.links[x])
        near_y.update(("in", n, i) for n, _, i in b.links[y])
        return score + sum((near_x & near_y).values())
