"""Checking a cluster file's queued work and its cluster log.

The queue holds jobs ``[at_ms, seq, kind, args, transient]`` that a handler must exist for
(the core's, or a plug-in's); the log is ``[time, node, object, what, why]`` lines that run
forwards and end no later than the clock. A log written by labkit is checked column by
column with whole-list operations (:func:`fast_log`: a 64-node cluster's log has 40,000
lines); any other is checked line by line, with every problem's place.

>>> probs = Problems()
>>> check_log(probs, [["2001-05-07T09:00:00.000", None, "LAB", "formed", ""]], {"clock_ms": 0})[0].what
'formed'
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta

from .. import values as V
from ..cluster.events import handles, job_args_problem
from ..sim import START, LogEvent
from ..values import BAD, show as _show
from .fields import JOB_ARGS, LOG_TEXT
from .format import Problems, import_plugins
from .format import lazy_path as _p


def check_queue(probs: Problems, raw, cl) -> dict | None:
    p = "queue"
    out = probs.items
    if not isinstance(raw, dict):
        probs.add(p, f"expected a mapping with seq and jobs, not {_show(raw)}")
        return None
    ok = True
    for k in raw:
        if k not in ("seq", "jobs"):
            probs.add(_p(p, k), "unknown field")
            ok = False
    for k in ("seq", "jobs"):
        if k not in raw:
            probs.add(_p(p, k), "missing (required)")
            ok = False
    if not ok:
        return None
    seq = V.Int(0).collect(raw["seq"], _p(p, "seq"), out)
    jobs = raw["jobs"]
    if not isinstance(jobs, list):
        probs.add(_p(p, "jobs"), f"expected a list of jobs [at_ms, seq, kind, args, transient], not {_show(jobs)}")
        return None
    now = cl.get("clock_ms") if cl and type(cl.get("clock_ms")) is int else 0
    seen = set()
    for i, j in enumerate(jobs):
        jp = _p(_p(p, "jobs"), i)
        if not (isinstance(j, list) and len(j) == 5):
            probs.add(jp, f"expected [at_ms, seq, kind, args, transient], not {_show(j)}")
            ok = False
            continue
        at, s, kind, args, transient = j
        if V.JOB_MS.collect(at, _p(jp, 0), out) is BAD or V.Int(1).collect(s, _p(jp, 1), out) is BAD:
            ok = False
            continue
        if at < now:
            probs.add(_p(jp, 0), f"job due at {at} ms, before the clock ({now} ms)")
            ok = False
        if s in seen or (type(seq) is int and s > seq):
            probs.add(_p(jp, 1), f"sequence number {s} is repeated or above queue.seq")
            ok = False
        seen.add(s)
        known = isinstance(kind, str) and V.NAME.ok(kind) and handles(kind)
        if not known and isinstance(kind, str):
            import_plugins()
            known = V.NAME.ok(kind) and handles(kind)
        if not known:
            probs.add(_p(jp, 2), f"no handler for jobs of kind {_show(kind)}")
            ok = False
        if JOB_ARGS.collect(args, _p(jp, 3), out) is BAD:
            ok = False
        elif known:
            why = job_args_problem(kind, args)
            if why:
                probs.add(_p(jp, 3), why)
                ok = False
        if not isinstance(transient, bool):
            probs.add(_p(jp, 4), f"expected true or false, not {_show(transient)}")
            ok = False
    return {"seq": seq, "jobs": jobs} if ok and seq is not BAD else None


_LOG_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}")


def check_log(probs: Problems, raw: list, cl) -> list | None:
    now = cl.get("clock_ms") if cl and type(cl.get("clock_ms")) is int else None
    end = START + timedelta(milliseconds=now) if now is not None else None
    fast = fast_log(raw, end)
    if fast is not None:
        return fast
    out, last, ok = [], START, True
    for i, e in enumerate(raw):
        ok = _check_log_line(probs, i, e, last, end) and ok
        if ok:
            t = datetime.fromisoformat(e[0])
            last = max(last, t)
            out.append(LogEvent(t, *e[1:]))
    return out if ok else None


def fast_log(raw: list, end) -> list | None:
    """The log as LogEvents when every line is as labkit writes it -- checked column by
    column with whole-list operations (a 64-node cluster's log has 40,000 lines) -- or
    None (then every line is checked on its own, with its problems)."""
    if not raw:
        return []
    if set(map(type, raw)) != {list} or set(map(len, raw)) != {5}:
        return None
    times, nodes, objs, whats, whys = zip(*raw)
    if set(map(type, times)) != {str} or not all(map(_LOG_TIME.fullmatch, times)):
        return None
    if times[0] < START.isoformat(timespec="milliseconds") or list(times) != sorted(times):
        return None
    if end is not None and times[-1] > end.isoformat(timespec="milliseconds"):
        return None
    texts = objs + whats + whys
    if set(map(type, texts)) != {str} or not set(map(type, nodes)) <= {str, type(None)}:
        return None
    joined = "".join(texts) + "".join(n for n in nodes if n is not None)
    if not joined.isascii() and V.SURROGATE.search(joined):
        return None
    return list(map(LogEvent, map(datetime.fromisoformat, times), nodes, objs, whats, whys))


def _check_log_line(probs: Problems, i: int, e, last, end) -> bool:
    """The problems of one log line (the slow path: every check, with its message)."""
    items = probs.items
    p = _p("log", i)
    if not (isinstance(e, list) and len(e) == 5):
        probs.add(p, f"expected [time, node, object, what, why], not {_show(e)}")
        return False
    ok = True
    t = e[0]
    if isinstance(t, str):
        try:
            t = datetime.fromisoformat(t)
        except ValueError:
            t = None
    if not isinstance(t, datetime) or t.tzinfo is not None:
        probs.add(_p(p, 0), f"expected a time like 2001-05-07T09:00:00.000, not {_show(e[0])}")
        return False
    if t < last:
        probs.add(_p(p, 0), f"{e[0]} is earlier than the event before it: the log runs forwards")
        ok = False
    if end is not None and t > end:
        probs.add(_p(p, 0), f"{e[0]} is later than the clock")
        ok = False
    if t.microsecond % 1000:
        probs.add(_p(p, 0), "times have millisecond precision")
        ok = False
    if not (e[1] is None or isinstance(e[1], str)):
        probs.add(_p(p, 1), f"expected a node name or null, not {_show(e[1])}")
        ok = False
    elif e[1] is not None and LOG_TEXT.collect(e[1], _p(p, 1), items) is BAD:
        ok = False
    for k in (2, 3, 4):
        if not isinstance(e[k], str):
            probs.add(_p(p, k), f"expected text, not {_show(e[k])}")
            ok = False
        elif LOG_TEXT.collect(e[k], _p(p, k), items) is BAD:
            ok = False
    return ok
