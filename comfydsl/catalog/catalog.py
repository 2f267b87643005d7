"""A set of node definitions: the bundled one, one read from a file or a server, or a merge of several.

A catalog is checked whole when it is loaded: one CatalogError lists every malformed definition.
The catalog in force ("active") decides which classes ``comfydsl.nodes`` offers and how their
calls are checked. It lives in a ContextVar, so threads and tasks may use different ones::

    from comfydsl.catalog import load_catalog, use_catalog
    packs = load_catalog("object_info-my-server.json")      # a saved GET /object_info
    with use_catalog(packs):                                 # bundled + packs, for this block
        ...
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import os
from collections.abc import Iterator, Mapping

from comfydsl.catalog.model import NodeDef
from comfydsl.errors import CatalogError, CatalogProblem
from comfydsl.names import close_matches
from comfydsl.values import read_json

# Not typing.TYPE_CHECKING: importing typing would cost ``import comfydsl.nodes`` more than the
# rest of this module (mypy treats any name TYPE_CHECKING as true).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    import requests

__all__ = [
    "FILE_LISTS_SUFFIX",
    "Catalog",
    "active_catalog",
    "bundled_catalog",
    "bundled_files",
    "catalog_var",
    "extend_catalog",
    "load_catalog",
    "set_catalog",
    "split_definitions",
    "use_catalog",
]

#: Where the JSON files of the bundled catalog are: the data package made from nodes_catalog/
#: (installed as comfydsl/_bundled), or nodes_catalog/ itself in a checkout. Plain os.path, not
#: importlib.resources or pathlib: those two imports alone cost more than the rest of
#: ``import comfydsl.nodes``.
_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_BUNDLED_DIRS = (
    os.path.join(_PACKAGE_DIR, "_bundled"),
    os.path.join(os.path.dirname(_PACKAGE_DIR), "nodes_catalog"),
)
#: The file beside a bundled definitions file (``vhs.json`` -> ``vhs.file-lists.json``) that names
#: the inputs whose combo lists name files on the server, by class: class -> input -> folders.
#: scripts/make_catalog.py writes it, from what a real server showed (scripts/probe_file_lists.py).
FILE_LISTS_SUFFIX = ".file-lists.json"


class _Unread:
    """One bundled definition as JSON text, parsed the first time it is asked for.

    The bundled files hold one node class per line (scripts/make_catalog.py writes them so):
    reading them is splitting lines, and ``import comfydsl.nodes`` parses only the definitions a
    script uses instead of all 516.
    """

    __slots__ = ("_value", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._value: Any = None

    def value(self) -> Any:
        """The definition as JSON data (parsed once, then kept)."""
        if self._value is None:
            self._value = json.loads(self.text)
        return self._value


def _json_of(raw: Any) -> Any:
    return raw.value() if type(raw) is _Unread else raw


def _input_names(class_type: str, file_lists: Any) -> tuple[str, ...]:
    """The inputs of a class that list files, from its entry of a bundled file-lists file."""
    if file_lists is None:
        return ()
    inputs = _json_of(file_lists)
    if not isinstance(inputs, dict) or not all(type(name) is str for name in inputs):
        raise CatalogError(
            f"the bundled file lists of {class_type} must be an object of input name -> folders",
            source=f"bundled file lists{FILE_LISTS_SUFFIX}",
        )
    return tuple(inputs)


class Catalog:
    """Node definitions by class name, from ``/object_info``-shaped JSON, checked when made.

    Making a catalog builds every definition (a ``NodeDef``), so that a malformed one is found at
    once: one ``CatalogError`` lists every problem of every class, each with its class and where in
    the definition it is (``.problems``). A catalog that exists is safe to use.

    ``files_known`` says whether the combo lists that name files (models, input images) are the
    real lists of the server the prompt goes to. In the bundled catalog they are not: those inputs
    are "unknown here", and any file name is accepted until a real server is asked. The bundled
    catalog knows which inputs they are (``file_lists``: class -> input -> folders, see
    nodes_catalog/README.md); elsewhere an empty list or an upload widget's is taken for one.
    """

    __slots__ = ("_defs", "_owners", "_raw", "_sources", "files_known", "source")

    def __init__(
        self,
        definitions: Mapping[str, Any] | None = None,
        *,
        source: str = "<memory>",
        files_known: bool = True,
    ) -> None:
        self.source = source
        self.files_known = files_known
        self._raw: dict[str, Any] = {}
        # class -> (source, files_known, its inputs that list files: JSON or _Unread, or None)
        self._sources: dict[str, tuple[str, bool, Any]] = {}
        self._defs: dict[str, NodeDef] = {}
        # class -> the catalog that builds it, for a class merged in before it was built: the
        # definition is built once, by the catalog it came from, and shared by every merge.
        self._owners: dict[str, Catalog] = {}
        if definitions is not None:
            self._take(definitions, {})
            self.validate()

    @classmethod
    def _unchecked(
        cls,
        definitions: Mapping[str, Any],
        *,
        source: str,
        files_known: bool,
        file_lists: Mapping[str, Any] | None = None,
    ) -> Catalog:
        """A catalog whose definitions are built on first use, not checked when it is made.

        Only for the bundled catalog: stock ComfyUI's definitions, shipped with comfydsl and
        checked by its tests, where building all 516 at import would cost ``import comfydsl.nodes``
        more than everything else it does. ``file_lists`` is what its file beside them holds
        (``FILE_LISTS_SUFFIX``), read like the definitions: each class's on first use.
        """
        catalog = cls(source=source, files_known=files_known)
        catalog._take(definitions, file_lists or {})
        return catalog

    def _take(self, definitions: Mapping[str, Any], file_lists: Mapping[str, Any]) -> None:
        if not isinstance(definitions, Mapping):
            raise CatalogError(
                f"node definitions must be a JSON object of class name -> definition, "
                f"got {type(definitions).__name__}",
                source=self.source,
            )
        self._raw.update(definitions)
        self._sources = dict.fromkeys(definitions, (self.source, self.files_known, None))
        for name, inputs in file_lists.items():
            if name in self._sources:
                self._sources[name] = (self.source, self.files_known, inputs)

    def validate(self) -> None:
        """Build every definition not built yet; raise one CatalogError listing every problem.

        A catalog made from JSON has done this already; ``bundled_catalog().validate()`` checks
        the bundled one, which is built on first use instead.
        """
        problems: list[CatalogProblem] = []
        for name, raw in self._raw.items():
            if name in self._defs:
                continue
            try:
                self._defs[name] = self._built(name, raw)
            except CatalogError as error:
                problems.extend(error.problems or [CatalogProblem(str(error), class_type=name)])
        if problems:
            raise CatalogError(source=self.source, problems=problems)

    @classmethod
    def from_object_info(
        cls, data: Mapping[str, Any], *, source: str = "<object_info>", files_known: bool = True
    ) -> Catalog:
        """A catalog from the JSON a server answers to ``GET /object_info`` (checked, see Catalog)."""
        return cls(data, source=source, files_known=files_known)

    def merged(self, *others: Catalog) -> Catalog:
        """A new catalog: this one's classes, then each other's (a later one wins a shared name).

        Each part was checked when it was made, so the merge keeps their built definitions and
        checks nothing again.
        """
        result = Catalog(source=self.source, files_known=self.files_known)
        for catalog in (self, *others):
            result._raw.update(catalog._raw)
            result._sources.update(catalog._sources)
            for name in catalog._raw:
                result._defs.pop(name, None)
                result._owners.pop(name, None)
            result._defs.update(catalog._defs)
            for name in catalog._raw.keys() - catalog._defs.keys():
                result._owners[name] = catalog._owners.get(name, catalog)
        if others:
            result.source = " + ".join(c.source for c in (self, *others))
        return result

    def get(self, class_type: str) -> NodeDef | None:
        """The definition of a class, or None when the catalog does not have it."""
        found = self._defs.get(class_type)
        if found is not None:
            return found
        if class_type not in self._raw:
            return None
        # Only the bundled catalog (and merges of it) gets here: every other one was built when
        # it was made.
        found = self._defs[class_type] = self._built(class_type, self._raw[class_type])
        return found

    def _built(self, class_type: str, raw: Any) -> NodeDef:
        owner = self._owners.get(class_type)
        return self._build(class_type, raw) if owner is None else owner[class_type]

    def _build(self, class_type: str, raw: Any) -> NodeDef:
        source, files_known, file_lists = self._sources[class_type]
        return NodeDef(
            class_type,
            _json_of(raw),
            files_known=files_known,
            source=source,
            file_lists=_input_names(class_type, file_lists),
        )

    def __getitem__(self, class_type: str) -> NodeDef:
        found = self.get(class_type)
        if found is None:
            raise KeyError(class_type)
        return found

    def __contains__(self, class_type: object) -> bool:
        return class_type in self._raw

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)

    def names(self) -> list[str]:
        """Every class name, in the catalog's order."""
        return list(self._raw)

    def suggest(self, class_type: str, n: int = 3) -> list[str]:
        """Class names close to a misspelt one."""
        return close_matches(class_type, self._raw, n=n, cutoff=0.75)

    def raw(self, class_type: str) -> Any:
        """The definition as the server sent it (JSON data)."""
        return _json_of(self._raw[class_type])

    def to_object_info(self) -> dict[str, Any]:
        """Every definition as ``/object_info`` JSON."""
        return {name: _json_of(raw) for name, raw in self._raw.items()}

    def __repr__(self) -> str:
        return f"<Catalog {self.source}: {len(self)} classes>"


