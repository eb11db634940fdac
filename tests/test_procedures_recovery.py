"""The paper's restore scenarios (Cluster Back Up and Restore Scenarios)."""
import pytest

import labkit as lk
from labkit import exchange as ex
from labkit import procedures as pr
from _procedures_support import reference_cluster, refused, step_refused

S1_JOIN = "install the cluster service and join"


def _crashed(node="1-CURLY"):
    """The reference cluster with a System State backup of every node (what Scenario 1
    restores), then ``node`` crashed."""
    c = reference_cluster()
    for n in c.node_ids():
        pr.take_system_state_backup(c, n)
    c.crash_node(node)
    c.run_until_stable()
    return c


# ---------------------------------------------------------------- Scenario 1
def test_scenario1_runs_green_on_the_reference_cluster():
    c = _crashed()
    p = pr.single_node_failure(c, "1-CURLY", "5-SHEMP", "132.192.1.50")
    report = p.run()
    assert report.complete
    assert "EXVS1 -> " in report.step("verify the failed node's groups moved").note
    assert "1-CURLY" not in c.nodes and "1-CURLY" in c.evicted
    assert all("5-SHEMP" in r.possible_owners for r in c.resources.values())
    assert c.groups["EXVS1"].owner == "5-SHEMP" and str(c.groups["EXVS1"].state) == "Online"
    [i] = report.interruptions
    assert i.group == "EXVS1" and i.users == 1250 and 0 < i.seconds <= report.step(
        "move an Exchange group to the new node").seconds
    assert report.step("build the replacement node under a new name").seconds == 90 * 60


def test_scenario1_the_old_machine_name_is_refused_where_it_is_chosen():
    c = _crashed()
    p = pr.single_node_failure(c, "1-CURLY", "1-curly", "132.192.1.50")
    p.next()
    e = step_refused(p, lk.NameConflictError)
    assert e.step == "build the replacement node under a new name" and e.step_index == 2
    assert e.rule == "a rebuilt node gets a new name" and "Scenario 1" in e.source
    assert "failed node's name" in str(e)
    assert e.report.done == ["verify the failed node's groups moved"]        # done stays done, like a real cluster
    p.params["new_name"] = "5-SHEMP"
    assert p.run().complete


def test_scenario1_the_name_of_a_node_evicted_earlier_is_refused_at_step_2():
    c = _crashed("2-MOE")
    assert pr.single_node_failure(c, "2-MOE", "5-SHEMP", "132.192.1.50").run().complete
    c.crash_node("1-CURLY")
    c.run_until_stable()
    p = pr.single_node_failure(c, "1-CURLY", "2-MOE", "132.192.1.60")
    p.next()
    e = step_refused(p, lk.NameConflictError)
    assert e.rule == "a rebuilt node gets a new name" and "was evicted" in str(e)


def test_scenario1_a_name_in_use_is_refused_at_step_2():
    c = _crashed()
    for name in ("3-LARRY", "EXVS2", "FOUR-STOOGES"):
        p = pr.single_node_failure(c, "1-CURLY", name, "132.192.1.50")
        p.next()
        e = step_refused(p, lk.NameConflictError)
        assert e.rule == "node, cluster and virtual server names are unique" and e.step_index == 2


def test_scenario1_an_address_in_use_is_refused_at_step_2_but_the_failed_nodes_own_may_be_reused():
    c = _crashed()
    p = pr.single_node_failure(c, "1-CURLY", "5-SHEMP", "132.192.1.21")          # EXVS2's address
    p.next()
    e = step_refused(p, lk.NameConflictError)
    assert e.rule == "every cluster, node and service address is unique" and e.step_index == 2
    p.params["new_ip"] = "132.192.1.10"                                            # 1-CURLY's own
    assert p.run().complete and c.nodes["5-SHEMP"].ip == "132.192.1.10"


def test_scenario1_the_core_still_refuses_the_old_name_at_the_join():
    """A name changed after step 2 is checked again when the node joins (notebook 09)."""
    c = _crashed()
    p = pr.single_node_failure(c, "1-CURLY", "5-SHEMP", "132.192.1.50")
    p.run(until="evict the failed node")
    p.params["new_name"] = "1-CURLY"
    e = step_refused(p, lk.NameConflictError)
    assert e.step == S1_JOIN and e.rule == "a rebuilt node gets a new name" and "was evicted" in str(e)
    p.params["new_name"] = "6-HARPO"                                  # not the machine step 2 built
    e = step_refused(p, lk.ConfigurationError)
    assert e.rule == "the rebuilt node joins under the machine name it was built with [D]"
    p.params["new_name"] = "5-shemp"
    assert p.run().complete


def test_scenario1_starts_from_a_failed_node():
    c = reference_cluster()
    e = step_refused(pr.single_node_failure(c, "1-CURLY", "5-SHEMP"), lk.StateError)
    assert e.rule == "rebuild a node only after it failed"
    e = step_refused(pr.single_node_failure(c, "9-NOBODY", "5-SHEMP"), lk.NotFoundError)
    assert "9-NOBODY" in str(e)


