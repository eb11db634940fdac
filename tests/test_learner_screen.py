"""The learner's screen (issue 16): charts, tables, diagram sizing, widget layouts,
links and the course's minutes -- everything that does not need a browser (the
browser measures the rest: tests/test_e2e_browser.py)."""
from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import unquote

import pytest

import labkit as lk
from labkit import diagrams, planning, scenarios
from labkit import exchange as ex
from labkit.views import charts
from labkit.views.svg import fit
from labkit.views.tables import Table
from labkit.scenarios import file_share_cluster
from labkit.planning import plan_failures

ROOT = Path(__file__).resolve().parents[1]


# ------------------------------------------------------------------ charts
def _failover():
    c = ex.demo_cluster()
    mark = len(c.log)
    c.crash_node("1-CURLY")
    c.run_until_stable()
    return c, c.log.since(mark)


def test_import_labkit_loads_neither_matplotlib_nor_pandas():
    import subprocess
    import sys
    code = "import sys, labkit; print(any(m.split('.')[0] in ('matplotlib', 'pandas') for m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"


def test_the_log_knows_each_groups_outage_and_the_timeline_labels_it():
    c, log = _failover()
    [o] = log.outages("EXVS1")
    start, end = c.groups["EXVS1"].outages[-1]
    assert o.seconds == pytest.approx((end - start) / 1000)
    assert [ch.new for ch in log.changes(kinds=("owner",)) if ch.obj == "EXVS1"] == ["2-MOE"]
    svg = charts.failover_timeline(log, ["EXVS1"]).svg()
    assert f"{o.seconds:.1f} s" in svg and "→ 2-MOE" in svg and "1-CURLY Down" in svg


@pytest.mark.parametrize("make", [
    lambda: charts.failover_timeline(_failover()[1]),
    lambda: charts.load_chart(plan_failures("balanced", 4, 5000, failed=1)),
    lambda: charts.raid_chart([planning.raid.Array("RAID 1", 2), planning.raid.Array("RAID 5", 6)]),
    lambda: charts.downtime_chart(planning.clustering_effect(10.0, planned_hours_per_year=20.0)),
])
def test_charts_are_figures_whose_svg_is_the_same_byte_for_byte_and_scales(make):
    from matplotlib.figure import Figure
    fig = make()
    assert isinstance(fig, Figure)
    a, b = fig.svg(), make().svg()
    assert a == b
    assert "<dc:date>" not in a and "DejaVu Sans" in a
    html = fig._repr_html_()
    assert '<svg width="100%"' in html and "max-width:" in html and "<?xml" not in html


def test_load_chart_marks_the_optimal_load_and_a_refused_mount():
    flawed = scenarios.flawed_design()
    from labkit.planning import report_for
    svg = charts.load_chart(report_for(flawed.plan, failure=["1-CURLY"], optimal_users=5000)).svg()
    assert "optimal load 5,000" in svg and "refused" in svg and "Down" in svg


def test_montecarlo_chart_compares_the_closed_form_with_the_simulation():
    mc = planning.monte_carlo(ex.demo_cluster(), years=20, mtbf_h=5000, mttr_h=24, seed=1)
    svg = charts.montecarlo_chart(mc).svg()
    assert "closed form" in svg and f"{mc.closed_form().availability:.9f}".rstrip("0") in svg


def test_cost_chart_shows_dollars_as_text_not_mathtext():
    b = planning.clustering_effect(10.0, planned_hours_per_year=20.0)
    w = planning.RoiWorksheet.from_breakdown(b, users=5000, cluster_cost_usd=150_000, yearly_operating_usd=25_000,
                                             cost_per_user_hour_usd=15)
    svg = charts.cost_chart(w).svg()
    assert "$75,000 a year" in svg


