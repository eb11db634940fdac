"""Each cluster.exe command, mapped onto labkit's public API, printing what cluster.exe prints.

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

import ipaddress
from dataclasses import dataclass, field

from ..cluster import GROUP_DEFAULTS, RESOURCE_DEFAULTS, Cluster, GroupState, NodeState, ResourceState, RestartAction
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
    match (MSCS compares names without case). A public lookup labkit's core lacks.

    >>> find_name(["Cluster Group", "EXVS1"], "exvs1"), find_name(["A"], "B")
    ('EXVS1', None)
    """
    names = list(names)
    if name in names:
        return name
    folded = [n for n in names if n.casefold() == name.casefold()]
    return folded[0] if len(folded) == 1 else None


def node_of(c: Cluster, name: str) -> str:
    got = find_name(c.nodes, name)
    if got is None:
        extra = " (it was evicted)" if find_name(c.evicted, name) else ""
        raise ClusterExeError(5042, f"no node named {name!r} in cluster {c.name}{extra} "
                                    f"(nodes: {_known(c.node_ids())})")
    return got


def group_of(c: Cluster, name: str) -> str:
    got = find_name(c.groups, name)
    if got is None:
        raise ClusterExeError(5013, f"no group named {name!r} (groups: {_known(c.groups)})")
    return got


def resource_of(c: Cluster, name: str) -> str:
    got = find_name(c.resources, name)
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
    return "leaving" if n.properties.get("_leaving") else str(n.state)


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


def _timeout(cmd: Command):
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


def _to_labkit(d: "PropDef", v):
    try:
        return d.to_labkit(v) if d.to_labkit else v
    except (KeyError, IndexError):
        raise ClusterExeError(87, f"{d.name}={v} is not one of the values MSCS defines for it") from None


def _listing(kind: str, title: str, rows) -> list[str]:
    return [title, ""] + out.property_table(kind, rows)


def _prop_rows(owner: str, obj, defs) -> list:
    return [(owner, d.name, d.kind, d.key is None, d.get(obj)) for d in defs]


def _match_props(cmd: Command, defs, what: str) -> list:
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
#: a NetBIOS name or a drive letter): settable on /create only.
IDENTITY = {"IP Address": ("address",), "Network Name": ("name",), "Physical Disk": ("drive",)}
#: Private properties that may change after creation, with their checks.
SETTABLE = {
    "IP Address": ("subnet_mask", "network"),
    "File Share": ("share_name", "path"),
    "Generic Service": ("service_name",),
    "Generic Application": ("command_line",),
    "Physical Disk": ("signature", "size_gb"),
}
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


def _check_private(key: str, value) -> None:
    """The checks of the private properties that can change after creation."""
    if key == "subnet_mask":
        try:
            ipaddress.IPv4Network(f"0.0.0.0/{value}")
        except ValueError:
            raise ClusterExeError(87, f"SubnetMask {value!r} is not a subnet mask like 255.255.255.0") from None
    elif key in ("network", "share_name", "service_name"):
        if not isinstance(value, str) or not value.strip() or len(value) > 256:
            raise ClusterExeError(87, f"{private_name(key)} must be 1 to 256 characters")
        if key == "share_name" and any(ch in value for ch in '\\/:*?"<>|'):
            raise ClusterExeError(87, f"ShareName {value!r} holds a character share names may not hold")
    elif key in ("path", "command_line") and len(str(value)) > 1024:
        raise ClusterExeError(87, f"{private_name(key)} is longer than 1,024 characters")


def _props_by_key(c: Cluster, rtype: str, props, *, create: bool, existing=()) -> dict:
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
        if not create:
            if key in IDENTITY.get(rtype, ()) and existing.get(key) not in (None, ""):
                raise ClusterExeError(87, f"labkit fixes the {private_name(key)} of a {rtype} resource once it is "
                                          "set; delete the resource and create it again with the new value")
            if key not in SETTABLE.get(rtype, ()) and key not in IDENTITY.get(rtype, ()):
                raise ClusterExeError(87, f"{private_name(key)} of a {rtype} resource is read-only in labkit")
        got[key] = _private_value(key, p)
        if not create and key in IDENTITY.get(rtype, ()):
            continue  # checked by the resource type below, as on /create
        if not create or key in SETTABLE.get(rtype, ()):
            _check_private(key, got[key])
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
    _timeout(cmd)  # a bad /wait:N is refused before anything changes
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


# ---------------------------------------------------------------- cluster
S = 'res "Disk T:" /create /group:"Cluster Group" /type:"Physical Disk" Drive=T:'


@handles("cluster", "version", command="cluster /ver[sion]", api="Cluster.name (and labkit's VERSION)",
         ok=[["cluster /ver"], ["cluster /version"]], refused=[(["cluster /ver:5"], None)])
def _version(c, cmd):
    major, minor, build, csd = VERSION
    return Outcome([f"Cluster Name:     {c.name}", f"Cluster Version:  {major}.{minor} (Build {build}: {csd})",
                    f"Cluster Vendor:   {VENDOR}"])


@handles("cluster", "list", command="cluster /list[:domain]", api="the clusters this session knows",
         ok=[["cluster /list"]], refused=[(["cluster /lis"], None)])
def _list(c, cmd, clusters):
    return Outcome(["Cluster Name", "---------------"] + [f"{x.name:<20}".rstrip() for x in clusters])


