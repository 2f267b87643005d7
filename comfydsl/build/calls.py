"""Typed node calls: ``KSampler(model=..., seed=42)`` checks each input at once and makes the node.

This is the hot path of building a workflow: one call per node, so it avoids work it does not need
(no copies of the definition, one dict of inputs built in the order the prompt will have), and then
makes the node through ``make_node`` like every other. A node class is a Python function (see
NodeClass): the interpreter calls those directly.
"""

from __future__ import annotations

import sys
import weakref
from collections.abc import Callable
from types import CodeType, FunctionType

from comfydsl.build.bind import bind_call
from comfydsl.build.make import Node, current_workflow, make_node, node_type
from comfydsl.build.plans import plan_of
from comfydsl.catalog import MISSING, Catalog, NodeDef, active_catalog
from comfydsl.catalog.catalog import catalog_var
from comfydsl.catalog.packs import unknown_class_hint
from comfydsl.errors import NodeError, UnknownNodeError
from comfydsl.graph import current
from comfydsl.source import to_location

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class _Use:
    """What calls of a node class check against, for one definition: read whole by each call.

    Replaced, never changed: a call that finds another definition in force makes a new one, so
    that two threads calling one class under different catalogs cannot mix their parts.
    """

    __slots__ = ("class_type", "definition", "fast", "kind", "plan")

    def __init__(self, definition: NodeDef) -> None:
        plan = plan_of(definition)
        self.definition = definition
        self.plan = plan
        self.class_type = definition.name
        # The fast path walks these steps; classes with an input named like a control keyword
        # (title, id, extra_inputs) or with format-dependent widgets take bind_call instead.
        self.fast = None if definition.control_clash else plan.steps
        self.kind = node_type(plan)


class _Bound:
    """A node class's own state: the definition it was made from, whether it keeps to it, what
    its last call checked against, and the function's attributes (to say so there too)."""

    __slots__ = ("attributes", "bound", "definition", "now")

    def __init__(self, definition: NodeDef, bound: bool) -> None:
        self.definition = definition
        self.bound = bound
        #: The __dict__ of the node class's function, once it is made.
        self.attributes: dict[str, Any] = {}
        self.now = _Use(definition)

    def use(self, definition: NodeDef) -> _Use:
        """Make ``definition`` the one calls are checked against until another is in force."""
        now = self.now = _Use(definition)
        self.attributes["definition"] = definition
        return now


def _new_call(state: _Bound) -> Callable[..., Node]:
    """The function that is the node class of ``state`` (see NodeClass)."""

    def call(*args: Any, **kwargs: Any) -> Node:
        definition = state.definition
        if not state.bound:
            active = catalog_var.get()
            if active is not None:
                definition = active.get(definition.name) or definition
        now = state.now
        if now.definition is not definition:
            now = state.use(definition)
        # The caller is the user's code: comfydsl itself never calls a node class.
        frame = sys._getframe(1)
        workflow = current.get()
        if workflow is None:  # not `or`: an empty workflow is false, and asking costs a call
            workflow = current_workflow()
        steps = now.fast
        if steps is not None and not args:
            # The common call, inline: walk the inputs in the order the prompt will have them,
            # check the ones given, default the rest.
            inputs = {}
            used = 0
            try:
                for name, check, default in steps:
                    if name in kwargs:
                        inputs[name] = check(kwargs[name], workflow)
                        used += 1
                    elif default is not MISSING:
                        inputs[name] = default
            except NodeError as error:
                raise error.located(None, to_location((frame.f_code, frame.f_lasti))) from None
            if used == len(kwargs):
                return make_node(
                    workflow,
                    now.kind,
                    now.class_type,
                    inputs,
                    definition,
                    None,
                    None,
                    frame.f_code,
                    frame.f_lasti,
                )
            # Otherwise there are keywords that are not input names: title=, id=, extra_inputs=,
            # aliases, mistakes.
        source = to_location((frame.f_code, frame.f_lasti))
        values, meta, node_id = bind_call(definition, now.plan, args, kwargs, workflow, source)
        return make_node(
            workflow,
            now.kind,
            now.class_type,
            values,
            definition,
            meta,
            node_id,
            frame.f_code,
            frame.f_lasti,
        )

    return call


class _NodeClassType(type):
    """The type of NodeClass: it recognises node classes, which are functions, for isinstance."""

    def __instancecheck__(cls, instance: object) -> bool:
        return type(instance) is FunctionType and instance.__code__ is _CALL_CODE


