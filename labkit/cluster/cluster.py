"""The MSCS cluster: the Cluster Service of Windows 2000, built from its components.

This is Windows 2000 Microsoft Cluster Service as the paper describes it
("Clustering Primer" to "Cluster Failover") with the behaviour the paper leaves
out taken from Microsoft's documentation and KB articles (cited where they are used).
The Cluster Service is "a group of services" (paper, "Microsoft Cluster Service
Components", Table 2); so is :class:`Cluster`, one object whose commands come from the
component that carries them out:

=====================================  ==========================================================
component (paper, Table 2)             module and commands
=====================================  ==========================================================
Node Manager, Membership Manager       :mod:`~labkit.cluster.membership`: ``add_node``,
                                       ``crash_node``, ``start_node``, ``stop_node``,
                                       ``restart_node``, ``pause_node``, ``resume_node``,
                                       ``evict_node``, ``partition``, ``heal``
Failover Manager                       :mod:`~labkit.cluster.failover`: ``online_group``,
                                       ``offline_group``, ``move_group``, ``online_resource``,
                                       ``offline_resource``, ``failover_target``, ``can_host``
Resource Monitor                       :mod:`~labkit.cluster.monitor`: ``inject_fault``,
                                       ``repair_resource``, ``fail_resource``,
                                       ``crash_resource_monitor``
Configuration Database Manager         :mod:`~labkit.cluster.configuration`: ``add_group``,
                                       ``add_resource``, ``add_dependency``, owners;
                                       :mod:`~labkit.cluster.properties`: ``set_group_properties``,
                                       ``set_resource_properties``, ``set_private_properties``,
                                       ``set_quorum_resource``
Event Processor                        :mod:`~labkit.cluster.events`: ``run``,
                                       ``run_until_stable``, ``schedule``, ``record``
Object Manager (this module)           the lookups ``node()``, ``group()``, ``resource()``,
                                       accounts and rights, ``transaction``, ``copy``, ``to_dict``
=====================================  ==========================================================

The components hold no state of their own: each is a class of methods over the one
cluster state :meth:`Cluster.__init__` sets up (as MSCS's components share the cluster
database in one service process), and :class:`Cluster` combines them. The invariants every
state keeps are in :mod:`~labkit.cluster.invariants`.

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
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields

from .. import values as V
from ..errors import NameConflictError, NotFoundError, ValidationError
from ..sim import START, Clock, ClusterLog, EventQueue
from ..values import fold, show
from .configuration import ConfigurationDatabase
from .copying import copy_cluster, copy_fields
from .events import EventProcessor
from .extensions import Extensions
from .failover import FailoverManager
from .membership import EDITIONS, MembershipManager, parse_edition
from .model import CLUSTER_GROUP, CORE_NAMES, Group, Node, Resource
from .monitor import ResourceMonitor
from .properties import Properties
from .types import CORE_TYPES, ResourceType, check_netbios_name, check_static_ip
# the plug-in job registry, where the plug-ins and the file loader have always imported it
from .events import JOB_HANDLERS, job_args_problem, register_job_handler  # noqa: F401


#: The account that performs changes unless another is chosen with ``acting_as``.
DEFAULT_ACCOUNT = "CLUSTER\\Administrator"
ALL_RIGHTS = "*"


#: The tables whose keys are names (Cluster.find_name).
_NAME_TABLES = ("nodes", "groups", "resources", "accounts")


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
_FIELD_NAMES: dict = {}
_enc = V.plain
_RIGHTS = V.ListOf(V.NAME, name="a list of right names")


class Cluster(ConfigurationDatabase, Properties, MembershipManager, FailoverManager, ResourceMonitor, EventProcessor):
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
        #: the id the next node to join gets: ids follow the order nodes were added and are
        #: never given again, even after an eviction
        self.next_node_id = 1
        self._dirty: dict[str, None] = {}
        self._touched: dict[str, None] = {}
        self._order_cache: dict[str, list[str]] = {}
        self._dependents: dict[str, list[str]] = {}
        self._in_transaction = False
        self._claims: dict | None = None
        self._claims_size = (0, 0)
        #: case-insensitive name indexes (see _find)
        self._folded: dict = {}
        # caches of the failover path (rebuilt on demand; see _node_order, _effective, _leaving_names)
        self._node_order_cache: tuple[str, ...] | None = None
        self._owners_cache: dict[str, tuple] = {}
        self._leaving_nodes: set[str] | None = None

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
        return CLUSTER_GROUP

    def __repr__(self) -> str:
        up = sum(1 for n in self.nodes.values() if n.is_up)
        return (f"<Cluster {self.name} {self.edition}: {len(self.nodes)} nodes ({up} up), "
                f"{len(self.groups)} groups, {len(self.resources)} resources, {self.now:%Y-%m-%d %H:%M:%S}>")

    def _repr_html_(self) -> str:
        from ..hooks import html
        return html("cluster", self)

    def is_stable(self) -> bool:
        """True when nothing is pending (no transient work left in the queue)."""
        return self.queue.transient == 0

    # MSCS compares the names of nodes, groups, resources and accounts case-insensitively
    # (Cluster Administrator will not create "g1" next to "G1"); the model keeps the case a
    # name was given in, for display. Every lookup by name goes through _find.
    def find_name(self, table: str, name: str) -> str | None:
        """The key that ``name`` names in ``self.<table>`` ("nodes", "groups", "resources",
        "accounts"), compared case-insensitively as MSCS compares names, or None.

        >>> from labkit.scenarios import four_node_5000
        >>> four_node_5000().find_name("groups", "exvs1")
        'EXVS1'
        """
        if table not in _NAME_TABLES or not isinstance(name, str):
            raise ValidationError(f"find_name looks up a text name in one of {', '.join(_NAME_TABLES)}, not "
                                  f"{show(table)} / {show(name)}", rule="names are looked up in a named table")
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
            key = self.find_name(table, self._name(name, f"{what} name"))
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

    def _account(self, name) -> str:
        key = self.find_name("accounts", self._name(name, "account name"))
        if key is None:
            raise NotFoundError(f"no account named {name!r}", rule="changes are made by a known account")
        return key

    def _node_list(self, nodes, what: str) -> list[str]:
        if isinstance(nodes, str) or not isinstance(nodes, (list, tuple)):
            raise ValidationError(f"{what} must be a list of node names, not {show(nodes)}")
        out = []
        for n in nodes:
            name = self.node(n).name
            if name in out:
                raise ValidationError(f"node {name!r} appears twice in {what}",
                                      rule=f"{what} list each node once")
            out.append(name)
        return out

    def add_account(self, name: str, rights: Iterable[str] = ()) -> None:
        """Add an administrator account with the given rights (e.g.
        "Exchange Full Administrator", granted by the Exchange Delegation Wizard).
        Account names compare case-insensitively, as Windows compares them."""
        name = self._name(name, "account name")
        if self.find_name("accounts", name) is not None:
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
        key = self.find_name("accounts", self._name(account, "account name") if account is not None else self.account)
        rights = self.accounts.get(key, set()) if key is not None else set()
        return ALL_RIGHTS in rights or right in rights

    _STATE = ("nodes", "groups", "resources", "resource_types", "running", "partition_sides", "quorum_side",
              "evicted", "accounts", "account", "extensions", "next_node_id", "_dependents",
              "queue", "random", "settings", "ip", "edition")

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

    @property
    def in_transaction(self) -> bool:
        """Whether a :meth:`transaction` is under way (a cluster is saved between commands)."""
        return self._in_transaction

    def copy(self) -> "Cluster":
        """An independent copy (what-if experiments, N-k analysis); behaves exactly like a
        deep copy, several times faster (:mod:`labkit.cluster.copying`)."""
        return copy_cluster(self)

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

        def group(g):
            d = obj(g)
            if g.move is not None:
                d["move"] = g.move.to_dict()
            return d

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
            "resource_types": sorted(self.resource_types), "next_node_id": self.next_node_id,
            "clock_ms": self.clock.ms, "random_state": enc(self.random.getstate()),
            "nodes": [obj(n) for n in self.nodes.values()],
            "groups": [group(g) for g in self.groups.values()],
            "resources": [obj(r) for r in self.resources.values()],
            "dependents": {p: list(v) for p, v in self._dependents.items() if v},
            "queue": self.queue.to_dict(), "log": [e.to_list() for e in self.log],
            "extensions": ext,
        }
