"""The grader's sandbox, attacked the way a hostile learner would.

Part 1 runs cells in a sandboxed kernel directly (``run_notebook``) and reads back what the
kernel could see and do. Part 2 grades a folder of cheat notebooks in ONE worker
(``jobs=1``), each cheat followed by an honest solution: every cheat scores what it
deserves and every honest learner after it exactly full marks.

Time limits here are CPU time, or generous wall-clock ceilings (tens of seconds) only for
cells that sleep: no cell of an honest notebook comes near them on a loaded machine."""
import csv
import json
import os
import sys
import time
import uuid
from pathlib import Path

import nbformat
import psutil
import pytest

from labkit import grading
from labkit.grading import grader, sandbox
from labkit.grading.kernel import run_notebook

ROOT = Path(__file__).resolve().parents[1]
SOL02 = "02_mscs_building_blocks"
pytestmark = pytest.mark.skipif(sandbox.unavailable() is not None, reason=f"no sandbox: {sandbox.unavailable()}")


def _run(*cells, variables=(), **kw):
    run = run_notebook(list(enumerate(cells)), list(variables), **{"timeout": 10, **kw})
    return run, {k: v.get("data") for k, v in run.answers.items()}


# ------------------------------------------------------------------ part 1: what the kernel sees
def test_the_kernel_inherits_no_descriptor_of_the_grader():
    run, a = _run("import os\nfds = {}\nfor f in os.listdir('/proc/self/fd'):\n"
                  "    try:\n        fds[f] = os.readlink(f'/proc/self/fd/{f}')\n    except OSError:\n        pass",
                  variables=["fds"])
    fds = a["fds"]
    assert fds["0"] == "/dev/null", fds
    # the rest are ipykernel's own: its ZeroMQ sockets, their event fds, and the pipes it puts on 1 and 2
    assert all(v.split(":")[0] in ("socket", "anon_inode", "pipe", "/dev/null") for v in fds.values()), fds
    mine = set()
    for f in os.listdir("/proc/self/fd"):
        try:
            mine.add(os.readlink(f"/proc/self/fd/{f}"))
        except OSError:
            pass
    assert not (set(fds.values()) - {"/dev/null", "anon_inode:[eventfd]", "anon_inode:[eventpoll]"}) & mine


def test_the_kernel_sees_a_read_only_labkit_without_checks_and_nothing_else():
    import socket
    listener = socket.create_server(("127.0.0.1", 0))     # the machine's loopback: out of the kernel's reach
    port = listener.getsockname()[1]
    run, a = _run(
        "import os, pathlib, labkit, labkit.grading.answers, labkit.grading.exercises as ex\n"
        "lab = pathlib.Path(labkit.__file__).parent\n"
        "seen = {'root': sorted(os.listdir('/')), 'repo': sorted(os.listdir(lab.parent)),\n"
        "        'exercises': sorted(os.listdir(ex.__path__[0])), 'names': ex.names(),\n"
        "        'checks': (lab / 'grading' / 'checks.py').read_text(), 'uid': os.getuid(), 'cwd': os.getcwd(),\n"
        "        'procs': sorted(p for p in os.listdir('/proc') if p.isdigit())}\n"
        "writes = {}\n"
        "for target in [lab / 'grading' / 'grader.py', lab / 'x.py', pathlib.Path(os.__file__), '/usr/x', '/etc/x']:\n"
        "    try:\n        open(target, 'a').close()\n        writes[str(target)] = 'written'\n"
        "    except OSError as e:\n        writes[str(target)] = type(e).__name__\n"
        "import socket\ntry:\n    socket.create_connection(('127.0.0.1', PORT), timeout=5)\n    net = 'connected'\n"
        "except OSError as e:\n    net = str(e)\ninterfaces = [n for _, n in socket.if_nameindex()]".replace(
            "PORT", str(port)),
        variables=["seen", "writes", "net", "interfaces"])
    assert run.cells[0].status == "ok", run.cells
    seen = a["seen"]
    assert seen["repo"] == [".venv", "labkit"] or "solutions" not in seen["repo"], seen["repo"]
    assert "solutions" not in seen["repo"] and "tests" not in seen["repo"]
    assert seen["exercises"] == ["__init__.py"] and seen["names"] == [] and seen["checks"] == ""
    assert seen["uid"] != 0 and seen["cwd"] == sandbox.WORKDIR
    # The system's directories, plus the top folder of wherever labkit and Python live (``/check`` on CI).
    own = {Path(p).resolve().parts[1] for p in (sandbox.__file__, sys.executable, sys.prefix)}
    assert set(seen["root"]) <= {"bin", "dev", "etc", "lib", "lib32", "lib64", "libx32", "proc", "root", "run",
                                 "sbin", "tmp", "usr", "work", "home", "opt", "srv"} | own, (seen["root"], own)
    assert len(seen["procs"]) <= 3                   # its own PID namespace: init, the kernel (and ps)
    assert all(v in ("ReadOnlyFileSystemError", "OSError", "PermissionError", "FileNotFoundError")
               for v in a["writes"].values()), a["writes"]
    listener.close()
    assert a["net"] != "connected" and a["interfaces"] == ["lo"], (a["net"], a["interfaces"])


