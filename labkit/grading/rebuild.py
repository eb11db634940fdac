"""Rebuild a learner's cluster in the grader from its ``to_dict()`` snapshot.

The snapshot is untrusted plain data. It is replayed through the public
:class:`~labkit.Cluster` commands of the grader's own labkit -- nodes, groups,
resources, dependencies, possible and preferred owners, group and resource
properties -- so every MSCS rule is enforced again, and whatever the snapshot
*claims* about states (Online, Failed, owners of failed-over groups) is not taken
on trust: the rebuilt cluster starts at the simulation's start time with every node
Up, each group on the node that owned it in the snapshot, and the groups that were
meant to be online (``persistent_state``) brought online by the grader's simulation.
Checks then play their scenario on it.

An Exchange 2000 cluster (``labkit.exchange.org(cluster)``) is replayed the way it is built
(paper, Installing Exchange 2000 Server; Creating Exchange 2000 Virtual Servers):
Exchange setup on each node that has it, one at a time; each virtual server's IP
Address, Network Name and disks, then its System Attendant -- which creates the other
Exchange resources, as it does for the learner; the Exchange resources the snapshot
no longer has (a deleted MS Search instance) are deleted again; then the storage
groups, databases, mailboxes, components and clients through
:mod:`labkit.exchange`'s commands. Exchange 2000's limits (four storage groups per
node...) are facts, not settings a learner may change: a snapshot that changes them is
refused; only the NNTP reading (``nntp_follows_kb_259197``) may be chosen.

The groups of an Exchange cluster are brought online one at a time, in the snapshot's
order, each Information Store counting the storage groups already mounted on its node
[D] (two stores coming online at the same moment would each count only the other's
finished mounts).

Also replayed: the accounts and their rights (the Exchange Delegation Wizard's grants),
the Exchange System Manager moves of setup's default storage group and stores (its
logs, .EDB and .STM moved to the disks the snapshot gives, once setup has created them
on the data location; the group is offline then, so nothing is dismounted), and the
nodes the administrator paused (``Node.paused``, also a Down node that would come back
Paused), paused once their groups are where the snapshot says.

Not replayed: the log, queued work, other node states (every node starts Up), the
run-time state of resources (states, a type's veto of a pending attempt:
``Resource.online_veto``), the history of store dismounts (``VirtualServer.dismounts``), the
resource monitors of the Cluster Group's own resources (they stay in the shared
monitor) and the procedures layer's state (its shelf of shared disks, backup jobs and
catalogue: ``extensions["procedures"]``) [D]. Exchange 5.5 clusters are not rebuilt.

>>> import labkit as lk
>>> c = lk.Cluster("LAB", ip="10.0.0.100"); _ = c.add_node("N1", ip="10.0.0.1")
>>> _ = c.add_group("G"); _ = c.add_resource("Svc", type="Generic Service", group="G")
>>> c.online_group("G"); c.run_until_stable()
>>> r = rebuild_cluster(c.to_dict())
>>> r is c, str(r.groups["G"].state), r.groups["G"].owner
(False, 'Online', 'N1')
"""
from __future__ import annotations

from dataclasses import fields

from ..cluster import Cluster, ClusterSettings
from ..cluster.cluster import ALL_RIGHTS, DEFAULT_ACCOUNT
from ..errors import LabkitError
from ..values import Plain, settings_kinds
from .verdicts import MAX_EVENTS, Wrong

#: Limits on what a snapshot may hold (the grader's time is bounded too).
MAX_GROUPS = 500
MAX_RESOURCES = 3000
MAX_DEPENDENCIES = 10_000
_CREATE_KWARGS = {"type", "group", "possible_owners", "dependencies", "separate_monitor"}
#: Plug-in state a snapshot may hold: Exchange 2000 is replayed, the procedures layer's is not.
_EXTENSIONS = ("exchange", "procedures")
_RESOURCE_PROPS = ("restart_action", "restart_threshold", "restart_period_s", "looks_alive_ms",
                   "is_alive_ms", "pending_timeout_ms")


