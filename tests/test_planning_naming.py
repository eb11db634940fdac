"""Table 10 naming and IP plan: generator for N nodes and the checker's rules."""
import pytest

import labkit as lk
from labkit.planning import naming
from labkit.planning.naming import NamingPlan, PlanEntry, check_naming, naming_plan


def entries(*items):
    return [PlanEntry(*i) for i in items]


def plan_of(*items, subnet="10.0.0.0/24"):
    return NamingPlan(subnet, entries(*items))


def rules_of(plan):
    return {v.rule for v in check_naming(plan)}


GOOD = (("CLUS", "10.0.0.100", "cluster"), ("N1", "10.0.0.10", "node"),
        ("VS1", "10.0.0.11", "virtual server", "N1"))


def test_table10_is_reproduced_exactly():
    rows = naming.table10().rows()
    assert rows == [
        {"name": "FOUR-STOOGES", "services": "Cluster Manager", "addresses": "FOUR-STOOGES: 132.192.1.100"},
        {"name": "1-CURLY", "services": "VS1-NAME=EXVS1", "addresses": "1-CURLY: 132.192.1.10, EXVS1: 132.192.1.11"},
        {"name": "2-MOE", "services": "VS2-NAME=EXVS2", "addresses": "2-MOE: 132.192.1.20, EXVS2: 132.192.1.21"},
        {"name": "3-LARRY", "services": "VS3-NAME=EXVS3",
         "addresses": "3-LARRY: 132.192.1.30, EXVS3: 132.192.1.31"},
        {"name": "4-JERRY", "services": "VS4-NAME=EXVS4",
         "addresses": "4-JERRY: 132.192.1.40, EXVS4: 132.192.1.41"},
    ]


def test_virtual_server_address_is_node_address_plus_one():
    p = naming_plan(6)
    for vs in p.virtual_servers:
        node_ip = p.address_of(vs.node)
        assert int(vs.ip.split(".")[-1]) == int(node_ip.split(".")[-1]) + 1


@pytest.mark.parametrize("n", [1, 2, 3, 8, 9])
def test_generator_scales_and_passes_its_checker(n):
    p = naming_plan(n)
    assert len(p.nodes) == n and len(p.virtual_servers) == n and check_naming(p) == []


def test_generator_names_follow_the_paper():
    assert naming.default_cluster_name(2) == "TWO-STOOGES"
    assert naming.default_node_names(9)[-1] == "9-NODE9"
    p = naming_plan(2, virtual_servers_per_node=2)
    assert [v.name for v in p.virtual_servers] == ["EXVS1", "EXVS2", "EXVS3", "EXVS4"]
    assert p.address_of("EXVS2") == "132.192.1.12"


def test_generator_refuses_a_scheme_that_collides():
    with pytest.raises(lk.ConfigurationError) as e:
        naming_plan(10)          # node 10 would take the cluster's .100
    assert e.value.rule == "unique-addresses"
    with pytest.raises(lk.ConfigurationError):
        naming_plan(30)          # beyond the /24
    with pytest.raises(lk.ConfigurationError):
        naming_plan(2, virtual_servers_per_node=10)
    naming_plan(12, cluster_host=250, step=20)   # another cluster host and step fit 12 nodes


def test_generator_argument_errors():
    with pytest.raises(lk.ValidationError):
        naming_plan(0)
    with pytest.raises(lk.ValidationError):
        naming_plan(2, subnet="132.192.1.5/24")
    with pytest.raises(lk.ValidationError):
        naming_plan(2, node_names=["A"])


# --- one test per rule ------------------------------------------------------------------------------
def test_good_plan_is_valid():
    assert check_naming(plan_of(*GOOD)) == []


def test_static_addresses_only():
    p = plan_of(*GOOD, ("N2", "DHCP", "node"))
    assert "static-addresses" in rules_of(p)


def test_valid_host_addresses():
    assert "valid-address" in rules_of(plan_of(*GOOD, ("N2", "10.0.0.300", "node")))
    assert "valid-address" in rules_of(plan_of(*GOOD, ("N2", "127.0.0.1", "node")))


def test_unique_addresses():
    assert "unique-addresses" in rules_of(plan_of(*GOOD, ("N2", "10.0.0.10", "node")))


def test_unique_names_ignore_case():
    assert "unique-names" in rules_of(plan_of(*GOOD, ("n1", "10.0.0.20", "node")))


def test_one_subnet():
    assert "one-subnet" in rules_of(plan_of(*GOOD, ("N2", "10.0.1.20", "node")))
    assert "one-subnet" in rules_of(plan_of(*GOOD, ("N2", "10.0.0.0", "node")))     # the network address


def test_netbios_names_at_most_15_characters():
    assert "netbios-names" in rules_of(plan_of(*GOOD, ("EXCHANGE-NODE-016", "10.0.0.20", "node")))
    assert "netbios-names" in rules_of(plan_of(*GOOD, ("N 2", "10.0.0.20", "node")))
    assert "netbios-names" not in rules_of(plan_of(*GOOD, ("EXCHANGE-NODE-1", "10.0.0.20", "node")))


def test_virtual_server_home_node_is_in_the_plan():
    assert "home-node" in rules_of(plan_of(*GOOD, ("VS2", "10.0.0.21", "virtual server", "N9")))


def test_require_valid_naming_raises():
    with pytest.raises(lk.ConfigurationError) as e:
        naming.require_valid_naming(plan_of(*GOOD, ("N2", "DHCP", "node")))
    assert e.value.rule == "static-addresses" and "paper" in e.value.source


def test_wrong_types():
    with pytest.raises(lk.ValidationError):
        check_naming(["FOUR-STOOGES"])
    with pytest.raises(lk.ValidationError):
        PlanEntry("X", "10.0.0.1", "printer")
    with pytest.raises(lk.ValidationError):
        NamingPlan("10.0.0.0/24", ["X"])
    with pytest.raises(lk.ValidationError):
        naming.table10().address_of("5-SHEMP")


def test_collections_of_the_wrong_type_are_validation_errors():
    with pytest.raises(lk.ValidationError):
        naming_plan(2, node_names=5)
    with pytest.raises(lk.ValidationError):
        NamingPlan("10.0.0.0/24", 5)
