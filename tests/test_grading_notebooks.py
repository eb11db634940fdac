"""Grading real notebooks in real, sandboxed kernels.

One folder of submissions, laid out as an instructor collects them (one folder per
exercise), is graded once (``grade_dir``, two notebooks at a time) and the tests read its
report: the solutions get full marks, the generated exercises nothing, plausible wrong
answers part, the tricks nothing, corrupt files are reported, and a runaway or
kernel-killing cell costs its own question only.

``TIMEOUT`` is CPU time per cell: every cell of every solution uses well under 1 s of CPU
(``labkit grade --timeout 1`` gives them all full marks), and a busy machine does not
change how much CPU a cell needs, only how long it waits for it."""
import copy
import csv
from pathlib import Path

import nbformat
import pytest

from labkit import grading

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 4.0


def _key(report):
    return Path(report.path).name


def _nb(kind, name):
    return nbformat.read(ROOT / kind / f"{name}.ipynb", as_version=4)


def _edit(nb, old, new):
    """Replace ``old`` by ``new`` in the one code cell that holds it."""
    hits = [c for c in nb.cells if c.cell_type == "code" and old in c.source]
    assert len(hits) == 1, old
    hits[0].source = hits[0].source.replace(old, new)
    return nb


def _add_cell(nb, after, source):
    """Insert a code cell after the one that holds ``after``."""
    i = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code" and after in c.source)
    nb.cells.insert(i + 1, nbformat.v4.new_code_cell(source))
    return nb


SOL02, SOL03 = "02_mscs_building_blocks", "03_inside_the_cluster_service"
LATER = ["04_exchange_on_a_cluster", "05_storage_design", "06_build_the_5000_user_cluster",
         "07_load_planning_and_failover", "08_operations", "09_disaster_recovery", "10_migrating_from_exchange_55",
         "11_capstone"]

#: One plausible wrong answer per later exercise: (edits to its solution, points per question).
WRONG = {
    # the System Attendant takes its first disk for its data; Exchange installed on 2-MOE too late
    "04_exchange_on_a_cluster": ([
        ('dependencies=["EXVS1 Network Name", "Disk E:", "Disk L:"])',
         'dependencies=["EXVS1 Network Name", "Disk L:", "Disk E:"])'),
        ('order = ["install Exchange on 2-MOE", "create the group", "add the IP Address", "add the Network Name",\n'
         '         "add the database disk", "add the log disk", "add the System Attendant", "bring EXVS9 online"]',
         'order = ["create the group", "add the IP Address", "add the Network Name", "add the database disk",\n'
         '         "add the log disk", "add the System Attendant", "install Exchange on 2-MOE", "bring EXVS9 online"]'),
    ], [0, 0, 2, 1, 2]),
    # RAID 5 for a database array (the write penalty); three storage groups a virtual server
    "05_storage_design": ([
        ('PlannedArray("Data 2", Array("RAID 0+1", 4)', 'PlannedArray("Data 2", Array("RAID 5", 4)'),
        ('    ex.add_storage_group(c3, v, "SG2", log_disk=log)',
         '    ex.add_storage_group(c3, v, "SG2", log_disk=log)\n    ex.add_storage_group(c3, v, "SG3", log_disk=log)'),
    ], [2, 0, 0, 2]),
    # a dynamic disk left as it is; the paper's 5,000-user cluster instead of 4,000
    "06_build_the_5000_user_cluster": ([
        ('replace(shelf[3], disk_type="basic")', 'replace(shelf[3])'),
        ('c3 = scenarios.build(naming, storage, plan, edition="Datacenter").cluster',
         'c3 = scenarios.four_node_5000()'),
    ], [2, 0, 0, 2]),
    # cascading lists instead of the standby node second; the late node's possible owners forgotten
    "07_load_planning_and_failover": ([
        ('prefs = {"EXVS1": ["1-CURLY", "4-JERRY"], "EXVS2": ["2-MOE", "4-JERRY"], "EXVS3": ["3-LARRY", "4-JERRY"]}',
         'prefs = {"EXVS1": ["1-CURLY", "2-MOE", "3-LARRY", "4-JERRY"], "EXVS2": ["2-MOE", "3-LARRY", "4-JERRY"], '
         '"EXVS3": ["3-LARRY", "4-JERRY", "1-CURLY"]}'),
        ('pr.fix_possible_owners(fixed)\n', ''),
    ], [0, 2, 0, 0, 2]),
    # moved away but not paused; a name-bound job whose agent starts again from the beginning;
    # failback at any hour (the rolling upgrade refuses it at its first step)
    "08_operations": ([
        ('c2.pause_node("2-MOE")', 'pass'),
        ('job = {"bound_to": "name", "path": "lan", "hour": 22, "cluster_aware": True}', 'job = {"bound_to": "name"}'),
        ('c5.set_group_properties(g, auto_failback=True, failback_window=(1, 5))',
         'c5.set_group_properties(g, auto_failback=True)'),
    ], [2, 0, 0, 2, 0]),
    # no group named: Scenario 1 moves the first one; the oldest backup sets
    "09_disaster_recovery": ([
        ('"new_ip": nxt.ip, "group": "EXVS3"}', '"new_ip": nxt.ip}'),
        ('source=v, kind="exchange")[-1].name', 'source=v, kind="exchange")[0].name'),
    ], [0, 2, 0, 2]),
    # the connection agreement to the cluster kept: the upgrade stops at step 4 (and so does Q4's run)
    "10_migrating_from_exchange_55": ([
        ('connection_agreements=[ca for ca in found.connection_agreements if ca.points_to != "EXVS1"])',
         'connection_agreements=found.connection_agreements)'),
    ], [0, 0, 3, 0]),
    # the paper's 2001 users instead of the brief's; failback whenever a node comes back
    "11_capstone": ([
        ('design = planning.plan_storage(3000, 3, storage_groups_per_server=2, assumptions=profile)',
         'design = planning.plan_storage(3000, 3, storage_groups_per_server=2)'),
        ('                          auto_failback=True, failback_window=(1, 5))',
         '                          auto_failback=True)'),
    ], [2, 0, 0, 5, 4, 2]),
}


