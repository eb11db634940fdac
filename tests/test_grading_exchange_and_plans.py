"""Grading Exchange clusters and planning objects, without kernels: planning objects
cross from the learner's kernel as tagged plain data and are built again through their
constructors; Exchange 2000 clusters are rebuilt by replaying setup, the System
Attendant and the Exchange commands, with the product's limits not open to change;
and the checks of exercises 04-11 compute what they expect from the model."""
import json
from dataclasses import dataclass, replace

import pytest

from labkit import exchange as ex
from labkit import grading, planning, scenarios
from labkit import procedures as pr
from labkit.grading import answers
from labkit.grading.api import Wrong
from labkit.planning.raid import Array

from _procedures_support import reference_plan


def _conf(c):
    """What a rebuild must reproduce: configuration, owners and states, the Exchange
    organisation, accounts and node states (not the log, the clock or queued work)."""
    d = c.to_dict()
    res = {r["name"]: (r["type"], r["group"], sorted(r["dependencies"]), sorted(r["possible_owners"]),
                       r["properties"], r["monitor"]) for r in d["resources"]}
    grp = {g["name"]: (g["preferred_owners"], g["owner"], g["state"], g["auto_failback"], g["failback_window"],
                       g["failover_threshold"]) for g in d["groups"]}
    nodes = {n["name"]: (n["id"], n["ip"], n["state"]) for n in d["nodes"]}
    org = d["extensions"].get("exchange")
    if org:
        org = {k: v for k, v in org.items() if k != "installing"}
    return res, grp, nodes, org, d["accounts"]


def _rebuilt(c, name="c"):
    return grading.rebuild_cluster(answers.encode(c)["data"], name=name)


# ----------------------------------------------------------- planning objects as answers
@pytest.mark.parametrize("value, kind", [
    (planning.table9(), planning.StorageDesign),
    (planning.plan_storage(1000, 2, assumptions=planning.storage.profile_2003("heavy")), planning.StorageDesign),
    (planning.table10(), planning.NamingPlan),
    (planning.plan_load("standby", 4, 5000, failback_window=(1, 5)), planning.LoadPlan),
    (reference_plan(), pr.ClusterPlan),
    (pr.ExchangeSite(connection_agreements=[pr.ConnectionAgreement("CA-HQ", "EX55")]), pr.ExchangeSite),
])
def test_planning_objects_cross_as_plain_data_and_come_back_equal(value, kind):
    sent = answers.encode(value)
    assert sent["kind"] == "value" and json.loads(json.dumps(sent)) == sent      # nothing but JSON crosses
    assert answers.convert("x", sent, kind) == value


def test_a_planning_object_of_the_wrong_kind_is_a_wrong_answer():
    with pytest.raises(Wrong, match="`plan` should be a LoadPlan, not StorageDesign"):
        answers.convert("plan", answers.encode(planning.table9()), planning.LoadPlan)
    with pytest.raises(Wrong, match="`plan` is a Cluster; this question wants LoadPlan"):
        answers.convert("plan", answers.encode(ex.demo_cluster()), planning.LoadPlan)
    with pytest.raises(Wrong, match="should be a StorageDesign, not a dict"):
        answers.convert("d", answers.encode({"arrays": []}), planning.StorageDesign)


def _design_data():
    return answers.encode(planning.table9())


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d["arrays"][0]["array"].update({"__type__": "subprocess.Popen"}), "planning objects only"),
    (lambda d: d["arrays"][0].update(colour="red"), "fields labkit does not know: colour"),
    (lambda d: d["arrays"][1]["array"].update(drives=3), "not a valid Array: a RAID 1 array cannot have 3 drives"),
    (lambda d: d["arrays"][1]["array"].update(drives="two"), "not a valid Array"),
    (lambda d: d["arrays"][1]["array"].update(level="RAID 7"), "unknown RAID level"),
    (lambda d: d["arrays"][1]["holds"][0].update(role="mail"), "unknown role"),
    (lambda d: d["spares"][0].update(drive=None), "not a valid OnlineSpare"),
    (lambda d: d.update(arrays=[{"__type__": "labkit.planning.raid.Array", "level": "RAID 1", "drives": 2}] * 30_000),
     "too large to grade"),
])
def test_a_forged_or_broken_planning_object_is_a_wrong_answer_not_a_crash(mutate, message):
    sent = _design_data()
    mutate(sent["data"])
    with pytest.raises(Wrong, match=message):
        answers.convert("design", sent, planning.StorageDesign)


