"""comfydsl: ComfyUI workflows as Python.

    from comfydsl import Workflow
    from comfydsl.nodes import EmptyImage, ImageInvert, SaveImage

    with Workflow() as wf:
        SaveImage(images=ImageInvert(image=EmptyImage(width=64, height=64)))
    wf.to_api()        # the API-format prompt of POST /prompt

The client (``comfydsl.client.Client``), the reader of the editor's format (``load_workflow``),
``to_script`` (a workflow as a comfydsl script, ``comfydsl.codegen.script``), ``compare`` (two
workflows compared regardless of their node ids, ``comfydsl.diff``), ``unchecked_node`` and
``with_meta`` (nodes as an exported file has them, ``comfydsl.formats.exported``) are imported
on first use, so that building and compiling workflows does not pay for them.
"""

from __future__ import annotations

from comfydsl import nodes as nodes
from comfydsl.build import Node, Workflow, current_workflow
from comfydsl.catalog import Catalog, active_catalog, extend_catalog, load_catalog, use_catalog
from comfydsl.errors import (
    ComfyDSLError,
    NodeError,
    SourceLocation,
    ValidationError,
    WorkflowFormatError,
)
from comfydsl.formats.api import load_prompt
from comfydsl.graph import Output
from comfydsl.version import __version__

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from comfydsl.client import Client
    from comfydsl.formats.workflow import load_workflow

__all__ = [
    "Catalog",
    "Client",
    "ComfyDSLError",
    "Node",
    "NodeError",
    "Output",
    "SourceLocation",
    "ValidationError",
    "Workflow",
    "WorkflowFormatError",
    "__version__",
    "active_catalog",
    "compare",
    "current_workflow",
    "extend_catalog",
    "load_catalog",
    "load_prompt",
    "load_workflow",
    "nodes",
    "to_script",
    "unchecked_node",
    "use_catalog",
    "with_meta",
]


def __getattr__(name: str) -> Any:
    if name == "Client":
        from comfydsl.client import Client

        return Client
    if name == "load_workflow":
        from comfydsl.formats.workflow import load_workflow

        return load_workflow
    if name == "to_script":
        from comfydsl.codegen.script import to_script

        return to_script
    if name == "compare":
        from comfydsl.diff import compare

        return compare
    if name in ("unchecked_node", "with_meta"):
        from comfydsl.formats import exported

        return getattr(exported, name)
    raise AttributeError(f"module 'comfydsl' has no attribute {name!r}")
