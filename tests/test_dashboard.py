"""The instructor's projector dashboard: Voila renders dashboards/cluster_admin.ipynb
(the Cluster Administrator on the reference cluster file), with no code on the page; in
headless Chromium the Crash button works there as in JupyterLab. ``make dashboard``
starts the same thing (scripts/dashboard.sh)."""
from __future__ import annotations

import json
import re

import pytest

from _servers import (READ_PAGE, ROOT, Server, free_port, jupyter_env, launch_chromium, need, playwright_or_skip,
                      venv_tool)

DASHBOARD = ROOT / "dashboards" / "cluster_admin.ipynb"
OUT = ROOT / "tests" / "e2e" / "out"
TIMEOUT = 300  # seconds: only guards against a hung server; a loaded machine never needs that long


def start_voila(tmp_path, name: str, env: dict | None = None):
    try:
        import voila  # noqa: F401
    except ImportError:
        need(False, "Voila is not installed: run scripts/setup.sh --dashboard (requirements-dashboard.txt)")
    port = free_port()
    cmd = [venv_tool("voila"), str(DASHBOARD), "--no-browser", "--Voila.ip=127.0.0.1", f"--port={port}",
           "--Voila.port_retries=0", "--theme=light"]
    server = Server(name, cmd, cwd=ROOT, env=jupyter_env(tmp_path) | (env or {}), log_dir=tmp_path)
    server.wait_http(f"http://127.0.0.1:{port}/voila/static/", TIMEOUT, ok=lambda status, body: status < 500)
    return server, f"http://127.0.0.1:{port}"


def widget_views(html: str) -> list[dict]:
    """The widget views Voila put on the page (their model ids and text form)."""
    found = []
    for m in re.finditer(r'"application/vnd\.jupyter\.widget-view\+json": (\{[^}]*\})', html):
        found.append(json.loads(m.group(1)))
    return found


def test_make_dashboard_runs_voila_on_the_dashboard_notebook():
    mk = (ROOT / "Makefile").read_text()
    script = (ROOT / "scripts" / "dashboard.sh").read_text()
    assert "dashboard: setup" in mk and "scripts/dashboard.sh" in mk
    assert "dashboards/cluster_admin.ipynb" in script and "voila" in script and "--Voila.ip=127.0.0.1" in script


@pytest.fixture(scope="module")
def voila(tmp_path_factory):
    """One Voila server for the reference dashboard (each page load gets its own kernel)."""
    server, base = start_voila(tmp_path_factory.mktemp("voila"), "voila")
    try:
        yield server, base
    finally:
        server.stop()


def test_voila_renders_the_cluster_administrator_without_code(voila):
    server, base = voila
    html = server.wait_http(f"{base}/", TIMEOUT).decode()
    assert widget_views(html), "no widget on the page"
    assert "ClusterAdministrator(" in html and "FOUR-STOOGES" in html
    assert "scenarios" not in html and "files.load(path)" not in html  # Voila strips the code


def test_voila_dashboard_shows_another_cluster_file(tmp_path):
    server, base = start_voila(tmp_path, "voila-two-node",
                               env={"LABKIT_CLUSTER_FILE": str(ROOT / "examples" / "two_node_file_share.yaml")})
    try:
        html = server.wait_http(f"{base}/", TIMEOUT).decode()
    finally:
        server.stop()
    assert widget_views(html) and "FS-CLUSTER" in html and "FOUR-STOOGES" not in html


def test_crash_node_on_the_dashboard_in_the_browser(voila, tmp_path):
    sync_playwright = playwright_or_skip()
    server, base = voila
    OUT.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        context = launch_chromium(pw, tmp_path / "chromium-profile")
        page = context.pages[0] if context.pages else context.new_page()
        page.set_default_timeout(TIMEOUT * 1000)
        try:
            page.goto(f"{base}/")
            page.wait_for_function(f"({READ_PAGE})().svg && ({READ_PAGE})().owners['EXVS1'] === '1-CURLY'")
            before = page.evaluate(READ_PAGE)
            page.get_by_role("button", name="Crash", exact=True).click()
            page.wait_for_function(f"(old) => {{ const p = ({READ_PAGE})(); "
                                   "return p.nodes['1-CURLY'] === 'Down' && p.svg !== old; }", arg=before["svg"])
            crashed = page.evaluate(READ_PAGE)
            page.get_by_role("button", name="Run until stable", exact=True).click()
            page.wait_for_function(f"(old) => {{ const p = ({READ_PAGE})(); "
                                   "return p.svg !== old && p.owners['EXVS1'] !== '1-CURLY'; }",
                                   arg=crashed["svg"])
            after = page.evaluate(READ_PAGE)
            page.screenshot(path=str(OUT / "dashboard_after_crash.png"), full_page=True)
        finally:
            context.close()
    assert {g for g in before["owners"] if after["owners"][g] != before["owners"][g]} == {"Cluster Group", "EXVS1"}
