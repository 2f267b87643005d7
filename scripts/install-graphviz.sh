#!/usr/bin/env bash
# Make sure Graphviz's dot program is there: the tests of the workflow pictures (comfydsl graph,
# notebooks) draw with the real one. Installs Debian's graphviz package when dot is missing
# (apt-get, as root or through sudo; Debian stable's version, 2.42 on bookworm); prints the
# path of dot.
#
#   scripts/install-graphviz.sh        # scripts/test.sh runs it
set -euo pipefail

if ! command -v dot >/dev/null 2>&1; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "scripts/install-graphviz.sh: Graphviz's dot is missing and there is no apt-get here;" \
      "install Graphviz (https://graphviz.org/download/) and run again" >&2
    exit 1
  fi
  sudo=()
  if [[ $(id -u) != 0 ]]; then
    sudo=(sudo)
  fi
  echo "scripts/install-graphviz.sh: installing Debian's graphviz (dot is missing)" >&2
  "${sudo[@]}" apt-get update -qq >&2
  # With its recommended fonts (fonts-liberation2): a PNG is drawn with them.
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq graphviz >&2
fi
command -v dot