def test_only_labkit_dataclasses_leave_the_kernel():
    @dataclass
    class Mine:
        x: int = 1
    assert answers.encode(Mine())["kind"] == "unreadable"
    assert answers.encode({"a": {1, 2}})["data"] == {"a": [1, 2]}                  # sets as before
    assert answers.to_plain(planning.Strategy.BALANCED) == "Balanced / cascading"


def test_tuples_come_back_as_tuples_where_the_field_says_so():
    plan = answers.convert("p", answers.encode(planning.plan_load("balanced", 3, 3000)), planning.LoadPlan)
    assert isinstance(plan.virtual_servers[0].preferred_owners, tuple)
    cp = answers.convert("b", answers.encode(reference_plan()), pr.ClusterPlan)
    assert isinstance(cp.nodes, list) and isinstance(cp.virtual_servers[0].disks, tuple)


# ------------------------------------------------------------- Exchange clusters rebuilt
def _busy_cluster():
    """Two virtual servers sharing a group, a deleted MS Search, a component, clients, a
    storage group with a database and mailboxes, a delegated account and a paused node."""
    c = ex.demo_cluster()
    c.offline_group("EXVS1")
    c.run_until_stable()
    ex.create_virtual_server(c, "EXVS2", ip="132.192.1.21", disks=["Disk L:", "Disk E:"], group="EXVS1")
    c.delete_resource(ex.virtual_server(c, "EXVS1").resources["MS Search"])
    ex.add_component(c, "EXVS2", "NNTP Protocol")
    ex.set_clients(c, "EXVS1", mapi=100, pop3=5)
    ex.add_storage_group(c, "EXVS2", "SG2", log_disk="Disk L:")
    ex.add_database(c, "EXVS2", "SG2", "Sales", edb_disk="Disk E:")
    ex.add_mailboxes(c, "EXVS2", "Sales", 42)
    c.add_account("CORP\\ExchAdmins", [ex.FULL_ADMIN])
    c.set_group_properties("EXVS1", failback_window=(1, 5), auto_failback=True)
    c.online_group("EXVS1", "2-MOE")
    c.run_until_stable()
    c.pause_node("1-CURLY")
    return c


@pytest.mark.parametrize("make", [ex.demo_cluster, scenarios.four_node_5000, lambda: scenarios.flawed_design().cluster,
                                  lambda: scenarios.exchange_cluster(3, 3000, storage_groups_per_server=2).cluster,
                                  _busy_cluster],
                         ids=["demo", "figure7", "flawed", "3-nodes-2-sgs", "busy"])
def test_an_exchange_cluster_is_rebuilt_with_the_same_configuration(make):
    c = make()
    r = _rebuilt(c)
    assert r is not c and _conf(r) == _conf(c)


def test_the_rebuild_replays_setup_so_a_late_node_stays_missing_from_possible_owners():
    """The flawed design's 4-JERRY got Exchange after the virtual servers: the rebuild
    installs Exchange everywhere first, then sets the snapshot's possible owners."""
    r = _rebuilt(scenarios.flawed_design().cluster)
    assert ex.installed_nodes(r) == ["1-CURLY", "2-MOE", "3-LARRY", "4-JERRY"]
    assert {f.subject for f in planning.check_possible_owners(r)} == {"EXVS1", "EXVS2"}


