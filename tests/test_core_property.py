"""Property-based test: random commands and faults on a 4-node cluster; invariants after
every step; the same command sequence gives the same log; and (issue 13) after every step
the round-trip property of tests/roundtrip.py. Fixed seeds (derandomize)."""
import os

import hypothesis.strategies as st
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

import labkit as lk
from conftest import build
from invariants import check_invariants
from roundtrip import Property

LONG = os.environ.get("LABKIT_HYPOTHESIS") == "long"
settings.register_profile("ci", max_examples=60, stateful_step_count=40, derandomize=True, database=None,
                          deadline=None, suppress_health_check=list(HealthCheck))
settings.register_profile("long", max_examples=2000, stateful_step_count=80, derandomize=True, database=None,
                          deadline=None, suppress_health_check=list(HealthCheck))

STEPS = {"steps": 0, "refused": 0}
PROP = Property("core property test")
NODES = ["N1", "N2", "N3", "N4"]
GROUPS = ["Cluster Group", "G1", "G2", "G3"]


def replay(commands):
    c = build(4, groups=3)
    for name, args, kwargs in commands:
        try:
            getattr(c, name)(*args, **kwargs)
        except lk.LabkitError:
            pass
    return "\n".join(str(e) for e in c.log)


class ClusterMachine(RuleBasedStateMachine):
    @initialize()
    def setup(self):
        self.c = build(4, groups=3)
        self.commands = []

    def do(self, name, *args, **kwargs):
        STEPS["steps"] += 1
        self.commands.append((name, args, kwargs))
        refused = PROP.refused
        PROP.step(self.c, name, getattr(self.c, name), *args, **kwargs)
        STEPS["refused"] += PROP.refused - refused

    @rule(node=st.sampled_from(NODES))
    def crash(self, node):
        self.do("crash_node", node)

    @rule(node=st.sampled_from(NODES))
    def start(self, node):
        self.do("start_node", node)

    @rule(node=st.sampled_from(NODES))
    def pause(self, node):
        self.do("pause_node", node)

    @rule(node=st.sampled_from(NODES))
    def resume(self, node):
        self.do("resume_node", node)

    @rule(node=st.sampled_from(NODES))
    def evict(self, node):
        self.do("evict_node", node)

    @rule(group=st.sampled_from(GROUPS), node=st.sampled_from(NODES + [None]))
    def move(self, group, node):
        self.do("move_group", group, node)

    @rule(group=st.sampled_from(GROUPS))
    def offline(self, group):
        self.do("offline_group", group)

    @rule(group=st.sampled_from(GROUPS))
    def online(self, group):
        self.do("online_group", group)

    @rule(k=st.integers(1, 3), part=st.sampled_from(["Share", "Name", "IP", "Disk"]))
    def fail(self, k, part):
        self.do("fail_resource", f"{part} G{k}")

    @rule(k=st.integers(1, 3), kind=st.sampled_from(["crash", "hang"]), persistent=st.booleans())
    def fault(self, k, kind, persistent):
        self.do("inject_fault", f"Share G{k}", kind, persistent=persistent)

    @rule(k=st.integers(1, 3))
    def repair(self, k):
        self.do("repair_resource", f"Share G{k}")

    @rule(k=st.integers(1, 3))
    def monitor(self, k):
        self.do("crash_resource_monitor", f"Share G{k}")

    @rule(split=st.integers(1, 3))
    def partition(self, split):
        nodes = [n for n in NODES if n in self.c.nodes]
        self.do("partition", [nodes[:split], nodes[split:]])

    @rule()
    def heal(self):
        self.do("heal")

    @rule(seconds=st.sampled_from([0.5, 3, 8, 60, 900, 3600]))
    def run(self, seconds):
        self.do("run", seconds)

    @rule()
    def settle(self):
        self.do("run_until_stable")

    @invariant()
    def invariants_hold(self):
        if hasattr(self, "c"):
            check_invariants(self.c)

    def teardown(self):
        if hasattr(self, "c") and len(self.commands) % 5 == 0:   # a sample: same calls, same log
            assert replay(self.commands) == "\n".join(str(e) for e in self.c.log)


ClusterMachine.TestCase.settings = settings.get_profile("long" if LONG else "ci")
TestClusterMachine = ClusterMachine.TestCase


def test_report_steps(record_property):
    """Runs after the machine (same file, in order): reports how many steps it drove."""
    record_property("fault campaign steps", STEPS["steps"])
    record_property("fault campaign refused commands", STEPS["refused"])
    for k, v in PROP.report().items():
        record_property(f"core property campaign round trip {k}", v)
    print(f"core property test: {STEPS['steps']} steps, {STEPS['refused']} refused commands; round trip "
          f"{PROP.report()}")
    assert STEPS["steps"] > 0 and PROP.checks >= STEPS["steps"] and not PROP.violations
