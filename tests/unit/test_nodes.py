"""Node calls, outputs, ids and titles, untyped nodes, extra inputs and the current workflow (points 1-3)."""

from __future__ import annotations

import asyncio
import contextvars
import sys
import threading
from collections.abc import Iterator
from contextlib import nullcontext
from typing import Any

import pytest

from comfydsl import Node, Output, Workflow, current_workflow
from comfydsl.build import reset_default_workflow
from comfydsl.catalog import Catalog, bundled_catalog, python_name, use_catalog
from comfydsl.errors import BadLinkError, DuplicateIdError, UnknownInputError, UnknownNodeError
from comfydsl.names import unique_python_names
from comfydsl.nodes import (
    CheckpointLoaderSimple,
    CLIPTextEncode,
    EmptyImage,
    EmptyLatentImage,
    ImageInvert,
    KSampler,
    LoadImage,
    ModelMergeSD1,
    Rodin3D_Regular,
    TripoTextToModelNode,
    node_class,
)


@pytest.fixture(autouse=True)
def workflow() -> Iterator[Workflow]:
    with use_catalog(bundled_catalog(), merge=False), Workflow() as wf:
        yield wf


def custom_catalog(outputs: list[str], names: list[str]) -> Catalog:
    return Catalog.from_object_info(
        {
            "Many": {
                "input": {"required": {}},
                "output": outputs,
                "output_is_list": [False] * len(outputs),
                "output_name": names,
                "name": "Many",
                "category": "test",
                "output_node": False,
            }
        }
    )


# -- outputs ----------------------------------------------------------------------------------------


def test_outputs_by_attribute_index_and_unpacking() -> None:
    ckpt = CheckpointLoaderSimple(ckpt_name="m.safetensors")
    model, clip, vae = ckpt
    assert [Output(ckpt, 0), Output(ckpt, 1), Output(ckpt, 2)] == [model, clip, vae]
    assert (ckpt.MODEL, ckpt.CLIP, ckpt.VAE) == (ckpt[0], ckpt[1], ckpt[2])
    assert ckpt.VAE == ckpt[-1], "a negative index counts from the end"
    assert ckpt.CLIP == ckpt.out.CLIP == ckpt.out["CLIP"]
    assert ("CLIP", "CLIP") == (ckpt.CLIP.type, ckpt.CLIP.name)
    with pytest.raises(IndexError):
        ckpt[3]
    with pytest.raises(AttributeError, match="MODEL, CLIP, VAE"):
        ckpt.LATENT  # noqa: B018


def test_a_single_output_node_is_passed_directly(workflow: Workflow) -> None:
    image = EmptyImage()
    inverted = ImageInvert(image=image)
    assert [image.id, 0] == workflow.to_api()[inverted.id]["inputs"]["image"]


def test_output_names_that_are_not_identifiers_have_their_python_form() -> None:
    model = TripoTextToModelNode(prompt="a chair")
    assert "model task_id" == model.model_task_id.name
    assert Output(model, 1) == model.model_task_id
    rodin = Rodin3D_Regular(Images=EmptyImage())
    assert "3D Model Path" == rodin._3D_Model_Path.name
    assert rodin._3D_Model_Path == getattr(rodin.out, "3D Model Path"), "the raw name works on .out"


def test_repeated_output_names_are_numbered_from_the_second() -> None:
    catalog = custom_catalog(
        ["IMAGE", "IMAGE", "MASK", "IMAGE"], ["IMAGE", "IMAGE", "out put", "IMAGE"]
    )
    with use_catalog(catalog), Workflow():
        node = node_class("Many")()
        assert [0, 1, 2, 3] == [
            node.IMAGE.index,
            node.IMAGE_2.index,
            node.out_put.index,
            node.IMAGE_3.index,
        ]


def test_python_name_rule() -> None:
    cases = {
        "model task_id": "model_task_id",
        "3D Model Path": "_3D_Model_Path",
        "input_blocks.0.": "input_blocks_0_",
        "from": "from_",
        "class": "class_",
        "größe": "gr__e",
        "": "value",
        "seed": "seed",
    }
    assert cases == {name: python_name(name) for name in cases}
    assert ["IMAGE", "IMAGE_2", "a_b", "a_b_2"] == unique_python_names(
        ["IMAGE", "IMAGE", "a b", "a-b"]
    )


