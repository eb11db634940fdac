"""A seeded Monte Carlo of node failures and repairs, driven through the failover model.

Each node alternates between working and broken: it works for an exponentially
distributed time (mean ``mtbf_h``), then crashes (``cluster.crash_node``) and stays
broken for an exponentially distributed repair time (mean ``mttr_h``) before it is
started again (``cluster.start_node``) -- independent nodes, one repair crew each,
the assumptions of the closed-form k-out-of-n result
(:func:`labkit.planning.availability.k_out_of_n`). Between those events the real
cluster model runs: regroups, failovers, the storage-group limit, failback. Each
virtual server's outages are read from its group's client-visible outages; the
result gives outage counts, hours and user-minutes per virtual server and for the
cluster.

MSCS leaves a group Failed when it cannot place it (the storage-group limit
refusing every node, the FailoverThreshold exceeded); only an administrator
brings it back. The run models one: ``operator_h`` after a virtual server's group
is found Failed, it is brought online (``cluster.online_group``) on the first node
of its list that can host it and has room for its storage groups; when no node
has, the operator waits for the next repair [D].

The paper gives no failure, repair or response figures: the defaults below are
assumptions [U] and are parameters.

>>> from labkit.scenarios import four_node_5000
>>> r = monte_carlo(four_node_5000(), years=2, mtbf_h=2000, mttr_h=24, seed=1)
>>> r.node_failures, r.server("EXVS1").outages, round(r.user_availability, 6)
(43, 32, 0.999982)
>>> r.closed_form().k
1
"""
from __future__ import annotations

import heapq
import itertools
import math
import random
import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Callable

from ..cluster.model import GroupState, NodeState, ResourceState
from ..errors import LabkitError, StateError, ValidationError
from .availability import HOURS_PER_YEAR, KOutOfN, k_out_of_n, state_probabilities
from .findings import whole_number
from .load import MAX_STORAGE_GROUPS_PER_NODE, virtual_server_loads

SRC_MC = "labkit.planning.montecarlo"
#: A node fails about once a year, hardware, operating system and drivers together [U].
DEFAULT_MTBF_H = 8760.0
#: A same-day repair: parts on site within hours, the node rebuilt and started [U].
DEFAULT_MTTR_H = 8.0
#: An administrator notices a Failed group and brings it online within an hour [U].
DEFAULT_OPERATOR_H = 1.0
#: The working copy's log is cut when it grows past this many events (memory) [D].
LOG_KEEP = 200_000
_MS_PER_H = 3_600_000


def _number(v, what, low=0.0, low_open=True) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v < low or \
            (low_open and v == low):
        raise ValidationError(f"{what} must be a number {'>' if low_open else '>='} {low:g}, not {v!r}",
                              rule=f"{what} is a positive number", source=SRC_MC)
    return float(v)


@dataclass(frozen=True)
class ServerAvailability:
    """One virtual server over the run: outages (client-visible interruptions that
    began in the run), hours down, availability and user-minutes of outage."""

    name: str
    users: int
    outages: int
    downtime_h: float
    availability: float

    @property
    def user_minutes(self) -> float:
        return self.users * self.downtime_h * 60.0