def test_memory_processes_and_disk_have_limits():
    run, a = _run(
        "import os, resource\nlimits = [resource.getrlimit(resource.RLIMIT_AS)[0], "
        "resource.getrlimit(resource.RLIMIT_NPROC)[0]]",
        "hog = bytearray(3 * 2 ** 30)",
        "import time\nkids = []\nforks = 0\nwhile True:\n    try:\n        pid = os.fork()\n"
        "    except OSError:\n        break\n    if pid == 0:\n        time.sleep(60)\n        os._exit(0)\n"
        "    kids.append(pid)\nforks = len(kids)\nfor k in kids:\n    os.kill(k, 9)\n    os.waitpid(k, 0)",
        "disk = 0\ntry:\n    with open('/tmp/fill', 'wb') as f:\n        while True:\n"
        "            f.write(b'0' * 2 ** 20)\n            f.flush()\n            disk += 1\nexcept OSError as e:\n"
        "    disk_error = str(e)\nos.remove('/tmp/fill')",
        variables=["limits", "forks", "disk", "disk_error"])
    assert a["limits"] == [sandbox.DEFAULT_MEMORY_BYTES, sandbox.DEFAULT_PROCESSES]
    assert run.cells[1].status == "error" and run.cells[1].error == "reached the memory limit of 2 GiB (MemoryError)"
    assert 0 < a["forks"] < sandbox.DEFAULT_PROCESSES, a["forks"]
    assert a["disk"] <= sandbox.DEFAULT_DISK_BYTES // 2 ** 20 and "No space left" in a["disk_error"]


def test_cpu_time_limits_a_busy_cell_and_a_wall_ceiling_a_sleeping_one():
    # the busy loop's wall ceiling is far (10 min): however loaded the machine, CPU time stops it
    run, a = _run("while True:\n    pass", "done = True", variables=["done"], timeout=2, wall_timeout=600)
    assert run.cells[0].error == "used more than 2 s of CPU time and was interrupted"
    assert a["done"] is True
    run, a = _run("import time\ntime.sleep(3600)", "done = True", variables=["done"], timeout=2, wall_timeout=15)
    assert run.cells[0].error == "ran past 15 s (wall clock) without finishing and was interrupted"
    assert a["done"] is True


def test_the_notebook_has_a_total_time_limit_replays_included():
    cells = ["import time"] + ["time.sleep(6)"] * 6 + ["done = True"]
    run, a = _run(*cells, variables=["done"], timeout=10, wall_timeout=60, notebook_timeout=15)
    stopped = [o for o in run.cells.values() if "reached the notebook's time limit of 15 s" in o.error]
    assert len(stopped) == 1, run.cells
    assert run.cells[len(cells) - 1].status == "not run" and a["done"] is None


def test_nothing_outlives_the_sandbox():
    marker = uuid.uuid4().hex
    run, a = _run(f"import os, time\nos.environ['LABKIT_TEST_MARKER'] = {marker!r}\n"
                  "if os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n        time.sleep(3600)\n"
                  "    os._exit(0)\ntime.sleep(1)", "x = 1", variables=["x"])
    assert "left 1 process(es) running" in run.cells[0].error, run.cells
    assert a["x"] == 1
    assert not _marked(marker)


def _marked(marker: str) -> list:
    out = []
    for p in psutil.process_iter():
        try:
            if p.environ().get("LABKIT_TEST_MARKER") == marker:
                out.append(p)
        except psutil.Error:
            continue
    return out


# ------------------------------------------------------------------ part 2: cheats, graded in one worker
def _sol(name=SOL02):
    return nbformat.read(ROOT / "solutions" / f"{name}.ipynb", as_version=4)


