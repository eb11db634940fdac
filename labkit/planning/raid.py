"""Drives, RAID arrays, online spares and storage enclosures.

The paper's storage advice (Table 8) and its reference design (Table 9) are
written in RAID levels: RAID 1 mirrors for the quorum and the transaction logs,
RAID 0+1 (or RAID 5) for the databases, online spares, and RA4100 Fibre Channel
storage enclosures. This module does the arithmetic behind those choices.

**The I/O model** (named, overridable assumptions; see :class:`IOModel` and
:class:`DriveModel`):

- a drive serves random I/O at ``1000 / (seek + half a rotation + transfer)``
  operations a second (the textbook service-time model) [D];
- every front-end read costs one drive I/O; every front-end write costs
  ``write_penalty`` drive I/Os: 1 for RAID 0, 2 for RAID 1 and 0+1 (both
  mirror sides), 4 for RAID 5 (read data, read parity, write data, write
  parity) [D];
- all drives of an array share the back-end load, reads included (both sides
  of a mirror serve reads) [D];
- controller caches are ignored, which is what makes the sizing conservative.

>>> a = Array("RAID 0+1", 6)
>>> a.usable_gb, a.tolerated_failures, a.write_penalty()
(54.6, 1, 2)
>>> round(DRIVE_18GB_10K.random_iops())
123
>>> round(a.max_iops(read_fraction=0.5))
494
>>> drives_needed("RAID 5", capacity_gb=40).drives
4
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Iterable, Sequence

from ..errors import ConfigurationError, LimitError, ValidationError
from .findings import as_tuple

_EPS = 1e-9


class RaidLevel(StrEnum):
    """The RAID levels the paper uses. ``RaidLevel.parse`` accepts "0+1", "RAID5", 5 ..."""

    RAID0 = "RAID 0"
    RAID1 = "RAID 1"
    RAID01 = "RAID 0+1"
    RAID5 = "RAID 5"

    @classmethod
    def parse(cls, value) -> "RaidLevel":
        """``RaidLevel.parse("0+1")`` -> ``RaidLevel.RAID01``; unknown levels raise ValidationError.

        >>> RaidLevel.parse("RAID1"), RaidLevel.parse(5), RaidLevel.parse("1+0")
        (<RaidLevel.RAID1: 'RAID 1'>, <RaidLevel.RAID5: 'RAID 5'>, <RaidLevel.RAID01: 'RAID 0+1'>)
        """
        if isinstance(value, cls):
            return value
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise ValidationError(f"a RAID level is a name like 'RAID 0+1' or a number, not {value!r}",
                                  rule="RAID levels are 0, 1, 0+1 and 5",
                                  source="paper, Table 8 and Table 9")
        key = str(value).upper().replace("RAID", "").replace(" ", "").replace("_", "")
        found = _LEVEL_ALIASES.get(key)
        if found is None:
            raise ValidationError(f"unknown RAID level {value!r}; choose RAID 0, RAID 1, RAID 0+1 or RAID 5",
                                  rule="RAID levels are 0, 1, 0+1 and 5",
                                  source="paper, Table 8 and Table 9")
        return found


_LEVEL_ALIASES = {"0": RaidLevel.RAID0, "1": RaidLevel.RAID1, "0+1": RaidLevel.RAID01,
                  "1+0": RaidLevel.RAID01, "10": RaidLevel.RAID01, "01": RaidLevel.RAID01,
                  "5": RaidLevel.RAID5}


@dataclass(frozen=True)
class LevelRules:
    """Drive-count rules and failure behaviour of one RAID level.

    ``max_drives`` is None when only the enclosure limits it.
    """

    level: RaidLevel
    min_drives: int
    max_drives: int | None
    even: bool
    write_penalty: int
    tolerated: int          # failures survived whatever drives fail
    rule: str
    source: str

    def data_drives(self, n: int) -> int:
        """Drives' worth of usable space in an ``n``-drive array."""
        return {RaidLevel.RAID0: n, RaidLevel.RAID1: n // 2, RaidLevel.RAID01: n // 2,
                RaidLevel.RAID5: n - 1}[self.level]

    def best_case_tolerated(self, n: int) -> int:
        """Most failures an ``n``-drive array can survive if they hit the right drives."""
        return n // 2 if self.level is RaidLevel.RAID01 else self.tolerated

    def check(self, n) -> None:
        if isinstance(n, bool) or not isinstance(n, int):
            raise ValidationError(f"a drive count is a whole number, not {n!r}", rule=self.rule, source=self.source)
        if n < self.min_drives or (self.max_drives is not None and n > self.max_drives) or (self.even and n % 2):
            raise ConfigurationError(f"a {self.level} array cannot have {n} drives: {self.rule}",
                                     rule=self.rule, source=self.source)


