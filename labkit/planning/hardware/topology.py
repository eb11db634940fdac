"""Cluster hardware as a graph: servers with their processors, memory, power supplies,
local disks, NICs and HBAs; Ethernet networks; Fibre Channel hubs or switches or a shared
SCSI bus; storage enclosures with their controllers, drives and arrays; sites.
:mod:`labkit.planning.hardware` tells what the graph is for (paper, The Problems
Clustering Solves).
"""
from __future__ import annotations

from enum import StrEnum
from typing import Iterable

import networkx as nx

from ...errors import ConfigurationError, NameConflictError, NotFoundError, ValidationError
from .. import raid
from ..findings import as_tuple
from ..raid import RA4100, Array, EnclosureModel, RaidLevel


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



class Scope(StrEnum):
    """Whose component it is: the cluster's own, the infrastructure around it (the public
    LAN, the clients), or a whole site."""

    CLUSTER = "cluster"
    INFRASTRUCTURE = "infrastructure"
    SITE = "site"


class NetworkDevice(StrEnum):
    """What joins a network's adapters: a crossover cable (two nodes only), a hub or a switch."""

    CABLE = "cable"
    HUB = "hub"
    SWITCH = "switch"


class Fabric(StrEnum):
    """A storage interconnect: a Fibre Channel hub (a loop), a Fibre Channel switch (a
    fabric) or a shared SCSI bus (paper, Compaq ProLiant Cluster solutions)."""

    HUB = "hub"
    SWITCH = "switch"
    SCSI = "scsi"


class NetworkRole(StrEnum):
    """Cluster network roles as Cluster Administrator names them (Windows 2000)."""

    PRIVATE = "internal cluster communications only"
    PUBLIC = "client access only"
    MIXED = "all communications"


#: The network roles that carry the heartbeat, and those that carry client traffic.
HEARTBEAT_ROLES = (NetworkRole.PRIVATE, NetworkRole.MIXED)
CLIENT_ROLES = (NetworkRole.PUBLIC, NetworkRole.MIXED)
_FABRIC_KINDS = {Fabric.HUB: Kind.FC_HUB, Fabric.SWITCH: Kind.FC_SWITCH, Fabric.SCSI: Kind.SCSI_BUS}
#: Kinds that are logical or taken not to fail.
_NOT_CANDIDATES = (Kind.ARRAY, Kind.CLIENTS)


class Effect(StrEnum):
    """What losing a component does to a target (a virtual server or the cluster)."""

    STOPS = "stops"
    MANUAL_RECOVERY = "stops until a manual recovery at the target site"
    ARBITRATION = "may stop: depends on which partition wins the quorum"
    SPLITS = "splits the cluster membership"



def component_name(v, what) -> str:
    if not isinstance(v, str) or not v.strip():
        raise ValidationError(f"{what} must be a non-empty name, not {v!r}", rule="components are named",
                              source="labkit.planning.hardware")
    return v


