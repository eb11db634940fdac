"""The Monte Carlo of node failures and repairs (labkit.planning.montecarlo).

Checked against the closed-form k-out-of-n result of labkit.planning.availability.
The stated tolerance: the measured unavailability (share of the time some virtual
server is down) may differ from the closed form by at most 4 standard errors (batch
means over 20 slices of the run) plus a failover allowance of 5 minutes for every
failure and repair -- the closed form counts nodes, the model also has the seconds
to minutes each failover and failback takes (detection 7.2 s, about a minute to
bring a virtual server online). Runs are seeded, so the checks are deterministic.
"""
from __future__ import annotations

import pytest

import labkit as lk
from labkit import planning as pl
from labkit import scenarios as sc
from labkit.exchange import demo_cluster
from labkit.planning.availability import HOURS_PER_YEAR
from labkit.planning.montecarlo import monte_carlo, nodes_needed

ALLOWANCE_H = 5 / 60


def _tolerance(r) -> float:
    return 4 * r.standard_error + (r.node_failures + r.repairs) * ALLOWANCE_H / (r.years * HOURS_PER_YEAR)


@pytest.fixture(scope="module")
def ref():
    return sc.four_node_5000()


@pytest.fixture(scope="module")
def two_node_run():
    """60 years of a 2-node cluster whose nodes are up half the time (over 900 failures)."""
    return monte_carlo(demo_cluster(), years=60, mtbf_h=500, mttr_h=500, seed=3)


def test_two_node_cluster_agrees_with_one_out_of_two(two_node_run):
    r = two_node_run
    cf = r.closed_form()
    assert (cf.n, cf.k) == (2, 1) and cf.unavailability == pytest.approx(0.25)
    assert r.node_failures > 900
    assert abs((1 - r.all_up_availability) - cf.unavailability) <= _tolerance(r)
    assert abs((1 - r.server("EXVS1").availability) - cf.unavailability) <= _tolerance(r)


def test_reference_cluster_agrees_with_one_out_of_four(ref):
    """Figure 7: four storage groups fit on one node, so every virtual server runs while any node works."""
    r = monte_carlo(ref, years=25, mtbf_h=1000, mttr_h=1000, seed=1)
    cf = r.closed_form()
    assert (cf.n, cf.k) == (4, 1) and cf.unavailability == pytest.approx(1 / 16)
    assert abs((1 - r.all_up_availability) - cf.unavailability) <= _tolerance(r)
    for s in r.servers:
        assert abs((1 - s.availability) - cf.unavailability) <= _tolerance(r)


def test_share_of_time_with_i_nodes_up_is_binomial(two_node_run):
    r = two_node_run
    assert sum(r.nodes_up_time) == pytest.approx(1.0)
    for got, want in zip(r.nodes_up_time, r.expected_nodes_up_time()):
        assert abs(got - want) <= 0.03


def test_realistic_rates_give_minutes_not_hours(ref):
    r = monte_carlo(ref, years=20, mtbf_h=8760, mttr_h=8, seed=0)
    cf = r.closed_form()
    assert cf.unavailability < 1e-9                     # four nodes down at once: practically never
    assert 1 - r.user_availability < 1e-4               # the outages are the failovers themselves
    assert all(0 < s.downtime_h / max(s.outages, 1) < 0.1 for s in r.servers)


def test_user_minutes_are_users_times_minutes_down(ref):
    r = monte_carlo(ref, years=3, mtbf_h=2000, mttr_h=24, seed=2)
    assert r.user_minutes == pytest.approx(sum(s.users * s.downtime_h * 60 for s in r.servers))
    assert r.user_minutes_per_year == pytest.approx(r.user_minutes / 3)
    assert r.users == 5000
    assert r.user_availability == pytest.approx(1 - r.user_minutes / (5000 * 3 * HOURS_PER_YEAR * 60))
    rows = r.rows()
    assert rows[-1]["virtual_server"] == "(cluster)" and len(rows) == 5


def test_same_seed_same_result_other_seed_other_result(ref):
    a = monte_carlo(ref, years=3, mtbf_h=2000, mttr_h=24, seed=7)
    b = monte_carlo(ref, years=3, mtbf_h=2000, mttr_h=24, seed=7)
    c = monte_carlo(ref, years=3, mtbf_h=2000, mttr_h=24, seed=8)
    assert a == b and a != c


def test_the_cluster_is_not_changed(ref):
    before = ref.to_dict()
    monte_carlo(ref, years=2, mtbf_h=2000, mttr_h=24, seed=1)
    assert ref.to_dict() == before


def test_progress_hook_reports_fractions_up_to_one(ref):
    seen = []
    monte_carlo(ref, years=2, mtbf_h=1000, mttr_h=24, seed=1, progress=lambda f, y: seen.append((f, y)),
                progress_every=0.25)
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and seen[-1][1] == 2
    assert 3 <= len(seen) <= 6


def test_rate_of_simulated_years_is_reported(ref):
    r = monte_carlo(ref, years=1, seed=0)
    assert r.years_per_second > 0 and r.wall_s > 0


def test_nodes_needed_packs_storage_groups_four_to_a_node(ref):
    assert nodes_needed(ref) == 1
    assert nodes_needed(sc.fixed_design().cluster) == 2          # two virtual servers of three storage groups
    assert nodes_needed(sc.two_node_active_passive_55()) == 1


def test_flawed_design_loses_far_more_user_minutes_than_the_fixed_one():
    kw = dict(years=10, mtbf_h=2000, mttr_h=48, seed=2)
    bad = monte_carlo(sc.flawed_design().cluster, **kw)
    good = monte_carlo(sc.fixed_design().cluster, **kw)
    assert bad.node_failures == good.node_failures
    assert bad.restores > 0 and good.restores == 0
    assert bad.user_minutes > 10 * good.user_minutes


def test_without_an_operator_a_failed_group_stays_down():
    kw = dict(years=10, mtbf_h=2000, mttr_h=48, seed=2)
    helped = monte_carlo(sc.flawed_design().cluster, **kw)
    alone = monte_carlo(sc.flawed_design().cluster, operator_h=None, **kw)
    assert alone.restores == 0 and alone.user_minutes > helped.user_minutes


@pytest.mark.parametrize("kwargs", [dict(years=0), dict(years=-1), dict(years="10"), dict(years=10_000),
                                    dict(mtbf_h=0), dict(mttr_h=float("nan")), dict(seed=1.5), dict(batches=0),
                                    dict(progress="bar"), dict(operator_h=0), dict(progress_every=0)])
def test_bad_arguments_are_validation_errors(ref, kwargs):
    with pytest.raises(lk.ValidationError) as e:
        monte_carlo(ref, **kwargs)
    assert e.value.rule and e.value.source


def test_a_cluster_with_a_node_down_is_refused(ref):
    c = ref.copy()
    c.crash_node("4-JERRY")
    c.run_until_stable()
    with pytest.raises(lk.StateError):
        monte_carlo(c, years=1)


def test_exported_from_the_planning_package():
    assert pl.monte_carlo is monte_carlo and pl.MonteCarloResult.__name__ == "MonteCarloResult"
