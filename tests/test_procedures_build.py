"""Building the cluster (paper, Windows 2000 Clustering Installation Requirements; Installing
Exchange 2000 Server; Creating Exchange 2000 Virtual Servers)."""
from dataclasses import replace

import pytest

import labkit as lk
from labkit import exchange as ex
from labkit import procedures as pr
from _procedures_support import EVS, reference_plan, refused, step_refused


def _with_disk(name, **kw):
    plan = reference_plan()
    plan.disks = [replace(d, **kw) if d.name == name else d for d in plan.disks]
    return pr.build_cluster(plan)


def test_the_reference_build_runs_green_in_the_papers_order():
    p = pr.build_cluster(reference_plan())
    report = p.run()
    assert report.complete and not report.advisories
    c = p.cluster
    assert c.node_ids() == ["1-CURLY", "2-MOE", "3-LARRY", "4-JERRY"] and c.quorum_owner == "1-CURLY"
    assert c.resources["Disk Q:"].properties["drive"] == "Q:"
    assert ex.installed_nodes(c) == c.node_ids()
    assert {g: (c.groups[g].owner, str(c.groups[g].state)) for g in ex.virtual_servers(c)} == {
        "EXVS1": ("1-CURLY", "Online"), "EXVS2": ("2-MOE", "Online"), "EXVS3": ("3-LARRY", "Online"),
        "EXVS4": ("4-JERRY", "Online")}
    assert c.resources["Disk E:"].properties["signature"] == "51A7E001"
    assert ex.virtual_server(c, "EXVS3").mailboxes == 1250
    names = report.done
    assert names.index("form the cluster on 1-CURLY") < names.index("join 2-MOE") < names.index(
        "run Exchange 2000 setup on 1-CURLY") < names.index("restart 1-CURLY after setup") < names.index(
        "run Exchange 2000 setup on 2-MOE")
    assert pr.audit_possible_owners(c).ok


def test_dynamic_shared_disks_are_refused_with_the_revert_to_basic_fix():
    p = _with_disk("Disk E:", disk_type="dynamic")
    p.next()
    e = step_refused(p, lk.ConfigurationError)
    assert e.rule == "shared cluster disks must be basic disks" and "Revert to Basic" in str(e)
    assert "Windows 2000 Clustering Installation Requirements" in e.source
    # the fix: delete the volumes (the option is greyed out otherwise), revert, sign, partition
    c = p.cluster
    e2 = refused(c, lk.StateError, pr.revert_to_basic, c, "Disk E:")
    assert "greyed out" in str(e2)
    pr.delete_volumes(c, "Disk E:")
    pr.revert_to_basic(c, "Disk E:")
    pr.create_partition(c, "Disk E:", "E:")
    assert p.run().complete


def test_shared_disks_must_have_a_signature():
    p = _with_disk("Disk L:", signature=None)
    p.next()
    e = step_refused(p, lk.ConfigurationError)
    assert e.rule == "shared disks have a signature"
    pr.write_signature(p.cluster, "Disk L:")
    p.next()


def test_shared_disks_must_be_partitioned_with_a_drive_letter():
    p = _with_disk("Disk M:", partitions=0, drive=None)
    p.next()
    e = step_refused(p, lk.ConfigurationError)
    assert e.rule == "shared disks hold a partition with a drive letter"
    refused(p.cluster, lk.NameConflictError, pr.create_partition, p.cluster, "Disk M:", "E:")
    pr.create_partition(p.cluster, "Disk M:", "M:")
    p.next()


def test_a_disk_is_signed_before_it_is_partitioned():
    c = lk.Cluster("LAB", ip="10.0.0.100")
    pr.add_shared_disk(c, "Disk E:")
    e = refused(c, lk.StateError, pr.create_partition, c, "Disk E:", "E:")
    assert e.rule == "a disk is initialised (signed) before it is partitioned"
    refused(c, lk.NotFoundError, pr.revert_to_basic, c, "Disk X:")
    refused(c, lk.ValidationError, pr.add_shared_disk, c, "Disk F:", disk_type="spanned")
    refused(c, lk.ValidationError, pr.add_shared_disk, c, "Disk F:", signature="xyz")


def test_the_cluster_is_formed_with_the_quorum_disk():
    plan = reference_plan()
    plan.disks = [d for d in plan.disks if d.name != "Disk Q:"]
    p = pr.build_cluster(plan)
    p.next()
    e = step_refused(p, lk.ConfigurationError)
    assert e.rule == "the quorum resource must be established to create the cluster"


def test_a_quorum_drive_other_than_q_is_an_advisory():
    plan = reference_plan(quorum_drive="R:")
    plan.disks[0] = pr.SharedDisk("Disk R:", "R:", signature="51A7E000", partitions=1)
    report = pr.build_cluster(plan).run()
    assert report.complete and report.advisories[0].rule == "identify the Q: drive as the quorum disk"


