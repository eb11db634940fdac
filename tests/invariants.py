"""Invariants of a cluster that must hold after every command and every event.

Shared by the core's property tests and the fault campaign (issue 9); the rules are the
one checker in :mod:`labkit.cluster.invariants`, which the file loader uses too."""
import labkit as lk
from labkit.cluster import invariants


def check_invariants(c: lk.Cluster) -> None:
    """Assert every invariant of the state and of the log (:func:`invariants.problems`)."""
    invariants.check(c)

