#!/usr/bin/env bash
# The Cluster Administrator as a Voila dashboard, for an instructor's projector
# (after scripts/setup.sh --dashboard; `make dashboard` does both).
#   scripts/dashboard.sh [--port=8866] [other voila options]
#   LABKIT_CLUSTER_FILE=examples/exchange_two_node.yaml scripts/dashboard.sh   (another cluster)
# Voila shows the outputs only, never the code; each browser tab gets its own fresh cluster.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/voila ]; then
  echo "labkit dashboard: Voila is not installed; run scripts/setup.sh --dashboard (or make dashboard)" >&2
  exit 1
fi
if [ -n "${LABKIT_CLUSTER_FILE:-}" ]; then
  LABKIT_CLUSTER_FILE=$(realpath "$LABKIT_CLUSTER_FILE")
  export LABKIT_CLUSTER_FILE
fi
echo "labkit dashboard: open http://127.0.0.1:${DASHBOARD_PORT:-8866}/ (Ctrl-C stops it)"
exec .venv/bin/voila dashboards/cluster_admin.ipynb --no-browser --Voila.ip=127.0.0.1 \
  --port="${DASHBOARD_PORT:-8866}" --theme=light --VoilaConfiguration.show_tracebacks=True "$@"
