"""cluster.exe's ``cluster res`` and ``cluster restype`` commands (create, delete, owners,
fail, online, offline, dependencies, properties), mapped onto labkit's public API (see
:mod:`labkit.clusterexe.commands`)."""
from __future__ import annotations

from ..cluster import Cluster, ResourceState
from . import output as out
from .cluster_commands import not_modelled
from .commands import (Outcome, PRINT, RESOURCE_PROPS, S, SETTABLE, SMTP, call, common_properties, group_of,
                       group_settled, handles, node_of, owned_by_node, private_name, property_listing, props_by_key,
                       resource_of, set_private_properties, show_status, status_listing, type_of)
from .errors import ClusterExeError


handles("resource", "status", command="cluster res[ource] [R] [/stat[us]]", api="Cluster.resources",
        ok=[["cluster res"], ['cluster res "disk q:"'], ['cluster resource "Disk Q:" /status']],
        refused=[(['res "Disk Z:"'], 5007), (["res Disk Q: /status"], None)])(show_status)
handles("resource", "node", command="cluster res /node:N", api="Resource.node",
        ok=[["res /node:2-MOE"]], refused=[(["res /node:9-NOBODY"], 5042)])(owned_by_node)


@handles("resource", "create",
         command='cluster res R /create /group:G /type:"T" [/separate] [/adddep:D ...] [Prop=value ...]',
         api="Cluster.add_resource(R, type=T, group=G, separate_monitor=, dependencies=, **props)",
         ok=[[S], PRINT, ['res "PRINT IP" /create /group:EXVS1 /type:"IP Address"'],
             PRINT[:1] + ['res "PRINT App" /create /group:PRINT /type:"generic application" /separate '
                          'CommandLine="C:\\print\\spool.exe"']],
         refused=[(['res "PRINT Share" /create /group:EXVS1 /type:"File Share"'], 87),
                  (['res X /create /group:EXVS1 /type:"Bogus Type"'], 5078),
                  (['res "disk q:" /create /group:EXVS1 /type:"Physical Disk" Drive=T:'], 5010),
                  (['res "Disk T:" /create /group:EXVS1 /type:"Physical Disk" Drive=Q:'], 5010),
                  (['res "X IP" /create /group:EXVS1 /type:"IP Address" Address=132.192.1.11'], 5057),
                  (['res X /create /group:EXVS9 /type:"Physical Disk" Drive=T:'], 5013),
                  (['res X /create /group:EXVS1 /type:"Physical Disk" Color=blue'], 87),
                  (['res X /create /group:EXVS1'], None),
                  (['res X /create /type:"IP Address" /group:A /group:B'], None),
                  (['res X /create /group:EXVS1 /type:IP Address'], None)])
def _res_create(c, cmd):
    existing = c.find_name("resources", cmd.name)
    if existing is not None:
        raise ClusterExeError(5010, f"a resource named {existing!r} exists (names are "
                                    "compared without case)")
    g = group_of(c, cmd.params["group"])
    t = type_of(c, cmd.params["type"])
    deps = [resource_of(c, d) for d in cmd.params.get("adddependency", [])] or None
    props = props_by_key(c, t, cmd.props, create=True)
    missing = [k for k in c.resource_types[t].required if k not in props]
    if missing:
        need = " ".join(f"{private_name(k)}=..." for k in missing)
        raise ClusterExeError(87, f"labkit creates a {t} resource with its {', '.join(map(private_name, missing))}: "
                                  f"add {need} to this /create line (cluster.exe would set it later with /priv)")
    call("res.create", c.add_resource, cmd.name, type=t, group=g, separate_monitor="separate" in cmd.params,
         dependencies=deps, **props)
    return status_listing(c, cmd, f"Creating resource '{cmd.name}'...", [cmd.name])


@handles("resource", "delete", command="cluster res R /delete", api="Cluster.delete_resource(R)",
         ok=[[S, 'res "Disk T:" /delete']],
         refused=[(['res "EXVS1 IP Address" /delete'], 5001), (['res "Disk Q:" /delete'], 5020),
                  (PRINT + ['res "PRINT Name" /online', 'res "PRINT Name" /delete'], 5019)])
