"""Cluster files: save a whole cluster as YAML or JSON and load it back.

A cluster file holds everything: the configuration (nodes, groups, resources,
dependencies, owners, properties), the run-time state (who owns what, what is
online, pending moves, failure counts), the simulated clock, the queued work
(a resource half-way online, a regroup about to happen), the cluster log and the
plug-ins' state (``cluster.extensions``, e.g. the Exchange organisation). The
schema is versioned and written down in ``docs/cluster-file.md``.

- ``save(cluster, path)`` / ``dumps(cluster, format="yaml")`` write it; the same
  cluster always gives the same bytes, so save -> load -> save is byte-identical.
- ``load(path)`` / ``loads(text)`` read it into a new :class:`~labkit.Cluster`,
  built directly from the file (no command is replayed), and check everything
  first: one :class:`~labkit.errors.FileFormatError` lists *every* problem with
  its place in the file (``groups.EXVS2.preferred_owners[1]: no node named
  5-SHEMP``). A truncated or corrupt file is refused and nothing changes.
- A loaded cluster behaves exactly like the one that was saved: saved in the
  middle of a failover, it finishes the failover with the same log.

>>> import labkit as lk
>>> c = lk.Cluster("LAB", ip="10.0.0.100"); _ = c.add_node("NODE1", ip="10.0.0.1")
>>> c.crash_node("NODE1"); text = dumps(c)
>>> print(text.splitlines()[2])
format: labkit cluster file
>>> loads(text).to_dict() == c.to_dict() and dumps(loads(text)) == text
True
>>> loads(text.replace("NODE1: {id: 1", "NODE1: {id: one"))
Traceback (most recent call last):
labkit.errors.FileFormatError: cluster file: nodes.NODE1.id: expected a whole number, not 'one' [rule: a cluster file follows the labkit cluster file schema, version 1; source: docs/cluster-file.md]

Plug-ins keep their state in ``cluster.extensions[name]``; an object there needs a
``to_dict()`` method and a loader registered with :func:`register_extension`
(the Exchange layer's are registered here, imported only when a file uses them).
"""
from __future__ import annotations

import difflib
import importlib
import json
import math
import os
import random
import re
import tempfile
from dataclasses import fields
from datetime import datetime, timedelta
from enum import Enum
from pathlib import Path

from .cluster.cluster import DEFAULT_ACCOUNT, EDITIONS, JOB_HANDLERS, Cluster, ClusterSettings
from .cluster.model import (GROUP_DEFAULTS, RESOURCE_DEFAULTS, SHARED_MONITOR, Group, GroupState, Node,
                            NodeState, Resource, ResourceState, RestartAction)
from .cluster.types import CORE_TYPES, REGISTRY, check_netbios_name, check_static_ip
from .errors import FileFormatError, LabkitError, StateError, ValidationError
from .sim import START, ClusterLog, EventQueue, LogEvent

__all__ = ["save", "load", "dumps", "loads", "to_data", "from_data", "register_extension", "file_error",
           "FORMAT", "VERSION", "PLUGIN_PACKAGES"]

#: The first line of every cluster file's data: what it is.
FORMAT = "labkit cluster file"
#: The schema version this labkit writes and reads (docs/cluster-file.md).
VERSION = 1
#: The last key of every file; a file without it was cut short.
END = FORMAT
RULE = f"a cluster file follows the labkit cluster file schema, version {VERSION}"
SOURCE = "docs/cluster-file.md"

#: Packages that register resource types, job handlers or extension loaders; imported
#: (only) when a file names something labkit does not know yet.
PLUGIN_PACKAGES: list[str] = ["labkit.exchange"]

#: Extension loaders: name -> (loader(data) -> object, check(data, path) -> [(path, message)] or None,
#: check_loaded(cluster, obj, path) -> [(path, message)] or None).
_EXTENSIONS: dict[str, tuple] = {}
#: Loaders registered lazily, as "module:attribute" texts (imported when a file uses them):
#: the Exchange layer's, so that labkit.exchange loads only when a file holds Exchange state.
_LAZY_EXTENSIONS: dict[str, tuple[str, str | None, str | None]] = {
    "exchange": ("labkit.exchange.model:ExchangeOrg.from_dict", "labkit.files:_check_exchange",
                 "labkit.files:_exchange_refs"),
    "exchange55": ("labkit.exchange.e55:E55Server.from_dict", "labkit.files:_check_e55", None),
}


def register_extension(name: str, loader, check=None, check_loaded=None) -> None:
    """Make ``cluster.extensions[name]`` loadable: ``loader(data)`` rebuilds the object
    from its ``to_dict()``. Optional checks return lists of ``(path, message)``
    problems: ``check(data, path)`` before anything is built, ``check_loaded(cluster,
    obj, path)`` on the built cluster (references to groups, resources, nodes).

    >>> register_extension("notes", dict)
    >>> "notes" in _EXTENSIONS
    True
    """
    if not isinstance(name, str) or not name or not callable(loader) or not all(
            f is None or callable(f) for f in (check, check_loaded)):
        raise ValidationError("register_extension needs a name, a callable loader and optional callable checks")
    _EXTENSIONS[name] = (loader, check, check_loaded)
    _LAZY_EXTENSIONS.pop(name, None)


def _resolve(spec: str | None):
    if spec is None:
        return None
    module, _, attr = spec.partition(":")
    obj = importlib.import_module(module)
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj


def _extension(name: str):
    if name not in _EXTENSIONS and name in _LAZY_EXTENSIONS:
        _EXTENSIONS[name] = tuple(_resolve(spec) for spec in _LAZY_EXTENSIONS[name])
    return _EXTENSIONS.get(name)


def _import_plugins() -> None:
    for pkg in PLUGIN_PACKAGES:
        importlib.import_module(pkg)


# =============================================================================== the schema
# Field tables: (name, kind, default). ``kind`` names a checker below. Fields are written
# in this order; a field equal to its default is left out unless it is in ALWAYS.
_MISSING = object()

CLUSTER_FIELDS = (
    ("name", "netbios", _MISSING), ("ip", "ip?", None), ("edition", "edition", "Advanced Server"),
    ("seed", "int>=0", 0), ("quorum_resource", "str", "Disk Q:"), ("quorum_drive", "drive", "Q:"),
    ("running", "bool", False), ("clock_ms", "int>=0", 0), ("next_node_id", "int>=1", None),
    ("account", "str", DEFAULT_ACCOUNT), ("accounts", "accounts", None), ("evicted", "names", []),
    ("partition", "partition", None), ("resource_types", "types", None), ("random_state", "random", "initial"),
)
SETTINGS_FIELDS = tuple((f.name, "bool" if isinstance(f.default, bool) else "int>=1" if isinstance(f.default, int)
                         else "num>=0", f.default) for f in fields(ClusterSettings))
