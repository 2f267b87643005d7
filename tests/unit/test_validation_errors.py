"""Each validation error of issue 2, point 8: its class, server-vocabulary type, fields and the user's line.

Every offending call sits on the line right after ``line = next_line()``, so that the test knows
the exact line the error must name.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

import pytest

from comfydsl import Node, Output, Workflow
from comfydsl.catalog import Catalog, bundled_catalog, use_catalog
from comfydsl.errors import (
    BadLinkError,
    ChoiceError,
    ComfyDSLError,
    CycleError,
    InputValueError,
    LinkTypeError,
    MissingInputError,
    NodeError,
    UnknownInputError,
    ValidationError,
    ValueRangeError,
)
from comfydsl.nodes import (
    CheckpointLoaderSimple,
    CLIPTextEncode,
    EmptyImage,
    EmptyLatentImage,
    ImageBlend,
    ImageInvert,
    KSampler,
    LoadImage,
    PreviewAny,
    SaveImage,
    TripoConversionNode,
    TripoRetargetNode,
    TripoRigNode,
    TripoTextToModelNode,
    VAEDecode,
)


def next_line() -> int:
    """The line after the caller's: where the offending call is."""
    frame = inspect.currentframe()
    assert frame is not None and frame.f_back is not None
    return frame.f_back.f_lineno + 1


@pytest.fixture(autouse=True)
def workflow() -> Iterator[Workflow]:
    with use_catalog(bundled_catalog(), merge=False), Workflow() as wf:
        yield wf


def check_error(
    error: BaseException,
    cls: type[NodeError],
    *,
    type: str,
    class_type: str,
    input_name: str | None,
    line: int,
    value: Any = None,
    expected: str | None = None,
) -> None:
    """The fields every NodeError must carry, and the file:line of the user's call."""
    assert isinstance(error, cls), f"expected {cls.__name__}, got {error!r}"
    assert isinstance(error, ComfyDSLError), "every error derives from ComfyDSLError"
    assert type == error.type, f"server vocabulary: {error}"
    assert class_type == error.class_type, str(error)
    assert input_name == error.input_name, str(error)
    if value is not None:
        assert value == error.value, f"the error should carry the value given: {error}"
    if expected is not None:
        assert error.expected is not None and expected in error.expected, (
            f"{expected!r} should be in .expected={error.expected!r}"
        )
    assert error.source is not None, f"no source location: {error}"
    assert __file__ == error.source.file, f"the error names another file: {error.source}"
    assert line == error.source.line, f"the error names line {error.source.line}, not {line}"
    assert f"{__file__}:{line}" in str(error), f"the message lacks file:line: {error}"


# -- combos -----------------------------------------------------------------------------------------


def test_legacy_combo_value_not_in_list() -> None:
    with pytest.raises(ChoiceError) as info:
        line = next_line()
        KSampler(sampler_name="eulerr")
    check_error(
        info.value,
        ChoiceError,
        type="value_not_in_list",
        class_type="KSampler",
        input_name="sampler_name",
        value="eulerr",
        expected="'euler'",
        line=line,
    )
    assert isinstance(info.value, ValueError), "a ChoiceError is also a ValueError"
    assert "did you mean 'euler'" in str(info.value), f"no suggestion: {info.value}"


def test_new_combo_form_value_not_in_list() -> None:
    # The server does NOT check "COMBO"-form values (it fails at run time); comfydsl does.
    assert "COMBO" == bundled_catalog()["ImageBlend"].inputs["blend_mode"].combo_form
    with pytest.raises(ChoiceError) as info:
        line = next_line()
        ImageBlend(blend_mode="lighten")
    check_error(
        info.value,
        ChoiceError,
        type="value_not_in_list",
        class_type="ImageBlend",
        input_name="blend_mode",
        value="lighten",
        expected="'multiply'",
        line=line,
    )


def test_an_empty_model_list_in_the_bundled_catalog_takes_any_file_name(workflow: Workflow) -> None:
    node = CheckpointLoaderSimple(ckpt_name="whatever.safetensors")
    assert {"ckpt_name": "whatever.safetensors"} == workflow.to_api()[node.id]["inputs"]


