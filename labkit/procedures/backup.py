"""Backing up a clustered Exchange server (paper, Disaster Recovery Considerations).

A nightly job backs up one virtual server's Information Store. Where the job is set
up decides what happens after a failover:

- bound to a **node** (a tape drive and NT Backup on each node, or a LAN agent that
  targets the node's name): it backs up whatever store is local there. If the store
  has failed over, the job fails ("errors will occur if the backup software attempts
  to back up an information store that is not on the local server"); if the node is
  down, the job never starts and the store is not backed up at all -- a missed backup.
- bound to the virtual server's **name**: it finds the store wherever it runs.

A failover in the middle of a backup halts it; a non-cluster-aware agent keeps no
log to restart from, so it starts again from the beginning on the partner node
(``cluster_aware=True`` resumes instead [U: vendor-dependent]). Local backups run at
``local_backup_mb_s``, LAN backups at ``lan_backup_mb_s``
(:class:`~labkit.procedures.assumptions.Assumptions`).

Jobs run on the cluster's simulated clock as plug-in jobs (``cluster.schedule``);
they are appointments, so ``cluster.run(hours=...)`` drives them, not
``run_until_stable``. Every start, halt, restart and outcome is written to the log.

>>> from labkit.exchange import demo_cluster
>>> c = demo_cluster()
>>> _ = add_backup_job(c, "NIGHTLY EXVS1", "EXVS1", bound_to="name", hour=22)
>>> c.run(hours=14)
>>> [(h["outcome"], h["node"]) for h in backup_history(c)]
[('completed', '1-CURLY')]
"""
from __future__ import annotations

import math
from datetime import timedelta

from ..cluster.model import GroupState, NodeState, ResourceState
from ..cluster.cluster import register_job_handler
from ..values import HOUR, NAME, accept, exact, show
from ..errors import NameConflictError, NotFoundError, ProcedureError, StateError, ValidationError
from .assumptions import pick
from .engine import Procedure, Step, before_start, minutes, need_cluster, wait
from ..exchange.model import DatabaseKind
from .state import BackupJob, BackupKind, BackupSet, JobBinding, RunOutcome, state

SRC_DR = "paper, Disaster Recovery Considerations"
START = "procedures.backup_start"
TICK = "procedures.backup_tick"
DAY_MS = 86_400_000


# ----------------------------------------------------------------- catalogue
def backup_sets(cluster, *, source: str | None = None, kind: BackupKind | None = None) -> list[BackupSet]:
    """The backup sets in the catalogue, oldest first (optionally of one source or kind)."""
    need_cluster(cluster)
    s = state(cluster)
    return [b for b in (s.backup_sets if s is not None else ())
            if (source is None or b.source == source) and (kind is None or b.kind == kind)]


def latest(sets, *, source: str | None = None, kind: BackupKind | None = None) -> BackupSet | None:
    """The most recent set of ``sets`` matching ``source`` and ``kind``."""
    found = [b for b in sets if (source is None or b.source == source) and (kind is None or b.kind == kind)]
    return max(found, key=lambda b: b.taken_ms) if found else None


def database_contents(cluster, evs: str) -> list[dict]:
    """What a backup of ``evs`` holds: one dict per database (storage group, name, kind,
    mailboxes)."""
    from ..exchange import virtual_server
    vs = virtual_server(cluster, evs)
    return [{"storage_group": sg.name, "database": db.name, "kind": str(db.kind), "mailboxes": db.mailboxes}
            for sg in vs.storage_groups.values() for db in sg.databases.values()]


def size_mb(databases: list[dict], mailbox_mb: float, public_store_mb: float) -> float:
    """Size of a backup of these databases: mailboxes x ``mailbox_mb`` plus each public
    store (at least 1 MB).

    >>> size_mb([{"kind": "mailbox", "mailboxes": 1250}, {"kind": "public", "mailboxes": 0}], 25, 2000)
    33250.0
    """
    total = sum(d["mailboxes"] * mailbox_mb if d["kind"] == DatabaseKind.MAILBOX else public_store_mb
                for d in databases)
    return max(1.0, float(total))


