"""cluster.exe's ``cluster group`` commands (create, delete, move, online, offline, owners,
properties), mapped onto labkit's public API (see :mod:`labkit.clusterexe.commands`)."""
from __future__ import annotations

from . import output as out
from .cluster_commands import not_modelled
from .commands import (GROUP_PROPS, Outcome, call, common_properties, group_of, group_settled, handles,
                       node_of, owned_by_node, property_listing, show_status, status_listing, to_labkit_value)
from .errors import ClusterExeError


handles("group", "status", command="cluster group [G] [/stat[us]]", api="Cluster.groups",
        ok=[["cluster group"], ['cluster group "exvs1"'], ['group "Cluster Group" /stat']],
        refused=[(["group EXVS9"], 5013), (['group "Cluster Group'], None)])(show_status)
handles("group", "node", command="cluster group /node:N", api="Cluster.groups_on(N)",
        ok=[["group /node:2-MOE"]], refused=[(["group /node:9-NOBODY"], 5042), (["group /node"], None)])(owned_by_node)


@handles("group", "create", command="cluster group G /create", api="Cluster.add_group(G)",
         ok=[["group PRINT /create"]], refused=[(["group exvs1 /create"], 5010), (["group /create"], None)])
def _group_create(c, cmd):
    existing = c.find_name("groups", cmd.name)
    if existing is not None:
        raise ClusterExeError(5010, f"a group named {existing!r} exists (names are compared "
                                    "without case)")
    call("group.create", c.add_group, cmd.name)
    return status_listing(c, cmd, f"Creating resource group '{cmd.name}'...", [cmd.name])


@handles("group", "delete", command="cluster group G /delete", api="Cluster.delete_group(G)",
         ok=[["group PRINT /create", "group PRINT /delete"]],
         refused=[(["group EXVS1 /delete"], 145), (['group "Cluster Group" /delete'], 145)])
def _group_delete(c, cmd):
    g = group_of(c, cmd.name)
    call("group.delete", c.delete_group, g)
    return Outcome([f"Deleting resource group '{g}'"])


@handles("group", "moveto", command="cluster group G /move[to][:N] [/wait[:s]]",
         api="Cluster.move_group(G, N), then the clock runs until G settles",
         ok=[["group EXVS1 /moveto:2-MOE"], ["group EXVS1 /move"], ["group exvs1 /MOVE:1-curly"],
             ["group EXVS1 /moveto:3-LARRY /wait:5"]],
         refused=[(["node 2-MOE /pause", "group EXVS1 /moveto:2-MOE"], 5070),
                  (["node 2-MOE /pause", "node 3-LARRY /pause", "node 4-JERRY /pause", "group EXVS1 /move"], 5005),
                  (["group EXVS1 /moveto:9-NOBODY"], 5042), (["group EXVS1 /moveto:"], None),
                  (["group EXVS1 /moveto:2-MOE,3-LARRY"], None)])
def _group_move(c, cmd):
    g = group_of(c, cmd.name)
    n = node_of(c, cmd.value) if cmd.value else None
    head = f"Moving resource group '{g}'..."
    if n is not None and c.groups[g].owner == n:
        return status_listing(c, cmd, head, [g])
    call("group.moveto", c.move_group, g, n, node=n, c=c)
    return status_listing(c, cmd, head, [g], until=lambda: group_settled(c, g))


@handles("group", "online", command="cluster group G /on[line][:N] [/wait[:s]]",
         api="Cluster.online_group(G, N), then the clock runs until G settles",
         ok=[["group EXVS1 /offline", "group EXVS1 /online"], ["group EXVS1 /offline", "group EXVS1 /on:3-LARRY"]],
         refused=[(["group EXVS1 /online:3-LARRY"], 5016),
                  (["group EXVS1 /offline", "node 1-CURLY /pause", "group EXVS1 /online:1-CURLY"], 5070)])
def _group_online(c, cmd):
    g = group_of(c, cmd.name)
    n = node_of(c, cmd.value) if cmd.value else None
    call("group.online", c.online_group, g, n, node=n or c.groups[g].owner, c=c)
    return status_listing(c, cmd, f"Bringing resource group '{g}' online...", [g],
                          until=lambda: group_settled(c, g))


