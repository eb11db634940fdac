"""Creating and removing Exchange 2000 virtual servers.

:func:`create_virtual_server` does what the paper's "Creating Exchange 2000
Virtual Servers" asks of the administrator, in the same order: a group; an IP
Address; a Network Name depending on it; the Physical Disks; then the System
Attendant depending on the Network Name and every disk -- which creates the rest
(Table 7). :func:`remove_virtual_server` follows "Removing Exchange Virtual
Servers": the group offline first, then the System Attendant and, with it, every
Exchange resource that depends on it.

>>> import labkit as lk
>>> from labkit.exchange import install
>>> c = lk.Cluster("LAB", ip="10.0.0.100")
>>> _ = c.add_node("A", ip="10.0.0.1"); _ = c.add_node("B", ip="10.0.0.2")
>>> install(c, "A"); c.run_until_stable(); install(c, "B"); c.run_until_stable()
>>> create_virtual_server(c, "EXVS1", ip="10.0.0.11", disks=["Disk E:"], node="A")
'EXVS1'
>>> c.online_group("EXVS1"); c.run_until_stable(); str(c.groups["EXVS1"].state)
'Online'
"""
from __future__ import annotations

import re

from ..cluster.model import ResourceState
from ..cluster.types import check_netbios_name, check_static_ip
from ..values import show
from ..errors import (ConfigurationError, OwnershipError, ProcedureError, StateError,
                      ValidationError)
from .model import VirtualServer, need_org, org
from .rules import check_full_admin
from .types import SRC_CREATE, SRC_REMOVE, SYSTEM_ATTENDANT, TABLE7_BY_ROLE, install_under_way, installed

_DRIVE = re.compile(r"([A-Za-z]:)\s*$")


def virtual_servers(cluster) -> list[str]:
    """Names of the Exchange virtual servers, in creation order."""
    o = org(cluster)
    return list(o.virtual_servers) if o is not None else []


def virtual_server(cluster, name: str) -> VirtualServer:
    """The :class:`VirtualServer` called ``name``."""
    return need_org(cluster).server(name)


def resource_names(evs: str, *, ip: str | None = None, network_name: str | None = None) -> dict[str, str]:
    """The resource names :func:`create_virtual_server` uses, by role.

    >>> resource_names("EXVS1")["Network Name"]
    'EXVS1 Network Name'
    """
    out = {"IP Address": ip or f"{evs} IP Address", "Network Name": network_name or f"{evs} Network Name"}
    for role, row in TABLE7_BY_ROLE.items():
        out[role] = row.default_name.format(evs=evs)
    return out


def _check_disk_list(evs: str, disks) -> None:
    """``disks`` is a list of at least one disk name, each named once."""
    if isinstance(disks, str) or not isinstance(disks, (list, tuple)):
        raise ValidationError(f"disks must be a list of Physical Disk resource names, not {show(disks)}",
                              rule="a virtual server's disks are Physical Disk resources", source=SRC_CREATE)
    if not disks:
        raise ConfigurationError(f"{evs} needs at least one Physical Disk for its logs and databases",
                                 rule="an Exchange virtual server has at least one disk resource",
                                 source="paper, Design Storage Before Configuring the Cluster; Table 7")
    for d in disks:
        if not isinstance(d, str) or not d.strip():
            raise ValidationError(f"disk names are non-empty strings, not {show(d)}",
                                  rule="a virtual server's disks are Physical Disk resources", source=SRC_CREATE)
    if len(set(disks)) != len(disks):
        raise ValidationError("a disk is listed twice", rule="list each disk once")


