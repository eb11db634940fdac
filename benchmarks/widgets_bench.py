#!/usr/bin/env python3
"""How fast do the widgets answer? Median and p95 per action on a 4-node cluster with
5 groups of 9 resources (the size of the paper's Exchange cluster), with Graphviz
rendering measured separately.

    .venv/bin/python benchmarks/widgets_bench.py [--repeat N]

Rows:
- "model": apply_action alone (the Cluster command and the status line);
- "click": a Cluster Administrator button with the live diagram off (action + tree,
  node, log and header panels);
- "click + settle": the same with "run until stable after each action" ticked;
- "click + live diagram": a click with the live diagram on (the default): the cluster
  diagram is rebuilt and, since the action changed it, rendered by Graphviz;
- diagram rows: building the DOT text, rendering it with the ``dot`` program, and
  a render-cache hit (the widgets cache SVG by DOT source).
Every timed action starts from the same state (a copy of one stable cluster).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from labkit import diagrams  # noqa: E402
from labkit.views.widgets import ClusterAdministrator, apply_action  # noqa: E402
from labkit.scenarios import service_cluster  # noqa: E402
from labkit.views.widgets.panels import SvgCache  # noqa: E402

BUDGET_MS = 100.0


def _time(fn) -> float:
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def _stats(samples: list[float]) -> tuple[float, float]:
    s = sorted(samples)
    p95 = s[min(len(s) - 1, int(round(0.95 * (len(s) - 1))))]
    return statistics.median(s), p95


ACTIONS = {  # action -> (widget setup, apply_action arguments)
    "crash node": (lambda w: setattr(w.node, "value", "N2"), ("crash_node", {"node": "N2"})),
    "move group": (lambda w: (setattr(w.group, "value", "SVC1"), setattr(w.target, "value", "N3")),
                   ("move_group", {"group": "SVC1", "node": "N3"})),
    "fail resource": (lambda w: (setattr(w.group, "value", "SVC3"), setattr(w.resource, "value", "Store SVC3")),
                      ("fail_resource", {"resource": "Store SVC3"})),
}
KEYS = {"crash node": "crash_node", "move group": "move_group", "fail resource": "fail_resource"}


def run(repeat: int) -> list[tuple[str, float, float, int]]:
    template = service_cluster(nodes=4, groups=5)
    rows = []
    w = ClusterAdministrator(template.copy(), live_diagram=False)
    for label, (setup, (action, args)) in ACTIONS.items():
        for mode in ("model", "click", "click + settle", "click + live diagram"):
            samples = []
            for _ in range(repeat):
                w.cluster = template.copy()
                w.settle.value = mode == "click + settle"
                w.live.value = mode == "click + live diagram"
                w.svg_cache = SvgCache()  # every iteration draws a new picture, as a learner's click does
                w.refresh()
                setup(w)
                if mode == "model":
                    samples.append(_time(lambda: apply_action(w.cluster, action, **args)))
                else:
                    samples.append(_time(lambda: w.click(KEYS[label])))
                assert w.cluster.log, "action did nothing"
            rows.append((f"{label}: {mode}", *_stats(samples), repeat))
    # --- Graphviz, measured apart -------------------------------------------
    c = template.copy()
    c.crash_node("N2")
    c.run(seconds=10)
    for show in (False, True):
        what = "cluster diagram" + (" with resources" if show else "")
        rows.append((f"{what}: build DOT", *_stats([_time(lambda: diagrams.cluster_diagram(c, show_resources=show))
                                                     for _ in range(repeat)]), repeat))
        dot = diagrams.cluster_diagram(c, show_resources=show)
        rows.append((f"{what}: render SVG (dot)", *_stats([_time(lambda: diagrams.render_svg(dot))
                                                           for _ in range(repeat)]), repeat))
        cache = SvgCache()
        cache.svg(dot)
        rows.append((f"{what}: render, cache hit", *_stats([_time(lambda: cache.svg(dot))
                                                            for _ in range(repeat)]), repeat))
    gd = diagrams.group_diagram(c, "SVC1", highlight=["Store SVC1"], step_label="step")
    rows.append(("group diagram (9 resources): render SVG", *_stats([_time(lambda: diagrams.render_svg(gd))
                                                                     for _ in range(repeat)]), repeat))
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=40)
    opts = ap.parse_args(argv)
    rows = run(opts.repeat)
    width = max(len(r[0]) for r in rows)
    print(f"{'what':<{width}}  {'median ms':>9}  {'p95 ms':>7}  {'n':>4}")
    print("-" * (width + 26))
    slow = []
    for name, med, p95, n in rows:
        flag = "  <-- over budget" if p95 > BUDGET_MS else ""
        print(f"{name:<{width}}  {med:9.2f}  {p95:7.2f}  {n:4d}{flag}")
        if flag:
            slow.append(name)
    print(f"\nbudget: {BUDGET_MS:.0f} ms per action (p95); {'all within' if not slow else 'over: ' + ', '.join(slow)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
