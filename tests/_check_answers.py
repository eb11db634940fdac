"""The "Check your understanding" cells start unanswered (``...``) and say "not yet";
this runs a notebook with the answers of ``tests/data/check_answers.json`` filled in,
in a fresh kernel, and returns what its check cell printed (tests/test_check_answers*.py)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
ANSWERS = json.loads((ROOT / "tests" / "data" / "check_answers.json").read_text())


def check_cell_index(nb) -> int:
    heading = next(i for i, c in enumerate(nb.cells) if "## Check your understanding" in c.source)
    return next(i for i in range(heading, len(nb.cells)) if nb.cells[i].cell_type == "code")


def fill(source: str, answers: dict) -> str:
    """``name = ...  # comment`` lines with the answer in place of ``...``."""
    for name, value in answers.items():
        pattern = re.compile(rf"^({re.escape(name)}\s*=\s*)\.\.\.", re.M)
        assert pattern.search(source), f"no unanswered line for {name!r}"
        source = pattern.sub(lambda m: m.group(1) + value, source)
    return source


def run_with_answers(name: str, tmp_path: Path) -> str:
    nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    k = check_cell_index(nb)
    nb.cells[k].source = fill(nb.cells[k].source, ANSWERS[name])
    nb.cells = nb.cells[: k + 1]
    work = tmp_path / "notebooks"
    work.mkdir()
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(work)}}).execute()
    cell = nb.cells[k]
    return "".join("".join(o.get("text", "")) + "".join(o.get("data", {}).get("text/plain", ""))
                   for o in cell.outputs)
