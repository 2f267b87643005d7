"""A job's outputs as HTML, for notebooks: images inline, videos and sounds as players.

What a notebook keeps must show without the server: a saved notebook is opened later, elsewhere,
offline. So files are embedded in the page as ``data:`` URIs, up to a budget per result
(:data:`INLINE_BYTES`, 10 MB: a few full-size images, or a short video; the notebook file grows
by a third more, base64). Past the budget, an image is embedded as a smaller JPEG preview when
Pillow is installed (``pip install comfydsl[images]``), and otherwise a file is shown from the
server's ``/view`` URL, which works only while that server is reachable (and does not send the
client's headers). A file is read at most up to what the budget has left, so a large video is
never downloaded into memory just to be left out. Other outputs (``text`` lists) are shown as
text. Every name from the server is escaped.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any, BinaryIO

if TYPE_CHECKING:
    from comfydsl.client.results import OutputFile

__all__ = ["INLINE_BYTES", "MEDIA_TYPES", "PREVIEW_PIXELS", "media_type", "result_html"]

#: How many bytes of files one result embeds, in all, before it shows previews or links.
INLINE_BYTES = 10_000_000
#: The longer side of a preview, in pixels.
PREVIEW_PIXELS = 768
#: The largest image a preview is made from (bytes): larger ones are shown by their link.
PREVIEW_SOURCE_BYTES = 64_000_000

#: The media type of each file ending a browser shows: images, videos and sounds.
MEDIA_TYPES = {
    ".png": "image/png",
    ".apng": "image/apng",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".gif": "image/gif",
    ".avif": "image/avif",
    ".bmp": "image/bmp",
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".webm": "video/webm",
    ".mov": "video/quicktime",
    ".ogv": "video/ogg",
    ".mp3": "audio/mpeg",
    ".wav": "audio/wav",
    ".flac": "audio/flac",
    ".ogg": "audio/ogg",
    ".opus": "audio/ogg",
    ".m4a": "audio/mp4",
}

_IMG_STYLE = "max-width:100%;max-height:512px"
_BOX_STYLE = "display:inline-block;margin:4px;vertical-align:top;max-width:100%"

Reader = Callable[["OutputFile", BinaryIO], object]
"""Writes one output file's bytes into a sink (``JobResult``'s own download)."""


def media_type(file: OutputFile) -> str | None:
    """The media type a browser shows ``file`` as (by its name's ending), or None."""
    return MEDIA_TYPES.get(PurePosixPath(file.filename).suffix.lower())


class _Full(Exception):
    """A download went past what the budget has left."""


class _CappedSink(io.BytesIO):
    """A memory sink that refuses to grow past ``cap`` bytes."""

    def __init__(self, cap: int) -> None:
        super().__init__()
        self.cap = cap

    def write(self, data: Any) -> int:
        if self.tell() + len(data) > self.cap:
            raise _Full
        return super().write(data)


def result_html(
    prompt_id: str,
    files: list[OutputFile],
    outputs: dict[str, dict[str, Any]],
    read: Reader,
    url_of: Callable[[OutputFile], str | None],
    *,
    inline_bytes: int = INLINE_BYTES,
) -> str:
    """The HTML of a result (see the module's docstring); ``read`` fetches a file's bytes and
    ``url_of`` gives its ``/view`` URL (None when the result has no server)."""
    budget = [max(0, inline_bytes)]
    by_node: dict[str, list[OutputFile]] = {}
    for file in files:
        by_node.setdefault(file.node_id, []).append(file)
    texts = _texts(outputs)
    count = len(files)
    parts = [
        '<div class="comfydsl-result">',
        f"<p><b>prompt {html.escape(prompt_id)}</b>: {count} file{'s' if count != 1 else ''}"
        + ("" if files or texts else " (the workflow saved nothing)")
        + "</p>",
    ]
    for node_id in sorted({*by_node, *texts}, key=_node_order):
        parts.append(f"<div><p><b>node {html.escape(node_id)}</b></p>")
        for file in by_node.get(node_id, []):
            parts.append(_figure(file, read, url_of, budget))
        for text in texts.get(node_id, []):
            parts.append(f'<pre style="white-space:pre-wrap">{html.escape(text)}</pre>')
        parts.append("</div>")
    parts.append("</div>")
    return "".join(parts)


def _node_order(node_id: str) -> tuple[int, int, str]:
    return (0, int(node_id), "") if node_id.isdigit() else (1, 0, node_id)


def _texts(outputs: dict[str, dict[str, Any]]) -> dict[str, list[str]]:
    """The ``text`` outputs of each node (a list of strings, as PreviewAny and packs send them)."""
    found: dict[str, list[str]] = {}
    for node_id, node_outputs in outputs.items():
        items = node_outputs.get("text") if isinstance(node_outputs, dict) else None
        if isinstance(items, list):
            texts = [item for item in items if isinstance(item, str)]
            if texts:
                found[str(node_id)] = texts
    return found


def _figure(
    file: OutputFile,
    read: Reader,
    url_of: Callable[[OutputFile], str | None],
    budget: list[int],
) -> str:
    name = str(PurePosixPath(file.subfolder) / file.filename) if file.subfolder else file.filename
    caption = html.escape(name) + ("" if file.type == "output" else f" ({html.escape(file.type)})")
    media = media_type(file)
    url = url_of(file)
    link = f'<a href="{html.escape(url)}">{caption}</a>' if url else caption
    if media is None:
        return f'<div style="{_BOX_STYLE}"><small>{link}</small></div>'
    source: str | None = None
    note = ""
    try:
        data = _read_capped(file, read, budget[0])
        if data is not None:
            budget[0] -= len(data)
            source = _data_uri(media, data)
        elif media.startswith("image/"):
            preview = _preview(file, read, budget[0])
            if preview is not None:
                budget[0] -= len(preview)
                source = _data_uri("image/jpeg", preview)
                note = " (preview)"
    except Exception as exc:  # shown, not raised: one file's trouble leaves the others shown
        return (
            f'<div style="{_BOX_STYLE}"><small>{link}: cannot be shown '
            f"({html.escape(type(exc).__name__)}: {html.escape(str(exc))})</small></div>"
        )
    if source is None and url:
        source = url
        note = " (from the server: shown while it is reachable)"
    if source is None:
        return f'<div style="{_BOX_STYLE}"><small>{link} (too large to show here)</small></div>'
    return (
        f'<figure style="{_BOX_STYLE}">{_element(media, html.escape(source), html.escape(name))}'
        f"<figcaption><small>{link}{note}</small></figcaption></figure>"
    )


def _element(media: str, source: str, name: str) -> str:
    if media.startswith("video/"):
        return (
            f'<video controls loop playsinline style="{_IMG_STYLE}" src="{source}" '
            f'title="{name}"></video>'
        )
    if media.startswith("audio/"):
        return f'<audio controls src="{source}" title="{name}"></audio>'
    return f'<img src="{source}" alt="{name}" style="{_IMG_STYLE}">'


def _data_uri(media: str, data: bytes) -> str:
    return f"data:{media};base64,{base64.b64encode(data).decode('ascii')}"


def _read_capped(file: OutputFile, read: Reader, cap: int) -> bytes | None:
    """The file's bytes, or None when it is larger than ``cap`` (the download stops there)."""
    sink = _CappedSink(cap)
    try:
        read(file, sink)
    except _Full:
        return None
    return sink.getvalue()


def _preview(file: OutputFile, read: Reader, cap: int) -> bytes | None:
    """A JPEG of the image at most PREVIEW_PIXELS on a side, if Pillow is there and it fits."""
    try:
        from PIL import Image
    except ImportError:
        return None
    data = _read_capped(file, read, PREVIEW_SOURCE_BYTES)
    if data is None:
        return None
    out = io.BytesIO()
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.thumbnail((PREVIEW_PIXELS, PREVIEW_PIXELS))
            image.convert("RGB").save(out, "JPEG", quality=80)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None  # not an image Pillow reads: shown by its link instead
    made = out.getvalue()
    return made if len(made) <= cap else None
