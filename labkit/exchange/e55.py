"""Exchange Server 5.5 on a cluster, for comparison with Exchange 2000.

Exchange 5.5 Enterprise Edition is cluster-unaware: each of its services runs
through MSCS's generic resource DLL as a Generic Service resource (Service
Failover, Active/Passive), in a single virtual server for the whole cluster,
with its binaries on the shared disk (paper, Clustering Support for Exchange 5.5;
Installing Exchange 2000 Server; Table 1). The supported services are the
Information Store, Directory Service, Message Transfer Agent and System Attendant.

The services depend on one another as on a stand-alone Exchange 5.5 server: the
System Attendant on the Network Name and the disk, the Directory on the System
Attendant, the Information Store and the MTA on the Directory [D] (Exchange 5.5
service dependencies; the paper does not list them).

>>> import labkit as lk
>>> c = lk.Cluster("OLDEX", ip="10.0.0.100")
>>> _ = c.add_node("A", ip="10.0.0.1"); _ = c.add_node("B", ip="10.0.0.2")
>>> create_virtual_server(c, "EX55", ip="10.0.0.11", disk="Disk E:")
'EX55'
>>> c.online_group("EX55"); c.run_until_stable(); c.online_order("EX55")[-2:]
['Microsoft Exchange Information Store', 'Microsoft Exchange Message Transfer Agent']
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from ..cluster.model import ResourceState
from ..cluster.types import check_netbios_name, check_static_ip
from ..values import COUNT, exact, show
from ..errors import ConfigurationError, LimitError, NotFoundError, StateError, ValidationError

EXT = "exchange55"
SRC_55 = "paper, Clustering Support for Exchange 5.5"

#: (role, resource name, Windows service, roles it depends on). "Network Name" and
#: "Physical Disk" are the group's MSCS resources.
SERVICES: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("System Attendant", "Microsoft Exchange System Attendant", "MSExchangeSA", ("Network Name", "Physical Disk")),
    ("Directory", "Microsoft Exchange Directory", "MSExchangeDS", ("System Attendant",)),
    ("Information Store", "Microsoft Exchange Information Store", "MSExchangeIS", ("Directory",)),
    ("MTA", "Microsoft Exchange Message Transfer Agent", "MSExchangeMTA", ("Directory",)),
)

#: Exchange 5.5 and Exchange 2000 on a cluster, side by side (sources in the last column).
COMPARISON: tuple[dict, ...] = (
    {"aspect": "failover mode", "Exchange 5.5": "Service Failover: Active/Passive",
     "Exchange 2000": "Resource Failover: Active/Active", "source": "paper, Cluster Failover; Table 5"},
    {"aspect": "resource DLL", "Exchange 5.5": "MSCS generic resource DLL (Generic Service)",
     "Exchange 2000": "EXRES.DLL, with EXCLUADM.DLL in Cluster Administrator",
     "source": "paper, Key Component: Exchange Resource DLL"},
    {"aspect": "virtual servers", "Exchange 5.5": "one per cluster",
     "Exchange 2000": "several, one or more per node", "source": "paper, Storage Design is the Key"},
    {"aspect": "binaries", "Exchange 5.5": "on the shared cluster disk",
     "Exchange 2000": "on each node's local disk", "source": "paper, Installing Exchange 2000 Server"},
    {"aspect": "resources", "Exchange 5.5": "IS, DS, MTA, SA as Generic Services",
     "Exchange 2000": "the nine resources of Table 7", "source": "paper, Table 7; Clustering Support for Exchange 5.5"},
    {"aspect": "stores", "Exchange 5.5": "one private and one public store",
     "Exchange 2000": "storage groups (4 per node) of up to 5 databases",
     "source": "paper, Table 8; Design Storage Before Configuring the Cluster"},
    {"aspect": "load strategy", "Exchange 5.5": "standby node only (N+1)",
     "Exchange 2000": "all nodes, standby node or balanced", "source": "paper, Cluster Load Planning"},
)


@dataclass
class E55Server:
    """The cluster's one Exchange 5.5 virtual server."""

    name: str
    group: str
    disk: str
    binaries: str
    data_path: str
    resources: dict[str, str] = field(default_factory=dict)
    mailboxes: int = 0
    clients: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "E55Server":
        return cls(**data)


def _register() -> None:
    from .. import values as V
    from ..cluster.extensions import register_extension
    register_extension(EXT, E55Server.from_dict, check=V.Dataclass(E55Server))


_register()


def server(cluster) -> E55Server | None:
    """The Exchange 5.5 virtual server of ``cluster``, or None."""
    return cluster.extensions.get(EXT)


