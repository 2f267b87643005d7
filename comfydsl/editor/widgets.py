"""What ComfyUI's editor (frontend 1.58) makes of a node definition: its widgets and its sockets.

The editor stores a node's widget values by position (``widgets_values``), one per widget it
shows, and some of its widgets are its own, not inputs of the node: the "control after
generate" combo after a seed, the upload button of an image loader, the buttons of the 3D
loader. Reading a saved workflow (UI → API) and writing one (API → UI) both need the same list:
which widget holds which value, which of them go into the prompt, and what a missing value
defaults to. This module is that list, made from the definitions alone (:func:`editor_node`),
plus the rules the editor applies to links: which node types exist only in the editor, and when
two socket types fit (:func:`types_fit`, used to route around a bypassed node).

Checked against the real editor for every class of stock ComfyUI (tests/editor/).

    shape = editor_node(catalog["KSampler"])
    [w.name for w in shape.widgets]
    # ['seed', 'control_after_generate', 'steps', 'cfg', 'sampler_name', 'scheduler', 'denoise']
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from typing import Any

from comfydsl.catalog import InputSpec, NodeDef

__all__ = [
    "GET_TYPE",
    "NOTE_TYPES",
    "PRIMITIVE_TYPE",
    "REROUTE_TYPES",
    "SET_TYPE",
    "UI_ONLY_TYPES",
    "EditorNode",
    "Socket",
    "Widget",
    "as_text",
    "editor_node",
    "format_widgets",
    "types_fit",
    "widget_default",
]

#: Comment nodes: never sent, never linked.
NOTE_TYPES = frozenset({"Note", "MarkdownNote", "Label (rgthree)", "Bookmark (rgthree)"})
#: Pass-through nodes: a link through one continues from what feeds its input.
REROUTE_TYPES = frozenset({"Reroute", "Reroute (rgthree)"})
#: The editor's own (legacy) primitive: its value is copied into the widgets it is linked to.
PRIMITIVE_TYPE = "PrimitiveNode"
#: KJNodes' named wires: a GetNode reads what the SetNode of the same name is fed with.
SET_TYPE = "SetNode"
GET_TYPE = "GetNode"
#: Every node type that exists only in the editor (or in a pack's JavaScript): never in a prompt.
UI_ONLY_TYPES = NOTE_TYPES | REROUTE_TYPES | {PRIMITIVE_TYPE, SET_TYPE, GET_TYPE}

#: Input types the editor shows as a widget (when not ``forceInput``).
WIDGET_TYPES = frozenset(
    {"INT", "FLOAT", "STRING", "BOOLEAN", "COMBO", "COLOR", "WEBCAM", "MARKDOWN", "LOAD_3D"}
)
#: Seeds get a "control after generate" combo even when their definition does not ask for one.
SEED_NAMES = frozenset({"seed", "noise_seed"})
#: Upload options of a combo that give it an upload button (stored, never sent).
UPLOAD_OPTIONS = ("image_upload", "video_upload", "animated_image_upload")
AUDIO_UPLOAD = "audio_upload"
#: The audio player widget: whatever it holds, the editor sends ``"audioUI": ""`` for it.
AUDIO_UI = "audioUI"
#: Audio savers show a player too; their files do not store a value for it.
AUDIO_SAVERS = frozenset({"SaveAudio", "PreviewAudio", "SaveAudioMP3", "SaveAudioOpus"})


class Widget:
    """One widget of a node in the editor, in the order the editor stores their values.

    ``name`` (the input it sets, or the editor's own name for its extras), ``kind`` (``"input"``
    for a definition's input, ``"control"`` and ``"filter"`` for the values after a seed or a
    combo, ``"upload"``, ``"button"``, ``"ui"`` for the editor's own), ``spec`` (the InputSpec
    for an input, else None), ``stored`` (whether it has a place in ``widgets_values``), ``sent``
    (whether its value goes into the prompt) and ``default`` (its value when the file has none).
    """

    __slots__ = ("default", "kind", "name", "sent", "spec", "stored")

    def __init__(
        self,
        name: str,
        kind: str,
        spec: InputSpec | None,
        *,
        default: Any,
        sent: bool = True,
        stored: bool = True,
    ) -> None:
        self.name = name
        self.kind = kind
        self.spec = spec
        self.default = default
        self.sent = sent
        self.stored = stored

    def __repr__(self) -> str:
        flags = ("" if self.stored else " unstored") + ("" if self.sent else " unsent")
        return f"<Widget {self.name} ({self.kind}{flags})>"


class Socket:
    """One input socket of a node in the editor: ``name``, ``type`` (``COMBO`` for a combo) and
    whether it stands for a widget. The editor lists the link-only sockets first, then the
    widgets' sockets, each group in definition order; bypass routing counts slots in this order."""

    __slots__ = ("name", "type", "widget")

    def __init__(self, name: str, socket_type: str, widget: bool) -> None:
        self.name = name
        self.type = socket_type
        self.widget = widget

    def __repr__(self) -> str:
        return f"<Socket {self.name}: {self.type}>"


