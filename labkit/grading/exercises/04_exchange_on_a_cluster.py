"""Exercise 04 -- Exchange on a cluster (notebook ``notebooks/04_exchange_on_a_cluster.ipynb``).

Build an Exchange 2000 virtual server by hand in the paper's order, find an order
of the build steps that also lets it fail over, put two virtual servers on one
shared disk, follow Microsoft's support statement on NNTP, and measure what a
node failure costs the users. Clusters are rebuilt here (Exchange included) and
every failure is played by the grader's labkit.

>>> [q.name for q in exercise.questions]
['by_hand', 'build_order', 'shared_disk', 'nntp', 'users_outage']
>>> exercise.max_score
10
"""
from __future__ import annotations

from labkit import Cluster, LabkitError
from labkit import exchange as ex
from labkit.grading.api import Exercise, expect
from labkit.grading.checks import (crash, disks_of, need_resource, need_virtual_server, online_on, same_nodes,
                                   settle, why_not_online)

exercise = Exercise("04_exchange_on_a_cluster", "Exchange on a cluster")

NODES = ["1-CURLY", "2-MOE"]
SA = "Microsoft Exchange System Attendant"


def two_nodes(name: str, exchange_on=("1-CURLY", "2-MOE")) -> Cluster:
    """The notebook's starting point: FOUR-STOOGES's first two nodes (Table 10), Exchange 2000
    installed on ``exchange_on``, one node at a time."""
    c = Cluster(name, ip="132.192.1.100", edition="Advanced Server")
    c.add_node("1-CURLY", ip="132.192.1.10")
    c.add_node("2-MOE", ip="132.192.1.20")
    c.run_until_stable()
    for n in exchange_on:
        ex.install(c, n)
        c.run_until_stable()
    return c


def _fails_over(c: Cluster, group: str, var: str, what: str) -> None:
    """``group`` runs on 1-CURLY; when 1-CURLY dies it must come online on 2-MOE."""
    missing = [r for r in c.groups[group].resources if "2-MOE" not in c.resources[r].possible_owners]
    expect(not missing, f"2-MOE is not a possible owner of {len(missing)} of {what}'s resources (e.g. "
                        f"{missing[0]!r}), so {what} cannot fail over there" if missing else "")
    crash(c, "1-CURLY")
    expect(online_on(c, group) == "2-MOE", f"when 1-CURLY fails, {what} does not come online on 2-MOE: "
                                          f"{why_not_online(c, group)}")


@exercise.question(points=3)
def by_hand(c1: Cluster):
    """Build virtual server EXVS1 by hand, in the paper's order."""
    same_nodes(c1, NODES, "c1")
    vs = need_virtual_server(c1, "EXVS1", "c1")
    name = c1.resources[vs.network_name]
    ips = [p for p in name.dependencies if c1.resources[p].type == "IP Address"]
    expect(ips, "EXVS1's Network Name does not depend on an IP Address")
    expect(c1.resources[ips[0]].properties.get("address") == "132.192.1.11",
           "EXVS1's Network Name stands on an address other than the one Table 10 gives it")
    drives = {c1.resources[d].properties.get("drive"): d for d in disks_of(c1, vs)}
    for drive, use in (("E:", "databases"), ("L:", "transaction logs")):
        expect(drive in drives, f"EXVS1's System Attendant does not depend on a disk with drive {drive}: Exchange "
                                f"could not keep its {use} there")
    data = c1.resources[vs.data_disk].properties.get("drive")
    expect(data == "E:", f"EXVS1's default storage group goes on {data}, not on the database disk E: (which disk "
                         "does the System Attendant take for its data?)")
    expect(online_on(c1, vs.group) == "1-CURLY",
           f"EXVS1 is not online on 1-CURLY in the grader's run of `c1`: {why_not_online(c1, vs.group)}")
    expect(c1.groups[vs.group].preferred_owners[:1] == ["1-CURLY"],
           "EXVS1 does not prefer 1-CURLY: after a failure and a restart it may come up anywhere")
    _fails_over(c1, vs.group, "c1", "EXVS1")