def test_an_output_named_star_is_reachable_as_an_attribute() -> None:
    with use_catalog(custom_catalog(["*", "IMAGE"], ["*", "_"])), Workflow():
        node = node_class("Many")()
        for attr, index in node.definition.output_attrs.items():
            assert Output(node, index) == getattr(node, attr), attr


def test_input_names_that_are_not_identifiers_take_their_python_form(workflow: Workflow) -> None:
    ckpt = CheckpointLoaderSimple(ckpt_name="m.safetensors")
    merge = ModelMergeSD1(model1=ckpt.MODEL, model2=ckpt.MODEL, input_blocks_0_=0.25)
    merge.set(**{"out.": 0.5})
    inputs = workflow.to_api()[merge.id]["inputs"]
    assert 0.25 == inputs["input_blocks.0."], "the Python form maps to the real name"
    assert 0.5 == inputs["out."], "the real name works too"
    assert "input_blocks_0_" not in inputs


def test_a_keyword_input_name_takes_a_trailing_underscore() -> None:
    catalog = Catalog.from_object_info(
        {
            "K": {
                "input": {"required": {"from": ["INT", {"default": 1}], "class": ["STRING"]}},
                "output": [],
                "name": "K",
                "output_node": True,
            }
        }
    )
    with use_catalog(catalog), Workflow() as wf:
        node = node_class("K")(from_=3, class_="x")
    assert {"from": 3, "class": "x"} == wf.to_api()[node.id]["inputs"]


# -- ids and titles ---------------------------------------------------------------------------------


def test_title_goes_to_meta_and_id_is_kept(workflow: Workflow) -> None:
    node = EmptyImage(title="Background", id="bg")
    assert "bg" == node.id
    prompt = workflow.to_api()
    assert {"title": "Background"} == prompt["bg"]["_meta"]
    assert ["inputs", "class_type", "_meta"] == list(prompt["bg"])


def test_automatic_ids_skip_taken_ids(workflow: Workflow) -> None:
    EmptyImage(id=2)
    nodes = [EmptyImage() for _ in range(3)]
    EmptyImage(id="7")
    later = [EmptyImage() for _ in range(4)]
    assert ["1", "3", "4"] == [n.id for n in nodes]
    assert ["5", "6", "8", "9"] == [n.id for n in later]
    assert ["2", "1", "3", "4", "7", "5", "6", "8", "9"] == list(workflow.to_api()), (
        "creation order"
    )


def test_duplicate_id_is_an_error() -> None:
    first = EmptyImage(id="a")
    with pytest.raises(DuplicateIdError) as info:
        EmptyImage(id="a")
    assert "a" == info.value.node_id
    assert first.source == info.value.first, "the error names where the id was taken"
    assert isinstance(info.value, ValueError)
    assert info.value.source is not None and __file__ == info.value.source.file


# -- positional arguments ---------------------------------------------------------------------------


def test_positional_arguments_follow_the_definitions_input_order(workflow: Workflow) -> None:
    latent = EmptyLatentImage(640, 768, 2)
    ckpt = CheckpointLoaderSimple("m.safetensors")
    pos = CLIPTextEncode("a lighthouse", ckpt.CLIP)
    sampler = KSampler(ckpt.MODEL, 7, 30, 4.5, "dpmpp_2m", "karras", pos, pos, latent)
    prompt = workflow.to_api()
    assert {"width": 640, "height": 768, "batch_size": 2} == prompt[latent.id]["inputs"]
    inputs = prompt[sampler.id]["inputs"]
    assert (7, 30, 4.5, "dpmpp_2m", "karras") == tuple(
        inputs[k] for k in ("seed", "steps", "cfg", "sampler_name", "scheduler")
    )
    assert [ckpt.id, 0] == inputs["model"]


