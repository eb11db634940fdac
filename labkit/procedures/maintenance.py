"""Planned maintenance: the rolling upgrade (paper, The Problems Clustering Solves;
Windows NT/2000 Cluster Technology Fundamentals; Clustering Support in Exchange 2000).

For each node in turn: move its groups to other nodes, pause it (nothing may move
to it), upgrade it and restart it, resume it, and move its groups back. Clients of a
moved virtual server see an interruption only while the group is pending during the
move; the report lists every move with its client interruption and *proves*, from
each group's ``outages``, that no group was ever offline outside one of its moves
(so never longer than its move).

A paused node that restarts comes back paused (PauseClusterNode documentation; the
core keeps ``Node.paused``), so nothing can move to it before it is resumed on
purpose; the upgrade step checks that outcome.

Failback is checked first. A group allowed to fail back to one of the nodes being
upgraded would move back on its own when that node is resumed -- a move the runbook
did not make, and an outage its proof cannot account for. So step 1 refuses unless
every such group has failback prevented or a failback window that stays closed for
the estimated length of the runbook (:func:`failback_risks`) [D: the paper and MSCS
say nothing about maintenance; the rule follows from AutoFailbackType and
FailbackWindowStart/End, Microsoft group properties]. ``failback_window=(22, 6)``
sets such a window on those groups at step 1, as the refusal suggests; before each
resume the runbook checks again that no group would fail back at once.

>>> from labkit.exchange import demo_cluster
>>> report = rolling_upgrade(demo_cluster()).run()
>>> report.complete, all(row["ok"] for row in report.table("proof"))
(True, True)
"""
from __future__ import annotations

from datetime import timedelta

from ..cluster.model import GroupState, NodeState
from ..values import show
from ..errors import ConfigurationError, OwnershipError, ProcedureError, StateError, ValidationError
from .assumptions import pick
from .engine import (Procedure, Step, before_start, interruptions, minutes, need_cluster, servers_in,
                     users_of, wait)

SRC_MAINT = "paper, The Problems Clustering Solves (planned outages); Windows NT/2000 Cluster Technology Fundamentals"
SRC_MOVE = "paper, Clustering Support in Exchange 2000 (clients see an interruption only while pending)"
UPGRADES = "procedures.upgrades"
SRC_FAILBACK = ("MSCS group properties AutoFailbackType and FailbackWindowStart/End (Microsoft group properties); "
                "paper, Resource Ownership and Failover")
RULE_FAILBACK = ("no group fails back on its own during a rolling upgrade: prevent failback, or keep its failback "
                 "window closed while the upgrade runs [D]")
RULE_PAUSED = "a paused node stays paused across restarts"
SRC_PAUSED = "PauseClusterNode documentation (Suspend-ClusterNode; Microsoft, Cluster Administrator: Pause Node)"


def _sg_room(cluster, group: str, node: str) -> bool:
    """True when moving ``group`` to ``node`` keeps it within four mounted storage groups."""
    vss = servers_in(cluster, group)
    if not vss:
        return True
    from ..exchange import storage_groups_on
    from ..exchange.model import org as exchange_org
    o = exchange_org(cluster)
    need = sum(len(v.storage_groups) for v in vss)
    return len(storage_groups_on(cluster, node)) + need <= o.settings.max_storage_groups_per_node


def choose_target(cluster, group: str, exclude=()) -> str | None:
    """Where to move ``group`` for maintenance: the first node of its effective owner list
    (preferred owners, then node-id order) that is Up, can host it (possible owners) and
    has room for its storage groups, skipping its current owner and ``exclude``."""
    need_cluster(cluster)
    g = cluster.group(group)
    group = g.name
    if isinstance(exclude, str) or not isinstance(exclude, (list, tuple, set)):
        raise ValidationError(f"exclude is a list of node names, not {show(exclude)}", rule="nodes are named")
    for n in cluster.effective_owners(group):
        if n != g.owner and n not in exclude and cluster.can_host(group, n) and _sg_room(cluster, group, n):
            return n
    return None


