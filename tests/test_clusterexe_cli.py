"""``labkit cluster FILE ...``: one command, -c lines, a script on standard input, --save
(atomic, and only when every command succeeded), one-line usage errors, and the
interactive prompt (history, Tab completion, help) driven through a pseudo-terminal."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from labkit import cli, files
from labkit.io import writer
from labkit.clusterexe.cli import argv_to_line, split_args

ROOT = Path(__file__).resolve().parents[1]
REF = ROOT / "examples" / "four_node_5000.yaml"
LABKIT = Path(sys.executable).with_name("labkit")


@pytest.fixture
def ref(tmp_path):
    p = tmp_path / "four.yaml"
    shutil.copy(REF, p)
    return p


def run(argv, capsys):
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_one_command_from_the_words(ref, capsys):
    code, out, err = run(["cluster", str(ref), "group", "EXVS1", "/moveto:2-MOE"], capsys)
    assert code == 0 and err == ""
    assert out.startswith("Moving resource group 'EXVS1'...\n\nGroup                Node            Status\n")
    assert ref.read_bytes() == REF.read_bytes()  # no --save: the file is untouched


def test_the_shell_took_the_quotes_off_and_they_come_back(ref, capsys):
    code, out, _ = run(["cluster", str(ref), "res", "Disk Q:", "/status"], capsys)
    assert code == 0 and "Disk Q:              Cluster Group        1-CURLY         Online" in out
    assert argv_to_line(["res", "EXVS1 IP", "/create", "/group:EXVS1", "/type:IP Address", "Address=1.2.3.4"]) == \
        'res "EXVS1 IP" /create /group:EXVS1 /type:"IP Address" Address=1.2.3.4'


def test_save_in_place(ref, capsys):
    code, out, _ = run(["cluster", str(ref), "-c", "node 2-MOE /pause", "-c", "group EXVS2 /move", "--save"], capsys)
    assert code == 0 and out.rstrip().endswith(f"labkit: saved to {ref}")
    c = files.load(ref)
    assert str(c.nodes["2-MOE"].state) == "Paused" and c.groups["EXVS2"].owner == "3-LARRY"
    assert sorted(p.name for p in ref.parent.iterdir()) == ["four.yaml"]  # no temporary file left behind


def test_save_elsewhere_leaves_the_source(ref, tmp_path, capsys):
    out_path = tmp_path / "after.json"
    code, _, _ = run(["cluster", str(ref), "--save", str(out_path), "group", "EXVS1", "/moveto:4-JERRY"], capsys)
    assert code == 0 and ref.read_bytes() == REF.read_bytes()
    assert files.load(out_path).groups["EXVS1"].owner == "4-JERRY"


def test_a_refused_command_exits_2_and_saves_nothing(ref, capsys):
    code, out, err = run(["cluster", str(ref), "-c", "node 2-MOE /pause", "-c", "group EXVS9 /online",
                          "-c", "node 3-LARRY /pause", "--save"], capsys)
    assert code == 2 and "Pausing node '2-MOE'" in out and "Pausing node '3-LARRY'" in out  # as cmd.exe goes on
    assert err.splitlines()[:2] == ["System error 5013 has occurred (0x00001395).",
                                    "The cluster group could not be found."]
    assert err.splitlines()[-1] == f"labkit: 1 of 3 commands refused; nothing saved ({ref} is unchanged)"
    assert ref.read_bytes() == REF.read_bytes()


def test_a_syntax_error_is_one_line(ref, capsys):
    code, out, err = run(["cluster", str(ref), "res", '"Disk Q:', "/online"], capsys)
    assert code == 2 and out == "" and err == "Closing quote not found. '\"' expected after 'Disk Q: /online'.\n"


@pytest.mark.parametrize("argv,message", [
    (["--bogus"], "labkit cluster: error: unrecognized option --bogus"),
    (["-c"], "labkit cluster: error: -c needs a command line after it"),
    (["--save", "--save"], "labkit cluster: error: --save is given twice"),
    (["--save=out.txt"], "labkit cluster: error: --save out.txt: a cluster file's name ends in .yaml, .yml or .json"),
])
def test_usage_errors_are_one_line(ref, capsys, argv, message):
    code, out, err = run(["cluster", str(ref), *argv], capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1 and err.startswith(message)
    assert ref.read_bytes() == REF.read_bytes()


def test_a_bad_file_is_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("nodes: [", encoding="utf-8")
    code, out, err = run(["cluster", str(bad), "group"], capsys)
    assert code == 2 and out == "" and "Traceback" not in err and err.startswith(f"labkit: {bad}")
    code, _, err = run(["cluster", str(tmp_path / "none.yaml"), "group"], capsys)
    assert code == 2 and "no such file" in err


def test_split_args():
    assert split_args(["group", "X", "--save", "a.yaml", "-c", "node"]) == (["group", "X"], ["node"], "a.yaml")
    assert split_args(["--save", "group", "X"]) == (["group", "X"], [], True)
    assert split_args(["--", "--save"]) == (["--save"], [], None)


def test_a_crash_while_saving_keeps_the_old_file(ref, capsys, monkeypatch):
    def boom(src, dst):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(writer.os, "replace", boom)
    code, out, err = run(["cluster", str(ref), "group", "EXVS1", "/moveto:2-MOE", "--save"], capsys)
    assert code == 2 and "No space left on device" in err and "Traceback" not in err
    assert ref.read_bytes() == REF.read_bytes()
    assert sorted(p.name for p in ref.parent.iterdir()) == ["four.yaml"]


def test_help(capsys):
    code, out, _ = run(["cluster", "--help"], capsys)
    assert code == 0 and "usage: labkit cluster CLUSTERFILE" in out


def test_a_script_on_standard_input(ref):
    script = "\ufeffrem a drill\r\ncluster node 2-MOE /pause\r\n\r\ncluster group EXVS2 /moveto:3-LARRY\ncluster node\n"
    p = subprocess.run([str(LABKIT), "cluster", str(ref), "--save"], input=script, capture_output=True, text=True,
                       timeout=600)
    assert p.returncode == 0 and p.stderr == "", p.stderr
    assert "Pausing node '2-MOE'" in p.stdout and "EXVS2                3-LARRY         Online" in p.stdout
    assert files.load(ref).groups["EXVS2"].owner == "3-LARRY"


def test_the_drill_through_the_command_line_matches_the_docs(ref):
    """docs/clusterexe.md's transcript comes from labkit.scenarios.four_node_5000(); the file
    examples/four_node_5000.yaml gives the same, line for line."""
    from labkit.clusterexe.reference import DRILL, drill_transcript
    p = subprocess.run([str(LABKIT), "cluster", str(ref)], input="\n".join(DRILL), capture_output=True,
                       text=True, timeout=600)
    want = drill_transcript(files.load(REF))
    # the transcript interleaves the prompts; the command line prints only the outputs
    outputs = [block for block in want.split("C:\\> ") if block]
    got = (p.stdout + p.stderr).splitlines()
    for block in outputs:
        body = block.split("\n", 1)[1] if "\n" in block else ""
        for line in body.splitlines():
            assert line in got, line
    assert p.returncode == 2 and p.stderr.splitlines()[-1] == f"labkit: 1 of {len([x for x in DRILL if not x.startswith('rem')])} commands refused"  # 2-MOE is paused


# ---------------------------------------------------------------- the prompt, on a terminal
pexpect = pytest.importorskip("pexpect")


def _echo(text: str) -> str:
    """A pattern for ``text`` as a terminal redraws it: escape sequences may come between letters."""
    esc = r"(?:\x1b\[[0-9;?]*[A-Za-z])*"
    return esc.join(re.escape(ch) for ch in text)


def test_interactive_prompt_history_completion_help_and_save(ref, tmp_path):
    env = dict(os.environ, HOME=str(tmp_path), LABKIT_CLUSTER_HISTORY=str(tmp_path / "history"),
               PROMPT_TOOLKIT_NO_CPR="1", TERM="xterm")
    out = tmp_path / "out.yaml"
    p = pexpect.spawn(str(LABKIT), ["cluster", str(ref), "--save", str(out)], env=env, encoding="utf-8",
                      timeout=300, dimensions=(50, 200))
    try:
        p.expect("labkit cluster.exe on FOUR-STOOGES")
        p.expect_exact("C:\\>")
        p.send("cluster gr\t")      # Tab completes the object type ...
        p.expect(_echo("group"))
        p.send(" EXV\t")            # ... and the common part of EXVS1-EXVS4
        p.expect(_echo("EXVS"))
        p.send("1 /moveto:2-MOE\r")
        p.expect("Moving resource group 'EXVS1'")
        p.expect("EXVS1 +2-MOE +Online")
        p.expect_exact("C:\\>")
        p.send("cluster group EXVS9 /online\r")
        p.expect("System error 5013 has occurred")
        p.expect_exact("C:\\>")
        p.send("help\r")
        p.expect("labkit only")
        p.expect_exact("C:\\>")
        p.send("\x1b[A\x1b[A\x1b[A\r")  # history: three lines back is the move
        p.expect("Moving resource group 'EXVS1'")
        p.expect_exact("C:\\>")
        p.send("exit\r")
        p.expect(f"labkit: saved to {out}")
        p.expect(pexpect.EOF)
    finally:
        p.close(force=True)
    assert p.exitstatus == 0
    assert files.load(out).groups["EXVS1"].owner == "2-MOE"
    history = (tmp_path / "history").read_text(encoding="utf-8")
    assert "+cluster group EXVS1 /moveto:2-MOE" in history and "+help" in history
