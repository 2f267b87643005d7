"""Turning what the user submits (a Workflow or a raw prompt) into the body of ``POST /prompt``,
and the server's 400 answer back into errors at the user's lines.

What ``extra_data`` carries by default: ``extra_pnginfo.comfydsl`` = ``{"version": <comfydsl
version>, "script": <file name of the script that built the workflow>}``. The server writes every
``extra_pnginfo`` key as a PNG text chunk, next to the ``prompt`` chunk it always writes (the
exact API-format prompt, every seed and file name included, which ComfyUI's editor can load). So a
saved image says what made it and with which tool; the script name is a base name only, no path.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any

from comfydsl.client.errors import MalformedAnswer, PromptRejected, ServerNodeError
from comfydsl.errors import NodeError, SourceLocation, ValidationError
from comfydsl.formats.api import load_prompt
from comfydsl.graph import Workflow, emit_prompt
from comfydsl.validation.workflow import Targets, check_compilable, check_report
from comfydsl.version import __version__

if TYPE_CHECKING:
    import requests

    from comfydsl.catalog import Catalog

__all__ = [
    "NodeInfo",
    "Prepared",
    "check_locally",
    "default_extra_data",
    "node_info",
    "prepare",
    "rejection",
]

NodeInfo = Mapping[str, tuple[str, SourceLocation | None]]
"""node id -> (class_type, the user's file:line or None)."""

Uploader = Callable[[PurePath], str]


class Prepared:
    """A prompt ready to post: ``prompt`` (JSON-ready), ``nodes`` (id -> class and source line),
    and the ``workflow`` it came from (None for raw prompts)."""

    def __init__(self, prompt: dict[str, Any], nodes: NodeInfo, workflow: Workflow | None) -> None:
        self.prompt = prompt
        self.nodes = nodes
        self.workflow = workflow


def prepare(
    submitted: Workflow | Mapping[str, Any],
    *,
    uploads: Uploader,
    catalog: Catalog | None,
    targets: Targets = None,
) -> Prepared:
    """Check (against ``catalog``, unless None), upload local files, and compile.

    ``targets`` (output nodes or their ids): only those outputs and what they need are checked,
    as the server will check them. Raises ValidationError with every problem found, before any
    file is uploaded.
    """
    if isinstance(submitted, Workflow):
        _check_local_files(submitted)
        if catalog is not None:
            check_locally(submitted, catalog, targets=targets)  # what compiling checks, and more
        else:
            check_compilable(submitted, built_only=True)
        prompt = emit_prompt(submitted, uploads)
        return Prepared(prompt, node_info(submitted, prompt), submitted)
    if not isinstance(submitted, Mapping):
        raise TypeError(
            f"submit() takes a Workflow or an API-format prompt (a dict), "
            f"got {type(submitted).__name__}"
        )
    raw = dict(submitted)
    if catalog is not None:
        files = {(str(n), name) for n, name, _ in _paths_in(raw)}
        check_locally(load_prompt(_without_paths(raw)), catalog, skip=files, targets=targets)
    prompt = _upload_paths(raw, uploads)
    return Prepared(prompt, node_info(None, prompt), None)


def check_locally(
    workflow: Workflow,
    catalog: Catalog,
    *,
    skip: Collection[tuple[str | None, str | None]] = (),
    targets: Targets = None,
) -> None:
    """Raise ValidationError listing every problem ``catalog`` (a server's own) finds, and which
    outputs would have run despite them (its ``outputs``).

    ``skip`` holds (node id, input name) pairs not to judge: local files not uploaded yet.
    ``targets``: only those outputs and what they need (see ``check_report``).
    """
    report = check_report(workflow, catalog, targets=targets)

    def judged(errors: list[NodeError]) -> list[NodeError]:
        return [e for e in errors if (e.node_id, e.input_name) not in skip]

    errors = judged(report.errors)
    if errors:
        raise ValidationError(
            errors,
            heading=f"{_count(errors)} found before sending (checked against {catalog.source})",
            outputs={output: judged(found) for output, found in report.outputs.items()},
        )


def _check_local_files(workflow: Workflow) -> None:
    missing = []
    for node, name, path in workflow.local_files():
        problem = _local_file_problem(path)
        if problem is not None:
            missing.append(
                NodeError(
                    problem,
                    class_type=node.class_type,
                    node_id=str(node.id),
                    input_name=name,
                    value=path,
                    source=node.source,
                    type="local_file_missing",
                )
            )
    if missing:
        raise ValidationError(missing, heading=f"{_count(missing)} before uploading")


def _local_file_problem(path: PurePath) -> str | None:
    """Why a local file cannot be uploaded, or None if it is there."""
    try:
        if Path(path).expanduser().is_file():
            return None
    except (OSError, RuntimeError) as exc:  # no permission to look; no home directory for ~
        return f"cannot read the local file to upload, {path}: {exc}"
    return f"no such local file to upload: {path}"


class _NodeTable(Mapping[str, tuple[str, "SourceLocation | None"]]):
    """node id -> (class_type, source), the source line looked up only when an error asks.

    Turning a node's call site into a line costs more than the rest of preparing a small prompt,
    and it is needed only for errors: so it is not done for every submit.
    """

    def __init__(self, workflow: Workflow | None, prompt: Mapping[str, Any]) -> None:
        self._workflow = workflow
        self._classes = {
            str(node_id): (str(node.get("class_type", "?")) if isinstance(node, Mapping) else "?")
            for node_id, node in prompt.items()
        }

    def __getitem__(self, node_id: str) -> tuple[str, SourceLocation | None]:
        class_type = self._classes[node_id]
        source = None
        if self._workflow is not None:
            built = self._workflow.nodes.get(node_id)
            source = built.source if built is not None else None
        return class_type, source

    def __iter__(self) -> Iterator[str]:
        return iter(self._classes)

    def __len__(self) -> int:
        return len(self._classes)


def node_info(workflow: Workflow | None, prompt: Mapping[str, Any]) -> NodeInfo:
    """Each node id of the prompt with its class and, for a Workflow, the line that built it."""
    return _NodeTable(workflow, prompt)


def default_extra_data(workflow: Workflow | None) -> dict[str, Any]:
    """The ``extra_data`` sent when the caller gives none (see the module docstring)."""
    stamp: dict[str, Any] = {"version": __version__}
    script = _script_name(workflow)
    if script:
        stamp["script"] = script
    return {"extra_pnginfo": {"comfydsl": stamp}}


def rejection(
    body: Any, nodes: NodeInfo, *, response: requests.Response | None = None
) -> PromptRejected:
    """The server's 400 answer to ``POST /prompt`` as PromptRejected, one error per problem.

    Node errors come in the prompt's node order, each at the user's line when known. An answer
    that is not the validation-error object the server gives (a list, node errors that are not
    lists of error objects, a 400 that names no error at all) is MalformedAnswer, not a
    rejection of the prompt; ``response``, if given, is named in it and attached to it.
    """
    where = "POST /prompt"
    if response is not None:
        where = f"{response.request.method} {response.url} ({response.status_code})"

    def malformed(expected: str, got: Any) -> MalformedAnswer:
        return MalformedAnswer.of(where, expected, got, response=response)

    if not isinstance(body, Mapping):
        raise malformed("an object with 'error' and 'node_errors'", body)
    top = body.get("error")
    node_errors = body.get("node_errors")
    if node_errors is None:
        node_errors = {}
    elif not isinstance(node_errors, Mapping):
        raise malformed("'node_errors' to be an object of node id -> errors", node_errors)
    if isinstance(top, Mapping):
        top = dict(top)
    elif top is None and node_errors:  # a 200 that queued the valid outputs and lists the others'
        top = {
            "type": "prompt_outputs_failed_validation",
            "message": "some outputs failed validation",
        }
    elif top is None:
        raise malformed("an 'error' object or 'node_errors' saying what was wrong", dict(body))
    else:
        top = {"message": str(top)}
    order = {node_id: i for i, node_id in enumerate(nodes)}
    errors: list[NodeError] = []
    for node_id in sorted(node_errors, key=lambda n: (order.get(str(n), len(order)), str(n))):
        entry = node_errors[node_id]
        if not isinstance(entry, Mapping):
            raise malformed(f"node_errors.{node_id} to be an object", entry)
        class_type, source = nodes.get(str(node_id), (str(entry.get("class_type", "?")), None))
        server_errors = entry.get("errors")
        if server_errors is None:
            server_errors = []
        elif not isinstance(server_errors, list):
            raise malformed(f"node_errors.{node_id}.errors to be a list", server_errors)
        for server_error in server_errors:
            if not isinstance(server_error, Mapping):
                raise malformed(
                    f"each of node_errors.{node_id}.errors to be an object", server_error
                )
            errors.append(
                ServerNodeError(
                    dict(server_error),
                    class_type=str(entry.get("class_type") or class_type),
                    node_id=str(node_id),
                    source=source,
                )
            )
    if not errors:
        errors.append(_top_level_error(top, nodes))
    heading = f"the server rejected the prompt: {top.get('message') or top.get('type')}"
    return PromptRejected(errors, error=top, heading=f"{heading} ({_count(errors)})")


def _top_level_error(top: Mapping[str, Any], nodes: NodeInfo) -> ServerNodeError:
    """A prompt-wide error (``invalid_prompt``, ``prompt_no_outputs``) as one error.

    ``invalid_prompt`` names its node in ``details`` (``Node ID '#1'``): that node's line is used.
    """
    details = str(top.get("details", ""))
    node_id = None
    if details.startswith("Node ID '#") and details.endswith("'"):
        node_id = details[len("Node ID '#") : -1]
    class_type, source = ("prompt", None)
    if node_id is not None:
        class_type, source = nodes.get(node_id, ("prompt", None))
    return ServerNodeError(dict(top), class_type=class_type, node_id=node_id, source=source)


def _paths_in(prompt: Mapping[str, Any]) -> list[tuple[str, str, PurePath]]:
    return [
        (str(node_id), name, value)
        for node_id, node in prompt.items()
        if isinstance(node, Mapping) and isinstance(node.get("inputs"), Mapping)
        for name, value in node["inputs"].items()
        if isinstance(value, PurePath)
    ]


def _without_paths(prompt: dict[str, Any]) -> dict[str, Any]:
    """The prompt with local-file values as their names (for checking a raw prompt)."""
    return _map_paths(prompt, lambda path: path.name)


def _upload_paths(prompt: dict[str, Any], uploads: Uploader) -> dict[str, Any]:
    return _map_paths(prompt, uploads)


def _map_paths(prompt: dict[str, Any], convert: Callable[[PurePath], str]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for node_id, node in prompt.items():
        if isinstance(node, Mapping) and isinstance(node.get("inputs"), Mapping):
            inputs = {
                name: convert(value) if isinstance(value, PurePath) else value
                for name, value in node["inputs"].items()
            }
            result[node_id] = {**node, "inputs": inputs}
        else:
            result[node_id] = node
    return result


def _script_name(workflow: Workflow | None) -> str | None:
    if workflow is None:
        return None
    for node in workflow.nodes.values():
        file = node.source_file
        if file is not None and not file.startswith("<"):
            return PurePath(file).name
    return None


def _count(errors: list[Any]) -> str:
    return f"{len(errors)} problem{'s' if len(errors) != 1 else ''}"
