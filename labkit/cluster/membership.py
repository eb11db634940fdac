"""The Node Manager and the Membership Manager: who is in the cluster, and who owns the quorum.

In MSCS the Node Manager on each node exchanges heartbeats with the others; when a node
misses enough of them its peers start a *regroup*, agree on a new membership and hand the
groups the lost node owned to the Failover Manager (paper, "Node Manager"; Table 2:
"Membership Manager -- manages cluster node membership and polls cluster nodes to
determine state"). Heartbeats go every 1.2 s and six missed ones remove a node (KB
892422), so a crash is noticed 7.2 s after it happens. A starting node *joins* (Joining,
then Up); a node that is stopped or restarted leaves cleanly, moving its groups first. When
the network splits the nodes into sides, the sides arbitrate for the quorum disk: only the
side that owns it keeps running, the others stop their cluster service (paper, "Quorum
Resource"; Table 1) -- there is never a split brain.

This module is the :class:`MembershipManager` part of :class:`~labkit.cluster.Cluster`:
``add_node``, ``crash_node``, ``start_node``, ``stop_node``, ``restart_node``,
``pause_node``, ``resume_node``, ``evict_node``, ``partition`` and ``heal``, and the
regroup, join and quorum arbitration they set off.

>>> import labkit as lk
>>> c = lk.Cluster("MEMBERS", ip="10.0.0.100")
>>> _ = c.add_node("N1", ip="10.0.0.1"); _ = c.add_node("N2", ip="10.0.0.2"); c.run_until_stable()
>>> c.crash_node("N1"); c.nodes["N1"].regroup_pending     # the others have not noticed yet
True
>>> c.run(seconds=8); c.quorum_owner                      # 7.2 s later: regroup, N2 owns the quorum
'N2'
"""
from __future__ import annotations

from ..errors import LimitError, NameConflictError, OwnershipError, QuorumError, StateError, ValidationError
from ..values import fold, show
from .model import (CLUSTER_GROUP, OFF, CoreJob, DownReason, FaultScope, Group, Leaving, Move, MoveReason, Node,
                    NodeState)
from .types import check_netbios_name, check_static_ip


#: Node limits per edition. Windows 2000 Advanced Server: 2 nodes; Datacenter
#: Server: 4 nodes (paper, "Windows 2000 Clustering Installation Requirements").
#: "Modern" is today's Windows Server failover clustering, for what-if experiments:
#: 64 nodes per cluster (Microsoft Learn, "Plan for Hyper-V scalability in Windows
#: Server", Failover Clusters and Hyper-V: "Nodes per cluster 64"). "Scale" is no
#: product at all: a simulation-only edition for benchmarks beyond any real cluster.
EDITIONS = {"Advanced Server": 2, "Datacenter": 4, "Modern": 64, "Scale": 1024}


#: Where each edition's node limit comes from (the LimitError's source).
EDITION_SOURCES = {"Advanced Server": "paper, Windows 2000 Clustering Installation Requirements",
                   "Datacenter": "paper, Windows 2000 Clustering Installation Requirements",
                   "Modern": "Microsoft Learn, Plan for Hyper-V scalability in Windows Server: 64 nodes per cluster",
                   "Scale": "labkit simulation-only scale edition (no real cluster runs this many nodes)"}


_EDITION_ALIASES = {"advanced server": "Advanced Server", "advanced": "Advanced Server",
                    "windows 2000 advanced server": "Advanced Server",
                    "datacenter": "Datacenter", "data center": "Datacenter",
                    "datacenter server": "Datacenter", "windows 2000 datacenter server": "Datacenter",
                    "modern": "Modern", "scale": "Scale", "simulation scale": "Scale"}


def parse_edition(edition) -> str:
    """The edition's canonical name: 'Advanced Server', 'Datacenter', 'Modern' or 'Scale'.

    >>> parse_edition("Windows 2000 Datacenter Server")
    'Datacenter'
    """
    ed = _EDITION_ALIASES.get(str.lower(str.strip(edition))) if isinstance(edition, str) else None
    if ed is None:
        raise ValidationError(f"unknown edition {show(edition)}; choose one of {', '.join(EDITIONS)}",
                              rule="clusters run Windows 2000 Advanced Server or Datacenter Server",
                              source="paper, Windows 2000 Clustering Installation Requirements")
    return ed


