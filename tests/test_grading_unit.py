"""Grading without kernels: the exercise generator, the plain-data answers, the
cluster rebuild, the question API, notebook identification and the commands' usage
errors. (Tests that run notebooks in kernels are in test_grading_notebooks.py.)"""
import json
from pathlib import Path

import nbformat
import pytest

import labkit as lk
from labkit import grading
from labkit.grading import answers, generate, grader
from labkit.grading.api import Exercise, Wrong, expect
from labkit.scenarios import file_share_cluster

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = ["02_mscs_building_blocks", "03_inside_the_cluster_service", "04_exchange_on_a_cluster",
             "05_storage_design", "06_build_the_5000_user_cluster", "07_load_planning_and_failover",
             "08_operations", "09_disaster_recovery", "10_migrating_from_exchange_55", "11_capstone"]


# ------------------------------------------------------------ one source of truth
def test_exercises_are_generated_from_the_current_solutions():
    """exercises/ is out of date when this fails: run `labkit make-exercises`."""
    assert grading.make_exercises(ROOT, check=True) == []


def test_every_exercise_module_has_a_solution_and_an_exercise_with_3_to_6_questions():
    assert grading.exercise_names() == EXERCISES
    for name in EXERCISES:
        ex = grading.exercise(name)
        assert 3 <= len(ex.questions) <= (8 if name == "11_capstone" else 6)
        sol = nbformat.read(ROOT / "solutions" / f"{name}.ipynb", as_version=4)
        text = "\n".join(c.source for c in sol.cells if c.cell_type == "markdown")
        for q in ex.questions:          # each question's task names the variables it reads
            for var in q.params:
                assert f"`{var}`" in text, (name, q.name, var)
        assert (ROOT / "exercises" / f"{name}.ipynb").is_file()


def test_solution_blocks_become_your_code_here_at_their_indentation():
    src = ("x = 1\nfor i in range(3):\n    # BEGIN SOLUTION\n    x += i\n    # END SOLUTION\n"
           "# BEGIN SOLUTION\ny = x\n# END SOLUTION\nprint(x)")
    assert generate.strip_solution(src) == ("x = 1\nfor i in range(3):\n    # YOUR CODE HERE\n"
                                            "    raise NotImplementedError()\n# YOUR CODE HERE\n"
                                            "raise NotImplementedError()\nprint(x)")


def test_markdown_solution_blocks_become_your_answer_here():
    src = "Why?\n<!-- BEGIN SOLUTION -->\nBecause the quorum owner's side wins.\n<!-- END SOLUTION -->"
    assert generate.strip_solution(src, markdown=True) == "Why?\nYOUR ANSWER HERE"


@pytest.mark.parametrize("src", ["# BEGIN SOLUTION\nx = 1", "x = 1\n# END SOLUTION",
                                 "# BEGIN SOLUTION\n# BEGIN SOLUTION\n# END SOLUTION"])
def test_unbalanced_solution_markers_are_refused(src):
    with pytest.raises(lk.ValidationError, match="BEGIN/END pairs"):
        generate.strip_solution(src, where="solutions/x.ipynb, cell 3")


