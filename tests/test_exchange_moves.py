"""Exchange System Manager moves: transaction logs and database files go to the arrays the
design gives them after the virtual server is created (paper, Design Storage Before
Configuring the Cluster; Creating Exchange 2000 Virtual Servers). While the store is
mounted, the affected databases are dismounted for the move and mounted again."""
import pytest

import labkit as lk
from labkit import exchange as ex
from _exchange_support import refused, two_evs_cluster

SG = ex.FIRST_SG
MBX = "Mailbox Store (EXVS1)"
PUB = "Public Folder Store (EXVS1)"


def _users(mapi=1000):
    c = ex.demo_cluster()                        # EXVS1 online on 1-CURLY, disks E: (data) and L:
    ex.add_mailboxes(c, "EXVS1", MBX, mapi)
    return c


def _offline(c, g="EXVS1"):
    c.offline_group(g)
    c.run_until_stable()


# ------------------------------------------------------------------------ the disks
def test_moves_go_only_to_disks_the_system_attendant_depends_on():
    c = _users()
    c.add_resource("Disk S:", type="Physical Disk", group="EXVS1", drive="S:")   # in the group, not a dependency
    e = refused(c, lk.ConfigurationError, ex.move_storage_group_logs, c, "EXVS1", SG, "Disk S:")
    assert "System Attendant" in e.rule and "Adding the System Attendant" in e.source
    refused(c, lk.ConfigurationError, ex.move_database, c, "EXVS1", SG, MBX, edb_disk="Disk S:")
    refused(c, lk.ConfigurationError, ex.move_database, c, "EXVS1", SG, MBX, stm_disk="Disk S:")
    refused(c, lk.ValidationError, ex.move_storage_group_logs, c, "EXVS1", SG, "EXVS1 IP Address")
    refused(c, lk.NotFoundError, ex.move_database, c, "EXVS1", SG, MBX, edb_disk="Disk Z:")


def test_a_disk_of_another_virtual_server_is_refused_and_the_error_says_why():
    c = two_evs_cluster()
    e = refused(c, lk.ConfigurationError, ex.move_storage_group_logs, c, "EXVS2", SG, "Disk L:")
    assert "same group" in str(e)


# ---------------------------------------------------------------- the store mounted
def test_moving_logs_while_mounted_dismounts_every_database_of_the_storage_group_briefly():
    c = _users()
    is1 = ex.virtual_server(c, "EXVS1").information_store
    t0 = c.now
    m = ex.move_storage_group_logs(c, "EXVS1", SG, "Disk L:")
    assert m.dismounted and m.databases == (MBX, PUB) and m.mailboxes == 1000
    assert m.seconds == ex.configure(c).store_move_s
    assert ex.is_dismounted(c, "EXVS1", MBX) and ex.is_dismounted(c, "EXVS1", PUB)
    assert c.resources[is1].state is lk.ResourceState.ONLINE            # the store keeps running
    assert not c.is_stable()                                             # the remount is pending work
    c.run(seconds=5)
    (s,) = ex.impact(c, "EXVS1", since=t0).stores
    assert s.seconds == 5 and s.interruption == (t0, None)               # still dismounted
    c.run_until_stable()
    assert not ex.is_dismounted(c, "EXVS1", MBX)
    whats = [(e.what, e.node) for e in c.log.about("EXVS1")][-3:]
    assert whats == [(f"transaction logs of {SG!r} moved", "1-CURLY"), (f"databases of {SG!r} dismounted", "1-CURLY"),
                     (f"databases of {SG!r} mounted", "1-CURLY")]
    r = ex.impact(c, "EXVS1", since=t0)
    assert r.protocol("MAPI").seconds == 0 and r.group_outage_seconds == 0  # no resource left Online
    assert r.users_affected == 1000 and r.seconds == m.seconds
    (s,) = r.stores
    assert (s.storage_group, s.users, s.seconds) == (SG, 1000, m.seconds) and s.interruption[1] is not None
    assert "dismounted 15 s (1,000 users)" in str(r)


