"""Parameter sweeps (comfydsl.sweep): the --sweep forms, rows files, every combination or the
values side by side, names that say the values and never collide, and a function that builds a
workflow for each combination.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import strategies as sts
from hypothesis import given
from hypothesis import strategies as st

from comfydsl import Workflow
from comfydsl.errors import NodeError
from comfydsl.nodes import EmptyImage, ImageInvert, SaveImage
from comfydsl.sweep import (
    MAX_COMBINATIONS,
    Combination,
    Sweep,
    SweepError,
    axis,
    combination_name,
    combine,
    grid,
    load_rows,
    parse_axis,
    rows,
    zipped,
)


def values(text: str) -> list[Any]:
    found = parse_axis(text)
    assert 1 == len(found.names), found.names
    return [point[found.names[0]] for point in found.points]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("seed=1..4", [1, 2, 3, 4]),
        ("seed=3..1", [3, 2, 1]),
        ("seed=-2..2:2", [-2, 0, 2]),
        ("cfg=4..5:0.25", [4.0, 4.25, 4.5, 4.75, 5.0]),
        ("x=0.1..0.3:0.1", [0.1, 0.2, 0.3]),
        ("x=1..2.5:0.5", [1.0, 1.5, 2.0, 2.5]),
        ("x=0..1:0.3", [0.0, 0.3, 0.6, 0.9]),
        ("cfg=5,7", [5, 7]),
        ("cfg=5, 7.5 ,true", [5, 7.5, True]),
        ("p=a cat,a dog", ["a cat", "a dog"]),
        ('p=["a, cat", "b"]', ["a, cat", "b"]),
        ('p=["a", 1]', ["a", 1]),
        ("s:str=1..3", ["1", "2", "3"]),
        ("f:float=1,2", [1.0, 2.0]),
        ("one=5", [5]),
        ("p=[x", ["[x"]),
        ("p:str=../x", ["../x"]),
        ("p=a..b,c", ["a..b", "c"]),
    ],
)
def test_sweep_options_give_their_values(text: str, expected: list[Any]) -> None:
    found = values(text)
    assert expected == found
    assert [type(v) for v in expected] == [type(v) for v in found]


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("seed", "NAME=VALUE"),
        ("1x=1..2", "NAME=VALUE"),
        ("seed=1..8:0", "step cannot be 0"),
        ("seed=1..8:-1", "never goes from 1 to 8"),
        ("seed=1,,2", "an empty value"),
        ("seed=", "an empty value"),
        ("seed:int=a,b", "not an integer"),
        ("seed=0..10000000", "at most"),
        ("seed:list=1", "unknown type"),
        ("seed=1..x", "not a range"),
        ("seed=1...3", "not a range"),
    ],
)
def test_a_bad_sweep_option_says_why(text: str, said: str) -> None:
    with pytest.raises(SweepError, match=re.escape(said)) as caught:
        parse_axis(text)
    assert text == caught.value.source


def test_values_and_rows_come_from_files(tmp_path: Path) -> None:
    (tmp_path / "prompts.txt").write_text("a cat\n\n42\nb\n", encoding="utf-8")
    (tmp_path / "list.json").write_text('["x", 1.5]', encoding="utf-8")
    (tmp_path / "rows.csv").write_text('seed,prompt\n1,a cat\n2,"b, c"\n', encoding="utf-8")
    (tmp_path / "rows.json").write_text('[{"seed": 1, "p": [1]}, {"seed": 2, "p": []}]', "utf-8")
    (tmp_path / "rows.jsonl").write_text('{"seed": 1}\n\n{"seed": 2}\n', encoding="utf-8")
    (tmp_path / "rows.toml").write_text("[[rows]]\nseed = 1\n[[rows]]\nseed = 2\n", "utf-8")
    assert ["a cat", 42, "b"] == values(f"p=@{tmp_path / 'prompts.txt'}")
    assert ["x", 1.5] == values(f"p=@{tmp_path / 'list.json'}")
    assert [{"seed": 1, "prompt": "a cat"}, {"seed": 2, "prompt": "b, c"}] == parse_axis(
        f"@{tmp_path / 'rows.csv'}"
    ).points
    assert [{"seed": 1, "p": [1]}, {"seed": 2, "p": []}] == load_rows(tmp_path / "rows.json").points
    for name in ("rows.jsonl", "rows.toml"):
        assert [{"seed": 1}, {"seed": 2}] == load_rows(tmp_path / name).points


@pytest.mark.parametrize(
    ("name", "content", "said"),
    [
        ("r.csv", "", "no header row"),
        ("r.csv", "a,b\n1\n", "line 2 has 1 cells"),
        ("r.csv", "a b,c\n1,2\n", "not a parameter name"),
        ("r.json", '{"a": 1}', "a JSON list of objects"),
        ("r.json", "[1, 2]", "row 1 is not an object"),
        ("r.json", '[{"a": 1}, {"b": 1}]', "row 2 sets b; the first sets a"),
        ("r.json", "[]", "no values"),
        ("r.jsonl", "{", "not JSON"),
        ("r.toml", "x = 1", "named rows"),
        ("r.yaml", "", ".csv, .json, .jsonl or .toml"),
        ("missing.csv", None, "cannot read the file"),
    ],
)
def test_a_bad_rows_file_is_an_error_naming_it(
    tmp_path: Path, name: str, content: str | None, said: str
) -> None:
    if content is not None:
        (tmp_path / name).write_text(content, encoding="utf-8")
    with pytest.raises(SweepError, match=re.escape(said)) as caught:
        load_rows(tmp_path / name)
    assert str(tmp_path / name) == caught.value.source


# -- combinations -----------------------------------------------------------------------------------


def test_every_combination_the_first_axis_slowest() -> None:
    found = combine([parse_axis("seed=1..2"), parse_axis("cfg=5,7")])
    assert [
        {"seed": 1, "cfg": 5},
        {"seed": 1, "cfg": 7},
        {"seed": 2, "cfg": 5},
        {"seed": 2, "cfg": 7},
    ] == [c.params for c in found]
    assert ["seed=1,cfg=5", "seed=1,cfg=7", "seed=2,cfg=5", "seed=2,cfg=7"] == [
        c.name for c in found
    ]
    assert [0, 1, 2, 3] == [c.index for c in found]


def test_zipped_axes_go_side_by_side() -> None:
    assert ["seed=1,cfg=5", "seed=2,cfg=7"] == [c.name for c in zipped(seed=[1, 2], cfg=[5, 7])]
    with pytest.raises(SweepError, match="as many values each: seed has 2, cfg has 3"):
        zipped(seed=[1, 2], cfg=[5, 6, 7])


def test_rows_combine_with_other_axes() -> None:
    found = combine([rows([{"w": 8, "h": 16}, {"w": 16, "h": 8}]), axis("seed", [1, 2])])
    assert ["w=8,h=16,seed=1", "w=8,h=16,seed=2", "w=16,h=8,seed=1", "w=16,h=8,seed=2"] == [
        c.name for c in found
    ]


def test_combinations_that_cannot_be_are_errors() -> None:
    with pytest.raises(SweepError, match="'seed' is swept twice"):
        combine([parse_axis("seed=1,2"), parse_axis("seed=3")])
    with pytest.raises(SweepError, match="combinations 1 and 3 are the same"):
        combine([parse_axis("seed=1,2,1")])
    with pytest.raises(SweepError, match=f"at most {MAX_COMBINATIONS:,}"):
        combine([axis("a", range(1001)), axis("b", range(1001))])
    assert [{}] == [c.params for c in combine([])]


def test_a_name_says_its_values_when_it_can() -> None:
    assert "seed=1,cfg=7.5,hires=true,lora=null,sampler=dpmpp_2m" == combination_name(
        {"seed": 1, "cfg": 7.5, "hires": True, "lora": None, "sampler": "dpmpp_2m"}
    )
    for params in (
        {"p": "a cat"},
        {"p": "Cat"},
        {"p": "1"},
        {"p": [1, 2]},
        {"p": "x."},
        {"p": "a/b"},
    ):
        name = combination_name(params)
        assert re.fullmatch(r"p=[^,=~/]*~[0-9a-f]{12}", name), name
    long = combination_name({"prompt": "a" * 200})
    assert len(long) <= 120 and long.startswith("prompt=a")


@given(st.dictionaries(sts.identifiers, sts.sweep_values(), min_size=1, max_size=4), st.data())
def test_names_are_distinct_safe_file_names(params: dict[str, Any], data: st.DataObject) -> None:
    other = data.draw(st.dictionaries(st.sampled_from(sorted(params)), sts.sweep_values()))
    changed = {**params, **other}
    name, other_name = combination_name(params), combination_name(changed)
    assert (name == other_name) == (json.dumps(params) == json.dumps(changed)), (name, other_name)
    for each in (name, other_name):
        assert len(each.encode()) <= 120 and "/" not in each and "\\" not in each, each
        assert each[0] not in ".-" and not each.endswith((".", " ")) and "\x00" not in each
        assert each.isprintable() and each == each.strip()


# -- a function that builds a workflow for each combination -------------------------------------------


def invert(color: int, size: int = 8) -> None:
    SaveImage(images=ImageInvert(image=EmptyImage(width=size, height=size, color=color)))


def test_a_sweep_builds_one_workflow_per_combination(tmp_path: Path) -> None:
    sweep = Sweep(invert, grid(color=[1, 2], size=[8, 16]))
    jobs = list(sweep)
    assert ["color=1,size=8", "color=1,size=16", "color=2,size=8", "color=2,size=16"] == [
        j.name for j in jobs
    ]
    assert [(1, 8), (1, 16), (2, 8), (2, 16)] == [
        (j.prompt()["1"]["inputs"]["color"], j.prompt()["1"]["inputs"]["width"]) for j in jobs
    ]
    written = sweep.compile(tmp_path / "prompts")
    assert [tmp_path / "prompts" / f"{j.name}.json" for j in jobs] == written
    assert jobs[3].prompt() == json.loads(written[3].read_text(encoding="utf-8"))


def test_a_build_function_may_return_a_workflow_or_a_prompt() -> None:
    def made(color: int) -> Workflow:
        with Workflow() as wf:
            invert(color)
        return wf

    def prompt(color: int) -> dict[str, Any]:
        return {
            "1": {"inputs": {"width": 8, "height": 8, "color": color}, "class_type": "EmptyImage"}
        }

    assert 3 == len(Sweep(made, [{"color": 1}]).workflow({"color": 1}))
    assert 5 == next(iter(Sweep(prompt, [{"color": 5}]))).prompt()["1"]["inputs"]["color"]


def test_a_failed_build_names_its_combination() -> None:
    sweep = Sweep(invert, grid(color=[1], size=[0]))
    with pytest.raises(SweepError, match=r"^color=1,size=0: .*width") as caught:
        list(sweep)
    assert isinstance(caught.value.__cause__, NodeError)
    assert "color=1,size=0" == caught.value.combination
    with pytest.raises(SweepError, match="returned int"):
        Sweep(lambda color: 5, [{"color": 1}]).workflow({"color": 1})
    with pytest.raises(SweepError, match="KeyError: 'x'"):
        Sweep(lambda color: {}["x"], [{"color": 1}]).workflow({"color": 1})
    with pytest.raises(SweepError, match="comes twice"):
        Sweep(invert, [{"color": 1}, Combination({"color": 1}, 5)])
