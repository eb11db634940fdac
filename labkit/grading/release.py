"""The learner release: the repository a graded class gets (``labkit release OUT``,
``make release``).

It holds the notebooks, the exercises, labkit and the docs, and installs and runs like
the full repository (``make lab``, ``make test``), but not what gives answers away:

- ``solutions/`` (the worked answers);
- ``labkit/grading/exercises/NN_slug.py`` (the checks, which compute the expected values):
  only the package's ``__init__.py`` and the marker file :data:`MARKER` are shipped, so
  a learner's kernel has no code that computes an expected answer;
- ``docs/instructor/`` (the instructor guide and the assessment answer key), but its
  troubleshooting page, which learners need too;
- the tests that grade notebooks or read ``solutions/`` or the instructor guide
  (``tests/test_grading_*``, ``test_clusterexe_grading.py``, ``test_cli.py``, the
  ``test_notebooks_*`` and ``test_course_*`` files, the site's test, and the module-graph test,
  whose picture is of the full repository's code): the release's
  ``make test`` runs the model's tests, nbval on ``notebooks/``, the browser, dashboard and
  hub tests. The site's table of contents (``myst.yml``) loses the instructor pages.

In a release :func:`~labkit.grading.check` and ``labkit check`` run the notebook (in the
sandbox when there is one) and say that the instructor grades it: they report which cells
raised, never an answer.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from ..errors import LabkitError, ValidationError
from .notebook import cell_label, read_notebook, sandbox_or_why
from .verdicts import GradeStatus, Report

#: In a release, this file sits in ``labkit/grading/exercises/``.
MARKER = "LEARNER_RELEASE"
#: Paths (relative to the repository) a release never holds: folders end with "/".
EXCLUDED = ("solutions/", "docs/instructor/", "labkit/grading/exercises/", ".git/", ".venv/")
KEPT = ("labkit/grading/exercises/__init__.py", "docs/instructor/troubleshooting.md")
EXCLUDED_TESTS = ("tests/test_grading_", "tests/test_cli.py", "tests/test_notebooks_", "tests/test_clusterexe_grading.py",
                  "tests/test_course_", "tests/test_site.py", "tests/test_architecture.py")
_JUNK = {"__pycache__", ".ipynb_checkpoints", ".pytest_cache", ".hypothesis", "node_modules", ".mypy_cache"}

NOTE = """# This is the learner release of labkit

