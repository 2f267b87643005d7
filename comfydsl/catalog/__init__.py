"""Node definitions: the bundled catalog of stock ComfyUI, bundled node packs (enabled by
``COMFYDSL_PACKS`` or ``use_packs``), catalogs from files and servers, merging.

from comfydsl.catalog import active_catalog, load_catalog, use_catalog
active_catalog()["KSampler"].inputs["steps"].max     # 10000
"""

from comfydsl.catalog.catalog import (
    Catalog,
    active_catalog,
    bundled_catalog,
    extend_catalog,
    load_catalog,
    set_catalog,
    use_catalog,
)
from comfydsl.catalog.model import MISSING, InputSpec, NodeDef, OutputSpec
from comfydsl.catalog.packs import (
    PACKS_ENV,
    PacksInForce,
    bundled_pack_names,
    pack_catalog,
    use_packs,
)
from comfydsl.names import python_name

__all__ = [
    "MISSING",
    "PACKS_ENV",
    "Catalog",
    "InputSpec",
    "NodeDef",
    "OutputSpec",
    "PacksInForce",
    "active_catalog",
    "bundled_catalog",
    "bundled_pack_names",
    "extend_catalog",
    "load_catalog",
    "pack_catalog",
    "python_name",
    "set_catalog",
    "use_catalog",
    "use_packs",
]
