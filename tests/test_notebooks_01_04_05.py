"""Notebooks 01, 04 and 05: their diagrams checked as DOT source (the SVG and widget
cells are NBVAL_IGNORE_OUTPUT), their teaching points checked against the model, and
their shape checked against the notebook rules of issue 6."""
import json
import re
from pathlib import Path

import pytest

import labkit as lk
from labkit import diagrams, planning
from labkit import exchange as ex
from labkit.views.widgets import AvailabilityCalculator, StorageDesigner

ROOT = Path(__file__).resolve().parents[1]
NB = ROOT / "notebooks"
PAPER = Path("/work/shared/paper/deploying-exchange-2000-clusters.txt")
MINE = ["01_why_cluster", "04_exchange_on_a_cluster", "05_storage_design"]
NEXT = {"01_why_cluster": "02_mscs_building_blocks", "04_exchange_on_a_cluster": "05_storage_design",
        "05_storage_design": "06_build_the_5000_user_cluster"}
SA = "Microsoft Exchange System Attendant"


def _cells(name):
    return json.loads((NB / f"{name}.ipynb").read_text())["cells"]


def _src(cell):
    return "".join(cell["source"])


def _markdown(name):
    return "\n".join(_src(c) for c in _cells(name) if c["cell_type"] == "markdown")


def _outputs(name):
    out = []
    for c in _cells(name):
        for o in c.get("outputs", []):
            out.append("".join(o.get("text", "")) + "".join(o.get("data", {}).get("text/plain", "")))
    return "\n".join(out)


def _edges(src):
    return {(a.strip('"'), b.strip('"')) for a, b in re.findall(r'^\s*("[^"]+"|\w+) -> ("[^"]+"|\w+)', src, re.M)}


# ------------------------------------------------------------ notebook rules
@pytest.mark.parametrize("name", MINE)
def test_notebook_follows_the_chain_rules(name):
    cells = _cells(name)
    md = _markdown(name)
    assert md.lstrip().startswith(f"# {name[:2]} · ")
    assert "*Teach:" in md and "Practise:" in md
    objectives = md.split("**You will be able to**")[1].split("\n\n")[0]
    assert 3 <= objectives.count("\n- ") <= 5
    assert "Paper:" in md
    assert "## Check your understanding" in md and "**Key points**" in md
    has_exercise = (ROOT / "exercises" / f"{name}.ipynb").exists()
    assert (f"../exercises/{name}.ipynb" in md) if has_exercise else ("**Exercise:** none for this chapter" in md)
    assert "**Next:**" in md and f"({NEXT[name]}.ipynb)" in md
    code = [c for c in cells if c["cell_type"] == "code"]
    check = next(i for i, c in enumerate(cells) if "## Check your understanding" in _src(c))
    assert "lk.check(" in _src(next(c for c in cells[check:] if c["cell_type"] == "code"))
    for c in code:
        assert len(_src(c).splitlines()) <= 15, _src(c)[:60]
        assert c["outputs"], f"not executed: {_src(c)[:60]}"
        assert not any(o.get("output_type") == "error" for o in c["outputs"])


@pytest.mark.parametrize("name", MINE)
def test_only_widget_and_svg_cells_skip_output_comparison(name):
    for c in _cells(name):
        if c["cell_type"] != "code":
            continue
        mimes = {k for o in c["outputs"] for k in o.get("data", {})}
        visual = "application/vnd.jupyter.widget-view+json" in mimes or "<diagram:" in "".join("".join(o.get("data", {}).get("text/plain", "")) for o in c["outputs"])
        assert visual == _src(c).startswith("# NBVAL_IGNORE_OUTPUT"), _src(c)[:60]


@pytest.mark.parametrize("name", MINE)
def test_each_notebook_has_a_diagram_or_a_widget(name):
    mimes = {k for c in _cells(name) for o in c.get("outputs", []) for k in o.get("data", {})}
    plain = "".join("".join(o.get("data", {}).get("text/plain", "")) for c in _cells(name) for o in c.get("outputs", []))
    assert "application/vnd.jupyter.widget-view+json" in mimes or "<diagram:" in plain


