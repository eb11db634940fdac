"""A class on JupyterHub: deploy/jupyterhub_config.py, tested for real.

The live test starts JupyterHub on 127.0.0.1 with that file (the dummy authenticator,
the simple local-process spawner, the real configurable-http-proxy from npm), creates two
learners through the Hub's REST API with the instructor service's token, starts both
learners' servers at once, hands the notebooks out with nbgitpuller (each learner's server
pulls a git repository of the notebooks into their home, as a workshop link does), and
with each learner's own token runs labkit in a kernel of their server, through the proxy.
It also checks that one learner's token does not open the other's server.
``make hub-check`` runs just this file.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
from traitlets.config.loader import PyFileConfigLoader

from _servers import ROOT, Server, free_port, http_json, jupyter_env, need, venv_tool

CONFIG = ROOT / "deploy" / "jupyterhub_config.py"
PROXY = ROOT / ".venv" / "hub" / "node_modules" / ".bin" / "configurable-http-proxy"
LEARNERS = ("learner1", "learner2")
TIMEOUT = 300  # seconds, an upper bound for each wait (a hang guard: generous for a loaded machine)


def load_config(monkeypatch, **env):
    for k in [k for k in os.environ if k.startswith("LABKIT_HUB_")]:
        monkeypatch.delenv(k)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    return PyFileConfigLoader(CONFIG.name, path=str(CONFIG.parent)).load_config()


# ------------------------------------------------------------------ the file itself
def test_config_for_tests_uses_dummy_auth_and_the_simple_spawner(monkeypatch, tmp_path):
    cfg = load_config(monkeypatch, LABKIT_HUB_AUTH="dummy", LABKIT_HUB_STATE_DIR=str(tmp_path))
    assert cfg.JupyterHub.authenticator_class == "dummy" and cfg.JupyterHub.spawner_class == "simple"
    assert cfg.Spawner.cmd[0].endswith("jupyterhub-singleuser")
    assert cfg.JupyterHub.db_url == f"sqlite:///{tmp_path / 'jupyterhub.sqlite'}"
    assert "services" not in cfg.JupyterHub  # no token, no service
    # an editable labkit must win over a ~/labkit folder (where nbgitpuller puts the notebooks)
    assert cfg.Spawner.environment["PYTHONPATH"] == str(ROOT)


def test_config_shared_password_needs_a_password_and_refuses_root(monkeypatch, tmp_path):
    with pytest.raises(SystemExit, match="LABKIT_HUB_USER_PASSWORD|ordinary user"):
        load_config(monkeypatch, LABKIT_HUB_STATE_DIR=str(tmp_path))
    if os.geteuid() == 0:
        with pytest.raises(SystemExit, match="ordinary user"):
            load_config(monkeypatch, LABKIT_HUB_STATE_DIR=str(tmp_path), LABKIT_HUB_USER_PASSWORD="x" * 12)
    else:
        cfg = load_config(monkeypatch, LABKIT_HUB_STATE_DIR=str(tmp_path), LABKIT_HUB_USER_PASSWORD="x" * 12)
        assert cfg.JupyterHub.authenticator_class == "shared-password"
        assert cfg.SharedPasswordAuthenticator.user_password == "x" * 12


def test_config_pam_runs_each_learner_as_their_account(monkeypatch, tmp_path):
    cfg = load_config(monkeypatch, LABKIT_HUB_AUTH="pam", LABKIT_HUB_STATE_DIR=str(tmp_path),
                      LABKIT_HUB_ADMINS="alice, bob")
    assert (cfg.JupyterHub.authenticator_class, cfg.JupyterHub.spawner_class) == ("pam", "localprocess")
    assert cfg.Authenticator.admin_users == {"alice", "bob"}


def test_config_rejects_an_unknown_authenticator(monkeypatch, tmp_path):
    with pytest.raises(SystemExit, match="shared-password, pam or dummy"):
        load_config(monkeypatch, LABKIT_HUB_AUTH="ldap", LABKIT_HUB_STATE_DIR=str(tmp_path))


def test_config_service_token_gives_the_instructor_role(monkeypatch, tmp_path):
    cfg = load_config(monkeypatch, LABKIT_HUB_AUTH="dummy", LABKIT_HUB_STATE_DIR=str(tmp_path),
                      LABKIT_HUB_SERVICE_TOKEN="t" * 32)
    assert cfg.JupyterHub.services == [{"name": "labkit-instructor", "api_token": "t" * 32}]
    assert cfg.JupyterHub.load_roles[0]["services"] == ["labkit-instructor"]


# ------------------------------------------------------------------ a real hub
def run_in_kernel(base: str, user: str, token: str, code: str) -> str:
    """Start a kernel on ``user``'s server (through the proxy), run ``code``, return stdout."""
    import websocket  # websocket-client, pinned in requirements.txt

    status, kernel = http_json("POST", f"{base}/user/{user}/api/kernels", token=token, body={"name": "python3"})
    assert status == 201, (status, kernel)
    ws = websocket.create_connection(f"{base.replace('http', 'ws', 1)}/user/{user}/api/kernels/{kernel['id']}"
                                     f"/channels", header=[f"Authorization: token {token}"], timeout=TIMEOUT)
    try:
        msg_id = uuid.uuid4().hex
        ws.send(json.dumps({
            "header": {"msg_id": msg_id, "username": user, "session": uuid.uuid4().hex, "msg_type": "execute_request",
                       "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell",
            "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": True}}))
        out, deadline = [], time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            msg = json.loads(ws.recv())
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = msg["header"]["msg_type"]
            if kind == "stream":
                out.append(msg["content"]["text"])
            elif kind == "error":
                pytest.fail(f"{user}'s kernel: {msg['content']['ename']}: {msg['content']['evalue']}")
            elif kind == "status" and msg["content"]["execution_state"] == "idle":
                return "".join(out)
        pytest.fail(f"{user}'s kernel did not finish within {TIMEOUT} s")
    finally:
        ws.close()
        http_json("DELETE", f"{base}/user/{user}/api/kernels/{kernel['id']}", token=token)


