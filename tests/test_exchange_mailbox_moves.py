"""Move Mailbox between Exchange 2000 stores of one cluster (Active Directory Users and
Computers, Exchange Tasks): the rules of ``e55.move_mailboxes``, one test each; every
refusal leaves the cluster as it was."""
import labkit as lk
from labkit import exchange as ex
from _exchange_support import refused

MBX1, MBX2 = "Mailbox Store (EXVS1)", "Mailbox Store (EXVS2)"


def _two_servers(mailboxes=300):
    """demo_cluster() plus EXVS2 online on 2-MOE; EXVS1 holds ``mailboxes``."""
    c = ex.demo_cluster()
    ex.create_virtual_server(c, "EXVS2", ip="132.192.1.21", disks=["Disk F:", "Disk M:"], node="2-MOE")
    c.online_group("EXVS2")
    c.run_until_stable()
    ex.add_mailboxes(c, "EXVS1", MBX1, mailboxes)
    return c


def test_mailboxes_move_between_virtual_servers_and_both_moves_are_logged():
    c = _two_servers()
    assert ex.move_mailboxes(c, "EXVS1", MBX1, "EXVS2", MBX2, 120) == 180
    assert ex.find_database(c, "EXVS2", MBX2)[1].mailboxes == 120
    assert ex.virtual_server(c, "EXVS1").mailboxes + ex.virtual_server(c, "EXVS2").mailboxes == 300
    out = [e for e in c.log.about("EXVS1") if e.what == "120 mailboxes moved out"]
    into = [e for e in c.log.about("EXVS2") if e.what == "120 mailboxes moved in"]
    assert len(out) == len(into) == 1 and out[0].node == "1-CURLY" and into[0].node == "2-MOE"


def test_another_store_of_the_same_virtual_server_is_a_target():
    c = _two_servers()
    ex.add_storage_group(c, "EXVS1", "SG2", log_disk="Disk L:")
    ex.add_database(c, "EXVS1", "SG2", "Sales", edb_disk="Disk E:")
    assert ex.move_mailboxes(c, "EXVS1", MBX1, "EXVS1", "Sales", 300) == 0
    assert ex.find_database(c, "EXVS1", "Sales")[1].mailboxes == 300


def test_move_mailbox_moves_to_another_store():
    c = _two_servers()
    e = refused(c, lk.ConfigurationError, ex.move_mailboxes, c, "EXVS1", MBX1, "EXVS1", MBX1, 10)
    assert e.rule == "Move Mailbox moves mailboxes to another store" and "Move Mailbox" in e.source


def test_mailboxes_live_in_mailbox_stores():
    c = _two_servers()
    e = refused(c, lk.ConfigurationError, ex.move_mailboxes, c, "EXVS1", MBX1, "EXVS1",
                "Public Folder Store (EXVS1)", 10)
    assert e.rule == "mailboxes live in mailbox stores"
    refused(c, lk.ConfigurationError, ex.move_mailboxes, c, "EXVS1", "Public Folder Store (EXVS1)", "EXVS2", MBX2, 1)


def test_move_mailbox_moves_mailboxes_that_exist():
    c = _two_servers()
    e = refused(c, lk.LimitError, ex.move_mailboxes, c, "EXVS1", MBX1, "EXVS2", MBX2, 301)
    assert e.rule == "Move Mailbox moves mailboxes that exist" and "holds 300 mailboxes, not 301" in str(e)


def test_mailboxes_are_counted():
    c = _two_servers()
    for bad in (0, -5, 2.5, True, "10", None):
        e = refused(c, lk.ValidationError, ex.move_mailboxes, c, "EXVS1", MBX1, "EXVS2", MBX2, bad)
        assert e.rule == "mailboxes are counted"


def test_commands_name_existing_virtual_servers_and_databases():
    c = _two_servers()
    refused(c, lk.NotFoundError, ex.move_mailboxes, c, "EXVS9", MBX1, "EXVS2", MBX2, 10)
    refused(c, lk.NotFoundError, ex.move_mailboxes, c, "EXVS1", MBX1, "EXVS2", "Sales", 10)
    refused(c, lk.NotFoundError, ex.move_mailboxes, c, "EXVS1", MBX2, "EXVS2", MBX2, 10)    # EXVS2's store


def test_move_mailbox_needs_exchange_full_administrator_rights():
    c = _two_servers()
    c.add_account("CORP\\HelpDesk")
    with c.acting_as("CORP\\HelpDesk"):
        e = refused(c, lk.AccessDeniedError, ex.move_mailboxes, c, "EXVS1", MBX1, "EXVS2", MBX2, 10)
    assert "Exchange Full Administrator" in str(e)
    c.add_account("CORP\\ExchAdmins", [ex.FULL_ADMIN])
    with c.acting_as("CORP\\ExchAdmins"):
        assert ex.move_mailboxes(c, "EXVS1", MBX1, "EXVS2", MBX2, 10) == 290


def test_move_mailbox_needs_both_stores_running():
    c = _two_servers()
    ex.add_mailboxes(c, "EXVS2", MBX2, 5)
    c.offline_group("EXVS2")                                         # the target's store is not mounted
    c.run_until_stable()
    e = refused(c, lk.StateError, ex.move_mailboxes, c, "EXVS1", MBX1, "EXVS2", MBX2, 10)
    assert e.rule == "Move Mailbox needs both stores running [D]" and "target" in str(e) and "Offline" in str(e)
    e = refused(c, lk.StateError, ex.move_mailboxes, c, "EXVS2", MBX2, "EXVS1", MBX1, 5)    # nor the source's
    assert "source" in str(e)
    c.online_group("EXVS2")                                          # starting: not mounted yet
    e = refused(c, lk.StateError, ex.move_mailboxes, c, "EXVS1", MBX1, "EXVS2", MBX2, 10)
    assert "not mounted" in str(e)
    c.run_until_stable()
    ex.move_storage_group_logs(c, "EXVS1", ex.FIRST_SG, "Disk L:")   # dismounted for an ESM move
    e = refused(c, lk.StateError, ex.move_mailboxes, c, "EXVS1", MBX1, "EXVS2", MBX2, 10)
    assert "dismounted for a move" in str(e) and "source" in str(e)
    c.run_until_stable()
    assert ex.move_mailboxes(c, "EXVS1", MBX1, "EXVS2", MBX2, 10) == 290


def test_a_refused_move_checked_first_changes_nothing():
    """check_mailbox_move raises what move_mailboxes would, and never changes the model."""
    c = _two_servers()
    refused(c, lk.LimitError, ex.check_mailbox_move, c, "EXVS1", MBX1, "EXVS2", MBX2, 301)
    before = c.to_dict()
    assert ex.check_mailbox_move(c, "EXVS1", MBX1, "EXVS2", MBX2, 300) is None and c.to_dict() == before
