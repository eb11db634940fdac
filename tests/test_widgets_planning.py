"""The planning widgets -- storage designer and availability calculator -- driven
headless (``.value =``, ``.click()``), and the pure functions behind them
(labkit.views.widgets.planning_panels)."""
import inspect

import pytest

import labkit as lk
from labkit import planning
from labkit.planning import availability as av
from labkit.views.widgets import AvailabilityCalculator, StorageDesigner
from labkit.views.widgets import planning_panels as PP

HW, INFRA, SW, OPS = (av.Cause.HARDWARE, av.Cause.INFRASTRUCTURE, av.Cause.SOFTWARE, av.Cause.OPERATIONS)


# ================================================================ storage designer: pure
def test_default_design_is_the_papers_table9_rebuilt():
    r = PP.design_storage()
    assert r.design.table_lines() == planning.table9().table_lines()
    assert (r.total_drives, r.enclosures, r.ok) == (36, 3, True)
    assert r.usable_gb == pytest.approx(planning.table9().usable_gb)


def test_io_headroom_of_table9_database_arrays():
    rows = {row.label: row for row in PP.design_storage().rows}
    db = rows["VS1-SG1 Database Device"]
    assert db.required_iops == 375 and db.io_headroom == pytest.approx(1 - 375 / db.max_iops)
    assert 0.2 < PP.design_storage().min_io_headroom < 0.3
    assert rows["VS1-SG1 LOG Device"].io_headroom is None            # logs: sequential, sized by capacity
    assert rows["Cluster Quorum Device"].capacity_headroom > 0.9


def test_storage_groups_per_node_doubles_after_a_failover():
    assert PP.storage_groups_per_node(4, 1, 1) == (1, 2)
    assert PP.storage_groups_per_node(2, 2, 2) == (4, 8)
    assert PP.storage_groups_per_node(1, 1, 3) == (3, 3)             # one node: nowhere to fail over


def test_four_storage_groups_per_node_after_failover_rule():
    """Paper, Design Storage Before Configuring the Cluster: 4 per node, pre- or post-failover."""
    r = PP.design_storage(5000, 2, storage_groups_per_server=3)
    assert r.design is not None and r.rules_broken == ["storage-groups-per-node-after-failover"]
    v = r.violations[0]
    assert "6 storage groups" in v.message and "KB 314266" in v.source
    assert PP.design_storage(5000, 2, storage_groups_per_server=2).ok      # 2 + 2 = 4: allowed


def test_four_storage_groups_per_node_in_normal_running_rule():
    r = PP.design_storage(5000, 4, virtual_servers_per_node=2, storage_groups_per_server=3)
    assert "storage-groups-per-node" in r.rules_broken


def test_more_than_four_storage_groups_per_virtual_server_is_caught_by_the_table8_checker():
    r = PP.design_storage(5000, 4, storage_groups_per_server=5)
    assert {"storage-groups-per-virtual-server", "storage-groups-per-node"} <= set(r.rules_broken)


def test_raid_levels_against_table8():
    r = PP.design_storage(database_level="RAID 0", log_level="RAID 5")
    assert r.rules_broken == ["logs-raid-1-or-0+1", "database-raid-level"]
    assert all("Table 8" in v.source for v in r.violations)
    assert PP.design_storage(database_level="RAID 5").ok              # RAID 5 is allowed for databases ...
    assert PP.design_storage(database_level="RAID 5").total_drives > 36  # ... and costs drives (write penalty)


def test_a_level_no_array_can_satisfy_is_reported_not_raised():
    r = PP.design_storage(database_level="RAID 1")                   # a mirror pair holds 18.2 GB < 45 GB
    assert r.design is None and not r.ok and r.refused.startswith("no RAID 1 array")
    assert r.rows == [] and r.total_drives == 0 and r.enclosures == 0
    assert "no design" in PP.storage_html(r) and "no design" in PP.storage_summary(r)


def test_papers_10000_user_example_needs_more_than_table9():
    """The text's 10,000-user example does not fit Table 9's 18.2 GB log mirrors."""
    assert PP.design_storage(10000, 4).refused is not None
    big = PP.design_storage(10000, 4, drive="36.4 GB 10,000 rpm")
    assert big.ok and big.total_drives > 36


def test_more_io_per_user_means_more_database_drives():
    light, heavy = PP.design_storage(iops_per_user=0.3), PP.design_storage(iops_per_user=0.5)
    assert heavy.total_drives > light.total_drives and heavy.ok
    assert heavy.min_io_headroom >= 0


def test_an_array_larger_than_an_enclosure_breaks_the_bay_rule():
    r = PP.design_storage(iops_per_user=1.0)                        # 1,250 users need > 12 database drives
    assert r.rules_broken == ["enclosure-bays"] and r.enclosures == 0
    assert "an array is larger than one RA4100 (12 bays)" in PP.storage_summary(r)


def test_bigger_mailboxes_mean_more_database_drives():
    assert PP.design_storage(mailbox_mb=100).total_drives > PP.design_storage().total_drives


