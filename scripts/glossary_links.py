#!/usr/bin/env python3
"""Link each glossary term's first use in the notebook chain to docs/glossary.md.

    python scripts/glossary_links.py                 add the links to notebooks/*.ipynb
    python scripts/glossary_links.py --check         exit 1 (and list them) if a link is missing
    python scripts/glossary_links.py --dry-run       print what would change, change nothing
    python scripts/glossary_links.py NB.ipynb ...    only these notebooks (still in chain order)

For every term of the glossary (the ```{glossary} block of docs/glossary.md), the first
place in the chain -- notebooks in order, markdown cells in order -- where the term is used in
running text gets a link, `[term](../docs/glossary.md#term-ID)`; mystmd gives each glossary
term the anchor `term-ID` (lower case, every run of other characters a hyphen), so the link
works on the course website, and in JupyterLab it opens the glossary. Plurals count as a use
("resources" for Resource).

Not linked: headings, code (`...` spans and code cells), text that is already a link, and
words inside a longer name ("4-node" is no use of Node). Only markdown cells change; code,
outputs and metadata are kept as they are.

Idempotent: a term that already has a link to its glossary entry anywhere in the chain is
left alone, so a second run changes nothing and --check passes after a run.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = ROOT / "docs" / "glossary.md"


def term_id(term: str) -> str:
    """The anchor mystmd gives a glossary term."""
    return "term-" + re.sub(r"[^a-z0-9]+", "-", term.lower()).strip("-")


def glossary_terms(path: Path = GLOSSARY) -> list[str]:
    """The terms of the glossary block, in the page's order."""
    text = path.read_text(encoding="utf-8")
    m = re.search(r"^```\{glossary\}\s*$(.*?)^```\s*$", text, re.M | re.S)
    if not m:
        raise SystemExit(f"{path}: no ```{{glossary}} block")
    lines = m.group(1).splitlines()
    return [line.strip() for i, line in enumerate(lines)
            if line.strip() and not line.startswith((":", " ")) and i + 1 < len(lines)
            and lines[i + 1].startswith(":")]


def _source(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _protected(line: str) -> list[tuple[int, int]]:
    """Spans of a markdown line that must not get a link: code spans, links, raw HTML, URLs."""
    spans = []
    for pat in (r"`[^`]*`", r"\[[^\]]*\]\([^)]*\)", r"<[^>]+>", r"https?://\S+"):
        spans += [(m.start(), m.end()) for m in re.finditer(pat, line)]
    return spans


def _pattern(term: str) -> re.Pattern:
    # no letter, digit, hyphen or slash on either side (so "4-node" and "Active/Active" as parts
    # of longer names are not uses); an optional plural
    return re.compile(r"(?<![\w/-])(" + re.escape(term) + r"(?:s|es)?)(?![\w/-])", re.I)


def link_first_uses(notebooks: list[Path], terms: list[str], glossary_rel: str = "../docs/glossary.md"
                    ) -> tuple[dict[Path, list[str]], dict[Path, dict]]:
    """Add the missing links, in memory: returns ({notebook: [terms linked]}, {notebook: its
    JSON with the links}) for the caller to write."""
    books = {p: json.loads(p.read_text(encoding="utf-8")) for p in notebooks}
    everything = "\n".join(_source(c) for nb in books.values() for c in nb["cells"])
    todo = [t for t in sorted(terms, key=len, reverse=True) if f"glossary.md#{term_id(t)})" not in everything]
    linked: dict[Path, list[str]] = {p: [] for p in notebooks}
    done: set[str] = set()
    for path, nb in books.items():
        for cell in nb["cells"]:
            if cell.get("cell_type") != "markdown":
                continue
            src = _source(cell)
            lines, in_fence, changed = src.split("\n"), False, False
            for i, line in enumerate(lines):
                if line.lstrip().startswith(("```", "~~~")):
                    in_fence = not in_fence
                if in_fence or line.lstrip().startswith("#"):
                    continue
                for term in todo:
                    if term in done:
                        continue
                    for m in _pattern(term).finditer(line):
                        if any(a <= m.start() < b or a < m.end() <= b for a, b in _protected(line)):
                            continue
                        url = f"{glossary_rel}#{term_id(term)}"
                        line = line[:m.start()] + f"[{m.group(1)}]({url})" + line[m.end():]
                        done.add(term)
                        linked[path].append(term)
                        changed = True
                        break
                lines[i] = line
            if changed:
                new = "\n".join(lines)
                cell["source"] = new.splitlines(keepends=True) if isinstance(cell.get("source"), list) else new
    return {p: t for p, t in linked.items() if t}, books


def dump(nb: dict) -> str:
    """A notebook as nbformat writes it (one-space indent, sorted keys, a final newline), so
    that only the linked cells differ in a diff."""
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("notebooks", nargs="*", type=Path)
    ap.add_argument("--check", action="store_true", help="change nothing; exit 1 if a link is missing")
    ap.add_argument("--dry-run", action="store_true", help="print what would change, change nothing")
    ap.add_argument("--glossary", type=Path, default=GLOSSARY)
    args = ap.parse_args(argv)
    paths = sorted(args.notebooks) if args.notebooks else sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    if not paths:
        print("glossary links: no notebooks", file=sys.stderr)
        return 2
    terms = glossary_terms(args.glossary)
    changes, books = link_first_uses(paths, terms)
    for path, ts in changes.items():
        verb = "missing" if args.check else ("would link" if args.dry_run else "linked")
        print(f"{path.name}: {verb} {len(ts)}: {', '.join(sorted(ts))}")
    if args.check:
        return 1 if changes else 0
    if not args.dry_run:
        for path in changes:
            path.write_text(dump(books[path]), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
