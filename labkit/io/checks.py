"""Checking a cluster file's objects before anything is built.

Every field was checked by its value kind (:mod:`labkit.io.fields`); these checks add what a
single field cannot say: references between objects (a group's owner is a node, a dependency
stays inside its group and makes no cycle), names that differ only in case (MSCS compares names
case-insensitively), the cluster-wide rules (the edition's node limit, the quorum disk in the
Cluster Group) and the plug-ins' own checks, registered with their persistence
(:func:`labkit.cluster.extensions.register_extension`). Each problem is recorded with its place
in the file; nothing stops at the first.

>>> probs = Problems()
>>> names = Names(["1-CURLY", "2-MOE"], "node", "nodes", probs)
>>> names.get("1-curly"), names.ref("5-SHEMP", "groups.EXVS2.owner", probs) is BAD, probs.items
('1-CURLY', True, [('groups.EXVS2.owner', 'no node named 5-SHEMP')])
"""
from __future__ import annotations

from .. import values as V
from ..cluster.cluster import CORE_NAMES, DEFAULT_ACCOUNT, EDITIONS
from ..cluster.extensions import persistence
from ..cluster.invariants import dependency_problem, node_problems, resource_problems
from ..cluster.model import CLUSTER_GROUP, Leaving
from ..cluster.types import CORE_TYPES, REGISTRY
from ..values import BAD, fold, show as _show
from .fields import REF
from .format import END, FORMAT, VERSION, Problems, fatal, import_plugins
from .format import lazy_path as _p


class Names:
    """The names of one kind of object in a file (nodes, groups, resources, accounts),
    compared case-insensitively as MSCS compares them; references resolve to the name as
    the file spells it where the object is defined."""

    def __init__(self, keys, what: str, section: str, problems: Problems):
        self.what = what
        self.fold: dict[str, str] = {}
        for k in keys:
            if not isinstance(k, str):
                continue
            f = fold(k)
            if f in self.fold and self.fold[f] != k:
                problems.add(_p(section, k), f"{self.fold[f]} and {k} differ only in case; {what} names are "
                                             "case-insensitive (MSCS), so they are one name")
                continue
            self.fold[f] = k
        self.exact = set(self.fold.values())

    def __contains__(self, name) -> bool:
        return name in self.exact or (isinstance(name, str) and fold(name) in self.fold)

    def get(self, name) -> str | None:
        if name in self.exact:
            return name
        return self.fold.get(fold(name)) if isinstance(name, str) else None

    def same(self, a, b) -> bool:
        """Whether ``a`` and ``b`` name the same entry (compared as MSCS compares names)."""
        return self.get(a) == self.get(b)

    def ref(self, v, path: str, problems: Problems):
        """``v`` (a name, or None) as the name it refers to; a problem if there is none."""
        if v is None or v in self.exact:
            return v
        got = self.get(v)
        if got is None:
            problems.add(path, f"no {self.what} named {v}")
            return BAD
        return got

    def refs(self, lst: list, path: str, problems: Problems) -> list:
        if self.exact.issuperset(lst):           # the common case, in one set operation
            return lst
        out = []
        for i, x in enumerate(lst):
            got = self.ref(x, _p(path, i), problems)
            out.append(got)
        return out


def check_frame(data, origin: str) -> None:
    if not isinstance(data, dict):
        raise fatal(origin, f"not a cluster file: it holds {type(data).__name__ if data is not None else 'nothing'}, "
                             f"not a mapping starting with 'format: {FORMAT}'")
    if data.get("format") != FORMAT:
        raise fatal(origin, f"not a cluster file: 'format' is {_show(data.get('format'))}, not {FORMAT!r}")
    v = data.get("version")
    if type(v) is not int or v < 1:
        raise fatal(origin, f"version: expected a whole number >= 1, not {_show(v)}")
    if v > VERSION:
        raise fatal(origin, f"the file has format version {v}, written by a newer labkit; this labkit reads "
                             f"version {VERSION} (upgrade labkit)")
    if data.get("end") != END or list(data)[-1] != "end":
        raise fatal(origin, f"the file is incomplete: it does not end with 'end: {END}' (truncated while it was "
                             "written or copied?)")