@pytest.mark.skipif(not PAPER.exists(), reason="the paper's text is not on this machine")
@pytest.mark.parametrize("name", MINE)
def test_the_story_is_in_our_own_words(name):
    """No run of 10 words of a notebook's prose appears in the paper (the "*Paper: ...*"
    citations, which quote section titles, left out)."""
    def words(text):
        return re.findall(r"[a-z0-9]+", text.lower())

    paper = words(PAPER.read_text(encoding="utf-8", errors="replace"))
    shingles = {" ".join(paper[i:i + 10]) for i in range(len(paper) - 9)}
    prose = words(re.sub(r"\*Paper:.*?\*", " ", _markdown(name), flags=re.S))
    copied = [" ".join(prose[i:i + 10]) for i in range(len(prose) - 9) if " ".join(prose[i:i + 10]) in shingles]
    assert not copied, copied[:3]


# ------------------------------------------------------------ notebook 01
def test_nb01_names_the_papers_sections():
    md = _markdown("01_why_cluster")
    for section in ("High Availability is Key Concern", "The Problems Clustering Solves",
                    "Decision Points for Deploying Clustered Exchange Servers"):
        assert section in md


def test_nb01_failover_fixes_hardware_not_a_fault_that_follows_the_virtual_server():
    hw = ex.demo_cluster()
    t0 = hw.now
    hw.crash_node("1-CURLY")
    hw.run_until_stable()
    assert hw.groups["EXVS1"].owner == "2-MOE" and ex.impact(hw, "EXVS1", since=t0).seconds < 60
    bug = ex.demo_cluster()
    bug.inject_fault(ex.virtual_server(bug, "EXVS1").information_store, "crash", everywhere=True)
    bug.run_until_stable()
    assert str(bug.groups["EXVS1"].state) == "Failed"
    out = _outputs("01_why_cluster")
    assert "EXVS1 is Online on 2-MOE" in out and "EXVS1 is Failed after" in out


def test_nb01_worksheet_shows_the_leading_cause_is_untouched():
    out = _outputs("01_why_cluster")
    assert "[-] Does clustering solve our leading causes of downtime?" in out
    assert "the leading cause is infrastructure; clustering removes 0% of it" in out


def test_nb01_calculator_starts_at_four_nines():
    w = AvailabilityCalculator()
    assert w.downtime.value == 52.6 and "the most MSCS can give, in theory" in w.reading_view.value


# ------------------------------------------------------------ notebook 04
def _nb04_cluster():
    """EXVS1 built by hand exactly as notebook 04 does, EXVS2 in one call."""
    c = lk.Cluster("FOUR-STOOGES", ip="132.192.1.100", edition="Advanced Server")
    c.add_node("1-CURLY", ip="132.192.1.10")
    c.add_node("2-MOE", ip="132.192.1.20")
    c.run_until_stable()
    for n in ("1-CURLY", "2-MOE"):
        ex.install(c, n)
        c.run_until_stable()
    c.add_group("EXVS1")
    c.add_resource("EXVS1 IP Address", type="IP Address", group="EXVS1", address="132.192.1.11")
    c.add_resource("EXVS1 Network Name", type="Network Name", group="EXVS1", name="EXVS1",
                   dependencies=["EXVS1 IP Address"])
    c.add_resource("Disk E:", type="Physical Disk", group="EXVS1", drive="E:")
    c.add_resource("Disk L:", type="Physical Disk", group="EXVS1", drive="L:")
    c.add_resource("EXVS1 System Attendant", type=SA, group="EXVS1",
                   dependencies=["EXVS1 Network Name", "Disk E:", "Disk L:"])
    c.online_group("EXVS1")
    c.run_until_stable()
    return c


def test_nb04_figure5_as_drawn_has_table7s_edges_with_providers_at_the_bottom():
    src = ex.diagrams.dependency_tree().source
    want = {(row.role, p) for row in ex.TABLE7 for p in row.providers} | {("Network Name", "IP Address")}
    assert _edges(src) == want and "rankdir=TB" in src


def test_nb04_exvs1_tree_built_by_hand_is_online_with_twelve_dependencies():
    c = _nb04_cluster()
    src = ex.diagrams.dependency_tree(c, "EXVS1").source
    assert src.count("\\nOnline\"") + src.count("\nOnline\"") == 13
    assert len(_edges(src)) == 12
    assert 'label="EXVS1 (group EXVS1): Online on 1-CURLY"' in src
    assert "EXVS1 System Attendant" in src and "Exchange Message Transfer Agent Instance - (EXVS1)" in src


