"""Shared-storage design for an Exchange 2000 cluster: the paper's Tables 8 and 9.

A :class:`StorageDesign` lists the arrays of the shared storage, each labelled
with what it holds (the quorum, a storage group's transaction logs, a storage
group's EDB/STM databases) and so which virtual server's group it will be a
Physical Disk of. :mod:`labkit.planning.storage_rules` checks a design against
the paper's Table 8 and "Design Storage Before Configuring the Cluster" before
anything is built.

:func:`plan_storage` sizes a design from users, mailbox size and I/O per user
(named assumptions, :class:`SizingAssumptions`), and :func:`table9` applies it to
the paper's 4-node, 5,000-user cluster: the 36 drives of Table 9 come out of the
rules. :func:`table9_as_printed` keeps the paper's misprint -- all four database
arrays labelled "VS1-SG1" -- which the checker catches.

>>> d = table9()
>>> d.total_drives, d.enclosures_needed, round(d.usable_gb, 1)
(36, 3, 309.4)
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import partial

from ..errors import ValidationError
from .findings import as_tuple, whole_number
from .raid import (DEFAULT_IO, DRIVE_18GB_10K, RA4100, Array, DriveModel, EnclosureModel, IOModel,
                   OnlineSpare, RaidLevel, Sizing, drives_needed, place)


class Role(StrEnum):
    """What an array holds."""

    QUORUM = "quorum"
    LOGS = "transaction logs"
    DATABASE = "EDB+STM"      # property store and streaming store together (the usual MAPI choice)
    EDB = "EDB"               # property store alone
    STM = "STM"               # streaming store alone


DATABASE_ROLES = (Role.DATABASE, Role.EDB, Role.STM)
DEFAULT_DATABASE = "Mailbox Store"


@dataclass(frozen=True)
class Content:
    """One thing an array holds: the quorum, or a file set of one storage group
    of one virtual server.

    >>> str(logs("EXVS1", "SG1")), str(database("EXVS1", "SG1"))
    ('EXVS1/SG1 transaction logs', 'EXVS1/SG1/Mailbox Store EDB+STM')
    """

    role: Role
    virtual_server: str | None = None
    storage_group: str | None = None
    database: str | None = None

    def __post_init__(self):
        try:
            role = Role(self.role) if not isinstance(self.role, Role) else self.role
        except ValueError:
            raise ValidationError(f"unknown role {self.role!r}; choose one of {', '.join(r.value for r in Role)}",
                                  rule="an array holds the quorum, logs or databases",
                                  source="paper, Table 8") from None
        object.__setattr__(self, "role", role)
        for what in ("virtual_server", "storage_group", "database"):
            v = getattr(self, what)
            if v is not None and (not isinstance(v, str) or not v.strip()):
                raise ValidationError(f"{what} must be a non-empty name, not {v!r}",
                                      rule="contents name their virtual server and storage group",
                                      source="paper, Table 9")
        if role is Role.QUORUM:
            if self.virtual_server or self.storage_group or self.database:
                raise ValidationError("the quorum belongs to the cluster, not to a virtual server",
                                      rule="the quorum is the cluster's disk", source="paper, Table 1")
            return
        if not (self.virtual_server and self.storage_group):
            raise ValidationError(f"{role} must name its virtual server and storage group",
                                  rule="a storage group belongs to one virtual server",
                                  source="paper, Exchange Virtual Servers: The Unit of Failover")
        if role is Role.LOGS and self.database:
            raise ValidationError("transaction logs belong to a storage group, not to one database",
                                  rule="each storage group has one set of transaction logs",
                                  source="paper, Storage Design is the Key")
        if role in DATABASE_ROLES and self.database is None:
            object.__setattr__(self, "database", DEFAULT_DATABASE)

    @property
    def storage_group_key(self) -> tuple[str, str] | None:
        return None if self.role is Role.QUORUM else (self.virtual_server, self.storage_group)

    def __str__(self) -> str:
        if self.role is Role.QUORUM:
            return "quorum"
        path = f"{self.virtual_server}/{self.storage_group}"
        return f"{path} {self.role}" if self.role is Role.LOGS else f"{path}/{self.database} {self.role}"


def quorum() -> Content:
    """The cluster quorum (the cluster log and cluster registry checkpoints)."""
    return Content(Role.QUORUM)


def logs(virtual_server: str, storage_group: str) -> Content:
    """A storage group's transaction logs (sequential I/O)."""
    return Content(Role.LOGS, virtual_server, storage_group)


