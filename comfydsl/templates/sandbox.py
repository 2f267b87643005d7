"""The jinja2 environment of comfydsl's templates: the sandbox, every value through one door.

jinja2's autoescaping is turned to a use of its own here. ``Markup`` is *template text*: what
the template itself wrote (a macro's output, a ``{% set %}`` or ``{% filter %}`` block, a
``caller()``). Everything else an expression gives is a *value*, and ``finalize`` writes it
(as a marker, recorded with the value; see comfydsl.templates.template). Template text is
written as it is.

So no value may become template text. jinja2 turns a value into Markup by escaping it (for
HTML) wherever it meets Markup: ``macro() ~ value``, ``macro() + value``, ``macro() % value``,
a ``join`` of both, ``replace``/``format`` filters, Markup's own methods; and the ``safe``,
``escape``, ``tojson``, ``urlize``, ``xmlattr`` filters make Markup of a value outright. Each
of these is refused here with a TemplateError at its line: HTML escaping means nothing to
Python or JSON, and the value's text would be code.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

__all__ = ["NoLiteral", "Slot", "TextMixed", "collecting", "environment", "undefined_detail"]


class Slot:
    """One value a render wrote: the value, its text, and where in the template code it was
    written (the compiled template's file and line, mapped to the template's own on error)."""

    __slots__ = ("code", "code_file", "code_line", "value")

    def __init__(self, value: Any, code: str, code_file: str, code_line: int) -> None:
        self.value = value
        self.code = code
        self.code_file = code_file
        self.code_line = code_line


#: The values written by the render going on in this context (see ``collecting``).
collecting: ContextVar[list[Slot] | None] = ContextVar("comfydsl_template_slots", default=None)


class NoLiteral(ValueError):
    """A value a template wrote that has no literal in the target language."""


class TextMixed(ValueError):
    """A value that would have been made template text (see the module)."""


#: Filters that make Markup of a value: refused.
_REFUSED_FILTERS = ("safe", "e", "escape", "forceescape", "tojson", "urlize", "xmlattr")
#: Filters that would escape a value into Markup when they meet template text: guarded.
_GUARDED_FILTERS = ("join", "replace", "format", "indent", "center", "wordwrap")


def _markup() -> type:
    from markupsafe import Markup

    return Markup


def _check_mix(what: str, items: Iterable[Any]) -> None:
    markup = _markup()
    seen = list(items)
    if any(isinstance(item, markup) for item in seen) and any(
        isinstance(item, str) and not isinstance(item, markup) for item in seen
    ):
        raise TextMixed(
            f"{what} would put text into template text (a macro's or block's output), where "
            "it would be written as code: write a value on its own ({{ value }}), and a "
            "separator between pieces of template text in the template itself"
        )


def _flat(value: Any) -> list[Any]:
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def _guarded(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    passes = getattr(function, "jinja_pass_arg", None)

    @functools.wraps(function)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        values = list(args[1:] if passes is not None else args)
        if values:
            items = [*_flat(values[0]), *values[1:], *kwargs.values()]
            _check_mix(f"the {name} filter", items)
        return function(*args, **kwargs)

    if passes is not None:
        guarded.jinja_pass_arg = passes  # type: ignore[attr-defined]
    return guarded


def _refused(name: str) -> Callable[..., Any]:
    def refused(*args: Any, **kwargs: Any) -> Any:
        raise TextMixed(
            f"the {name} filter would write a value as code; every value is written as a "
            "literal of the template's language already: write {{ value }}"
        )

    return refused


def _strict_join(seq: Iterable[Any]) -> Any:
    """``~`` in a template (jinja's ``markup_join``), refusing to join template text and values."""
    from jinja2.runtime import markup_join

    items = list(seq)
    _check_mix("~ (joining)", items)
    return markup_join(items)


def _sandbox_class() -> type[SandboxedEnvironment]:
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    markup = _markup()

    class Template(jinja2.Template):
        @classmethod
        def _from_namespace(
            cls,
            environment: jinja2.Environment,
            namespace: MutableMapping[str, Any],
            globals: Any,
        ) -> jinja2.Template:
            # The compiled template looks markup_join up in its own globals when it runs ~.
            namespace["markup_join"] = _strict_join
            return super()._from_namespace(environment, namespace, globals)

    class Sandbox(SandboxedEnvironment):
        intercepted_binops = frozenset({"+", "%"})

        def call_binop(
            self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any
        ) -> Any:
            _check_mix(f"{operator!r}", [left, *_flat(right)])
            return super().call_binop(context, operator, left, right)

        def getattr(self, obj: Any, attribute: str) -> Any:
            if isinstance(obj, markup):  # its methods escape their arguments into Markup
                return self.unsafe_undefined(obj, attribute)
            return super().getattr(obj, attribute)

    Sandbox.template_class = Template
    return Sandbox


@functools.lru_cache(maxsize=1)
def _sandbox() -> type[SandboxedEnvironment]:
    return _sandbox_class()


def environment(folder: Path, writer: Callable[[Any], str], marker: str) -> jinja2.Environment:
    """The sandboxed environment of one template: templates read from ``folder``, values
    written by ``writer`` as ``marker`` + their index (see the module)."""
    import jinja2

    env = _sandbox()(
        loader=jinja2.FileSystemLoader(folder),
        undefined=jinja2.StrictUndefined,
        autoescape=True,  # Markup marks template text; every other value is data
        finalize=_finalize_with(writer, marker),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        cache_size=-1,
        auto_reload=False,
    )
    filters: dict[str, Any] = env.filters
    for name in _REFUSED_FILTERS:
        filters[name] = _refused(name)
    for name in _GUARDED_FILTERS:
        filters[name] = _guarded(name, filters[name])
    return env


def _finalize_with(writer: Callable[[Any], str], marker: str) -> Callable[..., Any]:
    import jinja2

    markup = _markup()

    @jinja2.pass_context  # no constant folding at compile time: every value comes through here
    def finalize(_context: jinja2.runtime.Context, value: Any) -> Any:
        if isinstance(value, markup):
            return value  # template text: a macro's output, a {% set %} block
        if isinstance(value, jinja2.Undefined):
            str(value)  # StrictUndefined raises UndefinedError, naming the variable
        slots = collecting.get()
        if slots is None:  # pragma: no cover - a render always sets it
            raise RuntimeError("a comfydsl template rendered outside Template.render")
        try:
            code = writer(value)
        except ValueError as exc:
            raise NoLiteral(f"{_describe(value)} has no literal here: {exc}") from None
        frame = sys._getframe(1)
        slots.append(Slot(value, code, frame.f_code.co_filename, frame.f_lineno))
        return markup(f"{marker}{len(slots) - 1}_")

    return finalize


def _describe(value: Any) -> str:
    text = repr(value)
    text = text if len(text) <= 60 else text[:57] + "..."
    return f"the value {text} ({type(value).__name__})"


def undefined_detail(exc: BaseException, given: Mapping[str, Any]) -> str:
    """The message of an UndefinedError, with "did you mean" among the variables given."""
    import re

    from comfydsl.names import close_matches

    message = str(exc)
    found = re.fullmatch(r"'([^']*)' is undefined", message)
    if found is None:
        return message  # an attribute or item of a value: jinja's words say which
    name = found.group(1)
    hint = close_matches(name, given)
    said = f"; did you mean {hint[0]!r}?" if hint else ""
    return f"undefined variable {name!r}{said}"
