"""A notebook run for real (nbclient, an IPython kernel) against the real server: a workflow
shows as its SVG picture, a broken one with its problem marked, and a job's result shows its
image and its video inline, embedded, with what the server made.

Needs from tests/integration/conftest.py: the session fixture ``comfyui_server`` (``.url``).
"""

from __future__ import annotations

import base64
import io
import re
import xml.etree.ElementTree as ET
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient
from PIL import Image

#: Bounds on how long the notebook may take, not performance assertions.
CELL_TIMEOUT = 300

CELLS = [
    # The parameters: the test fills in the server's URL.
    "SERVER = {server!r}",
    """\
from comfydsl import Workflow, load_prompt
from comfydsl.client import Client
from comfydsl.nodes import CreateVideo, EmptyImage, ImageInvert, SaveImage, SaveVideo

with Workflow() as wf:
    image = EmptyImage(width=64, height=48, color=0x123456, title="A <dark> blue")
    SaveImage(images=ImageInvert(image=image), filename_prefix="notebook/inverted")
wf""",
    """\
load_prompt({
    "1": {"inputs": {"width": 0, "height": 8, "batch_size": 1, "color": 0},
          "class_type": "EmptyImage"},
    "2": {"inputs": {"images": ["1", 0], "filename_prefix": "x"}, "class_type": "SaveImage"},
})""",
    """\
client = Client(SERVER)
result = client.submit(wf).wait(timeout=120, progress=False)
result""",
    """\
with Workflow() as clip:
    frames = EmptyImage(width=64, height=64, batch_size=8, color=0x00FF00)
    SaveVideo(video=CreateVideo(images=frames, fps=8), filename_prefix="notebook/clip",
              format="mp4", codec="h264")
client.submit(clip).wait(timeout=120, progress=False)""",
]


@pytest.fixture(scope="module")
def outputs(comfyui_server: Any) -> list[dict[str, Any]]:
    """The display output of each cell of the notebook, run in a fresh kernel."""
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell(CELLS[0].format(server=comfyui_server.url)),
        *(nbformat.v4.new_code_cell(source) for source in CELLS[1:]),
    ]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    NotebookClient(notebook, timeout=CELL_TIMEOUT, kernel_name="python3").execute()
    nbformat.validate(notebook)
    found = []
    for cell in notebook.cells[1:]:
        results = [o for o in cell.outputs if o.output_type == "execute_result"]
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert [] == errors, "\n".join("\n".join(e.traceback) for e in errors)
        assert 1 == len(results), cell.outputs
        found.append(dict(results[0].data))
    return found


def svg_texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    return ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]


def test_a_workflow_shows_as_its_svg_picture(outputs: list[dict[str, Any]]) -> None:
    data = outputs[0]
    assert {"image/svg+xml", "text/plain"} == set(data)
    svg = data["image/svg+xml"]
    texts = svg_texts(svg)
    assert {"A <dark> blue", "Invert Image", "Save Image", "notebook/inverted"} <= set(texts)
    assert 2 == svg.count('class="edge"') == svg.count('<path fill="none" stroke="#64b5f6"')


def test_a_workflow_with_a_problem_shows_it_marked(outputs: list[dict[str, Any]]) -> None:
    svg = outputs[1]["image/svg+xml"]
    assert 'stroke="#ee0000"' in svg
    assert any(t.startswith("⚠ width: Value 0 smaller than min of 1") for t in svg_texts(svg))


def embedded(page: str, media: str) -> list[bytes]:
    return [base64.b64decode(m) for m in re.findall(rf'src="data:{media};base64,([^"]+)"', page)]


def test_a_jobs_image_shows_inline_as_the_server_made_it(outputs: list[dict[str, Any]]) -> None:
    page = outputs[2]["text/html"]
    (png,) = embedded(page, "image/png")
    with Image.open(io.BytesIO(png)) as image:
        assert ("RGB", (64, 48)) == (image.mode, image.size)
        assert (0xED, 0xCB, 0xA9) == image.getpixel((10, 10))  # 0x123456, inverted
    assert re.search(r'<a href="http://127\.0\.0\.1:\d+/view\?filename=inverted_\d+_\.png', page)


def test_a_jobs_video_shows_as_a_player(outputs: list[dict[str, Any]]) -> None:
    page = outputs[3]["text/html"]
    assert re.search(r'<video controls [^>]*src="data:video/mp4;base64,', page)
    (video,) = embedded(page, "video/mp4")
    assert b"ftyp" == video[4:8] and len(video) > 100
