"""Every refused command raises a LabkitError naming its rule, and changes nothing."""
import pytest

import labkit as lk
from conftest import build

# (command, args, kwargs, expected error class)
CASES = [
    ("find_name", ("bogus", "N1"), {}, lk.ValidationError),
    ("find_name", ("groups", 7), {}, lk.ValidationError),
    ("group_index", ("NOPE",), {}, lk.NotFoundError),
    ("add_node", ("N1",), {}, lk.LimitError),
    ("add_group", ("G1",), {}, lk.NameConflictError),
    ("add_group", ("",), {}, lk.ValidationError),
    ("add_group", (None,), {}, lk.ValidationError),
    ("add_group", ("G9",), {"preferred_owners": ["NOPE"]}, lk.NotFoundError),
    ("add_group", ("G9",), {"preferred_owners": "N1"}, lk.ValidationError),
    ("delete_group", ("G1",), {}, lk.StateError),
    ("delete_group", ("Cluster Group",), {}, lk.StateError),
    ("delete_group", ("NOPE",), {}, lk.NotFoundError),
    ("add_resource", ("IP G1",), {"type": "IP Address", "group": "G1", "address": "10.9.9.9"}, lk.NameConflictError),
    ("add_resource", ("X",), {"type": "No Such Type", "group": "G1"}, lk.NotFoundError),
    ("add_resource", ("X",), {"type": "IP Address", "group": "NOPE", "address": "10.9.9.9"}, lk.NotFoundError),
    ("add_resource", ("X",), {"type": "File Share", "group": "G1"}, lk.ValidationError),  # no share_name
    ("add_resource", ("X",), {"type": "IP Address", "group": "G1", "address": ""}, lk.ValidationError),
    ("add_resource", ("X",), {"type": "Generic Service", "group": "G1", "possible_owners": []}, lk.OwnershipError),
    ("add_resource", ("X",), {"type": "Generic Service", "group": "G1", "dependencies": ["Disk Q:"]}, lk.DependencyError),
    ("add_resource", ("X",), {"type": "Generic Service", "group": "G1", "dependencies": "IP G1"}, lk.ValidationError),
    ("add_resource", ("X",), {"type": "Physical Disk", "group": "G1", "drive": "Q:"}, lk.NameConflictError),
    ("add_resource", ("X",), {"type": "Physical Disk", "group": "G1", "drive": "QQ"}, lk.ValidationError),
    ("delete_resource", ("IP G1",), {}, lk.DependencyError),
    ("delete_resource", ("Share G1",), {}, lk.StateError),
    ("delete_resource", ("NOPE",), {}, lk.NotFoundError),
    ("add_dependency", ("Share G1", "Disk Q:"), {}, lk.DependencyError),
    ("add_dependency", ("Share G1", "NOPE"), {}, lk.NotFoundError),
    ("remove_dependency", ("IP G1", "Name G1"), {}, lk.DependencyError),
    ("remove_dependency", ("Share G1", "Disk G1"), {}, lk.StateError),
    ("set_preferred_owners", ("G1", ["N1", "N1"]), {}, lk.ValidationError),
    ("set_preferred_owners", ("G1", ["N7"]), {}, lk.NotFoundError),
    ("set_possible_owners", ("Share G1", []), {}, lk.OwnershipError),
    ("set_possible_owners", ("Share G1", ["N2"]), {}, lk.OwnershipError),
    ("add_possible_owner", ("Share G1", "N1"), {}, lk.OwnershipError),
    ("remove_possible_owner", ("Share G1", "N7"), {}, lk.NotFoundError),
    ("set_group_properties", ("G1",), {"failover_threshold": -1}, lk.ValidationError),
    ("set_group_properties", ("G1",), {"failover_threshold": True}, lk.ValidationError),
    ("set_group_properties", ("G1",), {"failover_period_hours": 0}, lk.ValidationError),
    ("set_group_properties", ("G1",), {"auto_failback": "sometimes"}, lk.ValidationError),
    ("set_group_properties", ("G1",), {"failback_window": (25, 3)}, lk.ValidationError),
    ("set_group_properties", ("G1",), {"failback_window": "22-23"}, lk.ValidationError),
    ("set_resource_properties", ("Share G1",), {"restart_action": "reboot"}, lk.ValidationError),
    ("set_resource_properties", ("Share G1",), {"restart_threshold": 2.5}, lk.ValidationError),
    ("set_resource_properties", ("Share G1",), {"looks_alive_ms": 0}, lk.ValidationError),
    ("set_resource_properties", ("Share G1",), {"separate_monitor": True}, lk.StateError),
    ("set_monitor", ("Share G1", "m"), {}, lk.StateError),
    ("online_group", ("G1", "N7"), {}, lk.NotFoundError),
    ("online_group", ("G1", "N2"), {}, lk.StateError),
    ("offline_group", ("Cluster Group",), {}, lk.StateError),
    ("move_group", ("G1", "N1"), {}, lk.StateError),
    ("move_group", ("G1", "N7"), {}, lk.NotFoundError),
    ("move_group", (["G1"], "N2"), {}, lk.ValidationError),
    ("online_resource", ("NOPE",), {}, lk.NotFoundError),
    ("offline_resource", ("Disk Q:",), {}, lk.QuorumError),
    ("fail_resource", ("NOPE",), {}, lk.NotFoundError),
    ("inject_fault", ("Share G1", "melt"), {}, lk.ValidationError),
    ("inject_fault", ("Share G1",), {"persistent": "yes"}, lk.ValidationError),
    ("repair_resource", ("Share G1",), {}, lk.StateError),
    ("crash_node", ("N7",), {}, lk.NotFoundError),
    ("start_node", ("N1",), {}, lk.StateError),
    ("stop_node", ("N7",), {}, lk.NotFoundError),
    ("restart_node", (42,), {}, lk.ValidationError),
    ("resume_node", ("N1",), {}, lk.StateError),
    ("evict_node", ("N1",), {}, lk.StateError),
    ("partition", ([["N1"]],), {}, lk.ValidationError),
    ("partition", ("N1",), {}, lk.ValidationError),
    ("partition", ([["N1"], []],), {}, lk.ValidationError),
    ("heal", (), {}, lk.StateError),
    ("run", (), {"seconds": -5}, lk.ValidationError),
    ("run", (), {"duration": "soon"}, lk.ValidationError),
    ("run_until_stable", (), {"max_events": 0}, lk.ValidationError),
    ("add_account", ("CLUSTER\\Administrator",), {}, lk.NameConflictError),
    ("crash_resource_monitor", ("NOPE",), {}, lk.NotFoundError),
    ("crash_resource_monitor", ("Share G1",), {}, None),
    ("groups_on", ("N7",), {}, lk.NotFoundError),
    ("online_order", ("NOPE",), {}, lk.NotFoundError),
    ("dependents", (3,), {}, lk.ValidationError),
    ("can_host", ("G1", "N7"), {}, lk.NotFoundError),
    ("failover_target", ("NOPE",), {}, lk.NotFoundError),
    ("effective_owners", ("NOPE",), {}, lk.NotFoundError),
    ("install_resource_type", ("No Such Type",), {}, lk.NotFoundError),
    ("schedule", (10, "no_such_job"), {}, lk.NotFoundError),
    ("grant", ("nobody", "x"), {}, lk.NotFoundError),
    ("node", ("N7",), {}, lk.NotFoundError),
    ("group", (["G1"],), {}, lk.ValidationError),
    ("resource", ("NOPE",), {}, lk.NotFoundError),
    # issue 13: MSCS names are case-insensitive
    ("add_group", ("g1",), {}, lk.NameConflictError),
    ("add_resource", ("ip g1",), {"type": "Generic Service", "group": "G1"}, lk.NameConflictError),
    ("add_account", ("cluster\\ADMINISTRATOR",), {}, lk.NameConflictError),
    ("add_node", ("n1",), {}, lk.LimitError),
    ("set_preferred_owners", ("G1", ["N1", "n1"]), {}, lk.ValidationError),
    # issue 18: the quorum resource and private properties through the core
    ("set_quorum_resource", ("NOPE",), {}, lk.NotFoundError),
    ("set_quorum_resource", ("IP G1",), {}, lk.ConfigurationError),
    ("set_quorum_resource", ("Disk G1",), {}, lk.ConfigurationError),
    ("set_private_properties", ("IP G1",), {"address": "10.9.9.8"}, lk.ConfigurationError),
    ("set_private_properties", ("IP G1",), {"subnet_mask": "255.0.255.0"}, lk.ValidationError),
    ("set_private_properties", ("IP G1",), {"subnet_mask": "255.255.0.0", "colour": "red"}, lk.ValidationError),
    ("set_private_properties", ("Share G1",), {"share_name": "a/b"}, lk.ValidationError),
    ("set_private_properties", ("Disk G1",), {"size_gb": -1}, lk.ValidationError),
    ("set_private_properties", ("NOPE",), {"path": "x"}, lk.NotFoundError),
]


