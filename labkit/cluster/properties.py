"""The Configuration Database's properties: of groups, of resources, and the quorum resource.

Part of the Configuration Database Manager (paper, Table 2; :mod:`labkit.cluster.configuration`
holds the objects themselves). Each group has its failover and failback properties
(FailoverThreshold 10 in FailoverPeriod 6 hours, AutoFailback off, an optional failback
window); each resource its common properties (RestartAction, RestartThreshold 3 in
RestartPeriod 900 s, LooksAlive 5,000 ms, IsAlive 60,000 ms, PendingTimeout 180,000 ms,
its resource monitor) and the private properties of its type (an IP Address's subnet
mask, a File Share's path...), Microsoft's documentation of the cluster properties giving
the names and defaults. The cluster itself has one: which Physical Disk is the quorum
resource (paper, Table 1).

This module is the :class:`Properties` part of :class:`~labkit.cluster.Cluster`:
``set_group_properties``, ``set_resource_properties``, ``set_private_properties``,
``set_monitor`` and ``set_quorum_resource``.

>>> import labkit as lk
>>> c = lk.Cluster("PROPS", ip="10.0.0.100"); _ = c.add_node("N1", ip="10.0.0.1")
>>> c.set_resource_properties("Cluster Name", restart_threshold=5)
>>> c.resources["Cluster Name"].restart_threshold
5
"""
from __future__ import annotations

from .. import values as V
from ..errors import ConfigurationError, DependencyError, StateError, ValidationError
from ..values import show
from .model import FAILED, OFF, ON, SHARED_MONITOR, RestartAction


_RESTART_ACTION = V.Choice(RestartAction, rule="RestartAction is 0, 1 or 2", source="MSCS resource property")


def _subnet_mask(value) -> str:
    import ipaddress

    try:
        if not isinstance(value, str):
            raise ValueError(value)
        ipaddress.IPv4Network(f"0.0.0.0/{value}")
    except ValueError:
        raise ValidationError(f"{show(value)} is not a subnet mask like 255.255.255.0",
                              rule="a subnet mask is four dotted numbers with contiguous bits",
                              source="MSCS IP Address resource: SubnetMask") from None
    return value


_SHORT = V.Text(max_len=256, name="text of 1 to 256 characters")
_LONG = V.Text(blank=True, max_len=1024, name="text of at most 1,024 characters")


#: The private properties of the core resource types that may change after creation, with
#: their value kinds (Microsoft's documentation of each type's private properties).
PRIVATE_SETTABLE = {
    "IP Address": {"subnet_mask": V.Checked(_subnet_mask, "a subnet mask like 255.255.255.0", {"type": "string"}),
                   "network": _SHORT},
    "File Share": {"share_name": V.Text(max_len=256, forbid=r'[\\/:*?"<>|]',
                                        name="a share name (1-256 characters, none of \\ / : * ? \" < > |)"),
                   "path": _LONG},
    "Generic Service": {"service_name": _SHORT},
    "Generic Application": {"command_line": _LONG},
    "Physical Disk": {"signature": V.Int(0, 0xFFFFFFFF, name="a DWORD (0 to 4294967295)"),
                      "size_gb": V.Number(0, 1e7, lo_open=True, name="a positive number of GB")},
}


#: The private properties fixed when a resource is created: its claim on an address, a
#: NetBIOS name or a drive letter.
PRIVATE_FIXED = {"IP Address": ("address",), "Network Name": ("name",), "Physical Disk": ("drive",)}


