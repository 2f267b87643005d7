"""Workflow file formats: the API-format prompt (``comfydsl.formats.api``) and the editor's
workflow.json (``ui``: the model, ``ui_to_api``: its conversion to a prompt, ``editor``: the
editor's widgets), both read by ``load_workflow`` (``workflow``); and the way back, a workflow
written in the editor's format (``api_to_ui``, laid out by ``layout``, sized by ``node_size``,
keeping what a file it was read from had: ``kept``)."""

from comfydsl.formats.api import dumps_prompt, load_prompt
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
