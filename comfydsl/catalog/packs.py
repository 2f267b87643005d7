"""Bundled node packs: custom node packs whose definitions ship with comfydsl, off until enabled.

Stock ComfyUI is always there; a pack's classes join it when the pack is enabled, by a variable
for every script of a process, or by a call for the rest of the context (thread or task) or for a
``with`` block::

    COMFYDSL_PACKS=controlnet_aux,vhs python my_script.py     # or COMFYDSL_PACKS=all

    from comfydsl.catalog import use_packs
    use_packs("controlnet_aux")               # then: from comfydsl.nodes import HEDPreprocessor
    with use_packs("vhs"):                    # only inside the block
        ...

A pack is one file of ``nodes_catalog/packs/`` (made by ``scripts/make_catalog.py``; see
``nodes_catalog/README.md``), named by its file's stem; the name of the pack's folder on a server
(``comfyui_controlnet_aux``, ``ComfyUI-VideoHelperSuite``) names it too, in any case.
"""

from __future__ import annotations

import contextvars
import json
import os

from comfydsl.catalog.catalog import (
    FILE_LISTS_SUFFIX,
    Catalog,
    active_catalog,
    bundled_catalog,
    bundled_files,
    catalog_var,
    split_definitions,
)
from comfydsl.errors import CatalogError, UnknownPackError
from comfydsl.names import close_matches

# Not typing.TYPE_CHECKING: see comfydsl/catalog/catalog.py (import time).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import TracebackType
    from typing import Any

__all__ = [
    "PACKS_ENV",
    "PacksInForce",
    "bundled_pack_names",
    "default_catalog",
    "enabled_pack_names",
    "pack_catalog",
    "pack_of",
    "pack_origin",
    "resolve_pack_names",
    "unknown_class_hint",
    "use_packs",
]

#: The variable that enables bundled packs for every script: names separated by commas, or all.
PACKS_ENV = "COMFYDSL_PACKS"

#: Where the pack files are: the folder packs/ of the bundled catalog's (see bundled_files).
_PACKS_FOLDER = "packs"

_texts: dict[str, str] | None = None
_file_list_texts: dict[str, str] | None = None
_catalogs: dict[str, Catalog] = {}
_default: tuple[str, Catalog, Catalog] | None = None


def _pack_texts() -> dict[str, str]:
    """Pack name -> JSON text of every bundled pack, from the installed package or the checkout."""
    global _texts
    if _texts is None:
        _texts = {name[: -len(".json")]: text for name, text in bundled_files(_PACKS_FOLDER)}
    return _texts


def _pack_file_lists(name: str) -> dict[str, Any]:
    """The file lists of a bundled pack (class -> its inputs that list files), each class's left
    unread until its definition is built; empty for a pack that has none."""
    global _file_list_texts
    if _file_list_texts is None:
        _file_list_texts = {
            file[: -len(FILE_LISTS_SUFFIX)]: text
            for file, text in bundled_files(_PACKS_FOLDER, file_lists=True)
        }
    text = _file_list_texts.get(name)
    found = split_definitions(text) if text is not None else {}
    if not isinstance(found, dict):
        raise CatalogError("a pack's file lists must be an object of class -> inputs", source=name)
    return found


def bundled_pack_names() -> list[str]:
    """The names of the bundled node packs, sorted: ``["controlnet_aux", "vhs"]``."""
    return sorted(_pack_texts())


def pack_catalog(name: str) -> Catalog:
    """The definitions of one bundled pack (by its name or its folder's; see resolve_pack_names).

    Like the bundled catalog, its definitions are built on first use (the tests check them all),
    and its file lists are unknown here: any file name passes until a real server is asked.
    """
    (name,) = resolve_pack_names([name])
    found = _catalogs.get(name)
    if found is None:
        data = split_definitions(_pack_texts()[name])
        if not isinstance(data, dict):
            raise CatalogError("a pack file must hold an object of definitions", source=name)
        found = _catalogs[name] = Catalog._unchecked(
            data,
            source=f"bundled pack {name}",
            files_known=False,
            file_lists=_pack_file_lists(name),
        )
    return found