def read_json_file(path: str | os.PathLike[str]) -> Any:
    """JSON from a file, with errors (CatalogError) that name the file (see values.read_json)."""
    source = os.fspath(path)
    return read_json(source, lambda reason: CatalogError(reason, source=source))


def load_catalog(
    location: str | os.PathLike[str],
    *,
    files_known: bool | None = None,
    timeout: float = 30.0,
    headers: Mapping[str, str] | None = None,
    verify: bool | str | None = None,
    session: requests.Session | None = None,
) -> Catalog:
    """Node definitions from a JSON file or from a server (``http://host:port``).

    A file holds what ``GET /object_info`` answers (``comfydsl catalog pull`` writes one). From a
    server, the file lists are that server's own, so ``files_known`` defaults to True; from a file,
    to False (the file may be old, or from another machine).

    A server is asked through comfydsl's one HTTP stack (``comfydsl.transport``), as the client
    asks it: ``headers``, ``verify`` (https: a CA bundle, or False), ``timeout`` and ``session``
    mean what they mean for ``Client``, and its failures raise the client's errors
    (``ServerUnreachable``, ``RequestTimeout``, ``ServerError``...).
    """
    text = os.fspath(location)
    if text.startswith(("http://", "https://")):
        # Imported here, not at the top: requests costs more to import than comfydsl.nodes does.
        from comfydsl.transport.http import Transport

        transport = Transport(
            text, session=session, timeout=timeout, headers=headers, verify=verify
        )
        try:
            data = transport.json_object("object_info")
        finally:
            if session is None:
                transport.session.close()
        return _catalog_of(data, text, True if files_known is None else files_known)
    return _catalog_of(read_json_file(location), text, bool(files_known))


