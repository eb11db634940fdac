"""Migrating from Exchange 5.5 clusters (paper, Migrating From Exchange 5.5 Clusters)."""
from dataclasses import replace

import pytest

import labkit as lk
from labkit import exchange as ex
from labkit import procedures as pr
from labkit.exchange import e55
from _procedures_support import reference_cluster, refused, step_refused


def _old55(mailboxes=1200):
    c = lk.Cluster("OLDEX", ip="132.192.2.100")
    c.add_node("A55", ip="132.192.2.1")
    c.add_node("B55", ip="132.192.2.2")
    c.run_until_stable()
    e55.create_virtual_server(c, "EX55", ip="132.192.2.11", disk="Disk E:")
    e55.add_mailboxes(c, mailboxes)
    c.online_group("EX55")
    c.run_until_stable()
    return c


# ---------------------------------------------------------------- relocation
def test_mailbox_relocation_runs_green_between_two_clusters():
    old, new = _old55(), reference_cluster()
    p = pr.mailbox_relocation(old, new, pr.ExchangeSite(), batch=500)
    report = p.run()
    assert report.complete and [r["mailboxes"] for r in report.table("batches")] == [500, 500, 200]
    assert e55.server(old) is None and ex.virtual_server(new, "EXVS1").mailboxes == 1250 + 1200
    assert old.clock.ms >= report.seconds * 1000 and any(e.what.endswith("moved out") for e in old.log)


def test_relocation_moves_each_batch_with_exchange55_move_mailboxes():
    old, new = _old55(), reference_cluster()
    p = pr.mailbox_relocation(old, new, pr.ExchangeSite(), batch=500)
    p.run(until="move mailboxes: batch 1 of 3")
    assert [e.what for e in new.log.about("EXVS1")][-1] == "500 mailboxes moved in"
    assert [e.what for e in old.log.about("EX55")][-1] == "500 mailboxes moved out"
    old.offline_group("EX55")                      # Move Mailbox needs the 5.5 store running
    old.run_until_stable()
    e = step_refused(p, lk.StateError)
    assert e.rule == "Move Mailbox needs both stores running [D]" and e55.server(old).mailboxes == 700
    old.online_group("EX55")
    old.run_until_stable()
    assert p.run().complete and e55.server(old) is None


def test_relocation_needs_a_non_clustered_exchange_2000_server_in_the_site():
    old, new = _old55(), reference_cluster()
    site = pr.ExchangeSite(exchange2000_servers=[], srs_server=None)
    e = step_refused(pr.mailbox_relocation(old, new, site), lk.ConfigurationError)
    assert "SRS is not supported on a cluster" in e.rule and "Table 5" in e.source


def test_the_55_cluster_is_decommissioned_only_if_it_is_not_the_first_in_its_site():
    old, new = _old55(), reference_cluster()
    p = pr.mailbox_relocation(old, new, pr.ExchangeSite(first_server="EX55"), batch=1200)
    p.run(until="replicate the public folders")
    e = step_refused(p, lk.ConfigurationError)
    assert e.rule == "decommission the 5.5 cluster only if it is not the first server in the site"
    assert e55.server(old).mailboxes == 0 and str(old.groups["EX55"].state) == "Online"


def test_the_exchange_2000_cluster_is_built_beside_the_55_one():
    old = _old55()
    with pytest.raises(lk.ProcedureError) as info:
        pr.mailbox_relocation(old, old, pr.ExchangeSite())
    assert info.value.rule == "Exchange 5.5 and Exchange 2000 do not share a cluster"
    p = pr.mailbox_relocation(old, reference_cluster(), pr.ExchangeSite(), virtual_server="EXVS9")
    p.next()
    e = step_refused(p, lk.NotFoundError)
    assert "EXVS9" in str(e)


def _old55_named(name, mailboxes=600):
    c = lk.Cluster("OLDEX", ip="132.192.2.100")
    c.add_node("A55", ip="132.192.2.1")
    c.run_until_stable()
    e55.create_virtual_server(c, name, ip="132.192.2.11", disk="Disk E:")
    e55.add_mailboxes(c, mailboxes)
    c.online_group(name)
    c.run_until_stable()
    return c


