"""Hypothesis strategies for comfydsl's tests: the one module that has them.

- ``object_infos()``: random catalogs, shaped like a server's ``GET /object_info`` answer, with
  inputs of every kind (INT/FLOAT with and without min/max/default, STRING, BOOLEAN, legacy combo
  lists, empty ones included, the ``"COMBO"`` form with ``options``, link types including ``*`` and
  comma unions, forceInput, optional and hidden inputs, names that are not identifiers or are
  keywords) and outputs with repeated names and names with spaces.
- ``valid_plans(object_info)``: a random VALID workflow over such a catalog, as a ``Plan`` (plain data,
  so that hypothesis prints it when a test fails); ``build(plan)`` makes it with the typed calls.
- ``random_calls(object_info)``: calls with random, mostly invalid, values; ``run_calls`` makes them.
- ``scalars()`` / ``numeric_strings()``: literals for the coercion tests.
- ``file_names()``: names of a file in the server's input folder (no folder part, not ``..``).
- ``mutated_object_infos(definitions)``: real definitions (the bundled catalog's) broken at random
  places: values of another type, keys dropped or added, values wrapped in lists or objects,
  replaced by ``None``/``5``/``"x"``/``{}``/``[]``, deep nesting; for the catalog-loading property.
- ``picture_plans()`` / ``build_picture(plan)``: workflows with text made to break a DOT file or
  an HTML-like label (quotes, Graphviz escapes, markup, NUL, lone surrogates, huge strings) in
  every title, id, class, input name, value and problem, and links that go anywhere.
- ``hostile_object_infos(canary)`` / ``hostile_texts(canary)``: catalogs and command-line text
  made to break a code generator out of its strings and comments (keywords, dunders, names that
  NFKC makes equal, quotes, line breaks, jinja syntax, encoding declarations, nested values),
  carrying a line of Python, ``canary``, that must never run.
- ``template_values(canary)`` / ``prompt_texts(canary)``: template variables of every JSON type
  (and strings alone) made of the same hostile text, limited to what a prompt can carry (UTF-8,
  finite numbers).
- ``template_snippets()``: small script templates with a value in every kind of place.
- ``sweep_values()``: parameter values for names of sweep combinations.

The rules this module uses to tell what is valid (which output fits which input, which combo
choices are known) are written here from PROTOCOL.md, not taken from comfydsl, so that they can
disagree with it.
"""

from __future__ import annotations

import copy
import functools
import keyword
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from hypothesis import strategies as st

from comfydsl import Node, Output, Workflow
from comfydsl.build.make import UntypedNode, make_node, node_type
from comfydsl.build.plans import plan_of
from comfydsl.catalog import Catalog, active_catalog, python_name, use_catalog
from comfydsl.errors import NodeError
from comfydsl.nodes import node_class

# -- names ------------------------------------------------------------------------------------------

#: Input names a real catalog has, or could: keywords, dots, spaces, leading digits, non-ASCII.
ODD_INPUT_NAMES = (
    "from",
    "class",
    "lambda",
    "match",
    "type",
    "None",
    "input_blocks.0.",
    "3D Model Path",
    "model task_id",
    "a-b",
    "a_b",
    "ß",
    "größe",
    "x y",
    "choose file",
    "0",
    "_",
    "seed",
    "image",
    "title",
)
#: Names the typed call takes as control arguments (when the class has no input of that name).
CONTROL_NAMES = frozenset({"title", "id", "extra_inputs"})
HIDDEN_INPUTS = {"prompt": "PROMPT", "extra_pnginfo": "EXTRA_PNGINFO", "unique_id": "UNIQUE_ID"}
#: Link types; some share a member with the unions below.
LINK_TYPES = ("IMAGE", "MASK", "LATENT", "MODEL", "MY TYPE", "Ω_TYPE")
INPUT_LINK_TYPES = (*LINK_TYPES, "*", "IMAGE,MASK", "MODEL_TASK_ID,RIG_TASK_ID")
OUTPUT_TYPES = (*LINK_TYPES, "*", "INT", "FLOAT", "STRING", "BOOLEAN", "RIG_TASK_ID")
OUTPUT_NAMES = ("IMAGE", "image", "3D Model Path", "model task_id", "class", "out put", "", "ß")
#: Ids a user might give a node; none of them is ever an automatic id of a small workflow.
EXPLICIT_IDS = ("sampler", "10:3", "a b", "prompt", "ß", "", "0", 77, "1000")

identifiers = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)
input_names = st.one_of(identifiers, st.sampled_from(ODD_INPUT_NAMES))
class_names = st.from_regex(r"[A-Za-z][A-Za-z0-9_ -]{0,10}[A-Za-z0-9_]?", fullmatch=True)
titles = st.text(max_size=12)

# -- literals ---------------------------------------------------------------------------------------

#: Strings the server's int()/float() accept or reject in interesting ways.
NUMERIC_STRINGS = (
    "48",
    " 16 ",
    "16.5",
    "1e1",
    "0x10",
    "nan",
    "inf",
    "-inf",
    "-0",
    "+5",
    "1_000",
    "٣",
    "",
    " ",
    "true",
    "False",
    "None",
    "12abc",
    "0.0",
    "-3.25",
    "1e400",
    "9" * 30,
)
numeric_strings = st.sampled_from(NUMERIC_STRINGS)


def scalars() -> st.SearchStrategy[Any]:
    """JSON scalars of every type, numbers of every size, and strings that look like numbers."""
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(),
        numeric_strings,
        st.text(max_size=6),
    )


def any_values() -> st.SearchStrategy[Any]:
    """Scalars, lists, tuples, objects and local paths: anything a user might pass."""
    return st.one_of(
        scalars(),
        st.lists(st.integers(0, 3), max_size=3),
        st.tuples(st.text(max_size=3), st.integers(0, 2)),
        st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
        st.builds(PurePosixPath, st.sampled_from(["a.png", "dir/b.safetensors"])),
    )


# -- catalogs ---------------------------------------------------------------------------------------


