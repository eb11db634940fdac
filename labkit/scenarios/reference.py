"""Reference clusters, built through the public API in the paper's order.

- :func:`four_node_5000` -- the paper's 4-node, 5,000-user cluster (Figure 7,
  Tables 9 and 10): FOUR-STOOGES, nodes 1-CURLY ... 4-JERRY, one virtual server
  (EXVS1 ... EXVS4) with one storage group of 1,250 users per node, on the shared
  storage of Table 9 with its labels corrected.
- :func:`two_node_active_passive_55` -- Exchange 5.5 on two nodes, the
  active/passive (N+1) cluster the paper compares against.
- :func:`flawed_design` -- a 4-node design with the mistakes the paper warns
  about, for learners to find (:func:`flaws`) and fix; :func:`fixed_design` is
  the same workload done right.
- :func:`exchange_cluster` -- the same recipe for any node count, user count and
  load strategy (e.g. 16 nodes and 32 virtual servers for the N-k benchmark).

Each build follows the paper's order: the cluster and its nodes; Exchange 2000
installed on one node at a time, each restarted before the next ("Installing
Exchange 2000 Server"); then, per virtual server, its group with its Physical
Disks, IP Address, Network Name and System Attendant ("Creating Exchange 2000
Virtual Servers", here :func:`labkit.exchange.create_virtual_server`), with
the database array as its one data location; Exchange System Manager moving the
default storage group's logs to the log array ("Design Storage Before Configuring
the Cluster", :func:`labkit.exchange.move_storage_group_logs`); the other storage
groups with their logs on their log arrays and their mailbox stores on their
database arrays; the mailboxes ("Creating New Users"); the preferred owners of the
load strategy ("Cluster Load Planning"); the groups online; the model run until
stable. Builds are deterministic (``seed``) and take milliseconds.

Choices the paper leaves open [D]:

- each Physical Disk resource is named after its Table 9 array
  ("VS1-SG1 LOG Device"); the quorum is the core's "Disk Q:" on Q: (the paper's
  best practice). Drive letters: database arrays E: F: G: ..., log arrays
  L: M: N: ..., then R: to Z:; disks beyond the letters get none.
- MSCS setup would first put each shared disk into a "Disk Group"; the kit has no
  command to move a resource between groups, so each disk is created in its
  virtual server's group.
- The design's "SG1" is Exchange's default "First Storage Group", and its
  "Mailbox Store" is setup's default "Mailbox Store (EXVSn)", which holds its users.
  Setup asks for one data location and puts the default storage group -- logs,
  mailbox store and, in EXVS1, the cluster's public store -- there; the kit gives
  it SG1's database array, then moves the logs to the log array (and a streaming
  store to its own array, when the design separates it). So no log array holds a
  database (Table 8) and no empty default store is left behind. The paper moves
  files once the group is online; the kit moves them before the store first
  mounts, so nothing is dismounted -- the same end state.
- Further storage groups get one mailbox store each, "Mailbox Store SGn (EXVSn)"
  (:func:`mailbox_store_name`).

>>> c = four_node_5000()
>>> [(g, c.groups[g].owner, str(c.groups[g].state)) for g in ("EXVS1", "EXVS4")]
[('EXVS1', '1-CURLY', 'Online'), ('EXVS4', '4-JERRY', 'Online')]
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from .. import exchange as ex
from ..cluster.cluster import Cluster
from ..errors import ValidationError
from ..planning.findings import Violation, as_tuple
from ..planning.load import LoadPlan, Strategy, VirtualServerPlan, plan_load, split
from ..planning.naming import (PAPER_CLUSTER_HOST, PAPER_STEP, NamingPlan, PlanEntry, PlanRole, default_cluster_name,
                              default_node_names, naming_plan, require_valid_naming, table10)
from ..planning.nk import check_failover, check_possible_owners
from ..planning.storage import DEFAULT_DATABASE, TABLE9_USERS, Role, StorageDesign, database, logs, plan_storage, table9
from ..planning.storage_rules import check as check_storage
from .file_share import smallest_edition

SRC_FIG7 = "paper, Figure 7 and Tables 9 and 10 (4-node cluster for 5,000 users)"
#: Drive letters [D]: database arrays, then log arrays, then the rest (Q: is the quorum).
DATABASE_DRIVES = "EFGHIJK"
LOG_DRIVES = "LMNOP"
OTHER_DRIVES = "RSTUVWXYZ"
FIRST_SG = ex.FIRST_SG


def mailbox_store_name(virtual_server: str, storage_group: str) -> str:
    """The mailbox store :func:`build` creates for the users of a design storage group
    after the first (the first's users live in setup's default "Mailbox Store (EXVSn)").

    >>> mailbox_store_name("EXVS1", "SG1")
    'Mailbox Store SG1 (EXVS1)'
    """
    return f"Mailbox Store {storage_group} ({virtual_server})"


@dataclass
class Scenario:
    """A built cluster with the plans it was built from: the naming and IP plan
    (Table 10), the shared-storage design (Tables 8 and 9) and the load plan
    ("Cluster Load Planning"), plus notes on the choices made."""

    name: str
    cluster: Cluster
    naming: NamingPlan
    storage: StorageDesign | None
    plan: LoadPlan
    notes: tuple = ()
    #: virtual server -> {design storage group -> {"logs": disk, "databases": (disks...)}}
    disks: dict = field(default_factory=dict)

    def flaws(self, k: int = 2) -> list[Violation]:
        """Everything wrong with the design (see :func:`flaws`)."""
        return flaws(self, k=k)


# ----------------------------------------------------------------------------- the recipe
def _drive_letters(storage: StorageDesign) -> dict:
    pools = {"db": list(DATABASE_DRIVES), "log": list(LOG_DRIVES)}
    other = list(OTHER_DRIVES)
    out = {}
    for a in storage.arrays:
        if Role.QUORUM in a.roles:
            continue
        pool = pools["log"] if a.roles == {Role.LOGS} else pools["db"]
        src = pool if pool else other
        out[a.label] = (src.pop(0) + ":") if src else None
    return out


def _layout(storage: StorageDesign, vs: str) -> dict:
    """design storage group -> {"logs": label, "databases": [(database, edb label, stm label)]}"""
    out: dict = {}
    for a in storage.arrays:
        for c in a.holds:
            if c.virtual_server != vs:
                continue
            sg = out.setdefault(c.storage_group, {"logs": None, "databases": {}})
            if c.role is Role.LOGS:
                sg["logs"] = sg["logs"] or a.label
            else:
                edb, stm = sg["databases"].get(c.database, (None, None))
                if c.role in (Role.DATABASE, Role.EDB):
                    edb = edb or a.label
                if c.role in (Role.DATABASE, Role.STM):
                    stm = stm or a.label
                sg["databases"][c.database] = (edb, stm)
    return out


def _data_location(sg_layout: dict) -> str | None:
    """The array setup gets as a virtual server's one data location: where the design
    puts the first storage group's default store (else its first database, else its logs)."""
    dbs = sg_layout["databases"]
    edb, stm = dbs.get(DEFAULT_DATABASE) or next(iter(dbs.values()), (None, None))
    return edb or stm or sg_layout["logs"]