def entry_of(kind: V.Record, raw, path: str, out: list) -> dict | None:
    got = kind.collect(raw, path, out)
    return None if got is BAD else got


def copy_plain(v):
    return [copy_plain(x) for x in v] if isinstance(v, list) else {k: copy_plain(x) for k, x in v.items()} \
        if isinstance(v, dict) else v


class Refs:
    def __init__(self, probs: Problems, nodes: Names, groups: Names, resources: Names):
        self.probs, self.nodes, self.groups, self.resources = probs, nodes, groups, resources

    def bad(self, path: str, msg: str) -> None:
        self.probs.add(path, msg)


def check_cluster(ck: Refs, cl: dict, nodes, groups, resources) -> None:
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
    account_names = Names(accounts, "account", _p(p, "accounts"), ck.probs)
    acct = account_names.get(cl.get("account"))
    if acct is None:
        ck.bad(_p(p, "account"), f"no account named {_show(cl.get('account'))} in cluster.accounts")
    else:
        cl["account"] = acct
    for i, name in enumerate(cl.get("evicted") or []):
        if name in ck.nodes:
            ck.bad(_p(_p(p, "evicted"), i), f"{name} is both evicted and a node ({ck.nodes.get(name)})")
    part = cl.get("partition")
    if part is not None:
        _check_partition(ck, part, nodes)
    types = cl.get("resource_types")
    if types is None:
        cl["resource_types"] = sorted(t.name for t in CORE_TYPES)
    else:
        for i, t in enumerate(types):
            if t not in REGISTRY:
                import_plugins()
            if t not in REGISTRY:
                ck.bad(_p(_p(p, "resource_types"), i), f"no resource type named {_show(t)} is registered with labkit")
    _check_quorum_resource(ck, cl, nodes, groups, resources)
    if isinstance(accounts, dict):
        cl["accounts"] = {k: list(r) for k, r in accounts.items()}


def _check_partition(ck: Refs, part: dict, nodes) -> None:
    """A network partition: every node on exactly one side, the quorum side one of them."""
    p = _p("cluster", "partition")
    sides = [ck.nodes.refs(s, _p(_p(p, "sides"), i), ck.probs) for i, s in enumerate(part["sides"])]
    q = None if part["quorum_side"] is None else ck.nodes.refs(part["quorum_side"], _p(p, "quorum_side"), ck.probs)
    seen = [n for s in sides for n in s]
    dup = sorted({n for n in seen if seen.count(n) > 1 and n is not BAD})
    if dup:
        ck.bad(_p(p, "sides"), f"nodes {', '.join(dup)} are on two sides")
    missing = [n for n in nodes if n not in seen]
    if missing:
        ck.bad(_p(p, "sides"), f"nodes {', '.join(missing)} are on no side")
    if q is not None and q not in sides:
        ck.bad(_p(p, "quorum_side"), "is not one of the sides")
    part["sides"], part["quorum_side"] = sides, q


