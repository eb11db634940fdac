"""Charts with matplotlib, as pure functions of model data that return a figure.

Every function takes what the model computed -- the cluster log, a load report, an
N-k analysis, a Monte Carlo result, RAID arrays, the ROI worksheet -- and returns a
:class:`Chart`, a ``matplotlib.figure.Figure`` that a notebook shows as an inline
SVG scaled to the output width (``Chart._repr_html_``; :meth:`Chart.svg` gives the
text). The analysis lives in the model (``ClusterLog.spans``/``outages``,
``LoadReport.rows``, ``NkReport.cases``...); these functions only draw it.

Deterministic, so notebooks keep byte-stable outputs: fixed size and dpi, the font
pinned to DejaVu Sans (it ships with matplotlib; text stays SVG text, with sans-serif
fallbacks for a browser without it), a fixed ``svg.hashsalt`` for element ids, and no
date in the metadata. matplotlib is imported
when this module is (never by ``import labkit``); pyplot is never used, so nothing
global changes in the learner's kernel.

>>> from labkit.planning import plan_failures
>>> fig = load_chart(plan_failures("balanced", 4, 5000, failed=1))
>>> fig.svg() == load_chart(plan_failures("balanced", 4, 5000, failed=1)).svg()
True
"""
from __future__ import annotations

import io
from datetime import datetime, timedelta

import matplotlib
from matplotlib.figure import Figure

from .tables import STATE_COLOURS
from .svg import fit

#: The rcParams every chart is drawn and saved with.
RC = {
    "font.family": "DejaVu Sans", "font.size": 9, "axes.titlesize": 10, "axes.labelsize": 9,
    "xtick.labelsize": 8, "ytick.labelsize": 8, "legend.fontsize": 8, "legend.frameon": False,
    "axes.spines.top": False, "axes.spines.right": False, "figure.dpi": 72, "savefig.dpi": 72,
    "svg.fonttype": "none", "svg.hashsalt": "labkit", "svg.image_inline": True, "path.simplify": True,
    "figure.autolayout": False, "axes.grid": False, "hatch.linewidth": 0.6,
}
#: What the browser draws the charts' text with (DejaVu Sans first: matplotlib measured with it).
FONT_STACK = "'DejaVu Sans', 'Bitstream Vera Sans', Verdana, Arial, sans-serif"
#: Colours: the states of the diagrams, and a few for quantities.
OWN, MOVED, LIMIT, BAD, GREY, BLUE = "#93c47d", "#f6b26b", "#333333", "#b00000", "#bbbbbb", "#4a78b5"


class Chart(Figure):
    """A ``matplotlib.figure.Figure`` that knows how to show itself in a notebook."""

    def svg(self) -> str:
        """The SVG document (deterministic: same figure, same bytes)."""
        buf = io.StringIO()
        with matplotlib.rc_context(RC):
            self.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
        return buf.getvalue().replace("font-family: 'DejaVu Sans'", f"font-family: {FONT_STACK}")

    def html(self) -> str:
        """The inline SVG, scaled to the width it has (never past its natural size)."""
        return f'<div class="labkit-chart" style="max-width:100%">{fit(self.svg())}</div>'

    def _repr_html_(self) -> str:
        return self.html()

    def __repr__(self) -> str:
        title = self.get_label() or "chart"
        return f"<chart: {title}>"