@pytest.fixture
def hub(tmp_path):
    need(PROXY.exists(), "JupyterHub's proxy is not installed in .venv/hub: run scripts/setup.sh --hub "
                         "(needs npm; it installs configurable-http-proxy from deploy/package.json)")
    try:
        import jupyterhub  # noqa: F401
    except ImportError:
        need(False, "JupyterHub is not installed: run scripts/setup.sh --hub (requirements-hub.txt)")
    port, api_port, proxy_api = free_port(), free_port(), free_port()
    token = secrets.token_hex(32)
    env = jupyter_env(tmp_path) | {
        "LABKIT_HUB_AUTH": "dummy", "LABKIT_HUB_STATE_DIR": str(tmp_path / "state"),
        "LABKIT_HUB_HOMES": str(tmp_path / "homes" / "{username}"),
        "LABKIT_HUB_BIND_URL": f"http://127.0.0.1:{port}", "LABKIT_HUB_API_URL": f"http://127.0.0.1:{api_port}",
        "LABKIT_HUB_PROXY_API_URL": f"http://127.0.0.1:{proxy_api}", "LABKIT_HUB_SERVICE_TOKEN": token,
        "LABKIT_HUB_ADMINS": "instructor"}
    server = Server("jupyterhub", [venv_tool("jupyterhub"), "-f", str(CONFIG)], cwd=tmp_path, env=env,
                    log_dir=tmp_path)
    base = f"http://127.0.0.1:{port}"
    try:
        # through the proxy: the hub is up and the proxy routes to it
        server.wait_http(f"{base}/hub/api/", TIMEOUT)
        yield server, base, token
    finally:
        for user in LEARNERS:  # stop the learners' servers through the hub, then the hub
            if server.proc.poll() is None:
                http_json("DELETE", f"{base}/hub/api/users/{user}/server", token=token)
        server.stop(timeout=30)
        pid_file = tmp_path / "state" / "jupyterhub-proxy.pid"
        if pid_file.exists():  # the hub stops its proxy on exit; if it could not, do it here
            try:
                os.kill(int(pid_file.read_text().strip()), 15)
            except (ValueError, ProcessLookupError):
                pass


