"""Resources, dependencies, health polling and the failover manager: one test per rule."""
import pytest

import labkit as lk
from conftest import add_share_group, build

ON, OFF, FAILED = lk.ResourceState.ONLINE, lk.ResourceState.OFFLINE, lk.ResourceState.FAILED


def test_resource_defaults_are_windows_2000_msc_defaults(two):
    r = two.resources["Share G1"]
    assert (r.looks_alive_ms, r.is_alive_ms, r.pending_timeout_ms) == (5000, 60000, 180000)
    assert r.restart_action is lk.RestartAction.RESTART_NOTIFY
    assert (r.restart_threshold, r.restart_period_s) == (3, 900)


def test_group_defaults_are_windows_2000_defaults(two):
    g = two.groups["G1"]
    assert (g.failover_threshold, g.failover_period_hours, g.auto_failback, g.failback_window) == (10, 6, False, None)


# --------------------------------------------------------------------- dependencies
def test_dependencies_stay_inside_one_group():
    c = build(2, groups=2)
    with pytest.raises(lk.DependencyError) as e:
        c.add_dependency("Share G1", "Disk G2")
    assert "one group" in str(e.value)


def test_no_direct_cycle(two):
    c = two
    c.offline_group("G1"); c.run_until_stable()
    with pytest.raises(lk.DependencyError):
        c.add_dependency("IP G1", "Name G1")


def test_no_indirect_cycle(two):
    c = two
    c.offline_group("G1"); c.run_until_stable()
    with pytest.raises(lk.DependencyError) as e:
        c.add_dependency("IP G1", "Share G1")   # Share -> Name -> IP
    assert "1059" in str(e.value)


def test_no_self_dependency(two):
    with pytest.raises(lk.DependencyError):
        two.add_dependency("IP G1", "IP G1")


def test_no_duplicate_dependency(two):
    c = two
    c.offline_group("G1"); c.run_until_stable()
    with pytest.raises(lk.DependencyError) as e:
        c.add_dependency("Name G1", "IP G1")
    assert "5003" in str(e.value)


def test_quorum_resource_may_not_depend_on_anything(two):
    with pytest.raises(lk.QuorumError) as e:
        two.add_dependency("Disk Q:", "Cluster IP Address")
    assert "5069" in str(e.value)


def test_dependencies_change_only_while_dependent_offline(two):
    with pytest.raises(lk.StateError) as e:
        two.add_dependency("Share G1", "IP G1")   # redundant but legal, except while online
    assert "5019" in str(e.value)


def test_online_in_dependency_order_offline_in_reverse(two):
    c = two
    assert c.online_order("G1") == ["Disk G1", "IP G1", "Name G1", "Share G1"]
    assert c.offline_order("G1") == ["Share G1", "Name G1", "IP G1", "Disk G1"]
    mark = len(c.log)
    c.offline_group("G1"); c.run_until_stable()
    offl = [e.obj for e in c.log.since(mark) if e.what.endswith("-> Offline")]
    assert offl.index("Share G1") < offl.index("Name G1") < offl.index("IP G1")
    assert offl.index("Share G1") < offl.index("Disk G1")
    mark = len(c.log)
    c.online_group("G1"); c.run_until_stable()
    started = [e.obj for e in c.log.since(mark) if e.what.endswith("-> Online Pending")]
    done = {e.obj: e.time for e in c.log.since(mark) if e.what.endswith("-> Online")}
    start_t = {e.obj: e.time for e in c.log.since(mark) if e.what.endswith("-> Online Pending")}
    assert start_t["Name G1"] >= done["IP G1"] and start_t["Share G1"] >= max(done["Disk G1"], done["Name G1"])
    assert set(started) == set(c.groups["G1"].resources)


def test_network_name_needs_an_ip_address_dependency():
    c = lk.Cluster("LAB")
    c.add_node("N1")
    c.add_group("G")
    c.add_resource("Name", type="Network Name", group="G", name="LONELY")
    c.set_resource_properties("Name", restart_action="dont_restart")
    c.online_group("G"); c.run_until_stable()
    assert c.resources["Name"].state is FAILED
    assert "IP Address" in [e for e in c.log.about("Name") if "online failed" in e.why][0].why


