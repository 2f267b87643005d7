"""Benchmarks of writing workflows as scripts (``comfydsl import``) and comparing them (``diff``).

- scripts: every workflow of a corpus written as a script (``to_script``): workflows in (read
  beforehand), texts out, the catalog loaded once. The corpus is the official templates
  converted to prompts once the editor's format can be read (``comfydsl.formats.load_workflow``),
  or the API-format prompts of the folder ``COMFYDSL_BENCH_PROMPTS`` names. Target: the 644
  templates in under 1 s.
- diff: ``compare`` of two 5,000-node workflows, read beforehand, in three cases: the same
  workflow under other ids and in another order (distinct pipelines), the same with three
  changes (a value, a link, a node added), and 1,666 identical branches off one loader under
  other ids (the symmetric case, where matching must pair copy with copy). Target: under 0.5 s.

Times are of one process on a shared machine: the median and minimum wall time of several runs,
and the median CPU time of the process; the targets are judged on the minimum (the run least
disturbed by other work).
"""

from __future__ import annotations

import copy
import gc
import json
import os
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

Prompt = dict[str, dict[str, Any]]

#: Where the template corpus is installed (the editor tests' setup installs it there).
CORPUS_ENV = "COMFYDSL_CORPUS_DIR"
#: A folder of API-format prompts to write as scripts instead of the converted templates.
PROMPTS_ENV = "COMFYDSL_BENCH_PROMPTS"


class Unavailable(Exception):
    """What the benchmark needs is not here (the reason is the message)."""


def _timed(action: Callable[[], Any], repeats: int) -> dict[str, float]:
    """The median and minimum wall time of ``action`` over ``repeats`` runs, and the median of
    the process's CPU time (less disturbed by other work on a shared machine)."""
    walls, cpus = [], []
    for _ in range(repeats):
        gc.collect()
        start, cpu = time.perf_counter(), time.process_time()
        action()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return {
        "median_s": statistics.median(walls),
        "min_s": min(walls),
        "cpu_median_s": statistics.median(cpus),
    }


# -- writing scripts ---------------------------------------------------------------------------------


def _corpus_prompts() -> tuple[str, list[Any]]:
    """(what the corpus is, its workflows) for the script benchmark."""
    from comfydsl import load_prompt

    folder = os.environ.get(PROMPTS_ENV)
    if folder:
        files = sorted(Path(folder).glob("*.json"))
        if not files:
            raise Unavailable(f"{PROMPTS_ENV}={folder} holds no .json file")
        workflows = [load_prompt(json.loads(f.read_text(encoding="utf-8"))) for f in files]
        return f"API-format prompts of {folder}", workflows
    try:
        from comfydsl.formats import load_workflow  # type: ignore[attr-defined]
    except ImportError:
        raise Unavailable(
            "the editor's format cannot be read yet (comfydsl.formats.load_workflow); "
            f"set {PROMPTS_ENV} to a folder of converted prompts"
        ) from None
    root = os.environ.get(CORPUS_ENV) or str(
        Path.home() / ".cache" / "comfydsl" / "corpus-templates-0.1.123-blueprints-0.0.13"
    )
    files = [
        f
        for f in sorted((Path(root) / "templates").glob("*.json"))
        if not f.name.startswith("index") and f.name != "fuse_options.json"
    ]
    if not files:
        raise Unavailable(f"no template corpus at {root} (scripts/test.sh installs it)")
    workflows = []
    for f in files:
        try:
            workflows.append(load_workflow(f))
        except Exception:  # a template with classes the catalog lacks: reported by its tests
            continue
    return f"official templates converted ({len(workflows)} of {len(files)})", workflows


def bench_scripts(repeats: int) -> list[dict[str, Any]]:
    """``to_script`` over the whole corpus, the workflows read beforehand."""
    from comfydsl import to_script

    corpus, workflows = _corpus_prompts()
    for workflow in workflows:  # once: the catalog's plans and the template, made on first use
        to_script(workflow)
    times = _timed(lambda: [to_script(w) for w in workflows], repeats)
    return [
        {
            "bench": "scripts",
            "corpus": corpus,
            "workflows": len(workflows),
            "nodes": sum(len(w) for w in workflows),
            **times,
        }
    ]


