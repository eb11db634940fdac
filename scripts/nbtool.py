#!/usr/bin/env python3
"""Notebook chores for authors (not needed by learners).

    python scripts/nbtool.py execute notebooks/*.ipynb solutions/*.ipynb
        re-run notebooks in place in a fresh kernel and store their outputs (and widget
        state), so nbval's strict comparison has something to compare
    python scripts/nbtool.py from-percent SRC.py OUT.ipynb
        build a notebook from a percent-format script ("# %%" code cells,
        "# %% [markdown]" markdown cells written as comment lines), then execute it
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def execute(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    # JupyterLab tells a kernel which notebook it runs, relative to the server root (labkit.grading.check()
    # reads it); the server root here is the repository
    os.environ["JPY_SESSION_NAME"] = str(path.resolve().relative_to(ROOT)) if path.resolve().is_relative_to(ROOT) else str(path.resolve())
    client = NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}},
                            store_widget_state=True)
    client.execute()
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    nbformat.write(nb, path)
    print(f"executed {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


def from_percent(src: Path, out: Path) -> None:
    cells, kind, buf = [], None, []

    def flush():
        if kind is None:
            return
        text = "\n".join(buf).strip("\n")
        if kind == "markdown":
            text = "\n".join(line[2:] if line.startswith("# ") else line.lstrip("#") for line in text.splitlines())
            cells.append(nbformat.v4.new_markdown_cell(text))
        elif text:
            cells.append(nbformat.v4.new_code_cell(text))

    for line in src.read_text().splitlines():
        if line.startswith("# %%"):
            flush()
            kind, buf = ("markdown" if "[markdown]" in line else "code"), []
            if kind == "code" and "tags=" in line:
                pass
        else:
            buf.append(line)
    flush()
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["language_info"] = {"name": "python"}
    nbformat.write(nb, out)
    execute(out)


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[0] == "execute":
        for p in argv[1:]:
            execute(Path(p).resolve())
        return 0
    if len(argv) == 3 and argv[0] == "from-percent":
        from_percent(Path(argv[1]), Path(argv[2]).resolve())
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
