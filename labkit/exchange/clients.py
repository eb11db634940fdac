"""Clients of a virtual server, and what a failover costs them.

Clients reach a virtual server by its name (paper, Exchange Virtual Servers: The
Unit of Failover): MAPI clients (Outlook) talk to the Information Store, POP3,
IMAP4 and HTTP (Outlook Web Access) clients to their protocol instance. A client
sees an interruption only while the resources serving its protocol are not all
Online -- the protocol instance and everything it depends on, down to the IP
Address -- so the brief pending states of a move or failover are what users
notice (paper, Clustering Support in Exchange 2000). The resource timeline is
read from the cluster log; the group's outages (``group.outages``) are reported
alongside as the cluster's own view.

A database dismounted by an Exchange System Manager move (see
:func:`labkit.exchange.move_storage_group_logs`) cuts off only the users whose
mailboxes are in it, while every resource stays Online: :func:`impact` lists those
dismounts in ``stores``. Users of a protocol are spread over the databases in
proportion to their mailboxes [D]; a dismount and a failover in the same window
are counted separately.

>>> from labkit.exchange import demo_cluster
>>> c = demo_cluster()
>>> set_clients(c, "EXVS1", mapi=1000, pop3=200)
>>> t0 = c.now; c.move_group("EXVS1", "2-MOE"); c.run_until_stable()
>>> r = impact(c, "EXVS1", since=t0)
>>> r.users_affected, r.protocol("MAPI").seconds > 0
(1200, True)
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ..cluster.model import ResourceState
from ..values import USERS, exact, show
from ..errors import NotFoundError, ValidationError
from .e55 import EXT as EXT55
from .model import EXT, PROTOCOLS, VirtualServer

_STATES = {s.value: s for s in ResourceState}
_ROLE_2000 = {"MAPI": "Information Store", "POP3": "POP3", "IMAP4": "IMAP4", "HTTP": "HTTP"}


@dataclass(frozen=True)
class ProtocolImpact:
    """Users of one protocol and the interruptions they saw: ``(start, end)`` pairs,
    ``end`` None when the service was still down at the end of the window."""

    protocol: str
    users: int
    seconds: float
    interruptions: tuple[tuple[datetime, datetime | None], ...]

    @property
    def affected(self) -> bool:
        return self.users > 0 and self.seconds > 0


@dataclass(frozen=True)
class StoreImpact:
    """One Exchange System Manager dismount within the window: the storage group, the
    databases dismounted, their mailboxes, the users cut off (all protocols), how long
    (clipped to the window) and ``(start, end)`` (``end`` None if still dismounted)."""

    storage_group: str
    databases: tuple[str, ...]
    mailboxes: int
    users: int
    seconds: float
    interruption: tuple[datetime, datetime | None]
    why: str


@dataclass(frozen=True)
class Impact:
    """What users of a virtual server saw between ``since`` and ``until``.

    ``group_outage_seconds`` is how long the group was not Online (the cluster's
    view); users of a protocol may see less (its resources came back sooner) or
    nothing at all (a resource they do not use restarted)."""

    virtual_server: str
    since: datetime
    until: datetime
    protocols: tuple[ProtocolImpact, ...]
    group_outage_seconds: float
    #: Exchange System Manager dismounts in the window (Exchange 2000 only)
    stores: tuple[StoreImpact, ...] = ()
    #: ``(protocol, users)``: users of each protocol whose database was dismounted
    store_users: tuple[tuple[str, int], ...] = ()

    def protocol(self, name: str) -> ProtocolImpact:
        for p in self.protocols:
            if p.protocol == name:
                return p
        raise NotFoundError(f"no protocol {show(name)}; choose from {', '.join(PROTOCOLS)}",
                            rule="clients use MAPI, POP3, IMAP4 or HTTP",
                            source="paper, Exchange Virtual Servers: The Unit of Failover")

    @property
    def users_affected(self) -> int:
        """Users of a protocol that was interrupted, plus, of the other protocols, the
        users whose database was dismounted."""
        hit = dict(self.store_users)
        return sum(p.users if p.affected else hit.get(p.protocol, 0) for p in self.protocols)

    @property
    def seconds(self) -> float:
        """The longest interruption any protocol's users -- or a dismounted database's
        users -- saw (total over the window)."""
        return max([p.seconds for p in self.protocols if p.users] + [s.seconds for s in self.stores if s.users],
                   default=0.0)

    @property
    def user_seconds(self) -> float:
        return sum(p.users * p.seconds for p in self.protocols) + sum(s.users * s.seconds for s in self.stores)

    def __str__(self) -> str:
        parts = ", ".join(f"{p.protocol} {p.users:,} users {p.seconds:g} s" for p in self.protocols if p.users)
        stores = "".join(f"; {show(s.storage_group)} dismounted {s.seconds:g} s ({s.users:,} users)" for s in self.stores)
        return (f"{self.virtual_server}: {self.users_affected:,} users affected, up to {self.seconds:g} s of "
                f"interruption ({parts or 'no clients'}){stores}; group not Online for "
                f"{self.group_outage_seconds:g} s")


def _server(cluster, evs):
    """(name, group, {protocol: resource or None}, {protocol: users}) for a 2000 or 5.5 server."""
    if not isinstance(evs, str) or not evs:
        raise ValidationError(f"a virtual server is named by a string, not {show(evs)}",
                              rule="virtual servers are named after their Network Name")
    o = cluster.extensions.get(EXT)
    if o is not None and evs.upper() in o.virtual_servers:
        vs = o.virtual_servers[evs.upper()]
        res = {p: vs.resources.get(role) for p, role in _ROLE_2000.items()}
        users = {p: vs.clients.get(p, vs.mailboxes if p == "MAPI" else 0) for p in PROTOCOLS}
        return vs, vs.name, vs.group, res, users
    old = cluster.extensions.get(EXT55)
    if old is not None and old.name == evs.upper():
        store = old.resources.get("Information Store")
        users = {p: old.clients.get(p, old.mailboxes if p == "MAPI" else 0) for p in PROTOCOLS}
        return old, old.name, old.group, {p: store for p in PROTOCOLS}, users
    raise NotFoundError(f"no Exchange virtual server named {show(evs)}", rule="commands name existing virtual servers")


def set_clients(cluster, evs: str, *, mapi: int | None = None, pop3: int | None = None,
                imap4: int | None = None, http: int | None = None) -> None:
    """Say how many users reach virtual server ``evs`` by each protocol. MAPI users
    default to the virtual server's mailbox count; the others to 0."""
    obj, name, *_ = _server(cluster, evs)
    given = {"MAPI": mapi, "POP3": pop3, "IMAP4": imap4, "HTTP": http}
    for p, v in given.items():
        if v is not None and not USERS.ok(v):
            raise ValidationError(f"{p} users must be a whole number >= 0, not {show(v)}", rule="users are counted")
    given = {p: exact(v) for p, v in given.items()}
    for p, v in given.items():
        if v is not None:
            obj.clients[p] = v
    cluster.record(name, "clients set", ", ".join(f"{p} {v}" for p, v in given.items() if v is not None))


