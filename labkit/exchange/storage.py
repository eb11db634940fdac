"""Storage groups, databases and mailboxes of Exchange virtual servers.

The paper's Figure 6 (lost from the text) and Table 8: a storage group has one
set of transaction logs shared by up to five databases, each a property store
(.EDB) and a streaming store (.STM). A storage group belongs to one virtual
server, and its files can only sit on the disks the System Attendant depends on
(paper, Adding the System Attendant Resource). Setup creates "First Storage
Group" with one mailbox store in every virtual server, and one public store per
cluster in the first (paper, Exchange 2000 Cluster Administration and Management).

>>> from labkit.exchange import demo_cluster
>>> c = demo_cluster()
>>> add_storage_group(c, "EXVS1", "SG2", log_disk="Disk L:")
>>> add_database(c, "EXVS1", "SG2", "Sales", edb_disk="Disk E:")
>>> add_mailboxes(c, "EXVS1", "Sales", 250)
250
>>> [row["database"] for row in layout(c, "EXVS1")]
['Mailbox Store (EXVS1)', 'Public Folder Store (EXVS1)', 'Sales']

Setup puts the default storage group and stores on the single data location chosen
when the virtual server is created; Exchange System Manager then moves the logs and
database files to the arrays the design gives them (paper, Design Storage Before
Configuring the Cluster; Creating Exchange 2000 Virtual Servers):

>>> move = move_storage_group_logs(c, "EXVS1", "First Storage Group", "Disk L:")
>>> print(move)
EXVS1 / First Storage Group: E:\\Exchsrvr\\mdbdata -> L:\\Exchsrvr\\mdbdata; Mailbox Store (EXVS1), Public Folder Store (EXVS1) dismounted 15 s (0 mailboxes)
>>> c.run_until_stable(); [e.what for e in c.log.about("EXVS1")][-1]
"databases of 'First Storage Group' mounted"
"""
from __future__ import annotations

from dataclasses import dataclass

from ..cluster.cluster import register_job_handler
from ..cluster.model import GroupState, ResourceState
from ..values import COUNT, NAME, accept, exact, show
from ..errors import (ConfigurationError, LimitError, NameConflictError, NotFoundError, StateError,
                      ValidationError)
from .model import Database, DatabaseKind, StorageGroup, VirtualServer, need_org, org
from .rules import SRC_SG_LIMIT, check_full_admin, storage_group_counts_on

FIRST_SG = "First Storage Group"
SRC_DISKS = "paper, Adding the System Attendant Resource (only the disks it depends on are available)"
SRC_FIG6 = "paper, Figure 6 and Table 8"
SRC_ESM = ("paper, Design Storage Before Configuring the Cluster (databases and log files are allocated to "
           "arrays with Exchange System Manager after the virtual server is created)")
#: The queued job that remounts databases after a move (see :func:`move_storage_group_logs`).
REMOUNT = "exchange_store_remount"


def _drive(cluster, disk: str) -> str:
    return cluster.resources[disk].properties.get("drive") or disk


def disks_of(cluster, vs: VirtualServer) -> list[str]:
    """The Physical Disks the virtual server's System Attendant depends on: the only
    disks its logs and databases can use."""
    sa = cluster.resources[vs.system_attendant]
    return [p for p in sa.dependencies if cluster.resources[p].type == "Physical Disk"]


def _check_disk(cluster, vs: VirtualServer, disk, what: str) -> str:
    if not isinstance(disk, str) or not disk:
        raise ValidationError(f"{what} must name a Physical Disk resource, not {show(disk)}",
                              rule="Exchange files sit on cluster disks")
    r = cluster.resource(disk)
    disk = r.name
    if r.type != "Physical Disk":
        raise ValidationError(f"{show(disk)} is a {r.type}, not a Physical Disk", rule="Exchange files sit on cluster disks")
    if disk not in disks_of(cluster, vs):
        extra = ""
        if r.group != vs.group:
            extra = (f"; it is in group {show(r.group)}, and virtual servers that share a disk must be in the "
                     "same group (paper, Clustering Support in Exchange 2000)")
        raise ConfigurationError(
            f"{what} {show(disk)} is not a dependency of {vs.name}'s System Attendant{extra}",
            rule="Exchange files sit only on the disks the System Attendant depends on", source=SRC_DISKS)
    return disk


