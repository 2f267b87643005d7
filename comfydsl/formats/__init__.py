"""Workflow file formats: the API-format prompt (``comfydsl.formats.api``) and the editor's
workflow.json (``ui``: the model, ``ui_to_api``: its conversion to a prompt, ``editor``: the
editor's widgets), both read by ``load_workflow`` (``workflow``)."""

from comfydsl.formats.api import dumps_prompt, load_prompt
from comfydsl.formats.ui_read import parse_workflow
from comfydsl.formats.ui_to_api import ui_to_prompt
from comfydsl.formats.workflow import load_workflow

__all__ = ["dumps_prompt", "load_prompt", "load_workflow", "parse_workflow", "ui_to_prompt"]
