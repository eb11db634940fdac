"""``python -m labkit.grading.worker REQUESTS_FD REPLIES_FD``: the process
:func:`~labkit.grading.grade_dir` grades notebooks in, one notebook at a time.

It talks over two pipes the grader made for it (never its standard streams, and no
kernel inherits them: kernels start with every descriptor but 0, 1 and 2 closed, in a
sandbox with its own process namespace). The first line it reads is
``{"token": SECRET}``; then one JSON request a line -- ``{"id": N, "path": ..., "exercise": ...,
"said_by": ..., "timeout": ..., "wall_timeout": ..., "notebook_timeout": ..., "limits": {...},
"sandbox": true}`` -- each answered by one line ``{"id": N, "token": SECRET, "report": {...}}``
(the :class:`~labkit.grading.verdicts.Report`). Every check is imported
(:func:`~labkit.grading.grader.preload`) before the first notebook runs. A notebook that
kills this process costs only its own grade: the instructor's process starts a new worker.
"""
from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict

from .verdicts import GradeStatus, Report


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    requests = os.fdopen(int(argv[0]), "r", encoding="utf-8")
    replies = os.fdopen(int(argv[1]), "w", encoding="utf-8")
    sys.stdout = sys.stderr
    from .grader import grade_notebook, preload
    from .sandbox import Limits
    preload()
    token = json.loads(requests.readline())["token"]
    for line in requests:
        path, n = "?", None
        try:
            req = json.loads(line)
            n, path = req["id"], str(req["path"])
            report = grade_notebook(path, req["exercise"], timeout=req["timeout"], wall_timeout=req["wall_timeout"],
                                    notebook_timeout=req["notebook_timeout"], limits=Limits(**req["limits"]),
                                    sandbox=bool(req["sandbox"]), said_by=req.get("said_by", ""))
        except Exception as e:  # a grader bug on one notebook must not stop the others
            report = Report(path=path, exercise=None, status=GradeStatus.ERROR,
                            error=f"grading failed ({type(e).__name__}: {e})")
        replies.write(json.dumps({"id": n, "token": token, "report": asdict(report)}) + "\n")
        replies.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
