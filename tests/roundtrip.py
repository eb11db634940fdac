"""The round-trip property of issue 13, shared by every campaign (not collected: no test_ prefix).

After every step of a campaign -- accepted or refused -- :meth:`Property.step` checks:

1. the exception, if any, is a ``LabkitError``;
2. a refusal left ``cluster.to_dict()`` unchanged;
3. ``dumps -> loads -> dumps`` is byte-identical (YAML; JSON every few steps);
4. the file validates against the published JSON Schema (every few steps);
5. the rest of the log is the same: the cluster and the one loaded from its file, run
   forward the same way (to stable, then a day of appointments), give the same outcomes,
   log lines and snapshots.

:data:`HOSTILE` and :func:`hostile` are the values the generators mix into the arguments:
NaN, infinities, huge integers, subclasses of int/float/str, bools where numbers go,
bytes, objects (one with a ``__repr__`` that raises), lone surrogates, control
characters, empty and blank strings, wrong containers, names in another case.
Used by tests/test_roundtrip_campaign.py, tests/test_core_property.py and
tests/test_fault_campaign.py (issue 15's restructuring can import it as it is).
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import hypothesis.strategies as st

import labkit as lk
from labkit import files

LONG = os.environ.get("LABKIT_HYPOTHESIS") == "long"
ROOT = Path(__file__).resolve().parents[1]
SCHEMA_FILE = ROOT / "docs" / "cluster-file.schema.json"


# ------------------------------------------------------------------------ hostile values
class HostileInt(int):
    """An int subclass (an IntEnum behaves alike)."""


class HostileFloat(float):
    pass


class HostileStr(str):
    pass


class BadRepr:
    """An object whose ``repr`` raises: error messages must not call it blindly."""

    def __repr__(self):
        raise RuntimeError("no repr for you")

    __str__ = __repr__

    def _repr_pretty_(self, p, cycle):  # how Hypothesis prints it in a failure report
        p.text("BadRepr()")


class Unhashable(list):
    __hash__ = None


HOSTILE = [
    float("nan"), float("inf"), float("-inf"), -0.0, 1e308, 5e-324, 10 ** 400, -(10 ** 400), 2 ** 63, -(2 ** 63) - 1,
    2 ** 63 - 1, 10 ** 18, -1, 0, 1, 3.5, True, False, None, HostileInt(3), HostileFloat(2.5), HostileStr("N1"),
    b"N1", bytearray(b"x"), object(), BadRepr(), "", " ", "\t", "\ud800", "x\udfffy", "N1\x00", "a\nb",
    "x" * 300, "\u2028", "\ufeff", "É", [], {}, (), ["N1", "N1"], {"a": float("nan")}, {1: 2}, Unhashable(),
    {"x"}, frozenset(), 3 + 4j, range(3), "1-curly", "n1",
]


def case_variants(name: str) -> list[str]:
    return [name.lower(), name.upper(), name.swapcase(), name[:1].lower() + name[1:]]


@st.composite
def hostile(draw):
    """One hostile value: from :data:`HOSTILE`, or generated text (lone surrogates and
    control characters included), or a number at the edges."""
    kind = draw(st.integers(0, 5))
    if kind <= 2:
        return draw(st.sampled_from(HOSTILE))
    if kind == 3:
        return draw(st.text(st.characters(exclude_categories=()), max_size=8))
    if kind == 4:
        return draw(st.one_of(st.integers(-(2 ** 70), 2 ** 70), st.floats(allow_nan=True, allow_infinity=True)))
    return draw(st.lists(st.sampled_from(HOSTILE[:20]), max_size=3))


@st.composite
def name_of(draw, names, *, hostile_rate: int = 6):
    """A name from ``names`` (sometimes in another case), or now and then a hostile value."""
    names = list(names)
    if not names or draw(st.integers(0, hostile_rate)) == 0:
        return draw(hostile())
    n = draw(st.sampled_from(names))
    if draw(st.integers(0, 4)) == 0:
        return draw(st.sampled_from(case_variants(n)))
    return n


# ----------------------------------------------------------------------------- the property
_VALIDATOR = None


def validator():
    """A JSON Schema validator of the published schema (jsonschema, draft 2020-12)."""
    global _VALIDATOR
    if _VALIDATOR is None:
        import jsonschema
        schema = json.loads(SCHEMA_FILE.read_text())
        jsonschema.Draft202012Validator.check_schema(schema)
        _VALIDATOR = jsonschema.Draft202012Validator(schema)
    return _VALIDATOR


class Violation(AssertionError):
    pass


@dataclass
class Property:
    """Counts a campaign's steps and checks the round-trip property after each one."""

    name: str
    steps: int = 0
    refused: int = 0
    hostile_values: int = 0
    checks: int = 0
    schema_checks: int = 0
    forward_runs: int = 0
    #: check the JSON text and the schema every this many checks; run forward every this many
    json_every: int = 7
    forward_every: int = 1
    violations: list = field(default_factory=list)
    #: the states the checked clusters were in (node states, pending transitions, partitions,
    #: plug-in state): a campaign shows it reached them
    seen: dict = field(default_factory=dict)

    def step(self, c: lk.Cluster, label: str, fn, *args, hostile_values: int = 0, **kwargs):
        """Run ``fn(*args, **kwargs)`` as one step on ``c`` and check the property."""
        self.steps += 1
        self.hostile_values += hostile_values
        before = c.to_dict()
        result = None
        try:
            result = fn(*args, **kwargs)
        except lk.LabkitError as e:
            self.refused += 1
            if c.to_dict() != before:
                self.fail(f"{label}: refused ({type(e).__name__}: {e}) but changed the model: "
                          f"{_diff(before, c.to_dict())}")
        except Exception as e:  # noqa: BLE001 - the property: nothing but LabkitError
            self.fail(f"{label}: raised {type(e).__name__}: {_safe(e)}")
        self.check(c, label)
        return result

    def check(self, c: lk.Cluster, label: str = "") -> None:
        self.checks += 1
        self.note(c)
        try:
            text = files.dumps(c)
        except lk.LabkitError as e:
            self.fail(f"{label}: the cluster cannot be saved: {e}")
        except Exception as e:  # noqa: BLE001
            self.fail(f"{label}: saving raised {type(e).__name__}: {_safe(e)}")
        try:
            text.encode("utf-8")
            loaded = files.loads(text)
        except Exception as e:  # noqa: BLE001
            self.fail(f"{label}: a saved cluster does not load: {type(e).__name__}: {_safe(e)}")
        again = files.dumps(loaded)
        if again != text:
            self.fail(f"{label}: dumps -> loads -> dumps differs: {_first_diff(text, again)}")
        if self.checks % self.json_every == 0:
            js = files.dumps(c, "json")
            if files.dumps(files.loads(js, "json"), "json") != js:
                self.fail(f"{label}: the JSON round trip differs")
            self.validate(json.loads(js), label)
        if self.checks % self.forward_every == 0:
            self.forward(c, loaded, label)

    def note(self, c: lk.Cluster) -> None:
        seen = self.seen
        for n in c.nodes.values():
            seen[f"node {n.state}"] = seen.get(f"node {n.state}", 0) + 1
        marks = {"cluster stopped": not c.running, "partitioned": c.partition_sides is not None,
                 "resource pending": any(r.state.pending for r in c.resources.values()),
                 "group moving": any(g.move for g in c.groups.values()),
                 "resource failed": any(str(r.state) == "Failed" for r in c.resources.values()),
                 "queued work": len(c.queue) > 0, "evicted node": bool(c.evicted)}
        o = c.extensions.get("exchange")
        marks["exchange virtual server"] = bool(o and o.virtual_servers)
        marks["exchange 5.5"] = "exchange55" in c.extensions
        p = c.extensions.get("procedures")
        marks["shared disk"] = bool(p and p.disks)
        marks["backup set"] = bool(p and p.backup_sets)
        marks["backup job"] = bool(p and p.backup_jobs)
        marks["backup running"] = bool(p and any(j.busy for j in p.backup_jobs.values()))
        for k, v in marks.items():
            if v:
                seen[k] = seen.get(k, 0) + 1

    def validate(self, data, label: str = "") -> None:
        self.schema_checks += 1
        errors = sorted(validator().iter_errors(data), key=lambda e: list(e.path))
        if errors:
            e = errors[0]
            self.fail(f"{label}: the saved file does not validate against the JSON Schema: "
                      f"{'/'.join(map(str, e.path))}: {e.message[:200]}")

    def forward(self, c: lk.Cluster, loaded: lk.Cluster, label: str) -> None:
        """The original (a copy of it) and the loaded cluster, run forward alike, tell the same story."""
        self.forward_runs += 1
        twin = c.copy()
        mark = len(twin.log)
        outcomes = []
        for x in (twin, loaded):
            got = []
            for run in (lambda: x.run_until_stable(), lambda: x.run(hours=26)):
                try:
                    run()
                    got.append("ok")
                except lk.LabkitError as e:
                    got.append(f"{type(e).__name__}: {e}")
                except Exception as e:  # noqa: BLE001
                    self.fail(f"{label}: running forward raised {type(e).__name__}: {_safe(e)}")
            outcomes.append(got)
        if outcomes[0] != outcomes[1]:
            self.fail(f"{label}: forward runs differ: {outcomes}")
        a, b = [str(e) for e in twin.log[mark:]], [str(e) for e in loaded.log[mark:]]
        if a != b:
            self.fail(f"{label}: the rest of the log differs: {_first_diff(chr(10).join(a), chr(10).join(b))}")
        if twin.to_dict() != loaded.to_dict():
            self.fail(f"{label}: after running forward the snapshots differ: "
                      f"{_diff(twin.to_dict(), loaded.to_dict())}")

    def fail(self, message: str) -> None:
        self.violations.append(message)
        raise Violation(message)

    def report(self) -> dict:
        return {"steps": self.steps, "refused": self.refused, "hostile values": self.hostile_values,
                "property checks": self.checks, "schema checks": self.schema_checks,
                "forward runs": self.forward_runs, "violations": len(self.violations)}


def _safe(e) -> str:
    try:
        return str(e)[:300]
    except Exception:  # noqa: BLE001
        return type(e).__name__


def _diff(a, b, path="") -> str:
    if isinstance(a, dict) and isinstance(b, dict):
        for k in list(a) + [k for k in b if k not in a]:
            if a.get(k, "<missing>") != b.get(k, "<missing>"):
                return _diff(a.get(k, "<missing>"), b.get(k, "<missing>"), f"{path}.{k}")
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            if x != y:
                return _diff(x, y, f"{path}[{i}]")
    return f"{path}: {str(a)[:120]} != {str(b)[:120]}"


def _first_diff(a: str, b: str) -> str:
    la, lb = a.splitlines(), b.splitlines()
    for i, (x, y) in enumerate(zip(la, lb)):
        if x != y:
            return f"line {i + 1}: {x[:150]!r} != {y[:150]!r}"
    return f"{len(la)} lines != {len(lb)} lines"
