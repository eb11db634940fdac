"""Exercise 08 -- Operations (notebook ``notebooks/08_operations.ipynb``).

Delegating Exchange administration, taking a node out for maintenance, a nightly
backup that survives a failover, putting content indexing back, and a rolling
upgrade that is not undone by failback. Clusters (accounts, paused nodes and
failback settings included) are rebuilt here; backups and upgrades run on the
grader's own copy of the paper's cluster.

>>> [q.name for q in exercise.questions]
['delegation', 'maintenance', 'backup_job', 'content_indexing', 'rolling_upgrade']
>>> exercise.max_score
10
"""
from __future__ import annotations

from labkit import Cluster, LabkitError, NodeState
from labkit import exchange as ex
from labkit import procedures as pr
from labkit import scenarios
from labkit.cluster.cluster import ALL_RIGHTS
from labkit.grading.api import Exercise, expect
from labkit.grading.checks import crash, events, need_virtual_server, online_on, same_nodes, settle
from labkit.planning import table10

exercise = Exercise("08_operations", "Operations")

NODES = [n.name for n in table10().nodes]
HOMES = {v.name: v.node for v in table10().virtual_servers}
ADMINS, HELPDESK = "CORP\\ExchAdmins", "CORP\\HelpDesk"


def _reference(c: Cluster, var: str) -> None:
    same_nodes(c, NODES, var)
    for v in HOMES:
        need_virtual_server(c, v, var)


@exercise.question(points=2)
def delegation(c1: Cluster):
    """Delegate Exchange administration, and nothing more."""
    _reference(c1, "c1")
    for acct in (ADMINS, HELPDESK):
        expect(acct in c1.accounts, f"`c1` has no account {acct!r}")
    expect(ALL_RIGHTS not in c1.accounts[ADMINS], f"{ADMINS} holds every right of the cluster: it only needs to "
                                                  "manage Exchange")
    expect(ALL_RIGHTS not in c1.accounts[HELPDESK] and ex.FULL_ADMIN not in c1.accounts[HELPDESK],
           f"{HELPDESK} may change Exchange's configuration")
    t = c1.copy()
    with t.acting_as(ADMINS):
        try:
            ex.add_storage_group(t, "EXVS1", "SG2")
        except LabkitError as e:
            expect(False, f"{ADMINS} cannot create a storage group: {e.detail}")
    with t.acting_as(HELPDESK):
        try:
            ex.add_storage_group(t, "EXVS2", "SG2")
            expect(False, f"{HELPDESK} can create storage groups")
        except LabkitError:
            pass


@exercise.question(points=2)
def maintenance(c2: Cluster):
    """Take 2-MOE out for maintenance the cluster way."""
    _reference(c2, "c2")
    expect(not c2.groups_on("2-MOE"), f"2-MOE still runs {', '.join(c2.groups_on('2-MOE'))}: its memory is about "
                                      "to be changed")
    expect(online_on(c2, "EXVS2") == "3-LARRY", f"EXVS2 is not online where its preferred owners send it next "
                                                f"({online_on(c2, 'EXVS2') or 'not online'})")
    expect(c2.nodes["2-MOE"].state is NodeState.PAUSED,
           "2-MOE is not paused: nothing stops the cluster from moving a group onto it while it is worked on")
    crash(c2, "1-CURLY")
    for v in HOMES:
        where = online_on(c2, v)
        expect(where not in (None, "2-MOE"), f"when 1-CURLY fails during the maintenance, {v} "
                                             f"{'lands on 2-MOE' if where == '2-MOE' else 'is not online'}")


#: Question 3: the job's settings the learner may choose, and what the task fixes.
JOB_KEYS = {"bound_to", "target", "path", "hour", "cluster_aware"}
FAILOVER_AFTER_H = 14          # 23:00: the clock starts at 09:00
DEADLINE = "2001-05-08 01:00:00"