class Properties:
    """The properties of a :class:`~labkit.cluster.Cluster`, its groups and resources (see the module)."""

    def set_group_properties(self, group: str, *, failover_threshold=None, failover_period_hours=None,
                             auto_failback=None, failback_window=...) -> None:
        """Set FailoverThreshold, FailoverPeriod (hours), AutoFailbackType (True = allow)
        and the failback window ``(start_hour, end_hour)`` (may wrap midnight) or None."""
        g = self.group(group)
        group = g.name
        if failover_threshold is not None:
            failover_threshold = V.accept(V.FAILOVER_THRESHOLD, failover_threshold, "failover_threshold")
        if failover_period_hours is not None:
            failover_period_hours = V.accept(V.FAILOVER_PERIOD_HOURS, failover_period_hours, "failover_period_hours")
        if auto_failback is not None:
            if isinstance(auto_failback, str) and str.lower(auto_failback) in ("allow", "prevent"):
                auto_failback = str.lower(auto_failback) == "allow"
            if not isinstance(auto_failback, bool):
                raise ValidationError(f"auto_failback must be True/False or 'allow'/'prevent', not "
                                      f"{show(auto_failback)}", rule="AutoFailbackType is Prevent or Allow")
        if failback_window is not ... and failback_window is not None:
            failback_window = V.accept(V.FAILBACK_WINDOW, failback_window, "failback_window")
            if failback_window[0] == failback_window[1]:
                raise ValidationError("a failback window needs different start and end hours",
                                      rule="FailbackWindowStart != FailbackWindowEnd")
            failback_window = (failback_window[0], failback_window[1])
        changes = []
        if failover_threshold is not None:
            g.failover_threshold = failover_threshold
            changes.append(f"FailoverThreshold={failover_threshold}")
        if failover_period_hours is not None:
            g.failover_period_hours = failover_period_hours
            changes.append(f"FailoverPeriod={failover_period_hours} h")
        if auto_failback is not None:
            g.auto_failback = auto_failback
            changes.append(f"AutoFailback={'allow' if auto_failback else 'prevent'}")
        if failback_window is not ...:
            g.failback_window = failback_window
            changes.append("FailbackWindow=" + (f"{failback_window[0]:02d}:00-{failback_window[1]:02d}:00"
                                                 if failback_window else "any time"))
        if changes:
            self.record(group, "properties set", ", ".join(changes))

    def set_resource_properties(self, resource: str, *, restart_action=None, restart_threshold=None,
                                restart_period_s=None, looks_alive_ms=None, is_alive_ms=None,
                                pending_timeout_ms=None, separate_monitor=None) -> None:
        """Set a resource's common properties (Windows 2000 defaults: restart_notify,
        RestartThreshold 3 in RestartPeriod 900 s, LooksAlive 5,000 ms, IsAlive 60,000 ms,
        PendingTimeout 180,000 ms)."""
        r = self.resource(resource)
        resource = r.name
        if restart_action is not None:
            restart_action = V.accept(_RESTART_ACTION, restart_action, "restart_action")
        checks = {"restart_threshold": (restart_threshold, V.RESTART_THRESHOLD),
                  "restart_period_s": (restart_period_s, V.RESTART_PERIOD_S),
                  "looks_alive_ms": (looks_alive_ms, V.POLL_MS), "is_alive_ms": (is_alive_ms, V.POLL_MS),
                  "pending_timeout_ms": (pending_timeout_ms, V.POLL_MS)}
        checks = {key: (None if val is None else V.accept(kind, val, key), kind) for key, (val, kind) in checks.items()}
        if separate_monitor is not None and not isinstance(separate_monitor, bool):
            raise ValidationError("separate_monitor must be True or False")
        if separate_monitor is not None and r.state is not OFF and r.state is not FAILED:
            raise StateError(f"{resource!r} is {r.state}; take it offline to change its resource monitor",
                             rule="a resource changes monitor while offline")
        changes = []
        if restart_action is not None:
            r.restart_action = restart_action
            changes.append(f"RestartAction={restart_action.value}")
        for key, (val, _) in checks.items():
            if val is not None:
                setattr(r, key, val)
                changes.append(f"{key}={val}")
        if separate_monitor is not None:
            r.monitor = resource if separate_monitor else SHARED_MONITOR
            changes.append(f"monitor={r.monitor}")
        if changes:
            self.record(resource, "properties set", ", ".join(changes))

    def set_private_properties(self, resource: str, /, **props) -> None:
        """Set private properties of a resource (``cluster res R /priv name=value``): the
        ones :data:`PRIVATE_SETTABLE` lists for its type, each checked by its value kind.
        The address of an IP Address, the name of a Network Name and the drive of a Physical
        Disk are claimed once (paper, Table 10): a resource created without one (as
        ``cluster res R /create`` creates it) gets it here once, with the checks of creation;
        after that it is fixed. A change to a resource that is not Offline is stored and
        takes effect the next time it comes online, as in MSCS.

        >>> from labkit import Cluster
        >>> c = Cluster("PRIV", ip="10.0.0.100"); _ = c.add_node("N1", ip="10.0.0.1"); c.run_until_stable()
        >>> c.set_private_properties("Cluster IP Address", subnet_mask="255.255.0.0")
        >>> c.resources["Cluster IP Address"].properties["subnet_mask"]
        '255.255.0.0'
        """
        r = self.resource(resource)
        fixed, settable = PRIVATE_FIXED.get(r.type, ()), PRIVATE_SETTABLE.get(r.type, {})
        values, identity = {}, {}
        for key, value in props.items():
            if key in fixed:
                if r.properties.get(key) not in (None, ""):
                    raise ConfigurationError(
                        f"the {key} of {r.name!r} is fixed once it is set; delete the resource and create it "
                        "again with the new value",
                        rule="a resource's address, network name and drive letter are claimed once",
                        source="paper, Table 10 (each address and name is claimed once)")
                identity[key] = value
                continue
            if key not in settable:
                raise ValidationError(
                    f"{r.type} resources have no private property {key!r} that can be set "
                    f"(settable: {', '.join(settable) or 'none'})",
                    rule="a resource type has its own private properties", source=f"MSCS {r.type} resource type")
            values[key] = V.accept(settable[key], value, key)
        if identity:
            # an IP Address, Network Name or Physical Disk created without its address, name or
            # drive (as cluster.exe creates one) gets it once, with the checks of creation
            checked = self.resource_types[r.type].validate(self, r.name, r.group, {**r.properties, **identity})
            values.update({k: checked[k] for k in identity})
        if not values:
            return
        r.properties.update(values)
        if identity:
            self._claims = None  # the index of claimed addresses, names and drives: rebuilt on its next use
        self.record(r.name, "private properties set", ", ".join(f"{k}={v}" for k, v in values.items()), r.node)

    def set_quorum_resource(self, resource: str) -> None:
        """Make ``resource`` the quorum resource (``cluster /quorumresource:R``,
        SetClusterQuorumResource). Microsoft: it must be quorum-capable -- in Windows 2000 a
        Physical Disk (paper, Table 1; ERROR_NOT_QUORUM_CAPABLE 5021) -- and may not depend on
        anything (ERROR_DEPENDENCY_NOT_ALLOWED 5069). Our reading: it lives in the Cluster
        Group and must be Online, as the cluster writes its quorum log there at once (5004).

        >>> from labkit import Cluster
        >>> c = Cluster("QUORUM", ip="10.0.0.100"); _ = c.add_node("N1", ip="10.0.0.1"); c.run_until_stable()
        >>> c.set_quorum_resource("Cluster IP Address")
        Traceback (most recent call last):
        labkit.errors.ConfigurationError: 'Cluster IP Address' is an IP Address; in Windows 2000 only a Physical Disk can hold the quorum [rule: the quorum resource is quorum-capable; source: paper, Table 1; MSCS SetClusterQuorumResource: ERROR_NOT_QUORUM_CAPABLE (5021)]
        """
        r = self.resource(resource)
        name = r.name
        if not self.resource_types[r.type].quorum_capable:
            raise ConfigurationError(
                f"{name!r} is {'an' if r.type[:1] in 'AEIOU' else 'a'} {r.type}; in Windows 2000 only a Physical "
                "Disk can hold the quorum", rule="the quorum resource is quorum-capable",
                source="paper, Table 1; MSCS SetClusterQuorumResource: ERROR_NOT_QUORUM_CAPABLE (5021)")
        if r.dependencies:
            raise DependencyError(f"{name!r} depends on {', '.join(r.dependencies)}",
                                  rule="the quorum resource depends on nothing",
                                  source="MSCS SetClusterQuorumResource: ERROR_DEPENDENCY_NOT_ALLOWED (5069)")
        if r.group != self.cluster_group:
            raise ConfigurationError(f"{name!r} is in group {r.group!r}, not in the {self.cluster_group}",
                                     rule="the quorum resource lives in the Cluster Group",
                                     source="paper, Table 1; docs/cluster-file.md")
        if r.state is not ON:
            raise StateError(f"{name!r} is {r.state}; bring it online first",
                             rule="the quorum resource is Online when it is chosen",
                             source="our reading of SetClusterQuorumResource: ERROR_RESOURCE_NOT_ONLINE (5004)")
        if name == self.quorum_resource:
            return
        old = self.quorum_resource
        self.quorum_resource = name
        self.quorum_drive = r.properties.get("drive") or self.quorum_drive
        self.record(self.name, "quorum resource changed", f"{old} -> {name}", self.groups[r.group].owner)

    def set_monitor(self, resource: str, monitor: str) -> None:
        """Put a resource in a named resource monitor process (plug-ins use this to give
        each Exchange virtual server its own monitor, paper, The Resource Monitor)."""
        r = self.resource(resource)
        resource = r.name
        monitor = self._name(monitor, "monitor name")
        if r.state is not OFF and r.state is not FAILED:
            raise StateError(f"{resource!r} is {r.state}; take it offline to change its resource monitor",
                             rule="a resource changes monitor while offline")
        r.monitor = monitor