def test_relocation_fills_the_mailbox_store_on_the_targets_database_disk():
    old, new = _old55(600), reference_cluster()
    # the default store's .EDB now sits on the log disk; the design's store on Disk E: (the database disk) is Users
    ex.move_database(new, "EXVS2", ex.FIRST_SG, "Mailbox Store (EXVS2)", edb_disk="Disk M:")
    ex.add_database(new, "EXVS2", ex.FIRST_SG, "Users", edb_disk="Disk F:")
    new.run_until_stable()
    assert ex.virtual_server(new, "EXVS2").data_disk == "Disk F:"
    report = pr.mailbox_relocation(old, new, pr.ExchangeSite(), virtual_server="EXVS2", batch=600).run()
    rows = {r["database"]: r["mailboxes"] for r in ex.layout(new, "EXVS2")}
    assert rows == {"Mailbox Store (EXVS2)": 1250, "Users": 600}
    assert "store 'Users' on Disk F:" in report.step("check the Exchange 2000 cluster beside it is ready").note


def test_relocation_fills_the_store_the_plan_names():
    old, new = _old55(600), reference_cluster()
    ex.add_storage_group(new, "EXVS1", "SG2", log_disk="Disk L:")
    ex.add_database(new, "EXVS1", "SG2", "Sales", edb_disk="Disk E:")
    assert pr.mailbox_relocation(old, new, pr.ExchangeSite(), store="Sales", batch=600).run().complete
    assert ex.find_database(new, "EXVS1", "Sales")[1].mailboxes == 600
    assert ex.find_database(new, "EXVS1", "Mailbox Store (EXVS1)")[1].mailboxes == 1250


def test_relocation_refuses_a_store_that_is_not_a_mailbox_store_of_the_target():
    old, new = _old55(), reference_cluster()
    p = pr.mailbox_relocation(old, new, pr.ExchangeSite(), store="Public Folder Store (EXVS1)")
    p.next()
    e = step_refused(p, lk.ConfigurationError)
    assert e.rule == "mailboxes live in mailbox stores"
    p.params["store"] = "Mailbox Store (EXVS2)"                       # another virtual server's
    step_refused(p, lk.NotFoundError)
    p.params["store"] = None
    assert p.run().complete


def test_relocation_without_a_mailbox_store_on_the_database_disk_asks_for_one():
    old, new = _old55(), reference_cluster()
    ex.move_database(new, "EXVS1", ex.FIRST_SG, "Mailbox Store (EXVS1)", edb_disk="Disk L:")
    new.run_until_stable()
    p = pr.mailbox_relocation(old, new, pr.ExchangeSite())
    p.next()
    e = step_refused(p, lk.ConfigurationError)
    assert e.rule == "relocated mailboxes go to the mailbox store the plan designates [D]" and "store=" in str(e)
    p.params["store"] = "Mailbox Store (EXVS1)"
    assert p.run().complete


def test_the_55_server_may_not_share_a_name_with_an_exchange_2000_server_of_the_organisation():
    old, new = _old55_named("EXVS3"), reference_cluster()
    p = pr.mailbox_relocation(old, new, pr.ExchangeSite(), virtual_server="EXVS1")
    p.next()
    e = step_refused(p, lk.NameConflictError)                  # both clusters unchanged
    assert e.rule == "server names are unique in an Exchange organisation" and "EXVS3 on FOUR-STOOGES" in str(e)
    old, new = _old55_named("EX2K-SRS"), reference_cluster()
    p = pr.mailbox_relocation(old, new, pr.ExchangeSite())
    p.next()
    e = step_refused(p, lk.NameConflictError)
    assert e.rule == "server names are unique in an Exchange organisation" and "in site HEADQUARTERS" in str(e)