def _res_delete(c, cmd):
    r = resource_of(c, cmd.name)
    call("res.delete", c.delete_resource, r)
    return Outcome([f"Deleting resource '{r}'"])


#: the commands that are one call on a resource and a node or another resource: option ->
#: (what cluster.exe prints, the error key, Cluster method, how the second name is found)
_LINK_CALLS = {
    "addowner": ("Adding '{v}' to possible owners of '{r}'...", "res.addowner", "add_possible_owner", node_of),
    "removeowner": ("Removing '{v}' from possible owners of '{r}'...", "res.removeowner", "remove_possible_owner",
                    node_of),
    "adddependency": ("Making resource '{r}' depend on resource '{v}'...", "res.adddep", "add_dependency",
                      resource_of),
    "removedependency": ("Removing dependency of resource '{r}' on resource '{v}'...", "res.removedep",
                         "remove_dependency", resource_of),
}


def _res_link(c, cmd):
    """``res R /addowner:N | /removeowner:N | /adddep:D | /removedep:D``; the quorum
    resource keeps every node as a possible owner (5068)."""
    said, key, method, second = _LINK_CALLS[cmd.option]
    r = resource_of(c, cmd.name)
    v = second(c, cmd.value)
    if second is node_of and r == c.quorum_resource:
        raise ClusterExeError(5068, f"{r!r} is the quorum resource: every node stays a possible owner")
    call(key, getattr(c, method), r, v)
    return Outcome([said.format(r=r, v=v), ""])


handles("resource", "addowner", command="cluster res R /addowner:N", api="Cluster.add_possible_owner(R, N)",
        ok=[[S, 'res "Disk T:" /removeowner:4-JERRY', 'res "Disk T:" /addowner:4-jerry']],
        refused=[(['res "EXVS1 IP Address" /addowner:2-MOE'], 5011), (['res "Disk Q:" /addowner:2-MOE'], 5068),
                 (['res "EXVS1 IP Address" /addowner:9-NOBODY'], 5042)])(_res_link)


handles("resource", "removeowner", command="cluster res R /removeowner:N",
        api="Cluster.remove_possible_owner(R, N)",
        ok=[['res "EXVS1 IP Address" /removeowner:4-JERRY']],
        refused=[(['res "EXVS1 IP Address" /removeowner:1-CURLY'], 5023),
                 (['res "EXVS1 IP Address" /removeowner:4-JERRY', 'res "EXVS1 IP Address" /removeowner:4-JERRY'],
                  1168), (['res "Disk Q:" /removeowner:2-MOE'], 5068)])(_res_link)


@handles("resource", "listowners", command="cluster res R /listowners", api="Resource.possible_owners",
         ok=[['res "Disk Q:" /listowners']], refused=[(['res "Disk Z:" /listowners'], 5007)])
def _res_listowners(c, cmd):
    r = resource_of(c, cmd.name)
    return Outcome(out.owner_list(f"Listing possible owners for resource '{r}':", "Possible Owner Nodes",
                                  c.resources[r].possible_owners))


@handles("resource", "fail", command="cluster res R /fail", api="Cluster.fail_resource(R) (no wait)",
         ok=[['res "EXVS1 IP Address" /fail']],
         refused=[([f"res {SMTP} /offline", f"res {SMTP} /fail"], 5084), (['res "Disk Z:" /fail'], 5007)])
def _fail(c, cmd):
    r = resource_of(c, cmd.name)
    call("res.fail", c.fail_resource, r)
    return status_listing(c, cmd, f"Failing resource '{r}'...", [r])


def _res_done(c, r: str, online: bool):
    def done():
        x = c.resources.get(r)
        if x is None:
            return True
        if x.state.pending or x.restart_pending:
            return False
        if online and x.state is ResourceState.ONLINE or not online and x.state is not ResourceState.ONLINE:
            return True
        return group_settled(c, x.group)
    return done


