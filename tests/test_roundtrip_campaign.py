"""The round-trip campaign (issue 13): random commands of the core, the Exchange layer and
the procedures layer, with hostile values mixed into their arguments, on clusters in every
state -- nodes Up, Down, Paused, Joining; groups pending, failing over, partitioned; Exchange
virtual servers; shared disks, backup jobs and sets, procedures run one step at a time.
After every step the round-trip property of tests/roundtrip.py holds.

CI profile: about a minute; ``LABKIT_HYPOTHESIS=long`` runs the long profile.
"""
from __future__ import annotations

import hypothesis.strategies as st
from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule

import labkit as lk
from labkit import exchange as ex
from labkit import procedures as pr
from labkit.exchange import e55
from conftest import build
from roundtrip import LONG, Property, case_variants, hostile

PROP = Property("round-trip campaign", json_every=5)
#: no shrinking: a violation is reported with the steps that led to it and its message names
#: the step; shrinking a long stateful run would take minutes of CI
PROFILE = settings(max_examples=500 if LONG else 90, stateful_step_count=60 if LONG else 30, derandomize=True,
                   database=None, deadline=None, suppress_health_check=list(HealthCheck),
                   phases=[Phase.explicit, Phase.reuse, Phase.generate])


# ----------------------------------------------------------------------------- base clusters
def _core():
    return build(3, groups=2)


def _core_evicted():
    """Four nodes, one of them crashed and evicted (its name may not come back); a file
    share left Failed (RestartAction dont_restart)."""
    c = build(4, groups=2)
    c.crash_node("N4")
    c.run_until_stable()
    c.evict_node("N4")
    c.set_resource_properties("Share G2", restart_action="dont_restart")
    c.fail_resource("Share G2")
    c.run_until_stable()
    assert str(c.resources["Share G2"].state) == "Failed"
    return c


def _exchange():
    return ex.demo_cluster()


def _procedures():
    c = ex.demo_cluster()
    pr.add_shared_disk(c, "Disk S:", drive="S:")
    pr.add_shared_disk(c, "Disk T:", disk_type="dynamic", partitions=1, drive="T:")
    pr.take_system_state_backup(c, "1-CURLY")
    ex.add_mailboxes(c, "EXVS1", "Mailbox Store (EXVS1)", 500)     # about an hour of backup
    pr.add_backup_job(c, "Nightly EXVS1", "EXVS1", bound_to="name", hour=10)
    job = c.extensions["procedures"].backup_jobs["Nightly EXVS1"]
    while not job.busy:                 # to 10:00, when the backup starts
        c.run(minutes=5)
    c.run(minutes=5)
    assert job.busy
    return c


def _e55():
    c = lk.Cluster("OLDEX", ip="10.0.0.100")
    c.add_node("A", ip="10.0.0.1")
    c.add_node("B", ip="10.0.0.2")
    e55.create_virtual_server(c, "EX55", ip="10.0.0.11", disk="Disk E:")
    c.online_group("EX55")
    c.run_until_stable()
    return c


def _core_mid_failover():
    """A move under way (G1's resources going offline on its way to N2) and a crash not
    yet noticed (N3: the regroup is 7.2 s away)."""
    c = build(3, groups=2)
    c.move_group("G1", "N2" if c.groups["G1"].owner != "N2" else "N1")
    c.crash_node("N3")
    c.run(seconds=0.2)
    assert c.groups["G1"].move and c.nodes["N3"].regroup_pending
    return c


BASES = {"core": _core, "core, a node evicted": _core_evicted, "core, mid-failover": _core_mid_failover,
         "exchange": _exchange, "procedures": _procedures, "exchange 5.5": _e55}
_BUILT: dict = {}


def base(name: str) -> lk.Cluster:
    if name not in _BUILT:
        _BUILT[name] = BASES[name]()
    return _BUILT[name].copy()


