"""The procedure engine: a runbook as a sequence of named steps.

A :class:`Procedure` drives one or more clusters through the public API. Each
:class:`Step` checks its preconditions, acts, and checks its outcome. Steps run in
order -- whole (:meth:`Procedure.run`), one at a time (:meth:`Procedure.next`, for a
notebook cell or a widget button), up to a named step (``run(until=...)``), or
replayed from the starting point on a fresh copy (:meth:`Procedure.replay`).

A step that is refused stops the procedure with a :class:`~labkit.errors.ProcedureError`
naming the step and the broken rule (and its source). The refused step is undone
completely (each step runs inside ``cluster.transaction()``); the steps already done
stay done -- as on a real cluster -- and the error carries the report of them. Fix
the cause (or change ``procedure.params``) and call :meth:`~Procedure.next` again.

Every step writes "started" and "done" lines to the cluster log, and its duration in
simulated seconds goes into the :class:`ProcedureReport`.

>>> import labkit as lk
>>> c = lk.Cluster("LAB", ip="10.0.0.100"); _ = c.add_node("A", ip="10.0.0.1")
>>> p = Procedure("Demo", c, [Step("wait a minute", lambda p: p.cluster.run(minutes=1)),
...                          Step("say hello", lambda p: "hello")], source="example")
>>> p.step("say hello")
Traceback (most recent call last):
labkit.errors.ProcedureError: Demo: step 2 'say hello' cannot run yet: step 1 'wait a minute' has not been done [rule: the steps of a procedure run in order and none is skipped; source: example]
>>> p.next().seconds
60.0
>>> print(p.run())
Demo on LAB -- complete, 2 of 2 steps, 60 s simulated (source: example)
   1. wait a minute  done        60 s
   2. say hello      done         0 s  hello
"""
from __future__ import annotations

import copy
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Callable

from .. import hooks
from ..text import duration, text_table
from ..cluster.model import GroupState
from ..values import show
from ..errors import LabkitError, NotFoundError, ProcedureError, ValidationError

RULE_ORDER = "the steps of a procedure run in order and none is skipped"
TODO, DONE, SKIPPED = "to do", "done", "skipped"


@dataclass(frozen=True)
class Advisory:
    """A warning that does not stop the procedure (e.g. a node that is also a
    domain controller): what, the rule, and where it is written down."""

    text: str
    rule: str
    source: str

    def __str__(self) -> str:
        return f"{self.text} [rule: {self.rule}; source: {self.source}]"


@dataclass(frozen=True)
class Interruption:
    """How long a group was not Online (its clients cut off) during a window, and why.
    ``users`` counts the clients of an Exchange virtual server (0 for other groups)."""

    group: str
    cause: str
    start: datetime
    end: datetime | None
    seconds: float
    users: int = 0


@dataclass
class Step:
    """One named step: ``check(p)`` raises if a precondition fails, ``act(p)`` does the
    work and may return a note for the report, ``verify(p)`` raises if the outcome is
    wrong. ``source`` cites where the step comes from. ``optional`` steps may be skipped."""

    name: str
    act: Callable[["Procedure"], object]
    check: Callable[["Procedure"], None] | None = None
    verify: Callable[["Procedure"], None] | None = None
    source: str = ""
    optional: bool = False


@dataclass
class StepResult:
    """What happened to one step: ``status`` is "to do", "done" or "skipped";
    times are simulated; ``note`` is what the step reported (or why it was refused)."""

    index: int
    name: str
    status: str = TODO
    started: datetime | None = None
    finished: datetime | None = None
    seconds: float = 0.0
    note: str = ""
    source: str = ""


