"""Storage design rules (the paper's Table 8), sizing, and Table 9 rebuilt from the rules."""
from dataclasses import replace

import pytest

import labkit as lk
from labkit.planning import storage as st
from labkit.planning import storage_rules
from labkit.planning.raid import DRIVE_18GB_10K, DRIVE_36GB_10K, RA4100, Array, OnlineSpare
from labkit.planning.storage import PlannedArray, StorageDesign, database, edb, logs, quorum, stm
from labkit.planning.storage_rules import check, require_valid


def good(**kw):
    """A correct two-virtual-server design."""
    arrays = [
        PlannedArray("Q", Array("RAID 1", 2), [quorum()]),
        PlannedArray("VS1 LOG", Array("RAID 1", 2), [logs("EXVS1", "SG1")]),
        PlannedArray("VS1 DB", Array("RAID 0+1", 4), [database("EXVS1", "SG1")]),
        PlannedArray("VS2 LOG", Array("RAID 0+1", 4), [logs("EXVS2", "SG1")]),
        PlannedArray("VS2 DB", Array("RAID 5", 3), [database("EXVS2", "SG1")]),
    ]
    spares = [OnlineSpare("spare", DRIVE_18GB_10K, ("VS1 DB", "VS2 DB"))]
    values = dict(name="good", arrays=arrays, spares=spares)
    values.update(kw)
    return StorageDesign(**values)


def with_array(design, which, **changes):
    return replace(design, arrays=tuple(replace(a, **changes) if a.label == which else a for a in design.arrays))


def rules_of(design):
    return {v.rule for v in check(design)}


def test_the_baseline_design_is_valid():
    assert check(good()) == []
    assert require_valid(good()).name == "good"


# --- one test per rule ------------------------------------------------------------------------
def test_one_quorum():
    d = replace(good(), arrays=good().arrays[1:])
    assert "one-quorum" in rules_of(d)
    d = replace(good(), arrays=good().arrays + (PlannedArray("Q2", Array("RAID 1", 2), [quorum()]),))
    assert "one-quorum" in rules_of(d)


def test_quorum_own_raid1_level():
    assert "quorum-own-raid1" in rules_of(with_array(good(), "Q", array=Array("RAID 5", 3)))


def test_quorum_own_raid1_alone():
    d = with_array(good(), "Q", holds=(quorum(), logs("EXVS3", "SG1")))
    assert "quorum-own-raid1" in rules_of(d)


def test_logs_on_raid1_or_raid01():
    assert "logs-raid-1-or-0+1" in rules_of(with_array(good(), "VS1 LOG", array=Array("RAID 5", 3)))
    assert "logs-raid-1-or-0+1" in rules_of(with_array(good(), "VS1 LOG", array=Array("RAID 0", 2)))


def test_logs_dedicated_per_storage_group():
    d = with_array(good(), "VS1 LOG", holds=(logs("EXVS1", "SG1"), logs("EXVS1", "SG2")))
    assert "logs-dedicated" in rules_of(d)


def test_logs_apart_from_their_databases():
    d = with_array(good(), "VS1 LOG", holds=(logs("EXVS1", "SG1"), database("EXVS1", "SG1", "Store B")))
    assert "logs-apart-from-databases" in rules_of(d)


def test_database_raid_level():
    assert "database-raid-level" in rules_of(with_array(good(), "VS1 DB", array=Array("RAID 0", 4)))


def test_database_array_per_storage_group():
    d = with_array(good(), "VS1 DB", holds=(database("EXVS1", "SG1"), database("EXVS1", "SG2")))
    assert "database-array-per-storage-group" in rules_of(d)


def test_one_virtual_server_per_array():
    d = with_array(good(), "VS2 DB", holds=(database("EXVS2", "SG1"), edb("EXVS1", "SG1", "Other")))
    assert "one-virtual-server-per-array" in rules_of(d)
    d = replace(good(), arrays=good().arrays + (PlannedArray("spare array", Array("RAID 1", 2)),))
    assert "one-virtual-server-per-array" in rules_of(d)


def test_storage_group_complete():
    d = replace(good(), arrays=tuple(a for a in good().arrays if a.label != "VS2 DB"),
                spares=[OnlineSpare("spare", DRIVE_18GB_10K, ("VS1 DB",))])
    found = [v for v in check(d) if v.rule == "storage-group-complete"]
    assert [v.subject for v in found] == ["EXVS2/SG1"]
    d = with_array(good(), "VS1 DB", holds=(edb("EXVS1", "SG1"),))   # STM nowhere
    assert "storage-group-complete" in rules_of(d)


