"""``comfydsl stubs``: what ``python -m comfydsl.codegen.stubs`` does, from the command line."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from comfydsl.cli import main
from comfydsl.cli.stubs import add_stubs_command
from comfydsl.codegen import stubs

ROOT = Path(__file__).resolve().parents[3]
STUB = ROOT / "comfydsl" / "nodes" / "__init__.pyi"


def test_stubs_subcommand_parses_like_the_module(tmp_path: Path) -> None:
    parser = argparse.ArgumentParser(prog="comfydsl")
    add_stubs_command(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["stubs", "-o", str(tmp_path / "s.pyi"), "--no-fallback"])
    assert 0 == args.handler(args)
    assert "def __getattr__(name: str)" not in (tmp_path / "s.pyi").read_text(encoding="utf-8")


def test_stubs_writes_the_bytes_the_module_writes(tmp_path: Path) -> None:
    by_command, by_module = tmp_path / "a.pyi", tmp_path / "b.pyi"
    assert 0 == main(["stubs", "-o", str(by_command)])
    assert 0 == stubs.main(["-o", str(by_module)])
    assert by_module.read_bytes().replace(b"b.pyi", b"a.pyi") == by_command.read_bytes()


def test_stubs_check_of_the_checked_in_stub(capsys: pytest.CaptureFixture[str]) -> None:
    assert 0 == main(["stubs", "--check"])
    assert "is up to date" in capsys.readouterr().err


def test_stubs_to_standard_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert 0 == main(["stubs", "-o", "-"])
    out = capsys.readouterr().out
    expected = STUB.read_text(encoding="utf-8").replace(
        "#     python -m comfydsl.codegen.stubs\n", "#     python -m comfydsl.codegen.stubs -o -\n"
    )
    assert expected == out


def test_check_of_standard_output_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert 2 == main(["stubs", "-o", "-", "--check"])
    assert capsys.readouterr().err.startswith("error: --check compares a file")


def test_a_catalog_from_standard_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    pack = '{"MyPackNode": {"input": {}, "output": ["IMAGE"]}}'
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(pack.encode())))
    target = tmp_path / "s.pyi"
    assert 0 == main(["stubs", "--catalog", "-", "-o", str(target)])
    assert "MyPackNode: _MyPackNode_Class" in target.read_text(encoding="utf-8")
