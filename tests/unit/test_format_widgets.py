"""Widgets that exist only for some choices of a combo: VHS_VideoCombine's per-format options.

The VideoHelperSuite pack gives ``format`` a ``formats`` map (see the recording in
the bundled pack nodes_catalog/packs/vhs.json): picking ``video/h264-mp4`` adds pix_fmt, crf,
save_metadata and trim_to_audio right after ``format``, and the editor sends them like any widget.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from comfydsl import Workflow
from comfydsl.catalog import load_catalog
from comfydsl.errors import ChoiceError, UnknownInputError, ValueRangeError
from comfydsl.nodes import EmptyImage, from_catalog

PACKS = Path(__file__).resolve().parents[2] / "nodes_catalog" / "packs" / "vhs.json"
vhs = from_catalog(load_catalog(PACKS))


def _line() -> int:
    frame = inspect.currentframe()
    assert frame is not None and frame.f_back is not None
    return frame.f_back.f_lineno + 1


def test_the_widgets_of_the_chosen_format_follow_it_with_defaults_for_those_left_out() -> None:
    with Workflow() as wf:
        frames = EmptyImage(width=8, height=8)
        video = vhs.VHS_VideoCombine(images=frames, frame_rate=6, format="video/h264-mp4", crf=23)
    expected_order = [
        "frame_rate", "loop_count", "filename_prefix", "format",
        "pix_fmt", "crf", "save_metadata", "trim_to_audio",
        "pingpong", "save_output", "images",
    ]  # fmt: skip
    inputs = wf.to_api()[video.id]["inputs"]
    assert expected_order == list(inputs)
    assert ("yuv420p", 23, True, False) == (
        inputs["pix_fmt"],
        inputs["crf"],
        inputs["save_metadata"],
        inputs["trim_to_audio"],
    )


def test_a_format_without_widgets_adds_none() -> None:
    with Workflow() as wf:
        video = vhs.VHS_VideoCombine(images=EmptyImage(), frame_rate=6, format="image/gif")
    assert "crf" not in wf.to_api()[video.id]["inputs"]


def test_a_widget_of_another_format_is_refused_at_the_line() -> None:
    with Workflow(), pytest.raises(UnknownInputError, match="video/h264-mp4") as caught:
        line = _line()
        vhs.VHS_VideoCombine(images=EmptyImage(), frame_rate=6, format="image/gif", crf=23)
    assert caught.value.source is not None and line == caught.value.source.line
    assert "crf" == caught.value.input_name


def test_the_widgets_values_are_checked_like_any_input() -> None:
    with Workflow():
        with pytest.raises(ValueRangeError):
            vhs.VHS_VideoCombine(images=EmptyImage(), format="video/h264-mp4", crf=500)
        with pytest.raises(ChoiceError, match="yuv420p"):
            vhs.VHS_VideoCombine(images=EmptyImage(), format="video/h264-mp4", pix_fmt="rgb")