def database(virtual_server: str, storage_group: str, name: str = DEFAULT_DATABASE) -> Content:
    """A database's property store and streaming store together (EDB+STM)."""
    return Content(Role.DATABASE, virtual_server, storage_group, name)


def edb(virtual_server: str, storage_group: str, name: str = DEFAULT_DATABASE) -> Content:
    """A database's property store (*.EDB, random I/O) alone."""
    return Content(Role.EDB, virtual_server, storage_group, name)


def stm(virtual_server: str, storage_group: str, name: str = DEFAULT_DATABASE) -> Content:
    """A database's streaming store (*.STM, mostly sequential I/O) alone."""
    return Content(Role.STM, virtual_server, storage_group, name)


@dataclass(frozen=True)
class PlannedArray:
    """An array of the design: its label (the disk's name), the RAID array, what it
    holds, and optionally the capacity and I/O it must provide."""

    label: str
    array: Array
    holds: tuple = ()
    required_gb: float = 0.0
    required_iops: float = 0.0
    read_fraction: float | None = None

    def __post_init__(self):
        if not isinstance(self.label, str) or not self.label.strip():
            raise ValidationError(f"an array label is a non-empty string, not {self.label!r}",
                                  rule="every array is named", source="paper, Table 9")
        if not isinstance(self.array, Array):
            raise ValidationError(f"array must be a raid.Array, not {self.array!r}",
                                  rule="a planned array is a RAID array", source="labkit.planning.raid")
        holds = (self.holds,) if isinstance(self.holds, Content) else as_tuple(self.holds, "what an array holds")
        for c in holds:
            if not isinstance(c, Content):
                raise ValidationError(f"{self.label!r} holds {c!r}; use quorum(), logs(), database(), edb() or stm()",
                                      rule="an array holds the quorum, logs or databases", source="paper, Table 8")
        object.__setattr__(self, "holds", holds)

    @property
    def roles(self) -> set:
        return {c.role for c in self.holds}

    @property
    def virtual_servers(self) -> set:
        return {c.virtual_server for c in self.holds if c.virtual_server}

    @property
    def cluster_groups(self) -> set:
        """The groups this disk would have to be in: the Cluster Group for the
        quorum, each virtual server's group for its files."""
        return self.virtual_servers | ({"Cluster Group"} if Role.QUORUM in self.roles else set())


