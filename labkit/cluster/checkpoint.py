"""The Checkpoint Manager's side in the core: putting a saved cluster database back.

In MSCS the Checkpoint Manager and the Log Manager keep the cluster's state on the quorum
resource, so that a node forming the cluster reads the configuration back from it (paper,
Table 2). labkit's cluster database on disk is the cluster file (:mod:`labkit.io`); when
:mod:`labkit.io.builder` loads one it builds the objects directly, without replaying the
commands that made them. These functions are what it sets beyond the public tables
(``cluster.nodes``, ``groups``, ``resources``): the index of claimed addresses, names and
drives, and the order in which each provider lists its dependents.

They check nothing: the loader checks the file first, checks each resource's private
properties with its type (which asks ``who_has_address`` and its kin, so each resource is
claimed as soon as it is back), and checks the invariants of the whole state after
(:mod:`labkit.cluster.invariants`). Commands use ``add_resource`` and ``add_dependency``.

>>> from labkit.cluster import Cluster, Resource
>>> c = Cluster("LAB", ip="10.0.0.100"); _ = c.add_node("N1"); _ = c.add_group("G")
>>> c.groups["G"].resources += ["IP", "Name"]
>>> for r in (Resource("IP", "IP Address", "G", ["N1"], properties={"address": "10.0.0.5"}),
...           Resource("Name", "Network Name", "G", ["N1"], dependencies=["IP"], properties={"name": "VS1"})):
...     restore_resource(c, r)
>>> restore_dependents(c, {})
>>> c.who_has_address("10.0.0.5"), c.dependents("IP")
("resource 'IP'", ['Name'])
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .model import Resource

if TYPE_CHECKING:
    from .cluster import Cluster


def restore_resource(cluster: "Cluster", resource: Resource) -> None:
    """Put ``resource`` back as the saved database holds it (its group lists it already),
    and claim its address, NetBIOS name or drive letter at once."""
    cluster._keep_resource(resource)


def restore_dependents(cluster: "Cluster", order: dict[str, list[str]]) -> None:
    """Once every resource is back: who depends on each provider, from the resources'
    dependencies in the resources' order, except where ``order`` gives the order the saved
    cluster had (the order ``cluster.dependents()`` lists them in). Built afresh each time."""
    dependents = cluster._dependents
    dependents.clear()
    for name, r in cluster.resources.items():
        for p in r.dependencies:
            dependents.setdefault(p, []).append(name)
    dependents.update({p: list(v) for p, v in order.items()})