@handles("cluster", "quorumresource", command="cluster /quorum[resource][:R]",
         api="Cluster.quorum_resource (set: labkit.clusterexe.commands.set_quorum_resource)",
         ok=[["cluster /quorum"], [S, 'res "Disk T:" /online', 'cluster /quorumresource:"Disk T:"']],
         refused=[(['cluster /quorumresource:"EXVS1 IP Address"'], 5021),
                  ([S, 'cluster /quorumresource:"Disk T:"'], 5004),
                  (['cluster /quorumresource:"Disk Z:"'], 5007)])
def _quorum(c, cmd):
    if cmd.value is None:
        q = c.resources.get(c.quorum_resource)
        device = f"{q.properties.get('drive', '')}\\{QUORUM_PATH}" if q else ""
        return Outcome(["Quorum Resource Name Device                                   Max Log Size",
                        "-------------------- ---------------------------------------- ------------",
                        f"{c.quorum_resource:<20} {device:<40} {QUORUM_LOG_KB}"])
    set_quorum_resource(c, resource_of(c, cmd.value))
    return Outcome([])


def set_quorum_resource(c: Cluster, name: str) -> None:
    """Make ``name`` the quorum resource (SetClusterQuorumResource). Microsoft: it must be
    quorum-capable (in Windows 2000 a Physical Disk, error 5021) and may not depend on
    anything (5069); our reading: it must be Online, as the cluster writes its quorum log
    there at once (5004).

    labkit's core has no such command yet: this sets the public attributes
    ``Cluster.quorum_resource`` and ``quorum_drive`` after every check, and logs it.
    """
    r = c.resources[name]
    t = c.resource_types[r.type]
    if not t.quorum_capable:
        raise ClusterExeError(5021, f"{name!r} is a {r.type}; in Windows 2000 only a Physical Disk can hold the "
                                    "quorum (paper, Table 1)")
    if r.dependencies:
        raise ClusterExeError(5069, f"{name!r} depends on {', '.join(r.dependencies)}")
    if r.state is not ResourceState.ONLINE:
        raise ClusterExeError(5004, f"{name!r} is {r.state}; bring it online first")
    if name == c.quorum_resource:
        return
    old = c.quorum_resource
    c.quorum_resource = name
    c.quorum_drive = r.properties.get("drive") or c.quorum_drive
    c.record(c.name, "quorum resource changed", f"{old} -> {name} (cluster /quorumresource)",
             c.groups[r.group].owner)


@handles("cluster", "properties", "privproperties", command="cluster /prop | /priv",
         api="Cluster.edition, max_nodes, settings (read-only)",
         ok=[["cluster /prop"], ["cluster /priv"]],
         refused=[(["cluster /prop Edition=Modern"], 87), (["cluster /prop Edition"], None)])
def _cluster_props(c, cmd):
    if cmd.option == "privproperties":
        if cmd.props or cmd.values:
            raise ClusterExeError(87, f"cluster {c.name} has no private properties in labkit")
        return Outcome(_listing("cluster", f"Listing private properties for '{c.name}':", []))
    if cmd.props or cmd.values:
        _match_props(cmd, CLUSTER_PROPS, f"cluster {c.name}")
    return Outcome(_listing("cluster", f"Listing properties for '{c.name}':", _prop_rows(c.name, c, CLUSTER_PROPS)))


@handles("cluster", "rename", command="cluster /ren[ame]:N", api="(not modelled: error 50)",
         refused=[(["cluster /rename:OTHER"], 50)])
def _not_modelled(c, cmd):
    raise ClusterExeError(50, f"labkit does not model `{cmd.object} /{cmd.option}`")


# ---------------------------------------------------------------- nodes
#: kind -> (plural title, "for" word, name resolver, table, rows, all names)
_LISTINGS = {
    "node": ("nodes", "node", node_of, out.node_table, node_rows, lambda c: c.node_ids()),
    "group": ("resource groups", "resource group", group_of, out.group_table, group_rows, lambda c: list(c.groups)),
    "resource": ("resources", "resource", resource_of, out.resource_table, resource_rows,
                 lambda c: list(c.resources)),
}


def _status(c, cmd):
    """``cluster node|group|res [name] /status``: the listing of one object or of all."""
    plural, one, find, table, rows, names = _LISTINGS[cmd.object]
    if cmd.name is None:
        return Outcome([f"Listing status for all available {plural}:", ""] + table(rows(c, names(c))))
    name = find(c, cmd.name)
    return Outcome([f"Listing status for {one} '{name}':", ""] + table(rows(c, [name])))


def _on_node(c, cmd):
    """``cluster group|res /node:N``: the groups or resources a node owns."""
    _, one, _, table, rows, names = _LISTINGS[cmd.object]
    n = node_of(c, cmd.value)
    mine = [x for x in names(c) if (c.groups[x].owner if cmd.object == "group" else
                                     c.resources[x].node or c.groups[c.resources[x].group].owner) == n]
    return Outcome([f"Listing status of {one} for node '{n}':", ""] + table(rows(c, mine)))


handles("node", "status", command="cluster node [N] [/stat[us]]", api="Cluster.nodes, node_ids()",
        ok=[["cluster node"], ["cluster node 1-curly"], ["cluster node 2-MOE /status"]],
        refused=[(["cluster node 9-NOBODY"], 5042), (["cluster node /status:x"], None)])(_status)


