#!/usr/bin/env python3
"""How fast does the load planner answer? Median and p95 per action (an input changed,
the plan made, the failure sets searched for the worst, the HTML rebuilt), measured
through the widget.

    .venv/bin/python benchmarks/load_planner_bench.py [--repeat N]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from labkit.views.widgets import LoadPlanner  # noqa: E402

BUDGET_MS = 100.0


def _stats(samples):
    s = sorted(samples)
    return statistics.median(s), s[min(len(s) - 1, int(round(0.95 * (len(s) - 1))))]


def _bench(setup, change, repeat):
    samples = []
    for i in range(repeat):
        w = setup()
        t = time.perf_counter()
        change(w, i)
        samples.append((time.perf_counter() - t) * 1000)
    return _stats(samples)


def _eight(**kw):
    return lambda: LoadPlanner(nodes=8, users=20000, **kw)


def _chosen():
    w = LoadPlanner(nodes=8, users=20000, failed=4)
    w.failure.value = w.failure.options[1][1]
    return w


CASES = {
    "load: open the planner (Figure 7, 1 failed)": (lambda: None, lambda w, i: LoadPlanner()),
    "load: strategy balanced -> standby": (LoadPlanner, lambda w, i: setattr(w.strategy, "value", "standby")),
    "load: failed nodes 1 -> 3 (worst of 4 sets)": (LoadPlanner, lambda w, i: setattr(w.failed, "value", 3)),
    "load: choose a failure set": (LoadPlanner, lambda w, i: setattr(w.failure, "value", ("2-MOE",))),
    "load: users 5,000 -> 5,250+": (LoadPlanner, lambda w, i: setattr(w.users, "value", 5250 + 250 * i)),
    "load: storage groups 1 -> 3 (the 4-SG trap)": (lambda: LoadPlanner(nodes=2),
                                                    lambda w, i: setattr(w.storage_groups, "value", 3)),
    "load: nodes 4 -> 8": (LoadPlanner, lambda w, i: setattr(w.nodes, "value", 8)),
    "load: worst of 70 sets (8 nodes, 4 failed, 2 VS x 2 SG)": (
        _eight(virtual_servers=2, storage_groups=2, failed=3), lambda w, i: setattr(w.failed, "value", 4)),
    "load: worst of 35 sets (8 nodes, 2 standby)": (_eight(strategy="standby", standby=2, failed=2),
                                                    lambda w, i: setattr(w.failed, "value", 3)),
    "load: worst-case button (8 nodes, 4 failed)": (_chosen, lambda w, i: w.worst_button.click()),
}



def run(repeat: int = 20):
    """(action, median ms, p95 ms) rows."""
    return [(name, *_bench(setup, change, repeat)) for name, (setup, change) in CASES.items()]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=40)
    opts = ap.parse_args(argv)
    rows = run(opts.repeat)
    width = max(len(r[0]) for r in rows)
    print(f"{'action':<{width}}  {'median ms':>9}  {'p95 ms':>7}")
    print("-" * (width + 20))
    slow = [name for name, _, p95 in rows if p95 > BUDGET_MS]
    for name, med, p95 in rows:
        print(f"{name:<{width}}  {med:9.2f}  {p95:7.2f}{'  <-- over budget' if p95 > BUDGET_MS else ''}")
    print(f"\nbudget: {BUDGET_MS:.0f} ms per action (p95); {'all within' if not slow else 'over: ' + ', '.join(slow)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
