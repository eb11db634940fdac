"""The errors cluster.exe prints, and which Win32 / MSCS error number each labkit refusal carries.

cluster.exe reports a failed call as two lines -- ``System error 5019 has occurred
(0x0000139b).`` and the system's text for that number -- and a stored-but-not-yet-active
property change as ``System warning 5024 (0x000013a0).``. The numbers, their symbolic
names and their texts are Microsoft's (winerror.h; "System Error Codes" on
learn.microsoft.com). labkit adds a third line, marked ``labkit:``, with the rule that
refused the command and its source, so a learner sees *why*.

Which number a labkit refusal carries:

1. the number the rule already names in its source ("MSCS error 87",
   "ERROR_CIRCULAR_DEPENDENCY (1059)", "(5003)", "(5069)", "error 5019"): those come from
   the MSCS API documentation (AddClusterResourceDependency lists 87, 1059, 5003, 5069
   and 5019);
2. otherwise the first row of :data:`MAPPING` that matches the refusal's class, its
   rule or message, and the command. Each row says its basis: "Microsoft (...)" where
   Microsoft documents that the call returns that number (MS-CMRP, the Cluster API
   reference); "the number's own text" where Microsoft's text for the number describes
   the case; "our reading" where we chose the nearest real number for a rule MSCS
   words differently or not at all.

>>> e = ClusterExeError(5019, "resource online")
>>> print("\\n".join(e.lines()))
System error 5019 has occurred (0x0000139b).
The operation could not be completed because the cluster resource is online.
  labkit: resource online
"""
from __future__ import annotations

import re
from dataclasses import dataclass

#: Win32 / MSCS error numbers cluster.exe may print here: number -> (symbol, text).
WIN32: dict[int, tuple[str, str]] = {
    5: ("ERROR_ACCESS_DENIED", "Access is denied."),
    50: ("ERROR_NOT_SUPPORTED", "The request is not supported."),
    87: ("ERROR_INVALID_PARAMETER", "The parameter is incorrect."),
    145: ("ERROR_DIR_NOT_EMPTY", "The directory is not empty."),
    1059: ("ERROR_CIRCULAR_DEPENDENCY", "Circular service dependency was specified."),
    1168: ("ERROR_NOT_FOUND", "Element not found."),
    1460: ("ERROR_TIMEOUT", "This operation returned because the timeout period expired."),
    1722: ("RPC_S_SERVER_UNAVAILABLE", "The RPC server is unavailable."),
    5001: ("ERROR_DEPENDENT_RESOURCE_EXISTS",
           "The operation cannot be completed because other resources are dependent on this resource."),
    5002: ("ERROR_DEPENDENCY_NOT_FOUND", "The cluster resource dependency cannot be found."),
    5003: ("ERROR_DEPENDENCY_ALREADY_EXISTS",
           "The cluster resource cannot be made dependent on the specified resource because it is already "
           "dependent."),
    5004: ("ERROR_RESOURCE_NOT_ONLINE", "The cluster resource is not online."),
    5005: ("ERROR_HOST_NODE_NOT_AVAILABLE", "A cluster node is not available for this operation."),
    5007: ("ERROR_RESOURCE_NOT_FOUND", "The cluster resource could not be found."),
    5009: ("ERROR_CANT_EVICT_ACTIVE_NODE",
           "A cluster node cannot be evicted from the cluster unless the node is down or it is the last node."),
    5010: ("ERROR_OBJECT_ALREADY_EXISTS", "The object already exists."),
    5011: ("ERROR_OBJECT_IN_LIST", "The object is already in the list."),
    5013: ("ERROR_GROUP_NOT_FOUND", "The cluster group could not be found."),
    5016: ("ERROR_HOST_NODE_NOT_GROUP_OWNER",
           "The operation failed because either the specified cluster node is not the owner of the group, or "
           "the node is not a possible owner of the group."),
    5019: ("ERROR_RESOURCE_ONLINE", "The operation could not be completed because the cluster resource is online."),
    5020: ("ERROR_QUORUM_RESOURCE",
           "The cluster resource could not be deleted or brought offline because it is the quorum resource."),
    5021: ("ERROR_NOT_QUORUM_CAPABLE",
           "The cluster could not make the specified resource a quorum resource because it is not capable of "
           "being a quorum resource."),
    5023: ("ERROR_INVALID_STATE", "The group or resource is not in the correct state to perform the requested "
                                  "operation."),
    5024: ("ERROR_RESOURCE_PROPERTIES_STORED",
           "The properties were stored but not all changes will take effect until the next time the resource is "
           "brought online."),
    5042: ("ERROR_CLUSTER_NODE_NOT_FOUND", "The cluster node was not found."),
    5050: ("ERROR_CLUSTER_NODE_DOWN", "The cluster node is down."),
    5051: ("ERROR_CLUSTER_NODE_UNREACHABLE", "The cluster node is not reachable."),
    5057: ("ERROR_CLUSTER_IPADDR_IN_USE", "The cluster IP address is already in use."),
    5058: ("ERROR_CLUSTER_NODE_NOT_PAUSED", "The cluster node is not paused."),
    5068: ("ERROR_INVALID_OPERATION_ON_QUORUM",
           "This operation cannot be performed on the cluster resource as it the quorum resource. You may not "
           "bring the quorum resource offline or modify its possible owners list."),
    5069: ("ERROR_DEPENDENCY_NOT_ALLOWED", "The cluster quorum resource is not allowed to have any dependencies."),
    5070: ("ERROR_CLUSTER_NODE_PAUSED", "The cluster node is paused."),
    5071: ("ERROR_NODE_CANT_HOST_RESOURCE",
           "The cluster resource cannot be brought online. The owner node cannot run this resource."),
    5072: ("ERROR_CLUSTER_NODE_NOT_READY", "The cluster node is not ready to perform the requested operation."),
    5073: ("ERROR_CLUSTER_NODE_SHUTTING_DOWN", "The cluster node is shutting down."),
    5078: ("ERROR_CLUSTER_RESOURCE_TYPE_NOT_FOUND", "The specified resource type was not found."),
    5079: ("ERROR_CLUSTER_RESTYPE_NOT_SUPPORTED",
           "The specified node does not support a resource of this type. This may be due to version "
           "inconsistencies or due to the absence of the resource DLL on this node."),
    5084: ("ERROR_RESMON_INVALID_STATE",
           "The resource monitor will not allow the fail operation to be performed while the resource is in its "
           "current state. This may happen if the resource is in a pending state."),
    5086: ("ERROR_QUORUM_DISK_NOT_FOUND", "The quorum disk could not be located by the cluster service."),
}


