"""Hardware topology as a graph and the single-point-of-failure finder, with the paper's presets."""
import networkx as nx
import pytest

import labkit as lk
from labkit.planning import hardware as hw
from labkit.planning.hardware import CLUSTER, Effect, Kind, NetworkRole, build_cluster, failure_outcome, spof_report
from labkit.planning.raid import RA4100, Array


def cluster_spofs(t):
    return set(spof_report(t).components(scope="cluster"))


# --- the graph ---------------------------------------------------------------------------------------
def test_topology_is_a_networkx_graph_of_named_components():
    t = hw.ha_f100()
    assert isinstance(t.graph, nx.Graph)
    kinds = {d["kind"] for _, d in t.graph.nodes(data=True)}
    for k in (Kind.SERVER, Kind.CPU, Kind.MEMORY, Kind.PSU, Kind.NIC, Kind.HBA, Kind.FC_HUB, Kind.CONTROLLER,
              Kind.ENCLOSURE, Kind.ARRAY, Kind.DRIVE, Kind.NETWORK_DEVICE):
        assert k in kinds
    assert set(t.virtual_servers["EXVS1"]) == {"VS1-SG1 LOG Device", "VS1-SG1 Database Device"}
    assert t.quorum == "Cluster Quorum Device"


def test_building_refuses_bad_wiring():
    t = hw.Topology("t")
    t.add_server("N1")
    with pytest.raises(lk.NameConflictError):
        t.add_server("N1")
    with pytest.raises(lk.NotFoundError):
        t.add_hba("N1", "no such hub")
    with pytest.raises(lk.ValidationError):
        t.add_hba("N1 CPU 1", "N1")
    with pytest.raises(lk.ValidationError):
        t.add_fabric_device("x", "token ring")
    with pytest.raises(lk.ConfigurationError):
        t.add_storage("S", RA4100, controllers=3)
    s = t.add_storage("S", RA4100)
    t.add_array(s, "A", Array("RAID 0+1", 10))
    with pytest.raises(lk.ConfigurationError):
        t.add_array(s, "B", Array("RAID 0+1", 4))       # 10 + 4 drives > 12 bays
    t.add_array(s, "Q", Array("RAID 1", 2), quorum=True)
    s2 = t.add_storage("S2", RA4100)
    with pytest.raises(lk.ConfigurationError):
        t.add_array(s2, "Q2", Array("RAID 1", 2), quorum=True)   # one quorum disk


# --- server internals --------------------------------------------------------------------------------
def test_a_standalone_server_has_single_points_of_failure():
    t = hw.reference_5000()
    own = hw.node_spofs(t, "1-CURLY")
    assert {"1-CURLY CPU 1", "1-CURLY CPU 2", "1-CURLY memory", "1-CURLY power supply 1",
            "1-CURLY Smart Array controller"} <= set(own)
    assert "1-CURLY local drive 1" not in own          # the two local drives are mirrored


def test_redundant_power_supplies_remove_a_server_spof():
    t = build_cluster("t", power_supplies=2)
    assert "NODE1 power supply 1" not in hw.node_spofs(t, "NODE1")


def test_clustering_covers_every_server_spof():
    t = hw.reference_5000()
    report = spof_report(t)
    for c in hw.node_spofs(t, "2-MOE"):
        assert c not in report.components()


# --- the ladder: each redundancy removes its SPOFs -------------------------------------------------
def ladder():
    return {s.change: set(s.cluster_spofs) for s in hw.redundancy_ladder()}


def test_single_controller_and_single_hub_are_spofs():
    t = build_cluster("t", controllers=1, fabric_devices=1, paths_per_node=1)
    found = spof_report(t)
    assert {"FC hub 1", "RA4100 1 controller A"} <= set(found.components(target=CLUSTER))
    assert all(s.effect is Effect.STOPS for s in found.spofs if s.component == "FC hub 1")


