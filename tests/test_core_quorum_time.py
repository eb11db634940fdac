"""Membership and quorum, simulated time and the log, resource types."""
from datetime import datetime

import pytest

import labkit as lk
from conftest import build


# ------------------------------------------------------------------- partition
def test_partition_side_with_the_quorum_owner_keeps_the_cluster(four):
    c = four
    assert c.quorum_owner == "N1"
    c.partition([["N1"], ["N2", "N3", "N4"]])
    c.run_until_stable()
    assert c.nodes["N1"].state is lk.NodeState.UP
    assert all(c.nodes[n].state is lk.NodeState.DOWN for n in ["N2", "N3", "N4"])


def test_partition_losers_groups_move_to_the_survivors(four):
    c = four
    c.move_group("G1", "N3"); c.run_until_stable()
    c.partition([["N1", "N2"], ["N3", "N4"]])
    c.run_until_stable()
    assert c.groups["G1"].owner in ("N1", "N2") and c.groups["G1"].state is lk.GroupState.ONLINE


def test_partition_must_cover_every_node_once(four):
    before = four.to_dict()
    with pytest.raises(lk.ValidationError):
        four.partition([["N1"], ["N2", "N3"]])
    with pytest.raises(lk.ValidationError):
        four.partition([["N1", "N2"], ["N2", "N3", "N4"]])
    assert four.to_dict() == before


def test_heal_lets_the_partitioned_nodes_rejoin(four):
    c = four
    c.partition([["N1"], ["N2", "N3", "N4"]]); c.run_until_stable()
    c.heal(); c.run_until_stable()
    assert all(n.state is lk.NodeState.UP for n in c.nodes.values())


def test_no_split_brain_during_a_partition(four):
    c = four
    c.partition([["N1", "N2"], ["N3", "N4"]]); c.run_until_stable()
    with pytest.raises(lk.QuorumError):
        c.start_node("N3")


# -------------------------------------------------------------------- quorum loss
def test_losing_the_quorum_disk_stops_the_cluster(two):
    c = two
    c.inject_fault("Disk Q:", "crash", everywhere=True)
    c.run_until_stable()
    assert not c.running and c.quorum_owner is None
    assert all(n.state is lk.NodeState.DOWN for n in c.nodes.values())
    assert all(r.state is lk.ResourceState.OFFLINE for r in c.resources.values() if r.name != "Disk Q:")


def test_cluster_service_cannot_start_without_the_quorum_disk(two):
    c = two
    c.inject_fault("Disk Q:", "crash", everywhere=True); c.run_until_stable()
    before = c.to_dict()
    with pytest.raises(lk.QuorumError) as e:
        c.start_node("N1")
    assert "Scenario 2" in str(e.value)
    assert c.to_dict() == before


def test_a_repaired_quorum_disk_lets_the_cluster_form_again(two):
    c = two
    c.inject_fault("Disk Q:", "crash", everywhere=True); c.run_until_stable()
    c.repair_resource("Disk Q:")
    c.start_node("N2"); c.run_until_stable()
    assert c.running and c.quorum_owner == "N2"
    assert c.groups["G1"].owner == "N2" and c.groups["G1"].state is lk.GroupState.ONLINE


def test_a_transient_quorum_failure_restarts_in_place(two):
    two.fail_resource("Disk Q:"); two.run_until_stable()
    assert two.running and two.quorum_owner == "N1"


def test_crash_of_the_quorum_owner_moves_the_quorum(two):
    two.crash_node("N1"); two.run_until_stable()
    assert two.quorum_owner == "N2"


def test_crash_of_every_node_stops_the_cluster(two):
    two.crash_node("N1"); two.crash_node("N2")
    assert not two.running


def test_quorum_resource_cannot_be_deleted(two):
    with pytest.raises(lk.QuorumError):
        two.delete_resource("Disk Q:")


# ------------------------------------------------------------------- time and log
def test_clock_starts_at_a_fixed_date_at_nine():
    c = lk.Cluster("LAB")
    assert c.now == datetime(2001, 5, 7, 9, 0)


def _story(seed=0):
    c = build(4, groups=3)
    c.crash_node("N1"); c.run(seconds=30)
    c.fail_resource("Share G2"); c.inject_fault("Share G3", "hang"); c.run(minutes=5)
    c.start_node("N1"); c.run_until_stable()
    return "\n".join(str(e) for e in c.log)


