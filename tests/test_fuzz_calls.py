"""Fuzzing node calls: random calls with random, mostly wrong, values (hostile ones among them:
too deep, self-containing, too long to write, not UTF-8) over random catalogs raise nothing but
comfydsl's errors, and what they build compiles and checks without any other exception.

``COMFYDSL_FUZZ_EXAMPLES`` sets the number of examples (a few hundred by default).
"""

from __future__ import annotations

import contextlib
from typing import Any

import strategies as sts
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comfydsl.errors import ComfyDSLError


@settings(
    max_examples=sts.FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.data(), sts.object_infos(), st.booleans())
def test_random_calls_raise_nothing_but_comfydsl_errors(
    data: st.DataObject, object_info: dict[str, Any], files_known: bool
) -> None:
    calls = data.draw(sts.random_calls(object_info))
    workflow, _ = sts.run_calls(object_info, calls, files_known)  # anything else propagates
    for action in (workflow.check, lambda: workflow.to_json(check=False), workflow.to_api):
        with contextlib.suppress(ComfyDSLError):
            action()
