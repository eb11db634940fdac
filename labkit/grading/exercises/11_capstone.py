"""Exercise 11 -- Capstone (notebook ``notebooks/11_capstone.ipynb``).

Design, build and prove a cluster for a brief: 3,000 users on three nodes, each
virtual server's users in two storage groups, heavier users than the paper's,
failback only at night, and every virtual server running again after any single
node failure without a node mounting more than four storage groups. The plans come
back as planning objects, the cluster is rebuilt; the grader checks the plans
against its own sizing and rules, the cluster against the plans, and plays every
single failure itself.

>>> [q.name for q in exercise.questions]
['naming', 'storage', 'load_plan', 'built_to_plan', 'survives_any_single_failure', 'worst_case']
>>> exercise.max_score
20
"""
from __future__ import annotations

from labkit import Cluster
from labkit.grading.api import Exercise, expect
from labkit.grading.checks import check_design, disks_of, need_virtual_server, online_on, same_nodes, why_not_online
from labkit.planning import (LoadPlan, NamingPlan, StorageDesign, check_failover, check_naming, check_possible_owners,
                             n_k_analysis, naming_plan, plan_storage)
from labkit.planning.storage import profile_2003

exercise = Exercise("11_capstone", "Capstone: design, build and prove a cluster")

SUBNET = "10.11.0.0/24"
CLUSTER = "THREE-STOOGES"
NODES = ["1-CURLY", "2-MOE", "3-LARRY"]
USERS = 3000
SGS_PER_SERVER = 2
PROFILE = "average"
WINDOW = (1, 5)


def expected_naming() -> NamingPlan:
    """Table 10's scheme for the brief (the grader's own)."""
    return naming_plan(3, subnet=SUBNET)


def users_per_sg() -> dict:
    per = USERS // len(NODES) // SGS_PER_SERVER
    return {(f"EXVS{i}", f"SG{j}"): per for i in range(1, len(NODES) + 1) for j in range(1, SGS_PER_SERVER + 1)}


@exercise.question(points=2)
def naming(naming3: NamingPlan):
    """Names and addresses by Table 10's scheme."""
    found = check_naming(naming3)
    expect(not found, f"the naming checker finds {len(found)} problem(s), the first: {found[0]}" if found else "")
    want = expected_naming()
    expect(naming3.subnet == SUBNET, f"`naming3` uses subnet {naming3.subnet}, not {SUBNET}")
    expect(naming3.cluster is not None and naming3.cluster.name == CLUSTER, f"the cluster should be {CLUSTER}")
    got = sorted((e.name, e.ip, e.role, e.node) for e in naming3.entries)
    for e in want.entries:
        expect((e.name, e.ip, e.role, e.node) in got,
               f"{e.name} is missing, or its address or home does not follow Table 10's scheme")
    expect(len(got) == len(want.entries), "`naming3` names more than the cluster, its nodes and their virtual servers")


@exercise.question(points=4)
def storage(design: StorageDesign):
    """Shared storage for the brief's users, sized for them."""
    check_design(design, users_per_sg(), "design", spares=True, assumptions=profile_2003(PROFILE))
    budget = plan_storage(USERS, len(NODES), storage_groups_per_server=SGS_PER_SERVER,
                          assumptions=profile_2003(PROFILE)).total_drives
    expect(design.total_drives <= budget, f"`design` uses {design.total_drives} drives; a design that passes can do "
                                          "with fewer")


@exercise.question(points=3)
def load_plan(plan: LoadPlan):
    """A load plan that survives any single node failure within four storage groups a node."""
    expect(list(plan.nodes) == NODES, f"the plan's nodes should be {', '.join(NODES)}, in node order")
    vss = {v.name: v for v in plan.virtual_servers}
    expect(sorted(vss) == [f"EXVS{i}" for i in range(1, 4)], "the plan should place EXVS1, EXVS2 and EXVS3")
    for i, name in enumerate(sorted(vss)):
        v = vss[name]
        expect(v.home == NODES[i], f"{name}'s home should be {NODES[i]}, as in the naming plan")
        expect(v.users == USERS // 3 and v.storage_groups == SGS_PER_SERVER,
               f"{name} should carry {USERS // 3:,} users in {SGS_PER_SERVER} storage groups")
    expect(plan.max_storage_groups_per_node == 4, "Exchange 2000 mounts at most four storage groups on a node")
    expect(plan.auto_failback and plan.failback_window == WINDOW,
           "the plan does not fail virtual servers back by themselves, at night only (01:00-05:00)")
    for n in NODES:
        p = plan.after([n])
        expect(not p.down and not p.refused, f"the plan predicts that when {n} fails, "
                                             + (f"{', '.join(p.down)} does not run again" if p.down else
                                                "a node would mount more than four storage groups"))