@dataclass
class ProcedureReport:
    """The outcome of a procedure: its steps (done, skipped, to do) with simulated
    timings, the error that stopped it (if any), advisories, client interruptions
    and procedure-specific tables (moves, backups, findings...)."""

    title: str
    source: str
    cluster: str
    steps: tuple[StepResult, ...]
    error: str | None = None
    advisories: tuple[Advisory, ...] = ()
    interruptions: tuple[Interruption, ...] = ()
    tables: dict = field(default_factory=dict)

    @property
    def done(self) -> list[str]:
        """Names of the steps done, in order."""
        return [s.name for s in self.steps if s.status == DONE]

    @property
    def complete(self) -> bool:
        return all(s.status != TODO for s in self.steps)

    @property
    def seconds(self) -> float:
        """Simulated seconds spent in the steps done so far."""
        return sum(s.seconds for s in self.steps)

    def step(self, name: str) -> StepResult:
        for s in self.steps:
            if s.name == name:
                return s
        raise NotFoundError(f"{self.title} has no step {show(name)}", rule="steps are named")

    def table(self, name: str) -> list[dict]:
        if name not in self.tables:
            raise NotFoundError(f"{self.title} has no table {show(name)} (tables: {', '.join(self.tables) or 'none'})",
                                rule="report tables are named")
        return list(self.tables[name])

    def status(self) -> str:
        """'complete, 3 of 3 steps, 2.5 min simulated' (the report's first line, after its title)."""
        ndone = sum(1 for s in self.steps if s.status != TODO)
        state = "complete" if self.complete else ("stopped" if self.error else "in progress")
        return f"{state}, {ndone} of {len(self.steps)} steps, {duration(self.seconds)} simulated"

    def __str__(self) -> str:
        lines = [f"{self.title} on {self.cluster} -- {self.status()} (source: {self.source})"]
        width = max((len(s.name) for s in self.steps), default=10)
        for s in self.steps:
            secs = duration(s.seconds) if s.status != TODO else ""
            lines.append(f"  {s.index:>2}. {s.name:<{width}}  {s.status:<7}  {secs:>7}  {s.note}".rstrip())
        if self.error:
            lines.append(f"STOPPED: {self.error}")
        for a in self.advisories:
            lines.append(f"advisory: {a}")
        if self.interruptions:
            lines.append("client interruptions:")
            lines.append(text_table([interruption_row(i) for i in self.interruptions], plain=True))
        for name, rows in self.tables.items():
            lines.append(f"{name}:")
            lines.append(text_table(list(rows), plain=True))
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return hooks.html("procedure report", self)


def interruption_row(i: Interruption) -> dict:
    """One client interruption as a report table's row."""
    return {"group": i.group, "cause": i.cause, "from": f"{i.start:%H:%M:%S}",
            "to": f"{i.end:%H:%M:%S}" if i.end else "(still down)", "seconds": f"{i.seconds:g}",
            "users": i.users}


