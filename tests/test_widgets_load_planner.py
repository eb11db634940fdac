"""The load planner driven headless (``.value =``, ``.click()``), and the pure functions
behind it (labkit.planning.failures): one test per rule it shows."""
import pytest

import labkit as lk
from labkit import planning
from labkit.planning import load as ld
from labkit.scenarios import exchange_cluster
from labkit.views.widgets import LoadPlanner
from labkit.planning import failures as LP
from labkit.views.widgets.load_panels import load_html


# ==================================================================== pure: the strategies
def test_default_is_figure7_balanced_with_one_node_failed():
    r = LP.plan_failures()
    assert (r.strategy, r.nodes, r.users, r.failed, r.worst) == (
        ld.Strategy.BALANCED, ("1-CURLY", "2-MOE", "3-LARRY", "4-JERRY"), 5000, ("1-CURLY",), True)
    assert r.placement.users == {"2-MOE": 2500, "3-LARRY": 1250, "4-JERRY": 1250}
    assert r.ok and r.rules_broken == [] and r.busiest.node == "2-MOE" and r.busiest.load == 1.0


def test_normal_running_is_half_the_default_optimal_load():
    r = LP.plan_failures(failed=0)
    assert r.failed == () and all(row.up and row.load == 0.5 for row in r.rows)
    assert "no node failed" in LP.load_summary(r)


def test_balanced_four_nodes_at_25_percent_survive_three_failures():
    """Paper, Balanced Cluster Loading: four nodes at about 25% each; the last node
    left carries everything at its optimal load."""
    r = LP.plan_failures("balanced", 4, 5000, failed=3, optimal_users=5000)
    assert r.ok and r.placement.users == {"4-JERRY": 5000} and r.busiest.storage_groups == 4
    assert r.rows[0].load == 0.0 or not r.rows[0].up


def test_optimal_load_rule():
    """Paper, Cluster Load Planning: no node over its optimal load after a failover."""
    over = LP.plan_failures("balanced", 4, 5000, failed=2)           # 3,750 users on 3-LARRY
    assert over.rules_broken == ["optimal-load"]
    v = over.violations[0]
    assert v.subject == "3-LARRY" and "3,750 users, 150% of its optimal load (2,500)" in v.message
    assert "Cluster Load Planning" in v.source
    assert LP.plan_failures("balanced", 4, 5000, failed=2, optimal_users=3750).ok   # exactly at it: fine


def test_just_over_the_optimal_load_reads_more_than_100_percent():
    r = LP.plan_failures("balanced", 2, 5001, failed=1, optimal_users=5000)
    assert r.rules_broken == ["optimal-load"] and LP.percent(r.busiest.load) == ">100%"


def test_all_nodes_walks_the_node_id_order_after_the_home_node():
    """KB 299631: a virtual server listing only its home node goes on in node-id order."""
    r = LP.plan_failures("all nodes", 4, 5000, failure=["2-MOE"])
    assert r.placement.owner["EXVS2"] == "1-CURLY" and not r.worst
    assert [v for v, _, moved in r.rows[0].virtual_servers if moved] == ["EXVS2"]


def test_standby_node_takes_any_single_failure():
    """Paper, Maximum Load - Standby Node: the idle node takes the failed node's load."""
    for failed in ("1-CURLY", "2-MOE", "3-LARRY"):
        r = LP.plan_failures("standby", 4, 5000, failure=[failed], optimal_users=1667)
        assert r.placement.owner[f"EXVS{failed[0]}"] == "4-JERRY" and r.ok
    assert LP.plan_failures("standby", 4, 5000).rows[3].standby


def test_active_passive_one_virtual_server_per_node_rule():
    """KB 815180 / Exchange 2003: beyond two nodes a node runs one virtual server."""
    r = LP.plan_failures("active/passive", 4, 5000, failed=2, optimal_users=5000)
    assert r.rules_broken == ["active-passive-one-per-node"]
    assert r.violations[0].subject == "4-JERRY" and "KB 815180" in r.violations[0].source
    assert LP.plan_failures("active/passive", 4, 5000, failed=1, optimal_users=5000).ok


