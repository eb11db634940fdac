"""Rebuild a learner's cluster in the grader from its ``to_dict()`` snapshot.

The snapshot is untrusted plain data. It is replayed through the public
:class:`~labkit.Cluster` commands of the grader's own labkit -- nodes, groups,
resources, dependencies, possible and preferred owners, group and resource
properties -- so every MSCS rule is enforced again, and whatever the snapshot
*claims* about states (Online, Failed, owners of failed-over groups) is not taken
on trust: the rebuilt cluster starts at the simulation's start time with every node
Up, each group on the node that owned it in the snapshot, and the groups that were
meant to be online (``persistent_state``) brought online by the grader's simulation.
Checks then play their scenario on it.

Not replayed: the log, queued work, accounts, node states and the resource monitors
of the Cluster Group's own resources (they stay in the shared monitor) [D].

>>> import labkit as lk
>>> c = lk.Cluster("LAB", ip="10.0.0.100"); _ = c.add_node("N1", ip="10.0.0.1")
>>> _ = c.add_group("G"); _ = c.add_resource("Svc", type="Generic Service", group="G")
>>> c.online_group("G"); c.run_until_stable()
>>> r = rebuild_cluster(c.to_dict())
>>> r is c, str(r.groups["G"].state), r.groups["G"].owner
(False, 'Online', 'N1')
"""
from __future__ import annotations

import math
from dataclasses import fields

from ..cluster import Cluster, ClusterSettings
from ..errors import LabkitError
from .api import MAX_EVENTS, Wrong

#: Limits on what a snapshot may hold (the grader's time is bounded too).
MAX_GROUPS = 500
MAX_RESOURCES = 3000
MAX_DEPENDENCIES = 10_000
_CREATE_KWARGS = {"type", "group", "possible_owners", "dependencies", "separate_monitor"}
_RESOURCE_PROPS = ("restart_action", "restart_threshold", "restart_period_s", "looks_alive_ms",
                   "is_alive_ms", "pending_timeout_ms")


class _Bad(Exception):
    pass


def _need(cond, what: str) -> None:
    if not cond:
        raise _Bad(what)


def _str(v, what: str) -> str:
    _need(isinstance(v, str) and v, f"{what} should be a name")
    return v


def _names(v, what: str) -> list[str]:
    _need(isinstance(v, list) and all(isinstance(x, str) for x in v), f"{what} should be a list of names")
    return v


def _scalar(v) -> bool:
    return v is None or isinstance(v, (str, bool, int)) or (isinstance(v, float) and math.isfinite(v))


def _settings(d) -> ClusterSettings:
    if d is None:
        return ClusterSettings()
    _need(isinstance(d, dict), "settings should be a dict")
    defaults = ClusterSettings()
    kw = {}
    for f in fields(ClusterSettings):
        if f.name not in d:
            continue
        v, ref = d[f.name], getattr(defaults, f.name)
        if isinstance(ref, bool):
            _need(isinstance(v, bool), f"setting {f.name} should be True or False")
        else:
            _need(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and v > 0
                  and v < 10 ** 9, f"setting {f.name} should be a positive number")
            if isinstance(ref, int):
                _need(float(v).is_integer(), f"setting {f.name} should be a whole number")
                v = int(v)
        kw[f.name] = v
    return ClusterSettings(**kw)


def rebuild_cluster(data, *, name: str = "cluster") -> Cluster:
    """A new cluster built by the grader's labkit from snapshot ``data`` (see the module
    docstring). Raises :class:`~labkit.grading.api.Wrong` naming what could not be rebuilt."""
    try:
        return _rebuild(data)
    except _Bad as e:
        raise Wrong(f"`{name}` is not a cluster the grader can rebuild: {e}") from None
    except LabkitError as e:
        raise Wrong(f"`{name}` could not be rebuilt: labkit refused a step ({e})") from None
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as e:
        raise Wrong(f"`{name}` is not a valid cluster snapshot ({type(e).__name__}: {e})") from None