def test_an_empty_model_list_from_a_server_rejects_every_name() -> None:
    server = Catalog.from_object_info(bundled_catalog().to_object_info(), files_known=True)
    with use_catalog(server, merge=False), Workflow():
        # A class imported at module level keeps the definition of the catalog in force then:
        # import it again under the server's catalog.
        from comfydsl.nodes import CheckpointLoaderSimple as ServerCheckpointLoader

        with pytest.raises(ChoiceError) as info:
            line = next_line()
            ServerCheckpointLoader(ckpt_name="whatever.safetensors")
        with pytest.raises(ChoiceError):
            Node("CheckpointLoaderSimple", ckpt_name="whatever.safetensors")
    check_error(
        info.value,
        ChoiceError,
        type="value_not_in_list",
        class_type="CheckpointLoaderSimple",
        input_name="ckpt_name",
        value="whatever.safetensors",
        line=line,
    )


def test_a_file_name_for_an_unknown_list_must_be_a_string() -> None:
    with pytest.raises(InputValueError) as info:
        line = next_line()
        CheckpointLoaderSimple(ckpt_name=3)
    check_error(
        info.value,
        InputValueError,
        type="invalid_input_type",
        class_type="CheckpointLoaderSimple",
        input_name="ckpt_name",
        value=3,
        line=line,
    )


# -- links ------------------------------------------------------------------------------------------


def test_link_of_the_wrong_type_is_return_type_mismatch() -> None:
    image = EmptyImage()
    ckpt = CheckpointLoaderSimple(ckpt_name="m.safetensors")
    with pytest.raises(LinkTypeError) as info:
        line = next_line()
        VAEDecode(samples=image, vae=ckpt.VAE)
    check_error(
        info.value,
        LinkTypeError,
        type="return_type_mismatch",
        class_type="VAEDecode",
        input_name="samples",
        value=Output(image, 0),
        expected="LATENT",
        line=line,
    )
    assert "received_type(IMAGE) mismatch input_type(LATENT)" in str(info.value), str(info.value)
    assert isinstance(info.value, TypeError), "a LinkTypeError is also a TypeError"


def test_star_input_accepts_any_link(workflow: Workflow) -> None:
    ckpt = CheckpointLoaderSimple(ckpt_name="m.safetensors")
    sources = [ckpt.MODEL, ckpt.CLIP, ckpt.VAE, EmptyImage(), EmptyLatentImage()[0]]
    previews = [PreviewAny(source=source) for source in sources]
    prompt = workflow.to_api()
    for preview, source in zip(previews, sources, strict=True):
        node = source if not isinstance(source, Output) else source.node
        index = 0 if not isinstance(source, Output) else source.index
        assert [node.id, index] == prompt[preview.id]["inputs"]["source"], preview


def test_comma_union_input_accepts_each_member(workflow: Workflow) -> None:
    model = TripoTextToModelNode(prompt="a chair")
    rig = TripoRigNode(original_model_task_id=model.model_task_id)
    retarget = TripoRetargetNode(original_model_task_id=rig.rig_task_id)
    for member in (model.model_task_id, rig.rig_task_id, retarget.retarget_task_id):
        node = TripoConversionNode(original_model_task_id=member)
        assert [member.node.id, 1] == workflow.to_api()[node.id]["inputs"]["original_model_task_id"]


def test_comma_union_input_rejects_other_types() -> None:
    model = TripoTextToModelNode(prompt="a chair")
    with pytest.raises(LinkTypeError) as info:
        line = next_line()
        TripoConversionNode(original_model_task_id=model.model_file)
    check_error(
        info.value,
        LinkTypeError,
        type="return_type_mismatch",
        class_type="TripoConversionNode",
        input_name="original_model_task_id",
        value=model.model_file,
        line=line,
    )


