"""Failures of a load plan, predicted: which failure hurts most, each node's load
against its optimal load, what is wrong -- the analysis behind the load planner
(:class:`~labkit.views.widgets.LoadPlanner` calls :func:`plan_failures` and draws the
report with :func:`labkit.views.widgets.load_panels.load_html`); notebooks print
:func:`load_text` and compare strategies with :func:`compare_strategies`. Pure
functions, no ipywidgets. The arithmetic is the model's: :func:`labkit.planning.plan_load` makes the plan of a strategy and
:meth:`labkit.planning.LoadPlan.after` predicts where the virtual servers run
once some nodes have failed (MSCS's walk down the preferred-owner list, KB 299631,
and the four-storage-group limit, KB 314266). This module picks the failure set
to show, measures each node against its optimal load, and lists what is wrong.

Which failure of ``k`` nodes is the worst [D]: the one that leaves the most virtual
servers running nowhere, then the most users on one node, then the most refused
mounts (ties: the first set in node order).

>>> r = plan_failures("balanced", 4, 5000, failed=2)
>>> r.failed, r.placement.users, r.rules_broken
(('1-CURLY', '2-MOE'), {'3-LARRY': 3750, '4-JERRY': 1250}, ['optimal-load'])
>>> print(load_summary(plan_failures("balanced", 4, 5000, failed=1, failure=("2-MOE",))))
Balanced / cascading, 4 nodes, 5,000 users; failed: 2-MOE; busiest node 3-LARRY: 2,500 users (100% of optimal load), 2 storage groups; no rule broken
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from functools import partial

from ..errors import LabkitError, ValidationError
from . import load as ld
from . import nk
from .findings import Violation, whole_number
from .naming import default_node_names

SRC = "labkit.planning.failures"
#: The strategies the planner offers: value (an alias :meth:`Strategy.parse` reads) -> strategy.
STRATEGIES = {"all nodes": ld.Strategy.ALL_NODES, "standby": ld.Strategy.STANDBY,
              "balanced": ld.Strategy.BALANCED, "active/passive": ld.Strategy.ACTIVE_PASSIVE}
#: A node's optimal load in users when none is given [U]: the paper gives no figure; 2,500
#: runs Figure 7's nodes (1,250 users each) at half their optimal load, the ratio of the
#: paper's two-node example (1,000 users a node at 50% CPU).
DEFAULT_OPTIMAL_USERS = 2500
#: The largest cluster the planner draws (failure sets grow as 2^n).
MAX_NODES = 16
SRC_OPTIMAL = ("paper, Cluster Load Planning (plan so that the nodes left after a failover run at most at "
               "their optimal load; never plan to run at 100%)")

#: Rule id -> (rule, source) for the findings of this module.
RULES = {
    "optimal-load": ("no node carries more than its optimal load", SRC_OPTIMAL),
    "storage-groups-after-failover": nk.RULES["storage-groups-after-failover"],
    "survives-n-k": nk.RULES["survives-n-k"],
    "active-passive-one-per-node": ("active/passive: a node runs at most one Exchange virtual server, after a "
                                    "failover too", ld.SRC_AP),
}


def percent(load: float) -> str:
    """A load as a whole percentage; just over 100% reads ">100%", not "100%".

    >>> percent(0.5), percent(1.0), percent(2501 / 2500)
    ('50%', '100%', '>100%')
    """
    text = f"{load:.0%}"
    return ">100%" if load > 1.0 + 1e-9 and text == "100%" else text


def _v(rule: str, message: str, subject: str | None = None) -> Violation:
    return Violation(rule, message, RULES[rule][1], subject)


#: the one whole-number check (:func:`~labkit.planning.findings.whole_number`), with this module's source
_count = partial(whole_number, source=SRC)


# ------------------------------------------------------------------------------ the report
@dataclass(frozen=True)
class NodeRow:
    """One node as the planner shows it after the failure: up or down, its users and
    their share of its optimal load, the storage groups it mounts, the virtual servers
    it runs (``(name, users, moved_in)``), and the mounts it refused (``(virtual
    server, storage groups it would have had)``)."""

    node: str
    up: bool
    users: int
    load: float
    storage_groups: int
    virtual_servers: tuple = ()
    refused: tuple = ()
    standby: bool = False

    @property
    def over_load(self) -> bool:
        return self.up and self.load > 1.0 + 1e-9

    @property
    def over_limit(self) -> bool:
        """A mount was refused here for the storage-group limit."""
        return bool(self.refused)


@dataclass(frozen=True)
class LoadReport:
    """What the load planner shows for one set of inputs.

    ``plan`` is None when the strategy cannot lay out the inputs (``refused`` says
    which rule); ``failed`` is the failure set shown, ``worst`` True when it was
    chosen as the worst of its size; ``placement`` is where the virtual servers run
    afterwards (with the storage-group limit, as the real Information Store
    enforces it); ``violations`` the findings.
    """

    strategy: ld.Strategy
    nodes: tuple
    users: int
    failed: tuple
    worst: bool
    optimal_users: float
    plan: ld.LoadPlan | None
    placement: ld.Placement | None
    violations: tuple
    refused: str | None = None
    sets: int = 0

    @property
    def ok(self) -> bool:
        return self.plan is not None and not self.violations

    @property
    def rules_broken(self) -> list[str]:
        """Distinct rule ids of the violations, in order."""
        return list(dict.fromkeys(v.rule for v in self.violations))

    @property
    def rows(self) -> list[NodeRow]:
        if self.plan is None:
            return []
        p, plan = self.placement, self.plan
        on: dict = {n: [] for n in plan.nodes}
        for v in plan.virtual_servers:
            n = p.owner.get(v.name)
            if n is not None:
                on[n].append((v.name, v.users, n != v.home))
        refused: dict = {n: [] for n in plan.nodes}
        for vs, n in p.refused:
            refused[n].append((vs, p.storage_groups.get(n, 0) + plan.server(vs).storage_groups))
        out = []
        for n in plan.nodes:
            up = n not in self.failed
            users = p.users.get(n, 0)
            out.append(NodeRow(n, up, users, users / self.optimal_users, p.storage_groups.get(n, 0),
                               tuple(on[n]), tuple(refused[n]), n in plan.standby))
        return out

    @property
    def busiest(self) -> NodeRow | None:
        """The surviving node with the most users (ties: the first in node order)."""
        best = None
        for r in self.rows:
            if r.up and (best is None or r.users > best.users):
                best = r
        return best

    @property
    def required_optimal_users(self) -> int:
        """The users a node must carry at optimal load for this failure to overload none."""
        b = self.busiest
        return b.users if b is not None else 0


def failure_choices(nodes, k: int) -> list[tuple]:
    """Every set of exactly ``k`` of ``nodes``, in node order (what the planner offers).

    >>> failure_choices(["A", "B", "C"], 2)
    [('A', 'B'), ('A', 'C'), ('B', 'C')]
    """
    nodes = tuple(nodes)
    _count(k, "failed nodes", 0, max(len(nodes) - 1, 0))
    return list(itertools.combinations(nodes, k))


def _badness(p: ld.Placement) -> tuple:
    return (len(p.down), p.worst_users, len(p.refused))


def worst_failure(plan: ld.LoadPlan, k: int) -> tuple:
    """The failure of exactly ``k`` nodes that hurts ``plan`` most: the most virtual
    servers left running nowhere, then the most users on one node, then the most
    refused mounts; ties go to the first set in node order.

    >>> worst_failure(ld.plan_load("all nodes", 4, 5000), 2)
    ('1-CURLY', '2-MOE')
    """
    best, worst = None, ()
    for s in failure_choices(plan.nodes, k):
        p = plan.after(s)
        if best is None or _badness(p) > best:
            best, worst = _badness(p), s
    return worst


def _node_names(nodes) -> tuple:
    if isinstance(nodes, int) and not isinstance(nodes, bool):
        _count(nodes, "nodes", 1, MAX_NODES)
        return tuple(default_node_names(nodes))
    return tuple(nodes)


def plan_failures(strategy="balanced", nodes=4, users: int = 5000, *, failed: int = 1, failure=None,
                  virtual_servers_per_node: int = 1, storage_groups_per_server: int = 1, standby: int = 1,
                  optimal_users: float = DEFAULT_OPTIMAL_USERS) -> LoadReport:
    """The load planner's one computation: the plan ``strategy`` makes for ``nodes``
    (a count, named as in Table 10, or names) and ``users``, then ``failed`` nodes
    down -- the set ``failure`` (node names) or, when None, the worst set of that size
    (:func:`worst_failure`) -- and each surviving node's users against
    ``optimal_users``, its storage groups against the limit, with the findings.

    A layout the strategy cannot make (say five storage groups on a node, or two
    virtual servers a node active/passive) is not an exception: ``refused`` says why.

    >>> r = plan_failures("active/passive", 4, 5000, failed=2)
    >>> r.failed, r.rules_broken
    (('1-CURLY', '2-MOE'), ['optimal-load', 'active-passive-one-per-node'])
    >>> plan_failures("balanced", 2, 5000, storage_groups_per_server=5).refused[:40]
    '1 virtual servers of 5 storage groups ma'
    """
    s = ld.Strategy.parse(strategy)
    names = _node_names(nodes)
    _count(users, "users", 0)
    optimal = _optimal(optimal_users)
    failure = _failure(names, failed, failure)
    try:
        plan = ld.plan_load(s, names, users, virtual_servers_per_node=virtual_servers_per_node,
                            storage_groups_per_server=storage_groups_per_server, standby=standby,
                            capacity_users=optimal)
    except LabkitError as e:
        shown = failure if failure is not None else names[:failed]
        return LoadReport(s, names, users, shown, False, optimal, None, None, (), str(e))
    return report_for(plan, failed=failed, failure=failure, optimal_users=optimal)


def _optimal(optimal_users) -> float:
    if isinstance(optimal_users, bool) or not isinstance(optimal_users, (int, float)) or not optimal_users > 0:
        raise ValidationError(f"optimal_users must be a number of users > 0, not {optimal_users!r}",
                              rule="a node's optimal load is a number of users", source=SRC_OPTIMAL)
    return float(optimal_users)


def _failure(names: tuple, failed, failure) -> tuple | None:
    if failure is None:
        _count(failed, "failed nodes", 0, max(len(names) - 1, 0))
        return None
    if isinstance(failure, str):
        failure = (failure,)
    failure = tuple(failure)
    unknown = [n for n in failure if n not in names]
    if unknown or len(set(failure)) != len(failure) or len(failure) >= len(names):
        raise ValidationError(f"failure must be distinct nodes of {', '.join(names)}, leaving one up; not "
                              f"{failure!r}", rule="failed nodes are nodes of the plan", source=ld.SRC_LOAD)
    return tuple(n for n in names if n in failure)


def report_for(plan: ld.LoadPlan, *, failed: int = 1, failure=None, optimal_users=None) -> LoadReport:
    """:func:`plan_failures` for a plan you already have -- one read from a cluster
    (:func:`labkit.planning.plan_of`), a scenario's ``.plan``, or your own
    :class:`~labkit.planning.LoadPlan`. ``optimal_users`` defaults to the plan's
    ``capacity_users``, else :data:`DEFAULT_OPTIMAL_USERS`.

    >>> from labkit.scenarios import flawed_design
    >>> r = report_for(flawed_design().plan, failure=["1-CURLY"])
    >>> r.placement.owner, r.rules_broken
    ({'EXVS1': '3-LARRY', 'EXVS2': '2-MOE'}, ['storage-groups-after-failover'])
    """
    if not isinstance(plan, ld.LoadPlan):
        raise ValidationError(f"report_for takes a LoadPlan, not {plan!r}", rule="a report is made for a plan",
                              source=SRC)
    if optimal_users is None:
        optimal_users = plan.capacity_users or DEFAULT_OPTIMAL_USERS
    optimal = _optimal(optimal_users)
    failure = _failure(plan.nodes, failed, failure)
    worst = failure is None
    shown = worst_failure(plan, failed) if worst else failure
    report = LoadReport(plan.strategy, plan.nodes, plan.users, shown, worst, optimal, plan, plan.after(shown), (),
                        None, len(failure_choices(plan.nodes, len(shown))))
    return _with_findings(report)


def compare_strategies(nodes=4, users: int = 5000, *, strategies=tuple(STRATEGIES), max_failed: int | None = None,
                       optimal_users: float = DEFAULT_OPTIMAL_USERS, **layout) -> list[dict]:
    """One row per strategy: for 0, 1, ... ``max_failed`` failed nodes (default: all
    but one), the worst case's busiest node as "users (load)", with "!" when a rule
    breaks -- the paper's strategies side by side. ``layout`` passes
    ``virtual_servers_per_node``, ``storage_groups_per_server`` and ``standby`` on.

    >>> rows = compare_strategies(4, 5000, strategies=["balanced"])
    >>> rows[0]["strategy"], rows[0]["0 failed"], rows[0]["2 failed"]
    ('Balanced / cascading', '1,250 (50%)', '3,750 (150%) !')
    """
    names = _node_names(nodes)
    top = len(names) - 1 if max_failed is None else _count(max_failed, "max_failed", 0, len(names) - 1)
    out = []
    for s in strategies:
        row = {"strategy": str(ld.Strategy.parse(s))}
        for k in range(top + 1):
            r = plan_failures(s, names, users, failed=k, optimal_users=optimal_users, **layout)
            b = r.busiest
            if r.plan is None:
                row[f"{k} failed"] = "no plan"
            else:
                row[f"{k} failed"] = f"{b.users:,} ({percent(b.load)})" + (" !" if r.violations else "")
        out.append(row)
    return out


def _with_findings(r: LoadReport) -> LoadReport:
    found = []
    plan, p = r.plan, r.placement
    for row in r.rows:
        if row.over_load:
            found.append(_v("optimal-load", f"{row.users:,} users, {percent(row.load)} of its optimal load "
                                            f"({r.optimal_users:,.0f})", row.node))
    refusals: dict = {}
    would = {(vs, row.node): k for row in r.rows for vs, k in row.refused}
    for vs, n in p.refused:
        refusals.setdefault(vs, []).append(n)
    for vs, where in refusals.items():
        went = p.owner[vs]
        counts = sorted({would[(vs, n)] for n in where})
        found.append(_v("storage-groups-after-failover",
                        f"its Information Store cannot mount on {', '.join(where)}: "
                        f"{' or '.join(map(str, counts))} storage groups there, at most "
                        f"{plan.max_storage_groups_per_node}; " + (f"it runs on {went}" if went else
                                                                    "no node has room"), vs))
    for vs in p.down:
        users = plan.server(vs).users
        found.append(_v("survives-n-k", f"runs nowhere: {users:,} users without mail", vs))
    if plan.strategy is ld.Strategy.ACTIVE_PASSIVE and len(plan.nodes) > 2:
        for n in p.shared_nodes:
            found.append(_v("active-passive-one-per-node",
                            f"runs {', '.join(p.virtual_servers[n])}: Exchange 2003 would leave all but one Failed", n))
    return replace(r, violations=tuple(found))


# --------------------------------------------------------------------------------- text
def load_summary(r: LoadReport) -> str:
    """One line: the strategy, the failure, the busiest node, the rules broken."""
    head = f"{r.strategy}, {len(r.nodes)} nodes, {r.users:,} users"
    if r.plan is None:
        return f"{head}: no plan: {r.refused}"
    if r.failed:
        k = len(r.failed)
        what = f"failed: {', '.join(r.failed)}" + (
            f" (the worst of the {r.sets} ways {k} node{'s' if k > 1 else ''} can fail)" if r.worst and r.sets > 1
            else "")
    else:
        what = "no node failed"
    b = r.busiest
    busy = (f"busiest node {b.node}: {b.users:,} users ({percent(b.load)} of optimal load), {b.storage_groups} "
            f"storage group{'s' if b.storage_groups != 1 else ''}") if b else "no node up"
    rules = ", ".join(r.rules_broken)
    return (f"{head}; {what}; {busy}; "
            + (f"{len(r.violations)} finding(s): {rules}" if r.violations else "no rule broken"))


def load_text(r: LoadReport, *, width: int = 30) -> str:
    """The report as fixed-width text for ``print``: one line a node with a bar of its
    load (``#``; ``|`` marks the optimal load), its storage groups out of the limit and
    its virtual servers (``<-`` marks one that moved in), then the findings.

    >>> print(load_text(plan_failures("all nodes", 2, 2000, failed=1)))
    Maximum load – all nodes, 2 nodes, 2,000 users; failed: 1-CURLY (the worst of the 2 ways 1 node can fail); busiest node 2-MOE: 2,000 users (80% of optimal load), 2 storage groups; no rule broken
    node     state  users   load  bar                             SGs  virtual servers
    1-CURLY  Down       -      -                                  -
    2-MOE    Up     2,000    80%  ###################     |       2/4  EXVS1<-, EXVS2
    """
    lines = [load_summary(r)]
    if r.plan is None:
        return "\n".join(lines)
    limit = r.plan.max_storage_groups_per_node
    scale = max([r.optimal_users * 1.25] + [row.users for row in r.rows])
    mark = int(round(r.optimal_users / scale * width))
    w = max(len(n) for n in r.nodes)
    lines.append(f"{'node':<{w}}  state  {'users':>5}  {'load':>5}  {'bar':<{width + 1}} SGs  virtual servers")
    for row in r.rows:
        if not row.up:
            lines.append(f"{row.node:<{w}}  Down   {'-':>5}  {'-':>5}  {'':<{width + 1}} -")
            continue
        n = int(round(row.users / scale * width))
        bar = "".join("#" if i < n else ("|" if i == mark else " ") for i in range(width + 1))
        if mark < n:
            bar = bar[:mark] + "|" + bar[mark + 1:]
        vss = ", ".join(f"{v}{'<-' if moved else ''}" for v, _, moved in row.virtual_servers) or "(idle)"
        flag = " !" if row.over_load else ""
        refused = ("; refused " + ", ".join(f"{vs} ({k}/{limit})" for vs, k in row.refused)) if row.refused else ""
        lines.append(f"{row.node:<{w}}  Up     {row.users:>5,}  {percent(row.load):>5}  {bar} "
                     f"{row.storage_groups}/{limit}  {vss}{refused}{flag}".rstrip())
    for v in r.violations:
        lines.append(f"  ✘ [{v.rule}] {v.subject}: {v.message}")
    return "\n".join(lines)


__all__ = ["percent", "STRATEGIES", "DEFAULT_OPTIMAL_USERS", "MAX_NODES", "RULES", "NodeRow", "LoadReport", "failure_choices",
           "worst_failure", "plan_failures", "report_for", "compare_strategies", "load_summary", "load_text"]
