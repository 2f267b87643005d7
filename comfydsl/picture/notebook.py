"""What Jupyter shows for a workflow: its picture as SVG, or a table of its nodes.

``comfydsl.Workflow._repr_mimebundle_`` returns :func:`workflow_bundle`. It never raises: without
Graphviz (or when ``dot`` fails, or the workflow is too large to draw in a notebook) it gives the
HTML table of :mod:`comfydsl.picture.table`, with a line that says why; if even that cannot be
made, the plain text of the workflow's repr.
"""

from __future__ import annotations

from comfydsl.graph import Workflow
from comfydsl.picture.dot import scene_dot
from comfydsl.picture.graphviz import GraphvizError, run_dot
from comfydsl.picture.scene import make_scene
from comfydsl.picture.table import scene_table
from comfydsl.validation import check_workflow

__all__ = ["MAX_DRAWN_NODES", "NOTEBOOK_TIMEOUT", "svg_element", "workflow_bundle"]

#: A workflow of more nodes is shown as a table in a notebook: a picture of thousands of nodes
#: takes Graphviz minutes and shows nothing readable at a notebook's width.
MAX_DRAWN_NODES = 500
#: How long a notebook waits for Graphviz (seconds) before it shows the table instead.
NOTEBOOK_TIMEOUT = 60.0


def workflow_bundle(workflow: Workflow) -> dict[str, str]:
    """The MIME bundle of ``workflow`` for Jupyter: ``image/svg+xml``, else ``text/html``."""
    try:
        scene = make_scene(workflow, check_workflow(workflow))
    except Exception as exc:  # a repr must not raise: say what went wrong instead
        return {"text/plain": f"{workflow!r} (cannot be shown: {type(exc).__name__}: {exc})"}
    if len(workflow) > MAX_DRAWN_NODES:
        note = (
            f"{len(workflow):,} nodes are more than a notebook draws ({MAX_DRAWN_NODES}); "
            "comfydsl.picture.render(wf) or comfydsl graph draws them all"
        )
    else:
        try:
            svg = run_dot(scene_dot(scene), "svg", timeout=NOTEBOOK_TIMEOUT)
            return {"image/svg+xml": svg_element(svg.decode("utf-8"))}
        except GraphvizError as exc:
            note = f"no picture: {exc}"
        except Exception as exc:
            note = f"no picture: {type(exc).__name__}: {exc}"
    try:
        return {"text/html": scene_table(scene, note=note)}
    except Exception as exc:
        return {"text/plain": f"{workflow!r} (cannot be shown: {type(exc).__name__}: {exc})"}


def svg_element(document: str) -> str:
    """An SVG document without its XML declaration and doctype: the ``<svg>`` element itself,
    as a notebook embeds it."""
    start = document.find("<svg")
    return document[start:] if start >= 0 else document