def test_wrong_call_shapes_are_type_errors() -> None:
    # These are bare TypeErrors (like Python's own for a bad call), not ComfyDSLErrors.
    with pytest.raises(TypeError, match="at most 4 positional"):
        EmptyImage(1, 2, 3, 4, 5)
    with pytest.raises(TypeError, match="two values for input 'width'"):
        EmptyImage(64, width=64)
    with pytest.raises(TypeError, match="two values"):
        ModelMergeSD1(**{"input_blocks.0.": 1.0, "input_blocks_0_": 1.0})
    with pytest.raises(TypeError, match="by keyword"):
        Node("NotInTheCatalog", 1)


def test_extra_inputs_must_be_a_mapping() -> None:
    with pytest.raises(TypeError):
        EmptyImage(extra_inputs=["choose file to upload"])


# -- untyped nodes and extra inputs -----------------------------------------------------------------


def test_a_class_the_catalog_lacks_is_built_untyped(workflow: Workflow) -> None:
    frames = EmptyImage()
    video = Node("VHS_VideoCombine", images=frames, frame_rate=6, title="Video", id="v")
    after = Node("SomethingElse", filenames=video[0], pair=["a", 1])
    assert video.definition is None
    assert Output(video, 3) == video[3], "any index goes: the outputs are not known"
    with pytest.raises(AttributeError, match="index"):
        video.IMAGE  # noqa: B018
    with pytest.raises(TypeError):
        list(video)
    prompt = workflow.to_api()
    assert {
        "inputs": {"images": [frames.id, 0], "frame_rate": 6},
        "class_type": "VHS_VideoCombine",
        "_meta": {"title": "Video"},
    } == prompt["v"]
    assert {"filenames": ["v", 0], "pair": {"__value__": ["a", 1]}} == prompt[after.id]["inputs"], (
        "a list literal is wrapped so that it is not read as a link"
    )


def test_node_of_a_known_class_is_typed(workflow: Workflow) -> None:
    node = Node("EmptyImage", width=64, title="t")
    assert bundled_catalog()["EmptyImage"] is node.definition
    with pytest.raises(UnknownInputError):
        Node("EmptyImage", widht=64)
    assert 64 == workflow.to_api()[node.id]["inputs"]["width"]


def test_an_untyped_node_with_several_outputs_cannot_be_passed_whole() -> None:
    untyped = Node("VHS_LoadVideo", video="a.mp4")
    with pytest.raises(BadLinkError):
        ImageInvert(image=untyped)
    with pytest.raises(BadLinkError):
        Node("Other", x=untyped)


def test_unknown_extra_keys_are_an_error_unless_passed_through(workflow: Workflow) -> None:
    with pytest.raises(UnknownInputError):
        LoadImage(image="photo.png", upload="image")
    node = LoadImage(
        image="photo.png", extra_inputs={"upload": "image", "choose file to upload": "image"}
    )
    assert {"image": "photo.png", "upload": "image", "choose file to upload": "image"} == (
        workflow.to_api()[node.id]["inputs"]
    )
    assert ["image", "upload", "choose file to upload"] == list(
        workflow.to_api()[node.id]["inputs"]
    )


def test_extra_inputs_cannot_hold_links_or_declared_names() -> None:
    image = EmptyImage()
    with pytest.raises(BadLinkError):
        ImageInvert(image=image, extra_inputs={"mask": image})
    with pytest.raises(TypeError, match="declared input"):
        ImageInvert(extra_inputs={"image": image})


def test_unknown_class_import_suggests_a_name() -> None:
    with pytest.raises(ImportError) as info:
        from comfydsl.nodes import KSamplr  # noqa: F401
    assert isinstance(info.value, UnknownNodeError)
    assert "KSampler" in str(info.value)


# -- the current workflow ---------------------------------------------------------------------------


def test_nodes_outside_a_with_block_go_to_the_default_workflow() -> None:
    def script() -> tuple[Workflow, Workflow, Node, Node]:
        default = reset_default_workflow()
        outside = EmptyImage()
        with Workflow() as scoped:
            inside = EmptyImage()
            with Workflow() as inner:
                EmptyImage()
            assert scoped is current_workflow()
        assert default is current_workflow()
        assert 1 == len(inner)
        return default, scoped, outside, inside

    default, scoped, outside, inside = contextvars.copy_context().run(script)
    assert default.is_default and not scoped.is_default
    assert [outside] == list(default) and [inside] == list(scoped)


