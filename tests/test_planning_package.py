"""The planning package: public API, layering (no Exchange, no views), no printing."""
import ast
import subprocess
import sys
from pathlib import Path

import labkit as lk

PKG = Path(__file__).resolve().parents[1] / "labkit" / "planning"


def test_planning_imports_without_the_exchange_layer_or_views():
    code = ("import sys, labkit.planning as p; p.table9(); "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('ipywidgets', 'graphviz', 'IPython') "
            "or m.startswith('labkit.exchange') or m.startswith('labkit.views')]; "
            "print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_lazy_attribute_and_public_names():
    assert lk.planning.table9().total_drives == 36
    for name in lk.planning.__all__:
        assert hasattr(lk.planning, name), name


def test_model_code_never_prints():
    for path in PKG.glob("*.py"):
        tree = ast.parse(path.read_text())
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", None) == "print"]
        assert not calls, path.name