def test_moving_a_database_while_mounted_dismounts_only_that_database_for_its_copy_time():
    c = _users()
    ex.add_database(c, "EXVS1", SG, "Sales")
    ex.add_mailboxes(c, "EXVS1", "Sales", 500)
    ex.set_clients(c, "EXVS1", pop3=300)                # spread over the databases by mailboxes
    t0 = c.now
    s = ex.configure(c)
    m = ex.move_database(c, "EXVS1", SG, "Sales", edb_disk="Disk L:", stm_disk="Disk L:")
    assert m.databases == ("Sales",) and m.dismounted
    assert m.seconds == s.store_move_s + 500 * s.mailbox_mb / s.store_copy_mb_s
    assert ex.is_dismounted(c, "EXVS1", "Sales") and not ex.is_dismounted(c, "EXVS1", MBX)
    c.run_until_stable()
    r = ex.impact(c, "EXVS1", since=t0)
    assert dict(r.store_users) == {"MAPI": 500, "POP3": 100, "IMAP4": 0, "HTTP": 0}
    assert r.users_affected == 600 and r.stores[0].users == 600
    half = ex.move_database(c, "EXVS1", SG, "Sales", stm_disk="Disk E:")   # only the .STM: half the copy
    assert half.seconds == s.store_move_s + 500 * s.mailbox_mb * 0.5 / s.store_copy_mb_s


def test_moved_files_keep_their_folder_and_name_on_the_new_drive():
    c = _users()
    ex.move_storage_group_logs(c, "EXVS1", SG, "Disk L:")
    c.run_until_stable()
    ex.move_database(c, "EXVS1", SG, MBX, stm_disk="Disk L:")
    c.run_until_stable()
    sg = ex.virtual_server(c, "EXVS1").storage_groups[SG]
    db = sg.databases[MBX]
    assert (sg.log_disk, sg.log_path) == ("Disk L:", "L:\\Exchsrvr\\mdbdata")
    assert (db.edb_disk, db.edb_file) == ("Disk E:", "E:\\Exchsrvr\\mdbdata\\priv1.edb")
    assert (db.stm_disk, db.stm_file) == ("Disk L:", "L:\\Exchsrvr\\mdbdata\\priv1.stm")
    row = next(r for r in ex.layout(c, "EXVS1") if r["database"] == MBX)
    assert (row["log_disk"], row["edb_disk"], row["stm_disk"]) == ("Disk L:", "Disk E:", "Disk L:")


def test_storage_groups_never_share_a_log_folder_after_a_move():
    c = ex.demo_cluster()
    _offline(c)
    ex.create_virtual_server(c, "EXVS2", ip="132.192.1.21", disks=["Disk L:", "Disk E:"], group="EXVS1")
    ex.move_storage_group_logs(c, "EXVS1", SG, "Disk L:")      # L:\Exchsrvr\mdbdata is EXVS2's
    paths = [ex.virtual_server(c, v).storage_groups[SG].log_path for v in ("EXVS1", "EXVS2")]
    assert paths == ["L:\\Exchsrvr\\EXVS1\\mdbdata", "L:\\Exchsrvr\\mdbdata"]


def test_a_database_file_never_lands_on_another_databases_file():
    c = ex.demo_cluster()
    _offline(c)
    # EXVS2 shares the group, with L: as its data location: its priv1.edb is L:\Exchsrvr\mdbdata\priv1.edb
    ex.create_virtual_server(c, "EXVS2", ip="132.192.1.21", disks=["Disk L:", "Disk E:"], group="EXVS1")
    e = refused(c, lk.NameConflictError, ex.move_database, c, "EXVS1", SG, MBX, edb_disk="Disk L:")
    assert "L:\\Exchsrvr\\mdbdata\\priv1.edb" in str(e) and e.rule == "each database has files of its own"


# ------------------------------------------------------------ the store not mounted
def test_moving_while_the_store_is_not_mounted_dismounts_nothing():
    c = _users()
    _offline(c)
    n = len(c.log)
    m = ex.move_storage_group_logs(c, "EXVS1", SG, "Disk L:")
    assert not m.dismounted and m.seconds == 0 and c.is_stable()
    assert [e.what for e in c.log.since(n)] == [f"transaction logs of {SG!r} moved"]
    assert ex.virtual_server(c, "EXVS1").dismounts == []
    c.online_group("EXVS1")
    c.run_until_stable()
    assert ex.storage_groups_on(c, "1-CURLY") == [("EXVS1", SG)]


