"""Fuzzing the readers of prompts: every mutated real prompt, as a dict or as the bytes of a file,
is read and used (checked, compiled, written, imported as a script, compared) with no exception
outside comfydsl's error tree.

``COMFYDSL_FUZZ_EXAMPLES`` sets the number of examples of each test (a few hundred by default).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from strategies import FUZZ_EXAMPLES, mutated_bytes, mutated_prompts

from comfydsl import compare, load_prompt, to_script
from comfydsl.catalog import bundled_catalog, load_catalog
from comfydsl.errors import ComfyDSLError

DATA = Path(__file__).parent / "data"
GOLDEN = Path(__file__).parent / "golden" / "expected"
FILES = sorted([*(DATA / "seeds").glob("*.api.json"), *GOLDEN.glob("*.api.json")])
assert FILES, "the fuzz tests need real prompts to mutate"
PROMPTS = [json.loads(path.read_text(encoding="utf-8")) for path in FILES]
TEXTS = [path.read_bytes() for path in FILES]
PACKS = bundled_catalog().merged(
    load_catalog(DATA / "reference" / "object_info-custom-packs-controlnet_aux-vhs.json")
)
FUZZ = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def use(source: Any) -> None:
    """Everything a user does with a prompt read from a file."""
    try:
        workflow = load_prompt(source, catalog=PACKS)
        workflow.check()
        workflow.check(PACKS)
        workflow.to_json(check=False)
        compile(to_script(workflow), "<imported>", "exec")  # comfydsl import
        assert compare(workflow, workflow).same  # comfydsl diff
        workflow.to_api(check=True)
    except ComfyDSLError:
        pass


@FUZZ
@given(mutated_prompts(PROMPTS))
def test_a_mutated_prompt_gives_a_comfydsl_error_or_works(prompt: Any) -> None:
    use(prompt)


@FUZZ
@given(mutated_bytes(TEXTS))
def test_a_mutated_prompt_file_gives_a_comfydsl_error_or_works(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "prompt.json"
        path.write_bytes(data)
        use(path)
