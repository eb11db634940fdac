"""A graded exercise accepts either form: the grader checks the cluster a notebook leaves,
not whether it was built with Python calls or with ``%%cluster`` commands.

Exercise 02's solution is graded twice -- as written (Python) and with its answers typed
as cluster.exe commands -- and so is a plausible wrong answer in both forms (the print
spooler without its dependency on the disk). Each pair gets the same verdict, question by
question. Only ``labkit.grading``'s public functions are used."""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from labkit import grading

ROOT = Path(__file__).resolve().parents[1]
EXERCISE = "02_mscs_building_blocks"

#: The answers of exercise 02, questions 1, 2, 4 and 5, as cluster.exe commands (question 3
#: measures a time and question 6 reads Python exceptions: they stay in Python).
CLUSTER_EXE = {
    'c1 = two_nodes("EX02A")': ("c1", """\
cluster group PRINT /create
cluster res "Disk P" /create /group:PRINT /type:"Physical Disk" Drive=P:
cluster res "IP P" /create /group:PRINT /type:"IP Address" Address=10.2.0.50
cluster res "Name P" /create /group:PRINT /type:"Network Name" Name=PRINT1 /adddep:"IP P"
cluster res Spooler /create /group:PRINT /type:"Generic Service" ServiceName=Spooler /adddep:"Disk P" /adddep:"Name P"
cluster group PRINT /online:NODE2"""),
    'c2 = two_nodes("EX02B")': ("c2", """\
cluster res "SQL Server" /adddep:"Disk S"
cluster res "SQL Server" /adddep:"Name S"
cluster res "Name S" /adddep:"IP S"
cluster res "SQL Agent" /adddep:"SQL Server\""""),
    'c4 = lk.Cluster("EX02D"': ("c4", 'cluster group "Cluster Group" /moveto:NODE1'),
    'c5 = two_nodes("EX02E")': ("c5", """\
cluster res "IP BAD" /create /group:BAD /type:"IP Address" Address=10.2.0.102
cluster res "Name BAD" /adddep:"IP BAD"
cluster group BAD /online:NODE1"""),
}
#: Question 1 as an administrator types it on a real cluster: cluster.exe creates each
#: resource first and sets its private properties afterwards with /priv.
PRIV_FORM = [('cluster res "IP P" /create /group:PRINT /type:"IP Address" Address=10.2.0.50',
              'cluster res "IP P" /create /group:PRINT /type:"IP Address"\n'
              'cluster res "IP P" /priv Address=10.2.0.50 SubnetMask=255.255.255.0'),
             ('cluster res "Name P" /create /group:PRINT /type:"Network Name" Name=PRINT1 /adddep:"IP P"',
              'cluster res "Name P" /create /group:PRINT /type:"Network Name"\n'
              'cluster res "Name P" /priv Name=PRINT1\ncluster res "Name P" /adddep:"IP P"')]
WRONG_PY = ('dependencies=["Disk P", "Name P"]', 'dependencies=["Name P"]')
WRONG_EXE = (' /adddep:"Disk P" /adddep:"Name P"', ' /adddep:"Name P"')


def _solution():
    return nbformat.read(ROOT / "solutions" / f"{EXERCISE}.ipynb", as_version=4)


def _drop_check_cell(nb):
    nb.cells = [c for c in nb.cells if "labkit.grading.check" not in c.source]
    return nb


def python_form(wrong: bool = False):
    nb = _drop_check_cell(_solution())
    if wrong:
        cell = next(c for c in nb.cells if WRONG_PY[0] in c.source)
        cell.source = cell.source.replace(*WRONG_PY)
    return nb


def cluster_exe_form(wrong: bool = False, priv: bool = False):
    """The solution with each answer between BEGIN and END SOLUTION replaced by a
    ``%%cluster -c VAR`` cell of the same answer (``priv``: question 1 with the addresses
    and names set by ``/priv`` after ``/create``, as on a real cluster)."""
    nb = _drop_check_cell(_solution())
    cells = [nbformat.v4.new_code_cell("%load_ext labkit")]
    done = set()
    for cell in nb.cells:
        key = next((k for k in CLUSTER_EXE if cell.cell_type == "code" and k in cell.source), None)
        if key is None:
            cells.append(cell)
            continue
        var, commands = CLUSTER_EXE[key]
        if wrong and var == "c1":
            commands = commands.replace(*WRONG_EXE)
        if priv and var == "c1":
            for one_line, two_steps in PRIV_FORM:
                assert one_line in commands
                commands = commands.replace(one_line, two_steps)
        before, rest = cell.source.split("# BEGIN SOLUTION\n", 1)
        _, after = rest.split("# END SOLUTION\n", 1)
        cells.append(nbformat.v4.new_code_cell(before.rstrip()))
        cells.append(nbformat.v4.new_code_cell(f"%%cluster -c {var}\n{commands}"))
        if after.strip():
            cells.append(nbformat.v4.new_code_cell(after.strip()))
        done.add(key)
    assert done == set(CLUSTER_EXE)
    nb.cells = cells
    return nb


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    # the instructor's layout: a folder named after the exercise says which exercise it is
    root = tmp_path_factory.mktemp("submissions")
    folder = root / EXERCISE
    folder.mkdir()
    for name, nb in [("python_right", python_form()), ("clusterexe_right", cluster_exe_form()),
                     ("python_wrong", python_form(wrong=True)), ("clusterexe_wrong", cluster_exe_form(wrong=True)),
                     ("clusterexe_priv", cluster_exe_form(priv=True))]:
        nbformat.write(nb, folder / f"{name}.ipynb")
    result = grading.grade_dir(root, out=root / "grades.csv", jobs=2)
    return {Path(r.path).stem: r for r in result.reports}


def _verdict(report):
    assert report.status == "graded", report.error
    return [(q.name, q.points, q.passed) for q in report.results]


def test_the_cluster_exe_form_uses_the_magic():
    nb = cluster_exe_form()
    cells = [c.source for c in nb.cells if c.source.startswith("%%cluster")]
    python_answers = [c for c in nb.cells if c.cell_type == "code" and "# BEGIN SOLUTION" in c.source]
    assert len(cells) == 4 and len(python_answers) == 2  # questions 3 and 6 stay in Python


def test_both_forms_of_the_right_answer_get_full_marks(book):
    py, exe = _verdict(book["python_right"]), _verdict(book["clusterexe_right"])
    assert py == exe
    assert all(passed for _, _, passed in exe) and book["clusterexe_right"].score == book["clusterexe_right"].max_score


def test_both_forms_of_a_wrong_answer_get_the_same_verdict(book):
    py, exe = _verdict(book["python_wrong"]), _verdict(book["clusterexe_wrong"])
    assert py == exe
    failed = [name for name, _, passed in exe if not passed]
    assert failed == ["print_server"]
    msgs = {q.name: q.message for q in book["clusterexe_wrong"].results}
    assert msgs["print_server"] == {q.name: q.message for q in book["python_wrong"].results}["print_server"]


def test_the_administrators_create_then_priv_form_gets_full_marks(book):
    """cluster.exe's own order -- /create, then /priv Address=... or Name=..., then /adddep --
    builds the same cluster, so it gets the same marks as the Python."""
    assert "/priv Address=10.2.0.50" in "".join(c.source for c in cluster_exe_form(priv=True).cells)
    assert _verdict(book["clusterexe_priv"]) == _verdict(book["python_right"])
    assert book["clusterexe_priv"].score == book["clusterexe_priv"].max_score
