"""Planned maintenance: the rolling upgrade."""
import pytest

import labkit as lk
from labkit import exchange as ex
from labkit import procedures as pr
from _procedures_support import reference_cluster, step_refused


def test_the_rolling_upgrade_runs_green_on_the_reference_cluster():
    c = reference_cluster()
    before = {g: c.groups[g].owner for g in c.groups}
    report = pr.rolling_upgrade(c).run()
    assert report.complete and len(report.steps) == 2 + 5 * 4
    assert {g: c.groups[g].owner for g in c.groups} == before           # every group back home
    assert all(c.nodes[n].properties["procedures.upgrades"] == ["Windows 2000 Service Pack 2"] for n in c.nodes)
    assert all(str(c.nodes[n].state) == "Up" for n in c.nodes)


def test_every_move_reports_its_client_interruption():
    c = reference_cluster()
    moves = pr.rolling_upgrade(c).run().table("moves")
    exchange = [m for m in moves if m["group"].startswith("EXVS")]
    assert len(exchange) == 8 and all(m["users"] == 1250 for m in exchange)
    assert all(0 < m["offline s"] <= m["move s"] for m in moves)


def test_no_group_is_ever_offline_longer_than_its_move():
    c = reference_cluster()
    report = pr.rolling_upgrade(c).run()
    proof = report.table("proof")
    assert all(r["ok"] and r["outside a move"] == 0 and r["longest outage s"] <= r["its move s"] for r in proof)
    assert {r["group"] for r in proof} == set(c.groups)


def test_the_proof_catches_an_outage_outside_a_move():
    c = reference_cluster()
    t0 = c.clock.ms
    c.set_resource_properties(ex.virtual_server(c, "EXVS3").information_store, restart_threshold=0)
    c.fail_resource(ex.virtual_server(c, "EXVS3").information_store)   # a failover, not a planned move
    c.run_until_stable()
    rows = {r["group"]: r for r in pr.prove_moves(c, [], t0)}
    assert not rows["EXVS3"]["ok"] and rows["EXVS1"]["ok"]


def test_a_paused_node_takes_no_group():
    c = reference_cluster()
    p = pr.rolling_upgrade(c, ["1-CURLY", "2-MOE"])
    p.run(until="1-CURLY: pause")
    assert c.groups_on("1-CURLY") == [] and str(c.nodes["1-CURLY"].state) == "Paused"
    with pytest.raises(lk.OwnershipError):
        c.move_group("EXVS2", "1-CURLY")
    assert pr.choose_target(c, "EXVS2") != "1-CURLY"


def test_groups_go_where_the_storage_groups_fit():
    c = reference_cluster()
    for sg in ("SG2", "SG3"):
        ex.add_storage_group(c, "EXVS2", sg, log_disk="Disk M:")
    # 2-MOE now mounts 3 storage groups: EXVS1 (1) fits there, but nothing else would
    assert pr.choose_target(c, "EXVS1") == "2-MOE"
    ex.add_storage_group(c, "EXVS2", "SG4", log_disk="Disk M:")
    assert pr.choose_target(c, "EXVS1") == "3-LARRY"


def test_a_rolling_upgrade_needs_another_node():
    c = lk.Cluster("ONE", ip="10.0.0.100")
    c.add_node("A", ip="10.0.0.1")
    c.run_until_stable()
    e = step_refused(pr.rolling_upgrade(c), lk.StateError)
    assert e.rule == "move the groups to another node during maintenance"
    with pytest.raises(lk.ProcedureError, match="before step 1"):
        pr.rolling_upgrade(c, ["A", "A"])
    e = step_refused(pr.rolling_upgrade(reference_cluster(), ["9-NOBODY"]), lk.NotFoundError)


def test_a_group_that_cannot_move_stops_the_upgrade_of_its_node():
    c = reference_cluster()
    for r in c.groups["EXVS4"].resources:
        c.set_possible_owners(r, ["4-JERRY"])
    p = pr.rolling_upgrade(c, ["4-JERRY"])
    p.next()
    e = step_refused(p, lk.OwnershipError)
    assert "EXVS4" in str(e) and e.step == "4-JERRY: move its groups away"
