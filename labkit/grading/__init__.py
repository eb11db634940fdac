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
- ``labkit check``, ``labkit grade`` and ``labkit make-exercises`` are
  :func:`main_check`, :func:`main_grade` and :func:`main_make_exercises`.

>>> from labkit import grading
>>> grading.exercise("03_inside_the_cluster_service").title
'Inside the cluster service'
"""
from .api import Exercise, QuestionResult, Report, Wrong, expect
from .commands import main_check, main_grade, main_make_exercises
from .exercises import load as exercise
from .exercises import names as exercise_names
from .generate import make_exercises, strip_solution
from .grader import GradeBook, NotebookError, check, grade_dir, grade_notebook, identify, read_notebook
from .rebuild import rebuild_cluster

__all__ = [
    "Exercise", "QuestionResult", "Report", "Wrong", "expect", "check", "grade_notebook", "grade_dir",
    "GradeBook", "NotebookError", "identify", "read_notebook", "make_exercises", "strip_solution",
    "rebuild_cluster", "exercise", "exercise_names", "main_check", "main_grade", "main_make_exercises",
]
