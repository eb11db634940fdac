"""The MSCS cluster core: the Cluster Service's components as modules. Knows nothing about Exchange.

- :mod:`.cluster`: :class:`Cluster`, the one object of the public API, and its lookups;
- :mod:`.membership`: the Node Manager and Membership Manager (heartbeats, regroup,
  joins, partitions, the quorum arbitration);
- :mod:`.failover`: the Failover Manager (restart policy, target choice, failback);
- :mod:`.monitor`: the Resource Monitor (pending calls, LooksAlive/IsAlive polls);
- :mod:`.configuration` and :mod:`.properties`: the Configuration Database (groups,
  resources, dependencies, owners, properties, the quorum resource);
- :mod:`.events`: the Event Processor (the job table; the clock and queue are
  :mod:`labkit.sim`);
- :mod:`.checkpoint`: the Checkpoint Manager's side of loading a saved cluster
  database (:mod:`labkit.io` reads and writes the file);
- :mod:`.invariants`: the rules every state keeps; :mod:`.model`: the objects;
  :mod:`.types`: the resource DLLs.
"""
from .cluster import EDITIONS, Cluster, ClusterSettings, parse_edition
from .model import (CLUSTER_GROUP, GROUP_DEFAULTS, RESOURCE_DEFAULTS, DownReason, Fault, FaultScope, Group,
                    GroupState, Leaving, Move, MoveReason, Node, NodeState, Resource, ResourceState, RestartAction)
from .properties import PRIVATE_FIXED, PRIVATE_SETTABLE
from .types import REGISTRY, ResourceType, register_resource_type

__all__ = ["parse_edition", "Cluster", "ClusterSettings", "EDITIONS", "Group", "GroupState", "Node", "NodeState",
           "DownReason", "Leaving", "Fault", "FaultScope", "Move", "MoveReason", "CLUSTER_GROUP",
           "Resource", "ResourceState", "RestartAction", "ResourceType", "REGISTRY",
           "register_resource_type", "RESOURCE_DEFAULTS", "GROUP_DEFAULTS", "PRIVATE_SETTABLE", "PRIVATE_FIXED"]
