"""The Cluster Administrator and dependency explorer widgets, driven headless, and the
pure functions behind their buttons (labkit.views.widgets.actions / panels)."""
import inspect

import pytest

import labkit as lk
from labkit.views.widgets import ACTIONS, ClusterAdministrator, DependencyExplorer, StarterWidget, apply_action
from labkit.views.widgets import actions as A
from labkit.views.widgets import panels as P
from labkit.scenarios import SERVICE_TREE, file_share_cluster, service_cluster


@pytest.fixture
def fs():
    return file_share_cluster()


@pytest.fixture(scope="module")
def big_template():
    return service_cluster(nodes=4, groups=5)


@pytest.fixture
def big(big_template):
    return big_template.copy()


# ================================================================ pure actions
def test_every_action_is_a_cluster_method_taking_its_arguments():
    for name, spec in ACTIONS.items():
        method = getattr(lk.Cluster, name)
        params = inspect.signature(method).parameters
        for arg in spec.required + spec.optional:
            assert arg in params, (name, arg)


def test_move_group_to_the_chosen_node(fs):
    r = apply_action(fs, "move_group", group="FS", node="NODE2", settle=True)
    assert r.ok and fs.groups["FS"].owner == "NODE2"
    assert "FS is Online on NODE2" in r.message


def test_move_group_without_node_goes_to_the_next_in_the_list(fs):
    r = apply_action(fs, "move_group", group="FS", node=None)
    assert r.ok and "move to NODE2 requested" in r.message
    fs.run_until_stable()
    assert fs.groups["FS"].owner == "NODE2"


def test_action_events_are_the_log_lines_it_appended(fs):
    before = len(fs.log)
    r = apply_action(fs, "crash_node", node="NODE1", settle=True)
    assert list(r.events) == list(fs.log[before:]) and r.events
    assert any("removed from membership" in str(e) for e in r.events)


def test_without_settle_time_does_not_move(fs):
    t = fs.now
    apply_action(fs, "move_group", group="FS", node="NODE2")
    assert fs.now == t and str(fs.groups["FS"].state) == "Pending"


def test_crash_node_status_says_the_others_have_not_noticed_yet(fs):
    r = apply_action(fs, "crash_node", node="NODE1")
    assert "NODE1 is Down (the others have not noticed yet)" in r.message


def test_run_advances_the_clock_and_names_the_step(fs):
    t0 = fs.clock.ms
    r = apply_action(fs, "run", minutes=1, seconds=10)
    assert fs.clock.ms - t0 == 70_000 and "clock advanced 1 min 10 s" in r.message


def test_crash_resource_monitor_says_how_many_failed(fs):
    r = apply_action(fs, "crash_resource_monitor", resource="Share FS")
    assert r.ok and "7 resources failed" in r.message  # Cluster Group's 3 + the file share's 4


def test_inject_fault_hang_is_found_by_isalive_not_looksalive(fs):
    apply_action(fs, "inject_fault", resource="Share FS", kind="hang")
    apply_action(fs, "run", seconds=30)
    assert str(fs.resources["Share FS"].state) == "Online"
    apply_action(fs, "run", seconds=60)
    assert any("IsAlive poll failed" in e.why for e in fs.log.about("Share FS"))


REFUSALS = [
    ("crash_node", {"node": "NODE9"}, "no node named 'NODE9'"),
    ("move_group", {"group": "FS", "node": "NODE1"}, "already on NODE1"),
    ("move_group", {"group": "NOPE", "node": "NODE2"}, "no group named 'NOPE'"),
    ("fail_resource", {"resource": 42}, "resource name must be a non-empty string"),
    ("start_node", {"node": "NODE1"}, "only a Down node can be started"),
    ("offline_group", {"group": "Cluster Group"}, "holds the quorum"),
    ("inject_fault", {"resource": "Share FS", "kind": "melt"}, "kind must be 'crash' or 'hang'"),
    ("run", {"seconds": -5}, "time runs forwards"),
    ("run", {"seconds": "soon"}, "durations are numbers"),
    ("launch_missiles", {}, "unknown action 'launch_missiles'"),
    ("move_group", {}, "move_group needs group"),
    ("crash_node", {"node": "NODE1", "force": True}, "crash_node does not take force"),
    ("repair_resource", {"resource": "Share FS"}, "has no fault to repair"),
]


