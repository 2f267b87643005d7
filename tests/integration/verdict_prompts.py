"""Valid base prompts for the differential test of the server's verdict (test_server_verdict.py).

A base prompt is made of the model-free node classes of a server's own ``/object_info`` (those
whose required combos have the same choices as in the bundled catalog, which lists no model or
input files): every required input either a widget with a known value or a link from another
such node, so the server accepts it as it is (the suite checks that, too). ``Case`` is one prompt
to judge: a base with one thing changed (``verdict_mutations``, ``verdict_more_mutations``).

The rules this module uses to make valid prompts (which output fits which input, what a widget
takes) are written here from the server's definitions and PROTOCOL.md, not taken from comfydsl,
so that they can disagree with it.
"""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass, field
from typing import Any

from strategies import type_fits

#: Marks a case whose request body carries no ``partial_execution_targets``.
NO_TARGETS: Any = type("NoTargets", (), {"__repr__": lambda self: "NO_TARGETS"})()

#: The image the suite uploads to the server's input folder before reading its definitions.
UPLOADED_IMAGE = "verdict.png"
#: A file that exists one folder above the server's input folder (its log; see ComfyUIServer).
FILE_ABOVE_INPUT = "../server.log"
#: A node id no prompt of this module uses.
MISSING_ID = "999"

#: Classes never used to build base prompts, and why.
SKIPPED_CLASSES = {
    # Their inputs name files of folders whose content the base prompts do not control.
    "LoadImageOutput": "reads the output folder",
    "LoadImageMask": "its own check reads the input folder (LoadImage is used instead)",
    "LoadLatent": "needs a .latent file",
    "LoadAudio": "needs an audio file",
    "LoadVideo": "needs a video file",
    "Load3D": "needs a 3D file",
}


@dataclass
class Case:
    """One prompt to judge: ``kind`` names the mutation, ``focus`` the node it changed."""

    number: int
    kind: str
    prompt: Any
    focus: str | None
    note: str
    targets: Any = NO_TARGETS

    def body(self) -> dict[str, Any]:
        """The body of ``POST /prompt`` for this case."""
        body: dict[str, Any] = {"prompt": self.prompt}
        if self.targets is not NO_TARGETS:
            body["partial_execution_targets"] = self.targets
        return body

    def describe(self) -> str:
        """The case in one line, for reports."""
        targets = "" if self.targets is NO_TARGETS else f" targets={self.targets!r}"
        return f"#{self.number} {self.kind} (node {self.focus}): {self.note}{targets}"


# -- the definitions, as this module reads them ----------------------------------------------------


@dataclass
class Spec:
    """One declared input: ``kind`` is INT FLOAT STRING BOOLEAN COMBO (legacy list) V3COMBO or
    LINK; ``type`` the type a link must fit."""

    name: str
    kind: str
    type: Any
    options: dict[str, Any]
    choices: list[Any]
    required: bool

    @property
    def widget(self) -> bool:
        return self.kind != "LINK" and not self.options.get("forceInput")


@dataclass
class Definition:
    name: str
    specs: list[Spec]
    outputs: list[Any]
    output_node: bool
    #: Calls a paid web service when run, or is marked deprecated: never in a base prompt.
    special: bool = False

    def spec(self, name: str) -> Spec | None:
        return next((s for s in self.specs if s.name == name), None)


def read_definitions(object_info: dict[str, Any]) -> dict[str, Definition]:
    """Every class of ``/object_info`` as a Definition, in sorted order."""
    found = {}
    for name in sorted(object_info):
        raw = object_info[name]
        specs = []
        for section in ("required", "optional"):
            for input_name, spec in (raw.get("input", {}).get(section) or {}).items():
                first = spec[0]
                options = spec[1] if len(spec) > 1 and isinstance(spec[1], dict) else {}
                if isinstance(first, list):
                    kind, choices = "COMBO", list(first)
                elif first == "COMBO":
                    kind, choices = "V3COMBO", list(options.get("options") or [])
                elif first in ("INT", "FLOAT", "STRING", "BOOLEAN"):
                    kind, choices = first, []
                else:
                    kind, choices = "LINK", []
                specs.append(Spec(input_name, kind, first, options, choices, section == "required"))
        found[name] = Definition(
            name,
            specs,
            list(raw.get("output") or []),
            bool(raw.get("output_node")),
            bool(raw.get("api_node") or raw.get("deprecated")),
        )
    return found