@dataclass(frozen=True)
class StorageDesign:
    """The shared storage of a cluster: arrays, online spares and the enclosure model.

    ``enclosures`` is how many enclosures the design provides (None: as many as
    the arrays need).
    """

    name: str
    arrays: tuple = ()
    spares: tuple = ()
    enclosure: EnclosureModel = RA4100
    enclosures: int | None = None
    io: IOModel = DEFAULT_IO
    source: str = ""
    assumptions: "SizingAssumptions | None" = None

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValidationError(f"a design's name is a non-empty string, not {self.name!r}",
                                  rule="designs are named", source="labkit.planning.storage")
        arrays, spares = as_tuple(self.arrays, "a design's arrays"), as_tuple(self.spares, "a design's spares")
        if not isinstance(self.enclosure, EnclosureModel) or not isinstance(self.io, IOModel):
            raise ValidationError("enclosure must be an EnclosureModel and io an IOModel",
                                  rule="a design has an enclosure model and an I/O model",
                                  source="labkit.planning.raid")
        for a in arrays:
            if not isinstance(a, PlannedArray):
                raise ValidationError(f"{a!r} is not a PlannedArray", rule="a design lists planned arrays",
                                      source="labkit.planning.storage")
        for s in spares:
            if not isinstance(s, OnlineSpare):
                raise ValidationError(f"{s!r} is not an OnlineSpare", rule="a design lists online spares",
                                      source="labkit.planning.raid")
        if self.enclosures is not None and (isinstance(self.enclosures, bool) or not isinstance(self.enclosures, int)
                                            or self.enclosures < 1):
            raise ValidationError(f"enclosures must be a whole number >= 1 or None, not {self.enclosures!r}",
                                  rule="a design has storage enclosures", source="labkit.planning.storage")
        object.__setattr__(self, "arrays", arrays)
        object.__setattr__(self, "spares", spares)

    # --- totals ---------------------------------------------------------------------------------
    @property
    def total_drives(self) -> int:
        return sum(a.array.drives for a in self.arrays) + len(self.spares)

    @property
    def raw_gb(self) -> float:
        return round(sum(a.array.raw_gb for a in self.arrays) + sum(s.drive.capacity_gb for s in self.spares), 6)

    @property
    def usable_gb(self) -> float:
        return round(sum(a.array.usable_gb for a in self.arrays), 6)

    def placement(self):
        """Arrays and spares in enclosures (first-fit decreasing; raises if an array
        is larger than an enclosure)."""
        items = [(a.label, a.array.drives) for a in self.arrays] + [(s.name, 1) for s in self.spares]
        return place(items, self.enclosure)

    @property
    def enclosures_needed(self) -> int:
        return self.placement().count

    def array(self, label: str) -> PlannedArray:
        for a in self.arrays:
            if a.label == label:
                return a
        raise ValidationError(f"no array labelled {label!r} in {self.name}", rule="arrays are found by label",
                              source="labkit.planning.storage")

    def storage_groups(self) -> list[tuple[str, str]]:
        """(virtual server, storage group) pairs the design mentions, in order of appearance."""
        seen = {}
        for a in self.arrays:
            for c in a.holds:
                if c.storage_group_key:
                    seen.setdefault(c.storage_group_key, None)
        return list(seen)

    def arrays_of(self, virtual_server: str) -> list[str]:
        """Labels of the arrays holding files of ``virtual_server`` (its Physical Disks)."""
        return [a.label for a in self.arrays if virtual_server in a.virtual_servers]

    def rows(self) -> list[dict]:
        """One row per array and spare, like the paper's Table 9."""
        out = []
        for a in self.arrays:
            arr = a.array
            out.append({"drives": arr.drives, "drive_gb": arr.drive.capacity_gb, "level": str(arr.level),
                        "label": a.label, "holds": ", ".join(str(c) for c in a.holds),
                        "usable_gb": arr.usable_gb, "required_gb": a.required_gb,
                        "max_iops": round(arr.max_iops(a.read_fraction, self.io), 1),
                        "required_iops": a.required_iops})
        for s in self.spares:
            out.append({"drives": 1, "drive_gb": s.drive.capacity_gb, "level": "online spare", "label": s.name,
                        "holds": "spare for " + ", ".join(s.covers), "usable_gb": 0.0, "required_gb": 0.0,
                        "max_iops": 0.0, "required_iops": 0.0})
        return out

    def table_lines(self) -> list[str]:
        """The design written the way Table 9 is.

        >>> table9().table_lines()[0]
        '(2) 18.2GB Drives/RAID1: Cluster Quorum Device'
        """
        lines = []
        for a in self.arrays:
            n, gb, lv = a.array.drives, a.array.drive.capacity_gb, str(a.array.level).replace(" ", "")
            lines.append(f"({n}) {gb:g}GB Drives/{lv}: {a.label}")
        lines += [f"{s.drive.capacity_gb:g}GB Drive: {s.name}" for s in self.spares]
        return lines


