"""Time limits never punish a slow machine: every solution, graded while this machine's
cores are oversubscribed 2x by busy processes the test starts and stops itself, gets full
marks. (Cell limits are CPU time; the busy processes make the kernels wait, not work more.)"""
import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat

from labkit import grading

ROOT = Path(__file__).resolve().parents[1]


def test_every_solution_scores_full_marks_on_a_machine_oversubscribed_2x(tmp_path):
    folder = tmp_path / "submissions"
    names = grading.exercise_names()
    for name in names:
        (folder / name).mkdir(parents=True)
        nbformat.write(nbformat.read(ROOT / "solutions" / f"{name}.ipynb", as_version=4), folder / name / "sol.ipynb")
    busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range((os.cpu_count() or 1) * 2)]
    try:
        t0 = time.monotonic()
        book = grading.grade_dir(folder, tmp_path / "grades.csv", jobs=2, timeout=4, wall_timeout=600)
        took = time.monotonic() - t0
    finally:
        for p in busy:
            p.kill()
            p.wait()
    print(f"\n{len(names)} solutions graded under {len(busy)} busy loops in {took:.0f} s")
    for r in book.reports:
        assert r.status == "graded" and r.all_passed and r.score == r.max_score and r.notes == [], r.table()
    assert len(book.reports) == len(names) == 10
