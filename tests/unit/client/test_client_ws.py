"""Binary WebSocket frames: preview images, with and without metadata."""

from __future__ import annotations

import json
import struct

from comfydsl.client.ws import parse_binary


def test_a_plain_preview_frame() -> None:
    frame = struct.pack(">II", 1, 1) + b"\xff\xd8jpeg"
    preview = parse_binary(frame)
    assert preview is not None
    assert (b"\xff\xd8jpeg", "image/jpeg", None) == (preview.image, preview.mime, preview.node_id)


def test_a_preview_frame_with_metadata_names_prompt_and_node() -> None:
    meta = json.dumps({"node_id": "3", "prompt_id": "p1", "image_type": "image/png"}).encode()
    frame = struct.pack(">II", 4, len(meta)) + meta + b"\x89PNG"
    preview = parse_binary(frame)
    assert preview is not None
    assert ("3", "p1", "image/png", b"\x89PNG") == (
        preview.node_id,
        preview.prompt_id,
        preview.mime,
        preview.image,
    )


def test_other_frames_are_ignored() -> None:
    assert parse_binary(struct.pack(">I", 3) + b"text") is None
    assert parse_binary(b"\x00") is None
