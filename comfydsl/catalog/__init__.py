"""Node definitions: the bundled catalog of stock ComfyUI, catalogs from files and servers, merging.

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
from comfydsl.names import python_name

__all__ = [
    "MISSING",
    "Catalog",
    "InputSpec",
    "NodeDef",
    "OutputSpec",
    "active_catalog",
    "bundled_catalog",
    "extend_catalog",
    "load_catalog",
    "python_name",
    "set_catalog",
    "use_catalog",
]