@pytest.mark.parametrize("kwargs", [
    dict(users=-1), dict(users=2.5), dict(nodes=0), dict(nodes="4"), dict(storage_groups_per_server=0),
    dict(virtual_servers_per_node=True), dict(drive="floppy"), dict(database_level="RAID 6"),
    dict(mailbox_mb=-5),
])
def test_bad_inputs_raise_labkit_errors(kwargs):
    with pytest.raises(lk.ValidationError):
        PP.design_storage(**kwargs)


def test_storage_html_lists_arrays_spares_and_violations():
    ok = PP.storage_html(PP.design_storage())
    assert "VS4-SG1 Database Device" in ok and "Online Spare – LOG Devices" in ok
    assert "no storage rule broken" in ok and "36 drives (3 x RA4100)" in ok
    log_row = ok.split("VS1-SG1 LOG Device")[1].split("</tr>")[0]
    assert log_row.count("<td align=right>-</td>") == 3               # no random-I/O figures for logs
    db_row = ok.split("VS1-SG1 Database Device")[1].split("</tr>")[0]
    assert "<td align=right>494</td><td align=right>375</td><td align=right>24%</td>" in db_row
    bad = PP.storage_html(PP.design_storage(5000, 2, storage_groups_per_server=3))
    assert "✘ 1 rule violation" in bad and "storage-groups-per-node-after-failover" in bad


def test_violations_html_escapes():
    from labkit.planning.findings import Violation
    html = PP.violations_html([Violation("r", "<b>x</b>", "s & t", "<i>")])
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html and "s &amp; t" in html


# ============================================================ storage designer: widget
def test_designer_starts_on_table9():
    w = StorageDesigner()
    assert w.report.total_drives == 36 and w.report.ok
    assert "36 drives" in w.output.value and "no storage rule broken" in w.output.value


def test_designer_two_nodes_three_storage_groups_shows_the_failover_violation():
    w = StorageDesigner()
    w.nodes.value = 2
    w.storage_groups.value = 3
    assert w.report.storage_groups_after_failover == 6
    assert "storage-groups-per-node-after-failover" in w.output.value
    w.storage_groups.value = 2
    assert w.report.ok and "no storage rule broken" in w.output.value


def test_designer_raid_and_drive_choices():
    w = StorageDesigner()
    w.database_level.value = "RAID 1"
    assert w.report.design is None and "no design" in w.output.value
    w.database_level.value = "RAID 5"
    assert w.report.ok and "RAID 5" in w.output.value
    w.log_level.value = "RAID 5"
    assert "logs-raid-1-or-0+1" in w.output.value
    w.log_level.value = "RAID 1"
    w.drive.value = "36.4 GB 10,000 rpm"
    assert all(a.array.drive.capacity_gb == 36.4 for a in w.report.design.arrays)


def test_designer_users_and_assumptions():
    w = StorageDesigner()
    w.users.value = 10000
    assert w.report.design is None                                   # logs overflow an 18.2 GB mirror
    w.users.value = 2000
    w.nodes.value = 2
    assert w.report.ok and w.report.design.name == "2,000 users, 2 nodes"
    before = w.report.total_drives
    w.iops_per_user.value = 1.5
    assert w.report.total_drives > before


def test_designer_inputs_all_recompute():
    w = StorageDesigner()
    for widget in w.inputs:
        old = w.report
        widget.value = widget.value                                  # no change: no recompute needed ...
        w.update()                                                   # ... but update() always recomputes
        assert w.report is not old


# ============================================================ availability: pure
def test_nines_to_downtime_and_back():
    r = PP.read_availability(nines=4)
    assert r.availability == pytest.approx(0.9999) and r.downtime_minutes == pytest.approx(52.596)
    assert r.text == "99.99% = 52.6 min of downtime a year"
    back = PP.read_availability(downtime_minutes=r.downtime_minutes)
    assert back.nines == pytest.approx(4.0)


def test_the_papers_landmarks_in_the_note():
    assert "cannot meet it" in PP.read_availability(nines=5).note            # 99.999%: beyond MSCS
    assert "at most" not in PP.read_availability(nines=4).note
    assert PP.read_availability(nines=4).note == "the most MSCS can give, in theory"
    assert "lock-step" in PP.read_availability(nines=7).note                  # about 3 s a year
    assert "within reach" in PP.read_availability(nines=3).note
    assert PP.read_availability(nines=7).downtime_s == pytest.approx(3.156, abs=0.01)


@pytest.mark.parametrize("kwargs", [dict(), dict(nines=4, downtime_minutes=5), dict(downtime_minutes="5"),
                                    dict(downtime_minutes=-1), dict(nines=-1)])
def test_read_availability_refusals(kwargs):
    with pytest.raises(lk.ValidationError):
        PP.read_availability(**kwargs)


def test_nines_html_marks_the_row_of_the_reading():
    html = PP.nines_html(PP.read_availability(nines=5.5))
    marked = [line for line in html.split("<tr") if "font-weight:bold" in line]
    assert len(marked) == 1 and "99.999%" in marked[0]
    assert "MSCS at best (paper)" in html


