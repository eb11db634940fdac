"""Tagged plain data: how a labkit planning object leaves the learner's kernel.

:func:`to_plain` is the JSON encoder's ``default`` hook there (the kernel's extraction code,
:data:`labkit.grading.answers.EXTRACT`, reaches it as ``labkit.grading.answers.to_plain``);
:mod:`labkit.grading.objects` builds the objects again in the grader. Both import it from here.
"""
from __future__ import annotations

import dataclasses
import enum

#: The key that tags a labkit dataclass written as a dict (see :func:`to_plain`).
TAG = "__type__"


def to_plain(x):
    """The JSON encoder's ``default`` hook for answers: a labkit dataclass (a storage
    design, a naming plan...) becomes a dict of its fields tagged with its class
    (``"__type__"``; nested ones too), an enum its value, a set a sorted list;
    anything else is refused. :mod:`labkit.grading.objects` builds them again.

    >>> import json
    >>> from labkit.planning.raid import Array
    >>> json.dumps(Array("RAID 1", 2), default=to_plain)[:60]
    '{"__type__": "labkit.planning.raid.Array", "level": "RAID 1"'
    """
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        name = f"{type(x).__module__}.{type(x).__qualname__}"
        if not name.startswith("labkit."):
            raise TypeError(f"{type(x).__name__} is not plain data")
        out = {TAG: name}
        for f in dataclasses.fields(x):
            if f.init:
                out[f.name] = getattr(x, f.name)
        return out
    if isinstance(x, enum.Enum):
        return x.value
    if isinstance(x, (set, frozenset)):
        return sorted(x, key=repr)
    raise TypeError(f"{type(x).__name__} is not plain data")
