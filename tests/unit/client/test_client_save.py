"""Saving a job's files: streamed to disk, distinct names, all or nothing; safe upload names;
JSON answers with a size limit."""

from __future__ import annotations

import hashlib
import tracemalloc
from pathlib import Path
from typing import BinaryIO

import pytest
from comfy_fake import FakeComfy, RawJSON

from comfydsl.client import AnswerTooLarge, Client, ServerUnreachable, UnsafeOutputPath
from comfydsl.client.paths import fit_name
from comfydsl.client.results import JobResult, OutputFile


def entry(filename: str, subfolder: str = "", type: str = "output") -> dict[str, str]:
    return {"filename": filename, "subfolder": subfolder, "type": type}


def result_of(outputs: dict[str, dict[str, object]], *, fail_on: str | None = None) -> JobResult:
    """A result whose files hold ``<type>/<subfolder>/<name>``; ``fail_on`` breaks one mid-way."""

    def fetch(file: OutputFile, sink: BinaryIO) -> None:
        sink.write(b"half of it ")
        if file.filename == fail_on:
            raise ServerUnreachable("GET /view: cannot reach the server (Connection reset)")
        sink.write(f"{file.type}/{file.subfolder}/{file.filename}".encode())

    return JobResult(prompt_id="p", outputs=outputs, fetch=fetch)


def everything_under(base: Path) -> list[str]:
    return sorted(str(p.relative_to(base)) for p in base.rglob("*"))


def test_the_same_name_under_output_and_temp_gets_two_files(tmp_path: Path) -> None:
    result = result_of({"3": {"images": [entry("a.png"), entry("a.png", type="temp")]}})
    saved = result.save(tmp_path)
    assert [tmp_path / "a.png", tmp_path / "a-2.png"] == saved
    assert b"half of it output//a.png" == saved[0].read_bytes()
    assert b"half of it temp//a.png" == saved[1].read_bytes()


def test_a_file_named_like_a_folder_gets_another_name(tmp_path: Path) -> None:
    result = result_of({"3": {"images": [entry("x"), entry("b.png", subfolder="x")]}})
    assert [tmp_path / "x-2", tmp_path / "x" / "b.png"] == result.save(tmp_path)


def test_names_that_differ_only_in_case_stay_apart(tmp_path: Path) -> None:
    result = result_of({"3": {"images": [entry("A.png"), entry("a.png")]}})
    assert [tmp_path / "A.png", tmp_path / "a-2.png"] == result.save(tmp_path)


def test_the_same_file_listed_twice_is_saved_once(tmp_path: Path) -> None:
    result = result_of({"3": {"images": [entry("a.png")]}, "4": {"images": [entry("a.png")]}})
    assert [tmp_path / "a.png"] == result.save(tmp_path)


def test_an_over_long_name_is_shortened_predictably(tmp_path: Path) -> None:
    long = "n" * 300 + ".png"
    (saved,) = result_of({"3": {"images": [entry(long)]}}).save(tmp_path)
    digest = hashlib.sha256(long.encode()).hexdigest()[:8]
    assert 255 == len(saved.name.encode())
    assert saved.name.endswith(f"~{digest}.png"), saved.name
    assert fit_name(long) == saved.name, "the same name always gives the same file name"
    assert "é" * 10 + ".png" == fit_name("é" * 10 + ".png")
    assert len(fit_name("é" * 200 + ".png").encode()) <= 255, "never half a character"


def test_a_failed_file_leaves_nothing_of_the_save(tmp_path: Path) -> None:
    (tmp_path / "kept.txt").write_text("the user's")
    (tmp_path / "a.png").write_bytes(b"an earlier save")
    result = result_of(
        {"3": {"images": [entry("a.png"), entry("b.png", subfolder="new/deep")]}},
        fail_on="b.png",
    )
    with pytest.raises(ServerUnreachable):
        result.save(tmp_path)
    assert ["a.png", "kept.txt"] == everything_under(tmp_path), "no part files, no new folders"
    assert b"an earlier save" == (tmp_path / "a.png").read_bytes()


