#!/usr/bin/env python3
"""Render the Jupyter Book 2 (mystmd) site content into static HTML: labkit's course theme.

mystmd runs this as the template's `build.render` command, with
    CONTENT_CDN       the content server (config.json, content/SLUG.json, myst.search.json, files)
    BUILD_DIRECTORY   where the static site goes (_build/html)
and optionally BASE_URL is not needed: every link written here is relative, so the folder
works at any address (and on GitHub Pages under /REPO/).

Standard library only. What it writes:
    index.html, SLUG/index.html   one page per entry of the table of contents
    _static/                      style.css, search.js
    myst.search.json              mystmd's search index, read by search.js
    files/                        the notebooks for download (mystmd's "public" files)
    _labkit/report.json           every internal link and anchor the pages contain, the
                                  unresolved ones, and the node types this theme does not know
                                  (tests/test_site.py fails on either)

Notebook pages get a launch bar (Binder and a JupyterHub through nbgitpuller); a widget output
becomes a static snapshot of its saved state, marked as such, with the same launch links.
"""
from __future__ import annotations

import html
import json
import os
import re
import shutil
import sys
import urllib.parse
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
CDN = os.environ.get("CONTENT_CDN", "").rstrip("/")
OUT = Path(os.environ.get("BUILD_DIRECTORY", "_build/html"))

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
SCHEME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def fetch(path: str) -> bytes:
    with urllib.request.urlopen(f"{CDN}/{path.lstrip('/')}", timeout=60) as r:
        return r.read()


def fetch_json(path: str):
    return json.loads(fetch(path).decode("utf-8"))


def esc(s) -> str:
    return html.escape(str(s), quote=True)


def text_of(node) -> str:
    if node.get("type") == "text" or "value" in node and node.get("type") in ("inlineCode", "code"):
        return node.get("value", "")
    return "".join(text_of(c) for c in node.get("children", []) or [])


class Site:
    def __init__(self, config: dict):
        self.config = config
        self.options = config.get("options", {}) or {}
        project = config["projects"][0]
        self.project = project
        self.title = project.get("title", "labkit")
        self.index = project["index"]
        # the navigation: the index, then the table of contents in order (entries without a
        # slug are part headings)
        self.nav = [{"slug": self.index, "title": None, "level": 1}]
        for page in project.get("pages", []):
            self.nav.append(page)
        self.slugs = {self.index} | {p["slug"] for p in project.get("pages", []) if p.get("slug")}
        self.unknown_nodes: dict[str, int] = {}
        self.links: list[dict] = []         # every internal link, for the report
        self.anchors: dict[str, list[str]] = {}
        self.unresolved: list[dict] = []
        self.page_titles: dict[str, str] = {}

    # --- addresses ------------------------------------------------------------------------
    def page_path(self, slug: str) -> str:
        return "index.html" if slug == self.index else f"{slug}/index.html"

    def href(self, current: str, target: str) -> str:
        """A relative link from page `current` to site path `target` ("/slug#x", "/file")."""
        up = "" if current == self.index else "../"
        path, _, frag = target.partition("#")
        path = path.lstrip("/")
        if path in ("", self.index):
            rel = up or "./"
        elif path in self.slugs:
            rel = f"{up}{path}/"
        else:
            rel = f"{up}{path}"
        return rel + (f"#{frag}" if frag else "")

    #: Folders of the repository whose files are code, not pages: a link to one goes to the
    #: file in the repository ("Where this lives in labkit" in the notebooks' openings).
    SOURCE_FOLDERS = ("labkit/", "scripts/", "benchmarks/", "examples/", "tests/")

    def source_link(self, url: str) -> str | None:
        """The repository address of a relative link to a code file (``../labkit/sim.py``
        from a notebook or a doc page, both one folder deep), or None."""
        path = url.split("#")[0]
        while path.startswith(("../", "./")):
            path = path.split("/", 1)[1]
        if not path.startswith(self.SOURCE_FOLDERS) or SCHEME_RE.match(url):
            return None
        repo = self.options.get("repository", "OWNER/labkit")
        branch = self.options.get("branch", "main")
        kind = "tree" if path.endswith("/") else "blob"
        return f"https://github.com/{repo}/{kind}/{urllib.parse.quote(branch)}/{path}"

    def launch_links(self, location: str) -> list[tuple[str, str]]:
        """Binder and JupyterHub (nbgitpuller) links for a notebook at `location` (/notebooks/x.ipynb)."""
        repo = self.options.get("repository", "OWNER/labkit")
        branch = self.options.get("branch", "main")
        hub = self.options.get("hub", "https://HUB").rstrip("/")
        folder = self.options.get("clone_folder", repo.split("/")[-1])
        rel = location.lstrip("/")
        binder = (f"https://mybinder.org/v2/gh/{repo}/HEAD?urlpath="
                  + urllib.parse.quote(f"lab/tree/{rel}", safe=""))
        puller = (f"{hub}/hub/user-redirect/git-pull?repo="
                  + urllib.parse.quote(f"https://github.com/{repo}", safe="")
                  + f"&branch={urllib.parse.quote(branch)}&urlpath="
                  + urllib.parse.quote(f"lab/tree/{folder}/{rel}", safe=""))
        return [("Launch on Binder", binder), ("Open on your JupyterHub", puller)]


