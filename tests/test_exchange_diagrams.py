"""Exchange diagrams: Figure 5 redrawn from Table 7, Figure 6 from the model."""
import re

import labkit as lk
from labkit import exchange as ex
from labkit.views import exchange_diagrams as diagrams


def _edges(src):
    return re.findall(r'^\s*("?[^"\n]+"?) -> ("?[^"\[\n]+"?)', src, re.M)


def test_figure5_redrawn_from_table7():
    src = diagrams.dependency_tree().source
    edges = {(a.strip().strip('"'), b.strip().strip('"')) for a, b in _edges(src)}
    want = {(row.role, p) for row in ex.TABLE7 for p in row.providers} | {("Network Name", "IP Address")}
    assert edges == want
    assert "rankdir=TB" in src   # providers at the bottom: online order reads bottom to top


def test_dependency_tree_of_a_virtual_server_shows_its_resources_and_states():
    c = ex.demo_cluster()
    dot = diagrams.dependency_tree(c, "EXVS1")
    src = dot.source
    assert "Disk E:" in src and "Online" in src
    # every dependency is an edge, even for names with ':' (DOT reads ':' as a port)
    assert len(_edges(src)) == sum(len(c.resources[r].dependencies) for r in c.groups["EXVS1"].resources)
    assert '"Disk E"' not in src


def test_storage_diagram_shows_groups_logs_databases_and_disks():
    c = ex.demo_cluster()
    ex.add_storage_group(c, "EXVS1", "SG2", log_disk="Disk L:")
    ex.add_database(c, "EXVS1", "SG2", "Sales", edb_disk="Disk E:", stm_disk="Disk L:")
    src = diagrams.storage_diagram(c, "EXVS1").source
    for text in ("First Storage Group", "SG2", "Sales", "L:\\\\Exchsrvr\\\\SG2", ".EDB", ".STM", "box3d"):
        assert text in src
    assert src.count("shape=box3d") == 2


def test_dot_text_is_stable():
    a = ex.demo_cluster()
    b = ex.demo_cluster()
    assert diagrams.dependency_tree(a, "EXVS1").source == diagrams.dependency_tree(b, "EXVS1").source
    assert diagrams.storage_diagram(a).source == diagrams.storage_diagram(b).source
    assert diagrams.dependency_tree().source == diagrams.dependency_tree().source


def test_diagrams_render_with_graphviz():
    c = ex.demo_cluster()
    svg = diagrams.storage_diagram(c).pipe(format="svg").decode()
    assert svg.lstrip().startswith("<?xml") or "<svg" in svg


def test_model_code_does_not_import_graphviz():
    import subprocess
    import sys
    code = ("import sys, labkit.exchange as ex; ex.demo_cluster(); "
            "assert 'graphviz' not in sys.modules and 'ipywidgets' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_unknown_virtual_server_in_a_diagram():
    c = ex.demo_cluster()
    import pytest
    with pytest.raises(lk.NotFoundError):
        diagrams.storage_diagram(c, "EXVS9")
