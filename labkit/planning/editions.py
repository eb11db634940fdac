"""Which Windows 2000 edition and Exchange 2000 release support a cluster of N nodes.

The paper: Windows 2000 Advanced Server clusters have 2 nodes and Datacenter
Server 4 ("Windows 2000 Clustering Installation Requirements"); at its initial
release (RTM) Exchange 2000 supports only 2-node clusters on Advanced Server,
and 4-node clusters on Datacenter come "at a later time via a service pack"
(the NOTE after Table 8, and "Exchange 2000 Cluster Administration and
Management"). The paper does not name the service pack; Microsoft added
Datacenter/4-node support in Exchange 2000 SP1, kept as the named setting
:data:`FOUR_NODE_RELEASE` [D].

>>> check_exchange_cluster(2, "Advanced Server").supported
True
>>> check_exchange_cluster(4, "Datacenter")
Traceback (most recent call last):
...
labkit.errors.LimitError: Exchange 2000 RTM supports clusters of at most 2 nodes, not 4; 4-node clusters need Windows 2000 Datacenter Server and Exchange 2000 SP1 or later [rule: Exchange 2000 RTM supports 2-node clusters only; source: paper, NOTE after Table 8 (Figure 7); Exchange 2000 Cluster Administration and Management]
>>> check_exchange_cluster(4, "Datacenter", exchange="SP1").edition
'Datacenter'
"""
from __future__ import annotations

from dataclasses import dataclass

from ..cluster.cluster import parse_edition
from ..cluster.cluster import EDITIONS
from ..errors import ConfigurationError, LimitError, ValidationError
from .findings import whole_number

#: Editions that never ran Exchange 2000: today's failover clustering and the
#: simulation-only scale edition (what-if experiments only).
WHAT_IF = ("Modern", "Scale")

#: Exchange 2000 releases in order.
RELEASES = ("RTM", "SP1", "SP2", "SP3")
#: The first release supporting clusters on Datacenter Server (up to 4 nodes) [D].
FOUR_NODE_RELEASE = "SP1"
#: Node counts Exchange 2000 RTM supports, and the edition it supports them on.
RTM_MAX_NODES = 2
RTM_EDITION = "Advanced Server"

SRC_EDITION = "paper, Windows 2000 Clustering Installation Requirements"
SRC_RTM = "paper, NOTE after Table 8 (Figure 7); Exchange 2000 Cluster Administration and Management"


def parse_release(release) -> str:
    """'RTM', 'SP1' ... (also 0, 1, 'sp2').

    >>> parse_release(3), parse_release("sp1")
    ('SP3', 'SP1')
    """
    if isinstance(release, bool):
        release = None
    if isinstance(release, int) and 0 <= release < len(RELEASES):
        return RELEASES[release]
    if isinstance(release, str) and release.strip().upper() in RELEASES:
        return release.strip().upper()
    raise ValidationError(f"unknown Exchange 2000 release {release!r}; choose one of {', '.join(RELEASES)}",
                          rule="Exchange 2000 releases are RTM, SP1, SP2, SP3", source=SRC_RTM)


@dataclass(frozen=True)
class SupportStatement:
    """A supported (or what-if) combination and why."""

    nodes: int
    edition: str
    exchange: str
    supported: bool
    note: str
    source: str