class PageRenderer:
    def __init__(self, site: Site, slug: str, page: dict):
        self.site, self.slug, self.page = site, slug, page
        self.widgets = ((page.get("widgets") or {}).get("application/vnd.jupyter.widget-state+json") or {}).get(
            "state", {})
        self.ids: list[str] = []
        self.toc: list[tuple[int, str, str]] = []
        self.location = page.get("location", "")
        self.is_notebook = page.get("kind") == "Notebook"
        self.footnotes: dict[str, dict] = {}

    # --- nodes ------------------------------------------------------------------------------
    def children(self, node) -> str:
        return "".join(self.node(c) for c in node.get("children", []) or [])

    def anchor(self, node) -> str:
        ident = node.get("html_id") or node.get("identifier")
        if ident:
            self.ids.append(ident)
            return f' id="{esc(ident)}"'
        return ""

    def node(self, n) -> str:
        t = n.get("type")
        method = getattr(self, "n_" + str(t), None)
        if method is None:
            self.site.unknown_nodes[t] = self.site.unknown_nodes.get(t, 0) + 1
            return self.children(n)
        return method(n)

    def n_root(self, n):
        return self.children(n)

    def n_block(self, n):
        kind = n.get("kind", "")
        cls = "cell code-cell" if kind == "notebook-code" else "block"
        return f'<div class="{cls}"{self.anchor(n)}>{self.children(n)}</div>'

    def n_text(self, n):
        return esc(n.get("value", ""))

    def n_paragraph(self, n):
        return f"<p>{self.children(n)}</p>"

    def n_heading(self, n):
        depth = min(int(n.get("depth", 2)), 6)
        attr = self.anchor(n)
        inner = self.children(n)
        ident = n.get("html_id") or n.get("identifier")
        if ident and depth in (2, 3):
            self.toc.append((depth, ident, text_of(n)))
        link = f'<a class="headerlink" href="#{esc(ident)}" aria-label="link to this section">#</a>' if ident else ""
        return f"<h{depth}{attr}>{inner}{link}</h{depth}>"

    def n_emphasis(self, n):
        return f"<em>{self.children(n)}</em>"

    def n_strong(self, n):
        return f"<strong>{self.children(n)}</strong>"

    def n_delete(self, n):
        return f"<del>{self.children(n)}</del>"

    def n_subscript(self, n):
        return f"<sub>{self.children(n)}</sub>"

    def n_superscript(self, n):
        return f"<sup>{self.children(n)}</sup>"

    def n_abbreviation(self, n):
        return f'<abbr title="{esc(n.get("title", ""))}">{self.children(n)}</abbr>'

    def n_inlineCode(self, n):
        return f"<code>{esc(n.get('value', ''))}</code>"

    def n_break(self, n):
        return "<br>"

    def n_thematicBreak(self, n):
        return "<hr>"

    def n_comment(self, n):
        return ""

    def n_mystTarget(self, n):
        return f"<span{self.anchor(n)}></span>"

    def n_html(self, n):
        return n.get("value", "")

    def n_math(self, n):
        return f'<div class="math">{esc(n.get("value", ""))}</div>'

    def n_inlineMath(self, n):
        return f'<span class="math">{esc(n.get("value", ""))}</span>'

    def n_code(self, n):
        lang = n.get("lang") or ""
        cap = ""
        return (f'<pre class="code"{self.anchor(n)}{cap}><code class="language-{esc(lang)}">'
                f"{esc(n.get('value', ''))}</code></pre>")

    def n_blockquote(self, n):
        return f"<blockquote>{self.children(n)}</blockquote>"

    def n_list(self, n):
        tag = "ol" if n.get("ordered") else "ul"
        start = f' start="{int(n["start"])}"' if n.get("ordered") and n.get("start") not in (None, 1) else ""
        return f"<{tag}{start}>{self.children(n)}</{tag}>"

    def n_listItem(self, n):
        return f"<li>{self.children(n)}</li>"

    def n_table(self, n):
        return f'<div class="table-wrap"><table>{self.children(n)}</table></div>'

    def n_tableRow(self, n):
        return f"<tr>{self.children(n)}</tr>"

    def n_tableCell(self, n):
        tag = "th" if n.get("header") else "td"
        align = f' style="text-align:{esc(n["align"])}"' if n.get("align") else ""
        return f"<{tag}{align}>{self.children(n)}</{tag}>"

    def n_container(self, n):
        return f'<figure class="{esc(n.get("kind", ""))}"{self.anchor(n)}>{self.children(n)}</figure>'

    def n_caption(self, n):
        return f"<figcaption>{self.children(n)}</figcaption>"

    def n_legend(self, n):
        return f'<div class="legend">{self.children(n)}</div>'

    def n_image(self, n):
        url = n.get("urlOptimized") or n.get("url", "")
        if url.endswith(".svg") and not SCHEME_RE.match(url):
            # inline, so that the diagram's text is the page's text (searchable, selectable)
            svg = fetch(url).decode("utf-8")
            svg = re.sub(r"^\s*<\?xml[^>]*>\s*", "", svg)
            svg = re.sub(r"<!DOCTYPE[^>]*>\s*", "", svg, count=1)
            label = esc(n.get("alt", "") or n.get("title", ""))
            return f'<div class="svg-image" role="img" aria-label="{label}">{svg}</div>'
        if not SCHEME_RE.match(url):
            url = self.site.href(self.slug, "/files/" + url.lstrip("/")) if url else url
        alt = esc(n.get("alt", ""))
        return f'<img src="{esc(url)}" alt="{alt}" loading="lazy">'

    def n_admonition(self, n):
        kind = n.get("kind", "note")
        cls = n.get("class", "")
        return f'<aside class="admonition {esc(kind)} {esc(cls)}"{self.anchor(n)}>{self.children(n)}</aside>'

    def n_admonitionTitle(self, n):
        return f'<p class="admonition-title">{self.children(n)}</p>'

    def n_details(self, n):
        return f"<details>{self.children(n)}</details>"

    def n_summary(self, n):
        return f"<summary>{self.children(n)}</summary>"

    def n_div(self, n):
        return f'<div class="{esc(n.get("class", ""))}">{self.children(n)}</div>'

    def n_span(self, n):
        return f'<span class="{esc(n.get("class", ""))}">{self.children(n)}</span>'

    # glossary: mystmd turns each term into an anchor "term-NAME" that {term} roles point to
    def n_glossary(self, n):
        return f'<div class="glossary">{self.children(n)}</div>'

    def n_definitionList(self, n):
        return f"<dl>{self.children(n)}</dl>"

    def n_definitionTerm(self, n):
        return f"<dt{self.anchor(n)}>{self.children(n)}</dt>"

    def n_definitionDescription(self, n):
        return f"<dd>{self.children(n)}</dd>"

    def n_footnoteReference(self, n):
        ident = n.get("identifier", "")
        return f'<sup><a href="#fn-{esc(ident)}">{esc(n.get("label", ident))}</a></sup>'

    def n_footnoteDefinition(self, n):
        ident = n.get("identifier", "")
        self.ids.append(f"fn-{ident}")
        return f'<div class="footnote" id="fn-{esc(ident)}">{esc(ident)}. {self.children(n)}</div>'

    def n_link(self, n):
        url = n.get("url", "")
        inner = self.children(n)
        if n.get("internal") or (url.startswith("/") and url.split("#")[0].lstrip("/") in self.site.slugs):
            href = self.site.href(self.slug, url)
            self.site.links.append({"page": self.slug, "target": url})
            return f'<a class="internal" href="{esc(href)}">{inner}</a>'
        if url.startswith("#"):
            self.site.links.append({"page": self.slug, "target": f"/{self.slug}{url}"})
            return f'<a href="{esc(url)}">{inner}</a>'
        if SCHEME_RE.match(url):
            return f'<a class="external" href="{esc(url)}" rel="noopener">{inner}</a>'
        source = self.site.source_link(n.get("urlSource", url))
        if source:                              # labkit's code: the file in the repository
            return f'<a class="external source" href="{esc(source)}" rel="noopener">{inner}</a>'
        # a local address Jupyter Book could not resolve to a page of the site
        self.site.unresolved.append({"page": self.slug, "url": n.get("urlSource", url)})
        return f'<a class="unresolved" href="{esc(url)}" title="not a page of this site">{inner}</a>'

    def n_crossReference(self, n):
        inner = self.children(n) or esc(n.get("label", n.get("identifier", "")))
        ident = n.get("html_id") or n.get("identifier", "")
        target = n.get("url") or ""
        if target:
            target = target + (f"#{ident}" if "#" not in target and ident else "")
        elif n.get("remote"):
            self.site.unresolved.append({"page": self.slug, "url": f"#{ident}"})
            return f'<span class="unresolved">{inner}</span>'
        else:
            target = f"/{self.slug}#{ident}"
        self.site.links.append({"page": self.slug, "target": target})
        return f'<a class="xref" href="{esc(self.site.href(self.slug, target))}">{inner}</a>'

    # --- notebook outputs -------------------------------------------------------------------
    def n_outputs(self, n):
        inner = self.children(n)
        return f'<div class="outputs">{inner}</div>' if inner else ""

    def n_output(self, n):
        data = n.get("jupyter_data") or {}
        return self.output(data, n)

    def _content(self, value) -> str:
        if isinstance(value, dict):
            if "content" in value:
                return value["content"]
            if "path" in value:
                return fetch(value["path"]).decode("utf-8", errors="replace")
        if isinstance(value, list):
            return "".join(value)
        return str(value)

    def output(self, data: dict, node=None) -> str:
        kind = data.get("output_type")
        if kind == "stream":
            text = data.get("text") if "text" in data else (text_of(node) if node else "")
            text = self._content(text) if not isinstance(text, str) else text
            return f'<pre class="output stream {esc(data.get("name", ""))}">{esc(text)}</pre>'
        if kind == "error":
            tb = "\n".join(data.get("traceback", [])) or f"{data.get('ename')}: {data.get('evalue')}"
            tb = re.sub(r"\x1b\[[0-9;]*m", "", tb)
            return f'<pre class="output error">{esc(tb)}</pre>'
        bundle = data.get("data", {}) or {}
        if WIDGET_MIME in bundle:
            view = json.loads(self._content(bundle[WIDGET_MIME]))
            return self.widget_output(view.get("model_id", ""), self._content(bundle.get("text/plain", "")))
        if "image/svg+xml" in bundle:
            svg = self._content(bundle["image/svg+xml"])
            svg = re.sub(r"^\s*<\?xml[^>]*>\s*", "", svg)
            svg = re.sub(r"<!DOCTYPE[^>]*>\s*", "", svg, count=1)
            return f'<div class="output svg">{svg}</div>'
        if "text/html" in bundle:
            return f'<div class="output html">{self._content(bundle["text/html"])}</div>'
        for mime in ("image/png", "image/jpeg", "image/gif"):
            if mime in bundle:
                b64 = self._content(bundle[mime]).strip()
                return f'<div class="output image"><img alt="output" src="data:{mime};base64,{b64}"></div>'
        if "text/markdown" in bundle:
            return f'<pre class="output">{esc(self._content(bundle["text/markdown"]))}</pre>'
        if "text/plain" in bundle:
            return f'<pre class="output">{esc(self._content(bundle["text/plain"]))}</pre>'
        # mystmd may have turned the output into mdast children already
        return self.children(node) if node else ""

    # --- widgets: a static snapshot of the saved state ----------------------------------------
    def widget_output(self, model_id: str, plain: str) -> str:
        links = " ".join(f'<a class="launch" href="{esc(u)}" rel="noopener">{esc(t)}</a>'
                         for t, u in self.site.launch_links(self.location)) if self.location else ""
        head = ('<div class="widget-note"><strong>Interactive widget: run this notebook to use it.</strong> '
                "Below is a still picture of it as the notebook was saved; its controls do nothing here. "
                f"{links}</div>")
        if model_id in self.widgets:
            body = self.widget(model_id, depth=0)
        else:
            body = f'<pre class="output">{esc(plain)}</pre>'
        return f'<div class="output widget-snapshot" data-widget="{esc(model_id)}">{head}<div class="widget-body">{body}</div></div>'

    def _model(self, ref):
        mid = ref[len("IPY_MODEL_"):] if isinstance(ref, str) and ref.startswith("IPY_MODEL_") else ref
        return self.widgets.get(mid, {}).get("state", {}), self.widgets.get(mid, {}).get("model_name", "")

    def _style(self, state) -> str:
        layout, _ = self._model(state.get("layout"))
        css = []
        for key, prop in (("width", "width"), ("max_width", "max-width"), ("max_height", "max-height"),
                          ("min_width", "min-width"), ("height", "height"), ("overflow", "overflow"),
                          ("margin", "margin"), ("padding", "padding"), ("flex", "flex"),
                          ("grid_template_columns", "grid-template-columns")):
            v = layout.get(key)
            if v:
                css.append(f"{prop}:{v}")
        return f' style="{esc(";".join(css))}"' if css else ""

    def _label(self, state) -> str:
        d = state.get("description") or ""
        return f'<span class="w-label">{esc(d)}</span>' if d else ""

    def widget(self, ref, depth: int) -> str:
        if depth > 30:
            return ""
        state, name = self._model(ref if str(ref).startswith("IPY_MODEL_") else f"IPY_MODEL_{ref}")
        style = self._style(state)
        kids = state.get("children") or []
        if name in ("VBoxModel", "BoxModel"):
            return f'<div class="w-vbox"{style}>' + "".join(self.widget(k, depth + 1) for k in kids) + "</div>"
        if name == "HBoxModel":
            return f'<div class="w-hbox"{style}>' + "".join(self.widget(k, depth + 1) for k in kids) + "</div>"
        if name == "GridBoxModel":
            return f'<div class="w-grid"{style}>' + "".join(self.widget(k, depth + 1) for k in kids) + "</div>"
        if name in ("TabModel", "AccordionModel", "StackModel"):
            titles = state.get("titles") or state.get("_titles") or []
            if isinstance(titles, dict):
                titles = [titles.get(str(i), "") for i in range(len(kids))]
            parts = []
            for i, k in enumerate(kids):
                t = titles[i] if i < len(titles) else f"tab {i + 1}"
                parts.append(f'<div class="w-tab"><div class="w-tab-title">{esc(t)}</div>{self.widget(k, depth + 1)}</div>')
            return f'<div class="w-tabs"{style}>' + "".join(parts) + "</div>"
        if name in ("HTMLModel", "HTMLMathModel"):
            return f'<div class="w-html"{style}>{self._label(state)}{state.get("value", "")}</div>'
        if name == "LabelModel":
            return f'<span class="w-text"{style}>{esc(state.get("value", ""))}</span>'
        if name in ("ButtonModel", "ToggleButtonModel"):
            return f'<button class="w-button {esc(state.get("button_style", ""))}" disabled{style}>{esc(state.get("description", ""))}</button>'
        if name in ("DropdownModel", "SelectModel", "RadioButtonsModel", "ToggleButtonsModel", "SelectionSliderModel"):
            labels = state.get("_options_labels") or []
            idx = state.get("index")
            opts = "".join(f'<option{" selected" if i == idx else ""}>{esc(x)}</option>' for i, x in enumerate(labels))
            return f'<label class="w-field"{style}>{self._label(state)}<select disabled>{opts}</select></label>'
        if name in ("SelectMultipleModel",):
            labels = state.get("_options_labels") or []
            chosen = set(state.get("index") or [])
            opts = "".join(f'<option{" selected" if i in chosen else ""}>{esc(x)}</option>' for i, x in enumerate(labels))
            return f'<label class="w-field"{style}>{self._label(state)}<select multiple disabled>{opts}</select></label>'
        if name in ("IntSliderModel", "FloatSliderModel", "FloatLogSliderModel", "IntRangeSliderModel",
                    "FloatRangeSliderModel"):
            v = state.get("value")
            return (f'<label class="w-field"{style}>{self._label(state)}<input type="range" disabled '
                    f'min="{esc(state.get("min", 0))}" max="{esc(state.get("max", 100))}" '
                    f'value="{esc(v if not isinstance(v, list) else v[0])}"><span class="w-readout">{esc(v)}</span></label>')
        if name in ("IntTextModel", "FloatTextModel", "BoundedIntTextModel", "BoundedFloatTextModel", "TextModel",
                    "PasswordModel", "ComboboxModel"):
            return (f'<label class="w-field"{style}>{self._label(state)}<input type="text" disabled '
                    f'value="{esc(state.get("value", ""))}"></label>')
        if name == "TextareaModel":
            return f'<label class="w-field"{style}>{self._label(state)}<textarea disabled>{esc(state.get("value", ""))}</textarea></label>'
        if name in ("CheckboxModel", "ValidModel"):
            checked = " checked" if state.get("value") else ""
            return f'<label class="w-check"{style}><input type="checkbox" disabled{checked}> {esc(state.get("description", ""))}</label>'
        if name in ("FloatProgressModel", "IntProgressModel"):
            return (f'<label class="w-field"{style}>{self._label(state)}<progress max="{esc(state.get("max", 1))}" '
                    f'value="{esc(state.get("value", 0))}"></progress></label>')
        if name == "OutputModel":
            return f'<div class="w-output"{style}>' + "".join(self.output(o) for o in state.get("outputs") or []) + "</div>"
        if name == "ImageModel":
            return '<span class="w-other">(an image)</span>'
        if not name:
            return ""
        return f'<span class="w-other">({esc(name.replace("Model", ""))})</span>'

    # --- the page ---------------------------------------------------------------------------
    def body(self) -> str:
        return self.node(self.page["mdast"])


