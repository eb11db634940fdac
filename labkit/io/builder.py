"""Building a cluster from a checked file, object by object (no command is replayed).

:func:`from_data` runs every check first (:mod:`labkit.io.fields`' kinds, then
:mod:`labkit.io.checks` and :mod:`labkit.io.timeline`) and raises one
:class:`~labkit.errors.FileFormatError` listing every problem; only then does it construct the
nodes, groups, resources, queue and log, in time linear in the file, give each plug-in its
state back through its registered loader, and check that the run-time state is one the
Cluster Service can be in.

>>> import labkit as lk
>>> from labkit.io.writer import to_data
>>> c = lk.Cluster("LAB"); _ = c.add_node("N1")
>>> from_data(to_data(c)).to_dict() == c.to_dict()
True
"""
from __future__ import annotations

from .. import values as V
from ..cluster.checkpoint import restore_dependents, restore_resource
from ..cluster.cluster import Cluster, ClusterSettings
from ..cluster.extensions import persistence
from ..cluster.model import Group, Leaving, Node, Resource
from ..cluster.types import REGISTRY, check_netbios_name, check_static_ip
from ..errors import LabkitError
from ..sim import ClusterLog, EventQueue
from ..values import show as _show
from .checks import (Names, Refs, check_cluster, check_dependents_order, check_extensions, check_frame, check_groups,
                     check_nodes, check_resources, copy_plain, entry_of)
from .fields import CLUSTER, GROUP, NODE, RESOURCE, SETTINGS, TOP
from .format import Problems
from .format import lazy_path as _p
from .timeline import check_log, check_queue


def from_data(data, *, origin: str = "cluster file", _problems: Problems | None = None) -> Cluster:
    """Build a cluster from a cluster file's parsed content (see :func:`loads`)."""
    probs = _problems or Problems()
    check_frame(data, origin)
    cl, settings, nodes, groups, resources, names = _entries(data, probs)
    refs = Refs(probs, *names)
    if cl:
        check_cluster(refs, cl, nodes, groups, resources)
    check_nodes(refs, cl, nodes)
    check_groups(refs, groups, resources)
    check_resources(refs, cl, groups, resources)
    dep_order = check_dependents_order(refs, data.get("dependents_order", {}), resources)
    ext = check_extensions(probs, _section(data, "extensions", {}, probs))
    queue = check_queue(probs, data.get("queue", {"seq": 0, "jobs": []}), cl)
    log = check_log(probs, _section(data, "log", [], probs), cl)
    probs.raise_if_any(origin)
    c = _build(cl, settings, nodes, groups, resources, dep_order, queue, log, probs)
    probs.raise_if_any(origin)
    _give_back_extensions(c, ext, probs)
    probs.raise_if_any(origin)
    for name in ext:
        check_loaded = (persistence(name) or (None, None, None))[2]
        if check_loaded is not None:
            for path, msg in check_loaded(c, c.extensions[name], _p("extensions", name)):
                probs.add(path, msg)
    probs.raise_if_any(origin)
    _check_invariants(c, probs)
    probs.raise_if_any(origin)
    return c


def _section(data: dict, name: str, default, probs: Problems):
    got = data.get(name, default)
    if not isinstance(got, type(default)):
        probs.add(name, f"expected a {'mapping' if isinstance(default, dict) else 'list'}, not {_show(got)}")
        return default
    return got


def _entries(data: dict, probs: Problems) -> tuple:
    """Each field of each object checked against its kind (:mod:`labkit.io.fields`), and each
    name against the names of its table: (cluster, settings, nodes, groups, resources, the
    three tables' :class:`Names`)."""
    out = probs.items
    TOP.unknown(data, "", out)
    for k in ("cluster", "nodes"):
        if k not in data:
            probs.add(k, "missing (required)")
    raw_nodes, raw_groups, raw_res = (_section(data, k, {}, probs) for k in ("nodes", "groups", "resources"))
    names = (Names(raw_nodes, "node", "nodes", probs), Names(raw_groups, "group", "groups", probs),
             Names(raw_res, "resource", "resources", probs))
    cl = entry_of(CLUSTER, data.get("cluster"), "cluster", out)
    settings = entry_of(SETTINGS, _section(data, "settings", {}, probs), "settings", out)
    nodes = {name: entry_of(NODE, raw, _p("nodes", name), out) for name, raw in raw_nodes.items()}
    for name in raw_nodes:
        V.NETBIOS.collect(name, _p("nodes", name), out)
    groups = {name: entry_of(GROUP, raw, _p("groups", name), out) for name, raw in raw_groups.items()}
    resources = {name: entry_of(RESOURCE, raw, _p("resources", name), out) for name, raw in raw_res.items()}
    for name in raw_groups:
        V.NAME.collect(name, _p("groups", name), out)
    for name in raw_res:
        V.NAME.collect(name, _p("resources", name), out)
    return cl, settings, nodes, groups, resources, names


