"""What a run reports while it goes: progress events for callbacks, and a tqdm bar for people."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import IO, Any

import attrs
from tqdm.auto import tqdm  # a widget in a notebook, a text bar in a terminal

from comfydsl.errors import SourceLocation

__all__ = ["Progress", "ProgressBar", "ProgressCallback"]


@attrs.frozen
class Progress:
    """Where a run stands: the node now running and its own progress, and how many nodes are done.

    ``value``/``max`` are the running node's steps (a sampler's 12 of 20; 0 of 1 for nodes without
    a progress bar). ``nodes_done`` counts nodes finished or served from the cache, out of
    ``nodes_total`` (the nodes of the prompt).
    """

    prompt_id: str
    node_id: str | None
    class_type: str | None
    source: SourceLocation | None
    value: float
    max: float
    nodes_done: int
    nodes_total: int

    @property
    def node_label(self) -> str:
        """A short name of the running node, e.g. ``KSampler #3``."""
        if self.node_id is None:
            return ""
        return f"{self.class_type or '?'} #{self.node_id}"


ProgressCallback = Callable[[Progress], None]


class ProgressBar:
    """A tqdm bar over the prompt's nodes, showing the running node and its steps.

    >>> bar = ProgressBar(file=io.StringIO())   # doctest: +SKIP
    >>> bar(progress); bar.close()               # doctest: +SKIP
    """

    def __init__(self, *, file: IO[str] | None = None, leave: bool = False) -> None:
        self._file = file
        self._leave = leave
        self._bar: tqdm[Any] | None = None

    def __call__(self, progress: Progress) -> None:
        """Show a progress event."""
        bar = self._bar
        if bar is None:
            bar = self._bar = tqdm(
                total=progress.nodes_total,
                unit="node",
                file=self._file if self._file is not None else sys.stderr,
                leave=self._leave,
                dynamic_ncols=True,
            )
        if bar.total != progress.nodes_total:
            bar.total = progress.nodes_total
        bar.n = progress.nodes_done
        bar.set_description(progress.node_label or "queued", refresh=False)
        steps = f"{progress.value:g}/{progress.max:g}" if progress.max > 1 else ""
        bar.set_postfix_str(steps, refresh=False)
        bar.refresh()

    def close(self) -> None:
        """Remove the bar (or leave it, if asked to)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