NODE_FIELDS = (
    ("id", "int>=1", _MISSING), ("ip", "ip?", None), ("state", NodeState, NodeState.UP),
    ("properties", "plain-dict", {}), ("down_reason", ("crash", "partition", "stopped", "quorum lost", None), None),
    ("regroup_pending", "bool", False), ("incarnation", "int>=0", 0), ("paused", "bool", False),
)
GROUP_FIELDS = (
    ("owner", "node?", None), ("preferred_owners", "nodes", []),
    ("failover_threshold", "int0-100000", GROUP_DEFAULTS["failover_threshold"]),
    ("failover_period_hours", "hours", GROUP_DEFAULTS["failover_period_hours"]),
    ("auto_failback", "bool", GROUP_DEFAULTS["auto_failback"]), ("failback_window", "window", None),
    ("persistent_state", "bool", False), ("failed", "bool", False), ("failovers", "times", []),
    ("move", "move", None), ("state", GroupState, GroupState.OFFLINE), ("outages", "outages", []),
    ("resources", "names", None),
)
RESOURCE_FIELDS = (
    ("type", "str", _MISSING), ("group", "str", _MISSING), ("possible_owners", "nodes", _MISSING),
    ("properties", "plain-dict", {}), ("dependencies", "names", []), ("state", ResourceState, ResourceState.OFFLINE),
    ("restart_action", RestartAction, RESOURCE_DEFAULTS["restart_action"]),
    ("restart_threshold", "int0-10000", RESOURCE_DEFAULTS["restart_threshold"]),
    ("restart_period_s", "int1-1e7", RESOURCE_DEFAULTS["restart_period_s"]),
    ("looks_alive_ms", "int10-1e8", RESOURCE_DEFAULTS["looks_alive_ms"]),
    ("is_alive_ms", "int10-1e8", RESOURCE_DEFAULTS["is_alive_ms"]),
    ("pending_timeout_ms", "int10-1e8", RESOURCE_DEFAULTS["pending_timeout_ms"]),
    ("monitor", "str", SHARED_MONITOR), ("core", "bool", False), ("node", "node?", None), ("wanted", "bool", False),
    ("restart_pending", "bool", False), ("failures", "times", []), ("online_since_ms", "int>=0?", None),
    ("fault", ("crash", "hang", None), None), ("persistent_fault", ("node", "everywhere", None), None),
    ("fault_node", "node?", None), ("online_veto", "str?", None), ("gen", "int>=0", 0),
)
TOP_KEYS = ("format", "version", "cluster", "settings", "nodes", "groups", "resources", "dependents_order",
            "extensions", "queue", "log", "end")
#: Fields written even when they hold their default (they make a file readable).
ALWAYS = {"id", "state", "owner", "type", "group", "possible_owners", "name", "running", "clock_ms",
          "next_node_id", "edition", "ip", "resource_types"}
LOG_COLUMNS = ("time", "node", "object", "what", "why")
JOB_COLUMNS = ("at_ms", "seq", "kind", "args", "transient")


# ============================================================================== paths, problems
_SIMPLE = re.compile(r"[A-Za-z0-9_-]+\Z")


def _p(base: str, key) -> str:
    """The path of ``key`` inside ``base``: ``groups.EXVS2``, ``[1]``, ``resources["Disk Q:"]``."""
    if isinstance(key, int):
        return f"{base}[{key}]"
    key = str(key)
    if _SIMPLE.match(key):
        return f"{base}.{key}" if base else key
    return f"{base}[{json.dumps(key, ensure_ascii=False)}]"


class _Problems:
    def __init__(self):
        self.items: list[tuple[str, str]] = []

    def add(self, path: str, message: str) -> None:
        self.items.append((path, message))

    def raise_if_any(self, origin: str) -> None:
        if self.items:
            raise file_error(origin, self.items)


def file_error(origin: str, problems: list[tuple[str, str]]) -> FileFormatError:
    """A :class:`FileFormatError` listing ``problems`` (``(path, message)``), one a line;
    the list is also in its ``problems`` attribute as ``"path: message"`` strings."""
    lines = [f"{p}: {m}" if p else m for p, m in problems]
    n = len(lines)
    text = lines[0] if n == 1 else f"{n} problems\n" + "\n".join("  " + s for s in lines)
    err = FileFormatError(f"{origin}: {text}", rule=RULE, source=SOURCE)
    err.problems = lines
    err.origin = origin
    return err


def _fatal(origin: str, message: str) -> FileFormatError:
    return file_error(origin, [("", message)])


def _show(v) -> str:
    text = repr(v)
    return text if len(text) <= 60 else text[:57] + "..."


# ================================================================================ writing
class _Flow(list):
    """A list written on one line (log lines, queued jobs, lists of names)."""


def _is_scalar(v) -> bool:
    return v is None or isinstance(v, (str, int, float, bool))


def _plain(v):
    """``v`` as plain data (dicts with string keys, lists, scalars); lists of scalars flow."""
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        items = [_plain(x) for x in v]
        return _Flow(items) if all(_is_scalar(x) for x in items) else items
    if isinstance(v, set):
        return _Flow(sorted(_plain(x) for x in v))
    if isinstance(v, Enum):
        return v.value
    return v


def _non_plain(v, path: str = "") -> str | None:
    """Where ``v`` holds something a YAML/JSON file cannot give back unchanged, or None."""
    if isinstance(v, dict):
        for k, x in v.items():
            if not isinstance(k, str):
                return f"{path or 'it'} has the key {k!r} (keys must be strings)"
            bad = _non_plain(x, _p(path, k))
            if bad:
                return bad
        return None
    if isinstance(v, list):
        for i, x in enumerate(v):
            bad = _non_plain(x, _p(path, i))
            if bad:
                return bad
        return None
    if isinstance(v, float) and not math.isfinite(v):
        return f"{path or 'it'} is {v!r}"
    if _is_scalar(v):
        return None
    return f"{path or 'it'} is a {type(v).__name__} ({_show(v)})"


def _entry(values: dict, table) -> dict:
    out = {}
    for name, _kind, default in table:
        if name not in values:
            continue
        v = values[name]
        if name not in ALWAYS and default is not _MISSING and v == _plain(default):
            continue
        out[name] = _plain(v)
    return out


def to_data(cluster: Cluster) -> dict:
    """The cluster file's content as plain data (what :func:`dumps` writes).

    Built from :meth:`Cluster.to_dict`, plus the order in which providers list their
    dependents where it is not the order of the resources (the core keeps it outside
    its snapshot).
    """
    if not isinstance(cluster, Cluster):
        raise ValidationError(f"save a labkit Cluster, not {_show(cluster)}", rule="cluster files hold a Cluster")
    if cluster._in_transaction:
        raise StateError("a cluster cannot be saved inside cluster.transaction()",
                         rule="save a cluster between commands")
    d = cluster.to_dict()
    for name, obj in cluster.extensions.items():
        if hasattr(obj, "to_dict") and _extension(name) is None:
            raise FileFormatError(f"extension {name!r} ({type(obj).__name__}) has no registered loader, so a file "
                                  f"could not give it back; call labkit.files.register_extension({name!r}, loader)",
                                  rule="every saved extension can be loaded", source=SOURCE)
        bad = _non_plain(d["extensions"][name], _p("extensions", name))
        if bad:
            raise FileFormatError(f"cannot save the cluster: {bad}, which YAML and JSON cannot hold",
                                  rule="extensions hold plain data (dicts, lists, strings, numbers)", source=SOURCE)
    initial = _plain(random.Random(d["seed"]).getstate())
    c = {"name": d["name"], "ip": d["ip"], "edition": d["edition"], "seed": d["seed"],
         "quorum_resource": d["quorum_resource"], "quorum_drive": d["quorum_drive"], "running": d["running"],
         "clock_ms": d["clock_ms"], "next_node_id": d["next_node_id"], "account": d["account"],
         "accounts": d["accounts"], "evicted": d["evicted"],
         "partition": None if d["partition_sides"] is None else
         {"sides": d["partition_sides"], "quorum_side": d["quorum_side"]},
         "resource_types": d["resource_types"],
         "random_state": "initial" if _plain(d["random_state"]) == initial else d["random_state"]}
    cdata = _entry(c, CLUSTER_FIELDS)
    if d["accounts"] == {DEFAULT_ACCOUNT: ["*"]}:
        cdata.pop("accounts", None)
    if c["partition"] is not None:
        cdata["partition"] = _plain(c["partition"])
    nodes = {n["name"]: _entry(n, NODE_FIELDS) for n in d["nodes"]}
    order = {r["name"]: i for i, r in enumerate(d["resources"])}
    groups = {}
    for g in d["groups"]:
        e = _entry(g, GROUP_FIELDS)
        e.pop("resources", None)
        derived = [r["name"] for r in d["resources"] if r["group"] == g["name"]]
        if g["resources"] != derived:
            e["resources"] = _plain(g["resources"])
        groups[g["name"]] = e
    resources = {r["name"]: _entry(r, RESOURCE_FIELDS) for r in d["resources"]}
    data = {"format": FORMAT, "version": VERSION, "cluster": cdata, "settings": _plain(d["settings"]),
            "nodes": nodes, "groups": groups, "resources": resources}
    canonical = _derive_dependents(d["resources"])
    odd = {p: _plain(lst) for p, lst in cluster._dependents.items()
           if lst and lst != canonical.get(p, []) and p in order}
    if odd:
        data["dependents_order"] = odd
    data["extensions"] = _plain(d["extensions"])
    data["queue"] = {"seq": d["queue"]["seq"],
                     "jobs": [_Flow([a, s, k, _plain(args), t]) for a, s, k, args, t in d["queue"]["jobs"]]}
    data["log"] = [_Flow(e) for e in d["log"]]
    data["end"] = END
    return data


