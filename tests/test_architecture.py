"""labkit's architecture, from the code's imports (issue 15): no cycles, no upward imports,
no private cross-module access, no module over 600 lines, no function over 60 lines
(:data:`LONG_FUNCTIONS` lists the exceptions, each with its reason), and the published module diagram
is the generated one. ``scripts/module_graph.py`` reads the imports (``ast``: nothing runs)
and holds the layers, bottom to top.

A rule broken on purpose would go in :data:`KNOWN`, with its reason: a new violation fails,
and so does a listed one that is gone (take it off the list). The list is empty.
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("module_graph", ROOT / "scripts" / "module_graph.py")
mg = importlib.util.module_from_spec(_spec)
sys.modules["module_graph"] = mg
_spec.loader.exec_module(mg)

#: Every rule broken today, as (rule, what, reason). ``what`` is a cycle's modules joined by
#: " ", an import "importer -> imported", a private access "module -> _name", or a module.
KNOWN: set[tuple[str, str, str]] = set()


#: Every function over 60 lines (``MAX_FUNCTION_LINES`` in scripts/module_graph.py: ``def`` line
#: to last line, nested functions included), as "module.function" -> reason. A new long function
#: fails, and so does a listed one that is no longer long (take it off the list). None is.
LONG_FUNCTIONS: dict[str, str] = {}


@pytest.fixture(scope="module")
def mods():
    return mg.read_modules()


def _found(mods) -> set[tuple[str, str]]:
    v = mg.violations(mods)
    return ({("cycle", " ".join(c)) for c in v["cycles"]} | {("upward", f"{a} -> {b}") for a, b in v["upward"]}
            | {("private", f"{m} -> {n}") for m, n in v["private"]} | {("long", m) for m, _n in v["long"]})


@pytest.mark.parametrize("rule", ["cycle", "upward", "private", "long"])
def test_no_new_violations_and_no_stale_known_ones(mods, rule):
    found = {w for r, w in _found(mods) if r == rule}
    known = {w for r, w, _why in KNOWN if r == rule}
    assert sorted(found - known) == [], f"new {rule} violations (fix them; scripts/module_graph.py prints them all)"
    assert sorted(known - found) == [], f"fixed, so take them off KNOWN in {Path(__file__).name}"


def test_no_new_long_functions_and_no_stale_listed_ones(mods):
    found = {f for f, _n in mg.violations(mods)["long functions"]}
    assert sorted(found - set(LONG_FUNCTIONS)) == [], ("new functions over 60 lines: split them into named "
                                                       "steps (scripts/module_graph.py prints them all)")
    assert sorted(set(LONG_FUNCTIONS) - found) == [], f"no longer long, so take them off LONG_FUNCTIONS in {Path(__file__).name}"
    assert all(len(why) > 20 for why in LONG_FUNCTIONS.values())


def test_every_known_violation_says_why():
    assert all(len(why) > 20 for _r, _w, why in KNOWN)
    assert len({(r, w) for r, w, _why in KNOWN}) == len(KNOWN)


def test_every_module_has_a_layer(mods):
    for name in mods:
        assert 0 <= mg.layer_of(name) < len(mg.LAYERS)
    assert mg.layer_of("labkit.io.reader") > mg.layer_of("labkit.exchange.model") > mg.layer_of("labkit.cluster.cluster")
    assert mg.layer_of("labkit.grading.exercises.02_mscs_building_blocks") > mg.layer_of("labkit")


def test_the_published_diagram_is_the_generated_one(mods):
    """Regenerate with: .venv/bin/python scripts/module_graph.py --write"""
    dot = mg.dot_source(mods)
    assert mg.DOT.read_text(encoding="utf-8") == dot
    svg = mg.SVG.read_text(encoding="utf-8")
    assert f"sha256 {mg.digest(dot)}" in svg and "<svg" in svg


def test_the_values_clock_start_is_the_clock_s():
    """labkit.values sits below the clock, so it writes the clock's start down too."""
    from labkit import sim, values
    assert values.CLOCK_START == sim.START


# ------------------------------------------------------------------ the rules can fail
def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        p = root / "labkit" / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return root / "labkit"


