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


def _limits_args(p: argparse.ArgumentParser, *, instructor: bool) -> None:
    from .kernel import DEFAULT_NOTEBOOK_TIMEOUT_S, DEFAULT_TIMEOUT_S, WALL_FACTOR
    p.add_argument("--timeout", default=str(DEFAULT_TIMEOUT_S), metavar="SECONDS",
                   help=f"CPU seconds each cell may use (default {DEFAULT_TIMEOUT_S:g}; CPU time, so a busy machine "
                        "costs nothing); a cell that sleeps or blocks is stopped after "
                        f"{WALL_FACTOR:g} times that of wall-clock time")
    p.add_argument("--notebook-timeout", default=str(DEFAULT_NOTEBOOK_TIMEOUT_S), metavar="SECONDS",
                   help=f"wall-clock seconds for the whole notebook, replays included (default "
                        f"{DEFAULT_NOTEBOOK_TIMEOUT_S:g})")
    if instructor:
        p.add_argument("--wall-timeout", default=None, metavar="SECONDS",
                       help=f"wall-clock seconds a cell may take (default {WALL_FACTOR:g} times --timeout)")
        p.add_argument("--memory", default="2GiB", help="memory (address space) of each kernel (default 2GiB)")
        p.add_argument("--processes", type=int, default=None,
                       help="processes and threads each kernel may have (default 256)")


def _size(text: str) -> int:
    """``"2GiB"``, ``"512M"``, ``"1073741824"`` -> bytes.

    >>> _size("2GiB"), _size("512M")
    (2147483648, 536870912)
    """
    import re
    m = re.fullmatch(r"\s*(\d+)\s*([KMGT]?)(i?B)?\s*", text or "", re.I)
    if not m:
        raise ValueError(f"--memory must be a size such as 2GiB or 512MiB, not {text!r}")
    return int(m.group(1)) * 1024 ** " KMGT".index(m.group(2).upper() or " ")


def main_check(argv: list[str]) -> int:
    """``labkit check NOTEBOOK``: grade one exercise notebook and print its score table."""
    p = _Parser(prog="labkit check",
                description="Run an exercise notebook in a fresh kernel and show its score table. The kernel runs "
                            "in the grader's sandbox when this machine has one (bubblewrap), else unsandboxed, "
                            "and the table says so. Exit code 0: every question passed; 1: not yet; 2: the notebook "
                            "could not be graded. In a learner release (labkit release) the notebook is run and "
                            "the instructor grades it.")
    p.add_argument("notebook", help="the exercise notebook, e.g. exercises/02_mscs_building_blocks.ipynb "
                                    "(or just the exercise name)")
    p.add_argument("--exercise", help="grade as this exercise (default: read it from the notebook)")
    _limits_args(p, instructor=False)
    args, code = _parse(p, argv)
    if args is None:
        return code
    from . import exercises
    from .grader import find_notebook, grade_notebook
    from .release import is_release, run_check
    from .sandbox import positive_seconds
    from .verdicts import GradeStatus
    try:
        timeout = positive_seconds("--timeout", args.timeout)
        notebook_timeout = positive_seconds("--notebook-timeout", args.notebook_timeout)
        if args.exercise is not None and not is_release():
            exercises.load(args.exercise)
        path = find_notebook(args.notebook)
    except LabkitError as e:
        return _fail(p.prog, e)
    name = args.exercise
    if name is None and not args.notebook.endswith(".ipynb") and args.notebook in exercises.names():
        name = args.notebook
    if is_release():
        report = run_check(path, name, timeout=timeout, notebook_timeout=notebook_timeout)
    else:
        report = grade_notebook(path, name, timeout=timeout, notebook_timeout=notebook_timeout, sandbox=None)
    if report.status not in (GradeStatus.GRADED, GradeStatus.RAN):
        print(f"{p.prog}: error: {report.error}", file=sys.stderr)
        return 2
    print(report.table())
    if report.status is GradeStatus.RAN:
        return 0 if not report.notes or all("NotImplementedError" in n or "without a sandbox" in n
                                            for n in report.notes) else 1
    return 0 if report.all_passed else 1


