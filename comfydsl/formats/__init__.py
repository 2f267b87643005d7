"""Workflow file formats: the API-format prompt (``comfydsl.formats.api``), and nodes exactly as
an exported file has them (``comfydsl.formats.exported``: ``unchecked_node``, ``with_meta``)."""

from comfydsl.formats.api import dumps_prompt, load_prompt
from comfydsl.formats.exported import unchecked_node, with_meta

__all__ = ["dumps_prompt", "load_prompt", "unchecked_node", "with_meta"]