def test_the_same_calls_give_the_same_log_byte_for_byte():
    assert _story() == _story()


def test_log_lines_have_time_node_object_what_and_why(two):
    line = str(two.log[0])
    assert line.startswith("2001-05-07 09:00:00.000") and "[N1] formed the cluster" in line


def test_run_until_stable_keeps_future_appointments():
    c = build(2)
    c.set_preferred_owners("G1", ["N1", "N2"])
    c.set_group_properties("G1", auto_failback=True, failback_window=(22, 23))
    c.crash_node("N1"); c.run_until_stable(); c.start_node("N1"); c.run_until_stable()
    assert c.is_stable() and any(j.kind == "failback_window" for j in c.queue.jobs())
    assert c.now.hour == 9


def test_run_accepts_duration_text(two):
    t = two.clock.ms
    two.run(duration="1h30m")
    assert two.clock.ms - t == 5_400_000


@pytest.mark.parametrize("bad", [-1, "10", float("nan"), None])
def test_run_refuses_bad_durations(two, bad):
    with pytest.raises(lk.ValidationError):
        two.run(seconds=bad)


# ------------------------------------------------------------------ resource types
def test_physical_disk_is_the_only_quorum_capable_core_type():
    assert [t for t, v in lk.REGISTRY.items() if v.quorum_capable and t in (
        "Physical Disk", "IP Address", "Network Name", "File Share", "Generic Service",
        "Generic Application")] == ["Physical Disk"]


def test_dynamic_disks_are_refused_with_the_revert_to_basic_fix(two):
    c = two
    with pytest.raises(lk.ConfigurationError) as e:
        c.add_resource("Disk X", type="Physical Disk", group="G1", disk_type="dynamic")
    assert "Revert to Basic" in str(e.value)


@pytest.mark.parametrize("addr", ["dhcp", "DHCP"])
def test_ip_addresses_are_static(two, addr):
    with pytest.raises(lk.ConfigurationError):
        two.add_resource("IP X", type="IP Address", group="G1", address=addr)


@pytest.mark.parametrize("addr", ["300.1.1.1", "10.0.0", "", "0.0.0.0", 42])
def test_ip_addresses_are_valid_host_addresses(two, addr):
    with pytest.raises(lk.LabkitError):
        two.add_resource("IP X", type="IP Address", group="G1", address=addr)


def test_duplicate_ip_addresses_are_refused(two):
    with pytest.raises(lk.NameConflictError):
        two.add_resource("IP X", type="IP Address", group="G1", address="10.0.1.1")


def test_network_names_are_netbios_names(two):
    with pytest.raises(lk.ValidationError):
        two.add_resource("Name X", type="Network Name", group="G1", name="A-NAME-THAT-IS-TOO-LONG")
    with pytest.raises(lk.NameConflictError):
        two.add_resource("Name X", type="Network Name", group="G1", name="vs1")


def test_resource_types_are_an_open_registry_with_an_online_veto():
    class Picky(lk.ResourceType):
        name = "Picky Service"
        online_s = 2.0

        def can_online(self, cluster, resource, node):
            return None if node == "N2" else "only runs on N2"

    lk.register_resource_type(Picky())
    c = build(2)
    c.install_resource_type("Picky Service")
    c.add_group("P")
    c.add_resource("Picky", type="Picky Service", group="P")
    c.set_resource_properties("Picky", restart_threshold=0)
    c.online_group("P", "N1"); c.run_until_stable()
    assert c.groups["P"].owner == "N2" and c.resources["Picky"].state is lk.ResourceState.ONLINE


def test_uninstalled_types_are_refused(two):
    with pytest.raises(lk.NotFoundError):
        two.add_resource("SA", type="Microsoft Exchange System Attendant", group="G1")


def test_losing_the_quorum_updates_group_states_and_opens_outages(two):
    c = two
    c.inject_fault("Disk Q:", "crash", everywhere=True)
    c.run_until_stable()
    g = c.groups["G1"]
    assert g.state is lk.GroupState.OFFLINE
    assert g.outages and g.outages[-1][1] is None