def content_repo(tmp_path: Path) -> Path:
    """A git repository holding the kit's notebooks, on branch main: what an instructor
    publishes for nbgitpuller (here on disk; in class, on GitHub)."""
    repo = tmp_path / "content" / "labkit"
    shutil.copytree(ROOT / "notebooks", repo / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    git = ["git", "-c", "user.name=labkit test", "-c", "user.email=labkit@example.invalid", "-C", str(repo)]
    for args in (["init", "-q", "-b", "main"], ["add", "."], ["commit", "-q", "-m", "notebooks"]):
        subprocess.run(git + args, check=True, capture_output=True)
    return repo


def git_pull(base: str, user: str, token: str, repo: Path) -> list[dict]:
    """What the page of an nbgitpuller link does: call the server's git-pull API and read
    its event stream until the pull finishes."""
    query = urllib.parse.urlencode({"repo": str(repo), "branch": "main", "targetpath": "labkit"})
    req = urllib.request.Request(f"{base}/user/{user}/git-pull/api?{query}",
                                 headers={"Authorization": f"token {token}"})
    events = []
    with urllib.request.urlopen(req, timeout=TIMEOUT) as stream:
        for raw in stream:
            line = raw.decode().strip()
            if line.startswith("data: "):
                events.append(json.loads(line[6:]))
                if events[-1].get("phase") in ("finished", "error"):
                    break
    return events


def wait_ready(base: str, token: str, user: str, server: Server) -> dict:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        assert server.proc.poll() is None, server.log()
        status, model = http_json("GET", f"{base}/hub/api/users/{user}", token=token)
        assert status == 200, (status, model)
        s = model.get("servers", {}).get("")
        if s and s.get("ready"):
            return s
        if not s or not s.get("pending"):
            pytest.fail(f"{user}'s server is neither starting nor ready: {model}\n{server.log()}")
        time.sleep(0.25)  # poll interval
    pytest.fail(f"{user}'s server was not ready within {TIMEOUT} s:\n{server.log()}")


def test_two_learners_start_servers_that_import_labkit(hub, tmp_path):
    server, base, token = hub
    status, body = http_json("POST", f"{base}/hub/api/users", token=token, body={"usernames": list(LEARNERS)})
    assert status == 201, (status, body)
    for user in LEARNERS:  # both at once, as a class does
        status, body = http_json("POST", f"{base}/hub/api/users/{user}/server", token=token)
        assert status in (201, 202), (status, body)
    tokens = {}
    for user in LEARNERS:
        info = wait_ready(base, token, user, server)
        assert info["url"] == f"/user/{user}/"
        status, body = http_json("POST", f"{base}/hub/api/users/{user}/tokens", token=token,
                                 body={"note": "labkit hub check", "expires_in": 900})
        assert status == 201, (status, body)
        tokens[user] = body["token"]
    repo = content_repo(tmp_path)
    link = (f"{base}/hub/user-redirect/git-pull?repo={urllib.parse.quote(str(repo), safe='')}&branch=main"
            "&urlpath=lab%2Ftree%2Flabkit%2Fnotebooks%2F00_start_here.ipynb")
    for user in LEARNERS:
        # the link's page is served by the learner's server ...
        page = urllib.parse.urlparse(link)
        status, _ = http_json("GET", f"{base}/user/{user}/git-pull?{page.query}", token=tokens[user])
        assert status == 200
        # ... and the pull it starts puts the notebooks in the learner's home
        events = git_pull(base, user, tokens[user], repo)
        assert events and events[-1]["phase"] == "finished", events
        assert (tmp_path / "homes" / user / "labkit" / "notebooks" / "00_start_here.ipynb").exists()
    for user in LEARNERS:
        out = run_in_kernel(base, user, tokens[user],
                            "import os, labkit\nfrom labkit import scenarios\n"
                            "c = scenarios.four_node_5000()\n"
                            "print(labkit.__version__, os.environ['JUPYTERHUB_USER'], os.getcwd(), "
                            "c.groups['EXVS1'].owner, os.path.exists('labkit/notebooks/00_start_here.ipynb'))")
        version, who, cwd, owner, pulled = out.split()
        assert (who, owner, pulled) == (user, "1-CURLY", "True")
        assert Path(cwd) == tmp_path / "homes" / user
        import labkit
        assert version == labkit.__version__
    # each learner's token opens only their own server
    other = {"learner1": "learner2", "learner2": "learner1"}
    for user in LEARNERS:
        status, _ = http_json("GET", f"{base}/user/{other[user]}/api/status", token=tokens[user])
        assert status == 403, f"{user}'s token opened {other[user]}'s server (HTTP {status})"
        status, _ = http_json("GET", f"{base}/user/{user}/api/status", token=tokens[user])
        assert status == 200


def test_the_workshop_docs_give_a_working_nbgitpuller_link():
    text = (ROOT / "docs" / "workshops.md").read_text()
    links = [ln.strip() for ln in text.splitlines() if "/hub/user-redirect/git-pull?" in ln]
    assert links
    query = urllib.parse.parse_qs(urllib.parse.urlparse(links[0]).query)
    repo = query["repo"][0]      # the learner release's repository (labkit release), e.g. OWNER/labkit-class
    assert repo.startswith("https://github.com/OWNER/labkit") and query["branch"] == ["main"]
    name = repo.rsplit("/", 1)[1]
    target = query["urlpath"][0]
    assert target.startswith(f"lab/tree/{name}/")  # the clone's folder is the repository's name
    assert (ROOT / target.removeprefix(f"lab/tree/{name}/")).exists()
    assert "make hub-check" in text and "hub-check: setup" in (ROOT / "Makefile").read_text()
