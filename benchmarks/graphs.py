"""Benchmarks of building and compiling graphs, of importing comfydsl.nodes, and of memory per node.

Issue 2, point 11. The yardstick is ``json.dumps`` of the compiled prompt: building the graph with
typed node calls (every input validated at the call) plus compiling it should take at most twice
as long as serialising the result (target at 10,000 nodes). A plain-dict builder in the manner of
ComfyUI's GraphBuilder (no types, no validation) is measured the same way as a baseline.

Two shapes, n nodes in all:

- chain: EmptyImage -> ImageInvert x (n - 2) -> SaveImage, a graph n deep (no recursion limit may
  be hit at 100,000);
- wide: one EmptyImage feeding (n - 1) // 2 ImageInvert -> SaveImage branches (plus one spare
  ImageInvert when n is even), a graph 3 deep.
"""

from __future__ import annotations

import gc
import json
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from functools import partial
from typing import Any

Prompt = dict[str, dict[str, Any]]


# -- the builders ----------------------------------------------------------------------------------


def build_chain(n: int) -> Any:
    """A comfydsl Workflow: EmptyImage, n - 2 ImageInverts in a row, SaveImage."""
    from comfydsl import Workflow
    from comfydsl.nodes import EmptyImage, ImageInvert, SaveImage

    with Workflow() as wf:
        image: Any = EmptyImage(width=64, height=64)
        for _ in range(n - 2):
            image = ImageInvert(image=image)
        SaveImage(images=image, filename_prefix="bench/chain")
    return wf


