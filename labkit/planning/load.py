"""Cluster load planning: the paper's three strategies and Microsoft's later advice
(N-k analysis through the real failover model is :mod:`labkit.planning.nk`).

The paper ("Cluster Load Planning") names three strategies and says how each
sets the groups' preferred owners; where it is silent the kit's rule is stated
below and marked [D]. :func:`plan_load` turns a strategy, a node count and a user
count into a :class:`LoadPlan`: each Exchange virtual server with its home node,
users, storage groups and preferred-owner list.

- **Maximum load -- all nodes** (``Strategy.ALL_NODES``): every node runs an equal
  share. The paper calls it simple to configure and expects manual moves at quiet
  times, so each virtual server lists only its home node [D] and MSCS walks the
  other nodes in node-id order after it (KB 299631); failback is prevented [D].
- **Maximum load -- standby node** (``Strategy.STANDBY``, N+1): the last
  ``standby`` node(s) stay idle; each virtual server lists its home node first and
  a standby node second -- the paper's rule. With several standby nodes they take
  turns as second choice; after the standby nodes come the other active nodes in
  ring order from the home node [D]. Failback is allowed, so the standby is free
  again once the home node is back [D].
- **Balanced / cascading** (``Strategy.BALANCED``): every node is active and every
  virtual server lists every node -- its home node, then the others in ring order,
  the rings of a node's virtual servers rotated so that they fail over to
  different nodes [D] ("each time cascading ... to the next node in its preference
  list"). Failback is allowed, to restore the balance [D].
- **Active/passive (Microsoft, later)** (``Strategy.ACTIVE_PASSIVE``): Microsoft
  later advised active/passive beyond two nodes (KB 815180, KB 329208; cause:
  store.exe virtual memory fragmentation, KB 325044) -- on four nodes three active
  nodes with one virtual server each and one passive node, failback prevented
  (Exchange Server 2003, "Configuration Settings for a Four-Node Cluster"). There
  each virtual server lists only its own node: Exchange 2003 itself sends a failed
  virtual server to a node running none and refuses the others. The Exchange 2000
  model has no such rule, so the plan lists the passive node(s) second (taking
  turns, as standby nodes do) and nothing after [D]; the analysis counts nodes
  running two virtual servers (``shared_nodes``) where Exchange 2003 would have
  left one Failed.

A plan predicts where virtual servers go when nodes fail (:meth:`LoadPlan.after`,
MSCS's walk and the four-storage-group limit, a formula). :func:`~labkit.planning.nk.n_k_analysis`
does not predict: for every set of up to ``k`` failed nodes it copies the
cluster, crashes the nodes and runs the failover model until it is stable.

>>> plan = plan_load("balanced", 4, 5000)
>>> [v.preferred_owners for v in plan.virtual_servers][0]
('1-CURLY', '2-MOE', '3-LARRY', '4-JERRY')
>>> plan.after(["1-CURLY", "2-MOE", "3-LARRY"]).users
{'4-JERRY': 5000}
>>> plan_load("standby", 4, 5000).virtual_servers[2].preferred_owners
('3-LARRY', '4-JERRY', '1-CURLY', '2-MOE')
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from enum import StrEnum
from functools import partial
from typing import Iterable

from ..cluster.model import GroupState, NodeState
from ..errors import LimitError, NotFoundError, ValidationError
from .findings import as_tuple, whole_number

SRC_LOAD = "paper, Cluster Load Planning"
SRC_SG_LIMIT = ("paper, Design Storage Before Configuring the Cluster and Balanced Cluster Loading "
                "(never more than 4 storage groups on a node); KB 314266")
SRC_AP = ("Microsoft KB 815180 and KB 329208 (active/passive beyond two nodes; KB 325044); Exchange Server "
          "2003, Configuration Settings for a Four-Node Cluster (3 active + 1 passive, Prevent failback)")
SRC_OWNERS = "paper, Resource Ownership and Failover"
#: Storage groups one node can mount (paper; KB 314266). Plans take it as a setting.
MAX_STORAGE_GROUPS_PER_NODE = 4


class Strategy(StrEnum):
    """The load strategies: the paper's three and Microsoft's later advice."""

    ALL_NODES = "Maximum load – all nodes"
    STANDBY = "Maximum load – standby node"
    BALANCED = "Balanced / cascading"
    ACTIVE_PASSIVE = "Active/passive (Microsoft, later)"
    CUSTOM = "Custom"

    @classmethod
    def parse(cls, value) -> "Strategy":
        """A strategy from its name or a short alias ("all nodes", "standby", "n+1",
        "balanced", "cascading", "active/passive", "custom").

        >>> Strategy.parse("N+1")
        <Strategy.STANDBY: 'Maximum load – standby node'>
        """
        if isinstance(value, cls):
            return value
        key = value.strip().lower().replace("—", "-").replace("–", "-") if isinstance(value, str) else None
        found = _ALIASES.get(key)
        if found is None:
            raise ValidationError(f"unknown load strategy {value!r}; choose one of "
                                  f"{', '.join(s.value for s in cls if s is not cls.CUSTOM)}",
                                  rule="a load plan follows a named strategy", source=SRC_LOAD)
        return found


_ALIASES = {
    "maximum load - all nodes": Strategy.ALL_NODES, "maximum load - all cluster nodes": Strategy.ALL_NODES,
    "all nodes": Strategy.ALL_NODES, "all": Strategy.ALL_NODES, "max-all": Strategy.ALL_NODES,
    "maximum load - standby node": Strategy.STANDBY, "standby node": Strategy.STANDBY,
    "standby": Strategy.STANDBY, "n+1": Strategy.STANDBY,
    "balanced / cascading": Strategy.BALANCED, "balanced cluster loading": Strategy.BALANCED,
    "balanced": Strategy.BALANCED, "cascading": Strategy.BALANCED,
    "active/passive (microsoft, later)": Strategy.ACTIVE_PASSIVE, "active/passive": Strategy.ACTIVE_PASSIVE,
    "active-passive": Strategy.ACTIVE_PASSIVE, "microsoft": Strategy.ACTIVE_PASSIVE,
    "custom": Strategy.CUSTOM,
}

#: Whether each strategy lets groups fail back to their home node (AutoFailbackType).
DEFAULT_FAILBACK = {Strategy.ALL_NODES: False, Strategy.STANDBY: True, Strategy.BALANCED: True,
                    Strategy.ACTIVE_PASSIVE: False, Strategy.CUSTOM: False}


#: the one whole-number check (:func:`~labkit.planning.findings.whole_number`), with this module's source
_count = partial(whole_number, source=SRC_LOAD)


def split(total: int, parts: int) -> list[int]:
    """``total`` shared as evenly as possible, the first parts taking the remainder.

    >>> split(5000, 3)
    [1667, 1667, 1666]
    """
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


# --------------------------------------------------------------------------------------- plans
@dataclass(frozen=True)
class VirtualServerPlan:
    """One virtual server of a plan: its group, home node, users, storage groups and
    ordered preferred owners. ``possible_owners`` (None: every node) limits where it
    may run, as the possible owners of its resources do."""

    name: str
    home: str
    users: int
    storage_groups: int = 1
    preferred_owners: tuple = ()
    group: str | None = None
    possible_owners: tuple | None = None

    @property
    def group_name(self) -> str:
        return self.group or self.name


@dataclass(frozen=True)
class Placement:
    """Where the virtual servers run after ``failed`` nodes fail, predicted by a
    :class:`LoadPlan` (a formula) -- or, in a :class:`FailureCase`, simulated.

    - ``owner``: virtual server -> node it runs on (None: not running);
    - ``users`` / ``storage_groups`` / ``virtual_servers``: per surviving node;
    - ``refused``: (virtual server, node) pairs where mounting was refused because
      the node would have held more storage groups than the limit.
    """

    failed: tuple = ()
    owner: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    storage_groups: dict = field(default_factory=dict)
    virtual_servers: dict = field(default_factory=dict)
    refused: tuple = ()

    @property
    def down(self) -> tuple:
        """Virtual servers not running anywhere."""
        return tuple(v for v, n in self.owner.items() if n is None)

    @property
    def worst_users(self) -> int:
        return max(self.users.values(), default=0)

    @property
    def worst_storage_groups(self) -> int:
        return max(self.storage_groups.values(), default=0)

    @property
    def worst_node(self) -> str | None:
        """The surviving node with the most users (ties: the first in node order)."""
        return max(self.users, key=lambda n: self.users[n], default=None) if self.users else None

    @property
    def shared_nodes(self) -> tuple:
        """Nodes running more than one virtual server (Exchange 2003 active/passive
        refuses this beyond two nodes)."""
        return tuple(n for n, vs in self.virtual_servers.items() if len(vs) > 1)

    def utilization(self, capacity_users: float) -> dict:
        """Each surviving node's users as a share of ``capacity_users`` (its optimal load)."""
        cap = _positive(capacity_users, "capacity_users")
        return {n: u / cap for n, u in self.users.items()}


