"""Tables for the screen: the model objects as Cluster Administrator lists them
(:func:`cluster_html`, :func:`node_html`, :func:`group_html`, :func:`resource_html`,
registered as their rich display by ``labkit/__init__.py``), procedure reports
(:func:`report_html`), and real HTML tables that never wrap inside a cell, in a box
that scrolls sideways when the table is wider than the output, and the same table
as text (for ``print`` and for nbval's plain-text comparison) or as a pandas
DataFrame (:meth:`Table.to_frame`; pandas is imported there, on first use).

>>> t = Table([{"level": "RAID 1", "drives": 2}, {"level": "RAID 0+1", "drives": 6}])
>>> print(t)
level     drives
--------  ------
RAID 1         2
RAID 0+1       6
>>> "white-space:nowrap" in t._repr_html_()
True
"""
from __future__ import annotations

from dataclasses import asdict, is_dataclass
from html import escape

from ..text import table_cells, text_table

#: The style of every table: no wrapping inside a cell, numbers right-aligned.
CELL = "white-space:nowrap;padding:2px 10px 2px 0;text-align:{align};vertical-align:top"
SCROLL = "overflow-x:auto;max-width:100%"


#: State colours shared by tables, diagrams and widgets.
STATE_COLOURS = {
    "Online": "#b7e1a1", "Up": "#b7e1a1",
    "Offline": "#d9d9d9", "Down": "#f4a6a6",
    "Failed": "#f4a6a6", "Partially Online": "#ffe08a",
    "Pending": "#9fc5f8", "Online Pending": "#9fc5f8", "Offline Pending": "#9fc5f8",
    "Paused": "#ffe08a", "Joining": "#9fc5f8",
}


def _badge(state) -> str:
    s = str(state)
    return (f'<span style="background:{STATE_COLOURS.get(s, "#eee")};padding:1px 6px;'
            f'border-radius:3px">{escape(s)}</span>')


def node_html(node) -> str:
    return (f"<b>{escape(node.name)}</b> (node {node.id}, {escape(node.ip or 'no IP')}) "
            f"{_badge(node.state)}")


def resource_html(r) -> str:
    deps = ", ".join(r.dependencies) or "none"
    return (f"<b>{escape(r.name)}</b> <i>{escape(r.type)}</i> {_badge(r.state)}"
            f" on {escape(r.node or '-')}; depends on {escape(deps)}; "
            f"possible owners {escape(', '.join(r.possible_owners))}")


def group_html(g) -> str:
    return (f"<b>{escape(g.name)}</b> {_badge(g.state)} owner {escape(g.owner or '-')}; "
            f"preferred {escape(', '.join(g.preferred_owners) or '-')}; {len(g.resources)} resources")


def cluster_html(c) -> str:
    """The cluster as Cluster Administrator shows it: nodes, then groups and resources."""
    rows = [f"<div><b>{escape(c.name)}</b> ({escape(c.edition)}, {'running' if c.running else 'stopped'},"
            f" quorum on {escape(c.quorum_owner or '-')}) at {c.now:%Y-%m-%d %H:%M:%S}</div>",
            "<table><tr><th>node</th><th>id</th><th>state</th><th>groups</th></tr>"]
    for name in c.node_ids():
        n = c.nodes[name]
        owned = ", ".join(g.name for g in c.groups.values() if g.owner == name)
        rows.append(f"<tr><td>{escape(name)}</td><td>{n.id}</td><td>{_badge(n.state)}</td>"
                    f"<td>{escape(owned)}</td></tr>")
    rows.append("</table><table><tr><th>group / resource</th><th>type</th><th>state</th><th>owner</th></tr>")
    for g in c.groups.values():
        rows.append(f"<tr><td><b>{escape(g.name)}</b></td><td></td><td>{_badge(g.state)}</td>"
                    f"<td>{escape(g.owner or '-')}</td></tr>")
        for rn in c.online_order(g.name):
            r = c.resources[rn]
            rows.append(f"<tr><td>&nbsp;&nbsp;{escape(rn)}</td><td>{escape(r.type)}</td>"
                        f"<td>{_badge(r.state)}</td><td>{escape(r.node or '')}</td></tr>")
    rows.append("</table>")
    return "\n".join(rows)


def state_table(c) -> list[dict]:
    """One row a resource: group, resource, type, state, node (for pandas or printing)."""
    out = []
    for g in c.groups.values():
        for rn in c.online_order(g.name):
            r = c.resources[rn]
            out.append({"group": g.name, "resource": rn, "type": r.type, "state": str(r.state),
                        "node": r.node or ""})
    return out