@pytest.mark.parametrize("action,args,text", REFUSALS, ids=[f"{a}-{t[:20]}" for a, _, t in REFUSALS])
def test_refused_action_shows_the_rule_and_changes_nothing(fs, action, args, text):
    before = fs.to_dict()
    r = apply_action(fs, action, **args)
    assert not r.ok and r.message.startswith("Refused: ") and text in r.message
    assert "Traceback" not in r.message and r.events == ()
    assert fs.to_dict() == before


def test_refused_move_onto_a_paused_node_names_the_rule(fs):
    apply_action(fs, "pause_node", node="NODE2")
    before = fs.to_dict()
    r = apply_action(fs, "move_group", group="FS", node="NODE2", settle=True)
    assert not r.ok and "groups can only go to Up nodes" in r.message
    assert fs.to_dict() == before


def test_apply_action_refuses_what_is_not_a_cluster():
    r = apply_action("cluster", "run_until_stable")
    assert not r.ok and "need a labkit Cluster" in r.message


def test_settle_must_be_a_bool(fs):
    assert not apply_action(fs, "run_until_stable", settle="yes").ok


def test_describe_helpers(fs):
    assert A.describe_group(fs, "FS") == "FS is Online on NODE1"
    assert A.describe_resource(fs, "IP FS") == "IP FS is Online on NODE1"
    assert A.describe_node(fs, "NODE2") == "NODE2 is Up, owns no groups"


# ---------------------------------------------------------------- order steps
def test_online_steps_put_providers_first_with_waves(fs):
    steps = A.order_steps(fs, "FS", "online")
    assert [s.resource for s in steps] == fs.online_order("FS")
    share = steps[-1]
    assert share.resource == "Share FS" and share.after == ("Disk FS", "Name FS") and share.wave == 3
    assert steps[0].text == "Online step 1 of 4 (wave 1): Disk FS comes online first: it waits for nothing"


def test_offline_steps_put_dependents_first(fs):
    steps = A.order_steps(fs, "FS", "offline")
    assert [s.resource for s in steps] == fs.offline_order("FS")
    ip = next(s for s in steps if s.resource == "IP FS")
    assert ip.after == ("Name FS",) and ip.wave == 3
    assert "goes offline after its dependents Name FS" in ip.text


def test_order_steps_of_a_nine_resource_group(big):
    steps = A.order_steps(big, "SVC3")
    assert len(steps) == 9 and max(s.wave for s in steps) == 5
    assert {s.resource for s in steps if s.wave == 5} == {f"{p} SVC3" for p in ("Mail", "Web", "IMAP", "POP3")}


def test_order_steps_refuses_a_bad_direction_or_group(fs):
    with pytest.raises(lk.ValidationError):
        A.order_steps(fs, "FS", "sideways")
    with pytest.raises(lk.NotFoundError):
        A.order_steps(fs, "NOPE")


def test_step_diagram_outlines_the_current_resource(fs):
    step = A.order_steps(fs, "FS")[2]
    src = A.step_diagram(fs, "FS", step).source
    assert "penwidth=3" in next(line for line in src.splitlines() if 'tooltip="Name FS"' in line)
    assert src.count("penwidth=3") == 1 and "Online step 3 of 4" in src


# ===================================================================== panels
def test_tree_lists_groups_then_resources_with_states(fs):
    html = P.tree_html(fs, selected="FS")
    assert html.index("<b>FS</b>") < html.index("Share FS")
    assert "Online" in html and "NODE1" in html and "Disk FS, Name FS" in html


def test_nodes_panel_marks_the_quorum_owner_and_groups(fs):
    html = P.nodes_html(fs)
    assert "NODE1 (quorum)" in html and "Cluster Group, FS" in html


def test_log_panel_bolds_the_newest_lines_and_escapes(fs):
    html = P.log_html(fs.log.tail(3), new=1)
    assert html.count("<b>") == 1 and "-&gt;" in html
    assert "(no events)" in P.log_html([])


def test_status_panel_is_red_when_refused():
    assert "#b00000" in P.status_html(A.ActionResult(False, "Refused: x"))
    assert "#1e6b1e" in P.status_html(A.ActionResult(True, "done"))


def test_svg_cache_draws_a_picture_once(fs):
    from labkit import diagrams
    cache = P.SvgCache(size=1)
    dot = diagrams.cluster_diagram(fs)
    a, b = cache.svg(dot), cache.svg(dot)
    assert a is b and cache.hits == 1 and cache.misses == 1 and "<svg" in a
    cache.svg(diagrams.group_diagram(fs, "FS"))
    assert len(cache._store) == 1