class _Bad(Exception):
    pass


def _need(cond, what: str) -> None:
    if not cond:
        raise _Bad(what)


def _str(v, what: str) -> str:
    _need(isinstance(v, str) and v, f"{what} should be a name")
    return v


def _names(v, what: str) -> list[str]:
    _need(isinstance(v, list) and all(isinstance(x, str) for x in v), f"{what} should be a list of names")
    return v


_SCALAR = Plain(scalar=True)


def _scalar(v) -> bool:
    """A plain value a snapshot may hold (labkit.values: finite, 64-bit, no lone surrogates)."""
    return _SCALAR.ok(v)


def _settings(d) -> ClusterSettings:
    """The snapshot's ClusterSettings, each value checked by the kinds ClusterSettings
    itself checks with (labkit.values.settings_kinds)."""
    if d is None:
        return ClusterSettings()
    _need(isinstance(d, dict), "settings should be a dict")
    kinds = settings_kinds()
    kw = {}
    for f in fields(ClusterSettings):
        if f.name not in d:
            continue
        kind = kinds[f.name]
        want = "True or False" if f.type in (bool, "bool") else f"positive: {kind.describe()}"
        _need(kind.ok(d[f.name]), f"setting {f.name} should be {want}")
        kw[f.name] = kind.check(d[f.name])
    return ClusterSettings(**kw)


def rebuild_cluster(data, *, name: str = "cluster") -> Cluster:
    """A new cluster built by the grader's labkit from snapshot ``data`` (see the module
    docstring). Raises :class:`~labkit.grading.verdicts.Wrong` naming what could not be rebuilt."""
    try:
        return _rebuild(data)
    except _Bad as e:
        raise Wrong(f"`{name}` is not a cluster the grader can rebuild: {e}") from None
    except LabkitError as e:
        raise Wrong(f"`{name}` could not be rebuilt: labkit refused a step ({e})") from None
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as e:
        raise Wrong(f"`{name}` is not a valid cluster snapshot ({type(e).__name__}: {e})") from None


def _settle(c: Cluster) -> None:
    c.run_until_stable(max_events=MAX_EVENTS)


def _rebuild(d) -> Cluster:
    exchange, nodes, groups, resources = _sections(d)
    c, nodes = _cluster_and_nodes(d, nodes)
    if exchange is not None:
        _install_exchange(c, nodes)
    _accounts(c, d.get("accounts"))
    by_group = _groups(c, groups)
    _resources(c, resources, by_group)
    if exchange is not None:
        _exchange(c, exchange, resources)
    _group_settings(c, by_group)
    _groups_home_and_online(c, by_group, exchange is not None)
    for n in nodes:
        _need(isinstance(n.get("paused", False), bool), f"whether node {n['name']!r} is paused should be True or False")
    # paused by the administrator: Paused now, or Down and to come back Paused (pause persists)
    paused = [n["name"] for n in nodes if n.get("state") == "Paused" or n.get("paused") is True]
    for n in paused:
        c.pause_node(n)
    return c


def _sections(d) -> tuple:
    """The snapshot's Exchange organisation (or None), nodes, groups and resources, checked
    for shape and size."""
    _need(isinstance(d, dict), "a cluster snapshot is a dict")
    ext = d.get("extensions") or {}
    _need(isinstance(ext, dict), "its plug-in state should be a dict")
    unknown = sorted(k for k in ext if k not in _EXTENSIONS)
    _need(not unknown, f"it holds plug-in state the grader does not rebuild ({', '.join(map(str, unknown))[:80]}); "
                       "graded clusters are MSCS clusters, with or without Exchange 2000")
    exchange = ext.get("exchange")
    nodes = d.get("nodes")
    groups = d.get("groups")
    resources = d.get("resources")
    _need(isinstance(nodes, list) and nodes, "it has no nodes")
    _need(isinstance(groups, list) and len(groups) <= MAX_GROUPS, f"it needs a list of at most {MAX_GROUPS} groups")
    _need(isinstance(resources, list) and len(resources) <= MAX_RESOURCES,
          f"it needs a list of at most {MAX_RESOURCES} resources")
    for x in nodes + groups + resources:
        _need(isinstance(x, dict), "nodes, groups and resources are dicts")
    return exchange, nodes, groups, resources