@st.composite
def _int_spec(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    opts: dict[str, Any] = {}
    big = draw(st.booleans())
    span = 2**64 if big else 1000
    low = draw(st.none() | st.integers(-span, span))
    high = draw(st.none() | st.integers(low if low is not None else -span, span + 5))
    if low is not None:
        opts["min"] = low
    if high is not None:
        opts["max"] = high
    if draw(st.booleans()):
        opts["default"] = draw(
            st.integers(low if low is not None else -span, high if high is not None else span)
        )
    if draw(st.booleans()):
        opts["step"] = draw(st.integers(1, 64))
    return "INT", opts


@st.composite
def _float_spec(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    opts: dict[str, Any] = {}
    finite = st.floats(-1e6, 1e6, allow_nan=False)
    low = draw(st.none() | finite)
    high = draw(st.none() | st.floats(low if low is not None else -1e6, 2e6))
    if low is not None:
        opts["min"] = low
    if high is not None:
        opts["max"] = high
    if draw(st.booleans()):
        bounded = st.floats(
            low if low is not None else -1e6, high if high is not None else 2e6, allow_nan=False
        )
        # Integral defaults (1.0) go out as ints, as the JavaScript editor sends them.
        opts["default"] = draw(
            bounded
            | bounded.map(lambda v: float(math.floor(v))).filter(
                lambda v: (low is None or v >= low) and (high is None or v <= high)
            )
        )
    if draw(st.booleans()):
        opts["step"] = 0.01
        opts["round"] = draw(st.sampled_from([0.001, False]))
    return "FLOAT", opts


_choices = st.lists(st.one_of(st.text(max_size=8), st.integers(-3, 3)), unique=True, max_size=5)


@st.composite
def input_spec(draw: st.DrawFn) -> list[Any]:
    """One input spec in any of the three forms the server uses."""
    kind = draw(st.sampled_from(["INT", "FLOAT", "STRING", "BOOLEAN", "LEGACY", "COMBO", "LINK"]))
    opts: dict[str, Any]
    first: Any
    if kind == "INT":
        first, opts = draw(_int_spec())
    elif kind == "FLOAT":
        first, opts = draw(_float_spec())
    elif kind == "STRING":
        first, opts = "STRING", {}
        if draw(st.booleans()):
            opts["default"] = draw(st.text(max_size=8))
        if draw(st.booleans()):
            opts["multiline"] = True
    elif kind == "BOOLEAN":
        first, opts = "BOOLEAN", {}
        if draw(st.booleans()):
            opts["default"] = draw(st.booleans())
    elif kind in ("LEGACY", "COMBO"):
        choices = draw(_choices)
        first = choices if kind == "LEGACY" else "COMBO"
        opts = {} if kind == "LEGACY" else {"options": choices, "multiselect": False}
        if choices and draw(st.booleans()):
            opts["default"] = draw(st.sampled_from(choices))
        if draw(st.integers(0, 4)) == 0:
            opts["image_upload"] = True
    else:
        first, opts = draw(st.sampled_from(INPUT_LINK_TYPES)), {}
    if kind in ("INT", "FLOAT", "STRING", "BOOLEAN") and draw(st.integers(0, 4)) == 0:
        opts["forceInput"] = True
    if opts or draw(st.booleans()):
        return [first, opts]
    return [first]


@st.composite
def node_definition(draw: st.DrawFn, class_name: str) -> dict[str, Any]:
    """One class of ``/object_info``: inputs of every kind, outputs with odd names."""
    names = draw(st.lists(input_names, unique=True, max_size=7))
    hidden = draw(
        st.lists(
            st.sampled_from(sorted(HIDDEN_INPUTS)).filter(lambda n: n not in names),
            unique=True,
            max_size=2,
        )
    )
    split = draw(st.integers(0, len(names)))
    required = {n: draw(input_spec()) for n in names[:split]}
    optional = {n: draw(input_spec()) for n in names[split:]}
    sections: dict[str, Any] = {"required": required}
    order: dict[str, Any] = {"required": draw(st.permutations(list(required)))}
    if optional or draw(st.booleans()):
        sections["optional"] = optional
        order["optional"] = draw(st.permutations(list(optional)))
    if hidden:
        sections["hidden"] = {n: HIDDEN_INPUTS[n] for n in hidden}
        order["hidden"] = list(hidden)
    out_types = draw(st.lists(st.sampled_from(OUTPUT_TYPES), max_size=4))
    out_names = [draw(st.sampled_from(OUTPUT_NAMES) | st.just(t)) for t in out_types]
    definition: dict[str, Any] = {"input": sections}
    if draw(st.integers(0, 4)) > 0:  # most servers send input_order; old ones did not
        definition["input_order"] = order
    definition.update(
        {
            "output": out_types,
            "output_is_list": [draw(st.booleans()) for _ in out_types],
            "output_name": out_names,
            "name": class_name,
            "display_name": draw(st.none() | st.just(class_name + " node")),
            "python_module": "custom_nodes.test",
            "category": "test",
            "output_node": draw(st.booleans()),
        }
    )
    return definition


@st.composite
def object_infos(draw: st.DrawFn, max_classes: int = 5) -> dict[str, Any]:
    """A random ``GET /object_info`` answer: class name -> definition."""
    names = draw(st.lists(class_names, unique=True, min_size=1, max_size=max_classes))
    return {name: draw(node_definition(name)) for name in names}


# -- hostile catalogs (for the code generator) ------------------------------------------------------

#: Names that are words of Python: keywords, soft keywords, builtins the stub uses, the names a
#: class body or a module reserves (dunders), and the control keywords of node calls.
PYTHON_WORDS = (
    *keyword.kwlist,
    *keyword.softkwlist,
    "self",
    "_self",
    "title",
    "id",
    "extra_inputs",
    "int",
    "str",
    "property",
    "object",
    "NodeClass",
    "node_class",
    "_Output",
    "_Node",
    "_Any",
    "_Literal",
    "__debug__",
    "__qualname__",
    "__classcell__",
    "__class__",
    "__module__",
    "__dict__",
    "__slots__",
    "__init_subclass__",
    "__annotations__",
    "__getattr__",
    "__all__",
    "__builtins__",
    "__x",
    "__",
    "___",
    "_",
)
#: Pairs and singles that Python reads alike after NFKC normalisation (``ﬁx`` is ``fix``), and
#: characters that are valid in identifiers only after it, or normalise to keywords.
NFKC_NAMES = (
    "fix",
    "ﬁx",
    "ﬁ",
    "fi",
    "ｆｏｒ",
    "𝐢𝐟",
    "ℌ",
    "H",
    "ªb",
    "x\u2118",
    "ｓｅｌｆ",
    "ｔｉｔｌｅ",
    "_\u0332",
    "\u00c5",
    "A\u030a",
    "\u00b7x",
    "x\u00b7",
    "\u212b",
)
#: Characters that end a line (everything ``str.splitlines`` splits on) or a string.
LINE_BREAKS = (
    "\n",
    "\r",
    "\r\n",
    "\x0b",
    "\x0c",
    "\x1c",
    "\x1d",
    "\x1e",
    "\x85",
    "\u2028",
    "\u2029",
)
QUOTES = ('"', "'", '"""', "'''", '\\"""', '""""', "\\", "\\\\", '"\\')
#: Text that means something to jinja, to a comment, to an encoding declaration, to a shell.
SYNTAX = (
    "#",
    "{{ 7 * 7 }}",
    "{% raw %}",
    "{#",
    "#}",
    "{%- if x %}",
    " coding: utf-7 ",
    "# -*- coding: latin-1 -*-",
    "+AAo-",
    "$(true)",
    "`x`",
    "\x00",
    "\ud800",
    "\u202e",
    "\ufeff",
    "\t",
    "é",
    "名前",
    "🙂",
)


@functools.lru_cache(maxsize=8)
def hostile_texts(canary: str) -> st.SearchStrategy[str]:
    """Text a catalog or a command line could carry to break out of where it is written.

    Mixes the words above, quotes, line breaks, jinja and comment syntax, and ``canary``: a line
    of Python that must never run, put where a break-out would make it code (after a line break,
    a closing quote or triple quote, a comment). Long names too.
    """
    piece = st.one_of(
        st.sampled_from(PYTHON_WORDS),
        st.sampled_from(NFKC_NAMES),
        st.sampled_from(LINE_BREAKS),
        st.sampled_from(QUOTES),
        st.sampled_from(SYNTAX),
        st.just(canary),
        st.text(max_size=4),
        identifiers,
    )
    escape = st.builds(
        lambda start, br: start + br + canary + br,
        st.sampled_from(("", "x", '"', '"""', "'''", "\\", ")", "]", "#")),
        st.sampled_from(LINE_BREAKS),
    )
    return st.one_of(
        st.sampled_from(PYTHON_WORDS),
        st.sampled_from(NFKC_NAMES),
        escape,
        st.lists(piece, min_size=1, max_size=5).map("".join),
        st.builds(lambda n: "a" * n, st.integers(200, 1200)),
    )


@functools.lru_cache(maxsize=8)
def hostile_names(canary: str) -> st.SearchStrategy[str]:
    """Names of classes, inputs and outputs: mostly the hostile ones, some plain identifiers."""
    return st.one_of(hostile_texts(canary), identifiers, st.sampled_from(NFKC_NAMES))


@functools.lru_cache(maxsize=8)
def json_values(canary: str) -> st.SearchStrategy[Any]:
    """Every JSON type, nested, with hostile strings (and NaN and infinities, which json reads)."""
    return _json_trees(hostile_texts(canary), st.floats())


def _json_trees(texts: st.SearchStrategy[str], floats: st.SearchStrategy[float]) -> Any:
    leaves = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), floats, texts)
    return st.recursive(
        leaves,
        lambda inner: st.one_of(
            st.lists(inner, max_size=3), st.dictionaries(texts, inner, max_size=3)
        ),
        max_leaves=5,
    )


