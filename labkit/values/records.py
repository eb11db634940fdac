"""Kinds of mappings with named fields, and kinds read from Python annotations.

:class:`Record` checks a mapping field by field (:class:`Field`: name, kind, default), the
way the cluster file's tables do; :func:`from_annotation` turns an annotation (``int``,
``list[str]``, ``dict[str, float] | None``...) into a kind, for the grader's answers and for
:class:`Dataclass`, which checks the fields of a plug-in's state.

>>> Record((Field("id", Int(1), REQUIRED), Field("ip", Text(), None))).check({"id": 1})
{'id': 1, 'ip': None}
>>> from_annotation(list[int]).check([1, 2])
[1, 2]
"""
from __future__ import annotations

import difflib
import json
import types
import typing
from enum import Enum

from .kinds import Bool, Choice, Int, Kind, ListOf, MapOf, Number, Optional, Plain, Text
from .plain import BAD, render, show


class Field:
    """One field of a :class:`Record`: name, kind, default (``REQUIRED``: must be given)
    and a line of documentation."""

    __slots__ = ("name", "kind", "default", "doc")

    def __init__(self, name: str, kind: Kind, default=None, doc: str = ""):
        self.name, self.kind, self.default, self.doc = name, kind, default, doc

    def __iter__(self):  # (name, kind, default), as the field tables were written before
        return iter((self.name, self.kind, self.default))


REQUIRED = object()
#: A field default meaning "left out when missing" (not filled in).
OMIT = object()
_ABSENT = object()


def _copy(v):
    return [_copy(x) for x in v] if isinstance(v, list) else {k: _copy(x) for k, x in v.items()} \
        if isinstance(v, dict) else v


class Record(Kind):
    """A mapping with known fields: unknown ones are refused (with a "did you mean"),
    required ones must be there, the others get their default."""

    def __init__(self, fields, *, name: str = "a mapping of fields", title: str | None = None, **kw):
        super().__init__(**kw)
        self.fields = tuple(f if isinstance(f, Field) else Field(*f) for f in fields)
        self.by_name = {f.name: f for f in self.fields}
        self.name, self.title = name, title
        self._names = frozenset(self.by_name)
        self._plan = tuple((f.name, f.kind.check_into, f.default, type(f.default) in (list, dict)) for f in self.fields)

    def check_into(self, v, path, out):
        if not isinstance(v, dict):
            return self._expected(v, path, out)
        n = len(out)
        if not self._names.issuperset(v):
            self.unknown(v, path, out)
        got = {}
        get = v.get
        for name, check, default, mutable in self._plan:
            x = get(name, _ABSENT)
            if x is not _ABSENT:
                got[name] = check(x, (path, name), out)
            elif default is REQUIRED:
                out.append(((path, name), "missing (required)"))
            elif default is not OMIT:
                got[name] = _copy(default) if mutable else default
        return BAD if len(out) > n else got

    def unknown(self, v: dict, path: str, out: list) -> None:
        known = [f.name for f in self.fields]
        for k in v:
            if k not in self.by_name:
                near = difflib.get_close_matches(str(k), known, n=1)
                hint = f" (did you mean {near[0]!r}?)" if near else ""
                out.append(((path, show(k) if not isinstance(k, str) else k), f"unknown field{hint}"))

    def describe(self):
        return self.name

    def schema(self):
        props = {}
        for f in self.fields:
            s = f.kind.schema()
            if f.doc and "description" not in s:
                s = {"description": f.doc, **s}
            if f.default is not REQUIRED and _jsonable(f.default):
                s = {**s, "default": f.default.value if isinstance(f.default, Enum) else f.default}
            props[f.name] = s
        s = {"type": "object", "properties": props, "additionalProperties": False}
        req = [f.name for f in self.fields if f.default is REQUIRED]
        if req:
            s["required"] = req
        if self.title:
            s = {"title": self.title, **s}
        return self._doc(s)


