"""The `labkit` command: help everywhere, exit codes, one-line errors, and each sub-command."""
from __future__ import annotations

import importlib.machinery
import subprocess
import sys
import types
from pathlib import Path

import pytest

import labkit as lk
from labkit import cli, files
from labkit.io.pacemaker import crm_tool

ROOT = Path(__file__).resolve().parents[1]
SHARE = ROOT / "examples" / "two_node_file_share.yaml"
EXCHANGE = ROOT / "examples" / "exchange_two_node.yaml"
SUBCOMMANDS = ["lab", "simulate", "diagram", "export-pacemaker", "check", "grade", "make-exercises"]


def run(argv, capsys):
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def no_grading(monkeypatch):
    """Behave as if labkit.grading were not installed (whatever this checkout holds)."""
    real = cli.importlib.util.find_spec
    monkeypatch.setattr(cli.importlib.util, "find_spec",
                        lambda name, *a: None if name == "labkit.grading" else real(name, *a))


@pytest.fixture
def fake_grading(monkeypatch):
    calls = []
    mod = types.ModuleType("labkit.grading")
    mod.__spec__ = importlib.machinery.ModuleSpec("labkit.grading", None)
    mod.main_check = lambda argv: calls.append(("check", argv)) or 1
    mod.main_grade = lambda argv: calls.append(("grade", argv)) or 0
    mod.main_make_exercises = lambda argv: calls.append(("make-exercises", argv)) or 0
    monkeypatch.setitem(sys.modules, "labkit.grading", mod)
    return calls


# -------------------------------------------------------------------------- help, codes
@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_every_subcommand_has_help(command, capsys, no_grading):
    code, out, err = run([command, "--help"], capsys)
    assert code == 0
    assert f"labkit {command}" in out


def test_top_level_help_lists_every_subcommand(capsys):
    code, out, _ = run(["--help"], capsys)
    assert code == 0 and all(c in out for c in SUBCOMMANDS)


def test_no_command_is_a_usage_error(capsys):
    code, out, _ = run([], capsys)
    assert code == 2 and "usage: labkit" in out


def test_unknown_command_and_option_are_usage_errors(capsys):
    code, _, err = run(["fly"], capsys)
    assert code == 2 and "invalid choice: 'fly'" in err
    code, _, err = run(["simulate", str(SHARE), "--wings"], capsys)
    assert code == 2 and "unrecognized arguments: --wings" in err


def test_version(capsys):
    code, out, _ = run(["--version"], capsys)
    assert code == 0 and out.strip() == f"labkit {lk.__version__}"


def test_the_installed_console_script_gives_one_line_errors_without_traceback(tmp_path):
    script = Path(sys.executable).parent / "labkit"
    if not script.exists():
        pytest.skip("the labkit console script is not installed in this environment (pip install -e .)")
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: labkit cluster file\nversion: 1\n")
    out = subprocess.run([str(script), "simulate", str(bad)], capture_output=True, text=True)
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [
        f"labkit: {bad}: the file is incomplete: it does not end with 'end: labkit cluster file' "
        "(truncated while it was written or copied?)"]
    assert "Traceback" not in out.stderr
    ok = subprocess.run([str(script), "--help"], capture_output=True, text=True)
    assert ok.returncode == 0


# -------------------------------------------------------------------------------- simulate
def test_simulate_prints_the_transition(capsys):
    code, out, err = run(["simulate", str(SHARE), "--event", "crash 1-CURLY", "--event", "run 10m"], capsys)
    assert code == 0, err
    assert "Current cluster status:" in out and "Revised cluster status" in out
    summary = out.split("Transition summary:")[1].split("Executing cluster transition:")[0]
    # what moved where, in what order, how long clients waited
    lines = summary.strip("\n").splitlines()
    assert lines[0].startswith("  * Move  Cluster Group  (1-CURLY -> 2-MOE)  clients waited ")
    assert lines[1].startswith("  * Move  FILES          (1-CURLY -> 2-MOE)  clients waited ")
    assert "[1-CURLY] removed from membership" in out
    assert "Client outages (group not Online):" in out


def test_simulate_waits_match_the_groups_outages(capsys, tmp_path):
    out_file = tmp_path / "after.yaml"
    code, out, _ = run(["simulate", str(SHARE), "-e", "crash 1-CURLY", "--save", str(out_file)], capsys)
    assert code == 0
    c = files.load(out_file)
    start, end = c.groups["FILES"].outages[-1]
    waited = f"{(end - start) / 1000:.1f} s"
    assert f"clients waited {waited}" in out