# ==================================================== Cluster Administrator widget
def test_admin_move_group_button_shows_the_new_owner(fs):
    w = ClusterAdministrator(fs)
    w.group.value = "FS"
    w.target.value = "NODE2"
    w.settle.value = True
    w.buttons["move_group"].click()
    assert fs.groups["FS"].owner == "NODE2"
    assert "FS is Online on NODE2" in w.status.value
    assert "<td>FS</td>" in w.nodes_view.value.split("NODE2")[1]
    assert "<td>Cluster Group</td>" in w.nodes_view.value.split("NODE2")[0]
    assert "owner NODE1 -&gt; NODE2" in w.log_view.value
    assert "<svg" in w.diagram.value and "FS" in w.diagram.value


def test_admin_refused_action_shows_the_message_not_a_traceback(fs):
    w = ClusterAdministrator(fs, live_diagram=False)
    w.node.value = "NODE2"
    w.buttons["start_node"].click()
    before = fs.to_dict()
    assert "Refused: node NODE2 is Up, not Down" in w.status.value
    assert "only a Down node can be started" in w.status.value and "Traceback" not in w.status.value
    assert not w.last.ok and fs.to_dict() == before


def test_admin_unexpected_error_is_reported_as_a_bug_without_traceback(fs, monkeypatch):
    import labkit.views.widgets.cluster_admin as CA

    def boom(*a, **k):
        raise KeyError("oops")
    monkeypatch.setattr(CA, "apply_action", boom)
    w = ClusterAdministrator(fs, live_diagram=False)
    w.click("run_until_stable")
    assert "a bug in labkit" in w.status.value and "KeyError" in w.status.value


def test_admin_crash_node_then_time_buttons_fail_the_groups_over(fs):
    w = ClusterAdministrator(fs, live_diagram=False)
    w.node.value = "NODE1"
    w.buttons["crash_node"].click()
    assert "NODE1 is Down" in w.status.value and fs.groups["FS"].owner == "NODE1"
    w.buttons["run:10"].click()
    assert "clock advanced 10 s" in w.status.value
    w.buttons["run_until_stable"].click()
    assert fs.groups["FS"].owner == "NODE2" and fs.quorum_owner == "NODE2"
    assert "quorum on <b>NODE2</b>" in w.header.value
    assert "FS is Online" not in w.status.value  # the status names the clock step, not a group
    assert "nothing pending" in w.status.value


def test_admin_fail_resource_and_inject_fault_use_the_chosen_resource(fs):
    w = ClusterAdministrator(fs, live_diagram=False)
    w.group.value = "FS"
    assert list(w.resource.options) == fs.online_order("FS")
    w.resource.value = "IP FS"
    w.buttons["fail_resource"].click()
    assert "IP FS failed" in w.status.value
    assert "[IP FS] Online -&gt; Failed" in w.log_view.value
    w.click("run_until_stable")
    w.fault_kind.value = "hang"
    w.lasting.value = True
    w.buttons["inject_fault"].click()
    assert fs.resources["IP FS"].fault == "hang" and fs.resources["IP FS"].persistent_fault == "node"
    assert "lasting hang fault injected into IP FS" in w.status.value


def test_admin_crash_monitor_and_repair_buttons(fs):
    w = ClusterAdministrator(fs, live_diagram=False)
    w.group.value = "FS"
    w.resource.value = "Share FS"
    w.buttons["crash_resource_monitor"].click()
    assert "7 resources failed" in w.status.value
    w.buttons["repair_resource"].click()
    assert "Refused" in w.status.value and "no fault to repair" in w.status.value


def test_admin_pause_and_resume_and_online_offline_group(fs):
    w = ClusterAdministrator(fs, live_diagram=False)
    w.node.value = "NODE2"
    w.buttons["pause_node"].click()
    assert "NODE2 is Paused" in w.status.value and "Paused" in w.nodes_view.value
    w.buttons["resume_node"].click()
    assert "NODE2 is Up" in w.status.value
    w.group.value = "FS"
    w.settle.value = True
    w.buttons["offline_group"].click()
    assert "FS is Offline" in w.status.value
    w.buttons["online_group"].click()
    assert "FS is Online on NODE1" in w.status.value


