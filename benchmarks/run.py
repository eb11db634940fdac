#!/usr/bin/env python3
"""labkit's benchmark (issue 9): one table on stdout, the same in benchmarks/results.md.

    make bench                      (or: .venv/bin/python benchmarks/run.py [--quick])

Measures, as medians of repeated runs in one process, on this machine:
1. failover transition: crash one node and run to stable, for (nodes, groups of nine
   resources) = the paper's 4-node reference cluster, (16, 100), (32, 500), (64, 1000);
2. the peer: the same clusters exported as Pacemaker CIBs through Debian's
   ``crm_simulate`` (node failure), labkit time / crm_simulate time;
3. N-k analysis: every 1- and 2-node failure set of 16 nodes / 32 virtual servers;
4. Monte Carlo availability: simulated cluster-years per second (reference cluster);
5. interactive latency: Cluster Administrator actions, median and p95, Graphviz apart;
6. learner-facing times: ``import labkit``, the notebook chain under nbval, and
   ``make test`` on a warm machine (skipped with --quick).
Profiled with cProfile (standard library); the hot spots are listed in the results.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import math
import os
import platform
import pstats
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from labkit.scenarios import exchange_cluster, four_node_5000  # noqa: E402
from labkit.widgets.demo import service_cluster  # noqa: E402

PY = sys.executable
SIZES = [(16, 100), (32, 500), (64, 1000)]


def median_time(fn, repeat: int) -> float:
    """Median wall time of ``fn()`` in seconds."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}")


# ------------------------------------------------------------------ 1. failover
def failover_clusters():
    """(label, nodes, groups, stable cluster): the paper's cluster, then the scale sizes."""
    yield "paper: 4 nodes, 4 EVS (+Cluster Group)", 4, 4, four_node_5000()
    for nodes, groups in SIZES:
        yield f"{nodes} nodes, {groups} groups x 9", nodes, groups, service_cluster(nodes=nodes, groups=groups)


def crash_first_node(c):
    c.crash_node(c.node_ids()[0])
    c.run_until_stable()


def bench_failover(repeat: int):
    rows, clusters = [], []
    for label, nodes, groups, base in failover_clusters():
        samples = []
        for _ in range(repeat):
            c = base.copy()
            t = time.perf_counter()
            crash_first_node(c)
            samples.append(time.perf_counter() - t)
        rows.append((label, nodes, len(base.resources), statistics.median(samples)))
        clusters.append((label, base))
    return rows, clusters


def profile_failover(base, top: int = 8) -> list[str]:
    prof = cProfile.Profile()
    c = base.copy()
    prof.enable()
    crash_first_node(c)
    prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(top)
    text = out.getvalue().splitlines()
    head = next(i for i, ln in enumerate(text) if "ncalls" in ln)
    return [ln.strip().replace(str(ROOT) + "/", "") for ln in text[head:head + top + 1] if ln.strip()]


def loglog_svg(rows, path: Path) -> None:
    """A small hand-drawn log-log plot of failover time against resources (no plotting
    library needed)."""
    pts = [(r[2], r[3] * 1000) for r in rows if r[3] > 0]
    xs = [math.log10(x) for x, _ in pts]
    ys = [math.log10(y) for _, y in pts]
    x0, x1 = math.floor(min(xs)), math.ceil(max(xs))
    y0, y1 = math.floor(min(ys)), math.ceil(max(ys))
    W, H, M = 480, 300, 50

    def px(x):
        return M + (x - x0) / max(1e-9, x1 - x0) * (W - 2 * M)

    def py(y):
        return H - M - (y - y0) / max(1e-9, y1 - y0) * (H - 2 * M)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="Helvetica" '
             f'font-size="11"><rect width="{W}" height="{H}" fill="white"/>']
    for d in range(x0, x1 + 1):
        parts.append(f'<line x1="{px(d):.1f}" y1="{M}" x2="{px(d):.1f}" y2="{H - M}" stroke="#ddd"/>'
                     f'<text x="{px(d):.1f}" y="{H - M + 16}" text-anchor="middle">10^{d}</text>')
    for d in range(y0, y1 + 1):
        parts.append(f'<line x1="{M}" y1="{py(d):.1f}" x2="{W - M}" y2="{py(d):.1f}" stroke="#ddd"/>'
                     f'<text x="{M - 6}" y="{py(d) + 4:.1f}" text-anchor="end">10^{d}</text>')
    poly = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in zip(xs, ys))
    parts.append(f'<polyline points="{poly}" fill="none" stroke="#1f4e9c" stroke-width="2"/>')
    for x, y in zip(xs, ys):
        parts.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="4" fill="#1f4e9c"/>')
    parts.append(f'<text x="{W / 2}" y="{H - 12}" text-anchor="middle">resources in the cluster</text>'
                 f'<text x="14" y="{H / 2}" transform="rotate(-90 14 {H / 2})" text-anchor="middle">'
                 f'crash to stable (ms)</text>'
                 f'<text x="{W / 2}" y="20" text-anchor="middle">labkit failover transition, log-log</text></svg>')
    path.write_text("".join(parts))


