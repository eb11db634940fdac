"""``%load_ext labkit``: the %cluster line magic and the %%cluster cell magic, in a real IPython shell."""
from __future__ import annotations

import subprocess
import sys

import pytest

IPython = pytest.importorskip("IPython")


@pytest.fixture(scope="module")
def shell():
    from IPython.core.interactiveshell import InteractiveShell
    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "labkit")
    return ip


@pytest.fixture
def ns(shell):
    from labkit.scenarios import four_node_5000
    shell.user_ns["c"] = four_node_5000()
    shell.user_ns["small"] = __import__("labkit.scenarios", fromlist=["x"]).file_share_cluster()
    shell.magics_manager.registry["ClusterMagics"].variable = None
    yield shell.user_ns
    for k in ("c", "small"):
        shell.user_ns.pop(k, None)


def test_import_labkit_does_not_import_ipython():
    code = "import sys, labkit; print('IPython' in sys.modules, 'prompt_toolkit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_use_then_line_magic(shell, ns, capsys):
    shell.run_line_magic("cluster", "use c")
    assert "now acts on c (cluster FOUR-STOOGES)" in capsys.readouterr().out
    shell.run_line_magic("cluster", "cluster group EXVS1 /moveto:2-MOE")
    out = capsys.readouterr().out
    assert out.startswith("Moving resource group 'EXVS1'...") and ns["c"].groups["EXVS1"].owner == "2-MOE"
    shell.run_line_magic("cluster", "group EXVS1 /moveto:1-CURLY")  # "cluster" may be left out
    assert ns["c"].groups["EXVS1"].owner == "1-CURLY"


def test_the_variable_is_read_each_time(shell, ns, capsys):
    from labkit.scenarios import four_node_5000
    shell.run_line_magic("cluster", "use c")
    shell.run_line_magic("cluster", "node 2-MOE /pause")
    ns["c"] = four_node_5000()
    capsys.readouterr()
    shell.run_line_magic("cluster", "node 2-MOE")
    assert "2-MOE                2 Up" in capsys.readouterr().out


def test_dash_c_picks_a_variable_for_one_line(shell, ns, capsys):
    shell.run_line_magic("cluster", "use c")
    shell.run_line_magic("cluster", "-c small group FS /moveto:NODE2")
    assert ns["small"].groups["FS"].owner == "NODE2" and "Moving resource group 'FS'" in capsys.readouterr().out
    shell.run_line_magic("cluster", "group")
    assert "EXVS1" in capsys.readouterr().out


def test_slash_cluster_reaches_the_notebook_cluster_of_that_name(shell, ns, capsys):
    shell.run_line_magic("cluster", "/cluster:lab group FS /moveto:NODE2")  # no `use` needed
    assert ns["small"].groups["FS"].owner == "NODE2"
    shell.run_line_magic("cluster", "/cluster:TWO-STOOGES group")
    err = capsys.readouterr().err
    assert "System error 1722 has occurred" in err and "reachable: FOUR-STOOGES, LAB" in err
    shell.run_line_magic("cluster", "cluster /list")
    assert capsys.readouterr().out.splitlines()[2:] == ["FOUR-STOOGES", "LAB"]


def test_cell_magic_runs_every_line_like_a_cmd_script(shell, ns, capsys):
    before_moe = str(ns["c"].nodes["2-MOE"].state)
    shell.run_cell_magic("cluster", "-c c", "cluster node 2-MOE /pause\nrem a comment\n\n"
                                            "cluster group EXVS9 /online\ncluster group EXVS1 /moveto:3-LARRY\nwait\n")
    out, err = capsys.readouterr()
    assert before_moe == "Up" and str(ns["c"].nodes["2-MOE"].state) == "Paused"
    assert ns["c"].groups["EXVS1"].owner == "3-LARRY"
    assert "System error 5013 has occurred" in err
    assert err.strip().splitlines()[-1] == ("labkit: 1 of the cell's 4 commands was refused (each left the "
                                            "cluster as it was; the others ran)")
    assert "labkit: ran until nothing is pending" in out


@pytest.mark.parametrize("line,message", [
    ("group", "labkit: which cluster? run `%cluster use VARIABLE` once"),
    ("use nothing", "labkit: there is no variable 'nothing' in this notebook"),
    ("use 1x", "labkit: '1x' is not a variable name"),
    ("use c d", "labkit: use takes one variable name"),
    ("-c", "labkit: -c needs a variable name"),
    ("-c shell group", "labkit: there is no variable 'shell'"),
])
def test_magic_usage_errors(shell, ns, capsys, line, message):
    shell.run_line_magic("cluster", line)
    err = capsys.readouterr().err
    assert err.startswith(message) and len(err.strip().splitlines()) == 1


def test_use_refuses_something_that_is_not_a_cluster(shell, ns, capsys):
    ns["x"] = 5
    shell.run_line_magic("cluster", "use x")
    assert capsys.readouterr().err.startswith("labkit: x is a int, not a labkit Cluster")
    ns.pop("x")


def test_the_cell_header_takes_only_dash_c(shell, ns, capsys):
    shell.run_cell_magic("cluster", "group", "node\n")
    assert capsys.readouterr().err.startswith("labkit: the first line of %%cluster takes only -c VARIABLE")


def test_refusals_leave_the_cluster_as_it_was(shell, ns, capsys):
    shell.run_line_magic("cluster", "use c")
    before = ns["c"].to_dict()
    for line in ('res "Disk Q: /online', "group EXVS1 /bogus", 'res "Disk Q:" /offline', "group EXVS9 /online"):
        shell.run_line_magic("cluster", line)
    assert ns["c"].to_dict() == before