@dataclass(frozen=True)
class MonteCarloResult:
    """What a :func:`monte_carlo` run measured. ``nodes_up_time[i]`` is the share of
    the time exactly ``i`` nodes were working; ``batch_unavailability`` the share of
    each of ``len(...)`` equal slices of the run during which some virtual server
    was down (for :attr:`standard_error`); ``restores`` how many times the operator
    brought a Failed group back. ``wall_s`` (real seconds) is left out of
    comparisons: everything else is the same for the same seed."""

    years: float
    seed: int
    mtbf_h: float
    mttr_h: float
    nodes: int
    nodes_needed: int
    node_failures: int
    repairs: int
    restores: int
    servers: tuple
    all_up_availability: float
    nodes_up_time: tuple
    batch_unavailability: tuple
    wall_s: float = field(default=0.0, compare=False)

    @property
    def users(self) -> int:
        return sum(s.users for s in self.servers)

    @property
    def user_minutes(self) -> float:
        """User-minutes of outage over the whole run."""
        return sum(s.user_minutes for s in self.servers)

    @property
    def user_minutes_per_year(self) -> float:
        return self.user_minutes / self.years

    @property
    def user_availability(self) -> float:
        """The share of user-time with the user's virtual server online."""
        total = self.users * self.years * HOURS_PER_YEAR * 60.0
        return 1.0 - self.user_minutes / total if total else 1.0

    @property
    def standard_error(self) -> float:
        """Standard error of the all-up unavailability (batch means)."""
        b = self.batch_unavailability
        if len(b) < 2:
            return float("nan")
        m = sum(b) / len(b)
        return math.sqrt(sum((x - m) ** 2 for x in b) / (len(b) - 1) / len(b))

    @property
    def years_per_second(self) -> float:
        """Simulated cluster-years per real second."""
        return self.years / self.wall_s if self.wall_s else float("inf")

    def server(self, name: str) -> ServerAvailability:
        for s in self.servers:
            if s.name == name:
                return s
        raise ValidationError(f"no virtual server {name!r} in the result", rule="results are looked up by name",
                              source=SRC_MC)

    def closed_form(self, k: int | None = None) -> KOutOfN:
        """The k-out-of-n yardstick for the same nodes, MTBF and MTTR; ``k`` defaults
        to :attr:`nodes_needed` (the fewest nodes that can mount every storage group)."""
        return k_out_of_n(self.nodes, self.nodes_needed if k is None else k, self.mtbf_h, self.mttr_h)

    def expected_nodes_up_time(self) -> list:
        """The binomial shares the closed form assumes for ``nodes_up_time``."""
        a = self.mtbf_h / (self.mtbf_h + self.mttr_h)
        return state_probabilities(self.nodes, a)

    def rows(self) -> list[dict]:
        """One row per virtual server, then the cluster."""
        out = [{"virtual_server": s.name, "users": s.users, "outages": s.outages, "downtime_h": s.downtime_h,
                "availability": s.availability, "user_minutes": s.user_minutes} for s in self.servers]
        out.append({"virtual_server": "(cluster)", "users": self.users,
                    "outages": sum(s.outages for s in self.servers),
                    "downtime_h": sum(s.downtime_h for s in self.servers), "availability": self.user_availability,
                    "user_minutes": self.user_minutes})
        return out


def nodes_needed(cluster, limit: int | None = None) -> int:
    """The fewest nodes that can mount every virtual server's storage groups at once
    (first-fit decreasing, at most ``limit`` per node -- the Exchange setting, else 4):
    the ``k`` of the closed-form k-out-of-n check.

    >>> from labkit.scenarios import four_node_5000
    >>> nodes_needed(four_node_5000())
    1
    """
    if limit is None:
        from ..exchange.model import org as exchange_org
        org = exchange_org(cluster)
        limit = org.settings.max_storage_groups_per_node if org is not None else MAX_STORAGE_GROUPS_PER_NODE
    sizes = sorted((v.storage_groups for v in virtual_server_loads(cluster)), reverse=True)
    bins: list[int] = []
    for s in sizes:
        for i, used in enumerate(bins):
            if used + s <= limit:
                bins[i] += s
                break
        else:
            bins.append(s)
    return max(1, len(bins))


def _union(intervals) -> list:
    out: list = []
    for a, b in sorted(intervals):
        if out and a <= out[-1][1]:
            if b > out[-1][1]:
                out[-1][1] = b
        else:
            out.append([a, b])
    return out


def _overlap(intervals, lo, hi) -> int:
    return sum(max(0, min(b, hi) - max(a, lo)) for a, b in intervals)


class EventKind(StrEnum):
    """What happens at an event of a run: a node fails, a failed node is repaired, or the
    operator comes to bring a group back online."""

    FAIL = "fail"
    REPAIR = "repair"
    OPERATOR = "operator"


