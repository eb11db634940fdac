"""Shared fixtures: small clusters built through the public API."""
import pytest

import labkit as lk


def build(nodes=2, edition=None, groups=1):
    """A running cluster with ``nodes`` nodes and ``groups`` file-share groups (online)."""
    edition = edition or ("Advanced Server" if nodes <= 2 else "Datacenter" if nodes <= 4 else "Modern")
    c = lk.Cluster("LAB", ip="10.0.0.100", edition=edition)
    for i in range(1, nodes + 1):
        c.add_node(f"N{i}", ip=f"10.0.0.{i}")
    for k in range(1, groups + 1):
        add_share_group(c, f"G{k}", k)
        c.online_group(f"G{k}")
    c.run_until_stable()
    return c


def add_share_group(c, g, k=1):
    """The classic file-share group: Disk, IP, Network Name (on IP), File Share (on Disk and Name)."""
    c.add_group(g)
    c.add_resource(f"Disk {g}", type="Physical Disk", group=g, drive="FGHIJKLMNOPRSTUVWXYZ"[k % 20] + ":")
    c.add_resource(f"IP {g}", type="IP Address", group=g, address=f"10.0.1.{k}")
    c.add_resource(f"Name {g}", type="Network Name", group=g, name=f"VS{k}")
    c.add_resource(f"Share {g}", type="File Share", group=g, share_name=f"share{k}")
    c.add_dependency(f"Name {g}", f"IP {g}")
    c.add_dependency(f"Share {g}", f"Disk {g}")
    c.add_dependency(f"Share {g}", f"Name {g}")
    return g


@pytest.fixture
def two():
    return build(2)


@pytest.fixture
def four():
    return build(4)