def _build_arguments(naming, storage, plan, late_nodes) -> tuple:
    """:func:`build`'s plans checked; the late nodes as a tuple."""
    for what, obj, cls in (("naming", naming, NamingPlan), ("storage", storage, StorageDesign),
                           ("plan", plan, LoadPlan)):
        if not isinstance(obj, cls):
            raise ValidationError(f"{what} must be a {cls.__name__}, not {obj!r}",
                                  rule="a cluster is built from its naming, storage and load plans",
                                  source="labkit.scenarios")
    late = tuple(as_tuple(late_nodes, "late nodes"))
    if any(n not in plan.nodes for n in late):
        raise ValidationError(f"late nodes {late} must be nodes of the plan", rule="late nodes are cluster nodes",
                              source="labkit.scenarios")
    return late


def _build_virtual_server(c: Cluster, naming: NamingPlan, storage: StorageDesign, letters: dict, v) -> dict:
    """One planned virtual server built on ``c``: its group with its disks, the virtual
    server, its logs moved to their array, its storage groups, stores and mailboxes.
    Returns its design storage groups' disks (``Scenario.disks``)."""
    lay = _layout(storage, v.name)
    if not lay:
        raise ValidationError(f"the storage design has no arrays for {v.name}",
                              rule="every virtual server has its arrays", source="paper, Table 9")
    sgs = list(lay)
    first = lay[sgs[0]]
    data = _data_location(first)
    labels = [data] if data else []
    for sg in sgs:
        for lab in [lay[sg]["logs"], *(x for pair in lay[sg]["databases"].values() for x in pair)]:
            if lab and lab not in labels:
                labels.append(lab)
    c.add_group(v.name)                            # the group and its disks
    for lab in labels:
        drive = letters.get(lab)
        c.add_resource(lab, type="Physical Disk", group=v.name, **({"drive": drive} if drive else {}))
    # IP Address, Network Name, then the System Attendant, which creates the rest (Table 7);
    # the one data location setup asks for is the first storage group's database array
    ex.create_virtual_server(c, v.name, ip=naming.address_of(v.name), disks=labels, group=v.name)
    data = labels[0]
    if first["logs"] and first["logs"] != data:    # Exchange System Manager: the logs to their array
        ex.move_storage_group_logs(c, v.name, FIRST_SG, first["logs"])
    _fill_storage_groups(c, v, lay, data)
    return {sg: {"logs": lay[sg]["logs"], "databases": tuple(
        dict.fromkeys(x for pair in lay[sg]["databases"].values() for x in pair if x))} for sg in sgs}