def _prompt_text(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@functools.lru_cache(maxsize=8)
def prompt_texts(canary: str) -> st.SearchStrategy[str]:
    """Hostile text (see ``hostile_texts``) that a prompt can carry: no lone surrogates."""
    return hostile_texts(canary).filter(_prompt_text)


@functools.lru_cache(maxsize=8)
def template_values(canary: str) -> st.SearchStrategy[Any]:
    """Template variables of every JSON type, nested, with hostile strings, finite numbers."""
    return _json_trees(prompt_texts(canary), st.floats(allow_nan=False, allow_infinity=False))


#: Pieces of Python around a template's value: whole values, strings, comments, numbers and
#: names to glue to, brackets, operators.
_SNIPPET_PIECES = (
    "{{ v }}",
    " {{ v }} ",
    "({{ v }})",
    "[{{ v }}, {{ v }}]",
    '"a{{ v }}b"',
    "'{{ v }}'",
    '"""{{ v }}"""',
    'f"{{ v }}"',
    "# {{ v }}",
    "1{{ v }}",
    "{{ v }}1",
    "a{{ v }}",
    ".{{ v }}",
    "{{ v }}.real",
    "-",
    "+",
    "*",
    ",",
    "(",
    ")",
    "1",
    "a",
    "'",
    '"',
    "#",
    "\\",
    " ",
)


@st.composite
def template_snippets(draw: st.DrawFn) -> str:
    """A small ``.py.j2`` template: assignments to ``r0``, ``r1``... of expressions made of the
    pieces above, valid Python or not, with the value ``v`` in every kind of place."""
    lines = ["a = 2\n"]
    for number in range(draw(st.integers(1, 4))):
        pieces = draw(st.lists(st.sampled_from(_SNIPPET_PIECES), min_size=1, max_size=4))
        lines.append(f"r{number} = {''.join(pieces)}\n")
    return "".join(lines)


def sweep_values() -> st.SearchStrategy[Any]:
    """Values a sweep parameter takes: words that names keep as they are, and values they do not
    (text with spaces, capitals, commas, slashes; numbers written as text; lists)."""
    return st.one_of(
        st.integers(-(10**45), 10**45),
        st.floats(allow_nan=False, allow_infinity=False),
        st.booleans(),
        st.none(),
        st.from_regex(r"[a-z0-9][a-z0-9._+-]{0,8}", fullmatch=True),
        st.text(max_size=12).filter(_prompt_text),
        st.sampled_from(("1", "1.5", "true", "null", "Cat", "cat", "a,b", "a=b", "../x", "x.")),
        st.lists(st.integers(0, 9), max_size=3),
    )


@st.composite
def hostile_input_spec(draw: st.DrawFn, canary: str, widgets: bool = True) -> list[Any]:
    """One input spec of any form, with hostile defaults, choices, tooltips and pack widgets."""
    text = hostile_texts(canary)
    kind = draw(st.sampled_from(["INT", "FLOAT", "STRING", "BOOLEAN", "LEGACY", "COMBO", "LINK"]))
    opts: dict[str, Any] = {}
    first: Any = kind
    if kind in ("LEGACY", "COMBO"):
        # Choices are scalars: a catalog with lists or objects among them is refused when loaded.
        scalar = text | st.integers() | st.floats(allow_nan=False) | st.booleans() | st.none()
        choices = draw(st.lists(scalar, max_size=5))
        first = choices if kind == "LEGACY" else "COMBO"
        if kind == "COMBO":
            opts["options"] = choices
        if widgets and draw(st.booleans()):
            # Pack widgets (VideoHelperSuite's "formats"): choice -> extra widgets.
            opts["formats"] = draw(
                st.dictionaries(
                    text,
                    st.lists(
                        st.tuples(hostile_names(canary), hostile_input_spec(canary, False)).map(
                            lambda pair: [pair[0], *pair[1]]
                        ),
                        max_size=3,
                    ),
                    max_size=2,
                )
            )
    elif kind == "LINK":
        # Not empty: a catalog with a type of no name is refused when loaded.
        first = draw(text.filter(bool) | st.sampled_from(INPUT_LINK_TYPES))
    if draw(st.integers(0, 2)) == 0:
        opts["default"] = draw(json_values(canary))
    for key in ("min", "max", "step"):
        if draw(st.integers(0, 2)) == 0:
            # Numbers: a catalog whose bounds are not is refused when loaded.
            opts[key] = draw(st.integers(-(2**70), 2**70) | st.floats(allow_nan=False))
    if draw(st.booleans()):
        opts["tooltip"] = draw(text)
    if draw(st.integers(0, 4)) == 0:
        opts["image_upload"] = True
    if draw(st.integers(0, 4)) == 0:
        opts["multiline"] = True
    return [first, opts] if opts or draw(st.booleans()) else [first]


@st.composite
def hostile_definition(draw: st.DrawFn, canary: str) -> dict[str, Any]:
    """One class of ``/object_info`` whose every text and value is hostile."""
    text = hostile_texts(canary)
    names = draw(st.lists(hostile_names(canary), unique=True, max_size=6))
    split = draw(st.integers(0, len(names)))
    sections = {
        "required": {n: draw(hostile_input_spec(canary)) for n in names[:split]},
        "optional": {n: draw(hostile_input_spec(canary)) for n in names[split:]},
    }
    # A list of choices is a legacy combo output (it fits only a combo input of the same list).
    choices = st.lists(text | st.integers() | st.booleans() | st.none(), max_size=3)
    out_types = draw(st.lists(text | st.sampled_from(OUTPUT_TYPES) | choices, max_size=5))
    return {
        "input": sections,
        "output": out_types,
        "output_name": [draw(hostile_names(canary)) for _ in out_types],
        "output_is_list": [draw(st.booleans()) for _ in out_types],
        "output_tooltips": [draw(text) for _ in out_types],
        # Texts (or a null display name): a catalog with other types there is refused at load.
        "display_name": draw(text | st.none()),
        "category": draw(text),
        "description": draw(text),
        "output_node": draw(st.booleans()),
        "deprecated": draw(st.booleans()),
    }


@st.composite
def hostile_object_infos(draw: st.DrawFn, canary: str, max_classes: int = 3) -> dict[str, Any]:
    """A ``GET /object_info`` answer made to break a code generator (see hostile_texts)."""
    # Class names are not empty: a catalog with an empty one is refused when loaded.
    names = draw(
        st.lists(hostile_names(canary).filter(bool), unique=True, min_size=1, max_size=max_classes)
    )
    return {name: draw(hostile_definition(canary)) for name in names}


# -- reading specs (independently of comfydsl) ------------------------------------------------------


@dataclass(frozen=True)
class SpecInfo:
    """What this module needs to know of an input spec to make a valid value for it."""

    name: str
    kind: str  # INT FLOAT STRING BOOLEAN COMBO LINK
    link_type: str  # the type a link must fit ("" for combos)
    options: dict[str, Any]
    choices: tuple[Any, ...] | None  # None: not known here, any file name goes
    required: bool

    @property
    def widget(self) -> bool:
        return self.kind not in ("LINK",) and not self.options.get("forceInput")

    @property
    def has_default(self) -> bool:
        if "default" in self.options:
            return True
        return self.kind == "COMBO" and bool(self.choices)


def spec_infos(definition: dict[str, Any], files_known: bool) -> list[SpecInfo]:
    """Every declared (not hidden) input of a class, required first."""
    infos = []
    for section in ("required", "optional"):
        for name, raw in (definition["input"].get(section) or {}).items():
            first = raw[0]
            opts = raw[1] if len(raw) > 1 else {}
            choices: tuple[Any, ...] | None = None
            if isinstance(first, list) or first == "COMBO":
                kind, link_type = "COMBO", ""
                listed = tuple(first if isinstance(first, list) else opts.get("options", []))
                unknown = not files_known and (not listed or opts.get("image_upload"))
                choices = None if unknown else listed
            elif first in ("INT", "FLOAT", "STRING", "BOOLEAN"):
                kind, link_type = first, first
            else:
                kind, link_type = "LINK", first
            infos.append(SpecInfo(name, kind, link_type, opts, choices, section == "required"))
    return infos


def type_fits(output_type: Any, input_type: str) -> bool:
    """The server's rule: ``*`` fits all; otherwise the comma-separated sets must share a type."""
    if output_type == "*" or input_type == "*":
        return True
    if not isinstance(output_type, str):
        return False
    return not set(output_type.split(",")).isdisjoint(input_type.split(","))


# -- valid workflows --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ref:
    """A link to output ``output`` of the node made by step ``step``.

    ``how``: "index" (``node[i]``), "attr" (``node.out.<attr>``), "node" (the node itself, for a
    single-output node), "unpack" (``a, b = node``).
    """

    step: int
    output: int
    how: str = "index"


@dataclass
class Step:
    """One node call of a plan."""

    class_type: str
    typed: bool
    values: dict[str, Any]  # input name -> literal or Ref
    positional: int = 0  # how many leading inputs to pass positionally
    use_aliases: bool = False  # pass inputs by their Python name when it differs
    extra: dict[str, Any] | None = None
    title: str | None = None
    node_id: str | int | None = None


@dataclass
class Plan:
    """A valid workflow over ``object_info``, as data."""

    object_info: dict[str, Any]
    files_known: bool
    steps: list[Step] = field(default_factory=list)

    def catalog(self) -> Catalog:
        return Catalog.from_object_info(self.object_info, files_known=self.files_known)


def _int_forms(value: int) -> st.SearchStrategy[Any]:
    forms = [st.just(value), st.just(f" {value} "), st.just(str(value))]
    if abs(value) < 2**50:
        # int(v) truncates toward zero: keep the fraction on the side that truncates back.
        forms.append(st.just(value + 0.25 if value >= 0 else value - 0.25))
    if value in (0, 1):
        forms.append(st.just(bool(value)))
    return st.one_of(forms)


def valid_literal(info: SpecInfo) -> st.SearchStrategy[Any]:
    """Literals the server accepts for this input (in any of the forms it converts)."""
    low, high = info.options.get("min"), info.options.get("max")
    if info.kind in ("INT", "FLOAT"):
        span = 2**40 if info.kind == "INT" else 1e9
        lo = low if low is not None else (high if high is not None else 0) - span
        hi = high if high is not None else lo + 2 * span
    if info.kind == "INT":
        return st.integers(lo, hi).flatmap(_int_forms)
    if info.kind == "FLOAT":
        number = st.floats(lo, hi, allow_nan=False)
        return st.one_of(
            number,
            number.map(repr),
            st.just("nan"),
            number.map(math.floor).filter(lambda v: lo <= v <= hi),
        )
    if info.kind == "STRING":
        return st.one_of(
            st.text(max_size=10),
            st.integers(),
            st.floats(allow_nan=False),
            st.none(),
            st.booleans(),
        )
    if info.kind == "BOOLEAN":
        return st.one_of(st.booleans(), st.integers(-2, 2), st.text(max_size=4), st.none())
    if info.kind == "COMBO":
        if info.choices is None:
            return file_names()
        return st.sampled_from(info.choices) if info.choices else st.nothing()
    return st.nothing()


def file_names() -> st.SearchStrategy[str]:
    """Names of a file in the server's input folder: no folder part, not ``.`` or ``..``, not
    empty (the server takes those, then fails reading them; comfydsl refuses them)."""
    return st.text(max_size=10).filter(
        lambda name: name not in ("", ".", "..") and not set(name) & set("/\\:")
    )


def _outputs_fitting(steps: list[Step], object_info: dict[str, Any], info: SpecInfo) -> list[Ref]:
    refs = []
    untyped = []
    for index, step in enumerate(steps):
        if not step.typed:
            # Untyped nodes' outputs have no type here: comfydsl cannot check them. Used only
            # when no typed output fits, so that most links are between typed nodes.
            untyped.append(Ref(index, 0))
            continue
        types = object_info[step.class_type]["output"]
        for out, out_type in enumerate(types):
            combo = info.kind == "COMBO"
            if (out_type == "*") if combo else type_fits(out_type, info.link_type):
                refs.append(Ref(index, out, "node" if len(types) == 1 else "index"))
    return refs or untyped


@st.composite
def _value_for(
    draw: st.DrawFn, steps: list[Step], object_info: dict[str, Any], info: SpecInfo
) -> Any:
    refs = _outputs_fitting(steps, object_info, info)
    literal_ok = info.kind != "LINK" and not (info.kind == "COMBO" and info.choices == ())
    if refs and (not literal_ok or draw(st.integers(0, 3)) == 0):
        ref = draw(st.sampled_from(refs))
        how = ref.how
        if not steps[ref.step].typed:
            how = "index"  # an untyped node's outputs have no names and cannot be unpacked
        elif how == "index":
            how = draw(st.sampled_from(["index", "attr", "unpack"]))
        else:
            how = draw(st.sampled_from(["node", "index", "attr"]))
        return Ref(ref.step, ref.output, how)
    if not literal_ok:
        raise _Unbuildable
    return draw(valid_literal(info))


class _Unbuildable(Exception):
    pass


@st.composite
def _typed_step(draw: st.DrawFn, plan: Plan, class_type: str, used_ids: set[Any]) -> Step | None:
    definition = plan.object_info[class_type]
    values: dict[str, Any] = {}
    try:
        for info in spec_infos(definition, plan.files_known):
            needed = info.required and not (info.widget and info.has_default)
            if needed or draw(st.integers(0, 2)) == 0:
                values[info.name] = draw(_value_for(plan.steps, plan.object_info, info))
    except _Unbuildable:
        return None
    declared = (
        set(definition["input"].get("required") or {})
        | set(definition["input"].get("optional") or {})
        | set(definition["input"].get("hidden") or {})
    )
    extra = None
    if draw(st.integers(0, 4)) == 0:
        extra = draw(
            st.dictionaries(
                st.sampled_from(["choose file to upload", "format_extra", "x.y"]).filter(
                    lambda n: n not in declared
                ),
                st.one_of(st.text(max_size=5), st.integers()),
                max_size=2,
            )
        )
    return Step(
        class_type,
        True,
        values,
        positional=draw(st.integers(0, 3)),
        use_aliases=draw(st.booleans()),
        extra=extra or None,
        title=draw(st.none() | titles) if "title" not in declared else None,
        node_id=_draw_id(draw, used_ids) if "id" not in declared else None,
    )


def _draw_id(draw: st.DrawFn, used_ids: set[Any]) -> Any:
    if draw(st.integers(0, 3)) > 0:
        return None
    free = [i for i in EXPLICIT_IDS if str(i) not in used_ids]
    if not free:
        return None
    chosen = draw(st.sampled_from(free))
    used_ids.add(str(chosen))
    return chosen


@st.composite
def _untyped_step(draw: st.DrawFn, plan: Plan, used_ids: set[Any]) -> Step:
    class_type = draw(
        st.sampled_from(["VHS_VideoCombine", "Some Custom Node", "Note"]).filter(
            lambda c: c not in plan.object_info
        )
    )
    names = draw(
        st.lists(input_names.filter(lambda n: n not in CONTROL_NAMES), unique=True, max_size=3)
    )
    values: dict[str, Any] = {}
    for name in names:
        if plan.steps and draw(st.booleans()):
            step = draw(st.integers(0, len(plan.steps) - 1))
            upstream = plan.steps[step]
            count = len(plan.object_info[upstream.class_type]["output"]) if upstream.typed else 3
            if count:
                values[name] = Ref(step, draw(st.integers(0, count - 1)), "index")
                continue
        values[name] = draw(st.one_of(st.text(max_size=5), st.integers(), st.booleans()))
    return Step(
        class_type,
        False,
        values,
        title=draw(st.none() | titles),
        node_id=_draw_id(draw, used_ids),
    )


@st.composite
def valid_plans(
    draw: st.DrawFn, object_info: dict[str, Any] | None = None, max_nodes: int = 8
) -> Plan:
    """A random valid workflow over ``object_info`` (random when not given)."""
    if object_info is None:
        object_info = draw(object_infos())
    plan = Plan(object_info, draw(st.booleans()))
    used_ids: set[Any] = set()
    classes = sorted(object_info)
    for _ in range(draw(st.integers(1, max_nodes))):
        step = None
        if draw(st.integers(0, 6)) > 0:
            for class_type in draw(st.permutations(classes)):
                step = draw(_typed_step(plan, class_type, used_ids))
                if step is not None:
                    break
        if step is None:
            step = draw(_untyped_step(plan, used_ids))
        plan.steps.append(step)
    return plan


def _resolve(value: Any, nodes: list[Node]) -> Any:
    if not isinstance(value, Ref):
        return value
    node = nodes[value.step]
    if value.how == "node":
        return node
    if value.how == "attr":
        attr = node.definition.outputs[value.output].attr
        # Node's own attributes (id, title, set...) hide outputs of that name: node.out has them all.
        # (And "__", the attribute of an output named "*" or "_", is refused by node.__getattr__:
        # see test_nodes.py::test_an_output_named_star_is_reachable_as_an_attribute.)
        hidden = hasattr(Node, attr) or (attr.startswith("__") and attr.endswith("__"))
        return getattr(node.out, attr) if hidden else getattr(node, attr)
    if value.how == "unpack":
        return list(node)[value.output]
    return node[value.output]


def build(plan: Plan, workflow: Workflow | None = None) -> tuple[Workflow, list[Node]]:
    """Make the plan's nodes with the typed calls, in a new workflow (or ``workflow``)."""
    target = workflow if workflow is not None else Workflow()
    with use_catalog(plan.catalog(), merge=False), target as wf:
        nodes: list[Node] = []
        for step in plan.steps:
            nodes.append(_build_step(step, nodes))
    return wf, nodes


def _build_step(step: Step, nodes: list[Node]) -> Node:
    values = {name: _resolve(value, nodes) for name, value in step.values.items()}
    control: dict[str, Any] = {}
    if step.title is not None:
        control["title"] = step.title
    if step.node_id is not None:
        control["id"] = step.node_id
    if not step.typed:
        return Node(step.class_type, **values, **control)
    cls = node_class(step.class_type)
    definition = cls.definition
    args = []
    for name in definition.positional[: step.positional]:
        if name not in values:
            break
        args.append(values.pop(name))
    kwargs: dict[str, Any] = {}
    for name, value in values.items():
        alias = python_name(name)
        use = (
            alias
            if step.use_aliases and definition.input(alias) is definition.inputs[name]
            else name
        )
        kwargs[use] = value
    if step.extra:
        control["extra_inputs"] = step.extra
    return cls(*args, **kwargs, **control)


# -- random (mostly invalid) calls ------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """One call with random values: a new node (``target`` None) or ``nodes[target].set(...)``."""

    class_type: str
    values: dict[str, Any]  # name as passed -> value (a Ref stays a Ref; ("node", i) is a node)
    positional: int = 0
    target: int | None = None


def _hostile_values() -> st.SearchStrategy[Any]:
    """Values that broke readers and checkers before: too deep, containing themselves, too long
    to write, not UTF-8, keys JSON cannot hold (see ODD_VALUES)."""
    loop: list[Any] = ["loop"]
    loop.append(loop)
    return st.sampled_from(
        [_nested(65), _nested(5000), loop, {"k": loop}, {"k\udc80": 1}, {1: 2}, *ODD_VALUES]
    )


def _random_value(step_count: int) -> st.SearchStrategy[Any]:
    options = [any_values(), _hostile_values()]
    if step_count:
        index = st.integers(0, step_count - 1)
        options.append(st.builds(Ref, index, st.integers(-2, 5), st.just("raw")))
        options.append(st.builds(Ref, index, st.just(0), st.just("node")))
    return st.one_of(options)


@st.composite
def random_calls(draw: st.DrawFn, object_info: dict[str, Any], max_calls: int = 6) -> list[Call]:
    """Well-shaped calls (no duplicate or surplus arguments) with random, often invalid, values."""
    classes = sorted(object_info)
    calls: list[Call] = []
    made = 0
    for _ in range(draw(st.integers(1, max_calls))):
        class_type = draw(st.sampled_from(classes))
        definition = object_info[class_type]
        declared = [
            *(definition["input"].get("required") or {}),
            *(definition["input"].get("optional") or {}),
        ]
        hidden = list(definition["input"].get("hidden") or {})
        known_names = set(declared) | {python_name(n) for n in declared} | CONTROL_NAMES
        chosen = draw(st.lists(st.sampled_from(declared), unique=True) if declared else st.just([]))
        values: dict[str, Any] = {}
        for name in chosen:
            alias = python_name(name)
            key = alias if draw(st.booleans()) and alias not in declared else name
            values[key] = draw(_random_value(made))
        strangers = draw(
            st.lists(
                st.one_of(input_names, st.sampled_from(hidden) if hidden else st.nothing()).filter(
                    lambda n, known=known_names, hidden=hidden: n not in known or n in hidden
                ),
                unique=True,
                max_size=2,
            )
        )
        for name in strangers:
            if name not in values:
                values[name] = draw(_random_value(made))
        target = None
        if made and draw(st.integers(0, 3)) == 0:
            target = draw(st.integers(0, made - 1))
        calls.append(
            Call(class_type, values, 0 if target is not None else draw(st.integers(0, 2)), target)
        )
        if target is None:
            made += 1
    return calls


def run_calls(
    object_info: dict[str, Any], calls: list[Call], files_known: bool
) -> tuple[Workflow, list[Exception]]:
    """Make the calls in a new workflow; a call that raises a ComfyDSLError is skipped.

    Returns the workflow (the nodes whose call succeeded) and the ComfyDSLErrors raised. Any other
    exception propagates: that is what the property tests look for.
    """
    from comfydsl.errors import ComfyDSLError

    catalog = Catalog.from_object_info(object_info, files_known=files_known)
    nodes: list[Node | None] = []
    errors: list[Exception] = []
    with use_catalog(catalog, merge=False), Workflow() as wf:
        for call in calls:
            try:
                values = {k: _resolve_random(v, nodes) for k, v in call.values.items()}
            except LookupError:
                values = None
            node: Node | None = None
            if values is not None:
                try:
                    if call.target is not None:
                        target = nodes[call.target]
                        if target is not None:
                            target.set(**values)
                    else:
                        node = _call_random(call, values)
                except ComfyDSLError as error:
                    errors.append(error)
            if call.target is None:
                nodes.append(node)
    return wf, errors


def _resolve_random(value: Any, nodes: list[Node | None]) -> Any:
    if not isinstance(value, Ref):
        return value
    node = nodes[value.step]
    if node is None:
        raise LookupError("that call failed")
    if value.how == "node":
        return node
    return Output(node, value.output)


def _call_random(call: Call, values: dict[str, Any]) -> Node:
    cls = node_class(call.class_type)
    args = []
    for name in cls.definition.positional[: call.positional]:
        if name not in values:
            break
        args.append(values.pop(name))
    return cls(*args, **values)


def is_keyword(name: str) -> bool:
    """Whether ``name`` is a Python keyword (hard or soft)."""
    return keyword.iskeyword(name) or keyword.issoftkeyword(name)


# -- mutations of real prompts (fuzzing) -------------------------------------------------------------

#: How many examples each fuzz test runs: a few hundred in CI, as many as asked for long runs
#: (``COMFYDSL_FUZZ_EXAMPLES=100000``).
FUZZ_EXAMPLES = int(__import__("os").environ.get("COMFYDSL_FUZZ_EXAMPLES", "200"))

#: Values a mutation puts somewhere in a prompt: every JSON type, links of every wrong shape,
#: what Python can hold and JSON cannot, and the values that broke readers before.
ODD_VALUES: tuple[Any, ...] = (
    None,
    True,
    0,
    -1,
    1.5,
    math.nan,
    math.inf,
    10**5000,
    "",
    "x",
    "bad \udc80 surrogate",
    "\x00",
    [],
    {},
    ["1", 0],
    [1, 0],
    [None, 0],
    ["2", "0"],
    ["2", 1.5],
    ["999", 0],
    [["1", 0], 0],
    ["1", 0, 0],
    {"__value__": [1, 2]},
    {"__value__": 5},
    {"inputs": {}, "class_type": "X"},
    {1: "int key"},
    (1, 2),
)


def _nested(depth: int) -> Any:
    value: Any = "deep"
    for _ in range(depth):
        value = [value]
    return value


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The paths to the values inside ``value`` (dict keys and list indexes), to depth 6: a
    mutation may have put a deep or self-containing value in."""
    found = [prefix]
    if len(prefix) >= 6:
        return found
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def _replaced(value: Any, path: tuple[Any, ...], new: Any, delete: bool) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        copy = dict(value)
        if delete and not rest:
            copy.pop(head, None)
        elif not rest:
            copy[head] = new
        else:
            copy[head] = _replaced(value[head], rest, new, delete)
        return copy
    copy_list = list(value)
    if delete and not rest:
        del copy_list[head]
    else:
        copy_list[head] = _replaced(value[head], rest, new, delete)
    return copy_list


@st.composite
def mutated_prompts(draw: st.DrawFn, prompts: list[dict[str, Any]]) -> Any:
    """A real prompt with one to three things changed: a value replaced (by one of ODD_VALUES,
    a deep nesting, a self-containing list, another part of the prompt), a key deleted or
    added, a node duplicated under an odd id."""
    prompt: Any = draw(st.sampled_from(prompts))
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(prompt)
        path = draw(st.sampled_from(paths))
        how = draw(
            st.sampled_from(["replace", "replace", "delete", "add", "deep", "loop", "graft"])
        )
        if how == "delete" and path:
            prompt = _replaced(prompt, path, None, delete=True)
        elif how == "add":
            key = draw(
                st.sampled_from(["extra", "is_changed", "_meta", "inputs", "class_type", "1"])
            )
            where = (*path, key) if isinstance(_at(prompt, path), dict) else path
            prompt = _replaced(prompt, where, draw(st.sampled_from(ODD_VALUES)), delete=False)
        elif how == "deep":
            depth = draw(st.sampled_from([63, 64, 65, 2000]))
            prompt = _replaced(prompt, path, _nested(depth), delete=False)
        elif how == "loop":
            loop: list[Any] = ["loop"]
            loop.append(loop)
            prompt = _replaced(prompt, path, loop, delete=False)
        elif how == "graft":
            prompt = _replaced(prompt, path, _at(prompt, draw(st.sampled_from(paths))), False)
        else:
            prompt = _replaced(prompt, path, draw(st.sampled_from(ODD_VALUES)), delete=False)
    return prompt


def _at(value: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        value = value[key]
    return value


@st.composite
def mutated_bytes(draw: st.DrawFn, texts: list[bytes]) -> bytes:
    """A real prompt file's bytes with bytes flipped, cut, doubled or put in."""
    data = bytearray(draw(st.sampled_from(texts)))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        how = draw(st.sampled_from(["flip", "cut", "insert", "double", "truncate"]))
        if how == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif how == "cut":
            del data[at : at + draw(st.integers(1, 20))]
        elif how == "insert":
            data[at:at] = draw(
                st.sampled_from([b"\xff", b"\xed\xa0\x80", b"[" * 3000, b"9" * 5000, b"\x00", b"{"])
            )
        elif how == "double":
            data[at:at] = data[at : at + draw(st.integers(1, 200))]
        else:
            del data[at:]
    return bytes(data)


# -- malformed catalogs -----------------------------------------------------------------------------

#: What a broken definition may hold in place of the right value.
ODD_VALUES: tuple[Any, ...] = (
    None,
    5,
    0,
    -1.5,
    math.nan,
    math.inf,
    True,
    False,
    "x",
    "",
    "COMBO",
    "INT",
    "*",
    {},
    [],
    [None],
    [[]],
    [{}],
    {"": None},
    {"x": []},
)
#: Keys of a definition itself, and keys of its sections and of an input's options: added where
#: they were not (the bundled catalog has no tooltips, for one).
DEFINITION_KEYS = (
    "input",
    "input_order",
    "output",
    "output_name",
    "output_is_list",
    "output_tooltips",
    "output_node",
    "display_name",
    "category",
    "name",
    "description",
    "python_module",
    "deprecated",
    "experimental",
    "api_node",
)
INNER_KEYS = (
    "required",
    "optional",
    "hidden",
    "default",
    "min",
    "max",
    "step",
    "options",
    "forceInput",
    "formats",
    "multiselect",
    "image_upload",
    "tooltip",
)
KNOWN_KEYS = DEFINITION_KEYS + INNER_KEYS


def _odd_values() -> st.SearchStrategy[Any]:
    # Copied: a later change in place must not reach the shared constant (nor the next example).
    return st.sampled_from(ODD_VALUES).map(copy.deepcopy)


def _retyped(value: Any) -> Any:
    """The same content as a value of another JSON type."""
    if isinstance(value, bool):
        return "true" if value else 0
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return [value] if len(value) % 2 else len(value)
    if isinstance(value, list):
        return {str(i): v for i, v in enumerate(value)}
    if isinstance(value, dict):
        return list(value.values()) if len(value) % 2 else list(value.items())
    return 5


@st.composite
def _mutated_value(draw: st.DrawFn, value: Any) -> Any:
    how = draw(st.sampled_from(("odd", "retype", "wrap", "object", "nest", "repeat")))
    if how == "odd":
        return draw(_odd_values())
    if how == "retype":
        return _retyped(value)
    if how == "wrap":
        return [value]
    if how == "object":
        return {draw(st.sampled_from(KNOWN_KEYS)): value}
    if how == "nest":
        for _ in range(draw(st.integers(2, 40))):
            value = [value] if draw(st.booleans()) else {"x": value}
        return value
    return [value, copy.deepcopy(value)]


def _added_values() -> st.SearchStrategy[Any]:
    return st.one_of(_odd_values(), st.lists(_odd_values(), max_size=3))


#: The steps of the walk that finds what to change (hypothesis likes the first choice best).
_STEPS = ("down", "down", "down", "change", "drop", "add")


@st.composite
def _mutate(draw: st.DrawFn, definition: Any) -> Any:
    """One change somewhere in ``definition``: a walk down to a random depth, then a value there
    changed or dropped, or a key (or item) added to the object (or list) it stands in."""
    if draw(st.sampled_from(("walk",) * 19 + ("replace",))) == "replace":
        return draw(_mutated_value(definition))
    parent = definition
    while True:
        keys = list(parent) if isinstance(parent, dict) else list(range(len(parent)))
        inner = [k for k in keys if isinstance(parent[k], (dict, list)) and parent[k]]
        step = draw(st.sampled_from(_STEPS))
        if step == "down" and inner:
            parent = parent[draw(st.sampled_from(inner))]
            continue
        if step == "add" or not keys:
            if isinstance(parent, dict):
                names = DEFINITION_KEYS if parent is definition else INNER_KEYS
                parent[draw(st.sampled_from(names))] = draw(_added_values())
            else:
                parent.append(draw(_added_values()))
            return definition
        key = draw(st.sampled_from(keys))
        if step == "drop":
            del parent[key]
        else:
            parent[key] = draw(_mutated_value(parent[key]))
        return definition


#: Class names that are not names, now and then in place of the real one.
ODD_CLASS_NAMES = ("", 5, None, "KSampler ", "Ω")


@st.composite
def mutated_object_infos(
    draw: st.DrawFn, definitions: Mapping[str, Any], max_classes: int = 3
) -> dict[Any, Any]:
    """An ``/object_info`` of a few real classes, most of them broken (see ``_mutate``); now and
    then a class name is broken too."""
    names = draw(
        st.lists(
            st.sampled_from(sorted(definitions)), min_size=1, max_size=max_classes, unique=True
        )
    )
    result: dict[Any, Any] = {}
    for name in names:
        definition: Any = copy.deepcopy(definitions[name])
        # Mostly one change: a definition broken in one place is the likeliest to load, and
        # loading is where the rest of comfydsl gets to use it.
        for _ in range(draw(st.sampled_from((1, 1, 1, 0, 2, 4)))):
            if isinstance(definition, (dict, list)):
                definition = draw(_mutate(definition))
        result[draw(st.sampled_from((name,) * 95 + ODD_CLASS_NAMES))] = definition
    return result


# -- prompts to write as scripts (comfydsl import) --------------------------------------------------


def utf8(value: Any) -> Any:
    """``value`` with every lone surrogate in its strings (keys too) made U+FFFD: a prompt holds
    UTF-8 text only, and these strategies make prompts that load."""
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, dict):
        return {utf8(k): utf8(v) for k, v in value.items()}
    if isinstance(value, list):
        return [utf8(v) for v in value]
    return value


