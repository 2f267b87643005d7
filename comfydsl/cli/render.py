"""``comfydsl render``: a template's text with its variables, or one text per combination.

    comfydsl render txt2img.py.j2 --var seed=42 --var 'prompt="a lighthouse"'   # print it
    comfydsl render prompt.json.j2 --vars vars.toml -o prompt.json
    comfydsl render txt2img.py.j2 --sweep seed=1..4 -o scripts/     # scripts/seed=1.py, ...

Values are written as literals of the template's language (see comfydsl.templates), so what is
printed is what ``compile`` and ``run`` would run or read.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from comfydsl.cli.arguments import STDIN, UsageError
from comfydsl.cli.output import write_output
from comfydsl.cli.sweeping import add_template_arguments, build_each, is_sweep
from comfydsl.errors import ScriptError
from comfydsl.templates import Template, is_template

__all__ = ["add_render_command"]


def add_render_command(commands: Any) -> argparse.ArgumentParser:
    """Add ``render TEMPLATE [--var ...] [--vars FILE] [--sweep ...] [-o FILE_OR_DIR]``."""
    parser: argparse.ArgumentParser = commands.add_parser(
        "render",
        help="print (or write) a template rendered with its variables",
        description=(
            "Render a template of a script (NAME.py.j2) or of an API-format prompt "
            "(NAME.json.j2) with the variables given. With --sweep, one text per combination "
            "is written into the folder -o names, each file named after its values."
        ),
    )
    parser.add_argument("template", help="a template file: NAME.py.j2 or NAME.json.j2")
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE_OR_DIR",
        help="write the text to this file (- : standard output); with --sweep, the folder",
    )
    add_template_arguments(parser)
    parser.set_defaults(handler=run_render)
    return parser


def run_render(args: argparse.Namespace) -> int:
    """Render the template of parsed ``render`` arguments; returns the exit status."""
    path = Path(args.template)
    if args.template == STDIN:
        raise UsageError("render reads a template file (NAME.py.j2 or NAME.json.j2), not stdin")
    if not path.is_file():
        what = "is a directory, not a template" if path.is_dir() else "no such file"
        raise ScriptError(f"{path}: {what}")
    if not is_template(path):
        raise UsageError(f"{path} is not a template: its name ends in .py.j2 or .json.j2")
    template = Template(path)
    texts = build_each(args, template, template.render)
    if not is_sweep(args):
        write_output(texts[0][1], args.output)
        return 0
    if args.output in (None, STDIN):
        raise UsageError("--sweep writes one file per combination: give the folder with -o DIR")
    folder = Path(args.output)
    folder.mkdir(parents=True, exist_ok=True)
    suffix = ".py" if template.kind == "python" else ".json"
    for combination, text in texts:
        write_output(text, folder / f"{combination.name}{suffix}")
    print(f"wrote {len(texts)} files to {os.fspath(folder)}", file=sys.stderr)
    return 0
