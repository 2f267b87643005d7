"""Templates of scripts and prompts (comfydsl.templates): values go in as literals of the
target language and arrive as they were given, whatever they hold; a template that would let a
value become code is refused at its line; undefined variables name themselves and their line.
"""

from __future__ import annotations

import ast
import json
import math
import re
import warnings
from pathlib import Path
from typing import Any

import pytest
import strategies as sts
from hypothesis import given

from comfydsl.cli.script import ScriptSource
from comfydsl.templates import (
    Template,
    TemplateError,
    is_template,
    json_value,
    load_variables,
    parse_assignment,
    parse_value,
    python_value,
    template_kind,
)

CANARY = 'raise RuntimeError("the canary ran")'


def make(tmp_path: Path, name: str, text: str) -> Template:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return Template(path)


def same(a: Any, b: Any) -> bool:
    """Equal and of the same type all the way down (True is not 1, 1.0 is not 1)."""
    if isinstance(b, dict):
        return isinstance(a, dict) and list(a) == list(b) and all(same(a[k], b[k]) for k in b)
    if isinstance(b, list):
        return type(a) is list and len(a) == len(b) and all(map(same, a, b))
    return type(a) is type(b) and a == b


def run_script(text: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {}
    exec(compile(text, "<rendered>", "exec"), namespace)
    return namespace


# -- what a file is, and values from text ----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("a.py.j2", "python"),
        ("a.json.j2", "json"),
        ("A.PY.JINJA", "python"),
        ("x.json.jinja2", "json"),
    ],
)
def test_the_kind_of_a_template_is_in_its_name(name: str, kind: str) -> None:
    assert (True, kind) == (is_template(name), template_kind(name))


@pytest.mark.parametrize("name", ["a.txt.j2", "a.j2", "a.yaml.jinja"])
def test_a_template_of_another_language_is_an_error(name: str) -> None:
    with pytest.raises(TemplateError, match=r"\.py\.j2.*\.json\.j2"):
        template_kind(name)


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("42", None, 42),
        ("-7", None, -7),
        ("7.5", None, 7.5),
        ("true", None, True),
        ("null", None, None),
        ('"quoted"', None, "quoted"),
        ("[1, 2]", None, [1, 2]),
        ('{"a": 1}', None, {"a": 1}),
        ("a cat", None, "a cat"),
        ("007", None, "007"),
        ("NaN", None, "NaN"),
        ("Infinity", None, "Infinity"),
        ("", None, ""),
        ("42", "str", "42"),
        (" 42 ", "int", 42),
        ("7", "float", 7.0),
        ("yes", "bool", True),
        ("off", "bool", False),
        ('"x"', "json", "x"),
    ],
)
def test_values_from_text_are_typed(text: str, kind: str | None, expected: Any) -> None:
    assert same(parse_value(text, kind), expected)


@pytest.mark.parametrize(
    ("text", "kind", "said"),
    [
        ("x", "int", "not an integer"),
        ("1e999", "float", "not a finite number"),
        ("maybe", "bool", "not a boolean"),
        ("NaN", "json", "not JSON"),
        ("1e999", "json", "too large"),
        ("1", "list", "unknown type"),
    ],
)
def test_a_value_of_the_wrong_type_is_an_error(text: str, kind: str, said: str) -> None:
    with pytest.raises(ValueError, match=said):
        parse_value(text, kind)


def test_assignments_name_a_variable_and_maybe_a_type() -> None:
    assert ("seed", None, "42") == parse_assignment("seed=42")
    assert ("tag", "str", "a=b") == parse_assignment("tag:str=a=b")
    assert ("x", None, "") == parse_assignment("x=")
    for bad in ("42=1", "seed", "a b=1", "seed:list=1"):
        with pytest.raises(ValueError):
            parse_assignment(bad)


def test_variables_come_from_toml_and_json_files(tmp_path: Path) -> None:
    (tmp_path / "v.toml").write_text('seed = 7\nprompt = "a \\"cat\\""\n[size]\nw = 8\n', "utf-8")
    (tmp_path / "v.json").write_text('{"seed": 7, "flag": true}', "utf-8")
    assert {"seed": 7, "prompt": 'a "cat"', "size": {"w": 8}} == load_variables(tmp_path / "v.toml")
    assert {"seed": 7, "flag": True} == load_variables(tmp_path / "v.json")


