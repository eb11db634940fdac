"""Pacemaker's own tools on labkit's CIB: ``crm_verify`` and ``crm_simulate``.

:func:`crm_tool` finds a tool (Debian package ``pacemaker-cli-utils``), :func:`verify_cib`
checks a CIB, :func:`planned_actions` lists what ``crm_simulate`` would do, and
:func:`compare_with_crm_simulate` sets labkit's decision after a node failure beside
Pacemaker's, on a stable cluster's snapshot.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from ...cluster.cluster import Cluster
from ...cluster.model import GroupState, NodeState
from ...errors import ConfigurationError, ValidationError
from .cib import resource_ids
from .status import status_cib


def crm_tool(name: str) -> str | None:
    """The path of a Pacemaker command-line tool (``crm_simulate``, ``crm_verify``), or None.
    Debian installs them in /usr/sbin, which is not on every user's PATH."""
    found = shutil.which(name)
    if found:
        return found
    for folder in ("/usr/sbin", "/usr/local/sbin", "/sbin"):
        p = Path(folder) / name
        if p.exists():
            return str(p)
    return None


def _need(name: str) -> str:
    path = crm_tool(name)
    if path is None:
        raise ConfigurationError(f"{name} is not installed; install the Debian package pacemaker-cli-utils "
                                 "(apt-get install --no-install-recommends pacemaker-cli-utils)",
                                 rule="comparing with Pacemaker needs its command-line tools",
                                 source="Debian package pacemaker-cli-utils")
    return path


def verify_cib(xml: str, *, timeout_s: float | None = 600) -> tuple[bool, str]:
    """Run ``crm_verify`` on a CIB; return (valid, its messages)."""
    tool = _need("crm_verify")
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "cib.xml"
        p.write_text(xml, encoding="utf-8")
        run = subprocess.run([tool, "-V", "-x", str(p)], capture_output=True, text=True, timeout=timeout_s)
    return run.returncode == 0, (run.stdout + run.stderr).strip()


@dataclass
class Comparison:
    """Where each group lands after ``node`` fails: labkit's MSCS model vs Pacemaker's
    ``crm_simulate`` on the exported CIB. ``None`` means the group ends up stopped."""

    node: str
    before: dict[str, str | None]
    labkit: dict[str, str | None]
    pacemaker: dict[str, str | None]
    transition: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def differences(self) -> list[str]:
        return [g for g in self.labkit if self.labkit[g] != self.pacemaker.get(g)]

    @property
    def agree(self) -> bool:
        return not self.differences

    def table(self) -> str:
        rows = [("group", "before", "labkit (MSCS)", "crm_simulate", "")]
        for g in self.labkit:
            rows.append((g, self.before.get(g) or "-", self.labkit[g] or "stopped",
                         self.pacemaker.get(g) or "stopped", "" if self.labkit[g] == self.pacemaker.get(g) else "differs"))
        widths = [max(len(r[i]) for r in rows) for i in range(5)]
        return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)

    def __str__(self) -> str:
        head = f"{self.node} fails: " + ("both models agree" if self.agree else
                                         f"the models differ on {', '.join(self.differences)}")
        return head + "\n" + self.table() + "".join("\n  note: " + n for n in self.notes)


def _run(args: list[str], timeout_s: float | None) -> subprocess.CompletedProcess:
    run = subprocess.run(args, capture_output=True, text=True, timeout=timeout_s)
    if run.returncode != 0:
        raise ConfigurationError(f"{Path(args[0]).name} failed: {(run.stderr or run.stdout).strip()[:300]}",
                                 rule="comparing with Pacemaker needs a CIB it accepts")
    return run


def planned_actions(cib: str | Path, *args: str, timeout_s: float | None = 600) -> list[str]:
    """What Pacemaker's scheduler plans for a CIB (``crm_simulate -x CIB -R [args]``): one
    line per action of its transition summary, e.g. ``start Disk-FS1 on 4-JERRY``; an empty
    list for a stable cluster. ``cib`` is XML text or a file."""
    sim = _need("crm_simulate")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(cib) if isinstance(cib, Path) else Path(tmp) / "cib.xml"
        if not isinstance(cib, Path):
            path.write_text(cib, encoding="utf-8")
        run = _run([sim, "-x", str(path), "-R", *args, "--output-as=xml"], timeout_s)
    return _actions(ET.fromstring(run.stdout))


def _actions(result: ET.Element) -> list[str]:
    out = []
    for a in result.iterfind("actions/rsc_action"):
        where = {k: v for k, v in a.attrib.items() if k not in ("action", "resource")}
        out.append(f"{a.get('action')} {a.get('resource')} " + " ".join(f"{k} {v}" for k, v in where.items()))
    return [x.strip() for x in out]