def main_grade(argv: list[str]) -> int:
    """``labkit grade SUBMISSIONS_DIR --out grades.csv``: grade a folder of notebooks."""
    from .grader import LAYOUT
    p = _Parser(prog="labkit grade",
                description="Grade every notebook in a folder of submissions (one per learner), in parallel, each "
                            "in a bubblewrap sandbox (read-only labkit, no network, its own processes, memory, "
                            "process and time limits). Writes a per-question CSV and a *_summary.csv, atomically, "
                            "once every kernel is gone. Exit code 0: every notebook got full marks; 1: some did "
                            "not (or could not be graded); 2: usage error, or no sandbox on this machine.",
                epilog="Which exercise: " + LAYOUT + ".")
    p.add_argument("submissions", help="folder holding the submitted .ipynb files")
    p.add_argument("--out", default="grades.csv", help="per-question CSV to write (default grades.csv)")
    p.add_argument("--jobs", type=int, default=None, help="notebooks graded at once (default: one per core)")
    p.add_argument("--exercise", help="grade every notebook as this exercise (default: from the folders)")
    _limits_args(p, instructor=True)
    p.add_argument("--unsafe-no-sandbox", action="store_true",
                   help="run learners' code without a sandbox (only for notebooks you trust)")
    args, code = _parse(p, argv)
    if args is None:
        return code
    if args.jobs is not None and args.jobs < 1:
        print(f"{p.prog}: error: --jobs must be a whole number of at least 1", file=sys.stderr)
        return 2
    from .grader import grade_dir
    from .sandbox import DEFAULT_PROCESSES, Limits, positive_seconds
    try:
        timeout = positive_seconds("--timeout", args.timeout)
        notebook_timeout = positive_seconds("--notebook-timeout", args.notebook_timeout)
        wall = None if args.wall_timeout is None else positive_seconds("--wall-timeout", args.wall_timeout)
        limits = Limits(memory=_size(args.memory), processes=args.processes or DEFAULT_PROCESSES)
        book = grade_dir(args.submissions, args.out, jobs=args.jobs, timeout=timeout, exercise=args.exercise,
                         wall_timeout=wall, notebook_timeout=notebook_timeout, limits=limits,
                         unsafe_no_sandbox=args.unsafe_no_sandbox)
    except (LabkitError, OSError, ValueError) as e:
        return _fail(p.prog, e)
    print(book.summary())
    return 0 if book.reports and all(r.all_passed for r in book.reports) else 1


def main_release(argv: list[str]) -> int:
    """``labkit release OUT``: write the learner release of this repository."""
    p = _Parser(prog="labkit release",
                description="Write the repository a graded class gets into the new folder OUT: notebooks, "
                            "exercises, labkit and docs, without solutions/, the exercises' checks "
                            "(labkit/grading/exercises/) and docs/instructor/. It installs and runs like the full "
                            "repository (make lab, make test); see labkit/grading/release.py for what ships.")
    p.add_argument("out", help="the folder to write (new, or empty)")
    p.add_argument("--git", action="store_true", help="also make it a git repository with one commit")
    args, code = _parse(p, argv)
    if args is None:
        return code
    from .release import write_release
    try:
        files = write_release(args.out)
        if args.git:
            import subprocess
            for cmd in (["init", "-q"], ["add", "-A"],
                        ["-c", "user.name=labkit release", "-c", "user.email=labkit@localhost",
                         "commit", "-q", "-m", "labkit learner release"]):
                subprocess.run(["git", "-C", args.out, *cmd], check=True, capture_output=True)
    except (LabkitError, OSError) as e:
        return _fail(p.prog, e)
    except Exception as e:  # git failed
        return _fail(p.prog, RuntimeError(f"git could not commit the release ({e})"))
    print(f"wrote the learner release to {args.out}: {len(files)} files (no solutions, no checks, "
          "no instructor guide)")
    return 0


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
