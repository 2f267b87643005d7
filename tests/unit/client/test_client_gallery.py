"""A result in a notebook: images shown, videos and sounds as players, embedded so that a saved
notebook shows them offline, up to a budget; past it previews or the server's links; every
name escaped; never an error."""

from __future__ import annotations

import base64
import io
import random
import re
import sys
from collections.abc import Callable
from typing import BinaryIO

import pytest
from PIL import Image

from comfydsl.client import Client, JobResult, OutputFile, ServerError, gallery


def png(width: int, height: int, color: tuple[int, int, int] = (10, 200, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "PNG")
    return out.getvalue()


def noisy_png(width: int, height: int) -> bytes:
    """A PNG that does not compress: about 3 bytes a pixel."""
    noise = random.Random(width * height).randbytes(width * height * 3)
    out = io.BytesIO()
    Image.frombytes("RGB", (width, height), noise).save(out, "PNG")
    return out.getvalue()


def entry(name: str, subfolder: str = "", kind: str = "output") -> dict[str, str]:
    return {"filename": name, "subfolder": subfolder, "type": kind}


class Server:
    """Files by name, served in 64 KiB chunks; counts what each download wrote."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files
        self.sent: dict[str, int] = {}

    def fetch(self, file: OutputFile, sink: BinaryIO) -> None:
        data = self.files[file.filename]
        for start in range(0, len(data), 65536):
            chunk = data[start : start + 65536]
            sink.write(chunk)
            self.sent[file.filename] = self.sent.get(file.filename, 0) + len(chunk)

    def result(
        self,
        outputs: dict[str, dict[str, object]],
        view_url: Callable[[OutputFile], str] | None = None,
    ) -> JobResult:
        return JobResult(
            prompt_id="p-1",
            outputs=outputs,
            fetch=self.fetch,
            view_url=view_url
            or (lambda f: f"http://comfy.test/view?filename={f.filename}&type={f.type}"),
        )


def data_uris(page: str, media: str) -> list[bytes]:
    return [base64.b64decode(m) for m in re.findall(rf'src="data:{media};base64,([^"]+)"', page)]


def test_images_are_embedded_and_show_what_the_server_made() -> None:
    first, second = png(64, 48), png(8, 8, (255, 0, 0))
    server = Server({"a_00001_.png": first, "b.webp": second})
    result = server.result(
        {"9": {"images": [entry("a_00001_.png", "batch"), entry("b.webp", kind="temp")]}}
    )
    page = result._repr_html_()
    assert [first] == data_uris(page, "image/png")
    assert [second] == data_uris(page, "image/webp")
    assert "node 9" in page and "batch/a_00001_.png" in page and "b.webp (temp)" in page
    assert 'href="http://comfy.test/view?filename=b.webp&amp;type=temp"' in page


def test_videos_and_sounds_are_players() -> None:
    server = Server({"clip.mp4": b"\x00\x00\x00\x18ftypmp42 video", "voice.flac": b"fLaC sound"})
    result = server.result(
        {"4": {"gifs": [entry("clip.mp4")]}, "5": {"audio": [entry("voice.flac")]}}
    )
    page = result.to_html()
    assert [b"\x00\x00\x00\x18ftypmp42 video"] == data_uris(page, "video/mp4")
    assert re.search(r'<video controls [^>]*src="data:video/mp4;base64,', page)
    assert [b"fLaC sound"] == data_uris(page, "audio/flac")
    assert '<audio controls src="data:audio/flac;base64,' in page


def test_other_files_and_text_outputs_are_listed() -> None:
    server = Server({"mesh.glb": b"glTF"})
    result = server.result({"3": {"3d": [entry("mesh.glb")]}, "7": {"text": ["a <b> c\nline 2"]}})
    page = result.to_html()
    assert "mesh.glb</a>" in page and "glTF" not in page and "base64" not in page
    assert "a &lt;b&gt; c\nline 2</pre>" in page
    assert 0 == server.sent.get("mesh.glb", 0)  # nothing downloaded for a file not shown


def test_past_the_budget_images_are_previews_and_a_large_video_is_not_downloaded() -> None:
    big, small = noisy_png(400, 400), png(32, 32)  # about 480 KB, and a few hundred bytes
    video = b"v" * 3_000_000
    server = Server({"big.png": big, "second.png": big, "small.png": small, "long.mp4": video})
    result = server.result(
        {"1": {"images": [entry("big.png"), entry("second.png"), entry("small.png")]},
         "2": {"gifs": [entry("long.mp4")]}}
    )  # fmt: skip
    page = result.to_html(inline_bytes=700_000)
    assert [big, small] == data_uris(page, "image/png")  # the second big one does not fit
    (preview,) = data_uris(page, "image/jpeg")
    with Image.open(io.BytesIO(preview)) as image:
        assert (400, 400) == image.size  # under PREVIEW_PIXELS: kept at its size, as JPEG
    assert "second.png</a> (preview)" in page
    assert 'src="http://comfy.test/view?filename=long.mp4&amp;type=output"' in page
    assert "(from the server: shown while it is reachable)" in page
    assert server.sent["long.mp4"] < 1_000_000  # stopped once past what the budget had left


def test_without_pillow_an_image_past_the_budget_is_shown_from_the_server(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "PIL", None)  # import PIL fails
    server = Server({"big.png": b"p" * 5000})
    page = server.result({"1": {"images": [entry("big.png")]}}).to_html(inline_bytes=1000)
    assert 'src="http://comfy.test/view?filename=big.png&amp;type=output"' in page
    assert "base64" not in page


def test_a_large_preview_of_a_large_image_is_made_small() -> None:
    huge = noisy_png(1600, 800)
    server = Server({"huge.png": huge})
    page = server.result({"1": {"images": [entry("huge.png")]}}).to_html(
        inline_bytes=len(huge) // 4
    )
    (preview,) = data_uris(page, "image/jpeg")
    with Image.open(io.BytesIO(preview)) as image:
        assert (gallery.PREVIEW_PIXELS, gallery.PREVIEW_PIXELS // 2) == image.size


def test_without_a_server_a_file_past_the_budget_is_named() -> None:
    server = Server({"long.mp4": b"v" * 5000})
    result = JobResult(
        prompt_id="p", outputs={"1": {"gifs": [entry("long.mp4")]}}, fetch=server.fetch
    )
    page = result.to_html(inline_bytes=100)
    assert "long.mp4 (too large to show here)" in page and "http" not in page


def test_names_from_the_server_are_escaped() -> None:
    name = '"><script>alert(1)</script><img src=x onerror=alert(2)>.png'
    server = Server({name: png(4, 4)})
    page = server.result({'<b>"9"</b>': {"images": [entry(name, "<i>")]}}).to_html()
    assert "<script" not in page and "<img src=x" not in page and "<i>" not in page
    assert 2 == page.count("<b>")  # the page's own: the prompt's and the node's headings
    assert "onerror=alert(2)&gt;.png" in page and "node &lt;b&gt;&quot;9&quot;&lt;/b&gt;" in page


def test_a_file_that_cannot_be_fetched_leaves_the_others_shown() -> None:
    good = png(4, 4)

    def fetch(file: OutputFile, sink: BinaryIO) -> None:
        if file.filename == "gone.png":
            raise ServerError("GET /view: 404 Not Found")
        sink.write(good)

    result = JobResult(
        prompt_id="p",
        outputs={"1": {"images": [entry("gone.png"), entry("here.png")]}},
        fetch=fetch,
    )
    page = result._repr_html_()
    assert "gone.png: cannot be shown (ServerError: GET /view: 404 Not Found)" in page
    assert [good] == data_uris(page, "image/png")


def test_the_repr_never_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> str:
        raise RuntimeError("<boom>")

    monkeypatch.setattr("comfydsl.client.results.result_html", broken)
    page = JobResult(prompt_id="p", outputs={"1": {"images": [entry("a.png")]}})._repr_html_()
    assert "<p>prompt p: 1 files; cannot show them (RuntimeError: &lt;boom&gt;)</p>" == page


def test_a_result_that_saved_nothing_says_so() -> None:
    page = JobResult(prompt_id="p", outputs={})._repr_html_()
    assert "0 files (the workflow saved nothing)" in page


def test_the_view_url_carries_no_password_and_quotes_the_name() -> None:
    with Client("http://user:secret@127.0.0.1:8188/comfy") as client:
        url = client.view_url(OutputFile("9", "images", "a b&c.png", "sub/dir", "temp"))
    assert (
        "http://127.0.0.1:8188/comfy/view?filename=a+b%26c.png&subfolder=sub%2Fdir&type=temp" == url
    )