def test_redundant_controllers_remove_the_controller_spof():
    steps = ladder()
    first, second = list(steps.values())[:2]
    assert any("controller" in c for c in first)
    assert not any("controller" in c for c in second) and "FC hub 1" in second


def test_dual_loop_needs_two_paths_per_node():
    steps = ladder()
    assert "FC hub 1" in steps["a dual loop (two hubs), still one path per node"]
    assert not any(c.startswith("FC") for c in steps["two paths per node (one HBA on each loop)"])


def test_switched_fabric_with_two_paths_has_no_storage_spof():
    spofs = ladder()["a switched fabric with two paths per node"]
    assert not any(k in c for c in spofs for k in ("FC", "controller", "HBA"))


def test_second_heartbeat_network_removes_the_membership_spof():
    steps = ladder()
    before = steps["a switched fabric with two paths per node"]
    assert "Heartbeat hub" in before
    t = hw.redundancy_ladder()[4].topology
    assert {s.effect for s in spof_report(t).spofs if s.component == "Heartbeat hub"} == {Effect.SPLITS}
    assert steps["a second heartbeat network"] == set()


def test_public_network_for_all_communications_also_backs_up_the_heartbeat():
    t = build_cluster("t", controllers=2, fabric_devices=2, paths_per_node=2, public_role=NetworkRole.PUBLIC)
    assert "Heartbeat crossover cable" in cluster_spofs(t)
    t = build_cluster("t", controllers=2, fabric_devices=2, paths_per_node=2, public_role=NetworkRole.MIXED)
    assert cluster_spofs(t) == set()


def test_a_raid0_array_makes_each_drive_a_spof():
    t = hw.Topology("raid0")
    for n in ("N1", "N2"):
        t.add_server(n)
    t.add_network("Public", NetworkRole.MIXED)
    lan = t.add_network_device("LAN", "Public", infrastructure=True)
    t.add_clients(lan)
    hubs = [t.add_fabric_device(f"SW{i}", "switch") for i in (1, 2)]
    for n in ("N1", "N2"):
        t.add_nic(n, lan)
        for h in hubs:
            t.add_hba(n, h)
    s = t.add_storage("S", RA4100, controllers=2)
    for c, h in zip(t.controllers_of(s), hubs):
        t.connect_storage(c, h)
    t.add_array(s, "Q", Array("RAID 1", 2), quorum=True)
    t.add_array(s, "DATA", Array("RAID 0", 3), for_=["EXVS1"])
    r = spof_report(t)
    drives = {"DATA drive 1", "DATA drive 2", "DATA drive 3"}
    assert drives <= set(r.components(target="EXVS1", effect=Effect.STOPS))
    assert not drives & set(r.components(target=CLUSTER))
    # one network only: the quorum owner's NIC cuts it off from both the clients and its partner,
    # and it keeps the quorum, so the virtual server stops (the partner's NIC only splits the cluster)
    assert "N1 NIC (public)" in r.components(target="EXVS1", effect=Effect.STOPS)
    assert "N2 NIC (public)" in r.components(target=CLUSTER, effect=Effect.SPLITS)
    assert "N2 NIC (public)" not in r.components(target="EXVS1")


# --- the paper's presets ---------------------------------------------------------------------------
def test_reference_5000_matches_figure7_and_table9():
    t = hw.reference_5000()
    servers = t.servers()
    assert servers == ["1-CURLY", "2-MOE", "3-LARRY", "4-JERRY"]
    assert {t.graph.nodes[s]["model"] for s in servers} == {"ProLiant DL380"}
    encl = [n for n, d in t.graph.nodes(data=True) if d["kind"] is Kind.ENCLOSURE]
    assert len(encl) == 3 and all(t.graph.nodes[e]["model"] is RA4100 for e in encl)
    assert all(len(t.controllers_of(e)) == 2 for e in encl)
    shared = [n for n, d in t.graph.nodes(data=True) if d["kind"] is Kind.DRIVE and d.get("array")
              and not t.graph.nodes[d["array"]].get("local")]
    assert len(shared) == 34                      # Table 9's 36 drives less the two online spares
    assert sorted(t.virtual_servers) == ["EXVS1", "EXVS2", "EXVS3", "EXVS4"]