def _group_and_node(cluster, group: str | None, node: str | None) -> tuple[str | None, str | None]:
    """The existing group (not the Cluster Group) and the node (Exchange installed there, and
    the group's owner), as the cluster spells them."""
    if group is not None:
        group = cluster.group(group).name
        if group == cluster.cluster_group:
            raise ConfigurationError("Exchange virtual servers get their own group, not the Cluster Group",
                                     rule="the Cluster Group holds the cluster's own resources",
                                     source="paper, Creating the Exchange Resource Group")
    if node is not None:
        node = cluster.node(node).name
        if not installed(cluster, node):
            raise OwnershipError(f"Exchange 2000 is not installed on {node}",
                                 rule="Exchange resources run only where Exchange 2000 is installed",
                                 source="paper, Resource Ownership and Failover")
        if group is not None and cluster.groups[group].owner != node:
            raise ValidationError(f"group {show(group)} is owned by {cluster.groups[group].owner}, not {node}; "
                                  "move it first or leave node out", rule="a group has one owner at a time")
    return group, node


def _check_existing_disks(cluster, disks: list[str], target: str) -> None:
    """The listed disks that exist already are Physical Disks in the virtual server's group."""
    for d in disks:
        r = cluster.resources.get(d)
        if r is None:
            continue
        if r.type != "Physical Disk":
            raise ValidationError(f"{show(d)} is a {r.type}, not a Physical Disk",
                                  rule="a virtual server's disks are Physical Disk resources", source=SRC_CREATE)
        if r.group != target:
            raise ConfigurationError(
                f"disk {show(d)} is in group {show(r.group)}; virtual servers that share a disk must be in the same group "
                f"(pass group={show(r.group)})" if r.group != cluster.cluster_group else
                f"disk {show(d)} is the Cluster Group's; Exchange needs disks of its own",
                rule="virtual servers that share a disk are in one group",
                source="paper, Clustering Support in Exchange 2000; Design Storage Before Configuring the Cluster")


def create_virtual_server(cluster, name: str, ip: str, disks: list[str], node: str | None = None, *,
                          group: str | None = None) -> str:
    """Create an Exchange virtual server named ``name`` (its Network Name) with the
    paper's steps, all-or-nothing, and return its group's name.

    - ``ip``: its static address; ``disks``: Physical Disk resource names, created when
      they do not exist yet (the drive letter is read from a name like "Disk E:"); the
      first holds the default storage group (the paper's single data location).
    - ``node``: the node the virtual server is meant to run on: it owns the new group and
      is its preferred owner, so ``cluster.online_group`` brings it up there (Table 10
      pairs each virtual server with a node). Default: the first Up node, no preference.
    - ``group``: put it into an existing group instead of a new one named after it --
      virtual servers that share a disk must be in the same group (paper, Clustering
      Support in Exchange 2000).

    The group is left offline: bring it online with ``cluster.online_group``.
    """
    evs = check_netbios_name(name, "virtual server name").upper()
    address = check_static_ip(ip, f"address of {evs}")
    check_full_admin(cluster, "create an Exchange virtual server")
    need_org(cluster)
    _check_disk_list(evs, disks)
    busy = install_under_way(cluster)
    if busy:
        raise ProcedureError(f"Exchange 2000 setup on {busy} has not finished; wait for the node to be back",
                             rule="restart the node after installing Exchange 2000 before proceeding",
                             source="paper, Installing Exchange 2000 Server")
    group, node = _group_and_node(cluster, group, node)
    target = group if group is not None else evs
    _check_existing_disks(cluster, disks, target)
    names = resource_names(evs)
    with cluster.transaction():
        if group is None:
            cluster.add_group(evs)
        cluster.add_resource(names["IP Address"], type="IP Address", group=target, address=address)
        cluster.add_resource(names["Network Name"], type="Network Name", group=target, name=evs,
                             dependencies=[names["IP Address"]])
        for d in disks:
            if d not in cluster.resources:
                m = _DRIVE.search(d)
                props = {"drive": m.group(1)} if m else {}
                cluster.add_resource(d, type="Physical Disk", group=target, **props)
        cluster.add_resource(names["System Attendant"], type=SYSTEM_ATTENDANT, group=target,
                             dependencies=[names["Network Name"], *disks], data_disk=disks[0])
        if node is not None and group is None:
            cluster.set_preferred_owners(target, [node])
            if cluster.groups[target].owner != node:
                cluster.move_group(target, node)
    return target