def test_storage_moved_with_exchange_system_manager_is_rebuilt_where_it_was_moved():
    """Moves while the store is mounted (dismounts logged) and of a database created
    elsewhere: the rebuild replays the moves once setup's default storage exists."""
    c = ex.demo_cluster()
    ex.add_mailboxes(c, "EXVS1", "Mailbox Store (EXVS1)", 200)
    ex.move_storage_group_logs(c, "EXVS1", ex.FIRST_SG, "Disk L:")
    c.run(seconds=60)
    ex.move_database(c, "EXVS1", ex.FIRST_SG, "Public Folder Store (EXVS1)", stm_disk="Disk L:")
    ex.add_storage_group(c, "EXVS1", "SG2", log_disk="Disk E:")
    ex.add_database(c, "EXVS1", "SG2", "Sales", edb_disk="Disk E:")
    c.run(seconds=60)
    ex.move_storage_group_logs(c, "EXVS1", "SG2", "Disk L:")
    c.run(seconds=60)                                                # the remount
    ex.move_database(c, "EXVS1", "SG2", "Sales", edb_disk="Disk L:")
    c.run(seconds=60)
    r = _rebuilt(c)
    assert ex.layout(r) == ex.layout(c) and ex.virtual_server(r, "EXVS1").dismounts == []    # history: not replayed
    assert str(r.groups["EXVS1"].state) == "Online"
    moved = [e.what for e in r.log.about("EXVS1") if "moved" in e.what]
    assert moved == ["transaction logs of 'First Storage Group' moved", "database 'Public Folder Store (EXVS1)' moved"]


def test_a_paused_node_stays_paused_in_the_rebuild_even_if_it_was_down():
    """Pause persists across a restart (Node.paused): a paused node that crashed comes back
    Paused, so the rebuild, where every node starts Up, pauses it."""
    c = ex.demo_cluster()
    c.pause_node("2-MOE")
    c.crash_node("2-MOE")
    c.run_until_stable()
    assert c.nodes["2-MOE"].paused and str(c.nodes["2-MOE"].state) == "Down"
    r = _rebuilt(c)
    assert str(r.nodes["2-MOE"].state) == "Paused" and r.nodes["2-MOE"].paused
    data = answers.encode(c)["data"]
    data["nodes"][1]["paused"] = "yes"
    with pytest.raises(Wrong, match="whether node '2-MOE' is paused should be True or False"):
        grading.rebuild_cluster(data, name="c2")


def test_a_resources_pending_veto_is_run_time_state_not_rebuilt():
    """Resource.online_veto (a type's veto of an attempt under way) is not taken on trust:
    the grader's own Information Store decides again."""
    c = ex.demo_cluster()
    data = answers.encode(c)["data"]
    for r in data["resources"]:
        r["online_veto"] = "forged"
    r = grading.rebuild_cluster(data)
    assert all(x.online_veto is None for x in r.resources.values()) and str(r.groups["EXVS1"].state) == "Online"


def test_the_rebuild_takes_no_claimed_state_on_trust():
    """A snapshot claiming EXVS2 online on 1-CURLY next to EXVS1's three storage groups:
    the grader's Information Store refuses the fifth storage group there, and the group
    fails over to 2-MOE."""
    c = ex.demo_cluster()
    for sg in ("SG2", "SG3"):
        ex.add_storage_group(c, "EXVS1", sg, log_disk="Disk L:")
    ex.create_virtual_server(c, "EXVS2", ip="132.192.1.21", disks=["Disk F:", "Disk M:"], node="2-MOE")
    ex.add_storage_group(c, "EXVS2", "SG2", log_disk="Disk M:")
    data = answers.encode(c)["data"]
    for g in data["groups"]:
        if g["name"] == "EXVS2":
            g.update(owner="1-CURLY", persistent_state=True, state="Online")
    r = grading.rebuild_cluster(data)
    assert r.groups["EXVS2"].owner == "2-MOE" and len(ex.storage_groups_on(r, "1-CURLY")) == 3
    store = ex.virtual_server(r, "EXVS2").information_store
    assert any(e.obj == store and e.node == "1-CURLY" and "would make 5 on 1-CURLY" in e.why for e in r.log)