def _positive(v, what) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v <= 0:
        raise ValidationError(f"{what} must be a number > 0, not {v!r}", rule=f"{what} is positive",
                              source=SRC_LOAD)
    return float(v)


@dataclass(frozen=True)
class LoadPlan:
    """Virtual servers placed on nodes by a strategy, with the failover settings
    it implies. ``nodes`` are in node-id order; ``standby`` the idle nodes."""

    strategy: Strategy
    nodes: tuple
    virtual_servers: tuple
    standby: tuple = ()
    auto_failback: bool = False
    failback_window: tuple | None = None
    capacity_users: float | None = None
    max_storage_groups_per_node: int = MAX_STORAGE_GROUPS_PER_NODE

    def __post_init__(self):
        object.__setattr__(self, "strategy", Strategy.parse(self.strategy))
        nodes = tuple(as_tuple(self.nodes, "nodes", source=SRC_LOAD))
        vss = tuple(as_tuple(self.virtual_servers, "virtual servers", source=SRC_LOAD))
        if not nodes or len(set(nodes)) != len(nodes) or not all(isinstance(n, str) and n for n in nodes):
            raise ValidationError(f"a plan needs distinct node names, not {nodes!r}", rule="nodes are named once",
                                  source=SRC_LOAD)
        names = set()
        for v in vss:
            if not isinstance(v, VirtualServerPlan):
                raise ValidationError(f"{v!r} is not a VirtualServerPlan", rule="a plan lists virtual servers",
                                      source=SRC_LOAD)
            if v.name in names:
                raise ValidationError(f"virtual server {v.name!r} is planned twice", rule="one plan per virtual "
                                      "server", source=SRC_LOAD)
            names.add(v.name)
            bad = [n for n in (v.home, *v.preferred_owners, *(v.possible_owners or ())) if n not in nodes]
            if bad:
                raise ValidationError(f"{v.name} names nodes outside the plan: {bad}", rule="plans use the "
                                      "cluster's nodes", source=SRC_LOAD)
        for s in as_tuple(self.standby, "standby nodes", source=SRC_LOAD):
            if s not in nodes:
                raise ValidationError(f"standby node {s!r} is not a node of the plan", rule="plans use the "
                                      "cluster's nodes", source=SRC_LOAD)
        object.__setattr__(self, "nodes", nodes)
        object.__setattr__(self, "virtual_servers", vss)
        object.__setattr__(self, "standby", tuple(self.standby))
        if not isinstance(self.auto_failback, bool):
            raise ValidationError("auto_failback must be True or False", rule="AutoFailbackType is Prevent or Allow",
                                  source="MSCS group property")
        if self.capacity_users is not None:
            _positive(self.capacity_users, "capacity_users")
        w = self.failback_window
        if w is not None and not (isinstance(w, tuple) and len(w) == 2 and all(
                isinstance(h, int) and not isinstance(h, bool) and 0 <= h <= 23 for h in w) and w[0] != w[1]):
            raise ValidationError(f"failback_window must be None or (start_hour, end_hour), hours 0-23, not {w!r}",
                                  rule="FailbackWindowStart/End are hours 0-23", source="MSCS group property")
        _count(self.max_storage_groups_per_node, "max_storage_groups_per_node")

    # --- normal operation -------------------------------------------------------------------
    @property
    def users(self) -> int:
        return sum(v.users for v in self.virtual_servers)

    def server(self, name: str) -> VirtualServerPlan:
        for v in self.virtual_servers:
            if v.name == name:
                return v
        raise NotFoundError(f"no virtual server {name!r} in the plan", rule="plans are looked up by name",
                            source=SRC_LOAD)

    def effective_owners(self, name: str) -> tuple:
        """The list MSCS walks for ``name``: preferred owners, then the other nodes in
        node-id order (KB 299631)."""
        v = self.server(name)
        return tuple(v.preferred_owners) + tuple(n for n in self.nodes if n not in v.preferred_owners)

    def normal(self) -> Placement:
        """Every virtual server on its home node."""
        return self.after(())

    # --- failures (a formula: the failover model itself is in n_k_analysis) -------------------
    def after(self, failed: Iterable[str] = (), *, respect_limit: bool = True) -> Placement:
        """Predict where the virtual servers run once the ``failed`` nodes are down.

        A virtual server whose home node survives stays there. The others, in plan
        order, walk their effective owner list from the home node, wrapping, to the
        first surviving possible owner -- skipping, with ``respect_limit``, nodes where
        their storage groups would exceed ``max_storage_groups_per_node`` (the real
        Information Store fails to mount there, restarts, and the group fails over
        to the next node, KB 314266). None found: the virtual server is down.

        >>> plan_load("all nodes", 4, 5000).after(["2-MOE"]).users
        {'1-CURLY': 2500, '3-LARRY': 1250, '4-JERRY': 1250}
        """
        failed_t = tuple(as_tuple(failed, "failed nodes", source=SRC_LOAD))
        bad = [n for n in failed_t if n not in self.nodes]
        if bad:
            raise NotFoundError(f"no node named {bad[0]!r} in the plan", rule="failed nodes are nodes of the plan",
                                source=SRC_LOAD)
        down = set(failed_t)
        alive = [n for n in self.nodes if n not in down]
        owner: dict = {}
        sgs = {n: 0 for n in alive}
        refused = []
        moving = []
        for v in self.virtual_servers:
            if v.home not in down:
                owner[v.name] = v.home
                sgs[v.home] += v.storage_groups
            else:
                owner[v.name] = None
                moving.append(v)
        for v in moving:
            lst = self.effective_owners(v.name)
            start = lst.index(v.home)
            for i in range(1, len(lst)):
                cand = lst[(start + i) % len(lst)]
                if cand in down or (v.possible_owners is not None and cand not in v.possible_owners):
                    continue
                if respect_limit and sgs[cand] + v.storage_groups > self.max_storage_groups_per_node:
                    refused.append((v.name, cand))
                    continue
                owner[v.name] = cand
                sgs[cand] += v.storage_groups
                break
        users = {n: 0 for n in alive}
        on = {n: [] for n in alive}
        for v in self.virtual_servers:
            n = owner[v.name]
            if n is not None:
                users[n] += v.users
                on[n].append(v.name)
        return Placement(failed_t, owner, users, sgs, {n: tuple(x) for n, x in on.items()}, tuple(refused))

    def failure_sets(self, k: int) -> list[tuple]:
        """Every set of 1 to ``k`` nodes, smallest first, each in node order."""
        return failure_sets(self.nodes, k)

    def predict(self, k: int) -> tuple:
        """:meth:`after` for every failure set of 1 to ``k`` nodes (the formula's
        counterpart of :func:`n_k_analysis`)."""
        return tuple(self.after(s) for s in self.failure_sets(k))

    def worst(self, k: int) -> Placement:
        """The predicted placement with the most users on one node over every failure
        set of up to ``k`` nodes (ties: the first such set)."""
        best = None
        for p in self.predict(k):
            if best is None or (p.worst_users, p.worst_storage_groups, len(p.down)) > \
                    (best.worst_users, best.worst_storage_groups, len(best.down)):
                best = p
        return best

    def required_capacity(self, k: int) -> int:
        """The users one node must carry at optimal load so that no node exceeds it
        after any ``k`` failures (the paper's headroom argument)."""
        return max(self.normal().worst_users, self.worst(k).worst_users) if k else self.normal().worst_users

    def rows(self) -> list[dict]:
        """One row per virtual server (a table for notebooks)."""
        return [{"virtual_server": v.name, "home": v.home, "users": v.users, "storage_groups": v.storage_groups,
                 "preferred_owners": ", ".join(v.preferred_owners),
                 "auto_failback": "allow" if self.auto_failback else "prevent"} for v in self.virtual_servers]

    # --- applying it to a cluster -------------------------------------------------------------
    def apply(self, cluster, *, move_home: bool = False) -> None:
        """Set each virtual server's group preferred owners and failback settings in
        ``cluster`` (Set-ClusterOwnerNode, AutoFailbackType), all-or-nothing. With
        ``move_home`` the online groups not on their home node are moved there."""
        groups = {}
        for v in self.virtual_servers:
            g = cluster.groups.get(v.group_name)
            if g is None:
                raise NotFoundError(f"the cluster has no group {v.group_name!r} for virtual server {v.name}",
                                    rule="a plan applies to the cluster it was made for", source=SRC_LOAD)
            if v.group_name in groups and groups[v.group_name] != v.preferred_owners:
                raise ValidationError(f"virtual servers of group {v.group_name!r} are planned with different "
                                      "preferred owners", rule="a group has one preferred-owner list",
                                      source="MSCS group property")
            groups[v.group_name] = v.preferred_owners
        missing = [n for prefs in groups.values() for n in prefs if n not in cluster.nodes]
        if missing:
            raise NotFoundError(f"the cluster has no node {missing[0]!r}", rule="a plan applies to the cluster "
                                "it was made for", source=SRC_LOAD)
        with cluster.transaction():
            for g, prefs in groups.items():
                cluster.set_preferred_owners(g, list(prefs))
                cluster.set_group_properties(g, auto_failback=self.auto_failback,
                                             failback_window=self.failback_window)
            if move_home:
                for v in self.virtual_servers:
                    g = cluster.groups[v.group_name]
                    if g.owner != v.home and cluster.nodes[v.home].state is NodeState.UP:
                        cluster.move_group(v.group_name, v.home)