def test_generated_exercise_drops_solution_cells_clears_outputs_and_records_its_name():
    sol = nbformat.read(ROOT / "solutions" / "02_mscs_building_blocks.ipynb", as_version=4)
    ex = generate.exercise_notebook(sol, "02_mscs_building_blocks")
    assert any("solution" in c.metadata.get("tags", []) for c in sol.cells)
    assert not any("solution" in c.metadata.get("tags", []) for c in ex.cells)
    assert len(ex.cells) == len(sol.cells) - 1
    code = [c for c in ex.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    text = "\n".join(c.source for c in code)
    assert "BEGIN SOLUTION" not in text and "NBVAL_" not in text
    assert text.count("raise NotImplementedError()") == 6
    assert "add_dependency(\"SQL Agent\"" not in text          # the answers are gone
    assert ex.metadata["labkit"]["exercise"] == "02_mscs_building_blocks"
    assert "widgets" not in ex.metadata


def test_make_exercises_writes_reports_and_removes_stale(tmp_path):
    (tmp_path / "solutions").mkdir()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("# BEGIN SOLUTION\nx = 1\n# END SOLUTION")])
    nbformat.write(nb, tmp_path / "solutions" / "07_demo.ipynb")
    assert grading.make_exercises(tmp_path, check=True) == [tmp_path / "exercises" / "07_demo.ipynb"]
    assert not (tmp_path / "exercises").exists()
    assert grading.make_exercises(tmp_path) == [tmp_path / "exercises" / "07_demo.ipynb"]
    assert grading.make_exercises(tmp_path, check=True) == []
    (tmp_path / "solutions" / "07_demo.ipynb").unlink()
    assert grading.make_exercises(tmp_path) == [tmp_path / "exercises" / "07_demo.ipynb"]
    assert not (tmp_path / "exercises" / "07_demo.ipynb").exists()


# ------------------------------------------------------------------ answers as data
def test_answers_are_checked_against_the_annotation():
    assert answers.check_value("x", [1, 2], list[int]) == [1, 2]
    assert answers.check_value("x", ["a", "b"], set[str]) == {"a", "b"}
    assert answers.check_value("x", {"a": None}, dict[str, str | None]) == {"a": None}
    assert answers.check_value("x", 3, float) == 3.0
    for value, kind in [(True, int), (float("nan"), float), ("3", float), ({"a": 1}, dict[str, str]),
                        ([1], list[str]), (1, str)]:
        with pytest.raises(Wrong, match="`x"):
            answers.check_value("x", value, kind)


def test_unreadable_and_oversized_answers_are_refused_not_crashed():
    assert answers.decode("x" * (answers.MAX_ANSWER_CHARS + 1))["kind"] == "unreadable"
    assert answers.decode("[" * 100_000)["kind"] == "unreadable"
    assert answers.decode('{"kind": "admin"}')["kind"] == "unreadable"
    with pytest.raises(Wrong, match="could not be read"):
        answers.convert("c1", {"kind": "unreadable", "type": "Fake", "error": "boom"}, lk.Cluster)
    with pytest.raises(Wrong, match="should be a labkit Cluster"):
        answers.convert("c1", {"kind": "value", "data": {"nodes": []}}, lk.Cluster)


def test_extraction_code_only_takes_variable_names():
    assert "'c1'" in answers.extraction_code("c1")
    with pytest.raises(ValueError):
        answers.extraction_code("c1); import os; os.system('x')  #")


# ---------------------------------------------------------------- the rebuild
def test_rebuild_replays_the_configuration_with_the_graders_labkit():
    c = file_share_cluster(nodes=4)
    c.set_preferred_owners("FS", ["NODE3", "NODE1"])
    c.set_group_properties("FS", auto_failback=True, failback_window=(1, 5), failover_threshold=3)
    c.set_resource_properties("Share FS", restart_threshold=1, is_alive_ms=15000)
    c.set_possible_owners("Disk FS", ["NODE1", "NODE3"])
    c.move_group("FS", "NODE3")
    c.add_group("APP")
    c.add_resource("Payroll", type="Generic Application", group="APP", separate_monitor=True)
    c.add_resource("Report", type="Generic Application", group="APP", dependencies=["Payroll"])
    c.set_monitor("Report", "APP monitor")
    c.online_group("APP", "NODE2")
    c.run_until_stable()
    r = grading.rebuild_cluster(answers.encode(c)["data"])
    for g in ("Cluster Group", "FS", "APP"):
        assert r.groups[g].owner == c.groups[g].owner and str(r.groups[g].state) == "Online"
        assert r.online_order(g) == c.online_order(g)
    g, h = r.groups["FS"], c.groups["FS"]
    assert (g.preferred_owners, g.auto_failback, g.failback_window, g.failover_threshold) == \
        (h.preferred_owners, h.auto_failback, h.failback_window, h.failover_threshold)
    for name, x in c.resources.items():
        y = r.resources[name]
        assert (y.type, y.dependencies, y.possible_owners, y.properties, y.restart_threshold, y.is_alive_ms,
                y.monitor) == (x.type, x.dependencies, x.possible_owners, x.properties, x.restart_threshold,
                               x.is_alive_ms, x.monitor)


