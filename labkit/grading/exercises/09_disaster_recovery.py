"""Exercise 09 -- Disaster recovery (notebook ``notebooks/09_disaster_recovery.ipynb``).

The paper's three restore scenarios as procedures: the arguments that rebuild a
failed node, what a corrupt quorum disk costs the users, the backup sets a whole
cluster is restored from, and the mail that is lost. The learner gives plain data;
the grader sets each disaster up on its own copy of the paper's cluster and runs
the procedures itself.

>>> [q.name for q in exercise.questions]
['scenario1', 'scenario2', 'scenario3', 'lost_mail']
>>> sorted(expected_lost().items())
[('EXVS1', 25), ('EXVS2', 40), ('EXVS3', 0), ('EXVS4', 0)]
"""
from __future__ import annotations

from functools import lru_cache

from labkit import LabkitError
from labkit import exchange as ex
from labkit import procedures as pr
from labkit import scenarios
from labkit.grading.api import Exercise, expect
from labkit.grading.checks import online_on, stopped_at
from labkit.planning import naming_plan

exercise = Exercise("09_disaster_recovery", "Disaster recovery")

VSS = ("EXVS1", "EXVS2", "EXVS3", "EXVS4")


@exercise.question(points=3)
def scenario1(scenario1_args: dict):
    """Rebuild the failed 3-LARRY and give EXVS3 its own node again."""
    extra = sorted(set(scenario1_args) - {"failed", "new_name", "new_ip", "group"})
    expect(not extra, f"`scenario1_args` has arguments single_node_failure does not take: {', '.join(map(str, extra))}")
    nxt = naming_plan(5).nodes[4]
    expect(scenario1_args.get("new_name") == nxt.name and scenario1_args.get("new_ip") == nxt.ip,
           "the replacement does not get the next name and address of Table 10's scheme")
    c = scenarios.four_node_5000()
    pr.take_system_state_backup(c, "3-LARRY")      # what Scenario 1 restores (paper, Scenario 1, step 1)
    c.crash_node("3-LARRY")
    c.run_until_stable()
    try:
        report = pr.single_node_failure(c, **scenario1_args).run()
    except LabkitError as e:
        expect(False, "the procedure stops " + stopped_at(e))
    expect(report.complete, "the procedure did not complete")
    new = scenario1_args["new_name"]
    expect(online_on(c, "EXVS3") == new, f"at the end EXVS3 is not online on the new node {new}")


def quorum_lost():
    """four_node_5000() with a System State backup of 1-CURLY, then a corrupt quorum disk
    two hours later (the notebook's ``c2``)."""
    c = scenarios.four_node_5000()
    pr.take_system_state_backup(c, "1-CURLY")
    c.run(hours=2)
    c.inject_fault("Disk Q:", persistent=True, everywhere=True)
    c.run_until_stable()
    return c


def expected_scenario2_hours() -> float:
    """Hours EXVS1's users are without mail in Scenario 2, as its report counts them."""
    report = pr.quorum_disk_failure(quorum_lost()).run()
    return next(i.seconds for i in report.interruptions if i.group == "EXVS1") / 3600


@exercise.question(points=2)
def scenario2(scenario2_hours: float):
    """How long are EXVS1's users without mail when the quorum disk fails?"""
    want = expected_scenario2_hours()
    expect(abs(scenario2_hours - want) < 0.01, f"EXVS1's users are not cut off for {scenario2_hours:g} h in "
                                               "Scenario 2: run the procedure and read its report's client "
                                               "interruptions")


@lru_cache(maxsize=1)
def _lost_cluster():
    c = scenarios.four_node_5000()
    for v in ("EXVS1", "EXVS3", "EXVS4"):
        pr.add_backup_job(c, f"NIGHTLY {v}", v, bound_to="name")
    pr.add_backup_job(c, "NIGHTLY EXVS2", "EXVS2", bound_to="node")
    c.run(hours=30)
    ex.add_mailboxes(c, "EXVS2", "Mailbox Store (EXVS2)", 40)
    c.crash_node("2-MOE")
    c.run(hours=18)
    ex.add_mailboxes(c, "EXVS1", "Mailbox Store (EXVS1)", 25)
    record = pr.record_configuration(c)
    c.inject_fault("Disk Q:", persistent=True, everywhere=True)
    c.run_until_stable()
    return c, record


def lost_cluster():
    """The notebook's ``c3`` and its configuration record: nightly backups (EXVS2's job set up
    on 2-MOE itself), 2-MOE lost on the second afternoon, new mailboxes, then the whole cluster
    lost the next morning. A fresh copy each call."""
    c, record = _lost_cluster()
    return c.copy(), record


def _newest() -> dict[str, str]:
    c, _ = lost_cluster()
    return {v: pr.backup_sets(c, source=v, kind="exchange")[-1].name for v in VSS}


@exercise.question(points=3)
def scenario3(restore_from: dict[str, str]):
    """Pick the backup set each virtual server is restored from."""
    c, record = lost_cluster()
    expect(set(restore_from) == set(VSS), "`restore_from` should name one backup set for each of " + ", ".join(VSS))
    sets = {b.name: b for b in pr.backup_sets(c)}
    unknown = [n for n in restore_from.values() if n not in sets]
    expect(not unknown, f"the catalogue has no backup set named {unknown[0]!r}" if unknown else "")
    for v, name in restore_from.items():
        expect(sets[name].source == v, f"the set you give {v}, {name!r}, was not taken from {v}")
    try:
        report = pr.complete_cluster_failure(c, record=record, backups=[sets[n] for n in restore_from.values()]).run()
    except LabkitError as e:
        expect(False, "the procedure stops " + stopped_at(e))
    expect(report.complete, "Scenario 3 did not complete")
    newest = _newest()
    old = [v for v in VSS if restore_from[v] != newest[v]]
    expect(not old, f"{', '.join(old)} could be restored from a newer backup set: more mail would survive")


def expected_lost() -> dict[str, int]:
    """Mailboxes each virtual server had when it was lost and does not have after Scenario 3
    (restored from the newest backup of each)."""
    c, record = lost_cluster()
    p = pr.complete_cluster_failure(c, record=record)
    p.run()
    had = {v.name: sum(d["mailboxes"] for sg in v.storage_groups for d in sg["databases"])
           for v in record.virtual_servers}
    return {v: had[v] - ex.virtual_server(p.cluster, v).mailboxes for v in VSS}


@exercise.question(points=2)
def lost_mail(lost_mailboxes: dict[str, int]):
    """Whose mailboxes does Scenario 3 lose?"""
    want = expected_lost()
    expect(set(lost_mailboxes) == set(want), "`lost_mailboxes` should have one count for each of " + ", ".join(VSS))
    wrong = [v for v in VSS if lost_mailboxes[v] != want[v]]
    expect(not wrong, f"the count for {', '.join(wrong)} is not what Scenario 3 loses: compare what each virtual "
                      "server held when it was lost with what it holds after the restore")
