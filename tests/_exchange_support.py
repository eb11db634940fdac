"""Shared helpers for the Exchange tests (not collected: no test_ prefix)."""
from __future__ import annotations

import pytest

import labkit as lk
from labkit import exchange as ex

SA_TYPE = "Microsoft Exchange System Attendant"


def refused(cluster, exc, fn, *args, **kwargs):
    """Call ``fn``; it must raise ``exc`` naming a rule, and leave ``cluster`` unchanged."""
    before = cluster.to_dict()
    with pytest.raises(exc) as info:
        fn(*args, **kwargs)
    assert info.value.rule, f"{exc.__name__} without a rule: {info.value}"
    assert cluster.to_dict() == before, "a refused command changed the model"
    return info.value


def two_nodes(edition: str = "Advanced Server") -> lk.Cluster:
    c = lk.Cluster("FOUR-STOOGES", ip="132.192.1.100", edition=edition)
    c.add_node("1-CURLY", ip="132.192.1.10")
    c.add_node("2-MOE", ip="132.192.1.20")
    c.run_until_stable()
    return c


def installed_cluster(nodes=("1-CURLY", "2-MOE")) -> lk.Cluster:
    c = two_nodes()
    for n in nodes:
        ex.install(c, n)
        c.run_until_stable()
    return c


def manual_group(c: lk.Cluster, evs: str = "EXVS1", ip: str = "132.192.1.11", *, disk: str | None = "Disk E:",
                 with_ip: bool = True, with_name: bool = True, name_on_ip: bool = True) -> str:
    """The paper's prerequisites, made by hand: group, IP Address, Network Name, disk."""
    c.add_group(evs)
    if with_ip:
        c.add_resource(f"{evs} IP", type="IP Address", group=evs, address=ip)
    if with_name:
        deps = [f"{evs} IP"] if (with_ip and name_on_ip) else None
        c.add_resource(f"{evs} Name", type="Network Name", group=evs, name=evs, dependencies=deps)
    if disk:
        c.add_resource(disk, type="Physical Disk", group=evs, drive=disk[-2:])
    return evs


def add_sa(c: lk.Cluster, evs: str = "EXVS1", deps=None, **kw):
    deps = [f"{evs} Name", "Disk E:"] if deps is None else deps
    return c.add_resource(f"SA {evs}", type=SA_TYPE, group=evs, dependencies=deps, **kw)


def two_evs_cluster():
    """The issue's scenario: EXVS1 on 1-CURLY with 3 storage groups, EXVS2 on 2-MOE with 2."""
    c = ex.demo_cluster()
    ex.add_storage_group(c, "EXVS1", "SG2", log_disk="Disk L:")
    ex.add_storage_group(c, "EXVS1", "SG3", log_disk="Disk L:")
    ex.create_virtual_server(c, "EXVS2", ip="132.192.1.21", disks=["Disk F:", "Disk M:"], node="2-MOE")
    ex.add_storage_group(c, "EXVS2", "SG2", log_disk="Disk M:")
    c.online_group("EXVS2")
    c.run_until_stable()
    return c