def _give_back_extensions(c: Cluster, ext: dict, probs: Problems) -> None:
    """Each plug-in's state through its registered loader (plain data where none is)."""
    for name, raw in ext.items():
        loader = (persistence(name) or (None,))[0]
        try:
            c.extensions[name] = loader(raw) if loader else copy_plain(raw)
        except LabkitError as e:
            probs.add(_p("extensions", name), f"the {name} plug-in could not load it: {e.detail}")
        except Exception as e:  # a plug-in's loader refusing the data is a file problem
            probs.add(_p("extensions", name), f"the {name} plug-in could not load it: {type(e).__name__}: "
                                              f"{_show(str(e), 200)}")


def _build(cl, settings, nodes, groups, resources, dep_order, queue, log, probs: Problems) -> Cluster | None:
    """Construct the cluster object by object (no command is replayed); linear in its size."""
    try:
        c = Cluster(cl["name"], ip=cl["ip"], edition=cl["edition"], quorum_disk=cl["quorum_resource"],
                    quorum_drive=cl["quorum_drive"], seed=cl["seed"], settings=ClusterSettings(**settings))
    except LabkitError as e:
        probs.add("cluster", e.detail)
        return None
    c.running = cl["running"]
    c.clock.ms = cl["clock_ms"]
    c.next_node_id = cl["next_node_id"]
    c.account = cl["account"]
    c.accounts = {k: set(v) for k, v in cl["accounts"].items()}
    c.evicted = list(cl["evicted"])
    part = cl["partition"]
    c.partition_sides = [list(s) for s in part["sides"]] if part else None
    c.quorum_side = list(part["quorum_side"]) if part and part["quorum_side"] is not None else None
    c.resource_types = {t: REGISTRY[t] for t in cl["resource_types"]}
    if cl["random_state"] != "initial":
        rs = cl["random_state"]
        c.random.setstate((rs[0], tuple(rs[1]), rs[2]))
    for name, n in nodes.items():
        legacy = n["properties"].pop("_leaving", None)   # where files before the leaving field kept it
        c.nodes[name] = Node(name=name, **{**n, "leaving": Leaving(legacy) if legacy else n["leaving"]})
    for name, g in groups.items():
        members = g.pop("resources")
        window = g.pop("failback_window")
        c.groups[name] = Group(name=name, resources=list(members), failback_window=None if window is None else
                               (window[0], window[1]), **g)
    for name, r in resources.items():
        t = c.resource_types[r["type"]]
        props = r["properties"]
        try:
            if r["core"] and r["type"] != "Physical Disk":
                # the cluster's own address and name: checked like the core checks them when the
                # cluster is made (they may equal the cluster's own address and name)
                props = {**t.defaults, **props}
                if r["type"] == "IP Address":
                    check_static_ip(props.get("address"), "address")
                elif r["type"] == "Network Name":
                    check_netbios_name(props.get("name"), "name")
            else:
                props = V.PLAIN.check(t.validate(c, name, r["group"], dict(props)), "properties")
        except LabkitError as e:
            probs.add(_p(_p("resources", name), "properties"), e.detail)
            continue
        restore_resource(c, Resource(name=name, **{**r, "properties": props}))
    restore_dependents(c, dep_order)
    c.queue = EventQueue.from_dict(queue)
    c.log = ClusterLog(log)
    return c


def _check_invariants(c: Cluster, probs: Problems) -> None:
    """The run-time state must be one the cluster service can be in (the one checker:
    :func:`labkit.cluster.invariants.state_problems`)."""
    from ..cluster.invariants import state_problems
    for path, message in state_problems(c):
        probs.add(path, message)
