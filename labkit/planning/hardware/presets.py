"""Cluster shapes to start from: :func:`build_cluster` for the usual two- to
four-node clusters, the paper's Compaq packaged solutions (HA/F100 ... HA/F500
Enhanced DT, paper, Compaq ProLiant Cluster Packaged Solutions for Exchange 2000),
the reference 5,000-user cluster and the :func:`redundancy_ladder`.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Sequence

from ...errors import ConfigurationError, NotFoundError, ValidationError
from ..findings import as_tuple
from ..raid import CL1850_CAGE, RA4000, RA4100, RA8000, EnclosureModel
from ..storage import Role, SizingAssumptions, StorageDesign, plan_storage, table9
from .spof import SpofReport, spof_report
from .topology import NetworkRole, Topology, component_name


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
    names = _server_names(servers)
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
    _wire_networks(t, names, public_role, heartbeat_networks, heartbeat_device)
    devices = _wire_fabric(t, names, fabric, fabric_devices, paths_per_node)
    _wire_storage(t, replace(design, enclosure=enclosure), enclosure, controllers, devices)
    return t


def _server_names(servers) -> list:
    """``servers`` (a count or names) as checked server names."""
    if isinstance(servers, bool):
        servers = None
    names = [f"NODE{i}" for i in range(1, servers + 1)] if isinstance(servers, int) \
        else list(as_tuple(servers, "servers", source="labkit.planning.hardware"))
    for n in names:
        component_name(n, "server name")
    if not names or len(set(names)) != len(names):
        raise ValidationError(f"servers must be a count >= 1 or distinct names, not {servers!r}",
                              rule="a cluster has nodes", source="labkit.planning.hardware")
    return names


def _wire_networks(t: Topology, names: list, public_role, heartbeat_networks: int, heartbeat_device) -> None:
    """The public LAN with the clients, and the heartbeat networks, each node on every one."""
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


def _wire_fabric(t: Topology, names: list, fabric: str, fabric_devices: int, paths_per_node: int) -> list:
    """The storage interconnect's devices, and each node's HBAs on them; the devices."""
    kind_label = {"hub": "FC hub", "switch": "FC switch", "scsi": "Shared SCSI bus"}.get(fabric)
    if kind_label is None:
        raise ValidationError(f"fabric must be 'hub', 'switch' or 'scsi', not {fabric!r}",
                              rule="storage interconnects", source="paper, Compaq ProLiant Cluster solutions")
    devices = [t.add_fabric_device(f"{kind_label} {i}" if fabric_devices > 1 or fabric != "scsi" else kind_label,
                                   fabric) for i in range(1, fabric_devices + 1)]
    for n in names:
        for p in range(paths_per_node):
            t.add_hba(n, devices[p % len(devices)])
    return devices


def _wire_storage(t: Topology, design: StorageDesign, enclosure: EnclosureModel, controllers: int,
                  devices: list) -> None:
    """The enclosures the design's arrays fill, their controllers on the fabric, the arrays."""
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
    _dt_networks(t, a_site, b_site, na, nb)
    _dt_storage(t, a_site, b_site, na, nb)
    return t


def _dt_networks(t: Topology, a_site, b_site, na, nb) -> None:
    """The stretch cluster's networks: a public LAN switch and a heartbeat switch at each
    site, each pair joined by an inter-site link, one NIC per node on each."""
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


def _dt_storage(t: Topology, a_site, b_site, na, nb) -> None:
    """The stretch cluster's storage: two FC switches per site joined by long-wave links, an
    HBA per node on each fabric, and the Initiator RA8000's arrays mirrored (DRM) to the
    Target RA8000."""
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
