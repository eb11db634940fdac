"""Possible-owner audit: resources that cannot fail over to a node running Exchange.

Resources get as possible owners the nodes that exist (and, for Exchange resources,
that have Exchange 2000) when they are created. A resource created before every
node joined, or before Exchange was installed everywhere, silently leaves the later
nodes out, and its group can never fail over to them (paper, Resource Ownership and
Failover). The audit looks at every resource of every Exchange virtual server's
group -- hardware (disks), addressing (IP Address, Network Name) and Exchange
resources alike -- and lists the Exchange nodes missing from its possible owners.

>>> import labkit as lk
>>> from labkit import exchange as ex
>>> c = lk.Cluster("LAB", ip="10.0.0.100")
>>> _ = c.add_node("A", ip="10.0.0.1"); ex.install(c, "A"); c.run_until_stable()
>>> _ = ex.create_virtual_server(c, "EXVS1", ip="10.0.0.11", disks=["Disk E:"], node="A")
>>> _ = c.add_node("B", ip="10.0.0.2"); ex.install(c, "B"); c.run_until_stable()
>>> a = audit_possible_owners(c)
>>> len(a.findings), a.findings[0].missing
(12, ('B',))
>>> fix_possible_owners(c); audit_possible_owners(c).ok
12
True
"""
from __future__ import annotations

from dataclasses import dataclass

from .. import hooks
from ..errors import ProcedureError
from ..text import text_table
from .engine import Procedure, Step, before_start, exchange_groups, need_cluster

SRC_OWNERS = "paper, Resource Ownership and Failover"


@dataclass(frozen=True)
class OwnerFinding:
    """One resource whose possible owners miss nodes that run Exchange."""

    resource: str
    group: str
    type: str
    missing: tuple[str, ...]


@dataclass(frozen=True)
class OwnerAudit:
    """The findings of :func:`audit_possible_owners`: the Exchange nodes and every
    resource that misses some of them."""

    cluster: str
    exchange_nodes: tuple[str, ...]
    findings: tuple[OwnerFinding, ...]

    @property
    def ok(self) -> bool:
        return not self.findings

    def rows(self) -> list[dict]:
        return [{"resource": f.resource, "group": f.group, "type": f.type, "missing": ", ".join(f.missing)}
                for f in self.findings]

    def __str__(self) -> str:
        nodes = ", ".join(self.exchange_nodes) or "no node"
        head = (f"possible-owner audit of {self.cluster}: Exchange runs on {nodes}; "
                f"{len(self.findings)} resource(s) miss some of them")
        return head if self.ok else head + "\n" + text_table(self.rows(), plain=True)

    def _repr_html_(self) -> str:
        return hooks.html("owner audit", self)


def audit_possible_owners(cluster) -> OwnerAudit:
    """Every resource of an Exchange group whose possible owners miss a node where
    Exchange 2000 is installed. O(resources of Exchange groups x nodes)."""
    need_cluster(cluster)
    from ..exchange import installed_nodes
    nodes = tuple(installed_nodes(cluster))
    findings = []
    for g in exchange_groups(cluster):
        for r in cluster.groups[g].resources:
            res = cluster.resources[r]
            owners = set(res.possible_owners)
            missing = tuple(n for n in nodes if n not in owners)
            if missing:
                findings.append(OwnerFinding(r, g, res.type, missing))
    return OwnerAudit(cluster.name, nodes, tuple(findings))


def fix_possible_owners(cluster) -> int:
    """Add the missing nodes to every finding's possible owners (``cluster res /addowner``),
    all-or-nothing. Returns how many resources changed."""
    need_cluster(cluster)
    audit = audit_possible_owners(cluster)
    with cluster.transaction():
        for f in audit.findings:
            for n in f.missing:
                cluster.add_possible_owner(f.resource, n)
    return len(audit.findings)


def possible_owner_audit(cluster) -> Procedure:
    """The audit as a procedure: find, fix, verify (the report lists the findings)."""
    title = "Possible-owner audit"
    before_start(title, "labkit procedures", need_cluster, cluster, "cluster")

    def find(p):
        a = audit_possible_owners(p.cluster)
        p.tables["findings"] = a.rows()
        return f"{len(a.findings)} resource(s) miss a node running Exchange"

    def fix(p):
        return f"{fix_possible_owners(p.cluster)} resource(s) fixed"

    def verify(p):
        a = audit_possible_owners(p.cluster)
        if not a.ok:
            raise ProcedureError(f"{len(a.findings)} resource(s) still miss Exchange nodes: "
                                 + ", ".join(f.resource for f in a.findings),
                                 rule="every node running Exchange is a possible owner of every resource of an "
                                      "Exchange group", source=SRC_OWNERS)

    steps = [Step("find resources missing Exchange nodes", find, source=SRC_OWNERS),
             Step("add the missing nodes as possible owners", fix, verify=verify, source=SRC_OWNERS)]
    return Procedure(title, cluster, steps, source=SRC_OWNERS, rebuild=lambda cs: possible_owner_audit(cs[0]))