def table_html(rows, columns=None, *, formats=None, caption: str | None = None) -> str:
    """Rows as an HTML table (arguments as for :func:`labkit.text.text_table`), inside
    a horizontally scrolling box, cells never wrapped."""
    headers, body, numeric = table_cells(rows, columns, formats=formats)

    def td(v, i, tag="td"):
        return f"<{tag} style=\"{CELL.format(align='right' if numeric[i] else 'left')}\">{escape(v)}</{tag}>"

    head = "".join(td(h, i, "th") for i, h in enumerate(headers))
    trs = "".join("<tr>" + "".join(td(v, i) for i, v in enumerate(b)) + "</tr>" for b in body)
    cap = f"<caption style='text-align:left;white-space:nowrap'>{escape(caption)}</caption>" if caption else ""
    return (f"<div class='labkit-table' style='{SCROLL}'><table style='border-collapse:collapse'>{cap}"
            f"<thead><tr style='border-bottom:1px solid #999'>{head}</tr></thead><tbody>{trs}</tbody></table></div>")


class Table:
    """Rows (dicts or dataclasses) shown as a table: HTML in a notebook, fixed-width
    text in ``print`` and in plain-text outputs; ``columns`` and ``formats`` as for
    :func:`labkit.text.text_table`."""

    def __init__(self, rows, columns=None, *, formats=None, caption: str | None = None):
        self.rows = [asdict(r) if is_dataclass(r) else dict(r) for r in rows]
        self.columns = columns
        self.formats = formats
        self.caption = caption

    def __str__(self) -> str:
        text = text_table(self.rows, self.columns, formats=self.formats)
        return f"{self.caption}\n{text}" if self.caption else text

    __repr__ = __str__

    def _repr_html_(self) -> str:
        return table_html(self.rows, self.columns, formats=self.formats, caption=self.caption)

    def to_frame(self):
        """The rows as a pandas DataFrame (the chosen columns, under their headers)."""
        import pandas as pd
        cols = self.columns or (list(self.rows[0]) if self.rows else [])
        cols = [c if isinstance(c, tuple) else (c, c) for c in cols]
        return pd.DataFrame([{h: r.get(k) for k, h in cols} for r in self.rows], columns=[h for _, h in cols])


def table(rows, columns=None, *, formats=None, caption: str | None = None) -> Table:
    """A :class:`Table` (the notebooks' way to show rows)."""
    return Table(rows, columns, formats=formats, caption=caption)


# ------------------------------------------------------------------ procedure reports
def plain_table_html(rows, columns=None) -> str:
    """Rows of dicts as a plain HTML table, every value as ``str()`` (escaped): the
    HTML twin of ``text_table(rows, plain=True)`` that procedure reports use."""
    rows = list(rows)
    if not rows:
        return "<p><i>(none)</i></p>"
    headers, body, _ = table_cells(rows, columns, plain=True)
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    trs = "".join("<tr>" + "".join(f"<td>{escape(v)}</td>" for v in b) + "</tr>" for b in body)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{trs}</tbody></table>"


def report_html(report) -> str:
    """A :class:`labkit.procedures.ProcedureReport` as HTML: its steps with their
    simulated times, what stopped it, advisories, client interruptions and its tables."""
    from ..procedures.engine import TODO, interruption_row
    from ..text import duration

    e = escape
    rows = [{"#": s.index, "step": s.name, "status": s.status,
             "time": duration(s.seconds) if s.status != TODO else "", "note": s.note} for s in report.steps]
    parts = [f"<h4>{e(report.title)} on {e(report.cluster)}</h4>",
             f"<p>{e(report.status())} &mdash; source: {e(report.source)}</p>", plain_table_html(rows)]
    if report.error:
        parts.append(f"<p style='color:#b00'><b>Stopped:</b> {e(report.error)}</p>")
    if report.advisories:
        parts.append("<ul>" + "".join(f"<li>&#9888; {e(str(a))}</li>" for a in report.advisories) + "</ul>")
    if report.interruptions:
        parts.append("<h5>Client interruptions</h5>"
                     + plain_table_html([interruption_row(i) for i in report.interruptions]))
    for name, t in report.tables.items():
        parts.append(f"<h5>{e(name)}</h5>" + plain_table_html(list(t)))
    return "\n".join(parts)


def owner_audit_html(audit) -> str:
    """A :class:`labkit.procedures.OwnerAudit` as HTML: its summary, then the resources
    that miss Exchange nodes."""
    return f"<p>{str(audit).splitlines()[0]}</p>" + ("" if audit.ok else plain_table_html(audit.rows()))