#: The rules of each level. The paper names the levels (Tables 8 and 9) but not
#: their drive counts; these are the standard definitions as Compaq's Array
#: Configuration Utility applies them [D]. RAID 5's 14-drive ceiling is the
#: Smart Array family's limit [U], a named setting.
RAID5_MAX_DRIVES = 14
LEVEL_RULES: dict[RaidLevel, LevelRules] = {
    RaidLevel.RAID0: LevelRules(RaidLevel.RAID0, 2, None, False, 1, 0,
                                "RAID 0 stripes over at least 2 drives and survives no failure",
                                "RAID definitions [D]"),
    RaidLevel.RAID1: LevelRules(RaidLevel.RAID1, 2, 2, True, 2, 1,
                                "RAID 1 is a mirror pair: exactly 2 drives (more drives make RAID 0+1)",
                                "RAID definitions; Compaq Array Configuration Utility [D]"),
    RaidLevel.RAID01: LevelRules(RaidLevel.RAID01, 4, None, True, 2, 1,
                                 "RAID 0+1 stripes over mirror pairs: an even number of drives, at least 4",
                                 "RAID definitions; paper, Table 9 (six-drive RAID 0+1) [D]"),
    RaidLevel.RAID5: LevelRules(RaidLevel.RAID5, 3, RAID5_MAX_DRIVES, False, 4, 1,
                                f"RAID 5 needs 3 to {RAID5_MAX_DRIVES} drives (one drive's worth of parity)",
                                "RAID definitions [D]; Smart Array 14-drive limit [U]"),
}


def rules(level) -> LevelRules:
    """The :class:`LevelRules` of ``level`` (any spelling ``RaidLevel.parse`` accepts)."""
    return LEVEL_RULES[RaidLevel.parse(level)]


@dataclass(frozen=True)
class DriveModel:
    """A disk drive: capacity and the figures of the random-I/O service-time model.

    ``capacity_gb`` is in the decimal gigabytes drives are sold in.
    """

    name: str
    capacity_gb: float
    rpm: int
    avg_seek_ms: float
    media_rate_mb_s: float
    source: str = ""

    @property
    def rotational_latency_ms(self) -> float:
        """Half a revolution: the average wait for the sector to come round."""
        return 30000.0 / self.rpm

    def service_time_ms(self, io_kb: float = 4.0) -> float:
        """Average time of one random I/O of ``io_kb`` kilobytes."""
        return self.avg_seek_ms + self.rotational_latency_ms + io_kb / self.media_rate_mb_s

    def random_iops(self, io_kb: float = 4.0) -> float:
        """Random I/Os a second one drive sustains.

        >>> round(DRIVE_18GB_10K.random_iops(), 1)
        123.5
        """
        return 1000.0 / self.service_time_ms(io_kb)


#: The drive of the paper's Table 9: an 18.2 GB, 10,000 rpm Wide Ultra3 drive of
#: 2001. Capacity and speed from Table 9 and the drive's class; the average
#: seek of 5.0 ms and 40 MB/s media rate are typical of 10,000 rpm drives of that
#: year (datasheets give 4.7-5.4 ms) [U].
DRIVE_18GB_10K = DriveModel("18.2 GB 10,000 rpm Wide Ultra3 (2001)", 18.2, 10000, 5.0, 40.0,
                            source="paper, Table 9 (18.2 GB drives); seek and media rate typical of 2001 [U]")
#: What-if drives of the same generation [U].
DRIVE_36GB_10K = DriveModel("36.4 GB 10,000 rpm Wide Ultra3 (2001)", 36.4, 10000, 5.0, 40.0,
                            source="typical 2001 figures [U]")
DRIVE_18GB_15K = DriveModel("18.2 GB 15,000 rpm Wide Ultra3 (2001)", 18.2, 15000, 3.9, 50.0,
                            source="typical 2001 figures [U]")


