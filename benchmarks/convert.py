"""Benchmarks of reading editor workflows (issue 9, point 9): the official templates, converted.

- convert: the 644 template workflows, already parsed (dicts in, prompts out, the catalog
  loaded once), through ``ui_to_prompt`` (prompt dicts) and through ``load_workflow(...).to_api()``
  (a Workflow, then its prompt). Target: under 0.25 s on one core.
- from files: the whole pass from the files (read, ``json.loads``, convert), with reading and
  parsing alone beside it: the yardstick this machine's speed can be judged by.

Files that cannot be converted (classes the bundled catalog does not know, without
``widgets_values_named``) raise their WorkflowFormatError inside the timing, as they would for a
user. Each figure is the best of several runs of CPU time (``time.process_time``) on one core,
with the garbage collector running as in a user's program; the process is pinned to one CPU
where the system allows. The corpus comes from scripts/editor_setup.py (installed into the
cache by the test command).
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from server_jobs import load_script  # benchmarks/ is a folder of scripts, not a package


class Unavailable(Exception):
    """The corpus is not installed; the message says how to get it."""


def template_paths() -> list[Path]:
    """The 644 template workflows."""
    paths: list[Path] = load_script("editor_setup").template_files()
    if not paths:
        raise Unavailable(
            "the workflow corpus is not installed: run `python scripts/editor_setup.py`"
        )
    return paths


def pin_to_one_core() -> tuple[str, Callable[[], None]]:
    """Run on one CPU until the returned function is called, where the system allows; says
    which CPU."""
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned", lambda: None
    before = os.sched_getaffinity(0)
    cpu = min(before)
    os.sched_setaffinity(0, {cpu})
    return f"cpu {cpu}", lambda: os.sched_setaffinity(0, before)


def best_cpu_seconds(action: Callable[[], Any], repeats: int) -> float:
    """The least CPU time of ``repeats`` runs (after one untimed run), collector on."""
    action()
    best = float("inf")
    for _ in range(repeats):
        gc.collect()
        start = time.process_time()
        action()
        best = min(best, time.process_time() - start)
    return best


def bench_convert(repeats: int) -> list[dict[str, Any]]:
    """Rows: parsed templates converted two ways; the pass from files; reading and parsing."""
    from comfydsl.catalog import bundled_catalog
    from comfydsl.errors import ComfyDSLError
    from comfydsl.formats.ui_to_api import ui_to_prompt
    from comfydsl.formats.workflow import load_workflow

    paths = template_paths()
    parsed = [json.loads(path.read_bytes()) for path in paths]
    catalog = bundled_catalog()
    catalog.validate()  # every definition built once, outside the timing
    converted = []

    def to_prompts() -> None:
        converted.clear()
        for workflow in parsed:
            with contextlib.suppress(ComfyDSLError):
                converted.append(ui_to_prompt(workflow, catalog=catalog))

    def to_workflows() -> None:
        for workflow in parsed:
            with contextlib.suppress(ComfyDSLError):
                load_workflow(workflow, catalog=catalog).to_api()

    def read_and_parse() -> None:
        for path in paths:
            json.loads(path.read_bytes())

    def from_files() -> None:
        for path in paths:
            with contextlib.suppress(ComfyDSLError):
                load_workflow(path, catalog=catalog).to_api()

    measured = {
        "ui_to_prompt (dicts in, prompts out)": to_prompts,
        "load_workflow(dict).to_api()": to_workflows,
        "read + json.loads alone": read_and_parse,
        "load_workflow(path).to_api(): the pass from files": from_files,
    }
    pinned, unpin = pin_to_one_core()
    try:
        seconds = {how: best_cpu_seconds(action, repeats) for how, action in measured.items()}
    finally:
        unpin()
    parse = seconds["read + json.loads alone"]
    return [
        {
            "bench": "convert",
            "how": how,
            "workflows": len(parsed),
            "converted": len(converted),
            "core": pinned,
            "seconds": taken,
            "x_parse": taken / parse,
        }
        for how, taken in seconds.items()
    ]


if __name__ == "__main__":
    for found in bench_convert(repeats=int(sys.argv[1]) if len(sys.argv) > 1 else 7):
        print(found)
