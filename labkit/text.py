"""Plain text for reports and logs: the one fixed-width :func:`text_table`, durations
(:func:`duration` in simulated seconds, :func:`duration_ms` in milliseconds), a
procedure step as a line (:func:`step_line`) and log events as a timeline
(:func:`timeline`).

This is a bottom-layer module (it imports nothing from labkit), so every model
layer's ``str()`` can print a table; the HTML views
(:mod:`labkit.views.tables`) build on :func:`table_cells`.
"""
from __future__ import annotations

def timeline(events, *, start=None, objects=None) -> str:
    """Log events as a timeline: seconds since ``start`` (a datetime; default the first
    event's time), then node, object, what happened and why. ``objects`` keeps only
    events about those names (e.g. one group's resources).

    >>> from labkit.sim import LogEvent, START
    >>> from datetime import timedelta
    >>> evs = [LogEvent(START, "N1", "Share", "fault injected (crash)"),
    ...        LogEvent(START + timedelta(seconds=5), "N1", "Share", "Online -> Failed", "LooksAlive poll failed")]
    >>> print(timeline(evs))
      +0.0 s  N1          Share: fault injected (crash)
      +5.0 s  N1          Share: Online -> Failed (LooksAlive poll failed)
    """
    keep = set(objects) if objects is not None else None
    evs = [e for e in events if keep is None or e.obj in keep]
    if not evs:
        return "(no events)"
    t0 = start or evs[0].time
    lines = []
    for e in evs:
        why = f" ({e.why})" if e.why else ""
        lines.append(f"{(e.time - t0).total_seconds():+6.1f} s  {(e.node or '-'):<10}  {e.obj}: {e.what}{why}")
    return "\n".join(lines)


def table_cells(rows, columns=None, *, formats=None, plain: bool = False):
    """What a table shows, cell by cell: ``(headers, body, numeric)`` -- the column
    headers, the rows as formatted strings and, per column, whether it holds numbers
    (right-aligned). :func:`text_table` prints it; :class:`labkit.views.tables.Table`
    renders it as HTML. Arguments as for :func:`text_table`."""
    from dataclasses import asdict, is_dataclass

    rows = [asdict(r) if is_dataclass(r) else dict(r) for r in rows]
    if columns is None:
        columns = list(rows[0]) if rows else []
    cols = [c if isinstance(c, tuple) else (c, c) for c in columns]
    formats = formats or {}
    if plain:
        body = [["" if r.get(k) is None else str(r.get(k)) for k, _ in cols] for r in rows]
        return [str(h) for _, h in cols], body, [False] * len(cols)

    def cell(key, v):
        if key in formats and v is not None:
            return formats[key].format(v)
        if isinstance(v, bool):
            return "yes" if v else "no"
        if isinstance(v, float):
            return f"{v:,.1f}"
        if isinstance(v, int):
            return f"{v:,}"
        return "" if v is None else str(v)

    body = [[cell(k, r.get(k)) for k, _ in cols] for r in rows]
    numeric = [all(isinstance(r.get(k), (int, float)) and not isinstance(r.get(k), bool)
                   for r in rows if r.get(k) is not None) and any(r.get(k) is not None for r in rows)
               for k, _ in cols]
    return [h for _, h in cols], body, numeric


def text_table(rows, columns=None, *, formats=None, plain: bool = False) -> str:
    """Rows (dicts, or dataclasses) as a fixed-width text table for ``print``.

    ``columns`` picks and orders the keys; an item may be ``(key, header)`` to rename
    a column. ``formats`` maps a key to a format string such as ``"{:.1f}"``. Numbers
    are right-aligned, text left-aligned; True/False print as yes/no.

    ``plain=True`` is the procedure reports' style: every value as ``str()``, all
    left-aligned, no rule under the headers, and ``(none)`` for no rows.

    >>> print(text_table([{"node": "A", "state": "Up"}, {"node": "BB", "state": "Down"}], plain=True))
    node  state
    A     Up
    BB    Down

    >>> print(text_table([{"level": "RAID 1", "drives": 2, "usable_gb": 18.2},
    ...                   {"level": "RAID 0+1", "drives": 6, "usable_gb": 54.6}],
    ...                  [("level", "RAID"), "drives", ("usable_gb", "usable GB")]))
    RAID      drives  usable GB
    --------  ------  ---------
    RAID 1         2       18.2
    RAID 0+1       6       54.6
    """
    rows = list(rows)
    if plain and not rows:
        return "(none)"
    headers, body, numeric = table_cells(rows, columns, formats=formats, plain=plain)
    widths = [max([len(h)] + [len(b[i]) for b in body]) for i, h in enumerate(headers)]

    def line(values):
        return "  ".join(v.rjust(widths[i]) if numeric[i] else v.ljust(widths[i])
                         for i, v in enumerate(values)).rstrip()

    lines = [line(headers)] + ([] if plain else ["  ".join("-" * w for w in widths)])
    lines += [line(b) for b in body]
    return "\n".join(lines)


def duration(seconds: float) -> str:
    """Simulated seconds as an administrator reads them: seconds under two minutes,
    minutes under an hour, hours beyond.

    >>> duration(64.25), duration(1200), duration(5400)
    ('64.25 s', '20.0 min', '1.5 h')
    """
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h"
    if seconds >= 120:
        return f"{seconds / 60:.1f} min"
    return f"{seconds:g} s"


def duration_ms(ms: float) -> str:
    """Milliseconds as ``labkit simulate`` and cluster.exe print an outage: tenths of a
    second under two minutes, then minutes and seconds, then hours and minutes.

    >>> duration_ms(21500), duration_ms(200000), duration_ms(7500000)
    ('21.5 s', '3 min 20 s', '2 h 05 min')
    """
    s = ms / 1000
    if s < 120:
        return f"{s:.1f} s"
    m, sec = divmod(int(round(s)), 60)
    if m < 120:
        return f"{m} min {sec:02d} s"
    h, m = divmod(m, 60)
    return f"{h} h {m:02d} min"


def step_line(result) -> str:
    """One step of a procedure (a ``labkit.procedures.StepResult``, or anything with
    ``index``, ``name``, ``status``, ``seconds`` and ``note``) as one line: what
    ``procedure.next()`` just did, for notebooks that walk a runbook step by step.

    >>> from types import SimpleNamespace as S
    >>> print(step_line(S(index=4, name="install the cluster service and join", status="done",
    ...                   seconds=3.0, note="5-SHEMP joined as node 5")))
     4. install the cluster service and join -- done, 3 s: 5-SHEMP joined as node 5
    >>> print(step_line(S(index=7, name="move the groups back", status="skipped", seconds=0.0,
    ...                   note="after hours")))
     7. move the groups back -- skipped: after hours
    """
    head = f"{result.index:>2}. {result.name} -- {result.status}"
    if result.status == "done":
        head += f", {duration(result.seconds)}"
    return f"{head}: {result.note}" if result.note else head
