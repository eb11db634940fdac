"""Cluster hardware as a graph, and the single points of failure it leaves.

The paper's "The Problems Clustering Solves": a cluster removes many single
points of failure of a standalone server (system board, processors, power,
network cards), but the shared storage remains one unless the paths to it are
redundant -- redundant controllers, dual loops, a switched fabric with two paths
from every node. The Compaq packaged solutions at the end of the paper climb
that ladder, up to the HA/F500 (no single point of failure) and its stretch
version over two sites.

A :class:`Topology` is a ``networkx.Graph`` of components (servers with their
processors, memory, power supplies, local disks, NICs and HBAs; Ethernet
networks; Fibre Channel hubs or switches or a shared SCSI bus; storage
enclosures with their controllers, drives and arrays; sites). :func:`spof_report`
fails every component in turn and replays what MSCS would do, and names each
component whose loss stops a virtual server (no node can reach its disks and its
clients) or the cluster (no node can reach the quorum), or splits the cluster
membership (a live node can no longer heartbeat with the quorum owner).

How the replay decides (the paper is silent; these follow documented MSCS
behaviour [D]):

- a server runs if its system board, every processor (industry-standard servers
  have no processor redundancy: paper), its memory, its local array controller
  and boot disks, and at least one power supply work;
- nodes heartbeat over networks whose role includes internal communication
  (private, or "all communications"); nodes joined by a working heartbeat
  network form one partition, and the partition of the quorum owner survives if
  it reaches the quorum disk; if not, any partition that reaches it may win the
  arbitration (the quorum owner is the first server added unless set);
- a virtual server runs in the surviving partition on a node that reaches every
  array it uses and reaches the clients over a network open to client access;
- a drive is lost with its enclosure or site; an array with its RAID tolerance
  (:meth:`labkit.planning.raid.Array.survives`);
- passive parts (enclosure chassis and backplanes) and plain cables are taken
  not to fail; crossover heartbeat cables and inter-site links are components
  that can; the public LAN and the clients are infrastructure, reported apart;
  online spares play no part in surviving one failure and are left out.

>>> r = spof_report(ha_f100())
>>> sorted({s.component for s in r.spofs if s.scope == "cluster"})
['FC hub 1', 'RA4000 1 controller A', 'RA4000 2 controller A']
>>> spof_report(ha_f500()).no_spof
True
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Iterable, Sequence

import networkx as nx

from ..errors import ConfigurationError, NameConflictError, NotFoundError, ValidationError
from . import raid
from .findings import as_tuple
from .raid import CL1850_CAGE, RA4000, RA4100, RA8000, Array, EnclosureModel, RaidLevel
from .storage import Role, SizingAssumptions, StorageDesign, plan_storage, table9

CLUSTER = "cluster"


class Kind(StrEnum):
    """Component kinds."""

    SITE = "site"
    SERVER = "server"
    CPU = "processor"
    MEMORY = "memory"
    PSU = "power supply"
    LOCAL_CONTROLLER = "local array controller"
    NIC = "network adapter"
    HBA = "host bus adapter"
    NETWORK_DEVICE = "network hub, switch or cable"
    FC_HUB = "Fibre Channel hub"
    FC_SWITCH = "Fibre Channel switch"
    SCSI_BUS = "shared SCSI bus"
    LINK = "inter-site link"
    CONTROLLER = "array controller"
    ENCLOSURE = "storage enclosure"
    DRIVE = "drive"
    ARRAY = "array"
    CLIENTS = "clients"


class NetworkRole(StrEnum):
    """Cluster network roles as Cluster Administrator names them (Windows 2000)."""

    PRIVATE = "internal cluster communications only"
    PUBLIC = "client access only"
    MIXED = "all communications"


_HEARTBEAT = (NetworkRole.PRIVATE, NetworkRole.MIXED)
_CLIENT = (NetworkRole.PUBLIC, NetworkRole.MIXED)
_FABRIC_KINDS = {"hub": Kind.FC_HUB, "switch": Kind.FC_SWITCH, "scsi": Kind.SCSI_BUS}
#: Kinds that are logical or taken not to fail.
_NOT_CANDIDATES = (Kind.ARRAY, Kind.CLIENTS)


class Effect(StrEnum):
    """What losing a component does to a target (a virtual server or the cluster)."""

    STOPS = "stops"
    MANUAL_RECOVERY = "stops until a manual recovery at the target site"
    ARBITRATION = "may stop: depends on which partition wins the quorum"
    SPLITS = "splits the cluster membership"


def _name(v, what) -> str:
    if not isinstance(v, str) or not v.strip():
        raise ValidationError(f"{what} must be a non-empty name, not {v!r}", rule="components are named",
                              source="labkit.planning.hardware")
    return v


class Topology:
    """The hardware of one cluster as a ``networkx.Graph`` (``self.graph``).

    Nodes are component names with attributes ``kind`` (:class:`Kind`), ``scope``
    ("cluster", "infrastructure" or "site"), ``within`` (the enclosure, server or
    site that takes it down with it) and kind-specific data. Edges carry a
    ``layer``: "part", "lan" (with ``network``), "storage", "site".

    >>> t = Topology("demo")
    >>> _ = t.add_server("N1"); t.graph.nodes["N1 CPU 1"]["kind"]
    <Kind.CPU: 'processor'>
    """

    def __init__(self, name: str, *, source: str = ""):
        self.name = _name(name, "topology name")
        self.source = source
        self.graph = nx.Graph(name=name)
        self.networks: dict[str, NetworkRole] = {}
        self.virtual_servers: dict[str, tuple] = {}
        self.quorum: str | None = None
        self.quorum_owner: str | None = None
        self.notes: list[str] = []

    # --- building -------------------------------------------------------------------------------
    def _add(self, name, kind: Kind, *, scope="cluster", within=None, **attrs) -> str:
        _name(name, f"{kind} name")
        if name in self.graph:
            raise NameConflictError(f"{name!r} is already a component of {self.name}",
                                    rule="component names are unique", source="labkit.planning.hardware")
        if within is not None:
            self._need(within)
        self.graph.add_node(name, kind=kind, scope=scope, within=within, **attrs)
        return name

    def _free(self, *names) -> None:
        """Refuse a command before it changes anything if any of ``names`` is taken."""
        seen = set()
        for n in names:
            if n in self.graph or n in seen:
                raise NameConflictError(f"{n!r} is already a component of {self.name}",
                                        rule="component names are unique", source="labkit.planning.hardware")
            seen.add(n)

    def _need(self, name, *kinds) -> dict:
        if name not in self.graph:
            raise NotFoundError(f"{name!r} is not a component of {self.name}", rule="components must exist",
                                source="labkit.planning.hardware")
        data = self.graph.nodes[name]
        if kinds and data["kind"] not in kinds:
            raise ValidationError(f"{name!r} is a {data['kind']}, not a {' or '.join(str(k) for k in kinds)}",
                                  rule="components connect to the right kind", source="labkit.planning.hardware")
        return data

    def _site(self, site):
        if site is not None:
            self._need(site, Kind.SITE)
        return site

    def add_site(self, name: str, *, distance_km: float = 0.0) -> str:
        """A site: losing it loses everything placed there."""
        return self._add(name, Kind.SITE, scope="site", distance_km=distance_km)

    def add_server(self, name: str, *, model: str = "ProLiant DL380", cpus: int = 2, memory_gb: float = 1.0,
                   power_supplies: int = 1, local_drives: int = 2, site: str | None = None) -> str:
        """A server with its processors, memory, power supplies, local array controller
        and boot disks (mirrored when there are two or more)."""
        for what, v, low in (("cpus", cpus, 1), ("power_supplies", power_supplies, 1), ("local_drives", local_drives, 1)):
            if isinstance(v, bool) or not isinstance(v, int) or v < low:
                raise ValidationError(f"{what} must be a whole number >= {low}, not {v!r}",
                                      rule="servers have parts", source="labkit.planning.hardware")
        _name(name, "server name")
        self._site(site)
        self._free(name, *[f"{name} CPU {i}" for i in range(1, cpus + 1)], f"{name} memory",
                   *[f"{name} power supply {i}" for i in range(1, power_supplies + 1)],
                   f"{name} Smart Array controller", f"{name} boot array",
                   *[f"{name} local drive {i}" for i in range(1, local_drives + 1)])
        self._add(name, Kind.SERVER, within=site, model=model, memory_gb=memory_gb)
        cpu = [self._part(name, f"{name} CPU {i}", Kind.CPU) for i in range(1, cpus + 1)]
        mem = [self._part(name, f"{name} memory", Kind.MEMORY)]
        psu = [self._part(name, f"{name} power supply {i}", Kind.PSU) for i in range(1, power_supplies + 1)]
        ctl = [self._part(name, f"{name} Smart Array controller", Kind.LOCAL_CONTROLLER)]
        if local_drives >= 2:
            level = RaidLevel.RAID1 if local_drives == 2 else RaidLevel.RAID01 if local_drives % 2 == 0 \
                else RaidLevel.RAID5
            boot = self._add(f"{name} boot array", Kind.ARRAY, within=name, raid=Array(level, local_drives),
                             local=True)
            self.graph.add_edge(name, boot, layer="part")
            for i in range(local_drives):
                d = self._add(f"{name} local drive {i + 1}", Kind.DRIVE, within=name, array=boot, index=i)
                self.graph.add_edge(boot, d, layer="part")
            disks = [boot]
        else:
            disks = [self._part(name, f"{name} local drive 1", Kind.DRIVE)]
        self.graph.nodes[name]["requires"] = ((cpus, tuple(cpu)), (1, tuple(mem)), (1, tuple(psu)),
                                              (1, tuple(ctl)), (1, tuple(disks)))
        if self.quorum_owner is None:
            self.quorum_owner = name
        return name

    def _part(self, server, name, kind) -> str:
        self._add(name, kind, within=server)
        self.graph.add_edge(server, name, layer="part")
        return name

    def add_network(self, name: str, role=NetworkRole.PRIVATE) -> str:
        """An Ethernet network with its cluster role (private heartbeat, public, or both)."""
        _name(name, "network name")
        if name in self.networks:
            raise NameConflictError(f"network {name!r} exists", rule="network names are unique",
                                    source="labkit.planning.hardware")
        try:
            self.networks[name] = NetworkRole(role)
        except ValueError:
            raise ValidationError(f"unknown network role {role!r}", rule="network roles",
                                  source="Windows 2000 Cluster Administrator") from None
        return name

    def add_network_device(self, name: str, network: str, *, kind: str = "switch", site: str | None = None,
                           infrastructure: bool = False) -> str:
        """A hub, switch or crossover cable of ``network``."""
        if network not in self.networks:
            raise NotFoundError(f"no network {network!r}", rule="devices belong to a network",
                                source="labkit.planning.hardware")
        return self._add(name, Kind.NETWORK_DEVICE, scope="infrastructure" if infrastructure else "cluster",
                         within=self._site(site), network=network, device=kind)

    def add_nic(self, server: str, device: str, name: str | None = None) -> str:
        """A network adapter of ``server`` plugged into ``device``."""
        self._need(server, Kind.SERVER)
        net = self._need(device, Kind.NETWORK_DEVICE)["network"]
        nic = self._add(name or f"{server} NIC ({network_label(net)})", Kind.NIC, within=server, network=net)
        self.graph.add_edge(server, nic, layer="lan", network=net)
        self.graph.add_edge(nic, device, layer="lan", network=net)
        return nic

    def connect_network_devices(self, a: str, b: str, *, link: str | None = None, site=None,
                                infrastructure: bool = False) -> None:
        """Join two devices of one network, directly or through a named ``link`` (a component)."""
        na, nb = self._need(a, Kind.NETWORK_DEVICE)["network"], self._need(b, Kind.NETWORK_DEVICE)["network"]
        if na != nb:
            raise ValidationError(f"{a!r} and {b!r} are on different networks", rule="a network is one LAN",
                                  source="labkit.planning.hardware")
        if link:
            self._site(site)
            self._add(link, Kind.LINK, scope="infrastructure" if infrastructure else "cluster",
                      within=site, network=na)
            self.graph.add_edge(a, link, layer="lan", network=na)
            self.graph.add_edge(link, b, layer="lan", network=na)
        else:
            self.graph.add_edge(a, b, layer="lan", network=na)

    def add_clients(self, *devices: str, name: str = "clients") -> str:
        """The users, reached through public-network ``devices``."""
        if name not in self.graph:
            self._add(name, Kind.CLIENTS, scope="infrastructure")
        for d in devices:
            net = self._need(d, Kind.NETWORK_DEVICE)["network"]
            self.graph.add_edge(d, name, layer="lan", network=net)
        return name

    def add_fabric_device(self, name: str, kind: str = "hub", *, site: str | None = None) -> str:
        """A Fibre Channel hub (a loop) or switch (a fabric), or a shared SCSI bus."""
        if kind not in _FABRIC_KINDS:
            raise ValidationError(f"fabric kind must be one of {', '.join(_FABRIC_KINDS)}, not {kind!r}",
                                  rule="storage interconnects", source="paper, Compaq ProLiant Cluster solutions")
        return self._add(name, _FABRIC_KINDS[kind], within=self._site(site))

    def connect_fabric(self, a: str, b: str, *, link: str | None = None) -> None:
        """Join two fabric devices (an inter-switch link), directly or through a named ``link``."""
        kinds = tuple(_FABRIC_KINDS.values())
        self._need(a, *kinds)
        self._need(b, *kinds)
        if link:
            self._add(link, Kind.LINK)
            self.graph.add_edge(a, link, layer="storage")
            self.graph.add_edge(link, b, layer="storage")
        else:
            self.graph.add_edge(a, b, layer="storage")

    def add_hba(self, server: str, device: str, name: str | None = None) -> str:
        """A host bus adapter of ``server`` cabled to fabric ``device``."""
        self._need(server, Kind.SERVER)
        self._need(device, *_FABRIC_KINDS.values())
        n = sum(1 for x in self.graph[server] if self.graph.nodes[x]["kind"] is Kind.HBA) + 1
        hba = self._add(name or f"{server} HBA {n}", Kind.HBA, within=server)
        self.graph.add_edge(server, hba, layer="storage")
        self.graph.add_edge(hba, device, layer="storage")
        return hba

    def add_storage(self, name: str, model: EnclosureModel = RA4100, *, controllers: int = 1,
                    site: str | None = None) -> str:
        """A storage enclosure (passive chassis) with ``controllers`` array controllers
        ("A", "B"); ``controllers=0`` is a drive cage driven by the hosts' controllers."""
        if not isinstance(model, EnclosureModel):
            raise ValidationError(f"model must be an EnclosureModel, not {model!r}", rule="enclosures have a model",
                                  source="labkit.planning.raid")
        if isinstance(controllers, bool) or not isinstance(controllers, int) or not 0 <= controllers <= max(
                model.max_controllers, 0):
            raise ConfigurationError(f"a {model.name} takes 0 to {model.max_controllers} controllers, not "
                                     f"{controllers!r}", rule="controllers per enclosure", source=model.source)
        _name(name, "enclosure name")
        self._site(site)
        self._free(name, *[f"{name} controller {'AB'[c]}" for c in range(controllers)])
        self._add(name, Kind.ENCLOSURE, within=site, model=model, passive=True)
        for c in range(controllers):
            ctl = self._add(f"{name} controller {'AB'[c]}", Kind.CONTROLLER, within=name)
            self.graph.add_edge(ctl, name, layer="storage")
        return name

    def controllers_of(self, storage: str) -> list[str]:
        self._need(storage, Kind.ENCLOSURE)
        return sorted(x for x in self.graph[storage] if self.graph.nodes[x]["kind"] is Kind.CONTROLLER)

    def connect_storage(self, controller_or_enclosure: str, device: str) -> None:
        """Cable an array controller (or a controller-less drive cage) to a fabric device."""
        self._need(controller_or_enclosure, Kind.CONTROLLER, Kind.ENCLOSURE)
        self._need(device, *_FABRIC_KINDS.values())
        self.graph.add_edge(controller_or_enclosure, device, layer="storage")

    def add_array(self, storage: str, label: str, array: Array, *, for_: Iterable[str] = (),
                  quorum: bool = False, replica_of: str | None = None) -> str:
        """An array of ``storage``, used by the virtual servers ``for_`` (or the quorum).

        ``replica_of`` makes it a synchronous mirror of another array that the
        cluster cannot use until a manual recovery (Data Replication Manager).
        """
        enc = self._need(storage, Kind.ENCLOSURE)
        users = as_tuple(for_, "virtual servers of an array", source="labkit.planning.hardware")
        for vs in users:
            _name(vs, "virtual server name")
        if quorum and self.quorum is not None:
            raise ConfigurationError(f"{self.name} already has its quorum on {self.quorum!r}",
                                     rule="a cluster has one quorum disk", source="paper, Table 1")
        if not isinstance(array, Array):
            raise ValidationError(f"array must be a raid.Array, not {array!r}", rule="arrays are RAID arrays",
                                  source="labkit.planning.raid")
        used = sum(1 for x in self.graph[storage] if self.graph.nodes[x]["kind"] is Kind.ARRAY)
        drives = sum(self.graph.nodes[x]["raid"].drives for x in self.graph[storage]
                     if self.graph.nodes[x]["kind"] is Kind.ARRAY)
        if drives + array.drives > enc["model"].bays:
            raise ConfigurationError(f"{storage} has {enc['model'].bays} bays; {drives} are used and {label!r} "
                                     f"needs {array.drives}", rule=raid.ARRAY_IN_ONE_ENCLOSURE,
                                     source=enc["model"].source)
        if replica_of is not None:
            self._need(replica_of, Kind.ARRAY)
        _name(label, "array label")
        self._free(label, *[f"{label} drive {i + 1}" for i in range(array.drives)])
        self._add(label, Kind.ARRAY, within=storage, raid=array, replica_of=replica_of, local=False,
                  slot=used)
        self.graph.add_edge(storage, label, layer="storage")
        for i in range(array.drives):
            d = self._add(f"{label} drive {i + 1}", Kind.DRIVE, within=storage, array=label, index=i)
            self.graph.add_edge(label, d, layer="part")
        if quorum:
            self.quorum = label
        for vs in users:
            self.virtual_servers[vs] = self.virtual_servers.get(vs, ()) + (label,)
        return label

    # --- reading ------------------------------------------------------------------------------------
    def kind(self, name: str) -> Kind:
        return self._need(name)["kind"]

    def servers(self) -> list[str]:
        return [n for n, d in self.graph.nodes(data=True) if d["kind"] is Kind.SERVER]

    def components(self) -> list[str]:
        """Components that can fail (everything but arrays, clients and passive chassis)."""
        return [n for n, d in self.graph.nodes(data=True)
                if d["kind"] not in _NOT_CANDIDATES and not d.get("passive")]

    def targets(self) -> list[str]:
        """What the SPOF finder protects: each virtual server, then the cluster."""
        return list(self.virtual_servers) + [CLUSTER]

    def __repr__(self) -> str:
        return (f"<Topology {self.name}: {len(self.servers())} servers, {len(self.virtual_servers)} virtual "
                f"servers, {self.graph.number_of_nodes()} components>")


