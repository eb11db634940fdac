"""The procedure engine: order, skipping, replay, refusals, reports, the log."""
import pytest

import labkit as lk
from labkit import procedures as pr
from labkit.procedures.engine import before_start
from labkit.text import text_table
from _procedures_support import step_refused


def _cluster():
    c = lk.Cluster("LAB", ip="10.0.0.100")
    c.add_node("A", ip="10.0.0.1")
    c.run_until_stable()
    return c


def _proc(c=None, fail_at=None):
    c = c or _cluster()

    def act(n):
        def f(p):
            if n == fail_at:
                raise lk.StateError(f"step {n} cannot work", rule=f"rule {n}", source="test source")
            p.cluster.run(seconds=10 * n)
            p.data.setdefault("seen", []).append(n)
            return f"did {n}"
        return f

    steps = [pr.Step("one", act(1)), pr.Step("two", act(2), optional=True), pr.Step("three", act(3))]
    return pr.Procedure("Demo", c, steps, source="demo source",
                        rebuild=lambda cs: _proc(cs[0], fail_at))


def test_steps_run_in_order_and_report_their_simulated_time():
    p = _proc()
    r = p.next()
    assert (r.index, r.name, r.status, r.seconds, r.note) == (1, "one", "done", 10.0, "did 1")
    report = p.run()
    assert report.complete and report.done == ["one", "two", "three"]
    assert [s.seconds for s in report.steps] == [10.0, 20.0, 30.0] and report.seconds == 60.0
    assert p.data["seen"] == [1, 2, 3]


def test_a_step_out_of_order_is_refused_naming_the_missing_step():
    p = _proc()
    e = step_refused(p, step="three")
    assert "step 3 'three' cannot run yet: step 1 'one' has not been done" in str(e)
    assert e.rule == "the steps of a procedure run in order and none is skipped" and e.source == "demo source"


def test_a_required_step_may_not_be_skipped():
    p = _proc()
    before = p.cluster.to_dict()
    with pytest.raises(lk.ProcedureError) as info:
        p.skip("one", "in a hurry")
    assert "may not be skipped" in str(info.value) and info.value.step == "one"
    assert p.cluster.to_dict() == before


def test_an_optional_step_may_be_skipped_with_a_reason_and_the_log_says_so():
    p = _proc()
    p.next()
    r = p.skip("two", "not needed here")
    assert r.status == "skipped" and r.note == "not needed here"
    assert p.run().done == ["one", "three"]
    assert any("step 2/3 two: skipped" in e.what for e in p.cluster.log)


def test_a_step_runs_once():
    p = _proc()
    p.next()
    e = step_refused(p, step="one")
    assert e.rule == "each step runs once"
    p.run()
    with pytest.raises(lk.ProcedureError, match="every step is done"):
        p.next()


def test_an_unknown_step_is_refused():
    p = _proc()
    with pytest.raises(lk.ProcedureError, match="has no step 'seven'"):
        p.step("seven")
    with pytest.raises(lk.ProcedureError):
        p.run(until=9)


def test_a_refused_step_is_undone_and_the_steps_done_stay_done():
    p = _proc(fail_at=2)
    p.next()
    e = step_refused(p, lk.StateError)
    assert e.step == "two" and e.step_index == 2 and e.rule == "rule 2" and e.source == "test source"
    assert str(e).startswith("Demo, step 2 'two' stopped: step 2 cannot work")
    assert e.report.done == ["one"] and e.report.error == str(e)
    assert e.report.steps[1].note.startswith("refused")
    assert p.data["seen"] == [1]


def test_every_step_writes_started_and_done_to_the_cluster_log():
    p = _proc()
    p.run()
    lines = [e.what for e in p.cluster.log.about("procedure Demo")]
    assert lines == ["step 1/3 one: started", "step 1/3 one: done", "step 2/3 two: started", "step 2/3 two: done",
                     "step 3/3 three: started", "step 3/3 three: done"]


def test_run_until_stops_after_the_named_step():
    p = _proc()
    report = p.run(until="two")
    assert report.done == ["one", "two"] and not report.complete and p.position == 2


def test_replay_runs_a_fresh_copy_to_a_step_and_leaves_the_original_alone():
    c = _cluster()
    p = _proc(c)
    p.next()
    before = c.to_dict()
    q = p.replay(until="two")
    assert q.report().done == ["one", "two"] and q.cluster is not c
    assert c.to_dict() == before and p.report().done == ["one"]
    assert q.cluster.clock.ms == p.cluster.clock.ms - 10_000 + 30_000


def test_iterating_a_procedure_runs_its_steps():
    assert [r.name for r in _proc()] == ["one", "two", "three"]


def test_report_renders_as_text_and_html():
    p = _proc()
    p.advisories.append(pr.Advisory("careful", rule="a rule", source="a source"))
    p.tables["extra"] = [{"a": 1, "b": "<x>"}]
    p.run()
    text, html = str(p.report()), p.report()._repr_html_()
    assert "Demo on LAB -- complete, 3 of 3 steps" in text and "advisory: careful" in text and "extra:" in text
    assert "<table>" in html and "&lt;x&gt;" in html and "careful" in html
    assert p._repr_html_() == html
    assert "next" in repr(_proc()) and "complete" in repr(p)


def test_text_table_of_no_rows():
    assert text_table([], plain=True) == "(none)"


def test_arguments_refused_before_step_1_say_so():
    def bad():
        raise lk.ValidationError("nope", rule="r", source="s")
    with pytest.raises(lk.ProcedureError) as info:
        before_start("T", "src", bad)
    assert "refused before step 1: nope" in str(info.value) and isinstance(info.value.cause, lk.ValidationError)
    with pytest.raises(lk.ProcedureError):
        pr.rolling_upgrade(_cluster(), assumptions="fast")


def test_a_procedure_needs_named_steps():
    with pytest.raises(lk.ValidationError):
        pr.Procedure("X", _cluster(), [], source="s")
    with pytest.raises(lk.ValidationError):
        pr.Procedure("X", _cluster(), [pr.Step("a", print), pr.Step("a", print)], source="s")


def test_assumptions_are_positive_numbers():
    with pytest.raises(lk.ValidationError):
        pr.Assumptions(windows_install_min=0)
    with pytest.raises(lk.ValidationError):
        pr.Assumptions().backup_mb_s("tape")


def test_procedures_import_no_view_and_never_print(capsys):
    import subprocess
    import sys
    code = ("import sys, labkit.procedures; "
            "print(sorted(m for m in ('graphviz', 'ipywidgets', 'IPython') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    from labkit.exchange import demo_cluster
    pr.rolling_upgrade(demo_cluster()).run()
    assert capsys.readouterr().out == ""
