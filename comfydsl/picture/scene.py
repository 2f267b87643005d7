"""What a picture shows of a workflow, as plain data: a card per node, a wire per link.

Both ways of drawing (Graphviz, :mod:`comfydsl.picture.dot`; the HTML table when Graphviz is
missing, :mod:`comfydsl.picture.table`) draw the same :class:`Scene`. Every text in it is already
in its shown form (:func:`comfydsl.picture.text.shown_text`: printable, cut to a readable length);
each drawing escapes it for its own syntax.

A card shows what the editor's node shows: the title (the node's own, else the class's display
name), the class and id, the input sockets (linked or not) on the left, the outputs on the right,
and the widget values the node has. A node with problems (``NodeError``) lists them, and the
sockets and widgets they concern are marked. A link to a node that is not in the workflow (a
node of another workflow) leads to a stand-in card that says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from comfydsl.errors import NodeError
from comfydsl.graph import Node, Output, Workflow
from comfydsl.picture.palette import LINK_COLOR, link_color, type_key
from comfydsl.picture.text import shown_text, shown_value

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["Card", "Row", "Scene", "Slot", "Wire", "make_scene"]

#: How many characters of each kind of text a card shows before cutting it.
TITLE_CHARS = 48
NAME_CHARS = 32
VALUE_CHARS = 48
PROBLEM_CHARS = 96
#: How many widget rows and problems a card lists before "... and N more".
MAX_WIDGETS = 24
MAX_PROBLEMS = 6


@dataclass
class Slot:
    """An input socket or an output of a card: its ``port`` (``i0``, ``o1``: comfydsl's own
    names, never the workflow's), the shown ``name``, its ``color`` and ``type``, whether it is
    ``linked``, and whether a problem concerns it."""

    port: str
    name: str
    color: str
    type: str = ""
    linked: bool = True
    problem: bool = False


@dataclass
class Row:
    """A widget of a card: its shown ``name`` and ``value``, and whether a problem concerns it."""

    name: str
    value: str
    problem: bool = False


@dataclass
class Card:
    """One node as a picture shows it. ``key`` is its name in the drawing (``n0``, ``x0`` for a
    stand-in), never the node's id; ``elsewhere`` marks a stand-in for a node of another
    workflow."""

    key: str
    title: str
    subtitle: str
    inputs: list[Slot] = field(default_factory=list)
    outputs: list[Slot] = field(default_factory=list)
    widgets: list[Row] = field(default_factory=list)
    more_widgets: int = 0
    problems: list[str] = field(default_factory=list)
    more_problems: int = 0
    elsewhere: bool = False

    @property
    def has_problems(self) -> bool:
        """Whether the node has a problem (the picture outlines it in the error colour)."""
        return bool(self.problems) or self.more_problems > 0


@dataclass
class Wire:
    """A link: from ``tail``'s output port ``tail_port`` to ``head``'s input port ``head_port``,
    drawn in ``color`` and labelled with its ``type`` (shown form; empty when not known)."""

    tail: str
    tail_port: str
    head: str
    head_port: str
    color: str
    type: str


@dataclass
class Scene:
    """Every card and wire of one workflow, and how many problems it has in all."""

    cards: list[Card]
    wires: list[Wire]
    problem_count: int


def make_scene(workflow: Workflow, problems: Sequence[NodeError] = ()) -> Scene:
    """The scene of ``workflow``, with ``problems`` (``wf.check()``) marked on their nodes."""
    nodes = workflow.nodes
    by_node: dict[str, list[NodeError]] = {}
    for problem in problems:
        if problem.node_id is not None:
            by_node.setdefault(str(problem.node_id), []).append(problem)
    # Which outputs are linked from, per node object: nodes of unknown classes show those only.
    used: dict[int, set[int]] = {}
    strangers: dict[int, Node] = {}
    for node in nodes.values():
        for value in node.inputs.values():
            if isinstance(value, Output):
                used.setdefault(id(value.node), set()).add(value.index)
                if nodes.get(value.node.id) is not value.node:
                    strangers.setdefault(id(value.node), value.node)
    cards: dict[int, Card] = {}
    out_ports: dict[int, dict[int, str]] = {}
    in_ports: dict[int, dict[str, str]] = {}
    for number, node in enumerate(nodes.values()):
        card, outs, ins = _card(f"n{number}", node, by_node.get(node.id, ()), used.get(id(node)))
        cards[id(node)] = card
        out_ports[id(node)] = outs
        in_ports[id(node)] = ins
    for number, node in enumerate(strangers.values()):
        card, outs, _ = _card(f"x{number}", node, (), used.get(id(node)), elsewhere=True)
        cards[id(node)] = card
        out_ports[id(node)] = outs
    wires = []
    for node in nodes.values():
        head = cards[id(node)]
        for name, value in node.inputs.items():
            if not isinstance(value, Output):
                continue
            link_type = _link_type(node, name, value)
            wires.append(
                Wire(
                    tail=cards[id(value.node)].key,
                    tail_port=out_ports[id(value.node)][value.index],
                    head=head.key,
                    head_port=in_ports[id(node)][name],
                    color=link_color(link_type),
                    type=shown_text(type_key(link_type) or "", NAME_CHARS),
                )
            )
    return Scene(list(cards.values()), wires, len(problems))


def _link_type(node: Node, name: str, link: Output) -> Any:
    """A link's type, as the editor gives it: the output's; else the socket's it goes into."""
    if link.type is not None:
        return link.type
    spec = node.definition.inputs.get(name) if node.definition is not None else None
    if spec is not None and spec.kind == "LINK":
        return spec.type
    return None


def _card(
    key: str,
    node: Node,
    problems: Iterable[NodeError],
    used: set[int] | None,
    *,
    elsewhere: bool = False,
) -> tuple[Card, dict[int, str], dict[str, str]]:
    """A node's card, with its output ports by output index and input ports by input name."""
    definition = node.definition
    problems = list(problems)
    title = node.title or (definition.display_name if definition is not None else node.class_type)
    subtitle = f"{node.class_type} #{node.id}" if title != node.class_type else f"#{node.id}"
    card = Card(key, shown_text(title, TITLE_CHARS), shown_text(subtitle, TITLE_CHARS))
    in_ports = _fill_inputs(card, node, {p.input_name for p in problems if p.input_name})
    out_ports = _fill_outputs(card, node, used or set())
    texts = [_problem_text(p) for p in problems]
    if elsewhere:
        card.elsewhere = True
        texts.insert(0, "this node is not in the workflow (it belongs to another one)")
    card.problems = texts[:MAX_PROBLEMS]
    card.more_problems = len(texts) - len(card.problems)
    return card, out_ports, in_ports


def _fill_inputs(card: Card, node: Node, concerned: set[str]) -> dict[str, str]:
    """The card's sockets and widget rows; the input ports by input name."""
    ports: dict[str, str] = {}

    def socket(name: str, link_type: Any, linked: bool) -> None:
        port = ports[name] = f"i{len(card.inputs)}"
        card.inputs.append(
            Slot(
                port,
                shown_text(name, NAME_CHARS),
                link_color(link_type),
                shown_text(type_key(link_type) or "", NAME_CHARS),
                linked=linked,
                problem=name in concerned,
            )
        )

    widgets: list[Row] = []
    specs = node.definition.inputs if node.definition is not None else {}
    for name, spec in specs.items():  # in the definition's order, as the editor lays them out
        value = node.inputs.get(name, _UNSET)
        if isinstance(value, Output):
            socket(name, spec.type if spec.kind == "LINK" else value.type, True)
        elif value is not _UNSET:
            widgets.append(_row(name, value, name in concerned))
        elif spec.kind == "LINK":
            socket(name, spec.type, False)
    for name, value in node.inputs.items():
        if name in specs:
            continue
        if isinstance(value, Output):
            socket(name, value.type, True)
        else:
            widgets.append(_row(name, value, name in concerned))
    for name in sorted(concerned - {*ports, *node.inputs}):  # a required widget left out
        widgets.append(Row(shown_text(name, NAME_CHARS), "(no value)", problem=True))
    card.widgets = widgets[:MAX_WIDGETS]
    card.more_widgets = len(widgets) - len(card.widgets)
    return ports


def _fill_outputs(card: Card, node: Node, used: set[int]) -> dict[int, str]:
    """The card's outputs: the definition's, and any other index a link uses (every output of
    a class the catalog does not know; on a known class, a bad link). The ports by index."""
    ports: dict[int, str] = {}
    definition = node.definition
    for output in definition.outputs if definition is not None else ():
        port = ports[output.index] = f"o{len(card.outputs)}"
        card.outputs.append(
            Slot(
                port,
                shown_text(output.name, NAME_CHARS),
                link_color(output.type),
                shown_text(type_key(output.type) or "", NAME_CHARS),
            )
        )
    for index in sorted(used - ports.keys()):
        port = ports[index] = f"o{len(card.outputs)}"
        card.outputs.append(
            Slot(
                port,
                shown_text(f"output {index}", NAME_CHARS),
                LINK_COLOR,
                problem=definition is not None,
            )
        )
    return ports


_UNSET = object()


def _row(name: str, value: Any, problem: bool) -> Row:
    return Row(shown_text(name, NAME_CHARS), shown_value(value, VALUE_CHARS), problem)


def _problem_text(problem: NodeError) -> str:
    where = f"{problem.input_name}: " if problem.input_name else ""
    return shown_text(f"{where}{problem.detail}", PROBLEM_CHARS)
