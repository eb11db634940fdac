"""Names and IP addresses for a cluster: the paper's Table 10 scheme, for N nodes.

The paper ("Use Standardized and Simplified IP Addressing and Naming") gives a
4-node plan: the cluster FOUR-STOOGES at .100, nodes 1-CURLY ... 4-JERRY at .10,
.20, .30, .40, and each node's Exchange virtual server EXVSn one address above
its node (.11, .21, ...), so a node's and its virtual server's addresses are
"closely related". :func:`naming_plan` generates that scheme for any node count;
:func:`check_naming` checks any plan against the rules: static addresses only,
unique addresses and names, one subnet, NetBIOS names of at most 15 characters.

>>> plan = naming_plan(4)
>>> [(r["name"], r["services"], r["addresses"]) for r in plan.rows()][:2]
[('FOUR-STOOGES', 'Cluster Manager', 'FOUR-STOOGES: 132.192.1.100'), ('1-CURLY', 'VS1-NAME=EXVS1', '1-CURLY: 132.192.1.10, EXVS1: 132.192.1.11')]
>>> check_naming(plan)
[]
"""
from __future__ import annotations

import ipaddress
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum
from functools import partial

from ..cluster.types import check_netbios_name, check_static_ip
from ..errors import ConfigurationError, LabkitError, ValidationError
from .findings import Violation, as_tuple, require, whole_number

#: The paper's 4-node names (Table 10), in node order.
PAPER_NODE_NAMES = ("CURLY", "MOE", "LARRY", "JERRY")
#: Names used after the paper's four, keeping the theme [D]; then "NODE<n>".
MORE_NODE_NAMES = ("SHEMP", "JOE", "TED")
PAPER_SUBNET = "132.192.1.0/24"
PAPER_CLUSTER_HOST = 100
PAPER_STEP = 10
_NUMBER_WORDS = ("ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX", "SEVEN", "EIGHT", "NINE", "TEN", "ELEVEN", "TWELVE")

SOURCE = "paper, Use Standardized and Simplified IP Addressing and Naming (Table 10)"

#: Rule id -> (rule, source).
RULES: dict[str, tuple[str, str]] = {
    "static-addresses": ("cluster, node and virtual server addresses are static (no DHCP), allocated before set-up",
                         SOURCE),
    "valid-address": ("every address is a unicast IPv4 host address", "MSCS IP Address resource"),
    "unique-addresses": ("every cluster, node and virtual server address is unique", SOURCE),
    "unique-names": ("cluster, node and virtual server names are unique (NetBIOS names ignore case)", SOURCE),
    "one-subnet": ("all addresses are host addresses of the plan's one subnet (IP Address resources fail over "
                   "only within a subnet)", "MSCS, Windows 2000: cluster nodes share one IP subnet [D]"),
    "home-node": ("each virtual server's home node is a node of the plan", SOURCE),
    "netbios-names": ("names are NetBIOS names: at most 15 characters, no \\ / : * ? \" < > | . , or spaces",
                      "Windows 2000 computer naming; paper, Table 10"),
}


class PlanRole(StrEnum):
    """What a plan entry names: the cluster, a node or a virtual server (paper, Table 10)."""

    CLUSTER = "cluster"
    NODE = "node"
    VIRTUAL_SERVER = "virtual server"


@dataclass(frozen=True)
class PlanEntry:
    """One name and its address: the cluster, a node, or a virtual server (with its home node)."""

    name: str
    ip: str
    role: PlanRole
    node: str | None = None    # a virtual server's home node
    service: str = ""          # Table 10's Services column

    def __post_init__(self):
        if self.role not in tuple(PlanRole):
            raise ValidationError(f"role must be 'cluster', 'node' or 'virtual server', not {self.role!r}",
                                  rule="a plan names the cluster, its nodes and virtual servers", source=SOURCE)
        object.__setattr__(self, "role", PlanRole(self.role))