def _styled(fn):
    """Run a chart function inside :data:`RC` (legends, texts and ticks read the rcParams
    when they are made, not only when the figure is saved)."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kw):
        with matplotlib.rc_context(RC):
            return fn(*args, **kw)
    return wrapper


def _figure(width: float, height: float, label: str) -> Chart:
    with matplotlib.rc_context(RC):
        fig = Chart(figsize=(width, height), dpi=72)
    fig.set_label(label)
    return fig


def _axes(fig, *args, **kw):
    with matplotlib.rc_context(RC):
        return fig.add_subplot(*args, **kw)


def _unit(seconds: float) -> tuple[float, str]:
    if seconds > 3 * 3600:
        return 3600.0, "h"
    if seconds > 600:
        return 60.0, "min"
    return 1.0, "s"


def _secs(s: float) -> str:
    if s >= 3600:
        return f"{s / 3600:.1f} h"
    if s >= 120:
        return f"{s / 60:.1f} min"
    return f"{s:.1f} s" if s < 100 else f"{s:.0f} s"


# ------------------------------------------------------------------ failover timeline
_TIMELINE_COLOURS = dict(STATE_COLOURS, **{"Offline": "#d9d9d9", "Pending": "#9fc5f8", "Failed": "#e06666",
                                          "Down": "#e06666"})


def _timeline_bars(ax, spans, rows: dict, t0, scale: float) -> dict:
    """One bar a stretch in a state, coloured by the state; the states drawn, with their colours."""
    seen_states: dict[str, str] = {}
    for s in spans:
        if s.obj not in rows:
            continue
        y = rows[s.obj]
        x = (s.start - t0).total_seconds() / scale
        w = s.seconds / scale
        colour = _TIMELINE_COLOURS.get(s.state, "#eeeeee")
        if w > 0:
            ax.barh(y, w, left=x, height=0.6, color=colour, edgecolor="white", linewidth=0.4)
            seen_states.setdefault(s.state, colour)
    return seen_states


def _timeline_owners(ax, log, spans, rows: dict, t0, scale: float, total: float) -> None:
    """The node each row starts on, and each owner change ("-> 2-MOE") where it happens."""
    first_node: dict[str, str] = {}
    for s in spans:
        if s.obj in rows and s.node and s.obj not in first_node:
            first_node[s.obj] = s.node
    moves = [ch for ch in log.changes(kinds=("owner",)) if ch.obj in rows]
    for obj, node in first_node.items():
        if not any(ch.obj == obj for ch in moves) or node != next(ch.old for ch in moves if ch.obj == obj):
            continue
        ax.text(total / scale * 0.004, rows[obj] - 0.02, node, va="center", ha="left", fontsize=7, color="#1b3d6d")
    for ch in moves:
        ax.text((ch.time - t0).total_seconds() / scale + total / scale * 0.004, rows[ch.obj] - 0.02, f"→ {ch.new}",
                va="center", ha="left", fontsize=7, color="#1b3d6d", clip_on=True)


def _timeline_nodes(ax, log, t0, scale: float) -> None:
    """Node changes: dashed lines with the node and its new state."""
    labelled = 0
    for ch in log.changes(kinds=("node",)):
        if ch.new not in ("Down", "Up"):
            continue
        x = (ch.time - t0).total_seconds() / scale
        ax.axvline(x, color=BAD if ch.new == "Down" else "#38761d", linestyle="--", linewidth=0.8)
        ax.text(x, -0.75 - 0.32 * (labelled % 2), f"{ch.obj} {ch.new}", fontsize=7, ha="center", va="bottom",
                color=BAD if ch.new == "Down" else "#38761d")
        labelled += 1


def _timeline_outages(ax, log, objects, rows: dict, t0, scale: float, start, until) -> None:
    """Each outage of a row's object bracketed and labelled with its length."""
    for obj in objects:
        for o in log.outages(obj, start=start, until=until):
            if o.seconds <= 0:
                continue
            x0, x1 = (o.start - t0).total_seconds() / scale, (o.end - t0).total_seconds() / scale
            y = rows[obj] + 0.42
            ax.annotate("", xy=(x0, y), xytext=(x1, y),
                        arrowprops={"arrowstyle": "|-|", "mutation_scale": 2, "linewidth": 0.7, "color": "#444"})
            ax.text((x0 + x1) / 2, y + 0.05, _secs(o.seconds), ha="center", va="bottom", fontsize=7,
                    color="#222")