def test_active_passive_on_two_nodes_is_not_flagged():
    r = LP.plan_failures("active/passive", 2, 1000, failed=1)
    assert r.ok and r.placement.owner == {"EXVS1": "2-MOE"}


# =========================================================== pure: the four-storage-group limit
def test_four_storage_groups_after_failover_rule():
    """Paper, Design Storage Before Configuring the Cluster; KB 314266: two nodes with
    three storage groups each -- the survivor would mount six."""
    r = LP.plan_failures("balanced", 2, 5000, failed=1, storage_groups_per_server=3, optimal_users=5000)
    assert r.rules_broken == ["storage-groups-after-failover", "survives-n-k"]
    sg = r.violations[0]
    assert sg.subject == "EXVS2" and "cannot mount on 1-CURLY: 6 storage groups there, at most 4" in sg.message
    assert "no node has room" in sg.message and "KB 314266" in sg.source
    assert r.placement.down == ("EXVS2",) and r.violations[1].message == "runs nowhere: 2,499 users without mail"
    row = r.rows[0]
    assert row.over_limit and row.refused == (("EXVS2", 6),) and row.storage_groups == 3


def test_a_refused_store_goes_on_to_the_next_node_with_room():
    r = LP.plan_failures("balanced", 4, 5000, failure=["1-CURLY", "2-MOE"], storage_groups_per_server=2,
                         optimal_users=5000)
    assert "storage-groups-after-failover" in r.rules_broken and "survives-n-k" not in r.rules_broken
    assert "it runs on 4-JERRY" in r.violations[0].message
    assert max(r.placement.storage_groups.values()) <= 4


def test_two_storage_groups_per_node_fit_after_one_failure():
    assert LP.plan_failures("balanced", 2, 5000, failed=1, storage_groups_per_server=2, optimal_users=5000).ok


def test_a_layout_the_strategy_cannot_make_is_reported_not_raised():
    r = LP.plan_failures("balanced", 2, 5000, storage_groups_per_server=5)
    assert r.plan is None and not r.ok and r.refused.startswith("1 virtual servers of 5 storage groups")
    assert r.rows == [] and "no plan" in load_html(r) and "no plan" in LP.load_text(r)
    ap = LP.plan_failures("active/passive", 4, 5000, virtual_servers_per_node=2)
    assert "one virtual server" in ap.refused


# ==================================================================== pure: the worst case
def test_worst_failure_is_of_exactly_k_nodes_and_ties_go_to_node_order():
    plan = ld.plan_load("balanced", 4, 5000)
    assert LP.worst_failure(plan, 1) == ("1-CURLY",)          # every single failure gives 2,500: first
    assert LP.worst_failure(plan, 2) == ("1-CURLY", "2-MOE")  # 3,750 on 3-LARRY
    assert LP.worst_failure(plan, 0) == ()


def test_worst_failure_puts_a_down_virtual_server_before_load():
    plan = ld.plan_load("standby", 4, 5000, storage_groups_per_server=3, standby=2)
    worst = LP.worst_failure(plan, 3)
    assert plan.after(worst).down
    assert LP.plan_failures("standby", 4, 5000, failed=3, storage_groups_per_server=3, standby=2).failed == worst


def test_failure_choices():
    assert LP.failure_choices(["A", "B", "C"], 1) == [("A",), ("B",), ("C",)]
    assert len(LP.failure_choices(planning.naming.default_node_names(8), 4)) == 70
    with pytest.raises(lk.ValidationError):
        LP.failure_choices(["A", "B"], 2)


@pytest.mark.parametrize("strategy,k", [("balanced", 1), ("balanced", 2), ("all nodes", 2), ("standby", 2),
                                        ("active/passive", 1)])