@dataclass(frozen=True)
class NamingPlan:
    """A subnet and the entries that take names and addresses in it."""

    subnet: str
    entries: tuple = ()

    def __post_init__(self):
        entries = as_tuple(self.entries, "plan entries", source=SOURCE)
        for e in entries:
            if not isinstance(e, PlanEntry):
                raise ValidationError(f"{e!r} is not a PlanEntry", rule="a plan lists entries", source=SOURCE)
        object.__setattr__(self, "entries", entries)

    @property
    def cluster(self) -> PlanEntry | None:
        return next((e for e in self.entries if e.role is PlanRole.CLUSTER), None)

    @property
    def nodes(self) -> list[PlanEntry]:
        return [e for e in self.entries if e.role is PlanRole.NODE]

    @property
    def virtual_servers(self) -> list[PlanEntry]:
        return [e for e in self.entries if e.role is PlanRole.VIRTUAL_SERVER]

    def address_of(self, name: str) -> str:
        for e in self.entries:
            if e.name.upper() == str(name).upper():
                return e.ip
        raise ValidationError(f"{name!r} is not in the plan", rule="plans are looked up by name", source=SOURCE)

    def rows(self) -> list[dict]:
        """Table 10: one row for the cluster, then one per node with its virtual servers."""
        out = []
        if self.cluster:
            c = self.cluster
            out.append({"name": c.name, "services": c.service or "Cluster Manager",
                        "addresses": f"{c.name}: {c.ip}"})
        for n in self.nodes:
            vss = [v for v in self.virtual_servers if v.node == n.name]
            out.append({"name": n.name, "services": ", ".join(v.service for v in vss),
                        "addresses": ", ".join([f"{n.name}: {n.ip}"] + [f"{v.name}: {v.ip}" for v in vss])})
        return out


#: the one whole-number check (:func:`~labkit.planning.findings.whole_number`), with this module's source
_count = partial(whole_number, source=SOURCE, rule="a plan counts nodes")


def default_cluster_name(nodes: int) -> str:
    """FOUR-STOOGES for 4 nodes, TWO-STOOGES for 2, ... (the paper's style).

    >>> default_cluster_name(4), default_cluster_name(16)
    ('FOUR-STOOGES', '16-STOOGES')
    """
    word = _NUMBER_WORDS[nodes - 1] if nodes <= len(_NUMBER_WORDS) else str(nodes)
    return f"{word}-STOOGES"


def default_node_names(nodes: int) -> list[str]:
    """1-CURLY, 2-MOE, 3-LARRY, 4-JERRY (Table 10), then 5-SHEMP, 6-JOE, 7-TED, 8-NODE8 ...

    >>> default_node_names(5)
    ['1-CURLY', '2-MOE', '3-LARRY', '4-JERRY', '5-SHEMP']
    """
    pool = PAPER_NODE_NAMES + MORE_NODE_NAMES
    return [f"{i}-{pool[i - 1]}" if i <= len(pool) else f"{i}-NODE{i}" for i in range(1, nodes + 1)]


def naming_plan(nodes: int = 4, *, cluster_name: str | None = None, node_names=None, subnet: str = PAPER_SUBNET,
                cluster_host: int = PAPER_CLUSTER_HOST, step: int = PAPER_STEP, virtual_servers_per_node: int = 1,
                vs_prefix: str = "EXVS") -> NamingPlan:
    """The Table 10 scheme for ``nodes`` nodes: node *n* at host ``step*n``, its
    virtual servers at ``step*n + 1``, ``+2`` ..., the cluster at ``cluster_host``.

    The plan is checked before it is returned; a scheme that does not fit (too
    many nodes for the step, names too long) raises ConfigurationError.

    >>> [e.ip for e in naming_plan(2).entries]
    ['132.192.1.100', '132.192.1.10', '132.192.1.11', '132.192.1.20', '132.192.1.21']
    >>> naming_plan(10)
    Traceback (most recent call last):
    ...
    labkit.errors.ConfigurationError: the naming plan breaks 1 rule(s): [unique-addresses] 132.192.1.100: used by TEN-STOOGES, 10-NODE10 (source: paper, Use Standardized and Simplified IP Addressing and Naming (Table 10)) [rule: unique-addresses; source: paper, Use Standardized and Simplified IP Addressing and Naming (Table 10)]
    """
    _count(nodes, "nodes")
    _count(virtual_servers_per_node, "virtual_servers_per_node")
    _count(step, "step")
    _count(cluster_host, "cluster_host")
    if virtual_servers_per_node >= step:
        raise ConfigurationError(f"{virtual_servers_per_node} virtual servers a node do not fit between node "
                                 f"addresses {step} apart", rule="a virtual server's address follows its node's",
                                 source=SOURCE)
    try:
        net = ipaddress.IPv4Network(subnet, strict=True)
    except (ValueError, TypeError):
        raise ValidationError(f"subnet must look like 132.192.1.0/24, not {subnet!r}", rule=RULES["one-subnet"][0],
                              source=RULES["one-subnet"][1]) from None
    names = list(as_tuple(node_names, "node names", source=SOURCE)) if node_names is not None \
        else default_node_names(nodes)
    if len(names) != nodes:
        raise ValidationError(f"{nodes} nodes need {nodes} names, got {len(names)}", rule="one name per node",
                              source=SOURCE)
    base = int(net.network_address)

    def host(h):
        return str(ipaddress.IPv4Address(base + h)) if 0 <= h < net.num_addresses else f"beyond {net}"

    cname = cluster_name or default_cluster_name(nodes)
    entries = [PlanEntry(cname, host(cluster_host), PlanRole.CLUSTER, service="Cluster Manager")]
    k = 0
    for i, n in enumerate(names, start=1):
        entries.append(PlanEntry(n, host(step * i), PlanRole.NODE))
        for j in range(1, virtual_servers_per_node + 1):
            k += 1
            vs = f"{vs_prefix}{k}"
            entries.append(PlanEntry(vs, host(step * i + j), PlanRole.VIRTUAL_SERVER, node=n,
                                     service=f"VS{k}-NAME={vs}"))
    plan = NamingPlan(str(net), tuple(entries))
    require(check_naming(plan), what="naming plan")
    return plan


