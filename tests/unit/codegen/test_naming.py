"""PythonIdentifier (comfydsl.names): the one rule that gives every name of a catalog its Python form.

The stub and the runtime's aliases both come from it, so what the stub declares is what a call
accepts.
"""

from __future__ import annotations

import keyword
import unicodedata

import pytest
import strategies as sts
from hypothesis import given
from hypothesis import strategies as st

from comfydsl.names import (
    Namespace,
    PythonIdentifier,
    python_name,
    snake_name,
    unique_python_names,
)

CANARY = '__import__("os").system("echo pwned")'

names = st.one_of(st.text(), sts.hostile_texts(CANARY), st.sampled_from(sts.PYTHON_WORDS))


@given(names)
def test_the_form_of_any_name_stands_in_python_as_itself(name: str) -> None:
    fixed = PythonIdentifier(name)
    assert fixed.isidentifier() and fixed.isascii(), fixed
    assert not keyword.iskeyword(fixed)
    assert fixed != "__debug__"
    assert fixed == unicodedata.normalize("NFKC", fixed), "NFKC leaves it alone"
    assert fixed == PythonIdentifier(fixed), "a fixed name is its own form"
    assert fixed == python_name(name) and type(python_name(name)) is str
    compile(
        f"def f({fixed}=1):\n    {fixed} = 2\nclass C:\n    {fixed} = 3\nf({fixed}=4)\n",
        "x",
        "exec",
    )


@given(names)
def test_exact_is_the_name_when_it_needs_no_fixing(name: str) -> None:
    exact = PythonIdentifier.exact(name)
    assert (exact is not None) == (PythonIdentifier(name) == name and name != "")
    if exact is not None:
        assert name == exact and isinstance(exact, PythonIdentifier)


@given(st.lists(names, max_size=6))
def test_unique_names_are_distinct_identifiers(raw: list[str]) -> None:
    found = unique_python_names(raw)
    assert len(set(found)) == len(found) == len(raw)
    assert all(PythonIdentifier.exact(n) == n for n in found)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("__debug__", "__debug___"),
        ("..debug..", "__debug___"),
        ("__class__", "__class__"),
        ("__", "__"),
        ("__x", "__x"),
        ("_", "_"),
        ("match", "match"),
        ("type", "type"),
        ("ﬁx", "_x"),
        ("ｆｏｒ", "___"),
        ("x\u2118", "x_"),
        ("", "value"),
        ("9", "_9"),
        ("None", "None_"),
    ],
)
def test_python_identifier_rule(name: str, expected: str) -> None:
    assert expected == PythonIdentifier(name)


def test_names_unfit_for_a_class_body_are_told_apart() -> None:
    assert PythonIdentifier("__x").mangled and not PythonIdentifier("__x").dunder
    assert PythonIdentifier("__x__").dunder and not PythonIdentifier("__x__").mangled
    assert PythonIdentifier("___").dunder
    assert not PythonIdentifier("_x").mangled and not PythonIdentifier("_x__").dunder


# -- variables of generated scripts -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Load Checkpoint", "load_checkpoint"),
        ("VAEDecode", "vae_decode"),
        ("CLIPTextEncode", "clip_text_encode"),
        ("KSampler (Advanced)", "ksampler_advanced"),
        ("IPAdapterApply", "ip_adapter_apply"),
        ("3D Model", "_3d_model"),
        ("class", "class_"),
        ("None", "none"),
        ("__debug__", "debug"),
        ("名前", "node"),
        ("", "node"),
    ],
)
def test_snake_names_read_as_the_words_of_a_title_or_class(text: str, expected: str) -> None:
    assert expected == snake_name(text, fallback="node")


@given(names, names)
def test_a_namespace_hands_out_distinct_free_identifiers(first: str, second: str) -> None:
    space = Namespace(["Node", "unchecked_node"])
    made = [space.fresh(first), space.fresh(first), space.fresh(second), space.fresh("print")]
    assert len(set(made)) == len(made)
    for name in made:
        assert PythonIdentifier.exact(name) == name and len(name) <= 45
        assert name not in ("Node", "unchecked_node", "print")
        assert not keyword.iskeyword(name)
    assert space.claim("Node") is None and space.claim(made[0]) is None
    assert space.claim("len") is None, "a builtin is never handed out"
    assert "KSampler" == space.claim("KSampler") and space.claim("KSampler") is None
