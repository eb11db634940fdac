"""What cluster.exe prints: the status tables, property listings and owner lists.

The column layouts follow cluster.exe's own output as published in Microsoft's
documentation and in administrators' transcripts: a node row is the name padded to 15
characters, the node ID right-aligned in 6 and the status; a group row 20 + 15; a
resource row 20 + 20 + 15. Names longer than a column are printed whole and push the
rest of the row right, as cluster.exe does (``%-20s`` pads, it does not cut).

A property row is its type letter and ``R`` for read-only (``SR`` a read-only string,
``D`` a number), the object, the property name and the value; numbers print as
``2 (0x2)``. Our reading: the letters are ``S`` string, ``D`` DWORD, ``L`` signed long
(FailbackWindowStart/End, where -1 means "no window").

>>> print("\\n".join(group_table([("EXVS1", "2-MOE", "Online")])))
Group                Node            Status
-------------------- --------------- ------
EXVS1                2-MOE           Online
"""
from __future__ import annotations

NODE_HEADER = ["Node           Node ID Status", "-------------- ------- ---------------------"]
GROUP_HEADER = ["Group                Node            Status", "-------------------- --------------- ------"]
RESOURCE_HEADER = ["Resource             Group                Node            Status",
                   "-------------------- -------------------- --------------- ------"]
_PROP_OWNER = {"resource": "Resource", "group": "Resource Group", "node": "Node", "cluster": "Cluster"}


def node_table(rows) -> list[str]:
    """``rows``: (name, id, status)."""
    return NODE_HEADER + [f"{n:<15} {i:>6} {s}" for n, i, s in rows]


def group_table(rows) -> list[str]:
    """``rows``: (group, owner node, status)."""
    return GROUP_HEADER + [f"{g:<20} {n:<15} {s}" for g, n, s in rows]


def resource_table(rows) -> list[str]:
    """``rows``: (resource, group, node, status)."""
    return RESOURCE_HEADER + [f"{r:<20} {g:<20} {n:<15} {s}" for r, g, n, s in rows]


def format_value(kind: str, value) -> str:
    """A property value as cluster.exe prints it: numbers as ``N (0xHEX)``.

    >>> format_value("D", 180000), format_value("L", -1), format_value("S", "Q:")
    ('180000 (0x2bf20)', '-1 (0xffffffff)', 'Q:')
    """
    if kind in ("D", "L") and isinstance(value, int) and not isinstance(value, bool):
        return f"{value} (0x{value & 0xFFFFFFFF:x})"
    if isinstance(value, bool):
        return f"{int(value)} (0x{int(value):x})"
    return "" if value is None else str(value)


def property_table(kind: str, rows) -> list[str]:
    """A property listing of ``kind`` ("resource", "group", "node", "cluster");
    ``rows``: (owner, property name, type letter, read-only, value)."""
    owner = _PROP_OWNER[kind]
    head = [f"T  {owner:<20} {'Name':<30} Value",
            "-- -------------------- ------------------------------ -----------------------"]
    return head + [f"{t}{'R' if ro else ' '} {o:<20} {n:<30} {format_value(t, v)}" for o, n, t, ro, v in rows]


def owner_list(title: str, header: str, names) -> list[str]:
    """``Listing preferred owners for ...`` style lists."""
    return [title, "", header, "-" * len(header), *names]