def _nodes(cluster, nodes) -> list[str]:
    need_cluster(cluster)
    if isinstance(nodes, str) or not isinstance(nodes, (list, tuple, set)):
        raise ValidationError(f"nodes is a list of node names, not {show(nodes)}", rule="nodes are named")
    return [cluster.node(n).name for n in nodes]


def _window_opens(cluster, window, hours: float):
    """When a failback window ``(start, end)`` is next open within ``hours`` from now
    (now, or the next start hour), or None if it stays closed that long."""
    if window is None:
        return cluster.now
    start, end = window
    now = cluster.now
    h = now.hour
    if (start <= h < end) if start < end else (h >= start or h < end):
        return now
    opening = now.replace(hour=start, minute=0, second=0, microsecond=0)
    if opening <= now:
        opening += timedelta(days=1)
    return opening if opening <= now + timedelta(hours=hours) else None


def failback_risks(cluster, nodes, *, hours: float = 0.0) -> list[dict]:
    """Groups that could fail back on their own to one of ``nodes`` within ``hours``
    from now: failback allowed (AutoFailbackType), one of ``nodes`` among their
    preferred owners, and a failback window that is none (any hour) or opens in that
    time. One row per group: group, nodes, window, opens.

    >>> from labkit.exchange import demo_cluster
    >>> c = demo_cluster()
    >>> failback_risks(c, ["1-CURLY"], hours=2)
    []
    >>> c.set_group_properties("EXVS1", auto_failback=True)
    >>> [(r["group"], r["window"], r["opens"]) for r in failback_risks(c, ["1-CURLY"], hours=2)]
    [('EXVS1', 'any hour', '09:07')]
    """
    _nodes(cluster, nodes)
    if isinstance(hours, bool) or not isinstance(hours, (int, float)) or hours < 0:
        raise ValidationError(f"hours is a number >= 0, not {show(hours)}", rule="durations are positive numbers")
    wanted = set(nodes)
    rows = []
    for g in cluster.groups.values():
        prefers = [n for n in g.preferred_owners if n in wanted]
        if not g.auto_failback or not prefers:
            continue
        opens = _window_opens(cluster, g.failback_window, hours)
        if opens is None:
            continue
        w = g.failback_window
        rows.append({"group": g.name, "nodes": ", ".join(prefers),
                     "window": "any hour" if w is None else f"{w[0]:02d}-{w[1]:02d} h", "opens": f"{opens:%H:%M}"})
    return rows


def estimate_hours(cluster, nodes, assumptions=None) -> float:
    """How long a rolling upgrade of ``nodes`` is expected to take: for each node, its
    upgrade, restart and join, and two moves of each group on it now
    (:class:`~labkit.procedures.assumptions.Assumptions` ``upgrade_min`` and
    ``group_move_min``; the core's ``node_reboot_s`` and ``node_join_s``)."""
    _nodes(cluster, nodes)
    a = pick(assumptions)
    s = cluster.settings
    total = 0.0
    for n in nodes:
        total += a.upgrade_min * 60 + s.node_reboot_s + s.node_join_s
        total += 2 * a.group_move_min * 60 * len(cluster.groups_on(n))
    return total / 3600


def _would_fail_back_now(cluster, node: str) -> list[str]:
    """Groups that would fail back at once when ``node`` is resumed: failback allowed,
    the window open now, and ``node`` preferred over the group's current owner."""
    out = []
    for g in cluster.groups.values():
        if not g.auto_failback or node not in g.preferred_owners or g.owner is None or g.owner == node:
            continue
        if _window_opens(cluster, g.failback_window, 0) is None:
            continue
        rank = g.preferred_owners.index
        if g.owner not in g.preferred_owners or rank(node) < rank(g.owner):
            out.append(g.name)
    return out


