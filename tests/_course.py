"""Helpers for the course-material tests: load scripts/ modules, read MyST pages' blocks."""
from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
INSTRUCTOR = DOCS / "instructor"

FENCE_RE = re.compile(r"^(`{3,})\s*(\{[^}]*\}\s*)?([\w+-]*)\s*$")


def script(name: str):
    """Import scripts/NAME.py as a module (the scripts folder is not a package)."""
    path = ROOT / "scripts" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"labkit_scripts_{name}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def fenced_blocks(text: str) -> list[tuple[str, str]]:
    """(language, body) of every fenced code block, in order (```python, ```text, ...)."""
    out, lines, i = [], text.splitlines(), 0
    while i < len(lines):
        m = FENCE_RE.match(lines[i])
        if m:
            fence, lang = m.group(1), (m.group(3) or "").lower()
            j = i + 1
            while j < len(lines) and not lines[j].startswith(fence):
                j += 1
            out.append((lang, "\n".join(lines[i + 1:j])))
            i = j + 1
        else:
            i += 1
    return out


def sections(text: str, level: int) -> dict[str, str]:
    """Heading text -> body, for the headings of one level (## is 2)."""
    out, current, buf = {}, None, []
    marker = "#" * level + " "
    in_fence = False
    for line in text.splitlines():
        if line.startswith("```"):
            in_fence = not in_fence
        if not in_fence and line.startswith(marker):
            if current is not None:
                out[current] = "\n".join(buf)
            current, buf = line[len(marker):].strip(), []
        elif current is not None:
            if not in_fence and re.match(r"^#{1,%d} " % (level - 1), line):
                out[current] = "\n".join(buf)
                current, buf = None, []
                continue
            buf.append(line)
    if current is not None:
        out[current] = "\n".join(buf)
    return out
