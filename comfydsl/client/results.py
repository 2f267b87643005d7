"""A finished job's outputs: the files each node wrote, and downloading them safely.

File names and subfolders come from the server; :func:`safe_relative_path` makes sure none of
them can put a file outside the directory the user chose (``../``, absolute paths, drive letters,
backslashes, NUL bytes, and symlinks out of the directory are all refused).
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Collection, Iterator, Mapping
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

import attrs

from comfydsl.client.errors import LocalFileError, MalformedAnswer, ServerError, UnsafeOutputPath

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


@attrs.define
class JobResult:
    """What a finished job produced.

    ``outputs`` is the server's per-node output as it arrived (files and anything else, such as
    ``text``), ``files`` the files among them, ``cached`` the nodes served from the server's cache.

    >>> result = client.submit(wf).wait()            # doctest: +SKIP
    >>> result.save("out")                            # doctest: +SKIP
    [PosixPath('out/invert_00001_.png')]
    """

    prompt_id: str
    outputs: dict[str, dict[str, Any]]
    cached: list[str] = attrs.field(factory=list)
    _download: Downloader | None = attrs.field(default=None, repr=False, eq=False, alias="download")

    @property
    def files(self) -> list[OutputFile]:
        """Every output file, in node order."""
        return files_in_outputs(self.outputs)

    def files_of(self, node: object) -> list[OutputFile]:
        """The files one node wrote; ``node`` is a node id or anything with an ``id``."""
        node_id = str(getattr(node, "id", node))
        return [f for f in self.files if f.node_id == node_id]

    def read(self, file: OutputFile) -> bytes:
        """The bytes of one output file, downloaded from the server's ``/view``."""
        if self._download is None:
            raise RuntimeError("this result is not attached to a client; cannot download")
        return self._download(file)

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

        Files keep the server's subfolder (``out/oracle/invert_00001_.png``); names that would
        leave ``directory`` raise UnsafeOutputPath before anything of that file is written.
        """
        base = Path(directory)
        saved: list[Path] = []
        for file in self.files:
            if types is not None and file.type not in types:
                continue
            target = _target_in(base, file)
            data = self.read(file)
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                _target_in(base, file)  # again: a directory made above may not be a link out
                target.write_bytes(data)
            except OSError as exc:
                raise LocalFileError(
                    f"cannot save {file.filename!r} of node {file.node_id} as {target}: "
                    f"{exc.strerror or exc}",
                    path=target,
                ) from exc
            saved.append(target)
        return saved

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


def _target_in(base: Path, file: OutputFile) -> Path:
    target = base / file.relative_path
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
