"""What ``compile`` and ``run`` start from: a user's script run to get its workflow, or a prompt file.

The input is a path, or ``-`` for standard input. A file is a workflow file when its name ends in
``.json`` (an API-format prompt or an editor workflow, told apart by ``load_workflow``); standard
input is decided by its content: a JSON object (its first character other than white space is
``{``) is read as a workflow file, anything else runs as a Python script.
"""

from __future__ import annotations

import builtins
import contextvars
import json
import linecache
import os
import re
import runpy
import sys
import traceback
import types
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from comfydsl.build import Workflow, reset_default_workflow
from comfydsl.catalog import Catalog, extend_catalog, load_catalog, use_catalog
from comfydsl.cli.arguments import STDIN, HTTPOptions, UsageError
from comfydsl.errors import (
    CatalogError,
    ComfyDSLError,
    NoWorkflowError,
    PromptFormatError,
    ScriptError,
)
from comfydsl.formats.workflow import load_workflow
from comfydsl.source import PACKAGE_DIR

__all__ = [
    "CATALOG_ENV",
    "STDIN_NAME",
    "load_catalogs",
    "load_script_workflow",
    "load_sides",
    "read_workflow_file",
    "split_locations",
]

#: Catalogs merged over the bundled one for every script, separated by os.pathsep.
CATALOG_ENV = "COMFYDSL_CATALOG"

#: How errors and source locations name a script or file read from standard input.
STDIN_NAME = "<stdin>"


def load_script_workflow(
    path: str | os.PathLike[str],
    *,
    name: str | None = None,
    catalogs: Sequence[str] = (),
    http: HTTPOptions | None = None,
    environment: bool = True,
) -> Workflow:
    """Run a user's script (or read an API-format prompt) and return the workflow it built.

    The script runs in a fresh context: its module-level nodes land in a new default workflow.
    That one is taken if it has nodes; otherwise the one ``Workflow`` the script holds in a global
    (or the one named ``name``). ``catalogs`` (files or server URLs) are merged over the catalog in
    force first, after those of ``COMFYDSL_CATALOG`` (separated by os.pathsep; not read when
    ``environment`` is false); servers are asked with ``http`` (headers, TLS verification,
    timeout). ``path`` may be ``-``: standard input.

    >>> wf = load_script_workflow("examples/invert.py")  # doctest: +SKIP
    """
    text = os.fspath(path)
    env_catalogs = split_locations(os.environ.get(CATALOG_ENV, "")) if environment else []
    locations = [*env_catalogs, *catalogs]
    if [text, *locations].count(STDIN) > 1:
        raise UsageError("standard input ('-') can be read only once: give one input as '-'")
    script = None if text == STDIN else Path(text)
    if script is not None and not script.is_file():
        what = "is a directory, not a script" if script.is_dir() else "no such file"
        raise ScriptError(f"{script}: {what}")
    context = contextvars.copy_context()
    return context.run(_load, script, name, locations, http or HTTPOptions())


def load_sides(
    paths: Sequence[str], *, catalogs: Sequence[str] = (), http: HTTPOptions | None = None
) -> tuple[Catalog, list[Workflow]]:
    """The workflow of each path (a script run, a JSON file read), all under the same catalogs:
    those of ``COMFYDSL_CATALOG`` and ``catalogs``, merged over the one in force and loaded
    once. Returns that catalog and the workflows (what ``import`` and ``diff`` start from)."""
    locations = [*split_locations(os.environ.get(CATALOG_ENV, "")), *catalogs]
    if [*paths, *locations].count(STDIN) > 1:
        raise UsageError("standard input ('-') can be read only once: give one input as '-'")
    loaded = load_catalogs(locations, http)
    with use_catalog(*loaded) as catalog:
        workflows = [load_script_workflow(path, http=http, environment=False) for path in paths]
    return catalog, workflows


def split_locations(text: str) -> list[str]:
    """The catalogs of a ``COMFYDSL_CATALOG`` value: files and URLs separated by os.pathsep.

    Where that separator is ``:``, the colons of ``http://host:port`` do not split a URL:

    >>> split_locations("a.json:http://127.0.0.1:8188:b.json") if os.pathsep == ":" else None
    ['a.json', 'http://127.0.0.1:8188', 'b.json']
    """
    parts = text.split(os.pathsep)
    found: list[str] = []
    i = 0
    while i < len(parts):
        part = parts[i]
        joins_url = i + 1 < len(parts) and parts[i + 1].startswith("//")
        if os.pathsep == ":" and part in ("http", "https") and joins_url:
            i += 1
            part += ":" + parts[i]
            if i + 1 < len(parts) and re.match(r"\d+(/|$)", parts[i + 1]):
                i += 1
                part += ":" + parts[i]
        if part:
            found.append(part)
        i += 1
    return found


def load_catalogs(locations: Sequence[str], http: HTTPOptions | None = None) -> list[Catalog]:
    """The catalogs at ``locations``: files, server URLs (asked with ``http``), or ``-`` (stdin)."""
    options = http or HTTPOptions()
    found = []
    for location in locations:
        if location == STDIN:
            found.append(_stdin_catalog())
        elif "://" in location and not location.startswith(("http://", "https://")):
            raise CatalogError(
                "a catalog is a file, a server's http:// or https:// URL, or - (standard input)",
                source=location,
            )
        else:
            found.append(
                load_catalog(
                    location,
                    headers=options.headers,
                    verify=options.verify,
                    timeout=options.timeout,
                )
            )
    return found


