"""The building layer's plan of each node class: one checker per input, made once per definition.

A plan belongs to the building layer, not to the catalog: the catalog holds definitions as pure
data, and this module keeps what node calls derive from them, keyed weakly by the definition (a
definition that no catalog holds any more takes its plan with it).
"""

from __future__ import annotations

import weakref

from comfydsl.catalog import MISSING, InputSpec, NodeDef
from comfydsl.validation.inputs import Checker, checker_for

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    #: (input name, checker, default or MISSING): one step of the fast path of a node call.
    Step = tuple[str, Checker, Any]
else:
    Step = tuple  # at run time only a name: typing is not imported (import time)


class Plan:
    """What a node call of one class needs, made from its definition on the first call.

    ``checkers`` holds one checker per declared input; ``steps`` walks the inputs in the order
    the prompt has them, each with its checker and, for required widgets (which the editor always
    sends), its default; None for classes with format-dependent widgets, whose calls take the
    whole of ``comfydsl.build.bind``. ``bound_class`` is the node class bound to this definition
    (``comfydsl.nodes.from_catalog``), and ``node_type`` the type of its nodes, each made
    on first use.
    """

    __slots__ = (
        "_by_spec",
        "bound_class",
        "checkers",
        "definition_name",
        "free_class",
        "node_type",
        "outputs",
        "steps",
    )

    def __init__(self, definition: NodeDef) -> None:
        self._by_spec: dict[InputSpec, Checker] = {
            spec: checker_for(spec) for spec in definition.inputs.values()
        }
        self.checkers: dict[str, Checker] = {
            spec.name: check for spec, check in self._by_spec.items()
        }
        defaults = definition.required_defaults
        self.steps: tuple[Step, ...] | None = None
        if not definition.format_widgets:
            self.steps = tuple(
                (name, self.checkers[name], defaults.get(name, MISSING))
                for name in definition.emit_order
            )
        #: Weak references to the node class bound to this definition (from_catalog) and to the
        #: one that follows the catalog in force (comfydsl.nodes), or None; see node_class.
        self.bound_class: Any = None
        self.free_class: Any = None
        #: The type of this class's nodes (comfydsl.build.make.node_type), made on first use.
        self.node_type: Any = None
        self.outputs: tuple[tuple[str, int], ...] = tuple(
            (spec.attr, spec.index) for spec in definition.outputs
        )

    def checker(self, spec: InputSpec) -> Checker:
        """The checker of a declared input or of a format-dependent widget of this class."""
        found = self._by_spec.get(spec)
        if found is None:
            found = self._by_spec[spec] = checker_for(spec)
        return found


_plans: weakref.WeakKeyDictionary[NodeDef, Plan] = weakref.WeakKeyDictionary()


def plan_of(definition: NodeDef) -> Plan:
    """The plan of ``definition``, made on first use."""
    plan = _plans.get(definition)
    if plan is None:
        plan = _plans[definition] = Plan(definition)
    return plan


__all__ = ["Plan", "Step", "plan_of"]
