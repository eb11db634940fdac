"""The Resource Monitor: the process that talks to the resource DLLs and watches them.

In MSCS each Resource Monitor is a process of its own, between the Cluster Service and
the resource DLLs, so a misbehaving resource cannot take the cluster service down; a
resource can be put in a separate monitor to isolate it, and Exchange 2000 gets one
monitor per virtual server (paper, "The Resource Monitor"; Table 2). The monitor calls
each resource's Online and Offline entry points -- a resource stays Online Pending or
Offline Pending until the call returns, and fails when PendingTimeout (180 s) runs out --
and polls its health: LooksAlive every 5 s (a quick look that finds a crash), IsAlive every
60 s (a thorough check that also finds a hang). When a monitor process dies, every
resource it hosted fails, and the cluster service starts a new monitor.

This module is the :class:`ResourceMonitor` part of :class:`~labkit.cluster.Cluster`:
``inject_fault``, ``repair_resource``, ``fail_resource`` and ``crash_resource_monitor``,
and the pending and polling jobs they queue. What to do about a failure is the Failover
Manager's decision (:mod:`labkit.cluster.failover`).

>>> import labkit as lk
>>> c = lk.Cluster("WATCH", ip="10.0.0.100"); _ = c.add_node("N1", ip="10.0.0.1"); c.run_until_stable()
>>> c.inject_fault("Cluster Name", "hang"); c.run(seconds=61)
>>> c.log.about("Cluster Name")[-3].what                   # IsAlive found it within 60 s
'Online -> Failed'
"""
from __future__ import annotations

from .. import values as V
from ..errors import StateError, ValidationError
from ..sim import LogEvent
from ..values import show
from .model import (DOWN_OR_FAILED, FAILED, OFF, OFF_PENDING, ON, ON_PENDING, CoreJob, Fault, FaultScope, Resource,
                    ResourceState)


_FAULT_KIND = V.Choice(Fault, rule="faults are seen by LooksAlive (crash) or IsAlive (hang)")


