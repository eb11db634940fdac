"""Simulated time, the event queue and the cluster log.

Nothing in labkit sleeps or reads the wall clock: a :class:`Clock` counts
simulated milliseconds from a fixed start (a Monday in 2001 at 09:00), and an
:class:`EventQueue` orders the work still to do (a resource that finishes coming
online, a health poll that will find a fault, a node whose missing heartbeats
will be noticed). Jobs are plain data -- a kind and a tuple of names -- so a
cluster can be saved and loaded in the middle of a failover.

>>> q = EventQueue()
>>> q.push(5000, "online_done", ("Disk Q:", 1))
>>> q.push(1000, "online_done", ("IP", 1))
>>> [j.args[0] for j in (q.pop(), q.pop())]
['IP', 'Disk Q:']
"""
from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .states import GroupState, NodeState, ResourceState

#: Every simulation starts here: Monday 7 May 2001, 09:00 -- the year the paper
#: was written, at the start of a working day.
START = datetime(2001, 5, 7, 9, 0, 0)


class Clock:
    """Simulated time in whole milliseconds since :data:`START`.

    >>> c = Clock(); c.advance_to(90_500); c.now.strftime("%H:%M:%S")
    '09:01:30'
    """

    def __init__(self, start: datetime = START, ms: int = 0):
        self.start = start
        self.ms = ms

    @property
    def now(self) -> datetime:
        return self.start + timedelta(milliseconds=self.ms)

    def advance_to(self, ms: int) -> None:
        if ms < self.ms:  # pragma: no cover - guarded by the queue
            raise ValueError("time does not run backwards")
        self.ms = ms

    def at(self, ms: int) -> datetime:
        return self.start + timedelta(milliseconds=ms)


@dataclass(order=True)
class Job:
    """One piece of scheduled work: at ``at_ms``, handler ``kind`` runs with ``args``.

    ``transient`` jobs are the consequences of something that just happened
    (a pending online, a regroup); :meth:`Cluster.run_until_stable` runs until
    none are left. Non-transient jobs are appointments in the future (a failback
    window opening at 22:00) that only :meth:`Cluster.run` reaches.
    """

    at_ms: int
    seq: int
    kind: str = field(compare=False)
    args: tuple = field(compare=False, default=())
    transient: bool = field(compare=False, default=True)

    def to_list(self) -> list:
        return [self.at_ms, self.seq, self.kind, list(self.args), self.transient]


class EventQueue:
    """A deterministic priority queue of :class:`Job` (ties broken by insertion order)."""

    def __init__(self):
        self._heap: list[Job] = []
        self._seq = 0
        self.transient = 0

    def push(self, at_ms: int, kind: str, args: tuple = (), transient: bool = True) -> None:
        self._seq += 1
        heapq.heappush(self._heap, Job(int(at_ms), self._seq, str(kind), tuple(args), transient))
        if transient:
            self.transient += 1

    def pop(self) -> Job:
        job = heapq.heappop(self._heap)
        if job.transient:
            self.transient -= 1
        return job

    def peek(self) -> Job | None:
        return self._heap[0] if self._heap else None

    def __len__(self) -> int:
        return len(self._heap)

    def has(self, predicate) -> bool:
        """True when some queued job makes ``predicate(job)`` true."""
        return any(predicate(j) for j in self._heap)

    def copy(self) -> "EventQueue":
        """An independent queue holding the same jobs (jobs never change once queued)."""
        c = EventQueue.__new__(EventQueue)
        c.__dict__.update(self.__dict__)
        c._heap = list(self._heap)
        return c

    def jobs(self) -> list[Job]:
        """The queued jobs in the order they will run."""
        return sorted(self._heap)

    def discard(self, predicate) -> int:
        """Remove every queued job for which ``predicate(job)`` is true."""
        keep = [j for j in self._heap if not predicate(j)]
        gone = len(self._heap) - len(keep)
        if gone:
            self._heap = keep
            heapq.heapify(self._heap)
            self.transient = sum(1 for j in keep if j.transient)
        return gone

    def to_dict(self) -> dict:
        return {"seq": self._seq, "jobs": [j.to_list() for j in self.jobs()]}

    @classmethod
    def from_dict(cls, data: dict) -> "EventQueue":
        q = cls()
        q._seq = data["seq"]
        q._heap = [Job(a, s, k, tuple(args), t) for a, s, k, args, t in data["jobs"]]
        heapq.heapify(q._heap)
        q.transient = sum(1 for j in q._heap if j.transient)
        return q