def _cluster_and_nodes(d: dict, nodes: list) -> tuple[Cluster, list]:
    """A new cluster with the snapshot's name, address, edition, quorum disk, seed and
    settings, its nodes added in node-id order; that cluster and the sorted nodes."""
    ip = d.get("ip")
    _need(ip is None or isinstance(ip, str), "the cluster address should be a string")
    seed = d.get("seed", 0)
    _need(isinstance(seed, int) and not isinstance(seed, bool), "the seed should be a whole number")
    c = Cluster(_str(d.get("name"), "the cluster name"), ip=ip, edition=_str(d.get("edition"), "the edition"),
                quorum_disk=_str(d.get("quorum_resource", "Disk Q:"), "the quorum resource"),
                quorum_drive=_str(d.get("quorum_drive", "Q:"), "the quorum drive"), seed=seed,
                settings=_settings(d.get("settings")))
    _need(all(isinstance(n.get("id"), int) for n in nodes), "every node has a numeric id")
    nodes = sorted(nodes, key=lambda n: n["id"])
    for n in nodes:
        _need(n.get("ip") is None or isinstance(n.get("ip"), str), "node addresses should be strings")
        c.add_node(_str(n.get("name"), "a node name"), ip=n.get("ip"))
    _settle(c)
    return c, nodes


def _groups(c: Cluster, groups: list) -> dict:
    """The snapshot's groups by name: the Cluster Group moved to its owner, the others created."""
    by_group = {}
    for g in groups:
        by_group[_str(g.get("name"), "a group name")] = g
    core = by_group.get(c.cluster_group)
    if core and isinstance(core.get("owner"), str) and core["owner"] in c.nodes \
            and core["owner"] != c.groups[c.cluster_group].owner:
        c.move_group(c.cluster_group, core["owner"])
        _settle(c)
    for gname in by_group:
        if gname != c.cluster_group:
            c.add_group(gname)
    return by_group


def _group_settings(c: Cluster, by_group: dict) -> None:
    """Each group's failover and failback properties and its preferred owners."""
    for gname, g in by_group.items():
        window = g.get("failback_window")
        if isinstance(window, list):
            window = tuple(window)
        kw = {k: g[k] for k in ("failover_threshold", "failover_period_hours", "auto_failback") if k in g}
        for k, v in kw.items():
            _need(_scalar(v) and v is not None, f"{k} of group {gname!r} should be a plain value")
        c.set_group_properties(gname, failback_window=window, **kw)
        c.set_preferred_owners(gname, _names(g.get("preferred_owners", []), f"the preferred owners of {gname!r}"))


def _groups_home_and_online(c: Cluster, by_group: dict, exchange: bool) -> None:
    """Each group moved to the node that owned it in the snapshot (when it can host it) and
    brought online if it was meant to be; with Exchange, one virtual server at a time."""
    for gname, g in by_group.items():
        if gname == c.cluster_group:
            continue
        owner = g.get("owner")
        home = owner if isinstance(owner, str) and owner in c.nodes and c.can_host(gname, owner) else None
        if home and home != c.groups[gname].owner:
            c.move_group(gname, home)
        if g.get("persistent_state") is True:
            try:
                c.online_group(gname, home)
            except LabkitError:
                pass  # no node can host it: it stays offline, and the check will say so
            if exchange:
                _settle(c)    # one virtual server at a time: each store counts the ones already mounted
    _settle(c)