def nav_html(site: Site, current: str) -> str:
    items = []
    for entry in site.nav:
        slug = entry.get("slug")
        title = entry.get("title") or site.page_titles.get(slug, slug) if slug else entry.get("title", "")
        if slug == site.index and entry.get("title") is None:
            title = site.page_titles.get(slug, "Home")
        level = int(entry.get("level", 1))
        if not slug:
            items.append(f'<li class="nav-part level-{level}">{esc(title)}</li>')
            continue
        cls = ' class="current"' if slug == current else ""
        aria = ' aria-current="page"' if slug == current else ""
        items.append(f'<li class="level-{level}"><a{cls}{aria} href="{esc(site.href(current, "/" + slug))}">{esc(title)}</a></li>')
    return '<ul class="nav">' + "".join(items) + "</ul>"


def page_html(site: Site, slug: str, page: dict, renderer: PageRenderer, body: str, prev_next) -> str:
    fm = page.get("frontmatter", {}) or {}
    title = fm.get("title") or slug
    up = "" if slug == site.index else "../"
    launch = ""
    if renderer.is_notebook and renderer.location:
        links = "".join(f'<a class="launch" href="{esc(u)}" rel="noopener">{esc(t)}</a>'
                        for t, u in site.launch_links(renderer.location))
        download = ""
        for exp in fm.get("exports", []) or []:
            if exp.get("format") == "ipynb" and exp.get("url"):
                download = f'<a class="download" href="{esc(site.href(slug, "/files" + exp["url"]))}" download>Download the notebook</a>'
        launch = (f'<div class="launchbar">{links}{download}<span class="launch-note">'
                  "Outputs as committed; nothing was run to make this page.</span></div>")
    toc = ""
    if renderer.toc:
        toc = ('<nav class="page-toc" aria-label="On this page"><p>On this page</p><ul>'
               + "".join(f'<li class="d{d}"><a href="#{esc(i)}">{esc(t)}</a></li>' for d, i, t in renderer.toc)
               + "</ul></nav>")
    prev, nxt = prev_next
    pn = '<nav class="prevnext">'
    if prev:
        pn += f'<a class="prev" href="{esc(site.href(slug, "/" + prev))}">&larr; {esc(site.page_titles.get(prev, prev))}</a>'
    if nxt:
        pn += f'<a class="next" href="{esc(site.href(slug, "/" + nxt))}">{esc(site.page_titles.get(nxt, nxt))} &rarr;</a>'
    pn += "</nav>"
    heading = "" if fm.get("content_includes_title") else f"<h1>{esc(title)}</h1>"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)} · {esc(site.title)}</title>
