"""What ComfyUI's editor draws, and writing a workflow in its format (``workflow.json``).

``widgets``: the editor's widgets of each definition and their slots in ``widgets_values`` (with
the UI-only extras), shared by reading the format (``comfydsl.formats``) and writing it;
``node_size``: the size the editor draws a node at; ``layout``: where new nodes go; ``kept``: the
drawing a workflow file had, kept for nodes read from it; ``losses``: what an export cannot
hold, as it is reported; ``export``: a Workflow in the editor's format (``to_ui``,
``export_ui``).

A layer below building (it needs only the model and the catalog), so that
``comfydsl.Workflow.to_ui()`` can call it; the export is imported on first use.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from comfydsl.editor.export import ExportWarning, UIExport, export_ui, to_ui

__all__ = ["ExportWarning", "UIExport", "export_ui", "to_ui"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from comfydsl.editor import export

        return getattr(export, name)
    raise AttributeError(f"module 'comfydsl.editor' has no attribute {name!r}")