def test_simulate_save_equals_the_same_events_in_python(capsys, tmp_path):
    out_file = tmp_path / "after.json"
    events = ["fail Public Share", "stable", "move FILES 2-MOE", "run 1m", "pause 1-CURLY", "stable"]
    args = ["simulate", str(SHARE), "--save", str(out_file)]
    for e in events:
        args += ["--event", e]
    code, out, err = run(args, capsys)
    assert code == 0, err
    c = files.load(SHARE)
    c.fail_resource("Public Share")
    c.run_until_stable()
    c.move_group("FILES", "2-MOE")
    c.run(minutes=1)
    c.pause_node("1-CURLY")
    c.run_until_stable()
    assert files.load(out_file).to_dict() == c.to_dict()
    assert "Move  FILES  (1-CURLY -> 2-MOE)" in out


def test_a_refused_event_is_one_line_and_exit_2(capsys):
    code, out, err = run(["simulate", str(SHARE), "-e", "crash 2-MOE", "-e", "move FILES 2-MOE"], capsys)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("labkit: error: event 2 ('move FILES 2-MOE') refused: node 2-MOE is Down")


@pytest.mark.parametrize("event,expect", [
    ("dance NODE1", "unknown event 'dance NODE1'"),
    ("crash", "needs a name after 'crash'"),
    ("run soon", "cannot read duration 'soon'"),
    ("fail 'Public Share", "cannot read event"),
    ("crash 9-NOBODY", "no node named '9-NOBODY'"),
])
def test_bad_events_are_input_errors(event, expect, capsys):
    code, _, err = run(["simulate", str(SHARE), "-e", event], capsys)
    assert code == 2 and expect in err and "Traceback" not in err


def test_a_bad_cluster_file_lists_every_problem_on_one_line(tmp_path, capsys):
    text = SHARE.read_text().replace('"preferred_owners": ["1-CURLY", "2-MOE"]', '"preferred_owners": ["1-CURLY", "5-SHEMP"]')
    text = text.replace('  2-MOE: {"id": 2,', '  2-MOE: {"id": "two",')
    assert "5-SHEMP" in text and '"two"' in text
    bad = tmp_path / "bad.yaml"
    bad.write_text(text)
    code, out, err = run(["simulate", str(bad), "-e", "crash 1-CURLY"], capsys)
    assert code == 2 and out == ""
    assert err.strip().splitlines() == [
        f"labkit: {bad}: 2 problems: nodes.2-MOE.id: expected a whole number, not 'two'; "
        "groups.FILES.preferred_owners[1]: no node named 5-SHEMP"]


def test_a_missing_file_is_an_input_error(tmp_path, capsys):
    code, _, err = run(["simulate", str(tmp_path / "none.yaml")], capsys)
    assert code == 2 and err.strip() == f"labkit: {tmp_path / 'none.yaml'}: no such file"


@pytest.mark.parametrize("text,expect", [
    ("fail Public Share", ("fail_resource", "Public Share")),
    ("fail 'Public Share'", ("fail_resource", "Public Share")),
    ("move FILES 2-MOE", ("move_group", "FILES", "2-MOE")),
    ("move FILES", ("move_group", "FILES", None)),
    ("online FILES", ("online_group", "FILES", None)),
    ("fault Public Share hang persistent", ("inject_fault", "Public Share", "hang", True, False)),
    ("partition 1-CURLY / 2-MOE", ("partition", [["1-CURLY"], ["2-MOE"]])),
])
def test_events_read_names_with_spaces(text, expect):
    calls = []

    class Spy:
        nodes = {"1-CURLY": 1, "2-MOE": 2}
        groups = {"FILES": 1}
        resources = {"Public Share": 1}

        def find_name(self, table, name):
            return name if name in getattr(self, table) else None

        def __getattr__(self, name):
            def record(*args, **kwargs):
                calls.append((name, *args, *kwargs.values()))
            return record

    cli.apply_event(Spy(), text)
    assert calls == [expect]


