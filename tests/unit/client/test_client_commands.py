"""The client's command-line commands, against the fake server or none."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
from comfy_fake import FakeComfy, refused_url

from comfydsl.client.commands import add_catalog_pull_command, add_run_command
from comfydsl.transport.http import Transport, normalize_url


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="comfydsl")
    commands = top.add_subparsers(dest="command")
    add_run_command(commands)
    add_catalog_pull_command(commands)
    return top


def test_run_takes_script_server_out_timeout_and_headers() -> None:
    args = parser().parse_args(
        [
            "run",
            "wf.py",
            "--server",
            "http://h:1",
            "--out",
            "o",
            "--timeout",
            "9",
            "--header",
            "X-A: b c",
        ]
    )
    assert ("wf.py", "http://h:1", "o", 9.0, [("X-A", "b c")]) == (
        args.script,
        args.server,
        args.out,
        args.timeout,
        args.header,
    )


def test_a_malformed_header_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        parser().parse_args(["run", "wf.py", "--header", "no colon"])
    assert 2 == caught.value.code
    assert "expected 'Name: value'" in capsys.readouterr().err


def test_catalog_pull_joins_an_existing_catalog_group() -> None:
    top = argparse.ArgumentParser()
    commands = top.add_subparsers(dest="command")
    catalog = commands.add_parser("catalog")
    group = catalog.add_subparsers(dest="catalog_command")
    group.add_parser("list")
    add_catalog_pull_command(commands)
    assert {"list", "pull"} == set(group.choices)


def test_catalog_pull_writes_the_servers_definitions(fake: FakeComfy, tmp_path: Path) -> None:
    target = tmp_path / "deep" / "server.json"
    args = parser().parse_args(["catalog", "pull", "--server", fake.url, "-o", str(target)])
    assert 0 == args.handler(args)
    assert {} == json.loads(target.read_text(encoding="utf-8"))


def test_run_against_no_server_is_a_clear_error_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from comfydsl.cli import main

    script = tmp_path / "wf.py"
    script.write_text(
        "from comfydsl.nodes import EmptyImage, SaveImage\n"
        "SaveImage(images=EmptyImage(width=8, height=8))\n"
    )
    assert 1 == main(["run", str(script), "--server", refused_url(), "--no-progress"])
    err = capsys.readouterr().err
    assert "cannot reach the server (Connection refused)" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("127.0.0.1:8188", "http://127.0.0.1:8188/"),
        ("http://127.0.0.1:8188/", "http://127.0.0.1:8188/"),
        ("https://example.com/comfy", "https://example.com/comfy/"),
    ],
)
def test_server_urls_are_normalized(given: str, expected: str) -> None:
    assert expected == normalize_url(given)


def test_https_servers_get_a_wss_websocket() -> None:
    transport = Transport("https://example.com/comfy")
    assert "wss://example.com/comfy/ws?clientId=a" == transport.ws_url("ws?clientId=a")
    assert "https://example.com/comfy/prompt" == transport.url("/prompt")
    transport.session.close()


def test_other_schemes_are_refused() -> None:
    with pytest.raises(ValueError, match="http:// or https://"):
        normalize_url("ftp://example.com")