# ------------------------------------------------------------------ tables
def test_tables_never_wrap_and_scroll_sideways_and_print_as_text():
    t = Table([{"virtual_server": "EXVS1", "edb_file": "E:\\Exchsrvr\\mdbdata\\priv1.edb", "mailboxes": 1250}])
    html = t._repr_html_()
    assert html.count("white-space:nowrap") == 3 + 3 and "overflow-x:auto" in html   # headers and cells
    assert "text-align:right" in html                                # the number column
    assert str(t).splitlines()[0].split() == ["virtual_server", "edb_file", "mailboxes"]
    df = t.to_frame()
    assert list(df.columns) == ["virtual_server", "edb_file", "mailboxes"] and df.mailboxes[0] == 1250


def test_the_log_as_a_dataframe_filters_like_any_frame():
    _, log = _failover()
    df = log.to_frame()
    assert list(df.columns) == ["time", "node", "object", "what", "why"] and len(df) == len(log)
    assert set(df[df.object == "EXVS1"].what) == {e.what for e in log if e.obj == "EXVS1"}


# ------------------------------------------------------------------ diagrams
def test_diagrams_show_as_inline_svg_that_fits_the_output_width():
    bundle = diagrams.cluster_diagram(file_share_cluster())._repr_mimebundle_()
    assert set(bundle) == {"text/html", "text/plain"}
    assert '<svg width="100%"' in bundle["text/html"] and "max-width:" in bundle["text/html"]
    assert bundle["text/plain"].startswith("<diagram:")


def test_the_exvs1_tree_fits_a_1366_pixel_laptop_top_to_bottom():
    c = scenarios.four_node_5000()
    dot = ex.diagrams.dependency_tree(c, "EXVS1")
    assert "rankdir=TB" in dot.source
    width_pt = float(re.search(r'<svg width="([\d.]+)pt"', diagrams.render_svg(dot)).group(1))
    assert width_pt * 4 / 3 <= 900, width_pt          # the output area at 1366 px with the file browser open
    assert "tooltip=\"Exchange Message Transfer Agent Instance - (EXVS1)\"" in dot.source


def test_fit_keeps_the_viewbox_and_drops_the_fixed_size():
    out = fit('<svg width="10pt" height="5pt" viewBox="0 0 10 5"><g/></svg>')
    assert 'viewBox="0 0 10 5"' in out and 'height="5pt"' not in out and "max-width:10pt" in out


# ------------------------------------------------------------------ widgets
def test_cluster_administrator_buttons_never_shrink_and_rows_wrap():
    from labkit.views.widgets import ClusterAdministrator
    w = ClusterAdministrator(file_share_cluster())
    for b in w.buttons.values():
        assert b.layout.flex == "0 0 auto" and b.layout.width == "auto"
    rows = [ch for ch in w.children if hasattr(ch, "children")]
    assert all(r.layout.flex_flow == "row wrap" for r in rows)
    assert "<svg width=\"100%\"" in w.diagram.value


def test_load_planner_redraws_its_chart_when_an_input_changes():
    from labkit.views.widgets import LoadPlanner
    w = LoadPlanner()
    first = w.chart.value
    assert "<svg" in first
    w.failed.value = 2
    assert w.chart.value != first and "<svg" in w.chart.value
    w.live_chart.value = False
    assert w.chart.value == ""


def test_availability_calculator_draws_the_downtime_chart():
    from labkit.views.widgets import AvailabilityCalculator
    w = AvailabilityCalculator()
    assert "<svg" in w.chart.value


# ------------------------------------------------------------------ predictions
def test_a_prediction_is_compared_when_revealed():
    p = lk.predict("Which node?", ["A", "B"])
    assert "no prediction" in p.reveal("A")
    p.answer = "B"
    assert "it was A" in p.reveal("A")
    assert "not yet" in lk.check(("x", ..., 1, "hint"))
    assert lk.check(("x", 1, 1, "")).endswith("all correct")
    assert "not quite" in lk.check(("x", 2, 1, "hint"))


# ------------------------------------------------------------------ links and minutes
DOCS = [*sorted((ROOT / "notebooks").glob("*.ipynb")), *sorted((ROOT / "solutions").glob("*.ipynb")),
        *sorted((ROOT / "exercises").glob("*.ipynb")), *sorted((ROOT / "docs").rglob("*.md")), ROOT / "README.md"]