def create_virtual_server(cluster, name: str, ip: str, disk: str = "Disk E:", node: str | None = None) -> str:
    """Set up Exchange 5.5 the way its cluster setup did: a group named ``name``, an IP
    Address, a Network Name, the shared disk (created if missing), Exchange 5.5's
    binaries on that disk, and its four services as Generic Service resources. One per
    cluster; not next to Exchange 2000. Returns the group name."""
    evs = check_netbios_name(name, "virtual server name").upper()
    address = check_static_ip(ip, f"address of {evs}")
    if not isinstance(disk, str) or not disk.strip():
        raise ValidationError(f"disk must name a Physical Disk resource, not {show(disk)}",
                              rule="Exchange 5.5 sits on a shared disk", source=SRC_55)
    if server(cluster) is not None:
        raise LimitError(f"the cluster already has Exchange 5.5 virtual server {server(cluster).name}",
                         rule="Exchange 5.5 runs one virtual server per cluster (Active/Passive)",
                         source=f"{SRC_55}; paper, Storage Design is the Key")
    from .types import installed
    if any(installed(cluster, n) for n in cluster.nodes):
        raise ConfigurationError("Exchange 2000 is installed on this cluster",
                                 rule="Exchange 5.5 and Exchange 2000 do not share a cluster",
                                 source="paper, Migrating From Exchange 5.5 Clusters")
    r = cluster.resources.get(disk)
    if r is not None and (r.type != "Physical Disk" or r.group != evs):
        raise ConfigurationError(f"{show(disk)} is a {r.type} in group {show(r.group)}; Exchange 5.5 needs its own "
                                 "shared disk in its group", rule="the binaries and data sit on the group's disk",
                                 source=SRC_55)
    if node is not None:
        node = cluster.node(node).name
    m = re.search(r"([A-Za-z]:)\s*$", disk)
    drive = (r.properties.get("drive") if r is not None else None) or (m.group(1).upper() if m else disk)
    with cluster.transaction():
        cluster.add_group(evs)
        ipn, nn = f"{evs} IP Address", f"{evs} Network Name"
        cluster.add_resource(ipn, type="IP Address", group=evs, address=address)
        cluster.add_resource(nn, type="Network Name", group=evs, name=evs, dependencies=[ipn])
        if r is None:
            cluster.add_resource(disk, type="Physical Disk", group=evs, **({"drive": m.group(1)} if m else {}))
        roles = {"Network Name": nn, "Physical Disk": disk}
        vs = E55Server(evs, evs, disk, f"{drive}\\EXCHSRVR\\BIN", f"{drive}\\EXCHSRVR\\MDBDATA")
        cluster.extensions[EXT] = vs
        for role, rname, service, providers in SERVICES:
            cluster.add_resource(rname, type="Generic Service", group=evs, service_name=service,
                                 dependencies=[roles[p] for p in providers])
            roles[role] = rname
            vs.resources[role] = rname
        cluster.record(evs, "Exchange 5.5 virtual server created",
                       f"binaries on the shared disk ({vs.binaries}); services as Generic Service resources")
        if node is not None and cluster.groups[evs].owner != node:
            cluster.move_group(evs, node)
    return evs


def add_mailboxes(cluster, count: int) -> int:
    """Add mailboxes to the Exchange 5.5 private store; returns the total."""
    vs = server(cluster)
    if vs is None:
        raise NotFoundError("this cluster has no Exchange 5.5 virtual server",
                            rule="commands name existing virtual servers")
    if not COUNT.ok(count):
        raise ValidationError(f"count must be a whole number >= 1, not {show(count)}", rule="mailboxes are counted")
    count = exact(count)
    vs.mailboxes += count
    cluster.record(vs.name, f"{count} mailboxes created", "in the private store")
    return vs.mailboxes


SRC_MOVE = "paper, Mailbox Relocation Strategy (Migrating From Exchange 5.5 Clusters)"


def _check_move_source(source, target, count: int):
    """Check the Exchange 5.5 end: two clusters, the source's Exchange 5.5 virtual server
    holding at least ``count`` mailboxes. Returns that server and the count."""
    for what, c in (("source", source), ("target", target)):
        if not hasattr(c, "extensions") or not hasattr(c, "transaction"):
            raise ValidationError(f"{what} must be a labkit Cluster, not {show(c)}", rule="mailboxes move between clusters")
    old = server(source)
    if old is None:
        raise NotFoundError(f"{source.name} has no Exchange 5.5 virtual server",
                            rule="mailboxes are moved out of an Exchange 5.5 server", source=SRC_MOVE)
    if source is target:
        raise ConfigurationError("the Exchange 2000 virtual server is on the Exchange 5.5 cluster",
                                 rule="Exchange 5.5 and Exchange 2000 do not share a cluster",
                                 source="paper, Migrating From Exchange 5.5 Clusters")
    if not COUNT.ok(count):
        raise ValidationError(f"count must be a whole number >= 1, not {show(count)}", rule="mailboxes are counted")
    count = exact(count)
    if count > old.mailboxes:
        raise LimitError(f"{old.name} holds {old.mailboxes} mailboxes, not {count}",
                         rule="Move Mailbox moves mailboxes that exist", source=SRC_MOVE)
    return old, count