def failure_sets(nodes, k: int) -> list[tuple]:
    """Every set of 1 to ``k`` of ``nodes`` (smallest sets first, node order kept).

    >>> failure_sets(["A", "B", "C"], 2)
    [('A',), ('B',), ('C',), ('A', 'B'), ('A', 'C'), ('B', 'C')]
    """
    nodes = tuple(nodes)
    _count(k, "k", low=0)
    if k > len(nodes) - 1:
        raise ValidationError(f"k={k} would fail every node of {len(nodes)}; at most {len(nodes) - 1}",
                              rule="N-k analysis keeps at least one node", source=SRC_LOAD)
    return [s for i in range(1, k + 1) for s in itertools.combinations(nodes, i)]


def _node_names(nodes) -> tuple:
    if isinstance(nodes, int) and not isinstance(nodes, bool):
        _count(nodes, "nodes")
        from .naming import default_node_names
        return tuple(default_node_names(nodes))
    names = tuple(as_tuple(nodes, "nodes", source=SRC_LOAD))
    if not names or len(set(names)) != len(names) or not all(isinstance(n, str) and n for n in names):
        raise ValidationError(f"nodes must be a count or distinct names, not {nodes!r}", rule="nodes are named once",
                              source=SRC_LOAD)
    return names


def _ring(nodes: tuple, i: int) -> list:
    """The other nodes in ring order after node ``i``."""
    n = len(nodes)
    return [nodes[(i + t) % n] for t in range(1, n)]


