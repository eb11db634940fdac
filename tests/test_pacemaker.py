"""Pacemaker export (labkit.pacemaker): one test per mapping rule, crm_verify, crm_simulate."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import labkit as lk
from labkit import files
from labkit import pacemaker as pm
from labkit.scenarios import add_file_share_group

ROOT = Path(__file__).resolve().parents[1]
NO_CRM = "crm_simulate/crm_verify not installed: apt-get install --no-install-recommends pacemaker-cli-utils"
needs_crm = pytest.mark.skipif(pm.crm_tool("crm_simulate") is None or pm.crm_tool("crm_verify") is None,
                               reason=NO_CRM)


def four_nodes() -> lk.Cluster:
    c = lk.Cluster("FOUR-STOOGES", ip="132.192.1.100", edition="Datacenter")
    for i, n in enumerate(["1-CURLY", "2-MOE", "3-LARRY", "4-JERRY"], 1):
        c.add_node(n, ip=f"132.192.1.{i * 10}")
    for k, (g, pref) in enumerate([("FS1", ["3-LARRY", "4-JERRY"]), ("FS2", ["2-MOE"]), ("FS3", [])], 1):
        add_file_share_group(c, g, drive="FGH"[k - 1] + ":", address=f"132.192.1.{100 + k}", name=f"FILES{k}")
        c.set_preferred_owners(g, pref)
        c.online_group(g)
    c.run_until_stable()
    return c


@pytest.fixture
def four():
    return four_nodes()


def cib(c, **kw) -> ET.Element:
    return ET.fromstring(pm.export_cib(c, **kw))


def locations(root, rsc) -> dict[str, str]:
    return {e.get("node"): e.get("score") for e in root.iter("rsc_location") if e.get("rsc") == rsc}


def meta(el) -> dict[str, str]:
    return {n.get("name"): n.get("value") for m in el.findall("meta_attributes") for n in m.findall("nvpair")}


def prim(root, rid) -> ET.Element:
    return next(p for p in root.iter("primitive") if p.get("id") == rid)


def unit(root, rid) -> ET.Element:
    """A group (native group style) or an anchor primitive (constraints style) by id."""
    return next(p for p in root.iter() if p.tag in ("group", "primitive") and p.get("id") == rid)


# ---------------------------------------------------------------------------- the mapping
def test_export_is_deterministic_xml_with_unique_valid_ids(four):
    text = pm.export_cib(four)
    assert text == pm.export_cib(four_nodes())
    ids = [e.get("id") for e in ET.fromstring(text).iter() if e.get("id") is not None and e.tag != "node"]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*", i) for i in ids), [i for i in ids if " " in i]


def test_nodes_keep_their_names_and_ids(four):
    assert [(n.get("id"), n.get("uname")) for n in cib(four).iter("node")] == [
        ("1", "1-CURLY"), ("2", "2-MOE"), ("3", "3-LARRY"), ("4", "4-JERRY")]


def test_preferred_owners_become_location_scores_in_their_order(four):
    root = cib(four)
    scores = locations(root, "grp-FS1")
    assert scores == {"3-LARRY": "1020", "4-JERRY": "1010", "1-CURLY": "2", "2-MOE": "1"}
    assert locations(root, "grp-FS3") == {"1-CURLY": "4", "2-MOE": "3", "3-LARRY": "2", "4-JERRY": "1"}


def test_non_possible_owners_are_banned_on_the_resource_and_on_its_group(four):
    four.set_possible_owners("IP FS2", ["1-CURLY", "2-MOE", "3-LARRY"])
    root = cib(four, style="constraints")
    assert locations(root, "IP-FS2") == {"4-JERRY": "-INFINITY"}
    assert locations(root, "grp-FS2")["4-JERRY"] == "-INFINITY"
    root = cib(four)                     # a native group: the group is banned, its members with it
    assert locations(root, "IP-FS2") == {}
    assert locations(root, "grp-FS2")["4-JERRY"] == "-INFINITY"
    assert "-INFINITY" not in locations(root, "grp-FS1").values()


def test_prevent_failback_is_infinite_stickiness_and_allow_is_none(four):
    four.set_group_properties("FS2", auto_failback=True)
    for style in ("group", "constraints"):
        root = cib(four, style=style)
        assert meta(unit(root, "grp-FS1"))["resource-stickiness"] == "INFINITY"
        assert meta(unit(root, "grp-FS2"))["resource-stickiness"] == "0"


def test_a_failback_window_is_a_time_rule(four):
    four.set_group_properties("FS1", auto_failback=True, failback_window=(22, 6))
    anchor = unit(cib(four), "grp-FS1")
    window = anchor.find("meta_attributes[@id='grp-FS1-failback-window']")
    assert [d.get("hours") for d in window.iter("date_spec")] == ["22-23", "0-5"]
    assert window.find("nvpair").get("value") == "0"
    assert meta(anchor)["resource-stickiness"] == "0"      # inside the window
    assert anchor.find("meta_attributes[@id='grp-FS1-meta']").find("nvpair").get("value") == "INFINITY"


def test_restart_threshold_becomes_migration_threshold_plus_one(four):
    four.set_resource_properties("Share FS1", restart_threshold=5, restart_period_s=600)
    m = meta(prim(cib(four), "Share-FS1"))
    assert m["migration-threshold"] == "6" and m["failure-timeout"] == "600s"


def test_restart_actions_map_to_pacemaker(four):
    four.set_resource_properties("Share FS1", restart_action="dont_restart")
    four.set_resource_properties("Share FS2", restart_action="restart_no_notify")
    root = cib(four)
    assert {op.get("on-fail") for op in prim(root, "Share-FS1").iter("op") if op.get("name") == "monitor"} == {"stop"}
    assert meta(prim(root, "Share-FS2"))["migration-threshold"] == "INFINITY"


def test_health_polls_and_pending_timeout_become_operations(four):
    four.set_resource_properties("Disk FS1", looks_alive_ms=2500, is_alive_ms=30000, pending_timeout_ms=90000)
    ops = {op.get("id"): op for op in prim(cib(four), "Disk-FS1").iter("op")}
    assert ops["Disk-FS1-looks-alive"].get("interval") == "2500ms"
    deep = ops["Disk-FS1-is-alive"]
    assert deep.get("interval") == "30s"
    assert deep.find("instance_attributes/nvpair").attrib["name"] == "OCF_CHECK_LEVEL"
    assert ops["Disk-FS1-start"].get("timeout") == "90s" and ops["Disk-FS1-stop"].get("timeout") == "90s"


def test_each_dependency_is_an_order_constraint_and_members_follow_the_anchor(four):
    root = cib(four, style="constraints")
    orders = {(o.get("first"), o.get("then")) for o in root.iter("rsc_order")}
    assert {("IP-FS1", "Name-FS1"), ("Disk-FS1", "Share-FS1"), ("Name-FS1", "Share-FS1")} <= orders
    assert {("grp-FS1", "Disk-FS1"), ("grp-FS1", "IP-FS1")} <= orders     # roots start after the anchor
    assert ("Disk-FS1", "IP-FS1") not in orders                           # independent: no chain
    cols = {(c.get("rsc"), c.get("with-rsc"), c.get("score")) for c in root.iter("rsc_colocation")}
    assert {(r, "grp-FS1", "INFINITY") for r in ("Disk-FS1", "IP-FS1", "Name-FS1", "Share-FS1")} <= cols


def test_group_style_is_the_default_a_chain_in_online_order(four):
    """A native group orders and colocates each member after the previous one. Online order
    is a topological order of the dependencies, so every MSCS dependency follows from the
    chain and no constraint is needed: 15 resources, no order or colocation constraint."""
    root = cib(four)
    assert pm.export_cib(four) == pm.export_cib(four, style="group")
    g = next(x for x in root.iter("group") if x.get("id") == "grp-FS1")
    assert [p.get("id") for p in g.findall("primitive")] == ["Disk-FS1", "IP-FS1", "Name-FS1", "Share-FS1"]
    assert four.online_order("FS1") == ["Disk FS1", "IP FS1", "Name FS1", "Share FS1"]
    assert not list(root.iter("rsc_order")) and not list(root.iter("rsc_colocation"))
    position = {r: i for i, r in enumerate(four.online_order("FS1"))}
    for r in four.groups["FS1"].resources:         # each provider comes before its dependents
        assert all(position[p] < position[r] for p in four.resources[r].dependencies)


def test_offline_groups_and_resources_are_stopped(four):
    four.offline_group("FS2")
    four.offline_resource("Share FS3")
    four.run_until_stable()
    root = cib(four)
    assert meta(unit(root, "grp-FS2"))["target-role"] == "Stopped"
    assert meta(prim(root, "Share-FS3"))["target-role"] == "Stopped"
    assert "target-role" not in meta(unit(root, "grp-FS1"))


def test_the_quorum_disk_has_no_pacemaker_counterpart(four):
    root = cib(four)
    assert not any("Disk Q:" in (p.get("description") or "") for p in root.iter("primitive"))
    props = {n.get("name"): n.get("value") for n in root.iter("nvpair") if n.get("id", "").startswith("opt-")}
    assert props["no-quorum-policy"] == "ignore" and props["stonith-enabled"] == "false"
    assert any("Disk Q:" in (p.get("description") or "") for p in cib(four, include_quorum=True).iter("primitive"))


def test_agents_follow_the_mapping_table(four):
    four.add_group("APP")
    four.add_resource("Spooler", type="Generic Service", group="APP", service_name="Spooler")
    four.add_resource("Batch", type="Generic Application", group="APP", command_line="/opt/batch --run")
    root = cib(four)
    spec = {p.get("id"): ":".join(x for x in (p.get("class"), p.get("provider"), p.get("type")) if x)
            for p in root.iter("primitive")}
    assert spec["Disk-FS1"] == "ocf:heartbeat:Filesystem"
    assert spec["IP-FS1"] == "ocf:heartbeat:IPaddr2"
    assert spec["Name-FS1"] == "ocf:pacemaker:Dummy"
    assert spec["Share-FS1"] == "ocf:heartbeat:exportfs"
    assert spec["Spooler"] == "systemd:spooler"
    assert spec["Batch"] == "ocf:heartbeat:anything"
    params = {n.get("name"): n.get("value") for n in prim(root, "IP-FS1").iter("nvpair")}
    assert params["ip"] == "132.192.1.101" and params["cidr_netmask"] == "24"


def test_exchange_resources_are_stand_ins():
    c = files.load(ROOT / "examples" / "exchange_two_node.yaml")
    root = cib(c)
    sa = prim(root, "Exchange-System-Attendant-EXVS1")
    assert (sa.get("class"), sa.get("provider"), sa.get("type")) == ("ocf", "pacemaker", "Dummy")
    assert "no Linux equivalent" in sa.get("description")


def test_register_agent_replaces_a_mapping(four):
    old = pm.AGENTS["File Share"]
    try:
        pm.register_agent("File Share", pm.Agent("systemd", None, "smbd", None, "Samba"))
        assert prim(cib(four), "Share-FS1").get("type") == "smbd"
    finally:
        pm.AGENTS["File Share"] = old
    with pytest.raises(lk.ValidationError):
        pm.register_agent("File Share", "smbd")


def test_export_refuses_wrong_arguments(four):
    with pytest.raises(lk.ValidationError):
        pm.export_cib("cluster")
    with pytest.raises(lk.ValidationError):
        pm.export_cib(four, style="tree")


# -------------------------------------------------------------------- the real Pacemaker
@needs_crm
@pytest.mark.parametrize("style", ["constraints", "group"])
def test_crm_verify_accepts_the_exports(four, style):
    four.set_group_properties("FS3", auto_failback=True, failback_window=(22, 6))
    four.set_resource_properties("Share FS2", restart_action="dont_restart")
    for c in (four, files.load(ROOT / "examples" / "exchange_two_node.yaml"),
              files.load(ROOT / "examples" / "two_node_file_share.yaml")):
        ok, messages = pm.verify_cib(pm.export_cib(c, style=style))
        assert ok, messages


@needs_crm
def test_crm_simulate_agrees_on_a_plain_node_failure(four):
    result = pm.compare_with_crm_simulate(four, "3-LARRY")
    assert result.before["FS1"] == "3-LARRY"
    assert result.labkit["FS1"] == result.pacemaker["FS1"] == "4-JERRY"
    assert result.agree, str(result)
    assert "start Disk-FS1 node 4-JERRY" in result.transition


@needs_crm
def test_crm_simulate_differs_where_mscs_walks_the_list(four):
    """KB 299631: MSCS walks the effective list {3, 4, 1, 2} from the failed owner (4) on,
    to node 1; Pacemaker takes the best score, node 3 -- a documented model difference."""
    four.move_group("FS1", "4-JERRY")
    four.run_until_stable()
    result = pm.compare_with_crm_simulate(four, "4-JERRY")
    assert result.labkit["FS1"] == "1-CURLY"
    assert result.pacemaker["FS1"] == "3-LARRY"
    assert result.differences == ["FS1"]
    assert "differs" in result.table() and "the models differ on FS1" in str(result)


@needs_crm
def test_crm_simulate_on_the_exchange_example():
    c = files.load(ROOT / "examples" / "exchange_two_node.yaml")
    result = pm.compare_with_crm_simulate(c, "1-CURLY")
    assert result.labkit == result.pacemaker == {"Cluster Group": "2-MOE", "EXVS1": "2-MOE", "EXVS2": "2-MOE"}


@needs_crm
def test_compare_refuses_a_node_that_is_down_or_unknown(four):
    four.crash_node("2-MOE")
    four.run_until_stable()
    with pytest.raises(lk.ValidationError, match="already Down"):
        pm.compare_with_crm_simulate(four, "2-MOE")
    with pytest.raises(lk.NotFoundError):
        pm.compare_with_crm_simulate(four, "9-NOBODY")


def test_missing_crm_tools_give_a_clear_error(monkeypatch, four):
    monkeypatch.setattr(pm.simulate, "crm_tool", lambda name: None)
    with pytest.raises(lk.ConfigurationError, match="pacemaker-cli-utils"):
        pm.compare_with_crm_simulate(four, "1-CURLY")


# ------------------------------------------------------- a stable cluster, as Pacemaker sees it
SIZES = [(16, 100), (32, 500), (64, 1000)]   # 128 nodes / 4,000 groups: benchmarks/run.py only


def _service(nodes, groups):
    from labkit.scenarios import service_cluster
    return service_cluster(nodes=nodes, groups=groups)


def test_op_digest_is_pacemakers_v1_digest_of_the_sorted_parameters():
    # the MD5 of ' <parameters a="..." b="..."/>\n' with attributes in byte order
    import hashlib
    want = hashlib.md5(b' <parameters cidr_netmask="24" ip="10.0.0.1"/>\n').hexdigest()
    assert pm.op_digest({"ip": "10.0.0.1", "cidr_netmask": "24"}) == want
    assert pm.op_digest({}) == hashlib.md5(b" <parameters/>\n").hexdigest()
    assert pm.op_digest({"a": 'x<"&>\'y'}) == hashlib.md5(b' <parameters a="x&lt;&quot;&amp;&gt;&apos;y"/>\n').hexdigest()
    # Pacemaker stops escaping at the first non-ASCII character
    assert pm.op_digest({"a": "é<"}) == hashlib.md5(' <parameters a="é<"/>\n'.encode()).hexdigest()


def test_status_records_a_start_and_both_monitors_with_digests_on_the_owner(four):
    root = ET.fromstring(pm.status_cib(four))
    larry = next(n for n in root.iter("node_state") if n.get("uname") == "3-LARRY")
    ops = {o.get("id"): o for o in larry.iter("lrm_rsc_op")}
    assert {"Disk-FS1_last_0", "Disk-FS1_monitor_5000", "Disk-FS1_monitor_60000"} <= set(ops)
    assert ops["Disk-FS1_last_0"].get("operation") == "start" and ops["Disk-FS1_last_0"].get("rc-code") == "0"
    params = {"device": "/dev/disk/by-label/F", "directory": "/mnt/F", "fstype": "ext4"}
    assert ops["Disk-FS1_last_0"].get("op-digest") == pm.op_digest(params)
    deep = ops["Disk-FS1_monitor_60000"]
    assert deep.get("op-digest") == pm.op_digest({**params, "OCF_CHECK_LEVEL": "10", "CRM_meta_timeout": "180000"})
    assert not any(o.get("id").startswith("Disk-FS1") for n in root.iter("node_state")
                   if n.get("uname") != "3-LARRY" for o in n.iter("lrm_rsc_op"))
    props = {n.get("name"): n.get("value") for n in root.iter("nvpair") if n.get("id", "").startswith("opt-")}
    assert props["enable-startup-probes"] == "false"


def test_status_with_probes_records_not_running_on_every_other_online_node(four):
    four.crash_node("2-MOE")
    four.run_until_stable()
    root = ET.fromstring(pm.status_cib(four, probes=True))
    states = {n.get("uname"): n for n in root.iter("node_state")}
    assert states["2-MOE"].get("crmd") == "offline" and not list(states["2-MOE"].iter("lrm_rsc_op"))
    curly = {o.get("id"): o for o in states["1-CURLY"].iter("lrm_rsc_op")}
    probe = curly["Disk-FS1_last_0"]
    assert (probe.get("operation"), probe.get("interval"), probe.get("rc-code")) == ("monitor", "0", "7")
    total = sum(1 for _ in root.iter("lrm_resource"))
    assert total == 14 * 3                    # 14 exported primitives on each of the 3 online nodes
    assert "enable-startup-probes" not in pm.status_cib(four, probes=True)


@needs_crm
def test_our_digests_are_the_ones_pacemaker_writes(four, tmp_path):
    """Pacemaker itself is the oracle: start the exported cluster in crm_simulate (which
    records each operation with the digest it computes) and compare with status_cib."""
    (tmp_path / "empty.xml").write_text(pm.export_cib(four))
    import subprocess
    online = [arg for n in four.node_ids() for arg in ("-u", n)]
    subprocess.run([pm.crm_tool("crm_simulate"), "-x", str(tmp_path / "empty.xml"), "-S", "-Q", *online,
                    "-O", str(tmp_path / "started.xml")], check=True, capture_output=True)
    theirs = {o.get("operation_key"): o.get("op-digest") for o in ET.parse(tmp_path / "started.xml").iter("lrm_rsc_op")
              if o.get("operation") != "monitor" or o.get("interval") != "0"}
    ours = {o.get("operation_key"): o.get("op-digest") for o in ET.fromstring(pm.status_cib(four)).iter("lrm_rsc_op")}
    assert len(ours) == 14 * 3 and set(ours) <= set(theirs)
    assert {k: theirs[k] for k in ours} == ours


def _assert_stable(xml: str):
    ok, messages = pm.verify_cib(xml, timeout_s=None)     # no time limit: a busy machine is slow
    assert ok, messages
    assert pm.planned_actions(xml, timeout_s=None) == []


@needs_crm
@pytest.mark.parametrize("style", ["group", "constraints"])
@pytest.mark.parametrize("probes", [False, True])
def test_pacemaker_sees_the_paper_cluster_as_stable(style, probes):
    from labkit.scenarios import four_node_5000
    _assert_stable(pm.status_cib(four_node_5000(), style=style, probes=probes))


@needs_crm
@pytest.mark.parametrize("nodes,groups", SIZES)
def test_pacemaker_sees_every_benchmark_size_as_stable(nodes, groups):
    _assert_stable(pm.status_cib(_service(nodes, groups)))


@needs_crm
def test_the_stability_check_can_fail(four):
    """A wrong digest is a changed definition to Pacemaker: it restarts the resource."""
    xml = pm.status_cib(four)
    wrong = xml.replace(f'op-digest="{pm.op_digest({"ip": "132.192.1.101", "cidr_netmask": "24"})}"',
                        'op-digest="00000000000000000000000000000000"', 1)
    assert wrong != xml
    planned = pm.planned_actions(wrong)
    assert planned[0] == "restart IP-FS1 source 3-LARRY"     # and the members after it in the group
    assert planned[1:] == ["restart Name-FS1 source 3-LARRY reason required IP-FS1 start",
                           "restart Share-FS1 source 3-LARRY reason required Name-FS1 start"]
    no_monitors = re.sub(r'<lrm_rsc_op id="Share-FS2_monitor_5000"[^>]*/>', "", xml)
    assert pm.planned_actions(no_monitors) == []       # a missing monitor is only re-scheduled...
    assert 'resource="Share-FS2" op="monitor" node="2-MOE" interval="5000"' in _transition(no_monitors)
    assert 'op="monitor"' not in _transition(xml)


def _transition(xml: str) -> str:
    import subprocess
    import tempfile
    with tempfile.NamedTemporaryFile("w", suffix=".xml") as f:
        f.write(xml)
        f.flush()
        return subprocess.run([pm.crm_tool("crm_simulate"), "-x", f.name, "-S", "--output-as=xml"],
                              capture_output=True, text=True, check=True).stdout


@needs_crm
def test_recorded_probes_and_disabled_probes_give_the_same_decisions():
    c = _service(16, 100)
    events = ("--node-fail", "N1")
    assert pm.planned_actions(pm.status_cib(c, probes=True), *events, timeout_s=None) == \
        pm.planned_actions(pm.status_cib(c), *events, timeout_s=None) != []


@needs_crm
def test_a_node_failure_lands_where_labkit_puts_it_at_16_nodes():
    c = _service(16, 100)
    result = pm.compare_with_crm_simulate(c, "N1", timeout_s=None)   # no time limit: a busy machine is slow
    moved = [g for g, n in result.before.items() if n == "N1"]
    assert len(moved) == 8 and all(result.labkit[g] == "N2" for g in moved if g != "Cluster Group")
    assert result.agree, str(result)


@needs_crm
def test_compare_refuses_a_state_pacemaker_would_change_at_once(four):
    """With hold=False the configured stickiness is exported: FS2 allows failback, and
    Pacemaker moves it home at once, where MSCS waits for its preferred node to join."""
    four.set_group_properties("FS2", auto_failback=True)
    four.move_group("FS2", "1-CURLY")
    four.run_until_stable()
    assert pm.planned_actions(pm.status_cib(four)) == []
    assert "move Disk-FS2 source 1-CURLY dest 2-MOE" in pm.planned_actions(pm.status_cib(four, hold=False))
    result = pm.compare_with_crm_simulate(four, "3-LARRY")
    assert result.labkit["FS2"] == result.pacemaker["FS2"] == "1-CURLY"


@needs_crm
def test_a_paused_node_keeps_its_groups_and_takes_no_new_one(four):
    four.pause_node("4-JERRY")
    result = pm.compare_with_crm_simulate(four, "3-LARRY")
    assert result.labkit["FS1"] == result.pacemaker["FS1"] == "1-CURLY"     # 4-JERRY is skipped
    assert result.agree, str(result)
    assert any("paused" in n for n in result.notes)


def test_status_cib_reads_each_group_once(monkeypatch, four):
    """Linear time: one pass over the groups (it was one pass per node, quadratic)."""
    calls = []
    real = lk.Cluster.online_order
    monkeypatch.setattr(lk.Cluster, "online_order", lambda self, g: calls.append(g) or real(self, g))
    pm.status_cib(four)
    assert sorted(calls) == sorted(list(four.groups) * 2)   # once for the configuration, once for the status


@needs_crm
def test_the_command_exports_a_stable_running_cluster(tmp_path, capsys):
    from labkit import cli
    out = tmp_path / "cib.xml"
    assert cli.main(["export-pacemaker", str(ROOT / "examples" / "exchange_two_node.yaml"), "--status",
                     "--verify", "--out", str(out)]) == 0
    assert "crm_verify: valid" in capsys.readouterr().out
    assert "<lrm_rsc_op" in out.read_text() and pm.planned_actions(out) == []
