"""Exercise 02 -- MSCS building blocks (notebook ``notebooks/02_mscs_building_blocks.ipynb``).

Groups, resources and dependencies; the online order; the quorum's say in a
partition; a missing dependency; the rules behind refused dependencies. Every
expected value is computed here, with the grader's labkit, from the learner's
rebuilt cluster or from the grader's own copy of the starting cluster.

>>> [q.name for q in exercise.questions]
['print_server', 'sql_online_order', 'sql_online_time', 'quorum_side', 'missing_dependency', 'refusal_rules']
>>> exercise.max_score
10
"""
from __future__ import annotations

from labkit import Cluster, GroupState, LabkitError, NodeState, ResourceState
from labkit.grading.api import Exercise, expect
from labkit.grading.checks import events, need_group, need_resource, providers, settle, start_on, why_not_online

exercise = Exercise("02_mscs_building_blocks", "MSCS building blocks")

ON = ResourceState.ONLINE

#: Question 1: the virtual print server's resources, their types and the properties the task fixes.
PRINT = {"Disk P": ("Physical Disk", {"drive": "P:"}), "IP P": ("IP Address", {"address": "10.2.0.50"}),
         "Name P": ("Network Name", {"name": "PRINT1"}), "Spooler": ("Generic Service", {})}


@exercise.question(points=2)
def print_server(c1: Cluster):
    """Build the virtual print server PRINT and bring it online on NODE2."""
    g = need_group(c1, "PRINT", "c1")
    for name, (rtype, props) in PRINT.items():
        r = need_resource(c1, name, "c1", group="PRINT", type=rtype)
        for key, value in props.items():
            got = r.properties.get(key)
            expect(str(got).upper() == value.upper(), f"{name!r} has {key} {got!r}; the task asks for another one")
    expect("Disk P" in providers(c1, "Spooler"),
           "Spooler can come online while Disk P is still offline: where would it keep the print jobs?")
    expect("Name P" in providers(c1, "Spooler"),
           "Spooler can come online before clients can find the server by its name")
    expect(g.state is GroupState.ONLINE, f"in the grader's run of your c1, {why_not_online(c1, 'PRINT')}")
    expect(g.owner == "NODE2", f"PRINT runs on {g.owner}; the task asks for NODE2")


#: Question 2: the order the SQL group must come online in, and what each resource really needs
#: (a dependency outside this closure is one no real server has).
SQL_ORDER = ["Disk S", "IP S", "Name S", "SQL Server", "SQL Agent"]
SQL_NEEDS = {"SQL Agent": {"SQL Server"}, "SQL Server": {"Disk S", "Name S"}, "Name S": {"IP S"},
             "Disk S": set(), "IP S": set()}


def _sql_allowed(resource: str) -> set[str]:
    out, stack = set(), list(SQL_NEEDS[resource])
    while stack:
        p = stack.pop()
        if p not in out:
            out.add(p)
            stack.extend(SQL_NEEDS[p])
    return out


@exercise.question(points=2)
def sql_online_order(c2: Cluster):
    """Give the SQL group the dependencies that bring it online in the order asked."""
    g = need_group(c2, "SQL", "c2")
    expect(sorted(g.resources) == sorted(SQL_ORDER),
           f"group SQL of `c2` should hold exactly {', '.join(sorted(SQL_ORDER))}")
    for name in SQL_ORDER:
        extra = sorted(set(c2.resources[name].dependencies) - _sql_allowed(name))
        expect(not extra, f"{name!r} depends on {', '.join(map(repr, extra))}, which it does not need to run")
    order = c2.online_order("SQL")
    expect(order == SQL_ORDER, f"SQL comes online in the order {order}, not the one asked for")
    start_on(c2, "SQL", c2.node_ids()[0], "c2")
    c2.fail_resource("SQL Server")
    expect(c2.resources["SQL Agent"].state is not ON,
           "when SQL Server fails, SQL Agent carries on as if nothing happened: the agent cannot work "
           "without the server")


