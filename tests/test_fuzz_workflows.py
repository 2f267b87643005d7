"""Fuzzing the editor-workflow reader: every mutated corpus workflow (as a dict, or as the bytes
of a file) is read and used (converted, checked, written, imported as a script, compared) with
no exception outside comfydsl's error tree and without hanging.

The workflows come from the corpus that scripts/editor_setup.py installs (a sample of small and
subgraph-heavy templates and blueprints) and from the hand-made cases of tests/ui_cases.py.
``COMFYDSL_FUZZ_EXAMPLES`` sets the number of examples of each test.
"""

from __future__ import annotations

import contextlib
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from corpus import require_corpus, setup, workflows
from hypothesis import HealthCheck, given, settings
from strategies import FUZZ_EXAMPLES, Samples, mutated_bytes, mutated_workflows
from ui_cases import EDITOR_CASES

from comfydsl import compare, load_workflow, to_script
from comfydsl.errors import ComfyDSLError

#: Seconds one example may take before it counts as a hang (the slowest real file takes 0.05).
HANG = 20.0
FUZZ = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _sample() -> Samples:
    """Small corpus files, with and without subgraphs, and the hand-made cases."""
    found = Samples(case() for case in EDITOR_CASES.values())
    try:
        corpus = workflows()
    except OSError:
        return found
    by_size = sorted(corpus, key=lambda item: len(str(item[1])))
    with_subgraphs = [w for _, w in by_size if (w.get("definitions") or {}).get("subgraphs")]
    without = [w for _, w in by_size if not (w.get("definitions") or {}).get("subgraphs")]
    return Samples(found + with_subgraphs[:12] + without[:12])


WORKFLOWS = _sample()


def _texts() -> Samples:
    paths = sorted(setup.template_files(), key=lambda p: p.stat().st_size)[:10]
    return Samples(path.read_bytes() for path in paths)


@contextlib.contextmanager
def no_hang(seconds: float = HANG) -> Iterator[None]:
    """Fail the example instead of waiting forever (SIGALRM; POSIX)."""

    def expired(*_: object) -> None:
        raise AssertionError(f"reading the workflow took more than {seconds} s: a hang")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def use(source: Any) -> None:
    """Everything a user does with a workflow file: import and diff included."""
    with no_hang():
        try:
            workflow = load_workflow(source)
            workflow.check()
            workflow.to_json(check=False)
            import_and_compare(workflow)
            workflow.to_api(check=True)
        except ComfyDSLError:
            pass


def import_and_compare(workflow: Any) -> None:
    """What ``comfydsl import`` and ``comfydsl diff`` do with a workflow that reads: a script
    that parses (or a ScriptWriteError), and the workflow the same as itself (or a
    CompareError)."""
    compile(to_script(workflow), "<imported>", "exec")
    assert compare(workflow, workflow).same


@pytest.fixture(scope="module", autouse=True)
def _corpus() -> None:
    require_corpus()


@FUZZ
@given(mutated_workflows(WORKFLOWS))
def test_a_mutated_workflow_gives_a_comfydsl_error_or_works(workflow: Any) -> None:
    use(workflow)


@FUZZ
@given(mutated_bytes(_texts() or [b'{"version": 0.4, "nodes": [], "links": []}']))
def test_a_mutated_workflow_file_gives_a_comfydsl_error_or_works(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "workflow.json"
        path.write_bytes(data)
        use(path)
