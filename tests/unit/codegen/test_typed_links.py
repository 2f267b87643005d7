"""Stubs that type the links, checked by the type checkers themselves: mypy and pyright.

One run of each checker reads every script here (a correct one, misuses, a matrix of every output
type into every input type) and examples/*.py against the checkout's stub, and its verdict on each
line is compared with what is expected: no error on a correct line; on a wrong one, an error at
that line (for mypy, of the expected code and text). The matrix is a differential test: for each
pair, the line is an error for mypy, for pyright and for the runtime (a LinkTypeError when the
node is made) exactly when the server's rule (``strategies.type_fits``, written from PROTOCOL.md)
says the output does not fit.

pyright is the type checker of VS Code's Pylance: that the stub works in it is what "typed links
in the IDE" means for most users. It runs from the PyPI package ``pyright``, which fetches its
program from npm on first use (into ~/.cache, outside the checkout).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import strategies as sts
from typecheck import run_mypy

from comfydsl.catalog import Catalog
from comfydsl.codegen import stubs
from comfydsl.errors import NodeError
from comfydsl.graph import Workflow
from comfydsl.nodes import node_class

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))
assert EXAMPLES, f"no example scripts in {ROOT / 'examples'}"
#: Scripts that ``comfydsl import`` wrote (tests/golden/test_imports.py) type-check like examples.
EXAMPLES += sorted((ROOT / "tests" / "golden" / "imported").glob("*.py"))

GOOD_SCRIPT = """\
from pathlib import Path

from comfydsl import Node as UntypedNode
from comfydsl.catalog import use_packs
from comfydsl.graph import Node, Output

use_packs("controlnet_aux", "vhs")

from comfydsl.nodes import (  # noqa: E402
    CheckpointLoaderSimple,
    CLIPTextEncode,
    EmptyLatentImage,
    HEDPreprocessor,
    KSampler,
    LoadImage,
    NodeClass,
    PreviewAny,
    PreviewImage,
    SaveImage,
    VAEDecode,
    VHS_Unbatch,
    VHS_VideoCombine,
    from_catalog,
    node_class,
)

ckpt = CheckpointLoaderSimple(ckpt_name="sd_xl_base_1.0.safetensors")
model, clip, vae = ckpt
pos = CLIPTextEncode(text="a lighthouse at dusk", clip=ckpt.CLIP)
neg = CLIPTextEncode("blurry", clip, title="negative")
samples = KSampler(
    model=ckpt.MODEL,
    seed=42,
    steps="26",
    cfg=5,
    sampler_name="euler",
    scheduler="karras",
    positive=pos,
    negative=neg,
    latent_image=EmptyLatentImage(width=1024, height=1024),
    id="sampler",
    extra_inputs={"note": 1},
)
again = KSampler(ckpt[0], 1, 20, 8.0, "euler", "normal", pos, neg, samples, 1.0)
KSampler(ckpt.MODEL, 1, 20, 8.0, "euler", "normal", pos[0], negative=neg.CONDITIONING, latent_image=again.LATENT)
KSampler(model, positive=pos, negative=neg, latent_image=samples)
image = VAEDecode(samples=samples, vae=vae)
photo = LoadImage(image=Path("photo.png"))
edges = HEDPreprocessor(image=photo.IMAGE, safe="disable")
PreviewImage(images=edges)
VHS_VideoCombine(images=image, frame_rate=6, format="video/h264-mp4", crf=19)
PreviewAny(source=ckpt.CLIP)
anything = VHS_Unbatch(batched=photo.MASK)
SaveImage(images=anything, filename_prefix="any")
untyped = UntypedNode("MyPackNode", x=1)
SaveImage(images=untyped[0], filename_prefix="x")
SaveImage(images=VAEDecode(samples=samples, vae=ckpt.VAE), filename_prefix="lighthouse")
latent: Output = samples.LATENT
first: Output = ckpt[0]
as_node: Node = samples
as_class: NodeClass = KSampler
from_pack = node_class("HEDPreprocessor")
packs = from_catalog
"""

# Each wrong line ends with ``# <mypy error code>: <text its message holds>``.
BAD_SCRIPT = """\
from comfydsl import Node as UntypedNode
from comfydsl.nodes import (
    CheckpointLoaderSimple,
    CLIPTextEncode,
    EmptyLatentImage,
    HEDPreprocessor,
    KSampler,
    SaveImage,
    VAEDecode,
)