def test_a_node_with_several_outputs_given_directly_is_bad_linked_input() -> None:
    ckpt = CheckpointLoaderSimple(ckpt_name="m.safetensors")
    with pytest.raises(BadLinkError) as info:
        line = next_line()
        CLIPTextEncode(text="x", clip=ckpt)
    check_error(
        info.value,
        BadLinkError,
        type="bad_linked_input",
        class_type="CLIPTextEncode",
        input_name="clip",
        value=ckpt,
        line=line,
    )
    assert "MODEL, CLIP, VAE" in str(info.value), (
        f"the message should list the outputs: {info.value}"
    )
    assert isinstance(info.value, LookupError), "a BadLinkError is also a LookupError"


def test_a_link_to_a_node_of_another_workflow_is_rejected() -> None:
    with Workflow():
        elsewhere = EmptyImage()
    with pytest.raises(BadLinkError) as info:
        line = next_line()
        ImageInvert(image=elsewhere)
    check_error(
        info.value,
        BadLinkError,
        type="link_to_missing_node",
        class_type="ImageInvert",
        input_name="image",
        value=Output(elsewhere, 0),
        line=line,
    )


def test_an_output_index_the_node_does_not_have_is_rejected() -> None:
    image = EmptyImage()
    with pytest.raises(BadLinkError) as info:
        line = next_line()
        ImageInvert(image=Output(image, 1))
    check_error(
        info.value,
        BadLinkError,
        type="output_index_out_of_range",
        class_type="ImageInvert",
        input_name="image",
        line=line,
    )


def test_a_constant_where_only_a_link_makes_sense_is_rejected() -> None:
    # The server accepts it and fails when the node runs.
    with pytest.raises(InputValueError) as info:
        line = next_line()
        ImageInvert(image="photo.png")
    check_error(
        info.value,
        InputValueError,
        type="invalid_input_type",
        class_type="ImageInvert",
        input_name="image",
        value="photo.png",
        line=line,
    )


# -- numbers and literals ---------------------------------------------------------------------------


def test_number_below_min() -> None:
    with pytest.raises(ValueRangeError) as info:
        line = next_line()
        EmptyLatentImage(width=8)
    check_error(
        info.value,
        ValueRangeError,
        type="value_smaller_than_min",
        class_type="EmptyLatentImage",
        input_name="width",
        value=8,
        expected=">= 16",
        line=line,
    )
    assert "Value 8 smaller than min of 16" in str(info.value), str(info.value)


def test_number_above_max_after_the_servers_conversion() -> None:
    with pytest.raises(ValueRangeError) as info:
        line = next_line()
        KSampler(steps="10001")
    check_error(
        info.value,
        ValueRangeError,
        type="value_bigger_than_max",
        class_type="KSampler",
        input_name="steps",
        value="10001",
        expected="<= 10000",
        line=line,
    )


@pytest.mark.parametrize("value", ["16.5", "1e1", "0x10", "sixteen", None])
def test_literal_the_server_cannot_convert_is_invalid_input_type(value: Any) -> None:
    with pytest.raises(InputValueError) as info:
        line = next_line()
        EmptyLatentImage(width=value)
    check_error(
        info.value,
        InputValueError,
        type="invalid_input_type",
        class_type="EmptyLatentImage",
        input_name="width",
        expected="INT",
        line=line,
    )
    assert value == info.value.value, "the error keeps the value as given"
    assert "Failed to convert an input value to a INT value" in str(info.value), str(info.value)


def test_the_servers_coercions_are_accepted(workflow: Workflow) -> None:
    node = KSampler(seed="48", steps=" 16 ", cfg="nan", denoise=1)
    latent = EmptyLatentImage(width=40.7 * 16, height=True * 512)
    text = CLIPTextEncode(text=12.5)
    prompt = workflow.to_api()
    assert ("48", " 16 ", "nan") == tuple(
        prompt[node.id]["inputs"][k] for k in ("seed", "steps", "cfg")
    ), "values are sent as given: the server converts them"
    assert 651.2 == prompt[latent.id]["inputs"]["width"]
    assert 12.5 == prompt[text.id]["inputs"]["text"]


# -- names, missing inputs, cycles ------------------------------------------------------------------