def test_separate_edb_and_stm_arrays_are_allowed():
    d = with_array(good(), "VS1 DB", holds=(edb("EXVS1", "SG1"),))
    d = replace(d, arrays=d.arrays + (PlannedArray("VS1 STM", Array("RAID 1", 2), [stm("EXVS1", "SG1")]),))
    assert check(d) == []


def test_one_array_per_file():
    d = replace(good(), arrays=good().arrays + (PlannedArray("VS1 DB copy", Array("RAID 1", 2),
                                                             [database("EXVS1", "SG1")]),))
    assert "one-array-per-file" in rules_of(d)
    d = replace(good(), arrays=good().arrays + (PlannedArray("VS1 LOG 2", Array("RAID 1", 2),
                                                             [logs("EXVS1", "SG1")]),))
    assert "one-array-per-file" in rules_of(d)


def test_at_most_five_databases_per_storage_group():
    extra = tuple(PlannedArray(f"DB{i}", Array("RAID 1", 2), [database("EXVS1", "SG1", f"Store {i}")])
                  for i in range(5))
    d = replace(good(), arrays=good().arrays + extra)
    assert "databases-per-storage-group" in rules_of(d)
    d = replace(good(), arrays=good().arrays + extra[:4])
    assert "databases-per-storage-group" not in rules_of(d)


def test_at_most_four_storage_groups_per_virtual_server():
    d = st.plan_storage(500, 1, storage_groups_per_server=5)
    assert "storage-groups-per-virtual-server" in rules_of(d)
    assert check(st.plan_storage(500, 1, storage_groups_per_server=4)) == []


def test_unique_labels():
    d = with_array(good(), "VS2 DB", label="VS1 DB")
    assert "unique-labels" in rules_of(d)


def test_capacity_and_iops_demands_are_checked():
    assert "capacity" in rules_of(with_array(good(), "VS1 DB", required_gb=40))
    assert "iops" in rules_of(with_array(good(), "VS1 DB", required_iops=400, read_fraction=0.5))
    assert check(with_array(good(), "VS1 DB", required_gb=36, required_iops=300)) == []


def test_spare_coverage():
    bad_target = good(spares=[OnlineSpare("s", DRIVE_18GB_10K, ("nowhere",))])
    assert "spare-coverage" in rules_of(bad_target)
    small = with_array(good(), "VS1 DB", array=Array("RAID 0+1", 4, DRIVE_36GB_10K))
    assert "spare-coverage" in rules_of(small)
    raid0 = replace(good(), arrays=good().arrays + (PlannedArray("scratch", Array("RAID 0", 2),
                                                                 [database("EXVS1", "SG2")]),))
    raid0 = replace(raid0, spares=[OnlineSpare("s", DRIVE_18GB_10K, ("scratch",))])
    assert "spare-coverage" in rules_of(raid0)


def test_enclosure_bays():
    assert "enclosure-bays" in rules_of(good(enclosures=1))   # 16 drives > 12 bays
    assert "enclosure-bays" not in rules_of(good(enclosures=2))
    huge = with_array(good(), "VS1 DB", array=Array("RAID 0+1", 14))
    assert "enclosure-bays" in rules_of(huge)


def test_each_violation_names_its_source():
    for v in check(st.table9_as_printed()):
        assert v.source == storage_rules.RULES[v.rule][1] and v.source


def test_require_valid_raises_configuration_error_with_all_violations():
    with pytest.raises(lk.ConfigurationError) as e:
        require_valid(st.table9_as_printed())
    assert e.value.rule == "unique-labels" and len(e.value.violations) == 6


# --- wrong types are LabkitErrors -------------------------------------------------------------
def test_wrong_types_are_validation_errors():
    with pytest.raises(lk.ValidationError):
        check("design")
    with pytest.raises(lk.ValidationError):
        PlannedArray("", Array("RAID 1", 2))
    with pytest.raises(lk.ValidationError):
        PlannedArray("x", "RAID 1")
    with pytest.raises(lk.ValidationError):
        PlannedArray("x", Array("RAID 1", 2), ["logs"])
    with pytest.raises(lk.ValidationError):
        st.Content("backups", "EXVS1", "SG1")
    with pytest.raises(lk.ValidationError):
        logs("EXVS1", None)
    with pytest.raises(lk.ValidationError):
        st.Content(st.Role.QUORUM, "EXVS1")
    with pytest.raises(lk.ValidationError):
        StorageDesign("x", arrays=["Q"])
    with pytest.raises(lk.ValidationError):
        st.plan_storage(5000, 0)
    with pytest.raises(lk.ValidationError):
        st.SizingAssumptions(mailbox_mb=-1)


