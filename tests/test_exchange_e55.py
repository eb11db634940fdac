"""Exchange 5.5 mode, for comparison (paper, Clustering Support for Exchange 5.5)."""
import labkit as lk
from labkit import exchange as ex
from labkit.exchange import e55
from _exchange_support import refused, two_nodes


def _e55():
    c = two_nodes()
    e55.create_virtual_server(c, "EX55", ip="132.192.1.11", disk="Disk E:")
    return c


def test_exchange55_runs_its_four_services_as_generic_service_resources():
    c = _e55()
    vs = e55.server(c)
    assert list(vs.resources) == ["System Attendant", "Directory", "Information Store", "MTA"]
    services = {c.resources[r].properties["service_name"] for r in vs.resources.values()}
    assert services == {"MSExchangeSA", "MSExchangeDS", "MSExchangeIS", "MSExchangeMTA"}
    assert all(c.resources[r].type == "Generic Service" for r in vs.resources.values())
    assert c.resources[vs.resources["System Attendant"]].dependencies == ["EX55 Network Name", "Disk E:"]


def test_exchange55_binaries_sit_on_the_shared_disk():
    vs = e55.server(_e55())
    assert vs.binaries == "E:\\EXCHSRVR\\BIN" and vs.data_path.startswith("E:")


def test_exchange55_is_active_passive_one_virtual_server_per_cluster():
    c = _e55()
    refused(c, lk.LimitError, e55.create_virtual_server, c, "EX55B", ip="132.192.1.21", disk="Disk F:")


def test_exchange55_fails_over_as_one_unit():
    c = _e55()
    c.online_group("EX55")
    c.run_until_stable()
    t0 = c.now
    e55.add_mailboxes(c, 500)
    c.crash_node("1-CURLY")
    c.run_until_stable()
    assert c.groups["EX55"].owner == "2-MOE" and str(c.groups["EX55"].state) == "Online"
    r = ex.impact(c, "EX55", since=t0)
    assert r.users_affected == 500 and r.seconds > 7.2          # heartbeat detection, then the services


def test_exchange55_and_2000_do_not_share_a_cluster():
    c = _e55()
    refused(c, lk.ConfigurationError, ex.install, c, "1-CURLY")
    c2 = ex.demo_cluster()
    refused(c2, lk.ConfigurationError, e55.create_virtual_server, c2, "EX55", ip="132.192.1.31", disk="Disk G:")


def test_exchange55_refusals_change_nothing():
    c = two_nodes()
    refused(c, lk.ValidationError, e55.create_virtual_server, c, "EX55", ip="132.192.1.11", disk="")
    refused(c, lk.ConfigurationError, e55.create_virtual_server, c, "EX55", ip="132.192.1.11", disk="Disk Q:")
    refused(c, lk.NotFoundError, e55.add_mailboxes, c, 10)
    refused(c, lk.NotFoundError, e55.remove_virtual_server, c)
    c = _e55()
    refused(c, lk.ValidationError, e55.add_mailboxes, c, 0)


def test_removing_exchange55_needs_the_group_offline_and_keeps_the_data():
    c = _e55()
    c.online_group("EX55")
    c.run_until_stable()
    refused(c, lk.StateError, e55.remove_virtual_server, c)
    c.offline_group("EX55")
    c.run_until_stable()
    gone = e55.remove_virtual_server(c)
    assert len(gone) == 4 and e55.server(c) is None and "Disk E:" in c.resources
    ex.install(c, "1-CURLY")                       # now Exchange 2000 may be installed


def test_exchange55_on_a_node():
    c = two_nodes()
    e55.create_virtual_server(c, "EX55", ip="132.192.1.11", node="2-MOE")
    assert c.groups["EX55"].owner == "2-MOE"


def test_comparison_table_covers_the_differences():
    aspects = [row["aspect"] for row in e55.COMPARISON]
    assert {"failover mode", "binaries", "virtual servers", "resource DLL"} <= set(aspects)
    assert all(row["source"].startswith("paper") for row in e55.COMPARISON)