class ClusterExeError(Exception):
    """A refused cluster.exe command: the Win32 number, labkit's explanation, and
    ``warning`` for the "stored, takes effect at the next online" kind (5024)."""

    def __init__(self, code: int, detail: str = "", *, warning: bool = False):
        if code not in WIN32:
            raise ValueError(f"labkit.clusterexe has no text for error {code}")
        self.code = code
        self.detail = detail
        self.warning = warning
        super().__init__(f"{code}: {detail}")

    @property
    def symbol(self) -> str:
        return WIN32[self.code][0]

    def lines(self) -> list[str]:
        """What cluster.exe prints (and labkit's one-line reason)."""
        head = (f"System warning {self.code} (0x{self.code:08x})." if self.warning
                else f"System error {self.code} has occurred (0x{self.code:08x}).")
        out = [head, WIN32[self.code][1]]
        if self.detail:
            out.append(f"  labkit: {self.detail}")
        return out


@dataclass(frozen=True)
class Mapping:
    """One row of the refusal-to-number table: a labkit refusal of class ``error``
    (``*``: any) whose rule or message contains ``match`` (lower case; empty: any), in
    one of ``commands`` (empty: any), carries ``code``. ``basis`` says where the choice
    comes from: "Microsoft" (documented return value) or "our reading"."""

    code: int
    error: str
    match: str = ""
    commands: tuple[str, ...] = ()
    basis: str = "our reading"
    note: str = ""
    #: the number follows the state of the node involved (:data:`NODE_STATE_CODES`)
    by_node_state: bool = False


#: A refusal because a node is not Up carries the number of the node's state.
NODE_STATE_CODES = {"Paused": 5070, "Down": 5050, "Joining": 5072, "leaving": 5073}


#: The bases of a choice: Microsoft documents the call's return value; the number's own
#: (Microsoft) text describes the case; or our reading, the nearest real number.
OWN_TEXT = "the number's own text"
READING = "our reading"