def _check_name(name, what: str) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ValidationError(f"a {what} is named by a non-empty string, not {show(name)}",
                              rule=f"{what}s have names")
    name = accept(NAME, name, f"{what} name")
    if len(name) > 64 or any(ch in name for ch in '\\/:*?"<>|'):
        raise ValidationError(f"{what} name {show(name)} is too long or holds \\ / : * ? \" < > |",
                              rule=f"{what} names are file-system safe", source="Exchange System Manager")
    return name


def _mounted_on(cluster, vs: VirtualServer) -> str | None:
    r = cluster.resources.get(vs.resources.get("Information Store", ""))
    if r is not None and r.state is ResourceState.ONLINE:
        return r.node
    return None


def _folder(cluster, disk: str, vs: VirtualServer, leaf: str) -> str:
    """``X:\\Exchsrvr\\<leaf>`` on the disk -- or, when another storage group already logs
    there (virtual servers sharing a disk), ``X:\\Exchsrvr\\<virtual server>\\<leaf>``, so no
    two storage groups share a log folder."""
    d = _drive(cluster, disk)
    path = f"{d}\\Exchsrvr\\{leaf}"
    o = need_org(cluster)
    used = {sg.log_path for v in o.virtual_servers.values() for sg in v.storage_groups.values()}
    return path if path not in used else f"{d}\\Exchsrvr\\{vs.name}\\{leaf}"


def create_default_storage(cluster, vs: VirtualServer) -> None:
    """What setup creates with a virtual server: "First Storage Group" with a mailbox
    store, and the cluster's public store when no virtual server has one yet."""
    o = need_org(cluster)
    path = _folder(cluster, vs.data_disk, vs, "mdbdata")
    sg = StorageGroup(FIRST_SG, vs.name, vs.data_disk, path)
    sg.databases[f"Mailbox Store ({vs.name})"] = Database(
        f"Mailbox Store ({vs.name})", DatabaseKind.MAILBOX, vs.data_disk, vs.data_disk,
        f"{path}\\priv1.edb", f"{path}\\priv1.stm")
    if public_store_count(cluster) < o.settings.public_stores_per_cluster:
        sg.databases[f"Public Folder Store ({vs.name})"] = Database(
            f"Public Folder Store ({vs.name})", DatabaseKind.PUBLIC, vs.data_disk, vs.data_disk,
            f"{path}\\pub1.edb", f"{path}\\pub1.stm")
    vs.storage_groups[FIRST_SG] = sg


def public_store_count(cluster) -> int:
    """Public stores in the cluster (setup makes one, in the first virtual server)."""
    o = need_org(cluster)
    return sum(1 for vs in o.virtual_servers.values() for db in vs.databases() if db.kind is DatabaseKind.PUBLIC)


def find_storage_group(cluster, evs: str, storage_group) -> StorageGroup:
    """The storage group ``storage_group`` of virtual server ``evs``. A storage group
    belongs to one virtual server: naming another server's is refused."""
    o = need_org(cluster)
    vs = o.server(evs)
    _check_name(storage_group, "storage group")
    sg = vs.storage_groups.get(storage_group)
    if sg is None:
        elsewhere = [v.name for v in o.virtual_servers.values() if storage_group in v.storage_groups]
        hint = (f"; it belongs to {', '.join(elsewhere)} -- a storage group belongs to one virtual server"
                if elsewhere else "")
        raise NotFoundError(f"{vs.name} has no storage group {show(storage_group)}{hint}",
                            rule="a storage group belongs to one virtual server",
                            source="paper, Exchange Virtual Servers: The Unit of Failover")
    return sg


