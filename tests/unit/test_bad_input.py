"""Bad input of every kind gets a comfydsl error, never a bare exception: files, values, calls."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from comfydsl import Node, Workflow, load_prompt
from comfydsl.errors import (
    BadLinkError,
    CallError,
    ComfyDSLError,
    InputValueError,
    NoWorkflowError,
    PromptFormatError,
    ValueRangeError,
)
from comfydsl.nodes import CLIPTextEncode, EmptyImage, ImageInvert, PrimitiveString
from comfydsl.values import MAX_DEPTH

GOOD = b'{"1": {"inputs": {"width": 8, "height": 8}, "class_type": "EmptyImage"}}'


def nested(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b'{"1": {"inputs": {"text": "\xff\xfe"}, "class_type": "PrimitiveString"}}', "not UTF-8"),
        (b'{"1": {"inputs": {"value": ' + b"9" * 5000 + b'}, "class_type": "X"}}', "digits"),
        (b"[" * 100_000 + b"]" * 100_000, "nest too deeply"),
        (b"{", "not valid JSON"),
        (b"[1, 2]", "JSON object"),
    ],
    ids=["invalid-utf8", "huge-int", "deep", "truncated", "not-an-object"],
)
def test_a_prompt_file_that_cannot_be_read_is_a_prompt_format_error(
    tmp_path: Path, content: bytes, said: str
) -> None:
    path = tmp_path / "prompt.json"
    path.write_bytes(content)
    with pytest.raises(PromptFormatError) as caught:
        load_prompt(path)
    assert str(path) in str(caught.value), "the error should name the file"
    assert said in str(caught.value)


def test_paths_that_are_not_files_are_prompt_format_errors(tmp_path: Path) -> None:
    for bad in (tmp_path, tmp_path / "missing.json", str(tmp_path / "nul\0.json")):
        with pytest.raises(PromptFormatError, match="cannot read the file"):
            load_prompt(bad)


def test_a_value_that_contains_itself_or_nests_too_deep_is_reported_per_input() -> None:
    loop: list[Any] = ["a"]
    loop.append(loop)
    prompt = {
        "1": {"inputs": {"value": loop}, "class_type": "PrimitiveString"},
        "2": {"inputs": {"value": nested(MAX_DEPTH + 1)}, "class_type": "PrimitiveString"},
        "3": {"inputs": {"value": "fine"}, "class_type": "PrimitiveString"},
    }
    with pytest.raises(PromptFormatError) as caught:
        load_prompt(prompt)
    problems = caught.value.problems
    assert 2 == len(problems), problems
    assert "contains itself" in problems[0] and "'1'" in problems[0]
    assert f"deeper than {MAX_DEPTH}" in problems[1] and "'2'" in problems[1]


def test_strings_that_are_not_utf8_are_refused_when_they_enter() -> None:
    surrogate = "bad \udc80"
    for prompt in (
        {"1": {"inputs": {"value": surrogate}, "class_type": "PrimitiveString"}},
        {"1": {"inputs": {surrogate: 1}, "class_type": "PrimitiveString"}},
        {"1": {"inputs": {}, "class_type": surrogate}},
        {surrogate: {"inputs": {}, "class_type": "PrimitiveString"}},
    ):
        with pytest.raises(PromptFormatError, match="UTF-8"):
            load_prompt(prompt)
    with Workflow(), pytest.raises(InputValueError, match="UTF-8"):
        PrimitiveString(value=surrogate)
    with Workflow(), pytest.raises(InputValueError, match="UTF-8"):
        Node("Unknown", text=surrogate)


def test_deep_and_self_containing_values_in_node_calls_are_input_errors() -> None:
    loop: list[Any] = []
    loop.append(loop)
    with Workflow():
        for value in (loop, nested(MAX_DEPTH + 1), nested(10 * sys.getrecursionlimit())):
            with pytest.raises(InputValueError):
                Node("Unknown", value=value)
            with pytest.raises(InputValueError):
                CLIPTextEncode(text=value)
        Node("Unknown", value=nested(MAX_DEPTH - 1))  # deep, but within the limit


def test_a_huge_int_out_of_range_still_gets_its_message() -> None:
    with Workflow():
        with pytest.raises(ValueRangeError, match="bigger than max"):
            EmptyImage(width=10**4000)
        with pytest.raises(InputValueError, match="digits cannot be written"):
            EmptyImage(width=10**5000)


def test_node_class_types_must_be_strings() -> None:
    with Workflow():
        for bad in (5, None, [], ("EmptyImage",)):
            with pytest.raises(CallError, match="must be a string"):
                Node(bad)  # type: ignore[arg-type]


def test_extra_input_names_must_be_strings() -> None:
    with Workflow():
        with pytest.raises(CallError, match="extra_inputs"):
            Node("Unknown", extra_inputs={("a", "b"): 1})
        with pytest.raises(CallError, match="extra_inputs"):
            EmptyImage(extra_inputs={1: 1})


def test_an_untyped_node_refuses_a_link_from_another_workflow() -> None:
    with Workflow():
        image = EmptyImage(width=8, height=8)
    with Workflow():
        with pytest.raises(BadLinkError, match="another workflow"):
            Node("Unknown", image=image)
        with pytest.raises(BadLinkError, match="another workflow"):
            Node("Unknown", extra_inputs={"image": image})
        mine = Node("Unknown")
        with pytest.raises(BadLinkError, match="another workflow"):
            mine.set(image=image[0])
        ImageInvert(image=EmptyImage(width=8, height=8))


def test_leaving_a_workflow_never_entered_is_an_error() -> None:
    with pytest.raises(NoWorkflowError):
        Workflow().__exit__(None, None, None)


def test_every_error_above_is_in_the_tree() -> None:
    # The contract the tests above rely on: each error class named is a comfydsl error.
    for cls in (BadLinkError, CallError, InputValueError, NoWorkflowError, PromptFormatError):
        assert issubclass(cls, ComfyDSLError), cls


def test_did_you_mean_is_searched_once_per_unknown_class() -> None:
    from comfydsl.catalog import active_catalog
    from comfydsl.validation import workflow as whole

    searched: list[str] = []
    catalog = active_catalog()
    original = type(catalog).suggest

    def counting(self: Any, class_type: str, n: int = 3) -> list[str]:
        searched.append(class_type)
        return original(self, class_type, n)

    with Workflow() as wf:
        for i in range(300):
            Node("KSamplr", x=i)
        for i in range(whole.SUGGEST_LIMIT + 50):
            Node(f"Unknown{i}", x=i)
    type(catalog).suggest = counting  # type: ignore[method-assign]
    try:
        errors = wf.check()
    finally:
        type(catalog).suggest = original  # type: ignore[method-assign]
    assert 300 + whole.SUGGEST_LIMIT + 50 == len(errors)
    assert "Did you mean 'KSampler'" in str(errors[0])
    assert whole.SUGGEST_LIMIT == len(searched), "one search per distinct class, up to the limit"


def test_an_integer_too_long_to_write_is_refused_when_it_enters() -> None:
    with Workflow():
        with pytest.raises(InputValueError, match="digits"):
            Node("Unknown", value=10**5000)
        with pytest.raises(InputValueError, match="digits"):
            Node("Unknown", value={"__value__": [10**5000]})
    with pytest.raises(PromptFormatError, match="digits"):
        load_prompt({"1": {"inputs": {"seed": 10**5000}, "class_type": "KSampler"}})


def test_a_path_given_to_an_input_of_any_type_is_a_local_file() -> None:
    # Found by the node-call fuzz test: a path in an input of type '*' was stored as the path
    # object itself, which no JSON writer takes (to_json raised TypeError).
    from pathlib import PurePosixPath

    from comfydsl.catalog import Catalog, use_catalog

    anything = Catalog(
        {
            "Anything": {
                "input": {"required": {"value": ["*", {}]}},
                "output": ["*"],
                "output_name": ["*"],
                "name": "Anything",
                "output_node": True,
            }
        },
        source="test",
    )
    with use_catalog(anything), Workflow() as wf:
        node = Node("Anything", value=PurePosixPath("photos/cat.png"))
    assert "cat.png" == wf.to_api(check=False)[node.id]["inputs"]["value"]
    assert '"value": "cat.png"' in wf.to_json(check=False)
    assert [(node, "value", PurePosixPath("photos/cat.png"))] == wf.local_files()