def _check_quorum_resource(ck: Refs, cl: dict, nodes, groups, resources) -> None:
    """The quorum resource: an existing Physical Disk in the Cluster Group (paper, Table 1), not
    named like one of the Cluster Group's other resources."""
    p = "cluster"
    qr = cl.get("quorum_resource")
    if nodes and qr is not None:
        name = ck.resources.get(qr)
        r = resources.get(name) if name else None
        if name is None:
            ck.bad(_p(p, "quorum_resource"), f"no resource named {qr}")
        else:
            cl["quorum_resource"] = name
            if r and r["type"] != "Physical Disk":
                ck.bad(_p(p, "quorum_resource"), f"{qr} is a {r['type']}; the quorum resource is a Physical Disk "
                                                 "(paper, Table 1)")
        if CLUSTER_GROUP not in groups:
            ck.bad("groups", "the Cluster Group (quorum, cluster address and name) is missing")
        elif r and ck.groups.get(r["group"]) != CLUSTER_GROUP:
            ck.bad(_p(_p("resources", name), "group"), "the quorum resource lives in the Cluster Group")
    if qr is not None and fold(qr) in {fold(n) for n in CORE_NAMES}:
        ck.bad(_p(p, "quorum_resource"), f"{qr} is the name of a Cluster Group resource that is not the quorum disk")


def check_nodes(ck: Refs, cl, nodes) -> None:
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
        for field, message in node_problems(n["state"], n["down_reason"], n["regroup_pending"], n["leaving"]):
            ck.bad(_p(p, field), message)
        if "_leaving" in n["properties"]:   # a file from before the node's leaving field
            leaving = n["properties"]["_leaving"]
            if leaving not in (*Leaving, None) or type(leaving) not in (str, type(None)):
                ck.bad(_p(_p(p, "properties"), "_leaving"), f"expected stop or restart, not {_show(leaving)}")
            elif leaving is not None and n["leaving"] is not None:
                ck.bad(_p(p, "leaving"), "given twice: here and as properties._leaving")


def check_groups(ck: Refs, groups, resources) -> None:
    members: dict[str, list[str]] = {}
    for r, rv in resources.items():                # one pass over the resources, not one per group
        if rv:
            members.setdefault(ck.groups.get(rv["group"]) or rv["group"], []).append(r)
    for name, g in groups.items():
        if not g:
            continue
        p = _p("groups", name)
        g["owner"] = ck.nodes.ref(g["owner"], _p(p, "owner"), ck.probs)
        g["preferred_owners"] = ck.nodes.refs(g["preferred_owners"], _p(p, "preferred_owners"), ck.probs)
        if g["move"] is not None and g["move"].get("target") is not None:
            g["move"]["target"] = ck.nodes.ref(g["move"]["target"], _p(_p(p, "move"), "target"), ck.probs)
        w = g["failback_window"]
        if w is not None and w[0] == w[1]:
            ck.bad(_p(p, "failback_window"), f"expected [start_hour, end_hour] with different hours 0-23, not {w}")
        if g["resources"] is not None:
            rp = _p(p, "resources")
            g["resources"] = ck.resources.refs(g["resources"], rp, ck.probs)
            for i, r in enumerate(g["resources"]):
                if r is not BAD and resources.get(r) and ck.groups.get(resources[r]["group"]) != name:
                    ck.bad(_p(rp, i), f"{r} says it is in group {resources[r]['group']}")
            listed = set(g["resources"])
            for r in members.get(name, []):
                if r not in listed:
                    ck.bad(rp, f"does not list {r}, which says it is in this group")
        else:
            g["resources"] = members.get(name, [])


def check_resources(ck: Refs, cl, groups, resources) -> None:
    installed = set(cl["resource_types"]) if cl and cl.get("resource_types") is not None else None
    quorum = cl.get("quorum_resource") if cl else None
    for name, r in resources.items():
        if r:
            _check_resource(ck, name, r, resources, installed, quorum)
    _check_dependency_cycles(ck, resources)


