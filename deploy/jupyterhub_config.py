"""JupyterHub configuration for a labkit class on one server (docs/workshops.md).

Start it from a labkit checkout that ran ``scripts/setup.sh --hub`` (JupyterHub and its
proxy in ``.venv``)::

    LABKIT_HUB_USER_PASSWORD='a long class password' LABKIT_HUB_HOMES="$HOME/class/{username}" \\
        .venv/bin/jupyterhub -f deploy/jupyterhub_config.py

Every learner gets a single-user Jupyter server started from this checkout's
``.venv`` (so ``import labkit`` works), in JupyterLab, in their own home folder.
Settings come from environment variables, so the file itself never holds a secret:

============================== ===============================================================
LABKIT_HUB_AUTH                ``shared-password`` (default): one class password for every
                               learner, JupyterHub's SharedPasswordAuthenticator; learners run
                               as the hub's Unix user (never root: the hub refuses) with a home
                               folder each under LABKIT_HUB_HOMES -- for a one-day workshop on a
                               throw-away VM.
                               ``pam``: learners are Unix accounts (PAM) and each server runs as
                               its learner (LocalProcessSpawner; the hub runs as root) -- a
                               longer course.
                               ``dummy``: any name, any password -- automated tests only.
LABKIT_HUB_USER_PASSWORD       the class password (shared-password; 8 characters or more)
LABKIT_HUB_ADMIN_PASSWORD      the instructors' password (shared-password; 32 or more; optional)
LABKIT_HUB_ADMINS              instructors' user names, comma-separated (default: instructor)
LABKIT_HUB_BIND_URL            where learners connect (default http://:8000, every address)
LABKIT_HUB_API_URL             the Hub's internal API (default http://127.0.0.1:8081)
LABKIT_HUB_PROXY_API_URL       the proxy's REST API (default http://127.0.0.1:8001)
LABKIT_HUB_STATE_DIR           database, cookie secret, pid files (default: the working folder)
LABKIT_HUB_HOMES               learners' folders, ``{username}`` expanded (shared-password and
                               dummy; default /srv/labkit-class/{username})
LABKIT_HUB_DEFAULT_URL         what a learner sees first (default /lab)
LABKIT_HUB_SERVICE_TOKEN       optional: an API token for the service "labkit-instructor"
                               (create and start learners' servers before class, make tokens,
                               stop servers) -- used by tests/test_jupyterhub.py
============================== ===============================================================

TLS: put the hub behind a reverse proxy that terminates HTTPS, or use The Littlest
JupyterHub, which does it for you (docs/workshops.md).
"""
import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821 -- provided by JupyterHub when it loads this file

REPO = Path(__file__).resolve().parents[1]
VENV_BIN = REPO / ".venv" / "bin"


def env(name, default=None):
    value = os.environ.get(name, "").strip()
    return value or default


def venv_program(name):
    """A program of this checkout's .venv (else of the Python running the hub)."""
    for folder in (VENV_BIN, Path(sys.executable).parent):
        if (folder / name).exists():
            return str(folder / name)
    return name


auth = env("LABKIT_HUB_AUTH", "shared-password")
if auth not in ("shared-password", "pam", "dummy"):
    raise SystemExit(f"LABKIT_HUB_AUTH must be shared-password, pam or dummy, not {auth!r}")
admins = {a.strip() for a in env("LABKIT_HUB_ADMINS", "instructor").split(",") if a.strip()}
state = Path(env("LABKIT_HUB_STATE_DIR", os.getcwd())).resolve()
state.mkdir(parents=True, exist_ok=True)

# --- where things listen -------------------------------------------------------------
c.JupyterHub.bind_url = env("LABKIT_HUB_BIND_URL", "http://:8000")
c.JupyterHub.hub_bind_url = env("LABKIT_HUB_API_URL", "http://127.0.0.1:8081")
c.ConfigurableHTTPProxy.api_url = env("LABKIT_HUB_PROXY_API_URL", "http://127.0.0.1:8001")
proxy = REPO / ".venv" / "hub" / "node_modules" / ".bin" / "configurable-http-proxy"
if proxy.exists():  # scripts/setup.sh --hub installs it there (deploy/package.json)
    c.ConfigurableHTTPProxy.command = [str(proxy)]
c.ConfigurableHTTPProxy.pid_file = str(state / "jupyterhub-proxy.pid")

# --- the hub's own files ----------------------------------------------------------------
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(state / "jupyterhub.pid")

# --- who may log in ---------------------------------------------------------------------
c.Authenticator.admin_users = admins
if auth == "shared-password":
    if os.geteuid() == 0:  # every learner's server runs as the hub's user: never root
        raise SystemExit("LABKIT_HUB_AUTH=shared-password: run the hub as an ordinary user (each learner's "
                         "server runs as that user, so as root every learner would be root); see docs/workshops.md")
    c.JupyterHub.authenticator_class = "shared-password"
    password = env("LABKIT_HUB_USER_PASSWORD")
    if not password:
        raise SystemExit("set LABKIT_HUB_USER_PASSWORD (the class password, 8 characters or more)")
    c.SharedPasswordAuthenticator.user_password = password
    if env("LABKIT_HUB_ADMIN_PASSWORD"):
        c.SharedPasswordAuthenticator.admin_password = env("LABKIT_HUB_ADMIN_PASSWORD")
    c.Authenticator.allow_all = True  # anyone with the class password, under any name
elif auth == "pam":
    c.JupyterHub.authenticator_class = "pam"
    c.Authenticator.allow_all = True  # every Unix account of the server may log in
else:
    c.JupyterHub.authenticator_class = "dummy"

# --- each learner's server --------------------------------------------------------------
if auth == "pam":
    c.JupyterHub.spawner_class = "localprocess"  # runs as the learner's Unix account
else:
    c.JupyterHub.spawner_class = "simple"  # one Unix user, a home folder per learner
    c.SimpleLocalProcessSpawner.home_dir_template = env("LABKIT_HUB_HOMES", "/srv/labkit-class/{username}")
c.Spawner.cmd = [venv_program("jupyterhub-singleuser")]
# labkit is installed editable in .venv (scripts/setup.sh). An editable install loses to any
# folder named "labkit" in a kernel's working folder -- and nbgitpuller clones this repository
# to ~/labkit -- unless the checkout itself is on the path, where the real package wins.
c.Spawner.environment = {"PYTHONPATH": str(REPO)}
c.Spawner.default_url = env("LABKIT_HUB_DEFAULT_URL", "/lab")
if auth == "dummy" and os.geteuid() == 0:
    c.Spawner.args = ["--allow-root"]  # tests as root (CI): the servers run as the hub's user
# A whole class logs in at 9:00: be patient with slow starts, spawn at most 20 at once.
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 60
c.JupyterHub.concurrent_spawn_limit = 20

# --- an API token for the instructor's scripts (optional) --------------------------------
token = env("LABKIT_HUB_SERVICE_TOKEN")
if token:
    c.JupyterHub.services = [{"name": "labkit-instructor", "api_token": token}]
    c.JupyterHub.load_roles = [{
        "name": "labkit-instructor",
        "description": "create learners, start and stop their servers, issue their tokens",
        "scopes": ["admin:users", "admin:servers", "tokens", "list:users", "read:users"],
        "services": ["labkit-instructor"],
    }]
