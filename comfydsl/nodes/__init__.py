"""Every node class of the catalog in force, as a callable::

    from comfydsl.nodes import CheckpointLoaderSimple, CLIPTextEncode, KSampler

    ckpt = CheckpointLoaderSimple(ckpt_name="sd_xl_base_1.0.safetensors")
    pos = CLIPTextEncode(text="a lighthouse at dusk", clip=ckpt.CLIP)

The classes are made on first use from the catalog in force (the bundled stock ComfyUI catalog,
plus any loaded with ``comfydsl.catalog.extend_catalog`` / ``use_catalog``).
"""

from __future__ import annotations

from comfydsl.build.calls import NodeClass, node_class
from comfydsl.catalog import Catalog, active_catalog


class CatalogNodes:
    """The node classes of one catalog, as attributes: ``from_catalog(packs).HEDPreprocessor(...)``."""

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog

    def __getattr__(self, name: str) -> NodeClass:
        if name.startswith("_"):
            raise AttributeError(name)
        found = node_class(name, self._catalog)
        # Kept as an attribute: the next access finds it without asking __getattr__.
        setattr(self, name, found)
        return found

    def __dir__(self) -> list[str]:
        return self._catalog.names()

    def __repr__(self) -> str:
        return f"<node classes of {self._catalog!r}>"


def from_catalog(catalog: Catalog) -> CatalogNodes:
    """The node classes of ``catalog`` (custom node packs, say) without changing the one in force.

    packs = from_catalog(load_catalog("controlnet_aux-vhs.json"))
    edges = packs.HEDPreprocessor(image=photo)
    """
    return CatalogNodes(catalog)


def __getattr__(name: str) -> NodeClass:
    if name.startswith("_"):
        raise AttributeError(name)
    # An unknown class raises UnknownNodeError, which is an ImportError too: so that
    # ``from comfydsl.nodes import KSamplr`` says "did you mean 'KSampler'?" rather than Python's
    # bare "cannot import name".
    return node_class(name)


def __dir__() -> list[str]:
    return sorted({*globals(), *active_catalog().names()})


def _touch() -> Catalog:
    # Load the bundled catalog at import, so that the first node call pays nothing more.
    return active_catalog()


_touch()

__all__ = ["CatalogNodes", "NodeClass", "from_catalog", "node_class"]