<link rel="stylesheet" href="{up}_static/style.css">
<script>window.LABKIT_ROOT = "{up or './'}";</script>
<script defer src="{up}_static/search.js"></script>
</head>
<body class="{'notebook' if renderer.is_notebook else 'page'}">
<header class="topbar">
  <button class="navtoggle" aria-label="show the contents" onclick="document.body.classList.toggle('nav-open')">&#9776;</button>
  <a class="brand" href="{esc(site.href(slug, '/'))}">{esc(site.title)}</a>
  <form class="search" role="search" onsubmit="return false">
    <input id="search-input" type="search" placeholder="Search the course (press /)" aria-label="Search the course" autocomplete="off">
    <div id="search-results" class="search-results" hidden></div>
  </form>
</header>
<div class="layout">
<nav class="sidebar" aria-label="Contents">{nav_html(site, slug)}</nav>
<main class="content" id="main">
{heading}
{launch}
<article>
{body}
</article>
{pn}
</main>
{toc}
</div>
</body>
</html>
"""


def main() -> int:
    if not CDN:
        print("render.py: CONTENT_CDN is not set (mystmd sets it when it runs this theme)", file=sys.stderr)
        return 2
    config = fetch_json("/config.json")
    site = Site(config)
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    order = [e["slug"] for e in site.nav if e.get("slug")]
    pages = {slug: fetch_json(f"/content/{slug}.json") for slug in order}
    for slug, page in pages.items():
        fm = page.get("frontmatter", {}) or {}
        site.page_titles[slug] = fm.get("short_title") or fm.get("title") or slug
    for i, slug in enumerate(order):
        page = pages[slug]
        r = PageRenderer(site, slug, page)
        body = r.body()
        site.anchors[slug] = r.ids
        prev_next = (order[i - 1] if i > 0 else None, order[i + 1] if i + 1 < len(order) else None)
        dest = OUT / site.page_path(slug)
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(page_html(site, slug, page, r, body, prev_next), encoding="utf-8")
    # static assets, the search index, the downloadable files
    shutil.copytree(HERE / "static", OUT / "_static")
    (OUT / "myst.search.json").write_bytes(fetch("/myst.search.json"))
    for name in fetch_json("/public.json"):
        dest = OUT / "files" / name.lstrip("/")
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(fetch(name))
    (OUT / ".nojekyll").write_text("")
    report = {"pages": order, "links": site.links, "anchors": site.anchors, "unresolved": site.unresolved,
              "unknown_nodes": site.unknown_nodes}
    (OUT / "_labkit").mkdir()
    (OUT / "_labkit" / "report.json").write_text(json.dumps(report, indent=1, sort_keys=True), encoding="utf-8")
    for u in site.unresolved:
        print(f"labkit theme: unresolved link on page '{u['page']}': {u['url']}", file=sys.stderr)
    for t, k in sorted(site.unknown_nodes.items()):
        print(f"labkit theme: {k} node(s) of type '{t}' rendered as plain content", file=sys.stderr)
    print(f"labkit theme: {len(order)} pages written to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
