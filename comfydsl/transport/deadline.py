"""One point in time a whole call must end by, and the watchdog that holds the network to it.

A socket timeout bounds one read: a server that sends a byte every second never trips it, and a
call made of many reads (headers, body, a WebSocket handshake) can last many times its timeout.
A :class:`Deadline` is the whole call's bound (``time.monotonic`` based). Everything that waits
on the network asks it how long is left (:meth:`Deadline.remaining`) before each wait, and while a
call runs under :meth:`Deadline.cutting` a watchdog thread shuts down every socket registered
with it (:meth:`Deadline.on_expiry`) the moment the deadline passes, so a blocked read returns
whatever the server does. One daemon thread serves every deadline of the process.

>>> deadline = Deadline(2.5)
>>> 0 < deadline.remaining() <= 2.5
True
>>> deadline.expired
False
"""

from __future__ import annotations

import contextlib
import contextvars
import heapq
import itertools
import socket
import threading
import time
from collections.abc import Callable, Iterator

__all__ = ["Deadline", "active_deadline", "shutdown_socket"]

_ACTIVE: contextvars.ContextVar[Deadline | None] = contextvars.ContextVar(
    "comfydsl_deadline", default=None
)


class Deadline:
    """A call's end: ``seconds`` from when it was made (or the absolute ``at``, monotonic)."""

    def __init__(self, seconds: float, *, at: float | None = None) -> None:
        self.seconds = float(seconds)
        self.at = at if at is not None else time.monotonic() + self.seconds
        self._lock = threading.Lock()
        self._cuts: dict[int, Callable[[], None]] = {}
        self._expired = False

    @classmethod
    def until(cls, at: float) -> Deadline:
        """A deadline at the monotonic time ``at``."""
        return cls(max(at - time.monotonic(), 0.0), at=at)

    def __repr__(self) -> str:
        return f"<Deadline {self.seconds:g} s, {self.remaining():.3f} s left>"

    def remaining(self) -> float:
        """Seconds left (never below zero)."""
        return max(self.at - time.monotonic(), 0.0)

    @property
    def expired(self) -> bool:
        """True once the deadline has passed."""
        return self._expired or time.monotonic() >= self.at

    def sooner(self, seconds: float) -> Deadline:
        """This deadline, or one ``seconds`` from now if that comes first."""
        at = time.monotonic() + seconds
        return self if self.at <= at else Deadline(seconds, at=at)

    def on_expiry(self, key: object, cut: Callable[[], None]) -> None:
        """Call ``cut`` when the deadline passes, while :meth:`cutting` is active (once per ``key``).

        Past the deadline already, ``cut`` is called at once.
        """
        with self._lock:
            if not self._expired:
                self._cuts[id(key)] = cut
                return
        cut()

    @contextlib.contextmanager
    def cutting(self) -> Iterator[Deadline]:
        """Run a call under this deadline: the watchdog cuts what is registered when it passes.

        Inside, :func:`active_deadline` is this deadline (for the connections comfydsl's own HTTP
        adapter makes, which register themselves). Leaving forgets every registration, so a
        pooled connection is not cut later by a deadline that no longer applies.
        """
        token = _ACTIVE.set(self)
        _WATCHDOG.watch(self)
        try:
            yield self
        finally:
            _ACTIVE.reset(token)
            with self._lock:
                self._cuts.clear()

    def _expire(self) -> None:
        with self._lock:
            self._expired = True
            cuts, self._cuts = list(self._cuts.values()), {}
        for cut in cuts:
            with contextlib.suppress(Exception):  # a cut must never kill the watchdog
                cut()


def active_deadline() -> Deadline | None:
    """The deadline of the call running in this thread (or task), if any."""
    return _ACTIVE.get()


def shutdown_socket(sock: socket.socket | None) -> None:
    """Shut a socket down both ways, so that a read blocked on it in another thread returns.

    ``socket.socket.shutdown`` is called unbound so that a TLS socket is cut at the TCP level,
    without a TLS close exchange with a server that is not answering.
    """
    if sock is None:
        return
    with contextlib.suppress(OSError, ValueError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _Watchdog:
    """One daemon thread that expires deadlines in the order they fall due."""

    def __init__(self) -> None:
        self._wake = threading.Condition()
        self._due: list[tuple[float, int, Deadline]] = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None

    def watch(self, deadline: Deadline) -> None:
        with self._wake:
            heapq.heappush(self._due, (deadline.at, next(self._order), deadline))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="comfydsl-deadlines", daemon=True
                )
                self._thread.start()
            elif self._due[0][2] is deadline:
                # Woken only when this deadline falls due first: waking the thread at every
                # call cost each request a switch of threads.
                self._wake.notify()

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._due:
                    self._wake.wait()
                at, _, deadline = self._due[0]
                delay = at - time.monotonic()
                if delay > 0:
                    self._wake.wait(delay)
                    continue
                heapq.heappop(self._due)
            deadline._expire()


_WATCHDOG = _Watchdog()
