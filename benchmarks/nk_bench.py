#!/usr/bin/env python3
"""N-k analysis through the real failover model: every 1- and 2-node failure set of
a 16-node cluster with 32 Exchange virtual servers (2 per node, balanced), target
under 10 s. Also the cost of one cluster copy, deepcopy against the field-by-field
copy N-k uses, and (with --profile) the hot spots under cProfile.

    .venv/bin/python benchmarks/nk_bench.py [--repeat N] [--nodes 16] [--per-node 2] [--k 2] [--profile]
"""
from __future__ import annotations

import argparse
import copy
import cProfile
import io
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from labkit.planning.nk import n_k_analysis  # noqa: E402
from labkit.scenarios import exchange_cluster  # noqa: E402

TARGET_S = 10.0


def _median(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--nodes", type=int, default=16)
    ap.add_argument("--per-node", type=int, default=2)
    ap.add_argument("--k", type=int, default=2)
    ap.add_argument("--profile", action="store_true")
    a = ap.parse_args(argv)
    t = time.perf_counter()
    s = exchange_cluster(a.nodes, 1000 * a.nodes * a.per_node, "balanced", virtual_servers_per_node=a.per_node)
    build = time.perf_counter() - t
    c = s.cluster
    report = n_k_analysis(c, a.k)
    n_k = _median(lambda: n_k_analysis(c, a.k), a.repeat)
    deep = _median(lambda: copy.deepcopy(c), max(a.repeat, 5))
    fast = _median(lambda: c.copy(), max(a.repeat, 5))
    cases = len(report.cases)
    print(f"N-k analysis, {a.nodes} nodes, {len(s.plan.virtual_servers)} virtual servers, "
          f"{len(c.resources)} resources, k={a.k}")
    print(f"{'measure':<44}{'value':>14}")
    print(f"{'build (scenario, once)':<44}{build * 1000:>11.1f} ms")
    print(f"{'failure sets':<44}{cases:>14}")
    print(f"{'N-k analysis, median of ' + str(a.repeat):<44}{n_k:>12.2f} s   (target < {TARGET_S:g} s: "
          f"{'met' if n_k < TARGET_S else 'MISSED'})")
    print(f"{'per failure set':<44}{n_k / cases * 1000:>11.2f} ms")
    print(f"{'cluster copy: copy.deepcopy':<44}{deep * 1000:>11.2f} ms")
    print(f"{'cluster copy: Cluster.copy (field by field)':<44}{fast * 1000:>11.2f} ms   ({deep / fast:.0f}x)")
    print(f"{'worst node load / storage groups':<44}{report.worst_users:>8} users / {report.worst_storage_groups}")
    print(f"{'every virtual server runs again':<44}{str(report.survives):>14}")
    if a.profile:
        prof = cProfile.Profile()
        prof.enable()
        n_k_analysis(c, a.k)
        prof.disable()
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(12)
        print("\ncProfile, by own time:")
        print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:4000])
    return 0 if n_k < TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
