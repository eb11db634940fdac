"""Small helpers for writing checks: look things up in a rebuilt cluster with a
learner-friendly :class:`~labkit.grading.verdicts.Wrong` when they are missing, put a
group where a scenario starts, and explain why a group is not online.

>>> from labkit.scenarios import file_share_cluster
>>> c = file_share_cluster()
>>> sorted(providers(c, "Share FS"))
['Disk FS', 'IP FS', 'Name FS']
>>> need_group(c, "PRINT", "c1")
Traceback (most recent call last):
labkit.grading.verdicts.Wrong: `c1` has no group named 'PRINT'
"""
from __future__ import annotations

from ..cluster import Cluster, GroupState, ResourceState
from ..exchange.model import org as exchange_org
from .verdicts import MAX_EVENTS, Wrong, expect  # noqa: F401  (Wrong: re-exported for checks)


def need_group(c: Cluster, group: str, var: str):
    """The group, or Wrong when ``var`` has no such group."""
    expect(group in c.groups, f"`{var}` has no group named {group!r}")
    return c.groups[group]


def need_resource(c: Cluster, name: str, var: str, *, group: str | None = None, type: str | None = None):
    """The resource, checked to be in ``group`` and of ``type`` when given."""
    expect(name in c.resources, f"`{var}` has no resource named {name!r}")
    r = c.resources[name]
    if group is not None:
        expect(r.group == group, f"{name!r} is in group {r.group!r}; it belongs in {group!r}")
    if type is not None:
        expect(r.type == type, f"{name!r} is a {r.type} resource; it should be a {type}")
    return r


def providers(c: Cluster, resource: str) -> set[str]:
    """Every resource ``resource`` depends on, directly or not."""
    out: set[str] = set()
    stack = list(c.resources[resource].dependencies)
    while stack:
        p = stack.pop()
        if p not in out:
            out.add(p)
            stack.extend(c.resources[p].dependencies)
    return out


def settle(c: Cluster) -> None:
    """Run until nothing is pending, within the grader's budget."""
    c.run_until_stable(max_events=MAX_EVENTS)


def why_not_online(c: Cluster, group: str) -> str:
    """A short reason why ``group`` is not Online, from its resources' states and the log."""
    g = c.groups[group]
    if not g.persistent_state and g.state is GroupState.OFFLINE:
        return f"{group} is Offline (it was never brought online)"
    bad = [r for r in g.resources if c.resources[r].state is not ResourceState.ONLINE]
    for rn in bad:
        fail = next((e for e in reversed(c.log) if e.obj == rn and "Failed" in e.what and e.why), None)
        if fail is not None:
            return f"{group} is {g.state}: {rn!r} fails ({fail.why})"
    return f"{group} is {g.state}" + (f"; not online: {', '.join(bad)}" if bad else "")


def start_on(c: Cluster, group: str, node: str, var: str) -> None:
    """Put ``group`` online on ``node`` (the starting point of a scenario)."""
    g = need_group(c, group, var)
    expect(node in c.nodes, f"`{var}` has no node named {node!r}")
    expect(c.can_host(group, node), f"{group} cannot run on {node} in `{var}`: {node} must be a possible "
                                    "owner of all its resources")
    if g.owner != node and any(c.resources[r].state is not ResourceState.OFFLINE for r in g.resources):
        c.move_group(group, node)
        settle(c)
    if not (g.state is GroupState.ONLINE and g.owner == node):
        c.online_group(group, node)
        settle(c)
    expect(g.state is GroupState.ONLINE and g.owner == node,
           f"{group} does not come online on {node} in `{var}`: {why_not_online(c, group)}")


def events(c: Cluster, mark: int, obj: str | None = None, what: str | None = None) -> list:
    """Log events after ``mark`` (a former ``len(c.log)``) about ``obj`` whose text starts with ``what``."""
    return [e for e in c.log[mark:] if (obj is None or e.obj == obj) and (what is None or e.what.startswith(what))]


# ------------------------------------------------------------------ Exchange 2000
def need_virtual_server(c: Cluster, name: str, var: str):
    """The Exchange virtual server ``name`` of ``c``, or Wrong."""
    org = exchange_org(c)
    expect(org is not None, f"`{var}` has no Exchange 2000 organisation (install Exchange and create virtual "
                            "servers with labkit.exchange)")
    expect(name in org.virtual_servers, f"`{var}` has no Exchange virtual server named {name!r}")
    return org.virtual_servers[name]


