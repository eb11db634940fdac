"""Building the cluster, in the paper's order (Windows 2000 Clustering Installation
Requirements; Installing Exchange 2000 Server; Creating Exchange 2000 Virtual Servers).

1. Domain controllers and global catalogs sit outside the cluster: a node that is also
   a DC or GC gets an :class:`~labkit.procedures.engine.Advisory` (when it goes down,
   Active Directory goes with it and Exchange on the other nodes suffers).
2. Every shared disk is basic, signed and partitioned (dynamic disks are refused with
   the revert-to-basic fix).
3. The first node forms the cluster with the quorum disk (Q: by convention); the
   others join.
4. Exchange 2000 is installed one node at a time, each node restarted before the next
   (``labkit.exchange.install`` refuses two at once).
5. The virtual servers are created (their disks become Physical Disk resources, with
   their signature and type). Setup puts the default storage group -- logs and stores --
   on the one data location it asks for (the plan's database disk); Exchange System
   Manager then moves the logs to the plan's log disk and, when the plan separates it,
   the streaming store to its own disk (``labkit.exchange.move_storage_group_logs`` and
   ``move_database``), before the users are created and the group first comes online,
   so nothing is dismounted (paper, Design Storage Before Configuring the Cluster).
   Then the groups come online and the possible owners are audited.

>>> plan = ClusterPlan("LAB", "10.0.0.100", "Advanced Server",
...     nodes=[NodePlan("A", "10.0.0.1"), NodePlan("B", "10.0.0.2", roles=("DC",))],
...     disks=[SharedDisk("Disk Q:", "Q:", signature="0000AAAA", partitions=1),
...            SharedDisk("Disk E:", "E:", signature="0000BBBB", partitions=1)],
...     virtual_servers=[VirtualServerPlan("EXVS1", "10.0.0.11", "A", ("Disk E:",))])
>>> report = build_cluster(plan).run()
>>> report.complete, report.advisories[0].rule
(True, 'keep domain controllers and global catalog servers outside the cluster')
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..cluster import EDITIONS, Cluster
from ..cluster.model import GroupState
from ..values import show
from ..errors import ConfigurationError, LimitError, ProcedureError, ValidationError
from .assumptions import pick
from .audit import audit_possible_owners
from .disks import check_shared_disk
from .engine import Advisory, Procedure, Step, before_start, wait
from .state import SharedDisk, state
from .steps import bring_online, install_exchange, require_back, require_online

SRC_REQ = "paper, Windows 2000 Clustering Installation Requirements"
SRC_INSTALL = "paper, Installing Exchange 2000 Server"
SRC_CREATE = "paper, Creating Exchange 2000 Virtual Servers"
RULE_DC = "keep domain controllers and global catalog servers outside the cluster"
SRC_DESIGN = "paper, Design Storage Before Configuring the Cluster; Creating Exchange 2000 Virtual Servers"
SRC_DISKS_SA = "paper, Adding the System Attendant Resource (only the disks it depends on are available)"


@dataclass(frozen=True)
class NodePlan:
    """A node to build: name, static address, and other roles it has ("DC", "GC")."""

    name: str
    ip: str
    roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class VirtualServerPlan:
    """An Exchange virtual server to create: name (its Network Name), address, the node
    it prefers, its disks and mailboxes -- and where its files go (the storage design):

    - ``disks[0]``: the database disk, the one data location setup asks for; the default
      storage group's stores stay there.
    - ``log_disk``: the disk for the default storage group's transaction logs; default:
      the second disk when there are two or more (Table 9 pairs a database array with
      a log array) [D], else the database disk.
    - ``stm_disk``: the disk for the mailbox store's streaming file (.STM); default: with
      the .EDB on the database disk.
    """

    name: str
    ip: str
    node: str
    disks: tuple[str, ...]
    mailboxes: int = 0
    log_disk: str | None = None
    stm_disk: str | None = None

    @property
    def logs_on(self) -> str | None:
        """The disk the plan gives the transaction logs."""
        if self.log_disk is not None:
            return self.log_disk
        return self.disks[1] if len(self.disks) > 1 else (self.disks[0] if self.disks else None)


@dataclass
class ClusterPlan:
    """Everything the build needs: the cluster's name, address and edition, its nodes in
    order (the first forms the cluster), the disks on the shared bus (one of them the
    quorum disk), the virtual servers, and the domain controllers outside the cluster."""

    name: str
    ip: str
    edition: str = "Datacenter"
    nodes: list[NodePlan] = field(default_factory=list)
    disks: list[SharedDisk] = field(default_factory=list)
    virtual_servers: list[VirtualServerPlan] = field(default_factory=list)
    quorum_drive: str = "Q:"
    domain_controllers: list[str] = field(default_factory=lambda: ["DC1", "DC2"])

    @property
    def quorum_disk(self) -> str:
        return f"Disk {self.quorum_drive}"


def _mailbox_store(v: VirtualServerPlan) -> str:
    """Setup's default mailbox store of the planned virtual server."""
    return f"Mailbox Store ({v.name.upper()})"


