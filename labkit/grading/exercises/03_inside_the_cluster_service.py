"""Exercise 03 -- Inside the cluster service (notebook ``notebooks/03_inside_the_cluster_service.ipynb``).

Health polls, restart in place versus failover, where a group lands, failback
windows, resource monitors and the failover threshold. The learner configures
clusters; the checks rebuild them here and play the failures on them.

>>> [q.name for q in exercise.questions]
['detection_times', 'restart_then_failover', 'landing_node', 'failback_window', 'own_monitor', 'give_up']
>>> expected_detection()
{'crash': 5.0, 'hang': 35.0}
"""
from __future__ import annotations

from labkit import Cluster, GroupState, ResourceState
from labkit.grading.api import Exercise, expect
from labkit.grading.checks import events, need_resource, settle, start_on, why_not_online

exercise = Exercise("03_inside_the_cluster_service", "Inside the cluster service")

#: Question 1: the fault comes this long after Share FS came online.
FAULT_AFTER_S = 25


def expected_detection() -> dict[str, float]:
    """Seconds from the fault to Share FS being marked Failed, per fault kind, on a
    fresh file_share_cluster() run for :data:`FAULT_AFTER_S` seconds first."""
    from labkit.scenarios import file_share_cluster
    out = {}
    for kind in ("crash", "hang"):
        c = file_share_cluster()
        c.run(seconds=FAULT_AFTER_S)
        mark, t0 = len(c.log), c.now
        c.inject_fault("Share FS", kind)
        settle(c)
        seen = next(e for e in c.log[mark:] if e.obj == "Share FS" and e.what.endswith("-> Failed"))
        out[kind] = (seen.time - t0).total_seconds()
    return out


@exercise.question(points=1)
def detection_times(noticed: dict[str, float]):
    """How long do a crash and a hang of Share FS go unnoticed?"""
    want = expected_detection()
    expect(set(noticed) == set(want), "`noticed` should have exactly the keys 'crash' and 'hang'")
    if abs(noticed["crash"] - want["crash"]) >= 0.05:
        expect(False, f"a crash is not noticed {noticed['crash']:g} s after it happens: which poll finds a "
                      "crash, and how often does it run?")
    expect(abs(noticed["hang"] - want["hang"]) < 0.05,
           f"a hang is not noticed {noticed['hang']:g} s after it happens: which poll finds a hang, and when "
           "is its next run due?")


@exercise.question(points=2)
def restart_then_failover(c2: Cluster):
    """Restart Share FS in place after its first failure, fail FS over after the second."""
    need_resource(c2, "Share FS", "c2", group="FS")
    start_on(c2, "FS", "NODE1", "c2")
    c2.fail_resource("Share FS")
    settle(c2)
    expect(c2.groups["FS"].owner == "NODE1" and c2.groups["FS"].state is GroupState.ONLINE,
           f"after the first failure FS is {c2.groups['FS'].state} on {c2.groups['FS'].owner}: it should be "
           "restarted where it is")
    c2.run(minutes=1)
    c2.fail_resource("Share FS")
    settle(c2)
    expect(c2.groups["FS"].owner == "NODE2",
           "a second failure a minute later restarts Share FS on NODE1 again: it should move FS to NODE2")
    expect(c2.groups["FS"].state is GroupState.ONLINE, f"on NODE2, {why_not_online(c2, 'FS')}")


@exercise.question(points=2)
def landing_node(c3: Cluster):
    """Make FS go from NODE1 to NODE3, then to NODE4."""
    expect({"NODE1", "NODE2", "NODE3", "NODE4"} <= set(c3.nodes), "`c3` should keep its nodes NODE1-NODE4")
    start_on(c3, "FS", "NODE1", "c3")
    c3.crash_node("NODE1")
    settle(c3)
    first = c3.groups["FS"].owner
    expect(first == "NODE3", f"when NODE1 fails, FS goes to {first or 'no node'}, not NODE3")
    c3.crash_node("NODE3")
    settle(c3)
    second = c3.groups["FS"].owner
    expect(second == "NODE4", f"when NODE3 fails too, FS goes to {second or 'no node'}, not NODE4")
    expect(c3.groups["FS"].state is GroupState.ONLINE, f"on NODE4, {why_not_online(c3, 'FS')}")


