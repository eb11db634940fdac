"""The values labkit accepts: one validation layer for the commands, the cluster file and the grader.

A *kind* is a small object that checks one value and says what it is: ``Int(0, 10000)``,
``Text()``, ``ListOf(Text(), unique=True)``, ``Record(...)``. The public commands check their
arguments with kinds, the file loader checks every field of a cluster file with the same
kinds (``labkit/files.py``'s field tables name them), and the grader checks the plain data
that leaves a learner's kernel with them. What a kind accepts is plain data that YAML and
JSON give back exactly: ``None``, ``True``/``False``, whole numbers of at most 64 bits,
finite numbers, text without lone surrogates, lists and mappings with text keys. So a value
a command accepted can always be saved and loaded back, by construction.
``docs/cluster-file.schema.json`` (JSON Schema, draft 2020-12) is generated from the kinds
(:meth:`Kind.schema`).

Subclasses of ``int``, ``float`` and ``str`` (an ``IntEnum``, a ``str`` subclass) are taken
as the plain value they hold; ``True`` and ``False`` are not numbers; tuples are lists.

>>> Int(0, 10000).check(3)
3
>>> Int(0, 10000).check(-1, "restart_threshold")
Traceback (most recent call last):
labkit.values.Invalid: restart_threshold: -1 is out of range (0..10000) [rule: values have the documented kind and range; source: labkit/values.py]
>>> Plain().check({"size_gb": 18.2, "tags": ("a", "b")})
{'size_gb': 18.2, 'tags': ['a', 'b']}
>>> Plain().check(float("nan"), "properties.x")
Traceback (most recent call last):
labkit.values.Invalid: properties.x: expected plain data (text, a whole number, a finite number, true/false, null, a list or a mapping), not nan [rule: values have the documented kind and range; source: labkit/values.py]
"""
from __future__ import annotations

import difflib
import ipaddress
import json
import math
import re
import types
import typing
from enum import Enum

from .errors import ConfigurationError, LabkitError, ValidationError

#: Whole numbers are 64-bit signed: a range every YAML and JSON reader keeps exactly (an
#: integer of 4,300 digits or more cannot even be printed by Python without a setting).
INT_MIN, INT_MAX = -(2 ** 63), 2 ** 63 - 1
#: Plain data nested deeper than this is refused (a file or an answer, not a tree bomb).
MAX_DEPTH = 32
RULE = "values have the documented kind and range"
SOURCE = "labkit/values.py"

_SURROGATE = re.compile("[\ud800-\udfff]")
_SIMPLE_KEY = re.compile(r"[A-Za-z0-9_-]+\Z")
BAD = object()   # what a kind returns when it recorded a problem


class Invalid(ValidationError):
    """A value a kind refuses. ``items`` lists the problems as ``(path, message)``."""

    def __init__(self, items, *, rule: str | None = None, source: str | None = None):
        if isinstance(items, str):          # raised again with another message, as LabkitErrors are
            items = [("", items)]
        self.items = [(render(p), m) for p, m in items]
        text = "; ".join(f"{p}: {m}" if p else m for p, m in self.items)
        super().__init__(text, rule=rule or RULE, source=source or SOURCE)


# ====================================================================== small helpers
def show(v, limit: int = 60) -> str:
    """``repr(v)`` made safe and short: never raises, never prints a 5,000-digit number."""
    if type(v) is int and v.bit_length() > 200:
        return f"a {int(v.bit_length() * 0.30103) + 1}-digit number"
    try:
        text = repr(v)
    except Exception:  # a hostile __repr__
        return f"a {type(v).__name__}"
    if not isinstance(text, str):  # pragma: no cover - repr() always gives str
        return f"a {type(v).__name__}"
    text = _SURROGATE.sub("\ufffd", text)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def path_of(base, key) -> str:
    """The path of ``key`` inside ``base``: ``groups.EXVS2``, ``[1]``, ``resources["Disk Q:"]``."""
    base = render(base)
    if isinstance(key, int):
        return f"{base}[{key}]"
    key = str(key)
    if _SIMPLE_KEY.match(key):
        return f"{base}.{key}" if base else key
    return f"{base}[{json.dumps(_SURROGATE.sub(chr(0xfffd), key), ensure_ascii=False)}]"