def _literal_input(value: Any) -> Any:
    # A bare list of two reads as a link: such a value goes in the editor's wrapper.
    if isinstance(value, list) and len(value) == 2:
        return {"__value__": value}
    return value


@st.composite
def hostile_prompts(
    draw: st.DrawFn, canary: str, object_info: dict[str, Any], max_nodes: int = 6
) -> dict[str, Any]:
    """An API-format prompt made to break a script generator out of its strings.

    Nodes of the classes of ``object_info`` and of classes it does not know (hostile names),
    inputs declared and not (hostile names), values of every JSON type with hostile strings,
    NaN and infinities, the definitions' own defaults and choices, wrapped lists, links to
    earlier nodes' outputs in range and out of it, hostile titles and ids, ``_meta`` with more
    than a title. Every string is UTF-8 (see ``utf8``): a prompt holds nothing else.
    """
    text = hostile_texts(canary)
    prompt: dict[str, Any] = {}
    for _ in range(draw(st.integers(1, max_nodes))):
        node_id = draw(
            st.one_of(st.integers(1, 99).map(str), text).map(utf8).filter(lambda i: i not in prompt)
        )
        known = bool(object_info) and draw(st.integers(0, 3)) > 0
        class_type = (
            draw(st.sampled_from(sorted(object_info)))
            if known
            else draw(hostile_names(canary).filter(lambda n: n not in object_info))
        )
        names: list[str] = []
        if known:
            infos = spec_infos(object_info[class_type], files_known=False)
            names = [info.name for info in infos if draw(st.integers(0, 2)) > 0]
        names += draw(st.lists(hostile_names(canary), max_size=2))
        inputs: dict[str, Any] = {}
        for name in names:
            inputs[utf8(name)] = draw(_prompt_value(canary, object_info, class_type, name, prompt))
        entry: dict[str, Any] = {"inputs": inputs, "class_type": utf8(class_type)}
        meta = draw(st.integers(0, 5))
        if meta < 3:
            entry["_meta"] = {"title": utf8(draw(text))}
        elif meta == 3:
            entry["_meta"] = utf8({"title": draw(text), draw(text): draw(json_values(canary))})
        elif meta == 4:
            entry["_meta"] = draw(st.sampled_from([{}, {"title": 5}, {"title": None}]))
        prompt[node_id] = entry
    return prompt


