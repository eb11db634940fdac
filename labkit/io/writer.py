"""Writing a cluster file: the same cluster always gives the same bytes.

:func:`to_data` turns a cluster into the file's content (plain data, defaults left out);
:func:`dumps` writes it as YAML or JSON, one object a line with JSON values -- JSON's flow
syntax is YAML's too, so any YAML reader reads it and labkit reads its own files back with
the C JSON parser (:mod:`labkit.io.reader`); :func:`save` replaces a file in one step
(:func:`write_atomic`).

>>> import labkit as lk
>>> c = lk.Cluster("LAB"); _ = c.add_node("N1")
>>> import json; json.loads(dumps(c, "json"))["nodes"]
{'N1': {'id': 1, 'ip': None, 'state': 'Up'}}
"""
from __future__ import annotations

import json
import os
import random
import re
import stat
import tempfile
from pathlib import Path

from .. import values as V
from ..cluster.cluster import DEFAULT_ACCOUNT, Cluster
from ..cluster.extensions import persistence
from ..errors import FileFormatError, StateError, ValidationError
from ..values import REQUIRED, show as _show
from .fields import ALWAYS, CLUSTER_FIELDS, GROUP_FIELDS, NODE_FIELDS, RESOURCE_FIELDS
from .format import END, FORMAT, SOURCE, VERSION, NoGC, format_name
from .format import lazy_path as _p

_plain = V.plain


_TABLES: dict = {}


def _entry(values: dict, table) -> dict:
    """The fields of one object as written: in table order, defaults left out."""
    plan = _TABLES.get(id(table))
    if plan is None:
        plan = _TABLES[id(table)] = [(name, name in ALWAYS or default is REQUIRED, _plain(default) if default is not
                                      REQUIRED else None) for name, _kind, default in table]
    out = {}
    for name, always, default in plan:      # values come from Cluster.to_dict(): plain already
        if name not in values:
            continue
        v = values[name]
        if not always and v == default:
            continue
        out[name] = v
    return out


def to_data(cluster: Cluster) -> dict:
    """The cluster file's content as plain data (what :func:`dumps` writes).

    Built from :meth:`Cluster.to_dict`, plus the order in which providers list their
    dependents where it is not the order of the resources (the core keeps it outside
    its snapshot).
    """
    d = _saveable(cluster)
    cdata = _cluster_entry(d)
    nodes = {n["name"]: _entry(n, NODE_FIELDS) for n in d["nodes"]}
    order = {r["name"]: i for i, r in enumerate(d["resources"])}
    members: dict[str, list[str]] = {}
    for r in d["resources"]:                    # one pass, not one scan per group
        members.setdefault(r["group"], []).append(r["name"])
    groups = {}
    for g in d["groups"]:
        e = _entry(g, GROUP_FIELDS)
        e.pop("resources", None)
        if g["resources"] != members.get(g["name"], []):
            e["resources"] = _plain(g["resources"])
        groups[g["name"]] = e
    resources = {r["name"]: _entry(r, RESOURCE_FIELDS) for r in d["resources"]}
    data = {"format": FORMAT, "version": VERSION, "cluster": cdata, "settings": _plain(d["settings"]),
            "nodes": nodes, "groups": groups, "resources": resources}
    canonical = _derive_dependents(d["resources"])
    odd = {p: _plain(lst) for p, lst in d["dependents"].items()
           if lst and lst != canonical.get(p, []) and p in order}
    if odd:
        data["dependents_order"] = odd
    data["extensions"] = _plain(d["extensions"])
    data["queue"] = {"seq": d["queue"]["seq"],
                     "jobs": [[a, s, k, _plain(args), t] for a, s, k, args, t in d["queue"]["jobs"]]}
    data["log"] = d["log"]
    data["end"] = END
    return data