# --------------------------------------------------------------------------------- diagram
@pytest.mark.parametrize("name,magic", [("c.svg", b"<?xml"), ("c.png", b"\x89PNG"), ("c.dot", b"digraph")])
def test_diagram_writes_svg_png_and_dot(tmp_path, capsys, name, magic):
    out = tmp_path / name
    code, _, err = run(["diagram", str(EXCHANGE), "--out", str(out)], capsys)
    assert code == 0, err
    assert out.read_bytes().lstrip().startswith(magic)


def test_diagram_of_one_group(tmp_path, capsys):
    out = tmp_path / "g.dot"
    assert run(["diagram", str(EXCHANGE), "--out", str(out), "--group", "EXVS1"], capsys)[0] == 0
    assert "Exchange System Attendant - (EXVS1)" in out.read_text()


def test_diagram_refuses_bad_output_and_unknown_group(tmp_path, capsys):
    code, _, err = run(["diagram", str(SHARE), "--out", str(tmp_path / "c.pdf")], capsys)
    assert code == 2 and "--out must end in .svg, .png or .dot" in err
    code, _, err = run(["diagram", str(SHARE), "--out", str(tmp_path / "c.svg"), "--group", "NOPE"], capsys)
    assert code == 2 and "no group named 'NOPE'" in err
    assert not (tmp_path / "c.svg").exists()


# ------------------------------------------------------------------------ export-pacemaker
def test_export_pacemaker_to_stdout_and_file(tmp_path, capsys):
    code, out, _ = run(["export-pacemaker", str(SHARE)], capsys)
    assert code == 0 and out.startswith("<cib ") and "grp-FILES" in out
    target = tmp_path / "cib.xml"
    code, out, _ = run(["export-pacemaker", str(SHARE), "--out", str(target), "--style", "group"], capsys)
    assert code == 0 and '<group id="grp-FILES"' in target.read_text()


@pytest.mark.skipif(crm_tool("crm_verify") is None,
                    reason="crm_verify not installed (Debian package pacemaker-cli-utils)")
def test_export_pacemaker_verify(tmp_path, capsys):
    code, out, err = run(["export-pacemaker", str(EXCHANGE), "--out", str(tmp_path / "cib.xml"), "--verify"], capsys)
    assert code == 0, err
    assert "crm_verify: valid" in out


# ------------------------------------------------------------------------------------ lab
def test_lab_runs_setup_then_jupyterlab(capsys):
    code, out, _ = run(["lab", "--dry-run", "--no-browser"], capsys)
    assert code == 0
    setup, lab = out.strip().splitlines()
    assert setup == str(ROOT / "scripts" / "setup.sh")
    assert lab == f"{ROOT / 'scripts' / 'lab.sh'} --no-browser"
    assert "notebooks/00_start_here.ipynb" in (ROOT / "scripts" / "lab.sh").read_text()


def test_lab_outside_a_checkout_is_an_input_error(monkeypatch, capsys):
    monkeypatch.setattr(cli, "repo_root", lambda: None)
    code, _, err = run(["lab"], capsys)
    assert code == 2 and "needs a source checkout" in err


# ---------------------------------------------------------------------------- grading
def test_grading_commands_are_delegated_with_the_remaining_arguments(fake_grading, capsys):
    assert cli.main(["check", "a.ipynb", "b.ipynb"]) == 1
    assert cli.main(["grade", "subs", "--out", "grades.csv"]) == 0
    assert cli.main(["make-exercises"]) == 0
    assert fake_grading == [("check", ["a.ipynb", "b.ipynb"]), ("grade", ["subs", "--out", "grades.csv"]),
                            ("make-exercises", [])]


@pytest.mark.parametrize("command", ["check", "grade", "make-exercises"])
def test_missing_grading_package_is_one_line_and_exit_2(command, no_grading, capsys):
    code, _, err = run([command, "x"], capsys)
    assert code == 2
    assert err.strip() == (f"labkit {command}: error: the grading package (labkit.grading) is not installed in "
                           "this copy of labkit")


def test_a_closed_pipe_is_not_an_error(tmp_path):
    """`labkit simulate ... | head`: when the reader leaves, labkit exits quietly."""
    import subprocess
    import sys
    from pathlib import Path
    example = Path(__file__).resolve().parents[1] / "examples" / "four_node_5000.yaml"
    p = subprocess.run(f"{sys.executable} -m labkit.cli simulate {example} --event 'crash 1-CURLY' "
                       f"--event 'run 10m' | head -1", shell=True, capture_output=True, text=True)
    assert "Broken pipe" not in p.stderr and "Traceback" not in p.stderr
