"""Backups of a clustered Exchange server (paper, Disaster Recovery Considerations)."""
import pytest

import labkit as lk
from labkit import exchange as ex
from labkit import procedures as pr
from _procedures_support import reference_cluster, refused


def _outcomes(c):
    return {h["job"]: h["outcome"] for h in pr.backup_history(c)}


def test_after_a_crash_the_node_bound_job_is_missed_and_the_name_bound_job_runs():
    c = reference_cluster()
    report = pr.backup_binding_drill(c, "EXVS1", failover="crash").run()
    assert report.complete
    assert _outcomes(c) == {"EXVS1 on 1-CURLY": "missed", "EXVS1 by name": "completed"}
    done = [h for h in pr.backup_history(c) if h["outcome"] == "completed"][0]
    assert done["node"] == c.groups["EXVS1"].owner != "1-CURLY"
    log = [e.what for e in c.log if e.obj.startswith("backup job EXVS1")]
    assert "backup missed" in log and "backup completed" in log
    assert pr.backup_sets(c, source="EXVS1", kind="exchange")[0].databases[0]["mailboxes"] == 1250


def test_after_a_planned_move_the_node_bound_job_fails():
    c = reference_cluster()
    report = pr.backup_binding_drill(c, "EXVS2", failover="move").run()
    assert _outcomes(c) == {"EXVS2 on 2-MOE": "failed", "EXVS2 by name": "completed"}
    why = [r["why"] for r in report.table("backups") if r["outcome"] == "failed"][0]
    assert "is not on 2-MOE" in why and "not local" in why


def test_a_non_cluster_aware_agent_restarts_from_the_beginning_after_a_failover():
    c = reference_cluster()
    report = pr.backup_interruption_drill(c, "EXVS1", interrupt_after_min=60).run()
    [h] = pr.backup_history(c)
    assert h["outcome"] == "completed" and h["restarts"] == 1 and h["node"] != "1-CURLY"
    assert report.table("cost")[0]["work redone (h)"] == pytest.approx(1.0, abs=0.02)
    whats = [e.what for e in c.log.about("backup job EXVS1 by name")]
    assert any(w.startswith("backup halted") for w in whats)
    assert any("restarted from the beginning" in e.why for e in c.log.about("backup job EXVS1 by name"))


def test_a_cluster_aware_agent_resumes_and_finishes_an_hour_earlier():
    a, b = reference_cluster(), reference_cluster()
    pr.backup_interruption_drill(a, "EXVS1").run()
    pr.backup_interruption_drill(b, "EXVS1", cluster_aware=True).run()
    ha, hb = pr.backup_history(a)[0], pr.backup_history(b)[0]
    assert hb["restarts"] == 0 and ha["hours"] - hb["hours"] == pytest.approx(1.0, abs=0.05)


def test_lan_backups_are_slower_than_local_ones_by_the_named_throughput():
    c = reference_cluster()
    rows = pr.backup_durations(c)
    assert rows[1]["size_mb"] == 1250 * 25 and rows[1]["lan_h"] == pytest.approx(2 * rows[1]["local_h"], rel=0.01)
    fast = pr.backup_durations(c, pr.Assumptions(lan_backup_mb_s=6.0))
    assert fast[1]["lan_h"] == fast[1]["local_h"]
    pr.add_backup_job(c, "local", "EXVS2", bound_to="name", path="local")
    pr.add_backup_job(c, "lan", "EXVS3", bound_to="name", path="lan")
    c.run(hours=18)
    h = {r["job"]: r["hours"] for r in pr.backup_history(c)}
    assert h["lan"] == pytest.approx(2 * h["local"], rel=0.02)


def test_backup_jobs_are_appointments_run_by_the_clock_not_by_run_until_stable():
    c = reference_cluster()
    pr.add_backup_job(c, "n", "EXVS1", bound_to="name")
    c.run_until_stable()
    assert pr.backup_history(c) == []
    c.run(hours=24 + 20)                              # to 05:00 on the third day: two nights
    assert [h["outcome"] for h in pr.backup_history(c)] == ["completed", "completed"]   # every night


def test_a_name_bound_job_targets_the_virtual_servers_name():
    c = reference_cluster()
    e = refused(c, lk.ValidationError, pr.add_backup_job, c, "x", "EXVS1", bound_to="name", target="2-MOE")
    assert e.rule == "clients and agents reach a virtual server by its name"
    refused(c, lk.ValidationError, pr.add_backup_job, c, "x", "EXVS1", bound_to="cluster")
    refused(c, lk.ValidationError, pr.add_backup_job, c, "x", "EXVS1", bound_to="node", path="tape")
    refused(c, lk.ValidationError, pr.add_backup_job, c, "x", "EXVS1", bound_to="node", hour=24)
    refused(c, lk.NotFoundError, pr.add_backup_job, c, "x", "EXVS9", bound_to="node")
    refused(c, lk.NotFoundError, pr.add_backup_job, c, "x", "EXVS1", bound_to="node", target="9-NOBODY")
    pr.add_backup_job(c, "x", "EXVS1", bound_to="node")
    refused(c, lk.NameConflictError, pr.add_backup_job, c, "x", "EXVS1", bound_to="node")
    pr.remove_backup_job(c, "x")
    refused(c, lk.NotFoundError, pr.remove_backup_job, c, "x")


def test_system_state_is_backed_up_from_a_running_cluster_node():
    c = reference_cluster()
    b = pr.take_system_state_backup(c, "3-LARRY")
    assert (b.kind, b.node) == ("system state", "3-LARRY") and pr.backup_sets(c, kind="system state") == [b]
    c.crash_node("3-LARRY")
    e = refused(c, lk.StateError, pr.take_system_state_backup, c, "3-LARRY")
    assert "KB 248998" in e.source


def test_a_removed_virtual_server_fails_its_backup():
    c = reference_cluster()
    pr.add_backup_job(c, "n", "EXVS2", bound_to="name")
    c.offline_group("EXVS2")
    c.run_until_stable()
    ex.remove_virtual_server(c, "EXVS2")
    c.run(hours=14)
    assert pr.backup_history(c)[0]["outcome"] == "failed"


def test_the_drill_refuses_an_unknown_failover():
    with pytest.raises(lk.ProcedureError, match="before step 1"):
        pr.backup_binding_drill(reference_cluster(), "EXVS1", failover="flood")


def test_every_nightly_run_backs_up_the_whole_store_from_the_beginning():
    """Two nights of the same job: the second run takes as long as the first (it does
    not start where the first one finished) and its set is taken when it completes."""
    c = reference_cluster()
    pr.add_backup_job(c, "NIGHTLY EXVS1", "EXVS1", bound_to="name")
    c.run(hours=44)                                   # 09:00 day 1 -> 05:00 day 3: two nights
    first, second = pr.backup_history(c, "NIGHTLY EXVS1")
    assert first["outcome"] == second["outcome"] == "completed"
    assert second["hours"] == pytest.approx(first["hours"], abs=0.01) and second["hours"] > 0.5
    assert second["at_ms"] - first["at_ms"] == 24 * 3_600_000
    late = pr.backup_sets(c, source="EXVS1", kind="exchange")[-1]
    assert late.taken_ms - second["at_ms"] == pytest.approx(second["hours"] * 3_600_000, abs=40_000)
