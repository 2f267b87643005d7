"""Workflow file formats: the API-format prompt (``comfydsl.formats.api``) and the editor's
workflow.json (``ui``: the model, ``ui_to_api``: its conversion to a prompt, ``editor``: the
editor's widgets), both read by ``load_workflow`` (``workflow``); and the way back, a workflow
written in the editor's format (``api_to_ui``, laid out by ``layout``, sized by ``node_size``,
keeping what a file it was read from had: ``kept``).

The editor's format is imported on first use: building and compiling a workflow, which reach
this package for ``load_prompt``, need not pay for it. ``Workflow.to_ui()`` finds the export
here, in ``comfydsl.build.make.EXPORTERS`` (building may not import the formats above it).
"""

from __future__ import annotations

from comfydsl.build.make import EXPORTERS
from comfydsl.formats.api import dumps_prompt, load_prompt

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from comfydsl.formats.api_to_ui import ExportWarning, export_ui, to_ui
    from comfydsl.formats.ui_read import parse_workflow
    from comfydsl.formats.ui_to_api import ui_to_prompt
    from comfydsl.formats.workflow import load_workflow

__all__ = [
    "ExportWarning",
    "dumps_prompt",
    "export_ui",
    "load_prompt",
    "load_workflow",
    "parse_workflow",
    "to_ui",
    "ui_to_prompt",
]


def __getattr__(name: str) -> Any:
    if name in ("ExportWarning", "export_ui", "to_ui"):
        from comfydsl.formats import api_to_ui

        return getattr(api_to_ui, name)
    if name == "load_workflow":
        from comfydsl.formats.workflow import load_workflow

        return load_workflow
    if name == "parse_workflow":
        from comfydsl.formats.ui_read import parse_workflow

        return parse_workflow
    if name == "ui_to_prompt":
        from comfydsl.formats.ui_to_api import ui_to_prompt

        return ui_to_prompt
    raise AttributeError(f"module 'comfydsl.formats' has no attribute {name!r}")


def _to_ui(workflow: Any, source: str | None) -> dict[str, Any]:
    """``Workflow.to_ui()``: the export, imported on first use."""
    from comfydsl.formats.api_to_ui import to_ui_method

    return to_ui_method(workflow, source)


EXPORTERS.setdefault("ui", _to_ui)