def network_label(network: str) -> str:
    return network.lower()


# --- the replay -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Outcome:
    """What happens after a set of components fails."""

    failed: tuple
    live_servers: tuple
    partitions: tuple
    winners: tuple
    status: dict            # target -> "runs" or an Effect


class _Replay:
    """Indexes of a topology for fast repeated failure replays.

    A replay depends only on which path-relevant components are dead (servers,
    adapters, network and fabric devices, controllers, links, arrays), so
    outcomes are cached on that set: a failed processor replays like its
    server, a failed spare power supply or one mirrored drive like nothing.
    Reachability is one connected-components pass per layer, not one search
    per server.
    """

    def __init__(self, topo: Topology):
        g = topo.graph
        self.t = topo
        self.g = g
        self.kind = {n: d["kind"] for n, d in g.nodes(data=True)}
        self.servers = topo.servers()
        self.order = {s: i for i, s in enumerate(self.servers)}
        self.arrays = [n for n, k in self.kind.items() if k is Kind.ARRAY]
        self.contents: dict[str, list] = {n: [] for n in g}       # everything within a component, transitively
        for n, d in g.nodes(data=True):
            w = d.get("within")
            while w is not None:
                self.contents[w].append(n)
                w = g.nodes[w].get("within")
        self.drives_of = {a: [] for a in self.arrays}
        self.array_of_drive = {}
        for n, d in g.nodes(data=True):
            if d["kind"] is Kind.DRIVE and d.get("array"):
                self.drives_of[d["array"]].append((n, d["index"]))
                self.array_of_drive[n] = d["array"]
        self.requires = {s: g.nodes[s].get("requires", ()) for s in self.servers}
        self.server_of_part = {p: s for s, groups in self.requires.items() for _, parts in groups for p in parts}
        self.replica = {}
        for a in self.arrays:
            p = g.nodes[a].get("replica_of")
            if p:
                self.replica[p] = a
        role = topo.networks
        self.relevant = set(self.servers) | set(self.arrays)
        self.adj = {"storage": {}, "heartbeat": {}, "client": {}}
        for x, y, e in g.edges(data=True):
            layer = e.get("layer")
            keys = ["storage"] if layer == "storage" else \
                [k for k, roles in (("heartbeat", _HEARTBEAT), ("client", _CLIENT))
                 if layer == "lan" and role.get(e.get("network")) in roles]
            for k in keys:
                self.relevant.update((x, y))
                self.adj[k].setdefault(x, []).append(y)
                self.adj[k].setdefault(y, []).append(x)
        self.cache: dict[frozenset, tuple] = {}

    def dead(self, failed: frozenset) -> set:
        """Every component lost with ``failed``: their contents, arrays beyond their
        RAID tolerance, servers missing a required part (and then their contents)."""
        dead = set()
        for f in failed:
            dead.add(f)
            dead.update(self.contents[f])
        for a in {self.array_of_drive[d] for d in dead if d in self.array_of_drive}:
            if a not in dead:
                gone = [i for d, i in self.drives_of[a] if d in dead]
                if not self.g.nodes[a]["raid"].survives(gone):
                    dead.add(a)
        hit = {self.server_of_part[p] for p in dead if p in self.server_of_part}
        for s in hit:
            if s not in dead and any(sum(1 for p in parts if p not in dead) < k for k, parts in self.requires[s]):
                dead.add(s)
                dead.update(self.contents[s])
        return dead

    def _components(self, layer: str, dead: set) -> dict:
        """Component id of every live node of ``layer``, servers left out (they do not route)."""
        adj, comp = self.adj[layer], {}
        for start in adj:
            if start in comp or start in dead or self.kind[start] is Kind.SERVER:
                continue
            comp[start] = start
            q = deque([start])
            while q:
                x = q.popleft()
                for y in adj[x]:
                    if y not in comp and y not in dead and self.kind[y] is not Kind.SERVER:
                        comp[y] = start
                        q.append(y)
        return comp

    def _reach(self, layer, dead, live) -> dict:
        comp = self._components(layer, dead)
        return {s: {comp[y] for y in self.adj[layer].get(s, ()) if y in comp} for s in live}

    def replay(self, failed: Iterable[str]) -> Outcome:
        failed = frozenset(failed)
        dead = self.dead(failed)
        key = frozenset(d for d in dead if d in self.relevant)
        if key not in self.cache:
            self.cache[key] = self._replay(dead)
        live, parts, winners, status = self.cache[key]
        return Outcome(tuple(sorted(failed)), live, parts, winners, dict(status))

    def _replay(self, dead: set) -> tuple:
        live = [s for s in self.servers if s not in dead]
        scomp = self._components("storage", dead)
        arrays_in: dict[str, set] = {}
        for a in self.arrays:
            if a not in dead and a in scomp:
                arrays_in.setdefault(scomp[a], set()).add(a)
        storage = {s: set().union(*(arrays_in.get(scomp[y], ()) for y in self.adj["storage"].get(s, ())
                                    if y in scomp)) for s in live}
        ccomp = self._components("client", dead)
        client_ids = {ccomp[n] for n in ccomp if self.kind[n] is Kind.CLIENTS}
        clients = {s: any(ccomp.get(y) in client_ids for y in self.adj["client"].get(s, ())) for s in live}
        hb = self._reach("heartbeat", dead, live)
        parent = {s: s for s in live}                # union-find: servers sharing a heartbeat LAN [D]

        def root(x):
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        first: dict = {}
        for s in live:
            for c in hb[s]:
                if c in first:
                    a, b = root(first[c]), root(s)
                    if a != b:
                        parent[max(a, b, key=self.order.get)] = min(a, b, key=self.order.get)
                else:
                    first[c] = s
        groups: dict = {}
        for s in live:
            groups.setdefault(root(s), []).append(s)
        parts = [tuple(p) for p in groups.values()]
        status = self._status(live, parts, storage, clients, recovered=False)
        failing = [t for t, v in status.items() if v is not True and v is not Effect.ARBITRATION]
        if failing and self.replica:
            after = self._status(live, parts, storage, clients, recovered=True)
            for t in failing:
                if after[t] is True and status[t] is not Effect.SPLITS:
                    status[t] = Effect.MANUAL_RECOVERY
        winners = self._winners(parts, storage, self.t.quorum)
        out = {t: ("runs" if v is True else v) for t, v in status.items()}
        return tuple(live), tuple(parts), tuple(winners), out

    def _winners(self, parts, storage, quorum):
        if quorum is None:
            return list(parts)
        can = [p for p in parts if any(quorum in storage[s] for s in p)]
        owner = self.t.quorum_owner
        for p in can:
            if owner in p:
                return [p]
        return can

    def _status(self, live, parts, storage, clients, *, recovered: bool) -> dict:
        def use(a):
            if not recovered:
                return a
            r = self.replica.get(a)
            if r and not any(a in storage[s] for s in live):
                return r
            return a

        quorum = use(self.t.quorum) if self.t.quorum else None
        winners = self._winners(parts, storage, quorum)
        out = {}
        for vs, arrays in self.t.virtual_servers.items():
            need = {use(a) for a in arrays}
            ok = [any(clients[s] and need <= storage[s] for s in p) for p in winners]
            out[vs] = True if ok and all(ok) else Effect.ARBITRATION if any(ok) else Effect.STOPS
        if not winners:
            out[CLUSTER] = Effect.STOPS
        else:
            members = set(winners[0]) if len(winners) == 1 else set()
            out[CLUSTER] = True if len(winners) == 1 and members == set(live) else Effect.SPLITS
        return out