@dataclass(frozen=True)
class IOModel:
    """Named assumptions of the I/O arithmetic.

    - ``io_kb``: size of a random I/O; Exchange's database pages are 4 KB
      (paper, Storage Design is the Key).
    - ``read_fraction``: share of database I/Os that are reads; about half for
      the Exchange 2000 property store (J. Cochran, "Exchange Server File Types
      Guide Storage Design", Windows IT Pro, 2001) [U].
    - ``write_penalty``: drive I/Os per front-end write, per level [D]; pass a
      dict to override some of them.
    """

    io_kb: float = 4.0
    read_fraction: float = 0.5
    write_penalty: dict = field(default_factory=dict)

    def penalty(self, level) -> int:
        level = RaidLevel.parse(level)
        for key, value in self.write_penalty.items():
            if RaidLevel.parse(key) is level:
                return value
        return LEVEL_RULES[level].write_penalty

    def fraction(self, read_fraction) -> float:
        r = self.read_fraction if read_fraction is None else read_fraction
        if isinstance(r, bool) or not isinstance(r, (int, float)) or not 0.0 <= r <= 1.0:
            raise ValidationError(f"read_fraction must be between 0 and 1, not {r!r}",
                                  rule="a read fraction is a share of I/Os", source="I/O model [D]")
        return float(r)


DEFAULT_IO = IOModel()


def _check_drive(drive) -> DriveModel:
    if not isinstance(drive, DriveModel):
        raise ValidationError(f"drive must be a DriveModel, not {drive!r}", rule="arrays are built of drives",
                              source="labkit.planning.raid")
    return drive


