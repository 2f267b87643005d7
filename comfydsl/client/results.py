"""A finished job's outputs: the files each node wrote, and downloading them safely.

File names and subfolders come from the server; :func:`safe_relative_path` makes sure none of
them can put a file outside the directory the user chose (``../``, absolute paths, drive letters,
backslashes, NUL bytes, and symlinks out of the directory are all refused), and
:mod:`comfydsl.client.paths` gives each file a distinct name that fits the file system.

Saving streams: each file goes to disk a chunk at a time under a temporary name in its folder,
and the files of one job are given their names only once all of them are complete. If one
fails (a refused name, the network, the disk), what this save wrote is removed: a save is
all or nothing, and no half-written file is ever left under a real name.
"""

from __future__ import annotations

import contextlib
import functools
import html
import io
import os
import tempfile
from collections.abc import Callable, Collection, Iterator, Mapping
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, BinaryIO

import attrs

from comfydsl.client.errors import (
    ClientError,
    LocalFileError,
    MalformedAnswer,
    ServerError,
    UnsafeOutputPath,
)
from comfydsl.client.gallery import INLINE_BYTES, result_html
from comfydsl.client.paths import distinct_paths, safe_relative_path

if TYPE_CHECKING:
    from PIL import Image

__all__ = ["JobResult", "OutputFile", "checked_outputs", "files_in_outputs", "safe_relative_path"]

_IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp", ".tif", ".tiff"})


@attrs.frozen
class OutputFile:
    """One file a node reported: ``node_id``, the output key it came under (``kind``, e.g.
    ``images`` or ``gifs``), and the server's ``filename``/``subfolder``/``type``
    (``output``, ``temp`` or ``input``)."""

    node_id: str
    kind: str
    filename: str
    subfolder: str = ""
    type: str = "output"

    @property
    def view_params(self) -> dict[str, str]:
        """The query of ``GET /view`` that serves this file."""
        return {"filename": self.filename, "subfolder": self.subfolder, "type": self.type}

    @property
    def is_image(self) -> bool:
        """True when the file name ends like an image."""
        return PurePosixPath(self.filename).suffix.lower() in _IMAGE_SUFFIXES

    @property
    def relative_path(self) -> PurePosixPath:
        """``subfolder/filename``, checked to stay inside whatever directory it is put in."""
        return safe_relative_path(self.subfolder, self.filename)


def checked_outputs(outputs: Any, where: str) -> dict[str, dict[str, Any]]:
    """A run's outputs as the server sent them (node id -> that node's outputs), checked.

    Every node's outputs must be an object, and every file entry in them (an object with a
    ``filename``) must have a string ``filename`` and, if given, string ``subfolder`` and
    ``type``: else MalformedAnswer naming ``where`` (the endpoint or message they came in).
    Lists of other things (``text``, ``animated``) are outputs too, and are kept as they are.

    >>> checked_outputs({"3": {"images": [{"filename": 5}]}}, "GET /history/p")
    Traceback (most recent call last):
    ...
    comfydsl.transport.errors.MalformedAnswer: GET /history/p: expected a file name (a string) in node 3's images, got int 5
    """
    if not isinstance(outputs, Mapping):
        raise MalformedAnswer.of(where, "'outputs' to be an object of node id -> outputs", outputs)
    checked: dict[str, dict[str, Any]] = {}
    for node_id, node_outputs in outputs.items():
        if not isinstance(node_outputs, Mapping):
            raise MalformedAnswer.of(
                where, f"the outputs of node {node_id} to be an object", node_outputs
            )
        for kind, items in node_outputs.items():
            for item in items if isinstance(items, list) else ():
                if isinstance(item, Mapping) and "filename" in item:
                    _check_file_entry(item, where, f"node {node_id}'s {kind}")
        checked[str(node_id)] = dict(node_outputs)
    return checked


def _check_file_entry(item: Mapping[str, Any], where: str, what: str) -> None:
    if not isinstance(item["filename"], str):
        raise MalformedAnswer.of(where, f"a file name (a string) in {what}", item["filename"])
    for key in ("subfolder", "type"):
        value = item.get(key)
        if value is not None and not isinstance(value, str):
            raise MalformedAnswer.of(where, f"the {key} of a file in {what} to be a string", value)


def files_in_outputs(outputs: Mapping[str, Any]) -> list[OutputFile]:
    """Every file listed in a history entry's (or ``executed`` messages') outputs, node by node.

    Any output key whose value is a list of ``{filename, subfolder, type}`` objects counts
    (``images``, ``gifs``, ``audio``, ``3d``...); other values (``text``, ``animated``) do not.
    """
    found: list[OutputFile] = []
    for node_id, node_outputs in outputs.items():
        if not isinstance(node_outputs, Mapping):
            continue
        for kind, items in node_outputs.items():
            if not isinstance(items, list):
                continue
            for item in items:
                if isinstance(item, Mapping) and isinstance(item.get("filename"), str):
                    found.append(
                        OutputFile(
                            node_id=str(node_id),
                            kind=str(kind),
                            filename=item["filename"],
                            subfolder=str(item.get("subfolder") or ""),
                            type=str(item.get("type") or "output"),
                        )
                    )
    return found


