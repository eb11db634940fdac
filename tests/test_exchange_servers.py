"""Creating Exchange virtual servers (paper, Table 7; Creating Exchange 2000 Virtual Servers)."""
import pytest

import labkit as lk
from labkit import exchange as ex
from _exchange_support import SA_TYPE, add_sa, installed_cluster, manual_group, refused, two_nodes


# ----------------------------------------------------------- the paper's way, by hand
def test_adding_the_system_attendant_creates_the_other_resources_with_table7_dependencies():
    c = installed_cluster()
    manual_group(c)
    add_sa(c)
    vs = ex.virtual_server(c, "EXVS1")
    assert sorted(vs.resources) == sorted(row.role for row in ex.TABLE7)
    for row in ex.TABLE7:
        r = c.resources[vs.resources[row.role]]
        assert r.type == row.type and r.group == "EXVS1"
        if row.role == "System Attendant":
            assert r.dependencies == ["EXVS1 Name", "Disk E:"]
        else:
            assert r.dependencies == [vs.resources[p] for p in row.providers]


def test_the_virtual_server_is_named_after_its_network_name():
    c = installed_cluster()
    manual_group(c, "EXVS7", ip="132.192.1.71")
    add_sa(c, "EXVS7")
    assert ex.virtual_servers(c) == ["EXVS7"]
    assert ex.virtual_server(c, "exvs7").network_name == "EXVS7 Name"


def test_exchange_resources_come_online_in_dependency_order_and_go_offline_in_reverse():
    c = ex.demo_cluster()
    vs = ex.virtual_server(c, "EXVS1")
    order = c.online_order("EXVS1")
    for row in ex.TABLE7:
        for p in row.providers:
            if p in vs.resources:
                assert order.index(vs.resources[p]) < order.index(vs.resources[row.role])
    assert c.offline_order("EXVS1") == order[::-1]
    assert all(c.resources[r].state is lk.ResourceState.ONLINE for r in order)


def test_system_attendant_needs_an_ip_address_in_the_group():
    c = installed_cluster()
    manual_group(c, with_ip=False)
    e = refused(c, lk.ConfigurationError, add_sa, c)
    assert "IP Address" in str(e)


def test_system_attendant_needs_a_network_name_in_the_group():
    c = installed_cluster()
    manual_group(c, with_name=False)
    refused(c, lk.ConfigurationError, add_sa, c, deps=["Disk E:"])


def test_network_name_must_depend_on_the_ip_address_first():
    c = installed_cluster()
    manual_group(c, name_on_ip=False)
    refused(c, lk.DependencyError, add_sa, c)


def test_system_attendant_needs_a_physical_disk_in_the_group():
    c = installed_cluster()
    manual_group(c, disk=None)
    refused(c, lk.ConfigurationError, add_sa, c, deps=["EXVS1 Name"])


def test_system_attendant_must_depend_on_the_network_name():
    c = installed_cluster()
    manual_group(c)
    refused(c, lk.DependencyError, add_sa, c, deps=["Disk E:"])


def test_system_attendant_must_depend_on_a_physical_disk():
    c = installed_cluster()
    manual_group(c)
    refused(c, lk.DependencyError, add_sa, c, deps=["EXVS1 Name"])


def test_system_attendant_depends_only_on_network_name_and_disks():
    c = installed_cluster()
    manual_group(c)
    refused(c, lk.DependencyError, add_sa, c, deps=["EXVS1 Name", "Disk E:", "EXVS1 IP"])


def test_system_attendant_refuses_a_data_disk_it_does_not_depend_on():
    c = installed_cluster()
    manual_group(c)
    c.add_resource("Disk F:", type="Physical Disk", group="EXVS1", drive="F:")
    refused(c, lk.DependencyError, add_sa, c, data_disk="Disk F:")
    refused(c, lk.ValidationError, add_sa, c, data_disk="Disk Z:")