@dataclass(frozen=True)
class Array:
    """A RAID array (a logical drive of a storage controller).

    >>> Array("RAID 5", 4).usable_gb
    54.6
    >>> Array("RAID 1", 3)
    Traceback (most recent call last):
    ...
    labkit.errors.ConfigurationError: a RAID 1 array cannot have 3 drives: RAID 1 is a mirror pair: exactly 2 drives (more drives make RAID 0+1) [rule: RAID 1 is a mirror pair: exactly 2 drives (more drives make RAID 0+1); source: RAID definitions; Compaq Array Configuration Utility [D]]
    """

    level: RaidLevel
    drives: int
    drive: DriveModel = DRIVE_18GB_10K

    def __post_init__(self):
        level = RaidLevel.parse(self.level)
        object.__setattr__(self, "level", level)
        LEVEL_RULES[level].check(self.drives)
        _check_drive(self.drive)

    @property
    def rules(self) -> LevelRules:
        return LEVEL_RULES[self.level]

    @property
    def raw_gb(self) -> float:
        return round(self.drives * self.drive.capacity_gb, 6)

    @property
    def data_drives(self) -> int:
        return self.rules.data_drives(self.drives)

    @property
    def usable_gb(self) -> float:
        """Capacity the operating system sees (decimal GB)."""
        return round(self.data_drives * self.drive.capacity_gb, 6)

    @property
    def tolerated_failures(self) -> int:
        """Drive failures survived whichever drives fail."""
        return self.rules.tolerated

    @property
    def best_case_failures(self) -> int:
        """Drive failures survived at best (RAID 0+1: one in every mirror pair)."""
        return self.rules.best_case_tolerated(self.drives)

    def failures_in_turn(self, spares: int = 0) -> int:
        """Failures survived one after another when each rebuild onto an online
        spare finishes before the next failure [D].

        >>> Array("RAID 1", 2).failures_in_turn(spares=1)
        2
        """
        return self.tolerated_failures + spares if self.tolerated_failures else 0

    def survives(self, failed: Iterable[int]) -> bool:
        """Whether the array keeps its data with the drives at ``failed`` (0-based) gone.

        RAID 0+1 pairs drive 2k with drive 2k+1 (a stripe over mirror pairs, as
        Compaq controllers build it) [D].

        >>> a = Array("RAID 0+1", 6)
        >>> a.survives([0, 2, 5]), a.survives([2, 3])
        (True, False)
        """
        bad = set(failed)
        for i in bad:
            if isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < self.drives:
                raise ValidationError(f"drive index {i!r} is not in this {self.drives}-drive array",
                                      rule="drives of an array are numbered from 0", source="labkit.planning.raid")
        if self.level is RaidLevel.RAID0:
            return not bad
        if self.level is RaidLevel.RAID01:
            return not any(2 * k in bad and 2 * k + 1 in bad for k in range(self.drives // 2))
        return len(bad) <= 1

    def write_penalty(self, io: IOModel = DEFAULT_IO) -> int:
        return io.penalty(self.level)

    def backend_iops(self, front_iops: float, read_fraction: float | None = None,
                     io: IOModel = DEFAULT_IO) -> float:
        """Drive I/Os a second that ``front_iops`` host I/Os cause."""
        r = io.fraction(read_fraction)
        return front_iops * (r + (1.0 - r) * self.write_penalty(io))

    def max_iops(self, read_fraction: float | None = None, io: IOModel = DEFAULT_IO) -> float:
        """Host random I/Os a second the array sustains at ``read_fraction`` reads."""
        r = io.fraction(read_fraction)
        return self.drives * self.drive.random_iops(io.io_kb) / (r + (1.0 - r) * self.write_penalty(io))

    def describe(self) -> str:
        return f"{self.drives} x {self.drive.capacity_gb:g} GB {self.level}"


@dataclass(frozen=True)
class Sizing:
    """How many drives an array needs, and which requirement decided it."""

    level: RaidLevel
    drives: int
    by_capacity: int
    by_iops: int
    required_gb: float
    required_iops: float
    read_fraction: float
    array: Array

    @property
    def binding(self) -> str:
        """What decided the drive count: 'capacity', 'I/O', 'capacity and I/O', or
        'minimum' (the level's smallest array already meets both)."""
        low = LEVEL_RULES[self.level].min_drives
        cap = self.by_capacity == self.drives and self.by_capacity > low
        ios = self.by_iops == self.drives and self.by_iops > low
        return "capacity and I/O" if cap and ios else "capacity" if cap else "I/O" if ios else "minimum"


def _valid_counts(level: RaidLevel):
    r = LEVEL_RULES[level]
    n = r.min_drives
    while r.max_drives is None or n <= r.max_drives:
        yield n
        n += 2 if r.even else 1


def _smallest(level, drive, test) -> int | None:
    for n in _valid_counts(level):
        if n > 10000:
            break
        if test(Array(level, n, drive)):
            return n
    return None


def drives_needed(level, *, capacity_gb: float = 0.0, iops: float = 0.0, read_fraction: float | None = None,
                  drive: DriveModel = DRIVE_18GB_10K, io: IOModel = DEFAULT_IO) -> Sizing:
    """The smallest array of ``level`` with ``capacity_gb`` usable and ``iops`` host random I/Os.

    >>> s = drives_needed("RAID 0+1", capacity_gb=45, iops=375)
    >>> s.drives, s.by_capacity, s.by_iops, s.binding
    (6, 6, 6, 'capacity and I/O')
    >>> drives_needed("RAID 5", capacity_gb=45, iops=375).drives   # the write penalty costs drives
    8
    """
    level = RaidLevel.parse(level)
    _check_drive(drive)
    for what, v in (("capacity_gb", capacity_gb), ("iops", iops)):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0 or math.isnan(v):
            raise ValidationError(f"{what} must be a number >= 0, not {v!r}", rule="sizing needs demands",
                                  source="labkit.planning.raid")
    r = io.fraction(read_fraction)
    cap = _smallest(level, drive, lambda a: a.usable_gb + _EPS >= capacity_gb)
    ios = _smallest(level, drive, lambda a: a.max_iops(r, io) + _EPS >= iops)
    if cap is None or ios is None:
        lr = LEVEL_RULES[level]
        need = "capacity" if cap is None else "I/O"
        raise LimitError(f"no {level} array of {drive.capacity_gb:g} GB drives meets the {need} "
                         f"({capacity_gb:g} GB, {iops:g} I/O per second)", rule=lr.rule, source=lr.source)
    n = max(cap, ios)
    return Sizing(level, n, cap, ios, float(capacity_gb), float(iops), r, Array(level, n, drive))


@dataclass(frozen=True)
class OnlineSpare:
    """An online (hot) spare drive that a controller rebuilds onto when a drive of
    one of the ``covers`` arrays fails (paper, Table 9: one spare for the log
    devices, one for the database devices)."""

    name: str
    drive: DriveModel = DRIVE_18GB_10K
    covers: tuple = ()

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValidationError(f"a spare's name is a non-empty string, not {self.name!r}",
                                  rule="online spares are named", source="paper, Table 9")
        _check_drive(self.drive)
        object.__setattr__(self, "covers", as_tuple(self.covers, "the arrays a spare covers"))


@dataclass(frozen=True)
class EnclosureModel:
    """A storage enclosure: drive bays and array controllers."""

    name: str
    bays: int
    max_controllers: int
    source: str = ""
    short: str = ""


#: Compaq StorageWorks RAID Array 4100: 12 one-inch drive bays and one or two
#: (redundant) RA4000 array controllers (Compaq RA4100 User Guide, 2000 [U]);
#: consistent with the paper's Table 9 (36 drives in three RA4100s).
RA4100 = EnclosureModel("Compaq StorageWorks RAID Array 4100", 12, 2,
                        source="Compaq RA4100 User Guide [U]; paper, Table 9 (36 drives, three arrays)",
                        short="RA4100")
#: The RA4000 (formerly Fibre Channel Storage System) of the HA/F100 and HA/F200 [U].
RA4000 = EnclosureModel("Compaq StorageWorks RAID Array 4000", 12, 2, source="Compaq RA4000 overview [U]",
                        short="RA4000")
#: The RA8000/ESA12000 with dual HSG80 controllers of the HA/F500 [U].
RA8000 = EnclosureModel("Compaq StorageWorks RA8000/ESA12000", 24, 2, source="Compaq HA/F500 description [U]",
                        short="RA8000")
#: The shared SCSI drive cage of the ProLiant CL1850 packaged cluster [U].
CL1850_CAGE = EnclosureModel("ProLiant CL1850 shared drive cage", 8, 0, source="CL1850 product review [U]",
                             short="CL1850 drive cage")


@dataclass(frozen=True)
class Placement:
    """Which arrays and spares sit in which enclosure (labels, per enclosure)."""

    model: EnclosureModel
    enclosures: tuple

    @property
    def count(self) -> int:
        return len(self.enclosures)

    def used_bays(self) -> list[int]:
        return [sum(n for _, n in e) for e in self.enclosures]

    def enclosure_of(self, label: str) -> int:
        for i, e in enumerate(self.enclosures):
            if any(lab == label for lab, _ in e):
                return i
        raise ValidationError(f"{label!r} is not placed", rule="every array sits in an enclosure",
                              source="labkit.planning.raid")


ARRAY_IN_ONE_ENCLOSURE = ("an array lives in one enclosure: each storage system's controller manages "
                          "only its own drive bays")


def place(items: Sequence[tuple[str, int]], model: EnclosureModel = RA4100) -> Placement:
    """Put ``(label, drives)`` items into as few enclosures as first-fit decreasing finds [D].

    >>> place([("DB1", 6), ("DB2", 6), ("LOG", 2), ("Q", 2)], RA4100).count
    2
    """
    if not isinstance(model, EnclosureModel):
        raise ValidationError(f"model must be an EnclosureModel, not {model!r}", rule="enclosures have a model",
                              source="labkit.planning.raid")
    checked = []
    for item in as_tuple(items, "placement items"):
        if not (isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str)
                and isinstance(item[1], int) and not isinstance(item[1], bool) and item[1] >= 1):
            raise ValidationError(f"placement items are (label, drives) pairs, not {item!r}",
                                  rule="arrays take whole drives", source="labkit.planning.raid")
        checked.append(item)
    order = sorted(enumerate(checked), key=lambda t: (-t[1][1], t[0]))
    bins: list[list[tuple[str, int]]] = []
    room: list[int] = []
    for _, (label, n) in order:
        if n > model.bays:
            raise ConfigurationError(f"{label!r} needs {n} drives but a {model.name} has {model.bays} bays",
                                     rule=ARRAY_IN_ONE_ENCLOSURE, source=model.source or "[D]")
        for i, free in enumerate(room):
            if free >= n:
                bins[i].append((label, n))
                room[i] -= n
                break
        else:
            bins.append([(label, n)])
            room.append(model.bays - n)
    return Placement(model, tuple(tuple(b) for b in bins))


__all__ = ["RaidLevel", "LevelRules", "LEVEL_RULES", "RAID5_MAX_DRIVES", "rules", "DriveModel",
           "DRIVE_18GB_10K", "DRIVE_36GB_10K", "DRIVE_18GB_15K", "IOModel", "DEFAULT_IO", "Array", "Sizing",
           "drives_needed", "OnlineSpare", "EnclosureModel", "RA4100", "RA4000", "RA8000", "CL1850_CAGE",
           "Placement", "place", "ARRAY_IN_ONE_ENCLOSURE"]
