"""Putting local files on the server: ``POST /upload/image``, and the per-submit uploader that
turns each ``Path`` value of a workflow into the name the server gave the file."""

from __future__ import annotations

import mimetypes
import os
from collections.abc import Callable
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any

import attrs

from comfydsl.client.errors import LocalFileError, MalformedAnswer, UnsafeOutputPath
from comfydsl.client.paths import safe_relative_path

if TYPE_CHECKING:
    from comfydsl.transport.http import Transport

__all__ = ["UploadedFile", "Uploader", "upload_image"]


@attrs.frozen
class UploadedFile:
    """A file the server now holds: its ``name`` (which may differ from the local one: the server
    renames a different file of the same name to ``name (1).png``), ``subfolder`` and ``type``."""

    name: str
    subfolder: str = ""
    type: str = "input"

    @property
    def prompt_value(self) -> str:
        """What a loader node's input takes to read this file: ``subfolder/name`` or ``name``."""
        return f"{self.subfolder}/{self.name}" if self.subfolder else self.name


def upload_image(
    transport: Transport,
    file: str | os.PathLike[str] | bytes,
    *,
    name: str | None = None,
    subfolder: str = "",
    type: str = "input",
    overwrite: bool = False,
) -> UploadedFile:
    """Upload an image (a path, or bytes with a ``name``) to the server's input folder.

    Without ``overwrite`` the server keeps an existing file of that name and stores a different
    one as ``name (1).png``; the same bytes keep their name. Use the returned ``prompt_value``.
    A name in the answer that could point outside the server's folder (``..``, an absolute path,
    a NUL byte, an empty name) raises UnsafeOutputPath: it would go into the prompt.
    """
    if isinstance(file, bytes):
        if not name:
            raise ValueError("upload_image(bytes) needs name= (the file name on the server)")
        data = file
    else:
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise LocalFileError(
                f"cannot read the file to upload, {path}: {exc.strerror or exc}", path=path
            ) from exc
        name = name or path.name
    mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
    form = {"type": type, "subfolder": subfolder, "overwrite": "true" if overwrite else "false"}
    response = transport.send(
        "POST", "upload/image", data=form, files={"image": (name, data, mime)}
    )
    body: Any = transport.json_of(response)
    where = f"POST {response.url}"
    if not isinstance(body, dict):
        raise MalformedAnswer.of(where, "an object naming the file", body, response=response)
    if not isinstance(body.get("name"), str):
        raise MalformedAnswer.of(
            where, "'name' to be the file's name (a string)", body.get("name"), response=response
        )
    for key in ("subfolder", "type"):
        if body.get(key) is not None and not isinstance(body[key], str):
            raise MalformedAnswer.of(where, f"{key!r} to be a string", body[key], response=response)
    _check_name(body["name"], body.get("subfolder") or "", where)
    return UploadedFile(
        name=body["name"],
        subfolder=body.get("subfolder") or "",
        type=body.get("type") or type,
    )


def _check_name(name: str, subfolder: str, where: str) -> None:
    """The name the server gave goes into the prompt, where the server reads a file by it: it is
    held to what a downloaded file's name is (no ``..``, no absolute path, no NUL, not empty)."""
    try:
        safe_relative_path(subfolder, name)
    except UnsafeOutputPath as exc:
        raise UnsafeOutputPath(
            f"{where}: {exc}", filename=exc.filename, subfolder=exc.subfolder
        ) from None


class Uploader:
    """The ``uploads`` callable of ``Workflow.to_api``: uploads each local file once, returns its
    prompt value. One per submit, so a file used twice is sent once.

    >>> uploader = Uploader(lambda path: upload_image(transport, path))   # doctest: +SKIP
    >>> wf.to_api(uploads=uploader)                                         # doctest: +SKIP
    """

    def __init__(self, upload: Callable[[Path], UploadedFile]) -> None:
        self._upload = upload
        self.uploaded: dict[Path, UploadedFile] = {}

    def __call__(self, path: PurePath) -> str:
        """Upload ``path`` (once) and return the value to put in the prompt.

        Raises LocalFileError when the file is not there or cannot be read.
        """
        try:
            local = Path(path).expanduser()
            key = local.resolve()
            is_file = local.is_file()
        except (OSError, RuntimeError) as exc:  # RuntimeError: no home directory, a link loop
            raise LocalFileError(
                f"cannot read the file to upload, {path}: {exc}", path=path
            ) from exc
        if key not in self.uploaded:
            if not is_file:
                raise LocalFileError(f"no such file to upload: {local}", path=local)
            self.uploaded[key] = self._upload(local)
        return self.uploaded[key].prompt_value