def _fill_storage_groups(c: Cluster, v, lay: dict, data: str) -> None:
    """The storage groups of virtual server ``v`` (the first is setup's), their stores
    and the users shared evenly over them."""
    sgs = list(lay)
    default = next(db.name for db in ex.virtual_server(c, v.name).storage_groups[FIRST_SG].databases.values()
                   if db.kind is ex.DatabaseKind.MAILBOX)
    per_sg = split(v.users, len(sgs))
    for i, sg in enumerate(sgs):                   # storage groups, stores, mailboxes
        ex_sg = FIRST_SG if i == 0 else sg
        if i > 0:
            ex.add_storage_group(c, v.name, ex_sg, log_disk=lay[sg]["logs"] or data)
        dbs = list(lay[sg]["databases"].items())
        for j, (db, (edb, stm)) in enumerate(dbs):
            if i == 0 and db == DEFAULT_DATABASE:  # setup's default store, on the data location
                store = default
                if (edb or data) != data or (stm or data) != data:
                    ex.move_database(c, v.name, FIRST_SG, store, edb_disk=edb, stm_disk=stm)
            else:
                store = mailbox_store_name(v.name, sg) if db == DEFAULT_DATABASE else f"{db} ({v.name})"
                ex.add_database(c, v.name, ex_sg, store, edb_disk=edb, stm_disk=stm)
            share = split(per_sg[i], len(dbs))[j]
            if share:
                ex.add_mailboxes(c, v.name, store, share)


def build(naming: NamingPlan, storage: StorageDesign, plan: LoadPlan, *, edition: str | None = None, seed: int = 0,
          late_nodes=(), online: bool = True, name: str = "scenario", notes=()) -> Scenario:
    """Build an Exchange 2000 cluster from the three plans, in the paper's order.

    Nodes are those of ``plan`` (named and addressed by ``naming``); each planned
    virtual server gets the arrays ``storage`` gives it, its storage groups (the
    first is setup's "First Storage Group" with its default mailbox store, created
    on the first database array, its logs then moved to the first log array) with
    one mailbox store each, its users shared evenly over them, and its preferred owners.
    ``late_nodes`` join -- and get Exchange -- only after the virtual servers exist,
    so they are missing from their possible owners (paper, Resource Ownership and
    Failover). With ``online`` the groups come online on their home nodes.
    """

    late = _build_arguments(naming, storage, plan, late_nodes)
    if edition is None:
        edition = smallest_edition(len(plan.nodes))
    cl = naming.cluster
    c = Cluster(cl.name, ip=cl.ip, edition=edition, seed=seed)
    early = [n for n in plan.nodes if n not in late]
    for n in early:                                    # the cluster and its nodes
        c.add_node(n, ip=naming.address_of(n))
    c.run_until_stable()
    for n in early:                                    # Exchange, one node at a time, each restarted
        ex.install(c, n)
        c.run_until_stable()
    letters = _drive_letters(storage)
    disks = {v.name: _build_virtual_server(c, naming, storage, letters, v) for v in plan.virtual_servers}
    plan.apply(c)                                      # preferred owners of the load strategy
    for n in late:                                     # a node that joins too late
        c.add_node(n, ip=naming.address_of(n))
        c.run_until_stable()
        ex.install(c, n)
        c.run_until_stable()
    if online:
        for v in plan.virtual_servers:
            c.online_group(v.group_name, v.home)
        c.run_until_stable()
    return Scenario(name, c, naming, storage, plan, tuple(notes), disks)


