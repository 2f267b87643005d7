"""Reading what Graphviz drew: the texts of each node, and the edges, of an SVG it made."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

SVG = "{http://www.w3.org/2000/svg}"


@dataclass
class Drawing:
    """Each node's texts by its name in the drawing (``n0``), and each edge's stroke colour."""

    nodes: dict[str, list[str]]
    edge_colors: list[str]
    node_outlines: dict[str, set[str]]


def read_svg(svg: bytes) -> Drawing:
    """The nodes and edges of an SVG made by Graphviz (non-breaking spaces read as spaces)."""
    root = ET.fromstring(svg)
    nodes: dict[str, list[str]] = {}
    outlines: dict[str, set[str]] = {}
    edges: list[str] = []
    for group in root.iter(f"{SVG}g"):
        kind = group.get("class")
        title = group.find(f"{SVG}title")
        if kind == "node" and title is not None and title.text is not None:
            nodes[title.text] = [
                "".join(text.itertext()).replace("\xa0", " ") for text in group.iter(f"{SVG}text")
            ]
            outlines[title.text] = {
                path.get("stroke", "") for path in group.iter() if path.get("stroke")
            }
        elif kind == "edge":
            path = group.find(f"{SVG}path")
            edges.append(path.get("stroke", "") if path is not None else "")
    return Drawing(nodes, edges, outlines)
