"""Parameter sweeps: combinations of parameters, each with a predictable name, and a workflow
built for each.

An *axis* is one swept thing: a parameter and its values (``seed=1..8``, ``cfg=5,7``), or a file
of rows that each give several parameters at once. The combinations of several axes are every
combination of their values, the first axis varying slowest (``combine(axes)``), or their values
taken side by side (``combine(axes, zip=True)``)::

    from comfydsl.sweep import Sweep, grid

    def build(seed: int, cfg: float) -> Workflow:
        with Workflow() as wf:
            ...                                  # KSampler(seed=seed, cfg=cfg, ...)
        return wf

    sweep = Sweep(build, grid(seed=range(1, 9), cfg=[5, 7]))     # 16 combinations
    sweep.compile("prompts/")                    # prompts/seed=1,cfg=5.json, ...

Each combination is named after its values: ``seed=1,cfg=5``. A name says its values exactly
when each is a number, a boolean, null or a short lower-case word; other values (text with
spaces or capitals, lists) are written shortened, and the name ends with ``~`` and a hash of
every value, so that two combinations never share a name. ``comfydsl compile -o DIR`` writes
``DIR/<name>.json``; ``comfydsl run`` saves each result in ``OUT/<name>/``.
"""

from __future__ import annotations

import builtins
import csv
import decimal
import hashlib
import io
import itertools
import json
import math
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from comfydsl.build import Workflow
from comfydsl.errors import ComfyDSLError
from comfydsl.formats.api import dumps_prompt
from comfydsl.templates import TemplateError, parse_assignment, parse_value, read_toml
from comfydsl.values import read_text

__all__ = [
    "MAX_COMBINATIONS",
    "Axis",
    "Built",
    "Combination",
    "Sweep",
    "SweepError",
    "SweepJob",
    "axis",
    "combination_name",
    "combine",
    "grid",
    "load_rows",
    "parse_axis",
    "rows",
    "write_prompts",
    "zipped",
]

#: The most combinations one sweep may have (a typo in a range should not fill the disk).
MAX_COMBINATIONS = 1_000_000

#: The longest name a combination gets before it is shortened (a hash keeps it unique).
MAX_NAME = 120


class SweepError(ComfyDSLError, ValueError):
    """A sweep that cannot be made: a ``--sweep`` that does not parse, a rows file that cannot
    be read, axes that do not fit together, or a combination whose workflow could not be built.

    ``source`` is the option or file concerned, ``combination`` the combination's name (when a
    build failed: the error it raised is the ``__cause__``).
    """

    def __init__(
        self, detail: str, *, source: str | None = None, combination: str | None = None
    ) -> None:
        self.detail = detail
        self.source = source
        self.combination = combination
        where = combination or source
        super().__init__(f"{where}: {detail}" if where else detail)


# -- combinations and their names ------------------------------------------------------------------

_PLAIN_WORD = re.compile(r"[a-z0-9](?:[a-z0-9._+-]{0,38}[a-z0-9_+-])?")
_SLUG_DROP = re.compile(r"[^A-Za-z0-9._+-]+")


