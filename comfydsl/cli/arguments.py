"""Arguments that several commands share, and the options they turn into.

    --server URL           the ComfyUI server (run, catalog pull)
    --header 'NAME: VALUE' an extra HTTP header for every request, the catalog's included
    --cacert FILE          trust this CA bundle for https (--insecure: trust any certificate)
    --catalog FILE_OR_URL  node definitions of custom node packs; repeatable

A command that asks a server for anything (its catalog, its prompt queue) asks it with the same
headers and TLS settings, through :class:`HTTPOptions`.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field
from typing import Any

from comfydsl.errors import ComfyDSLError

__all__ = [
    "DEFAULT_SERVER",
    "SERVER_ENV",
    "STDIN",
    "HTTPOptions",
    "UsageError",
    "add_catalog_argument",
    "add_http_arguments",
    "add_server_arguments",
    "http_options",
    "parse_header",
]

SERVER_ENV = "COMFYDSL_SERVER"
DEFAULT_SERVER = "http://127.0.0.1:8188"

#: The file name that means standard input (for a file read) or standard output (for ``-o``).
STDIN = "-"


class UsageError(ComfyDSLError, ValueError):
    """A command line that argparse accepts but that asks for something impossible (exit status 2)."""


@dataclass(frozen=True)
class HTTPOptions:
    """How to talk to servers: what ``Client`` and ``load_catalog`` both take."""

    headers: dict[str, str] = field(default_factory=dict)
    verify: bool | str | None = None
    timeout: float = 30.0


def parse_header(text: str) -> tuple[str, str]:
    """``'Name: value'`` as ``("Name", "value")``; argparse reports anything else as a usage error."""
    name, sep, value = text.partition(":")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"expected 'Name: value', got {text!r}")
    return name.strip(), value.strip()


def add_catalog_argument(parser: argparse.ArgumentParser, help: str) -> None:
    """``--catalog FILE_OR_URL``, repeatable; ``-`` reads one from standard input."""
    parser.add_argument("--catalog", action="append", default=[], metavar="FILE_OR_URL", help=help)


def add_http_arguments(parser: argparse.ArgumentParser) -> None:
    """``--header`` (repeatable), and ``--cacert FILE`` or ``--insecure`` for https."""
    parser.add_argument(
        "--header",
        action="append",
        default=[],
        type=parse_header,
        metavar="'NAME: VALUE'",
        help="an extra HTTP header for every request (e.g. an auth token), catalog URLs "
        "included; repeatable",
    )
    tls = parser.add_mutually_exclusive_group()
    tls.add_argument(
        "--cacert", metavar="FILE", help="https: trust the certificates of this CA bundle"
    )
    tls.add_argument(
        "--insecure",
        action="store_true",
        help="https: accept any certificate (for a self-signed server you trust)",
    )


def add_server_arguments(parser: argparse.ArgumentParser, *, several: bool = False) -> None:
    """``--server URL`` (default ``$COMFYDSL_SERVER`` or the local server), with the HTTP options.

    With ``several``, ``--server`` may be repeated and ``args.server`` is a list of URLs.
    """
    default = os.environ.get(SERVER_ENV, DEFAULT_SERVER)
    if several:
        parser.add_argument(
            "--server",
            action=_Servers,
            default=[default],
            metavar="URL",
            help=f"a ComfyUI server; repeat it to share the jobs between several (default: "
            f"${SERVER_ENV} or {DEFAULT_SERVER})",
        )
    else:
        parser.add_argument(
            "--server",
            default=default,
            metavar="URL",
            help=f"the ComfyUI server (default: ${SERVER_ENV} or {DEFAULT_SERVER})",
        )
    add_http_arguments(parser)


class _Servers(argparse.Action):
    """Repeatable ``--server``: the first one given replaces the default, the others add to it."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        given = getattr(namespace, "_servers_given", False)
        servers = list(getattr(namespace, self.dest)) if given else []
        if values in servers:
            parser.error(f"--server {values} is given twice")
        servers.append(values)
        setattr(namespace, self.dest, servers)
        namespace._servers_given = True


def http_options(args: argparse.Namespace, *, timeout: float = 30.0) -> HTTPOptions:
    """The HTTP options of parsed arguments made by :func:`add_http_arguments`."""
    verify: bool | str | None = None
    if args.insecure:
        verify = False
    elif args.cacert is not None:
        verify = args.cacert
    return HTTPOptions(headers=dict(args.header), verify=verify, timeout=timeout)
