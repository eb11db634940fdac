"""Graphviz views of Exchange virtual servers (a view module: nothing imports it back).

- :func:`dependency_tree`: the paper's Figure 5 (lost from the text), redrawn from
  Table 7 -- or, given a cluster, a virtual server's real resources with their states.
- :func:`storage_diagram`: the paper's Figure 6 -- storage groups, their
  transaction logs and databases (.EDB and .STM), and the disks they sit on.

Every function returns a ``graphviz.Digraph`` whose ``.source`` is stable DOT text
(insertion order, no addresses or versions). Arrows point from a resource to what
it depends on; providers are drawn at the bottom, as "bottom to top" is the online
order in the paper's text.

>>> print(dependency_tree().source.splitlines()[0])
digraph "Exchange 2000 resource dependencies" {
"""
from __future__ import annotations

from ..exchange.model import DatabaseKind, need_org
from ..exchange.types import TABLE7
from .diagrams import Diagram, wrap_label
from .tables import STATE_COLOURS

FONT = "Helvetica"
_MSCS = (("Network Name", "Network Name", ("IP Address",)), ("IP Address", "IP Address", ()),
         ("Physical Disk", "Physical Disk", ()))


#: About how wide (in points) a tree may be drawn top to bottom before it is drawn
#: sideways: a 1366-pixel laptop with JupyterLab's file browser open leaves about 900
#: pixels (675 pt) of output width. Labels are wrapped at :data:`LABEL_WIDTH` characters.
WIDTH_BUDGET_PT = 700
LABEL_WIDTH = 18


def _graph(name: str, label: str, rankdir: str = "TB") -> Diagram:
    return Diagram(name=name, graph_attr={"rankdir": rankdir, "fontname": FONT, "label": label,
                                                   "labelloc": "t", "fontsize": "12"},
                            node_attr={"shape": "box", "style": "rounded,filled", "fontname": FONT,
                                       "fontsize": "10"},
                            edge_attr={"arrowsize": "0.7"})


def _box_pt(label: str) -> float:
    """About how wide (points) Graphviz draws a box holding ``label`` (10 pt Helvetica)."""
    return 16 + 5.6 * max(len(line) for line in label.split("\\n"))


def _direction(order, cluster, labels) -> str:
    """Top to bottom (providers at the bottom, as in the paper's Figure 5) when the
    widest row of the tree fits :data:`WIDTH_BUDGET_PT`; otherwise left to right
    ("RL": providers on the left, so the online order reads left to right)."""
    depth: dict[str, int] = {}
    for rn in order:  # providers first: a resource sits one row above its highest provider
        depth[rn] = 1 + max((depth[p] for p in cluster.resources[rn].dependencies if p in depth), default=-1)
    rows: dict[int, float] = {}
    for rn in order:
        rows[depth[rn]] = rows.get(depth[rn], 0.0) + _box_pt(labels[rn]) + 18
    return "TB" if max(rows.values(), default=0.0) <= WIDTH_BUDGET_PT else "RL"


def dependency_tree(cluster=None, evs: str | None = None) -> Diagram:
    """The Exchange 2000 dependency tree. Without arguments: Table 7 (with MSCS's IP
    Address under the Network Name), Exchange resources in blue, MSCS ones in grey.
    With ``cluster`` and ``evs``: that virtual server's resources, coloured by state."""
    if cluster is None:
        dot = _graph("Exchange 2000 resource dependencies",
                     "Exchange 2000 virtual server: resource dependencies\n(paper, Table 7; Figure 5 redrawn)")
        for row in TABLE7:
            dot.node(row.role, f"{row.role}\\n{wrap_label(row.type, LABEL_WIDTH)}", fillcolor="#dbe8fb")
        for role, typ, _ in _MSCS:
            dot.node(role, f"{role}\n(MSCS)", fillcolor="#eeeeee")
        for row in TABLE7:
            for p in row.providers:
                dot.edge(row.role, p)
        for role, _, providers in _MSCS:
            for p in providers:
                dot.edge(role, p)
        return dot
    vs = need_org(cluster).server(evs)
    g = cluster.groups[vs.group]
    wanted = set()
    stack = list(vs.resources.values())
    while stack:
        r = stack.pop()
        if r in wanted or r not in cluster.resources:
            continue
        wanted.add(r)
        stack.extend(cluster.resources[r].dependencies)
    order = [r for r in cluster.online_order(g.name) if r in wanted]
    ids = {rn: f"r{i}" for i, rn in enumerate(order, start=1)}  # resource names may hold ':' (DOT ports)
    labels = {rn: f"{wrap_label(rn, LABEL_WIDTH)}\\n{wrap_label(cluster.resources[rn].type, LABEL_WIDTH)}\\n"
                  f"{cluster.resources[rn].state}"
              for rn in order}
    dot = _graph(vs.name, f"{vs.name} (group {g.name}): {g.state} on {g.owner or 'no owner'}",
                 rankdir=_direction(order, cluster, labels))
    for rn in order:
        r = cluster.resources[rn]
        dot.node(ids[rn], labels[rn], tooltip=rn, fillcolor=STATE_COLOURS.get(str(r.state), "#eeeeee"))
    for rn in order:
        for p in cluster.resources[rn].dependencies:
            dot.edge(ids[rn], ids[p])
    return dot


