"""The ``comfydsl`` command: its parser, its dispatch, and one policy for every failure.

Every failure prints one ``error: ...`` line (a comfydsl error keeps its ``file:line:``) on
standard error, never a traceback, and the exit status says what kind it was: 0 done, 1 an error
(of the script, a file, the server), 2 a command line that makes no sense, 130 interrupted
(Ctrl-C). When standard output is closed early (``| head``) the command stops quietly with 1.
A command whose 1 means an answer (``diff``: "different") sets ``error_status`` in its parser's
defaults, and its failures exit with that instead (2).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import traceback
from collections.abc import Sequence

from comfydsl.cli.arguments import UsageError
from comfydsl.cli.catalog import add_catalog_command
from comfydsl.cli.compile import add_compile_command
from comfydsl.cli.convert import add_convert_command
from comfydsl.cli.diff import add_diff_command
from comfydsl.cli.export import add_export_command
from comfydsl.cli.graph import add_graph_command
from comfydsl.cli.importer import add_import_command
from comfydsl.cli.jobs import add_jobs_command
from comfydsl.cli.output import STDOUT_NAME, abandon_stdout, describe_os_error, flush_stdout
from comfydsl.cli.render import add_render_command
from comfydsl.cli.run import add_run_command
from comfydsl.cli.stubs import add_stubs_command
from comfydsl.errors import ComfyDSLError
from comfydsl.version import __version__

__all__ = [
    "DEBUG_ENV",
    "EXIT_ERROR",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "build_parser",
    "main",
]

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

#: Set to 1 to see the traceback of an error comfydsl did not expect (a bug, to report).
DEBUG_ENV = "COMFYDSL_DEBUG"

EPILOG = f"""\
'-' as a file reads standard input (compile -, convert -, export -, run -, --catalog -); -o - writes to standard output.

exit status:
  {EXIT_OK}    done
  {EXIT_ERROR}    an error: in the script, a file, the server (printed as 'error: ...')
  {EXIT_USAGE}    a mistake in the command line
       (diff: 0 the same graph, 1 different, 2 an error of any kind)
  {EXIT_INTERRUPTED}  interrupted (Ctrl-C); a prompt running on the server is cancelled

environment: COMFYDSL_SERVER (the default --server), COMFYDSL_CATALOG (catalogs merged for
every script, separated by {os.pathsep!r}), {DEBUG_ENV}=1 (tracebacks of unexpected errors).
"""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``comfydsl`` command."""
    parser = argparse.ArgumentParser(
        prog="comfydsl",
        description="ComfyUI workflows as Python: compile, check and run them.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"comfydsl {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    add_compile_command(commands)
    add_convert_command(commands)
    add_export_command(commands)
    add_run_command(commands)
    add_import_command(commands)
    add_diff_command(commands)
    add_render_command(commands)
    add_jobs_command(commands)
    add_catalog_command(commands)
    add_stubs_command(commands)
    add_graph_command(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (see the module's docstring).

    >>> main(["compile", "examples/invert.py", "-o", "prompt.json"])  # doctest: +SKIP
    0
    """
    # A command whose 1 means something else (diff: "different") fails with its error_status.
    failed = EXIT_ERROR
    try:
        parser = build_parser()
        try:
            args = parser.parse_args(argv)
        except SystemExit as exc:  # --help, --version, or a usage error argparse has printed
            return exc.code if isinstance(exc.code, int) else EXIT_USAGE
        failed = getattr(args, "error_status", EXIT_ERROR)
        status: int = args.handler(args)
        flush_stdout()
        return status
    except KeyboardInterrupt:
        _report("interrupted")
        return EXIT_INTERRUPTED
    except UsageError as exc:
        _report(f"error: {exc}")
        return EXIT_USAGE
    except ComfyDSLError as exc:  # before OSError: some of them are ConnectionErrors
        _report(f"error: {exc}")
        return failed
    except BrokenPipeError:
        abandon_stdout()  # the reader went away (| head): nothing to say to anyone
        return failed
    except OSError as exc:
        if exc.filename is None and _stdout_failed():
            exc.filename = STDOUT_NAME
        _report(f"error: {describe_os_error(exc)}")
        return failed
    except Exception as exc:
        if os.environ.get(DEBUG_ENV):
            traceback.print_exc()
        _report(
            f"error: unexpected {type(exc).__name__}: {exc} (a bug in comfydsl; {DEBUG_ENV}=1 shows where)"
        )
        return failed


def _stdout_failed() -> bool:
    """Whether standard output cannot take what is buffered (then it is abandoned)."""
    try:
        sys.stdout.flush()
    except OSError:
        abandon_stdout()
        return True
    return False


def _report(message: str) -> None:
    with contextlib.suppress(OSError):  # standard error gone too: the exit status says it all
        print(message, file=sys.stderr)
