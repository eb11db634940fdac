"""Resource types: the resource DLLs of the model.

In MSCS each kind of resource comes with a resource DLL, which the Resource Monitor calls
to bring a resource online, take it offline and ask whether it is still alive; the DLL
shields the Cluster Service from a resource that misbehaves (paper, "The Resource DLL" and
Table 2). A :class:`ResourceType` knows how long its resources take to come online and go
offline, which properties they need, whether it can hold the quorum, and may
veto coming online on a node or react to a resource being created or deleted --
the hooks an application's resource DLL and Cluster Administrator extension
(e.g. Exchange's EXRES.DLL and EXCLUADM.DLL) give MSCS.

Types are registered by name in :data:`REGISTRY`; other packages register theirs
with :func:`register_resource_type`. A cluster only offers the types that were
installed in it (``Cluster.resource_types``), as on a real cluster.

>>> REGISTRY["Physical Disk"].quorum_capable
True
"""
from __future__ import annotations

from ..errors import ConfigurationError, NameConflictError, ValidationError
from ..values import (NAME, NETBIOS_MAX, PLAIN, check_drive, check_netbios_name,  # noqa: F401 (re-exported)
                      check_static_ip, show)
from .model import Resource  # noqa: F401 (the hooks' annotations; a Cluster is only named, never imported)

#: Every resource type known to labkit, by the name Cluster Administrator shows.
REGISTRY: dict[str, "ResourceType"] = {}



def register_resource_type(rtype: "ResourceType") -> "ResourceType":
    """Make ``rtype`` known to labkit (a cluster still has to install it)."""
    if not isinstance(rtype, ResourceType) or not NAME.ok(rtype.name):
        raise ValidationError(f"register a ResourceType with a name, not {show(rtype)}",
                              rule="resource types are ResourceType objects")
    REGISTRY[rtype.name] = rtype
    return rtype


class ResourceType:
    """Base class of resource types. Override the hooks you need.

    Times are simulated seconds. ``required`` names the properties a resource
    of this type must be given; ``defaults`` fills the optional ones.
    """

    name: str = "Resource"
    dll: str = "clusres.dll"
    online_s: float = 1.0
    offline_s: float = 1.0
    quorum_capable: bool = False
    required: tuple[str, ...] = ()
    defaults: dict = {}

    # --- hooks -------------------------------------------------------------
    def validate(self, cluster: "Cluster", name: str, group: str, props: dict) -> dict:
        """Check and normalise the type properties before anything changes. Return them."""
        props = PLAIN.check(props, "properties")
        missing = [p for p in self.required if props.get(p) is None or props.get(p) == ""]
        if missing:
            raise ValidationError(
                f"a {self.name} resource needs {', '.join(missing)}",
                rule=f"{self.name} resources need the properties {', '.join(self.required)}",
                source=f"MSCS {self.name} resource type")
        out = dict(self.defaults)
        out.update(props)
        return out

    #: deleting a resource of this type deletes what depends on it (Exchange: the System
    #: Attendant takes the other resources of its virtual server with it)
    delete_cascades: bool = False

    def before_create(self, cluster: "Cluster", name: str, group: str, props: dict,
                      dependencies: tuple = ()) -> None:
        """Refuse the creation (raise) before anything changes. Default: allow.
        ``dependencies`` are the providers given at creation."""

    def before_delete(self, cluster: "Cluster", resource: "Resource") -> None:
        """Refuse a deletion (raise) before anything changes. Called for every resource a
        delete would remove. Default: allow."""

    def before_remove_dependency(self, cluster: "Cluster", resource: "Resource", provider: str) -> None:
        """Refuse removing a dependency of a resource of this type (raise). Default: allow."""

    def on_create(self, cluster: "Cluster", resource: "Resource") -> None:
        """Called after the resource was added (inside the same all-or-nothing command)."""

    def on_delete(self, cluster: "Cluster", resource: "Resource") -> None:
        """Called after the resource was deleted."""

    def default_possible_owners(self, cluster: "Cluster") -> list[str]:
        """Possible owners of a new resource of this type: every node that exists now
        (MSCS). A plug-in may narrow this (Exchange: the nodes where it is installed)."""
        return cluster.node_ids()

    def check_owner(self, cluster: "Cluster", resource_name: str, node: str) -> str | None:
        """Return a reason why ``node`` may not be a possible owner, or None."""
        return None

    def can_online(self, cluster: "Cluster", resource: "Resource", node: str) -> str | None:
        """Return a reason to refuse coming online on ``node``, or None to allow."""
        return None

    def online_time_s(self, cluster: "Cluster", resource: "Resource", node: str) -> float:
        return self.online_s

    def offline_time_s(self, cluster: "Cluster", resource: "Resource", node: str) -> float:
        return self.offline_s

    def __repr__(self) -> str:
        return f"<resource type {self.name!r}>"


