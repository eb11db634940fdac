"""Helpers for the tests that start real servers (JupyterLab, Voilà, JupyterHub) on
127.0.0.1 and drive them over HTTP or in headless Chromium.

Everything here waits on a condition with a deadline (a server answering, a page
element appearing), never on a fixed sleep. Servers are started in their own process
group and ended by that group's id, so a kernel or single-user server they spawned
ends with them.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = ROOT / ".venv" / "bin"
#: Debian's Chromium (package "chromium"); LABKIT_CHROMIUM overrides it.
CHROMIUM = os.environ.get("LABKIT_CHROMIUM", "/usr/bin/chromium")
#: The flags this machine needs: no sandbox as root, no GPU, and nothing that reaches
#: for the network on its own (the network here is closed).
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage"]


def need(ok: bool, reason: str) -> None:
    """Skip with ``reason`` unless ``ok`` -- but in CI as root, where scripts/setup.sh can
    install everything, a missing piece is a failure of the set-up, not a reason to skip."""
    if ok:
        return
    if os.environ.get("CI") and os.geteuid() == 0:
        pytest.fail(f"{reason} (CI runs as root, so scripts/setup.sh should have installed it)")
    pytest.skip(reason)


def venv_tool(name: str) -> str:
    """A console script of the repository's .venv (or of the running Python's env)."""
    for d in (VENV_BIN, Path(sys.executable).parent):
        if (d / name).exists():
            return str(d / name)
    found = shutil.which(name)
    return found or name


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A process started for a test, with its output in a log file."""

    def __init__(self, name: str, cmd: list[str], *, cwd: Path, env: dict | None = None, log_dir: Path):
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        self._log = open(self.log_path, "wb")
        full_env = dict(os.environ)
        full_env.update(env or {})
        self.proc = subprocess.Popen(cmd, cwd=cwd, env=full_env, stdout=self._log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")[-6000:]

    def wait_http(self, url: str, timeout: float = 300, ok=lambda status, body: status == 200) -> bytes:
        """Poll ``url`` until ``ok(status, body)`` (any status: an error page is an answer
        too); fail with the server's log if it exits or the deadline passes."""
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"{self.name} exited with code {self.proc.returncode} before answering {url}:\n"
                            f"{self.log()}")
            try:
                with urllib.request.urlopen(url, timeout=30) as r:
                    body = r.read()
                    if ok(r.status, body):
                        return body
                    last = f"HTTP {r.status}"
            except urllib.error.HTTPError as e:
                body = e.read()
                if ok(e.code, body):
                    return body
                last = f"HTTP {e.code}"
            except (urllib.error.URLError, ConnectionError, socket.timeout) as e:
                last = str(e)
            time.sleep(0.2)  # poll interval, not a wait for a guess
        pytest.fail(f"{self.name} did not answer {url} within {timeout:.0f} s ({last}):\n{self.log()}")

    def stop(self, timeout: float = 15) -> None:
        """SIGTERM the process group (the server and what it spawned), then SIGKILL."""
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)  # anything left in the group
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            pass
        self._log.close()


def http_json(method: str, url: str, *, token: str | None = None, body=None, timeout: float = 30):
    """One request with an optional JSON body; returns (status, the body parsed as JSON, or
    its text when it is not JSON, or None when empty)."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    if token:
        req.add_header("Authorization", f"token {token}")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            status, raw = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read()
    if not raw.strip():
        return status, None
    try:
        return status, json.loads(raw)
    except ValueError:  # a page, not JSON
        return status, raw.decode(errors="replace")


def jupyter_env(tmp: Path) -> dict:
    """Environment for a Jupyter server under test: its runtime files and IPython's in
    ``tmp``, nothing written to the user's home."""
    return {"JUPYTER_RUNTIME_DIR": str(tmp / "runtime"), "IPYTHONDIR": str(tmp / "ipython"),
            "PYDEVD_DISABLE_FILE_VALIDATION": "1"}


#: Reads the Cluster Administrator (labkit.views.widgets) off a JupyterLab or Voila page: each
#: group's owner from the tree (a group row is the one whose first cell is bold), each
#: node's state from the node table, and the diagram's SVG.
READ_PAGE = """() => {
  const out = {owners: {}, nodes: {}, svg: null};
  for (const tr of document.querySelectorAll('.widget-html-content table tr')) {
    const tds = tr.querySelectorAll('td');
    if (tds.length === 5 && tds[0].firstElementChild && tds[0].firstElementChild.tagName === 'B') {
      out.owners[tds[0].textContent.trim()] = tds[2].childNodes[0] ? tds[2].childNodes[0].textContent.trim() : '';
    } else if (tds.length === 4) {
      out.nodes[tds[0].textContent.replace('(quorum)', '').trim()] = tds[2].textContent.trim();
    }
  }
  const svg = document.querySelector('.widget-html-content svg');
  out.svg = svg ? svg.outerHTML : null;
  return out;
}"""


def playwright_or_skip():
    """Playwright's sync API and the Chromium path, or skip/fail with the reason."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        need(False, "the Python package 'playwright' is not installed: run scripts/setup.sh --test "
                    "(it installs requirements-e2e.txt)")
    need(Path(CHROMIUM).exists(), f"Chromium is not installed at {CHROMIUM}: as root, scripts/setup.sh --test "
                                  "installs the Debian package 'chromium' (apt-get install chromium)")
    return sync_playwright


def launch_chromium(pw, profile: Path):
    """Headless Debian Chromium with a fresh, empty user-data-dir (``profile``)."""
    return pw.chromium.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS,
        viewport={"width": 1500, "height": 1100}, ignore_https_errors=False)