class Topology:
    """The hardware of one cluster as a ``networkx.Graph`` (``self.graph``).

    Nodes are component names with attributes ``kind`` (:class:`Kind`), ``scope``
    (:class:`Scope`), ``within`` (the enclosure, server or
    site that takes it down with it) and kind-specific data. Edges carry a
    ``layer``: "part", "lan" (with ``network``), "storage", "site".

    >>> t = Topology("demo")
    >>> _ = t.add_server("N1"); t.graph.nodes["N1 CPU 1"]["kind"]
    <Kind.CPU: 'processor'>
    """

    def __init__(self, name: str, *, source: str = ""):
        self.name = component_name(name, "topology name")
        self.source = source
        self.graph = nx.Graph(name=name)
        self.networks: dict[str, NetworkRole] = {}
        self.virtual_servers: dict[str, tuple] = {}
        self.quorum: str | None = None
        self.quorum_owner: str | None = None
        self.notes: list[str] = []

    # --- building -------------------------------------------------------------------------------
    def _add(self, name, kind: Kind, *, scope=Scope.CLUSTER, within=None, **attrs) -> str:
        component_name(name, f"{kind} name")
        if name in self.graph:
            raise NameConflictError(f"{name!r} is already a component of {self.name}",
                                    rule="component names are unique", source="labkit.planning.hardware")
        if within is not None:
            self.component(within)
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

    def component(self, name, *kinds: Kind) -> dict:
        """The data of component ``name`` (refused if there is none, or if it is not of one
        of ``kinds`` when they are given)."""
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
            self.component(site, Kind.SITE)
        return site

    def add_site(self, name: str, *, distance_km: float = 0.0) -> str:
        """A site: losing it loses everything placed there."""
        return self._add(name, Kind.SITE, scope=Scope.SITE, distance_km=distance_km)

    def add_server(self, name: str, *, model: str = "ProLiant DL380", cpus: int = 2, memory_gb: float = 1.0,
                   power_supplies: int = 1, local_drives: int = 2, site: str | None = None) -> str:
        """A server with its processors, memory, power supplies, local array controller
        and boot disks (mirrored when there are two or more)."""
        for what, v, low in (("cpus", cpus, 1), ("power_supplies", power_supplies, 1), ("local_drives", local_drives, 1)):
            if isinstance(v, bool) or not isinstance(v, int) or v < low:
                raise ValidationError(f"{what} must be a whole number >= {low}, not {v!r}",
                                      rule="servers have parts", source="labkit.planning.hardware")
        component_name(name, "server name")
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
        component_name(name, "network name")
        if name in self.networks:
            raise NameConflictError(f"network {name!r} exists", rule="network names are unique",
                                    source="labkit.planning.hardware")
        try:
            self.networks[name] = NetworkRole(role)
        except ValueError:
            raise ValidationError(f"unknown network role {role!r}", rule="network roles",
                                  source="Windows 2000 Cluster Administrator") from None
        return name

    def add_network_device(self, name: str, network: str, *, kind: NetworkDevice = NetworkDevice.SWITCH,
                           site: str | None = None, infrastructure: bool = False) -> str:
        """A hub, switch or crossover cable of ``network``."""
        if network not in self.networks:
            raise NotFoundError(f"no network {network!r}", rule="devices belong to a network",
                                source="labkit.planning.hardware")
        if kind not in tuple(NetworkDevice):
            raise ValidationError(f"network device kind must be one of {', '.join(NetworkDevice)}, not {kind!r}",
                                  rule="a network's adapters meet at a cable, a hub or a switch",
                                  source="labkit.planning.hardware")
        return self._add(name, Kind.NETWORK_DEVICE, scope=Scope.INFRASTRUCTURE if infrastructure else Scope.CLUSTER,
                         within=self._site(site), network=network, device=NetworkDevice(kind))

    def add_nic(self, server: str, device: str, name: str | None = None) -> str:
        """A network adapter of ``server`` plugged into ``device``."""
        self.component(server, Kind.SERVER)
        net = self.component(device, Kind.NETWORK_DEVICE)["network"]
        nic = self._add(name or f"{server} NIC ({network_label(net)})", Kind.NIC, within=server, network=net)
        self.graph.add_edge(server, nic, layer="lan", network=net)
        self.graph.add_edge(nic, device, layer="lan", network=net)
        return nic

    def connect_network_devices(self, a: str, b: str, *, link: str | None = None, site=None,
                                infrastructure: bool = False) -> None:
        """Join two devices of one network, directly or through a named ``link`` (a component)."""
        na, nb = self.component(a, Kind.NETWORK_DEVICE)["network"], self.component(b, Kind.NETWORK_DEVICE)["network"]
        if na != nb:
            raise ValidationError(f"{a!r} and {b!r} are on different networks", rule="a network is one LAN",
                                  source="labkit.planning.hardware")
        if link:
            self._site(site)
            self._add(link, Kind.LINK, scope=Scope.INFRASTRUCTURE if infrastructure else Scope.CLUSTER,
                      within=site, network=na)
            self.graph.add_edge(a, link, layer="lan", network=na)
            self.graph.add_edge(link, b, layer="lan", network=na)
        else:
            self.graph.add_edge(a, b, layer="lan", network=na)

    def add_clients(self, *devices: str, name: str = "clients") -> str:
        """The users, reached through public-network ``devices``."""
        if name not in self.graph:
            self._add(name, Kind.CLIENTS, scope=Scope.INFRASTRUCTURE)
        for d in devices:
            net = self.component(d, Kind.NETWORK_DEVICE)["network"]
            self.graph.add_edge(d, name, layer="lan", network=net)
        return name

    def add_fabric_device(self, name: str, kind: Fabric = Fabric.HUB, *, site: str | None = None) -> str:
        """A Fibre Channel hub (a loop) or switch (a fabric), or a shared SCSI bus."""
        if kind not in _FABRIC_KINDS:
            raise ValidationError(f"fabric kind must be one of {', '.join(_FABRIC_KINDS)}, not {kind!r}",
                                  rule="storage interconnects", source="paper, Compaq ProLiant Cluster solutions")
        return self._add(name, _FABRIC_KINDS[kind], within=self._site(site))

    def connect_fabric(self, a: str, b: str, *, link: str | None = None) -> None:
        """Join two fabric devices (an inter-switch link), directly or through a named ``link``."""
        kinds = tuple(_FABRIC_KINDS.values())
        self.component(a, *kinds)
        self.component(b, *kinds)
        if link:
            self._add(link, Kind.LINK)
            self.graph.add_edge(a, link, layer="storage")
            self.graph.add_edge(link, b, layer="storage")
        else:
            self.graph.add_edge(a, b, layer="storage")

    def add_hba(self, server: str, device: str, name: str | None = None) -> str:
        """A host bus adapter of ``server`` cabled to fabric ``device``."""
        self.component(server, Kind.SERVER)
        self.component(device, *_FABRIC_KINDS.values())
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
        component_name(name, "enclosure name")
        self._site(site)
        self._free(name, *[f"{name} controller {'AB'[c]}" for c in range(controllers)])
        self._add(name, Kind.ENCLOSURE, within=site, model=model, passive=True)
        for c in range(controllers):
            ctl = self._add(f"{name} controller {'AB'[c]}", Kind.CONTROLLER, within=name)
            self.graph.add_edge(ctl, name, layer="storage")
        return name

    def controllers_of(self, storage: str) -> list[str]:
        self.component(storage, Kind.ENCLOSURE)
        return sorted(x for x in self.graph[storage] if self.graph.nodes[x]["kind"] is Kind.CONTROLLER)

    def connect_storage(self, controller_or_enclosure: str, device: str) -> None:
        """Cable an array controller (or a controller-less drive cage) to a fabric device."""
        self.component(controller_or_enclosure, Kind.CONTROLLER, Kind.ENCLOSURE)
        self.component(device, *_FABRIC_KINDS.values())
        self.graph.add_edge(controller_or_enclosure, device, layer="storage")

    def add_array(self, storage: str, label: str, array: Array, *, for_: Iterable[str] = (),
                  quorum: bool = False, replica_of: str | None = None) -> str:
        """An array of ``storage``, used by the virtual servers ``for_`` (or the quorum).

        ``replica_of`` makes it a synchronous mirror of another array that the
        cluster cannot use until a manual recovery (Data Replication Manager).
        """
        enc = self.component(storage, Kind.ENCLOSURE)
        users = as_tuple(for_, "virtual servers of an array", source="labkit.planning.hardware")
        for vs in users:
            component_name(vs, "virtual server name")
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
            self.component(replica_of, Kind.ARRAY)
        component_name(label, "array label")
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
        return self.component(name)["kind"]

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
