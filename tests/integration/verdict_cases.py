"""The cases of the differential test of the server's verdict (test_server_verdict.py).

A case is one prompt (and, for some, the ``partial_execution_targets`` of the request body) that is
sent both to a real ComfyUI server and to comfydsl's check: a valid base prompt
(``verdict_prompts``) with one thing changed (``verdict_mutations``, ``verdict_more_mutations``).

Everything comes from one ``random.Random(seed)`` and the definitions, read in sorted order: the
same seed and server give the same cases. ``CaseMaker(object_info, bundled, seed).cases(count)``
cycles through every kind of mutation (``MUTATIONS``), so that each kind is tried about
``count / len(MUTATIONS)`` times, each time on another base.
"""

from __future__ import annotations

import copy
import random
from typing import Any

from verdict_more_mutations import NULL_TARGETS  # (and registers its mutations)
from verdict_mutations import MUTATIONS, Mutated, link_inputs
from verdict_prompts import (
    NO_TARGETS,
    UPLOADED_IMAGE,
    Base,
    Builder,
    Case,
    Ids,
    Unbuildable,
    clean,
    read_definitions,
)

__all__ = ["MUTATIONS", "NO_TARGETS", "Case", "CaseMaker"]


# -- the maker -------------------------------------------------------------------------------------


class CaseMaker:
    """``CaseMaker(object_info, bundled, seed).cases(count)``: cases for the server whose
    ``/object_info`` is given, from the classes that are model-free in ``bundled`` (the bundled
    catalog's definitions); see the module docstring."""

    def __init__(self, object_info: dict[str, Any], bundled: dict[str, Any], seed: int) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.definitions = read_definitions(object_info)
        self.builder = Builder(self.definitions, read_definitions(bundled), self.rng)
        assert "LoadImage" in self.definitions and "PrimitiveInt" in self.definitions
        self.prefix_outputs = [
            n for n in self.builder.output_classes if self.definitions[n].spec("filename_prefix")
        ]

    def shuffled(self, items: list[Any]) -> list[Any]:
        items = list(items)
        self.rng.shuffle(items)
        return items

    def with_unreachable(self, base: Base) -> tuple[dict[str, Any], str]:
        """The base with one more node that no output needs (a class with a link input)."""
        prompt = base.copy()
        ids = Ids(self.rng, set(prompt))
        candidates = [
            n
            for n in self.builder.usable
            if not self.definitions[n].output_node
            and any(s.required and s.kind == "LINK" for s in self.definitions[n].specs)
        ]
        for _ in range(20):
            try:
                new = self.builder._node(prompt, self.rng.choice(candidates), 2, ids)
            except Unbuildable:
                continue
            return clean(prompt), new
        raise RuntimeError("no unreachable node could be made")

    def base_with_prefix(self) -> Base:
        return self.builder.base(self.rng.choice(self.prefix_outputs))

    def base_with_load_image(self) -> tuple[Base, str]:
        for _ in range(50):
            base = self.builder.base()
            loads = [n for n, node in base.prompt.items() if node["class_type"] == "LoadImage"]
            if loads and loads[0] in base.reachable():
                return base, loads[0]
            # Put a LoadImage where an IMAGE comes from a node that needs nothing.
            for node_id, name, link in link_inputs(base):
                spec = base.definition(node_id).spec(name)
                if spec is not None and spec.type == "IMAGE" and link[1] == 0:
                    prompt = base.copy()
                    new = Ids(self.rng, set(prompt))()
                    prompt[new] = {"inputs": {"image": UPLOADED_IMAGE}, "class_type": "LoadImage"}
                    prompt[node_id]["inputs"][name] = [new, 0]
                    prompt = dict(sorted(prompt.items(), key=lambda item: item[0] in base.outputs))
                    return Base(prompt, base.outputs, self.definitions), new
        raise RuntimeError("no base prompt with a LoadImage")

    def base_with_two_outputs(self) -> Base:
        """A base with two output nodes: apart, or (half the time) a copy of the first output
        node that takes the same inputs, so that everything upstream is shared."""
        first = self.builder.base()
        ids = Ids(self.rng, set(first.prompt))
        if self.rng.random() < 0.5:
            out = first.outputs[0]
            twin = ids()
            prompt = first.copy()
            prompt[twin] = copy.deepcopy(prompt[out])
            prompt[twin].pop("_meta", None)
            return Base(prompt, [out, twin], self.definitions)
        second = self.builder.base(ids=ids)
        prompt = {**first.prompt, **second.prompt}
        return Base(prompt, first.outputs + second.outputs, self.definitions)

    def cases(self, count: int) -> list[Case]:
        """``count`` cases, every kind of mutation in turn (each tried on up to ten bases)."""
        kinds = list(MUTATIONS)
        made: list[Case] = []
        dead: set[str] = set()
        index = 0
        while len(made) < count and len(dead) < len(kinds):
            kind = kinds[index % len(kinds)]
            index += 1
            if kind in dead:
                continue
            for _ in range(10):
                result = MUTATIONS[kind](self, self.builder.base())
                if result is not None:
                    made.append(self._case(len(made), kind, result))
                    break
            else:
                dead.add(kind)  # it does not apply to the prompts these classes make
        return made

    @staticmethod
    def _case(number: int, kind: str, result: Mutated) -> Case:
        prompt, focus, note, *rest = result
        targets = rest[0] if rest else NO_TARGETS
        if targets is NULL_TARGETS:
            targets = None
        if isinstance(prompt, dict):
            prompt = clean(prompt)
        return Case(number, kind, prompt, focus, note, targets)