def _active_and_idle(s: Strategy, names: tuple, standby: int, v_per: int) -> tuple[tuple, tuple]:
    """The active nodes and the idle ones: the last ``standby`` nodes for the standby and
    active/passive strategies (one virtual server per active node in active/passive), none otherwise."""
    n = len(names)
    if s in (Strategy.STANDBY, Strategy.ACTIVE_PASSIVE):
        p = _count(standby, "standby")
        if p >= n:
            raise ValidationError(f"{s} needs at least one active node besides {p} standby node(s); the cluster "
                                  f"has {n}", rule="a standby cluster has active and idle nodes", source=SRC_LOAD)
        if s is Strategy.ACTIVE_PASSIVE and v_per != 1:
            raise ValidationError("in an active/passive cluster each active node runs one virtual server",
                                  rule="active/passive: one Exchange virtual server per active node", source=SRC_AP)
        return names[:n - p], names[n - p:]
    return names, ()


def _preferred_owners(s: Strategy, names: tuple, active: tuple, idle: tuple, i: int, j: int, v_per: int) -> tuple:
    """The preferred owners of active node ``i``'s ``j``-th virtual server: its home node
    only (all nodes active); then the idle nodes, taken in turn (and, for standby, the other
    active nodes in ring order); balanced: the ring after the home node, rotated per virtual server."""
    home = active[i]
    if s is Strategy.ALL_NODES:
        return (home,)
    if s in (Strategy.STANDBY, Strategy.ACTIVE_PASSIVE):
        turn = (i * v_per + j) % len(idle)
        spares = (*idle[turn:], *idle[:turn])
        return (home, *spares) + (tuple(_ring(active, active.index(home))) if s is Strategy.STANDBY else ())
    ring = _ring(names, names.index(home))
    shift = (j * len(ring)) // v_per
    return (home, *ring[shift:], *ring[:shift])


