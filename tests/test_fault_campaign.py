"""Fault campaign (issue 9): random commands, resource failures, node crashes, pauses,
partitions, evictions and time jumps on 2-8 node clusters running Exchange 2000 virtual
servers. After every step the invariants hold: one owner, dependencies respected, possible
owners respected, the 4-storage-groups-per-node limit on every node, no split brain, the log
consistent with the state. Fixed seeds; `LABKIT_HYPOTHESIS=long` runs the long profile."""
import os

import hypothesis.strategies as st
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

import labkit as lk
from labkit import exchange as ex
from labkit.exchange.rules import state_problems as exchange_problems
from labkit.values import render
from invariants import check_invariants
from roundtrip import Property

LONG = os.environ.get("LABKIT_HYPOTHESIS") == "long"
PROFILE = settings(max_examples=1000 if LONG else 60, stateful_step_count=60 if LONG else 30,
                   derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))
COUNTS = {"steps": 0, "refused": 0, "clusters": 0, "violations": 0, "store dismounts": 0}
#: issue 13: after every step the round-trip property holds (tests/roundtrip.py)
PROP = Property("exchange fault campaign")


def exchange_cluster(nodes: int, sgs: list[int]) -> lk.Cluster:
    """``nodes`` nodes, one virtual server per entry of ``sgs`` with that many storage groups."""
    edition = "Advanced Server" if nodes <= 2 else "Datacenter" if nodes <= 4 else "Modern"
    c = lk.Cluster("CAMPAIGN", ip="10.0.0.100", edition=edition)
    names = [f"N{i}" for i in range(1, nodes + 1)]
    for i, n in enumerate(names, 1):
        c.add_node(n, ip=f"10.0.0.{i}")
    c.run_until_stable()
    for n in names:
        ex.install(c, n)
        c.run_until_stable()
    for v, count in enumerate(sgs, 1):
        evs = f"EXVS{v}"
        ex.create_virtual_server(c, evs, ip=f"10.0.1.{v}", disks=[f"Disk {evs} DB", f"Disk {evs} LOG"],
                                 node=names[(v - 1) % nodes])
        for k in range(2, count + 1):
            ex.add_storage_group(c, evs, f"SG{k}", log_disk=f"Disk {evs} LOG")
        c.online_group(evs)
    c.run_until_stable()
    return c


class ExchangeCampaign(RuleBasedStateMachine):
    @initialize(nodes=st.integers(2, 8), data=st.data())
    def build(self, nodes, data):
        evs = data.draw(st.integers(1, min(2 * nodes, 6)), label="virtual servers")
        sgs = data.draw(st.lists(st.integers(1, 3), min_size=evs, max_size=evs), label="storage groups")
        self.c = exchange_cluster(nodes, sgs)
        self.nodes = list(self.c.nodes)
        self.groups = list(self.c.groups)
        self.stores = [ex.resource_names(v)["Information Store"] for v in ex.virtual_servers(self.c)]
        COUNTS["clusters"] += 1

    def do(self, name, *args, **kwargs):
        COUNTS["steps"] += 1
        refused = PROP.refused
        PROP.step(self.c, name, getattr(self.c, name), *args, **kwargs)
        COUNTS["refused"] += PROP.refused - refused

    @rule(i=st.integers(0, 7))
    def crash(self, i):
        self.do("crash_node", self.nodes[i % len(self.nodes)])

    @rule(i=st.integers(0, 7))
    def start(self, i):
        self.do("start_node", self.nodes[i % len(self.nodes)])

    @rule(i=st.integers(0, 7), pause=st.booleans())
    def pause(self, i, pause):
        self.do("pause_node" if pause else "resume_node", self.nodes[i % len(self.nodes)])

    @rule(i=st.integers(0, 7))
    def evict(self, i):
        self.do("evict_node", self.nodes[i % len(self.nodes)])

    @rule(g=st.integers(0, 7), i=st.integers(0, 8))
    def move(self, g, i):
        node = None if i == 8 else self.nodes[i % len(self.nodes)]
        self.do("move_group", self.groups[g % len(self.groups)], node)

    @rule(g=st.integers(0, 7), online=st.booleans())
    def toggle(self, g, online):
        self.do("online_group" if online else "offline_group", self.groups[g % len(self.groups)])

    @rule(s=st.integers(0, 7))
    def fail_store(self, s):
        self.do("fail_resource", self.stores[s % len(self.stores)])

    @rule(s=st.integers(0, 7), kind=st.sampled_from(["crash", "hang"]), lasting=st.booleans())
    def fault(self, s, kind, lasting):
        self.do("inject_fault", self.stores[s % len(self.stores)], kind, persistent=lasting)

    @rule(s=st.integers(0, 7))
    def repair(self, s):
        self.do("repair_resource", self.stores[s % len(self.stores)])

    @rule(s=st.integers(0, 7))
    def monitor(self, s):
        self.do("crash_resource_monitor", self.stores[s % len(self.stores)])

    @rule(v=st.integers(0, 7), to_log=st.booleans())
    def esm_move(self, v, to_log):
        """Exchange System Manager moves the first storage group's logs (a dismount while mounted)."""
        names = ex.virtual_servers(self.c)
        if not names:
            return
        evs = names[v % len(names)]
        COUNTS["steps"] += 1
        refused = PROP.refused
        move = PROP.step(self.c, "move_storage_group_logs", ex.move_storage_group_logs, self.c, evs, ex.FIRST_SG,
                         f"Disk {evs} {'LOG' if to_log else 'DB'}")
        COUNTS["refused"] += PROP.refused - refused
        if move is not None:
            COUNTS["store dismounts"] += move.dismounted

    @rule(split=st.integers(1, 7))
    def partition(self, split):
        live = [n for n in self.nodes if n in self.c.nodes]
        k = max(1, min(split, len(live) - 1))
        self.do("partition", [live[:k], live[k:]])

    @rule()
    def heal(self):
        self.do("heal")

    @rule(seconds=st.sampled_from([1, 8, 60, 600, 3600, 6 * 3600]))
    def time_jump(self, seconds):
        self.do("run", seconds)

    @rule()
    def settle(self):
        self.do("run_until_stable")

    @invariant()
    def invariants_hold(self):
        if not hasattr(self, "c"):
            return
        try:
            check_invariants(self.c)
            broken = exchange_problems(self.c)
            assert not broken, "\n".join(f"{render(p)}: {m}" for p, m in broken)
        except AssertionError:
            COUNTS["violations"] += 1
            raise


ExchangeCampaign.TestCase.settings = PROFILE
TestExchangeCampaign = ExchangeCampaign.TestCase


def test_report_campaign(record_property):
    for k, v in COUNTS.items():
        record_property(f"exchange fault campaign {k}", v)
    for k, v in PROP.report().items():
        record_property(f"exchange fault campaign round trip {k}", v)
    print(f"exchange fault campaign: {COUNTS}; round trip {PROP.report()}")
    assert COUNTS["steps"] > 0 and COUNTS["violations"] == 0 and COUNTS["store dismounts"] > 0
    assert PROP.checks >= COUNTS["steps"] and not PROP.violations