@exercise.question(points=1)
def sql_online_time(c2: Cluster, sql_online_s: float):
    """Measure how long your SQL group takes to come online."""
    need_group(c2, "SQL", "c2")
    node = c2.groups["SQL"].owner or c2.node_ids()[0]
    if c2.groups["SQL"].state is not GroupState.OFFLINE:
        c2.offline_group("SQL")
        settle(c2)
    mark, t0 = len(c2.log), c2.now
    c2.online_group("SQL", node)
    settle(c2)
    expect(c2.groups["SQL"].state is GroupState.ONLINE,
           f"SQL never comes online in your c2 ({why_not_online(c2, 'SQL')}); answer question 2 first")
    done = events(c2, mark, obj="SQL", what="group ")[-1].time
    took = (done - t0).total_seconds()
    expect(abs(sql_online_s - took) < 0.05,
           f"your c2's SQL group does not take {sql_online_s:g} s to come online; measure from the online "
           "request to the moment the whole group is Online")


@exercise.question(points=2)
def quorum_side(c4: Cluster):
    """Make NODE1-NODE3 keep the cluster when NODE4 is cut off."""
    want = {"NODE1", "NODE2", "NODE3", "NODE4"}
    expect(set(c4.nodes) == want, f"`c4` should keep its four nodes {', '.join(sorted(want))}")
    expect(c4.running, "the cluster `c4` is not running")
    c4.partition([["NODE1", "NODE2", "NODE3"], ["NODE4"]])
    settle(c4)
    survivors = sorted(n for n in c4.nodes if c4.nodes[n].state is NodeState.UP)
    expect(c4.running and c4.quorum_owner in ("NODE1", "NODE2", "NODE3"),
           f"when NODE4 is cut off, the cluster keeps running only on {', '.join(survivors) or 'no node'}: "
           "in Windows 2000, what decides which side of a split survives?")


@exercise.question(points=2)
def missing_dependency(c5: Cluster):
    """Repair group BAD so that NOIP comes online at 10.2.0.102 and stays online."""
    need_group(c5, "BAD", "c5")
    name = need_resource(c5, "Name BAD", "c5", group="BAD", type="Network Name")
    expect(str(name.properties.get("name", "")).upper() == "NOIP",
           "'Name BAD' should still give clients the name NOIP: repair the group, do not rename it")
    ips = [r for r in c5.groups["BAD"].resources if c5.resources[r].type == "IP Address"
           and c5.resources[r].properties.get("address") == "10.2.0.102"]
    expect(ips, "group BAD has no IP Address resource with the address 10.2.0.102")
    if c5.groups["BAD"].state is not GroupState.OFFLINE:
        c5.offline_group("BAD")
        settle(c5)
    mark = len(c5.log)
    start_on(c5, "BAD", "NODE1", "c5")
    c5.run(hours=1)
    settle(c5)
    expect(not events(c5, mark, obj="BAD", what="failing over") and c5.groups["BAD"].owner == "NODE1"
           and c5.groups["BAD"].state is GroupState.ONLINE,
           f"BAD does not stay online on NODE1: {why_not_online(c5, 'BAD')}")


#: Question 6: the changes the learner tries, in this order, on file_share_cluster().
ATTEMPTS = [("Share FS", "Disk Q:"), ("Disk FS", "Share FS"), ("Name FS", "IP FS"),
            ("Disk Q:", "Cluster Name"), ("IP FS", "Disk FS")]


def expected_rules() -> dict[str, str | None]:
    """What labkit says to each attempt, tried in order on a fresh file_share_cluster()
    (None when it is accepted)."""
    from labkit.scenarios import file_share_cluster
    c = file_share_cluster()
    out = {}
    for resource, provider in ATTEMPTS:
        try:
            c.add_dependency(resource, provider)
            out[f"{resource} -> {provider}"] = None
        except LabkitError as e:
            out[f"{resource} -> {provider}"] = e.rule
    return out


@exercise.question(points=1)
def refusal_rules(refused: dict[str, str | None]):
    """Find the rule labkit names for each refused dependency."""
    want = expected_rules()
    expect(set(refused) == set(want), "`refused` should have one key per attempt, written "
                                      "'resource -> provider': " + ", ".join(repr(k) for k in want))
    wrong = [k for k in want if refused[k] != want[k]]
    expect(not wrong, f"the rule for {', '.join(repr(k) for k in wrong)} is not the one labkit names "
                      "(use the error's .rule)")