def _ex(name=SOL02):
    return nbformat.read(ROOT / "exercises" / f"{name}.ipynb", as_version=4)


def _with(nb, source, *, after="import labkit as lk"):
    i = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code" and after in c.source)
    nb.cells.insert(i + 1, nbformat.v4.new_code_cell(source))
    return nb


FORGED = json.dumps({"id": 2, "token": "guess", "report": {
    "path": "x", "exercise": SOL02, "status": "graded", "error": "", "notes": [],
    "results": [{"name": "q", "title": "q", "points": 100, "max_points": 10, "passed": True, "message": ""}]}})


def _cheats(out: Path, marker: str) -> dict[str, tuple]:
    """name -> (notebook, exercise, the points it deserves: None for the solution's full marks)."""
    return {
        # inherited descriptors: write a forged "all passed" report into every descriptor there is
        "fds": (_with(_ex(), "import os, glob\nline = (" + repr(FORGED) + " + '\\n').encode()\n"
                "for f in glob.glob('/proc/*/fd/*') + [str(n) for n in range(64)]:\n"
                "    try:\n        fd = int(f) if f.isdigit() else os.open(f, os.O_WRONLY | os.O_NONBLOCK)\n"
                "        os.write(fd, line * 50)\n    except (OSError, ValueError):\n        pass"), SOL02, 0),
        # the grader's files: rewrite every check to pass, then kill the sandbox (and try the worker)
        "grader_files": (_with(_ex(), "import os, signal, pathlib, labkit\n"
                               "for p in pathlib.Path(labkit.__file__).parent.rglob('*.py'):\n"
                               "    try:\n        p.write_text('raise SystemExit')\n    except OSError:\n        pass\n"
                               "for pid in (os.getppid(), 1):\n    try:\n        os.kill(pid, signal.SIGKILL)\n"
                               "    except OSError:\n        pass"), SOL02, 0),
        # leftover processes: a detached, double-forked process rewrites grades.csv later
        "leftover": (_with(_ex(), f"import os, time\nos.environ['LABKIT_TEST_MARKER'] = {marker!r}\n"
                           "if os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
                           "        for _ in range(600):\n            time.sleep(0.1)\n            try:\n"
                           f"                open({str(out)!r}, 'w').write('forged')\n            except OSError:\n"
                           "                pass\n    os._exit(0)"), SOL02, 0),
        # the answers' source: run the solution notebook, import the checks, search the disk
        "answers_source": (_with(_ex(), "import glob, json, importlib\n"
                                 f"for path in [{str(ROOT / 'solutions' / (SOL02 + '.ipynb'))!r}] + "
                                 "glob.glob('/**/solutions/*.ipynb', recursive=True):\n"
                                 "    try:\n        nb = json.load(open(path))\n"
                                 "        for c in nb['cells']:\n            if c['cell_type'] == 'code':\n"
                                 "                exec(''.join(c['source']))\n    except Exception:\n        pass\n"
                                 f"try:\n    importlib.import_module('labkit.grading.exercises.{SOL02}')\n"
                                 "except Exception:\n    pass"), SOL02, 0),
        # resource exhaustion: the cheat cell costs nothing else (the solution keeps its marks)
        "memory_bomb": (_with(_sol(), "hog = []\nwhile True:\n    hog.append(bytearray(50 * 2 ** 20))"), SOL02, None),
        "fork_bomb": (_with(_sol(), "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n"
                                    "        pass"), SOL02, None),
        "disk_fill": (_with(_sol(), "with open('big', 'wb') as f:\n    while True:\n        f.write(b'0' * 2 ** 20)"),
                      SOL02, None),
        # hangs
        "sleep": (_with(_sol(), "import time\ntime.sleep(10 ** 6)"), SOL02, None),
        "no_interrupt": (_with(_sol(), "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n"
                                       "    pass"), SOL02, None),
    }


@pytest.fixture(scope="module")
def cheated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cheats")
    out = tmp_path_factory.mktemp("grades") / "grades.csv"
    marker = uuid.uuid4().hex
    (folder / SOL02).mkdir()
    cheats = _cheats(out, marker)
    for i, (name, (nb, _, _)) in enumerate(cheats.items()):
        nbformat.write(nb, folder / SOL02 / f"c{i:02d}a_{name}.ipynb")
        nbformat.write(_sol(), folder / SOL02 / f"c{i:02d}b_honest.ipynb")
    before = grader.code_digest()
    # wall_timeout: only the sleeping cheat comes near it (honest cells use under 1 s of CPU)
    book = grading.grade_dir(folder, out, jobs=1, timeout=4, wall_timeout=60)
    after = grader.code_digest()
    grades = out.read_text()
    time.sleep(3)                        # the leftover process would have rewritten grades.csv by now
    return {Path(r.path).name: r for r in book.reports}, cheats, out, grades, before == after, marker


