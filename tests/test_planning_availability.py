"""Availability: nines and downtime, causes and what clustering removes, k-out-of-n, ROI worksheet."""
import math
import random

import pytest

import labkit as lk
from labkit.planning import availability as av
from labkit.planning.availability import Cause


# --- nines <-> downtime ----------------------------------------------------------------------------
def test_seven_nines_is_about_three_seconds_a_year():
    s = av.downtime_per_year(av.PAPER_LOCKSTEP)
    assert 3.0 <= s <= 4.0                     # the paper: "about 3-4 seconds of downtime per year"


def test_mscs_at_best_is_four_nines_about_52_minutes():
    assert av.nines(av.MSCS_BEST) == pytest.approx(4)
    assert av.downtime_per_year(av.MSCS_BEST) / 60 == pytest.approx(52.6, abs=0.05)


@pytest.mark.parametrize("a", [0.9, 0.99, 0.999, 0.99999, 0.9999999])
def test_downtime_and_availability_round_trip(a):
    assert av.availability_from_downtime(av.downtime_per_year(a)) == pytest.approx(a, abs=1e-12)
    assert av.from_nines(av.nines(a)) == pytest.approx(a, abs=1e-12)


def test_perfect_availability_has_infinite_nines():
    assert math.isinf(av.nines(1.0)) and av.downtime_per_year(1.0) == 0


def test_nines_table_notes_the_papers_figures():
    rows = {r["nines"]: r for r in av.nines_table()}
    assert rows[4]["availability"] == "99.99%" and "MSCS" in rows[4]["note"]
    assert rows[7]["downtime"] == "3.2 s"


def test_availability_must_be_a_fraction():
    for bad in (1.5, -0.1, "99.99%", None, True):
        with pytest.raises(lk.ValidationError):
            av.downtime_per_year(bad)


# --- causes ----------------------------------------------------------------------------------------
def test_paper_ranking_of_causes():
    assert av.PAPER_RANKING == (Cause.INFRASTRUCTURE, Cause.SOFTWARE, Cause.OPERATIONS, Cause.HARDWARE)
    w = av.rank_weights()
    assert list(w.values()) == sorted(w.values(), reverse=True) and sum(w.values()) == pytest.approx(1)


def test_clustering_cannot_remove_infrastructure_or_operations_downtime():
    b = av.clustering_effect(100.0)
    rows = {r.cause: r for r in b.rows}
    assert rows["infrastructure"].hours_removed == 0
    assert rows["operational/administrative"].hours_removed == 0
    share = {c: r.hours_removed / r.hours_before for c, r in rows.items()}
    assert share["hardware failures"] > share["software failures"] > 0


def test_clustering_removes_most_hardware_downtime_and_planned_outages():
    b = av.clustering_effect({"hardware failures": 10.0}, planned_hours_per_year=20.0)
    assert b.unplanned_after_h == pytest.approx(2.0)
    assert b.planned.hours_after == pytest.approx(2.0)
    assert b.availability(after=True) > b.availability(after=False)
    assert b.availability(after=True, planned=True) < b.availability(after=True)


def test_a_hardware_heavy_organisation_gains_more_than_the_papers_average():
    paper = av.clustering_effect(10.0).removed_share
    mine = av.clustering_effect({Cause.HARDWARE: 8.0, Cause.SOFTWARE: 2.0}).removed_share
    assert mine > paper


def test_cause_profiles_are_validated():
    bad = (av.CauseProfile(Cause.HARDWARE, 0.5, 0.8, "", ""),)
    with pytest.raises(lk.ValidationError):
        av.clustering_effect(10.0, causes=bad)            # weights do not add up to 1
    with pytest.raises(lk.ValidationError):
        av.clustering_effect({"weather": 3.0})
    with pytest.raises(lk.ValidationError):
        av.clustering_effect(-1)


# --- k out of n ------------------------------------------------------------------------------------
def test_k_of_n_with_k_equal_n_is_a_series_system():
    r = av.k_out_of_n(3, 3, 1000, 10)
    a = 1000 / 1010
    assert r.availability == pytest.approx(a ** 3)
    assert r.availability == pytest.approx(av.series(a, a, a))