def _accounts(c: Cluster, accounts) -> None:
    """The accounts and their rights, as the snapshot lists them (``{name: [rights]}``)."""
    if accounts is None:
        return
    _need(isinstance(accounts, dict) and len(accounts) <= 100, "its accounts should be a dict of at most 100")
    for acct, rights in accounts.items():
        _str(acct, "an account name")
        rights = _names(rights, f"the rights of account {acct!r}")
        if acct == DEFAULT_ACCOUNT:
            _need(ALL_RIGHTS in rights, f"{DEFAULT_ACCOUNT} keeps every right")
            continue
        c.add_account(acct, rights)


def _resources(c: Cluster, resources: list, by_group: dict) -> None:
    """Create the resources in the snapshot's (creation) order. A System Attendant is
    created with its dependencies, as Exchange asks, and creates the other Exchange
    resources itself; every other dependency is added once both ends exist."""
    pending: list[tuple[str, str]] = []
    ndeps = 0

    def flush():
        for r, p in list(pending):
            if r in c.resources and p in c.resources:
                pending.remove((r, p))
                if p not in c.resources[r].dependencies:
                    c.add_dependency(r, p)

    for r in resources:
        rname = _str(r.get("name"), "a resource name")
        props = r.get("properties", {})
        _need(isinstance(props, dict) and all(isinstance(k, str) and k.isidentifier() and k not in _CREATE_KWARGS
                                              and _scalar(v) for k, v in props.items()),
              f"the properties of {rname!r} should be plain names and values")
        deps = _names(r.get("dependencies", []), f"the dependencies of {rname!r}")
        ndeps += len(deps)
        _need(ndeps <= MAX_DEPENDENCIES, f"it has more than {MAX_DEPENDENCIES} dependencies")
        _resource(c, r, rname, props, deps, by_group, flush)
        pending.extend((rname, p) for p in deps)
    flush()
    _need(not pending, f"{pending[0][0]!r} depends on {pending[0][1]!r}, which the snapshot does not list"
          if pending else "")
    _delete_again(c, resources)


def _resource(c: Cluster, r: dict, rname: str, props: dict, deps: list[str], by_group: dict, flush) -> None:
    """Create one resource (or, for a System Attendant's Exchange resources, check the one it
    created), then set its possible owners, resource monitor and restart and poll properties."""
    from ..exchange.types import EXCHANGE_TYPE_NAMES, SYSTEM_ATTENDANT
    rtype = _str(r.get("type"), f"the type of {rname!r}")
    group = _str(r.get("group"), f"the group of {rname!r}")
    _need(group in by_group, f"{rname!r} is in group {group!r}, which the snapshot does not list")
    owners = _names(r.get("possible_owners"), f"the possible owners of {rname!r}")
    monitor = r.get("monitor", "shared")
    _need(isinstance(monitor, str) and monitor, f"the monitor of {rname!r} should be a name")
    existing = c.resources.get(rname)
    if existing is not None and existing.core:
        _need(existing.type == rtype, f"{rname!r} should be a {existing.type}")
    elif existing is not None:      # made by a System Attendant replayed before it
        _need(existing.type == rtype and existing.group == group and rtype in EXCHANGE_TYPE_NAMES,
              f"{rname!r} appears twice, or is not the {existing.type} its System Attendant creates")
    elif rtype == SYSTEM_ATTENDANT:
        flush()                     # its Network Name must stand on its IP Address already
        data_disk = props.get("data_disk")
        c.add_resource(rname, type=rtype, group=group, dependencies=[p for p in deps if p in c.resources],
                       **({"data_disk": data_disk} if data_disk is not None else {}))
    elif rtype in EXCHANGE_TYPE_NAMES:
        raise _Bad(f"{rname!r} ({rtype}) is not one its virtual server's System Attendant creates")
    else:
        c.add_resource(rname, type=rtype, group=group, possible_owners=owners,
                       separate_monitor=monitor == rname, **props)
    res = c.resources[rname]
    if sorted(owners) != sorted(res.possible_owners):
        c.set_possible_owners(rname, owners)
    if monitor != res.monitor and monitor != "shared" and not res.core:
        c.set_monitor(rname, monitor)
    kw = {k: r[k] for k in _RESOURCE_PROPS if k in r}
    for k, v in kw.items():
        _need(_scalar(v) and v is not None, f"{k} of {rname!r} should be a plain value")
    c.set_resource_properties(rname, **kw)


