"""A site disaster on a stretch cluster (paper, Compaq ProLiant Cluster HA/F500
Enhanced DT Solution).

The HA/F500 Enhanced DT is a two-node cluster stretched over up to 10 km. The
storage at the *initiator* site serves every disk to both nodes and Data Replication
Manager mirrors it synchronously to the *target* site. If the initiator site is lost,
the surviving node loses every disk -- the quorum too -- and the cluster stops; a
*manual* recovery at the target site makes the mirrored data available, and "within
minutes" the cluster runs again.

:func:`configure_stretch` records the layout, :func:`site_disaster` destroys the
initiator site (its nodes crash and every online disk becomes unreachable), and
:func:`site_recovery` is the manual recovery, whose durations are named assumptions
(``disaster_decision_min``, ``drm_failover_min``, ``present_storage_min``) [U]. The
paper's HA/F500 runs Windows NT 4.0 Enterprise Edition; the model runs it on the
Windows 2000 core [D].

>>> from labkit.exchange import demo_cluster
>>> c = demo_cluster()
>>> _ = configure_stretch(c, initiator=["1-CURLY"], target=["2-MOE"], distance_km=8)
>>> site_disaster(c); c.running
False
>>> r = site_recovery(c).run()
>>> r.complete, r.table("timeline")[-1]["phase"]
(True, 'total')
"""
from __future__ import annotations

from ..cluster.model import GroupState, NodeState, ResourceState
from ..values import POSITIVE, show
from ..errors import ConfigurationError, LimitError, ProcedureError, StateError, ValidationError
from .assumptions import pick
from .engine import Procedure, Step, before_start, minutes, need_cluster, outages_since_loss, wait
from .state import StretchConfig, StretchState, state

SRC_DT = "paper, Compaq ProLiant Cluster HA/F500 Enhanced DT Solution (Stretch Cluster)"
MAX_KM = 10.0


def configure_stretch(cluster, initiator: list[str], target: list[str], *, distance_km: float = 10.0,
                      initiator_site: str = "SITE-A", target_site: str = "SITE-B") -> StretchConfig:
    """Say which node sits at the initiator site (with the primary storage) and which at
    the target site (with the DRM mirror). The HA/F500 Enhanced DT is a two-node cluster,
    nodes and storage at most 10 km apart."""
    need_cluster(cluster)
    for side in (initiator, target):
        if isinstance(side, str) or not isinstance(side, (list, tuple)) or not side:
            raise ValidationError("initiator and target are non-empty lists of node names",
                                  rule="each site holds cluster nodes")
    initiator, target = ([cluster.node(n).name for n in side] for side in (initiator, target))
    if set(initiator) & set(target):
        raise ValidationError("a node sits at one site", rule="each node is at one site")
    if len(cluster.nodes) != 2 or len(initiator) != 1 or len(target) != 1:
        raise LimitError(f"the HA/F500 Enhanced DT is a two-node cluster, one node per site; {cluster.name} has "
                         f"{len(cluster.nodes)} node(s)", rule="a stretch cluster has two nodes", source=SRC_DT)
    if not POSITIVE.ok(distance_km):
        raise ValidationError(f"distance_km is a number > 0, not {show(distance_km)}", rule="sites are some km apart")
    if distance_km > MAX_KM:
        raise ConfigurationError(f"the sites are {distance_km:g} km apart", rule="nodes and mirrored storage at most "
                                 "10 km apart (long-wave Fibre Channel)", source=SRC_DT)
    sites = {n: initiator_site for n in initiator} | {n: target_site for n in target}
    cfg = StretchConfig(initiator_site, target_site, sites, float(distance_km))
    state(cluster, create=True).stretch = cfg
    cluster.record(cluster.name, "stretch cluster configured",
                   f"{', '.join(initiator)} at {initiator_site} (initiator storage), {', '.join(target)} at "
                   f"{target_site} (DRM mirror), {distance_km:g} km")
    return cfg


def _cfg(cluster) -> StretchConfig:
    s = state(cluster)
    if s is None or s.stretch is None:
        raise ConfigurationError(f"{cluster.name} is not a stretch cluster; configure_stretch() first",
                                 rule="site recovery applies to stretch clusters", source=SRC_DT)
    return s.stretch


def site_disaster(cluster) -> None:
    """The initiator site is lost: its storage (every online disk) becomes unreachable
    and its nodes go down at once. The surviving node loses the quorum disk and the
    cluster stops."""
    need_cluster(cluster)
    cfg = _cfg(cluster)
    if cfg.state is not StretchState.MIRRORED:
        raise StateError(f"the stretch cluster is {cfg.state}", rule="a site is lost once", source=SRC_DT)
    if not cluster.running:
        raise StateError("the cluster is not running", rule="a disaster strikes a running cluster")
    disks = [r.name for r in cluster.resources.values()
             if r.type == "Physical Disk" and r.state is ResourceState.ONLINE]
    nodes = [n for n, site in cfg.sites.items() if site == cfg.initiator_site
             and cluster.nodes[n].state is not NodeState.DOWN]
    with cluster.transaction():
        cluster.record(cfg.initiator_site, "site lost", "its nodes and its storage (the initiator arrays) are gone")
        for d in disks:
            cluster.inject_fault(d, "crash", persistent=True, everywhere=True)
        for n in nodes:
            cluster.crash_node(n)
        cfg.state, cfg.lost_ms, cfg.lost_disks = StretchState.INITIATOR_LOST, cluster.clock.ms, disks
    cluster.run_until_stable()