def render(path) -> str:
    """A path as text. Kinds build paths lazily, as ``(parent, key)`` pairs, so checking a
    valid value formats no path at all; a problem's path is rendered when it is shown."""
    if type(path) is str:
        return path
    keys = []
    while type(path) is tuple:
        path, key = path
        keys.append(key)
    out = path or ""
    for key in reversed(keys):
        out = path_of(out, key)
    return out


def exact(v):
    """A subclass of int, float or str as the plain value it holds (bool stays bool)."""
    t = type(v)
    if t in (int, float, str, bool) or v is None:
        return v
    if isinstance(v, bool):  # pragma: no cover - bool cannot be subclassed
        return bool(v)
    if isinstance(v, int):
        return int.__int__(v)
    if isinstance(v, float):
        return float.__float__(v)
    if isinstance(v, str):
        return str.__str__(v)
    return v


def fold(name: str) -> str:
    """The form MSCS compares names in: case-insensitive (``casefold``)."""
    return name.casefold()


_SCALAR_TYPES = frozenset((str, int, float, bool, type(None)))


def plain(v):
    """``v`` as plain data: enums as their values, tuples as lists, sets sorted, mapping
    keys as text (what :meth:`labkit.Cluster.to_dict` and the file writer produce).

    >>> plain({"state": ("a", {2, 1})})
    {'state': ['a', [1, 2]]}
    """
    t = type(v)
    if t in _SCALAR_TYPES:
        return v
    if t is list or t is tuple:
        if _SCALAR_TYPES.issuperset(map(type, v)):
            return list(v)
        return [plain(x) for x in v]
    if t is dict and _SCALAR_TYPES.issuperset(map(type, v.values())) and all(type(k) is str for k in v):
        return dict(v)
    if isinstance(v, dict):
        return {str(k): plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, (set, frozenset)):
        return sorted(plain(x) for x in v)
    if isinstance(v, Enum):
        return v.value
    return v


# ============================================================================== kinds
class Kind:
    """Base of the value kinds. Subclasses implement :meth:`_check`, :meth:`describe` and
    :meth:`schema`."""

    def __init__(self, *, rule: str | None = None, source: str | None = None, doc: str | None = None):
        self.rule = rule
        self.source = source
        self.doc = doc

    # --- the three ways to use a kind -------------------------------------------------
    def check(self, v, path: str = ""):
        """``v`` normalised (an int subclass as int, a tuple as list...), or :class:`Invalid`."""
        out: list = []
        got = self._check(v, path, out)
        if out:
            raise Invalid(out, rule=self.rule, source=self.source)
        return got

    def collect(self, v, path: str, problems: list):
        """Like :meth:`check`, but append the problems to ``problems`` and return :data:`BAD`."""
        n = len(problems)
        got = self._check(v, path, problems)
        return BAD if len(problems) > n else got

    def ok(self, v) -> bool:
        return not self._errors(v)

    def _errors(self, v) -> list:
        out: list = []
        self._check(v, "", out)
        return out

    # --- for subclasses ----------------------------------------------------------------
    def _check(self, v, path: str, out: list):  # pragma: no cover - abstract
        raise NotImplementedError

    def _expected(self, v, path: str, out: list):
        out.append((path, f"expected {self.describe()}, not {show(v)}"))
        return BAD

    def describe(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def schema(self) -> dict:  # pragma: no cover - abstract
        raise NotImplementedError

    def _doc(self, s: dict) -> dict:
        if self.doc:
            s = {"description": self.doc, **s}
        return s

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.describe()}>"


class Bool(Kind):
    """``True`` or ``False`` (not 0 or 1)."""

    def _check(self, v, path, out):
        return v if isinstance(v, bool) else self._expected(v, path, out)

    def describe(self):
        return "true or false"

    def schema(self):
        return self._doc({"type": "boolean"})


def _range_text(lo, hi, lo_open=False) -> str:
    left = "no limit" if lo is None else (f"more than {lo}" if lo_open else f"{lo}")
    right = "no limit" if hi is None else f"{hi}"
    return f"({left}..{right})"