@pytest.mark.parametrize(
    ("name", "content", "said"),
    [
        ("v.toml", "seed = ", "not valid TOML"),
        ("v.toml", "when = 1979-05-27T07:32:00Z", "cannot be written"),
        ("v.toml", "x = nan", "NaN"),
        ("v.json", "[1, 2]", "an object"),
        ("v.json", '{"a b": 1}', "not a variable name"),
        ("v.json", '{"a": NaN}', "not valid JSON"),
        ("v.yaml", "a: 1", ".toml or .json"),
        ("missing.json", None, "cannot read the file"),
    ],
)
def test_a_bad_variables_file_is_an_error_naming_it(
    tmp_path: Path, name: str, content: str | None, said: str
) -> None:
    if content is not None:
        (tmp_path / name).write_text(content, encoding="utf-8")
    with pytest.raises(TemplateError, match=said) as caught:
        load_variables(tmp_path / name)
    assert str(tmp_path / name) == caught.value.file


# -- values written as literals ---------------------------------------------------------------------


def test_values_are_python_literals_in_a_script(tmp_path: Path) -> None:
    template = make(
        tmp_path,
        "s.py.j2",
        "a = {{ s }}\nb = {{ n }} ** 2\nc = {{ items }}\nd = {{ none }}\n# {{ s }}\n",
    )
    text = template.render(
        {"s": "x \"y\" ''' \\ {{ z }}\n", "n": -3, "items": [1, "2"], "none": None}
    )
    assert 'a = "x \\"y\\" \'\'\' \\\\ {{ z }}\\n"\nb = (-3) ** 2\n' == text.split("c =")[0]
    namespace = run_script(text)
    assert (9, [1, "2"], None) == (namespace["b"], namespace["c"], namespace["d"])


def test_values_are_json_in_a_prompt_template(tmp_path: Path) -> None:
    template = make(tmp_path, "p.json.j2", '{"a": {{ s }}, {{ k }}: [{{ n }}, {{ f }}]}')
    text = template.render({"s": 'q"\\\n', "k": "key", "n": -1, "f": 2.5})
    assert {"a": 'q"\\\n', "key": [-1, 2.5]} == json.loads(text)


def test_a_value_in_a_comment_cannot_choose_the_encoding(tmp_path: Path) -> None:
    template = make(tmp_path, "c.py.j2", "# {{ note }}\nx = {{ note }}\n")
    text = template.render({"note": "coding: latin-1"})
    assert "coding:" not in text
    assert "coding: latin-1" == run_script(text)["x"]


