"""Plain data: what a value kind accepts, shown and found again.

The ground every kind stands on: the bounds of plain data (64-bit whole numbers, nesting
depth), :data:`BAD` (what a kind returns after recording a problem), :class:`Invalid` (the
refusal), :func:`show` (a value as an error message quotes it), paths of values inside
values (:func:`path_of`, :func:`render`), :func:`exact` (an ``IntEnum`` or ``str`` subclass as
the plain value it holds), :func:`fold` (names compared as MSCS compares them) and
:func:`plain` (any value as the plain data a file holds).

>>> path_of("resources", "Disk Q:"), fold("Disk Q:") == fold("DISK q:")
('resources["Disk Q:"]', True)
"""
from __future__ import annotations

import json
import re
from enum import Enum

from ..errors import ValidationError


#: Whole numbers are 64-bit signed: a range every YAML and JSON reader keeps exactly (an
#: integer of 4,300 digits or more cannot even be printed by Python without a setting).
INT_MIN, INT_MAX = -(2 ** 63), 2 ** 63 - 1
#: Plain data nested deeper than this is refused (a file or an answer, not a tree bomb).
MAX_DEPTH = 32
RULE = "values have the documented kind and range"
SOURCE = "labkit/values"

SURROGATE = re.compile("[\ud800-\udfff]")
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


Invalid.__module__ = "labkit.values"     # tracebacks name it where the public API offers it


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
    text = SURROGATE.sub("\ufffd", text)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def path_of(base, key) -> str:
    """The path of ``key`` inside ``base``: ``groups.EXVS2``, ``[1]``, ``resources["Disk Q:"]``."""
    base = render(base)
    if isinstance(key, int):
        return f"{base}[{key}]"
    key = str(key)
    if _SIMPLE_KEY.match(key):
        return f"{base}.{key}" if base else key
    return f"{base}[{json.dumps(SURROGATE.sub(chr(0xfffd), key), ensure_ascii=False)}]"


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
