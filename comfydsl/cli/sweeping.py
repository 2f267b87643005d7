"""Arguments that render, compile and run share for templates and sweeps, and what they build.

    --var NAME=VALUE       a template variable (typed: 42, 7.5, true, null, "text", [..], {..};
                           anything else is text); NAME:TYPE=VALUE forces str/int/float/bool/json
    --vars FILE            variables from a .toml or .json file (before the --var ones)
    --sweep SPEC           a swept variable: seed=1..8, cfg=4..8:0.5, cfg=5,7, prompt=@lines.txt,
                           or @rows.csv (rows of several variables); every combination is built
    --zip                  the swept values side by side instead of every combination

A variable the template never reads is a mistake in the command line (a misspelling), and so
is one both set and swept.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any, TypeVar

from comfydsl.cli.arguments import UsageError
from comfydsl.errors import ComfyDSLError
from comfydsl.sweep import Built, Combination, SweepError, SweepJob, combine, parse_axis
from comfydsl.templates import (
    Template,
    TemplateError,
    load_variables,
    parse_assignment,
    parse_value,
)

__all__ = [
    "add_template_arguments",
    "build_each",
    "build_jobs",
    "combinations",
    "is_sweep",
    "variables",
]

T = TypeVar("T")


def add_template_arguments(parser: argparse.ArgumentParser, *, sweep: bool = True) -> None:
    """``--var``, ``--vars`` and (with ``sweep``) ``--sweep`` and ``--zip``."""
    group = parser.add_argument_group("templates (NAME.py.j2, NAME.json.j2) and sweeps")
    group.add_argument(
        "--var",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help='set a template variable: JSON (42, 7.5, true, null, "text", [...], {...}) or '
        "else text; NAME:TYPE=VALUE forces str, int, float, bool or json; repeatable",
    )
    group.add_argument(
        "--vars",
        action="append",
        default=[],
        metavar="FILE",
        help="template variables from a .toml or .json file; repeatable (--var wins)",
    )
    if sweep:
        group.add_argument(
            "--sweep",
            action="append",
            default=[],
            metavar="SPEC",
            help="sweep a variable: seed=1..8, cfg=4..8:0.5, cfg=5,7, prompt=@lines.txt, or "
            "@rows.csv (.json, .jsonl, .toml: rows of several variables); every combination "
            "is built; repeatable",
        )
        group.add_argument(
            "--zip",
            action="store_true",
            help="take the swept values side by side (the first of each, the second...) "
            "instead of every combination",
        )


def is_sweep(args: argparse.Namespace) -> bool:
    """Whether the command line sweeps (``--sweep`` given)."""
    return bool(getattr(args, "sweep", None))


def variables(args: argparse.Namespace, template: Template | None) -> dict[str, Any]:
    """The variables of ``--vars`` files then ``--var`` options, checked against the template."""
    found: dict[str, Any] = {}
    given = bool(args.var or args.vars)
    if given and template is None:
        raise UsageError(
            "--var and --vars set the variables of a template (NAME.py.j2 or NAME.json.j2)"
        )
    for file in args.vars:
        loaded = load_variables(file)
        _known(template, loaded, f"in {file}")
        found.update(loaded)
    for text in args.var:
        try:
            name, kind, value = parse_assignment(text)
            found[name] = parse_value(value, kind)
        except ValueError as exc:
            raise UsageError(f"--var {text}: {exc}") from None
        _known(template, {name: None}, "given by --var")
    return found


def _known(template: Template | None, names: dict[str, Any], where: str) -> None:
    if template is None:
        return
    try:
        template.check_names(names)
    except TemplateError as exc:
        raise UsageError(f"{exc.detail} ({exc.variable!r} {where})") from None


def combinations(
    args: argparse.Namespace, template: Template | None, fixed: dict[str, Any]
) -> list[Combination]:
    """The combinations of the ``--sweep`` options (one, with no parameters, without them)."""
    specs = getattr(args, "sweep", []) or []
    if getattr(args, "zip", False) and not specs:
        raise UsageError("--zip takes the values of --sweep options side by side: give some")
    if specs and template is None:
        raise UsageError(
            "--sweep sets variables of a template: write the script as NAME.py.j2 (or the "
            "prompt as NAME.json.j2) with {{ name }} where each value goes"
        )
    axes = []
    for spec in specs:
        try:
            axes.append(parse_axis(spec))
        except SweepError as exc:
            if spec.startswith("@") or "=@" in spec:
                raise  # a file that cannot be read: not a mistake of the command line
            raise UsageError(f"--sweep {exc}") from None
    for each in axes:
        _known(template, dict.fromkeys(each.names), f"swept by --sweep {each.source}")
        both = [name for name in each.names if name in fixed]
        if both:
            raise UsageError(f"{both[0]!r} is both set (--var/--vars) and swept (--sweep)")
    try:
        return combine(axes, zip=getattr(args, "zip", False))
    except SweepError as exc:
        raise UsageError(str(exc)) from None


def build_each(
    args: argparse.Namespace,
    template: Template | None,
    build: Callable[[dict[str, Any] | None], T],
) -> list[tuple[Combination, T]]:
    """Each combination with what ``build`` made of its variables (and the fixed ones).

    Without ``--sweep`` there is one combination, with no parameters, built with the fixed
    variables (None for a plain script). A combination whose build fails is a SweepError
    naming it.
    """
    fixed = variables(args, template)
    found = combinations(args, template, fixed)
    built: list[tuple[Combination, T]] = []
    for combination in found:
        if not combination.params:
            built.append((combination, build(fixed if template is not None else None)))
            continue
        try:
            made = build({**fixed, **combination.params})
        except UsageError:
            raise
        except ComfyDSLError as exc:
            raise SweepError(str(exc), combination=combination.name) from exc
        built.append((combination, made))
    return built


def build_jobs(
    args: argparse.Namespace,
    template: Template | None,
    build: Callable[[dict[str, Any] | None], Built],
) -> list[SweepJob]:
    """A SweepJob for each combination (see :func:`build_each`)."""
    return [SweepJob(combination, made) for combination, made in build_each(args, template, build)]