def backup_durations(cluster, assumptions=None) -> list[dict]:
    """For each virtual server: the size of its backup and how long it takes to a local
    tape drive and over the LAN (the paper's trade-off, with the named throughputs)."""
    need_cluster(cluster)
    from ..exchange import virtual_servers
    a = pick(assumptions)
    rows = []
    for evs in virtual_servers(cluster):
        mb = size_mb(database_contents(cluster, evs), a.mailbox_mb, a.public_store_mb)
        rows.append({"virtual_server": evs, "size_mb": round(mb), "local_h": round(a.transfer_s(mb, "local") / 3600, 2),
                     "lan_h": round(a.transfer_s(mb, "lan") / 3600, 2),
                     "assumption": f"local {a.local_backup_mb_s:g} MB/s, LAN {a.lan_backup_mb_s:g} MB/s [U]"})
    return rows


def _add_set(cluster, b: BackupSet) -> BackupSet:
    state(cluster, create=True).backup_sets.append(b)
    return b


def take_system_state_backup(cluster, node: str, *, assumptions=None) -> BackupSet:
    """NT Backup of ``node``'s System State; on a running cluster node it holds the
    cluster database (quorum log and checkpoints, KB 248998). Takes
    ``system_state_backup_min``."""
    need_cluster(cluster)
    a = pick(assumptions)
    n = cluster.node(node)
    node = n.name
    if n.state not in (NodeState.UP, NodeState.PAUSED) or not cluster.running:
        raise StateError(f"{node} is {n.state}; the System State of a node includes the cluster database only "
                         "while its cluster service runs", rule="back up System State on a running cluster node",
                         source="KB 248998")
    with cluster.transaction():
        minutes(cluster, a.system_state_backup_min)
        b = _add_set(cluster, BackupSet(f"System State {node} {cluster.now:%Y-%m-%d %H:%M}", BackupKind.SYSTEM_STATE,
                                        node, cluster.now.isoformat(timespec="seconds"), cluster.clock.ms, node))
        cluster.record(f"backup {b.name}", "System State backed up", "includes the cluster database (KB 248998)",
                       node)
    return b


# ---------------------------------------------------------------------- jobs
def _ms_until(cluster, hour: int) -> int:
    now = cluster.now
    at = now.replace(hour=hour, minute=0, second=0, microsecond=0)
    if at <= now:
        at += timedelta(days=1)
    return int((at - now).total_seconds() * 1000)


def add_backup_job(cluster, name: str, virtual_server: str, *, bound_to: JobBinding, target: str | None = None,
                   path: str = "lan", hour: int = 22, cluster_aware: bool = False, assumptions=None) -> BackupJob:
    """Schedule a nightly backup of ``virtual_server``'s Information Store at ``hour``:00.

    ``bound_to="node"``: the job belongs to ``target`` (default: the node running the
    virtual server now). ``bound_to="name"``: it targets the virtual server's network
    name (``target`` defaults to it; another name is refused). ``path`` is "local" or
    "lan"; ``cluster_aware`` says whether the agent can resume after a failover.
    """
    need_cluster(cluster)
    from ..exchange import virtual_server as get_vs
    a = pick(assumptions)
    if not isinstance(name, str) or not name.strip():
        raise ValidationError(f"a backup job is named by a string, not {show(name)}", rule="jobs are named")
    name = accept(NAME, name, "name")
    s = state(cluster)
    if s is not None and name in s.backup_jobs:
        raise NameConflictError(f"backup job {show(name)} exists", rule="job names are unique")
    vs = get_vs(cluster, virtual_server)
    if bound_to not in tuple(JobBinding):
        raise ValidationError(f"bound_to is 'node' or 'name', not {show(bound_to)}",
                              rule="a backup job is bound to a node or to a virtual server's name", source=SRC_DR)
    bound_to = JobBinding(bound_to)
    if bound_to is JobBinding.NODE:
        target = target if target is not None else cluster.groups[vs.group].owner
        target = cluster.node(target).name
    else:
        target = vs.name if target is None else target
        if not isinstance(target, str) or target.upper() != vs.name:
            raise ValidationError(f"a name-bound job targets the virtual server's network name {show(vs.name)}, not "
                                  f"{show(target)}", rule="clients and agents reach a virtual server by its name",
                                  source="paper, Exchange Virtual Servers: The Unit of Failover")
        target = vs.name
    rate = a.backup_mb_s(path)
    if not HOUR.ok(hour):
        raise ValidationError(f"hour is a whole number 0-23, not {show(hour)}", rule="jobs start on the hour")
    hour = exact(hour)
    if not isinstance(cluster_aware, bool):
        raise ValidationError("cluster_aware is True or False")
    job = BackupJob(name, vs.name, bound_to, target, path, hour, cluster_aware, rate, a.agent_poll_s, a.backup_wait_h,
                    a.mailbox_mb, a.public_store_mb)
    with cluster.transaction():
        state(cluster, create=True).backup_jobs[name] = job
        cluster.register_handler(START, _on_start)
        cluster.register_handler(TICK, _on_tick)
        cluster.schedule(_ms_until(cluster, hour), START, (name,), transient=False)
        cluster.record(f"backup job {name}", "scheduled",
                       f"{vs.name}'s store, daily at {hour:02d}:00, bound to {bound_to} {target}, {path} "
                       f"({rate:g} MB/s), {'cluster-aware' if cluster_aware else 'non-cluster-aware'} agent")
    return job