def test_system_attendant_needs_exchange_installed():
    c = two_nodes()
    manual_group(c)
    refused(c, lk.NotFoundError, add_sa, c)        # the type is not even offered yet
    c2 = installed_cluster(("1-CURLY",))
    ex.uninstall(c2, "1-CURLY", remove_cluster_resources=False)   # the types stay, Exchange does not
    manual_group(c2)
    refused(c2, lk.ConfigurationError, add_sa, c2)
    c3 = installed_cluster(("1-CURLY",))
    ex.uninstall(c3, "1-CURLY")                 # the last node: its Remove takes the Exchange resource types
    manual_group(c3)
    refused(c3, lk.NotFoundError, add_sa, c3)


def test_system_attendant_is_refused_while_a_node_restarts_after_setup():
    c = installed_cluster(("1-CURLY",))
    manual_group(c)
    ex.install(c, "2-MOE")
    refused(c, lk.ProcedureError, add_sa, c)
    c.run_until_stable()
    add_sa(c)


def test_creating_a_virtual_server_needs_exchange_full_administrator_rights():
    c = installed_cluster()
    manual_group(c)
    c.add_account("LAB\\helpdesk", rights=["Cluster Administrator"])
    with c.acting_as("LAB\\helpdesk"):
        e = refused(c, lk.AccessDeniedError, add_sa, c)
        refused(c, lk.AccessDeniedError, ex.create_virtual_server, c, "EXVS2", ip="132.192.1.21",
                disks=["Disk F:"])
    assert "Exchange Full Admin" in e.source or "Permissions" in e.source
    c.grant("LAB\\helpdesk", ex.FULL_ADMIN)        # the Exchange Delegation Wizard
    with c.acting_as("LAB\\helpdesk"):
        add_sa(c)
    assert ex.virtual_servers(c) == ["EXVS1"]


def test_the_other_exchange_resources_cannot_be_created_by_hand():
    c = installed_cluster()
    manual_group(c)
    e = refused(c, lk.ProcedureError, c.add_resource, "IS", type="Microsoft Exchange Information Store",
                group="EXVS1")
    assert "System Attendant" in e.rule


def test_one_virtual_server_per_network_name():
    c = installed_cluster()
    manual_group(c)
    add_sa(c)
    refused(c, lk.NameConflictError, c.add_resource, "SA again", type=SA_TYPE, group="EXVS1",
            dependencies=["EXVS1 Name", "Disk E:"])


def test_each_virtual_server_gets_its_own_resource_monitor():
    c = ex.demo_cluster()
    ex.create_virtual_server(c, "EXVS2", ip="132.192.1.21", disks=["Disk F:"])
    m1 = {c.resources[r].monitor for r in ex.virtual_server(c, "EXVS1").resources.values()}
    m2 = {c.resources[r].monitor for r in ex.virtual_server(c, "EXVS2").resources.values()}
    assert m1 == {"EVS EXVS1"} and m2 == {"EVS EXVS2"}
    assert c.resources["EXVS1 IP Address"].monitor == "shared"


def test_a_crashed_exres_dll_fails_only_its_own_virtual_server():
    c = ex.demo_cluster()
    ex.create_virtual_server(c, "EXVS2", ip="132.192.1.21", disks=["Disk F:"], node="1-CURLY")
    c.online_group("EXVS2")
    c.run_until_stable()
    failed = c.crash_resource_monitor(ex.virtual_server(c, "EXVS1").resources["SMTP"])
    assert set(failed) == set(ex.virtual_server(c, "EXVS1").resources.values())
    assert str(c.groups["EXVS2"].state) == "Online"


# ------------------------------------------------------------------ defaults of setup
def test_mta_only_in_the_first_virtual_server():
    c = ex.demo_cluster()
    ex.create_virtual_server(c, "EXVS2", ip="132.192.1.21", disks=["Disk F:"])
    assert "MTA" in ex.virtual_server(c, "EXVS1").resources
    assert "MTA" not in ex.virtual_server(c, "EXVS2").resources
    mtas = [r for r in c.resources.values() if r.type == "Microsoft Exchange Message Transfer Agent"]
    assert len(mtas) == 1 and c.extensions["exchange"].mta_server == "EXVS1"