def test_cause_breakdown_defaults_are_the_models():
    b, ref = PP.cause_breakdown(), av.clustering_effect(10.0)
    assert [r.hours_after for r in b.rows] == pytest.approx([r.hours_after for r in ref.rows])


def test_cause_weights_are_relative():
    a = PP.cause_breakdown({HW: 1, INFRA: 1, SW: 1, OPS: 1})
    b = PP.cause_breakdown({HW: 0.25, INFRA: 0.25, SW: 0.25, OPS: 0.25})
    assert [r.hours_before for r in a.rows] == pytest.approx([2.5] * 4) == [r.hours_before for r in b.rows]


def test_clustering_removes_mostly_hardware_downtime():
    hw = PP.cause_breakdown({HW: 1, INFRA: 0, SW: 0, OPS: 0})
    infra = PP.cause_breakdown({HW: 0, INFRA: 1, SW: 0, OPS: 0})
    assert hw.removed_share == pytest.approx(0.8) and infra.removed_share == 0
    assert hw.leading_cause.cause == "hardware failures"


def test_removable_shares_and_planned_outages():
    b = PP.cause_breakdown(removes={"infrastructure": 0.5}, planned_hours=20, planned_removable=1.0)
    assert b.rows[0].hours_removed == pytest.approx(2.0)
    assert b.planned.hours_after == 0 and b.total_before_h == pytest.approx(30)


@pytest.mark.parametrize("weights, removes", [({"weather": 1}, None), ({HW: 0, INFRA: 0, SW: 0, OPS: 0}, None),
                                              ({HW: -1}, None), (None, {HW: 2}), ("hardware", None),
                                              ({HW: True}, None)])
def test_cause_breakdown_refusals(weights, removes):
    with pytest.raises(lk.ValidationError):
        PP.cause_breakdown(weights, removes)


def test_breakdown_html_names_the_leading_cause_and_what_clustering_cannot_do():
    html = PP.breakdown_html(PP.cause_breakdown(planned_hours=20))
    assert "◀ leading cause" in html and "WINS, DNS, Active Directory" in html
    assert "The leading cause is <b>infrastructure</b>; clustering removes 0% of it." in html
    assert "planned outages" in html


# ============================================================ availability: widget
def test_calculator_nines_slider_drives_the_downtime_box():
    w = AvailabilityCalculator()
    assert w.downtime.value == 52.6 and "99.99% = 52.6 min" in w.reading_view.value
    w.nines.value = 5
    assert w.downtime.value == 5.26 and "99.999%" in w.reading_view.value
    assert "cannot meet it" in w.reading_view.value


def test_calculator_downtime_box_drives_the_nines_slider():
    w = AvailabilityCalculator()
    w.downtime.value = 525.96                                       # 8.8 hours
    assert w.nines.value == pytest.approx(3.0, abs=1e-3) and w.reading.nines == pytest.approx(3.0, abs=1e-3)
    w.downtime.value = 60 * 24 * 100                                # 100 days: fewer than one nine
    assert w.nines.value == 1.0 and w.reading.nines < 1             # the slider stops at 1, the reading does not
    w.downtime.value = 0.05                                         # 3 s: seven nines
    assert "lock-step" in w.reading_view.value
    w.downtime.value = 0                                            # no downtime: infinitely many nines
    assert w.nines.value == 7.0 and "infinitely many nines" in w.reading_view.value
    assert w.reading_view.value.count("font-weight:bold") == 1


def test_calculator_cause_sliders_update_the_breakdown():
    w = AvailabilityCalculator()
    assert "infrastructure" in w.breakdown.leading_cause.cause
    w.weights[HW].value = 1.0
    assert w.breakdown.leading_cause.cause == "hardware failures"
    assert "clustering removes 80% of it" in w.breakdown_view.value
    w.removes[HW].value = 0.0
    assert "clustering removes 0% of it" in w.breakdown_view.value


def test_calculator_hours_and_planned_share():
    w = AvailabilityCalculator()
    w.unplanned.value = 100
    assert w.breakdown.unplanned_before_h == pytest.approx(100)
    w.planned.value = 0
    assert w.breakdown.planned is None
    w.planned.value = 40
    w.planned_removes.value = 0.5
    assert w.breakdown.planned.hours_removed == pytest.approx(20)


def test_calculator_all_weights_zero_shows_a_message_then_defaults_restore():
    w = AvailabilityCalculator()
    for s in w.weights.values():
        s.value = 0.0
    assert w.breakdown is None and "at least one cause" in w.breakdown_view.value
    w.defaults.click()
    assert [w.weights[c].value for c in av.PAPER_RANKING] == pytest.approx([0.4, 0.3, 0.2, 0.1])
    assert w.breakdown is not None and "◀ leading cause" in w.breakdown_view.value


# ============================================================ layering
def test_planning_panels_are_pure():
    src = inspect.getsource(PP)
    assert "import ipywidgets" not in src and "print(" not in src.replace(">>> print(", "")
