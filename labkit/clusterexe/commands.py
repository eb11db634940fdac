"""Each cluster.exe command, mapped onto labkit's public API, printing what cluster.exe prints.

This module holds what every command shares -- name lookup, status rows, waiting, the
property tables, the command table and :func:`execute`; the handlers live with their
family: :mod:`~labkit.clusterexe.cluster_commands`, :mod:`~labkit.clusterexe.node_commands`,
:mod:`~labkit.clusterexe.group_commands` and :mod:`~labkit.clusterexe.resource_commands`
(``labkit.clusterexe`` imports them, in that order, which is the coverage table's).

Every handler resolves names the way MSCS compares them (case-insensitively; an exact
match wins), checks what cluster.exe checks before it calls the cluster, then makes
*one* call of the public API (:class:`labkit.Cluster` methods), so a refusal leaves the
model exactly as it was. A labkit refusal becomes ``System error N has occurred`` with
the number chosen by :func:`labkit.clusterexe.errors.code_for`.

Waiting (from Microsoft's documentation: "If no time-out is specified, Cluster.exe waits
indefinitely or until the resource state changes"; Windows Server 2003 adds ``/wait``
to ``/move``, ``/online``, ``/offline``, ``node /start`` and ``/stop``): after
``group /moveto``, ``/online``, ``/offline``, ``res /online``, ``/offline`` and
``node /start``, ``/stop`` labkit runs the simulated clock until *that* object has
settled -- the group is no longer moving or pending, the resource is Online, Offline or
Failed, the node is Up, Paused or Down -- or until the ``/wait:N`` seconds run out; the
rest of the cluster moves on in the same simulated time. ``res /fail``, ``node /pause``
and ``/resume`` return at once, as the Cluster API calls behind them do; use the
labkit-only ``run 30s`` or ``wait`` to watch what follows.

Our reading, where labkit differs from a real cluster:

- ``res /create`` may also take the resource's private properties (``Address=...``) and
  ``/adddep:R`` on the same line, as Cluster Administrator's New Resource wizard asks for
  them; without them the resource is created as by cluster.exe, and set later with
  ``/priv`` and ``/adddep`` (an IP Address without its Address cannot come online; a File
  Share still needs its ShareName on the line, error 87);
- ``res /priv name=value`` changes the properties that name no address, network name or
  drive (SubnetMask, Network, Path, ShareName, ServiceName, CommandLine, Signature,
  SizeGB); Address, Name and Drive can be set once, on a resource created without them,
  with the checks of ``/create``;
- ``group /moveto:N`` to the node that already owns the group succeeds and does nothing
  (MS-CMRP ApiMoveGroupToNode), where ``Cluster.move_group`` refuses;
- ``node N /start`` on a running node and ``/stop`` on a stopped one print cluster.exe's
  "already running" / "already been stopped" notes and change nothing;
- rename, moving a resource to another group, checkpoints, networks and
  ``/forcecleanup`` are not modelled: error 50, "The request is not supported".
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .. import values as V
from ..cluster import (GROUP_DEFAULTS, PRIVATE_FIXED, PRIVATE_SETTABLE, RESOURCE_DEFAULTS, Cluster, GroupState,
                       ResourceState, RestartAction)
from ..errors import LabkitError
from . import output as out
from .errors import ClusterExeError, from_labkit
from .parser import Command

#: What ``cluster /ver`` reports. Windows 2000 is version 5.0, build 2195 (Microsoft);
#: the service pack is our choice: Service Pack 2, current in May 2001, where labkit's clock starts.
VERSION = (5, 0, 2195, "Service Pack 2")
VENDOR = "Microsoft(R) Cluster service"
#: ``cluster /quorum``: the quorum log folder and its maximum size in KB (Windows 2000
#: defaults as we read them: MSCS\\ on the quorum disk, 4,096 KB).
QUORUM_PATH = "MSCS\\"
QUORUM_LOG_KB = 4096

_RESTART = [RestartAction.DONT_RESTART, RestartAction.RESTART_NO_NOTIFY, RestartAction.RESTART_NOTIFY]


@dataclass
class Outcome:
    """What a command printed (``lines``), how much simulated time it waited, and a
    warning (5024) when it stored something that takes effect later."""

    lines: list[str] = field(default_factory=list)
    waited_ms: int = 0
    warning: ClusterExeError | None = None


# ================================================================== names
def _known(names, limit: int = 8) -> str:
    names = list(names)
    shown = ", ".join(names[:limit]) + (f", ... ({len(names)} in all)" if len(names) > limit else "")
    return shown or "none"


def find_name(names, name: str) -> str | None:
    """The name in ``names`` that ``name`` means: itself, else its only case-insensitive
    match (MSCS compares names without case). For the names the core's
    :meth:`~labkit.cluster.Cluster.find_name` does not index: the installed resource
    types and the evicted nodes (nodes, groups and resources use the core's).

    >>> find_name(["Cluster Group", "EXVS1"], "exvs1"), find_name(["A"], "B")
    ('EXVS1', None)
    """
    names = list(names)
    if name in names:
        return name
    folded = [n for n in names if n.casefold() == name.casefold()]
    return folded[0] if len(folded) == 1 else None


def node_of(c: Cluster, name: str) -> str:
    got = c.find_name("nodes", name)
    if got is None:
        extra = " (it was evicted)" if find_name(c.evicted, name) else ""
        raise ClusterExeError(5042, f"no node named {name!r} in cluster {c.name}{extra} "
                                    f"(nodes: {_known(c.node_ids())})")
    return got


def group_of(c: Cluster, name: str) -> str:
    got = c.find_name("groups", name)
    if got is None:
        raise ClusterExeError(5013, f"no group named {name!r} (groups: {_known(c.groups)})")
    return got


def resource_of(c: Cluster, name: str) -> str:
    got = c.find_name("resources", name)
    if got is None:
        raise ClusterExeError(5007, f"no resource named {name!r} -- names with spaces need double quotes "
                                    f"(resources: {_known(c.resources)})")
    return got


def type_of(c: Cluster, name: str) -> str:
    got = find_name(c.resource_types, name)
    if got is None:
        raise ClusterExeError(5078, f"resource type {name!r} is not installed in this cluster "
                                    f"(installed: {_known(sorted(c.resource_types), 20)})")
    return got


def _node_state(c: Cluster, node: str | None) -> str | None:
    n = c.nodes.get(node) if node else None
    if n is None:
        return None
    return "leaving" if n.leaving else str(n.state)


def call(key: str, fn, *args, node: str | None = None, c: Cluster | None = None, **kwargs):
    """Call the public API; turn a labkit refusal into the cluster.exe error for ``key``
    (``node``: the node the command involves, whose state may decide the number)."""
    try:
        return fn(*args, **kwargs)
    except LabkitError as e:
        raise from_labkit(e, key, _node_state(c, node) if c is not None else None) from None


# ================================================================== status
def node_rows(c: Cluster, names) -> list:
    return [(n, c.nodes[n].id, str(c.nodes[n].state)) for n in names]


def group_rows(c: Cluster, names) -> list:
    return [(g, c.groups[g].owner or "", str(c.groups[g].state)) for g in names]


def resource_rows(c: Cluster, names) -> list:
    rows = []
    for rn in names:
        r = c.resources[rn]
        rows.append((rn, r.group, r.node or c.groups[r.group].owner or "", str(r.state)))
    return rows


# ================================================================== waiting
def group_settled(c: Cluster, g: str) -> bool:
    grp = c.groups.get(g)
    if grp is None:
        return True
    if grp.move or grp.state is GroupState.PENDING:
        return False
    return not any(c.resources[r].state.pending or c.resources[r].restart_pending for r in grp.resources)


def wait_until(c: Cluster, done, timeout_s=None, *, max_events: int = 1_000_000) -> int:
    """Run the simulated clock, one due job at a time, until ``done()`` holds, nothing is
    pending any more, or ``timeout_s`` simulated seconds have passed. Returns the ms waited.
    Uses only the public clock and queue (``Cluster.run``, ``queue.peek()``)."""
    start = c.clock.ms
    deadline = None if timeout_s is None else start + int(round(float(timeout_s) * 1000))
    for _ in range(max_events):
        if done() or c.is_stable():
            break
        job = c.queue.peek()
        if job is None:
            break
        if deadline is not None and job.at_ms > deadline:
            c.run(seconds=(deadline - c.clock.ms) / 1000)
            break
        c.run(seconds=max(0, job.at_ms - c.clock.ms) / 1000)
    else:
        raise ClusterExeError(1460, f"still not settled after {max_events} events")
    return c.clock.ms - start


def wait_timeout(cmd: Command):
    w = cmd.params.get("wait")
    if w is None or w is True:
        return None
    try:
        secs = int(w)
    except ValueError:
        raise ClusterExeError(87, f"/wait takes whole seconds, not {w!r}") from None
    if not 0 <= secs <= 86400 * 365:
        raise ClusterExeError(87, f"/wait takes 0 to 31536000 seconds, not {secs}")
    return secs


# ================================================================== properties
@dataclass(frozen=True)
class PropDef:
    """A common property: its MSCS name, type letter, whether labkit lets it be set,
    how to read it and which keyword of the labkit setter it is."""

    name: str
    kind: str
    get: object
    key: str | None = None   # None: read-only in labkit
    to_labkit: object = None
    default: object = None


def _window(i):
    return lambda g: (g.failback_window[i] if g.failback_window else -1)


def _number(v):
    return int(v) if isinstance(v, float) and v.is_integer() else v


GROUP_PROPS = (
    PropDef("Name", "S", lambda g: g.name),
    PropDef("PersistentState", "D", lambda g: int(g.persistent_state)),
    PropDef("FailoverThreshold", "D", lambda g: g.failover_threshold, "failover_threshold",
            default=GROUP_DEFAULTS["failover_threshold"]),
    PropDef("FailoverPeriod", "D", lambda g: _number(g.failover_period_hours), "failover_period_hours",
            default=GROUP_DEFAULTS["failover_period_hours"]),
    PropDef("AutoFailbackType", "D", lambda g: int(g.auto_failback), "auto_failback",
            lambda v: {0: False, 1: True}[v], default=0),
    PropDef("FailbackWindowStart", "L", _window(0), "window0", default=-1),
    PropDef("FailbackWindowEnd", "L", _window(1), "window1", default=-1),
)

RESOURCE_PROPS = (
    PropDef("Name", "S", lambda r: r.name),
    PropDef("Type", "S", lambda r: r.type),
    PropDef("SeparateMonitor", "D", lambda r: int(r.monitor != "shared"), "separate_monitor",
            lambda v: {0: False, 1: True}[v], default=0),
    PropDef("PersistentState", "D", lambda r: int(r.wanted)),
    PropDef("LooksAlivePollInterval", "D", lambda r: r.looks_alive_ms, "looks_alive_ms",
            default=RESOURCE_DEFAULTS["looks_alive_ms"]),
    PropDef("IsAlivePollInterval", "D", lambda r: r.is_alive_ms, "is_alive_ms",
            default=RESOURCE_DEFAULTS["is_alive_ms"]),
    PropDef("RestartAction", "D", lambda r: _RESTART.index(r.restart_action), "restart_action",
            lambda v: _RESTART[v], default=2),
    PropDef("RestartThreshold", "D", lambda r: r.restart_threshold, "restart_threshold",
            default=RESOURCE_DEFAULTS["restart_threshold"]),
    PropDef("RestartPeriod", "D", lambda r: r.restart_period_s * 1000, "restart_period_s",
            lambda v: _whole_seconds(v), default=RESOURCE_DEFAULTS["restart_period_s"] * 1000),
    PropDef("PendingTimeout", "D", lambda r: r.pending_timeout_ms, "pending_timeout_ms",
            default=RESOURCE_DEFAULTS["pending_timeout_ms"]),
)

NODE_PROPS = (
    PropDef("NodeName", "S", lambda n: n.name),
    PropDef("MajorVersion", "D", lambda n: VERSION[0]),
    PropDef("MinorVersion", "D", lambda n: VERSION[1]),
    PropDef("BuildNumber", "D", lambda n: VERSION[2]),
    PropDef("CSDVersion", "S", lambda n: VERSION[3]),
)

#: ``cluster /prop``: labkit's own cluster-wide facts, read-only (our reading: Windows
#: 2000 lists QuorumArbitrationTimeMax and others here, which labkit does not model).
CLUSTER_PROPS = (
    PropDef("Edition", "S", lambda c: c.edition),
    PropDef("MaxNodes", "D", lambda c: c.max_nodes),
    PropDef("HeartbeatInterval", "D", lambda c: c.settings.heartbeat_interval_ms),
    PropDef("MissedHeartbeats", "D", lambda c: c.settings.missed_heartbeats),
)


def _whole_seconds(ms):
    if ms % 1000:
        raise ClusterExeError(87, f"labkit keeps RestartPeriod in whole seconds: {ms} ms is not a multiple of 1000")
    return ms // 1000


def _dword(p) -> int:
    """The number of a ``name=value[:dword]`` (decimal or 0x hex)."""
    if p.format not in (None, "dword", "ularge"):
        raise ClusterExeError(87, f"{p.name} is a number (DWORD), not a {p.format}")
    text = p.value.strip()
    try:
        return int(text, 16) if text.lower().startswith(("0x", "-0x")) else int(text)
    except ValueError:
        raise ClusterExeError(87, f"{p.name}={p.value!r}: a number is expected (e.g. {p.name}=5 or 0x5)") from None


def to_labkit_value(d: "PropDef", v):
    try:
        return d.to_labkit(v) if d.to_labkit else v
    except (KeyError, IndexError):
        raise ClusterExeError(87, f"{d.name}={v} is not one of the values MSCS defines for it") from None


def property_listing(kind: str, title: str, rows) -> list[str]:
    return [title, ""] + out.property_table(kind, rows)


def prop_rows(owner: str, obj, defs) -> list:
    return [(owner, d.name, d.kind, d.key is None, d.get(obj)) for d in defs]


def matching_props(cmd: Command, defs, what: str) -> list:
    """(PropDef, value) for each name=value of the command (or /usedefault names)."""
    by = {d.name.lower(): d for d in defs}
    pairs = []
    if "usedefault" in cmd.params:
        items = [(v, None) for v in cmd.values]
    else:
        items = [(p.name, p) for p in cmd.props]
    seen = set()
    for name, p in items:
        d = by.get(name.lower())
        if d is None:
            raise ClusterExeError(87, f"{what} has no common property {name!r} "
                                      f"(its properties: {', '.join(x.name for x in defs)})")
        if d.key is None:
            raise ClusterExeError(87, f"{d.name} of {what} is read-only in labkit")
        if d.name in seen:
            raise ClusterExeError(87, f"property {d.name} is given twice")
        seen.add(d.name)
        if p is None:
            value = d.default
        else:
            value = _dword(p)  # a DWORD or, for FailbackWindowStart/End, a signed long
        pairs.append((d, value))
    return pairs


# ================================================================== private properties
#: labkit's private-property keys and the names cluster.exe shows (snake_case -> CamelCase
#: except these).
_PRIVATE_NAMES = {"size_gb": "SizeGB"}
#: Private properties labkit fixes when a resource is created (the claims on an address,
#: a NetBIOS name or a drive letter): settable on /create only. The core's table.
IDENTITY = PRIVATE_FIXED
#: Private properties that may change after creation, with their value kinds (the core's
#: table: ``Cluster.set_private_properties`` checks them).
SETTABLE = PRIVATE_SETTABLE
_NUMERIC = {"signature", "size_gb"}


def private_name(key: str) -> str:
    """The name cluster.exe shows for a labkit private-property key.

    >>> private_name("subnet_mask"), private_name("size_gb")
    ('SubnetMask', 'SizeGB')
    """
    return _PRIVATE_NAMES.get(key) or "".join(p[:1].upper() + p[1:] for p in key.split("_"))


def _private_keys(c: Cluster, rtype: str, existing=()) -> list[str]:
    t = c.resource_types[rtype]
    keys = list(t.required) + list(t.defaults) + list(IDENTITY.get(rtype, ())) + list(SETTABLE.get(rtype, ()))
    if getattr(t, "role", "") == "System Attendant":
        keys.append("data_disk")
    keys += list(existing)
    return list(dict.fromkeys(keys))


def _private_value(key: str, p):
    if key in _NUMERIC or p.format in ("dword", "ularge"):
        if key == "size_gb" and p.format is None:
            try:
                v = float(p.value)
            except ValueError:
                raise ClusterExeError(87, f"{p.name}={p.value!r}: a number of GB is expected") from None
            if not (0 < v < 1e7):
                raise ClusterExeError(87, f"{p.name} must be a positive number of GB, not {p.value}")
            return _number(v)
        v = _dword(p)
        if not 0 <= v <= 0xFFFFFFFF:
            raise ClusterExeError(87, f"{p.name} must fit a DWORD (0 to 4294967295), not {v}")
        return v
    if p.format not in (None, "string", "expandstring"):
        raise ClusterExeError(87, f"{p.name} is a string, not a {p.format}")
    return p.value


def _check_private(rtype: str, key: str, value) -> None:
    """A settable private property given on /create, checked by the core's value kind
    (the same check ``Cluster.set_private_properties`` makes)."""
    try:
        V.accept(SETTABLE[rtype][key], value, private_name(key))
    except LabkitError as e:
        raise ClusterExeError(87, e.detail) from None


def props_by_key(c: Cluster, rtype: str, props, *, create: bool, existing=()) -> dict:
    """The private properties ``props`` (cluster.exe names and formats) by labkit key. On
    /create the settable ones are checked here; after creation the core checks them all."""
    allowed = _private_keys(c, rtype, existing)
    by = {private_name(k).lower(): k for k in allowed}
    by.update({k.replace("_", "").lower(): k for k in allowed})
    got = {}
    for p in props:
        key = by.get(p.name.replace("_", "").lower())
        if key is None:
            raise ClusterExeError(87, f"{rtype} resources have no private property {p.name!r} "
                                      f"(they have: {', '.join(private_name(k) for k in allowed) or 'none'})")
        if key in got:
            raise ClusterExeError(87, f"private property {private_name(key)} is given twice")
        got[key] = _private_value(key, p)
        if create and key in SETTABLE.get(rtype, ()):
            _check_private(rtype, key, got[key])
    return got


def _check_identity(c: Cluster, name: str, values: dict) -> dict:
    """Address, Name or Drive set with ``/priv`` on a resource created without it: the
    resource type's own checks (a static address, a NetBIOS name, a free drive letter; not
    used elsewhere in the cluster), the same as ``/create`` runs. Returns them normalised."""
    r = c.resources[name]
    keys = [k for k in values if k in IDENTITY.get(r.type, ())]
    if not keys:
        return values
    checked = call("res.create", c.resource_types[r.type].validate, c, name, r.group,
                   {**r.properties, **values})
    return {**values, **{k: checked[k] for k in keys}}


# ================================================================== the command table
@dataclass(frozen=True)
class Entry:
    """One row of the coverage table: the command and options, the public API call it
    maps to, and examples the test suite runs on the paper's 4-node cluster: ``ok`` (a
    list of scripts whose last line must succeed) and ``refused`` (scripts whose last
    line must fail with the Win32 number given, or ``None`` for a syntax error)."""

    command: str
    options: str
    api: str
    ok: tuple = ()
    refused: tuple = ()


COVERAGE: list[Entry] = []
HANDLERS: dict[tuple[str, str], object] = {}


def handles(obj: str, *options: str, command: str, api: str, ok=(), refused=()):
    def deco(fn):
        for o in options:
            HANDLERS[(obj, o)] = fn
        COVERAGE.append(Entry(command, " ".join(f"/{o}" for o in options) if options else "", api,
                              tuple(tuple(s) for s in ok), tuple((tuple(s), code) for s, code in refused)))
        return fn
    return deco


def execute(c: Cluster, cmd: Command, *, clusters=None) -> Outcome:
    """Run a parsed command on cluster ``c``; raise :class:`ClusterExeError` when refused.
    ``clusters`` are the clusters ``cluster /list`` names (default: ``[c]``)."""
    if cmd.option in ("help", "?"):
        from .help import help_text
        return Outcome(help_text(cmd.object).splitlines())
    wait_timeout(cmd)  # a bad /wait:N is refused before anything changes
    fn = HANDLERS.get((cmd.object, cmd.option))
    if fn is None:
        raise ClusterExeError(50, f"labkit does not model `{cmd.object} /{cmd.option}`"
                                  + ("" if cmd.object not in ("network", "netinterface") else
                                     ": the cluster's networks are not objects in labkit"))
    if cmd.object == "cluster" and cmd.option == "list":
        return fn(c, cmd, clusters if clusters is not None else [c])
    if not c.running and (cmd.object, cmd.option) != ("node", "start"):
        raise ClusterExeError(1722, f"the cluster service of {c.name} runs on no node, so cluster.exe cannot "
                                    "connect to it; start a node with `cluster node NODE /start`")
    return fn(c, cmd)


# ---------------------------------------------------------------- shared by the families
#: example scripts the coverage table runs (a new disk in the Cluster Group; a print group)
S = 'res "Disk T:" /create /group:"Cluster Group" /type:"Physical Disk" Drive=T:'
SMTP = '"SMTP Virtual Server Instance 1 (EXVS1)"'
PRINT = ["group PRINT /create",
         'res "Disk T:" /create /group:PRINT /type:"Physical Disk" Drive=T:',
         'res "PRINT IP" /create /group:PRINT /type:"IP Address" Address=132.192.1.50',
         'res "PRINT Name" /create /group:PRINT /type:"Network Name" Name=PRINT1 /adddep:"PRINT IP"']


_LISTINGS = {
    "node": ("nodes", "node", node_of, out.node_table, node_rows, lambda c: c.node_ids()),
    "group": ("resource groups", "resource group", group_of, out.group_table, group_rows, lambda c: list(c.groups)),
    "resource": ("resources", "resource", resource_of, out.resource_table, resource_rows,
                 lambda c: list(c.resources)),
}


def status_listing(c: Cluster, cmd: Command, head: str, names, *, until=None) -> Outcome:
    """What cluster.exe prints for most ``node``, ``group`` and ``res`` commands: ``head``, a
    blank line and the status table of ``names`` (objects of the command's kind). With
    ``until`` (a test of the object the command changed), the simulated clock first runs
    until it holds or the ``/wait:N`` seconds run out (see Waiting, above), and the
    Outcome keeps the time waited."""
    _, _, _, table, rows, _ = _LISTINGS[cmd.object]
    waited = 0 if until is None else wait_until(c, until, wait_timeout(cmd))
    return Outcome([head, ""] + table(rows(c, names)), waited)


def show_status(c, cmd):
    """``cluster node|group|res [name] /status``: the listing of one object or of all."""
    plural, one, find, _, _, names = _LISTINGS[cmd.object]
    if cmd.name is None:
        return status_listing(c, cmd, f"Listing status for all available {plural}:", names(c))
    name = find(c, cmd.name)
    return status_listing(c, cmd, f"Listing status for {one} '{name}':", [name])


def owned_by_node(c, cmd):
    """``cluster group|res /node:N``: the groups or resources a node owns."""
    _, one, _, _, _, names = _LISTINGS[cmd.object]
    n = node_of(c, cmd.value)
    mine = [x for x in names(c) if (c.groups[x].owner if cmd.object == "group" else
                                     c.resources[x].node or c.groups[c.resources[x].group].owner) == n]
    return status_listing(c, cmd, f"Listing status of {one} for node '{n}':", mine)


def common_properties(c: Cluster, cmd: Command, defs, key: str, setter, keywords=None) -> Outcome:
    """``cluster group|res [name] /prop [name=value ...]``: the common properties of one
    object or of all, or, with name=value pairs (or ``/usedefault``), one call of
    ``setter(name, **kw)``; ``keywords(obj, pairs)`` makes kw of the (PropDef, value) pairs
    (default: each one's labkit keyword and value)."""
    plural, _, find, _, _, names = _LISTINGS[cmd.object]
    objects = c.groups if cmd.object == "group" else c.resources
    if cmd.name is None:
        if cmd.props or cmd.values:
            raise ClusterExeError(87, f"name the {cmd.object} whose properties you set")
        rows = [row for x in names(c) for row in prop_rows(x, objects[x], defs)]
        return Outcome(property_listing(cmd.object, f"Listing properties for all {plural}:", rows))
    name = find(c, cmd.name)
    if cmd.props or cmd.values:
        pairs = matching_props(cmd, defs, f"{cmd.object} {name}")
        kw = keywords(objects[name], pairs) if keywords else {d.key: to_labkit_value(d, v) for d, v in pairs}
        call(key, setter, name, **kw)
        return Outcome([])
    rows = prop_rows(name, objects[name], defs)
    return Outcome(property_listing(cmd.object, f"Listing properties for '{name}':", rows))


# ---------------------------------------------------------------- setters the core lacks
def set_private_properties(c: Cluster, name: str, props) -> ClusterExeError | None:
    """Set private properties (``Prop`` name/value pairs, cluster.exe's names and formats)
    of resource ``name`` with ``Cluster.set_private_properties``, which checks them; a
    resource that is not Offline gets cluster.exe's warning 5024 ("stored, ... take effect
    ... the next time the resource is brought online")."""
    r = c.resource(name)
    values = props_by_key(c, r.type, props, create=False, existing=r.properties)
    call("res.privproperties", c.set_private_properties, r.name, **values)
    if r.state is not ResourceState.OFFLINE:
        return ClusterExeError(5024, f"{name!r} is {r.state}", warning=True)
    return None
