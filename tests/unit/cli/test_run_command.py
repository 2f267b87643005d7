"""``comfydsl run``, against the fake server or none."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import pytest
from comfy_fake import FakeComfy, refused_url

from comfydsl.cli import build_parser, main
from comfydsl.cli.run import add_run_command


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="comfydsl")
    add_run_command(top.add_subparsers(dest="command"))
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
    assert ("wf.py", ["http://h:1"], "o", 9.0, [("X-A", "b c")]) == (
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


def test_main_returns_2_for_a_malformed_header(capsys: pytest.CaptureFixture[str]) -> None:
    assert 2 == main(["run", "wf.py", "--header", "no colon"])
    assert "expected 'Name: value'" in capsys.readouterr().err


def test_cacert_and_insecure_exclude_each_other() -> None:
    args = build_parser().parse_args(["run", "wf.py", "--cacert", "ca.pem"])
    assert ("ca.pem", False) == (args.cacert, args.insecure)
    assert 2 == main(["run", "wf.py", "--cacert", "ca.pem", "--insecure"])


def test_run_against_no_server_is_a_clear_error_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "wf.py"
    script.write_text(
        "from comfydsl.nodes import EmptyImage, SaveImage\n"
        "SaveImage(images=EmptyImage(width=8, height=8))\n"
    )
    assert 1 == main(["run", str(script), "--server", refused_url(), "--no-progress"])
    err = capsys.readouterr().err
    assert "cannot reach the server (Connection refused)" in err and "Traceback" not in err


def test_a_bad_server_url_is_reported_before_the_script_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "wf.py"
    script.write_text("raise SystemExit('the script ran')\n", encoding="utf-8")
    assert 1 == main(["run", str(script), "--server", "ftp://h"])
    err = capsys.readouterr().err
    assert err.startswith("error: the server URL must be http:// or https://"), err
    assert "the script ran" not in err


def test_catalog_urls_are_asked_with_the_runs_headers(
    fake: FakeComfy, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The fake answers POST /prompt with 500 when no run is scripted: the catalog (GET
    # /object_info) is what this test is about, and it is asked before anything is posted.
    script = tmp_path / "wf.py"
    script.write_text(
        "from comfydsl.nodes import EmptyImage, SaveImage\n"
        "SaveImage(images=EmptyImage(width=8, height=8))\n"
    )
    args = ["run", str(script), "--server", fake.url, "--catalog", fake.url, "--no-progress"]
    assert 1 == main([*args, "--header", "Authorization: Bearer T", "--no-validate"])
    assert capsys.readouterr().err.startswith("error: ")
    asked = [(path, headers) for method, path, headers, _ in fake.requests if method == "GET"]
    assert "/object_info" == asked[0][0]
    assert "Bearer T" == asked[0][1].get("Authorization")
    posted = [headers for method, _, headers, _ in fake.requests if method == "POST"]
    assert ["Bearer T"] == [h.get("Authorization") for h in posted]


def test_environment_catalogs_are_asked_with_the_headers_too(
    fake: FakeComfy,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COMFYDSL_CATALOG", fake.url)
    script = tmp_path / "wf.py"
    script.write_text("from comfydsl.nodes import EmptyImage\nEmptyImage(width=8)\n")
    assert 0 == main(["compile", str(script), "--header", "X-Token: t"])
    assert ["t"] == [h.get("X-Token") for _, path, h, _ in fake.requests if path == "/object_info"]
    assert 1 == len(json.loads(capsys.readouterr().out))


def test_the_catalog_is_asked_with_the_clients_tls_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import comfydsl.cli.script
    import comfydsl.client
    from comfydsl.errors import CatalogError

    seen: dict[str, Any] = {}

    class RecordingClient:
        def __init__(self, url: str, **options: Any) -> None:
            seen["client"] = {k: options[k] for k in ("headers", "verify")}

        def __enter__(self) -> RecordingClient:
            return self

        def __exit__(self, *exc: object) -> None:
            pass

    def recording_load_catalog(location: str, **options: Any) -> Any:
        seen["catalog"] = {k: options[k] for k in ("headers", "verify")}
        raise CatalogError("stop here", source=location)

    monkeypatch.setattr(comfydsl.client, "Client", RecordingClient)
    monkeypatch.setattr(comfydsl.cli.script, "load_catalog", recording_load_catalog)
    script = tmp_path / "wf.py"
    script.write_text("", encoding="utf-8")
    for tls, verify in ((["--insecure"], False), (["--cacert", "ca.pem"], "ca.pem"), ([], None)):
        argv = ["run", str(script), "--catalog", "https://h/", "--header", "A: b", *tls]
        assert 1 == main(argv)
        assert "error: https://h/: stop here\n" == capsys.readouterr().err
        expected = {"headers": {"A": "b"}, "verify": verify}
        assert {"client": expected, "catalog": expected} == seen