def _delete_again(c: Cluster, resources: list) -> None:
    """Delete the Exchange resources the learner deleted (a System Attendant created them
    again), dependents first."""
    from ..exchange.types import EXCHANGE_TYPE_NAMES
    names = {r["name"] for r in resources}
    extra = [n for n in c.resources if n not in names]
    while extra:                        # Exchange resources the learner deleted: delete them again
        leaves = [n for n in extra if not any(d in extra for d in c.dependents(n))]
        _need(leaves, f"the snapshot lacks {extra[0]!r}")
        for n in leaves:
            _need(c.resources[n].type in EXCHANGE_TYPE_NAMES, f"the snapshot lacks {n!r}")
            c.delete_resource(n)
            extra.remove(n)


def _install_exchange(c: Cluster, nodes: list) -> None:
    """Exchange 2000 setup on every node whose snapshot says it has it, one at a time."""
    from .. import exchange as ex
    from ..exchange.model import NODE_KEY
    have = [n["name"] for n in nodes if isinstance(n.get("properties"), dict) and NODE_KEY in n["properties"]]
    _need(have, "it holds an Exchange organisation but no node has Exchange 2000 installed")
    for n in have:
        ex.install(c, n)
        _settle(c)


def _exchange(c: Cluster, data, resources: list) -> None:
    """The Exchange organisation: settings, then each virtual server's storage groups,
    databases, mailboxes, components and clients, through labkit.exchange."""
    from .. import exchange as ex
    _need(isinstance(data, dict), "its Exchange organisation should be a dict")
    _exchange_settings(c, data)
    org = ex.org(c)
    servers = data.get("virtual_servers", {})
    _need(isinstance(servers, dict), "its Exchange virtual servers should be a dict")
    _need(list(servers) == list(org.virtual_servers),
          f"its Exchange virtual servers ({', '.join(map(str, servers)) or 'none'}) are not the ones its System "
          f"Attendants create ({', '.join(org.virtual_servers) or 'none'})")
    _need(data.get("mta_server") == org.mta_server, "its MTA is not in the virtual server whose System Attendant "
                                                     "was created first")
    for name, v in servers.items():
        _need(isinstance(v, dict), f"virtual server {name!r} should be a dict")
        vs = org.virtual_servers[name]
        for key in ("group", "network_name", "data_disk"):
            _need(v.get(key) == getattr(vs, key), f"{name}'s {key.replace('_', ' ')} is {v.get(key)!r}; "
                                                  f"the rebuild gives {getattr(vs, key)!r}")
        _need(v.get("resources") == vs.resources, f"{name}'s Exchange resources are not the ones its System "
                                                  "Attendant creates")
        sgs = v.get("storage_groups", {})
        _need(isinstance(sgs, dict) and all(isinstance(sg, dict) for sg in sgs.values()),
              f"the storage groups of {name} should be dicts")
        for sg_name, sg in sgs.items():
            _storage_group(c, name, vs, sg_name, sg)
        _need(list(vs.storage_groups) == list(sgs), f"{name} lacks a storage group Exchange setup creates")
        for comp in _names(v.get("components", []), f"the components of {name}"):
            ex.add_component(c, name, comp)
        clients = v.get("clients", {})
        _need(isinstance(clients, dict), f"the clients of {name} should be a dict")
        if clients:
            ex.set_clients(c, name, **{str(k).lower(): n for k, n in clients.items()})
        _need(bool(v.get("content_indexing_broken")) == vs.content_indexing_broken,
              f"{name}'s content indexing is not as its resources say")