# ------------------------------------------------------------------ 2. the peer
def time_peer(cmd: list[str], repeat: int) -> float:
    """Median time of a crm_simulate run; a run over 5 s is not repeated (the largest
    sizes take minutes)."""
    t = time.perf_counter()
    subprocess.run(cmd, capture_output=True, check=True)
    first = time.perf_counter() - t
    if first > 5 or repeat <= 1:
        return first
    return statistics.median([first] + [median_time(lambda: subprocess.run(cmd, capture_output=True, check=True), 1)
                                        for _ in range(repeat - 1)])


def bench_pacemaker(clusters, ours: dict, repeat: int):
    """labkit vs crm_simulate on the same clusters, or a reason why not measured."""
    if shutil.which("crm_simulate") is None:
        return None, "crm_simulate is not installed (Debian package pacemaker-cli-utils)"
    try:
        from labkit import pacemaker
    except ImportError as e:  # pragma: no cover
        return None, f"labkit.pacemaker unavailable: {e}"
    rows = []
    tmp = ROOT / "benchmarks" / "out"
    tmp.mkdir(exist_ok=True)
    sim = pacemaker.crm_tool("crm_simulate")
    for label, base in clusters:
        cib = tmp / "status.xml"
        cib.write_text(pacemaker.status_cib(base))       # every group running where labkit runs it
        node = base.node_ids()[0]
        cmd = [sim, "-x", str(cib), "-f", node, "-Q"]      # compute the node-failure transition
        rows.append((label, ours[label], time_peer(cmd, repeat)))
    return rows, ""


# ------------------------------------------------------------------ 3. N-k, 4. MC
def bench_nk(repeat: int):
    from labkit.planning.load import n_k_analysis
    s = exchange_cluster(16, 32_000, "balanced", virtual_servers_per_node=2)
    c = s.cluster
    report = n_k_analysis(c, 2)
    t = median_time(lambda: n_k_analysis(c, 2), repeat)
    return t, len(report.cases), len(s.plan.virtual_servers)


def bench_mc(years: float):
    from labkit.planning.montecarlo import monte_carlo
    c = four_node_5000()
    runs = [monte_carlo(c, years=years, seed=i) for i in range(3)]
    return statistics.median(r.years_per_second for r in runs)


# ------------------------------------------------------------------ 5. widgets
def bench_widgets(repeat: int):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import widgets_bench
    keep = ("crash node: click", "move group: click", "fail resource: click",
            "crash node: click + live diagram", "move group: click + live diagram",
            "fail resource: click + live diagram", "cluster diagram: render SVG (dot)")
    return [r for r in widgets_bench.run(repeat) if r[0] in keep]


# ------------------------------------------------------------------ 6. learner-facing
def bench_import(repeat: int) -> float:
    return median_time(lambda: subprocess.run([PY, "-c", "import labkit"], check=True), repeat) - \
        median_time(lambda: subprocess.run([PY, "-c", "pass"], check=True), repeat)


def bench_command(cmd: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=False, capture_output=True)
    return time.perf_counter() - t


