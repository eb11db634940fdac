"""Hostile command lines (issue 13): every bad input gets one line on standard error and exit
code 1 or 2 -- never a traceback, never an "internal error" -- and leaves no file half
written. Run in-process through ``labkit.cli.main([...])`` (seeded), plus a few real
subprocesses."""
from __future__ import annotations

import os
import random
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from labkit import cli, files

ROOT = Path(__file__).resolve().parents[1]
SHARE = ROOT / "examples" / "two_node_file_share.yaml"
EXCHANGE = ROOT / "examples" / "exchange_two_node.yaml"
CASES = {"n": 0, "refused": 0}

EVENTS = ["", " ", "crash", "crash NOPE", "crash 1-curly", "run", "run soon", "run -5s", "run 1e400d", "run 9" * 60,
          "run 36499d", "run 0", "fault", "fault Disk F: melt", "fault 'Disk F:' hang everywhere", "move", "move FILES NOPE",
          "move files 2-moe", "online FILES 2-MOE", "offline Cluster Group", "partition ,", "partition 1-CURLY / 1-CURLY",
          "partition 1-CURLY / 2-MOE", "heal", "heal now", "stable", "settle x", "evict 1-CURLY", "stop 2-MOE",
          "repair Disk F:", "monitor-crash Public Share", "'unclosed", "crash \x00", "crash \udcff", "résumé 1-CURLY",
          "pause 2-MOE", "resume 2-MOE", "restart 1-CURLY", "fail Public Share", "x" * 5000]