def _derive_dependents(resources: list[dict]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for r in resources:
        for p in r["dependencies"]:
            out.setdefault(p, []).append(r["name"])
    return out


def dumps(cluster: Cluster, format: str = "yaml") -> str:
    """The cluster file's text: ``format`` is "yaml" (default) or "json".

    >>> import labkit as lk
    >>> c = lk.Cluster("LAB"); _ = c.add_node("N1")
    >>> import json; json.loads(dumps(c, "json"))["nodes"]
    {'N1': {'id': 1, 'ip': None, 'state': 'Up'}}
    """
    fmt = _format_name(format)
    data = to_data(cluster)
    if fmt == "json":
        return _json(data, 0) + "\n"
    head = (f"# {FORMAT}, version {VERSION} -- the schema is in docs/cluster-file.md\n"
            f"# {cluster.name} at {cluster.now:%Y-%m-%d %H:%M:%S}: {len(cluster.nodes)} nodes, {len(cluster.groups)} "
            f"groups, {len(cluster.resources)} resources, {len(cluster.log)} log events\n")
    return head + _yaml_dump(data)


def _format_name(fmt) -> str:
    f = str(fmt).lower().lstrip(".") if isinstance(fmt, str) else None
    if f in ("yaml", "yml"):
        return "yaml"
    if f == "json":
        return "json"
    raise ValidationError(f"cluster files are 'yaml' or 'json', not {fmt!r}", rule="cluster files are YAML or JSON")


def _format_of(path: Path) -> str:
    ext = path.suffix.lower()
    if ext in (".yaml", ".yml"):
        return "yaml"
    if ext == ".json":
        return "json"
    raise ValidationError(f"{path}: a cluster file's name ends in .yaml, .yml or .json",
                          rule="cluster files are YAML or JSON")


def save(cluster: Cluster, path, format: str | None = None) -> Path:
    """Write ``cluster`` to ``path`` (YAML or JSON after its extension, or ``format``).
    The file is replaced in one step: a crash while saving leaves the old file intact."""
    path = Path(path)
    fmt = _format_name(format) if format is not None else _format_of(path)
    text = dumps(cluster, fmt)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ValidationError(f"{path}: folder {folder} does not exist", rule="save into an existing folder")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


# ---- YAML and JSON emitters (deterministic) -------------------------------------------
def _yaml_dump(data) -> str:
    import yaml

    base = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

    class Dumper(base):
        pass

    def flow(dumper, value):
        return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)

    def block(dumper, value):
        return dumper.represent_sequence("tag:yaml.org,2002:seq", value,
                                         flow_style=all(_is_scalar(x) for x in value) or None)

    def mapping(dumper, value):
        return dumper.represent_mapping("tag:yaml.org,2002:map", value, flow_style=_short(value) or None)

    Dumper.add_representer(_Flow, flow)
    Dumper.add_representer(list, block)
    Dumper.add_representer(dict, mapping)
    return yaml.dump(data, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=1 << 30,
                     default_flow_style=False)


def _short(d: dict) -> bool:
    """A mapping written on one line: empty, or a few short plain values."""
    return not d or (len(d) <= 8 and all(_is_scalar(x) or isinstance(x, _Flow) for x in d.values())
                     and sum(len(str(k)) + len(str(x)) for k, x in d.items()) < 100)