@pytest.mark.parametrize("value", [math.nan, math.inf, object(), {1: 2}, range(3)])
def test_a_value_with_no_literal_is_an_error_at_its_line(tmp_path: Path, value: Any) -> None:
    template = make(tmp_path, "v.py.j2", "x = 1\ny = {{ v }}\n")
    if value is math.inf:
        assert 1e999 == run_script(template.render({"v": value}))["y"]  # Python has one
        template = make(tmp_path, "v.json.j2", "[1,\n{{ v }}]")
    with pytest.raises(TemplateError, match="has no literal") as caught:
        template.render({"v": value})
    assert 2 == caught.value.line


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ('x = "img_{{ seed }}"\n', "inside a string literal"),
        ("x = '''\n{{ seed }}\n'''\n", "inside a string literal"),
        ('x = f"{seed}{{ seed }}"\n', "inside a string literal"),
        ("x = 1{{ seed }}\n", "would join"),
        ("x{{ seed }} = 1\n", "would join"),
        ("x = {{ seed }}j\n", "would join"),
        ("x = a.{{ seed }}\n", "would join"),
        ("x = 1.{{ seed }}\n", "would join"),
        ("x = 0x{{ seed }}\n", "would join"),
        ("x = r{{ seed }}\n", "would join"),
        ("{% for i in range(2) %}w{{ i }} = 1\n{% endfor %}", "would join"),
        ("{% macro m(v) %}'{{ v }}'{% endmacro %}x = {{ m(seed) }}\n", "inside a string literal"),
    ],
)
def test_a_value_that_would_not_stand_alone_is_refused_at_its_line(
    tmp_path: Path, text: str, said: str
) -> None:
    template = make(tmp_path, "t.py.j2", "import os\n" + text)
    with pytest.raises(TemplateError, match=said) as caught:
        template.render({"seed": 5})
    assert (str(tmp_path / "t.py.j2"), 2 + text.count("\n", 0, text.find("{{"))) == (
        caught.value.file,
        caught.value.line,
    )


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ('{"a": "img_{{ seed }}"}', "inside a string literal"),
        ('{"{{ seed }}": 1}', "inside a string literal"),
        ('{"a": 1{{ seed }}}', "would join"),
        ('{"a": -{{ seed }}}', "would join"),
        ('{"a": {{ seed }}.5}', "would join"),
        ('{"a": {{ seed }} {{ seed }}}', "stand alone"),
    ],
)
def test_a_json_value_that_would_not_stand_alone_is_refused(
    text: str, said: str, tmp_path: Path
) -> None:
    with pytest.raises(TemplateError, match=said):
        make(tmp_path, "t.json.j2", text).render({"seed": 5})


INJECTION = "__import__('os').getcwd()"


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("x = {{ v | safe }}\n", "the safe filter"),
        ("x = {{ v | e }}\n", "the e filter"),
        ("x = {{ v | escape }}\n", "the escape filter"),
        ("x = {{ v | forceescape }}\n", "the forceescape filter"),
        ("x = {{ v | tojson }}\n", "the tojson filter"),
        ("x = {{ v | urlize }}\n", "the urlize filter"),
        ("x = {{ {'a': v} | xmlattr }}\n", "the xmlattr filter"),
        ("x = {{ m() ~ v }}\n", "~ (joining)"),
        ("x = {{ v ~ m() }}\n", "~ (joining)"),
        ("x = {{ m() + v }}\n", "'+'"),
        ("x = {{ m() % v }}\n", "'%'"),
        ("x = {{ m() % (v,) }}\n", "'%'"),
        ("x = {{ [m(), v] | join(', ') }}\n", "the join filter"),
        ("x = {{ [m()] | join(v) }}\n", "the join filter"),
        ("x = {{ [m(), m()] | join(', ') }}\n", "the join filter"),
        ("x = {{ m() | replace('a', v) }}\n", "the replace filter"),
        ("x = {{ m() | format(v) }}\n", "the format filter"),
        ("x = {{ m().replace('a', v) }}\n", "unsafe"),
        ("x = {{ m().format(v) }}\n", "unsafe"),
        ("{% filter replace('a', v) %}x = a{% endfilter %}\n", "the replace filter"),
    ],
)
def test_a_value_cannot_be_made_template_text(tmp_path: Path, text: str, said: str) -> None:
    """jinja2 escapes a value into Markup (template text) wherever it meets Markup; HTML
    escaping would leave Python code as it is, so each of those ways is refused."""
    template = make(tmp_path, "t.py.j2", "{% macro m() %}f({}, a){% endmacro %}" + text)
    with pytest.raises(TemplateError, match=re.escape(said)) as caught:
        template.render({"v": INJECTION})
    assert 1 == caught.value.line


def test_template_text_and_values_each_combine_with_their_own(tmp_path: Path) -> None:
    template = make(
        tmp_path,
        "t.py.j2",
        "{% macro m(n) %} + {{ n }}{% endmacro %}"
        "a = 0{{ m(1) ~ m(2) }}\n"
        "b = {{ v ~ '!' }}\n"
        "c = {{ [v, v] | join('+') }}\n"
        "d = 0{% for n in (3, 4) %}{{ m(n) }}{% endfor %}\n\n"
        "e = {{ '%s?' % v }}\n"
        "f = {{ v | replace('o', '0') | upper }}\n",
    )
    namespace = run_script(template.render({"v": INJECTION}))
    assert (3, 7) == (namespace["a"], namespace["d"])  # template text joined to template text
    assert (INJECTION + "!", INJECTION + "+" + INJECTION, INJECTION + "?") == (
        namespace["b"],
        namespace["c"],
        namespace["e"],
    )
    assert INJECTION.replace("o", "0").upper() == namespace["f"]


