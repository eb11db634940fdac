#!/usr/bin/env python3
"""The instructor's paths through the chain, with minutes that add up.

A path (docs/instructor/paths.yml) lists notebooks, the numbered sections of each to skip,
the exercise questions to do, and breaks. Its minutes are never typed in: they come from
the notebooks' and exercises' own headers, read at run time --

    notebooks/NN_*.ipynb, first cell:  *Teach: N minutes · Practise: M minutes*
    exercises/NN_*.ipynb, first cell:  *Practise: M minutes · P points · ...*
    exercises/NN_*.ipynb, questions:   ## Question k · title (p points, reads `x`)

How a path's minutes are computed (docs/instructor/paths.md says the same for instructors):
- teaching: the notebook's Teach minutes, shared among its parts in proportion to their
  length in words (markdown and code); a skipped section takes its share away;
- practice: a notebook with an exercise is practised in its exercise, so its practice is the
  exercise's Practise minutes, shared among the questions by points; a notebook without one
  (00, 01) is practised in the notebook itself (its Practise minutes);
- each block is rounded to whole minutes, and the totals add the rounded blocks.

    python scripts/course_paths.py            print every path
    python scripts/course_paths.py --write    rewrite the generated tables in the path pages
    python scripts/course_paths.py --check    exit 1 if a page differs from what the data give
"""
from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
PATHS_FILE = ROOT / "docs" / "instructor" / "paths.yml"

TEACH_RE = re.compile(r"\*Teach:\s*(\d+)\s*minutes?\s*·\s*Practise:\s*(\d+)\s*minutes?\*")
EXERCISE_RE = re.compile(r"\*Practise:\s*(\d+)\s*minutes?\s*·\s*(\d+)\s*points?")
QUESTION_RE = re.compile(r"^## Question (\d+) · (.+?) \((\d+(?:\s*\+\s*\d+)*) points?\b")
SECTION_RE = re.compile(r"^## (\d+) · (.+)$")
BEGIN_RE = re.compile(r"^% paths:begin (\S+)\s*$")
END_LINE = "% paths:end"


class PathError(ValueError):
    """A path names something the notebooks do not have, or its data are malformed."""


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


@dataclass
class Section:
    number: int | None          # None: an unnumbered part (intro, check, key points), never skipped
    title: str
    words: int


@dataclass
class Notebook:
    key: str                    # "06"
    path: Path
    title: str
    teach: int
    practise: int
    sections: list[Section] = field(default_factory=list)

    @property
    def words(self) -> int:
        return sum(s.words for s in self.sections)

    def section(self, number: int) -> Section:
        for s in self.sections:
            if s.number == number:
                return s
        raise PathError(f"notebook {self.key} has no section {number} "
                        f"(it has {', '.join(str(s.number) for s in self.sections if s.number)})")


@dataclass
class Question:
    number: int
    title: str
    points: int


@dataclass
class Exercise:
    key: str
    path: Path
    practise: int
    points: int
    questions: list[Question]

    def question(self, number: int) -> Question:
        for q in self.questions:
            if q.number == number:
                return q
        raise PathError(f"exercise {self.key} has no question {number} (it has 1-{len(self.questions)})")


def read_notebook(path: Path) -> Notebook:
    """A notebook's title, Teach and Practise minutes, and its parts with their word counts."""
    cells = _cells(path)
    first = _source(cells[0])
    m = TEACH_RE.search(first)
    if not m:
        raise PathError(f"{path.name}: no '*Teach: N minutes · Practise: M minutes*' line in the first cell")
    title = first.splitlines()[0].lstrip("# ").strip()
    nb = Notebook(path.name[:2], path, title, int(m.group(1)), int(m.group(2)))
    current = Section(None, "(introduction)", 0)
    nb.sections.append(current)
    for cell in cells:
        text = _source(cell)
        for line in text.splitlines():
            if cell["cell_type"] == "markdown" and line.startswith("## "):
                sm = SECTION_RE.match(line)
                current = Section(int(sm.group(1)), sm.group(2).strip(), 0) if sm else Section(None, line[3:].strip(), 0)
                nb.sections.append(current)
            current.words += len(line.split())
    return nb


def read_exercise(path: Path) -> Exercise:
    """An exercise's Practise minutes, points and questions."""
    cells = _cells(path)
    m = EXERCISE_RE.search(_source(cells[0]))
    if not m:
        raise PathError(f"{path.name}: no '*Practise: N minutes · P points*' line in the first cell")
    questions = []
    for cell in cells:
        if cell["cell_type"] == "markdown":
            qm = QUESTION_RE.match(_source(cell).splitlines()[0] if _source(cell) else "")
            if qm:
                points = sum(int(x) for x in qm.group(3).split("+"))   # "(1 + 3 points": two parts
                questions.append(Question(int(qm.group(1)), qm.group(2).strip(), points))
    total = sum(q.points for q in questions)
    if total != int(m.group(2)):
        raise PathError(f"{path.name}: the questions' points add up to {total}, the header says {m.group(2)}")
    return Exercise(path.name[:2], path, int(m.group(1)), total, questions)