def _v(rule, message, subject=None) -> Violation:
    return Violation(rule, message, RULES[rule][1], subject)


def check_naming(plan: NamingPlan) -> list[Violation]:
    """Every naming and addressing rule ``plan`` breaks (Table 10 and MSCS).

    >>> bad = NamingPlan("10.0.0.0/24", [PlanEntry("CLUSTER", "10.0.0.100", "cluster"),
    ...                                   PlanEntry("NODE1", "DHCP", "node"),
    ...                                   PlanEntry("EXCHANGE-VIRTUAL-1", "10.0.1.11", "virtual server")])
    >>> [v.rule for v in check_naming(bad)]
    ['static-addresses', 'netbios-names', 'one-subnet']
    """
    if not isinstance(plan, NamingPlan):
        raise ValidationError(f"check_naming() takes a NamingPlan, not {plan!r}", rule="a plan is checked",
                              source=SOURCE)
    found: list[Violation] = []
    try:
        net = ipaddress.IPv4Network(plan.subnet, strict=True)
    except (ValueError, TypeError):
        net = None
        found.append(_v("one-subnet", f"{plan.subnet!r} is not a subnet like 132.192.1.0/24"))
    by_ip: dict[str, list[str]] = {}
    for e in plan.entries:
        try:
            check_netbios_name(e.name, f"{e.role} name")
        except LabkitError as err:
            found.append(_v("netbios-names", err.detail, e.name))
        try:
            ip = check_static_ip(e.ip, f"address of {e.name}")
        except ConfigurationError as err:
            found.append(_v("static-addresses", err.detail, e.name))
            continue
        except LabkitError as err:
            found.append(_v("valid-address", err.detail, e.name))
            continue
        by_ip.setdefault(ip, []).append(e.name)
        if net is not None:
            addr = ipaddress.IPv4Address(ip)
            if addr not in net:
                found.append(_v("one-subnet", f"{ip} is outside {net}", e.name))
            elif net.prefixlen < 31 and addr in (net.network_address, net.broadcast_address):
                found.append(_v("one-subnet", f"{ip} is the {'network' if addr == net.network_address else 'broadcast'}"
                                              f" address of {net}", e.name))
    for ip, who in by_ip.items():
        if len(who) > 1:
            found.append(_v("unique-addresses", f"used by {', '.join(who)}", ip))
    for name, n in Counter(e.name.upper() for e in plan.entries if isinstance(e.name, str)).items():
        if n > 1:
            found.append(_v("unique-names", f"{name} is used {n} times", name))
    for v in plan.virtual_servers:
        if v.node is not None and v.node not in {n.name for n in plan.nodes}:
            found.append(_v("home-node", f"home node {v.node!r} is not a node of the plan", v.name))
    return found


def require_valid_naming(plan: NamingPlan) -> NamingPlan:
    """Return ``plan`` if :func:`check_naming` finds nothing; otherwise raise ConfigurationError."""
    require(check_naming(plan), what="naming plan")
    return plan


def table10() -> NamingPlan:
    """The paper's Table 10 exactly (4 nodes, FOUR-STOOGES)."""
    return naming_plan(4)


__all__ = ["PlanEntry", "NamingPlan", "RULES", "naming_plan", "check_naming", "require_valid_naming", "table10",
           "default_cluster_name", "default_node_names", "PAPER_NODE_NAMES", "MORE_NODE_NAMES", "PAPER_SUBNET",
           "PAPER_CLUSTER_HOST", "PAPER_STEP"]
