"""The HTML panels the widgets show, as pure functions of the model (tested without a
browser), the SVG render cache, and the live chart pane the planning widgets share.

>>> from labkit.scenarios import file_share_cluster
>>> c = file_share_cluster()
>>> "Share FS" in tree_html(c) and "NODE1" in nodes_html(c)
True
"""
from __future__ import annotations

from collections import OrderedDict
from html import escape

import ipywidgets as W

from ..tables import STATE_COLOURS

_MONO = "font-family:monospace;font-size:12px"


def badge(state) -> str:
    """A state as a coloured label (the colours of the diagrams)."""
    s = str(state)
    return (f'<span style="background:{STATE_COLOURS.get(s, "#eeeeee")};padding:0 6px;'
            f'border-radius:3px;white-space:nowrap">{escape(s)}</span>')


def header_html(c) -> str:
    """Cluster name, edition, clock, whether it runs, and the quorum owner."""
    run = "running" if c.running else "<b style='color:#b00'>stopped</b>"
    return (f"<div><b>{escape(c.name)}</b> ({escape(c.edition)}) · {run} · quorum on "
            f"<b>{escape(c.quorum_owner or '-')}</b> · <span style='{_MONO}'>{c.now:%Y-%m-%d %H:%M:%S}</span></div>")


def nodes_html(c) -> str:
    """One row a node: name, id, state, quorum owner mark, groups owned."""
    q = c.quorum_owner
    owned: dict[str, list[str]] = {n: [] for n in c.nodes}
    for g in c.groups.values():
        if g.owner in owned:
            owned[g.owner].append(g.name)
    cell = "padding:1px 10px 1px 0"
    rows = [f"<table style='border-collapse:collapse;white-space:nowrap'><tr><th align=left style='{cell}'>node</th>"
            f"<th style='{cell}'>id</th><th style='{cell}'>state</th><th align=left style='{cell}'>groups</th></tr>"]
    for name in c.node_ids():
        n = c.nodes[name]
        mark = " (quorum)" if name == q else ""
        rows.append(f"<tr><td>{escape(name)}{mark}</td><td align=center>{n.id}</td><td>{badge(n.state)}</td>"
                    f"<td>{escape(', '.join(owned[name])) or '-'}</td></tr>")
    rows.append("</table>")
    return "".join(rows)


def tree_html(c, *, selected: str | None = None) -> str:
    """Groups and their resources as Cluster Administrator's tree: each group with its
    state and owner, then its resources in online order, indented by dependency depth,
    with state, node, what each depends on and its resource monitor."""
    rows = ["<table style='border-collapse:collapse;white-space:nowrap'><tr><th align=left>group / resource</th>"
            "<th>state</th><th align=left>owner / node</th><th align=left>depends on</th>"
            "<th align=left>monitor</th></tr>"]
    for g in c.groups.values():
        style = "background:#eef3fb;" if g.name == selected else ""
        prefs = f" <small>(preferred: {escape(', '.join(g.preferred_owners))})</small>" if g.preferred_owners else ""
        rows.append(f"<tr style='{style}border-top:1px solid #ccc'><td><b>{escape(g.name)}</b></td>"
                    f"<td>{badge(g.state)}</td><td>{escape(g.owner or '-')}{prefs}</td><td></td><td></td></tr>")
        depth: dict[str, int] = {}
        for rn in c.online_order(g.name):
            r = c.resources[rn]
            depth[rn] = 1 + max((depth[p] for p in r.dependencies), default=0)
            pad = "&nbsp;" * (3 * depth[rn])
            rows.append(f"<tr style='{style}'><td>{pad}{escape(rn)} <small style='color:#666'>{escape(r.type)}"
                        f"</small></td><td>{badge(r.state)}</td><td>{escape(r.node or '')}</td>"
                        f"<td><small>{escape(', '.join(r.dependencies))}</small></td>"
                        f"<td><small>{escape(r.monitor)}</small></td></tr>")
    rows.append("</table>")
    return "".join(rows)


def log_html(events, *, new: int = 0) -> str:
    """Log lines in a fixed-width block; the last ``new`` of them in bold."""
    if not events:
        return f"<pre style='{_MONO}'>(no events)</pre>"
    lines = [escape(str(e)) for e in events]
    k = len(lines) - min(new, len(lines))
    body = "\n".join(lines[:k] + [f"<b>{x}</b>" for x in lines[k:]])
    return f"<pre style='{_MONO};margin:0'>{body}</pre>"


def status_html(result) -> str:
    """An action's outcome: green when done, red with the rule when refused."""
    colour = "#1e6b1e" if result.ok else "#b00000"
    return f"<div style='color:{colour}'>{escape(result.message)}</div>"


def order_html(steps, current: int) -> str:
    """A numbered list of a group's online or offline order with the current step in bold."""
    items = []
    for s in steps:
        text = escape(s.resource)
        if s.index == current:
            text = f"<b>▶ {text}</b>"
        elif s.index < current:
            text = f"<span style='color:#666'>{text} ✓</span>"
        items.append(f"<li>{text} <small>(wave {s.wave})</small></li>")
    return f"<ol style='margin:0'>{''.join(items)}</ol>" if items else "<i>no resources</i>"


class SvgCache:
    """Rendered SVG by DOT source: the same picture is drawn by Graphviz only once.

    >>> cache = SvgCache(size=2); cache.hits
    0
    """

    def __init__(self, size: int = 128):
        self.size = size
        self._store: OrderedDict[str, str] = OrderedDict()
        self.hits = self.misses = 0

    def svg(self, dot) -> str:
        """The SVG of a ``graphviz.Digraph`` (rendered by ``dot`` on a cache miss), made
        to scale to the width of the widget (:func:`labkit.views.svg.fit`)."""
        from ..diagrams import fitted_svg as render_svg
        key = dot.source
        got = self._store.get(key)
        if got is not None:
            self.hits += 1
            self._store.move_to_end(key)
            return got
        self.misses += 1
        got = render_svg(dot)
        self._store[key] = got
        if len(self._store) > self.size:
            self._store.popitem(last=False)
        return got


#: The cache the widgets share.
SVG_CACHE = SvgCache()


def live_chart(draw) -> tuple[W.HTML, W.Checkbox]:
    """The chart pane and its "live chart" checkbox (ticked; a change calls ``draw()``),
    as the availability calculator and the load planner show them."""
    chart = W.HTML(layout=W.Layout(flex="1 1 420px", min_width="0"))
    live = W.Checkbox(value=True, description="live chart", indent=False,
                      layout=W.Layout(width="auto", flex="0 0 auto"))
    live.observe(lambda _c: draw(), names="value")
    return chart, live
