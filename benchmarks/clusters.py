"""The benchmark's clusters: the paper's 4-node reference cluster and service clusters of
nine-resource groups (the shape of an Exchange virtual server, ``SERVICE_TREE``) at the
benchmark's sizes. Up to 64 nodes they are ``labkit.scenarios.service_cluster``; 128
nodes is beyond today's failover clustering (64 nodes per cluster), so that size runs on
the simulation-only "Scale" edition, built by the same ``service_cluster``.

    >>> c = build(4, 4)
    >>> len(c.nodes), len(c.groups)
    (4, 5)
"""
from __future__ import annotations

from labkit import Cluster
from labkit.scenarios import four_node_5000
from labkit.scenarios import service_cluster

#: (nodes, groups): the paper's cluster, then service clusters.
SIZES = [(4, 4), (16, 100), (32, 500), (64, 1000), (128, 4000)]


def label(nodes: int, groups: int) -> str:
    return "paper: 4 nodes, 4 EVS" if (nodes, groups) == (4, 4) else f"{nodes} nodes, {groups:,} groups x 9"


def _scale_node_address(i: int) -> str:
    return f"10.2.{i // 250}.{i % 250 + 1}"


def _scale_service_address(k: int) -> str:
    return f"10.{101 + (k - 1) // 62500}.{1 + (k - 1) // 250 % 250}.{1 + (k - 1) % 250}"


def build(nodes: int, groups: int) -> Cluster:
    """The stable cluster of one benchmark size (more than 64 nodes: on the "Scale" edition,
    with addresses that reach past 250 nodes and 62,500 groups)."""
    if (nodes, groups) == (4, 4):
        return four_node_5000()
    if nodes <= 64:
        return service_cluster(nodes=nodes, groups=groups)
    return service_cluster(nodes=nodes, groups=groups, edition="Scale", node_address=_scale_node_address,
                           service_address=_scale_service_address)
