"""The node definitions of ``GET /object_info``, read into small typed objects.

One ``NodeDef`` per node class, one ``InputSpec`` per input, one ``OutputSpec`` per output. They are
made lazily, one class at a time, from the raw JSON, so that loading a catalog of hundreds of classes
costs one ``json.load``.

All three input-spec forms of the server are understood (see ../shared PROTOCOL.md):

- a type string: ``["INT", {...}]``, ``["IMAGE"]``, ``["*"]``, a comma union ``["A,B"]``;
- a legacy combo, the list of choices itself: ``[["euler", "ddim"], {...}]``;
- the newer combo: ``["COMBO", {"options": [...]}]``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from comfydsl.errors import CatalogError
from comfydsl.names import python_name, unique_python_names

__all__ = ["MISSING", "UPLOAD_FLAGS", "InputSpec", "NodeDef", "OutputSpec"]

#: Types the editor shows as a widget (a value typed in the node) rather than as a socket only.
WIDGET_TYPES = frozenset(
    {"INT", "FLOAT", "STRING", "BOOLEAN", "COMBO", "COLOR", "WEBCAM", "MARKDOWN"}
)

#: Option keys whose combo lists name files on the server (its input folder).
UPLOAD_FLAGS = (
    "image_upload",
    "video_upload",
    "file_upload",
    "animated_image_upload",
    "audio_upload",
)


class _Missing:
    """The marker for "no default"."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Any = _Missing()


class InputSpec:
    """One input of a node class.

    ``kind`` is what the value must be: ``"INT"``, ``"FLOAT"``, ``"STRING"``, ``"BOOLEAN"``,
    ``"COMBO"`` (either combo form), or ``"LINK"`` for everything that only arrives through a link
    (IMAGE, MODEL, ``*``, unions...). ``type`` is the type a link must fit: the type string, or for a
    legacy combo the tuple of its choices (that is how the server compares them).
    ``choices`` is the tuple of allowed values of a combo, or None where they are not known here
    (a list of files on a server we have not asked).
    """

    __slots__ = (
        "choices",
        "class_type",
        "combo_form",
        "default",
        "force_input",
        "kind",
        "max",
        "min",
        "name",
        "options",
        "raw",
        "required",
        "type",
        "uploads",
        "widget",
    )

    def __init__(
        self, class_type: str, name: str, raw: Any, *, required: bool, files_known: bool
    ) -> None:
        self.class_type = class_type
        self.name = name
        self.raw = raw
        self.required = required
        if not isinstance(raw, (list, tuple)) or not raw:
            raise CatalogError(
                f"{class_type}.{name}: an input spec must be a non-empty list, got {raw!r}"
            )
        first = raw[0]
        opts = raw[1] if len(raw) > 1 and isinstance(raw[1], Mapping) else {}
        self.options: Mapping[str, Any] = opts
        self.force_input = bool(opts.get("forceInput", False))
        self.default = opts.get("default", MISSING)
        self.min = opts.get("min")
        self.max = opts.get("max")
        self.uploads = any(opts.get(flag) for flag in UPLOAD_FLAGS)
        self.choices: tuple[Any, ...] | None = None
        self.combo_form: str | None = None
        if isinstance(first, (list, tuple)):
            self.kind = "COMBO"
            self.combo_form = "legacy"
            self.type: str | tuple[Any, ...] = tuple(first)
            self.choices = self._known(tuple(first), files_known)
        elif isinstance(first, str):
            if first == "COMBO":
                self.kind = "COMBO"
                self.combo_form = "COMBO"
                self.type = "COMBO"
                self.choices = self._known(tuple(opts.get("options", ())), files_known)
            elif first in ("INT", "FLOAT", "STRING", "BOOLEAN"):
                self.kind = first
                self.type = first
            else:
                self.kind = "LINK"
                self.type = first
        else:
            raise CatalogError(f"{class_type}.{name}: unreadable input type {first!r}")
        if self.kind == "COMBO" and self.default is MISSING and self.choices:
            self.default = self.choices[0]
        if type(self.default) is float and self.default.is_integer() and abs(self.default) < 2**53:
            # The editor is JavaScript: a default of 1.0 goes out as 1. Do the same, byte for byte.
            self.default = int(self.default)
        self.widget = not self.force_input and (
            self.kind != "LINK" or (isinstance(self.type, str) and self.type in WIDGET_TYPES)
        )

    def _known(self, choices: tuple[Any, ...], files_known: bool) -> tuple[Any, ...] | None:
        # A list of files (models, or the input folder for upload widgets) says nothing about the
        # user's own server unless it came from that server: then it is "unknown here".
        if not files_known and (not choices or self.uploads):
            return None
        return choices

    @property
    def python_name(self) -> str:
        """The keyword this input takes in Python when its name is not an identifier."""
        return python_name(self.name)

    def describe(self) -> str:
        """A short human description of what the input takes, for error messages."""
        if self.kind == "COMBO":
            if self.choices is None:
                return "a file name (the choices are not known here)"
            if not self.choices:
                return "a file the server has (it lists none)"
            return "one of " + _choice_list(self.choices)
        if self.kind == "LINK":
            return f"a link to an output of type {self.type}"
        bounds = []
        if self.min is not None:
            bounds.append(f">= {self.min}")
        if self.max is not None:
            bounds.append(f"<= {self.max}")
        return f"{self.kind}" + (f" {' and '.join(bounds)}" if bounds else "")

    def __repr__(self) -> str:
        return f"<InputSpec {self.class_type}.{self.name}: {self.describe()}>"