@_styled
def failover_timeline(log, objects=None, *, title: str | None = None, start: datetime | None = None,
                      until: datetime | None = None, measure: bool = True, width: float = 9.0) -> Chart:
    """The failover timeline (a Gantt chart) of ``log`` (a :class:`~labkit.sim.ClusterLog`
    or a list of its events): one row per group or resource in ``objects`` (default:
    every group that changed state), coloured by state over simulated time; the node
    each stretch ran on written in it when it changes (``-> 2-MOE``); node crashes and
    restarts as dashed vertical lines; and, with ``measure``, each outage of a group
    (its time away from Online, :meth:`~labkit.sim.ClusterLog.outages`) bracketed and
    labelled with its length.

    >>> import labkit as lk
    >>> from labkit.scenarios import file_share_cluster
    >>> c = file_share_cluster(); mark = len(c.log)
    >>> c.crash_node("NODE1"); c.run_until_stable()
    >>> failover_timeline(c.log.since(mark), ["FS"])
    <chart: failover timeline>
    """
    from ..sim import ClusterLog
    log = log if isinstance(log, ClusterLog) else ClusterLog(log)
    if log:
        end = until or max(e.time for e in log)
        pad = max((end - (start or log[0].time)) * 0.03, timedelta(seconds=1))
        spans = log.spans(start=start, until=end + pad)   # the last state shows as a short stretch
    else:
        spans = []
    if objects is None:
        objects = list(dict.fromkeys(s.obj for s in spans if s.kind == "group"))
    objects = list(objects)
    rows = {o: i for i, o in enumerate(objects)}
    t0 = start or (log[0].time if log else datetime.min)
    t_end = max((sp.end for sp in spans), default=t0)
    total = max((t_end - t0).total_seconds(), 1.0)
    scale, unit = _unit(total)
    height = 1.1 + 0.42 * max(len(objects), 1)
    fig = _figure(width, height, "failover timeline")
    ax = _axes(fig)
    seen_states = _timeline_bars(ax, spans, rows, t0, scale)
    _timeline_owners(ax, log, spans, rows, t0, scale, total)
    _timeline_nodes(ax, log, t0, scale)
    if measure:
        _timeline_outages(ax, log, objects, rows, t0, scale, start, until)
    ax.set_yticks(range(len(objects)), labels=[_short(o) for o in objects])
    ax.set_ylim(len(objects) - 0.2, -1.2)
    ax.set_xlim(0, total / scale)
    ax.set_xlabel(f"simulated time since {t0:%H:%M:%S} ({unit})")
    handles = [matplotlib.patches.Patch(color=c, label=s) for s, c in seen_states.items()]
    if handles:
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), title="state", title_fontsize=8)
    ax.set_title(title or "failover timeline (from the cluster log)", loc="left")
    fig.subplots_adjust(left=0.16, right=0.84, top=1 - 0.45 / height, bottom=0.55 / height + 0.05)
    return fig


def _short(name: str, width: int = 26) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"


# ---------------------------------------------------------------------- load charts
@_styled
def load_chart(report, *, title: str | None = None, width: float = 7.5) -> Chart:
    """Users per node after one failure case (a load planner report,
    :class:`~labkit.planning.failures.LoadReport`): a bar a node, stacked by virtual
    server (green its own, orange those that moved in), the optimal-load line, failed
    nodes marked, and each node's storage groups out of the limit."""
    rows = report.rows
    fig = _figure(width, 0.9 + 0.45 * max(len(rows), 1), "load after a failure")
    ax = _axes(fig)
    names = [r.node for r in rows]
    for i, r in enumerate(rows):
        left = 0
        for vs, users, moved in r.virtual_servers:
            ax.barh(i, users, left=left, height=0.6, color=MOVED if moved else OWN, edgecolor="white", linewidth=0.8)
            if users >= report.optimal_users * 0.18:
                ax.text(left + users / 2, i, vs, ha="center", va="center", fontsize=7)
            left += users
        if not r.up:
            ax.text(0, i, "  Down", va="center", ha="left", color=BAD, fontsize=8, fontweight="bold")
        else:
            limit = report.plan.max_storage_groups_per_node if report.plan else 4
            sg = f"{r.storage_groups}/{limit} SGs" + ("  ✘ refused" if r.refused else "")
            ax.text(max(left, 1) + report.optimal_users * 0.02, i, f"{r.users:,}  ·  {sg}", va="center",
                    ha="left", fontsize=7, color=BAD if (r.over_load or r.refused) else "#222")
    ax.axvline(report.optimal_users, color=LIMIT, linewidth=1.2)
    ax.text(report.optimal_users, -0.75, f"optimal load {report.optimal_users:,.0f}", ha="center", va="bottom",
            fontsize=7)
    top = max([report.optimal_users * 1.45] + [r.users * 1.3 for r in rows])
    ax.set_xlim(0, top)
    ax.set_yticks(range(len(names)), labels=names)
    ax.set_ylim(len(names) - 0.4, -1.1)
    ax.set_xlabel("users")
    ax.legend(handles=[matplotlib.patches.Patch(color=OWN, label="its own virtual servers"),
                       matplotlib.patches.Patch(color=MOVED, label="moved in")],
              loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=2)
    failed = ", ".join(report.failed) if report.failed else "no node"
    ax.set_title(title or f"{report.strategy}: users per node, {failed} failed", loc="left", pad=18)
    fig.subplots_adjust(left=0.14, right=0.97, top=0.8, bottom=0.5 / (0.9 + 0.45 * len(rows)) + 0.12)
    return fig