def check_removal(cluster, name: str, *, delete_group: bool = False, assume_offline: bool = False) -> None:
    """Raise the error :func:`remove_virtual_server` would raise for the same arguments,
    and change nothing: a runbook checks the paper's cautions before acting.

    ``assume_offline`` skips the one rule a runbook satisfies itself next -- the group
    offline first -- so the MTA caution is checked while the virtual server still runs.

    >>> from labkit.exchange import demo_cluster
    >>> c = demo_cluster()
    >>> check_removal(c, "EXVS1")
    Traceback (most recent call last):
    labkit.errors.StateError: group 'EXVS1' is Online (13 resources not offline); take it offline first [rule: take the virtual server's group offline before deleting its resources; source: paper, Removing Exchange Virtual Servers and Binaries from a Cluster]
    >>> check_removal(c, "EXVS1", assume_offline=True)      # the last one: its MTA may go
    """
    check_full_admin(cluster, "remove an Exchange virtual server")
    o = need_org(cluster)
    vs = o.server(name)
    for what, flag in (("delete_group", delete_group), ("assume_offline", assume_offline)):
        if not isinstance(flag, bool):
            raise ValidationError(f"{what} is True or False, not {show(flag)}", rule="switches are True or False")
    g = cluster.groups[vs.group]
    busy = [r for r in g.resources if cluster.resources[r].state not in (ResourceState.OFFLINE, ResourceState.FAILED)]
    if not assume_offline and (busy or g.move is not None):
        raise StateError(f"group {show(g.name)} is {g.state} ({len(busy)} resources not offline); take it offline first",
                         rule="take the virtual server's group offline before deleting its resources",
                         source=SRC_REMOVE)
    if o.mta_server == vs.name and len(o.virtual_servers) > 1:
        others = ", ".join(v for v in o.virtual_servers if v != vs.name)
        raise ProcedureError(f"{vs.name} holds the cluster's MTA instance; delete the other virtual servers "
                             f"({others}) first",
                             rule="the virtual server with the MTA is deleted only when it is the last one",
                             source=SRC_REMOVE)
    if delete_group:
        sharing = [v.name for v in o.virtual_servers.values() if v.group == vs.group and v.name != vs.name]
        if sharing:
            raise ConfigurationError(f"group {show(g.name)} also holds {', '.join(sharing)}; remove it first or keep "
                                     "the group", rule="a group is deleted with its last virtual server")
        if g.name == cluster.cluster_group or cluster.quorum_resource in g.resources:
            raise ConfigurationError(f"group {show(g.name)} holds the quorum resource; it cannot be deleted",
                                     rule="the cluster keeps its Cluster Group and quorum resource",
                                     source="paper, Table 1 (Quorum Resource)")


def remove_virtual_server(cluster, name: str, *, delete_group: bool = False) -> list[str]:
    """Remove an Exchange virtual server: its group must be offline; deleting the System
    Attendant deletes every Exchange resource depending on it; the virtual server with the
    cluster's MTA goes only when it is the last one (paper, Removing Exchange Virtual
    Servers). ``delete_group`` also deletes the group with its IP Address, Network Name and
    disks (refused when the group holds another virtual server). Returns the deleted names.
    :func:`check_removal` checks the same rules without removing anything.
    """
    check_removal(cluster, name, delete_group=delete_group)
    vs = need_org(cluster).server(name)
    g = cluster.groups[vs.group]
    with cluster.transaction():
        gone = cluster.delete_resource(vs.system_attendant, with_dependents=True)
        if delete_group:
            for r in cluster.offline_order(g.name):
                if r in cluster.resources:
                    gone += cluster.delete_resource(r, with_dependents=True)
            cluster.delete_group(g.name)
    return gone
