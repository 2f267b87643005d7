"""The writers of generated source (comfydsl.codegen.render): literals, comments, the environment."""

from __future__ import annotations

import ast
import math
from typing import Any

import pytest
import strategies as sts
from hypothesis import given
from hypothesis import strategies as st

from comfydsl.codegen.render import Code, comment, environment, literal
from comfydsl.names import PythonIdentifier

CANARY = '__import__("os").system("echo pwned")'


def same(a: Any, b: Any) -> bool:
    """Equal, of the same types all the way down, NaN aside (it has no literal)."""
    if isinstance(b, dict):
        return type(a) is dict and list(a) == list(b) and all(same(a[k], b[k]) for k in b)
    if isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(map(same, a, b))
    return type(a) is type(b) and a == b


def has_nan(value: Any) -> bool:
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, dict):
        return any(has_nan(v) for v in value.values())
    if isinstance(value, list):
        return any(has_nan(v) for v in value)
    return False


def same_or_nan(a: Any, b: Any) -> bool:
    """``same``, with NaN equal to NaN."""
    if isinstance(b, float) and math.isnan(b):
        return isinstance(a, float) and math.isnan(a)
    if isinstance(b, dict):
        return type(a) is dict and list(a) == list(b) and all(same_or_nan(a[k], b[k]) for k in b)
    if isinstance(b, list):
        return type(a) is list and len(a) == len(b) and all(map(same_or_nan, a, b))
    return same(a, b)


@given(sts.json_values(CANARY))
def test_nan_is_written_as_its_one_call_when_asked(value: Any) -> None:
    text = literal(value, nan=True)
    tree = ast.parse(text, mode="eval")
    calls = [ast.unparse(n) for n in ast.walk(tree) if isinstance(n, ast.Call)]
    assert all('float("nan")' == c or "float('nan')" == c for c in calls), calls
    assert same_or_nan(
        eval(compile(tree, "<literal>", "eval"), {"__builtins__": {"float": float}}), value
    )


@given(sts.json_values(CANARY))
def test_a_literal_reads_back_as_its_value(value: Any) -> None:
    if has_nan(value):
        with pytest.raises(ValueError, match="NaN"):
            literal(value)
        return
    text = literal(value)
    assert isinstance(text, Code)
    assert same(ast.literal_eval(text), value), text
    assert 1 == len(text.splitlines()), "one line, whatever the value holds"


@given(st.one_of(sts.hostile_texts(CANARY), st.text()))
def test_a_multiline_literal_reads_back_and_breaks_lines_only_at_newlines(text: str) -> None:
    written = literal(text, multiline=True)
    assert text == ast.literal_eval(written)
    assert written.count("\n") == len(written.splitlines()) - 1 or not written.splitlines()
    tree = ast.parse(f"def f():\n    {written}\n")
    function = tree.body[0]
    assert isinstance(function, ast.FunctionDef)
    assert text == ast.get_docstring(function, clean=False)


@given(st.one_of(sts.hostile_texts(CANARY), st.text()))
def test_a_comment_stays_one_comment(text: str) -> None:
    written = comment(text)
    source = f"# {written}\nx = 1\n"
    assert 2 == len(source.splitlines()), repr(written)
    tree = ast.parse(source)
    assert 1 == len(tree.body), "the comment added no statement"
    assert "coding:" not in written.lower() and "coding=" not in written.lower()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a\nb", "a\\nb"),
        ("a\r\nb", "a\\r\\nb"),
        (
            "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029\x00",
            "\\x0b\\x0c\\x1c\\x1d\\x1e\\x85\\u2028\\u2029\\x00",
        ),
        ("C:\\packs\\x.json", "C:\\packs\\x.json"),
        ("x # coding: utf-7", "x # coding\\x3a utf-7"),
        ("vim: fileencoding=latin-1", "vim: fileencoding\\x3dlatin-1"),
        ("größe 名前", "größe 名前"),
    ],
)
def test_comment_escapes_line_breaks_visibly(text: str, expected: str) -> None:
    assert expected == comment(text)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('it\'s "q"', '"it\'s \\"q\\""'),
        ("back\\slash", '"back\\\\slash"'),
        ("new\nline", '"new\\nline"'),
        ("\u2028\ud800\u202e", '"\\u2028\\ud800\\u202e"'),
        (None, "None"),
        (True, "True"),
        (-0.0, "-0.0"),
        (float("inf"), "1e999"),
        ([1, {"a": (2,)}], '[1, {"a": (2,)}]'),
    ],
)
def test_literal_forms(value: Any, expected: str) -> None:
    assert expected == literal(value)


def test_a_plain_string_is_quoted_as_it_is_and_a_docstring_in_three_quotes() -> None:
    assert '"plain text, it\'s #1"' == literal("plain text, it's #1")
    assert '"""plain"""' == literal("plain", multiline=True)


def test_a_docstring_literal_keeps_its_lines() -> None:
    assert '"""a\n    b \\\\ \\"\\"\\" c\\""""' == literal('a\n    b \\ """ c"', multiline=True)


@pytest.mark.parametrize("value", [float("nan"), object(), {1: 2}, {"a": {3}}])
def test_values_without_a_literal_are_refused(value: Any) -> None:
    with pytest.raises(ValueError):
        literal(value)


def test_the_environment_writes_only_what_a_writer_made() -> None:
    env = environment()
    template = env.from_string("{{ a }} {{ b }} {{ n }} {{ t | literal }} {{ t | comment }}")
    text = template.render(a=Code("x"), b=PythonIdentifier("from"), n=3, t="q\n")
    assert 'x from_ 3 "q\\n" q\\n' == text
    with pytest.raises(TypeError, match="literal\\(\\), comment\\(\\) or PythonIdentifier"):
        env.from_string("{{ raw }}").render(raw="x\n" + CANARY)
    with pytest.raises(TypeError):
        env.from_string("{{ flag }}").render(flag=True)