ckpt = CheckpointLoaderSimple(ckpt_name="x.safetensors")
pos = CLIPTextEncode(text="a", clip=ckpt.CLIP)
lat = EmptyLatentImage()
KSampler(model=ckpt.CLIP, positive=pos, negative=pos, latent_image=lat)  # call-overload: "_CLIP"
KSampler(model=ckpt.MODEL, positive=pos, latent_image=lat)  # call-overload: "_KSampler_Class"
KSampler(model=ckpt.MODEL, positive=pos, negative=pos, latent_image=lat, sampler_nam="euler")  # call-overload: did you mean "sampler_name"
KSampler(ckpt.MODEL, 1, 20, 8.0, "eulr", "normal", pos, pos, lat)  # call-overload: "_KSampler_Class"
KSampler(ckpt.MODEL, 1, 20, 8.0, "euler", "normal", pos, pos, lat, 1.0, lat)  # call-overload: "_KSampler_Class"
VAEDecode(samples=lat, vae=ckpt.CLIP)  # arg-type: "_CLIP"
VAEDecode(samples=ckpt, vae=ckpt.VAE)  # arg-type: "_CheckpointLoaderSimple_Node"
VAEDecode(samples=pos, vae=ckpt.VAE)  # arg-type: "_CLIPTextEncode_Node"
VAEDecode(vae=ckpt.VAE)  # call-arg: "samples"
VAEDecode(samples="LATENT", vae=ckpt[2])  # arg-type: "str"
VAEDecode(samples=lat, vae=ckpt[1])  # arg-type: "_CLIP"
SaveImage(images=UntypedNode("MyPackNode"))  # arg-type: "Node"
HEDPreprocessor(image=ckpt.MODEL)  # arg-type: "_MODEL"
CLIPTextEncode(text="a", clip=ckpt.CLIP, title=3)  # arg-type: "title"
"""

#: Output types and input types of the matrix: names, unions, ``*``, widgets, non-ASCII.
MATRIX_OUTPUTS = (
    *sts.LINK_TYPES,
    "*",
    "INT",
    "FLOAT",
    "STRING",
    "IMAGE,MASK",
    "RIG_TASK_ID",
    "FLOAT,INT",
    ["a", "b"],
)
MATRIX_INPUTS: tuple[Any, ...] = (
    *sts.INPUT_LINK_TYPES,
    "INT",
    "FLOAT",
    "STRING",
    "MASK,FLOAT",
    ["a", "b"],
    ["a", "c"],
    "COMBO",
)


def fits(output_type: Any, input_type: Any) -> bool:
    """The server's rule, with legacy combos: a list of choices fits only the same list, or ``*``."""
    if input_type == "*" or output_type == "*":
        return True
    if isinstance(input_type, list) or isinstance(output_type, list) or input_type == "COMBO":
        return output_type == input_type
    return sts.type_fits(output_type, input_type)


def matrix_catalog() -> Catalog:
    """A class with one output per output type; one with one optional input per input type."""
    definitions: dict[str, Any] = {}
    for i, out_type in enumerate(MATRIX_OUTPUTS):
        definitions[f"Out{i}"] = {"input": {}, "output": [out_type], "output_name": ["out"]}
    for j, in_type in enumerate(MATRIX_INPUTS):
        spec: list[Any] = [in_type, {}]
        if in_type == "COMBO":
            spec = ["COMBO", {"options": ["a", "b"]}]
        definitions[f"In{j}"] = {"input": {"optional": {"x": spec}}, "output": []}
    return Catalog(definitions, source="matrix")


def matrix_lines() -> list[tuple[int, int, str]]:
    """(output, input, how) of each line of the matrix script, in order: by index, or the node."""
    return [
        (i, j, how)
        for i in range(len(MATRIX_OUTPUTS))
        for j in range(len(MATRIX_INPUTS))
        for how in ("[0]", "")
    ]


def matrix_script() -> tuple[str, dict[int, bool]]:
    """The script of the matrix, and by line number whether its link fits."""
    classes = [f"Out{i}" for i in range(len(MATRIX_OUTPUTS))]
    classes += [f"In{j}" for j in range(len(MATRIX_INPUTS))]
    lines = [f"from matrix_nodes import {', '.join(classes)}", ""]
    lines += [f"out{i} = Out{i}()" for i in range(len(MATRIX_OUTPUTS))]
    expected: dict[int, bool] = {}
    for i, j, how in matrix_lines():
        lines.append(f"In{j}(x=out{i}{how})")
        expected[len(lines)] = fits(MATRIX_OUTPUTS[i], MATRIX_INPUTS[j])
    return "\n".join(lines) + "\n", expected


def expected_errors(script: str) -> dict[int, tuple[str, str]]:
    """Line number -> (error code, text) from the ``# code: text`` comments of a script."""
    found = {}
    for number, line in enumerate(script.splitlines(), 1):
        match = re.search(r"  # ([a-z-]+): (.+)$", line)
        if match:
            found[number] = (match.group(1), match.group(2))
    return found


@pytest.fixture(scope="module")
def scripts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the scripts and the matrix's stub (``matrix_nodes.pyi``)."""
    folder = tmp_path_factory.mktemp("typed")
    (folder / "good.py").write_text(GOOD_SCRIPT, encoding="utf-8")
    (folder / "bad.py").write_text(BAD_SCRIPT, encoding="utf-8")
    (folder / "matrix.py").write_text(matrix_script()[0], encoding="utf-8")
    (folder / "matrix_nodes.pyi").write_text(
        stubs.render_stubs(matrix_catalog(), source="matrix"), encoding="utf-8"
    )
    return folder


