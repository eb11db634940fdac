"""The load planner's report as HTML (no ipywidgets): :func:`load_html` draws a
:class:`labkit.planning.failures.LoadReport`, which :func:`labkit.planning.plan_failures`
computes (the analysis lives in :mod:`labkit.planning.failures`).

>>> from labkit.planning import plan_failures
>>> "3-LARRY" in load_html(plan_failures("balanced", 4, 5000, failed=2))
True
"""
from __future__ import annotations

from html import escape

from ...planning.failures import LoadReport, NodeRow, load_summary, percent

_MONO = "font-family:monospace;font-size:12px"
_OK, _BAD = "#1e6b1e", "#b00000"


def _bar_html(row: NodeRow, scale: float, optimal: float, width: int = 300) -> str:
    segs = []
    for vs, users, moved in row.virtual_servers:
        px = users / scale * width if scale else 0
        colour = "#f6b26b" if moved else "#93c47d"
        segs.append(f"<span title='{escape(vs)}: {users:,} users{' (moved in)' if moved else ''}' "
                    f"style='display:inline-block;height:14px;width:{px:.0f}px;background:{colour};"
                    f"border-right:1px solid #fff;box-sizing:border-box'></span>")
    left = optimal / scale * width if scale else 0
    border = f"2px solid {_BAD}" if row.over_load else "1px solid #ccc"
    return (f"<div style='position:relative;width:{width}px;height:14px;background:#f3f3f3;border:{border};"
            f"white-space:nowrap;overflow:visible'>{''.join(segs)}"
            f"<span title='optimal load: {optimal:,.0f} users' style='position:absolute;left:{left:.0f}px;top:-3px;"
            f"width:2px;height:20px;background:#333'></span></div>")


def load_html(r: LoadReport) -> str:
    """The planner's output: the summary, one row a node (state, users and a bar of
    its load -- green its own virtual servers, orange those that moved in, the black
    line its optimal load, a red frame when over it --, its storage groups out of the
    limit, red with the refused mounts), then the findings."""
    head = f"<div style='{_MONO}'><b>{escape(load_summary(r))}</b></div>"
    if r.plan is None:
        return head + f"<div style='color:{_BAD}'>✘ no plan: {escape(r.refused or '')}</div>"
    limit = r.plan.max_storage_groups_per_node
    scale = max([r.optimal_users * 1.25] + [row.users for row in r.rows])
    out = ["<div style='overflow-x:auto;max-width:100%'><table style='border-collapse:collapse;white-space:nowrap'>"
           "<tr><th align=left>node</th><th>state</th><th>users</th>"
           "<th>load</th><th align=left>users against optimal load</th><th>storage groups</th>"
           "<th align=left>virtual servers</th></tr>"]
    for row in r.rows:
        name = escape(row.node) + (" <small>(standby)</small>" if row.standby else "")
        if not row.up:
            out.append(f"<tr style='color:#888'><td>{name}</td><td><span style='background:#f4a6a6;padding:0 6px'>"
                       "Down</span></td><td></td><td></td><td></td><td></td><td></td></tr>")
            continue
        load_style = f" style='color:{_BAD};font-weight:bold'" if row.over_load else ""
        sg_style = f" style='color:{_BAD};font-weight:bold'" if row.over_limit else ""
        refused = ("<br><small>✘ refused " + ", ".join(f"{escape(vs)} ({k}/{limit})" for vs, k in row.refused)
                   + "</small>") if row.refused else ""
        vss = ", ".join(escape(v) + (" ←" if moved else "") for v, _, moved in row.virtual_servers) or "<i>idle</i>"
        out.append(f"<tr><td>{name}</td><td><span style='background:#b7e1a1;padding:0 6px'>Up</span></td>"
                   f"<td align=right>{row.users:,}</td><td align=right{load_style}>{percent(row.load)}</td>"
                   f"<td>{_bar_html(row, scale, r.optimal_users)}</td>"
                   f"<td align=center{sg_style}>{row.storage_groups}/{limit}{refused}</td><td>{vss}</td></tr>")
    out.append("</table></div><div style='color:#555;font-size:11px'>bar: <span style='background:#93c47d'>&nbsp;"
               "&nbsp;</span> a node's own virtual servers, <span style='background:#f6b26b'>&nbsp;&nbsp;</span> "
               "virtual servers that moved in (←), ▍ the optimal load; red: over it, or a mount refused</div>")
    if r.violations:
        items = "".join(f"<li><b>{escape(v.rule)}</b> · {escape(v.subject or '')}: {escape(v.message)} "
                        f"<small style='color:#666'>({escape(v.source)})</small></li>" for v in r.violations)
        out.append(f"<div style='color:{_BAD}'>✘ {len(r.violations)} finding(s):<ul style='margin:0'>{items}</ul></div>")
    else:
        out.append(f"<div style='color:{_OK}'>✔ every virtual server runs, no node over its optimal load or the "
                   f"{limit}-storage-group limit</div>")
    return head + "".join(out)


__all__ = ["load_html"]