def _fits(output_type: Any, spec: Spec) -> bool:
    if spec.kind in ("COMBO", "V3COMBO"):
        return False  # a combo is fed by a constant in these prompts
    return isinstance(spec.type, str) and type_fits(output_type, spec.type)


# -- valid values ----------------------------------------------------------------------------------

_TEXTS = ("a lighthouse at dusk", "", "x", "größe ß", "comfy_0001", "line one\nline two")


def valid_value(spec: Spec, rng: random.Random) -> Any:
    """A value the server takes for widget ``spec`` as it is."""
    opts = spec.options
    if spec.kind in ("COMBO", "V3COMBO"):
        return rng.choice(spec.choices)
    if spec.kind == "BOOLEAN":
        return rng.choice((True, False))
    if spec.kind == "STRING":
        if "default" in opts and rng.random() < 0.5:
            return opts["default"]
        return rng.choice(_TEXTS)
    low, high = opts.get("min"), opts.get("max")
    default = opts.get("default")
    if isinstance(default, (int, float)) and not isinstance(default, bool) and rng.random() < 0.5:
        value = default
    else:
        start = low if isinstance(low, (int, float)) else -100
        stop = high if isinstance(high, (int, float)) else start + 1000
        stop = min(stop, start + 1000)
        value = rng.uniform(start, stop)
    value = int(value) if spec.kind == "INT" else round(float(value), 3)
    if isinstance(low, (int, float)) and value < low:
        value = low
    if isinstance(high, (int, float)) and value > high:
        value = high
    return int(value) if spec.kind == "INT" else value


# -- base prompts ----------------------------------------------------------------------------------


class Unbuildable(Exception):
    pass


@dataclass
class Base:
    """A valid prompt, with what the mutations need to know of it."""

    prompt: dict[str, dict[str, Any]]
    outputs: list[str]
    definitions: dict[str, Definition] = field(repr=False)

    def definition(self, node_id: str) -> Definition:
        return self.definitions[self.prompt[node_id]["class_type"]]

    def reachable(self) -> list[str]:
        """Ids of the output nodes and of every node they depend on, in prompt order."""
        seen = set(self.outputs)
        stack = list(self.outputs)
        while stack:
            node = self.prompt[stack.pop()]
            for value in node["inputs"].values():
                if is_link(value) and value[0] in self.prompt and value[0] not in seen:
                    seen.add(value[0])
                    stack.append(value[0])
        return [n for n in self.prompt if n in seen]

    def upstream(self, node_id: str) -> set[str]:
        found: set[str] = set()
        stack = [node_id]
        while stack:
            for value in self.prompt[stack.pop()]["inputs"].values():
                if is_link(value) and value[0] not in found:
                    found.add(value[0])
                    stack.append(value[0])
        return found

    def copy(self) -> dict[str, dict[str, Any]]:
        return copy.deepcopy(self.prompt)


