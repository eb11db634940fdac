"""The Event Processor: simulated time, the queue of work still to do, and the cluster log.

In MSCS the Event Processor receives the events of the cluster -- a resource that
finished coming online, a node whose heartbeats stopped -- and hands each to the
component that deals with it (paper, Table 2: "processes events relating to state changes
and requests from cluster resources and applications"). Here every such event is a
queued :class:`~labkit.sim.Job`, and :data:`CORE_JOBS` is the table of which component
handles which kind: the Membership Manager's regroups and joins, the Resource Monitor's
pending calls and health polls, the Failover Manager's failback windows. Plug-ins add
their own kinds with :func:`register_job_handler` (Exchange's store remounts, the backup
procedure's ticks). Time moves only in :meth:`EventProcessor.run` and
:meth:`EventProcessor.run_until_stable`.

This module is the :class:`EventProcessor` part of :class:`~labkit.cluster.Cluster`:
``run``, ``run_until_stable``, ``schedule``, ``record`` and ``register_handler``.

>>> [str(kind) for kind in sorted(CORE_JOBS)][:3]
['detect_fault', 'failback_window', 'join_done']
"""
from __future__ import annotations

from .. import values as V
from ..errors import LimitError, NotFoundError, ValidationError
from ..sim import LogEvent, parse_duration
from ..values import show
from .failover import FailoverManager
from .membership import MembershipManager
from .model import CoreJob
from .monitor import ResourceMonitor


#: The Cluster Service's own jobs: which component handles each kind, ``handler(cluster, *args)``.
CORE_JOBS = {
    # the Membership Manager: a crash noticed after the missed heartbeats, a join, a restart
    CoreJob.REGROUP: MembershipManager._on_regroup,
    CoreJob.JOIN_DONE: MembershipManager._on_join_done,
    CoreJob.REBOOT_DONE: MembershipManager._on_reboot_done,
    # the Resource Monitor: an Online or Offline call returns or times out, a poll finds a fault
    CoreJob.ONLINE_DONE: ResourceMonitor._on_online_done,
    CoreJob.ONLINE_REFUSED: ResourceMonitor._on_online_refused,
    CoreJob.PENDING_TIMEOUT: ResourceMonitor._on_pending_timeout,
    CoreJob.OFFLINE_DONE: ResourceMonitor._on_offline_done,
    CoreJob.DETECT_FAULT: ResourceMonitor._on_detect_fault,
    # the Failover Manager: a group's failback window opens
    CoreJob.FAILBACK_WINDOW: FailoverManager._on_failback_window,
}
#: Handlers of plug-in jobs, by job kind: ``handler(cluster, *args)``.
JOB_HANDLERS: dict = {}


def register_job_handler(kind: str, handler) -> None:
    """Register the handler of queued plug-in jobs of ``kind`` (for every cluster)."""
    if not isinstance(kind, str) or not kind or not callable(handler):
        raise ValidationError("a job handler needs a kind (string) and a callable")
    if kind in CORE_JOBS:
        raise ValidationError(f"{kind!r} is a job of the Cluster Service's own components; a plug-in names its own",
                              rule="a job kind has one handler")
    JOB_HANDLERS[kind] = handler


def handles(kind: str) -> bool:
    """Whether some component or plug-in handles queued jobs of ``kind``.

    >>> handles("regroup"), handles("no such job")
    (True, False)
    """
    return kind in CORE_JOBS or kind in JOB_HANDLERS


_ANNOTATED = {"str": str, "int": int, "float": (int, float), "bool": bool}
_SIGNATURES: dict = {}