def _ip_of(c: Cluster, vs) -> str | None:
    ips = [p for p in c.resources[vs.network_name].dependencies if c.resources[p].type == "IP Address"]
    return c.resources[ips[0]].properties.get("address") if ips else None


@exercise.question(points=5)
def built_to_plan(cluster: Cluster, design: StorageDesign, plan: LoadPlan):
    """The cluster, built as the three plans say."""
    want = expected_naming()
    expect(cluster.name == CLUSTER and cluster.ip == want.cluster.ip, f"`cluster` should be {CLUSTER} at the "
                                                                      "naming plan's cluster address")
    same_nodes(cluster, NODES, "cluster")
    for n in want.nodes:
        expect(cluster.nodes[n.name].ip == n.ip, f"{n.name} does not have the naming plan's address")
    prefs = {v.name: list(v.preferred_owners) for v in plan.virtual_servers}
    for v in want.virtual_servers:
        vs = need_virtual_server(cluster, v.name, "cluster")
        expect(_ip_of(cluster, vs) == v.ip, f"{v.name} does not have the naming plan's address")
        expect(set(disks_of(cluster, vs)) == set(design.arrays_of(v.name)),
               f"{v.name}'s disks are not the arrays your storage design gives it")
        with_users = [sg for sg in vs.storage_groups.values() if any(db.mailboxes for db in sg.databases.values())]
        counts = sorted(sum(db.mailboxes for db in sg.databases.values()) for sg in with_users)
        expect(counts == [USERS // 3 // SGS_PER_SERVER] * SGS_PER_SERVER,
               f"{v.name}'s users are not {SGS_PER_SERVER} storage groups of {USERS // 3 // SGS_PER_SERVER:,}")
        for sg in with_users:
            used = {db.edb_disk for db in sg.databases.values() if db.mailboxes}
            expect(sg.log_disk not in used, f"storage group {sg.name!r} of {v.name} keeps its logs on the disk of "
                                            "its users' database (Table 8)")
        g = cluster.groups[vs.group]
        expect(g.preferred_owners == prefs.get(v.name), f"{v.name}'s preferred owners are not your plan's")
        expect(g.auto_failback == plan.auto_failback and g.failback_window == plan.failback_window,
               f"{v.name}'s failback settings are not your plan's")
        expect(online_on(cluster, vs.group) == v.node, f"{v.name} is not online on its home node {v.node}: "
                                                       f"{why_not_online(cluster, vs.group)}")


@exercise.question(points=4)
def survives_any_single_failure(cluster: Cluster):
    """Proof: the N-1 analysis of the cluster is clean."""
    same_nodes(cluster, NODES, "cluster")
    for i in range(1, 4):
        need_virtual_server(cluster, f"EXVS{i}", "cluster")
    found = check_possible_owners(cluster)
    expect(not found, f"{found[0].subject}: {found[0].message}" if found else "")
    found = check_failover(cluster, 1)
    expect(not found, f"the N-1 analysis finds {len(found)} problem(s), e.g. when you {found[0].subject}: "
                      f"{found[0].message}" if found else "")


@exercise.question(points=2)
def worst_case(cluster: Cluster, worst_users: int):
    """The most users one node carries after any single failure."""
    need_virtual_server(cluster, "EXVS1", "cluster")
    want = n_k_analysis(cluster, 1).worst_users
    expect(worst_users == want, f"after a single failure your cluster's busiest node does not carry "
                                f"{worst_users:,} users")
