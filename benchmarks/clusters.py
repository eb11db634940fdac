"""The benchmark's clusters: the paper's 4-node reference cluster and service clusters of
nine-resource groups (the shape of an Exchange virtual server, ``SERVICE_TREE``) at the
benchmark's sizes. Up to 64 nodes they are ``labkit.scenarios.service_cluster``; 128
nodes is beyond today's failover clustering (64 nodes per cluster), so that size runs on
the simulation-only "Scale" edition, built the same way.

    >>> c = build(4, 4)
    >>> len(c.nodes), len(c.groups)
    (4, 5)
"""
from __future__ import annotations

from labkit import Cluster
from labkit.scenarios import four_node_5000
from labkit.scenarios import DRIVE_LETTERS, SERVICE_TREE, service_cluster

#: (nodes, groups): the paper's cluster, then service clusters.
SIZES = [(4, 4), (16, 100), (32, 500), (64, 1000), (128, 4000)]


def label(nodes: int, groups: int) -> str:
    return "paper: 4 nodes, 4 EVS" if (nodes, groups) == (4, 4) else f"{nodes} nodes, {groups:,} groups x 9"


def scale_cluster(nodes: int, groups: int) -> Cluster:
    """:func:`service_cluster`'s cluster on the "Scale" edition (for more than 64 nodes)."""
    c = Cluster("BENCH", ip="10.1.0.100", edition="Scale")
    for i in range(1, nodes + 1):
        c.add_node(f"N{i}", ip=f"10.2.{i // 250}.{i % 250 + 1}")
    names = c.node_ids()
    for k in range(1, groups + 1):
        g = f"SVC{k}"
        c.add_group(g)
        disk = {"drive": DRIVE_LETTERS[k - 1] + ":"} if k <= len(DRIVE_LETTERS) else {}
        props = {"Disk": disk, "IP": {"address": f"10.{101 + (k - 1) // 62500}.{1 + (k - 1) // 250 % 250}."
                                                 f"{1 + (k - 1) % 250}"},
                 "Name": {"name": f"SVC{k}"}}
        for part, rtype, needs in SERVICE_TREE:
            c.add_resource(f"{part} {g}", type=rtype, group=g, dependencies=[f"{n} {g}" for n in needs],
                           **props.get(part, {}))
            c.set_monitor(f"{part} {g}", g)
        owner = names[(k - 1) % len(names)]
        c.set_preferred_owners(g, [owner] + [n for n in names if n != owner])
        c.online_group(g, owner)
    c.run_until_stable()
    return c


def build(nodes: int, groups: int) -> Cluster:
    """The stable cluster of one benchmark size."""
    if (nodes, groups) == (4, 4):
        return four_node_5000()
    if nodes <= 64:
        return service_cluster(nodes=nodes, groups=groups)
    return scale_cluster(nodes, groups)
