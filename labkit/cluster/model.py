"""The objects of an MSCS cluster: nodes, resources, groups and their states.

The paper's "Clustering Primer" names the objects: nodes (the servers), resources (the
smallest unit the cluster manages, Table 1) and resource groups (the unit of failover).
Plain dataclasses and enums; the behaviour lives in the components that
:class:`~labkit.cluster.Cluster` combines (membership, failover, monitor, configuration). The
node, resource and group states themselves are :mod:`labkit.states`, re-exported here. Names
and defaults follow Windows 2000 Cluster Administrator and ``cluster.exe`` (Microsoft's
documentation of the cluster properties).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from ..states import GroupState, NodeState, ResourceState  # noqa: F401 (the model's states, re-exported)


class DownReason(StrEnum):
    """Why a Down node is down: it crashed, it is cut off from the quorum side of a
    partition, its cluster service was stopped, or the cluster lost its quorum."""

    CRASH = "crash"
    PARTITION = "partition"
    STOPPED = "stopped"
    QUORUM_LOST = "quorum lost"


class Leaving(StrEnum):
    """How a node is leaving the cluster while it moves its groups away first: its
    cluster service is stopping (``stop_node``) or the node restarts (``restart_node``)."""

    STOP = "stop"
    RESTART = "restart"


class Fault(StrEnum):
    """An injected fault, as the Resource Monitor's health polls see it: a crashed process
    fails the quick LooksAlive poll; a hung one still looks alive, and only the thorough
    IsAlive poll finds it (Microsoft, Server Cluster APIs: LooksAlive, IsAlive)."""

    CRASH = "crash"
    HANG = "hang"


class FaultScope(StrEnum):
    """Where a lasting fault makes online attempts fail: on the node it happened on (a
    local disk, a broken install) or on every node (a corrupt database)."""

    NODE = "node"
    EVERYWHERE = "everywhere"


class CoreJob(StrEnum):
    """The kinds of work the Cluster Service's own components queue for later (the Event
    Processor's table :data:`labkit.cluster.events.CORE_JOBS` says which handles each)."""

    REGROUP = "regroup"                  # the Membership Manager: missed heartbeats noticed
    JOIN_DONE = "join_done"              # a node has finished joining
    REBOOT_DONE = "reboot_done"          # a restarted node is back
    ONLINE_DONE = "online_done"          # the Resource Monitor: an Online call returns
    ONLINE_REFUSED = "online_refused"    # an Online call a resource type vetoed ends
    PENDING_TIMEOUT = "pending_timeout"  # a call still pending after PendingTimeout
    OFFLINE_DONE = "offline_done"        # an Offline call returns
    DETECT_FAULT = "detect_fault"        # the poll that finds an injected fault
    FAILBACK_WINDOW = "failback_window"  # the Failover Manager: a failback window opens


class RestartAction(StrEnum):
    """What the failover manager does when a resource fails (RestartAction 0, 1, 2)."""

    DONT_RESTART = "dont_restart"
    RESTART_NO_NOTIFY = "restart_no_notify"
    RESTART_NOTIFY = "restart_notify"


#: Short names of the resource states the components test most.
ON, OFF, FAILED = ResourceState.ONLINE, ResourceState.OFFLINE, ResourceState.FAILED
ON_PENDING, OFF_PENDING = ResourceState.ONLINE_PENDING, ResourceState.OFFLINE_PENDING
#: A resource in one of these states is not running (its dependents may start or stop).
DOWN_OR_FAILED = (OFF, FAILED)
#: The group MSCS creates with the cluster: the quorum disk, the cluster's IP address and name.
CLUSTER_GROUP = "Cluster Group"
#: The names of the Cluster Group's own resources (besides the quorum disk).
CORE_NAMES = ("Cluster IP Address", "Cluster Name")


#: The Windows 2000 defaults of a resource's common properties (Microsoft: RestartThreshold, RestartPeriod, LooksAlivePollInterval, IsAlivePollInterval, PendingTimeout).
RESOURCE_DEFAULTS = {
    "restart_action": RestartAction.RESTART_NOTIFY,
    "restart_threshold": 3,
    "restart_period_s": 900,
    "looks_alive_ms": 5000,
    "is_alive_ms": 60000,
    "pending_timeout_ms": 180000,
}

#: The Windows 2000 defaults of a group's failover and failback properties.
GROUP_DEFAULTS = {
    "failover_threshold": 10,
    "failover_period_hours": 6,
    "auto_failback": False,
    "failback_window": None,
}

#: The name of the resource monitor that hosts resources not put in a separate one.
SHARED_MONITOR = "shared"