class ResourceMonitor:
    """The Resource Monitor of a :class:`~labkit.cluster.Cluster` (see the module)."""

    def fail_resource(self, resource: str) -> None:
        """Make an online resource fail now (Test-ClusterResourceFailure, ``cluster res /fail``).

        The fault is transient: a restart in place succeeds."""
        r = self.resource(resource)
        resource = r.name
        if r.state is not ON:
            raise StateError(f"resource {resource!r} is {r.state}; only an Online resource can be failed",
                             rule="Test-ClusterResourceFailure acts on online resources")
        self._fail(r, "failure simulated by the administrator (Test-ClusterResourceFailure)")
        self._settle()

    def inject_fault(self, resource: str, kind: Fault | str = Fault.CRASH, *, persistent: bool = False,
                     everywhere: bool = False) -> None:
        """Break an online resource; the resource monitor finds out at its next health poll.

        ``kind="crash"``: the process died -- the next LooksAlive poll (every
        ``looks_alive_ms``) notices, IsAlive confirms at once. ``kind="hang"``: it still
        looks alive -- only the next thorough IsAlive poll (every ``is_alive_ms``) finds it.
        ``persistent``: online attempts on this node keep failing (``everywhere``: on every
        node, e.g. a corrupt database) until :meth:`repair_resource`.
        """
        r = self.resource(resource)
        resource = r.name
        if not _FAULT_KIND.ok(kind):
            raise ValidationError(f"kind must be 'crash' or 'hang', not {show(kind)}",
                                  rule="faults are seen by LooksAlive (crash) or IsAlive (hang)")
        kind = _FAULT_KIND.check(kind)
        if not isinstance(persistent, bool) or not isinstance(everywhere, bool):
            raise ValidationError("persistent and everywhere are True or False")
        if r.state is not ON:
            raise StateError(f"resource {resource!r} is {r.state}; faults are injected into Online resources",
                             rule="health polls watch online resources")
        interval = r.looks_alive_ms if kind is Fault.CRASH else r.is_alive_ms
        since = r.online_since_ms if r.online_since_ms is not None else self.clock.ms
        ticks = (self.clock.ms - since) // interval + 1
        at = since + ticks * interval
        r.fault = kind
        if persistent or everywhere:
            r.persistent_fault = FaultScope.EVERYWHERE if everywhere else FaultScope.NODE
            r.fault_node = r.node
        self.queue.push(at, CoreJob.DETECT_FAULT, (r.name, r.gen))
        poll = "LooksAlive" if kind is Fault.CRASH else "IsAlive"
        lasting = "" if not r.persistent_fault else f"; lasting ({r.persistent_fault})"
        self.record(resource, f"fault injected ({kind}{lasting})",
                    f"the next {poll} poll is at {self.clock.at(at):%H:%M:%S}", r.node)

    def repair_resource(self, resource: str) -> None:
        """Clear a lasting fault (the disk replaced, the database restored...)."""
        r = self.resource(resource)
        resource = r.name
        if not r.persistent_fault and not r.fault:
            raise StateError(f"resource {resource!r} has no fault to repair")
        r.persistent_fault = r.fault_node = None
        r.fault = None
        self.record(resource, "repaired", f"by {self.account}", r.node)

    def crash_resource_monitor(self, resource: str) -> list[str]:
        """A resource DLL crashes or hangs inside its resource monitor process: that monitor
        dies, every resource it hosts on that node fails -- and nothing else; the cluster
        service starts a new monitor (paper, The Resource Monitor). Returns the failed names."""
        r = self.resource(resource)
        resource = r.name
        if r.state in DOWN_OR_FAILED or r.node is None:
            raise StateError(f"resource {resource!r} is {r.state}; it is not loaded in a monitor",
                             rule="a resource monitor hosts running resources")
        node, mon = r.node, r.monitor
        victims = [x for x in self.resources.values()
                   if x.node == node and x.monitor == mon and x.state not in DOWN_OR_FAILED]
        self.record(f"monitor {mon}", "resource monitor terminated",
                    f"the DLL of {resource!r} crashed; {len(victims)} resources lose their monitor", node)
        for x in victims:
            self._fail(x, f"its resource monitor ({mon}) terminated")
        self.record(f"monitor {mon}", "resource monitor restarted", "by the cluster service", node)
        self._settle()
        return [x.name for x in victims]

    def _set_state(self, r: Resource, state: ResourceState, why: str) -> None:
        old = r.state
        node = r.node
        r.state = state
        r.gen += 1
        r.online_veto = None
        if state is OFF:
            r.node = None
            r.online_since_ms = None
        if state is not ON:
            r.fault = None
        self.log.append(LogEvent(self.clock.now, node, r.name, f"{old.value} -> {state.value}", why))
        self._mark(r.group)

    def _start_online(self, r: Resource, node: str, why: str) -> None:
        r.node = node
        r.restart_pending = False
        self._set_state(r, ON_PENDING, why)
        t = self.resource_types[r.type]
        ms = int(round(t.online_time_s(self, r, node) * 1000))
        # the type's veto is asked when the attempt starts, so resources starting together
        # cannot both pass a limit (the first to start reserves its share); the attempt
        # still takes its time before it fails
        veto = t.can_online(self, r, node)
        if veto:
            r.online_veto = veto
            self.queue.push(self.clock.ms + min(ms, r.pending_timeout_ms), CoreJob.ONLINE_REFUSED, (r.name, r.gen))
        elif ms > r.pending_timeout_ms:
            self.queue.push(self.clock.ms + r.pending_timeout_ms, CoreJob.PENDING_TIMEOUT, (r.name, r.gen))
        else:
            self.queue.push(self.clock.ms + ms, CoreJob.ONLINE_DONE, (r.name, r.gen))

    def _start_offline(self, r: Resource, why: str) -> None:
        self._set_state(r, OFF_PENDING, why)
        t = self.resource_types[r.type]
        ms = int(round(t.offline_time_s(self, r, r.node) * 1000))
        self.queue.push(self.clock.ms + ms, CoreJob.OFFLINE_DONE, (r.name, r.gen))

    def _on_online_done(self, name: str, gen: int) -> None:
        r = self.resources.get(name)
        if r is None or r.gen != gen or r.state is not ON_PENDING:
            return
        node = r.node
        reason = None
        if r.broken_on(node):
            where = " on every node" if r.persistent_fault is FaultScope.EVERYWHERE else f" on {node}"
            reason = "online failed: the resource is broken" + where
        self._finish_online(r, reason)

    def _on_online_refused(self, name: str, gen: int) -> None:
        r = self.resources.get(name)
        if r is None or r.gen != gen or r.state is not ON_PENDING:
            return
        self._finish_online(r, f"online failed: {r.online_veto}")

    def _finish_online(self, r: Resource, reason: str | None) -> None:
        name = r.name
        if reason:
            if name == self.quorum_resource:
                self._set_state(r, FAILED, reason)
                self._stop_cluster(f"the quorum resource {name!r} cannot come online ({reason})")
                self._settle()
                return
            self._fail(r, reason)
        else:
            r.online_since_ms = self.clock.ms
            self._set_state(r, ON, "online completed")
        self._settle()

    def _on_pending_timeout(self, name: str, gen: int) -> None:
        r = self.resources.get(name)
        if r is None or r.gen != gen or r.state is not ON_PENDING:
            return
        why = f"PendingTimeout ({r.pending_timeout_ms / 1000:g} s) expired; the resource was terminated"
        if name == self.quorum_resource:
            self._set_state(r, FAILED, why)
            self._stop_cluster(f"the quorum resource {name!r} cannot come online")
            self._settle()
            return
        self._fail(r, why)
        self._settle()

    def _on_offline_done(self, name: str, gen: int) -> None:
        r = self.resources.get(name)
        if r is None or r.gen != gen or r.state is not OFF_PENDING:
            return
        self._set_state(r, OFF, "offline completed")
        self._settle()

    def _on_detect_fault(self, name: str, gen: int) -> None:
        r = self.resources.get(name)
        if r is None or r.gen != gen or r.state is not ON or not r.fault:
            return
        if r.fault is Fault.CRASH:
            why = "LooksAlive poll failed; IsAlive confirmed the failure"
        else:
            why = "IsAlive poll failed (LooksAlive had not noticed)"
        self._fail(r, why)
        self._settle()
