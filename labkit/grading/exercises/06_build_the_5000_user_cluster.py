"""Exercise 06 -- Build the 5,000-user cluster (notebook ``notebooks/06_build_the_5000_user_cluster.ipynb``).

Table 10's naming and address scheme for three nodes, a build plan the
procedures layer carries out in the paper's order, the Figure 7 cluster built for
another user count, and a node that got Exchange too late. Plans come back as
planning objects, clusters are rebuilt; the grader runs the build and the
failures itself.

>>> [q.name for q in exercise.questions]
['naming_plan', 'build_plan', 'figure7_for_4000', 'late_node']
>>> exercise.max_score
10
"""
from __future__ import annotations

import ipaddress

from labkit import Cluster, LabkitError
from labkit import exchange as ex
from labkit import procedures as pr
from labkit.grading.api import Exercise, expect
from labkit.grading.checks import crash, need_virtual_server, online_on, same_nodes, stopped_at, why_not_online
from labkit.planning import NamingPlan, check_naming, check_possible_owners, n_k_analysis, table10
from labkit.procedures import ClusterPlan

exercise = Exercise("06_build_the_5000_user_cluster", "Build the 5,000-user cluster")

SUBNET = "10.6.1.0/24"
CLUSTER_NAME = "THREE-STOOGES"
NODES3 = ["1-CURLY", "2-MOE", "3-LARRY"]


def _host(ip: str) -> int:
    return int(ipaddress.IPv4Address(ip)) - int(ipaddress.IPv4Network(SUBNET).network_address)


@exercise.question(points=2)
def naming_plan(plan3: NamingPlan):
    """Table 10's scheme for a 3-node cluster on 10.6.1.0/24."""
    found = check_naming(plan3)
    expect(not found, f"the naming checker finds {len(found)} problem(s), the first: {found[0]}" if found else "")
    expect(plan3.subnet == SUBNET, f"`plan3` uses subnet {plan3.subnet}, not {SUBNET}")
    c = plan3.cluster
    expect(c is not None and c.name == CLUSTER_NAME, f"the cluster should be called {CLUSTER_NAME}")
    expect(_host(c.ip) == 100, "the cluster's address is not the one Table 10's scheme gives it (.100)")
    nodes = [n.name for n in plan3.nodes]
    expect(nodes == NODES3, f"the nodes should be {', '.join(NODES3)}, in that order")
    for i, n in enumerate(plan3.nodes, 1):
        expect(_host(n.ip) == 10 * i, f"{n.name}'s address does not follow Table 10's scheme (node n at .n0)")
        mine = [v for v in plan3.virtual_servers if v.node == n.name]
        expect(len(mine) == 1, f"{n.name} should be the home of exactly one virtual server, not {len(mine)}")
        expect(mine[0].name == f"EXVS{i}", f"{n.name}'s virtual server should be EXVS{i}, as in Table 10")
        expect(_host(mine[0].ip) == _host(n.ip) + 1,
               f"{mine[0].name}'s address is not 'closely related' to its node's the way Table 10 relates them")
    expect(len(plan3.virtual_servers) == 3, "the plan should have three virtual servers, one per node")


def _need_plan3_names(plan: ClusterPlan, var: str) -> None:
    from labkit.planning import naming_plan as make
    want = make(3, subnet=SUBNET)
    expect(plan.name == CLUSTER_NAME and plan.ip == want.cluster.ip,
           f"`{var}` should build {CLUSTER_NAME} at the address of your naming plan")
    got = [(n.name, n.ip) for n in plan.nodes]
    expect(got == [(n.name, n.ip) for n in want.nodes], f"`{var}`'s nodes should be those of the naming plan, "
                                                       "with their addresses, in node order")
    vss = {v.name: (v.ip, v.node) for v in plan.virtual_servers}
    expect(vss == {v.name: (v.ip, v.node) for v in want.virtual_servers},
           f"`{var}`'s virtual servers should be those of the naming plan, each with its address and home node")