def _catalog_of(data: Any, source: str, files_known: bool) -> Catalog:
    # Catalog(None) is an empty catalog; a file holding null is not one.
    if data is None:
        raise CatalogError(
            "node definitions must be a JSON object of class name -> definition, got null",
            source=source,
        )
    return Catalog(data, source=source, files_known=files_known)


def bundled_files(subfolder: str = "", *, file_lists: bool = False) -> list[tuple[str, str]]:
    """(file name, JSON text) of every bundled definitions file (of ``subfolder`` of them, when
    given; with ``file_lists``, of every file-lists file beside them, see FILE_LISTS_SUFFIX), from
    the installed package or the checkout, in the order of their names."""
    for base in _BUNDLED_DIRS:
        folder = os.path.join(base, subfolder) if subfolder else base
        if os.path.isdir(folder):
            names = sorted(
                name
                for name in os.listdir(folder)
                if name.endswith(".json") and name.endswith(FILE_LISTS_SUFFIX) == file_lists
            )
            found = []
            for name in names:
                with open(os.path.join(folder, name), encoding="utf-8") as file:
                    found.append((name, file.read()))
            if found:
                return found
    return []


def split_definitions(text: str) -> dict[str, Any]:
    """The definitions of one bundled file, each left unparsed (an ``_Unread``) when the file has
    the one-class-per-line layout; parsed whole otherwise."""
    lines = text.split("\n")
    found: dict[str, Any] = {}
    if len(lines) >= 3 and lines[0] == "{" and lines[-2:] == ["}", ""]:
        scan = json.decoder.scanstring  # type: ignore[attr-defined]  # a name it has, untyped
        last = len(lines) - 4  # the index of the last class line (no comma after it)
        for number, line in enumerate(lines[1:-2]):
            if not line.startswith('"'):
                break
            try:
                name, end = scan(line, 1)
            except ValueError:
                break
            tail = -1 if number < last else len(line)
            if line[end : end + 2] != ": " or (tail == -1 and not line.endswith(",")):
                break
            found[name] = _Unread(line[end + 2 : tail])
        else:
            return found
    parsed: dict[str, Any] = json.loads(text)
    return parsed