def test_scenario1_waits_for_the_regroup():
    c = reference_cluster()
    c.crash_node("2-MOE")                       # not yet noticed: no run of the clock
    e = step_refused(pr.single_node_failure(c, "2-MOE", "5-SHEMP"), lk.StateError)
    assert e.rule == "verify the groups moved before rebuilding"


def test_scenario1_groups_that_did_not_move_stop_the_procedure():
    c = reference_cluster()
    for r in c.groups["EXVS2"].resources:
        c.set_possible_owners(r, ["2-MOE"])
    c.crash_node("2-MOE")
    c.run_until_stable()
    e = step_refused(pr.single_node_failure(c, "2-MOE", "5-SHEMP"), lk.ProcedureError)
    assert e.rule == "verify every group moved to another node before rebuilding" and "EXVS2" in str(e)


def test_scenario1_a_wrong_new_name_stops_the_step_that_uses_it():
    c = _crashed()
    p = pr.single_node_failure(c, "1-CURLY", "A-NAME-MUCH-TOO-LONG")
    p.next()
    e = step_refused(p, lk.ValidationError)
    assert e.step == "build the replacement node under a new name" and "15" in e.rule


def test_scenario1_the_new_node_must_be_added_as_possible_owner():
    c = _crashed()
    p = pr.single_node_failure(c, "1-CURLY", "5-SHEMP", "132.192.1.50")
    p.run(until="install Exchange 2000 on the new node")
    e = step_refused(p, step="move an Exchange group to the new node")          # skipped possible owners
    assert "step 7 'add the new node as possible owner of every resource' has not been done" in str(e)
    with pytest.raises(lk.ProcedureError, match="may not be skipped"):
        p.skip("add the new node as possible owner of every resource", "the wizard did it")
    refused(c, lk.OwnershipError, c.move_group, "EXVS1", "5-SHEMP")            # and the cluster agrees
    assert p.run().complete


def test_scenario1_replays_to_any_step_on_a_copy():
    c = _crashed()
    p = pr.single_node_failure(c, "1-CURLY", "5-SHEMP", "132.192.1.50")
    q = p.replay(until=S1_JOIN)
    assert "5-SHEMP" in q.cluster.nodes and "5-SHEMP" not in c.nodes and p.position == 0
    assert q.run().complete


# ---------------------------------------------------------------- Scenario 2
def _quorum_lost(backup=True):
    c = reference_cluster()
    if backup:
        pr.take_system_state_backup(c, "1-CURLY")
    c.inject_fault("Disk Q:", persistent=True, everywhere=True)
    c.run_until_stable()
    return c


def test_scenario2_runs_green_on_the_reference_cluster():
    c = _quorum_lost()
    assert not c.running
    report = pr.quorum_disk_failure(c).run()
    assert report.complete and c.running and all(str(c.nodes[n].state) == "Up" for n in c.nodes)
    assert {g: c.groups[g].owner for g in ex.virtual_servers(c)} == {
        "EXVS1": "1-CURLY", "EXVS2": "2-MOE", "EXVS3": "3-LARRY", "EXVS4": "4-JERRY"}
    assert pr.state(c).disks["Disk Q:"].signature == report.step("replace the quorum disk").note.split()[-1]
    exvs = [i for i in report.interruptions if i.group.startswith("EXVS")]
    assert len(exvs) == 4 and all(i.users == 1250 and i.seconds > 3600 for i in exvs)


def test_scenario2_is_for_a_cluster_that_cannot_start():
    c = reference_cluster()
    e = step_refused(pr.quorum_disk_failure(c), lk.StateError)
    assert e.rule == "Scenario 2 starts when the cluster service fails on a corrupt quorum disk"


def test_scenario2_needs_a_system_state_backup():
    c = _quorum_lost(backup=False)
    p = pr.quorum_disk_failure(c)
    p.run(until="write the old disk signature on the new disk")
    e = step_refused(p, lk.ProcedureError)
    assert e.rule == "the quorum data is restored from a System State backup" and "KB 248998" in e.source


def test_scenario2_the_old_signature_must_be_written_back():
    c = _quorum_lost()
    p = pr.quorum_disk_failure(c)
    p.run(until="replace the quorum disk")
    with pytest.raises(lk.ProcedureError, match="may not be skipped"):
        p.skip("write the old disk signature on the new disk", "looks fine")
    e = step_refused(p, step="restore the cluster database from System State")
    assert e.rule.startswith("the steps of a procedure run in order")
    p.next()
    pr.write_signature(c, "Disk Q:", "DEADBEEF")          # someone writes the wrong signature by hand
    e = step_refused(p, lk.ConfigurationError)
    assert e.rule == "the cluster finds its disks by signature" and "KB 280425" in e.source


