"""The paper's three restore scenarios (Cluster Back Up and Restore Scenarios).

- :func:`single_node_failure` (Scenario 1): check the failed node's groups moved,
  rebuild it under a *new* machine name -- checked where the name is chosen, when
  Windows is installed: not the failed node's, not an evicted node's, not in use --
  evict the old node (and check it left every owner list), join under the name it was
  built with, restore System State, install Exchange, add the new node as a possible
  owner of every resource, and prove it by moving an Exchange group there.
- :func:`quorum_disk_failure` (Scenario 2): the cluster service cannot start on a
  corrupt quorum disk; replace the disk, write the old signature back (MSCS finds
  disks by signature, KB 280425), restore the cluster database from a System State
  backup (KB 248998), start the cluster service again.
- :func:`complete_cluster_failure` (Scenario 3): every node and the quorum are lost;
  rebuild all nodes, recreate the Cluster Group, restore System State, install
  Exchange, recreate the Exchange resources with the *same* names (from a
  :class:`ClusterRecord` -- the configuration you documented), and restore each
  virtual server's databases from its own backup set.

>>> from labkit.exchange import demo_cluster
>>> c = demo_cluster()
>>> r = record_configuration(c)
>>> r.virtual_servers[0].name, r.virtual_servers[0].disks
('EXVS1', [['Disk E:', 'E:'], ['Disk L:', 'L:']])
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..cluster.model import GroupState, NodeState, ResourceState
from ..values import show
from ..errors import ConfigurationError, ProcedureError, StateError, ValidationError
from .assumptions import pick
from .backup import latest, size_mb
from .disks import default_signature, write_signature
from .engine import (Interruption, Procedure, Step, before_start, exchange_groups, interruptions, minutes,
                     need_cluster, outages_since_loss, wait)
from .state import BackupSet, SharedDisk, state

SRC_RESTORE = "paper, Cluster Back Up and Restore Scenarios"
SRC_S1 = f"{SRC_RESTORE}, Scenario 1"
SRC_S2 = f"{SRC_RESTORE}, Scenario 2"
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
    o = cluster.extensions.get("exchange")
    servers = []
    for vs in (o.virtual_servers.values() if o is not None else ()):
        nn = cluster.resources[vs.network_name]
        ip_res = next(p for p in nn.dependencies if cluster.resources[p].type == "IP Address")
        sa = cluster.resources[vs.system_attendant]
        disks = [[d, cluster.resources[d].properties.get("drive")] for d in sa.dependencies
                 if cluster.resources[d].type == "Physical Disk"]
        sgs = [{"name": sg.name, "log_disk": sg.log_disk,
                "databases": [{"name": db.name, "kind": db.kind, "edb_disk": db.edb_disk, "stm_disk": db.stm_disk,
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
    if backup.kind != "exchange":
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
        if d["kind"] == "mailbox" and d["mailboxes"] > db.mailboxes:
            ex.add_mailboxes(cluster, vs.name, db.name, d["mailboxes"] - db.mailboxes)
    cluster.record(vs.name, f"databases restored from {show(backup.name)}",
                   f"taken {backup.taken_at} on {backup.node}; mail that arrived after it is lost with the logs [D]")
    return secs


# ------------------------------------------------------------ Scenario 1
def _check_new_name(cluster, name, failed, ip=None) -> tuple[str, str]:
    """Check the replacement's machine name (and address) where it is chosen: a NetBIOS
    name that is not the failed node's, not an evicted node's, and not used by another
    node, the cluster or a virtual server; an address no one else uses (the failed
    node's own may be reused). Returns the name and its upper-case form."""
    from ..cluster.types import check_netbios_name, check_static_ip
    from ..errors import NameConflictError
    check_netbios_name(name, "the new machine name")
    key = name.upper()
    if isinstance(failed, str) and key == failed.upper():
        raise NameConflictError(f"{show(name)} is the failed node's name; build the replacement under a new machine name",
                                rule="a rebuilt node gets a new name", source=SRC_S1)
    if key in {e.upper() for e in cluster.evicted}:
        raise NameConflictError(f"{show(name)} was evicted from {cluster.name}; build the replacement under a new "
                                "machine name", rule="a rebuilt node gets a new name", source=SRC_S1)
    owner = cluster.who_has_name(name)
    if owner:
        raise NameConflictError(f"name {show(name)} is already used by {owner}",
                                rule="node, cluster and virtual server names are unique", source="paper, Table 10")
    if ip is not None:
        ip = check_static_ip(ip, "the new node's address")
        user = cluster.who_has_address(ip)
        old = cluster.nodes.get(failed) if isinstance(failed, str) else None
        if user and not (old is not None and old.ip == ip):
            raise NameConflictError(f"address {ip} is already used by {user}",
                                    rule="every cluster, node and service address is unique", source="paper, Table 10")
    return name, key


def single_node_failure(cluster, failed: str, new_name: str, new_ip: str | None = None, *,
                        group: str | None = None, assumptions=None) -> Procedure:
    """Scenario 1: rebuild a failed node under a new name and bring it back into service.
    ``group``: the Exchange group to move to the new node at the end (default: the first).
    ``procedure.params`` (failed, new_name, new_ip, group) may be corrected after a refusal."""
    from .. import exchange as ex
    title = "Scenario 1: single node failure"
    before_start(title, "labkit procedures", need_cluster, cluster, "cluster")
    a = before_start(title, SRC_S1, pick, assumptions)
    P = {"failed": failed, "new_name": new_name, "new_ip": new_ip, "group": group}

    def moved(p):
        c, f = p.cluster, p.params["failed"]
        n = c.node(f)
        f = p.params["failed"] = n.name
        if n.state is not NodeState.DOWN:
            raise StateError(f"{f} is {n.state}; Scenario 1 starts from a node that failed",
                             rule="rebuild a node only after it failed", source=SRC_S1)
        if n.regroup_pending:
            raise StateError(f"the cluster has not yet noticed that {f} is down; let the clock run",
                             rule="verify the groups moved before rebuilding", source=SRC_S1)
        mine = [e.obj for e in c.log if e.what == "failing over (node failure)" and e.why == f"{f} is down"]
        p.data["moved"] = list(dict.fromkeys(mine))
        return "; ".join(f"{g} -> {c.groups[g].owner}" for g in p.data["moved"] if g in c.groups) or "no group moved"

    def moved_ok(p):
        c, f = p.cluster, p.params["failed"]
        stuck = [g.name for g in c.groups.values()
                 if g.owner == f or (g.persistent_state and g.state is not GroupState.ONLINE)]
        if stuck:
            raise ProcedureError(f"{', '.join(stuck)} did not come online on another node; fix that first (possible "
                                 "owners? the four-storage-group limit?)",
                                 rule="verify every group moved to another node before rebuilding", source=SRC_S1)

    def build(p):
        c = p.cluster
        name, built = _check_new_name(c, p.params["new_name"], p.params["failed"], p.params["new_ip"])
        p.data["built"] = built
        minutes(c, a.windows_install_min)
        return f"Windows 2000 installed on {name} (a new machine name)"

    def evict(p):
        p.cluster.evict_node(p.params["failed"])
        return f"{p.params['failed']} evicted"

    def evicted(p):
        c, f = p.cluster, p.params["failed"]
        left = [f"group {g.name}" for g in c.groups.values() if f in g.preferred_owners]
        left += [f"resource {r.name}" for r in c.resources.values() if f in r.possible_owners]
        if left or f in c.nodes:
            raise ProcedureError(f"{f} still appears in {', '.join(left[:5])}",
                                 rule="an evicted node is in no preferred or possible owner list", source=SRC_S1)

    def join(p):
        c = p.cluster
        name = p.params["new_name"]
        if isinstance(name, str) and name.upper() not in {e.upper() for e in c.evicted} \
                and name.upper() != p.data["built"]:
            raise ConfigurationError(f"step 2 built the replacement as {p.data['built']}, not {show(name)}; join it "
                                     "under the name Windows was installed with (or rebuild it)",
                                     rule="the rebuilt node joins under the machine name it was built with [D]",
                                     source=SRC_S1)
        c.add_node(name, ip=p.params["new_ip"])
        wait(c)
        return f"{p.params['new_name']} joined as node {c.nodes[p.params['new_name']].id}"

    def system_state(p):
        # "Restore only System State on the node" (step 1): a restore needs a System State
        # backup -- of the failed node -- as Scenario 2's restore does (KB 248998)
        c, f = p.cluster, p.params["failed"]
        b = latest(state(c).backup_sets if state(c) else [], source=f, kind="system state")
        if b is None:
            raise ProcedureError(f"the catalogue holds no System State backup of {f}: Scenario 1 restores the "
                                 "System State on the rebuilt node (take one with take_system_state_backup while "
                                 "the node runs)", rule="the System State is restored from a System State backup",
                                 source=f"{SRC_S1}, step 1; KB 248998")
        minutes(c, a.system_state_restore_min)
        c.record(p.params["new_name"], "System State restored", f"NT Backup, System State only, from {b.name!r}",
                 p.params["new_name"])
        return f"System State only, from {b.name!r} (not the shared disks)"

    def install(p):
        c, n = p.cluster, p.params["new_name"]
        minutes(c, a.exchange_setup_min)
        ex.install(c, n)
        wait(c)
        if ex.install_under_way(c) or c.nodes[n].state is not NodeState.UP:
            raise ProcedureError(f"{n} is not back after its restart",
                                 rule="restart the node after installing Exchange 2000",
                                 source="paper, Installing Exchange 2000 Server")
        return "Exchange 2000 installed; node restarted"

    def owners(p):
        c, n = p.cluster, p.params["new_name"]
        added = []
        for r in c.resources.values():
            if n not in r.possible_owners:
                c.add_possible_owner(r.name, n)
                added.append(r.name)
        return f"{n} added to {len(added)} resources"

    def owners_ok(p):
        c, n = p.cluster, p.params["new_name"]
        miss = [r.name for r in c.resources.values() if n not in r.possible_owners]
        if miss:
            raise ProcedureError(f"{n} is not a possible owner of {', '.join(miss[:5])}",
                                 rule="the new node is a possible owner of every group's resources",
                                 source=f"{SRC_S1}, step 2")

    def move(p):
        c, n = p.cluster, p.params["new_name"]
        g = p.params["group"] or next(iter(exchange_groups(c)), None)
        if g is None:
            raise ConfigurationError("the cluster has no Exchange group to move", rule="move an Exchange group",
                                     source=f"{SRC_S1}, step 3")
        g = c.group(g).name
        p.data["group"] = g
        t0 = c.clock.ms
        c.move_group(g, n)
        wait(c)
        p.interruptions.extend(interruptions(c, t0, cause=f"move to {n}", groups=[g]))
        return f"{g} moved to {n} in {(c.clock.ms - t0) / 1000:g} s"

    def move_ok(p):
        c, n, g = p.cluster, p.params["new_name"], p.data["group"]
        if c.groups[g].owner != n or c.groups[g].state is not GroupState.ONLINE:
            raise ProcedureError(f"{g} is {c.groups[g].state} on {c.groups[g].owner}",
                                 rule="the moved group comes online on the new node", source=f"{SRC_S1}, step 3")

    steps = [Step("verify the failed node's groups moved", moved, verify=moved_ok, source=SRC_S1),
             Step("build the replacement node under a new name", build, source=SRC_S1),
             Step("evict the failed node", evict, verify=evicted, source=f"{SRC_S1}, step 1"),
             Step("install the cluster service and join", join, source=f"{SRC_S1}, step 1"),
             Step("restore System State on the new node", system_state, source=f"{SRC_S1}, step 1"),
             Step("install Exchange 2000 on the new node", install, source=f"{SRC_S1}, step 1"),
             Step("add the new node as possible owner of every resource", owners, verify=owners_ok,
                  source=f"{SRC_S1}, step 2; paper, Resource Ownership and Failover"),
             Step("move an Exchange group to the new node", move, verify=move_ok, source=f"{SRC_S1}, step 3")]
    return Procedure(title, cluster, steps, source=SRC_S1, params=P,
                     rebuild=lambda cs: single_node_failure(cs[0], failed, new_name, new_ip, group=group,
                                                            assumptions=a))


# ------------------------------------------------------------ Scenario 2
def quorum_disk_failure(cluster, *, assumptions=None) -> Procedure:
    """Scenario 2: the cluster service does not start because the quorum disk is corrupt."""
    title = "Scenario 2: quorum disk failure"
    before_start(title, "labkit procedures", need_cluster, cluster, "cluster")
    a = before_start(title, SRC_S2, pick, assumptions)
    src_sig = "KB 280425 and KB 243195 (event 1034: MSCS finds disks by signature)"

    def stopped(p):
        c = p.cluster
        q = c.resources[c.quorum_resource]
        if c.running:
            raise StateError(f"cluster {c.name} is running; Scenario 2 is for a cluster service that cannot start",
                             rule="Scenario 2 starts when the cluster service fails on a corrupt quorum disk",
                             source=SRC_S2)
        if not q.persistent_fault:
            raise StateError(f"the quorum disk {show(q.name)} is healthy; start a node instead",
                             rule="Scenario 2 starts when the cluster service fails on a corrupt quorum disk",
                             source=SRC_S2)
        lost = [e for e in c.log if e.obj == c.name and e.what == "cluster service stopped on every node"]
        p.data["lost_ms"] = (lost[-1].time - c.clock.start).total_seconds() * 1000 if lost else c.clock.ms
        return f"cluster service stopped; {q.name} is corrupt"

    def replace_disk(p):
        c = p.cluster
        s = state(c, create=True)
        qn = c.quorum_resource
        old = s.disks.get(qn)
        sig = (old.signature if old is not None else None) or c.resources[qn].properties.get("signature") \
            or default_signature(qn)
        p.data["old_signature"] = sig
        minutes(c, a.disk_replace_min)
        new = SharedDisk(qn, c.quorum_drive, "basic", default_signature(qn, salt="replacement"), 1,
                         old.size_gb if old is not None else 18.2, old.site if old is not None else None)
        s.disks[qn] = new
        c.record(qn, "disk replaced", f"new disk partitioned as {c.quorum_drive}; its signature {new.signature} is "
                 f"not the one the cluster expects ({sig})")
        return f"new signature {new.signature}; the cluster looks for {sig}"

    def signature(p):
        c = p.cluster
        minutes(c, a.signature_write_min)
        write_signature(c, c.quorum_resource, p.data["old_signature"])
        return f"signature {p.data['old_signature']} written back (DumpCfg)"

    def restore(p):
        c = p.cluster
        s = state(c)
        q = s.disks[c.quorum_resource]
        if q.signature != p.data["old_signature"]:
            raise ConfigurationError(f"the quorum disk's signature is {q.signature}, the cluster expects "
                                     f"{p.data['old_signature']}", rule="the cluster finds its disks by signature",
                                     source=src_sig)
        b = latest(s.backup_sets, kind="system state")
        if b is None:
            raise ProcedureError("the catalogue holds no System State backup of a cluster node",
                                 rule="the quorum data is restored from a System State backup",
                                 source=f"{SRC_S2}; KB 248998")
        node = b.node if b.node in c.nodes else c.node_ids()[0]
        minutes(c, a.system_state_restore_min)
        c.repair_resource(c.quorum_resource)
        p.data["node"] = node
        c.record(c.quorum_resource, "cluster database restored",
                 f"from {show(b.name)} (taken {b.taken_at}); changes made after it are lost", node)
        return f"from {show(b.name)} on {node}"

    def start_first(p):
        c = p.cluster
        c.start_node(p.data["node"])
        wait(c)
        return f"{p.data['node']} formed the cluster"

    def running(p):
        if not p.cluster.running:
            raise ProcedureError("the cluster service did not start", rule="the cluster forms with its quorum disk",
                                 source=SRC_S2)

    def start_rest(p):
        c = p.cluster
        rest = [n for n in c.node_ids() if c.nodes[n].state is NodeState.DOWN]
        for n in rest:
            c.start_node(n)
        wait(c)
        return f"{len(rest)} node(s) joined"

    def rebalance(p):
        return _rebalance(p.cluster)

    def verify(p):
        c = p.cluster
        bad = [g.name for g in c.groups.values() if g.persistent_state and g.state is not GroupState.ONLINE]
        if bad:
            raise ProcedureError(f"{', '.join(bad)} are not online", rule="every group is back online",
                                 source=SRC_S2)
        p.interruptions.extend(outages_since_loss(c, int(p.data["lost_ms"]), cause="quorum disk failure"))
        return "every group online"

    steps = [Step("confirm the cluster service cannot start", stopped, source=SRC_S2),
             Step("replace the quorum disk", replace_disk, source=SRC_S2),
             Step("write the old disk signature on the new disk", signature, source=src_sig),
             Step("restore the cluster database from System State", restore, source=f"{SRC_S2}; KB 248998"),
             Step("start the cluster service on the restoring node", start_first, verify=running, source=SRC_S2),
             Step("start the cluster service on the other nodes", start_rest, source=SRC_S2),
             Step("move the groups back to their preferred nodes", rebalance, source=SRC_S2, optional=True),
             Step("verify every group is online", verify, source=SRC_S2)]
    return Procedure(title, cluster, steps, source=SRC_S2,
                     rebuild=lambda cs: quorum_disk_failure(cs[0], assumptions=a))


def _rebalance(c) -> str:
    moved = []
    for g in list(c.groups.values()):
        want = next((n for n in g.preferred_owners if c.can_host(g.name, n)), None)
        if want and g.owner != want and g.state is GroupState.ONLINE:
            c.move_group(g.name, want)
            wait(c)
            moved.append(f"{g.name} -> {want}")
    return "; ".join(moved) or "nothing to move"


# ------------------------------------------------------------ Scenario 3
def complete_cluster_failure(failed, *, record: ClusterRecord | None = None, backups=None, path: str = "lan",
                             assumptions=None) -> Procedure:
    """Scenario 3: rebuild the whole cluster from ``record`` (default: the documented
    configuration of ``failed``) and restore each virtual server's databases from the
    latest Exchange backup set taken from it in ``backups`` (default: ``failed``'s
    catalogue). ``procedure.cluster`` is the new cluster; ``failed`` is left as it is."""
    import labkit as lk
    title = "Scenario 3: complete cluster failure"
    a = before_start(title, SRC_S3, pick, assumptions)
    if not isinstance(failed, lk.Cluster):
        before_start(title, SRC_S3, _refuse, ValidationError(f"failed must be the lost Cluster, not {show(failed)}",
                                                             rule="Scenario 3 starts from the lost cluster"))
    rec = record if record is not None else record_configuration(failed)
    if not isinstance(rec, ClusterRecord):
        before_start(title, SRC_S3, _refuse, ValidationError("record must be a ClusterRecord",
                                                             rule="recreate from the documented configuration"))
    sets = list(backups) if backups is not None else list(state(failed).backup_sets if state(failed) else [])
    new = before_start(title, SRC_S3, lk.Cluster, rec.name, ip=rec.ip, edition=rec.edition,
                       quorum_disk=rec.quorum_disk, quorum_drive=rec.quorum_drive, seed=failed.seed)
    new.run(seconds=failed.clock.ms / 1000)      # the new cluster's clock goes on from the disaster
    for b in sets:
        state(new, create=True).backup_sets.append(b)   # the tapes survive
    first = rec.nodes[0][0]

    def lost(p):
        if failed.running:
            raise StateError(f"cluster {failed.name} still runs; Scenario 3 is for the loss of every node and "
                             "the quorum disk", rule="Scenario 3 starts when the whole cluster is lost", source=SRC_S3)
        down = [e for e in failed.log if e.obj == failed.name and e.what == "cluster service stopped on every node"]
        p.data["lost_ms"] = (down[-1].time - failed.clock.start).total_seconds() * 1000 if down else failed.clock.ms
        return f"{failed.name} lost at {failed.clock.at(int(p.data['lost_ms'])):%Y-%m-%d %H:%M}"

    def windows(p):
        minutes(p.cluster, a.windows_install_min)
        return f"{len(rec.nodes)} nodes rebuilt in parallel"

    def form(p):
        c = p.cluster
        c.add_node(first, ip=rec.nodes[0][1])
        for n, ip in rec.nodes[1:]:
            c.add_node(n, ip=ip)
        wait(c)
        return f"Cluster Group ({', '.join(c.groups['Cluster Group'].resources)}) on {c.quorum_owner}"

    def formed(p):
        c = p.cluster
        if not c.running or c.groups["Cluster Group"].state is not GroupState.ONLINE or len(c.nodes) != len(rec.nodes):
            raise ProcedureError("the cluster is not formed with every node", rule="recreate the original Cluster "
                                 "group on every node", source=f"{SRC_S3}, step 1")

    def system_state(p):
        minutes(p.cluster, a.system_state_restore_min)
        have = {b.node for b in sets if b.kind == "system state"}
        for n, _ in rec.nodes:
            p.cluster.record(n, "System State restored", "from backup" if n in have else "no backup of this node", n)
        missing = [n for n, _ in rec.nodes if n not in have]
        return "System State only" + (f"; no System State backup of {', '.join(missing)}" if missing else "")

    def install(n):
        def act(p):
            from .. import exchange as ex
            c = p.cluster
            minutes(c, a.exchange_setup_min)
            ex.install(c, n)
            wait(c)
            if n == first and rec.exchange_settings:
                ex.configure(c, **rec.exchange_settings)
            return "installed; node restarted"
        return act

    def recreate(v):
        def act(p):
            names = recreate_virtual_server(p.cluster, v)
            return f"{len(names)} resources with their old names"
        return act

    def restore(v):
        def act(p):
            chosen = latest(sets, source=v.name, kind="exchange")
            secs = restore_databases(p.cluster, v.name, chosen, path=path, assumptions=a)
            p.tables.setdefault("restores", []).append({
                "virtual_server": v.name, "backup set": chosen.name, "taken": chosen.taken_at, "from": chosen.source,
                "databases": ", ".join(d["database"] for d in chosen.databases),
                "restore (h)": round(secs / 3600, 2)})
            return f"from {show(chosen.name)}, taken {chosen.taken_at}"
        return act

    def online(p):
        c = p.cluster
        for v in rec.virtual_servers:
            c.online_group(v.group)
        wait(c)
        _rebalance(c)
        lost_ms = int(p.data["lost_ms"])
        for v in rec.virtual_servers:
            users = sum(v.clients.values()) or sum(d["mailboxes"] for sg in v.storage_groups for d in sg["databases"])
            p.interruptions.append(Interruption(v.group, "complete cluster failure", failed.clock.at(lost_ms),
                                                c.now, (c.clock.ms - lost_ms) / 1000, users))
        return ", ".join(f"{v.group} on {c.groups[v.group].owner}" for v in rec.virtual_servers)

    def online_ok(p):
        bad = [v.group for v in rec.virtual_servers if p.cluster.groups[v.group].state is not GroupState.ONLINE]
        if bad:
            raise ProcedureError(f"{', '.join(bad)} did not come online", rule="bring the virtual servers online",
                                 source=SRC_S3)

    steps = [Step("confirm every node and the quorum are lost", lost, source=SRC_S3),
             Step("rebuild every node with Windows 2000", windows, source=f"{SRC_S3}, step 1"),
             Step("set up the cluster service and recreate the Cluster group", form, verify=formed,
                  source=f"{SRC_S3}, step 1"),
             Step("restore System State on each node", system_state, source=f"{SRC_S3}, step 2")]
    steps += [Step(f"install Exchange 2000 on {n}", install(n), source=f"{SRC_S3}, step 3") for n, _ in rec.nodes]
    steps += [Step(f"recreate {v.name} with the same names", recreate(v), source=f"{SRC_S3}, step 3")
              for v in rec.virtual_servers]
    steps += [Step(f"restore the databases of {v.name}", restore(v), source=f"{SRC_S3}, step 4")
              for v in rec.virtual_servers]
    steps += [Step("bring the virtual servers online", online, verify=online_ok, source=SRC_S3)]
    return Procedure(title, new, steps, source=SRC_S3, params={"record": rec},
                     rebuild=lambda cs: complete_cluster_failure(failed, record=rec, backups=sets, path=path,
                                                                 assumptions=a))


def _refuse(e):
    raise e