def _json(v, indent: int) -> str:
    pad, inner = " " * indent, " " * (indent + 2)
    if isinstance(v, dict):
        if _short(v):
            return json.dumps(v, ensure_ascii=False)
        items = [f"{inner}{json.dumps(k, ensure_ascii=False)}: {_json(x, indent + 2)}" for k, x in v.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(v, list):
        if isinstance(v, _Flow) or all(_is_scalar(x) for x in v):
            return json.dumps(v, ensure_ascii=False)
        items = [inner + _json(x, indent + 2) for x in v]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return json.dumps(v, ensure_ascii=False)


# ================================================================================ reading
def loads(text, format: str | None = None, *, origin: str = "cluster file") -> Cluster:
    """Build a cluster from a cluster file's text (YAML, or JSON when it starts with
    ``{`` or ``format="json"``). Raises one :class:`FileFormatError` listing every problem."""
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as e:
            raise _fatal(origin, f"not a text file: byte {e.start} (0x{text[e.start]:02x}) is not UTF-8; the file "
                                 "is corrupt or not a cluster file") from None
    if not isinstance(text, str):
        raise ValidationError(f"loads() takes the file's text, not {_show(text)}", rule="cluster files are text")
    if "\x00" in text:
        raise _fatal(origin, "the file holds NUL bytes: it is corrupt or not a cluster file")
    fmt = _format_name(format) if format is not None else ("json" if text.lstrip()[:1] in ("{", "[") else "yaml")
    probs = _Problems()
    data = _parse_json(text, origin) if fmt == "json" else _parse_yaml(text, origin, probs)
    return from_data(data, origin=origin, _problems=probs)


def load(path) -> Cluster:
    """Load the cluster saved in ``path`` (``.yaml``, ``.yml`` or ``.json``)."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise _fatal(str(p), "no such file") from None
    except IsADirectoryError:
        raise _fatal(str(p), "is a folder, not a cluster file") from None
    except OSError as e:
        raise _fatal(str(p), f"cannot read it: {e.strerror or e}") from None
    fmt = "json" if p.suffix.lower() == ".json" else None
    return loads(raw, fmt, origin=str(p))


def _parse_json(text: str, origin: str):
    def pairs(items):
        out, dup = {}, []
        for k, v in items:
            if k in out:
                dup.append(k)
            out[k] = v
        if dup:
            raise ValueError(f"the key {dup[0]!r} appears twice in one object")
        return out

    def constant(name):
        raise ValueError(f"{name} is not a number a cluster file may hold")

    try:
        return json.loads(text, object_pairs_hook=pairs, parse_constant=constant)
    except json.JSONDecodeError as e:
        end = e.pos >= len(text.rstrip())
        raise _fatal(origin, f"line {e.lineno}, column {e.colno}: " +
                     ("the JSON ends early: the file is truncated" if end else f"not valid JSON ({e.msg})")) from None
    except ValueError as e:
        raise _fatal(origin, f"not a valid cluster file: {e}") from None
    except RecursionError:
        raise _fatal(origin, "the JSON is nested too deeply to be a cluster file") from None


def _parse_yaml(text: str, origin: str, probs: _Problems):
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(base):
        def construct_object(self, node, deep=False):
            if node in self.constructed_objects:
                raise yaml.constructor.ConstructorError(
                    None, None, "aliases (*name) are not allowed in a cluster file", node.start_mark)
            return super().construct_object(node, deep)

        def construct_mapping(self, node, deep=False):
            seen = set()
            for key_node, _ in node.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
                if key in seen:
                    probs.add("", f"line {key_node.start_mark.line + 1}: the key {key!r} appears twice")
                seen.add(key)
            return super().construct_mapping(node, deep)

    try:
        return yaml.load(text, Loader=Loader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        end = mark is not None and mark.index >= len(text.rstrip()) - 1
        what = " ".join(str(x) for x in (e.context, e.problem) if x)
        raise _fatal(origin, where + ("the YAML ends early: the file is truncated" if end and "end" in what
                                      else f"not valid YAML ({what})")) from None
    except yaml.YAMLError as e:
        raise _fatal(origin, f"not valid YAML ({e})") from None
    except RecursionError:
        raise _fatal(origin, "the YAML is nested too deeply to be a cluster file") from None


# ---- checking ------------------------------------------------------------------------
class _Check:
    """Checks a file's data, collecting problems with their paths."""

    def __init__(self, probs: _Problems, node_names=(), group_names=()):
        self.probs = probs
        self.nodes = set(node_names)
        self.groups = set(group_names)

    def bad(self, path, msg):
        self.probs.add(path, msg)
        return _MISSING

    def value(self, kind, v, path):
        """Check ``v`` against ``kind``; return it (normalised) or _MISSING after recording a problem."""
        if isinstance(kind, type) and issubclass(kind, (NodeState, GroupState, ResourceState, RestartAction)):
            try:
                return kind(v)
            except (ValueError, TypeError):
                return self.bad(path, f"expected one of {', '.join(m.value for m in kind)}, not {_show(v)}")
        if isinstance(kind, tuple):
            if v not in kind or isinstance(v, bool):
                shown = ", ".join("null" if k is None else k for k in kind)
                return self.bad(path, f"expected one of {shown}, not {_show(v)}")
            return v
        if kind.endswith("?"):
            return None if v is None else self.value(kind[:-1], v, path)
        if kind == "str":
            if not isinstance(v, str) or not v.strip():
                return self.bad(path, f"expected a non-empty string, not {_show(v)}")
            return v
        if kind == "bool":
            if not isinstance(v, bool):
                return self.bad(path, f"expected true or false, not {_show(v)}")
            return v
        if kind.startswith("int"):
            if not isinstance(v, int) or isinstance(v, bool):
                return self.bad(path, f"expected a whole number, not {_show(v)}")
            lo, hi = {"int>=0": (0, None), "int>=1": (1, None), "int0-100000": (0, 100000),
                      "int0-10000": (0, 10000), "int1-1e7": (1, 10**7), "int10-1e8": (10, 10**8)}[kind]
            if v < lo or (hi is not None and v > hi):
                return self.bad(path, f"{v} is out of range ({lo}..{hi if hi is not None else 'no limit'})")
            return v
        if kind in ("num>=0", "hours"):
            if not isinstance(v, (int, float)) or isinstance(v, bool) or not math.isfinite(v):
                return self.bad(path, f"expected a number, not {_show(v)}")
            if kind == "hours" and not 0 < v <= 1193:
                return self.bad(path, f"{v} is out of range (FailoverPeriod is more than 0 and at most 1193 hours)")
            if v < 0:
                return self.bad(path, f"{v} is negative")
            return v
        if kind == "netbios":
            try:
                return check_netbios_name(v, "the name")
            except LabkitError as e:
                return self.bad(path, e.detail)
        if kind == "ip":
            try:
                return check_static_ip(v, "the address")
            except LabkitError as e:
                return self.bad(path, e.detail)
        if kind == "drive":
            if not (isinstance(v, str) and re.fullmatch(r"[A-Za-z]:", v)):
                return self.bad(path, f"expected a drive letter like 'Q:', not {_show(v)}")
            return v
        if kind == "edition":
            if not isinstance(v, str) or v not in EDITIONS:
                return self.bad(path, f"expected one of {', '.join(EDITIONS)}, not {_show(v)}")
            return v
        if kind == "node":
            if not isinstance(v, str):
                return self.bad(path, f"expected a node name, not {_show(v)}")
            if v not in self.nodes:
                return self.bad(path, f"no node named {v}")
            return v
        if kind in ("nodes", "names"):
            if not isinstance(v, list):
                return self.bad(path, f"expected a list of names, not {_show(v)}")
            out, ok = [], True
            for i, x in enumerate(v):
                got = self.value("node" if kind == "nodes" else "str", x, _p(path, i))
                if got is _MISSING:
                    ok = False
                elif got in out:
                    self.bad(_p(path, i), f"{got} is listed twice")
                    ok = False
                out.append(got)
            return out if ok else _MISSING
        if kind == "times":
            if not isinstance(v, list):
                return self.bad(path, f"expected a list of times (ms), not {_show(v)}")
            ok = all([self.value("int>=0", x, _p(path, i)) is not _MISSING for i, x in enumerate(v)])
            return list(v) if ok else _MISSING
        if kind == "plain-dict":
            if not isinstance(v, dict):
                return self.bad(path, f"expected a mapping, not {_show(v)}")
            bad = _non_plain(v, path)
            if bad:
                return self.bad(path, f"holds something other than plain data: {bad}")
            return v
        if kind == "window":
            if v is None:
                return None
            if not (isinstance(v, list) and len(v) == 2 and all(isinstance(h, int) and not isinstance(h, bool)
                                                                  and 0 <= h <= 23 for h in v) and v[0] != v[1]):
                return self.bad(path, f"expected [start_hour, end_hour] with different hours 0-23, not {_show(v)}")
            return (v[0], v[1])
        if kind == "outages":
            if not isinstance(v, list):
                return self.bad(path, f"expected a list of [start_ms, end_ms or null], not {_show(v)}")
            ok = True
            for i, x in enumerate(v):
                if not (isinstance(x, list) and len(x) == 2 and isinstance(x[0], int) and not isinstance(x[0], bool)
                        and x[0] >= 0 and (x[1] is None or (isinstance(x[1], int) and not isinstance(x[1], bool)
                                                            and x[1] >= x[0]))):
                    self.bad(_p(path, i), f"expected [start_ms, end_ms or null] with end >= start, not {_show(x)}")
                    ok = False
            return [list(x) for x in v] if ok else _MISSING
        if kind == "accounts":
            if not isinstance(v, dict) or not all(isinstance(r, list) and all(isinstance(x, str) and x for x in r)
                                                   for r in v.values()):
                return self.bad(path, f"expected a mapping of account name to a list of rights, not {_show(v)}")
            return {k: list(r) for k, r in v.items()}
        if kind == "types":
            if not isinstance(v, list) or not all(isinstance(x, str) and x for x in v):
                return self.bad(path, f"expected a list of resource type names, not {_show(v)}")
            return list(v)
        if kind == "random":
            return v
        if kind == "partition":
            if v is None:
                return None
            if not isinstance(v, dict) or not self.keys(v, ("sides", "quorum_side"), path, ("sides", "quorum_side")):
                return self.bad(path, "expected null or a mapping with sides and quorum_side") if not isinstance(
                    v, dict) else _MISSING
            sides = v["sides"]
            if not isinstance(sides, list) or len(sides) < 2:
                return self.bad(_p(path, "sides"), f"expected two or more lists of node names, not {_show(sides)}")
            got = [self.value("nodes", s, _p(_p(path, "sides"), i)) for i, s in enumerate(sides)]
            q = self.value("nodes?", v["quorum_side"], _p(path, "quorum_side"))
            if _MISSING in got or q is _MISSING:
                return _MISSING
            return {"sides": got, "quorum_side": q}
        if kind == "move":
            if v is None:
                return None
            if not isinstance(v, dict):
                return self.bad(path, f"expected null or a mapping with reason, target (and why), not {_show(v)}")
            ok = self.keys(v, ("reason", "target", "why"), path, required=("reason", "target"))
            if "reason" in v and v["reason"] not in ("failover", "move", "failback", "node failure"):
                self.bad(_p(path, "reason"), f"expected one of failover, move, failback, node failure, "
                                             f"not {_show(v['reason'])}")
                ok = False
            if v.get("target") is not None and self.value("node", v["target"], _p(path, "target")) is _MISSING:
                ok = False
            if "why" in v and self.value("str", v["why"], _p(path, "why")) is _MISSING:
                ok = False
            return dict(v) if ok else _MISSING
        raise AssertionError(kind)  # pragma: no cover

    def keys(self, mapping: dict, known, path: str, required=()) -> bool:
        ok = True
        for k in mapping:
            if k not in known:
                near = difflib.get_close_matches(str(k), [str(x) for x in known], n=1)
                hint = f" (did you mean {near[0]!r}?)" if near else ""
                self.bad(_p(path, str(k)), f"unknown field{hint}")
                ok = False
        for k in required:
            if k not in mapping:
                self.bad(_p(path, k), "missing (required)")
                ok = False
        return ok

    def entry(self, raw, table, path: str) -> dict | None:
        """Check one object against a field table; return its values with defaults filled."""
        if not isinstance(raw, dict):
            self.bad(path, f"expected a mapping of fields, not {_show(raw)}")
            return None
        required = [n for n, _k, d in table if d is _MISSING]
        ok = self.keys(raw, [n for n, _k, _d in table], path, required)
        out = {}
        for name, kind, default in table:
            if name in raw:
                got = self.value(kind, raw[name], _p(path, name))
                ok = ok and got is not _MISSING
                out[name] = got
            elif default is not _MISSING:
                out[name] = _copy(default)
        return out if ok else None


def _copy(v):
    return [_copy(x) for x in v] if isinstance(v, list) else dict(v) if isinstance(v, dict) else v


def _type_problem(v, ann: str) -> str | None:
    """Why ``v`` does not match a simple annotation ("str", "int | None", "dict[str, int]"...)."""
    ann = ann.replace(" ", "")
    if ann.endswith("|None"):
        return None if v is None else _type_problem(v, ann[:-5])
    if ann == "str":
        return None if isinstance(v, str) else f"expected a string, not {_show(v)}"
    if ann == "int":
        return None if isinstance(v, int) and not isinstance(v, bool) else f"expected a whole number, not {_show(v)}"
    if ann == "bool":
        return None if isinstance(v, bool) else f"expected true or false, not {_show(v)}"
    if ann.startswith("list["):
        if not isinstance(v, list):
            return f"expected a list, not {_show(v)}"
        return next((f"item {i}: {w}" for i, x in enumerate(v) if (w := _type_problem(x, ann[5:-1]))), None)
    if ann.startswith("dict[str,"):
        if not isinstance(v, dict):
            return f"expected a mapping, not {_show(v)}"
        inner = ann[len("dict[str,"):-1]
        if inner[:1].isupper():  # a dataclass: checked by the caller
            return None
        return next((f"{k}: {w}" for k, x in v.items() if (w := _type_problem(x, inner))), None)
    if ann == "dict|None" or ann == "dict":
        return None if isinstance(v, dict) else f"expected a mapping, not {_show(v)}"
    return None


def _check_dataclass(d, cls, path: str, out: list) -> None:
    """Check ``d`` (a ``to_dict()`` of dataclass ``cls``) field by field, nested dataclasses too."""
    from dataclasses import MISSING, fields as dfields, is_dataclass
    import typing

    if not isinstance(d, dict):
        out.append((path, f"expected a mapping, not {_show(d)}"))
        return
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dfields(cls)]
    for k in d:
        if k not in names:
            out.append((_p(path, str(k)), f"unknown field of {cls.__name__}"))
    for f in dfields(cls):
        p = _p(path, f.name)
        if f.name not in d:
            if f.default is MISSING and f.default_factory is MISSING:
                out.append((p, "missing (required)"))
            continue
        v, hint = d[f.name], hints[f.name]
        if is_dataclass(hint):
            _check_dataclass(v, hint, p, out)
            continue
        args = typing.get_args(hint)
        if typing.get_origin(hint) is dict and len(args) == 2 and is_dataclass(args[1]):
            if not isinstance(v, dict):
                out.append((p, f"expected a mapping, not {_show(v)}"))
            else:
                for k, x in v.items():
                    _check_dataclass(x, args[1], _p(p, k), out)
            continue
        why = _type_problem(v, f.type if isinstance(f.type, str) else getattr(f.type, "__name__", ""))
        if why:
            out.append((p, why))


