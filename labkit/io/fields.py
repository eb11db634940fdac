"""The cluster file's field tables: each object's fields, their value kinds and defaults.

The tables are ``(name, kind, default, doc)`` :class:`~labkit.values.Field`\ s in the order a
file writes them; a field equal to its default is left out unless it is in :data:`ALWAYS`.
The kinds are :mod:`labkit.values`', the same the commands check their arguments with, so the
writer (:mod:`labkit.io.writer`), the checks (:mod:`labkit.io.checks`) and the JSON Schema
(:mod:`labkit.io.jsonschema`) all read the one table.

>>> [f.name for f in NODE_FIELDS][:3]
['id', 'ip', 'state']
>>> NODE.check({"id": 1})["state"]
<NodeState.UP: 'Up'>
"""
from __future__ import annotations

import random
from dataclasses import fields

from .. import values as V
from ..cluster.cluster import DEFAULT_ACCOUNT, EDITIONS, ClusterSettings
from ..cluster.model import (GROUP_DEFAULTS, RESOURCE_DEFAULTS, SHARED_MONITOR, DownReason, Fault, FaultScope,
                             GroupState, Leaving, NodeState, ResourceState, RestartAction)
from ..values import BAD, REQUIRED, show as _show
from .format import lazy_path as _p

F = V.Field
NODE_REF = V.Text(max_len=256, name="a node name")
REF = V.NAME
TIMES = V.ListOf(V.CLOCK_MS, name="a list of times (ms)")


class _RandomState(V.Kind):
    """``initial`` or the state of Python's random generator ``[version, [625 ints], gauss]``."""

    def check_into(self, v, path, out):
        if v == "initial" and type(v) is str:
            return v
        ok = (isinstance(v, list) and len(v) == 3 and isinstance(v[1], list)
              and all(type(x) is int for x in v[1]) and (v[2] is None or type(v[2]) is float))
        if ok:
            try:
                random.Random().setstate((v[0], tuple(v[1]), v[2]))
            except (ValueError, TypeError, OverflowError):
                ok = False
        if not ok:
            out.append((path, "expected 'initial' or a state of Python's random generator"))
            return BAD
        return v

    def describe(self):
        return "'initial' or a random generator state"

    def schema(self):
        return {"anyOf": [{"const": "initial"},
                          {"type": "array", "prefixItems": [{"type": "integer"},
                                                            {"type": "array", "items": {"type": "integer"},
                                                             "minItems": 625, "maxItems": 625},
                                                            {"type": ["number", "null"]}],
                           "minItems": 3, "maxItems": 3}]}


class _Outages(V.Kind):
    """``[[start_ms, end_ms or null], ...]`` with end >= start."""

    def check_into(self, v, path, out):
        if not isinstance(v, list):
            out.append((path, f"expected a list of [start_ms, end_ms or null], not {_show(v)}"))
            return BAD
        n = len(out)
        for i, x in enumerate(v):
            ok = (isinstance(x, list) and len(x) == 2 and V.CLOCK_MS.ok(x[0])
                  and (x[1] is None or (V.CLOCK_MS.ok(x[1]) and x[1] >= x[0])))
            if not ok:
                out.append((_p(path, i), f"expected [start_ms, end_ms or null] with end >= start, not {_show(x)}"))
        return BAD if len(out) > n else [list(x) for x in v]

    def describe(self):
        return "a list of [start_ms, end_ms or null]"

    def schema(self):
        t = V.CLOCK_MS.schema()
        return {"type": "array", "items": {"type": "array", "prefixItems": [t, {"anyOf": [t, {"type": "null"}]}],
                                           "minItems": 2, "maxItems": 2}}


PARTITION = V.Optional(V.Record((
    F("sides", V.ListOf(V.ListOf(NODE_REF, unique="fold"), min_len=2,
                        name="two or more lists of node names"), REQUIRED, "the sides, lists of node names"),
    F("quorum_side", V.Optional(V.ListOf(NODE_REF, unique="fold")), REQUIRED,
      "the side that kept the quorum, or null when no side could")),
    name="null or a mapping with sides and quorum_side"))