class Procedure:
    """A runbook bound to its cluster(s). Build one with a procedure function
    (e.g. :func:`labkit.procedures.single_node_failure`), then ``run()``, ``next()``,
    ``step(name)``, ``skip(name, reason)``, ``run(until=name)`` or ``replay(until=name)``.

    ``params`` holds the arguments the steps read when they run: a wrong one stops the
    step that uses it, and may be corrected before calling ``next()`` again.
    ``data`` holds what steps pass to later steps.
    """

    def __init__(self, title: str, cluster, steps: list[Step], *, source: str, params: dict | None = None,
                 others: tuple = (), rebuild: Callable[[list], "Procedure"] | None = None):
        if not isinstance(title, str) or not title:
            raise ValidationError("a procedure has a title")
        if not steps or not all(isinstance(s, Step) for s in steps):
            raise ValidationError("a procedure is a non-empty list of Step objects")
        names = [s.name for s in steps]
        if len(set(names)) != len(names):
            raise ValidationError("step names are unique within a procedure", rule="steps are named")
        self.title = title
        self.source = source
        self.cluster = cluster
        self.others = list(others)
        self.steps = list(steps)
        self.params = dict(params or {})
        self.data: dict = {}
        self.results = [StepResult(i + 1, s.name, source=s.source) for i, s in enumerate(self.steps)]
        self.advisories: list[Advisory] = []
        self.interruptions: list[Interruption] = []
        self.tables: dict[str, list[dict]] = {}
        self.error: str | None = None
        self._rebuild = rebuild
        self._start = [c.copy() for c in self.clusters] if rebuild is not None else None

    # ---------------------------------------------------------------- views
    @property
    def clusters(self) -> list:
        return [c for c in [self.cluster, *self.others] if c is not None]

    @property
    def position(self) -> int | None:
        """Index (0-based) of the next step to run, None when every step is done."""
        for i, r in enumerate(self.results):
            if r.status == TODO:
                return i
        return None

    @property
    def done(self) -> bool:
        return self.position is None

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.steps]

    def __repr__(self) -> str:
        pos = self.position
        nxt = "complete" if pos is None else f"next: {pos + 1} {self.steps[pos].name!r}"
        return f"<Procedure {show(self.title)}: {len(self.steps)} steps, {nxt}>"

    def report(self) -> ProcedureReport:
        name = self.cluster.name if self.cluster is not None else "(no cluster)"
        return ProcedureReport(self.title, self.source, name, tuple(replace(r) for r in self.results), self.error,
                               tuple(self.advisories), tuple(self.interruptions),
                               {k: tuple(dict(r) for r in v) for k, v in self.tables.items()})

    def _repr_html_(self) -> str:
        return self.report()._repr_html_()

    def __iter__(self):
        while not self.done:
            yield self.next()

    # -------------------------------------------------------------- running
    def _index(self, step) -> int:
        if isinstance(step, int) and not isinstance(step, bool):
            if 1 <= step <= len(self.steps):
                return step - 1
        elif isinstance(step, str) and step in self.names:
            return self.names.index(step)
        raise ProcedureError(f"{self.title} has no step {show(step)} (steps: "
                             + "; ".join(f"{i + 1} {n}" for i, n in enumerate(self.names)) + ")",
                             rule="steps are named by their name or number", source=self.source)

    def next(self) -> StepResult:
        """Run the next step and return its result (ProcedureError when refused)."""
        pos = self.position
        if pos is None:
            raise ProcedureError(f"{self.title}: every step is done", rule="each step runs once", source=self.source)
        return self._run(pos)

    def step(self, step) -> StepResult:
        """Run the named (or numbered) step -- only if it is the next one."""
        i = self._index(step)
        self._must_be_next(i, "run")
        return self._run(i)

    def skip(self, step, reason: str) -> StepResult:
        """Skip the next step, if it is optional, saying why."""
        i = self._index(step)
        self._must_be_next(i, "be skipped")
        s = self.steps[i]
        if not s.optional:
            raise self._error(i, ProcedureError(
                "this step may not be skipped", rule=RULE_ORDER, source=s.source or self.source), "refused")
        if not isinstance(reason, str) or not reason.strip():
            raise ValidationError("say why the step is skipped", rule="a skipped step is explained")
        r = self.results[i]
        r.status, r.note = SKIPPED, reason
        if self.cluster is not None:
            r.started = r.finished = self.cluster.now
        for c in self.clusters:
            self._log(c, i, "skipped", reason)
        return replace(r)

    def run(self, until=None) -> ProcedureReport:
        """Run the remaining steps (or up to and including ``until``) and return the report."""
        last = len(self.steps) - 1 if until is None else self._index(until)
        while self.position is not None and self.position <= last:
            self.next()
        return self.report()

    def replay(self, until=None) -> "Procedure":
        """A new procedure on fresh copies of the cluster(s) as they were when this one was
        made, run up to and including ``until`` (default: the end). This one is untouched."""
        if self._rebuild is None:
            raise ProcedureError(f"{self.title} cannot be replayed (no starting point was kept)",
                                 rule="replays start from a saved starting point", source=self.source)
        fresh = self._rebuild([c.copy() for c in self._start])
        fresh.run(until)
        return fresh

    def _must_be_next(self, i: int, verb: str) -> None:
        r = self.results[i]
        if r.status != TODO:
            raise ProcedureError(f"{self.title}: step {i + 1} '{r.name}' is already {r.status}",
                                 rule="each step runs once", source=self.source)
        pos = self.position
        if pos != i:
            raise ProcedureError(f"{self.title}: step {i + 1} '{r.name}' cannot {verb} yet: step {pos + 1} "
                                 f"'{self.steps[pos].name}' has not been done", rule=RULE_ORDER,
                                 source=self.steps[i].source or self.source)

    def _log(self, cluster, i: int, what: str, why: str = "") -> None:
        cluster.record(f"procedure {self.title}", f"step {i + 1}/{len(self.steps)} {self.steps[i].name}: {what}",
                       why)

    def _error(self, i: int, cause: LabkitError, verb: str = "stopped") -> ProcedureError:
        s = self.steps[i]
        err = ProcedureError(f"{self.title}, step {i + 1} '{s.name}' {verb}: {cause.detail}",
                             rule=cause.rule or RULE_ORDER, source=cause.source or s.source or self.source)
        err.step, err.step_index, err.cause, err.procedure = s.name, i + 1, cause, self
        self.error = str(err)
        err.report = self.report()
        return err

    def _run(self, i: int) -> StepResult:
        s, r = self.steps[i], self.results[i]
        saved = (copy.deepcopy(self.data), copy.deepcopy(self.tables), list(self.advisories),
                 list(self.interruptions), self.cluster, list(self.others))
        clocks = {id(c): c.clock.ms for c in self.clusters}
        started = self.cluster.now if self.cluster is not None else None
        try:
            with ExitStack() as stack:
                for c in self.clusters:
                    stack.enter_context(c.transaction())
                for c in self.clusters:
                    self._log(c, i, "started")
                if s.check is not None:
                    s.check(self)
                note = s.act(self)
                if s.verify is not None:
                    s.verify(self)
                note = "" if note is None else str(note)
                for c in self.clusters:
                    self._log(c, i, "done", note)
        except LabkitError as e:
            (self.data, self.tables, self.advisories, self.interruptions, self.cluster, self.others) = saved
            r.note = f"refused: {e.detail}"
            raise self._error(i, e) from e
        main = self.cluster
        t0 = clocks.get(id(main), 0 if main is None else main.clock.ms)
        r.status, r.note = DONE, note
        r.started = started if started is not None else main.clock.at(t0)
        r.finished = main.now
        r.seconds = (main.clock.ms - t0) / 1000
        self.error = None
        return replace(r)


