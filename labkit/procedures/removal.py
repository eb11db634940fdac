"""Removing an Exchange virtual server and the Exchange binaries, in the paper's order
(Removing Exchange Virtual Servers and Binaries from a Cluster).

:func:`remove_virtual_server`: check the cautions first -- the virtual server holding
the cluster's MTA goes only when it is the last one (checked with
``labkit.exchange.check_removal``, so the rule is ``labkit.exchange``'s own and the
group is not taken offline for nothing) -- then take the group offline, delete the
System Attendant (its dependents go with it), and check the server is gone from the
organisation (Exchange System Manager).

:func:`remove_exchange_binaries`: for each node, move the Exchange groups off it, then
run setup's Remove; the Exchange cluster resources stay unless it is the last node
running Exchange (``labkit.exchange.uninstall`` refuses that).

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

from ..errors import ProcedureError, StateError
from .engine import Advisory, Procedure, Step, before_start, exchange_groups, need_cluster, wait
from .recovery import record_configuration, storage_from_record

SRC_REMOVE = "paper, Removing Exchange Virtual Servers and Binaries from a Cluster"
RULE_SEARCH = "deleting a virtual server's MS Search instance means re-creating the whole virtual server"


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
    o = c.extensions["exchange"]
    return "MTA: " + ("this is the last virtual server; its MTA goes with it" if o.mta_server == vs.name
                      else f"kept in {o.mta_server or 'no virtual server'}")


def remove_virtual_server(cluster, evs: str, *, delete_group: bool = False) -> Procedure:
    """Remove virtual server ``evs`` (``delete_group``: also its group, address, name and
    disks)."""
    title = f"Remove Exchange virtual server {evs}"
    before_start(title, "labkit procedures", need_cluster, cluster, "cluster")
    P = {"evs": evs}

    def offline(p):
        from .. import exchange as ex
        g = ex.virtual_server(p.cluster, p.params["evs"]).group
        p.data["group"] = g
        p.cluster.offline_group(g)
        wait(p.cluster)
        return f"group {g} offline"

    def offline_ok(p):
        g = p.cluster.groups[p.data["group"]]
        if str(g.state) != "Offline":
            raise ProcedureError(f"group {g.name} is {g.state}", rule="take the virtual server's group offline first",
                                 source=SRC_REMOVE)

    def delete(p):
        from .. import exchange as ex
        gone = ex.remove_virtual_server(p.cluster, p.params["evs"], delete_group=delete_group)
        p.tables["deleted"] = [{"resource": r} for r in gone]
        return f"{len(gone)} resources deleted (System Attendant first; its dependents with it)"

    def esm(p):
        from .. import exchange as ex
        name = p.params["evs"].upper()
        if name in ex.virtual_servers(p.cluster):
            raise ProcedureError(f"{name} is still in the organisation", rule="delete the server in Exchange System "
                                 "Manager once it is removed from the cluster", source=SRC_REMOVE)
        p.cluster.record(name, "server deleted in Exchange System Manager", f"by {p.cluster.account}")
        return f"{name} deleted from the organisation"

    steps = [Step("check the MTA and MS Search cautions", lambda p: _cautions(p, p.params["evs"], delete_group),
                  source=SRC_REMOVE),
             Step("take the group offline", offline, verify=offline_ok, source=SRC_REMOVE),
             Step("delete the Exchange resources (the System Attendant takes the rest)", delete, source=SRC_REMOVE),
             Step("delete the server in Exchange System Manager", esm, source=SRC_REMOVE)]
    return Procedure(title, cluster, steps, source=SRC_REMOVE, params=P,
                     rebuild=lambda cs: remove_virtual_server(cs[0], evs, delete_group=delete_group))


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
            c._node(n)
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
            ex.uninstall(p.cluster, n)
            return f"setup Remove on {n}; the Exchange cluster resources stay"
        return act

    steps = []
    for n in order:
        steps += [Step(f"move the Exchange groups off {n}", off(n), source=SRC_REMOVE),
                  Step(f"run Exchange setup Remove on {n}", remove(n), source=SRC_REMOVE)]
    return Procedure(title, cluster, steps or [Step("nothing to do", lambda p: None)], source=SRC_REMOVE,
                     params={"nodes": order}, rebuild=lambda cs: remove_exchange_binaries(cs[0], nodes))


def rebuild_virtual_server(cluster, evs: str) -> Procedure:
    """Re-create a virtual server whose MS Search instance was deleted (content indexing
    works again only after the whole virtual server is re-created): record its
    configuration, take it offline, remove it, re-create it with the same names (the
    databases stay on their disks, so their mailbox counts come back), bring it online."""
    title = f"Re-create virtual server {evs} for content indexing"
    before_start(title, "labkit procedures", need_cluster, cluster, "cluster")

    def record(p):
        from .. import exchange as ex
        vs = ex.virtual_server(p.cluster, evs)
        rec = record_configuration(p.cluster)
        p.data["rec"] = next(v for v in rec.virtual_servers if v.name == vs.name)
        _cautions(p, evs, False)
        return "content indexing " + ("broken" if vs.content_indexing_broken else "working")

    def offline(p):
        p.cluster.offline_group(p.data["rec"].group)
        wait(p.cluster)
        return "offline"

    def remove(p):
        from .. import exchange as ex
        return f"{len(ex.remove_virtual_server(p.cluster, evs))} Exchange resources deleted"

    def create(p):
        from .. import exchange as ex
        c, rec = p.cluster, p.data["rec"]
        sa = ex.TABLE7_BY_ROLE["System Attendant"].type
        c.add_resource(rec.system_attendant, type=sa, group=rec.group,
                       dependencies=[rec.name_resource, *[d for d, _ in rec.disks]], data_disk=rec.data_disk)
        storage_from_record(c, rec)                  # the same storage groups, stores and file locations
        for sg in rec.storage_groups:
            for db in sg["databases"]:
                have = ex.virtual_server(c, rec.name).storage_groups[sg["name"]].databases
                if db["kind"] == "mailbox" and db["mailboxes"]:
                    ex.add_mailboxes(c, rec.name, db["name"], db["mailboxes"] - have[db["name"]].mailboxes)
        return f"{len(ex.virtual_server(c, rec.name).resources)} Exchange resources with the same names"

    def online(p):
        p.cluster.online_group(p.data["rec"].group)
        wait(p.cluster)
        return f"{p.data['rec'].group} is {p.cluster.groups[p.data['rec'].group].state}"

    def verify(p):
        from .. import exchange as ex
        vs = ex.virtual_server(p.cluster, evs)
        if vs.content_indexing_broken or "MS Search" not in vs.resources or \
                str(p.cluster.groups[vs.group].state) != "Online":
            raise ProcedureError(f"{vs.name} has no working MS Search instance", rule=RULE_SEARCH, source=SRC_REMOVE)

    steps = [Step("record the virtual server's configuration", record, source=SRC_REMOVE),
             Step("take the group offline", offline, source=SRC_REMOVE),
             Step("remove the virtual server", remove, source=SRC_REMOVE),
             Step("re-create it with the same names", create, source="paper, Adding the System Attendant Resource"),
             Step("bring it online", online, verify=verify, source=SRC_REMOVE)]
    return Procedure(title, cluster, steps, source=SRC_REMOVE, rebuild=lambda cs: rebuild_virtual_server(cs[0], evs))


__all__ = ["remove_virtual_server", "remove_exchange_binaries", "rebuild_virtual_server"]
