"""File names that come from the server, made safe and distinct before anything is written.

The server names every output file (``filename``, ``subfolder``) and every uploaded one (the
``name`` that goes into the prompt). :func:`safe_relative_path` refuses any that could leave the
directory they are put in; :func:`fit_name` shortens a name past what a file system takes
(255 bytes a component), predictably; :func:`distinct_paths` gives files that would land on
one path (the same name under ``output`` and ``temp``, a file named like a folder, names that
differ only in case) names of their own.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from pathlib import PurePosixPath

from comfydsl.client.errors import UnsafeOutputPath

__all__ = ["MAX_NAME_BYTES", "distinct_paths", "fit_name", "safe_relative_path"]

# Linux, macOS and Windows file systems all stop at 255 (bytes or UTF-16 units) a component.
MAX_NAME_BYTES = 255
# An "extension" longer than this is part of the name, and may be shortened with it.
_MAX_SUFFIX_BYTES = 32


def safe_relative_path(subfolder: str, filename: str) -> PurePosixPath:
    """``subfolder/filename`` as a relative path that cannot leave its base directory.

    >>> safe_relative_path("oracle", "invert_00001_.png")
    PurePosixPath('oracle/invert_00001_.png')
    >>> safe_relative_path("", "../evil.png")
    Traceback (most recent call last):
    ...
    comfydsl.client.errors.UnsafeOutputPath: unsafe file name from the server: '../evil.png' ...
    """

    def refuse(why: str) -> UnsafeOutputPath:
        shown = f"{subfolder}/{filename}" if subfolder else filename
        return UnsafeOutputPath(
            f"unsafe file name from the server: {shown!r} ({why})",
            filename=filename,
            subfolder=subfolder,
        )

    if "\x00" in subfolder or "\x00" in filename:
        raise refuse("contains a NUL byte")
    if not filename or "/" in filename or "\\" in filename or filename in (".", ".."):
        raise refuse("a file name must be a plain name")
    parts = [p for p in subfolder.replace("\\", "/").split("/") if p not in ("", ".")]
    if subfolder.startswith(("/", "\\")) or (parts and ":" in parts[0]):
        raise refuse("absolute paths are not allowed")
    if ".." in parts:
        raise refuse("'..' is not allowed")
    if ":" in filename:
        raise refuse("':' is not allowed in a file name")
    return PurePosixPath(*parts, filename)


def fit_name(name: str, limit: int = MAX_NAME_BYTES) -> str:
    """``name`` if it fits in ``limit`` bytes (UTF-8), else a shortened name that keeps its
    extension and ends with a short hash of the whole name (so two long names stay distinct and
    the same name always gives the same result).

    >>> fit_name("cat.png")
    'cat.png'
    >>> short = fit_name("a" * 300 + ".png")
    >>> len(short.encode()), short[-18:]
    (255, 'aaaaa~7d6974ff.png')
    """
    if len(name.encode()) <= limit:
        return name
    path = PurePosixPath(name)
    suffix = path.suffix if len(path.suffix.encode()) <= _MAX_SUFFIX_BYTES else ""
    stem = name[: len(name) - len(suffix)] if suffix else name
    tail = f"~{hashlib.sha256(name.encode()).hexdigest()[:8]}{suffix}"
    room = limit - len(tail.encode())
    kept = stem.encode()[:room].decode("utf-8", "ignore")  # never half a character
    return kept + tail


def fitted(path: PurePosixPath) -> PurePosixPath:
    """``path`` with every component fitted (:func:`fit_name`)."""
    return PurePosixPath(*(fit_name(part) for part in path.parts))


def distinct_paths(
    paths: Sequence[PurePosixPath], *, taken_on_disk: Callable[[PurePosixPath], bool]
) -> list[PurePosixPath]:
    """One distinct path for each of ``paths``, in order: a path already given, a folder that
    another path needs, or one that ``taken_on_disk`` says is a folder, gets ``-2`` (then
    ``-3``...) before its extension. Paths are compared case-insensitively (as macOS and Windows
    do), and every component is fitted to the file system's limit.

    >>> [str(p) for p in distinct_paths(
    ...     [PurePosixPath("a.png"), PurePosixPath("a.png"), PurePosixPath("a"),
    ...      PurePosixPath("a/b.png")],
    ...     taken_on_disk=lambda path: False,
    ... )]
    ['a.png', 'a-2.png', 'a-2', 'a/b.png']
    """
    wanted = [fitted(path) for path in paths]
    folders = {_key(parent) for path in wanted for parent in path.parents if parent.parts}
    given: set[str] = set()
    chosen: list[PurePosixPath] = []
    for path in wanted:
        candidate, number = path, 1
        while _key(candidate) in given or _key(candidate) in folders or taken_on_disk(candidate):
            number += 1
            stem, suffix = _split(path.name)
            candidate = path.with_name(fit_name(f"{stem}-{number}{suffix}"))
        given.add(_key(candidate))
        chosen.append(candidate)
    return chosen


def _split(name: str) -> tuple[str, str]:
    suffix = PurePosixPath(name).suffix
    if not suffix or len(suffix.encode()) > _MAX_SUFFIX_BYTES:
        return name, ""
    return name[: -len(suffix)], suffix


def _key(path: PurePosixPath) -> str:
    return path.as_posix().casefold()