def test_reference_5000_has_no_cluster_spof():
    r = spof_report(hw.reference_5000())
    assert r.no_spof and r.components(scope="infrastructure") == ["Public LAN switch"]


def test_reference_5000_with_client_only_public_lan_has_a_heartbeat_spof():
    r = spof_report(hw.reference_5000(public_role=NetworkRole.PUBLIC))
    assert "Heartbeat hub" in r.components(scope="cluster", effect=Effect.SPLITS)
    assert spof_report(hw.reference_5000(public_role=NetworkRole.PUBLIC, heartbeat_networks=2)).no_spof


def test_cl1850_shared_scsi_bus_is_a_spof():
    r = spof_report(hw.proliant_cl1850())
    assert r.components(scope="cluster") == ["Shared SCSI bus"]
    assert {s.target for s in r.spofs if s.component == "Shared SCSI bus"} == {"EXVS1", CLUSTER}


def test_ha_f100_hub_and_controllers_are_spofs():
    r = spof_report(hw.ha_f100())
    assert set(r.components(scope="cluster")) == {"FC hub 1", "RA4000 1 controller A", "RA4000 2 controller A"}
    assert not r.no_spof


def test_ha_f200_and_f500_have_no_spof():
    assert spof_report(hw.ha_f200()).no_spof
    assert spof_report(hw.ha_f500()).no_spof
    assert spof_report(hw.ha_f500(fabric="hub")).no_spof
    with pytest.raises(lk.ValidationError):
        hw.ha_f500(fabric="scsi")


def test_enhanced_dt_site_loss_needs_manual_recovery():
    t = hw.ha_f500_enhanced_dt()
    r = spof_report(t)
    assert r.no_spof
    site = [s for s in r.spofs if s.component == "Initiator site"]
    assert {s.target for s in site} == {"EXVS1", "EXVS2", CLUSTER}
    assert {s.effect for s in site} == {Effect.MANUAL_RECOVERY}
    assert "Target site" not in r.components()
    o = failure_outcome(t, ["Target site"])
    assert o.live_servers == ("NODE-A",) and o.status["EXVS1"] == "runs"


def test_enhanced_dt_distance_limit():
    hw.ha_f500_enhanced_dt(distance_km=10)
    with pytest.raises(lk.ConfigurationError) as e:
        hw.ha_f500_enhanced_dt(distance_km=10.5)
    assert "10 km" in e.value.rule


def test_every_preset_runs_with_nothing_failed():
    for name in hw.PRESETS:
        r = spof_report(hw.preset(name))
        assert set(r.baseline.values()) == {"runs"}, name
    with pytest.raises(lk.NotFoundError):
        hw.preset("HA/F900")


# --- replays of several failures --------------------------------------------------------------------
def test_double_failure_of_both_hubs_stops_everything():
    t = hw.reference_5000()
    o = failure_outcome(t, ["FC hub 1", "FC hub 2"])
    assert o.status[CLUSTER] is Effect.STOPS and o.status["EXVS1"] is Effect.STOPS


def test_heartbeat_split_leaves_quorum_owner_partition():
    t = build_cluster("t", controllers=2, fabric_devices=2, paths_per_node=2, public_role=NetworkRole.PUBLIC)
    o = failure_outcome(t, ["Heartbeat crossover cable"])
    assert o.partitions == (("NODE1",), ("NODE2",)) and o.winners == (("NODE1",),)
    assert o.status["EXVS2"] == "runs" and o.status[CLUSTER] is Effect.SPLITS


