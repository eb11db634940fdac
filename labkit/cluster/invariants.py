"""The invariants of a cluster: what holds in every state the Cluster Service can be in.

One checker for everyone: the file loader (:mod:`labkit.io.builder`) refuses a file whose
run-time state breaks a rule of :func:`state_problems`; the property tests and the
campaigns check, after every command and every event, :func:`problems` -- the same rules
and, for a cluster the model ran, that its log agrees with its state.

The rules come from the paper's "Resources and Resource Groups" (a group runs on one node
at a time, a resource comes online after the resources it depends on) and its "Cluster
Service components" (the Membership Manager removes a failed node in a regroup; only the
side of a partition that owns the quorum resource keeps running, paper, Table 2).

Each problem is ``(path, message)``; a path is text or a ``(parent, key)`` pair as
:func:`labkit.values.render` shows it (``groups.EXVS1.owner``).

>>> import labkit as lk
>>> c = lk.Cluster("INV", ip="10.0.0.100"); _ = c.add_node("N1", ip="10.0.0.1"); c.run_until_stable()
>>> problems(c)
[]
>>> c.resources["Cluster Name"].node = "N9"
>>> [(lk.values.render(p), m) for p, m in state_problems(c)][:1]
[('resources["Cluster Name"].node', 'Online on N9, but its group Cluster Group is owned by N1: a group runs on one node (paper, Resources and Resource Groups)')]
"""
from __future__ import annotations

from .model import DownReason, FaultScope, NodeState, ResourceState

ON, OFF = ResourceState.ONLINE, ResourceState.OFFLINE
DOWN = NodeState.DOWN


def node_problems(state, down_reason, regroup_pending, leaving) -> list[tuple[str, str]]:
    """The rules one node's own fields keep, as ``(field, message)``: the file loader checks
    a file's nodes with them before it builds anything, and :func:`state_problems` checks
    every node of a running model.

    >>> node_problems(NodeState.DOWN, None, False, None)
    [('down_reason', 'a Down node says why: crash, partition, stopped or quorum lost')]
    """
    out = []
    if state is DOWN and down_reason is None:
        *most, last = DownReason
        out.append(("down_reason", f"a Down node says why: {', '.join(most)} or {last}"))
    if state is not DOWN and down_reason is not None:
        out.append(("down_reason", f"only a Down node has a down_reason; this one is {state}"))
    if regroup_pending and state is not DOWN:
        out.append(("regroup_pending", "only a Down node waits for the regroup that removes it"))
    if leaving is not None and state not in (NodeState.UP, NodeState.PAUSED):
        out.append(("leaving", f"{leaving}, but the node is {state}: only a running node stops or restarts its "
                               "cluster service"))
    return out


def resource_problems(state, node, possible_owners, persistent_fault, fault_node) -> list[tuple[str, str]]:
    """The rules one resource's own fields keep, as ``(field, message)`` (shared as
    :func:`node_problems` is): an Offline resource runs nowhere, any other names its node,
    which is one of its possible owners (paper, Table 1: possible owners)."""
    out = []
    if state is OFF and node is not None:
        out.append(("node", "an Offline resource runs on no node (null)"))
    if state is not OFF and node is None:
        out.append(("node", f"a {state} resource names the node it is on"))
    if node is not None and possible_owners and node not in possible_owners:
        out.append(("node", f"{node} is not one of its possible owners"))
    if persistent_fault is FaultScope.NODE and fault_node is None:
        out.append(("fault_node", "a lasting fault on one node names the node"))
    return out


def dependency_problem(provider: str, provider_group: str, group: str, *, same=None) -> str | None:
    """Why a resource of ``group`` cannot depend on ``provider`` (in ``provider_group``),
    or None: dependencies stay inside one group. ``same(a, b)`` compares group names
    (the file loader's, which compares them as MSCS does, without case)."""
    if (same or str.__eq__)(provider_group, group):
        return None
    return (f"{provider} is in group {provider_group}, not {group}: dependencies stay inside one group (paper, "
            "Resources and Resource Groups; MSCS error 87)")


def problems(c: "Cluster") -> list[tuple]:
    """Every rule :func:`state_problems` and :func:`log_problems` find broken (empty: none)."""
    return state_problems(c) + log_problems(c)


def check(c: "Cluster") -> None:
    """Raise AssertionError listing every broken invariant (for tests and campaigns)."""
    from ..values import render

    found = problems(c)
    assert not found, "\n".join(f"{render(p)}: {m}" for p, m in found)


def state_problems(c: "Cluster") -> list[tuple]:
    """The broken rules of the run-time state: ownership, dependencies, time, membership."""
    out: list[tuple] = []
    _groups(c, out)
    _resources(c, out)
    _membership(c, out)
    return out


