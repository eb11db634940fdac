"""``python -m labkit.grading.worker``: the process :func:`~labkit.grading.grade_dir`
grades notebooks in, one notebook at a time.

It reads one JSON request a line on stdin -- ``{"path": ..., "exercise": ..., "timeout": ...}``
-- and answers each with one line of JSON on stdout: the :class:`~labkit.grading.api.Report`.
Every check is imported before the first notebook runs. A notebook that kills this
process costs only its own grade: the instructor's process starts a new worker.
"""
from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict

from .api import QuestionResult, Report


def report_to_json(report: Report) -> str:
    return json.dumps(asdict(report))


def report_from_json(line: str) -> Report:
    d = json.loads(line)
    d["results"] = [QuestionResult(**r) for r in d.get("results", [])]
    return Report(**d)


def main() -> int:
    # the protocol owns the real stdout; anything else written to fd 1 goes to stderr
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    from .grader import _preload, grade_notebook
    _preload()
    for line in sys.stdin:
        path = "?"
        try:
            req = json.loads(line)
            path = str(req["path"])
            report = grade_notebook(path, req.get("exercise"), timeout=float(req["timeout"]))
        except Exception as e:  # a grader bug on one notebook must not stop the others
            report = Report(path=path, exercise=None, status="error",
                            error=f"grading failed ({type(e).__name__}: {e})")
        out.write(report_to_json(report) + "\n")
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
