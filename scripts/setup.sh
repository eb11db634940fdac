#!/usr/bin/env bash
# The one set-up script: `make lab`, `make test` and CI all call it, so a fresh
# machine and CI install the same way. Idempotent: a second run takes seconds.
#
#   1. the Graphviz `dot` binary (Debian package "graphviz"; apt-get when root) and
#      bubblewrap, the grader's sandbox (Debian package "bubblewrap"; apt-get when root)
#   2. .venv in the repository, with labkit installed editable and the pinned
#      dependencies of requirements.txt (re-installed only when they change)
#   3. the shipped notebooks marked trusted (an untrusted notebook shows its SVG
#      output as text) and JupyterLab's news pop-up switched off
#   4. extras, only when asked (each stamped, so a second run takes seconds):
#        --e2e        Debian's Chromium (apt-get when root) and Playwright (requirements-e2e.txt)
#        --dashboard  Voila (requirements-dashboard.txt), for `make dashboard`
#        --hub        JupyterHub (requirements-hub.txt) and its proxy (npm, deploy/package.json)
#        --site       Jupyter Book 2 for the course website (requirements-site.txt; needs Node.js)
#        --test       all four: what the test suite exercises (`make test`, CI)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENV="$ROOT/.venv"
say() { printf 'labkit setup: %s\n' "$*"; }

WANT_E2E=0 WANT_DASHBOARD=0 WANT_HUB=0 WANT_SITE=0
for arg in "$@"; do
  case "$arg" in
    --e2e) WANT_E2E=1 ;;
    --dashboard) WANT_DASHBOARD=1 ;;
    --hub) WANT_HUB=1 ;;
    --site) WANT_SITE=1 ;;
    --test) WANT_E2E=1 WANT_DASHBOARD=1 WANT_HUB=1 WANT_SITE=1 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) say "unknown option '$arg' (see scripts/setup.sh --help)"; exit 2 ;;
  esac
done

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

# bubblewrap (bwrap): the sandbox `labkit grade` runs learners' notebooks in (labkit/grading/sandbox.py).
if ! command -v bwrap >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing the Debian package 'bubblewrap' (the grader's sandbox)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q bubblewrap >/dev/null 2>&1 || {
      apt-get update -q >/dev/null && apt-get install -y -q bubblewrap >/dev/null; } \
      || say "warning: could not install bubblewrap; labkit grade will refuse to run without --unsafe-no-sandbox"
  else
    say "optional: 'sudo apt-get install bubblewrap' gives labkit grade its sandbox (it refuses to grade without one)"
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
nbs=$(ls notebooks/*.ipynb solutions/*.ipynb exercises/*.ipynb dashboards/*.ipynb 2>/dev/null || true)
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

# --- 4. Extras: browser tests, dashboard, JupyterHub ---------------------------
apt_install() {  # apt_install PACKAGE...: as root with apt-get; returns 1 otherwise
  [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 || return 1
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q --no-install-recommends "$@" >/dev/null 2>&1 || {
    apt-get update -q >/dev/null 2>&1 && apt-get install -y -q --no-install-recommends "$@" >/dev/null 2>&1; }
}

if [ "$WANT_E2E" = 1 ] && [ ! -x /usr/bin/chromium ]; then
  say "installing Debian's Chromium for the browser tests (packages chromium, fonts-liberation)"
  apt_install chromium fonts-liberation \
    || say "Chromium could not be installed (needs root and apt-get): the browser tests will be skipped"
fi

extras=()
[ "$WANT_E2E" = 1 ] && extras+=(requirements-e2e.txt)
[ "$WANT_DASHBOARD" = 1 ] && extras+=(requirements-dashboard.txt)
[ "$WANT_HUB" = 1 ] && extras+=(requirements-hub.txt)
[ "$WANT_SITE" = 1 ] && extras+=(requirements-site.txt)
for req in "${extras[@]}"; do
  xstamp="$VENV/.labkit-${req%.txt}"
  xwant=$(cat requirements.txt "$req" | sha256sum | cut -d' ' -f1)
  if [ ! -f "$xstamp" ] || [ "$(cat "$xstamp")" != "$xwant" ]; then
    say "installing the pinned packages of $req into .venv"
    # requirements.txt's pins hold (as constraints; pip takes only named pins there, not `-e .`)
    grep -v '^[[:space:]]*-e' requirements.txt > "$VENV/.labkit-constraints.txt"
    if ! "$VENV/bin/python" -m pip install -q --disable-pip-version-check -c "$VENV/.labkit-constraints.txt" \
         -r "$req" > "$VENV/.labkit-pip.log" 2>&1; then
      grep -v "^WARNING: Location" "$VENV/.labkit-pip.log" >&2 || true
      say "installing $req failed; see the messages above"; exit 1
    fi
    echo "$xwant" > "$xstamp"
  fi
done

# JupyterHub's proxy is the Node.js program configurable-http-proxy, pinned in deploy/package.json.
if [ "$WANT_HUB" = 1 ]; then
  hstamp="$VENV/.labkit-hub-proxy"
  hwant=$(sha256sum deploy/package.json | cut -d' ' -f1)
  if [ ! -x "$VENV/hub/node_modules/.bin/configurable-http-proxy" ] || [ ! -f "$hstamp" ] \
     || [ "$(cat "$hstamp")" != "$hwant" ]; then
    if command -v npm >/dev/null 2>&1; then
      say "installing JupyterHub's proxy (configurable-http-proxy, npm) into .venv/hub"
      mkdir -p "$VENV/hub" && cp deploy/package.json "$VENV/hub/package.json"
      if (cd "$VENV/hub" && npm install --omit=dev --no-audit --no-fund --no-package-lock --loglevel=error \
            >/dev/null 2>&1); then
        echo "$hwant" > "$hstamp"
      else
        say "warning: npm could not install configurable-http-proxy; the JupyterHub test will be skipped"
      fi
    else
      say "optional: Node.js and npm are missing, so JupyterHub's proxy is not installed (apt-get install npm)"
    fi
  fi
fi

# Jupyter Book 2 runs mystmd on Node.js (>= 18); its wheel brings the JavaScript, not Node.
if [ "$WANT_SITE" = 1 ] && ! command -v node >/dev/null 2>&1; then
  say "installing Node.js for the course website (Debian package nodejs)"
  apt_install nodejs || say "Node.js could not be installed (needs root and apt-get): 'make site' and its test need it"
fi
