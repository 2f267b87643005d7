"""Templates of scripts and prompts: jinja2 that writes values, never code.

A template is a comfydsl script (``*.py.j2``) or an API-format prompt (``*.json.j2``) with
jinja2 in it. Every ``{{ expression }}`` is written as a literal of the target language: in a
``.py.j2`` the Python literal of the value (``comfydsl.codegen.render.literal``, the one literal
writer), in a ``.json.j2`` its JSON. So a value holding quotes, triple quotes, backslashes, line
breaks or ``{{ }}`` arrives in the prompt exactly as it was given, and cannot change the code
around it::

    # sweep.py.j2
    SaveImage(images=image, filename_prefix={{ prefix }})      # prefix='a "b"' -> "a \\"b\\""

A value may stand where a whole value stands (an argument, an item, a right-hand side, a JSON
value or key) or in a comment; a template that puts one inside a string literal, or glues it
to a name or number (``"img_{{ seed }}"``, ``x{{ n }}``), is an error at its line: build the
string in jinja (``{{ "img_" ~ seed }}``) or in Python instead. Negative numbers are written in
parentheses, so ``{{ n }} ** 2`` squares the value. What a macro, a ``{% set %}`` block or the
``safe`` filter produced is template text, written as it is.

Templates render in jinja2's sandbox with undefined variables an error (``StrictUndefined``):
the error names the variable and the template line. ``{% include %}`` and ``{% import %}`` read
templates from the template's own folder.

Variables come typed from text (``parse_value``): JSON where the text is JSON (``42``, ``7.5``,
``true``, ``null``, ``"quoted"``, ``[1, 2]``, ``{"a": 1}``), else the text as a string. A
``name:TYPE=value`` assignment forces the type (``str``, ``int``, ``float``, ``bool``, ``json``).
``load_variables`` reads them from a TOML or JSON file.
"""

from __future__ import annotations

import bisect
import functools
import io
import json
import math
import os
import re
import secrets
import sys
import tokenize
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from comfydsl.codegen.render import comment, literal
from comfydsl.errors import ComfyDSLError
from comfydsl.names import close_matches
from comfydsl.values import json_problem

if TYPE_CHECKING:
    import jinja2

__all__ = [
    "TEMPLATE_SUFFIXES",
    "Rendered",
    "Template",
    "TemplateError",
    "TemplateKind",
    "is_template",
    "json_value",
    "load_template",
    "load_variables",
    "parse_assignment",
    "parse_value",
    "python_value",
    "read_text",
    "read_toml",
    "template_kind",
]

#: The endings of a template's file name, after ``.py`` or ``.json``.
TEMPLATE_SUFFIXES = (".j2", ".jinja", ".jinja2")

TemplateKind = Literal["python", "json"]

#: The types an assignment may name: ``seed:int=42``.
VALUE_TYPES = ("str", "int", "float", "bool", "json")


class TemplateError(ComfyDSLError, ValueError):
    """A template that cannot be read or rendered, or a variable that cannot be given to it.

    ``file`` is the template (or variables file), ``line`` its line when known, ``variable`` the
    variable concerned when there is one.
    """

    def __init__(
        self,
        detail: str,
        *,
        file: str | None = None,
        line: int | None = None,
        variable: str | None = None,
    ) -> None:
        self.detail = detail
        self.file = file
        self.line = line
        self.variable = variable
        where = file or ""
        if file and line is not None:
            where = f"{file}:{line}"
        super().__init__(f"{where}: {detail}" if where else detail)


# -- what a file is --------------------------------------------------------------------------------


def is_template(path: str | os.PathLike[str]) -> bool:
    """Whether the file name ends like a template (``.j2``, ``.jinja``, ``.jinja2``)."""
    return os.fspath(path).lower().endswith(TEMPLATE_SUFFIXES)


def template_kind(path: str | os.PathLike[str]) -> TemplateKind:
    """``"python"`` for ``x.py.j2``, ``"json"`` for ``x.json.j2``; TemplateError for other names."""
    name = Path(path).name.lower()
    for suffix in TEMPLATE_SUFFIXES:
        if name.endswith(suffix):
            inner = name[: -len(suffix)]
            if inner.endswith(".py"):
                return "python"
            if inner.endswith(".json"):
                return "json"
    raise TemplateError(
        "a template is a script (name.py.j2) or an API-format prompt (name.json.j2)",
        file=os.fspath(path),
    )


