"""``comfydsl render``, and templates and sweeps given to ``compile``: variables typed from the
command line or a file, one output per combination with a name that says its values, and the
mistakes of the command line told apart from those of the template."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_runner import ROOT, run_cli

from comfydsl.cli import main

TEMPLATES = ROOT / "examples" / "templates"
INVERT = str(TEMPLATES / "invert.py.j2")
SVD = str(TEMPLATES / "svd_img2vid.json.j2")


def test_render_prints_the_script_with_its_values(capsys: pytest.CaptureFixture[str]) -> None:
    assert 0 == main(["render", INVERT, "--var", "color=255", "--var", 'prefix=say "hi"'])
    out = capsys.readouterr().out
    assert "color=255)" in out and 'filename_prefix="say \\"hi\\"")' in out


def test_render_writes_a_file(tmp_path: Path) -> None:
    out = tmp_path / "p.json"
    assert 0 == main(["render", SVD, "--var", "seed=7", "--var", "prefix:str=007", "-o", str(out)])
    prompt = json.loads(out.read_text(encoding="utf-8"))
    assert (7, "007") == (prompt["5"]["inputs"]["seed"], prompt["7"]["inputs"]["filename_prefix"])


def test_variables_come_from_files_and_the_command_line_wins(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.toml").write_text('color = 1\nprefix = "from toml"\n', encoding="utf-8")
    (tmp_path / "b.json").write_text('{"color": 2}', encoding="utf-8")
    args = [
        "render",
        INVERT,
        "--vars",
        str(tmp_path / "a.toml"),
        "--vars",
        str(tmp_path / "b.json"),
    ]
    assert 0 == main([*args, "--var", "size=8"])
    out = capsys.readouterr().out
    assert "color=2)" in out and '"from toml"' in out and "width=8," in out
    assert 0 == main([*args, "--var", "color=3"])
    assert "color=3)" in capsys.readouterr().out


def test_render_writes_one_file_per_combination(tmp_path: Path) -> None:
    folder = tmp_path / "scripts"
    assert 0 == main(
        ["render", INVERT, "--sweep", "color=1..2", "--sweep", "size=8,16", "-o", str(folder)]
    )
    names = sorted(p.name for p in folder.iterdir())
    assert [
        "color=1,size=16.py",
        "color=1,size=8.py",
        "color=2,size=16.py",
        "color=2,size=8.py",
    ] == names
    assert "color=2)" in (folder / "color=2,size=8.py").read_text(encoding="utf-8")


def test_compile_writes_one_prompt_per_combination(tmp_path: Path) -> None:
    folder = tmp_path / "prompts"
    assert 0 == main(
        ["compile", SVD, "--sweep", "seed=1,2", "--sweep", "fps=6,8", "--zip", "-o", str(folder)]
    )
    assert ["fps=6", "fps=8"] == sorted(p.stem.split(",")[1] for p in folder.iterdir())
    one = tmp_path / "one.json"
    assert 0 == main(["compile", SVD, "--var", "seed=2", "--var", "fps=8", "-o", str(one)])
    assert one.read_text(encoding="utf-8") == (folder / "seed=2,fps=8.json").read_text(
        encoding="utf-8"
    )


def test_compile_takes_rows_from_a_file(tmp_path: Path) -> None:
    rows = tmp_path / "rows.csv"
    rows.write_text("color,prefix\n1,a cat\n2,b\n", encoding="utf-8")
    folder = tmp_path / "p"
    assert 0 == main(
        ["compile", INVERT, "--sweep", f"@{rows}", "--sweep", "size=8,9", "-o", str(folder)]
    )
    prompts = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.iterdir())]
    assert 4 == len(prompts)
    assert {"a cat", "b"} == {p["3"]["inputs"]["filename_prefix"] for p in prompts}


def test_compile_checks_every_combination_before_writing_any(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "p"
    assert 1 == main(
        ["compile", INVERT, "--sweep", "color=1,2", "--var", "size=0", "-o", str(folder)]
    )
    err = capsys.readouterr().err
    assert err.startswith(f"error: color=1: {INVERT}:9: EmptyImage, input 'width'"), err
    assert not folder.exists()


def test_a_template_error_names_the_template_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert 1 == main(["compile", INVERT])
    assert f"error: {INVERT}:9: undefined variable 'color'\n" == capsys.readouterr().err
    broken = tmp_path / "broken.py.j2"
    broken.write_text("x = 1\ny = {{ color\n", encoding="utf-8")
    assert 1 == main(["render", str(broken)])
    assert capsys.readouterr().err.startswith(f"error: {broken}:2: template syntax: ")


def test_a_script_error_names_the_template_line_or_the_rendered_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kept = tmp_path / "kept.py.j2"
    kept.write_text("from comfydsl.nodes import EmptyImage\n\nEmptyImage(width={{ w }})\n", "utf-8")
    assert 1 == main(["compile", str(kept), "--var", "w=0"])
    assert capsys.readouterr().err.startswith(f"error: {kept}:3: EmptyImage, input 'width'")
    moved = tmp_path / "moved.py.j2"
    moved.write_text(
        "from comfydsl.nodes import EmptyImage\n{% if w %}\n\nEmptyImage(width={{ w }})\n{% endif %}\n",
        encoding="utf-8",
    )
    assert 1 == main(["compile", str(moved), "--var", "w=-1"])
    assert capsys.readouterr().err.startswith(f"error: {moved} (rendered):3: EmptyImage")


def test_a_template_finds_files_beside_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "size.txt").write_text("12", encoding="utf-8")
    template = tmp_path / "beside.py.j2"
    template.write_text(
        "from pathlib import Path\nfrom comfydsl.nodes import EmptyImage, PreviewImage\n"
        "size = int((Path(__file__).parent / 'size.txt').read_text())\n"
        "PreviewImage(images=EmptyImage(width=size, height={{ h }}))\n",
        encoding="utf-8",
    )
    assert 0 == main(["compile", str(template), "--var", "h=5", "--indent", "-1"])
    assert {"width": 12, "height": 5} == {
        k: v
        for k, v in json.loads(capsys.readouterr().out)["1"]["inputs"].items()
        if k in ("width", "height")
    }


USAGE = [
    (["render", INVERT, "--var", "colr=1"], "reads no variable 'colr'; did you mean 'color'?"),
    (["render", INVERT, "--var", "color"], "--var color: expected NAME=VALUE"),
    (["render", INVERT, "--var", "color:int=x"], "'x' is not an integer"),
    (["render", INVERT, "--sweep", "color=1..x"], "--sweep color=1..x"),
    (["render", INVERT, "--sweep", "colour=1,2", "-o", "{tmp}/o"], "reads no variable 'colour'"),
    (["render", INVERT, "--sweep", "color=1,2"], "give the folder with -o DIR"),
    (["compile", INVERT, "--sweep", "color=1,2", "-o", "-"], "give the folder with -o DIR"),
    (["render", INVERT, "--zip", "--var", "color=1"], "--zip takes the values of --sweep"),
    (["render", INVERT, "--var", "color=1", "--sweep", "color=2,3", "-o", "{tmp}/o"], "both set"),
    (["render", INVERT, "--sweep", "color=1,2", "--sweep", "size=1..3", "--zip", "-o", "{tmp}/o"], "as many values each"),
    (["render", str(ROOT / "examples" / "invert.py")], "is not a template"),
    (["render", "-"], "not stdin"),
    (["compile", str(ROOT / "examples" / "invert.py"), "--var", "x=1"], "the variables of a template"),
    (["compile", str(ROOT / "examples" / "invert.py"), "--sweep", "x=1,2", "-o", "{tmp}/o"], "--sweep sets variables of a template"),
    (["run", str(ROOT / "examples" / "invert.py"), "--sweep", "x=1,2", "--server", "http://127.0.0.1:1"], "--sweep sets variables of a template"),
    (["run", INVERT, "--server", "http://127.0.0.1:1", "--server", "http://127.0.0.1:1"], "given twice"),
    (["run", INVERT, "--in-flight", "0"], "expected at least 1"),
]  # fmt: skip


@pytest.mark.parametrize(("argv", "said"), USAGE, ids=[" ".join(a[2:])[:60] for a, _ in USAGE])
def test_a_mistake_in_the_command_line_exits_2(
    argv: list[str], said: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main([arg.format(tmp=tmp_path) for arg in argv])
    err = capsys.readouterr().err
    assert 2 == status, err
    assert said in err and "Traceback" not in err, err
    assert err.startswith(("error: ", "usage: ")), err


def test_render_in_a_real_process(tmp_path: Path) -> None:
    result = run_cli(["render", INVERT, "--var", "color=3", "-o", str(tmp_path / "s.py")])
    assert 0 == result.returncode, result.stderr.decode()
    assert "color=3)" in (tmp_path / "s.py").read_text(encoding="utf-8")