def test_domain_controllers_belong_outside_the_cluster():
    plan = reference_plan()
    plan.nodes[1] = pr.NodePlan("2-MOE", "132.192.1.20", roles=("DC", "GC"))
    plan.domain_controllers = []
    report = pr.build_cluster(plan).run()
    assert report.complete                                   # a warning, not a refusal
    rules = {a.rule for a in report.advisories}
    assert rules == {"keep domain controllers and global catalog servers outside the cluster"}
    assert "2-MOE is also a domain controller and global catalog server" in report.advisories[0].text
    assert "advisory: 2-MOE" in str(report)


def test_exchange_is_installed_one_node_at_a_time():
    p = pr.build_cluster(reference_plan())
    p.run(until="run Exchange 2000 setup on 1-CURLY")
    c = p.cluster
    e = refused(c, lk.ProcedureError, ex.install, c, "2-MOE")       # two at once: refused by labkit.exchange
    assert e.rule == "run one Exchange installation at a time"
    step_refused(p, step="run Exchange 2000 setup on 2-MOE")          # and the restart may not be skipped
    assert p.run().complete


def test_the_edition_limits_the_plan_before_anything_is_built():
    plan = reference_plan()
    plan.edition = "Advanced Server"
    with pytest.raises(lk.ProcedureError) as info:
        pr.build_cluster(plan)
    assert info.value.rule == "edition node limit" and "before step 1" in str(info.value)
    with pytest.raises(lk.ProcedureError):
        pr.build_cluster("a plan")


def test_a_virtual_server_on_a_disk_not_on_the_shared_bus_is_refused():
    plan = reference_plan()
    plan.virtual_servers[3] = pr.VirtualServerPlan("EXVS4", "132.192.1.41", "4-JERRY", ("Disk Z:",))
    p = pr.build_cluster(plan)
    p.run(until="create virtual server EXVS3")
    e = step_refused(p, lk.ConfigurationError)
    assert e.rule == "virtual servers use shared disks"


def test_disks_in_use_by_the_cluster_are_not_repartitioned():
    p = pr.build_cluster(reference_plan())
    p.run()
    refused(p.cluster, lk.StateError, pr.delete_volumes, p.cluster, "Disk E:")
    assert {r["disk"] for r in pr.shared_disks(p.cluster) if r["resource"]} >= {"Disk Q:", "Disk E:"}


# ------------------------------------------------------------------ the storage design
def test_the_built_cluster_follows_its_storage_design():
    p = pr.build_cluster(reference_plan())
    p.run()
    c = p.cluster
    for name, _, _, db, log in EVS:
        rows = {r["database"]: r for r in ex.layout(c, name)}
        box = rows[f"Mailbox Store ({name})"]
        assert (box["log_disk"], box["edb_disk"], box["stm_disk"]) == (log, db, db)      # Table 9: logs apart
        assert box["log_path"].startswith(c.resources[log].properties["drive"]) and box["mailboxes"] == 1250
    assert not any("dismounted" in e.what for e in c.log)          # moved before any store was mounted
    assert "logs on Disk L:" in p.report().step("create virtual server EXVS1").note


def test_the_plan_can_put_the_logs_and_the_streaming_store_on_disks_of_its_choice():
    plan = reference_plan()
    plan.disks.append(pr.SharedDisk("Disk S:", "S:", signature="51A7E0FF", partitions=1))
    plan.virtual_servers[0] = replace(plan.virtual_servers[0], disks=("Disk E:", "Disk S:", "Disk L:"),
                                      log_disk="Disk L:", stm_disk="Disk S:")
    p = pr.build_cluster(plan)
    assert p.run().complete
    box = next(r for r in ex.layout(p.cluster, "EXVS1") if r["kind"] == "mailbox")
    assert (box["log_disk"], box["edb_disk"], box["stm_disk"]) == ("Disk L:", "Disk E:", "Disk S:")
    assert box["stm_file"].startswith("S:\\")


def test_a_single_disk_plan_keeps_the_logs_with_the_databases():
    plan = reference_plan()
    plan.virtual_servers[1] = replace(plan.virtual_servers[1], disks=("Disk F:",))
    p = pr.build_cluster(plan)
    p.run()
    box = next(r for r in ex.layout(p.cluster, "EXVS2") if r["kind"] == "mailbox")
    assert box["log_disk"] == box["edb_disk"] == "Disk F:"


def test_a_log_disk_outside_the_virtual_servers_disks_is_refused_before_anything_is_built():
    plan = reference_plan()
    plan.virtual_servers[0] = replace(plan.virtual_servers[0], log_disk="Disk M:")     # EXVS2's
    with pytest.raises(lk.ProcedureError) as info:
        pr.build_cluster(plan)
    e = info.value
    assert "before step 1" in str(e) and isinstance(e.cause, lk.ConfigurationError)
    assert e.rule == "Exchange files sit only on the disks the System Attendant depends on"
    assert "Adding the System Attendant Resource" in e.source