def _exact_text(value: Any) -> str | None:
    """The value as name text that reads back as exactly it, or None."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if type(value) is int:
        text = str(value)
        return text if len(text) <= 40 else None
    if type(value) is float and math.isfinite(value):
        return repr(value)
    if type(value) is str and _PLAIN_WORD.fullmatch(value) and parse_value(value) == value:
        return value
    return None


def _short_text(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    slug = _SLUG_DROP.sub("-", text).strip("-.")
    return slug[:24].rstrip("-.") or "_"


def combination_name(params: Mapping[str, Any]) -> str:
    """The name of a combination: ``seed=1,cfg=5``, or shortened with a hash (see the module).

    >>> combination_name({"seed": 1, "cfg": 7.5})
    'seed=1,cfg=7.5'
    >>> combination_name({"prompt": "a cat, sitting"})[:21]
    'prompt=a-cat-sitting~'
    """
    if not params:
        return "job"
    parts, exact = [], True
    for key, value in params.items():
        text = _exact_text(value)
        if text is None:
            exact, text = False, _short_text(value)
        parts.append(f"{key}={text}")
    name = ",".join(parts)
    if exact and len(name) <= MAX_NAME:
        return name
    canonical = json.dumps(dict(params), sort_keys=True, ensure_ascii=False, allow_nan=True)
    digest = hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return f"{name[: MAX_NAME - 13].rstrip(',=')}~{digest}"


class Combination:
    """One combination: ``params`` (name -> value, in the order of the axes), its ``name`` and
    its ``index`` in the sweep."""

    __slots__ = ("index", "name", "params")

    def __init__(self, params: Mapping[str, Any], index: int = 0) -> None:
        self.params: dict[str, Any] = dict(params)
        self.name = combination_name(self.params)
        self.index = index

    def __repr__(self) -> str:
        return f"<Combination {self.index}: {self.name}>"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Combination):
            return NotImplemented
        return self.params == other.params and self.index == other.index

    def __hash__(self) -> int:
        return hash((self.name, self.index))


# -- axes ------------------------------------------------------------------------------------------


class Axis:
    """One swept thing: ``points``, each a dict of parameter -> value, in order; ``names`` the
    parameters it sets; ``source`` the option or file it came from (for messages)."""

    __slots__ = ("names", "points", "source")

    def __init__(self, points: Sequence[Mapping[str, Any]], *, source: str) -> None:
        if not points:
            raise SweepError("no values", source=source)
        self.points = [dict(point) for point in points]
        self.names = tuple(self.points[0])
        self.source = source
        for number, point in enumerate(self.points, 1):
            if set(point) != set(self.names):
                raise SweepError(
                    f"row {number} sets {', '.join(point) or 'nothing'}; the first sets "
                    f"{', '.join(self.names)}",
                    source=source,
                )

    def __len__(self) -> int:
        return len(self.points)

    def __repr__(self) -> str:
        return f"<Axis {self.source}: {len(self)} values>"


def axis(name: str, values: Iterable[Any]) -> Axis:
    """An axis of one parameter: ``axis("seed", range(1, 9))``."""
    if not name.isidentifier():
        raise SweepError(f"{name!r} is not a parameter name", source=name)
    return Axis([{name: value} for value in values], source=name)


def rows(points: Iterable[Mapping[str, Any]], *, source: str = "rows") -> Axis:
    """An axis of rows, each setting several parameters: ``rows([{"seed": 1, "cfg": 5}, ...])``."""
    return Axis(list(points), source=source)


def combine(axes: Sequence[Axis], *, zip: bool = False) -> list[Combination]:
    """Every combination of the axes' values (the first axis varying slowest), or with ``zip``
    their values side by side (the axes must then be of one length).

    A parameter set by two axes, a sweep of more than MAX_COMBINATIONS, and one combination
    twice are errors (SweepError).
    """
    seen: dict[str, str] = {}
    for each in axes:
        for name in each.names:
            if name in seen:
                raise SweepError(
                    f"{name!r} is swept twice (also by {seen[name]})", source=each.source
                )
            seen[name] = each.source
    if not axes:
        return [Combination({}, 0)]
    if zip:
        lengths = {len(each) for each in axes}
        if len(lengths) > 1:
            sizes = ", ".join(f"{each.source} has {len(each)}" for each in axes)
            raise SweepError(f"zipped axes must have as many values each: {sizes}")
        merged: Iterable[tuple[dict[str, Any], ...]] = builtins.zip(
            *(a.points for a in axes), strict=True
        )
    else:
        total = math.prod(len(each) for each in axes)
        if total > MAX_COMBINATIONS:
            raise SweepError(
                f"the sweep has {total:,} combinations; at most {MAX_COMBINATIONS:,} are allowed"
            )
        merged = itertools.product(*(a.points for a in axes))
    found: list[Combination] = []
    names: dict[str, int] = {}
    for index, points in enumerate(merged):
        params: dict[str, Any] = {}
        for point in points:
            params.update(point)
        combination = Combination(params, index)
        first = names.setdefault(combination.name, index)
        if first != index:
            raise SweepError(
                f"combinations {first + 1} and {index + 1} are the same ({combination.name})"
            )
        found.append(combination)
    return found


def grid(**values: Iterable[Any]) -> list[Combination]:
    """Every combination of the values: ``grid(seed=range(1, 9), cfg=[5, 7])`` (16)."""
    return combine([axis(name, items) for name, items in values.items()])


def zipped(**values: Iterable[Any]) -> list[Combination]:
    """The values side by side: ``zipped(seed=[1, 2], cfg=[5, 7])`` is (1, 5) and (2, 7)."""
    return combine([axis(name, items) for name, items in values.items()], zip=True)


# -- parsing --sweep -------------------------------------------------------------------------------

_NUMBER = r"[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?"
_RANGE = re.compile(rf"\s*({_NUMBER})\s*\.\.\s*({_NUMBER})\s*(?::\s*({_NUMBER})\s*)?")


def parse_axis(text: str) -> Axis:
    """An axis from the text of a ``--sweep`` option.

    - ``seed=1..8``: the integers 1 to 8; ``cfg=4..8:0.5`` in steps of 0.5 (ends included; a
      descending range counts down);
    - ``cfg=5,7`` or ``prompt=["a cat", "a dog"]``: these values, each read as ``--var`` reads
      one (JSON, else text);
    - ``prompt=@prompts.txt``: one value a line (a ``.json`` file: a JSON list of values);
    - ``@rows.csv`` (or ``.json``, ``.jsonl``, ``.toml``): rows that each set several parameters.

    ``name:TYPE=...`` reads every value as TYPE (``str``, ``int``, ``float``, ``bool``, ``json``).
    """
    if text.startswith("@"):
        return load_rows(text[1:])
    try:
        name, kind, spec = parse_assignment(text)
    except ValueError as exc:
        raise SweepError(
            f"{exc}: a sweep is NAME=1..8, NAME=5,7, NAME=@FILE or @ROWS_FILE", source=text
        ) from None
    try:
        values = _values_of(spec, kind, text)
    except SweepError:
        raise  # a file of values, which names itself
    except ValueError as exc:
        raise SweepError(str(exc), source=text) from None
    return Axis([{name: value} for value in values], source=text)


def _values_of(spec: str, kind: str | None, text: str) -> list[Any]:
    if spec.startswith("@"):
        return _values_file(spec[1:], kind)
    found = _RANGE.fullmatch(spec)
    if found is not None:
        return [_typed(value, kind) for value in _range(*found.groups())]
    if ".." in spec and "," not in spec and kind != "str" and not spec.lstrip().startswith("["):
        raise ValueError(
            f"{spec!r} is not a range: A..B or A..B:STEP with numbers (a text with '..' in it: "
            "NAME:str=... or a JSON list)"
        )
    if spec.lstrip().startswith("["):
        try:
            items = parse_value(spec, "json")
        except ValueError:
            items = None
        if isinstance(items, list):
            return [_typed(item, kind) for item in items]
    items = [item.strip() for item in spec.split(",")]
    if any(not item for item in items):
        raise ValueError(f"an empty value in {spec!r} (values are separated by commas)")
    return [parse_value(item, kind) for item in items]


def _typed(value: Any, kind: str | None) -> Any:
    if kind is None or kind == "json":
        return value
    text = value if isinstance(value, str) else json.dumps(value)
    return parse_value(text, kind)


def _range(start: str, stop: str, step: str | None) -> list[int | float]:
    numbers = [decimal.Decimal(start), decimal.Decimal(stop)]
    whole = all("." not in t and "e" not in t.lower() for t in (start, stop, step or "1"))
    first, last = numbers
    by = decimal.Decimal(step) if step is not None else decimal.Decimal(1 if last >= first else -1)
    if by == 0:
        raise ValueError("a range's step cannot be 0")
    if (last - first) * by < 0:
        raise ValueError(f"a step of {by} never goes from {first} to {last}")
    count = int((last - first) / by) + 1
    if count > MAX_COMBINATIONS:
        raise ValueError(f"the range has {count:,} values; at most {MAX_COMBINATIONS:,}")
    values = [first + by * i for i in range(count)]
    if whole:
        return [int(v) for v in values]
    return [float(v) for v in values]


def _read_text(file: str) -> str:
    return read_text(file, lambda reason: SweepError(reason, source=file), bom=True)


def _values_file(file: str, kind: str | None) -> list[Any]:
    text = _read_text(file)
    if file.lower().endswith(".json"):
        try:
            items = parse_value(text, "json")
        except ValueError as exc:
            raise SweepError(str(exc), source=file) from None
        if not isinstance(items, list):
            raise SweepError("expected a JSON list of values", source=file)
        return [_typed(item, kind) for item in items]
    lines = [line for line in text.splitlines() if line.strip()]
    return [parse_value(line, kind) for line in lines]


def load_rows(path: str | os.PathLike[str]) -> Axis:
    """An axis of the rows in a file: ``.csv`` (a header row of names; each cell read as
    ``--var`` reads a value), ``.json`` (a list of objects), ``.jsonl`` (an object a line) or
    ``.toml`` (an array of tables named ``rows``)."""
    file = os.fspath(path)
    suffix = Path(file).suffix.lower()
    if suffix not in (".csv", ".json", ".jsonl", ".toml"):
        raise SweepError("a rows file is .csv, .json, .jsonl or .toml", source=file)
    text = _read_text(file)
    try:
        points = _rows_of(text, suffix)
    except ValueError as exc:
        raise SweepError(str(exc), source=file) from None
    for number, point in enumerate(points, 1):
        if not isinstance(point, dict):
            raise SweepError(f"row {number} is not an object of name -> value", source=file)
        for name in point:
            if not name.isidentifier():
                raise SweepError(f"row {number}: {name!r} is not a parameter name", source=file)
    return Axis(points, source=file)


def _rows_of(text: str, suffix: str) -> list[Any]:
    if suffix == ".csv":
        table = list(csv.reader(io.StringIO(text)))
        table = [row for row in table if any(cell.strip() for cell in row)]
        if not table:
            raise ValueError("no header row")
        header = [cell.strip() for cell in table[0]]
        found = []
        for number, row in enumerate(table[1:], 2):
            if len(row) != len(header):
                raise ValueError(
                    f"line {number} has {len(row)} cells; the header has {len(header)}"
                )
            found.append({name: parse_value(cell) for name, cell in zip(header, row, strict=True)})
        return found
    if suffix == ".jsonl":
        return [parse_value(line, "json") for line in text.splitlines() if line.strip()]
    if suffix == ".toml":
        try:
            data = read_toml(text, "")
        except TemplateError as exc:
            raise ValueError(exc.detail) from None
        table = data.get("rows")
        if not isinstance(table, list):
            raise ValueError("expected an array of tables named rows ([[rows]])")
        return table
    data = parse_value(text, "json")
    if not isinstance(data, list):
        raise ValueError("expected a JSON list of objects")
    return data


# -- a function that builds a workflow for each combination ----------------------------------------

Built = Workflow | Mapping[str, Any]
"""What a sweep builds for a combination: a Workflow, or an API-format prompt."""


class SweepJob:
    """A combination and what was built for it: ``workflow`` (a Workflow, or a prompt dict);
    ``name`` and ``params`` are the combination's."""

    __slots__ = ("combination", "workflow")

    def __init__(self, combination: Combination, workflow: Built) -> None:
        self.combination = combination
        self.workflow = workflow

    @property
    def name(self) -> str:
        """The combination's name: ``seed=1,cfg=5``."""
        return self.combination.name

    @property
    def params(self) -> dict[str, Any]:
        """The combination's parameters."""
        return self.combination.params

    def prompt(self) -> dict[str, Any]:
        """The API-format prompt."""
        if isinstance(self.workflow, Workflow):
            return self.workflow.to_api()
        return dict(self.workflow)

    def __repr__(self) -> str:
        return f"<SweepJob {self.name}>"