def job_args_problem(kind: str, args) -> str | None:
    """Why ``args`` cannot be given to the handler of queued jobs of ``kind`` (their count
    and annotated types), or None. :meth:`Cluster.schedule` and the file loader both ask."""
    import inspect

    fn = CORE_JOBS.get(kind) or JOB_HANDLERS.get(kind)
    if fn not in _SIGNATURES:
        try:
            _SIGNATURES[fn] = list(inspect.signature(fn).parameters.values())[1:]  # self, or the cluster
        except (TypeError, ValueError):  # pragma: no cover - a builtin handler
            _SIGNATURES[fn] = None
    params = _SIGNATURES[fn]
    if params is None or any(p.kind is p.VAR_POSITIONAL for p in params):
        return None
    need = [p for p in params if p.default is p.empty]
    if not len(need) <= len(args) <= len(params):
        return f"a {kind} job takes {len(need)} arguments ({', '.join(p.name for p in params)}), not {len(args)}"
    for p, a in zip(params, args):
        want = _ANNOTATED.get(p.annotation if isinstance(p.annotation, str) else getattr(p.annotation, "__name__", ""))
        if want and (not isinstance(a, want) or (isinstance(a, bool) and want is not bool)):
            return f"argument {p.name} of a {kind} job is {p.annotation}, not {show(a)}"
    return None


_DELAY = V.Int(0, V.MAX_DELAY_MS, name="a whole number of ms")
_JOB_ARGS = V.ListOf(V.Plain(scalar=True), name="a list of plain values")
_LOG_NODE = V.Optional(V.TEXT)
_YEARS_100 = 100 * 365 * 86_400
_RUN_KINDS = {"seconds": V.Number(0, _YEARS_100, rule="time runs forwards (at most 100 years a run)"),
              "minutes": V.Number(0, _YEARS_100 / 60, rule="time runs forwards (at most 100 years a run)"),
              "hours": V.Number(0, _YEARS_100 / 3600, rule="time runs forwards (at most 100 years a run)")}


_MAX_EVENTS = V.Int(1, name="a positive whole number")


