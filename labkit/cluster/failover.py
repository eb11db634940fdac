"""The Failover Manager: what happens to a group when a resource or a node fails.

In MSCS the Failover Manager starts and stops resources in dependency order, and decides
where a group runs (paper, "Failover Manager"; Table 2: "works in conjunction with the
resource monitors to manage resource functions within the cluster such as failovers and
restarts"). When a resource fails it restarts it in place while the resource's
RestartThreshold allows (3 failures in 900 s by default); past that it fails the whole
group over to another node -- unless the group's FailoverThreshold (10 in 6 hours) is
spent, then the group stays Failed (KB 197047). The target is the first node of the
group's preferred owners that is Up and can run every resource; with no preferred owner
that can, the nodes are walked in order after the current one (KB 299631). When the
preferred node comes back, AutoFailback moves the group home, inside its failback window
if it has one (paper, "Cluster Failover").

One failover is a sequence of phases -- offline dependents first, choose the node and
switch the owner, online providers first -- and :meth:`FailoverManager._advance` lists
them in order, the way Pacemaker's scheduler lists its stages in ``pcmk__schedule_actions``.

This module is the :class:`FailoverManager` part of :class:`~labkit.cluster.Cluster`:
``online_group``, ``offline_group``, ``move_group``, ``online_resource``,
``offline_resource``, ``failover_target`` and ``can_host``.

>>> import labkit as lk
>>> c = lk.Cluster("FAIL", ip="10.0.0.100")
>>> _ = c.add_node("N1", ip="10.0.0.1"); _ = c.add_node("N2", ip="10.0.0.2"); c.run_until_stable()
>>> c.move_group("Cluster Group", "N2"); c.run_until_stable()
>>> [e.what for e in c.log.about("Cluster Group") if e.what.startswith(("owner", "group"))][-3:]
['group Online -> Pending', 'owner N1 -> N2', 'group Pending -> Online']
"""
from __future__ import annotations

from ..errors import OwnershipError, QuorumError, StateError
from ..sim import LogEvent
from .model import (CLUSTER_GROUP, DOWN_OR_FAILED, FAILED, OFF, OFF_PENDING, ON, ON_PENDING, CoreJob, Group,
                    GroupState, Move, MoveReason, NodeState, Resource, RestartAction)


#: How the log words a completed move, by its reason.
_VERBS = {MoveReason.FAILOVER: "failed over", MoveReason.NODE_FAILURE: "failed over", MoveReason.MOVE: "moved",
          MoveReason.FAILBACK: "failed back"}