# ------------------------------------------------------------ taking mailboxes out
MBX = "Mailbox Store (EXVS1)"


def _beside(mailboxes=1000):
    """An Exchange 5.5 cluster (online, with mailboxes) and an Exchange 2000 cluster beside it."""
    old = lk.Cluster("OLDEX", ip="132.192.2.100")
    old.add_node("A55", ip="132.192.2.1")
    old.run_until_stable()
    e55.create_virtual_server(old, "EX55", ip="132.192.2.11", disk="Disk E:")
    e55.add_mailboxes(old, mailboxes)
    old.online_group("EX55")
    old.run_until_stable()
    return old, ex.demo_cluster()


def _both_refused(old, new, exc, *args):
    before = (old.to_dict(), new.to_dict())
    e = refused(new, exc, e55.move_mailboxes, old, new, *args)
    assert (old.to_dict(), new.to_dict()) == before
    return e


def test_move_mailboxes_takes_them_out_of_exchange55_into_an_exchange2000_store():
    old, new = _beside()
    assert e55.move_mailboxes(old, new, "EXVS1", MBX, 400) == 600
    assert e55.server(old).mailboxes == 600 and ex.virtual_server(new, "EXVS1").mailboxes == 400
    assert [e.what for e in old.log.about("EX55")][-1] == "400 mailboxes moved out"
    assert [e.what for e in new.log.about("EXVS1")][-1] == "400 mailboxes moved in"
    assert e55.move_mailboxes(old, new, "EXVS1", MBX, 600) == 0


def test_move_mailboxes_moves_only_mailboxes_that_exist():
    old, new = _beside(100)
    e = _both_refused(old, new, lk.LimitError, "EXVS1", MBX, 101)
    assert "Mailbox Relocation" in e.source
    _both_refused(old, new, lk.ValidationError, "EXVS1", MBX, 0)
    _both_refused(old, new, lk.ValidationError, "EXVS1", MBX, True)


def test_move_mailboxes_needs_both_stores_running():
    old, new = _beside()
    old.offline_group("EX55")
    old.run_until_stable()
    e = _both_refused(old, new, lk.StateError, "EXVS1", MBX, 10)
    assert e.rule == "Move Mailbox needs both stores running [D]"
    old.online_group("EX55")
    old.run_until_stable()
    new.offline_group("EXVS1")
    new.run_until_stable()
    _both_refused(old, new, lk.StateError, "EXVS1", MBX, 10)
    new.online_group("EXVS1")
    new.run_until_stable()
    ex.move_database(new, "EXVS1", ex.FIRST_SG, MBX, edb_disk="Disk L:")     # dismounted for the move
    assert "dismounted" in str(_both_refused(old, new, lk.StateError, "EXVS1", MBX, 10))
    new.run_until_stable()
    e55.move_mailboxes(old, new, "EXVS1", MBX, 10)


def test_move_mailboxes_goes_into_a_mailbox_store_of_another_cluster():
    old, new = _beside()
    _both_refused(old, new, lk.ConfigurationError, "EXVS1", "Public Folder Store (EXVS1)", 10)
    _both_refused(old, new, lk.NotFoundError, "EXVS1", "Nope", 10)
    _both_refused(old, new, lk.NotFoundError, "EXVS9", MBX, 10)
    e = refused(old, lk.ConfigurationError, e55.move_mailboxes, old, old, "EX55", MBX, 10)
    assert e.rule == "Exchange 5.5 and Exchange 2000 do not share a cluster"
    _both_refused(new, old, lk.NotFoundError, "EXVS1", MBX, 10)         # no Exchange 5.5 server there
    refused(old, lk.ValidationError, e55.move_mailboxes, old, "NEWEX", "EXVS1", MBX, 10)


def test_move_mailboxes_needs_exchange_full_administrator_rights_on_the_target():
    old, new = _beside()
    new.add_account("LAB\\operator")
    with new.acting_as("LAB\\operator"):
        _both_refused(old, new, lk.AccessDeniedError, "EXVS1", MBX, 10)