@handles("group", "offline", command="cluster group G /off[line] [/wait[:s]]",
         api="Cluster.offline_group(G), then the clock runs until G settles",
         ok=[["group EXVS1 /offline"], ["group EXVS1 /off"]],
         refused=[(['group "Cluster Group" /offline'], 5068), (["group EXVS1 /offline:2-MOE"], None)])
def _group_offline(c, cmd):
    g = group_of(c, cmd.name)
    call("group.offline", c.offline_group, g)
    return status_listing(c, cmd, f"Bringing resource group '{g}' offline...", [g],
                          until=lambda: group_settled(c, g))


@handles("group", "setowners", command="cluster group G /setowners:N1,N2",
         api="Cluster.set_preferred_owners(G, [N1, N2])",
         ok=[["group EXVS1 /setowners:2-MOE,1-curly"]],
         refused=[(["group EXVS1 /setowners:2-MOE,9-NOBODY"], 5042), (["group EXVS1 /setowners:2-MOE,2-moe"], 87),
                  (["group EXVS1 /setowners"], None)])
def _setowners(c, cmd):
    g = group_of(c, cmd.name)
    nodes = [node_of(c, v) for v in cmd.values]
    call("group.setowners", c.set_preferred_owners, g, nodes)
    return Outcome([])


@handles("group", "listowners", command="cluster group G /listowners", api="Group.preferred_owners",
         ok=[["group EXVS1 /listowners"]], refused=[(["group EXVS9 /listowners"], 5013)])
def _listowners(c, cmd):
    g = group_of(c, cmd.name)
    return Outcome(out.owner_list(f"Listing preferred owners for resource group '{g}':", "Preferred Owner Nodes",
                                  c.groups[g].preferred_owners))


@handles("group", "properties", command="cluster group [G] /prop[erties] [name=value ...]",
         api="Cluster.set_group_properties(G, ...)",
         ok=[["group EXVS1 /prop"], ["group /prop"], ["group EXVS1 /prop FailoverThreshold=4 FailoverPeriod=2"],
             ["group EXVS1 /prop AutoFailbackType=1 FailbackWindowStart=22 FailbackWindowEnd=6"],
             ["group EXVS1 /prop FailoverThreshold=4", "group EXVS1 /prop:FailoverThreshold /usedefault"]],
         refused=[(["group EXVS1 /prop FailoverThreshold=-1"], 87), (["group EXVS1 /prop Name=X"], 87),
                  (["group EXVS1 /prop FailbackWindowStart=22"], 87), (["group EXVS1 /prop Bogus=1"], 87),
                  (["group EXVS1 /prop FailoverThreshold=five"], 87), (["group EXVS1 /prop FailoverThreshold"], None)])
def _group_props(c, cmd):
    return common_properties(c, cmd, GROUP_PROPS, "group.properties", c.set_group_properties, _group_keywords)


def _group_keywords(grp, pairs) -> dict:
    """``Cluster.set_group_properties``'s keywords; FailbackWindowStart and End make one
    ``failback_window``, set together (both -1: no window)."""
    kw = {}
    window = list(grp.failback_window) if grp.failback_window else [-1, -1]
    touched_window = False
    for d, v in pairs:
        if d.key.startswith("window"):
            window[int(d.key[-1])] = v
            touched_window = True
        else:
            kw[d.key] = to_labkit_value(d, v)
    if touched_window:
        if window == [-1, -1]:
            kw["failback_window"] = None
        elif -1 in window:
            raise ClusterExeError(87, "set FailbackWindowStart and FailbackWindowEnd together (both -1: no "
                                      "window)")
        else:
            kw["failback_window"] = tuple(window)
    return kw


@handles("group", "privproperties", command="cluster group G /priv[properties]",
         api="(groups have no private properties)",
         ok=[["group EXVS1 /priv"]], refused=[(["group EXVS1 /priv Foo=1"], 87)])
def _group_priv(c, cmd):
    title = "Listing private properties for all resource groups:"
    if cmd.name:
        title = f"Listing private properties for '{group_of(c, cmd.name)}':"
    if cmd.props or cmd.values:
        raise ClusterExeError(87, "groups have no private properties in labkit")
    return Outcome(property_listing("group", title, []))


@handles("group", "rename", command="cluster group G /ren[ame]:N", api="(not modelled: error 50)",
         refused=[(["group EXVS1 /rename:EXVS9"], 50)])
def _group_rename(c, cmd):
    group_of(c, cmd.name)
    return not_modelled(c, cmd)
