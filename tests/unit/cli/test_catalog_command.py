"""``comfydsl catalog pull``: a server's node definitions saved to a file."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
from comfy_fake import FakeComfy

from comfydsl.cli import main
from comfydsl.cli.catalog import add_catalog_command, add_pull_command


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="comfydsl")
    add_catalog_command(top.add_subparsers(dest="command"))
    return top


def test_catalog_pull_joins_an_existing_catalog_group() -> None:
    top = argparse.ArgumentParser()
    commands = top.add_subparsers(dest="command")
    catalog = commands.add_parser("catalog")
    group = catalog.add_subparsers(dest="catalog_command")
    group.add_parser("list")
    add_pull_command(group)
    assert {"list", "pull"} == set(group.choices)


def test_catalog_pull_writes_the_servers_definitions(fake: FakeComfy, tmp_path: Path) -> None:
    target = tmp_path / "deep" / "server.json"
    args = parser().parse_args(["catalog", "pull", "--server", fake.url, "-o", str(target)])
    assert 0 == args.handler(args)
    assert {} == json.loads(target.read_text(encoding="utf-8"))


def test_catalog_pull_to_standard_output_with_headers(
    fake: FakeComfy, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["catalog", "pull", "--server", fake.url, "-o", "-", "--header", "X-Token: t"]
    assert 0 == main(argv)
    assert {} == json.loads(capsys.readouterr().out)
    assert ["t"] == [headers.get("X-Token") for _, _, headers, _ in fake.requests]


def test_catalog_without_an_action_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert 2 == main(["catalog"])
    assert "ACTION" in capsys.readouterr().err
