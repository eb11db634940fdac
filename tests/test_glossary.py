"""The glossary (docs/glossary.md) against the notebooks, and scripts/glossary_links.py on
copies of the notebooks (the committed notebooks are never touched here)."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import pytest

from _course import DOCS, ROOT, script

gl = script("glossary_links")
GLOSSARY = DOCS / "glossary.md"
NOTEBOOKS = {p.name[:2]: p for p in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))}
LINK_RE = re.compile(r"\]\(\.\./notebooks/(\d\d)_[a-z0-9_]+\.ipynb\)")


def _entries() -> dict[str, str]:
    text = GLOSSARY.read_text(encoding="utf-8")
    block = re.search(r"^```\{glossary\}\s*$(.*?)^```\s*$", text, re.M | re.S).group(1)
    entries, term = {}, None
    for line in block.splitlines():
        if line.startswith(":"):
            entries[term] = entries.get(term, "") + line
        elif line.strip():
            term = line.strip()
    return entries


def _notebook_text(path) -> str:
    """What a learner reads in a notebook: markdown, code and printed output, without markup."""
    parts = []
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        parts.append("".join(cell["source"]))
        parts += ["".join(o.get("text", "")) for o in cell.get("outputs", []) if o["output_type"] == "stream"]
    text = re.sub(r"\]\([^)]*\)", "]", "\n".join(parts))           # a link's address is not its text
    return re.sub(r"\s+", " ", re.sub(r"[*`\[\]]", "", text)).lower()


def test_the_glossary_is_large_and_every_entry_names_one_notebook():
    entries = _entries()
    assert len(entries) >= 80
    assert gl.glossary_terms(GLOSSARY) == list(entries)
    for term, definition in entries.items():
        keys = LINK_RE.findall(definition)
        assert len(keys) == 1, f"{term}: names {len(keys)} notebooks, not one"
        assert keys[0] in NOTEBOOKS, f"{term}: notebook {keys[0]} does not exist"
        sentence = re.sub(r"\*Taught in .*", "", definition).lstrip(": ").strip()
        assert sentence.endswith(".") and sentence.count(". ") == 0, f"{term}: one sentence, please: {sentence}"


@pytest.mark.parametrize("term", list(_entries()))
def test_each_term_appears_in_the_notebook_it_names(term):
    key = LINK_RE.findall(_entries()[term])[0]
    assert term.lower() in _notebook_text(NOTEBOOKS[key]), f"'{term}' does not appear in notebook {key}"


def _unlinked(text: str) -> str:
    """``text`` without its glossary links (what scripts/glossary_links.py added)."""
    return re.sub(r"\[([^\]]*)\]\(\.\./docs/glossary\.md#[^)]*\)", r"\1", text)


def _table_terms(key: str, heading: str) -> list[str]:
    """The first column of the table under `heading` in notebook `key`'s markdown."""
    cells = json.loads(NOTEBOOKS[key].read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        src = "".join(cell["source"])
        if cell["cell_type"] == "markdown" and heading in src:
            rows = [line for line in src.splitlines() if line.startswith("| ") and not line.startswith("|--")]
            return [re.sub(r"[*]", "", _unlinked(r.split("|")[1])).strip() for r in rows[1:]
                    if not set(r) <= set("|-: ")]
    raise AssertionError(f"no '{heading}' in notebook {key}")


def test_the_terms_the_notebooks_define_are_all_in_the_glossary():
    """Systematic coverage: 02's table of terms (the paper's Table 1) and 03's table of the
    cluster service's components (Table 2) are the chain's own vocabulary lists."""
    have = {t.lower() for t in _entries()}
    wanted = _table_terms("02", "## 2 · The words") + _table_terms("03", "## 1 · The parts of the cluster service")
    wanted = [w for w in wanted if w.lower() not in ("physical machine",)]   # just "a server": see Node
    missing = [w for w in wanted if w.lower() not in have]
    assert not missing, f"terms the notebooks define but the glossary lacks: {missing}"


@pytest.fixture
def copies(tmp_path):
    """The notebooks and the glossary, copied: glossary_links runs on these only."""
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "docs").mkdir()
    for p in NOTEBOOKS.values():   # as they were before the links (the committed ones have them)
        nb = json.loads(p.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            if cell["cell_type"] == "markdown":
                cell["source"] = _unlinked("".join(cell["source"])).splitlines(True)
        (tmp_path / "notebooks" / p.name).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n",
                                                     encoding="utf-8")
    shutil.copy(GLOSSARY, tmp_path / "docs" / "glossary.md")
    return tmp_path


