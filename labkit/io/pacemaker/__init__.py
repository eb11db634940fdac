"""The same cluster as Pacemaker sees it: export a labkit cluster as a Pacemaker CIB.

The parts: :mod:`~labkit.io.pacemaker.cib` (agents, ids, the configuration),
:mod:`~labkit.io.pacemaker.status` (the status section of a running cluster) and
:mod:`~labkit.io.pacemaker.simulate` (``crm_verify``, ``crm_simulate``); ``lk.pacemaker`` is this package.

Pacemaker (with Corosync) is today's open-source HA cluster stack; its
configuration, the CIB (Cluster Information Base), is an XML document. Exporting
a 2001 MSCS design into it shows a learner which ideas survived and how they are
spelled now. The mapping (MSCS -> Pacemaker):

=============================  ==============================================================
MSCS (Windows 2000)            Pacemaker CIB
=============================  ==============================================================
node                           ``<node id= uname=>``
resource                       ``<primitive>``: agent after :data:`AGENTS` (below)
LooksAlive / IsAlive polls     two ``monitor`` operations; the IsAlive one with
                               ``OCF_CHECK_LEVEL=10`` (the agent's thorough check)
PendingTimeout                 ``start`` and ``stop`` operation ``timeout``
RestartThreshold in Period     ``migration-threshold`` = threshold + 1 (MSCS restarts in
                               place *threshold* times, the next failure moves the group)
                               and ``failure-timeout`` = RestartPeriod
RestartAction dont_restart     ``on-fail=stop`` on the monitors (left failed, group stays)
RestartAction restart_no_nfy   ``migration-threshold=INFINITY`` (restarts, never moves)
group (unit of failover)       a native ``<group>`` named ``grp-<group>``, its members in
                               online order (:meth:`Cluster.online_order`)
dependency (a DAG)             implied by the group's chain: online order is a topological
                               order, so each provider comes before its dependents
preferred owners               ``rsc_location`` scores on the group: 1000 + 10 per place
                               for preferred owners in order, then 1, 2, ... for the
                               other nodes in node-id order (KB 299631's effective list)
possible owners                ``-INFINITY`` location bans on the group for the nodes that
                               cannot host every member (MSCS rule)
AutoFailback prevent / allow   ``resource-stickiness`` ``INFINITY`` / ``0`` on the group;
failback window                a rule: stickiness 0 only in the window's hours (date_spec)
offline group / resource       ``target-role=Stopped``
quorum disk                    nothing: Corosync counts votes; ``no-quorum-policy=ignore``
                               keeps the last node running, as the quorum disk did
SCSI reservations              nothing: ``stonith-enabled=false``; a production Pacemaker
                               cluster *must* fence (the disk reservations were MSCS's
                               fencing)
FailoverThreshold / Period     no equivalent (noted in the group's description)
=============================  ==============================================================

A native group is a chain: each member starts after, and runs with, the one before it.
Where an MSCS group's dependencies are themselves a chain, that is exactly MSCS. Where
they are a DAG (a file-share group's Disk and IP Address are independent) no constraint
is needed to keep a single dependency -- the chain implies them all -- and none could
loosen the chain: it is stricter than MSCS in two ways only, both outside node failures.
Independent members start one after another instead of side by side, and a member that
stays failed also stops the members listed after it, where MSCS stops only its own
dependents. Where a group runs after a node fails -- what :func:`compare_with_crm_simulate`
compares -- is the same. ``export_cib(c, style="constraints")`` writes the DAG exactly
instead, heavier: an anchor ``ocf:pacemaker:Dummy`` primitive per group that each member
is colocated with, one ``rsc_order`` per dependency, members without providers after the
anchor, and location bans on each resource for its non-possible owners.

:func:`status_cib` adds the status section of the cluster as it runs now, which
Pacemaker reads as a running, stable cluster (``crm_simulate -R`` plans nothing): each
running resource's start and recurring monitors with the operation digests Pacemaker
computes (:func:`op_digest`).

Comparing decisions with Pacemaker's own simulator, ``crm_simulate`` (Debian
package ``pacemaker-cli-utils``): :func:`compare_with_crm_simulate`.

>>> import labkit as lk
>>> c = lk.Cluster("LAB", ip="10.0.0.100"); _ = c.add_node("N1"); _ = c.add_node("N2")
>>> xml = export_cib(c)
>>> '<primitive id="Cluster-IP-Address" class="ocf" provider="heartbeat" type="IPaddr2"' in xml
True
"""
from __future__ import annotations

from .cib import AGENTS, FEATURE_SET, Agent, agent_for, export_cib, hash_name, register_agent, resource_ids, write_cib
from .simulate import Comparison, compare_with_crm_simulate, crm_tool, planned_actions, verify_cib
from .status import op_digest, status_cib

__all__ = ["AGENTS", "Agent", "FEATURE_SET", "agent_for", "register_agent", "hash_name", "resource_ids", "export_cib",
           "write_cib", "status_cib", "op_digest", "crm_tool", "verify_cib", "planned_actions", "Comparison",
           "compare_with_crm_simulate"]
