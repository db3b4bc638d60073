"""Each behavioural rule at its edges, and scalar/array agreement."""

import numpy as np
import pytest
from scipy import stats

from sim.core import rules
from sim.core.config import RecoveryRulesConfig, WomConfig

R = RecoveryRulesConfig()


def recovery(fixed=1, comp=1.0, apology=1, first=1, delay=0):
    return rules.recovery_satisfaction(
        fixed, comp, apology, first, delay, R.patience_days, R.w_outcome, R.w_interactional, R.w_procedural
    )


def after_recovery(failed, before, sat, delay=0, severity=0.3, first=True):
    repair = rules.repair_fraction(sat, delay, severity, R.patience_days, R.size_drag)
    return rules.loyalty_after_recovery(
        failed, before, repair, sat, first, 0.995, R.paradox_threshold, R.paradox_bonus,
        R.bad_threshold, R.double_deviation_penalty,
    )


def test_zero_severity_never_complains():
    p = rules.complaint_probability(np.array([0.0, 0.0]), np.array([1.0, 50.0]), 0.9, 0.5, 1.0, 0.1)
    assert np.all(p == 0.0)


def test_complaint_probability_rises_with_severity_and_falls_with_barrier():
    sev = np.array([0.1, 0.4, 0.8])
    p = rules.complaint_probability(sev, 1.0, 0.075, 0.47, 1.0, 1.0)
    assert np.all(np.diff(p) > 0)
    assert rules.complaint_probability(0.5, 1.0, 0.075, 0.47, 1.0, 2.0) < rules.complaint_probability(
        0.5, 1.0, 0.075, 0.47, 1.0, 1.0
    )
    assert rules.complaint_probability(0.9, 100.0, 0.5, 0.1, 1.0, 0.1) == 1.0  # clipped


def test_perfect_recovery_never_makes_a_terrorist():
    assert float(recovery()) == pytest.approx(1.0)
    assert float(rules.terrorist_probability(recovery(), R.bad_threshold, 1.0)) == 0.0
    sats = np.linspace(R.bad_threshold, 1.0, 50)
    assert np.all(rules.terrorist_probability(sats, R.bad_threshold, 1.0) == 0.0)


def test_worst_recovery_is_a_double_deviation():
    sat = recovery(fixed=0, comp=0.0, apology=0, first=0, delay=30)
    assert sat < R.bad_threshold
    assert rules.terrorist_probability(sat, R.bad_threshold, R.terrorist_prob) > 0
    # Maxham & Netemeyer: a failed recovery lands below no recovery at all.
    assert after_recovery(0.5, 0.99, sat) < 0.5


def test_recovery_paradox_only_after_excellent_recovery_of_a_first_minor_failure():
    before = 0.98
    failed = float(rules.loyalty_after_failure(before, 0.05, 1.0))
    assert after_recovery(failed, before, recovery(), severity=0.05, first=True) > before
    assert after_recovery(failed, before, recovery(), severity=0.05, first=False) < before  # second failure
    assert after_recovery(failed, before, recovery(comp=0.0, first=0, delay=3), severity=0.05) < before


def test_repair_falls_with_delay_and_severity():
    sat = recovery()
    d = rules.repair_fraction(sat, np.array([0, 3, 7, 14]), 0.5, R.patience_days, R.size_drag)
    s = rules.repair_fraction(sat, 0, np.array([0.1, 0.5, 0.9]), R.patience_days, R.size_drag)
    assert np.all(np.diff(d) < 0) and np.all(np.diff(s) < 0)


def test_justice_weights_order_outcome_interactional_procedural():
    outcome_only = recovery(fixed=1, comp=1.0, apology=0, first=0, delay=1000)
    apology_only = recovery(fixed=0, comp=0.0, apology=1, first=0, delay=1000)
    procedural_only = recovery(fixed=0, comp=0.0, apology=0, first=1, delay=0)
    assert outcome_only > apology_only > procedural_only


def test_defection_rises_as_loyalty_falls():
    loyalty = np.linspace(0, 1, 11)
    assert np.all(np.diff(rules.defection_probability(loyalty)) < 0)


def test_failure_with_zero_severity_leaves_loyalty():
    assert rules.loyalty_after_failure(0.9, 0.0, 1.0) == 0.9
    assert rules.loyalty_after_failure(0.9, 1.0, 1.0) == 0.0


def test_word_of_mouth_effects_are_identity_without_messages():
    lo = np.array([0.2, 0.9])
    assert np.allclose(rules.hear_negative(lo, 0, 0.1), lo)
    assert np.allclose(rules.hear_positive(lo, 0, 0.995, 0.05), lo)
    assert np.all(rules.hear_negative(lo, 3, 0.1) < lo)
    assert np.all(rules.hear_positive(lo, 3, 0.995, 0.05) > lo)


def test_one_to_ten_rule():
    assert np.allclose(rules.rework_cost(np.array([0, 1, 2]), 2.0, 10.0), [2.0, 20.0, 200.0])


def test_tell_count_default_matches_tarp_tail():
    w = WomConfig()
    n, p = rules.negative_binomial_params(w.negative_mean, w.negative_dispersion)
    assert stats.nbinom.mean(n, p) == pytest.approx(12.0)
    assert stats.nbinom.sf(20, n, p) == pytest.approx(0.13, abs=0.01)  # TARP: ~13 % tell more than 20


def test_rules_agree_on_scalars_and_arrays():
    sev = np.array([0.0, 0.2, 0.7])
    arr = rules.complaint_probability(sev, 1.3, 0.075, 0.47, 1.0, 1.0)
    assert [float(rules.complaint_probability(s, 1.3, 0.075, 0.47, 1.0, 1.0)) for s in sev] == arr.tolist()
    sat = np.array([0.1, 0.5, 1.0])
    arr = after_recovery(np.array([0.4, 0.4, 0.4]), np.array([0.98] * 3), sat)
    assert [float(after_recovery(0.4, 0.98, s)) for s in sat] == pytest.approx(arr.tolist())


def test_lifetime_value_grows_with_loyalty_and_shrinks_with_discounting():
    loyalty = np.array([0.0, 0.5, 0.9, 0.99])
    clv = rules.lifetime_value(loyalty, 30.0, 15.0, 0.1)
    assert clv[0] == 0.0 and np.all(np.diff(clv) > 0)
    assert rules.lifetime_value(0.99, 30.0, 15.0, 0.2) < rules.lifetime_value(0.99, 30.0, 15.0, 0.1)
    # Without discounting, a geometric number of further purchases: m * L / (1 - L).
    assert float(rules.lifetime_value(0.75, 30.0, 10.0, 0.0)) == pytest.approx(30.0)
