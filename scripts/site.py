#!/usr/bin/env python3
"""Build the course website with Jupyter Book 2 and check it: `make site` runs this.

    python scripts/site.py                build into _build/html, check, print time and size
    python scripts/site.py --root DIR     build the copy of the repository in DIR (the tests do)

Steps:
  1. draw the home page's diagrams with labkit and Graphviz (docs/_generated/, not committed);
  2. `jupyter-book build --html` (Jupyter Book 2 runs mystmd on Node.js; the theme in site/theme
     renders the static pages); the notebooks are shown with their committed outputs, never run;
  3. check the result: every page of the table of contents was written, Jupyter Book reported
     no error and no unresolved cross-reference, and every internal link and anchor of every
     page (crawled in the written HTML) exists. Exit 1 with the list otherwise.

Nothing is fetched from the network: Jupyter Book's JavaScript comes in its PyPI wheel, and
the theme is this repository's own (docs/site.md says why).
"""
from __future__ import annotations

import argparse
import html.parser
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Links in the notebooks that point at nothing, fixed on another branch. Each entry must
#: still be broken (the check fails once it is fixed, so the entry is removed with the fix).
KNOWN_UNRESOLVED: dict = {}

#: Jupyter Book warnings that are not problems of the site. The generated exercises reuse
#: cell ids (cell-01, cell-02, ...) across notebooks; mystmd reports each as a duplicate
#: identifier, but nothing links to cell ids.
IGNORED_WARNINGS = [re.compile(r'Duplicate identifier in project "cell-\d+"'), re.compile(r"^\s*In files: "),
                    # a notebook's link to a glossary term (scripts/glossary_links.py) names the term's
                    # HTML id, term-cluster-log; mystmd looks links up by the term's identifier, which
                    # keeps the spaces ("term-cluster log"), and warns. The page links to the HTML id
                    # all the same, and crawl() below checks that every such anchor exists.
                    re.compile(r"Cross reference target was not found: term-[a-z0-9-]+\s*$")]

#: Lines of Jupyter Book's output that mean a broken site.
PROBLEM_PATTERNS = [re.compile(p) for p in (r"⛔", r"not found", r"[Cc]ould not", r"[Ee]rror", r"⚠️")]


def draw_home_diagrams(root: Path) -> None:
    """The course map and the paper's reference cluster, as SVG files for docs/index.md."""
    sys.path.insert(0, str(root))
    import graphviz

    from labkit import diagrams, scenarios

    out = root / "docs" / "_generated"
    out.mkdir(parents=True, exist_ok=True)
    g = graphviz.Digraph("chain", graph_attr={"rankdir": "TB", "fontname": "Helvetica", "nodesep": "0.3",
                                              "ranksep": "0.35", "bgcolor": "white"},
                         node_attr={"shape": "box", "style": "rounded,filled", "fontname": "Helvetica",
                                    "fontsize": "12", "color": "#1f4e9c", "width": "2.2", "height": "0.6"},
                         edge_attr={"color": "#5b6472"})
    # four notebooks a row, coloured by part of the course
    colours = {"00": "#e8eef8", "01": "#e8eef8", "02": "#e8eef8", "03": "#e8eef8", "04": "#eaf5e4",
               "05": "#eaf5e4", "06": "#fff4d6", "07": "#fff4d6", "08": "#f6e6f0", "09": "#f6e6f0",
               "10": "#f6e6f0", "11": "#e5e5e5"}
    titles = {}
    for nb in sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        first = "".join(cells[0]["source"]).splitlines()[0].lstrip("# ").split(":")[0]
        num, _, rest = first.partition(" · ")
        titles[nb.name[:2]] = f"{num}\n{rest}"
    keys = sorted(titles)
    for row in range(0, len(keys), 4):
        with g.subgraph(name=f"row{row}", graph_attr={"rank": "same"}) as sub:
            for k in keys[row:row + 4]:
                sub.node(f"n{k}", titles[k], fillcolor=colours.get(k, "#e8eef8"))
    for i, (a, b) in enumerate(zip(keys, keys[1:])):
        # within a row left to right; from a row's end back to the next row's start
        g.edge(f"n{a}", f"n{b}", constraint="false" if i % 4 == 3 else "true")
    for col in range(4):                        # columns stay aligned (invisible)
        column = keys[col::4]
        for a, b in zip(column, column[1:]):
            g.edge(f"n{a}", f"n{b}", style="invis", weight="10")
    (out / "course-map.svg").write_text(g.pipe(format="svg").decode("utf-8"), encoding="utf-8")
    cluster = diagrams.cluster_diagram(scenarios.four_node_5000())
    (out / "reference-cluster.svg").write_text(cluster.pipe(format="svg").decode("utf-8"), encoding="utf-8")


class _Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if "unresolved" in (a.get("class") or "").split():
            return                              # reported by the theme and judged in build()
        for key in ("href", "src"):
            if a.get(key) and tag in ("a", "link", "script", "img"):
                self.refs.append(a[key])