# ------------------------------------------------------------------ helpers
def wait(cluster) -> None:
    """Let the cluster finish what is pending (moves, joins, restarts)."""
    cluster.run_until_stable()


def interruptions(cluster, since_ms: int, until_ms: int | None = None, *, cause: str,
                  groups=None) -> list[Interruption]:
    """The time each group (or each of ``groups``) was not Online between ``since_ms``
    and ``until_ms`` (default: now), from ``group.outages``, with the users of its
    Exchange virtual servers (:func:`users_of`)."""
    end = cluster.clock.ms if until_ms is None else until_ms
    out = []
    for name in (groups if groups is not None else list(cluster.groups)):
        g = cluster.groups.get(name)
        if g is None:
            continue
        total, first, last, open_ = 0, None, None, False
        for s, f in g.outages:
            f2 = end if f is None else f
            s2, f2 = max(s, since_ms), min(f2, end)
            if f2 > s2 or (f is None and s <= end and s >= since_ms):
                total += max(0, f2 - s2)
                first = s2 if first is None else first
                last = f2
                open_ = f is None or f > end
        if first is None:
            continue
        users = users_of(cluster, name)
        out.append(Interruption(name, cause, cluster.clock.at(first), None if open_ else cluster.clock.at(last),
                                total / 1000, users))
    return out


def before_start(title: str, source: str, fn, *args, **kwargs):
    """Call ``fn`` while a procedure is being made; a refusal becomes a ProcedureError
    saying it happened before step 1 (the original error is its ``cause``)."""
    try:
        return fn(*args, **kwargs)
    except LabkitError as e:
        err = ProcedureError(f"{title}: refused before step 1: {e.detail}", rule=e.rule or "arguments are checked",
                             source=e.source or source)
        err.step, err.step_index, err.cause, err.procedure, err.report = None, 0, e, None, None
        raise err from e


def minutes(cluster, value: float) -> None:
    """Let ``value`` minutes of the administrator's work pass on the cluster clock."""
    cluster.run(minutes=value)


def exchange_groups(cluster) -> list[str]:
    """Groups holding an Exchange 2000 virtual server, in creation order, each once."""
    from ..exchange.model import org as exchange_org
    o = exchange_org(cluster)
    out: list[str] = []
    for vs in (o.virtual_servers.values() if o is not None else ()):
        if vs.group not in out:
            out.append(vs.group)
    return out


def servers_in(cluster, group: str) -> list:
    """The Exchange virtual servers (objects) in ``group``."""
    from ..exchange.model import org as exchange_org
    o = exchange_org(cluster)
    return [vs for vs in (o.virtual_servers.values() if o is not None else ()) if vs.group == group]


def users_of(cluster, group: str) -> int:
    """Clients of the Exchange virtual servers in ``group``: the users set per protocol,
    MAPI users defaulting to the mailbox count (as ``labkit.exchange.set_clients``)."""
    total = 0
    for vs in servers_in(cluster, group):
        total += sum(vs.clients.get(p, vs.mailboxes if p == "MAPI" else 0) for p in ("MAPI", "POP3", "IMAP4", "HTTP"))
    return total


def outages_since_loss(cluster, lost_ms: int, *, cause: str, groups=None) -> list[Interruption]:
    """For a loss at ``lost_ms`` that stopped the cluster (quorum, site): each group that
    is back Online now was interrupted from the loss until it last came back Online;
    a group still down is interrupted until now (``end`` None). Groups the
    administrator keeps offline are left out."""
    out = []
    for name in (groups if groups is not None else list(cluster.groups)):
        g = cluster.groups.get(name)
        if g is None or not g.persistent_state:
            continue
        ends = [f for s, f in g.outages if f is not None and f >= lost_ms]
        online = g.state is GroupState.ONLINE
        if online and not ends:
            continue
        end = max(ends) if online else cluster.clock.ms
        out.append(Interruption(name, cause, cluster.clock.at(int(lost_ms)), cluster.clock.at(end) if online else None,
                                (end - lost_ms) / 1000, users_of(cluster, name)))
    return out


def need_cluster(x, what: str = "cluster"):
    """``x`` if it is a labkit Cluster; a ValidationError otherwise (never AttributeError)."""
    from ..cluster.cluster import Cluster
    if not isinstance(x, Cluster):
        raise ValidationError(f"{what} must be a labkit Cluster, not {show(x)}", rule="procedures act on a cluster")
    return x
