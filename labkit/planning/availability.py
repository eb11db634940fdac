"""Availability arithmetic: nines and downtime, causes of downtime, k-out-of-n, ROI.

The paper's numbers: lock-step fault tolerance aims at 99.99999% (about 3 s of
downtime a year), which MSCS does not reach; MSCS gives about 99.99% at best
("Decision Points"). Downtime is caused, in falling order, by infrastructure,
software failures, operational/administrative mistakes and hardware failures,
and clustering mainly removes the last of these -- plus most planned outages.

>>> round(downtime_per_year(PAPER_LOCKSTEP), 2)
3.16
>>> describe(MSCS_BEST)
'99.99% = 52.6 min of downtime a year'
>>> round(nines(0.999), 6)
3.0
>>> r = k_out_of_n(2, 1, mtbf_h=2000, mttr_h=8)
>>> round(r.availability, 6), round(r.mean_outage_h, 2)
(0.999984, 4.0)
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from ..errors import ValidationError
from .findings import as_tuple

#: A Julian year (365.25 days) [D]; the paper does not say which year it uses.
SECONDS_PER_YEAR = 365.25 * 86400.0
HOURS_PER_YEAR = SECONDS_PER_YEAR / 3600.0

#: "99.99999% availability - about 3-4 seconds of downtime per year": what MSCS is
#: very unlikely to reach (paper, Windows NT/2000 Cluster Technology Fundamentals).
PAPER_LOCKSTEP = 0.9999999
#: "a maximum of 99.99% reliability (theoretically speaking)" for MSCS (paper,
#: Decision Points: What are our availability requirements?).
MSCS_BEST = 0.9999
#: "99.999% availability is not a reality that is easy to achieve" (same section).
FIVE_NINES = 0.99999

_SRC = "labkit.planning.availability"


def _number(v, what, low=None, high=None, low_open=False) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or math.isnan(v):
        raise ValidationError(f"{what} must be a number, not {v!r}", rule=f"{what} is a number", source=_SRC)
    if low is not None and (v < low or (low_open and v == low)):
        raise ValidationError(f"{what} must be {'>' if low_open else '>='} {low}, not {v!r}",
                              rule=f"{what} is in range", source=_SRC)
    if high is not None and v > high:
        raise ValidationError(f"{what} must be <= {high}, not {v!r}", rule=f"{what} is in range", source=_SRC)
    return float(v)


def _availability(a) -> float:
    return _number(a, "availability (a fraction such as 0.9999)", 0.0, 1.0)


def downtime_per_year(availability: float) -> float:
    """Seconds of downtime a year at ``availability`` (a fraction: 0.9999 for 99.99%).

    >>> round(downtime_per_year(0.99999) / 60, 2)
    5.26
    """
    return (1.0 - _availability(availability)) * SECONDS_PER_YEAR


def availability_from_downtime(seconds_per_year: float) -> float:
    """The availability that allows ``seconds_per_year`` of downtime.

    >>> round(availability_from_downtime(3.156), 7)
    0.9999999
    """
    s = _number(seconds_per_year, "seconds of downtime a year", 0.0, SECONDS_PER_YEAR)
    return 1.0 - s / SECONDS_PER_YEAR


def nines(availability: float) -> float:
    """How many nines: 0.999 -> 3.0 (infinite for 1.0)."""
    a = _availability(availability)
    return math.inf if a == 1.0 else -math.log10(1.0 - a)


def from_nines(n: float) -> float:
    """The availability with ``n`` nines: 4 -> 0.9999.

    >>> from_nines(4)
    0.9999
    """
    return 1.0 - 10.0 ** -_number(n, "nines", 0.0)


def format_duration(seconds: float) -> str:
    """A short human reading of a duration: '3.2 s', '52.6 min', '8.8 h', '3.7 days'."""
    s = _number(seconds, "seconds", 0.0)
    if s < 60:
        return f"{s:.1f} s"
    if s < 3600:
        return f"{s / 60:.1f} min"
    if s < 86400 * 2:
        return f"{s / 3600:.1f} h"
    return f"{s / 86400:.1f} days"


def percent(availability: float) -> str:
    """0.9999 -> '99.99%' (as many decimals as it needs, up to 7)."""
    p = _availability(availability) * 100.0
    return f"{p:.7f}".rstrip("0").rstrip(".") + "%"


def describe(availability: float) -> str:
    """'99.99% = 52.6 min of downtime a year'."""
    return f"{percent(availability)} = {format_duration(downtime_per_year(availability))} of downtime a year"


def nines_table(levels=range(1, 8)) -> list[dict]:
    """One row per number of nines: availability, downtime a year, and what the paper says of it."""
    notes = {4: "MSCS at best (paper)", 5: "not easy to achieve for Exchange (paper)",
             7: "lock-step fault tolerance; about 3 s a year (paper)"}
    rows = []
    for n in levels:
        a = from_nines(n)
        rows.append({"nines": n, "availability": percent(round(a, 10)), "downtime_s": downtime_per_year(a),
                     "downtime": format_duration(downtime_per_year(a)), "note": notes.get(n, "")})
    return rows


# --- causes of downtime -----------------------------------------------------------------------------
class Cause(StrEnum):
    """The paper's causes of downtime, in its order (most frequent first)."""

    INFRASTRUCTURE = "infrastructure"
    SOFTWARE = "software failures"
    OPERATIONS = "operational/administrative"
    HARDWARE = "hardware failures"