# ------------------------------------------------------------------------------ arguments
def _names(c, what):
    if what == "node":
        return list(c.nodes) + list(c.evicted)
    if what == "group":
        return list(c.groups)
    if what == "resource":
        return list(c.resources)
    if what == "account":
        return list(c.accounts)
    o = c.extensions.get("exchange")
    if what == "evs":
        return list(o.virtual_servers) if o else ["EXVS1"]
    if what == "sg":
        return [sg for vs in o.virtual_servers.values() for sg in vs.storage_groups] if o else [ex.FIRST_SG]
    if what == "db":
        return [db.name for vs in o.virtual_servers.values() for db in vs.databases()] if o else ["Mailbox Store"]
    if what == "disk":
        return [r.name for r in c.resources.values() if r.type == "Physical Disk"]
    s = pr.state(c)
    if what == "shared disk":
        return list(s.disks) if s else ["Disk S:"]
    if what == "job":
        return list(s.backup_jobs) if s else ["Nightly EXVS1"]
    raise AssertionError(what)


NEW_NAMES = ["N9", "G9", "X1", "EXVS9", "Disk R:", "SG9", "DB9", "Job9", "LAB\\ops"]
SIMPLE = {
    "ip": st.sampled_from(["10.0.0.9", "10.0.1.9", "10.0.0.1", "132.192.1.55", "132.192.1.11", "dhcp"]),
    "drive": st.sampled_from(["R:", "s:", "Q:", "E:", "RR"]),
    "int": st.integers(-3, 30),
    "count": st.integers(-2, 600),
    "hour": st.integers(-1, 25),
    "num": st.floats(0, 2000, allow_nan=False),
    "bool": st.booleans(),
    "kind": st.sampled_from(["crash", "hang"]),
    "duration": st.sampled_from(["1s", "8s", "90s", "10m", "2h", "1d", "soon"]),
    "seconds": st.sampled_from([0, 0.5, 3, 8, 60, 900, 3600, 6 * 3600]),
    "window": st.one_of(st.none(), st.tuples(st.integers(0, 23), st.integers(0, 23))),
    "restart_action": st.sampled_from(["dont_restart", "restart_no_notify", "restart_notify", 1]),
    "bound_to": st.sampled_from(["node", "name", "site"]),
    "path": st.sampled_from(["lan", "local", "tape"]),
    "disk_type": st.sampled_from(["basic", "dynamic", "gpt"]),
    "db_kind": st.sampled_from(["mailbox", "public"]),
    "component": st.sampled_from(["POP3 Protocol", "NNTP Protocol", "Lotus Notes Connector", "Full-Text Indexing"]),
    "text": st.sampled_from(["SP3", "notes", "É", "a b"]),
}


@st.composite
def arg(draw, c, spec):
    """(value, hostile?) for one parameter of kind ``spec``: one in four is hostile."""
    if draw(st.integers(0, 3)) == 0:
        return draw(hostile()), 1
    if spec in SIMPLE:
        return draw(SIMPLE[spec]), 0
    if spec == "new":
        pool = NEW_NAMES + [v for n in _names(c, "group")[:3] + _names(c, "node")[:2] for v in case_variants(n)[:1]]
        return draw(st.sampled_from(pool)), 0
    if spec.endswith("s") and spec[:-1] in ("node", "resource", "disk"):
        names = _names(c, spec[:-1])
        return draw(st.lists(st.sampled_from(names), max_size=4)) if names else [], 0
    names = _names(c, spec)
    if not names:
        return draw(hostile()), 1
    n = draw(st.sampled_from(names))
    if draw(st.integers(0, 5)) == 0:
        n = draw(st.sampled_from(case_variants(n)))
    return n, 0


# (function, [(parameter, kind, keyword?)], extra fixed keywords)
def K(name, kind):
    return (name, kind, True)


def P(name, kind):
    return (name, kind, False)


