"""Nodes as an exported file has them, made from a script: ``unchecked_node`` and ``with_meta``.

A script imported from an exported workflow (``comfydsl import``) writes each node as a typed call
where that call gives back exactly the exported node. Some exported nodes cannot be made that way:
a value the catalog in force refuses (a choice this server version does not list, a number out of
range, a link of another type), a required widget left out (a typed call fills in its default),
a required input left empty in a node the server would run (compiling refuses it), ``_meta`` keys
besides the title. Those are made with ``unchecked_node``, which keeps them as they were, the way
``load_prompt`` keeps every node of a file: not checked when made, nor when compiled.

    from comfydsl import unchecked_node

    sampler = unchecked_node(
        "KSampler", {"model": ckpt.MODEL, "sampler_name": "euler_x"}, title="Sampler"
    )

``wf.check()`` still reports what is wrong with such a node, as the server would.

Newer editors also record in ``_meta`` where each node's class comes from (``cnr_id``,
``aux_id``, ``ver``); the server ignores ``_meta``, but an imported script keeps it, so that it
compiles to the prompt exported. A typed call sets only the title: ``with_meta`` adds the rest::

    COMFY_CORE = {"cnr_id": "comfy-core", "ver": "0.3.75"}
    image = with_meta(LoadImage(image="photo.png", title="Load Image"), COMFY_CORE)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from comfydsl.build.bind import check_control
from comfydsl.build.make import Node, UntypedNode, current_workflow, make_node, node_type
from comfydsl.build.plans import plan_of
from comfydsl.catalog import active_catalog
from comfydsl.errors import BadLinkError, CallError, InputValueError, SourceLocation
from comfydsl.graph import Node as GraphNode
from comfydsl.graph import Output, Workflow
from comfydsl.source import caller_location
from comfydsl.values import freeze, json_problem, text_problem

__all__ = ["unchecked_node", "with_meta"]

N = TypeVar("N", bound=GraphNode)


def unchecked_node(
    class_type: str,
    inputs: Mapping[str, Any] | None = None,
    /,
    *,
    title: str | None = None,
    id: str | int | None = None,
    meta: Mapping[str, Any] | None = None,
) -> Node:
    """A node of ``class_type`` with exactly ``inputs``, in the workflow being built.

    ``inputs`` maps each input name to an ``Output`` of a node of the same workflow or to a JSON
    value, which is kept as it is (a list is not wrapped: it goes out as the list it is).
    ``title`` sets ``_meta.title``; ``meta`` gives the whole ``_meta`` (``title`` wins over its
    ``"title"``); ``id`` the node's id. Nothing is checked against the node's definition, and
    compiling leaves the node alone as it leaves a node read from a file; only what cannot be
    written as a prompt at all (a value JSON cannot hold, a bare two-item list, which reads as a
    link, a link to another workflow) is refused, with a CallError or a NodeError at this line.
    """
    source = caller_location()
    workflow = current_workflow()
    # An empty class type is kept as load_prompt keeps it: the server refuses it, not the writing.
    if not isinstance(class_type, str) or text_problem(class_type):
        raise CallError(
            "the class type must be a string of UTF-8",
            class_type=repr(class_type),
            source=source,
        )
    check_control(class_type, title, id, source)
    values: dict[str, Any] = {}
    if inputs is not None:
        if not isinstance(inputs, Mapping):
            raise CallError(
                f"inputs are a mapping of input name -> value, not {type(inputs).__name__}",
                class_type=class_type,
                source=source,
            )
        for name, value in inputs.items():
            if not isinstance(name, str) or text_problem(name):
                raise CallError(
                    f"input names are strings of UTF-8, not {name!r}",
                    class_type=class_type,
                    source=source,
                )
            values[name] = _value(value, class_type, name, workflow, source)
    kept = _meta(class_type, meta, title, source)
    definition = active_catalog().get(class_type)
    kind = UntypedNode if definition is None else node_type(plan_of(definition))
    return make_node(workflow, kind, class_type, values, definition, kept, id, None)


def _value(
    value: Any, class_type: str, name: str, workflow: Workflow, source: SourceLocation | None
) -> Any:
    if type(value) is Output:
        if value.node.workflow is not workflow:
            raise BadLinkError(
                f"the link comes from {value.node.class_type}#{value.node.id}, a node of "
                "another workflow",
                class_type=class_type,
                input_name=name,
                value=value,
                source=source,
                type="link_to_missing_node",
            )
        return value
    problem = json_problem(value)
    if problem is None and isinstance(value, (list, tuple)) and len(value) == 2:
        problem = "a bare list of two items reads as a link in a prompt; pass an Output"
    if problem is not None:
        raise InputValueError(
            f"{problem}: a prompt is JSON",
            class_type=class_type,
            input_name=name,
            value=value,
            source=source,
        )
    return freeze(value)


def _meta(
    class_type: str,
    meta: Mapping[str, Any] | None,
    title: str | None,
    source: SourceLocation | None,
) -> dict[str, Any] | None:
    if meta is None:
        return None if title is None else {"title": title}
    problem = json_problem(meta) if isinstance(meta, Mapping) else "it is not a mapping"
    if problem is not None:
        raise CallError(
            f"meta cannot be written as _meta: {problem}", class_type=class_type, source=source
        )
    # The title first, where the editor puts it (and a call's title= would).
    kept = {} if title is None else {"title": title}
    kept.update(
        (key, freeze(value)) for key, value in meta.items() if title is None or key != "title"
    )
    return kept


def with_meta(node: N, meta: Mapping[str, Any] | None = None, /, **keys: Any) -> N:
    """``node`` with ``meta`` and ``keys`` added to its ``_meta`` (its title left as it is).

    For the keys an editor records beside the title (``cnr_id``, ``ver``...), which no node
    call sets: ``with_meta(LoadImage(...), {"cnr_id": "comfy-core"}, ver="0.3.75")``. Returns
    the node, so that it wraps a call. A value must be JSON; ``title`` is refused here (a call
    sets it, ``title=``).
    """
    added = {**(meta or {}), **keys}
    source = caller_location()
    for key, value in added.items():
        problem = None if isinstance(key, str) else f"the key {key!r} is not a string"
        problem = problem or json_problem(value)
        if problem is None and key == "title":
            problem = "the title is set by the node's call (title=...), not here"
        if problem is not None:
            raise CallError(f"_meta: {problem}", class_type=node.class_type, source=source)
    if added:
        kept = dict(node.meta or {})
        kept.update((key, freeze(value)) for key, value in added.items())
        node.meta = kept
    return node
