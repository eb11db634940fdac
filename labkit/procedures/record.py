"""The configuration you documented, and what Scenario 3 rebuilds from it (paper,
Cluster Back Up and Restore Scenarios, Scenario 3): :func:`record_configuration`
writes down each Exchange virtual server (group, disks, addresses, storage groups,
clients) as a :class:`ClusterRecord`; :func:`recreate_virtual_server` and
:func:`storage_from_record` build one again with the *same* names;
:func:`restore_databases` restores its databases from a backup set.

>>> from labkit.exchange import demo_cluster
>>> r = record_configuration(demo_cluster())
>>> r.virtual_servers[0].name, r.virtual_servers[0].disks
('EXVS1', [['Disk E:', 'E:'], ['Disk L:', 'L:']])
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..values import show
from ..errors import ConfigurationError, ProcedureError, StateError, ValidationError
from .assumptions import pick
from .backup import size_mb
from .engine import need_cluster
from .state import BackupKind, BackupSet
from ..cluster.model import ResourceState
from ..exchange.model import DatabaseKind


SRC_RESTORE = "paper, Cluster Back Up and Restore Scenarios"
SRC_S3 = f"{SRC_RESTORE}, Scenario 3"


# --------------------------------------------------------- configuration record
@dataclass
class VirtualServerRecord:
    """How one Exchange virtual server was built: names of its group and resources,
    address, disks (resource, drive), data disk, preferred owners, storage groups
    and databases, and its clients -- what you need to recreate it identically."""

    name: str
    group: str
    ip: str
    ip_resource: str
    name_resource: str
    disks: list[list]
    system_attendant: str
    data_disk: str
    preferred_owners: list[str]
    owner: str | None
    resources: dict[str, str]
    storage_groups: list[dict] = field(default_factory=list)
    clients: dict[str, int] = field(default_factory=dict)


@dataclass
class ClusterRecord:
    """The documented configuration of a cluster (what a runbook keeps): its name,
    address, edition, quorum, nodes (name, address) in node-id order and its
    Exchange virtual servers in creation order."""

    name: str
    ip: str | None
    edition: str
    quorum_disk: str
    quorum_drive: str
    nodes: list[list]
    virtual_servers: list[VirtualServerRecord]
    taken_at: str
    exchange_settings: dict = field(default_factory=dict)


def record_configuration(cluster) -> ClusterRecord:
    """Document ``cluster``'s configuration (before a disaster, not after)."""
    need_cluster(cluster)
    from ..exchange.model import org as exchange_org
    o = exchange_org(cluster)
    servers = []
    for vs in (o.virtual_servers.values() if o is not None else ()):
        nn = cluster.resources[vs.network_name]
        ip_res = next(p for p in nn.dependencies if cluster.resources[p].type == "IP Address")
        sa = cluster.resources[vs.system_attendant]
        disks = [[d, cluster.resources[d].properties.get("drive")] for d in sa.dependencies
                 if cluster.resources[d].type == "Physical Disk"]
        sgs = [{"name": sg.name, "log_disk": sg.log_disk,
                "databases": [{"name": db.name, "kind": str(db.kind), "edb_disk": db.edb_disk, "stm_disk": db.stm_disk,
                               "mailboxes": db.mailboxes} for db in sg.databases.values()]}
               for sg in vs.storage_groups.values()]
        g = cluster.groups[vs.group]
        servers.append(VirtualServerRecord(vs.name, vs.group, cluster.resources[ip_res].properties["address"], ip_res,
                                           vs.network_name, disks, vs.system_attendant, vs.data_disk,
                                           list(g.preferred_owners), g.owner, dict(vs.resources), sgs,
                                           dict(vs.clients)))
    settings = o.settings.__dict__.copy() if o is not None else {}
    return ClusterRecord(cluster.name, cluster.ip, cluster.edition, cluster.quorum_resource, cluster.quorum_drive,
                         [[n, cluster.nodes[n].ip] for n in cluster.node_ids()], servers,
                         cluster.now.isoformat(timespec="seconds"), settings)


def recreate_virtual_server(cluster, rec: VirtualServerRecord, *, node: str | None = None) -> list[str]:
    """Recreate a virtual server from its record with the same group, resource names,
    address, disks, storage groups and databases (mailboxes are *not* restored: that is
    the backup's job). The group is left offline. Returns the names of its resources."""
    need_cluster(cluster)
    from .. import exchange as ex
    if not isinstance(rec, VirtualServerRecord):
        raise ValidationError(f"rec must be a VirtualServerRecord (from record_configuration), not {show(rec)}",
                              rule="recreate from the documented configuration", source=SRC_S3)
    c = cluster
    node = node or next((n for n in rec.preferred_owners + [rec.owner] if n in c.nodes), None)
    with c.transaction():
        if rec.group not in c.groups:
            c.add_group(rec.group, preferred_owners=[n for n in rec.preferred_owners if n in c.nodes])
            if node is not None and c.groups[rec.group].owner != node:
                c.move_group(rec.group, node)
        c.add_resource(rec.ip_resource, type="IP Address", group=rec.group, address=rec.ip)
        c.add_resource(rec.name_resource, type="Network Name", group=rec.group, name=rec.name,
                       dependencies=[rec.ip_resource])
        for disk, drive in rec.disks:
            if disk not in c.resources:
                c.add_resource(disk, type="Physical Disk", group=rec.group, **({"drive": drive} if drive else {}))
        c.add_resource(rec.system_attendant, type=ex.TABLE7_BY_ROLE["System Attendant"].type, group=rec.group,
                       dependencies=[rec.name_resource, *[d for d, _ in rec.disks]], data_disk=rec.data_disk)
        storage_from_record(c, rec)
        if rec.clients:
            ex.set_clients(c, rec.name, **{k.lower(): v for k, v in rec.clients.items()})
        vs = ex.virtual_server(c, rec.name)
        if vs.resources != rec.resources:
            raise ConfigurationError(f"{rec.name} came back with other resource names: "
                                     f"{sorted(set(vs.resources.values()) ^ set(rec.resources.values()))}",
                                     rule="recreate the Exchange cluster resources with the same names",
                                     source=SRC_S3)
    return [rec.ip_resource, rec.name_resource] + [d for d, _ in rec.disks] + list(vs.resources.values())