_bundled: Catalog | None = None


def bundled_catalog() -> Catalog:
    """The node definitions shipped with comfydsl: stock ComfyUI (see nodes_catalog/README.md)."""
    global _bundled
    if _bundled is None:
        files = bundled_files()
        if not files:
            raise CatalogError("the bundled node catalog is missing from this installation")
        merged: dict[str, Any] = {}
        for _name, text in files:
            merged.update(split_definitions(text))
        lists: dict[str, Any] = {}
        for _name, text in bundled_files(file_lists=True):
            lists.update(split_definitions(text))
        _bundled = Catalog._unchecked(merged, source="bundled", files_known=False, file_lists=lists)
    return _bundled


#: The catalog in force in this context (None: the default one); see active_catalog().
catalog_var: contextvars.ContextVar[Catalog | None] = contextvars.ContextVar(
    "comfydsl_catalog", default=None
)


def active_catalog() -> Catalog:
    """The catalog in force here: the one set by ``use_catalog``/``set_catalog``, else the default
    one: the bundled catalog, with the node packs ``COMFYDSL_PACKS`` enables (see catalog.packs)."""
    catalog = catalog_var.get()
    return catalog if catalog is not None else _default_catalog()


def _default_catalog() -> Catalog:
    from comfydsl.catalog import packs  # imported here: packs imports this module

    return packs.default_catalog()


def set_catalog(catalog: Catalog | None) -> contextvars.Token[Catalog | None]:
    """Put a catalog in force for the rest of this context (None: back to the bundled one)."""
    return catalog_var.set(catalog)


@contextlib.contextmanager
def use_catalog(*catalogs: Catalog, merge: bool = True) -> Iterator[Catalog]:
    """Put catalogs in force for a ``with`` block: by default merged over the one in force now."""
    base = active_catalog() if merge else None
    if base is not None:
        combined = base.merged(*catalogs)
    elif catalogs:
        combined = catalogs[0].merged(*catalogs[1:])
    else:
        combined = Catalog(source="<empty>")
    token = catalog_var.set(combined)
    try:
        yield combined
    finally:
        catalog_var.reset(token)


def extend_catalog(*catalogs: Catalog) -> Catalog:
    """Merge catalogs (custom node packs) over the one in force, for the rest of this context."""
    combined = active_catalog().merged(*catalogs)
    catalog_var.set(combined)
    return combined
