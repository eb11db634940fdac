"""N-k analysis through the real failover model: for every set of up to ``k`` failed
nodes, copy the cluster, crash the nodes at the same moment and run the failover
model until it is stable (:func:`n_k_analysis`, one case :func:`simulate_failures`),
then report what did not come back (:func:`check_failover`) and the resources that
miss possible owners (:func:`check_possible_owners`). A
:class:`~labkit.planning.load.LoadPlan` predicts the same with a formula
(:meth:`~labkit.planning.load.LoadPlan.after`); this module does not predict.

>>> from labkit.scenarios import four_node_5000
>>> r = n_k_analysis(four_node_5000(), 1)
>>> len(r.cases), r.cases[0].failed
(4, ('1-CURLY',))
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Callable, Iterable

from ..errors import LimitError, NotFoundError, StateError, ValidationError
from .findings import Violation, as_tuple, whole_number
from .load import SRC_LOAD, SRC_OWNERS, SRC_SG_LIMIT, Placement, failure_sets, virtual_server_loads
from ..cluster.model import GroupState, NodeState

#: the one whole-number check (:func:`~labkit.planning.findings.whole_number`), with this module's source
_count = partial(whole_number, source=SRC_LOAD)


# ---------------------------------------------------------------------------- N-k analysis
@dataclass(frozen=True)
class FailureCase(Placement):
    """One simulated failure: the ``failed`` nodes crashed at the same moment and the
    failover model ran until stable. Besides the :class:`Placement` fields:

    - ``failed_virtual_servers``: those whose group ended Failed;
    - ``outage_s``: per virtual server, seconds from the crash until it was online
      again (until the cluster was stable if it never came back; 0 if untouched);
    - ``refusals``: how many times an Information Store refused to mount because of
      the storage-group limit (each restart in place counts).
    """

    failed_virtual_servers: tuple = ()
    outage_s: dict = field(default_factory=dict)
    refusals: int = 0
    settled_s: float = 0.0


@dataclass(frozen=True)
class NkReport:
    """Every failure case of an N-k analysis (smallest failure sets first)."""

    k: int
    nodes: tuple
    cases: tuple

    def worst(self, by: str = "users") -> FailureCase | None:
        """The case with the largest ``by``: "users" (most users on one node),
        "storage_groups", "down" (virtual servers not running) or "outage" (longest
        outage of one virtual server). Ties: the first case."""
        keys = {"users": lambda c: c.worst_users, "storage_groups": lambda c: c.worst_storage_groups,
                "down": lambda c: len(c.down), "outage": lambda c: max(c.outage_s.values(), default=0.0)}
        if by not in keys:
            raise ValidationError(f"by must be one of {', '.join(keys)}, not {by!r}", rule="worst case by a measure",
                                  source=SRC_LOAD)
        best = None
        for c in self.cases:
            if best is None or keys[by](c) > keys[by](best):
                best = c
        return best

    @property
    def worst_users(self) -> int:
        return max((c.worst_users for c in self.cases), default=0)

    @property
    def worst_storage_groups(self) -> int:
        return max((c.worst_storage_groups for c in self.cases), default=0)

    @property
    def failed_cases(self) -> tuple:
        """Cases where some virtual server ended Failed or not running."""
        return tuple(c for c in self.cases if c.down or c.failed_virtual_servers)

    @property
    def overflow_cases(self) -> tuple:
        """Cases where an Information Store was refused for the storage-group limit."""
        return tuple(c for c in self.cases if c.refusals)

    @property
    def survives(self) -> bool:
        """True when every virtual server runs again after every failure set."""
        return not self.failed_cases

    def case(self, failed) -> FailureCase:
        """The case of the ``failed`` nodes (in any order)."""
        names = as_tuple(failed, "failed nodes", source=SRC_LOAD)
        unknown = [n for n in names if n not in self.nodes]
        if unknown:
            raise NotFoundError(f"no node named {unknown[0]!r} in the analysis", rule="cases are looked up by "
                                "failed nodes", source=SRC_LOAD)
        key = tuple(sorted(names, key=self.nodes.index))
        for c in self.cases:
            if c.failed == key:
                return c
        raise NotFoundError(f"no case with failed nodes {key}", rule="cases are looked up by failed nodes",
                            source=SRC_LOAD)

    def rows(self) -> list[dict]:
        """One row per case (a table for notebooks)."""
        return [{"failed": ", ".join(c.failed), "worst_node": c.worst_node, "worst_users": c.worst_users,
                 "worst_storage_groups": c.worst_storage_groups, "down": ", ".join(c.down),
                 "failed_virtual_servers": ", ".join(c.failed_virtual_servers), "refusals": c.refusals,
                 "longest_outage_s": max(c.outage_s.values(), default=0.0)} for c in self.cases]


def _stable_base(cluster):
    base = cluster.copy()
    if not base.is_stable():
        base.run_until_stable()
    if not base.running:
        raise StateError(f"cluster {cluster.name} is not running", rule="analyse a running cluster",
                         source=SRC_LOAD)
    return base


def _limit_marker() -> str:
    from ..exchange.types import SRC_SG_LIMIT as marker
    return marker


def _measure(c, failed: tuple, vss: list, t0: int, mark: int, store_of: dict, marker: str) -> FailureCase:
    alive = [n for n in c.node_ids() if n not in failed]
    owner, users, sgs, on = {}, {n: 0 for n in alive}, {n: 0 for n in alive}, {n: [] for n in alive}
    failed_vs, outage = [], {}
    end = c.clock.ms
    for v in vss:
        g = c.groups[v.group_name]
        up = g.state is GroupState.ONLINE and g.owner in users
        owner[v.name] = g.owner if up else None
        if up:
            users[g.owner] += v.users
            sgs[g.owner] += v.storage_groups
            on[g.owner].append(v.name)
        if g.state is GroupState.FAILED:
            failed_vs.append(v.name)
        lost = 0
        for start, stop in g.outages:
            if (stop if stop is not None else end) > t0:
                lost += (stop if stop is not None else end) - max(start, t0)
        outage[v.name] = lost / 1000.0
    refused, count = [], 0
    for e in c.log[mark:]:
        if e.why and marker in e.why and e.what.endswith("-> Failed") and e.obj in store_of:
            count += 1
            pair = (store_of[e.obj], e.node)
            if pair not in refused:
                refused.append(pair)
    return FailureCase(failed, owner, users, sgs, {n: tuple(x) for n, x in on.items()}, tuple(refused),
                       tuple(failed_vs), outage, count, (end - t0) / 1000.0)


def _stores(cluster) -> dict:
    from ..exchange.model import org as exchange_org
    org = exchange_org(cluster)
    if org is None:
        return {}
    return {vs.information_store: vs.name for vs in org.virtual_servers.values() if vs.information_store}


def simulate_failures(cluster, failed: Iterable[str]) -> FailureCase:
    """Crash the ``failed`` nodes of a copy of ``cluster`` at the same moment, run the
    failover model until stable and report where everything ended. ``cluster``
    itself is not changed.

    >>> from labkit.scenarios import four_node_5000
    >>> case = simulate_failures(four_node_5000(), ["1-CURLY"])
    >>> case.owner["EXVS1"], case.users["2-MOE"]
    ('2-MOE', 2500)
    """
    base = _stable_base(cluster)
    return _run_case(base, tuple(as_tuple(failed, "failed nodes", source=SRC_LOAD)), virtual_server_loads(base),
                     _stores(base), _limit_marker(), copy_base=False)


def _run_case(base, failed: tuple, vss, stores, marker, copy_base=True) -> FailureCase:
    for n in failed:
        if n not in base.nodes:
            raise NotFoundError(f"no node named {n!r} in cluster {base.name}", rule="failed nodes are cluster nodes",
                                source=SRC_LOAD)
    order = {n: i for i, n in enumerate(base.node_ids())}
    failed = tuple(sorted(dict.fromkeys(failed), key=order.get))
    c = base.copy() if copy_base else base
    t0, mark = c.clock.ms, len(c.log)
    for n in failed:
        if c.nodes[n].state is not NodeState.DOWN:
            c.crash_node(n)
    c.run_until_stable()
    return _measure(c, failed, vss, t0, mark, stores, marker)


def n_k_analysis(cluster, k: int = 1, *, sets=None, progress: Callable | None = None,
                 max_cases: int = 100_000) -> NkReport:
    """Simulate every set of 1 to ``k`` failed nodes with the real failover model.

    For each set: a copy of the (stable) cluster, the nodes crashed at the same
    moment, the model run until stable; the report gives per case the users and
    storage groups on each surviving node, the virtual servers that ended Failed or
    not running, the storage-group refusals and each virtual server's outage.
    ``sets`` (a list of node lists) analyses only those failure sets. ``progress(done, total)`` is
    called after each case. The cluster itself is not changed.

    The stable base is copied once per case with :meth:`Cluster.copy` (field by field,
    sharing the frozen log events and queued jobs) -- the only work cases share.

    >>> from labkit.scenarios import four_node_5000
    >>> r = n_k_analysis(four_node_5000(), 3)
    >>> len(r.cases), r.survives, r.worst_users, r.worst_storage_groups
    (14, True, 5000, 4)
    """
    _count(max_cases, "max_cases")
    base = _stable_base(cluster)
    nodes = tuple(base.node_ids())
    if sets is None:
        sets = failure_sets(nodes, k)
    else:
        sets = [tuple(as_tuple(s, "a failure set", source=SRC_LOAD)) for s in
                as_tuple(sets, "failure sets", source=SRC_LOAD)]
    if len(sets) > max_cases:
        raise LimitError(f"{len(sets)} failure sets exceed max_cases={max_cases}", rule="bounded N-k analysis",
                         source=SRC_LOAD)
    if progress is not None and not callable(progress):
        raise ValidationError("progress must be a callable(done, total)", rule="progress is a callback",
                              source=SRC_LOAD)
    vss = virtual_server_loads(base)
    stores = _stores(base)
    marker = _limit_marker()
    cases = []
    for i, s in enumerate(sets, 1):
        cases.append(_run_case(base, s, vss, stores, marker))
        if progress is not None:
            progress(i, len(sets))
    return NkReport(k, nodes, tuple(cases))


# ------------------------------------------------------------------------------ findings
#: Rule id -> (rule, source) for the findings of this module.
RULES = {
    "possible-owners-complete": ("every node with Exchange 2000 installed is a possible owner of every resource of "
                                 "each Exchange group (resources made before a node joined miss it)", SRC_OWNERS),
    "storage-groups-after-failover": ("no failure of up to k nodes puts more than 4 storage groups on a node",
                                      SRC_SG_LIMIT),
    "survives-n-k": ("every virtual server runs again after any failure of up to k nodes", SRC_LOAD),
}


def _v(rule, message, subject=None) -> Violation:
    return Violation(rule, message, RULES[rule][1], subject)


def check_possible_owners(cluster) -> list[Violation]:
    """Exchange groups whose resources miss a node that runs Exchange (paper,
    Resource Ownership and Failover): one finding per group and missing node."""
    from ..exchange.model import EXT, NODE_KEY
    found = []
    org = cluster.extensions.get(EXT)
    if org is None:
        return found
    installed = [n for n in cluster.node_ids() if NODE_KEY in cluster.nodes[n].properties]
    seen = set()
    for vs in org.virtual_servers.values():
        if vs.group in seen:
            continue
        seen.add(vs.group)
        g = cluster.groups[vs.group]
        for n in installed:
            missing = [r for r in g.resources if n not in cluster.resources[r].possible_owners]
            if missing:
                found.append(_v("possible-owners-complete",
                                f"{n} is not a possible owner of {len(missing)} of its {len(g.resources)} resources "
                                f"(e.g. {missing[0]!r}): the group can never fail over there", vs.group))
    return found


def check_failover(cluster, k: int = 2, *, report: NkReport | None = None) -> list[Violation]:
    """Findings of an N-k analysis: storage-group refusals and virtual servers that do
    not run again, one finding per failure set."""
    r = report if report is not None else n_k_analysis(cluster, k)
    found = []
    for c in r.cases:
        subject = "fail " + ", ".join(c.failed)
        if c.refused:
            where = "; ".join(f"{vs} on {n}" for vs, n in c.refused)
            found.append(_v("storage-groups-after-failover",
                            f"the Information Store was refused {c.refusals} time(s) for the 4-storage-group limit: "
                            f"{where}", subject))
        if c.down:
            how = ", ".join(f"{v} ({'Failed' if v in c.failed_virtual_servers else 'not running'})" for v in c.down)
            found.append(_v("survives-n-k", f"{how} after the failover", subject))
    return found


__all__ = ["FailureCase", "NkReport", "simulate_failures", "n_k_analysis", "RULES", "check_possible_owners",
           "check_failover"]