def test_exchange_limits_are_facts_not_settings():
    c = ex.demo_cluster()
    ex.configure(c, max_storage_groups_per_node=8)
    with pytest.raises(Wrong, match="limits are facts of the product"):
        _rebuilt(c, "c3")
    c = ex.demo_cluster()
    ex.configure(c, nntp_follows_kb_259197=True)                     # a choice, kept
    assert _rebuilt(c).extensions["exchange"].settings.nntp_follows_kb_259197


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d["resources"][-1].update(name="My IMAP4"), "not one its virtual server's System Attendant creates"),
    (lambda d: d["extensions"]["exchange"]["virtual_servers"].update(
        EXVS9=d["extensions"]["exchange"]["virtual_servers"]["EXVS1"]),
     "are not the ones its System Attendants create"),
    (lambda d: d["extensions"]["exchange"].update(mta_server="EXVS9"), "MTA"),
    (lambda d: d["extensions"]["exchange"]["virtual_servers"]["EXVS1"].update(data_disk="Disk L:"), "data disk"),
    (lambda d: d["extensions"]["exchange"]["settings"].update(colour=1), "unknown Exchange setting"),
    (lambda d: [n.update(properties={}) for n in d["nodes"]], "no node has Exchange 2000 installed"),
    (lambda d: d["accounts"].update({"CLUSTER\\Administrator": []}), "keeps every right"),
    (lambda d: d["extensions"]["exchange"]["virtual_servers"]["EXVS1"]["storage_groups"]["First Storage Group"]
     ["databases"]["Mailbox Store (EXVS1)"].update(mailboxes=-1), "count its mailboxes"),
    (lambda d: d["extensions"]["exchange"]["virtual_servers"]["EXVS1"]["storage_groups"]["First Storage Group"]
     .update(log_disk="Disk Z:"), "labkit refused a step \\(no resource named 'Disk Z:'"),
    (lambda d: d["extensions"]["exchange"]["virtual_servers"]["EXVS1"]["storage_groups"]["First Storage Group"]
     .update(log_disk=None), "logs on None; the rebuild gives 'Disk E:'"),
    (lambda d: d["extensions"]["exchange"]["virtual_servers"]["EXVS1"]["storage_groups"]["First Storage Group"]
     ["databases"]["Mailbox Store (EXVS1)"].update(stm_disk="Cluster IP Address"), "is a IP Address, not a Physical"),
])
def test_an_inconsistent_exchange_snapshot_is_a_wrong_answer_not_a_crash(mutate, message):
    data = answers.encode(ex.demo_cluster())["data"]
    mutate(data)
    with pytest.raises(Wrong, match=message):
        grading.rebuild_cluster(data, name="c1")


def test_an_exchange_55_cluster_is_not_rebuilt():
    with pytest.raises(Wrong, match="plug-in state the grader does not rebuild \\(exchange55\\)"):
        _rebuilt(scenarios.two_node_active_passive_55())


def test_the_procedures_layer_state_is_left_out():
    c = ex.demo_cluster()
    pr.add_backup_job(c, "NIGHTLY", "EXVS1", bound_to="name")
    r = _rebuilt(c)
    assert "procedures" not in r.extensions and _conf(r) == _conf(c)


# --------------------------------------------------- checks compute their expectations
def _ex(name):
    return grading.exercise(name)


