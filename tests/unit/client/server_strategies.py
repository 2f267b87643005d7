"""Hypothesis strategies for what a server says: recorded runs with their messages and history
entries mutated (a value of another type, a key gone, a value nested deep, a huge string).

They live here, beside the client's tests, because they are built from the client's recordings;
the package's other strategies are in tests/strategies.py.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from comfy_fake import RawJSON, recording
from hypothesis import strategies as st

RECORDED_RUNS = ["A1_invert_save", "A2_invert_save_resubmit", "C_load_blur_save"]
# Deep enough that a recursive reader of the JSON would overflow the stack.
DEEP = 50_000
_PLACEHOLDER = "\x00comfydsl-deep\x00"

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)
replacements = st.one_of(
    json_values,
    st.just("x" * 200_000),
    st.just(_PLACEHOLDER),  # stands for DEEP nested lists, written into the JSON text
)


def paths_in(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path (keys and indexes) to a value inside ``value``, itself included."""
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths_in(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths_in(item, (*prefix, index))
    return found


def replaced(value: Any, path: tuple[Any, ...], new: Any, *, delete: bool) -> Any:
    """A copy of ``value`` with the value at ``path`` replaced by ``new`` (or deleted)."""
    if not path:
        return new
    result = copy.deepcopy(value)
    holder = result
    for key in path[:-1]:
        holder = holder[key]
    if delete:
        del holder[path[-1]]
    else:
        holder[path[-1]] = new
    return result


def as_text(value: Any) -> RawJSON:
    """``value`` as JSON text, the placeholder written as DEEP nested lists."""
    text = json.dumps(value)
    deep = "[" * DEEP + "]" * DEEP
    return RawJSON(text.replace(json.dumps(_PLACEHOLDER), deep))


@st.composite
def mutated(draw: st.DrawFn, value: Any) -> Any:
    """``value`` with one to three of its values replaced, or deleted."""
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        path = draw(st.sampled_from(paths_in(value)))
        delete = bool(path) and draw(st.booleans())
        value = replaced(value, path, draw(replacements), delete=delete)
    return value


class MutatedRun:
    """A recorded run's ``prompt`` and POST answer, with its ``messages`` and ``history`` (the
    body of ``GET /history/{id}``) as JSON text, some of them mutated."""

    def __init__(
        self, run: dict[str, Any], messages: list[RawJSON], history: RawJSON, *, watch: bool
    ) -> None:
        self.watch = watch  # False: the job is followed by polling /history alone
        self.prompt: dict[str, Any] = run["request"]["prompt"]
        self.prompt_id: str = run["response"]["body"]["prompt_id"]
        self.answer: Any = run["response"]["body"]  # of POST /prompt; maybe mutated too
        self.messages = messages
        self.history = history

    def __repr__(self) -> str:  # short: hypothesis prints it for a failing example
        shown = [m if len(m) <= 200 else f"{m[:80]}...<{len(m)} chars>" for m in self.messages]
        history = self.history
        if len(history) > 200:
            history = RawJSON(f"{history[:80]}...<{len(history)} chars>")
        return (
            f"MutatedRun(watch={self.watch}, answer={self.answer!r:.200}, messages={shown!r}, "
            f"history={history!r})"
        )


@st.composite
def mutated_runs(draw: st.DrawFn) -> MutatedRun:
    """A recorded run (its request, its WebSocket messages, its history entry), some of whose
    messages and history entry are mutated."""
    run = recording(draw(st.sampled_from(RECORDED_RUNS)))
    messages: list[Any] = list(run["ws_messages"])
    history = run["history"].get("body", run["history"])
    for index in draw(st.sets(st.integers(0, len(messages) - 1), max_size=4)):
        messages[index] = draw(mutated(messages[index]))
    if draw(st.booleans()):
        history = draw(mutated(history))
    watch = draw(st.booleans())
    mutated_run = MutatedRun(run, [as_text(m) for m in messages], as_text(history), watch=watch)
    if draw(st.integers(0, 9)) == 0:
        mutated_run.answer = as_text(draw(mutated(mutated_run.answer)))
    return mutated_run
