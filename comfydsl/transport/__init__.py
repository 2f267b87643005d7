"""The one HTTP stack: every request comfydsl sends (and its WebSocket handshake), with one set
of headers, TLS settings, timeouts and errors (see ``comfydsl.transport.http``), and the two
seams a test injects its own network through: a ``requests`` adapter, a WebSocket factory. Importing it imports ``requests``; the
layers below import it only when they really talk to a server.
"""

from comfydsl.transport.deadline import Deadline
from comfydsl.transport.errors import (
    AnswerTooLarge,
    BadServerURL,
    ClientError,
    MalformedAnswer,
    RequestRejected,
    RequestTimeout,
    ServerError,
    ServerUnreachable,
)
from comfydsl.transport.http import Timeout, Transport, normalize_url
from comfydsl.transport.websocket import WebSocketConnection, WebSocketFactory

__all__ = [
    "AnswerTooLarge",
    "BadServerURL",
    "ClientError",
    "Deadline",
    "MalformedAnswer",
    "RequestRejected",
    "RequestTimeout",
    "ServerError",
    "ServerUnreachable",
    "Timeout",
    "Transport",
    "WebSocketConnection",
    "WebSocketFactory",
    "normalize_url",
]