class Sweep:
    """A function that builds a workflow from parameters, and the combinations to call it with.

    ``build`` is called with each combination's parameters as keyword arguments, inside a fresh
    ``Workflow()``: it may return a Workflow, an API-format prompt (a dict), or nothing (then
    the nodes it made in that workflow are taken). ``combinations`` are Combination objects
    (``grid``, ``zipped``, ``combine``) or plain mappings of parameter -> value.

    >>> sweep = Sweep(build, grid(seed=range(1, 9), cfg=[5, 7]))   # doctest: +SKIP
    >>> [job.name for job in sweep][:2]                              # doctest: +SKIP
    ['seed=1,cfg=5', 'seed=1,cfg=7']
    >>> sweep.compile("prompts/")                                    # doctest: +SKIP
    """

    def __init__(
        self,
        build: Callable[..., Built | None],
        combinations: Iterable[Combination | Mapping[str, Any]],
    ) -> None:
        self.build = build
        self.combinations = [
            c if isinstance(c, Combination) else Combination(c, index)
            for index, c in enumerate(combinations)
        ]
        names: dict[str, int] = {}
        for c in self.combinations:
            if names.setdefault(c.name, c.index) != c.index:
                raise SweepError(f"the combination {c.name} comes twice")

    def __len__(self) -> int:
        return len(self.combinations)

    def __iter__(self) -> Iterator[SweepJob]:
        """Each combination with its workflow, built as it is reached."""
        for combination in self.combinations:
            yield SweepJob(combination, self.workflow(combination))

    def workflow(self, combination: Combination | Mapping[str, Any]) -> Built:
        """Build the workflow of one combination; SweepError (naming it) if the build raised."""
        if not isinstance(combination, Combination):
            combination = Combination(combination)
        try:
            with Workflow() as made:
                result = self.build(**combination.params)
        except Exception as exc:
            raise SweepError(
                f"{type(exc).__name__}: {exc}" if not isinstance(exc, ComfyDSLError) else str(exc),
                combination=combination.name,
            ) from exc
        if result is None:
            result = made
        if not isinstance(result, (Workflow, Mapping)):
            raise SweepError(
                f"the build function returned {type(result).__name__}: return a Workflow, a "
                "prompt, or nothing (the nodes it made are taken)",
                combination=combination.name,
            )
        return result

    def compile(self, directory: str | os.PathLike[str], *, indent: int | None = 2) -> list[Path]:
        """Write each combination's prompt to ``directory/<name>.json``; the paths, in order."""
        return write_prompts(self, directory, indent=indent)


def write_prompts(
    jobs: Iterable[SweepJob], directory: str | os.PathLike[str], *, indent: int | None = 2
) -> list[Path]:
    """Write each job's prompt to ``directory/<name>.json`` (made if missing); the paths."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for job in jobs:
        path = folder / f"{job.name}.json"
        path.write_text(dumps_prompt(job.prompt(), indent=indent) + "\n", encoding="utf-8")
        written.append(path)
    return written