def crawl(html_dir: Path) -> list[str]:
    """Every internal link and anchor in the written pages must exist."""
    problems, pages = [], {}
    for page in sorted(html_dir.rglob("*.html")):
        p = _Links()
        p.feed(page.read_text(encoding="utf-8"))
        pages[page.resolve()] = p
    for page, p in pages.items():
        for ref in p.refs:
            if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", ref) or ref.startswith("//"):
                continue                        # external: Binder, the hub, the paper's sources
            path, _, frag = ref.partition("#")
            path = urllib.parse.unquote(path)
            target = (page.parent / path).resolve() if path else page
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                problems.append(f"{page.relative_to(html_dir.resolve())}: link to a missing file: {ref}")
                continue
            if frag and target.suffix == ".html":
                ids = pages[target].ids if target in pages else set()
                if frag not in ids:
                    problems.append(f"{page.relative_to(html_dir.resolve())}: link to a missing anchor: {ref}")
    return problems


def toc_files(root: Path) -> list[str]:
    import yaml

    cfg = yaml.safe_load((root / "myst.yml").read_text(encoding="utf-8"))
    out = []

    def walk(entries):
        for e in entries:
            if "file" in e:
                out.append(e["file"])
            walk(e.get("children", []))

    walk(cfg["project"]["toc"])
    return out


def build(root: Path) -> dict:
    """Build and check the site in `root`; returns a summary (problems empty when all is well)."""
    started = time.monotonic()
    draw_home_diagrams(root)
    env = dict(os.environ)
    venv_bin = str(Path(sys.executable).parent)
    env["PATH"] = venv_bin + os.pathsep + env.get("PATH", "")   # the theme's `python3` is this one
    env.pop("BASE_URL", None)
    env.setdefault("NO_COLOR", "1")
    html_dir = root / "_build" / "html"
    jb = shutil.which("jupyter-book", path=env["PATH"])
    if not jb:
        raise SystemExit("jupyter-book is not installed: run scripts/setup.sh --site")
    proc = subprocess.run([jb, "build", "--html"], cwd=root, env=env, stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    log = proc.stdout
    (root / "_build").mkdir(exist_ok=True)
    (root / "_build" / "site-build.log").write_text(log, encoding="utf-8")
    seconds = time.monotonic() - started
    problems = []
    if proc.returncode != 0:
        problems.append(f"jupyter-book exited with code {proc.returncode}")
    for line in log.splitlines():
        if any(p.search(line) for p in IGNORED_WARNINGS):
            continue
        if line.startswith("labkit theme: unresolved link"):
            continue                            # judged below, with the known ones
        if any(p.search(line) for p in PROBLEM_PATTERNS):
            problems.append(f"jupyter-book: {line.strip()}")
    report_path = html_dir / "_labkit" / "report.json"
    if not report_path.exists():
        problems.append("the theme wrote no report: the render step did not run")
        return {"problems": problems, "seconds": seconds, "log": log}
    report = json.loads(report_path.read_text(encoding="utf-8"))
    seen = set()
    for u in report["unresolved"]:
        key = (u["page"], u["url"])
        seen.add(key)
        if key not in KNOWN_UNRESOLVED:
            problems.append(f"unresolved link on page '{u['page']}': {u['url']}")
    for key, why in KNOWN_UNRESOLVED.items():
        if key not in seen:
            problems.append(f"the known broken link {key} is fixed: remove it from KNOWN_UNRESOLVED ({why})")
    for t, n in report["unknown_nodes"].items():
        problems.append(f"the theme does not know {n} node(s) of type '{t}'")
    slugs = report["pages"]
    if len(slugs) != len(toc_files(root)):
        problems.append(f"{len(toc_files(root))} files in the table of contents but {len(slugs)} pages written")
    for slug in slugs:
        page = html_dir / ("index.html" if slug == slugs[0] else f"{slug}/index.html")
        if not page.exists():
            problems.append(f"page '{slug}' was not written")
    problems += crawl(html_dir)
    size = sum(f.stat().st_size for f in html_dir.rglob("*") if f.is_file())
    files = sum(1 for f in html_dir.rglob("*") if f.is_file())
    return {"problems": problems, "seconds": seconds, "size": size, "files": files, "pages": len(slugs),
            "html": html_dir, "log": log, "report": report}


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", type=Path, default=ROOT, help="the repository (or a copy of it) to build")
    args = ap.parse_args(argv)
    s = build(args.root.resolve())
    for p in s["problems"]:
        print(f"site: {p}", file=sys.stderr)
    if "size" in s:
        print(f"site: {s['pages']} pages, {s['files']} files, {s['size'] / 1e6:.1f} MB in {s['html']}; "
              f"built and checked in {s['seconds']:.1f} s", flush=True)
        print(f"site: open it with  python3 -m http.server -d {s['html']} 8000  and http://127.0.0.1:8000/")
    return 1 if s["problems"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
