"""The public names of each module of comfydsl are the ones its ``__all__`` says.

Every name that one module of comfydsl imports from another (``from comfydsl.x import y``,
function-local imports too, found by reading the source) is in the ``__all__`` of the module it
comes from, and every name in an ``__all__`` exists. The node classes of ``comfydsl.nodes`` are
made on first use from the catalog and are exempt.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import pkgutil
from collections import defaultdict
from pathlib import Path
from types import ModuleType

import pytest

import comfydsl
from comfydsl.catalog import bundled_catalog


def _module_names() -> list[str]:
    """comfydsl and every module under it that has Python source (not the data package, not
    ``__main__``)."""
    names = ["comfydsl"]
    for info in pkgutil.walk_packages(comfydsl.__path__, "comfydsl."):
        if info.name.endswith(".__main__"):
            continue  # importing it runs the command line
        spec = importlib.util.find_spec(info.name)
        if spec is not None and spec.origin is not None and spec.origin.endswith(".py"):
            names.append(info.name)
    return sorted(names)


ROOT = Path(comfydsl.__file__).parent.parent
MODULES = _module_names()
assert len(MODULES) > 10, f"the walk of comfydsl found too few modules: {MODULES}"


def _imported_names() -> dict[str, dict[str, list[str]]]:
    """For each module of comfydsl, the names other modules import from it, with where."""
    found: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for importer in MODULES:
        module = importlib.import_module(importer)
        path = Path(module.__file__ or "")
        package = importer if path.name == "__init__.py" else importer.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if not isinstance(node, ast.ImportFrom):
                continue
            source = importlib.util.resolve_name("." * node.level + (node.module or ""), package)
            if source != "comfydsl" and not source.startswith("comfydsl."):
                continue
            for alias in node.names:
                if source == importer or f"{source}.{alias.name}" in MODULES:
                    continue  # a submodule, not a name of the module
                found[source][alias.name].append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


IMPORTED = _imported_names()


def _all_of(module: ModuleType) -> list[str]:
    names = getattr(module, "__all__", None)
    assert names is not None, f"{module.__name__} has no __all__"
    return list(names)


@pytest.mark.parametrize("name", MODULES)
def test_every_imported_name_is_in_all(name: str) -> None:
    module = importlib.import_module(name)
    imported = IMPORTED.get(name, {})
    if name == "comfydsl.nodes":
        classes = set(bundled_catalog().names())
        imported = {n: where for n, where in imported.items() if n not in classes}
    exported = set(_all_of(module))
    missing = {n: where for n, where in sorted(imported.items()) if n not in exported}
    assert {} == missing, f"{name}.__all__ lacks names other modules import (name: where)"


@pytest.mark.parametrize("name", MODULES)
def test_every_name_in_all_exists(name: str) -> None:
    module = importlib.import_module(name)
    absent = [n for n in _all_of(module) if not hasattr(module, n)]
    assert [] == absent, f"{name}.__all__ names what the module does not have"


def test_all_lists_have_no_repeats() -> None:
    repeated = {
        name: sorted({n for n in names if names.count(n) > 1})
        for name in MODULES
        if len(set(names := _all_of(importlib.import_module(name)))) != len(names)
    }
    assert {} == repeated, "names listed twice in an __all__"