def _submissions(folder: Path, out: Path) -> None:
    by_number = {n[:2]: n for n in [SOL02, SOL03] + LATER}

    def w(nb, name, exercise=None):
        """Write ``name`` into the folder of its exercise (by default the number in its name)."""
        exercise = exercise or by_number.get("".join(ch for ch in name if ch.isdigit())[:2], SOL02)
        (folder / exercise).mkdir(exist_ok=True)
        nbformat.write(nb, folder / exercise / name)
    w(_nb("solutions", SOL02), "sol02.ipynb")
    w(_nb("solutions", SOL03), "sol03.ipynb")
    w(_nb("exercises", SOL02), "ex02.ipynb")
    w(_nb("exercises", SOL03), "ex03.ipynb")

    # plausible wrong answers: the agent needs the disk and the name (not the server); three
    # nodes outvote one; a hang is noticed after a full IsAlive interval; failback any time
    nb = _edit(_nb("solutions", SOL02), 'c2.add_dependency("SQL Agent", provider="SQL Server")',
               'c2.add_dependency("SQL Agent", provider="Disk S")\n'
               'c2.add_dependency("SQL Agent", provider="Name S")')
    nb = _edit(nb, 'c4.move_group("Cluster Group", "NODE1")\nc4.run_until_stable()', "pass  # 3 outvote 1")
    w(nb, "alice.ipynb")
    nb = _edit(_nb("solutions", SOL03), "    noticed[kind] = (seen.time - start).total_seconds()",
               "    noticed[kind] = 5.0 if kind == 'crash' else 60.0")
    nb = _edit(nb, 'auto_failback=True, failback_window=(1, 5))', "auto_failback=True)")
    nb.metadata.pop("labkit", None)
    w(nb, "Bob Smith (late).ipynb", SOL03)

    for name in LATER:
        w(_nb("solutions", name), f"sol{name[:2]}.ipynb")
        w(_nb("exercises", name), f"ex{name[:2]}.ipynb")
        nb = _nb("solutions", name)
        for old, new in WRONG[name][0]:
            nb = _edit(nb, old, new)
        w(nb, f"wrong{name[:2]}.ipynb")

    # trick: lift the four-storage-group limit inside the kernel, then pile up storage groups
    nb = _add_cell(_nb("exercises", "05_storage_design"), 'disks = {"EXVS1": ("Disk E:", "Disk L:")',
                   "from labkit.exchange import types as _t\n"
                   "_t.InformationStore.can_online = lambda self, *a, **k: None     # no limit in this kernel\n"
                   "for v, (db, log) in disks.items():\n"
                   "    stores = [f'Mailbox Store ({v})']\n"
                   "    for sg in ('SG2', 'SG3'):\n"
                   "        ex.add_storage_group(c3, v, sg, log_disk=log)\n"
                   "        ex.add_database(c3, v, sg, f'{sg} ({v})', edb_disk=db)\n"
                   "        stores.append(f'{sg} ({v})')\n"
                   "    for store, n in zip(stores, (834, 833, 833)):\n"
                   "        ex.add_mailboxes(c3, v, store, n)\n"
                   "assert not any(case.refused for case in planning.n_k_analysis(c3, 1).cases)")
    w(nb, "trick_exchange_limit.ipynb", "05_storage_design")

    # trick: redefine labkit so the learner's own checks pass on a wrong cluster
    nb = _add_cell(_nb("exercises", SOL02), 'c4 = lk.Cluster("EX02D"',
                   "target = ['Disk S', 'IP S', 'Name S', 'SQL Server', 'SQL Agent']\n"
                   "lk.Cluster.online_order = lambda self, group: list(target)\n"
                   "lk.Cluster.partition = lambda self, sides: None\n"
                   "lk.Cluster.quorum_owner = property(lambda self: 'NODE1')\n"
                   "assert c2.online_order('SQL') == target\n"
                   "c4.partition([['NODE1', 'NODE2', 'NODE3'], ['NODE4']])\n"
                   "assert c4.quorum_owner == 'NODE1'")
    w(nb, "trick_redefine.ipynb", SOL02)
    # trick: patch the grader inside the kernel
    nb = _add_cell(_nb("exercises", SOL02), "import labkit as lk",
                   "import sys\n"
                   "import labkit.grading as g\n"
                   "from labkit.grading import api, answers, grader\n"
                   "full = lambda self, *a, **k: api.QuestionResult(self.name, self.title, self.points, "
                   "self.points, True)\n"
                   "api.Question.grade = full\n"
                   "answers.convert = lambda name, answer, kind: answer\n"
                   "api.expect = lambda *a, **k: None\n"
                   "g.check = grader.check = lambda *a, **k: print('10/10 points')\n"
                   "g.exercise('02_mscs_building_blocks').questions.clear()\n"
                   "sys.modules['labkit.grading.exercises.02_mscs_building_blocks'] = None")
    w(nb, "trick_patch_checks.ipynb", SOL02)
    # trick: print a passing score table and forge the answer channel from a normal cell
    nb = _add_cell(_nb("exercises", SOL03), "import labkit as lk",
                   "import json\n"
                   "from IPython.display import display\n"
                   "print('03_inside_the_cluster_service · 10/10 points\\n  1  detection_times  1/1  passed')\n"
                   "display({'text/x-labkit-answer': json.dumps({'kind': 'value', 'data': "
                   "{'crash': 5.0, 'hang': 35.0}})}, raw=True)")
    w(nb, "trick_print_passed.ipynb", SOL03)
    # trick: write fake result files where the grader writes its own
    nb = _add_cell(_nb("exercises", SOL03), "import labkit as lk",
                   f"from pathlib import Path\n"
                   f"out = Path({str(out)!r})\n"
                   f"out.write_text('file,exercise,status,question,points\\ntrick_files.ipynb,x,graded,all,10\\n')\n"
                   f"Path({str(out.with_name(out.stem + '_summary.csv'))!r}).write_text('all 10/10')\n"
                   f"Path('results.json').write_text('{{\"score\": 10}}')\n"
                   f"Path({str(folder / 'zz_fake_submission.ipynb')!r}).write_text('{{}}')")
    w(nb, "trick_files.ipynb", SOL03)

    # an endless loop, and an answer whose to_dict() never returns: each costs its question
    nb = _edit(_nb("solutions", SOL02), 'c5 = two_nodes("EX02E")', 'while True:\n    pass\nc5 = two_nodes("EX02E")')
    nb = _add_cell(nb, 'c1 = two_nodes("EX02A")',
                   "class Endless(lk.Cluster):\n"
                   "    def to_dict(self):\n"
                   "        while True:\n"
                   "            pass\n"
                   "c1 = Endless('EX02A', ip='10.2.0.100')\nc1.add_node('NODE1')")
    w(nb, "loops.ipynb", SOL02)
    # a cell that ignores the interrupt, and one that kills its kernel
    nb = _edit(_nb("solutions", SOL03), 'c3 = file_share_cluster(nodes=4)',
               "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass\n"
               "c3 = file_share_cluster(nodes=4)")
    nb = _edit(nb, 'c5 = file_share_cluster()', "import os\nos._exit(3)\nc5 = file_share_cluster()")
    w(nb, "killers.ipynb", SOL03)
    # a deleted cell
    nb = _nb("solutions", SOL02)
    nb.cells = [c for c in nb.cells if 'c1 = two_nodes("EX02A")' not in c.source]
    w(nb, "deleted.ipynb", SOL02)

    # a notebook that kills the process grading it
    w(_add_cell(_nb("solutions", SOL02), "import labkit as lk",
                "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)"), "zz_kills_grader.ipynb", SOL02)

    # not gradable: corrupt, not a notebook, in no exercise's folder
    (folder / SOL02 / "broken.ipynb").write_text('{"cells": [{"cell_type": "code", "sou')
    (folder / SOL02 / "essay.ipynb").write_text("My essay about clusters.")
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")]), folder / "foreign.ipynb")
    # another exercise's solution handed in as exercise 05: graded as 05, and the report says so
    w(_nb("solutions", "07_load_planning_and_failover"), "swapped.ipynb", "05_storage_design")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("submissions")
    out = tmp_path_factory.mktemp("grades") / "grades.csv"
    _submissions(folder, out)
    # no cell here sleeps, so the wall-clock ceiling is far: CPU time decides, however busy the machine
    book = grading.grade_dir(folder, out, jobs=2, timeout=TIMEOUT, wall_timeout=600)
    return {_key(r): r for r in book.reports}, book, out, folder


