"""Graphviz views of the cluster (thin layer over the model; nothing imports it back).

Every function returns a ``graphviz.Digraph``; ``.source`` is stable DOT text
(sorted, no memory addresses, no version strings) that tests compare, and the
object renders as SVG in a notebook. Arrows point from a resource to what it
depends on, as in Cluster Administrator's dependency view; the layout puts
providers at the bottom (the paper's Figure 5 reads "bottom to top" for online).

>>> import labkit as lk
>>> c = lk.Cluster("LAB", ip="10.0.0.100"); _ = c.add_node("N1")
>>> print(group_diagram(c, "Cluster Group").source.splitlines()[0])
digraph "Cluster Group" {
"""
from __future__ import annotations

import graphviz

from .tables import STATE_COLOURS

FONT = "Helvetica"


class Diagram(graphviz.Digraph):
    """A ``graphviz.Digraph`` that shows itself in a notebook as an inline SVG scaled to
    the width of the output (never past its natural size), so a wide drawing fits a
    laptop screen instead of running off the right edge. ``.source`` is unchanged."""

    def _repr_mimebundle_(self, include=None, exclude=None, **_):
        from .svg import Picture
        return {"text/html": Picture(render_svg(self)).html(), "text/plain": f"<diagram: {self.name}>"}


def wrap_label(text: str, width: int = 26) -> str:
    """A long name broken into lines of at most about ``width`` characters (at spaces),
    joined with DOT's line break, so a box stays narrow.

    >>> print(wrap_label("Exchange Message Transfer Agent Instance - (EXVS1)"))
    Exchange Message Transfer\\nAgent Instance - (EXVS1)
    """
    import textwrap
    return "\\n".join(textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)) or text


def _q(s: str) -> str:
    """Quote a name for DOT ids we build by hand (graphviz quotes labels itself)."""
    return s


def group_diagram(cluster, group: str, *, highlight: list[str] | None = None,
                  step_label: str | None = None) -> graphviz.Digraph:
    """The dependency graph of one group: a box per resource coloured by state.

    ``highlight`` outlines resources in bold (the dependency explorer uses it to
    show the current step of an online or offline sequence).
    """
    g = cluster.groups[group] if group in cluster.groups else cluster.group(group)
    dot = Diagram(name=group, graph_attr={"rankdir": "TB", "fontname": FONT, "label": _title(cluster, g, step_label),
                                                    "labelloc": "t", "fontsize": "12"},
                           node_attr={"shape": "box", "style": "rounded,filled", "fontname": FONT, "fontsize": "10"},
                           edge_attr={"arrowsize": "0.7"})
    hl = set(highlight or [])
    order = cluster.online_order(group)
    ids = {rn: f"r{i}" for i, rn in enumerate(order)}  # ids without ':' (DOT reads "a:b" as a port)
    for rn in order:
        r = cluster.resources[rn]
        state = str(r.state)
        label = f"{wrap_label(rn)}\\n{wrap_label(r.type)}\\n{state}"
        attrs = {"fillcolor": STATE_COLOURS.get(state, "#eeeeee")}
        if rn in hl:
            attrs.update(penwidth="3", color="#1f4e9c")
        if rn == cluster.quorum_resource:
            attrs["peripheries"] = "2"
        dot.node(ids[rn], label, tooltip=rn, **attrs)
    for rn in order:
        for p in cluster.resources[rn].dependencies:
            dot.edge(ids[rn], ids[p])
    return dot


def _title(cluster, g, extra):
    owner = g.owner or "no owner"
    t = f"{g.name}: {g.state} on {owner}"
    return f"{t}\\n{extra}" if extra else t


def cluster_diagram(cluster, *, show_resources: bool = False) -> graphviz.Digraph:
    """The whole cluster: one box per node holding the groups it owns, states as
    colours, the quorum owner marked; groups with no owner sit outside. The nodes stand
    side by side (a wide, short picture that fits beside the log on a laptop), each
    node's groups stacked in it."""
    dot = Diagram(name=cluster.name, graph_attr={
        "rankdir": "TB", "fontname": FONT, "compound": "true", "fontsize": "12",
        "label": f"{cluster.name} ({cluster.edition}) at {cluster.now:%H:%M:%S}"
                 + ("" if cluster.running else " -- cluster stopped"),
        "labelloc": "t"},
        node_attr={"shape": "box", "style": "rounded,filled", "fontname": FONT, "fontsize": "10"})
    q = cluster.quorum_owner
    for name in cluster.node_ids():
        n = cluster.nodes[name]
        with dot.subgraph(name=f"cluster_{n.id}") as sub:
            label = f"{name} (node {n.id})\\n{n.state}" + ("\\nquorum owner" if name == q else "")
            sub.attr(label=label, style="filled,rounded", fillcolor=_node_fill(str(n.state)),
                     color="#1f4e9c" if name == q else "#555555", penwidth="2" if name == q else "1")
            owned = [g for g in cluster.groups.values() if g.owner == name]
            if not owned:
                sub.node(f"empty_{n.id}", "(no groups)", shape="plaintext", style="")
            for g in owned:
                _group_node(sub, cluster, g, show_resources)
    for g in cluster.groups.values():
        if g.owner is None:
            _group_node(dot, cluster, g, show_resources)
    return dot


def _node_fill(state: str) -> str:
    return {"Up": "#f3f9ef", "Down": "#fbe3e3", "Paused": "#fff6d9", "Joining": "#e8f1fd"}.get(state, "#ffffff")


def _group_node(parent, cluster, g, show_resources: bool) -> None:
    state = str(g.state)
    label = f"{g.name}\\n{state}"
    if show_resources:
        label += "\\n" + "\\n".join(f"{rn}: {cluster.resources[rn].state}" for rn in cluster.online_order(g.name))
    attrs = {"fillcolor": STATE_COLOURS.get(state, "#eeeeee")}
    if cluster.quorum_resource in g.resources:
        attrs["peripheries"] = "2"
    gid = f"g{cluster.group_index(g.name)}"  # ids without ':' (DOT reads "a:b" as a port)
    parent.node(gid, label, tooltip=g.name, **attrs)


def render_svg(dot: graphviz.Digraph) -> str:
    """Render with the real ``dot`` program and return the SVG text."""
    return dot.pipe(format="svg").decode("utf-8")


def fitted_svg(dot: graphviz.Digraph) -> str:
    """The drawing as an inline SVG that scales to the width it is given (widgets use it)."""
    from .svg import fit
    return fit(render_svg(dot))
