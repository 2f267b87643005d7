"""The node definitions of ``GET /object_info``, read into small typed objects.

One ``NodeDef`` per node class, one ``InputSpec`` per input, one ``OutputSpec`` per output. Making
a NodeDef is also checking its definition: every problem found is raised together, as one
CatalogError, and a NodeDef that exists is safe to use.

All three input-spec forms of the server are understood (see ../shared PROTOCOL.md):

- a type string: ``["INT", {...}]``, ``["IMAGE"]``, ``["*"]``, a comma union ``["A,B"]``;
- a legacy combo, the list of choices itself: ``[["euler", "ddim"], {...}]``;
- the newer combo: ``["COMBO", {"options": [...]}]``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from comfydsl.catalog.problems import (
    Problems,
    is_bool,
    is_choice,
    is_list,
    is_mapping,
    is_number,
    is_string,
    shown,
)
from comfydsl.names import python_name, unique_python_names
from comfydsl.values import as_sent

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

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
    (a list of files on a server we have not asked); ``listed`` is a combo's list as the
    definition has it, known here or not. ``lists_files`` says that the combo's list names files
    on the server (see NodeDef's ``file_lists``); with ``files_known`` False its choices are then
    not known here, and its default is the first entry listed (in the bundled catalog, one the
    server has built in, such as VAELoader's ``"pixel_space"``), as the editor would send it.
    """

    __slots__ = (
        "choices",
        "class_type",
        "combo_form",
        "default",
        "force_input",
        "kind",
        "listed",
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
        self,
        class_type: str,
        name: str,
        raw: Any,
        *,
        required: bool,
        files_known: bool,
        lists_files: bool = False,
        problems: Problems | None = None,
        path: str | None = None,
    ) -> None:
        # With ``problems`` given, what is wrong is recorded there (the spec is then only a
        # stand-in, for the caller to drop); without, it is raised here as a CatalogError.
        own = problems is None
        if problems is None:
            problems = Problems(class_type, None)
        if path is None:
            path = name
        before = len(problems)
        self.class_type = class_type
        self.name = name
        self.raw = raw
        self.required = required
        first, opts = self._read_spec(raw, path, problems)
        at_options = f"{path}[1]"
        self.options: Mapping[str, Any] = opts
        self.force_input = bool(
            problems.field(opts, "forceInput", at_options, is_bool, "true or false")
        )
        self.default = opts.get("default", MISSING)
        self.min = problems.field(opts, "min", at_options, is_number, "a number")
        self.max = problems.field(opts, "max", at_options, is_number, "a number")
        problems.field(opts, "step", at_options, is_number, "a number")
        self.uploads = any(opts.get(flag) for flag in UPLOAD_FLAGS)
        self.choices: tuple[Any, ...] | None = None
        self.combo_form: str | None = None
        self.kind = "LINK"
        self.type: str | tuple[Any, ...] = "*"
        self.listed: tuple[Any, ...] = ()
        if is_list(first):
            problems.items(first, f"{path}[0]", is_choice, CHOICE)
            self.kind = "COMBO"
            self.combo_form = "legacy"
            self.type = self.listed = tuple(first)
            self.choices = self._known(self.listed, files_known, lists_files)
        elif isinstance(first, str) and first:
            if first == "COMBO":
                options = problems.field(opts, "options", at_options, is_list, "a list of choices")
                problems.items(options or (), f"{at_options}.options", is_choice, CHOICE)
                self.kind = "COMBO"
                self.combo_form = "COMBO"
                self.type = "COMBO"
                self.listed = tuple(options or ())
                self.choices = self._known(self.listed, files_known, lists_files)
            elif first in ("INT", "FLOAT", "STRING", "BOOLEAN"):
                self.kind = first
                self.type = first
            else:
                self.type = first
        elif first is not MISSING:
            problems.expect(f"{path}[0]", "a type name or a list of choices", first)
        if self.kind == "COMBO" and self.default is MISSING:
            # The editor sends the first choice. A list of files not known here still offers the
            # entries the server listed, but not the recording server's uploaded files.
            first_choices = (
                self.choices if self.choices is not None or self.uploads else self.listed
            )
            if first_choices:
                self.default = first_choices[0]
        if type(self.default) is float and self.default.is_integer() and abs(self.default) < 2**53:
            # The editor is JavaScript: a default of 1.0 goes out as 1. Do the same, byte for byte.
            self.default = int(self.default)
        self.widget = not self.force_input and (
            self.kind != "LINK" or (isinstance(self.type, str) and self.type in WIDGET_TYPES)
        )
        if own and len(problems) > before:
            raise problems.error()

    @staticmethod
    def _read_spec(raw: Any, path: str, problems: Problems) -> tuple[Any, Mapping[str, Any]]:
        """The type (or choices) and the options of a spec ``[type]`` or ``[type, options]``."""
        if not is_list(raw) or not raw:
            problems.expect(path, "an input spec: a non-empty list [type] or [type, options]", raw)
            return MISSING, {}  # reported: no second problem about its type
        options = raw[1] if len(raw) > 1 else None
        if options is None:
            return raw[0], {}
        if not is_mapping(options):
            problems.expect(f"{path}[1]", "an object of options", options)
            return raw[0], {}
        return raw[0], options

    def _known(
        self, choices: tuple[Any, ...], files_known: bool, lists_files: bool
    ) -> tuple[Any, ...] | None:
        # A list of files (models, or the input folder for upload widgets) says nothing about the
        # user's own server unless it came from that server: then it is "unknown here". An empty
        # list is taken for one, from a catalog that does not say which lists name files.
        if not files_known and (not choices or self.uploads or lists_files):
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
    """The definition of one node class, as the server describes it in ``/object_info``.

    ``files_known`` says whether its lists of files are those of the server the prompt goes to;
    ``file_lists`` names the inputs whose combo lists name files on the server (the bundled
    catalog knows them: nodes_catalog/README.md). Without it, an empty list is taken for one.
    """

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
        self,
        name: str,
        raw: Mapping[str, Any],
        *,
        files_known: bool,
        source: str = "",
        file_lists: Collection[str] = (),
    ) -> None:
        # Every problem of the definition is collected, then raised together at the end; until
        # then each wrong value is replaced by a harmless one, so that one pass finds them all.
        problems = Problems(name if isinstance(name, str) else None, source or None)
        if not isinstance(name, str) or not name:
            problems.add("", f"a class name must be a non-empty string, got {shown(name)}")
            raise problems.error()
        if not is_mapping(raw):
            problems.expect("", "a node definition (an object)", raw)
            raise problems.error()
        self.name = name
        self.raw = raw
        self.source = source
        self.files_known = files_known
        self.display_name = problems.field(raw, "display_name", "", is_string, "a string") or name
        self.category = problems.field(raw, "category", "", is_string, "a string") or ""
        for key in ("name", "description", "python_module"):
            problems.field(raw, key, "", is_string, "a string")
        self.output_node = bool(problems.field(raw, "output_node", "", is_bool, "true or false"))
        self.deprecated = bool(problems.field(raw, "deprecated", "", is_bool, "true or false"))
        self.experimental = bool(problems.field(raw, "experimental", "", is_bool, "true or false"))
        self.api_node = bool(problems.field(raw, "api_node", "", is_bool, "true or false"))

        inputs, paths, hidden = _read_inputs(name, raw, files_known, file_lists, problems)
        self.inputs = inputs
        #: Whether an input is named like a control keyword of node calls (title, id, extra_inputs).
        self.control_clash = any(n in inputs for n in ("title", "id", "extra_inputs"))
        self.hidden = hidden
        self.positional = tuple(inputs)
        self.required_names = tuple(n for n, s in inputs.items() if s.required)
        # The editor sends widget values first, in definition order, then the linked sockets.
        widgets = [n for n, s in inputs.items() if s.widget]
        sockets = [n for n, s in inputs.items() if not s.widget]
        self.emit_order = tuple(widgets + sockets)
        # As they go out: a list default wrapped, as the editor sends it, so that a default of
        # two items is never read as a link.
        self.required_defaults = {
            n: as_sent(s.default)
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
        self.format_widgets = _format_widgets(name, inputs, paths, files_known, problems)
        self.outputs = _read_outputs(raw, problems)
        self.output_attrs = {o.attr: o.index for o in self.outputs}
        if problems:
            raise problems.error()

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


#: What a combo choice may be, as problems say it.
CHOICE = "a choice (a string, number, boolean or null)"
_SECTIONS = "an object of sections (required, optional, hidden)"
_SPECS = "an object of input name -> input spec"
_NAMES = "a list of input names"


def _read_inputs(
    class_type: str,
    raw: Mapping[str, Any],
    files_known: bool,
    file_lists: Collection[str],
    problems: Problems,
) -> tuple[dict[str, InputSpec], dict[str, str], tuple[str, ...]]:
    """The inputs in the editor's order, the path of each in the definition, and the hidden names."""
    sections = problems.field(raw, "input", "", is_mapping, _SECTIONS) or {}
    order = (
        problems.field(raw, "input_order", "", is_mapping, "an object of section -> names") or {}
    )
    inputs: dict[str, InputSpec] = {}
    paths: dict[str, str] = {}
    for section in ("required", "optional"):
        at_section = f"input.{section}"
        specs = problems.field(sections, section, "input", is_mapping, _SPECS) or {}
        listed = list(problems.field(order, section, "input_order", is_list, _NAMES) or ())
        problems.items(listed, f"input_order.{section}", is_string, "an input name (a string)")
        _check_names(specs, at_section, problems)
        seen = {n for n in listed if isinstance(n, str)}
        names = [n for n in listed if isinstance(n, str)]
        names += [n for n in specs if isinstance(n, str) and n not in seen]
        for input_name in names:
            if input_name not in specs or input_name in inputs:
                continue
            path = f"{at_section}.{input_name}"
            before = len(problems)
            spec = InputSpec(
                class_type,
                input_name,
                specs[input_name],
                required=section == "required",
                files_known=files_known,
                lists_files=input_name in file_lists,
                problems=problems,
                path=path,
            )
            if len(problems) == before:
                inputs[input_name] = spec
                paths[input_name] = path
    hidden = problems.field(sections, "hidden", "input", is_mapping, "an object of hidden inputs")
    _check_names(hidden or {}, "input.hidden", problems)
    order_hidden = problems.field(order, "hidden", "input_order", is_list, _NAMES)
    problems.items(order_hidden or (), "input_order.hidden", is_string, "an input name (a string)")
    return inputs, paths, tuple(n for n in hidden or () if isinstance(n, str))


def _check_names(section: Mapping[Any, Any], path: str, problems: Problems) -> None:
    """Record the first key of a section that is not a string (JSON keys are; Python's may not be)."""
    for key in section:
        if not isinstance(key, str):
            problems.add(path, f"an input name must be a string, got {shown(key)}")
            return


def _read_outputs(raw: Mapping[str, Any], problems: Problems) -> tuple[OutputSpec, ...]:
    """The outputs: ``output`` (types), with ``output_name`` and ``output_is_list`` beside it."""
    types = list(problems.field(raw, "output", "", is_list, "a list of output types") or ())
    for index, output_type in enumerate(types):
        if is_list(output_type):
            # A list of choices: a legacy combo output (the choices a combo input must match).
            problems.items(output_type, f"output[{index}]", is_choice, CHOICE)
        elif not isinstance(output_type, str):
            problems.expect(f"output[{index}]", "a type name or a list of choices", output_type)
            types[index] = "*"
    names_raw = list(problems.field(raw, "output_name", "", is_list, "a list of names") or ())
    problems.items(names_raw, "output_name", is_string, "an output name (a string)")
    is_list_raw = list(
        problems.field(raw, "output_is_list", "", is_list, "a list of true/false") or ()
    )
    problems.items(is_list_raw, "output_is_list", _is_flag, "true, false or null")
    tooltips = problems.field(raw, "output_tooltips", "", is_list, "a list of texts")
    problems.items(tooltips or (), "output_tooltips", _is_text, "a string or null")
    out_names = [
        (names_raw[i] if i < len(names_raw) and isinstance(names_raw[i], str) else str(t))
        for i, t in enumerate(types)
    ]
    attrs = unique_python_names(out_names, fallback="output")
    return tuple(
        OutputSpec(
            i, out_names[i], t, attrs[i], bool(is_list_raw[i]) if i < len(is_list_raw) else False
        )
        for i, t in enumerate(types)
    )


def _is_flag(value: Any) -> bool:
    return value is None or isinstance(value, bool)


def _is_text(value: Any) -> bool:
    return value is None or isinstance(value, str)


def _format_widgets(
    class_type: str,
    inputs: Mapping[str, InputSpec],
    paths: Mapping[str, str],
    files_known: bool,
    problems: Problems,
) -> dict[str, dict[Any, tuple[InputSpec, ...]]]:
    """Widgets that exist only for some values of a combo: combo input name -> choice -> specs.

    Some node packs (VideoHelperSuite's VHS_VideoCombine) give a combo's options a ``formats``
    map: for each choice, extra widgets ``[name, type or choices, options?]`` that the editor adds
    right after the combo when that choice is picked, and then sends like any widget. They are
    not declared inputs, but the node takes them. Entries of other shapes (VHS_LoadVideo's
    ``formats`` are presets, not widgets) are not widgets and are passed over.
    """
    found: dict[str, dict[Any, tuple[InputSpec, ...]]] = {}
    for input_name, spec in inputs.items():
        formats = spec.options.get("formats")
        if spec.kind != "COMBO" or not isinstance(formats, Mapping):
            continue
        by_choice: dict[Any, tuple[InputSpec, ...]] = {}
        for choice, entries in formats.items():
            specs = []
            for index, entry in enumerate(entries if isinstance(entries, list) else ()):
                if isinstance(entry, list) and len(entry) >= 2 and isinstance(entry[0], str):
                    before = len(problems)
                    widget = InputSpec(
                        class_type,
                        entry[0],
                        entry[1:],
                        required=False,
                        files_known=files_known,
                        problems=problems,
                        path=f"{paths[input_name]}[1].formats.{choice}[{index}]",
                    )
                    if len(problems) == before:
                        specs.append(widget)
            by_choice[choice] = tuple(specs)
        found[input_name] = by_choice
    return found
