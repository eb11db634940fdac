"""Grade notebooks: one for a learner (:func:`check`), a folder for an instructor
(:func:`grade_dir`).

Grading a notebook runs it in a fresh kernel (:mod:`labkit.grading.kernel`), takes
out the answer variables as plain data, and runs the exercise's checks in *this*
process with this process's labkit -- never a function or object from the learner's
kernel. What the notebook printed, wrote to disk or did to labkit inside its own
kernel plays no part.
"""
from __future__ import annotations

import csv
import json
import os
import queue
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import LabkitError, NotFoundError, ValidationError
from . import exercises
from .api import Report

#: Largest notebook file graded (bytes).
MAX_NOTEBOOK_BYTES = 20_000_000
DEFAULT_TIMEOUT_S = 60.0


class NotebookError(LabkitError):
    """A file is not a notebook the grader can read."""


def read_notebook(path):
    """Read a notebook file; a corrupt or foreign file raises :class:`NotebookError`."""
    import nbformat
    p = Path(path)
    try:
        if p.stat().st_size > MAX_NOTEBOOK_BYTES:
            raise NotebookError(f"{p.name} is larger than {MAX_NOTEBOOK_BYTES // 1_000_000} MB")
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise NotebookError(f"{p.name} is not a text file (not UTF-8)") from None
    except OSError as e:
        raise NotebookError(f"cannot read {p}: {e.strerror or e}") from None
    try:
        nb = nbformat.reads(text, as_version=4)
    except Exception as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise NotebookError(f"{p.name} is not a readable notebook ({first[:200]})") from None
    cells = nb.get("cells")
    if not isinstance(nb.get("metadata", {}), dict) or not isinstance(cells, list) or not all(isinstance(c, dict) and isinstance(c.get("source"), str)
                                              and c.get("cell_type") in ("code", "markdown", "raw")
                                              for c in cells):
        raise NotebookError(f"{p.name} is not a readable notebook (its cells are damaged)")
    return nb


def identify(nb) -> str | None:
    """The exercise a notebook answers: its ``labkit.exercise`` metadata (written by
    :func:`~labkit.grading.make_exercises`), else an ``# Exercise NN`` heading, else the
    exercise whose answer variables its code cells set most."""
    known = exercises.names()
    meta = nb.get("metadata", {}).get("labkit", {})
    name = meta.get("exercise") if isinstance(meta, dict) else None
    if name in known:
        return name
    md = "\n".join(c["source"] for c in nb["cells"] if c["cell_type"] == "markdown")
    heads = set(re.findall(r"^#\s*Exercise\s+(\d\d)\b", md, re.M))
    by_number = [n for n in known if n[:2] in heads]
    if len(by_number) == 1:
        return by_number[0]
    code = "\n".join(c["source"] for c in nb["cells"] if c["cell_type"] == "code")
    scores = []
    for n in known:
        wanted = exercises.load(n).variables
        hit = sum(1 for v in wanted if _assigns(v).search(code))
        scores.append((hit / max(1, len(wanted)), n))
    scores.sort(reverse=True)
    if scores and scores[0][0] >= 0.5 and (len(scores) == 1 or scores[1][0] < scores[0][0]):
        return scores[0][1]
    return None


def _assigns(name: str) -> re.Pattern:
    n = re.escape(name)
    return re.compile(rf"^\s*(?:[\w.]+\s*,\s*)*{n}\s*(?:,\s*[\w.]+\s*)*(?::[^=\n]+)?=(?!=)"
                      rf"|^\s*for\s+[\w\s,]*\b{n}\b[\w\s,]*\s+in\s|\bas\s+{n}\b|^\s*def\s+{n}\b", re.M)


def _label(nb, i: int) -> str:
    """How to point a learner at cell ``i``: the heading above it, else its first line."""
    for c in reversed(nb["cells"][:i]):
        if c["cell_type"] == "markdown":
            head = next((ln.lstrip("#").strip() for ln in c["source"].splitlines() if ln.startswith("#")), None)
            if head:
                head = re.sub(r"\s*\([^)]*\)\s*$", "", head)
                return f"cell {i + 1}, under \"{head}\""
            break
    first = next((ln.strip() for ln in nb["cells"][i]["source"].splitlines()
                  if ln.strip() and not ln.strip().startswith("#")), "")
    return f"cell {i + 1} (`{first if len(first) <= 40 else first[:37] + '...'}`)"


