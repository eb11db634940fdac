"""Planning objects as answers: storage designs, naming and load plans, build plans,
Exchange 5.5 site facts -- carried out of the learner's kernel as tagged plain data
and built again by the grader's own labkit.

In the learner's kernel :func:`to_plain` is the ``default`` hook of the JSON encoder:
a labkit dataclass becomes a dict of its fields with a ``"__type__"`` tag (nested
ones too), an enum its value. In the grader :func:`from_plain` builds the object again
through the constructors of :data:`ALLOWED` classes only -- so every rule a
constructor checks (a RAID 1 array has two drives, a plan's nodes are distinct...)
is checked again, and nothing else can be instantiated.

>>> from labkit.planning import table9
>>> import json
>>> data = json.loads(json.dumps(table9(), default=to_plain))
>>> data["__type__"], data["arrays"][0]["array"]["level"]
('labkit.planning.storage.StorageDesign', 'RAID 1')
>>> from_plain(data, StorageDesign, "design") == table9()
True
>>> data["arrays"][0]["array"]["__type__"] = "os.system"
>>> from_plain(data, StorageDesign, "design")
Traceback (most recent call last):
labkit.grading.verdicts.Wrong: `design.arrays[0].array` holds a os.system; answers hold labkit planning objects only
"""
from __future__ import annotations

import dataclasses
from importlib import import_module

from ..errors import LabkitError
from ..planning.load import LoadPlan
from ..planning.naming import NamingPlan
from ..planning.storage import StorageDesign
from ..procedures.build import ClusterPlan
from ..procedures.migration import ExchangeSite
from ..values import Plain
from .plain import TAG, to_plain
from .verdicts import Wrong

#: A scalar an answer may hold: text without lone surrogates, a 64-bit whole number, a
#: finite number, True/False, None (labkit.values).
_SCALAR = Plain(scalar=True)

#: The classes an answer may hold, by ``module.QualName`` (what :func:`to_plain` writes).
ALLOWED = (
    "labkit.planning.storage.StorageDesign", "labkit.planning.storage.PlannedArray",
    "labkit.planning.storage.Content", "labkit.planning.storage.SizingAssumptions",
    "labkit.planning.raid.Array", "labkit.planning.raid.DriveModel", "labkit.planning.raid.OnlineSpare",
    "labkit.planning.raid.EnclosureModel", "labkit.planning.raid.IOModel",
    "labkit.planning.naming.NamingPlan", "labkit.planning.naming.PlanEntry",
    "labkit.planning.load.LoadPlan", "labkit.planning.load.VirtualServerPlan",
    "labkit.procedures.build.ClusterPlan", "labkit.procedures.build.NodePlan",
    "labkit.procedures.build.VirtualServerPlan", "labkit.procedures.state.SharedDisk",
    "labkit.procedures.migration.ExchangeSite", "labkit.procedures.migration.ConnectionAgreement",
)
#: The top-level answer kinds a question may ask for (its parameter's annotation).
ANSWER_KINDS = (StorageDesign, NamingPlan, LoadPlan, ClusterPlan, ExchangeSite)
#: Largest number of objects one answer may hold.
MAX_OBJECTS = 20_000


def type_name(cls) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _resolve(name: str):
    module, _, qual = name.rpartition(".")
    return getattr(import_module(module), qual)


class _Builder:
    def __init__(self, var: str):
        self.var = var
        self.count = 0

    def build(self, v, path: str):
        self.count += 1
        if self.count > MAX_OBJECTS:
            raise Wrong(f"`{self.var}` is too large to grade")
        if isinstance(v, dict):
            if TAG in v:
                return self.obj(v, path)
            return {k: self.build(x, f"{path}[{k!r}]") for k, x in v.items()}
        if isinstance(v, list):
            return [self.build(x, f"{path}[{i}]") for i, x in enumerate(v)]
        problems: list = []
        got = _SCALAR.collect(v, path, problems)         # labkit's one validation layer
        if not problems:
            return got
        if isinstance(v, float):
            raise Wrong(f"`{path}` is not a finite number")
        raise Wrong(f"`{path}` is not plain data ({problems[0][1]})")

    def obj(self, d: dict, path: str):
        name = d[TAG]
        if not isinstance(name, str) or name not in ALLOWED:
            raise Wrong(f"`{path}` holds a {str(name)[:60]}; answers hold labkit planning objects only")
        cls = _resolve(name)
        known = {f.name: f for f in dataclasses.fields(cls) if f.init}
        extra = sorted(k for k in d if k != TAG and k not in known)
        if extra:
            raise Wrong(f"`{path}` ({cls.__name__}) has fields labkit does not know: {', '.join(extra[:5])}")
        kwargs = {}
        for k, v in d.items():
            if k == TAG:
                continue
            value = self.build(v, f"{path}.{k}")
            if isinstance(value, list) and "tuple" in str(known[k].type):
                value = tuple(value)      # JSON has no tuples: the field's annotation says which it was
            kwargs[k] = value
        try:
            return cls(**kwargs)
        except LabkitError as e:
            raise Wrong(f"`{path}` is not a valid {cls.__name__}: {e.detail}") from None
        except (TypeError, ValueError, AttributeError, KeyError) as e:
            raise Wrong(f"`{path}` is not a valid {cls.__name__} ({type(e).__name__}: {e})") from None


def from_plain(data, cls, name: str):
    """Build the ``cls`` object (one of :data:`ANSWER_KINDS`) the learner's plain
    ``data`` describes, with the grader's labkit; :class:`Wrong` when it is not one."""
    if not isinstance(data, dict) or data.get(TAG) != type_name(cls):
        got = data.get(TAG, "a dict") if isinstance(data, dict) else type(data).__name__
        raise Wrong(f"`{name}` should be a {cls.__name__}, not {str(got).rpartition('.')[2][:60]}")
    return _Builder(name).build(data, name)


__all__ = ["to_plain", "from_plain", "ALLOWED", "ANSWER_KINDS", "TAG"]