def find_database(cluster, evs: str, database) -> tuple[StorageGroup, Database]:
    """The storage group and database called ``database`` in virtual server ``evs``."""
    vs = need_org(cluster).server(evs)
    _check_name(database, "database")
    for sg in vs.storage_groups.values():
        if database in sg.databases:
            return sg, sg.databases[database]
    raise NotFoundError(f"{vs.name} has no database {show(database)}", rule="commands name existing databases")


def add_storage_group(cluster, evs: str, name: str, log_disk: str | None = None) -> None:
    """Create a storage group in virtual server ``evs`` with its transaction logs on
    ``log_disk`` (default: the virtual server's data disk), as Exchange System Manager does.

    Refused: more than four storage groups in the virtual server; a log disk the System
    Attendant does not depend on; and, while the store is mounted, a fifth storage group
    on its node (KB 314266). Needs Exchange Full Administrator rights.
    """
    check_full_admin(cluster, "create storage groups")
    vs = need_org(cluster).server(evs)
    o = need_org(cluster)
    _check_name(name, "storage group")
    if name in vs.storage_groups:
        raise NameConflictError(f"{vs.name} already has a storage group {show(name)}",
                                rule="storage group names are unique in a server", source="Exchange System Manager")
    limit = o.settings.max_storage_groups_per_server
    if len(vs.storage_groups) >= limit:
        raise LimitError(f"{vs.name} already has {len(vs.storage_groups)} storage groups; Exchange 2000 allows "
                         f"{limit} per server", rule="at most 4 storage groups per server and per node",
                         source=SRC_SG_LIMIT)
    disk = _check_disk(cluster, vs, log_disk if log_disk is not None else vs.data_disk, "log disk")
    node = _mounted_on(cluster, vs)
    if node is not None:
        total = len(vs.storage_groups) + 1 + sum(storage_group_counts_on(cluster, node, exclude=vs.name).values())
        if total > o.settings.max_storage_groups_per_node:
            raise LimitError(f"{vs.name} is mounted on {node}; a new storage group would make {total} there",
                             rule="at most 4 storage groups per node", source=SRC_SG_LIMIT)
    vs.storage_groups[name] = StorageGroup(name, vs.name, disk, _folder(cluster, disk, vs, name))
    cluster.record(vs.name, f"storage group {show(name)} created", f"logs on {disk} by {cluster.account}",
                   cluster.groups[vs.group].owner)


def add_database(cluster, evs: str, storage_group: str, name: str, edb_disk: str | None = None,
                 stm_disk: str | None = None, *, kind: DatabaseKind = DatabaseKind.MAILBOX) -> None:
    """Create a database (a mailbox store, or with ``kind="public"`` a public store) in
    a storage group of ``evs``: its .EDB on ``edb_disk`` and its .STM on ``stm_disk``
    (defaults: the storage group's log disk; the .STM follows the .EDB).

    Refused: a sixth database in the storage group (Table 8), disks the System
    Attendant does not depend on, a second public store in the cluster, a name already
    used in the virtual server. Needs Exchange Full Administrator rights.
    """
    check_full_admin(cluster, "create databases")
    o = need_org(cluster)
    sg = find_storage_group(cluster, evs, storage_group)
    vs = o.server(evs)
    _check_name(name, "database")
    if kind not in tuple(DatabaseKind):
        raise ValidationError(f"kind must be 'mailbox' or 'public', not {show(kind)}",
                              rule="a store is a mailbox store or a public store", source=SRC_FIG6)
    kind = DatabaseKind(kind)
    if any(name in s.databases for s in vs.storage_groups.values()):
        raise NameConflictError(f"{vs.name} already has a database {show(name)}",
                                rule="database names are unique in a server", source="Exchange System Manager")
    limit = o.settings.max_databases_per_storage_group
    if len(sg.databases) >= limit:
        raise LimitError(f"storage group {show(sg.name)} of {vs.name} already has {len(sg.databases)} databases",
                         rule=f"at most {limit} databases per storage group", source="paper, Table 8")
    edb = _check_disk(cluster, vs, edb_disk if edb_disk is not None else sg.log_disk, "database disk")
    stm = _check_disk(cluster, vs, stm_disk if stm_disk is not None else edb, "streaming store disk")
    if kind is DatabaseKind.PUBLIC and public_store_count(cluster) >= o.settings.public_stores_per_cluster:
        raise LimitError("the cluster already has its public store",
                         rule="one public store per cluster (in the first virtual server)",
                         source="paper, Exchange 2000 Cluster Administration and Management")
    folder = sg.log_path.split("\\", 1)[1]          # the storage group's folder, on each disk
    sg.databases[name] = Database(name, kind, edb, stm, f"{_drive(cluster, edb)}\\{folder}\\{name}.edb",
                                  f"{_drive(cluster, stm)}\\{folder}\\{name}.stm")
    cluster.record(vs.name, f"{kind} store {show(name)} created",
                   f"in {show(sg.name)}; .EDB on {edb}, .STM on {stm}", cluster.groups[vs.group].owner)