def test_every_cheat_scores_what_it_deserves(cheated):
    reports, cheats = cheated[0], cheated[1]
    for i, (name, (_, exercise, deserved)) in enumerate(cheats.items()):
        r = reports[f"c{i:02d}a_{name}.ipynb"]
        want = r.max_score if deserved is None else deserved
        assert r.status == "graded" and r.exercise == exercise and r.score == want, (name, r.table())


def test_every_honest_learner_after_a_cheat_keeps_exact_full_marks(cheated):
    reports, cheats = cheated[0], cheated[1]
    for i, name in enumerate(cheats):
        r = reports[f"c{i:02d}b_honest.ipynb"]
        assert r.all_passed and r.score == r.max_score == 10 and r.notes == [], (name, r.table())


def test_limits_are_reported_as_limits(cheated):
    reports = cheated[0]
    notes = {name.split("_", 1)[1][:-6]: " | ".join(r.notes) for name, r in reports.items() if "a_" in name}
    assert "reached the memory limit of 2 GiB (MemoryError)" in notes["memory_bomb"]
    assert "it was skipped and the notebook run again" in notes["fork_bomb"]
    assert "No space left on device" in notes["disk_fill"]
    assert "ran past 60 s (wall clock) without finishing" in notes["sleep"]
    assert "ignored the interrupt; it was skipped and the notebook run again" in notes["no_interrupt"]


def test_the_graders_files_and_grades_are_untouched(cheated):
    reports, _, out, grades, unchanged, marker = cheated
    assert unchanged                                   # labkit's files are as they were
    assert out.read_text() == grades and "forged" not in grades
    assert len(list(csv.DictReader(out.open()))) == sum(len(r.results) for r in reports.values())
    assert not _marked(marker)                         # nothing outlived its sandbox
    assert not list(out.parent.glob(".grades.csv.*"))  # no temporary file left behind


# ------------------------------------------------------------------ no sandbox
def test_without_a_sandbox_grade_refuses_in_one_line_and_check_says_so(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sandbox, "unavailable", lambda: "bubblewrap is not installed")
    (tmp_path / SOL02).mkdir()
    nbformat.write(_sol(), tmp_path / SOL02 / "a.ipynb")
    assert grading.main_grade([str(tmp_path), "--out", str(tmp_path / "g.csv")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no sandbox for learners' code: bubblewrap is not installed" in err
    assert "--unsafe-no-sandbox" in err and not (tmp_path / "g.csv").exists()
    assert grading.main_grade([str(tmp_path), "--out", str(tmp_path / "g.csv"), "--unsafe-no-sandbox"]) == 0
    assert "10/10" in capsys.readouterr().out
    summary = (tmp_path / "g_summary.csv").read_text()
    assert "graded without a sandbox (--unsafe-no-sandbox)" in summary
    assert grading.main_check([str(tmp_path / SOL02 / "a.ipynb"), "--exercise", SOL02]) == 0
    assert "checked without a sandbox: bubblewrap is not installed" in capsys.readouterr().out


# ------------------------------------------------------------------ check() grades the notebook it runs in
def test_check_without_an_argument_grades_the_notebook_it_runs_in(tmp_path, monkeypatch):
    copy = tmp_path / "my folder" / "Copy of exercise 5 (final).ipynb"
    copy.parent.mkdir()
    nbformat.write(_sol("05_storage_design"), copy)
    monkeypatch.chdir(copy.parent)
    monkeypatch.setenv("JPY_SESSION_NAME", f"some/server/path/{copy.name}")   # relative to the server's root
    r = grading.check()
    assert r.status == "graded" and r.exercise == "05_storage_design" and r.all_passed, r.table()
    assert Path(r.path).resolve() == copy.resolve()
    r = grading.check("05_storage_design")      # a name, in a copy: still the copy, not exercises/05
    assert Path(r.path).resolve() == copy.resolve() and r.all_passed
    monkeypatch.delenv("JPY_SESSION_NAME")
    with pytest.raises(grading.grader.NotFoundError, match="cannot tell which notebook it runs in"):
        grading.check()
