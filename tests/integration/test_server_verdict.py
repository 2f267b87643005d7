"""comfydsl's verdict against the real server's, on hundreds of generated prompts.

Each case of ``verdict_cases`` (a valid base prompt with one thing changed) is posted to a real
ComfyUI 0.3.75 that validates and never runs (``validation_only_server``), and judged by comfydsl
as ``Client.submit`` judges a prompt before sending it: ``load_prompt`` with the server's own
catalog, then the check against that catalog (with the body's ``partial_execution_targets``).
The two verdicts must agree: the same outcome (accepted, partly accepted, refused), and the same
error types on the same node ids. Where they differ on purpose, the difference is named in
``DIFFERENCES`` below, with the reason; any other difference fails the test, and so does an entry
of the table that no case needs any more.

``COMFYDSL_VERDICT_SEED`` and ``COMFYDSL_VERDICT_CASES`` choose the cases (same seed, same cases);
the summary printed at the end gives the figures: cases, agreement on outcomes and on error types,
the deliberate differences met, and the time taken.
"""

from __future__ import annotations

import collections
import json
import os
import time
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from verdict_cases import NO_TARGETS, Case, CaseMaker

from comfydsl import load_prompt
from comfydsl.catalog import Catalog, bundled_catalog
from comfydsl.errors import PromptFormatError

SEED = int(os.environ.get("COMFYDSL_VERDICT_SEED", "8"))
CASES = int(os.environ.get("COMFYDSL_VERDICT_CASES", "1000"))


@dataclass(frozen=True)
class Verdict:
    """What one side says of a prompt.

    ``outcome``: ``accept``, ``partial`` (queued with only the outputs that validated; the server
    answers 200 and lists the others' errors) or ``reject``. ``top``: the prompt-wide error type
    (``prompt_no_outputs``, ``invalid_prompt``, ``prompt_outputs_failed_validation``...).
    ``nodes``: node id -> the sorted error types on it.
    """

    outcome: str
    top: str | None = None
    nodes: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def types(self) -> str:
        """The outcome and every error type, without node ids: ``reject:value_not_in_list``."""
        found = sorted({t for _, types in self.nodes for t in types})
        if self.top and self.top != "prompt_outputs_failed_validation":
            found = sorted({self.top, *found})
        return ":".join([self.outcome, *found])

    def __str__(self) -> str:
        nodes = ", ".join(f"{n}: {'/'.join(t)}" for n, t in self.nodes)
        return f"{self.outcome} {self.top or ''} {{{nodes}}}".replace("  ", " ")


#: The server's answers that are not about a node: comfydsl's word for a prompt it cannot read.
NOT_A_PROMPT = "not_a_prompt"


