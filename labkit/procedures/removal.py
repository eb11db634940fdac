"""Removing an Exchange virtual server and the Exchange binaries, in the paper's order
(Removing Exchange Virtual Servers and Binaries from a Cluster).

:func:`remove_virtual_server`: check the cautions first -- the virtual server holding
the cluster's MTA goes only when it is the last one (checked with
``labkit.exchange.check_removal``, so the rule is ``labkit.exchange``'s own and the
group is not taken offline for nothing) -- and report the server's mailboxes; move
them to another virtual server; take the group offline, delete the System Attendant
(its dependents go with it), and check the server is gone from the organisation
(Exchange System Manager).

Mailboxes: the paper's removal section does not mention them, but Exchange does not
delete a mailbox store that still holds mailboxes (Exchange SDK, CDOEXM
``MailboxStoreDB`` delete: it fails while the store contains mailboxes), and deleting
the virtual server's resources would strand its users. So a virtual server is removed
only once its mailboxes are moved [D]: the runbook moves them (Move Mailbox) to
``move_mailboxes_to`` -- a virtual server, or ``(virtual server, store)`` -- by
default to the other online virtual server with the fewest mailboxes, into its
mailbox store on its database disk (:func:`~labkit.procedures.migration.designated_store`);
with no other virtual server to take them (the last one) it refuses at step 1. Moves
take ``mailbox_mb / move_mailbox_mb_s`` seconds a mailbox
(:class:`~labkit.procedures.assumptions.Assumptions`), each user offline while their
own mailbox moves. Each store's mailboxes move with ``labkit.exchange.move_mailboxes``
(Move Mailbox between Exchange 2000 stores: both stores mounted, mailbox stores,
Exchange Full Administrator rights), checked with ``check_mailbox_move`` before the
clock runs for the copy.

:func:`remove_exchange_binaries`: for each node, move the Exchange groups off it, then
run setup's Remove; the Exchange cluster resources (the Exchange resource types) stay
unless it is the last node running Exchange, whose Remove takes them
(``labkit.exchange.uninstall``).

:func:`rebuild_virtual_server`: the MS Search caution -- once a virtual server's
Microsoft Search instance was deleted, the whole virtual server must be re-created for
content indexing to work; this removes it and re-creates it with the same names,
storage groups and mailbox counts.

>>> from labkit.exchange import demo_cluster
>>> c = demo_cluster()
>>> remove_virtual_server(c, "EXVS1").run().complete
True
"""
from __future__ import annotations

from ..cluster.model import GroupState
from ..exchange.model import DatabaseKind
from ..values import show
from ..errors import ConfigurationError, ProcedureError, StateError, ValidationError
from .assumptions import pick
from .engine import Advisory, Procedure, Step, before_start, exchange_groups, need_cluster, wait
from .record import record_configuration, storage_from_record

SRC_REMOVE = "paper, Removing Exchange Virtual Servers and Binaries from a Cluster"
RULE_SEARCH = "deleting a virtual server's MS Search instance means re-creating the whole virtual server"
RULE_MAILBOXES = "a virtual server is removed only once its mailboxes have been moved to another server [D]"
SRC_MAILBOXES = (f"{SRC_REMOVE} (silent on mailboxes); Exchange SDK, CDOEXM MailboxStoreDB delete (fails while the "
                 "store holds mailboxes)")
SRC_MOVE = "Move Mailbox (Active Directory Users and Computers, Exchange Tasks); paper, Mailbox Relocation Strategy"


def move_mailboxes(cluster, evs: str, database: str, to_evs: str, to_database: str, count: int) -> int:
    """Move Mailbox between two stores of the cluster: :func:`labkit.exchange.move_mailboxes`
    (kept here for runbooks that call it from the procedures layer).

    >>> from labkit import exchange as ex
    >>> c = ex.demo_cluster(); _ = ex.add_mailboxes(c, "EXVS1", "Mailbox Store (EXVS1)", 10)
    >>> ex.add_storage_group(c, "EXVS1", "SG2"); ex.add_database(c, "EXVS1", "SG2", "Sales")
    >>> move_mailboxes(c, "EXVS1", "Mailbox Store (EXVS1)", "EXVS1", "Sales", 4)
    6
    """
    from .. import exchange as ex
    need_cluster(cluster)
    return ex.move_mailboxes(cluster, evs, database, to_evs, to_database, count)


