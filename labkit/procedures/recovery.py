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

The configuration record Scenario 3 rebuilds from is :mod:`labkit.procedures.record`.
"""
from __future__ import annotations


from ..cluster import Cluster
from ..cluster.model import GroupState, NodeState
from ..values import show
from ..errors import ConfigurationError, ProcedureError, StateError, ValidationError
from .assumptions import pick
from .backup import latest
from .disks import default_signature, write_signature
from .engine import (Interruption, Procedure, Step, before_start, exchange_groups, interruptions, minutes,
                     need_cluster, outages_since_loss, wait)
from .record import (SRC_RESTORE, SRC_S3, ClusterRecord, record_configuration, recreate_virtual_server,
                     restore_databases)
from .state import BackupKind, SharedDisk, state
from .steps import bring_online, install_exchange, require_back, require_online

SRC_S1 = f"{SRC_RESTORE}, Scenario 1"
SRC_S2 = f"{SRC_RESTORE}, Scenario 2"


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


class _SingleNodeFailureSteps:
    """The steps of :func:`single_node_failure`, one method each; the values they share are attributes."""

    def __init__(self, env: dict):
        self.__dict__.update(env)

    def moved(self, p):
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

    def moved_ok(self, p):
        c, f = p.cluster, p.params["failed"]
        stuck = [g.name for g in c.groups.values()
                 if g.owner == f or (g.persistent_state and g.state is not GroupState.ONLINE)]
        if stuck:
            raise ProcedureError(f"{', '.join(stuck)} did not come online on another node; fix that first (possible "
                                 "owners? the four-storage-group limit?)",
                                 rule="verify every group moved to another node before rebuilding", source=SRC_S1)

    def build(self, p):
        a = self.a
        c = p.cluster
        name, built = _check_new_name(c, p.params["new_name"], p.params["failed"], p.params["new_ip"])
        p.data["built"] = built
        minutes(c, a.windows_install_min)
        return f"Windows 2000 installed on {name} (a new machine name)"

    def evict(self, p):
        p.cluster.evict_node(p.params["failed"])
        return f"{p.params['failed']} evicted"

    def evicted(self, p):
        c, f = p.cluster, p.params["failed"]
        left = [f"group {g.name}" for g in c.groups.values() if f in g.preferred_owners]
        left += [f"resource {r.name}" for r in c.resources.values() if f in r.possible_owners]
        if left or f in c.nodes:
            raise ProcedureError(f"{f} still appears in {', '.join(left[:5])}",
                                 rule="an evicted node is in no preferred or possible owner list", source=SRC_S1)

    def join(self, p):
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

    def system_state(self, p):
        # "Restore only System State on the node" (step 1): a restore needs a System State
        # backup -- of the failed node -- as Scenario 2's restore does (KB 248998)
        a = self.a
        c, f = p.cluster, p.params["failed"]
        b = latest(state(c).backup_sets if state(c) else [], source=f, kind=BackupKind.SYSTEM_STATE)
        if b is None:
            raise ProcedureError(f"the catalogue holds no System State backup of {f}: Scenario 1 restores the "
                                 "System State on the rebuilt node (take one with take_system_state_backup while "
                                 "the node runs)", rule="the System State is restored from a System State backup",
                                 source=f"{SRC_S1}, step 1; KB 248998")
        minutes(c, a.system_state_restore_min)
        c.record(p.params["new_name"], "System State restored", f"NT Backup, System State only, from {b.name!r}",
                 p.params["new_name"])
        return f"System State only, from {b.name!r} (not the shared disks)"

    def install(self, p):
        a = self.a
        c, n = p.cluster, p.params["new_name"]
        install_exchange(c, n, a)
        require_back(c, n, rule="restart the node after installing Exchange 2000",
                     source="paper, Installing Exchange 2000 Server")
        return "Exchange 2000 installed; node restarted"

    def owners(self, p):
        c, n = p.cluster, p.params["new_name"]
        added = []
        for r in c.resources.values():
            if n not in r.possible_owners:
                c.add_possible_owner(r.name, n)
                added.append(r.name)
        return f"{n} added to {len(added)} resources"

    def owners_ok(self, p):
        c, n = p.cluster, p.params["new_name"]
        miss = [r.name for r in c.resources.values() if n not in r.possible_owners]
        if miss:
            raise ProcedureError(f"{n} is not a possible owner of {', '.join(miss[:5])}",
                                 rule="the new node is a possible owner of every group's resources",
                                 source=f"{SRC_S1}, step 2")

    def move(self, p):
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

    def move_ok(self, p):
        c, n, g = p.cluster, p.params["new_name"], p.data["group"]
        if c.groups[g].owner != n or c.groups[g].state is not GroupState.ONLINE:
            raise ProcedureError(f"{g} is {c.groups[g].state} on {c.groups[g].owner}",
                                 rule="the moved group comes online on the new node", source=f"{SRC_S1}, step 3")


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
    do = _SingleNodeFailureSteps(dict(a=a, ex=ex))
    steps = [Step("verify the failed node's groups moved", do.moved, verify=do.moved_ok, source=SRC_S1),
             Step("build the replacement node under a new name", do.build, source=SRC_S1),
             Step("evict the failed node", do.evict, verify=do.evicted, source=f"{SRC_S1}, step 1"),
             Step("install the cluster service and join", do.join, source=f"{SRC_S1}, step 1"),
             Step("restore System State on the new node", do.system_state, source=f"{SRC_S1}, step 1"),
             Step("install Exchange 2000 on the new node", do.install, source=f"{SRC_S1}, step 1"),
             Step("add the new node as possible owner of every resource", do.owners, verify=do.owners_ok,
                  source=f"{SRC_S1}, step 2; paper, Resource Ownership and Failover"),
             Step("move an Exchange group to the new node", do.move, verify=do.move_ok, source=f"{SRC_S1}, step 3")]
    return Procedure(title, cluster, steps, source=SRC_S1, params=P,
                     rebuild=lambda cs: single_node_failure(cs[0], failed, new_name, new_ip, group=group,
                                                            assumptions=a))


# ------------------------------------------------------------ Scenario 2
class _QuorumDiskFailureSteps:
    """The steps of :func:`quorum_disk_failure`, one method each; the values they share are attributes."""

    def __init__(self, env: dict):
        self.__dict__.update(env)

    def stopped(self, p):
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

    def replace_disk(self, p):
        a = self.a
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

    def signature(self, p):
        a = self.a
        c = p.cluster
        minutes(c, a.signature_write_min)
        write_signature(c, c.quorum_resource, p.data["old_signature"])
        return f"signature {p.data['old_signature']} written back (DumpCfg)"

    def restore(self, p):
        a, src_sig = self.a, self.src_sig
        c = p.cluster
        s = state(c)
        q = s.disks[c.quorum_resource]
        if q.signature != p.data["old_signature"]:
            raise ConfigurationError(f"the quorum disk's signature is {q.signature}, the cluster expects "
                                     f"{p.data['old_signature']}", rule="the cluster finds its disks by signature",
                                     source=src_sig)
        b = latest(s.backup_sets, kind=BackupKind.SYSTEM_STATE)
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

    def start_first(self, p):
        c = p.cluster
        c.start_node(p.data["node"])
        wait(c)
        return f"{p.data['node']} formed the cluster"

    def running(self, p):
        if not p.cluster.running:
            raise ProcedureError("the cluster service did not start", rule="the cluster forms with its quorum disk",
                                 source=SRC_S2)

    def start_rest(self, p):
        c = p.cluster
        rest = [n for n in c.node_ids() if c.nodes[n].state is NodeState.DOWN]
        for n in rest:
            c.start_node(n)
        wait(c)
        return f"{len(rest)} node(s) joined"

    def rebalance(self, p):
        return _rebalance(p.cluster)

    def verify(self, p):
        c = p.cluster
        bad = [g.name for g in c.groups.values() if g.persistent_state and g.state is not GroupState.ONLINE]
        if bad:
            raise ProcedureError(f"{', '.join(bad)} are not online", rule="every group is back online",
                                 source=SRC_S2)
        p.interruptions.extend(outages_since_loss(c, int(p.data["lost_ms"]), cause="quorum disk failure"))
        return "every group online"


def quorum_disk_failure(cluster, *, assumptions=None) -> Procedure:
    """Scenario 2: the cluster service does not start because the quorum disk is corrupt."""
    title = "Scenario 2: quorum disk failure"
    before_start(title, "labkit procedures", need_cluster, cluster, "cluster")
    a = before_start(title, SRC_S2, pick, assumptions)
    src_sig = "KB 280425 and KB 243195 (event 1034: MSCS finds disks by signature)"
    do = _QuorumDiskFailureSteps(dict(a=a, src_sig=src_sig))
    steps = [Step("confirm the cluster service cannot start", do.stopped, source=SRC_S2),
             Step("replace the quorum disk", do.replace_disk, source=SRC_S2),
             Step("write the old disk signature on the new disk", do.signature, source=src_sig),
             Step("restore the cluster database from System State", do.restore, source=f"{SRC_S2}; KB 248998"),
             Step("start the cluster service on the restoring node", do.start_first, verify=do.running, source=SRC_S2),
             Step("start the cluster service on the other nodes", do.start_rest, source=SRC_S2),
             Step("move the groups back to their preferred nodes", do.rebalance, source=SRC_S2, optional=True),
             Step("verify every group is online", do.verify, source=SRC_S2)]
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
class _CompleteClusterFailureSteps:
    """The steps of :func:`complete_cluster_failure`, one method each; the values they share are attributes."""

    def __init__(self, env: dict):
        self.__dict__.update(env)

    def lost(self, p):
        failed = self.failed
        if failed.running:
            raise StateError(f"cluster {failed.name} still runs; Scenario 3 is for the loss of every node and "
                             "the quorum disk", rule="Scenario 3 starts when the whole cluster is lost", source=SRC_S3)
        down = [e for e in failed.log if e.obj == failed.name and e.what == "cluster service stopped on every node"]
        p.data["lost_ms"] = (down[-1].time - failed.clock.start).total_seconds() * 1000 if down else failed.clock.ms
        return f"{failed.name} lost at {failed.clock.at(int(p.data['lost_ms'])):%Y-%m-%d %H:%M}"

    def windows(self, p):
        a, rec = self.a, self.rec
        minutes(p.cluster, a.windows_install_min)
        return f"{len(rec.nodes)} nodes rebuilt in parallel"

    def form(self, p):
        first, rec = self.first, self.rec
        c = p.cluster
        c.add_node(first, ip=rec.nodes[0][1])
        for n, ip in rec.nodes[1:]:
            c.add_node(n, ip=ip)
        wait(c)
        return f"Cluster Group ({', '.join(c.groups['Cluster Group'].resources)}) on {c.quorum_owner}"

    def formed(self, p):
        rec = self.rec
        c = p.cluster
        if not c.running or c.groups[c.cluster_group].state is not GroupState.ONLINE or len(c.nodes) != len(rec.nodes):
            raise ProcedureError("the cluster is not formed with every node", rule="recreate the original Cluster "
                                 "group on every node", source=f"{SRC_S3}, step 1")

    def system_state(self, p):
        a, rec, sets = self.a, self.rec, self.sets
        minutes(p.cluster, a.system_state_restore_min)
        have = {b.node for b in sets if b.kind is BackupKind.SYSTEM_STATE}
        for n, _ in rec.nodes:
            p.cluster.record(n, "System State restored", "from backup" if n in have else "no backup of this node", n)
        missing = [n for n, _ in rec.nodes if n not in have]
        return "System State only" + (f"; no System State backup of {', '.join(missing)}" if missing else "")

    def install(self, n):
        a, first, rec = self.a, self.first, self.rec
        def act(p):
            from .. import exchange as ex
            c = p.cluster
            install_exchange(c, n, a)
            if n == first and rec.exchange_settings:
                ex.configure(c, **rec.exchange_settings)
            return "installed; node restarted"
        return act

    def recreate(self, v):
        def act(p):
            names = recreate_virtual_server(p.cluster, v)
            return f"{len(names)} resources with their old names"
        return act

    def restore(self, v):
        a, path, sets = self.a, self.path, self.sets
        def act(p):
            chosen = latest(sets, source=v.name, kind=BackupKind.EXCHANGE)
            secs = restore_databases(p.cluster, v.name, chosen, path=path, assumptions=a)
            p.tables.setdefault("restores", []).append({
                "virtual_server": v.name, "backup set": chosen.name, "taken": chosen.taken_at, "from": chosen.source,
                "databases": ", ".join(d["database"] for d in chosen.databases),
                "restore (h)": round(secs / 3600, 2)})
            return f"from {show(chosen.name)}, taken {chosen.taken_at}"
        return act

    def online(self, p):
        failed, rec = self.failed, self.rec
        c = p.cluster
        where = bring_online(c, [v.group for v in rec.virtual_servers], settle=_rebalance)
        lost_ms = int(p.data["lost_ms"])
        for v in rec.virtual_servers:
            users = sum(v.clients.values()) or sum(d["mailboxes"] for sg in v.storage_groups for d in sg["databases"])
            p.interruptions.append(Interruption(v.group, "complete cluster failure", failed.clock.at(lost_ms),
                                                c.now, (c.clock.ms - lost_ms) / 1000, users))
        return where

    def online_ok(self, p):
        rec = self.rec
        require_online(p.cluster, [v.group for v in rec.virtual_servers], rule="bring the virtual servers online",
                       source=SRC_S3)


def complete_cluster_failure(failed, *, record: ClusterRecord | None = None, backups=None, path: str = "lan",
                             assumptions=None) -> Procedure:
    """Scenario 3: rebuild the whole cluster from ``record`` (default: the documented
    configuration of ``failed``) and restore each virtual server's databases from the
    latest Exchange backup set taken from it in ``backups`` (default: ``failed``'s
    catalogue). ``procedure.cluster`` is the new cluster; ``failed`` is left as it is."""
    title = "Scenario 3: complete cluster failure"
    a = before_start(title, SRC_S3, pick, assumptions)
    if not isinstance(failed, Cluster):
        before_start(title, SRC_S3, _refuse, ValidationError(f"failed must be the lost Cluster, not {show(failed)}",
                                                             rule="Scenario 3 starts from the lost cluster"))
    rec = record if record is not None else record_configuration(failed)
    if not isinstance(rec, ClusterRecord):
        before_start(title, SRC_S3, _refuse, ValidationError("record must be a ClusterRecord",
                                                             rule="recreate from the documented configuration"))
    sets = list(backups) if backups is not None else list(state(failed).backup_sets if state(failed) else [])
    new = before_start(title, SRC_S3, Cluster, rec.name, ip=rec.ip, edition=rec.edition,
                       quorum_disk=rec.quorum_disk, quorum_drive=rec.quorum_drive, seed=failed.seed)
    new.run(seconds=failed.clock.ms / 1000)      # the new cluster's clock goes on from the disaster
    for b in sets:
        state(new, create=True).backup_sets.append(b)   # the tapes survive
    first = rec.nodes[0][0]
    do = _CompleteClusterFailureSteps(dict(a=a, failed=failed, first=first, path=path, rec=rec, sets=sets))
    steps = [Step("confirm every node and the quorum are lost", do.lost, source=SRC_S3),
             Step("rebuild every node with Windows 2000", do.windows, source=f"{SRC_S3}, step 1"),
             Step("set up the cluster service and recreate the Cluster group", do.form, verify=do.formed,
                  source=f"{SRC_S3}, step 1"),
             Step("restore System State on each node", do.system_state, source=f"{SRC_S3}, step 2")]
    steps += [Step(f"install Exchange 2000 on {n}", do.install(n), source=f"{SRC_S3}, step 3") for n, _ in rec.nodes]
    steps += [Step(f"recreate {v.name} with the same names", do.recreate(v), source=f"{SRC_S3}, step 3")
              for v in rec.virtual_servers]
    steps += [Step(f"restore the databases of {v.name}", do.restore(v), source=f"{SRC_S3}, step 4")
              for v in rec.virtual_servers]
    steps += [Step("bring the virtual servers online", do.online, verify=do.online_ok, source=SRC_S3)]
    return Procedure(title, new, steps, source=SRC_S3, params={"record": rec},
                     rebuild=lambda cs: complete_cluster_failure(failed, record=rec, backups=sets, path=path,
                                                                 assumptions=a))


def _refuse(e):
    raise e
