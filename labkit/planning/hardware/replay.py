"""The failure replay: which servers, partitions, virtual servers and the cluster
survive when a set of components fails, decided as MSCS would (the rules are listed
in :mod:`labkit.planning.hardware`).
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Iterable

from ...errors import ValidationError
from .topology import CLIENT_ROLES, CLUSTER, HEARTBEAT_ROLES, Effect, Kind, Topology


# --- the replay -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Outcome:
    """What happens after a set of components fails."""

    failed: tuple
    live_servers: tuple
    partitions: tuple
    winners: tuple
    status: dict            # target -> "runs" or an Effect


class FailureReplay:
    """Indexes of a topology for fast repeated failure replays.

    A replay depends only on which path-relevant components are dead (servers,
    adapters, network and fabric devices, controllers, links, arrays), so
    outcomes are cached on that set: a failed processor replays like its
    server, a failed spare power supply or one mirrored drive like nothing.
    Reachability is one connected-components pass per layer, not one search
    per server.
    """

    def __init__(self, topo: Topology):
        g = topo.graph
        self.t = topo
        self.g = g
        self.kind = {n: d["kind"] for n, d in g.nodes(data=True)}
        self.servers = topo.servers()
        self.order = {s: i for i, s in enumerate(self.servers)}
        self.arrays = [n for n, k in self.kind.items() if k is Kind.ARRAY]
        self.contents: dict[str, list] = {n: [] for n in g}       # everything within a component, transitively
        for n, d in g.nodes(data=True):
            w = d.get("within")
            while w is not None:
                self.contents[w].append(n)
                w = g.nodes[w].get("within")
        self.drives_of = {a: [] for a in self.arrays}
        self.array_of_drive = {}
        for n, d in g.nodes(data=True):
            if d["kind"] is Kind.DRIVE and d.get("array"):
                self.drives_of[d["array"]].append((n, d["index"]))
                self.array_of_drive[n] = d["array"]
        self.requires = {s: g.nodes[s].get("requires", ()) for s in self.servers}
        self.server_of_part = {p: s for s, groups in self.requires.items() for _, parts in groups for p in parts}
        self.replica = {}
        for a in self.arrays:
            p = g.nodes[a].get("replica_of")
            if p:
                self.replica[p] = a
        role = topo.networks
        self.relevant = set(self.servers) | set(self.arrays)
        self.adj = {"storage": {}, "heartbeat": {}, "client": {}}
        for x, y, e in g.edges(data=True):
            layer = e.get("layer")
            keys = ["storage"] if layer == "storage" else \
                [k for k, roles in (("heartbeat", HEARTBEAT_ROLES), ("client", CLIENT_ROLES))
                 if layer == "lan" and role.get(e.get("network")) in roles]
            for k in keys:
                self.relevant.update((x, y))
                self.adj[k].setdefault(x, []).append(y)
                self.adj[k].setdefault(y, []).append(x)
        self.cache: dict[frozenset, tuple] = {}

    def dead(self, failed: frozenset) -> set:
        """Every component lost with ``failed``: their contents, arrays beyond their
        RAID tolerance, servers missing a required part (and then their contents)."""
        dead = set()
        for f in failed:
            dead.add(f)
            dead.update(self.contents[f])
        for a in {self.array_of_drive[d] for d in dead if d in self.array_of_drive}:
            if a not in dead:
                gone = [i for d, i in self.drives_of[a] if d in dead]
                if not self.g.nodes[a]["raid"].survives(gone):
                    dead.add(a)
        hit = {self.server_of_part[p] for p in dead if p in self.server_of_part}
        for s in hit:
            if s not in dead and any(sum(1 for p in parts if p not in dead) < k for k, parts in self.requires[s]):
                dead.add(s)
                dead.update(self.contents[s])
        return dead

    def _components(self, layer: str, dead: set) -> dict:
        """Component id of every live node of ``layer``, servers left out (they do not route)."""
        adj, comp = self.adj[layer], {}
        for start in adj:
            if start in comp or start in dead or self.kind[start] is Kind.SERVER:
                continue
            comp[start] = start
            q = deque([start])
            while q:
                x = q.popleft()
                for y in adj[x]:
                    if y not in comp and y not in dead and self.kind[y] is not Kind.SERVER:
                        comp[y] = start
                        q.append(y)
        return comp

    def _reach(self, layer, dead, live) -> dict:
        comp = self._components(layer, dead)
        return {s: {comp[y] for y in self.adj[layer].get(s, ()) if y in comp} for s in live}

    def replay(self, failed: Iterable[str]) -> Outcome:
        failed = frozenset(failed)
        dead = self.dead(failed)
        key = frozenset(d for d in dead if d in self.relevant)
        if key not in self.cache:
            self.cache[key] = self._replay(dead)
        live, parts, winners, status = self.cache[key]
        return Outcome(tuple(sorted(failed)), live, parts, winners, dict(status))

    def _replay(self, dead: set) -> tuple:
        live = [s for s in self.servers if s not in dead]
        scomp = self._components("storage", dead)
        arrays_in: dict[str, set] = {}
        for a in self.arrays:
            if a not in dead and a in scomp:
                arrays_in.setdefault(scomp[a], set()).add(a)
        storage = {s: set().union(*(arrays_in.get(scomp[y], ()) for y in self.adj["storage"].get(s, ())
                                    if y in scomp)) for s in live}
        ccomp = self._components("client", dead)
        client_ids = {ccomp[n] for n in ccomp if self.kind[n] is Kind.CLIENTS}
        clients = {s: any(ccomp.get(y) in client_ids for y in self.adj["client"].get(s, ())) for s in live}
        hb = self._reach("heartbeat", dead, live)
        parent = {s: s for s in live}                # union-find: servers sharing a heartbeat LAN [D]

        def root(x):
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        first: dict = {}
        for s in live:
            for c in hb[s]:
                if c in first:
                    a, b = root(first[c]), root(s)
                    if a != b:
                        parent[max(a, b, key=self.order.get)] = min(a, b, key=self.order.get)
                else:
                    first[c] = s
        groups: dict = {}
        for s in live:
            groups.setdefault(root(s), []).append(s)
        parts = [tuple(p) for p in groups.values()]
        status = self._status(live, parts, storage, clients, recovered=False)
        failing = [t for t, v in status.items() if v is not True and v is not Effect.ARBITRATION]
        if failing and self.replica:
            after = self._status(live, parts, storage, clients, recovered=True)
            for t in failing:
                if after[t] is True and status[t] is not Effect.SPLITS:
                    status[t] = Effect.MANUAL_RECOVERY
        winners = self._winners(parts, storage, self.t.quorum)
        out = {t: ("runs" if v is True else v) for t, v in status.items()}
        return tuple(live), tuple(parts), tuple(winners), out

    def _winners(self, parts, storage, quorum):
        if quorum is None:
            return list(parts)
        can = [p for p in parts if any(quorum in storage[s] for s in p)]
        owner = self.t.quorum_owner
        for p in can:
            if owner in p:
                return [p]
        return can

    def _status(self, live, parts, storage, clients, *, recovered: bool) -> dict:
        def use(a):
            if not recovered:
                return a
            r = self.replica.get(a)
            if r and not any(a in storage[s] for s in live):
                return r
            return a

        quorum = use(self.t.quorum) if self.t.quorum else None
        winners = self._winners(parts, storage, quorum)
        out = {}
        for vs, arrays in self.t.virtual_servers.items():
            need = {use(a) for a in arrays}
            ok = [any(clients[s] and need <= storage[s] for s in p) for p in winners]
            out[vs] = True if ok and all(ok) else Effect.ARBITRATION if any(ok) else Effect.STOPS
        if not winners:
            out[CLUSTER] = Effect.STOPS
        else:
            members = set(winners[0]) if len(winners) == 1 else set()
            out[CLUSTER] = True if len(winners) == 1 and members == set(live) else Effect.SPLITS
        return out


def failure_outcome(topology: Topology, failed: Iterable[str] = ()) -> Outcome:
    """Replay the loss of ``failed`` components (any number) and say what still runs.

    >>> from labkit.planning.hardware import ha_f100
    >>> o = failure_outcome(ha_f100(), ["NODE1"])
    >>> o.status["EXVS1"], o.status["cluster"], o.live_servers
    ('runs', 'runs', ('NODE2',))
    """
    if not isinstance(topology, Topology):
        raise ValidationError(f"{topology!r} is not a Topology", rule="failures are replayed on a topology",
                              source="labkit.planning.hardware")
    failed = [failed] if isinstance(failed, str) else list(failed)
    for f in failed:
        topology.component(f)
    return FailureReplay(topology).replay(failed)