def _jsonable(v) -> bool:
    if isinstance(v, Enum):
        v = v.value
    try:
        json.dumps(v, allow_nan=False)
        return True
    except (TypeError, ValueError):
        return False


# =================================================================== kinds from types
def from_annotation(ann, *, transport: bool = False) -> Kind:
    """The kind of a type annotation (``int``, ``str | None``, ``list[str]``,
    ``dict[str, Database]``, a dataclass...). ``transport``: the grader's reading of JSON
    answers (a whole float is a whole number; lists become the sets and tuples asked for).

    >>> from_annotation(list[int]).check([1, 2])
    [1, 2]
    """
    return _Annotated(ann, transport)


class _Annotated(Kind):
    def __init__(self, ann, transport):
        super().__init__()
        self.ann, self.transport = ann, transport
        self._kind = None

    @property
    def kind(self) -> Kind:
        if self._kind is None:
            self._kind = _annotation_kind(self.ann, self.transport)
        return self._kind

    def check_into(self, v, path, out):
        return self.kind.check_into(v, path, out)

    def describe(self):
        return self.kind.describe()

    def schema(self):
        return self.kind.schema()


_GRADER_NAMES = {str: "a string (str)", int: "a whole number (int)", float: "a number (float)",
                 bool: "True or False (bool)"}


def _annotation_kind(ann, transport: bool) -> Kind:
    import dataclasses

    if isinstance(ann, str):
        ann = {"str": str, "int": int, "float": float, "bool": bool, "dict": dict, "list": list}.get(ann, ann)
    origin, args = typing.get_origin(ann), typing.get_args(ann)
    names = _GRADER_NAMES if transport else {}
    if ann is typing.Any or ann is object:
        return _Anything()
    if origin in (typing.Union, types.UnionType):
        kinds = [_annotation_kind(a, transport) for a in args if a is not type(None)]
        inner = kinds[0] if len(kinds) == 1 else AnyOf(kinds)
        return Optional(inner) if type(None) in args else inner
    if ann is type(None):
        return Choice([None])
    if ann is bool:
        return Bool()
    if ann is int:
        return Int(integral_floats=transport, name=names.get(int, "a whole number"))
    if ann is float:
        return Number(name=names.get(float, "a number"), as_float=transport)
    if ann is str:
        return Text(blank=True, name=names.get(str, "text"))
    if ann in (list, set, tuple, frozenset) or origin in (list, set, tuple, frozenset):
        want = origin or ann
        if want is tuple and args and args[-1] is not Ellipsis:
            return TupleOf([_annotation_kind(a, transport) for a in args], transport=transport)
        item = _annotation_kind(args[0], transport) if args else Plain()
        return ListOf(item, tuples=True) if not transport or want is list else Collection(item, want)
    if ann is dict or origin is dict:
        if not args:
            return MapOf(Plain())
        if transport:
            return DictOf(_annotation_kind(args[0], transport), _annotation_kind(args[1], transport))
        return MapOf(_annotation_kind(args[1], transport))
    if dataclasses.is_dataclass(ann):
        return Dataclass(ann)
    if isinstance(ann, type) and issubclass(ann, Enum):
        return Choice(ann)
    raise TypeError(f"no value kind for the annotation {ann!r}")


class _Anything(Kind):
    def check_into(self, v, path, out):
        return v

    def describe(self):
        return "anything"

    def schema(self):
        return {}


class AnyOf(Kind):
    """A value of the first of ``kinds`` that accepts it."""

    def __init__(self, kinds, **kw):
        super().__init__(**kw)
        self.kinds = list(kinds)

    def check_into(self, v, path, out):
        for k in self.kinds:
            trial: list = []
            got = k.check_into(v, path, trial)
            if not trial:
                return got
        out.append((path, f"has the wrong kind of value: {show(v)}"))
        return BAD

    def describe(self):
        return " or ".join(k.describe() for k in self.kinds)

    def schema(self):
        return {"anyOf": [k.schema() for k in self.kinds]}


