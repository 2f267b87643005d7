"""Workflow file formats: the API-format prompt today (``comfydsl.formats.api``)."""

from comfydsl.formats.api import dumps_prompt, load_prompt

__all__ = ["dumps_prompt", "load_prompt"]