def failure_outcome(topology: Topology, failed: Iterable[str] = ()) -> Outcome:
    """Replay the loss of ``failed`` components (any number) and say what still runs.

    >>> o = failure_outcome(ha_f100(), ["NODE1"])
    >>> o.status["EXVS1"], o.status["cluster"], o.live_servers
    ('runs', 'runs', ('NODE2',))
    """
    if not isinstance(topology, Topology):
        raise ValidationError(f"{topology!r} is not a Topology", rule="failures are replayed on a topology",
                              source="labkit.planning.hardware")
    failed = [failed] if isinstance(failed, str) else list(failed)
    for f in failed:
        topology._need(f)
    return _Replay(topology).replay(failed)


# --- the report -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Spof:
    """One component whose loss alone stops (or splits) one target."""

    component: str
    kind: str
    scope: str
    target: str
    effect: Effect

    def __str__(self) -> str:
        return f"{self.component} ({self.kind}): {self.target} {self.effect}"


@dataclass(frozen=True)
class SpofReport:
    """Single points of failure of a topology, per target."""

    topology: str
    targets: tuple
    spofs: tuple
    baseline: dict
    notes: tuple = ()

    @property
    def no_spof(self) -> bool:
        """True when no component of the cluster itself is a single point of failure
        (infrastructure and site disasters are listed but not counted)."""
        return not any(s.scope == "cluster" for s in self.spofs)

    def for_target(self, target: str) -> list[Spof]:
        return [s for s in self.spofs if s.target == target]

    def components(self, *, scope: str | None = None, effect: Effect | None = None,
                   target: str | None = None) -> list[str]:
        """Distinct component names, optionally filtered."""
        out = []
        for s in self.spofs:
            if (scope is None or s.scope == scope) and (effect is None or s.effect is effect) \
                    and (target is None or s.target == target) and s.component not in out:
                out.append(s.component)
        return out

    def rows(self) -> list[dict]:
        return [{"component": s.component, "kind": s.kind, "scope": s.scope, "target": s.target,
                 "effect": str(s.effect)} for s in self.spofs]

    def summary(self) -> list[str]:
        """One line per component: what its loss does."""
        lines, seen = [], {}
        for s in self.spofs:
            seen.setdefault((s.component, s.kind, s.scope), []).append(f"{s.target} {s.effect}")
        for (c, k, sc), what in seen.items():
            lines.append(f"{c} [{k}, {sc}]: " + "; ".join(what))
        return lines or [f"{self.topology}: no single point of failure"]