#: The paper's ranking (Decision Points): infrastructure, software, operations, hardware.
PAPER_RANKING = (Cause.INFRASTRUCTURE, Cause.SOFTWARE, Cause.OPERATIONS, Cause.HARDWARE)


def rank_weights(ranking=PAPER_RANKING) -> dict:
    """Rank-sum weights from a ranking: with four causes 0.4, 0.3, 0.2, 0.1 [D].

    The paper ranks the causes but gives no shares; rank-sum weights are the
    simplest shares that respect the ranking.

    >>> [round(w, 2) for w in rank_weights().values()]
    [0.4, 0.3, 0.2, 0.1]
    """
    n = len(ranking)
    total = n * (n + 1) / 2
    return {c: (n - i) / total for i, c in enumerate(ranking)}


@dataclass(frozen=True)
class CauseProfile:
    """A cause's share of unplanned downtime and the share of it clustering removes,
    with what a cluster can and cannot do about it."""

    cause: Cause
    weight: float
    clustering_removes: float
    can: str
    cannot: str


_W = rank_weights()
#: Default profiles. Weights: rank-sum weights of the paper's ranking [D].
#: Removable shares are named assumptions [U]: clustering removes most hardware
#: downtime (not shared storage that is a single point of failure), some software
#: downtime (errors confined to one node), none of infrastructure or operations
#: downtime (paper, The Problems Clustering Solves; Does clustering solve our
#: leading causes of downtime?).
DEFAULT_CAUSES = (
    CauseProfile(Cause.INFRASTRUCTURE, _W[Cause.INFRASTRUCTURE], 0.0,
                 "nothing",
                 "WINS, DNS, Active Directory, network services, building power and air conditioning"),
    CauseProfile(Cause.SOFTWARE, _W[Cause.SOFTWARE], 0.25,
                 "errors confined to one node: the virtual server restarts or fails over",
                 "bugs that follow the virtual server to the next node; driver and tool conflicts on every node"),
    CauseProfile(Cause.OPERATIONS, _W[Cause.OPERATIONS], 0.0,
                 "nothing (a cluster adds complexity)",
                 "poor training, flawed procedures, bad backup and restore practice"),
    CauseProfile(Cause.HARDWARE, _W[Cause.HARDWARE], 0.8,
                 "a node's system board, processors, memory, power supplies, NICs and HBAs",
                 "shared storage that is a single point of failure; site disasters"),
)
#: Share of planned downtime a cluster removes by moving groups off a node during
#: maintenance and rolling upgrades [U] (paper: "perhaps the most important benefit").
PLANNED_REMOVABLE = 0.9
PLANNED_CAN = "maintenance and rolling upgrades while the groups run on another node"
PLANNED_CANNOT = "the seconds each move takes; changes to the shared data or to all nodes at once"