def domain_controller_advisories(plan: ClusterPlan) -> list[Advisory]:
    """Advisories for nodes that are also domain controllers or global catalogs, and for
    a plan without any outside the cluster (paper, Windows 2000 Clustering Installation
    Requirements).

    >>> [a.text[:22] for a in domain_controller_advisories(ClusterPlan("X", "10.0.0.1",
    ...      nodes=[NodePlan("A", "10.0.0.2", ("DC", "GC"))], domain_controllers=[]))]
    ['A is also a domain con', 'no domain controller o']
    """
    _check_plan(plan)
    out = []
    for n in plan.nodes:
        roles = [{"DC": "domain controller", "GC": "global catalog server"}[r] for r in n.roles]
        if roles:
            out.append(Advisory(
                f"{n.name} is also a {' and '.join(roles)}: when it goes down, Active Directory goes with it and "
                "Exchange on the other nodes is affected; use one or two servers outside the cluster",
                rule=RULE_DC, source=SRC_REQ))
    if not plan.domain_controllers:
        out.append(Advisory("no domain controller or global catalog outside the cluster is planned",
                            rule=RULE_DC, source=SRC_REQ))
    return out


def _check_plan(plan) -> None:
    if not isinstance(plan, ClusterPlan):
        raise ValidationError(f"build_cluster takes a ClusterPlan, not {show(plan)}", rule="a build follows a plan")
    if not plan.nodes or not all(isinstance(n, NodePlan) for n in plan.nodes):
        raise ValidationError("a plan lists its nodes as NodePlan objects", rule="a cluster has nodes")
    for n in plan.nodes:
        bad = [r for r in n.roles if r not in ("DC", "GC")]
        if bad:
            raise ValidationError(f"node roles are 'DC' and 'GC', not {bad}", rule="roles are DC or GC")
    if not all(isinstance(d, SharedDisk) for d in plan.disks):
        raise ValidationError("a plan lists its disks as SharedDisk objects", rule="disks are on the shared bus")
    if not all(isinstance(v, VirtualServerPlan) for v in plan.virtual_servers):
        raise ValidationError("a plan lists its virtual servers as VirtualServerPlan objects",
                              rule="virtual servers are planned")
    for v in plan.virtual_servers:
        if isinstance(v.disks, str) or not isinstance(v.disks, (list, tuple)) or not v.disks \
                or not all(isinstance(d, str) and d for d in v.disks):
            raise ValidationError(f"{v.name}'s disks are a non-empty list of disk names, not {show(v.disks)}",
                                  rule="an Exchange virtual server has at least one disk resource",
                                  source="paper, Design Storage Before Configuring the Cluster; Table 7")
        for what, d in (("log disk", v.log_disk), ("streaming store disk", v.stm_disk)):
            if d is not None and d not in v.disks:
                raise ConfigurationError(f"{v.name}'s {what} {show(d)} is not one of its disks {list(v.disks)}",
                                         rule="Exchange files sit only on the disks the System Attendant depends on",
                                         source=SRC_DISKS_SA)
    limit = EDITIONS.get(plan.edition)
    if limit is not None and len(plan.nodes) > limit:
        raise LimitError(f"{plan.edition} clusters have at most {limit} nodes; the plan has {len(plan.nodes)}",
                         rule="edition node limit", source=SRC_REQ)


