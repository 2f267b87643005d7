"""The one HTTP stack: every request comfydsl sends, with one set of headers, TLS settings,
timeouts and errors (see ``comfydsl.transport.http``). Importing it imports ``requests``; the
layers below import it only when they really talk to a server.
"""

from comfydsl.transport.errors import (
    BadServerURL,
    ClientError,
    RequestRejected,
    RequestTimeout,
    ServerError,
    ServerUnreachable,
)
from comfydsl.transport.http import Timeout, Transport, normalize_url

__all__ = [
    "BadServerURL",
    "ClientError",
    "RequestRejected",
    "RequestTimeout",
    "ServerError",
    "ServerUnreachable",
    "Timeout",
    "Transport",
    "normalize_url",
]
