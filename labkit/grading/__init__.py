"""Graded exercises: one source for exercises and solutions, checks that cannot be
fooled, and graders for learners and instructors.

- ``solutions/NN_slug.ipynb`` are written by hand with answers between ``# BEGIN
  SOLUTION`` and ``# END SOLUTION``; :func:`make_exercises` generates
  ``exercises/NN_slug.ipynb`` from them.
- Each exercise's questions live in ``labkit/grading/exercises/NN_slug.py``: one
  function a question, reading the learner's variables (see :mod:`labkit.grading.api`).
- :func:`check` (a learner, from the notebook) and :func:`grade_dir` (an instructor,
  a folder of submissions) run notebooks in a fresh kernel with a time limit per
  cell, take the answers out as plain data, rebuild clusters (Exchange 2000 included)
  and planning objects with the grader's own labkit, and compute every expected value
  here -- never in the learner's kernel.
- Every learner notebook runs in a bubblewrap sandbox (:mod:`labkit.grading.sandbox`) with
  limits on memory, processes and time; CPU time, not wall time, limits a cell.
- :func:`write_release` writes the learner release a graded class gets: no solutions, no
  checks (:mod:`labkit.grading.release`).
- ``labkit check``, ``labkit grade``, ``labkit make-exercises`` and ``labkit release`` are
  :func:`main_check`, :func:`main_grade`, :func:`main_make_exercises` and :func:`main_release`.

>>> from labkit import grading
>>> grading.exercise("03_inside_the_cluster_service").title
'Inside the cluster service'
"""
from .api import Exercise
from .commands import main_check, main_grade, main_make_exercises, main_release
from .exercises import load as exercise
from .exercises import names as exercise_names
from .generate import make_exercises, strip_solution
from .grader import GradeBook, check, exercise_of, grade_dir, grade_notebook, identify, preload, this_notebook
from .notebook import NotebookError, SandboxUnavailable, read_notebook
from .rebuild import rebuild_cluster
from .release import is_release, write_release
from .sandbox import Limits
from .verdicts import QuestionResult, Report, Wrong, expect

__all__ = [
    "Exercise", "QuestionResult", "Report", "Wrong", "expect", "check", "grade_notebook", "grade_dir",
    "GradeBook", "NotebookError", "identify", "read_notebook", "make_exercises", "strip_solution",
    "rebuild_cluster", "exercise", "exercise_names", "main_check", "main_grade", "main_make_exercises",
    "main_release", "SandboxUnavailable", "exercise_of", "preload", "this_notebook", "is_release", "write_release",
    "Limits",
]