def test_macros_blocks_and_includes_write_template_text(tmp_path: Path) -> None:
    (tmp_path / "part.py.j2").write_text("z = {{ seed + 1 }}\n", encoding="utf-8")
    template = make(
        tmp_path,
        "t.py.j2",
        "{% macro pair(a, b) %}({{ a }}, {{ b }}){% endmacro %}"
        "x = {{ pair(seed, name) }}\n"
        "{% set block %}[{{ name }}]{% endset %}y = {{ block }}\n"
        "{% include 'part.py.j2' %}"
        "w = [{% for i in range(2) %}{{ i }}, {% endfor %}]\n",
    )
    namespace = run_script(template.render({"seed": 1, "name": "n'"}))
    assert ((1, "n'"), ["n'"], 2, [0, 1]) == tuple(namespace[k] for k in "xyzw")
    assert frozenset({"seed", "name"}) == template.variables
    assert not template.lines_kept


def test_an_undefined_variable_names_itself_and_its_line(tmp_path: Path) -> None:
    template = make(tmp_path, "t.py.j2", "a = 1\nb = {{ seed }}\n")
    with pytest.raises(TemplateError) as caught:
        template.render({"sede": 3})
    error = caught.value
    assert (str(tmp_path / "t.py.j2"), 2) == (error.file, error.line)
    assert "undefined variable 'seed'; did you mean 'sede'?" == error.detail


def test_an_undefined_variable_in_an_include_names_the_included_file(tmp_path: Path) -> None:
    (tmp_path / "part.py.j2").write_text("\n\nz = {{ missing }}\n", encoding="utf-8")
    template = make(tmp_path, "t.py.j2", "{% include 'part.py.j2' %}")
    with pytest.raises(TemplateError, match="undefined variable 'missing'") as caught:
        template.render()
    assert (str(tmp_path / "part.py.j2"), 3) == (caught.value.file, caught.value.line)


def test_a_default_makes_a_variable_optional(tmp_path: Path) -> None:
    template = make(
        tmp_path, "t.py.j2", 'x = {{ seed | default(7) }}\ny = {{ p | default("a") }}\n'
    )
    assert 'x = 7\ny = "a"\n' == template.render()
    assert template.lines_kept


@pytest.mark.parametrize(
    ("text", "line", "said"),
    [
        ("a = 1\nb = {{ x \n", 2, "template syntax"),
        ("{% if x %}\n", 1, "template syntax"),
        ("x = {{ x.__class__ }}\n", 1, "SecurityError"),
        ("x = {{ 1 / 0 }}\n", 1, "ZeroDivisionError"),
        ("{% include 'nowhere.j2' %}\n", 1, "no template 'nowhere.j2'"),
        ("{% include '../../etc/passwd' %}\n", 1, "no template"),
    ],
)
def test_a_broken_template_is_an_error_at_its_line(
    tmp_path: Path, text: str, line: int, said: str
) -> None:
    with pytest.raises(TemplateError, match=said) as caught:
        make(tmp_path, "t.py.j2", text).render({"x": 1})
    assert line == caught.value.line


def test_the_template_says_which_variables_it_reads(tmp_path: Path) -> None:
    template = make(
        tmp_path, "t.py.j2", "x = {{ seed }}\ny = {{ cfg | default(5) }}\n{{ range(1) }}"
    )
    assert frozenset({"seed", "cfg"}) == template.variables
    template.check_names(["seed", "cfg"])
    with pytest.raises(
        TemplateError, match="reads no variable 'sed'; did you mean 'seed'"
    ) as caught:
        template.check_names(["sed"])
    assert "sed" == caught.value.variable


