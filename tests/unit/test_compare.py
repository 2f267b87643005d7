"""comfydsl.diff: the same graph whatever the ids, and a readable difference otherwise.

The hard cases of matching are here by name: many copies of one subgraph hanging off one node,
mirror-image branches, and pairs of graphs that colour refinement alone cannot tell apart (one
ring of nodes against two rings of half the size). The random cases are in
tests/test_compare_properties.py.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from comfydsl import Workflow, compare, load_prompt
from comfydsl.diff import ABSENT, Diff, LinkEnd
from comfydsl.errors import CompareError, PromptFormatError
from comfydsl.nodes import EmptyImage, ImageInvert, SaveImage

Prompt = dict[str, dict[str, Any]]


def node(class_type: str, **inputs: Any) -> dict[str, Any]:
    return {"inputs": inputs, "class_type": class_type}


def shuffled(prompt: Prompt, seed: int = 0) -> Prompt:
    """The prompt under other ids, its nodes in another order."""
    rng = random.Random(seed)
    ids = list(prompt)
    fresh = [f"n{i}" for i in range(len(ids))]
    rng.shuffle(fresh)
    renaming = dict(zip(ids, fresh, strict=True))
    order = ids[:]
    rng.shuffle(order)
    result = {}
    for node_id in order:
        entry = prompt[node_id]
        inputs = {
            k: [renaming[v[0]], v[1]] if isinstance(v, list) else v
            for k, v in entry["inputs"].items()
        }
        result[renaming[node_id]] = {**entry, "inputs": inputs}
    return result


def assert_renaming(diff: Diff, a: Prompt, b: Prompt) -> None:
    """``diff.matched`` maps every node of a onto one of b with the same class, values and links."""
    assert len(a) == len(diff.matched) == len(b)
    for ours, theirs in diff.matched.items():
        mine, other = a[ours], b[theirs]
        assert mine["class_type"] == other["class_type"]
        for name, value in mine["inputs"].items():
            if isinstance(value, list):
                assert [diff.matched[value[0]], value[1]] == other["inputs"][name]
            else:
                assert value == other["inputs"][name]


def copies(count: int) -> Prompt:
    """One loader feeding ``count`` identical three-node chains, each saved."""
    prompt: Prompt = {"1": node("Loader", name="x")}
    for i in range(count):
        base = 10 + 3 * i
        prompt[str(base)] = node("Blur", image=["1", 0], radius=2)
        prompt[str(base + 1)] = node("Sharpen", image=[str(base), 0], amount=1)
        prompt[str(base + 2)] = node("Save", images=[str(base + 1), 0], prefix="out")
    return prompt


# -- the same graph -------------------------------------------------------------------------------


def test_repeated_identical_subgraphs_are_paired_copy_with_copy() -> None:
    a = copies(60)
    b = shuffled(a, seed=3)
    diff = compare(a, b)
    assert diff.same, str(diff)
    assert_renaming(diff, a, b)


def test_mirror_image_branches_are_the_same_graph() -> None:
    # Two identical branches merge into one node: swapping which feeds which input of the merge
    # is the same graph only if the branches are interchangeable, which they are here.
    a = {
        "1": node("Loader"),
        "2": node("Blur", image=["1", 0]),
        "3": node("Blur", image=["1", 0]),
        "4": node("Merge", left=["2", 0], right=["3", 0]),
    }
    b = dict(a)
    b["4"] = node("Merge", left=["3", 0], right=["2", 0])
    diff = compare(a, shuffled(b))
    assert diff.same, str(diff)
    assert_renaming(diff, a, shuffled(b))


def ring(sizes: list[int]) -> Prompt:
    """Rings of sources and sinks: sink i takes ``a`` from source i and ``b`` from source i+1 of
    its ring. Every source feeds one a and one b, every sink takes one of each: colour
    refinement sees no difference between one ring of 12 and two rings of 6."""
    prompt: Prompt = {}
    start = 0
    for size in sizes:
        for i in range(size):
            prompt[f"s{start + i}"] = node("Source", v=1)
        for i in range(size):
            nxt = start + (i + 1) % size
            prompt[f"t{start + i}"] = node("Sink", a=[f"s{start + i}", 0], b=[f"s{nxt}", 0])
        start += size
    return prompt


def test_graphs_that_refinement_cannot_tell_apart_are_told_apart() -> None:
    one, two = ring([12]), ring([6, 6])
    diff = compare(one, two)
    assert not diff.same
    assert compare(one, shuffled(one, seed=5)).same
    assert compare(two, shuffled(two, seed=6)).same


def test_a_large_ring_and_its_renaming_take_one_choice() -> None:
    # Individualising one node makes refinement run round the whole ring: the first candidate
    # is right, and the search does about one refinement's work.
    one = ring([400])
    assert compare(one, shuffled(one, seed=7), budget=20_000).same
    # Telling one ring from two takes a refinement per candidate: more, but within the default.
    assert not compare(ring([60]), ring([30, 30])).same


def test_a_budget_too_small_to_decide_is_an_error_not_a_guess() -> None:
    with pytest.raises(CompareError, match="too symmetric") as caught:
        compare(ring([12]), ring([6, 6]), budget=10)
    assert 10 == caught.value.steps
    # Where the pairing that reads the difference finds none, the answer is certain anyway.
    assert compare(copies(5), shuffled(copies(5)), budget=10).same


def test_a_loop_in_a_prompt_file_is_compared_too() -> None:
    a = {"1": node("A", x=["2", 0]), "2": node("B", y=["1", 0]), "3": node("C", z=["1", 0])}
    assert compare(a, shuffled(a)).same
    b = {**a, "3": node("C", z=["2", 0])}
    assert not compare(a, b).same


def test_titles_count_only_when_asked() -> None:
    a = {"1": {**node("Loader"), "_meta": {"title": "Load"}}}
    b = {"7": {**node("Loader"), "_meta": {"title": "Other"}}}
    assert compare(a, b).same
    diff = compare(a, b, titles=True)
    assert not diff.same
    assert ("Load", "Other") == diff.changed[0].title
    assert 'title: "Load" -> "Other"' in str(diff)


def test_a_title_that_is_no_string_is_compared_as_a_value() -> None:
    # The server ignores _meta, so a prompt file may hold any JSON there.
    odd = {"1": {**node("Loader"), "_meta": {"title": ["Load"]}}}
    assert compare(odd, json.loads(json.dumps(odd)), titles=True).same
    named = {"1": {**node("Loader"), "_meta": {"title": "Load"}}}
    assert not compare(odd, named, titles=True).same
    assert compare(odd, named).same


def test_types_of_values_count() -> None:
    assert not compare({"1": node("A", v=1)}, {"1": node("A", v=1.0)}).same
    assert not compare({"1": node("A", v=1)}, {"1": node("A", v=True)}).same
    assert compare({"1": node("A", v={"x": 1, "y": 2})}, {"1": node("A", v={"y": 2, "x": 1})}).same
    assert compare({"1": node("A", v=float("nan"))}, {"2": node("A", v=float("nan"))}).same


# -- the difference -------------------------------------------------------------------------------


def pipeline() -> Prompt:
    return {
        "1": {**node("Loader", name="a.png"), "_meta": {"title": "Load"}},
        "2": node("Blur", image=["1", 0], radius=2),
        "3": node("Save", images=["2", 0], prefix="out"),
    }


def test_a_changed_value_names_the_node_on_both_sides() -> None:
    b = shuffled(pipeline())
    b[next(k for k, v in b.items() if v["class_type"] == "Blur")]["inputs"]["radius"] = 3
    diff = compare(pipeline(), b)
    assert (0, 0, 1) == (len(diff.only_a), len(diff.only_b), len(diff.changed))
    change = diff.changed[0]
    assert ("2", "Blur") == (change.a.id, change.a.class_type)
    assert "Blur" == change.b.class_type and change.b.id in b
    (item,) = change.inputs
    assert ("radius", 2, 3, "value") == (item.name, item.a, item.b, item.kind)
    text = str(diff)
    assert "different: 1 node changed (ids and titles aside)" in text
    assert "radius: 2 -> 3" in text


def test_a_re_wired_link_says_where_it_came_from_on_each_side() -> None:
    a = {**pipeline(), "4": node("Loader", name="b.png")}
    b = {**a, "2": node("Blur", image=["4", 0], radius=2)}
    diff = compare(a, b)
    (change,) = diff.changed
    (item,) = change.inputs
    assert "link" == item.kind
    assert isinstance(item.a, LinkEnd) and isinstance(item.b, LinkEnd)
    assert ("1", "4") == (item.a.node.id, item.b.node.id)
    assert 'image: Loader "Load" #1 [0] -> Loader #4 [0]' in str(diff)


def test_nodes_on_one_side_only_and_inputs_given_on_one_side() -> None:
    a = pipeline()
    b = {**pipeline(), "9": node("Preview", images=["2", 0])}
    b["3"] = node("Save", images=["2", 0])
    diff = compare(a, b)
    assert [] == [ref.id for ref in diff.only_a]
    assert ["9"] == [ref.id for ref in diff.only_b]
    (change,) = diff.changed
    (item,) = change.inputs
    assert ("prefix", "out", ABSENT) == (item.name, item.a, item.b)
    text = str(diff)
    assert "  + Preview #9" in text and 'prefix: "out" -> (not given)' in text
    reverse = compare(b, a)
    assert ["9"] == [ref.id for ref in reverse.only_a]


def test_the_json_report_has_every_detail() -> None:
    b = {**pipeline(), "9": node("Preview", images=["2", 0])}
    b["2"] = node("Blur", image=["1", 0], radius=5)
    data = json.loads(json.dumps(compare(pipeline(), b, names=("old", "new")).to_json()))
    assert (False, False) == (data["same"], data["titles"])
    assert {"name": "old", "nodes": 3} == data["a"]
    assert ["9"] == [ref["id"] for ref in data["only_b"]]
    (change,) = data["changed"]
    assert {"id": "2", "class_type": "Blur", "title": None, "file": None, "line": None} == change[
        "a"
    ]
    assert [{"name": "radius", "kind": "value", "a": {"value": 2}, "b": {"value": 5}}] == change[
        "inputs"
    ]
    assert {"1": "1", "2": "2", "3": "3"} == data["matched"]


def test_a_node_built_in_python_is_named_with_its_line() -> None:
    with Workflow() as wf:
        image = EmptyImage(width=64, height=64)
        SaveImage(images=ImageInvert(image=image), filename_prefix="x")  # this line
    prompt = wf.to_api()
    prompt["3"]["inputs"]["filename_prefix"] = "y"
    diff = compare(prompt, wf)
    (change,) = diff.changed
    assert change.b.source is not None
    assert (Path(__file__).name, "this line") == (
        Path(change.b.source.file).name,
        Path(__file__).read_text(encoding="utf-8").splitlines()[change.b.source.line - 1][-9:],
    )
    assert f"({change.b.source})" in str(diff)


# -- the sides ------------------------------------------------------------------------------------


def test_a_side_is_a_workflow_a_prompt_or_a_file(tmp_path: Path) -> None:
    file = tmp_path / "p.json"
    file.write_text(json.dumps(pipeline()), encoding="utf-8")
    diff = compare(str(file), load_prompt(pipeline()))
    assert diff.same
    assert (str(file), "A") == (diff.a.name, compare(pipeline(), file).b.name[:0] or "A")
    with pytest.raises(CompareError, match="not int"):
        compare(5, pipeline())  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("content", "error", "said"),
    [
        ('{"1": {"class_type": "A", "inputs": {', PromptFormatError, "not valid JSON"),
        ("[1, 2]", PromptFormatError, "not a list"),
        (
            '{"1": {"class_type": "A", "inputs": {"x": ["9", 0]}}}',
            CompareError,
            "cannot be followed",
        ),
        ('{"1": {"inputs": {}}}', PromptFormatError, "no class_type"),
    ],
    ids=["truncated", "a list", "a link to a missing node", "no class"],
)
def test_a_bad_file_is_one_clear_error(
    tmp_path: Path, content: str, error: type[Exception], said: str
) -> None:
    file = tmp_path / "bad.json"
    file.write_text(content, encoding="utf-8")
    with pytest.raises(error, match=said) as caught:
        compare(file, pipeline())
    assert str(file) in str(caught.value) and 1 == len(str(caught.value).splitlines())
