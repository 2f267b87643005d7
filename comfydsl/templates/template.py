"""A template: read and compiled once, rendered for each set of variables (see
comfydsl.templates for what a template may do with its values)."""

from __future__ import annotations

import os
import re
import secrets
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from comfydsl.names import close_matches
from comfydsl.templates.placement import json_placement, python_placement
from comfydsl.templates.sandbox import (
    NoLiteral,
    Slot,
    TextMixed,
    collecting,
    environment,
    undefined_detail,
)
from comfydsl.templates.values import TemplateError
from comfydsl.templates.writers import json_value, python_value

if TYPE_CHECKING:
    import jinja2

__all__ = [
    "TEMPLATE_SUFFIXES",
    "Rendered",
    "Template",
    "TemplateKind",
    "is_template",
    "load_template",
    "template_kind",
]

#: The endings of a template's file name, after ``.py`` or ``.json``.
TEMPLATE_SUFFIXES = (".j2", ".jinja", ".jinja2")

TemplateKind = Literal["python", "json"]

#: How many distinct renders' placements a template remembers as checked.
_CHECKED_LIMIT = 64


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


class Template:
    """A ``.py.j2`` or ``.json.j2`` template, read once and rendered for each set of variables.

    >>> template = load_template("examples/templates/invert.py.j2")   # doctest: +SKIP
    >>> print(template.render({"color": 255}))                         # doctest: +SKIP

    ``variables`` holds the names the template reads (its own and its includes'), or None when
    an include is chosen at render time.
    """

    def __init__(self, path: str | os.PathLike[str], kind: TemplateKind | None = None) -> None:
        import jinja2

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
        folder = self.path.parent if self.path.parent.parts else Path(".")
        self._env = environment(folder, writer, self._marker)
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

        slots: list[Slot] = []
        token = collecting.set(slots)
        try:
            text = self._template.render(dict(variables or {}))
        except jinja2.UndefinedError as exc:
            raise self._error(exc, undefined_detail(exc, variables or {})) from None
        except (NoLiteral, TextMixed) as exc:
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
            collecting.reset(token)
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

    def _slot_line(self, slot: Slot) -> tuple[str, int | None]:
        template = self._template_files().get(slot.code_file)
        if template is None:  # pragma: no cover - every value is written by a loaded template
            return self.file, None
        return self._display(slot.code_file), template.get_corresponding_lineno(slot.code_line)

    def _check_placement(self, text: str, slots: list[Slot]) -> None:
        problems = python_placement if self.kind == "python" else json_placement
        found = problems(text, self._marker_re)
        if found is None:
            return
        index, why = found
        file, line = self._slot_line(slots[index]) if index is not None else (self.file, None)
        raise TemplateError(why, file=file, line=line)


def load_template(path: str | os.PathLike[str]) -> Template:
    """The template at ``path`` (``*.py.j2`` or ``*.json.j2``), read and compiled."""
    return Template(path)
