"""The mutations of the differential test (1): values of every kind, link shapes, node keys.

Each mutation takes a CaseMaker and a valid base prompt and returns the prompt with one thing
changed, the id of the node it changed and a note (or None where it does not apply to that
base); ``MUTATIONS`` holds them all by kind (``value.INT.below_min``, ``link.missing_node``...).
The second half is in ``verdict_more_mutations``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from strategies import type_fits
from verdict_prompts import (
    MISSING_ID,
    Base,
    Ids,
    Spec,
    clean,
    is_link,
)

if TYPE_CHECKING:
    from verdict_cases import CaseMaker


# -- mutations -------------------------------------------------------------------------------------

Mutated = tuple[Any, str | None, str] | tuple[Any, str | None, str, Any]
"""(prompt, focus node id, note) or (prompt, focus, note, targets)."""
Mutation = Callable[["CaseMaker", Base], "Mutated | None"]

MUTATIONS: dict[str, Mutation] = {}


def mutation(kind: str) -> Callable[[Mutation], Mutation]:
    def register(function: Mutation) -> Mutation:
        assert kind not in MUTATIONS, kind
        MUTATIONS[kind] = function
        return function

    return register


def widget_inputs(base: Base, kinds: tuple[str, ...]) -> list[tuple[str, Spec]]:
    found = []
    for node_id in base.reachable():
        definition = base.definition(node_id)
        for name, value in base.prompt[node_id]["inputs"].items():
            spec = definition.spec(name)
            if spec is not None and spec.kind in kinds and spec.widget and not is_link(value):
                found.append((node_id, spec))
    return found


def link_inputs(base: Base) -> list[tuple[str, str, list[Any]]]:
    return [
        (node_id, name, value)
        for node_id in base.reachable()
        for name, value in base.prompt[node_id]["inputs"].items()
        if is_link(value)
    ]


#: Values to put in a widget input, by the input's kind: (variant, value or a function of the spec).
_VALUES: dict[str, list[tuple[str, Any]]] = {
    "INT": [
        ("below_min", lambda s: s.options["min"] - 1 if "min" in s.options else None),
        ("above_max", lambda s: s.options["max"] + 1 if "max" in s.options else None),
        ("at_min", lambda s: s.options.get("min")),
        ("at_max", lambda s: s.options.get("max")),
        ("fraction", lambda s: _fraction(s)),
        ("numeric_string", lambda s: str(inside(s, 48))),
        ("spaced_string", lambda s: f" {inside(s, 16)} "),
        ("fraction_string", "16.5"),
        ("exponent_string", "1e1"),
        ("hex_string", "0x10"),
        ("true", True),
        ("false", False),
        ("null", None),
        ("text", "abc"),
        ("empty_string", ""),
        ("wrapped", lambda s: {"__value__": inside(s, 8)}),
        ("object", {"a": 1}),
        ("huge", 2**70),
        ("nan_string", "nan"),
    ],
    "FLOAT": [
        ("below_min", lambda s: s.options["min"] - 1 if "min" in s.options else None),
        ("above_max", lambda s: s.options["max"] + 1 if "max" in s.options else None),
        ("int", lambda s: int(inside(s, 1))),
        ("numeric_string", lambda s: str(inside(s, 0.5))),
        ("exponent_string", "1e-1"),
        ("nan_string", "nan"),
        ("inf_string", "inf"),
        ("minus_inf_string", "-inf"),
        ("true", True),
        ("null", None),
        ("text", "abc"),
        ("wrapped", lambda s: {"__value__": inside(s, 0.5)}),
        ("object", {}),
    ],
    "STRING": [
        ("int", 5),
        ("float", 2.5),
        ("true", True),
        ("null", None),
        ("object", {"a": [1, 2]}),
        ("wrapped", {"__value__": "wrapped text"}),
        ("wrapped_list", {"__value__": ["a", "b"]}),
        ("unicode", "雪 ❄ \u00e9"),
        ("long", "x" * 5000),
    ],
    "BOOLEAN": [
        ("false_string", "false"),
        ("zero", 0),
        ("one", 1),
        ("null", None),
        ("text", "abc"),
        ("object", {}),
        ("wrapped", {"__value__": False}),
    ],
    "COMBO": [
        ("not_a_choice", "no such choice"),
        ("other_case", lambda s: _other_case(s.choices)),
        ("int", 1),
        ("null", None),
        ("true", True),
        ("wrapped_choice", lambda s: {"__value__": s.choices[0]}),
        ("padded_choice", lambda s: f" {s.choices[0]}" if isinstance(s.choices[0], str) else None),
    ],
    "V3COMBO": [
        ("not_a_choice", "no such choice"),
        ("other_case", lambda s: _other_case(s.choices)),
        ("int", 7),
        ("null", None),
    ],
}


def inside(spec: Spec, value: float) -> float:
    low, high = spec.options.get("min"), spec.options.get("max")
    if isinstance(low, (int, float)) and value < low:
        value = low
    if isinstance(high, (int, float)) and value > high:
        value = high
    return value


def _fraction(spec: Spec) -> float:
    whole = int(inside(spec, 40))
    high = spec.options.get("max")
    return whole + 0.7 if not isinstance(high, (int, float)) or whole + 0.7 <= high else whole - 0.3


def _other_case(choices: list[Any]) -> Any:
    for choice in choices:
        if isinstance(choice, str) and choice.swapcase() not in (choice, *choices):
            return choice.swapcase()
    return None


def _value_mutation(kind: str, variant: str, make: Any) -> None:
    @mutation(f"value.{kind}.{variant}")
    def mutate(maker: CaseMaker, base: Base) -> Mutated | None:
        inputs = widget_inputs(base, (kind,))
        if not inputs:
            return None
        node_id, spec = maker.rng.choice(inputs)
        value = make(spec) if callable(make) else make
        if value is None and variant != "null":
            return None
        prompt = base.copy()
        prompt[node_id]["inputs"][spec.name] = value
        return prompt, node_id, f"{spec.name} = {short(value)}"


for _kind, _variants in _VALUES.items():
    for _variant, _make in _variants:
        _value_mutation(_kind, _variant, _make)


def short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _any_input_mutation(variant: str, make: Callable[[CaseMaker, Base, str], Any]) -> None:
    """A value of some form put in any input of a reachable node: widget or link."""

    @mutation(f"value.any.{variant}")
    def mutate(maker: CaseMaker, base: Base) -> Mutated | None:
        choices = [
            (node_id, name)
            for node_id in base.reachable()
            for name in base.prompt[node_id]["inputs"]
        ]
        if not choices:
            return None
        node_id, name = maker.rng.choice(choices)
        value = make(maker, base, node_id)
        prompt = base.copy()
        prompt[node_id]["inputs"][name] = value
        return prompt, node_id, f"{name} = {short(value)}"


_any_input_mutation("one_item_list", lambda m, b, n: [1])
_any_input_mutation("three_item_list", lambda m, b, n: ["1", 0, 0])
_any_input_mutation("empty_list", lambda m, b, n: [])
_any_input_mutation("wrapped_list", lambda m, b, n: {"__value__": [1, 2, 3]})
_any_input_mutation("wrapped_pair", lambda m, b, n: {"__value__": ["a", "b"]})
_any_input_mutation(
    "wrapped_link",
    lambda m, b, n: {"__value__": [m.rng.choice([i for i in b.prompt if i != n] or [n]), 0]},
)
_any_input_mutation("wrapped_missing_link", lambda m, b, n: {"__value__": [MISSING_ID, 0]})
_any_input_mutation("object", lambda m, b, n: {"x": 1})


LinkMaker = Callable[["CaseMaker", Base, str, str, list[Any]], Any]


def _link_mutation(variant: str, make: LinkMaker) -> None:
    """``make(maker, base, node id, input name, link)`` gives the new value, or None."""

    @mutation(f"link.{variant}")
    def mutate(maker: CaseMaker, base: Base) -> Mutated | None:
        for node_id, name, link in maker.shuffled(link_inputs(base)):
            value = make(maker, base, node_id, name, link)
            if value is None:
                continue
            prompt = base.copy()
            prompt[node_id]["inputs"][name] = value
            return prompt, node_id, f"{name} = {short(value)} (was {link!r})"
        return None


def _outputs_of(base: Base, node_id: str) -> int:
    return len(base.definition(node_id).outputs)


_link_mutation("missing_node", lambda m, b, n, name, link: [MISSING_ID, link[1]])
_link_mutation(
    "int_id", lambda m, b, n, name, link: [int(link[0]), link[1]] if link[0].isdigit() else None
)
_link_mutation("null_id", lambda m, b, n, name, link: [None, link[1]])
_link_mutation("list_id", lambda m, b, n, name, link: [[link[0]], link[1]])
_link_mutation("string_index", lambda m, b, n, name, link: [link[0], str(link[1])])
_link_mutation("float_index", lambda m, b, n, name, link: [link[0], float(link[1])])
_link_mutation("fraction_index", lambda m, b, n, name, link: [link[0], link[1] + 0.5])
_link_mutation("null_index", lambda m, b, n, name, link: [link[0], None])
_link_mutation("true_index", lambda m, b, n, name, link: [link[0], True])
_link_mutation("false_index", lambda m, b, n, name, link: [link[0], False])
_link_mutation(
    "last_index",
    lambda m, b, n, name, link: [link[0], -1] if _outputs_of(b, link[0]) == 1 else None,
)
_link_mutation(
    "too_negative_index", lambda m, b, n, name, link: [link[0], -_outputs_of(b, link[0]) - 1]
)
_link_mutation("index_out_of_range", lambda m, b, n, name, link: [link[0], _outputs_of(b, link[0])])
_link_mutation("nested", lambda m, b, n, name, link: [list(link), 0])
_link_mutation(
    "other_case_id",
    lambda m, b, n, name, link: (
        [link[0].swapcase(), link[1]]
        if link[0].swapcase() != link[0] and link[0].swapcase() not in b.prompt
        else None
    ),
)
_link_mutation("padded_id", lambda m, b, n, name, link: [f" {link[0]}", link[1]])
_link_mutation("self", lambda m, b, n, name, link: [n, 0] if _outputs_of(b, n) else None)


def _wrong_type_link(maker: CaseMaker, base: Base, node_id: str, name: str, link: list[Any]) -> Any:
    spec = base.definition(node_id).spec(name)
    if spec is None:
        return None
    options = [
        [other, index]
        for other in base.prompt
        if other != node_id and node_id not in base.upstream(other)
        for index, out in enumerate(base.definition(other).outputs)
        if not (isinstance(spec.type, str) and type_fits(out, spec.type))
    ]
    return maker.rng.choice(options) if options else None


_link_mutation("wrong_type", _wrong_type_link)


@mutation("link.loop")
def _loop(maker: CaseMaker, base: Base) -> Mutated | None:
    """A link from a node downstream of the one it feeds: the links form a loop."""
    for node_id, name, _link in maker.shuffled(link_inputs(base)):
        downstream = [
            other for other in base.prompt if node_id in base.upstream(other) and other != node_id
        ]
        spec = base.definition(node_id).spec(name)
        for other in maker.shuffled(downstream):
            for index, out in enumerate(base.definition(other).outputs):
                if spec is not None and isinstance(spec.type, str) and type_fits(out, spec.type):
                    prompt = base.copy()
                    prompt[node_id]["inputs"][name] = [other, index]
                    return prompt, node_id, f"{name} = [{other!r}, {index}]: a loop"
    return None


@mutation("link.from_new_node")
def _from_new_node(maker: CaseMaker, base: Base) -> Mutated | None:
    """A link from a node added for it (a valid change)."""
    for node_id, name, _ in maker.shuffled(link_inputs(base)):
        spec = base.definition(node_id).spec(name)
        if spec is None:
            continue
        leaves = [o for o in maker.builder.fitting(spec) if o[0] in maker.builder.leaves]
        if not leaves:
            continue
        class_type, index = maker.rng.choice(leaves)
        prompt = base.copy()
        ids = Ids(maker.rng, set(prompt))
        new = maker.builder._node(prompt, class_type, 3, ids)
        prompt[node_id]["inputs"][name] = [new, index]
        return clean(prompt), node_id, f"{name} from a new {class_type} {new}"
    return None


# -- node keys -------------------------------------------------------------------------------------


def _node_mutation(variant: str, change: Callable[[dict[str, Any]], Any]) -> None:
    """``change(node)`` gives what replaces the node (usually the node with a key changed)."""

    @mutation(f"node.{variant}")
    def mutate(maker: CaseMaker, base: Base) -> Mutated | None:
        node_id = maker.rng.choice(base.reachable())
        prompt = base.copy()
        prompt[node_id] = change(prompt[node_id])
        return prompt, node_id, variant

    @mutation(f"unreachable.{variant}")
    def mutate_unreachable(maker: CaseMaker, base: Base) -> Mutated | None:
        prompt, new = maker.with_unreachable(base)
        prompt[new] = change(prompt[new])
        return prompt, new, f"{variant}, on a node no output needs"


def _without(node: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in node.items() if k != key}


def _with(node: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**node, **changes}


_node_mutation("no_inputs", lambda node: _without(node, "inputs"))
_node_mutation("inputs_null", lambda node: _with(node, inputs=None))
_node_mutation("inputs_list", lambda node: _with(node, inputs=[]))
_node_mutation("inputs_names_list", lambda node: _with(node, inputs=list(node["inputs"])))
_node_mutation("inputs_string", lambda node: _with(node, inputs="inputs"))
_node_mutation("inputs_number", lambda node: _with(node, inputs=5))
_node_mutation("no_class_type", lambda node: _without(node, "class_type"))
_node_mutation("class_type_null", lambda node: _with(node, class_type=None))
_node_mutation("class_type_number", lambda node: _with(node, class_type=7))
_node_mutation("class_type_unknown", lambda node: _with(node, class_type="NoSuchNodeClass"))
_node_mutation(
    "class_type_other_case", lambda node: _with(node, class_type=node["class_type"].swapcase())
)
_node_mutation("class_type_padded", lambda node: _with(node, class_type=node["class_type"] + " "))
_node_mutation("meta_string", lambda node: _with(node, _meta="a title"))
_node_mutation("meta_list", lambda node: _with(node, _meta=["title"]))
_node_mutation("meta_null", lambda node: _with(node, _meta=None))
_node_mutation("meta_number", lambda node: _with(node, _meta=3))
_node_mutation("meta_title_number", lambda node: _with(node, _meta={"title": 5}))
_node_mutation("meta_more", lambda node: _with(node, _meta={"title": "t", "x": {"y": [1, None]}}))
_node_mutation("is_changed", lambda node: _with(node, is_changed="always"))
_node_mutation("is_changed_list", lambda node: _with(node, is_changed=[1.5, None]))
_node_mutation("unknown_key", lambda node: _with(node, color="#223", extra={"pos": [1, 2]}))
_node_mutation(
    "class_type_first",
    lambda node: {k: node[k] for k in sorted(node, key=lambda k: k != "class_type")},
)
_node_mutation("meta_first", lambda node: {"_meta": {"title": "first"}, **node})
_node_mutation("not_an_object", lambda node: [node])
_node_mutation("null", lambda node: None)
_node_mutation("string", lambda node: "node")


def _unreachable_input(variant: str, make: Callable[[CaseMaker, dict[str, Any], str], Any]) -> None:
    """An input of a node that no output needs, changed: ``make`` gives (name, value) or None."""

    @mutation(f"unreachable.{variant}")
    def mutate(maker: CaseMaker, base: Base) -> Mutated | None:
        prompt, new = maker.with_unreachable(base)
        found = make(maker, prompt, new)
        if found is None:
            return None
        name, value = found
        prompt[new]["inputs"][name] = value
        return prompt, new, f"{name} = {short(value)}, on a node no output needs"


def _first_link(prompt: dict[str, Any], node_id: str) -> str | None:
    return next((n for n, v in prompt[node_id]["inputs"].items() if is_link(v)), None)


_unreachable_input(
    "missing_link",
    lambda m, p, n: (_first_link(p, n), [MISSING_ID, 0]) if _first_link(p, n) else None,
)
_unreachable_input(
    "loop", lambda m, p, n: (_first_link(p, n), [n, 0]) if _first_link(p, n) else None
)
_unreachable_input("three_item_list", lambda m, p, n: ("bogus", [1, 2, 3]))
_unreachable_input("extra_missing_link", lambda m, p, n: ("bogus", [MISSING_ID, 0]))
_unreachable_input(
    "bad_value",
    lambda m, p, n: next(
        (
            (k, "abc")
            for k, v in p[n]["inputs"].items()
            if isinstance(v, (int, float)) and not isinstance(v, bool)
        ),
        None,
    ),
)
