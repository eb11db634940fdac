"""What the planning widgets compute and show, as pure functions (no ipywidgets).

The :class:`~labkit.views.widgets.StorageDesigner` calls :func:`design_storage` and
:func:`storage_html`; the :class:`~labkit.views.widgets.AvailabilityCalculator` calls
:func:`read_availability`, :func:`nines_html`, :func:`cause_breakdown` and
:func:`breakdown_html`. Tests drive these directly. The arithmetic is the model's
(:mod:`labkit.planning.storage`, :mod:`labkit.planning.raid`,
:mod:`labkit.planning.availability`); this module only chooses what to show.

>>> r = design_storage(users=5000, nodes=4)          # the paper's Table 9
>>> r.total_drives, r.enclosures, r.ok
(36, 3, True)
>>> read_availability(nines=4).text
'99.99% = 52.6 min of downtime a year'
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import partial
from html import escape

from ...errors import LabkitError, ValidationError
from ...exchange.model import ExchangeSettings
from ...planning import availability as av
from ...planning import raid
from ...planning import storage as st
from ...planning import storage_rules
from ...planning.findings import Violation, whole_number

_MONO = "font-family:monospace;font-size:12px"
_OK, _BAD = "#1e6b1e", "#b00000"

# ================================================================ storage designer
#: Drives the designer offers (the Table 9 drive and two what-ifs of the same year).
DRIVES: dict[str, raid.DriveModel] = {
    "18.2 GB 10,000 rpm (Table 9)": raid.DRIVE_18GB_10K,
    "36.4 GB 10,000 rpm": raid.DRIVE_36GB_10K,
    "18.2 GB 15,000 rpm": raid.DRIVE_18GB_15K,
}
#: The limit of the paper's Table 5 and "Design Storage Before Configuring the Cluster"
#: (KB 314266), as the Exchange layer's named setting holds it.
MAX_SGS_PER_NODE = ExchangeSettings().max_storage_groups_per_node
SRC_SG_PER_NODE = ("paper, Design Storage Before Configuring the Cluster (4 storage groups per node, "
                   "pre- or post-failover); KB 314266")


@dataclass(frozen=True)
class ArrayRow:
    """One array of a design with its headroom: the share of its capacity (and of the
    random I/O it sustains) left over once what it holds is in place. ``io_headroom``
    is None for arrays with no random-I/O requirement (quorum, logs)."""

    label: str
    level: str
    drives: int
    usable_gb: float
    required_gb: float
    max_iops: float
    required_iops: float

    @property
    def capacity_headroom(self) -> float:
        return 1.0 - self.required_gb / self.usable_gb if self.usable_gb else 0.0

    @property
    def io_headroom(self) -> float | None:
        if not self.required_iops:
            return None
        return 1.0 - self.required_iops / self.max_iops if self.max_iops else -math.inf


@dataclass(frozen=True)
class StorageReport:
    """What the storage designer shows for one set of inputs.

    ``design`` is None when no array of the chosen level can hold a storage group
    (``refused`` then says which rule); ``violations`` are the Table 8 checker's
    findings plus the per-node storage-group limit before and after a failover.
    """

    users: int
    nodes: int
    virtual_servers_per_node: int
    storage_groups_per_server: int
    assumptions: st.SizingAssumptions
    design: st.StorageDesign | None
    refused: str | None
    violations: tuple
    storage_groups_per_node: int
    storage_groups_after_failover: int

    @property
    def ok(self) -> bool:
        """A design exists and breaks no rule."""
        return self.design is not None and not self.violations

    @property
    def rows(self) -> list[ArrayRow]:
        if self.design is None:
            return []
        io = self.design.io
        return [ArrayRow(a.label, str(a.array.level), a.array.drives, a.array.usable_gb, a.required_gb,
                         a.array.max_iops(a.read_fraction, io), a.required_iops) for a in self.design.arrays]

    @property
    def total_drives(self) -> int:
        return self.design.total_drives if self.design else 0

    @property
    def enclosures(self) -> int:
        """Storage enclosures (RA4100, 12 bays) the drives need (0 without a design, or
        when an array has more drives than an enclosure has bays)."""
        if self.design is None:
            return 0
        try:
            return self.design.enclosures_needed
        except LabkitError:
            return 0

    @property
    def usable_gb(self) -> float:
        return self.design.usable_gb if self.design else 0.0

    @property
    def raw_gb(self) -> float:
        return self.design.raw_gb if self.design else 0.0

    @property
    def min_io_headroom(self) -> float | None:
        """The smallest I/O headroom of the database arrays (None without any)."""
        got = [r.io_headroom for r in self.rows if r.io_headroom is not None]
        return min(got) if got else None

    @property
    def rules_broken(self) -> list[str]:
        """Distinct rule ids of the violations, in order."""
        return list(dict.fromkeys(v.rule for v in self.violations))


#: the one whole-number check (:func:`~labkit.planning.findings.whole_number`), with this module's source
_count = partial(whole_number, source="labkit.views.widgets.planning_panels")


def storage_groups_per_node(nodes: int, virtual_servers_per_node: int, storage_groups_per_server: int
                            ) -> tuple[int, int]:
    """Storage groups one node mounts in normal running and after one node fails.

    Every node runs ``virtual_servers_per_node`` virtual servers (the paper's
    "Maximum Load - All Nodes" and Figure 7). After a node fails, its virtual
    servers land on one survivor: each group moves to the next node of its
    preferred-owner list, and with the paper's plan (each virtual server preferred
    on its own node) that is the same node for all of them [D].

    >>> storage_groups_per_node(4, 1, 1), storage_groups_per_node(2, 1, 3), storage_groups_per_node(1, 1, 2)
    ((1, 2), (3, 6), (2, 2))
    """
    normal = virtual_servers_per_node * storage_groups_per_server
    return normal, (2 * normal if nodes > 1 else normal)


def node_limit_violations(nodes: int, virtual_servers_per_node: int, storage_groups_per_server: int,
                          limit: int = MAX_SGS_PER_NODE) -> list[Violation]:
    """The per-node storage-group limit, before and after a failover, as findings.

    >>> [v.rule for v in node_limit_violations(2, 1, 3)]
    ['storage-groups-per-node-after-failover']
    """
    normal, after = storage_groups_per_node(nodes, virtual_servers_per_node, storage_groups_per_server)
    found = []
    if normal > limit:
        found.append(Violation("storage-groups-per-node",
                               f"every node mounts {normal} storage groups; Exchange 2000 mounts at most {limit}",
                               SRC_SG_PER_NODE))
    if after > limit and after != normal:
        found.append(Violation("storage-groups-per-node-after-failover",
                               f"after a node fails, the node that takes over its virtual servers has {after} "
                               f"storage groups to mount; at most {limit}: a store will fail to mount",
                               SRC_SG_PER_NODE))
    return found


def design_storage(users: int = st.TABLE9_USERS, nodes: int = st.TABLE9_NODES, *, storage_groups_per_server: int = 1,
                   virtual_servers_per_node: int = 1, database_level="RAID 0+1", log_level="RAID 1",
                   drive: raid.DriveModel | str = raid.DRIVE_18GB_10K, mailbox_mb: float | None = None,
                   iops_per_user: float | None = None) -> StorageReport:
    """Size and check the shared storage for ``users`` on ``nodes`` (the storage
    designer's one computation): :func:`labkit.planning.storage.plan_storage` with
    the chosen RAID levels and drive, then :func:`labkit.planning.storage_rules.check` and
    :func:`node_limit_violations`. ``drive`` is a DriveModel or a key of
    :data:`DRIVES`; ``mailbox_mb`` and ``iops_per_user`` override the sizing
    assumptions (defaults: :data:`labkit.planning.storage.PAPER_2001`).

    A choice no array can satisfy (say database files on a RAID 1 mirror of 18.2 GB
    drives for 1,250 users) is not an exception: the report's ``refused`` says why.

    >>> r = design_storage(5000, 2, storage_groups_per_server=3)
    >>> r.rules_broken
    ['storage-groups-per-node-after-failover']
    >>> design_storage(database_level="RAID 1").refused.startswith("no RAID 1 array")
    True
    """
    _count(users, "users", 0)
    _count(nodes, "nodes", 1, 64)
    _count(virtual_servers_per_node, "virtual servers per node", 1, 16)
    _count(storage_groups_per_server, "storage groups per virtual server", 1, 16)
    if isinstance(drive, str):
        if drive not in DRIVES:
            raise ValidationError(f"unknown drive {drive!r}; choose one of {', '.join(DRIVES)}",
                                  rule="drives are those the designer offers", source="labkit.planning.raid")
        drive = DRIVES[drive]
    changes = {"database_level": raid.RaidLevel.parse(database_level), "log_level": raid.RaidLevel.parse(log_level),
               "drive": drive}
    if mailbox_mb is not None:
        changes["mailbox_mb"] = mailbox_mb
    if iops_per_user is not None:
        changes["iops_per_user"] = iops_per_user
    assumptions = replace(st.PAPER_2001, **changes)
    normal, after = storage_groups_per_node(nodes, virtual_servers_per_node, storage_groups_per_server)
    limits = node_limit_violations(nodes, virtual_servers_per_node, storage_groups_per_server)
    try:
        design = st.plan_storage(users, nodes, virtual_servers_per_node=virtual_servers_per_node,
                                 storage_groups_per_server=storage_groups_per_server, assumptions=assumptions,
                                 name=f"{users:,} users, {nodes} nodes")
    except LabkitError as e:
        return StorageReport(users, nodes, virtual_servers_per_node, storage_groups_per_server, assumptions, None,
                             str(e), tuple(limits), normal, after)
    return StorageReport(users, nodes, virtual_servers_per_node, storage_groups_per_server, assumptions, design,
                         None, tuple(storage_rules.check(design)) + tuple(limits), normal, after)


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x:.0%}"


def storage_summary(report: StorageReport) -> str:
    """One paragraph of plain text: totals, storage groups per node, rules broken.

    >>> print(storage_summary(design_storage()))
    36 drives (3 x RA4100), 309.4 GB usable; 1 storage group per node, 2 after a failover; lowest I/O headroom 24%; no rule broken
    """
    if report.design is None:
        return f"no design: {report.refused}"
    sg = report.storage_groups_per_node
    enc = report.design.enclosure.short or report.design.enclosure.name
    rules = ", ".join(report.rules_broken)
    bays = report.design.enclosure.bays
    where = f"{report.enclosures} x {enc}" if report.enclosures else f"an array is larger than one {enc} ({bays} bays)"
    return (f"{report.total_drives} drives ({where}), {report.usable_gb:,.1f} GB usable; "
            f"{sg} storage group{'s' if sg != 1 else ''} per node, {report.storage_groups_after_failover} after "
            f"a failover; lowest I/O headroom {_pct(report.min_io_headroom)}; "
            + (f"{len(report.violations)} finding(s): {rules}" if report.violations else "no rule broken"))


def violations_html(violations) -> str:
    """The findings as a red list (or a green line when there are none)."""
    if not violations:
        return f"<div style='color:{_OK}'>✔ no storage rule broken (Table 8, the 4-storage-group limit)</div>"
    items = "".join(f"<li><b>{escape(v.rule)}</b>{' · ' + escape(v.subject) if v.subject else ''}: "
                    f"{escape(v.message)} <small style='color:#666'>({escape(v.source)})</small></li>"
                    for v in violations)
    return f"<div style='color:{_BAD}'>✘ {len(violations)} rule violation(s):<ul style='margin:0'>{items}</ul></div>"


def storage_html(report: StorageReport) -> str:
    """The designer's output: summary, one row an array with capacity and I/O
    headroom (random I/O only for the database arrays: logs are sequential and the
    quorum quiet), the online spares, and the rule violations."""
    if report.design is None:
        return (f"<div style='color:{_BAD}'>✘ no design: {escape(report.refused or '')}</div>"
                + (violations_html(report.violations) if report.violations else ""))
    rows = ["<table style='border-collapse:collapse;white-space:nowrap'><tr><th align=left>array</th><th>RAID</th><th>drives</th>"
            "<th>usable GB</th><th>needed GB</th><th>space left</th><th>max I/O/s</th><th>needed I/O/s</th>"
            "<th>I/O headroom</th></tr>"]
    for r in report.rows:
        low = r.io_headroom is not None and r.io_headroom < 0
        colour = f" style='color:{_BAD}'" if low or r.capacity_headroom < 0 else ""
        rows.append(f"<tr{colour}><td>{escape(r.label)}</td><td>{escape(r.level)}</td><td align=right>{r.drives}</td>"
                    f"<td align=right>{r.usable_gb:,.1f}</td><td align=right>{r.required_gb:,.1f}</td>"
                    f"<td align=right>{_pct(r.capacity_headroom)}</td>" + (
                        f"<td align=right>{r.max_iops:,.0f}</td><td align=right>{r.required_iops:,.0f}</td>"
                        if r.required_iops else "<td align=right>-</td><td align=right>-</td>")
                    + f"<td align=right>{_pct(r.io_headroom)}</td></tr>")
    for s in report.design.spares:
        rows.append(f"<tr style='color:#555'><td>{escape(s.name)}</td><td>spare</td><td align=right>1</td>"
                    "<td></td><td></td><td></td><td></td><td></td><td></td></tr>")
    rows.append("</table>")
    head = f"<div style='{_MONO}'><b>{escape(storage_summary(report))}</b></div>"
    return head + "".join(rows) + violations_html(report.violations)


# ============================================================ availability calculator
@dataclass(frozen=True)
class AvailabilityReading:
    """An availability seen three ways: a fraction, a count of nines, and seconds of
    downtime a year -- with where it stands against the paper's landmarks."""

    availability: float

    @property
    def nines(self) -> float:
        return av.nines(self.availability)

    @property
    def downtime_s(self) -> float:
        return av.downtime_per_year(self.availability)

    @property
    def downtime_minutes(self) -> float:
        return self.downtime_s / 60.0

    @property
    def text(self) -> str:
        return av.describe(round(self.availability, 7))

    @property
    def note(self) -> str:
        """What the paper says about this level ("Decision Points"; "Windows NT/2000
        Cluster Technology Fundamentals")."""
        a = round(self.availability, 12)
        if a >= av.PAPER_LOCKSTEP:
            return "lock-step fault-tolerant territory: MSCS is not lock-step and will not get there"
        if a > av.MSCS_BEST:
            return (f"beyond the {av.percent(av.MSCS_BEST)} MSCS gives at best: clustering alone cannot "
                    "meet it")
        if a == av.MSCS_BEST:
            return "the most MSCS can give, in theory"
        return "within reach of a cluster -- if clustering removes your causes of downtime"


def read_availability(*, nines: float | None = None, downtime_minutes: float | None = None) -> AvailabilityReading:
    """The reading for a number of nines or for minutes of downtime a year (give one).

    >>> r = read_availability(downtime_minutes=5.26)
    >>> round(r.nines, 2), r.text
    (5.0, '99.999% = 5.3 min of downtime a year')
    """
    if (nines is None) == (downtime_minutes is None):
        raise ValidationError("give nines or downtime_minutes, not both or neither",
                              rule="an availability is read one way at a time", source="labkit.planning.availability")
    if nines is not None:
        return AvailabilityReading(av.from_nines(nines))
    if isinstance(downtime_minutes, bool) or not isinstance(downtime_minutes, (int, float)):
        raise ValidationError(f"downtime_minutes must be a number, not {downtime_minutes!r}",
                              rule="downtime is a number of minutes", source="labkit.planning.availability")
    return AvailabilityReading(av.availability_from_downtime(downtime_minutes * 60.0))


def nines_html(reading: AvailabilityReading) -> str:
    """The reading, its note, and the table of nines with the row it falls in marked."""
    n = reading.nines
    rows = ["<table style='border-collapse:collapse;white-space:nowrap'><tr><th>nines</th><th>availability</th>"
            "<th>downtime a year</th><th align=left>the paper</th></tr>"]
    for r in av.nines_table():
        here = (n >= 7 and r["nines"] == 7) or (n < 7 and math.floor(n + 1e-9) == r["nines"])
        style = " style='background:#eef3fb;font-weight:bold'" if here else ""
        rows.append(f"<tr{style}><td align=center>{r['nines']}</td><td align=right>{r['availability']}</td>"
                    f"<td align=right>{r['downtime']}</td><td>{escape(r['note'])}</td></tr>")
    rows.append("</table>")
    colour = _BAD if reading.availability > av.MSCS_BEST + 1e-12 else _OK
    count = "no downtime at all: infinitely many" if math.isinf(n) else f"{n:.2f}"
    return (f"<div style='font-size:14px'><b>{escape(reading.text)}</b> ({count} nines)</div>"
            f"<div style='color:{colour}'>{escape(reading.note)}</div>" + "".join(rows))


#: The paper's ranking with the model's default weights and removable shares.
DEFAULT_WEIGHTS = {p.cause: p.weight for p in av.DEFAULT_CAUSES}
DEFAULT_REMOVES = {p.cause: p.clustering_removes for p in av.DEFAULT_CAUSES}


def _cause_map(values, what) -> dict:
    out = {}
    if not isinstance(values, dict):
        raise ValidationError(f"{what} is a dict by cause, not {values!r}", rule=f"{what} are given by cause",
                              source="labkit.planning.availability")
    for k, v in values.items():
        try:
            cause = av.Cause(k)
        except ValueError:
            raise ValidationError(f"unknown cause {k!r}; causes are {', '.join(c.value for c in av.Cause)}",
                                  rule="the paper's four causes of downtime",
                                  source="paper, Decision Points for Deploying Clustered Exchange Servers") from None
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0.0 <= v <= 1.0:
            raise ValidationError(f"{what} of {cause} must be between 0 and 1, not {v!r}",
                                  rule=f"{what} are shares", source="labkit.planning.availability")
        out[cause] = float(v)
    return out


def cause_breakdown(weights: dict | None = None, removes: dict | None = None, *, unplanned_hours: float = 10.0,
                    planned_hours: float = 0.0, planned_removable: float = av.PLANNED_REMOVABLE
                    ) -> av.DowntimeBreakdown:
    """A year's downtime split by cause, and what clustering takes away.

    ``weights`` (by :class:`~labkit.planning.availability.Cause` or its name) are
    relative: they are scaled to add up to 1, so sliders need not. ``removes`` sets
    the share of a cause clustering removes. Missing causes keep the model's
    defaults (:data:`labkit.planning.availability.DEFAULT_CAUSES`).

    >>> b = cause_breakdown({"hardware failures": 1, "infrastructure": 1, "software failures": 0,
    ...                      "operational/administrative": 0})
    >>> [round(r.hours_after, 1) for r in b.rows]
    [5.0, 0.0, 0.0, 1.0]
    """
    w = dict(DEFAULT_WEIGHTS)
    w.update(_cause_map(weights or {}, "weights"))
    r = dict(DEFAULT_REMOVES)
    r.update(_cause_map(removes or {}, "removable shares"))
    total = sum(w.values())
    if total <= 0:
        raise ValidationError("at least one cause needs a weight above 0", rule="weights are shares of downtime",
                              source="labkit.planning.availability")
    profiles = tuple(replace(p, weight=w[p.cause] / total, clustering_removes=r[p.cause]) for p in av.DEFAULT_CAUSES)
    return av.clustering_effect(unplanned_hours, causes=profiles, planned_hours_per_year=planned_hours,
                                planned_removable=planned_removable)


def _bar(before: float, removed: float, scale: float) -> str:
    if scale <= 0:
        return ""
    keep = max(before - removed, 0.0) / scale * 200
    gone = removed / scale * 200
    return (f"<span style='display:inline-block;width:{keep:.0f}px;height:10px;background:#e06666'></span>"
            f"<span style='display:inline-block;width:{gone:.0f}px;height:10px;background:#93c47d'></span>")


def breakdown_text(b: av.DowntimeBreakdown) -> str:
    """The breakdown in one line: hours before and after, and the share removed.

    >>> print(breakdown_text(cause_breakdown()))
    10.0 h a year before clustering, 8.5 h after: it removes 16% (unplanned 99.886% -> 99.904%)
    """
    return (f"{b.total_before_h:.1f} h a year before clustering, {b.total_after_h:.1f} h after: it removes "
            f"{b.removed_share:.0%} (unplanned {av.percent(round(b.availability(False), 5))} -> "
            f"{av.percent(round(b.availability(True), 5))})")


def breakdown_html(b: av.DowntimeBreakdown) -> str:
    """One row a cause: hours before, removed (green) and left (red), what clustering
    can and cannot do about it; then availability before and after."""
    rows = list(b.rows) + ([b.planned] if b.planned else [])
    scale = max((r.hours_before for r in rows), default=0.0)
    lead = b.leading_cause
    out = ["<table style='border-collapse:collapse;white-space:nowrap'><tr><th align=left>cause</th><th>hours/year</th>"
           "<th>removed</th><th>left</th><th align=left></th><th align=left>clustering can remove</th>"
           "<th align=left>it cannot remove</th></tr>"]
    for r in rows:
        mark = " ◀ leading cause" if lead is not None and r is lead else ""
        out.append(f"<tr><td>{escape(r.cause)}<small style='color:{_BAD}'>{mark}</small></td>"
                   f"<td align=right>{r.hours_before:.1f}</td><td align=right>{r.hours_removed:.1f}</td>"
                   f"<td align=right>{r.hours_after:.1f}</td><td>{_bar(r.hours_before, r.hours_removed, scale)}</td>"
                   f"<td><small>{escape(r.can)}</small></td><td><small>{escape(r.cannot)}</small></td></tr>")
    out.append("</table>")
    verdict = ""
    if lead is not None and lead.hours_before:
        share = lead.hours_removed / lead.hours_before
        colour = _OK if share >= 0.5 else _BAD
        verdict = (f"<div style='color:{colour}'>The leading cause is <b>{escape(lead.cause)}</b>; clustering "
                   f"removes {share:.0%} of it.</div>")
    return f"<div style='{_MONO}'><b>{escape(breakdown_text(b))}</b></div>" + "".join(out) + verdict


__all__ = ["DRIVES", "MAX_SGS_PER_NODE", "ArrayRow", "StorageReport", "storage_groups_per_node",
           "node_limit_violations", "design_storage", "storage_summary", "violations_html", "storage_html",
           "AvailabilityReading", "read_availability", "nines_html", "DEFAULT_WEIGHTS", "DEFAULT_REMOVES",
           "cause_breakdown", "breakdown_text", "breakdown_html"]