class _Run:
    """The state of one run: the working cluster, the pending failure, repair and
    operator events (a heap ordered by time, then by a counter), and the tallies."""

    def __init__(self, c, rng, mtbf_h, mttr_h, operator_h, vss):
        self.c, self.rng = c, rng
        self.mtbf_h, self.mttr_h, self.operator_h = mtbf_h, mttr_h, operator_h
        self.vss = vss
        self.groups = list(dict.fromkeys(v.group_name for v in vss))
        self.sgs = {}
        for v in vss:
            self.sgs[v.group_name] = self.sgs.get(v.group_name, 0) + v.storage_groups
        from ..exchange.model import org as exchange_org
        org = exchange_org(c)
        self.limit = org.settings.max_storage_groups_per_node if org is not None else MAX_STORAGE_GROUPS_PER_NODE
        self.heap: list = []
        self.counter = itertools.count()
        self.broken: set = set()
        self.called: set = set()
        self.waiting: set = set()
        self.failures = self.repairs = self.restores = 0

    def push(self, at_ms: int, what: str, kind: EventKind) -> None:
        heapq.heappush(self.heap, (at_ms, next(self.counter), what, kind))

    def after_h(self, t: int, hours: float) -> int:
        return t + max(1, int(round(hours * _MS_PER_H)))

    def fail(self, t: int, node: str) -> None:
        self.failures += 1
        if self.c.nodes[node].state is not NodeState.DOWN:
            self.c.crash_node(node)
        self.broken.add(node)
        self.push(self.after_h(t, self.rng.expovariate(1.0 / self.mttr_h)), node, EventKind.REPAIR)

    def repair(self, t: int, node: str) -> None:
        self.repairs += 1
        c = self.c
        if c.nodes[node].regroup_pending:     # repaired before the cluster noticed the crash
            c.run_until_stable()
        if c.nodes[node].state is NodeState.DOWN:
            c.start_node(node)
        self.broken.discard(node)
        self.waiting.clear()
        self.push(self.after_h(t, self.rng.expovariate(1.0 / self.mtbf_h)), node, EventKind.FAIL)

    def _room(self, node: str) -> int:
        used = sum(self.sgs[g] for g in self.groups
                   if self.c.groups[g].owner == node and self.c.groups[g].state is not GroupState.FAILED)
        return self.limit - used

    def restore(self, group: str) -> None:
        """The operator's visit: bring a Failed group online on the first node of its
        list that can host it and has room for its storage groups; if none has, wait
        for the next repair."""
        self.called.discard(group)
        c = self.c
        g = c.groups[group]
        if g.state is not GroupState.FAILED or not c.running or g.move is not None:
            return
        target = next((n for n in c.effective_owners(group)
                       if c.can_host(group, n) and self._room(n) >= self.sgs[group]), None)
        if target is None:
            self.waiting.add(group)           # nowhere to put it until a node is repaired
            return
        try:
            if g.owner != target and any(c.resources[r].state is not ResourceState.OFFLINE for r in g.resources):
                c.move_group(group, target)
            c.online_group(group, target)
            self.restores += 1
        except LabkitError:
            pass                              # refused as a whole (nothing changed): try again later

    def call_operator(self, t: int) -> None:
        """Queue an operator visit for each virtual server group left Failed."""
        if self.operator_h is None:
            return
        for name in self.groups:
            if name not in self.called and name not in self.waiting and \
                    self.c.groups[name].state is GroupState.FAILED:
                self.called.add(name)
                self.push(self.after_h(max(t, self.c.clock.ms), self.operator_h), name, EventKind.OPERATOR)


def monte_carlo(cluster, *, years: float = 10.0, mtbf_h: float = DEFAULT_MTBF_H, mttr_h: float = DEFAULT_MTTR_H,
                operator_h: float | None = DEFAULT_OPERATOR_H, seed: int = 0, batches: int = 20,
                progress: Callable | None = None, progress_every: float = 0.01) -> MonteCarloResult:
    """Simulate ``years`` of node failures and repairs on a copy of ``cluster``.

    Failure and repair times come from ``random.Random(seed)`` (the cluster keeps its
    own generator). After each failure, repair or operator visit the failover
    manager's work is run to completion (seconds to minutes); an event that falls
    inside it is applied when it ends, and a repair that falls before the cluster
    noticed the crash waits for the regroup [D]. ``operator_h=None`` leaves Failed
    groups alone. ``progress(fraction, years_done)`` is called every
    ``progress_every`` of the simulated time and at the end (a progress bar's hook;
    the model never imports widgets). ``cluster`` is not changed; it must be
    running with every node Up.
    """
    years, mtbf_h, mttr_h, operator_h, every = _arguments(years, mtbf_h, mttr_h, operator_h, seed, batches,
                                                          progress, progress_every)
    started = time.perf_counter()
    c = _healthy_copy(cluster)
    names = c.node_ids()
    n = len(names)
    run = _Run(c, random.Random(seed), mtbf_h, mttr_h, operator_h, virtual_server_loads(c))
    t0 = c.clock.ms
    span = int(round(years * HOURS_PER_YEAR * _MS_PER_H))
    for node in names:
        run.push(run.after_h(t0, run.rng.expovariate(1.0 / mtbf_h)), node, EventKind.FAIL)
    up_time = _simulate(c, run, t0, span, every, progress)
    servers, all_up, batch = _availability(c, run, t0, span, batches)
    if progress is not None:
        progress(1.0, years)
    return MonteCarloResult(years, seed, mtbf_h, mttr_h, n, nodes_needed(c), run.failures, run.repairs,
                            run.restores, tuple(servers), all_up, tuple(x / span for x in up_time), batch,
                            time.perf_counter() - started)