def test_dependents_go_offline_first_and_come_back_after_restart(two):
    c = two
    mark = len(c.log)
    c.fail_resource("IP G1")
    c.run_until_stable()
    ev = c.log.since(mark)
    name_off = next(i for i, e in enumerate(ev) if e.obj == "Name G1" and e.what.endswith("-> Offline"))
    ip_restart = next(i for i, e in enumerate(ev) if e.obj == "IP G1" and e.what == "Failed -> Online Pending")
    assert name_off < ip_restart
    assert all(c.resources[r].state is ON for r in c.groups["G1"].resources)
    assert c.groups["G1"].owner == "N1"


# ------------------------------------------------------------------ restart policy
def test_restart_in_place_up_to_restart_threshold(two):
    c = two
    for _ in range(3):
        c.fail_resource("Share G1"); c.run_until_stable()
        assert c.groups["G1"].owner == "N1"


def test_failure_beyond_restart_threshold_fails_the_group_over(two):
    c = two
    for _ in range(4):
        c.fail_resource("Share G1"); c.run_until_stable()
    assert c.groups["G1"].owner == "N2" and c.groups["G1"].state is lk.GroupState.ONLINE


def test_failures_older_than_restart_period_do_not_count(two):
    c = two
    for _ in range(3):
        c.fail_resource("Share G1"); c.run_until_stable()
    c.run(seconds=901)
    c.fail_resource("Share G1"); c.run_until_stable()
    assert c.groups["G1"].owner == "N1"


def test_restart_no_notify_never_moves_the_group(two):
    c = two
    c.set_resource_properties("Share G1", restart_action="restart_no_notify")
    for _ in range(4):
        c.fail_resource("Share G1"); c.run_until_stable()
    assert c.groups["G1"].owner == "N1" and c.resources["Share G1"].state is FAILED


def test_dont_restart_leaves_the_resource_failed(two):
    c = two
    c.set_resource_properties("Share G1", restart_action="dont_restart")
    c.fail_resource("Share G1"); c.run_until_stable()
    assert c.resources["Share G1"].state is FAILED and c.groups["G1"].state is lk.GroupState.FAILED


def test_restart_threshold_zero_fails_over_on_first_failure(two):
    c = two
    c.set_resource_properties("Share G1", restart_threshold=0)
    c.fail_resource("Share G1"); c.run_until_stable()
    assert c.groups["G1"].owner == "N2"


# -------------------------------------------------------------------- target choice
def _four_with_prefs(prefs):
    c = build(4)
    c.set_preferred_owners("G1", prefs)
    c.move_group("G1", prefs[-1] if prefs else "N4")
    c.run_until_stable()
    return c


def test_target_walks_preferred_then_node_id_order_and_wraps():
    # KB 299631: preferred {3,4} gives the effective list {3,4,1,2}; a failure on 4 goes to 1.
    c = _four_with_prefs(["N3", "N4"])
    assert c.effective_owners("G1") == ["N3", "N4", "N1", "N2"]
    assert c.groups["G1"].owner == "N4"
    c.crash_node("N4"); c.run_until_stable()
    assert c.groups["G1"].owner == "N1"


def test_target_skips_nodes_that_are_not_possible_owners():
    c = build(4)
    for r in c.groups["G1"].resources:
        c.set_possible_owners(r, ["N1", "N3", "N4"] if r != "Disk G1" else ["N1", "N2", "N3", "N4"])
    c.crash_node("N1"); c.run_until_stable()
    assert c.groups["G1"].owner == "N3"


def test_target_skips_down_nodes(four):
    c = four
    c.crash_node("N2"); c.run_until_stable()
    c.crash_node("N1"); c.run_until_stable()
    assert c.groups["G1"].owner == "N3"


def test_move_refused_to_a_node_that_is_not_a_possible_owner(four):
    c = four
    c.set_possible_owners("Share G1", ["N1", "N2"])
    before = c.to_dict()
    with pytest.raises(lk.OwnershipError):
        c.move_group("G1", "N3")
    assert c.to_dict() == before


