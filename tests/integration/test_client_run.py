"""The client against a real ComfyUI: run, follow, download, upload, cache, and the CLI.

Needs from tests/integration/conftest.py: the session fixture ``comfyui_server`` (``.url``,
``.input_dir``, ``.output_dir``).
"""

from __future__ import annotations

import io
import json
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from comfydsl import Workflow, __version__
from comfydsl.cli import main
from comfydsl.client import Client, Progress
from comfydsl.nodes import EmptyImage, ImageBlur, ImageInvert, LoadImage, SaveImage

# Bounds on how long a test may wait for the server, not performance assertions.
RUN_TIMEOUT = 120.0


@pytest.fixture
def client(comfyui_server: Any) -> Iterator[Client]:
    with Client(comfyui_server.url, timeout=30.0) as c:
        yield c


def invert_workflow(prefix: str, color: int = 0xFF0000) -> Workflow:
    with Workflow() as wf:
        image = EmptyImage(width=64, height=48, batch_size=1, color=color)
        SaveImage(images=ImageInvert(image=image), filename_prefix=prefix)
    return wf


def test_invert_and_save_gives_the_inverted_pixels(client: Client, tmp_path: Path) -> None:
    progress: list[Progress] = []
    job = client.submit(invert_workflow("client/invert"))
    result = job.wait(timeout=RUN_TIMEOUT, on_progress=progress.append)

    (file,) = result.files
    assert ("3", "images", "client", "output") == (
        file.node_id,
        file.kind,
        file.subfolder,
        file.type,
    )
    (saved,) = result.save(tmp_path)
    assert tmp_path / "client" / file.filename == saved
    with Image.open(saved) as image:
        assert ("RGB", (64, 48)) == (image.mode, image.size)
        raw = image.tobytes()
        pixels = [tuple(raw[i : i + 3]) for i in range(0, len(raw), 3)]
        text = dict(image.text)  # type: ignore[attr-defined]
    wrong = [(i, p) for i, p in enumerate(pixels) if p != (0, 255, 255)]
    assert [] == wrong[:5], "red 0xFF0000 inverted is cyan, in every pixel"
    assert {"version": __version__, "script": Path(__file__).name} == json.loads(text["comfydsl"])
    assert "EmptyImage" == json.loads(text["prompt"])["1"]["class_type"], "the server's own chunk"
    assert ["ImageInvert #2", "SaveImage #3"] == [
        label
        for label in dict.fromkeys(p.node_label for p in progress)
        if label.startswith(("ImageInvert", "SaveImage"))
    ]
    assert (3, 3) == (progress[-1].nodes_done, progress[-1].nodes_total)


def test_an_identical_resubmission_is_cached_and_still_gives_the_files(client: Client) -> None:
    first = client.submit(invert_workflow("client/cached", color=0x123456)).wait(
        timeout=RUN_TIMEOUT
    )
    again = client.submit(invert_workflow("client/cached", color=0x123456)).wait(
        timeout=RUN_TIMEOUT
    )
    assert ["1", "2", "3"] == sorted(again.cached), "nothing ran the second time"
    assert first.files == again.files
    (file,) = again.files
    assert first.read(file) == again.read(file)


def test_an_uploaded_image_is_loaded_blurred_and_saved(
    client: Client, comfyui_server: Any, tmp_path: Path
) -> None:
    source = tmp_path / "halves.png"
    halves = Image.new("RGB", (32, 16), (0, 0, 0))
    halves.paste((255, 255, 255), (16, 0, 32, 16))
    halves.save(source)

    with Workflow() as wf:
        loaded = LoadImage(image=source)
        SaveImage(
            images=ImageBlur(image=loaded.IMAGE, blur_radius=3, sigma=1.5),
            filename_prefix="client/blur",
        )
    job = client.submit(wf)
    result = job.wait(timeout=RUN_TIMEOUT)

    sent = job.prompt is not None and job.prompt["1"]["inputs"]["image"]
    assert (
        isinstance(sent, str)
        and (Path(comfyui_server.input_dir) / sent).read_bytes() == source.read_bytes()
    )
    (blurred,) = result.images()
    raw = blurred.convert("RGB").tobytes()
    row = [raw[(8 * 32 + x) * 3] for x in range(32)]  # the red channel along the middle row
    assert (0, 255) == (row[0], row[31]), "far from the edge nothing changes"
    assert all(0 < value < 255 for value in row[15:17]), f"the edge is blurred: {row[13:19]}"


