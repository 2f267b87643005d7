"""The ``comfydsl graph`` command: a picture of a script's or a prompt file's workflow."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from comfydsl.cli import main

ROOT = Path(__file__).resolve().parents[3]
INVERT = str(ROOT / "examples" / "invert.py")
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("name", "extra", "starts"),
    [
        ("g.svg", [], b"<?xml"),
        ("g.png", [], PNG),
        ("g.dot", [], b"digraph workflow {"),
        ("g.gv", [], b"digraph workflow {"),
        ("G.SVG", [], b"<?xml"),
        ("g.svg", ["--format", "png"], PNG),
        ("picture", ["--format", "svg"], b"<?xml"),
    ],
)
def test_the_format_follows_the_file_or_the_option(
    name: str, extra: list[str], starts: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / name
    assert 0 == main(["graph", INVERT, "-o", str(target), *extra])
    assert target.read_bytes().startswith(starts)
    assert f"drew 3 nodes in {target}\n" == capsys.readouterr().err


def test_svg_goes_to_standard_output(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    assert 0 == main(["graph", INVERT, "-o", "-"])
    out = capsysbinary.readouterr()
    assert out.out.startswith(b"<?xml") and out.out.rstrip().endswith(b"</svg>")
    assert b"" == out.err
    assert 0 == main(["graph", INVERT])
    assert capsysbinary.readouterr().out.startswith(b"<?xml")


def test_png_goes_to_standard_output_when_asked(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    assert 0 == main(["graph", INVERT, "--format", "png"])
    assert capsysbinary.readouterr().out.startswith(PNG)


def test_png_is_not_written_to_a_terminal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    assert 2 == main(["graph", INVERT, "--format", "png"])
    assert "error: a PNG is not written to a terminal" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["-o", "graph.pdf"], "cannot tell the picture's format from 'graph.pdf'"),
        (["--timeout", "0"], "--timeout must be more than 0 seconds"),
    ],
)
def test_usage_mistakes_exit_2(
    argv: list[str], said: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert 2 == main(["graph", INVERT, *argv])
    assert f"error: {said}" in capsys.readouterr().err
    assert not (tmp_path / "graph.pdf").exists()


def test_a_prompt_file_is_drawn(tmp_path: Path) -> None:
    prompt = ROOT / "tests" / "golden" / "expected" / "txt2img.api.json"
    assert 0 == main(["graph", str(prompt), "-o", str(tmp_path / "g.dot")])
    source = (tmp_path / "g.dot").read_text(encoding="utf-8")
    assert 7 == source.count(" [label=<<TABLE") and "txt2img.api.json" in source


def test_a_script_on_standard_input_is_drawn(
    monkeypatch: pytest.MonkeyPatch, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    stdin = io.TextIOWrapper(io.BytesIO(Path(INVERT).read_bytes()), encoding="utf-8")
    monkeypatch.setattr("sys.stdin", stdin)
    assert 0 == main(["graph", "-", "--format", "dot"])
    assert 3 == capsysbinary.readouterr().out.count(b" [label=<<TABLE")


def test_problems_are_drawn_and_listed_as_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prompt = {
        "1": {"inputs": {"width": 0, "height": 8, "batch_size": 1, "color": 0},
              "class_type": "EmptyImage"},
        "2": {"inputs": {"images": ["1", 0], "filename_prefix": "x"}, "class_type": "SaveImage"},
    }  # fmt: skip
    (tmp_path / "bad.json").write_text(json.dumps(prompt), encoding="utf-8")
    target = tmp_path / "g.svg"
    assert 0 == main(["graph", str(tmp_path / "bad.json"), "-o", str(target)])
    err = capsys.readouterr().err
    assert err.startswith("warning: EmptyImage (node 1), input 'width': Value 0 smaller than min")
    assert err.endswith(f"drew 2 nodes in {target} (1 problems marked in red)\n")
    svg = target.read_text(encoding="utf-8")
    assert 'stroke="#ee0000"' in svg and "1 problem, marked in red" in svg


def test_many_problems_are_listed_up_to_twenty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prompt = {str(i): {"inputs": {}, "class_type": f"Missing{i}"} for i in range(25)}
    (tmp_path / "p.json").write_text(json.dumps(prompt), encoding="utf-8")
    assert 0 == main(["graph", str(tmp_path / "p.json"), "-o", str(tmp_path / "g.dot")])
    lines = capsys.readouterr().err.splitlines()
    assert 20 == sum(1 for line in lines if "does not exist" in line)
    assert "warning: ... and 5 more problems" in lines


def test_the_workflow_to_draw_can_be_named(tmp_path: Path) -> None:
    script = tmp_path / "two.py"
    script.write_text(
        "from comfydsl import Workflow\nfrom comfydsl.nodes import EmptyImage, PreviewImage\n"
        "with Workflow() as a:\n    PreviewImage(images=EmptyImage(width=8))\n"
        "with Workflow() as b:\n    EmptyImage(width=16)\n",
        encoding="utf-8",
    )
    assert 0 == main(["graph", str(script), "--workflow", "b", "-o", str(tmp_path / "b.dot")])
    assert 1 == (tmp_path / "b.dot").read_text(encoding="utf-8").count("[label=<<TABLE")


def test_a_pack_catalog_gives_its_classes_sockets(tmp_path: Path) -> None:
    script = tmp_path / "pack.py"
    script.write_text(
        "from comfydsl import Node\nfrom comfydsl.nodes import EmptyImage\n"
        "Node('VHS_VideoCombine', images=EmptyImage(width=8), frame_rate=6)\n",
        encoding="utf-8",
    )
    pack = ROOT / "nodes_catalog" / "packs" / "vhs.json"
    target = tmp_path / "g.dot"
    assert 0 == main(["graph", str(script), "--catalog", str(pack), "-o", str(target)])
    assert "Filenames" in target.read_text(encoding="utf-8")
