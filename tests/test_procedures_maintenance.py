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


# ------------------------------------------------------------------ the core keeps a paused node paused
def test_the_upgraded_node_comes_back_paused_without_being_paused_again():
    c = reference_cluster()
    p = pr.rolling_upgrade(c, ["1-CURLY", "2-MOE"])
    p.run(until="1-CURLY: pause")
    mark = len(c.log)
    p.next()                                                        # upgrade and restart
    assert str(c.nodes["1-CURLY"].state) == "Paused" and c.nodes["1-CURLY"].paused
    mine = [e.what for e in c.log.since(mark) if e.obj == "1-CURLY"]
    assert "Joining -> Paused" in mine and "Up -> Paused" not in mine     # the core did it, not the runbook
    assert "still paused" in p.report().step("1-CURLY: upgrade and restart").note


# ------------------------------------------------------------------ failback policy, checked at step 1
def _failback(c, window):
    for g in ex.virtual_servers(c):
        c.set_group_properties(g, auto_failback=True, failback_window=window)
    return c


def test_failback_at_any_hour_is_refused_at_step_1():
    c = _failback(reference_cluster(), None)
    e = step_refused(pr.rolling_upgrade(c), lk.ConfigurationError)
    assert e.step_index == 1 and e.rule.startswith("no group fails back on its own during a rolling upgrade")
    assert "AutoFailbackType" in e.source and "at any hour" in str(e) and "failback_window=(22, 6)" in str(e)


def test_a_failback_window_that_opens_during_the_upgrade_is_refused_at_step_1():
    c = _failback(reference_cluster(), None)
    h = (c.now.hour + 1) % 24                                        # opens within the upgrade's ~1.7 h
    for g in ex.virtual_servers(c):
        c.set_group_properties(g, failback_window=(h, (h + 2) % 24))
    assert 1 < pr.estimate_hours(c, c.node_ids()) < 3
    e = step_refused(pr.rolling_upgrade(c), lk.ConfigurationError)
    assert e.step_index == 1 and f"opens at {h:02d}:00" in str(e)


def test_a_failback_window_closed_for_the_whole_upgrade_lets_it_run_and_prove_its_moves():
    c = _failback(reference_cluster(), (22, 6))
    report = pr.rolling_upgrade(c).run()
    assert report.complete and all(r["ok"] for r in report.table("proof"))
    assert not any(e.what.startswith("failback to") for e in c.log)


def test_the_runbook_can_set_the_failback_window_it_asks_for():
    c = _failback(reference_cluster(), None)
    report = pr.rolling_upgrade(c, failback_window=(22, 6)).run()
    assert report.complete and "failback window 22-06 h set on EXVS1, EXVS2, EXVS3, EXVS4" in report.steps[0].note
    assert all(c.groups[g].failback_window == (22, 6) for g in ex.virtual_servers(c))
    with pytest.raises(lk.ProcedureError, match="before step 1"):
        pr.rolling_upgrade(c, failback_window=(22, 22))


def test_a_group_that_would_fail_back_at_once_stops_the_resume():
    c = _failback(reference_cluster(), (22, 6))
    p = pr.rolling_upgrade(c, ["1-CURLY"])
    p.run(until="1-CURLY: upgrade and restart")
    c.set_group_properties("EXVS1", failback_window=None)             # changed during the maintenance
    e = step_refused(p, lk.ConfigurationError)
    assert e.step == "1-CURLY: resume" and "EXVS1 would fail back to 1-CURLY" in str(e)
    assert str(c.nodes["1-CURLY"].state) == "Paused"


def test_failback_risks_lists_what_could_move_on_its_own():
    c = _failback(reference_cluster(), (22, 6))
    assert pr.failback_risks(c, ["1-CURLY"], hours=2) == []
    rows = pr.failback_risks(c, ["1-CURLY"], hours=14)
    assert [r["group"] for r in rows] == ["EXVS1"] and rows[0]["opens"] == "22:00"   # only EXVS1 prefers 1-CURLY
    with pytest.raises(lk.ValidationError):
        pr.failback_risks(c, "1-CURLY")