def _points(report):
    return [r.points for r in report.results]


def test_every_solution_scores_full_marks(graded):
    reports = graded[0]
    for exercise in [SOL02, SOL03] + LATER:
        r = reports[f"sol{exercise[:2]}.ipynb"]
        assert r.status == "graded" and r.exercise == exercise, r.table()
        assert r.all_passed and r.score == r.max_score == grading.exercise(exercise).max_score, r.table()
        assert r.notes == []


def test_every_generated_exercise_scores_zero(graded):
    for exercise in [SOL02, SOL03] + LATER:
        r = graded[0][f"ex{exercise[:2]}.ipynb"]
        assert r.status == "graded" and r.exercise == exercise and r.score == 0, r.table()
        assert len(r.results) == len(grading.exercise(exercise).questions)
        assert all(q.message for q in r.results)


@pytest.mark.parametrize("exercise", LATER)
def test_a_plausible_wrong_answer_scores_partial(graded, exercise):
    r = graded[0][f"wrong{exercise[:2]}.ipynb"]
    assert r.exercise == exercise and _points(r) == WRONG[exercise][1], r.table()
    assert 0 < r.score < r.max_score
    assert all(q.message and "could not use your answer" not in q.message for q in r.results if not q.passed)


def test_wrong_answers_are_told_what_is_wrong_not_the_answer(graded):
    reports = graded[0]
    msg = {e: [q.message for q in reports[f"wrong{e[:2]}.ipynb"].results] for e in LATER}
    assert "default storage group goes on L:" in msg[LATER[0]][0]
    assert "2-MOE is not a possible owner" in msg[LATER[0]][1]
    assert "sustains 198 I/O a second" in msg[LATER[1]][1]
    assert "Information Store is refused" in msg[LATER[1]][2]
    assert "stops at step 2" in msg[LATER[2]][1] and "dynamic" in msg[LATER[2]][1]
    assert "not to the standby node" in msg[LATER[3]][0] and "4-JERRY" not in msg[LATER[3]][0]
    assert "not paused" in msg[LATER[4]][1] and "after 01:00" in msg[LATER[4]][2]
    assert "the rolling upgrade stops" in msg[LATER[4]][4] and "at any hour" in msg[LATER[4]][4]
    assert "not online on the new node" in msg[LATER[5]][0] and "newer backup" in msg[LATER[5]][2]
    assert "connection agreements CA-HQ" in msg[LATER[6]][0]
    assert "too little for 500 users" in msg[LATER[7]][1] and "at night only" in msg[LATER[7]][2]


