"""The watchdog behind every Deadline: each registered cut runs when its own deadline passes,
whatever deadlines were registered before or after it."""

from __future__ import annotations

import contextlib
import functools
import threading
import time

from comfydsl.transport.deadline import Deadline


class Cuts:
    """The names of the cuts made, in order, with the time of each."""

    def __init__(self, expected: int) -> None:
        self.made: list[tuple[str, float]] = []
        self.expected = expected
        self.all_made = threading.Event()

    def cut(self, name: str) -> None:
        self.made.append((name, time.monotonic()))
        if len(self.made) == self.expected:
            self.all_made.set()


def test_a_sooner_deadline_made_after_later_ones_is_cut_on_time() -> None:
    # The watchdog sleeps until the soonest deadline; one that falls due sooner must wake it.
    cuts = Cuts(1)
    start = time.monotonic()
    later = [Deadline(60 + i) for i in range(3)]
    for deadline in later:
        with deadline.cutting():
            pass
    soon = Deadline(0.2)
    with soon.cutting():
        soon.on_expiry("soon", functools.partial(cuts.cut, "soon"))
        assert cuts.all_made.wait(5), "the sooner deadline was never cut"
    assert 0.2 <= cuts.made[0][1] - start < 3
    assert not any(deadline.expired for deadline in later)


def test_deadlines_made_in_any_order_are_cut_in_the_order_they_fall_due() -> None:
    cuts = Cuts(3)
    order = [("c", 0.6), ("a", 0.2), ("b", 0.4)]
    with contextlib.ExitStack() as stack:
        for name, seconds in order:
            deadline = stack.enter_context(Deadline(seconds).cutting())
            deadline.on_expiry(name, functools.partial(cuts.cut, name))
        assert cuts.all_made.wait(5), cuts.made
    assert ["a", "b", "c"] == [name for name, _ in cuts.made]