class Int(Kind):
    """A whole number in ``lo..hi`` (both included; always inside 64 bits).

    >>> Int(1).check(True)
    Traceback (most recent call last):
    labkit.values.Invalid: expected a whole number, not True [rule: values have the documented kind and range; source: labkit/values.py]
    """

    def __init__(self, lo: int | None = None, hi: int | None = None, *, integral_floats: bool = False,
                 name: str = "a whole number", **kw):
        super().__init__(**kw)
        self.lo, self.hi = lo, hi
        self.integral_floats = integral_floats
        self.name = name

    def bulk(self, items: list) -> bool:
        if not items:
            return True
        if set(map(type, items)) != {int}:
            return False
        lo = INT_MIN if self.lo is None else self.lo
        hi = INT_MAX if self.hi is None else self.hi
        return lo <= min(items) and max(items) <= hi

    def _check(self, v, path, out):
        if type(v) is int and (self.lo is None or v >= self.lo) and (self.hi is None or v <= self.hi) \
                and INT_MIN <= v <= INT_MAX:
            return v
        if self.integral_floats and isinstance(v, float) and math.isfinite(v) and v.is_integer():
            v = int(v)
        if not isinstance(v, int) or isinstance(v, bool):
            return self._expected(v, path, out)
        v = exact(v)
        lo = INT_MIN if self.lo is None else self.lo
        hi = INT_MAX if self.hi is None else self.hi
        if not lo <= v <= hi:
            if self.lo is None and self.hi is None:
                out.append((path, f"{show(v)} does not fit in 64 bits"))
            else:
                out.append((path, f"{show(v)} is out of range {_range_text(self.lo, self.hi)}"))
            return BAD
        return v

    def _expected(self, v, path, out):
        out.append((path, f"expected {self.name}, not {show(v)}"))
        return BAD

    def describe(self):
        if self.lo is None and self.hi is None:
            return self.name
        if self.hi is None:
            return f"{self.name} >= {self.lo}"
        return f"{self.name} from {self.lo} to {self.hi}"

    def schema(self):
        return self._doc({"type": "integer", "minimum": INT_MIN if self.lo is None else self.lo,
                          "maximum": INT_MAX if self.hi is None else self.hi})


class Number(Kind):
    """A finite number (whole or not) in ``lo..hi``; ``lo_open``: more than ``lo``."""

    def __init__(self, lo: float | None = None, hi: float | None = None, *, lo_open: bool = False,
                 name: str = "a number", as_float: bool = False, **kw):
        super().__init__(**kw)
        self.lo, self.hi, self.lo_open = lo, hi, lo_open
        self.name = name
        self.as_float = as_float

    def _check(self, v, path, out):
        if not isinstance(v, (int, float)) or isinstance(v, bool):
            return self._expected(v, path, out)
        v = exact(v)
        if isinstance(v, float) and not math.isfinite(v):
            return self._expected(v, path, out)
        if isinstance(v, int) and not INT_MIN <= v <= INT_MAX:
            out.append((path, f"{show(v)} does not fit in 64 bits"))
            return BAD
        lo_bad = self.lo is not None and (v <= self.lo if self.lo_open else v < self.lo)
        if lo_bad or (self.hi is not None and v > self.hi):
            out.append((path, f"{show(v)} is out of range {_range_text(self.lo, self.hi, self.lo_open)}"))
            return BAD
        return float(v) if self.as_float else v

    def _expected(self, v, path, out):
        out.append((path, f"expected {'a finite number' if isinstance(v, float) else self.name}, not {show(v)}"))
        return BAD

    def describe(self):
        if self.lo is None and self.hi is None:
            return self.name
        lo = "" if self.lo is None else (f"more than {self.lo}" if self.lo_open else f"at least {self.lo}")
        hi = "" if self.hi is None else f"at most {self.hi}"
        return f"{self.name} {' and '.join(x for x in (lo, hi) if x)}"

    def schema(self):
        s = {"type": "number"}
        if self.lo is not None:
            s["exclusiveMinimum" if self.lo_open else "minimum"] = self.lo
        if self.hi is not None:
            s["maximum"] = self.hi
        return self._doc(s)


