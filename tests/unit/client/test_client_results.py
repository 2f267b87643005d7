"""Output files: found in any output key, downloaded, and never written outside the target."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from comfy_fake import recording

from comfydsl.client.errors import UnsafeOutputPath
from comfydsl.client.results import JobResult, OutputFile, files_in_outputs, safe_relative_path


def result_of(outputs: dict[str, dict[str, object]], downloads: list[OutputFile]) -> JobResult:
    def download(file: OutputFile) -> bytes:
        downloads.append(file)
        return f"bytes of {file.filename}".encode()

    return JobResult(prompt_id="p", outputs=outputs, download=download)


def test_files_come_from_every_output_list_and_other_outputs_are_kept() -> None:
    outputs = {
        "3": {"images": [{"filename": "a.png", "subfolder": "x", "type": "output"}]},
        "4": {
            "gifs": [
                {"filename": "v.mp4", "subfolder": "", "type": "output", "format": "video/h264-mp4"}
            ]
        },
        "5": {"text": ["hello"]},
        "6": {
            "images": [{"filename": "p.png", "subfolder": "", "type": "temp"}],
            "animated": [False],
        },
    }
    expected = [
        OutputFile("3", "images", "a.png", "x", "output"),
        OutputFile("4", "gifs", "v.mp4", "", "output"),
        OutputFile("6", "images", "p.png", "", "temp"),
    ]
    assert expected == files_in_outputs(outputs)


def test_files_of_a_recorded_history() -> None:
    (entry,) = recording("C_load_blur_save")["history"]["body"].values()
    assert [
        OutputFile("save", "images", "blur_00001_.png", "oracle", "output")
    ] == files_in_outputs(entry["outputs"])


@pytest.mark.parametrize(
    ("subfolder", "filename"),
    [
        ("", "../evil.png"),
        ("..", "evil.png"),
        ("a/../..", "evil.png"),
        ("../../etc", "passwd"),
        ("/etc", "passwd"),
        ("\\windows", "evil.png"),
        ("a\\..\\..", "evil.png"),
        ("C:", "evil.png"),
        ("", "sub/../../evil.png"),
        ("", ".."),
        ("", ""),
        ("", "a\x00.png"),
        ("", "C:evil.png"),
    ],
)
def test_unsafe_names_are_refused(subfolder: str, filename: str) -> None:
    with pytest.raises(UnsafeOutputPath):
        safe_relative_path(subfolder, filename)


def test_safe_names_keep_their_subfolder() -> None:
    assert Path("oracle/deep/x.png") == Path(safe_relative_path("oracle/./deep/", "x.png"))


def test_save_writes_under_the_directory_with_subfolders(tmp_path: Path) -> None:
    downloads: list[OutputFile] = []
    result = result_of(
        {"3": {"images": [{"filename": "a.png", "subfolder": "x/y", "type": "output"}]}}, downloads
    )
    saved = result.save(tmp_path / "out")
    assert [tmp_path / "out" / "x" / "y" / "a.png"] == saved
    assert b"bytes of a.png" == saved[0].read_bytes()


def test_save_of_a_dotdot_name_writes_nothing_anywhere(tmp_path: Path) -> None:
    downloads: list[OutputFile] = []
    target = tmp_path / "out"
    result = result_of(
        {"3": {"images": [{"filename": "evil.png", "subfolder": "../..", "type": "output"}]}},
        downloads,
    )
    with pytest.raises(UnsafeOutputPath):
        result.save(target)
    assert [] == downloads, "nothing is downloaded for a refused name"
    assert [] == [p for p in tmp_path.rglob("*") if p.is_file()]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_save_does_not_follow_a_link_out_of_the_directory(tmp_path: Path) -> None:
    target = tmp_path / "out"
    outside = tmp_path / "outside"
    target.mkdir()
    outside.mkdir()
    (target / "link").symlink_to(outside, target_is_directory=True)
    result = result_of(
        {"3": {"images": [{"filename": "a.png", "subfolder": "link", "type": "output"}]}}, []
    )
    with pytest.raises(UnsafeOutputPath):
        result.save(target)
    assert [] == list(outside.iterdir())


def test_save_can_keep_only_some_types(tmp_path: Path) -> None:
    result = result_of(
        {
            "3": {"images": [{"filename": "a.png", "subfolder": "", "type": "output"}]},
            "4": {"images": [{"filename": "b.png", "subfolder": "", "type": "temp"}]},
        },
        [],
    )
    assert [tmp_path / "a.png"] == result.save(tmp_path, types={"output"})


def test_files_of_a_node_by_id_or_by_node() -> None:
    class NodeLike:
        id = "4"

    result = result_of(
        {
            "3": {"images": [{"filename": "a.png", "subfolder": "", "type": "output"}]},
            "4": {"images": [{"filename": "b.png", "subfolder": "", "type": "output"}]},
        },
        [],
    )
    assert ["a.png"] == [f.filename for f in result.files_of("3")]
    assert ["b.png"] == [f.filename for f in result.files_of(NodeLike())]