@handles("resource", "online", command="cluster res R /on[line] [/wait[:s]]",
         api="Cluster.online_resource(R), then the clock runs until R settles",
         ok=[[f"res {SMTP} /offline", f"res {SMTP} /online"]],
         refused=[([f"res {SMTP} /offline", "node 1-CURLY /pause", f"res {SMTP} /online"], 5070),
                  (["group PRINT /create", 'res "X App" /create /group:PRINT /type:"Generic Application"',
                    'res "X App" /removeowner:1-CURLY', 'res "X App" /online'], 5071)])
def _res_online(c, cmd):
    r = resource_of(c, cmd.name)
    g = c.resources[r].group
    call("res.online", c.online_resource, r, node=c.groups[g].owner, c=c)
    return status_listing(c, cmd, f"Bringing resource '{r}' online...", [r], until=_res_done(c, r, True))


@handles("resource", "offline", command="cluster res R /off[line] [/wait[:s]]",
         api="Cluster.offline_resource(R), then the clock runs until R settles",
         ok=[[f"res {SMTP} /offline"], [f"res {SMTP} /off /wait:0"]],
         refused=[(['res "Disk Q:" /offline'], 5068)])
def _res_offline(c, cmd):
    r = resource_of(c, cmd.name)
    call("res.offline", c.offline_resource, r)
    return status_listing(c, cmd, f"Taking resource '{r}' offline...", [r], until=_res_done(c, r, False))


@handles("resource", "listdependencies", command="cluster res R /listdep[endencies]",
         api="Resource.dependencies",
         ok=[['res "Exchange System Attendant - (EXVS1)" /listdep']], refused=[(['res "Disk Z:" /listdep'], 5007)])
def _listdep(c, cmd):
    r = resource_of(c, cmd.name)
    return status_listing(c, cmd, f"Listing resource dependencies for '{r}':", c.resources[r].dependencies)


handles("resource", "adddependency", command="cluster res R /adddep[endency]:D",
        api="Cluster.add_dependency(R, D)",
        ok=[[f"res {SMTP} /offline", f'res {SMTP} /adddep:"EXVS1 IP Address"']],
        refused=[([f'res {SMTP} /adddep:"EXVS1 IP Address"'], 5019),
                 ([f'res {SMTP} /adddep:"Disk Q:"'], 87),
                 (['res "EXVS1 IP Address" /adddep:"EXVS1 Network Name"'], 1059),
                 (['res "EXVS1 Network Name" /adddep:"EXVS1 IP Address"'], 5003),
                 ([S, 'res "Disk Q:" /adddep:"Disk T:"'], 5069), ([f"res {SMTP} /adddep"], None)])(_res_link)


handles("resource", "removedependency", command="cluster res R /removedep[endency]:D",
        api="Cluster.remove_dependency(R, D)",
        ok=[PRINT + ['res "PRINT Name" /removedep:"PRINT IP"']],
        refused=[(PRINT + ['res "PRINT Name" /removedep:"Disk T:"'], 5002),
                 (PRINT + ['res "PRINT Name" /online', 'res "PRINT Name" /removedep:"PRINT IP"'], 5019)])(_res_link)


@handles("resource", "properties", command="cluster res [R] /prop[erties] [name=value ...]",
         api="Cluster.set_resource_properties(R, ...)",
         ok=[['res "Disk Q:" /prop'], ['res "EXVS1 IP Address" /prop RestartThreshold=5 RestartPeriod=600000'],
             [f"res {SMTP} /offline", f"res {SMTP} /prop SeparateMonitor=1"],
             ['res "EXVS1 IP Address" /prop RestartAction=0',
              'res "EXVS1 IP Address" /prop:RestartAction /usedefault']],
         refused=[(['res "Disk Q:" /prop RestartAction=7'], 87), (['res "Disk Q:" /prop RestartPeriod=1500'], 87),
                  (['res "Disk Q:" /prop SeparateMonitor=1'], 5019), (['res "Disk Q:" /prop Type=X'], 87),
                  (['res "Disk Q:" /prop RestartThreshold=3 RestartThreshold=4'], 87),
                  (['res "Disk Q:" /prop:RestartThreshold'], None)])
