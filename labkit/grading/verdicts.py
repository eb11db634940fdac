"""What grading says: the verdicts every part of labkit.grading shares.

A check raises :class:`Wrong` (or :class:`Missing`) with a message for the learner, or returns
(passed); one question's outcome is a :class:`QuestionResult`, one notebook's a :class:`Report`,
which travels between the instructor's process and its grading workers as one JSON line
(:func:`report_to_json`, :func:`report_from_json`). This module imports nothing else of
labkit.grading, so the question API (:mod:`~labkit.grading.api`), the answers' transport
(:mod:`~labkit.grading.answers`, :mod:`~labkit.grading.objects`, :mod:`~labkit.grading.rebuild`),
the grader and its worker all import it, and not each other in circles.

>>> r = Report("lab.ipynb", "99_demo", [QuestionResult("q1", "Q1", 2, 2, True)])
>>> report_from_json(report_to_json(r)) == r, r.score
(True, 2)
>>> expect(1 + 1 == 3, "arithmetic is broken")
Traceback (most recent call last):
labkit.grading.verdicts.Wrong: arithmetic is broken
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from enum import StrEnum

#: Every answer the learner's kernel gave back is JSON; a grader-side check gets
#: at most this much simulated work (events) when it plays a scenario on an answer.
MAX_EVENTS = 200_000


class Wrong(Exception):
    """A check's verdict that the answer is wrong; the message is shown to the learner.
    Say what is wrong, not what the answer is."""


class Missing(Wrong):
    """A variable the question needs is not defined in the learner's notebook."""


def expect(condition, message: str) -> None:
    """Raise :class:`Wrong` with ``message`` unless ``condition`` holds.

    >>> expect(1 + 1 == 2, "arithmetic is broken")
    """
    if not condition:
        raise Wrong(message)


@dataclass
class QuestionResult:
    """One question's outcome: points earned out of ``max_points`` and feedback."""

    name: str
    title: str
    points: float
    max_points: float
    passed: bool
    message: str = ""


class GradeStatus(StrEnum):
    """What became of one notebook (the ``status`` column of the grade sheet)."""

    GRADED = "graded"      # its answers were checked
    ERROR = "error"        # it could not be read or run; the report's ``error`` says why
    RAN = "ran"            # a learner release's self-check: it ran, the instructor grades it
    SKIPPED = "skipped"    # check() called while grading: it does nothing there


@dataclass
class Report:
    """The grade of one notebook (:class:`GradeStatus`; ``error`` says why it is not
    graded). ``notes`` list cells that raised or timed out."""

    path: str
    exercise: str | None
    results: list[QuestionResult] = field(default_factory=list)
    status: GradeStatus = GradeStatus.GRADED
    error: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def score(self) -> float:
        return sum(r.points for r in self.results)

    @property
    def max_score(self) -> float:
        return sum(r.max_points for r in self.results)

    @property
    def all_passed(self) -> bool:
        return self.status is GradeStatus.GRADED and bool(self.results) and all(r.passed for r in self.results)

    def table(self) -> str:
        """The score table learners see (plain text)."""
        head = f"{self.exercise or '(unknown exercise)'} · {self.path or '(no file)'}"
        if self.status is GradeStatus.RAN:  # a learner release: the notebook ran, the instructor grades it
            return "\n".join([f"{head}\nnot graded here: {self.error}"] + [f"note: {n}" for n in self.notes])
        if self.status is not GradeStatus.GRADED:
            return f"{head}\nnot graded: {self.error}"
        head += f" · {num(self.score)}/{num(self.max_score)} points"
        width = max([8] + [len(r.name) for r in self.results])
        lines = [head, f"  #  {'question':<{width}}  points  result"]
        for i, r in enumerate(self.results, 1):
            mark = "passed" if r.passed else "not yet: " + r.message
            lines.append(f"{i:>3}  {r.name:<{width}}  {num(r.points):>2}/{num(r.max_points):<3}  {mark}")
        lines.append(f"     {'total':<{width}}  {num(self.score):>2}/{num(self.max_score):<3}")
        lines.extend(f"note: {n}" for n in self.notes)
        return "\n".join(lines)

    __str__ = table

    def _repr_pretty_(self, p, cycle):  # IPython shows the table, not a dataclass dump
        p.text(self.table())


def num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def report_to_json(report: Report) -> str:
    """``report`` as one line of JSON (what a grading worker sends back)."""
    return json.dumps(asdict(report))


def report_from_json(line: str) -> Report:
    """The :class:`Report` that :func:`report_to_json` wrote."""
    d = json.loads(line)
    d["results"] = [QuestionResult(**r) for r in d.get("results", [])]
    d["status"] = GradeStatus(d.get("status", GradeStatus.GRADED))
    return Report(**d)


__all__ = ["num", "MAX_EVENTS", "Wrong", "Missing", "expect", "QuestionResult", "Report", "GradeStatus",
           "report_to_json", "report_from_json"]
