"""A small ready-made Exchange cluster (``labkit.exchange.demo_cluster``, ``ex.demo_cluster()``) for examples, doctests and notebooks.

>>> c = demo_cluster()
>>> c.groups["EXVS1"].owner, str(c.groups["EXVS1"].state)
('1-CURLY', 'Online')
"""
from __future__ import annotations


def demo_cluster(*, online: bool = True, seed: int = 0):
    """Two nodes (Advanced Server, the paper's RTM configuration) with Exchange 2000
    installed on both, one at a time, and virtual server EXVS1 on 1-CURLY with a
    database disk (E:) and a log disk (L:). Names and addresses follow Table 10."""
    from ..cluster.cluster import Cluster
    from ..exchange.servers import create_virtual_server
    from ..exchange.setup import install

    c = Cluster("FOUR-STOOGES", ip="132.192.1.100", seed=seed)
    c.add_node("1-CURLY", ip="132.192.1.10")
    c.add_node("2-MOE", ip="132.192.1.20")
    c.run_until_stable()
    for n in ("1-CURLY", "2-MOE"):
        install(c, n)
        c.run_until_stable()
    create_virtual_server(c, "EXVS1", ip="132.192.1.11", disks=["Disk E:", "Disk L:"], node="1-CURLY")
    if online:
        c.online_group("EXVS1")
        c.run_until_stable()
    return c