def _check_exchange(data, path: str) -> list[tuple[str, str]]:
    """Shape checks of the Exchange organisation (``cluster.extensions["exchange"]``);
    cross-references to groups and resources are checked after the cluster is built."""
    from .exchange.model import ExchangeOrg

    out: list = []
    _check_dataclass(data, ExchangeOrg, path, out)
    if out:
        return out
    vss = data.get("virtual_servers", {})
    for name, vs in vss.items():
        if vs.get("name") != name:
            out.append((_p(_p(_p(path, "virtual_servers"), name), "name"), f"must be {name}"))
    mta = data.get("mta_server")
    if mta is not None and mta not in vss:
        out.append((_p(path, "mta_server"), f"no virtual server named {mta}"))
    inst = data.get("installing")
    if inst is not None and not (isinstance(inst, dict) and set(inst) == {"node", "incarnation"}
                                 and isinstance(inst["node"], str) and isinstance(inst["incarnation"], int)):
        out.append((_p(path, "installing"), f"expected null or {{node, incarnation}}, not {_show(inst)}"))
    if data.get("creating") is not None:
        out.append((_p(path, "creating"), "a virtual server is only being created inside a command; "
                                          "a saved file has null here"))
    return out


def _check_e55(data, path: str) -> list[tuple[str, str]]:
    """Shape checks of the Exchange 5.5 virtual server (``cluster.extensions["exchange55"]``)."""
    from .exchange.e55 import E55Server

    out: list = []
    _check_dataclass(data, E55Server, path, out)
    return out


def _exchange_refs(cluster: Cluster, org, path: str) -> list[tuple[str, str]]:
    """Cross-references of the Exchange organisation to the cluster it lives in."""
    probs = _Problems()
    vpath = _p(path, "virtual_servers")
    for name, vs in org.virtual_servers.items():
        p = _p(vpath, name)
        if vs.group not in cluster.groups:
            probs.add(_p(p, "group"), f"no group named {vs.group}")
        for role, rname in vs.resources.items():
            if rname not in cluster.resources:
                probs.add(_p(_p(p, "resources"), role), f"no resource named {rname}")
        for key in ("network_name", "data_disk"):
            v = getattr(vs, key)
            if v and v not in cluster.resources:
                probs.add(_p(p, key), f"no resource named {v}")
    if org.installing and org.installing.get("node") not in cluster.nodes:
        probs.add(_p(_p(path, "installing"), "node"), f"no node named {org.installing.get('node')}")
    from .exchange.types import EXCHANGE_TYPE_NAMES
    for r in cluster.resources.values():
        if r.type in EXCHANGE_TYPE_NAMES:
            evs = r.properties.get("virtual_server")
            if not isinstance(evs, str) or evs not in org.virtual_servers:
                probs.add(_p(_p(_p("resources", r.name), "properties"), "virtual_server"),
                          f"no Exchange virtual server named {_show(evs)}")
    return probs.items