def compare_with_crm_simulate(cluster: Cluster, node: str, *, timeout_s: float | None = 120) -> Comparison:
    """Fail ``node`` in labkit and in Pacemaker's simulator and compare where every group
    ends up (labkit: a copy of the cluster, crashed and run to stable; Pacemaker:
    :func:`status_cib` of the same state -- which Pacemaker must first see as stable, with
    no action planned, or there is no like-for-like decision to compare -- then
    ``crm_simulate --node-fail NODE -S``).

    Where the two models differ, and why:

    - **Choosing the new owner.** MSCS walks the group's effective list (preferred
      owners, then node-id order) *from the failed owner onwards*, wrapping (KB 299631);
      Pacemaker gives every node a score and takes the best one. With preferred owners
      {3, 4} and node 4 failing, MSCS goes on to node 1, Pacemaker back to node 3.
    - **Load.** Pacemaker breaks ties by spreading resources across nodes; MSCS does not
      look at load at all (the paper's load planning is the administrator's job).
    - **Quorum.** Windows 2000 has one quorum disk: a single surviving node that owns it
      keeps the cluster. Pacemaker counts Corosync votes; the export sets
      ``no-quorum-policy=ignore`` to mimic the disk, so a real two-node Pacemaker cluster
      would need ``two_node`` mode or a quorum device instead.
    - **Fencing.** MSCS fenced by SCSI reservations on the shared disks; the export
      switches fencing off, which a production Pacemaker cluster must not do.
    - **Failback.** Without stickiness, Pacemaker moves a group back to its best node
      whenever it recomputes; MSCS fails back only when a preferred node joins. A state
      in which Pacemaker would already move a group is refused, with the moves it plans.
    """
    if not isinstance(cluster, Cluster):
        raise ValidationError(f"compare a labkit Cluster, not {cluster!r}")
    cluster.node(node)
    sim = _need("crm_simulate")
    c, before, labkit = _labkit_failover(cluster, node)
    when = ["-t", c.now.isoformat(timespec="seconds")]  # failback-window rules see labkit's clock
    notes = []
    paused = [n for n, x in c.nodes.items() if x.state is NodeState.PAUSED]
    if paused:
        notes.append(f"paused nodes ({', '.join(paused)}) keep their groups and are banned for every other group")
    result = _pacemaker_failover(sim, c, node, when, timeout_s)
    placed = _placements(result)
    ids = resource_ids(c)
    pacemaker = {}
    for g in c.groups.values():
        members = [ids[r] for r in g.resources if r != c.quorum_resource]
        where = {placed.get(m) for m in members} - {None}
        pacemaker[g.name] = where.pop() if len(where) == 1 else None
    if c.quorum_resource in c.resources:
        notes.append("the quorum disk has no Pacemaker counterpart; the Cluster Group holds the cluster's "
                     "address and name only")
    summary = "\n".join(f"* {a}" for a in _actions(result))
    return Comparison(node, before, labkit, pacemaker, summary, notes)


def _labkit_failover(cluster: Cluster, node: str) -> tuple[Cluster, dict, dict]:
    """labkit's side, on a copy run to stable: that stable state (for Pacemaker), where each
    group runs in it, and where each group runs after ``node`` crashes."""
    ours = cluster.copy()
    ours.run_until_stable()
    before = {g.name: g.owner if g.state is not GroupState.OFFLINE else None for g in ours.groups.values()}
    if ours.nodes[node].state is NodeState.DOWN:
        raise ValidationError(f"{node} is already Down; choose a running node to fail",
                              rule="compare the failure of a running node")
    c = ours.copy()
    ours.crash_node(node)
    ours.run_until_stable()
    labkit = {g.name: g.owner if g.state in (GroupState.ONLINE, GroupState.PARTIAL_ONLINE) else None
              for g in ours.groups.values()}
    return c, before, labkit


def _pacemaker_failover(sim: str, c: Cluster, node: str, when: list[str], timeout_s: float | None) -> ET.Element:
    """Pacemaker's side: ``crm_simulate`` on :func:`status_cib` of the stable state, which must
    plan nothing, then with ``--node-fail``; its XML result."""
    with tempfile.TemporaryDirectory() as tmp:
        cib = Path(tmp) / "status.xml"
        cib.write_text(status_cib(c), encoding="utf-8")
        idle = planned_actions(cib, *when, timeout_s=timeout_s)
        if idle:
            raise ConfigurationError(
                "Pacemaker would act on this state before any failure (" + "; ".join(idle[:5]) +
                ("; ..." if len(idle) > 5 else "") + "): the models already disagree, so there is no like-for-"
                "like failure decision to compare; run the cluster until both see it as stable",
                rule="compare decisions only on a CIB Pacemaker sees as stable")
        run = _run([sim, "-x", str(cib), "-S", "--node-fail", node, *when, "--output-as=xml"], timeout_s)
    return ET.fromstring(run.stdout)


def _placements(result: ET.Element) -> dict[str, str]:
    """Primitive id -> node it runs on, from ``crm_simulate --output-as=xml``'s revised status."""
    status = result.find("revised_cluster_status")
    out = {}
    if status is None:
        return out
    for res in status.iter("resource"):
        if res.get("active") == "true" and res.get("role") == "Started":
            n = res.find("node")
            if n is not None:
                out[res.get("id")] = n.get("name")
    return out


__all__ = ["Agent", "AGENTS", "register_agent", "agent_for", "export_cib", "write_cib", "resource_ids",
           "crm_tool", "verify_cib", "compare_with_crm_simulate", "Comparison", "hash_name", "status_cib",
           "op_digest", "planned_actions"]