def test_an_unsafe_name_anywhere_stops_the_save_before_any_download(tmp_path: Path) -> None:
    fetched: list[str] = []

    def fetch(file: OutputFile, sink: BinaryIO) -> None:
        fetched.append(file.filename)
        sink.write(b"x")

    outputs: dict[str, dict[str, object]] = {
        "3": {"images": [entry("a.png"), entry("evil.png", subfolder="../..")]}
    }
    with pytest.raises(UnsafeOutputPath, match=r"'\.\.' is not allowed"):
        JobResult(prompt_id="p", outputs=outputs, fetch=fetch).save(tmp_path)
    assert [] == fetched
    assert [] == everything_under(tmp_path)


def test_a_replaced_file_is_put_back_when_naming_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    (tmp_path / "b.png").write_bytes(b"old b")
    real_replace = os.replace
    calls: list[str] = []

    def replace(source: str | os.PathLike[str], target: str | os.PathLike[str]) -> None:
        calls.append(Path(target).name)
        if Path(target).name == "c.png":
            raise PermissionError(13, "Permission denied")
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", replace)
    result = result_of({"3": {"images": [entry("b.png"), entry("c.png")]}})
    with pytest.raises(OSError, match="Permission denied"):
        result.save(tmp_path)
    monkeypatch.setattr(os, "replace", real_replace)
    assert ["b.png"] == everything_under(tmp_path)
    assert b"old b" == (tmp_path / "b.png").read_bytes()


def test_a_large_file_streams_to_disk_in_bounded_memory(
    fake: FakeComfy, client: Client, tmp_path: Path
) -> None:
    size = 64 * 1024 * 1024
    fake.files[("big.png", "", "output")] = b"\x89" * size
    result = JobResult(
        prompt_id="p", outputs={"9": {"images": [entry("big.png")]}}, fetch=client.download_into
    )
    tracemalloc.start()
    try:
        (saved,) = result.save(tmp_path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert size == saved.stat().st_size
    assert peak < 4 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB for a {size / 1e6:.0f} MB file"


def test_a_json_answer_past_the_limit_is_refused(fake: FakeComfy) -> None:
    fake.answer("GET", "/object_info", {"n": "x" * 2000})
    with (
        Client(fake.url, adapter=fake.adapter, websocket=fake.websocket, max_json_bytes=1000) as c,
        pytest.raises(AnswerTooLarge, match="past the limit of 1000 bytes") as caught,
    ):
        c.object_info()
    assert 1000 == caught.value.limit
    assert "GET http://comfy.test:8188/object_info" in str(caught.value)


@pytest.mark.parametrize(
    ("name", "subfolder", "why"),
    [
        ("../x.png", "", "a plain name"),
        ("x.png", "../..", r"'\.\.' is not allowed"),
        ("x.png", "/etc", "absolute"),
        ("a\x00.png", "", "NUL"),
        ("", "", "a plain name"),
    ],
)
def test_an_uploaded_files_name_from_the_server_is_checked(
    fake: FakeComfy, client: Client, name: str, subfolder: str, why: str
) -> None:
    fake.answer("POST", "/upload/image", {"name": name, "subfolder": subfolder, "type": "input"})
    with pytest.raises(UnsafeOutputPath, match=why) as caught:
        client.upload_image(b"\x89PNG", name="a.png")
    assert "POST http://comfy.test:8188/upload/image" in str(caught.value)


@pytest.mark.parametrize("read", ["view", "json"])
def test_an_answer_read_into_memory_is_held_once(
    fake: FakeComfy, client: Client, read: str
) -> None:
    size = 32 * 1024 * 1024
    fake.files[("big.png", "", "output")] = b"\x89" * size
    fake.answer("GET", "/system_stats", RawJSON('{"blob": "' + "x" * size + '"}'))
    tracemalloc.start()
    try:
        if read == "view":
            assert size == len(client.view("big.png"))
        else:
            client.system_stats()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # JSON: the bytes, then the text Python's parser decodes them to, then the parsed string.
    most = {"view": 1.3, "json": 3.3}[read]
    assert peak < most * size, f"peak {peak / size:.2f} times the answer's size"