@exercise.question(points=3)
def build_plan(build3: ClusterPlan):
    """A build plan for the 3-node cluster that the build procedure carries out cleanly."""
    _need_plan3_names(build3, "build3")
    sigs = [d.signature for d in build3.disks if d.signature]
    expect(len(sigs) == len(set(sigs)), "two shared disks carry the same signature: MSCS finds its disks by "
                                        "signature (KB 280425)")
    drives = [d.drive for d in build3.disks if d.drive]
    expect(len(drives) == len(set(drives)), "two shared disks have the same drive letter")
    for v in build3.virtual_servers:
        expect(len(v.disks) == 2, f"{v.name} should have two disks: one for its databases, one for its logs")
        expect(v.mailboxes == 1250, f"{v.name} should be built with 1,250 mailboxes")
    try:
        report = pr.build_cluster(build3).run()
    except LabkitError as e:
        expect(False, "the build stops " + stopped_at(e))
    expect(not report.advisories, f"the build warns: {report.advisories[0].text}" if report.advisories else "")
    expect(report.complete, "the build did not complete")


#: Question 3: the Figure 7 cluster for 4,000 users.
USERS_Q3 = 4000


@exercise.question(points=3)
def figure7_for_4000(c3: Cluster):
    """The paper's 4-node cluster, built for 4,000 users."""
    t10 = table10()
    expect(c3.name == t10.cluster.name and c3.ip == t10.cluster.ip, "`c3` should be FOUR-STOOGES at Table 10's "
                                                                     "cluster address")
    same_nodes(c3, [n.name for n in t10.nodes], "c3")
    for n in t10.nodes:
        expect(c3.nodes[n.name].ip == n.ip, f"{n.name} does not have its Table 10 address")
    per = USERS_Q3 // len(t10.virtual_servers)
    for v in t10.virtual_servers:
        vs = need_virtual_server(c3, v.name, "c3")
        ip = [p for p in c3.resources[vs.network_name].dependencies if c3.resources[p].type == "IP Address"]
        expect(ip and c3.resources[ip[0]].properties.get("address") == v.ip,
               f"{v.name} does not have its Table 10 address")
        expect(vs.mailboxes == per, f"{v.name} holds {vs.mailboxes:,} mailboxes, not {per:,}")
        expect(online_on(c3, vs.group) == v.node, f"{v.name} is not online on its home node {v.node}: "
                                                  f"{why_not_online(c3, vs.group)}")
        for sg in vs.storage_groups.values():
            used = {db.edb_disk for db in sg.databases.values() if db.mailboxes}
            expect(sg.log_disk not in used, f"storage group {sg.name!r} of {v.name} keeps its logs on the disk of "
                                            "its users' database (Table 8)")
    report = n_k_analysis(c3, 1)
    expect(report.survives, "after some single node failure a virtual server does not run again")
    expect(report.worst_users <= 2 * per, f"after a single failure one node carries {report.worst_users:,} users; "
                                          "Figure 7's cascading layout never puts more than two virtual servers "
                                          "on a node")


@exercise.question(points=2)
def late_node(c4: Cluster):
    """Let every virtual server fail over to the node that got Exchange late."""
    same_nodes(c4, NODES3, "c4")
    expect(ex.installed_nodes(c4) == NODES3, "Exchange 2000 should be installed on every node of `c4`")
    found = check_possible_owners(c4)
    expect(not found, f"{found[0].subject}: {found[0].message}" if found else "")
    home = {v: c4.groups[ex.virtual_server(c4, v).group].owner for v in ex.virtual_servers(c4)}
    crash(c4, "1-CURLY", "2-MOE")
    down = [v for v in home if online_on(c4, ex.virtual_server(c4, v).group) != "3-LARRY"]
    expect(not down, f"when 1-CURLY and 2-MOE fail, {', '.join(down)} does not come online on 3-LARRY")