#: the node commands that are one call: option -> (what cluster.exe prints, Cluster method, status table after)
_NODE_CALLS = {"pause": ("Pausing", "pause_node", True), "resume": ("Resuming", "resume_node", True),
               "evict": ("Evicting", "evict_node", False)}


def _node_call(c, cmd):
    verb, method, table = _NODE_CALLS[cmd.option]
    n = node_of(c, cmd.name)
    call(f"node.{cmd.option}", getattr(c, method), n)
    return Outcome([f"{verb} node '{n}'..."] + (["", *out.node_table(node_rows(c, [n]))] if table else []))


handles("node", "pause", command="cluster node N /pause", api="Cluster.pause_node(N)",
        ok=[["node 2-MOE /pause"]], refused=[(["node 2-MOE /pause", "node 2-MOE /pause"], 5070),
                                             (["node /pause"], None)])(_node_call)
handles("node", "resume", command="cluster node N /resume", api="Cluster.resume_node(N)",
        ok=[["node 2-MOE /pause", "node 2-MOE /resume"]], refused=[(["node 2-MOE /resume"], 5058)])(_node_call)
handles("node", "evict", command="cluster node N /evict", api="Cluster.evict_node(N)",
        ok=[["node 3-LARRY /stop", "node 3-LARRY /evict"]], refused=[(["node 3-LARRY /evict"], 5009)])(_node_call)


@handles("node", "start", command="cluster node N /start [/wait[:s]]",
         api="Cluster.start_node(N), then the clock runs until N is Up",
         ok=[["node 4-JERRY /stop", "node 4-JERRY /start"], ["node 1-CURLY /start"]],
         refused=[(["crash 4-JERRY", "node 4-JERRY /start"], 5072), (["node 4-JERRY /start /wait:x"], 87)])
def _start(c, cmd):
    n = node_of(c, cmd.name)
    timeout = _timeout(cmd)
    lines = ["", f"Attempting to start the cluster service on node '{n}'"]
    node = c.nodes[n]
    if node.state is not NodeState.DOWN:
        return Outcome(lines + ["", "The cluster service is already running."])
    call("node.start", c.start_node, n)
    waited = wait_until(c, lambda: c.nodes[n].state is not NodeState.JOINING, timeout)
    if c.nodes[n].state is NodeState.JOINING:
        return Outcome(lines + ["", "A command to start the cluster service has issued, but the service has not "
                                    "yet started."], waited)
    if c.nodes[n].state is NodeState.DOWN:
        raise ClusterExeError(5086 if not c.running else 5051,
                              f"{n} went back Down after joining (see the cluster log)")
    return Outcome(lines + ["", "The cluster service has been successfully started."], waited)


@handles("node", "stop", command="cluster node N /stop [/wait[:s]]",
         api="Cluster.stop_node(N), then the clock runs until N is Down",
         ok=[["node 4-JERRY /stop"], ["node 4-JERRY /stop", "node 4-JERRY /stop"]],
         refused=[(["node 4-JERRY /stop", "node 4-JERRY /start /wait:1", "node 4-JERRY /stop"], 5072)])
def _stop(c, cmd):
    n = node_of(c, cmd.name)
    timeout = _timeout(cmd)
    lines = ["", f"Attempting to stop the cluster service on node '{n}'"]
    if c.nodes[n].state is NodeState.DOWN:
        return Outcome(lines + ["", "The cluster service has already been stopped."])
    call("node.stop", c.stop_node, n)
    waited = wait_until(c, lambda: c.nodes[n].state is NodeState.DOWN, timeout)
    if c.nodes[n].state is not NodeState.DOWN:
        return Outcome(lines + ["", "A command to stop the cluster service has issued, but the service has not yet "
                                    "stopped."], waited)
    return Outcome(lines + ["", "The cluster service has been successfully stopped."], waited)


@handles("node", "properties", "privproperties", command="cluster node N /prop | /priv",
         api="Node.name (read-only; no private properties)",
         ok=[["node 1-CURLY /prop"], ["node 1-CURLY /priv"], ["node /prop"]],
         refused=[(["node 1-CURLY /prop NodeName=X"], 87), (["node 1-CURLY /priv Foo=1"], 87)])
def _node_props(c, cmd):
    names = [node_of(c, cmd.name)] if cmd.name else c.node_ids()
    if cmd.option == "privproperties":
        if cmd.props or cmd.values:
            raise ClusterExeError(87, "nodes have no private properties in labkit")
        title = f"Listing private properties for '{names[0]}':" if cmd.name else \
            "Listing private properties for all nodes:"
        return Outcome(_listing("node", title, []))
    if cmd.props or cmd.values:
        _match_props(cmd, NODE_PROPS, f"node {names[0]}")
    rows = [row for n in names for row in _prop_rows(n, c.nodes[n], NODE_PROPS)]
    title = f"Listing properties for '{names[0]}':" if cmd.name else "Listing properties for all nodes:"
    return Outcome(_listing("node", title, rows))


@handles("node", "forcecleanup", "listinterfaces", command="cluster node N /forcecleanup | /listint",
         api="(not modelled: error 50)", refused=[(["node 1-CURLY /listint"], 50)])
def _node_not_modelled(c, cmd):
    return _not_modelled(c, cmd)


