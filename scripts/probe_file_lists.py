#!/usr/bin/env python3
"""Ask a real ComfyUI server which combo inputs list files: its ``/object_info`` without, then with.

    python scripts/probe_file_lists.py -o tests/data/reference/file-probe-comfyui-0.3.75

writes ``object_info-empty.json`` and ``object_info-probed.json`` there (one class per line);
``scripts/make_catalog.py SOURCE --probe EMPTY PROBED`` compares them (see
nodes_catalog/README.md, "Lists of files").

The server is the installed one (scripts/comfyui_server.py), started twice with folders of its
own. First with every model folder, the input folder and the output folder empty: what it lists
then is built in (VAELoader's ``pixel_space``, the ``.yaml`` configs ComfyUI ships). Then with a
dummy file named ``comfydsl-probe-FOLDER.EXT`` in each of them, for every extension the folders
take, in the model folders the server itself names (``GET /models``, the folders of its
``folder_paths``, node packs' included), and in input/ (also in a subfolder, and in ``3d/``, where
the 3D loaders look) and output/. Every combo whose list gains such a name lists files, and the
FOLDER in the name says which folder it reads.

The server is restarted between the two answers, rather than asked twice, because a node may make
its list once, when it is loaded.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

sys.path.insert(
    0, str(Path(__file__).resolve().parent)
)  # make_catalog.py, also when loaded by path
from make_catalog import PROBE_STEM, render  # the names it looks for; the layout it writes

#: What the model folders take: ComfyUI's model extensions (folder_paths.supported_pt_extensions),
#: configs (.yaml), other weights formats packs use, and files with no extension (a folder with an
#: empty extension set takes anything).
MODEL_EXTENSIONS = (
    ".ckpt", ".pt", ".pt2", ".bin", ".pth", ".safetensors", ".pkl", ".sft",
    ".gguf", ".onnx", ".yaml", ".json", "",
)  # fmt: skip
#: What the loaders of the input and output folders take: images, videos, sounds, latents, 3D
#: models, documents.
MEDIA_EXTENSIONS = (
    ".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp", ".tiff",
    ".mp4", ".webm", ".mov", ".mkv", ".avi",
    ".wav", ".mp3", ".flac", ".ogg", ".m4a", ".aac", ".opus",
    ".latent", ".safetensors", ".json", ".txt", ".pdf",
    ".glb", ".gltf", ".obj", ".fbx", ".stl", ".ply", ".spz", ".splat", ".ksplat",
)  # fmt: skip
#: Folders the server names that hold code, not files a node lists: no dummy goes there.
CODE_FOLDERS = frozenset({"custom_nodes"})


def probe_name(folder: str) -> str:
    """The stem of the dummy files put in ``folder``: ``comfydsl-probe-vae``."""
    return f"{PROBE_STEM}-{folder}"


def put_dummies(directory: Path, folder: str, extensions: tuple[str, ...]) -> None:
    """Empty files ``comfydsl-probe-FOLDER.EXT`` in ``directory``, and a subfolder
    ``comfydsl-probe-FOLDER-folder`` holding ``model_index.json`` (a diffusers model is a folder
    that has one) and an image (for lists of folders of images)."""
    stem = probe_name(folder)
    directory.mkdir(parents=True, exist_ok=True)
    for extension in extensions:
        (directory / f"{stem}{extension}").touch()
    subfolder = directory / f"{stem}-folder"
    subfolder.mkdir(exist_ok=True)
    (subfolder / "model_index.json").write_text("{}\n")
    (subfolder / f"{stem}.png").touch()


def get_json(server: Any, path: str) -> Any:
    """``GET path`` of a running server (a ComfyUIServer of scripts/comfyui_server.py)."""
    return server.get_json(path, timeout=120.0)


def probe(server: Any) -> tuple[dict[str, Any], dict[str, Any], dict[str, list[str]]]:
    """The ``/object_info`` of ``server`` (a ComfyUIServer, not running) without files and with
    dummies, and what each model folder listed with them (``GET /models/FOLDER``).

    The server is left stopped, its folders holding the dummies.
    """
    server.empty_checkpoint = False
    server.start()
    try:
        folders = [f for f in get_json(server, "/models") if f not in CODE_FOLDERS]
        # Asked twice: the first answer makes input/3d (Load3D makes it when asked for its
        # definition), which the lists of input folders show from then on, as on any server.
        get_json(server, "/object_info")
        empty = get_json(server, "/object_info")
    finally:
        server.stop()
    server.model_folders = tuple(folders)
    for folder in folders:
        put_dummies(server.models_dir / folder, folder, MODEL_EXTENSIONS)
    put_dummies(server.input_dir, "input", MEDIA_EXTENSIONS)
    put_dummies(server.input_dir / "3d", "input", MEDIA_EXTENSIONS)
    put_dummies(server.output_dir, "output", MEDIA_EXTENSIONS)
    server.start()
    try:
        probed = get_json(server, "/object_info")
        listed = {folder: get_json(server, f"/models/{folder}") for folder in folders}
    finally:
        server.stop()
    return empty, probed, listed


def main(argv: list[str] | None = None) -> int:
    """Probe the installed server; write both answers to the output directory."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-o", "--output", required=True, type=Path, help="directory to write to")
    parser.add_argument("--root", type=Path, help="the server's files (default: a new temp dir)")
    args = parser.parse_args(argv)
    import tempfile

    import comfyui_server  # beside this script (sys.path[0] when run as a script)

    install = comfyui_server.find_install()
    if install is None:
        print(f"no ComfyUI server found: {comfyui_server.HOW_TO_GET_ONE}", file=sys.stderr)
        return 2
    root = args.root or Path(tempfile.mkdtemp(prefix="comfyui-probe-"))
    server = comfyui_server.ComfyUIServer(install, root=root)
    empty, probed, listed = probe(server)
    args.output.mkdir(parents=True, exist_ok=True)
    for name, data in (("empty", empty), ("probed", probed)):
        path = args.output / f"object_info-{name}.json"
        path.write_text(render(data), encoding="utf-8")
        print(f"wrote {len(data)} node classes to {path}", file=sys.stderr)
    silent = sorted(f for f, names in listed.items() if not names)
    if silent:
        print(f"model folders that listed no dummy: {', '.join(silent)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