def test_any_design_that_meets_the_rules_passes_not_one_constant():
    q = _ex("05_storage_design").questions[1]
    by_hand = planning.StorageDesign("by hand", [
        planning.PlannedArray("Q", Array("RAID 1", 2), [planning.quorum()]),
        planning.PlannedArray("L1", Array("RAID 1", 2), [planning.logs("EXVS1", "SG1")]),
        planning.PlannedArray("L2", Array("RAID 1", 2), [planning.logs("EXVS2", "SG1")]),
        planning.PlannedArray("D1", Array("RAID 5", 4), [planning.database("EXVS1", "SG1")]),
        planning.PlannedArray("D2", Array("RAID 0+1", 6), [planning.database("EXVS2", "SG1")])])
    res = q.grade({"repaired": answers.encode(by_hand)})
    assert not res.passed and "D1" not in res.message and "EXVS1/SG1" in res.message and "I/O" in res.message
    fixed = replace(by_hand, arrays=by_hand.arrays[:3] + (replace(by_hand.arrays[3], array=Array("RAID 5", 8)),)
                    + by_hand.arrays[4:])
    assert q.grade({"repaired": answers.encode(fixed)}).passed
    assert q.grade({"repaired": answers.encode(planning.plan_storage(2000, 2))}).passed


def test_required_capacity_is_the_graders_not_the_designs():
    """Setting required_gb to 0 does not hide a too-small array from the grader."""
    q = _ex("05_storage_design").questions[3]
    small = planning.plan_storage(10000, 4, assumptions=planning.storage.SizingAssumptions(
        drive=planning.raid.DRIVE_36GB_10K))
    arrays = tuple(replace(a, array=Array("RAID 0+1", 4, a.array.drive), required_gb=0.0, required_iops=0.0)
                   if "Database" in a.label else a for a in small.arrays)
    res = q.grade({"design_10000": answers.encode(replace(small, arrays=arrays))})
    assert not res.passed and "too little for 2,500 users" in res.message


def test_invented_drives_are_refused():
    q = _ex("05_storage_design").questions[1]
    fast = planning.raid.DriveModel("magic", 1000.0, 100000, 0.1, 1000.0)
    d = planning.plan_storage(2000, 2, assumptions=planning.storage.SizingAssumptions(drive=fast))
    res = q.grade({"repaired": answers.encode(d)})
    assert not res.passed and "drives labkit does not know" in res.message


def test_wrong_numbers_get_a_hint_not_the_number():
    q = _ex("05_storage_design").questions[0]
    want = q.check.__globals__["expected_sizes"]()
    res = q.grade({"drives_1800": answers.encode(dict(want, databases_raid5=8))})
    assert not res.passed and "write penalty" in res.message and str(want["databases_raid5"]) not in res.message
    land = _ex("07_load_planning_and_failover").questions[1]
    want = land.check.__globals__["expected_landing"]()
    res = land.grade({"landed": answers.encode(dict(want, EXVS1="1-CURLY"))})
    assert not res.passed and "EXVS1" in res.message and want["EXVS1"] not in res.message


def test_the_build_order_is_judged_by_running_it():
    q = _ex("04_exchange_on_a_cluster").questions[1]
    steps = q.check.__globals__["STEPS"]
    good = ["install Exchange on 2-MOE", "create the group", "add the log disk", "add the database disk",
            "add the IP Address", "add the Network Name", "add the System Attendant", "bring EXVS9 online"]
    assert sorted(good) == sorted(steps) and q.grade({"order": answers.encode(good)}).passed
    late = good[1:-1] + [good[0], good[-1]]
    res = q.grade({"order": answers.encode(late)})
    assert not res.passed and "2-MOE is not a possible owner" in res.message
    early = ["add the Network Name"] + [s for s in good if s != "add the Network Name"]
    res = q.grade({"order": answers.encode(early)})
    assert not res.passed and "step 1, 'add the Network Name', is refused" in res.message


