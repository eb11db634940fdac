#!/usr/bin/env bash
# Open JupyterLab on the first notebook (after scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
args=(--ServerApp.root_dir="$(pwd)")
[ "$(id -u)" = 0 ] && args+=(--allow-root)
exec .venv/bin/jupyter lab "${args[@]}" "$@" notebooks/00_start_here.ipynb
