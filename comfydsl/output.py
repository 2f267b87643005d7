"""Output: a reference to one output of one node, which is also its API-format link.

Kept apart from graph.py, whose Node makes them; an Output needs nothing of a Node but its
``id``, ``class_type``, ``definition`` and its own lookups, reached through the instance.
"""

from __future__ import annotations

from collections.abc import Iterator

from comfydsl.values import read_only

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from comfydsl.graph import Node

__all__ = ["Output", "OutputsView", "new_output"]


class Output(list):  # type: ignore[type-arg]
    """A reference to one output of one node: what a link carries.

    Made by ``node.NAME``, ``node[i]`` or unpacking. It is itself the link of the API format, a
    read-only list ``["<node id>", <index>]``, so the compiler emits it as it is: it equals that
    list and serializes as it. ``out.node`` is the node, ``out.index`` the output's index.
    """

    __slots__ = ("node",)
    node: Node

    def __init__(self, node: Node, index: int) -> None:
        list.__init__(self, (node.id, index))
        self.node = node

    @property
    def index(self) -> int:  # type: ignore[override]
        """The output's index in its node's outputs (list.index is not needed on a link)."""
        index: int = list.__getitem__(self, 1)
        return index

    @property
    def type(self) -> Any:
        """The output's type (``"IMAGE"``...), or None when the node's class is not known."""
        spec = self.spec
        return None if spec is None else spec.type

    @property
    def name(self) -> str | None:
        """The output's name in the definition, or None when the node's class is not known."""
        spec = self.spec
        return None if spec is None else spec.name

    @property
    def spec(self) -> Any:
        """The OutputSpec of this output, or None."""
        definition = self.node.definition
        if definition is None:
            return None
        outputs = definition.outputs
        index = self.index
        if -len(outputs) <= index < len(outputs):
            return outputs[index]
        return None

    __setitem__ = __delitem__ = __iadd__ = __imul__ = read_only
    append = extend = insert = pop = remove = clear = sort = reverse = read_only

    def __hash__(self) -> int:  # type: ignore[override]
        return hash((self[0], self[1]))

    def __copy__(self) -> list[Any]:
        return list(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> list[Any]:
        return list(self)

    def __reduce__(self) -> tuple[Any, ...]:
        return (list, (list(self),))

    def describe(self) -> str:
        """The output in words, for messages: ``CheckpointLoaderSimple#1.MODEL``."""
        label = self.name
        shown = f".{label}" if label is not None else f"[{self.index}]"
        return f"{self.node.class_type}#{self.node.id}{shown}"

    # A prompt holds Outputs as its links: printed, it should read as the data it is.
    def __repr__(self) -> str:
        return repr(list(self))

    def __str__(self) -> str:
        return self.describe()


_list_new = list.__new__
_list_extend = list.extend


def new_output(node: Node, index: int) -> Output:
    """Output(node, index) without the Python-level __init__: this runs once per link."""
    out: Output = _list_new(Output)
    _list_extend(out, (node.id, index))
    out.node = node
    return out


class OutputsView:
    """``node.out``: the outputs by attribute name, with nothing else in the way."""

    __slots__ = ("_node",)

    def __init__(self, node: Node) -> None:
        self._node = node

    def __getattr__(self, name: str) -> Output:
        return self._node._output_by_attr(name)

    def __getitem__(self, key: int | str) -> Output:
        if isinstance(key, str):
            return self._node._output_by_attr(key)
        return self._node[key]

    def __iter__(self) -> Iterator[Output]:
        return iter(self._node)

    def __dir__(self) -> list[str]:
        definition = self._node.definition
        return list(definition.output_attrs) if definition is not None else []
