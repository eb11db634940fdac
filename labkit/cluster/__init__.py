"""The MSCS cluster core: nodes, resource types, resources, groups, the failover
manager, membership and the quorum. Knows nothing about Exchange."""
from .cluster import EDITIONS, PRIVATE_FIXED, PRIVATE_SETTABLE, Cluster, ClusterSettings, parse_edition
from .model import (GROUP_DEFAULTS, RESOURCE_DEFAULTS, Group, GroupState, Node, NodeState, Resource,
                    ResourceState, RestartAction)
from .types import REGISTRY, ResourceType, register_resource_type

__all__ = ["parse_edition", "Cluster", "ClusterSettings", "EDITIONS", "Group", "GroupState", "Node", "NodeState",
           "Resource", "ResourceState", "RestartAction", "ResourceType", "REGISTRY",
           "register_resource_type", "RESOURCE_DEFAULTS", "GROUP_DEFAULTS", "PRIVATE_SETTABLE", "PRIVATE_FIXED"]
