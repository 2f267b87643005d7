"""The ``comfydsl`` command.

    comfydsl compile txt2img.py                 # print the API-format prompt
    comfydsl compile txt2img.py -o prompt.json  # write it
    comfydsl compile exported.json              # read a prompt, check it, write it back
    comfydsl run txt2img.py --server http://127.0.0.1:8188 --out results/
    comfydsl catalog pull --server http://127.0.0.1:8188 -o my-server.json

Errors are printed as ``file:line: what is wrong`` and the exit status is 1; a mistake in the
command line itself gives status 2.
"""

from __future__ import annotations

import argparse
import contextvars
import os
import runpy
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from comfydsl.build import Workflow, reset_default_workflow
from comfydsl.catalog import extend_catalog, load_catalog
from comfydsl.errors import ComfyDSLError, NoWorkflowError, ScriptError
from comfydsl.formats.api import dumps_prompt, load_prompt
from comfydsl.source import PACKAGE_DIR
from comfydsl.version import __version__


def _user_traceback(exc: BaseException) -> str:
    """The traceback of an error in a user script, without comfydsl's and runpy's own frames."""
    frames = [
        f
        for f in traceback.extract_tb(exc.__traceback__)
        if not f.filename.startswith(PACKAGE_DIR) and "runpy" not in f.filename
    ]
    lines = traceback.format_list(frames)
    lines += traceback.format_exception_only(type(exc), exc)
    return "".join(lines)


def load_script_workflow(
    path: str | os.PathLike[str],
    *,
    name: str | None = None,
    catalogs: Sequence[str] = (),
) -> Workflow:
    """Run a user's script and return the workflow it built.

    The script runs in a fresh context: its module-level nodes land in a new default workflow.
    That one is taken if it has nodes; otherwise the one ``Workflow`` the script holds in a global
    (or the one named ``name``). ``catalogs`` (files or server URLs) are merged over the catalog in
    force first, as are the files in ``COMFYDSL_CATALOG`` (separated by os.pathsep).
    """
    script = Path(path)
    if not script.is_file():
        raise ScriptError(f"{script}: no such file")
    context = contextvars.copy_context()
    return context.run(_run_script, script, name, catalogs)


def _run_script(script: Path, name: str | None, catalogs: Sequence[str]) -> Workflow:
    env_catalogs = [c for c in os.environ.get("COMFYDSL_CATALOG", "").split(os.pathsep) if c]
    for location in [*env_catalogs, *catalogs]:
        extend_catalog(load_catalog(location))
    if script.suffix == ".json":
        return load_prompt(script)  # its nodes take their definitions from these catalogs
    default = reset_default_workflow()
    old_argv, old_path = sys.argv, list(sys.path)
    sys.argv = [str(script)]
    sys.path.insert(0, str(script.resolve().parent))
    try:
        namespace = runpy.run_path(str(script), run_name="__main__")
    except ComfyDSLError:
        raise
    except SystemExit as exc:
        if exc.code not in (None, 0):
            raise ScriptError(f"{script}: the script exited with status {exc.code}") from None
        namespace = {}
    except Exception as exc:
        raise ScriptError(f"{script} failed:\n{_user_traceback(exc)}".rstrip()) from exc
    finally:
        sys.argv = old_argv
        sys.path[:] = old_path
    return _pick_workflow(script, namespace, default, name)


def _pick_workflow(
    script: Path, namespace: dict[str, Any], default: Workflow, name: str | None
) -> Workflow:
    held = {k: v for k, v in namespace.items() if isinstance(v, Workflow) and not k.startswith("_")}
    if name is not None:
        if name in held:
            return held[name]
        raise NoWorkflowError(
            f"{script}: no workflow named {name!r} (found: {', '.join(held) or 'none'})"
        )
    if len(default):
        return default
    filled = {k: v for k, v in held.items() if len(v)}
    if len(filled) == 1:
        return next(iter(filled.values()))
    if not filled:
        raise NoWorkflowError(f"{script}: the script built no nodes")
    raise NoWorkflowError(
        f"{script}: the script holds several workflows ({', '.join(filled)}); "
        "choose one with --workflow NAME"
    )


def _cmd_compile(args: argparse.Namespace) -> int:
    workflow = load_script_workflow(args.script, name=args.workflow, catalogs=args.catalog)
    if args.check:
        problems = workflow.check()
        if problems:
            for problem in problems:
                print(f"error: {problem}", file=sys.stderr)
            return 1
    prompt = workflow.to_api()
    data: dict[str, Any] = prompt
    if args.body:
        data = {"client_id": args.client_id or "comfydsl", "prompt": prompt}
    text = dumps_prompt(data, indent=None if args.indent < 0 else args.indent)
    if args.output:
        Path(args.output).write_text(text + "\n", encoding="utf-8")
        print(f"wrote {len(workflow)} nodes to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text + "\n")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``comfydsl`` command."""
    parser = argparse.ArgumentParser(
        prog="comfydsl",
        description="ComfyUI workflows as Python: compile, check and run them.",
    )
    parser.add_argument("--version", action="version", version=f"comfydsl {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    compile_cmd = commands.add_parser(
        "compile",
        help="print (or write) the API-format prompt of a script or prompt file",
        description="Run a comfydsl script and print the API-format prompt it builds.",
    )
    compile_cmd.add_argument("script", help="a Python script, or an API-format .json prompt")
    compile_cmd.add_argument("-o", "--output", help="write the prompt to this file")
    compile_cmd.add_argument(
        "--catalog",
        action="append",
        default=[],
        metavar="FILE_OR_URL",
        help="node definitions of custom node packs (a saved /object_info or a server URL); repeatable",
    )
    compile_cmd.add_argument(
        "--workflow", help="the global variable holding the workflow to compile"
    )
    compile_cmd.add_argument("--indent", type=int, default=2, help="JSON indent; -1 for one line")
    compile_cmd.add_argument(
        "--check",
        action="store_true",
        help="also report every problem the server would find (unknown classes, bad values)",
    )
    compile_cmd.add_argument(
        "--body", action="store_true", help="print a whole POST /prompt body with client_id"
    )
    compile_cmd.add_argument("--client-id", help="the client_id of --body")
    compile_cmd.set_defaults(handler=_cmd_compile)

    _add_client_commands(commands)
    from comfydsl.codegen.commands import add_stubs_command

    add_stubs_command(commands)
    return parser


def _add_client_commands(commands: Any) -> None:
    try:
        from comfydsl.client.commands import add_catalog_pull_command, add_run_command
    except ModuleNotFoundError as exc:
        if exc.name != "comfydsl.client.commands":
            raise
        return
    add_run_command(commands)
    add_catalog_pull_command(commands)


def _version() -> str:
    return __version__


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        status: int = args.handler(args)
    except ComfyDSLError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return status


if __name__ == "__main__":
    sys.exit(main())


__all__ = ["build_parser", "load_script_workflow", "main"]
