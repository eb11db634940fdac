"""Storage groups, databases, mailboxes and the four-storage-groups-per-node limit
(paper, Figure 6, Table 8, Design Storage Before Configuring the Cluster; KB 314266)."""
import pytest

import labkit as lk
from labkit import exchange as ex
from _exchange_support import refused, two_evs_cluster

IS1 = "Exchange Information Store Instance - (EXVS1)"
IS2 = "Exchange Information Store Instance - (EXVS2)"


def test_add_storage_group_puts_its_logs_on_a_disk_of_the_virtual_server():
    c = ex.demo_cluster()
    ex.add_storage_group(c, "EXVS1", "SG2", log_disk="Disk L:")
    sg = ex.virtual_server(c, "EXVS1").storage_groups["SG2"]
    assert (sg.virtual_server, sg.log_disk, sg.log_path) == ("EXVS1", "Disk L:", "L:\\Exchsrvr\\SG2")


def test_files_only_on_disks_the_system_attendant_depends_on():
    c = ex.demo_cluster()
    c.add_resource("Disk S:", type="Physical Disk", group="EXVS1", drive="S:")   # in the group, not a dependency
    e = refused(c, lk.ConfigurationError, ex.add_storage_group, c, "EXVS1", "SG2", log_disk="Disk S:")
    assert "Adding the System Attendant" in e.source
    refused(c, lk.ConfigurationError, ex.add_database, c, "EXVS1", "First Storage Group", "DB", edb_disk="Disk S:")
    refused(c, lk.ConfigurationError, ex.add_database, c, "EXVS1", "First Storage Group", "DB", stm_disk="Disk S:")
    refused(c, lk.ValidationError, ex.add_storage_group, c, "EXVS1", "SG2", log_disk="EXVS1 IP Address")
    refused(c, lk.NotFoundError, ex.add_storage_group, c, "EXVS1", "SG2", log_disk="Disk Z:")


def test_a_disk_added_later_as_a_dependency_becomes_available():
    c = ex.demo_cluster()
    c.add_resource("Disk S:", type="Physical Disk", group="EXVS1", drive="S:")
    c.offline_group("EXVS1")
    c.run_until_stable()
    c.add_dependency(ex.virtual_server(c, "EXVS1").system_attendant, "Disk S:")
    ex.add_storage_group(c, "EXVS1", "SG2", log_disk="Disk S:")


def test_a_disk_of_another_virtual_server_is_refused_and_the_error_says_why():
    c = two_evs_cluster()
    e = refused(c, lk.ConfigurationError, ex.add_storage_group, c, "EXVS2", "SG3", log_disk="Disk L:")
    assert "same group" in str(e)


def test_at_most_five_databases_per_storage_group():
    c = ex.demo_cluster()
    ex.add_storage_group(c, "EXVS1", "SG2", log_disk="Disk L:")
    for i in range(5):
        ex.add_database(c, "EXVS1", "SG2", f"DB{i}", edb_disk="Disk E:")
    e = refused(c, lk.LimitError, ex.add_database, c, "EXVS1", "SG2", "DB5", edb_disk="Disk E:")
    assert "Table 8" in e.source


def test_at_most_four_storage_groups_per_virtual_server():
    c = ex.demo_cluster()
    c.offline_group("EXVS1")
    c.run_until_stable()
    for i in (2, 3, 4):
        ex.add_storage_group(c, "EXVS1", f"SG{i}", log_disk="Disk L:")
    refused(c, lk.LimitError, ex.add_storage_group, c, "EXVS1", "SG5", log_disk="Disk L:")


def test_a_storage_group_belongs_to_one_virtual_server():
    c = two_evs_cluster()
    e = refused(c, lk.NotFoundError, ex.add_database, c, "EXVS2", "SG3", "DB", edb_disk="Disk F:")
    assert "belongs to EXVS1" in str(e)
    # the same name in two servers is two storage groups (each server has its "First Storage Group")
    assert ex.virtual_server(c, "EXVS1").storage_groups["First Storage Group"] is not \
        ex.virtual_server(c, "EXVS2").storage_groups["First Storage Group"]


def test_storage_group_and_database_names_are_unique_in_a_virtual_server():
    c = ex.demo_cluster()
    refused(c, lk.NameConflictError, ex.add_storage_group, c, "EXVS1", "First Storage Group")
    ex.add_storage_group(c, "EXVS1", "SG2", log_disk="Disk L:")
    refused(c, lk.NameConflictError, ex.add_database, c, "EXVS1", "SG2", "Mailbox Store (EXVS1)")
    refused(c, lk.ValidationError, ex.add_storage_group, c, "EXVS1", "SG/3")
    refused(c, lk.ValidationError, ex.add_storage_group, c, "EXVS1", "")
    refused(c, lk.ValidationError, ex.add_database, c, "EXVS1", "SG2", "DB", kind="archive")


