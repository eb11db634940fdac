"""What several runbooks do the same way, as one piece of code each: bring groups online
and check they came, install Exchange 2000 on a node and check it is back from its
restart. A runbook's step calls these with its own rule and source.

>>> import labkit as lk
>>> c = lk.Cluster("LAB", ip="10.0.0.100"); _ = c.add_node("A", ip="10.0.0.1"); c.run_until_stable()
>>> bring_online(c, ["Cluster Group"])
'Cluster Group on A'
>>> require_online(c, ["Cluster Group"], rule="example", source="example")
"""
from __future__ import annotations

from ..errors import ProcedureError
from .engine import minutes, wait
from ..cluster.model import GroupState, NodeState


def bring_online(cluster, groups, *, settle=None) -> str:
    """Bring ``groups`` online, let the cluster settle, then (after ``settle(cluster)``,
    if given) say where each runs: "EXVS1 on 1-CURLY, ..."."""
    groups = list(groups)
    for g in groups:
        cluster.online_group(g)
    wait(cluster)
    if settle is not None:
        settle(cluster)
    return ", ".join(f"{g} on {cluster.groups[g].owner}" for g in groups)


def require_online(cluster, groups, *, rule: str, source: str) -> None:
    """A ProcedureError naming the ``groups`` that are not Online."""
    bad = [g for g in groups if cluster.groups[g].state is not GroupState.ONLINE]
    if bad:
        raise ProcedureError(f"{', '.join(bad)} did not come online", rule=rule, source=source)


def install_exchange(cluster, node: str, assumptions, *, restart: bool = True) -> None:
    """Exchange 2000 setup on ``node`` (``assumptions.exchange_setup_min`` minutes of
    the administrator's work); with ``restart``, the cluster settles after the node's
    restart."""
    from .. import exchange as ex
    minutes(cluster, assumptions.exchange_setup_min)
    ex.install(cluster, node)
    if restart:
        wait(cluster)


def require_back(cluster, node: str, *, rule: str, source: str, up: bool = True) -> None:
    """A ProcedureError when ``node``'s restart after Exchange setup is still under way
    (or, with ``up``, when the node is not Up)."""
    from .. import exchange as ex
    if ex.install_under_way(cluster) or (up and cluster.nodes[node].state is not NodeState.UP):
        raise ProcedureError(f"{node} is not back after its restart", rule=rule, source=source)


__all__ = ["bring_online", "require_online", "install_exchange", "require_back"]
