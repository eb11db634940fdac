"""Design findings: a broken planning rule reported as data, not as an exception.

Planning checkers (storage design, naming plan, ...) look at a whole design and
return every :class:`Violation` they find, so a learner sees all problems at
once. ``require`` turns a non-empty list into one
:class:`~labkit.errors.ConfigurationError` that names the first rule and lists
the others.

>>> v = Violation("unique-addresses", "132.192.1.10 is used twice",
...               "paper, Table 10", subject="1-CURLY")
>>> str(v)
'[unique-addresses] 1-CURLY: 132.192.1.10 is used twice (source: paper, Table 10)'
>>> require([])
[]
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Iterable

from ..errors import ConfigurationError, LabkitError, ValidationError


@dataclass(frozen=True)
class Violation:
    """One broken rule: its short id, what is wrong, where the rule is written
    down, and the object it is about (an array label, a storage group, a name)."""

    rule: str
    message: str
    source: str
    subject: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        where = f" {self.subject}:" if self.subject else ""
        return f"[{self.rule}]{where} {self.message} (source: {self.source})"


def require(violations: Iterable[Violation], *, error: type[LabkitError] = ConfigurationError,
            what: str = "design") -> list[Violation]:
    """Return ``violations`` as a list if it is empty; otherwise raise ``error``.

    The error's ``rule`` and ``source`` are those of the first violation; its
    message lists them all, and ``err.violations`` holds the list.
    """
    found = list(violations)
    if not found:
        return found
    first = found[0]
    lines = "; ".join(str(v) for v in found)
    err = error(f"the {what} breaks {len(found)} rule(s): {lines}", rule=first.rule, source=first.source)
    err.violations = found
    raise err


def as_tuple(value, what: str, *, source: str = "labkit.planning") -> tuple:
    """``value`` (a list, tuple or other iterable, not a string) as a tuple; otherwise ValidationError.

    >>> as_tuple(["a", "b"], "names")
    ('a', 'b')
    """
    if isinstance(value, (str, bytes)) or value is None:
        raise ValidationError(f"{what} must be a list, not {value!r}", rule=f"{what} is a list", source=source)
    try:
        return tuple(value)
    except TypeError:
        raise ValidationError(f"{what} must be a list, not {value!r}", rule=f"{what} is a list",
                              source=source) from None


def whole_number(v, what: str, low: int = 1, high: int | None = None, *, source: str,
                 rule: str | None = None) -> int:
    """``v`` if it is a whole number (not a bool) from ``low`` to ``high`` (no upper bound
    when None); otherwise ValidationError naming ``rule`` (default "<what> is counted").

    >>> whole_number(4, "nodes", source="example")
    4
    >>> whole_number(0, "nodes", 1, 16, source="example")
    Traceback (most recent call last):
    labkit.errors.ValidationError: nodes must be a whole number between 1 and 16, not 0 [rule: nodes is counted; source: example]
    """
    if isinstance(v, bool) or not isinstance(v, int) or v < low or (high is not None and v > high):
        bound = f"between {low} and {high}" if high is not None else f">= {low}"
        raise ValidationError(f"{what} must be a whole number {bound}, not {v!r}", rule=rule or f"{what} is counted",
                              source=source)
    return v


__all__ = ["Violation", "require", "as_tuple", "whole_number"]