class PhysicalDisk(ResourceType):
    """A shared SCSI or Fibre Channel disk; the only quorum-capable type in Windows 2000
    (paper, Table 1). The disk must be basic (paper, Windows 2000 Clustering
    Installation Requirements).

    Properties: ``drive`` (e.g. "Q:"), ``disk_type`` ("basic"), ``signature``,
    ``size_gb``.
    """

    name = "Physical Disk"
    online_s = 3.0   # SCSI reserve and mount
    offline_s = 1.0
    quorum_capable = True
    defaults = {"disk_type": "basic"}

    def validate(self, cluster, name, group, props):
        out = super().validate(cluster, name, group, props)
        kind = str(out.get("disk_type", "basic")).lower()
        if kind == "dynamic":
            raise ConfigurationError(
                f"disk of {name!r} is a dynamic disk; Cluster Server will not use it. "
                "Fix: revert it to a basic disk in the Disk Management snap-in ('Revert to Basic Disk'; "
                "delete its volumes first)",
                rule="shared cluster disks must be basic disks",
                source="paper, Windows 2000 Clustering Installation Requirements")
        if kind != "basic":
            raise ValidationError(f"disk_type must be 'basic' or 'dynamic', not {show(out.get('disk_type'))}",
                                  rule="shared cluster disks must be basic disks",
                                  source="paper, Windows 2000 Clustering Installation Requirements")
        out["disk_type"] = "basic"
        drive = out.get("drive")
        if drive is not None:
            out["drive"] = check_drive(drive)
            holder = cluster.who_has_drive(out["drive"])
            if holder:
                raise NameConflictError(
                    f"drive {out['drive']} is already used by {holder}",
                    rule="each shared disk has its own drive letter",
                    source="MSCS Physical Disk resource")
        return out


class IPAddress(ResourceType):
    """A static IP address on the public network (``address``, ``subnet_mask``, ``network``).

    As on MSCS, the resource may be created without its Address (``cluster res R /create
    /type:"IP Address"``, then ``/priv Address=... SubnetMask=...``); it cannot come online
    until it has one (Microsoft, Server Cluster APIs: *Creating IP Address Resources* creates
    the resource, then sets its required private properties).

    >>> from labkit.cluster import Cluster
    >>> c = Cluster("LAB"); _ = c.add_node("N1"); _ = c.add_group("G")
    >>> "address" in c.add_resource("IP G", type="IP Address", group="G").properties
    False
    >>> REGISTRY["IP Address"].can_online(c, c.resources["IP G"], "N1")  # doctest: +ELLIPSIS
    'the IP Address resource has no Address private property: ...'
    """

    name = "IP Address"
    online_s = 1.0
    offline_s = 0.5
    defaults = {"subnet_mask": "255.255.255.0", "network": "Public"}

    def validate(self, cluster, name, group, props):
        out = super().validate(cluster, name, group, props)
        if out.get("address") is None:  # not set yet: it cannot come online (can_online)
            out.pop("address", None)
            return out
        out["address"] = check_static_ip(out["address"], f"address of {name!r}")
        owner = cluster.who_has_address(out["address"])
        if owner:
            raise NameConflictError(f"address {out['address']} is already used by {owner}",
                                    rule="every cluster, node and service address is unique",
                                    source="paper, Table 10; MSCS IP Address resource")
        return out

    def can_online(self, cluster, resource, node):
        if not resource.properties.get("address"):
            return ("the IP Address resource has no Address private property: set it (cluster res "
                    f"\"{resource.name}\" /priv Address=... SubnetMask=...) before bringing it online "
                    "(Microsoft, Server Cluster APIs: IP Address Private Properties -- Address and SubnetMask are "
                    "required; Creating IP Address Resources)")
        return None


class NetworkName(ResourceType):
    """The NetBIOS name clients use (``name``). Needs an IP Address dependency to come online.

    As on MSCS, the resource may be created without its Name (``/priv Name=...`` later); it
    cannot come online until it has one.
    """

    name = "Network Name"
    online_s = 2.0
    offline_s = 0.5

    def validate(self, cluster, name, group, props):
        out = super().validate(cluster, name, group, props)
        if out.get("name") is None:  # not set yet: it cannot come online (can_online)
            out.pop("name", None)
            return out
        out["name"] = check_netbios_name(out["name"], f"network name of {name!r}").upper()
        owner = cluster.who_has_name(out["name"])
        if owner:
            raise NameConflictError(f"name {out['name']!r} is already used by {owner}",
                                    rule="node, cluster and virtual server names are unique",
                                    source="paper, Use Standardized and Simplified IP Addressing and Naming")
        return out

    def can_online(self, cluster, resource, node):
        if not resource.properties.get("name"):
            return ("the Network Name resource has no Name private property: set it (cluster res "
                    f"\"{resource.name}\" /priv Name=...) before bringing it online (Microsoft, Server Cluster "
                    "APIs: Network Name Private Properties -- Name is required)")
        if not any(cluster.resources[p].type == "IP Address" for p in resource.dependencies):
            return ("a Network Name needs a dependency on an IP Address resource "
                    "(paper, Resources and Resource Groups)")
        return None


class FileShare(ResourceType):
    """A file share (``share_name``, ``path``)."""

    name = "File Share"
    online_s = 1.0
    offline_s = 0.5
    required = ("share_name",)
    defaults = {"path": ""}


class GenericService(ResourceType):
    """A cluster-unaware Windows service run through the generic resource DLL (Active/Passive)."""

    name = "Generic Service"
    online_s = 5.0
    offline_s = 3.0
    defaults = {"service_name": ""}


class GenericApplication(ResourceType):
    """A cluster-unaware program run through the generic resource DLL (Active/Passive)."""

    name = "Generic Application"
    online_s = 5.0
    offline_s = 3.0
    defaults = {"command_line": ""}


CORE_TYPES = tuple(register_resource_type(t()) for t in
                   (PhysicalDisk, IPAddress, NetworkName, FileShare, GenericService, GenericApplication))