def plan_load(strategy, nodes, users: int, *, virtual_servers_per_node: int = 1, storage_groups_per_server: int = 1,
              standby: int = 1, auto_failback: bool | None = None, failback_window=None,
              capacity_users: float | None = None, vs_prefix: str = "EXVS",
              max_storage_groups_per_node: int = MAX_STORAGE_GROUPS_PER_NODE) -> LoadPlan:
    """The plan ``strategy`` implies for ``nodes`` (a count -- named as in Table 10 --
    or node names in node-id order) serving ``users``.

    Active nodes carry ``virtual_servers_per_node`` virtual servers each, named
    ``EXVS1``... in node order (Table 10); users are shared evenly over every storage
    group. ``standby`` is the number of idle nodes for the standby and active/passive
    strategies (the last nodes). ``auto_failback`` overrides the strategy's default.

    >>> p = plan_load("active/passive", 4, 5000)
    >>> [(v.name, v.home, v.users, v.preferred_owners) for v in p.virtual_servers][0]
    ('EXVS1', '1-CURLY', 1667, ('1-CURLY', '4-JERRY'))
    >>> p.standby, p.auto_failback
    (('4-JERRY',), False)
    """
    s = Strategy.parse(strategy)
    if s is Strategy.CUSTOM:
        raise ValidationError("a custom plan is read from a cluster (plan_of) or built from VirtualServerPlan "
                              "rows", rule="plan_load follows a named strategy", source=SRC_LOAD)
    names = _node_names(nodes)
    _count(users, "users", low=0)
    v_per = _count(virtual_servers_per_node, "virtual_servers_per_node")
    sg_per = _count(storage_groups_per_server, "storage_groups_per_server")
    active, idle = _active_and_idle(s, names, standby, v_per)
    if sg_per * v_per > max_storage_groups_per_node:
        raise LimitError(f"{v_per} virtual servers of {sg_per} storage groups make {v_per * sg_per} storage groups "
                         f"on a node; at most {max_storage_groups_per_node}",
                         rule="at most 4 storage groups per node", source=SRC_SG_LIMIT)
    per_sg = split(users, len(active) * v_per * sg_per)
    vss = []
    k = 0
    for i, home in enumerate(active):
        for j in range(v_per):
            name = f"{vs_prefix}{i * v_per + j + 1}"
            u = sum(per_sg[k:k + sg_per])
            k += sg_per
            prefs = _preferred_owners(s, names, active, idle, i, j, v_per)
            vss.append(VirtualServerPlan(name, home, u, sg_per, tuple(prefs)))
    fb = DEFAULT_FAILBACK[s] if auto_failback is None else auto_failback
    return LoadPlan(s, names, tuple(vss), tuple(idle), fb, failback_window, capacity_users,
                    max_storage_groups_per_node)


