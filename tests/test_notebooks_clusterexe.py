"""cluster.exe in the notebooks (issue 18): from notebook 02 on, each notebook runs at
least one operation as `cluster.exe` lines through the ``%cluster`` / ``%%cluster``
magics, next to the Python that does the same; together they pair each kind of
operation a learner performs; and notebook 08 has a failover drill made of ``%%cluster``
cells only, with a prediction, a reveal and a check question.

The notebooks' stored outputs are what these tests read (nbval re-runs each notebook and
compares them), so a pair that stopped working would fail here or there."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from labkit.clusterexe import parse
from labkit.clusterexe.session import LABKIT_VERBS, is_comment

NB = Path(__file__).resolve().parents[1] / "notebooks"
CHAIN = sorted(p.stem for p in NB.glob("[01][0-9]_*.ipynb") if p.stem >= "02")


def _cells(name):
    return json.loads((NB / f"{name}.ipynb").read_text(encoding="utf-8"))["cells"]


def _src(cell):
    return "".join(cell["source"])


def _text(cell, stream=None):
    return "".join("".join(o.get("text", "")) for o in cell.get("outputs", [])
                   if stream is None or o.get("name") == stream)


def cluster_lines(cell) -> list[str]:
    """The cluster.exe lines a code cell runs: a ``%%cluster`` cell's body, or the
    ``%cluster ...`` lines of a Python cell (``use`` and ``-c VAR`` taken off)."""
    src = _src(cell)
    if src.startswith("%%cluster"):
        return [ln for ln in src.splitlines()[1:] if not is_comment(ln)]
    out = []
    for ln in src.splitlines():
        if ln.startswith("%cluster "):
            words = ln.split()[1:]
            if words[0] == "use":
                continue
            if words[0] == "-c":
                words = words[2:]
            out.append(" ".join(words))
    return out


def _is_verb(line: str) -> bool:
    return line.split()[0].lower() in LABKIT_VERBS


@pytest.mark.parametrize("name", CHAIN)
def test_each_notebook_from_02_runs_cluster_exe_lines(name):
    cells = _cells(name)
    code = [c for c in cells if c["cell_type"] == "code"]
    uses = [i for i, c in enumerate(code) if cluster_lines(c)]
    assert uses, f"{name}: no %cluster or %%cluster cell"
    ext = next(i for i, c in enumerate(code) if "%load_ext labkit" in _src(c))
    assert ext <= uses[0], f"{name}: %load_ext labkit comes after the first %cluster"
    for i in uses:
        c = code[i]
        assert c["outputs"] and _text(c, "stdout"), f"{name}: {_src(c)[:60]} printed nothing"
        assert not any(o.get("output_type") == "error" for o in c["outputs"]) and "Traceback" not in _text(c)
        # a cell only shows what it means to: its lines parse as cluster.exe (or are labkit verbs)
        for line in cluster_lines(c):
            assert _is_verb(line) or parse(line), line
    # a markdown cell near the first pair says what the administrator would type
    i = cells.index(code[uses[0]])
    near = " ".join(_src(c) for c in cells[max(0, i - 3):i] if c["cell_type"] == "markdown")
    assert "`cluster" in near or "cluster.exe" in near, f"{name}: no sentence introduces the cluster.exe lines"


def test_the_pairs_cover_each_kind_of_operation():
    """Across notebooks 02-11, the cluster.exe forms of what learners do in Python: create
    and set a resource, add a dependency, take a group offline and online, move it, set
    and list its owners and properties, fail a resource, read node and group status."""
    used = set()
    for name in CHAIN:
        for c in _cells(name):
            if c["cell_type"] == "code":
                for line in cluster_lines(c):
                    if not _is_verb(line):
                        cmd = parse(line)
                        used.add((cmd.object, cmd.option))
    want = {("group", "offline"), ("group", "online"), ("group", "moveto"), ("group", "setowners"),
            ("group", "listowners"), ("group", "properties"), ("group", "status"), ("node", "status"),
            ("resource", "create"), ("resource", "privproperties"), ("resource", "adddependency"),
            ("resource", "fail")}
    assert want <= used, sorted(want - used)


def test_notebook_08_has_a_failover_drill_made_of_cluster_cells():
    cells = _cells("08_operations")
    start = next(i for i, c in enumerate(cells) if _src(c).startswith("## 8 · A failover drill"))
    end = next(i for i, c in enumerate(cells) if "## Check your understanding" in _src(c))
    section = cells[start:end]
    code = [c for c in section if c["cell_type"] == "code"]
    drill = [c for c in code if _src(c).startswith("%%cluster")]
    others = [c for c in code if c not in drill]
    # the drill's own steps are %%cluster cells; the rest only set up, predict and reveal
    assert len(drill) >= 4
    assert all("lk.predict" in _src(c) or ".reveal(" in _src(c) or "%load_ext labkit" in _src(c) for c in others)
    lines = [ln for c in drill for ln in cluster_lines(c)]
    kinds = {(parse(ln).object, parse(ln).option) for ln in lines if not _is_verb(ln)}
    assert {("group", "status"), ("group", "moveto"), ("resource", "fail"), ("node", "status")} <= kinds
    assert any(ln == "wait" for ln in lines)
    out = "".join(_text(c) for c in drill)
    assert "failed over: 'EXVS2 IP Address' exceeded its restart threshold" in out
    assert "EXVS2                2-MOE           Online" in out.split("Moving resource group 'EXVS2'")[-1]
    # a prediction before the failure, its reveal after, and a check question on the drill
    assert any("lk.predict" in _src(c) for c in others) and any(".reveal(" in _src(c) for c in others)
    check = next(c for c in cells[end:] if c["cell_type"] == "code")
    assert "oncall" in _src(check) and "restart_threshold" in _src(check)
