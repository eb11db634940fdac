"""Rules every Exchange 2000 command shares: who may manage Exchange, and the storage-group limit.

Creating virtual servers, storage groups and databases, moving files and mailboxes, adding
components and removing Exchange all need the Exchange Full Administrator right
(:func:`check_full_admin`); the Information Store's mount veto and Exchange System Manager's
new storage groups both count the storage groups mounted on a node
(:func:`storage_group_counts_on`) against the limit of four per node, and
:func:`state_problems` finds a state that breaks it (for tests and campaigns, as
:func:`labkit.cluster.invariants.state_problems` does for the core).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..cluster.model import ResourceState
from ..errors import AccessDeniedError
from ..values import show
from .model import FULL_ADMIN, org

if TYPE_CHECKING:  # pragma: no cover
    from ..cluster.cluster import Cluster

SRC_SG_LIMIT = ("paper, Table 5 and Design Storage Before Configuring the Cluster; KB 314266 "
                "(store fails to mount: events 2065, 2074)")


def check_full_admin(cluster: "Cluster", what: str) -> None:
    """Refuse unless the acting account has Exchange Full Administrator rights."""
    if not cluster.has_right(FULL_ADMIN):
        raise AccessDeniedError(
            f"account {show(cluster.account)} may not {what}: it needs the '{FULL_ADMIN}' right "
            "(grant it with the Exchange Delegation Wizard: cluster.grant(account, "
            f"{show(FULL_ADMIN)}))",
            rule="creating and managing Exchange virtual servers needs Exchange Full Administrator rights",
            source="paper, Ensure Proper Security and Permissions Delegation")


def storage_group_counts_on(cluster: "Cluster", node: str, exclude: str | None = None) -> dict[str, int]:
    """Storage groups mounted or mounting on ``node``, by virtual server: those whose
    Information Store is Online or mounting there (Online Pending and not refused: a store
    reserves its storage groups when it starts to mount, so two stores starting together
    cannot pass the limit). O(virtual servers)."""
    o = org(cluster)
    out: dict[str, int] = {}
    if o is None:
        return out
    for vs in o.virtual_servers.values():
        if vs.name == exclude or not vs.storage_groups:
            continue
        r = cluster.resources.get(vs.resources.get("Information Store", ""))
        mounting = r is not None and r.state is ResourceState.ONLINE_PENDING and not r.online_veto
        if r is not None and r.node == node and (r.state is ResourceState.ONLINE or mounting):
            out[vs.name] = len(vs.storage_groups)
    return out


def state_problems(cluster: "Cluster") -> list[tuple]:
    """The Exchange rules ``cluster``'s state breaks, as ``(path, message)`` pairs (empty:
    none, or no Exchange): a node with more storage groups mounted or mounting than
    ``ExchangeSettings.max_storage_groups_per_node`` (four; paper, Table 5; KB 314266)."""
    o = org(cluster)
    if o is None:
        return []
    limit = o.settings.max_storage_groups_per_node
    out: list[tuple] = []
    for node in cluster.node_ids():
        mounted = storage_group_counts_on(cluster, node)
        total = sum(mounted.values())
        if total > limit:
            held = ", ".join(f"{k}: {v}" for k, v in mounted.items())
            out.append((("nodes", node),
                        f"{total} storage groups mounted ({held}); Exchange 2000 mounts at most {limit} "
                        f"per node ({SRC_SG_LIMIT})"))
    return out