def test_an_upload_into_a_subfolder_is_named_with_it(client: Client, tmp_path: Path) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (1, 2, 3)).save(buffer, format="PNG")
    uploaded = client.upload_image(
        buffer.getvalue(), name="tiny.png", subfolder="client_sub", overwrite=True
    )
    assert "client_sub/tiny.png" == uploaded.prompt_value
    assert buffer.getvalue() == client.view("tiny.png", subfolder="client_sub", type="input")


def test_server_operations(client: Client) -> None:
    stats = client.system_stats()
    assert "0.3.75" == stats["system"]["comfyui_version"]
    catalog = client.catalog()
    assert "EmptyImage" in catalog and client.catalog() is catalog, "read once per client"
    assert client.object_info("EmptyImage")["EmptyImage"]["name"] == "EmptyImage"
    queue = client.queue()
    assert isinstance(queue.running, list) and isinstance(queue.pending, list)
    client.free(unload_models=False, free_memory=True)
    result = client.submit(invert_workflow("client/history", color=0x010203)).wait(
        timeout=RUN_TIMEOUT
    )
    assert result.prompt_id in client.history(max_items=5)
    client.delete_history(result.prompt_id)
    assert {} == client.history(result.prompt_id)


def test_the_run_command_saves_outputs_and_prints_where(
    comfyui_server: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "invert.py"
    script.write_text(
        textwrap.dedent(
            """
            from comfydsl.nodes import EmptyImage, ImageInvert, SaveImage

            SaveImage(images=ImageInvert(image=EmptyImage(width=16, height=16, color=0x00FF00)),
                      filename_prefix="cli/invert")
            """
        )
    )
    out = tmp_path / "out"
    status = main(
        ["run", str(script), "--server", comfyui_server.url, "--out", str(out), "--no-progress"]
    )
    captured = capsys.readouterr()
    assert 0 == status, captured.err
    (printed,) = captured.out.split()
    assert Path(printed).parent == out / "cli"
    with Image.open(printed) as image:
        assert (255, 0, 255) == image.getpixel((0, 0))


def test_the_catalog_pull_command_writes_the_servers_definitions(
    comfyui_server: Any, tmp_path: Path
) -> None:
    target = tmp_path / "server.json"
    assert 0 == main(["catalog", "pull", "--server", comfyui_server.url, "-o", str(target)])
    data = json.loads(target.read_text(encoding="utf-8"))
    assert (
        "SaveImage" in data
        and "empty.safetensors"
        in data["CheckpointLoaderSimple"]["input"]["required"]["ckpt_name"][0]
    )


def test_two_different_local_files_of_one_name_are_both_used(
    client: Client, tmp_path: Path
) -> None:
    colors = {"red": (200, 0, 0), "blue": (0, 0, 200)}
    results = {}
    for label, color in colors.items():
        local = tmp_path / label / "same_name.png"
        local.parent.mkdir()
        Image.new("RGB", (8, 8), color).save(local)
        with Workflow() as wf:
            SaveImage(images=LoadImage(image=local).IMAGE, filename_prefix=f"client/same_{label}")
        job = client.submit(wf)
        (image,) = job.wait(timeout=RUN_TIMEOUT).images()
        results[label] = (job.prompt and job.prompt["1"]["inputs"]["image"], image.getpixel((4, 4)))
    assert colors["red"] == results["red"][1] and colors["blue"] == results["blue"][1]
    assert results["red"][0] != results["blue"][0], (
        "the server renamed the second file; its name was used"
    )


def test_client_run_submits_waits_and_saves(client: Client, tmp_path: Path) -> None:
    result = client.run(
        invert_workflow("client/run", color=0x0000FF), out=tmp_path, timeout=RUN_TIMEOUT
    )
    (file,) = result.files
    with Image.open(tmp_path / file.relative_path) as image:
        assert (255, 255, 0) == image.getpixel((0, 0))