def from_data(data, *, origin: str = "cluster file", _problems: _Problems | None = None) -> Cluster:
    """Build a cluster from a cluster file's parsed content (see :func:`loads`)."""
    probs = _problems or _Problems()
    if not isinstance(data, dict):
        raise _fatal(origin, f"not a cluster file: it holds {type(data).__name__ if data is not None else 'nothing'}, "
                             f"not a mapping starting with 'format: {FORMAT}'")
    if data.get("format") != FORMAT:
        raise _fatal(origin, f"not a cluster file: 'format' is {_show(data.get('format'))}, not {FORMAT!r}")
    v = data.get("version")
    if not isinstance(v, int) or isinstance(v, bool) or v < 1:
        raise _fatal(origin, f"version: expected a whole number >= 1, not {_show(v)}")
    if v > VERSION:
        raise _fatal(origin, f"the file has format version {v}, written by a newer labkit; this labkit reads "
                             f"version {VERSION} (upgrade labkit)")
    if data.get("end") != END or list(data)[-1] != "end":
        raise _fatal(origin, f"the file is incomplete: it does not end with 'end: {END}' (truncated while it was "
                             "written or copied?)")
    ck = _Check(probs)
    ck.keys(data, TOP_KEYS, "", required=("cluster", "nodes"))

    def section(name, default):
        got = data.get(name, default)
        if not isinstance(got, type(default)):
            ck.bad(name, f"expected a {'mapping' if isinstance(default, dict) else 'list'}, not {_show(got)}")
            return default
        return got

    raw_nodes, raw_groups, raw_res = section("nodes", {}), section("groups", {}), section("resources", {})
    ck.nodes = set(raw_nodes)
    ck.groups = set(raw_groups)
    cl = ck.entry(data.get("cluster"), CLUSTER_FIELDS, "cluster")
    settings = ck.entry(section("settings", {}), SETTINGS_FIELDS, "settings")
    nodes = {name: ck.entry(raw, NODE_FIELDS, _p("nodes", name)) for name, raw in raw_nodes.items()}
    for name in raw_nodes:
        ck.value("netbios", name, _p("nodes", name))
    groups = {name: ck.entry(raw, GROUP_FIELDS, _p("groups", name)) for name, raw in raw_groups.items()}
    resources = {name: ck.entry(raw, RESOURCE_FIELDS, _p("resources", name)) for name, raw in raw_res.items()}
    for name in raw_groups:
        ck.value("str", name, _p("groups", name))
    for name in raw_res:
        ck.value("str", name, _p("resources", name))

    # --- cluster-wide references -------------------------------------------------------
    if cl:
        _check_cluster(ck, cl, nodes, groups, resources)
    _check_nodes(ck, cl, nodes)
    _check_groups(ck, groups, resources)
    _check_resources(ck, cl, groups, resources)
    dep_order = _check_dependents_order(ck, data.get("dependents_order", {}), resources)
    ext = _check_extensions(ck, section("extensions", {}))
    queue = _check_queue(ck, data.get("queue", {"seq": 0, "jobs": []}), cl)
    log = _check_log(ck, section("log", []), cl)
    probs.raise_if_any(origin)

    # --- build ----------------------------------------------------------------------------
    c = _build(cl, settings, nodes, groups, resources, dep_order, queue, log, ck)
    probs.raise_if_any(origin)
    for name, raw in ext.items():
        loader = (_extension(name) or (None,))[0]
        try:
            c.extensions[name] = loader(raw) if loader else _copy(raw)
        except Exception as e:  # a plug-in's loader refusing the data is a file problem
            probs.add(_p("extensions", name), f"the {name} plug-in could not load it: {type(e).__name__}: {e}")
    probs.raise_if_any(origin)
    for name in ext:
        check_loaded = (_extension(name) or (None, None, None))[2]
        if check_loaded is not None:
            for path, msg in check_loaded(c, c.extensions[name], _p("extensions", name)):
                probs.add(path, msg)
    probs.raise_if_any(origin)
    _check_invariants(c, probs)
    probs.raise_if_any(origin)
    return c


def _check_cluster(ck: _Check, cl: dict, nodes, groups, resources) -> None:
    p = "cluster"
    ids = [n["id"] for n in nodes.values() if n]
    if cl.get("next_node_id") is None:
        cl["next_node_id"] = max(ids, default=0) + 1
    elif ids and cl["next_node_id"] <= max(ids):
        ck.bad(_p(p, "next_node_id"), f"{cl['next_node_id']} is not above the highest node id ({max(ids)})")
    if cl.get("edition") in EDITIONS and len(nodes) > EDITIONS[cl["edition"]]:
        ck.bad("nodes", f"{len(nodes)} nodes, but {cl['edition']} clusters have at most {EDITIONS[cl['edition']]} "
                        "(paper, Windows 2000 Clustering Installation Requirements)")
    accounts = cl.get("accounts")
    if accounts is None:
        accounts = cl["accounts"] = {DEFAULT_ACCOUNT: ["*"]}
    if cl.get("account") not in accounts:
        ck.bad(_p(p, "account"), f"no account named {cl.get('account')!r} in cluster.accounts")
    for name in cl.get("evicted") or []:
        if name in nodes:
            ck.bad(_p(p, "evicted"), f"{name} is both evicted and a node")
    part = cl.get("partition")
    if part is not None:
        sides = part["sides"]
        seen = [n for s in sides for n in s]
        missing = [n for n in nodes if n not in seen]
        if missing:
            ck.bad(_p(_p(p, "partition"), "sides"), f"nodes {', '.join(missing)} are on no side")
        q = part["quorum_side"]
        if q is not None and q not in sides:
            ck.bad(_p(_p(p, "partition"), "quorum_side"), "is not one of the sides")
    types = cl.get("resource_types")
    if types is None:
        cl["resource_types"] = sorted(t.name for t in CORE_TYPES)
    else:
        for i, t in enumerate(types):
            if t not in REGISTRY:
                _import_plugins()
            if t not in REGISTRY:
                ck.bad(_p(_p(p, "resource_types"), i), f"no resource type named {t!r} is registered with labkit")
    qr = cl.get("quorum_resource")
    if nodes and qr is not None:
        r = resources.get(qr)
        if qr not in resources:
            ck.bad(_p(p, "quorum_resource"), f"no resource named {qr}")
        elif r and r["type"] != "Physical Disk":
            ck.bad(_p(p, "quorum_resource"), f"{qr} is a {r['type']}; the quorum resource is a Physical Disk "
                                             "(paper, Table 1)")
        if "Cluster Group" not in groups:
            ck.bad("groups", "the Cluster Group (quorum, cluster address and name) is missing")
        elif r and r["group"] != "Cluster Group":
            ck.bad(_p(_p("resources", qr), "group"), "the quorum resource lives in the Cluster Group")
    rs = cl.get("random_state")
    if rs != "initial" and rs is not _MISSING:
        ok = (isinstance(rs, list) and len(rs) == 3 and isinstance(rs[1], list)
              and all(isinstance(x, int) and not isinstance(x, bool) for x in rs[1]))
        if ok:
            try:
                random.Random().setstate((rs[0], tuple(rs[1]), rs[2]))
            except (ValueError, TypeError, OverflowError):
                ok = False
        if not ok:
            ck.bad(_p(p, "random_state"), "expected 'initial' or a state of Python's random generator")
    if isinstance(accounts, dict):
        cl["accounts"] = accounts


