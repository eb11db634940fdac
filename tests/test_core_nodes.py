"""Nodes, editions, membership: one test per rule."""
import pytest

import labkit as lk
from conftest import build


def test_node_ids_follow_the_order_nodes_are_added():
    c = build(4)
    assert [c.nodes[n].id for n in ["N1", "N2", "N3", "N4"]] == [1, 2, 3, 4]
    assert c.node_ids() == ["N1", "N2", "N3", "N4"]


@pytest.mark.parametrize("edition,limit", [("Advanced Server", 2), ("Datacenter", 4), ("Modern", 64),
                                           ("Scale", 1024)])
def test_edition_node_limit(edition, limit):
    c = lk.Cluster("ED", edition=edition)
    for i in range(limit):
        c.add_node(f"N{i}")
    with pytest.raises(lk.LimitError) as e:
        c.add_node("ONE-TOO-MANY")
    assert "edition node limit" in str(e.value)
    if edition not in ("Modern", "Scale"):
        assert "paper, Windows 2000 Clustering Installation Requirements" in str(e.value)
    elif edition == "Modern":  # today's failover clustering, with Microsoft's figure
        assert "Plan for Hyper-V scalability" in str(e.value) and "64 nodes" in str(e.value)
    else:
        assert "simulation-only" in str(e.value)


def test_unknown_edition_is_refused():
    with pytest.raises(lk.ValidationError):
        lk.Cluster("X", edition="Windows 95")


def test_first_node_forms_the_cluster_with_the_quorum_disk():
    c = lk.Cluster("LAB", ip="10.0.0.100")
    c.add_node("N1")
    c.run_until_stable()
    g = c.groups["Cluster Group"]
    assert g.owner == "N1" and g.state is lk.GroupState.ONLINE
    assert set(g.resources) == {"Disk Q:", "Cluster IP Address", "Cluster Name"}
    assert c.quorum_owner == "N1"
    assert c.resources["Disk Q:"].properties["drive"] == "Q:"


def test_joining_nodes_become_possible_owners_of_the_cluster_group():
    c = build(2)
    assert c.resources["Disk Q:"].possible_owners == ["N1", "N2"]


def test_node_and_cluster_names_are_unique():
    c = build(3)
    with pytest.raises(lk.NameConflictError):
        c.add_node("N1")
    with pytest.raises(lk.NameConflictError):
        lk.Cluster("LAB2", edition="Datacenter").add_node("LAB2")


def test_crash_is_noticed_after_six_missed_heartbeats(two):
    c = two
    t0 = c.clock.ms
    c.crash_node("N1")
    assert c.nodes["N1"].state is lk.NodeState.DOWN
    assert c.groups["G1"].owner == "N1"          # not noticed yet
    c.run(seconds=7.1)
    assert c.groups["G1"].owner == "N1"
    c.run(seconds=0.1)
    assert c.groups["G1"].owner == "N2"
    regroup = [e for e in c.log if e.what == "removed from membership"][0]
    assert (regroup.time - lk.START).total_seconds() * 1000 - t0 == pytest.approx(7200)


def test_crashed_node_hosts_nothing(two):
    two.crash_node("N1")
    assert all(r.node != "N1" for r in two.resources.values())
    assert all(r.state is lk.ResourceState.OFFLINE for r in two.resources.values()
               if two.groups[r.group].owner == "N1")


def test_start_node_joins_after_joining_state(two):
    c = two
    c.crash_node("N2")
    c.run_until_stable()
    c.start_node("N2")
    assert c.nodes["N2"].state is lk.NodeState.JOINING
    c.run_until_stable()
    assert c.nodes["N2"].state is lk.NodeState.UP


def test_start_node_refused_before_the_regroup(two):
    two.crash_node("N2")
    with pytest.raises(lk.StateError):
        two.start_node("N2")


def test_paused_node_keeps_its_groups_but_takes_no_new_ones(four):
    c = four
    c.pause_node("N1")
    assert c.groups["G1"].owner == "N1" and c.groups["G1"].state is lk.GroupState.ONLINE
    c.move_group("G1", "N2")
    c.run_until_stable()
    with pytest.raises(lk.OwnershipError):
        c.move_group("G1", "N1")


def test_paused_node_is_skipped_by_failover(four):
    c = four
    c.pause_node("N2")
    c.crash_node("N1")
    c.run_until_stable()
    assert c.groups["G1"].owner == "N3"


def test_resume_makes_a_paused_node_eligible_again(four):
    c = four
    c.pause_node("N2")
    c.resume_node("N2")
    c.crash_node("N1")
    c.run_until_stable()
    assert c.groups["G1"].owner == "N2"


def test_evict_removes_node_from_every_owner_list(four):
    c = four
    c.set_preferred_owners("G1", ["N1", "N3"])
    c.crash_node("N3")
    c.run_until_stable()
    c.evict_node("N3")
    assert "N3" not in c.nodes
    assert all("N3" not in g.preferred_owners for g in c.groups.values())
    assert all("N3" not in r.possible_owners for r in c.resources.values())


