"""The MSCS cluster: membership, quorum, groups, resources and the failover manager.

This is Windows 2000 Microsoft Cluster Service as the paper describes it
("Clustering Primer" to "Cluster Failover") with the behaviour the paper leaves
out taken from Microsoft's documentation and KB articles (cited where they are used).

Every public command is all-or-nothing: it checks everything first and raises a
:class:`~labkit.errors.LabkitError` naming the broken rule, leaving the model as
it was; only then does it change anything. Time only moves in :meth:`Cluster.run`
and :meth:`Cluster.run_until_stable`.

>>> import labkit as lk
>>> c = lk.Cluster("FOUR-STOOGES", ip="132.192.1.100", edition="Datacenter")
>>> _ = c.add_node("1-CURLY", ip="132.192.1.10"); _ = c.add_node("2-MOE", ip="132.192.1.20")
>>> c.run_until_stable(); c.groups["Cluster Group"].owner
'1-CURLY'
>>> c.crash_node("1-CURLY"); c.run_until_stable()
>>> c.groups["Cluster Group"].owner, c.quorum_owner
('2-MOE', '2-MOE')
"""
from __future__ import annotations

import random
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields
from collections.abc import Iterable  # (not typing: `import labkit` stays lean)

from ..errors import (DependencyError, LimitError, NameConflictError, NotFoundError,
                      OwnershipError, QuorumError, StateError, ValidationError)
from .. import values as V
from ..sim import START, Clock, ClusterLog, EventQueue, LogEvent, parse_duration
from ..values import fold, show
from .copying import copy_cluster, copy_fields
from .extensions import Extensions
from .model import (GROUP_DEFAULTS, RESOURCE_DEFAULTS, SHARED_MONITOR, Group, GroupState,
                    Node, NodeState, Resource, ResourceState, RestartAction)
from .types import REGISTRY, CORE_TYPES, ResourceType, check_netbios_name, check_static_ip

ON, OFF, FAILED = ResourceState.ONLINE, ResourceState.OFFLINE, ResourceState.FAILED
ON_PENDING, OFF_PENDING = ResourceState.ONLINE_PENDING, ResourceState.OFFLINE_PENDING
DOWN_OR_FAILED = (OFF, FAILED)

#: Node limits per edition. Windows 2000 Advanced Server: 2 nodes; Datacenter
#: Server: 4 nodes (paper, "Windows 2000 Clustering Installation Requirements").
#: "Modern" is today's Windows Server failover clustering, for what-if experiments:
#: 64 nodes per cluster (Microsoft Learn, "Plan for Hyper-V scalability in Windows
#: Server", Failover Clusters and Hyper-V: "Nodes per cluster 64"). "Scale" is no
#: product at all: a simulation-only edition for benchmarks beyond any real cluster.
EDITIONS = {"Advanced Server": 2, "Datacenter": 4, "Modern": 64, "Scale": 1024}
#: Where each edition's node limit comes from (the LimitError's source).
EDITION_SOURCES = {"Advanced Server": "paper, Windows 2000 Clustering Installation Requirements",
                   "Datacenter": "paper, Windows 2000 Clustering Installation Requirements",
                   "Modern": "Microsoft Learn, Plan for Hyper-V scalability in Windows Server: 64 nodes per cluster",
                   "Scale": "labkit simulation-only scale edition (no real cluster runs this many nodes)"}
_EDITION_ALIASES = {"advanced server": "Advanced Server", "advanced": "Advanced Server",
                    "windows 2000 advanced server": "Advanced Server",
                    "datacenter": "Datacenter", "data center": "Datacenter",
                    "datacenter server": "Datacenter", "windows 2000 datacenter server": "Datacenter",
                    "modern": "Modern", "scale": "Scale", "simulation scale": "Scale"}

def parse_edition(edition) -> str:
    """The edition's canonical name: 'Advanced Server', 'Datacenter', 'Modern' or 'Scale'.

    >>> parse_edition("Windows 2000 Datacenter Server")
    'Datacenter'
    """
    ed = _EDITION_ALIASES.get(str.lower(str.strip(edition))) if isinstance(edition, str) else None
    if ed is None:
        raise ValidationError(f"unknown edition {show(edition)}; choose one of {', '.join(EDITIONS)}",
                              rule="clusters run Windows 2000 Advanced Server or Datacenter Server",
                              source="paper, Windows 2000 Clustering Installation Requirements")
    return ed


#: The account that performs changes unless another is chosen with ``acting_as``.
DEFAULT_ACCOUNT = "CLUSTER\\Administrator"
ALL_RIGHTS = "*"


@dataclass
class ClusterSettings:
    """Timings and choices the paper does not fix, as named, documented settings.

    - ``heartbeat_interval_ms`` / ``missed_heartbeats``: nodes send heartbeats every
      1.2 s; after 6 missed ones the node is removed in a regroup (KB 892422), so a
      crash is noticed 7.2 s after it happens.
    - ``node_join_s``: how long a starting node spends Joining before it is Up [D].
    - ``node_reboot_s``: how long a restart takes (Windows 2000 on a 2001 server) [D].
    - ``monitor_restart_s``: how soon the cluster service restarts a dead resource monitor [D].
    - ``node_failures_count``: whether a move caused by a node failure counts against
      the group's FailoverThreshold. Microsoft documents the count for resource
      failures (KB 197047); for node failures it is unconfirmed, so the default is
      not to count them [U].
    """

    heartbeat_interval_ms: int = 1200
    missed_heartbeats: int = 6
    node_join_s: float = 20.0
    node_reboot_s: float = 180.0
    monitor_restart_s: float = 1.0
    node_failures_count: bool = False

    def __setattr__(self, name, value):
        # every setting is checked when it is set (at creation too): a cluster never holds
        # a timing that would overflow the clock or could not be saved
        kind = _SETTINGS.get(name)
        if kind is None:
            raise V.Invalid([(name, "not a setting of ClusterSettings")], rule="settings are the documented ones")
        object.__setattr__(self, name, V.accept(kind, value, f"settings.{name}"))

    @property
    def detection_ms(self) -> int:
        return self.heartbeat_interval_ms * self.missed_heartbeats


_SETTINGS = V.settings_kinds()


#: Handlers of plug-in jobs, by job kind: ``handler(cluster, *args)``.
JOB_HANDLERS: dict = {}


def register_job_handler(kind: str, handler) -> None:
    """Register the handler of queued plug-in jobs of ``kind`` (for every cluster)."""
    if not isinstance(kind, str) or not kind or not callable(handler):
        raise ValidationError("a job handler needs a kind (string) and a callable")
    JOB_HANDLERS[kind] = handler


_ANNOTATED = {"str": str, "int": int, "float": (int, float), "bool": bool}
_SIGNATURES: dict = {}


def job_args_problem(kind: str, args) -> str | None:
    """Why ``args`` cannot be given to the handler of queued jobs of ``kind`` (their count
    and annotated types), or None. :meth:`Cluster.schedule` and the file loader both ask."""
    import inspect

    fn = getattr(Cluster, "_on_" + kind, None) or JOB_HANDLERS.get(kind)
    if fn not in _SIGNATURES:
        try:
            _SIGNATURES[fn] = list(inspect.signature(fn).parameters.values())[1:]  # self, or the cluster
        except (TypeError, ValueError):  # pragma: no cover - a builtin handler
            _SIGNATURES[fn] = None
    params = _SIGNATURES[fn]
    if params is None or any(p.kind is p.VAR_POSITIONAL for p in params):
        return None
    need = [p for p in params if p.default is p.empty]
    if not len(need) <= len(args) <= len(params):
        return f"a {kind} job takes {len(need)} arguments ({', '.join(p.name for p in params)}), not {len(args)}"
    for p, a in zip(params, args):
        want = _ANNOTATED.get(p.annotation if isinstance(p.annotation, str) else getattr(p.annotation, "__name__", ""))
        if want and (not isinstance(a, want) or (isinstance(a, bool) and want is not bool)):
            return f"argument {p.name} of a {kind} job is {p.annotation}, not {show(a)}"
    return None


_FIELD_NAMES: dict = {}
_enc = V.plain


@contextmanager
def _nothing():
    yield


def clean_side_of(sides, node):
    """The partition side (list) holding ``node``, or None."""
    return next((s for s in sides if node in s), None)


#: The names of the Cluster Group's own resources (besides the quorum disk).
CORE_NAMES = ("Cluster IP Address", "Cluster Name")
_RIGHTS = V.ListOf(V.NAME, name="a list of right names")
_DELAY = V.Int(0, V.MAX_DELAY_MS, name="a whole number of ms")
_JOB_ARGS = V.ListOf(V.Plain(scalar=True), name="a list of plain values")
_LOG_NODE = V.Optional(V.TEXT)
_RESTART_ACTION = V.Choice(RestartAction, rule="RestartAction is 0, 1 or 2", source="MSCS resource property")
_FAULT_KIND = V.Choice(("crash", "hang"), rule="faults are seen by LooksAlive (crash) or IsAlive (hang)")
_YEARS_100 = 100 * 365 * 86_400
_RUN_KINDS = {"seconds": V.Number(0, _YEARS_100, rule="time runs forwards (at most 100 years a run)"),
              "minutes": V.Number(0, _YEARS_100 / 60, rule="time runs forwards (at most 100 years a run)"),
              "hours": V.Number(0, _YEARS_100 / 3600, rule="time runs forwards (at most 100 years a run)")}
_MAX_EVENTS = V.Int(1, name="a positive whole number")
_PROPERTIES = V.MapOf(V.PLAIN, name="a mapping of property names to plain values")