# ---------------------------------------------------------------- groups
handles("group", "status", command="cluster group [G] [/stat[us]]", api="Cluster.groups",
        ok=[["cluster group"], ['cluster group "exvs1"'], ['group "Cluster Group" /stat']],
        refused=[(["group EXVS9"], 5013), (['group "Cluster Group'], None)])(_status)
handles("group", "node", command="cluster group /node:N", api="Cluster.groups_on(N)",
        ok=[["group /node:2-MOE"]], refused=[(["group /node:9-NOBODY"], 5042), (["group /node"], None)])(_on_node)


@handles("group", "create", command="cluster group G /create", api="Cluster.add_group(G)",
         ok=[["group PRINT /create"]], refused=[(["group exvs1 /create"], 5010), (["group /create"], None)])
def _group_create(c, cmd):
    if find_name(c.groups, cmd.name) is not None:
        raise ClusterExeError(5010, f"a group named {find_name(c.groups, cmd.name)!r} exists (names are compared "
                                    "without case)")
    call("group.create", c.add_group, cmd.name)
    return Outcome([f"Creating resource group '{cmd.name}'...", ""] + out.group_table(group_rows(c, [cmd.name])))


@handles("group", "delete", command="cluster group G /delete", api="Cluster.delete_group(G)",
         ok=[["group PRINT /create", "group PRINT /delete"]],
         refused=[(["group EXVS1 /delete"], 145), (['group "Cluster Group" /delete'], 145)])
def _group_delete(c, cmd):
    g = group_of(c, cmd.name)
    call("group.delete", c.delete_group, g)
    return Outcome([f"Deleting resource group '{g}'"])


def _group_wait(c, g, cmd, head: str) -> Outcome:
    waited = wait_until(c, lambda: group_settled(c, g), _timeout(cmd))
    return Outcome([head, ""] + out.group_table(group_rows(c, [g])), waited)


@handles("group", "moveto", command="cluster group G /move[to][:N] [/wait[:s]]",
         api="Cluster.move_group(G, N), then the clock runs until G settles",
         ok=[["group EXVS1 /moveto:2-MOE"], ["group EXVS1 /move"], ["group exvs1 /MOVE:1-curly"],
             ["group EXVS1 /moveto:3-LARRY /wait:5"]],
         refused=[(["node 2-MOE /pause", "group EXVS1 /moveto:2-MOE"], 5070),
                  (["node 2-MOE /pause", "node 3-LARRY /pause", "node 4-JERRY /pause", "group EXVS1 /move"], 5005),
                  (["group EXVS1 /moveto:9-NOBODY"], 5042), (["group EXVS1 /moveto:"], None),
                  (["group EXVS1 /moveto:2-MOE,3-LARRY"], None)])
def _group_move(c, cmd):
    g = group_of(c, cmd.name)
    n = node_of(c, cmd.value) if cmd.value else None
    if n is not None and c.groups[g].owner == n:
        return Outcome([f"Moving resource group '{g}'...", ""] + out.group_table(group_rows(c, [g])))
    call("group.moveto", c.move_group, g, n, node=n, c=c)
    return _group_wait(c, g, cmd, f"Moving resource group '{g}'...")


@handles("group", "online", command="cluster group G /on[line][:N] [/wait[:s]]",
         api="Cluster.online_group(G, N), then the clock runs until G settles",
         ok=[["group EXVS1 /offline", "group EXVS1 /online"], ["group EXVS1 /offline", "group EXVS1 /on:3-LARRY"]],
         refused=[(["group EXVS1 /online:3-LARRY"], 5016),
                  (["group EXVS1 /offline", "node 1-CURLY /pause", "group EXVS1 /online:1-CURLY"], 5070)])
def _group_online(c, cmd):
    g = group_of(c, cmd.name)
    n = node_of(c, cmd.value) if cmd.value else None
    call("group.online", c.online_group, g, n, node=n or c.groups[g].owner, c=c)
    return _group_wait(c, g, cmd, f"Bringing resource group '{g}' online...")


@handles("group", "offline", command="cluster group G /off[line] [/wait[:s]]",
         api="Cluster.offline_group(G), then the clock runs until G settles",
         ok=[["group EXVS1 /offline"], ["group EXVS1 /off"]],
         refused=[(['group "Cluster Group" /offline'], 5068), (["group EXVS1 /offline:2-MOE"], None)])
def _group_offline(c, cmd):
    g = group_of(c, cmd.name)
    call("group.offline", c.offline_group, g)
    return _group_wait(c, g, cmd, f"Bringing resource group '{g}' offline...")


@handles("group", "setowners", command="cluster group G /setowners:N1,N2",
         api="Cluster.set_preferred_owners(G, [N1, N2])",
         ok=[["group EXVS1 /setowners:2-MOE,1-curly"]],
         refused=[(["group EXVS1 /setowners:2-MOE,9-NOBODY"], 5042), (["group EXVS1 /setowners:2-MOE,2-moe"], 87),
                  (["group EXVS1 /setowners"], None)])
def _setowners(c, cmd):
    g = group_of(c, cmd.name)
    nodes = [node_of(c, v) for v in cmd.values]
    call("group.setowners", c.set_preferred_owners, g, nodes)
    return Outcome([])


@handles("group", "listowners", command="cluster group G /listowners", api="Group.preferred_owners",
         ok=[["group EXVS1 /listowners"]], refused=[(["group EXVS9 /listowners"], 5013)])