CORE = {
    "add_node": [P("name", "new"), K("ip", "ip")],
    "add_group": [P("name", "new"), K("preferred_owners", "nodes")],
    "delete_group": [P("name", "group")],
    "add_resource": [P("name", "new"), K("type", "rtype"), K("group", "group"), K("possible_owners", "nodes"),
                     K("dependencies", "resources")],
    "delete_resource": [P("name", "resource"), K("with_dependents", "bool")],
    "add_dependency": [P("resource", "resource"), P("provider", "resource")],
    "remove_dependency": [P("resource", "resource"), P("provider", "resource")],
    "set_preferred_owners": [P("group", "group"), P("nodes", "nodes")],
    "set_possible_owners": [P("resource", "resource"), P("nodes", "nodes")],
    "add_possible_owner": [P("resource", "resource"), P("node", "node")],
    "remove_possible_owner": [P("resource", "resource"), P("node", "node")],
    "set_group_properties": [P("group", "group"), K("failover_threshold", "int"), K("failover_period_hours", "num"),
                             K("auto_failback", "bool"), K("failback_window", "window")],
    "set_resource_properties": [P("resource", "resource"), K("restart_action", "restart_action"),
                                K("restart_threshold", "int"), K("restart_period_s", "count"),
                                K("looks_alive_ms", "count"), K("pending_timeout_ms", "count")],
    "set_monitor": [P("resource", "resource"), P("monitor", "new")],
    "online_group": [P("group", "group"), P("node", "node")],
    "offline_group": [P("group", "group")],
    "move_group": [P("group", "group"), P("node", "node")],
    "online_resource": [P("resource", "resource")],
    "offline_resource": [P("resource", "resource")],
    "fail_resource": [P("resource", "resource")],
    "inject_fault": [P("resource", "resource"), P("kind", "kind"), K("persistent", "bool"), K("everywhere", "bool")],
    "repair_resource": [P("resource", "resource")],
    "crash_resource_monitor": [P("resource", "resource")],
    "crash_node": [P("node", "node")],
    "start_node": [P("node", "node")],
    "stop_node": [P("node", "node")],
    "restart_node": [P("node", "node")],
    "pause_node": [P("node", "node")],
    "resume_node": [P("node", "node")],
    "evict_node": [P("node", "node")],
    "run": [K("seconds", "seconds")],
    "add_account": [P("name", "new"), K("rights", "rights")],
    "grant": [P("account", "account"), P("right", "text")],
    "schedule": [P("delay_ms", "count"), P("kind", "job kind"), P("args", "job args")],
    "record": [P("obj", "text"), P("what", "text"), P("why", "text")],
}
SIMPLE.update({"rtype": st.sampled_from(["Generic Service", "File Share", "IP Address", "Physical Disk",
                                         "Network Name", "Floppy"]),
               "rights": st.sampled_from([["read"], [], ["Exchange Full Administrator"], "read"]),
               "job kind": st.sampled_from(["regroup", "failback_window", "no_such"]),
               "job args": st.sampled_from([("N1", 0), ("G1",), (), ["x", 1.5]])})
EXCHANGE = {
    ex.install: [P("node", "node")],
    ex.uninstall: [P("node", "node")],
    ex.create_virtual_server: [P("name", "new"), P("ip", "ip"), P("disks", "disks"), P("node", "node")],
    ex.add_storage_group: [P("evs", "evs"), P("name", "new"), P("log_disk", "disk")],
    ex.add_database: [P("evs", "evs"), P("storage_group", "sg"), P("name", "new"), P("edb_disk", "disk"),
                      P("stm_disk", "disk"), K("kind", "db_kind")],
    ex.add_mailboxes: [P("evs", "evs"), P("database", "db"), P("count", "count")],
    ex.move_storage_group_logs: [P("evs", "evs"), P("storage_group", "sg"), P("log_disk", "disk")],
    ex.move_database: [P("evs", "evs"), P("storage_group", "sg"), P("database", "db"), P("edb_disk", "disk")],
    ex.move_mailboxes: [P("evs", "evs"), P("database", "db"), P("to_evs", "evs"), P("to_database", "db"),
                        P("count", "count")],
    ex.set_clients: [P("evs", "evs"), K("mapi", "count"), K("pop3", "count"), K("http", "count")],
    ex.add_component: [P("evs", "evs"), P("name", "component")],
    ex.remove_virtual_server: [P("name", "evs"), K("delete_group", "bool")],
    ex.configure: [K("nntp_follows_kb_259197", "bool")],
    e55.add_mailboxes: [P("count", "count")],
}
PROCEDURES = {
    pr.add_shared_disk: [P("name", "new"), K("drive", "drive"), K("disk_type", "disk_type"), K("size_gb", "num")],
    pr.write_signature: [P("name", "shared disk"), P("signature", "text")],
    pr.create_partition: [P("name", "shared disk"), P("drive", "drive")],
    pr.delete_volumes: [P("name", "shared disk")],
    pr.revert_to_basic: [P("name", "shared disk")],
    pr.add_backup_job: [P("name", "new"), P("virtual_server", "evs"), K("bound_to", "bound_to"), K("target", "node"),
                        K("path", "path"), K("hour", "hour"), K("cluster_aware", "bool")],
    pr.remove_backup_job: [P("name", "job")],
    pr.take_system_state_backup: [P("node", "node")],
    pr.fix_possible_owners: [],
}
CONSTRUCTOR = [("name", "cluster name"), ("ip", "ip"), ("edition", "edition"), ("quorum_disk", "quorum disk"),
               ("quorum_drive", "drive"), ("seed", "seed"), ("settings", "settings")]