def test_evict_only_a_down_node(two):
    with pytest.raises(lk.StateError):
        two.evict_node("N2")


def test_evicted_name_cannot_be_reused(four):
    c = four
    c.crash_node("N4")
    c.run_until_stable()
    c.evict_node("N4")
    with pytest.raises(lk.NameConflictError) as e:
        c.add_node("N4")
    assert "Scenario 1" in str(e.value)
    c.add_node("N5")
    assert c.nodes["N5"].id == 5


def test_nodes_added_later_are_not_possible_owners_of_existing_resources():
    c = lk.Cluster("LAB", edition="Datacenter")
    c.add_node("N1")
    c.add_group("G")
    c.add_resource("App", type="Generic Service", group="G")
    c.add_node("N2")
    assert c.resources["App"].possible_owners == ["N1"]
    c.online_group("G")
    c.run_until_stable()
    c.crash_node("N1")
    c.run_until_stable()
    assert c.groups["G"].owner is None and c.groups["G"].state is lk.GroupState.FAILED


def test_orphaned_group_comes_online_when_an_eligible_node_returns():
    c = lk.Cluster("LAB", edition="Datacenter")
    c.add_node("N1")
    c.add_group("G")
    c.add_resource("App", type="Generic Service", group="G")
    c.add_node("N2")
    c.online_group("G")
    c.run_until_stable()
    c.crash_node("N1")
    c.run_until_stable()
    c.start_node("N1")
    c.run_until_stable()
    assert c.groups["G"].owner == "N1" and c.groups["G"].state is lk.GroupState.ONLINE


def test_restart_node_moves_groups_then_rejoins(two):
    c = two
    c.restart_node("N1")
    c.run_until_stable()
    assert c.groups["G1"].owner == "N2" and c.groups["G1"].state is lk.GroupState.ONLINE
    assert c.nodes["N1"].state is lk.NodeState.UP
    assert any(e.what == "Joining -> Up" and e.obj == "N1" for e in c.log)


def test_stop_node_moves_groups_gracefully(two):
    c = two
    c.stop_node("N1")
    c.run_until_stable()
    assert c.nodes["N1"].state is lk.NodeState.DOWN
    assert c.groups["G1"].owner == "N2"
    # a graceful stop is announced: no heartbeat timeout
    assert not any(e.what == "removed from membership" and "missed" in e.why for e in c.log)


def _paused_owner_with_offline_share():
    c = build(2)
    c.offline_resource("Share G1"); c.run_until_stable()
    c.pause_node("N1")  # N1 owns G1; Disk, IP and Name stay online
    return c


def test_resources_of_a_paused_node_cannot_be_brought_online():
    # PauseClusterNode: a paused node's groups and resources can be taken offline, not brought online
    c = _paused_owner_with_offline_share()
    before = c.to_dict()
    with pytest.raises(lk.OwnershipError) as e:
        c.online_resource("Share G1")
    assert "PauseClusterNode" in str(e.value)
    assert c.to_dict() == before


def test_groups_of_a_paused_node_cannot_be_brought_online_there():
    c = _paused_owner_with_offline_share()
    before = c.to_dict()
    with pytest.raises(lk.OwnershipError):
        c.online_group("G1")
    assert c.to_dict() == before


def test_a_paused_node_stays_paused_across_a_restart(four):
    # PauseClusterNode: "a paused node that is rebooted continues to be paused when it comes back up"
    c = four
    c.pause_node("N2")
    c.restart_node("N2"); c.run_until_stable()
    assert c.nodes["N2"].state is lk.NodeState.PAUSED
    c.crash_node("N2"); c.run_until_stable(); c.start_node("N2"); c.run_until_stable()
    assert c.nodes["N2"].state is lk.NodeState.PAUSED
    c.resume_node("N2")
    assert c.nodes["N2"].state is lk.NodeState.UP and not c.nodes["N2"].paused


def test_the_one_invariant_checker_holds_a_node_and_a_resource_to_their_own_rules():
    """The rules the file loader checked alone before issue 15 now run after every campaign step."""
    from labkit.cluster.invariants import state_problems
    from labkit.values import render
    c = lk.Cluster("INV", ip="10.0.0.100"); c.add_node("N1", ip="10.0.0.1"); c.add_node("N2", ip="10.0.0.2")
    c.run_until_stable()
    assert state_problems(c) == []
    c.nodes["N2"].regroup_pending = True
    c.resources["Cluster Name"].persistent_fault = lk.FaultScope.NODE
    found = {(render(p), m) for p, m in state_problems(c)}
    assert ("nodes.N2.regroup_pending", "only a Down node waits for the regroup that removes it") in found
    assert ('resources["Cluster Name"].fault_node', "a lasting fault on one node names the node") in found
