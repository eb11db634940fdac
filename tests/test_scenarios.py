"""The reference clusters of labkit.scenarios: built by public calls in the paper's order,
matching Tables 9 and 10 (computed from labkit.planning, not typed in), online and stable."""
from __future__ import annotations

import pytest

import labkit as lk
from labkit import exchange as ex
from labkit import planning as pl
from labkit import scenarios as sc
from labkit.planning.storage import Role


@pytest.fixture(scope="module")
def ref():
    return sc.reference_5000()


# ------------------------------------------------------------------------- Table 10
def test_reference_cluster_names_and_addresses_are_table10(ref):
    c, plan = ref.cluster, pl.table10()
    assert (c.name, c.ip) == (plan.cluster.name, plan.cluster.ip) == ("FOUR-STOOGES", "132.192.1.100")
    assert [(n, c.nodes[n].ip) for n in c.node_ids()] == [(e.name, e.ip) for e in plan.nodes]
    for v in plan.virtual_servers:
        vs = ex.virtual_server(c, v.name)
        ip = c.resources[ex.resource_names(v.name)["IP Address"]].properties["address"]
        assert ip == v.ip
        assert c.resources[vs.network_name].properties["name"] == v.name
        assert c.groups[vs.group].owner == v.node           # each virtual server on its Table 10 node
    assert pl.check_naming(plan) == []


def test_reference_cluster_is_datacenter_edition_as_four_nodes_need(ref):
    assert ref.cluster.edition == "Datacenter"
    assert pl.check_exchange_cluster(4, ref.cluster.edition, "SP1").supported


# -------------------------------------------------------------------------- Table 9
def test_every_table9_array_is_a_physical_disk_of_the_group_its_contents_name(ref):
    c, design = ref.cluster, pl.table9()
    disks = {r.name: r for r in c.resources.values() if r.type == "Physical Disk"}
    assert len(disks) == len(design.arrays)                 # quorum + 4 log + 4 database arrays
    for a in design.arrays:
        if Role.QUORUM in a.roles:
            assert c.resources[c.quorum_resource].group == "Cluster Group"
            continue
        (vs,) = a.virtual_servers
        assert disks[a.label].group == ex.virtual_server(c, vs).group
    assert design.total_drives == 36 and pl.check_storage(design) == []


def test_table9_labels_are_corrected(ref):
    labels = [r.name for r in ref.cluster.resources.values() if r.type == "Physical Disk" and "Database" in r.name]
    assert labels == [f"VS{i}-SG1 Database Device" for i in range(1, 5)]
    printed = [a.label for a in pl.table9_as_printed().arrays if Role.DATABASE in a.roles]
    assert len(set(printed)) == 1                            # the paper's misprint, for contrast


def test_each_virtual_server_has_its_log_disk_and_database_disk_as_dependencies_of_its_system_attendant(ref):
    c = ref.cluster
    for i, vs_name in enumerate(ex.virtual_servers(c), 1):
        vs = ex.virtual_server(c, vs_name)
        deps = c.resources[vs.system_attendant].dependencies
        assert f"VS{i}-SG1 LOG Device" in deps and f"VS{i}-SG1 Database Device" in deps