def run_campaigns(long: bool) -> list[str]:
    """Run the fault and bad-input campaigns and return their counts (the "labkit campaigns"
    section pytest prints)."""
    env = {**os.environ, **({"LABKIT_HYPOTHESIS": "long"} if long else {})}
    tests = ["tests/test_core_property.py", "tests/test_fault_campaign.py", "tests/test_bad_input.py",
             "tests/test_files.py"]
    t = time.perf_counter()
    out = subprocess.run([PY, "-m", "pytest", "-q", "-p", "no:xdist", *tests], cwd=ROOT, env=env,
                         capture_output=True, text=True).stdout
    took = time.perf_counter() - t
    lines = out.split("labkit campaigns", 1)[-1].splitlines()[1:]
    counts = [ln for ln in lines if " = " in ln]
    verdict = next((ln.strip("= ") for ln in reversed(out.splitlines()) if "passed" in ln or "failed" in ln), "?")
    return [f"- {ln}" for ln in counts] + [f"- result: {verdict} ({took:.0f} s, profile {'long' if long else 'ci'})"]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats; skip the notebook chain and make test")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results.md"))
    ap.add_argument("--long", action="store_true", help="run the fault campaigns with the long Hypothesis profile")
    a = ap.parse_args(argv)
    rep = 3 if a.quick else 9
    lines = ["# labkit benchmark results", "", f"Machine: {machine()}", "",
             f"Medians of repeated runs in one process (`benchmarks/run.py{' --quick' if a.quick else ''}`).", ""]

    fo, clusters = bench_failover(rep)
    lines += ["## 1. Failover transition (crash one node, run until stable)", "",
              "| cluster | nodes | resources | crash to stable |", "|---|---:|---:|---:|"]
    lines += [f"| {lab} | {n} | {r:,} | {t * 1000:.2f} ms |" for lab, n, r, t in fo]
    loglog_svg(fo, ROOT / "benchmarks" / "failover_loglog.svg")
    grow = math.log(fo[-1][3] / fo[1][3]) / math.log(fo[-1][2] / fo[1][2])
    lines += ["", f"Targets: the paper's cluster under 5 ms ({fo[0][3] * 1000:.2f} ms), 64 nodes and 1,000 groups "
              f"under 1 s ({fo[-1][3] * 1000:.1f} ms). Cost grows about as resources^{grow:.2f} between the "
              "16- and 64-node sizes (plot: `failover_loglog.svg`).", "",
              "![failover log-log](failover_loglog.svg)", "",
              "Hot spots (cProfile, 64 nodes, by own time):", "", "```"]
    lines += profile_failover(clusters[-1][1]) + ["```", ""]

    peer, why = bench_pacemaker(clusters, {lab: t for lab, _n, _r, t in fo}, rep)
    lines += ["## 2. The peer: Pacemaker's crm_simulate on the same clusters", ""]
    if peer is None:
        lines += [f"Not measured: {why}.", ""]
    else:
        lines += ["| cluster | labkit | crm_simulate | labkit / crm_simulate |", "|---|---:|---:|---:|"]
        lines += [f"| {lab} | {o * 1000:.2f} ms | {p * 1000:,.1f} ms | {o / p:.2g} ({p / o:,.0f}x faster) |"
                  for lab, o, p in peer]
        lines += ["", "crm_simulate runs as a process: it parses the CIB (with a status section, written by "
                  "`labkit.pacemaker.status_cib`, in which every group runs where labkit runs it) and its "
                  "scheduler computes the transition of the node failure (`crm_simulate -x CIB -f NODE`). We do "
                  "not also ask it to simulate executing the transition (`-S`): that takes 77 s for 8 nodes and "
                  "20 groups and does not finish in minutes beyond. labkit's time is the in-process "
                  "crash-to-stable run of the same cluster (deciding *and* executing every resource's offline "
                  "and online steps), as in section 1. A crm_simulate run over 5 s is not repeated.", ""]

    nk, cases, evs = bench_nk(max(1, rep // 3))
    lines += ["## 3. N-k analysis", "", f"Every 1- and 2-node failure set of 16 nodes / {evs} virtual servers "
              f"({cases} cases) through the real failover model: **{nk:.2f} s** (target under 10 s). Each case "
              "runs on a field-by-field copy (`Cluster.copy`) of one stable base.", ""]
    mc = bench_mc(50 if a.quick else 200)
    lines += ["## 4. Monte Carlo availability", "", f"Reference cluster: **{mc:,.0f} simulated cluster-years per "
              "second** (node MTBF 8,760 h, MTTR 8 h, every failure and repair through the failover model).", ""]

    wd = bench_widgets(10 if a.quick else 40)
    lines += ["## 5. Interactive latency (Cluster Administrator)", "", "| action | median | p95 |", "|---|---:|---:|"]
    lines += [f"| {name} | {med:.2f} ms | {p95:.2f} ms |" for name, med, p95, _ in wd]
    lines += ["", "Target: under 50 ms median for an action with its diagram DOT and log view; Graphviz "
              "rendering (the `dot` process) is measured apart.", ""]

    imp = bench_import(5)
    lines += ["## 6. Learner-facing times", "", f"- `import labkit`: {imp * 1000:.0f} ms (target under 300 ms; "
              "views, Exchange, planning and grading load on first use)"]
    if not a.quick:
        nb = bench_command([PY, "-m", "pytest", "-q", "-p", "no:xdist", "notebooks", "solutions"])
        mt = bench_command(["make", "test"])
        lines += [f"- the notebook chain and solutions under nbval (one process): {nb:.1f} s",
                  f"- `make test` on a warm machine (set-up skipped by its stamps, 2 workers): {mt:.1f} s"]
    lines += ["", "## 7. Faults and bad input", "",
              "Fault campaigns (Hypothesis stateful, fixed seeds) check the invariants after every step: one "
              "owner, dependencies and possible owners respected, nothing on Down nodes, the storage-group limit "
              "on every node, no split brain, the log consistent with the state. The bad-input campaigns feed "
              "every public command and the file loader wrong types, unknown names, empty strings, huge "
              "values, duplicates, malformed and truncated files; every refusal must be a LabkitError that "
              "leaves the model unchanged.", ""]
    lines += run_campaigns(a.long)
    lines.append("")
    text = "\n".join(lines)
    Path(a.out).write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