def _arguments(years, mtbf_h, mttr_h, operator_h, seed, batches, progress, progress_every) -> tuple:
    """:func:`monte_carlo`'s arguments checked: ``(years, mtbf_h, mttr_h, operator_h, every)``."""
    years = _number(years, "years")
    if years > 5000:
        raise ValidationError("runs are limited to 5,000 simulated years (the clock's calendar)",
                              rule="bounded runs", source=SRC_MC)
    mtbf_h = _number(mtbf_h, "mtbf_h")
    mttr_h = _number(mttr_h, "mttr_h")
    if operator_h is not None:
        operator_h = _number(operator_h, "operator_h")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValidationError(f"seed must be an integer, not {seed!r}", rule="runs are seeded", source=SRC_MC)
    whole_number(batches, "batches", rule="batches are counted", source=SRC_MC)
    every = _number(progress_every, "progress_every")
    if progress is not None and not callable(progress):
        raise ValidationError("progress must be a callable(fraction, years_done)", rule="progress is a callback",
                              source=SRC_MC)
    return years, mtbf_h, mttr_h, operator_h, every


def _healthy_copy(cluster):
    """The working copy of ``cluster``, stable, with every node Up and no history."""
    c = cluster.copy()
    c.run_until_stable()
    if not c.running or any(n.state is not NodeState.UP for n in c.nodes.values()):
        raise StateError("start the Monte Carlo from a running cluster with every node Up",
                         rule="the run starts healthy", source=SRC_MC)
    del c.log[:]                      # the working copy's history is not needed
    return c


def _simulate(c, run: "_Run", t0: int, span: int, every: float, progress) -> list:
    """Run the failures, repairs and operator visits up to ``t0 + span``; the time spent
    with 0, 1, ... n nodes up (ms)."""
    n = len(c.nodes)
    t_end = t0 + span
    up_time = [0] * (n + 1)
    last = t0
    next_report = every
    while run.heap and run.heap[0][0] <= t_end:
        t, _, what, kind = heapq.heappop(run.heap)
        if t > c.clock.ms:
            c.run(seconds=(t - c.clock.ms) / 1000.0)
        up_time[n - len(run.broken)] += t - last
        last = t
        if kind is EventKind.FAIL:
            run.fail(t, what)
        elif kind is EventKind.REPAIR:
            run.repair(t, what)
        else:
            run.restore(what)
        c.run_until_stable()
        run.call_operator(t)
        if len(c.log) > LOG_KEEP:
            del c.log[:]
        if progress is not None and (t - t0) / span >= next_report:
            progress(min(1.0, (t - t0) / span), (t - t0) / _MS_PER_H / HOURS_PER_YEAR)
            next_report = ((t - t0) / span // every + 1) * every
    if c.clock.ms < t_end:
        c.run(seconds=(t_end - c.clock.ms) / 1000.0)
    up_time[n - len(run.broken)] += t_end - last
    return up_time


def _availability(c, run: "_Run", t0: int, span: int, batches: int) -> tuple:
    """Each virtual server's outages over the run, the share of time every one ran, and
    that share per batch."""
    t_end = t0 + span
    end = max(t_end, c.clock.ms)
    servers, all_down = [], []
    for v in run.vss:
        g = c.groups[v.group_name]
        spans = [[max(a, t0), min(b if b is not None else end, t_end)] for a, b in g.outages
                 if (b if b is not None else end) > t0 and a < t_end]
        spans = [s for s in spans if s[1] > s[0]]
        down_ms = sum(b - a for a, b in spans)
        count = sum(1 for a, _ in g.outages if t0 <= a < t_end)
        servers.append(ServerAvailability(v.name, v.users, count, down_ms / _MS_PER_H, 1.0 - down_ms / span))
        all_down += spans
    merged = _union(all_down)
    all_up = 1.0 - sum(b - a for a, b in merged) / span
    edges = [t0 + span * i // batches for i in range(batches + 1)]
    batch = tuple(_overlap(merged, edges[i], edges[i + 1]) / (edges[i + 1] - edges[i]) for i in range(batches)
                  if edges[i + 1] > edges[i])
    return servers, all_up, batch


__all__ = ["monte_carlo", "MonteCarloResult", "ServerAvailability", "nodes_needed", "DEFAULT_MTBF_H",
           "DEFAULT_MTTR_H", "DEFAULT_OPERATOR_H", "LOG_KEEP"]