def _listowners(c, cmd):
    g = group_of(c, cmd.name)
    return Outcome(out.owner_list(f"Listing preferred owners for resource group '{g}':", "Preferred Owner Nodes",
                                  c.groups[g].preferred_owners))


@handles("group", "properties", command="cluster group [G] /prop[erties] [name=value ...]",
         api="Cluster.set_group_properties(G, ...)",
         ok=[["group EXVS1 /prop"], ["group /prop"], ["group EXVS1 /prop FailoverThreshold=4 FailoverPeriod=2"],
             ["group EXVS1 /prop AutoFailbackType=1 FailbackWindowStart=22 FailbackWindowEnd=6"],
             ["group EXVS1 /prop FailoverThreshold=4", "group EXVS1 /prop:FailoverThreshold /usedefault"]],
         refused=[(["group EXVS1 /prop FailoverThreshold=-1"], 87), (["group EXVS1 /prop Name=X"], 87),
                  (["group EXVS1 /prop FailbackWindowStart=22"], 87), (["group EXVS1 /prop Bogus=1"], 87),
                  (["group EXVS1 /prop FailoverThreshold=five"], 87), (["group EXVS1 /prop FailoverThreshold"], None)])
def _group_props(c, cmd):
    if cmd.name is None:
        if cmd.props or cmd.values:
            raise ClusterExeError(87, "name the group whose properties you set")
        rows = [row for g in c.groups for row in _prop_rows(g, c.groups[g], GROUP_PROPS)]
        return Outcome(_listing("group", "Listing properties for all resource groups:", rows))
    g = group_of(c, cmd.name)
    grp = c.groups[g]
    if cmd.props or cmd.values:
        kw = {}
        window = list(grp.failback_window) if grp.failback_window else [-1, -1]
        touched_window = False
        for d, v in _match_props(cmd, GROUP_PROPS, f"group {g}"):
            if d.key.startswith("window"):
                window[int(d.key[-1])] = v
                touched_window = True
            else:
                kw[d.key] = _to_labkit(d, v)
        if touched_window:
            if window == [-1, -1]:
                kw["failback_window"] = None
            elif -1 in window:
                raise ClusterExeError(87, "set FailbackWindowStart and FailbackWindowEnd together (both -1: no "
                                          "window)")
            else:
                kw["failback_window"] = tuple(window)
        call("group.properties", c.set_group_properties, g, **kw)
        return Outcome([])
    return Outcome(_listing("group", f"Listing properties for '{g}':", _prop_rows(g, grp, GROUP_PROPS)))


@handles("group", "privproperties", command="cluster group G /priv[properties]",
         api="(groups have no private properties)",
         ok=[["group EXVS1 /priv"]], refused=[(["group EXVS1 /priv Foo=1"], 87)])
def _group_priv(c, cmd):
    title = "Listing private properties for all resource groups:"
    if cmd.name:
        title = f"Listing private properties for '{group_of(c, cmd.name)}':"
    if cmd.props or cmd.values:
        raise ClusterExeError(87, "groups have no private properties in labkit")
    return Outcome(_listing("group", title, []))


@handles("group", "rename", command="cluster group G /ren[ame]:N", api="(not modelled: error 50)",
         refused=[(["group EXVS1 /rename:EXVS9"], 50)])
def _group_rename(c, cmd):
    group_of(c, cmd.name)
    return _not_modelled(c, cmd)


# ---------------------------------------------------------------- resources
SMTP = '"SMTP Virtual Server Instance 1 (EXVS1)"'
PRINT = ["group PRINT /create",
         'res "Disk T:" /create /group:PRINT /type:"Physical Disk" Drive=T:',
         'res "PRINT IP" /create /group:PRINT /type:"IP Address" Address=132.192.1.50',
         'res "PRINT Name" /create /group:PRINT /type:"Network Name" Name=PRINT1 /adddep:"PRINT IP"']


handles("resource", "status", command="cluster res[ource] [R] [/stat[us]]", api="Cluster.resources",
        ok=[["cluster res"], ['cluster res "disk q:"'], ['cluster resource "Disk Q:" /status']],
        refused=[(['res "Disk Z:"'], 5007), (["res Disk Q: /status"], None)])(_status)
handles("resource", "node", command="cluster res /node:N", api="Resource.node",
        ok=[["res /node:2-MOE"]], refused=[(["res /node:9-NOBODY"], 5042)])(_on_node)


@handles("resource", "create",
         command='cluster res R /create /group:G /type:"T" [/separate] [/adddep:D ...] [Prop=value ...]',
         api="Cluster.add_resource(R, type=T, group=G, separate_monitor=, dependencies=, **props)",
         ok=[[S], PRINT, ['res "PRINT IP" /create /group:EXVS1 /type:"IP Address"'], PRINT[:1] + ['res "PRINT App" /create /group:PRINT /type:"generic application" /separate '
                                      'CommandLine="C:\\print\\spool.exe"']],
         refused=[(['res "PRINT Share" /create /group:EXVS1 /type:"File Share"'], 87),
                  (['res X /create /group:EXVS1 /type:"Bogus Type"'], 5078),
                  (['res "disk q:" /create /group:EXVS1 /type:"Physical Disk" Drive=T:'], 5010),
                  (['res "Disk T:" /create /group:EXVS1 /type:"Physical Disk" Drive=Q:'], 5010),
                  (['res "X IP" /create /group:EXVS1 /type:"IP Address" Address=132.192.1.11'], 5057),
                  (['res X /create /group:EXVS9 /type:"Physical Disk" Drive=T:'], 5013),
                  (['res X /create /group:EXVS1 /type:"Physical Disk" Color=blue'], 87),
                  (['res X /create /group:EXVS1'], None),
                  (['res X /create /type:"IP Address" /group:A /group:B'], None),
                  (['res X /create /group:EXVS1 /type:IP Address'], None)])
