#!/usr/bin/env python3
"""How fast do the planning widgets answer? Median and p95 per action (an input
changed, the model recomputed, the HTML rebuilt), measured through the widgets.

    .venv/bin/python benchmarks/planning_widgets_bench.py [--repeat N]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from labkit.views.widgets import AvailabilityCalculator, StorageDesigner  # noqa: E402

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


CASES = {
    "storage: users (5,000 -> 5,050+)": (StorageDesigner, lambda w, i: setattr(w.users, "value", 5050 + 50 * i)),
    "storage: storage groups 1 -> 3": (StorageDesigner, lambda w, i: setattr(w.storage_groups, "value", 3)),
    "storage: database RAID 0+1 -> 5": (StorageDesigner, lambda w, i: setattr(w.database_level, "value", "RAID 5")),
    "storage: 20,000 users on 8 nodes": (StorageDesigner, lambda w, i: (setattr(w.nodes, "value", 8),
                                                                         setattr(w.users, "value", 20000))),
    "storage: largest (100,000 users, 8 nodes x 4 x 6 SGs)": (
        lambda: StorageDesigner(users=100_000, nodes=8, virtual_servers=4),
        lambda w, i: setattr(w.storage_groups, "value", 6)),
    "availability: nines slider": (AvailabilityCalculator, lambda w, i: setattr(w.nines, "value", 5.0)),
    "availability: downtime box": (AvailabilityCalculator, lambda w, i: setattr(w.downtime, "value", 500.0)),
    "availability: a cause weight": (AvailabilityCalculator,
                                     lambda w, i: setattr(w.weights["hardware failures"], "value", 0.9)),
    "availability: paper's ranking button": (AvailabilityCalculator, lambda w, i: w.defaults.click()),
}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=40)
    opts = ap.parse_args(argv)
    rows = [(name, *_bench(setup, change, opts.repeat)) for name, (setup, change) in CASES.items()]
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