class EditorNode:
    """What the editor makes of one definition: ``widgets`` (in stored order, with its extras),
    ``sockets`` (input sockets in slot order), ``outputs`` (output types) and ``definition``."""

    __slots__ = (
        "__weakref__",
        "constants",
        "definition",
        "forced",
        "has_formats",
        "outputs",
        "sent_by_position",
        "socket_index",
        "sockets",
        "stored",
        "text_boxes",
        "widgets",
    )

    def __init__(self, definition: NodeDef) -> None:
        self.definition = definition
        self.widgets = tuple(_widgets(definition))
        #: The widgets that hold a place in ``widgets_values``, in order.
        self.stored = tuple(w for w in self.widgets if w.stored)
        #: (position in ``widgets_values``, name, default) of each stored widget that is sent.
        self.sent_by_position = tuple(
            (i, w.name, w.default) for i, w in enumerate(self.stored) if w.sent
        )
        #: forceInput inputs of widget types: editors before 1.16 stored a value for each.
        self.forced = tuple(
            s for s in definition.inputs.values() if s.force_input and s.kind != "LINK"
        )
        #: Whether a combo adds widgets after itself for some of its choices (see format_widgets).
        self.has_formats = bool(definition.format_widgets)
        #: (name, value) of widgets that send one value whatever they hold (the audio player).
        self.constants: tuple[tuple[str, Any], ...] = (
            ((AUDIO_UI, ""),)
            if definition.name in AUDIO_SAVERS or any(w.name == AUDIO_UI for w in self.widgets)
            else ()
        )
        #: The multiline text widgets: the editor's text boxes, whose value is always text.
        self.text_boxes = frozenset(
            w.name
            for w in self.widgets
            if w.spec is not None and w.spec.kind == "STRING" and w.spec.options.get("multiline")
        )
        self.sockets = tuple(_sockets(definition))
        #: Slot of each socket by name.
        self.socket_index = {s.name: i for i, s in enumerate(self.sockets)}
        self.outputs = tuple(_type_of(o.type) for o in definition.outputs)

    def __repr__(self) -> str:
        return f"<EditorNode {self.definition.name}: {len(self.widgets)} widgets>"


_SHAPES: weakref.WeakKeyDictionary[NodeDef, EditorNode] = weakref.WeakKeyDictionary()


def editor_node(definition: NodeDef) -> EditorNode:
    """The editor's view of ``definition`` (made once per definition)."""
    found = _SHAPES.get(definition)
    if found is None:
        found = _SHAPES[definition] = EditorNode(definition)
    return found


def is_widget(spec: InputSpec) -> bool:
    """Whether the editor shows this input as a widget (a value typed in the node)."""
    if spec.force_input:
        return False
    if spec.kind != "LINK":
        return True
    return isinstance(spec.type, str) and spec.type in WIDGET_TYPES


def widget_default(spec: InputSpec) -> Any:
    """The value a fresh widget of the editor holds: the definition's default, else 0 for
    numbers, ``""`` for text, false, or a combo's first choice (None when it has none)."""
    default = spec.options.get("default")
    if default is not None:
        if type(default) is float and default.is_integer() and abs(default) < 2**53:
            return int(default)  # JavaScript has one number type: 1.0 is written 1
        return default
    kind = spec.kind
    if kind in ("INT", "FLOAT"):
        return 0
    if kind == "BOOLEAN":
        return False
    if kind == "COMBO":
        choices = spec.type if spec.combo_form == "legacy" else spec.options.get("options")
        return choices[0] if isinstance(choices, (list, tuple)) and choices else None
    return ""


def _has_control(spec: InputSpec) -> bool:
    """A seed (or any number or combo asking for it) gets a "control after generate" widget."""
    flag = spec.options.get("control_after_generate")
    if flag is not None:
        return bool(flag)
    return spec.kind == "INT" and spec.name in SEED_NAMES