def add_mailboxes(cluster, evs: str, database: str, count: int) -> int:
    """Create ``count`` mailboxes in a mailbox store of ``evs`` (Active Directory Users
    and Computers: pick the virtual server and the store). Returns the store's total."""
    sg, db = find_database(cluster, evs, database)
    if not COUNT.ok(count):
        raise ValidationError(f"count must be a whole number >= 1, not {show(count)}", rule="mailboxes are counted")
    count = exact(count)
    if db.kind is not DatabaseKind.MAILBOX:
        raise ConfigurationError(f"{show(database)} is a public store; mailboxes live in mailbox stores",
                                 rule="mailboxes live in mailbox stores", source="paper, Creating New Users")
    db.mailboxes += count
    cluster.record(need_org(cluster).server(evs).name, f"{count} mailboxes created", f"in {show(database)}")
    return db.mailboxes


SRC_MOVE_MAILBOX = ("Move Mailbox (Active Directory Users and Computers, Exchange Tasks); paper, Mailbox "
                    "Relocation Strategy")


def _store_mounted(cluster, vs: VirtualServer, db: Database, what: str) -> None:
    store = cluster.resources.get(vs.information_store or "")
    if store is not None and store.state is ResourceState.ONLINE and not is_dismounted(cluster, vs.name, db.name):
        return
    state = ("dismounted for a move" if store is not None and store.state is ResourceState.ONLINE
             else (str(store.state) if store is not None else "missing"))
    raise StateError(f"the {what} store {show(db.name)} of {vs.name} is not mounted (its Information Store is {state})",
                     rule="Move Mailbox needs both stores running [D]", source=SRC_MOVE_MAILBOX)


def check_mailbox_move(cluster, evs: str, database: str, to_evs: str, to_database: str, count: int) -> None:
    """Raise the error :func:`move_mailboxes` would raise for these arguments, changing
    nothing (a runbook checks before it lets the clock run for the copy)."""
    sg, db = find_database(cluster, evs, database)
    tsg, tdb = find_database(cluster, to_evs, to_database)
    o = need_org(cluster)
    vs, tvs = o.server(evs), o.server(to_evs)
    if not COUNT.ok(count):
        raise ValidationError(f"count must be a whole number >= 1, not {show(count)}", rule="mailboxes are counted")
    count = exact(count)
    if db is tdb:
        raise ConfigurationError(f"{show(db.name)} of {vs.name} is both the source and the target",
                                 rule="Move Mailbox moves mailboxes to another store", source=SRC_MOVE_MAILBOX)
    for d in (db, tdb):
        if d.kind is not DatabaseKind.MAILBOX:
            raise ConfigurationError(f"{show(d.name)} is a public store; mailboxes live in mailbox stores",
                                     rule="mailboxes live in mailbox stores", source="paper, Creating New Users")
    if count > db.mailboxes:
        raise LimitError(f"{show(db.name)} of {vs.name} holds {db.mailboxes:,} mailboxes, not {count:,}",
                         rule="Move Mailbox moves mailboxes that exist", source=SRC_MOVE_MAILBOX)
    check_full_admin(cluster, "move mailboxes")
    _store_mounted(cluster, vs, db, "source")
    _store_mounted(cluster, tvs, tdb, "target")


