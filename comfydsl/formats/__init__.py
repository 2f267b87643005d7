"""Workflow file formats: the API-format prompt (``comfydsl.formats.api``) and the editor's
workflow.json (``ui``: the model, ``ui_to_api``: its conversion to a prompt), both read by
``load_workflow`` (``workflow``); and nodes exactly as an exported file has them (``exported``:
``unchecked_node``, ``with_meta``), which scripts written from such files use. Writing a
workflow in the editor's format is ``comfydsl.editor``'s, a layer below building, so that
``Workflow.to_ui()`` can call it.

The editor's format and the exported nodes are imported on first use: building and compiling a
workflow, which reach this package for ``load_prompt``, need not pay for them.
"""

from __future__ import annotations

from comfydsl.formats.api import dumps_prompt, load_prompt

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from comfydsl.formats.exported import unchecked_node, with_meta
    from comfydsl.formats.ui_read import parse_workflow
    from comfydsl.formats.ui_to_api import ui_to_prompt
    from comfydsl.formats.workflow import load_workflow

__all__ = [
    "dumps_prompt",
    "load_prompt",
    "load_workflow",
    "parse_workflow",
    "ui_to_prompt",
    "unchecked_node",
    "with_meta",
]


def __getattr__(name: str) -> Any:
    if name == "load_workflow":
        from comfydsl.formats.workflow import load_workflow

        return load_workflow
    if name == "parse_workflow":
        from comfydsl.formats.ui_read import parse_workflow

        return parse_workflow
    if name == "ui_to_prompt":
        from comfydsl.formats.ui_to_api import ui_to_prompt

        return ui_to_prompt
    if name in ("unchecked_node", "with_meta"):
        from comfydsl.formats import exported

        return getattr(exported, name)
    raise AttributeError(f"module 'comfydsl.formats' has no attribute {name!r}")
