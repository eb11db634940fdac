#!/usr/bin/env python3
"""labkit against Pacemaker's crm_simulate, like for like, in one run (issue 14).

    make bench        (= .venv/bin/python benchmarks/run.py)
    .venv/bin/python benchmarks/run.py --quick                 (4/4 and 16/100 only, 3 runs)
    .venv/bin/python benchmarks/run.py --sizes 4/4,64/1000 --runs 5

Writes benchmarks/results.md (generated: never edit it by hand) and prints it. For each
size (nodes/groups: the paper's 4-node cluster, then clusters of nine-resource groups) it
measures, alternating the two tools run by run (labkit, peer, labkit, peer, ...):

(a) a scheduler against a scheduler: labkit's crash-to-stable in-process (CPU time of
    ``crash_node`` + ``run_until_stable`` on a model in memory) against Pacemaker's own
    timing of the same transition (``crm_simulate --profile``: the CPU time of its
    scheduler on the CIB with the node failure already injected);
(b) a process against a process: ``labkit simulate FILE --event "crash N" --event "run 10m"``
    against ``crm_simulate -x CIB --node-fail N -R``, wall time and peak RSS of each
    (GNU time), and ``crm_simulate ... -S`` where that finishes in reasonable time;
(c) the N-2 sweep of a 16-node Exchange cluster (every 1- and 2-node failure set)
    against Pacemaker's scheduling of a stated sample of the same pairs.

Medians with min-max; every command, flag and input is printed in the results. A run
over ``--repeat-budget`` seconds is not repeated, and a peer run over ``--peer-limit``
seconds is stopped: the page then says so and gives a bound instead of a ratio.
"""
from __future__ import annotations

import argparse
import cProfile
import datetime
import io
import itertools
import os
import platform
import pstats
import re
import shlex
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import clusters  # noqa: E402
from labkit import files, pacemaker  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
PY = sys.executable
LABKIT = str(Path(PY).parent / "labkit")
IN_PROCESS_GOAL, PROCESS_GOAL = 100, 10


# ============================================================================ measuring
@dataclass
class Sample:
    """Repeated measurements of one thing (seconds), with what else was seen."""

    values: list[float] = field(default_factory=list)
    rss_kb: list[int] = field(default_factory=list)
    stopped: float | None = None     # a run stopped at this limit (seconds)
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    def text(self, unit: str = "ms") -> str:
        if not self.values:
            return f"> {self.stopped:,.0f} s (stopped)" if self.stopped is not None else "not measured"
        f = 1000 if unit == "ms" else 1
        med = self.median * f
        if len(self.values) == 1:
            return f"{_num(med)} {unit} (1 run)"
        return f"{_num(med)} {unit} [{_num(min(self.values) * f)}-{_num(max(self.values) * f)}]"

    def rss(self) -> str:
        return f"{statistics.median(self.rss_kb) / 1024:,.0f} MB" if self.rss_kb else "-"


def _num(x: float) -> str:
    return f"{x:,.0f}" if x >= 100 else f"{x:.1f}" if x >= 10 else f"{x:.2f}" if x >= 1 else f"{x:.3f}"


def ratio(ours: Sample, peer: Sample) -> tuple[str, float | None]:
    """'labkit 12x faster' / 'labkit 0.5x, slower' (peer time / labkit time), or a bound."""
    if not ours.values:
        return "no ratio", None
    if not peer.values:
        if peer.stopped is not None:
            r = peer.stopped / ours.median
            return f"labkit > {_num(r)}x faster (peer stopped; a bound)", r
        return "no ratio", None
    r = peer.median / ours.median
    return (f"labkit {_num(r)}x faster" if r >= 1 else f"labkit {r:.2f}x, slower"), r


def run_process(cmd: list[str], limit: float | None = None) -> tuple[float | None, int, float]:
    """Run ``cmd`` (output discarded); return (wall seconds or None if stopped at
    ``limit``, peak RSS in KB, CPU seconds) of that one process. The process runs under
    GNU time (``/usr/bin/time -f "%M %U %S"``), which reports the child's own peak RSS:
    a child forked straight from this (large) Python process would carry this process's
    resident size into its own high-water mark."""
    report = OUT / "time.txt"
    report.unlink(missing_ok=True)
    t = time.perf_counter()
    p = subprocess.Popen([TIME, "-f", "%M %U %S", "-o", str(report), *cmd], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        p.wait(timeout=limit)
        stopped = False
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)   # GNU time and the command: no report then
        p.wait()
        stopped = True
    wall = time.perf_counter() - t
    fields = report.read_text().split()[-3:] if report.exists() else []
    if len(fields) == 3 and fields[0].isdigit():
        rss, cpu = int(fields[0]), float(fields[1]) + float(fields[2])
    else:
        rss, cpu = 0, 0.0
    if not stopped and p.returncode != 0:
        err = subprocess.run(cmd, capture_output=True, text=True).stderr.strip().splitlines()
        raise SystemExit(f"benchmark command failed ({p.returncode}): {shlex.join(cmd)}\n  {err[-1] if err else ''}")
    return (None if stopped else wall), rss, cpu


