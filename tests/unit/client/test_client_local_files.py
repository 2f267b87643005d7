"""Local files that cannot be read (to upload) or written (results): a LocalFileError (a
comfydsl error and an OSError) that names the file, never a bare OSError from deep inside.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from comfy_fake import FakeComfy

from comfydsl import Workflow
from comfydsl.client import Client, ClientError, JobResult, LocalFileError
from comfydsl.errors import ValidationError
from comfydsl.nodes import LoadImage, SaveImage

LONG_NAME = "x" * 5000 + ".png"  # the OS refuses to look it up: ENAMETOOLONG


def test_an_upload_of_a_file_that_cannot_be_read_is_a_local_file_error(
    client: Client, tmp_path: Path
) -> None:
    with pytest.raises(LocalFileError, match="cannot read the file to upload") as caught:
        client.upload_image(tmp_path)  # a directory
    assert isinstance(caught.value, OSError) and isinstance(caught.value, ClientError)
    assert tmp_path == caught.value.path
    assert isinstance(caught.value.__cause__, IsADirectoryError)


@pytest.mark.parametrize(
    ("path", "expected"),
    [("missing.png", "no such file to upload"), (LONG_NAME, "cannot read the file to upload")],
)
def test_a_raw_prompts_local_file_that_is_not_there_is_a_local_file_error(
    fake: FakeComfy, client: Client, path: str, expected: str, tmp_path: Path
) -> None:
    prompt = {
        "1": {"class_type": "LoadImage", "inputs": {"image": tmp_path / path}},
        "2": {"class_type": "PreviewImage", "inputs": {"images": ["1", 0]}},
    }
    with pytest.raises(LocalFileError, match=expected):
        client.submit(prompt, validate=False)
    assert [] == [p for m, p, _, _ in fake.requests if m == "POST"], "nothing was sent"


def test_a_workflows_local_file_that_cannot_be_looked_at_is_reported_at_its_line(
    client: Client, tmp_path: Path
) -> None:
    with Workflow() as wf:
        SaveImage(images=LoadImage(image=tmp_path / LONG_NAME).IMAGE)
    with pytest.raises(ValidationError, match="cannot read the local file to upload") as caught:
        client.submit(wf, validate=False)
    (problem,) = caught.value.errors
    assert ("local_file_missing", "image") == (problem.type, problem.input_name)
    assert problem.source is not None and Path(__file__).name == Path(problem.source.file).name


def result_with(files: dict[str, bytes]) -> JobResult:
    outputs = {
        "3": {"images": [{"filename": n, "subfolder": "x", "type": "output"} for n in files]}
    }
    return JobResult(prompt_id="p", outputs=outputs, download=lambda f: files[f.filename])


def test_saving_where_a_file_blocks_the_subfolder_is_a_local_file_error(tmp_path: Path) -> None:
    (tmp_path / "x").write_text("in the way")
    with pytest.raises(LocalFileError, match=r"cannot save 'a\.png' of node 3") as caught:
        result_with({"a.png": b"png"}).save(tmp_path)
    assert tmp_path / "x" / "a.png" == caught.value.path
    assert isinstance(caught.value.__cause__, OSError)


def test_a_directory_where_a_file_would_go_gives_the_file_another_name(tmp_path: Path) -> None:
    (tmp_path / "x" / "a.png").mkdir(parents=True)
    assert [tmp_path / "x" / "a-2.png"] == result_with({"a.png": b"png"}).save(tmp_path)
    assert b"png" == (tmp_path / "x" / "a-2.png").read_bytes()