#: The refusals labkit's rules name without a Win32 number, in the order they are tried.
MAPPING: tuple[Mapping, ...] = (
    Mapping(5, "AccessDeniedError", note="the account lacks a right", basis=OWN_TEXT),
    Mapping(1722, "QuorumError", "is not running",
            note="the cluster service runs on no node: cluster.exe cannot connect (RPC), so every command fails",
            basis=READING),
    Mapping(5086, "QuorumError", "cannot start on", ("node.start",),
            note="no node can form the cluster: the quorum disk is not reachable or corrupt", basis=READING),
    Mapping(5051, "QuorumError", "cannot reach the members", ("node.start",),
            note="a partitioned node cannot reach the nodes that own the quorum disk", basis=READING),
    Mapping(5020, "QuorumError", "cannot be deleted", ("res.delete",), basis=OWN_TEXT),
    Mapping(5068, "QuorumError", "stays online", note="taking the quorum resource offline", basis=OWN_TEXT),
    Mapping(5068, "StateError", "holds the quorum", ("group.offline",),
            note="the Cluster Group holds the quorum resource", basis=READING),
    Mapping(145, "StateError", "", ("group.delete",),
            note="DeleteClusterGroup on a group that still holds resources (the Cluster Group always does)",
            basis="Microsoft (MS-CMRP ApiDeleteGroup)"),
    Mapping(5016, "StateError", "partly online", ("group.online",),
            note="online on another node than the group's owner", basis=READING),
    Mapping(5023, "StateError", "moving", note="one operation on a group at a time", basis=READING),
    Mapping(5023, "StateError", "pending", note="one operation on a group at a time", basis=READING),
    Mapping(5019, "StateError", "offline before deleting", ("res.delete",), basis=OWN_TEXT),
    Mapping(5084, "StateError", "", ("res.fail",),
            note="ApiFailResource: the resource is not Online", basis="Microsoft (MS-CMRP ApiFailResource)"),
    Mapping(5058, "StateError", "", ("node.resume",), basis=OWN_TEXT),
    Mapping(5072, "StateError", "not yet noticed",
            note="the node crashed but the others have not missed enough heartbeats yet (KB 892422)", basis=READING),
    Mapping(5009, "StateError", "", ("node.evict",),
            note="evicting a node that is not Down (labkit also keeps the last node)", basis=OWN_TEXT),
    Mapping(5073, "StateError", "already leaving", note="the node is stopping or restarting", basis=READING),
    Mapping(5070, "StateError", "is paused", basis=OWN_TEXT),
    Mapping(5050, "StateError", "is down", basis=OWN_TEXT),
    Mapping(5072, "StateError", "is joining", basis=READING),
    Mapping(5019, "StateError", "offline", note="a change that needs the resource offline", basis=READING),
    Mapping(5073, "OwnershipError", "leaving the cluster", basis=READING),
    Mapping(5070, "OwnershipError", "is paused",
            note="a paused node takes no groups (PauseClusterNode)", basis=OWN_TEXT),
    Mapping(5050, "OwnershipError", "is down", basis=OWN_TEXT),
    Mapping(5072, "OwnershipError", "is joining", basis=READING),
    Mapping(5005, "StateError", "already on", ("group.moveto",),
            note="a move with no node, and no other node can take the group", basis=OWN_TEXT),
    Mapping(5005, "OwnershipError", "can host",
            note="MoveClusterGroup with no node: no node can accept the group", basis=OWN_TEXT),
    Mapping(5011, "OwnershipError", "already a possible owner", ("res.addowner",), basis=OWN_TEXT),
    Mapping(1168, "OwnershipError", "not a possible owner", ("res.removeowner",), basis=READING),
    Mapping(5023, "OwnershipError", "move its group", ("res.removeowner",),
            note="removing the node the resource runs on", basis=READING),
    Mapping(87, "OwnershipError", "at least one possible owner", note="a resource keeps one possible owner",
            basis=READING),
    Mapping(5079, "OwnershipError", "cannot be a possible owner",
            note="the resource's DLL is not on that node (Exchange 2000 not installed there)", basis=OWN_TEXT),
    Mapping(5071, "OwnershipError", "not a possible owner", ("res.online",), basis=OWN_TEXT),
    Mapping(5070, "OwnershipError", "which is not up", by_node_state=True,
            note="online on a node that is not Up: 5070 Paused, 5050 Down, 5072 Joining, 5073 leaving", basis=READING),
    Mapping(5016, "OwnershipError", "", note="the node is not a possible owner of the group", basis=OWN_TEXT),
    Mapping(5057, "NameConflictError", "address", basis=OWN_TEXT),
    Mapping(5010, "NameConflictError", "", note="a name, drive letter or account in use", basis=OWN_TEXT),
    Mapping(5078, "NotFoundError", "resource type", basis=OWN_TEXT),
    Mapping(5042, "NotFoundError", "node", basis=OWN_TEXT),
    Mapping(5013, "NotFoundError", "group", basis=OWN_TEXT),
    Mapping(5007, "NotFoundError", "resource", basis=OWN_TEXT),
    Mapping(5002, "DependencyError", "does not depend", ("res.removedep",), basis=OWN_TEXT),
    Mapping(5001, "DependencyError", "depend on", ("res.delete",), basis=OWN_TEXT),
    Mapping(5023, "ProcedureError", "", note="a step of an Exchange procedure is out of order", basis=READING),
    Mapping(1460, "LimitError", "not stable", note="the simulation found no end to the work", basis=READING),
    Mapping(87, "*", "", note="everything else: a value the rules refuse", basis=READING),
)