def test_rebuild_ignores_claimed_states_and_plays_the_configuration():
    """A snapshot that claims its Network Name is Online, though it has no IP Address to
    stand on, does not make it so: the grader's own simulation decides."""
    c = file_share_cluster()
    c.add_group("BAD")
    c.add_resource("Name BAD", type="Network Name", group="BAD", name="NOIP")
    data = answers.encode(c)["data"]
    for r in data["resources"]:
        if r["name"] == "Name BAD":
            r["state"], r["node"] = "Online", "NODE1"
    for g in data["groups"]:
        if g["name"] == "BAD":
            g["state"], g["persistent_state"], g["owner"] = "Online", True, "NODE1"
    r = grading.rebuild_cluster(data)
    assert str(r.groups["BAD"].state) == "Failed"


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d.update(nodes=[]), "no nodes"),
    (lambda d: d.update(name=["LAB"]), "cluster name"),
    (lambda d: d["resources"][-1].update(type="Exchange System Attendant"), "labkit refused"),
    (lambda d: d["resources"][-1].update(dependencies=["Share FS"]), "labkit refused"),
    (lambda d: d["resources"][-1]["properties"].update(type="x"), "plain names"),
    (lambda d: d["resources"][-1]["properties"].update(share_name={"a": 1}), "plain names"),
    (lambda d: d.update(extensions={"exchange55": {}}), "plug-in"),
    (lambda d: d.update(extensions={"exchange": {}}), "no node has Exchange 2000 installed"),
    (lambda d: d.update(resources=[d["resources"][0]] * 3001), "at most 3000"),
    (lambda d: d["settings"].update(missed_heartbeats=-1), "positive"),
    (lambda d: d.update(nodes="NODE1"), "no nodes"),
    (lambda d: d["groups"][-1].update(failback_window=[1, 99]), "labkit refused"),
])
def test_a_snapshot_that_cannot_be_rebuilt_is_a_wrong_answer_not_a_crash(mutate, message):
    data = answers.encode(file_share_cluster())["data"]
    mutate(data)
    with pytest.raises(Wrong, match=message):
        grading.rebuild_cluster(data, name="c1")


# ------------------------------------------------------------ the question API
def test_a_check_that_crashes_costs_its_question_only():
    ex = Exercise("99_demo", "Demo")

    @ex.question(points=1)
    def boom(x: int):
        "Crashes."
        return 1 / 0

    @ex.question(points=2)
    def refused(x: int):
        "labkit refuses a step."
        lk.Cluster("LAB").add_node("N1").id
        file_share_cluster().crash_node("NODE9")

    @ex.question(points=3)
    def fine(x: int):
        "Passes."
        expect(x == 1, "x should be 1")

    rep = ex.grade_values({"x": 1})
    assert [r.points for r in rep.results] == [0, 0, 3]
    assert "ZeroDivisionError" in rep.results[0].message
    assert "labkit refused" in rep.results[1].message and "NODE9" in rep.results[1].message
    assert rep.score == 3 and rep.max_score == 6 and not rep.all_passed


def test_missing_variables_say_which_cell_should_have_set_them():
    ex = grading.exercise("02_mscs_building_blocks")
    rep = ex.grade({}, missing_why={"c1": "cell 4 raised NotImplementedError"})
    assert rep.score == 0
    assert "`c1` is not defined: cell 4 raised NotImplementedError" in rep.results[0].message


def test_questions_need_annotations_and_positive_points():
    ex = Exercise("99_demo", "Demo")
    with pytest.raises(TypeError, match="annotate"):
        ex.question()(lambda x: None)
    with pytest.raises(ValueError):
        ex.question(points=0)