# -- typed values from text ------------------------------------------------------------------------


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _strict_json(text: str) -> Any:
    """JSON without NaN/Infinity and with finite numbers; ValueError otherwise."""

    def finite(number: str) -> float:
        value = float(number)
        if not math.isfinite(value):
            raise ValueError(f"{number} is too large for a float")
        return value

    try:
        return json.loads(text, parse_constant=_no_constant, parse_float=finite)
    except RecursionError:
        raise ValueError("lists and objects nest too deeply") from None


def parse_value(text: str, kind: str | None = None) -> Any:
    """A variable's value from command-line text.

    Without ``kind``: the JSON value when ``text`` is JSON (numbers, ``true``/``false``,
    ``null``, a quoted string, a list, an object), else ``text`` itself as a string. With
    ``kind`` (one of ``str``, ``int``, ``float``, ``bool``, ``json``) that type or a ValueError.

    >>> parse_value("42"), parse_value("7.5"), parse_value("true"), parse_value("a cat")
    (42, 7.5, True, 'a cat')
    >>> parse_value("007"), parse_value("42", "str")
    ('007', '42')
    """
    if kind is None:
        try:
            return _strict_json(text)
        except ValueError:
            return text
    if kind == "str":
        return text
    if kind == "int":
        try:
            return int(text.strip())
        except ValueError:
            raise ValueError(f"{text!r} is not an integer") from None
    if kind == "float":
        try:
            value = float(text.strip())
        except ValueError:
            raise ValueError(f"{text!r} is not a number") from None
        if not math.isfinite(value):
            raise ValueError(f"{text!r} is not a finite number")
        return value
    if kind == "bool":
        word = text.strip().lower()
        if word in ("true", "yes", "on", "1"):
            return True
        if word in ("false", "no", "off", "0"):
            return False
        raise ValueError(f"{text!r} is not a boolean (true/false, yes/no, on/off, 1/0)")
    if kind == "json":
        try:
            return _strict_json(text)
        except ValueError as exc:
            raise ValueError(f"not JSON: {exc}") from None
    raise ValueError(f"unknown type {kind!r}: one of {', '.join(VALUE_TYPES)}")


_ASSIGNMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(?::([a-z]+))?=", re.DOTALL)


def parse_assignment(text: str) -> tuple[str, str | None, str]:
    """``"name=value"`` or ``"name:type=value"`` as ``(name, type or None, value text)``.

    ValueError when the text is not such an assignment (the name must be an identifier).
    """
    found = _ASSIGNMENT.match(text)
    if found is None:
        raise ValueError(f"expected NAME=VALUE or NAME:TYPE=VALUE, got {text!r}")
    name, kind = found.group(1), found.group(2)
    if kind is not None and kind not in VALUE_TYPES:
        raise ValueError(f"{text!r}: unknown type {kind!r} (one of {', '.join(VALUE_TYPES)})")
    return name, kind, text[found.end() :]