#: The course site's build draws these pictures (scripts/site.py); they are not committed.
GENERATED = ROOT / "docs" / "_generated"
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def _markdown(path: Path) -> str:
    if path.suffix == ".ipynb":
        return "\n".join("".join(c["source"]) for c in json.loads(path.read_text())["cells"]
                         if c["cell_type"] == "markdown")
    return path.read_text()


def _glossary_anchors(path: Path) -> set[str]:
    """The anchors the course site (mystmd) gives a glossary page's terms, ``term-ID``
    (scripts/glossary_links.py links the notebooks to them)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("labkit_glossary_links", ROOT / "scripts" / "glossary_links.py")
    gl = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gl)
    return {gl.term_id(t) for t in gl.glossary_terms(path)}


def _anchors(path: Path) -> set[str]:
    """Heading ids as JupyterLab and GitHub make them: the text, spaces as dashes; and a
    glossary's term anchors."""
    heads = re.findall(r"^#{1,6}\s+(.+?)\s*$", _markdown(path), re.M)
    glossary = _glossary_anchors(path) if path.name == "glossary.md" else set()
    return glossary | {h.replace(" ", "-") for h in heads} | {
        re.sub(r"[^\w\- ]", "", h).strip().lower().replace(" ", "-") for h in heads}


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_and_anchor_resolves(doc):
    bad = []
    for target in LINK.findall(_markdown(doc)):
        if re.match(r"^[a-z]+:", target):          # http:, https:, mailto: -- not checked offline
            continue
        path, _, anchor = target.partition("#")
        dest = (doc.parent / unquote(path)).resolve() if path else doc
        if dest.is_relative_to(GENERATED):  # drawn by `make site` (scripts/site.py), not committed
            continue
        if not dest.exists():
            bad.append(f"{target}: no such file")
        elif anchor and dest.suffix in (".ipynb", ".md") and unquote(anchor) not in _anchors(dest):
            bad.append(f"{target}: no heading #{anchor}")
    assert not bad, bad


def _minutes(path: Path, what: str):
    m = re.search(rf"{what}: (\d+) minutes", _markdown(path))
    return int(m.group(1)) if m else None


@pytest.mark.parametrize("exercise", sorted((ROOT / "solutions").glob("*.ipynb")), ids=lambda p: p.stem)
def test_a_notebooks_practise_minutes_are_its_exercises(exercise):
    notebook = ROOT / "notebooks" / exercise.name
    assert _minutes(notebook, "Practise") == _minutes(exercise, "Practise")


def test_every_text_of_a_chart_is_drawn_with_the_pinned_fonts():
    """Issue 15: a chart split into helpers must still draw every text inside its pinned
    rcParams (a helper drawn outside them changed the committed SVGs)."""
    c = file_share_cluster()
    mark = len(c.log)
    c.crash_node("NODE1")
    c.run_until_stable()
    svg = charts.failover_timeline(c.log.since(mark), ["FS", "Share FS"]).svg()
    families = set(re.findall(r"font-family: ([^;\"]*)", svg))
    assert len(families) == 1 and charts.FONT_STACK in families.pop()


@pytest.mark.parametrize("notebook", sorted((ROOT / "notebooks").glob("*.ipynb")), ids=lambda p: p.stem)
def test_each_opening_says_where_its_subject_lives_in_labkit(notebook):
    """Issue 15: a curious learner can read the component in code. The opening names the
    modules (each link must resolve: the link test above checks that)."""
    opening = "".join(json.loads(notebook.read_text())["cells"][0]["source"])
    assert "**Where this lives in labkit**" in opening
    where = opening.split("**Where this lives in labkit**")[1]
    modules = re.findall(r"\]\(\.\./(labkit/[^)]+)\)", where)
    assert modules and all((ROOT / m).exists() for m in modules), modules