@st.composite
def _prompt_value(
    draw: st.DrawFn,
    canary: str,
    object_info: dict[str, Any],
    class_type: str,
    name: str,
    prompt: dict[str, Any],
) -> Any:
    how = draw(st.integers(0, 5))
    if how == 0 and prompt:
        source = draw(st.sampled_from(sorted(prompt)))
        outputs = object_info.get(prompt[source]["class_type"], {}).get("output", [])
        return [source, draw(st.integers(-1, len(outputs) + 1))]
    if how == 1 and class_type in object_info:
        info = {i.name: i for i in spec_infos(object_info[class_type], files_known=False)}.get(name)
        if info is not None and "default" in info.options:
            return _literal_input(utf8(info.options["default"]))
        if info is not None and info.choices:
            return _literal_input(utf8(draw(st.sampled_from(info.choices))))
    if how == 2:
        return {"__value__": utf8(draw(st.lists(json_values(canary), max_size=3)))}
    return _literal_input(utf8(draw(json_values(canary))))


# -- graphs to compare (comfydsl.diff) ------------------------------------------------------------

#: Few classes, inputs and values, so that many nodes look alike.
_GRAPH_CLASSES = ("Load", "Mix", "Save")
_GRAPH_INPUTS = ("a", "b", "c")
_GRAPH_VALUES = (0, 1, "x")


