"""The mutations of the differential test (2): inputs, primitives linked into widgets, paths,
the request body and the whole prompt (see ``verdict_mutations``, which holds the registry).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from verdict_mutations import (
    Mutated,
    Mutation,
    inside,
    mutation,
    short,
    widget_inputs,
)
from verdict_prompts import (
    FILE_ABOVE_INPUT,
    MISSING_ID,
    UPLOADED_IMAGE,
    Base,
    Ids,
    Spec,
    is_link,
)

if TYPE_CHECKING:
    from verdict_cases import CaseMaker


# -- inputs ----------------------------------------------------------------------------------------


def _input_mutation(variant: str) -> Callable[[Mutation], Mutation]:
    return mutation(f"input.{variant}")


#: What `_with_spec` passes for an input the node does not have.
_ABSENT: Any = type("Absent", (), {"__repr__": lambda self: "ABSENT"})()


def _with_spec(base: Base, test: Callable[[Spec, Any], bool]) -> list[tuple[str, Spec]]:
    """(node id, spec) of every input of a reachable node for which ``test(spec, value)`` holds
    (the value is _ABSENT where the node has none)."""
    found = []
    for node_id in base.reachable():
        definition = base.definition(node_id)
        for spec in definition.specs:
            if test(spec, base.prompt[node_id]["inputs"].get(spec.name, _ABSENT)):
                found.append((node_id, spec))
    return found


#: The value of `_set` that removes the input instead.
_DROP: Any = type("Drop", (), {"__repr__": lambda self: "DROP"})()


def _set(variant: str, test: Callable[[Spec, Any], bool], value: Any) -> None:
    """An input for which ``test(spec, value now)`` holds gets ``value`` (or, _DROP, goes)."""

    @_input_mutation(variant)
    def mutate(maker: CaseMaker, base: Base) -> Mutated | None:
        found = _with_spec(base, test)
        if not found:
            return None
        node_id, spec = maker.rng.choice(found)
        prompt = base.copy()
        if value is _DROP:
            del prompt[node_id]["inputs"][spec.name]
            return prompt, node_id, f"without {spec.name}"
        prompt[node_id]["inputs"][spec.name] = value
        return prompt, node_id, f"{spec.name} = {short(value)}"


_set("missing_required_widget", lambda s, v: s.required and s.widget and v is not _ABSENT, _DROP)
_set("missing_required_link", lambda s, v: s.required and is_link(v), _DROP)
_set("missing_optional", lambda s, v: not s.required and v is not _ABSENT, _DROP)


_set("optional_link_null", lambda s, v: not s.required and s.kind == "LINK", None)
_set("required_link_null", lambda s, v: s.required and s.kind == "LINK", None)
_set("link_input_constant", lambda s, v: s.kind == "LINK" and s.type != "*", "a constant")
_set("link_input_number", lambda s, v: s.kind == "LINK" and s.type != "*", 3)


def _extra(variant: str, make: Callable[[CaseMaker, Base, str], Any], name: str = "bogus") -> None:
    @_input_mutation(variant)
    def mutate(maker: CaseMaker, base: Base) -> Mutated | None:
        node_id = maker.rng.choice(base.reachable())
        prompt = base.copy()
        value = make(maker, base, node_id)
        prompt[node_id]["inputs"][name] = value
        return prompt, node_id, f"undeclared {name} = {short(value)}"


_extra("extra_literal", lambda m, b, n: 1)
_extra("extra_text", lambda m, b, n: "text")
_extra(
    "extra_link",
    lambda m, b, n: [
        m.rng.choice([i for i in b.prompt if i != n and n not in b.upstream(i)] or [n]),
        0,
    ],
)
_extra("extra_missing_link", lambda m, b, n: [MISSING_ID, 0])
_extra("extra_three_list", lambda m, b, n: [1, 2, 3])
_extra("hidden_unique_id", lambda m, b, n: "5", name="unique_id")
_extra("hidden_prompt", lambda m, b, n: {"1": {}}, name="prompt")


# -- primitives linked into widgets ----------------------------------------------------------------

_PRIMITIVES = {
    "INT": "PrimitiveInt",
    "FLOAT": "PrimitiveFloat",
    "STRING": "PrimitiveString",
    "BOOLEAN": "PrimitiveBoolean",
}


def _primitive_mutation(
    variant: str, kinds: tuple[str, ...], value: Callable[[Spec], Any], primitive: str | None = None
) -> None:
    @mutation(f"primitive.{variant}")
    def mutate(maker: CaseMaker, base: Base) -> Mutated | None:
        found = [
            (node_id, spec)
            for node_id, spec in widget_inputs(base, kinds)
            if value(spec) is not None
        ]
        if not found:
            return None
        node_id, spec = maker.rng.choice(found)
        class_type = primitive or _PRIMITIVES[spec.kind]
        if class_type not in maker.definitions:
            return None
        prompt = base.copy()
        new = Ids(maker.rng, set(prompt))()
        given = value(spec)
        prompt[new] = {"inputs": {"value": given}, "class_type": class_type}
        prompt[node_id]["inputs"][spec.name] = [new, 0]
        return prompt, node_id, f"{spec.name} from {class_type}(value={short(given)}) {new}"


_primitive_mutation("in_range", ("INT", "FLOAT"), lambda s: inside(s, 3))
_primitive_mutation(
    "below_min", ("INT", "FLOAT"), lambda s: s.options["min"] - 1 if "min" in s.options else None
)
_primitive_mutation(
    "above_max",
    ("INT", "FLOAT"),
    lambda s: s.options["max"] + 1 if "max" in s.options and s.options["max"] < 2**62 else None,
)
_primitive_mutation("string", ("STRING",), lambda s: "from a primitive")
_primitive_mutation("boolean", ("BOOLEAN",), lambda s: True)
_primitive_mutation("float_into_int", ("INT",), lambda s: 2.0, primitive="PrimitiveFloat")
_primitive_mutation("int_into_float", ("FLOAT",), lambda s: 1, primitive="PrimitiveInt")
_primitive_mutation("string_into_int", ("INT",), lambda s: "12", primitive="PrimitiveString")
_primitive_mutation(
    "string_into_combo",
    ("COMBO", "V3COMBO"),
    lambda s: s.choices[0] if s.choices else None,
    primitive="PrimitiveString",
)
_primitive_mutation("own_value_bad", ("INT",), lambda s: "not a number")
_primitive_mutation("numeric_string_value", ("INT",), lambda s: str(int(inside(s, 12))))


# -- path-like strings -----------------------------------------------------------------------------

_PREFIXES = {
    "parent": "../escaped",
    "absolute": "/tmp/comfydsl-verdict/escaped",
    "dotdot_inside_path": "a/../../escaped",
    "subfolder": "sub/folder/name",
    "dotdot_staying_inside": "a/b/../c",
    "variables_escaping": "%year%/../../escaped",
    "only_dotdot": "..",
    "trailing_dotdot": "sub/..",
    "backslash_parent": "..\\escaped",
    "drive": "C:\\escaped",
    "empty": "",
}


def _prefix_mutation(variant: str, prefix: str) -> None:
    @mutation(f"path.prefix_{variant}")
    def mutate(maker: CaseMaker, base: Base) -> Mutated | None:
        base = maker.base_with_prefix()
        node_id = base.outputs[0]
        prompt = base.copy()
        prompt[node_id]["inputs"]["filename_prefix"] = prefix
        return prompt, node_id, f"filename_prefix = {prefix!r}"


for _variant, _prefix in _PREFIXES.items():
    _prefix_mutation(_variant, _prefix)

_IMAGES = {
    "uploaded": UPLOADED_IMAGE,
    "other_case": UPLOADED_IMAGE.upper(),
    "missing": "no-such-image.png",
    "missing_in_subfolder": f"no-such-folder/{UPLOADED_IMAGE}",
    "file_above_input": FILE_ABOVE_INPUT,
    "absolute": "/etc/hostname",
    "annotated_input": f"{UPLOADED_IMAGE} [input]",
    "annotated_output": f"{UPLOADED_IMAGE} [output]",
    "number": 5,
    "empty": "",
}


def _image_mutation(variant: str, image: Any) -> None:
    @mutation(f"path.image_{variant}")
    def mutate(maker: CaseMaker, base: Base) -> Mutated | None:
        base, node_id = maker.base_with_load_image()
        prompt = base.copy()
        prompt[node_id]["inputs"]["image"] = image
        return prompt, node_id, f"image = {image!r}"


for _variant, _image in _IMAGES.items():
    _image_mutation(_variant, _image)


# -- the request body and the whole prompt ---------------------------------------------------------


class NullTargets:
    """``partial_execution_targets: null`` in the body (None from a mutation means "not made")."""


NULL_TARGETS = NullTargets()


def _targets_mutation(variant: str, make: Callable[[CaseMaker, Base], Any]) -> None:
    @mutation(f"body.targets_{variant}")
    def mutate(maker: CaseMaker, base: Base) -> Mutated | None:
        base = maker.base_with_two_outputs()
        targets = make(maker, base)
        if targets is None:
            return None
        return base.copy(), None, f"partial_execution_targets = {targets!r}", targets


def _non_output(maker: CaseMaker, base: Base) -> str | None:
    others = [n for n in base.prompt if n not in base.outputs]
    return maker.rng.choice(others) if others else None


_targets_mutation("one_output", lambda m, b: [b.outputs[0]])
_targets_mutation("every_output", lambda m, b: list(b.outputs))
_targets_mutation("not_an_output", lambda m, b: [_non_output(m, b)] if _non_output(m, b) else None)
_targets_mutation(
    "output_and_other",
    lambda m, b: [b.outputs[1], _non_output(m, b)] if _non_output(m, b) else None,
)
_targets_mutation("missing", lambda m, b: [MISSING_ID])
_targets_mutation("empty", lambda m, b: [])
_targets_mutation("repeated", lambda m, b: [b.outputs[0], b.outputs[0]])
_targets_mutation("numbers", lambda m, b: [int(n) for n in b.outputs if n.isdigit()] or None)
_targets_mutation("string", lambda m, b: "".join(b.outputs))
_targets_mutation("null", lambda m, b: NULL_TARGETS)


@mutation("body.targets_skip_failing_output")
def _skip_failing(maker: CaseMaker, base: Base) -> Mutated | None:
    base = maker.base_with_two_outputs()
    prompt = base.copy()
    bad = base.outputs[1]
    first = next(iter(prompt[bad]["inputs"]), None)
    if first is None:
        return None
    prompt[bad]["inputs"][first] = (
        [MISSING_ID, 0] if is_link(prompt[bad]["inputs"][first]) else [1, 2, 3]
    )
    return prompt, bad, f"output {bad} fails; targets = the other", [base.outputs[0]]


@mutation("whole.base")
def _unchanged(maker: CaseMaker, base: Base) -> Mutated | None:
    return base.copy(), None, "the base prompt as it is"


@mutation("whole.empty")
def _empty(maker: CaseMaker, base: Base) -> Mutated | None:
    return {}, None, "an empty prompt"


@mutation("whole.no_output_node")
def _no_output(maker: CaseMaker, base: Base) -> Mutated | None:
    prompt = base.copy()
    for node_id in base.outputs:
        del prompt[node_id]
    if any(base.definitions[n["class_type"]].output_node for n in prompt.values()):
        return None
    return prompt, None, "the output node removed"


@mutation("whole.one_output_fails")
def _one_fails(maker: CaseMaker, base: Base) -> Mutated | None:
    base = maker.base_with_two_outputs()
    prompt = base.copy()
    bad = base.outputs[1]
    prompt[bad]["inputs"]["bogus_link"] = None
    for name, value in prompt[bad]["inputs"].items():
        if is_link(value):
            prompt[bad]["inputs"][name] = [value[0], 99]
            return prompt, bad, f"output {bad}: {name} = [{value[0]!r}, 99]"
    return None


@mutation("whole.every_output_fails")
def _all_fail(maker: CaseMaker, base: Base) -> Mutated | None:
    base = maker.base_with_two_outputs()
    prompt = base.copy()
    for out in base.outputs:
        for name, value in prompt[out]["inputs"].items():
            if is_link(value):
                prompt[out]["inputs"][name] = [value[0], 99]
                break
        else:
            return None
    return prompt, base.outputs[0], "every output: a link to output 99"


@mutation("whole.shared_node_fails")
def _shared_fails(maker: CaseMaker, base: Base) -> Mutated | None:
    """Two outputs fed by one node whose value is wrong: both fail, one error."""
    base = maker.base_with_two_outputs()
    first = base.upstream(base.outputs[0]) & base.upstream(base.outputs[1])
    for node_id in sorted(first):
        for spec in base.definition(node_id).specs:
            if spec.kind == "INT" and spec.widget and spec.name in base.prompt[node_id]["inputs"]:
                prompt = base.copy()
                prompt[node_id]["inputs"][spec.name] = "not a number"
                return prompt, node_id, f"{spec.name} = 'not a number', feeding both outputs"
    return None
