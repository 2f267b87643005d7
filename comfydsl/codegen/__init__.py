"""Code made from node definitions with jinja2 templates (``templates/``).

- ``comfydsl.codegen.stubs``: the type stub ``comfydsl/nodes/__init__.pyi`` that gives every node
  class a typed signature in IDEs and type checkers. Regenerate it with
  ``python -m comfydsl.codegen.stubs`` (see that module for custom node packs).
  ``comfydsl stubs`` (``comfydsl.cli.stubs``) runs it from the command line.
- ``comfydsl.codegen.render``: the one jinja environment and the writers every template uses
  (``literal``, ``comment``; names are ``comfydsl.names.PythonIdentifier``), so that no text of
  a catalog or of the command line becomes code.

Nothing here is imported when workflows are built: ``comfydsl.nodes`` never needs it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["render_stubs", "write_stubs"]


def __getattr__(name: str) -> Any:
    # Lazy, so that ``python -m comfydsl.codegen.stubs`` does not find its module already imported.
    if name in __all__:
        from comfydsl.codegen import stubs

        return getattr(stubs, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