def test_one_storage_group_per_virtual_server_logs_on_log_disk_users_on_database_disk(ref):
    """Table 9: each virtual server's logs on its LOG Device, its database (EDB+STM) on its
    Database Device -- the final layout, as Exchange System Manager shows it."""
    c = ref.cluster
    drive = lambda disk: c.resources[disk].properties["drive"]
    for i, vs_name in enumerate(ex.virtual_servers(c), 1):
        log, db = f"VS{i}-SG1 LOG Device", f"VS{i}-SG1 Database Device"
        rows = ex.layout(c, vs_name)
        stores = [(r["database"], r["kind"], r["mailboxes"]) for r in rows]
        assert stores == [(f"Mailbox Store ({vs_name})", "mailbox", pl.storage.TABLE9_USERS // 4)] + (
            [(f"Public Folder Store ({vs_name})", "public", 0)] if i == 1 else [])   # one public store per cluster
        for r in rows:
            assert (r["storage_group"], r["log_disk"], r["edb_disk"], r["stm_disk"]) == (ex.FIRST_SG, log, db, db)
            assert r["log_path"] == f"{drive(log)}\\Exchsrvr\\mdbdata"
            assert r["edb_file"].startswith(f"{drive(db)}\\Exchsrvr\\mdbdata\\")
            assert r["stm_file"].startswith(f"{drive(db)}\\Exchsrvr\\mdbdata\\")
    assert sum(ex.virtual_server(c, v).mailboxes for v in ex.virtual_servers(c)) == 5000


def test_no_store_is_left_on_a_log_disk(ref):
    c = ref.cluster
    logs = {sg.log_disk for v in ex.virtual_servers(c) for sg in ex.virtual_server(c, v).storage_groups.values()}
    assert logs == {f"VS{i}-SG1 LOG Device" for i in range(1, 5)}
    assert not [r["database"] for r in ex.layout(c) if {r["edb_disk"], r["stm_disk"]} & logs]


def test_the_logs_are_moved_with_exchange_system_manager_before_the_store_first_mounts(ref):
    c, log = ref.cluster, ref.cluster.log
    drive = lambda disk: c.resources[disk].properties["drive"]
    for i, vs in enumerate(ex.virtual_servers(c), 1):
        moved = [e for e in log.about(vs) if e.what == f"transaction logs of {ex.FIRST_SG!r} moved"]
        db, logs = drive(f"VS{i}-SG1 Database Device"), drive(f"VS{i}-SG1 LOG Device")
        assert len(moved) == 1 and moved[0].why.startswith(f"{db}\\Exchsrvr\\mdbdata -> {logs}\\Exchsrvr\\mdbdata")
        store = ex.virtual_server(c, vs).information_store
        first_online = next(j for j, e in enumerate(log) if e.obj == store and e.what.endswith("-> Online"))
        assert log.index(moved[0]) < first_online
        assert ex.virtual_server(c, vs).dismounts == []                   # nothing was mounted yet
    assert ex.virtual_server(c, "EXVS1").data_disk == "VS1-SG1 Database Device"


def test_drive_letters_are_unique_and_the_quorum_is_q(ref):
    c = ref.cluster
    drives = [r.properties.get("drive") for r in c.resources.values() if r.type == "Physical Disk"]
    assert len(set(drives)) == len(drives) == 9
    assert c.resources[c.quorum_resource].properties["drive"] == "Q:"


# ---------------------------------------------------------------- online, stable, order
def test_reference_cluster_is_online_and_stable(ref):
    c = ref.cluster
    assert c.is_stable() and c.running
    assert all(n.state is lk.NodeState.UP for n in c.nodes.values())
    assert all(g.state is lk.GroupState.ONLINE for g in c.groups.values())
    assert all(r.state is lk.ResourceState.ONLINE for r in c.resources.values())
    assert [len(ex.storage_groups_on(c, n)) for n in c.node_ids()] == [1, 1, 1, 1]


def test_reference_cluster_is_built_in_the_papers_order(ref):
    log = ref.cluster.log
    idx = lambda pred: [i for i, e in enumerate(log) if pred(e)]
    joined = idx(lambda e: e.what in ("formed the cluster", "joined the cluster"))
    installs = idx(lambda e: e.what == "Exchange 2000 installed")
    rejoined = idx(lambda e: e.what == "Joining -> Up")
    created = idx(lambda e: e.what == "Exchange virtual server created")
    prefs = idx(lambda e: e.what == "preferred owners set" and e.obj.startswith("EXVS"))
    online = idx(lambda e: e.what == "online requested" and e.obj.startswith("EXVS"))
    assert len(joined) == 4 and len(installs) == 4 and len(created) == 4
    assert max(joined) < min(installs)
    for a, b in zip(installs, installs[1:]):              # one installation at a time: restart in between
        assert any(a < r < b for r in rejoined)
    assert max(rejoined) < min(created)
    assert max(created) < min(prefs) and max(prefs) < min(online)
    for vs in ex.virtual_servers(ref.cluster):             # disks, IP, name, then the System Attendant
        order = [e.obj for e in log if e.what == "created" and e.obj in ref.cluster.groups[vs].resources]
        names = ex.resource_names(vs)
        assert order.index(names["IP Address"]) < order.index(names["Network Name"]) < order.index(
            names["System Attendant"])
        assert all(order.index(d) < order.index(names["IP Address"])
                   for d in ref.disks[vs]["SG1"]["databases"] + (ref.disks[vs]["SG1"]["logs"],))


def test_reference_build_is_deterministic():
    assert sc.four_node_5000().to_dict() == sc.four_node_5000().to_dict()


def test_four_node_5000_returns_a_cluster():
    assert isinstance(sc.four_node_5000(online=False), lk.Cluster)


def test_preferred_owners_follow_the_chosen_strategy():
    bal = sc.four_node_5000("balanced")
    allnodes = sc.four_node_5000("all nodes")
    assert bal.groups["EXVS2"].preferred_owners == ["2-MOE", "3-LARRY", "4-JERRY", "1-CURLY"]
    assert allnodes.groups["EXVS2"].preferred_owners == ["2-MOE"]
    assert bal.groups["EXVS2"].auto_failback and not allnodes.groups["EXVS2"].auto_failback


def test_figure7_refuses_strategies_that_leave_a_node_idle():
    with pytest.raises(lk.ValidationError) as e:
        sc.four_node_5000("standby")
    assert e.value.rule and "Figure 7" in e.value.source


# ---------------------------------------------------------------------- other scenarios
def test_two_node_exchange55_active_passive():
    c = sc.two_node_active_passive_55()
    assert c.edition == "Advanced Server" and ex.e55.server(c).mailboxes == 1000
    assert "exchange" not in c.extensions                  # Exchange 5.5, not 2000
    assert c.groups["EXVS1"].owner == "1-CURLY" and c.groups["EXVS1"].preferred_owners == ["1-CURLY", "2-MOE"]
    assert c.groups_on("2-MOE") == []                      # the standby node is idle
    c.crash_node("1-CURLY")
    c.run_until_stable()
    assert c.groups["EXVS1"].owner == "2-MOE" and c.groups["EXVS1"].state is lk.GroupState.ONLINE


def test_exchange_cluster_active_passive_three_plus_one():
    s = sc.exchange_cluster(4, 5000, "active/passive")
    c = s.cluster
    assert [c.groups[v].owner for v in ex.virtual_servers(c)] == ["1-CURLY", "2-MOE", "3-LARRY"]
    assert c.groups_on("4-JERRY") == [] and all(not c.groups[v].auto_failback for v in ex.virtual_servers(c))
    assert pl.check_storage(s.storage) == [] and c.is_stable()


def test_exchange_cluster_scales_to_sixteen_nodes_with_two_virtual_servers_each():
    s = sc.exchange_cluster(16, 32000, "balanced", virtual_servers_per_node=2)
    c = s.cluster
    assert c.edition == "Modern" and len(ex.virtual_servers(c)) == 32
    assert all(c.groups[v.name].owner == v.home and c.groups[v.name].state is lk.GroupState.ONLINE
               for v in s.plan.virtual_servers)
    assert len({r.properties["address"] for r in c.resources.values() if r.type == "IP Address"}) == 33


def test_flawed_design_has_the_three_announced_flaws():
    s = sc.flawed_design()
    rules = {v.rule for v in s.flaws(k=1)}
    assert {"logs-dedicated", "logs-apart-from-databases"} <= rules          # log array shared with a database
    assert "possible-owners-complete" in rules                              # 4-JERRY joined too late
    assert "storage-groups-after-failover" in rules                         # N-1 puts 6 SGs on a node
    late = [v for v in s.flaws(k=1) if v.rule == "possible-owners-complete"]
    assert {v.subject for v in late} == {"EXVS1", "EXVS2"} and all("4-JERRY" in v.message for v in late)


def test_flawed_design_n2_overflows_and_leaves_a_virtual_server_failed_the_fixed_one_does_not():
    bad = pl.n_k_analysis(sc.flawed_design().cluster, 2)
    good = pl.n_k_analysis(sc.fixed_design().cluster, 2)
    assert bad.overflow_cases and any(c.failed_virtual_servers for c in bad.cases)
    case = bad.case(["1-CURLY", "3-LARRY"])
    assert case.failed_virtual_servers == ("EXVS1",) and ("EXVS1", "2-MOE") in case.refused
    assert not good.overflow_cases and good.survives
    assert good.worst_storage_groups <= 4 and bad.worst_storage_groups <= 4   # the limit itself always holds


def test_fixed_design_has_no_flaws_at_n2():
    assert sc.fixed_design().flaws(k=2) == []


def test_build_refuses_wrong_plans():
    with pytest.raises(lk.ValidationError):
        sc.build(pl.table10(), "Table 9", pl.plan_load("balanced", 4, 5000))


def test_a_storage_design_without_arrays_for_a_planned_virtual_server_is_refused():
    plan = pl.plan_load("balanced", 4, 5000, vs_prefix="MAIL")
    with pytest.raises(lk.ValidationError) as e:
        sc.build(pl.naming_plan(4, vs_prefix="MAIL"), pl.table9(), plan)
    assert "paper, Table 9" in e.value.source


def test_flaws_checks_a_bare_cluster_and_refuses_other_things():
    assert sc.flaws(sc.four_node_5000(), k=1) == []
    with pytest.raises(lk.ValidationError):
        sc.flaws("FOUR-STOOGES")


def test_a_design_with_a_separate_streaming_store_array_gets_it_by_a_database_move():
    from labkit.planning.storage import Array, PlannedArray, StorageDesign, edb, quorum, stm
    design = StorageDesign("EDB and STM apart", [
        PlannedArray("Q", Array("RAID 1", 2), [quorum()]),
        PlannedArray("VS1 LOGS", Array("RAID 1", 2), [pl.storage.logs("EXVS1", "SG1")]),
        PlannedArray("VS1 EDB", Array("RAID 0+1", 4), [edb("EXVS1", "SG1")]),
        PlannedArray("VS1 STM", Array("RAID 5", 3), [stm("EXVS1", "SG1")])])
    s = sc.build(pl.naming_plan(2), design, pl.plan_load("standby", 2, 500))
    (row,) = [r for r in ex.layout(s.cluster, "EXVS1") if r["kind"] == "mailbox"]
    assert (row["database"], row["log_disk"], row["edb_disk"], row["stm_disk"], row["mailboxes"]) == (
        "Mailbox Store (EXVS1)", "VS1 LOGS", "VS1 EDB", "VS1 STM", 500)
    assert any(e.what == "database 'Mailbox Store (EXVS1)' moved" for e in s.cluster.log.about("EXVS1"))