# --- sizing ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SizingAssumptions:
    """The figures the paper does not give, as named, overridable settings.

    - ``mailbox_mb``: average mailbox size, 30 MB [U] (the paper gives none).
    - ``database_overhead``: extra database space for deleted-item retention and
      free pages, 20% of the mailboxes [U].
    - ``iops_per_user``: random database I/Os a second per user at the busy hour,
      0.3 [U] (the paper gives none).
    - ``io``: the I/O model (4 KB pages, half reads; see :class:`~labkit.planning.raid.IOModel`).
    - ``log_mb_per_user_per_day`` and ``log_days``: transaction log volume, 4 MB a
      user a day kept for 2 days until a full backup truncates it [U].
    - ``quorum_gb``: space the quorum needs, 0.5 GB [D] (Microsoft suggests a
      500 MB partition).
    - ``drive``: the 18.2 GB 10,000 rpm drive of Table 9.
    - ``database_level`` / ``log_level``: RAID 0+1 and RAID 1, as in Table 9.
    - ``spares_per_role``: online spares for the log arrays and for the database
      arrays, 1 each (Table 9).
    - ``enclosure``: the RA4100 (12 bays).

    With these defaults capacity alone asks for the six-drive database arrays of
    Table 9, and any I/O rate up to about 0.39 a user keeps them at six; change
    the figures to see how the table changes (for instance :func:`profile_2003`).
    """

    mailbox_mb: float = 30.0
    database_overhead: float = 0.2
    iops_per_user: float = 0.3
    io: IOModel = field(default_factory=IOModel)
    log_mb_per_user_per_day: float = 4.0
    log_days: float = 2.0
    quorum_gb: float = 0.5
    drive: DriveModel = DRIVE_18GB_10K
    database_level: RaidLevel = RaidLevel.RAID01
    log_level: RaidLevel = RaidLevel.RAID1
    spares_per_role: int = 1
    enclosure: EnclosureModel = RA4100

    def __post_init__(self):
        for what in ("mailbox_mb", "database_overhead", "iops_per_user", "log_mb_per_user_per_day", "log_days",
                     "quorum_gb"):
            v = getattr(self, what)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0 or math.isnan(v):
                raise ValidationError(f"{what} must be a number >= 0, not {v!r}", rule="sizing assumptions are "
                                      "non-negative numbers", source="labkit.planning.storage")
        if isinstance(self.spares_per_role, bool) or not isinstance(self.spares_per_role, int) \
                or self.spares_per_role < 0:
            raise ValidationError(f"spares_per_role must be a whole number >= 0, not {self.spares_per_role!r}",
                                  rule="sizing assumptions are non-negative numbers",
                                  source="labkit.planning.storage")
        if not isinstance(self.io, IOModel) or not isinstance(self.drive, DriveModel) \
                or not isinstance(self.enclosure, EnclosureModel):
            raise ValidationError("io, drive and enclosure must be an IOModel, a DriveModel and an EnclosureModel",
                                  rule="sizing assumptions name their models", source="labkit.planning.raid")
        object.__setattr__(self, "database_level", RaidLevel.parse(self.database_level))
        object.__setattr__(self, "log_level", RaidLevel.parse(self.log_level))

    def database_gb(self, users: int) -> float:
        """Database space ``users`` need (decimal GB, 1 GB = 1000 MB) [D]."""
        return users * self.mailbox_mb * (1.0 + self.database_overhead) / 1000.0

    def database_iops(self, users: int) -> float:
        return users * self.iops_per_user

    def log_gb(self, users: int) -> float:
        return users * self.log_mb_per_user_per_day * self.log_days / 1000.0


#: The defaults: a 2001 corporate user as described in :class:`SizingAssumptions`.
PAPER_2001 = SizingAssumptions()

#: Microsoft's later Exchange Server 2003 mailbox profiles (database I/Os a second
#: per user, mailbox MB): "How to Calculate Your Disk I/O Requirements" (Exchange
#: 2003 Technical Reference). Reads are 2/3 to 3/4 of the I/O there; 2/3 is used.
PROFILES_2003 = {"light": (0.5, 50.0), "average": (0.75, 100.0), "heavy": (1.0, 200.0), "large": (1.5, 500.0)}