def _mailbox_target(cluster, evs: str, target) -> tuple[str, str] | None:
    """Where ``evs``'s mailboxes go: ``target`` (a virtual server, or (virtual server,
    store)), else the other online virtual server with the fewest mailboxes (creation
    order breaks ties) and its designated store; None when there is no other server."""
    from .. import exchange as ex
    from .migration import designated_store
    vs = ex.virtual_server(cluster, evs)
    store = None
    if isinstance(target, (list, tuple)) and len(target) == 2:
        target, store = target
    if target is not None:
        if not isinstance(target, str):
            raise ValidationError(f"move_mailboxes_to is a virtual server or (virtual server, store), not {show(target)}",
                                  rule="mailboxes move to a named store")
        tvs = ex.virtual_server(cluster, target)
        if tvs.name == vs.name:
            raise ConfigurationError(f"{vs.name}'s mailboxes cannot move to {vs.name} itself", rule=RULE_MAILBOXES,
                                     source=SRC_MAILBOXES)
        return tvs.name, designated_store(cluster, tvs.name, store)["database"]
    from ..exchange.model import org as exchange_org
    o = exchange_org(cluster)
    others = [v for v in o.virtual_servers.values() if v.name != vs.name
              and cluster.groups[v.group].state is GroupState.ONLINE]
    if not others:
        return None
    best = min(others, key=lambda v: v.mailboxes)
    return best.name, designated_store(cluster, best.name)["database"]


def _cautions(p, evs: str, delete_group: bool) -> str:
    from .. import exchange as ex
    c = p.cluster
    vs = ex.virtual_server(c, evs)
    # labkit.exchange's own rules (the MTA caution, the group to delete), checked before the
    # next step takes the group offline; nothing changes
    ex.check_removal(c, evs, delete_group=delete_group, assume_offline=True)
    if vs.content_indexing_broken:
        p.advisories.append(Advisory(f"{vs.name}'s Microsoft Search instance was deleted earlier; content indexing "
                                     "was already broken", rule=RULE_SEARCH, source=SRC_REMOVE))
    from ..exchange.model import org as exchange_org
    o = exchange_org(c)
    return "MTA: " + ("this is the last virtual server; its MTA goes with it" if o.mta_server == vs.name
                      else f"kept in {o.mta_server or 'no virtual server'}")


def _target_or_refuse(cluster, vs, target) -> tuple[str, str]:
    where = _mailbox_target(cluster, vs.name, target)
    if where is None:
        raise ConfigurationError(f"{vs.name} holds {vs.mailboxes:,} mailboxes and no other virtual server of "
                                 f"{cluster.name} is online to take them; move them to another Exchange server first",
                                 rule=RULE_MAILBOXES, source=SRC_MAILBOXES)
    return where


class _RemoveVirtualServerSteps:
    """The steps of :func:`remove_virtual_server`, one method each; the values they share are attributes."""

    def __init__(self, env: dict):
        self.__dict__.update(env)

    def cautions(self, p):
        delete_group = self.delete_group
        from .. import exchange as ex
        note = _cautions(p, p.params["evs"], delete_group)
        vs = ex.virtual_server(p.cluster, p.params["evs"])
        if not vs.mailboxes:
            return f"{note}; no mailboxes"
        where = _target_or_refuse(p.cluster, vs, p.params["move_mailboxes_to"])
        return f"{note}; {vs.mailboxes:,} mailboxes, to move to {where[0]} ({show(where[1])})"

    def move(self, p):
        a = self.a
        from .. import exchange as ex
        c = p.cluster
        vs = ex.virtual_server(c, p.params["evs"])
        if not vs.mailboxes:
            return "no mailbox to move"
        to_evs, to_db = _target_or_refuse(c, vs, p.params["move_mailboxes_to"])     # params may have changed
        dbs = [(db.name, db.mailboxes) for db in vs.databases() if db.kind is DatabaseKind.MAILBOX and db.mailboxes]
        for name, n in dbs:                       # refused before the clock runs (a store not mounted...)
            ex.check_mailbox_move(c, vs.name, name, to_evs, to_db, n)
        total = sum(n for _, n in dbs)
        secs = total * a.mailbox_mb / a.move_mailbox_mb_s
        c.run(seconds=secs)
        rows = []
        for name, n in dbs:
            ex.move_mailboxes(c, vs.name, name, to_evs, to_db, n)
            rows.append({"from": f"{vs.name} / {name}", "to": f"{to_evs} / {to_db}", "mailboxes": n})
        p.tables["mailboxes moved"] = rows
        return (f"{total:,} mailboxes to {to_evs} ({show(to_db)}) in {secs / 3600:.1f} h; each user offline while their "
                "mailbox moves")

    def offline(self, p):
        from .. import exchange as ex
        g = ex.virtual_server(p.cluster, p.params["evs"]).group
        p.data["group"] = g
        p.cluster.offline_group(g)
        wait(p.cluster)
        return f"group {g} offline"

    def offline_ok(self, p):
        g = p.cluster.groups[p.data["group"]]
        if g.state is not GroupState.OFFLINE:
            raise ProcedureError(f"group {g.name} is {g.state}", rule="take the virtual server's group offline first",
                                 source=SRC_REMOVE)

    def delete(self, p):
        delete_group = self.delete_group
        from .. import exchange as ex
        vs = ex.virtual_server(p.cluster, p.params["evs"])
        if vs.mailboxes:
            raise ProcedureError(f"{vs.name} still holds {vs.mailboxes:,} mailboxes; deleting it would strand their "
                                 "users", rule=RULE_MAILBOXES, source=SRC_MAILBOXES)
        gone = ex.remove_virtual_server(p.cluster, p.params["evs"], delete_group=delete_group)
        p.tables["deleted"] = [{"resource": r} for r in gone]
        return f"{len(gone)} resources deleted (System Attendant first; its dependents with it)"

    def esm(self, p):
        from .. import exchange as ex
        name = p.params["evs"].upper()
        if name in ex.virtual_servers(p.cluster):
            raise ProcedureError(f"{name} is still in the organisation", rule="delete the server in Exchange System "
                                 "Manager once it is removed from the cluster", source=SRC_REMOVE)
        p.cluster.record(name, "server deleted in Exchange System Manager", f"by {p.cluster.account}")
        return f"{name} deleted from the organisation"


