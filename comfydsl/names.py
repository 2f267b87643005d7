"""Names: the Python form of a name from a node definition, and "did you mean" suggestions.

Ground level: nothing of comfydsl below it but nothing else either, so that the catalog, the
building layer and the code generator agree on one spelling of every name.

``PythonIdentifier`` is that spelling as a type: its constructor fixes a name once (bad
characters, a leading digit, a dunder, a keyword), and a value of the type is a name that can be
written in Python source as itself. ``python_name`` is the same rule returning a plain ``str``,
for the catalog's aliases: the keyword a call accepts is the name the stub declares.
"""

from __future__ import annotations

import builtins
import keyword
import re
from collections.abc import Iterable, Sequence

_NOT_IDENT = re.compile(r"\W", re.ASCII)
#: Where a word of a CamelCase name ends: ``LoadImage`` -> ``Load Image``, ``VAEDecode`` ->
#: ``VAE Decode``, ``Image2Mask`` -> ``Image2 Mask``; one capital before a word stays with it
#: (``KSampler``, as everyone says it).
_WORD_END = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z]{2})(?=[A-Z][a-z])|(?<=[0-9])(?=[A-Z][a-z])")
_UNDERSCORES = re.compile(r"_+")


class PythonIdentifier(str):
    """A name that can be bound as itself in Python: ``PythonIdentifier("3D Model Path")``.

    The constructor makes the predictable Python form of any text. Every character that cannot
    stand in an ASCII identifier becomes ``_``; a leading digit gets a leading ``_``; a keyword,
    and ``__debug__`` (which no code may bind), gets a trailing ``_``; an empty name becomes
    ``fallback``. ``"model task_id"`` → ``model_task_id``, ``"3D Model Path"`` →
    ``_3D_Model_Path``, ``"input_blocks.0."`` → ``input_blocks_0_``, ``"from"`` → ``from_``,
    ``"__debug__"`` → ``__debug___``. The result is a parameter, a keyword argument and a
    module-level name; ``dunder`` and ``mangled`` say where else it cannot stand.

    The result is ASCII, so Unicode normalisation cannot change it: Python reads identifiers
    NFKC-normalised (``ﬁx`` is ``fix``), and two names that normalise alike would be one
    parameter. Soft keywords (``match``, ``case``, ``type``, ``_``) are ordinary names wherever a
    node's name can stand (parameters, attributes, module-level annotations), so they are kept.
    A value is its own fixed form: ``PythonIdentifier(PythonIdentifier(x)) == PythonIdentifier(x)``.
    """

    __slots__ = ()

    def __new__(cls, name: str, *, fallback: str = "value") -> PythonIdentifier:
        text = _NOT_IDENT.sub("_", name)
        if not text:
            text = _NOT_IDENT.sub("_", fallback) or "value"
        if text[0].isdigit():
            text = "_" + text
        if keyword.iskeyword(text) or text == "__debug__":
            text += "_"  # soft keywords (match, case, type, _) are valid names
        return super().__new__(cls, text)

    @classmethod
    def exact(cls, name: str) -> PythonIdentifier | None:
        """``name`` itself when it needs no fixing (``"seed"``), else None (``"from"``, ``"ß"``)."""
        fixed = cls(name, fallback="_")
        return fixed if fixed == name else None

    @property
    def dunder(self) -> bool:
        """Whether the name has Python's reserved shape ``__x__`` (``__`` and ``___`` too).

        A parameter or a module-level name may have it, but not an attribute of one's own: in a
        class body ``__qualname__``, ``__slots__``, ``__classcell__``... change the class or
        break it, and a node answers no such attribute with an output.
        """
        return self.startswith("__") and self.endswith("__")

    @property
    def mangled(self) -> bool:
        """Whether Python rewrites this name inside a class body (``__x`` → ``_Class__x``).

        Such a name works as a keyword at module level, so the rule keeps it; code made inside
        a class (a stub's parameters and properties) must not write it.
        """
        return self.startswith("__") and not self.endswith("__")


