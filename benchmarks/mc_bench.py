#!/usr/bin/env python3
"""Monte Carlo availability: simulated cluster-years per second for the paper's 4-node,
5,000-user reference cluster, node failures and repairs driven through the real
failover model (defaults: MTBF 8,760 h, MTTR 8 h -- assumptions, see
labkit.planning.montecarlo), with the closed-form k-out-of-n alongside.

    .venv/bin/python benchmarks/mc_bench.py [--years 200] [--repeat 3] [--mtbf 8760] [--mttr 8] [--profile]
"""
from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from labkit.planning.montecarlo import DEFAULT_MTBF_H, DEFAULT_MTTR_H, monte_carlo  # noqa: E402
from labkit.scenarios import four_node_5000  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--years", type=float, default=200.0)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--mtbf", type=float, default=DEFAULT_MTBF_H)
    ap.add_argument("--mttr", type=float, default=DEFAULT_MTTR_H)
    ap.add_argument("--profile", action="store_true")
    a = ap.parse_args(argv)
    c = four_node_5000()
    runs = [monte_carlo(c, years=a.years, mtbf_h=a.mtbf, mttr_h=a.mttr, seed=i) for i in range(a.repeat)]
    rate = statistics.median(r.years_per_second for r in runs)
    r = runs[0]
    cf = r.closed_form()
    print(f"Monte Carlo, 4-node 5,000-user reference cluster, MTBF {a.mtbf:g} h, MTTR {a.mttr:g} h, "
          f"{a.years:g} years x {a.repeat} seeds")
    print(f"{'measure':<46}{'value':>16}")
    print(f"{'cluster-years per second (median)':<46}{rate:>16.1f}")
    print(f"{'node failures per run (seed 0)':<46}{r.node_failures:>16}")
    print(f"{'model events per second (approx.)':<46}{(r.node_failures + r.repairs) / r.wall_s:>16.0f}")
    print(f"{'user-minutes of outage per year (seed 0)':<46}{r.user_minutes_per_year:>16.0f}")
    print(f"{'user availability (seed 0)':<46}{r.user_availability:>16.7f}")
    print(f"{'closed form k-out-of-n (k=' + str(cf.k) + ') availability':<46}{cf.availability:>16.10f}")
    if a.profile:
        prof = cProfile.Profile()
        prof.enable()
        monte_carlo(c, years=a.years, mtbf_h=a.mtbf, mttr_h=a.mttr, seed=0)
        prof.disable()
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(12)
        print("\ncProfile, by own time:")
        print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:4000])
    return 0


if __name__ == "__main__":
    sys.exit(main())
