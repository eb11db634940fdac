"""cluster.exe's ``cluster /ver``, ``/list``, ``/quorum``, ``/prop`` and the commands labkit
does not model, mapped onto labkit's public API (the rules every handler follows are in
:mod:`labkit.clusterexe.commands`)."""
from __future__ import annotations

from .commands import (CLUSTER_PROPS, Outcome, QUORUM_LOG_KB, QUORUM_PATH, S, VENDOR, VERSION, call, handles,
                       matching_props, prop_rows, property_listing, resource_of)
from .errors import ClusterExeError


@handles("cluster", "version", command="cluster /ver[sion]", api="Cluster.name (and labkit's VERSION)",
         ok=[["cluster /ver"], ["cluster /version"]], refused=[(["cluster /ver:5"], None)])
def _version(c, cmd):
    major, minor, build, csd = VERSION
    return Outcome([f"Cluster Name:     {c.name}", f"Cluster Version:  {major}.{minor} (Build {build}: {csd})",
                    f"Cluster Vendor:   {VENDOR}"])


@handles("cluster", "list", command="cluster /list[:domain]", api="the clusters this session knows",
         ok=[["cluster /list"]], refused=[(["cluster /lis"], None)])
def _list(c, cmd, clusters):
    return Outcome(["Cluster Name", "---------------"] + [f"{x.name:<20}".rstrip() for x in clusters])


@handles("cluster", "quorumresource", command="cluster /quorum[resource][:R]",
         api="Cluster.quorum_resource (set: Cluster.set_quorum_resource)",
         ok=[["cluster /quorum"], [S, 'res "Disk T:" /online', 'cluster /quorumresource:"Disk T:"']],
         refused=[(['cluster /quorumresource:"EXVS1 IP Address"'], 5021),
                  ([S, 'cluster /quorumresource:"Disk T:"'], 5004),
                  (['cluster /quorumresource:"Disk Z:"'], 5007)])
def _quorum(c, cmd):
    if cmd.value is None:
        q = c.resources.get(c.quorum_resource)
        device = f"{q.properties.get('drive', '')}\\{QUORUM_PATH}" if q else ""
        return Outcome(["Quorum Resource Name Device                                   Max Log Size",
                        "-------------------- ---------------------------------------- ------------",
                        f"{c.quorum_resource:<20} {device:<40} {QUORUM_LOG_KB}"])
    call("cluster.quorumresource", c.set_quorum_resource, resource_of(c, cmd.value))
    return Outcome([])


@handles("cluster", "properties", "privproperties", command="cluster /prop | /priv",
         api="Cluster.edition, max_nodes, settings (read-only)",
         ok=[["cluster /prop"], ["cluster /priv"]],
         refused=[(["cluster /prop Edition=Modern"], 87), (["cluster /prop Edition"], None)])
def _cluster_props(c, cmd):
    if cmd.option == "privproperties":
        if cmd.props or cmd.values:
            raise ClusterExeError(87, f"cluster {c.name} has no private properties in labkit")
        return Outcome(property_listing("cluster", f"Listing private properties for '{c.name}':", []))
    if cmd.props or cmd.values:
        matching_props(cmd, CLUSTER_PROPS, f"cluster {c.name}")
    rows = prop_rows(c.name, c, CLUSTER_PROPS)
    return Outcome(property_listing("cluster", f"Listing properties for '{c.name}':", rows))


@handles("cluster", "rename", command="cluster /ren[ame]:N", api="(not modelled: error 50)",
         refused=[(["cluster /rename:OTHER"], 50)])
def not_modelled(c, cmd):
    raise ClusterExeError(50, f"labkit does not model `{cmd.object} /{cmd.option}`")
