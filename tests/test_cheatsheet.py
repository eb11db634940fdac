"""Every labkit call of the command cheat sheet (docs/cheatsheet.md) runs on the paper's
cluster: each table from the top, on a fresh labkit.scenarios.four_node_5000(), as the page
tells learners to. Every cluster.exe line of the page runs too, through
labkit.clusterexe.Session, on a second copy of the same cluster, row after row beside the
labkit call: after each row both clusters must be in the same state."""
from __future__ import annotations

import contextlib
import io
import re

import pytest

import labkit as lk
from labkit import exchange as ex, procedures as pr, scenarios
from labkit.clusterexe import Session
from _course import DOCS, sections

PAGE = (DOCS / "cheatsheet.md").read_text(encoding="utf-8")


def _cells(row: str) -> list[str]:
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", row.strip())[1:-1]]


def tables() -> dict[str, list[list[str]]]:
    out = {}
    for title, body in sections(PAGE, 2).items():
        rows = [line for line in body.splitlines() if line.startswith("|")]
        if not rows or not _cells(rows[0])[0].lower().startswith("labkit"):
            continue
        assert [c.split(" ")[0] for c in _cells(rows[0])] == ["labkit", "cluster.exe", "Cluster", "PowerShell"], title
        out[title] = [_cells(r) for r in rows[2:]]
    return out


TABLES = tables()


def test_the_cheat_sheet_covers_nodes_groups_and_resources():
    assert {"Nodes", "Groups", "Resources"} <= set(TABLES)
    assert sum(len(rows) for rows in TABLES.values()) >= 35
    cmdlets = {c for rows in TABLES.values() for r in rows for c in re.findall(r"\b[A-Z][a-z]+-Cluster\w+", r[3])}
    assert {"Move-ClusterGroup", "Start-ClusterResource", "Suspend-ClusterNode", "Resume-ClusterNode",
            "Add-ClusterResourceDependency", "Set-ClusterOwnerNode"} <= cmdlets


@pytest.fixture(scope="module")
def base():
    return scenarios.four_node_5000()


@pytest.mark.parametrize("title", list(TABLES))
def test_every_labkit_call_of_a_table_runs_on_the_papers_cluster(title, base):
    c = base.copy()
    ns = {"c": c, "lk": lk, "ex": ex, "pr": pr, "scenarios": scenarios}
    for row in TABLES[title]:
        code = re.fullmatch(r"`([^`]+)`", row[0])
        assert code, f"{title}: the labkit cell is not one code span: {row[0]}"
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                exec(code.group(1), ns)
        except lk.LabkitError as e:
            pytest.fail(f"{title}: `{code.group(1)}` was refused: {type(e).__name__}: {e}")
    c.run_until_stable()


def test_the_calls_do_what_the_other_columns_say(base):
    """A few rows checked for their effect, not only that they run."""
    c = base.copy()
    c.move_group("EXVS1", "2-MOE")
    c.run_until_stable()
    assert c.groups["EXVS1"].owner == "2-MOE"
    c.pause_node("2-MOE")
    assert str(c.nodes["2-MOE"].state) == "Paused"
    c.set_preferred_owners("EXVS1", ["1-CURLY", "3-LARRY"])
    assert c.groups["EXVS1"].preferred_owners[:2] == ["1-CURLY", "3-LARRY"]


#: the labkit verbs of a %%cluster cell that stand for what is no command (a power cut,
#: time passing, the log file); Session runs them like cluster.exe lines
VERBS = ("crash ", "run ", "log ", "wait")


def session_lines(cell: str) -> list[str]:
    """The lines of a cluster.exe cell that Session runs: its ``cluster ...`` commands and
    labkit verbs, in order (``net stop clussvc`` is a Windows command, not cluster.exe)."""
    return [s for s in re.findall(r"`([^`]+)`", cell) if s.startswith(("cluster ", *VERBS))]


def test_cluster_exe_cells_are_windows_2000_commands_or_say_why_not():
    for title, rows in TABLES.items():
        for row in rows:
            cell = row[1]
            spans = re.findall(r"`([^`]+)`", cell)
            if cell.startswith("`"):
                assert spans and all(s.startswith(("cluster ", "net ")) for s in spans), (title, cell)
                # a Windows 2000 `net` command only as the alternative to a later cluster.exe option
                assert all("Windows Server 2003" in cell for s in spans if s.startswith("net ")), (title, cell)
            else:
                assert cell.startswith("(") or cell == "—", f"{title}: {cell}"
            # every row can be typed into %%cluster: a cluster.exe line or a labkit verb
            assert session_lines(cell) or spans and all(s.startswith("%SystemRoot%") for s in spans), (title, cell)


def state(c) -> dict:
    """What both sides must agree on: the whole saved state -- clock, event queue, random
    state and log included -- but the log lines of ``/priv``. Those differ by design:
    cluster.exe creates a resource and then sets its private properties, which the cluster
    logs ("private properties set"); the labkit call gives them at creation, which logs
    nothing of the kind. Both sides are run until stable after each row (the labkit column
    says ``c.run_until_stable()``; cluster.exe waits until *its* object settles)."""
    d = c.to_dict()
    d["log"] = [e for e in d["log"] if e[3] != "private properties set"]  # [time, node, object, what, why]
    return d


@pytest.mark.parametrize("title", list(TABLES))
def test_every_cluster_exe_line_gives_the_state_of_the_labkit_call(title, base):
    py, exe = base.copy(), base.copy()
    ns = {"c": py, "lk": lk, "ex": ex, "pr": pr, "scenarios": scenarios}
    session = Session(exe)
    for row in TABLES[title]:
        code = re.fullmatch(r"`([^`]+)`", row[0]).group(1)
        with contextlib.redirect_stdout(io.StringIO()):
            exec(code, ns)
        for line in session_lines(row[1]):
            r = session.run(line)
            assert r.ok, f"{title}: `{line}` (beside `{code}`) was refused:\n{r.error}"
        py.run_until_stable()
        exe.run_until_stable()
        assert state(exe) == state(py), f"{title}: `{row[1]}` and `{code}` leave different clusters"


def test_the_state_comparison_would_catch_a_wrong_line(base):
    """The comparison above is not blind: a cluster.exe line that does something else
    (EXVS1 to 3-LARRY instead of 2-MOE) leaves a different state."""
    py, exe = base.copy(), base.copy()
    py.move_group("EXVS1", "2-MOE")
    assert Session(exe).run("cluster group EXVS1 /moveto:3-LARRY").ok
    py.run_until_stable()
    exe.run_until_stable()
    assert state(exe) != state(py)


def test_a_call_labkit_refuses_would_fail_the_test(base):
    """The runner above reports a refusal: a row moving a group to a paused node is refused."""
    c = base.copy()
    c.pause_node("2-MOE")
    with pytest.raises(lk.LabkitError):
        exec('c.move_group("EXVS1", "2-MOE")', {"c": c})
