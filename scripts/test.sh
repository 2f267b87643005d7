#!/usr/bin/env bash
# The one test command: every test, including the integration tests against a real ComfyUI server,
# then the linters and the type checker. CI runs exactly this (.ci/run).
#
#   scripts/test.sh                        # everything
#   scripts/test.sh -k compile -x          # extra arguments go to pytest
#   COMFYDSL_LINT=0 scripts/test.sh        # skip the linters and mypy
#
# It makes (or reuses) a virtual environment at .venv with this machine's python3 and installs the
# project with its dev extras there; installs ComfyUI into a cache outside the checkout the first
# time (scripts/install-comfyui.sh: several GB, 2-20 minutes; later runs reuse it) unless
# COMFYDSL_COMFYUI_DIR already names a ComfyUI directory; installs Debian's graphviz when its
# dot program is missing (scripts/install-graphviz.sh: the picture tests draw with it); installs
# the pinned editor, the workflow corpus and Debian's chromium for the editor tests
# (scripts/editor_setup.py); then runs
# pytest with the server required (a missing server fails the integration tests instead of
# skipping them). Then ruff, lint-imports (the import layers of pyproject.toml), vulture
# (dead code) and mypy run, even when pytest failed, so that one run reports everything; the
# script fails if any step does.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
venv=.venv

# (Re)install the project only when the venv is new or pyproject.toml changed since the last install.
stamp="$venv/.comfydsl-installed"
version() { "$1" -c 'import sys; print(sys.version.split()[0])'; }
want="$(version "$PYTHON") $(sha256sum pyproject.toml | cut -d' ' -f1)"
if [[ -x "$venv/bin/python" && "$(version "$venv/bin/python" 2>/dev/null)" != "$(version "$PYTHON")" ]]; then
  echo "scripts/test.sh: $venv was made with another Python; making it again" >&2
  rm -rf "$venv"
fi
if [[ ! -x "$venv/bin/python" ]]; then
  echo "scripts/test.sh: creating $venv with $("$PYTHON" --version)" >&2
  "$PYTHON" -m venv "$venv"
fi
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
  echo "scripts/test.sh: installing the project into $venv" >&2
  rm -f "$stamp"
  # -qq: pip's progress and notices are noise here; its errors still show.
  "$venv/bin/python" -m pip install -qq --disable-pip-version-check -e '.[dev]'
  echo "$want" > "$stamp"
fi

# Graphviz's dot, for the pictures of workflows (once; later runs find it on PATH).
scripts/install-graphviz.sh >/dev/null
# The editor tests' parts (the pinned editor and corpus from PyPI, Debian's chromium), installed
# into the cache once; later runs find them there. Their answers are cached too (tests/editor).
echo "scripts/test.sh: making sure the editor, its browser and the workflow corpus are installed" >&2
editor_exports=$("$venv/bin/python" scripts/editor_setup.py --shell)
eval "$editor_exports"

# A server of your own (COMFYDSL_COMFYUI_DIR already set) is used as it is.
if [[ -z "${COMFYDSL_COMFYUI_DIR:-}" ]]; then
  echo "scripts/test.sh: making sure the ComfyUI server is installed" >&2
  COMFYDSL_COMFYUI_DIR=$(scripts/install-comfyui.sh | tail -n 1)
fi
export COMFYDSL_COMFYUI_DIR
export COMFYDSL_REQUIRE_SERVER=1

status=0
"$venv/bin/python" -m pytest "$@" || status=$?

# Lint, import-layer, dead-code and type checks; COMFYDSL_LINT=0 skips them.
if [[ "${COMFYDSL_LINT:-1}" != 0 ]]; then
  check() {
    echo "scripts/test.sh: $*" >&2
    "$@" || { echo "scripts/test.sh: FAILED: $*" >&2; [[ $status != 0 ]] || status=1; }
  }
  check "$venv/bin/ruff" check comfydsl tests scripts benchmarks
  check "$venv/bin/ruff" format --check comfydsl tests scripts benchmarks
  check "$venv/bin/lint-imports" --no-logo
  check "$venv/bin/vulture"
  check "$venv/bin/mypy"
fi

exit "$status"
