"""Building workflows: node calls, typed and untyped, and the one path that makes every node.

- ``comfydsl.build.calls``: ``NodeClass``, the callable node classes of ``comfydsl.nodes``;
- ``comfydsl.build.bind``: a call's arguments to checked inputs in prompt order;
- ``comfydsl.build.make``: ``make_node`` (every node is made there) and the ``Node`` and
  ``Workflow`` users meet;
- ``comfydsl.build.plans``: the per-class plans (one checker per input) node calls run.
"""

from comfydsl.build.calls import NodeClass, node_class
from comfydsl.build.make import (
    Node,
    Workflow,
    current_workflow,
    make_node,
    reset_default_workflow,
)

__all__ = [
    "Node",
    "NodeClass",
    "Workflow",
    "current_workflow",
    "make_node",
    "node_class",
    "reset_default_workflow",
]
