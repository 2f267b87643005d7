"""What a picture shows of a text: printable, cut readably, escaped for where it goes."""

from __future__ import annotations

import pytest

from comfydsl.picture.text import dot_html, html_text, shown_text


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("plain words, 42 of them", "plain words, 42 of them"),
        ("é 名前 🙂 ß", "é 名前 🙂 ß"),
        ("a\nb\rc\td", "a\\nb\\rc\\td"),
        ("\x00\x01\x1b\x7f\x85\x9f", "\\x00\\x01\\x1b\\x7f\\x85\\x9f"),
        ("\ud800\udfff", "\\ud800\\udfff"),
        ("\ufffe\uffff\ufdd0\U0001fffe", "\\ufffe\\uffff\\ufdd0\\U0001fffe"),
        ("\u202edesrever\u202c", "\\u202edesrever\\u202c"),
        ("one\u2028two", "one\\u2028two"),
        ('" \\ < > &', '" \\ < > &'),
    ],
)
def test_a_text_is_shown_printable(text: str, shown: str) -> None:
    assert shown == shown_text(text, 100)


def test_a_long_text_is_cut_with_its_length() -> None:
    assert "abcde… (26 characters)" == shown_text("abcdefghijklmnopqrstuvwxyz", 5)


def test_an_escape_is_never_cut_in_half() -> None:
    assert "ab… (4 characters)" == shown_text("ab\x00c", 5)  # \x00 is 4 characters shown


def test_a_huge_text_costs_only_what_is_shown() -> None:
    text = "x" * 50_000_000
    assert shown_text(text, 10).startswith("xxxxxxxxxx… (50,000,000 characters)")


def test_html_escapes_markup_and_quotes() -> None:
    assert "&lt;b a=&quot;1&quot;&gt;&amp;amp;&lt;/b&gt;" == html_text('<b a="1">&amp;</b>')


def test_a_dot_label_doubles_backslashes_so_graphviz_shows_them() -> None:
    # Graphviz reads \N, \G, \l... in a label's text: \\ is how it shows one backslash.
    assert "C:\\\\x \\\\N &lt;" == dot_html("C:\\x \\N <")