def _widgets(definition: NodeDef) -> list[Widget]:
    found: list[Widget] = []
    upload = False
    audio_upload = False
    for spec in definition.inputs.values():
        if not is_widget(spec):
            continue
        found.append(Widget(spec.name, "input", spec, default=widget_default(spec)))
        if _has_control(spec):
            found.append(
                Widget("control_after_generate", "control", None, default="fixed", sent=False)
            )
            if spec.kind == "COMBO":
                found.append(Widget("control_filter_list", "filter", None, default="", sent=False))
        if spec.kind == "COMBO":
            upload = upload or any(spec.options.get(flag) for flag in UPLOAD_OPTIONS)
            audio_upload = audio_upload or bool(spec.options.get(AUDIO_UPLOAD))
            remote = spec.options.get("remote")
            if isinstance(remote, Mapping) and remote.get("refresh_button"):
                if remote.get("control_after_refresh"):
                    found.append(
                        Widget(
                            "Auto-refresh after generation", "ui", None, default=False, sent=False
                        )
                    )
                found.append(Widget("refresh", "button", None, default="refresh"))
        found += [
            Widget(name, "button", None, default=value)
            for name, value in _CLASS_WIDGETS_AFTER.get((definition.name, spec.name), ())
        ]
    if upload:
        found.append(Widget("upload", "upload", None, default="image", sent=False))
    if audio_upload:
        found.append(Widget("upload", "upload", None, default="", sent=False))
        found.append(Widget(AUDIO_UI, "ui", None, default="", sent=False))
    for name, kind, default, sent, stored in _CLASS_WIDGETS_LAST.get(definition.name, ()):
        found.append(Widget(name, kind, None, default=default, sent=sent, stored=stored))
    return found


#: Widgets that the editor's extensions add to particular classes after one of their inputs.
_CLASS_WIDGETS_AFTER: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {
    ("Load3D", "model_file"): (
        ("upload 3d model", "upload3dmodel"),
        ("upload extra resources", "uploadExtraResources"),
        ("clear", "clear"),
    ),
    ("Load3DAnimation", "model_file"): (
        ("upload 3d model", "upload3dmodel"),
        ("upload extra resources", "uploadExtraResources"),
        ("clear", "clear"),
    ),
}
#: Widgets (name, kind, default, sent, stored) that extensions add after all the others.
_CLASS_WIDGETS_LAST: dict[str, tuple[tuple[str, str, Any, bool, bool], ...]] = {
    "Preview3D": (("image", "ui", "", True, True),),
    "Preview3DAnimation": (("image", "ui", "", True, True),),
    "SaveGLB": (("image", "ui", "", True, True),),
    "WebcamCapture": (("waiting for camera...", "button", "capture", True, True),),
    "PreviewAny": (
        ("preview_text", "ui", "", False, False),
        ("preview_mode", "ui", False, False, False),
    ),
}
#: Sockets that extensions add to particular classes: (name, type), after the others.
_CLASS_SOCKETS: dict[str, tuple[tuple[str, str], ...]] = {
    "Preview3D": (("image", "PREVIEW_3D"),),
    "Preview3DAnimation": (("image", "PREVIEW_3D"),),
    "SaveGLB": (("image", "PREVIEW_3D"),),
}


def _type_of(value: Any) -> str:
    """A socket's type as the editor writes it: a legacy combo's list of choices is ``COMBO``."""
    return value if isinstance(value, str) else "COMBO"


def _sockets(definition: NodeDef) -> list[Socket]:
    links = [
        Socket(s.name, _type_of(s.type), False)
        for s in definition.inputs.values()
        if not is_widget(s)
    ]
    widgets = [
        Socket(s.name, _type_of(s.type), True) for s in definition.inputs.values() if is_widget(s)
    ]
    extra = [Socket(name, kind, True) for name, kind in _CLASS_SOCKETS.get(definition.name, ())]
    if any(
        s.kind == "COMBO" and any(s.options.get(flag) for flag in UPLOAD_OPTIONS)
        for s in definition.inputs.values()
    ):
        extra.append(Socket("upload", "IMAGEUPLOAD", True))
    return links + widgets + extra


def format_widgets(definition: NodeDef, combo: str, choice: Any) -> tuple[InputSpec, ...]:
    """The widgets a pack's combo adds right after itself for one of its choices (VideoHelperSuite's
    ``formats``): empty for every other combo and choice."""
    by_choice = definition.format_widgets.get(combo)
    if not by_choice or not isinstance(choice, str):
        return ()
    return by_choice.get(choice, ())


def as_text(value: Any) -> str:
    """What a text box of the editor shows for a value, as JavaScript's ``String(value)`` writes
    it: ``5`` is ``"5"``, ``true`` is ``"true"``, a list is its items joined with commas."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _js_number(value)
    if isinstance(value, (list, tuple)):
        return ",".join("" if item is None else as_text(item) for item in value)
    return "[object Object]"


def _js_number(value: float) -> str:
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    text = repr(value)
    mantissa, _, exponent = text.partition("e")
    if not exponent:
        return text
    sign = "-" if exponent.startswith("-") else "+"
    return f"{mantissa}e{sign}{exponent.lstrip('+-').lstrip('0') or '0'}"


def types_fit(first: Any, second: Any) -> bool:
    """Whether two socket types may be linked, by the editor's rule: ``*`` or no type fits
    anything; otherwise equal ignoring case, where a comma list fits if any of its members do."""
    if first in ("", "*", 0, None) or second in ("", "*", 0, None) or first == second:
        return True
    a = str(first).lower()
    b = str(second).lower()
    if "," not in a and "," not in b:
        return a == b
    return any(types_fit(x, y) for x in a.split(",") for y in b.split(","))
