"""The facilitation notes (docs/instructor/notes/notes-NN.md) against the real labkit.

Each note quotes three mistakes learners make, each as the code a learner types and the
message labkit shows. Here every mistake runs through labkit, and the quoted message must
appear in what it printed or raised -- so the notes cannot drift from the code's messages.
"""
from __future__ import annotations

import contextlib
import io
import re

import pytest

import labkit as lk
from _course import INSTRUCTOR, ROOT, fenced_blocks, sections

NOTEBOOKS = sorted(p.name[:2] for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
NOTES = INSTRUCTOR / "notes"


def _mistakes(key: str) -> list[tuple[str, str, str]]:
    text = (NOTES / f"notes-{key}.md").read_text(encoding="utf-8")
    body = sections(text, 2).get("Three mistakes learners make")
    assert body, f"notes-{key}.md has no '## Three mistakes learners make' section"
    out = []
    for title, part in sections(body, 3).items():
        assert title.startswith("Mistake "), f"notes-{key}.md: unexpected subsection '{title}'"
        blocks = fenced_blocks(part)
        code = next((b for lang, b in blocks if lang == "python"), None)
        quoted = next((b for lang, b in blocks if lang == "text"), None)
        assert code and quoted, f"notes-{key}.md, {title}: needs a ```python block and a ```text block"
        out.append((title, code, quoted))
    return out


def _run(code: str) -> str:
    """Run a learner's cell: what it prints, then the LabkitError it raises (as a notebook shows it)."""
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(code, "<mistake>", "exec"), {"__name__": "__mistake__"})
    except lk.LabkitError as e:
        out.write(f"{type(e).__name__}: {e}\n")
    return out.getvalue()


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


@pytest.mark.parametrize("key", NOTEBOOKS)
def test_every_notebook_has_notes_with_three_mistakes_and_discussion(key):
    path = NOTES / f"notes-{key}.md"
    assert path.exists(), f"no facilitation notes for notebook {key}"
    text = path.read_text(encoding="utf-8")
    parts = sections(text, 2)
    assert "The live demo" in parts and parts["The live demo"].strip()
    assert len(_mistakes(key)) == 3
    discussion = parts.get("Discussion questions", "")
    assert discussion.count("Model answer") >= 2, f"notes-{key}.md: at least two questions with model answers"
    assert f"% paths:begin timing-{key}" in text, f"notes-{key}.md: the timing block is missing"


CASES = [(key, title, code, quoted) for key in NOTEBOOKS if (NOTES / f"notes-{key}.md").exists()
         for title, code, quoted in _mistakes(key)]


@pytest.mark.parametrize("key,title,code,quoted", CASES, ids=[f"{k}-{t.split(' ')[1]}" for k, t, _, _ in CASES])
def test_each_mistake_shows_the_quoted_message(key, title, code, quoted):
    shown = _run(code)
    assert _norm(quoted) in _norm(shown), (
        f"notes-{key}.md, {title}: labkit no longer shows the quoted text.\nquoted:\n{quoted}\nshown:\n{shown}")


def test_a_quote_that_labkit_does_not_show_is_caught():
    """The check itself can fail: a message labkit does not print is not found."""
    shown = _run('import labkit as lk\nlk.Cluster("X", ip="10.0.0.100").crash_node("NOPE")')
    assert "NotFoundError" in shown
    assert _norm("no node named 'NOPE' was found anywhere") not in _norm(shown)