class EventProcessor:
    """The Event Processor of a :class:`~labkit.cluster.Cluster` (see the module)."""

    def register_handler(self, kind: str, handler) -> None:
        """Let a plug-in handle queued jobs of ``kind``: ``handler(cluster, *args)``.
        Handlers are registered for every cluster (like resource types), so a saved
        cluster's queued plug-in jobs run after it is loaded."""
        register_job_handler(kind, handler)

    @property
    def handlers(self) -> dict:
        return JOB_HANDLERS

    def schedule(self, delay_ms: int, kind: str, args: tuple = (), transient: bool = True) -> None:
        """Queue a job: a plug-in's (its handler was registered with :meth:`register_handler`)
        or one of the core's :class:`~labkit.cluster.model.CoreJob` kinds, checked against its
        handler's arguments. Its arguments are plain values (names, numbers), so a saved
        cluster keeps it."""
        kind = self._name(kind, "job kind")
        if not handles(kind):
            raise NotFoundError(f"no handler for job kind {kind!r}")
        delay_ms = V.accept(_DELAY, delay_ms, "delay_ms")
        if not isinstance(args, (tuple, list)) or not isinstance(transient, bool):
            raise ValidationError("args must be a tuple and transient True or False")
        args = V.accept(_JOB_ARGS, list(args), "args")
        why = job_args_problem(kind, args)
        if why:
            raise ValidationError(why, rule="a queued job gets the arguments its handler takes")
        self._check_time(self.clock.ms + delay_ms)
        self.queue.push(self.clock.ms + delay_ms, kind, tuple(args), transient)

    def record(self, obj: str, what: str, why: str = "", node: str | None = None) -> None:
        """Append a line to the cluster log (plug-ins record what they do here). The
        texts must be text a file can hold (checked fast: exact str, and surrogates
        searched for only in non-ASCII text)."""
        for v in (obj, what, why, node):
            if not (type(v) is str and (v.isascii() or V.TEXT.ok(v))) and not (v is None and v is node):
                obj, what, why = (V.accept(V.TEXT, v, k) for v, k in ((obj, "obj"), (what, "what"), (why, "why")))
                node = V.accept(_LOG_NODE, node, "node")
        self.log.append(LogEvent(self.clock.now, node, obj, what, why))

    def _check_time(self, ms: int) -> None:
        if ms > V.MAX_CLOCK_MS + V.MAX_DELAY_MS:
            raise ValidationError(f"that would take the simulated clock past {self.clock.at(V.MAX_CLOCK_MS):%Y-%m-%d}, "
                                  "the last day labkit simulates", rule="simulated time ends before the year 9900",
                                  source="labkit.values.MAX_CLOCK_MS")

    def run(self, seconds: float = 0, minutes: float = 0, hours: float = 0, *, duration: str | None = None) -> None:
        """Advance simulated time, handling everything that falls due. A run is at most 100
        simulated years, and the clock stops before the year 9900."""
        for k, v in (("seconds", seconds), ("minutes", minutes), ("hours", hours)):
            if not V.Number(0).ok(v):
                raise ValidationError(f"durations are numbers >= 0, not {show(v)}", rule="time runs forwards")
            if not _RUN_KINDS[k].ok(v):
                raise ValidationError("runs are limited to 100 simulated years", rule="bounded runs")
        seconds, minutes, hours = (V.exact(v) for v in (seconds, minutes, hours))
        ms = int(round(seconds * 1000 + minutes * 60_000 + hours * 3_600_000))
        if duration is not None:
            ms += parse_duration(duration)
        if ms > V.MAX_DELAY_MS:
            raise ValidationError("runs are limited to 100 simulated years", rule="bounded runs")
        end = self.clock.ms + ms
        if end > V.MAX_CLOCK_MS:
            last = self.clock.at(V.MAX_CLOCK_MS)
            raise ValidationError(f"the run would take the simulated clock past {last:%Y-%m-%d} (it is "
                                  f"{self.now:%Y-%m-%d} now), the last day labkit simulates",
                                  rule="simulated time ends before the year 9900", source="labkit.values.MAX_CLOCK_MS")
        while True:
            job = self.queue.peek()
            if job is None or job.at_ms > end:
                break
            self._dispatch(self.queue.pop())
        self.clock.advance_to(end)

    def run_until_stable(self, max_events: int | None = None) -> None:
        """Handle queued work in time order until nothing is pending. Appointments
        (a failback window opening tonight) that fall after the last pending work stay
        queued for :meth:`run`. With ``max_events``: all or nothing -- if the cluster is
        still not stable after that many events, a LimitError and the cluster is as before."""
        if max_events is None:
            self._run_until_stable(1_000_000)
            return
        max_events = V.accept(_MAX_EVENTS, max_events, "max_events")
        with self.transaction():
            self._run_until_stable(max_events)

    def _run_until_stable(self, max_events: int) -> None:
        handled = 0
        while self.queue.transient:
            if handled >= max_events:
                raise LimitError(f"still not stable after {max_events} events",
                                 rule="run_until_stable has a bound")
            job = self.queue.peek()
            if job.at_ms > V.MAX_CLOCK_MS:
                raise LimitError("the queued work falls after the last day labkit simulates",
                                 rule="simulated time ends before the year 9900", source="labkit.values.MAX_CLOCK_MS")
            self._dispatch(self.queue.pop())
            handled += 1

    def _dispatch(self, job) -> None:
        """Hand a due job to the component that handles its kind (:data:`CORE_JOBS`), or
        to the plug-in that registered it (:data:`JOB_HANDLERS`); then settle the groups."""
        self.clock.advance_to(max(self.clock.ms, job.at_ms))
        handler = CORE_JOBS.get(job.kind)
        if handler is not None:
            handler(self, *job.args)
        elif job.kind in JOB_HANDLERS:
            JOB_HANDLERS[job.kind](self, *job.args)
            self._settle()
        else:  # pragma: no cover - plug-in not loaded
            raise NotFoundError(f"no handler for queued job {job.kind!r}; load the plug-in that made it")
