#!/usr/bin/env bash
# The one set-up script: `make lab`, `make test` and CI all call it, so a fresh
# machine and CI install the same way. Idempotent: a second run takes seconds.
#
#   1. the Graphviz `dot` binary (Debian package "graphviz"; apt-get when root)
#   2. .venv in the repository, with labkit installed editable and the pinned
#      dependencies of requirements.txt (re-installed only when they change)
#   3. the shipped notebooks marked trusted (an untrusted notebook shows its SVG
#      output as text) and JupyterLab's news pop-up switched off
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENV="$ROOT/.venv"
say() { printf 'labkit setup: %s\n' "$*"; }

# --- 1. Graphviz ------------------------------------------------------------
if ! command -v dot >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing the Debian package 'graphviz' (the dot binary)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q graphviz >/dev/null 2>&1 || {
      apt-get update -q >/dev/null && apt-get install -y -q graphviz >/dev/null; }
  else
    say "the Graphviz 'dot' program is missing. Install the Debian package 'graphviz':"
    say "    sudo apt-get install graphviz     (macOS: brew install graphviz)"
    exit 1
  fi
fi

# Pacemaker's command-line tools (crm_simulate, crm_verify) for the comparison with a
# modern HA stack; optional: the tests that need them skip with a reason when absent.
if ! command -v crm_simulate >/dev/null 2>&1 && [ ! -x /usr/sbin/crm_simulate ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing the Debian package 'pacemaker-cli-utils' (crm_simulate, crm_verify)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q --no-install-recommends pacemaker-cli-utils >/dev/null 2>&1 || {
      apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends pacemaker-cli-utils \
        >/dev/null; } || say "warning: could not install pacemaker-cli-utils; the Pacemaker comparison is skipped"
  else
    say "optional: 'sudo apt-get install --no-install-recommends pacemaker-cli-utils' adds crm_simulate"
  fi
fi

# --- 2. Python environment --------------------------------------------------
PY=${PYTHON:-python3}
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  say "labkit needs Python 3.11 or newer; '$PY' is $("$PY" --version 2>&1 || echo missing)"
  exit 1
fi
if [ ! -x "$VENV/bin/python" ]; then
  say "creating $VENV"
  "$PY" -m venv "$VENV"
fi
stamp="$VENV/.labkit-deps"
want=$(cat pyproject.toml requirements.txt | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  say "installing labkit and its pinned dependencies into .venv (first run: about a minute)"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r requirements.txt -e . \
    2>&1 | grep -v "^WARNING: Location" || true
  "$VENV/bin/python" -c "import labkit, jupyterlab, ipywidgets, graphviz, nbval" \
    || { say "the installation failed; see the messages above"; exit 1; }
  echo "$want" > "$stamp"
fi

# --- 3. Notebooks trusted, JupyterLab quiet -----------------------------------
nbstamp="$VENV/.labkit-trust"
nbs=$(ls notebooks/*.ipynb solutions/*.ipynb exercises/*.ipynb 2>/dev/null || true)
nbwant=$( { echo "$HOME"; [ -n "$nbs" ] && cat $nbs; } | sha256sum | cut -d' ' -f1)
if [ -n "$nbs" ] && { [ ! -f "$nbstamp" ] || [ "$(cat "$nbstamp")" != "$nbwant" ]; }; then
  "$VENV/bin/jupyter" trust $nbs >/dev/null 2>&1 || say "warning: could not mark the notebooks trusted"
  echo "$nbwant" > "$nbstamp"
fi
if [ ! -f "$VENV/etc/jupyter/labconfig/page_config.json" ] || \
   ! grep -q announcements "$VENV/etc/jupyter/labconfig/page_config.json"; then
  "$VENV/bin/jupyter" labextension disable "@jupyterlab/apputils-extension:announcements" \
    >/dev/null 2>&1 || say "warning: could not switch off JupyterLab's news pop-up"
fi