def remove_backup_job(cluster, name: str) -> None:
    """Stop scheduling a job (its queued starts become no-ops); its history stays."""
    need_cluster(cluster)
    s = state(cluster)
    name = accept(NAME, name, "name")
    if s is None or name not in s.backup_jobs:
        raise NotFoundError(f"no backup job {show(name)}", rule="commands name existing jobs")
    del s.backup_jobs[name]
    cluster.record(f"backup job {name}", "removed", "")


def backup_history(cluster, job: str | None = None) -> list[dict]:
    """One row per run of every job (or of ``job``), in time order."""
    need_cluster(cluster)
    s = state(cluster)
    rows = [h for j in (s.backup_jobs.values() if s is not None else ()) for h in j.history
            if job is None or h["job"] == job]
    return sorted(rows, key=lambda h: (h["at_ms"], h["job"]))


def _store_node(cluster, job: BackupJob) -> tuple[object, str | None]:
    from ..exchange.model import org as exchange_org
    o = exchange_org(cluster)
    vs = o.virtual_servers.get(job.virtual_server) if o is not None else None
    r = cluster.resources.get(vs.information_store or "") if vs is not None else None
    where = r.node if r is not None and r.state is ResourceState.ONLINE else None
    return r, where


def _finish(cluster, job: BackupJob, outcome: RunOutcome, why: str, node: str | None = None) -> None:
    now = cluster.clock.ms
    start = job.history[-1]["at_ms"] if job.history and job.history[-1]["outcome"] == RunOutcome.RUNNING else now
    row = {"job": job.name, "virtual_server": job.virtual_server, "bound_to": f"{job.bound_to} {job.target}",
           "path": job.path, "at_ms": start, "started": cluster.clock.at(start).strftime("%Y-%m-%d %H:%M:%S"),
           "finished": cluster.now.strftime("%Y-%m-%d %H:%M:%S"), "hours": round((now - start) / 3_600_000, 2),
           "node": node, "outcome": str(outcome), "restarts": job.restarts, "why": why}
    if job.history and job.history[-1]["outcome"] == RunOutcome.RUNNING:
        job.history[-1] = row
    else:
        job.history.append(row)
    job.running_on = job.waiting_since_ms = job.started_ms = job.last_ms = None
    cluster.record(f"backup job {job.name}", f"backup {outcome}", why, node)


def _on_start(cluster, name: str) -> None:
    s = state(cluster)
    job = s.backup_jobs.get(name) if s is not None else None
    if job is None:
        return
    cluster.schedule(DAY_MS, START, (name,), transient=False)
    if job.busy:
        cluster.record(f"backup job {name}", "start skipped", "the previous run has not finished")
        return
    r, where = _store_node(cluster, job)
    if r is None:
        _finish(cluster, job, RunOutcome.FAILED, f"{job.virtual_server} has no Information Store any more")
        return
    if job.bound_to is JobBinding.NODE:
        n = cluster.nodes.get(job.target)
        if n is None or n.state not in (NodeState.UP, NodeState.PAUSED):
            state_ = "evicted" if n is None else str(n.state)
            _finish(cluster, job, RunOutcome.MISSED, f"node {job.target} is {state_}: the job never started and "
                    f"{job.virtual_server} (now on {where or 'no node'}) was not backed up ({SRC_DR})")
            return
        if where != job.target:
            _finish(cluster, job, RunOutcome.FAILED, f"the Information Store of {job.virtual_server} is not on "
                    f"{job.target} (it runs on {where or 'no node'}): a node-bound, non-cluster-aware job cannot back up a "
                    f"store that is not local ({SRC_DR})", job.target)
            return
    elif where is None:
        _finish(cluster, job, RunOutcome.FAILED, f"{job.virtual_server}'s Information Store is not online")
        return
    job.run += 1
    job.restarts, job.done_mb = 0, 0.0         # a new run starts from the beginning
    job.size_mb = size_mb(database_contents(cluster, job.virtual_server), job.mailbox_mb, job.public_store_mb)
    job.history.append({"job": name, "at_ms": cluster.clock.ms, "outcome": str(RunOutcome.RUNNING)})
    _begin(cluster, job, where, f"{job.size_mb:,.0f} MB at {job.rate_mb_s:g} MB/s ({job.path}): about "
           f"{job.size_mb / job.rate_mb_s / 3600:.1f} h")