def _by_file(lines: list[tuple[str, int, str]]) -> dict[str, dict[int, str]]:
    found: dict[str, dict[int, str]] = {}
    for path, number, text in lines:
        per_file = found.setdefault(Path(path).name, {})
        per_file[number] = per_file.get(number, "") + text + "\n"
    return found


CHECKED = ["good.py", "bad.py", "matrix.py", "matrix_nodes.pyi"]


@pytest.fixture(scope="module")
def mypy_errors(scripts: Path) -> dict[str, dict[int, str]]:
    """mypy --strict's errors, by file and line."""
    api = pytest.importorskip("mypy.api")
    files = [str(scripts / name) for name in CHECKED] + [str(p) for p in EXAMPLES]
    stdout = run_mypy(api, scripts, files, redefinition=True)
    found = []
    for line in stdout.splitlines():
        match = re.match(r"(.+?):(\d+): error: (.*)$", line)
        if match:
            found.append((match.group(1), int(match.group(2)), match.group(3)))
    return _by_file(found)


@pytest.fixture(scope="module")
def pyright_errors(scripts: Path) -> dict[str, dict[int, str]]:
    """pyright's errors (its standard mode), by file and line."""
    pytest.importorskip("pyright")
    command = shutil.which("pyright", path=str(Path(sys.executable).parent)) or shutil.which(
        "pyright"
    )
    assert command is not None, "the pyright package is installed, its command is not"
    config = {
        "include": [*CHECKED, *(str(p) for p in EXAMPLES)],
        "extraPaths": [str(ROOT)],
        "typeCheckingMode": "standard",
        "pythonVersion": "3.10",
    }
    (scripts / "pyrightconfig.json").write_text(json.dumps(config), encoding="utf-8")
    result = subprocess.run(
        [command, "--outputjson", "--project", str(scripts)],
        capture_output=True,
        text=True,
        cwd=scripts,
        timeout=600,
    )
    report = json.loads(result.stdout)
    found = [
        (d["file"], d["range"]["start"]["line"] + 1, d["message"])
        for d in report["generalDiagnostics"]
        if d["severity"] == "error"
    ]
    return _by_file(found)


# -- the tests -------------------------------------------------------------------------------------


@pytest.mark.parametrize("checker", ["mypy_errors", "pyright_errors"])
@pytest.mark.parametrize("name", ["good.py", "matrix_nodes.pyi", *(p.name for p in EXAMPLES)])
def test_correct_scripts_type_check(
    request: pytest.FixtureRequest, checker: str, name: str
) -> None:
    errors: dict[str, dict[int, str]] = request.getfixturevalue(checker)
    assert {} == errors.get(name, {})


def test_mypy_reports_each_misuse_at_its_line(mypy_errors: dict[str, dict[int, str]]) -> None:
    expected = expected_errors(BAD_SCRIPT)
    found = mypy_errors.get("bad.py", {})
    assert sorted(expected) == sorted(found), "".join(found.values())
    for number, (code, text) in expected.items():
        assert f"[{code}]" in found[number] and text in found[number], (number, found[number])


def test_pyright_reports_each_misuse_at_its_line(pyright_errors: dict[str, dict[int, str]]) -> None:
    expected = expected_errors(BAD_SCRIPT)
    found = pyright_errors.get("bad.py", {})
    assert sorted(expected) == sorted(found), "".join(found.values())


def runtime_fits(output_index: int, input_index: int, how: str) -> bool:
    """Whether the runtime takes the link of one matrix line (no LinkTypeError)."""
    catalog = matrix_catalog()
    with Workflow():
        source = node_class(f"Out{output_index}", catalog)()
        try:
            node_class(f"In{input_index}", catalog)(x=source[0] if how else source)
        except NodeError:
            return False
    return True


@pytest.mark.parametrize("checker", ["mypy_errors", "pyright_errors"])
def test_the_matrix_of_links_is_what_the_server_takes(
    request: pytest.FixtureRequest, checker: str
) -> None:
    errors: dict[str, dict[int, str]] = request.getfixturevalue(checker)
    _script, expected = matrix_script()
    found = errors.get("matrix.py", {})
    wrong = {n: found.get(n, "accepted") for n, ok in expected.items() if ok == (n in found)}
    assert {} == wrong, f"{len(wrong)} of {len(expected)} lines judged wrongly"
    rejected = sum(not ok for ok in expected.values())
    assert 0 < rejected < len(expected), "the matrix has links that fit and links that do not"


def test_the_runtime_takes_the_links_the_stub_takes() -> None:
    _script, expected = matrix_script()
    first_line = min(expected)
    for offset, (i, j, how) in enumerate(matrix_lines()):
        assert expected[first_line + offset] == runtime_fits(i, j, how), (
            MATRIX_OUTPUTS[i],
            MATRIX_INPUTS[j],
            how or "node",
        )