def _check_nodes(ck: _Check, cl, nodes) -> None:
    ids, ips = {}, {}
    cluster_ip = cl.get("ip") if cl else None
    for name, n in nodes.items():
        if not n:
            continue
        p = _p("nodes", name)
        if n["id"] in ids:
            ck.bad(_p(p, "id"), f"node id {n['id']} is also {ids[n['id']]}'s")
        ids[n["id"]] = name
        if n["ip"] is not None:
            if n["ip"] in ips or n["ip"] == cluster_ip:
                ck.bad(_p(p, "ip"), f"address {n['ip']} is also used by {ips.get(n['ip'], 'the cluster')}")
            ips[n["ip"]] = name
        if n["state"] is NodeState.DOWN and n["down_reason"] is None:
            ck.bad(_p(p, "down_reason"), "a Down node says why: crash, partition, stopped or quorum lost")
        if n["state"] is not NodeState.DOWN and n["down_reason"] is not None:
            ck.bad(_p(p, "down_reason"), f"only a Down node has a down_reason; this one is {n['state']}")
        if n["regroup_pending"] and n["state"] is not NodeState.DOWN:
            ck.bad(_p(p, "regroup_pending"), "only a Down node waits for the regroup that removes it")
        leaving = n["properties"].get("_leaving") if isinstance(n["properties"], dict) else None
        if leaving not in (None, "stop", "restart"):
            ck.bad(_p(_p(p, "properties"), "_leaving"), f"expected stop or restart, not {_show(leaving)}")


def _check_groups(ck: _Check, groups, resources) -> None:
    for name, g in groups.items():
        if not g:
            continue
        if g["resources"] is not None:
            p = _p(_p("groups", name), "resources")
            for i, r in enumerate(g["resources"]):
                if r not in resources:
                    ck.bad(_p(p, i), f"no resource named {r}")
                elif resources[r] and resources[r]["group"] != name:
                    ck.bad(_p(p, i), f"{r} says it is in group {resources[r]['group']}")
            listed = set(g["resources"])
            for r, rv in resources.items():
                if rv and rv["group"] == name and r not in listed:
                    ck.bad(p, f"does not list {r}, which says it is in this group")


def _check_resources(ck: _Check, cl, groups, resources) -> None:
    installed = set(cl["resource_types"]) if cl and cl.get("resource_types") is not None else None
    quorum = cl.get("quorum_resource") if cl else None
    for name, r in resources.items():
        if not r:
            continue
        p = _p("resources", name)
        if r["type"] not in REGISTRY:
            _import_plugins()
        if r["type"] not in REGISTRY:
            ck.bad(_p(p, "type"), f"no resource type named {r['type']!r} is registered with labkit")
        elif installed is not None and r["type"] not in installed:
            ck.bad(_p(p, "type"), f"resource type {r['type']!r} is not in cluster.resource_types")
        if r["group"] not in groups:
            ck.bad(_p(p, "group"), f"no group named {r['group']}")
        if not r["possible_owners"]:
            ck.bad(_p(p, "possible_owners"), "a resource needs at least one possible owner (MSCS possible owners)")
        for i, d in enumerate(r["dependencies"]):
            dp = _p(_p(p, "dependencies"), i)
            if d not in resources:
                ck.bad(dp, f"no resource named {d}")
            elif d == name:
                ck.bad(dp, "a resource cannot depend on itself (MSCS error 1059)")
            elif resources[d] and resources[d]["group"] != r["group"]:
                ck.bad(dp, f"{d} is in group {resources[d]['group']}, not {r['group']}: dependencies stay inside "
                           "one group (paper, Resources and Resource Groups; MSCS error 87)")
        if name == quorum and r["dependencies"]:
            ck.bad(_p(p, "dependencies"), "the quorum resource may not depend on other resources (MSCS error 5069)")
        if r["state"] is ResourceState.OFFLINE and r["node"] is not None:
            ck.bad(_p(p, "node"), "an Offline resource runs on no node (null)")
        if r["state"] is not ResourceState.OFFLINE and r["node"] is None:
            ck.bad(_p(p, "node"), f"a {r['state']} resource names the node it is on")
        if r["node"] is not None and r["possible_owners"] and r["node"] not in r["possible_owners"]:
            ck.bad(_p(p, "node"), f"{r['node']} is not one of its possible owners")
        if r["persistent_fault"] == "node" and r["fault_node"] is None:
            ck.bad(_p(p, "fault_node"), "a lasting fault on one node names the node")
    # cycles: depth-first search over the dependencies that exist
    state: dict[str, int] = {}
    for start in resources:
        if start in state or not resources[start]:
            continue
        stack = [(start, iter(resources[start]["dependencies"]))]
        path = [start]
        state[start] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
                path.pop()
                continue
            if nxt not in resources or not resources[nxt]:
                continue
            if state.get(nxt) == 1:
                cyc = path[path.index(nxt):] + [nxt]
                ck.bad(_p(_p("resources", node), "dependencies"),
                       f"circular dependency: {' -> '.join(cyc)} (MSCS error 1059)")
            elif nxt not in state:
                state[nxt] = 1
                path.append(nxt)
                stack.append((nxt, iter(resources[nxt]["dependencies"])))


def _check_dependents_order(ck: _Check, raw, resources) -> dict:
    if not isinstance(raw, dict):
        ck.bad("dependents_order", f"expected a mapping, not {_show(raw)}")
        return {}
    out = {}
    for prov, lst in raw.items():
        p = _p("dependents_order", prov)
        got = ck.value("names", lst, p)
        if got is _MISSING:
            continue
        if prov not in resources:
            ck.bad(p, f"no resource named {prov}")
            continue
        want = sorted(r for r, v in resources.items() if v and prov in v["dependencies"])
        if sorted(got) != want:
            ck.bad(p, f"must list exactly the resources that depend on {prov}: {', '.join(want) or 'none'}")
            continue
        out[prov] = got
    return out


def _check_extensions(ck: _Check, raw: dict) -> dict:
    for name, value in raw.items():
        p = _p("extensions", name)
        reg = _extension(name)
        if reg is None:
            _import_plugins()
            reg = _extension(name)
        if reg is not None and reg[1] is not None:
            for path, msg in reg[1](value, p):
                ck.bad(path, msg)
        elif reg is None:
            bad = _non_plain(value, p)
            if bad:
                ck.bad(p, f"holds something other than plain data: {bad}")
    return raw


def _check_queue(ck: _Check, raw, cl) -> dict | None:
    p = "queue"
    if not isinstance(raw, dict):
        ck.bad(p, f"expected a mapping with seq and jobs, not {_show(raw)}")
        return None
    if not ck.keys(raw, ("seq", "jobs"), p, required=("seq", "jobs")):
        return None
    seq = ck.value("int>=0", raw["seq"], _p(p, "seq"))
    jobs = raw["jobs"]
    if not isinstance(jobs, list):
        ck.bad(_p(p, "jobs"), f"expected a list of jobs [at_ms, seq, kind, args, transient], not {_show(jobs)}")
        return None
    now = cl.get("clock_ms") if cl and isinstance(cl.get("clock_ms"), int) else 0
    seen, ok = set(), True
    for i, j in enumerate(jobs):
        jp = _p(_p(p, "jobs"), i)
        if not (isinstance(j, list) and len(j) == 5):
            ck.bad(jp, f"expected [at_ms, seq, kind, args, transient], not {_show(j)}")
            ok = False
            continue
        at, s, kind, args, transient = j
        if ck.value("int>=0", at, _p(jp, 0)) is _MISSING or ck.value("int>=1", s, _p(jp, 1)) is _MISSING:
            ok = False
            continue
        if at < now:
            ck.bad(_p(jp, 0), f"job due at {at} ms, before the clock ({now} ms)")
            ok = False
        if s in seen or (isinstance(seq, int) and s > seq):
            ck.bad(_p(jp, 1), f"sequence number {s} is repeated or above queue.seq")
            ok = False
        seen.add(s)
        if not isinstance(kind, str) or not (hasattr(Cluster, "_on_" + kind) or kind in JOB_HANDLERS):
            _import_plugins()
        if not isinstance(kind, str) or not (hasattr(Cluster, "_on_" + kind) or kind in JOB_HANDLERS):
            ck.bad(_p(jp, 2), f"no handler for jobs of kind {_show(kind)}")
            ok = False
        if not isinstance(args, list) or _non_plain(args):
            ck.bad(_p(jp, 3), f"expected a list of plain values, not {_show(args)}")
            ok = False
        elif isinstance(kind, str):
            why = _args_problem(kind, args)
            if why:
                ck.bad(_p(jp, 3), why)
                ok = False
        if not isinstance(transient, bool):
            ck.bad(_p(jp, 4), f"expected true or false, not {_show(transient)}")
            ok = False
    return {"seq": seq, "jobs": jobs} if ok and seq is not _MISSING else None