def _res_props(c, cmd):
    return common_properties(c, cmd, RESOURCE_PROPS, "res.properties", c.set_resource_properties)


def _priv_rows(c: Cluster, rn: str) -> list:
    r = c.resources[rn]
    rows = []
    for key, value in r.properties.items():
        kind = "D" if isinstance(value, int) or isinstance(value, bool) else "S"
        settable = key in SETTABLE.get(r.type, ())
        rows.append((rn, private_name(key), kind, not settable, value))
    return rows


@handles("resource", "privproperties", command="cluster res [R] /priv[properties] [name=value ...]",
         api="Resource.properties (set: Cluster.set_private_properties)",
         ok=[['res "Disk Q:" /priv'], ['res "EXVS1 IP Address" /priv SubnetMask=255.255.0.0'],
             PRINT + ['res "PRINT IP" /priv Network="Public" SubnetMask=255.255.255.128'], ["res /priv"],
             [S + " SizeGB=18.2", 'res "Disk T:" /priv Signature=0x1A2B SizeGB=36'],
             PRINT[:1] + ['res "P IP" /create /group:PRINT /type:"IP Address"',
                          'res "P IP" /priv Address=132.192.1.60 SubnetMask=255.255.255.0']],
         refused=[(['res "EXVS1 IP Address" /priv Address=132.192.1.99'], 87),
                  (PRINT[:1] + ['res "P IP" /create /group:PRINT /type:"IP Address"',
                                'res "P IP" /priv Address=132.192.1.11'], 5057),
                  (['res "EXVS1 IP Address" /priv SubnetMask=255.0.255.0'], 87),
                  (['res "Disk Q:" /priv Foo=1'], 87), (['res "Disk Q:" /priv DiskType=dynamic'], 87),
                  (['res "EXVS1 IP Address" /priv SubnetMask=1:binary'], 87),
                  (['res "EXVS1 IP Address" /priv SubnetMask=1:bogus'], None),
                  ([S, 'res "Disk T:" /priv Signature=99999999999'], 87), ([S, 'res "Disk T:" /priv SizeGB=-1'], 87)])
def _res_priv(c, cmd):
    if cmd.name is None:
        if cmd.props or cmd.values:
            raise ClusterExeError(87, "name the resource whose private properties you set")
        rows = [row for rn in c.resources for row in _priv_rows(c, rn)]
        return Outcome(property_listing("resource", "Listing private properties for all resources:", rows))
    r = resource_of(c, cmd.name)
    if cmd.values:
        raise ClusterExeError(87, "labkit cannot delete a private property (/usedefault)")
    if cmd.props:
        warning = set_private_properties(c, r, cmd.props)
        return Outcome([], warning=warning)
    return Outcome(property_listing("resource", f"Listing private properties for '{r}':", _priv_rows(c, r)))


@handles("resource", "rename", "moveto", "addcheckpoints", "removecheckpoints", "checkpoints", "maintenancemode",
         command="cluster res R /ren[ame] | /move[to]:G | /addcheck | /removecheck | /check | /maint",
         api="(not modelled: error 50)",
         refused=[(['res "Disk Q:" /rename:X'], 50), (['res "EXVS1 IP Address" /moveto:"Cluster Group"'], 50)])
def _res_not_modelled(c, cmd):
    if cmd.name:
        resource_of(c, cmd.name)
    return not_modelled(c, cmd)


# ---------------------------------------------------------------- resource types
@handles("resourcetype", "list", command="cluster restype | resourcetype [/list]",
         api="Cluster.resource_types", ok=[["cluster restype"], ["cluster resourcetype /list"]],
         refused=[(["cluster restype /listowners"], 50)])
def _restypes(c, cmd):
    rows = [f"{t:<36} {t}" for t in sorted(c.resource_types)]
    return Outcome(["Listing all available resource types:", "",
                    "Display Name                         Resource Type Name",
                    "------------------------------------ ------------------------------------"] + rows)