@dataclass(frozen=True)
class CauseRow:
    cause: str
    hours_before: float
    hours_removed: float
    hours_after: float
    can: str
    cannot: str


@dataclass(frozen=True)
class DowntimeBreakdown:
    """What clustering removes from a year's downtime, cause by cause."""

    rows: tuple
    planned: CauseRow | None = None

    @property
    def unplanned_before_h(self) -> float:
        return sum(r.hours_before for r in self.rows)

    @property
    def unplanned_after_h(self) -> float:
        return sum(r.hours_after for r in self.rows)

    @property
    def total_before_h(self) -> float:
        return self.unplanned_before_h + (self.planned.hours_before if self.planned else 0.0)

    @property
    def total_after_h(self) -> float:
        return self.unplanned_after_h + (self.planned.hours_after if self.planned else 0.0)

    @property
    def removed_share(self) -> float:
        """Share of all downtime (planned included) clustering removes."""
        return 1.0 - self.total_after_h / self.total_before_h if self.total_before_h else 0.0

    @property
    def leading_cause(self) -> CauseRow | None:
        return max(self.rows, key=lambda r: r.hours_before, default=None)

    def availability(self, after: bool, planned: bool = False) -> float:
        """Availability before or after clustering; planned outages are left out unless
        ``planned`` (they are "often not charged against availability", paper)."""
        h = (self.total_after_h if planned else self.unplanned_after_h) if after else \
            (self.total_before_h if planned else self.unplanned_before_h)
        return max(0.0, 1.0 - h / HOURS_PER_YEAR)

    def table(self) -> list[dict]:
        rows = list(self.rows) + ([self.planned] if self.planned else [])
        return [{"cause": r.cause, "before_h": r.hours_before, "removed_h": r.hours_removed,
                 "after_h": r.hours_after, "clustering can remove": r.can, "clustering cannot remove": r.cannot}
                for r in rows]


def _profiles(causes) -> tuple:
    profiles = as_tuple(causes, "cause profiles", source=_SRC)
    for p in profiles:
        if not isinstance(p, CauseProfile):
            raise ValidationError(f"{p!r} is not a CauseProfile", rule="causes are CauseProfiles", source=_SRC)
        _number(p.weight, f"weight of {p.cause}", 0.0, 1.0)
        _number(p.clustering_removes, f"share of {p.cause} clustering removes", 0.0, 1.0)
    if abs(sum(p.weight for p in profiles) - 1.0) > 1e-9:
        raise ValidationError(f"cause weights add up to {sum(p.weight for p in profiles):g}, not 1",
                              rule="cause weights are shares of downtime", source=_SRC)
    return profiles


def clustering_effect(unplanned, *, causes=DEFAULT_CAUSES, planned_hours_per_year: float = 0.0,
                      planned_removable: float = PLANNED_REMOVABLE) -> DowntimeBreakdown:
    """Split a year's downtime by cause and take away what clustering removes.

    ``unplanned`` is hours a year (split by the causes' weights) or a dict of
    hours per :class:`Cause` -- your own organisation's figures, as the paper
    urges.

    >>> b = clustering_effect(10.0)
    >>> [(r.cause, round(r.hours_after, 2)) for r in b.rows]
    [('infrastructure', 4.0), ('software failures', 2.25), ('operational/administrative', 2.0), ('hardware failures', 0.2)]
    >>> round(b.removed_share, 3)
    0.155
    """
    profiles = {p.cause: p for p in _profiles(causes)}
    if isinstance(unplanned, dict):
        hours = {}
        for c, h in unplanned.items():
            try:
                cause = Cause(c)
            except ValueError:
                raise ValidationError(f"unknown cause {c!r}; choose one of {', '.join(x.value for x in Cause)}",
                                      rule="causes of downtime", source="paper, Decision Points") from None
            if cause not in profiles:
                raise ValidationError(f"no profile for {cause}", rule="causes of downtime", source=_SRC)
            hours[cause] = _number(h, f"hours of {cause}", 0.0)
    else:
        total = _number(unplanned, "hours of unplanned downtime a year", 0.0, HOURS_PER_YEAR)
        hours = {c: total * p.weight for c, p in profiles.items()}
    rows = []
    for c, p in profiles.items():
        h = hours.get(c, 0.0)
        removed = h * p.clustering_removes
        rows.append(CauseRow(str(c), h, removed, h - removed, p.can, p.cannot))
    planned = None
    ph = _number(planned_hours_per_year, "hours of planned downtime a year", 0.0, HOURS_PER_YEAR)
    pr = _number(planned_removable, "share of planned downtime clustering removes", 0.0, 1.0)
    if ph:
        planned = CauseRow("planned outages", ph, ph * pr, ph * (1 - pr), PLANNED_CAN, PLANNED_CANNOT)
    return DowntimeBreakdown(tuple(rows), planned)