def _res_create(c, cmd):
    if find_name(c.resources, cmd.name) is not None:
        raise ClusterExeError(5010, f"a resource named {find_name(c.resources, cmd.name)!r} exists (names are "
                                    "compared without case)")
    g = group_of(c, cmd.params["group"])
    t = type_of(c, cmd.params["type"])
    deps = [resource_of(c, d) for d in cmd.params.get("adddependency", [])] or None
    props = _props_by_key(c, t, cmd.props, create=True)
    missing = [k for k in c.resource_types[t].required if k not in props]
    if missing:
        need = " ".join(f"{private_name(k)}=..." for k in missing)
        raise ClusterExeError(87, f"labkit creates a {t} resource with its {', '.join(map(private_name, missing))}: "
                                  f"add {need} to this /create line (cluster.exe would set it later with /priv)")
    call("res.create", c.add_resource, cmd.name, type=t, group=g, separate_monitor="separate" in cmd.params,
         dependencies=deps, **props)
    return Outcome([f"Creating resource '{cmd.name}'...", ""] + out.resource_table(resource_rows(c, [cmd.name])))


@handles("resource", "delete", command="cluster res R /delete", api="Cluster.delete_resource(R)",
         ok=[[S, 'res "Disk T:" /delete']],
         refused=[(['res "EXVS1 IP Address" /delete'], 5001), (['res "Disk Q:" /delete'], 5020),
                  (PRINT + ['res "PRINT Name" /online', 'res "PRINT Name" /delete'], 5019)])
def _res_delete(c, cmd):
    r = resource_of(c, cmd.name)
    call("res.delete", c.delete_resource, r)
    return Outcome([f"Deleting resource '{r}'"])


@handles("resource", "addowner", command="cluster res R /addowner:N", api="Cluster.add_possible_owner(R, N)",
         ok=[[S, 'res "Disk T:" /removeowner:4-JERRY', 'res "Disk T:" /addowner:4-jerry']],
         refused=[(['res "EXVS1 IP Address" /addowner:2-MOE'], 5011), (['res "Disk Q:" /addowner:2-MOE'], 5068),
                  (['res "EXVS1 IP Address" /addowner:9-NOBODY'], 5042)])
def _addowner(c, cmd):
    r = resource_of(c, cmd.name)
    n = node_of(c, cmd.value)
    _quorum_owners(c, r)
    call("res.addowner", c.add_possible_owner, r, n)
    return Outcome([f"Adding '{n}' to possible owners of '{r}'...", ""])


def _quorum_owners(c: Cluster, r: str) -> None:
    if r == c.quorum_resource:
        raise ClusterExeError(5068, f"{r!r} is the quorum resource: every node stays a possible owner")


@handles("resource", "removeowner", command="cluster res R /removeowner:N",
         api="Cluster.remove_possible_owner(R, N)",
         ok=[['res "EXVS1 IP Address" /removeowner:4-JERRY']],
         refused=[(['res "EXVS1 IP Address" /removeowner:1-CURLY'], 5023),
                  (['res "EXVS1 IP Address" /removeowner:4-JERRY', 'res "EXVS1 IP Address" /removeowner:4-JERRY'],
                   1168), (['res "Disk Q:" /removeowner:2-MOE'], 5068)])
def _removeowner(c, cmd):
    r = resource_of(c, cmd.name)
    n = node_of(c, cmd.value)
    _quorum_owners(c, r)
    call("res.removeowner", c.remove_possible_owner, r, n)
    return Outcome([f"Removing '{n}' from possible owners of '{r}'...", ""])


@handles("resource", "listowners", command="cluster res R /listowners", api="Resource.possible_owners",
         ok=[['res "Disk Q:" /listowners']], refused=[(['res "Disk Z:" /listowners'], 5007)])
def _res_listowners(c, cmd):
    r = resource_of(c, cmd.name)
    return Outcome(out.owner_list(f"Listing possible owners for resource '{r}':", "Possible Owner Nodes",
                                  c.resources[r].possible_owners))


@handles("resource", "fail", command="cluster res R /fail", api="Cluster.fail_resource(R) (no wait)",
         ok=[['res "EXVS1 IP Address" /fail']],
         refused=[([f"res {SMTP} /offline", f"res {SMTP} /fail"], 5084), (['res "Disk Z:" /fail'], 5007)])
def _fail(c, cmd):
    r = resource_of(c, cmd.name)
    call("res.fail", c.fail_resource, r)
    return Outcome([f"Failing resource '{r}'...", ""] + out.resource_table(resource_rows(c, [r])))


def _res_done(c, r: str, online: bool):
    def done():
        x = c.resources.get(r)
        if x is None:
            return True
        if x.state.pending or x.restart_pending:
            return False
        if online and x.state is ResourceState.ONLINE or not online and x.state is not ResourceState.ONLINE:
            return True
        return group_settled(c, x.group)
    return done


