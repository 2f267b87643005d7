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
parentheses, so ``{{ n }} ** 2`` squares the value. What a macro or a ``{% set %}`` block
produced is template text, written as it is; a value is never made template text (the
``safe``, ``escape`` and ``tojson`` filters are refused, and so is joining a value to template
text with ``~``, ``+``, ``%``, ``join``, ``replace`` or ``format``: see
comfydsl.templates.sandbox).

Templates render in jinja2's sandbox with undefined variables an error (``StrictUndefined``):
the error names the variable and the template line. ``{% include %}`` and ``{% import %}`` read
templates from the template's own folder.

Variables come typed from text (``parse_value``): JSON where the text is JSON (``42``, ``7.5``,
``true``, ``null``, ``"quoted"``, ``[1, 2]``, ``{"a": 1}``), else the text as a string. A
``name:TYPE=value`` assignment forces the type (``str``, ``int``, ``float``, ``bool``, ``json``).
``load_variables`` reads them from a TOML or JSON file.

The package: ``template`` (Template), ``sandbox`` (the jinja2 environment), ``placement``
(where a value may stand), ``writers`` (a value's literal), ``values`` (variables from text).
"""

from __future__ import annotations

from comfydsl.templates.template import (
    TEMPLATE_SUFFIXES,
    Rendered,
    Template,
    TemplateKind,
    is_template,
    load_template,
    template_kind,
)
from comfydsl.templates.values import (
    VALUE_TYPES,
    TemplateError,
    load_variables,
    parse_assignment,
    parse_value,
    read_toml,
)
from comfydsl.templates.writers import json_value, python_value

__all__ = [
    "TEMPLATE_SUFFIXES",
    "VALUE_TYPES",
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
    "read_toml",
    "template_kind",
]
