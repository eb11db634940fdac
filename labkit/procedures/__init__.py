"""Operations as runnable procedures: the paper's runbooks, step by step.

Each procedure function returns a :class:`Procedure` bound to its cluster: a
sequence of named :class:`Step` objects that check their preconditions, act through
the public API (``labkit`` core and ``labkit.exchange``) and check their outcome.
Run it whole (``run()``), one step at a time (``next()`` -- a notebook cell or a
widget button), up to a step (``run(until=...)``) or replay it on a fresh copy
(``replay(until=...)``). A refused step raises a :class:`~labkit.errors.ProcedureError`
that names the step, the rule and its source; the steps already done stay done and
are in ``error.report``. Every step writes to the cluster log.

========================================  ===============================================
procedure                                 paper
========================================  ===============================================
:func:`build_cluster`                     Windows 2000 Clustering Installation Requirements;
                                          Installing Exchange 2000 Server
:func:`single_node_failure`               Cluster Back Up and Restore Scenarios, Scenario 1
:func:`quorum_disk_failure`               Scenario 2
:func:`complete_cluster_failure`          Scenario 3
:func:`backup_binding_drill`,             Disaster Recovery Considerations
:func:`backup_interruption_drill`
:func:`rolling_upgrade`                   The Problems Clustering Solves (planned outages)
:func:`remove_virtual_server`,            Removing Exchange Virtual Servers and Binaries
:func:`remove_exchange_binaries`,
:func:`rebuild_virtual_server`
:func:`mailbox_relocation`,               Migrating From Exchange 5.5 Clusters
:func:`in_place_upgrade`, :func:`back_out`
:func:`site_recovery`                     HA/F500 Enhanced DT Solution (Stretch Cluster)
:func:`possible_owner_audit`              Resource Ownership and Failover
========================================  ===============================================

>>> from labkit.exchange import demo_cluster
>>> from labkit import procedures as pr
>>> c = demo_cluster()
>>> _ = pr.take_system_state_backup(c, "1-CURLY")     # what Scenario 1 restores
>>> c.crash_node("1-CURLY"); c.run_until_stable()
>>> p = pr.single_node_failure(c, failed="1-CURLY", new_name="1-CURLY", new_ip="132.192.1.50")
>>> p.run()
Traceback (most recent call last):
labkit.errors.ProcedureError: Scenario 1: single node failure, step 2 'build the replacement node under a new name' stopped: '1-CURLY' is the failed node's name; build the replacement under a new machine name [rule: a rebuilt node gets a new name; source: paper, Cluster Back Up and Restore Scenarios, Scenario 1]
>>> p.params["new_name"] = "5-SHEMP"
>>> p.run().complete
True
"""
from .assumptions import Assumptions
from .audit import OwnerAudit, OwnerFinding, audit_possible_owners, fix_possible_owners, possible_owner_audit
from .backup import (add_backup_job, backup_binding_drill, backup_durations, backup_history,
                     backup_interruption_drill, backup_sets, remove_backup_job, take_system_state_backup)
from .build import ClusterPlan, NodePlan, VirtualServerPlan, build_cluster, domain_controller_advisories
from .disks import (add_shared_disk, check_shared_disk, create_partition, delete_volumes, revert_to_basic,
                    shared_disks, write_signature)
from .engine import Advisory, Interruption, Procedure, ProcedureReport, Step, StepResult
from .maintenance import choose_target, estimate_hours, failback_risks, prove_moves, rolling_upgrade
from .migration import (ConnectionAgreement, ExchangeSite, back_out, check_in_place_preconditions,
                        check_unique_server_name, designated_store, folders, in_place_upgrade, mailbox_relocation,
                        rename_folder)
from .record import ClusterRecord, VirtualServerRecord, record_configuration, recreate_virtual_server, restore_databases
from .recovery import complete_cluster_failure, quorum_disk_failure, single_node_failure
from .removal import move_mailboxes, rebuild_virtual_server, remove_exchange_binaries, remove_virtual_server
from .state import (BackupJob, BackupKind, BackupSet, JobBinding, ProceduresState, RunOutcome, SharedDisk,
                    StretchConfig, state)
from .stretch import configure_stretch, site_disaster, site_recovery

__all__ = [
    "Procedure", "Step", "StepResult", "ProcedureReport", "Advisory", "Interruption", "Assumptions",
    "build_cluster", "ClusterPlan", "NodePlan", "VirtualServerPlan", "domain_controller_advisories",
    "SharedDisk", "add_shared_disk", "check_shared_disk", "create_partition", "delete_volumes", "revert_to_basic",
    "write_signature", "shared_disks",
    "single_node_failure", "quorum_disk_failure", "complete_cluster_failure", "record_configuration",
    "ClusterRecord", "VirtualServerRecord", "recreate_virtual_server", "restore_databases",
    "add_backup_job", "remove_backup_job", "backup_history", "backup_sets", "backup_durations",
    "take_system_state_backup", "backup_binding_drill", "backup_interruption_drill", "BackupJob", "BackupSet",
    "BackupKind", "JobBinding", "RunOutcome",
    "rolling_upgrade", "choose_target", "prove_moves", "failback_risks", "estimate_hours",
    "remove_virtual_server", "remove_exchange_binaries", "rebuild_virtual_server", "move_mailboxes",
    "ExchangeSite", "ConnectionAgreement", "check_in_place_preconditions", "mailbox_relocation",
    "designated_store", "check_unique_server_name",
    "in_place_upgrade", "back_out", "folders", "rename_folder",
    "configure_stretch", "site_disaster", "site_recovery", "StretchConfig",
    "audit_possible_owners", "fix_possible_owners", "possible_owner_audit", "OwnerAudit", "OwnerFinding",
    "ProceduresState", "state",
]