def test_trick_lifting_the_storage_group_limit_in_the_kernel_gets_no_points(graded):
    """The kernel's own analysis saw no overflow; the grader's Information Store refused."""
    r = graded[0]["trick_exchange_limit.ipynb"]
    assert r.exercise == "05_storage_design" and r.score == 0, r.table()
    assert "Information Store is refused" in r.results[2].message


def test_plausible_wrong_answers_score_partial(graded):
    alice, bob = graded[0]["alice.ipynb"], graded[0]["Bob Smith (late).ipynb"]
    assert _points(alice) == [2, 0, 1, 0, 2, 1], alice.table()
    assert "SQL Agent" in alice.results[1].message and "order" in alice.results[1].message
    assert "what decides which side" in alice.results[3].message
    assert bob.exercise == SOL03                        # no metadata, any file name: its folder says
    assert _points(bob) == [0, 2, 2, 0, 1, 2], bob.table()
    assert "hang" in bob.results[0].message and "35" not in bob.results[0].message
    assert "09:00 on the same day" in bob.results[3].message and "(1, 5)" not in bob.results[3].message


def test_trick_redefining_labkit_gets_no_points(graded):
    """The notebook's own asserts passed on patched labkit; the grader rebuilt c2 and c4
    with its own labkit and found no dependencies and the quorum still on NODE4."""
    r = graded[0]["trick_redefine.ipynb"]
    assert r.status == "graded" and r.score == 0, r.table()
    assert "SQL comes online in the order ['SQL Agent'" in r.results[1].message
    assert "keeps running only on NODE4" in r.results[3].message