def spof_report(topology: Topology) -> SpofReport:
    """Fail each component alone and name those whose loss stops or splits a target.

    If something does not run with nothing failed, the baseline says so and those
    targets are left out (they have a design problem, not a single point of
    failure).
    """
    if not isinstance(topology, Topology):
        raise ValidationError(f"{topology!r} is not a Topology", rule="a topology is analysed",
                              source="labkit.planning.hardware")
    rp = _Replay(topology)
    base = rp.replay(())
    healthy = [t for t in topology.targets() if base.status.get(t) == "runs"]
    found = []
    g = topology.graph
    for c in topology.components():
        o = rp.replay((c,))
        for t in healthy:
            st = o.status[t]
            if st != "runs":
                d = g.nodes[c]
                found.append(Spof(c, str(d["kind"]), d["scope"], t, st))
    return SpofReport(topology.name, tuple(topology.targets()), tuple(found), dict(base.status),
                      tuple(topology.notes))


def node_spofs(topology: Topology, server: str) -> list[str]:
    """Components whose loss stops ``server`` itself: a standalone server's single
    points of failure, which the cluster covers by failing over.

    >>> node_spofs(ha_f100(), "NODE1")[:3]
    ['NODE1', 'NODE1 CPU 1', 'NODE1 CPU 2']
    """
    topology._need(server, Kind.SERVER)
    rp = _Replay(topology)
    return [c for c in topology.components() if server in rp.dead(frozenset((c,)))]


