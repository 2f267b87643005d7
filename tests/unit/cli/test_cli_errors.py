"""One policy for every command: a failure prints one ``error: ...`` line and exits 1, never with
a traceback; usage mistakes exit 2, Ctrl-C 130. Each command is tried with a bad argument of each
kind, in the process and (for a few) as a real ``python -m comfydsl.cli``.
"""

from __future__ import annotations

import ast
import importlib
import io
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from cli_runner import ROOT, run_cli
from comfy_fake import FakeComfy, refused_url
from ui_cases import case_txt2img

from comfydsl.cli import main

INVERT = str(ROOT / "examples" / "invert.py")
TEMPLATE = str(ROOT / "examples" / "templates" / "invert.py.j2")


@pytest.fixture
def not_json_server() -> Iterator[str]:
    """A server that answers every GET with 200 and a body that is not JSON."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"<html>a login page</html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def places(tmp_path: Path) -> dict[str, str]:
    """The files and folders that the bad arguments name."""
    (tmp_path / "folder").mkdir()
    (tmp_path / "not.json").write_text('{"1": {"class_type": ', encoding="utf-8")
    (tmp_path / "latin1.json").write_bytes(b'{"caf\xe9": 1}')
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    (tmp_path / "workflow.json").write_text(json.dumps(case_txt2img()), encoding="utf-8")
    (tmp_path / "list.json").write_text("[1, 2]", encoding="utf-8")
    (tmp_path / "dangling.json").write_text(
        '{"1": {"class_type": "ImageInvert", "inputs": {"image": ["9", 0]}}}', encoding="utf-8"
    )
    (tmp_path / "no-class.json").write_text('{"1": {"inputs": {}}}', encoding="utf-8")
    (tmp_path / "dir.json").mkdir()
    (tmp_path / "bad.py.j2").write_text("x = 1\ny = {{ color\n", encoding="utf-8")
    (tmp_path / "latin1.py.j2").write_bytes(b"x = '\xe9'\n")
    (tmp_path / "bad.json.j2").write_text('{"1": {{ a }}', encoding="utf-8")
    (tmp_path / "rows.csv").write_text("color\n1\n2\n", encoding="utf-8")
    (tmp_path / "text.sqlite3").write_text("not a database " * 100, encoding="utf-8")
    return {
        "ui": str(tmp_path / "workflow.json"),
        "list": str(tmp_path / "list.json"),
        "tmp": str(tmp_path),
        "dir": str(tmp_path / "folder"),
        "missing": str(tmp_path / "missing.py"),
        "not_json": str(tmp_path / "not.json"),
        "latin1": str(tmp_path / "latin1.json"),
        "under_file": str(tmp_path / "a-file" / "out.json"),
        "dangling": str(tmp_path / "dangling.json"),
        "no_class": str(tmp_path / "no-class.json"),
        "refused": refused_url(),
        "bad_template": str(tmp_path / "bad.py.j2"),
        "bad_json_template": str(tmp_path / "bad.json.j2"),
        "latin1_template": str(tmp_path / "latin1.py.j2"),
        "rows": str(tmp_path / "rows.csv"),
        "not_journal": str(tmp_path / "text.sqlite3"),
    }


#: (kind, command, argv). {name} is filled from the ``places`` fixture, {fake} is the fake
#: server's URL and {not_json} a server that answers with HTML. A kind that cannot happen to a
#: command is left out: run has no -o (its --out is a folder), catalog pull reads no file, and
#: catalog pull and stubs make the missing folders of their -o (see "under a file" for those).
CASES = [
    ("missing file", "compile", ["compile", "{missing}"]),
    ("missing file", "run", ["run", "{missing}", "--server", "{refused}"]),
    ("missing file", "stubs", ["stubs", "--catalog", "{tmp}/missing.json", "-o", "{tmp}/s.pyi"]),
    ("missing file", "catalog pull", ["catalog", "pull", "--server", "https://127.0.0.1:1", "--cacert", "{tmp}/missing.pem", "-o", "{tmp}/c.json"]),
    ("a directory", "compile", ["compile", "{dir}"]),
    ("a directory", "run", ["run", "{dir}", "--server", "{refused}"]),
    ("a directory", "stubs", ["stubs", "--catalog", "{dir}", "-o", "{tmp}/s.pyi"]),
    ("a directory", "compile --catalog", ["compile", INVERT, "--catalog", "{dir}"]),
    ("bad URL scheme", "compile", ["compile", INVERT, "--catalog", "ftp://h/packs.json"]),
    ("bad URL scheme", "run", ["run", INVERT, "--server", "ftp://h"]),
    ("bad URL scheme", "catalog pull", ["catalog", "pull", "--server", "ftp://h", "-o", "{tmp}/c.json"]),
    ("bad URL scheme", "stubs", ["stubs", "--catalog", "ftp://h/packs.json", "-o", "{tmp}/s.pyi"]),
    ("unreachable server", "compile", ["compile", INVERT, "--catalog", "{refused}"]),
    ("unreachable server", "run", ["run", INVERT, "--server", "{refused}", "--no-progress"]),
    ("unreachable server", "run --catalog", ["run", INVERT, "--server", "{fake}", "--catalog", "{refused}"]),
    ("unreachable server", "catalog pull", ["catalog", "pull", "--server", "{refused}", "-o", "{tmp}/c.json"]),
    ("unreachable server", "stubs", ["stubs", "--catalog", "{refused}", "-o", "{tmp}/s.pyi"]),
    ("bad JSON", "compile", ["compile", "{not_json}"]),
    ("bad JSON", "compile --catalog", ["compile", INVERT, "--catalog", "{not_json}"]),
    ("bad JSON", "run", ["run", "{not_json}", "--server", "{refused}"]),
    ("bad JSON", "catalog pull", ["catalog", "pull", "--server", "{not_json_server}", "-o", "{tmp}/c.json"]),
    ("bad JSON", "stubs", ["stubs", "--catalog", "{not_json}", "-o", "{tmp}/s.pyi"]),
    ("invalid UTF-8", "compile", ["compile", "{latin1}"]),
    ("invalid UTF-8", "run", ["run", "{latin1}", "--server", "{refused}"]),
    ("invalid UTF-8", "stubs", ["stubs", "--catalog", "{latin1}", "-o", "{tmp}/s.pyi"]),
    ("-o into a missing folder", "compile", ["compile", INVERT, "-o", "{tmp}/no/such/p.json"]),
    ("-o under a file", "compile", ["compile", INVERT, "-o", "{under_file}"]),
    ("-o under a file", "catalog pull", ["catalog", "pull", "--server", "{fake}", "-o", "{under_file}"]),
    ("-o under a file", "stubs", ["stubs", "-o", "{under_file}"]),
    ("-o onto a directory", "compile", ["compile", INVERT, "-o", "{dir}"]),
    ("-o onto a directory", "catalog pull", ["catalog", "pull", "--server", "{fake}", "-o", "{dir}"]),
    ("-o onto a directory", "stubs", ["stubs", "-o", "{dir}"]),
    ("missing file", "import", ["import", "{missing}"]),
    ("a directory", "import", ["import", "{dir}"]),
    ("bad URL scheme", "import", ["import", "{not_json}", "--catalog", "ftp://h/packs.json"]),
    ("unreachable server", "import", ["import", INVERT, "--catalog", "{refused}"]),
    ("bad JSON", "import", ["import", "{not_json}"]),
    ("invalid UTF-8", "import", ["import", "{latin1}"]),
    ("a list", "import", ["import", "{list}"]),
    ("a link to a missing node", "import", ["import", "{dangling}"]),
    ("a node without a class", "import", ["import", "{no_class}"]),
    ("-o into a missing folder", "import", ["import", INVERT, "-o", "{tmp}/no/such/s.py"]),
    ("-o under a file", "import", ["import", INVERT, "-o", "{under_file}"]),
    ("-o onto a directory", "import", ["import", INVERT, "-o", "{dir}"]),
    ("missing file", "catalog diff", ["catalog", "diff", "bundled", "{tmp}/missing.json"]),
    ("missing file", "catalog diff --check", ["catalog", "diff", "bundled", "bundled", "--check", "{missing}"]),
    ("a directory", "catalog diff", ["catalog", "diff", "{dir}", "bundled"]),
    ("bad URL scheme", "catalog diff", ["catalog", "diff", "bundled", "ftp://h/packs.json"]),
    ("unreachable server", "catalog diff", ["catalog", "diff", "bundled", "{refused}"]),
    ("bad JSON", "catalog diff", ["catalog", "diff", "{not_json}", "bundled"]),
    ("bad JSON", "catalog diff server", ["catalog", "diff", "bundled", "{not_json_server}"]),
    ("bad JSON", "catalog diff --check", ["catalog", "diff", "bundled", "bundled", "--check", "{not_json}"]),
    ("invalid UTF-8", "catalog diff", ["catalog", "diff", "{latin1}", "bundled"]),
    ("unknown pack", "catalog diff", ["catalog", "diff", "bundled:vhz", "bundled"]),
    ("-o under a file", "catalog diff", ["catalog", "diff", "bundled", "bundled", "-o", "{under_file}"]),
    ("-o onto a directory", "catalog diff", ["catalog", "diff", "bundled", "bundled", "-o", "{dir}"]),
    ("missing file", "graph", ["graph", "{missing}", "-o", "{tmp}/g.svg"]),
    ("a directory", "graph", ["graph", "{dir}", "-o", "{tmp}/g.svg"]),
    ("a directory", "graph --catalog", ["graph", INVERT, "--catalog", "{dir}"]),
    ("bad URL scheme", "graph", ["graph", INVERT, "--catalog", "ftp://h/packs.json"]),
    ("unreachable server", "graph", ["graph", INVERT, "--catalog", "{refused}"]),
    ("bad JSON", "graph", ["graph", "{not_json}", "-o", "{tmp}/g.svg"]),
    ("bad JSON", "graph --catalog", ["graph", INVERT, "--catalog", "{not_json}"]),
    ("invalid UTF-8", "graph", ["graph", "{latin1}", "-o", "{tmp}/g.png"]),
    ("-o into a missing folder", "graph", ["graph", INVERT, "-o", "{tmp}/no/such/g.svg"]),
    ("-o under a file", "graph", ["graph", INVERT, "-o", "{tmp}/a-file/g.png"]),
    ("-o onto a directory", "graph", ["graph", INVERT, "-o", "{dir}", "--format", "dot"]),
    ("missing file", "convert", ["convert", "{missing}"]),
    ("a directory", "convert", ["convert", "{dir}"]),
    ("a directory", "convert --catalog", ["convert", "{ui}", "--catalog", "{dir}"]),
    ("bad URL scheme", "convert", ["convert", "{ui}", "--catalog", "ftp://h/packs.json"]),
    ("unreachable server", "convert", ["convert", "{ui}", "--catalog", "{refused}"]),
    ("bad JSON", "convert", ["convert", "{not_json}"]),
    ("bad JSON", "convert --catalog", ["convert", "{ui}", "--catalog", "{not_json}"]),
    ("invalid UTF-8", "convert", ["convert", "{latin1}"]),
    ("not a workflow", "convert", ["convert", "{list}"]),
    ("not a workflow", "compile", ["compile", "{list}"]),
    ("-o into a missing folder", "convert", ["convert", "{ui}", "-o", "{tmp}/no/such/p.json"]),
    ("-o under a file", "convert", ["convert", "{ui}", "-o", "{under_file}"]),
    ("-o onto a directory", "convert", ["convert", "{ui}", "-o", "{dir}"]),
    # templates and sweeps (render, compile and run take templates; jobs reads a journal)
    ("missing file", "render", ["render", "{tmp}/missing.py.j2"]),
    ("missing file", "compile --vars", ["compile", TEMPLATE, "--vars", "{tmp}/missing.toml"]),
    ("missing file", "compile --sweep @", ["compile", TEMPLATE, "--sweep", "@{tmp}/missing.csv", "-o", "{tmp}/o"]),
    ("missing file", "run --sweep", ["run", TEMPLATE, "--sweep", "color=@{tmp}/missing.txt", "--server", "{refused}"]),
    ("missing file", "jobs", ["jobs", "{tmp}/missing"]),
    ("a directory", "render", ["render", "{dir}"]),
    ("a directory", "jobs", ["jobs", "{dir}"]),
    ("a directory", "compile --vars", ["compile", TEMPLATE, "--vars", "{tmp}/dir.json"]),
    ("bad template", "render", ["render", "{bad_template}"]),
    ("bad template", "compile", ["compile", "{bad_template}"]),
    ("bad template", "run", ["run", "{bad_template}", "--server", "{refused}"]),
    ("bad template", "compile .json.j2", ["compile", "{bad_json_template}", "--var", "a=1"]),
    ("undefined variable", "render", ["render", TEMPLATE]),
    ("undefined variable", "compile", ["compile", TEMPLATE]),
    ("undefined variable", "run --sweep", ["run", TEMPLATE, "--sweep", "size=8,9", "--server", "{refused}"]),
    ("bad JSON", "compile --vars", ["compile", TEMPLATE, "--vars", "{not_json}"]),
    ("bad JSON", "jobs", ["jobs", "{not_journal}"]),
    ("invalid UTF-8", "render", ["render", "{latin1_template}"]),
    ("invalid UTF-8", "compile --vars", ["compile", TEMPLATE, "--vars", "{latin1}"]),
    ("unreachable server", "run --sweep", ["run", TEMPLATE, "--sweep", "color=1..3", "--server", "{refused}", "--out", "{tmp}/r"]),
    ("unreachable server", "run, two servers", ["run", TEMPLATE, "--var", "color=1", "--server", "{refused}", "--server", "{refused}/x", "--out", "{tmp}/r"]),
    ("unreachable server", "run --sweep @rows", ["run", TEMPLATE, "--sweep", "@{rows}", "--server", "{refused}", "--out", "{tmp}/r"]),
    ("-o into a missing folder", "render", ["render", TEMPLATE, "--var", "color=1", "-o", "{tmp}/no/such/s.py"]),
    ("-o under a file", "render", ["render", TEMPLATE, "--var", "color=1", "-o", "{under_file}"]),
    ("-o under a file", "compile --sweep", ["compile", TEMPLATE, "--sweep", "color=1,2", "-o", "{under_file}"]),
    ("-o under a file", "run --sweep", ["run", TEMPLATE, "--sweep", "color=1,2", "--server", "{refused}", "--out", "{under_file}"]),
    ("-o onto a directory", "render", ["render", TEMPLATE, "--var", "color=1", "-o", "{dir}"]),
    ("missing file", "export", ["export", "{missing}"]),
    ("a directory", "export", ["export", "{dir}"]),
    ("a directory", "export --catalog", ["export", INVERT, "--catalog", "{dir}"]),
    ("bad URL scheme", "export", ["export", INVERT, "--catalog", "ftp://h/packs.json"]),
    ("unreachable server", "export", ["export", INVERT, "--catalog", "{refused}"]),
    ("bad JSON", "export", ["export", "{not_json}"]),
    ("bad JSON", "export --catalog", ["export", INVERT, "--catalog", "{not_json}"]),
    ("invalid UTF-8", "export", ["export", "{latin1}"]),
    ("not a workflow", "export", ["export", "{list}"]),
    ("-o into a missing folder", "export", ["export", INVERT, "-o", "{tmp}/no/such/w.json"]),
    ("-o under a file", "export", ["export", "{ui}", "-o", "{under_file}"]),
    ("-o onto a directory", "export", ["export", INVERT, "-o", "{dir}"]),
]  # fmt: skip


def fill(argv: list[str], values: dict[str, str]) -> list[str]:
    return [arg.format(**values) for arg in argv]


@pytest.mark.parametrize(("kind", "command", "argv"), CASES, ids=[f"{c}: {k}" for k, c, _ in CASES])
def test_every_command_reports_every_kind_of_bad_argument(
    kind: str,
    command: str,
    argv: list[str],
    places: dict[str, str],
    fake: FakeComfy,
    not_json_server: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    values = {**places, "fake": fake.url, "not_json_server": not_json_server}
    status = main(fill(argv, values))
    err = capsys.readouterr().err
    with capsys.disabled():
        print(f"\n{command}, {kind}: {err}", end="")
    assert (1, "error:") == (status, err[:6]), f"{command}, {kind}: status {status}, stderr:\n{err}"
    assert "Traceback" not in err, err


#: The same kinds of bad argument for ``diff``, on either side: it exits 2 for each (its 1 means
#: "different").
DIFF_CASES = [
    ("missing file", ["diff", "{missing}", INVERT]),
    ("missing file", ["diff", INVERT, "{missing}"]),
    ("a directory", ["diff", "{dir}", INVERT]),
    ("bad URL scheme", ["diff", INVERT, INVERT, "--catalog", "ftp://h/packs.json"]),
    ("unreachable server", ["diff", INVERT, INVERT, "--catalog", "{refused}"]),
    ("bad JSON", ["diff", INVERT, "{not_json}"]),
    ("invalid UTF-8", ["diff", "{latin1}", INVERT]),
    ("a list", ["diff", INVERT, "{list}"]),
    ("a link to a missing node", ["diff", "{dangling}", INVERT]),
    ("a node without a class", ["diff", INVERT, "{no_class}"]),
]


@pytest.mark.parametrize(("kind", "argv"), DIFF_CASES, ids=[f"diff: {k}" for k, _ in DIFF_CASES])
def test_diff_reports_every_kind_of_bad_argument_with_2(
    kind: str, argv: list[str], places: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(fill(argv, places))
    err = capsys.readouterr().err
    assert (2, "error:") == (status, err[:6]), f"diff, {kind}: status {status}, stderr:\n{err}"
    assert "Traceback" not in err and 1 == len(err.strip().splitlines()[:1]), err


SUBPROCESS_CASES = [
    ("compile", ["compile", "{missing}"], "no such file"),
    ("run", ["run", INVERT, "--server", "ftp://h"], "http:// or https://"),
    ("run", ["run", INVERT, "--server", "{refused}", "--no-progress"], "cannot reach the server"),
    ("catalog pull", ["catalog", "pull", "--server", "{refused}", "-o", "-"], "cannot reach"),
    ("stubs", ["stubs", "--catalog", "{not_json}", "-o", "{tmp}/s.pyi"], "not valid JSON"),
    ("compile", ["compile", INVERT, "-o", "{dir}"], "Is a directory"),
    ("catalog diff", ["catalog", "diff", "bundled:nope", "bundled"], "no bundled node pack"),
    ("graph", ["graph", INVERT, "-o", "{dir}", "--format", "svg"], "Is a directory"),
    ("convert", ["convert", "{not_json}"], "not valid JSON"),
    ("convert", ["convert", "{ui}", "-o", "{dir}"], "Is a directory"),
    ("render", ["render", "{bad_template}"], "bad.py.j2:2: template syntax"),
    ("compile", ["compile", TEMPLATE], "invert.py.j2:9: undefined variable 'color'"),
    ("run", ["run", TEMPLATE, "--sweep", "color=1..3", "--server", "{refused}", "--out", "{tmp}/r"], "no server answered"),
    ("jobs", ["jobs", "{tmp}/missing"], "no such journal"),
    ("export", ["export", "{not_json}"], "not valid JSON"),
]  # fmt: skip


@pytest.mark.parametrize(("command", "argv", "said"), SUBPROCESS_CASES)
def test_a_real_process_says_error_and_exits_1(
    command: str, argv: list[str], said: str, places: dict[str, str]
) -> None:
    result = run_cli(fill(argv, places))
    err = result.stderr.decode()
    assert 1 == result.returncode, err
    assert err.startswith("error:") and said in err, err
    assert "Traceback" not in err, err


# -- standard input and output --------------------------------------------------------------------


def with_stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def test_compile_reads_a_script_from_standard_input(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with_stdin(monkeypatch, Path(INVERT).read_bytes())
    assert 0 == main(["compile", "-", "--indent", "-1"])
    expected = capsys.readouterr().out
    assert 0 == main(["compile", INVERT, "--indent", "-1"])
    assert capsys.readouterr().out == expected


def test_compile_reads_a_prompt_from_standard_input(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    prompt = {"7": {"inputs": {"width": 8, "height": 8}, "class_type": "EmptyImage"}}
    with_stdin(monkeypatch, b"\n  " + json.dumps(prompt).encode())
    assert 0 == main(["compile", "-", "-o", "-", "--indent", "-1"])
    assert prompt == json.loads(capsys.readouterr().out)


def test_a_mistake_in_a_script_on_standard_input_is_at_stdin_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with_stdin(monkeypatch, b"from comfydsl.nodes import EmptyImage\nEmptyImage(width=0)\n")
    assert 1 == main(["compile", "-"])
    err = capsys.readouterr().err
    assert err.startswith("error: <stdin>:2: EmptyImage, input 'width'"), err


def test_a_script_on_standard_input_that_raises_shows_its_lines(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with_stdin(monkeypatch, b"x = 1\ny = x / 0\n")
    assert 1 == main(["compile", "-"])
    err = capsys.readouterr().err
    assert 'File "<stdin>", line 2' in err and "y = x / 0" in err and "ZeroDivisionError" in err


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (b'{"1": ', "<stdin>: not valid JSON"),
        (b"\xff\xfe{}", "<stdin>: the script or prompt is not UTF-8"),
    ],
    ids=["not JSON", "not UTF-8"],
)
def test_bad_standard_input_is_an_error(
    data: bytes, said: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with_stdin(monkeypatch, data)
    assert 1 == main(["compile", "-"])
    err = capsys.readouterr().err
    assert err.startswith(f"error: {said}"), err


def test_standard_input_is_read_once(capsys: pytest.CaptureFixture[str]) -> None:
    assert 2 == main(["compile", "-", "--catalog", "-"])
    assert "can be read only once" in capsys.readouterr().err


def test_compile_from_standard_input_in_a_real_process(tmp_path: Path) -> None:
    result = run_cli(
        ["compile", "-", "-o", str(tmp_path / "p.json")], stdin=Path(INVERT).read_bytes()
    )
    assert 0 == result.returncode, result.stderr.decode()
    assert 3 == len(json.loads((tmp_path / "p.json").read_text(encoding="utf-8")))


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_standard_output_is_an_error() -> None:
    with open("/dev/full", "wb") as full:
        result = subprocess.run(
            [sys.executable, "-m", "comfydsl.cli", "compile", INVERT],
            stdout=full,
            stderr=subprocess.PIPE,
            cwd=ROOT,
            timeout=60,
        )
    err = result.stderr.decode()
    assert 1 == result.returncode, err
    assert "error: <stdout>: No space left on device\n" == err


@pytest.mark.parametrize("command", ["compile", "stubs"])
def test_a_reader_that_leaves_early_stops_the_command_quietly(command: str, tmp_path: Path) -> None:
    # The output must be larger than what a pipe holds, or the whole of it fits before the
    # reader leaves.
    script = tmp_path / "many.py"
    script.write_text(
        "from comfydsl.nodes import EmptyImage, PreviewImage\n"
        "for i in range(2000):\n    PreviewImage(images=EmptyImage(width=8 + i))\n",
        encoding="utf-8",
    )
    argv = ["compile", str(script)] if command == "compile" else ["stubs", "-o", "-"]
    process = subprocess.Popen(
        [sys.executable, "-m", "comfydsl.cli", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    assert process.stdout is not None and process.stderr is not None
    assert 1 == len(process.stdout.read(1))
    process.stdout.close()
    err = process.stderr.read().decode()
    process.stderr.close()
    assert 1 == process.wait(timeout=60), err
    assert "" == err


# -- scripts that end in their own ways -----------------------------------------------------------


def test_a_script_raising_a_base_exception_is_a_script_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "boom.py"
    script.write_text(
        "class Boom(BaseException):\n    pass\n\ndef go():\n    raise Boom('no')\n\ngo()\n",
        encoding="utf-8",
    )
    assert 1 == main(["compile", str(script)])
    err = capsys.readouterr().err
    assert err.startswith(f"error: {script} failed:"), err
    assert f'File "{script}", line 7' in err and f'File "{script}", line 5' in err
    assert "Boom: no" in err
    assert "runpy" not in err and f"comfydsl{os.sep}" not in err


def test_a_script_that_exits_0_keeps_what_it_built(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "done.py"
    script.write_text(
        "import sys\nfrom comfydsl.nodes import EmptyImage\nEmptyImage(width=8)\nsys.exit(0)\n",
        encoding="utf-8",
    )
    assert 0 == main(["compile", str(script), "--indent", "-1"])
    assert 1 == len(json.loads(capsys.readouterr().out))


def test_a_script_that_exits_with_a_status_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "fails.py"
    script.write_text("raise SystemExit(3)\n", encoding="utf-8")
    assert 1 == main(["compile", str(script)])
    assert f"error: {script}: the script exited with status 3\n" == capsys.readouterr().err


def test_ctrl_c_exits_130(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "stop.py"
    script.write_text("raise KeyboardInterrupt\n", encoding="utf-8")
    assert 130 == main(["compile", str(script)])
    assert "interrupted\n" == capsys.readouterr().err


def test_an_unexpected_error_is_one_line_too(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise KeyError("oops")

    monkeypatch.setattr(importlib.import_module("comfydsl.cli.compile"), "ScriptSource", broken)
    assert 1 == main(["compile", INVERT])
    err = capsys.readouterr().err
    assert err.startswith("error: unexpected KeyError: 'oops'") and "Traceback" not in err


# -- the command itself ---------------------------------------------------------------------------


def test_help_documents_the_exit_statuses(capsys: pytest.CaptureFixture[str]) -> None:
    assert 0 == main(["--help"])
    out = capsys.readouterr().out
    for line in (
        "0    done",
        "1    an error",
        "2    a mistake in the command line",
        "130  interrupted",
    ):
        assert line in out


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert 2 == main([])
    assert "usage: comfydsl" in capsys.readouterr().err


def test_python_m_comfydsl_cli_is_the_command() -> None:
    result = run_cli(["--version"])
    assert 0 == result.returncode and result.stdout.decode().startswith("comfydsl ")


def imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
    return found


def test_nothing_outside_the_command_line_imports_it() -> None:
    package = ROOT / "comfydsl"
    importers = [
        str(path.relative_to(ROOT))
        for path in sorted(package.rglob("*.py"))
        if package / "cli" not in path.parents
        and any(
            m == "comfydsl.cli" or m.startswith("comfydsl.cli.") for m in imported_modules(path)
        )
    ]
    assert [] == importers