def test_trick_patching_the_checks_gets_no_points(graded):
    r = graded[0]["trick_patch_checks.ipynb"]
    assert r.status == "graded" and r.exercise == SOL02 and len(r.results) == 6 and r.score == 0, r.table()


def test_trick_printing_passed_and_forging_answers_gets_no_points(graded):
    r = graded[0]["trick_print_passed.ipynb"]
    assert r.status == "graded" and r.score == 0, r.table()
    assert "exactly the keys" in r.results[0].message      # noticed is still the {} of the given cell


def test_trick_writing_fake_result_files_gets_no_points(graded):
    reports, book, out, folder = graded
    assert reports["trick_files.ipynb"].score == 0
    rows = list(csv.DictReader(out.open()))
    assert {Path(r["file"]).name for r in rows} == set(reports)       # the grader's file, not the fake one
    assert all(r["points"] == "0" for r in rows if r["file"].endswith("trick_files.ipynb"))
    summary = list(csv.DictReader(Path(book.summary_out).open()))
    assert {Path(r["file"]).name: r["score"] for r in summary}["trick_files.ipynb"] == "0"
    assert "zz_fake_submission.ipynb" not in reports        # files written while grading are not graded


def test_corrupt_and_foreign_notebooks_are_reported_and_grading_continues(graded):
    reports, book, out, _ = graded
    assert "not a readable notebook" in reports["broken.ipynb"].error
    assert "not a readable notebook" in reports["essay.ipynb"].error
    assert "cannot tell which exercise foreign.ipynb is" in reports["foreign.ipynb"].error
    for name in ("broken.ipynb", "essay.ipynb", "foreign.ipynb"):
        assert reports[name].status == "error"
    rows = list(csv.DictReader(out.open()))
    bad = [r for r in rows if r["file"] == f"{SOL02}/broken.ipynb"]
    assert len(bad) == 1 and bad[0]["status"] == "error" and "not a readable notebook" in bad[0]["message"]
    assert "3 not gradable" in book.summary() and "NOT GRADED" in book.summary()