# --- sizing ---------------------------------------------------------------------------------
def test_database_sizing_from_users_mailbox_and_io():
    a = st.SizingAssumptions(mailbox_mb=100, database_overhead=0.0, iops_per_user=0.0)
    s = st.size_database_array(1000, a)          # 100 GB -> 6 data drives of 18.2 GB -> 12 drives
    assert s.required_gb == pytest.approx(100) and s.drives == 12 and s.binding == "capacity"
    a = st.SizingAssumptions(mailbox_mb=1, iops_per_user=1.0)
    s = st.size_database_array(1000, a)          # 1,000 IO/s x 1.5 / 123.5 per drive -> 13 -> 14
    assert s.binding == "I/O" and s.drives == 14 and s.array.max_iops() >= 1000


def test_raid5_database_arrays_cost_more_drives_under_write_load():
    a5 = st.SizingAssumptions(database_level="RAID 5")
    assert st.size_database_array(1250, a5).drives > st.size_database_array(1250).drives


def test_later_mailbox_profiles_outgrow_table9():
    assert st.size_database_array(1250, st.profile_2003("light")).drives > 6
    with pytest.raises(lk.ValidationError):
        st.profile_2003("monster")


def test_users_are_split_evenly_over_storage_groups():
    d = st.plan_storage(5001, 4)
    gbs = sorted(a.required_gb for a in d.arrays if st.Role.DATABASE in a.roles)
    assert gbs[-1] - gbs[0] == pytest.approx(st.PAPER_2001.database_gb(1))


# --- Table 9 ------------------------------------------------------------------------------------
def test_table9_drive_count_and_capacity_come_from_the_rules():
    d = st.table9()
    a = st.PAPER_2001
    per_sg = st.TABLE9_USERS // st.TABLE9_NODES
    db = st.size_database_array(per_sg, a).drives
    log = st.size_log_array(per_sg, a).drives
    quorum_drives = 2
    spares = 2 * a.spares_per_role
    assert d.total_drives == quorum_drives + st.TABLE9_NODES * (log + db) + spares
    assert d.total_drives == 36                      # what the paper prints
    assert [r["drives"] for r in d.rows()] == [2, 2, 2, 2, 2, 6, 6, 6, 6, 1, 1]
    assert d.raw_gb == pytest.approx(36 * 18.2)
    usable = 18.2 * (1 + 4 * 1 + 4 * 3)              # quorum mirror, 4 log mirrors, 4 x three pairs
    assert d.usable_gb == pytest.approx(usable)
    assert d.enclosures_needed == 3 and d.enclosure is RA4100
    assert check(d) == []


def test_table9_levels_and_labels():
    lines = st.table9().table_lines()
    assert lines[0] == "(2) 18.2GB Drives/RAID1: Cluster Quorum Device"
    assert lines[1] == "(2) 18.2GB Drives/RAID1: VS1-SG1 LOG Device"
    assert lines[8] == "(6) 18.2GB Drives/RAID0+1: VS4-SG1 Database Device"
    assert lines[-2:] == ["18.2GB Drive: Online Spare – LOG Devices", "18.2GB Drive: Online Spare – Database Devices"]


def test_table9_virtual_servers_own_their_arrays():
    d = st.table9()
    for i in range(1, 5):
        assert d.arrays_of(f"EXVS{i}") == [f"VS{i}-SG1 LOG Device", f"VS{i}-SG1 Database Device"]


def test_table9_as_printed_error_is_caught():
    found = check(st.table9_as_printed())
    assert {v.subject for v in found if v.rule == "storage-group-complete"} == {"EXVS2/SG1", "EXVS3/SG1",
                                                                               "EXVS4/SG1"}
    assert any(v.rule == "unique-labels" and v.subject == "VS1-SG1 Database Device" for v in found)
    assert st.table9_as_printed().total_drives == 36


def test_table9_changes_with_the_assumptions():
    d = st.table9(st.SizingAssumptions(iops_per_user=0.5))
    assert d.total_drives > 36 and check(d) == []


def test_collections_of_the_wrong_type_are_validation_errors():
    from labkit.planning.raid import place
    with pytest.raises(lk.ValidationError):
        PlannedArray("x", Array("RAID 1", 2), holds=5)
    with pytest.raises(lk.ValidationError):
        StorageDesign("x", arrays=5)
    with pytest.raises(lk.ValidationError):
        OnlineSpare("s", DRIVE_18GB_10K, covers=5)
    with pytest.raises(lk.ValidationError):
        st.plan_storage(100, 2, virtual_servers=5)
    with pytest.raises(lk.ValidationError):
        st.SizingAssumptions(io=0.5)
    with pytest.raises(lk.ValidationError):
        place([("a", "six")])