# --- a builder for the usual two- to four-node shapes ------------------------------------------------
def build_cluster(name: str, *, servers=2, server_model: str = "ProLiant DL380", cpus: int = 2,
                  memory_gb: float = 1.0, power_supplies: int = 1, local_drives: int = 2,
                  design: StorageDesign | None = None, enclosure: EnclosureModel = RA4100, controllers: int = 1,
                  fabric: str = "hub", fabric_devices: int = 1, paths_per_node: int = 1,
                  heartbeat_networks: int = 1, heartbeat_device: str | None = None,
                  public_role=NetworkRole.MIXED, source: str = "", notes: Sequence[str] = ()) -> Topology:
    """A cluster wired the usual way; every redundancy is a knob.

    - ``controllers``: array controllers per enclosure (2 = redundant);
    - ``fabric``: "hub" (arbitrated loop), "switch" (switched fabric) or "scsi"
      (a shared SCSI bus); ``fabric_devices``: 2 = dual loop or two fabrics;
    - ``paths_per_node``: HBAs per server (2 = a path to each loop or fabric);
    - ``heartbeat_networks``: private networks; ``public_role``: whether the
      public LAN also carries heartbeats ("all communications", Microsoft's
      recommendation, KB 258750 [U]) or only client traffic.

    HBA *i* and controller *i* go to fabric device *i* (modulo the count).

    >>> t = build_cluster("demo", controllers=2, fabric_devices=2, paths_per_node=2)
    >>> spof_report(t).no_spof
    True
    """
    if isinstance(servers, bool):
        servers = None
    names = [f"NODE{i}" for i in range(1, servers + 1)] if isinstance(servers, int) \
        else list(as_tuple(servers, "servers", source="labkit.planning.hardware"))
    for n in names:
        _name(n, "server name")
    if not names or len(set(names)) != len(names):
        raise ValidationError(f"servers must be a count >= 1 or distinct names, not {servers!r}",
                              rule="a cluster has nodes", source="labkit.planning.hardware")
    for what, v, low in (("fabric_devices", fabric_devices, 1), ("paths_per_node", paths_per_node, 1),
                         ("heartbeat_networks", heartbeat_networks, 0)):
        if isinstance(v, bool) or not isinstance(v, int) or v < low:
            raise ValidationError(f"{what} must be a whole number >= {low}, not {v!r}",
                                  rule="redundancy knobs are counts", source="labkit.planning.hardware")
    if design is None:
        design = plan_storage(2000, len(names))
    if not isinstance(design, StorageDesign):
        raise ValidationError(f"design must be a StorageDesign, not {design!r}", rule="storage comes from a design",
                              source="labkit.planning.storage")
    t = Topology(name, source=source)
    t.notes.extend(notes)
    for n in names:
        t.add_server(n, model=server_model, cpus=cpus, memory_gb=memory_gb, power_supplies=power_supplies,
                     local_drives=local_drives)
    t.add_network("Public", public_role)
    lan = t.add_network_device("Public LAN switch", "Public", infrastructure=True)
    t.add_clients(lan)
    for n in names:
        t.add_nic(n, lan)
    hb_kind = heartbeat_device or ("cable" if len(names) == 2 else "hub")
    if hb_kind == "cable" and len(names) != 2:
        raise ConfigurationError(f"a crossover cable joins two nodes, not {len(names)}; use a hub or switch",
                                 rule="a crossover heartbeat cable joins exactly two nodes",
                                 source="Ethernet crossover cabling [D]")
    if hb_kind not in ("cable", "hub", "switch"):
        raise ValidationError(f"heartbeat_device must be 'cable', 'hub' or 'switch', not {hb_kind!r}",
                              rule="heartbeat networks", source="labkit.planning.hardware")
    for h in range(1, heartbeat_networks + 1):
        net = t.add_network(f"Private {h}" if heartbeat_networks > 1 else "Private", NetworkRole.PRIVATE)
        label = "crossover cable" if hb_kind == "cable" else hb_kind
        dev = t.add_network_device(f"Heartbeat {label}" + (f" {h}" if heartbeat_networks > 1 else ""), net,
                                   kind=hb_kind)
        for n in names:
            t.add_nic(n, dev)
    kind_label = {"hub": "FC hub", "switch": "FC switch", "scsi": "Shared SCSI bus"}.get(fabric)
    if kind_label is None:
        raise ValidationError(f"fabric must be 'hub', 'switch' or 'scsi', not {fabric!r}",
                              rule="storage interconnects", source="paper, Compaq ProLiant Cluster solutions")
    devices = [t.add_fabric_device(f"{kind_label} {i}" if fabric_devices > 1 or fabric != "scsi" else kind_label,
                                   fabric) for i in range(1, fabric_devices + 1)]
    for n in names:
        for p in range(paths_per_node):
            t.add_hba(n, devices[p % len(devices)])
    design = replace(design, enclosure=enclosure)
    placement = design.placement()
    short = enclosure.short or enclosure.name
    by_label = {a.label: a for a in design.arrays}
    for i, content in enumerate(placement.enclosures, start=1):
        enc = t.add_storage(f"{short} {i}", enclosure, controllers=controllers)
        ctls = t.controllers_of(enc)
        if ctls:
            for j, ctl in enumerate(ctls):
                t.connect_storage(ctl, devices[j % len(devices)])
        else:
            for dev in devices:
                t.connect_storage(enc, dev)
        for label, _ in content:
            pa = by_label.get(label)
            if pa is None:
                continue        # an online spare: not needed to survive one failure
            t.add_array(enc, label, pa.array, for_=sorted(pa.virtual_servers), quorum=Role.QUORUM in pa.roles)
    return t


