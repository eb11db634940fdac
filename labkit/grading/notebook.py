"""The learner's notebook as the grader reads it, and where it may run.

:func:`read_notebook` reads a notebook file (at most :data:`MAX_NOTEBOOK_BYTES`; a corrupt or
foreign file is a :class:`NotebookError`), :func:`cell_label` names a cell the way a learner
finds it (the heading above it), and :func:`sandbox_or_why` decides whether a notebook runs in
the bubblewrap sandbox (:mod:`labkit.grading.sandbox`). The grader (:mod:`~labkit.grading.grader`)
and a learner release's self-check (:mod:`~labkit.grading.release`) share them.

>>> nb = {"cells": [{"cell_type": "markdown", "source": "## 2 · Crash a node (10 min)"},
...                 {"cell_type": "code", "source": "c.crash_node('NODE1')"}]}
>>> cell_label(nb, 1)
'cell 2, under "2 · Crash a node"'
"""
from __future__ import annotations

import re
from pathlib import Path

from ..errors import LabkitError

#: Largest notebook file graded (bytes).
MAX_NOTEBOOK_BYTES = 20_000_000


class SandboxUnavailable(LabkitError):
    """No sandbox can be had on this machine, and running without one was not asked for."""


class NotebookError(LabkitError):
    """A file is not a notebook the grader can read."""


def read_notebook(path):
    """Read a notebook file; a corrupt or foreign file raises :class:`NotebookError`."""
    import nbformat
    p = Path(path)
    try:
        if p.stat().st_size > MAX_NOTEBOOK_BYTES:
            raise NotebookError(f"{p.name} is larger than {MAX_NOTEBOOK_BYTES // 1_000_000} MB")
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise NotebookError(f"{p.name} is not a text file (not UTF-8)") from None
    except OSError as e:
        raise NotebookError(f"cannot read {p}: {e.strerror or e}") from None
    try:
        nb = nbformat.reads(text, as_version=4)
    except Exception as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise NotebookError(f"{p.name} is not a readable notebook ({first[:200]})") from None
    cells = nb.get("cells")
    if not isinstance(nb.get("metadata", {}), dict) or not isinstance(cells, list) or not all(isinstance(c, dict) and isinstance(c.get("source"), str)
                                              and c.get("cell_type") in ("code", "markdown", "raw")
                                              for c in cells):
        raise NotebookError(f"{p.name} is not a readable notebook (its cells are damaged)")
    return nb


def cell_label(nb, i: int) -> str:
    """How to point a learner at cell ``i``: the heading above it, else its first line."""
    for c in reversed(nb["cells"][:i]):
        if c["cell_type"] == "markdown":
            head = next((ln.lstrip("#").strip() for ln in c["source"].splitlines() if ln.startswith("#")), None)
            if head:
                head = re.sub(r"\s*\([^)]*\)\s*$", "", head)
                return f"cell {i + 1}, under \"{head}\""
            break
    first = next((ln.strip() for ln in nb["cells"][i]["source"].splitlines()
                  if ln.strip() and not ln.strip().startswith("#")), "")
    return f"cell {i + 1} (`{first if len(first) <= 40 else first[:37] + '...'}`)"


def sandbox_or_why(sandbox: bool | None) -> tuple[bool, str]:
    """(run sandboxed?, the note to add when not). ``sandbox`` True: must (else
    :class:`SandboxUnavailable`); None: when bwrap works here; False: never."""
    from .sandbox import unavailable
    if sandbox is False:
        return False, "graded without a sandbox (--unsafe-no-sandbox): the notebook's code ran unconfined"
    why = unavailable()
    if why is None:
        return True, ""
    if sandbox:
        raise SandboxUnavailable(f"no sandbox for learners' code: {why}; run with --unsafe-no-sandbox only "
                                 "for notebooks you trust")
    return False, f"checked without a sandbox: {why}"


__all__ = ["MAX_NOTEBOOK_BYTES", "SandboxUnavailable", "NotebookError", "read_notebook", "cell_label",
           "sandbox_or_why"]