def _to_ms(cluster, t) -> int:
    if t is None:
        return 0
    if not isinstance(t, datetime):
        raise ValidationError(f"times are datetimes such as cluster.now, not {show(t)}",
                              rule="impact windows are simulated times")
    return (t - cluster.clock.start) // timedelta(milliseconds=1)


def _needed(cluster, resource: str) -> set[str]:
    out, stack = {resource}, [resource]
    while stack:
        for p in cluster.resources[stack.pop()].dependencies:
            if p not in out:
                out.add(p)
                stack.append(p)
    return out


def _down_intervals(cluster, names: set[str], start: int, end: int) -> list[list[int]]:
    """Intervals (ms) within [start, end] when not every resource in ``names`` was
    Online, replayed from the cluster log."""
    groups = {cluster.resources[n].group for n in names}
    state = {n: ResourceState.OFFLINE for n in names}
    online = 0
    out: list[list[int]] = []
    down_from: int | None = 0
    origin = cluster.clock.start
    for e in cluster.log:
        changed = False
        if e.obj in state:
            if e.what.startswith("group ") or " -> " not in e.what:
                continue
            new = _STATES.get(e.what.rsplit(" -> ", 1)[1])
            if new is None:
                continue
            old = state[e.obj]
            if (old is ResourceState.ONLINE) != (new is ResourceState.ONLINE):
                online += 1 if new is ResourceState.ONLINE else -1
                changed = True
            state[e.obj] = new
        elif (e.obj in groups and e.what == "resources stopped") or (
                e.obj == cluster.name and e.what == "cluster service stopped on every node"):
            for n in state:
                if (e.obj == cluster.name or cluster.resources[n].group == e.obj) and \
                        state[n] is ResourceState.ONLINE:
                    state[n] = ResourceState.OFFLINE
                    online -= 1
                    changed = True
        if not changed:
            continue
        t = (e.time - origin) // timedelta(milliseconds=1)
        if online == len(state) and down_from is not None:
            out.append([down_from, t])
            down_from = None
        elif online < len(state) and down_from is None:
            down_from = t
    if down_from is not None:
        out.append([down_from, None])
    clipped = []
    for s, f in out:
        f = end if f is None else f
        s, f = max(s, start), min(f, end)
        if f > s:
            clipped.append([s, f])
    return clipped