def test_one_of_n_is_a_parallel_system():
    r = av.k_out_of_n(2, 1, 1000, 10)
    a = 1000 / 1010
    assert r.availability == pytest.approx(av.parallel(a, a))
    assert r.mean_outage_h == pytest.approx(5.0)       # two repairs racing: MTTR / 2


def test_more_spare_nodes_mean_more_availability():
    assert av.k_out_of_n(4, 2, 2000, 24).availability > av.k_out_of_n(4, 3, 2000, 24).availability


def test_k_of_n_matches_a_simple_simulation():
    """A seeded alternating-renewal simulation of 4 nodes agrees with the closed form."""
    n, k, mtbf, mttr = 4, 3, 500.0, 50.0
    rng = random.Random(7)
    horizon = 2_000_000.0
    events = []
    for _ in range(n):
        t, up = 0.0, True
        while t < horizon:
            d = rng.expovariate(1 / mtbf) if up else rng.expovariate(1 / mttr)
            events.append((t, -1 if up else +1, d))
            t += d
            up = not up
    changes = sorted((t + d, delta) for t, delta, d in events if t + d < horizon)
    up_count, last, down_time = n, 0.0, 0.0
    for t, delta in changes:
        if up_count < k:
            down_time += t - last
        up_count += delta
        last = t
    if up_count < k:
        down_time += horizon - last
    closed = av.k_out_of_n(n, k, mtbf, mttr).unavailability
    assert down_time / horizon == pytest.approx(closed, rel=0.08)


def test_k_of_n_argument_errors():
    with pytest.raises(lk.ValidationError):
        av.k_out_of_n(2, 3, 100, 1)
    with pytest.raises(lk.ValidationError):
        av.k_out_of_n(2, 1, 0, 1)
    with pytest.raises(lk.ValidationError):
        av.k_out_of_n(2.0, 1, 100, 1)


# --- ROI worksheet ---------------------------------------------------------------------------------
def worksheet(**kw):
    values = dict(users=5000, cluster_cost_usd=300000, downtime_before_h=30, downtime_after_h=20,
                  cost_per_user_hour_usd=25, yearly_operating_usd=50000)
    values.update(kw)
    return av.RoiWorksheet(**values)


def test_cost_per_user_per_year_and_giga_comparison():
    w = worksheet()
    assert w.cost_per_user_per_year == pytest.approx((300000 / 3 + 50000) / 5000)
    assert w.share_of_giga == pytest.approx(w.cost_per_user_per_year / 307)
    assert av.GIGA_USD_PER_USER_PER_YEAR == 307


def test_roi_net_and_payback():
    w = worksheet()
    assert w.benefit_per_user_per_year == pytest.approx(250)
    assert w.net_per_user_per_year == pytest.approx(250 - 30)
    assert w.payback_years == pytest.approx(300000 / (250 * 5000 - 50000))
    assert math.isinf(worksheet(downtime_after_h=30).payback_years)


def test_decision_points_follow_the_paper():
    points = worksheet(required_availability=av.FIVE_NINES).decision_points()
    assert len(points) == 5
    assert points[0].favours_clustering is False and "cannot meet" in points[0].answer
    assert points[-1].favours_clustering is True and "$307" in points[-1].answer
    assert worksheet(other_fix_share=0.6).decision_points()[1].favours_clustering is False
    assert worksheet(staff_ready=False).decision_points()[3].favours_clustering is False
    assert worksheet(cost_per_user_hour_usd=1).decision_points()[4].favours_clustering is False


def test_worksheet_from_breakdown_uses_the_leading_cause():
    b = av.clustering_effect(20.0, planned_hours_per_year=10)
    w = av.RoiWorksheet.from_breakdown(b, users=1000, cluster_cost_usd=90000, cost_per_user_hour_usd=20)
    assert w.downtime_before_h == pytest.approx(30) and w.leading_cause == "infrastructure"
    q3 = w.decision_points()[2]
    assert q3.favours_clustering is False and "infrastructure" in q3.answer


def test_worksheet_inputs_are_validated():
    with pytest.raises(lk.ValidationError):
        worksheet(users=0)
    with pytest.raises(lk.ValidationError):
        worksheet(other_fix_share=2)
    with pytest.raises(lk.ValidationError):
        worksheet(staff_ready="yes")