def test_admin_log_shows_this_actions_lines_in_bold(fs):
    w = ClusterAdministrator(fs, log_lines=5, live_diagram=False)
    w.settle.value = True
    w.group.value = "FS"
    w.target.value = "NODE2"
    r = w.click("move_group")
    assert len(r.events) > 5
    assert w.log_view.value.count("<b>") == len(r.events)  # the whole action is shown, not just 5 lines


def test_admin_refresh_sees_groups_added_by_notebook_code(fs):
    from labkit.scenarios import add_file_share_group
    w = ClusterAdministrator(fs, live_diagram=False)
    add_file_share_group(fs, "MORE", drive="M:", address="10.0.0.150", name="MORE")
    w.refresh()
    assert "MORE" in w.group.options and "MORE" in w.tree.value
    w.group.value = "MORE"
    assert "Share MORE" in w.resource.options


def test_admin_live_diagram_off_draws_only_on_demand(fs):
    w = ClusterAdministrator(fs, live_diagram=False)
    assert "click Draw" in w.diagram.value
    w.node.value = "NODE2"
    w.buttons["crash_node"].click()
    assert "<svg" not in w.diagram.value
    w.buttons["draw"].click()
    assert "<svg" in w.diagram.value and "Down" in w.diagram.value
    w.show_resources.value = True  # a view option redraws only when live
    w.live.value = True
    assert "Share FS" in w.diagram.value


def test_admin_works_with_five_groups_of_nine_resources(big):
    w = ClusterAdministrator(big, live_diagram=False)
    assert len(w.group.options) == 6 and w.tree.value.count("Generic Service") == 5 * 6
    w.group.value = "SVC2"
    assert len(w.resource.options) == len(SERVICE_TREE)
    w.target.value = None  # "(next in list)"
    w.settle.value = True
    w.click("move_group")
    # preferred owners N2, N1, N3, N4: the walk goes on from N2 to N1 (KB 299631)
    assert big.groups["SVC2"].owner == "N1" and "SVC2 is Online on N1" in w.status.value


def test_admin_default_cluster_is_the_file_share_demo():
    w = ClusterAdministrator(live_diagram=False)
    assert "FS" in w.group.options and "NODE1" in w.node.options


# ========================================================== dependency explorer
def test_explorer_steps_through_the_online_order(fs):
    w = DependencyExplorer(fs)
    assert w.group.value == "FS" and w.prev.disabled and not w.next.disabled
    assert "Online step 1 of 4" in w.label.value and "Disk FS" in w.label.value
    for _ in range(3):
        w.next.click()
    assert w.index == 4 and w.next.disabled
    assert "Share FS comes online after its providers Disk FS, Name FS" in w.label.value
    assert "<b>▶ Share FS</b>" in w.order_view.value and "Disk FS ✓" in w.order_view.value
    w.next.click()  # clamped at the last step
    assert w.index == 4
    w.prev.click()
    assert w.step.resource == "Name FS"


def test_explorer_offline_order_and_group_switch(fs):
    w = DependencyExplorer(fs)
    w.direction.value = "offline"
    assert w.index == 1 and "Offline step 1 of 4" in w.label.value and "Share FS" in w.label.value
    w.group.value = "Cluster Group"
    assert w.step.resource == "Cluster Name" and "nothing depends on it" in w.label.value


def test_explorer_diagram_highlights_the_step(fs):
    w = DependencyExplorer(fs)
    w.next.click()
    assert 'label="IP FS' in w.dot.source and "penwidth=3" in w.dot.source
    assert "Online step 2 of 4" in w.dot.source and "<svg" in w.diagram.value


def test_explorer_on_an_empty_group(fs):
    fs.add_group("EMPTY")
    w = DependencyExplorer(fs, group="EMPTY")
    assert w.step is None and w.prev.disabled and w.next.disabled
    assert "no resources" in w.label.value
    w.next.click()
    assert w.step is None


def test_starter_widget_is_still_exported():
    assert StarterWidget().cluster.name == "HELLO"


def test_admin_log_pane_is_capped_for_long_runs(fs, monkeypatch):
    import labkit.views.widgets.cluster_admin as CA
    monkeypatch.setattr(CA, "MAX_LOG_LINES", 5)
    w = ClusterAdministrator(fs, live_diagram=False)
    w.settle.value = True
    w.node.value = "NODE1"
    r = w.click("crash_node")
    assert len(r.events) > 5
    assert w.log_view.value.count("\n") == 4 and w.log_view.value.count("<b>") == 5