def test_move_without_a_node_takes_the_next_in_the_list(four):
    four.move_group("G1"); four.run_until_stable()
    assert four.groups["G1"].owner == "N2"


# -------------------------------------------------------------- failover threshold
def test_more_than_failover_threshold_failovers_leave_the_group_failed_and_offline(two):
    c = two
    c.set_group_properties("G1", failover_threshold=2)
    c.set_resource_properties("Share G1", restart_threshold=0)
    for _ in range(2):
        c.fail_resource("Share G1"); c.run_until_stable()
        assert c.groups["G1"].state is lk.GroupState.ONLINE
    c.fail_resource("Share G1"); c.run_until_stable()
    g = c.groups["G1"]
    assert g.state is lk.GroupState.FAILED
    assert all(c.resources[r].state in (OFF, FAILED) for r in g.resources)
    assert "FailoverThreshold exceeded" in c.log.about("G1")[-2].why or any(
        "FailoverThreshold exceeded" in e.why for e in c.log.about("G1"))


def test_failovers_outside_the_failover_period_do_not_count(two):
    c = two
    c.set_group_properties("G1", failover_threshold=1, failover_period_hours=1)
    c.set_resource_properties("Share G1", restart_threshold=0)
    c.fail_resource("Share G1"); c.run_until_stable()
    c.run(hours=1.01)
    c.fail_resource("Share G1"); c.run_until_stable()
    assert c.groups["G1"].state is lk.GroupState.ONLINE


def test_administrator_online_clears_a_failed_group(two):
    c = two
    c.set_group_properties("G1", failover_threshold=0)
    c.set_resource_properties("Share G1", restart_threshold=0)
    c.fail_resource("Share G1"); c.run_until_stable()
    assert c.groups["G1"].state is lk.GroupState.FAILED
    c.online_group("G1"); c.run_until_stable()
    assert c.groups["G1"].state is lk.GroupState.ONLINE


# ------------------------------------------------------------------------- failback
def _failed_over(prefs=("N1", "N2"), **props):
    c = build(2)
    c.set_preferred_owners("G1", list(prefs))
    c.set_group_properties("G1", **props)
    c.crash_node("N1"); c.run_until_stable()
    assert c.groups["G1"].owner == "N2"
    c.start_node("N1")
    return c


def test_failback_is_prevented_by_default():
    c = _failed_over()
    c.run_until_stable(); c.run(hours=24)
    assert c.groups["G1"].owner == "N2"


def test_failback_allowed_returns_to_the_preferred_node():
    c = _failed_over(auto_failback=True)
    c.run_until_stable()
    assert c.groups["G1"].owner == "N1" and c.groups["G1"].state is lk.GroupState.ONLINE
    assert any(e.what.startswith("failback to N1") for e in c.log.about("G1"))


def test_failback_waits_for_its_window():
    c = _failed_over(auto_failback=True, failback_window=(22, 23))   # it is 09:00
    c.run_until_stable()
    assert c.groups["G1"].owner == "N2"
    c.run(hours=12.5)
    assert c.groups["G1"].owner == "N2"
    c.run(hours=1)                                                    # 22:30
    assert c.groups["G1"].owner == "N1"


def test_failback_window_may_wrap_midnight():
    c = _failed_over(auto_failback=True, failback_window=(23, 2))
    c.run_until_stable()
    assert c.groups["G1"].owner == "N2"
    c.run(hours=14.2)                                                 # 23:12
    assert c.groups["G1"].owner == "N1"


def test_failback_window_with_equal_hours_is_refused(two):
    with pytest.raises(lk.ValidationError):
        two.set_group_properties("G1", failback_window=(3, 3))


def test_owner_failure_moves_regardless_of_the_failback_window():
    c = build(2)
    c.set_group_properties("G1", auto_failback=True, failback_window=(22, 23))
    c.crash_node("N1"); c.run_until_stable()
    assert c.groups["G1"].owner == "N2"