def _choice_list(choices: Sequence[Any], limit: int = 12) -> str:
    shown = ", ".join(repr(c) for c in choices[:limit])
    if len(choices) > limit:
        shown += f", ... ({len(choices)} in all)"
    return f"[{shown}]"


class OutputSpec:
    """One output of a node class: its index, name, type, the attribute that reaches it, and is_list."""

    __slots__ = ("attr", "index", "is_list", "name", "type", "type_key")

    def __init__(self, index: int, name: str, type: Any, attr: str, is_list: bool) -> None:
        self.index = index
        self.name = name
        self.type = type
        #: The type as a dict key (a legacy combo output's list of choices becomes a tuple).
        self.type_key = tuple(type) if isinstance(type, list) else type
        self.attr = attr
        self.is_list = is_list

    def __repr__(self) -> str:
        return f"<OutputSpec {self.index} {self.name}: {self.type}>"


class NodeDef:
    """The definition of one node class, as the server describes it in ``/object_info``."""

    __slots__ = (
        "__weakref__",
        "aliases",
        "api_node",
        "category",
        "control_clash",
        "deprecated",
        "display_name",
        "emit_order",
        "experimental",
        "files_known",
        "format_widgets",
        "hidden",
        "inputs",
        "name",
        "output_attrs",
        "output_node",
        "outputs",
        "positional",
        "raw",
        "required_defaults",
        "required_names",
        "source",
    )

    def __init__(
        self, name: str, raw: Mapping[str, Any], *, files_known: bool, source: str = ""
    ) -> None:
        if not isinstance(raw, Mapping):
            raise CatalogError(
                f"{name}: a node definition must be an object", source=source or None
            )
        self.name = name
        self.raw = raw
        self.source = source
        self.files_known = files_known
        self.display_name = raw.get("display_name") or name
        self.category = raw.get("category", "")
        self.output_node = bool(raw.get("output_node", False))
        self.deprecated = bool(raw.get("deprecated", False))
        self.experimental = bool(raw.get("experimental", False))
        self.api_node = bool(raw.get("api_node", False))

        spec_sections = raw.get("input") or {}
        order = raw.get("input_order") or {}
        inputs: dict[str, InputSpec] = {}
        for section in ("required", "optional"):
            specs = spec_sections.get(section) or {}
            names = list(order.get(section) or specs)
            names += [n for n in specs if n not in names]
            for input_name in names:
                if input_name in specs and input_name not in inputs:
                    inputs[input_name] = InputSpec(
                        name,
                        input_name,
                        specs[input_name],
                        required=section == "required",
                        files_known=files_known,
                    )
        self.inputs = inputs
        #: Whether an input is named like a control keyword of node calls (title, id, extra_inputs).
        self.control_clash = any(n in inputs for n in ("title", "id", "extra_inputs"))
        self.hidden = tuple(spec_sections.get("hidden") or ())
        self.positional = tuple(inputs)
        self.required_names = tuple(n for n, s in inputs.items() if s.required)
        # The editor sends widget values first, in definition order, then the linked sockets.
        widgets = [n for n, s in inputs.items() if s.widget]
        sockets = [n for n, s in inputs.items() if not s.widget]
        self.emit_order = tuple(widgets + sockets)
        self.required_defaults = {
            n: s.default
            for n, s in inputs.items()
            if s.required and s.widget and s.default is not MISSING
        }
        aliases: dict[str, str] = {}
        clashing: set[str] = set()
        for input_name in inputs:
            alias = python_name(input_name)
            if alias != input_name:
                if alias in inputs or alias in aliases:
                    clashing.add(alias)
                else:
                    aliases[alias] = input_name
        for alias in clashing:
            aliases.pop(alias, None)
        self.aliases = aliases
        self.format_widgets = _format_widgets(name, inputs, files_known)

        types = list(raw.get("output") or ())
        names_raw = list(raw.get("output_name") or ())
        is_list = list(raw.get("output_is_list") or ())
        out_names = [
            (names_raw[i] if i < len(names_raw) and isinstance(names_raw[i], str) else str(t))
            for i, t in enumerate(types)
        ]
        attrs = unique_python_names(out_names, fallback="output")
        self.outputs = tuple(
            OutputSpec(
                i, out_names[i], t, attrs[i], bool(is_list[i]) if i < len(is_list) else False
            )
            for i, t in enumerate(types)
        )
        self.output_attrs = {o.attr: o.index for o in self.outputs}

    def format_widget_names(self) -> set[str]:
        """Every name a format-dependent widget of this class can have (see _format_widgets)."""
        return {
            spec.name
            for by_choice in self.format_widgets.values()
            for specs in by_choice.values()
            for spec in specs
        }

    def input(self, name: str) -> InputSpec | None:
        """The spec of an input by its name or its Python alias, or None."""
        spec = self.inputs.get(name)
        if spec is None and name in self.aliases:
            spec = self.inputs[self.aliases[name]]
        return spec

    def __repr__(self) -> str:
        return f"<NodeDef {self.name}: {len(self.inputs)} inputs, {len(self.outputs)} outputs>"