@exercise.question(points=2)
def backup_job(job: dict):
    """A nightly backup of EXVS2 that finishes by 01:00 even if EXVS2 fails over."""
    extra = sorted(set(job) - JOB_KEYS)
    expect(not extra, f"`job` has settings add_backup_job does not take here: {', '.join(map(str, extra))}")
    expect(job.get("path", "lan") == "lan", "there is no tape drive in the nodes: the job goes over the LAN")
    expect(job.get("hour", 22) == 22, "the job starts at 22:00, after the evening users")
    c = scenarios.four_node_5000()
    try:
        pr.add_backup_job(c, "NIGHTLY EXVS2", "EXVS2", **job)
    except LabkitError as e:
        expect(False, f"labkit refuses the job: {e.detail}")
    c.run(hours=FAILOVER_AFTER_H)
    c.crash_node("2-MOE")
    c.run(hours=10)
    runs = pr.backup_history(c, "NIGHTLY EXVS2")
    expect(runs, "the job never ran")
    last = runs[0]
    expect(last["outcome"] == "completed", f"when EXVS2 fails over at 23:00 the backup {last['outcome']}: "
                                           f"{last['why']}")
    expect(last["finished"] <= DEADLINE, f"the backup completes at {last['finished'][11:16]}, after 01:00: what "
                                         "happens to the part already backed up when the store fails over?")


def broken_indexing() -> Cluster:
    """four_node_5000() with EXVS3's MS Search instance deleted (the notebook's ``c4``)."""
    c = scenarios.four_node_5000()
    search = ex.virtual_server(c, "EXVS3").resources["MS Search"]
    c.offline_group("EXVS3")
    c.run_until_stable()
    c.delete_resource(search)
    c.online_group("EXVS3")
    c.run_until_stable()
    return c


@exercise.question(points=2)
def content_indexing(c4: Cluster):
    """Make content indexing work again on EXVS3."""
    _reference(c4, "c4")
    before = ex.virtual_server(broken_indexing(), "EXVS3")
    vs = need_virtual_server(c4, "EXVS3", "c4")
    expect(not vs.content_indexing_broken and "MS Search" in vs.resources,
           "EXVS3's content indexing still does not work")
    expect(set(before.resources.values()) <= set(vs.resources.values()),
           "EXVS3's Exchange resources came back under other names (restores and scripts use them)")
    expect(vs.mailboxes == before.mailboxes, f"EXVS3 holds {vs.mailboxes:,} mailboxes, not its {before.mailboxes:,}"
           + (" (the removal runbook moves a virtual server's mailboxes to another one before deleting it)"
              if vs.mailboxes < before.mailboxes else ""))
    expect(online_on(c4, vs.group) == HOMES["EXVS3"], "EXVS3 is not online on its home node 3-LARRY")


@exercise.question(points=2)
def rolling_upgrade(c5: Cluster):
    """A rolling upgrade that runs to the end, and failback that restores the balance at night."""
    _reference(c5, "c5")
    for v in HOMES:
        expect(c5.groups[v].preferred_owners[:1] == [HOMES[v]], f"{v} no longer prefers its home node")
    try:
        report = pr.rolling_upgrade(c5).run()
    except LabkitError as e:
        expect(False, f"the rolling upgrade stops: {getattr(e, 'cause', e).detail}")
    expect(report.complete, "the rolling upgrade did not complete")
    c5.crash_node("2-MOE")
    settle(c5)
    c5.run(minutes=30)
    c5.start_node("2-MOE")
    settle(c5)
    mark, day = len(c5.log), c5.now.date()
    c5.run(hours=24)
    back = [e.time for e in events(c5, mark, obj="EXVS2") if e.what.endswith("-> 2-MOE")]
    expect(back, "after 2-MOE failed and came back, EXVS2 never returned to it by itself: the balance is lost "
                 "until someone moves it")
    expect(back[0].date() > day and 1 <= back[0].hour < 5, f"EXVS2 went back to 2-MOE at {back[0]:%H:%M}, when users "
                                                            "are working; the move should wait for the night "
                                                            "(01:00-05:00)")
