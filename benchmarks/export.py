"""Benchmark of export to the editor's format: a 5,000-node workflow, laid out and written.

Issue 11, point 5: export and layout of a 5,000-node workflow in under 2 s. Timed: ``export_ui``
(widget values, sockets, links, sizes and the layout) and ``dumps_ui`` of its result (one node
a line), the whole of what ``comfydsl export`` does after the script has run. Three shapes of 5,000 nodes:

- pipelines: one checkpoint loader feeding 714 txt2img pipelines (two prompts, an empty latent,
  a sampler, a decode, a save: 7 nodes each with the loader's share), every node with widgets;
- chain: EmptyImage -> 4,998 ImageInverts -> SaveImage (5,000 columns: the layout must wrap);
- wide: one EmptyImage feeding 2,499 ImageInvert -> SaveImage branches (a column of 2,499 nodes).

Also reported: the size of the file as written and on one line, and the extent of the layout.
"""

from __future__ import annotations

import gc
import json
import statistics
import time
from typing import Any

NODES = 5_000


def build_pipelines(n: int) -> Any:
    """One loader and as many 7-node txt2img pipelines as fit in ``n`` nodes (the rest: inverts)."""
    from comfydsl import Workflow
    from comfydsl.nodes import (
        CheckpointLoaderSimple,
        CLIPTextEncode,
        EmptyImage,
        EmptyLatentImage,
        ImageInvert,
        KSampler,
        SaveImage,
        VAEDecode,
    )

    with Workflow() as wf:
        ckpt = CheckpointLoaderSimple(ckpt_name="model.safetensors")
        made = 1
        index = 0
        while made + 7 <= n:
            positive = CLIPTextEncode(text=f"a lighthouse, take {index}", clip=ckpt.CLIP)
            negative = CLIPTextEncode(text="blurry", clip=ckpt.CLIP)
            latent = EmptyLatentImage(width=512, height=512)
            samples = KSampler(
                model=ckpt.MODEL,
                positive=positive,
                negative=negative,
                latent_image=latent,
                seed=index,
                steps=20,
            )
            image = VAEDecode(samples=samples, vae=ckpt.VAE)
            SaveImage(images=ImageInvert(image=image), filename_prefix=f"bench/{index}")
            made += 7
            index += 1
        source = EmptyImage(width=8, height=8)
        made += 1
        while made < n:
            ImageInvert(image=source)
            made += 1
    return wf


def _builders() -> dict[str, Any]:
    import graphs

    return {"pipelines": build_pipelines, "chain": graphs.build_chain, "wide": graphs.build_wide}


def time_export(shape: str, n: int = NODES, repeats: int = 5) -> dict[str, Any]:
    """Seconds to export a workflow of ``shape`` and write its JSON (median and best of repeats)."""
    from comfydsl.formats.api_to_ui import dumps_ui, export_ui

    workflow = _builders()[shape](n)
    assert len(workflow) == n, (shape, len(workflow))
    export_ui(workflow)  # imports (igraph) and per-class caches, as after a first export
    times = []
    text = ""
    ui: dict[str, Any] = {}
    for _ in range(repeats):
        gc.collect()
        began = time.perf_counter()
        ui = export_ui(workflow).workflow
        text = dumps_ui(ui)
        times.append(time.perf_counter() - began)
    compact = json.dumps(ui, ensure_ascii=False, separators=(",", ":"))
    right = max(node["pos"][0] + node["size"][0] for node in ui["nodes"])
    bottom = max(node["pos"][1] + node["size"][1] for node in ui["nodes"])
    return {
        "bench": "export",
        "shape": shape,
        "nodes": n,
        "links": len(ui["links"]),
        "median_s": statistics.median(times),
        "best_s": min(times),
        "file_kb": len(text.encode()) / 1024,
        "one_line_kb": len(compact.encode()) / 1024,
        "extent_px": f"{right:,.0f} x {bottom:,.0f}",
    }