def test_a_second_public_store_is_refused():
    c = ex.demo_cluster()
    e = refused(c, lk.LimitError, ex.add_database, c, "EXVS1", "First Storage Group", "Public 2", kind="public")
    assert "one public store" in e.rule


def test_storage_changes_need_exchange_full_administrator_rights():
    c = ex.demo_cluster()
    c.add_account("LAB\\operator")
    with c.acting_as("LAB\\operator"):
        refused(c, lk.AccessDeniedError, ex.add_storage_group, c, "EXVS1", "SG2", log_disk="Disk L:")
        refused(c, lk.AccessDeniedError, ex.add_database, c, "EXVS1", "First Storage Group", "DB")


def test_add_mailboxes_counts_users_in_a_mailbox_store():
    c = ex.demo_cluster()
    assert ex.add_mailboxes(c, "EXVS1", "Mailbox Store (EXVS1)", 1000) == 1000
    assert ex.add_mailboxes(c, "EXVS1", "Mailbox Store (EXVS1)", 500) == 1500
    assert ex.virtual_server(c, "EXVS1").mailboxes == 1500


@pytest.mark.parametrize("database, count, exc", [
    ("Public Folder Store (EXVS1)", 10, lk.ConfigurationError),
    ("Mailbox Store (EXVS1)", 0, lk.ValidationError),
    ("Mailbox Store (EXVS1)", 2.5, lk.ValidationError),
    ("Mailbox Store (EXVS1)", True, lk.ValidationError),
    ("Nope", 10, lk.NotFoundError),
])
def test_add_mailboxes_refusals(database, count, exc):
    c = ex.demo_cluster()
    refused(c, exc, ex.add_mailboxes, c, "EXVS1", database, count)


def test_information_store_mount_time_grows_with_its_databases_and_mailboxes():
    c = ex.demo_cluster()
    t = c.resource_types["Microsoft Exchange Information Store"]
    r = c.resources[IS1]
    base = t.online_time_s(c, r, "1-CURLY")
    ex.add_database(c, "EXVS1", "First Storage Group", "DB2")
    more = t.online_time_s(c, r, "1-CURLY")
    ex.add_mailboxes(c, "EXVS1", "DB2", 20_000)
    assert base < more < t.online_time_s(c, r, "1-CURLY")
    assert more - base == t.mount_s_per_database


def test_a_store_that_mounts_longer_than_the_pending_timeout_fails():
    c = ex.demo_cluster()
    ex.add_mailboxes(c, "EXVS1", "Mailbox Store (EXVS1)", 200_000)     # 200 s to mount > 180 s
    c.move_group("EXVS1", "2-MOE")
    c.run_until_stable()
    assert any("PendingTimeout" in e.why for e in c.log.about(IS1))


def test_storage_groups_on_lists_what_each_node_mounts():
    c = two_evs_cluster()
    assert ex.storage_groups_on(c, "1-CURLY") == [("EXVS1", "First Storage Group"), ("EXVS1", "SG2"),
                                                  ("EXVS1", "SG3")]
    assert ex.storage_groups_on(c, "2-MOE") == [("EXVS2", "First Storage Group"), ("EXVS2", "SG2")]
    with pytest.raises(lk.NotFoundError):
        ex.storage_groups_on(c, "9-NOBODY")


def test_a_mounted_store_cannot_grow_past_four_storage_groups_on_its_node():
    c = ex.demo_cluster()
    ex.create_virtual_server(c, "EXVS2", ip="132.192.1.21", disks=["Disk F:"], node="1-CURLY")
    ex.add_storage_group(c, "EXVS2", "SG2", log_disk="Disk F:")
    c.online_group("EXVS2")
    c.run_until_stable()
    ex.add_storage_group(c, "EXVS1", "SG2", log_disk="Disk L:")        # 2 + 2 = 4 on 1-CURLY: allowed
    e = refused(c, lk.LimitError, ex.add_storage_group, c, "EXVS2", "SG3", log_disk="Disk F:")
    assert "KB 314266" in e.source and "5" in str(e)
    c.move_group("EXVS2", "2-MOE")
    c.run_until_stable()
    ex.add_storage_group(c, "EXVS2", "SG3", log_disk="Disk F:")        # fine on an empty node


# ---------------------------------------------------- the limit is physics, not paperwork
def _no_node_over_four(c):
    for n in c.node_ids():
        assert len(ex.storage_groups_on(c, n)) <= 4


