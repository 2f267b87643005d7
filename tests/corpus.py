"""The corpus of real editor workflows the tests read: the official templates and the subgraph
blueprints, installed (pinned) into the cache by scripts/editor_setup.py, never copied here.

``workflows()`` gives every corpus file as (name, parsed JSON); ``eligible(...)`` says whether all
of a workflow's node classes are in a catalog (the files the editor can convert with that
catalog's server). Without the corpus, ``require_corpus()`` skips the test, or fails it when the
test command asks for everything (``COMFYDSL_REQUIRE_SERVER=1`` or ``CI``).
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import sys
from collections.abc import Container
from pathlib import Path
from types import ModuleType
from typing import Any, NoReturn

import pytest

from comfydsl.editor.widgets import UI_ONLY_TYPES

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE_COUNT = 644
BLUEPRINT_COUNT = 115


def load_script(name: str) -> ModuleType:
    """A module of scripts/ (not a package), loaded by path once."""
    module_name = f"comfydsl_test_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None, name
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


setup = load_script("editor_setup")


def required() -> bool:
    """Whether missing parts fail the tests instead of skipping them."""

    def truthy(name: str) -> bool:
        return os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no")

    return truthy("CI") or truthy("COMFYDSL_REQUIRE_SERVER")


def require_corpus() -> None:
    """Skip (or fail, see ``required``) when the corpus is not installed."""
    if (
        len(setup.template_files()) == TEMPLATE_COUNT
        and len(setup.blueprint_files()) == BLUEPRINT_COUNT
    ):
        return
    missing(
        f"the workflow corpus is not installed at {setup.corpus_dir()}: run "
        "`python scripts/editor_setup.py` (scripts/test.sh does)"
    )


def missing(message: str) -> NoReturn:
    """Skip the test for something missing, or fail it when everything is required."""
    if required():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@functools.cache
def workflows() -> list[tuple[str, Any]]:
    """Every corpus workflow as (name, JSON): ``templates/NAME.json``, ``blueprints/NAME.json``."""
    found = []
    for path in [*setup.template_files(), *setup.blueprint_files()]:
        found.append((f"{path.parent.name}/{path.name}", json.loads(path.read_bytes())))
    return found


def names() -> list[str]:
    """The corpus files' names, for parametrizing tests (none when it is not installed: the
    tests then fail or skip through ``require_corpus``)."""
    try:
        return [name for name, _ in workflows()]
    except OSError:
        return []


def template_texts() -> list[bytes]:
    """The bytes of every template file, for the byte-level fuzz tests."""
    return [path.read_bytes() for path in setup.template_files()]


def node_types(workflow: Any) -> set[str]:
    """The node classes a workflow uses (subgraphs included; the editor's own types left out)."""
    definitions = workflow.get("definitions") or {}
    subgraphs = definitions.get("subgraphs") or []
    ids = {subgraph["id"] for subgraph in subgraphs}
    found = {node["type"] for node in workflow.get("nodes", [])}
    for subgraph in subgraphs:
        found |= {node["type"] for node in subgraph.get("nodes", [])}
    return found - ids - UI_ONLY_TYPES


def eligible(workflow: Any, catalog: Container[str]) -> bool:
    """Whether every node class of ``workflow`` is in ``catalog``."""
    return all(node_type in catalog for node_type in node_types(workflow))
