"""The value kinds: small objects that check one value and say what it is.

:class:`Kind` is the base (``check``, ``collect``, ``ok``, ``describe``, ``schema``); the
scalar kinds (:class:`Bool`, :class:`Int`, :class:`Number`, :class:`Text`, :class:`Checked`,
:class:`Choice`), the containers (:class:`Optional`, :class:`ListOf`, :class:`MapOf`) and
:class:`Plain` (any plain data) live here; :func:`accept` checks a command's argument.

>>> ListOf(Int(0, 23), length=2).check([22, 6])
[22, 6]
>>> Choice(("crash", "hang")).ok("reboot")
False
"""
from __future__ import annotations

import math
import re
from enum import Enum

from ..errors import LabkitError
from .plain import BAD, INT_MAX, INT_MIN, Invalid, MAX_DEPTH, SURROGATE, exact, fold, render, show


class Kind:
    """Base of the value kinds. Subclasses implement :meth:`check_into`, :meth:`describe` and
    :meth:`schema`."""

    def __init__(self, *, rule: str | None = None, source: str | None = None, doc: str | None = None):
        self.rule = rule
        self.source = source
        self.doc = doc

    # --- the three ways to use a kind -------------------------------------------------
    def check(self, v, path: str = ""):
        """``v`` normalised (an int subclass as int, a tuple as list...), or :class:`Invalid`."""
        out: list = []
        got = self.check_into(v, path, out)
        if out:
            raise Invalid(out, rule=self.rule, source=self.source)
        return got

    def collect(self, v, path: str, problems: list):
        """Like :meth:`check`, but append the problems to ``problems`` and return :data:`BAD`."""
        n = len(problems)
        got = self.check_into(v, path, problems)
        return BAD if len(problems) > n else got

    def ok(self, v) -> bool:
        return not self._errors(v)

    def _errors(self, v) -> list:
        out: list = []
        self.check_into(v, "", out)
        return out

    # --- for subclasses ----------------------------------------------------------------
    def check_into(self, v, path: str, out: list):  # pragma: no cover - abstract
        """What a kind implements: ``v`` normalised, or :data:`BAD` after appending
        ``(path, message)`` problems to ``out``; a kind made of kinds calls theirs."""
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

    def check_into(self, v, path, out):
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
    labkit.values.Invalid: expected a whole number, not True [rule: values have the documented kind and range; source: labkit/values]
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

    def check_into(self, v, path, out):
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

    def check_into(self, v, path, out):
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
        return ((v.isascii() or not SURROGATE.search(v)) and (self.blank or bool(v.strip()))
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
        return ((joined.isascii() or not SURROGATE.search(joined)) and (self.blank or all(map(str.strip, items)))
                and (self.max_len is None or max(map(len, items)) <= self.max_len)
                and (self.forbid is None or not self.forbid.search(joined)))

    def check_into(self, v, path, out):
        if type(v) is str and self._fine(v):
            return v
        if not isinstance(v, str):
            return self._expected(v, path, out)
        v = exact(v)
        if SURROGATE.search(v):
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

    def check_into(self, v, path, out):
        if isinstance(v, str):
            got = _ANY_TEXT.check_into(v, path, out)
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

    def check_into(self, v, path, out):
        if type(v) is str or (self.enum is not None and type(v) is self.enum):
            got = self._members.get(v)
            if got is not None:
                return got
        if self.enum is not None:
            if isinstance(v, self.enum):
                return v
            if isinstance(v, str) and not SURROGATE.search(v):
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

    def check_into(self, v, path, out):
        return None if v is None else self.kind.check_into(v, path, out)

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

    def check_into(self, v, path, out):
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
            y = self.item.check_into(x, (path, i), out)
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

    def check_into(self, v, path, out):
        if not isinstance(v, dict):
            return self._expected(v, path, out)
        got, n = {}, len(out)
        for k, x in v.items():
            if not isinstance(k, str):
                out.append((path or "", f"{render(path) or 'it'} has the key {show(k)} (keys are text)"))
                continue
            kk = self.key.check_into(k, (path, k) if not SURROGATE.search(k) else path, out)
            if kk is BAD:
                continue
            got[kk] = self.value.check_into(x, (path, kk), out)
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

    def check_into(self, v, path, out, depth=0):
        t = type(v)
        if v is None or t is bool:
            return v
        if t is dict and not self.scalar and _flat_ok(v):     # the common case: a few properties
            return dict(v)
        if isinstance(v, str):
            return _ANY_TEXT.check_into(v, path, out)
        if isinstance(v, int) and not isinstance(v, bool):
            return _ANY_INT.check_into(v, path, out)
        if isinstance(v, float):
            v = exact(v)
            return v if math.isfinite(v) else self._expected(v, path, out)
        if self.scalar or depth >= MAX_DEPTH:
            return self._expected(v, path, out) if self.scalar else (
                out.append((path, f"nested more than {MAX_DEPTH} deep")) or BAD)
        if isinstance(v, (list, tuple)):
            n = len(out)
            got = [self.check_into(x, (path, i), out, depth + 1) for i, x in enumerate(v)]
            return BAD if len(out) > n else got
        if isinstance(v, dict):
            n = len(out)
            got = {}
            for k, x in v.items():
                if not isinstance(k, str) or SURROGATE.search(k):
                    out.append((path, f"{render(path) or 'it'} has the key {show(k)} (keys are text)"))
                    continue
                got[exact(k)] = self.check_into(x, (path, k), out, depth + 1)
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
    if not joined.isascii() and SURROGATE.search(joined):
        return False
    ints = [x for x in d.values() if type(x) is int]
    return not ints or (INT_MIN <= min(ints) and max(ints) <= INT_MAX)


PLAIN_DEF = {"description": "plain data: text, numbers, true/false, null, lists and mappings",
             "anyOf": [{"type": ["string", "number", "boolean", "null"]},
                       {"type": "array", "items": {"$ref": "#/$defs/plain"}},
                       {"type": "object", "additionalProperties": {"$ref": "#/$defs/plain"}}]}


def accept(kind: Kind, v, what: str):
    """``kind.check(v)`` for a command's argument: the error names ``what``."""
    out: list = []
    got = kind.check_into(v, what, out)
    if out:
        raise Invalid(out, rule=kind.rule, source=kind.source)
    return got