def _saveable(cluster: Cluster) -> dict:
    """``cluster.to_dict()``, once it is sure a file can hold it and give it back."""
    if not isinstance(cluster, Cluster):
        raise ValidationError(f"save a labkit Cluster, not {_show(cluster)}", rule="cluster files hold a Cluster")
    if cluster.in_transaction:
        raise StateError("a cluster cannot be saved inside cluster.transaction()",
                         rule="save a cluster between commands")
    for name, obj in cluster.extensions.items():
        if hasattr(obj, "to_dict") and not isinstance(obj, (dict, list)) and persistence(name) is None:
            raise FileFormatError(f"extension {name!r} ({type(obj).__name__}) has no registered loader, so a file "
                                  f"could not give it back; call labkit.files.register_extension({name!r}, loader)",
                                  rule="every saved extension can be loaded", source=SOURCE)
    d = cluster.to_dict()
    for name in d["extensions"]:
        bad: list = []
        V.PLAIN.collect(d["extensions"][name], _p("extensions", name), bad)
        if bad:
            raise FileFormatError(f"cannot save the cluster: {bad[0][0]}: {bad[0][1]}, which YAML and JSON cannot "
                                  "hold", rule="extensions hold plain data (dicts, lists, strings, numbers)",
                                  source=SOURCE)
    return d


def _cluster_entry(d: dict) -> dict:
    """The file's ``cluster`` section, from ``Cluster.to_dict()``'s cluster-wide fields."""
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
    return cdata


def _derive_dependents(resources) -> dict[str, list[str]]:
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
    fmt = format_name(format)
    with NoGC():
        data = to_data(cluster)
        if fmt == "json":
            return _json_text(data)
        body = _yaml_text(data)
    head = (f"# {FORMAT}, version {VERSION} -- the schema is in docs/cluster-file.md\n"
            f"# {cluster.name} at {cluster.now:%Y-%m-%d %H:%M:%S}: {len(cluster.nodes)} nodes, {len(cluster.groups)} "
            f"groups, {len(cluster.resources)} resources, {len(cluster.log)} log events\n")
    return head + body


def save(cluster: Cluster, path, format: str | None = None) -> Path:
    """Write ``cluster`` to ``path`` (YAML or JSON after its extension, or ``format``).
    The file is replaced in one step: a crash or a full disk while saving leaves the old
    file intact (:func:`write_atomic`)."""
    if not isinstance(path, (str, os.PathLike)):
        raise ValidationError(f"save to a file name, not {_show(path)}", rule="cluster files are files")
    path = Path(path)
    fmt = format_name(format, path)
    return write_atomic(path, dumps(cluster, fmt))


def write_atomic(path, data: str | bytes) -> Path:
    """Write ``data`` to ``path`` all at once: into a temporary file in the same folder,
    flushed to disk, then renamed over ``path`` (``os.replace``). If anything fails -- a
    full disk, a crash -- ``path`` is as it was and no temporary file is left. The file
    keeps the permissions of the one it replaces (a new one gets the usual 0666 & ~umask)."""
    path = Path(path)
    if path.is_symlink():               # write the file the link points to (the link stays)
        path = Path(os.path.realpath(path))
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ValidationError(f"{path}: folder {folder} does not exist", rule="save into an existing folder")
    if path.is_dir():
        raise ValidationError(f"{path} is a folder", rule="save into a file")
    if path.exists() and not path.is_file():   # never replace /dev/null, a FIFO or a socket with a file
        raise ValidationError(f"{path} is not a regular file (a device, a pipe or a socket); write to a file",
                              rule="outputs are regular files")
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    payload = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


# ---- YAML and JSON emitters (deterministic) -------------------------------------------
# A file holds one object per line: the YAML is block mappings of a few levels whose
# values are written as JSON -- JSON's flow syntax is YAML's too -- so any YAML reader
# reads it, and labkit reads its own files back with Python's C JSON parser
# (:func:`_fast_yaml`), in time linear in the file. Strings are escaped where YAML 1.1
# and JSON read a character differently; floats always hold a '.' (YAML 1.1 reads 1e+16
# as text).
_YAML_SPECIAL = re.compile("[\x7f-\x9f\u2028\u2029\ufffe\uffff]")
_EXP_FLOAT = re.compile(r"[0-9][eE][-+]")
_SAFE_KEY = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_ .()-]*\Z")
_YAML_WORDS = frozenset("yes Yes YES no No NO true True TRUE false False FALSE on On ON off Off OFF null Null NULL"
                        .split())