def storage_diagram(cluster, evs: str | None = None) -> Diagram:
    """Storage groups, logs and databases of one virtual server (or all of them), and the
    disks holding their files -- the paper's Figure 6 with this cluster's names."""
    o = need_org(cluster)
    servers = [o.server(evs)] if evs is not None else list(o.virtual_servers.values())
    title = servers[0].name if evs is not None else cluster.name
    dot = _graph(f"{title} storage", f"{title}: storage groups, logs and databases\n(paper, Figure 6 and Table 8)",
                 rankdir="LR")
    ids: dict[str, str] = {}
    disks: list[str] = []
    for vs in servers:
        with dot.subgraph(name=f"cluster_{vs.name}") as sv:
            sv.attr(label=f"virtual server {vs.name}", style="rounded", color="#1f4e9c")
            for sg in vs.storage_groups.values():
                with sv.subgraph(name=f"cluster_{vs.name}/{sg.name}") as s:
                    s.attr(label=sg.name, style="rounded,filled", fillcolor="#f5f8fd", color="#555555")
                    logs = _id(ids, f"{vs.name}/{sg.name}/logs")
                    s.node(logs, f"transaction logs (*.LOG)\n{_path(sg.log_path)}", shape="note", fillcolor="#fff6d9")
                    _disk_edge(dot, disks, logs, sg.log_disk, "logs")
                    for db in sg.databases.values():
                        dn = _id(ids, f"{vs.name}/{sg.name}/{db.name}")
                        what = "public store" if db.kind is DatabaseKind.PUBLIC else f"mailbox store, {db.mailboxes:,} mailboxes"
                        s.node(dn, f"{db.name}\n{what}\n{_path(db.edb_file)}\n{_path(db.stm_file)}", shape="cylinder",
                               fillcolor="#dbe8fb")
                        s.edge(logs, dn, style="dotted", arrowhead="none")
                        if db.edb_disk == db.stm_disk:
                            _disk_edge(dot, disks, dn, db.edb_disk, ".EDB + .STM")
                        else:
                            _disk_edge(dot, disks, dn, db.edb_disk, ".EDB")
                            _disk_edge(dot, disks, dn, db.stm_disk, ".STM")
    return dot


def _path(p: str) -> str:
    """Windows paths in DOT labels: a backslash starts an escape (\\n, \\l), so double it."""
    return p.replace("\\", "\\\\")


def _id(ids: dict[str, str], key: str) -> str:
    """A DOT id free of ':' (which DOT reads as a port), stable in insertion order."""
    if key not in ids:
        ids[key] = f"n{len(ids) + 1}"
    return ids[key]


def _disk_edge(dot, disks: list[str], src: str, disk: str, label: str) -> None:
    node = f"disk{disks.index(disk) + 1}" if disk in disks else f"disk{len(disks) + 1}"
    if disk not in disks:
        disks.append(disk)
        dot.node(node, disk, shape="box3d", style="filled", fillcolor="#eeeeee")
    dot.edge(src, node, label=label, fontsize="8", fontname=FONT, style="dashed")
