"""Refused at the user's line where the server would take the prompt and then fail.

Output prefixes and input file names that lead out of the server's folders, constants that reach
a widget through a primitive node, pairs wrapped as ``{"__value__": [...]}`` that the server
would run as links; and the server's own check of LoadImage's file said in its words. Each is
shown to fail on a real server in tests/integration/test_server_fails.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comfydsl import Node, Workflow, load_prompt
from comfydsl.catalog import Catalog, bundled_catalog, use_catalog
from comfydsl.errors import BadLinkError, ChoiceError, LinkTypeError, PathError, ValueRangeError
from comfydsl.nodes import (
    EmptyImage,
    ImageCompositeMasked,
    LoadImage,
    PreviewAny,
    PreviewImage,
    PrimitiveFloat,
    PrimitiveInt,
    SaveImage,
)
from comfydsl.validation import files
from comfydsl.validation.files import file_name_problem, prefix_problem


@pytest.mark.parametrize(
    "prefix",
    ["../x", "/abs/x", "a/../../x", "%year%/../../x", "..\\x", "C:\\x", "sub\\..\\..\\x"],
)
def test_prefixes_that_leave_the_output_folder(prefix: str) -> None:
    assert prefix_problem(prefix) is not None
    with Workflow(), pytest.raises(PathError, match="output folder"):
        SaveImage(images=EmptyImage(width=8, height=8), filename_prefix=prefix)


@pytest.mark.parametrize(
    "prefix",
    ["ComfyUI", "", "sub/folder/name", "a/b/../c", "..", "sub/..", "%date:yyyy%/x", "a b/c"],
)
def test_prefixes_that_stay_inside(prefix: str) -> None:
    assert prefix_problem(prefix) is None
    with Workflow():
        SaveImage(images=EmptyImage(width=8, height=8), filename_prefix=prefix)


@pytest.mark.parametrize(
    "name", ["../x.png", "a/../../x.png", "..\\x.png", "", ".", "sub/..", "x.png/.. [output]"]
)
def test_file_names_that_leave_the_input_folder(name: str) -> None:
    assert file_name_problem(name) is not None
    with Workflow(), pytest.raises(PathError):
        LoadImage(image=name)


@pytest.mark.parametrize(
    "name",
    [
        "x.png",
        "sub/x.png",
        "x.png [output]",
        "a/../x.png",
        "ä b.png",
        "/srv/x.png",
        "C:\\x.png [input]",
    ],
)
def test_file_names_that_stay_inside(name: str) -> None:
    assert file_name_problem(name) is None
    with Workflow():
        LoadImage(image=name)


def server_catalog(files: list[str]) -> Catalog:
    """The bundled definitions as a server with ``files`` in its input folder lists them."""
    info = bundled_catalog().to_object_info()
    info["LoadImage"]["input"]["required"]["image"] = [files, {"image_upload": True}]
    return Catalog.from_object_info(info, source="a server", files_known=True)


@pytest.mark.parametrize(
    ("name", "refused"),
    [
        ("cat.png", False),
        ("cat.png [input]", False),
        ("sub/cat.png", False),  # the list holds the input folder's own files only
        ("cat.png [output]", False),
        ("Cat.png", True),
        ("dog.png", True),
    ],
)
def test_loadimage_files_are_checked_against_a_servers_list(name: str, refused: bool) -> None:
    catalog = server_catalog(["cat.png"])
    prompt = {
        "1": {"inputs": {"image": name}, "class_type": "LoadImage"},
        "2": {"inputs": {"images": ["1", 0]}, "class_type": "PreviewImage"},
    }
    expected = ["custom_validation_failed"] if refused else []
    assert expected == [e.type for e in load_prompt(prompt, catalog=catalog).check(catalog)]
    with use_catalog(catalog), Workflow():
        if refused:
            with pytest.raises(ChoiceError, match="Invalid image file") as caught:
                LoadImage(image=name)
            assert "custom_validation_failed" == caught.value.type
        else:
            LoadImage(image=name)


def test_a_loadimage_file_that_is_not_a_string_fails_the_nodes_own_check() -> None:
    catalog = server_catalog(["cat.png"])
    prompt = {
        "1": {"inputs": {"image": 5}, "class_type": "LoadImage"},
        "2": {"inputs": {"images": ["1", 0]}, "class_type": "PreviewImage"},
    }
    assert [("1", "exception_during_inner_validation")] == [
        (e.node_id, e.type) for e in load_prompt(prompt).check(catalog)
    ]


def test_a_path_to_upload_is_still_taken() -> None:
    with Workflow() as wf:
        LoadImage(image=Path("../photos/cat.png"))
    assert [("1", "image", Path("../photos/cat.png"))] == [
        (n.id, name, path) for n, name, path in wf.local_files()
    ]


def test_a_primitive_out_of_range_is_said_at_the_line_that_built_it() -> None:
    with Workflow():
        width = PrimitiveInt(value=100_000)  # the line of the mistake
        line = width.source.line if width.source is not None else -1
        with pytest.raises(ValueRangeError) as caught:
            EmptyImage(width=width, height=8)
    error = caught.value
    assert ("value_bigger_than_max", "EmptyImage", line) == (
        error.type,
        error.class_type,
        error.source.line if error.source is not None else None,
    )
    assert "PrimitiveInt#1" in str(error) and "does not check" in str(error)


def test_a_primitive_in_range_and_chains_of_primitives() -> None:
    with Workflow() as wf:
        width = PrimitiveInt(value=64)
        PreviewImage(
            images=EmptyImage(width=width, height=PrimitiveInt(value=PrimitiveInt(value=8)))
        )
    assert [] == wf.check()
    wf["2"].set(value=-1)  # the first of the chain, changed after it was linked
    assert [("4", "value_smaller_than_min", "height")] == [
        (e.node_id, e.type, e.input_name) for e in wf.check()
    ]


def test_a_primitive_float_feeding_an_int_is_a_type_mismatch() -> None:
    with Workflow(), pytest.raises(LinkTypeError, match="mismatch"):
        EmptyImage(width=PrimitiveFloat(value=8.0), height=8)


def test_null_in_an_optional_link_input_means_not_given() -> None:
    with Workflow() as wf:
        image = EmptyImage(width=8, height=8)
        PreviewImage(images=ImageCompositeMasked(destination=image, source=image, mask=None))
    assert [] == wf.check()
    assert wf.to_api()["2"]["inputs"]["mask"] is None


def test_a_wrapped_pair_in_an_any_input_is_a_link_in_disguise() -> None:
    with Workflow(), pytest.raises(BadLinkError, match="unwraps"):
        PreviewAny(source={"__value__": ["99", 0]})
    with Workflow():
        PreviewAny(source={"__value__": ["a", "b"]})  # not a link: taken
    with Workflow(), pytest.raises(BadLinkError):
        Node("PreviewAny", source={"__value__": ["1", 0]})


#: Paths made of what matters to their parsing, with a letter and a digit among them.
PATH_PIECES = st.lists(
    st.sampled_from(["/", "\\", ".", "..", ":", "a", "C:", "%year%", "0", " [input]", "~"]),
    max_size=8,
).map("".join)


@given(PATH_PIECES)
def test_the_quick_look_at_a_path_agrees_with_parsing_it(path: str) -> None:
    # Most names skip the parsing of POSIX and Windows paths: never with another answer.
    assert files._parsed_prefix_problem(path) == prefix_problem(path)
    plain, folder = files.split_folder(path)
    assert files._parsed_file_name_problem(plain, folder) == file_name_problem(path)
