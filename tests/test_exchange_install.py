"""Installing Exchange 2000 on cluster nodes (paper, Installing Exchange 2000 Server;
Resource Ownership and Failover)."""
import pytest

import labkit as lk
from labkit import exchange as ex
from _exchange_support import installed_cluster, manual_group, add_sa, refused, two_nodes

NINE = ["Microsoft Exchange System Attendant", "Microsoft Exchange Information Store",
        "Microsoft Exchange Routing Service", "Microsoft Exchange Message Transfer Agent", "Microsoft Search",
        "SMTP Virtual Server Instance", "Exchange HTTP Virtual Server Instance",
        "Exchange POP3 Virtual Server Instance", "Exchange IMAP4 Virtual Server Instance"]


def test_install_puts_the_binaries_on_the_nodes_local_disk():
    c = two_nodes()
    ex.install(c, "1-CURLY")
    info = c.nodes["1-CURLY"].properties["exchange2000"]
    assert info["binaries"].startswith("C:\\")
    assert ex.installed(c, "1-CURLY") and not ex.installed(c, "2-MOE")


def test_install_offers_the_nine_exchange_resource_types_in_the_cluster():
    c = two_nodes()
    assert not set(NINE) & set(c.resource_types)
    ex.install(c, "1-CURLY")
    assert set(NINE) <= set(c.resource_types)
    assert [t.name for t in ex.EXCHANGE_TYPES] == NINE
    assert all(t.dll == "exres.dll" for t in ex.EXCHANGE_TYPES)


def test_install_restarts_the_node_and_its_groups_move_away():
    c = two_nodes()
    assert c.groups["Cluster Group"].owner == "1-CURLY"
    ex.install(c, "1-CURLY")
    c.run_until_stable()
    whats = [e.what for e in c.log.about("1-CURLY")]
    assert "Exchange 2000 installed" in whats and "restarting" in whats
    assert "Up -> Down" in whats and whats[-1] == "Joining -> Up"
    assert c.groups["Cluster Group"].owner == "2-MOE"
    assert ex.install_under_way(c) is None


def test_only_one_installation_at_a_time():
    c = two_nodes()
    ex.install(c, "1-CURLY")
    assert ex.install_under_way(c) == "1-CURLY"
    e = refused(c, lk.ProcedureError, ex.install, c, "2-MOE")
    assert "Installing Exchange 2000 Server" in e.source
    c.run(seconds=60)                      # node 1 is still rebooting
    refused(c, lk.ProcedureError, ex.install, c, "2-MOE")
    c.run_until_stable()                   # node 1 is back: the next node may be installed
    ex.install(c, "2-MOE")
    c.run_until_stable()
    assert ex.installed_nodes(c) == ["1-CURLY", "2-MOE"]


def test_install_twice_on_a_node_is_refused():
    c = installed_cluster(("1-CURLY",))
    refused(c, lk.StateError, ex.install, c, "1-CURLY")


def test_install_needs_a_running_node():
    c = two_nodes()
    c.crash_node("2-MOE")
    c.run_until_stable()
    refused(c, lk.StateError, ex.install, c, "2-MOE")
    refused(c, lk.NotFoundError, ex.install, c, "9-NOBODY")


def test_install_on_the_only_node_brings_the_cluster_back_after_the_restart():
    c = lk.Cluster("SOLO", ip="10.0.0.100")
    c.add_node("A", ip="10.0.0.1")
    c.run_until_stable()
    ex.install(c, "A")
    c.run_until_stable()
    assert c.running and c.nodes["A"].state is lk.NodeState.UP
    assert str(c.groups["Cluster Group"].state) == "Online"
    assert ex.install_under_way(c) is None


def test_exchange_resources_may_only_be_owned_by_nodes_with_exchange():
    c = installed_cluster(("1-CURLY",))
    manual_group(c)
    sa = add_sa(c)
    assert sa.possible_owners == ["1-CURLY"]
    assert all(c.resources[r].possible_owners == ["1-CURLY"]
               for r in ex.virtual_server(c, "EXVS1").resources.values())
    refused(c, lk.OwnershipError, c.set_possible_owners, sa.name, ["1-CURLY", "2-MOE"])


def test_exchange_resources_refuse_explicit_owners_without_exchange():
    c = installed_cluster(("1-CURLY",))
    manual_group(c)
    refused(c, lk.OwnershipError, add_sa, c, possible_owners=["1-CURLY", "2-MOE"])


def test_nodes_installed_later_are_not_possible_owners_of_existing_resources():
    c = installed_cluster(("1-CURLY",))
    ex.create_virtual_server(c, "EXVS1", ip="132.192.1.11", disks=["Disk E:"])
    ex.install(c, "2-MOE")
    c.run_until_stable()
    sa = ex.virtual_server(c, "EXVS1").system_attendant
    assert c.resources[sa].possible_owners == ["1-CURLY"]     # the paper's warning
    c.set_possible_owners(sa, ["1-CURLY", "2-MOE"])            # the fix: now allowed
    assert c.resources[sa].possible_owners == ["1-CURLY", "2-MOE"]


def test_uninstall_removes_the_node_from_exchange_possible_owners():
    c = ex.demo_cluster()
    c.move_group("EXVS1", "2-MOE")
    c.run_until_stable()
    ex.uninstall(c, "1-CURLY")
    assert not ex.installed(c, "1-CURLY")
    sa = ex.virtual_server(c, "EXVS1").system_attendant
    assert c.resources[sa].possible_owners == ["2-MOE"]


def test_uninstall_is_refused_while_exchange_runs_on_the_node():
    c = ex.demo_cluster()
    refused(c, lk.StateError, ex.uninstall, c, "1-CURLY")


def test_uninstall_keeps_the_exchange_resources_unless_last_node():
    c = ex.demo_cluster()
    c.move_group("EXVS1", "2-MOE")
    c.run_until_stable()
    ex.uninstall(c, "1-CURLY")
    e = refused(c, lk.ProcedureError, ex.uninstall, c, "2-MOE")
    assert "last" in e.rule


def test_uninstall_of_a_node_without_exchange_is_refused():
    c = installed_cluster(("1-CURLY",))
    refused(c, lk.StateError, ex.uninstall, c, "2-MOE")


def test_configure_changes_named_settings_and_refuses_unknown_ones():
    c = installed_cluster(("1-CURLY",))
    assert ex.configure(c, nntp_follows_kb_259197=True).nntp_follows_kb_259197 is True
    refused(c, lk.ValidationError, ex.configure, c, max_storage_groups_per_nodes=5)
    refused(c, lk.ValidationError, ex.configure, c, max_storage_groups_per_node="5")
    refused(c, lk.ValidationError, ex.configure, c, nntp_follows_kb_259197=1)


def test_configure_before_install_is_refused():
    c = two_nodes()
    refused(c, lk.ConfigurationError, ex.configure, c, max_storage_groups_per_node=5)


@pytest.mark.parametrize("node", [None, 3, ""])
def test_install_rejects_bad_node_names(node):
    c = two_nodes()
    refused(c, lk.LabkitError, ex.install, c, node)


def test_uninstall_needs_exchange_full_administrator_rights():
    c = installed_cluster()
    c.add_account("LAB\\operator")
    with c.acting_as("LAB\\operator"):
        refused(c, lk.AccessDeniedError, ex.uninstall, c, "2-MOE")