def move_mailboxes(cluster, evs: str, database: str, to_evs: str, to_database: str, count: int) -> int:
    """Move ``count`` mailboxes from mailbox store ``database`` of virtual server ``evs``
    to mailbox store ``to_database`` of ``to_evs`` in the same cluster (Active Directory
    Users and Computers, Exchange Tasks, Move Mailbox). Returns the mailboxes left in
    ``database``.

    The same rules as :func:`labkit.exchange.e55.move_mailboxes` (out of Exchange 5.5):
    both stores mounted -- Move Mailbox reads the mailbox from one running store and
    writes it into the other, so neither Information Store may be offline, starting,
    stopping or dismounted for an Exchange System Manager move [D]; mailbox stores only;
    no more mailboxes than the store holds; Exchange Full Administrator rights. The
    target may be another store of the same virtual server (Move Mailbox lists every
    mailbox store of the organisation [D]), not the store the mailboxes are in.
    All-or-nothing; how long the copy takes is the caller's to simulate (see
    ``labkit.procedures.remove_virtual_server``).

    >>> from labkit.exchange import demo_cluster
    >>> c = demo_cluster()
    >>> add_storage_group(c, "EXVS1", "SG2", log_disk="Disk L:")
    >>> add_database(c, "EXVS1", "SG2", "Sales", edb_disk="Disk E:")
    >>> add_mailboxes(c, "EXVS1", "Mailbox Store (EXVS1)", 300)
    300
    >>> move_mailboxes(c, "EXVS1", "Mailbox Store (EXVS1)", "EXVS1", "Sales", 120)
    180
    >>> find_database(c, "EXVS1", "Sales")[1].mailboxes
    120
    """
    check_mailbox_move(cluster, evs, database, to_evs, to_database, count)
    o = need_org(cluster)
    vs, tvs = o.server(evs), o.server(to_evs)
    _, db = find_database(cluster, evs, database)
    _, tdb = find_database(cluster, to_evs, to_database)
    with cluster.transaction():
        db.mailboxes -= count
        tdb.mailboxes += count
        cluster.record(vs.name, f"{count} mailboxes moved out", f"from {show(db.name)} to {tvs.name} ({show(tdb.name)}) "
                       f"(Move Mailbox) by {cluster.account}", cluster.resources[vs.information_store].node)
        cluster.record(tvs.name, f"{count} mailboxes moved in", f"into {show(tdb.name)} from {vs.name} ({show(db.name)}) "
                       "(Move Mailbox)", cluster.resources[tvs.information_store].node)
    return db.mailboxes


def storage_groups_on(cluster, node: str) -> list[tuple[str, str]]:
    """``(virtual server, storage group)`` pairs mounted on ``node`` now: those of the
    virtual servers whose Information Store is Online there. Never more than four
    (KB 314266)."""
    node = cluster.node(node).name
    o = need_org(cluster)
    out = []
    for vs_name in storage_group_counts_on(cluster, node):
        out.extend((vs_name, sg) for sg in o.virtual_servers[vs_name].storage_groups)
    return out


def layout(cluster, evs: str | None = None) -> list[dict]:
    """One row a database: virtual server, storage group, log disk and path, database,
    kind, .EDB and .STM disks and files, mailboxes (the paper's Figure 6 as a table)."""
    o = need_org(cluster)
    servers = [o.server(evs)] if evs is not None else list(o.virtual_servers.values())
    rows = []
    for vs in servers:
        for sg in vs.storage_groups.values():
            for db in sg.databases.values():
                rows.append({"virtual_server": vs.name, "storage_group": sg.name, "log_disk": sg.log_disk,
                             "log_path": sg.log_path, "database": db.name, "kind": str(db.kind),
                             "edb_disk": db.edb_disk, "edb_file": db.edb_file, "stm_disk": db.stm_disk,
                             "stm_file": db.stm_file, "mailboxes": db.mailboxes})
    return rows