def _begin(cluster, job: BackupJob, node: str, why: str) -> None:
    job.running_on = node
    job.waiting_since_ms = None
    job.started_ms = job.last_ms = cluster.clock.ms
    cluster.record(f"backup job {job.name}", f"backup running on {node}", why, node)
    _next_tick(cluster, job)


def _next_tick(cluster, job: BackupJob) -> None:
    left_s = max(0.0, (job.size_mb - job.done_mb) / job.rate_mb_s)
    delay = min(job.poll_s, left_s) if job.running_on else job.poll_s
    cluster.schedule(max(1, math.ceil(delay * 1000)), TICK, (job.name, job.run), transient=False)


def _on_tick(cluster, name: str, run: int) -> None:
    s = state(cluster)
    job = s.backup_jobs.get(name) if s is not None else None
    if job is None or run != job.run or not job.busy:
        return
    now = cluster.clock.ms
    r, where = _store_node(cluster, job)
    if job.waiting_since_ms is not None:
        _waiting(cluster, job, where)
        return
    node = job.running_on
    ok = r is not None and where == node and r.online_since_ms is not None and r.online_since_ms <= job.last_ms
    if not ok:
        pct = 100 * job.done_mb / job.size_mb
        cluster.record(f"backup job {name}", f"backup halted at {pct:.0f}%",
                       f"the agent lost its session: the Information Store left {node} or restarted", node)
        if job.bound_to is JobBinding.NODE:
            _finish(cluster, job, RunOutcome.FAILED, f"halted at {pct:.0f}%: the store failed over away from {node}; a "
                    f"node-bound job cannot follow it ({SRC_DR})", node)
            return
        job.running_on = None
        job.waiting_since_ms = now
        _waiting(cluster, job, where)
        return
    job.done_mb = min(job.size_mb, job.done_mb + job.rate_mb_s * (now - job.last_ms) / 1000)
    job.last_ms = now
    if job.done_mb >= job.size_mb - 1e-6:
        dbs = database_contents(cluster, job.virtual_server)
        b = _add_set(cluster, BackupSet(f"{job.virtual_server} {cluster.now:%Y-%m-%d %H:%M}", BackupKind.EXCHANGE,
                                        job.virtual_server, cluster.now.isoformat(timespec="seconds"), now, node,
                                        dbs, job.size_mb, job.name))
        extra = f" after {job.restarts} restart(s) from the beginning" if job.restarts else ""
        _finish(cluster, job, RunOutcome.COMPLETED, f"backup set {show(b.name)}: {len(dbs)} database(s){extra}", node)
        return
    _next_tick(cluster, job)


def _waiting(cluster, job: BackupJob, where: str | None) -> None:
    now = cluster.clock.ms
    if where is not None:
        if job.cluster_aware:
            pct = 100 * job.done_mb / job.size_mb
            _begin(cluster, job, where, f"resumed at {pct:.0f}% on the partner node (cluster-aware agent) [U]")
        else:
            job.done_mb = 0.0
            job.restarts += 1
            _begin(cluster, job, where, "restarted from the beginning on the partner node: a non-cluster-aware agent "
                   f"keeps no log to resume from ({SRC_DR})")
        return
    if now - job.waiting_since_ms >= job.wait_h * 3_600_000:
        _finish(cluster, job, RunOutcome.FAILED,
                f"{job.virtual_server}'s store did not come back within {job.wait_h:g} h")
        return
    _next_tick(cluster, job)


