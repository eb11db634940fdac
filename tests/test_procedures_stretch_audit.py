"""Site disaster on a stretch cluster; the possible-owner audit."""
import pytest

import labkit as lk
from labkit import exchange as ex
from labkit import procedures as pr
from _procedures_support import reference_cluster, refused, step_refused


def _stretch():
    c = ex.demo_cluster()
    ex.add_mailboxes(c, "EXVS1", "Mailbox Store (EXVS1)", 800)
    pr.configure_stretch(c, initiator=["1-CURLY"], target=["2-MOE"], distance_km=8)
    return c


def test_losing_the_initiator_site_stops_the_cluster():
    c = _stretch()
    pr.site_disaster(c)
    assert not c.running and str(c.nodes["1-CURLY"].state) == "Down"
    assert pr.state(c).stretch.state == "initiator lost" and "Disk Q:" in pr.state(c).stretch.lost_disks
    e = refused(c, lk.QuorumError, c.start_node, "2-MOE")           # the survivor has no quorum disk
    assert "quorum" in e.rule


def test_the_manual_recovery_at_the_target_site_brings_the_cluster_back_within_minutes():
    c = _stretch()
    pr.site_disaster(c)
    report = pr.site_recovery(c).run()
    assert report.complete and c.running and c.groups["EXVS1"].owner == "2-MOE"
    timeline = {r["phase"]: r["minutes"] for r in report.table("timeline")}
    assert timeline["declare the disaster"] == 15 and timeline["DRM failover"] == 10
    assert 30 < timeline["total"] < 35
    [i] = [i for i in report.interruptions if i.group == "EXVS1"]
    assert i.users == 800 and i.seconds == pytest.approx(timeline["total"] * 60, abs=60)


def test_the_recovery_time_follows_the_named_assumptions():
    c = _stretch()
    pr.site_disaster(c)
    fast = pr.Assumptions(disaster_decision_min=5, drm_failover_min=2, present_storage_min=1)
    total = pr.site_recovery(c, assumptions=fast).run().table("timeline")[-1]["minutes"]
    assert total < 10


def test_a_stretch_cluster_has_two_nodes_at_most_10_km_apart():
    c = ex.demo_cluster()
    e = refused(c, lk.ConfigurationError, pr.configure_stretch, c, ["1-CURLY"], ["2-MOE"], distance_km=12)
    assert "10 km" in e.rule and "HA/F500" in e.source
    c4 = reference_cluster()
    e = refused(c4, lk.LimitError, pr.configure_stretch, c4, ["1-CURLY"], ["2-MOE"])
    assert e.rule == "a stretch cluster has two nodes"
    refused(c, lk.ValidationError, pr.configure_stretch, c, ["1-CURLY"], ["1-CURLY"])


def test_recovery_is_for_a_lost_initiator_site():
    c = _stretch()
    e = step_refused(pr.site_recovery(c), lk.StateError)
    assert e.rule == "recover after the initiator site is lost"
    e = step_refused(pr.site_recovery(ex.demo_cluster()), lk.ConfigurationError)
    assert e.rule == "site recovery applies to stretch clusters"
    pr.site_disaster(c)
    refused(c, lk.StateError, pr.site_disaster, c)


def test_the_survivor_must_be_a_possible_owner_of_every_resource():
    c = _stretch()
    for r in c.groups["EXVS1"].resources:
        c.set_possible_owners(r, ["1-CURLY"])
    pr.site_disaster(c)
    p = pr.site_recovery(c)
    p.run(until="start the cluster service on the surviving node")
    e = step_refused(p, lk.ProcedureError)
    assert e.rule == "every group runs at the target site" and "possible owner" in str(e)


# -------------------------------------------------------------------- audit
def _late_nodes():
    """EXVS1 and EXVS2 created while only two nodes had joined (the paper's warning)."""
    c = lk.Cluster("FOUR-STOOGES", ip="132.192.1.100", edition="Datacenter")
    for n, ip in (("1-CURLY", "132.192.1.10"), ("2-MOE", "132.192.1.20")):
        c.add_node(n, ip=ip)
        ex.install(c, n)
        c.run_until_stable()
    ex.create_virtual_server(c, "EXVS1", ip="132.192.1.11", disks=["Disk E:"], node="1-CURLY")
    ex.create_virtual_server(c, "EXVS2", ip="132.192.1.21", disks=["Disk F:"], node="2-MOE")
    for n, ip in (("3-LARRY", "132.192.1.30"), ("4-JERRY", "132.192.1.40")):
        c.add_node(n, ip=ip)
        ex.install(c, n)
        c.run_until_stable()
    return c


def test_the_audit_finds_resources_created_before_every_node_joined():
    c = _late_nodes()
    a = pr.audit_possible_owners(c)
    assert not a.ok and len(a.findings) == 12 + 11
    assert {f.missing for f in a.findings} == {("3-LARRY", "4-JERRY")}
    assert {"Physical Disk", "IP Address", "Network Name", "Microsoft Exchange System Attendant"} <= {
        f.type for f in a.findings}
    assert "miss some of them" in str(a) and "<table>" in a._repr_html_()
    refused(c, lk.OwnershipError, c.move_group, "EXVS1", "3-LARRY")      # what the warning is about


def test_the_audit_procedure_fixes_the_possible_owners():
    c = _late_nodes()
    report = pr.possible_owner_audit(c).run()
    assert report.complete and len(report.table("findings")) == 23 and pr.audit_possible_owners(c).ok
    c.online_group("EXVS1")
    c.run_until_stable()
    c.move_group("EXVS1", "4-JERRY")
    c.run_until_stable()
    assert c.groups["EXVS1"].owner == "4-JERRY"


def test_a_node_without_exchange_is_not_demanded():
    c = _late_nodes()
    c2 = lk.Cluster("TWO", ip="10.0.0.100")
    c2.add_node("A", ip="10.0.0.1")
    ex.install(c2, "A")
    c2.run_until_stable()
    ex.create_virtual_server(c2, "EXVS1", ip="10.0.0.11", disks=["Disk E:"], node="A")
    c2.add_node("B", ip="10.0.0.2")                 # Exchange not installed on B
    assert pr.audit_possible_owners(c2).ok and pr.fix_possible_owners(c2) == 0
    assert pr.audit_possible_owners(c).exchange_nodes == ("1-CURLY", "2-MOE", "3-LARRY", "4-JERRY")
