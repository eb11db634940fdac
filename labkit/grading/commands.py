"""The ``labkit check``, ``labkit grade`` and ``labkit make-exercises`` commands.

Each takes its arguments as a list and returns the exit code: 0 all good, 1 not
all passed (or exercises out of date), 2 a usage error, which is printed as one
line on stderr.

>>> main_make_exercises(["--no-such-option"])
2
"""
from __future__ import annotations

import argparse
import sys

from ..errors import LabkitError


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one clear line instead of usage + message
        raise _UsageError(message)


def _parse(parser: argparse.ArgumentParser, argv):
    """Parse, turning --help into exit 0 and every mistake into exit 2."""
    try:
        return parser.parse_args(list(argv)), None
    except _UsageError as e:
        print(f"{parser.prog}: error: {e} (see {parser.prog} --help)", file=sys.stderr)
        return None, 2
    except SystemExit as e:  # --help printed its text
        return None, int(e.code or 0)


def _fail(prog: str, e: Exception) -> int:
    msg = getattr(e, "detail", None) or str(e)
    print(f"{prog}: error: {msg}", file=sys.stderr)
    return 2


def main_check(argv: list[str]) -> int:
    """``labkit check NOTEBOOK``: grade one exercise notebook and print its score table."""
    p = _Parser(prog="labkit check",
                description="Run an exercise notebook in a fresh kernel and show its score table. "
                            "Exit code 0: every question passed; 1: not yet; 2: the notebook could "
                            "not be graded.")
    p.add_argument("notebook", help="the exercise notebook, e.g. exercises/02_mscs_building_blocks.ipynb "
                                    "(or just the exercise name)")
    p.add_argument("--exercise", help="grade as this exercise (default: read it from the notebook)")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds each cell may run (default 60)")
    args, code = _parse(p, argv)
    if args is None:
        return code
    if args.timeout <= 0:
        print(f"{p.prog}: error: --timeout must be positive", file=sys.stderr)
        return 2
    from . import exercises
    from .grader import find_notebook, grade_notebook
    try:
        if args.exercise is not None:
            exercises.load(args.exercise)
        path = find_notebook(args.notebook)
    except LabkitError as e:
        return _fail(p.prog, e)
    name = args.exercise
    if name is None and not args.notebook.endswith(".ipynb") and args.notebook in exercises.names():
        name = args.notebook
    report = grade_notebook(path, name, timeout=args.timeout)
    if report.status != "graded":
        print(f"{p.prog}: error: {report.error}", file=sys.stderr)
        return 2
    print(report.table())
    return 0 if report.all_passed else 1


def main_grade(argv: list[str]) -> int:
    """``labkit grade SUBMISSIONS_DIR --out grades.csv``: grade a folder of notebooks."""
    p = _Parser(prog="labkit grade",
                description="Grade every notebook in a folder of submissions (one per learner, any file "
                            "names), in parallel. Writes a per-question CSV and a *_summary.csv. Exit "
                            "code 0: every notebook got full marks; 1: some did not (or could not be "
                            "graded); 2: usage error.")
    p.add_argument("submissions", help="folder holding the submitted .ipynb files")
    p.add_argument("--out", default="grades.csv", help="per-question CSV to write (default grades.csv)")
    p.add_argument("--jobs", type=int, default=None, help="notebooks graded at once (default: one per core)")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds each cell may run (default 60)")
    p.add_argument("--exercise", help="grade every notebook as this exercise (default: read from each)")
    args, code = _parse(p, argv)
    if args is None:
        return code
    if args.timeout <= 0 or (args.jobs is not None and args.jobs < 1):
        print(f"{p.prog}: error: --timeout and --jobs must be positive", file=sys.stderr)
        return 2
    from .grader import grade_dir
    try:
        book = grade_dir(args.submissions, args.out, jobs=args.jobs, timeout=args.timeout,
                         exercise=args.exercise)
    except (LabkitError, OSError) as e:
        return _fail(p.prog, e)
    print(book.summary())
    return 0 if book.reports and all(r.all_passed for r in book.reports) else 1


def main_make_exercises(argv: list[str]) -> int:
    """``labkit make-exercises [ROOT]``: regenerate exercises/ from solutions/."""
    p = _Parser(prog="labkit make-exercises",
                description="Generate exercises/NN_slug.ipynb from solutions/NN_slug.ipynb (answers between "
                            "# BEGIN SOLUTION and # END SOLUTION are replaced). With --check, write nothing "
                            "and exit 1 if exercises/ is out of date.")
    p.add_argument("root", nargs="?", default=".", help="the folder holding solutions/ (default: here)")
    p.add_argument("--check", action="store_true", help="only report exercises that are out of date")
    args, code = _parse(p, argv)
    if args is None:
        return code
    from .generate import make_exercises
    try:
        changed = make_exercises(args.root, check=args.check)
    except (LabkitError, OSError, ValueError) as e:
        return _fail(p.prog, e)
    for path in changed:
        print(("out of date: " if args.check else "wrote: ") + str(path))
    if args.check and changed:
        print(f"run `labkit make-exercises {args.root}` to regenerate", file=sys.stderr)
        return 1
    if not changed:
        print("exercises are up to date")
    return 0