# ---------------------------------------------------- checks say what, not the answer
def test_wrong_numbers_get_a_hint_not_the_number():
    ex = grading.exercise("03_inside_the_cluster_service")
    msg = ex.questions[0].grade({"noticed": answers.encode({"crash": 5, "hang": 60})}).message
    assert "hang" in msg and "35" not in msg


def test_wrong_rules_are_named_but_not_given():
    ex = grading.exercise("02_mscs_building_blocks")
    want = ex.questions[5].check.__globals__["expected_rules"]()
    guess = dict(want, **{"IP FS -> Disk FS": "no circular dependencies"})
    res = ex.questions[5].grade({"refused": answers.encode(guess)})
    assert not res.passed and "'IP FS -> Disk FS'" in res.message
    assert want["IP FS -> Disk FS"] not in res.message


def test_answers_are_checked_against_the_model_not_a_constant():
    """Question 3 of exercise 02 compares the learner's time with the grader's run of the
    learner's *own* SQL group: a different (valid) design has a different right answer."""
    from labkit.grading.answers import encode
    ex = grading.exercise("02_mscs_building_blocks")
    c = lk.Cluster("EX02B", ip="10.2.0.100")
    c.add_node("NODE1", ip="10.2.0.1")
    c.add_group("SQL")
    c.add_resource("SQL Server", type="Generic Service", group="SQL")
    c.add_resource("Disk S", type="Physical Disk", group="SQL", drive="S:")
    c.add_dependency("SQL Server", "Disk S")
    q = ex.questions[2]
    assert q.grade({"c2": encode(c), "sql_online_s": encode(8.0)}).passed       # 3 s disk + 5 s service
    assert not q.grade({"c2": encode(c), "sql_online_s": encode(13.0)}).passed


# ------------------------------------------------------------- notebooks as files
def _write(path, text, mode="w"):
    path.write_text(text) if mode == "w" else path.write_bytes(text)
    return path


@pytest.mark.parametrize("content, why", [
    ('{"cells": [', "not a readable notebook"),
    ('{"hello": 1}', "not a readable notebook"),
    ('{"cells": [{"cell_type": "code", "source": 7}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}',
     "not a readable notebook"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "not a text file"),
    ('{"cells": [], "metadata": [], "nbformat": 4, "nbformat_minor": 5}', "not a readable notebook"),
])
def test_corrupt_notebooks_are_reported_without_running_anything(tmp_path, content, why):
    p = _write(tmp_path / "n.ipynb", content, "w" if isinstance(content, str) else "b")
    with pytest.raises(grading.NotebookError, match=why):
        grading.read_notebook(p)
    rep = grading.grade_notebook(p)
    assert rep.status == "error" and why in rep.error and rep.results == []


def test_identify_from_metadata_heading_or_answer_variables():
    ex = nbformat.read(ROOT / "exercises" / "03_inside_the_cluster_service.ipynb", as_version=4)
    assert grading.identify(ex) == "03_inside_the_cluster_service"
    ex.metadata.pop("labkit")
    assert grading.identify(ex) == "03_inside_the_cluster_service"           # "# Exercise 03" heading
    ex.cells = [c for c in ex.cells if c.cell_type == "code"]
    assert grading.identify(ex) == "03_inside_the_cluster_service"           # c2..c6, noticed assigned
    ex.cells = [nbformat.v4.new_code_cell("print('hello')")]
    assert grading.identify(ex) is None


def test_a_notebook_of_no_known_exercise_is_reported(tmp_path):
    p = tmp_path / "holiday.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]), p)
    rep = grading.grade_notebook(p)
    assert rep.status == "error" and "does not look like any labkit exercise" in rep.error


def test_check_does_nothing_inside_the_graders_kernel(monkeypatch):
    monkeypatch.setenv("LABKIT_GRADING", "1")
    rep = grading.check("02_mscs_building_blocks")
    assert rep.status == "skipped" and "not graded" in rep.table()


