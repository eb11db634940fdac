"""Invariants of a cluster that must hold after every command and every event.

Shared by the core's property tests and the fault campaign (issue 9)."""
import labkit as lk

ON, OFF = lk.ResourceState.ONLINE, lk.ResourceState.OFFLINE


def check_invariants(c: lk.Cluster) -> None:
    res = c.resources
    for g in c.groups.values():
        hosts = {res[r].node for r in g.resources if res[r].state is not OFF}
        # one owner: everything running of a group runs on its owner
        assert hosts <= {g.owner}, f"{g.name} runs on {hosts} but is owned by {g.owner}"
        if g.owner is not None:
            assert g.owner in c.nodes, f"{g.name} owned by unknown node {g.owner}"
            n = c.nodes[g.owner]
            if n.state is lk.NodeState.DOWN:
                # only between a crash and its regroup; nothing runs meanwhile
                assert n.regroup_pending or n.properties.get("_leaving"), \
                    f"{g.name} still owned by Down node {n.name}"
                assert not hosts
    for r in res.values():
        if r.state is ON:
            for p in r.dependencies:
                assert res[p].state is ON, f"{r.name} online while its provider {p} is {res[p].state}"
        if r.state is not OFF:
            assert r.node in c.nodes, f"{r.name} on unknown node {r.node}"
            assert c.nodes[r.node].state is not lk.NodeState.DOWN, f"{r.name} on Down node {r.node}"
            assert r.node in r.possible_owners, f"{r.name} on {r.node}, not a possible owner"
        for p in r.dependencies:
            assert res[p].group == r.group
    # no split brain: while partitioned, only the quorum side runs anything
    if c.partition_sides is not None and c.running:
        q = c.quorum_owner
        assert q in c.quorum_side or c.nodes[q].regroup_pending
        for n in c.nodes.values():
            if n.name not in c.quorum_side:
                assert n.state is lk.NodeState.DOWN, f"{n.name} runs outside the quorum side"
    if not c.running:
        assert all(r.state is OFF or r.name == c.quorum_resource for r in res.values())
    # the log runs forwards in time
    times = [e.time for e in c.log[-50:]]
    assert times == sorted(times)
    check_log_matches_state(c)
    # the evicted are gone from every list
    for name in c.evicted:
        assert all(name not in g.preferred_owners for g in c.groups.values())
        assert all(name not in r.possible_owners for r in res.values())


def check_log_matches_state(c: lk.Cluster) -> None:
    """Every state change is a log event: replaying the "A -> B" lines of the log gives
    each resource's and each node's current state."""
    last: dict[str, str] = {}
    for e in c.log:
        if " -> " in e.what and not e.what.startswith("group ") and not e.what.startswith("owner "):
            last[e.obj] = e.what.split(" -> ", 1)[1]
    both = set(c.resources) & set(c.nodes)
    for r in c.resources.values():
        if r.name not in both:
            assert last.get(r.name, "Offline") == str(r.state), f"log says {r.name} is {last.get(r.name)}, model {r.state}"
    for n in c.nodes.values():
        if n.name not in both:
            assert last.get(n.name, "Up") == str(n.state), f"log says {n.name} is {last.get(n.name)}, model {n.state}"
    for g in c.groups.values():
        seen = [e.what for e in c.log if e.obj == g.name and e.what.startswith("group ")]
        assert (seen[-1].split(" -> ", 1)[1] if seen else "Offline") == str(g.state), f"group {g.name}"