def outages(cluster, evs: str, protocol: str = "MAPI", since: datetime | None = None,
            until: datetime | None = None) -> list[tuple[datetime, datetime]]:
    """When users of ``protocol`` could not use virtual server ``evs`` (between
    ``since`` -- default: the start -- and ``until`` -- default: now)."""
    return [(cluster.clock.at(s), cluster.clock.at(f)) for s, f in _protocol_down(cluster, evs, protocol, since, until)]


def _protocol_down(cluster, evs, protocol, since, until):
    if protocol not in PROTOCOLS:
        raise ValidationError(f"protocol must be one of {', '.join(PROTOCOLS)}, not {show(protocol)}",
                              rule="clients use MAPI, POP3, IMAP4 or HTTP",
                              source="paper, Exchange Virtual Servers: The Unit of Failover")
    _, _, _, res, _ = _server(cluster, evs)
    start, end = _to_ms(cluster, since), _to_ms(cluster, until) if until is not None else cluster.clock.ms
    if end < start:
        raise ValidationError("until comes before since", rule="time runs forwards")
    r = res[protocol]
    if r is None or r not in cluster.resources:
        return [[start, end]] if end > start else []
    return _down_intervals(cluster, _needed(cluster, r), start, end)


def impact(cluster, evs: str, since: datetime | None = None, until: datetime | None = None) -> Impact:
    """Users affected and seconds of interruption for virtual server ``evs`` between
    ``since`` (e.g. ``cluster.now`` taken just before a failover) and ``until``
    (default: now). Works for Exchange 2000 and Exchange 5.5 virtual servers."""
    obj, name, group, _, users = _server(cluster, evs)
    start = _to_ms(cluster, since)
    end = _to_ms(cluster, until) if until is not None else cluster.clock.ms
    rows = []
    for p in PROTOCOLS:
        iv = _protocol_down(cluster, evs, p, since, until)
        secs = sum(f - s for s, f in iv) / 1000
        rows.append(ProtocolImpact(p, users[p], secs, tuple(
            (cluster.clock.at(s), None if (until is None and f == end and _still_down(cluster, evs, p))
             else cluster.clock.at(f))
            for s, f in iv)))
    g = cluster.groups[group]
    gsecs = 0
    for s, f in g.outages:
        f = end if f is None else f
        s, f = max(s, start), min(f, end)
        gsecs += max(0, f - s)
    stores, store_users = _store_impact(cluster, obj, users, start, end, until is None) \
        if isinstance(obj, VirtualServer) else ((), ())
    return Impact(name, cluster.clock.at(start), cluster.clock.at(end), tuple(rows), gsecs / 1000, stores,
                  store_users)


def _share(users: dict, mailboxes: int, total: int) -> dict:
    """Users of each protocol whose mailboxes are among ``mailboxes`` of ``total`` [D]."""
    if mailboxes <= 0 or total <= 0:
        return {p: 0 for p in users}
    return {p: min(n, round(n * mailboxes / total)) for p, n in users.items()}


def _store_impact(cluster, vs, users: dict, start: int, end: int, open_ended: bool):
    total = max(vs.mailboxes, 1)
    rows, hit = [], {}
    for d in vs.dismounts:
        s, f = max(d["start_ms"], start), min(d["end_ms"], end)
        if f <= s:
            continue
        mailboxes = sum(d["databases"].values())
        for db, n in d["databases"].items():
            hit[(d["storage_group"], db)] = max(n, hit.get((d["storage_group"], db), 0))
        still = open_ended and d["end_ms"] > end
        rows.append(StoreImpact(d["storage_group"], tuple(d["databases"]), mailboxes,
                                sum(_share(users, mailboxes, total).values()), (f - s) / 1000,
                                (cluster.clock.at(s), None if still else cluster.clock.at(f)), d["why"]))
    hit_users = _share(users, sum(hit.values()), total)
    return tuple(rows), tuple((p, hit_users[p]) for p in PROTOCOLS if hit)


def _still_down(cluster, evs, protocol) -> bool:
    _, _, _, res, _ = _server(cluster, evs)
    r = res[protocol]
    if r is None or r not in cluster.resources:
        return True
    return any(cluster.resources[n].state is not ResourceState.ONLINE for n in _needed(cluster, r))