@_styled
def nk_chart(nk, optimal_users: float, *, title: str | None = None, width: float = 9.0) -> Chart:
    """Users per node after each failure case of an N-k analysis
    (:func:`labkit.planning.n_k_analysis`): one group of bars a case (the surviving
    nodes' users), the optimal-load line across, cases whose busiest node is over it
    in red."""
    cases = list(nk.cases)
    nodes = list(nk.nodes)
    fig = _figure(width, 3.4, "users per node after each failure")
    ax = _axes(fig)
    n = len(nodes)
    bw = 0.8 / max(n, 1)
    palette = ["#6fa8dc", "#93c47d", "#f6b26b", "#8e7cc3", "#76a5af", "#c27ba0", "#ffd966", "#a4c2f4"]
    for ci, case in enumerate(cases):
        for ni, node in enumerate(nodes):
            users = case.users.get(node)
            if users is None:
                continue
            colour = BAD if users > optimal_users else palette[ni % len(palette)]
            ax.bar(ci - 0.4 + bw * (ni + 0.5), users, width=bw * 0.92, color=colour)
    ax.axhline(optimal_users, color=LIMIT, linewidth=1.1)
    ax.text(len(cases) - 0.5, optimal_users, f" optimal load {optimal_users:,.0f}", va="bottom", ha="right",
            fontsize=7)
    ax.set_xticks(range(len(cases)), labels=["\n+ ".join(c.failed) for c in cases], fontsize=6.5)
    ax.set_xlim(-0.6, len(cases) - 0.4)
    ax.set_ylabel("users on a surviving node")
    ax.legend(handles=[matplotlib.patches.Patch(color=palette[i % len(palette)], label=nd)
                       for i, nd in enumerate(nodes)] + [matplotlib.patches.Patch(color=BAD, label="over optimal")],
              loc="upper left", ncols=min(n + 1, 5))
    ax.set_ylim(0, max([optimal_users * 1.35] + [u * 1.3 for c in cases for u in c.users.values()]))
    ax.set_title(title or f"N-{nk.k}: users per surviving node, every failure set", loc="left")
    fig.subplots_adjust(left=0.08, right=0.99, top=0.9, bottom=0.3)
    return fig