def _why_missing(nb, run, name: str) -> str:
    code = [(i, c) for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"]
    pat = _assigns(name)
    setters = [i for i, c in code if pat.search(c["source"])]
    if not setters:  # no assignment left (e.g. it was the answer): the first cell that uses it
        setters = [i for i, c in code if re.search(rf"\b{re.escape(name)}\b", c["source"])][:1]
    o = run.cells.get(setters[-1]) if setters else None
    if not setters or (o is not None and o.error.startswith("NameError") and f"'{name}'" in o.error):
        return "no cell sets it (was its cell deleted?)"
    i = setters[-1]
    where = _label(nb, i)
    if o is None or o.status == "ok":
        return f"{where} ran, but `{name}` was not defined when the notebook finished"
    if o.status == "error":
        hint = "; replace `raise NotImplementedError()` with your answer" if o.error.startswith(
            "NotImplementedError") else ""
        return f"{where} raised {o.error}{hint}"
    if o.status == "timeout":
        return f"{where} {o.error} (an endless loop?)"
    return f"{where} {o.error}"


def grade_notebook(path, exercise: str | None = None, *, timeout: float = DEFAULT_TIMEOUT_S) -> Report:
    """Grade one notebook file. Never raises for a bad notebook: the report's
    ``status`` is "error" and ``error`` says what is wrong with the file."""
    from .kernel import run_notebook
    path = str(path)
    try:
        nb = read_notebook(path)
        name = exercise or identify(nb)
        if name is None:
            twin = next((n for n in exercises.names() if n[:2] == Path(path).name[:2]), None)
            raise NotebookError(f"{Path(path).name} does not look like any labkit exercise " + (
                f"(a teaching notebook? check its exercise instead: labkit check exercises/{twin}.ipynb)" if twin
                else f"({', '.join(exercises.names())})"))
        ex = exercises.load(name)
    except LabkitError as e:
        return Report(path=path, exercise=exercise, status="error", error=getattr(e, "detail", str(e)))
    except Exception as e:  # a notebook nbformat accepted but the grader cannot make sense of
        return Report(path=path, exercise=exercise, status="error",
                      error=f"{Path(path).name} is not a readable notebook ({type(e).__name__}: {e})")
    cells = [(i, c["source"]) for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code" and c["source"].strip()]
    try:
        run = run_notebook(cells, ex.variables, timeout=timeout)
    except Exception as e:  # the kernel could not start: the notebook is not to blame
        return Report(path=path, exercise=name, status="error",
                      error=f"the notebook could not be run ({type(e).__name__}: {e})")
    why = {v: _why_missing(nb, run, v) for v in ex.variables
           if run.answers.get(v, {}).get("kind", "missing") == "missing"}
    answers = {v: a for v, a in run.answers.items() if a.get("kind") != "missing"}
    notes = []
    for i, o in sorted(run.cells.items()):
        if o.status != "ok" and not o.error.startswith("NotImplementedError"):
            notes.append(f"{_label(nb, i)}: {o.error}")
    return ex.grade(answers, path=path, missing_why=why, notes=notes)


def find_notebook(exercise: str, start=None) -> Path:
    """Where a learner's notebook for ``exercise`` (a name or a path) is: the path itself,
    else ``NAME.ipynb`` in the working folder, ``exercises/`` below it or beside it."""
    p = Path(exercise)
    if p.suffix == ".ipynb":
        if p.is_file():
            return p
        raise NotFoundError(f"no notebook at {p}")
    here = Path(start) if start else Path()
    for base in (here, here / "exercises", here / ".." / "exercises"):
        cand = base / f"{exercise}.ipynb"
        if cand.is_file():
            return cand
    raise NotFoundError(f"cannot find {exercise}.ipynb here, in exercises/ or in ../exercises/")


def check(exercise: str, *, timeout: float = DEFAULT_TIMEOUT_S) -> Report:
    """Grade the *saved* notebook of ``exercise`` (save it first) and return its score
    table. Call it from the exercise's last cell, or run ``labkit check NOTEBOOK``.
    Inside the grader's own kernel it does nothing (no grading within grading)."""
    if os.environ.get("LABKIT_GRADING"):
        return Report(path="", exercise=exercise, status="skipped", error="check() does nothing while grading")
    path = find_notebook(exercise)
    name = None if Path(exercise).suffix == ".ipynb" else exercise
    if name is not None and name not in exercises.names():
        raise NotFoundError(f"no graded exercise named {name!r}; known: {', '.join(exercises.names())}")
    return grade_notebook(path, name, timeout=timeout)


# ------------------------------------------------------------------ instructors
@dataclass
class GradeBook:
    """The grades of a folder of submissions: one :class:`Report` a notebook."""

    reports: list[Report] = field(default_factory=list)
    out: str = ""
    summary_out: str = ""

    def summary(self) -> str:
        graded = [r for r in self.reports if r.status == "graded"]
        lines = [f"{len(self.reports)} notebooks: {len(graded)} graded, {len(self.reports) - len(graded)} not gradable"]
        width = max([4] + [len(r.path) for r in self.reports])
        for r in self.reports:
            if r.status == "graded":
                lines.append(f"  {r.path:<{width}}  {r.exercise:<32}  {_n(r.score):>3}/{_n(r.max_score)}")
            else:
                lines.append(f"  {r.path:<{width}}  NOT GRADED: {r.error}")
        if self.out:
            lines.append(f"per-question grades: {self.out}; summary: {self.summary_out}")
        return "\n".join(lines)

    __str__ = summary


def _n(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _preload() -> None:
    """Import every check (and what the checks use) before any learner code runs, so a
    notebook that rewrites files on disk cannot change the grader loaded afterwards."""
    import labkit.widgets.demo  # noqa: F401
    for name in exercises.names():
        exercises.load(name)


class _Worker:
    """A ``python -m labkit.grading.worker`` process, started on first use and again
    after a notebook kills it."""

    def __init__(self):
        self.proc = None

    def grade(self, path: Path, exercise: str | None, timeout: float) -> Report:
        from .worker import report_from_json
        if self.proc is None or self.proc.poll() is not None:
            from .kernel import same_labkit_env
            self.proc = subprocess.Popen([sys.executable, "-m", "labkit.grading.worker"], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, text=True, encoding="utf-8",
                                         env=same_labkit_env())
        request = json.dumps({"path": str(path), "exercise": exercise, "timeout": timeout})
        try:
            self.proc.stdin.write(request + "\n")
            self.proc.stdin.flush()
            line = self.proc.stdout.readline()
            report = report_from_json(line)
        except (OSError, ValueError, TypeError, KeyError):
            self.close()
            return Report(path=str(path), exercise=exercise, status="error",
                          error="running this notebook stopped the grader's process")
        report.path = str(path)
        return report

    def close(self) -> None:
        if self.proc is None:
            return
        proc, self.proc = self.proc, None
        try:
            proc.stdin.close()
            proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait()


def grade_dir(submissions, out="grades.csv", *, jobs: int | None = None, timeout: float = DEFAULT_TIMEOUT_S,
              exercise: str | None = None) -> GradeBook:
    """Grade every ``*.ipynb`` under ``submissions`` (one per learner, any names), in
    parallel over the cores -- ``jobs`` worker processes (default: one a core), each
    running one notebook's kernel at a time -- and write ``out`` (one row per notebook and question)
    and ``<out stem>_summary.csv`` (one row per notebook). A corrupt or foreign
    notebook gets a row saying why, and grading carries on. ``exercise`` forces the
    exercise instead of reading it from each notebook."""
    root = Path(submissions)
    if not root.is_dir():
        raise NotFoundError(f"{root} is not a folder of submissions")
    if exercise is not None and exercise not in exercises.names():
        raise NotFoundError(f"no graded exercise named {exercise!r}; known: {', '.join(exercises.names())}")
    if jobs is not None and (not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 1):
        raise ValidationError(f"jobs must be a whole number >= 1, not {jobs!r}")
    files = sorted(p for p in root.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    jobs = max(1, min(jobs or cpus, len(files) or 1))
    reports: dict[Path, Report] = {}
    workers: queue.SimpleQueue = queue.SimpleQueue()
    pool = [_Worker() for _ in range(jobs)]
    for w in pool:
        workers.put(w)

    def one(p: Path) -> Report:
        w = workers.get()
        try:
            return w.grade(p, exercise, timeout)
        finally:
            workers.put(w)
    try:
        with ThreadPoolExecutor(max_workers=jobs) as threads:
            for p, report in zip(files, threads.map(one, files)):
                reports[p] = report
    finally:
        for w in pool:
            w.close()
    book = GradeBook()
    for p in files:
        r = reports[p]
        r.path = str(p.relative_to(root))
        book.reports.append(r)
    if out is not None:
        out = Path(out)
        summary = out.with_name(out.stem + "_summary" + (out.suffix or ".csv"))
        write_csv(book, out, summary)
        book.out, book.summary_out = str(out), str(summary)
    return book


def write_csv(book: GradeBook, out: Path, summary: Path) -> None:
    """Write the per-question and the per-notebook CSV files."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["file", "exercise", "status", "question", "points", "max_points", "passed", "message"])
        for r in book.reports:
            if r.status != "graded":
                w.writerow([r.path, r.exercise or "", r.status, "", 0, "", "", r.error])
                continue
            for q in r.results:
                w.writerow([r.path, r.exercise, r.status, q.name, _n(q.points), _n(q.max_points),
                            "yes" if q.passed else "no", q.message])
    with open(summary, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["file", "exercise", "status", "score", "max_score", "percent", "note"])
        for r in book.reports:
            if r.status != "graded":
                w.writerow([r.path, r.exercise or "", r.status, 0, "", "", r.error])
            else:
                pct = f"{100 * r.score / r.max_score:.0f}" if r.max_score else ""
                w.writerow([r.path, r.exercise, r.status, _n(r.score), _n(r.max_score), pct, "; ".join(r.notes)])
