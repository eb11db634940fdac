"""Small ready-made clusters for the widgets, the notebooks' demonstrations and the
benchmark, built only through the public :class:`~labkit.cluster.Cluster` API.

>>> c = file_share_cluster()
>>> c.online_order("FS")
['Disk FS', 'IP FS', 'Name FS', 'Share FS']
>>> c = service_cluster(nodes=4, groups=5)
>>> len(c.groups), len(c.resources), sorted({g.owner for g in c.groups.values()})
(6, 48, ['N1', 'N2', 'N3', 'N4'])
"""
from __future__ import annotations

from ..cluster import Cluster

#: Drive letters of the demonstration clusters' disks, in the order they are handed out.

DRIVE_LETTERS = "FGHIJKLMNOPRSTUVWXYZ"


def smallest_edition(nodes: int) -> str:
    """The smallest edition that holds ``nodes`` nodes: Advanced Server (2), Datacenter (4),
    else Modern (64; see ``labkit.cluster.membership.EDITIONS``)."""
    return "Advanced Server" if nodes <= 2 else "Datacenter" if nodes <= 4 else "Modern"


def add_file_share_group(c: Cluster, group: str, *, drive: str, address: str, name: str,
                         share: str | None = None) -> str:
    """The classic file-share group (paper, Resources and Resource Groups): a Physical
    Disk, an IP Address, a Network Name that needs the IP Address, and a File Share that
    needs the disk and the name. Resource names end with the group's name."""
    c.add_group(group)
    c.add_resource(f"Disk {group}", type="Physical Disk", group=group, drive=drive)
    c.add_resource(f"IP {group}", type="IP Address", group=group, address=address)
    c.add_resource(f"Name {group}", type="Network Name", group=group, name=name,
                   dependencies=[f"IP {group}"])
    c.add_resource(f"Share {group}", type="File Share", group=group, share_name=share or name.lower(),
                   dependencies=[f"Disk {group}", f"Name {group}"])
    return group


def file_share_cluster(name: str = "LAB", *, nodes: int = 2, groups: int = 1) -> Cluster:
    """A running cluster of ``nodes`` nodes (NODE1, NODE2...) with file-share groups
    FS (then FS2, FS3...) online on the first node; 10.0.0.x addresses."""
    c = Cluster(name, ip="10.0.0.100", edition=smallest_edition(nodes))
    for i in range(1, nodes + 1):
        c.add_node(f"NODE{i}", ip=f"10.0.0.{i}")
    for k in range(1, groups + 1):
        g = "FS" if k == 1 else f"FS{k}"
        add_file_share_group(c, g, drive=DRIVE_LETTERS[k - 1] + ":", address=f"10.0.0.{100 + k}", name=f"FILES{k}")
        c.online_group(g)
    c.run_until_stable()
    return c


def two_node_demo() -> Cluster:
    """The smallest interesting cluster: two nodes, the Cluster Group online (notebook
    00's installation check, :class:`~labkit.views.widgets.StarterWidget`).

    >>> sorted(two_node_demo().nodes)
    ['NODE1', 'NODE2']
    """
    c = Cluster("HELLO", ip="10.0.0.100", edition="Advanced Server")
    c.add_node("NODE1", ip="10.0.0.1")
    c.add_node("NODE2", ip="10.0.0.2")
    c.run_until_stable()
    return c


#: The nine resources of a service group and what each needs: the shape of an Exchange
#: virtual server (paper, Table 7) with generic services standing in for Exchange's.
SERVICE_TREE = (
    ("Disk", "Physical Disk", ()),
    ("IP", "IP Address", ()),
    ("Name", "Network Name", ("IP",)),
    ("Core", "Generic Service", ("Name", "Disk")),
    ("Store", "Generic Service", ("Core",)),
    ("Mail", "Generic Service", ("Store",)),
    ("Web", "Generic Service", ("Store",)),
    ("IMAP", "Generic Service", ("Store",)),
    ("POP3", "Generic Service", ("Store",)),
)


def _node_address(i: int) -> str:
    return f"10.1.0.{i}"


def _service_address(k: int) -> str:
    """Group k's IP Address: 10.1.1.1 to 10.1.1.250, then 10.1.2.1..."""
    return f"10.1.{1 + (k - 1) // 250}.{1 + (k - 1) % 250}"


def service_cluster(*, nodes: int = 4, groups: int = 5, name: str = "BENCH", edition: str | None = None,
                    node_address=_node_address, service_address=_service_address) -> Cluster:
    """A running cluster with ``groups`` groups of nine resources (:data:`SERVICE_TREE`),
    SVC1, SVC2..., spread over the nodes round-robin, each with its own resource
    monitor -- the size of the paper's four-node Exchange cluster. ``edition``: the
    smallest that holds the nodes, unless given; ``node_address(i)`` and
    ``service_address(k)``: the address of node i and of group k's IP Address
    (10.1.0.i and 10.1.x.y unless given)."""
    c = Cluster(name, ip="10.1.0.100", edition=edition if edition is not None else smallest_edition(nodes))
    for i in range(1, nodes + 1):
        c.add_node(f"N{i}", ip=node_address(i))
    names = c.node_ids()
    for k in range(1, groups + 1):
        g = f"SVC{k}"
        c.add_group(g)
        # letters run out after a couple of dozen disks: larger clusters mount the rest without one
        disk = {"drive": DRIVE_LETTERS[k - 1] + ":"} if k <= len(DRIVE_LETTERS) else {}
        props = {"Disk": disk, "IP": {"address": service_address(k)}, "Name": {"name": f"SVC{k}"}}
        for part, rtype, needs in SERVICE_TREE:
            c.add_resource(f"{part} {g}", type=rtype, group=g, dependencies=[f"{n} {g}" for n in needs],
                           **props.get(part, {}))
            c.set_monitor(f"{part} {g}", g)
        owner = names[(k - 1) % len(names)]
        c.set_preferred_owners(g, [owner] + [n for n in names if n != owner])
        c.online_group(g, owner)
    c.run_until_stable()
    return c