def clean_side_of(sides, node):
    """The partition side (list) holding ``node``, or None."""
    return next((s for s in sides if node in s), None)


class MembershipManager:
    """The Node Manager and Membership Manager of a :class:`~labkit.cluster.Cluster` (see the module)."""

    def add_node(self, name: str, ip: str | None = None) -> Node:
        """Install the cluster service on a new node and join it (the first node forms the
        cluster and brings the Cluster Group online). Node ids follow the order added.

        An evicted node's name is refused: the paper says to rebuild a failed node under a
        new machine name (Cluster Back Up and Restore Scenarios, Scenario 1).
        """
        name = check_netbios_name(name, "node name")
        if ip is not None:
            ip = check_static_ip(ip, f"address of node {name!r}")
        if len(self.nodes) >= self.max_nodes:
            raise LimitError(
                f"{self.edition} clusters have at most {self.max_nodes} nodes; {self.name} already has "
                f"{len(self.nodes)}",
                rule="edition node limit",
                source=EDITION_SOURCES[self.edition])
        if any(fold(e) == fold(name) for e in self.evicted):
            raise NameConflictError(
                f"{name!r} was evicted from {self.name}; build the replacement under a new machine name",
                rule="a rebuilt node gets a new name",
                source="paper, Cluster Back Up and Restore Scenarios, Scenario 1")
        owner = self.who_has_name(name)
        if owner:
            raise NameConflictError(f"name {name!r} is already used by {owner}",
                                    rule="node, cluster and virtual server names are unique",
                                    source="paper, Table 10")
        if ip is not None and self.who_has_address(ip):
            raise NameConflictError(f"address {ip} is already used by {self.who_has_address(ip)}",
                                    rule="every cluster, node and service address is unique",
                                    source="paper, Table 10")
        if self.nodes and not self.running:
            raise QuorumError(f"cluster {self.name} is not running; start a node to form it before "
                              "another node can join", rule="a node joins a running cluster",
                              source="MSCS membership")
        if self.partition_sides is not None:
            raise StateError("the cluster network is partitioned; heal it before adding nodes",
                             rule="a joining node must reach every member", source="MSCS membership")
        node = Node(name=name, id=self.next_node_id, ip=ip, state=NodeState.UP)
        self.next_node_id += 1
        claims = self._claims_index()
        self.nodes[name] = node
        self._indexed("nodes", name)
        self._claim_node(claims, node)
        self._claims_size = (len(self.nodes), len(self.resources))
        if len(self.nodes) == 1:
            self.running = True
            self.record(name, "formed the cluster", f"first node; quorum disk {self.quorum_drive}", name)
            self._create_cluster_group(name)
        else:
            self.record(name, "joined the cluster", f"node id {node.id}", name)
            self._node_joined(name)
        self._settle()
        return node

    def _create_cluster_group(self, node: str) -> None:
        g = Group(name=CLUSTER_GROUP, owner=node)
        self.groups[g.name] = g
        self._indexed("groups", g.name)
        specs = [(self.quorum_resource, "Physical Disk", {"drive": self.quorum_drive})]
        if self.ip:
            specs.append(("Cluster IP Address", "IP Address", {"address": self.ip}))
            specs.append(("Cluster Name", "Network Name", {"name": self.name}))
        for rname, rtype, props in specs:
            t = self.resource_types[rtype]
            # the cluster's own address and name were checked when the cluster was made
            checked = t.validate(self, rname, g.name, props) if rtype == "Physical Disk" else {**t.defaults, **props}
            r = self._new_resource(rname, t, g, [node], checked)
            r.core = True
        if self.ip:
            self._add_dep("Cluster Name", "Cluster IP Address")
        g.persistent_state = True
        for r in g.resources:
            self.resources[r].wanted = True
        self._mark(g.name)

    def _node_joined(self, name: str) -> None:
        """A node became a member: core resources follow membership; orphans find a home."""
        for r in self.resources.values():
            if r.core and name not in r.possible_owners:
                r.possible_owners.append(name)
        self._node_up(name)

    def _node_up(self, name: str) -> None:
        for g in self.groups.values():
            if g.owner is None and g.persistent_state and not g.move:
                target = self._placement(g)
                if target:
                    g.owner = target
                    g.failed = False
                    self.record(g.name, f"owner -> {target}", f"{name} is up; the group had no node", target)
                    self._mark(g.name)
        for g in self.groups.values():
            self._check_failback(g, trigger=name)

    def crash_node(self, node: str) -> None:
        """Power loss on ``node``: everything it ran stops at once; the other nodes notice
        after missing heartbeats (1.2 s x 6, KB 892422) and its groups fail over."""
        n = self.node(node)
        node = n.name
        if n.state is NodeState.DOWN:
            raise StateError(f"node {n.name} is already Down", rule="only a running node can crash")
        self._take_down(n, DownReason.CRASH, "power loss")
        self._settle()

    def _take_down(self, n: Node, reason: DownReason, why: str, *, announce: bool = False) -> None:
        was = n.state
        n.state = NodeState.DOWN
        n.down_reason = reason
        n.incarnation += 1
        n.leaving = None
        self._leaving_names().discard(n.name)
        self.record(n.name, f"{was} -> Down", why, n.name)
        for g in self.groups.values():
            if g.owner != n.name:
                continue
            for rn in g.resources:
                r = self.resources[rn]
                r.restart_pending = False
                if r.state is not OFF:
                    self._set_state(r, OFF, f"stopped with its node ({why})")
            self._mark(g.name)
        alive = [m for m in self.nodes.values() if m.state is not NodeState.DOWN]
        if not alive:
            self._stop_cluster(f"no node is left running (last: {n.name})")
            return
        if announce:
            self._regroup(n.name, n.incarnation)
        else:
            n.regroup_pending = True
            self.queue.push(self.clock.ms + self.settings.detection_ms, CoreJob.REGROUP, (n.name, n.incarnation))

    def _on_regroup(self, node: str, incarnation: int) -> None:
        n = self.nodes.get(node)
        if n is None or n.incarnation != incarnation or not n.regroup_pending:
            return
        self._regroup(node, incarnation)

    def _regroup(self, node: str, incarnation: int) -> None:
        n = self.nodes[node]
        n.regroup_pending = False
        if not self.running:
            return
        if n.down_reason is DownReason.STOPPED:
            why = "the node left the cluster"
        else:
            why = (f"regroup after {self.settings.missed_heartbeats} missed heartbeats "
                   f"({self.settings.detection_ms / 1000:g} s)")
        self.record(node, "removed from membership", why, None)
        mine = [g for g in self.groups.values() if g.owner == node]
        # the quorum first: the survivors must own it before anything else can move
        mine.sort(key=lambda g: 0 if self.quorum_resource in g.resources else 1)
        for g in mine:
            g.move = None
            self._failover(g, MoveReason.NODE_FAILURE, f"{node} is down")
        self._settle()

    def start_node(self, node: str) -> None:
        """Start the cluster service on a Down node: it joins (or, when no node runs,
        forms the cluster by taking the quorum disk)."""
        n = self.node(node)
        node = n.name
        if n.state is not NodeState.DOWN:
            raise StateError(f"node {node} is {n.state}, not Down", rule="only a Down node can be started")
        if n.regroup_pending:
            raise StateError(f"the cluster has not yet noticed that {node} is down; run the clock "
                             f"({self.settings.detection_ms / 1000:g} s of missed heartbeats) first",
                             rule="a node rejoins after the regroup that removed it", source="KB 892422")
        if self.partition_sides is not None and self.running:
            if node not in self.quorum_side:
                raise QuorumError(f"{node} cannot reach the members that own the quorum disk and cannot "
                                  "take the disk itself; heal the partition first",
                                  rule="only the side that owns the quorum disk runs the cluster",
                                  source="Microsoft, Windows 2000 server cluster architecture (quorum arbitration)")
        if not self.running:
            reason = self._quorum_blocked(node)
            if reason:
                raise QuorumError(f"the cluster service cannot start on {node}: {reason}",
                                  rule="forming a cluster needs the quorum disk",
                                  source="paper, Table 1 (Quorum Resource); Cluster Back Up and Restore "
                                         "Scenarios, Scenario 2")
        self._begin_join(n, "cluster service started" if self.running else "forming the cluster")
        self._settle()

    def _quorum_blocked(self, node: str) -> str | None:
        q = self.resources.get(self.quorum_resource)
        if q is None:
            return "the cluster has no quorum resource"
        if node not in q.possible_owners:
            return f"{node} is not a possible owner of the quorum disk {q.name!r}"
        if q.broken_on(node):
            return f"the quorum disk {q.name!r} is corrupt or unreachable"
        return None

    def _begin_join(self, n: Node, why: str) -> None:
        n.state = NodeState.JOINING
        n.down_reason = None
        n.incarnation += 1
        self.record(n.name, "Down -> Joining", why, n.name)
        self.queue.push(self.clock.ms + int(self.settings.node_join_s * 1000), CoreJob.JOIN_DONE,
                        (n.name, n.incarnation))

    def _on_join_done(self, node: str, incarnation: int) -> None:
        n = self.nodes.get(node)
        if n is None or n.incarnation != incarnation or n.state is not NodeState.JOINING:
            return
        # a paused node stays paused across restarts (PauseClusterNode documentation)
        n.state = NodeState.PAUSED if n.paused else NodeState.UP
        if not self.running:
            reason = self._quorum_blocked(node)
            if reason:
                n.state = NodeState.DOWN
                n.down_reason = DownReason.STOPPED
                self.record(node, "Joining -> Down", f"cannot form the cluster: {reason}", node)
                return
            self.running = True
            if self.partition_sides is not None:  # its side owns the quorum disk now
                self.quorum_side = list(clean_side_of(self.partition_sides, node))
            n.state, n.paused = NodeState.UP, False  # the forming node must host the Cluster Group
            self.record(node, "Joining -> Up", "formed the cluster with the quorum disk", node)
            for g in self.groups.values():
                g.owner = None if g.owner not in self.nodes or not self.nodes[g.owner].is_up else g.owner
        else:
            if self.partition_sides is not None and node not in self.quorum_side:
                n.state = NodeState.DOWN
                n.down_reason = DownReason.PARTITION
                self.record(node, "Joining -> Down", "cannot reach the nodes that own the quorum disk", node)
                return
            self.record(node, f"Joining -> {n.state.value}",
                        "joined the cluster" + (" (still paused: pause persists across restarts)"
                                                if n.paused else ""), node)
        self._node_joined(node)
        self._settle()

    def stop_node(self, node: str) -> None:
        """Stop the cluster service on ``node`` gracefully: its groups move to other nodes
        first (as in Cluster Administrator's Stop Cluster Service), then it goes Down."""
        self._leave(node, Leaving.STOP)

    def restart_node(self, node: str) -> None:
        """Restart ``node`` (e.g. after installing software): its groups move away, it goes
        Down for ``settings.node_reboot_s`` and joins again."""
        self._leave(node, Leaving.RESTART)

    def _leave(self, node: str, how: Leaving) -> None:
        n = self.node(node)
        node = n.name
        if n.state not in (NodeState.UP, NodeState.PAUSED):
            raise StateError(f"node {node} is {n.state}; only an Up or Paused node can be "
                             f"{'stopped' if how is Leaving.STOP else 'restarted'}",
                             rule="the cluster service runs on Up and Paused nodes")
        if n.leaving:
            raise StateError(f"node {node} is already leaving the cluster")
        n.leaving = how
        self._leaving_names().add(node)
        self.record(node, f"{'stopping' if how is Leaving.STOP else 'restarting'}",
                    "moving its groups to other nodes first", node)
        for g in list(self.groups.values()):
            if g.owner == node:
                target = self._walk(g)
                if target is None:
                    continue  # nowhere to go: it stops with the node
                if self._group_active(g):
                    g.move = Move(MoveReason.MOVE, target)
                    self._mark(g.name)
                else:
                    self._switch_owner(g, target, "node shutting down")
        self._settle()

    def _leaving_names(self) -> set[str]:
        """Names of the nodes whose cluster service is stopping or restarting (the
        nodes' ``leaving``): found once, then kept as nodes start and stop leaving,
        so that settling does not look at every node."""
        if self._leaving_nodes is None:
            self._leaving_nodes = {n.name for n in self.nodes.values() if n.leaving}
        return self._leaving_nodes

    def _check_leaving(self) -> None:
        leaving = self._leaving_names()
        if not leaving:
            return
        for n in [n for n in self.nodes.values() if n.name in leaving]:
            how = n.leaving
            if how and not any(g.owner == n.name and g.move for g in self.groups.values()):
                why = "cluster service stopped" if how is Leaving.STOP else "restarting"
                self._take_down(n, DownReason.STOPPED, why, announce=True)
                if how is Leaving.RESTART:
                    self.queue.push(self.clock.ms + int(self.settings.node_reboot_s * 1000),
                                    CoreJob.REBOOT_DONE, (n.name, n.incarnation))

    def _on_reboot_done(self, node: str, incarnation: int) -> None:
        n = self.nodes.get(node)
        if n is None or n.incarnation != incarnation or n.state is not NodeState.DOWN:
            return
        if not self.running:
            reason = self._quorum_blocked(node)
            if reason:
                self.record(node, "restarted", f"the cluster service could not form the cluster: {reason}", node)
                return
            self._begin_join(n, "restarted; forming the cluster")
            self._settle()
            return
        if self.partition_sides is not None and node not in self.quorum_side:
            self.record(node, "restarted", "the cluster service cannot reach the quorum side", node)
            return
        self._begin_join(n, "restarted")
        self._settle()

    def pause_node(self, node: str) -> None:
        """Pause ``node``: its groups stay, but no group can be moved or brought online there."""
        n = self.node(node)
        node = n.name
        if n.state is not NodeState.UP:
            raise StateError(f"node {node} is {n.state}; only an Up node can be paused",
                             rule="pause applies to Up nodes", source="Suspend-ClusterNode")
        n.state = NodeState.PAUSED
        n.paused = True
        self.record(node, "Up -> Paused", "paused by the administrator", node)

    def resume_node(self, node: str) -> None:
        """Resume a paused node (groups may fail back to it)."""
        n = self.node(node)
        node = n.name
        if n.state is not NodeState.PAUSED:
            raise StateError(f"node {node} is {n.state}, not Paused", rule="only a Paused node can be resumed",
                             source="Resume-ClusterNode")
        n.state = NodeState.UP
        n.paused = False
        self.record(node, "Paused -> Up", "resumed by the administrator", node)
        self._node_up(node)
        self._settle()

    def evict_node(self, node: str) -> None:
        """Evict a Down node: it leaves the configuration and every preferred and
        possible-owner list (paper, Scenario 1). Its name may not be reused."""
        n = self.node(node)
        node = n.name
        if n.state is not NodeState.DOWN:
            raise StateError(f"node {node} is {n.state}; stop its cluster service (or let it fail) "
                             "before evicting it", rule="only a Down node can be evicted",
                             source="Windows 2000 Cluster Administrator, Evict Node")
        if n.regroup_pending:
            raise StateError(f"the cluster has not yet noticed that {node} is down; run the clock first",
                             rule="evict after the regroup", source="KB 892422")
        if len(self.nodes) == 1:
            raise StateError(f"{node} is the last node of {self.name}; evicting it would destroy the "
                             "cluster", rule="a cluster keeps at least one node")
        orphans = [r.name for r in self.resources.values() if r.possible_owners == [node]]
        if orphans:
            shown = ", ".join(repr(o) for o in orphans[:5]) + (f" and {len(orphans) - 5} more" if len(orphans) > 5
                                                                else "")
            raise OwnershipError(f"{node} is the only possible owner of {shown}; evicting it would leave "
                                 f"{'it' if len(orphans) == 1 else 'them'} with none: add another possible owner "
                                 "(or delete the resource) first", rule="every resource has possible owners",
                                 source="MSCS possible owners")
        del self.nodes[node]
        self._indexed("nodes", node, added=False)
        self._claims = None
        self._node_order_cache = None
        self.evicted.append(node)
        for g in self.groups.values():
            if node in g.preferred_owners:
                g.preferred_owners.remove(node)
            if g.owner == node:
                g.owner = None
            if g.move is not None and g.move.target == node:
                g.move.target = None
        for r in self.resources.values():
            if node in r.possible_owners:
                r.possible_owners.remove(node)
            if r.fault_node == node:      # a lasting fault on the evicted node left with it
                r.fault_node = None
                if r.persistent_fault is FaultScope.NODE:
                    r.persistent_fault = None
        if self.partition_sides is not None:
            self.partition_sides = [[m for m in s if m != node] for s in self.partition_sides]
            if self.quorum_side is not None:
                self.quorum_side = [m for m in self.quorum_side if m != node]
        self.record(node, "evicted", "removed from every preferred and possible-owner list")
        self._settle()

    def partition(self, sides) -> None:
        """Split the cluster network into ``sides`` (lists of node names covering every node).

        Windows 2000 has a single quorum disk: the side holding the quorum disk's owner
        keeps the cluster; the cluster service stops on the other nodes and their groups
        move to the survivors (Microsoft, Windows 2000 server cluster architecture: quorum arbitration).
        """
        if not self.running:
            raise StateError("the cluster is not running", rule="partition a running cluster")
        if self.partition_sides is not None:
            raise StateError("the network is already partitioned; heal() first")
        if isinstance(sides, str) or not isinstance(sides, (list, tuple)) or len(sides) < 2:
            raise ValidationError("sides must be a list of at least two lists of node names",
                                  rule="a partition has two or more sides")
        seen: list[str] = []
        clean = []
        for s in sides:
            part = self._node_list(s, "a partition side")
            if not part:
                raise ValidationError("a partition side may not be empty")
            for n in part:
                if n in seen:
                    raise ValidationError(f"node {n!r} is on two sides", rule="each node is on one side")
                seen.append(n)
            clean.append(part)
        missing = [n for n in self.node_ids() if n not in seen]
        if missing:
            raise ValidationError(f"nodes {missing} are on no side", rule="every node is on one side")
        winner = self._arbitration_winner(clean)
        self.partition_sides = clean
        self.record(self.name, "network partitioned", " | ".join(",".join(s) for s in clean))
        if winner is None:
            self._stop_cluster("no side of the partition can own the quorum disk")
            self._settle()
            return
        self.quorum_side = list(winner)
        for s in clean:
            if s is winner:
                continue
            for name in s:
                n = self.nodes[name]
                if n.state is not NodeState.DOWN:
                    self._take_down(n, DownReason.PARTITION, f"lost quorum arbitration to {', '.join(winner)}")
        self._settle()

    def _arbitration_winner(self, sides: list[list[str]]) -> list[str] | None:
        """The side that keeps the cluster: the one holding the running quorum owner; if that
        node is itself down (its crash not yet noticed), the side whose lowest-id running node
        can take the quorum disk wins the challenge (SCSI reserve) [D]."""
        q = self.quorum_owner
        if q is not None and self.nodes[q].state is not NodeState.DOWN:
            return clean_side_of(sides, q)
        disk = self.resources[self.quorum_resource]
        live = [n for n in self.node_ids() if self.nodes[n].state is not NodeState.DOWN
                and n in disk.possible_owners]
        return clean_side_of(sides, live[0]) if live else None

    def heal(self) -> None:
        """Reconnect the network: nodes stopped by the partition rejoin."""
        if self.partition_sides is None:
            raise StateError("the network is not partitioned", rule="heal() ends a partition")
        self.partition_sides = None
        self.quorum_side = None
        self.record(self.name, "network healed", "all nodes can reach each other again")
        for n in self.nodes.values():
            if n.state is NodeState.DOWN and n.down_reason is DownReason.PARTITION and self.running:
                if n.regroup_pending:
                    n.regroup_pending = False
                    self._regroup(n.name, n.incarnation)
                self._begin_join(n, "network healed; rejoining")
        self._settle()

    def _stop_cluster(self, why: str) -> None:
        if not self.running:
            return
        self.running = False
        self.record(self.name, "cluster service stopped on every node", why)
        for n in self.nodes.values():
            if n.state is not NodeState.DOWN:
                self.record(n.name, f"{n.state} -> Down", "cluster service stopped: no quorum", n.name)
                n.state = NodeState.DOWN
                n.down_reason = DownReason.QUORUM_LOST
                n.incarnation += 1
                n.leaving = None
                self._leaving_names().discard(n.name)
            n.regroup_pending = False
        for g in self.groups.values():
            for rn in g.resources:
                r = self.resources[rn]
                r.restart_pending = False
                if r.state is not OFF:
                    self._set_state(r, OFF, "stopped with the cluster service")
            g.move = None
            g.owner = None
            self._mark(g.name)
        self.queue.discard(lambda j: j.kind in ("regroup", "join_done"))
