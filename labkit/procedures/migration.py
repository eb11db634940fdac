"""Migrating from Exchange 5.5 clusters (paper, Migrating From Exchange 5.5 Clusters).

**Mailbox relocation** (:func:`mailbox_relocation`, Compaq's recommendation): an
Exchange 2000 cluster is built beside the Exchange 5.5 cluster (two ``Cluster``
objects); because the Site Replication Service is not supported on a cluster
(Table 5), a non-clustered Exchange 2000 server must already be in the 5.5 site;
mailboxes move in batches into the mailbox store the plan designates (by default the
one on the target virtual server's database disk, :func:`designated_store`), the
public folders are replicated, and the 5.5 cluster is decommissioned -- unless it is
the first server of its site. While both clusters serve the site, the Exchange 2000
virtual server needs a name of its own (:func:`check_unique_server_name`).

**In-place upgrade** (:func:`in_place_upgrade`, Microsoft's 9 steps, which Compaq
does not endorse): preconditions -- Exchange 5.5 SP3 (recommended: an advisory), the cluster already Windows
2000 in a Windows 2000 domain, the Active Directory Connector run, a non-clustered
Exchange 2000 server already in the site and the cluster not a bridgehead, and
(before step 4) no connection agreement pointing to the cluster. Steps 3 and 5
rename ``mdbdata`` away and back, so that removing Exchange 5.5 does not delete it;
step 8 keeps only ``Priv.edb`` and ``Pub.edb``, renamed ``Priv1.edb`` and ``Pub1.edb``;
the streaming files (.STM) are created when the store first mounts (step 9). Step 1's
backup is taken *offline*: it stops the Exchange 5.5 services (the shared disk stays
online for the copy) and leaves them stopped, so no mail arrives that the backup lacks
-- the paper lists it before step 2 takes the group offline; the users' interruption
counts from step 1. That backup is the back-out plan: :func:`back_out` returns the
cluster restored from it and adds the whole interruption, restore included, to the
report.

The site and organisation facts the preconditions need are an :class:`ExchangeSite`.

>>> site = ExchangeSite(adc_run=False)
>>> check_in_place_preconditions(site, "EX55")
Traceback (most recent call last):
labkit.errors.ConfigurationError: the Active Directory Connector has not populated Active Directory [rule: run the Active Directory Connector before the upgrade; source: paper, In-Place Cluster Upgrade Strategy]
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from ..cluster.model import GroupState, ResourceState
from ..values import show
from ..errors import (ConfigurationError, NameConflictError, NotFoundError, ProcedureError, StateError,
                      ValidationError)
from .assumptions import pick
from .engine import Advisory, Procedure, Step, before_start, interruptions, minutes, need_cluster, wait
from ..exchange.model import DatabaseKind
from .state import BackupKind, BackupSet, state
from .steps import install_exchange, require_back

SRC_MIG = "paper, Migrating From Exchange 5.5 Clusters"
SRC_RELOC = "paper, Mailbox Relocation Strategy"
SRC_INPLACE = "paper, In-Place Cluster Upgrade Strategy"
SRC_SRS = "paper, Table 5 (Site Replication Service not supported in a cluster); Mailbox Relocation Strategy"
BINARIES_55 = ["STORE.EXE", "DSAMAIN.EXE", "MAD.EXE", "EMSMTA.EXE"]
DATA_55 = ["PRIV.EDB", "PUB.EDB", "EDB.CHK", "EDB00001.LOG", "EDB00002.LOG", "RES1.LOG", "RES2.LOG"]


@dataclass
class ConnectionAgreement:
    """An Active Directory Connector connection agreement and the Exchange 5.5 server it points to."""

    name: str
    points_to: str


@dataclass
class ExchangeSite:
    """Facts about the Exchange 5.5 site and the Windows 2000 organisation that the
    migration's preconditions need (paper, Migrating From Exchange 5.5 Clusters).

    - ``exchange55_service_pack``: of the Exchange 5.5 cluster (3 is recommended).
    - ``cluster_windows``: what the cluster nodes run ("Windows NT 4.0" or "Windows 2000").
    - ``domain``: the domain the nodes are members of ("Windows NT 4.0" or "Windows 2000").
    - ``adc_run``: the Active Directory Connector populated Active Directory.
    - ``exchange2000_servers``: non-clustered Exchange 2000 servers already in the site;
      ``srs_server``: the one running the Site Replication Service.
    - ``bridgehead``: the server that is the bridgehead to other Exchange 5.5 sites.
    - ``first_server``: the first server installed in the site.
    - ``connection_agreements``: ADC connection agreements.
    """

    name: str = "HEADQUARTERS"
    exchange55_service_pack: int = 3
    cluster_windows: str = "Windows 2000"
    domain: str = "Windows 2000"
    adc_run: bool = True
    exchange2000_servers: list[str] = field(default_factory=lambda: ["EX2K-SRS"])
    srs_server: str | None = "EX2K-SRS"
    bridgehead: str | None = "EX55-HUB"
    first_server: str | None = "EX55-HUB"
    connection_agreements: list[ConnectionAgreement] = field(default_factory=list)


def _site(site) -> ExchangeSite:
    if not isinstance(site, ExchangeSite):
        raise ValidationError(f"site must be an ExchangeSite, not {show(site)}",
                              rule="the site's facts are an ExchangeSite")
    return site


def check_srs(site: ExchangeSite) -> None:
    """A non-clustered Exchange 2000 server runs the Site Replication Service in the site."""
    if not site.exchange2000_servers or site.srs_server not in site.exchange2000_servers:
        raise ConfigurationError(
            f"site {site.name} has no non-clustered Exchange 2000 server running the Site Replication Service",
            rule="a non-clustered Exchange 2000 server joins the Exchange 5.5 site first (SRS is not supported on a "
                 "cluster)", source=SRC_SRS)


def service_pack_advisory(site: ExchangeSite) -> Advisory | None:
    """The paper *recommends* Service Pack 3 for Exchange 5.5 before the in-place upgrade
    ("it is recommended that Exchange 5.5 be running Service Pack 3"): below it, an
    advisory -- the upgrade is not refused.

    >>> print(service_pack_advisory(ExchangeSite(exchange55_service_pack=2)))
    Exchange 5.5 runs Service Pack 2; Service Pack 3 is recommended before the in-place upgrade [rule: Exchange 5.5 runs Service Pack 3 before the in-place upgrade (recommended); source: paper, In-Place Cluster Upgrade Strategy]
    """
    if site.exchange55_service_pack >= 3:
        return None
    return Advisory(f"Exchange 5.5 runs Service Pack {site.exchange55_service_pack}; Service Pack 3 is recommended "
                    "before the in-place upgrade",
                    "Exchange 5.5 runs Service Pack 3 before the in-place upgrade (recommended)", SRC_INPLACE)


def check_in_place_preconditions(site: ExchangeSite, server: str) -> None:
    """Refuse the in-place upgrade of Exchange 5.5 cluster ``server`` unless every
    precondition of the paper holds (connection agreements are checked before step 4).
    Service Pack 3 is only recommended: see :func:`service_pack_advisory`."""
    _site(site)
    if site.cluster_windows != "Windows 2000":
        raise ConfigurationError(f"the cluster nodes run {site.cluster_windows}",
                                 rule="upgrade the Windows NT 4.0 cluster to Windows 2000 Cluster Server first",
                                 source=SRC_INPLACE)
    if site.domain != "Windows 2000":
        raise ConfigurationError(f"the cluster nodes are members of a {site.domain} domain",
                                 rule="the Windows 2000 cluster nodes are members of a Windows 2000 domain",
                                 source=SRC_INPLACE)
    if not site.adc_run:
        raise ConfigurationError("the Active Directory Connector has not populated Active Directory",
                                 rule="run the Active Directory Connector before the upgrade", source=SRC_INPLACE)
    try:
        check_srs(site)
    except ConfigurationError as e:
        raise ConfigurationError(f"{e.detail}: the cluster would be the first Exchange 2000 server in the site",
                                 rule="the Exchange cluster is not the first Exchange 2000 server in an Exchange 5.5 "
                                      "site", source=SRC_INPLACE) from None
    if site.bridgehead is not None and site.bridgehead.upper() == server.upper():
        raise ConfigurationError(f"{server} is the bridgehead of site {site.name}",
                                 rule="the Exchange cluster does not serve as a bridgehead to an Exchange 5.5 site",
                                 source=SRC_INPLACE)


def _cas_to(site: ExchangeSite, server: str) -> list[str]:
    return [ca.name for ca in site.connection_agreements if ca.points_to.upper() == server.upper()]


# ------------------------------------------------------------------ files
def folders(cluster, disk: str) -> dict[str, list[str]]:
    """The folders (and their files) the model knows on shared disk ``disk``."""
    need_cluster(cluster)
    s = state(cluster)
    return dict(s.files.get(disk, {})) if s is not None else {}


def _find(files: dict, path: str) -> str | None:
    return next((k for k in files if k.lower() == path.lower()), None)


def rename_folder(cluster, disk: str, path: str, new_name: str) -> str:
    """Rename a folder on a shared disk (Windows Explorer); returns the new path."""
    need_cluster(cluster)
    s = state(cluster)
    files = s.files.get(disk, {}) if s is not None else {}
    old = _find(files, path)
    if old is None:
        raise NotFoundError(f"no folder {path} on {disk}", rule="rename an existing folder")
    new = old.rsplit("\\", 1)[0] + "\\" + new_name
    if _find(files, new) is not None:
        raise StateError(f"{new} exists", rule="folder names are unique")
    files[new] = files.pop(old)
    cluster.record(disk, f"folder {old} renamed", new)
    return new


# ------------------------------------------------------------ relocation
def designated_store(cluster, evs: str, store: str | None = None) -> dict:
    """The mailbox store of Exchange 2000 virtual server ``evs`` that relocated
    mailboxes go to, as its :func:`labkit.exchange.layout` row: ``store`` when named
    (it must be a mailbox store of ``evs``), else the mailbox store whose .EDB is on the
    virtual server's database disk -- the data location setup was given, the design's
    database array (paper, Design Storage Before Configuring the Cluster) [D].

    >>> from labkit.exchange import demo_cluster
    >>> designated_store(demo_cluster(), "EXVS1")["database"]
    'Mailbox Store (EXVS1)'
    """
    from .. import exchange as ex
    need_cluster(cluster)
    vs = ex.virtual_server(cluster, evs)
    rows = ex.layout(cluster, vs.name)
    if store is not None:
        sg, db = ex.find_database(cluster, vs.name, store)
        if db.kind is not DatabaseKind.MAILBOX:
            raise ConfigurationError(f"{show(db.name)} is a public store; mailboxes live in mailbox stores",
                                     rule="mailboxes live in mailbox stores", source="paper, Creating New Users")
        return next(r for r in rows if r["database"] == db.name)
    found = [r for r in rows if r["kind"] == DatabaseKind.MAILBOX and r["edb_disk"] == vs.data_disk]
    if not found:
        raise ConfigurationError(f"{vs.name} has no mailbox store on its database disk {show(vs.data_disk)}; name the "
                                 "store the mailboxes go to (store=...)",
                                 rule="relocated mailboxes go to the mailbox store the plan designates [D]",
                                 source=SRC_RELOC)
    return found[0]


def check_unique_server_name(new, site: ExchangeSite, name: str) -> None:
    """Refuse an Exchange 5.5 server ``name`` that an Exchange 2000 server of the same
    site and organisation also has: an Exchange virtual server of cluster ``new`` or a
    non-clustered server of ``site`` (server names are unique in an Exchange
    organisation; both are in the directory while the mailboxes move)."""
    from .. import exchange as ex
    need_cluster(new, "new")
    _site(site)
    if not isinstance(name, str) or not name:
        raise ValidationError(f"a server is named by a string, not {show(name)}", rule="servers are named")
    from ..exchange.model import org as exchange_org
    clash = [v for v in (ex.virtual_servers(new) if exchange_org(new) is not None else ())
             if v.upper() == name.upper()]
    clash += [s for s in [*site.exchange2000_servers, site.srs_server] if s and s.upper() == name.upper()]
    if clash:
        where = (f"Exchange 2000 virtual server {clash[0]} on {new.name}" if clash[0] in ex.virtual_servers(new)
                 else f"Exchange 2000 server {clash[0]} in site {site.name}")
        fix = ("build the Exchange 2000 virtual server under a name of its own" if "virtual server" in where
               else "two servers of one organisation cannot share a name")
        raise NameConflictError(f"the Exchange 5.5 server {name} has the same name as {where}; {fix}",
                                rule="server names are unique in an Exchange organisation",
                                source=f"{SRC_RELOC} (both servers are in the site); Exchange 2000 Server naming")


class _MailboxRelocationSteps:
    """The steps of :func:`mailbox_relocation`, one method each; the values they share are attributes."""

    def __init__(self, env: dict):
        self.__dict__.update(env)

    def srs(self, p):
        site = self.site
        check_srs(site)
        return f"{site.srs_server} runs SRS in site {site.name}"

    def ready(self, p):
        e55, new, old, site = self.e55, self.new, self.old, self.site
        from .. import exchange as ex
        vs55 = e55.server(old)
        if vs55 is None:
            raise NotFoundError(f"{old.name} has no Exchange 5.5 virtual server",
                                rule="migrate an Exchange 5.5 cluster")
        check_unique_server_name(new, site, vs55.name)
        evs = p.params["virtual_server"] or next(iter(ex.virtual_servers(new)), None)
        if evs is None:
            raise NotFoundError(f"{new.name} has no Exchange 2000 virtual server", rule="create the target first",
                                source=SRC_RELOC)
        vs = ex.virtual_server(new, evs)
        if new.groups[vs.group].state is not GroupState.ONLINE:
            raise StateError(f"{vs.name} is {new.groups[vs.group].state}", rule="the target virtual server is online",
                             source=SRC_RELOC)
        row = designated_store(new, vs.name, p.params["store"])
        p.data["evs"] = vs.name
        p.data["store"] = row["database"]
        return f"{vs.name} on {new.groups[vs.group].owner}, store {show(row['database'])} on {row['edb_disk']}"

    def move(self, i):
        a, batch, e55, nbatches, new, old = self.a, self.batch, self.e55, self.nbatches, self.new, self.old
        def act(p):
            vs = e55.server(old)
            n = vs.mailboxes if i == nbatches - 1 else min(batch, vs.mailboxes)
            if n == 0:
                return "no mailbox left"
            secs = n * a.mailbox_mb / a.move_mailbox_mb_s
            for c in (old, new):
                c.run(seconds=secs)
            left = e55.move_mailboxes(old, new, p.data["evs"], p.data["store"], n)
            p.tables.setdefault("batches", []).append({"batch": i + 1, "mailboxes": n, "minutes": round(secs / 60, 1),
                                                       "left on 5.5": left})
            return f"{n} mailboxes in {secs / 60:.0f} min; each user offline while their mailbox moves"
        return act

    def public(self, p):
        a, new, old = self.a, self.new, self.old
        for c in (old, new):
            minutes(c, a.public_folder_replication_min)
        return "public folders replicated to the Exchange 2000 public store"

    def decommission(self, p):
        e55, old, site = self.e55, self.old, self.site
        vs = e55.server(old)
        if vs.mailboxes:
            raise StateError(f"{vs.mailboxes} mailboxes are still on {vs.name}", rule="move every mailbox first",
                             source=SRC_RELOC)
        if site.first_server is not None and site.first_server.upper() == vs.name:
            raise ConfigurationError(f"{vs.name} is the first server of site {site.name}",
                                     rule="decommission the 5.5 cluster only if it is not the first server in the site",
                                     source=SRC_RELOC)
        if site.bridgehead is not None and site.bridgehead.upper() == vs.name:
            raise ConfigurationError(f"{vs.name} is the bridgehead of site {site.name}",
                                     rule="move the bridgehead role before decommissioning [D]", source=SRC_RELOC)
        cas = _cas_to(site, vs.name)
        if cas:
            raise ConfigurationError(f"connection agreements {', '.join(cas)} point to {vs.name}",
                                     rule="delete connection agreements pointing to a server before removing it [D]",
                                     source=SRC_MIG)
        old.offline_group(vs.group)
        wait(old)
        e55.remove_virtual_server(old)
        return f"{vs.name} removed from {old.name}"


def mailbox_relocation(old, new, site: ExchangeSite, *, virtual_server: str | None = None, store: str | None = None,
                       batch: int = 500, assumptions=None) -> Procedure:
    """Move every mailbox of ``old``'s Exchange 5.5 virtual server to the Exchange 2000
    cluster ``new`` in batches of ``batch``, replicate the public folders, and
    decommission the 5.5 cluster. The mailboxes go to ``virtual_server`` (default:
    the first) and its mailbox store ``store`` (default: the one on its database disk,
    :func:`designated_store`); both are in ``procedure.params``, read by step 2 (which
    may be run again after a refusal). An Exchange 5.5 server named like an Exchange 2000 server of the
    organisation is refused (:func:`check_unique_server_name`)."""
    from ..exchange import e55
    title = "Migration from Exchange 5.5: mailbox relocation"
    before_start(title, "labkit procedures", need_cluster, new, "new")
    before_start(title, "labkit procedures", need_cluster, old, "old")
    a = before_start(title, SRC_RELOC, pick, assumptions)
    before_start(title, SRC_RELOC, _site, site)
    if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
        before_start(title, SRC_RELOC, _raise, ValidationError(f"batch is a whole number >= 1, not {show(batch)}",
                                                               rule="mailboxes move in batches"))
    if old is new:
        before_start(title, SRC_RELOC, _raise, ConfigurationError(
            "the Exchange 2000 cluster is built beside the 5.5 cluster, not on it",
            rule="Exchange 5.5 and Exchange 2000 do not share a cluster", source=SRC_MIG))
    vs55 = e55.server(old) if hasattr(old, "extensions") else None
    total = vs55.mailboxes if vs55 is not None else 0
    nbatches = max(1, math.ceil(total / batch))
    do = _MailboxRelocationSteps(dict(a=a, batch=batch, e55=e55, nbatches=nbatches, new=new, old=old, site=site))
    steps = [Step("check a non-clustered Exchange 2000 server runs SRS in the site", do.srs, source=SRC_SRS),
             Step("check the Exchange 2000 cluster beside it is ready", do.ready, source=SRC_RELOC)]
    steps += [Step(f"move mailboxes: batch {i + 1} of {nbatches}", do.move(i), source=SRC_RELOC) for i in range(nbatches)]
    steps += [Step("replicate the public folders", do.public, source=SRC_RELOC),
              Step("decommission the Exchange 5.5 cluster", do.decommission, source=SRC_RELOC)]
    return Procedure(title, new, steps, source=SRC_RELOC, others=(old,),
                     params={"site": site, "virtual_server": virtual_server, "store": store},
                     rebuild=lambda cs: mailbox_relocation(cs[1], cs[0], site, virtual_server=virtual_server,
                                                           store=store, batch=batch, assumptions=a))


# --------------------------------------------------------------- in place
class _InPlaceUpgradeSteps:
    """The steps of :func:`in_place_upgrade`, one method each; the values they share are attributes."""

    def __init__(self, env: dict):
        self.__dict__.update(env)

    def files(self, p) -> dict:
        return state(p.cluster, create=True).files.setdefault(p.data["disk"], {})

    def pre(self, p):
        e55, files, site = self.e55, self.files, self.site
        vs = e55.server(p.cluster)
        if vs is None:
            raise NotFoundError(f"{p.cluster.name} has no Exchange 5.5 virtual server",
                                rule="upgrade an Exchange 5.5 cluster", source=SRC_INPLACE)
        check_in_place_preconditions(site, vs.name)
        sp = service_pack_advisory(site)
        if sp is not None:
            p.advisories.append(sp)
        p.data.update(evs=vs.name, group=vs.group, disk=vs.disk, data=vs.data_path, bin=vs.binaries,
                      mailboxes=vs.mailboxes, root=vs.data_path.rsplit("\\", 1)[0])
        f = files(p)
        f.setdefault(vs.binaries, list(BINARIES_55))
        f.setdefault(vs.data_path, list(DATA_55))
        return (f"{vs.name}: SP{site.exchange55_service_pack}, {site.cluster_windows} in a {site.domain} domain, "
                f"ADC run, {site.srs_server} is the site's Exchange 2000 server")

    def backup(self, p):
        a, e55 = self.a, self.e55
        c = p.cluster
        vs = e55.server(c)
        p.data["t_off"] = c.clock.ms               # users are cut off from here: an offline backup stops Exchange
        c.offline_resource(vs.resources["System Attendant"])      # with the Directory, the IS and the MTA
        wait(c)
        running = [r for r in vs.resources.values() if c.resources[r].state is not ResourceState.OFFLINE]
        if running:
            raise ProcedureError(f"{', '.join(running)} did not stop", rule="an offline backup is taken with the "
                                 "Exchange services stopped", source=f"{SRC_INPLACE}, step 1")
        mb = p.data["mailboxes"] * a.mailbox_mb + a.public_store_mb
        c.run(seconds=a.transfer_s(mb, "local"))
        minutes(c, a.system_state_backup_min)
        b = BackupSet(f"offline {p.data['evs']} {c.now:%Y-%m-%d %H:%M}", BackupKind.OFFLINE, p.data["evs"],
                      c.now.isoformat(timespec="seconds"), c.clock.ms, c.groups[p.data["group"]].owner,
                      [{"storage_group": "", "database": "PRIV.EDB", "kind": DatabaseKind.MAILBOX.value,
                        "mailboxes": p.data["mailboxes"]},
                       {"storage_group": "", "database": "PUB.EDB", "kind": DatabaseKind.PUBLIC.value,
                        "mailboxes": 0}], mb)
        state(c, create=True).backup_sets.append(b)
        p.tables["back-out plan"] = [
            {"step": 1, "action": "stop: take the cluster group offline, remove whatever Exchange 2000 was installed"},
            {"step": 2, "action": f"restore the offline backup {show(b.name)} with System State on both nodes"},
            {"step": 3, "action": "restart the nodes; bring the Exchange 5.5 group online; check the mailboxes"}]
        p.backout = (c.copy(), b)          # what back_out() restores
        return (f"Exchange 5.5 services stopped; {show(b.name)}: {mb:,.0f} MB with System State (the back-out point); "
                "the services stay stopped, so no mail arrives that the backup lacks")

    def offline(self, p):
        p.cluster.offline_group(p.data["group"])
        wait(p.cluster)
        return f"group {p.data['group']} offline"

    def rename_away(self, p):
        a, renamed = self.a, self.renamed
        minutes(p.cluster, a.file_work_min)
        new = rename_folder(p.cluster, p.data["disk"], p.data["data"], renamed)
        p.data["renamed"] = new
        return f"{p.data['data']} -> {new}"

    def remove55(self, p):
        a, e55, files, site = self.a, self.e55, self.files, self.site
        cas = _cas_to(site, p.data["evs"])
        if cas:
            raise ConfigurationError(f"connection agreements {', '.join(cas)} point to {p.data['evs']}",
                                     rule="delete the connection agreements pointing to the Exchange 5.5 cluster "
                                          "before proceeding", source=f"{SRC_INPLACE}, note to step 4")
        f = files(p)
        if _find(f, p.data["data"]) is not None:
            raise ProcedureError(f"{p.data['data']} still exists: Remove All would delete it with the binaries",
                                 rule="rename mdbdata before removing Exchange 5.5", source=f"{SRC_INPLACE}, step 3")
        minutes(p.cluster, a.e55_remove_min)
        gone = e55.remove_virtual_server(p.cluster)
        f.pop(_find(f, p.data["bin"]), None)
        return f"Remove All on both nodes: {len(gone)} resources and {p.data['bin']} deleted; {p.data['renamed']} kept"

    def rename_back(self, p):
        a, files = self.a, self.files
        f = files(p)
        if _find(f, p.data["renamed"]) is None:
            raise ProcedureError(f"{p.data['renamed']} is missing", rule="rename the folder back to mdbdata",
                                 source=f"{SRC_INPLACE}, step 5")
        minutes(p.cluster, a.file_work_min)
        return f"{p.data['renamed']} -> {rename_folder(p.cluster, p.data['disk'], p.data['renamed'], 'mdbdata')}"

    def install(self, n):
        a = self.a
        def act(p):
            c = p.cluster
            install_exchange(c, n, a)
            require_back(c, n, rule="restart each node after installing; not both at the same time",
                         source=f"{SRC_INPLACE}, step 6", up=False)
            return "installed; restarted"
        return act

    def create(self, p):
        ex, files = self.ex, self.files
        c = p.cluster
        if _find(files(p), f"{p.data['root']}\\mdbdata") is None:
            raise ProcedureError("there is no mdbdata folder on the shared disk",
                                 rule="rename the folder back to mdbdata before creating the virtual server",
                                 source=f"{SRC_INPLACE}, step 5")
        sa = ex.TABLE7_BY_ROLE["System Attendant"].type
        name = ex.resource_names(p.data["evs"])
        c.add_resource(name["System Attendant"], type=sa, group=p.data["group"],
                       dependencies=[name["Network Name"], p.data["disk"]])
        p.data["log_mark"] = len(c.log)
        return f"Exchange 2000 virtual server {p.data['evs']} in group {p.data['group']}, left offline"

    def created_offline(self, p):
        if p.cluster.groups[p.data["group"]].state is not GroupState.OFFLINE:
            raise ProcedureError("the group is not offline", rule="do not bring the group online yet",
                                 source=f"{SRC_INPLACE}, step 7")

    def databases(self, p):
        a, ex, files = self.a, self.ex, self.files
        c = p.cluster
        vs = ex.virtual_server(c, p.data["evs"])
        came = [e for e in c.log.since(p.data["log_mark"]) if e.obj == vs.information_store
                and e.what.endswith("-> Online")]
        if came:
            raise ProcedureError(f"{vs.name}'s Information Store was brought online at {came[0].time:%H:%M:%S}: "
                                 "it created new, empty databases", rule="do not bring the group online before step 9",
                                 source=f"{SRC_INPLACE}, step 7")
        f = files(p)
        key = _find(f, f"{p.data['root']}\\mdbdata")
        have = {x.upper() for x in f[key]}
        if not {"PRIV.EDB", "PUB.EDB"} <= have:
            raise ProcedureError(f"{key} holds {sorted(f[key])}, not Priv.edb and Pub.edb",
                                 rule="keep Priv.edb and Pub.edb", source=f"{SRC_INPLACE}, step 8")
        minutes(c, a.file_work_min)
        deleted = [x for x in f[key] if x.upper() not in ("PRIV.EDB", "PUB.EDB")]
        f[key] = ["Priv1.edb", "Pub1.edb"]
        c.record(p.data["disk"], "database files prepared",
                 f"deleted {', '.join(deleted)}; Priv.edb -> Priv1.edb, Pub.edb -> Pub1.edb")
        return f"deleted {len(deleted)} files; Priv1.edb and Pub1.edb"

    def online(self, p):
        ex, files = self.ex, self.files
        c = p.cluster
        if p.data["mailboxes"]:
            ex.add_mailboxes(c, p.data["evs"], f"Mailbox Store ({p.data['evs']})", p.data["mailboxes"])
        c.online_group(p.data["group"])
        wait(c)
        f = files(p)
        key = _find(f, f"{p.data['root']}\\mdbdata")
        if c.groups[p.data["group"]].state is GroupState.ONLINE:
            f[key] = ["Priv1.edb", "Priv1.stm", "Pub1.edb", "Pub1.stm", "E00.chk", "E00.log"]
            c.record(p.data["disk"], "databases converted", "Priv1.stm and Pub1.stm created on first mount")
        p.interruptions.extend(interruptions(c, p.data["t_off"], cause="in-place upgrade", groups=[p.data["group"]]))
        return f"{p.data['evs']} online on {c.groups[p.data['group']].owner}; {p.data['mailboxes']} mailboxes converted"

    def converted(self, p):
        files = self.files
        c = p.cluster
        f = files(p)
        key = _find(f, f"{p.data['root']}\\mdbdata")
        if c.groups[p.data["group"]].state is not GroupState.ONLINE or "Priv1.stm" not in f.get(key, []):
            raise ProcedureError("the virtual server is not online with converted databases",
                                 rule="the databases are converted and the .STM files created on first mount",
                                 source=f"{SRC_INPLACE}, step 9")


def in_place_upgrade(cluster, site: ExchangeSite, *, renamed: str = "mdbdata.old", assumptions=None) -> Procedure:
    """Microsoft's 9-step in-place upgrade of an Exchange 5.5 cluster, with its preconditions."""
    from .. import exchange as ex
    from ..exchange import e55
    title = "Migration from Exchange 5.5: in-place upgrade"
    before_start(title, "labkit procedures", need_cluster, cluster, "cluster")
    a = before_start(title, SRC_INPLACE, pick, assumptions)
    before_start(title, SRC_INPLACE, _site, site)
    nodes = cluster.node_ids()
    do = _InPlaceUpgradeSteps(dict(a=a, e55=e55, ex=ex, renamed=renamed, site=site))
    steps = [Step("check the upgrade's preconditions", do.pre, source=SRC_INPLACE),
             Step("(1) back up everything offline, with System State", do.backup, source=f"{SRC_INPLACE}, step 1"),
             Step("(2) take the Exchange 5.5 group offline", do.offline, source=f"{SRC_INPLACE}, step 2"),
             Step("(3) rename the mdbdata folder", do.rename_away, source=f"{SRC_INPLACE}, step 3"),
             Step("(4) remove Exchange 5.5 from both nodes", do.remove55, source=f"{SRC_INPLACE}, step 4")]
    steps += [Step("(5) rename the folder back to mdbdata", do.rename_back, source=f"{SRC_INPLACE}, step 5")]
    steps += [Step(f"(6) install Exchange 2000 on {n} and restart it", do.install(n), source=f"{SRC_INPLACE}, step 6")
              for n in nodes]
    steps += [Step("(7) create the virtual server in the same group, offline", do.create, verify=do.created_offline,
                   source=f"{SRC_INPLACE}, step 7"),
              Step("(8) keep Priv.edb and Pub.edb, renamed Priv1.edb and Pub1.edb", do.databases,
                   source=f"{SRC_INPLACE}, step 8"),
              Step("(9) bring the group online: the databases are converted", do.online, verify=do.converted,
                   source=f"{SRC_INPLACE}, step 9")]
    p = Procedure(title, cluster, steps, source=SRC_INPLACE, params={"site": site},
                  rebuild=lambda cs: in_place_upgrade(cs[0], site, renamed=renamed, assumptions=a))
    p.backout = None
    return p


