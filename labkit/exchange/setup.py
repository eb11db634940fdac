"""Installing Exchange 2000 on cluster nodes (paper, Installing Exchange 2000 Server).

Exchange 2000 setup notices the cluster and installs a cluster-aware copy of the
binaries on each node's *local* system disk (unlike Exchange 5.5, whose binaries
sat on the shared disk), registers the Exchange resource types (EXRES.DLL and
EXCLUADM.DLL), and the node must be restarted before going on. Installations run
one at a time: setup on a second node is refused until the first node is back.

>>> import labkit as lk
>>> c = lk.Cluster("LAB", ip="10.0.0.100")
>>> _ = c.add_node("A", ip="10.0.0.1"); _ = c.add_node("B", ip="10.0.0.2")
>>> install(c, "A")
>>> install(c, "B")
Traceback (most recent call last):
labkit.errors.ProcedureError: Exchange 2000 setup on A is still under way (setup, then a restart); wait for A to be Up again [rule: run one Exchange installation at a time; source: paper, Installing Exchange 2000 Server]
>>> c.run_until_stable(); install(c, "B"); c.run_until_stable()
>>> installed_nodes(c)
['A', 'B']
"""
from __future__ import annotations

from dataclasses import fields

from ..cluster.model import NodeState
from ..values import COUNT, exact, show
from ..errors import ConfigurationError, ProcedureError, StateError, ValidationError
from .e55 import EXT as EXT55
from .model import NODE_KEY, ExchangeSettings, need_org, org
from .rules import check_full_admin
from .types import EXCHANGE_TYPES, install_under_way, installed

SRC_INSTALL = "paper, Installing Exchange 2000 Server"
#: Where setup puts the binaries: the node's local system drive (paper, Installing
#: Exchange 2000 Server). The folder is Exchange 2000's default.
BINARIES = "C:\\Program Files\\Exchsrvr"
VERSION = "Exchange 2000 Enterprise Server"
SRC_REMOVE = "paper, Removing Exchange Virtual Servers and Binaries from a Cluster"


def installed_nodes(cluster) -> list[str]:
    """Nodes with Exchange 2000 installed, in node-id order."""
    return [n for n in cluster.node_ids() if installed(cluster, n)]


def install(cluster, node: str) -> None:
    """Run Exchange 2000 setup on ``node``: binaries on its local disk, the nine
    Exchange resource types offered in the cluster, then the node restarts (its groups
    move away first). Only one installation at a time (paper, Installing Exchange 2000
    Server); nodes installed later are *not* added to existing Exchange resources'
    possible owners (paper, Resource Ownership and Failover).

    If ``node`` is the only running member, the restart stops the cluster; the node
    forms it again when it is back (``settings.node_reboot_s`` later).
    """
    n = cluster.node(node)
    node = n.name
    if installed(cluster, node):
        raise StateError(f"Exchange 2000 is already installed on {node}",
                         rule="setup installs Exchange 2000 once per node", source=SRC_INSTALL)
    if cluster.extensions.get(EXT55) is not None:
        raise ConfigurationError(
            "this cluster runs Exchange 5.5; remove it first (in-place upgrade, step 4) or build a new cluster "
            "and move the mailboxes", rule="Exchange 5.5 and Exchange 2000 do not share a cluster",
            source="paper, Migrating From Exchange 5.5 Clusters")
    busy = install_under_way(cluster)
    if busy:
        raise ProcedureError(f"Exchange 2000 setup on {busy} is still under way (setup, then a restart); "
                             f"wait for {busy} to be Up again", rule="run one Exchange installation at a time",
                             source=SRC_INSTALL)
    if n.state not in (NodeState.UP, NodeState.PAUSED) or n.leaving:
        raise StateError(f"node {node} is {n.state}; setup runs on a running cluster member",
                         rule="Exchange 2000 setup discovers the cluster from a running node", source=SRC_INSTALL)
    before = n.incarnation
    with cluster.transaction():
        o = org(cluster, create=True)
        for t in EXCHANGE_TYPES:
            cluster.install_resource_type(t)
        n.properties[NODE_KEY] = {"version": VERSION, "binaries": BINARIES,
                                  "installed_at": cluster.now.isoformat(timespec="seconds")}
        cluster.record(node, "Exchange 2000 installed",
                       f"cluster-aware binaries on the local disk ({BINARIES}); EXRES.DLL and EXCLUADM.DLL "
                       "registered; the node restarts before going on", node)
        o.installing = {"node": node, "incarnation": before}
        cluster.restart_node(node)   # the last running node re-forms the cluster when it is back