def _folders(name: str) -> set[str]:
    """The folder names the pack's classes come from (``python_module``: custom_nodes.FOLDER)."""
    data: Any = json.loads(_pack_texts()[name])
    found = set()
    for definition in data.values() if isinstance(data, dict) else ():
        module = definition.get("python_module") if isinstance(definition, dict) else None
        if isinstance(module, str) and module.startswith("custom_nodes."):
            found.add(module.split(".", 2)[1])
    return found


def resolve_pack_names(names: list[str] | tuple[str, ...], *, source: str = "packs") -> list[str]:
    """Bundled pack names from what a user wrote: a pack's name, its folder's name (any case),
    ``all`` or ``none``; each once, in the order given. An unknown one raises UnknownPackError."""
    known = bundled_pack_names()
    by_lower = {n.lower(): n for n in known}
    found: list[str] = []
    for written in names:
        text = written.strip()
        if not text:
            continue
        if text.lower() == "all":
            chosen = known
        elif text.lower() == "none":
            chosen = []
        elif text.lower() in by_lower:
            chosen = [by_lower[text.lower()]]
        else:
            chosen = [n for n in known if text.lower() in {f.lower() for f in _folders(n)}]
            if not chosen:
                raise UnknownPackError(
                    text,
                    known=known,
                    suggestions=close_matches(text, known, n=2, cutoff=0.5),
                    source=source,
                )
        found += [n for n in chosen if n not in found]
    return found


def enabled_pack_names() -> list[str]:
    """The packs ``COMFYDSL_PACKS`` enables (names separated by commas, or all)."""
    return resolve_pack_names(os.environ.get(PACKS_ENV, "").split(","), source=PACKS_ENV)


def default_catalog() -> Catalog:
    """The catalog in force where none is set: the bundled one, with the packs of COMFYDSL_PACKS."""
    global _default
    text = os.environ.get(PACKS_ENV, "")
    if not text.strip():
        return bundled_catalog()
    base = bundled_catalog()
    cached = _default
    if cached is not None and cached[0] == text and cached[1] is base:
        return cached[2]
    catalog = base.merged(*(pack_catalog(n) for n in enabled_pack_names()))
    _default = (text, base, catalog)
    return catalog


class PacksInForce:
    """What ``use_packs`` returns: ``catalog``, now in force; as a ``with`` block, it puts back
    the catalog that was in force before, at the block's end."""

    def __init__(self, catalog: Catalog, token: contextvars.Token[Catalog | None]) -> None:
        self.catalog = catalog
        self._token = token

    def __enter__(self) -> Catalog:
        return self.catalog

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        catalog_var.reset(self._token)

    def __repr__(self) -> str:
        return f"<packs in force: {self.catalog!r}>"


def use_packs(*names: str) -> PacksInForce:
    """Enable bundled node packs over the catalog in force, for the rest of this context::

        use_packs("controlnet_aux", "vhs")   # or use_packs("all")
        from comfydsl.nodes import HEDPreprocessor, VHS_VideoCombine

    Used as ``with use_packs("vhs"): ...``, only for the block. Unknown names raise
    UnknownPackError (a LookupError) naming the bundled packs.
    """
    chosen = resolve_pack_names(list(names), source="use_packs")
    catalog = active_catalog().merged(*(pack_catalog(n) for n in chosen))
    return PacksInForce(catalog, catalog_var.set(catalog))


def pack_of(class_name: str) -> str | None:
    """The bundled pack that has this class, or None."""
    for name in bundled_pack_names():
        if class_name in pack_catalog(name):
            return name
    return None


def pack_origin(name: str) -> str:
    """Where a pack's classes come from and how to enable it, for docstrings and messages."""
    folders = ", ".join(sorted(_folders(name)))
    came = f" ({folders})" if folders else ""
    return (
        f"From the bundled node pack {name}{came}: enable it with {PACKS_ENV}={name} "
        f'or comfydsl.catalog.use_packs("{name}").'
    )


def unknown_class_hint(class_name: str) -> str:
    """The hint of an error about a class the catalog in force lacks: its pack, when bundled."""
    try:
        pack = pack_of(class_name)
    except CatalogError:
        pack = None
    if pack is not None:
        return pack_origin(pack)
    return (
        "For a class of a custom node pack, load its catalog (comfydsl.catalog.load_catalog) "
        "or use Node(class_type, ...)."
    )