It was written by `labkit release` from the full labkit repository for a graded class.
It has the notebooks, the exercises and labkit, and no answers: no `solutions/`, no
checks (`labkit/grading/exercises/` holds only its `__init__.py`) and no instructor guide.
`make lab` and `make test` work as in the full repository (the test suite here is the
model's tests and the notebooks; the grading tests stay with the full repository).

Learners: `labkit.grading.check()` (the last cell of each exercise) runs your saved
notebook and tells you which cells raise; your instructor grades the answers.

Instructors: grade with the full repository (`labkit grade SUBMISSIONS --out grades.csv`);
see `docs/workshops.md` there.
"""

CONFTEST_NOTE = '''

# learner release (labkit release): the exercises' checks are not shipped, so the grading
# package's doctests, which use them, are not collected here
collect_ignore_glob += ["labkit/grading/*"]
'''


def is_release() -> bool:
    """True in a learner release (see the module docstring)."""
    return (Path(__file__).resolve().parent / "exercises" / MARKER).is_file()


def _excluded(rel: str) -> bool:
    if rel in KEPT:
        return False
    if any(rel.startswith(x) for x in EXCLUDED + EXCLUDED_TESTS):
        return True
    return bool(_JUNK.intersection(rel.split("/")[:-1])) or rel.endswith((".pyc", ".pyo"))


def _files(root: Path) -> list[str]:
    """The repository's files: git's tracked and not-ignored ones where it is a git
    checkout, else every file but caches and environments."""
    if (root / ".git").exists() and shutil.which("git"):
        r = subprocess.run(["git", "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                           capture_output=True, text=True)
        if r.returncode == 0:
            return sorted({f for f in r.stdout.split("\0") if f and (root / f).is_file()})
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()
                  and not _JUNK.intersection(p.relative_to(root).parts) and ".git" not in p.parts
                  and ".venv" not in p.parts)


def write_release(out, root=None) -> list[str]:
    """Write the learner release of the repository ``root`` (default: this labkit's
    source checkout) into the new or empty folder ``out``; return the files written."""
    from ..cli import repo_root
    root = Path(root) if root is not None else repo_root()
    if root is None or not (root / "labkit").is_dir():
        raise LabkitError("labkit release needs the full labkit repository (a source checkout with solutions/)")
    if is_release() and root == Path(__file__).resolve().parents[2]:
        raise LabkitError("this is already a learner release; write a release from the full repository")
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ValidationError(f"{out} exists and is not an empty folder", rule="a release is written to a new folder")
    if out.resolve() == root.resolve() or root.resolve() in out.resolve().parents:
        raise ValidationError(f"{out} is inside the repository; write the release elsewhere",
                              rule="a release is written to a new folder")
    written = []
    try:
        for rel in _files(root):
            if _excluded(rel):
                continue
            dest = out / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / rel, dest)
            written.append(rel)
        (out / "labkit/grading/exercises").mkdir(parents=True, exist_ok=True)
        (out / "labkit/grading/exercises" / MARKER).write_text(
            "This labkit is a learner release: the exercises' checks are not here (see LEARNER_RELEASE.md).\n",
            encoding="utf-8")
        (out / "LEARNER_RELEASE.md").write_text(NOTE, encoding="utf-8")
        _strip_instructor_pages(out / "myst.yml")
        _unlink_missing(out, [rel for rel in written if rel.endswith(".md")])
        conftest = out / "conftest.py"
        if conftest.is_file():
            conftest.write_text(conftest.read_text(encoding="utf-8") + CONFTEST_NOTE, encoding="utf-8")
        written += [f"labkit/grading/exercises/{MARKER}", "LEARNER_RELEASE.md"]
    except OSError:
        shutil.rmtree(out, ignore_errors=True)
        raise
    return written


_LINK = re.compile(r"\[([^\]]*)\]\(([^)\s#]+)(#[^)\s]*)?\)")


def _unlink_missing(out: Path, pages: list[str]) -> None:
    """In the release's Markdown pages, a link to a page the release does not hold (the
    instructor guide) becomes its plain text, so no learner meets a broken link."""
    for rel in pages:
        page = out / rel

        def plain(m):
            target = m.group(2)
            if re.match(r"^[a-z]+:", target) or (page.parent / target).exists():
                return m.group(0)
            return m.group(1)

        text = page.read_text(encoding="utf-8")
        new = _LINK.sub(plain, text)
        if new != text:
            page.write_text(new, encoding="utf-8")


def _strip_instructor_pages(myst: Path) -> None:
    """Drop the pages a release does not hold from the site's table of contents (the
    instructor guide, but its troubleshooting page, which learners need too)."""
    import yaml

    if not myst.is_file():
        return
    root = myst.parent

    def keep(entries):
        out = []
        for e in entries:
            if "file" in e and not (root / e["file"]).is_file():
                continue
            if "children" in e:
                e = {**e, "children": keep(e["children"])}
                if not e["children"]:
                    continue
            out.append(e)
        return out

    text = myst.read_text(encoding="utf-8")
    config = yaml.safe_load(text)
    config["project"]["toc"] = keep(config["project"]["toc"])
    head = "".join(ln for ln in text.splitlines(keepends=True)[:5] if ln.startswith("#"))
    myst.write_text(head + "# (learner release: the instructor pages are not here)\n"
                    + yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")


def run_check(path, exercise: str | None = None, *, timeout: float = 60.0, notebook_timeout: float = 600.0) -> Report:
    """Self-check in a release: run the notebook and report which cells raised -- no
    answers (there are no checks here). ``status`` is "ran"."""
    from .kernel import CellStatus, run_notebook
    path = str(path)
    try:
        nb = read_notebook(path)
    except LabkitError as e:
        return Report(path=path, exercise=exercise, status=GradeStatus.ERROR, error=getattr(e, "detail", str(e)))
    meta = nb.get("metadata", {}).get("labkit", {})
    name = exercise or (meta.get("exercise") if isinstance(meta, dict) else None) or Path(path).stem
    sandboxed, note = sandbox_or_why(None)
    cells = [(i, c["source"]) for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code" and c["source"].strip()]
    try:
        run = run_notebook(cells, [], timeout=timeout, notebook_timeout=notebook_timeout, sandboxed=sandboxed)
    except Exception as e:
        return Report(path=path, exercise=name, status=GradeStatus.ERROR,
                      error=f"the notebook could not be run ({type(e).__name__}: {e})")
    bad = [f"{cell_label(nb, i)}: {o.error or o.status}" for i, o in sorted(run.cells.items())
           if o.status is not CellStatus.OK]
    todo = sum(1 for o in bad if "NotImplementedError" in o)
    text = (f"your instructor grades this exercise (this learner release of labkit has no checks, so it shows no "
            f"answers). Your saved notebook ran: {len(cells)} code cells, "
            + (f"{len(bad)} raised ({todo} still `raise NotImplementedError()`)" if bad else "none raised"))
    return Report(path=path, exercise=name, status=GradeStatus.RAN, error=text, notes=bad + ([note] if note else []))