Downloader = Callable[[OutputFile], bytes]
Fetcher = Callable[[OutputFile, BinaryIO], object]
"""Writes one output file's bytes into a binary sink, a chunk at a time."""


@attrs.define
class JobResult:
    """What a finished job produced.

    ``outputs`` is the server's per-node output as it arrived (files and anything else, such as
    ``text``), ``files`` the files among them, ``cached`` the nodes served from the server's cache.
    ``fetch`` streams a file into a sink (a client gives its ``download_into``); ``download``,
    for results made by hand, returns a file's bytes.

    >>> result = client.submit(wf).wait()            # doctest: +SKIP
    >>> result.save("out")                            # doctest: +SKIP
    [PosixPath('out/invert_00001_.png')]
    """

    prompt_id: str
    outputs: dict[str, dict[str, Any]]
    cached: list[str] = attrs.field(factory=list)
    _download: Downloader | None = attrs.field(default=None, repr=False, eq=False, alias="download")
    _fetch: Fetcher | None = attrs.field(default=None, repr=False, eq=False, alias="fetch")
    _view_url: Callable[[OutputFile], str] | None = attrs.field(
        default=None, repr=False, eq=False, alias="view_url"
    )

    @property
    def files(self) -> list[OutputFile]:
        """Every output file, in node order."""
        return files_in_outputs(self.outputs)

    def files_of(self, node: object) -> list[OutputFile]:
        """The files one node wrote; ``node`` is a node id or anything with an ``id``."""
        node_id = str(getattr(node, "id", node))
        return [f for f in self.files if f.node_id == node_id]

    def url_of(self, file: OutputFile) -> str | None:
        """The server's ``/view`` URL of one output file (None for a result made by hand)."""
        return self._view_url(file) if self._view_url is not None else None

    def to_html(self, *, inline_bytes: int = INLINE_BYTES) -> str:
        """The outputs as HTML: images shown, videos and sounds as players, text as text.

        Files are embedded (``data:`` URIs, so that a saved notebook shows them offline) up to
        ``inline_bytes`` in all; past that, images as small previews (with Pillow) and other
        files by their ``/view`` URL. See :mod:`comfydsl.client.gallery`.
        """
        return result_html(
            self.prompt_id,
            self.files,
            self.outputs,
            self._write,
            self.url_of,
            inline_bytes=inline_bytes,
        )

    def _repr_html_(self) -> str:
        """What Jupyter shows: :meth:`to_html`; never an error (a failure is shown as text)."""
        try:
            return self.to_html()
        except Exception as exc:
            return (
                f"<p>prompt {html.escape(self.prompt_id)}: {len(self.files)} files; cannot show "
                f"them ({html.escape(type(exc).__name__)}: {html.escape(str(exc))})</p>"
            )

    def read(self, file: OutputFile) -> bytes:
        """The bytes of one output file, downloaded from the server's ``/view``."""
        sink = io.BytesIO()
        self._write(file, sink)
        return sink.getvalue()  # the buffer itself, not a copy of it

    def _write(self, file: OutputFile, sink: BinaryIO) -> None:
        if self._fetch is not None:
            self._fetch(file, sink)
        elif self._download is not None:
            sink.write(self._download(file))
        else:
            raise RuntimeError("this result is not attached to a client; cannot download")

    def iter_bytes(
        self, *, types: Collection[str] | None = None
    ) -> Iterator[tuple[OutputFile, bytes]]:
        """Each output file (of the given ``types``, default all) with its bytes."""
        for file in self.files:
            if types is None or file.type in types:
                yield file, self.read(file)

    def save(
        self, directory: str | os.PathLike[str], *, types: Collection[str] | None = None
    ) -> list[Path]:
        """Download every output file (of the given ``types``) into ``directory``; return the paths.

        Files keep the server's subfolder (``out/oracle/invert_00001_.png``) and stream to disk.
        Names that would leave ``directory`` raise UnsafeOutputPath before anything is written.
        Files that would land on one path get distinct names, in file order: the first keeps the
        name, the next get ``-2``, ``-3``... before the extension (the same name under ``output``
        and ``temp``, a file named like a folder, names that differ only in case); a name past
        255 bytes is shortened, keeping its extension, with a short hash of the whole name.
        All or nothing: if any file fails, the files this save wrote are removed (a file it
        replaced is put back) and the error is raised; a file that is already in ``directory``
        under the same name is replaced only once every file of the job has arrived.
        """
        base = Path(directory)
        chosen = [f for f in self.files if types is None or f.type in types]
        unique = list({tuple(f.view_params.items()): f for f in chosen}.values())
        relative = distinct_paths(
            [f.relative_path for f in unique],  # UnsafeOutputPath here, before any write
            taken_on_disk=lambda path: (base / path).is_dir(),
        )
        targets = [base / path for path in relative]
        for file, target in zip(unique, targets, strict=True):
            if target.parent.exists():  # a link already there may lead out: refuse it now
                _target_in(base, file, target)
        save = _AllOrNothing(base)
        try:
            for file, target in zip(unique, targets, strict=True):
                save.write(file, target, functools.partial(self._write, file))
            return save.commit()
        except BaseException:
            save.roll_back()
            raise

    def images(self, *, types: Collection[str] | None = None) -> list[Image.Image]:
        """The output images as PIL images (needs Pillow: ``pip install comfydsl[images]``)."""
        try:
            from PIL import Image
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError("JobResult.images() needs Pillow: pip install Pillow") from exc
        loaded: list[Image.Image] = []
        for file, data in self.iter_bytes(types=types):
            if file.is_image:
                try:
                    image = Image.open(io.BytesIO(data))
                    image.load()
                except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
                    raise ServerError(
                        f"GET /view of {str(file.relative_path)!r} (node {file.node_id}): "
                        f"not an image Pillow can read ({type(exc).__name__}: {exc})"
                    ) from exc
                loaded.append(image)
        return loaded