def uninstall(cluster, node: str, *, remove_cluster_resources: bool | None = None) -> None:
    """Run Exchange 2000 setup's Remove on ``node``: the binaries go and the node leaves
    the possible owners of every Exchange resource. Refused while Exchange resources run
    on it, and when it is the last possible owner of an Exchange resource: remove the
    virtual servers first.

    Setup then asks whether to remove the Exchange cluster resources (the nine Exchange
    resource types of EXRES.DLL); the paper: "do not remove the Exchange cluster
    resources unless this is the last cluster node running Exchange services" (Removing
    Exchange Virtual Servers and Binaries from a Cluster). ``remove_cluster_resources``
    is the answer: by default yes on the last node running Exchange and no elsewhere;
    yes on any other node is refused.
    """
    check_full_admin(cluster, "remove Exchange 2000")
    node = cluster.node(node).name
    if not installed(cluster, node):
        raise StateError(f"Exchange 2000 is not installed on {node}", rule="remove what is installed")
    busy = install_under_way(cluster)
    if busy:
        raise ProcedureError(f"Exchange 2000 setup on {busy} is still under way",
                             rule="run one Exchange installation at a time", source=SRC_INSTALL)
    if remove_cluster_resources is not None and not isinstance(remove_cluster_resources, bool):
        raise ValidationError(f"remove_cluster_resources must be True, False or None, not {remove_cluster_resources!r}",
                              rule="setup's question has a yes or no answer", source=SRC_REMOVE)
    last_node = installed_nodes(cluster) == [node]
    if remove_cluster_resources is None:
        remove_cluster_resources = last_node
    if remove_cluster_resources and not last_node:
        others = ", ".join(n for n in installed_nodes(cluster) if n != node)
        raise ProcedureError(f"{node} is not the last node running Exchange ({others} still do): keep the Exchange "
                             "cluster resources", rule="do not remove the Exchange cluster resources unless this is "
                             "the last cluster node running Exchange", source=SRC_REMOVE)
    names = {t.name for t in EXCHANGE_TYPES}
    mine = [r for r in cluster.resources.values() if r.type in names and node in r.possible_owners]
    last = [r.name for r in mine if r.possible_owners == [node]]
    if last:
        raise ProcedureError(f"{node} is the last possible owner of {', '.join(last)}; remove those virtual "
                             "servers first", rule="keep the Exchange cluster resources unless this is the last "
                             "node running Exchange", source=SRC_REMOVE)
    running = [r.name for r in mine if r.node == node]
    if running:
        raise StateError(f"{', '.join(running)} run on {node}; move their groups away first",
                         rule="remove Exchange from a node that runs none of its resources", source=SRC_REMOVE)
    with cluster.transaction():
        for r in mine:
            cluster.set_possible_owners(r.name, [x for x in r.possible_owners if x != node])
        del cluster.nodes[node].properties[NODE_KEY]
        cluster.record(node, "Exchange 2000 removed", f"setup Remove by {cluster.account}", node)
        if remove_cluster_resources:
            left = [r.name for r in cluster.resources.values() if r.type in names]
            if left:
                raise ProcedureError(f"Exchange resources remain ({', '.join(left[:3])}): remove their virtual "
                                     "servers first", rule="the Exchange cluster resources go only with the last "
                                     "virtual server", source=SRC_REMOVE)
            for t in EXCHANGE_TYPES:
                cluster.resource_types.pop(t.name, None)
            cluster.record(node, "Exchange cluster resources removed",
                           "the last node running Exchange: setup Remove unregisters the nine Exchange resource "
                           "types (EXRES.DLL)", node)


def configure(cluster, **settings) -> ExchangeSettings:
    """Change the Exchange layer's named settings (see :class:`ExchangeSettings`), e.g.
    ``configure(c, nntp_follows_kb_259197=True)``. Exchange must be installed first."""
    o = need_org(cluster)
    known = {f.name: f.type for f in fields(ExchangeSettings)}
    for k, v in settings.items():
        if k not in known:
            raise ValidationError(f"unknown Exchange setting {show(k)}; known: {', '.join(known)}",
                                  rule="settings are named")
        want = bool if known[k] in (bool, "bool") else int
        ok = isinstance(v, bool) if want is bool else COUNT.ok(v)
        if not ok:
            raise ValidationError(f"setting {k} takes {'True or False' if want is bool else 'a whole number >= 1'}, "
                                  f"not {show(v)}", rule="settings have types")
    settings = {k: exact(v) for k, v in settings.items()}
    for k, v in settings.items():
        setattr(o.settings, k, v)
    if settings:
        cluster.record("Exchange", "settings changed", ", ".join(f"{k}={v}" for k, v in settings.items()))
    return o.settings