def test_a_missing_file_or_a_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match="no such file"):
        Template(tmp_path / "missing.py.j2")
    (tmp_path / "d.py.j2").mkdir()
    with pytest.raises(TemplateError, match="is a directory"):
        Template(tmp_path / "d.py.j2")
    (tmp_path / "bad.py.j2").write_bytes(b"x = '\xff'\n")
    with pytest.raises(TemplateError, match="not UTF-8"):
        Template(tmp_path / "bad.py.j2")


# -- properties: whatever a value holds, it arrives as it was ------------------------------------------


@given(sts.template_values(CANARY))
def test_any_value_reads_back_from_a_script_as_itself(value: Any) -> None:
    text = TEMPLATES["py"].render({"v": value})
    namespace = run_script(text)  # the canary, if it got out, raises here
    assert same(namespace["value"], value)
    assert same(namespace["both"], [value, value])


@given(sts.template_values(CANARY))
def test_any_value_reads_back_from_a_prompt_template_as_itself(value: Any) -> None:
    text = TEMPLATES["json"].render({"v": value, "k": "key"})
    assert same(json.loads(text), {"value": value, "key": [value]})


@given(sts.prompt_texts(CANARY))
def test_any_text_arrives_in_the_prompt_verbatim(text: str) -> None:
    shape = SOURCES["prompt"].workflow({"s": text}).to_api()  # scalars: run from the shape
    listed = SOURCES["prompt"].workflow({"s": text, "t": [text]}).to_api()  # a list: from the text
    assert text == shape["1"]["inputs"]["value"] == listed["1"]["inputs"]["value"]
    assert [text] == listed["2"]["inputs"]["value"]["__value__"]


@given(sts.template_values(CANARY))
def test_python_and_json_literals_read_back(value: Any) -> None:
    assert same(ast.literal_eval(python_value(value)), value)
    assert same(json.loads(json_value(value)), value)


def _outcome(code: str, names: dict[str, Any]) -> Any:
    namespace: dict[str, Any] = dict(names)
    try:
        with warnings.catch_warnings():  # "'NoneType' object is not callable": only at run time
            warnings.simplefilter("ignore", SyntaxWarning)
            exec(compile(code, "<t>", "exec"), namespace)
    except Exception as exc:  # the same failure either way: a syntax or type error, say
        return type(exc).__name__
    return {k: v for k, v in namespace.items() if k.startswith("r") and k[1:].isdigit()}


@given(sts.template_snippets(), sts.template_values(CANARY))
def test_a_value_is_refused_or_stands_for_itself(snippet: str, value: Any) -> None:
    """Wherever a template puts a value, either the template is refused, or the rendered script
    does what the template with a name in the value's place does with the name bound to it."""
    path = SNIPPETS / "snippet.py.j2"
    path.write_text(snippet, encoding="utf-8")
    try:
        rendered = Template(path).render_parts({"v": value})
    except TemplateError:
        return
    assert "RuntimeError" != _outcome(rendered.text, {})  # the canary
    if all(type(v) in (str, int, float, bool, type(None)) for v in rendered.values.values()):
        assert _outcome(rendered.shape, rendered.values) == _outcome(rendered.text, {})


TEMPLATES: dict[str, Template] = {}
SOURCES: dict[str, ScriptSource] = {}
SNIPPETS = Path()


@pytest.fixture(autouse=True, scope="module")
def _templates(tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = tmp_path_factory.mktemp("templates")
    files = {
        "py": ("v.py.j2", "value = {{ v }}\n# {{ v }}\nboth = [{{ v }}, {{ v }}]\n"),
        "json": ("v.json.j2", '{"value": {{ v }}, {{ k }}: [{{ v }}]}'),
        "prompt": (
            "p.py.j2",
            "from comfydsl.nodes import PrimitiveStringMultiline, PrimitiveString\n"
            "PrimitiveStringMultiline(value={{ s }})\n"
            "PrimitiveString(value={{ t | default(['x']) }})\n",
        ),
    }
    for key, (name, text) in files.items():
        (folder / name).write_text(text, encoding="utf-8")
        TEMPLATES[key] = Template(folder / name)
    SOURCES["prompt"] = ScriptSource(folder / "p.py.j2")
    global SNIPPETS
    SNIPPETS = folder
