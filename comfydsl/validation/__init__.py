"""Validation: what the server would say about a workflow, said at the user's line.

- ``comfydsl.validation.inputs``: per-input rules, one value or link against one input's
  definition (the building layer runs them at every node call).
- ``comfydsl.validation.workflow``: whole-workflow checks over the nodes the server would run
  (unknown classes, every input, required inputs missing, loops).
"""

from comfydsl.validation.inputs import checker_for, types_match
from comfydsl.validation.workflow import (
    check_compilable,
    check_workflow,
    find_cycles,
    reachable_from_outputs,
)

__all__ = [
    "check_compilable",
    "check_workflow",
    "checker_for",
    "find_cycles",
    "reachable_from_outputs",
    "types_match",
]