def _rebuild(d) -> Cluster:
    _need(isinstance(d, dict), "a cluster snapshot is a dict")
    _need(not d.get("extensions"), "it holds plug-in state (such as Exchange); this exercise grades "
                                   "plain MSCS clusters")
    nodes = d.get("nodes")
    groups = d.get("groups")
    resources = d.get("resources")
    _need(isinstance(nodes, list) and nodes, "it has no nodes")
    _need(isinstance(groups, list) and len(groups) <= MAX_GROUPS, f"it needs a list of at most {MAX_GROUPS} groups")
    _need(isinstance(resources, list) and len(resources) <= MAX_RESOURCES,
          f"it needs a list of at most {MAX_RESOURCES} resources")
    for x in nodes + groups + resources:
        _need(isinstance(x, dict), "nodes, groups and resources are dicts")
    ip = d.get("ip")
    _need(ip is None or isinstance(ip, str), "the cluster address should be a string")
    seed = d.get("seed", 0)
    _need(isinstance(seed, int) and not isinstance(seed, bool), "the seed should be a whole number")
    c = Cluster(_str(d.get("name"), "the cluster name"), ip=ip, edition=_str(d.get("edition"), "the edition"),
                quorum_disk=_str(d.get("quorum_resource", "Disk Q:"), "the quorum resource"),
                quorum_drive=_str(d.get("quorum_drive", "Q:"), "the quorum drive"), seed=seed,
                settings=_settings(d.get("settings")))
    _need(all(isinstance(n.get("id"), int) for n in nodes), "every node has a numeric id")
    for n in sorted(nodes, key=lambda n: n["id"]):
        _need(n.get("ip") is None or isinstance(n.get("ip"), str), "node addresses should be strings")
        c.add_node(_str(n.get("name"), "a node name"), ip=n.get("ip"))
    c.run_until_stable(max_events=MAX_EVENTS)
    by_group = {}
    for g in groups:
        by_group[_str(g.get("name"), "a group name")] = g
    core = by_group.get(c.cluster_group)
    if core and isinstance(core.get("owner"), str) and core["owner"] in c.nodes \
            and core["owner"] != c.groups[c.cluster_group].owner:
        c.move_group(c.cluster_group, core["owner"])
        c.run_until_stable(max_events=MAX_EVENTS)
    for gname in by_group:
        if gname != c.cluster_group:
            c.add_group(gname)
    ndeps = 0
    for r in resources:
        rname = _str(r.get("name"), "a resource name")
        props = r.get("properties", {})
        _need(isinstance(props, dict) and all(isinstance(k, str) and k.isidentifier() and k not in _CREATE_KWARGS
                                              and _scalar(v) for k, v in props.items()),
              f"the properties of {rname!r} should be plain names and values")
        deps = _names(r.get("dependencies", []), f"the dependencies of {rname!r}")
        ndeps += len(deps)
        _need(ndeps <= MAX_DEPENDENCIES, f"it has more than {MAX_DEPENDENCIES} dependencies")
        rtype = _str(r.get("type"), f"the type of {rname!r}")
        group = _str(r.get("group"), f"the group of {rname!r}")
        _need(group in by_group, f"{rname!r} is in group {group!r}, which the snapshot does not list")
        owners = _names(r.get("possible_owners"), f"the possible owners of {rname!r}")
        monitor = r.get("monitor", "shared")
        _need(isinstance(monitor, str) and monitor, f"the monitor of {rname!r} should be a name")
        if rname in c.resources and c.resources[rname].core:
            _need(c.resources[rname].type == rtype, f"{rname!r} should be a {c.resources[rname].type}")
            if sorted(owners) != sorted(c.resources[rname].possible_owners):
                c.set_possible_owners(rname, owners)
        else:
            c.add_resource(rname, type=rtype, group=group, possible_owners=owners,
                           separate_monitor=monitor == rname, **props)
            if monitor not in ("shared", rname):
                c.set_monitor(rname, monitor)
        kw = {k: r[k] for k in _RESOURCE_PROPS if k in r}
        for k, v in kw.items():
            _need(_scalar(v) and v is not None, f"{k} of {rname!r} should be a plain value")
        c.set_resource_properties(rname, **kw)
    for r in resources:
        for p in r.get("dependencies", []):
            if p not in c.resources[r["name"]].dependencies:
                c.add_dependency(r["name"], p)
    for gname, g in by_group.items():
        window = g.get("failback_window")
        if isinstance(window, list):
            window = tuple(window)
        kw = {k: g[k] for k in ("failover_threshold", "failover_period_hours", "auto_failback") if k in g}
        for k, v in kw.items():
            _need(_scalar(v) and v is not None, f"{k} of group {gname!r} should be a plain value")
        c.set_group_properties(gname, failback_window=window, **kw)
        c.set_preferred_owners(gname, _names(g.get("preferred_owners", []), f"the preferred owners of {gname!r}"))
    for gname, g in by_group.items():
        if gname == c.cluster_group:
            continue
        owner = g.get("owner")
        home = owner if isinstance(owner, str) and owner in c.nodes and c.can_host(gname, owner) else None
        if home and home != c.groups[gname].owner:
            c.move_group(gname, home)
        if g.get("persistent_state") is True:
            try:
                c.online_group(gname, home)
            except LabkitError:
                pass  # no node can host it: it stays offline, and the check will say so
    c.run_until_stable(max_events=MAX_EVENTS)
    return c
