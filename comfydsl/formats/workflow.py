"""Reading a workflow file of either format: the editor's ``workflow.json`` or an API-format prompt.

:func:`load_workflow` tells the formats apart by their content (an object whose every value is a
node with a ``class_type`` is a prompt; anything with ``nodes``, ``links`` or ``version`` is an
editor workflow) and gives a Workflow either way, whose nodes keep the file's ids (``"10:3"``
for a node inside a subgraph) and titles. A workflow read from an editor file also remembers how
it was drawn (``comfydsl.formats.kept``), so that exporting it again keeps its layout.

    from comfydsl import load_workflow
    wf = load_workflow("workflow.json")        # as the editor would queue it
    wf["3"].inputs["steps"]                     # 20
    wf.to_api()                                 # the prompt
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from comfydsl.build.make import UntypedNode, Workflow, make_node, node_type
from comfydsl.build.plans import plan_of
from comfydsl.catalog import Catalog, active_catalog
from comfydsl.errors import PromptFormatError, WorkflowFormatError
from comfydsl.formats.api import load_prompt
from comfydsl.formats.kept import keep_layout
from comfydsl.formats.ui import is_api_prompt
from comfydsl.formats.ui_read import parse_workflow
from comfydsl.formats.ui_to_api import ConvertedNode, convert_workflow
from comfydsl.values import freeze, read_json

__all__ = ["is_editor_workflow", "load_workflow", "workflow_of_nodes"]

#: Keys only an editor workflow has at its top.
_EDITOR_KEYS = ("nodes", "links", "version", "definitions", "last_node_id", "state")


def is_editor_workflow(data: Any) -> bool:
    """Whether parsed JSON is an editor (UI-format) workflow rather than an API-format prompt.

    An object whose every value is a node (a string ``class_type`` and an object ``inputs``) is a
    prompt; so is a ``POST /prompt`` body. Otherwise an object with ``nodes``, ``links``,
    ``version`` (or the other keys only editor workflows have) is an editor workflow. Anything
    else is left to the prompt reader, whose problems name each node.
    """
    if not isinstance(data, Mapping) or is_api_prompt(data):
        return False
    if isinstance(data.get("prompt"), Mapping) and is_api_prompt(data["prompt"]):
        return False  # a POST /prompt body
    return any(key in data for key in _EDITOR_KEYS)


def load_workflow(
    source: Mapping[str, Any] | str | os.PathLike[str], *, catalog: Catalog | None = None
) -> Workflow:
    """A Workflow from a workflow file of either format (a path, or its parsed JSON).

    An editor workflow is converted as the editor converts it when it queues it (see
    ``comfydsl.formats.ui_to_api``): widget values named by the node definitions of ``catalog``
    (default: the catalog in force), subgraphs opened, notes, reroutes, muted and bypassed nodes
    left out. An API-format prompt is read as ``load_prompt`` reads it. Either way the nodes
    keep the file's ids and titles.

    Every problem of the file is reported at once: WorkflowFormatError for an editor workflow,
    PromptFormatError for a prompt (WorkflowFormatError is a PromptFormatError, so one
    ``except`` catches both), each naming the file.

    >>> load_workflow("workflow.json").to_api()  # doctest: +SKIP
    """
    file = None
    if isinstance(source, (str, os.PathLike)):
        file = os.fspath(source)
        data = read_json(file, lambda reason: WorkflowFormatError([reason], file=file))
    else:
        data = source
    if not is_editor_workflow(data):
        if isinstance(data, list):
            raise WorkflowFormatError(
                [
                    "a workflow is a JSON object (an editor workflow with nodes and links, or an "
                    "API-format prompt), not a list"
                ],
                file=file,
            )
        try:
            return load_prompt(data, catalog=catalog)
        except PromptFormatError as error:
            if file is None or type(error) is not PromptFormatError:
                raise
            raise PromptFormatError(error.problems, file=file) from None
    catalog = catalog if catalog is not None else active_catalog()
    nodes = convert_workflow(parse_workflow(data, file=file), catalog)
    workflow = workflow_of_nodes(nodes, name=file)
    keep_layout(workflow, data, (node.id for node in nodes), catalog, file=file)
    return workflow


def workflow_of_nodes(nodes: list[ConvertedNode], *, name: str | None = None) -> Workflow:
    """A Workflow of converted nodes (their links as ``[node id, output index]`` lists)."""
    workflow = Workflow(name=name)
    workflow.loaded = True
    made = {}
    links = []
    for converted in nodes:
        values: dict[str, Any] = {}
        for key, value in converted.inputs.items():
            if type(value) is list:
                links.append((converted.id, key, value))
                values[key] = None  # keeps the key's place; the link is put in below
            else:
                values[key] = freeze(value)
        definition = converted.definition
        made[converted.id] = make_node(
            workflow,
            UntypedNode if definition is None else node_type(plan_of(definition)),
            converted.class_type,
            values,
            definition,
            converted.meta,
            converted.id,
            None,
        )
    for node_id, key, (origin, index) in links:
        made[node_id].inputs[key] = made[origin].output(index)
    return workflow