def test_losing_both_sides_of_a_mirror_stops_its_virtual_server_only():
    t = hw.reference_5000()
    o = failure_outcome(t, ["VS3-SG1 LOG Device drive 1", "VS3-SG1 LOG Device drive 2"])
    assert o.status["EXVS3"] is Effect.STOPS
    assert o.status["EXVS1"] == "runs" and o.status[CLUSTER] == "runs"


def test_failure_outcome_argument_errors():
    with pytest.raises(lk.NotFoundError):
        failure_outcome(hw.ha_f100(), ["no such part"])
    with pytest.raises(lk.ValidationError):
        failure_outcome("HA/F100")
    with pytest.raises(lk.ValidationError):
        spof_report(None)


def test_report_rows_and_summary():
    r = spof_report(hw.ha_f100())
    assert {"component", "kind", "scope", "target", "effect"} == set(r.rows()[0])
    assert any(line.startswith("FC hub 1 [Fibre Channel hub, cluster]") for line in r.summary())
    assert spof_report(hw.ha_f500()).summary()[0].startswith("Public LAN switch")


def snapshot(t):
    return (sorted(t.graph.nodes), sorted(map(sorted, t.graph.edges)), dict(t.virtual_servers), t.quorum,
            t.quorum_owner)


def test_refused_building_commands_leave_the_topology_unchanged():
    t = hw.Topology("t")
    t.add_server("N1")
    t.add_storage("S", RA4100, controllers=1)
    t.graph.add_node("N2 memory", kind=Kind.MEMORY, scope="cluster", within=None)   # a name in the way
    before = snapshot(t)
    with pytest.raises(lk.NameConflictError):
        t.add_server("N2")
    with pytest.raises(lk.NameConflictError):
        t.add_storage("S", RA4100)
    t.add_array("S", "A", Array("RAID 1", 2), for_=["EXVS1"])
    before = snapshot(t)
    with pytest.raises(lk.NameConflictError):
        t.add_array("S", "A", Array("RAID 1", 2), for_=["EXVS2"])
    with pytest.raises(lk.ValidationError):
        t.add_array("S", "B", Array("RAID 1", 2), for_="EXVS2")
    with pytest.raises(lk.NotFoundError):
        t.add_server("N3", site="nowhere")
    assert snapshot(t) == before


def test_wrong_argument_types_are_labkit_errors():
    with pytest.raises(lk.ValidationError):
        build_cluster("t", servers="NODE1")
    with pytest.raises(lk.ValidationError):
        build_cluster("t", design="Table 9")
    with pytest.raises(lk.ValidationError):
        build_cluster("t", fabric="token ring")
    with pytest.raises(lk.ValidationError):
        hw.Topology("t").add_server("N1", cpus=0)


def test_spof_finder_scales_to_64_nodes():
    from labkit.planning import storage as st
    from labkit.planning.raid import RA8000
    t = build_cluster("big", servers=64, design=st.plan_storage(64000, 64), enclosure=RA8000, controllers=2,
                      fabric="switch", fabric_devices=2, paths_per_node=2, heartbeat_device="hub")
    r = spof_report(t)
    assert r.no_spof and len(r.targets) == 65
    assert failure_outcome(t, ["NODE1", "NODE2"]).status["EXVS1"] == "runs"


def test_cached_replays_match_fresh_ones():
    t = hw.reference_5000(public_role=NetworkRole.PUBLIC)
    for c in ["1-CURLY CPU 2", "1-CURLY", "Heartbeat hub", "FC hub 1", "1-CURLY power supply 1"]:
        fresh = hw.replay.FailureReplay(t).replay([c])
        assert failure_outcome(t, [c]).status == fresh.status
    assert failure_outcome(t, ["1-CURLY CPU 2"]).live_servers == failure_outcome(t, ["1-CURLY"]).live_servers


def test_crossover_cable_joins_exactly_two_nodes():
    with pytest.raises(lk.ConfigurationError):
        build_cluster("t", servers=3, heartbeat_device="cable")
    assert "Heartbeat hub" in hw.build_cluster("t", servers=3).graph