# --------------------------------------------------------- Exchange System Manager moves
@dataclass(frozen=True)
class StoreMove:
    """What an Exchange System Manager move did.

    ``files``: ``(old, new)`` paths (the log folder, or the .EDB and .STM files);
    ``databases``: the databases it dismounted -- or would have, had the store been
    mounted; ``dismounted``: whether they were (the Information Store was Online);
    ``seconds``: how long they stay dismounted (0 when they were not); ``mailboxes``:
    the mailboxes in them, whose users lose their mailbox for that long."""

    virtual_server: str
    storage_group: str
    databases: tuple[str, ...]
    files: tuple[tuple[str, str], ...]
    mailboxes: int
    dismounted: bool
    seconds: float

    def __str__(self) -> str:
        moved = "; ".join(f"{a} -> {b}" for a, b in self.files) or "nothing to move"
        cut = (f"; {', '.join(self.databases)} dismounted {self.seconds:g} s ({self.mailboxes:,} mailboxes)"
               if self.dismounted else "")
        return f"{self.virtual_server} / {self.storage_group}: {moved}{cut}"


def _rebase(cluster, disk: str, path: str) -> str:
    """``path`` moved to ``disk``: same folders and file name, that disk's drive."""
    rest = path.split("\\", 1)[1] if "\\" in path else path
    return f"{_drive(cluster, disk)}\\{rest}"


def _leaf(path: str) -> str:
    return path.rsplit("\\", 1)[-1]


def _dismount_under_way(cluster, vs: VirtualServer, sg: StorageGroup) -> dict | None:
    now = cluster.clock.ms
    return next((d for d in vs.dismounts if d["storage_group"] == sg.name and d["end_ms"] > now), None)


def _prepare_move(cluster, vs: VirtualServer, sg: StorageGroup) -> str | None:
    """Refuse a move while the store is changing state or another move of the storage
    group is under way; return the node where the store is mounted (None: not mounted)."""
    is_name = vs.resources.get("Information Store")
    r = cluster.resources.get(is_name) if is_name else None
    g = cluster.groups[vs.group]
    changing = None
    if r is not None and r.state in (ResourceState.ONLINE_PENDING, ResourceState.OFFLINE_PENDING):
        changing = f"its Information Store is {r.state}"
    elif g.move is not None or g.state is GroupState.PENDING:
        changing = f"group {show(g.name)} is {'moving' if g.move is not None else g.state}"
    if changing:
        raise StateError(f"{vs.name}: {changing}; wait until it is Online or Offline (cluster.run_until_stable())",
                         rule="Exchange System Manager moves files of a store that is mounted or offline, not "
                              "one that is starting or stopping [D]", source=SRC_ESM)
    busy = _dismount_under_way(cluster, vs, sg)
    if busy is not None:
        raise StateError(f"a move of {show(sg.name)} of {vs.name} is under way until "
                         f"{cluster.clock.at(busy['end_ms']):%H:%M:%S}; run the clock and try again",
                         rule="one Exchange System Manager move at a time per storage group [D]", source=SRC_ESM)
    return _mounted_on(cluster, vs)


def _dismount(cluster, vs: VirtualServer, sg: StorageGroup, dbs: list[Database], node: str, seconds: float,
              why: str) -> None:
    start = cluster.clock.ms
    end = start + max(1, round(seconds * 1000))
    vs.dismounts.append({"storage_group": sg.name, "databases": {db.name: db.mailboxes for db in dbs},
                         "start_ms": start, "end_ms": end, "node": node, "why": why})
    names = ", ".join(repr(db.name) for db in dbs)
    cluster.record(vs.name, f"databases of {show(sg.name)} dismounted",
                   f"{names} ({sum(db.mailboxes for db in dbs):,} mailboxes) unavailable for about {seconds:g} s: "
                   f"{why}", node)
    cluster.schedule(end - start, REMOUNT, (vs.name, sg.name, end))


