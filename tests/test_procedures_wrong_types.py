"""Wrong types and unknown names give a LabkitError, never TypeError, KeyError or AttributeError."""
import itertools

import pytest

import labkit as lk
from labkit import procedures as pr
from labkit.exchange import demo_cluster

BAD = [None, 5, "NOPE", [{"a": True}]]
FUNCTIONS = [n for n in pr.__all__ if n[0].islower() and callable(getattr(pr, n))]


@pytest.mark.parametrize("name", FUNCTIONS)
def test_wrong_arguments_are_labkit_errors(name):
    f = getattr(pr, name)
    base = demo_cluster()
    calls = [list(a) for n in (1, 2) for a in itertools.product(BAD + ["CLUSTER"], repeat=n)]
    calls += [["CLUSTER", *a] for a in itertools.product(BAD + ["CLUSTER"], repeat=2)]
    for args in calls:
        if "CLUSTER" in args:
            c = base.copy()
            args = [c if a == "CLUSTER" else a for a in args]
        try:
            out = f(*args)
            if isinstance(out, pr.Procedure):
                out.run()
        except lk.LabkitError:
            pass
        except TypeError as e:          # a missing or extra positional argument is Python's business
            assert "argument" in str(e), f"{name}{tuple(args)!r}: {e!r}"