class _BuildClusterSteps:
    """The steps of :func:`build_cluster`, one method each; the values they share are attributes."""

    def __init__(self, env: dict):
        self.__dict__.update(env)

    def dcs(self, p):
        plan = self.plan
        p.advisories.extend(domain_controller_advisories(plan))
        return f"{len(p.advisories)} advisory(ies)"

    def disks(self, p):
        plan = self.plan
        s = state(p.cluster)
        if plan.quorum_disk not in s.disks:
            raise ConfigurationError(f"no shared disk {show(plan.quorum_disk)} for the quorum",
                                     rule="the quorum resource must be established to create the cluster",
                                     source=SRC_REQ)
        for name in s.disks:
            check_shared_disk(p.cluster, name)
        q = s.disks[plan.quorum_disk]
        if q.drive != plan.quorum_drive:
            raise ConfigurationError(f"the quorum disk's partition is {q.drive}, not {plan.quorum_drive}",
                                     rule="the quorum disk carries the quorum drive letter", source=SRC_REQ)
        if plan.quorum_drive != "Q:":
            p.advisories.append(Advisory(f"the quorum disk is {plan.quorum_drive}; Q: is the convention",
                                         rule="identify the Q: drive as the quorum disk", source=SRC_REQ))
        return f"{len(s.disks)} disks basic, signed and partitioned"

    def form(self, p):
        plan = self.plan
        n = plan.nodes[0]
        p.cluster.add_node(n.name, ip=n.ip)
        wait(p.cluster)
        return f"quorum disk {plan.quorum_drive} on {p.cluster.quorum_owner}"

    def formed(self, p):
        if not p.cluster.running or p.cluster.groups[p.cluster.cluster_group].state is not GroupState.ONLINE:
            raise ProcedureError("the Cluster Group is not online", rule="have an operational cluster before going on",
                                 source=SRC_REQ)

    def join(self, n):
        def act(p):
            p.cluster.add_node(n.name, ip=n.ip)
            wait(p.cluster)
            return f"node id {p.cluster.nodes[n.name].id}"
        return act

    def setup(self, n):
        a = self.a
        def act(p):
            install_exchange(p.cluster, n.name, a, restart=False)
            return "binaries on the local disk; the node restarts"
        return act

    def restart(self, n):
        def act(p):
            wait(p.cluster)
            return f"{n.name} is {p.cluster.nodes[n.name].state}"

        def verify(p):
            require_back(p.cluster, n.name, rule="restart the node after installing Exchange 2000 before proceeding",
                         source=SRC_INSTALL)
        return act, verify

    def create(self, v):
        ex = self.ex
        def act(p):
            c = p.cluster
            s = state(c)
            for d in v.disks:
                if d not in s.disks:
                    raise ConfigurationError(f"{v.name} uses disk {show(d)}, which is not on the shared bus",
                                             rule="virtual servers use shared disks", source=SRC_CREATE)
            c.add_group(v.name, preferred_owners=[v.node])
            if c.groups[v.name].owner != v.node:
                c.move_group(v.name, v.node)
            for d in v.disks:
                sd = s.disks[d]
                c.add_resource(d, type="Physical Disk", group=v.name, drive=sd.drive, disk_type=sd.disk_type,
                               signature=sd.signature)
            ex.create_virtual_server(c, v.name, ip=v.ip, disks=list(v.disks), node=v.node, group=v.name)
            # Exchange System Manager: the files to the disks the design gives them, before any user exists
            moved = []
            if v.logs_on != v.disks[0]:
                ex.move_storage_group_logs(c, v.name, ex.FIRST_SG, v.logs_on)
                moved.append(f"logs on {v.logs_on}")
            if v.stm_disk is not None and v.stm_disk != v.disks[0]:
                ex.move_database(c, v.name, ex.FIRST_SG, _mailbox_store(v), stm_disk=v.stm_disk)
                moved.append(f".STM on {v.stm_disk}")
            if v.mailboxes:
                ex.add_mailboxes(c, v.name, _mailbox_store(v), v.mailboxes)
            return (f"{len(c.groups[v.name].resources)} resources in group {v.name}; stores on {v.disks[0]}"
                    + "".join(f", {m}" for m in moved))

        def verify(p):
            rows = [r for r in ex.layout(p.cluster, v.name) if r["storage_group"] == ex.FIRST_SG]
            box = next(r for r in rows if r["database"] == _mailbox_store(v))
            want = (v.logs_on, v.disks[0], v.stm_disk or v.disks[0])
            have = (box["log_disk"], box["edb_disk"], box["stm_disk"])
            if have != want:
                raise ProcedureError(f"{v.name}'s logs, .EDB and .STM are on {have}, the design says {want}",
                                     rule="the built virtual server follows its storage design", source=SRC_DESIGN)
        return act, verify

    def online(self, p):
        plan = self.plan
        return bring_online(p.cluster, [v.name for v in plan.virtual_servers])

    def all_online(self, p):
        plan = self.plan
        require_online(p.cluster, [v.name for v in plan.virtual_servers], rule="bring the resource group online",
                       source=SRC_CREATE)

    def audit(self, p):
        au = audit_possible_owners(p.cluster)
        if not au.ok:
            raise ProcedureError(f"{len(au.findings)} resources miss Exchange nodes among their possible owners",
                                 rule="every node running Exchange is a possible owner",
                                 source="paper, Resource Ownership and Failover")
        return "every resource lists every Exchange node"