def _format_widgets(
    class_type: str, inputs: Mapping[str, InputSpec], files_known: bool
) -> dict[str, dict[Any, tuple[InputSpec, ...]]]:
    """Widgets that exist only for some values of a combo: combo input name -> choice -> specs.

    Some node packs (VideoHelperSuite's VHS_VideoCombine) give a combo's options a ``formats``
    map: for each choice, extra widgets ``[name, type or choices, options?]`` that the editor adds
    right after the combo when that choice is picked, and then sends like any widget. They are
    not declared inputs, but the node takes them.
    """
    found: dict[str, dict[Any, tuple[InputSpec, ...]]] = {}
    for input_name, spec in inputs.items():
        formats = spec.options.get("formats")
        if spec.kind != "COMBO" or not isinstance(formats, Mapping):
            continue
        by_choice: dict[Any, tuple[InputSpec, ...]] = {}
        for choice, entries in formats.items():
            specs = []
            for entry in entries if isinstance(entries, list) else ():
                if isinstance(entry, list) and len(entry) >= 2 and isinstance(entry[0], str):
                    specs.append(
                        InputSpec(
                            class_type, entry[0], entry[1:], required=False, files_known=files_known
                        )
                    )
            by_choice[choice] = tuple(specs)
        found[input_name] = by_choice
    return found
