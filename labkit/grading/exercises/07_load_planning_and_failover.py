"""Exercise 07 -- Load planning and failover (notebook ``notebooks/07_load_planning_and_failover.ipynb``).

Preferred-owner lists for N+1, where virtual servers land after a sequence of
failures, the flawed 4-node design fixed until its N-2 analysis is clean, and the
paper's balanced layout against Microsoft's later active/passive advice. Every
expected value comes from the grader's own failover model.

>>> [q.name for q in exercise.questions]
['n_plus_1', 'landing', 'owners_fixed', 'n_minus_2_clean', 'strategies_compared']
>>> expected_landing()
{'EXVS1': '2-MOE', 'EXVS2': '2-MOE', 'EXVS3': '3-LARRY', 'EXVS4': '4-JERRY'}
"""
from __future__ import annotations

from dataclasses import replace

from labkit import Cluster, LabkitError
from labkit import scenarios
from labkit.grading.api import Exercise, expect
from labkit.grading.checks import crash, need_virtual_server, online_on, same_nodes, settle
from labkit.planning import (LoadPlan, check_failover, check_possible_owners, n_k_analysis, plan_load,
                             plan_storage, table10)

exercise = Exercise("07_load_planning_and_failover", "Load planning and failover")

NODES = ["1-CURLY", "2-MOE", "3-LARRY", "4-JERRY"]
USERS_N1 = 3750


def bare_standby_cluster() -> Cluster:
    """Three virtual servers on 1-CURLY .. 3-LARRY, 4-JERRY idle, each group preferring only its
    home node (the notebook's ``n1``)."""
    base = plan_load("standby", 4, USERS_N1)
    bare = LoadPlan("custom", base.nodes, tuple(replace(v, preferred_owners=(v.home,)) for v in base.virtual_servers),
                    standby=base.standby)
    return scenarios.build(table10(), plan_storage(USERS_N1, 3), bare, edition="Datacenter").cluster


@exercise.question(points=2)
def n_plus_1(prefs: dict[str, list[str]]):
    """Preferred-owner lists for N+1 on four nodes."""
    c = bare_standby_cluster()
    homes = {v: c.groups[v].owner for v in ("EXVS1", "EXVS2", "EXVS3")}
    expect(set(prefs) == set(homes), "`prefs` should have one list per virtual server: " + ", ".join(homes))
    for v, lst in prefs.items():
        expect(lst[:1] == [homes[v]], f"{v}'s list does not start with its home node: where does it go when every "
                                      "node is up?")
        try:
            c.set_preferred_owners(v, lst)
        except LabkitError as e:
            expect(False, f"{v}'s list is refused: {e.detail}")
    for v, home in homes.items():
        t = c.copy()
        crash(t, home)
        expect(online_on(t, v) == "4-JERRY", f"when {home} fails, {v} goes to {online_on(t, v) or 'no node'}, "
                                             "not to the standby node")


def expected_landing() -> dict[str, str | None]:
    """Where each virtual server of the balanced four_node_5000() runs after: 2-MOE fails;
    then 1-CURLY fails; then 2-MOE comes back."""
    c = scenarios.four_node_5000()
    crash(c, "2-MOE")
    crash(c, "1-CURLY")
    c.start_node("2-MOE")
    settle(c)
    return {v: online_on(c, v) for v in ("EXVS1", "EXVS2", "EXVS3", "EXVS4")}


@exercise.question(points=2)
def landing(landed: dict[str, str | None]):
    """Where is each virtual server after these failures?"""
    want = expected_landing()
    expect(set(landed) == set(want), "`landed` should have one entry per virtual server: " + ", ".join(want))
    wrong = [v for v in want if landed[v] != want[v]]
    expect(not wrong, f"{', '.join(wrong)} {'is' if len(wrong) == 1 else 'are'} not where you say at the end "
                      "(did the node that came back change anything?)")


def _flawed_shape(c: Cluster, var: str) -> None:
    same_nodes(c, NODES, var)
    for v in ("EXVS1", "EXVS2"):
        vs = need_virtual_server(c, v, var)
        expect(len(vs.storage_groups) == 3 and vs.mailboxes == 2500,
               f"{v} should keep its three storage groups and 2,500 mailboxes: fix the design, not the workload")


@exercise.question(points=1)
def owners_fixed(fixed: Cluster):
    """Every node running Exchange can own every Exchange resource."""
    _flawed_shape(fixed, "fixed")
    found = check_possible_owners(fixed)
    expect(not found, f"{found[0].subject}: {found[0].message}" if found else "")


@exercise.question(points=3)
def n_minus_2_clean(fixed: Cluster):
    """No storage-group overflow after any one or two node failures."""
    _flawed_shape(fixed, "fixed")
    found = check_failover(fixed, 2)
    expect(not found, f"the N-2 analysis finds {len(found)} problem(s), e.g. when you {found[0].subject}: "
                      f"{found[0].message}" if found else "")


def expected_worst() -> dict[str, int]:
    """The most users one node carries after any one or two failures: the paper's balanced
    layout and Microsoft's active/passive, four nodes, 3,750 users."""
    return {s: n_k_analysis(scenarios.exchange_cluster(4, USERS_N1, s).cluster, 2).worst_users
            for s in ("balanced", "active/passive")}


@exercise.question(points=2)
def strategies_compared(worst_users: dict[str, int]):
    """The busiest node after two failures: balanced against active/passive."""
    want = expected_worst()
    expect(set(worst_users) == set(want), "`worst_users` should have the keys " + ", ".join(map(repr, want)))
    for s in want:
        expect(worst_users[s] == want[s], f"with the {s} layout no node carries {worst_users[s]:,} users as its "
                                          "worst case after one or two failures")