def disks_of(c: Cluster, vs) -> list[str]:
    """The Physical Disks a virtual server's System Attendant depends on (where its files may go)."""
    sa = c.resources[vs.system_attendant]
    return [p for p in sa.dependencies if c.resources[p].type == "Physical Disk"]


def online_on(c: Cluster, group: str) -> str | None:
    """The node ``group`` is Online on, or None."""
    g = c.groups[group]
    return g.owner if g.state is GroupState.ONLINE else None


def crash(c: Cluster, *nodes: str) -> None:
    """Crash ``nodes`` at the same moment and let the failover model settle."""
    for n in nodes:
        c.crash_node(n)
    settle(c)


def same_nodes(c: Cluster, want, var: str) -> None:
    """``c`` has exactly the nodes ``want`` (names, in node-id order)."""
    got = c.node_ids()
    expect(got == list(want), f"`{var}` should keep its nodes {', '.join(want)} (it has {', '.join(got)})")


def stopped_at(e) -> str:
    """Where a procedure that raised ``e`` stopped and why: "at step 2 'Move EXVS1': ..."
    (the step the runbook engine names on its error) or "before its first step: ..."."""
    step, cause = getattr(e, "step", None), getattr(e, "cause", None) or e
    where = f"at step {e.step_index} '{step}'" if step else "before its first step"
    return f"{where}: {cause.detail}"


# ------------------------------------------------------------------ storage designs
def known_drive(drive) -> bool:
    """True for the drive models labkit describes (a learner may not invent faster drives)."""
    from ..planning import raid
    return any(drive == d for d in (raid.DRIVE_18GB_10K, raid.DRIVE_36GB_10K, raid.DRIVE_18GB_15K))


def check_design(design, users: dict, var: str, *, spares: bool = False, assumptions=None) -> None:
    """A storage design passes the Table 8 checker and serves exactly the storage
    groups ``users`` lists (``(virtual server, storage group) -> users``): each one's
    log and database arrays hold what the grader's own sizing (``assumptions``, by
    default the paper's 2001 ones, with their I/O model) says its users need. With
    ``spares`` every redundant log and database array is covered by an online spare,
    as in Table 9."""
    from ..planning import check_storage
    from ..planning.storage import PAPER_2001, Role
    found = check_storage(design)
    expect(not found, f"the storage checker finds {len(found)} problem(s) in `{var}`, the first: {found[0]}"
           if found else "")
    sgs = design.storage_groups()
    want = list(users)
    expect(sorted(sgs) == sorted(want), f"`{var}` holds storage groups {', '.join('/'.join(k) for k in sgs)}; "
                                        f"the task asks for {', '.join('/'.join(k) for k in want)}")
    for a in design.arrays:
        expect(known_drive(a.array.drive), f"array {a.label!r} is built of drives labkit does not know "
                                           "(use planning.raid.DRIVE_18GB_10K, DRIVE_36GB_10K or DRIVE_18GB_15K)")
    a = assumptions or PAPER_2001
    io = a.io
    for key, n in users.items():
        name = "/".join(key)
        logs = [x for x in design.arrays if any(c.role is Role.LOGS and c.storage_group_key == key for c in x.holds)]
        dbs = [x for x in design.arrays if any(c.role is not Role.LOGS and c.storage_group_key == key
                                               for c in x.holds)]
        expect(logs[0].array.usable_gb + 1e-9 >= a.log_gb(n),
               f"the log array of {name} holds {logs[0].array.usable_gb:g} GB: too little for {n:,} users' "
               "transaction logs under the task's sizing assumptions")
        gb = sum(x.array.usable_gb for x in dbs)
        iops = sum(x.array.max_iops(io.read_fraction, io) for x in dbs)
        expect(gb + 1e-9 >= a.database_gb(n), f"the database array of {name} holds {gb:g} GB: too little for "
                                              f"{n:,} users' mailboxes under the task's sizing assumptions")
        expect(iops + 1e-9 >= a.database_iops(n), f"the database array of {name} sustains {iops:.0f} I/O a second: "
                                                  f"too few for {n:,} users at the busy hour")
    if spares:
        covered = {label for s in design.spares for label in s.covers}
        bare = [x.label for x in design.arrays if x.array.tolerated_failures and x.label not in covered
                and Role.QUORUM not in x.roles]
        expect(not bare, f"no online spare covers {bare[0]!r}" if bare else "")


__all__ = ["need_group", "need_resource", "providers", "settle", "why_not_online", "start_on", "events",
           "need_virtual_server", "disks_of", "online_on", "crash", "same_nodes", "stopped_at", "known_drive",
           "check_design"]
