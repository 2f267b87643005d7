"""Properties of ``compare``: ids do not matter, one change is reported as that one change.

Random workflows (tests/strategies.py: ``valid_plans`` over random catalogs, and
``graph_prompts``, DAGs of few classes and values made of repeated copies of a subgraph and of
mirror-image branches) are compared with themselves shuffled and renamed, and with one mutation:
a value, a link, a node added, a node taken away. The answer is checked two ways, neither of
which trusts comfydsl's own matching:

- ``same`` agrees with a naive isomorphism search written here (small graphs only);
- the report is *sound*: applying what it says to ``a`` (drop the nodes only in A, add those
  only in B, set the changed inputs) gives a workflow that compares the same as ``b``; and it
  is *exactly the mutation*: one changed input of the mutated kind, one node added or taken away
  (with the inputs that linked to it).
"""

from __future__ import annotations

import copy
import json
from typing import Any

import strategies as sts
from hypothesis import given
from hypothesis import strategies as st

from comfydsl.diff import ABSENT, Diff, LinkEnd, compare

# -- a naive oracle -------------------------------------------------------------------------------


def _label(entry: dict[str, Any]) -> str:
    literals = {n: v for n, v in entry["inputs"].items() if not sts.is_link(v)}
    return json.dumps([entry["class_type"], literals], sort_keys=True)


def naive_same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Whether a renaming of ``a``'s ids gives ``b`` (titles aside), by plain backtracking."""
    if len(a) != len(b):
        return False
    labels_b: dict[str, list[str]] = {}
    for node_id, entry in b.items():
        labels_b.setdefault(_label(entry), []).append(node_id)
    order = list(a)
    mapping: dict[str, str] = {}
    used: set[str] = set()

    def consistent(x: str, y: str) -> bool:
        ins_x = {n: v for n, v in a[x]["inputs"].items() if sts.is_link(v)}
        ins_y = {n: v for n, v in b[y]["inputs"].items() if sts.is_link(v)}
        if set(ins_x) != set(ins_y):
            return False
        for name, (source, output) in ins_x.items():
            if source in mapping and [mapping[source], output] != ins_y[name]:
                return False
        # Links into x from nodes already mapped must be links into y.
        for z, w in mapping.items():
            for name, v in a[z]["inputs"].items():
                if sts.is_link(v) and v[0] == x and b[w]["inputs"].get(name) != [y, v[1]]:
                    return False
        return True

    def extend(i: int) -> bool:
        if i == len(order):
            return True
        x = order[i]
        for y in labels_b.get(_label(a[x]), []):
            if y not in used and consistent(x, y):
                mapping[x] = y
                used.add(y)
                if extend(i + 1):
                    return True
                del mapping[x]
                used.discard(y)
        return False

    return extend(0)


# -- the report applied ---------------------------------------------------------------------------


def apply(diff: Diff, a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """``a`` with every difference the report gives made: it should then be ``b``."""
    result = copy.deepcopy(a)
    in_a = {theirs: ours for ours, theirs in diff.matched.items()}
    for ref in diff.only_a:
        del result[ref.id]
    for ref in diff.only_b:
        in_a[ref.id] = f"new {ref.id}"
    for ref in diff.only_b:
        result[in_a[ref.id]] = sts.relinked(b[ref.id], in_a)
    for change in diff.changed:
        inputs = result[change.a.id]["inputs"]
        for item in change.inputs:
            if item.b is ABSENT:
                del inputs[item.name]
            elif isinstance(item.b, LinkEnd):
                inputs[item.name] = [in_a[item.b.node.id], item.b.index]
            else:
                inputs[item.name] = copy.deepcopy(item.b)
    return result


def check_sound(diff: Diff, a: dict[str, Any], b: dict[str, Any]) -> None:
    applied = apply(diff, a, b)
    again = compare(applied, b)
    assert again.same, f"the report does not turn A into B:\n{diff}\n\nleft:\n{again}"


# -- the properties -------------------------------------------------------------------------------

graphs = st.one_of(
    sts.graph_prompts(),
    sts.valid_plans().map(lambda plan: sts.build(plan)[0].to_api()),
)


@given(graphs, st.data())
def test_a_workflow_compares_the_same_as_itself_renamed_and_shuffled(
    prompt: dict[str, Any], data: st.DataObject
) -> None:
    prompt = json.loads(json.dumps(prompt))
    other = data.draw(sts.renamed_prompts(prompt), label="renamed")
    diff = compare(prompt, other)
    assert diff.same, f"renamed ids made a difference:\n{diff}"
    assert len(prompt) == len(diff.matched)
    for ours, theirs in diff.matched.items():
        assert prompt[ours]["class_type"] == other[theirs]["class_type"]


@given(sts.graph_prompts(), st.data())
def test_one_mutation_is_reported_as_exactly_that_change(
    prompt: dict[str, Any], data: st.DataObject
) -> None:
    mutated, kind = data.draw(sts.mutated_graphs(prompt), label="mutation")
    other = data.draw(sts.renamed_prompts(mutated), label="renamed")
    diff = compare(prompt, other)
    expected_same = naive_same(prompt, other)
    assert expected_same == diff.same, f"{kind}: naive search says {expected_same}:\n{diff}"
    if diff.same:
        return  # a link moved between two nodes that nothing tells apart
    check_sound(diff, prompt, other)
    changed_inputs = [item for change in diff.changed for item in change.inputs]
    if kind in ("value", "link"):
        assert not diff.only_a and not diff.only_b, f"{kind}: \n{diff}"
        assert 1 == len(changed_inputs), f"{kind}: one input changed, not:\n{diff}"
        assert kind == changed_inputs[0].kind, f"{kind}:\n{diff}"
    elif kind == "add":
        assert (0, 1, []) == (len(diff.only_a), len(diff.only_b), changed_inputs), f"add:\n{diff}"
    else:
        # The node and the inputs that took links from it; where nodes look alike, another
        # report of the same length may say it (another node gone, another input lost).
        assert (1, 0) == (len(diff.only_a), len(diff.only_b)), f"remove:\n{diff}"
        (removed,) = set(prompt) - set(mutated)
        linked = [v for e in prompt.values() for v in e["inputs"].values() if sts.is_link(v)]
        assert len(changed_inputs) <= sum(v[0] == removed for v in linked), f"remove:\n{diff}"
        for item in changed_inputs:
            assert item.b is ABSENT, f"remove:\n{diff}"


@given(sts.graph_prompts(), sts.graph_prompts())
def test_any_two_workflows_get_a_sound_report(a: dict[str, Any], b: dict[str, Any]) -> None:
    diff = compare(a, b)
    assert naive_same(a, b) == diff.same, str(diff)
    check_sound(diff, a, b)
