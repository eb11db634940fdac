"""``labkit release``: the repository a graded class gets has no answers, and still runs.

"Solution text" is every line of a solution's answer (between BEGIN/END SOLUTION, and
every line of a cell tagged ``solution``) that appears nowhere in the full repository
outside ``solutions/``, the checks, ``docs/instructor/`` and the tests: the release must
hold none of them, in any file."""
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from labkit.grading import generate, release

ROOT = Path(__file__).resolve().parents[1]
SECRET_PLACES = ("solutions/", "labkit/grading/exercises/", "docs/instructor/", "tests/")


@pytest.fixture(scope="module")
def rel(tmp_path_factory):
    out = tmp_path_factory.mktemp("release") / "labkit-release"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    r = subprocess.run([sys.executable, "-c", "import sys, labkit.cli; sys.exit(labkit.cli.main())", "release",
                        str(out), "--git"], cwd=ROOT, env=env,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "wrote the learner release" in r.stdout
    return out


def _answer_lines() -> set[str]:
    lines = set()
    for sol in sorted((ROOT / "solutions").glob("*.ipynb")):
        nb = nbformat.read(sol, as_version=4)
        for cell in nb.cells:
            tagged = generate.SOLUTION_TAG in cell.get("metadata", {}).get("tags", [])
            inside = False
            for line in cell.source.splitlines():
                if generate.BEGIN.match(line) or generate.MD_BEGIN.match(line):
                    inside = True
                elif generate.END.match(line) or generate.MD_END.match(line):
                    inside = False
                elif (inside or tagged) and len(line.strip()) >= 12 and not line.strip().startswith("#"):
                    lines.add(line.strip())
    return lines


def _public_text() -> str:
    files = release._files(ROOT)
    return "\n".join((ROOT / f).read_text(encoding="utf-8", errors="replace") for f in files
                     if not f.startswith(SECRET_PLACES) and f.endswith((".py", ".ipynb", ".md", ".yaml", ".txt")))


def test_the_release_has_no_solution_text(rel):
    public = _public_text()
    secret = {ln for ln in _answer_lines() if ln not in public and json.dumps(ln)[1:-1] not in public}
    assert len(secret) > 100                  # the test has something to look for
    found = []
    for p in rel.rglob("*"):
        if p.is_file() and ".git" not in p.relative_to(rel).parts:
            text = p.read_text(encoding="utf-8", errors="replace")
            found += [(str(p.relative_to(rel)), ln) for ln in secret if ln in text or json.dumps(ln)[1:-1] in text]
    assert not found, found[:10]


def test_the_release_has_no_solutions_checks_or_instructor_guide(rel):
    assert not (rel / "solutions").exists()
    # of the instructor guide, only the troubleshooting page (learners need it too)
    assert [p.relative_to(rel).as_posix() for p in (rel / "docs" / "instructor").rglob("*")] == \
        ["docs/instructor/troubleshooting.md"]
    assert sorted(p.name for p in (rel / "labkit/grading/exercises").iterdir()) == ["LEARNER_RELEASE", "__init__.py"]
    assert not list(rel.rglob("test_grading_*")) and not (rel / ".venv").exists()
    assert sorted(p.name for p in (rel / "exercises").glob("*.ipynb")) == \
        sorted(p.name for p in (ROOT / "exercises").glob("*.ipynb"))
    assert (rel / "notebooks" / "00_start_here.ipynb").is_file() and (rel / "Makefile").is_file()
    assert (rel / "LEARNER_RELEASE.md").is_file() and (rel / "scripts" / "setup.sh").is_file()
    log = subprocess.run(["git", "-C", str(rel), "log", "--oneline"], capture_output=True, text=True).stdout
    assert "labkit learner release" in log            # git-ready: one commit, nothing left out
    assert subprocess.run(["git", "-C", str(rel), "status", "--porcelain"], capture_output=True,
                          text=True).stdout == ""


def test_the_releases_exercises_run_to_the_end_and_self_check_says_the_instructor_grades(rel):
    """Run each exercise with the release's own labkit (``labkit check`` there): every cell runs;
    the only ones that raise are those still asking for an answer."""
    env = {k: v for k, v in os.environ.items() if k != "LABKIT_GRADING"}
    env["PYTHONPATH"] = str(rel)
    code = ("import json, sys, labkit, labkit.grading as g\n"
            "from concurrent.futures import ThreadPoolExecutor\n"
            "assert labkit.__file__.startswith(sys.argv[1]), labkit.__file__\n"
            "assert g.is_release() and g.exercise_names() == []\n"
            "with ThreadPoolExecutor(2) as pool:\n"
            "    for r in pool.map(g.check, sys.argv[2:]):\n"
            "        print(json.dumps({'status': r.status, 'notes': r.notes, 'table': r.table()}))\n")
    paths = [str(p) for p in sorted((rel / "exercises").glob("*.ipynb"))]
    r = subprocess.run([sys.executable, "-c", code, str(rel), *paths], cwd=rel, env=env, capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    rows = [json.loads(ln) for ln in r.stdout.splitlines() if ln.startswith("{")]
    assert len(rows) == len(paths) == 10
    for row in rows:
        assert row["status"] == "ran", row
        assert "your instructor grades this exercise" in row["table"] and "points" not in row["table"], row
        # every cell ran; those that raise still ask for an answer (or use one not given yet)
        assert not [n for n in row["notes"] if "NotImplementedError" not in n and "NameError" not in n], row
        assert any("NotImplementedError" in n for n in row["notes"]), row


def test_release_refuses_a_folder_in_use_in_one_line(tmp_path, capsys):
    from labkit.grading import main_release
    (tmp_path / "x").write_text("mine")
    assert main_release([str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "exists and is not an empty folder" in err
    assert (tmp_path / "x").read_text() == "mine"


def test_the_releases_pages_link_only_to_what_it_holds(rel):
    """docs/index.md and README.md link the instructor guide: in a release those links are
    plain text, and the site's table of contents names only files the release holds."""
    import re

    import yaml
    bad = []
    for page in [*rel.rglob("*.md")]:
        for target in re.findall(r"\[[^\]]*\]\(([^)\s#]+)", page.read_text(encoding="utf-8")):
            if not re.match(r"^[a-z]+:", target) and not (page.parent / target).exists():
                bad.append(f"{page.relative_to(rel)}: {target}")
    assert not bad, bad
    index = (rel / "docs" / "index.md").read_text(encoding="utf-8")
    assert "the instructor guide has a" in index and "(instructor/index.md)" not in index

    def files(entries):
        for e in entries:
            if "file" in e:
                yield e["file"]
            yield from files(e.get("children", []))
    toc = list(files(yaml.safe_load((rel / "myst.yml").read_text(encoding="utf-8"))["project"]["toc"]))
    assert "docs/instructor/troubleshooting.md" in toc and "exercises/11_capstone.ipynb" in toc
    assert [f for f in toc if not (rel / f).is_file()] == []
