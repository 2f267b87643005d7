"""``comfydsl compile``: the API-format prompt of a script or a prompt file.

comfydsl compile txt2img.py                 # print the prompt
comfydsl compile txt2img.py -o prompt.json  # write it
comfydsl compile exported.json --check      # read a prompt, check it, write it back
cat txt2img.py | comfydsl compile -         # a script (or a JSON prompt) on standard input
comfydsl compile txt2img.py.j2 --var seed=7 # a template, rendered with its variables
comfydsl compile txt2img.py.j2 --sweep seed=1..8 --sweep cfg=5,7 -o prompts/
                                            # one prompt per combination: prompts/seed=1,cfg=5.json
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from comfydsl.cli.arguments import (
    STDIN,
    UsageError,
    add_catalog_argument,
    add_http_arguments,
    http_options,
)
from comfydsl.cli.output import write_output
from comfydsl.cli.script import ScriptSource
from comfydsl.cli.sweeping import add_template_arguments, build_each, is_sweep
from comfydsl.errors import ComfyDSLError
from comfydsl.formats.api import dumps_prompt
from comfydsl.sweep import SweepError

__all__ = ["add_compile_command"]


def add_compile_command(commands: Any) -> argparse.ArgumentParser:
    """Add ``compile SCRIPT [-o FILE] [--catalog ...] [--check] [--body]`` to a subparsers object."""
    parser: argparse.ArgumentParser = commands.add_parser(
        "compile",
        help="print (or write) the API-format prompt of a script or prompt file",
        description=(
            "Run a comfydsl script and print the API-format prompt it builds. SCRIPT may be '-': "
            "standard input, read as a prompt when it is a JSON object and as a Python script "
            "otherwise."
        ),
    )
    parser.add_argument(
        "script",
        help="a Python script, an API-format .json prompt, a template of either (.py.j2, "
        ".json.j2), or - for standard input",
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write the prompt to this file (- : standard output); with --sweep, the folder "
        "that gets one prompt per combination",
    )
    add_catalog_argument(
        parser,
        "node definitions of custom node packs (a saved /object_info, a server URL, or - for "
        "standard input); repeatable",
    )
    add_http_arguments(parser)
    parser.add_argument("--workflow", help="the global variable holding the workflow to compile")
    parser.add_argument("--indent", type=int, default=2, help="JSON indent; -1 for one line")
    parser.add_argument(
        "--check",
        action="store_true",
        help="also report every problem the server would find (unknown classes, bad values)",
    )
    parser.add_argument(
        "--body", action="store_true", help="print a whole POST /prompt body with client_id"
    )
    parser.add_argument("--client-id", help="the client_id of --body")
    add_template_arguments(parser)
    parser.set_defaults(handler=run_compile)
    return parser


def run_compile(args: argparse.Namespace) -> int:
    """Compile the script of parsed ``compile`` arguments; returns the exit status."""
    if is_sweep(args) and args.output in (None, STDIN):
        raise UsageError("--sweep writes one prompt per combination: give the folder with -o DIR")
    source = ScriptSource(
        args.script, name=args.workflow, catalogs=args.catalog, http=http_options(args)
    )
    built = build_each(args, source.template, source.workflow)
    indent = None if args.indent < 0 else args.indent
    if not is_sweep(args):
        workflow = built[0][1]
        if args.check and _report_problems(workflow.check()):
            return 1
        text = _text(args, workflow.to_api(), indent)
        write_output(text + "\n", args.output)
        if args.output not in (None, STDIN):
            print(f"wrote {len(workflow)} nodes to {args.output}", file=sys.stderr)
        return 0
    texts = []
    for combination, workflow in built:  # all compile (and pass --check) before any is written
        if args.check and _report_problems(
            [f"{combination.name}: {problem}" for problem in workflow.check()]
        ):
            return 1
        try:
            texts.append((combination.name, _text(args, workflow.to_api(), indent)))
        except ComfyDSLError as exc:
            raise SweepError(str(exc), combination=combination.name) from exc
    folder = Path(args.output)
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in texts:
        write_output(text + "\n", folder / f"{name}.json")
    print(f"wrote {len(texts)} prompts to {folder}", file=sys.stderr)
    return 0


def _text(args: argparse.Namespace, prompt: dict[str, Any], indent: int | None) -> str:
    data: dict[str, Any] = prompt
    if args.body:
        data = {"client_id": args.client_id or "comfydsl", "prompt": prompt}
    return dumps_prompt(data, indent=indent)


def _report_problems(problems: list[Any]) -> bool:
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    return bool(problems)