class _SiteRecoverySteps:
    """The steps of :func:`site_recovery`, one method each; the values they share are attributes."""

    def __init__(self, env: dict):
        self.__dict__.update(env)

    def lost(self, p):
        c = p.cluster
        cfg = _cfg(c)
        if cfg.state is not StretchState.INITIATOR_LOST:
            raise StateError(f"the stretch cluster is {cfg.state}", rule="recover after the initiator site is lost",
                             source=SRC_DT)
        if c.running:
            raise StateError("the cluster still runs", rule="recover when the cluster stopped", source=SRC_DT)
        p.data["lost_ms"] = cfg.lost_ms
        p.data["survivors"] = [n for n, s in cfg.sites.items() if s == cfg.target_site]
        p.tables["timeline"] = []
        return f"{cfg.initiator_site} lost; {len(cfg.lost_disks)} disks unreachable"

    def phase(self, name, mins, what):
        def act(p):
            t0 = p.cluster.clock.ms
            minutes(p.cluster, mins)
            out = what(p) if what else None
            p.tables["timeline"].append({"phase": name, "minutes": round((p.cluster.clock.ms - t0) / 60000, 1),
                                         "assumption": f"{mins:g} min [U]"})
            return out
        return act

    def promote(self, p):
        c = p.cluster
        cfg = _cfg(c)
        for d in cfg.lost_disks:
            r = c.resources.get(d)
            if r is not None and r.persistent_fault:
                c.repair_resource(d)
        cfg.state = StretchState.ON_TARGET
        c.record(cfg.target_site, "mirrored units promoted", "DRM site failover: the target arrays serve the disks")
        return f"{len(cfg.lost_disks)} mirrored units promoted at {cfg.target_site}"

    def start(self, p):
        c = p.cluster
        t0 = c.clock.ms
        for n in p.data["survivors"]:
            if c.nodes[n].state is NodeState.DOWN:
                c.start_node(n)
        wait(c)
        p.tables["timeline"].append({"phase": "start the cluster service and the groups",
                                     "minutes": round((c.clock.ms - t0) / 60000, 1), "assumption": "simulated"})
        return f"{', '.join(p.data['survivors'])} formed the cluster"

    def running(self, p):
        if not p.cluster.running:
            raise ProcedureError("the cluster service did not start", rule="the promoted quorum disk lets the "
                                 "surviving node form the cluster", source=SRC_DT)

    def verify(self, p):
        c = p.cluster
        bad = [g.name for g in c.groups.values() if g.persistent_state and
               (g.state is not GroupState.ONLINE or g.owner not in p.data["survivors"])]
        if bad:
            raise ProcedureError(f"{', '.join(bad)} are not online at the target site (is the surviving node a "
                                 "possible owner of every resource?)", rule="every group runs at the target site",
                                 source=SRC_DT)
        p.interruptions.extend(outages_since_loss(c, p.data["lost_ms"], cause="site disaster"))
        total = (c.clock.ms - p.data["lost_ms"]) / 60000
        p.tables["timeline"].append({"phase": "total", "minutes": round(total, 1),
                                     "assumption": "the paper: 'within minutes'"})
        return f"back {total:.0f} min after the disaster"


def site_recovery(cluster, *, assumptions=None) -> Procedure:
    """The manual recovery at the target site after :func:`site_disaster`."""
    title = "Stretch cluster: recovery at the target site"
    before_start(title, "labkit procedures", need_cluster, cluster, "cluster")
    a = before_start(title, SRC_DT, pick, assumptions)
    do = _SiteRecoverySteps(dict())
    steps = [Step("confirm the initiator site is lost", do.lost, source=SRC_DT),
             Step("declare the site disaster", do.phase("declare the disaster", a.disaster_decision_min, None),
                  source=SRC_DT),
             Step("promote the mirrored storage at the target site", do.phase("DRM failover", a.drm_failover_min, do.promote),
                  source=SRC_DT),
             Step("present the promoted units to the surviving node",
                  do.phase("present the units", a.present_storage_min, None), source=SRC_DT),
             Step("start the cluster service on the surviving node", do.start, verify=do.running, source=SRC_DT),
             Step("verify every group runs at the target site", do.verify, source=SRC_DT)]
    return Procedure(title, cluster, steps, source=SRC_DT, rebuild=lambda cs: site_recovery(cs[0], assumptions=a))
