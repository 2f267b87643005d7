"""Reading one prompt's run from its messages (WebSocket) or its history entry (polling).

:class:`RunState` folds the WebSocket messages of one prompt into what is known so far (the node
running, what is done, outputs seen) and says when the run is over; :func:`outcome_of_history`
reads the same from a ``/history/{id}`` entry. Both raise ExecutionFailed / ExecutionInterrupted
with the node's source line when the run did not succeed, and MalformedAnswer (naming the message
or the endpoint) when what the server said is not of the shape its API gives.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from comfydsl.client.errors import ExecutionFailed, ExecutionInterrupted, MalformedAnswer
from comfydsl.client.progress import Progress
from comfydsl.client.results import checked_outputs
from comfydsl.client.submit import NodeInfo

__all__ = ["RunState", "interrupted_error", "outcome_of_history"]


class RunState:
    """What the messages of one prompt have said so far.

    >>> state = RunState("p1", {"1": ("EmptyImage", None)})
    >>> state.feed({"type": "executing", "data": {"node": "1", "prompt_id": "p1"}})
    False
    >>> state.progress().node_label
    'EmptyImage #1'
    >>> state.feed({"type": "executing", "data": {"node": None, "prompt_id": "p1"}})
    True
    """

    def __init__(self, prompt_id: str, nodes: NodeInfo) -> None:
        self.prompt_id = prompt_id
        self.nodes = nodes
        self.started = False
        self.succeeded = False
        self.current: str | None = None
        self.value = 0.0
        self.max = 1.0
        self.cached: list[str] = []
        self.done: set[str] = set()
        self.outputs: dict[str, dict[str, Any]] = {}

    def feed(self, message: Mapping[str, Any]) -> bool:
        """Take one message; True when the run is over (``executing`` with node null).

        Raises ExecutionFailed on ``execution_error`` and ExecutionInterrupted on
        ``execution_interrupted``.
        """
        kind = message.get("type")
        data = message.get("data")
        if not isinstance(data, Mapping):
            return False
        where = f"the WebSocket message {kind!r} of prompt {self.prompt_id}"
        if kind == "execution_start":
            self.started = True
        elif kind == "execution_cached":
            nodes = node_ids(data, "nodes", where)
            self.cached.extend(nodes)
            self.done.update(nodes)
        elif kind == "executing":
            node = data.get("node")
            if self.current is not None:
                self.done.add(self.current)
            if node is None:
                self.current = None
                return True
            self.started = True
            self.current, self.value, self.max = str(node), 0.0, 1.0
        elif kind == "progress":
            self.current = str(data.get("node", self.current))
            self.value = _number(data.get("value"), self.value)
            self.max = _number(data.get("max"), self.max)
        elif kind == "progress_state":
            states = data.get("nodes")
            if isinstance(states, Mapping):
                self.done.update(
                    str(n)
                    for n, s in states.items()
                    if isinstance(s, Mapping) and s.get("state") == "finished"
                )
        elif kind == "executed":
            output = data.get("output")
            node = str(data.get("node"))
            if output is not None:
                self.outputs.update(checked_outputs({node: output}, where))
            self.done.add(node)
        elif kind == "execution_success":
            self.succeeded = True
        elif kind == "execution_error":
            raise failed_error(data, self.nodes, where=where)
        elif kind == "execution_interrupted":
            raise interrupted_error(data, self.nodes, where=where)
        return False

    def progress(self) -> Progress:
        """A progress event for where the run stands now."""
        class_type, source = self.nodes.get(self.current or "", (None, None))
        total = max(len(self.nodes), len(self.done))
        return Progress(
            prompt_id=self.prompt_id,
            node_id=self.current,
            class_type=class_type,
            source=source,
            value=self.value,
            max=self.max,
            nodes_done=min(len(self.done), total),
            nodes_total=total,
        )


def outcome_of_history(
    entry: Mapping[str, Any], nodes: NodeInfo, *, where: str = "the history entry"
) -> dict[str, dict[str, Any]] | None:
    """The outputs of a finished prompt's history entry; None if the entry says it is not over.

    Raises ExecutionFailed / ExecutionInterrupted for an entry that ended in error, and
    MalformedAnswer (naming ``where``, e.g. ``GET /history/{id}``) for one of the wrong shape.
    """
    status = entry.get("status")
    if status is None:
        return _outputs_of(
            entry, where
        )  # servers before 2023 kept no status: an entry means it ran
    if not isinstance(status, Mapping):
        raise MalformedAnswer.of(where, "'status' to be an object", status)
    for event, data in _messages(status, where):
        if event == "execution_error":
            raise failed_error(data, nodes, where=where)
        if event == "execution_interrupted":
            raise interrupted_error(data, nodes, where=where)
    if status.get("status_str") == "error":
        raise ExecutionFailed(
            {
                "prompt_id": _prompt_id(entry),
                "exception_message": "the server recorded an error without saying which",
            },
            source=None,
        )
    if status.get("completed") or status.get("status_str") == "success":
        return _outputs_of(entry, where)
    return None


def failed_error(
    data: Mapping[str, Any], nodes: NodeInfo, *, where: str = "the execution_error message"
) -> ExecutionFailed:
    """ExecutionFailed for an ``execution_error`` message, at the node's source line."""
    node_id = str(data.get("node_id"))
    node_ids(data, "executed", where)
    return ExecutionFailed(dict(data), source=nodes.get(node_id, (None, None))[1])


def interrupted_error(
    data: Mapping[str, Any], nodes: NodeInfo, *, where: str = "the execution_interrupted message"
) -> ExecutionInterrupted:
    """ExecutionInterrupted for an ``execution_interrupted`` message."""
    node_id = data.get("node_id")
    node = None if node_id is None else str(node_id)
    class_type = data.get("node_type")
    source = nodes.get(node, (None, None))[1] if node is not None else None
    prompt_id = str(data.get("prompt_id", ""))
    where_built = f"{source}: " if source is not None else ""
    running = f" while {class_type} (node {node}) ran" if node is not None else ""
    return ExecutionInterrupted(
        f"{where_built}prompt {prompt_id} was interrupted{running}",
        prompt_id=prompt_id,
        node_id=node,
        class_type=None if class_type is None else str(class_type),
        source=source,
        executed=node_ids(data, "executed", where),
    )


def node_ids(data: Mapping[str, Any], key: str, where: str) -> list[str]:
    """``data[key]`` as a list of node ids (absent or null: none); MalformedAnswer otherwise."""
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise MalformedAnswer.of(where, f"{key!r} to be a list of node ids", value)
    return [str(n) for n in value]


def _outputs_of(entry: Mapping[str, Any], where: str) -> dict[str, dict[str, Any]]:
    outputs = entry.get("outputs")
    return {} if outputs is None else checked_outputs(outputs, where)


def _messages(status: Mapping[str, Any], where: str) -> list[tuple[str, Mapping[str, Any]]]:
    messages = status.get("messages")
    if messages is None:
        return []
    if not isinstance(messages, list):
        raise MalformedAnswer.of(where, "'status.messages' to be a list of [event, data]", messages)
    found = []
    for item in messages:
        if isinstance(item, (list, tuple)) and len(item) == 2 and isinstance(item[1], Mapping):
            found.append((str(item[0]), item[1]))
    return found


def _prompt_id(entry: Mapping[str, Any]) -> Any:
    prompt = entry.get("prompt")
    return prompt[1] if isinstance(prompt, (list, tuple)) and len(prompt) > 1 else "?"


def _number(value: Any, default: float) -> float:
    return float(value) if isinstance(value, (int, float)) else default