def test_what_the_planner_predicts_is_what_the_failover_model_does(strategy, k):
    """The planner's formula (LoadPlan.after) against the real failover model on a
    cluster built for the same plan: same owners after the worst failure."""
    r = LP.plan_failures(strategy, 4, 5000, failed=k)
    case = planning.nk.simulate_failures(exchange_cluster(4, 5000, strategy).cluster, r.failed)
    assert case.owner == r.placement.owner and case.users == r.placement.users


# ==================================================================== pure: bad input
@pytest.mark.parametrize("kwargs", [
    dict(strategy="round robin"), dict(nodes=0), dict(nodes=17), dict(users=-1), dict(users=2.5),
    dict(optimal_users=0), dict(optimal_users="lots"), dict(failed=4), dict(failed=-1),
    dict(failure=["5-SHEMP"]), dict(failure=["1-CURLY", "1-CURLY"]),
    dict(failure=["1-CURLY", "2-MOE", "3-LARRY", "4-JERRY"]),
])
def test_bad_inputs_raise_labkit_errors(kwargs):
    with pytest.raises(lk.LabkitError):
        LP.plan_failures(**kwargs)


# ==================================================================== pure: views
def test_load_text_draws_bars_and_marks():
    text = LP.load_text(LP.plan_failures("balanced", 4, 5000, failed=2))
    lines = text.splitlines()
    assert lines[0].startswith("Balanced / cascading, 4 nodes, 5,000 users; failed: 1-CURLY, 2-MOE (the worst of "
                               "the 6 ways 2 nodes can fail)")
    larry = next(line for line in lines if line.startswith("3-LARRY"))
    assert "3,750   150%" in larry and "EXVS1<-, EXVS2<-, EXVS3" in larry and larry.endswith("!")
    assert "|" in larry.split("150%")[1] and "1/4" not in larry and "3/4" in larry
    assert next(line for line in lines if line.startswith("1-CURLY")).split()[1] == "Down"
    assert lines[-1].startswith("  ✘ [optimal-load] 3-LARRY")


def test_load_html_marks_over_load_refusals_and_standby():
    html = load_html(LP.plan_failures("balanced", 2, 5000, failed=1, storage_groups_per_server=3))
    assert "✘ refused EXVS2 (6/4)" in html and "border:2px solid #b00000" in html
    assert "storage-groups-after-failover" in html and "✘ 3 finding(s)" in html
    ok = load_html(LP.plan_failures("standby", 4, 5000, failed=0, optimal_users=5000))
    assert "(standby)" in ok and "✔ every virtual server runs" in ok and "<i>idle</i>" in ok
    assert "title='EXVS1: 1,667 users'" in ok and "optimal load: 5,000 users" in ok


def test_views_escape_names():
    r = LP.plan_failures("balanced", ["<A>", "B&C"], 100, failed=1)
    html = load_html(r)
    assert "<A>" not in html and "&lt;A&gt;" in html and "B&amp;C" in html


# ==================================================================== the widget, headless
def test_widget_starts_on_figure7_with_the_worst_single_failure():
    w = LoadPlanner()
    assert w.report.failed == ("1-CURLY",) and w.failure.value is None
    assert w.failure.options[0] == ("(the worst case)", None) and len(w.failure.options) == 5
    assert "2,500" in w.output.value and "EXVS1 ←" in w.output.value


def test_widget_failed_nodes_slider_picks_the_worst_set():
    w = LoadPlanner()
    w.failed.value = 2
    assert w.report.failed == ("1-CURLY", "2-MOE") and len(w.failure.options) == 7
    assert "optimal-load" in w.output.value


def test_widget_choosing_a_failure_set_and_back_to_the_worst():
    w = LoadPlanner()
    w.failure.value = ("3-LARRY",)
    assert w.report.failed == ("3-LARRY",) and not w.report.worst
    assert w.report.placement.owner["EXVS3"] == "4-JERRY"
    w.worst_button.click()
    assert w.failure.value is None and w.report.failed == ("1-CURLY",) and w.report.worst