# ------------------------------------------------------------------ drills
class _BackupBindingDrillSteps:
    """The steps of :func:`backup_binding_drill`, one method each; the values they share are attributes."""

    def __init__(self, env: dict):
        self.__dict__.update(env)

    def node_job(self, p):
        a, hour, path, virtual_server = self.a, self.hour, self.path, self.virtual_server
        from ..exchange import virtual_server as get_vs
        vs = get_vs(p.cluster, virtual_server)
        node = p.cluster.groups[vs.group].owner
        p.data.update(evs=vs.name, group=vs.group, node=node)
        add_backup_job(p.cluster, f"{vs.name} on {node}", vs.name, bound_to=JobBinding.NODE, target=node, path=path,
                       hour=hour, assumptions=a)
        return f"NT Backup on {node}, tape drive in the node"

    def name_job(self, p):
        a, hour, path = self.a, self.hour, self.path
        add_backup_job(p.cluster, f"{p.data['evs']} by name", p.data["evs"], bound_to=JobBinding.NAME, path=path,
                       hour=hour, assumptions=a)
        return f"targets the network name {p.data['evs']}"

    def fail(self, p):
        failover = self.failover
        c, node = p.cluster, p.data["node"]
        if failover == "crash":
            c.crash_node(node)
        else:
            c.move_group(p.data["group"])
        wait(c)
        return f"{p.data['group']} now on {c.groups[p.data['group']].owner}"

    def moved(self, p):
        g = p.cluster.groups[p.data["group"]]
        if g.owner == p.data["node"] or g.state is not GroupState.ONLINE:
            raise ProcedureError(f"{g.name} is {g.state} on {g.owner}", rule="the virtual server runs on another node",
                                 source=SRC_DR)

    def night(self, p):
        c = p.cluster
        for _ in range(48):
            hist = backup_history(c)
            if len(hist) >= 2 and not any(j.busy for j in state(c).backup_jobs.values()):
                break
            c.run(hours=1)
        p.tables["backups"] = [{k: h[k] for k in ("job", "bound_to", "node", "started", "hours", "outcome", "why")}
                               for h in backup_history(c)]
        return "; ".join(f"{h['job']}: {h['outcome']}" for h in backup_history(c))

    def outcome(self, p):
        rows = {h["job"]: h["outcome"] for h in backup_history(p.cluster)}
        node_out = rows.get(f"{p.data['evs']} on {p.data['node']}")
        name_out = rows.get(f"{p.data['evs']} by name")
        if node_out not in (RunOutcome.MISSED, RunOutcome.FAILED) or name_out != RunOutcome.COMPLETED:
            raise ProcedureError(f"node-bound job {node_out}, name-bound job {name_out}",
                                 rule="after a failover a node-bound job misses or fails; a name-bound job runs",
                                 source=SRC_DR)


def backup_binding_drill(cluster, virtual_server: str, *, failover: str = "crash", path: str = "local",
                         hour: int = 22, assumptions=None) -> Procedure:
    """Show the paper's point: a job bound to the node running ``virtual_server`` and one
    bound to its name; the virtual server fails over before the backup window
    (``failover="crash"``: its node loses power -- the node job is *missed*;
    ``"move"``: a planned move -- the node job *fails*); the name-bound job runs."""
    title = f"Backup binding drill for {virtual_server}"
    before_start(title, "labkit procedures", need_cluster, cluster, "cluster")
    a = before_start(title, SRC_DR, pick, assumptions)
    if failover not in ("crash", "move"):
        before_start(title, SRC_DR, _raise, ValidationError(f"failover is 'crash' or 'move', not {show(failover)}",
                                                           rule="a drill fails over by a crash or a move"))
    do = _BackupBindingDrillSteps(dict(a=a, failover=failover, hour=hour, path=path,
                                       virtual_server=virtual_server))
    steps = [Step("schedule a job bound to the node", do.node_job, source=SRC_DR),
             Step("schedule a job bound to the virtual server's name", do.name_job, source=SRC_DR),
             Step(f"fail the virtual server over ({failover})", do.fail, verify=do.moved, source=SRC_DR),
             Step("run through the backup window", do.night, verify=do.outcome, source=SRC_DR)]
    return Procedure(title, cluster, steps, source=SRC_DR,
                     rebuild=lambda cs: backup_binding_drill(cs[0], virtual_server, failover=failover, path=path,
                                                             hour=hour, assumptions=a))


