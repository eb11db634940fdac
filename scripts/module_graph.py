#!/usr/bin/env python3
"""labkit's modules and their imports, read from the code (``ast``; nothing is imported or run).

    python scripts/module_graph.py            # print the rule violations (exit 1 if any)
    python scripts/module_graph.py --write    # write docs/modules.dot and docs/modules.svg (Graphviz dot)
    python scripts/module_graph.py --check    # exit 1 if docs/modules.dot is not the generated one

Every ``import`` and ``from ... import`` counts, at module level or inside a function, except
those under ``if TYPE_CHECKING:`` (they never run). Imports of names held in strings
(``importlib.import_module(name)``, the lazy plug-in tables) are not imports of the code and are
not counted. The rules (``tests/test_architecture.py`` checks them):

- no import cycles between modules;
- no upward imports: a module imports only modules of its own layer or of layers below it
  (:data:`LAYERS`, bottom to top);
- no private cross-module access: a ``_name`` defined in one module is neither imported nor
  reached as ``x._name`` (``self._name`` and ``cls._name`` aside) from another module, except
  between the modules of a package in :data:`ONE_OBJECT`;
- no module over :data:`MAX_LINES` lines;
- no function over :data:`MAX_FUNCTION_LINES` lines (``def`` line to last line, its nested
  functions included), so that each reads as named steps.

The diagram shows labkit's packages (and top-level modules) as boxes, one row per layer, the
bottom layer at the bottom, with an arrow from each importer to what it imports (so arrows point
down); an arrow that breaks a rule (upward, or in a cycle) is red.
"""
from __future__ import annotations

import argparse
import ast
import hashlib
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "labkit"
DOT = ROOT / "docs" / "modules.dot"
SVG = ROOT / "docs" / "modules.svg"
MAX_LINES = 600
MAX_FUNCTION_LINES = 60

#: labkit's layers, bottom to top: each holds module name prefixes (the longest prefix that
#: matches a module decides its layer). A module may import its own layer and the layers below.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("foundation: errors, values, the cluster states, clock and log, text tables, display hooks",
     ("labkit.errors", "labkit.values", "labkit.states", "labkit.sim", "labkit.text", "labkit.hooks")),
    ("cluster core (the Cluster Service)", ("labkit.cluster",)),
    ("Exchange 2000 (a plug-in)", ("labkit.exchange",)),
    ("procedures and planning", ("labkit.procedures", "labkit.planning")),
    ("io: the cluster database on disk, Pacemaker export", ("labkit.io",)),
    ("scenarios (ready-made clusters)", ("labkit.scenarios",)),
    ("cluster.exe (a text front end over the commands)", ("labkit.clusterexe",)),
    ("views: tables, diagrams, charts, widgets", ("labkit.views",)),
    ("the public API (labkit/__init__.py)", ("labkit",)),
    ("applications on the public API: command line, grading, exercise checks", ("labkit.cli", "labkit.grading")),
]


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> int:
    best, layer = -1, None
    for i, (_title, prefixes) in enumerate(LAYERS):
        for p in prefixes:
            if (module == p or module.startswith(p + ".")) and len(p) > best:
                best, layer = len(p), i
    if layer is None:
        raise ValueError(f"{module} is in no layer: add it to LAYERS in scripts/module_graph.py")
    return layer


def package_of(module: str) -> str:
    """``labkit.<first part>`` (``labkit`` for the package's own ``__init__``)."""
    return ".".join(module.split(".")[:2])


@dataclass
class Module:
    name: str
    path: Path
    lines: int
    is_package: bool
    imports: dict[str, int] = field(default_factory=dict)         # module -> first line
    private_imports: list[tuple[str, str, int]] = field(default_factory=list)   # (module, _name, line)
    private_attrs: dict[str, int] = field(default_factory=dict)   # _name reached as x._name -> first line
    defines_private: set[str] = field(default_factory=set)
    functions: dict[str, int] = field(default_factory=dict)       # qualified name -> lines


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _private(name: str) -> bool:
    """A private name: one leading underscore, not a dunder, not a protocol name like ``_repr_html_``."""
    return name.startswith("_") and not name.startswith("__") and not name.endswith("_")