# --- presets from the paper ----------------------------------------------------------------------
_HA_URL = "http://www.compaq.com/solutions/enterprise/"


def reference_5000(*, heartbeat_networks: int = 1, public_role=NetworkRole.MIXED) -> Topology:
    """The paper's 4-node, 5,000-user cluster (Figure 7, Table 9): four ProLiant DL380
    (two Pentium III 866 MHz, 1 GB, Smart Array 221, two 18.2 GB drives), three
    RA4100 with redundant controllers and hubs, the shared storage of Table 9.

    Not in the paper [U]: one power supply per DL380; two HBAs per node (the
    redundant hubs need them); a private heartbeat hub (four nodes cannot share a
    crossover cable); the public LAN also carries heartbeats.
    """
    return build_cluster("4-node 5,000-user cluster (Table 9)", servers=["1-CURLY", "2-MOE", "3-LARRY", "4-JERRY"],
                         server_model="ProLiant DL380", cpus=2, memory_gb=1.0, power_supplies=1, local_drives=2,
                         design=table9(), enclosure=RA4100, controllers=2, fabric="hub", fabric_devices=2,
                         paths_per_node=2, heartbeat_networks=heartbeat_networks, heartbeat_device="hub",
                         public_role=public_role,
                         source="paper, Figure 7 and Table 9 (Hardware Configuration Detail)",
                         notes=("one power supply per DL380 [U]", "two HBAs per node, one per hub [U]",
                                "private heartbeat hub [U]", "public LAN set to all communications [D]"))