class Text(Kind):
    """Text: a ``str`` without lone surrogates (UTF-8 cannot hold them). ``blank``: may be
    empty or only spaces; ``max_len``: longest accepted."""

    def __init__(self, *, blank: bool = False, max_len: int | None = None, pattern: str | None = None,
                 forbid: str | None = None, name: str | None = None, **kw):
        super().__init__(**kw)
        self.blank, self.max_len = blank, max_len
        self.pattern = re.compile(pattern) if pattern else None
        #: a character class none of whose characters may appear (e.g. control characters)
        self.forbid = re.compile(forbid) if forbid else None
        self.name = name

    def _fine(self, v: str) -> bool:
        return ((v.isascii() or not _SURROGATE.search(v)) and (self.blank or bool(v.strip()))
                and (self.max_len is None or len(v) <= self.max_len)
                and (self.forbid is None or not self.forbid.search(v))
                and (self.pattern is None or self.pattern.fullmatch(v) is not None))

    def bulk(self, items: list) -> bool:
        """True when every item of ``items`` is exact text this kind accepts (checked with a
        few whole-list operations: the loader meets lists of 64 node names 9,000 times)."""
        if not items:
            return True
        if self.pattern is not None or set(map(type, items)) != {str}:
            return False
        joined = " ".join(items)
        return ((joined.isascii() or not _SURROGATE.search(joined)) and (self.blank or all(map(str.strip, items)))
                and (self.max_len is None or max(map(len, items)) <= self.max_len)
                and (self.forbid is None or not self.forbid.search(joined)))

    def _check(self, v, path, out):
        if type(v) is str and self._fine(v):
            return v
        if not isinstance(v, str):
            return self._expected(v, path, out)
        v = exact(v)
        if _SURROGATE.search(v):
            out.append((path, f"{show(v)} holds a lone surrogate (\\ud800-\\udfff), which UTF-8 cannot hold"))
            return BAD
        if not self.blank and not v.strip():
            return self._expected(v, path, out)
        if self.max_len is not None and len(v) > self.max_len:
            out.append((path, f"{show(v)} has {len(v)} characters; at most {self.max_len} are allowed"))
            return BAD
        if self.pattern is not None and not self.pattern.fullmatch(v):
            return self._expected(v, path, out)
        if self.forbid is not None and self.forbid.search(v):
            return self._expected(v, path, out)
        return v

    def describe(self):
        if self.name:
            return self.name
        return "text" if self.blank else "a non-empty string"

    def schema(self):
        s: dict = {"type": "string"}
        if not self.blank:
            s["pattern"] = r"\S"
        if self.max_len is not None:
            s["maxLength"] = self.max_len
        if self.pattern is not None:
            s["pattern"] = ("^" if self.blank else r"^(?=[\s\S]*\S)") + "(?:" + self.pattern.pattern + ")$"
        elif self.forbid is not None:
            cls = self.forbid.pattern
            assert cls.startswith("[") and cls.endswith("]")
            s["pattern"] = ("^" if self.blank else r"^(?=[\s\S]*\S)") + "[^" + cls[1:-1] + "]*$"
        return self._doc(s)


class Checked(Kind):
    """Text checked by a function that raises a :class:`~labkit.errors.LabkitError`
    (NetBIOS names, static IPv4 addresses); its message is the problem."""

    def __init__(self, fn, name: str, schema: dict, **kw):
        super().__init__(**kw)
        self.fn, self.name, self._schema = fn, name, schema

    def _check(self, v, path, out):
        if isinstance(v, str):
            got = _ANY_TEXT._check(v, path, out)
            if got is BAD:
                return BAD
            v = got
        try:
            return self.fn(v)
        except LabkitError as e:
            out.append((path, e.detail))
            return BAD

    def describe(self):
        return self.name

    def schema(self):
        return self._doc(dict(self._schema))


class Choice(Kind):
    """One of a few fixed values (text or null); an Enum class gives its members' values
    and the member is returned."""

    def __init__(self, options, **kw):
        super().__init__(**kw)
        self.enum = options if isinstance(options, type) and issubclass(options, Enum) else None
        self.options = tuple(m.value for m in options) if self.enum else tuple(options)
        self._members = {m.value: m for m in options} if self.enum else {o: o for o in self.options if o is not None}

    def _check(self, v, path, out):
        if type(v) is str or (self.enum is not None and type(v) is self.enum):
            got = self._members.get(v)
            if got is not None:
                return got
        if self.enum is not None:
            if isinstance(v, self.enum):
                return v
            if isinstance(v, str) and not _SURROGATE.search(v):
                try:
                    return self.enum(exact(v))
                except ValueError:
                    pass
            return self._expected(v, path, out)
        if isinstance(v, bool) or not any(type(v) is type(o) and v == o for o in self.options) and not (
                v is None and None in self.options):
            return self._expected(v, path, out)
        return exact(v)

    def describe(self):
        return "one of " + ", ".join("null" if o is None else str(o) for o in self.options)

    def schema(self):
        return self._doc({"enum": list(self.options)})


