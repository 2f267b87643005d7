"""The fast path of reading an editor workflow: nodes and links written the way editors write them.

Nearly every node and link of a real file is plain JSON of the expected shape: these functions
read such a one with a single look at each field and return None for anything else, which
``comfydsl.formats.ui_read`` then reads field by field, recording each problem. Both paths make
the same model objects.
"""

from __future__ import annotations

from typing import Any

from comfydsl.formats.ui import MODES, UIInput, UILink, UINode, UIOutput
from comfydsl.values import text_problem

__all__ = ["plain_link", "plain_node"]


def plain_link(raw: Any, object_links: bool) -> UILink | None:
    """A link the way editors write it (a list in schema 0.4, an object in schema 1 and in
    subgraphs), all its numbers whole; else None (read it field by field instead)."""
    kind = type(raw)
    if kind is list and not object_links and len(raw) >= 6:
        link_id, origin, origin_slot, target, target_slot, link_type = raw[:6]
    elif kind is dict and object_links:
        get = raw.get
        link_id = get("id")
        origin = get("origin_id")
        origin_slot = get("origin_slot")
        target = get("target_id")
        target_slot = get("target_slot")
        link_type = get("type")
    else:
        return None
    if (
        type(link_id) is int
        and type(origin) is int
        and type(origin_slot) is int
        and type(target) is int
        and type(target_slot) is int
    ):
        return UILink(link_id, str(origin), origin_slot, str(target), target_slot, link_type)
    return None


def _plain_text(value: Any) -> bool:
    """A string that can go into a prompt as it is."""
    return type(value) is str and (value.isascii() or text_problem(value) is None)


def _plain_values(values: list[Any]) -> bool:
    """Widget values that are all JSON scalars (then there is nothing to check in them)."""
    for value in values:
        kind = type(value)
        if kind is str:
            if not value.isascii() and text_problem(value) is not None:
                return False
        elif kind is not int and kind is not float and kind is not bool and value is not None:
            return False
    return True


def plain_node(raw: dict[str, Any]) -> UINode | None:
    """A node the way editors write them, read without a check failing (None: read it field by
    field instead, which records what is wrong). Most nodes of real files take this path, so it
    is written for speed: one look at each field, no function call where a test will do."""
    get = raw.get
    node_id = get("id")
    node_type = get("type")
    mode = get("mode", 0)
    title = get("title")
    values = get("widgets_values")
    raw_inputs = get("inputs", ())
    raw_outputs = get("outputs", ())
    if (
        type(node_id) is not int
        or type(node_type) is not str
        or not node_type
        or not (node_type.isascii() or text_problem(node_type) is None)
        or type(mode) is not int
        or mode not in MODES
        or (title is not None and not _plain_text(title))
        or (values is not None and (type(values) is not list or not _plain_values(values)))
        or type(raw_inputs) not in (list, tuple)
        or type(raw_outputs) not in (list, tuple)
    ):
        return None
    inputs = []
    for item in raw_inputs:
        if type(item) is not dict:
            return None
        name = item.get("name")
        input_type = item.get("type")
        link = item.get("link")
        widget = item.get("widget")
        if (
            type(name) is not str
            or not (name.isascii() or text_problem(name) is None)
            or type(input_type) is not str
            or not input_type
            or (link is not None and type(link) is not int)
        ):
            return None
        if widget is not None:
            widget = widget.get("name") if type(widget) is dict else 0
            if widget is not None and type(widget) is not str:
                return None
        inputs.append(UIInput(name, input_type, link, widget))
    outputs = []
    for item in raw_outputs:
        if type(item) is not dict:
            return None
        name = item.get("name")
        output_type = item.get("type")
        links = item.get("links")
        if type(name) is not str or type(output_type) is not str or not output_type:
            return None
        if not links:
            links = ()
        elif type(links) is not list:
            return None
        else:
            for link in links:
                if type(link) is not int:
                    return None
            links = tuple(links)
        outputs.append(UIOutput(name, output_type, links))
    named = get("widgets_values_named")
    properties = get("properties")
    return UINode(
        str(node_id),
        node_type,
        mode,
        title,
        inputs,
        outputs,
        values,
        named if type(named) is dict else None,
        properties if type(properties) is dict else {},
    )
