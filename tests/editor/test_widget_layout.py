"""comfydsl.editor.widgets against the real editor: for every class of the bundled catalog, the
widgets a fresh node gets (names, in order, whether each is stored in ``widgets_values`` and
whether it is sent in the prompt), their default values, and the input sockets in slot order.

The editor's server is stock ComfyUI 0.3.75, the source of the bundled catalog, so both sides
see the same definitions (but for the lists of files, which the editor's server has empty).
"""

from __future__ import annotations

from typing import Any

import pytest
from editor_harness import Oracle

from comfydsl.catalog import bundled_catalog
from comfydsl.editor.widgets import editor_node

CATALOG = bundled_catalog()
CLASSES = sorted(CATALOG.names())


@pytest.fixture(scope="module")
def layouts(oracle: Oracle) -> dict[str, Any]:
    found: dict[str, Any] = oracle.widgets_of(CLASSES)
    return found


def ours(class_type: str) -> dict[str, Any]:
    shape = editor_node(CATALOG[class_type])
    return {
        "widgets": [(w.name, w.stored, w.sent) for w in shape.widgets],
        "sockets": [(s.name, s.type, s.widget) for s in shape.sockets],
    }


def theirs(layout: dict[str, Any]) -> dict[str, Any]:
    return {
        "widgets": [(w["name"], w["stored"], w["sent"]) for w in layout["widgets"]],
        "sockets": [(i["name"], i["type"], i["widget"]) for i in layout["inputs"]],
    }


def test_the_editor_knows_every_class(layouts: dict[str, Any]) -> None:
    assert [] == [name for name in CLASSES if layouts.get(name) is None]


@pytest.mark.parametrize("class_type", CLASSES)
def test_widgets_and_sockets_are_the_editors(class_type: str, layouts: dict[str, Any]) -> None:
    assert theirs(layouts[class_type]) == ours(class_type)


@pytest.mark.parametrize("class_type", CLASSES)
def test_a_fresh_node_stores_the_editors_defaults(class_type: str, layouts: dict[str, Any]) -> None:
    """Each stored widget's default is what a fresh node of the editor holds, but for lists of
    files (their first choice depends on the server's folders) and the control of a seed (the
    editor's setting for new nodes: 'randomize'; a file without the value keeps 'fixed')."""
    shape = editor_node(CATALOG[class_type])
    stored = [w for w in shape.widgets if w.stored]
    values = layouts[class_type]["widgets_values"] or []
    assert len(stored) == len(values)
    for widget, value in zip(stored, values, strict=True):
        spec = widget.spec
        if widget.kind == "control" or (spec is not None and spec.uploads):
            continue
        if (
            spec is not None
            and spec.kind == "COMBO"
            and (widget.default in ("", None) or value is None)
        ):
            continue  # a list of files: empty here, the server's own there
        assert (widget.name, value) == (widget.name, widget.default)
