#!/usr/bin/env python3
"""Cluster files: load and save time per resource, over a size sweep (issue 13).

    .venv/bin/python benchmarks/files_bench.py [--repeat 5] [--quick]

For each size -- the benchmark's clusters (16 nodes/100 groups, 32/500, 64/1,000; nine
resources a group) and, to separate the number of resources from the number of nodes,
64 nodes with 100 and 500 groups -- builds the cluster once through the public API (so the
file holds its whole log), then times ``files.dumps`` and ``files.loads`` (YAML and JSON)
and ``files.save`` / ``files.load`` through a real file. Medians of ``--repeat`` runs in one
process; the spread is min-max. Times are CPU seconds of this process (``--wall``: wall time),
so that other work on a shared machine counts less. Prints one Markdown table (``benchmarks/run.py`` can call
:func:`sweep` and :func:`table`). Linear time means the per-resource columns stay within
2x from 900 to 9,000 resources.
"""
from __future__ import annotations

import argparse
import shlex
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from labkit import files  # noqa: E402
from labkit.scenarios import service_cluster  # noqa: E402

SIZES = [(16, 100), (32, 500), (64, 1000), (64, 100), (64, 500)]
QUICK = [(16, 100), (64, 100)]


#: the clock: this process's CPU time (the machine may be busy with other work; wall time
#: with --wall)
CLOCK = time.process_time


def _times(fn, repeat: int) -> tuple[float, float, float]:
    got = []
    for _ in range(repeat):
        t = CLOCK()
        fn()
        got.append(CLOCK() - t)
    return statistics.median(got), min(got), max(got)


def measure(nodes: int, groups: int, repeat: int) -> dict:
    c = service_cluster(nodes=nodes, groups=groups)
    yaml_text, json_text = files.dumps(c, "yaml"), files.dumps(c, "json")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cluster.yaml"
        row = {"nodes": nodes, "groups": groups, "resources": len(c.resources), "log": len(c.log),
               "mb": len(yaml_text.encode()) / 1e6,
               "dumps": _times(lambda: files.dumps(c), repeat),
               "loads": _times(lambda: files.loads(yaml_text), repeat),
               "dumps json": _times(lambda: files.dumps(c, "json"), repeat),
               "loads json": _times(lambda: files.loads(json_text, "json"), repeat),
               "save": _times(lambda: files.save(c, path), repeat),
               "load": _times(lambda: files.load(path), repeat)}
    assert files.dumps(files.loads(yaml_text)) == yaml_text
    return row


def sweep(sizes=SIZES, repeat: int = 5) -> list[dict]:
    return [measure(n, g, repeat) for n, g in sizes]


def table(rows: list[dict]) -> list[str]:
    def t(x):
        med, lo, hi = x
        return f"{med:.3f} s ({lo:.3f}-{hi:.3f})"

    def per(row, key):
        return row[key][0] / row["resources"] * 1e6

    out = ["| nodes | groups | resources | log lines | YAML MB | save | load | dumps JSON | loads JSON "
           "| load µs/resource | save µs/resource |",
           "|---:|---:|---:|---:|---:|---|---|---|---|---:|---:|"]
    for r in rows:
        out.append(f"| {r['nodes']} | {r['groups']:,} | {r['resources']:,} | {r['log']:,} | {r['mb']:.1f} "
                   f"| {t(r['save'])} | {t(r['load'])} | {t(r['dumps json'])} | {t(r['loads json'])} "
                   f"| {per(r, 'load'):.0f} | {per(r, 'save'):.0f} |")
    small = [r for r in rows if r["resources"] < 2000]
    big = [r for r in rows if r["resources"] > 8000]
    if small and big:
        for key, what in (("load", "load"), ("save", "save"), ("loads json", "JSON load"), ("dumps json", "JSON save")):
            lo, hi = min(per(r, key) for r in small), max(per(r, key) for r in big)
            out.append("")
            out.append(f"- {what}: {hi / lo:.2f}x the per-resource time at {big[0]['resources']:,} resources as at "
                       f"{small[0]['resources']:,} (linear: within 2x)")
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=5, help="runs per measurement (median, min-max)")
    ap.add_argument("--quick", action="store_true", help="two small sizes only")
    ap.add_argument("--wall", action="store_true", help="wall-clock time instead of this process's CPU time")
    ns = ap.parse_args(argv)
    global CLOCK
    CLOCK = time.perf_counter if ns.wall else time.process_time
    rows = sweep(QUICK if ns.quick else SIZES, ns.repeat)
    print(f"Cluster files, a size sweep ({'wall' if ns.wall else 'CPU'} time): "
          f"{shlex.join([Path(sys.executable).name, *sys.argv])}")
    print()
    print("\n".join(table(rows)))
    big = [r for r in rows if r["nodes"] == 64 and r["groups"] == 1000]
    if big:
        print(f"\nThe 64-node, 1,000-group file ({big[0]['mb']:.1f} MB, {big[0]['log']:,} log lines) loads in "
              f"{big[0]['load'][0]:.2f} s (median of {ns.repeat}).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
