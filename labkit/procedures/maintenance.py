"""Planned maintenance: the rolling upgrade (paper, The Problems Clustering Solves;
Windows NT/2000 Cluster Technology Fundamentals; Clustering Support in Exchange 2000).

For each node in turn: move its groups to other nodes, pause it (nothing may move
to it), upgrade it and restart it, resume it, and move its groups back. Clients of a
moved virtual server see an interruption only while the group is pending during the
move; the report lists every move with its client interruption and *proves*, from
each group's ``outages``, that no group was ever offline outside one of its moves
(so never longer than its move).

A restarted node rejoins Up: the core does not keep a node paused across a restart,
so the procedure pauses it again as soon as it is back, before resuming it on purpose
[D].

>>> from labkit.exchange import demo_cluster
>>> report = rolling_upgrade(demo_cluster()).run()
>>> report.complete, all(row["ok"] for row in report.table("proof"))
(True, True)
"""
from __future__ import annotations

from ..errors import OwnershipError, ProcedureError, StateError, ValidationError
from .assumptions import pick
from .engine import (Procedure, Step, before_start, interruptions, minutes, need_cluster, servers_in,
                     users_of, wait)

SRC_MAINT = "paper, The Problems Clustering Solves (planned outages); Windows NT/2000 Cluster Technology Fundamentals"
SRC_MOVE = "paper, Clustering Support in Exchange 2000 (clients see an interruption only while pending)"
UPGRADES = "procedures.upgrades"


def _sg_room(cluster, group: str, node: str) -> bool:
    """True when moving ``group`` to ``node`` keeps it within four mounted storage groups."""
    vss = servers_in(cluster, group)
    if not vss:
        return True
    from ..exchange import storage_groups_on
    o = cluster.extensions["exchange"]
    need = sum(len(v.storage_groups) for v in vss)
    return len(storage_groups_on(cluster, node)) + need <= o.settings.max_storage_groups_per_node


def choose_target(cluster, group: str, exclude=()) -> str | None:
    """Where to move ``group`` for maintenance: the first node of its effective owner list
    (preferred owners, then node-id order) that is Up, can host it (possible owners) and
    has room for its storage groups, skipping its current owner and ``exclude``."""
    need_cluster(cluster)
    g = cluster._group(group)
    if isinstance(exclude, str) or not isinstance(exclude, (list, tuple, set)):
        raise ValidationError(f"exclude is a list of node names, not {exclude!r}", rule="nodes are named")
    for n in cluster.effective_owners(group):
        if n != g.owner and n not in exclude and cluster.can_host(group, n) and _sg_room(cluster, group, n):
            return n
    return None


def _move(p, group: str, target: str, why: str) -> dict:
    c = p.cluster
    src = c.groups[group].owner
    t0 = c.clock.ms
    c.move_group(group, target)
    wait(c)
    t1 = c.clock.ms
    g = c.groups[group]
    if g.owner != target or str(g.state) not in ("Online", "Offline"):
        raise ProcedureError(f"{group} is {g.state} on {g.owner} after its move to {target}",
                             rule="a planned move brings the group online on the target", source=SRC_MOVE)
    off = sum(i.seconds for i in interruptions(c, t0, t1, cause=why, groups=[group]))
    row = {"group": group, "from": src, "to": target, "why": why, "requested": f"{c.clock.at(t0):%H:%M:%S}",
           "move s": round((t1 - t0) / 1000, 2), "offline s": round(off, 2), "users": users_of(c, group),
           "t0": t0, "t1": t1}
    p.data.setdefault("moves", []).append(row)
    p.tables.setdefault("moves", []).append({k: v for k, v in row.items() if k not in ("t0", "t1")})
    return row


def prove_moves(cluster, moves: list[dict], since_ms: int, until_ms: int | None = None) -> list[dict]:
    """For each group: every outage (``group.outages``) between ``since_ms`` and
    ``until_ms`` must lie inside one of its moves ``[t0, t1]``; then no outage is longer
    than its move. One row per group: outages, longest, its move, ok."""
    need_cluster(cluster)
    ok = isinstance(moves, list) and all(isinstance(m, dict) and {"group", "t0", "t1"} <= set(m) for m in moves)
    times = [since_ms] + ([] if until_ms is None else [until_ms])
    if not ok or not all(isinstance(t, int) and not isinstance(t, bool) for t in times):
        raise ValidationError("moves is a list of dicts with group, t0 and t1 (ms); since_ms and until_ms are ms",
                              rule="the proof compares outages with moves")
    end = cluster.clock.ms if until_ms is None else until_ms
    rows = []
    for name, g in cluster.groups.items():
        windows = [(m["t0"], m["t1"]) for m in moves if m["group"] == name]
        outs = [(s, end if f is None else f) for s, f in g.outages if (end if f is None else f) > since_ms and s < end]
        bad, longest, longest_move = [], 0.0, 0.0
        for s, f in outs:
            w = next(((a, b) for a, b in windows if a <= s and f <= b), None)
            if w is None:
                bad.append((s, f))
            elif f - s >= longest:
                longest, longest_move = f - s, w[1] - w[0]
        rows.append({"group": name, "moves": len(windows), "outages": len(outs), "longest outage s": longest / 1000,
                     "its move s": longest_move / 1000, "outside a move": len(bad), "ok": not bad})
    return rows