class Optional(Kind):
    """``None`` or a value of ``kind``."""

    def __init__(self, kind: Kind, **kw):
        super().__init__(**kw)
        self.kind = kind

    def _check(self, v, path, out):
        return None if v is None else self.kind._check(v, path, out)

    def describe(self):
        return f"{self.kind.describe()} or null"

    def schema(self):
        inner = self.kind.schema()
        if set(inner) <= {"type", "minimum", "maximum", "exclusiveMinimum", "pattern", "maxLength"} \
                and isinstance(inner.get("type"), str):
            return self._doc({**inner, "type": [inner["type"], "null"]})
        return self._doc({"anyOf": [inner, {"type": "null"}]})


class ListOf(Kind):
    """A list (a tuple is taken as one) of ``item`` values. ``unique``: no item twice
    (``"fold"``: compared case-insensitively, for names); ``length``: exactly so many."""

    def __init__(self, item: Kind, *, unique: bool | str = False, min_len: int = 0, max_len: int | None = None,
                 length: int | None = None, tuples: bool = True, name: str | None = None, **kw):
        super().__init__(**kw)
        self.item, self.unique, self.tuples = item, unique, tuples
        self.min_len, self.max_len = (length, length) if length is not None else (min_len, max_len)
        #: lists already found valid (exact types only: a tuple of the same items compares equal,
        #: and True == 1, so a key holds the items' types too)
        self._seen: set = set()
        self.name = name

    def _check(self, v, path, out):
        if type(v) is list and len(v) > 4 and hasattr(self.item, "bulk"):
            key = (tuple(v), tuple(map(type, v)))   # the same list again (64 possible owners, 9,000 times)
            try:
                if key in self._seen:
                    return list(v)
            except TypeError:                # unhashable items: the long way
                key = None
        else:
            key = None
        if type(v) is list and self.min_len <= len(v) <= (len(v) if self.max_len is None else self.max_len) \
                and hasattr(self.item, "bulk") and self.item.bulk(v) and (
                    not self.unique or len(set(map(str.casefold, v) if self.unique == "fold" else v)) == len(v)):
            if key is not None:
                if len(self._seen) > 64:
                    self._seen.clear()
                self._seen.add(key)
            return list(v)
        if not (isinstance(v, list) or (self.tuples and isinstance(v, tuple))):
            return self._expected(v, path, out)
        if len(v) < self.min_len or (self.max_len is not None and len(v) > self.max_len):
            return self._expected(v, path, out)
        got, seen, n = [], {}, len(out)
        for i, x in enumerate(v):
            y = self.item._check(x, (path, i), out)
            if y is not BAD and self.unique:
                key = fold(y) if self.unique == "fold" and isinstance(y, str) else y
                try:
                    if key in seen:
                        out.append(((path, i), f"{y} is listed twice"))
                    seen[key] = i
                except TypeError:
                    pass
            got.append(y)
        return BAD if len(out) > n else got

    def describe(self):
        if self.name:
            return self.name
        if self.min_len == self.max_len and self.max_len is not None:
            return f"a list of {self.max_len} ({self.item.describe()})"
        return f"a list of {self.item.describe()}" + (" (each once)" if self.unique else "")

    def schema(self):
        s: dict = {"type": "array", "items": self.item.schema()}
        if self.min_len:
            s["minItems"] = self.min_len
        if self.max_len is not None:
            s["maxItems"] = self.max_len
        if self.unique:       # "fold" (case-insensitive) is stricter than JSON Schema can say
            s["uniqueItems"] = True
        return self._doc(s)


class MapOf(Kind):
    """A mapping with text keys (checked by ``key``) and ``value`` values."""

    def __init__(self, value: Kind, *, key: Kind | None = None, name: str | None = None, **kw):
        super().__init__(**kw)
        self.value = value
        self.key = key or Text(blank=True)
        self.name = name

    def _check(self, v, path, out):
        if not isinstance(v, dict):
            return self._expected(v, path, out)
        got, n = {}, len(out)
        for k, x in v.items():
            if not isinstance(k, str):
                out.append((path or "", f"{render(path) or 'it'} has the key {show(k)} (keys are text)"))
                continue
            kk = self.key._check(k, (path, k) if not _SURROGATE.search(k) else path, out)
            if kk is BAD:
                continue
            got[kk] = self.value._check(x, (path, kk), out)
        return BAD if len(out) > n else got

    def describe(self):
        return self.name or f"a mapping of text to {self.value.describe()}"

    def schema(self):
        return self._doc({"type": "object", "additionalProperties": self.value.schema()})


