"""The Configuration Database Manager: groups, resources, dependencies, owners, properties.

In MSCS the cluster database holds what the cluster is made of -- the nodes, the resource
types, the resources and their groups, each resource's dependencies and possible owners,
each group's preferred owners, and their properties -- and the Configuration Database
Manager keeps it the same on every node (paper, Table 2; "Resources and Resource
Groups"). This module holds the commands that change it and the questions asked of it:
the online order a group's dependencies give (providers first), the nodes that may own a
group (the possible owners every one of its resources shares), and who already claims an
address, a network name or a drive letter.

Every command checks everything first and raises a :class:`~labkit.errors.LabkitError`
naming the rule it would break, leaving the database as it was.

This module is the :class:`ConfigurationDatabase` part of :class:`~labkit.cluster.Cluster`:
``add_group``, ``delete_group``, ``add_resource``, ``delete_resource``,
``add_dependency``, ``remove_dependency``, ``set_preferred_owners``,
``set_possible_owners``, ``add_possible_owner``, ``remove_possible_owner`` and
``install_resource_type``. The properties (``set_group_properties``,
``set_resource_properties``, ``set_private_properties``, ``set_monitor``,
``set_quorum_resource``) are its part in :mod:`labkit.cluster.properties`.

>>> import labkit as lk
>>> c = lk.Cluster("CONFIG", ip="10.0.0.100"); _ = c.add_node("N1", ip="10.0.0.1")
>>> _ = c.add_group("FS"); _ = c.add_resource("Disk F:", type="Physical Disk", group="FS", drive="F:")
>>> _ = c.add_resource("Share", type="File Share", group="FS", share_name="data")
>>> c.add_dependency("Share", "Disk F:"); c.online_order("FS")
['Disk F:', 'Share']
"""
from __future__ import annotations

from contextlib import contextmanager

from .. import values as V
from ..errors import (DependencyError, NameConflictError, NotFoundError, OwnershipError, QuorumError, StateError,
                      ValidationError)
from ..values import show
from .model import CLUSTER_GROUP, DOWN_OR_FAILED, FAILED, GROUP_DEFAULTS, OFF, RESOURCE_DEFAULTS, Group, Node, Resource
from .types import REGISTRY, ResourceType


@contextmanager
def _nothing():
    yield


_PROPERTIES = V.MapOf(V.PLAIN, name="a mapping of property names to plain values")


