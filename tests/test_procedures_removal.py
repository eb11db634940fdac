"""Removing virtual servers and the Exchange binaries (paper, Removing Exchange Virtual Servers
and Binaries from a Cluster)."""
import pytest

import labkit as lk
from labkit import exchange as ex
from labkit import procedures as pr
from _procedures_support import reference_cluster, refused, step_refused


CAUTIONS = "check the MTA and MS Search cautions and the mailboxes"
MOVE = "move its mailboxes to another virtual server"


def test_removing_a_virtual_server_follows_the_papers_order():
    c = reference_cluster()
    report = pr.remove_virtual_server(c, "EXVS3").run()
    assert report.done == [CAUTIONS, MOVE, "take the group offline",
                           "delete the Exchange resources (the System Attendant takes the rest)",
                           "delete the server in Exchange System Manager"]
    assert "EXVS3" not in ex.virtual_servers(c) and "EXVS3" in c.groups
    assert report.table("deleted")[0]["resource"] == ex.resource_names("EXVS3")["System Attendant"]
    assert any(e.what == "server deleted in Exchange System Manager" for e in c.log.about("EXVS3"))


def test_the_mta_virtual_server_goes_last_and_is_refused_before_going_offline():
    c = reference_cluster(mailboxes=0)
    e = step_refused(pr.remove_virtual_server(c, "EXVS1"), lk.ProcedureError)
    assert e.rule == "the virtual server with the MTA is deleted only when it is the last one"
    assert "Removing Exchange" in e.source and str(c.groups["EXVS1"].state) == "Online"
    for evs in ("EXVS2", "EXVS3", "EXVS4"):
        pr.remove_virtual_server(c, evs, delete_group=True).run()
    report = pr.remove_virtual_server(c, "EXVS1", delete_group=True).run()
    assert "this is the last virtual server" in report.step(CAUTIONS).note
    assert "no mailboxes" in report.step(CAUTIONS).note and report.step(MOVE).note == "no mailbox to move"
    assert ex.virtual_servers(c) == [] and set(c.groups) == {"Cluster Group"}


# ------------------------------------------------------------------ mailboxes move before the server goes
def test_a_removed_virtual_servers_mailboxes_are_moved_first_and_reported():
    c = reference_cluster()
    ex.add_mailboxes(c, "EXVS2", "Mailbox Store (EXVS2)", 10)      # the fewest: EXVS1 and EXVS3; the first wins
    report = pr.remove_virtual_server(c, "EXVS4").run()
    assert "1,250 mailboxes, to move to EXVS1 ('Mailbox Store (EXVS1)')" in report.step(CAUTIONS).note
    assert {v: ex.virtual_server(c, v).mailboxes for v in ex.virtual_servers(c)} == {
        "EXVS1": 2500, "EXVS2": 1260, "EXVS3": 1250}
    assert report.table("mailboxes moved") == [{"from": "EXVS4 / Mailbox Store (EXVS4)",
                                               "to": "EXVS1 / Mailbox Store (EXVS1)", "mailboxes": 1250}]
    a = pr.Assumptions()
    assert report.step(MOVE).seconds == pytest.approx(1250 * a.mailbox_mb / a.move_mailbox_mb_s, abs=0.001)
    assert [e.what for e in c.log.about("EXVS4")].count("1250 mailboxes moved out") == 1
    assert [e.what for e in c.log.about("EXVS1")].count("1250 mailboxes moved in") == 1


def test_the_mailboxes_go_where_the_plan_says():
    c = reference_cluster()
    ex.add_storage_group(c, "EXVS2", "SG2", log_disk="Disk M:")
    ex.add_database(c, "EXVS2", "SG2", "Sales", edb_disk="Disk F:")
    report = pr.remove_virtual_server(c, "EXVS4", move_mailboxes_to=("EXVS2", "Sales")).run()
    assert report.complete and ex.find_database(c, "EXVS2", "Sales")[1].mailboxes == 1250
    p = pr.remove_virtual_server(c, "EXVS3", move_mailboxes_to="EXVS3")
    e = step_refused(p, lk.ConfigurationError)
    assert e.rule == "a virtual server is removed only once its mailboxes have been moved to another server [D]"
    p.params["move_mailboxes_to"] = "EXVS9"
    step_refused(p, lk.NotFoundError)


def test_a_virtual_server_with_mailboxes_and_nowhere_to_move_them_is_refused_at_step_1():
    c = reference_cluster()
    for evs in ("EXVS1", "EXVS2", "EXVS3"):
        c.offline_group(evs)
    c.run_until_stable()
    e = step_refused(pr.remove_virtual_server(c, "EXVS4"), lk.ConfigurationError)
    assert e.step_index == 1 and e.rule == "a virtual server is removed only once its mailboxes have been moved " \
        "to another server [D]" and "CDOEXM" in e.source and "1,250 mailboxes" in str(e)
    assert str(c.groups["EXVS4"].state) == "Online"


def test_mailboxes_created_after_the_move_stop_the_deletion():
    c = reference_cluster()
    p = pr.remove_virtual_server(c, "EXVS4")
    p.run(until="take the group offline")
    assert ex.virtual_server(c, "EXVS4").mailboxes == 0
    ex.add_mailboxes(c, "EXVS4", "Mailbox Store (EXVS4)", 5)        # someone creates users meanwhile
    e = step_refused(p, lk.ProcedureError)
    assert e.rule.startswith("a virtual server is removed only once its mailboxes") and "5 mailboxes" in str(e)


def test_move_mailboxes_needs_both_stores_running():
    c = reference_cluster()
    p = pr.remove_virtual_server(c, "EXVS4", move_mailboxes_to="EXVS2")
    p.next()
    c.offline_group("EXVS2")
    c.run_until_stable()
    e = step_refused(p, lk.StateError)
    assert e.rule == "Move Mailbox needs both stores running [D]" and ex.virtual_server(c, "EXVS4").mailboxes == 1250
    q = pr.remove_virtual_server(c.copy(), "EXVS4", move_mailboxes_to="EXVS2")   # or correct the plan and go on
    q.next()
    q.params["move_mailboxes_to"] = "EXVS3"
    assert "to EXVS3" in q.next().note and ex.virtual_server(q.cluster, "EXVS3").mailboxes == 2500
    e = refused(c, lk.StateError, pr.move_mailboxes, c, "EXVS4", "Mailbox Store (EXVS4)", "EXVS2",
                "Mailbox Store (EXVS2)", 10)
    refused(c, lk.LimitError, pr.move_mailboxes, c, "EXVS4", "Mailbox Store (EXVS4)", "EXVS1",
            "Mailbox Store (EXVS1)", 2000)
    refused(c, lk.ConfigurationError, pr.move_mailboxes, c, "EXVS4", "Mailbox Store (EXVS4)", "EXVS1",
            "Public Folder Store (EXVS1)", 10)
    refused(c, lk.ConfigurationError, pr.move_mailboxes, c, "EXVS4", "Mailbox Store (EXVS4)", "EXVS4",
            "Mailbox Store (EXVS4)", 10)
    refused(c, lk.ValidationError, pr.move_mailboxes, c, "EXVS4", "Mailbox Store (EXVS4)", "EXVS1",
            "Mailbox Store (EXVS1)", 0)
    c.add_account("STOOGES\\ann")
    with c.acting_as("STOOGES\\ann"):
        refused(c, lk.AccessDeniedError, pr.move_mailboxes, c, "EXVS4", "Mailbox Store (EXVS4)", "EXVS1",
                "Mailbox Store (EXVS1)", 10)


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
