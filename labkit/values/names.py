"""Names, addresses and drives as MSCS accepts them, and the named kinds the model uses.

NetBIOS names (1-15 characters, no punctuation), static IPv4 addresses that can be a host's,
drive letters like ``Q:``; the kinds of names, plain data, seeds and clock times; the bounds
of group and resource properties (FailoverThreshold, RestartPeriod...); the kinds of
:class:`~labkit.cluster.cluster.ClusterSettings`.

>>> check_netbios_name("1-CURLY"), NETBIOS.ok("THIS-NAME-IS-TOO-LONG")
('1-CURLY', False)
"""
from __future__ import annotations

import ipaddress
import re
from datetime import datetime

from ..errors import ConfigurationError, ValidationError
from .kinds import Bool, Checked, Int, ListOf, Number, Plain, Text
from .plain import INT_MAX, SURROGATE, exact, show


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
    if _NETBIOS_BAD.search(name) or SURROGATE.search(name):
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
#: Python can hold (the year 9999 is its last). Counted from the clock's start, Monday 7 May
#: 2001, 09:00 (``labkit.sim.START``; values sit below the clock, so the date is written here
#: too, and tests/test_architecture.py checks the two agree).
CLOCK_START = datetime(2001, 5, 7, 9, 0, 0)
MAX_CLOCK_MS = int((datetime(9900, 1, 1) - CLOCK_START).total_seconds()) * 1000
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
