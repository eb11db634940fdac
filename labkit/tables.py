"""HTML views of model objects for notebooks (pure functions of the model)."""
from __future__ import annotations

from html import escape

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


def timeline(events, *, start=None, objects=None) -> str:
    """Log events as a timeline: seconds since ``start`` (a datetime; default the first
    event's time), then node, object, what happened and why. ``objects`` keeps only
    events about those names (e.g. one group's resources).

    >>> from labkit.sim import LogEvent, START
    >>> from datetime import timedelta
    >>> evs = [LogEvent(START, "N1", "Share", "fault injected (crash)"),
    ...        LogEvent(START + timedelta(seconds=5), "N1", "Share", "Online -> Failed", "LooksAlive poll failed")]
    >>> print(timeline(evs))
      +0.0 s  N1          Share: fault injected (crash)
      +5.0 s  N1          Share: Online -> Failed (LooksAlive poll failed)
    """
    keep = set(objects) if objects is not None else None
    evs = [e for e in events if keep is None or e.obj in keep]
    if not evs:
        return "(no events)"
    t0 = start or evs[0].time
    lines = []
    for e in evs:
        why = f" ({e.why})" if e.why else ""
        lines.append(f"{(e.time - t0).total_seconds():+6.1f} s  {(e.node or '-'):<10}  {e.obj}: {e.what}{why}")
    return "\n".join(lines)


def table_cells(rows, columns=None, *, formats=None):
    """What a table shows, cell by cell: ``(headers, body, numeric)`` -- the column
    headers, the rows as formatted strings and, per column, whether it holds numbers
    (right-aligned). :func:`text_table` prints it; :class:`labkit.views.tables.Table`
    renders it as HTML. Arguments as for :func:`text_table`."""
    from dataclasses import asdict, is_dataclass

    rows = [asdict(r) if is_dataclass(r) else dict(r) for r in rows]
    if columns is None:
        columns = list(rows[0]) if rows else []
    cols = [c if isinstance(c, tuple) else (c, c) for c in columns]
    formats = formats or {}

    def cell(key, v):
        if key in formats and v is not None:
            return formats[key].format(v)
        if isinstance(v, bool):
            return "yes" if v else "no"
        if isinstance(v, float):
            return f"{v:,.1f}"
        if isinstance(v, int):
            return f"{v:,}"
        return "" if v is None else str(v)

    body = [[cell(k, r.get(k)) for k, _ in cols] for r in rows]
    numeric = [all(isinstance(r.get(k), (int, float)) and not isinstance(r.get(k), bool)
                   for r in rows if r.get(k) is not None) and any(r.get(k) is not None for r in rows)
               for k, _ in cols]
    return [h for _, h in cols], body, numeric


def text_table(rows, columns=None, *, formats=None) -> str:
    """Rows (dicts, or dataclasses) as a fixed-width text table for ``print``.

    ``columns`` picks and orders the keys; an item may be ``(key, header)`` to rename
    a column. ``formats`` maps a key to a format string such as ``"{:.1f}"``. Numbers
    are right-aligned, text left-aligned; True/False print as yes/no.

    >>> print(text_table([{"level": "RAID 1", "drives": 2, "usable_gb": 18.2},
    ...                   {"level": "RAID 0+1", "drives": 6, "usable_gb": 54.6}],
    ...                  [("level", "RAID"), "drives", ("usable_gb", "usable GB")]))
    RAID      drives  usable GB
    --------  ------  ---------
    RAID 1         2       18.2
    RAID 0+1       6       54.6
    """
    headers, body, numeric = table_cells(rows, columns, formats=formats)
    widths = [max([len(h)] + [len(b[i]) for b in body]) for i, h in enumerate(headers)]

    def line(values):
        return "  ".join(v.rjust(widths[i]) if numeric[i] else v.ljust(widths[i])
                         for i, v in enumerate(values)).rstrip()

    lines = [line(headers), "  ".join("-" * w for w in widths)]
    lines += [line(b) for b in body]
    return "\n".join(lines)


def duration(seconds: float) -> str:
    """Simulated seconds as an administrator reads them: seconds under two minutes,
    minutes under an hour, hours beyond.

    >>> duration(64.25), duration(1200), duration(5400)
    ('64.25 s', '20.0 min', '1.5 h')
    """
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h"
    if seconds >= 120:
        return f"{seconds / 60:.1f} min"
    return f"{seconds:g} s"


def step_line(result) -> str:
    """One step of a procedure (a ``labkit.procedures.StepResult``, or anything with
    ``index``, ``name``, ``status``, ``seconds`` and ``note``) as one line: what
    ``procedure.next()`` just did, for notebooks that walk a runbook step by step.

    >>> from types import SimpleNamespace as S
    >>> print(step_line(S(index=4, name="install the cluster service and join", status="done",
    ...                   seconds=3.0, note="5-SHEMP joined as node 5")))
     4. install the cluster service and join -- done, 3 s: 5-SHEMP joined as node 5
    >>> print(step_line(S(index=7, name="move the groups back", status="skipped", seconds=0.0,
    ...                   note="after hours")))
     7. move the groups back -- skipped: after hours
    """
    head = f"{result.index:>2}. {result.name} -- {result.status}"
    if result.status == "done":
        head += f", {duration(result.seconds)}"
    return f"{head}: {result.note}" if result.note else head