# --------------------------------------------------------------------- reading a real cluster
def virtual_server_loads(cluster) -> list[VirtualServerPlan]:
    """The Exchange virtual servers of ``cluster`` as plan rows: group, home (current
    owner if online, else first preferred owner, else the group's owner), users
    (mailboxes), storage groups, preferred owners and the nodes that are possible
    owners of every resource of the group. Exchange 5.5's one virtual server counts
    no storage groups (it has none)."""
    from ..exchange.e55 import EXT as EXT55
    from ..exchange.model import EXT
    out = []
    org = cluster.extensions.get(EXT)
    servers = []
    if org is not None:
        servers += [(vs.name, vs.group, vs.mailboxes, len(vs.storage_groups)) for vs in org.virtual_servers.values()]
    e55 = cluster.extensions.get(EXT55)
    if e55 is not None:
        servers.append((e55.name, e55.group, e55.mailboxes, 0))
    ids = cluster.node_ids()
    for name, group, users, sgs in servers:
        g = cluster.groups[group]
        possible = tuple(n for n in ids if all(n in cluster.resources[r].possible_owners for r in g.resources))
        home = g.owner if g.state is GroupState.ONLINE and g.owner else (
            g.preferred_owners[0] if g.preferred_owners else g.owner or ids[0])
        out.append(VirtualServerPlan(name, home, users, sgs, tuple(g.preferred_owners), group, possible))
    return out


def plan_of(cluster) -> LoadPlan:
    """The plan a cluster is actually configured with (``Strategy.CUSTOM``): its
    virtual servers where they run now, their preferred and possible owners."""
    vss = virtual_server_loads(cluster)
    fb = any(cluster.groups[v.group_name].auto_failback for v in vss)
    limit = MAX_STORAGE_GROUPS_PER_NODE
    from ..exchange.model import org as exchange_org
    org = exchange_org(cluster)
    if org is not None:
        limit = org.settings.max_storage_groups_per_node
    return LoadPlan(Strategy.CUSTOM, tuple(cluster.node_ids()), tuple(vss), (), fb, None, None, limit)


__all__ = ["Strategy", "DEFAULT_FAILBACK", "MAX_STORAGE_GROUPS_PER_NODE", "VirtualServerPlan", "Placement",
           "LoadPlan", "plan_load", "plan_of", "virtual_server_loads", "failure_sets", "split"]