def is_link(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 2 and isinstance(value[0], str)


class Ids:
    """Fresh node ids: mostly numbers, sometimes words (so that an id can differ in case)."""

    WORDS = ("img", "Save", "mask", "Prim", "a", "b", "Latent", "x7")

    def __init__(self, rng: random.Random, taken: set[str] | None = None) -> None:
        self.rng = rng
        self.taken = set(taken or ())
        self.next = 1

    def __call__(self) -> str:
        if self.rng.random() < 0.25:
            for word in self.rng.sample(self.WORDS, len(self.WORDS)):
                if word not in self.taken:
                    self.taken.add(word)
                    return word
        while str(self.next) in self.taken or str(self.next) == MISSING_ID:
            self.next += 1
        self.taken.add(str(self.next))
        return str(self.next)


class Builder:
    """Base prompts from the model-free classes of one server's definitions: those whose
    required combos have the same choices as in ``model_free`` (the bundled catalog's
    definitions, which list no model or input files), so that no choice names a file."""

    def __init__(
        self,
        definitions: dict[str, Definition],
        model_free: dict[str, Definition],
        rng: random.Random,
    ) -> None:
        self.definitions = definitions
        self.model_free = model_free
        self.rng = rng
        self.usable = self._usable()
        self.producers: dict[str, list[tuple[str, int]]] = {}
        self.output_classes = [n for n in self.usable if self.definitions[n].output_node]
        self.leaves = {
            n for n, d in self.definitions.items() if n in self.usable and not self.link_inputs(d)
        }

    def link_inputs(self, definition: Definition) -> list[Spec]:
        return [s for s in definition.specs if s.required and not s.widget]

    def _usable(self) -> list[str]:
        """Classes whose required inputs can all be filled, found by growing the set of types
        that usable classes make."""
        made: set[str] = set()
        usable: list[str] = []
        changed = True
        while changed:
            changed = False
            for name, definition in self.definitions.items():
                if name in usable or name in SKIPPED_CLASSES or definition.special:
                    continue
                if self._fillable(definition, made):
                    usable.append(name)
                    made.update(t for t in definition.outputs if isinstance(t, str))
                    changed = True
        return sorted(usable)

    def _fillable(self, definition: Definition, made: set[str]) -> bool:
        bundled = self.model_free.get(definition.name)
        if bundled is None:
            return False
        for spec in definition.specs:
            if not spec.required:
                continue
            if spec.kind in ("COMBO", "V3COMBO"):
                same = bundled.spec(spec.name)
                if not spec.choices or same is None or same.choices != spec.choices:
                    return False
            elif not spec.widget and not any(type_fits(t, spec.type) for t in made):
                return False
        return True

    def fitting(self, spec: Spec) -> list[tuple[str, int]]:
        """(class, output index) of every usable class output that fits ``spec``."""
        key = f"{spec.kind}:{spec.type}"
        found = self.producers.get(key)
        if found is None:
            found = self.producers[key] = [
                (name, index)
                for name in self.usable
                for index, out in enumerate(self.definitions[name].outputs)
                if _fits(out, spec)
            ]
        return found

    def base(self, output_class: str | None = None, ids: Ids | None = None) -> Base:
        """A valid prompt: one output node (or ``output_class``) and what it needs."""
        for _ in range(50):
            prompt: dict[str, dict[str, Any]] = {}
            ids = ids or Ids(self.rng)
            chosen = output_class or self.rng.choice(self.output_classes)
            try:
                out_id = self._node(prompt, chosen, 0, ids)
            except Unbuildable:
                ids = None
                continue
            # Links first in the prompt order: the order the editor's nodes were made is free.
            ordered = dict(sorted(prompt.items(), key=lambda item: item[0] == out_id))
            return Base(ordered, [out_id], self.definitions)
        raise RuntimeError(f"no valid base prompt for {output_class or 'any output'}")

    def _node(self, prompt: dict[str, Any], class_type: str, depth: int, ids: Ids) -> str:
        definition = self.definitions[class_type]
        node_id = ids()
        node: dict[str, Any] = {"inputs": {}, "class_type": class_type}
        prompt[node_id] = node
        if self.rng.random() < 0.3:
            node["_meta"] = {"title": f"{class_type} {node_id}"}
        for spec in definition.specs:
            if not spec.required and self.rng.random() < 0.7:
                continue
            if spec.widget and spec.kind != "LINK":
                if spec.kind in ("COMBO", "V3COMBO") and not spec.choices:
                    continue
                node["inputs"][spec.name] = valid_value(spec, self.rng)
                continue
            if spec.kind in ("INT", "FLOAT", "STRING", "BOOLEAN") and not spec.options.get(
                "forceInput"
            ):
                continue
            link = self._link_for(prompt, spec, depth, ids, node_id)
            if link is None:
                if spec.required:
                    raise Unbuildable(f"{class_type}.{spec.name}")
                continue
            node["inputs"][spec.name] = link
        return node_id

    def _link_for(
        self, prompt: dict[str, Any], spec: Spec, depth: int, ids: Ids, consumer: str
    ) -> list[Any] | None:
        # Reuse a finished node now and then: base prompts are graphs, not only trees.
        if self.rng.random() < 0.3:
            done = [
                (node_id, index)
                for node_id, node in prompt.items()
                if node_id != consumer and node.get("_done")
                for index, out in enumerate(self.definitions[node["class_type"]].outputs)
                if _fits(out, spec)
            ]
            if done:
                node_id, index = self.rng.choice(done)
                return [node_id, index]
        options = self.fitting(spec)
        if depth >= 3:
            options = [o for o in options if o[0] in self.leaves]
        if not options:
            return None
        class_type, index = self.rng.choice(options)
        node_id = self._node(prompt, class_type, depth + 1, ids)
        prompt[node_id]["_done"] = True
        return [node_id, index]


def clean(prompt: dict[str, Any]) -> dict[str, Any]:
    for node in prompt.values():
        if isinstance(node, dict):
            node.pop("_done", None)
    return prompt
