"""Benchmarks of writing workflows as scripts (``comfydsl import``) and comparing them (``diff``).

- scripts: every template of the corpus that converts with the bundled catalog (the editor's
  format read by ``load_workflow``; scripts/editor_setup.py installs the corpus) written as a
  script: ``to_script`` over them all, the workflows read beforehand (workflows in, texts out,
  the catalog loaded once); ``COMFYDSL_BENCH_PROMPTS`` names a folder of API-format prompts to
  write instead. Target: under 1 s.
- diff: ``compare`` of two 5,000-node workflows, read beforehand, in three cases: the same
  workflow under other ids and in another order (distinct pipelines), the same with three
  changes (a value, a link, a node added), and 1,666 identical branches off one loader under
  other ids (the symmetric case, where matching must pair copy with copy). Target: under 0.5 s.

As benchmarks/convert.py measures: the least CPU time of several runs (``time.process_time``),
pinned to one core where the system allows, the collector running; the least wall time beside
it. The machine is shared: CPU time is the figure the targets are judged on.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import random
import time
from pathlib import Path
from typing import Any

from convert import best_cpu_seconds, pin_to_one_core, template_paths

Prompt = dict[str, dict[str, Any]]

#: A folder of API-format prompts to write as scripts instead of the converted templates.
PROMPTS_ENV = "COMFYDSL_BENCH_PROMPTS"


class Unavailable(Exception):
    """What the benchmark needs is not here (the reason is the message)."""


def _measured(action: Any, repeats: int) -> dict[str, Any]:
    """The least CPU time (pinned to one core) and the least wall time of ``action``."""
    pinned, unpin = pin_to_one_core()
    try:
        cpu = best_cpu_seconds(action, repeats)
        wall = float("inf")
        for _ in range(repeats):
            start = time.perf_counter()
            action()
            wall = min(wall, time.perf_counter() - start)
    finally:
        unpin()
    return {"core": pinned, "cpu_s": cpu, "wall_s": wall}


# -- writing scripts ---------------------------------------------------------------------------------


def _corpus() -> tuple[str, list[Any]]:
    """(what the corpus is, its workflows) for the script benchmark."""
    from comfydsl import load_prompt, load_workflow
    from comfydsl.catalog import bundled_catalog
    from comfydsl.errors import ComfyDSLError

    folder = os.environ.get(PROMPTS_ENV)
    if folder:
        files = sorted(Path(folder).glob("*.json"))
        if not files:
            raise Unavailable(f"{PROMPTS_ENV}={folder} holds no .json file")
        workflows = [load_prompt(json.loads(f.read_text(encoding="utf-8"))) for f in files]
        return f"API-format prompts of {folder}", workflows
    paths = template_paths()
    catalog = bundled_catalog()
    workflows = []
    for path in paths:
        with contextlib.suppress(ComfyDSLError):  # refused: classes the catalog lacks
            workflows.append(load_workflow(path, catalog=catalog))
    return f"templates converted ({len(workflows)} of {len(paths)})", workflows


def bench_scripts(repeats: int) -> list[dict[str, Any]]:
    """``to_script`` over the whole corpus, the workflows read beforehand."""
    from comfydsl import to_script

    corpus, workflows = _corpus()
    return [
        {
            "bench": "scripts",
            "corpus": corpus,
            "workflows": len(workflows),
            "nodes": sum(len(w) for w in workflows),
            **_measured(lambda: [to_script(w) for w in workflows], repeats),
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
        rows.append(
            {
                "bench": "diff",
                "case": name,
                "nodes": f"{len(a):,} / {len(b):,}",
                "answer": diff.summary().split(" (")[0],
                **_measured(lambda first=first, second=second: compare(first, second), repeats),
            }
        )
    return rows