@dataclass
class Node:
    """A cluster node (a physical server). ``id`` follows the order nodes were added.

    ``properties`` holds what plug-ins know about the node, e.g. whether
    Exchange 2000 is installed on its local disk.
    """

    name: str
    id: int
    ip: str | None = None
    state: NodeState = NodeState.UP
    properties: dict = field(default_factory=dict)
    #: why the node is Down (None when it is not)
    down_reason: DownReason | None = None
    #: True between a crash and the regroup that notices it
    regroup_pending: bool = False
    incarnation: int = 0
    #: paused by the administrator; persistent: a paused node that restarts comes back
    #: Paused (PauseClusterNode documentation); only resume clears it
    paused: bool = False
    #: stopping or restarting: the node moves its groups to other nodes before its cluster
    #: service stops (``stop_node``, ``restart_node``); None otherwise
    leaving: Leaving | None = None

    @property
    def is_up(self) -> bool:
        return self.state is NodeState.UP

    def _repr_html_(self) -> str:
        from ..hooks import html
        return html("node", self)


@dataclass
class Resource:
    """A cluster resource: the smallest unit the cluster monitors (paper, Table 1)."""

    name: str
    type: str
    group: str
    possible_owners: list[str]
    properties: dict = field(default_factory=dict)
    dependencies: list[str] = field(default_factory=list)
    state: ResourceState = ResourceState.OFFLINE
    restart_action: RestartAction = RestartAction.RESTART_NOTIFY
    restart_threshold: int = 3
    restart_period_s: int = 900
    looks_alive_ms: int = 5000
    is_alive_ms: int = 60000
    pending_timeout_ms: int = 180000
    #: resource monitor process hosting it: "shared" or the name of a separate monitor
    monitor: str = SHARED_MONITOR
    #: core resources (the Cluster Group's) follow membership: joining nodes become possible owners
    core: bool = False
    # --- run-time state -------------------------------------------------
    #: node the resource runs on while not Offline
    node: str | None = None
    #: True when the administrator or the group wants it online
    wanted: bool = False
    #: failed, waiting for its dependents to go offline before restarting in place
    restart_pending: bool = False
    #: times (ms) of failures inside the restart period
    failures: list[int] = field(default_factory=list)
    #: when it last came online (ms); health polls are aligned to this
    online_since_ms: int | None = None
    #: an injected fault not yet noticed by the health polls
    fault: Fault | None = None
    #: a lasting fault makes online attempts fail, on ``fault_node`` or everywhere
    persistent_fault: FaultScope | None = None
    fault_node: str | None = None
    #: while Online Pending: why the resource's type refused this attempt (it will fail when
    #: the attempt ends); None for an attempt that may succeed
    online_veto: str | None = None
    #: bumps on every state change: queued jobs for an older generation are stale
    gen: int = 0

    def broken_on(self, node: str | None) -> bool:
        """Whether a lasting fault makes an online attempt on ``node`` fail."""
        return self.persistent_fault is FaultScope.EVERYWHERE or (
            self.persistent_fault is FaultScope.NODE and self.fault_node == node)

    def _repr_html_(self) -> str:
        from ..hooks import html
        return html("resource", self)


class MoveReason(StrEnum):
    """Why a group is moving: a resource's failover, the administrator's move, a failback
    to a preferred owner, or its node's failure (the words of the cluster log)."""

    FAILOVER = "failover"
    MOVE = "move"
    FAILBACK = "failback"
    NODE_FAILURE = "node failure"


@dataclass
class Move:
    """A move of a group under way: its ``reason``, the ``target`` node (None: the Failover
    Manager chooses once the group is offline) and ``why`` for the log. Saved as
    ``{"reason", "target"}`` and ``"why"`` when there is one.

    >>> Move(MoveReason.MOVE, "N2").to_dict()
    {'reason': 'move', 'target': 'N2'}
    """

    reason: MoveReason
    target: str | None = None
    why: str | None = None

    def to_dict(self) -> dict:
        d = {"reason": self.reason.value, "target": self.target}
        if self.why is not None:
            d["why"] = self.why
        return d

    @classmethod
    def from_dict(cls, data: dict) -> "Move":
        return cls(MoveReason(data["reason"]), data.get("target"), data.get("why"))


@dataclass
class Group:
    """A resource group: the unit of failover, owned by one node at a time (paper, Table 1)."""

    name: str
    owner: str | None
    preferred_owners: list[str] = field(default_factory=list)
    resources: list[str] = field(default_factory=list)
    failover_threshold: int = 10
    failover_period_hours: float = 6
    auto_failback: bool = False
    failback_window: tuple[int, int] | None = None
    #: the administrator wants it online (PersistentState)
    persistent_state: bool = False
    #: left failed by the failover manager (threshold exceeded or nowhere to go)
    failed: bool = False
    #: times (ms) of failovers inside the failover period
    failovers: list[int] = field(default_factory=list)
    #: a move under way (a :class:`Move`; a saved ``{"reason", "target"}`` mapping is read as one)
    move: Move | None = None
    #: the last computed state, for logging transitions
    state: GroupState = GroupState.OFFLINE
    #: client-visible interruptions: [start_ms, end_ms or None]
    outages: list[list] = field(default_factory=list)

    def __post_init__(self):
        if type(self.move) is dict:
            self.move = Move.from_dict(self.move)

    def _repr_html_(self) -> str:
        from ..hooks import html
        return html("group", self)