class Plain(Kind):
    """Plain data: null, true/false, whole numbers (64 bits), finite numbers, text, lists
    and mappings with text keys, nested at most :data:`MAX_DEPTH` deep."""

    def __init__(self, *, scalar: bool = False, **kw):
        super().__init__(**kw)
        self.scalar = scalar

    def _check(self, v, path, out, depth=0):
        t = type(v)
        if v is None or t is bool:
            return v
        if t is dict and not self.scalar and _flat_ok(v):     # the common case: a few properties
            return dict(v)
        if isinstance(v, str):
            return _ANY_TEXT._check(v, path, out)
        if isinstance(v, int) and not isinstance(v, bool):
            return _ANY_INT._check(v, path, out)
        if isinstance(v, float):
            v = exact(v)
            return v if math.isfinite(v) else self._expected(v, path, out)
        if self.scalar or depth >= MAX_DEPTH:
            return self._expected(v, path, out) if self.scalar else (
                out.append((path, f"nested more than {MAX_DEPTH} deep")) or BAD)
        if isinstance(v, (list, tuple)):
            n = len(out)
            got = [self._check(x, (path, i), out, depth + 1) for i, x in enumerate(v)]
            return BAD if len(out) > n else got
        if isinstance(v, dict):
            n = len(out)
            got = {}
            for k, x in v.items():
                if not isinstance(k, str) or _SURROGATE.search(k):
                    out.append((path, f"{render(path) or 'it'} has the key {show(k)} (keys are text)"))
                    continue
                got[exact(k)] = self._check(x, (path, k), out, depth + 1)
            return BAD if len(out) > n else got
        return self._expected(v, path, out)

    def describe(self):
        if self.scalar:
            return "a plain value (text, a whole number, a finite number, true/false or null)"
        return "plain data (text, a whole number, a finite number, true/false, null, a list or a mapping)"

    def schema(self):
        if self.scalar:
            return self._doc({"type": ["string", "integer", "number", "boolean", "null"]})
        return self._doc({"$ref": "#/$defs/plain"})


_ANY_TEXT = Text(blank=True)
_ANY_INT = Int()
_FLAT_TYPES = frozenset((str, int, bool, type(None)))


def _flat_ok(d: dict) -> bool:
    """True when ``d`` maps text to exact text, 64-bit whole numbers, booleans or None --
    checked with a few whole-dict operations (floats and nested data take the long way)."""
    if not _FLAT_TYPES.issuperset(map(type, d.values())) or set(map(type, d)) - {str}:
        return False
    texts = [x for x in d.values() if type(x) is str]
    joined = "".join(d) + "".join(texts)
    if not joined.isascii() and _SURROGATE.search(joined):
        return False
    ints = [x for x in d.values() if type(x) is int]
    return not ints or (INT_MIN <= min(ints) and max(ints) <= INT_MAX)
PLAIN_DEF = {"description": "plain data: text, numbers, true/false, null, lists and mappings",
             "anyOf": [{"type": ["string", "number", "boolean", "null"]},
                       {"type": "array", "items": {"$ref": "#/$defs/plain"}},
                       {"type": "object", "additionalProperties": {"$ref": "#/$defs/plain"}}]}


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
        self._plan = tuple((f.name, f.kind._check, f.default, type(f.default) in (list, dict)) for f in self.fields)

    def _check(self, v, path, out):
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

    def _check(self, v, path, out):
        return self.kind._check(v, path, out)

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
    raise TypeError(f"no value kind for the annotation {ann!r}")


class _Anything(Kind):
    def _check(self, v, path, out):
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

    def _check(self, v, path, out):
        for k in self.kinds:
            trial: list = []
            got = k._check(v, path, trial)
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

    def _check(self, v, path, out):
        if not isinstance(v, (list, tuple)):
            return self._expected(v, path, out)
        if len(v) != len(self.kinds):
            out.append((path, f"should have {len(self.kinds)} items, not {len(v)}"))
            return BAD
        n = len(out)
        got = [k._check(x, (path, i), out) for i, (x, k) in enumerate(zip(v, self.kinds))]
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

    def _check(self, v, path, out):
        if not isinstance(v, list):
            return self._expected(v, path, out)
        n = len(out)
        got = [self.item._check(x, (path, i), out) for i, x in enumerate(v)]
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

    def _check(self, v, path, out):
        if not isinstance(v, dict):
            return self._expected(v, path, out)
        n, got = len(out), {}
        for k, x in v.items():
            kk = self.key._check(k, f"{render(path)} key", out)
            got[kk if kk is not BAD else None] = self.value._check(x, (path, k), out)
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

    def _check(self, v, path, out):
        if not isinstance(v, dict):
            return self._expected(v, path, out)
        n = len(out)
        for k in v:
            if k not in self.by_name:
                out.append(((path, str(k)), f"unknown field of {self.cls.__name__}"))
        got = {}
        for f in self.fields:
            if f.name in v:
                got[f.name] = f.kind._check(v[f.name], (path, f.name), out)
            elif f.default is REQUIRED:
                out.append(((path, f.name), "missing (required)"))
        return BAD if len(out) > n else got