def profile_2003(name: str, **overrides) -> SizingAssumptions:
    """Sizing assumptions for one of Microsoft's Exchange 2003 mailbox profiles.

    >>> size_database_array(1250, profile_2003("light")).drives   # Table 9's six drives would not do
    10
    """
    if name not in PROFILES_2003:
        raise ValidationError(f"unknown profile {name!r}; choose one of {', '.join(PROFILES_2003)}",
                              rule="Exchange 2003 mailbox profiles", source="Microsoft Exchange 2003 Technical "
                              "Reference, How to Calculate Your Disk I/O Requirements")
    iops, mb = PROFILES_2003[name]
    values = dict(iops_per_user=iops, mailbox_mb=mb, io=IOModel(read_fraction=2 / 3))
    values.update(overrides)
    return SizingAssumptions(**values)


#: the one whole-number check (:func:`~labkit.planning.findings.whole_number`), with this module's source
_users = partial(whole_number, what="users", low=0, source="labkit.planning.storage", rule="users are counted")


def size_database_array(users: int, assumptions: SizingAssumptions = PAPER_2001) -> Sizing:
    """The database array of a storage group with ``users`` mailboxes.

    >>> s = size_database_array(1250)
    >>> s.drives, round(s.required_gb, 1), s.required_iops
    (6, 45.0, 375.0)
    """
    a = assumptions
    _users(users)
    return drives_needed(a.database_level, capacity_gb=a.database_gb(users), iops=a.database_iops(users),
                         read_fraction=a.io.read_fraction, drive=a.drive, io=a.io)


def size_log_array(users: int, assumptions: SizingAssumptions = PAPER_2001) -> Sizing:
    """The log array of a storage group: sized by capacity; log I/O is sequential and
    a mirror pair absorbs it at these loads [D].

    >>> size_log_array(1250).drives
    2
    """
    a = assumptions
    _users(users)
    return drives_needed(a.log_level, capacity_gb=a.log_gb(users), drive=a.drive, io=a.io)