def check_exchange_cluster(nodes: int, edition: str, exchange="RTM", *, what_if: bool = False) -> SupportStatement:
    """Check that Exchange 2000 ``exchange`` supports an ``nodes``-node cluster on ``edition``.

    Raises LimitError for too many nodes (for the edition or the release) and
    ConfigurationError for an edition the release does not support. ``what_if``
    allows the "Modern" edition (today's 64-node failover clustering, which never
    ran Exchange 2000) for scale experiments; the statement then says so.
    """
    whole_number(nodes, "nodes", rule="clusters count nodes", source=SRC_EDITION)
    ed = parse_edition(edition)
    rel = parse_release(exchange)
    limit = EDITIONS[ed]
    if nodes > limit:
        raise LimitError(f"Windows 2000 {ed} clusters have at most {limit} nodes, not {nodes}",
                         rule="edition node limit", source=SRC_EDITION if ed not in WHAT_IF else "labkit what-if edition")
    if ed in WHAT_IF:
        if not what_if:
            raise ConfigurationError(f"Exchange 2000 runs on Windows 2000 only; the {ed!r} edition is a what-if "
                                     "(pass what_if=True for scale experiments)",
                                     rule="Exchange 2000 clusters run on Windows 2000 Advanced Server or Datacenter",
                                     source=SRC_RTM)
        return SupportStatement(nodes, ed, rel, False, "what-if only: never a supported Exchange 2000 cluster",
                                "labkit what-if edition")
    later = RELEASES.index(rel) >= RELEASES.index(FOUR_NODE_RELEASE)
    if not later and nodes > RTM_MAX_NODES:
        raise LimitError(f"Exchange 2000 {rel} supports clusters of at most {RTM_MAX_NODES} nodes, not {nodes}; "
                         f"{nodes}-node clusters need Windows 2000 Datacenter Server and Exchange 2000 "
                         f"{FOUR_NODE_RELEASE} or later",
                         rule="Exchange 2000 RTM supports 2-node clusters only", source=SRC_RTM)
    if not later and ed != RTM_EDITION:
        raise ConfigurationError(f"Exchange 2000 {rel} clusters are supported on Windows 2000 {RTM_EDITION} only; "
                                 f"{ed} support came with Exchange 2000 {FOUR_NODE_RELEASE}",
                                 rule="Exchange 2000 RTM clusters run on Windows 2000 Advanced Server",
                                 source=SRC_RTM)
    note = (f"{nodes}-node cluster on Windows 2000 {ed} with Exchange 2000 {rel}"
            + ("" if nodes <= RTM_MAX_NODES else f" (needs {FOUR_NODE_RELEASE} or later)"))
    return SupportStatement(nodes, ed, rel, True, note, SRC_RTM if ed == RTM_EDITION else SRC_EDITION)


def check_cluster(cluster, exchange="RTM", *, what_if: bool = False) -> SupportStatement:
    """:func:`check_exchange_cluster` for an existing ``labkit.Cluster`` (its nodes and edition).

    >>> import labkit as lk
    >>> c = lk.Cluster("TWO", ip="10.0.0.100"); _ = c.add_node("N1"); _ = c.add_node("N2")
    >>> check_cluster(c).note
    '2-node cluster on Windows 2000 Advanced Server with Exchange 2000 RTM'
    """
    nodes = getattr(cluster, "nodes", None)
    edition = getattr(cluster, "edition", None)
    if not isinstance(nodes, dict) or edition is None:
        raise ValidationError(f"check_cluster() takes a labkit.Cluster, not {cluster!r}",
                              rule="a cluster is checked", source=SRC_EDITION)
    return check_exchange_cluster(max(1, len(nodes)), edition, exchange, what_if=what_if)


def support_matrix() -> list[dict]:
    """Every edition x release x node count (1-4) with the verdict, for a table."""
    rows = []
    for ed in ("Advanced Server", "Datacenter"):
        for rel in RELEASES:
            for n in range(1, 5):
                try:
                    s = check_exchange_cluster(n, ed, rel)
                    rows.append({"edition": ed, "exchange": rel, "nodes": n, "supported": True, "why": s.note})
                except (LimitError, ConfigurationError) as e:
                    rows.append({"edition": ed, "exchange": rel, "nodes": n, "supported": False, "why": e.rule})
    return rows


__all__ = ["RELEASES", "FOUR_NODE_RELEASE", "RTM_MAX_NODES", "RTM_EDITION", "parse_release", "parse_edition",
           "SupportStatement", "check_exchange_cluster", "check_cluster", "support_matrix"]