def _naming_for(nodes: int, virtual_servers_per_node: int) -> NamingPlan:
    """Table 10's scheme while it fits one /24 (node *n* at .n0, its virtual servers at
    .n1, .n2 ..., the cluster at .100); beyond that the same idea one octet up [D]:
    node *n* at 132.192.n.10, its virtual servers at 132.192.n.11 ..., the cluster at
    132.192.0.100 in 132.192.0.0/16."""
    if nodes * PAPER_STEP + virtual_servers_per_node < PAPER_CLUSTER_HOST:
        return naming_plan(nodes, virtual_servers_per_node=virtual_servers_per_node)
    entries = [PlanEntry(default_cluster_name(nodes), "132.192.0.100", PlanRole.CLUSTER, service="Cluster Manager")]
    k = 0
    for i, name in enumerate(default_node_names(nodes), start=1):
        entries.append(PlanEntry(name, f"132.192.{i}.10", PlanRole.NODE))
        for j in range(1, virtual_servers_per_node + 1):
            k += 1
            entries.append(PlanEntry(f"EXVS{k}", f"132.192.{i}.{10 + j}", PlanRole.VIRTUAL_SERVER, node=name,
                                     service=f"VS{k}-NAME=EXVS{k}"))
    return require_valid_naming(NamingPlan("132.192.0.0/16", tuple(entries)))


# ---------------------------------------------------------------------------- the scenarios
REFERENCE_STRATEGIES = (Strategy.BALANCED, Strategy.ALL_NODES)


def reference_5000(strategy="balanced", *, seed: int = 0, online: bool = True) -> Scenario:
    """:func:`four_node_5000` with its plans (see there)."""
    s = Strategy.parse(strategy)
    if s not in REFERENCE_STRATEGIES:
        raise ValidationError(f"Figure 7 runs a virtual server on every node, so it uses "
                              f"{' or '.join(str(x) for x in REFERENCE_STRATEGIES)}, not {s}; build the "
                              "standby layouts with exchange_cluster(4, 5000, strategy)",
                              rule="one virtual server per node leaves no node idle", source=SRC_FIG7)
    naming = table10()
    storage = table9()
    plan = plan_load(s, tuple(n.name for n in naming.nodes), TABLE9_USERS)
    notes = (
        "Datacenter edition: 4-node Exchange 2000 clusters need Windows 2000 Datacenter Server and a later "
        "Exchange 2000 service pack (paper, note after Table 8).",
        "Table 9's database arrays are all labelled VS1-SG1 in the paper; here VS1-SG1 ... VS4-SG1.",
        f"Load strategy: {s}.",
    )
    return build(naming, storage, plan, edition="Datacenter", seed=seed, online=online,
                 name="4-node 5,000-user cluster (Figure 7)", notes=notes)


def four_node_5000(strategy="balanced", *, seed: int = 0, online: bool = True) -> Cluster:
    """The paper's 4-node, 5,000-user Exchange 2000 cluster (Figure 7, Tables 9, 10).

    FOUR-STOOGES (132.192.1.100, Datacenter), nodes 1-CURLY ... 4-JERRY (.10 ... .40),
    virtual servers EXVS1 ... EXVS4 (.11 ... .41), one per node, each with one
    storage group of 1,250 users: its logs on its RAID 1 "VSn-SG1 LOG Device" and its
    mailbox store on its RAID 0+1 "VSn-SG1 Database Device" (Table 9, labels
    corrected), both Physical Disks of its group. Preferred owners follow
    ``strategy``: "balanced" (cascading, the default) or "all nodes". Online and
    stable. See :func:`reference_5000` for the plans it is built from.

    >>> c = four_node_5000()
    >>> c.name, c.edition, c.nodes["3-LARRY"].ip, c.groups["EXVS3"].preferred_owners
    ('FOUR-STOOGES', 'Datacenter', '132.192.1.30', ['3-LARRY', '4-JERRY', '1-CURLY', '2-MOE'])
    """
    return reference_5000(strategy, seed=seed, online=online).cluster


