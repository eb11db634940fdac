"""Every labkit call of the command cheat sheet (docs/cheatsheet.md) runs on the paper's
cluster: each table from the top, on a fresh labkit.scenarios.four_node_5000(), as the page
tells learners to. The cluster.exe column is checked for form here; that every line parses
is the cluster.exe front end's test to make."""
from __future__ import annotations

import contextlib
import io
import re

import pytest

import labkit as lk
from labkit import exchange as ex, procedures as pr, scenarios
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


def test_cluster_exe_cells_are_windows_2000_commands_or_say_why_not():
    for title, rows in TABLES.items():
        for row in rows:
            cell = row[1]
            spans = re.findall(r"`([^`]+)`", cell)
            if cell.startswith("`"):
                assert spans and all(s.startswith(("cluster ", "net ")) for s in spans), (title, cell)
                assert all(not s.startswith("net ") for s in spans if cell.startswith("`cluster")), (title, cell)
            else:
                assert cell.startswith("(") or cell == "—", f"{title}: {cell}"


def test_a_call_labkit_refuses_would_fail_the_test(base):
    """The runner above reports a refusal: a row moving a group to a paused node is refused."""
    c = base.copy()
    c.pause_node("2-MOE")
    with pytest.raises(lk.LabkitError):
        exec('c.move_group("EXVS1", "2-MOE")', {"c": c})