def test_the_grader_runs_the_procedures_on_its_own_disaster():
    ex09 = _ex("09_disaster_recovery")
    s1 = ex09.questions[0]
    nxt = planning.naming_plan(5).nodes[4]
    ok = {"failed": "3-LARRY", "new_name": nxt.name, "new_ip": nxt.ip, "group": "EXVS3"}
    assert s1.grade({"scenario1_args": answers.encode(ok)}).passed
    res = s1.grade({"scenario1_args": answers.encode(dict(ok, failed="2-MOE"))})
    assert not res.passed and "the procedure stops at step 1" in res.message
    s3 = ex09.questions[2]
    c, _ = s3.check.__globals__["lost_cluster"]()
    other = {v: pr.backup_sets(c, source="EXVS4")[-1].name for v in ("EXVS1", "EXVS2", "EXVS3", "EXVS4")}
    res = s3.grade({"restore_from": answers.encode(other)})
    assert not res.passed and "was not taken from EXVS1" in res.message


def test_a_site_that_drops_what_it_must_keep_is_refused():
    q = _ex("10_migrating_from_exchange_55").questions[0]
    ready = q.check.__globals__["READY"]
    assert q.grade({"ready_site": answers.encode(ready)}).passed
    res = q.grade({"ready_site": answers.encode(replace(ready, connection_agreements=[]))})
    assert not res.passed and "branch still needs it" in res.message
    res = q.grade({"ready_site": answers.encode(replace(ready, first_server="EX55-HUB"))})
    assert not res.passed and "history" in res.message


def test_failback_at_any_hour_stops_the_rolling_upgrade_at_its_first_step():
    q = _ex("08_operations").questions[4]
    c5 = scenarios.four_node_5000()
    for g in ex.virtual_servers(c5):
        c5.set_group_properties(g, auto_failback=True)
    res = q.grade({"c5": answers.encode(c5)})
    assert not res.passed and "the rolling upgrade stops" in res.message and "at any hour" in res.message
    for g in ex.virtual_servers(c5):
        c5.set_group_properties(g, failback_window=(1, 5))
    assert q.grade({"c5": answers.encode(c5)}).passed


def test_re_creating_a_server_by_removing_it_first_moves_its_users_away():
    """The removal runbook moves the mailboxes to another virtual server before deleting it:
    a virtual server re-created by hand after it comes back empty."""
    q = _ex("08_operations").questions[3]
    c4 = q.check.__globals__["broken_indexing"]()
    vs = ex.virtual_server(c4, "EXVS3")
    sa, data_disk = vs.system_attendant, vs.data_disk
    deps = list(c4.resources[sa].dependencies)
    report = pr.remove_virtual_server(c4, "EXVS3").run()
    assert report.table("mailboxes moved")[0]["mailboxes"] == 1250
    c4.add_resource(sa, type="Microsoft Exchange System Attendant", group="EXVS3",
                    dependencies=deps, data_disk=data_disk)       # the same names, its other resources with it
    c4.online_group("EXVS3")
    c4.run_until_stable()
    res = q.grade({"c4": answers.encode(c4)})
    assert not res.passed and "EXVS3 holds 0 mailboxes, not its 1,250" in res.message
    assert "moves a virtual server's mailboxes to another one" in res.message


def test_the_in_place_upgrades_outage_counts_from_the_offline_backup():
    q = _ex("10_migrating_from_exchange_55").questions[3]
    g = q.check.__globals__
    want = g["expected_outage"]()
    report = pr.in_place_upgrade(g["old55"](), g["READY"]).run()
    [i] = report.interruptions
    backup = report.step("(1) back up everything offline, with System State")
    assert i.start == backup.started and want["in-place upgrade"] == pytest.approx(i.seconds / 60)
    offline = report.step("(2) take the Exchange 5.5 group offline").started
    from_offline = (i.end - offline).total_seconds() / 60            # the count before the backup was offline
    assert want["in-place upgrade"] - from_offline == pytest.approx(backup.seconds / 60, abs=0.1)
    res = q.grade({"outage_min": answers.encode(dict(want, **{"in-place upgrade": from_offline}))})
    assert not res.passed and "under the in-place upgrade a user is not cut off" in res.message
    assert q.grade({"outage_min": answers.encode(want)}).passed
