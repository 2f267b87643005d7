"""Benchmark of stub generation (``comfydsl stubs``): rendering the typed stub of a large catalog.

Issue 10, point 7. A catalog of 2,000 classes is made from the bundled ones (stock ComfyUI and
the bundled packs, 620 classes) and copies of them under new names whose own link types are
renamed too, as a server with many custom node packs has (each pack brings types of its own), so
that the stub has many output classes and protocols, not only many node classes. Timed: reading
the catalog (every definition built and checked) and rendering the stub, separately; the
shipped stub (620 classes) is timed the same way as a reference.
"""

from __future__ import annotations

import copy
import statistics
import time
from typing import Any

#: Types the server has built in: kept as they are in the copies.
_PRIMITIVE = {"INT", "FLOAT", "STRING", "BOOLEAN", "COMBO", "*"}


def _renamed_type(value: Any, suffix: str) -> Any:
    if isinstance(value, str) and value not in _PRIMITIVE:
        return ",".join(f"{part}{suffix}" for part in value.split(","))
    return value


def large_object_info(classes: int = 2_000) -> dict[str, Any]:
    """``/object_info`` of ``classes`` classes: the bundled ones, then renamed copies of them."""
    from comfydsl.codegen.stubs import stub_catalog

    catalog, _origins = stub_catalog()
    base = catalog.to_object_info()
    found = dict(base)
    copy_number = 0
    while len(found) < classes:
        copy_number += 1
        suffix = f"_P{copy_number}"
        for name, definition in base.items():
            if len(found) >= classes:
                break
            raw = copy.deepcopy(definition)
            raw["output"] = [_renamed_type(t, suffix) for t in raw.get("output", [])]
            for section in ("required", "optional"):
                for spec in (raw.get("input", {}).get(section) or {}).values():
                    if isinstance(spec, list) and spec:
                        spec[0] = _renamed_type(spec[0], suffix)
            found[f"{name}{suffix}"] = raw
    return found


def time_stub_generation(classes: int = 2_000, repeats: int = 5) -> list[dict[str, Any]]:
    """Seconds to read a catalog of ``classes`` classes and to render its stub (min and median)."""
    from comfydsl.catalog import Catalog
    from comfydsl.codegen.stubs import default_stub, render_stubs

    data = large_object_info(classes)
    load, render = [], []
    size = 0
    for _ in range(repeats):
        began = time.perf_counter()
        catalog = Catalog(data, source="benchmark")
        loaded = time.perf_counter()
        text = render_stubs(catalog, source="benchmark")
        done = time.perf_counter()
        load.append(loaded - began)
        render.append(done - loaded)
        size = len(text.encode())
    shipped = []
    for _ in range(repeats):
        began = time.perf_counter()
        default_stub()
        shipped.append(time.perf_counter() - began)
    return [
        {
            "bench": "stubs",
            "catalog": f"{len(data):,} classes",
            "load_min_s": min(load),
            "load_median_s": statistics.median(load),
            "render_min_s": min(render),
            "render_median_s": statistics.median(render),
            "stub_bytes": size,
            "stub_lines": text.count("\n"),
        },
        {
            "bench": "stubs",
            "catalog": "shipped (bundled + packs)",
            "render_min_s": min(shipped),
            "render_median_s": statistics.median(shipped),
        },
    ]