# ----------------------------------------------------------------- Monte Carlo
@_styled
def montecarlo_chart(mc, *, title: str | None = None, width: float = 9.0) -> Chart:
    """A Monte Carlo run (:func:`labkit.planning.monte_carlo`) in two panels: the
    distribution of downtime over its equal slices (``batch_unavailability``: minutes a
    year some virtual server was down, one bar a slice) and, as nines, the availability
    the closed form promises against what the simulation measured."""
    from ..planning.availability import SECONDS_PER_YEAR, nines
    MINUTES_PER_YEAR = SECONDS_PER_YEAR / 60
    fig = _figure(width, 3.2, "Monte Carlo")
    left = _axes(fig, 1, 2, 1)
    per = [u * MINUTES_PER_YEAR for u in mc.batch_unavailability]
    bins = min(10, max(3, len(per) // 2))
    left.hist(per, bins=bins, color=BLUE, edgecolor="white")
    mean = sum(per) / len(per) if per else 0.0
    left.axvline(mean, color=LIMIT, linestyle="--", linewidth=1)
    left.text(mean, left.get_ylim()[1] * 0.95, f" mean {mean:,.0f} min", fontsize=7, va="top")
    left.set_xlabel(f"minutes a year with a virtual server down ({len(per)} slices of "
                    f"{mc.years / max(len(per), 1):g} year{'s' if mc.years != len(per) else ''})")
    left.set_ylabel("slices")
    left.set_title("downtime, slice by slice", loc="left")
    right = _axes(fig, 1, 2, 2)
    cf = mc.closed_form()
    values = [("closed form\n(enough nodes up)", cf.availability, GREY),
              ("simulated:\nall virtual servers up", mc.all_up_availability, BLUE),
              ("simulated:\nusers' availability", mc.user_availability, OWN)][: 3 if mc.users else 2]
    cap = 9.0
    for i, (label, a, colour) in enumerate(values):
        x = min(nines(a), cap) if a < 1 else cap
        right.barh(i, x, color=colour, height=0.6)
        right.text(x + 0.1, i, f"{a:.9f}".rstrip("0") if a < 1 else "1 (never down)", va="center", fontsize=7)
    right.set_yticks(range(len(values)), labels=[v[0] for v in values])
    right.set_xlim(0, cap + 2.2)
    right.set_ylim(len(values) - 0.4, -0.6)
    right.set_xlabel("nines of availability")
    right.set_title("closed form against the simulation", loc="left")
    fig.suptitle(title or f"{mc.years:g} simulated years, MTBF {mc.mtbf_h:g} h, MTTR {mc.mttr_h:g} h",
                 x=0.01, ha="left", fontsize=10)
    fig.subplots_adjust(left=0.07, right=0.98, wspace=0.55, top=0.8, bottom=0.2)
    return fig


# ------------------------------------------------------------------------- RAID
@_styled
def raid_chart(arrays, read_fraction: float = 0.5, *, title: str | None = None, width: float = 9.0) -> Chart:
    """RAID levels side by side (:class:`labkit.planning.raid.Array` objects): usable
    capacity, and the random I/O a second each sustains with half writes and with reads
    only -- the write penalty is the gap between the two."""
    arrays = list(arrays)
    fig = _figure(width, 2.9, "RAID levels")
    cap = _axes(fig, 1, 2, 1)
    labels = [a.describe().replace(" x 18.2 GB ", " × 18.2 GB\n") for a in arrays]
    ys = range(len(arrays))
    cap.barh(ys, [a.usable_gb for a in arrays], color=GREY, height=0.6)
    for i, a in enumerate(arrays):
        cap.text(a.usable_gb, i, f" {a.usable_gb:g} GB · survives {a.tolerated_failures}", va="center", fontsize=7)
    cap.set_yticks(list(ys), labels=labels)
    cap.set_ylim(len(arrays) - 0.4, -0.6)
    cap.set_xlim(0, max(a.usable_gb for a in arrays) * 1.7)
    cap.set_xlabel("usable GB")
    cap.set_title("capacity", loc="left")
    io_ax = _axes(fig, 1, 2, 2)
    mixed = [a.max_iops(read_fraction) for a in arrays]
    reads = [a.max_iops(1.0) for a in arrays]
    io_ax.barh([y - 0.17 for y in ys], reads, height=0.32, color="#cfe2f3", label="reads only")
    io_ax.barh([y + 0.17 for y in ys], mixed, height=0.32, color=BLUE, label=f"{1 - read_fraction:.0%} writes")
    for i, (m, r) in enumerate(zip(mixed, reads)):
        io_ax.text(m, i + 0.17, f" {m:,.0f}  ({m / r:.0%} of reads)", va="center", fontsize=7)
    io_ax.set_yticks(list(ys), labels=[str(a.level) for a in arrays])
    io_ax.set_ylim(len(arrays) - 0.4, -0.6)
    io_ax.set_xlim(0, max(reads) * 1.55)
    io_ax.set_xlabel("random I/O a second (4 KB, labkit's drive model)")
    io_ax.set_title("I/O: the write penalty", loc="left")
    io_ax.legend(loc="lower right")
    if title:
        fig.suptitle(title, x=0.01, ha="left", fontsize=10)
    fig.subplots_adjust(left=0.15, right=0.98, wspace=0.3, top=0.86, bottom=0.17)
    return fig


# --------------------------------------------------------------- cost of downtime
@_styled
def cost_chart(worksheet, *, title: str | None = None, width: float = 8.0) -> Chart:
    """The return-on-investment worksheet (:class:`labkit.planning.RoiWorksheet`) as
    money a year: what the cluster costs (its price written off over the years, plus
    operating it) against what the downtime costs without it and with it -- the
    downtime it avoids is the gap."""
    w = worksheet
    per_year_cluster = w.cluster_cost_usd / w.years
    before = w.downtime_before_h * w.cost_per_user_hour_usd * w.users
    after = w.downtime_after_h * w.cost_per_user_hour_usd * w.users
    fig = _figure(width, 2.8, "cost of downtime")
    ax = _axes(fig)
    ax.barh(0, per_year_cluster, color="#8e7cc3", height=0.55, label=f"cluster, written off over {w.years:g} years")
    ax.barh(0, w.yearly_operating_usd, left=per_year_cluster, color="#c9bfe6", height=0.55,
            label="training and administration")
    ax.barh(1, before, color=BAD, height=0.55, label="downtime without the cluster")
    ax.barh(2, after, color="#f4a6a6", height=0.55, label="downtime with the cluster")
    cost = per_year_cluster + w.yearly_operating_usd
    for y, v in ((0, cost), (1, before), (2, after)):
        ax.text(v, y, f"  \\${v:,.0f} a year", va="center", fontsize=8)
    ax.set_yticks([0, 1, 2], labels=["the cluster costs", "downtime costs,\nno cluster",
                                     "downtime costs,\nwith the cluster"])
    ax.set_ylim(2.5, -0.6)
    ax.set_xlim(0, max(cost, before, after) * 1.35)
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _p: f"\\${v / 1000:,.0f}k"))
    ax.set_xlabel(f"US dollars a year ({w.users:,} users at \\${w.cost_per_user_hour_usd:g} per user-hour down)")
    ax.legend(loc="lower right", fontsize=7, bbox_to_anchor=(1.0, 0.02))
    ax.set_title(title or f"downtime avoided: \\${before - after:,.0f} a year; the cluster: \\${cost:,.0f} a year",
                 loc="left")
    fig.subplots_adjust(left=0.2, right=0.98, top=0.88, bottom=0.2)
    return fig