def build_wide(n: int) -> Any:
    """A comfydsl Workflow: one EmptyImage feeding (n - 1) // 2 ImageInvert -> SaveImage pairs."""
    from comfydsl import Workflow
    from comfydsl.nodes import EmptyImage, ImageInvert, SaveImage

    with Workflow() as wf:
        source = EmptyImage(width=64, height=64)
        for _ in range((n - 1) // 2):
            SaveImage(images=ImageInvert(image=source), filename_prefix="bench/wide")
        if (n - 1) % 2:
            ImageInvert(image=source)
    return wf


class DictGraph:
    """The baseline: an untyped builder of plain dicts, as ComfyUI's GraphBuilder does it.

    No catalog, no validation, no defaults: whatever is passed is what is sent.
    """

    def __init__(self) -> None:
        self.nodes: Prompt = {}

    def node(self, class_type: str, **inputs: Any) -> str:
        node_id = str(len(self.nodes) + 1)
        self.nodes[node_id] = {"inputs": inputs, "class_type": class_type}
        return node_id

    def to_prompt(self) -> Prompt:
        return {
            key: {"inputs": dict(node["inputs"]), "class_type": node["class_type"]}
            for key, node in self.nodes.items()
        }


def dict_chain(n: int) -> DictGraph:
    graph = DictGraph()
    image = graph.node("EmptyImage", width=64, height=64, batch_size=1, color=0)
    for _ in range(n - 2):
        image = graph.node("ImageInvert", image=[image, 0])
    graph.node("SaveImage", images=[image, 0], filename_prefix="bench/chain")
    return graph


def dict_wide(n: int) -> DictGraph:
    graph = DictGraph()
    source = graph.node("EmptyImage", width=64, height=64, batch_size=1, color=0)
    for _ in range((n - 1) // 2):
        inverted = graph.node("ImageInvert", image=[source, 0])
        graph.node("SaveImage", images=[inverted, 0], filename_prefix="bench/wide")
    if (n - 1) % 2:
        graph.node("ImageInvert", image=[source, 0])
    return graph


BUILDERS: dict[str, tuple[Callable[[int], Any], Callable[[int], DictGraph]]] = {
    "chain": (build_chain, dict_chain),
    "wide": (build_wide, dict_wide),
}


# -- timing ----------------------------------------------------------------------------------------


def _timed(action: Callable[[], Any], *, collector: bool = False) -> tuple[float, Any]:
    # As timeit does: collect first, and no collector passes inside the measurement (at 100,000
    # nodes they would dominate, and land on whichever step happens to cross the threshold).
    # With collector=True the collector runs as it would in a user's script.
    gc.collect()
    if not collector:
        gc.disable()
    try:
        start = time.perf_counter()
        result = action()
        return time.perf_counter() - start, result
    finally:
        gc.enable()


def time_build_compile(shape: str, n: int, repeats: int) -> list[dict[str, Any]]:
    """Rows for comfydsl and the dict baseline: best-of-`repeats` seconds and the ratio to dumps.

    A small graph is built first, untimed, so that node classes are made outside the measurement.
    """
    build, dict_build = BUILDERS[shape]
    build(3)
    best: dict[str, float] = {}

    def keep(name: str, seconds: float) -> None:
        best[name] = min(best.get(name, float("inf")), seconds)

    nodes = 0
    for _ in range(repeats):
        seconds, wf = _timed(partial(build, n))
        keep("build", seconds)
        seconds, prompt = _timed(wf.to_api)
        keep("compile", seconds)
        nodes = len(prompt)
        seconds, _ = _timed(partial(json.dumps, prompt))
        keep("dumps", seconds)
        del wf, prompt
        seconds, _ = _timed(lambda: partial(build, n)().to_api(), collector=True)
        keep("build_compile_gc", seconds)
        seconds, graph = _timed(partial(dict_build, n))
        keep("dict_build", seconds)
        seconds, plain = _timed(graph.to_prompt)
        keep("dict_compile", seconds)
        seconds, _ = _timed(partial(json.dumps, plain))
        keep("dict_dumps", seconds)
        del graph, plain
    comfydsl_total = best["build"] + best["compile"]
    baseline_total = best["dict_build"] + best["dict_compile"]
    return [
        {
            "bench": "build_compile",
            "builder": "comfydsl",
            "shape": shape,
            "nodes": nodes,
            "build_s": best["build"],
            "compile_s": best["compile"],
            "dumps_s": best["dumps"],
            "ratio_to_dumps": comfydsl_total / best["dumps"],
            "ratio_gc_on": best["build_compile_gc"] / best["dumps"],
        },
        {
            "bench": "build_compile",
            "builder": "plain dicts (GraphBuilder-like)",
            "shape": shape,
            "nodes": nodes,
            "build_s": best["dict_build"],
            "compile_s": best["dict_compile"],
            "dumps_s": best["dict_dumps"],
            "ratio_to_dumps": baseline_total / best["dict_dumps"],
            "ratio_gc_on": None,
        },
    ]


def memory_per_node(shape: str, n: int) -> dict[str, Any]:
    """Bytes per node (tracemalloc): kept by the built workflow; at the peak of build + compile."""
    build = BUILDERS[shape][0]
    build(2)  # node classes and catalog entries made outside the measurement
    gc.collect()
    tracemalloc.start()
    try:
        wf = build(n)
        kept, _ = tracemalloc.get_traced_memory()
        prompt = wf.to_api()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    nodes = len(prompt)
    return {
        "bench": "memory",
        "shape": shape,
        "nodes": nodes,
        "workflow_bytes_per_node": kept / nodes,
        "peak_bytes_per_node": peak / nodes,
    }


def check_unknown(n: int, classes: int = 50) -> dict[str, Any]:
    """Seconds of ``wf.check()`` on ``n`` nodes of ``classes`` different unknown classes, each an
    output node to the check (an unknown class may be one), each with its "did you mean"."""
    from comfydsl import Node, Workflow

    with Workflow() as wf:
        for i in range(n):
            Node(f"KSamplr{i % classes}", seed=i)
    seconds, errors = _timed(wf.check)
    assert len(errors) == n, len(errors)
    return {"bench": "check", "nodes": n, "classes": classes, "seconds": seconds}


IMPORT_PROBE = """
import time
start = time.perf_counter()
import comfydsl.nodes
comfydsl.nodes.ImageInvert  # one node class made: the bundled catalog really in use
print(time.perf_counter() - start)
"""

WHOLE_PROCESS = "import comfydsl.nodes; comfydsl.nodes.ImageInvert"


def _probe_env() -> dict[str, str]:
    # Bytecode caches must be written by the first run and read by the others, as in a user's
    # installation (pip compiles them at install time); with PYTHONDONTWRITEBYTECODE set (as it
    # is on some machines), every run would compile comfydsl from source.
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def import_time(runs: int) -> dict[str, Any]:
    """Seconds to ``import comfydsl.nodes`` and make one node class, in fresh interpreters.

    One run first, not counted, so that bytecode caches are written; then the median of `runs`,
    timed inside the process (the import alone). The whole process is timed too, against
    ``python -c pass``, the two taking turns: what comfydsl adds to interpreter start-up.
    """
    env = _probe_env()

    def once() -> float:
        out = subprocess.run(
            [sys.executable, "-c", IMPORT_PROBE],
            check=True,
            capture_output=True,
            text=True,
            env=env,
        ).stdout
        return float(out.strip().splitlines()[-1])

    def whole(code: str) -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, env=env)
        return time.perf_counter() - start

    once()
    times = [once() for _ in range(runs)]
    bare: list[float] = []
    loaded: list[float] = []
    for _ in range(runs):
        bare.append(whole("pass"))
        loaded.append(whole(WHOLE_PROCESS))
    return {
        "bench": "import",
        "runs": runs,
        "median_s": statistics.median(times),
        "min_s": min(times),
        "max_s": max(times),
        "process_bare_s": statistics.median(bare),
        "process_with_import_s": statistics.median(loaded),
        "process_added_s": statistics.median(loaded) - statistics.median(bare),
    }