def chain(root: Path = ROOT) -> tuple[dict[str, Notebook], dict[str, Exercise]]:
    notebooks = {p.name[:2]: read_notebook(p) for p in sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb"))}
    exercises = {p.name[:2]: read_exercise(p) for p in sorted((root / "exercises").glob("[0-9][0-9]_*.ipynb"))}
    return notebooks, exercises


def _round(x: float) -> int:
    return int(x + 0.5)


@dataclass
class Block:
    kind: str                   # "notebook", "activity" (an assessment) or "break"
    label: str
    teach: int = 0
    practise: int = 0
    notes: list[str] = field(default_factory=list)
    start: str = ""

    @property
    def minutes(self) -> int:
        return self.teach + self.practise


@dataclass
class PathPlan:
    key: str
    title: str
    start: str | None
    about: str
    limits: tuple[int, int]
    blocks: list[Block]

    @property
    def teach(self) -> int:
        return sum(b.teach for b in self.blocks if b.kind == "notebook")

    @property
    def practise(self) -> int:
        return sum(b.practise for b in self.blocks if b.kind == "notebook")

    @property
    def breaks(self) -> int:
        return sum(b.minutes for b in self.blocks if b.kind == "break")

    @property
    def activities(self) -> int:
        return sum(b.minutes for b in self.blocks if b.kind == "activity")

    @property
    def total(self) -> int:
        return self.teach + self.practise + self.activities + self.breaks

    @property
    def end(self) -> str:
        return _clock(self.start, self.total) if self.start else ""


def _clock(start: str, minutes: int) -> str:
    h, m = (int(x) for x in start.split(":"))
    t = h * 60 + m + minutes
    return f"{t // 60:02d}:{t % 60:02d}"


def _hm(minutes: int) -> str:
    h, m = divmod(minutes, 60)
    return f"{h} h {m:02d} min" if h else f"{m} min"


def plan(key: str, spec: dict, notebooks: dict[str, Notebook], exercises: dict[str, Exercise]) -> PathPlan:
    """Turn one path of paths.yml into blocks with minutes, from the notebooks' own data."""
    blocks = []
    for item in spec["blocks"]:
        if "break" in item or "activity" in item:
            kind = "break" if "break" in item else "activity"
            blocks.append(Block(kind, str(item.get("label", kind.title())), teach=int(item[kind])))
            continue
        nbkey = str(item["notebook"]).zfill(2)
        if nbkey not in notebooks:
            raise PathError(f"path {key}: no notebook {nbkey}")
        nb = notebooks[nbkey]
        unknown = set(item) - {"notebook", "skip_sections", "exercise", "practise", "note"}
        if unknown:
            raise PathError(f"path {key}, notebook {nbkey}: unknown keys {sorted(unknown)}")
        skipped = [nb.section(int(n)) for n in item.get("skip_sections", [])]
        kept_words = nb.words - sum(s.words for s in skipped)
        teach = nb.teach * kept_words / nb.words
        notes = []
        if skipped:
            notes.append("skip " + "; ".join(f"§{s.number} {s.title}" for s in skipped))
        ex = exercises.get(nbkey)
        choice = item.get("exercise", "none")
        if ex is None:
            if choice != "none":
                raise PathError(f"path {key}: notebook {nbkey} has no exercise")
            practise = nb.practise if item.get("practise", False) else 0
            notes.append("practise in the notebook" if practise else "no practice in class")
        else:
            if "practise" in item:
                raise PathError(f"path {key}, notebook {nbkey}: it is practised in its exercise; "
                                "use 'exercise: all | none | [question numbers]'")
            if choice == "all":
                done = ex.questions
            elif choice == "none":
                done = []
            else:
                done = [ex.question(int(n)) for n in choice]
            practise = ex.practise * sum(q.points for q in done) / ex.points
            if not done:
                notes.append(f"exercise {nbkey}: not in class")
            elif len(done) == len(ex.questions):
                notes.append(f"exercise {nbkey}: all questions")
            else:
                skipped_q = [q for q in ex.questions if q not in done]
                word = "question" if len(done) == 1 else "questions"
                notes.append(f"exercise {nbkey}: {word} {', '.join(str(q.number) for q in done)}; "
                             f"skip {'; '.join(f'{q.number} {q.title}' for q in skipped_q)}")
        if item.get("note"):
            notes.append(str(item["note"]))
        blocks.append(Block("notebook", nb.title, _round(teach), _round(practise), notes))
    start = spec.get("start")
    if start:
        t = 0
        for b in blocks:
            b.start = _clock(start, t)
            t += b.minutes
    lo, hi = spec["limits"]
    return PathPlan(key, spec["title"], start, spec.get("about", ""), (int(lo), int(hi)), blocks)


def load(root: Path = ROOT) -> dict[str, PathPlan]:
    specs = yaml.safe_load((root / "docs" / "instructor" / "paths.yml").read_text(encoding="utf-8"))
    notebooks, exercises = chain(root)
    return {key: plan(key, spec, notebooks, exercises) for key, spec in specs.items()}


def table(p: PathPlan) -> str:
    """The generated Markdown: the timetable and its totals."""
    clock = p.start is not None
    head = ["start"] if clock else []
    lines = ["| " + " | ".join(head + ["block", "teach", "practise", "what to skip"]) + " |",
             "|" + "---|" * (len(head) + 4)]
    for b in p.blocks:
        first = [b.start] if clock else []
        if b.kind == "break":
            lines.append("| " + " | ".join(first + [f"*{b.label}*", f"{b.minutes} min", "", ""]) + " |")
        elif b.kind == "activity":
            lines.append("| " + " | ".join(first + [b.label, f"{b.minutes} min", "", ""]) + " |")
        else:
            lines.append("| " + " | ".join(first + [b.label, f"{b.teach} min", f"{b.practise} min",
                                                    "<br>".join(n.replace("|", "\\|") for n in b.notes)]) + " |")
    lines.append("")
    parts = [f"{p.teach} min teaching", f"{p.practise} min practice"]
    if p.activities:
        parts.append(f"{p.activities} min of assessment")
    parts.append(f"{p.breaks} min of breaks")
    total = f"**Total: {p.total} minutes ({_hm(p.total)})**: " + ", ".join(parts)
    if clock:
        total += f"; {p.start} to {p.end}"
    lines.append(total + ".")
    return "\n".join(lines)


def timing(key: str, plans: dict[str, PathPlan], root: Path = ROOT) -> str:
    """The timing paragraph of a facilitation note (block 'timing-NN'): the notebook's and the
    exercise's own minutes, and what each path gives the notebook."""
    notebooks, exercises = chain(root)
    if key not in notebooks:
        raise PathError(f"a page asks for the timing of notebook '{key}', which does not exist")
    nb, ex = notebooks[key], exercises.get(key)
    line = f"**From the notebook's header:** teach {nb.teach} min, practise {nb.practise} min."
    if ex:
        line += (f" **Exercise {key}:** {ex.practise} min for {ex.points} points in {len(ex.questions)} questions"
                 " (the paths count the exercise's minutes as this notebook's practice).")
    else:
        line += " No graded exercise: the practice is in the notebook (its widget and its check)."
    rows = []
    for p in plans.values():
        blocks = [b for b in p.blocks if b.kind == "notebook" and b.label == nb.title]
        if blocks:
            b = blocks[0]
            rows.append(f"- {p.title}: {b.minutes} min ({b.teach} teaching, {b.practise} practice)"
                        + (f"; {'; '.join(b.notes)}" if b.notes else ""))
        else:
            rows.append(f"- {p.title}: not in this path")
    return line + "\n\n" + "\n".join(rows)


def render(text: str, plans: dict[str, PathPlan], root: Path = ROOT) -> str:
    """Replace every generated block (% paths:begin KEY ... % paths:end) with the current table
    (KEY a path of paths.yml) or timing paragraph (KEY timing-NN)."""
    out, lines, i = [], text.splitlines(), 0
    while i < len(lines):
        m = BEGIN_RE.match(lines[i])
        if not m:
            out.append(lines[i])
            i += 1
            continue
        key = m.group(1)
        if key.startswith("timing-"):
            generated = timing(key[len("timing-"):], plans, root)
        elif key in plans:
            generated = table(plans[key])
        else:
            raise PathError(f"a page asks for path '{key}', which paths.yml does not have")
        try:
            j = lines.index(END_LINE, i + 1)
        except ValueError:
            raise PathError(f"'% paths:begin {key}' has no '{END_LINE}'") from None
        out += [lines[i], generated, END_LINE]
        i = j + 1
    return "\n".join(out) + ("\n" if text.endswith("\n") else "")


def pages(root: Path = ROOT) -> list[Path]:
    return sorted(p for p in (root / "docs" / "instructor").rglob("*.md") if "% paths:begin" in p.read_text())


def main(argv: list[str]) -> int:
    plans = load()
    if not argv:
        for p in plans.values():
            print(f"## {p.title}\n\n{table(p)}\n")
        return 0
    if argv[0] in ("--write", "--check"):
        stale = []
        for page in pages():
            text = page.read_text(encoding="utf-8")
            new = render(text, plans, ROOT)
            if new != text:
                stale.append(page)
                if argv[0] == "--write":
                    page.write_text(new, encoding="utf-8")
        verb = "rewrote" if argv[0] == "--write" else "out of date"
        for page in stale:
            print(f"{verb}: {page.relative_to(ROOT)}")
        return 1 if stale and argv[0] == "--check" else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