def _move(p, group: str, target: str, why: str) -> dict:
    c = p.cluster
    src = c.groups[group].owner
    t0 = c.clock.ms
    c.move_group(group, target)
    wait(c)
    t1 = c.clock.ms
    g = c.groups[group]
    if g.owner != target or g.state not in (GroupState.ONLINE, GroupState.OFFLINE):
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


class _RollingUpgradeSteps:
    """The steps of :func:`rolling_upgrade`, one method each; the values they share are attributes."""

    def __init__(self, env: dict):
        self.__dict__.update(env)

    def start(self, p):
        a, failback_window, order = self.a, self.failback_window, self.order
        c = p.cluster
        for n in order:
            c.node(n)
        up = [n for n in c.node_ids() if c.nodes[n].state is NodeState.UP]
        if len(up) < 2 or not c.running:
            raise StateError(f"{len(up)} node(s) are Up; a rolling upgrade needs another node to take the groups",
                             rule="move the groups to another node during maintenance", source=SRC_MAINT)
        hours = estimate_hours(c, order, a)
        note = ""
        if failback_window is not None:
            fixed = [r["group"] for r in failback_risks(c, order, hours=hours)]
            for g in fixed:
                c.set_group_properties(g, failback_window=failback_window)
            if fixed:
                note = f"; failback window {failback_window[0]:02d}-{failback_window[1]:02d} h set on " \
                       f"{', '.join(fixed)}"
        risks = failback_risks(c, order, hours=hours)
        if risks:
            r = risks[0]
            when = ("at any hour (AutoFailback allow, no failback window)" if r["window"] == "any hour"
                    else f"when its failback window {r['window']} opens at {r['opens']}")
            others = f" (and {', '.join(x['group'] for x in risks[1:])})" if len(risks) > 1 else ""
            raise ConfigurationError(
                f"{r['group']}{others} may fail back to {r['nodes']} on its own {when}, within the upgrade's "
                f"estimated {hours:.1f} h: resuming that node would move it back outside the runbook's moves. "
                "Prevent failback, or set a failback window outside the maintenance hours, e.g. "
                f"cluster.set_group_properties({show(r['group'])}, failback_window=(22, 6)) -- or pass "
                "failback_window=(22, 6) to rolling_upgrade", rule=RULE_FAILBACK, source=SRC_FAILBACK)
        p.data["t0"] = c.clock.ms
        return f"{len(order)} node(s): {', '.join(order)}" + note

    def away(self, n):
        def act(p):
            c = p.cluster
            if c.nodes[n].state is not NodeState.UP:
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

    def pause(self, n):
        def act(p):
            p.cluster.pause_node(n)
            return f"{n} paused"
        return act

    def upgrade_it(self, n):
        a, upgrade = self.a, self.upgrade
        def act(p):
            c = p.cluster
            minutes(c, a.upgrade_min)
            c.nodes[n].properties.setdefault(UPGRADES, []).append(upgrade)
            c.record(n, f"upgraded: {upgrade}", "the node restarts", n)
            c.restart_node(n)
            wait(c)
            return f"{upgrade}; restarted, still paused"

        def verify(p):
            c = p.cluster
            if c.nodes[n].state is not NodeState.PAUSED:
                raise ProcedureError(f"{n} came back {c.nodes[n].state} after its restart, not Paused",
                                     rule=RULE_PAUSED, source=SRC_PAUSED)
            arrived = c.groups_on(n)
            if arrived:
                raise ProcedureError(f"{', '.join(arrived)} moved to {n} while it was being upgraded",
                                     rule="nothing moves to a node under maintenance", source=SRC_MAINT)
        return act, verify

    def resume(self, n):
        def act(p):
            c = p.cluster
            back = _would_fail_back_now(c, n)
            if back:
                raise ConfigurationError(f"{', '.join(back)} would fail back to {n} on its own as soon as it is "
                                         "resumed (failback allowed, window open now)", rule=RULE_FAILBACK,
                                         source=SRC_FAILBACK)
            c.resume_node(n)
            wait(c)
            return f"{n} is Up"
        return act

    def back(self, n):
        def act(p):
            c = p.cluster
            moved = []
            for g, _ in p.data["away"][n]:
                if c.groups[g].owner != n:
                    _move(p, g, n, f"back to {n}")
                    moved.append(g)
            return ", ".join(moved) or "no group"
        return act

    def prove(self, p):
        rows = prove_moves(p.cluster, p.data.get("moves", []), p.data["t0"])
        p.tables["proof"] = rows
        bad = [r["group"] for r in rows if not r["ok"]]
        if bad:
            raise ProcedureError(f"{', '.join(bad)} were offline outside a move",
                                 rule="a planned move interrupts clients only while the group moves", source=SRC_MOVE)
        longest = max((r["longest outage s"] for r in rows), default=0.0)
        moves = len(p.data.get("moves", []))
        return f"{moves} moves; longest client interruption {longest:g} s, always within its move"