def test_a_notebook_that_tries_to_kill_the_grader_cannot(graded):
    """Its parent process is the sandbox's init (its own PID namespace, another user): the
    kill is refused, and the solution keeps its marks."""
    reports = graded[0]
    r = reports["zz_kills_grader.ipynb"]
    assert r.status == "graded" and r.score == r.max_score, r.table()
    assert any("PermissionError" in n for n in r.notes), r.notes
    assert all(r.status == "graded" for n, r in reports.items() if n not in ("broken.ipynb", "essay.ipynb",
                                                                             "foreign.ipynb"))


def test_another_exercises_solution_is_graded_as_the_exercise_the_folder_names(graded):
    r = graded[0]["swapped.ipynb"]
    assert r.exercise == "05_storage_design" and r.score == 0, r.table()
    assert ("the notebook's content looks like 07_load_planning_and_failover; graded as 05_storage_design as "
            "the folder 05_storage_design/ says") in r.notes


def test_an_endless_loop_costs_only_its_question(graded):
    r = graded[0]["loops.ipynb"]
    assert _points(r) == [0, 2, 1, 2, 0, 1], r.table()
    assert "used more than 4 s of CPU time and was interrupted (an endless loop?)" in r.results[4].message
    assert "could not be read" in r.results[0].message        # its to_dict() never returned
    assert "ran past the time limit" in r.results[0].message
    assert any("interrupted" in n for n in r.notes)


def test_a_hung_or_dying_kernel_costs_only_its_question(graded):
    r = graded[0]["killers.ipynb"]
    assert _points(r) == [1, 2, 0, 2, 0, 2], r.table()
    assert "ignored the interrupt" in r.results[2].message
    assert "stopped the kernel" in r.results[4].message


def test_a_deleted_cell_costs_only_its_question(graded):
    r = graded[0]["deleted.ipynb"]
    assert _points(r) == [0, 2, 1, 2, 2, 1], r.table()
    assert "no cell sets it (was its cell deleted?)" in r.results[0].message


def test_per_question_csv_and_summary(graded):
    reports, book, out, _ = graded
    rows = list(csv.DictReader(out.open()))
    sol = [r for r in rows if r["file"] == f"{SOL02}/sol02.ipynb"]
    assert [r["question"] for r in sol] == [q.name for q in grading.exercise(SOL02).questions]
    assert all(r["passed"] == "yes" and r["points"] == r["max_points"] for r in sol)
    summary = {Path(r["file"]).name: r for r in csv.DictReader(Path(book.summary_out).open())}
    assert summary["alice.ipynb"]["score"] == "6" and summary["alice.ipynb"]["percent"] == "60"
    assert summary["broken.ipynb"]["status"] == "error"
    assert len(summary) == len(reports) == 18 + 3 * len(LATER) + 1


def test_labkit_check_prints_the_score_table(tmp_path, monkeypatch, capsys):
    (tmp_path / "exercises").mkdir()
    nbformat.write(_nb("solutions", SOL03), tmp_path / "exercises" / f"{SOL03}.ipynb")
    monkeypatch.chdir(tmp_path)
    assert grading.main_check([SOL03, "--timeout", "20"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{SOL03} · exercises/{SOL03}.ipynb · 10/10 points")
    assert out.count("passed") == 6


def test_labkit_grade_exit_codes_and_summary(tmp_path, capsys):
    good, bad = tmp_path / "good", tmp_path / "bad"
    good.mkdir()
    bad.mkdir()
    nb = _nb("solutions", SOL02)
    nb.cells = [c for c in nb.cells if not c.source.startswith("# Exercise")]   # no heading, no metadata
    nbformat.write(nb, good / "anonymous.ipynb")
    out = tmp_path / "g.csv"
    assert grading.main_grade([str(good), "--out", str(out), "--exercise", SOL02, "--timeout", "20"]) == 0
    text = capsys.readouterr().out
    assert "1 notebooks: 1 graded, 0 not gradable" in text and "10/10" in text
    (bad / "x.ipynb").write_text("not json")
    assert grading.main_grade([str(bad), "--out", str(out)]) == 1
    assert "NOT GRADED" in capsys.readouterr().out
