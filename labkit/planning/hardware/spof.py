"""The single-point-of-failure report: every component failed in turn through the
replay (:mod:`labkit.planning.hardware.replay`), and those whose loss stops a virtual
server or the cluster, or splits its membership.
"""
from __future__ import annotations

from dataclasses import dataclass

from ...errors import ValidationError
from .replay import FailureReplay
from .topology import Effect, Kind, Scope, Topology


# --- the report -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Spof:
    """One component whose loss alone stops (or splits) one target."""

    component: str
    kind: Kind
    scope: Scope
    target: str
    effect: Effect

    def __str__(self) -> str:
        return f"{self.component} ({self.kind}): {self.target} {self.effect}"


@dataclass(frozen=True)
class SpofReport:
    """Single points of failure of a topology, per target."""

    topology: str
    targets: tuple
    spofs: tuple
    baseline: dict
    notes: tuple = ()

    @property
    def no_spof(self) -> bool:
        """True when no component of the cluster itself is a single point of failure
        (infrastructure and site disasters are listed but not counted)."""
        return not any(s.scope is Scope.CLUSTER for s in self.spofs)

    def for_target(self, target: str) -> list[Spof]:
        return [s for s in self.spofs if s.target == target]

    def components(self, *, scope: Scope | None = None, effect: Effect | None = None,
                   target: str | None = None) -> list[str]:
        """Distinct component names, optionally filtered."""
        out = []
        for s in self.spofs:
            if (scope is None or s.scope == scope) and (effect is None or s.effect is effect) \
                    and (target is None or s.target == target) and s.component not in out:
                out.append(s.component)
        return out

    def rows(self) -> list[dict]:
        return [{"component": s.component, "kind": str(s.kind), "scope": str(s.scope), "target": s.target,
                 "effect": str(s.effect)} for s in self.spofs]

    def summary(self) -> list[str]:
        """One line per component: what its loss does."""
        lines, seen = [], {}
        for s in self.spofs:
            seen.setdefault((s.component, s.kind, s.scope), []).append(f"{s.target} {s.effect}")
        for (c, k, sc), what in seen.items():
            lines.append(f"{c} [{k}, {sc}]: " + "; ".join(what))
        return lines or [f"{self.topology}: no single point of failure"]


def spof_report(topology: Topology) -> SpofReport:
    """Fail each component alone and name those whose loss stops or splits a target.

    If something does not run with nothing failed, the baseline says so and those
    targets are left out (they have a design problem, not a single point of
    failure).
    """
    if not isinstance(topology, Topology):
        raise ValidationError(f"{topology!r} is not a Topology", rule="a topology is analysed",
                              source="labkit.planning.hardware")
    rp = FailureReplay(topology)
    base = rp.replay(())
    healthy = [t for t in topology.targets() if base.status.get(t) == "runs"]
    found = []
    g = topology.graph
    for c in topology.components():
        o = rp.replay((c,))
        for t in healthy:
            st = o.status[t]
            if st != "runs":
                d = g.nodes[c]
                found.append(Spof(c, d["kind"], d["scope"], t, st))
    return SpofReport(topology.name, tuple(topology.targets()), tuple(found), dict(base.status),
                      tuple(topology.notes))


def node_spofs(topology: Topology, server: str) -> list[str]:
    """Components whose loss stops ``server`` itself: a standalone server's single
    points of failure, which the cluster covers by failing over.

    >>> from labkit.planning.hardware import ha_f100
    >>> node_spofs(ha_f100(), "NODE1")[:3]
    ['NODE1', 'NODE1 CPU 1', 'NODE1 CPU 2']
    """
    topology.component(server, Kind.SERVER)
    rp = FailureReplay(topology)
    return [c for c in topology.components() if server in rp.dead(frozenset((c,)))]