def build_cluster(plan: ClusterPlan, *, assumptions=None) -> Procedure:
    """The build as a procedure; its cluster (``procedure.cluster``) starts with no node."""
    from .. import exchange as ex
    title = f"Build cluster {getattr(plan, 'name', '?')}"
    a = before_start(title, SRC_REQ, pick, assumptions)
    before_start(title, SRC_REQ, _check_plan, plan)
    c = before_start(title, SRC_REQ, Cluster, plan.name, ip=plan.ip, edition=plan.edition,
                     quorum_disk=plan.quorum_disk, quorum_drive=plan.quorum_drive)
    shelf = state(c, create=True)
    for d in plan.disks:
        shelf.disks[d.name] = replace(d)
    do = _BuildClusterSteps(dict(a=a, ex=ex, plan=plan))
    steps = [Step("check where the domain controllers are", do.dcs, source=SRC_REQ),
             Step("check the shared disks are basic, signed and partitioned", do.disks, source=SRC_REQ),
             Step(f"form the cluster on {plan.nodes[0].name}", do.form, verify=do.formed, source=SRC_REQ)]
    steps += [Step(f"join {n.name}", do.join(n), source=SRC_REQ) for n in plan.nodes[1:]]
    for n in plan.nodes:
        act, verify = do.restart(n)
        steps += [Step(f"run Exchange 2000 setup on {n.name}", do.setup(n), source=SRC_INSTALL),
                  Step(f"restart {n.name} after setup", act, verify=verify, source=SRC_INSTALL)]
    for v in plan.virtual_servers:
        act, verify = do.create(v)
        steps += [Step(f"create virtual server {v.name}", act, verify=verify, source=f"{SRC_CREATE}; {SRC_DESIGN}")]
    if plan.virtual_servers:
        steps += [Step("bring the virtual servers online", do.online, verify=do.all_online, source=SRC_CREATE)]
    steps += [Step("audit the possible owners", do.audit, source="paper, Resource Ownership and Failover")]
    return Procedure(title, c, steps, source=SRC_REQ, params={"plan": plan},
                     rebuild=lambda cs: build_cluster(plan, assumptions=a))