def exchange_cluster(nodes: int, users: int, strategy="balanced", *, virtual_servers_per_node: int = 1,
                     storage_groups_per_server: int = 1, standby: int = 1, edition: str | None = None,
                     seed: int = 0, online: bool = True) -> Scenario:
    """An Exchange 2000 cluster of ``nodes`` nodes for ``users`` users laid out by a
    load strategy, with storage sized by :func:`labkit.planning.plan_storage` and
    names by the Table 10 scheme (edition: Advanced Server up to 2 nodes,
    Datacenter up to 4, else "Modern" for scale experiments).

    >>> s = exchange_cluster(4, 5000, "active/passive")
    >>> [(v, s.cluster.groups[v].owner) for v in ("EXVS1", "EXVS3")], s.plan.standby
    ([('EXVS1', '1-CURLY'), ('EXVS3', '3-LARRY')], ('4-JERRY',))
    """
    s = Strategy.parse(strategy)
    v_per = virtual_servers_per_node
    plan = plan_load(s, nodes, users, virtual_servers_per_node=v_per, storage_groups_per_server=storage_groups_per_server,
                     standby=standby)
    active = len(plan.nodes) - len(plan.standby)
    naming = _naming_for(len(plan.nodes), v_per)
    storage = plan_storage(users, active, virtual_servers_per_node=v_per,
                           storage_groups_per_server=storage_groups_per_server,
                           virtual_servers=[v.name for v in plan.virtual_servers])
    return build(naming, storage, plan, edition=edition, seed=seed, online=online,
                 name=f"{len(plan.nodes)} nodes, {users} users, {s}", notes=(f"Load strategy: {s}.",))


def two_node_active_passive_55(users: int = 1000, *, seed: int = 0) -> Cluster:
    """Exchange 5.5 on a 2-node Advanced Server cluster: one virtual server, EXVS1
    (132.192.1.11), active on 1-CURLY with 2-MOE idle as its standby -- the N+1
    layout that was the only one Exchange 5.5 supported (paper, Maximum Load --
    Standby Node; Clustering Support for Exchange 5.5). Its services are Generic
    Service resources on the shared disk E: (:mod:`labkit.exchange.e55`). Names
    follow Table 10's scheme for two nodes; ``users`` mailboxes (1,000 [D]).

    >>> c = two_node_active_passive_55()
    >>> c.groups["EXVS1"].owner, c.groups["EXVS1"].preferred_owners, str(c.groups["EXVS1"].state)
    ('1-CURLY', ['1-CURLY', '2-MOE'], 'Online')
    """
    from ..exchange import e55

    naming = naming_plan(2)
    c = Cluster(naming.cluster.name, ip=naming.cluster.ip, edition="Advanced Server", seed=seed)
    for n in naming.nodes:
        c.add_node(n.name, ip=n.ip)
    c.run_until_stable()
    plan = plan_load("standby", tuple(n.name for n in naming.nodes), users)
    v = plan.virtual_servers[0]
    e55.create_virtual_server(c, v.name, ip=naming.address_of(v.name), disk="Disk E:", node=v.home)
    if users:
        e55.add_mailboxes(c, users)
    plan.apply(c)
    c.online_group(v.name, v.home)
    c.run_until_stable()
    return c


#: The learner's workload in :func:`flawed_design` and :func:`fixed_design`.
FLAWED_USERS = 5000


def _flawed_storage() -> StorageDesign:
    good = plan_storage(FLAWED_USERS, 2, storage_groups_per_server=3, name="flawed: 2 virtual servers x 3 SGs")
    gone = "VS1-SG3 LOG Device"
    arrays = []
    for a in good.arrays:
        if a.label == gone:
            continue
        if a.label == "VS1-SG3 Database Device":   # the logs of SG3 moved onto its own database array
            a = replace(a, holds=(logs("EXVS1", "SG3"), database("EXVS1", "SG3")))
        arrays.append(a)
    spares = tuple(replace(s, covers=tuple(c for c in s.covers if c != gone)) for s in good.spares)
    return replace(good, arrays=tuple(arrays), spares=spares, name="flawed design")


