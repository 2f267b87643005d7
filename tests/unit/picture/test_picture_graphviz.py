"""Running Graphviz: a clear error when ``dot`` is missing (with how to install it), when it fails,
crashes or hangs; the command and the notebook without it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from comfydsl import Workflow
from comfydsl.nodes import EmptyImage, ImageInvert, SaveImage
from comfydsl.picture import DOT_ENV, GraphvizError, GraphvizNotFound, find_dot, render, run_dot

ROOT = Path(__file__).resolve().parents[3]
INVERT = ROOT / "examples" / "invert.py"


@pytest.fixture
def no_dot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A PATH without Graphviz (an empty folder), and no COMFYDSL_DOT."""
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.delenv(DOT_ENV, raising=False)
    return empty


def small_workflow() -> Workflow:
    with Workflow() as wf:
        SaveImage(images=ImageInvert(image=EmptyImage(width=8, height=8)))
    return wf


def fake_dot(folder: Path, script: str) -> str:
    """A stand-in for dot, for what the real one does not do on demand (crash, hang, fail)."""
    path = folder / "fake-dot"
    path.write_text(f"#!/bin/sh\n{script}\n", encoding="utf-8")
    path.chmod(0o755)
    return str(path)


def test_the_real_dot_is_found() -> None:
    assert os.path.basename(find_dot()) == "dot"


def test_without_dot_the_error_says_how_to_install_it(no_dot: Path) -> None:
    with pytest.raises(GraphvizNotFound) as caught:
        render(small_workflow())
    message = str(caught.value)
    assert "no 'dot' on PATH" in message and "apt-get install graphviz" in message
    assert "brew install graphviz" in message and DOT_ENV in message
    assert isinstance(caught.value, FileNotFoundError)


def test_comfydsl_dot_names_the_program(no_dot: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DOT_ENV, str(no_dot / "not-here"))
    with pytest.raises(GraphvizNotFound, match="not-here' is not an executable program"):
        find_dot()


@pytest.mark.parametrize(
    ("script", "said"),
    [
        (
            "echo 'Error: syntax error in line 1' >&2; exit 1",
            "exit status 1; it said: Error: syntax",
        ),
        ("kill -SEGV $$", "it crashed (SIGSEGV)"),
        ("exit 0", "it wrote nothing"),
    ],
    ids=["fails", "crashes", "says nothing"],
)
def test_a_failing_dot_is_an_error_that_says_why(tmp_path: Path, script: str, said: str) -> None:
    with pytest.raises(GraphvizError, match=said.replace("(", r"\(").replace(")", r"\)")):
        run_dot("digraph {}", program=fake_dot(tmp_path, script))


def test_a_dot_that_hangs_is_ended_at_the_timeout(tmp_path: Path) -> None:
    program = fake_dot(tmp_path, "exec sleep 30")
    with pytest.raises(GraphvizError, match=r"took more than 0.5 s"):
        run_dot("digraph {}", program=program, timeout=0.5)


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="one of svg, png"):
        render(small_workflow(), "pdf")


def test_the_command_without_dot_says_how_to_install_it(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": str(tmp_path)}
    env.pop(DOT_ENV, None)

    def graph(target: Path) -> subprocess.CompletedProcess[bytes]:
        command = [sys.executable, "-m", "comfydsl.cli", "graph", str(INVERT), "-o", str(target)]
        return subprocess.run(command, capture_output=True, env=env, cwd=ROOT, timeout=60)

    done = graph(tmp_path / "g.svg")
    err = done.stderr.decode()
    assert 1 == done.returncode, err
    assert err.startswith("error: drawing a picture needs Graphviz's dot program"), err
    assert "apt-get install graphviz" in err and "Traceback" not in err
    assert not (tmp_path / "g.svg").exists()
    done = graph(tmp_path / "g.dot")  # the DOT source needs no Graphviz
    assert 0 == done.returncode, done.stderr.decode()
    assert (tmp_path / "g.dot").read_text(encoding="utf-8").startswith("digraph workflow {")