@handles("resource", "online", command="cluster res R /on[line] [/wait[:s]]",
         api="Cluster.online_resource(R), then the clock runs until R settles",
         ok=[[f"res {SMTP} /offline", f"res {SMTP} /online"]],
         refused=[([f"res {SMTP} /offline", "node 1-CURLY /pause", f"res {SMTP} /online"], 5070),
                  (["group PRINT /create", 'res "X App" /create /group:PRINT /type:"Generic Application"',
                    'res "X App" /removeowner:1-CURLY', 'res "X App" /online'], 5071)])
def _res_online(c, cmd):
    r = resource_of(c, cmd.name)
    g = c.resources[r].group
    call("res.online", c.online_resource, r, node=c.groups[g].owner, c=c)
    waited = wait_until(c, _res_done(c, r, True), _timeout(cmd))
    return Outcome([f"Bringing resource '{r}' online...", ""] + out.resource_table(resource_rows(c, [r])), waited)


@handles("resource", "offline", command="cluster res R /off[line] [/wait[:s]]",
         api="Cluster.offline_resource(R), then the clock runs until R settles",
         ok=[[f"res {SMTP} /offline"], [f"res {SMTP} /off /wait:0"]],
         refused=[(['res "Disk Q:" /offline'], 5068)])
def _res_offline(c, cmd):
    r = resource_of(c, cmd.name)
    call("res.offline", c.offline_resource, r)
    waited = wait_until(c, _res_done(c, r, False), _timeout(cmd))
    return Outcome([f"Taking resource '{r}' offline...", ""] + out.resource_table(resource_rows(c, [r])), waited)


@handles("resource", "listdependencies", command="cluster res R /listdep[endencies]",
         api="Resource.dependencies",
         ok=[['res "Exchange System Attendant - (EXVS1)" /listdep']], refused=[(['res "Disk Z:" /listdep'], 5007)])
def _listdep(c, cmd):
    r = resource_of(c, cmd.name)
    return Outcome([f"Listing resource dependencies for '{r}':", ""]
                   + out.resource_table(resource_rows(c, c.resources[r].dependencies)))


@handles("resource", "adddependency", command="cluster res R /adddep[endency]:D",
         api="Cluster.add_dependency(R, D)",
         ok=[[f"res {SMTP} /offline", f'res {SMTP} /adddep:"EXVS1 IP Address"']],
         refused=[([f'res {SMTP} /adddep:"EXVS1 IP Address"'], 5019),
                  ([f'res {SMTP} /adddep:"Disk Q:"'], 87),
                  (['res "EXVS1 IP Address" /adddep:"EXVS1 Network Name"'], 1059),
                  (['res "EXVS1 Network Name" /adddep:"EXVS1 IP Address"'], 5003),
                  ([S, 'res "Disk Q:" /adddep:"Disk T:"'], 5069), ([f"res {SMTP} /adddep"], None)])
def _adddep(c, cmd):
    r = resource_of(c, cmd.name)
    d = resource_of(c, cmd.value)
    call("res.adddep", c.add_dependency, r, d)
    return Outcome([f"Making resource '{r}' depend on resource '{d}'...", ""])


@handles("resource", "removedependency", command="cluster res R /removedep[endency]:D",
         api="Cluster.remove_dependency(R, D)",
         ok=[PRINT + ['res "PRINT Name" /removedep:"PRINT IP"']],
         refused=[(PRINT + ['res "PRINT Name" /removedep:"Disk T:"'], 5002),
                  (PRINT + ['res "PRINT Name" /online', 'res "PRINT Name" /removedep:"PRINT IP"'], 5019)])
def _removedep(c, cmd):
    r = resource_of(c, cmd.name)
    d = resource_of(c, cmd.value)
    call("res.removedep", c.remove_dependency, r, d)
    return Outcome([f"Removing dependency of resource '{r}' on resource '{d}'...", ""])


@handles("resource", "properties", command="cluster res [R] /prop[erties] [name=value ...]",
         api="Cluster.set_resource_properties(R, ...)",
         ok=[['res "Disk Q:" /prop'], ['res "EXVS1 IP Address" /prop RestartThreshold=5 RestartPeriod=600000'],
             [f"res {SMTP} /offline", f"res {SMTP} /prop SeparateMonitor=1"],
             ['res "EXVS1 IP Address" /prop RestartAction=0',
              'res "EXVS1 IP Address" /prop:RestartAction /usedefault']],
         refused=[(['res "Disk Q:" /prop RestartAction=7'], 87), (['res "Disk Q:" /prop RestartPeriod=1500'], 87),
                  (['res "Disk Q:" /prop SeparateMonitor=1'], 5019), (['res "Disk Q:" /prop Type=X'], 87),
                  (['res "Disk Q:" /prop RestartThreshold=3 RestartThreshold=4'], 87),
                  (['res "Disk Q:" /prop:RestartThreshold'], None)])