def test_widget_no_failure():
    w = LoadPlanner()
    w.failed.value = 0
    assert w.report.failed == () and w.failure.options == (("(no node fails)", None),)


def test_widget_node_count_resizes_the_choices():
    w = LoadPlanner(failed=3)
    w.nodes.value = 2
    assert w.failed.value == 1 and w.failed.max == 1 and w.standby.max == 1
    assert [label for label, _ in w.failure.options] == ["(the worst case)", "1-CURLY", "2-MOE"]
    w.nodes.value = 8
    w.failed.value = 4
    assert len(w.failure.options) == 71 and len(w.report.failed) == 4 and len(w.report.rows) == 8


def test_widget_keeps_a_chosen_set_while_it_is_still_offered():
    w = LoadPlanner()
    w.failure.value = ("2-MOE",)
    w.nodes.value = 5
    assert w.failure.value == ("2-MOE",) and w.report.failed == ("2-MOE",)


def test_widget_shows_the_four_storage_group_trap():
    w = LoadPlanner(nodes=2)
    w.storage_groups.value = 3
    assert w.report.rules_broken == ["optimal-load", "storage-groups-after-failover", "survives-n-k"]
    assert "✘ refused EXVS2 (6/4)" in w.output.value or "✘ refused EXVS1 (6/4)" in w.output.value


def test_widget_strategy_and_standby():
    w = LoadPlanner()
    w.strategy.value = "standby"
    assert w.report.strategy is ld.Strategy.STANDBY and "(standby)" in w.output.value
    w.standby.value = 2
    assert w.report.plan.standby == ("3-LARRY", "4-JERRY")
    w.strategy.value = "active/passive"
    w.virtual_servers.value = 2
    assert w.report.plan is None and "no plan" in w.output.value


def test_widget_users_and_optimal_load():
    w = LoadPlanner()
    w.optimal.value = 2000
    assert w.report.rules_broken == ["optimal-load"] and "125%" in w.output.value
    w.users.value = 4000
    assert w.report.ok and w.report.busiest.users == 2000


# ==================================================================== pure: plans you already have
def test_report_for_a_cluster_plan_uses_its_possible_owners():
    """Paper, Resource Ownership and Failover: a node missing from the possible owners
    is never chosen -- the planner reads that from the cluster (plan_of)."""
    from labkit.scenarios import flawed_design
    plan = planning.plan_of(flawed_design().cluster)
    r = LP.report_for(plan, failure=["1-CURLY", "3-LARRY"], optimal_users=5000)
    assert "4-JERRY" not in r.placement.owner.values()
    assert r.placement.down == ("EXVS1",) and r.rows[3].virtual_servers == ()


def test_report_for_defaults_to_the_plans_capacity():
    plan = ld.plan_load("balanced", 4, 5000, capacity_users=5000)
    assert LP.report_for(plan, failed=3).ok
    assert LP.report_for(ld.plan_load("balanced", 4, 5000), failed=3).optimal_users == LP.DEFAULT_OPTIMAL_USERS
    with pytest.raises(lk.ValidationError):
        LP.report_for("balanced")


def test_compare_strategies_rows():
    rows = LP.compare_strategies(4, 5000)
    assert [r["strategy"] for r in rows] == [str(s) for s in LP.STRATEGIES.values()]
    assert rows[1]["1 failed"] == "1,667 (67%)" and rows[1]["2 failed"] == "3,334 (133%) !"
    two = LP.compare_strategies(4, 5000, strategies=["all nodes", "balanced"], virtual_servers_per_node=2,
                                max_failed=1)
    assert [r["1 failed"] for r in two] == ["2,500 (100%)", "1,875 (75%)"] and "2 failed" not in two[0]
    assert LP.compare_strategies(4, 5000, strategies=["active/passive"], virtual_servers_per_node=2)[0][
        "0 failed"] == "no plan"
