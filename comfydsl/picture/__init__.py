"""Pictures of workflows: Graphviz drawings that look like the editor, and tables for notebooks.

    from comfydsl.picture import render, to_dot

    svg = render(wf)                 # bytes of an SVG (render(wf, "png") for a PNG)
    text = to_dot(wf)                # the DOT source, for Graphviz or any tool that reads it

Each node is drawn as the editor draws it: its title, class and id, its input sockets and its
outputs, and the widget values it has; links go from output to socket, coloured and labelled by
type with the editor's own colours (:mod:`comfydsl.picture.palette`); nodes with problems
(``wf.check()``) are outlined in red and say what is wrong. Drawing needs Graphviz's ``dot``
program (not a Python package): :class:`GraphvizNotFound` says how to install it. In Jupyter a
``comfydsl.Workflow`` shows as its picture, or as a table of its nodes without Graphviz
(:mod:`comfydsl.picture.notebook`).
"""

from __future__ import annotations

from collections.abc import Sequence

from comfydsl.errors import NodeError
from comfydsl.graph import Workflow
from comfydsl.picture.dot import to_dot
from comfydsl.picture.graphviz import (
    DOT_ENV,
    FORMATS,
    GraphvizError,
    GraphvizNotFound,
    find_dot,
    run_dot,
)
from comfydsl.picture.palette import link_color
from comfydsl.picture.scene import make_scene
from comfydsl.picture.table import scene_table
from comfydsl.validation import check_workflow

__all__ = [
    "DOT_ENV",
    "FORMATS",
    "GraphvizError",
    "GraphvizNotFound",
    "find_dot",
    "link_color",
    "render",
    "run_dot",
    "to_dot",
    "to_html",
]


def render(
    workflow: Workflow,
    format: str = "svg",
    *,
    problems: Sequence[NodeError] | None = None,
    caption: str | None = None,
    program: str | None = None,
    timeout: float = 120.0,
) -> bytes:
    """The picture of ``workflow`` as ``svg`` or ``png`` bytes, drawn by Graphviz's ``dot``.

    ``problems`` are marked on their nodes (None: ``wf.check()`` against the catalog in force);
    ``caption`` is written above the graph. ``program`` is the ``dot`` to run (default
    ``$COMFYDSL_DOT`` or ``dot`` on PATH). Raises GraphvizNotFound without Graphviz, and
    GraphvizError when it fails or takes more than ``timeout`` seconds.

    >>> Path("workflow.svg").write_bytes(render(wf))      # doctest: +SKIP
    """
    if format not in FORMATS:
        raise ValueError(f"a picture is one of {', '.join(FORMATS)} (got {format!r})")
    return run_dot(
        to_dot(workflow, problems, caption=caption), format, program=program, timeout=timeout
    )


def to_html(workflow: Workflow, problems: Sequence[NodeError] | None = None) -> str:
    """An HTML table of ``workflow``'s nodes (what a notebook shows when Graphviz is missing)."""
    if problems is None:
        problems = check_workflow(workflow)
    return scene_table(make_scene(workflow, problems))