def test_information_store_refuses_to_mount_a_fifth_storage_group_on_a_node():
    c = two_evs_cluster()
    c.move_group("EXVS2", "1-CURLY")            # 3 + 2 = 5 on 1-CURLY
    c.run_until_stable()
    fails = [e for e in c.log.about(IS2) if e.what == "Online Pending -> Failed"]
    assert fails and all("at most 4 storage groups per node" in e.why and "KB 314266" in e.why for e in fails)
    assert fails[0].node == "1-CURLY"
    # restarted in place RestartThreshold (3) times, then the group failed over back to 2-MOE
    assert len(fails) == 4
    assert c.groups["EXVS2"].owner == "2-MOE" and str(c.groups["EXVS2"].state) == "Online"
    assert ex.storage_groups_on(c, "2-MOE") == [("EXVS2", "First Storage Group"), ("EXVS2", "SG2")]
    _no_node_over_four(c)


def test_two_node_scenario_three_plus_two_storage_groups_on_one_node():
    """The issue's scenario: EXVS1 (3 storage groups) on 1-CURLY, EXVS2 (2) on 2-MOE; 2-MOE
    crashes and both virtual servers need 1-CURLY: EXVS2's store can never mount there."""
    c = two_evs_cluster()
    set_before = ex.storage_groups_on(c, "1-CURLY")
    c.crash_node("2-MOE")
    c.run_until_stable()
    assert c.groups["EXVS2"].owner == "1-CURLY"
    assert c.resources[IS2].state is not lk.ResourceState.ONLINE
    assert ex.storage_groups_on(c, "1-CURLY") == set_before           # EXVS1 unharmed
    assert str(c.groups["EXVS1"].state) == "Online"
    why = [e.why for e in c.log.about(IS2) if e.what == "Online Pending -> Failed"]
    assert why and "would make 5 on 1-CURLY (already mounted: EXVS1: 3)" in why[0]
    assert any(e.what == "restart threshold exceeded" for e in c.log.about(IS2))
    assert any(e.what.startswith("failing over") for e in c.log.about("EXVS2"))
    _no_node_over_four(c)


def test_two_node_scenario_ends_failed_after_the_failover_threshold():
    c = two_evs_cluster()
    c.crash_node("2-MOE")
    c.run_until_stable()
    assert str(c.groups["EXVS2"].state) == "Failed"
    assert any("FailoverThreshold exceeded" in e.why for e in c.log.about("EXVS2"))


def test_the_limit_is_a_named_setting():
    c = two_evs_cluster()
    ex.configure(c, max_storage_groups_per_node=8)      # a what-if: a later release without the limit
    c.move_group("EXVS2", "1-CURLY")
    c.run_until_stable()
    assert len(ex.storage_groups_on(c, "1-CURLY")) == 5


def test_same_calls_give_the_same_log():
    def run():
        c = two_evs_cluster()
        c.crash_node("2-MOE")
        c.run(minutes=30)
        return [str(e) for e in c.log]
    assert run() == run()


def test_storage_groups_never_share_a_log_folder():
    c = ex.demo_cluster()
    c.offline_group("EXVS1")
    c.run_until_stable()
    ex.create_virtual_server(c, "EXVS2", ip="132.192.1.21", disks=["Disk E:", "Disk L:"], group="EXVS1")
    ex.add_storage_group(c, "EXVS1", "SG2", log_disk="Disk L:")
    ex.add_storage_group(c, "EXVS2", "SG2", log_disk="Disk L:")
    paths = [sg.log_path for evs in ("EXVS1", "EXVS2")
             for sg in ex.virtual_server(c, evs).storage_groups.values()]
    assert len(paths) == len(set(paths)) == 4
    assert ex.virtual_server(c, "EXVS2").storage_groups["First Storage Group"].log_path == \
        "E:\\Exchsrvr\\EXVS2\\mdbdata"


def test_two_stores_starting_together_cannot_pass_the_limit():
    """A store reserves its storage groups when it starts to mount (the veto is asked at the
    start of the attempt): two stores that start at the same moment never make five."""
    import labkit as lk
    from labkit import exchange as ex
    c = lk.Cluster("RACE", ip="10.0.0.100", edition="Datacenter")
    for i in (1, 2, 3):
        c.add_node(f"N{i}", ip=f"10.0.0.{i}")
    c.run_until_stable()
    for n in ("N1", "N2", "N3"):
        ex.install(c, n); c.run_until_stable()
    for v, sgs in ((1, 2), (2, 2), (3, 1)):
        ex.create_virtual_server(c, f"EXVS{v}", ip=f"10.0.1.{v}", disks=[f"Disk V{v}"], node="N3" if v == 3 else "N1")
        for k in range(2, sgs + 1):
            ex.add_storage_group(c, f"EXVS{v}", f"SG{k}")
    for v in (1, 2, 3):
        c.online_group(f"EXVS{v}")        # 2 + 2 + 1 = 5 would start on N1 and N3... move EXVS3 too
    c.run_until_stable()
    c.move_group("EXVS3", "N1")
    while not c.is_stable():
        c.run(seconds=1)
        assert sum(1 for _ in ex.storage_groups_on(c, "N1")) <= 4
    assert str(c.groups["EXVS3"].state) != "Online" or c.groups["EXVS3"].owner != "N1"
