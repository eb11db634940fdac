"""Bad-input campaign (issue 9): every public command fed wrong types, unknown names, empty
strings, huge values and duplicates. Each call either succeeds or raises a LabkitError --
never another exception, never a hang -- and a refusal leaves the model unchanged."""
import math

import pytest

import labkit as lk
from labkit import exchange as ex
from conftest import build

BAD = [None, 0, -1, 3.5, float("nan"), float("inf"), 10**18, "", " ", "NOPE", "x" * 5000, [], ["NOPE"],
       ["N1", "N1"], {}, {"a": 1}, (1, 2), object(), True, b"N1"]
CASES_TRIED = {"n": 0}

# command -> valid positional args and keyword args on build(2) with G1 online
CLUSTER_CALLS = {
    "find_name": (("groups", "G1"), {}),
    "group_index": (("G1",), {}),
    "add_node": (("N9",), {"ip": "10.0.0.9"}),
    "add_group": (("G9",), {"preferred_owners": ["N1"]}),
    "delete_group": (("G1",), {}),
    "add_resource": (("X",), {"type": "Generic Service", "group": "G1", "possible_owners": ["N1"],
                              "dependencies": ["Disk G1"], "separate_monitor": False}),
    "delete_resource": (("Share G1",), {"with_dependents": False}),
    "add_dependency": (("Share G1", "IP G1"), {}),
    "remove_dependency": (("Share G1", "Disk G1"), {}),
    "set_preferred_owners": (("G1", ["N2", "N1"]), {}),
    "set_possible_owners": (("Share G1", ["N1", "N2"]), {}),
    "add_possible_owner": (("Share G1", "N2"), {}),
    "remove_possible_owner": (("Share G1", "N2"), {}),
    "set_group_properties": (("G1",), {"failover_threshold": 5, "failover_period_hours": 2,
                                       "auto_failback": True, "failback_window": (1, 5)}),
    "set_resource_properties": (("Share G1",), {"restart_action": "restart_notify", "restart_threshold": 2,
                                                "restart_period_s": 60, "looks_alive_ms": 100,
                                                "is_alive_ms": 1000, "pending_timeout_ms": 1000}),
    "set_monitor": (("Share G1", "m"), {}),
    "set_private_properties": (("IP G1",), {"subnet_mask": "255.255.0.0", "network": "Public"}),
    "set_quorum_resource": (("Disk Q:",), {}),
    "online_group": (("G1",), {"node": "N1"}),
    "offline_group": (("G1",), {}),
    "move_group": (("G1", "N2"), {}),
    "online_resource": (("Share G1",), {}),
    "offline_resource": (("Share G1",), {}),
    "fail_resource": (("Share G1",), {}),
    "inject_fault": (("Share G1", "crash"), {"persistent": False, "everywhere": False}),
    "repair_resource": (("Share G1",), {}),
    "crash_resource_monitor": (("Share G1",), {}),
    "crash_node": (("N2",), {}),
    "start_node": (("N2",), {}),
    "stop_node": (("N2",), {}),
    "restart_node": (("N2",), {}),
    "pause_node": (("N2",), {}),
    "resume_node": (("N2",), {}),
    "evict_node": (("N2",), {}),
    "partition": (([["N1"], ["N2"]],), {}),
    "heal": ((), {}),
    "run": ((), {"seconds": 1, "minutes": 0, "hours": 0, "duration": "1s"}),
    "run_until_stable": ((), {"max_events": 1000}),
    "add_account": (("bob",), {"rights": ["Exchange Full Administrator"]}),
    "grant": (("CLUSTER\\Administrator", "x"), {}),
    "groups_on": (("N1",), {}),
    "online_order": (("G1",), {}),
    "dependents": (("IP G1",), {}),
    "can_host": (("G1", "N2"), {}),
    "failover_target": (("G1",), {}),
    "effective_owners": (("G1",), {}),
    "install_resource_type": (("File Share",), {}),
    "schedule": ((10, "regroup", ("N9", 0)), {}),
    "node": (("N1",), {}),
    "group": (("G1",), {}),
    "resource": (("Share G1",), {}),
}


def mutations(args, kwargs):
    for i in range(len(args)):
        for bad in BAD:
            yield args[:i] + (bad,) + args[i + 1:], kwargs
    for k in kwargs:
        for bad in BAD:
            yield args, {**kwargs, k: bad}


