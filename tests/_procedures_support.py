"""Shared helpers for the procedure tests (not collected: no test_ prefix).

``reference_cluster()`` stands in for ``labkit.scenarios.four_node_5000()`` (to come):
the paper's 4-node Datacenter cluster of Table 10 with one Exchange virtual server per
node (Figure 7 / Table 9: a database disk and a log disk each), 1,250 mailboxes each.
"""
from __future__ import annotations

import pytest

import labkit as lk
from labkit import exchange as ex

NODES = [("1-CURLY", "132.192.1.10"), ("2-MOE", "132.192.1.20"), ("3-LARRY", "132.192.1.30"),
         ("4-JERRY", "132.192.1.40")]
EVS = [("EXVS1", "132.192.1.11", "1-CURLY", "Disk E:", "Disk L:"),
       ("EXVS2", "132.192.1.21", "2-MOE", "Disk F:", "Disk M:"),
       ("EXVS3", "132.192.1.31", "3-LARRY", "Disk G:", "Disk N:"),
       ("EXVS4", "132.192.1.41", "4-JERRY", "Disk H:", "Disk O:")]


def reference_cluster(mailboxes: int = 1250) -> lk.Cluster:
    c = lk.Cluster("FOUR-STOOGES", ip="132.192.1.100", edition="Datacenter")
    for n, ip in NODES:
        c.add_node(n, ip=ip)
    c.run_until_stable()
    for n, _ in NODES:
        ex.install(c, n)
        c.run_until_stable()
    for name, ip, node, db, log in EVS:
        ex.create_virtual_server(c, name, ip=ip, disks=[db, log], node=node)
        if mailboxes:
            ex.add_mailboxes(c, name, f"Mailbox Store ({name})", mailboxes)
        c.online_group(name)
    c.run_until_stable()
    return c


def refused(cluster, exc, fn, *args, **kwargs):
    """Call ``fn``; it must raise ``exc`` naming a rule and a source, and leave ``cluster`` unchanged."""
    before = cluster.to_dict()
    with pytest.raises(exc) as info:
        fn(*args, **kwargs)
    assert info.value.rule, f"{exc.__name__} without a rule: {info.value}"
    assert cluster.to_dict() == before, "a refused command changed the model"
    return info.value


def step_refused(proc, cause=None, *, step=None):
    """The next step (or ``step``) of ``proc`` must be refused with a ProcedureError naming the
    step, a rule and a source, leaving every cluster of the procedure unchanged."""
    before = [c.to_dict() for c in proc.clusters]
    done = [r.status for r in proc.results]
    with pytest.raises(lk.ProcedureError) as info:
        proc.step(step) if step is not None else proc.next()
    e = info.value
    assert e.rule and e.source, f"no rule or source: {e}"
    assert [c.to_dict() for c in proc.clusters] == before, "a refused step changed the model"
    assert [r.status for r in proc.results] == done, "a refused step changed the steps done"
    if cause is not None:
        assert isinstance(e.cause, cause), f"cause is {type(e.cause).__name__}, not {cause.__name__}: {e}"
    if step is None and e.step_index:
        assert f"step {e.step_index} '{e.step}'" in str(e)
    return e


def reference_plan(**kw):
    """The same cluster as a build plan: Table 9's shared disks (quorum, four database
    and four log arrays), each basic, signed and partitioned."""
    from labkit import procedures as pr
    disks = [pr.SharedDisk("Disk Q:", "Q:", signature="51A7E000", partitions=1)]
    for i, (_, _, _, db, log) in enumerate(EVS):
        disks.append(pr.SharedDisk(db, db[-2:], signature=f"51A7E0{2 * i + 1:02X}", partitions=1, size_gb=54.6))
        disks.append(pr.SharedDisk(log, log[-2:], signature=f"51A7E0{2 * i + 2:02X}", partitions=1))
    args = dict(nodes=[pr.NodePlan(n, ip) for n, ip in NODES], disks=disks,
                virtual_servers=[pr.VirtualServerPlan(name, ip, node, (db, log), 1250)
                                 for name, ip, node, db, log in EVS])
    args.update(kw)
    return pr.ClusterPlan("FOUR-STOOGES", "132.192.1.100", "Datacenter", **args)
