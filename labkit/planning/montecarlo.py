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

The paper gives no failure or repair figures: the defaults below are
assumptions [U] and are parameters.

>>> from labkit.scenarios import four_node_5000
>>> r = monte_carlo(four_node_5000(), years=2, mtbf_h=2000, mttr_h=24, seed=1)
>>> r.node_failures, r.server("EXVS1").outages, round(r.user_availability, 6)
(43, 32, 0.999981)
>>> r.closed_form().k
1
"""
from __future__ import annotations

import heapq
import math
import random
import time
from dataclasses import dataclass, field
from typing import Callable

from ..errors import StateError, ValidationError
from .availability import HOURS_PER_YEAR, KOutOfN, k_out_of_n, state_probabilities
from .load import MAX_STORAGE_GROUPS_PER_NODE, fast_copy, virtual_server_loads

SRC_MC = "labkit.planning.montecarlo"
#: A node fails about once a year, hardware, operating system and drivers together [U].
DEFAULT_MTBF_H = 8760.0
#: A same-day repair: parts on site within hours, the node rebuilt and started [U].
DEFAULT_MTTR_H = 8.0
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
    was down (for :attr:`standard_error`). ``wall_s`` (real seconds) is left out of
    comparisons: everything else is the same for the same seed."""

    years: float
    seed: int
    mtbf_h: float
    mttr_h: float
    nodes: int
    nodes_needed: int
    node_failures: int
    repairs: int
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
        org = cluster.extensions.get("exchange")
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


def monte_carlo(cluster, *, years: float = 10.0, mtbf_h: float = DEFAULT_MTBF_H, mttr_h: float = DEFAULT_MTTR_H,
                seed: int = 0, batches: int = 20, progress: Callable | None = None,
                progress_every: float = 0.01) -> MonteCarloResult:
    """Simulate ``years`` of node failures and repairs on a copy of ``cluster``.

    Failure and repair times come from ``random.Random(seed)`` (the cluster keeps its
    own generator); a repair that falls before the cluster noticed the crash waits
    for the regroup. ``progress(fraction, years_done)`` is called every
    ``progress_every`` of the simulated time and at the end (a progress bar's hook;
    the model never imports widgets). ``cluster`` is not changed; it must be
    running with every node Up.
    """
    years = _number(years, "years")
    if years > 5000:
        raise ValidationError("runs are limited to 5,000 simulated years (the clock's calendar)",
                              rule="bounded runs", source=SRC_MC)
    mtbf_h = _number(mtbf_h, "mtbf_h")
    mttr_h = _number(mttr_h, "mttr_h")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValidationError(f"seed must be an integer, not {seed!r}", rule="runs are seeded", source=SRC_MC)
    if isinstance(batches, bool) or not isinstance(batches, int) or batches < 1:
        raise ValidationError(f"batches must be a whole number >= 1, not {batches!r}", rule="batches are counted",
                              source=SRC_MC)
    every = _number(progress_every, "progress_every")
    if progress is not None and not callable(progress):
        raise ValidationError("progress must be a callable(fraction, years_done)", rule="progress is a callback",
                              source=SRC_MC)
    started = time.perf_counter()
    c = fast_copy(cluster)
    c.run_until_stable()
    if not c.running or any(n.state.value != "Up" for n in c.nodes.values()):
        raise StateError("start the Monte Carlo from a running cluster with every node Up",
                         rule="the run starts healthy", source=SRC_MC)
    del c.log[:]                      # the working copy's history is not needed
    vss = virtual_server_loads(c)
    names = c.node_ids()
    n = len(names)
    rng = random.Random(seed)
    t0 = c.clock.ms
    t_end = t0 + int(round(years * HOURS_PER_YEAR * _MS_PER_H))
    heap = []
    seq = 0
    for node in names:
        seq += 1
        heap.append((t0 + int(round(rng.expovariate(1.0 / mtbf_h) * _MS_PER_H)), seq, node, "fail"))
    heapq.heapify(heap)
    broken: set = set()
    up_time = [0] * (n + 1)
    last = t0
    failures = repairs = 0
    next_report = every
    span = t_end - t0
    while heap and heap[0][0] <= t_end:
        t, _, node, kind = heapq.heappop(heap)
        if t > c.clock.ms:
            c.run(seconds=(t - c.clock.ms) / 1000.0)
        up_time[n - len(broken)] += t - last
        last = t
        nd = c.nodes[node]
        if kind == "fail":
            failures += 1
            if nd.state.value != "Down":
                c.crash_node(node)
            broken.add(node)
            delay = rng.expovariate(1.0 / mttr_h)
            kind_next = "repair"
        else:
            repairs += 1
            if nd.regroup_pending:
                c.run_until_stable()
            if nd.state.value == "Down":
                c.start_node(node)
            broken.discard(node)
            delay = rng.expovariate(1.0 / mtbf_h)
            kind_next = "fail"
        seq += 1
        heapq.heappush(heap, (t + max(1, int(round(delay * _MS_PER_H))), seq, node, kind_next))
        if len(c.log) > LOG_KEEP:
            del c.log[:]
        if progress is not None and (t - t0) / span >= next_report:
            progress(min(1.0, (t - t0) / span), (t - t0) / _MS_PER_H / HOURS_PER_YEAR)
            next_report = ((t - t0) / span // every + 1) * every
    if c.clock.ms < t_end:
        c.run(seconds=(t_end - c.clock.ms) / 1000.0)
    up_time[n - len(broken)] += t_end - last
    end = max(t_end, c.clock.ms)
    servers, all_down = [], []
    for v in vss:
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
    if progress is not None:
        progress(1.0, years)
    return MonteCarloResult(years, seed, mtbf_h, mttr_h, n, nodes_needed(c), failures, repairs, tuple(servers),
                            all_up, tuple(x / span for x in up_time), batch, time.perf_counter() - started)


__all__ = ["monte_carlo", "MonteCarloResult", "ServerAvailability", "nodes_needed", "DEFAULT_MTBF_H",
           "DEFAULT_MTTR_H", "LOG_KEEP"]