@pytest.mark.parametrize("cmd,args,kwargs,err", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_refused_command_names_its_rule_and_changes_nothing(cmd, args, kwargs, err):
    c = build(2)
    if err is None:  # refused only in a given state: the resource is offline
        c.offline_group("G1"); c.run_until_stable()
        err = lk.StateError
    before = c.to_dict()
    with pytest.raises(err) as e:
        getattr(c, cmd)(*args, **kwargs)
    assert isinstance(e.value, lk.LabkitError)
    assert str(e.value)
    assert c.to_dict() == before


def test_every_public_command_has_a_refusal_case():
    commands = {name for name in dir(lk.Cluster) if not name.startswith("_") and callable(getattr(lk.Cluster, name))}
    # commands without a bad-input case here: pure queries taking no names, and pause_node
    # (test_pause_refusals)
    queries = {"copy", "to_dict", "node_ids", "offline_order", "who_has_address", "who_has_name",
               "is_stable", "record", "transaction", "acting_as", "has_right", "register_handler", "pause_node",
               "who_has_drive"}
    missing = commands - queries - {c[0] for c in CASES}
    assert missing == set()


def test_pause_refusals():
    c = build(2)
    c.pause_node("N1")
    before = c.to_dict()
    with pytest.raises(lk.StateError):
        c.pause_node("N1")
    assert c.to_dict() == before


def test_composite_command_rolls_back_completely():
    c = build(2)
    before = c.to_dict()
    with pytest.raises(RuntimeError):
        with c.transaction():
            c.add_group("TEMP")
            c.add_resource("T", type="Generic Service", group="TEMP")
            c.run(seconds=10)
            raise RuntimeError("boom")
    assert c.to_dict() == before


def test_errors_carry_rule_and_source():
    c = build(2)
    with pytest.raises(lk.DependencyError) as e:
        c.add_dependency("Share G1", "Disk Q:")
    assert e.value.rule and e.value.source
    assert e.value.rule in str(e.value) and e.value.source in str(e.value)


def test_set_quorum_resource_moves_the_quorum_to_an_online_disk_of_the_cluster_group():
    c = build(2)
    c.add_resource("Disk T:", type="Physical Disk", group="Cluster Group", drive="T:")
    with pytest.raises(lk.StateError) as e:  # not Online yet
        c.set_quorum_resource("disk t:")
    assert "5004" in e.value.source
    c.online_resource("Disk T:"); c.run_until_stable()
    c.set_quorum_resource("disk t:")
    assert (c.quorum_resource, c.quorum_drive) == ("Disk T:", "T:")
    assert c.log[-1].what == "quorum resource changed"
    assert lk.files.loads(lk.files.dumps(c)).quorum_resource == "Disk T:"


def test_set_private_properties_stores_checked_values_and_logs_them():
    c = build(2)
    c.set_private_properties("ip g1", subnet_mask="255.255.0.0", network="Public 2")
    r = c.resources["IP G1"]
    assert (r.properties["subnet_mask"], r.properties["network"]) == ("255.255.0.0", "Public 2")
    assert c.log[-1].why == "subnet_mask=255.255.0.0, network=Public 2"
    assert lk.files.dumps(lk.files.loads(lk.files.dumps(c))) == lk.files.dumps(c)