# ======================================================================= names, addresses
NETBIOS_MAX = 15
_NETBIOS_BAD = re.compile(r'[\\/:*?"<>|. ,\x00-\x1f\x7f]')


def check_netbios_name(name, what: str = "name") -> str:
    """A NetBIOS computer name: 1-15 characters, none of \\ / : * ? " < > | . , space or
    a control character.

    >>> check_netbios_name("EXVS1")
    'EXVS1'
    """
    if not isinstance(name, str) or not name.strip():
        raise ValidationError(f"{what} must be a non-empty string, not {show(name)}",
                              rule="NetBIOS names are 1-15 characters",
                              source="Windows 2000 computer naming; paper, Table 10")
    name = exact(name)
    if len(name) > NETBIOS_MAX:
        raise ValidationError(f"{what} {show(name)} has {len(name)} characters; NetBIOS allows {NETBIOS_MAX}",
                              rule="NetBIOS names are at most 15 characters",
                              source="Windows 2000 computer naming; paper, Table 10")
    if _NETBIOS_BAD.search(name) or _SURROGATE.search(name):
        raise ValidationError(f"{what} {show(name)} contains a character NetBIOS names may not hold",
                              rule='NetBIOS names may not contain \\ / : * ? " < > | . , or spaces',
                              source="Windows 2000 computer naming")
    return name


def check_static_ip(address, what: str = "address") -> str:
    """A static IPv4 address in dotted form; DHCP is refused.

    >>> check_static_ip("132.192.1.11")
    '132.192.1.11'
    """
    if isinstance(address, str) and address.strip().lower() in ("dhcp", "auto", "automatic"):
        raise ConfigurationError(f"{what} {show(address)}: cluster addresses must be static",
                                 rule="cluster, node and service addresses are static (no DHCP)",
                                 source="paper, Use Standardized and Simplified IP Addressing and Naming")
    try:
        ip = ipaddress.IPv4Address(str.strip(address)) if isinstance(address, str) else None
    except (ipaddress.AddressValueError, ValueError):
        ip = None
    if ip is None:
        raise ValidationError(f"{what} {show(address)} is not an IPv4 address like 132.192.1.11",
                              rule="IP Address resources take a static dotted IPv4 address",
                              source="MSCS IP Address resource")
    if ip.is_unspecified or ip.is_multicast or ip.is_loopback or str(ip).endswith(".255"):
        raise ValidationError(f"{what} {show(address)} cannot be a host address",
                              rule="IP Address resources take a unicast host address",
                              source="MSCS IP Address resource")
    return str(ip)


_DRIVE = re.compile(r"[A-Za-z]:")


def check_drive(drive, what: str = "drive") -> str:
    """A drive letter like ``Q:`` (upper-cased).

    >>> check_drive("q:")
    'Q:'
    """
    if not (isinstance(drive, str) and _DRIVE.fullmatch(drive)):
        raise ValidationError(f"{what} must look like 'Q:', not {show(drive)}",
                              rule="a Physical Disk is mounted on a drive letter",
                              source="MSCS Physical Disk resource")
    return exact(drive).upper()


# ========================================================= the kinds the model uses
#: Names of groups, resources, accounts, monitors, rights: non-empty text. MSCS compares
#: them case-insensitively; the model keeps the case they were given.
NAME = Text(max_len=256, forbid=r"[\x00-\x1f\x7f]", name="a name (non-empty text without control characters)")
NETBIOS = Checked(lambda v: check_netbios_name(v, "the name"), "a NetBIOS name (1-15 characters)",
                  {"type": "string", "minLength": 1, "maxLength": NETBIOS_MAX,
                   "pattern": r'^[^\\/:*?"<>|. ,\u0000-\u001f\u007f]+$'})
IPV4 = Checked(lambda v: check_static_ip(v, "the address"), "a static IPv4 address",
               {"type": "string", "pattern": r"^\s*\d{1,3}(\.\d{1,3}){3}\s*$"})
