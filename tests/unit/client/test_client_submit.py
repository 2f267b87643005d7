"""The server's 400 answers mapped back to the user's lines, and what extra_data carries."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from comfy_fake import FakeComfy, Run, recording

from comfydsl import Workflow, __version__
from comfydsl.client import Client
from comfydsl.client.errors import PromptRejected, ServerNodeError
from comfydsl.client.submit import NodeInfo, default_extra_data, node_info, rejection
from comfydsl.errors import SourceLocation, ValidationError
from comfydsl.nodes import EmptyImage, ImageInvert, PreviewImage, SaveImage


def test_every_node_error_is_listed_with_the_servers_words_and_the_line() -> None:
    data = recording("execution_error_dummy_models")["txt2img_bad_sampler_and_scheduler"]
    nodes: NodeInfo = {
        str(node_id): (str(node["class_type"]), SourceLocation("txt2img.py", 20 + i))
        for i, (node_id, node) in enumerate(data["prompt"].items())
    }
    error = rejection(data["response"]["body"], nodes)
    assert isinstance(error, PromptRejected)
    assert isinstance(error, ValidationError) and isinstance(error, ValueError)
    expected = [
        ("3", "sampler_name", "value_not_in_list"),
        ("3", "scheduler", "value_not_in_list"),
    ]
    assert expected == [(e.node_id, e.input_name, e.type) for e in error.errors]
    first = error.errors[0]
    assert isinstance(first, ServerNodeError)
    assert ("Value not in list", "sampler_name: 'bogus' not in (list of length 42)") == (
        first.message,
        first.details,
    )
    ksampler_line = SourceLocation("txt2img.py", 20 + list(data["prompt"]).index("3"))
    assert ksampler_line == first.source
    assert f"{ksampler_line}: KSampler (node 3), input 'sampler_name'" in str(error)
    assert "prompt_outputs_failed_validation" == error.error["type"]


def test_a_prompt_from_json_names_node_id_and_class() -> None:
    data = recording("execution_error_dummy_models")["txt2img_missing_ckpt"]
    error = rejection(data["response"]["body"], node_info(None, data["prompt"]))
    (only,) = error.errors
    assert (None, "4", "CheckpointLoaderSimple") == (only.source, only.node_id, only.class_type)
    assert "CheckpointLoaderSimple (node 4), input 'ckpt_name'" in str(error)


def test_a_prompt_wide_error_names_its_node_when_the_server_does() -> None:
    body = {
        "error": {
            "type": "invalid_prompt",
            "message": "Cannot execute because node Bogus does not exist.",
            "details": "Node ID '#7'",
            "extra_info": {},
        },
        "node_errors": {},
    }
    error = rejection(body, {"7": ("Bogus", SourceLocation("s.py", 3))})
    (only,) = error.errors
    assert ("invalid_prompt", "7", SourceLocation("s.py", 3)) == (
        only.type,
        only.node_id,
        only.source,
    )


def test_node_info_takes_lines_from_the_workflow() -> None:
    with Workflow() as wf:
        image = EmptyImage(width=64, height=64)
        SaveImage(images=ImageInvert(image=image))
    info = node_info(wf, wf.to_api())
    here = Path(__file__).name
    assert ["EmptyImage", "ImageInvert", "SaveImage"] == [c for c, _ in info.values()]
    assert all(s is not None and Path(s.file).name == here for _, s in info.values())


def test_default_extra_data_stamps_version_and_script_name() -> None:
    with Workflow() as wf:
        SaveImage(images=EmptyImage(width=64, height=64))
    stamp = default_extra_data(wf)["extra_pnginfo"]["comfydsl"]
    assert {"version": __version__, "script": Path(__file__).name} == stamp
    assert {"extra_pnginfo": {"comfydsl": {"version": __version__}}} == default_extra_data(None)


def test_the_body_is_compact_json_and_may_hold_nan() -> None:
    import json
    import math

    import requests

    from comfydsl.transport.http import Transport

    sent: list[requests.PreparedRequest] = []

    class Recording(requests.Session):
        def send(self, request: requests.PreparedRequest, **kwargs: object) -> requests.Response:
            sent.append(request)
            response = requests.Response()
            response.status_code = 200
            response._content = b"{}"
            return response

    transport = Transport("127.0.0.1:1", session=Recording(), headers={"X-Token": "t"})
    transport.send("POST", "prompt", json_body={"prompt": {"1": {"inputs": {"f": math.nan}}}})
    (request,) = sent
    assert isinstance(request.body, bytes)
    assert b'{"prompt":{"1":{"inputs":{"f":NaN}}}}' == request.body
    assert "application/json" == request.headers["Content-Type"]
    assert "t" == request.headers["X-Token"], "the client's own headers still go with it"
    assert math.isnan(json.loads(request.body)["prompt"]["1"]["inputs"]["f"])


def test_targets_go_in_the_body_as_node_ids(fake: FakeComfy, client: Client) -> None:
    with Workflow() as wf:
        image = EmptyImage(width=8, height=8)
        save = SaveImage(images=image, filename_prefix="x")
        PreviewImage(images=image)
    fake.runs.append(Run.from_recording(recording("A1_invert_save")))
    client.submit(wf, targets=[save], validate=False, watch=False)
    fake.runs.append(Run.from_recording(recording("A1_invert_save")))
    client.submit(wf.to_api(), targets=["3"], validate=False, watch=False)
    fake.runs.append(Run.from_recording(recording("A1_invert_save")))
    client.submit(wf, validate=False, watch=False)
    bodies = [json.loads(body) for _, path, _, body in fake.requests if path == "/prompt"]
    assert [["2"], ["3"], None] == [body.get("partial_execution_targets") for body in bodies]
    with pytest.raises(TypeError, match="targets"):
        client.submit(wf, targets="2", validate=False)
