"""Predict, then run: a learner commits to an answer before an experiment reveals it,
and "Check your understanding" cells that say "not yet" with a hint until answered.

:func:`predict` makes a :class:`Prediction`: in a notebook it shows a small picker
(buttons for a choice, a box for a number); in code, set ``.answer``. After the
experiment, :meth:`Prediction.reveal` compares it with what happened. :func:`check`
marks a "Check your understanding" cell: answers still ``...`` are "not yet", with
the hint; wrong ones say so, with the hint; when all are right it says so.

>>> p = predict("Which node takes EXVS2?", ["1-CURLY", "3-LARRY"])
>>> p.reveal("3-LARRY")
You made no prediction (pick one above, or set .answer): the answer is 3-LARRY.
>>> p.answer = "3-LARRY"; p.reveal("3-LARRY", "it is next on EXVS2's list")
You predicted 3-LARRY: right -- it is next on EXVS2's list.
>>> q = predict("How many seconds without mail?", unit="s", tolerance=0.25)
>>> q.answer = 30; q.reveal(47.2)
You predicted 30 s; it was 47.2 s (off by 36%, more than 25%).
>>> check(("four nines, minutes a year", ..., 52.6, "downtime_per_year gives seconds"))
1. four nines, minutes a year: not yet -- hint: downtime_per_year gives seconds
0 of 1 answered: replace each ... with your answer and run the cell again.
>>> check(("four nines, minutes a year", 52.6, 52.6, ""))
1. four nines, minutes a year: right
all correct
"""
from __future__ import annotations

import math

_NONE = Ellipsis


def _same(given, expected, tolerance: float = 0.0) -> bool:
    if isinstance(expected, bool) or isinstance(given, bool):
        return given is expected or given == expected
    if isinstance(expected, (int, float)) and isinstance(given, (int, float)):
        if tolerance:
            return abs(given - expected) <= tolerance * max(abs(expected), 1e-12)
        return math.isclose(given, expected, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(expected, str) and isinstance(given, str):
        return given.strip().lower() == expected.strip().lower()
    return given == expected


def _show(v, unit: str | None = None) -> str:
    if isinstance(v, float):
        text = f"{v:,.1f}" if abs(v) >= 10 else f"{v:g}"
    else:
        text = f"{v:,}" if isinstance(v, int) and not isinstance(v, bool) else str(v)
    return f"{text} {unit}" if unit else text


class Verdict(str):
    """What :meth:`Prediction.reveal` and :func:`check` say: a string that prints
    without quotes in a notebook."""

    def __repr__(self) -> str:
        return str(self)


class Prediction:
    """A question asked before an experiment. ``options``: the choices (a picker of
    buttons), or None for a number (``unit``; :meth:`reveal` accepts it within
    ``tolerance``, a share of the true value). ``answer`` is ``...`` until the learner
    picks or sets it."""

    def __init__(self, question: str, options=None, *, unit: str | None = None, tolerance: float = 0.2):
        self.question = question
        self.options = tuple(options) if options is not None else None
        self.unit = unit
        self.tolerance = float(tolerance)
        self.answer = _NONE
        self._widget = None

    @property
    def answered(self) -> bool:
        return self.answer is not _NONE and self.answer is not None

    def widget(self):
        """The picker (ipywidgets, imported here): buttons for the options, or a number box."""
        import ipywidgets as W
        if self._widget is not None:
            return self._widget
        label = W.HTML(f"<b>Predict:</b> {self.question}")
        if self.options is not None:
            pick = W.ToggleButtons(options=[str(o) for o in self.options], value=None,
                                   layout=W.Layout(width="auto", flex_flow="row wrap"),
                                   style={"button_width": "auto"})
            values = dict(zip((str(o) for o in self.options), self.options))
            pick.observe(lambda ch: setattr(self, "answer", values.get(ch["new"], _NONE)), names="value")
        else:
            pick = W.FloatText(value=None, description=self.unit or "", layout=W.Layout(width="220px"))
            pick.observe(lambda ch: setattr(self, "answer", ch["new"] if ch["new"] is not None else _NONE),
                         names="value")
        note = W.HTML("<small>Your pick is kept in this prediction; the cell after the experiment "
                      "compares it with what happened.</small>")
        self._widget = W.VBox([label, pick, note], layout=W.Layout(width="100%"))
        return self._widget

    def _ipython_display_(self):
        from IPython.display import display
        display(self.widget())

    def __repr__(self) -> str:
        state = f"your answer: {_show(self.answer, self.unit)}" if self.answered else "not answered yet"
        return f"Predict: {self.question} ({state})"

    def reveal(self, actual, explain: str = "") -> Verdict:
        """Compare the prediction with ``actual`` (what the experiment showed) and say so;
        ``explain`` is added as the reason."""
        why = f" -- {explain}" if explain else ""
        shown = _show(actual, self.unit)
        if not self.answered:
            hint = "pick one above, or set .answer" if self.options is not None else "type a number above, or set .answer"
            return Verdict(f"You made no prediction ({hint}): the answer is {shown}.{(' ' + explain[:1].upper() + explain[1:] + '.') if explain else ''}")
        given = self.answer
        if self.options is None and isinstance(given, (int, float)) and isinstance(actual, (int, float)):
            off = abs(given - actual) / max(abs(actual), 1e-12)
            close = off <= self.tolerance
            verdict = "close enough" if close else f"more than {self.tolerance:.0%}"
            return Verdict(f"You predicted {_show(given, self.unit)}; it was {shown} (off by {off:.0%}, {verdict}){why}."
                           if off > 1e-9 else f"You predicted {shown}: right{why}.")
        if _same(given, actual):
            return Verdict(f"You predicted {_show(given, self.unit)}: right{why}.")
        return Verdict(f"You predicted {_show(given, self.unit)}; it was {shown}{why}.")


def predict(question: str, options=None, *, unit: str | None = None, tolerance: float = 0.2) -> Prediction:
    """Ask ``question`` before an experiment (see :class:`Prediction`)."""
    return Prediction(question, options, unit=unit, tolerance=tolerance)


def check(*questions, tolerance: float = 0.0) -> Verdict:
    """Mark a "Check your understanding" cell. Each question is ``(what, given,
    expected, hint)``: ``given`` is the learner's variable (``...`` until answered),
    ``expected`` what the model says. Numbers match to ``tolerance`` (a share; default
    exact to rounding), text ignoring case. Never raises: it says "not yet" with the
    hint, or "not quite" with the hint, or "all correct"."""
    lines, answered, right = [], 0, 0
    for i, q in enumerate(questions, start=1):
        what, given, expected, hint = (tuple(q) + ("",))[:4]
        if given is _NONE:
            lines.append(f"{i}. {what}: not yet -- hint: {hint}" if hint else f"{i}. {what}: not yet")
            continue
        answered += 1
        if _same(given, expected, tolerance):
            right += 1
            lines.append(f"{i}. {what}: right")
        else:
            lines.append(f"{i}. {what}: not quite ({_show(given)})" + (f" -- hint: {hint}" if hint else ""))
    n = len(questions)
    if right == n:
        lines.append("all correct")
    elif answered < n:
        lines.append(f"{answered} of {n} answered: replace each ... with your answer and run the cell again.")
    else:
        lines.append(f"{right} of {n} right: look again at the ones marked 'not quite'.")
    return Verdict("\n".join(lines))


__all__ = ["Prediction", "predict", "check", "Verdict"]