def new_node_class(definition: NodeDef, *, bound: bool = False) -> NodeClass:
    """A node class of ``definition``: following the catalog in force from call to call, or
    keeping to ``definition`` when ``bound`` (see NodeClass)."""
    state = _Bound(definition, bound)
    call = _new_call(state)
    call.__name__ = call.__qualname__ = definition.name
    call.__module__ = "comfydsl.nodes"
    call.__doc__ = _docstring(definition)
    # Attributes of the function object: a function has a __dict__ of its own.
    state.attributes = call.__dict__
    state.attributes.update(class_type=definition.name, definition=definition, bound=bound)
    return call  # type: ignore[return-value]


#: The code every node class runs: what makes a function a node class.
_CALL_CODE = next(c for c in _new_call.__code__.co_consts if isinstance(c, CodeType))


class NodeClass(metaclass=_NodeClassType):
    """A node class of the catalog, callable to make nodes: ``KSampler(model=m, seed=42, ...)``.

    Inputs are keyword arguments named after the definition's inputs (or their Python form, e.g.
    ``input_blocks_0_`` for ``"input_blocks.0."``), or positional in the definition's order.
    ``title=`` sets the node's title, ``id=`` its id, ``extra_inputs={...}`` passes input keys the
    definition does not declare. Required widgets left out take the definition's default.

    A class imported from ``comfydsl.nodes`` checks each call against the catalog in force at that
    call (a ``use_catalog(server_catalog)`` block sees that server's model files), falling back to
    the definition it was made from; one from ``from_catalog(catalog)`` keeps to that catalog.
    Mistakes in the call's shape raise ``comfydsl.errors.CallError`` (a TypeError).

    ``new_node_class(definition)`` makes one, and ``isinstance(KSampler, NodeClass)`` holds, but a
    node class is a plain Python function (named after its class, with the class's docstring): the
    interpreter calls a function of Python directly, without the C call protocol that an object
    with a ``__call__`` (or a ``functools.partial`` subclass) goes through, which cost 15% of the
    instructions of making a node (measured in benchmarks/). Its attributes are below.
    """

    #: The class name the server knows this node by.
    class_type: str
    #: The definition the class's last call was checked against: at first the one it was made
    #: from; a class that follows the catalog in force (not ``bound``) takes that catalog's.
    definition: NodeDef
    #: Whether calls keep to ``definition`` (``from_catalog``) instead of the catalog in force.
    bound: bool
    __name__: str
    __qualname__: str

    def __call__(self, *args: Any, **kwargs: Any) -> Node:
        """Make a node of this class in the current workflow (see the class docstring)."""
        raise NotImplementedError  # never called: node classes are functions (see above)


def _docstring(definition: NodeDef) -> str:
    lines = [f"{definition.display_name} ({definition.category})", "", "Inputs:"]
    for spec in definition.inputs.values():
        flag = "" if spec.required else ", optional"
        default = "" if spec.default is None or not spec.widget else f" = {spec.default!r}"
        lines.append(f"  {spec.name}: {spec.describe()}{flag}{default}")
    lines.append("Outputs:")
    lines += [f"  .{o.attr} / [{o.index}]: {o.type}" for o in definition.outputs] or ["  none"]
    return "\n".join(lines)


def node_class(name: str, catalog: Catalog | None = None) -> NodeClass:
    """The callable node class ``name``: of the catalog in force (following it from call to
    call), or bound to ``catalog`` when one is given.

    One class per definition: looked up where another catalog is in force, a name gives the
    class of that catalog's definition (its ``definition``), which still follows the catalog in
    force at each call.
    """
    source = catalog if catalog is not None else active_catalog()
    definition = source.get(name)
    if definition is None:
        raise UnknownNodeError(
            name,
            suggestions=source.suggest(name),
            hint=unknown_class_hint(name),
        )
    bound = catalog is not None
    if not bound:
        latest = _latest.get(name)
        if latest is not None and latest.definition is definition:
            return latest
    plan = plan_of(definition)
    # The plan keeps its classes weakly: a class holds its definition, and the plans are kept
    # weakly by definition, so a strong reference back would keep every definition ever used.
    known = plan.bound_class if bound else plan.free_class
    found: NodeClass | None = None if known is None else known()
    if found is None:
        found = new_node_class(definition, bound=bound)
        if bound:
            plan.bound_class = weakref.ref(found)
        else:
            plan.free_class = weakref.ref(found)
    if not bound:
        _latest[name] = found
    return found


#: The class of each name last given by comfydsl.nodes, kept (one per name) so that reaching a
#: class again, ``comfydsl.nodes.KSampler(...)`` in a loop, finds it at once.
_latest: dict[str, NodeClass] = {}


__all__ = ["NodeClass", "new_node_class", "node_class"]