def test_first_storage_group_with_one_mailbox_store_per_virtual_server():
    c = ex.demo_cluster()
    ex.create_virtual_server(c, "EXVS2", ip="132.192.1.21", disks=["Disk F:"])
    for evs in ("EXVS1", "EXVS2"):
        vs = ex.virtual_server(c, evs)
        assert list(vs.storage_groups) == ["First Storage Group"]
        assert [d.name for d in vs.databases() if d.kind == "mailbox"] == [f"Mailbox Store ({evs})"]


def test_one_public_store_per_cluster_in_the_first_virtual_server():
    c = ex.demo_cluster()
    ex.create_virtual_server(c, "EXVS2", ip="132.192.1.21", disks=["Disk F:"])
    public = [(row["virtual_server"], row["database"]) for row in ex.layout(c) if row["kind"] == "public"]
    assert public == [("EXVS1", "Public Folder Store (EXVS1)")]


def test_default_storage_sits_on_the_data_disk():
    c = ex.demo_cluster()
    sg = ex.virtual_server(c, "EXVS1").storage_groups["First Storage Group"]
    assert sg.log_disk == "Disk E:" and sg.log_path == "E:\\Exchsrvr\\mdbdata"
    assert {d.edb_disk for d in sg.databases.values()} == {"Disk E:"}


# ------------------------------------------------------------- create_virtual_server
def test_create_virtual_server_does_the_papers_steps_in_order():
    c = installed_cluster()
    mark = len(c.log)
    assert ex.create_virtual_server(c, "EXVS1", ip="132.192.1.11", disks=["Disk E:", "Disk L:"]) == "EXVS1"
    created = [e.obj for e in c.log.since(mark) if e.what.startswith("created")]
    names = ex.resource_names("EXVS1")
    assert created[:6] == ["EXVS1", names["IP Address"], names["Network Name"], "Disk E:", "Disk L:",
                           names["System Attendant"]]
    assert c.resources[names["Network Name"]].dependencies == [names["IP Address"]]
    assert c.resources[names["System Attendant"]].dependencies == [names["Network Name"], "Disk E:", "Disk L:"]
    assert c.resources["Disk L:"].properties["drive"] == "L:"
    assert str(c.groups["EXVS1"].state) == "Offline"


def test_create_virtual_server_uses_existing_disks_of_its_group():
    c = installed_cluster()
    c.add_group("EXVS1")
    c.add_resource("Data", type="Physical Disk", group="EXVS1", drive="G:")
    ex.create_virtual_server(c, "EXVS1", ip="132.192.1.11", disks=["Data", "Disk L:"], group="EXVS1")
    assert ex.virtual_server(c, "EXVS1").data_disk == "Data"
    assert ex.layout(c, "EXVS1")[0]["log_path"].startswith("G:")


def test_create_virtual_server_on_a_node():
    c = installed_cluster()
    ex.create_virtual_server(c, "EXVS2", ip="132.192.1.21", disks=["Disk F:"], node="2-MOE")
    assert c.groups["EXVS2"].owner == "2-MOE"
    c.online_group("EXVS2")
    c.run_until_stable()
    assert ex.storage_groups_on(c, "2-MOE") == [("EXVS2", "First Storage Group")]