def _exchange_settings(c: Cluster, data: dict) -> None:
    """Exchange 2000's settings: the product's defaults, but for the NNTP reading a learner chooses."""
    from dataclasses import fields as dc_fields

    from .. import exchange as ex
    from ..exchange.model import ExchangeSettings
    settings = data.get("settings", {})
    _need(isinstance(settings, dict), "the Exchange settings should be a dict")
    defaults = ExchangeSettings()
    known = {f.name for f in dc_fields(ExchangeSettings)}
    for k, v in settings.items():
        _need(k in known, f"it has an unknown Exchange setting {k!r}")
        if k != "nntp_follows_kb_259197" and v != getattr(defaults, k):
            raise _Bad(f"it sets the Exchange setting {k} to {v!r}: Exchange 2000's limits are facts of the product, "
                       "not yours to change (only nntp_follows_kb_259197 is a choice)")
    if settings.get("nntp_follows_kb_259197") is True:
        ex.configure(c, nntp_follows_kb_259197=True)


def _storage_group(c: Cluster, name: str, vs, sg_name: str, sg: dict) -> None:
    """One storage group of virtual server ``name``: created (or setup's default, its logs
    moved), then its databases and their mailboxes."""
    from .. import exchange as ex
    if sg_name not in vs.storage_groups:
        ex.add_storage_group(c, name, sg_name, log_disk=sg.get("log_disk"))
    elif isinstance(sg.get("log_disk"), str) and sg["log_disk"] != vs.storage_groups[sg_name].log_disk:
        # setup's default storage group, its logs moved with Exchange System Manager
        ex.move_storage_group_logs(c, name, sg_name, sg["log_disk"])
    mine = vs.storage_groups[sg_name]
    _need(sg.get("log_disk") == mine.log_disk, f"storage group {sg_name!r} of {name} logs on "
                                               f"{sg.get('log_disk')!r}; the rebuild gives {mine.log_disk!r}")
    dbs = sg.get("databases", {})
    _need(isinstance(dbs, dict) and all(isinstance(db, dict) for db in dbs.values()),
          f"the databases of {sg_name!r} should be dicts")
    for db_name, db in dbs.items():
        if db_name not in mine.databases:
            ex.add_database(c, name, sg_name, db_name, edb_disk=db.get("edb_disk"),
                            stm_disk=db.get("stm_disk"), kind=db.get("kind", "mailbox"))
        else:                   # setup's default stores, moved with Exchange System Manager
            _move_database(c, name, sg_name, mine.databases[db_name], db)
        have = mine.databases[db_name]
        for key in ("kind", "edb_disk", "stm_disk"):
            _need(db.get(key) == getattr(have, key),
                  f"database {db_name!r} of {name}: {key} is {db.get(key)!r}; the rebuild gives "
                  f"{getattr(have, key)!r}")
        count = db.get("mailboxes", 0)
        _need(isinstance(count, int) and not isinstance(count, bool) and count >= have.mailboxes,
              f"database {db_name!r} of {name} should count its mailboxes")
        if count > have.mailboxes:
            ex.add_mailboxes(c, name, db_name, count - have.mailboxes)
    _need(list(mine.databases) == list(dbs), f"storage group {sg_name!r} of {name} has other databases "
                                             "than Exchange setup gives it")


def _move_database(c: Cluster, evs: str, sg_name: str, have, db: dict) -> None:
    """Replay an Exchange System Manager move of a database setup created: its .EDB
    and/or .STM to the disks the snapshot gives (the group is offline: nothing is
    dismounted)."""
    from .. import exchange as ex
    edb, stm = db.get("edb_disk"), db.get("stm_disk")
    edb = edb if isinstance(edb, str) and edb != have.edb_disk else None
    stm = stm if isinstance(stm, str) and stm != have.stm_disk else None
    if edb is not None or stm is not None:
        ex.move_database(c, evs, sg_name, have.name, edb_disk=edb, stm_disk=stm)