def python_name(name: str, *, fallback: str = "value") -> str:
    """The predictable Python identifier for a name from a node definition (see PythonIdentifier).

    ``"model task_id"`` → ``model_task_id``, ``"3D Model Path"`` → ``_3D_Model_Path``,
    ``"input_blocks.0."`` → ``input_blocks_0_``, ``"from"`` → ``from_``.
    """
    return str(PythonIdentifier(name, fallback=fallback))


def unique_python_names(names: Sequence[str], *, fallback: str = "value") -> list[str]:
    """``python_name`` of each name, with repeats numbered from the second on: ``IMAGE``, ``IMAGE_2``."""
    result: list[str] = []
    taken: set[str] = set()
    counts: dict[str, int] = {}
    for name in names:
        base = python_name(name, fallback=fallback)
        candidate = base
        if candidate in taken:
            n = counts.get(base, 1)
            while candidate in taken:
                n += 1
                candidate = f"{base}_{n}"
            counts[base] = n
        taken.add(candidate)
        result.append(candidate)
    return result


def snake_name(text: str, *, fallback: str = "value", limit: int = 40) -> PythonIdentifier:
    """A lower-case variable name made of the words of ``text`` (a title, a class name).

    ``"Load Checkpoint"`` → ``load_checkpoint``, ``"VAEDecode"`` → ``vae_decode``,
    ``"KSampler (Advanced)"`` → ``ksampler_advanced``, ``"3D Model"`` → ``_3d_model``,
    ``"class"`` → ``class_``. What has no ASCII word in it takes ``fallback``'s; a long text is
    cut at a word boundary near ``limit`` characters. The result is a PythonIdentifier.
    """
    words = _UNDERSCORES.sub("_", _NOT_IDENT.sub("_", _WORD_END.sub("_", text))).strip("_")
    words = words.lower()
    if len(words) > limit:
        cut = words.rfind("_", 0, limit + 1)
        words = words[: cut if cut > limit // 2 else limit].rstrip("_")
    if not words:
        return snake_name(fallback, limit=limit) if fallback else PythonIdentifier("value")
    return PythonIdentifier(words)


class Namespace:
    """The names of one generated module: each handed out once, none a builtin or a keyword.

    ``claim(name)`` takes a name as it is (an import) when it is free; ``fresh(text)`` makes a
    variable from any text (``snake_name``), numbered from the second on: ``ksampler``,
    ``ksampler_2``. Python's builtins count as taken, so that no variable hides one.
    """

    def __init__(self, reserved: Iterable[str] = ()) -> None:
        self._taken: set[str] = set(dir(builtins)) | set(reserved)
        self._counts: dict[str, int] = {}

    def __contains__(self, name: object) -> bool:
        return name in self._taken

    def claim(self, name: str) -> PythonIdentifier | None:
        """``name`` itself, now taken, if it is an identifier that is free; else None."""
        exact = PythonIdentifier.exact(name)
        if exact is None or exact in self._taken:
            return None
        self._taken.add(exact)
        return exact

    def fresh(
        self, text: str, *, fallback: str = "node", constant: bool = False
    ) -> PythonIdentifier:
        """A free variable name made of ``text``'s words (``fallback``'s when it has none); in
        capitals for a ``constant``: ``COMFY_CORE``."""
        base = snake_name(text, fallback=fallback)
        if constant:
            base = PythonIdentifier(base.upper())
        candidate = base
        n = self._counts.get(base, 1)
        while candidate in self._taken:
            n += 1
            candidate = PythonIdentifier(f"{base}_{n}")
        self._counts[base] = n
        self._taken.add(candidate)
        return candidate


def close_matches(
    word: str, candidates: Iterable[str], n: int = 3, cutoff: float = 0.6
) -> list[str]:
    """The candidates most like ``word`` (difflib's ratio), for "did you mean ...?".

    difflib is imported here, on the first mistake, not when comfydsl.nodes is imported.
    """
    import difflib

    return difflib.get_close_matches(word, list(candidates), n=n, cutoff=cutoff)


__all__ = [
    "Namespace",
    "PythonIdentifier",
    "close_matches",
    "python_name",
    "snake_name",
    "unique_python_names",
]