#: Question 2: the build steps the learner orders. Each is a name and what it does to the cluster.
def _steps() -> dict:
    def online(c):
        c.online_group("EXVS9", "1-CURLY")
        c.run_until_stable()

    def install(c):
        ex.install(c, "2-MOE")
        c.run_until_stable()
    return {
        "create the group": lambda c: c.add_group("EXVS9", preferred_owners=["1-CURLY"]),
        "add the IP Address": lambda c: c.add_resource("EXVS9 IP Address", type="IP Address", group="EXVS9",
                                                       address="132.192.1.12"),
        "add the Network Name": lambda c: c.add_resource("EXVS9 Network Name", type="Network Name", group="EXVS9",
                                                         name="EXVS9", dependencies=["EXVS9 IP Address"]),
        "add the database disk": lambda c: c.add_resource("Disk G:", type="Physical Disk", group="EXVS9", drive="G:"),
        "add the log disk": lambda c: c.add_resource("Disk N:", type="Physical Disk", group="EXVS9", drive="N:"),
        "add the System Attendant": lambda c: c.add_resource(
            "EXVS9 System Attendant", type=SA, group="EXVS9",
            dependencies=["EXVS9 Network Name", "Disk G:", "Disk N:"]),
        "install Exchange on 2-MOE": install,
        "bring EXVS9 online": online,
    }


STEPS = list(_steps())


@exercise.question(points=2)
def build_order(order: list[str]):
    """Order the build steps so that EXVS9 runs and can fail over."""
    expect(sorted(order) == sorted(STEPS), "`order` should list each of the eight steps exactly once, by its name")
    steps = _steps()
    c = two_nodes("EX04B", exchange_on=("1-CURLY",))
    for i, name in enumerate(order, 1):
        try:
            steps[name](c)
        except LabkitError as e:
            expect(False, f"step {i}, {name!r}, is refused: {e.detail}")
    settle(c)
    expect(online_on(c, "EXVS9") == "1-CURLY", f"after your steps EXVS9 is not online on 1-CURLY: "
                                               f"{why_not_online(c, 'EXVS9')}")
    _fails_over(c, "EXVS9", "order", "EXVS9")


@exercise.question(points=2)
def shared_disk(c3: Cluster):
    """Add EXVS2, keeping its databases on EXVS1's disk E:."""
    same_nodes(c3, NODES, "c3")
    one = need_virtual_server(c3, "EXVS1", "c3")
    two = need_virtual_server(c3, "EXVS2", "c3")
    need_resource(c3, "Disk E:", "c3", type="Physical Disk")
    expect("Disk E:" in disks_of(c3, one), "EXVS1 no longer keeps its files on Disk E:")
    expect("Disk E:" in disks_of(c3, two), "EXVS2's System Attendant does not depend on Disk E:, so none of "
                                           "EXVS2's databases can go there")
    ip = c3.resources[[p for p in c3.resources[two.network_name].dependencies
                       if c3.resources[p].type == "IP Address"][0]]
    expect(ip.properties.get("address") == "132.192.1.21", "EXVS2 does not have the address Table 10 gives it")
    where = {v: online_on(c3, ex.org(c3).virtual_servers[v].group) for v in ("EXVS1", "EXVS2")}
    for v, node in where.items():
        expect(node is not None, f"{v} is not online in the grader's run of `c3`")
    crash(c3, where["EXVS1"])
    after = {v: online_on(c3, ex.org(c3).virtual_servers[v].group) for v in ("EXVS1", "EXVS2")}
    expect(all(after.values()), f"when {where['EXVS1']} fails, EXVS1 and EXVS2 do not both come back online")


@exercise.question(points=1)
def nntp(c4: Cluster):
    """Follow Microsoft's support statement on NNTP."""
    org = ex.org(c4)
    expect(org is not None, "`c4` has no Exchange 2000 organisation")
    running = [v.name for v in org.virtual_servers.values() if "NNTP Protocol" in v.components]
    expect(not running, f"{', '.join(running)} runs NNTP: is that what Microsoft supports in a cluster?")
    expect(org.settings.nntp_follows_kb_259197, "`c4` still reads Table 5 the paper's way: the next administrator "
                                                "may add NNTP again")


def expected_outage(c: Cluster) -> float:
    """Seconds the 1,000 MAPI users of EXVS1 are cut off when 1-CURLY loses power."""
    ex.set_clients(c, "EXVS1", mapi=1000, pop3=100, imap4=50, http=100)
    t0 = c.now
    crash(c, "1-CURLY")
    return ex.impact(c, "EXVS1", since=t0).protocol("MAPI").seconds


@exercise.question(points=2)
def users_outage(c1: Cluster, mapi_outage_s: float):
    """How long are EXVS1's MAPI users cut off when 1-CURLY fails?"""
    vs = need_virtual_server(c1, "EXVS1", "c1")
    expect(online_on(c1, vs.group) == "1-CURLY", "answer question 1 first: EXVS1 should run on 1-CURLY in `c1`")
    want = expected_outage(c1)
    expect(abs(mapi_outage_s - want) < 0.05,
           f"EXVS1's MAPI users are not cut off for {mapi_outage_s:g} s when 1-CURLY fails: measure from the crash "
           "with labkit.exchange.impact, on a copy of c1 with the clients set")
