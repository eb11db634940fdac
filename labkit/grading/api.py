"""How exercises define their questions, and what grading one notebook gives back.

An exercise is a module with an :class:`Exercise` and one function a question. A
question function names the learner's variables it needs as its parameters; the
annotation says what each one must be. The grader hands it values it built itself
from the learner's plain data -- a ``labkit.Cluster`` parameter receives a cluster
*rebuilt by the grader* from the learner's ``to_dict()`` -- and the function
raises :class:`Wrong` with a helpful message, or returns (passed).

>>> ex = Exercise("99_demo", "A demo")
>>> @ex.question(points=2)
... def double(x: int, y: int):
...     "Make y twice x."
...     expect(y == 2 * x, f"y is {y}; it should be twice x")
>>> [r.points for r in ex.grade_values({"x": 2, "y": 4}).results]
[2]
>>> print(ex.grade_values({"x": 2, "y": 5}).results[0].message)
y is 5; it should be twice x
"""
from __future__ import annotations

import inspect
import math
import typing
from dataclasses import dataclass

from ..errors import LabkitError
# expect and Wrong are also what exercise modules import from here (``from labkit.grading.api import Exercise,
# expect``); the verdicts live in labkit.grading.verdicts
from .verdicts import Missing, QuestionResult, Report, Wrong, expect, num as _num  # noqa: F401


@dataclass
class Question:
    """A graded question: ``check`` is the function, ``params`` the learner variables it
    reads with their expected kinds (see :mod:`labkit.grading.answers`)."""

    name: str
    title: str
    points: float
    check: typing.Callable
    params: dict[str, object]

    def grade(self, answers: dict, missing_why: dict | None = None) -> QuestionResult:
        """Run the check on the learner's ``answers`` (plain data by variable name).
        Never raises: whatever goes wrong costs this question only."""
        from .answers import convert  # late: answers imports the core
        kwargs = {}
        try:
            for pname, kind in self.params.items():
                if pname not in answers:
                    why = (missing_why or {}).get(pname)
                    raise Missing(f"`{pname}` is not defined" + (f": {why}" if why else
                                  "; run the cell that sets it (or put it back if it was deleted)"))
                kwargs[pname] = convert(pname, answers[pname], kind)
            out = self.check(**kwargs)
        except Wrong as e:
            return QuestionResult(self.name, self.title, 0, self.points, False, str(e))
        except LabkitError as e:
            return QuestionResult(self.name, self.title, 0, self.points, False,
                                  f"labkit refused a step of the check on your answer: {e}")
        except RecursionError:
            return QuestionResult(self.name, self.title, 0, self.points, False,
                                  "your answer is nested too deeply to read")
        except Exception as e:  # a check must never take the grader down
            return QuestionResult(self.name, self.title, 0, self.points, False,
                                  f"the check could not use your answer ({type(e).__name__}: {e})")
        return QuestionResult(self.name, self.title, self.points, self.points, True,
                              out if isinstance(out, str) else "")


class Exercise:
    """The questions of one exercise notebook, ``NN_slug`` as in ``exercises/NN_slug.ipynb``."""

    def __init__(self, name: str, title: str):
        self.name = name
        self.title = title
        self.questions: list[Question] = []

    def question(self, points: float = 1):
        """Decorator: register a check function as the next question.

        The parameters are the learner's variable names; annotate them with
        ``labkit.Cluster``, ``str``, ``int``, ``float``, ``bool``, ``list[str]``,
        ``dict[str, str]``... The docstring's first line is the question's title."""
        if not isinstance(points, (int, float)) or isinstance(points, bool) or not math.isfinite(points) \
                or points <= 0:
            raise ValueError(f"points must be a positive number, not {points!r}")

        def register(fn):
            sig = inspect.signature(fn, eval_str=True)
            params = {}
            for p in sig.parameters.values():
                if p.annotation is inspect.Parameter.empty:
                    raise TypeError(f"question {fn.__name__}: annotate parameter {p.name!r} with its kind")
                params[p.name] = p.annotation
            title = (inspect.getdoc(fn) or fn.__name__).splitlines()[0]
            if any(q.name == fn.__name__ for q in self.questions):
                raise ValueError(f"question {fn.__name__!r} is defined twice in {self.name}")
            self.questions.append(Question(fn.__name__, title, points, fn, params))
            return fn
        return register

    @property
    def variables(self) -> list[str]:
        """Every learner variable some question reads, in question order."""
        out: list[str] = []
        for q in self.questions:
            out.extend(p for p in q.params if p not in out)
        return out

    @property
    def max_score(self) -> float:
        return sum(q.points for q in self.questions)

    def grade(self, answers: dict, *, path: str = "", missing_why: dict | None = None,
              notes: list[str] | None = None) -> Report:
        """Grade plain-data ``answers`` (variable name -> JSON value) question by question."""
        results = [q.grade(answers, missing_why) for q in self.questions]
        return Report(path=path, exercise=self.name, results=results, notes=list(notes or []))

    def grade_values(self, values: dict, *, path: str = "") -> Report:
        """Grade Python values as if a notebook had set them (they go through the same
        plain-data conversion; clusters are rebuilt). For tests and for trying checks."""
        from .answers import encode
        return self.grade({k: encode(v) for k, v in values.items()}, path=path)

    def __repr__(self) -> str:
        return f"<Exercise {self.name}: {len(self.questions)} questions, {_num(self.max_score)} points>"
