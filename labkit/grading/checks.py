"""Small helpers for writing checks: look things up in a rebuilt cluster with a
learner-friendly :class:`~labkit.grading.api.Wrong` when they are missing, put a
group where a scenario starts, and explain why a group is not online.

>>> from labkit.widgets.demo import file_share_cluster
>>> c = file_share_cluster()
>>> sorted(providers(c, "Share FS"))
['Disk FS', 'IP FS', 'Name FS']
>>> need_group(c, "PRINT", "c1")
Traceback (most recent call last):
labkit.grading.api.Wrong: `c1` has no group named 'PRINT'
"""
from __future__ import annotations

from ..cluster import Cluster, GroupState, ResourceState
from .api import MAX_EVENTS, Wrong, expect  # noqa: F401  (Wrong: re-exported for checks)


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


__all__ = ["need_group", "need_resource", "providers", "settle", "why_not_online", "start_on", "events"]