class _Reader(ast.NodeVisitor):
    def __init__(self, mod: Module, known: set[str]):
        self.mod, self.known = mod, known

    def visit_If(self, node: ast.If) -> None:
        if _is_type_checking(node.test):      # typing only: never runs
            for n in node.orelse:
                self.visit(n)
            return
        self.generic_visit(node)

    def _base(self, level: int) -> list[str]:
        parts = self.mod.name.split(".")
        if not self.mod.is_package:
            parts = parts[:-1]
        return parts[:len(parts) - (level - 1)] if level > 1 else parts

    def _add(self, target: str, line: int) -> None:
        if target.startswith("labkit") and target != self.mod.name:
            while target not in self.known and "." in target:   # a name inside a module
                target = target.rsplit(".", 1)[0]
            if target in self.known and target != self.mod.name:
                self.mod.imports.setdefault(target, line)

    def visit_Import(self, node: ast.Import) -> None:
        for a in node.names:
            self._add(a.name, node.lineno)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = ".".join(self._base(node.level) + ([node.module] if node.module else [])) if node.level else node.module
        for a in node.names:
            sub = f"{base}.{a.name}"
            if sub in self.known:                 # from package import submodule
                self._add(sub, node.lineno)
            else:
                self._add(base, node.lineno)
                if _private(a.name) and base.startswith("labkit"):
                    self.mod.private_imports.append((base, a.name, node.lineno))

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if _private(node.attr) and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")):
            self.mod.private_attrs.setdefault(node.attr, node.lineno)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        """``getattr(x, "_name")`` and its kin reach ``x._name`` too."""
        if (isinstance(node.func, ast.Name) and node.func.id in ("getattr", "setattr", "hasattr", "delattr")
                and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant)
                and isinstance(node.args[1].value, str) and _private(node.args[1].value)
                and not (isinstance(node.args[0], ast.Name) and node.args[0].id in ("self", "cls"))):
            self.mod.private_attrs.setdefault(node.args[1].value, node.lineno)
        self.generic_visit(node)


def _defined_private(tree: ast.Module) -> set[str]:
    """The private names a module defines: functions and classes, names bound at module level
    or in a class body, ``self._x = ...`` (not a function's local variables: a local ``_x``
    does not make another module's ``obj._x`` this module's own)."""
    out: set[str] = set()

    def bound(body) -> None:
        for st in body:
            targets = st.targets if isinstance(st, ast.Assign) else [st.target] if isinstance(
                st, (ast.AnnAssign, ast.AugAssign)) else []
            for t in targets:
                for n in ast.walk(t):
                    if isinstance(n, ast.Name) and _private(n.id):
                        out.add(n.id)
            if isinstance(st, (ast.Import, ast.ImportFrom)):
                out.update(a.asname for a in st.names if a.asname and _private(a.asname))
            if isinstance(st, (ast.If, ast.Try)):
                bound(st.body + getattr(st, "orelse", []) + [x for h in getattr(st, "handlers", []) for x in h.body])

    bound(tree.body)
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and _private(node.name):
            out.add(node.name)
        if isinstance(node, ast.ClassDef):
            bound(node.body)
        elif (isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store) and _private(node.attr)
              and isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")):
            out.add(node.attr)          # an object's own attribute (``c._x = ...`` on another's is access)
    return out


def _function_lines(tree: ast.Module) -> dict[str, int]:
    """Each function's and method's length in lines (``def`` line to last line, nested functions
    included), by qualified name (``Class.method``, ``outer.inner``)."""
    out: dict[str, int] = {}

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = prefix + child.name
                if not isinstance(child, ast.ClassDef):
                    out[name] = child.end_lineno - child.lineno + 1
                visit(child, name + ".")
            else:
                visit(child, prefix)

    visit(tree, "")
    return out