def back_out(procedure: Procedure, *, assumptions=None):
    """Carry out the in-place upgrade's back-out plan: return the cluster as restored from
    step 1's offline backup (with System State), its clock moved on past the restore and
    its Exchange 5.5 group back online. ``procedure.cluster`` (the half-upgraded
    cluster) is left as it is; the users' whole interruption -- from step 1, when the
    offline backup stopped Exchange, through the upgrade so far and the restore, until
    the group is back online -- is added to the procedure's report (cause "in-place
    upgrade, backed out") with a "back-out" table."""
    a = pick(assumptions)
    if not isinstance(procedure, Procedure):
        raise ValidationError(f"back_out takes the in-place upgrade procedure, not {show(procedure)}",
                              rule="the back-out plan belongs to an in-place upgrade")
    point = getattr(procedure, "backout", None)
    if point is None:
        raise ProcedureError(f"{procedure.title}: step 1's offline backup has not been taken; there is nothing to back "
                             "out to", rule="the back-out plan starts from the offline backup of step 1",
                             source=f"{SRC_INPLACE}, step 1")
    snapshot, b = point
    restored = snapshot.copy()
    now = procedure.cluster.clock.ms
    restore_s = a.transfer_s(b.size_mb, "local") + a.system_state_restore_min * 60
    restored.run(seconds=max(0, now - restored.clock.ms) / 1000 + restore_s)
    from ..exchange import e55
    vs = e55.server(restored)
    cause = "in-place upgrade, backed out"
    cut = []
    if vs is not None:
        restored.online_group(vs.group)
        wait(restored)
        cut = [replace(i, users=vs.mailboxes)     # Exchange 5.5's users: its mailboxes
               for i in interruptions(restored, procedure.data["t_off"], cause=cause, groups=[vs.group])]
    procedure.interruptions = [i for i in procedure.interruptions if i.cause != cause] + cut
    hours = sum(i.seconds for i in cut) / 3600
    procedure.tables["back-out"] = [{"restored from": b.name, "restore (h)": round(restore_s / 3600, 2),
                                     "back online": f"{restored.now:%Y-%m-%d %H:%M}",
                                     "users cut off (h)": round(hours, 2), "users": sum(i.users for i in cut)}]
    restored.record(restored.name, "backed out", f"restored from {show(b.name)} with System State (back-out plan); "
                    f"users cut off {hours:.1f} h since step 1's offline backup")
    return restored


def _raise(e):
    raise e
