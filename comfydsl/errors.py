"""Every error comfydsl raises, one tree with one root.

Each error also subclasses the builtin it resembles, so ``except ValueError`` keeps working for
callers that do not know comfydsl, and carries structured fields besides its message::

    ComfyDSLError(Exception)
    ├── NodeError                      one input of one node is wrong; has .type in the server's vocabulary
    │   ├── UnknownInputError          (TypeError)   unknown_input
    │   ├── MissingInputError          (TypeError)   required_input_missing
    │   ├── LinkTypeError              (TypeError)   return_type_mismatch
    │   ├── BadLinkError               (LookupError) bad_linked_input, link_to_missing_node,
    │   │                                            output_index_out_of_range, and in check():
    │   │                                            exception_during_validation, exception_during_inner_validation
    │   ├── InputValueError            (ValueError)  invalid_input_type
    │   ├── ValueRangeError            (ValueError)  value_smaller_than_min, value_bigger_than_max
    │   ├── ChoiceError                (ValueError)  value_not_in_list, custom_validation_failed
    │   ├── PathError                  (ValueError)  path_outside_folder
    │   ├── MalformedNodeError         (ValueError)  a node read from a prompt whose inputs are not an object
    │   ├── CycleError                 (ValueError)  dependency_cycle
    │   └── NoOutputsError             (ValueError)  prompt_no_outputs: about the whole prompt (node_id None)
    ├── CallError                      (TypeError)   a node call of the wrong shape (arguments, title, id)
    ├── UnknownNodeError               (LookupError, ImportError) invalid_prompt: a class the catalog does not have
    ├── DuplicateIdError               (ValueError)  two nodes with one id
    ├── NoWorkflowError                (RuntimeError)
    ├── ValidationError                (ValueError)  several problems found at once: .errors
    ├── PromptFormatError              (ValueError)  a prompt file that is not a valid API-format prompt: .problems
    │   └── WorkflowFormatError                       an editor (UI-format) workflow that cannot be read or converted
    ├── CatalogError                   (ValueError)  node definitions that cannot be read: .problems
    │   └── UnknownPackError           (LookupError) a bundled node pack name that is not one
    ├── ScriptError                    (RuntimeError) a user script that failed while the CLI ran it
    ├── ScriptWriteError               (ValueError)  a workflow that cannot be written as a script
    └── CompareError                   (RuntimeError) two workflows that cannot be compared

The client's errors (``comfydsl.client.errors``) hang below ``ComfyDSLError`` too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "BadLinkError",
    "CallError",
    "CatalogError",
    "CatalogProblem",
    "ChoiceError",
    "ComfyDSLError",
    "CompareError",
    "CycleError",
    "DuplicateIdError",
    "InputValueError",
    "LinkTypeError",
    "MalformedNodeError",
    "MissingInputError",
    "NoOutputsError",
    "NoWorkflowError",
    "NodeError",
    "PathError",
    "PromptFormatError",
    "ScriptError",
    "ScriptWriteError",
    "SourceLocation",
    "UnknownInputError",
    "UnknownNodeError",
    "UnknownPackError",
    "ValidationError",
    "ValueRangeError",
    "WorkflowFormatError",
]


class SourceLocation:
    """Where a node was made: the user's file and line (and the function, when not at module level).

    A plain slotted class rather than an attrs one: one is made for every node, and
    ``import comfydsl.nodes`` stays fast without importing attrs.
    """

    __slots__ = ("file", "function", "line")

    def __init__(self, file: str, line: int, function: str = "<module>") -> None:
        self.file = file
        self.line = line
        self.function = function

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"

    def __repr__(self) -> str:
        return f"SourceLocation({self.file!r}, {self.line!r}, {self.function!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SourceLocation):
            return NotImplemented
        return (self.file, self.line, self.function) == (other.file, other.line, other.function)

    def __hash__(self) -> int:
        return hash((self.file, self.line, self.function))


class ComfyDSLError(Exception):
    """The root of every comfydsl error."""


def _short(value: Any, limit: int = 80) -> str:
    describe = getattr(value, "describe", None)  # an Output: which node's which output
    try:
        text = describe() if callable(describe) else repr(value)
    except Exception:  # a huge int (more digits than Python will print), a broken __repr__
        text = f"<{type(value).__name__}>"
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")  # lone surrogates printable
    return text if len(text) <= limit else text[: limit - 3] + "..."


class NodeError(ComfyDSLError):
    """One problem with one input of one node.

    Fields: ``type`` (the server's word for it, e.g. ``value_not_in_list``), ``class_type``,
    ``node_id``, ``input_name``, ``value``, ``expected`` (what would have been accepted), ``source``
    (the user's file:line where the node was built, or None for nodes loaded from JSON) and
    ``detail`` (the sentence that says what is wrong).
    """

    type = "invalid_input"

    def __init__(
        self,
        detail: str,
        *,
        class_type: str,
        node_id: str | None = None,
        input_name: str | None = None,
        value: Any = None,
        expected: str | None = None,
        source: SourceLocation | None = None,
        type: str | None = None,
        has_value: bool = True,
    ) -> None:
        if type is not None:
            self.type = type
        self.detail = detail
        self.class_type = class_type
        self.node_id = node_id
        self.input_name = input_name
        self.value = value
        self.expected = expected
        self.source = source
        self.has_value = has_value
        super().__init__(self._message())

    def _message(self) -> str:
        where = f"{self.source}: " if self.source is not None else ""
        node = self.class_type
        if self.node_id is not None:
            node += f" (node {self.node_id})"
        subject = f"{node}, input {self.input_name!r}" if self.input_name else node
        parts = [f"{where}{subject}: {self.detail}"]
        extra = []
        if self.has_value and self.input_name is not None:
            extra.append(f"got {_short(self.value)}")
        if self.expected:
            extra.append(f"expected {self.expected}")
        if extra:
            parts.append(f" ({'; '.join(extra)})")
        parts.append(f" [{self.type}]")
        return "".join(parts)

    def located(self, node_id: str | None, source: SourceLocation | None) -> NodeError:
        """This error with the node's id and source filled in where they were missing."""
        if node_id is not None and self.node_id is None:
            self.node_id = node_id
        if source is not None and self.source is None:
            self.source = source
        self.args = (self._message(),)
        return self

    def as_dict(self) -> dict[str, Any]:
        """The error as plain data, shaped like one entry of the server's ``node_errors``."""
        return {
            "type": self.type,
            "message": self.detail,
            "details": self.input_name or "",
            "extra_info": {
                "input_name": self.input_name,
                "received_value": self.value if self.has_value else None,
                "expected": self.expected,
            },
            "class_type": self.class_type,
            "node_id": self.node_id,
            "source": str(self.source) if self.source else None,
        }


class UnknownInputError(NodeError, TypeError):
    """An input name the node's definition does not have."""

    type = "unknown_input"


class MissingInputError(NodeError, TypeError):
    """A required input with no value and no default."""

    type = "required_input_missing"


class LinkTypeError(NodeError, TypeError):
    """A link whose output type does not fit the input's type."""

    type = "return_type_mismatch"


class BadLinkError(NodeError, LookupError):
    """A link that points nowhere: a missing node, or an output index the node does not have.

    For a prompt read from a file, the type is the server's: ``exception_during_validation``
    on an output node, ``exception_during_inner_validation`` on a node an output needs (the server
    fails with a KeyError, IndexError or TypeError while following the link).
    """

    type = "bad_linked_input"


class InputValueError(NodeError, ValueError):
    """A literal the server cannot convert to the input's type."""

    type = "invalid_input_type"


class ValueRangeError(NodeError, ValueError):
    """A number outside the input's min/max."""

    type = "value_smaller_than_min"


class ChoiceError(NodeError, ValueError):
    """A combo value that is not among the choices (``value_not_in_list``), or a file the server
    does not have where the node checks it itself (LoadImage: ``custom_validation_failed``)."""

    type = "value_not_in_list"


class PathError(NodeError, ValueError):
    """A file name or output prefix that leads out of the server's folder for it (``../x``, an
    absolute path): the server takes it, then fails when the node runs, or reads another file."""

    type = "path_outside_folder"


class MalformedNodeError(NodeError, ValueError):
    """A node read from a prompt whose ``inputs`` is missing or not an object. The server refuses
    it when an output needs the node, and otherwise takes the prompt and then stops running
    prompts for good; the type is the server's where it refuses, else ``inputs_not_an_object``."""

    type = "inputs_not_an_object"


class CycleError(NodeError, ValueError):
    """Links that form a loop; the server cannot run it and does not say why."""

    type = "dependency_cycle"


class NoOutputsError(NodeError, ValueError):
    """Nothing to run: the prompt has no output node, or the targets asked for name none.

    A problem of the whole prompt: ``node_id`` is None unless a target names a node that is not
    an output node, and ``class_type`` is ``"prompt"`` unless it names one.
    """

    type = "prompt_no_outputs"


class CallError(ComfyDSLError, TypeError):
    """A node call of the wrong shape: too many positional inputs, one input given twice, a
    ``title`` that is not a string, an ``extra_inputs`` that is not a mapping..."""

    def __init__(self, detail: str, *, class_type: str, source: SourceLocation | None) -> None:
        self.detail = detail
        self.class_type = class_type
        self.source = source
        where = f"{source}: " if source is not None else ""
        super().__init__(f"{where}{class_type}: {detail}")


class UnknownNodeError(ComfyDSLError, LookupError, ImportError):
    """A node class the active catalog does not have (also an ImportError, for ``from comfydsl.nodes import X``)."""

    type = "invalid_prompt"

    def __init__(self, class_type: str, *, suggestions: Sequence[str] = (), hint: str = "") -> None:
        self.class_type = class_type
        self.suggestions = list(suggestions)
        message = f"unknown node class {class_type!r}"
        if self.suggestions:
            message += f"; did you mean {', '.join(map(repr, self.suggestions))}?"
        if hint:
            message += f" {hint}"
        super().__init__(message)


class DuplicateIdError(ComfyDSLError, ValueError):
    """Two nodes of one workflow with the same id."""

    def __init__(
        self, node_id: str, *, source: SourceLocation | None, first: SourceLocation | None
    ):
        self.node_id = node_id
        self.source = source
        self.first = first
        where = f"{source}: " if source else ""
        before = f" by the node built at {first}" if first else ""
        super().__init__(f"{where}node id {node_id!r} is already taken{before}")


class NoWorkflowError(ComfyDSLError, RuntimeError):
    """A workflow was asked for where there is none."""


class ValidationError(ComfyDSLError, ValueError):
    """Several problems found at once (compile or check time); ``errors`` holds each one.

    ``outputs``, when the check knew them: each output node the server would have tried, with the
    errors that stop it (an empty list: it would have run; see ``would_run``).
    """

    def __init__(
        self,
        errors: Sequence[NodeError],
        *,
        heading: str = "",
        outputs: Mapping[str, Sequence[NodeError]] | None = None,
    ) -> None:
        self.errors = list(errors)
        self.outputs = {k: list(v) for k, v in outputs.items()} if outputs is not None else None
        count = len(self.errors)
        head = heading or f"{count} problem{'s' if count != 1 else ''} in the workflow"
        message = head + ":\n" + "\n".join(f"  - {e}" for e in self.errors)
        if self.would_run:
            ids = ", ".join(map(repr, self.would_run))
            message += (
                f"\n(the server would have run outputs {ids} alone and dropped the others; "
                f"submit(..., targets=[{ids}]) runs just those)"
            )
        super().__init__(message)

    @property
    def would_run(self) -> list[str]:
        """The output nodes the server would have run despite the errors (empty when unknown)."""
        if self.outputs is None:
            return []
        return [node_id for node_id, errors in self.outputs.items() if not errors]


class PromptFormatError(ComfyDSLError, ValueError):
    """A prompt (API format) that cannot be read; ``problems`` lists every one found."""

    def __init__(self, problems: Sequence[str], *, file: str | None = None) -> None:
        self.problems = list(problems)
        self.file = file
        where = f"{file}: " if file else ""
        if len(self.problems) == 1:
            super().__init__(f"{where}{self.problems[0]}")
        else:
            listed = "\n".join(f"  - {p}" for p in self.problems)
            super().__init__(f"{where}{len(self.problems)} problems:\n{listed}")


class WorkflowFormatError(PromptFormatError):
    """An editor workflow (the UI format, ``workflow.json``) that cannot be read or converted to a
    prompt; ``problems`` lists every one found, each naming the node (and the subgraph) it is in.

    A subclass of PromptFormatError: code that reads "a workflow file" of either format catches
    one error.
    """


class CatalogProblem:
    """One thing wrong in one node definition: ``class_type``, ``path`` (where in the definition,
    e.g. ``input.required.seed[1].min``), ``detail`` (what was expected and what arrived) and
    ``source`` (the file or URL the definitions came from, when known)."""

    __slots__ = ("class_type", "detail", "path", "source")

    def __init__(
        self,
        detail: str,
        *,
        class_type: str | None = None,
        path: str = "",
        source: str | None = None,
    ) -> None:
        self.detail = detail
        self.class_type = class_type
        self.path = path
        self.source = source

    @property
    def where(self) -> str:
        """The class and the path inside its definition: ``KSampler.input.required.seed``."""
        return ".".join(part for part in (self.class_type, self.path) if part)

    def __str__(self) -> str:
        return f"{self.where}: {self.detail}" if self.where else self.detail

    def __repr__(self) -> str:
        return (
            f"CatalogProblem({self.detail!r}, class_type={self.class_type!r}, path={self.path!r})"
        )


#: How many problems a CatalogError's message lists (``problems`` has them all).
_LISTED = 100


class CatalogError(ComfyDSLError, ValueError):
    """Node definitions that cannot be read; ``problems`` lists every one found (a catalog is
    checked whole when it is loaded), each a ``CatalogProblem``."""

    def __init__(
        self,
        message: str = "",
        *,
        source: str | None = None,
        problems: Sequence[CatalogProblem] = (),
    ) -> None:
        self.source = source
        self.problems = list(problems)
        if not message and len(self.problems) == 1:
            message = str(self.problems[0])
        elif not message:
            count = len(self.problems)
            listed = "\n".join(f"  - {p}" for p in self.problems[:_LISTED])
            if count > _LISTED:
                listed += f"\n  ... and {count - _LISTED} more (see .problems)"
            message = f"{count} problems in the node definitions:\n{listed}"
        super().__init__(f"{source}: {message}" if source else message)


class UnknownPackError(CatalogError, LookupError):
    """A node pack name that names no bundled pack: ``pack``, the ``known`` names, ``suggestions``."""

    def __init__(
        self, pack: str, *, known: Sequence[str], suggestions: Sequence[str] = (), source: str
    ) -> None:
        self.pack = pack
        self.known = list(known)
        self.suggestions = list(suggestions)
        message = f"no bundled node pack is named {pack!r}"
        if self.suggestions:
            message += f"; did you mean {', '.join(map(repr, self.suggestions))}?"
        message += f" (the bundled packs: {', '.join(self.known) or 'none'}; or all)"
        super().__init__(message, source=source)


class ScriptError(ComfyDSLError, RuntimeError):
    """A user script that raised while the command line ran it."""


class ScriptWriteError(ComfyDSLError, ValueError):
    """A workflow that cannot be written as a script (its links form a loop, say)."""


class CompareError(ComfyDSLError, RuntimeError):
    """Two workflows that cannot be compared: a side that cannot be read as a workflow, or a pair
    so symmetric that matching their nodes would take longer than the limit (``.steps``)."""

    def __init__(self, message: str, *, steps: int | None = None) -> None:
        self.steps = steps
        super().__init__(message)
