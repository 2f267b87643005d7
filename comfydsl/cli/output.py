"""Where a command's result goes: a file, or standard output (``-o -``, or no ``-o`` at all).

Writing to standard output can fail like writing a file does: a full disk (``> /dev/full``) or a
reader that went away (``| head -c1``). Both surface here as OSErrors, and once standard output has
failed it is pointed at the null device, as the Python documentation advises for SIGPIPE: what is
still buffered would otherwise fail again when the interpreter flushes it at exit, with a
traceback the command cannot catch.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import sys
from pathlib import Path

from comfydsl.cli.arguments import STDIN

__all__ = [
    "STDOUT_NAME",
    "abandon_stdout",
    "describe_os_error",
    "flush_stdout",
    "make_parent_folders",
    "write_output",
]

#: How error messages name standard output.
STDOUT_NAME = "<stdout>"


def write_output(text: str | bytes, output: str | os.PathLike[str] | None = None) -> None:
    """Write ``text`` (or bytes, as they are) to the file ``output``, or to standard output when
    it is None or ``-``.

    A file is written whole or the OSError says why (a missing folder, a directory in the way).
    Standard output is flushed at once, so that its failures are raised here, as an OSError that
    names ``<stdout>`` (a BrokenPipeError stays one).
    """
    if output is None or os.fspath(output) == STDIN:
        try:
            _write_stdout(text)
        except BrokenPipeError:
            abandon_stdout()
            raise
        except OSError as exc:
            abandon_stdout()
            raise OSError(exc.errno, exc.strerror or str(exc), STDOUT_NAME) from exc
        return
    if isinstance(text, bytes):
        Path(output).write_bytes(text)
    else:
        Path(output).write_text(text, encoding="utf-8")


def _write_stdout(text: str | bytes) -> None:
    stream = sys.stdout
    stream.flush()
    buffer = getattr(stream, "buffer", None)
    if buffer is None or not text:
        stream.write(text.decode("utf-8", "replace") if isinstance(text, bytes) else text)
        stream.flush()
        return
    # Through the binary layer, minding what each write took: when a pipe's reader leaves in
    # the middle of a large write, the buffered writer reports the part the pipe took and
    # drops the rest without an error; only the next write raises the BrokenPipeError.
    encoded = (
        text
        if isinstance(text, bytes)
        else text.encode(stream.encoding or "utf-8", stream.errors or "strict")
    )
    data = memoryview(encoded)
    while data:
        taken = buffer.write(data)
        data = data[len(data) if taken is None else taken :]
    buffer.flush()


def make_parent_folders(path: str | os.PathLike[str]) -> None:
    """Make the missing folders of a file to write; a file in the way is ``Not a directory``."""
    parent = Path(path).parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError as exc:  # mkdir's word when a file stands where a folder should
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), exc.filename) from None


def flush_stdout() -> None:
    """Flush standard output; its failure raises as :func:`write_output`'s does."""
    write_output("")


def abandon_stdout() -> None:
    """Point standard output at the null device, so that nothing buffered fails at exit."""
    stdout = sys.stdout
    if stdout is None:
        return
    try:
        fd = stdout.fileno()
    except (OSError, ValueError, io.UnsupportedOperation):
        return  # not a real file (a test's capture, a notebook): nothing will flush it at exit
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)
    with contextlib.suppress(OSError):
        stdout.flush()  # what was pending goes to the null device now


def describe_os_error(exc: OSError) -> str:
    """An OSError in a few words that name the file: ``out/p.json: No such file or directory``."""
    reason = exc.strerror or (errno.errorcode.get(exc.errno, "") if exc.errno else "") or str(exc)
    if exc.filename is not None and exc.filename2 is not None:
        return f"{exc.filename} -> {exc.filename2}: {reason}"
    if exc.filename is not None:
        return f"{exc.filename}: {reason}"
    return reason or type(exc).__name__
