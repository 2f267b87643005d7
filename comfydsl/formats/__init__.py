"""Workflow file formats: the API-format prompt (``comfydsl.formats.api``), and
``unchecked_node`` (``comfydsl.formats.unchecked``), a node exactly as a prompt file has it."""

from comfydsl.formats.api import dumps_prompt, load_prompt
from comfydsl.formats.unchecked import unchecked_node

__all__ = ["dumps_prompt", "load_prompt", "unchecked_node"]
