"""The values labkit accepts: one validation layer for the commands, the cluster file and the grader.

The package is its parts' public names, imported here: :mod:`~labkit.values.plain` (plain data,
paths, :class:`Invalid`), :mod:`~labkit.values.kinds` (the kinds), :mod:`~labkit.values.records`
(records, annotations, dataclasses) and :mod:`~labkit.values.names` (NetBIOS names, addresses,
drives and the named kinds the model uses).

A *kind* is a small object that checks one value and says what it is: ``Int(0, 10000)``,
``Text()``, ``ListOf(Text(), unique=True)``, ``Record(...)``. The public commands check their
arguments with kinds, the file loader checks every field of a cluster file with the same
kinds (``labkit/io/fields.py``'s field tables name them), and the grader checks the plain data
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
labkit.values.Invalid: restart_threshold: -1 is out of range (0..10000) [rule: values have the documented kind and range; source: labkit/values]
>>> Plain().check({"size_gb": 18.2, "tags": ("a", "b")})
{'size_gb': 18.2, 'tags': ['a', 'b']}
>>> Plain().check(float("nan"), "properties.x")
Traceback (most recent call last):
labkit.values.Invalid: properties.x: expected plain data (text, a whole number, a finite number, true/false, null, a list or a mapping), not nan [rule: values have the documented kind and range; source: labkit/values]
"""
from __future__ import annotations

from .plain import (BAD, INT_MAX, INT_MIN, Invalid, MAX_DEPTH, RULE, SOURCE, SURROGATE, exact, fold, path_of, plain,
                    render, show)
from .kinds import (Bool, Checked, Choice, Int, Kind, ListOf, MapOf, Number, Optional, PLAIN_DEF, Plain, Text, accept)
from .records import (AnyOf, Collection, Dataclass, DictOf, Field, OMIT, REQUIRED, Record, TupleOf, from_annotation)
from .names import (CLOCK_MS, CLOCK_START, COUNT, DRIVE, FAILBACK_WINDOW, FAILOVER_PERIOD_HOURS, FAILOVER_THRESHOLD,
                    HOUR, IPV4, JOB_MS, MAX_CLOCK_MS, MAX_DELAY_MS, NAME, NETBIOS, NETBIOS_MAX, PLAIN, POLL_MS,
                    POSITIVE, RESTART_PERIOD_S, RESTART_THRESHOLD, SEED, TEXT, USERS, check_drive, check_netbios_name,
                    check_static_ip, settings_kinds)

__all__ = ["Kind", "Bool", "Int", "Number", "Text", "Checked", "Choice", "Optional", "ListOf", "MapOf",
           "Plain", "Record", "Field", "Dataclass", "AnyOf", "TupleOf", "REQUIRED", "OMIT", "BAD", "Invalid",
           "from_annotation", "show", "path_of", "render", "exact", "fold", "accept", "plain",
           "check_netbios_name", "check_static_ip", "check_drive", "NAME", "NETBIOS", "IPV4", "DRIVE",
           "PLAIN", "TEXT", "SEED", "CLOCK_MS", "JOB_MS", "MAX_CLOCK_MS", "MAX_DELAY_MS",
           "INT_MIN", "INT_MAX"]
