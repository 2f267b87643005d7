"""Validation: what the server would say about a workflow, said at the user's line.

- ``comfydsl.validation.inputs``: per-input rules, one value or link against one input's
  definition (the building layer runs them at every node call).
- ``comfydsl.validation.files``: values that name files on the server (output prefixes, input
  file names) and the nodes that check their file themselves.
- ``comfydsl.validation.loaded``: the server's verdict on the odd shapes a prompt read from a file
  can have (links it cannot follow, ``inputs`` that are not an object).
- ``comfydsl.validation.workflow``: whole-workflow checks over the nodes the server would run
  (unknown classes, an output node, the targets, every input, required inputs missing, loops),
  and the report of which outputs would run (``CheckReport``).
"""

from comfydsl.validation.inputs import checker_for, types_match
from comfydsl.validation.workflow import (
    CheckReport,
    check_compilable,
    check_report,
    check_workflow,
    find_cycles,
    reachable_from_outputs,
)

__all__ = [
    "CheckReport",
    "check_compilable",
    "check_report",
    "check_workflow",
    "checker_for",
    "find_cycles",
    "reachable_from_outputs",
    "types_match",
]