# ------------------------------------------------------------------ health polling
def test_crash_fault_is_seen_by_the_next_looksalive_poll(two):
    c = two
    r = c.resources["Share G1"]
    since = r.online_since_ms
    c.run(seconds=2)
    c.inject_fault("Share G1", "crash")
    c.run(seconds=2.9)
    assert r.state is ON
    due = since + ((c.clock.ms - since) // 5000 + 1) * 5000
    c.run(seconds=(due - c.clock.ms) / 1000)
    assert r.state is not ON
    assert "LooksAlive" in [e for e in c.log.about("Share G1") if e.what == "Online -> Failed"][-1].why


def test_hang_fault_is_seen_only_by_isalive(two):
    c = two
    c.inject_fault("Share G1", "hang")
    c.run(seconds=30)
    assert c.resources["Share G1"].state is ON          # five LooksAlive polls passed it
    c.run(seconds=31)
    failed = [e for e in c.log.about("Share G1") if e.what == "Online -> Failed"]
    assert len(failed) == 1 and "IsAlive" in failed[0].why


def test_persistent_fault_on_a_node_fails_the_group_over(two):
    c = two
    c.inject_fault("Share G1", "crash", persistent=True)
    c.run_until_stable()
    assert c.groups["G1"].owner == "N2" and c.groups["G1"].state is lk.GroupState.ONLINE


def test_persistent_fault_everywhere_ends_failed(two):
    c = two
    c.inject_fault("Share G1", "crash", everywhere=True)
    c.run_until_stable()
    assert c.groups["G1"].state is lk.GroupState.FAILED


def test_pending_timeout_terminates_a_slow_resource(two):
    c = two
    c.offline_group("G1"); c.run_until_stable()
    c.set_resource_properties("Share G1", pending_timeout_ms=500, restart_action="dont_restart")
    c.online_group("G1"); c.run_until_stable()
    assert c.resources["Share G1"].state is FAILED
    assert "PendingTimeout" in [e for e in c.log.about("Share G1") if e.what.endswith("-> Failed")][-1].why


# ---------------------------------------------------------------- resource monitors
def test_monitor_crash_fails_only_its_resources():
    c = build(2, groups=2)
    c.offline_group("G2"); c.run_until_stable()
    for r in c.groups["G2"].resources:
        c.set_monitor(r, "separate-G2")
    c.online_group("G2", "N1"); c.run_until_stable()
    failed = c.crash_resource_monitor("Share G2")
    assert sorted(failed) == sorted(c.groups["G2"].resources)
    g1_failures = [e for e in c.log if e.obj in c.groups["G1"].resources and e.what.endswith("-> Failed")]
    assert g1_failures == []
    c.run_until_stable()
    assert c.groups["G2"].state is lk.GroupState.ONLINE


def test_shared_monitor_crash_takes_every_shared_resource_on_that_node():
    c = build(2, groups=2)
    failed = c.crash_resource_monitor("Share G1")
    on_n1 = [r.name for r in c.resources.values() if c.groups[r.group].owner == "N1"]
    assert sorted(failed) == sorted(on_n1)


def test_separate_monitor_option_isolates_a_resource(two):
    c = two
    c.offline_group("G1"); c.run_until_stable()
    c.set_resource_properties("Share G1", separate_monitor=True)
    c.online_group("G1"); c.run_until_stable()
    assert c.crash_resource_monitor("Share G1") == ["Share G1"]


# --------------------------------------------------------------------- group state
def test_group_state_partial_online(two):
    two.offline_resource("Share G1"); two.run_until_stable()
    assert two.groups["G1"].state is lk.GroupState.PARTIAL_ONLINE


def test_one_owner_per_group_during_a_move(four):
    c = four
    c.move_group("G1", "N3")
    while not c.is_stable():
        c.run(seconds=0.5)
        nodes = {c.resources[r].node for r in c.groups["G1"].resources} - {None}
        assert len(nodes) <= 1
    assert c.groups["G1"].owner == "N3"


def test_outages_record_client_interruption(two):
    c = two
    c.move_group("G1", "N2"); c.run_until_stable()
    start, end = c.groups["G1"].outages[-1]
    assert end - start > 0