def _on_remount(cluster, evs: str, storage_group: str, end_ms: int) -> None:
    """The queued end of a move: the databases are mounted again if the store still runs."""
    o = org(cluster)
    vs = o.virtual_servers.get(evs) if o is not None else None
    if vs is None or storage_group not in vs.storage_groups:
        return
    node = _mounted_on(cluster, vs)
    if node is not None:
        cluster.record(vs.name, f"databases of {show(storage_group)} mounted", "the move is complete", node)
    else:
        cluster.record(vs.name, f"move of {show(storage_group)} complete",
                       "the Information Store is not Online: the databases mount when it comes online")


register_job_handler(REMOUNT, _on_remount)


def move_storage_group_logs(cluster, evs: str, storage_group: str, log_disk: str) -> StoreMove:
    """Move a storage group's transaction logs to ``log_disk`` (Exchange System Manager:
    the storage group's Properties, "Transaction log location", Browse).

    The paper: databases and logs are allocated to their arrays with Exchange System
    Manager after the virtual server has been created, and only the disks that are
    dependencies of the virtual server (its System Attendant) are available
    (Creating Exchange 2000 Virtual Servers; Design Storage Before Configuring the
    Cluster). The folder keeps its name on the new disk.

    While the Information Store is Online, every database of the storage group is
    dismounted for the move and mounted again ``settings.store_move_s`` seconds later
    (logged, and counted by :func:`labkit.exchange.impact` for the users of those
    databases). With the store not mounted (group offline) nothing is dismounted: the
    new location is configuration the store uses when it next mounts [D]. Refused
    while the store is starting or stopping, or another move of the storage group is
    under way. Needs Exchange Full Administrator rights. All-or-nothing.
    """
    check_full_admin(cluster, "move transaction logs")
    o = need_org(cluster)
    sg = find_storage_group(cluster, evs, storage_group)
    vs = o.server(evs)
    disk = _check_disk(cluster, vs, log_disk, "log disk")
    node = _prepare_move(cluster, vs, sg)
    dbs = list(sg.databases.values())
    mailboxes = sum(db.mailboxes for db in dbs)
    if disk == sg.log_disk:
        return StoreMove(vs.name, sg.name, tuple(db.name for db in dbs), (), mailboxes, False, 0.0)
    used = {s.log_path.lower() for v in o.virtual_servers.values() for s in v.storage_groups.values() if s is not sg}
    new = _rebase(cluster, disk, sg.log_path)
    if new.lower() in used:
        leaf = _leaf(sg.log_path)
        new = f"{_drive(cluster, disk)}\\Exchsrvr\\{vs.name}\\{leaf}"
        if new.lower() in used:
            raise NameConflictError(f"{new} on {disk} already holds another storage group's logs",
                                    rule="no two storage groups share a log folder", source=SRC_FIG6)
    seconds = float(o.settings.store_move_s) if node is not None else 0.0
    old = sg.log_path
    with cluster.transaction():
        sg.log_disk, sg.log_path = disk, new
        cluster.record(vs.name, f"transaction logs of {show(sg.name)} moved",
                       f"{old} -> {new} by {cluster.account} (Exchange System Manager)",
                       cluster.groups[vs.group].owner)
        if node is not None:
            _dismount(cluster, vs, sg, dbs, node, seconds, f"moving the transaction logs to {disk}")
    return StoreMove(vs.name, sg.name, tuple(db.name for db in dbs), ((old, new),), mailboxes, node is not None,
                     seconds)