def _split(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def plan_storage(users: int, nodes: int, *, virtual_servers_per_node: int = 1, storage_groups_per_server: int = 1,
                 assumptions: SizingAssumptions = PAPER_2001, virtual_servers=None,
                 name: str | None = None) -> StorageDesign:
    """Work backwards from the users, as the paper advises: users per node, virtual
    servers per node, storage groups per virtual server, then one log array and
    one database array per storage group, a quorum mirror and online spares.

    Labels follow Table 9 ("VS1-SG1 LOG Device"); the contents name the virtual
    servers (EXVS1, ... as in Table 10, or ``virtual_servers``).

    >>> d = plan_storage(2000, 2)
    >>> [r["drives"] for r in d.rows()]
    [2, 2, 2, 4, 4, 1, 1]
    """
    _users(users)
    for what, v in (("nodes", nodes), ("virtual_servers_per_node", virtual_servers_per_node),
                    ("storage_groups_per_server", storage_groups_per_server)):
        whole_number(v, what, rule="a cluster plan counts nodes, virtual servers and storage groups",
                     source="paper, Storage Design is the Key")
    if not isinstance(assumptions, SizingAssumptions):
        raise ValidationError(f"assumptions must be SizingAssumptions, not {assumptions!r}",
                              rule="sizing needs assumptions", source="labkit.planning.storage")
    a = assumptions
    n_vs = nodes * virtual_servers_per_node
    names = list(as_tuple(virtual_servers, "virtual server names")) if virtual_servers is not None \
        else [f"EXVS{i}" for i in range(1, n_vs + 1)]
    if len(names) != n_vs or len(set(names)) != n_vs:
        raise ValidationError(f"need {n_vs} distinct virtual server names, got {names!r}",
                              rule="one name per virtual server", source="paper, Table 10")
    per_sg = _split(users, n_vs * storage_groups_per_server)
    q = drives_needed("RAID 1", capacity_gb=a.quorum_gb, drive=a.drive, io=a.io)
    arrays = [PlannedArray("Cluster Quorum Device", q.array, (quorum(),), required_gb=a.quorum_gb)]
    log_arrays, db_arrays = [], []
    k = 0
    for i, vs in enumerate(names, start=1):
        for j in range(1, storage_groups_per_server + 1):
            u = per_sg[k]
            k += 1
            sg = f"SG{j}"
            ls = size_log_array(u, a)
            log_arrays.append(PlannedArray(f"VS{i}-{sg} LOG Device", ls.array, (logs(vs, sg),),
                                           required_gb=round(ls.required_gb, 6)))
            ds = size_database_array(u, a)
            db_arrays.append(PlannedArray(f"VS{i}-{sg} Database Device", ds.array, (database(vs, sg),),
                                          required_gb=round(ds.required_gb, 6), required_iops=ds.required_iops,
                                          read_fraction=a.io.read_fraction))
    arrays += log_arrays + db_arrays
    spares = []
    for role, group in (("LOG Devices", log_arrays), ("Database Devices", db_arrays)):
        covered = tuple(p.label for p in group if p.array.tolerated_failures)
        if covered:
            for s in range(a.spares_per_role):
                suffix = f" {s + 1}" if a.spares_per_role > 1 else ""
                spares.append(OnlineSpare(f"Online Spare – {role}{suffix}", a.drive, covered))
    return StorageDesign(name or f"{users} users, {nodes} nodes", tuple(arrays), tuple(spares), a.enclosure,
                         None, a.io, source="paper, Storage Design is the Key (work backwards from the users)",
                         assumptions=a)


#: The paper's reference cluster (Figure 7, Tables 9 and 10).
TABLE9_USERS = 5000
TABLE9_NODES = 4


def table9(assumptions: SizingAssumptions = PAPER_2001) -> StorageDesign:
    """The paper's Table 9 rebuilt from the rules: 5,000 users on 4 nodes, one
    virtual server and one storage group per node (1,250 users each).

    >>> print("\\n".join(table9().table_lines()[4:7]))
    (2) 18.2GB Drives/RAID1: VS4-SG1 LOG Device
    (6) 18.2GB Drives/RAID0+1: VS1-SG1 Database Device
    (6) 18.2GB Drives/RAID0+1: VS2-SG1 Database Device
    """
    d = plan_storage(TABLE9_USERS, TABLE9_NODES, assumptions=assumptions,
                     name="Table 9: 5,000-user 4-node cluster")
    return replace(d, source="paper, Table 9 and Figure 7, rebuilt from Table 8's rules")


def table9_as_printed(assumptions: SizingAssumptions = PAPER_2001) -> StorageDesign:
    """Table 9 as the paper prints it: all four database arrays read "VS1-SG1
    Database Device", so VS2 to VS4 have logs but no database array."""
    d = table9(assumptions)
    printed = "VS1-SG1 Database Device"
    relabel = {a.label: printed for a in d.arrays if Role.DATABASE in a.roles}
    arrays = tuple(replace(a, label=printed, holds=(database("EXVS1", "SG1"),)) if a.label in relabel else a
                   for a in d.arrays)
    spares = tuple(replace(s, covers=tuple(dict.fromkeys(relabel.get(c, c) for c in s.covers))) for s in d.spares)
    return replace(d, name="Table 9 as printed", arrays=arrays, spares=spares, source="paper, Table 9 (as printed)")


__all__ = ["Role", "Content", "quorum", "logs", "database", "edb", "stm", "PlannedArray", "StorageDesign",
           "SizingAssumptions", "PAPER_2001", "PROFILES_2003", "profile_2003",
           "size_database_array", "size_log_array", "plan_storage", "table9", "table9_as_printed",
           "TABLE9_USERS", "TABLE9_NODES", "DEFAULT_DATABASE"]