def _check(target, make, name, args, kwargs):
    before = target.to_dict()
    try:
        getattr(make, name)(*args, **kwargs) if not callable(make) else make(target, *args, **kwargs)
    except lk.LabkitError as e:
        assert str(e), "an error with no message"
        assert target.to_dict() == before, f"{name}{args}{kwargs} refused but changed the model"
    CASES_TRIED["n"] += 1


@pytest.mark.parametrize("name", sorted(CLUSTER_CALLS))
def test_cluster_commands_refuse_bad_input_cleanly(name):
    args, kwargs = CLUSTER_CALLS[name]
    for a, k in mutations(args, kwargs):
        c = build(2)
        _check(c, c, name, a, k)


def test_every_public_cluster_command_is_in_the_campaign():
    public = {n for n in dir(lk.Cluster) if not n.startswith("_") and callable(getattr(lk.Cluster, n))}
    no_names = {"copy", "to_dict", "node_ids", "offline_order", "who_has_address", "who_has_name",
                "who_has_drive", "is_stable", "record", "transaction", "acting_as", "has_right",
                "register_handler"}
    assert public - no_names - set(CLUSTER_CALLS) == set()


EXCHANGE_CALLS = {
    "create_virtual_server": (("EXVS2",), {"ip": "132.192.1.21", "disks": ["Disk F:"], "node": "2-MOE"}),
    "add_storage_group": (("EXVS1", "SG2"), {"log_disk": "Disk L:"}),
    "add_database": (("EXVS1", "First Storage Group", "DB2"), {"edb_disk": "Disk E:", "stm_disk": "Disk E:"}),
    "add_mailboxes": (("EXVS1", "Mailbox Store (EXVS1)", 10), {}),
    "storage_groups_on": (("1-CURLY",), {}),
    "remove_virtual_server": (("EXVS1",), {}),
    "check_removal": (("EXVS1",), {"delete_group": False, "assume_offline": True}),
    "move_storage_group_logs": (("EXVS1", "First Storage Group", "Disk L:"), {}),
    "move_database": (("EXVS1", "First Storage Group", "Mailbox Store (EXVS1)"),
                      {"edb_disk": "Disk L:", "stm_disk": "Disk L:"}),
    "is_dismounted": (("EXVS1", "Mailbox Store (EXVS1)"), {}),
    "install": (("2-MOE",), {}),
    "uninstall": (("2-MOE",), {}),
    "move_mailboxes": (("EXVS1", "Mailbox Store (EXVS1)", "EXVS1", "Sales", 10), {}),
    "check_mailbox_move": (("EXVS1", "Mailbox Store (EXVS1)", "EXVS1", "Sales", 10), {}),
}


def _with_sales():
    """demo_cluster() with 100 mailboxes and a second mailbox store, Sales, to move them to."""
    c = ex.demo_cluster()
    ex.add_mailboxes(c, "EXVS1", "Mailbox Store (EXVS1)", 100)
    ex.add_storage_group(c, "EXVS1", "SG2", log_disk="Disk L:")
    ex.add_database(c, "EXVS1", "SG2", "Sales", edb_disk="Disk E:")
    return c


#: commands that need more than demo_cluster() to succeed with their valid arguments
EXCHANGE_BASES = {"move_mailboxes": _with_sales, "check_mailbox_move": _with_sales}


@pytest.mark.parametrize("name", sorted(EXCHANGE_CALLS))
def test_exchange_commands_refuse_bad_input_cleanly(name):
    args, kwargs = EXCHANGE_CALLS[name]
    fn = getattr(ex, name)
    base = EXCHANGE_BASES.get(name, ex.demo_cluster)()
    if name in EXCHANGE_BASES:
        fn(base.copy(), *args, **kwargs)               # the valid call succeeds on its base
    for a, k in mutations(args, kwargs):
        c = base.copy()
        _check(c, fn, name, a, k)


def test_report_bad_input_cases(record_property):
    record_property("bad-input campaign cases", CASES_TRIED["n"])
    print(f"bad-input campaign: {CASES_TRIED['n']} cases")
    assert CASES_TRIED["n"] > 1000