# ------------------------------------------------------------------ in place
def test_the_in_place_upgrade_runs_its_nine_steps():
    c = _old55()
    p = pr.in_place_upgrade(c, pr.ExchangeSite())
    report = p.run()
    assert report.complete and [s.name[:3] for s in report.steps[1:]] == [
        "(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(6)", "(7)", "(8)", "(9)"]
    assert e55.server(c) is None and ex.virtual_servers(c) == ["EX55"]
    assert str(c.groups["EX55"].state) == "Online" and ex.virtual_server(c, "EX55").mailboxes == 1200
    assert pr.folders(c, "Disk E:") == {"E:\\EXCHSRVR\\mdbdata": ["Priv1.edb", "Priv1.stm", "Pub1.edb", "Pub1.stm",
                                                                  "E00.chk", "E00.log"]}
    assert ex.layout(c, "EX55")[0]["edb_file"].lower() == "e:\\exchsrvr\\mdbdata\\priv1.edb"
    assert report.table("back-out plan")[1]["action"].startswith("restore the offline backup")
    [i] = report.interruptions
    assert i.group == "EX55" and i.users == 1200


@pytest.mark.parametrize("change, rule", [
    ({"cluster_windows": "Windows NT 4.0"}, "upgrade the Windows NT 4.0 cluster to Windows 2000 Cluster Server first"),
    ({"domain": "Windows NT 4.0"}, "the Windows 2000 cluster nodes are members of a Windows 2000 domain"),
    ({"adc_run": False}, "run the Active Directory Connector before the upgrade"),
    ({"exchange2000_servers": []},
     "the Exchange cluster is not the first Exchange 2000 server in an Exchange 5.5 site"),
    ({"bridgehead": "EX55"}, "the Exchange cluster does not serve as a bridgehead to an Exchange 5.5 site"),
])
def test_each_in_place_precondition_is_enforced(change, rule):
    c = _old55()
    e = step_refused(pr.in_place_upgrade(c, replace(pr.ExchangeSite(), **change)), lk.ConfigurationError)
    assert e.rule == rule and "In-Place Cluster Upgrade Strategy" in e.source


def test_connection_agreements_to_the_55_cluster_are_removed_before_step_4():
    c = _old55()
    site = pr.ExchangeSite(connection_agreements=[pr.ConnectionAgreement("CA-HQ", "EX55")])
    p = pr.in_place_upgrade(c, site)
    p.run(until="(3) rename the mdbdata folder")
    e = step_refused(p, lk.ConfigurationError)
    assert "connection agreements" in e.rule and "note to step 4" in e.source
    site.connection_agreements.clear()
    assert p.run().complete


def test_steps_3_and_5_rename_mdbdata_away_and_back_and_cannot_be_skipped():
    c = _old55()
    p = pr.in_place_upgrade(c, pr.ExchangeSite())
    p.run(until="(2) take the Exchange 5.5 group offline")
    with pytest.raises(lk.ProcedureError, match="may not be skipped"):
        p.skip("(3) rename the mdbdata folder", "no time")
    step_refused(p, step="(4) remove Exchange 5.5 from both nodes")
    p.next()
    assert list(pr.folders(c, "Disk E:")) == ["E:\\EXCHSRVR\\BIN", "E:\\EXCHSRVR\\mdbdata.old"]
    pr.rename_folder(c, "Disk E:", "E:\\EXCHSRVR\\mdbdata.old", "MDBDATA")   # renamed back too early
    e = step_refused(p, lk.ProcedureError)
    assert e.rule == "rename mdbdata before removing Exchange 5.5" and "step 3" in e.source
    pr.rename_folder(c, "Disk E:", "E:\\EXCHSRVR\\MDBDATA", "mdbdata.old")
    p.next()
    assert list(pr.folders(c, "Disk E:")) == ["E:\\EXCHSRVR\\mdbdata.old"]       # the data survived Remove All
    step_refused(p, step="(6) install Exchange 2000 on A55 and restart it")
    p.next()
    assert list(pr.folders(c, "Disk E:")) == ["E:\\EXCHSRVR\\mdbdata"]


def test_the_virtual_server_stays_offline_until_step_9():
    c = _old55()
    p = pr.in_place_upgrade(c, pr.ExchangeSite())
    p.run(until="(7) create the virtual server in the same group, offline")
    c.online_group("EX55")
    c.run_until_stable()
    c.offline_group("EX55")
    c.run_until_stable()
    e = step_refused(p, lk.ProcedureError)
    assert e.rule == "do not bring the group online before step 9"