@pytest.mark.parametrize("kwargs, exc", [
    ({"disks": []}, lk.ConfigurationError),
    ({"disks": "Disk E:"}, lk.ValidationError),
    ({"disks": ["Disk E:", "Disk E:"]}, lk.ValidationError),
    ({"disks": [None]}, lk.ValidationError),
    ({"ip": "dhcp"}, lk.ConfigurationError),
    ({"ip": "132.192.1.100"}, lk.NameConflictError),        # the cluster's address
    ({"name": "2-MOE"}, lk.NameConflictError),              # a node's name
    ({"name": "EXCHANGE.VIRTUAL"}, lk.ValidationError),
    ({"node": "9-NOBODY"}, lk.NotFoundError),
    ({"disks": ["Disk Q:"]}, lk.ConfigurationError),         # the quorum disk
    ({"disks": ["Cluster Name"]}, lk.ValidationError),
    ({"group": "Cluster Group"}, lk.ConfigurationError),
    ({"group": "NOPE"}, lk.NotFoundError),
])
def test_create_virtual_server_refusals_change_nothing(kwargs, exc):
    c = installed_cluster()
    args = {"name": "EXVS1", "ip": "132.192.1.11", "disks": ["Disk E:"], **kwargs}
    refused(c, exc, ex.create_virtual_server, c, args.pop("name"), **args)


def test_create_virtual_server_needs_exchange_on_the_chosen_node():
    c = installed_cluster(("1-CURLY",))
    refused(c, lk.OwnershipError, ex.create_virtual_server, c, "EXVS1", ip="132.192.1.11", disks=["Disk E:"],
            node="2-MOE")


def test_create_virtual_server_needs_exchange_installed():
    c = two_nodes()
    refused(c, lk.ConfigurationError, ex.create_virtual_server, c, "EXVS1", ip="132.192.1.11",
            disks=["Disk E:"])


def test_create_virtual_server_is_all_or_nothing_when_a_late_step_fails():
    c = installed_cluster()
    c.add_group("OTHER")
    c.add_resource(ex.resource_names("EXVS1")["Information Store"], type="Generic Service", group="OTHER")
    # the name clash is only found when the System Attendant creates the Information Store
    refused(c, lk.NameConflictError, ex.create_virtual_server, c, "EXVS1", ip="132.192.1.11",
            disks=["Disk E:"])
    assert "EXVS1" not in c.groups


def test_virtual_servers_that_share_a_disk_must_be_in_one_group():
    c = ex.demo_cluster()
    e = refused(c, lk.ConfigurationError, ex.create_virtual_server, c, "EXVS2", ip="132.192.1.21",
                disks=["Disk E:"])
    assert "same group" in str(e)
    c.offline_group("EXVS1")
    c.run_until_stable()
    ex.create_virtual_server(c, "EXVS2", ip="132.192.1.21", disks=["Disk E:"], group="EXVS1")
    assert ex.virtual_server(c, "EXVS2").group == "EXVS1"
    c.online_group("EXVS1")
    c.run_until_stable()
    assert str(c.groups["EXVS1"].state) == "Online"
    assert ex.storage_groups_on(c, "1-CURLY") == [("EXVS1", "First Storage Group"),
                                                  ("EXVS2", "First Storage Group")]


def test_a_disk_dependency_across_groups_is_refused_by_hand_too():
    c = ex.demo_cluster()
    manual_group(c, "EXVS2", ip="132.192.1.21", disk=None)
    refused(c, lk.DependencyError, add_sa, c, "EXVS2", deps=["EXVS2 Name", "Disk E:"])


def test_virtual_server_lookup_errors():
    c = ex.demo_cluster()
    with pytest.raises(lk.NotFoundError):
        ex.virtual_server(c, "EXVS9")
    with pytest.raises(lk.ValidationError):
        ex.virtual_server(c, None)
    assert ex.virtual_servers(two_nodes()) == []


def test_exchange_state_is_in_the_snapshot_and_round_trips():
    c = ex.demo_cluster()
    ex.add_storage_group(c, "EXVS1", "SG2", log_disk="Disk L:")
    ex.add_database(c, "EXVS1", "SG2", "Sales")
    data = c.to_dict()["extensions"]["exchange"]
    assert data["virtual_servers"]["EXVS1"]["storage_groups"]["SG2"]["databases"]["Sales"]["kind"] == "mailbox"
    assert ex.ExchangeOrg.from_dict(data) == c.extensions["exchange"]


def test_diagrams_load_on_demand():
    assert ex.diagrams.dependency_tree().name == "Exchange 2000 resource dependencies"