def rolling_upgrade(cluster, nodes=None, *, upgrade: str = "Windows 2000 Service Pack 2",
                    failback_window=None, assumptions=None) -> Procedure:
    """Upgrade ``nodes`` (default: every node, in node-id order) one at a time with five
    steps each, then prove no group was offline outside its moves.

    Step 1 refuses when a group could fail back on its own during the upgrade
    (:func:`failback_risks`, over :func:`estimate_hours`); ``failback_window``
    (``(start_hour, end_hour)``) sets that failback window on those groups first."""
    title = f"Rolling upgrade: {upgrade}"
    before_start(title, "labkit procedures", need_cluster, cluster, "cluster")
    a = before_start(title, SRC_MAINT, pick, assumptions)
    order = list(nodes) if isinstance(nodes, (list, tuple)) else cluster.node_ids() if nodes is None else []
    if not order or not all(isinstance(n, str) for n in order) or len(set(order)) != len(order):
        before_start(title, SRC_MAINT, _raise, ValidationError(f"nodes must be a list of distinct node names, not "
                                                               f"{show(nodes)}", rule="each node is upgraded once"))
    if failback_window is not None and not (
            isinstance(failback_window, (list, tuple)) and len(failback_window) == 2
            and all(isinstance(h, int) and not isinstance(h, bool) and 0 <= h <= 23 for h in failback_window)
            and failback_window[0] != failback_window[1]):
        before_start(title, SRC_FAILBACK, _raise, ValidationError(
            f"failback_window must be (start_hour, end_hour) with different hours 0-23, not {show(failback_window)}",
            rule="FailbackWindowStart/End are hours 0-23", source="MSCS group property"))
    do = _RollingUpgradeSteps(dict(a=a, failback_window=failback_window, order=order, upgrade=upgrade))
    steps = [Step("check another node can take the groups", do.start, source=f"{SRC_MAINT}; {SRC_FAILBACK}")]
    for n in order:
        act, verify = do.upgrade_it(n)
        steps += [Step(f"{n}: move its groups away", do.away(n), source=SRC_MAINT),
                  Step(f"{n}: pause", do.pause(n), source="Suspend-ClusterNode; Microsoft, Cluster Administrator: Pause Node"),
                  Step(f"{n}: upgrade and restart", act, verify=verify, source=f"{SRC_MAINT}; {SRC_PAUSED}"),
                  Step(f"{n}: resume", do.resume(n), source="Resume-ClusterNode"),
                  Step(f"{n}: move its groups back", do.back(n), source=SRC_MAINT)]
    steps += [Step("prove no group was offline longer than its move", do.prove, source=SRC_MOVE)]
    return Procedure(title, cluster, steps, source=SRC_MAINT, params={"nodes": order, "upgrade": upgrade},
                     rebuild=lambda cs: rolling_upgrade(cs[0], nodes, upgrade=upgrade,
                                                       failback_window=failback_window, assumptions=a))


def _raise(e):
    raise e
