"""The storage rules of the paper's Table 8 and "Design Storage Before Configuring the
Cluster", applied to a :class:`~labkit.planning.storage.StorageDesign` before anything
is built: :func:`check` returns every :class:`~labkit.planning.findings.Violation`,
:func:`require_valid` raises one :class:`~labkit.errors.ConfigurationError`.

>>> from labkit.planning.storage import table9, table9_as_printed
>>> check(table9())
[]
>>> sorted({v.rule for v in check(table9_as_printed())})
['one-array-per-file', 'storage-group-complete', 'unique-labels']
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from ..errors import ConfigurationError, ValidationError
from .findings import Violation, require
from .raid import RaidLevel


from .storage import DATABASE_ROLES, Role, StorageDesign


# --- the rules ------------------------------------------------------------------------------------
#: Rule id -> (rule, source). Each finding of :func:`check` carries one of these.
RULES: dict[str, tuple[str, str]] = {
    "one-quorum": ("a cluster has exactly one quorum disk",
                   "paper, Table 1 (Quorum Resource) and Table 9"),
    "quorum-own-raid1": ("the quorum sits alone on its own RAID 1 array",
                         "paper, Table 9 (Cluster Quorum Device) and Windows 2000 Clustering Installation "
                         "Requirements"),
    "logs-raid-1-or-0+1": ("a storage group's transaction logs go on a RAID 1 or RAID 0+1 array",
                           "paper, Table 8 (Storage Group Transaction Logs)"),
    "logs-dedicated": ("each storage group's logs have an array of their own, holding nothing else",
                       "paper, Table 8 (Storage Group Transaction Logs)"),
    "logs-apart-from-databases": ("no storage group's logs share an array with its own databases",
                                  "paper, Table 8; Storage Design is the Key (separate sequential from random I/O)"),
    "database-raid-level": ("EDB and STM files go on a RAID 1, RAID 0+1 or RAID 5 array",
                            "paper, Table 8 (Property Store, Streaming Store)"),
    "database-array-per-storage-group": ("a database array serves one storage group",
                                         "paper, Table 8 (dedicate an array to each storage group)"),
    "one-virtual-server-per-array": ("every array is a cluster disk of exactly one virtual server's group "
                                     "(the quorum: of the Cluster Group alone)",
                                     "paper, Design Storage Before Configuring the Cluster (the array is the unit "
                                     "of failover); Clustering Support in Exchange 2000"),
    "storage-group-complete": ("every storage group has its logs and each database's EDB and STM placed",
                               "paper, Design Storage Before Configuring the Cluster (at least a log array and "
                               "a database array per storage group)"),
    "one-array-per-file": ("a storage group's log set and each EDB or STM file live on one array",
                           "paper, Storage Design is the Key (one set of logs per storage group); a file lives "
                           "on one volume [D]"),
    "databases-per-storage-group": ("a storage group holds at most 5 databases",
                                    "paper, Table 8 (up to 5 can be configured)"),
    "storage-groups-per-virtual-server": ("a virtual server holds at most 4 storage groups (it must mount them "
                                          "all on one node)",
                                          "paper, Table 5 and Design Storage Before Configuring the Cluster "
                                          "(4 storage groups per node)"),
    "unique-labels": ("array labels are unique (each array is its own Physical Disk resource)",
                      "MSCS: resource names are unique in a cluster [D]"),
    "capacity": ("an array's usable capacity covers what it holds", "sizing assumptions [D]"),
    "iops": ("an array sustains the random I/O of what it holds", "sizing assumptions and I/O model [D]"),
    "spare-coverage": ("an online spare covers existing redundant arrays whose drives are no larger than it",
                       "Compaq online spares [D]"),
    "enclosure-bays": ("arrays and spares fit the enclosures' drive bays, no array spanning two enclosures",
                       "Compaq RA4100 (12 bays) [U]; an array controller manages only its own bays [D]"),
}

MAX_DATABASES_PER_STORAGE_GROUP = 5
MAX_STORAGE_GROUPS_PER_VIRTUAL_SERVER = 4
_LOG_LEVELS = (RaidLevel.RAID1, RaidLevel.RAID01)
_DB_LEVELS = (RaidLevel.RAID1, RaidLevel.RAID01, RaidLevel.RAID5)


def _v(rule: str, message: str, subject: str | None = None) -> Violation:
    return Violation(rule, message, RULES[rule][1], subject)


@dataclass
class _Seen:
    """What the arrays hold, gathered while :func:`check` walks them."""

    quorum_arrays: list = field(default_factory=list)
    log_arrays: dict = field(default_factory=lambda: defaultdict(list))       # (vs, sg) -> arrays
    files: dict = field(default_factory=lambda: defaultdict(list))            # (vs, sg, db, EDB|STM) -> arrays
    databases: dict = field(default_factory=lambda: defaultdict(set))         # (vs, sg) -> database names
    sgs_of_vs: dict = field(default_factory=lambda: defaultdict(set))


def _array_findings(a, design: StorageDesign, seen: "_Seen") -> list[Violation]:
    """What one array breaks, in the order :func:`check` reports it; notes what it holds in ``seen``."""
    found: list[Violation] = []
    quorum_arrays, log_arrays, files, databases, sgs_of_vs = (seen.quorum_arrays, seen.log_arrays, seen.files,
                                                              seen.databases, seen.sgs_of_vs)
    lv, roles, label = a.array.level, a.roles, a.label
    if Role.QUORUM in roles:
        quorum_arrays.append(label)
        if lv is not RaidLevel.RAID1 or len(a.holds) > 1:
            what = f"a {lv} array" if lv is not RaidLevel.RAID1 else "an array shared with " + ", ".join(
                str(c) for c in a.holds if c.role is not Role.QUORUM)
            found.append(_v("quorum-own-raid1", f"the quorum is on {what}", label))
    log_contents = [c for c in a.holds if c.role is Role.LOGS]
    db_contents = [c for c in a.holds if c.role in DATABASE_ROLES]
    if log_contents:
        if lv not in _LOG_LEVELS:
            found.append(_v("logs-raid-1-or-0+1", f"transaction logs are on {lv}", label))
        if len(a.holds) > 1:
            others = ", ".join(str(c) for c in a.holds)
            found.append(_v("logs-dedicated", f"the log array also holds other files: {others}", label))
        db_sgs = {c.storage_group_key for c in db_contents}
        for c in log_contents:
            log_arrays[c.storage_group_key].append(label)
            if c.storage_group_key in db_sgs:
                found.append(_v("logs-apart-from-databases",
                                f"{'/'.join(c.storage_group_key)} keeps its logs with its own databases",
                                label))
    if db_contents:
        if lv not in _DB_LEVELS:
            found.append(_v("database-raid-level", f"databases are on {lv}", label))
        sgs = sorted({c.storage_group_key for c in db_contents})
        if len(sgs) > 1:
            found.append(_v("database-array-per-storage-group",
                            "databases of " + ", ".join("/".join(k) for k in sgs) + " share the array", label))
        for c in db_contents:
            databases[c.storage_group_key].add(c.database)
            kinds = ("EDB", "STM") if c.role is Role.DATABASE else (c.role.value,)
            for kind in kinds:
                files[c.storage_group_key + (c.database, kind)].append(label)
    for c in a.holds:
        if c.virtual_server:
            sgs_of_vs[c.virtual_server].add(c.storage_group)
    groups = a.cluster_groups
    if len(groups) != 1:
        what = "no virtual server" if not groups else ", ".join(sorted(groups))
        found.append(_v("one-virtual-server-per-array",
                        f"the array would have to be a disk of {what}", label))
    if a.required_gb > a.array.usable_gb + 1e-9:
        found.append(_v("capacity", f"needs {a.required_gb:.1f} GB but has {a.array.usable_gb:.1f} GB usable",
                        label))
    if a.required_iops:
        can = a.array.max_iops(a.read_fraction, design.io)
        if a.required_iops > can + 1e-9:
            found.append(_v("iops", f"needs {a.required_iops:.0f} random I/Os a second but sustains "
                                    f"{can:.0f}", label))
    return found


def _storage_group_findings(design: StorageDesign, seen: "_Seen") -> list[Violation]:
    """What the storage groups, the database files and the virtual servers break, given what the arrays hold."""
    found: list[Violation] = []
    log_arrays, files, databases, sgs_of_vs = seen.log_arrays, seen.files, seen.databases, seen.sgs_of_vs
    for key in design.storage_groups():
        name = "/".join(key)
        missing = []
        if not log_arrays.get(key):
            missing.append("transaction logs")
        if not databases.get(key):
            missing.append("a database")
        for db in sorted(databases.get(key, ())):
            for kind in ("EDB", "STM"):
                if not files.get(key + (db, kind)):
                    missing.append(f"the {kind} of {db}")
        if missing:
            found.append(_v("storage-group-complete", "has no array for " + ", ".join(missing), name))
        if len(log_arrays.get(key, ())) > 1:
            found.append(_v("one-array-per-file", "its transaction logs are on " + ", ".join(log_arrays[key]), name))
        if len(databases.get(key, ())) > MAX_DATABASES_PER_STORAGE_GROUP:
            found.append(_v("databases-per-storage-group",
                            f"has {len(databases[key])} databases; at most {MAX_DATABASES_PER_STORAGE_GROUP}", name))
    for fkey, where in files.items():
        if len(where) > 1:
            found.append(_v("one-array-per-file",
                            f"the {fkey[3]} of {fkey[2]} is on {len(where)} arrays: {', '.join(where)}",
                            "/".join(fkey[:2])))
    for vs, sgs in sgs_of_vs.items():
        if len(sgs) > MAX_STORAGE_GROUPS_PER_VIRTUAL_SERVER:
            found.append(_v("storage-groups-per-virtual-server",
                            f"has {len(sgs)} storage groups; a node mounts at most "
                            f"{MAX_STORAGE_GROUPS_PER_VIRTUAL_SERVER}", vs))
    return found


def _spare_findings(design: StorageDesign) -> list[Violation]:
    """What the online spares break: each covers arrays of the design, redundant ones, with drives no larger."""
    found: list[Violation] = []
    by_label = {a.label: a for a in design.arrays}
    for s in design.spares:
        for label in s.covers:
            a = by_label.get(label)
            if a is None:
                found.append(_v("spare-coverage", f"covers {label!r}, which is not in the design", s.name))
            elif a.array.tolerated_failures == 0:
                found.append(_v("spare-coverage", f"covers {label!r}, a {a.array.level} array with no redundancy "
                                                  "to rebuild", s.name))
            elif a.array.drive.capacity_gb > s.drive.capacity_gb:
                found.append(_v("spare-coverage", f"is smaller ({s.drive.capacity_gb:g} GB) than the drives of "
                                                  f"{label!r} ({a.array.drive.capacity_gb:g} GB)", s.name))
    return found


def _enclosure_findings(design: StorageDesign) -> list[Violation]:
    """Whether the arrays and spares fit the enclosures' bays."""
    found: list[Violation] = []
    try:
        need = design.enclosures_needed
    except ConfigurationError as e:
        found.append(_v("enclosure-bays", e.detail))
    else:
        if design.enclosures is not None and need > design.enclosures:
            found.append(_v("enclosure-bays", f"{design.total_drives} drives need {need} x {design.enclosure.name} "
                                              f"({design.enclosure.bays} bays each); the design has "
                                              f"{design.enclosures}"))
    return found