def rolling_upgrade(cluster, nodes=None, *, upgrade: str = "Windows 2000 Service Pack 2",
                    assumptions=None) -> Procedure:
    """Upgrade ``nodes`` (default: every node, in node-id order) one at a time with five
    steps each, then prove no group was offline outside its moves."""
    title = f"Rolling upgrade: {upgrade}"
    before_start(title, "labkit procedures", need_cluster, cluster, "cluster")
    a = before_start(title, SRC_MAINT, pick, assumptions)
    order = list(nodes) if isinstance(nodes, (list, tuple)) else cluster.node_ids() if nodes is None else []
    if not order or not all(isinstance(n, str) for n in order) or len(set(order)) != len(order):
        before_start(title, SRC_MAINT, _raise, ValidationError(f"nodes must be a list of distinct node names, not "
                                                               f"{nodes!r}", rule="each node is upgraded once"))

    def start(p):
        c = p.cluster
        for n in order:
            c._node(n)
        up = [n for n in c.node_ids() if str(c.nodes[n].state) == "Up"]
        if len(up) < 2 or not c.running:
            raise StateError(f"{len(up)} node(s) are Up; a rolling upgrade needs another node to take the groups",
                             rule="move the groups to another node during maintenance", source=SRC_MAINT)
        p.data["t0"] = c.clock.ms
        return f"{len(order)} node(s): {', '.join(order)}"

    def away(n):
        def act(p):
            c = p.cluster
            if str(c.nodes[n].state) != "Up":
                raise StateError(f"{n} is {c.nodes[n].state}", rule="upgrade nodes that are Up", source=SRC_MAINT)
            moved = []
            for g in c.groups_on(n):
                target = choose_target(c, g)
                if target is None:
                    raise OwnershipError(f"no other node can take {g} (possible owners, Up nodes, four storage "
                                         "groups per node)", rule="move the groups to another node during maintenance",
                                         source=SRC_MAINT)
                _move(p, g, target, f"away from {n}")
                moved.append((g, target))
            p.data.setdefault("away", {})[n] = moved
            return "; ".join(f"{g} -> {t}" for g, t in moved) or "no group"
        return act

    def pause(n):
        def act(p):
            p.cluster.pause_node(n)
            return f"{n} paused"
        return act

    def upgrade_it(n):
        def act(p):
            c = p.cluster
            minutes(c, a.upgrade_min)
            c.nodes[n].properties.setdefault(UPGRADES, []).append(upgrade)
            c.record(n, f"upgraded: {upgrade}", "the node restarts", n)
            c.restart_node(n)
            wait(c)
            if str(c.nodes[n].state) == "Up":
                c.pause_node(n)
            arrived = c.groups_on(n)
            if arrived:
                raise ProcedureError(f"{', '.join(arrived)} moved to {n} while it was being upgraded",
                                     rule="nothing moves to a node under maintenance", source=SRC_MAINT)
            return f"{upgrade}; restarted and paused again"
        return act

    def resume(n):
        def act(p):
            p.cluster.resume_node(n)
            wait(p.cluster)
            return f"{n} is Up"
        return act

    def back(n):
        def act(p):
            c = p.cluster
            moved = []
            for g, _ in p.data["away"][n]:
                if c.groups[g].owner != n:
                    _move(p, g, n, f"back to {n}")
                    moved.append(g)
            return ", ".join(moved) or "no group"
        return act

    def prove(p):
        rows = prove_moves(p.cluster, p.data.get("moves", []), p.data["t0"])
        p.tables["proof"] = rows
        bad = [r["group"] for r in rows if not r["ok"]]
        if bad:
            raise ProcedureError(f"{', '.join(bad)} were offline outside a move",
                                 rule="a planned move interrupts clients only while the group moves", source=SRC_MOVE)
        longest = max((r["longest outage s"] for r in rows), default=0.0)
        moves = len(p.data.get("moves", []))
        return f"{moves} moves; longest client interruption {longest:g} s, always within its move"

    steps = [Step("check another node can take the groups", start, source=SRC_MAINT)]
    for n in order:
        steps += [Step(f"{n}: move its groups away", away(n), source=SRC_MAINT),
                  Step(f"{n}: pause", pause(n), source="Suspend-ClusterNode; mscs-reference.md, Groups (Paused node)"),
                  Step(f"{n}: upgrade and restart", upgrade_it(n), source=SRC_MAINT),
                  Step(f"{n}: resume", resume(n), source="Resume-ClusterNode"),
                  Step(f"{n}: move its groups back", back(n), source=SRC_MAINT)]
    steps += [Step("prove no group was offline longer than its move", prove, source=SRC_MOVE)]
    return Procedure(title, cluster, steps, source=SRC_MAINT, params={"nodes": order, "upgrade": upgrade},
                     rebuild=lambda cs: rolling_upgrade(cs[0], nodes, upgrade=upgrade, assumptions=a))


def _raise(e):
    raise e