def remove_virtual_server(cluster, evs: str, *, delete_group: bool = False, move_mailboxes_to=None,
                          assumptions=None) -> Procedure:
    """Remove virtual server ``evs`` (``delete_group``: also its group, address, name and
    disks), after moving its mailboxes to ``move_mailboxes_to`` (a virtual server or
    ``(virtual server, store)``; default: see the module). ``procedure.params`` holds
    both names and may be corrected after a refusal."""
    title = f"Remove Exchange virtual server {evs}"
    before_start(title, "labkit procedures", need_cluster, cluster, "cluster")
    a = before_start(title, SRC_REMOVE, pick, assumptions)
    P = {"evs": evs, "move_mailboxes_to": move_mailboxes_to}
    do = _RemoveVirtualServerSteps(dict(a=a, delete_group=delete_group))
    steps = [Step("check the MTA and MS Search cautions and the mailboxes", do.cautions,
                  source=f"{SRC_REMOVE}; {SRC_MAILBOXES}"),
             Step("move its mailboxes to another virtual server", do.move, source=f"{SRC_MAILBOXES}; {SRC_MOVE}"),
             Step("take the group offline", do.offline, verify=do.offline_ok, source=SRC_REMOVE),
             Step("delete the Exchange resources (the System Attendant takes the rest)", do.delete, source=SRC_REMOVE),
             Step("delete the server in Exchange System Manager", do.esm, source=SRC_REMOVE)]
    return Procedure(title, cluster, steps, source=SRC_REMOVE, params=P,
                     rebuild=lambda cs: remove_virtual_server(cs[0], evs, delete_group=delete_group,
                                                              move_mailboxes_to=move_mailboxes_to, assumptions=a))


def remove_exchange_binaries(cluster, nodes: list[str]) -> Procedure:
    """Run Exchange setup's Remove on each of ``nodes``, after moving Exchange groups off it."""
    title = "Remove the Exchange 2000 binaries"
    before_start(title, "labkit procedures", need_cluster, cluster, "cluster")
    order = list(nodes) if isinstance(nodes, (list, tuple)) else [nodes]

    def off(n):
        def act(p):
            from .maintenance import choose_target
            c = p.cluster
            from .. import exchange as ex
            c.node(n)
            if ex.installed_nodes(c) == [n]:
                return f"{n} is the last node running Exchange: its groups have nowhere to go"
            moved = []
            for g in exchange_groups(c):
                if c.groups[g].owner == n:
                    t = choose_target(c, g, exclude=[n])
                    if t is None:
                        raise StateError(f"no other node can take {g}", rule="remove Exchange from a node that runs "
                                         "none of its resources", source=SRC_REMOVE)
                    c.move_group(g, t)
                    wait(c)
                    moved.append(f"{g} -> {t}")
            return "; ".join(moved) or "nothing runs there"
        return act

    def remove(n):
        def act(p):
            from .. import exchange as ex
            last = ex.installed_nodes(p.cluster) == [n]
            ex.uninstall(p.cluster, n)
            if last:
                return (f"setup Remove on {n}, the last node running Exchange: the Exchange cluster resources "
                        "(its nine resource types) go with it")
            return f"setup Remove on {n}; the Exchange cluster resources stay"
        return act

    steps = []
    for n in order:
        steps += [Step(f"move the Exchange groups off {n}", off(n), source=SRC_REMOVE),
                  Step(f"run Exchange setup Remove on {n}", remove(n), source=SRC_REMOVE)]
    return Procedure(title, cluster, steps or [Step("nothing to do", lambda p: None)], source=SRC_REMOVE,
                     params={"nodes": order}, rebuild=lambda cs: remove_exchange_binaries(cs[0], nodes))