def _yaml_float(f: float) -> str:
    text = repr(f)
    if "e" in text and "." not in text:
        m, _, e = text.partition("e")
        text = f"{m}.0e{e}"
    return text


_ENCODE = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode


def _jv(v) -> str:
    """``v`` as JSON text that YAML 1.1 reads as the same value."""
    text = _ENCODE(v)
    if _EXP_FLOAT.search(text):        # rare: a float like 1e+16; write it YAML's way
        text = _jv_slow(v)
    if _YAML_SPECIAL.search(text):      # rare: characters YAML reads as line breaks or not at all
        text = _YAML_SPECIAL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return text


def _jv_slow(v) -> str:
    if type(v) is float:
        return _yaml_float(v)
    if isinstance(v, dict):
        return "{" + ", ".join(f"{json.dumps(k, ensure_ascii=False)}: {_jv_slow(x)}" for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ", ".join(_jv_slow(x) for x in v) + "]"
    return json.dumps(v, ensure_ascii=False)


def plain_key_ok(k: str) -> bool:
    """Whether ``k`` can be written as a plain YAML key that every YAML reader reads as
    this text (not a number, a date, a boolean or null)."""
    if not _SAFE_KEY.match(k) or k.endswith(" ") or k in _YAML_WORDS:
        return False
    if k[0].isdigit():
        import yaml
        return yaml.resolver.Resolver().resolve(yaml.ScalarNode, k, (True, False)) == "tag:yaml.org,2002:str"
    return True


def _key(k: str) -> str:
    return k if plain_key_ok(k) else _jv(k)    # (a JSON key never needs the slow path: no floats)


_BLOCK = ("cluster", "settings", "nodes", "groups", "resources", "dependents_order", "extensions")


def _yaml_text(data: dict) -> str:
    text = _yaml_lines(data, _ENCODE)
    if _EXP_FLOAT.search(text) or _YAML_SPECIAL.search(text):     # rare: write it again, value by value
        text = _yaml_lines(data, _jv)
    return text


def _yaml_lines(data: dict, _jv) -> str:
    out = [f"format: {FORMAT}", f"version: {VERSION}"]
    for top in _BLOCK:
        if top not in data:
            continue
        section = data[top]
        if not section:
            out.append(f"{top}: {_jv(section)}")
            continue
        out.append(f"{top}:")
        out.extend(f"  {_key(k)}: {_jv(v)}" for k, v in section.items())
    q = data["queue"]
    out.append("queue:")
    out.append(f"  seq: {q['seq']}")
    out.append("  jobs: []" if not q["jobs"] else "  jobs:")
    out.extend(f"  - {_jv(j)}" for j in q["jobs"])
    out.append("log: []" if not data["log"] else "log:")
    out.extend(f"- {_jv(e)}" for e in data["log"])
    out.append(f"end: {END}")
    return "\n".join(out) + "\n"


def _json_text(data: dict) -> str:
    """The JSON file: the same layout, one object per line."""
    out = ["{", f'  "format": {json.dumps(FORMAT)},', f'  "version": {VERSION},']
    for top in _BLOCK:
        if top not in data:
            continue
        section = data[top]
        if not section:
            out.append(f'  "{top}": {{}},')
            continue
        out.append(f'  "{top}": {{')
        out.append(",\n".join(f"    {json.dumps(k, ensure_ascii=False)}: "
                              f"{json.dumps(v, ensure_ascii=False, allow_nan=False)}" for k, v in section.items()))
        out.append("  },")
    q = data["queue"]
    jobs = ",\n".join(f"      {json.dumps(j, ensure_ascii=False)}" for j in q["jobs"])
    out.append(f'  "queue": {{"seq": {q["seq"]}, "jobs": [' + (f"\n{jobs}\n    ]}}," if jobs else "]},"))
    log = ",\n".join(f"    {json.dumps(e, ensure_ascii=False)}" for e in data["log"])
    out.append('  "log": [' + (f"\n{log}\n  ]," if log else "],"))
    out.append(f'  "end": {json.dumps(END)}')
    out.append("}")
    return "\n".join(out) + "\n"