# --- k out of n -----------------------------------------------------------------------------------
def node_availability(mtbf_h: float, mttr_h: float) -> float:
    """Steady-state availability of one node: MTBF / (MTBF + MTTR)."""
    up = _number(mtbf_h, "MTBF (hours)", 0.0, low_open=True)
    down = _number(mttr_h, "MTTR (hours)", 0.0)
    return up / (up + down)


def state_probabilities(n: int, a: float) -> list[float]:
    """P(exactly i of n independent nodes are up), i = 0..n (binomial)."""
    return [math.comb(n, i) * a ** i * (1 - a) ** (n - i) for i in range(n + 1)]


@dataclass(frozen=True)
class KOutOfN:
    """Closed-form result for a service that needs ``k`` of ``n`` identical nodes up,
    nodes failing and being repaired independently (exponential times, one repair
    crew per node) [D] -- the yardstick a Monte Carlo of the failover model is
    checked against."""

    n: int
    k: int
    mtbf_h: float
    mttr_h: float
    node_availability: float
    availability: float
    outages_per_year: float
    expected_nodes_up: float

    @property
    def unavailability(self) -> float:
        return 1.0 - self.availability

    @property
    def downtime_s_per_year(self) -> float:
        return self.unavailability * SECONDS_PER_YEAR

    @property
    def mean_outage_h(self) -> float:
        """Mean length of one outage (hours); 0 when there are none."""
        return self.unavailability * HOURS_PER_YEAR / self.outages_per_year if self.outages_per_year else 0.0


def k_out_of_n(n: int, k: int, mtbf_h: float, mttr_h: float) -> KOutOfN:
    """Availability of a k-out-of-n system of independent, repairable nodes.

    Outages start when one of exactly ``k`` up nodes fails, so their rate is
    P(k up) * k / MTBF.

    >>> r = k_out_of_n(4, 3, mtbf_h=5000, mttr_h=24)
    >>> round(r.availability, 6), round(r.outages_per_year, 3)
    (0.999864, 0.099)
    """
    for what, v in (("n", n), ("k", k)):
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise ValidationError(f"{what} must be a whole number >= 1, not {v!r}",
                                  rule="k-out-of-n counts nodes", source=_SRC)
    if k > n:
        raise ValidationError(f"k ({k}) cannot exceed n ({n})", rule="k-out-of-n needs k <= n", source=_SRC)
    a = node_availability(mtbf_h, mttr_h)
    p = state_probabilities(n, a)
    avail = sum(p[k:])
    outages = p[k] * k / float(mtbf_h) * HOURS_PER_YEAR
    return KOutOfN(n, k, float(mtbf_h), float(mttr_h), a, avail, outages, n * a)


def series(*availabilities: float) -> float:
    """All parts needed: the product of their availabilities."""
    out = 1.0
    for a in availabilities:
        out *= _availability(a)
    return out


def parallel(*availabilities: float) -> float:
    """Any one part suffices: one minus the product of their unavailabilities."""
    out = 1.0
    for a in availabilities:
        out *= 1.0 - _availability(a)
    return 1.0 - out


# --- ROI worksheet --------------------------------------------------------------------------------
#: Giga Information Group: Exchange's availability advantage over legacy messaging
#: systems, in dollars per user per year (paper, High Availability is Key Concern).
GIGA_USD_PER_USER_PER_YEAR = 307.0


