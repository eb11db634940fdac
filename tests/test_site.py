"""The course website (Jupyter Book 2, `make site`): built from a copy of the repository,
checked for errors, broken internal links and missing pages (scripts/site.py does the
checking), then three pages opened in headless Chromium -- the home page, notebook 06 and
the glossary -- at 1366 x 768, checking that they render with their diagrams.

Screenshots go to _build/screenshots/ of the copy, and to $LABKIT_SITE_SHOTS if set.
"""
from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from _course import script
from _servers import ROOT, Server, free_port, launch_chromium, need, playwright_or_skip

site = script("site")
PAGES = {"index": "", "notebook-06": "build-the-5000-user-cluster/", "glossary": "glossary/"}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    need(shutil.which("node") is not None, "Node.js is not installed: Jupyter Book 2 runs on it (apt-get install nodejs)")
    need(shutil.which("jupyter-book", path=str(Path(sys.executable).parent)) is not None,
         "Jupyter Book is not installed: run scripts/setup.sh --site (make test installs it)")
    root = tmp_path_factory.mktemp("site") / "repo"
    root.mkdir()
    for d in ("notebooks", "exercises", "site"):
        shutil.copytree(ROOT / d, root / d)
    shutil.copytree(ROOT / "docs", root / "docs", ignore=shutil.ignore_patterns("_generated"))
    shutil.copy(ROOT / "myst.yml", root / "myst.yml")
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "site.py"), "--root", str(root)],
                          capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, f"the site build or its checks failed:\n{proc.stdout}\n{proc.stderr}"
    print(proc.stdout)
    return root / "_build" / "html"


def test_every_page_of_the_table_of_contents_is_written_and_linked(built):
    report = json.loads((built / "_labkit" / "report.json").read_text())
    assert len(report["pages"]) == len(site.toc_files(ROOT)) >= 45
    assert report["unknown_nodes"] == {}
    assert site.crawl(built) == []
    assert len(report["links"]) > 150           # the pages really link to each other


def test_notebook_pages_carry_launch_links_and_committed_outputs(built):
    page = html.unescape((built / "build-the-5000-user-cluster" / "index.html").read_text())
    assert "https://mybinder.org/v2/gh/OWNER/labkit/HEAD?urlpath=lab%2Ftree%2Fnotebooks%2F06_build_the_5000_user_cluster.ipynb" in page
    assert ("https://HUB/hub/user-redirect/git-pull?repo=https%3A%2F%2Fgithub.com%2FOWNER%2Flabkit&branch=main"
            "&urlpath=lab%2Ftree%2Flabkit%2Fnotebooks%2F06_build_the_5000_user_cluster.ipynb") in page
    assert "same as four_node_5000(): True" in page                    # a committed text output
    assert page.count("<svg") >= 3                                    # two diagrams and the widget's
    assert "Interactive widget: run this notebook to use it." in page   # the widget snapshot, labelled
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted((ROOT / "exercises").glob("*.ipynb")):
        rel = f"{nb.parent.name}%2F{nb.name}"
        assert any(rel in p.read_text() for p in built.glob("*/index.html")), f"no launch link for {nb.name}"


def test_search_index_is_there(built):
    records = json.loads((built / "myst.search.json").read_text())["records"]
    assert len(records) > 200
    assert any("quorum" in (r.get("content") or "").lower() for r in records)
    assert (built / "_static" / "search.js").exists()


def test_the_answer_key_and_the_solutions_are_not_published(built):
    key = (ROOT / "docs" / "instructor" / "assessment-key.md").read_text()
    explanation = re.search(r"\| 4 \| C \| ([^|]+)\|", key).group(1).strip()
    solution_marker = "# the author's own checks"
    for f in built.rglob("*"):
        if f.is_file() and f.suffix in (".html", ".json", ".md", ".ipynb"):
            text = f.read_text(errors="replace")
            assert explanation not in text, f"the answer key leaked into {f.relative_to(built)}"
            assert solution_marker not in text, f"a solution leaked into {f.relative_to(built)}"
    assert not list(built.rglob("*assessment-key*"))


def test_the_link_check_catches_a_broken_link_and_anchor(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text('<p id="x"><a href="../b/">b</a> <a href="#x">ok</a> <a href="#nope">n</a></p>')
    problems = site.crawl(tmp_path)
    assert any("missing file: ../b/" in p for p in problems)
    assert any("missing anchor: #nope" in p for p in problems)
    assert not any("#x" in p for p in problems)


@pytest.fixture(scope="module")
def served(built, tmp_path_factory):
    port = free_port()
    logs = tmp_path_factory.mktemp("site-server")
    server = Server("site", [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                             "--directory", str(built)], cwd=built, log_dir=logs)
    try:
        server.wait_http(f"http://127.0.0.1:{port}/", 60)
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.stop()


VISIBLE_SVGS = """() => [...document.querySelectorAll('main svg')].map(s => {
  const r = s.getBoundingClientRect(), st = getComputedStyle(s);
  return {w: r.width, h: r.height, shown: st.display !== 'none' && st.visibility !== 'hidden',
          shapes: s.querySelectorAll('path, polygon, ellipse, text').length};
})"""


def test_three_pages_render_with_their_diagrams_in_chromium(served, built, tmp_path):
    sync_playwright = playwright_or_skip()
    shots = [built.parent / "screenshots"]
    if os.environ.get("LABKIT_SITE_SHOTS"):
        shots.append(Path(os.environ["LABKIT_SITE_SHOTS"]))
    for d in shots:
        d.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = launch_chromium(pw, tmp_path / "profile")
        try:
            page = browser.new_page()
            page.set_viewport_size({"width": 1366, "height": 768})
            errors = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            seen = {}
            for name, path in PAGES.items():
                page.goto(served + path, wait_until="load", timeout=90_000)
                page.wait_for_selector("main h1", timeout=90_000)
                seen[name] = page.evaluate(VISIBLE_SVGS)
                assert page.evaluate("() => document.querySelector('.sidebar a.current') !== null"), name
                for d in shots:
                    page.screenshot(path=str(d / f"{name}.png"))
                    page.screenshot(path=str(d / f"{name}-full.png"), full_page=True)
            # the home page: the course map and the reference cluster, drawn and visible
            home = [s for s in seen["index"] if s["shown"] and s["w"] > 100 and s["h"] > 50 and s["shapes"] > 10]
            assert len(home) >= 2, seen["index"]
            # notebook 06: its Graphviz diagrams (storage, the whole cluster) and the widget's snapshot
            nb06 = [s for s in seen["notebook-06"] if s["shown"] and s["w"] > 100 and s["h"] > 50 and s["shapes"] > 10]
            assert len(nb06) >= 3, seen["notebook-06"]
            # the glossary: its terms, and the search box finds one
            page.goto(served + PAGES["glossary"], wait_until="load")
            assert page.locator("dl dt").count() >= 80
            assert page.locator("dt#term-quorum-resource").is_visible()
            page.fill("#search-input", "quorum resource")
            page.wait_for_selector("#search-results a", timeout=30_000)
            assert page.locator("#search-results a").count() >= 1
            assert errors == [], errors
        finally:
            browser.close()
