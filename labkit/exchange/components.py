"""Which Exchange 2000 components run in a cluster: the paper's Table 5 as data.

Each :class:`Component` has its cluster mode (Active/Active: an instance per
virtual server, on every node at once; Active/Passive: one instance, on one node)
and whether Exchange 2000 supports it in a cluster at RTM. Where Microsoft later
disagreed with the paper, the row says so: the paper lists NNTP as Active/Active,
Microsoft's KB 259197 says NNTP is not supported in a cluster -- a contradiction
to teach (the setting ``nntp_follows_kb_259197`` picks a side).

>>> COMPONENTS["MTA"].mode, COMPONENTS["MTA"].scope
('Active/Passive', 'cluster')
>>> check_component("Lotus Notes Connector")
Traceback (most recent call last):
labkit.errors.ConfigurationError: Lotus Notes Connector is not supported in a cluster at Exchange 2000 RTM [rule: only components Table 5 supports run in a cluster; source: paper, Table 5 (Exchange 2000 Component Cluster Support)]
"""
from __future__ import annotations

from dataclasses import dataclass

from ..values import show
from ..errors import ConfigurationError, NameConflictError, NotFoundError, StateError
from .model import need_org
from .rules import check_full_admin

SRC_T5 = "paper, Table 5 (Exchange 2000 Component Cluster Support)"
ACTIVE_ACTIVE = "Active/Active"
ACTIVE_PASSIVE = "Active/Passive"


@dataclass(frozen=True)
class Component:
    """One row of Table 5.

    - ``mode``: "Active/Active" or "Active/Passive".
    - ``supported``: supported in a cluster at Exchange 2000 RTM (per the paper).
    - ``scope``: how many instances: "virtual server" (one in each), "cluster" (one in
      the whole cluster), "node" (limited per node) -- or "" when unsupported.
    - ``role``: the Table 7 resource that provides it in every virtual server, if any.
    - ``note``: the paper's comment, in short; ``kb_note``: where Microsoft later disagreed.
    """

    name: str
    mode: str
    supported: bool
    scope: str
    role: str | None = None
    note: str = ""
    kb_note: str = ""


def _unsupported(name: str) -> Component:
    return Component(name, ACTIVE_PASSIVE, False, "", None, "not supported in a cluster at Exchange 2000 RTM")


#: The paper's Table 5, in its order.
TABLE5: tuple[Component, ...] = (
    Component("System Attendant", ACTIVE_ACTIVE, True, "virtual server", "System Attendant",
              "creates the virtual server when it is configured"),
    Component("Information Store", ACTIVE_ACTIVE, True, "node", "Information Store",
              "at most 4 storage groups per node at RTM"),
    Component("MTA", ACTIVE_PASSIVE, True, "cluster", "MTA", "one instance per cluster, in one group"),
    Component("POP3 Protocol", ACTIVE_ACTIVE, True, "virtual server", "POP3", "several virtual servers per node"),
    Component("IMAP Protocol", ACTIVE_ACTIVE, True, "virtual server", "IMAP4", "several virtual servers per node"),
    Component("SMTP Protocol", ACTIVE_ACTIVE, True, "virtual server", "SMTP", "several virtual servers per node"),
    Component("HTTP DAV Protocol", ACTIVE_ACTIVE, True, "virtual server", "HTTP", "several virtual servers per node"),
    Component("NNTP Protocol", ACTIVE_ACTIVE, True, "virtual server", None, "several virtual servers per node",
              kb_note="KB 259197: NNTP is not supported in an Exchange 2000 cluster -- contradicts the paper"),
    Component("MS Search Server", ACTIVE_ACTIVE, True, "virtual server", "MS Search", "one instance per virtual server"),
    _unsupported("Site Replication Service"),
    _unsupported("MSMail Connector"),
    _unsupported("cc: Mail Connector"),
    _unsupported("Lotus Notes Connector"),
    _unsupported("Novell GroupWise Connector"),
    _unsupported("SNADS Connector"),
    _unsupported("PROFS Connector"),
    _unsupported("Active Directory Connector"),
    _unsupported("Key Management Service"),
    _unsupported("Chat Service"),
    _unsupported("Conferencing Manager Services"),
    _unsupported("Video Conferencing Service"),
)
COMPONENTS = {c.name: c for c in TABLE5}


def check_component(name: str, *, follow_kb_259197: bool = False) -> Component:
    """The component called ``name`` if it may run in a cluster at RTM; otherwise a
    ConfigurationError citing Table 5 (or, for NNTP with ``follow_kb_259197``, the KB)."""
    if not isinstance(name, str) or name not in COMPONENTS:
        raise NotFoundError(f"no Exchange 2000 component {show(name)} in Table 5 (known: {', '.join(COMPONENTS)})",
                            rule="components are those of Table 5", source=SRC_T5)
    comp = COMPONENTS[name]
    if not comp.supported:
        raise ConfigurationError(f"{name} is not supported in a cluster at Exchange 2000 RTM",
                                 rule="only components Table 5 supports run in a cluster", source=SRC_T5)
    if comp.kb_note and follow_kb_259197:
        raise ConfigurationError(f"{name}: {comp.kb_note}", rule="NNTP is not supported in a cluster",
                                 source="KB 259197 (the paper's Table 5 says Active/Active)")
    return comp


def add_component(cluster, evs: str, name: str) -> None:
    """Add an optional Exchange component (a protocol or connector of Table 5) to virtual
    server ``evs``. Refused for components unsupported in a cluster at RTM, for NNTP when
    the ``nntp_follows_kb_259197`` setting is on, for components every virtual server
    already has (Table 7), and for the MTA outside the virtual server that holds it."""
    check_full_admin(cluster, "add Exchange components")
    o = need_org(cluster)
    vs = o.server(evs)
    comp = check_component(name, follow_kb_259197=o.settings.nntp_follows_kb_259197)
    if comp.role is not None:
        if comp.role == "MTA" and o.mta_server != vs.name:
            raise ConfigurationError(f"the cluster's MTA instance is in {o.mta_server or 'no virtual server'}, "
                                     f"not {vs.name}", rule="one MTA instance per cluster",
                                     source=f"{SRC_T5}; paper, Table 7")
        raise StateError(f"{vs.name} already has its {name} (resource {vs.resources.get(comp.role, '(deleted)')!r})",
                         rule="setup creates the Table 7 resources with the System Attendant",
                         source="paper, Table 7")
    if name in vs.components:
        raise NameConflictError(f"{vs.name} already runs {name}", rule="one instance per virtual server",
                                source=SRC_T5)
    vs.components.append(name)
    note = f" (note: {comp.kb_note})" if comp.kb_note else ""
    cluster.record(vs.name, f"component {name} added", f"{comp.mode}{note}", cluster.groups[vs.group].owner)