def _run(root, *args):
    nbs = sorted(str(p) for p in (root / "notebooks").glob("*.ipynb"))
    return subprocess.run([sys.executable, str(ROOT / "scripts" / "glossary_links.py"), "--glossary",
                           str(root / "docs" / "glossary.md"), *args, *nbs],
                          capture_output=True, text=True)


def test_glossary_links_are_added_once_and_only_to_markdown(copies):
    before = {p.name: json.loads(p.read_text()) for p in (copies / "notebooks").glob("*.ipynb")}
    assert _run(copies, "--check").returncode == 1                 # links are missing
    assert _run(copies).returncode == 0
    first = {p.name: p.read_text() for p in (copies / "notebooks").glob("*.ipynb")}
    assert _run(copies).returncode == 0                            # a second run changes nothing
    assert first == {p.name: p.read_text() for p in (copies / "notebooks").glob("*.ipynb")}
    assert _run(copies, "--check").returncode == 0
    ids = {gl.term_id(t) for t in gl.glossary_terms(GLOSSARY)}
    linked = set()
    for name, raw in first.items():
        nb, old = json.loads(raw), before[name]
        assert len(nb["cells"]) == len(old["cells"])
        for new_cell, old_cell in zip(nb["cells"], old["cells"]):
            if new_cell["cell_type"] != "markdown":
                assert new_cell == old_cell, f"{name}: a code cell or its outputs changed"
                continue
            new_src, old_src = "".join(new_cell["source"]), "".join(old_cell["source"])
            for line in new_src.splitlines():
                if line.lstrip().startswith("#"):
                    assert "glossary.md#" not in line, f"{name}: a heading got a link: {line}"
            # removing the links gives the old text back
            assert re.sub(r"\[([^\]]*)\]\(\.\./docs/glossary\.md#[^)]*\)", r"\1", new_src) == old_src
            for anchor in re.findall(r"\(\.\./docs/glossary\.md#([^)]*)\)", new_src):
                assert anchor in ids, f"{name}: link to a term the glossary does not have: {anchor}"
                linked.add(anchor)
    assert len(linked) >= 0.8 * len(ids)                          # almost every term is used somewhere
    assert len(linked) == sum(len(re.findall(r"glossary\.md#", r)) for r in first.values())  # once each


def test_no_link_inside_code_or_a_longer_name():
    cells = [{"cell_type": "markdown", "source": "A `Resource` in code, a 4-node cluster, a resource here."}]
    import tempfile
    from pathlib import Path
    with tempfile.TemporaryDirectory() as d:
        nb = Path(d) / "x.ipynb"
        nb.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
        changes, books = gl.link_first_uses([nb], ["Resource", "Node"])
        src = books[nb]["cells"][0]["source"]
    assert src == "A `Resource` in code, a 4-node cluster, a [resource](../docs/glossary.md#term-resource) here."
    assert changes[nb] == ["Resource"]



def test_the_committed_notebooks_link_every_term_at_its_first_use():
    """scripts/glossary_links.py has been run on the chain (``--check`` changes nothing)."""
    r = subprocess.run([sys.executable, str(ROOT / "scripts" / "glossary_links.py"), "--check"],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