def _bad_files(tmp: Path) -> list[Path]:
    text = SHARE.read_text()
    made = {}
    made["missing.yaml"] = None
    made["empty.yaml"] = ""
    made["truncated.yaml"] = text[: len(text) // 2]
    made["binary.yaml"] = b"\xff\xfe\x00garbage"
    made["huge int.yaml"] = text.replace("  clock_ms: 4000", "  clock_ms: " + "9" * 5000)
    made["big int.yaml"] = text.replace("  clock_ms: 4000", "  clock_ms: " + "9" * 25)
    made["far future.yaml"] = text.replace("  clock_ms: 4000", "  clock_ms: 1000000000000000")
    made["nan.yaml"] = text.replace('"size_gb"', '"x"').replace('"drive": "F:"', '"drive": "F:", "x": .nan')
    made["alias.yaml"] = "a: &x [1]\nb: *x\n"
    made["deep.json"] = "[" * 100_000
    made["dup.yaml"] = text.replace("groups:\n", "groups:\n  FILES: {}\n")
    made["list.yaml"] = "- 1\n- 2\n"
    made["wrong ext.txt"] = text
    made["case twins.yaml"] = text.replace('  2-MOE: {"id": 2,', '  2-moe: {"id": 3}\n  2-MOE: {"id": 2,')
    out = []
    for name, content in made.items():
        p = tmp / name
        if isinstance(content, bytes):
            p.write_bytes(content)
        elif content is not None:
            p.write_text(content)
        out.append(p)
    (tmp / "folder.yaml").mkdir()
    out.append(tmp / "folder.yaml")
    (tmp / "zero.yaml").symlink_to("/dev/zero")
    out.append(tmp / "zero.yaml")
    os.mkfifo(tmp / "fifo.yaml")
    out.append(tmp / "fifo.yaml")
    return out


def _outputs(tmp: Path) -> list[str]:
    (tmp / "outdir").mkdir()
    return [str(tmp / "outdir"), str(tmp / "no such folder" / "x.svg"), "/dev/null", "/dev/full", str(tmp / "x.txt"),
            str(tmp / "ok.dot"), str(tmp / "ok.yaml"), str(tmp / "ok.xml"), "", str(tmp / "zero.yaml")]


def _check_one(argv, capsys):
    code = cli.main(argv)
    out, err = capsys.readouterr()
    CASES["n"] += 1
    assert code in (0, 1, 2), (argv, code, err)
    assert "Traceback" not in err and "internal error" not in err, (argv, err)
    if code:
        CASES["refused"] += 1
        assert len(err.strip().splitlines()) == 1, (argv, err)
        assert err.startswith("labkit"), (argv, err)
    return code


def test_hostile_command_lines_get_one_line(tmp_path, capsys, record_property):
    rng = random.Random(13)
    bad = _bad_files(tmp_path)
    good = [SHARE, EXCHANGE]
    outs = _outputs(tmp_path)
    devices = {p: os.stat(p).st_mode for p in ("/dev/null", "/dev/full")}
    argvs = [[], ["--nope"], ["simulate"], ["diagram", str(SHARE)], ["simulate", "--event"], ["fly"],
             ["simulate", str(SHARE), "--brief", "extra"], ["export-pacemaker", str(SHARE), "--style", "tree"],
             ["diagram", str(SHARE), "--out", str(tmp_path / "g.dot"), "--group", "NOPE"],
             ["diagram", str(SHARE), "--out", str(tmp_path / "g.dot"), "--group", "files"]]
    argvs += [["simulate", str(p)] for p in bad] + [["export-pacemaker", str(p)] for p in bad]
    argvs += [["diagram", str(p), "--out", str(tmp_path / "d.dot")] for p in bad]
    for _ in range(220):
        f = str(rng.choice(good + bad))
        cmd = rng.choice(["simulate", "simulate", "diagram", "export-pacemaker"])
        if cmd == "simulate":
            argv = ["simulate", f] + [x for e in rng.sample(EVENTS, rng.randint(0, 4)) for x in ("--event", e)]
            if rng.random() < 0.3:
                argv += ["--save", rng.choice(outs)]
            if rng.random() < 0.2:
                argv += ["--no-settle"]
        elif cmd == "diagram":
            argv = ["diagram", f, "--out", rng.choice(outs)] + (["--group", rng.choice(["FILES", "NOPE", ""])]
                                                                if rng.random() < 0.3 else [])
        else:
            argv = ["export-pacemaker", f] + (["--out", rng.choice(outs)] if rng.random() < 0.5 else [])
        argvs.append(argv)
    argvs.append(["simulate", str(SHARE)] + ["--event", "run 36499d"] * 100)
    for argv in argvs:
        _check_one(argv, capsys)
    # the devices are still devices: nothing wrote a file over /dev/null or /dev/full
    assert {p: os.stat(p).st_mode for p in devices} == devices
    assert all(stat.S_ISCHR(m) for m in devices.values())
    # no temporary file left behind anywhere
    assert not [p for p in tmp_path.rglob(".*.tmp")]
    record_property("cli campaign cases", CASES["n"])
    record_property("cli campaign refused cases", CASES["refused"])
    assert CASES["n"] > 250 and CASES["refused"] > 100


@pytest.mark.parametrize("argv,expect", [
    (["simulate", "{bad}"], "no such file"),
    (["simulate", "/dev/zero"], "is not a regular file"),
    (["simulate", str(SHARE), "-e", "run 99999999999d"], "runs are limited"),
    (["export-pacemaker", str(SHARE), "--out", "/dev/null"], "is not a regular file"),
    (["fly"], "invalid choice"),
])
def test_real_processes_answer_bad_input_with_one_line(argv, expect, tmp_path):
    argv = [a.replace("{bad}", str(tmp_path / "none.yaml")) for a in argv]
    p = subprocess.run([sys.executable, "-m", "labkit.cli", *argv], capture_output=True, text=True, timeout=120)
    assert p.returncode == 2, p
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and expect in lines[0] and "Traceback" not in p.stderr, p.stderr


def test_an_output_through_a_symlink_writes_the_target(tmp_path, capsys):
    target = tmp_path / "real.xml"
    target.write_text("old\n")
    link = tmp_path / "link.xml"
    link.symlink_to(target)
    assert cli.main(["export-pacemaker", str(SHARE), "--out", str(link)]) == 0
    assert link.is_symlink() and target.read_text().startswith("<")
    files.load(SHARE)
