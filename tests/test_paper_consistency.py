"""Where labkit followed its own reading instead of the paper's words (issue 16), each
test written from the paper's sentence first.

- Scenario 1, step 1: "Restore only System State on the node and then install Exchange
  on the node." A restore needs a backup: Scenario 1 refuses without one, as Scenario 2
  does (its cluster database comes from a System State backup, KB 248998).
- "When prompted, do not remove the Exchange cluster resources unless this is the last
  cluster node running Exchange services." On the last node the Remove takes them.
- "Finally, it is recommended that Exchange 5.5 be running Service Pack 3 (SP3) before
  attempting this procedure." Recommended: an advisory, not a refusal.
- FailoverThreshold: the message says the threshold is exceeded in words that add up.
- Error sources name the paper, a Microsoft source or a repository file -- never the
  design notes outside the repository (``mscs-reference.md``).
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

import labkit as lk
from labkit import exchange as ex
from labkit import procedures as pr
from labkit import scenarios
from labkit.views.widgets import apply_action
from labkit.scenarios import file_share_cluster

ROOT = Path(__file__).resolve().parents[1]
NINE = {t.name for t in ex.EXCHANGE_TYPES}


# ------------------------------------------------------------ Scenario 1 and System State
def _lost_node(backup: bool):
    c = scenarios.four_node_5000()
    if backup:
        pr.take_system_state_backup(c, "2-MOE")
    c.crash_node("2-MOE")
    c.run_until_stable()
    return c


def test_scenario1_restores_system_state_from_a_backup_of_the_node():
    c = _lost_node(backup=True)
    report = pr.single_node_failure(c, "2-MOE", "5-SHEMP", "132.192.1.50", group="EXVS2").run()
    assert report.complete
    restored = [e for e in c.log if e.what == "System State restored"]
    assert restored and "System State 2-MOE" in restored[-1].why


def test_scenario1_without_a_system_state_backup_is_refused_like_scenario2():
    c = _lost_node(backup=False)
    p = pr.single_node_failure(c, "2-MOE", "5-SHEMP", "132.192.1.50", group="EXVS2")
    with pytest.raises(lk.ProcedureError) as e:
        p.run()
    assert "System State" in str(e.value) and "Scenario 1" in str(e.value)
    assert p.report().step("restore System State on the new node").status != "done"
    # Scenario 2 refuses in the same words of rule: a restore needs a System State backup
    q = scenarios.four_node_5000()
    q.inject_fault(q.quorum_resource, persistent=True, everywhere=True)
    q.run_until_stable()
    with pytest.raises(lk.ProcedureError) as e2:
        pr.quorum_disk_failure(q).run()
    assert "System State backup" in str(e2.value)


# ------------------------------------------------------------ binaries from the last node
def test_removing_exchange_from_the_last_node_removes_the_exchange_cluster_resources():
    c = ex.demo_cluster()
    pr.remove_virtual_server(c, "EXVS1").run()
    assert NINE <= set(c.resource_types)
    report = pr.remove_exchange_binaries(c, ["1-CURLY", "2-MOE"]).run()
    assert report.complete
    assert not ex.installed_nodes(c)
    assert not NINE & set(c.resource_types), "the last node's Remove takes the Exchange resource types"
    assert "Exchange cluster resources removed" in [e.what for e in c.log]


def test_removing_exchange_from_another_node_keeps_the_exchange_cluster_resources():
    c = ex.demo_cluster()
    c.move_group("EXVS1", "2-MOE")
    c.run_until_stable()
    ex.uninstall(c, "1-CURLY")
    assert NINE <= set(c.resource_types)
    with pytest.raises(lk.ProcedureError):
        ex.uninstall(c, "2-MOE", remove_cluster_resources=True)   # EXVS1 still runs there
    before = c.to_dict()
    c2 = ex.demo_cluster()
    with pytest.raises(lk.ProcedureError) as e:
        ex.uninstall(c2, "2-MOE", remove_cluster_resources=True)  # not the last node
    assert "last" in e.value.rule
    assert c.to_dict() == before


# ------------------------------------------------------------ Service Pack 3 is recommended
def test_exchange55_service_pack_3_is_recommended_not_required():
    site = replace(pr.ExchangeSite(), exchange55_service_pack=2)
    report = pr.in_place_upgrade(scenarios.two_node_active_passive_55(), site).run()
    assert report.complete
    assert any("Service Pack 3" in str(a) and "recommended" in str(a) for a in report.advisories)
    ok = pr.in_place_upgrade(scenarios.two_node_active_passive_55(), pr.ExchangeSite()).run()
    assert not any("Service Pack" in str(a) for a in ok.advisories)


# ------------------------------------------------------------ messages
def test_failover_threshold_message_says_it_is_exceeded():
    c = file_share_cluster()
    c.set_resource_properties("Share FS", restart_threshold=0)
    c.set_group_properties("FS", failover_threshold=1)
    for _ in range(2):
        apply_action(c, "fail_resource", resource="Share FS", settle=True)
    [e] = [e for e in c.log.about("FS") if e.what == "left failed and offline"]
    assert "FailoverThreshold exceeded" in e.why
    assert "failover 2 in 6 h" in e.why and "above the threshold of 1" in e.why


def test_no_source_cites_the_design_notes_outside_the_repository():
    hits = []
    for folder in ("labkit", "notebooks", "solutions", "exercises", "docs"):
        for p in (ROOT / folder).rglob("*"):
            if p.suffix in (".py", ".ipynb", ".md") and "mscs-reference" in p.read_text(errors="replace"):
                hits.append(str(p.relative_to(ROOT)))
    assert not hits, hits


@pytest.mark.skipif(__import__("labkit.grading.release", fromlist=["is_release"]).is_release(),
                    reason="a learner release ships no checks, so it cannot tell which exercise a notebook is")
def test_labkit_check_on_a_teaching_notebook_names_the_exercise_to_check():
    from labkit.grading import grader
    rep = grader.grade_notebook(ROOT / "notebooks" / "07_load_planning_and_failover.ipynb")
    assert rep.status == "error"
    assert "labkit check exercises/07_load_planning_and_failover.ipynb" in rep.error