def _res_props(c, cmd):
    if cmd.name is None:
        if cmd.props or cmd.values:
            raise ClusterExeError(87, "name the resource whose properties you set")
        rows = [row for rn in c.resources for row in _prop_rows(rn, c.resources[rn], RESOURCE_PROPS)]
        return Outcome(_listing("resource", "Listing properties for all resources:", rows))
    r = resource_of(c, cmd.name)
    res = c.resources[r]
    if cmd.props or cmd.values:
        kw = {}
        for d, v in _match_props(cmd, RESOURCE_PROPS, f"resource {r}"):
            kw[d.key] = _to_labkit(d, v)
        call("res.properties", c.set_resource_properties, r, **kw)
        return Outcome([])
    return Outcome(_listing("resource", f"Listing properties for '{r}':", _prop_rows(r, res, RESOURCE_PROPS)))


def _priv_rows(c: Cluster, rn: str) -> list:
    r = c.resources[rn]
    rows = []
    for key, value in r.properties.items():
        kind = "D" if isinstance(value, int) or isinstance(value, bool) else "S"
        settable = key in SETTABLE.get(r.type, ())
        rows.append((rn, private_name(key), kind, not settable, value))
    return rows


@handles("resource", "privproperties", command="cluster res [R] /priv[properties] [name=value ...]",
         api="Resource.properties (set: labkit.clusterexe.commands.set_private_properties)",
         ok=[['res "Disk Q:" /priv'], ['res "EXVS1 IP Address" /priv SubnetMask=255.255.0.0'],
             PRINT + ['res "PRINT IP" /priv Network="Public" SubnetMask=255.255.255.128'], ["res /priv"],
             [S + " SizeGB=18.2", 'res "Disk T:" /priv Signature=0x1A2B SizeGB=36'],
             PRINT[:1] + ['res "P IP" /create /group:PRINT /type:"IP Address"',
                          'res "P IP" /priv Address=132.192.1.60 SubnetMask=255.255.255.0']],
         refused=[(['res "EXVS1 IP Address" /priv Address=132.192.1.99'], 87),
                  (PRINT[:1] + ['res "P IP" /create /group:PRINT /type:"IP Address"',
                                'res "P IP" /priv Address=132.192.1.11'], 5057),
                  (['res "EXVS1 IP Address" /priv SubnetMask=255.0.255.0'], 87),
                  (['res "Disk Q:" /priv Foo=1'], 87), (['res "Disk Q:" /priv DiskType=dynamic'], 87),
                  (['res "EXVS1 IP Address" /priv SubnetMask=1:binary'], 87),
                  (['res "EXVS1 IP Address" /priv SubnetMask=1:bogus'], None),
                  ([S, 'res "Disk T:" /priv Signature=99999999999'], 87), ([S, 'res "Disk T:" /priv SizeGB=-1'], 87)])
def _res_priv(c, cmd):
    if cmd.name is None:
        if cmd.props or cmd.values:
            raise ClusterExeError(87, "name the resource whose private properties you set")
        rows = [row for rn in c.resources for row in _priv_rows(c, rn)]
        return Outcome(_listing("resource", "Listing private properties for all resources:", rows))
    r = resource_of(c, cmd.name)
    if cmd.values:
        raise ClusterExeError(87, "labkit cannot delete a private property (/usedefault)")
    if cmd.props:
        warning = set_private_properties(c, r, cmd.props)
        return Outcome([], warning=warning)
    return Outcome(_listing("resource", f"Listing private properties for '{r}':", _priv_rows(c, r)))


def set_private_properties(c: Cluster, name: str, props) -> ClusterExeError | None:
    """Set private properties (``Prop`` name/value pairs) of resource ``name`` after every
    check; a resource that is not Offline gets cluster.exe's warning 5024 ("stored, ...
    take effect ... the next time the resource is brought online"). labkit's core has no
    such command yet: this writes ``Resource.properties`` (a public field) and logs it."""
    r = c.resources[name]
    values = _check_identity(c, name, _props_by_key(c, r.type, props, create=False, existing=r.properties))
    r.properties.update(values)
    if any(k in IDENTITY.get(r.type, ()) for k in values):
        c._claims = None  # the core's index of addresses, names and drives: rebuilt on its next use
    c.record(name, "private properties set", ", ".join(f"{private_name(k)}={v}" for k, v in values.items()),
             r.node)
    if r.state is not ResourceState.OFFLINE:
        return ClusterExeError(5024, f"{name!r} is {r.state}", warning=True)
    return None


@handles("resource", "rename", "moveto", "addcheckpoints", "removecheckpoints", "checkpoints", "maintenancemode",
         command="cluster res R /ren[ame] | /move[to]:G | /addcheck | /removecheck | /check | /maint",
         api="(not modelled: error 50)",
         refused=[(['res "Disk Q:" /rename:X'], 50), (['res "EXVS1 IP Address" /moveto:"Cluster Group"'], 50)])
def _res_not_modelled(c, cmd):
    if cmd.name:
        resource_of(c, cmd.name)
    return _not_modelled(c, cmd)


# ---------------------------------------------------------------- resource types
@handles("resourcetype", "list", command="cluster restype | resourcetype [/list]",
         api="Cluster.resource_types", ok=[["cluster restype"], ["cluster resourcetype /list"]],
         refused=[(["cluster restype /listowners"], 50)])
def _restypes(c, cmd):
    rows = [f"{t:<36} {t}" for t in sorted(c.resource_types)]
    return Outcome(["Listing all available resource types:", "",
                    "Display Name                         Resource Type Name",
                    "------------------------------------ ------------------------------------"] + rows)