def _build_many(tag: str, barrier: threading.Barrier | None = None) -> list[str]:
    with Workflow() as wf:
        for i in range(50):
            EmptyImage(title=f"{tag}{i}")
            if barrier is not None and i == 25:
                barrier.wait()
    return [n.title or "" for n in wf]


def test_threads_building_at_once_do_not_mix() -> None:
    barrier = threading.Barrier(4)
    results: dict[str, list[str]] = {}

    def run(tag: str) -> None:
        results[tag] = _build_many(tag, barrier)
        results[tag + "-default"] = [n.title or "" for n in _default_in_thread(tag)]

    threads = [threading.Thread(target=run, args=(tag,)) for tag in "abcd"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for tag in "abcd":
        assert [f"{tag}{i}" for i in range(50)] == results[tag], f"thread {tag} got foreign nodes"
        assert [tag] == results[tag + "-default"], "each thread has its own default workflow"


def _default_in_thread(tag: str) -> Workflow:
    EmptyImage(title=tag)
    return current_workflow()


def test_asyncio_tasks_building_at_once_do_not_mix() -> None:
    async def build(tag: str) -> list[str]:
        with Workflow() as wf:
            for i in range(20):
                EmptyImage(title=f"{tag}{i}")
                await asyncio.sleep(0)  # let the other tasks run between two nodes
        return [n.title or "" for n in wf]

    async def main() -> list[list[str]]:
        return await asyncio.gather(*(build(tag) for tag in "abc"))

    results = asyncio.run(main())
    assert [[f"{tag}{i}" for i in range(20)] for tag in "abc"] == results


def test_asyncio_tasks_with_a_catalog_each_do_not_mix() -> None:
    def catalog(width: int) -> Catalog:
        raw: dict[str, Any] = dict(bundled_catalog().raw("EmptyImage"))
        raw["input"] = {"required": {"width": ["INT", {"default": width}]}}
        return Catalog.from_object_info({"EmptyImage": raw})

    async def build(width: int) -> list[Any]:
        with use_catalog(catalog(width)), Workflow() as wf:
            for _ in range(5):
                Node("EmptyImage")
                await asyncio.sleep(0)
        return [n["inputs"]["width"] for n in wf.to_api().values()]

    async def main() -> list[list[Any]]:
        return await asyncio.gather(build(100), build(200))

    assert [[100] * 5, [200] * 5] == asyncio.run(main())


# -- call shapes, and classes that follow the catalog in force ------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"title": 5}, "title must be a string"),
        ({"id": [1]}, "id must be a string"),
        ({"id": True}, "id must be a string"),
        ({"extra_inputs": ["x"]}, "extra_inputs takes a mapping"),
    ],
)
def test_a_call_of_the_wrong_shape_is_a_call_error_at_the_line(
    workflow: Workflow, kwargs: dict[str, Any], expected: str
) -> None:
    from comfydsl.errors import CallError, ComfyDSLError

    with pytest.raises(CallError, match=expected) as caught:
        line = _next_line()
        EmptyImage(**kwargs)
    assert isinstance(caught.value, ComfyDSLError) and isinstance(caught.value, TypeError)
    assert caught.value.source is not None and line == caught.value.source.line


def test_too_many_positional_inputs_is_a_call_error(workflow: Workflow) -> None:
    from comfydsl.errors import CallError

    with pytest.raises(CallError, match="at most 4 positional"):
        EmptyImage(64, 64, 1, 0, 5)


def test_an_imported_class_follows_the_catalog_in_force(workflow: Workflow) -> None:
    # Imported at module level from the bundled catalog, where model files are unknown...
    CheckpointLoaderSimple(ckpt_name="anything.safetensors")
    server = Catalog(bundled_catalog().to_object_info(), source="server", files_known=True)
    with use_catalog(server, merge=False):
        # ...and checked against a server's catalog, which lists no checkpoint, inside the block.
        from comfydsl.errors import ChoiceError

        with pytest.raises(ChoiceError):
            CheckpointLoaderSimple(ckpt_name="anything.safetensors")
        assert CheckpointLoaderSimple.definition.files_known, (
            "the class still reads the bundled catalog"
        )
    CheckpointLoaderSimple(ckpt_name="anything.safetensors")