def _running_stores(source, old, target, evs: str, database: str):
    """Check both ends of Move Mailbox: an Exchange Full Administrator on the target,
    ``database`` a mailbox store of virtual server ``evs`` and mounted, the Exchange 5.5
    Information Store running. Returns the virtual server, the database and the two
    Information Store resources (the 5.5 one, the 2000 one)."""
    from .model import DatabaseKind, need_org
    from .storage import find_database, is_dismounted
    from .rules import check_full_admin
    check_full_admin(target, "move mailboxes")
    o = need_org(target)
    vs = o.server(evs)
    sg, db = find_database(target, evs, database)
    if db.kind is not DatabaseKind.MAILBOX:
        raise ConfigurationError(f"{show(database)} is a public store; mailboxes live in mailbox stores",
                                 rule="mailboxes live in mailbox stores", source="paper, Creating New Users")
    store55 = source.resources[old.resources["Information Store"]]
    if store55.state is not ResourceState.ONLINE:
        raise StateError(f"{old.name}'s Information Store is {store55.state}; bring group {show(old.group)} online",
                         rule="Move Mailbox needs both stores running [D]", source=SRC_MOVE)
    store = target.resources.get(vs.resources.get("Information Store", ""))
    if store is None or store.state is not ResourceState.ONLINE or is_dismounted(target, evs, db.name):
        state = "dismounted for a move" if store is not None and store.state is ResourceState.ONLINE \
            else (store.state if store is not None else "missing")
        raise StateError(f"{show(db.name)} of {vs.name} is not mounted (its Information Store is {state})",
                         rule="Move Mailbox needs both stores running [D]", source=SRC_MOVE)
    return vs, db, store55, store


def move_mailboxes(source, target, evs: str, database: str, count: int) -> int:
    """Move ``count`` mailboxes from the Exchange 5.5 virtual server of cluster ``source``
    to mailbox store ``database`` of Exchange 2000 virtual server ``evs`` in cluster
    ``target`` (Active Directory Users and Computers, Exchange Tasks, Move Mailbox) --
    the paper's mailbox relocation, done in batches. Returns the mailboxes left on the
    Exchange 5.5 server.

    Refused, changing neither cluster: the Exchange 2000 cluster is the 5.5 one (the
    two do not share a cluster); more mailboxes than the 5.5 server holds; either store
    not running -- Move Mailbox reads the mailbox from the running 5.5 Information Store
    and writes it into a mounted Exchange 2000 store [D]; a target that is not a mailbox
    store; an account without Exchange Full Administrator rights on the target. How long
    a batch takes is the caller's to simulate (see ``labkit.procedures.mailbox_relocation``).

    >>> import labkit as lk
    >>> from labkit.exchange import demo_cluster
    >>> old = lk.Cluster("OLDEX", ip="10.0.0.100"); _ = old.add_node("A", ip="10.0.0.1")
    >>> create_virtual_server(old, "EX55", ip="10.0.0.11"); add_mailboxes(old, 300)
    'EX55'
    300
    >>> old.online_group("EX55"); old.run_until_stable()
    >>> new = demo_cluster()
    >>> move_mailboxes(old, new, "EXVS1", "Mailbox Store (EXVS1)", 200)
    100
    >>> from labkit.exchange import virtual_server
    >>> virtual_server(new, "EXVS1").mailboxes
    200
    """
    old, count = _check_move_source(source, target, count)
    vs, db, store55, store = _running_stores(source, old, target, evs, database)
    with source.transaction(), target.transaction():
        old.mailboxes -= count
        source.record(old.name, f"{count} mailboxes moved out",
                      f"to {vs.name} ({show(db.name)}) on {target.name} (Move Mailbox) by {target.account}",
                      store55.node)
        db.mailboxes += count
        target.record(vs.name, f"{count} mailboxes moved in",
                      f"into {show(db.name)} from Exchange 5.5 server {old.name} on {source.name} (Move Mailbox)",
                      store.node)
    return old.mailboxes


def remove_virtual_server(cluster) -> list[str]:
    """Delete the Exchange 5.5 services (group offline first), keeping the group, its
    address, name and disk -- with the data on it (the in-place upgrade's starting point,
    paper, In-Place Cluster Upgrade Strategy). Returns the deleted names."""
    vs = server(cluster)
    if vs is None:
        raise NotFoundError("this cluster has no Exchange 5.5 virtual server",
                            rule="commands name existing virtual servers")
    g = cluster.groups[vs.group]
    if g.move is not None or any(cluster.resources[r].state not in (ResourceState.OFFLINE, ResourceState.FAILED)
                                 for r in g.resources):
        raise StateError(f"group {show(g.name)} is {g.state}; take it offline first",
                         rule="take the Exchange group offline before removing Exchange",
                         source="paper, In-Place Cluster Upgrade Strategy, step 2")
    with cluster.transaction():
        gone = cluster.delete_resource(vs.resources["System Attendant"], with_dependents=True)
        del cluster.extensions[EXT]
        cluster.record(vs.name, "Exchange 5.5 removed", f"binaries deleted from {vs.disk}; data kept in {vs.data_path}")
    return gone
