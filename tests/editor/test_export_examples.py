"""``comfydsl export`` of the examples and the seed prompts (with the bundled node packs, which
the seeds use), opened in the real editor.

For each: the editor opens the file without a complaint, queues exactly the prompt that
``comfydsl compile`` gives (but for what the export reported it cannot hold, each checked to be
exactly what the editor then does), reads back the widget values and links the file holds, draws
each node at the size and place the file gives, no two nodes overlapping, data flowing left to
right; and a screenshot of it is kept in tests/artifacts/editor/ (not in git) for people to look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from export_checks import (
    complaints,
    differences,
    disagreements,
    expected_after,
    overlaps,
    without_meta,
)
from export_harness import ExportOracle

from comfydsl.build import Workflow
from comfydsl.catalog import use_packs
from comfydsl.cli.script import load_script_workflow
from comfydsl.formats.api_to_ui import UIExport, export_ui

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts" / "editor"
PACKS = str(
    ROOT / "tests" / "data" / "reference" / "object_info-custom-packs-controlnet_aux-vhs.json"
)
#: What the editor cannot queue as the prompt has it, per case: (node id, input, kind). The seeds
#: were sent by an older editor, which also sent its upload button as an input; and their
#: preprocessors' optional resolution, which they left out, the editor sends at its default.
SEED_SDXL_LOSSES = {
    ("3", "choose file to upload", "dropped"),
    ("4", "choose file to upload", "dropped"),
    ("11", "resolution", "added"),
    ("12", "resolution", "added"),
    ("14", "resolution", "added"),
}
SEED_SVD_LOSSES = {("2", "upload", "dropped")}
#: The seed prompts as they were sent (other ids); CLIPVisionEncode has since gained a required
#: crop, which a script gets at its default and the prompt lacks.
SEED_SDXL_PROMPT_LOSSES = {
    ("13", "crop", "added"),
    ("36", "crop", "added"),
    ("34", "choose file to upload", "dropped"),
    ("38", "choose file to upload", "dropped"),
    ("43", "resolution", "added"),
    ("44", "resolution", "added"),
    ("47", "resolution", "added"),
}
SEED_SVD_PROMPT_LOSSES = {("23", "upload", "dropped")}
#: (name, file, expected losses); each is read with the bundled node packs in force.
CASES = [
    ("txt2img", "examples/txt2img.py", set()),
    ("invert", "examples/invert.py", set()),
    ("sdxl_unclip_controlnet", "examples/sdxl_unclip_controlnet.py", SEED_SDXL_LOSSES),
    ("svd_img2vid", "examples/svd_img2vid.py", SEED_SVD_LOSSES),
    ("seed-sdxl", "tests/data/seeds/sdxl_unclip_controlnet.api.json", SEED_SDXL_PROMPT_LOSSES),
    ("seed-svd", "tests/data/seeds/svd_img2vid.api.json", SEED_SVD_PROMPT_LOSSES),
]


def export_of(file: str) -> tuple[Workflow, UIExport]:
    """The workflow of a script or prompt file, with the bundled packs, and its export."""
    with use_packs("all"):
        workflow = load_script_workflow(ROOT / file)
    return workflow, export_ui(workflow, source=file)


@pytest.mark.parametrize(("name", "file", "losses"), CASES, ids=[c[0] for c in CASES])
def test_the_editor_queues_the_exported_prompt(
    name: str, file: str, losses: set[tuple[str, str, str]], export_oracle: ExportOracle
) -> None:
    workflow, exported = export_of(file)
    assert losses == {(loss.node_id, loss.input, loss.kind) for loss in exported.lost}
    answer = export_oracle.opened(exported.workflow)
    assert [] == complaints(answer)
    expected = expected_after(workflow.to_api(check=False), exported.lost)
    actual = without_meta(answer["prompt"])
    assert expected == actual, f"{name}: the editor queues another prompt:\n" + differences(
        expected, actual
    )
    assert [] == disagreements(exported.workflow, answer["workflow"])


@pytest.mark.parametrize(("name", "file", "losses"), CASES, ids=[c[0] for c in CASES])
def test_the_editor_draws_the_layout(
    name: str, file: str, losses: set[tuple[str, str, str]], export_oracle: ExportOracle
) -> None:
    """In the editor's own coordinates after the load: every node where the file puts it, as
    big as the file says (the editor grew none), none overlapping another, links left to right.
    The screenshot goes to tests/artifacts/editor/NAME.png."""
    _workflow, exported = export_of(file)
    answer = export_oracle.opened(exported.workflow)
    export_oracle.picture(exported.workflow, ARTIFACTS / f"{name}.png")
    ours = {str(n["id"]): n for n in exported.workflow["nodes"]}
    drawn = {n["id"]: n for n in answer["nodes"]}
    assert sorted(ours) == sorted(drawn)
    for node_id, node in drawn.items():
        assert (node_id, ours[node_id]["pos"], ours[node_id]["size"]) == (
            node_id,
            node["pos"],
            node["size"],
        )
    assert [] == overlaps(answer["nodes"])
    for _link, origin, _slot, target, _target_slot, _type in exported.workflow["links"]:
        source, reader = drawn[str(origin)], drawn[str(target)]
        assert source["pos"][0] + source["size"][0] < reader["pos"][0], (origin, target)