def _next_line() -> int:
    import inspect

    frame = inspect.currentframe()
    assert frame is not None and frame.f_back is not None
    return frame.f_back.f_lineno + 1


def test_a_link_prints_as_the_data_it_is_and_names_its_node_in_words(workflow: Workflow) -> None:
    ckpt = CheckpointLoaderSimple(ckpt_name="m.safetensors")
    assert "['1', 1]" == repr(ckpt.CLIP)
    assert "CheckpointLoaderSimple#1.CLIP" == str(ckpt.CLIP)
    encode = CLIPTextEncode(text="a", clip=ckpt.CLIP)
    assert "'clip': ['1', 1]" in repr(workflow.to_api()[encode.id]["inputs"])


def test_a_misspelt_output_is_an_attribute_error_that_lists_the_outputs() -> None:
    many = custom_catalog([f"TYPE{i}" for i in range(12)], [f"OUT_{i}" for i in range(12)])
    with use_catalog(many), Workflow():
        node = node_class("Many")()
        with pytest.raises(AttributeError) as caught:
            node.OUT_12  # noqa: B018
    message = str(caught.value)
    assert "OUT_0, OUT_1" in message and "..." in message, message
    assert node.OUT_11.index == 11, "every output is still reachable by name"


def test_a_node_class_is_a_function_that_says_what_it_is() -> None:
    import types

    import comfydsl.nodes
    from comfydsl.nodes import NodeClass

    # A plain function, so that the interpreter calls it directly (see NodeClass).
    assert types.FunctionType is type(CheckpointLoaderSimple)
    assert isinstance(CheckpointLoaderSimple, NodeClass)
    assert not isinstance(lambda: None, NodeClass) and not isinstance(print, NodeClass)
    assert "CheckpointLoaderSimple" == CheckpointLoaderSimple.__name__
    assert "comfydsl.nodes" == CheckpointLoaderSimple.__module__
    assert "CheckpointLoaderSimple" == CheckpointLoaderSimple.class_type
    assert not CheckpointLoaderSimple.bound
    assert "ckpt_name" in (CheckpointLoaderSimple.__doc__ or "")
    assert comfydsl.nodes.CheckpointLoaderSimple is CheckpointLoaderSimple, "made again"


def test_a_class_looked_up_under_another_catalog_is_that_catalogs_class(workflow: Workflow) -> None:
    import comfydsl.nodes

    server = Catalog(bundled_catalog().to_object_info(), source="server", files_known=True)
    with use_catalog(server, merge=False):
        inside = comfydsl.nodes.CheckpointLoaderSimple
        assert inside.definition is server["CheckpointLoaderSimple"]
    assert comfydsl.nodes.CheckpointLoaderSimple is CheckpointLoaderSimple
    assert inside is not CheckpointLoaderSimple
    # Both follow the catalog in force when called: outside the block, the bundled one.
    inside(ckpt_name="anything.safetensors")


def test_threads_calling_one_class_under_different_catalogs_do_not_mix() -> None:
    # One class, called at once from two threads, each under a catalog of its own: each call
    # is checked against its own thread's catalog, and its node gets that catalog's definition.
    strict = Catalog(bundled_catalog().to_object_info(), source="server", files_known=True)
    errors: list[str] = []

    def run(catalog: Catalog | None) -> None:
        context = use_catalog(catalog, merge=False) if catalog is not None else nullcontext()
        with Workflow(), context:
            expected = (catalog or bundled_catalog())["CheckpointLoaderSimple"]
            for _ in range(2_000):
                try:
                    node = CheckpointLoaderSimple(ckpt_name="anything.safetensors")
                except Exception:
                    if catalog is None:
                        errors.append("the bundled catalog's call was refused")
                    continue
                if catalog is not None:
                    errors.append("a call under the server's catalog was let through")
                elif node.definition is not expected:
                    errors.append("a node got another catalog's definition")

    threads = [threading.Thread(target=run, args=(c,)) for c in (None, strict)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as the interpreter can
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert [] == errors[:3]