def _failback_times(c: Cluster, mark: int) -> list:
    return [e.time for e in events(c, mark, obj="FS", what="owner NODE2 -> NODE1")]


def _node1_fails_at(c: Cluster, hours: float) -> int:
    """Run ``hours`` from the start, then NODE1 fails and comes straight back (FS was on
    NODE1). Returns the log mark from before the failure."""
    c.run(hours=hours)
    start_on(c, "FS", "NODE1", "c4")
    mark = len(c.log)
    c.crash_node("NODE1")
    settle(c)
    expect(c.groups["FS"].owner == "NODE2", f"when NODE1 fails, FS goes to {c.groups['FS'].owner}, not NODE2")
    c.start_node("NODE1")
    settle(c)
    return mark


@exercise.question(points=2)
def failback_window(c4: Cluster):
    """FS returns to NODE1 by itself, but only between 01:00 and 05:00."""
    need_resource(c4, "Share FS", "c4", group="FS")
    early, late = c4.copy(), c4.copy()
    # NODE1 is back at 09:00: FS waits for 01:00 the next night
    mark = _node1_fails_at(c4, 0)
    day = c4.now.date()
    c4.run(hours=21)                                                  # to about 06:00 the next day
    back = _failback_times(c4, mark)
    expect(back, "NODE1 came back in the morning, yet FS never returned to it by itself, even at night")
    t = back[0]
    expect(t.date() > day and 1 <= t.hour < 5,
           f"FS went back to NODE1 at {t:%H:%M} on {'the same day' if t.date() == day else 'the next day'}: "
           "that is outside 01:00-05:00")
    # NODE1 is back at 04:30, inside the window: FS goes back at once
    mark = _node1_fails_at(early, 19.5)
    early.run(minutes=20)
    back = _failback_times(early, mark)
    expect(back, "when NODE1 comes back at 04:30, inside the window, FS does not return to it before 05:00")
    # NODE1 is back at 05:30, after the window: FS waits for the next night
    mark = _node1_fails_at(late, 20.5)
    late.run(hours=19)                                                # to about 00:30
    back = _failback_times(late, mark)
    if back:
        expect(False, f"when NODE1 comes back at 05:30, FS returns to it at {back[0]:%H:%M}: that is outside "
                      "01:00-05:00")


#: Question 5: resources whose DLLs crash in NODE1's shared monitor.
VICTIMS = ("Share FS", "Disk FS", "Cluster Name")


@exercise.question(points=1)
def own_monitor(c5: Cluster):
    """Keep Payroll running when another resource DLL crashes its monitor."""
    need_resource(c5, "Payroll", "c5", group="APP", type="Generic Application")
    for g in ("FS", "APP"):
        start_on(c5, g, "NODE1", "c5")
    expect(c5.groups["Cluster Group"].owner == "NODE1" or c5.can_host("Cluster Group", "NODE1"),
           "the Cluster Group cannot run on NODE1 in `c5`")
    if c5.groups["Cluster Group"].owner != "NODE1":
        c5.move_group("Cluster Group", "NODE1")
        settle(c5)
    for victim in VICTIMS:
        trial = c5.copy()
        failed = trial.crash_resource_monitor(victim)
        expect("Payroll" not in failed and trial.resources["Payroll"].state is ResourceState.ONLINE,
               f"when the DLL of {victim!r} crashes its resource monitor, Payroll fails with it")


@exercise.question(points=2)
def give_up(c6: Cluster):
    """Leave FS failed after exactly three failovers of a share broken everywhere."""
    need_resource(c6, "Share FS", "c6", group="FS")
    start_on(c6, "FS", "NODE1", "c6")
    mark = len(c6.log)
    c6.inject_fault("Share FS", "crash", everywhere=True)
    settle(c6)
    moves = len(events(c6, mark, obj="FS", what="failing over"))
    expect(c6.groups["FS"].state is GroupState.FAILED,
           f"FS is {c6.groups['FS'].state} after the share broke everywhere: the cluster never gave up")
    expect(moves == 3, f"FS failed over {moves} times before the cluster gave up, not 3")