def _nodes(found: dict[str, set[str]]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple(sorted((node_id, tuple(sorted(types))) for node_id, types in found.items()))


def server_verdict(status: int, answer: Any) -> Verdict:
    """The server's answer to ``POST /prompt`` as a Verdict."""
    if status == 500 or not isinstance(answer, dict):
        return Verdict("reject", "server_error")
    found: dict[str, set[str]] = collections.defaultdict(set)
    for node_id, entry in (answer.get("node_errors") or {}).items():
        for error in entry.get("errors") or ():
            found[str(node_id)].add(error["type"])
    if status == 200:
        return Verdict("partial" if found else "accept", None, _nodes(found))
    error = answer.get("error") or {}
    top = error.get("type")
    details = str(error.get("details", ""))
    if top == "invalid_prompt" and details.startswith("Node ID '#"):
        found[details[len("Node ID '#") : -1]].add("invalid_prompt")
    return Verdict("reject", top, _nodes(found))


def comfydsl_verdict(case: Case, catalog: Catalog) -> Verdict:
    """What comfydsl says of the case before sending it, as a Verdict."""
    try:
        workflow = load_prompt(case.prompt, catalog=catalog)
    except PromptFormatError:
        return Verdict("reject", NOT_A_PROMPT)
    if case.targets is not NO_TARGETS:
        try:
            report = workflow.check_report(catalog, targets=case.targets)
        except (TypeError, ValueError):
            return Verdict("reject", "bad_targets")
    else:
        report = workflow.check_report(catalog)
    found: dict[str, set[str]] = collections.defaultdict(set)
    top = None
    for error in report.errors:
        if error.node_id is None or error.type == "prompt_no_outputs":
            top = error.type
        else:
            found[error.node_id].add(error.type)
    if not report.errors:
        return Verdict("accept")
    if top is None and any(e.type == "invalid_prompt" for e in report.errors):
        top = "invalid_prompt"
    if top is None and report.would_run:
        return Verdict("partial", None, _nodes(found))
    return Verdict("reject", top or "prompt_outputs_failed_validation", _nodes(found))


def outcomes_agree(server: Verdict, ours: Verdict) -> bool:
    if ours.top == NOT_A_PROMPT:
        return server.outcome == "reject" and server.top in ("invalid_prompt", "server_error")
    return server.outcome == ours.outcome


def types_agree(server: Verdict, ours: Verdict) -> bool:
    if ours.top == NOT_A_PROMPT:
        return outcomes_agree(server, ours)
    return server == ours


# -- the deliberate differences -------------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    """A difference comfydsl makes on purpose: for cases of the ``kinds``, the server says one of
    ``server`` and comfydsl one of ``ours`` (each as ``Verdict.types()``), because ``why``.
    ``proof`` names the test that runs such a prompt on a real server and shows how it ends."""

    kinds: tuple[str, ...]
    server: tuple[str, ...]
    ours: tuple[str, ...]
    why: str
    proof: str = ""


_V3 = ("value.V3COMBO.int", "value.V3COMBO.not_a_choice", "value.V3COMBO.null")
_WRAPPED = ("value.any.wrapped_link", "value.any.wrapped_pair", "value.any.wrapped_list")

DIFFERENCES: list[Difference] = [
    # -- stricter: the server takes these, then fails when it runs them ---------------------------
    Difference(
        (
            *_V3,
            "value.V3COMBO.other_case",
            "value.any.object",
            "value.any.wrapped_missing_link",
            *_WRAPPED,
        ),
        ("accept",),
        ("reject:value_not_in_list",),
        "The server does not check values of the newer COMBO form (['COMBO', {'options': "
        "[...]}]) against their options; the node fails when it runs.",
        "test_server_fails.py::test_a_newer_combo_value_outside_its_options",
    ),
    Difference(
        (
            "input.link_input_constant",
            "input.link_input_number",
            "input.required_link_null",
            "value.any.object",
            "value.any.wrapped_missing_link",
            *_WRAPPED,
        ),
        ("accept",),
        ("reject:invalid_input_type",),
        "A constant where only a link makes sense (IMAGE, MASK...): the server passes it on and "
        "the node fails when it runs. {'__value__': [id, n]} there becomes a link the server "
        "never checked (to a node not in the prompt, it stops the server running prompts).",
        "test_server_fails.py::test_a_constant_where_a_link_is_needed",
    ),
    Difference(
        ("input.extra_link", "input.extra_missing_link"),
        ("accept",),
        ("reject:unknown_input", "reject:dependency_cycle:unknown_input"),
        "A link under an input name the class does not declare: the server does not check it, "
        "then runs the linked node and passes its output as a keyword the node does not take; a "
        "link there to a node not in the prompt stops the server running prompts. (A loop it "
        "closes is a loop too: the server follows every link when it runs.)",
        "test_server_fails.py::test_a_link_under_an_undeclared_input",
    ),
    Difference(
        (
            "path.prefix_parent",
            "path.prefix_absolute",
            "path.prefix_dotdot_inside_path",
            "path.prefix_variables_escaping",
        ),
        ("accept",),
        ("reject:path_outside_folder",),
        "An output prefix that leads out of the output folder: the server refuses to save there "
        "only when the node runs.",
        "test_server_fails.py::test_an_output_prefix_outside_the_output_folder",
    ),
    Difference(
        ("path.prefix_backslash_parent", "path.prefix_drive"),
        ("accept",),
        ("reject:path_outside_folder",),
        "Read as a Windows path, the prefix leads out of the output folder (a server on Windows "
        "refuses to save there when the node runs); on this POSIX server a backslash is a "
        "character of the file name. The server's system is not in its catalog: both are refused.",
    ),
    Difference(
        ("path.image_file_above_input", "path.image_empty"),
        ("accept",),
        ("reject:path_outside_folder",),
        "A file name that climbs out of the input folder, or names the folder itself: the "
        "server's own check asks only whether it exists, then the node reads whatever is there "
        "and fails (not an image, a folder), or reads a file the user did not upload. (An "
        "absolute path is taken, by both: it names a file of the server's machine.)",
        "test_server_fails.py::test_an_input_file_outside_the_input_folder",
    ),
    Difference(
        ("primitive.above_max", "primitive.below_min"),
        ("accept",),
        ("reject:value_bigger_than_max", "reject:value_smaller_than_min"),
        "A PrimitiveInt/PrimitiveFloat constant linked into a widget: the server checks the "
        "ranges of constants only, and the node gets a value its definition forbids.",
        "test_server_fails.py::test_a_primitive_outside_the_range_of_the_widget_it_feeds",
    ),
    Difference(
        (
            "unreachable.no_inputs",
            "unreachable.inputs_null",
            "unreachable.inputs_list",
            "unreachable.inputs_names_list",
            "unreachable.inputs_number",
            "unreachable.inputs_string",
            "node.inputs_string",
            "node.inputs_list",
            "node.inputs_names_list",
        ),
        ("accept", "partial"),
        ("reject:inputs_not_an_object",),
        "A node whose inputs are missing or not an object, that the server takes (no output "
        "needs it, or it has no required input): running any prompt, the server reads the inputs "
        "of every node, and stops running prompts for good.",
        "conftest.py::validation_only_server (its STOPPER is such a prompt)",
    ),
    # -- stricter where the server would run it, as a mistake ---------------------------------------
    Difference(
        ("link.true_index", "link.false_index"),
        ("accept", "reject:return_type_mismatch"),
        ("reject:bad_linked_input",),
        "An output index of true or false: the server reads them as 1 and 0. comfydsl takes "
        "whole numbers only.",
    ),
    Difference(
        ("body.targets_output_and_other",),
        ("accept",),
        ("reject:prompt_no_outputs",),
        "A target that is not an output node: the server passes it over in silence; comfydsl "
        "says it is not an output node.",
    ),
    Difference(
        ("body.targets_numbers", "body.targets_string"),
        ("accept", "reject:prompt_no_outputs"),
        ("reject:bad_targets",),
        "Targets are node ids (strings) or nodes: numbers never match on the server, and a "
        "string is searched as text ('12' targets nodes 1 and 2); comfydsl raises TypeError.",
    ),
    # -- said differently ---------------------------------------------------------------------------
    Difference(
        ("link.loop", "link.self"),
        ("reject", "reject:exception_during_inner_validation", "reject:return_type_mismatch"),
        ("reject:dependency_cycle", "reject:dependency_cycle:return_type_mismatch"),
        "A loop of links: the server refuses it without saying where (no node error, or the "
        "RecursionError of following it); comfydsl names the nodes of the loop.",
    ),
    # -- less strict: what /object_info does not tell -----------------------------------------------
    Difference(
        ("path.image_annotated_output", "path.image_missing_in_subfolder"),
        ("reject:custom_validation_failed",),
        ("accept",),
        "LoadImage's list in /object_info holds the files of the input folder itself: whether a "
        "file of a subfolder, or of the output folder (' [output]'), exists is not known before "
        "sending; the server says it.",
    ),
]


def _deliberate(case: Case, server: Verdict, ours: Verdict) -> Difference | None:
    for difference in DIFFERENCES:
        if (
            case.kind in difference.kinds
            and server.types() in difference.server
            and ours.types() in difference.ours
        ):
            return difference
    return None


# -- the test -------------------------------------------------------------------------------------


def _post(session: requests.Session, url: str, case: Case) -> tuple[int, Any]:
    response = session.post(f"{url}/prompt", data=json.dumps(case.body()), timeout=60)
    try:
        return response.status_code, response.json()
    except ValueError:
        return response.status_code, response.text


def judge(url: str, cases: list[Case], catalog: Catalog) -> list[tuple[Case, Verdict, Verdict]]:
    """Every case judged by the server at ``url`` and by comfydsl: (case, server, comfydsl)."""
    judged = []
    with requests.Session() as session:
        session.trust_env = False  # straight to the loopback server, whatever the proxy settings
        for case in cases:
            server = server_verdict(*_post(session, url, case))
            judged.append((case, server, comfydsl_verdict(case, catalog)))
        session.post(f"{url}/queue", json={"clear": True}, timeout=60)
    return judged


def summary(judged: list[tuple[Case, Verdict, Verdict]], seconds: float) -> str:
    """The figures of one run, in a few lines."""
    total = len(judged)
    outcomes = sum(outcomes_agree(s, o) for _, s, o in judged)
    types = sum(types_agree(s, o) for _, s, o in judged)
    met = collections.Counter(
        f"{case.kind}: server {s.types()}, comfydsl {o.types()}"
        for case, s, o in judged
        if not types_agree(s, o) and _deliberate(case, s, o) is not None
    )
    lines = [
        f"{total} cases (seed {SEED}) in {seconds:.1f} s; outcomes agree on {outcomes} "
        f"({100 * outcomes / total:.1f}%), error types on {types} ({100 * types / total:.1f}%)",
        f"deliberate differences met: {sum(met.values())} cases of {len(met)} kinds",
    ]
    lines += [f"  {count:3d} x {text}" for text, count in sorted(met.items())]
    return "\n".join(lines)


def test_comfydsl_gives_the_real_servers_verdict(
    validation_only_server: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    began = time.monotonic()
    with requests.Session() as session:
        session.trust_env = False
        object_info = session.get(f"{validation_only_server.url}/object_info", timeout=60).json()
    catalog = Catalog.from_object_info(
        object_info, source=validation_only_server.url, files_known=True
    )
    cases = CaseMaker(object_info, bundled_catalog().to_object_info(), SEED).cases(CASES)
    assert len(cases) >= 500, f"only {len(cases)} cases were made"
    judged = judge(validation_only_server.url, cases, catalog)
    seconds = time.monotonic() - began

    wrong = [
        f"{case.describe()}\n    server:   {s}\n    comfydsl: {o}"
        for case, s, o in judged
        if not types_agree(s, o) and _deliberate(case, s, o) is None
    ]
    # An entry whose kinds all agree now (they ran, and no case differed) is no longer needed.
    ran = {case.kind for case, _, _ in judged}
    differed = {case.kind for case, s, o in judged if not types_agree(s, o)}
    stale = [d for d in DIFFERENCES if ran & set(d.kinds) and not differed & set(d.kinds)]
    with capsys.disabled():
        print(f"\n{summary(judged, seconds)}")
    assert [] == wrong, f"{len(wrong)} undeclared differences:\n" + "\n".join(wrong)
    assert [] == stale, "differences the table names that no case showed:\n" + "\n".join(
        map(str, stale)
    )
