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

The package's modules, in the order a failure travels: :mod:`.topology` (the graph),
:mod:`.replay` (what survives a set of failed components), :mod:`.spof` (every
component failed in turn), :mod:`.presets` (the paper's configurations and the
redundancy ladder). This ``__init__`` gathers their public names, so
``planning.hardware.ha_f500()`` and ``from labkit.planning.hardware import ...`` read
as one module.

>>> r = spof_report(ha_f100())
>>> sorted({s.component for s in r.spofs if s.scope == "cluster"})
['FC hub 1', 'RA4000 1 controller A', 'RA4000 2 controller A']
>>> spof_report(ha_f500()).no_spof
True
"""
from .presets import (DT_MAX_KM, PRESETS, LadderStep, build_cluster, ha_f100, ha_f200, ha_f500, ha_f500_enhanced_dt,
                      preset, proliant_cl1850, redundancy_ladder, reference_5000)
from .replay import Outcome, failure_outcome
from .spof import Spof, SpofReport, node_spofs, spof_report
from .topology import CLUSTER, Effect, Fabric, Kind, NetworkDevice, NetworkRole, Scope, Topology

__all__ = ["Kind", "NetworkRole", "Effect", "Scope", "NetworkDevice", "Fabric", "CLUSTER", "Topology", "Outcome",
           "failure_outcome", "Spof",
           "SpofReport", "spof_report", "node_spofs", "build_cluster", "reference_5000", "proliant_cl1850",
           "ha_f100", "ha_f200", "ha_f500", "ha_f500_enhanced_dt", "DT_MAX_KM", "PRESETS", "preset",
           "LadderStep", "redundancy_ladder"]