def test_unknown_input_name() -> None:
    with pytest.raises(UnknownInputError) as info:
        line = next_line()
        KSampler(stepz=20)
    check_error(
        info.value,
        UnknownInputError,
        type="unknown_input",
        class_type="KSampler",
        input_name="stepz",
        value=20,
        expected="steps",
        line=line,
    )
    assert "did you mean 'steps'" in str(info.value), str(info.value)
    assert isinstance(info.value, TypeError), "an UnknownInputError is also a TypeError"


def test_a_hidden_input_is_never_taken() -> None:
    with pytest.raises(UnknownInputError) as info:
        line = next_line()
        SaveImage(images=EmptyImage(), prompt={})
    check_error(
        info.value,
        UnknownInputError,
        type="unknown_input",
        class_type="SaveImage",
        input_name="prompt",
        line=line,
    )
    assert "hidden" in str(info.value), str(info.value)


def test_required_input_missing_is_found_at_compile(workflow: Workflow) -> None:
    line = next_line()
    save = SaveImage(filename_prefix="x")
    with pytest.raises(ValidationError) as info:
        workflow.to_api()
    errors = info.value.errors
    assert 1 == len(errors), f"one problem expected: {errors}"
    check_error(
        errors[0],
        MissingInputError,
        type="required_input_missing",
        class_type="SaveImage",
        input_name="images",
        line=line,
    )
    assert save.id == errors[0].node_id, "the error names the node"
    assert f"{__file__}:{line}" in str(info.value), "the summary keeps each error's file:line"


def test_a_link_that_closes_a_loop_is_dependency_cycle() -> None:
    first = ImageInvert(image=EmptyImage())
    second = ImageInvert(image=first)
    with pytest.raises(CycleError) as info:
        line = next_line()
        first.set(image=second)
    check_error(
        info.value,
        CycleError,
        type="dependency_cycle",
        class_type="ImageInvert",
        input_name="image",
        value=Output(second, 0),
        line=line,
    )
    assert first.id == info.value.node_id, str(info.value)
    assert Output(first.inputs["image"].node, 0) != Output(second, 0), "the refused link was stored"


def test_a_node_fed_its_own_output_is_dependency_cycle() -> None:
    node = ImageInvert(image=EmptyImage())
    with pytest.raises(CycleError) as info:
        line = next_line()
        node.set(image=node)
    check_error(
        info.value,
        CycleError,
        type="dependency_cycle",
        class_type="ImageInvert",
        input_name="image",
        line=line,
    )


def test_a_call_over_several_lines_is_located_at_its_first_line() -> None:
    with pytest.raises(ValueRangeError) as info:
        line = next_line()
        EmptyLatentImage(
            width=512,
            height=8,
        )
    assert line == info.value.source.line, f"located at {info.value.source}"


def test_an_error_inside_a_function_names_the_function() -> None:
    def make() -> None:
        EmptyLatentImage(width=8)

    with pytest.raises(ValueRangeError) as info:
        make()
    assert "make" == info.value.source.function, repr(info.value.source)


def test_a_local_file_is_taken_only_by_upload_inputs() -> None:
    from pathlib import Path

    LoadImage(image=Path("photo.png"))  # uploaded at submit time
    with pytest.raises(InputValueError) as info:
        line = next_line()
        CLIPTextEncode(text=Path("prompt.txt"))
    check_error(
        info.value,
        InputValueError,
        type="invalid_input_type",
        class_type="CLIPTextEncode",
        input_name="text",
        line=line,
    )


# -- values JSON cannot hold --------------------------------------------------------------------


def test_bytes_for_an_int_input_are_rejected_at_the_call() -> None:
    with pytest.raises(InputValueError):
        EmptyImage(width=b"64")


@pytest.mark.parametrize(
    "value", [object(), b"text", {1, 2}, 1j], ids=["object", "bytes", "set", "complex"]
)
def test_a_value_json_cannot_hold_is_rejected_at_the_call(value: Any) -> None:
    with pytest.raises(InputValueError):
        CLIPTextEncode(text=value)


def test_a_decimal_for_a_float_input_compiles_to_json(workflow: Workflow) -> None:
    from decimal import Decimal

    KSampler(cfg=Decimal("7.5"))
    assert '"cfg": 7.5' in workflow.to_json(check=False)