class _AllOrNothing:
    """The files of one save: written under temporary names, named once all are there."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.made_dirs: list[Path] = []
        self.written: list[tuple[Path, Path]] = []  # (temporary, target)
        self.moved_aside: list[tuple[Path, Path]] = []  # (target, where its old file waits)
        self.named: list[Path] = []

    def write(self, file: OutputFile, target: Path, fill: Callable[[BinaryIO], None]) -> None:
        """Stream one file into a temporary name next to ``target``."""
        try:
            self._make_dirs(target.parent)
            _target_in(self.base, file, target)  # again: a folder on the way may link out
            handle, temporary = tempfile.mkstemp(
                prefix=".comfydsl-", suffix=".part", dir=target.parent
            )
        except OSError as exc:
            raise self._error(file, target, exc) from exc
        self.written.append((Path(temporary), target))
        try:
            with os.fdopen(handle, "wb") as sink:
                fill(sink)
        except ClientError:
            raise  # the network's (a ServerUnreachable is an OSError too)
        except OSError as exc:
            raise self._error(file, target, exc) from exc

    def commit(self) -> list[Path]:
        """Give every file its name; the paths, in order."""
        for temporary, target in self.written:
            try:
                if target.is_file():
                    aside = Path(
                        tempfile.mkstemp(prefix=".comfydsl-", suffix=".old", dir=target.parent)[1]
                    )
                    os.replace(target, aside)
                    self.moved_aside.append((target, aside))
                os.replace(temporary, target)
            except OSError as exc:
                raise LocalFileError(
                    f"cannot save {target}: {exc.strerror or exc}", path=target
                ) from exc
            self.named.append(target)
        for _, aside in self.moved_aside:
            with contextlib.suppress(OSError):
                aside.unlink()
        return self.named

    def roll_back(self) -> None:
        """Remove what this save wrote and put back what it replaced."""
        for path in [*self.named, *(temporary for temporary, _ in self.written)]:
            with contextlib.suppress(OSError):
                path.unlink()
        for target, aside in self.moved_aside:
            with contextlib.suppress(OSError):
                os.replace(aside, target)
        for folder in reversed(self.made_dirs):
            with contextlib.suppress(OSError):
                folder.rmdir()

    def _make_dirs(self, folder: Path) -> None:
        missing = []
        while not folder.exists() and folder != folder.parent:
            missing.append(folder)
            folder = folder.parent
        for made in reversed(missing):
            made.mkdir()
            self.made_dirs.append(made)

    def _error(self, file: OutputFile, target: Path, exc: OSError) -> LocalFileError:
        return LocalFileError(
            f"cannot save {file.filename!r} of node {file.node_id} as {target}: "
            f"{exc.strerror or exc}",
            path=target,
        )


def _target_in(base: Path, file: OutputFile, target: Path) -> Path:
    try:
        root = base.resolve()
        resolved = target.resolve()
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop, before Python 3.13
        raise LocalFileError(f"cannot save into {base}: {exc}", path=base) from exc
    if resolved != root and root not in resolved.parents:
        raise UnsafeOutputPath(
            f"unsafe file name from the server: {str(file.relative_path)!r} "
            f"(resolves to {resolved}, outside {root})",
            filename=file.filename,
            subfolder=file.subfolder,
        )
    return target