DRIVE = Text(pattern=r"[A-Za-z]:", name="a drive letter like 'Q:'")
#: Plain data: the properties of resources and nodes, plug-in data without a schema.
PLAIN = Plain()
#: A log line's text, a monitor or job kind.
TEXT = Text(blank=True, max_len=100_000)
#: The seed of a cluster's random generator.
SEED = Int(0, INT_MAX, rule="a seed is a whole number >= 0", source="labkit.Cluster")

#: The latest simulated time: the clock stops before the year 9900, so that every
#: appointment a command can make (at most 100 simulated years ahead) is still a date
#: Python can hold (the year 9999 is its last).
def _max_ms() -> int:
    from datetime import datetime
    from .sim import START
    return int((datetime(9900, 1, 1) - START).total_seconds()) * 1000


MAX_CLOCK_MS = _max_ms()
#: How far ahead a job may be queued (100 simulated years).
MAX_DELAY_MS = 100 * 365 * 86_400_000
CLOCK_MS = Int(0, MAX_CLOCK_MS, name="a time in ms")
JOB_MS = Int(0, MAX_CLOCK_MS + MAX_DELAY_MS, name="a time in ms")

# --- the common properties of groups and resources (MSCS group and resource properties)
_GROUP_SRC = "MSCS group property"
_RES_SRC = "MSCS resource property"
FAILOVER_THRESHOLD = Int(0, 100000, rule="FailoverThreshold is a count", source=_GROUP_SRC)
FAILOVER_PERIOD_HOURS = Number(0, 1193, lo_open=True, rule="FailoverPeriod is 1-1193 hours", source=_GROUP_SRC)
HOUR = Int(0, 23, rule="FailbackWindowStart/End are hours 0-23", source=_GROUP_SRC)
FAILBACK_WINDOW = ListOf(HOUR, length=2, name="[start_hour, end_hour] with hours 0-23",
                         rule="FailbackWindowStart/End are hours 0-23", source=_GROUP_SRC)
RESTART_THRESHOLD = Int(0, 10000, rule="restart_threshold is a count", source=_RES_SRC)
RESTART_PERIOD_S = Int(1, 10 ** 7, rule="restart_period_s is a count of s", source=_RES_SRC)
POLL_MS = Int(10, 10 ** 8, rule="poll intervals and timeouts are counts of ms", source=_RES_SRC)


#: Counts and amounts of the plug-ins (mailboxes, users, sizes, rates): bounded, finite.
COUNT = Int(1, 10 ** 9, name="a whole number >= 1")
USERS = Int(0, 10 ** 9, name="a whole number >= 0")
POSITIVE = Number(0, 1e12, lo_open=True, name="a number > 0")


def settings_kinds() -> dict:
    """The kind of each :class:`~labkit.cluster.cluster.ClusterSettings` field. Whole
    numbers and seconds are bounded so that every time they make fits the clock."""
    return {"heartbeat_interval_ms": Int(1, 3_600_000, rule="heartbeats are ms apart"),
            "missed_heartbeats": Int(1, 1000, rule="a count of missed heartbeats"),
            "node_join_s": Number(0, 86_400, lo_open=True, rule="a join takes some time, at most a day"),
            "node_reboot_s": Number(0, 86_400, lo_open=True, rule="a restart takes some time, at most a day"),
            "monitor_restart_s": Number(0, 86_400, lo_open=True, rule="a monitor restarts within a day"),
            "node_failures_count": Bool()}


def accept(kind: Kind, v, what: str):
    """``kind.check(v)`` for a command's argument: the error names ``what``."""
    out: list = []
    got = kind._check(v, what, out)
    if out:
        raise Invalid(out, rule=kind.rule, source=kind.source)
    return got


__all__ = ["Kind", "Bool", "Int", "Number", "Text", "Checked", "Choice", "Optional", "ListOf", "MapOf",
           "Plain", "Record", "Field", "Dataclass", "AnyOf", "TupleOf", "REQUIRED", "OMIT", "BAD", "Invalid",
           "from_annotation", "show", "path_of", "render", "exact", "fold", "accept", "plain",
           "check_netbios_name", "check_static_ip", "check_drive", "NAME", "NETBIOS", "IPV4", "DRIVE",
           "PLAIN", "TEXT", "SEED", "CLOCK_MS", "JOB_MS", "MAX_CLOCK_MS", "MAX_DELAY_MS",
           "INT_MIN", "INT_MAX"]
