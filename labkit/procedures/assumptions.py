"""How long the administrator's work takes, and how fast data moves: named assumptions.

The paper gives no durations for rebuilding a node, restoring system state or
moving mailboxes, and only qualitative statements about backup speed ("performance
may suffer due to the slower throughput capabilities of the network"). Every value
here is an assumption [U] for a 2001 data centre; override them per procedure with
``assumptions=Assumptions(...)``.

>>> a = Assumptions()
>>> a.backup_mb_s("local") > a.backup_mb_s("lan")
True
>>> round(a.transfer_s(31_250, "lan") / 3600, 1)
2.9
"""
from __future__ import annotations

from dataclasses import dataclass, fields

from ..values import POSITIVE, exact, show
from ..errors import ValidationError


@dataclass
class Assumptions:
    """Durations (minutes) and rates (MB/s), all [U] -- the paper is silent.

    - ``windows_install_min``: Windows 2000, its service pack and drivers on a new node.
    - ``system_state_backup_min`` / ``system_state_restore_min``: NT Backup of the
      System State (registry, COM+, boot files and, on a cluster node, the cluster
      database, KB 248998).
    - ``exchange_setup_min``: Exchange 2000 setup on one node, before its restart.
    - ``upgrade_min``: applying a service pack or driver on a paused node, before its restart.
    - ``group_move_min``: one planned move of a group, for estimating how long a
      rolling upgrade keeps groups away from their preferred nodes.
    - ``disk_replace_min``: replacing a failed shared disk (array rebuild, partition, format).
    - ``signature_write_min``: writing a disk signature back (DumpCfg, KB 280425).
    - ``local_backup_mb_s``: one DLT 8000 tape drive inside the node, native rate.
    - ``lan_backup_mb_s``: a backup agent over 100 Mbit/s Ethernet shared with clients
      (about a quarter of wire speed) -- the paper's "slower throughput of the network".
    - ``mailbox_mb``: the average mailbox; ``public_store_mb``: the public store.
    - ``agent_poll_s``: how often a backup agent notices a lost session [D].
    - ``backup_wait_h``: how long an interrupted backup waits for its store to come back.
    - ``move_mailbox_mb_s``: Exchange Move Mailbox between servers of one site.
    - ``public_folder_replication_min``: replicating the public folders to the new store.
    - ``e55_remove_min``: Exchange 5.5 setup, Remove All, on the cluster.
    - ``file_work_min``: renaming or deleting folders on the shared disk by hand.
    - ``disaster_decision_min``: deciding that the initiator site is lost (people, phones).
    - ``drm_failover_min``: promoting the mirrored units at the target site (Data
      Replication Manager site failover).
    - ``present_storage_min``: presenting the promoted units to the surviving node
      (Secure Path, selective storage presentation) and rescanning.
    """

    windows_install_min: float = 90.0
    system_state_backup_min: float = 10.0
    system_state_restore_min: float = 20.0
    exchange_setup_min: float = 30.0
    upgrade_min: float = 20.0
    group_move_min: float = 2.0
    disk_replace_min: float = 45.0
    signature_write_min: float = 5.0
    local_backup_mb_s: float = 6.0
    lan_backup_mb_s: float = 3.0
    mailbox_mb: float = 25.0
    public_store_mb: float = 2000.0
    agent_poll_s: float = 30.0
    backup_wait_h: float = 2.0
    move_mailbox_mb_s: float = 1.5
    public_folder_replication_min: float = 60.0
    e55_remove_min: float = 15.0
    file_work_min: float = 2.0
    disaster_decision_min: float = 15.0
    drm_failover_min: float = 10.0
    present_storage_min: float = 5.0

    def __post_init__(self):
        for f in fields(self):
            v = getattr(self, f.name)
            if not POSITIVE.ok(v):
                raise ValidationError(f"assumption {f.name} must be a number > 0, not {show(v)}",
                                      rule="durations and rates are positive numbers")
            setattr(self, f.name, exact(v))

    def backup_mb_s(self, path: str) -> float:
        """The rate of a ``"local"`` (tape drive in the node) or ``"lan"`` backup."""
        if path == "local":
            return self.local_backup_mb_s
        if path == "lan":
            return self.lan_backup_mb_s
        raise ValidationError(f"a backup path is 'local' or 'lan', not {show(path)}",
                              rule="backups go to a local tape drive or over the LAN",
                              source="paper, Disaster Recovery Considerations")

    def transfer_s(self, size_mb: float, path: str) -> float:
        """Seconds to back up or restore ``size_mb`` over ``path``."""
        return size_mb / self.backup_mb_s(path)


def pick(assumptions) -> Assumptions:
    """``assumptions`` or the defaults; anything else is refused."""
    if assumptions is None:
        return Assumptions()
    if not isinstance(assumptions, Assumptions):
        raise ValidationError(f"assumptions must be an Assumptions object, not {show(assumptions)}",
                              rule="assumptions are named settings")
    return assumptions