@_styled
def downtime_chart(breakdown, *, title: str | None = None, width: float = 8.0) -> Chart:
    """Downtime by cause before and after clustering (a
    :class:`labkit.planning.DowntimeBreakdown`): hours a year per cause, the part
    clustering removes drawn hatched -- the availability calculator's live picture."""
    rows = [*breakdown.rows] + ([breakdown.planned] if breakdown.planned else [])
    fig = _figure(width, 0.9 + 0.42 * len(rows), "downtime by cause")
    ax = _axes(fig)
    for i, r in enumerate(rows):
        ax.barh(i, r.hours_after, color=BAD, height=0.6)
        ax.barh(i, r.hours_removed, left=r.hours_after, color="#f4cccc", height=0.6, hatch="///",
                edgecolor="#cc6666", linewidth=0)
        ax.text(r.hours_before, i, f"  {r.hours_before:g} h → {r.hours_after:.2f} h", va="center", fontsize=7)
    ax.set_yticks(range(len(rows)), labels=[str(r.cause) for r in rows])
    ax.set_ylim(len(rows) - 0.4, -0.6)
    ax.set_xlim(0, max([r.hours_before for r in rows] + [0.0]) * 1.45 or 1.0)
    ax.set_xlabel("hours of downtime a year")
    ax.legend(handles=[matplotlib.patches.Patch(color=BAD, label="left with the cluster"),
                       matplotlib.patches.Patch(facecolor="#f4cccc", hatch="///", edgecolor="#cc6666",
                                                label="removed by clustering")],
              loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=2)
    ax.set_title(title or f"clustering removes {breakdown.removed_share:.0%} of the downtime", loc="left", pad=16)
    fig.subplots_adjust(left=0.24, right=0.98, top=0.86, bottom=0.55 / (0.9 + 0.42 * len(rows)) + 0.1)
    return fig


__all__ = ["RC", "Chart", "failover_timeline", "load_chart", "nk_chart", "montecarlo_chart", "raid_chart",
           "cost_chart", "downtime_chart"]
