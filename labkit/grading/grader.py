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
import secrets
import select
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import LabkitError, NotFoundError, ValidationError
from . import exercises
from .kernel import DEFAULT_NOTEBOOK_TIMEOUT_S, DEFAULT_TIMEOUT_S, CellStatus
from .notebook import NotebookError, cell_label, read_notebook, sandbox_or_why
from .sandbox import Limits, positive_seconds
from .verdicts import GradeStatus, Report, report_from_json


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
    where = cell_label(nb, i)
    if o is None or o.status is CellStatus.OK:
        return f"{where} ran, but `{name}` was not defined when the notebook finished"
    if o.status is CellStatus.ERROR:
        hint = "; replace `raise NotImplementedError()` with your answer" if o.error.startswith(
            "NotImplementedError") else ""
        return f"{where} raised {o.error}{hint}"
    if o.status is CellStatus.TIMEOUT:
        return f"{where} {o.error} (an endless loop?)"
    return f"{where} {o.error}"


def _metadata_exercise(nb) -> str | None:
    meta = nb.get("metadata", {}).get("labkit", {})
    name = meta.get("exercise") if isinstance(meta, dict) else None
    return name if isinstance(name, str) else None


def grade_notebook(path, exercise: str | None = None, *, timeout: float = DEFAULT_TIMEOUT_S,
                   wall_timeout: float | None = None, notebook_timeout: float = DEFAULT_NOTEBOOK_TIMEOUT_S,
                   limits: Limits | None = None, sandbox: bool | None = True, said_by: str = "") -> Report:
    """Grade one notebook file as ``exercise`` (None: :func:`identify` it, for self-checks).

    The notebook runs in the sandbox (:mod:`labkit.grading.sandbox`; ``sandbox=None``: when
    one can be had here, ``False``: never). ``said_by`` tells where ``exercise`` came from
    ("--exercise", "the folder 05_storage_design/"): when the notebook's metadata names
    another exercise, the report notes it -- the metadata never decides. Never raises for
    a bad notebook: the report's ``status`` is "error" and ``error`` says what is wrong."""
    from .kernel import run_notebook
    path = str(path)
    timeout = positive_seconds("timeout", timeout)
    notebook_timeout = positive_seconds("notebook timeout", notebook_timeout)
    if wall_timeout is not None:
        wall_timeout = positive_seconds("wall timeout", wall_timeout)
    sandboxed, unsafe_note = sandbox_or_why(sandbox)
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
        return Report(path=path, exercise=exercise, status=GradeStatus.ERROR, error=getattr(e, "detail", str(e)))
    except Exception as e:  # a notebook nbformat accepted but the grader cannot make sense of
        return Report(path=path, exercise=exercise, status=GradeStatus.ERROR,
                      error=f"{Path(path).name} is not a readable notebook ({type(e).__name__}: {e})")
    cells = [(i, c["source"]) for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code" and c["source"].strip()]
    try:
        run = run_notebook(cells, ex.variables, timeout=timeout, wall_timeout=wall_timeout,
                           notebook_timeout=notebook_timeout, limits=limits, sandboxed=sandboxed)
    except Exception as e:  # the kernel could not start: the notebook is not to blame
        return Report(path=path, exercise=name, status=GradeStatus.ERROR,
                      error=f"the notebook could not be run ({type(e).__name__}: {e})")
    why = {v: _why_missing(nb, run, v) for v in ex.variables
           if run.answers.get(v, {}).get("kind", "missing") == "missing"}
    answers = {v: a for v, a in run.answers.items() if a.get("kind") != "missing"}
    notes = []
    if exercise:
        meta = _metadata_exercise(nb)
        guess = meta if meta in exercises.names() else identify(nb)
        if guess and guess != exercise:
            notes.append(f"the notebook's {'metadata says' if guess == meta else 'content looks like'} {guess}; "
                         f"graded as {exercise} as {said_by or 'the grader was told'}")
    if unsafe_note:
        notes.append(unsafe_note)
    for i, o in sorted(run.cells.items()):
        if o.status is not CellStatus.OK and not o.error.startswith("NotImplementedError"):
            notes.append(f"{cell_label(nb, i)}: {o.error}")
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


def this_notebook() -> Path | None:
    """The notebook file the calling kernel runs, when the front end says: JupyterLab and
    Notebook 7 put its path in ``JPY_SESSION_NAME`` (relative to the server's root, so it
    is also tried from the working folder, which is the notebook's own), IPython names it
    ``__session__``, VS Code ``__vsc_ipynb_file__``. None when none of them says."""
    hints = []
    try:
        from IPython import get_ipython
        ip = get_ipython()
    except ImportError:  # pragma: no cover - IPython comes with Jupyter
        ip = None
    ns = getattr(ip, "user_ns", None) or {}
    for key in ("__vsc_ipynb_file__", "__session__"):
        if isinstance(ns.get(key), str):
            hints.append(ns[key])
    if os.environ.get("JPY_SESSION_NAME"):
        hints.append(os.environ["JPY_SESSION_NAME"])
    for hint in hints:
        p = Path(hint)
        if p.suffix != ".ipynb":
            continue
        for cand in (p, Path(p.name)):  # relative to the server root, else to this folder
            if cand.is_file():
                return cand
    return None


def check(exercise: str | None = None, *, timeout: float = DEFAULT_TIMEOUT_S,
          notebook_timeout: float = DEFAULT_NOTEBOOK_TIMEOUT_S) -> Report:
    """Grade the *saved* notebook (save it first) and return its score table.

    Called with no argument in a notebook, it grades the notebook it runs in, whatever its
    name or folder (see :func:`this_notebook`); ``exercise`` -- a name such as
    "05_storage_design" -- says which exercise to grade it as (default: the one the
    notebook says it is). Outside a notebook, or where the front end does not say which
    notebook runs, give the notebook's path, or a name to look for ``NAME.ipynb`` here
    and in ``exercises/``. Runs in the sandbox when this machine has one, else unsandboxed
    (the report says so). Inside the grader's own kernel it does nothing (no grading
    within grading). In a learner release the checks are not shipped: it runs the
    notebook and says that the instructor grades it (see :mod:`labkit.grading.release`)."""
    from .release import is_release, run_check
    if os.environ.get("LABKIT_GRADING"):
        return Report(path="", exercise=exercise, status=GradeStatus.SKIPPED,
                      error="check() does nothing while grading")
    name = None
    if exercise is not None and Path(exercise).suffix == ".ipynb":
        path = find_notebook(exercise)
    else:
        if exercise is not None and not is_release() and exercise not in exercises.names():
            raise NotFoundError(f"no graded exercise named {exercise!r}; known: {', '.join(exercises.names())}")
        name = exercise
        path = this_notebook()
        if path is None:
            if exercise is None:
                raise NotFoundError("check() cannot tell which notebook it runs in (this front end does not say: "
                                    "JPY_SESSION_NAME, __session__ and __vsc_ipynb_file__ are unset); call "
                                    "check(\"path/to/your_notebook.ipynb\") with your notebook's path, or run "
                                    "`labkit check NOTEBOOK` in a terminal")
            path = find_notebook(exercise)
    if is_release():
        return run_check(path, name, timeout=timeout, notebook_timeout=notebook_timeout)
    return grade_notebook(path, name, timeout=timeout, notebook_timeout=notebook_timeout, sandbox=None)


# ------------------------------------------------------------------ instructors
@dataclass
class GradeBook:
    """The grades of a folder of submissions: one :class:`Report` a notebook."""

    reports: list[Report] = field(default_factory=list)
    out: str = ""
    summary_out: str = ""

    def summary(self) -> str:
        graded = [r for r in self.reports if r.status is GradeStatus.GRADED]
        lines = [f"{len(self.reports)} notebooks: {len(graded)} graded, {len(self.reports) - len(graded)} not gradable"]
        width = max([4] + [len(r.path) for r in self.reports])
        for r in self.reports:
            if r.status is GradeStatus.GRADED:
                lines.append(f"  {r.path:<{width}}  {r.exercise:<32}  {_n(r.score):>3}/{_n(r.max_score)}")
            else:
                lines.append(f"  {r.path:<{width}}  NOT GRADED: {r.error}")
        if self.out:
            lines.append(f"per-question grades: {self.out}; summary: {self.summary_out}")
        return "\n".join(lines)

    __str__ = summary


def _n(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def preload() -> None:
    """Import every check (and what the checks use) before any learner code runs, so this
    process never imports grading code from disk after a kernel could have touched it
    (the sandbox keeps the disk read-only to kernels; this holds without one too)."""
    import labkit.scenarios  # noqa: F401
    for name in exercises.names():
        exercises.load(name)


def code_digest() -> str:
    """A digest of labkit's own source files: the grader checks that no notebook changed
    them while a class was graded (a sandboxed kernel cannot; an unsandboxed one could)."""
    import hashlib
    h = hashlib.sha256()
    base = Path(__file__).resolve().parents[1]
    for p in sorted(base.rglob("*.py")):
        h.update(str(p.relative_to(base)).encode() + b"\0")
        try:
            h.update(p.read_bytes())
        except OSError:
            h.update(b"?")
    return h.hexdigest()


@dataclass
class GradeOptions:
    """How each notebook of a class is run (see :func:`grade_dir`)."""

    timeout: float = DEFAULT_TIMEOUT_S
    wall_timeout: float | None = None
    notebook_timeout: float = DEFAULT_NOTEBOOK_TIMEOUT_S
    limits: Limits = field(default_factory=Limits)
    sandbox: bool = True


class _Worker:
    """A ``python -m labkit.grading.worker`` process, started on first use and again after
    a notebook kills it. It talks over two pipes of its own (not its standard streams) that
    no kernel inherits, and every reply carries this grader's secret and the request's
    number: a forged or shifted reply is refused."""

    def __init__(self, digest: str):
        self.proc = None
        self.digest = digest
        self.token = secrets.token_hex(32)
        self.n = 0

    def _start(self) -> None:
        from .kernel import same_labkit_env
        if code_digest() != self.digest:
            raise LabkitError("labkit's own files changed on disk while grading (did a notebook rewrite them?); "
                              "grading stopped and no grades were written")
        req_r, req_w = os.pipe()
        rep_r, rep_w = os.pipe()
        try:
            self.proc = subprocess.Popen([sys.executable, "-m", "labkit.grading.worker", str(req_r), str(rep_w)],
                                         pass_fds=(req_r, rep_w), stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL, env=same_labkit_env())
        finally:
            os.close(req_r)
            os.close(rep_w)
        self.requests = os.fdopen(req_w, "w", encoding="utf-8")
        self.replies = os.fdopen(rep_r, "r", encoding="utf-8")
        self.requests.write(json.dumps({"token": self.token}) + "\n")
        self.requests.flush()

    def grade(self, path: Path, exercise: str, said_by: str, opts: GradeOptions) -> Report:
        from dataclasses import asdict
        if self.proc is None or self.proc.poll() is not None:
            self.close()
            self._start()
        self.n += 1
        request = json.dumps({"id": self.n, "path": str(path), "exercise": exercise, "said_by": said_by,
                              "timeout": opts.timeout, "wall_timeout": opts.wall_timeout,
                              "notebook_timeout": opts.notebook_timeout, "limits": asdict(opts.limits),
                              "sandbox": opts.sandbox})
        try:
            self.requests.write(request + "\n")
            self.requests.flush()
            if not select.select([self.replies], [], [], self.patience(opts))[0]:
                self.close(kill=True)
                return Report(path=str(path), exercise=exercise, status=GradeStatus.ERROR,
                              error="grading this notebook took far longer than its time limits allow; "
                                    "its grading process was stopped")
            reply = json.loads(self.replies.readline())
            if reply.get("token") != self.token or reply.get("id") != self.n:
                self.close()
                return Report(path=str(path), exercise=exercise, status=GradeStatus.ERROR,
                              error="the grader's process gave a reply that is not its own (forged?); "
                                    "the notebook was not graded")
            report = report_from_json(json.dumps(reply["report"]))
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            self.close()
            return Report(path=str(path), exercise=exercise, status=GradeStatus.ERROR,
                          error="running this notebook stopped the grader's process")
        report.path = str(path)
        return report

    @staticmethod
    def patience(opts: GradeOptions) -> float:
        """How long a worker may take over one notebook before it is taken for hung: the
        notebook's time, reading its answers, and every kernel start-up it may need."""
        from .kernel import EXTRACT_TOTAL_S, MAX_KILLED, STARTUP_ATTEMPTS, STARTUP_TIMEOUT_S
        return opts.notebook_timeout + EXTRACT_TOTAL_S + (MAX_KILLED + 1) * STARTUP_ATTEMPTS * STARTUP_TIMEOUT_S

    def close(self, *, kill: bool = False) -> None:
        if self.proc is None:
            return
        proc, self.proc = self.proc, None
        if kill:
            proc.kill()
        for f in (self.requests, self.replies):
            try:
                f.close()
            except OSError:
                pass
        try:
            proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


#: How :func:`grade_dir` finds each notebook's exercise (shown by ``labkit grade --help``).
LAYOUT = ("the exercise of each notebook is the one --exercise names; else the nearest folder named like an "
          "exercise, from SUBMISSIONS itself down to the notebook's own (submissions/05_storage_design/alice.ipynb, "
          "or submissions/alice/05_storage_design/x.ipynb, or SUBMISSIONS = .../05_storage_design); else a file "
          "named exactly like one (submissions/alice/05_storage_design.ipynb). A notebook's metadata never "
          "decides: when it names another exercise the report says so")


def exercise_of(path: Path, root: Path, exercise: str | None = None) -> tuple[str | None, str]:
    """(exercise, who says so) for the submission ``path`` under ``root``, from what the
    instructor says (see :data:`LAYOUT`); (None, why) when nothing does.

    >>> exercise_of(Path("subs/05_storage_design/alice.ipynb"), Path("subs"))
    ('05_storage_design', 'the folder 05_storage_design/ says')
    >>> exercise_of(Path("subs/alice.ipynb"), Path("subs"))[0] is None
    True
    """
    if exercise is not None:
        return exercise, "--exercise says"
    known = set(exercises.names())
    rel = path.relative_to(root)
    folders = [Path(root).resolve().name, *rel.parts[:-1]]
    for folder in reversed(folders):
        if folder in known:
            return folder, f"the folder {folder}/ says"
    if path.stem in known:
        return path.stem, f"its file name {path.name} says"
    return None, (f"cannot tell which exercise {rel} is: put it in a folder named after its exercise "
                  f"(e.g. {root}/05_storage_design/) or pass --exercise")


def grade_dir(submissions, out="grades.csv", *, jobs: int | None = None, timeout: float = DEFAULT_TIMEOUT_S,
              exercise: str | None = None, wall_timeout: float | None = None,
              notebook_timeout: float = DEFAULT_NOTEBOOK_TIMEOUT_S, limits: Limits | None = None,
              unsafe_no_sandbox: bool = False) -> GradeBook:
    """Grade every ``*.ipynb`` under ``submissions`` (one per learner), in parallel over
    the cores -- ``jobs`` worker processes (default: one a core), each running one
    notebook's sandboxed kernel at a time -- and write ``out`` (one row per notebook and
    question) and ``<out stem>_summary.csv`` (one row per notebook), atomically and only
    once every kernel is gone. Which exercise a notebook is comes from ``exercise`` or the
    folders (see :data:`LAYOUT`). A corrupt or foreign notebook gets a row saying why, and
    grading carries on. Without a sandbox on this machine it raises
    :class:`SandboxUnavailable`, unless ``unsafe_no_sandbox``."""
    root = Path(submissions)
    if not root.is_dir():
        raise NotFoundError(f"{root} is not a folder of submissions")
    if exercise is not None and exercise not in exercises.names():
        raise NotFoundError(f"no graded exercise named {exercise!r}; known: {', '.join(exercises.names())}")
    if jobs is not None and (not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 1):
        raise ValidationError(f"jobs must be a whole number >= 1, not {jobs!r}")
    opts = GradeOptions(positive_seconds("timeout", timeout),
                        None if wall_timeout is None else positive_seconds("wall timeout", wall_timeout),
                        positive_seconds("notebook timeout", notebook_timeout), limits or Limits(),
                        not unsafe_no_sandbox)
    if opts.sandbox:
        sandbox_or_why(True)
    digest = code_digest()
    files = sorted(p for p in root.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    jobs = max(1, min(jobs or cpus, len(files) or 1))
    reports = _grade_in_workers(files, root, exercise, opts, digest, jobs)
    if code_digest() != digest:
        raise LabkitError("labkit's own files changed on disk while grading (did a notebook rewrite them?); "
                          "no grades were written")
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


def _grade_in_workers(files: list[Path], root: Path, exercise: str | None, opts: GradeOptions, digest: str,
                      jobs: int) -> dict[Path, Report]:
    """Each notebook's report, graded by ``jobs`` worker processes (one notebook each at a
    time); every worker is closed -- and so every kernel it ran is gone -- when this returns."""
    reports: dict[Path, Report] = {}
    workers: queue.SimpleQueue = queue.SimpleQueue()
    pool = [_Worker(digest) for _ in range(jobs)]
    for w in pool:
        workers.put(w)

    def one(p: Path) -> Report:
        name, said = exercise_of(p, root, exercise)
        if name is None:
            return Report(path=str(p), exercise=None, status=GradeStatus.ERROR, error=said)
        w = workers.get()
        try:
            return w.grade(p, name, said, opts)
        finally:
            workers.put(w)
    try:
        with ThreadPoolExecutor(max_workers=jobs) as threads:
            for p, report in zip(files, threads.map(one, files)):
                reports[p] = report
    finally:
        for w in pool:   # every worker (and so every kernel it ran) is gone before a grade is written
            w.close()
    return reports


def _atomic_csv(path: Path, header: list[str], rows) -> None:
    """Write a CSV file whole or not at all: a temporary file beside it, then os.replace."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(header)
            w.writerows(rows)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_csv(book: GradeBook, out: Path, summary: Path) -> None:
    """Write the per-question and the per-notebook CSV files (each atomically)."""
    rows = []
    for r in book.reports:
        if r.status is not GradeStatus.GRADED:
            rows.append([r.path, r.exercise or "", r.status, "", 0, "", "", r.error])
            continue
        for q in r.results:
            rows.append([r.path, r.exercise, r.status, q.name, _n(q.points), _n(q.max_points),
                         "yes" if q.passed else "no", q.message])
    srows = []
    for r in book.reports:
        if r.status is not GradeStatus.GRADED:
            srows.append([r.path, r.exercise or "", r.status, 0, "", "", r.error])
        else:
            pct = f"{100 * r.score / r.max_score:.0f}" if r.max_score else ""
            srows.append([r.path, r.exercise, r.status, _n(r.score), _n(r.max_score), pct, "; ".join(r.notes)])
    _atomic_csv(out, ["file", "exercise", "status", "question", "points", "max_points", "passed", "message"], rows)
    _atomic_csv(summary, ["file", "exercise", "status", "score", "max_score", "percent", "note"], srows)