class TupleOf(Kind):
    """A fixed-length list, item by item (a tuple in the grader's reading)."""

    def __init__(self, kinds, *, transport: bool = False, **kw):
        super().__init__(**kw)
        self.kinds, self.transport = list(kinds), transport

    def check_into(self, v, path, out):
        if not isinstance(v, (list, tuple)):
            return self._expected(v, path, out)
        if len(v) != len(self.kinds):
            out.append((path, f"should have {len(self.kinds)} items, not {len(v)}"))
            return BAD
        n = len(out)
        got = [k.check_into(x, (path, i), out) for i, (x, k) in enumerate(zip(v, self.kinds))]
        return BAD if len(out) > n else (tuple(got) if self.transport else got)

    def describe(self):
        return f"a list of {len(self.kinds)} items"

    def schema(self):
        return {"type": "array", "prefixItems": [k.schema() for k in self.kinds], "items": False}


class Collection(Kind):
    """The grader's reading of a JSON list as a set or tuple."""

    def __init__(self, item: Kind, want: type, **kw):
        super().__init__(**kw)
        self.item, self.want = item, want

    def check_into(self, v, path, out):
        if not isinstance(v, list):
            return self._expected(v, path, out)
        n = len(out)
        got = [self.item.check_into(x, (path, i), out) for i, x in enumerate(v)]
        if len(out) > n:
            return BAD
        if self.want in (set, frozenset):
            try:
                return set(got)
            except TypeError:
                out.append((path, "should hold names or numbers"))
                return BAD
        return tuple(got)

    def describe(self):
        return f"a {self.want.__name__}"

    def schema(self):
        return {"type": "array", "items": self.item.schema()}


class DictOf(Kind):
    """The grader's reading of a JSON object: keys and values checked."""

    def __init__(self, key: Kind, value: Kind, **kw):
        super().__init__(**kw)
        self.key, self.value = key, value

    def check_into(self, v, path, out):
        if not isinstance(v, dict):
            return self._expected(v, path, out)
        n, got = len(out), {}
        for k, x in v.items():
            kk = self.key.check_into(k, f"{render(path)} key", out)
            got[kk if kk is not BAD else None] = self.value.check_into(x, (path, k), out)
        return BAD if len(out) > n else got

    def describe(self):
        return "a dict"

    def schema(self):
        return {"type": "object", "additionalProperties": self.value.schema()}


class Dataclass(Record):
    """The fields of a dataclass (a plug-in's state: the Exchange organisation, the
    procedures layer's disks and backups), each checked by the kind of its annotation;
    returns the checked mapping (the plug-in's ``from_dict`` builds the object)."""

    def __init__(self, cls, **kw):
        import dataclasses

        hints = typing.get_type_hints(cls)
        fields = []
        for f in dataclasses.fields(cls):
            if not f.init:
                continue
            default = REQUIRED
            if f.default is not dataclasses.MISSING:
                default = f.default
            elif f.default_factory is not dataclasses.MISSING:
                default = f.default_factory()
                if dataclasses.is_dataclass(default):
                    default = dataclasses.asdict(default)
            fields.append(Field(f.name, _Annotated(hints[f.name], False), default))
        super().__init__(fields, name=f"a {cls.__name__} (mapping of its fields)", title=cls.__name__, **kw)
        self.cls = cls

    def check_into(self, v, path, out):
        if not isinstance(v, dict):
            return self._expected(v, path, out)
        n = len(out)
        for k in v:
            if k not in self.by_name:
                out.append(((path, str(k)), f"unknown field of {self.cls.__name__}"))
        got = {}
        for f in self.fields:
            if f.name in v:
                got[f.name] = f.kind.check_into(v[f.name], (path, f.name), out)
            elif f.default is REQUIRED:
                out.append(((path, f.name), "missing (required)"))
        return BAD if len(out) > n else got