def load_variables(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The variables in a ``.toml`` or ``.json`` file (a table / object of name -> value)."""
    file = os.fspath(path)
    suffix = Path(file).suffix.lower()
    if suffix not in (".toml", ".json"):
        raise TemplateError("a variables file is .toml or .json", file=file)
    text = read_text(file, lambda reason: TemplateError(reason, file=file))
    if suffix == ".toml":
        data = read_toml(text, file)
    else:
        try:
            data = _strict_json(text)
        except ValueError as exc:
            raise TemplateError(f"not valid JSON: {exc}", file=file) from None
    if not isinstance(data, dict):
        raise TemplateError("expected an object of variable name -> value", file=file)
    for name, value in data.items():
        if not name.isidentifier():
            raise TemplateError(f"{name!r} is not a variable name", file=file, variable=name)
        problem = json_problem(value)
        if problem is None and _has_nan(value):
            problem = "NaN and infinities have no literal"
        if problem is not None:
            raise TemplateError(f"variable {name!r}: {problem}", file=file, variable=name)
    return data


def read_text(file: str, error: Callable[[str], Exception]) -> str:
    """A file's UTF-8 text (a byte-order mark dropped); a file that cannot be read or is not
    UTF-8 raised as ``error(reason)``, the caller's comfydsl error naming the file."""
    try:
        raw = Path(file).read_bytes()
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise error(f"cannot read the file: {reason}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(f"not UTF-8 text (byte {exc.start})") from None


def read_toml(text: str, file: str) -> Any:
    """TOML text read (``tomllib``; ``tomli`` before Python 3.11); TemplateError naming ``file``."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TemplateError(f"not valid TOML: {exc}", file=file) from None


def _has_nan(value: Any) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, Mapping):
        return any(_has_nan(item) for item in value.values())
    if isinstance(value, (list, tuple)):
        return any(_has_nan(item) for item in value)
    return False


# -- writing values --------------------------------------------------------------------------------


def python_value(value: Any) -> str:
    """The Python source of a value written by a ``.py.j2`` template.

    ``literal(value)``, in parentheses when it starts with a minus sign, and fit for a comment as
    well as for code (``comment`` escapes ``coding:`` so that no value can choose the encoding a
    saved script is read in; the literal still reads back the same).
    """
    kind = type(value)
    if kind in _SCALARS:  # a sweep writes the same few values over and over
        return _scalar_value(kind.__name__, value)
    return _python_value(value)


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _python_value(value: Any) -> str:
    code = literal(value)
    return comment(f"({code})" if code.startswith("-") else code)


@functools.lru_cache(maxsize=4096)
def _scalar_value(kind: str, value: Any) -> str:  # the type is part of the key: 1, 1.0, True
    return _python_value(value)


def json_value(value: Any) -> str:
    """The JSON text of a value written by a ``.json.j2`` template (UTF-8 kept)."""
    kind = type(value)
    if kind in _SCALARS:
        return _scalar_json(kind.__name__, value)
    return _json_value(value)


@functools.lru_cache(maxsize=4096)
def _scalar_json(kind: str, value: Any) -> str:
    return _json_value(value)


def _json_value(value: Any) -> str:
    problem = json_problem(value)
    if problem is not None:
        raise ValueError(problem)
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    except ValueError:
        raise ValueError("NaN and infinities are not JSON") from None
    return text


# -- rendering -------------------------------------------------------------------------------------


class _Slot:
    """One value a render wrote: the value, its text, and where in the template code it was
    written."""

    __slots__ = ("code", "code_file", "code_line", "value")

    def __init__(self, value: Any, code: str, code_file: str, code_line: int) -> None:
        self.value = value
        self.code = code
        self.code_file = code_file
        self.code_line = code_line


class Rendered:
    """One render of a template: ``text``, what it wrote; ``shape``, the same text with a
    Python name where each value stands (line for line, every name standing alone as the value
    did); ``values``, each name's value.

    A script whose values are all immutable scalars runs the same from ``shape`` with its names
    bound to ``values`` as from ``text``: each literal reads back as exactly its value (same type,
    same value), so only the text of the lines differs. A sweep compiles the shape once and runs
    it for every combination.
    """

    __slots__ = ("shape", "text", "values")

    def __init__(self, text: str, shape: str, values: dict[str, Any]) -> None:
        self.text = text
        self.shape = shape
        self.values = values


#: The values written by the render going on in this context.
_slots: ContextVar[list[_Slot] | None] = ContextVar("comfydsl_template_slots", default=None)


class _NoLiteral(ValueError):
    """A value a template wrote that has no literal in the target language."""


def _finalize_with(writer: Callable[[Any], str], marker: str) -> Callable[..., Any]:
    import jinja2
    from markupsafe import Markup

    @jinja2.pass_context  # no constant folding at compile time: every value comes through here
    def finalize(_context: jinja2.runtime.Context, value: Any) -> Any:
        if isinstance(value, Markup):
            return value  # template text: a macro's output, a {% set %} block, | safe
        if isinstance(value, jinja2.Undefined):
            str(value)  # StrictUndefined raises UndefinedError, naming the variable
        slots = _slots.get()
        if slots is None:  # pragma: no cover - a render always sets it
            raise RuntimeError("a comfydsl template rendered outside Template.render")
        try:
            code = writer(value)
        except ValueError as exc:
            raise _NoLiteral(f"{_describe(value)} has no literal here: {exc}") from None
        frame = sys._getframe(1)
        slots.append(_Slot(value, code, frame.f_code.co_filename, frame.f_lineno))
        return Markup(f"{marker}{len(slots) - 1}_")

    return finalize


def _describe(value: Any) -> str:
    text = repr(value)
    text = text if len(text) <= 60 else text[:57] + "..."
    return f"the value {text} ({type(value).__name__})"


#: How many distinct renders' placements a template remembers as checked.
_CHECKED_LIMIT = 64


class Template:
    """A ``.py.j2`` or ``.json.j2`` template, read once and rendered for each set of variables.

    >>> template = load_template("examples/templates/invert.py.j2")   # doctest: +SKIP
    >>> print(template.render({"color": 255}))                         # doctest: +SKIP

    ``variables`` holds the names the template reads (its own and its includes'), or None when
    an include is chosen at render time.
    """

    def __init__(self, path: str | os.PathLike[str], kind: TemplateKind | None = None) -> None:
        import jinja2
        from jinja2.sandbox import SandboxedEnvironment

        self.path = Path(path)
        self.file = os.fspath(path)
        self.kind: TemplateKind = kind or template_kind(path)
        if self.path.is_dir():
            raise TemplateError("is a directory, not a template", file=self.file)
        # A marker no template holds: values are written as markers first, and each marker is
        # checked to stand where a whole value may before the value's text replaces it.
        self._marker = f"_comfydsl_value_{secrets.token_hex(6)}_"
        self._marker_re = re.compile(re.escape(self._marker) + r"(\d+)_")
        writer = python_value if self.kind == "python" else json_value
        self._env = SandboxedEnvironment(
            loader=jinja2.FileSystemLoader(self.path.parent if self.path.parent.parts else "."),
            undefined=jinja2.StrictUndefined,
            autoescape=True,  # Markup marks template text; every other value is data
            finalize=_finalize_with(writer, self._marker),
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            cache_size=-1,
            auto_reload=False,
        )
        try:
            self._template = self._env.get_template(self.path.name)
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(
                f"template syntax: {exc.message}", file=self._display(exc.filename), line=exc.lineno
            ) from None
        except jinja2.TemplateNotFound:
            raise TemplateError("no such file", file=self.file) from None
        except UnicodeDecodeError as exc:
            raise TemplateError(f"not UTF-8 text (byte {exc.start})", file=self.file) from None
        except OSError as exc:
            raise TemplateError(
                f"cannot read the file: {exc.strerror or exc}", file=self.file
            ) from None
        self.variables = self._find_variables()
        source = self._env.loader.get_source(self._env, self.path.name)[0]  # type: ignore[union-attr]
        #: Whether each line of the output is the template's line of the same number (no
        #: blocks, comments or whitespace control): errors then name the template's lines.
        self.lines_kept = not any(mark in source for mark in ("{%", "{#", "{{-", "-}}"))
        self._checked: OrderedDict[str, None] = OrderedDict()

    def __repr__(self) -> str:
        return f"<Template {self.file} ({self.kind})>"

    # -- the variables it reads --------------------------------------------------------------------
    def _find_variables(self) -> frozenset[str] | None:
        import jinja2
        from jinja2 import meta

        names: set[str] = set()
        pending, seen = [self.path.name], set()
        while pending:
            name = pending.pop()
            if name in seen:
                continue
            seen.add(name)
            try:
                source = self._env.loader.get_source(self._env, name)[0]  # type: ignore[union-attr]
                tree = self._env.parse(source)
            except jinja2.TemplateSyntaxError as exc:
                raise TemplateError(
                    f"template syntax: {exc.message}",
                    file=self._display(exc.filename),
                    line=exc.lineno,
                ) from None
            except jinja2.TemplateNotFound:
                return None  # reported with its line when it is rendered
            names |= meta.find_undeclared_variables(tree)
            for included in meta.find_referenced_templates(tree):
                if included is None:
                    return None
                pending.append(included)
        return frozenset(names - set(self._env.globals))

    def check_names(self, names: Iterable[str], *, what: str = "variable") -> None:
        """TemplateError for the first of ``names`` the template never reads (a misspelling)."""
        if self.variables is None:
            return
        for name in names:
            if name not in self.variables:
                hint = close_matches(name, self.variables)
                said = f"; did you mean {hint[0]!r}?" if hint else ""
                known = ", ".join(sorted(self.variables)) or "none"
                raise TemplateError(
                    f"the template reads no {what} {name!r}{said} (it reads: {known})",
                    file=self.file,
                    variable=name,
                )

    # -- rendering ----------------------------------------------------------------------------------
    def render(self, variables: Mapping[str, Any] | None = None) -> str:
        """The template's text with ``variables``; TemplateError naming the line of a problem."""
        return self.render_parts(variables).text

    def render_parts(self, variables: Mapping[str, Any] | None = None) -> Rendered:
        """The template rendered with ``variables``: its text, and its shape (see Rendered)."""
        import jinja2

        slots: list[_Slot] = []
        token = _slots.set(slots)
        try:
            text = self._template.render(dict(variables or {}))
        except jinja2.UndefinedError as exc:
            raise self._error(exc, _undefined_detail(exc, variables or {})) from None
        except _NoLiteral as exc:
            raise self._error(exc, str(exc)) from None
        except jinja2.TemplateSyntaxError as exc:  # in an included template
            raise TemplateError(
                f"template syntax: {exc.message}", file=self._display(exc.filename), line=exc.lineno
            ) from None
        except jinja2.TemplateNotFound as exc:
            raise self._error(exc, f"no template {exc.name!r} in {self._folder()}") from None
        except jinja2.TemplateError as exc:  # the sandbox's refusals among them
            raise self._error(exc, f"{type(exc).__name__}: {exc}") from None
        except (RecursionError, MemoryError) as exc:
            raise self._error(exc, f"{type(exc).__name__} while rendering") from None
        except Exception as exc:  # an expression that raised: {{ 1 / 0 }}, a filter's error
            raise self._error(exc, f"{type(exc).__name__}: {exc}") from None
        finally:
            _slots.reset(token)
        if text not in self._checked:
            self._check_placement(text, slots)
            self._checked[text] = None
            if len(self._checked) > _CHECKED_LIMIT:
                self._checked.popitem(last=False)
        rendered = self._marker_re.sub(lambda m: slots[int(m.group(1))].code, text)
        if self._marker.lower() in rendered.lower():
            raise TemplateError(
                "a filter changed the text a macro or block wrote (its values are lost)",
                file=self.file,
            )
        values = {f"{self._marker}{i}_": slot.value for i, slot in enumerate(slots)}
        return Rendered(rendered, text, values)

    def _folder(self) -> str:
        return os.fspath(self.path.parent) or "."

    def _display(self, filename: str | None) -> str:
        if filename is None:
            return self.file
        if os.path.abspath(filename) == os.path.abspath(self.path):
            return self.file
        return filename

    def _error(self, exc: BaseException, detail: str) -> TemplateError:
        """The error at the template line the traceback of ``exc`` last passed through."""
        files = self._template_files()
        file, line = self.file, None
        tb = exc.__traceback__
        while tb is not None:
            code_file = tb.tb_frame.f_code.co_filename
            if code_file in files:
                file, line = self._display(code_file), tb.tb_lineno
            tb = tb.tb_next
        return TemplateError(detail, file=file, line=line)

    def _template_files(self) -> dict[str, jinja2.Template]:
        cache = self._env.cache
        loaded = list(cache.values()) if cache is not None else []
        return {t.filename: t for t in [self._template, *loaded] if t.filename is not None}

    def _slot_line(self, slot: _Slot) -> tuple[str, int | None]:
        template = self._template_files().get(slot.code_file)
        if template is None:  # pragma: no cover - every value is written by a loaded template
            return self.file, None
        return self._display(slot.code_file), template.get_corresponding_lineno(slot.code_line)

    def _check_placement(self, text: str, slots: list[_Slot]) -> None:
        problems = _python_placement if self.kind == "python" else _json_placement
        found = problems(text, self._marker_re)
        if found is None:
            return
        index, why = found
        file, line = self._slot_line(slots[index]) if index is not None else (self.file, None)
        raise TemplateError(why, file=file, line=line)


def load_template(path: str | os.PathLike[str]) -> Template:
    """The template at ``path`` (``*.py.j2`` or ``*.json.j2``), read and compiled."""
    return Template(path)


def _undefined_detail(exc: BaseException, given: Mapping[str, Any]) -> str:
    message = str(exc)
    found = re.fullmatch(r"'([^']*)' is undefined", message)
    if found is None:
        return message  # an attribute or item of a value: jinja's words say which
    name = found.group(1)
    hint = close_matches(name, given)
    said = f"; did you mean {hint[0]!r}?" if hint else ""
    return f"undefined variable {name!r}{said}"


# -- where a value may stand -----------------------------------------------------------------------

_Placement = tuple[int | None, str] | None

_INSIDE_STRING = (
    "a value written inside a string literal would be cut into it: write the whole string "
    'as one value instead ({{ "img_" ~ seed }}), or build it in the script'
)
_GLUED = (
    "a value written against a name, a number or a dot would join it: leave it standing "
    "alone (a space, an operator or a bracket on each side)"
)
#: Python 3.12 reads the text of an f-string as tokens of its own.
_FSTRING_MIDDLE = getattr(tokenize, "FSTRING_MIDDLE", None)


def _python_placement(text: str, marker: re.Pattern[str]) -> _Placement:
    """The first value (its index) that does not stand alone in the Python text, and why."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError) as exc:
        return None, f"the rendered script cannot be read as Python: {exc}"
    line_starts = [0]
    for line in text.split("\n"):  # StringIO.readline ends lines at "\n" only
        line_starts.append(line_starts[-1] + len(line) + 1)

    def offset(position: tuple[int, int]) -> int:
        return line_starts[position[0] - 1] + position[1]

    spans = [(offset(t.start), offset(t.end), t.type) for t in tokens if t.start != t.end]
    starts = [start for start, _, _ in spans]
    for found in marker.finditer(text):
        index, (first, last) = int(found.group(1)), found.span()
        at = bisect.bisect_right(starts, first) - 1
        start, end, kind = spans[at] if at >= 0 else (-1, -1, tokenize.ERRORTOKEN)
        if end < last:  # split between tokens: 0x{{ n }} reads as 0x5
            return index, _GLUED
        if kind == tokenize.COMMENT:
            continue  # a literal is one line: it cannot leave the comment
        if kind in (tokenize.STRING, _FSTRING_MIDDLE):
            return index, _INSIDE_STRING
        if kind != tokenize.NAME or (start, end) != (first, last):
            return index, _GLUED
        # A name token cannot hold what follows it, but a number or a dot before it can join
        # the value that replaces it: 1{{ n }} would read as one number.
        before = text[first - 1 : first]
        if before and (before == "." or ("a" + before).isidentifier()):
            return index, _GLUED
    return None


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"?|[\s]+|[{}\[\]:,]|[^\s{}\[\]:,"]+', re.DOTALL)


def _json_placement(text: str, marker: re.Pattern[str]) -> _Placement:
    """The first value (its index) that is not a whole JSON value or key, and why."""
    tokens = [m.group(0) for m in _JSON_TOKEN.finditer(text) if not m.group(0).isspace()]
    for i, token in enumerate(tokens):
        found = marker.search(token)
        if found is None:
            continue
        index = int(found.group(1))
        if token.startswith('"'):
            return index, _INSIDE_STRING
        if found.group(0) != token:
            return index, _GLUED
        before = tokens[i - 1] if i > 0 else "["
        after = tokens[i + 1] if i + 1 < len(tokens) else "]"
        if before not in ("{", "[", ",", ":") or after not in ("}", "]", ",", ":"):
            return index, "a value must stand alone as a whole JSON value or key"
    return None