MOVE = V.Optional(V.Record((
    F("reason", V.Choice(("failover", "move", "failback", "node failure")), REQUIRED),
    F("target", V.Optional(NODE_REF), REQUIRED, "the node it goes to, or null (the failover manager chooses)"),
    F("why", V.TEXT, V.OMIT, "why it moves")),
    name="null or a mapping with reason, target (and why)"))

CLUSTER_FIELDS = (
    F("name", V.NETBIOS, REQUIRED, "the cluster name"),
    F("ip", V.Optional(V.IPV4), None, "the cluster address"),
    F("edition", V.Choice(tuple(EDITIONS)), "Advanced Server", "limits the node count (2, 4, 64)"),
    F("seed", V.SEED, 0, "seed of the cluster's random generator"),
    F("quorum_resource", REF, "Disk Q:", "the quorum Physical Disk (in the Cluster Group)"),
    F("quorum_drive", V.DRIVE, "Q:", "its drive"),
    F("running", V.Bool(), False, "the cluster service runs (a node owns the quorum)"),
    F("clock_ms", V.CLOCK_MS, 0, "the simulated clock, ms since Monday 7 May 2001 09:00"),
    F("next_node_id", V.Optional(V.Int(1)), None, "the id the next node gets (default: highest id + 1)"),
    F("account", REF, DEFAULT_ACCOUNT, "the account commands run as"),
    F("accounts", V.Optional(V.MapOf(V.ListOf(V.NAME), key=V.NAME,
                                     name="a mapping of account name to a list of rights")), None,
      "administrator accounts and their rights ('*': every right)"),
    F("evicted", V.ListOf(NODE_REF, unique="fold"), [], "evicted nodes (their names may not come back)"),
    F("partition", PARTITION, None, "a partitioned network"),
    F("resource_types", V.Optional(V.ListOf(V.NAME, unique=True, name="a list of resource type names")), None,
      "the resource types installed in this cluster"),
    F("random_state", _RandomState(), "initial", "'initial' (as seeded) or the generator's state"),
)
_SETTINGS_KINDS = V.settings_kinds()
SETTINGS_FIELDS = tuple(F(f.name, _SETTINGS_KINDS[f.name], f.default) for f in fields(ClusterSettings))
NODE_FIELDS = (
    F("id", V.Int(1), REQUIRED, "node id (unique)"),
    F("ip", V.Optional(V.IPV4), None, "node address"),
    F("state", V.Choice(NodeState), NodeState.UP),
    F("properties", V.MapOf(V.PLAIN), {}, "what plug-ins know about the node (e.g. exchange2000)"),
    F("down_reason", V.Choice((*DownReason, None)), None, "why a Down node is down"),
    F("regroup_pending", V.Bool(), False, "crashed, not yet noticed by the others"),
    F("incarnation", V.Int(0), 0, "counts the node's state changes"),
    F("paused", V.Bool(), False, "paused by the administrator; persists across restarts until resumed"),
    F("leaving", V.Choice((*Leaving, None)), None, "stopping or restarting: moving its groups away first "
      "(files written before this field kept it as properties._leaving, still read)"),
)
GROUP_FIELDS = (
    F("owner", V.Optional(NODE_REF), None, "the node that owns the group"),
    F("preferred_owners", V.ListOf(NODE_REF, unique="fold"), [], "in order (Set-ClusterOwnerNode -Group)"),
    F("failover_threshold", V.FAILOVER_THRESHOLD, GROUP_DEFAULTS["failover_threshold"], "FailoverThreshold"),
    F("failover_period_hours", V.FAILOVER_PERIOD_HOURS, GROUP_DEFAULTS["failover_period_hours"], "FailoverPeriod"),
    F("auto_failback", V.Bool(), GROUP_DEFAULTS["auto_failback"], "AutoFailbackType (false: Prevent)"),
    F("failback_window", V.Optional(V.FAILBACK_WINDOW), None, "failback only in these hours (may wrap midnight)"),
    F("persistent_state", V.Bool(), False, "the administrator wants it online"),
    F("failed", V.Bool(), False, "left failed by the failover manager"),
    F("failovers", TIMES, [], "failovers counted in the period"),
    F("move", MOVE, None, "a move under way"),
    F("state", V.Choice(GroupState), GroupState.OFFLINE, "last computed state"),
    F("outages", _Outages(), [], "client-visible interruptions"),
    F("resources", V.Optional(V.ListOf(REF, unique="fold")), None,
      "written only when it differs from the resources naming this group, in file order"),
)
RESOURCE_FIELDS = (
    F("type", V.NAME, REQUIRED, "e.g. Physical Disk; registered and in cluster.resource_types"),
    F("group", REF, REQUIRED),
    F("possible_owners", V.ListOf(NODE_REF, unique="fold"), REQUIRED, "at least one"),
    F("properties", V.MapOf(V.PLAIN), {}, "type properties, checked by the type"),
    F("dependencies", V.ListOf(REF, unique="fold"), [], "providers, in the same group, no cycles"),
    F("state", V.Choice(ResourceState), ResourceState.OFFLINE),
    F("restart_action", V.Choice(RestartAction), RESOURCE_DEFAULTS["restart_action"]),
    F("restart_threshold", V.RESTART_THRESHOLD, RESOURCE_DEFAULTS["restart_threshold"], "RestartThreshold"),
    F("restart_period_s", V.RESTART_PERIOD_S, RESOURCE_DEFAULTS["restart_period_s"], "RestartPeriod"),
    F("looks_alive_ms", V.POLL_MS, RESOURCE_DEFAULTS["looks_alive_ms"], "LooksAlive poll interval"),
    F("is_alive_ms", V.POLL_MS, RESOURCE_DEFAULTS["is_alive_ms"], "IsAlive poll interval"),
    F("pending_timeout_ms", V.POLL_MS, RESOURCE_DEFAULTS["pending_timeout_ms"], "PendingTimeout"),
    F("monitor", V.NAME, SHARED_MONITOR, "the resource monitor process"),
    F("core", V.Bool(), False, "a Cluster Group resource that follows membership"),
    F("node", V.Optional(NODE_REF), None, "where it runs (null exactly when Offline)"),
    F("wanted", V.Bool(), False, "should be online"),
    F("restart_pending", V.Bool(), False, "failed, waiting to restart in place"),
    F("failures", TIMES, [], "failures counted in the restart period"),
    F("online_since_ms", V.Optional(V.CLOCK_MS), None, "when it came online"),
    F("fault", V.Choice((*Fault, None)), None, "an injected fault not yet noticed"),
    F("persistent_fault", V.Choice((*FaultScope, None)), None, "a lasting fault"),
    F("fault_node", V.Optional(NODE_REF), None, "where a lasting node fault is"),
    F("online_veto", V.Optional(V.TEXT), None, "while Online Pending: why the type refused this attempt"),
    F("gen", V.Int(0), 0, "counts state changes"),
)
TOP_KEYS = ("format", "version", "cluster", "settings", "nodes", "groups", "resources", "dependents_order",
            "extensions", "queue", "log", "end")
#: Fields written even when they hold their default (they make a file readable).
ALWAYS = {"id", "state", "owner", "type", "group", "possible_owners", "name", "running", "clock_ms",
          "next_node_id", "edition", "ip", "resource_types"}
LOG_COLUMNS = ("time", "node", "object", "what", "why")
JOB_COLUMNS = ("at_ms", "seq", "kind", "args", "transient")
CLUSTER = V.Record(CLUSTER_FIELDS, title="cluster")
SETTINGS = V.Record(SETTINGS_FIELDS, title="settings")
NODE = V.Record(NODE_FIELDS, title="node")
GROUP = V.Record(GROUP_FIELDS, title="group")
RESOURCE = V.Record(RESOURCE_FIELDS, title="resource")
TOP = V.Record(tuple(F(k, V.Plain(), V.OMIT) for k in TOP_KEYS))
JOB_ARGS = V.ListOf(V.Plain(scalar=True), name="a list of plain values")
LOG_TEXT = V.Text(blank=True)