class _RebuildVirtualServerSteps:
    """The steps of :func:`rebuild_virtual_server`, one method each; the values they share are attributes."""

    def __init__(self, env: dict):
        self.__dict__.update(env)

    def record(self, p):
        evs = self.evs
        from .. import exchange as ex
        vs = ex.virtual_server(p.cluster, evs)
        rec = record_configuration(p.cluster)
        p.data["rec"] = next(v for v in rec.virtual_servers if v.name == vs.name)
        _cautions(p, evs, False)
        return "content indexing " + ("broken" if vs.content_indexing_broken else "working")

    def offline(self, p):
        p.cluster.offline_group(p.data["rec"].group)
        wait(p.cluster)
        return "offline"

    def remove(self, p):
        evs = self.evs
        from .. import exchange as ex
        return f"{len(ex.remove_virtual_server(p.cluster, evs))} Exchange resources deleted"

    def create(self, p):
        from .. import exchange as ex
        c, rec = p.cluster, p.data["rec"]
        sa = ex.TABLE7_BY_ROLE["System Attendant"].type
        c.add_resource(rec.system_attendant, type=sa, group=rec.group,
                       dependencies=[rec.name_resource, *[d for d, _ in rec.disks]], data_disk=rec.data_disk)
        storage_from_record(c, rec)                  # the same storage groups, stores and file locations
        for sg in rec.storage_groups:
            for db in sg["databases"]:
                have = ex.virtual_server(c, rec.name).storage_groups[sg["name"]].databases
                if db["kind"] == DatabaseKind.MAILBOX and db["mailboxes"]:
                    ex.add_mailboxes(c, rec.name, db["name"], db["mailboxes"] - have[db["name"]].mailboxes)
        return f"{len(ex.virtual_server(c, rec.name).resources)} Exchange resources with the same names"

    def online(self, p):
        p.cluster.online_group(p.data["rec"].group)
        wait(p.cluster)
        return f"{p.data['rec'].group} is {p.cluster.groups[p.data['rec'].group].state}"

    def verify(self, p):
        evs = self.evs
        from .. import exchange as ex
        vs = ex.virtual_server(p.cluster, evs)
        if vs.content_indexing_broken or "MS Search" not in vs.resources or \
                p.cluster.groups[vs.group].state is not GroupState.ONLINE:
            raise ProcedureError(f"{vs.name} has no working MS Search instance", rule=RULE_SEARCH, source=SRC_REMOVE)


def rebuild_virtual_server(cluster, evs: str) -> Procedure:
    """Re-create a virtual server whose MS Search instance was deleted (content indexing
    works again only after the whole virtual server is re-created): record its
    configuration, take it offline, remove it, re-create it with the same names (the
    databases stay on their disks, so their mailbox counts come back), bring it online."""
    title = f"Re-create virtual server {evs} for content indexing"
    before_start(title, "labkit procedures", need_cluster, cluster, "cluster")
    do = _RebuildVirtualServerSteps(dict(evs=evs))
    steps = [Step("record the virtual server's configuration", do.record, source=SRC_REMOVE),
             Step("take the group offline", do.offline, source=SRC_REMOVE),
             Step("remove the virtual server", do.remove, source=SRC_REMOVE),
             Step("re-create it with the same names", do.create, source="paper, Adding the System Attendant Resource"),
             Step("bring it online", do.online, verify=do.verify, source=SRC_REMOVE)]
    return Procedure(title, cluster, steps, source=SRC_REMOVE, rebuild=lambda cs: rebuild_virtual_server(cs[0], evs))


__all__ = ["remove_virtual_server", "remove_exchange_binaries", "rebuild_virtual_server", "move_mailboxes"]
