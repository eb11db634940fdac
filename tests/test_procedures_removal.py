"""Removing virtual servers and the Exchange binaries (paper, Removing Exchange Virtual Servers
and Binaries from a Cluster)."""
import labkit as lk
from labkit import exchange as ex
from labkit import procedures as pr
from _procedures_support import reference_cluster, refused, step_refused


def test_removing_a_virtual_server_follows_the_papers_order():
    c = reference_cluster()
    report = pr.remove_virtual_server(c, "EXVS3").run()
    assert report.done == ["check the MTA and MS Search cautions", "take the group offline",
                           "delete the Exchange resources (the System Attendant takes the rest)",
                           "delete the server in Exchange System Manager"]
    assert "EXVS3" not in ex.virtual_servers(c) and "EXVS3" in c.groups
    assert report.table("deleted")[0]["resource"] == ex.resource_names("EXVS3")["System Attendant"]
    assert any(e.what == "server deleted in Exchange System Manager" for e in c.log.about("EXVS3"))


def test_the_mta_virtual_server_goes_last_and_is_refused_before_going_offline():
    c = reference_cluster()
    e = step_refused(pr.remove_virtual_server(c, "EXVS1"), lk.ProcedureError)
    assert e.rule == "the virtual server with the MTA is deleted only when it is the last one"
    assert "Removing Exchange" in e.source and str(c.groups["EXVS1"].state) == "Online"
    for evs in ("EXVS2", "EXVS3", "EXVS4"):
        pr.remove_virtual_server(c, evs, delete_group=True).run()
    report = pr.remove_virtual_server(c, "EXVS1", delete_group=True).run()
    assert "this is the last virtual server" in report.step("check the MTA and MS Search cautions").note
    assert ex.virtual_servers(c) == [] and set(c.groups) == {"Cluster Group"}


def test_exchange_binaries_are_removed_node_by_node_and_the_resources_stay():
    c = reference_cluster()
    report = pr.remove_exchange_binaries(c, ["2-MOE", "3-LARRY"]).run()
    assert report.complete and ex.installed_nodes(c) == ["1-CURLY", "4-JERRY"]
    assert c.groups["EXVS2"].owner in ("1-CURLY", "4-JERRY") and len(ex.virtual_servers(c)) == 4
    assert "EXVS2 -> " in report.step("move the Exchange groups off 2-MOE").note


def test_the_exchange_resources_go_only_with_the_last_exchange_node():
    c = reference_cluster()
    p = pr.remove_exchange_binaries(c, ["1-CURLY", "2-MOE", "3-LARRY", "4-JERRY"])
    p.run(until="run Exchange setup Remove on 3-LARRY")
    assert "last node running Exchange" in p.next().note          # its groups have nowhere to go
    e = step_refused(p, lk.ProcedureError)
    assert e.rule == "keep the Exchange cluster resources unless this is the last node running Exchange"


def test_a_deleted_ms_search_instance_means_recreating_the_virtual_server():
    c = reference_cluster()
    vs = ex.virtual_server(c, "EXVS2")
    c.offline_group("EXVS2")
    c.run_until_stable()
    c.delete_resource(vs.resources["MS Search"])
    c.online_group("EXVS2")
    c.run_until_stable()
    assert ex.virtual_server(c, "EXVS2").content_indexing_broken
    report = pr.rebuild_virtual_server(c, "EXVS2").run()
    vs = ex.virtual_server(c, "EXVS2")
    assert report.complete and not vs.content_indexing_broken and "MS Search" in vs.resources
    assert vs.mailboxes == 1250 and str(c.groups["EXVS2"].state) == "Online"
    assert report.advisories[0].rule.startswith("deleting a virtual server's MS Search instance")


def test_removing_an_unknown_virtual_server_is_refused():
    c = reference_cluster()
    e = step_refused(pr.remove_virtual_server(c, "EXVS9"), lk.NotFoundError)
    assert "EXVS9" in str(e)
    refused(c, lk.NotFoundError, ex.virtual_server, c, "EXVS9")


def test_a_recreated_virtual_server_gets_its_storage_layout_back():
    from labkit import scenarios as sc
    c = sc.four_node_5000()                       # logs moved to the LOG Device with Exchange System Manager
    before = ex.layout(c, "EXVS2")
    c.offline_group("EXVS2")
    c.run_until_stable()
    c.delete_resource(ex.virtual_server(c, "EXVS2").resources["MS Search"])
    report = pr.rebuild_virtual_server(c, "EXVS2").run()
    assert report.complete and ex.layout(c, "EXVS2") == before
    assert before[0]["log_disk"] == "VS2-SG1 LOG Device"