def test_scenario2_can_skip_the_rebalance():
    c = _quorum_lost()
    p = pr.quorum_disk_failure(c)
    p.run(until="start the cluster service on the other nodes")
    p.skip("move the groups back to their preferred nodes", "after hours")
    assert p.run().complete
    assert {c.groups[g].owner for g in ex.virtual_servers(c)} == {"1-CURLY"}


# ---------------------------------------------------------------- Scenario 3
def _backed_up_and_lost():
    c = reference_cluster()
    for evs in ex.virtual_servers(c):
        pr.add_backup_job(c, f"nightly {evs}", evs, bound_to="name")
    pr.take_system_state_backup(c, "1-CURLY")
    c.run(hours=20)
    ex.add_mailboxes(c, "EXVS2", "Mailbox Store (EXVS2)", 10)       # after the backup: lost
    record = pr.record_configuration(c)
    c.inject_fault("Disk Q:", persistent=True, everywhere=True)
    c.run_until_stable()
    return c, record


def test_scenario3_runs_green_and_recreates_everything_with_the_same_names():
    old, record = _backed_up_and_lost()
    p = pr.complete_cluster_failure(old, record=record)
    report = p.run()
    new = p.cluster
    assert report.complete and new is not old and new.name == old.name
    assert set(new.resources) == set(old.resources)
    assert {g: new.groups[g].owner for g in ex.virtual_servers(new)} == {
        "EXVS1": "1-CURLY", "EXVS2": "2-MOE", "EXVS3": "3-LARRY", "EXVS4": "4-JERRY"}
    assert all(str(new.groups[g].state) == "Online" for g in ex.virtual_servers(new))
    assert ex.virtual_server(new, "EXVS2").mailboxes == 1250            # as in the backup, not 1260
    rows = report.table("restores")
    assert [r["from"] for r in rows] == ["EXVS1", "EXVS2", "EXVS3", "EXVS4"]
    assert new.clock.ms > old.clock.ms and len(report.interruptions) == 4


def test_scenario3_restores_each_virtual_server_from_its_own_backup():
    old, record = _backed_up_and_lost()
    sets = [b for b in pr.backup_sets(old) if b.source != "EXVS3"]
    p = pr.complete_cluster_failure(old, record=record, backups=sets)
    p.run(until="restore the databases of EXVS2")
    e = step_refused(p, lk.ProcedureError)
    assert e.step == "restore the databases of EXVS3"
    assert e.rule == "every virtual server's databases are restored from its own backup"
    c = p.cluster
    wrong = pr.backup_sets(old, source="EXVS4")[-1]
    e2 = refused(c, lk.ConfigurationError, pr.restore_databases, c, "EXVS3", wrong)
    assert "taken from EXVS4" in str(e2)


def test_scenario3_is_for_a_lost_cluster():
    c = reference_cluster()
    e = step_refused(pr.complete_cluster_failure(c), lk.StateError)
    assert e.rule == "Scenario 3 starts when the whole cluster is lost"
    with pytest.raises(lk.ProcedureError, match="before step 1"):
        pr.complete_cluster_failure("FOUR-STOOGES")


def test_databases_are_restored_into_dismounted_stores():
    c = reference_cluster()
    pr.add_backup_job(c, "n1", "EXVS1", bound_to="name")
    c.run(hours=16)
    b = pr.backup_sets(c, source="EXVS1")[-1]
    e = refused(c, lk.StateError, pr.restore_databases, c, "EXVS1", b)
    assert e.rule == "restore databases while the store is offline [D]"
    ss = pr.take_system_state_backup(c, "2-MOE")
    c.offline_group("EXVS1")
    c.run_until_stable()
    refused(c, lk.ValidationError, pr.restore_databases, c, "EXVS1", ss)
    assert pr.restore_databases(c, "EXVS1", b) > 0


def test_the_configuration_record_lists_what_recreation_needs():
    r = pr.record_configuration(reference_cluster())
    assert [n for n, _ in r.nodes] == ["1-CURLY", "2-MOE", "3-LARRY", "4-JERRY"]
    v = r.virtual_servers[1]
    assert (v.name, v.ip, v.preferred_owners, v.data_disk) == ("EXVS2", "132.192.1.21", ["2-MOE"], "Disk F:")
    assert v.storage_groups[0]["databases"][0]["mailboxes"] == 1250


def test_a_recreated_virtual_server_gets_its_recorded_file_locations_back():
    from labkit import scenarios as sc
    c = sc.four_node_5000()                       # logs moved off the data location with Exchange System Manager
    rec = next(v for v in pr.record_configuration(c).virtual_servers if v.name == "EXVS3")
    before = [{**r, "mailboxes": 0} for r in ex.layout(c, "EXVS3")]    # mailboxes come back from the backup
    c.offline_group("EXVS3")
    c.run_until_stable()
    ex.remove_virtual_server(c, "EXVS3", delete_group=True)
    pr.recreate_virtual_server(c, rec)
    assert ex.layout(c, "EXVS3") == before and before[0]["log_disk"] == "VS3-SG1 LOG Device"