def proliant_cl1850() -> Topology:
    """The ProLiant CL1850 packaged cluster: two nodes and a shared drive cage in one
    cabinet, each node's own RAID controller on a shared SCSI bus [U]; shown with
    one active/passive virtual server (500 users) so it fits the 8-bay cage [U]."""
    a = SizingAssumptions(database_level="RAID 5", spares_per_role=0)
    design = plan_storage(500, 1, assumptions=a, name="CL1850 active/passive")
    return build_cluster("ProLiant CL1850", servers=2, server_model="ProLiant 1850R", cpus=2, memory_gb=1.0,
                         design=design, enclosure=CL1850_CAGE, controllers=0, fabric="scsi", fabric_devices=1,
                         paths_per_node=1, heartbeat_networks=1,
                         source=f"paper, The ProLiant CL1850 ({_HA_URL}ha-cl1850.html)",
                         notes=("shared SCSI bus and cage layout from a product review [U]",
                                "one active/passive virtual server [U]"))


def ha_f100() -> Topology:
    """ProLiant Cluster HA/F100: two nodes, RA4000 storage with one controller each,
    one Fibre Channel hub, one HBA per node."""
    return build_cluster("ProLiant Cluster HA/F100", servers=2, design=plan_storage(2000, 2), enclosure=RA4000,
                         controllers=1, fabric="hub", fabric_devices=1, paths_per_node=1,
                         source=f"paper, Compaq ProLiant Cluster HA/F100 and HA/F200 "
                                f"({_HA_URL}highavailability-clustering-f100.html)",
                         notes=("two active/active virtual servers of 1,000 users [U]",))


def ha_f200() -> Topology:
    """ProLiant Cluster HA/F200: the HA/F100 with redundant paths -- two controllers per
    RA4000, two hubs (dual loop), two HBAs per node."""
    return build_cluster("ProLiant Cluster HA/F200", servers=2, design=plan_storage(2000, 2), enclosure=RA4000,
                         controllers=2, fabric="hub", fabric_devices=2, paths_per_node=2,
                         source=f"paper, Compaq ProLiant Cluster HA/F100 and HA/F200 "
                                f"({_HA_URL}highavailability-f200-pd.html)",
                         notes=("two active/active virtual servers of 1,000 users [U]",))


def ha_f500(fabric: str = "switch") -> Topology:
    """ProLiant Cluster HA/F500: two nodes, RA8000/ESA12000 with dual HSG80 controllers,
    dual loop or switched fabric, two paths per node -- no single point of failure."""
    if fabric not in ("switch", "hub"):
        raise ValidationError(f"the HA/F500 uses a switched fabric ('switch') or a dual loop ('hub'), not {fabric!r}",
                              rule="HA/F500 interconnects", source="paper, Compaq ProLiant Cluster HA/F500")
    return build_cluster("ProLiant Cluster HA/F500", servers=2, server_model="ProLiant (high end)", cpus=4,
                         memory_gb=2.0, power_supplies=2, design=plan_storage(2000, 2), enclosure=RA8000,
                         controllers=2, fabric=fabric, fabric_devices=2, paths_per_node=2,
                         source=f"paper, Compaq ProLiant Cluster HA/F500 ({_HA_URL}ha-f500-description.html)",
                         notes=("server model, processors and redundant power supplies [U]",))


#: The stretch cluster's distance limit (paper, HA/F500 Enhanced DT: up to 10 km).
DT_MAX_KM = 10.0