def test_each_rule_finds_what_it_forbids(tmp_path):
    pkg = _write(tmp_path, {
        "__init__.py": "",
        "errors.py": "x = 1\n" * 601,                                     # too long
        "cluster/__init__.py": "",
        "cluster/core.py": ("from typing import TYPE_CHECKING\n"
                            "if TYPE_CHECKING:\n    from ..views import draw\n"    # typing only: not an import
                            "def _hidden():\n    pass\n"
                            "def save(c):\n    from ..io import writer\n"),       # upward, inside a function
        "io/__init__.py": "",
        "io/writer.py": "from ..cluster.core import _hidden\nfrom ..cluster import core\ncore._hidden()\n",
        "views/__init__.py": "def draw():\n    pass\n",
    })
    mods = mg.read_modules(pkg)
    v = mg.violations(mods)
    assert v["cycles"] == [("labkit.cluster.core", "labkit.io.writer")]
    assert v["upward"] == [("labkit.cluster.core", "labkit.io.writer")]
    assert v["private"] == [("labkit.io.writer", "_hidden")]
    assert v["long"] == [("labkit.errors", 601)]
    assert "labkit.views" not in mods["labkit.cluster.core"].imports


def test_a_private_name_of_a_sibling_module_is_private_to_it(tmp_path):
    """Outside the cluster core (one object), a module's ``_name`` is its own: its siblings in the
    same package neither import it nor reach it as ``x._name``; ``self._name`` is the object's own."""
    pkg = _write(tmp_path, {
        "__init__.py": "", "errors.py": "",
        "planning/__init__.py": "",
        "planning/topology.py": "class T:\n    def _need(self):\n        return self._need\n_ROLES = 1\n",
        "planning/replay.py": "from .topology import T, _ROLES\ndef f(t):\n    return t._need(), _ROLES\n",
        "planning/spof.py": ("from .topology import T\ndef g(t):\n    _need = 1\n"      # a local _need is not T's
                             "    return t._need(), getattr(t, '_seen', _need)\n"),
    })
    assert mg.violations(mg.read_modules(pkg))["private"] == [("labkit.planning.replay", "_ROLES"),
                                                              ("labkit.planning.replay", "_need"),
                                                              ("labkit.planning.spof", "_need")]


def test_private_names_within_the_cluster_object_and_protocols_are_fine(tmp_path):
    pkg = _write(tmp_path, {
        "__init__.py": "", "errors.py": "",
        "cluster/__init__.py": "", "cluster/a.py": "class C:\n    def _own(self):\n        return self._own\n",
        "cluster/b.py": "from .a import C\nC()._own()\n",
        "io/__init__.py": "", "io/r.py": "def f(x):\n    return x._repr_html_(), x.__dict__\n",
    })
    assert mg.violations(mg.read_modules(pkg)) == {"cycles": [], "upward": [], "private": [], "long": [],
                                                    "long functions": []}


def test_a_function_s_length_runs_from_def_to_its_last_line_nested_ones_included(tmp_path):
    body = "    x = 1\n" * 57
    pkg = _write(tmp_path, {
        "__init__.py": "",
        "errors.py": ("def short():\n" + body + "    return x\n"                       # 59 lines
                      "class C:\n    @property\n    def long(self):\n" + body.replace("    ", "        ")
                      + "        def inner():\n            return 1\n        return inner\n"),   # 61 lines
    })
    assert mg.violations(mg.read_modules(pkg))["long functions"] == [("labkit.errors.C.long", 61)]


def test_no_layer_below_the_public_api_names_a_plug_in_package():
    """Imports held in strings are invisible to the import graph, so this reads the strings: the
    core and io import the plug-ins only through labkit.hooks, which labkit/__init__.py fills."""
    import ast
    plugins = {"labkit.exchange", "labkit.procedures"}
    found = []
    for path in sorted((ROOT / "labkit").glob("**/*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if not rel.startswith(("labkit/cluster/", "labkit/io/", "labkit/values/", "labkit/sim.py", "labkit/hooks.py")):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and any(
                    node.value == p or node.value.startswith(p + ".") for p in plugins):
                found.append((rel, node.lineno, node.value))
    assert found == []


def test_every_job_the_core_queues_has_its_component_s_handler():
    from labkit.cluster.events import CORE_JOBS, handles
    from labkit.cluster.model import CoreJob
    assert set(CORE_JOBS) == set(CoreJob) and all(handles(k) for k in CoreJob)
    assert not handles("no such job")
