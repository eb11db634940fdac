"""What the procedures layer adds to a cluster's model, kept in ``cluster.extensions["procedures"]``.

The core models shared disks only as Physical Disk resources (with a ``disk_type``);
before a disk becomes a resource it sits on the shared bus with a signature, maybe a
partition, basic or dynamic (paper, Windows 2000 Clustering Installation
Requirements). That disk model, the folders on the shared disks that the in-place
upgrade renames, the backup jobs and the catalogue of backup sets, and the
stretch-cluster layout live here, as plain dataclasses. Being a cluster extension
with ``to_dict()``, it is part of ``cluster.to_dict()`` and is restored by
``cluster.transaction()``, so procedure steps stay all-or-nothing.

>>> import labkit as lk
>>> c = lk.Cluster("LAB", ip="10.0.0.100")
>>> s = state(c, create=True)
>>> s.disks["Disk E:"] = SharedDisk("Disk E:", drive="E:", signature="1A2B3C4D", partitions=1)
>>> ProceduresState.from_dict(s.to_dict()) == s
True
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum

from .engine import need_cluster

EXT = "procedures"


@dataclass
class SharedDisk:
    """A disk (or array) on the shared bus, seen in Disk Management.

    - ``name``: the Physical Disk resource it becomes (e.g. "Disk E:").
    - ``disk_type``: "basic" or "dynamic" -- the cluster uses basic disks only.
    - ``signature``: the disk signature in the master boot record (hex), or None for a
      disk never initialised; MSCS finds its disks by signature (KB 280425).
    - ``partitions``: how many partitions or volumes it holds; ``drive``: the letter
      of its partition.
    - ``site``: for stretch clusters, the storage array's site.
    """

    name: str
    drive: str | None = None
    disk_type: str = "basic"
    signature: str | None = None
    partitions: int = 0
    size_gb: float = 18.2
    site: str | None = None

    @property
    def partitioned(self) -> bool:
        return self.partitions > 0 and self.drive is not None


class BackupKind(StrEnum):
    """What a backup set holds (paper, Cluster Back Up and Restore Scenarios; KB 248998)."""

    EXCHANGE = "exchange"            # the Exchange databases of a virtual server
    SYSTEM_STATE = "system state"    # a node's System State, with the cluster database
    OFFLINE = "offline"              # a whole server, Exchange stopped, with its System State


class JobBinding(StrEnum):
    """What a nightly backup job is set up against (paper, Disaster Recovery Considerations)."""

    NODE = "node"    # a node: backs up whatever store is local there
    NAME = "name"    # the virtual server's network name: follows it


@dataclass
class BackupSet:
    """One backup in the catalogue: what (``kind``, a :class:`BackupKind`: the Exchange
    databases of a virtual server, the System State of a node, or an offline backup --
    a whole server with its System State), taken when (``taken_at``, ISO time; ``taken_ms`` on the cluster clock),
    from which virtual server or node (``source``), on which node it ran, the
    databases with their mailbox counts, its size, and the job that made it."""

    name: str
    kind: BackupKind
    source: str
    taken_at: str
    taken_ms: int
    node: str | None = None
    databases: list[dict] = field(default_factory=list)
    size_mb: float = 0.0
    job: str | None = None


class RunOutcome(StrEnum):
    """How a backup job's run ended, or that it is still running (paper, Disaster Recovery
    Considerations: a node-bound job misses or fails after a failover)."""

    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    MISSED = "missed"


@dataclass
class BackupJob:
    """A scheduled nightly backup of one virtual server's Information Store.

    - ``bound_to``: a :class:`JobBinding`. ``NODE`` -- the job is set up on a node
      (``target`` is the node) and backs up whatever store is local there; ``NAME`` --
      the job targets the virtual server's network name (``target`` is the name) and
      follows it.
    - ``path``: "local" (a tape drive in the node) or "lan" (an agent, over the network).
    - ``hour``: daily start hour; ``cluster_aware``: whether the agent can resume after a
      failover -- a non-cluster-aware one restarts from the beginning (paper,
      Disaster Recovery Considerations).
    ``rate_mb_s``, ``poll_s``, ``wait_h``, ``mailbox_mb`` and ``public_store_mb`` are
    copied from the :class:`~labkit.procedures.assumptions.Assumptions` when the job is
    made. The rest is run-time state; ``history`` holds one dict per run (its ``outcome``
    the text of a :class:`RunOutcome`).
    """

    name: str
    virtual_server: str
    bound_to: JobBinding
    target: str
    path: str = "lan"
    hour: int = 22
    cluster_aware: bool = False
    rate_mb_s: float = 3.0
    poll_s: float = 30.0
    wait_h: float = 2.0
    mailbox_mb: float = 25.0
    public_store_mb: float = 2000.0
    run: int = 0
    running_on: str | None = None
    waiting_since_ms: int | None = None
    started_ms: int | None = None
    last_ms: int | None = None
    done_mb: float = 0.0
    size_mb: float = 0.0
    restarts: int = 0
    history: list[dict] = field(default_factory=list)

    @property
    def busy(self) -> bool:
        return self.running_on is not None or self.waiting_since_ms is not None


class StretchState(StrEnum):
    """Where a stretch cluster's storage is served from: mirrored between the sites, lost
    with the initiator site, or recovered on the target site's mirror."""

    MIRRORED = "mirrored"
    INITIATOR_LOST = "initiator lost"
    ON_TARGET = "running on the target site"


@dataclass
class StretchConfig:
    """A stretch cluster (Compaq ProLiant HA/F500 Enhanced DT): nodes by site, the
    distance, and where the storage is served from (``state``); ``lost_ms`` is when the
    initiator site was lost; ``lost_disks`` the disk resources that went with it."""

    initiator_site: str
    target_site: str
    sites: dict[str, str]
    distance_km: float
    state: StretchState = StretchState.MIRRORED
    lost_ms: int | None = None
    lost_disks: list[str] = field(default_factory=list)


@dataclass
class ProceduresState:
    """Everything the procedures layer keeps about one cluster."""

    disks: dict[str, SharedDisk] = field(default_factory=dict)
    #: folders on shared disks: disk resource name -> folder path -> file names
    files: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    backup_sets: list[BackupSet] = field(default_factory=list)
    backup_jobs: dict[str, BackupJob] = field(default_factory=dict)
    stretch: StretchConfig | None = None

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "ProceduresState":
        st = data.get("stretch")
        return cls(disks={k: SharedDisk(**v) for k, v in data.get("disks", {}).items()},
                   files={d: {f: list(v) for f, v in folders.items()} for d, folders in data.get("files", {}).items()},
                   backup_sets=[BackupSet(**{**b, "kind": BackupKind(b["kind"])})
                                for b in data.get("backup_sets", [])],
                   backup_jobs={k: BackupJob(**{**v, "bound_to": JobBinding(v["bound_to"])})
                                for k, v in data.get("backup_jobs", {}).items()},
                   stretch=StretchConfig(**{**st, "state": StretchState(st.get("state", "mirrored"))}) if st else None)


def state(cluster, *, create: bool = False) -> ProceduresState | None:
    """The cluster's :class:`ProceduresState` (None if there is none, unless ``create``)."""
    need_cluster(cluster)
    s = cluster.extensions.get(EXT)
    if s is None and create:
        s = cluster.extensions[EXT] = ProceduresState()
    return s


def _register() -> None:
    """The procedures layer's state is saved with the cluster (``extensions.procedures``)."""
    from .. import values as V
    from ..cluster.extensions import register_extension
    register_extension(EXT, ProceduresState.from_dict, check=V.Dataclass(ProceduresState))


_register()
