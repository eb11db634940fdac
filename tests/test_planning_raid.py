"""RAID arithmetic: drive-count rules, capacity, failures, I/O with the write penalty, spares, enclosures."""
import pytest

import labkit as lk
from labkit.planning import raid
from labkit.planning.raid import (DRIVE_18GB_10K, RA4100, Array, DriveModel, IOModel, RaidLevel,
                                  drives_needed, place)


# --- levels and drive-count rules ------------------------------------------------------------
@pytest.mark.parametrize("spelling", ["0+1", "RAID 0+1", "raid0+1", "1+0", "10", RaidLevel.RAID01])
def test_level_spellings_parse(spelling):
    assert RaidLevel.parse(spelling) is RaidLevel.RAID01


@pytest.mark.parametrize("bad", ["RAID 6", "", None, 3.5, True])
def test_unknown_level_is_a_validation_error(bad):
    with pytest.raises(lk.ValidationError):
        RaidLevel.parse(bad)


def test_raid0_needs_at_least_two_drives():
    Array("RAID 0", 2)
    with pytest.raises(lk.ConfigurationError):
        Array("RAID 0", 1)


def test_raid1_is_exactly_two_drives():
    Array("RAID 1", 2)
    for n in (1, 3, 4):
        with pytest.raises(lk.ConfigurationError):
            Array("RAID 1", n)


def test_raid01_needs_an_even_number_of_at_least_four_drives():
    Array("RAID 0+1", 4)
    Array("RAID 0+1", 6)
    for n in (2, 5, 7):
        with pytest.raises(lk.ConfigurationError):
            Array("RAID 0+1", n)


def test_raid5_needs_three_to_fourteen_drives():
    Array("RAID 5", 3)
    Array("RAID 5", raid.RAID5_MAX_DRIVES)
    for n in (2, raid.RAID5_MAX_DRIVES + 1):
        with pytest.raises(lk.ConfigurationError):
            Array("RAID 5", n)


def test_drive_count_must_be_an_int():
    with pytest.raises(lk.ValidationError):
        Array("RAID 1", "2")
    with pytest.raises(lk.ValidationError):
        Array("RAID 1", 2, drive="18GB")


# --- capacity and failures -------------------------------------------------------------------
@pytest.mark.parametrize("level,n,data", [("RAID 0", 4, 4), ("RAID 1", 2, 1), ("RAID 0+1", 6, 3),
                                          ("RAID 5", 5, 4)])
def test_usable_capacity_per_level(level, n, data):
    a = Array(level, n)
    assert a.data_drives == data
    assert a.usable_gb == pytest.approx(data * DRIVE_18GB_10K.capacity_gb)
    assert a.raw_gb == pytest.approx(n * DRIVE_18GB_10K.capacity_gb)


@pytest.mark.parametrize("level,n,tol,best", [("RAID 0", 4, 0, 0), ("RAID 1", 2, 1, 1), ("RAID 0+1", 6, 1, 3),
                                              ("RAID 5", 5, 1, 1)])
def test_tolerated_failures_per_level(level, n, tol, best):
    a = Array(level, n)
    assert (a.tolerated_failures, a.best_case_failures) == (tol, best)


def test_survives_matches_the_level():
    assert not Array("RAID 0", 2).survives([1])
    assert Array("RAID 1", 2).survives([0]) and not Array("RAID 1", 2).survives([0, 1])
    assert Array("RAID 5", 4).survives([3]) and not Array("RAID 5", 4).survives([0, 3])
    a = Array("RAID 0+1", 6)
    assert a.survives([0, 2, 4])          # one drive of each mirror pair
    assert not a.survives([4, 5])         # both sides of one pair


def test_survives_rejects_unknown_drive_index():
    with pytest.raises(lk.ValidationError):
        Array("RAID 1", 2).survives([2])


def test_online_spare_lets_a_redundant_array_survive_failures_in_turn():
    assert Array("RAID 1", 2).failures_in_turn(spares=1) == 2
    assert Array("RAID 0", 2).failures_in_turn(spares=1) == 0


# --- the I/O model ---------------------------------------------------------------------------
def test_drive_iops_come_from_seek_rotation_and_transfer():
    d = DriveModel("test", 10, 10000, avg_seek_ms=5.0, media_rate_mb_s=40.0)
    assert d.rotational_latency_ms == pytest.approx(3.0)
    assert d.service_time_ms(4) == pytest.approx(8.1)
    assert d.random_iops(4) == pytest.approx(1000 / 8.1)


@pytest.mark.parametrize("level,penalty", [("RAID 0", 1), ("RAID 1", 2), ("RAID 0+1", 2), ("RAID 5", 4)])
def test_write_penalty_per_level(level, penalty):
    assert raid.rules(level).write_penalty == penalty
    n = raid.rules(level).min_drives
    a = Array(level, n if level != "RAID 5" else 4)
    assert a.backend_iops(100, read_fraction=0.0) == pytest.approx(100 * penalty)
    assert a.backend_iops(100, read_fraction=1.0) == pytest.approx(100)


def test_max_iops_divides_drive_iops_by_the_write_mix():
    a = Array("RAID 5", 4)
    d = DRIVE_18GB_10K.random_iops()
    assert a.max_iops(read_fraction=0.5) == pytest.approx(4 * d / 2.5)
    assert a.max_iops(read_fraction=1.0) == pytest.approx(4 * d)


def test_write_penalty_is_an_overridable_assumption():
    io = IOModel(write_penalty={"5": 6})
    assert Array("RAID 5", 4).write_penalty(io) == 6
    assert Array("RAID 1", 2).write_penalty(io) == 2


def test_read_fraction_must_be_a_share():
    with pytest.raises(lk.ValidationError):
        Array("RAID 1", 2).max_iops(read_fraction=1.5)


# --- sizing --------------------------------------------------------------------------------
def test_drives_needed_meets_capacity_and_io():
    s = drives_needed("RAID 0+1", capacity_gb=60, iops=100)
    assert s.drives == 8 and s.binding == "capacity"
    assert s.array.usable_gb >= 60
    s = drives_needed("RAID 0+1", capacity_gb=10, iops=600)
    assert s.binding == "I/O" and s.array.max_iops() >= 600
    assert drives_needed("RAID 1", capacity_gb=1).binding == "minimum"


def test_raid5_needs_more_drives_than_raid01_for_write_heavy_io():
    assert drives_needed("RAID 5", iops=375).drives > drives_needed("RAID 0+1", iops=375).drives


def test_drives_needed_beyond_the_level_is_a_limit_error():
    with pytest.raises(lk.LimitError):
        drives_needed("RAID 1", capacity_gb=40)
    with pytest.raises(lk.ValidationError):
        drives_needed("RAID 1", capacity_gb=-1)


# --- enclosures ---------------------------------------------------------------------------
def test_ra4100_has_twelve_bays():
    assert RA4100.bays == 12 and RA4100.max_controllers == 2


def test_an_array_cannot_span_enclosures():
    with pytest.raises(lk.ConfigurationError):
        place([("big", 14)], RA4100)


def test_placement_fills_enclosures_first_fit_decreasing():
    p = place([("a", 6), ("b", 6), ("c", 6), ("d", 2), ("e", 1)], RA4100)
    assert p.count == 2 and sorted(p.used_bays()) == [9, 12]
    assert p.enclosure_of("c") == 1