#: The numbers the front end itself raises (before or instead of a labkit call):
#: (number, when, basis). Together with :data:`MAPPING` and the numbers the rules name
#: (87, 1059, 5003, 5019, 5069) this is every number labkit's cluster.exe prints.
FRONT_END: tuple[tuple[int, str, str], ...] = (
    (1722, "/cluster:NAME (or a first word) names no cluster this session reaches; or the cluster service runs "
           "on no node", "our reading: cluster.exe cannot connect (RPC)"),
    (5042, "no node of that name", "the number's own text"),
    (5013, "no group of that name", "the number's own text"),
    (5007, "no resource of that name", "the number's own text"),
    (5078, "no resource type of that name installed (/create /type:)", "the number's own text"),
    (5010, "a group or resource of that name exists (names compared without case)", "the number's own text"),
    (5021, "/quorumresource: on a resource that is not a Physical Disk", "the number's own text"),
    (5069, "/quorumresource: on a resource that depends on others", "the number's own text"),
    (5004, "/quorumresource: on a resource that is not Online", "our reading"),
    (5068, "/addowner or /removeowner on the quorum resource", "the number's own text"),
    (5024, "(a warning) /priv changed a resource that is not Offline", "the number's own text"),
    (87, "a property that does not exist, is read-only in labkit, or has a value of the wrong kind; a /create "
         "without the parameters labkit needs (Address=, Name=...); /wait:N not a number", "our reading"),
    (50, "rename, moving a resource to another group, checkpoints, maintenance mode, networks, /forcecleanup",
     "our reading: not modelled"),
    (1460, "the clock found no end to the work while cluster.exe waited", "our reading"),
)

#: The numbers named in a rule's source, from the MSCS API documentation.
EXPLICIT = (87, 1059, 5003, 5019, 5069)

_EXPLICIT = re.compile(r"\b(87|1059|50[0-9]{2})\b")


def code_for(error, command: str = "", node_state: str | None = None) -> int:
    """The Win32 number cluster.exe would print for the labkit refusal ``error`` raised
    by ``command`` (``"group.moveto"``, ``"res.delete"``...); ``node_state`` is the state
    of the node the command involves ("Paused", "Down", "Joining", "leaving").

    >>> from labkit.errors import DependencyError, StateError
    >>> code_for(DependencyError("x", source="MSCS ERROR_CIRCULAR_DEPENDENCY (1059)"))
    1059
    >>> code_for(StateError("node N1 is Up, not Paused"), "node.resume")
    5058
    """
    found = _EXPLICIT.search(getattr(error, "source", None) or "")
    if found and int(found.group(1)) in WIN32:
        return int(found.group(1))
    names = {c.__name__ for c in type(error).__mro__}
    text = f"{getattr(error, 'detail', error)} {getattr(error, 'rule', '') or ''}".lower()
    for m in MAPPING:
        if m.error != "*" and m.error not in names:
            continue
        if m.commands and command not in m.commands:
            continue
        if m.match and m.match not in text:
            continue
        if m.by_node_state:
            return NODE_STATE_CODES.get(node_state or "", m.code)
        return m.code
    return 87  # pragma: no cover - the last row matches everything


def from_labkit(error, command: str = "", node_state: str | None = None) -> ClusterExeError:
    """The :class:`ClusterExeError` for a labkit refusal (its message is labkit's line)."""
    return ClusterExeError(code_for(error, command, node_state), str(error))