class Cluster:
    """A Microsoft Cluster Service cluster (Windows 2000 semantics).

    ``edition`` limits the node count: "Advanced Server" 2, "Datacenter" 4,
    "Modern" 64, "Scale" (simulation only) 1,024. The first node added forms the cluster and brings the
    "Cluster Group" (cluster IP address, cluster name, quorum disk) online.

    >>> c = Cluster("TWO", ip="10.0.0.100")
    >>> c.add_node("A", ip="10.0.0.1").id, c.add_node("B", ip="10.0.0.2").id
    (1, 2)
    >>> c.add_node("C")
    Traceback (most recent call last):
    labkit.errors.LimitError: Advanced Server clusters have at most 2 nodes; TWO already has 2 [rule: edition node limit; source: paper, Windows 2000 Clustering Installation Requirements]
    """

    def __init__(self, name: str, ip: str | None = None, edition: str = "Advanced Server", *,
                 quorum_disk: str = "Disk Q:", quorum_drive: str = "Q:", seed: int = 0,
                 settings: ClusterSettings | None = None):
        name = check_netbios_name(name, "cluster name")
        if ip is not None:
            ip = check_static_ip(ip, "cluster address")
        ed = parse_edition(edition)
        quorum_disk = V.accept(V.NAME, quorum_disk, "quorum_disk")
        if fold(quorum_disk) in {fold(n) for n in CORE_NAMES}:
            raise ValidationError(f"quorum_disk {quorum_disk!r} is the name of the Cluster Group's "
                                  f"{'IP Address' if fold(quorum_disk) == fold(CORE_NAMES[0]) else 'Network Name'}; "
                                  "name the quorum Physical Disk otherwise (e.g. 'Disk Q:')",
                                  rule="the quorum resource is a Physical Disk", source="paper, Table 1")
        quorum_drive = V.check_drive(quorum_drive, "quorum_drive")
        seed = V.accept(V.SEED, seed, "seed")
        if settings is not None and not isinstance(settings, ClusterSettings):
            raise ValidationError(f"settings must be a labkit.ClusterSettings, not {show(settings)}",
                                  rule="timings are ClusterSettings")
        self.name = name.upper()
        self.ip = ip
        self.edition = ed
        self.settings = settings or ClusterSettings()
        self.seed = seed
        self.random = random.Random(seed)
        self.clock = Clock(START)
        self.queue = EventQueue()
        self.log = ClusterLog()
        self.nodes: dict[str, Node] = {}
        self.groups: dict[str, Group] = {}
        self.resources: dict[str, Resource] = {}
        self.resource_types: dict[str, ResourceType] = {t.name: t for t in CORE_TYPES}
        self.quorum_resource = quorum_disk
        self.quorum_drive = quorum_drive
        self.running = False
        self.partition_sides: list[list[str]] | None = None
        #: while partitioned: the side that won the quorum arbitration
        self.quorum_side: list[str] | None = None
        self.evicted: list[str] = []
        self.accounts: dict[str, set[str]] = {DEFAULT_ACCOUNT: {ALL_RIGHTS}}
        self.account = DEFAULT_ACCOUNT
        #: plug-in state (e.g. the Exchange organisation), by plug-in name; only what a
        #: cluster file can give back is accepted (labkit.cluster.extensions)
        self.extensions: Extensions = Extensions()
        self._next_node_id = 1
        self._dirty: dict[str, None] = {}
        self._touched: dict[str, None] = {}
        self._order_cache: dict[str, list[str]] = {}
        self._dependents: dict[str, list[str]] = {}
        self._res_seq = 0
        self._in_transaction = False
        self._claims: dict | None = None
        self._claims_size = (0, 0)
        #: case-insensitive name indexes (see _find)
        self._folded: dict = {}
        # caches of the failover path (rebuilt on demand; see _node_order, _effective, _leaving_names)
        self._node_order_cache: tuple[str, ...] | None = None
        self._owners_cache: dict[str, tuple] = {}
        self._leaving_nodes: set[str] | None = None

    # ------------------------------------------------------------------ views
    @property
    def now(self):
        """Simulated time (a ``datetime``)."""
        return self.clock.now

    @property
    def max_nodes(self) -> int:
        return EDITIONS[self.edition]

    @property
    def quorum_owner(self) -> str | None:
        """The node that owns the quorum disk (None when the cluster is stopped)."""
        r = self.resources.get(self.quorum_resource)
        if r is None or not self.running:
            return None
        return self.groups[r.group].owner

    @property
    def cluster_group(self) -> str:
        return "Cluster Group"

    def __repr__(self) -> str:
        up = sum(1 for n in self.nodes.values() if n.is_up)
        return (f"<Cluster {self.name} {self.edition}: {len(self.nodes)} nodes ({up} up), "
                f"{len(self.groups)} groups, {len(self.resources)} resources, {self.now:%Y-%m-%d %H:%M:%S}>")

    def _repr_html_(self) -> str:
        from ..hooks import html
        return html("cluster", self)

    def _group_index(self, name: str) -> int:
        if getattr(self, "_gidx", None) is None or len(self._gidx) != len(self.groups) or name not in self._gidx:
            self._gidx = {g: i for i, g in enumerate(self.groups)}
        return self._gidx[name]

    def node_ids(self) -> list[str]:
        """Node names in node-id order."""
        return list(self._node_order())

    def _node_order(self) -> tuple[str, ...]:
        """Node names in node-id order, cached until a node is added or evicted (node ids
        never change)."""
        cached = self._node_order_cache
        if cached is None or len(cached) != len(self.nodes):
            cached = self._node_order_cache = tuple(sorted(self.nodes, key=lambda n: self.nodes[n].id))
        return cached

    def groups_on(self, node: str) -> list[str]:
        """Names of the groups ``node`` owns."""
        node = self._node(node).name
        return [g.name for g in self.groups.values() if g.owner == node]

    def dependents(self, resource: str) -> list[str]:
        """Resources that depend directly on ``resource``."""
        resource = self._res(resource).name
        return list(self._dependents.get(resource, []))

    def online_order(self, group: str) -> list[str]:
        """Resource names in the order they come online: providers before dependents.

        Independent resources keep the order they were created in.
        """
        return list(self._order(self._group(group)))

    def _order(self, g: Group) -> list[str]:
        """The cached online order of a group (do not modify the list)."""
        cached = self._order_cache.get(g.name)
        if cached is not None:
            return cached
        members = list(g.resources)
        pos = {r: i for i, r in enumerate(members)}
        indeg = {r: len(self.resources[r].dependencies) for r in members}
        ready = sorted((r for r in members if indeg[r] == 0), key=pos.get)
        order = []
        import heapq
        heap = [(pos[r], r) for r in ready]
        heapq.heapify(heap)
        while heap:
            _, r = heapq.heappop(heap)
            order.append(r)
            for d in self._dependents.get(r, []):
                indeg[d] -= 1
                if indeg[d] == 0:
                    heapq.heappush(heap, (pos[d], d))
        self._order_cache[g.name] = order
        return order

    def offline_order(self, group: str) -> list[str]:
        """Resource names in the order they go offline: dependents before providers."""
        return list(reversed(self.online_order(group)))

    def effective_owners(self, group: str) -> list[str]:
        """The list the failover manager walks: preferred owners in order, then every
        other node in node-id order (KB 299631)."""
        return list(self._effective(self._group(group))[0])

    def _effective(self, g: Group) -> tuple[tuple[str, ...], dict[str, int]]:
        """The group's effective owner list and each node's first place in it, built in
        linear time and cached until the group's preferred owners or the nodes change."""
        nodes = self._node_order()
        prefs = tuple(g.preferred_owners)
        hit = self._owners_cache.get(g.name)
        if hit is not None and hit[0] is nodes and hit[1] == prefs:
            return hit[2], hit[3]
        listed = set(prefs)
        lst = tuple([n for n in prefs if n in self.nodes] + [n for n in nodes if n not in listed])
        place: dict[str, int] = {}
        for i, n in enumerate(lst):
            place.setdefault(n, i)
        self._owners_cache[g.name] = (nodes, prefs, lst, place)
        return lst, place

    def can_host(self, group: str, node: str) -> bool:
        """True when ``node`` is Up and a possible owner of every resource of ``group``."""
        g = self._group(group)
        group = g.name
        n = self._node(node)
        node = n.name
        return n.state is NodeState.UP and not n.properties.get("_leaving") and all(
            n.name in self.resources[r].possible_owners for r in g.resources)

    def failover_target(self, group: str) -> str | None:
        """Where ``group`` would go if it failed over now (None: nowhere)."""
        return self._walk(self._group(group))

    def _claims_index(self) -> dict:
        """Who holds each address, NetBIOS name and drive letter (built on demand, kept up
        to date as resources and nodes come and go)."""
        size = (len(self.nodes), len(self.resources))
        if self._claims is None or self._claims_size != size:  # rebuilt if objects came in another way
            self._claims = self._build_claims()
        self._claims_size = size
        return self._claims

    def _build_claims(self) -> dict:
        claims: dict = {}
        if self.ip:
            claims[("ip", self.ip)] = f"cluster {self.name}"
        claims[("name", self.name.upper())] = f"cluster {self.name}"
        for n in self.nodes.values():
            self._claim_node(claims, n)
        for r in self.resources.values():
            self._claim_resource(claims, r)
        return claims

    @staticmethod
    def _claim_node(claims: dict, n: Node) -> None:
        claims.setdefault(("name", n.name.upper()), f"node {n.name}")
        if n.ip:
            claims.setdefault(("ip", n.ip), f"node {n.name}")

    @staticmethod
    def _claim_resource(claims: dict, r: Resource, drop: bool = False) -> None:
        keys = []
        if r.type == "IP Address" and r.properties.get("address"):
            keys.append(("ip", r.properties["address"]))
        if r.type == "Network Name" and r.properties.get("name"):
            keys.append(("name", r.properties["name"].upper()))
        if r.type == "Physical Disk" and r.properties.get("drive"):
            keys.append(("drive", r.properties["drive"]))
        for k in keys:
            if drop:
                if claims.get(k) == f"resource {r.name!r}":
                    del claims[k]
            else:
                claims.setdefault(k, f"resource {r.name!r}")

    def who_has_address(self, address: str) -> str | None:
        """What already uses an IP address (cluster, node or IP Address resource)."""
        return self._claims_index().get(("ip", address)) if isinstance(address, str) else None

    def who_has_name(self, name: str) -> str | None:
        """What already uses a NetBIOS name (cluster, node or Network Name resource)."""
        return self._claims_index().get(("name", str.upper(name))) if isinstance(name, str) else None

    def who_has_drive(self, drive: str) -> str | None:
        """Which Physical Disk resource is mounted on a drive letter."""
        return self._claims_index().get(("drive", str.upper(drive))) if isinstance(drive, str) else None

    def is_stable(self) -> bool:
        """True when nothing is pending (no transient work left in the queue)."""
        return self.queue.transient == 0

    # --------------------------------------------------------------- lookups
    # MSCS compares the names of nodes, groups, resources and accounts case-insensitively
    # (Cluster Administrator will not create "g1" next to "G1"); the model keeps the case a
    # name was given in, for display. Every lookup by name goes through _find.
    def _find(self, table: str, name: str) -> str | None:
        """The key that ``name`` names in ``self.<table>`` (case-insensitively), or None."""
        d = getattr(self, table)
        if name in d:
            return name
        idx = self._folded.get(table)
        if idx is None or idx[0] is not d or idx[1] != len(d):
            idx = self._folded[table] = (d, len(d), {fold(k): k for k in d})
        k = idx[2].get(fold(name))
        return k if k is not None and k in d else None

    def _indexed(self, table: str, key: str, added: bool = True) -> None:
        """Keep the case-insensitive index of ``table`` up to date after adding (or
        removing) ``key``; a stale index is simply rebuilt by the next lookup."""
        d = getattr(self, table)
        idx = self._folded.get(table)
        if idx is not None and idx[0] is d and idx[1] == len(d) + (-1 if added else 1):
            if added:
                idx[2][fold(key)] = key
            else:
                idx[2].pop(fold(key), None)
            self._folded[table] = (d, len(d), idx[2])

    def _name(self, value, what: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise ValidationError(f"{what} must be a non-empty string, not {show(value)}",
                                  rule=f"{what}s are named by strings")
        return V.accept(V.NAME, value, what)

    def _lookup(self, table: str, name, what: str):
        d = getattr(self, table)
        obj = d.get(name) if type(name) is str else None   # the common case: the exact name
        if obj is None:
            key = self._find(table, self._name(name, f"{what} name"))
            obj = d[key] if key is not None else None
        return obj

    def node(self, name) -> Node:
        """The node called ``name`` (case-insensitive, as MSCS compares names).

        >>> c = Cluster("LAB"); _ = c.add_node("Node1"); c.node("NODE1").name
        'Node1'
        """
        n = self._lookup("nodes", name, "node")
        if n is None:
            extra = " (it was evicted)" if any(fold(e) == fold(name) for e in self.evicted) else ""
            raise NotFoundError(f"no node named {name!r} in cluster {self.name}{extra}",
                                rule="commands name existing nodes")
        return n

    def group(self, name) -> Group:
        """The group called ``name`` (case-insensitive)."""
        g = self._lookup("groups", name, "group")
        if g is None:
            raise NotFoundError(f"no group named {name!r}", rule="commands name existing groups")
        return g

    def resource(self, name) -> Resource:
        """The resource called ``name`` (case-insensitive)."""
        r = self._lookup("resources", name, "resource")
        if r is None:
            raise NotFoundError(f"no resource named {name!r}", rule="commands name existing resources")
        return r

    _node = node
    _group = group
    _res = resource

    def _account(self, name) -> str:
        key = self._find("accounts", self._name(name, "account name"))
        if key is None:
            raise NotFoundError(f"no account named {name!r}", rule="changes are made by a known account")
        return key

    def _node_list(self, nodes, what: str) -> list[str]:
        if isinstance(nodes, str) or not isinstance(nodes, (list, tuple)):
            raise ValidationError(f"{what} must be a list of node names, not {show(nodes)}")
        out = []
        for n in nodes:
            name = self._node(n).name
            if name in out:
                raise ValidationError(f"node {name!r} appears twice in {what}",
                                      rule=f"{what} list each node once")
            out.append(name)
        return out

    # ------------------------------------------------------------- accounts
    def add_account(self, name: str, rights: Iterable[str] = ()) -> None:
        """Add an administrator account with the given rights (e.g.
        "Exchange Full Administrator", granted by the Exchange Delegation Wizard).
        Account names compare case-insensitively, as Windows compares them."""
        name = self._name(name, "account name")
        if self._find("accounts", name) is not None:
            raise NameConflictError(f"account {name!r} exists", rule="account names are unique")
        if isinstance(rights, str) or not isinstance(rights, (list, tuple, set, frozenset)):
            raise ValidationError(f"rights must be a list of right names, not {show(rights)}")
        rights = V.accept(_RIGHTS, list(rights), "rights")
        self.accounts[name] = set(rights)
        self._indexed("accounts", name)

    def grant(self, account: str, right: str) -> None:
        """Give ``account`` a right."""
        account = self._account(account)
        right = self._name(right, "right")
        self.accounts[account].add(right)

    @contextmanager
    def acting_as(self, account: str):
        """Perform the commands in the ``with`` block as ``account``."""
        account = self._account(account)
        before, self.account = self.account, account
        try:
            yield self
        finally:
            self.account = before

    def has_right(self, right: str, account: str | None = None) -> bool:
        """Whether ``account`` (default: the acting one) holds ``right`` (an unknown account
        holds none)."""
        right = self._name(right, "right")
        key = self._find("accounts", self._name(account, "account name") if account is not None else self.account)
        rights = self.accounts.get(key, set()) if key is not None else set()
        return ALL_RIGHTS in rights or right in rights

    # ------------------------------------------------------------ plug-ins
    def install_resource_type(self, rtype: ResourceType | str) -> None:
        """Offer a registered resource type in this cluster (what an application's
        setup does when it copies its resource DLL and registers the type)."""
        t = REGISTRY.get(rtype) if isinstance(rtype, str) else rtype
        if not isinstance(t, ResourceType) or not V.NAME.ok(t.name):
            raise NotFoundError(f"no registered resource type {show(rtype)}")
        REGISTRY.setdefault(t.name, t)
        self.resource_types[t.name] = t

    def register_handler(self, kind: str, handler) -> None:
        """Let a plug-in handle queued jobs of ``kind``: ``handler(cluster, *args)``.
        Handlers are registered for every cluster (like resource types), so a saved
        cluster's queued plug-in jobs run after it is loaded."""
        register_job_handler(kind, handler)

    @property
    def handlers(self) -> dict:
        return JOB_HANDLERS

    def schedule(self, delay_ms: int, kind: str, args: tuple = (), transient: bool = True) -> None:
        """Queue a plug-in job (its handler was registered with :meth:`register_handler`).
        Its arguments are plain values (names, numbers), so a saved cluster keeps it."""
        kind = self._name(kind, "job kind")
        if kind not in JOB_HANDLERS and not hasattr(self, "_on_" + kind):
            raise NotFoundError(f"no handler for job kind {kind!r}")
        delay_ms = V.accept(_DELAY, delay_ms, "delay_ms")
        if not isinstance(args, (tuple, list)) or not isinstance(transient, bool):
            raise ValidationError("args must be a tuple and transient True or False")
        args = V.accept(_JOB_ARGS, list(args), "args")
        why = job_args_problem(kind, args)
        if why:
            raise ValidationError(why, rule="a queued job gets the arguments its handler takes")
        self._check_time(self.clock.ms + delay_ms)
        self.queue.push(self.clock.ms + delay_ms, kind, tuple(args), transient)

    def record(self, obj: str, what: str, why: str = "", node: str | None = None) -> None:
        """Append a line to the cluster log (plug-ins record what they do here). The
        texts must be text a file can hold (checked fast: exact str, and surrogates
        searched for only in non-ASCII text)."""
        for v in (obj, what, why, node):
            if not (type(v) is str and (v.isascii() or V.TEXT.ok(v))) and not (v is None and v is node):
                obj, what, why = (V.accept(V.TEXT, v, k) for v, k in ((obj, "obj"), (what, "what"), (why, "why")))
                node = V.accept(_LOG_NODE, node, "node")
        self.log.append(LogEvent(self.clock.now, node, obj, what, why))

    def _check_time(self, ms: int) -> None:
        if ms > V.MAX_CLOCK_MS + V.MAX_DELAY_MS:
            raise ValidationError(f"that would take the simulated clock past {self.clock.at(V.MAX_CLOCK_MS):%Y-%m-%d}, "
                                  "the last day labkit simulates", rule="simulated time ends before the year 9900",
                                  source="labkit.values.MAX_CLOCK_MS")

    # ------------------------------------------------------- transactions
    _STATE = ("nodes", "groups", "resources", "resource_types", "running", "partition_sides", "quorum_side",
              "evicted", "accounts", "account", "extensions", "_next_node_id", "_dependents",
              "_res_seq", "queue", "random", "settings", "ip", "edition")

    @contextmanager
    def transaction(self):
        """Run a composite command all-or-nothing: on any exception the cluster is
        restored exactly (state, queue, clock and log) and the exception re-raised."""
        if self._in_transaction:  # the outer transaction restores everything
            yield self
            return
        saved = copy_fields({k: getattr(self, k) for k in self._STATE})
        clock_ms, log_len = self.clock.ms, len(self.log)
        self._in_transaction = True
        try:
            yield self
        except BaseException:
            for k, v in saved.items():
                setattr(self, k, v)
            self.clock.ms = clock_ms
            del self.log[log_len:]
            self._dirty.clear()
            self._touched.clear()
            self._order_cache.clear()
            self._claims = None
            self._node_order_cache, self._leaving_nodes = None, None
            self._owners_cache.clear()
            raise
        finally:
            self._in_transaction = False

    def copy(self) -> "Cluster":
        """An independent copy (what-if experiments, N-k analysis); behaves exactly like a
        deep copy, several times faster (:mod:`labkit.cluster.copying`)."""
        return copy_cluster(self)

    # ================================================================ nodes
    def add_node(self, name: str, ip: str | None = None) -> Node:
        """Install the cluster service on a new node and join it (the first node forms the
        cluster and brings the Cluster Group online). Node ids follow the order added.

        An evicted node's name is refused: the paper says to rebuild a failed node under a
        new machine name (Cluster Back Up and Restore Scenarios, Scenario 1).
        """
        name = check_netbios_name(name, "node name")
        if ip is not None:
            ip = check_static_ip(ip, f"address of node {name!r}")
        if len(self.nodes) >= self.max_nodes:
            raise LimitError(
                f"{self.edition} clusters have at most {self.max_nodes} nodes; {self.name} already has "
                f"{len(self.nodes)}",
                rule="edition node limit",
                source=EDITION_SOURCES[self.edition])
        if any(fold(e) == fold(name) for e in self.evicted):
            raise NameConflictError(
                f"{name!r} was evicted from {self.name}; build the replacement under a new machine name",
                rule="a rebuilt node gets a new name",
                source="paper, Cluster Back Up and Restore Scenarios, Scenario 1")
        owner = self.who_has_name(name)
        if owner:
            raise NameConflictError(f"name {name!r} is already used by {owner}",
                                    rule="node, cluster and virtual server names are unique",
                                    source="paper, Table 10")
        if ip is not None and self.who_has_address(ip):
            raise NameConflictError(f"address {ip} is already used by {self.who_has_address(ip)}",
                                    rule="every cluster, node and service address is unique",
                                    source="paper, Table 10")
        if self.nodes and not self.running:
            raise QuorumError(f"cluster {self.name} is not running; start a node to form it before "
                              "another node can join", rule="a node joins a running cluster",
                              source="MSCS membership")
        if self.partition_sides is not None:
            raise StateError("the cluster network is partitioned; heal it before adding nodes",
                             rule="a joining node must reach every member", source="MSCS membership")
        node = Node(name=name, id=self._next_node_id, ip=ip, state=NodeState.UP)
        self._next_node_id += 1
        claims = self._claims_index()
        self.nodes[name] = node
        self._indexed("nodes", name)
        self._claim_node(claims, node)
        self._claims_size = (len(self.nodes), len(self.resources))
        if len(self.nodes) == 1:
            self.running = True
            self.record(name, "formed the cluster", f"first node; quorum disk {self.quorum_drive}", name)
            self._create_cluster_group(name)
        else:
            self.record(name, "joined the cluster", f"node id {node.id}", name)
            self._node_joined(name)
        self._settle()
        return node

    def _create_cluster_group(self, node: str) -> None:
        g = Group(name="Cluster Group", owner=node)
        self.groups[g.name] = g
        self._indexed("groups", g.name)
        specs = [(self.quorum_resource, "Physical Disk", {"drive": self.quorum_drive})]
        if self.ip:
            specs.append(("Cluster IP Address", "IP Address", {"address": self.ip}))
            specs.append(("Cluster Name", "Network Name", {"name": self.name}))
        for rname, rtype, props in specs:
            t = self.resource_types[rtype]
            # the cluster's own address and name were checked when the cluster was made
            checked = t.validate(self, rname, g.name, props) if rtype == "Physical Disk" else {**t.defaults, **props}
            r = self._new_resource(rname, t, g, [node], checked)
            r.core = True
        if self.ip:
            self._add_dep("Cluster Name", "Cluster IP Address")
        g.persistent_state = True
        for r in g.resources:
            self.resources[r].wanted = True
        self._mark(g.name)

    def _node_joined(self, name: str) -> None:
        """A node became a member: core resources follow membership; orphans find a home."""
        for r in self.resources.values():
            if r.core and name not in r.possible_owners:
                r.possible_owners.append(name)
        self._node_up(name)

    def _node_up(self, name: str) -> None:
        for g in self.groups.values():
            if g.owner is None and g.persistent_state and not g.move:
                target = self._placement(g)
                if target:
                    g.owner = target
                    g.failed = False
                    self.record(g.name, f"owner -> {target}", f"{name} is up; the group had no node", target)
                    self._mark(g.name)
        for g in self.groups.values():
            self._check_failback(g, trigger=name)

    def crash_node(self, node: str) -> None:
        """Power loss on ``node``: everything it ran stops at once; the other nodes notice
        after missing heartbeats (1.2 s x 6, KB 892422) and its groups fail over."""
        n = self._node(node)
        node = n.name
        if n.state is NodeState.DOWN:
            raise StateError(f"node {n.name} is already Down", rule="only a running node can crash")
        self._take_down(n, "crash", "power loss")
        self._settle()

    def _take_down(self, n: Node, reason: str, why: str, *, announce: bool = False) -> None:
        was = n.state
        n.state = NodeState.DOWN
        n.down_reason = reason
        n.incarnation += 1
        n.properties.pop("_leaving", None)
        self._leaving_names().discard(n.name)
        self.record(n.name, f"{was} -> Down", why, n.name)
        for g in self.groups.values():
            if g.owner != n.name:
                continue
            for rn in g.resources:
                r = self.resources[rn]
                r.restart_pending = False
                if r.state is not OFF:
                    self._set_state(r, OFF, f"stopped with its node ({why})")
            self._mark(g.name)
        alive = [m for m in self.nodes.values() if m.state is not NodeState.DOWN]
        if not alive:
            self._stop_cluster(f"no node is left running (last: {n.name})")
            return
        if announce:
            self._regroup(n.name, n.incarnation)
        else:
            n.regroup_pending = True
            self.queue.push(self.clock.ms + self.settings.detection_ms, "regroup", (n.name, n.incarnation))

    def _on_regroup(self, node: str, incarnation: int) -> None:
        n = self.nodes.get(node)
        if n is None or n.incarnation != incarnation or not n.regroup_pending:
            return
        self._regroup(node, incarnation)

    def _regroup(self, node: str, incarnation: int) -> None:
        n = self.nodes[node]
        n.regroup_pending = False
        if not self.running:
            return
        if n.down_reason == "stopped":
            why = "the node left the cluster"
        else:
            why = (f"regroup after {self.settings.missed_heartbeats} missed heartbeats "
                   f"({self.settings.detection_ms / 1000:g} s)")
        self.record(node, "removed from membership", why, None)
        mine = [g for g in self.groups.values() if g.owner == node]
        # the quorum first: the survivors must own it before anything else can move
        mine.sort(key=lambda g: 0 if self.quorum_resource in g.resources else 1)
        for g in mine:
            g.move = None
            self._failover(g, "node failure", f"{node} is down")
        self._settle()

    def start_node(self, node: str) -> None:
        """Start the cluster service on a Down node: it joins (or, when no node runs,
        forms the cluster by taking the quorum disk)."""
        n = self._node(node)
        node = n.name
        if n.state is not NodeState.DOWN:
            raise StateError(f"node {node} is {n.state}, not Down", rule="only a Down node can be started")
        if n.regroup_pending:
            raise StateError(f"the cluster has not yet noticed that {node} is down; run the clock "
                             f"({self.settings.detection_ms / 1000:g} s of missed heartbeats) first",
                             rule="a node rejoins after the regroup that removed it", source="KB 892422")
        if self.partition_sides is not None and self.running:
            if node not in self.quorum_side:
                raise QuorumError(f"{node} cannot reach the members that own the quorum disk and cannot "
                                  "take the disk itself; heal the partition first",
                                  rule="only the side that owns the quorum disk runs the cluster",
                                  source="Microsoft, Windows 2000 server cluster architecture (quorum arbitration)")
        if not self.running:
            reason = self._quorum_blocked(node)
            if reason:
                raise QuorumError(f"the cluster service cannot start on {node}: {reason}",
                                  rule="forming a cluster needs the quorum disk",
                                  source="paper, Table 1 (Quorum Resource); Cluster Back Up and Restore "
                                         "Scenarios, Scenario 2")
        self._begin_join(n, "cluster service started" if self.running else "forming the cluster")
        self._settle()

    def _quorum_blocked(self, node: str) -> str | None:
        q = self.resources.get(self.quorum_resource)
        if q is None:
            return "the cluster has no quorum resource"
        if node not in q.possible_owners:
            return f"{node} is not a possible owner of the quorum disk {q.name!r}"
        if q.persistent_fault == "everywhere" or (q.persistent_fault == "node" and q.fault_node == node):
            return f"the quorum disk {q.name!r} is corrupt or unreachable"
        return None

    def _begin_join(self, n: Node, why: str) -> None:
        n.state = NodeState.JOINING
        n.down_reason = None
        n.incarnation += 1
        self.record(n.name, "Down -> Joining", why, n.name)
        self.queue.push(self.clock.ms + int(self.settings.node_join_s * 1000), "join_done",
                        (n.name, n.incarnation))

    def _on_join_done(self, node: str, incarnation: int) -> None:
        n = self.nodes.get(node)
        if n is None or n.incarnation != incarnation or n.state is not NodeState.JOINING:
            return
        # a paused node stays paused across restarts (PauseClusterNode documentation)
        n.state = NodeState.PAUSED if n.paused else NodeState.UP
        if not self.running:
            reason = self._quorum_blocked(node)
            if reason:
                n.state = NodeState.DOWN
                n.down_reason = "stopped"
                self.record(node, "Joining -> Down", f"cannot form the cluster: {reason}", node)
                return
            self.running = True
            if self.partition_sides is not None:  # its side owns the quorum disk now
                self.quorum_side = list(clean_side_of(self.partition_sides, node))
            n.state, n.paused = NodeState.UP, False  # the forming node must host the Cluster Group
            self.record(node, "Joining -> Up", "formed the cluster with the quorum disk", node)
            for g in self.groups.values():
                g.owner = None if g.owner not in self.nodes or not self.nodes[g.owner].is_up else g.owner
        else:
            if self.partition_sides is not None and node not in self.quorum_side:
                n.state = NodeState.DOWN
                n.down_reason = "partition"
                self.record(node, "Joining -> Down", "cannot reach the nodes that own the quorum disk", node)
                return
            self.record(node, f"Joining -> {n.state.value}",
                        "joined the cluster" + (" (still paused: pause persists across restarts)"
                                                if n.paused else ""), node)
        self._node_joined(node)
        self._settle()

    def stop_node(self, node: str) -> None:
        """Stop the cluster service on ``node`` gracefully: its groups move to other nodes
        first (as in Cluster Administrator's Stop Cluster Service), then it goes Down."""
        self._leave(node, "stop")

    def restart_node(self, node: str) -> None:
        """Restart ``node`` (e.g. after installing software): its groups move away, it goes
        Down for ``settings.node_reboot_s`` and joins again."""
        self._leave(node, "restart")

    def _leave(self, node: str, how: str) -> None:
        n = self._node(node)
        node = n.name
        if n.state not in (NodeState.UP, NodeState.PAUSED):
            raise StateError(f"node {node} is {n.state}; only an Up or Paused node can be "
                             f"{'stopped' if how == 'stop' else 'restarted'}",
                             rule="the cluster service runs on Up and Paused nodes")
        if n.properties.get("_leaving"):
            raise StateError(f"node {node} is already leaving the cluster")
        n.properties["_leaving"] = how
        self._leaving_names().add(node)
        self.record(node, f"{'stopping' if how == 'stop' else 'restarting'}",
                    "moving its groups to other nodes first", node)
        for g in list(self.groups.values()):
            if g.owner == node:
                target = self._walk(g)
                if target is None:
                    continue  # nowhere to go: it stops with the node
                if self._group_active(g):
                    g.move = {"reason": "move", "target": target}
                    self._mark(g.name)
                else:
                    self._switch_owner(g, target, "node shutting down")
        self._settle()

    def _leaving_names(self) -> set[str]:
        """Names of the nodes whose cluster service is stopping or restarting (the
        ``_leaving`` node property): found once, then kept as nodes start and stop leaving,
        so that settling does not look at every node."""
        if self._leaving_nodes is None:
            self._leaving_nodes = {n.name for n in self.nodes.values() if n.properties.get("_leaving")}
        return self._leaving_nodes

    def _check_leaving(self) -> None:
        leaving = self._leaving_names()
        if not leaving:
            return
        for n in [n for n in self.nodes.values() if n.name in leaving]:
            how = n.properties.get("_leaving")
            if how and not any(g.owner == n.name and g.move for g in self.groups.values()):
                self._take_down(n, "stopped", "cluster service stopped" if how == "stop" else "restarting",
                                announce=True)
                if how == "restart":
                    self.queue.push(self.clock.ms + int(self.settings.node_reboot_s * 1000),
                                    "reboot_done", (n.name, n.incarnation))

    def _on_reboot_done(self, node: str, incarnation: int) -> None:
        n = self.nodes.get(node)
        if n is None or n.incarnation != incarnation or n.state is not NodeState.DOWN:
            return
        if not self.running:
            reason = self._quorum_blocked(node)
            if reason:
                self.record(node, "restarted", f"the cluster service could not form the cluster: {reason}", node)
                return
            self._begin_join(n, "restarted; forming the cluster")
            self._settle()
            return
        if self.partition_sides is not None and node not in self.quorum_side:
            self.record(node, "restarted", "the cluster service cannot reach the quorum side", node)
            return
        self._begin_join(n, "restarted")
        self._settle()

    def pause_node(self, node: str) -> None:
        """Pause ``node``: its groups stay, but no group can be moved or brought online there."""
        n = self._node(node)
        node = n.name
        if n.state is not NodeState.UP:
            raise StateError(f"node {node} is {n.state}; only an Up node can be paused",
                             rule="pause applies to Up nodes", source="Suspend-ClusterNode")
        n.state = NodeState.PAUSED
        n.paused = True
        self.record(node, "Up -> Paused", "paused by the administrator", node)

    def resume_node(self, node: str) -> None:
        """Resume a paused node (groups may fail back to it)."""
        n = self._node(node)
        node = n.name
        if n.state is not NodeState.PAUSED:
            raise StateError(f"node {node} is {n.state}, not Paused", rule="only a Paused node can be resumed",
                             source="Resume-ClusterNode")
        n.state = NodeState.UP
        n.paused = False
        self.record(node, "Paused -> Up", "resumed by the administrator", node)
        self._node_up(node)
        self._settle()

    def evict_node(self, node: str) -> None:
        """Evict a Down node: it leaves the configuration and every preferred and
        possible-owner list (paper, Scenario 1). Its name may not be reused."""
        n = self._node(node)
        node = n.name
        if n.state is not NodeState.DOWN:
            raise StateError(f"node {node} is {n.state}; stop its cluster service (or let it fail) "
                             "before evicting it", rule="only a Down node can be evicted",
                             source="Windows 2000 Cluster Administrator, Evict Node")
        if n.regroup_pending:
            raise StateError(f"the cluster has not yet noticed that {node} is down; run the clock first",
                             rule="evict after the regroup", source="KB 892422")
        if len(self.nodes) == 1:
            raise StateError(f"{node} is the last node of {self.name}; evicting it would destroy the "
                             "cluster", rule="a cluster keeps at least one node")
        orphans = [r.name for r in self.resources.values() if r.possible_owners == [node]]
        if orphans:
            shown = ", ".join(repr(o) for o in orphans[:5]) + (f" and {len(orphans) - 5} more" if len(orphans) > 5
                                                                else "")
            raise OwnershipError(f"{node} is the only possible owner of {shown}; evicting it would leave "
                                 f"{'it' if len(orphans) == 1 else 'them'} with none: add another possible owner "
                                 "(or delete the resource) first", rule="every resource has possible owners",
                                 source="MSCS possible owners")
        del self.nodes[node]
        self._indexed("nodes", node, added=False)
        self._claims = None
        self._node_order_cache = None
        self.evicted.append(node)
        for g in self.groups.values():
            if node in g.preferred_owners:
                g.preferred_owners.remove(node)
            if g.owner == node:
                g.owner = None
            if g.move is not None and g.move.get("target") == node:
                g.move["target"] = None
        for r in self.resources.values():
            if node in r.possible_owners:
                r.possible_owners.remove(node)
            if r.fault_node == node:      # a lasting fault on the evicted node left with it
                r.fault_node = None
                if r.persistent_fault == "node":
                    r.persistent_fault = None
        if self.partition_sides is not None:
            self.partition_sides = [[m for m in s if m != node] for s in self.partition_sides]
            if self.quorum_side is not None:
                self.quorum_side = [m for m in self.quorum_side if m != node]
        self.record(node, "evicted", "removed from every preferred and possible-owner list")
        self._settle()

    # ============================================================ partition
    def partition(self, sides) -> None:
        """Split the cluster network into ``sides`` (lists of node names covering every node).

        Windows 2000 has a single quorum disk: the side holding the quorum disk's owner
        keeps the cluster; the cluster service stops on the other nodes and their groups
        move to the survivors (Microsoft, Windows 2000 server cluster architecture: quorum arbitration).
        """
        if not self.running:
            raise StateError("the cluster is not running", rule="partition a running cluster")
        if self.partition_sides is not None:
            raise StateError("the network is already partitioned; heal() first")
        if isinstance(sides, str) or not isinstance(sides, (list, tuple)) or len(sides) < 2:
            raise ValidationError("sides must be a list of at least two lists of node names",
                                  rule="a partition has two or more sides")
        seen: list[str] = []
        clean = []
        for s in sides:
            part = self._node_list(s, "a partition side")
            if not part:
                raise ValidationError("a partition side may not be empty")
            for n in part:
                if n in seen:
                    raise ValidationError(f"node {n!r} is on two sides", rule="each node is on one side")
                seen.append(n)
            clean.append(part)
        missing = [n for n in self.node_ids() if n not in seen]
        if missing:
            raise ValidationError(f"nodes {missing} are on no side", rule="every node is on one side")
        winner = self._arbitration_winner(clean)
        self.partition_sides = clean
        self.record(self.name, "network partitioned", " | ".join(",".join(s) for s in clean))
        if winner is None:
            self._stop_cluster("no side of the partition can own the quorum disk")
            self._settle()
            return
        self.quorum_side = list(winner)
        for s in clean:
            if s is winner:
                continue
            for name in s:
                n = self.nodes[name]
                if n.state is not NodeState.DOWN:
                    self._take_down(n, "partition", f"lost quorum arbitration to {', '.join(winner)}")
        self._settle()

    def _arbitration_winner(self, sides: list[list[str]]) -> list[str] | None:
        """The side that keeps the cluster: the one holding the running quorum owner; if that
        node is itself down (its crash not yet noticed), the side whose lowest-id running node
        can take the quorum disk wins the challenge (SCSI reserve) [D]."""
        q = self.quorum_owner
        if q is not None and self.nodes[q].state is not NodeState.DOWN:
            return clean_side_of(sides, q)
        disk = self.resources[self.quorum_resource]
        live = [n for n in self.node_ids() if self.nodes[n].state is not NodeState.DOWN
                and n in disk.possible_owners]
        return clean_side_of(sides, live[0]) if live else None

    def heal(self) -> None:
        """Reconnect the network: nodes stopped by the partition rejoin."""
        if self.partition_sides is None:
            raise StateError("the network is not partitioned", rule="heal() ends a partition")
        self.partition_sides = None
        self.quorum_side = None
        self.record(self.name, "network healed", "all nodes can reach each other again")
        for n in self.nodes.values():
            if n.state is NodeState.DOWN and n.down_reason == "partition" and self.running:
                if n.regroup_pending:
                    n.regroup_pending = False
                    self._regroup(n.name, n.incarnation)
                self._begin_join(n, "network healed; rejoining")
        self._settle()

    # =============================================================== groups
    def add_group(self, name: str, preferred_owners: list[str] | None = None) -> Group:
        """Create an empty group (Add-ClusterGroup), owned by the first Up node."""
        name = self._name(name, "group name")
        if self._find("groups", name) is not None:
            raise NameConflictError(f"a group named {self._find('groups', name)!r} exists",
                                    rule="group names are unique (compared case-insensitively)")
        prefs = self._node_list(preferred_owners or [], "preferred owners")
        owner = next((n for n in self.node_ids() if self.nodes[n].is_up), None)
        g = Group(name=name, owner=owner, preferred_owners=prefs, **{
            k: v for k, v in GROUP_DEFAULTS.items()})
        self.groups[name] = g
        self._indexed("groups", name)
        self.record(name, "created", f"owner {owner}", owner)
        self._mark(name)
        self._settle()
        return g

    def delete_group(self, name: str) -> None:
        """Delete an empty group."""
        g = self._group(name)
        name = g.name
        if name == "Cluster Group":
            raise StateError("the Cluster Group holds the quorum and cannot be deleted",
                             rule="the cluster keeps its Cluster Group")
        if g.resources:
            raise StateError(f"group {name!r} still holds {len(g.resources)} resources; delete them first",
                             rule="only an empty group can be deleted")
        del self.groups[name]
        self._indexed("groups", name, added=False)
        self._order_cache.pop(name, None)
        self.record(name, "deleted", "", None)

    def set_preferred_owners(self, group: str, nodes: list[str]) -> None:
        """Set a group's ordered preferred owners (Set-ClusterOwnerNode -Group)."""
        g = self._group(group)
        group = g.name
        prefs = self._node_list(nodes, "preferred owners")
        g.preferred_owners = prefs
        self.record(group, "preferred owners set", ", ".join(prefs) or "(none)")

    def set_group_properties(self, group: str, *, failover_threshold=None, failover_period_hours=None,
                             auto_failback=None, failback_window=...) -> None:
        """Set FailoverThreshold, FailoverPeriod (hours), AutoFailbackType (True = allow)
        and the failback window ``(start_hour, end_hour)`` (may wrap midnight) or None."""
        g = self._group(group)
        group = g.name
        if failover_threshold is not None:
            failover_threshold = V.accept(V.FAILOVER_THRESHOLD, failover_threshold, "failover_threshold")
        if failover_period_hours is not None:
            failover_period_hours = V.accept(V.FAILOVER_PERIOD_HOURS, failover_period_hours, "failover_period_hours")
        if auto_failback is not None:
            if isinstance(auto_failback, str) and str.lower(auto_failback) in ("allow", "prevent"):
                auto_failback = str.lower(auto_failback) == "allow"
            if not isinstance(auto_failback, bool):
                raise ValidationError(f"auto_failback must be True/False or 'allow'/'prevent', not "
                                      f"{show(auto_failback)}", rule="AutoFailbackType is Prevent or Allow")
        if failback_window is not ... and failback_window is not None:
            failback_window = V.accept(V.FAILBACK_WINDOW, failback_window, "failback_window")
            if failback_window[0] == failback_window[1]:
                raise ValidationError("a failback window needs different start and end hours",
                                      rule="FailbackWindowStart != FailbackWindowEnd")
            failback_window = (failback_window[0], failback_window[1])
        changes = []
        if failover_threshold is not None:
            g.failover_threshold = failover_threshold
            changes.append(f"FailoverThreshold={failover_threshold}")
        if failover_period_hours is not None:
            g.failover_period_hours = failover_period_hours
            changes.append(f"FailoverPeriod={failover_period_hours} h")
        if auto_failback is not None:
            g.auto_failback = auto_failback
            changes.append(f"AutoFailback={'allow' if auto_failback else 'prevent'}")
        if failback_window is not ...:
            g.failback_window = failback_window
            changes.append("FailbackWindow=" + (f"{failback_window[0]:02d}:00-{failback_window[1]:02d}:00"
                                                 if failback_window else "any time"))
        if changes:
            self.record(group, "properties set", ", ".join(changes))

    def online_group(self, group: str, node: str | None = None) -> None:
        """Bring a group online (Start-ClusterGroup). With no node: on its current owner
        if part of it runs, else on the first eligible node of its effective list
        (preferred owners, then node-id order). A no-op on an online group."""
        g = self._group(group)
        group = g.name
        if node is not None:
            node = self._node(node).name
        self._need_running()
        if g.move:
            raise StateError(f"group {group!r} is moving; wait for it to settle (run the clock)",
                             rule="one operation on a group at a time")
        active = self._group_active(g)
        if node is None:
            if g.state is GroupState.ONLINE and g.persistent_state:
                return
            if active:
                target = g.owner
                if self.nodes[target].state is not NodeState.UP:
                    raise OwnershipError(f"group {group!r} is on {target}, which is {self.nodes[target].state}; "
                                         "nothing can be brought online there",
                                         rule="resources are brought online only on an Up node (a paused node's "
                                              "groups can be taken offline, not brought online)",
                                         source="PauseClusterNode documentation")
            else:
                target = self._placement(g)
                if target is None:
                    raise OwnershipError(
                        f"no node can host group {group!r}: a host must be Up (not paused) and a possible "
                        "owner of every resource in the group", rule="a group runs on a possible owner of all "
                        "its resources", source="KB 299631 (the failover target)")
        else:
            target = node
            if active and g.owner != node:
                raise StateError(f"group {group!r} is partly online on {g.owner}; move it instead",
                                 rule="a group has one owner at a time", source="paper, Resources and Resource Groups")
            if not active:
                self._check_host(g, node)
        self._clear_failure(g)
        if g.owner != target:
            self._switch_owner(g, target, "online requested")
        g.persistent_state = True
        for rn in g.resources:
            self.resources[rn].wanted = True
        self.record(group, "online requested", f"on {target} by {self.account}", target)
        self._mark(group)
        self._settle()

    def offline_group(self, group: str) -> None:
        """Take a group offline (Stop-ClusterGroup): dependents first."""
        g = self._group(group)
        group = g.name
        if group == "Cluster Group":
            raise StateError("the Cluster Group holds the quorum; it stays online",
                             rule="the quorum resource stays online while the cluster runs")
        if g.move:
            raise StateError(f"group {group!r} is moving; wait for it to settle",
                             rule="one operation on a group at a time")
        g.persistent_state = False
        g.failed = False
        for rn in g.resources:
            r = self.resources[rn]
            r.wanted = False
            r.restart_pending = False
            if r.state is FAILED:
                self._set_state(r, OFF, "offline requested")
        self.record(group, "offline requested", f"by {self.account}", g.owner)
        self._mark(group)
        self._settle()

    def move_group(self, group: str, node: str | None = None) -> None:
        """Move a group to ``node`` (Move-ClusterGroup): offline in reverse dependency
        order, then online in order on the new owner. With no node: the next node of
        its effective list. Refused onto a node that is not Up or is not a possible
        owner of every resource of the group."""
        g = self._group(group)
        group = g.name
        self._need_running()
        if g.move:
            raise StateError(f"group {group!r} is already moving", rule="one operation on a group at a time")
        if any(self.resources[r].state.pending for r in g.resources):
            raise StateError(f"group {group!r} is pending; wait for it to settle (run the clock)",
                             rule="one operation on a group at a time")
        if node is None:
            node = self._walk(g)
            if node is None:
                raise OwnershipError(f"no other node can host group {group!r}",
                                     rule="a group moves to an Up possible owner of all its resources",
                                     source="KB 299631 (the failover target)")
        else:
            node = self._node(node).name
        if node == g.owner:
            raise StateError(f"group {group!r} is already on {node}", rule="a move needs another node")
        self._check_host(g, node)
        self._clear_failure(g)
        self.record(group, f"move to {node} requested", f"by {self.account}", g.owner)
        if self._group_active(g):
            g.move = {"reason": "move", "target": node}
            self._mark(group)
        else:
            self._switch_owner(g, node, "moved while offline")
        self._settle()

    def _check_host(self, g: Group, node: str) -> None:
        n = self.nodes[node]
        if n.state is not NodeState.UP or n.properties.get("_leaving"):
            state = "leaving the cluster" if n.properties.get("_leaving") else str(n.state)
            raise OwnershipError(f"node {node} is {state}; groups can only go to Up nodes",
                                 rule="a group is brought online only on an Up node (not Paused, Down or Joining)",
                                 source="Microsoft, Cluster Administrator: Pause Node")
        bad = [r for r in g.resources if node not in self.resources[r].possible_owners]
        if bad:
            raise OwnershipError(f"{node} is not a possible owner of {', '.join(repr(b) for b in bad)}",
                                 rule="a group goes only to a node that is a possible owner of every resource",
                                 source="Microsoft, Cluster Administrator: Possible Owners; paper, Resource Ownership and Failover")

    def _need_running(self) -> None:
        if not self.running:
            raise QuorumError(f"cluster {self.name} is not running; start a node first",
                              rule="the cluster runs while a node owns the quorum disk")

    def _clear_failure(self, g: Group) -> None:
        """An administrator's online or move clears the failover manager's memory [D]."""
        g.failed = False
        g.failovers.clear()
        for rn in g.resources:
            r = self.resources[rn]
            r.failures.clear()
            r.restart_pending = False
            if r.state is FAILED:
                self._set_state(r, OFF, "reset by the administrator")

    # ============================================================ resources
    def add_resource(self, name: str, /, type: str, group: str, *, possible_owners: list[str] | None = None,
                     dependencies: list[str] | None = None, separate_monitor: bool = False,
                     **properties) -> Resource:
        """Create a resource in a group (Add-ClusterResource / ``cluster res /create``).

        Type properties are keywords (``address=`` for IP Address, ``name=`` for Network
        Name, ``drive=`` for Physical Disk...). Possible owners default to the nodes that
        exist now -- nodes added later are *not* added (the paper's warning in "Resource
        Ownership and Failover"). ``separate_monitor`` runs it in its own resource monitor
        (``cluster res /create /separate``). ``dependencies`` are added at creation, as
        Cluster Administrator's New Resource wizard asks for them. The resource starts Offline.
        """
        name = self._name(name, "resource name")
        if self._find("resources", name) is not None:
            raise NameConflictError(f"a resource named {self._find('resources', name)!r} exists",
                                    rule="resource names are unique (compared case-insensitively)")
        if not isinstance(type, str) or type not in self.resource_types:
            known = ", ".join(sorted(self.resource_types))
            raise NotFoundError(f"resource type {show(type)} is not installed in this cluster (installed: {known})",
                                rule="resources use a resource type installed in the cluster",
                                source="MSCS resource types")
        g = self._group(group)
        group = g.name
        t = self.resource_types[type]
        if possible_owners is None:
            owners = t.default_possible_owners(self)
        else:
            owners = self._node_list(possible_owners, "possible owners")
        if not owners:
            raise OwnershipError("a resource needs at least one possible owner; add a node first",
                                 rule="every resource has possible owners", source="MSCS possible owners")
        for n in owners:
            why = t.check_owner(self, name, n)
            if why:
                raise OwnershipError(f"{n} cannot be a possible owner of {name!r}: {why}",
                                     rule="possible owners can run the resource's type")
        if dependencies is not None:
            if isinstance(dependencies, str) or not isinstance(dependencies, (list, tuple)):
                raise ValidationError(f"dependencies must be a list of resource names, not {show(dependencies)}")
            dependencies = [self._res(p).name for p in dependencies]
            for p in dependencies:
                pr = self.resources[p]
                if pr.group != group:
                    raise DependencyError(f"{name!r} would be in group {group!r} but {p!r} is in {pr.group!r}",
                                          rule="dependencies stay inside one group",
                                          source="paper, Resources and Resource Groups; MSCS error 87")
            if len(set(dependencies)) != len(dependencies):
                raise DependencyError(f"a dependency of {name!r} is listed twice", rule="no duplicate dependencies",
                                      source="MSCS ERROR_DEPENDENCY_ALREADY_EXISTS (5003)")
        if not isinstance(separate_monitor, bool):
            raise ValidationError("separate_monitor must be True or False")
        props = V.accept(_PROPERTIES, t.validate(self, name, group, V.accept(_PROPERTIES, properties, "properties")),
                         "properties")
        t.before_create(self, name, group, props, dependencies=tuple(dependencies or ()))
        hooked = t.__class__.on_create is not ResourceType.on_create
        with (self.transaction() if hooked else _nothing()):
            r = self._new_resource(name, t, g, owners, props)
            if separate_monitor:
                r.monitor = name
            self.record(name, "created", f"{type} in group {group}; possible owners {', '.join(owners)}",
                        g.owner)
            for p in dependencies or ():
                self._add_dep(name, p)
                self.record(name, f"now depends on {p}", "", g.owner)
            t.on_create(self, r)
            self._settle()
        return r

    def _new_resource(self, name, t: ResourceType, g: Group, owners, props) -> Resource:
        r = Resource(name=name, type=t.name, group=g.name, possible_owners=list(owners),
                     properties=props, **RESOURCE_DEFAULTS)
        self._res_seq += 1
        claims = self._claims_index()
        self.resources[name] = r
        self._indexed("resources", name)
        self._claim_resource(claims, r)
        self._claims_size = (len(self.nodes), len(self.resources))
        g.resources.append(name)
        self._order_cache.pop(g.name, None)
        self._mark(g.name)
        return r

    def delete_resource(self, name: str, *, with_dependents: bool = False) -> list[str]:
        """Delete an offline resource (and, with ``with_dependents``, everything that depends
        on it). Returns the names deleted."""
        r = self._res(name)
        name = r.name
        if name == self.quorum_resource:
            raise QuorumError("the quorum resource cannot be deleted", rule="a cluster keeps its quorum resource",
                              source="paper, Table 1 (Quorum Resource)")
        if not isinstance(with_dependents, bool):
            raise ValidationError("with_dependents must be True or False")
        with_dependents = with_dependents or self.resource_types[r.type].delete_cascades
        victims = self._closure_dependents(name) if with_dependents else [name]
        if not with_dependents and self._dependents.get(name):
            raise DependencyError(f"{', '.join(self._dependents[name])} depend on {name!r}; delete them first "
                                  "or pass with_dependents=True", rule="a provider outlives its dependents")
        for v in victims:
            vr = self.resources[v]
            if vr.state not in DOWN_OR_FAILED:
                raise StateError(f"resource {v!r} is {vr.state}; take it offline before deleting it",
                                 rule="only an offline resource can be deleted",
                                 source="paper, Removing Exchange Virtual Servers and Binaries from a Cluster")
        for v in victims:
            self.resource_types[self.resources[v].type].before_delete(self, self.resources[v])
        gone = {}
        hooked = any(type(self.resource_types[self.resources[v].type]).on_delete is not ResourceType.on_delete
                     for v in victims)
        with (self.transaction() if hooked else _nothing()):
            for v in reversed(victims):  # dependents first
                claims = self._claims_index()
                vr = gone[v] = self.resources.pop(v)
                self._indexed("resources", v, added=False)
                self._claim_resource(claims, vr, drop=True)
                self._claims_size = (len(self.nodes), len(self.resources))
                g = self.groups[vr.group]
                g.resources.remove(v)
                for p in vr.dependencies:
                    lst = self._dependents.get(p)
                    if lst and v in lst:
                        lst.remove(v)
                self._dependents.pop(v, None)
                self._order_cache.pop(g.name, None)
                self.record(v, "deleted", f"by {self.account}", g.owner)
                self._mark(g.name)
            for v in reversed(victims):
                self.resource_types[gone[v].type].on_delete(self, gone[v])
            self._settle()
        return victims

    def _closure_dependents(self, name: str) -> list[str]:
        out = [name]
        i = 0
        while i < len(out):
            for d in self._dependents.get(out[i], []):
                if d not in out:
                    out.append(d)
            i += 1
        return out

    def add_dependency(self, resource: str, provider: str) -> None:
        """Make ``resource`` depend on ``provider`` (Add-ClusterResourceDependency).

        Rules: both in the same group (error 87), no duplicate (5003), no cycle (1059),
        the quorum resource depends on nothing (5069), and the dependent must be offline
        while its dependencies change (Windows 2000, error 5019).
        """
        r = self._res(resource)
        resource = r.name
        p = self._res(provider)
        provider = p.name
        if resource == provider:
            raise DependencyError(f"{resource!r} cannot depend on itself", rule="no circular dependencies",
                                  source="MSCS ERROR_CIRCULAR_DEPENDENCY (1059)")
        if r.group != p.group:
            raise DependencyError(
                f"{resource!r} is in group {r.group!r} but {provider!r} is in {p.group!r}",
                rule="dependencies stay inside one group",
                source="paper, Resources and Resource Groups; MSCS error 87")
        if provider in r.dependencies:
            raise DependencyError(f"{resource!r} already depends on {provider!r}", rule="no duplicate dependencies",
                                  source="MSCS ERROR_DEPENDENCY_ALREADY_EXISTS (5003)")
        if resource == self.quorum_resource:
            raise QuorumError(f"the quorum resource {resource!r} may not depend on other resources",
                              rule="the quorum resource has no dependencies",
                              source="MSCS ERROR_DEPENDENCY_NOT_ALLOWED (5069)")
        if self._depends_on(provider, resource):
            raise DependencyError(f"{provider!r} already depends (directly or not) on {resource!r}",
                                  rule="no circular dependencies", source="MSCS ERROR_CIRCULAR_DEPENDENCY (1059)")
        if r.state is not OFF and r.state is not FAILED:
            raise StateError(f"{resource!r} is {r.state}; take it offline before changing its dependencies",
                             rule="dependencies change only while the dependent is offline",
                             source="Windows 2000 MSCS, error 5019 (resource online)")
        self._add_dep(resource, provider)
        self.record(resource, f"now depends on {provider}", "", self.groups[r.group].owner)
        self._mark(r.group)
        self._settle()

    def _depends_on(self, a: str, b: str) -> bool:
        """True when ``a`` depends on ``b`` directly or indirectly."""
        stack, seen = [a], set()
        while stack:
            x = stack.pop()
            for p in self.resources[x].dependencies:
                if p == b:
                    return True
                if p not in seen:
                    seen.add(p)
                    stack.append(p)
        return False

    def _add_dep(self, resource: str, provider: str) -> None:
        self.resources[resource].dependencies.append(provider)
        self._dependents.setdefault(provider, []).append(resource)
        self._order_cache.pop(self.resources[resource].group, None)

    def remove_dependency(self, resource: str, provider: str) -> None:
        """Remove a dependency (the dependent must be offline)."""
        r = self._res(resource)
        resource = r.name
        provider = self._res(provider).name
        if provider not in r.dependencies:
            raise DependencyError(f"{resource!r} does not depend on {provider!r}",
                                  rule="remove an existing dependency")
        self.resource_types[r.type].before_remove_dependency(self, r, provider)
        if r.state is not OFF and r.state is not FAILED:
            raise StateError(f"{resource!r} is {r.state}; take it offline first",
                             rule="dependencies change only while the dependent is offline",
                             source="Windows 2000 MSCS, error 5019 (resource online)")
        r.dependencies.remove(provider)
        self._dependents[provider].remove(resource)
        self._order_cache.pop(r.group, None)
        self.record(resource, f"no longer depends on {provider}", "")
        self._mark(r.group)
        self._settle()

    def set_possible_owners(self, resource: str, nodes: list[str]) -> None:
        """Set the nodes that may host ``resource`` (Set-ClusterOwnerNode -Resource)."""
        r = self._res(resource)
        resource = r.name
        owners = self._node_list(nodes, "possible owners")
        for n in owners:
            why = self.resource_types[r.type].check_owner(self, resource, n) if n not in r.possible_owners else None
            if why:
                raise OwnershipError(f"{n} cannot be a possible owner of {resource!r}: {why}",
                                     rule="possible owners can run the resource's type")
        if not owners:
            raise OwnershipError("a resource needs at least one possible owner",
                                 rule="every resource has possible owners", source="MSCS possible owners")
        if r.state is not OFF and r.node not in owners:
            raise OwnershipError(f"{resource!r} runs on {r.node}; move its group before removing that node",
                                 rule="a running resource stays on a possible owner")
        r.possible_owners = sorted(owners, key=lambda n: self.nodes[n].id)
        self.record(resource, "possible owners set", ", ".join(r.possible_owners))

    def add_possible_owner(self, resource: str, node: str) -> None:
        """Add one node to a resource's possible owners (``cluster res R /addowner:N``)."""
        r = self._res(resource)
        resource = r.name
        node = self._node(node).name
        if node in r.possible_owners:
            raise OwnershipError(f"{node} is already a possible owner of {resource!r}",
                                 rule="possible owners list each node once")
        self.set_possible_owners(resource, r.possible_owners + [node])

    def remove_possible_owner(self, resource: str, node: str) -> None:
        """Remove one node from a resource's possible owners (``/removeowner``)."""
        r = self._res(resource)
        resource = r.name
        node = self._node(node).name
        if node not in r.possible_owners:
            raise OwnershipError(f"{node} is not a possible owner of {resource!r}")
        self.set_possible_owners(resource, [n for n in r.possible_owners if n != node])

    def set_resource_properties(self, resource: str, *, restart_action=None, restart_threshold=None,
                                restart_period_s=None, looks_alive_ms=None, is_alive_ms=None,
                                pending_timeout_ms=None, separate_monitor=None) -> None:
        """Set a resource's common properties (Windows 2000 defaults: restart_notify,
        RestartThreshold 3 in RestartPeriod 900 s, LooksAlive 5,000 ms, IsAlive 60,000 ms,
        PendingTimeout 180,000 ms)."""
        r = self._res(resource)
        resource = r.name
        if restart_action is not None:
            restart_action = V.accept(_RESTART_ACTION, restart_action, "restart_action")
        checks = {"restart_threshold": (restart_threshold, V.RESTART_THRESHOLD),
                  "restart_period_s": (restart_period_s, V.RESTART_PERIOD_S),
                  "looks_alive_ms": (looks_alive_ms, V.POLL_MS), "is_alive_ms": (is_alive_ms, V.POLL_MS),
                  "pending_timeout_ms": (pending_timeout_ms, V.POLL_MS)}
        checks = {key: (None if val is None else V.accept(kind, val, key), kind) for key, (val, kind) in checks.items()}
        if separate_monitor is not None and not isinstance(separate_monitor, bool):
            raise ValidationError("separate_monitor must be True or False")
        if separate_monitor is not None and r.state is not OFF and r.state is not FAILED:
            raise StateError(f"{resource!r} is {r.state}; take it offline to change its resource monitor",
                             rule="a resource changes monitor while offline")
        changes = []
        if restart_action is not None:
            r.restart_action = restart_action
            changes.append(f"RestartAction={restart_action.value}")
        for key, (val, _) in checks.items():
            if val is not None:
                setattr(r, key, val)
                changes.append(f"{key}={val}")
        if separate_monitor is not None:
            r.monitor = resource if separate_monitor else SHARED_MONITOR
            changes.append(f"monitor={r.monitor}")
        if changes:
            self.record(resource, "properties set", ", ".join(changes))

    def set_monitor(self, resource: str, monitor: str) -> None:
        """Put a resource in a named resource monitor process (plug-ins use this to give
        each Exchange virtual server its own monitor, paper, The Resource Monitor)."""
        r = self._res(resource)
        resource = r.name
        monitor = self._name(monitor, "monitor name")
        if r.state is not OFF and r.state is not FAILED:
            raise StateError(f"{resource!r} is {r.state}; take it offline to change its resource monitor",
                             rule="a resource changes monitor while offline")
        r.monitor = monitor

    def online_resource(self, resource: str) -> None:
        """Bring one resource online, with the resources it depends on, on its group's owner."""
        r = self._res(resource)
        resource = r.name
        g = self.groups[r.group]
        self._need_running()
        if g.move:
            raise StateError(f"group {g.name!r} is moving; wait for it to settle")
        if g.owner is None or self.nodes[g.owner].state is not NodeState.UP:
            raise OwnershipError(f"group {g.name!r} is on {g.owner or 'no node'}, which is not Up; nothing can be "
                                 "brought online there",
                                 rule="resources are brought online only on an Up node (a paused node's groups "
                                      "can be taken offline, not brought online)",
                                 source="PauseClusterNode documentation")
        need = [resource] + self._providers_closure(resource)
        for n in need:
            if g.owner not in self.resources[n].possible_owners:
                raise OwnershipError(f"{g.owner} is not a possible owner of {n!r}",
                                     rule="a resource comes online only on a possible owner")
        for n in need:
            x = self.resources[n]
            x.wanted = True
            x.failures.clear()
            if x.state is FAILED:
                x.restart_pending = False
                self._set_state(x, OFF, "reset by the administrator")
        g.failed = False
        g.persistent_state = True
        self.record(resource, "online requested", f"by {self.account}", g.owner)
        self._mark(g.name)
        self._settle()

    def _providers_closure(self, name: str) -> list[str]:
        out: list[str] = []
        stack = list(self.resources[name].dependencies)
        while stack:
            p = stack.pop(0)
            if p not in out:
                out.append(p)
                stack.extend(self.resources[p].dependencies)
        return out

    def offline_resource(self, resource: str) -> None:
        """Take one resource offline, after the resources that depend on it."""
        r = self._res(resource)
        resource = r.name
        if resource == self.quorum_resource:
            raise QuorumError("the quorum resource stays online while the cluster runs",
                              rule="the quorum resource stays online")
        g = self.groups[r.group]
        if g.move:
            raise StateError(f"group {g.name!r} is moving; wait for it to settle")
        for n in self._closure_dependents(resource):
            x = self.resources[n]
            x.wanted = False
            x.restart_pending = False
            if x.state is FAILED:
                self._set_state(x, OFF, "offline requested")
        self.record(resource, "offline requested", f"by {self.account}", g.owner)
        self._mark(g.name)
        self._settle()

    # ================================================================ faults
    def fail_resource(self, resource: str) -> None:
        """Make an online resource fail now (Test-ClusterResourceFailure, ``cluster res /fail``).

        The fault is transient: a restart in place succeeds."""
        r = self._res(resource)
        resource = r.name
        if r.state is not ON:
            raise StateError(f"resource {resource!r} is {r.state}; only an Online resource can be failed",
                             rule="Test-ClusterResourceFailure acts on online resources")
        self._fail(r, "failure simulated by the administrator (Test-ClusterResourceFailure)")
        self._settle()

    def inject_fault(self, resource: str, kind: str = "crash", *, persistent: bool = False,
                     everywhere: bool = False) -> None:
        """Break an online resource; the resource monitor finds out at its next health poll.

        ``kind="crash"``: the process died -- the next LooksAlive poll (every
        ``looks_alive_ms``) notices, IsAlive confirms at once. ``kind="hang"``: it still
        looks alive -- only the next thorough IsAlive poll (every ``is_alive_ms``) finds it.
        ``persistent``: online attempts on this node keep failing (``everywhere``: on every
        node, e.g. a corrupt database) until :meth:`repair_resource`.
        """
        r = self._res(resource)
        resource = r.name
        if not _FAULT_KIND.ok(kind):
            raise ValidationError(f"kind must be 'crash' or 'hang', not {show(kind)}",
                                  rule="faults are seen by LooksAlive (crash) or IsAlive (hang)")
        kind = _FAULT_KIND.check(kind)
        if not isinstance(persistent, bool) or not isinstance(everywhere, bool):
            raise ValidationError("persistent and everywhere are True or False")
        if r.state is not ON:
            raise StateError(f"resource {resource!r} is {r.state}; faults are injected into Online resources",
                             rule="health polls watch online resources")
        interval = r.looks_alive_ms if kind == "crash" else r.is_alive_ms
        since = r.online_since_ms if r.online_since_ms is not None else self.clock.ms
        ticks = (self.clock.ms - since) // interval + 1
        at = since + ticks * interval
        r.fault = kind
        if persistent or everywhere:
            r.persistent_fault = "everywhere" if everywhere else "node"
            r.fault_node = r.node
        self.queue.push(at, "detect_fault", (r.name, r.gen))
        poll = "LooksAlive" if kind == "crash" else "IsAlive"
        lasting = "" if not r.persistent_fault else f"; lasting ({r.persistent_fault})"
        self.record(resource, f"fault injected ({kind}{lasting})",
                    f"the next {poll} poll is at {self.clock.at(at):%H:%M:%S}", r.node)

    def repair_resource(self, resource: str) -> None:
        """Clear a lasting fault (the disk replaced, the database restored...)."""
        r = self._res(resource)
        resource = r.name
        if not r.persistent_fault and not r.fault:
            raise StateError(f"resource {resource!r} has no fault to repair")
        r.persistent_fault = r.fault_node = None
        r.fault = None
        self.record(resource, "repaired", f"by {self.account}", r.node)

    def crash_resource_monitor(self, resource: str) -> list[str]:
        """A resource DLL crashes or hangs inside its resource monitor process: that monitor
        dies, every resource it hosts on that node fails -- and nothing else; the cluster
        service starts a new monitor (paper, The Resource Monitor). Returns the failed names."""
        r = self._res(resource)
        resource = r.name
        if r.state in DOWN_OR_FAILED or r.node is None:
            raise StateError(f"resource {resource!r} is {r.state}; it is not loaded in a monitor",
                             rule="a resource monitor hosts running resources")
        node, mon = r.node, r.monitor
        victims = [x for x in self.resources.values()
                   if x.node == node and x.monitor == mon and x.state not in DOWN_OR_FAILED]
        self.record(f"monitor {mon}", "resource monitor terminated",
                    f"the DLL of {resource!r} crashed; {len(victims)} resources lose their monitor", node)
        for x in victims:
            self._fail(x, f"its resource monitor ({mon}) terminated")
        self.record(f"monitor {mon}", "resource monitor restarted", "by the cluster service", node)
        self._settle()
        return [x.name for x in victims]

    # ================================================================== time
    def run(self, seconds: float = 0, minutes: float = 0, hours: float = 0, *, duration: str | None = None) -> None:
        """Advance simulated time, handling everything that falls due. A run is at most 100
        simulated years, and the clock stops before the year 9900."""
        for k, v in (("seconds", seconds), ("minutes", minutes), ("hours", hours)):
            if not V.Number(0).ok(v):
                raise ValidationError(f"durations are numbers >= 0, not {show(v)}", rule="time runs forwards")
            if not _RUN_KINDS[k].ok(v):
                raise ValidationError("runs are limited to 100 simulated years", rule="bounded runs")
        seconds, minutes, hours = (V.exact(v) for v in (seconds, minutes, hours))
        ms = int(round(seconds * 1000 + minutes * 60_000 + hours * 3_600_000))
        if duration is not None:
            ms += parse_duration(duration)
        if ms > V.MAX_DELAY_MS:
            raise ValidationError("runs are limited to 100 simulated years", rule="bounded runs")
        end = self.clock.ms + ms
        if end > V.MAX_CLOCK_MS:
            last = self.clock.at(V.MAX_CLOCK_MS)
            raise ValidationError(f"the run would take the simulated clock past {last:%Y-%m-%d} (it is "
                                  f"{self.now:%Y-%m-%d} now), the last day labkit simulates",
                                  rule="simulated time ends before the year 9900", source="labkit.values.MAX_CLOCK_MS")
        while True:
            job = self.queue.peek()
            if job is None or job.at_ms > end:
                break
            self._dispatch(self.queue.pop())
        self.clock.advance_to(end)

    def run_until_stable(self, max_events: int | None = None) -> None:
        """Handle queued work in time order until nothing is pending. Appointments
        (a failback window opening tonight) that fall after the last pending work stay
        queued for :meth:`run`. With ``max_events``: all or nothing -- if the cluster is
        still not stable after that many events, a LimitError and the cluster is as before."""
        if max_events is None:
            self._run_until_stable(1_000_000)
            return
        max_events = V.accept(_MAX_EVENTS, max_events, "max_events")
        with self.transaction():
            self._run_until_stable(max_events)

    def _run_until_stable(self, max_events: int) -> None:
        handled = 0
        while self.queue.transient:
            if handled >= max_events:
                raise LimitError(f"still not stable after {max_events} events",
                                 rule="run_until_stable has a bound")
            job = self.queue.peek()
            if job.at_ms > V.MAX_CLOCK_MS:
                raise LimitError("the queued work falls after the last day labkit simulates",
                                 rule="simulated time ends before the year 9900", source="labkit.values.MAX_CLOCK_MS")
            self._dispatch(self.queue.pop())
            handled += 1

    def _dispatch(self, job) -> None:
        self.clock.advance_to(max(self.clock.ms, job.at_ms))
        handler = getattr(self, "_on_" + job.kind, None)
        if handler is not None:
            handler(*job.args)
        elif job.kind in JOB_HANDLERS:
            JOB_HANDLERS[job.kind](self, *job.args)
            self._settle()
        else:  # pragma: no cover - plug-in not loaded
            raise NotFoundError(f"no handler for queued job {job.kind!r}; load the plug-in that made it")

    # ======================================================= failover engine
    def _mark(self, group: str) -> None:
        self._dirty[group] = None
        self._touched[group] = None

    def _set_state(self, r: Resource, state: ResourceState, why: str) -> None:
        old = r.state
        node = r.node
        r.state = state
        r.gen += 1
        r.online_veto = None
        if state is OFF:
            r.node = None
            r.online_since_ms = None
        if state is not ON:
            r.fault = None
        self.log.append(LogEvent(self.clock.now, node, r.name, f"{old.value} -> {state.value}", why))
        self._mark(r.group)

    def _start_online(self, r: Resource, node: str, why: str) -> None:
        r.node = node
        r.restart_pending = False
        self._set_state(r, ON_PENDING, why)
        t = self.resource_types[r.type]
        ms = int(round(t.online_time_s(self, r, node) * 1000))
        # the type's veto is asked when the attempt starts, so resources starting together
        # cannot both pass a limit (the first to start reserves its share); the attempt
        # still takes its time before it fails
        veto = t.can_online(self, r, node)
        if veto:
            r.online_veto = veto
            self.queue.push(self.clock.ms + min(ms, r.pending_timeout_ms), "online_refused", (r.name, r.gen))
        elif ms > r.pending_timeout_ms:
            self.queue.push(self.clock.ms + r.pending_timeout_ms, "pending_timeout", (r.name, r.gen))
        else:
            self.queue.push(self.clock.ms + ms, "online_done", (r.name, r.gen))

    def _start_offline(self, r: Resource, why: str) -> None:
        self._set_state(r, OFF_PENDING, why)
        t = self.resource_types[r.type]
        ms = int(round(t.offline_time_s(self, r, r.node) * 1000))
        self.queue.push(self.clock.ms + ms, "offline_done", (r.name, r.gen))

    def _on_online_done(self, name: str, gen: int) -> None:
        r = self.resources.get(name)
        if r is None or r.gen != gen or r.state is not ON_PENDING:
            return
        node = r.node
        reason = None
        if r.persistent_fault == "everywhere" or (r.persistent_fault == "node" and r.fault_node == node):
            reason = "online failed: the resource is broken" + (" on every node" if r.persistent_fault ==
                                                               "everywhere" else f" on {node}")
        self._finish_online(r, reason)

    def _on_online_refused(self, name: str, gen: int) -> None:
        r = self.resources.get(name)
        if r is None or r.gen != gen or r.state is not ON_PENDING:
            return
        self._finish_online(r, f"online failed: {r.online_veto}")

    def _finish_online(self, r: Resource, reason: str | None) -> None:
        name = r.name
        if reason:
            if name == self.quorum_resource:
                self._set_state(r, FAILED, reason)
                self._stop_cluster(f"the quorum resource {name!r} cannot come online ({reason})")
                self._settle()
                return
            self._fail(r, reason)
        else:
            r.online_since_ms = self.clock.ms
            self._set_state(r, ON, "online completed")
        self._settle()

    def _on_pending_timeout(self, name: str, gen: int) -> None:
        r = self.resources.get(name)
        if r is None or r.gen != gen or r.state is not ON_PENDING:
            return
        why = f"PendingTimeout ({r.pending_timeout_ms / 1000:g} s) expired; the resource was terminated"
        if name == self.quorum_resource:
            self._set_state(r, FAILED, why)
            self._stop_cluster(f"the quorum resource {name!r} cannot come online")
            self._settle()
            return
        self._fail(r, why)
        self._settle()

    def _on_offline_done(self, name: str, gen: int) -> None:
        r = self.resources.get(name)
        if r is None or r.gen != gen or r.state is not OFF_PENDING:
            return
        self._set_state(r, OFF, "offline completed")
        self._settle()

    def _on_detect_fault(self, name: str, gen: int) -> None:
        r = self.resources.get(name)
        if r is None or r.gen != gen or r.state is not ON or not r.fault:
            return
        if r.fault == "crash":
            why = "LooksAlive poll failed; IsAlive confirmed the failure"
        else:
            why = "IsAlive poll failed (LooksAlive had not noticed)"
        self._fail(r, why)
        self._settle()

    def _fail(self, r: Resource, why: str) -> None:
        """A resource failed: record it, then restart in place or fail the group over."""
        if r.state is FAILED or r.state is OFF:  # already down (e.g. stopped by a failed provider)
            return
        self._set_state(r, FAILED, why)
        # its dependents stop at once (they cannot run without it) and come back after a restart
        for d in self._closure_dependents(r.name)[1:]:
            dr = self.resources[d]
            if dr.state is ON:
                self._start_offline(dr, f"provider {r.name!r} failed")
            elif dr.state is ON_PENDING:
                self._set_state(dr, OFF, f"online cancelled: provider {r.name!r} failed")
        g = self.groups[r.group]
        if g.move is not None or not r.wanted:
            return
        now = self.clock.ms
        period = r.restart_period_s * 1000
        r.failures = [t for t in r.failures if now - t < period] + [now]
        if r.restart_action is RestartAction.DONT_RESTART:
            self.record(r.name, "left failed", "RestartAction is dont_restart", r.node)
            return
        count = len(r.failures)
        if count <= r.restart_threshold:
            r.restart_pending = True
            self.record(r.name, "restart in place",
                        f"failure {count} of RestartThreshold {r.restart_threshold} in "
                        f"{r.restart_period_s} s; dependents go offline first", r.node)
        elif r.restart_action is RestartAction.RESTART_NOTIFY:
            self.record(r.name, "restart threshold exceeded",
                        f"{count} failures in {r.restart_period_s} s; the group fails over", r.node)
            self._failover(g, "failover", f"{r.name!r} exceeded its restart threshold")
        else:
            self.record(r.name, "restart threshold exceeded",
                        "RestartAction is restart_no_notify: left failed, the group stays", r.node)

    def _failover(self, g: Group, reason: str, why: str) -> None:
        counts = reason == "failover" or (reason == "node failure" and self.settings.node_failures_count)
        if counts:
            now = self.clock.ms
            period = int(g.failover_period_hours * 3_600_000)
            g.failovers = [t for t in g.failovers if now - t < period]
            if len(g.failovers) >= g.failover_threshold:
                self._give_up(g, f"FailoverThreshold exceeded: this would be failover {len(g.failovers) + 1} in "
                                 f"{g.failover_period_hours:g} h, above the threshold of {g.failover_threshold}")
                return
            g.failovers.append(now)
        for rn in g.resources:
            self.resources[rn].restart_pending = False
        g.move = {"reason": reason, "target": None, "why": why}
        self.record(g.name, "failing over" if reason != "node failure" else "failing over (node failure)",
                    why, g.owner)
        self._mark(g.name)

    def _give_up(self, g: Group, why: str) -> None:
        g.failed = True
        g.move = None
        for rn in g.resources:
            r = self.resources[rn]
            r.wanted = False
            r.restart_pending = False
        self.record(g.name, "left failed and offline", why, g.owner)
        self._mark(g.name)
        if self.quorum_resource in g.resources:
            self._stop_cluster(f"the group holding the quorum resource failed ({why})")

    def _group_active(self, g: Group) -> bool:
        return any(self.resources[r].state is not OFF for r in g.resources)

    def _eligible(self, g: Group, node: str) -> bool:
        n = self.nodes.get(node)
        if n is None or n.state is not NodeState.UP or n.properties.get("_leaving"):
            return False
        if self.partition_sides is not None and node not in self.quorum_side:
            return False
        return all(node in self.resources[r].possible_owners for r in g.resources)

    def _walk(self, g: Group) -> str | None:
        """Next eligible node after the current owner in the effective list, wrapping;
        the current owner itself comes last (KB 299631)."""
        lst, place = self._effective(g)
        if not lst:
            return None
        start = place.get(g.owner, -1)
        n = len(lst)
        for i in range(1, n + 1):
            cand = lst[(start + i) % n]
            if self._eligible(g, cand):
                return cand
        return None

    def _placement(self, g: Group) -> str | None:
        """First eligible node of the effective list, from the top."""
        for cand in self._effective(g)[0]:
            if self._eligible(g, cand):
                return cand
        return None

    def _switch_owner(self, g: Group, target: str | None, why: str) -> None:
        old = g.owner
        g.owner = target
        self.record(g.name, f"owner {old or '(none)'} -> {target or '(none)'}", why, target)
        self._mark(g.name)

    def _complete_move(self, g: Group) -> None:
        move = g.move
        g.move = None
        reason = move["reason"]
        target = move.get("target")
        if target is None or not self._eligible(g, target):
            target = self._walk(g) if reason != "failback" else None
        for rn in g.resources:
            r = self.resources[rn]
            r.failures.clear()
            r.restart_pending = False
            if r.state is FAILED:
                self._set_state(r, OFF, f"reset for the {reason}")
        if target is None:
            owner_alive = g.owner in self.nodes and self.nodes[g.owner].state in (NodeState.UP, NodeState.PAUSED) \
                and not self.nodes[g.owner].properties.get("_leaving")
            if reason == "failback":
                self.record(g.name, "failback abandoned", "the preferred node is no longer available", g.owner)
            else:
                if not owner_alive:
                    self._switch_owner(g, None, "no node can host the group")
                g.failed = g.persistent_state
                self.record(g.name, "no node available",
                            "no Up node is a possible owner of every resource; the group stays offline", g.owner)
                if self.quorum_resource in g.resources:
                    self._stop_cluster("no node can take over the quorum disk")
            return
        verb = {"failover": "failed over", "node failure": "failed over", "move": "moved",
                "failback": "failed back"}[reason]
        if target != g.owner:
            self._switch_owner(g, target, f"{verb}: {move.get('why', reason)}")
        else:
            self.record(g.name, "restarting on the same node", "no other node is eligible", target)
            self._mark(g.name)

    def _advance(self, g: Group) -> None:
        """Drive the group's resources one step towards what is wanted."""
        res = self.resources
        if g.move is not None:
            busy = False
            for rn in reversed(self._order(g)):
                r = res[rn]
                if r.state is ON:
                    busy = True
                    if all(res[d].state in DOWN_OR_FAILED for d in self._dependents.get(rn, ())):
                        self._start_offline(r, f"group {g.move['reason']}")
                elif r.state is ON_PENDING:
                    self._set_state(r, OFF, f"online cancelled: group {g.move['reason']}")
                elif r.state is OFF_PENDING:
                    busy = True
            if not busy:
                self._complete_move(g)
            return
        owner = g.owner
        node = self.nodes.get(owner) if owner else None
        alive = node is not None and node.state in (NodeState.UP, NodeState.PAUSED)
        order = self._order(g)
        down: dict[str, bool] = {}
        for rn in order:  # providers first, so their verdict is known
            r = res[rn]
            down[rn] = (not r.wanted or not alive or any(down[p] or res[p].state is not ON
                                                         for p in r.dependencies))
        for rn in reversed(order):
            r = res[rn]
            if r.state is ON and down[rn] and all(res[d].state in DOWN_OR_FAILED
                                                   for d in self._dependents.get(rn, ())):
                self._start_offline(r, "its provider is not online" if r.wanted else "offline requested")
        if not alive:
            return
        for rn in order:
            r = res[rn]
            if owner not in r.possible_owners:
                continue
            deps_online = all(res[p].state is ON for p in r.dependencies)
            if r.state is FAILED and r.restart_pending and r.wanted and deps_online:
                if all(res[d].state in DOWN_OR_FAILED for d in self._dependents.get(rn, ())):
                    self._start_online(r, owner, "restarting in place")
            elif r.state is OFF and r.wanted and deps_online and not g.failed:
                self._start_online(r, owner, "bringing online")

    def _settle(self) -> None:
        """Advance dirty groups until nothing more can move, then log group state changes."""
        guard = 0
        while self._dirty:
            name = next(iter(self._dirty))
            del self._dirty[name]
            g = self.groups.get(name)
            if g is not None:
                self._advance(g)
            guard += 1
            if guard > 10_000_000:  # pragma: no cover
                raise RuntimeError("settle did not converge")
        touched, self._touched = self._touched, {}
        for name in touched:
            g = self.groups.get(name)
            if g is None:
                continue
            new = self._compute_state(g)
            if new is not g.state:
                old = g.state
                g.state = new
                self.log.append(LogEvent(self.clock.now, g.owner, name, f"group {old} -> {new}", ""))
                if old is GroupState.ONLINE:
                    g.outages.append([self.clock.ms, None])
                elif new is GroupState.ONLINE and g.outages and g.outages[-1][1] is None:
                    g.outages[-1][1] = self.clock.ms
        self._check_leaving()
        if self._dirty:
            self._settle()

    def _compute_state(self, g: Group) -> GroupState:
        if not g.resources:
            owner_ok = g.owner is not None and self.nodes[g.owner].state in (NodeState.UP, NodeState.PAUSED)
            if g.failed:
                return GroupState.FAILED
            return GroupState.ONLINE if (g.persistent_state and owner_ok) else GroupState.OFFLINE
        states = [self.resources[r].state for r in g.resources]
        if g.move is not None or any(s.pending for s in states):
            return GroupState.PENDING
        if FAILED in states:
            return GroupState.FAILED
        if all(s is ON for s in states):
            return GroupState.ONLINE
        if all(s is OFF for s in states):
            return GroupState.FAILED if g.failed else GroupState.OFFLINE
        return GroupState.PARTIAL_ONLINE

    # ------------------------------------------------------------- failback
    def _window_open(self, g: Group) -> bool:
        if g.failback_window is None:
            return True
        start, end = g.failback_window
        h = self.clock.now.hour
        return start <= h < end if start < end else (h >= start or h < end)

    def _failback_target(self, g: Group) -> str | None:
        if not (g.auto_failback and g.persistent_state and not g.failed and g.move is None
                and g.preferred_owners and g.owner is not None):
            return None
        if g.state not in (GroupState.ONLINE, GroupState.PARTIAL_ONLINE):
            return None
        best = next((n for n in g.preferred_owners if self._eligible(g, n)), None)
        if best is None or best == g.owner:
            return None
        rank = {n: i for i, n in enumerate(g.preferred_owners)}
        if g.owner in rank and rank[g.owner] <= rank[best]:
            return None
        return best

    def _check_failback(self, g: Group, trigger: str | None = None) -> None:
        best = self._failback_target(g)
        if best is None:
            return
        if self._window_open(g):
            g.move = {"reason": "failback", "target": best,
                      "why": f"{best} is a more preferred owner and is up"}
            self.record(g.name, f"failback to {best}", "AutoFailback allow" + (
                f"; window {g.failback_window[0]:02d}-{g.failback_window[1]:02d} h is open" if g.failback_window
                else ""), g.owner)
            self._mark(g.name)
        else:
            start = g.failback_window[0]
            now = self.clock.now
            days = 0 if now.hour < start else 1
            opening = now.replace(hour=start, minute=0, second=0, microsecond=0)
            from datetime import timedelta
            opening += timedelta(days=days)
            at = self.clock.ms + int((opening - now).total_seconds() * 1000)
            if not any(j.kind == "failback_window" and j.args == (g.name,) for j in self.queue._heap):
                self.queue.push(at, "failback_window", (g.name,), transient=False)
                self.record(g.name, "failback deferred",
                            f"window {start:02d}-{g.failback_window[1]:02d} h opens at {opening:%H:%M}", g.owner)

    def _on_failback_window(self, group: str) -> None:
        g = self.groups.get(group)
        if g is not None:
            self._check_failback(g)
            self._settle()

    # ================================================================ quorum
    def _stop_cluster(self, why: str) -> None:
        if not self.running:
            return
        self.running = False
        self.record(self.name, "cluster service stopped on every node", why)
        for n in self.nodes.values():
            if n.state is not NodeState.DOWN:
                self.record(n.name, f"{n.state} -> Down", "cluster service stopped: no quorum", n.name)
                n.state = NodeState.DOWN
                n.down_reason = "quorum lost"
                n.incarnation += 1
                n.properties.pop("_leaving", None)
                self._leaving_names().discard(n.name)
            n.regroup_pending = False
        for g in self.groups.values():
            for rn in g.resources:
                r = self.resources[rn]
                r.restart_pending = False
                if r.state is not OFF:
                    self._set_state(r, OFF, "stopped with the cluster service")
            g.move = None
            g.owner = None
            self._mark(g.name)
        self.queue.discard(lambda j: j.kind in ("regroup", "join_done"))

    # ============================================================== snapshot
    def to_dict(self) -> dict:
        """Everything about the cluster as plain data (configuration, state, clock,
        queued work, log). Two clusters with equal ``to_dict()`` behave identically."""
        enc = _enc

        def obj(o):
            names = _FIELD_NAMES.get(type(o))
            if names is None:
                names = _FIELD_NAMES[type(o)] = tuple(f.name for f in fields(o))
            d = o.__dict__
            return {k: enc(d[k]) for k in names}

        ext = {}
        for k, v in self.extensions.items():
            ext[k] = v.to_dict() if hasattr(v, "to_dict") else enc(v)
        return {
            "name": self.name, "ip": self.ip, "edition": self.edition, "seed": self.seed,
            "settings": asdict(self.settings), "quorum_resource": self.quorum_resource,
            "quorum_drive": self.quorum_drive, "running": self.running,
            "partition_sides": enc(self.partition_sides), "quorum_side": enc(self.quorum_side),
            "evicted": list(self.evicted),
            "accounts": enc(self.accounts), "account": self.account,
            "resource_types": sorted(self.resource_types), "next_node_id": self._next_node_id,
            "clock_ms": self.clock.ms, "random_state": enc(self.random.getstate()),
            "nodes": [obj(n) for n in self.nodes.values()],
            "groups": [obj(g) for g in self.groups.values()],
            "resources": [obj(r) for r in self.resources.values()],
            "dependents": {p: list(v) for p, v in self._dependents.items() if v},
            "queue": self.queue.to_dict(), "log": [e.to_list() for e in self.log],
            "extensions": ext,
        }
