"""Making a pairing's report shorter by moves that each shorten it.

The report of a pairing (comfydsl.diff.report) costs one line per node on one side only and
one per input that differs on a paired node (a value, or a link whose source is not the partner
of the other's source). ``improve`` takes a pairing and tries, around every input that differs:

- for a link that differs, pairing its source on one side with its source on the other (the
  nodes they were paired with are paired together, or left unpaired), or pairing the node with
  one of the other side that takes the same input from its source's partner;
- for a node that differs or has no partner, pairing it with a node of the other side next to
  the partners of its neighbours, or with its very label (swapping partners likewise);

and keeps a move when the report gets shorter, until no move helps (or ``rounds`` pass). Each
move is weighed on the few pairs it touches, so a round costs about the size of the report.
"""

from __future__ import annotations

from comfydsl.diff.graphs import Side

__all__ = ["improve"]

#: How many nodes alike a node is tried with, past those next to its neighbours' partners.
_TRIES = 8


def improve(a: Side, b: Side, ab: dict[int, int], rounds: int = 8) -> dict[int, int]:
    """``ab`` (a's index -> b's index) changed by the moves that shorten its report."""
    return _Improver(a, b, ab).run(rounds)


class _Improver:
    def __init__(self, a: Side, b: Side, ab: dict[int, int]) -> None:
        self.a = a
        self.b = b
        self.ab = dict(ab)
        self.ba = {y: x for x, y in ab.items()}
        self.a_links = [{n: (s, i) for n, s, i in links} for links in a.links]
        self.b_links = [{n: (s, i) for n, s, i in links} for links in b.links]
        self.a_by_label: dict[int, list[int]] = {}
        for v, label in enumerate(a.label):
            self.a_by_label.setdefault(label, []).append(v)
        self.b_by_label: dict[int, list[int]] = {}
        for w, label in enumerate(b.label):
            self.b_by_label.setdefault(label, []).append(w)

    def run(self, rounds: int) -> dict[int, int]:
        for _ in range(rounds):
            if not self._round():
                break
        return self.ab

    def _round(self) -> bool:
        improved = False
        for x in range(len(self.a)):
            y = self.ab.get(x)
            if y is not None and self._pair_cost(x, y) == 0:
                continue
            for target, other in self._suggestions(x, y):
                if self._try(target, other):
                    improved = True
                    break
        for w in range(len(self.b)):
            if w not in self.ba:
                for v in self._near(w, self.b, self.a, self.ba)[:_TRIES]:
                    if self._try(v, w):
                        improved = True
                        break
        return improved

    def _near(self, x: int, side: Side, other: Side, partners: dict[int, int]) -> list[int]:
        """Nodes of ``other`` of x's class next to the partners of x's neighbours, then nodes of
        x's label."""
        found: dict[int, None] = {}
        for _, source, _ in side.links[x]:
            partner = partners.get(source)
            if partner is not None:
                found.update(dict.fromkeys(c for _, c, _ in other.consumers[partner]))
        for _, consumer, _ in side.consumers[x]:
            partner = partners.get(consumer)
            if partner is not None:
                found.update(dict.fromkeys(s for _, s, _ in other.links[partner]))
        near = [w for w in found if other.classes[w] == side.classes[x]]
        by_label = self.b_by_label if other is self.b else self.a_by_label
        return near + by_label.get(side.label[x], [])[:_TRIES]

    def _suggestions(self, x: int, y: int | None) -> list[tuple[int, int]]:
        """Pairs that would make an input of (x, y) agree: the sources of a differing link, x
        with a node fed as x is, and x with a node of the other side alike."""
        found = [(x, w) for w in self._near(x, self.a, self.b, self.ab)[:_TRIES] if w != y]
        if y is None:
            return found
        links_y = self.b_links[y]
        for name, (source, output) in self.a_links[x].items():
            other = links_y.get(name)
            if other is not None and other[1] == output and self.ab.get(source) != other[0]:
                found.append((source, other[0]))
            partner = self.ab.get(source)
            if partner is not None and (other is None or other[0] != partner):
                # x with a node that takes the same input from the partner of x's source.
                found += [
                    (x, w)
                    for n, w, i in self.b.consumers[partner]
                    if n == name and i == output and w != y
                ]
        return found

    def _try(self, x: int, w: int) -> bool:
        """Pair x with w (their partners, if any, with each other); keep it if shorter."""
        if x in self.ab and self.ab[x] == w:
            return False
        if self.a.classes[x] != self.b.classes[w]:
            return False
        y = self.ab.get(x)  # x's partner now
        v = self.ba.get(w)  # w's partner now
        if v is not None and y is not None and self.a.classes[v] != self.b.classes[y]:
            return False
        touched_a = {x} if v is None else {x, v}
        touched_b = {w} if y is None else {w, y}
        before = self._cost(touched_a, touched_b)
        self._set(x, w, v, y)
        after = self._cost(touched_a, touched_b)
        if after < before:
            return True
        self._unset(x, w, v, y)
        return False

    def _set(self, x: int, w: int, v: int | None, y: int | None) -> None:
        if y is not None:
            del self.ba[y]
        if v is not None:
            del self.ab[v]
        self.ab[x], self.ba[w] = w, x
        if v is not None and y is not None:
            self.ab[v], self.ba[y] = y, v

    def _unset(self, x: int, w: int, v: int | None, y: int | None) -> None:
        del self.ab[x]
        del self.ba[w]
        if v is not None and y is not None:
            del self.ab[v]
            del self.ba[y]
        if y is not None:
            self.ab[x], self.ba[y] = y, x
        if v is not None:
            self.ab[v], self.ba[w] = w, v

    def _cost(self, touched_a: set[int], touched_b: set[int]) -> int:
        """The report's length on the pairs that moving ``touched`` nodes can change."""
        pairs = set(touched_a)
        for x in touched_a:
            pairs.update(c for _, c, _ in self.a.consumers[x])
        for w in touched_b:
            pairs.update(self.ba[c] for _, c, _ in self.b.consumers[w] if c in self.ba)
            if w in self.ba:
                pairs.add(self.ba[w])
        cost = sum(1 for x in touched_a if x not in self.ab)
        cost += sum(1 for w in touched_b if w not in self.ba)
        for x in pairs:
            y = self.ab.get(x)
            if y is not None:
                cost += self._pair_cost(x, y)
        return cost

    def _pair_cost(self, x: int, y: int) -> int:
        """How many inputs differ between x and y, links compared through the pairing."""
        a, b = self.a, self.b
        cost = 0
        links_x, links_y = self.a_links[x], self.b_links[y]
        literals_x, literals_y = a.keys[x], b.keys[y]
        for name, (source, output) in links_x.items():
            other = links_y.get(name)
            if other is None or other[1] != output or self.ab.get(source) != other[0]:
                cost += 1
        cost += sum(1 for name in links_y if name not in links_x and name not in literals_x)
        for name, value in literals_x.items():
            if literals_y.get(name, _GONE) != value:
                cost += 1
        cost += sum(1 for name in literals_y if name not in literals_x and name not in links_x)
        return cost


_GONE = object()