def flawed_design(*, seed: int = 0) -> Scenario:
    """A deliberately flawed 4-node design for learners to fix (:func:`flaws` lists
    what is wrong; :func:`fixed_design` is one answer).

    The same 5,000 users as Figure 7 on two virtual servers with three storage
    groups each (EXVS1 on 1-CURLY, EXVS2 on 2-MOE, 3-LARRY and 4-JERRY idle), with
    three mistakes:

    1. preferred owners copied from a 2-node cluster -- EXVS1 prefers 1-CURLY then
       2-MOE, EXVS2 the reverse -- so one failure sends three storage groups to a
       node that already mounts three (six > four: the Information Store refuses,
       paper, Balanced Cluster Loading; KB 314266), and some double failures leave a
       virtual server Failed;
    2. EXVS1's third storage group keeps its logs on its own database array (Table 8);
    3. 4-JERRY joined (and got Exchange) after the virtual servers were created, so
       it is a possible owner of none of their resources (paper, Resource Ownership
       and Failover).

    >>> s = flawed_design()
    >>> sorted({v.rule for v in s.flaws(k=1)})
    ['logs-apart-from-databases', 'logs-dedicated', 'possible-owners-complete', 'storage-groups-after-failover']
    """
    naming = table10()
    nodes = tuple(n.name for n in naming.nodes)
    per = [u for u in (FLAWED_USERS // 2, FLAWED_USERS - FLAWED_USERS // 2)]
    plan = LoadPlan(Strategy.CUSTOM, nodes, (
        VirtualServerPlan("EXVS1", "1-CURLY", per[0], 3, ("1-CURLY", "2-MOE")),
        VirtualServerPlan("EXVS2", "2-MOE", per[1], 3, ("2-MOE", "1-CURLY"))), auto_failback=False)
    notes = ("Preferred owners copied from a 2-node cluster: each virtual server's second choice runs the other.",
             "VS1-SG3's transaction logs share the VS1-SG3 Database Device (Table 8: logs on a dedicated array).",
             "4-JERRY joined after the virtual servers were created: it is no possible owner of their resources.")
    return build(naming, _flawed_storage(), plan, edition="Datacenter", seed=seed, late_nodes=("4-JERRY",),
                 name="flawed 4-node design", notes=notes)


def fixed_design(*, seed: int = 0) -> Scenario:
    """The workload of :func:`flawed_design` done right: every node joins and gets
    Exchange before the virtual servers are created; each storage group has its own
    log array; and the two idle nodes are standby nodes -- EXVS1 prefers 1-CURLY,
    3-LARRY, 4-JERRY, 2-MOE and EXVS2 prefers 2-MOE, 4-JERRY, 3-LARRY, 1-CURLY
    (:func:`labkit.planning.plan_load` "standby" with two standby nodes) -- so the
    two never meet on a node after any one or two failures. Three failures can
    still leave one node for both (six storage groups): the paper's Figure 7 design
    (one storage group per node) is the one that survives three.

    >>> s = fixed_design()
    >>> s.flaws(k=2)
    []
    """
    naming = table10()
    plan = plan_load("standby", tuple(n.name for n in naming.nodes), FLAWED_USERS, storage_groups_per_server=3,
                     standby=2, auto_failback=False)
    storage = plan_storage(FLAWED_USERS, 2, storage_groups_per_server=3, name="fixed design")
    notes = ("Every node joins and gets Exchange before any virtual server is created.",
             "Each storage group has its own RAID 1 log array (Table 8).",
             "Two standby nodes, each virtual server cascading through them in a different order.")
    return build(naming, storage, plan, edition="Datacenter", seed=seed, name="fixed 4-node design", notes=notes)


def flaws(scenario, *, k: int = 2, design: StorageDesign | None = None) -> list[Violation]:
    """Everything wrong with a design: the storage rules of Table 8 its design breaks,
    Exchange groups missing a node from their possible owners, and what an N-k
    analysis (every failure of up to ``k`` nodes, through the failover model) shows:
    storage-group refusals and virtual servers that do not run again.

    ``scenario`` is a :class:`Scenario` or a cluster (then pass ``design`` to check
    its storage too).
    """
    if isinstance(scenario, Scenario):
        cluster, design = scenario.cluster, design or scenario.storage
    elif isinstance(scenario, Cluster):
        cluster = scenario
    else:
        raise ValidationError(f"flaws() takes a Scenario or a Cluster, not {scenario!r}",
                              rule="a design is checked", source="labkit.scenarios")
    found: list[Violation] = []
    if design is not None:
        found += check_storage(design)
    found += check_possible_owners(cluster)
    found += check_failover(cluster, k)
    return found


__all__ = ["Scenario", "build", "four_node_5000", "reference_5000", "exchange_cluster", "two_node_active_passive_55",
           "flawed_design", "fixed_design", "flaws", "mailbox_store_name", "REFERENCE_STRATEGIES",
           "DATABASE_DRIVES", "LOG_DRIVES", "OTHER_DRIVES", "FIRST_SG"]