_ANNOTATED = {"str": str, "int": int, "float": (int, float), "bool": bool}


def _args_problem(kind: str, args: list) -> str | None:
    """Why ``args`` cannot be given to the handler of ``kind`` (count and annotated types)."""
    import inspect

    fn = getattr(Cluster, "_on_" + kind, None)
    skip = 1  # self, or the cluster handed to a plug-in's handler
    if fn is None:
        fn = JOB_HANDLERS.get(kind)
    try:
        params = list(inspect.signature(fn).parameters.values())[skip:]
    except (TypeError, ValueError):  # pragma: no cover - a builtin handler
        return None
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        return None
    need = [p for p in params if p.default is p.empty]
    if not len(need) <= len(args) <= len(params):
        return f"a {kind} job takes {len(need)} arguments ({', '.join(p.name for p in params)}), not {len(args)}"
    for p, a in zip(params, args):
        want = _ANNOTATED.get(p.annotation if isinstance(p.annotation, str) else getattr(p.annotation, "__name__", ""))
        if want and (not isinstance(a, want) or (isinstance(a, bool) and want is not bool)):
            return f"argument {p.name} of a {kind} job is {p.annotation}, not {_show(a)}"
    return None


def _check_log(ck: _Check, raw: list, cl) -> list | None:
    now = cl.get("clock_ms") if cl and isinstance(cl.get("clock_ms"), int) else None
    out, last, ok = [], START, True
    end = START + timedelta(milliseconds=now) if now is not None else None
    for i, e in enumerate(raw):
        p = _p("log", i)
        if not (isinstance(e, list) and len(e) == 5):
            ck.bad(p, f"expected [time, node, object, what, why], not {_show(e)}")
            ok = False
            continue
        t = e[0]
        if isinstance(t, str):
            try:
                t = datetime.fromisoformat(t)
            except ValueError:
                t = None
        if not isinstance(t, datetime) or t.tzinfo is not None:
            ck.bad(_p(p, 0), f"expected a time like 2001-05-07T09:00:00.000, not {_show(e[0])}")
            ok = False
            continue
        if t < last:
            ck.bad(_p(p, 0), f"{e[0]} is earlier than the event before it: the log runs forwards")
            ok = False
        if end is not None and t > end:
            ck.bad(_p(p, 0), f"{e[0]} is later than the clock")
            ok = False
        if t.microsecond % 1000:
            ck.bad(_p(p, 0), "times have millisecond precision")
            ok = False
        last = max(last, t)
        if not (e[1] is None or isinstance(e[1], str)):
            ck.bad(_p(p, 1), f"expected a node name or null, not {_show(e[1])}")
            ok = False
        for k in (2, 3, 4):
            if not isinstance(e[k], str):
                ck.bad(_p(p, k), f"expected text, not {_show(e[k])}")
                ok = False
        out.append(LogEvent(t, e[1], e[2], e[3], e[4]))
    return out if ok else None


def _build(cl, settings, nodes, groups, resources, dep_order, queue, log, ck: _Check) -> Cluster:
    """Construct the cluster object by object (no command is replayed)."""
    try:
        c = Cluster(cl["name"], ip=cl["ip"], edition=cl["edition"], quorum_disk=cl["quorum_resource"],
                    quorum_drive=cl["quorum_drive"], seed=cl["seed"], settings=ClusterSettings(**settings))
    except LabkitError as e:
        ck.bad("cluster", e.detail)
        return None
    c.running = cl["running"]
    c.clock.ms = cl["clock_ms"]
    c._next_node_id = cl["next_node_id"]
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
        c.nodes[name] = Node(name=name, **n)
    for name, g in groups.items():
        members = g.pop("resources")
        c.groups[name] = Group(name=name, resources=list(members) if members is not None else
                               [r for r, v in resources.items() if v["group"] == name], **g)
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
                props = t.validate(c, name, r["group"], dict(props))
        except LabkitError as e:
            ck.bad(_p(_p("resources", name), "properties"), e.detail)
            continue
        res = Resource(name=name, **{**r, "properties": props})
        c.resources[name] = res
    for name, r in resources.items():
        for p in r["dependencies"]:
            c._dependents.setdefault(p, []).append(name)
    c._dependents.update({p: list(v) for p, v in dep_order.items()})
    c._res_seq = len(resources)
    c.queue = EventQueue.from_dict(queue)
    c.log = ClusterLog(log)
    return c


def _check_invariants(c: Cluster, probs: _Problems) -> None:
    """The run-time state must be one the cluster service can be in."""
    res = c.resources
    now = c.clock.ms
    for g in c.groups.values():
        p = _p("groups", g.name)
        if g.owner is not None and c.nodes[g.owner].state is NodeState.DOWN:
            n = c.nodes[g.owner]
            if not (n.regroup_pending or n.properties.get("_leaving")) and c.running:
                probs.add(_p(p, "owner"), f"{g.owner} is Down and its failure was already handled: a Down node "
                                          "owns no group")
        for t in g.failovers:
            if t > now:
                probs.add(_p(p, "failovers"), f"{t} ms is later than the clock")
        for o in g.outages:
            if o[0] > now or (o[1] is not None and o[1] > now):
                probs.add(_p(p, "outages"), f"{o} is later than the clock")
        if any(o[1] is None for o in g.outages[:-1]):
            probs.add(_p(p, "outages"), "only the last outage can still be open (end null)")
    for r in res.values():
        p = _p("resources", r.name)
        g = c.groups[r.group]
        if r.state is not ResourceState.OFFLINE:
            if r.node != g.owner:
                probs.add(_p(p, "node"), f"{r.state} on {r.node}, but its group {g.name} is owned by {g.owner}: "
                                         "a group runs on one node (paper, Resources and Resource Groups)")
            elif c.nodes[r.node].state is NodeState.DOWN:
                probs.add(_p(p, "node"), f"{r.state} on {r.node}, which is Down")
        if r.state is ResourceState.ONLINE:
            for d in r.dependencies:
                if res[d].state is not ResourceState.ONLINE:
                    probs.add(_p(p, "state"), f"Online while its provider {d} is {res[d].state}")
        if r.online_since_ms is not None and r.online_since_ms > now:
            probs.add(_p(p, "online_since_ms"), "later than the clock")
        if any(t > now for t in r.failures):
            probs.add(_p(p, "failures"), "a failure later than the clock")
    if not c.running:
        for n in c.nodes.values():
            if n.state is not NodeState.DOWN:
                probs.add(_p(_p("nodes", n.name), "state"), f"{n.state}, but the cluster is not running")
        for r in res.values():
            if r.state is not ResourceState.OFFLINE and r.name != c.quorum_resource:
                probs.add(_p(_p("resources", r.name), "state"), f"{r.state}, but the cluster is not running")
    elif c.nodes and all(n.state is NodeState.DOWN for n in c.nodes.values()):
        probs.add("cluster.running", "true, but every node is Down")
    if c.partition_sides is not None and c.running and c.quorum_side is not None:
        for n in c.nodes.values():
            if n.name not in c.quorum_side and n.state is not NodeState.DOWN:
                probs.add(_p(_p("nodes", n.name), "state"), f"{n.state} outside the side that owns the quorum "
                                                            "(split brain)")