def test_nb04_wrong_order_refusals_are_shown():
    out = _outputs("04_exchange_on_a_cluster")
    for text in ("ProcedureError: Exchange 2000 setup on 1-CURLY is still under way",
                 "ConfigurationError: group 'EXVS1' has no IP Address resource",
                 "NotFoundError: no resource named 'EXVS1 IP Address'",
                 "ConfigurationError: group 'EXVS1' has no Physical Disk resource",
                 "DependencyError: the System Attendant 'EXVS1 System Attendant' must depend on at least one "
                 "Physical Disk",
                 "ProcedureError: 'Microsoft Exchange Information Store' resources are created by the System "
                 "Attendant",
                 "Exchange virtual server created (9 Exchange resources"):
        assert text in out, text


def test_nb04_teaches_the_nntp_contradiction():
    md = _markdown("04_exchange_on_a_cluster")
    assert "KB 259197" in md and "**not** supported" in md and "Active/Active" in md
    out = _outputs("04_exchange_on_a_cluster")
    assert "source: KB 259197 (the paper's Table 5 says Active/Active)" in out


def test_nb04_cluster_diagram_after_the_crash():
    c = _nb04_cluster()
    ex.create_virtual_server(c, "EXVS2", ip="132.192.1.21", disks=["Disk F:", "Disk M:"], node="2-MOE")
    c.online_group("EXVS2")
    c.run_until_stable()
    c.crash_node("1-CURLY")
    c.run_until_stable()
    src = diagrams.cluster_diagram(c, show_resources=False).source
    curly, moe = src.split("subgraph cluster_2")
    assert "(no groups)" in curly and "1-CURLY (node 1)\\nDown" in curly
    for g in ('"Cluster Group"', "EXVS1", "EXVS2"):
        assert f"tooltip={g}]" in moe
    assert "quorum owner" in moe


# ------------------------------------------------------------ notebook 05
def test_nb05_storage_diagram_of_exvs1():
    c = ex.demo_cluster()
    ex.add_storage_group(c, "EXVS1", "SG2", log_disk="Disk L:")
    ex.add_database(c, "EXVS1", "SG2", "Sales", edb_disk="Disk E:")
    src = ex.diagrams.storage_diagram(c, "EXVS1").source
    assert src.count("shape=box3d") == 2 and src.count("shape=cylinder") == 3
    assert "L:\\\\Exchsrvr\\\\SG2" in src and 'label="Disk E:"' in src and 'label="Disk L:"' in src
    assert src.count('label=".EDB + .STM"') == 3 and src.count('label=logs') == 2


def test_nb05_four_storage_group_trap_matches_the_designer():
    """What section 3 shows on the cluster, the designer predicts from the plan."""
    assert "storage-groups-per-node-after-failover" in planning_rules(nodes=2, storage_groups=3)
    out = _outputs("05_storage_design")
    assert "would make 5 on 1-CURLY (already mounted: EXVS1: 3)" in out
    assert "group Pending -> Failed" in out


def planning_rules(nodes, storage_groups):
    w = StorageDesigner()
    w.nodes.value = nodes
    w.storage_groups.value = storage_groups
    return w.report.rules_broken


def test_nb05_table9_rebuilt_and_its_mislabel_caught():
    out = _outputs("05_storage_design")
    assert "\n".join(planning.table9().table_lines()) in out
    assert "[unique-labels] VS1-SG1 Database Device: 4 arrays" in out
    for k in (2, 3, 4):
        assert f"  meant: (6) 18.2GB Drives/RAID0+1: VS{k}-SG1 Database Device" in out


def test_nb05_teaches_the_5000_vs_10000_inconsistency():
    md = _markdown("05_storage_design")
    assert "10,000 users" in md and "5,000" in md
    out = _outputs("05_storage_design")
    assert "10,000 users, 18.2 GB 10,000 rpm (Table 9) drives:\n   no design" in out
    assert "10,000 users, 36.4 GB 10,000 rpm drives:\n   52 drives" in out