def test_no_move_while_the_store_is_starting_or_stopping():
    c = _users()
    c.offline_group("EXVS1")                                  # the group is Pending at once
    e = refused(c, lk.StateError, ex.move_storage_group_logs, c, "EXVS1", SG, "Disk L:")
    assert "starting or stopping" in e.rule
    c.run_until_stable()
    c.online_group("EXVS1")
    c.run(seconds=20)
    assert c.resources[ex.virtual_server(c, "EXVS1").information_store].state is lk.ResourceState.ONLINE_PENDING
    refused(c, lk.StateError, ex.move_database, c, "EXVS1", SG, MBX, edb_disk="Disk L:")
    c.run_until_stable()
    c.move_group("EXVS1", "2-MOE")
    refused(c, lk.StateError, ex.move_database, c, "EXVS1", SG, MBX, edb_disk="Disk L:")


def test_one_move_at_a_time_per_storage_group():
    c = _users()
    ex.move_storage_group_logs(c, "EXVS1", SG, "Disk L:")
    e = refused(c, lk.StateError, ex.move_database, c, "EXVS1", SG, MBX, edb_disk="Disk L:")
    assert e.rule.startswith("one Exchange System Manager move at a time")
    c.run_until_stable()
    assert ex.move_database(c, "EXVS1", SG, MBX, edb_disk="Disk L:").dismounted


def test_the_store_going_offline_during_a_move_is_logged_at_the_remount():
    c = _users()
    ex.move_storage_group_logs(c, "EXVS1", SG, "Disk L:")
    c.offline_resource(ex.virtual_server(c, "EXVS1").information_store)
    c.run_until_stable()
    assert any(e.what == f"move of {SG!r} complete" and "mount when it comes online" in e.why
               for e in c.log.about("EXVS1"))


# ------------------------------------------------------------------------- the rest
def test_moves_need_exchange_full_administrator_rights():
    c = _users()
    c.add_account("LAB\\operator")
    with c.acting_as("LAB\\operator"):
        e = refused(c, lk.AccessDeniedError, ex.move_storage_group_logs, c, "EXVS1", SG, "Disk L:")
        refused(c, lk.AccessDeniedError, ex.move_database, c, "EXVS1", SG, MBX, edb_disk="Disk L:")
    assert "Exchange Full Administrator" in e.rule


def test_a_database_move_names_a_disk_and_a_database_of_the_storage_group():
    c = _users()
    ex.add_storage_group(c, "EXVS1", "SG2", log_disk="Disk L:")
    e = refused(c, lk.ValidationError, ex.move_database, c, "EXVS1", SG, MBX)
    assert "a move names where the files go" == e.rule
    e = refused(c, lk.NotFoundError, ex.move_database, c, "EXVS1", "SG2", MBX, edb_disk="Disk L:")
    assert "it is in storage group 'First Storage Group'" in str(e)
    refused(c, lk.NotFoundError, ex.move_storage_group_logs, c, "EXVS1", "SG9", "Disk L:")
    refused(c, lk.NotFoundError, ex.move_storage_group_logs, c, "EXVS9", SG, "Disk L:")


def test_a_move_to_where_the_files_already_are_changes_nothing():
    c = _users()
    before = c.to_dict()
    assert ex.move_storage_group_logs(c, "EXVS1", SG, "Disk E:").files == ()
    assert ex.move_database(c, "EXVS1", SG, MBX, edb_disk="Disk E:", stm_disk="Disk E:").files == ()
    assert c.to_dict() == before


def test_a_move_is_all_or_nothing_and_replays_the_same():
    def run():
        c = _users()
        ex.move_storage_group_logs(c, "EXVS1", SG, "Disk L:")
        c.run(minutes=1)
        ex.move_database(c, "EXVS1", SG, MBX, edb_disk="Disk L:")
        c.run_until_stable()
        return c.to_dict()
    assert run() == run()


@pytest.mark.parametrize("setting", ["store_move_s", "store_copy_mb_s", "mailbox_mb"])
def test_move_times_are_named_settings(setting):
    c = _users()
    ex.configure(c, **{setting: 100})
    assert getattr(ex.configure(c), setting) == 100
    refused(c, lk.ValidationError, ex.configure, c, **{setting: 0})
