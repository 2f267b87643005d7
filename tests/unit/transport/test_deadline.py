"""The watchdog behind every Deadline: each registered cut runs when its own deadline passes,
whatever deadlines were registered before or after it."""

from __future__ import annotations

import threading
import time

from comfydsl.transport.deadline import Deadline


def test_a_sooner_deadline_made_after_later_ones_is_cut_on_time() -> None:
    # The watchdog sleeps until the soonest deadline; one that falls due sooner must wake it.
    fired: dict[float, float] = {}
    done = threading.Event()
    start = time.monotonic()
    later = [Deadline(60 + i) for i in range(3)]
    for deadline in later:
        with deadline.cutting():
            pass
    soon = Deadline(0.2)
    with soon.cutting():
        soon.on_expiry("soon", lambda: (fired.setdefault(0.2, time.monotonic()), done.set()))
        assert done.wait(5), "the sooner deadline was never cut"
    assert 0.2 <= fired[0.2] - start < 3
    assert not any(deadline.expired for deadline in later)


def test_deadlines_made_in_any_order_are_cut_in_the_order_they_fall_due() -> None:
    fired: list[str] = []
    done = threading.Event()
    order = [("c", 0.6), ("a", 0.2), ("b", 0.4)]
    deadlines = [Deadline(seconds) for _, seconds in order]
    contexts = [deadline.cutting() for deadline in deadlines]
    for context in contexts:
        context.__enter__()
    try:
        for (name, _), deadline in zip(order, deadlines, strict=True):
            deadline.on_expiry(
                name, lambda name=name: (fired.append(name), len(fired) == 3 and done.set())
            )
        assert done.wait(5), fired
    finally:
        for context in reversed(contexts):
            context.__exit__(None, None, None)
    assert ["a", "b", "c"] == fired