@dataclass(frozen=True)
class LogEvent:
    """One line of the cluster log: when, on which node, which object, what changed, why.

    >>> e = LogEvent(START, "1-CURLY", "Disk Q:", "Online Pending -> Online", "online completed")
    >>> print(e)
    2001-05-07 09:00:00.000  1-CURLY     [Disk Q:] Online Pending -> Online (online completed)
    """

    time: datetime
    node: str | None
    obj: str
    what: str
    why: str = ""

    def __str__(self) -> str:
        stamp = self.time.strftime("%Y-%m-%d %H:%M:%S.") + f"{self.time.microsecond // 1000:03d}"
        why = f" ({self.why})" if self.why else ""
        return f"{stamp}  {(self.node or '-'):<10}  [{self.obj}] {self.what}{why}"

    def to_list(self) -> list:
        return [self.time.isoformat(timespec="milliseconds"), self.node, self.obj, self.what, self.why]


#: The states a log line can name, by the kind of object that changed (the Windows 2000
#: cluster states: nodes, resources, groups).
NODE_STATES = frozenset(s.value for s in NodeState)
RESOURCE_STATES = frozenset(s.value for s in ResourceState)
GROUP_STATES = frozenset(s.value for s in GroupState)


@dataclass(frozen=True)
class StateSpan:
    """A stretch of time an object of the log spent in one state: ``kind`` is "group",
    "resource" or "node"; ``node`` is where it was (the node that logged its last change;
    for a node, itself)."""

    obj: str
    kind: str
    state: str
    start: datetime
    end: datetime
    node: str | None = None

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


@dataclass(frozen=True)
class Change:
    """One state or owner change read from the log: at ``time``, ``obj`` went from ``old``
    to ``new``; ``kind`` is "group", "resource", "node" or "owner" (a group's new node)."""

    time: datetime
    obj: str
    kind: str
    old: str
    new: str


def read_change(e: LogEvent) -> Change | None:
    """The state or owner change a log line records, or None for other lines.

    >>> read_change(LogEvent(START, "N1", "FS", "group Online -> Pending")).kind
    'group'
    >>> read_change(LogEvent(START, "N2", "FS", "owner N1 -> N2")).new
    'N2'
    >>> read_change(LogEvent(START, "N1", "N1", "failing over")) is None
    True
    """
    what = e.what
    if " -> " not in what:
        return None
    if what.startswith("owner"):
        old, _, new = what[5:].partition("->")
        return Change(e.time, e.obj, "owner", old.strip() or "-", new.strip())
    kind = "group" if what.startswith("group ") else None
    old, _, new = (what[6:] if kind else what).partition(" -> ")
    if kind is None:
        if old in NODE_STATES and new in NODE_STATES:
            kind = "node"
        elif old in RESOURCE_STATES and new in RESOURCE_STATES:
            kind = "resource"
        else:
            return None
    elif old not in GROUP_STATES or new not in GROUP_STATES:
        return None
    return Change(e.time, e.obj, kind, old, new)


