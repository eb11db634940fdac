#!/usr/bin/env python3
"""The live charts of the load planner and the availability calculator: how long one
action takes without the chart (the model and the HTML -- the 50 ms budget) and how
long redrawing the chart adds (matplotlib to SVG), median and p95 of N actions.

    .venv/bin/python benchmarks/charts_bench.py [--repeat N]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from labkit.views.widgets import AvailabilityCalculator, LoadPlanner  # noqa: E402

BUDGET_MS = 50.0


def _stats(samples):
    s = sorted(samples)
    return statistics.median(s), s[min(len(s) - 1, int(round(0.95 * (len(s) - 1))))]


def _time(action) -> float:
    t = time.perf_counter()
    action()
    return (time.perf_counter() - t) * 1000


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=30)
    args = ap.parse_args(argv)
    planner, calc = LoadPlanner(), AvailabilityCalculator()
    cases = {
        "load planner: failed nodes 1 <-> 2": (planner, lambda i: setattr(planner.failed, "value", 1 + i % 2),
                                               planner.live_chart),
        "availability: unplanned hours": (calc, lambda i: setattr(calc.unplanned, "value", 10.0 + i),
                                          calc.live_chart),
    }
    print(f"{'action':<38} {'without chart ms (median / p95)':>32} {'chart ms (median / p95)':>26}")
    worst = 0.0
    for label, (w, change, toggle) in cases.items():
        without, chart = [], []
        for i in range(args.repeat):
            toggle.value = False
            without.append(_time(lambda: change(i)))
            toggle.value = True
            chart.append(_time(w.draw))
        m, p = _stats(without)
        cm, cp = _stats(chart)
        worst = max(worst, p)
        print(f"{label:<38} {m:>15.1f} / {p:<14.1f} {cm:>12.1f} / {cp:<11.1f}")
    print(f"budget {BUDGET_MS:g} ms per action without the chart: {'met' if worst <= BUDGET_MS else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