SIMPLE.update({
    "cluster name": st.sampled_from(["LAB", "lab2", "A" * 15, "A" * 16, "NO WAY", "X.Y"]),
    "edition": st.sampled_from(["Advanced Server", "datacenter", "Modern", "Enterprise"]),
    "quorum disk": st.sampled_from(["Disk Q:", "Cluster Name", "cluster ip address", "Quorum", " "]),
    "seed": st.one_of(st.integers(-5, 5), st.just(2 ** 63 - 1), st.just(2 ** 63), st.just(10 ** 400)),
    "settings": st.fixed_dictionaries({}, optional={
        "heartbeat_interval_ms": st.one_of(st.integers(-1, 5000), st.just(10 ** 400), st.floats()),
        "missed_heartbeats": st.integers(-1, 2000),
        "node_join_s": st.one_of(st.floats(allow_nan=True), st.integers(-1, 10 ** 6)),
        "node_reboot_s": st.floats(-1, 1e308), "monitor_restart_s": st.sampled_from([0, 1, 0.5, True, "1"]),
        "node_failures_count": st.sampled_from([True, False, 1, None])}),
})
#: procedures run one step at a time (a step is all-or-nothing; steps done stay done)
RUNBOOKS = {
    "rolling upgrade": (pr.rolling_upgrade, []),
    "single node failure": (pr.single_node_failure, [P("failed", "node"), P("new_name", "new"), P("new_ip", "ip")]),
    "backup binding drill": (pr.backup_binding_drill, [P("virtual_server", "evs"), K("path", "path")]),
    "possible owner audit": (pr.possible_owner_audit, []),
    "quorum disk failure": (pr.quorum_disk_failure, []),
    "remove virtual server": (pr.remove_virtual_server, [P("evs", "evs")]),
}