@st.composite
def _graph_nodes(
    draw: st.DrawFn, count: int, sources: list[int], first: int
) -> list[tuple[str, dict[str, Any]]]:
    """``count`` nodes, numbered from ``first``, each input a small literal or a link to one of
    ``sources`` or an earlier node of these (as ``("link", node number, output)``)."""
    nodes: list[tuple[str, dict[str, Any]]] = []
    for i in range(count):
        earlier = sources + list(range(first, first + i))
        inputs: dict[str, Any] = {}
        for name in draw(st.lists(st.sampled_from(_GRAPH_INPUTS), unique=True, max_size=3)):
            if earlier and draw(st.booleans()):
                inputs[name] = ("link", draw(st.sampled_from(earlier)), draw(st.integers(0, 1)))
            else:
                inputs[name] = draw(st.sampled_from(_GRAPH_VALUES))
        nodes.append((draw(st.sampled_from(_GRAPH_CLASSES)), inputs))
    return nodes


@st.composite
def graph_prompts(draw: st.DrawFn, max_nodes: int = 10, max_copies: int = 4) -> dict[str, Any]:
    """A random prompt (a DAG) of classes the catalog does not know, with few distinct classes
    and values: often many nodes look alike, and often it is copies of one subgraph hanging off
    shared nodes (the hard cases for matching: repeated subgraphs, symmetric branches)."""
    nodes: list[tuple[str, dict[str, Any]]] = []
    if draw(st.booleans()):
        shared = draw(_graph_nodes(draw(st.integers(0, 2)), [], 0))
        nodes += shared
        motif_size = draw(st.integers(1, max(1, max_nodes // max_copies)))
        motif = draw(_graph_nodes(motif_size, list(range(len(shared))), len(shared)))
        for copy_number in range(draw(st.integers(2, max_copies))):
            offset = copy_number * motif_size
            for class_type, inputs in motif:
                moved = {
                    name: (
                        ("link", v[1] + offset if v[1] >= len(shared) else v[1], v[2])
                        if isinstance(v, tuple)
                        else v
                    )
                    for name, v in inputs.items()
                }
                nodes.append((class_type, moved))
    else:
        nodes = draw(_graph_nodes(draw(st.integers(1, max_nodes)), [], 0))
    return {
        str(i + 1): {
            "inputs": {
                name: ([str(v[1] + 1), v[2]] if isinstance(v, tuple) else v)
                for name, v in inputs.items()
            },
            "class_type": class_type,
        }
        for i, (class_type, inputs) in enumerate(nodes)
    }


@st.composite
def renamed_prompts(draw: st.DrawFn, prompt: dict[str, Any]) -> dict[str, Any]:
    """``prompt`` with its nodes in another order under other ids (links follow)."""
    ids = list(prompt)
    fresh = draw(
        st.lists(
            st.one_of(st.integers(1, 10_000).map(str), st.text(min_size=1, max_size=4).map(utf8)),
            min_size=len(ids),
            max_size=len(ids),
            unique=True,
        )
    )
    renaming = dict(zip(ids, fresh, strict=True))
    order = draw(st.permutations(ids))
    return {renaming[node_id]: relinked(prompt[node_id], renaming) for node_id in order}


def relinked(entry: dict[str, Any], renaming: Mapping[str, str]) -> dict[str, Any]:
    """A node of a prompt with the ids its links name renamed."""
    inputs = {
        name: ([renaming[v[0]], v[1]] if is_link(v) else copy.deepcopy(v))
        for name, v in entry["inputs"].items()
    }
    return {**copy.deepcopy(entry), "inputs": inputs}


def is_link(value: Any) -> bool:
    """Whether a prompt's input value is a link: ``["<id>", <index>]``."""
    return (
        isinstance(value, list)
        and len(value) == 2
        and isinstance(value[0], str)
        and isinstance(value[1], int)
    )


@st.composite
def mutated_graphs(draw: st.DrawFn, prompt: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """``prompt`` with one change, and its kind: ``value`` (one literal input set to another
    value), ``link`` (one link moved to another node's output, no loop made), ``add`` (a new
    node that takes links from others and feeds none) or ``remove`` (a node taken away, with
    the inputs that took links from it)."""
    changed = copy.deepcopy(prompt)
    kinds = ["add", "remove"]
    literal_inputs = [
        (i, n) for i, e in prompt.items() for n, v in e["inputs"].items() if not is_link(v)
    ]
    link_inputs = [(i, n) for i, e in prompt.items() for n, v in e["inputs"].items() if is_link(v)]
    if literal_inputs:
        kinds.append("value")
    if link_inputs:
        kinds.append("link")
    kind = draw(st.sampled_from(kinds))
    if kind == "value":
        node_id, name = draw(st.sampled_from(literal_inputs))
        old = prompt[node_id]["inputs"][name]
        changed[node_id]["inputs"][name] = draw(
            st.sampled_from([v for v in (*_GRAPH_VALUES, 2, "y", 1.0, True) if not _same(v, old)])
        )
    elif kind == "link":
        node_id, name = draw(st.sampled_from(link_inputs))
        below = _downstream(prompt, node_id)
        old = prompt[node_id]["inputs"][name]
        targets = [[s, o] for s in prompt if s not in below for o in (0, 1) if [s, o] != old]
        if not targets:
            return draw(mutated_graphs(prompt))
        changed[node_id]["inputs"][name] = draw(st.sampled_from(targets))
    elif kind == "add":
        new_id = draw(st.text(min_size=1, max_size=3).map(utf8).filter(lambda i: i not in prompt))
        inputs: dict[str, Any] = {}
        for name in draw(st.lists(st.sampled_from(_GRAPH_INPUTS), unique=True, max_size=3)):
            if draw(st.booleans()):
                inputs[name] = [draw(st.sampled_from(sorted(prompt))), draw(st.integers(0, 1))]
            else:
                inputs[name] = draw(st.sampled_from(_GRAPH_VALUES))
        changed[new_id] = {"inputs": inputs, "class_type": draw(st.sampled_from(_GRAPH_CLASSES))}
    else:
        gone = draw(st.sampled_from(sorted(prompt)))
        del changed[gone]
        for entry in changed.values():
            for name in [n for n, v in entry["inputs"].items() if is_link(v) and v[0] == gone]:
                del entry["inputs"][name]
    return changed, kind


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def _downstream(prompt: dict[str, Any], start: str) -> set[str]:
    """``start`` and every node that takes a link from it, directly or not."""
    found = {start}
    grew = True
    while grew:
        grew = False
        for node_id, entry in prompt.items():
            if node_id not in found and any(
                is_link(v) and v[0] in found for v in entry["inputs"].values()
            ):
                found.add(node_id)
                grew = True
    return found


# -- pictures of workflows --------------------------------------------------------------------------

#: Text made to break out of a DOT file, an HTML-like label or an XML document, or to show as
#: something else: quotes, Graphviz's escapes, markup, entities, NUL and other controls, lone
#: surrogates, characters XML forbids, bidirectional overrides, line separators.
DOT_BREAKERS = (
    '"',
    "\\",
    "\\N",
    "\\G",
    "\\E",
    '\\"',
    "\\\\",
    "\\l",
    "\\n",
    "<",
    ">",
    "&",
    "&amp;",
    "&#0;",
    "&#x5c;N",
    "&lt;",
    "]",
    "}",
    ";",
    "->",
    "</TD></TR></TABLE>>]; evil [shape=box]; x [label=<",
    '"]; evil [label="',
    "<BR/>",
    "<!--",
    "]]>",
    "\x00",
    "\x01",
    "\x7f",
    "\x85",
    "\udc80",
    "\ud800",
    "\ufffe",
    "\uffff",
    "\u202e",
    "\u2028",
    "\r\n",
    "\t",
    " ",
    "é",
    "名前",
    "🙂",
    "\U0010fffe",
)
#: Classes of the bundled catalog a picture gives sockets, outputs and colours to.
PICTURE_CLASSES = ("EmptyImage", "ImageInvert", "SaveImage", "KSampler", "CheckpointLoaderSimple")


def picture_texts() -> st.SearchStrategy[str]:
    """Titles, names and values for a picture: the breakers above mixed with any text (lone
    surrogates included), and long runs of one character."""
    anything = st.text(st.characters(exclude_categories=()), max_size=8)
    return st.one_of(
        st.lists(st.one_of(st.sampled_from(DOT_BREAKERS), anything), max_size=6).map("".join),
        anything,
        st.builds(
            lambda char, n: char * n,
            st.sampled_from(("a", '"', "\\", "<", "\x00", "名", "\udc80")),
            st.integers(40, 20_000),
        ),
    )


def picture_values() -> st.SearchStrategy[Any]:
    """Widget values of every JSON type, with hostile strings in them."""
    leaves = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        picture_texts(),
    )
    return st.recursive(
        leaves,
        lambda inner: st.one_of(
            st.lists(inner, max_size=3), st.dictionaries(picture_texts(), inner, max_size=2)
        ),
        max_leaves=4,
    )


@dataclass
class PictureNode:
    """A node of a picture plan: its class, id, title, literal inputs, and links given as
    (input name, index of the node linked from (-1: a node of another workflow), output index)."""

    class_type: str
    node_id: str
    title: str | None
    inputs: dict[str, Any]
    links: list[tuple[str, int, int]]


@dataclass
class PicturePlan:
    """Nodes, and problems as (node position or None, input name or None, detail)."""

    nodes: list[PictureNode]
    problems: list[tuple[int | None, str | None, str]]


@st.composite
def picture_plans(draw: st.DrawFn, max_nodes: int = 5) -> PicturePlan:
    """A workflow with hostile text everywhere a picture shows text, links that go anywhere
    (loops, missing outputs, other workflows' nodes), and problems on any node and input."""
    count = draw(st.integers(1, max_nodes))
    ids = draw(st.lists(picture_texts(), min_size=count, max_size=count, unique=True))
    names = st.one_of(picture_texts(), st.sampled_from(("image", "images", "model", "seed")))
    nodes = []
    for node_id in ids:
        links = draw(
            st.lists(st.tuples(names, st.integers(-1, count - 1), st.integers(-2, 4)), max_size=3)
        )
        nodes.append(
            PictureNode(
                class_type=draw(st.one_of(st.sampled_from(PICTURE_CLASSES), picture_texts())),
                node_id=node_id,
                title=draw(st.one_of(st.none(), picture_texts())),
                inputs=draw(st.dictionaries(names, picture_values(), max_size=4)),
                links=links,
            )
        )
    problems = draw(
        st.lists(
            st.tuples(
                st.one_of(st.none(), st.integers(0, count - 1)),
                st.one_of(st.none(), names),
                picture_texts(),
            ),
            max_size=4,
        )
    )
    return PicturePlan(nodes, problems)


def build_picture(plan: PicturePlan) -> tuple[Workflow, list[Any]]:
    """The workflow and the problems of a picture plan, made through the one path every node is
    made by (as a prompt file's nodes are: inputs as given, links set once all nodes exist)."""
    catalog = active_catalog()
    workflow = Workflow()
    other = Workflow()
    stranger = make_node(other, UntypedNode, "Elsewhere", {}, None, None, "far", None)
    made = []
    for spec in plan.nodes:
        definition = catalog.get(spec.class_type)
        kind = UntypedNode if definition is None else node_type(plan_of(definition))
        meta = None if spec.title is None else {"title": spec.title}
        made.append(
            make_node(
                workflow,
                kind,
                spec.class_type,
                dict(spec.inputs),
                definition,
                meta,
                spec.node_id,
                None,
            )
        )
    for node, spec in zip(made, plan.nodes, strict=True):
        for name, source, index in spec.links:
            if source >= 0 and made[source].definition is not None:
                index %= max(len(made[source].definition.outputs), 1)  # mostly good links
            node.inputs[name] = (stranger if source < 0 else made[source]).output(index)
    problems = [
        NodeError(
            detail,
            class_type=made[at].class_type if at is not None else "Nowhere",
            node_id=made[at].id if at is not None else None,
            input_name=name,
            has_value=False,
        )
        for at, name, detail in plan.problems
    ]
    return workflow, problems


# -- mutated editor workflows -------------------------------------------------------------------

#: What a mutation may put in an editor workflow besides ODD_VALUES: ids and slots that point
#: nowhere or at the subgraph's own input and output nodes, versions, modes, link tables.
WORKFLOW_VALUES: tuple[Any, ...] = (
    -10,
    -20,
    -1,
    99999,
    "7",
    "x:y",
    0.4,
    1,
    2,
    4,
    [1, 1, 0, 2, 0, "IMAGE"],
    [1, 1, 0, 2, 0],
    {"id": 1, "origin_id": 1, "origin_slot": 0, "target_id": 2, "target_slot": 0},
    {"name": "x", "type": "IMAGE", "link": 1},
    {"name": "image", "type": "IMAGE", "widget": {"name": "image"}, "link": 99999},
    {"id": 1, "type": "Reroute", "inputs": [{"name": "", "type": "*", "link": 1}]},
    {"id": 1, "type": "PrimitiveNode", "outputs": [{"name": "INT", "type": "INT", "links": [1]}]},
    {"id": 1, "type": "GetNode", "widgets_values": ["nowhere"]},
    [["-1", "text"], ["3", "seed"], [None]],
)


def _random_path(draw: st.DrawFn, value: Any) -> tuple[Any, ...]:
    """A path into ``value`` found by a random walk: deep places are as likely as shallow ones
    (a workflow's links sit five to seven levels down), and no list of every path is made."""
    path: list[Any] = []
    while draw(st.integers(0, 9)) < 8:
        if isinstance(value, dict) and value:
            key = draw(st.sampled_from(list(value)))
        elif isinstance(value, list) and value:
            key = draw(st.integers(0, len(value) - 1))
        else:
            break
        path.append(key)
        value = value[key]
    return tuple(path)


@st.composite
def mutated_workflows(draw: st.DrawFn, workflows: list[dict[str, Any]]) -> Any:
    """A real editor workflow with one to four things changed: a value replaced (by one of
    ODD_VALUES or WORKFLOW_VALUES, a deep nesting, a self-containing list, another part of the
    workflow), a key deleted or added, a list cut short, a subgraph made to contain itself, a
    node duplicated (its id twice), a link pointed elsewhere."""
    workflow: Any = draw(st.sampled_from(workflows))
    values = st.sampled_from(ODD_VALUES + WORKFLOW_VALUES)
    for _ in range(draw(st.integers(1, 4))):
        path = _random_path(draw, workflow)
        how = draw(
            st.sampled_from(
                ["replace", "replace", "delete", "add", "deep", "loop", "graft", "cut", "special"]
            )
        )
        target = _at(workflow, path)
        if how == "delete" and path:
            workflow = _replaced(workflow, path, None, delete=True)
        elif how == "add" and isinstance(target, dict):
            key = draw(
                st.sampled_from(
                    ["nodes", "links", "version", "definitions", "widgets_values", "mode", "id"]
                )
            )
            workflow = _replaced(workflow, (*path, key), draw(values), delete=False)
        elif how == "deep":
            depth = draw(st.sampled_from([63, 64, 65, 2000]))
            workflow = _replaced(workflow, path, _nested(depth), delete=False)
        elif how == "loop":
            loop: list[Any] = ["loop"]
            loop.append(loop)
            workflow = _replaced(workflow, path, loop, delete=False)
        elif how == "graft":
            graft = _at(workflow, _random_path(draw, workflow))
            workflow = _replaced(workflow, path, graft, delete=False)
        elif how == "cut" and isinstance(target, list) and target:
            workflow = _replaced(
                workflow, path, target[: draw(st.integers(0, len(target) - 1))], False
            )
        elif how == "special" and isinstance(workflow, dict):
            workflow = _special_mutation(draw, workflow)
        else:
            workflow = _replaced(workflow, path, draw(values), delete=False)
    return workflow


class Samples(list):  # type: ignore[type-arg]
    """Workflows to mutate, shown by their number (hypothesis prints a strategy's arguments)."""

    def __repr__(self) -> str:
        return f"<{len(self)} workflows>"


def _special_mutation(draw: st.DrawFn, workflow: dict[str, Any]) -> Any:
    """A change that a random path rarely makes: a subgraph instance put inside its own
    definition, a node given another node's id, a link re-pointed, the links turned into the
    other schema's form."""
    definitions = workflow.get("definitions")
    subgraphs = definitions.get("subgraphs") if isinstance(definitions, dict) else None
    subgraphs = subgraphs if isinstance(subgraphs, list) else []
    nodes = workflow.get("nodes") if isinstance(workflow.get("nodes"), list) else []
    choice = draw(st.sampled_from(["self", "twin", "relink", "schema"]))
    if choice == "self" and subgraphs and isinstance(subgraphs[0], dict):
        inner = dict(subgraphs[0])
        inner["nodes"] = [
            *inner.get("nodes", []),
            {"id": 424242, "type": inner.get("id"), "mode": 0},
        ]
        definitions = dict(workflow["definitions"])
        definitions["subgraphs"] = [inner, *subgraphs[1:]]
        return {**workflow, "definitions": definitions}
    if choice == "twin" and len(nodes) >= 2:
        twin = dict(nodes[1]) if isinstance(nodes[1], dict) else {}
        twin["id"] = nodes[0].get("id") if isinstance(nodes[0], dict) else 1
        return {**workflow, "nodes": [*nodes, twin]}
    links = workflow.get("links") if isinstance(workflow.get("links"), list) else []
    if choice == "relink" and links and isinstance(links[0], list) and len(links[0]) >= 5:
        link = list(links[0])
        link[draw(st.sampled_from([1, 2, 3, 4]))] = draw(st.sampled_from([99999, -10, 7, "3"]))
        return {**workflow, "links": [link, *links[1:]]}
    if choice == "schema":
        return {**workflow, "version": 1 if workflow.get("version") == 0.4 else 0.4}
    return workflow


# -- layouts ------------------------------------------------------------------------------------------


@st.composite
def layout_graphs(
    draw: st.DrawFn, max_nodes: int = 40, loops: bool = False
) -> tuple[list[tuple[float, float]], list[tuple[int, int]]]:
    """Nodes to lay out, as ((width, height) per node, [(source, target), ...]): sizes like the
    editor's (50 to 600 pixels), links mostly from an earlier node to a later one (a DAG), some
    nodes unlinked, repeated links, and with ``loops`` links back as well."""
    count = draw(st.integers(0, max_nodes))
    sizes = [
        (float(draw(st.integers(50, 600))), float(draw(st.integers(26, 600)))) for _ in range(count)
    ]
    edges: list[tuple[int, int]] = []
    if count >= 2:
        pairs = st.tuples(st.integers(0, count - 2), st.integers(1, count - 1))
        for source, target in draw(st.lists(pairs, max_size=2 * count)):
            if source < target or loops:
                edges.append((source, target))
    return sizes, edges
