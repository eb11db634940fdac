"""The nine Exchange 2000 resource types: the EXRES.DLL / EXCLUADM.DLL of the model.

Each type of the paper's Table 7 is a :class:`~labkit.cluster.types.ResourceType`
subclass named as Cluster Administrator shows it. Only the System Attendant is
created by the administrator; its ``on_create`` hook creates the other resources
of the virtual server with Table 7's dependencies, as EXCLUADM.DLL does (paper,
Adding the System Attendant Resource). The Information Store refuses to come
online on a node where it would make more than four storage groups mounted
(KB 314266), so a badly planned cluster fails the way a real one does.

Online and offline times are simulated seconds taken from named class attributes.
The paper gives no timings: every value is an assumption [U], chosen so that a
virtual server comes online in about a minute; override them on a subclass.

>>> [row.type for row in TABLE7][:2]
['Microsoft Exchange System Attendant', 'Microsoft Exchange Information Store']
>>> TABLE7_BY_ROLE["SMTP"].providers
('Information Store',)
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..cluster.model import NodeState
from ..cluster.types import ResourceType, register_resource_type
from ..values import show
from ..errors import ConfigurationError, DependencyError, NameConflictError, ProcedureError, ValidationError
from .model import NODE_KEY, VirtualServer, need_org, org
from .rules import SRC_SG_LIMIT, check_full_admin, storage_group_counts_on  # noqa: F401 (SRC_SG_LIMIT: planning reads it here)

if TYPE_CHECKING:  # pragma: no cover
    from ..cluster.cluster import Cluster


SRC_T7 = "paper, Table 7 (Exchange 2000 Default Cluster Resources)"
SRC_CREATE = "paper, Creating Exchange 2000 Virtual Servers"
SRC_REMOVE = "paper, Removing Exchange Virtual Servers and Binaries from a Cluster"


@dataclass(frozen=True)
class Table7Row:
    """One resource of the paper's Table 7: its role, the type Cluster Administrator
    shows, the roles it depends on, and the default resource name setup gives it
    (``{evs}`` is the virtual server's name; names follow Exchange 2000 setup [U])."""

    role: str
    type: str
    providers: tuple[str, ...]
    default_name: str
    about: str


#: The paper's Table 7 as data, in the order the resources come online. Providers
#: "Network Name" and "Physical Disk" are MSCS types; "IP Address" under the
#: Network Name comes from MSCS, not Table 7.
TABLE7: tuple[Table7Row, ...] = (
    Table7Row("System Attendant", "Microsoft Exchange System Attendant", ("Network Name", "Physical Disk"),
              "Exchange System Attendant - ({evs})",
              "foundation resource; added by the administrator, it creates the others"),
    Table7Row("Information Store", "Microsoft Exchange Information Store", ("System Attendant",),
              "Exchange Information Store Instance - ({evs})",
              "STORE.EXE instance: the storage groups, and MAPI clients"),
    Table7Row("Routing Service", "Microsoft Exchange Routing Service", ("System Attendant",),
              "Exchange Routing Service Instance - ({evs})", "routing service instance"),
    Table7Row("MTA", "Microsoft Exchange Message Transfer Agent", ("System Attendant",),
              "Exchange Message Transfer Agent Instance - ({evs})",
              "one per cluster (Active/Passive): legacy connectors, Exchange 5.5 routing"),
    Table7Row("MS Search", "Microsoft Search", ("Information Store",),
              "Exchange MS Search Instance - ({evs})", "content indexing"),
    Table7Row("SMTP", "SMTP Virtual Server Instance", ("Information Store",),
              "SMTP Virtual Server Instance 1 ({evs})", "SMTP: sending and routing mail"),
    Table7Row("HTTP", "Exchange HTTP Virtual Server Instance", ("Information Store",),
              "Exchange HTTP Virtual Server Instance 100 ({evs})", "HTTP-DAV: browser clients"),
    Table7Row("POP3", "Exchange POP3 Virtual Server Instance", ("Information Store",),
              "Exchange POP3 Virtual Server Instance 1 ({evs})", "POP3 clients"),
    Table7Row("IMAP4", "Exchange IMAP4 Virtual Server Instance", ("Information Store",),
              "Exchange IMAP4 Virtual Server Instance 1 ({evs})", "IMAP4 clients"),
)
TABLE7_BY_ROLE = {row.role: row for row in TABLE7}
TABLE7_BY_TYPE = {row.type: row for row in TABLE7}
SYSTEM_ATTENDANT = TABLE7_BY_ROLE["System Attendant"].type
INFORMATION_STORE = TABLE7_BY_ROLE["Information Store"].type
EXCHANGE_TYPE_NAMES = tuple(row.type for row in TABLE7)


def installed(cluster: "Cluster", node: str) -> bool:
    """True when Exchange 2000's binaries are on ``node``'s local disk."""
    n = cluster.nodes.get(node)
    return n is not None and NODE_KEY in n.properties


def install_under_way(cluster: "Cluster") -> str | None:
    """The node whose Exchange setup or restart has not finished yet, or None.

    Setup restarts the node; it is finished once the node is Up again after that
    restart (its incarnation moved on by a stop and a join)."""
    o = org(cluster)
    if o is None or not o.installing:
        return None
    name = o.installing["node"]
    n = cluster.nodes.get(name)
    if n is None:  # evicted meanwhile
        return None
    done = (n.state is NodeState.UP and not n.leaving
            and n.incarnation >= o.installing["incarnation"] + 2)
    return None if done else name


class ExchangeResourceType(ResourceType):
    """Common behaviour of the nine types: EXRES.DLL, possible owners limited to the
    nodes where Exchange 2000 is installed (paper, Resource Ownership and Failover),
    and created only by the System Attendant."""

    dll = "exres.dll"
    role: str = ""
    online_s = 5.0
    offline_s = 3.0

    def default_possible_owners(self, cluster):
        owners = [n for n in cluster.node_ids() if installed(cluster, n)]
        if not owners:
            raise ConfigurationError("Exchange 2000 is not installed on any node of this cluster",
                                     rule="Exchange 2000 is installed on the nodes where its resources run",
                                     source="paper, Exchange 2000 Cluster Resource Dependencies")
        return owners

    def check_owner(self, cluster, resource_name, node):
        if not installed(cluster, node):
            return (f"Exchange 2000 is not installed on {node} (install it there first: "
                    "paper, Resource Ownership and Failover)")
        return None

    def before_create(self, cluster, name, group, props, dependencies=()):
        o = org(cluster)
        if o is None or o.creating is None:
            raise ProcedureError(
                f"{show(self.name)} resources are created by the System Attendant, not by hand: add a "
                f"'{SYSTEM_ATTENDANT}' resource to the group and it creates the rest",
                rule="adding the System Attendant creates the other Exchange resources",
                source="paper, Adding the System Attendant Resource")

    def _evs(self, cluster, resource) -> VirtualServer | None:
        o = org(cluster)
        name = resource.properties.get("virtual_server")
        return None if o is None or name is None else o.virtual_servers.get(name)

    def on_delete(self, cluster, resource):
        vs = self._evs(cluster, resource)
        if vs is None or vs.resources.get("System Attendant") not in cluster.resources:
            return  # the whole virtual server is being removed
        vs.resources.pop(self.role, None)
        self.deleted_alone(cluster, vs, resource)

    def deleted_alone(self, cluster, vs: VirtualServer, resource) -> None:
        """Called when this resource is deleted while its System Attendant stays."""
        cluster.record(vs.name, f"{self.role} instance deleted", f"{show(resource.name)} by {cluster.account}")


class SystemAttendant(ExchangeResourceType):
    """Microsoft Exchange System Attendant: the foundation resource (Table 7).

    Before it is created the group must hold an IP Address, a Network Name that
    depends on it and at least one Physical Disk, Exchange 2000 must be installed on
    its possible owners, and the account needs Exchange Full Administrator rights
    (paper, Creating Exchange 2000 Virtual Servers). It must be created depending on
    the Network Name and on every disk the virtual server will use; creating it
    creates the other resources of the virtual server with Table 7's dependencies.

    Type property: ``data_disk`` -- the disk of the default storage group (default:
    the first Physical Disk it depends on; the paper's single "data location").
    """

    name = SYSTEM_ATTENDANT
    role = "System Attendant"
    online_s = 15.0   # [U] directory access (DSAccess) and the virtual server's metabase
    offline_s = 5.0   # [U]

    def before_create(self, cluster, name, group, props, dependencies=()):
        check_full_admin(cluster, "create an Exchange virtual server")
        need_org(cluster)
        if not any(installed(cluster, n) for n in cluster.nodes):
            raise ConfigurationError("Exchange 2000 is not installed on any node of this cluster",
                                     rule="Exchange 2000 is installed on the nodes where its resources run",
                                     source="paper, Exchange 2000 Cluster Resource Dependencies")
        busy = install_under_way(cluster)
        if busy:
            raise ProcedureError(
                f"Exchange setup on {busy} has not finished (the node restarts after setup); "
                "run the clock until it is back before configuring virtual servers",
                rule="restart the node after installing Exchange 2000 before proceeding",
                source="paper, Installing Exchange 2000 Server")
        members = [cluster.resources[r] for r in cluster.groups[group].resources]
        ips = [r for r in members if r.type == "IP Address"]
        names = [r for r in members if r.type == "Network Name"]
        disks = [r for r in members if r.type == "Physical Disk"]
        prereq = "an Exchange group holds an IP Address, a Network Name and a Physical Disk before the System Attendant"
        if not ips:
            raise ConfigurationError(f"group {show(group)} has no IP Address resource; create it first",
                                     rule=prereq, source=f"{SRC_CREATE}; paper, Table 7")
        if not names:
            raise ConfigurationError(f"group {show(group)} has no Network Name resource; create it (depending on "
                                     "the IP Address) first", rule=prereq, source=f"{SRC_CREATE}; paper, Table 7")
        if not disks:
            raise ConfigurationError(f"group {show(group)} has no Physical Disk resource; at least one is needed "
                                     "for the logs and databases", rule=prereq,
                                     source=f"{SRC_CREATE}; paper, Design Storage Before Configuring the Cluster")
        data = props.get("data_disk")
        if data is not None and (not isinstance(data, str) or data not in {d.name for d in disks}):
            raise ValidationError(f"data_disk {show(data)} is not a Physical Disk resource of group {show(group)}",
                                  rule="the data location is one of the virtual server's disks",
                                  source="paper, Adding the System Attendant Resource")
        self._check_dependencies(cluster, name, [cluster.resources[p] for p in dependencies], props)

    def _check_dependencies(self, cluster, name, deps, props) -> None:
        """Table 7: the System Attendant depends on exactly one Network Name (itself on an IP
        Address) and on every Physical Disk the virtual server will use -- and nothing else."""
        o = need_org(cluster)
        names = [d for d in deps if d.type == "Network Name"]
        disks = [d.name for d in deps if d.type == "Physical Disk"]
        other = [d.name for d in deps if d.type not in ("Network Name", "Physical Disk")]
        if len(names) != 1:
            raise DependencyError(
                f"the System Attendant {show(name)} must depend on exactly one Network Name "
                f"(it depends on {len(names)})", rule="System Attendant depends on Network Name and Physical Disk",
                source=SRC_T7)
        if not disks:
            raise DependencyError(
                f"the System Attendant {show(name)} must depend on at least one Physical Disk: every disk "
                "the virtual server will use is a dependency given when it is created",
                rule="System Attendant depends on Network Name and Physical Disk",
                source=f"{SRC_T7}; paper, Adding the System Attendant Resource")
        if other:
            raise DependencyError(f"the System Attendant depends only on its Network Name and disks, not on "
                                  f"{', '.join(other)}", rule="System Attendant depends on Network Name and "
                                  "Physical Disk", source=SRC_T7)
        if not any(cluster.resources[p].type == "IP Address" for p in names[0].dependencies):
            raise DependencyError(f"Network Name {names[0].name!r} does not depend on an IP Address",
                                  rule="the Network Name depends on the IP Address, so the IP Address is created first",
                                  source="paper, Exchange 2000 Cluster Resource Dependencies")
        if not any(cluster.resources[p].properties.get("address") for p in names[0].dependencies
                   if cluster.resources[p].type == "IP Address"):
            raise DependencyError(f"the IP Address of Network Name {names[0].name!r} has no Address yet: clients "
                                  "reach the virtual server there, so set it first (cluster res ... /priv Address=...)",
                                  rule="the IP Address is created (with its address) before the System Attendant",
                                  source="paper, Creating Exchange 2000 Virtual Servers")
        evs = names[0].properties.get("name")
        if not evs:  # a Network Name created without its Name (MSCS allows it; set with /priv Name=)
            raise DependencyError(f"Network Name {names[0].name!r} has no Name yet: the virtual server is named "
                                  "after it, so set it first (cluster res ... /priv Name=...)",
                                  rule="the System Attendant's Network Name names the virtual server",
                                  source="paper, Exchange Virtual Servers: The Unit of Failover")
        if evs in o.virtual_servers:
            raise NameConflictError(f"Network Name {show(evs)} already carries an Exchange virtual server",
                                    rule="one Exchange virtual server per Network Name",
                                    source="paper, Exchange Virtual Servers: The Unit of Failover")
        data = props.get("data_disk") or disks[0]
        if data not in disks:
            raise DependencyError(f"data_disk {show(data)} is not a dependency of the System Attendant",
                                  rule="only the disks the System Attendant depends on can hold Exchange files",
                                  source="paper, Adding the System Attendant Resource")

    def on_create(self, cluster, resource):
        o = need_org(cluster)
        deps = [cluster.resources[p] for p in resource.dependencies]
        self._check_dependencies(cluster, resource.name, deps, resource.properties)  # checked before creation too
        names = [d for d in deps if d.type == "Network Name"]
        disks = [d.name for d in deps if d.type == "Physical Disk"]
        evs = names[0].properties["name"]
        data = resource.properties.get("data_disk") or disks[0]
        resource.properties["virtual_server"] = evs
        resource.properties["data_disk"] = data
        vs = VirtualServer(name=evs, group=resource.group, network_name=names[0].name,
                           resources={"System Attendant": resource.name}, data_disk=data,
                           monitor=f"EVS {evs}")
        o.virtual_servers[evs] = vs
        cluster.set_monitor(resource.name, vs.monitor)
        o.creating = evs
        try:
            for row in TABLE7[1:]:
                if row.role == "MTA" and o.mta_server is not None:
                    continue  # one MTA instance per cluster (Table 5)
                rname = row.default_name.format(evs=evs)
                providers = [vs.resources[p] for p in row.providers]
                cluster.add_resource(rname, type=row.type, group=resource.group,
                                     possible_owners=list(resource.possible_owners),
                                     dependencies=providers, virtual_server=evs)
                cluster.set_monitor(rname, vs.monitor)
                vs.resources[row.role] = rname
                if row.role == "MTA":
                    o.mta_server = evs
        finally:
            o.creating = None
        from .storage import create_default_storage
        create_default_storage(cluster, vs)
        cluster.record(evs, "Exchange virtual server created",
                       f"{len(vs.resources)} Exchange resources in group {show(vs.group)}"
                       + ("; it holds the cluster's MTA" if o.mta_server == evs else "")
                       + f"; resource monitor {show(vs.monitor)}", cluster.groups[vs.group].owner)

    #: deleting the System Attendant removes every resource that depends on it (paper,
    #: Removing Exchange Virtual Servers and Binaries from a Cluster)
    delete_cascades = True

    def before_delete(self, cluster, resource):
        o = org(cluster)
        evs = resource.properties.get("virtual_server")
        if o is None or evs not in o.virtual_servers:
            return
        if o.mta_server == evs and len(o.virtual_servers) > 1:
            others = ", ".join(v for v in o.virtual_servers if v != evs)
            raise ProcedureError(
                f"{evs} holds the cluster's MTA instance; delete the other virtual servers ({others}) first",
                rule="the virtual server with the MTA is deleted only when it is the last one", source=SRC_REMOVE)

    def on_delete(self, cluster, resource):
        o = org(cluster)
        evs = resource.properties.get("virtual_server")
        if o is None or evs not in o.virtual_servers:
            return
        del o.virtual_servers[evs]
        if o.mta_server == evs:
            o.mta_server = None
        cluster.record(evs, "Exchange virtual server deleted",
                       f"System Attendant {show(resource.name)} deleted with its dependents by {cluster.account}")


class InformationStore(ExchangeResourceType):
    """Microsoft Exchange Information Store: the virtual server's STORE.EXE instance.

    Coming online mounts every storage group of the virtual server, so it takes
    ``online_s`` plus ``mount_s_per_database`` for each database and
    ``mount_s_per_1000_mailboxes`` (all [U]); a store so large that mounting takes
    longer than the PendingTimeout (180 s) is terminated and fails, as on Windows 2000.
    It refuses to come online where it would make more than four storage groups
    mounted on the node (KB 314266).
    """

    name = INFORMATION_STORE
    role = "Information Store"
    online_s = 10.0                    # [U] start STORE.EXE
    mount_s_per_database = 3.0         # [U] replay logs and attach each database
    mount_s_per_1000_mailboxes = 1.0   # [U]
    offline_s = 8.0                    # [U]
    dismount_s_per_database = 1.0      # [U]

    def online_time_s(self, cluster, resource, node):
        vs = self._evs(cluster, resource)
        if vs is None:
            return self.online_s
        dbs = sum(1 for _ in vs.databases())
        return self.online_s + self.mount_s_per_database * dbs + self.mount_s_per_1000_mailboxes * vs.mailboxes / 1000

    def offline_time_s(self, cluster, resource, node):
        vs = self._evs(cluster, resource)
        dbs = 0 if vs is None else sum(1 for _ in vs.databases())
        return self.offline_s + self.dismount_s_per_database * dbs

    def can_online(self, cluster, resource, node):
        vs = self._evs(cluster, resource)
        if vs is None or not vs.storage_groups:
            return None
        o = org(cluster)
        limit = o.settings.max_storage_groups_per_node
        mounted = storage_group_counts_on(cluster, node, exclude=vs.name)
        total = len(vs.storage_groups) + sum(mounted.values())
        if total > limit:
            held = ", ".join(f"{k}: {v}" for k, v in mounted.items()) or "none"
            return (f"mounting the {len(vs.storage_groups)} storage groups of {vs.name} would make {total} on "
                    f"{node} (already mounted: {held}); Exchange 2000 mounts at most {limit} storage groups "
                    f"per node ({SRC_SG_LIMIT})")
        return None

    def deleted_alone(self, cluster, vs, resource):
        cluster.record(vs.name, "Information Store instance deleted",
                       "its storage groups cannot be mounted until the virtual server is re-created")


class RoutingService(ExchangeResourceType):
    """Microsoft Exchange Routing Service instance (Table 7)."""

    name = TABLE7_BY_ROLE["Routing Service"].type
    role = "Routing Service"
    online_s = 4.0    # [U]
    offline_s = 2.0   # [U]


class MessageTransferAgent(ExchangeResourceType):
    """Microsoft Exchange Message Transfer Agent: one instance per cluster, in the first
    virtual server (Active/Passive; Tables 5 and 7)."""

    name = TABLE7_BY_ROLE["MTA"].type
    role = "MTA"
    online_s = 8.0    # [U]
    offline_s = 4.0   # [U]

    def deleted_alone(self, cluster, vs, resource):
        o = org(cluster)
        if o.mta_server == vs.name:
            o.mta_server = None
        cluster.record(vs.name, "MTA instance deleted",
                       "the cluster has no MTA: legacy connectors and Exchange 5.5 routing stop; "
                       "the next virtual server created gets one [D]")


class MicrosoftSearch(ExchangeResourceType):
    """Microsoft Search: the content-indexing instance of a virtual server (Table 7).
    Deleting it alone leaves the virtual server needing re-creation for content
    indexing (paper, Removing Exchange Virtual Servers)."""

    name = TABLE7_BY_ROLE["MS Search"].type
    role = "MS Search"
    online_s = 6.0    # [U]
    offline_s = 3.0   # [U]

    def deleted_alone(self, cluster, vs, resource):
        vs.content_indexing_broken = True
        cluster.record(vs.name, "content indexing broken",
                       f"its Microsoft Search instance {show(resource.name)} was deleted: re-create the whole "
                       f"virtual server for content indexing to work ({SRC_REMOVE})")


class SMTPInstance(ExchangeResourceType):
    """SMTP Virtual Server Instance (Table 7)."""

    name = TABLE7_BY_ROLE["SMTP"].type
    role = "SMTP"
    online_s = 3.0    # [U]
    offline_s = 2.0   # [U]


class HTTPInstance(ExchangeResourceType):
    """Exchange HTTP Virtual Server Instance: HTTP-DAV for browser clients (Table 7)."""

    name = TABLE7_BY_ROLE["HTTP"].type
    role = "HTTP"
    online_s = 3.0    # [U]
    offline_s = 2.0   # [U]


class POP3Instance(ExchangeResourceType):
    """Exchange POP3 Virtual Server Instance (Table 7)."""

    name = TABLE7_BY_ROLE["POP3"].type
    role = "POP3"
    online_s = 2.0    # [U]
    offline_s = 1.0   # [U]


class IMAP4Instance(ExchangeResourceType):
    """Exchange IMAP4 Virtual Server Instance (Table 7)."""

    name = TABLE7_BY_ROLE["IMAP4"].type
    role = "IMAP4"
    online_s = 2.0    # [U]
    offline_s = 1.0   # [U]


#: One instance of each type, registered with labkit (a cluster offers them once
#: Exchange 2000 is installed on a node).
EXCHANGE_TYPES: tuple[ExchangeResourceType, ...] = tuple(register_resource_type(t()) for t in (
    SystemAttendant, InformationStore, RoutingService, MessageTransferAgent, MicrosoftSearch,
    SMTPInstance, HTTPInstance, POP3Instance, IMAP4Instance))
assert tuple(t.name for t in EXCHANGE_TYPES) == EXCHANGE_TYPE_NAMES