def _load(
    script: Path | None, name: str | None, locations: Sequence[str], http: HTTPOptions
) -> Workflow:
    for catalog in load_catalogs(locations, http):
        extend_catalog(catalog)
    if script is None:
        return _load_stdin(name)
    if script.suffix == ".json":
        return load_workflow(script)  # its nodes take their definitions from these catalogs
    return _run_file(script, name)


# -- standard input -------------------------------------------------------------------------------


def _read_stdin(what: str) -> str:
    data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read().encode()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScriptError(
            f"{STDIN_NAME}: {what} is not UTF-8 text ({exc.reason} at byte {exc.start})"
        ) from None


def _looks_like_json(text: str) -> bool:
    return text.lstrip().startswith("{")


def _load_stdin(name: str | None) -> Workflow:
    text = _read_stdin("the script or prompt")
    if _looks_like_json(text):
        return _load_json(_parse_json(text, PromptFormatError))
    return _run_source(text, name)


def read_workflow_file(path: str) -> Workflow:
    """A workflow file of either format (see ``load_workflow``), or ``-``: standard input,
    whose errors name it ``<stdin>``. Catalogs in force give the nodes their definitions."""
    if path != STDIN:
        return load_workflow(path)
    return _load_json(_parse_json(_read_stdin("the workflow"), PromptFormatError))


def _load_json(data: Any) -> Workflow:
    """A workflow file read from standard input, with errors that name it."""
    try:
        return load_workflow(data)
    except PromptFormatError as error:
        raise type(error)(error.problems, file=STDIN_NAME) from None


def _parse_json(text: str, error: type[PromptFormatError] | type[CatalogError]) -> Any:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        message = f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        if error is PromptFormatError:
            raise PromptFormatError([message], file=STDIN_NAME) from None
        raise CatalogError(message, source=STDIN_NAME) from None
    return data


def _stdin_catalog() -> Catalog:
    data = _parse_json(_read_stdin("the catalog"), CatalogError)
    return Catalog(data, source=STDIN_NAME, files_known=False)


def _run_source(source: str, name: str | None) -> Workflow:
    """Run a script given as text, as ``python -`` would: named ``<stdin>``, in a fresh ``__main__``."""
    # Registered so that the script's own traceback shows its lines, as it does for a file.
    lines = source.splitlines(keepends=True)
    linecache.cache[STDIN_NAME] = (len(source), None, lines, STDIN_NAME)
    module = types.ModuleType("__main__")
    module.__dict__.update(__builtins__=builtins, __spec__=None, __loader__=None)

    def execute() -> dict[str, Any]:
        code = compile(source, STDIN_NAME, "exec", dont_inherit=True)
        saved = sys.modules.get("__main__")
        sys.modules["__main__"] = module
        try:
            exec(code, module.__dict__)
        finally:
            if saved is not None:
                sys.modules["__main__"] = saved
        return dict(module.__dict__)

    return _run_script(STDIN_NAME, execute, os.getcwd(), name)


# -- a script file --------------------------------------------------------------------------------


def _run_file(script: Path, name: str | None) -> Workflow:
    def execute() -> dict[str, Any]:
        return runpy.run_path(str(script), run_name="__main__")

    return _run_script(str(script), execute, str(script.resolve().parent), name)


def _run_script(label: str, execute: Any, folder: str, name: str | None) -> Workflow:
    default = reset_default_workflow()
    old_argv, old_path = sys.argv, list(sys.path)
    sys.argv = [STDIN if label == STDIN_NAME else label]
    sys.path.insert(0, folder)
    try:
        namespace: Mapping[str, Any] = execute()
    except ComfyDSLError:
        raise
    except SystemExit as exc:
        if exc.code not in (None, 0):
            raise ScriptError(f"{label}: the script exited with status {exc.code}") from None
        namespace = {}
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # a script may raise anything, BaseException subclasses too
        raise ScriptError(f"{label} failed:\n{_user_traceback(exc)}".rstrip()) from exc
    finally:
        sys.argv = old_argv
        sys.path[:] = old_path
    return _pick_workflow(label, namespace, default, name)


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


def _pick_workflow(
    label: str, namespace: Mapping[str, Any], default: Workflow, name: str | None
) -> Workflow:
    held = {k: v for k, v in namespace.items() if isinstance(v, Workflow) and not k.startswith("_")}
    if name is not None:
        if name in held:
            return held[name]
        raise NoWorkflowError(
            f"{label}: no workflow named {name!r} (found: {', '.join(held) or 'none'})"
        )
    if len(default):
        return default
    filled = {k: v for k, v in held.items() if len(v)}
    if len(filled) == 1:
        return next(iter(filled.values()))
    if not filled:
        raise NoWorkflowError(f"{label}: the script built no nodes")
    raise NoWorkflowError(
        f"{label}: the script holds several workflows ({', '.join(filled)}); "
        "choose one with --workflow NAME"
    )