class ConfigurationDatabase:
    """The Configuration Database Manager of a :class:`~labkit.cluster.Cluster` (see the module)."""

    def group_index(self, name: str) -> int:
        """The place of group ``name`` in creation order (0 for the first group)."""
        if not isinstance(name, str) or name not in self.groups:
            name = self.group(name).name
        if getattr(self, "_gidx", None) is None or len(self._gidx) != len(self.groups) or name not in self._gidx:
            self._gidx = {g: i for i, g in enumerate(self.groups)}
        return self._gidx[name]

    def node_ids(self) -> list[str]:
        """Node names in node-id order."""
        return list(self._node_order())

    def _node_order(self) -> tuple[str, ...]:
        """Node names in node-id order, cached until a node is added or evicted (node ids
        never change)."""
        cached = self._node_order_cache
        if cached is None or len(cached) != len(self.nodes):
            cached = self._node_order_cache = tuple(sorted(self.nodes, key=lambda n: self.nodes[n].id))
        return cached

    def groups_on(self, node: str) -> list[str]:
        """Names of the groups ``node`` owns."""
        node = self.node(node).name
        return [g.name for g in self.groups.values() if g.owner == node]

    def dependents(self, resource: str) -> list[str]:
        """Resources that depend directly on ``resource``."""
        resource = self.resource(resource).name
        return list(self._dependents.get(resource, []))

    def online_order(self, group: str) -> list[str]:
        """Resource names in the order they come online: providers before dependents.

        Independent resources keep the order they were created in.
        """
        return list(self._order(self.group(group)))

    def _order(self, g: Group) -> list[str]:
        """The cached online order of a group (do not modify the list)."""
        cached = self._order_cache.get(g.name)
        if cached is not None:
            return cached
        members = list(g.resources)
        pos = {r: i for i, r in enumerate(members)}
        indeg = {r: len(self.resources[r].dependencies) for r in members}
        ready = sorted((r for r in members if indeg[r] == 0), key=pos.get)
        order = []
        import heapq
        heap = [(pos[r], r) for r in ready]
        heapq.heapify(heap)
        while heap:
            _, r = heapq.heappop(heap)
            order.append(r)
            for d in self._dependents.get(r, []):
                indeg[d] -= 1
                if indeg[d] == 0:
                    heapq.heappush(heap, (pos[d], d))
        self._order_cache[g.name] = order
        return order

    def offline_order(self, group: str) -> list[str]:
        """Resource names in the order they go offline: dependents before providers."""
        return list(reversed(self.online_order(group)))

    def effective_owners(self, group: str) -> list[str]:
        """The list the failover manager walks: preferred owners in order, then every
        other node in node-id order (KB 299631)."""
        return list(self._effective(self.group(group))[0])

    def _effective(self, g: Group) -> tuple[tuple[str, ...], dict[str, int]]:
        """The group's effective owner list and each node's first place in it, built in
        linear time and cached until the group's preferred owners or the nodes change."""
        nodes = self._node_order()
        prefs = tuple(g.preferred_owners)
        hit = self._owners_cache.get(g.name)
        if hit is not None and hit[0] is nodes and hit[1] == prefs:
            return hit[2], hit[3]
        listed = set(prefs)
        lst = tuple([n for n in prefs if n in self.nodes] + [n for n in nodes if n not in listed])
        place: dict[str, int] = {}
        for i, n in enumerate(lst):
            place.setdefault(n, i)
        self._owners_cache[g.name] = (nodes, prefs, lst, place)
        return lst, place

    def _claims_index(self) -> dict:
        """Who holds each address, NetBIOS name and drive letter (built on demand, kept up
        to date as resources and nodes come and go)."""
        size = (len(self.nodes), len(self.resources))
        if self._claims is None or self._claims_size != size:  # rebuilt if objects came in another way
            self._claims = self._build_claims()
        self._claims_size = size
        return self._claims

    def _build_claims(self) -> dict:
        claims: dict = {}
        if self.ip:
            claims[("ip", self.ip)] = f"cluster {self.name}"
        claims[("name", self.name.upper())] = f"cluster {self.name}"
        for n in self.nodes.values():
            self._claim_node(claims, n)
        for r in self.resources.values():
            self._claim_resource(claims, r)
        return claims

    @staticmethod
    def _claim_node(claims: dict, n: Node) -> None:
        claims.setdefault(("name", n.name.upper()), f"node {n.name}")
        if n.ip:
            claims.setdefault(("ip", n.ip), f"node {n.name}")

    @staticmethod
    def _claim_resource(claims: dict, r: Resource, drop: bool = False) -> None:
        keys = []
        if r.type == "IP Address" and r.properties.get("address"):
            keys.append(("ip", r.properties["address"]))
        if r.type == "Network Name" and r.properties.get("name"):
            keys.append(("name", r.properties["name"].upper()))
        if r.type == "Physical Disk" and r.properties.get("drive"):
            keys.append(("drive", r.properties["drive"]))
        for k in keys:
            if drop:
                if claims.get(k) == f"resource {r.name!r}":
                    del claims[k]
            else:
                claims.setdefault(k, f"resource {r.name!r}")

    def who_has_address(self, address: str) -> str | None:
        """What already uses an IP address (cluster, node or IP Address resource)."""
        return self._claims_index().get(("ip", address)) if isinstance(address, str) else None

    def who_has_name(self, name: str) -> str | None:
        """What already uses a NetBIOS name (cluster, node or Network Name resource)."""
        return self._claims_index().get(("name", str.upper(name))) if isinstance(name, str) else None

    def who_has_drive(self, drive: str) -> str | None:
        """Which Physical Disk resource is mounted on a drive letter."""
        return self._claims_index().get(("drive", str.upper(drive))) if isinstance(drive, str) else None

    def install_resource_type(self, rtype: ResourceType | str) -> None:
        """Offer a registered resource type in this cluster (what an application's
        setup does when it copies its resource DLL and registers the type)."""
        t = REGISTRY.get(rtype) if isinstance(rtype, str) else rtype
        if not isinstance(t, ResourceType) or not V.NAME.ok(t.name):
            raise NotFoundError(f"no registered resource type {show(rtype)}")
        REGISTRY.setdefault(t.name, t)
        self.resource_types[t.name] = t

    def add_group(self, name: str, preferred_owners: list[str] | None = None) -> Group:
        """Create an empty group (Add-ClusterGroup), owned by the first Up node."""
        name = self._name(name, "group name")
        if self.find_name("groups", name) is not None:
            raise NameConflictError(f"a group named {self.find_name('groups', name)!r} exists",
                                    rule="group names are unique (compared case-insensitively)")
        prefs = self._node_list(preferred_owners or [], "preferred owners")
        owner = next((n for n in self.node_ids() if self.nodes[n].is_up), None)
        g = Group(name=name, owner=owner, preferred_owners=prefs, **{
            k: v for k, v in GROUP_DEFAULTS.items()})
        self.groups[name] = g
        self._indexed("groups", name)
        self.record(name, "created", f"owner {owner}", owner)
        self._mark(name)
        self._settle()
        return g

    def delete_group(self, name: str) -> None:
        """Delete an empty group."""
        g = self.group(name)
        name = g.name
        if name == CLUSTER_GROUP:
            raise StateError("the Cluster Group holds the quorum and cannot be deleted",
                             rule="the cluster keeps its Cluster Group")
        if g.resources:
            raise StateError(f"group {name!r} still holds {len(g.resources)} resources; delete them first",
                             rule="only an empty group can be deleted")
        del self.groups[name]
        self._indexed("groups", name, added=False)
        self._order_cache.pop(name, None)
        self.record(name, "deleted", "", None)

    def set_preferred_owners(self, group: str, nodes: list[str]) -> None:
        """Set a group's ordered preferred owners (Set-ClusterOwnerNode -Group)."""
        g = self.group(group)
        group = g.name
        prefs = self._node_list(nodes, "preferred owners")
        g.preferred_owners = prefs
        self.record(group, "preferred owners set", ", ".join(prefs) or "(none)")

    def add_resource(self, name: str, /, type: str, group: str, *, possible_owners: list[str] | None = None,
                     dependencies: list[str] | None = None, separate_monitor: bool = False,
                     **properties) -> Resource:
        """Create a resource in a group (Add-ClusterResource / ``cluster res /create``).

        Type properties are keywords (``address=`` for IP Address, ``name=`` for Network
        Name, ``drive=`` for Physical Disk...). Possible owners default to the nodes that
        exist now -- nodes added later are *not* added (the paper's warning in "Resource
        Ownership and Failover"). ``separate_monitor`` runs it in its own resource monitor
        (``cluster res /create /separate``). ``dependencies`` are added at creation, as
        Cluster Administrator's New Resource wizard asks for them. The resource starts Offline.
        """
        name = self._name(name, "resource name")
        if self.find_name("resources", name) is not None:
            raise NameConflictError(f"a resource named {self.find_name('resources', name)!r} exists",
                                    rule="resource names are unique (compared case-insensitively)")
        if not isinstance(type, str) or type not in self.resource_types:
            known = ", ".join(sorted(self.resource_types))
            raise NotFoundError(f"resource type {show(type)} is not installed in this cluster (installed: {known})",
                                rule="resources use a resource type installed in the cluster",
                                source="MSCS resource types")
        g = self.group(group)
        group = g.name
        t = self.resource_types[type]
        owners = self._new_owners(t, name, possible_owners)
        if dependencies is not None:
            dependencies = self._new_dependencies(name, group, dependencies)
        if not isinstance(separate_monitor, bool):
            raise ValidationError("separate_monitor must be True or False")
        props = V.accept(_PROPERTIES, t.validate(self, name, group, V.accept(_PROPERTIES, properties, "properties")),
                         "properties")
        t.before_create(self, name, group, props, dependencies=tuple(dependencies or ()))
        hooked = t.__class__.on_create is not ResourceType.on_create
        with (self.transaction() if hooked else _nothing()):
            r = self._new_resource(name, t, g, owners, props)
            if separate_monitor:
                r.monitor = name
            self.record(name, "created", f"{type} in group {group}; possible owners {', '.join(owners)}",
                        g.owner)
            for p in dependencies or ():
                self._add_dep(name, p)
                self.record(name, f"now depends on {p}", "", g.owner)
            t.on_create(self, r)
            self._settle()
        return r

    def _new_owners(self, t: ResourceType, name: str, possible_owners) -> list[str]:
        """The possible owners of a new resource ``name`` of type ``t``, checked."""
        if possible_owners is None:
            owners = t.default_possible_owners(self)
        else:
            owners = self._node_list(possible_owners, "possible owners")
        if not owners:
            raise OwnershipError("a resource needs at least one possible owner; add a node first",
                                 rule="every resource has possible owners", source="MSCS possible owners")
        for n in owners:
            why = t.check_owner(self, name, n)
            if why:
                raise OwnershipError(f"{n} cannot be a possible owner of {name!r}: {why}",
                                     rule="possible owners can run the resource's type")
        return owners

    def _new_dependencies(self, name: str, group: str, dependencies) -> list[str]:
        """The providers a new resource ``name`` in ``group`` is created depending on, checked."""
        if isinstance(dependencies, str) or not isinstance(dependencies, (list, tuple)):
            raise ValidationError(f"dependencies must be a list of resource names, not {show(dependencies)}")
        dependencies = [self.resource(p).name for p in dependencies]
        for p in dependencies:
            pr = self.resources[p]
            if pr.group != group:
                raise DependencyError(f"{name!r} would be in group {group!r} but {p!r} is in {pr.group!r}",
                                      rule="dependencies stay inside one group",
                                      source="paper, Resources and Resource Groups; MSCS error 87")
        if len(set(dependencies)) != len(dependencies):
            raise DependencyError(f"a dependency of {name!r} is listed twice", rule="no duplicate dependencies",
                                  source="MSCS ERROR_DEPENDENCY_ALREADY_EXISTS (5003)")
        return dependencies

    def _new_resource(self, name, t: ResourceType, g: Group, owners, props) -> Resource:
        r = Resource(name=name, type=t.name, group=g.name, possible_owners=list(owners),
                     properties=props, **RESOURCE_DEFAULTS)
        self._keep_resource(r)
        g.resources.append(name)
        self._order_cache.pop(g.name, None)
        self._mark(g.name)
        return r

    def _keep_resource(self, r: Resource) -> None:
        """Put ``r`` in the database: its name in the case-insensitive index, its address,
        NetBIOS name or drive letter claimed (a new resource, or one a saved file gives back)."""
        claims = self._claims_index()
        self.resources[r.name] = r
        self._indexed("resources", r.name)
        self._claim_resource(claims, r)
        self._claims_size = (len(self.nodes), len(self.resources))

    def delete_resource(self, name: str, *, with_dependents: bool = False) -> list[str]:
        """Delete an offline resource (and, with ``with_dependents``, everything that depends
        on it). Returns the names deleted."""
        r = self.resource(name)
        name = r.name
        if name == self.quorum_resource:
            raise QuorumError("the quorum resource cannot be deleted", rule="a cluster keeps its quorum resource",
                              source="paper, Table 1 (Quorum Resource)")
        if not isinstance(with_dependents, bool):
            raise ValidationError("with_dependents must be True or False")
        with_dependents = with_dependents or self.resource_types[r.type].delete_cascades
        victims = self._closure_dependents(name) if with_dependents else [name]
        if not with_dependents and self._dependents.get(name):
            raise DependencyError(f"{', '.join(self._dependents[name])} depend on {name!r}; delete them first "
                                  "or pass with_dependents=True", rule="a provider outlives its dependents")
        for v in victims:
            vr = self.resources[v]
            if vr.state not in DOWN_OR_FAILED:
                raise StateError(f"resource {v!r} is {vr.state}; take it offline before deleting it",
                                 rule="only an offline resource can be deleted",
                                 source="paper, Removing Exchange Virtual Servers and Binaries from a Cluster")
        for v in victims:
            self.resource_types[self.resources[v].type].before_delete(self, self.resources[v])
        gone = {}
        hooked = any(type(self.resource_types[self.resources[v].type]).on_delete is not ResourceType.on_delete
                     for v in victims)
        with (self.transaction() if hooked else _nothing()):
            for v in reversed(victims):  # dependents first
                claims = self._claims_index()
                vr = gone[v] = self.resources.pop(v)
                self._indexed("resources", v, added=False)
                self._claim_resource(claims, vr, drop=True)
                self._claims_size = (len(self.nodes), len(self.resources))
                g = self.groups[vr.group]
                g.resources.remove(v)
                for p in vr.dependencies:
                    lst = self._dependents.get(p)
                    if lst and v in lst:
                        lst.remove(v)
                self._dependents.pop(v, None)
                self._order_cache.pop(g.name, None)
                self.record(v, "deleted", f"by {self.account}", g.owner)
                self._mark(g.name)
            for v in reversed(victims):
                self.resource_types[gone[v].type].on_delete(self, gone[v])
            self._settle()
        return victims

    def _closure_dependents(self, name: str) -> list[str]:
        out = [name]
        i = 0
        while i < len(out):
            for d in self._dependents.get(out[i], []):
                if d not in out:
                    out.append(d)
            i += 1
        return out

    def add_dependency(self, resource: str, provider: str) -> None:
        """Make ``resource`` depend on ``provider`` (Add-ClusterResourceDependency).

        Rules: both in the same group (error 87), no duplicate (5003), no cycle (1059),
        the quorum resource depends on nothing (5069), and the dependent must be offline
        while its dependencies change (Windows 2000, error 5019).
        """
        r = self.resource(resource)
        resource = r.name
        p = self.resource(provider)
        provider = p.name
        if resource == provider:
            raise DependencyError(f"{resource!r} cannot depend on itself", rule="no circular dependencies",
                                  source="MSCS ERROR_CIRCULAR_DEPENDENCY (1059)")
        if r.group != p.group:
            raise DependencyError(
                f"{resource!r} is in group {r.group!r} but {provider!r} is in {p.group!r}",
                rule="dependencies stay inside one group",
                source="paper, Resources and Resource Groups; MSCS error 87")
        if provider in r.dependencies:
            raise DependencyError(f"{resource!r} already depends on {provider!r}", rule="no duplicate dependencies",
                                  source="MSCS ERROR_DEPENDENCY_ALREADY_EXISTS (5003)")
        if resource == self.quorum_resource:
            raise QuorumError(f"the quorum resource {resource!r} may not depend on other resources",
                              rule="the quorum resource has no dependencies",
                              source="MSCS ERROR_DEPENDENCY_NOT_ALLOWED (5069)")
        if self._depends_on(provider, resource):
            raise DependencyError(f"{provider!r} already depends (directly or not) on {resource!r}",
                                  rule="no circular dependencies", source="MSCS ERROR_CIRCULAR_DEPENDENCY (1059)")
        if r.state is not OFF and r.state is not FAILED:
            raise StateError(f"{resource!r} is {r.state}; take it offline before changing its dependencies",
                             rule="dependencies change only while the dependent is offline",
                             source="Windows 2000 MSCS, error 5019 (resource online)")
        self._add_dep(resource, provider)
        self.record(resource, f"now depends on {provider}", "", self.groups[r.group].owner)
        self._mark(r.group)
        self._settle()

    def _depends_on(self, a: str, b: str) -> bool:
        """True when ``a`` depends on ``b`` directly or indirectly."""
        stack, seen = [a], set()
        while stack:
            x = stack.pop()
            for p in self.resources[x].dependencies:
                if p == b:
                    return True
                if p not in seen:
                    seen.add(p)
                    stack.append(p)
        return False

    def _add_dep(self, resource: str, provider: str) -> None:
        self.resources[resource].dependencies.append(provider)
        self._dependents.setdefault(provider, []).append(resource)
        self._order_cache.pop(self.resources[resource].group, None)

    def remove_dependency(self, resource: str, provider: str) -> None:
        """Remove a dependency (the dependent must be offline)."""
        r = self.resource(resource)
        resource = r.name
        provider = self.resource(provider).name
        if provider not in r.dependencies:
            raise DependencyError(f"{resource!r} does not depend on {provider!r}",
                                  rule="remove an existing dependency")
        self.resource_types[r.type].before_remove_dependency(self, r, provider)
        if r.state is not OFF and r.state is not FAILED:
            raise StateError(f"{resource!r} is {r.state}; take it offline first",
                             rule="dependencies change only while the dependent is offline",
                             source="Windows 2000 MSCS, error 5019 (resource online)")
        r.dependencies.remove(provider)
        self._dependents[provider].remove(resource)
        self._order_cache.pop(r.group, None)
        self.record(resource, f"no longer depends on {provider}", "")
        self._mark(r.group)
        self._settle()

    def set_possible_owners(self, resource: str, nodes: list[str]) -> None:
        """Set the nodes that may host ``resource`` (Set-ClusterOwnerNode -Resource)."""
        r = self.resource(resource)
        resource = r.name
        owners = self._node_list(nodes, "possible owners")
        for n in owners:
            why = self.resource_types[r.type].check_owner(self, resource, n) if n not in r.possible_owners else None
            if why:
                raise OwnershipError(f"{n} cannot be a possible owner of {resource!r}: {why}",
                                     rule="possible owners can run the resource's type")
        if not owners:
            raise OwnershipError("a resource needs at least one possible owner",
                                 rule="every resource has possible owners", source="MSCS possible owners")
        if r.state is not OFF and r.node not in owners:
            raise OwnershipError(f"{resource!r} runs on {r.node}; move its group before removing that node",
                                 rule="a running resource stays on a possible owner")
        r.possible_owners = sorted(owners, key=lambda n: self.nodes[n].id)
        self.record(resource, "possible owners set", ", ".join(r.possible_owners))

    def add_possible_owner(self, resource: str, node: str) -> None:
        """Add one node to a resource's possible owners (``cluster res R /addowner:N``)."""
        r = self.resource(resource)
        resource = r.name
        node = self.node(node).name
        if node in r.possible_owners:
            raise OwnershipError(f"{node} is already a possible owner of {resource!r}",
                                 rule="possible owners list each node once")
        self.set_possible_owners(resource, r.possible_owners + [node])

    def remove_possible_owner(self, resource: str, node: str) -> None:
        """Remove one node from a resource's possible owners (``/removeowner``)."""
        r = self.resource(resource)
        resource = r.name
        node = self.node(node).name
        if node not in r.possible_owners:
            raise OwnershipError(f"{node} is not a possible owner of {resource!r}")
        self.set_possible_owners(resource, [n for n in r.possible_owners if n != node])