def _groups(c: "Cluster", out: list) -> None:
    now = c.clock.ms
    for g in c.groups.values():
        p = ("groups", g.name)
        if g.owner is not None and g.owner not in c.nodes:
            out.append(((p, "owner"), f"{g.owner} is not a node of the cluster"))
        elif g.owner is not None and c.nodes[g.owner].state is DOWN:
            n = c.nodes[g.owner]
            if not (n.regroup_pending or n.leaving) and c.running:
                out.append(((p, "owner"), f"{g.owner} is Down and its failure was already handled: a Down node "
                                          "owns no group"))
        for t in g.failovers:
            if t > now:
                out.append(((p, "failovers"), f"{t} ms is later than the clock"))
        for o in g.outages:
            if o[0] > now or (o[1] is not None and o[1] > now):
                out.append(((p, "outages"), f"{o} is later than the clock"))
        if any(o[1] is None for o in g.outages[:-1]):
            out.append(((p, "outages"), "only the last outage can still be open (end null)"))
        for name in c.evicted:
            if name in g.preferred_owners:
                out.append(((p, "preferred_owners"), f"names {name}, which was evicted"))


def _resources(c: "Cluster", out: list) -> None:
    res, now = c.resources, c.clock.ms
    for r in res.values():
        p = ("resources", r.name)
        g = c.groups[r.group]
        if r.state is not OFF and r.node is not None:
            if r.node != g.owner:
                out.append(((p, "node"), f"{r.state} on {r.node}, but its group {g.name} is owned by {g.owner}: "
                                         "a group runs on one node (paper, Resources and Resource Groups)"))
            elif r.node not in c.nodes:
                out.append(((p, "node"), f"{r.state} on {r.node}, which is not a node of the cluster"))
            elif c.nodes[r.node].state is DOWN:
                out.append(((p, "node"), f"{r.state} on {r.node}, which is Down"))
        for field, message in resource_problems(r.state, r.node, r.possible_owners, r.persistent_fault,
                                                r.fault_node):
            out.append(((p, field), message))
        if r.state is ON:
            for d in r.dependencies:
                if res[d].state is not ON:
                    out.append(((p, "state"), f"Online while its provider {d} is {res[d].state}"))
        for d in r.dependencies:
            why = dependency_problem(d, res[d].group, r.group)
            if why:
                out.append(((p, "dependencies"), why))
        if r.online_since_ms is not None and r.online_since_ms > now:
            out.append(((p, "online_since_ms"), "later than the clock"))
        if any(t > now for t in r.failures):
            out.append(((p, "failures"), "a failure later than the clock"))
        for name in c.evicted:
            if name in r.possible_owners:
                out.append(((p, "possible_owners"), f"names {name}, which was evicted"))


def _membership(c: "Cluster", out: list) -> None:
    if not c.running:
        # a stopped cluster: every node is Down, or Joining -- starting its cluster service to
        # form the cluster again with the quorum disk
        for n in c.nodes.values():
            if n.state not in (DOWN, NodeState.JOINING):
                out.append(((("nodes", n.name), "state"), f"{n.state}, but the cluster is not running"))
        for r in c.resources.values():
            if r.state is not OFF and r.name != c.quorum_resource:
                out.append(((("resources", r.name), "state"), f"{r.state}, but the cluster is not running"))
    elif c.nodes and all(n.state is DOWN for n in c.nodes.values()):
        out.append(("cluster.running", "true, but every node is Down"))
    for n in c.nodes.values():
        for field, message in node_problems(n.state, n.down_reason, n.regroup_pending, n.leaving):
            out.append(((("nodes", n.name), field), message))
    if c.partition_sides is not None and c.running and c.quorum_side is not None:
        # no split brain: only the side that won the quorum arbitration runs
        for n in c.nodes.values():
            if n.name not in c.quorum_side and n.state is not DOWN:
                out.append(((("nodes", n.name), "state"), f"{n.state} outside the side that owns the quorum "
                                                          "(split brain)"))
        q = c.quorum_owner
        if q is not None and q in c.nodes and q not in c.quorum_side and not c.nodes[q].regroup_pending:
            out.append(((("groups", c.cluster_group), "owner"), f"{q} owns the quorum resource but is not on the "
                                                                "side that won the arbitration"))


def log_problems(c: "Cluster") -> list[tuple]:
    """The log runs forwards in time, and every state change is in it: replaying its
    ``"A -> B"`` lines gives each resource's, node's and group's current state. (Only for
    a cluster the model ran: a hand-written cluster file may carry no log at all.)"""
    out: list[tuple] = []
    times = [e.time for e in c.log]
    if times != sorted(times):
        out.append(("log", "does not run forwards in time"))
    last: dict[str, str] = {}
    groups: dict[str, str] = {}
    for e in c.log:
        if " -> " not in e.what or e.what.startswith("owner "):
            continue
        if e.what.startswith("group "):
            groups[e.obj] = e.what.split(" -> ", 1)[1]
        else:
            last[e.obj] = e.what.split(" -> ", 1)[1]
    both = set(c.resources) & set(c.nodes)
    for r in c.resources.values():
        if r.name not in both and last.get(r.name, "Offline") != str(r.state):
            out.append((("resources", r.name), f"the log says {last.get(r.name)}, the model {r.state}"))
    for n in c.nodes.values():
        if n.name not in both and last.get(n.name, "Up") != str(n.state):
            out.append((("nodes", n.name), f"the log says {last.get(n.name)}, the model {n.state}"))
    for g in c.groups.values():
        if groups.get(g.name, "Offline") != str(g.state):
            out.append((("groups", g.name), f"the log says {groups.get(g.name)}, the model {g.state}"))
    return out


__all__ = ["problems", "check", "state_problems", "log_problems"]
