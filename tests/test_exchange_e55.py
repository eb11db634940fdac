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