class FailoverManager:
    """The Failover Manager of a :class:`~labkit.cluster.Cluster` (see the module)."""

    def can_host(self, group: str, node: str) -> bool:
        """True when ``node`` is Up and a possible owner of every resource of ``group``."""
        g = self.group(group)
        group = g.name
        n = self.node(node)
        node = n.name
        return n.state is NodeState.UP and not n.leaving and all(
            n.name in self.resources[r].possible_owners for r in g.resources)

    def failover_target(self, group: str) -> str | None:
        """Where ``group`` would go if it failed over now (None: nowhere)."""
        return self._walk(self.group(group))

    def online_group(self, group: str, node: str | None = None) -> None:
        """Bring a group online (Start-ClusterGroup). With no node: on its current owner
        if part of it runs, else on the first eligible node of its effective list
        (preferred owners, then node-id order). A no-op on an online group."""
        g = self.group(group)
        group = g.name
        if node is not None:
            node = self.node(node).name
        self._need_running()
        if g.move:
            raise StateError(f"group {group!r} is moving; wait for it to settle (run the clock)",
                             rule="one operation on a group at a time")
        active = self._group_active(g)
        if node is None:
            if g.state is GroupState.ONLINE and g.persistent_state:
                return
            if active:
                target = g.owner
                if self.nodes[target].state is not NodeState.UP:
                    raise OwnershipError(f"group {group!r} is on {target}, which is {self.nodes[target].state}; "
                                         "nothing can be brought online there",
                                         rule="resources are brought online only on an Up node (a paused node's "
                                              "groups can be taken offline, not brought online)",
                                         source="PauseClusterNode documentation")
            else:
                target = self._placement(g)
                if target is None:
                    raise OwnershipError(
                        f"no node can host group {group!r}: a host must be Up (not paused) and a possible "
                        "owner of every resource in the group", rule="a group runs on a possible owner of all "
                        "its resources", source="KB 299631 (the failover target)")
        else:
            target = node
            if active and g.owner != node:
                raise StateError(f"group {group!r} is partly online on {g.owner}; move it instead",
                                 rule="a group has one owner at a time", source="paper, Resources and Resource Groups")
            if not active:
                self._check_host(g, node)
        self._clear_failure(g)
        if g.owner != target:
            self._switch_owner(g, target, "online requested")
        g.persistent_state = True
        for rn in g.resources:
            self.resources[rn].wanted = True
        self.record(group, "online requested", f"on {target} by {self.account}", target)
        self._mark(group)
        self._settle()

    def offline_group(self, group: str) -> None:
        """Take a group offline (Stop-ClusterGroup): dependents first."""
        g = self.group(group)
        group = g.name
        if group == CLUSTER_GROUP:
            raise StateError("the Cluster Group holds the quorum; it stays online",
                             rule="the quorum resource stays online while the cluster runs")
        if g.move:
            raise StateError(f"group {group!r} is moving; wait for it to settle",
                             rule="one operation on a group at a time")
        g.persistent_state = False
        g.failed = False
        self._stop_wanting(g)
        for rn in g.resources:
            r = self.resources[rn]
            if r.state is FAILED:
                self._set_state(r, OFF, "offline requested")
        self.record(group, "offline requested", f"by {self.account}", g.owner)
        self._mark(group)
        self._settle()

    def move_group(self, group: str, node: str | None = None) -> None:
        """Move a group to ``node`` (Move-ClusterGroup): offline in reverse dependency
        order, then online in order on the new owner. With no node: the next node of
        its effective list. Refused onto a node that is not Up or is not a possible
        owner of every resource of the group."""
        g = self.group(group)
        group = g.name
        self._need_running()
        if g.move:
            raise StateError(f"group {group!r} is already moving", rule="one operation on a group at a time")
        if any(self.resources[r].state.pending for r in g.resources):
            raise StateError(f"group {group!r} is pending; wait for it to settle (run the clock)",
                             rule="one operation on a group at a time")
        if node is None:
            node = self._walk(g)
            if node is None:
                raise OwnershipError(f"no other node can host group {group!r}",
                                     rule="a group moves to an Up possible owner of all its resources",
                                     source="KB 299631 (the failover target)")
        else:
            node = self.node(node).name
        if node == g.owner:
            raise StateError(f"group {group!r} is already on {node}", rule="a move needs another node")
        self._check_host(g, node)
        self._clear_failure(g)
        self.record(group, f"move to {node} requested", f"by {self.account}", g.owner)
        if self._group_active(g):
            g.move = Move(MoveReason.MOVE, node)
            self._mark(group)
        else:
            self._switch_owner(g, node, "moved while offline")
        self._settle()

    def _check_host(self, g: Group, node: str) -> None:
        n = self.nodes[node]
        if n.state is not NodeState.UP or n.leaving:
            state = "leaving the cluster" if n.leaving else str(n.state)
            raise OwnershipError(f"node {node} is {state}; groups can only go to Up nodes",
                                 rule="a group is brought online only on an Up node (not Paused, Down or Joining)",
                                 source="Microsoft, Cluster Administrator: Pause Node")
        bad = [r for r in g.resources if node not in self.resources[r].possible_owners]
        if bad:
            raise OwnershipError(f"{node} is not a possible owner of {', '.join(repr(b) for b in bad)}",
                                 rule="a group goes only to a node that is a possible owner of every resource",
                                 source="Microsoft, Cluster Administrator: Possible Owners; paper, Resource Ownership and Failover")

    def _need_running(self) -> None:
        if not self.running:
            raise QuorumError(f"cluster {self.name} is not running; start a node first",
                              rule="the cluster runs while a node owns the quorum disk")

    def _clear_failure(self, g: Group) -> None:
        """An administrator's online or move clears the failover manager's memory [D]."""
        g.failed = False
        g.failovers.clear()
        for rn in g.resources:
            r = self.resources[rn]
            r.failures.clear()
            r.restart_pending = False
            if r.state is FAILED:
                self._set_state(r, OFF, "reset by the administrator")

    def online_resource(self, resource: str) -> None:
        """Bring one resource online, with the resources it depends on, on its group's owner."""
        r = self.resource(resource)
        resource = r.name
        g = self.groups[r.group]
        self._need_running()
        if g.move:
            raise StateError(f"group {g.name!r} is moving; wait for it to settle")
        if g.owner is None or self.nodes[g.owner].state is not NodeState.UP:
            raise OwnershipError(f"group {g.name!r} is on {g.owner or 'no node'}, which is not Up; nothing can be "
                                 "brought online there",
                                 rule="resources are brought online only on an Up node (a paused node's groups "
                                      "can be taken offline, not brought online)",
                                 source="PauseClusterNode documentation")
        need = [resource] + self._providers_closure(resource)
        for n in need:
            if g.owner not in self.resources[n].possible_owners:
                raise OwnershipError(f"{g.owner} is not a possible owner of {n!r}",
                                     rule="a resource comes online only on a possible owner")
        for n in need:
            x = self.resources[n]
            x.wanted = True
            x.failures.clear()
            if x.state is FAILED:
                x.restart_pending = False
                self._set_state(x, OFF, "reset by the administrator")
        g.failed = False
        g.persistent_state = True
        self.record(resource, "online requested", f"by {self.account}", g.owner)
        self._mark(g.name)
        self._settle()

    def _providers_closure(self, name: str) -> list[str]:
        out: list[str] = []
        stack = list(self.resources[name].dependencies)
        while stack:
            p = stack.pop(0)
            if p not in out:
                out.append(p)
                stack.extend(self.resources[p].dependencies)
        return out

    def offline_resource(self, resource: str) -> None:
        """Take one resource offline, after the resources that depend on it."""
        r = self.resource(resource)
        resource = r.name
        if resource == self.quorum_resource:
            raise QuorumError("the quorum resource stays online while the cluster runs",
                              rule="the quorum resource stays online")
        g = self.groups[r.group]
        if g.move:
            raise StateError(f"group {g.name!r} is moving; wait for it to settle")
        for n in self._closure_dependents(resource):
            x = self.resources[n]
            x.wanted = False
            x.restart_pending = False
            if x.state is FAILED:
                self._set_state(x, OFF, "offline requested")
        self.record(resource, "offline requested", f"by {self.account}", g.owner)
        self._mark(g.name)
        self._settle()

    def _mark(self, group: str) -> None:
        self._dirty[group] = None
        self._touched[group] = None

    def _fail(self, r: Resource, why: str) -> None:
        """A resource failed: record it, then restart in place or fail the group over."""
        if r.state is FAILED or r.state is OFF:  # already down (e.g. stopped by a failed provider)
            return
        self._set_state(r, FAILED, why)
        # its dependents stop at once (they cannot run without it) and come back after a restart
        for d in self._closure_dependents(r.name)[1:]:
            dr = self.resources[d]
            if dr.state is ON:
                self._start_offline(dr, f"provider {r.name!r} failed")
            elif dr.state is ON_PENDING:
                self._set_state(dr, OFF, f"online cancelled: provider {r.name!r} failed")
        g = self.groups[r.group]
        if g.move is not None or not r.wanted:
            return
        now = self.clock.ms
        period = r.restart_period_s * 1000
        r.failures = [t for t in r.failures if now - t < period] + [now]
        if r.restart_action is RestartAction.DONT_RESTART:
            self.record(r.name, "left failed", "RestartAction is dont_restart", r.node)
            return
        count = len(r.failures)
        if count <= r.restart_threshold:
            r.restart_pending = True
            self.record(r.name, "restart in place",
                        f"failure {count} of RestartThreshold {r.restart_threshold} in "
                        f"{r.restart_period_s} s; dependents go offline first", r.node)
        elif r.restart_action is RestartAction.RESTART_NOTIFY:
            self.record(r.name, "restart threshold exceeded",
                        f"{count} failures in {r.restart_period_s} s; the group fails over", r.node)
            self._failover(g, MoveReason.FAILOVER, f"{r.name!r} exceeded its restart threshold")
        else:
            self.record(r.name, "restart threshold exceeded",
                        "RestartAction is restart_no_notify: left failed, the group stays", r.node)

    def _failover(self, g: Group, reason: MoveReason, why: str) -> None:
        counts = reason is MoveReason.FAILOVER or (reason is MoveReason.NODE_FAILURE
                                                   and self.settings.node_failures_count)
        if counts:
            now = self.clock.ms
            period = int(g.failover_period_hours * 3_600_000)
            g.failovers = [t for t in g.failovers if now - t < period]
            if len(g.failovers) >= g.failover_threshold:
                self._give_up(g, f"FailoverThreshold exceeded: this would be failover {len(g.failovers) + 1} in "
                                 f"{g.failover_period_hours:g} h, above the threshold of {g.failover_threshold}")
                return
            g.failovers.append(now)
        for rn in g.resources:
            self.resources[rn].restart_pending = False
        g.move = Move(reason, None, why)
        self.record(g.name, "failing over" if reason is not MoveReason.NODE_FAILURE else "failing over (node failure)",
                    why, g.owner)
        self._mark(g.name)

    def _stop_wanting(self, g: Group) -> None:
        """Nothing in the group is wanted online any more, and no restart is pending."""
        for rn in g.resources:
            r = self.resources[rn]
            r.wanted = False
            r.restart_pending = False

    def _give_up(self, g: Group, why: str) -> None:
        g.failed = True
        g.move = None
        self._stop_wanting(g)
        self.record(g.name, "left failed and offline", why, g.owner)
        self._mark(g.name)
        if self.quorum_resource in g.resources:
            self._stop_cluster(f"the group holding the quorum resource failed ({why})")

    def _group_active(self, g: Group) -> bool:
        return any(self.resources[r].state is not OFF for r in g.resources)

    def _eligible(self, g: Group, node: str) -> bool:
        n = self.nodes.get(node)
        if n is None or n.state is not NodeState.UP or n.leaving:
            return False
        if self.partition_sides is not None and node not in self.quorum_side:
            return False
        return all(node in self.resources[r].possible_owners for r in g.resources)

    def _walk(self, g: Group) -> str | None:
        """Next eligible node after the current owner in the effective list, wrapping;
        the current owner itself comes last (KB 299631)."""
        lst, place = self._effective(g)
        if not lst:
            return None
        start = place.get(g.owner, -1)
        n = len(lst)
        for i in range(1, n + 1):
            cand = lst[(start + i) % n]
            if self._eligible(g, cand):
                return cand
        return None

    def _placement(self, g: Group) -> str | None:
        """First eligible node of the effective list, from the top."""
        for cand in self._effective(g)[0]:
            if self._eligible(g, cand):
                return cand
        return None

    def _switch_owner(self, g: Group, target: str | None, why: str) -> None:
        old = g.owner
        g.owner = target
        self.record(g.name, f"owner {old or '(none)'} -> {target or '(none)'}", why, target)
        self._mark(g.name)

    def _complete_move(self, g: Group) -> None:
        move = g.move
        g.move = None
        reason = move.reason
        target = move.target
        if target is None or not self._eligible(g, target):
            target = self._walk(g) if reason is not MoveReason.FAILBACK else None
        for rn in g.resources:
            r = self.resources[rn]
            r.failures.clear()
            r.restart_pending = False
            if r.state is FAILED:
                self._set_state(r, OFF, f"reset for the {reason}")
        if target is None:
            owner_alive = g.owner in self.nodes and self.nodes[g.owner].state in (NodeState.UP, NodeState.PAUSED) \
                and not self.nodes[g.owner].leaving
            if reason is MoveReason.FAILBACK:
                self.record(g.name, "failback abandoned", "the preferred node is no longer available", g.owner)
            else:
                if not owner_alive:
                    self._switch_owner(g, None, "no node can host the group")
                g.failed = g.persistent_state
                self.record(g.name, "no node available",
                            "no Up node is a possible owner of every resource; the group stays offline", g.owner)
                if self.quorum_resource in g.resources:
                    self._stop_cluster("no node can take over the quorum disk")
            return
        verb = _VERBS[reason]
        if target != g.owner:
            self._switch_owner(g, target, f"{verb}: {reason if move.why is None else move.why}")
        else:
            self.record(g.name, "restarting on the same node", "no other node is eligible", target)
            self._mark(g.name)

    def _advance(self, g: Group) -> None:
        """Drive a group one step towards what is wanted. The phases of a failover, in order
        (as Pacemaker's ``pcmk__schedule_actions`` lists its scheduler's stages):

        0. the Resource Monitor finds the failure (:mod:`labkit.cluster.monitor`), and
           :meth:`_fail` applies the restart policy, :meth:`_failover` the failover
           threshold, which starts a move (``g.move``);
        1. offline, dependents first: wait while any resource is still going offline;
        2. place: choose the node (the preferred owners, then the KB 299631 walk) and
           switch the group's owner;
        3. stop what cannot run: a resource whose provider is not online goes offline;
        4. online, providers first, on the new owner (and restarts in place);
        5. :meth:`_settle` logs the group's new state and checks failback.

        Each call runs the phases that can run now; a resource still pending ends the call,
        and the job that completes it calls again.
        """
        if g.move is not None:
            if self._offline_for_move(g):                 # 1
                return
            self._complete_move(g)                        # 2
            return
        owner = g.owner
        node = self.nodes.get(owner) if owner else None
        alive = node is not None and node.state in (NodeState.UP, NodeState.PAUSED)
        order = self._order(g)
        self._offline_unsupported(order, alive)           # 3
        if alive:
            self._online_wanted(g, order)                 # 4

    def _offline_for_move(self, g: Group) -> bool:
        """Phase 1: take the moving group's resources offline, dependents first. True while
        any is still online or going offline."""
        res = self.resources
        busy = False
        for rn in reversed(self._order(g)):
            r = res[rn]
            if r.state is ON:
                busy = True
                if all(res[d].state in DOWN_OR_FAILED for d in self._dependents.get(rn, ())):
                    self._start_offline(r, f"group {g.move.reason}")
            elif r.state is ON_PENDING:
                self._set_state(r, OFF, f"online cancelled: group {g.move.reason}")
            elif r.state is OFF_PENDING:
                busy = True
        return busy

    def _offline_unsupported(self, order: list[str], alive: bool) -> None:
        """Phase 3: a resource that is not wanted, or whose owner is gone, or whose provider
        is not online, goes offline once its dependents are offline."""
        res = self.resources
        down: dict[str, bool] = {}
        for rn in order:  # providers first, so their verdict is known
            r = res[rn]
            down[rn] = (not r.wanted or not alive or any(down[p] or res[p].state is not ON
                                                         for p in r.dependencies))
        for rn in reversed(order):
            r = res[rn]
            if r.state is ON and down[rn] and all(res[d].state in DOWN_OR_FAILED
                                                   for d in self._dependents.get(rn, ())):
                self._start_offline(r, "its provider is not online" if r.wanted else "offline requested")

    def _online_wanted(self, g: Group, order: list[str]) -> None:
        """Phase 4: bring the wanted resources online on the owner, providers first; a failed
        resource waiting to restart in place restarts once its dependents are offline."""
        res = self.resources
        owner = g.owner
        for rn in order:
            r = res[rn]
            if owner not in r.possible_owners:
                continue
            deps_online = all(res[p].state is ON for p in r.dependencies)
            if r.state is FAILED and r.restart_pending and r.wanted and deps_online:
                if all(res[d].state in DOWN_OR_FAILED for d in self._dependents.get(rn, ())):
                    self._start_online(r, owner, "restarting in place")
            elif r.state is OFF and r.wanted and deps_online and not g.failed:
                self._start_online(r, owner, "bringing online")

    def _settle(self) -> None:
        """Advance dirty groups until nothing more can move, then log group state changes."""
        guard = 0
        while self._dirty:
            name = next(iter(self._dirty))
            del self._dirty[name]
            g = self.groups.get(name)
            if g is not None:
                self._advance(g)
            guard += 1
            if guard > 10_000_000:  # pragma: no cover
                raise RuntimeError("settle did not converge")
        touched, self._touched = self._touched, {}
        for name in touched:
            g = self.groups.get(name)
            if g is None:
                continue
            new = self._compute_state(g)
            if new is not g.state:
                old = g.state
                g.state = new
                self.log.append(LogEvent(self.clock.now, g.owner, name, f"group {old} -> {new}", ""))
                if old is GroupState.ONLINE:
                    g.outages.append([self.clock.ms, None])
                elif new is GroupState.ONLINE and g.outages and g.outages[-1][1] is None:
                    g.outages[-1][1] = self.clock.ms
        self._check_leaving()
        if self._dirty:
            self._settle()

    def _compute_state(self, g: Group) -> GroupState:
        if not g.resources:
            owner_ok = g.owner is not None and self.nodes[g.owner].state in (NodeState.UP, NodeState.PAUSED)
            if g.failed:
                return GroupState.FAILED
            return GroupState.ONLINE if (g.persistent_state and owner_ok) else GroupState.OFFLINE
        states = [self.resources[r].state for r in g.resources]
        if g.move is not None or any(s.pending for s in states):
            return GroupState.PENDING
        if FAILED in states:
            return GroupState.FAILED
        if all(s is ON for s in states):
            return GroupState.ONLINE
        if all(s is OFF for s in states):
            return GroupState.FAILED if g.failed else GroupState.OFFLINE
        return GroupState.PARTIAL_ONLINE

    def _window_open(self, g: Group) -> bool:
        if g.failback_window is None:
            return True
        start, end = g.failback_window
        h = self.clock.now.hour
        return start <= h < end if start < end else (h >= start or h < end)

    def _failback_target(self, g: Group) -> str | None:
        if not (g.auto_failback and g.persistent_state and not g.failed and g.move is None
                and g.preferred_owners and g.owner is not None):
            return None
        if g.state not in (GroupState.ONLINE, GroupState.PARTIAL_ONLINE):
            return None
        best = next((n for n in g.preferred_owners if self._eligible(g, n)), None)
        if best is None or best == g.owner:
            return None
        rank = {n: i for i, n in enumerate(g.preferred_owners)}
        if g.owner in rank and rank[g.owner] <= rank[best]:
            return None
        return best

    def _check_failback(self, g: Group, trigger: str | None = None) -> None:
        best = self._failback_target(g)
        if best is None:
            return
        if self._window_open(g):
            g.move = Move(MoveReason.FAILBACK, best, f"{best} is a more preferred owner and is up")
            self.record(g.name, f"failback to {best}", "AutoFailback allow" + (
                f"; window {g.failback_window[0]:02d}-{g.failback_window[1]:02d} h is open" if g.failback_window
                else ""), g.owner)
            self._mark(g.name)
        else:
            start = g.failback_window[0]
            now = self.clock.now
            days = 0 if now.hour < start else 1
            opening = now.replace(hour=start, minute=0, second=0, microsecond=0)
            from datetime import timedelta
            opening += timedelta(days=days)
            at = self.clock.ms + int((opening - now).total_seconds() * 1000)
            if not self.queue.has(lambda j: j.kind == CoreJob.FAILBACK_WINDOW and j.args == (g.name,)):
                self.queue.push(at, CoreJob.FAILBACK_WINDOW, (g.name,), transient=False)
                self.record(g.name, "failback deferred",
                            f"window {start:02d}-{g.failback_window[1]:02d} h opens at {opening:%H:%M}", g.owner)

    def _on_failback_window(self, group: str) -> None:
        g = self.groups.get(group)
        if g is not None:
            self._check_failback(g)
            self._settle()