# -- comparing ---------------------------------------------------------------------------------------


def pipelines(count: int, seed: int = 0) -> Prompt:
    """``count`` txt2img pipelines of 7 nodes, each with its own model, prompt and seed."""
    rng = random.Random(seed)
    prompt: Prompt = {}
    for i in range(count):
        base = 7 * i
        ids = [str(base + k) for k in range(1, 8)]
        ckpt, pos, neg, latent, sampler, decode, save = ids
        prompt[ckpt] = _node("CheckpointLoaderSimple", ckpt_name=f"model_{i % 13}.safetensors")
        prompt[pos] = _node("CLIPTextEncode", text=f"a picture {rng.random()}", clip=[ckpt, 1])
        prompt[neg] = _node("CLIPTextEncode", text="blurry", clip=[ckpt, 1])
        prompt[latent] = _node("EmptyLatentImage", width=512, height=512, batch_size=1)
        prompt[sampler] = _node(
            "KSampler",
            seed=rng.randrange(2**48),
            steps=20,
            cfg=7.5,
            sampler_name="euler",
            scheduler="normal",
            denoise=1,
            model=[ckpt, 0],
            positive=[pos, 0],
            negative=[neg, 0],
            latent_image=[latent, 0],
        )
        prompt[decode] = _node("VAEDecode", samples=[sampler, 0], vae=[ckpt, 2])
        prompt[save] = _node("SaveImage", images=[decode, 0], filename_prefix=f"run{i}")
    return prompt


def branches(count: int) -> Prompt:
    """One image loader feeding ``count`` identical three-node branches: every branch alike."""
    prompt: Prompt = {"1": _node("LoadImage", image="photo.png")}
    for i in range(count):
        a, b, c = (str(2 + 3 * i + k) for k in range(3))
        prompt[a] = _node("ImageInvert", image=["1", 0])
        prompt[b] = _node("ImageBlur", image=[a, 0], blur_radius=3, sigma=1.0)
        prompt[c] = _node("SaveImage", images=[b, 0], filename_prefix="branch")
    return prompt


def _node(class_type: str, **inputs: Any) -> dict[str, Any]:
    return {"inputs": inputs, "class_type": class_type}


def renamed(prompt: Prompt, seed: int = 1) -> Prompt:
    """The prompt under other ids, its nodes shuffled."""
    rng = random.Random(seed)
    ids = list(prompt)
    fresh = [f"n{i}" for i in range(len(ids))]
    rng.shuffle(fresh)
    renaming = dict(zip(ids, fresh, strict=True))
    order = ids[:]
    rng.shuffle(order)
    result: Prompt = {}
    for node_id in order:
        entry = copy.deepcopy(prompt[node_id])
        for name, value in entry["inputs"].items():
            if isinstance(value, list):
                entry["inputs"][name] = [renaming[value[0]], value[1]]
        result[renaming[node_id]] = entry
    return result


def changed(prompt: Prompt) -> Prompt:
    """Three changes: a sampler's seed, a decoder's link to another model's VAE, a preview."""
    result = copy.deepcopy(prompt)
    result["5"]["inputs"]["seed"] = 1
    result["13"]["inputs"]["vae"] = ["1", 2]
    result["extra"] = _node("PreviewImage", images=["6", 0])
    return result


def bench_diff(repeats: int, nodes: int = 5_000) -> list[dict[str, Any]]:
    """``compare`` of two ``nodes``-node workflows, read beforehand, in the three cases."""
    from comfydsl import compare, load_prompt

    distinct = pipelines(nodes // 7)
    shared = branches((nodes - 1) // 3)
    cases = [
        ("same, other ids", distinct, renamed(distinct)),
        ("three changes", distinct, renamed(changed(distinct))),
        ("identical branches, other ids", shared, renamed(shared)),
    ]
    rows = []
    for name, a, b in cases:
        first, second = load_prompt(a), load_prompt(b)
        diff = compare(first, second)
        times = _timed(lambda first=first, second=second: compare(first, second), repeats)
        rows.append(
            {
                "bench": "diff",
                "case": name,
                "nodes": f"{len(a):,} / {len(b):,}",
                "answer": diff.summary().split(" (")[0],
                **times,
            }
        )
    return rows