@dataclass(frozen=True)
class DecisionPoint:
    question: str
    answer: str
    favours_clustering: bool | None
    source: str = "paper, Decision Points for Deploying Clustered Exchange Servers"


@dataclass(frozen=True)
class RoiWorksheet:
    """The paper's decision points as a worksheet.

    Inputs (all named; the money figures are yours):

    - ``users``; ``cluster_cost_usd``: what the cluster costs over a standalone
      server (hardware, software, set-up), written off over ``years`` (3 [U]);
    - ``yearly_operating_usd``: the yearly cost of the added complexity
      (training, administration);
    - ``downtime_before_h`` / ``downtime_after_h``: hours of outage a year users
      feel without and with the cluster (see :func:`clustering_effect`);
    - ``cost_per_user_hour_usd``: what an hour of outage costs per user;
    - ``required_availability``; ``other_fix_share``: the share of downtime that
      cheaper investments (RAID, redundant power, training) would remove;
      ``staff_ready``: whether operations can absorb the complexity.

    >>> w = RoiWorksheet(users=5000, cluster_cost_usd=150000, downtime_before_h=20, downtime_after_h=12,
    ...                  cost_per_user_hour_usd=30)
    >>> w.cost_per_user_per_year, w.benefit_per_user_per_year, round(w.share_of_giga, 3)
    (10.0, 240.0, 0.033)
    """

    users: int
    cluster_cost_usd: float
    downtime_before_h: float
    downtime_after_h: float
    cost_per_user_hour_usd: float
    years: float = 3.0
    yearly_operating_usd: float = 0.0
    required_availability: float | None = None
    other_fix_share: float = 0.0
    staff_ready: bool = True
    leading_cause: str | None = None
    leading_cause_removed_share: float | None = None

    def __post_init__(self):
        if isinstance(self.users, bool) or not isinstance(self.users, int) or self.users < 1:
            raise ValidationError(f"users must be a whole number >= 1, not {self.users!r}",
                                  rule="the worksheet counts users", source=_SRC)
        _number(self.cluster_cost_usd, "cluster_cost_usd", 0.0)
        _number(self.downtime_before_h, "downtime_before_h", 0.0, HOURS_PER_YEAR)
        _number(self.downtime_after_h, "downtime_after_h", 0.0, HOURS_PER_YEAR)
        _number(self.cost_per_user_hour_usd, "cost_per_user_hour_usd", 0.0)
        _number(self.years, "years", 0.0, low_open=True)
        _number(self.yearly_operating_usd, "yearly_operating_usd", 0.0)
        _number(self.other_fix_share, "other_fix_share", 0.0, 1.0)
        if self.required_availability is not None:
            _availability(self.required_availability)
        if not isinstance(self.staff_ready, bool):
            raise ValidationError(f"staff_ready must be True or False, not {self.staff_ready!r}",
                                  rule="the worksheet asks yes/no questions", source=_SRC)

    @classmethod
    def from_breakdown(cls, breakdown: DowntimeBreakdown, **inputs) -> "RoiWorksheet":
        """A worksheet whose downtime figures and leading cause come from
        :func:`clustering_effect` (planned outages included)."""
        if not isinstance(breakdown, DowntimeBreakdown):
            raise ValidationError(f"{breakdown!r} is not a DowntimeBreakdown", rule="worksheet inputs",
                                  source=_SRC)
        lead = breakdown.leading_cause
        values = dict(downtime_before_h=breakdown.total_before_h, downtime_after_h=breakdown.total_after_h,
                      leading_cause=lead.cause if lead else None,
                      leading_cause_removed_share=(lead.hours_removed / lead.hours_before
                                                   if lead and lead.hours_before else None))
        values.update(inputs)
        return cls(**values)

    @property
    def cost_per_user_per_year(self) -> float:
        return (self.cluster_cost_usd / self.years + self.yearly_operating_usd) / self.users

    @property
    def benefit_per_user_per_year(self) -> float:
        return float(self.downtime_before_h - self.downtime_after_h) * self.cost_per_user_hour_usd

    @property
    def net_per_user_per_year(self) -> float:
        return self.benefit_per_user_per_year - self.cost_per_user_per_year

    @property
    def share_of_giga(self) -> float:
        """The cluster's cost per user per year as a share of Giga's $307."""
        return self.cost_per_user_per_year / GIGA_USD_PER_USER_PER_YEAR

    @property
    def payback_years(self) -> float:
        """Years until the yearly net benefit has paid the cluster's cost (inf if never)."""
        yearly = self.benefit_per_user_per_year * self.users - self.yearly_operating_usd
        return self.cluster_cost_usd / yearly if yearly > 0 else math.inf

    @property
    def removed_share(self) -> float:
        b = self.downtime_before_h
        return (b - self.downtime_after_h) / b if b else 0.0

    def availability(self, after: bool) -> float:
        h = self.downtime_after_h if after else self.downtime_before_h
        return 1.0 - h / HOURS_PER_YEAR

    def decision_points(self) -> list[DecisionPoint]:
        """The paper's five questions, answered from the inputs."""
        out = []
        req = self.required_availability
        if req is None:
            out.append(DecisionPoint("What are our availability requirements?",
                                     "not stated: state them before anything else", None))
        elif req > MSCS_BEST:
            out.append(DecisionPoint("What are our availability requirements?",
                                     f"{percent(req)} is beyond the {percent(MSCS_BEST)} MSCS can give at best: "
                                     "clustering alone cannot meet it", False))
        else:
            after = self.availability(True)
            ok = after >= req
            out.append(DecisionPoint("What are our availability requirements?",
                                     f"{percent(req)} required; with the cluster {percent(round(after, 7))} "
                                     f"({'met' if ok else 'not met'})", ok))
        better = self.other_fix_share >= self.removed_share
        out.append(DecisionPoint("Can we resolve most of our downtime issues by investment in other areas?",
                                 f"other investments remove {self.other_fix_share:.0%} of downtime, clustering "
                                 f"{self.removed_share:.0%}" + ("; invest there first" if better else ""),
                                 not better))
        if self.leading_cause is not None and self.leading_cause_removed_share is not None:
            share = self.leading_cause_removed_share
            out.append(DecisionPoint("Does clustering solve our leading causes of downtime?",
                                     f"the leading cause is {self.leading_cause}; clustering removes "
                                     f"{share:.0%} of it", share >= 0.5))
        else:
            out.append(DecisionPoint("Does clustering solve our leading causes of downtime?",
                                     f"clustering removes {self.removed_share:.0%} of the downtime",
                                     self.removed_share >= 0.5))
        out.append(DecisionPoint("What is the effect of the increased levels of complexity that clustering "
                                 "introduces?",
                                 ("operations staff are ready" if self.staff_ready else
                                  "operations staff are not ready for cluster administration")
                                 + f"; complexity costs ${self.yearly_operating_usd:,.0f} a year", self.staff_ready))
        net = self.net_per_user_per_year
        out.append(DecisionPoint("Is the investment in clustering justified by the return (ROI)?",
                                 f"${self.cost_per_user_per_year:,.2f} per user per year against "
                                 f"${self.benefit_per_user_per_year:,.2f} of outage avoided (net ${net:,.2f}); "
                                 f"for scale, Giga put Exchange's availability advantage at "
                                 f"${GIGA_USD_PER_USER_PER_YEAR:.0f} per user per year", net >= 0))
        return out


__all__ = ["SECONDS_PER_YEAR", "HOURS_PER_YEAR", "PAPER_LOCKSTEP", "MSCS_BEST", "FIVE_NINES", "downtime_per_year",
           "availability_from_downtime", "nines", "from_nines", "format_duration", "percent", "describe",
           "nines_table", "Cause", "PAPER_RANKING", "rank_weights", "CauseProfile", "DEFAULT_CAUSES",
           "PLANNED_REMOVABLE", "CauseRow", "DowntimeBreakdown", "clustering_effect", "node_availability",
           "state_probabilities", "KOutOfN", "k_out_of_n", "series", "parallel", "GIGA_USD_PER_USER_PER_YEAR",
           "DecisionPoint", "RoiWorksheet"]