class ClusterLog(list):
    """The cluster log: a list of :class:`LogEvent` that prints one event a line.

    Besides printing, the log answers what the failover timeline chart
    (:func:`labkit.views.charts.failover_timeline`) draws: :meth:`changes`,
    :meth:`spans` (each object's states over time) and :meth:`outages` (a group's
    stretches away from Online), and :meth:`to_frame` gives it as a pandas DataFrame.
    """

    def changes(self, kinds=("group", "resource", "node", "owner")) -> list[Change]:
        """Every state and owner change in the log, in log order."""
        out = []
        for e in self:
            ch = read_change(e)
            if ch is not None and ch.kind in kinds:
                out.append(ch)
        return out

    def spans(self, objects=None, *, start: datetime | None = None, until: datetime | None = None
              ) -> list[StateSpan]:
        """Each object's states over time: from ``start`` (default: the first event) to
        ``until`` (default: the last event), one :class:`StateSpan` per stretch in one
        state. An object's state before its first change is that change's old state.
        ``objects`` keeps those names (default: every object that changed state).

        >>> log = ClusterLog([LogEvent(START, "N1", "FS", "group Online -> Pending"),
        ...                   LogEvent(START + timedelta(seconds=40), "N2", "FS", "group Pending -> Online")])
        >>> [(s.state, s.seconds) for s in log.spans()]
        [('Online', 0.0), ('Pending', 40.0), ('Online', 0.0)]
        """
        if not self:
            return []
        t0 = start or self[0].time
        t1 = until or max(e.time for e in self)
        keep = None if objects is None else set(objects)
        current: dict[str, tuple] = {}
        out: list[StateSpan] = []
        for e in self:
            ch = read_change(e)
            if ch is None or ch.kind == "owner" or (keep is not None and ch.obj not in keep):
                continue
            node = ch.obj if ch.kind == "node" else e.node
            since, state, where = current.get(ch.obj, (t0, ch.old, node))
            out.append(StateSpan(ch.obj, ch.kind, state, since, max(since, ch.time), where))
            current[ch.obj] = (ch.time, ch.new, node)
        for obj, (since, state, where) in current.items():
            kind = next(s.kind for s in out if s.obj == obj)
            out.append(StateSpan(obj, kind, state, since, max(since, t1), where))
        return out

    def outages(self, group: str, **kw) -> list[StateSpan]:
        """The stretches ``group`` spent away from Online (each a :class:`StateSpan`
        whose state is the first state of the stretch), merged across Pending/Offline.
        Keywords go to :meth:`spans`."""
        merged: list[StateSpan] = []
        for s in self.spans([group], **kw):
            if s.kind != "group" or s.state == "Online":
                continue
            if merged and merged[-1].end == s.start:
                m = merged[-1]
                merged[-1] = StateSpan(m.obj, m.kind, m.state, m.start, s.end, m.node)
            else:
                merged.append(s)
        return merged

    def to_frame(self):
        """The log as a pandas DataFrame, one row an event: ``time``, ``node``,
        ``object``, ``what``, ``why`` (pandas is imported here, on first use).
        Filter it as any frame: ``df[df.object == "EXVS1"]``."""
        import pandas as pd
        return pd.DataFrame({"time": [e.time for e in self], "node": [e.node or "" for e in self],
                             "object": [e.obj for e in self], "what": [e.what for e in self],
                             "why": [e.why for e in self]})

    def tail(self, n: int = 10) -> "ClusterLog":
        return ClusterLog(self[-n:] if n else [])

    def since(self, mark: int) -> "ClusterLog":
        """Events appended after ``mark`` (a former ``len(log)``)."""
        return ClusterLog(self[mark:])

    def about(self, obj: str) -> "ClusterLog":
        """Events whose object is ``obj``."""
        return ClusterLog(e for e in self if e.obj == obj)

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self)

    def _repr_pretty_(self, p, cycle):  # IPython plain-text display
        p.text(str(self) if self else "(no events)")

    def __getitem__(self, item):
        got = super().__getitem__(item)
        return ClusterLog(got) if isinstance(item, slice) else got


def parse_duration(text: str) -> int:
    """Parse '90s', '10m', '2h', '1h30m', '500ms' or a bare number of seconds into ms.

    >>> parse_duration("1h30m"), parse_duration("500ms"), parse_duration("45")
    (5400000, 500, 45000)
    """
    import re
    from .errors import ValidationError

    if not isinstance(text, str) or len(text) > 100:
        from .values import show
        raise ValidationError(f"a duration is a short text such as 90s, 10m or 2h, not {show(text)}",
                              rule="durations look like 90s, 10m, 2h, 500ms")
    s = str.strip(text).lower().replace(" ", "")
    if not s:
        raise ValidationError("empty duration", rule="durations look like 90s, 10m, 2h, 500ms")
    if re.fullmatch(r"\d+(\.\d+)?", s):
        return int(round(float(s) * 1000))
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)", s)
    if not parts or "".join(n + u for n, u in parts) != s:
        raise ValidationError(f"cannot read duration {text!r}", rule="durations look like 90s, 10m, 2h, 500ms")
    unit = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}
    return int(round(sum(float(n) * unit[u] for n, u in parts)))