def ha_f500_enhanced_dt(distance_km: float = 10.0) -> Topology:
    """The HA/F500 Enhanced DT stretch cluster: one node at each of two sites up to
    10 km apart; the Initiator site's RA8000 serves both nodes over redundant
    long-wave Fibre Channel links and mirrors synchronously (Data Replication
    Manager) to the Target site's RA8000, which the cluster can use only after a
    manual recovery.

    >>> ha_f500_enhanced_dt(12)
    Traceback (most recent call last):
    ...
    labkit.errors.ConfigurationError: the sites are 12 km apart; the Enhanced DT stretch cluster allows at most 10 km [rule: stretch cluster sites are at most 10 km apart; source: paper, Compaq ProLiant Cluster HA/F500 Enhanced DT Solution]
    """
    if isinstance(distance_km, bool) or not isinstance(distance_km, (int, float)) or distance_km < 0:
        raise ValidationError(f"distance_km must be a number >= 0, not {distance_km!r}", rule="sites are apart",
                              source="paper, Compaq ProLiant Cluster HA/F500 Enhanced DT Solution")
    if distance_km > DT_MAX_KM:
        raise ConfigurationError(f"the sites are {distance_km:g} km apart; the Enhanced DT stretch cluster allows at "
                                 f"most {DT_MAX_KM:g} km", rule="stretch cluster sites are at most 10 km apart",
                                 source="paper, Compaq ProLiant Cluster HA/F500 Enhanced DT Solution")
    t = Topology("ProLiant Cluster HA/F500 Enhanced DT (stretch cluster)",
                 source=f"paper, HA/F500 Enhanced DT Solution ({_HA_URL}ha-f500dt-description.html)")
    t.notes.extend(("one node per site [D]", "two long-wave links, one per fabric [U]",
                    "heartbeat over a private inter-site link and the public LAN [U]",
                    "the paper's DT kit runs Windows NT 4.0 Enterprise Edition; Exchange 2000 needs Windows 2000 "
                    "(shown as a what-if) [D]"))
    a_site = t.add_site("Initiator site")
    b_site = t.add_site("Target site", distance_km=distance_km)
    na = t.add_server("NODE-A", model="ProLiant (high end)", cpus=4, memory_gb=2.0, power_supplies=2, site=a_site)
    nb = t.add_server("NODE-B", model="ProLiant (high end)", cpus=4, memory_gb=2.0, power_supplies=2, site=b_site)
    t.add_network("Public", NetworkRole.MIXED)
    lan_a = t.add_network_device("Public LAN switch A", "Public", site=a_site, infrastructure=True)
    lan_b = t.add_network_device("Public LAN switch B", "Public", site=b_site, infrastructure=True)
    t.connect_network_devices(lan_a, lan_b, link="Inter-site LAN link", infrastructure=True)
    t.add_clients(lan_a, lan_b)
    t.add_nic(na, lan_a)
    t.add_nic(nb, lan_b)
    t.add_network("Private", NetworkRole.PRIVATE)
    hb_a = t.add_network_device("Heartbeat switch A", "Private", site=a_site)
    hb_b = t.add_network_device("Heartbeat switch B", "Private", site=b_site)
    t.connect_network_devices(hb_a, hb_b, link="Inter-site heartbeat link (Ethernet/FDDI)")
    t.add_nic(na, hb_a)
    t.add_nic(nb, hb_b)
    sw = {}
    for site, tag in ((a_site, "A"), (b_site, "B")):
        for i in (1, 2):
            sw[tag, i] = t.add_fabric_device(f"FC switch {tag}{i}", "switch", site=site)
    for i in (1, 2):
        t.connect_fabric(sw["A", i], sw["B", i], link=f"Long-wave FC link {i}")
        t.add_hba(na, sw["A", i])
        t.add_hba(nb, sw["B", i])
    design = plan_storage(2000, 2)
    init = t.add_storage("Initiator RA8000", RA8000, controllers=2, site=a_site)
    targ = t.add_storage("Target RA8000", RA8000, controllers=2, site=b_site)
    for j, ctl in enumerate(t.controllers_of(init), start=1):
        t.connect_storage(ctl, sw["A", j])
    for j, ctl in enumerate(t.controllers_of(targ), start=1):
        t.connect_storage(ctl, sw["B", j])
    for pa in design.arrays:
        primary = t.add_array(init, pa.label, pa.array, for_=sorted(pa.virtual_servers),
                              quorum=Role.QUORUM in pa.roles)
        t.add_array(targ, f"{pa.label} (DRM replica)", pa.array, replica_of=primary)
    return t


@dataclass(frozen=True)
class LadderStep:
    """One rung of :func:`redundancy_ladder`: what was added and the SPOFs left."""

    change: str
    topology: Topology
    report: SpofReport

    @property
    def cluster_spofs(self) -> list[str]:
        return self.report.components(scope="cluster")


def redundancy_ladder(servers: int = 2) -> list[LadderStep]:
    """From a cluster with every single point of failure to one with none, one
    redundancy at a time (paper, The Problems Clustering Solves).

    >>> [(s.change, s.cluster_spofs) for s in redundancy_ladder()][-1]
    ('a second heartbeat network', [])
    """
    design = plan_storage(1000, servers)
    steps = [
        ("one controller, one hub, one path, one heartbeat network",
         dict(controllers=1, fabric="hub", fabric_devices=1, paths_per_node=1, heartbeat_networks=1)),
        ("redundant array controllers",
         dict(controllers=2, fabric="hub", fabric_devices=1, paths_per_node=1, heartbeat_networks=1)),
        ("a dual loop (two hubs), still one path per node",
         dict(controllers=2, fabric="hub", fabric_devices=2, paths_per_node=1, heartbeat_networks=1)),
        ("two paths per node (one HBA on each loop)",
         dict(controllers=2, fabric="hub", fabric_devices=2, paths_per_node=2, heartbeat_networks=1)),
        ("a switched fabric with two paths per node",
         dict(controllers=2, fabric="switch", fabric_devices=2, paths_per_node=2, heartbeat_networks=1)),
        ("a second heartbeat network",
         dict(controllers=2, fabric="switch", fabric_devices=2, paths_per_node=2, heartbeat_networks=2)),
    ]
    out = []
    for change, knobs in steps:
        t = build_cluster(f"ladder: {change}", servers=servers, design=design, enclosure=RA4000,
                          public_role=NetworkRole.PUBLIC, heartbeat_device="hub", **knobs)
        out.append(LadderStep(change, t, spof_report(t)))
    return out


#: The paper's configurations, by name.
PRESETS = {
    "4-node 5,000 users (Table 9)": reference_5000,
    "ProLiant CL1850": proliant_cl1850,
    "HA/F100": ha_f100,
    "HA/F200": ha_f200,
    "HA/F500": ha_f500,
    "HA/F500 Enhanced DT": ha_f500_enhanced_dt,
}


def preset(name: str) -> Topology:
    """One of :data:`PRESETS` by name."""
    if name not in PRESETS:
        raise NotFoundError(f"no preset {name!r}; choose one of {', '.join(PRESETS)}", rule="hardware presets",
                            source="paper, Compaq ProLiant Cluster Packaged Solutions for Exchange 2000")
    return PRESETS[name]()


__all__ = ["Kind", "NetworkRole", "Effect", "CLUSTER", "Topology", "Outcome", "failure_outcome", "Spof",
           "SpofReport", "spof_report", "node_spofs", "build_cluster", "reference_5000", "proliant_cl1850",
           "ha_f100", "ha_f200", "ha_f500", "ha_f500_enhanced_dt", "DT_MAX_KM", "PRESETS", "preset",
           "LadderStep", "redundancy_ladder"]
