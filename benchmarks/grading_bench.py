#!/usr/bin/env python3
"""Grading time per notebook, in the sandbox and without it (issue 12).

    .venv/bin/python benchmarks/grading_bench.py [--rounds 3]

Grades every solution notebook with ``labkit.grading.grade_notebook``, alternating
sandboxed and unsandboxed runs of the same notebook in one process, ``--rounds`` times;
prints each notebook's median wall time and min-max, and the total of the medians. Every
run must score full marks (the script stops otherwise). Wall time, because the sandbox's
cost is mostly process start-up (bubblewrap, a kernel), which CPU time of this process
would not see: run it on a quiet machine.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from labkit import grading  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args(argv)
    rows: dict = {}
    notebooks = sorted((ROOT / "solutions").glob("*.ipynb"))
    for _ in range(a.rounds):
        for p in notebooks:
            for sandboxed in (True, False):
                t = time.monotonic()
                r = grading.grade_notebook(p, p.stem, sandbox=sandboxed)
                rows.setdefault((p.stem, sandboxed), []).append(time.monotonic() - t)
                if not r.all_passed:
                    print(r.table())
                    return 1
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")
    print(f"| notebook | sandboxed | unsandboxed |\n|---|---:|---:|")
    total = {True: 0.0, False: 0.0}
    for p in notebooks:
        cells = []
        for sandboxed in (True, False):
            v = rows[(p.stem, sandboxed)]
            total[sandboxed] += statistics.median(v)
            cells.append(f"{statistics.median(v):.2f} s ({min(v):.2f}-{max(v):.2f})")
        print(f"| {p.stem} | {cells[0]} | {cells[1]} |")
    print(f"| total of medians | {total[True]:.1f} s | {total[False]:.1f} s |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
