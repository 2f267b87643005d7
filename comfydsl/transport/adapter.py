"""comfydsl's own ``requests`` adapter: connections that the call's deadline can cut.

``requests`` passes a timeout down to each socket read, so a server that drips its headers a byte
at a time is never timed out. The connections made here register themselves with the deadline
of the call that uses them (:func:`~comfydsl.transport.deadline.active_deadline`), whose watchdog
shuts their socket down when it passes: connecting, the TLS handshake, the headers and the body
(read by the Transport inside the same deadline) all end by it.

A session or adapter passed in by the caller is used as it is: its reads are still bounded by the
time left and the body by the deadline between chunks, but nothing cuts a read inside it.
"""

from __future__ import annotations

from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from comfydsl.transport.deadline import active_deadline, shutdown_socket

__all__ = ["DeadlineAdapter"]


def _register(connection: HTTPConnection) -> None:
    deadline = active_deadline()
    if deadline is not None:
        # The socket is looked up when the deadline passes: it may not exist yet (connecting).
        deadline.on_expiry(connection, lambda: shutdown_socket(connection.sock))


class _CutConnection(HTTPConnection):
    def connect(self) -> None:
        _register(self)
        super().connect()

    def request(self, *args: Any, **kwargs: Any) -> None:
        _register(self)  # a pooled connection, already open, serving another call
        super().request(*args, **kwargs)


class _CutTLSConnection(HTTPSConnection):
    def connect(self) -> None:
        _register(self)
        super().connect()

    def request(self, *args: Any, **kwargs: Any) -> None:
        _register(self)
        super().request(*args, **kwargs)


# The stock connection classes and their cuttable kin.
_CUTTABLE: dict[type[Any], type[HTTPConnection]] = {
    HTTPConnection: _CutConnection,
    HTTPSConnection: _CutTLSConnection,
}


def _cuttable(pool_class: type[HTTPConnectionPool]) -> type[HTTPConnectionPool]:
    """A subclass of a pool class that makes cuttable connections."""
    connection = _CUTTABLE.get(pool_class.ConnectionCls, pool_class.ConnectionCls)
    return type(f"Cut{pool_class.__name__}", (pool_class,), {"ConnectionCls": connection})


_CUT_POOLS = {"http": _cuttable(HTTPConnectionPool), "https": _cuttable(HTTPSConnectionPool)}


class DeadlineAdapter(HTTPAdapter):
    """An ``HTTPAdapter`` whose connections the active deadline's watchdog cuts.

    Connections through a proxy are the stock ones: their reads are bounded by the time left,
    and their bodies by the deadline between chunks, but nothing cuts a read inside them.
    """

    def __init__(self) -> None:
        super().__init__()
        manager = self.poolmanager
        manager.pool_classes_by_scheme = {**manager.pool_classes_by_scheme, **_CUT_POOLS}