def profile_seconds(folder: Path, repeat: int, limit: float | None) -> list[float] | None:
    """Pacemaker's own timing of its scheduler: ``crm_simulate --profile FOLDER --repeat N``
    prints, per CIB file, the CPU time (C ``clock()``) of checking the CIB against its
    schema and running the scheduler N times; returned per file and per run. None when
    stopped at ``limit``."""
    cmd = [SIM, "--profile", str(folder), "--repeat", str(repeat)]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=limit, check=True).stdout
    except subprocess.TimeoutExpired:
        return None
    got = [float(x) / repeat for x in re.findall(r"Testing .*? \.\.\. ([0-9.]+) secs", out)]
    if not got:
        raise SystemExit(f"could not read crm_simulate --profile's output: {out[:300]}")
    return got


def cpu_of(fn) -> float:
    """CPU time (``time.process_time``) of ``fn()``: the same clock Pacemaker's profiler
    uses, and one that other programs on a shared machine do not inflate."""
    t = time.process_time()
    fn()
    return time.process_time() - t


def loadavg() -> str:
    a, b, c = os.getloadavg()
    return f"{a:.2f} / {b:.2f} / {c:.2f}"


# ============================================================================ the machine
def machine() -> list[str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(next(ln.split()[1] for ln in Path("/proc/meminfo").read_text().splitlines()
                      if ln.startswith("MemTotal")))
        mem = f", {kb / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    pcmk = subprocess.run([SIM, "--version"], capture_output=True, text=True).stdout.splitlines()
    commit = subprocess.run(["git", "-C", str(ROOT), "describe", "--always", "--dirty"], capture_output=True,
                            text=True).stdout.strip() or "unknown"
    return [f"- machine: {cpu}, {os.cpu_count()} cores{mem}; {platform.system()} {platform.release()}",
            f"- Python {platform.python_version()} ({PY}); {pcmk[0] if pcmk else 'Pacemaker: unknown'} "
            f"(crm_simulate: {SIM}); labkit at {commit}",
            f"- date: {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}"]


def install() -> str:
    """labkit as a user's install runs it: a fresh virtual environment (no development
    tools' start-up hooks: the editable-install finder, coverage's .pth), labkit's package
    in its site-packages with its bytecode compiled -- as pip installs a wheel -- and the
    ``labkit`` console script pip would write. This environment sets
    PYTHONDONTWRITEBYTECODE, so without compiling every process would compile labkit's
    sources again. The ``labkit simulate`` path needs no third-party package for a JSON
    cluster file."""
    global LABKIT
    import shutil
    venv = OUT / "install"
    if venv.exists():
        shutil.rmtree(venv)
    base = getattr(sys, "_base_executable", PY)
    subprocess.run([base, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = next(venv.glob("lib/python*/site-packages"))
    shutil.copytree(ROOT / "labkit", site / "labkit", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    subprocess.run([str(venv / "bin" / "python"), "-m", "compileall", "-q", str(site / "labkit")], check=True)
    script = venv / "bin" / "labkit"
    script.write_text(f"#!{venv / 'bin' / 'python'}\nimport sys\nfrom labkit.cli import main\n"
                      "if __name__ == '__main__':\n    sys.exit(main())\n")
    script.chmod(0o755)
    LABKIT = str(script)
    return ("labkit runs as installed: a fresh `python -m venv` (benchmarks/out/install) holding a copy of the "
            "labkit package compiled with `python -m compileall` and the `labkit` console script pip writes, as a "
            "wheel install leaves it (this environment sets PYTHONDONTWRITEBYTECODE="
            f"{os.environ.get('PYTHONDONTWRITEBYTECODE', '(unset)')}, so imports would never write bytecode, and "
            "the development .venv starts every process with an editable-install finder and coverage's hook)")


# ============================================================================ the sizes
@dataclass
class Size:
    nodes: int
    groups: int
    cluster: object = None
    node: str = ""
    file: Path | None = None
    cib: Path | None = None
    failed_dir: Path | None = None
    moved: int = 0
    notes: list[str] = field(default_factory=list)
    build_s: float = 0
    status_s: float = 0
    save_s: float = 0
    a_ours: Sample = field(default_factory=Sample)
    a_peer: Sample = field(default_factory=Sample)
    b_ours: Sample = field(default_factory=Sample)
    b_peer: Sample = field(default_factory=Sample)
    b_peer_s: Sample = field(default_factory=Sample)
    load: Sample = field(default_factory=Sample)

    @property
    def label(self) -> str:
        return clusters.label(self.nodes, self.groups)

    @property
    def key(self) -> str:
        return f"{self.nodes}-{self.groups}"


def prepare(s: Size) -> None:
    """Build the cluster, save its file, write its stable CIB and the CIB with the node
    failure injected (for Pacemaker's profiler)."""
    t = time.perf_counter()
    c = s.cluster = clusters.build(s.nodes, s.groups)
    s.build_s = time.perf_counter() - t
    s.node = c.node_ids()[0]
    s.moved = sum(len(g.resources) for g in c.groups.values() if g.owner == s.node)
    s.file = OUT / f"cluster-{s.key}.json"
    t = time.perf_counter()
    files.save(c, s.file)
    s.save_s = time.perf_counter() - t
    t = time.perf_counter()
    xml = pacemaker.status_cib(c)
    s.status_s = time.perf_counter() - t
    s.cib = OUT / f"status-{s.key}.xml"
    s.cib.write_text(xml, encoding="utf-8")


def inject_failure(s: Size, limit: float | None) -> bool:
    """The CIB with the node failure injected, for Pacemaker's profiler (which times a
    CIB as it is): ``crm_simulate -x CIB --node-fail N -O DIR/failed.xml -Q``. False when
    that took longer than ``limit``."""
    s.failed_dir = OUT / f"failed-{s.key}"
    s.failed_dir.mkdir(exist_ok=True)
    for old in s.failed_dir.glob("*.xml"):
        old.unlink()
    try:
        subprocess.run([SIM, "-x", str(s.cib), "--node-fail", s.node, "-O", str(s.failed_dir / "failed.xml"), "-Q"],
                       check=True, capture_output=True, timeout=limit)
    except subprocess.TimeoutExpired:
        return False
    return True


def crash(base, node: str):
    c = base.copy()
    return lambda: (c.crash_node(node), c.run_until_stable())


def labkit_cmd(s: Size) -> list[str]:
    return [LABKIT, "simulate", str(s.file), "--event", f"crash {s.node}", "--event", "run 10m"]


def peer_cmd(s: Size, *extra: str) -> list[str]:
    return [SIM, "-x", str(s.cib), "--node-fail", s.node, *extra]


def measure(s: Size, a: argparse.Namespace) -> None:
    """(b) then (a) for one size, each alternating labkit and the peer run by run."""
    limit, budget = a.peer_limit, a.repeat_budget
    # (b) a process against a process
    for i in range(a.runs):
        if i == 0 or (s.b_ours.values and s.b_ours.values[0] <= budget):
            wall, rss, _ = run_process(labkit_cmd(s))
            s.b_ours.values.append(wall)
            s.b_ours.rss_kb.append(rss)
        if s.b_peer.stopped is None and (i == 0 or s.b_peer.values[0] <= budget):
            wall, rss, cpu = run_process(peer_cmd(s, "-R"), limit)
            if wall is None:
                s.b_peer.stopped = limit
                s.b_peer.note = (f"was stopped after {limit:.0f} s (`--peer-limit`); Pacemaker's scheduling at this "
                                 "size is then not measured in (a) either")
            else:
                s.b_peer.values.append(wall)
                s.b_peer.rss_kb.append(rss)
    for i in range(a.runs):  # in-process file loading: how much of labkit's process is the loader
        if i == 0 or s.load.values[0] <= budget:
            s.load.values.append(cpu_of(lambda: files.load(s.file)))
    if s.b_peer.values and s.b_peer.median < a.simulate_under:
        for _ in range(a.runs):
            wall, rss, _ = run_process(peer_cmd(s, "-S"), limit)
            if wall is not None:
                s.b_peer_s.values.append(wall)
                s.b_peer_s.rss_kb.append(rss)
    # (a) a scheduler against a scheduler
    repeat = 20 if s.nodes <= 4 else 1
    profile = s.b_peer.stopped is None and inject_failure(s, limit)
    if s.b_peer.stopped is None and not profile:
        s.notes.append(f"injecting the failure with crm_simulate took over {limit:.0f} s: Pacemaker's scheduling "
                       "not measured")
    for i in range(a.runs):
        s.a_ours.values.append(min(cpu_of(crash(s.cluster, s.node)) for _ in range(5 if s.nodes <= 16 else 1)))
        if not profile:   # the peer's process did not finish, or the failure could not be injected
            continue
        if s.a_peer.values and s.a_peer.values[0] * repeat > budget:
            continue
        got = profile_seconds(s.failed_dir, repeat, limit)
        if got is None:
            s.a_peer.stopped = limit
        else:
            s.a_peer.values.append(got[0])
    if repeat > 1:
        s.notes.append(f"crm_simulate --profile --repeat {repeat} at this size (its timer has 10 ms steps); "
                       "the time per run is shown")


def failover_profile(s: Size, top: int = 10) -> list[str]:
    prof = cProfile.Profile()
    fn = crash(s.cluster, s.node)
    prof.enable()
    fn()
    prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(top)
    text = out.getvalue().splitlines()
    head = next(i for i, ln in enumerate(text) if "ncalls" in ln)
    total = next((ln.strip() for ln in text if "function calls" in ln), "")
    return [total, ""] + [ln.strip().replace(str(ROOT) + "/", "") for ln in text[head:head + top + 1] if ln.strip()]


# ============================================================================ (c) N-2
def sweep(a: argparse.Namespace, sample: int) -> dict:
    from labkit.planning.load import failure_sets
    from labkit.planning.nk import n_k_analysis
    from labkit.scenarios import exchange_cluster
    c = exchange_cluster(16, 32_000, "balanced", virtual_servers_per_node=2).cluster
    c.run_until_stable()
    nodes = c.node_ids()
    cases = failure_sets(tuple(nodes), 2)
    pairs = [p for p in cases if len(p) == 2]
    step = max(1, len(pairs) // sample)
    chosen = pairs[::step][:sample]
    folder = OUT / "n2"
    folder.mkdir(exist_ok=True)
    for old in folder.glob("*.xml"):
        old.unlink()
    cib = OUT / "status-n2.xml"
    cib.write_text(pacemaker.status_cib(c), encoding="utf-8")
    idle = pacemaker.planned_actions(cib)
    for x, y in chosen:
        subprocess.run([SIM, "-x", str(cib), "--node-fail", x, "--node-fail", y, "-O",
                        str(folder / f"{x}+{y}.xml"), "-Q"], check=True, capture_output=True)
    ours, peer = Sample(), Sample()
    for _ in range(a.runs):
        ours.values.append(cpu_of(lambda: n_k_analysis(c, 2)))
        got = profile_seconds(folder, 1, a.peer_limit)
        if got is None:
            peer.stopped = a.peer_limit
            break
        peer.values.append(statistics.mean(got))
    t = time.perf_counter()
    proc = [run_process([SIM, "-x", str(cib), "--node-fail", x, "--node-fail", y, "-R"])[0] for x, y in chosen[:3]]
    return {"cluster": c, "cases": len(cases), "pairs": len(pairs), "chosen": chosen, "ours": ours, "peer": peer,
            "idle": idle, "process": statistics.median(proc), "proc_s": time.perf_counter() - t,
            "resources": len(c.resources), "groups": len(c.groups)}


# ============================================================================ importtime
def import_report(a: argparse.Namespace) -> list[str]:
    """``python -X importtime`` of ``import labkit`` and of the ``labkit simulate`` path,
    and the modules the simulate path loads beyond ``import labkit``."""
    env = {**os.environ}
    py = str(Path(LABKIT).parent / "python")   # the installed labkit (see install())

    def importtime(code: str) -> list[tuple[int, int, str]]:
        err = subprocess.run([py, "-X", "importtime", "-c", code], capture_output=True, text=True, env=env,
                             cwd=OUT).stderr
        rows = []
        for ln in err.splitlines():
            m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \| (\s*)(\S+)", ln)
            if m:
                rows.append((int(m.group(1)), int(m.group(2)), m.group(3) + m.group(4)))
        return rows

    def mods(code: str) -> set[str]:
        out = subprocess.run([py, "-c", code + "\nimport sys\nprint(' '.join(sys.modules))"], capture_output=True,
                             text=True, cwd=OUT).stdout.split()
        return {m for m in out if not m.startswith("_")}

    sim = "from labkit import cli\ncli.main(['simulate', {!r}, '--event', 'crash N1', '--event', 'run 10m'])"
    small = str(OUT / "cluster-16-100.json") if (OUT / "cluster-16-100.json").exists() else None
    lines = []
    for what, code in (("import labkit", "import labkit"),
                       ("labkit simulate (16/100 file)", sim.format(small) if small else None)):
        if code is None:
            continue
        runs = [importtime(code) for _ in range(5)]
        best = min(runs, key=lambda rows: sum(r[0] for r in rows))
        total = sum(r[0] for r in best) / 1000
        top = sorted((r for r in best if not r[2].startswith(" ")), key=lambda r: -r[1])[:12]
        lines += [f"`benchmarks/out/install/bin/python -X importtime -c ...` for **{what}**: {total:.1f} ms of imports in all (the fastest of "
                  "5 runs); top-level imports by cumulative time:", "", "```",
                  "   self us | cumulative us | module"]
        lines += [f"{r[0]:>10} | {r[1]:>13} | {r[2]}" for r in top] + ["```", ""]
    base = mods("pass")
    lab = mods("import labkit")
    lines += ["Modules `import labkit` adds to a bare interpreter: " +
              ", ".join(sorted(m for m in lab - base)) + ".", ""]
    if small:
        simm = mods(sim.format(small).replace("cli.main", "import contextlib, io\nwith contextlib.redirect_stdout("
                                                           "io.StringIO()): cli.main"))
        lines += ["Modules `labkit simulate` adds to those (a file of Generic Service groups): " +
                  ", ".join(sorted(m for m in simm - lab)) + ".", ""]
    return lines


# ============================================================================ the page
#: The markers of the generated summary in README.md (and results.md): the figures the
#: README quotes, rewritten by every run (tests/test_benchmark.py checks they agree).
BEGIN, END = "<!-- benchmark summary: generated by benchmarks/run.py -->", "<!-- end of benchmark summary -->"


def summary(sizes: list[Size], nk: dict | None, goals: list[str]) -> list[str]:
    """A few lines for README.md: the ratios of this run, where they were measured, and
    the goals missed."""
    def span(pairs):
        rs = [r for _, (_, r) in pairs if r is not None]
        if not rs:
            return "not measured"
        lo, hi = min(rs), max(rs)
        word = lambda r: f"{_num(r)}x faster" if r >= 1 else f"{r:.2f}x (slower)"  # noqa: E731
        return word(lo) if lo == hi else f"from {word(lo)} to {word(hi)}"

    a = [(s, ratio(s.a_ours, s.a_peer)) for s in sizes]
    b4 = [(s, ratio(s.b_ours, s.b_peer)) for s in sizes if s.nodes <= 4]
    b16 = [(s, ratio(s.b_ours, s.b_peer)) for s in sizes if s.nodes >= 16]
    sz = ", ".join(f"{s.nodes}/{s.groups:,}" for s in sizes)
    out = [BEGIN,
           f"Measured by `make bench` on {os.cpu_count()} cores (load average {os.getloadavg()[0]:.1f} at the end), "
           f"sizes (nodes/groups) {sz}; every figure, command and spread is in `benchmarks/results.md`:", "",
           f"- one node fails, labkit's crash-to-stable in memory against Pacemaker's scheduler (CPU time): labkit "
           f"{span(a)};",
           f"- the whole `labkit simulate` process against the whole `crm_simulate -R` process: labkit "
           f"{span(b4)} at 4 nodes, {span(b16)} at 16 nodes and more;"]
    if nk and nk["ours"].values and nk["peer"].values:
        per = ratio(Sample([v / nk["cases"] for v in nk["ours"].values]), nk["peer"])[0]
        out.append(f"- the N-2 sweep of 16 nodes, per failure set: {per};")
    missed = [g.split(" | ")[0].strip("| ") for g in goals if "MISSED" in g]
    out.append("- goals missed on this run: " + ("; ".join(missed) if missed else "none") + ".")
    return out + [END]


def write_readme(lines: list[str], readme: Path) -> None:
    text = readme.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        raise SystemExit(f"{readme} has no benchmark summary markers")
    head, rest = text.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    readme.write_text(head + "\n".join(lines) + tail, encoding="utf-8")


def page(sizes: list[Size], nk: dict | None, imports: list[str], a, started: str, loads: list[str],
         prof: list[str], bytecode: str, took: float) -> str:
    L = ["# labkit against Pacemaker: benchmark results", "",
         "Generated by `benchmarks/run.py` (`make bench`); do not edit by hand -- run it again.", ""]
    L += machine()
    L += [f"- load average (1 / 5 / 15 min) when it started: {started}; when it ended: {loadavg()}; "
          f"seen between the sizes: {', '.join(loads)} (on 2 cores a load above 2 means other programs "
          "were competing for the processors)",
          f"- {bytecode}",
          f"- runs: {a.runs} per measurement, the two tools alternating (labkit, peer, labkit, peer, ...); medians "
          f"with [min-max]; a measurement whose first run took over {a.repeat_budget:.0f} s is not repeated "
          f"(\"1 run\"); a peer run over {a.peer_limit:.0f} s is stopped; the whole benchmark took {took / 60:.1f} min",
          ""]
    # -------- goals
    goals = []

    def goal(text: str, ok: bool | None, detail: str) -> None:
        mark = "met" if ok else "not measured" if ok is None else "**MISSED**"
        goals.append(f"| {text} | {mark} | {detail} |")

    four = next((s for s in sizes if s.nodes == 4), None)
    if four:
        txt, r = ratio(four.b_ours, four.b_peer)
        goal("`labkit simulate` as a process no slower than `crm_simulate -R` at 4 nodes", None if r is None else
             r >= 1, txt)
    big = [s for s in sizes if s.nodes >= 16]
    rs = [(s, ratio(s.b_ours, s.b_peer)) for s in big]
    if rs:
        worst = min(rs, key=lambda x: x[1][1] if x[1][1] is not None else float("inf"))
        known = [x for x in rs if x[1][1] is not None]
        goal(f"the process at least {PROCESS_GOAL}x faster at 16 nodes and above",
             None if not known else all(x[1][1] >= PROCESS_GOAL for x in known),
             "; ".join(f"{s.nodes}/{s.groups:,}: {t}" for s, (t, _) in rs))
    ra = [(s, ratio(s.a_ours, s.a_peer)) for s in sizes]
    known = [x for x in ra if x[1][1] is not None]
    goal(f"in-process crash-to-stable at least {IN_PROCESS_GOAL}x ahead of the peer's scheduler at every size",
         None if not known else all(x[1][1] >= IN_PROCESS_GOAL for x in known),
         "; ".join(f"{s.nodes}/{s.groups:,}: {t}" for s, (t, _) in ra))
    per = [(s, s.a_ours.median / s.moved * 1000) for s in sizes if s.a_ours.values and s.nodes >= 16]
    if len(per) >= 2:
        spread = max(p for _, p in per) / min(p for _, p in per)
        goal("cost per failed-over resource flat as the cluster grows (16 nodes and up: max/min under 1.5)",
             spread < 1.5, ", ".join(f"{s.nodes}/{s.groups:,}: {p:.3f} ms" for s, p in per) + f" (max/min {spread:.2f})")
    L += ["## Summary", ""] + summary(sizes, nk, goals) + [""]
    L += ["## Goals", "", "| goal | on this run | figures |", "|---|---|---|"] + goals + [""]
    # -------- (a)
    L += ["## (a) Scheduler against scheduler: one node fails", "",
          "labkit: `Cluster.crash_node(N)` then `run_until_stable()` on a copy of the stable cluster in memory "
          "(CPU time, `time.process_time`; it decides *and* carries out every resource's offline and online "
          "step, and the regroup). Pacemaker: `crm_simulate --profile DIR --repeat R` on the CIB with the same "
          "node failure already injected (`crm_simulate -x CIB --node-fail N -O DIR/failed.xml`): its own timer, "
          "the CPU time of checking the CIB and computing the transition, without reading the file or starting "
          "the process. CPU time on both sides, because other programs on a shared machine do not inflate it. "
          "Each labkit sample is the best of 5 runs up to 16 nodes (runs of a millisecond or so), one run above.", "",
          "| cluster | resources | failed over | labkit crash-to-stable | Pacemaker scheduling | ratio |",
          "|---|---:|---:|---:|---:|---|"]
    for s in sizes:
        L.append(f"| {s.label} | {len(s.cluster.resources):,} | {s.moved} | {s.a_ours.text()} | {s.a_peer.text()} | "
                 f"{ratio(s.a_ours, s.a_peer)[0]} |")
    L += ["", "Cost per failed-over resource (labkit, median crash-to-stable / resources that failed over): " +
          ", ".join(f"{s.nodes}/{s.groups:,}: {s.a_ours.median / max(1, s.moved) * 1000:.3f} ms" for s in sizes
                    if s.a_ours.values) + ".", ""]
    L += [f"- {s.label}: {n}" for s in sizes for n in s.notes]
    L += ["", "Hot spots of labkit's failover path at the largest size (cProfile, by own time):", "", "```"]
    L += prof + ["```", ""]
    # -------- (b)
    L += ["## (b) Process against process", "",
          "Wall time and peak RSS of one whole process each (run under GNU `/usr/bin/time -f \"%M %U %S\"`), "
          "output discarded:", "",
          "- labkit: `" + shlex.join(["benchmarks/out/install/bin/labkit", "simulate", "benchmarks/out/cluster-N-G.json", "--event",
                                      "crash N1", "--event", "run 10m"]) + "` (4 nodes: `crash 1-CURLY`)",
          "- Pacemaker: `crm_simulate -x benchmarks/out/status-N-G.xml --node-fail N1 -R` (and `-S` in the last "
          "column, where `-R` takes under " f"{a.simulate_under:.0f} s)", "",
          "| cluster | labkit simulate | peak RSS | crm_simulate -R | peak RSS | ratio | crm_simulate -S | "
          "labkit: of which loading the file |", "|---|---:|---:|---:|---:|---|---:|---:|"]
    for s in sizes:
        share = (f"{s.load.text('s')} ({s.load.median / s.b_ours.median * 100:.0f}%)"
                 if s.load.values and s.b_ours.values else "-")
        L.append(f"| {s.label} | {s.b_ours.text('s')} | {s.b_ours.rss()} | {s.b_peer.text('s')} | {s.b_peer.rss()} | "
                 f"{ratio(s.b_ours, s.b_peer)[0]} | {s.b_peer_s.text('s') if s.b_peer_s.values else '-'} | {share} |")
    L += [""] + [f"- {s.label}: crm_simulate -R {s.b_peer.note}." for s in sizes if s.b_peer.note]
    L += ["- \"of which loading the file\": `labkit.files.load` of the same file in-process (CPU time). Loading "
          "costs the same per resource at every size (`benchmarks/files_bench.py` has the sweep).", ""]
    # -------- inputs
    L += ["## Inputs", "", "| cluster | nodes | groups | resources | build | `files.save` | cluster file | "
          "`status_cib` | status CIB | status_cib per resource |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for s in sizes:
        n = len(s.cluster.resources)
        L.append(f"| {s.label} | {s.nodes} | {s.groups:,} | {n:,} | {s.build_s:.1f} s | {s.save_s:.1f} s | "
                 f"{s.file.stat().st_size / 1e6:.1f} MB | {s.status_s:.2f} s | {s.cib.stat().st_size / 1e6:.1f} MB | "
                 f"{s.status_s / n * 1e6:.0f} us |")
    L += ["", "The paper's cluster is `labkit.scenarios.four_node_5000()` (Exchange 2000, 4 virtual servers and the "
          "Cluster Group); the others are `benchmarks/clusters.py`: groups of nine resources shaped like an Exchange "
          "virtual server (`labkit.scenarios.SERVICE_TREE`), spread round-robin, each preferring its first node and "
          "then the others in order, on the Modern edition (64 nodes, today's failover clustering) or, for 128 "
          "nodes, the simulation-only Scale edition. Every CIB is `labkit.pacemaker.status_cib`: native groups, "
          "each running resource's start and monitors recorded with Pacemaker's digests, start-up probes off; "
          "`crm_simulate -R` on it with no event plans no action (tests/test_pacemaker.py checks every size up to "
          "64 nodes). Node N1 (4 nodes: 1-CURLY) fails.", ""]
    # -------- (c)
    if nk:
        ours, peer = nk["ours"], nk["peer"]
        per_ours = Sample([v / nk["cases"] for v in ours.values])
        per_peer = Sample(list(peer.values), stopped=peer.stopped)
        L += ["## (c) N-2 sweep of 16 nodes", "",
              f"An Exchange cluster of 16 nodes, {nk['groups'] - 1} virtual servers (`exchange_cluster(16, 32000, "
              f"\"balanced\", virtual_servers_per_node=2)`, {nk['resources']} resources). labkit: "
              f"`n_k_analysis(c, 2)`, every 1- and 2-node failure set ({nk['cases']} cases, each a copy of the "
              "stable cluster crashed and run to stable, with the load on each survivor), CPU time. Pacemaker: "
              f"its scheduler on a sample of {len(nk['chosen'])} of the {nk['pairs']} pairs (every "
              f"{max(1, nk['pairs'] // len(nk['chosen']))}th: {', '.join('+'.join(p) for p in nk['chosen'][:4])}, ...), "
              "each CIB made by `crm_simulate -x CIB --node-fail A --node-fail B -O`, timed by `crm_simulate "
              "--profile`; the mean per case times the number of cases estimates its sweep. "
              + ("The stable CIB plans no action." if not nk["idle"] else
                 f"**The CIB is not stable for Pacemaker** ({len(nk['idle'])} actions with no event)."), "",
              "| | labkit | Pacemaker | ratio |", "|---|---:|---:|---|",
              f"| per case | {per_ours.text()} | {per_peer.text()} | {ratio(per_ours, per_peer)[0]} |",
              f"| the sweep ({nk['cases']} cases) | {ours.text('s')} | "
              f"{'about ' + _num(per_peer.median * nk['cases']) + ' s (estimated)' if per_peer.values else '-'} | |",
              "", f"One whole `crm_simulate -x CIB --node-fail A --node-fail B -R` process per pair takes "
              f"{nk['process']:.2f} s (median of 3 of the sampled pairs), so a sweep of {nk['cases']} such processes "
              f"would take about {nk['process'] * nk['cases']:.0f} s.", ""]
    # -------- imports
    L += ["## Start-up: what `labkit simulate` imports", ""] + imports
    return "\n".join(L).rstrip() + "\n"


def main(argv=None) -> int:
    global SIM
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="4/4 and 16/100 only (a smoke test of the benchmark)")
    ap.add_argument("--sizes", help="comma-separated NODES/GROUPS, default 4/4,16/100,32/500,64/1000,128/4000")
    ap.add_argument("--runs", type=int, default=3, help="runs per measurement (default 3)")
    ap.add_argument("--repeat-budget", type=float, default=60,
                    help="a measurement whose first run takes longer is not repeated (seconds, default 60)")
    ap.add_argument("--peer-limit", type=float, default=240,
                    help="stop a crm_simulate run after this many seconds (default 240)")
    ap.add_argument("--simulate-under", type=float, default=5,
                    help="also time crm_simulate -S where -R takes under this (seconds, default 5)")
    ap.add_argument("--sample", type=int, default=12, help="N-2 pairs given to Pacemaker (default 12)")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results.md"))
    ap.add_argument("--readme", default=str(ROOT / "README.md"),
                    help="README whose benchmark summary to rewrite ('none': leave it)")
    a = ap.parse_args(argv)
    SIM = pacemaker.crm_tool("crm_simulate")
    if SIM is None:
        raise SystemExit("crm_simulate is not installed: apt-get install --no-install-recommends pacemaker-cli-utils")
    if not Path(TIME).exists():
        raise SystemExit("GNU time is not installed: apt-get install time")
    if a.runs < 3:
        print("note: fewer than 3 runs per measurement", file=sys.stderr)
    sizes = [tuple(map(int, x.split("/"))) for x in a.sizes.split(",")] if a.sizes else \
        ([(4, 4), (16, 100)] if a.quick else clusters.SIZES)
    OUT.mkdir(exist_ok=True)
    t0 = time.perf_counter()
    started = loadavg()
    bytecode = install()
    done, loads = [], []
    for n, g in sizes:
        s = Size(n, g)
        print(f"[{time.perf_counter() - t0:6.0f} s] {s.label}: building, saving, exporting", flush=True)
        prepare(s)
        print(f"[{time.perf_counter() - t0:6.0f} s] {s.label}: measuring", flush=True)
        measure(s, a)
        loads.append(f"{n}/{g}: {os.getloadavg()[0]:.2f}")
        done.append(s)
    prof = failover_profile(done[-1])
    print(f"[{time.perf_counter() - t0:6.0f} s] N-2 sweep", flush=True)
    nk = sweep(a, a.sample)
    imports = import_report(a)
    text = page(done, nk, imports, a, started, loads, prof, bytecode, time.perf_counter() - t0)
    Path(a.out).write_text(text, encoding="utf-8")
    if a.readme != "none":
        write_readme(text.split("## Summary\n\n", 1)[1].split(END, 1)[0].splitlines() + [END], Path(a.readme))
    print(text)
    return 0


SIM = None
TIME = "/usr/bin/time"

if __name__ == "__main__":
    sys.exit(main())