def check(design: StorageDesign) -> list[Violation]:
    """Every rule of Table 8 (and the design's own sizing) the design breaks.

    Runs in one pass over the arrays plus one over the storage groups.

    >>> from labkit.planning.raid import Array
    >>> from labkit.planning.storage import PlannedArray, database, logs, quorum
    >>> d = StorageDesign("shared logs", [
    ...     PlannedArray("Q", Array("RAID 1", 2), [quorum()]),
    ...     PlannedArray("LOGS", Array("RAID 5", 3), [logs("EXVS1", "SG1"), logs("EXVS2", "SG1")]),
    ...     PlannedArray("DB1", Array("RAID 5", 4), [database("EXVS1", "SG1")]),
    ...     PlannedArray("DB2", Array("RAID 5", 4), [database("EXVS2", "SG1")])])
    >>> [v.rule for v in check(d)]
    ['logs-raid-1-or-0+1', 'logs-dedicated', 'one-virtual-server-per-array']
    """
    if not isinstance(design, StorageDesign):
        raise ValidationError(f"check() takes a StorageDesign, not {design!r}", rule="a design is checked",
                              source="labkit.planning.storage")
    found: list[Violation] = []
    seen = _Seen()
    label_count = Counter(a.label for a in design.arrays)
    for a in design.arrays:
        found += _array_findings(a, design, seen)
    quorum_arrays = seen.quorum_arrays
    for label, n in label_count.items():
        if n > 1:
            found.append(_v("unique-labels", f"{n} arrays are labelled {label!r}", label))
    if len(quorum_arrays) != 1:
        what = "no array" if not quorum_arrays else ", ".join(quorum_arrays)
        found.append(_v("one-quorum", f"the quorum is on {what}"))
    found += _storage_group_findings(design, seen)
    found += _spare_findings(design)
    found += _enclosure_findings(design)
    return found


def require_valid(design: StorageDesign) -> StorageDesign:
    """Return ``design`` if :func:`check` finds nothing; otherwise raise ConfigurationError.

    >>> from labkit.planning.storage import table9_as_printed
    >>> require_valid(table9_as_printed())  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    labkit.errors.ConfigurationError: the storage design breaks 6 rule(s): [unique-labels] VS1-SG1 Database Device: 4 arrays ...
    """
    require(check(design), what="storage design")
    return design


__all__ = ["RULES", "check", "require_valid", "MAX_DATABASES_PER_STORAGE_GROUP", "MAX_STORAGE_GROUPS_PER_VIRTUAL_SERVER"]
