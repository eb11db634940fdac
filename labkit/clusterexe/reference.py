"""The generated parts of ``docs/clusterexe.md``: the coverage table, the error table and
the failover-drill transcript. The test suite checks that the page holds exactly what
these functions produce; ``python -m labkit.clusterexe.reference docs/clusterexe.md``
rewrites them.

>>> coverage_table().splitlines()[0]
'| command | options | maps to (labkit public API) | tested |'
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

from .commands import COVERAGE
from .errors import EXPLICIT, FRONT_END, MAPPING, WIN32
from .session import Session

#: The failover drill of docs/clusterexe.md, on the paper's 4-node, 5,000-user cluster.
DRILL = [
    "rem the paper's cluster: four nodes, one Exchange virtual server on each",
    "cluster group",
    "rem 1. maintenance on 2-MOE: pause it (it takes no groups), stop its cluster service",
    "cluster node 2-MOE /pause",
    "cluster node 2-MOE /stop",
    "wait",
    "rem 2. power loss on 3-LARRY (labkit only: cluster.exe cannot pull a plug)",
    "crash 3-LARRY",
    "wait",
    "cluster group",
    "rem 3. 2-MOE comes back, still paused (a pause outlives a restart): no group may go there",
    "cluster node 2-MOE /start",
    "cluster group EXVS2 /moveto:2-MOE",
    "cluster node 2-MOE /resume",
    "wait",
    "rem 4. a planned move, and the final state",
    "cluster group EXVS3 /moveto:2-MOE",
    "cluster group",
]


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|")


def coverage_table() -> str:
    """Markdown: each command, its options, the API call it maps to and its tests."""
    rows = ["| command | options | maps to (labkit public API) | tested |", "|---|---|---|---|"]
    for e in COVERAGE:
        if e.ok and e.refused:
            tested = f"yes: {len(e.ok)} ok, {len(e.refused)} refused"
        elif e.refused:
            tested = f"yes: {len(e.refused)} refused (not modelled)"
        else:  # pragma: no cover - every entry has examples (a test checks)
            tested = "no"
        rows.append(f"| `{_cell(e.command)}` | {_cell(e.options) or '(default)'} | {_cell(e.api)} | {tested} |")
    return "\n".join(rows)


def error_table() -> str:
    """Markdown: every Win32 number labkit's cluster.exe prints and when."""
    rows = ["| number | symbol | when (labkit) | basis |", "|---|---|---|---|"]
    for code in EXPLICIT:
        rows.append(f"| {code} | {WIN32[code][0]} | a refusal whose rule names it in its source "
                    "(dependencies: other group, cycle, duplicate, quorum, dependent online) | Microsoft "
                    "(AddClusterResourceDependency) |")
    for code, when, basis in FRONT_END:
        rows.append(f"| {code} | {WIN32[code][0]} | {_cell(when)} | {basis} |")
    for m in MAPPING:
        what = m.error if m.error != "*" else "any other refusal"
        if m.match:
            what += f' whose rule or message holds "{m.match}"'
        if m.commands:
            what += " in " + ", ".join(f"`{c}`" for c in m.commands)
        if m.note:
            what += f" ({m.note})"
        rows.append(f"| {m.code} | {WIN32[m.code][0]} | {_cell(what)} | {m.basis} |")
    return "\n".join(rows)


def drill_transcript(cluster=None) -> str:
    """The drill run on ``cluster`` (default: ``labkit.scenarios.four_node_5000()``), as
    a cmd.exe session would show it."""
    if cluster is None:
        from ..scenarios import four_node_5000
        cluster = four_node_5000()
    session = Session(cluster)
    out = []
    for line in DRILL:
        out.append(f"C:\\> {line}")
        r = session.run(line)
        if str(r):
            out.append(str(r))
    return "\n".join(out)


_SECTIONS = {"coverage": coverage_table, "errors": error_table, "drill": lambda: "```\n" + drill_transcript() + "\n```"}


def sections(text: str) -> dict[str, str]:
    """The generated sections of a page: ``<!-- BEGIN name -->`` ... ``<!-- END name -->``."""
    return {m.group(1): m.group(2).strip("\n") for m in
            re.finditer(r"<!-- BEGIN (\w+) -->\n(.*?)<!-- END \1 -->", text, re.S)}


def render(text: str) -> str:
    """``text`` with every generated section replaced by what it should hold now."""
    def fill(m):
        return f"<!-- BEGIN {m.group(1)} -->\n{_SECTIONS[m.group(1)]()}\n<!-- END {m.group(1)} -->"
    return re.sub(r"<!-- BEGIN (\w+) -->\n.*?<!-- END \1 -->", fill, text, flags=re.S)


if __name__ == "__main__":  # pragma: no cover - a maintainer's tool
    page = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/clusterexe.md")
    page.write_text(render(page.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"wrote {page}")