def storage_from_record(cluster, rec: VirtualServerRecord) -> None:
    """Give a recreated virtual server the recorded storage layout: the storage groups
    and databases setup did not create are added where they were, and setup's default
    storage group and stores -- created on the data location -- are moved where they
    were with Exchange System Manager (``labkit.exchange.move_storage_group_logs`` and
    ``move_database``; the group is offline, so nothing is dismounted)."""
    from .. import exchange as ex
    for sg in rec.storage_groups:
        have = ex.virtual_server(cluster, rec.name).storage_groups
        if sg["name"] not in have:
            ex.add_storage_group(cluster, rec.name, sg["name"], log_disk=sg["log_disk"])
        elif have[sg["name"]].log_disk != sg["log_disk"]:
            ex.move_storage_group_logs(cluster, rec.name, sg["name"], sg["log_disk"])
        dbs = ex.virtual_server(cluster, rec.name).storage_groups[sg["name"]].databases
        for db in sg["databases"]:
            if db["name"] not in dbs:
                ex.add_database(cluster, rec.name, sg["name"], db["name"], edb_disk=db["edb_disk"],
                                stm_disk=db["stm_disk"], kind=db["kind"])
            elif (dbs[db["name"]].edb_disk, dbs[db["name"]].stm_disk) != (db["edb_disk"], db["stm_disk"]):
                ex.move_database(cluster, rec.name, sg["name"], db["name"], edb_disk=db["edb_disk"],
                                 stm_disk=db["stm_disk"])


def restore_databases(cluster, evs: str, backup, *, path: str = "lan", assumptions=None) -> float:
    """Restore ``evs``'s databases from ``backup`` (a :class:`~labkit.procedures.state.BackupSet`
    taken *from that virtual server*), putting back each database's mailboxes; the
    virtual server must be offline (stores dismounted). Time passes at the restore
    rate. Returns the seconds it took."""
    need_cluster(cluster)
    from .. import exchange as ex
    a = pick(assumptions)
    vs = ex.virtual_server(cluster, evs)
    if backup is None:
        raise ProcedureError(f"no backup set of {vs.name} in the catalogue",
                             rule="every virtual server's databases are restored from its own backup",
                             source=f"{SRC_S3}, step 4")
    if not isinstance(backup, BackupSet):
        raise ValidationError(f"backup must be a BackupSet from the catalogue, not {show(backup)}",
                              rule="databases are restored from a backup set")
    if backup.kind is not BackupKind.EXCHANGE:
        raise ValidationError(f"{show(backup.name)} is a {backup.kind} backup, not an Exchange database backup",
                              rule="databases are restored from an Exchange backup set", source=f"{SRC_S3}, step 4")
    if backup.source != vs.name:
        raise ConfigurationError(f"backup set {show(backup.name)} was taken from {backup.source}, not {vs.name}",
                                 rule="a database is restored to the virtual server it was backed up from [D]",
                                 source=f"{SRC_S3}, step 4")
    store = cluster.resources.get(vs.information_store or "")
    if store is not None and store.state is not ResourceState.OFFLINE:
        raise StateError(f"{vs.name}'s Information Store is {store.state}; restore into dismounted stores",
                         rule="restore databases while the store is offline [D]", source=f"{SRC_S3}, step 4")
    for d in backup.databases:
        sg, db = ex.find_database(cluster, vs.name, d["database"])
        if sg.name != d["storage_group"]:
            raise ConfigurationError(f"{show(d['database'])} is in {show(sg.name)} now, {show(d['storage_group'])} in the backup",
                                     rule="recreate storage groups and databases with the same names",
                                     source=f"{SRC_S3}, step 3")
    secs = a.transfer_s(backup.size_mb or size_mb(backup.databases, a.mailbox_mb, a.public_store_mb), path)
    cluster.run(seconds=secs)
    for d in backup.databases:
        _, db = ex.find_database(cluster, vs.name, d["database"])
        if d["kind"] == DatabaseKind.MAILBOX and d["mailboxes"] > db.mailboxes:
            ex.add_mailboxes(cluster, vs.name, db.name, d["mailboxes"] - db.mailboxes)
    cluster.record(vs.name, f"databases restored from {show(backup.name)}",
                   f"taken {backup.taken_at} on {backup.node}; mail that arrived after it is lost with the logs [D]")
    return secs


__all__ = ["VirtualServerRecord", "ClusterRecord", "record_configuration", "recreate_virtual_server", "storage_from_record", "restore_databases"]