class RoundTripCampaign(RuleBasedStateMachine):
    @initialize(kind=st.sampled_from(list(BASES)))
    def setup(self, kind):
        self.c = base(kind)
        self.kind = kind
        self.procedure = None

    def call(self, label, fn, params, data, *lead):
        args, kwargs, hostile_n = list(lead), {}, 0
        for name, kind, keyword in params:
            v, h = data.draw(arg(self.c, kind), label=f"{label}.{name}")
            hostile_n += h
            if keyword:
                kwargs[name] = v
            else:
                args.append(v)
        return PROP.step(self.c, label, fn, *args, hostile_values=hostile_n, **kwargs)

    @rule(data=st.data(), name=st.sampled_from(sorted(CORE)))
    def core(self, data, name):
        self.call(name, getattr(self.c, name), CORE[name], data)

    @rule(data=st.data(), i=st.integers(0, len(EXCHANGE) - 1))
    def exchange(self, data, i):
        fn = list(EXCHANGE)[i]
        self.call(f"ex.{fn.__name__}", fn, EXCHANGE[fn], data, self.c)

    @rule(data=st.data(), i=st.integers(0, len(PROCEDURES) - 1))
    def procedures(self, data, i):
        fn = list(PROCEDURES)[i]
        self.call(f"pr.{fn.__name__}", fn, PROCEDURES[fn], data, self.c)

    @rule(data=st.data(), name=st.sampled_from(sorted(RUNBOOKS)))
    def start_runbook(self, data, name):
        fn, params = RUNBOOKS[name]
        self.procedure = self.call(f"pr.{fn.__name__}", fn, params, data, self.c)

    @rule()
    def runbook_step(self):
        p = self.procedure
        if isinstance(p, pr.Procedure) and p.cluster is self.c and not p.done:
            PROP.step(self.c, f"step of {p.title}", p.next)

    @rule(node=st.integers(0, 7), how=st.sampled_from(["crash_node", "start_node", "pause_node", "resume_node",
                                                       "restart_node"]))
    def node_fault(self, node, how):
        names = list(self.c.nodes)
        if names:
            PROP.step(self.c, how, getattr(self.c, how), names[node % len(names)])

    @rule(split=st.integers(1, 3))
    def partition(self, split):
        live = list(self.c.nodes)
        k = max(1, min(split, len(live) - 1))
        PROP.step(self.c, "partition", self.c.partition, [live[:k], live[k:]])

    @rule()
    def heal(self):
        PROP.step(self.c, "heal", self.c.heal)

    @rule(seconds=st.sampled_from([0.5, 3, 8, 30, 200, 3600, 7200]))
    def time_passes(self, seconds):
        PROP.step(self.c, "run", self.c.run, seconds=seconds)

    @rule()
    def settle(self):
        PROP.step(self.c, "run_until_stable", self.c.run_until_stable)

    @rule(data=st.data())
    def new_cluster(self, data):
        """A cluster made with hostile arguments (negative or huge seeds, NaN settings, a
        quorum disk named like the cluster's Network Name...): refused, or saveable."""
        kw, hostile_n = {}, 0
        for name, kind in CONSTRUCTOR:
            v, h = data.draw(arg(self.c, kind), label=f"Cluster.{name}")
            kw[name], hostile_n = v, hostile_n + h
        name, settings = kw.pop("name"), kw.pop("settings")
        if isinstance(settings, dict) and all(isinstance(k, str) for k in settings):
            # the settings' values are hostile; else the object itself is
            try:
                settings = lk.ClusterSettings(**settings)
            except lk.LabkitError:
                settings = None
            except Exception as e:  # noqa: BLE001 - the property: nothing but LabkitError
                PROP.fail(f"ClusterSettings raised {type(e).__name__}: {e}")
        new = None

        def make():
            nonlocal new
            new = lk.Cluster(name, settings=settings, **kw)
        PROP.steps += 1
        PROP.hostile_values += hostile_n
        try:
            make()
        except lk.LabkitError:
            PROP.refused += 1
            return
        except Exception as e:  # noqa: BLE001
            PROP.fail(f"Cluster({name!r}, ...) raised {type(e).__name__}: {e}")
        PROP.check(new, "a new cluster")
        PROP.step(new, "add_node to a new cluster", new.add_node, "N1", ip="10.9.0.1")
        PROP.step(new, "add_node to a new cluster", new.add_node, "n2", ip="10.9.0.2")


RoundTripCampaign.TestCase.settings = PROFILE
TestRoundTripCampaign = RoundTripCampaign.TestCase


def test_report_round_trip_campaign(record_property):
    """Runs after the machine (same file, in order): the campaign's size, and no violation."""
    for k, v in PROP.report().items():
        record_property(f"round-trip campaign {k}", v)
    print(f"round-trip campaign: {PROP.report()}; states checked: {dict(sorted(PROP.seen.items()))}")
    assert PROP.steps > 200 and PROP.hostile_values > 50 and not PROP.violations, PROP.violations[:3]
    wanted = {"node Up", "node Down", "node Paused", "node Joining", "cluster stopped", "partitioned",
              "resource pending", "group moving", "resource failed", "evicted node", "exchange virtual server",
              "exchange 5.5", "shared disk", "backup set", "backup job", "backup running"}
    assert wanted <= set(PROP.seen), f"states the campaign never reached: {sorted(wanted - set(PROP.seen))}"