def _check_resource(ck: Refs, name: str, r: dict, resources, installed: set | None, quorum) -> None:
    """One resource: its type, group, possible owners, nodes, dependencies (MSCS errors 1059, 87,
    5069) and state."""
    p = _p("resources", name)
    if r["type"] not in REGISTRY:
        import_plugins()
    if r["type"] not in REGISTRY:
        ck.bad(_p(p, "type"), f"no resource type named {_show(r['type'])} is registered with labkit")
    elif installed is not None and r["type"] not in installed:
        ck.bad(_p(p, "type"), f"resource type {r['type']!r} is not in cluster.resource_types")
    group = ck.groups.ref(r["group"], _p(p, "group"), ck.probs)
    r["group"] = group if group is not BAD else r["group"]
    r["possible_owners"] = ck.nodes.refs(r["possible_owners"], _p(p, "possible_owners"), ck.probs)
    if not r["possible_owners"]:
        ck.bad(_p(p, "possible_owners"), "a resource needs at least one possible owner (MSCS possible owners)")
    for key in ("node", "fault_node"):
        got = ck.nodes.ref(r[key], _p(p, key), ck.probs)
        r[key] = got if got is not BAD else r[key]
    deps = ck.resources.refs(r["dependencies"], _p(p, "dependencies"), ck.probs)
    for i, d in enumerate(deps):
        dp = _p(_p(p, "dependencies"), i)
        if d is BAD:
            continue
        if d == name:
            ck.bad(dp, "a resource cannot depend on itself (MSCS error 1059)")
        elif resources[d]:
            why = dependency_problem(d, resources[d]["group"], r["group"], same=ck.groups.same)
            if why:
                ck.bad(dp, why)
    r["dependencies"] = [d for d in deps if d is not BAD]
    if quorum is not None and ck.resources.get(quorum) == name and r["dependencies"]:
        ck.bad(_p(p, "dependencies"), "the quorum resource may not depend on other resources (MSCS error 5069)")
    for field, message in resource_problems(r["state"], r["node"], r["possible_owners"], r["persistent_fault"],
                                            r["fault_node"]):
        ck.bad(_p(p, field), message)


def _check_dependency_cycles(ck: Refs, resources) -> None:
    """No circular dependency (MSCS error 1059): a depth-first search over the dependencies that exist."""
    state: dict[str, int] = {}
    for start in resources:
        if start in state or not resources[start]:
            continue
        stack = [(start, iter(resources[start]["dependencies"]))]
        path = [start]
        on_path = {start}
        state[start] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
                on_path.discard(path.pop())
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


def check_dependents_order(ck: Refs, raw, resources) -> dict:
    if not isinstance(raw, dict):
        ck.bad("dependents_order", f"expected a mapping, not {_show(raw)}")
        return {}
    dependents: dict[str, list[str]] = {}
    for r, v in resources.items():                 # one pass, not one scan per provider
        for d in (v["dependencies"] if v else ()):
            dependents.setdefault(d, []).append(r)
    out = {}
    kind = V.ListOf(REF, unique="fold")
    for prov, lst in raw.items():
        p = _p("dependents_order", prov)
        got = kind.collect(lst, p, ck.probs.items)
        if got is BAD:
            continue
        name = ck.resources.get(prov)
        if name is None:
            ck.bad(p, f"no resource named {prov}")
            continue
        got = ck.resources.refs(got, p, ck.probs)
        want = sorted(dependents.get(name, []))
        if BAD in got or sorted(got) != want:
            ck.bad(p, f"must list exactly the resources that depend on {name}: {', '.join(want) or 'none'}")
            continue
        out[name] = got
    return out


def check_extensions(probs: Problems, raw: dict) -> dict:
    out = {}
    for name, value in raw.items():
        p = _p("extensions", name)
        if not V.NAME.ok(name):
            probs.add(p, f"an extension is named by a non-empty string, not {_show(name)}")
            continue
        reg = persistence(name)
        if reg is None:
            import_plugins()
            reg = persistence(name)
        check = reg[1] if reg is not None else None
        if isinstance(check, V.Kind):
            got = check.collect(value, p, probs.items)
            if got is not BAD:
                out[name] = value
        elif check is not None:
            found = check(value, p)
            for path, msg in found:
                probs.add(path, msg)
            out[name] = value
        else:
            got = V.PLAIN.collect(value, p, probs.items)
            if got is not BAD:
                out[name] = got
    return out