def test_step_6_installs_one_node_at_a_time():
    c = _old55()
    p = pr.in_place_upgrade(c, pr.ExchangeSite())
    p.run(until="(5) rename the folder back to mdbdata")
    ex.install(c, "A55")                                  # by hand, without waiting for the restart
    e = refused(c, lk.ProcedureError, ex.install, c, "B55")
    assert e.rule == "run one Exchange installation at a time"


def test_the_back_out_plan_restores_the_55_cluster_from_step_1():
    c = _old55()
    p = pr.in_place_upgrade(c, pr.ExchangeSite())
    with pytest.raises(lk.ProcedureError, match="nothing to back out to"):
        pr.back_out(p)
    p.run(until="(6) install Exchange 2000 on A55 and restart it")
    restored = pr.back_out(p)
    vs = e55.server(restored)
    assert vs is not None and vs.mailboxes == 1200 and str(restored.groups["EX55"].state) == "Online"
    assert restored.clock.ms > c.clock.ms and not ex.installed_nodes(restored)
    assert any(e.what == "backed out" for e in restored.log)
    assert ex.installed_nodes(c) == ["A55"]                 # the half-upgraded cluster is left alone


STEP1 = "(1) back up everything offline, with System State"


def test_the_offline_backup_of_step_1_is_taken_with_exchange_stopped():
    c = _old55()
    p = pr.in_place_upgrade(c, pr.ExchangeSite())
    p.run(until=STEP1)
    vs = e55.server(c)
    assert all(str(c.resources[r].state) == "Offline" for r in vs.resources.values())
    assert str(c.resources["Disk E:"].state) == "Online" and str(c.groups["EX55"].state) != "Online"
    stopped = max(e.time for e in c.log.about(vs.resources["Information Store"]) if e.what.endswith("-> Offline"))
    [backup] = pr.backup_sets(c, kind="offline")
    assert stopped < c.clock.at(backup.taken_ms)                   # the databases were closed when copied
    snapshot, _ = p.backout
    assert str(snapshot.resources[vs.resources["Information Store"]].state) == "Offline"


def test_the_upgrades_interruption_counts_from_the_offline_backup():
    c = _old55()
    report = pr.in_place_upgrade(c, pr.ExchangeSite()).run()
    [i] = report.interruptions
    start, end = c.groups["EX55"].outages[-1]                        # the model's own record of the outage
    assert i.start == c.clock.at(start) == report.step(STEP1).started and i.end == c.clock.at(end)
    assert i.seconds == (end - start) / 1000 > sum(s.seconds for s in report.steps[2:])


def test_the_back_out_counts_its_own_outage():
    c = _old55()
    p = pr.in_place_upgrade(c, pr.ExchangeSite())
    p.run(until="(6) install Exchange 2000 on A55 and restart it")
    restored = pr.back_out(p)
    report = p.report()
    [i] = [x for x in report.interruptions if x.cause == "in-place upgrade, backed out"]
    start, end = restored.groups["EX55"].outages[-1]                 # from step 1 until the restored group is up
    assert i.start == c.clock.at(start) == report.step(STEP1).started and i.end == restored.clock.at(end)
    assert i.seconds == (end - start) / 1000 and i.users == 1200
    [row] = report.table("back-out")
    assert row["users cut off (h)"] == round(i.seconds / 3600, 2) and i.seconds > row["restore (h)"] * 3600
    assert i.seconds * 1000 > c.clock.ms - start                     # longer than the upgrade so far: the restore
    pr.back_out(p)                                                    # a second back-out replaces the figure
    assert len([x for x in p.report().interruptions if x.cause == "in-place upgrade, backed out"]) == 1


def test_in_place_upgrade_needs_an_exchange_55_cluster():
    c = reference_cluster()
    e = step_refused(pr.in_place_upgrade(c, pr.ExchangeSite()), lk.NotFoundError)
    assert "Exchange 5.5" in str(e)
    with pytest.raises(lk.ProcedureError, match="before step 1"):
        pr.in_place_upgrade(c, {"sp": 3})
    refused(c, lk.NotFoundError, pr.rename_folder, c, "Disk E:", "E:\\X", "Y")