class _BackupInterruptionDrillSteps:
    """The steps of :func:`backup_interruption_drill`, one method each; the values they share are attributes."""

    def __init__(self, env: dict):
        self.__dict__.update(env)

    def schedule(self, p):
        a, cluster_aware, hour, path = self.a, self.cluster_aware, self.hour, self.path
        virtual_server, = self.virtual_server,
        from ..exchange import virtual_server as get_vs
        evs = get_vs(p.cluster, virtual_server).name
        j = add_backup_job(p.cluster, f"{evs} by name", evs, bound_to=JobBinding.NAME, path=path, hour=hour,
                           cluster_aware=cluster_aware, assumptions=a)
        p.data["job"] = j.name
        return f"{'cluster-aware' if cluster_aware else 'non-cluster-aware'} agent, {path}"

    def start(self, p):
        hour, interrupt_after_min = self.hour, self.interrupt_after_min
        c = p.cluster
        c.run(seconds=_ms_until(c, hour) / 1000 + interrupt_after_min * 60)
        job = state(c).backup_jobs[p.data["job"]]
        if job.running_on is None:
            last = job.history[-1]["outcome"] if job.history else "no run"
            raise ProcedureError(f"the backup is not running ({last})",
                                 rule="the drill interrupts a running backup", source=SRC_DR)
        p.data["node"] = job.running_on
        p.data["done_mb"] = job.done_mb
        return f"{100 * job.done_mb / job.size_mb:.0f}% done on {job.running_on}"

    def crash(self, p):
        p.cluster.crash_node(p.data["node"])
        wait(p.cluster)
        return f"{p.data['node']} lost power; the virtual server failed over"

    def finish(self, p):
        cluster_aware = self.cluster_aware
        c = p.cluster
        for _ in range(96):
            job = state(c).backup_jobs[p.data["job"]]
            if not job.busy:
                break
            c.run(minutes=30)
        h = backup_history(c, p.data["job"])[-1]
        p.tables["backups"] = [{k: h[k] for k in ("job", "node", "started", "finished", "hours", "restarts",
                                                  "outcome")}]
        lost = p.data["done_mb"] / state(c).backup_jobs[p.data["job"]].rate_mb_s / 3600 if h["restarts"] else 0.0
        p.tables["cost"] = [{"work redone (h)": round(lost, 2), "agent": "cluster-aware" if cluster_aware
                             else "non-cluster-aware"}]
        return f"{h['outcome']} on {h['node']} after {h['restarts']} restart(s); {lost:.2f} h of work redone"

    def verify(self, p):
        cluster_aware = self.cluster_aware
        h = backup_history(p.cluster, p.data["job"])[-1]
        want = 0 if cluster_aware else 1
        if h["outcome"] != RunOutcome.COMPLETED or h["restarts"] != want:
            raise ProcedureError(f"the backup {h['outcome']} with {h['restarts']} restart(s)",
                                 rule="a non-cluster-aware agent restarts from the beginning after a failover",
                                 source=SRC_DR)


def backup_interruption_drill(cluster, virtual_server: str, *, cluster_aware: bool = False, path: str = "lan",
                              hour: int = 22, interrupt_after_min: float = 60.0, assumptions=None) -> Procedure:
    """A name-bound backup is running when its virtual server's node fails: a
    non-cluster-aware agent restarts from the beginning on the partner node (the
    report shows the time lost); a cluster-aware one resumes [U]."""
    title = f"Backup interruption drill for {virtual_server}"
    before_start(title, "labkit procedures", need_cluster, cluster, "cluster")
    a = before_start(title, SRC_DR, pick, assumptions)
    do = _BackupInterruptionDrillSteps(dict(a=a, cluster_aware=cluster_aware, hour=hour,
                                            interrupt_after_min=interrupt_after_min, path=path,
                                            virtual_server=virtual_server))
    steps = [Step("schedule a name-bound backup", do.schedule, source=SRC_DR),
             Step(f"wait for the {hour:02d}:00 backup and let it run {interrupt_after_min:g} minutes", do.start,
                  source=SRC_DR),
             Step("crash the node it runs on", do.crash, source=SRC_DR),
             Step("let the backup finish", do.finish, verify=do.verify, source=SRC_DR)]
    return Procedure(title, cluster, steps, source=SRC_DR,
                     rebuild=lambda cs: backup_interruption_drill(cs[0], virtual_server, cluster_aware=cluster_aware,
                                                                  path=path, hour=hour,
                                                                  interrupt_after_min=interrupt_after_min,
                                                                  assumptions=a))


def _raise(e):
    raise e


# handlers for queued backup jobs, also for clusters loaded from a file
register_job_handler(START, _on_start)
register_job_handler(TICK, _on_tick)


__all__ = ["add_backup_job", "remove_backup_job", "backup_history", "backup_sets", "latest", "backup_durations",
           "take_system_state_backup", "database_contents", "size_mb", "backup_binding_drill",
           "backup_interruption_drill"]
