"""The states the Cluster Service reports for its nodes, resources and groups.

The foundation of the model: the cluster core (:mod:`labkit.cluster.model`, which gives them
to the rest of labkit) keeps its objects in these states, and the cluster log
(:mod:`labkit.sim`) recognises a state change by them. Names and numbers follow Microsoft's
Cluster API (CLUSTER_NODE_STATE, CLUSTER_RESOURCE_STATE, CLUSTER_GROUP_STATE) as Windows 2000
Cluster Administrator shows them.

>>> NodeState("Up") is NodeState.UP, str(ResourceState.ONLINE_PENDING)
(True, 'Online Pending')
"""
from __future__ import annotations

from enum import StrEnum


class NodeState(StrEnum):
    """Cluster node states (Cluster Administrator: Up, Down, Paused, Joining)."""

    UP = "Up"
    DOWN = "Down"
    PAUSED = "Paused"
    JOINING = "Joining"


class ResourceState(StrEnum):
    """Resource states (CLUSTER_RESOURCE_STATE: Online 2, Offline 3, Failed 4,
    OnlinePending 129, OfflinePending 130)."""

    ONLINE = "Online"
    OFFLINE = "Offline"
    FAILED = "Failed"
    ONLINE_PENDING = "Online Pending"
    OFFLINE_PENDING = "Offline Pending"

    @property
    def pending(self) -> bool:
        return self in (ResourceState.ONLINE_PENDING, ResourceState.OFFLINE_PENDING)


class GroupState(StrEnum):
    """Group states (CLUSTER_GROUP_STATE: Online, Offline, Failed, PartialOnline, Pending)."""

    ONLINE = "Online"
    OFFLINE = "Offline"
    FAILED = "Failed"
    PARTIAL_ONLINE = "Partially Online"
    PENDING = "Pending"