def read_modules(package: Path = PACKAGE) -> dict[str, Module]:
    """Every module of ``package`` (a folder named ``labkit``) with its imports, read with ``ast``."""
    paths = sorted(p for p in package.rglob("*.py") if "__pycache__" not in p.parts)
    mods = {}
    for p in paths:
        text = p.read_text(encoding="utf-8")
        name = module_name(p, package.parent)
        mods[name] = Module(name, p, text.count("\n"), p.name == "__init__.py")
    known = set(mods)
    for m in mods.values():
        tree = ast.parse(m.path.read_text(encoding="utf-8"), str(m.path))
        _Reader(m, known).visit(tree)
        m.defines_private = _defined_private(tree)
        m.functions = _function_lines(tree)
    return mods


# ---------------------------------------------------------------------------------- rules
def cycles(mods: dict[str, Module]) -> list[tuple[str, ...]]:
    """The import cycles: each strongly connected group of modules (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[tuple[str, ...]] = []
    counter = [0]

    def strong(v: str) -> None:          # iterative Tarjan: labkit's graph is small, but no recursion limit
        work = [(v, iter(sorted(mods[v].imports)))]
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        while work:
            node, it = work[-1]
            nxt = next(it, None)
            if nxt is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        w = stack.pop()
                        on.discard(w)
                        group.append(w)
                        if w == node:
                            break
                    if len(group) > 1:
                        out.append(tuple(sorted(group)))
                continue
            if nxt not in index:
                index[nxt] = low[nxt] = counter[0]
                counter[0] += 1
                stack.append(nxt)
                on.add(nxt)
                work.append((nxt, iter(sorted(mods[nxt].imports))))
            elif nxt in on:
                low[node] = min(low[node], index[nxt])

    for v in sorted(mods):
        if v not in index:
            strong(v)
    return sorted(out)


def upward(mods: dict[str, Module]) -> list[tuple[str, str]]:
    """``(importer, imported)`` pairs where the imported module's layer is above the importer's."""
    return sorted((m.name, t) for m in mods.values() for t in m.imports if layer_of(t) > layer_of(m.name))


#: Packages whose modules are parts of one object: the Cluster Service's components are classes
#: of methods over the one ``Cluster`` (docs/architecture.md, "Cluster core"), so within
#: labkit/cluster/ they, and the checkpoint that restores that object's state, reach each
#: other's underscored members.
ONE_OBJECT = ("labkit.cluster",)


def _one_object(a: str, b: str) -> bool:
    return package_of(a) == package_of(b) and any(package_of(a) == p for p in ONE_OBJECT)


def private_access(mods: dict[str, Module]) -> list[tuple[str, str]]:
    """``(module, _name)``: a private name of another module imported, or reached as ``x._name``.
    An attribute counts when some other module defines the name and neither this module nor,
    in a :data:`ONE_OBJECT` package, a module of its own package does."""
    defined_in: dict[str, set[str]] = {}
    for m in mods.values():
        for name in m.defines_private:
            defined_in.setdefault(name, set()).add(m.name)
    out = set()
    for m in mods.values():
        for base, name, _line in m.private_imports:
            if base != m.name and not _one_object(base, m.name):
                out.add((m.name, name))
        for name in m.private_attrs:
            owners = defined_in.get(name, set())
            if name in m.defines_private or any(_one_object(o, m.name) for o in owners):
                continue
            if owners - {m.name}:
                out.add((m.name, name))
    return sorted(out)


def long_modules(mods: dict[str, Module]) -> list[tuple[str, int]]:
    """``(module, lines)`` of the modules over :data:`MAX_LINES` lines."""
    return sorted((m.name, m.lines) for m in mods.values() if m.lines > MAX_LINES)


def long_functions(mods: dict[str, Module]) -> list[tuple[str, int]]:
    """``(module.function, lines)`` of the functions over :data:`MAX_FUNCTION_LINES` lines."""
    return sorted((f"{m.name}.{f}", n) for m in mods.values() for f, n in m.functions.items()
                  if n > MAX_FUNCTION_LINES)


def violations(mods: dict[str, Module] | None = None) -> dict[str, list]:
    mods = read_modules() if mods is None else mods
    return {"cycles": cycles(mods), "upward": upward(mods), "private": private_access(mods),
            "long": long_modules(mods), "long functions": long_functions(mods)}


# -------------------------------------------------------------------------------- diagram
def _node(package: str) -> str:
    return package.replace("labkit.", "").replace(".", "_") if package != "labkit" else "labkit"


def dot_source(mods: dict[str, Module] | None = None) -> str:
    """The package diagram as Graphviz DOT (stable text: sorted, no timestamps)."""
    mods = read_modules() if mods is None else mods
    groups: dict[str, list[Module]] = {}
    for m in mods.values():
        key = m.name if layer_of(m.name) != layer_of(package_of(m.name)) else package_of(m.name)
        groups.setdefault(key, []).append(m)
    group_of = {m.name: g for g, ms in groups.items() for m in ms}
    bad = set(upward(mods))
    for cyc in cycles(mods):
        for a in cyc:
            bad.update((a, b) for b in mods[a].imports if b in cyc)
    edges: dict[tuple[str, str], bool] = {}
    for m in mods.values():
        for t in m.imports:
            a, b = group_of[m.name], group_of[t]
            if a != b:
                edges[(a, b)] = edges.get((a, b), False) or (m.name, t) in bad
    lines = ["// labkit's packages and their imports; generated by scripts/module_graph.py --write (do not edit)",
             "digraph labkit_modules {", "  rankdir=TB; newrank=true; nodesep=0.3; ranksep=0.45;",
             '  node [shape=box, style="rounded,filled", fillcolor="#f4f6fb", fontname="Helvetica", fontsize=11];',
             '  edge [color="#8a94a6", arrowsize=0.6];']
    present = [i for i in range(len(LAYERS)) if any(layer_of(g) == i for g in groups)]
    for i in reversed(present):          # the top layer first: arrows point down to what is imported
        members = sorted(g for g in groups if layer_of(g) == i)
        lines.append(f'  layer{i} [shape=plaintext, style="", fontsize=10, fontcolor="#5b6475", '
                     f'label="{i} · {LAYERS[i][0]}"];')
        for g in members:
            ms = groups[g]
            label = g if len(ms) == 1 else f"{g}\\n{len(ms)} modules"
            lines.append(f'  {_node(g)} [label="{label}"];')
        lines.append(f"  {{ rank=same; layer{i}; {'; '.join(_node(g) for g in members)}; }}")
    lines.append("  " + " -> ".join(f"layer{i}" for i in reversed(present)) + " [style=invis];")
    for (a, b), is_bad in sorted(edges.items()):
        lines.append(f"  {_node(a)} -> {_node(b)}"
                     + (' [color="#d0342c", penwidth=1.6, constraint=false];' if is_bad else ";"))
    lines.append("}")
    return "\n".join(lines) + "\n"


def digest(dot: str) -> str:
    return hashlib.sha256(dot.encode("utf-8")).hexdigest()


def svg_of(dot: str) -> str:
    """The diagram drawn by Graphviz ``dot``, stamped with the DOT source's digest."""
    exe = shutil.which("dot")
    if exe is None:
        raise SystemExit("Graphviz dot is not installed (apt-get install graphviz)")
    svg = subprocess.run([exe, "-Tsvg"], input=dot, capture_output=True, text=True, check=True).stdout
    head, sep, rest = svg.partition("<svg")
    return f"{head}<!-- generated from docs/modules.dot, sha256 {digest(dot)} -->\n{sep}{rest}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--write", action="store_true", help="write docs/modules.dot and docs/modules.svg")
    ap.add_argument("--check", action="store_true", help="exit 1 if docs/modules.dot is out of date")
    ns = ap.parse_args(argv)
    mods = read_modules()
    dot = dot_source(mods)
    if ns.write:
        DOT.write_text(dot, encoding="utf-8")
        SVG.write_text(svg_of(dot), encoding="utf-8")
        print(f"wrote {DOT.relative_to(ROOT)} and {SVG.relative_to(ROOT)}")
        return 0
    if ns.check:
        ok = DOT.is_file() and DOT.read_text(encoding="utf-8") == dot
        print("docs/modules.dot is up to date" if ok else "docs/modules.dot is out of date: run "
              "python scripts/module_graph.py --write")
        return 0 if ok else 1
    found = violations(mods)
    for kind, items in found.items():
        print(f"{kind}: {len(items)}")
        for it in items:
            print("   ", it)
    return 1 if any(found.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