def move_database(cluster, evs: str, storage_group: str, database: str, edb_disk: str | None = None,
                  stm_disk: str | None = None) -> StoreMove:
    """Move a database's property store (.EDB) to ``edb_disk`` and/or its streaming
    store (.STM) to ``stm_disk`` (Exchange System Manager: the store's Properties,
    Database tab, Browse); a file whose disk is None stays where it is.

    Same rules as :func:`move_storage_group_logs`: only disks the System Attendant
    depends on; while the store is mounted this database alone is dismounted, for
    ``settings.store_move_s`` plus the time to copy the files moved
    (``mailboxes * mailbox_mb``, half in each file, at ``store_copy_mb_s``) -- so a
    store full of mailboxes is better placed before its users are created [U].
    """
    check_full_admin(cluster, "move databases")
    o = need_org(cluster)
    sg = find_storage_group(cluster, evs, storage_group)
    vs = o.server(evs)
    _check_name(database, "database")
    db = sg.databases.get(database)
    if db is None:
        elsewhere = [s.name for s in vs.storage_groups.values() if database in s.databases]
        hint = f"; it is in storage group {show(elsewhere[0])}" if elsewhere else ""
        raise NotFoundError(f"storage group {show(sg.name)} of {vs.name} has no database {show(database)}{hint}",
                            rule="commands name existing databases", source="Exchange System Manager")
    if edb_disk is None and stm_disk is None:
        raise ValidationError("name the disk for the .EDB (edb_disk), the .STM (stm_disk) or both",
                              rule="a move names where the files go", source=SRC_ESM)
    edb = _check_disk(cluster, vs, edb_disk, "database disk") if edb_disk is not None else db.edb_disk
    stm = _check_disk(cluster, vs, stm_disk, "streaming store disk") if stm_disk is not None else db.stm_disk
    node = _prepare_move(cluster, vs, sg)
    files = []
    edb_file = _rebase(cluster, edb, db.edb_file) if edb != db.edb_disk else db.edb_file
    stm_file = _rebase(cluster, stm, db.stm_file) if stm != db.stm_disk else db.stm_file
    if edb_file != db.edb_file:
        files.append((db.edb_file, edb_file))
    if stm_file != db.stm_file:
        files.append((db.stm_file, stm_file))
    if not files:
        return StoreMove(vs.name, sg.name, (db.name,), (), db.mailboxes, False, 0.0)
    taken = {f.lower() for v in o.virtual_servers.values() for d in v.databases() if d is not db
             for f in (d.edb_file, d.stm_file)}
    clash = [new for _, new in files if new.lower() in taken]
    if clash:
        raise NameConflictError(f"{clash[0]} is another database's file",
                                rule="each database has files of its own", source=SRC_FIG6)
    s = o.settings
    share = 0.5 * (edb != db.edb_disk) + 0.5 * (stm != db.stm_disk)
    seconds = 0.0
    if node is not None:
        seconds = float(s.store_move_s + db.mailboxes * s.mailbox_mb * share / s.store_copy_mb_s)
    with cluster.transaction():
        before = f".EDB on {db.edb_disk}, .STM on {db.stm_disk}"
        db.edb_disk, db.stm_disk, db.edb_file, db.stm_file = edb, stm, edb_file, stm_file
        cluster.record(vs.name, f"database {show(db.name)} moved",
                       f"{before} -> .EDB on {edb}, .STM on {stm} by {cluster.account} (Exchange System Manager)",
                       cluster.groups[vs.group].owner)
        if node is not None:
            _dismount(cluster, vs, sg, [db], node, seconds, f"moving {' and '.join(_leaf(f) for f, _ in files)}")
    return StoreMove(vs.name, sg.name, (db.name,), tuple(files), db.mailboxes, node is not None, round(seconds, 3))


def is_dismounted(cluster, evs: str, database: str) -> bool:
    """True while an Exchange System Manager move keeps ``database`` of ``evs`` dismounted."""
    sg, db = find_database(cluster, evs, database)
    d = _dismount_under_way(cluster, need_org(cluster).server(evs), sg)
    return d is not None and db.name in d["databases"]