def test_find_notebook_looks_here_then_in_exercises(tmp_path, monkeypatch):
    (tmp_path / "exercises").mkdir()
    (tmp_path / "exercises" / "02_mscs_building_blocks.ipynb").write_text("{}")
    monkeypatch.chdir(tmp_path)
    assert grader.find_notebook("02_mscs_building_blocks") == Path("exercises/02_mscs_building_blocks.ipynb")
    monkeypatch.chdir(tmp_path / "exercises")
    assert grader.find_notebook("02_mscs_building_blocks") == Path("02_mscs_building_blocks.ipynb")
    with pytest.raises(lk.NotFoundError):
        grader.find_notebook("03_inside_the_cluster_service")


# ------------------------------------------------------------------- commands
@pytest.mark.parametrize("main", [grading.main_check, grading.main_grade, grading.main_make_exercises])
def test_commands_have_help(main, capsys):
    assert main(["--help"]) == 0
    assert "usage: labkit" in capsys.readouterr().out


@pytest.mark.parametrize("main, argv, says", [
    (grading.main_check, [], "required"),
    (grading.main_check, ["nowhere.ipynb"], "no notebook at nowhere.ipynb"),
    (grading.main_check, ["99_nothing"], "cannot find 99_nothing.ipynb"),
    (grading.main_check, ["x.ipynb", "--timeout", "-1"], "--timeout must be a finite number of seconds above 0"),
    (grading.main_check, ["x.ipynb", "--timeout", "nan"], "--timeout must be a finite number of seconds"),
    (grading.main_check, ["x.ipynb", "--notebook-timeout", "inf"], "--notebook-timeout must be a finite"),
    (grading.main_grade, [".", "--timeout", "nan"], "--timeout must be a finite number of seconds above 0"),
    (grading.main_grade, [".", "--timeout", "0"], "--timeout must be a finite number of seconds above 0"),
    (grading.main_grade, [".", "--wall-timeout", "inf"], "--wall-timeout must be a finite number"),
    (grading.main_grade, [".", "--notebook-timeout", "x"], "--notebook-timeout must be a finite number"),
    (grading.main_grade, [".", "--memory", "lots"], "--memory must be a size such as 2GiB"),
    (grading.main_grade, [".", "--memory", "1M"], "memory limit must be a whole number of bytes of at least"),
    (grading.main_grade, [".", "--processes", "2"], "processes limit must be a whole number of at least 16"),
    (grading.main_release, [], "required"),
    (grading.main_check, ["x.ipynb", "--exercise", "99_nothing"], "no graded exercise named '99_nothing'"),
    (grading.main_grade, ["/no/such/folder"], "is not a folder of submissions"),
    (grading.main_grade, [".", "--jobs", "0"], "--jobs must be a whole number of at least 1"),
    (grading.main_grade, [".", "--jobs", "two"], "invalid int value"),
    (grading.main_make_exercises, ["/no/such/root"], "is not a folder of solution notebooks"),
    (grading.main_make_exercises, [".", "--frobnicate"], "unrecognized arguments"),
])
def test_usage_errors_are_one_line_and_exit_2(main, argv, says, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert says in err and err.count("\n") == 1 and err.startswith("labkit ")


def test_check_of_a_corrupt_notebook_is_a_usage_error(tmp_path, capsys):
    p = _write(tmp_path / "broken.ipynb", '{"cells": [')
    assert grading.main_check([str(p)]) == 2
    assert "not a readable notebook" in capsys.readouterr().err


def test_make_exercises_check_exits_1_when_out_of_date(tmp_path, capsys):
    (tmp_path / "solutions").mkdir()
    nbformat.write(nbformat.v4.new_notebook(), tmp_path / "solutions" / "07_demo.ipynb")
    assert grading.main_make_exercises([str(tmp_path), "--check"]) == 1
    assert "out of date" in capsys.readouterr().out
    assert grading.main_make_exercises([str(tmp_path)]) == 0
    assert grading.main_make_exercises([str(tmp_path), "--check"]) == 0


def test_grade_dir_refuses_bad_arguments(tmp_path):
    with pytest.raises(lk.NotFoundError):
        grading.grade_dir(tmp_path, exercise="99_nothing")
    with pytest.raises(lk.ValidationError):
        grading.grade_dir(tmp_path, jobs=0)
    book = grading.grade_dir(tmp_path, tmp_path / "g.csv")
    assert book.reports == [] and (tmp_path / "g_summary.csv").is_file()


def test_report_table_reads_well():
    rep = grading.exercise("02_mscs_building_blocks").grade({}, path="x.ipynb")
    lines = rep.table().splitlines()
    assert lines[0] == "02_mscs_building_blocks · x.ipynb · 0/10 points"
    assert lines[-1].split() == ["total", "0/10"] and len(lines) == 2 + 6 + 1
    assert json.dumps([r.name for r in rep.results])


def test_a_kernel_that_dies_while_starting_is_started_again(monkeypatch):
    """Before any cell runs, a dying kernel is the machine's fault (say a TCP port taken by
    another kernel starting at the same moment): started again, at most STARTUP_ATTEMPTS times."""
    import asyncio

    from labkit.grading import kernel
    tries = []

    async def flaky(limits, sandboxed):
        tries.append(limits)
        if len(tries) < kernel.STARTUP_ATTEMPTS:
            raise RuntimeError("Kernel died before replying to kernel_info")
        return "kernel"

    monkeypatch.setattr(kernel._Kernel, "start", flaky)
    assert asyncio.run(kernel._Kernel.start_retrying("limits", True)) == "kernel" and len(tries) == kernel.STARTUP_ATTEMPTS
    tries.clear()

    async def dead(limits, sandboxed):
        tries.append(limits)
        raise RuntimeError("Kernel died before replying to kernel_info")

    monkeypatch.setattr(kernel._Kernel, "start", dead)
    with pytest.raises(RuntimeError, match="Kernel died"):
        asyncio.run(kernel._Kernel.start_retrying("limits", True))
    assert len(tries) == kernel.STARTUP_ATTEMPTS


def test_the_worker_refuses_a_reply_without_its_secret_or_number(tmp_path):
    """A reply line that does not carry this grader's secret and the request's number (a forged
    or shifted report) is refused, and the worker is replaced."""
    import json
    import os
    import subprocess
    import sys
    forged = {"id": 1, "token": "guess", "report": {"path": "x", "exercise": "02_mscs_building_blocks",
                                                   "results": [], "status": "graded", "error": "", "notes": []}}
    w = grader._Worker(grader.code_digest())

    def fake_start():   # a "worker" that answers every request with a forged reply
        req_r, req_w = os.pipe()
        rep_r, rep_w = os.pipe()
        w.proc = subprocess.Popen([sys.executable, "-c", "import os, sys\nr = os.fdopen(int(sys.argv[1]))\n"
                                   "o = os.fdopen(int(sys.argv[2]), 'w')\nr.readline()\nfor line in r:\n"
                                   "    o.write(sys.argv[3] + '\\n'); o.flush()", str(req_r), str(rep_w),
                                   json.dumps(forged)], pass_fds=(req_r, rep_w))
        os.close(req_r)
        os.close(rep_w)
        w.requests, w.replies = os.fdopen(req_w, "w"), os.fdopen(rep_r)
        w.requests.write(json.dumps({"token": w.token}) + "\n")
        w.requests.flush()
    w._start = fake_start
    r = w.grade(tmp_path / "a.ipynb", "02_mscs_building_blocks", "--exercise says", grader.GradeOptions())
    assert r.status == "error" and "not its own" in r.error and w.proc is None


def test_grading_stops_when_labkits_files_change_on_disk(tmp_path, monkeypatch):
    w = grader._Worker("not the digest of these files")
    with pytest.raises(lk.LabkitError, match="labkit's own files changed on disk while grading"):
        w._start()
