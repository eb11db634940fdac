"""The cluster.exe line equivalent to a Cluster Administrator action (the widget shows it).

>>> command_line("move_group", {"group": "EXVS1", "node": "2-MOE"})
'cluster group EXVS1 /moveto:2-MOE'
>>> command_line("fail_resource", {"resource": "EXVS1 IP Address"})
'cluster res "EXVS1 IP Address" /fail'
>>> print(command_line("crash_node", {"node": "1-CURLY"}))
None
"""
from __future__ import annotations

_SPECIAL = set(' \t"/:,=')


def quote(name: str) -> str:
    """``name`` as cluster.exe needs it typed: in double quotes when it holds a space or
    one of ``/ : , =``.

    >>> quote("EXVS1"), quote("Disk Q:")
    ('EXVS1', '"Disk Q:"')
    """
    name = str(name)
    return f'"{name}"' if not name or any(ch in _SPECIAL for ch in name) else name


#: widget action -> (object, option) of cluster.exe; the value comes from the action's argument.
_LINES = {
    "move_group": ("group", "group", "moveto", "node"),
    "online_group": ("group", "group", "online", "node"),
    "offline_group": ("group", "group", "offline", None),
    "fail_resource": ("res", "resource", "fail", None),
    "online_resource": ("res", "resource", "online", None),
    "offline_resource": ("res", "resource", "offline", None),
    "start_node": ("node", "node", "start", None),
    "stop_node": ("node", "node", "stop", None),
    "pause_node": ("node", "node", "pause", None),
    "resume_node": ("node", "node", "resume", None),
    "evict_node": ("node", "node", "evict", None),
}


def command_line(action: str, args: dict) -> str | None:
    """The cluster.exe line that does what the :class:`~labkit.Cluster` method ``action``
    does with ``args``, or None when cluster.exe has no such command (a power cut, a
    fault injected into a resource, the passing of time)."""
    spec = _LINES.get(action)
    if spec is None:
        return None
    word, key, option, value_key = spec
    name = args.get(key)
    if name is None:
        return None
    line = f"cluster {word} {quote(name)} /{option}"
    value = args.get(value_key) if value_key else None
    return line + (f":{quote(value)}" if value is not None else "")
