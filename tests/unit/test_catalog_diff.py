"""comfydsl.catalog.diff and ``comfydsl catalog diff``: each kind of change, reported once."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from comfydsl.catalog import Catalog
from comfydsl.catalog.diff import diff_catalogs
from comfydsl.cli import main

BASE: dict[str, Any] = {
    "Kept": {"input": {"required": {"x": ["INT", {"default": 1}]}}, "output": ["IMAGE"]},
    "Gone": {"input": {}, "output": []},
    "Node": {
        "input": {
            "required": {
                "steps": ["INT", {"default": 20, "min": 1, "max": 100}],
                "sampler": [["euler", "heun"], {}],
                "model": ["MODEL"],
                "old_input": ["FLOAT", {}],
            },
            "optional": {"mask": ["MASK"]},
        },
        "output": ["LATENT", "IMAGE"],
        "output_name": ["LATENT", "preview"],
    },
}


def changed() -> dict[str, Any]:
    new = copy.deepcopy(BASE)
    del new["Gone"]
    new["Added"] = {"input": {}, "output": []}
    node = new["Node"]
    required = node["input"]["required"]
    required["steps"] = ["INT", {"default": 25, "min": 1, "max": 50}]
    required["sampler"] = [["euler", "dpmpp"], {}]
    required["model"] = ["CLIP"]
    del required["old_input"]
    required["new_input"] = ["STRING", {}]
    node["input"]["optional"] = {}
    required["mask"] = ["MASK"]
    node["output"] = ["LATENT"]
    return new


def test_every_kind_of_change_is_listed() -> None:
    diff = diff_catalogs(Catalog(BASE, source="old"), Catalog(changed(), source="new"))
    assert (("Added",), ("Gone",)) == (diff.added, diff.removed)
    assert ["Node"] == [c.class_type for c in diff.changed], "Kept is the same"
    described = [change.describe() for change in diff.changed[0].changes]
    assert [
        "input 'old_input': removed (required FLOAT)",
        "input 'steps': default 20 → 25",
        "input 'steps': max 100 → 50",
        "input 'sampler': choices added ['dpmpp']; choices removed ['heun']",
        "input 'model': type 'MODEL' → 'CLIP'",
        "input 'new_input': added (required STRING)",
        "input 'mask': section 'optional' → 'required'",
        "output 1: removed (IMAGE 'preview')",
    ] == described
    assert diff.summary().startswith("1 added, 1 removed, 1 changed (3 → 3 classes)")
    assert "~ Node" in diff.lines() and "+ Added" in diff.lines() and "- Gone" in diff.lines()


def test_lists_one_side_does_not_know_are_no_change() -> None:
    known = {"L": {"input": {"required": {"ckpt": [["a.safetensors"], {}]}}, "output": []}}
    unknown = {"L": {"input": {"required": {"ckpt": [[], {}]}}, "output": []}}
    drift = diff_catalogs(
        Catalog(unknown, source="bundled", files_known=False), Catalog(known, source="server")
    )
    assert not drift


def test_the_command_checks_a_script_against_the_change(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(json.dumps(BASE), encoding="utf-8")
    new.write_text(json.dumps(changed()), encoding="utf-8")
    script = tmp_path / "script.py"
    script.write_text(
        "from comfydsl import Node\n"
        "from comfydsl.nodes import CheckpointLoaderSimple, Node as N, PreviewImage\n"
        "model = CheckpointLoaderSimple(ckpt_name='x.safetensors')\n"
        "n = N(steps=80, sampler='heun', model=model.MODEL, old_input=1.0)\n"
        "PreviewImage(images=n[1])\n",
        encoding="utf-8",
    )
    assert 1 == main(["catalog", "diff", str(old), str(new), "--check", str(script)])
    out, err = capsys.readouterr()
    assert err.startswith("error: the change breaks"), err
    broken = out.split("that work with OLD and not with NEW:\n", 1)[1]
    for line, what in ((4, "steps"), (4, "sampler"), (4, "model"), (5, "images")):
        assert f"{script}:{line}:" in broken and what in broken, (what, broken)
    assert f"{script}:3:" not in broken, "a class of neither catalog is no concern"
    assert 0 == main(["catalog", "diff", str(old), str(old), "--check", str(script), "--json"])
    report = json.loads(capsys.readouterr().out)
    assert {str(script): []} == report["broken"] and [] == report["added"]
