"""Each behavioural rule at its edges, its sources' shapes, and scalar/array agreement."""

import math

import numpy as np
import pytest
from scipy import stats

from sim.core import rules
from sim.core.config import (
    AcquisitionConfig,
    ComplaintConfig,
    FailureConfig,
    LoyaltyConfig,
    PolicyConfig,
    RecoveryRulesConfig,
    WomConfig,
)

R = RecoveryRulesConfig()
C = ComplaintConfig()
L = LoyaltyConfig()
NONE = PolicyConfig(name="none", apology=False, fix=False, first_contact=False, compensation_ratio=0.0)
FULL = PolicyConfig()


def test_zero_severity_never_complains():
    p = rules.complaint_probability(np.array([0.0, 0.0]), np.array([1.0, 50.0]), 1.0, C, 0.1)
    assert np.all(p == 0.0)


def test_complaint_probability_rises_with_severity_and_cause_and_falls_with_barrier():
    sev = np.array([0.1, 0.4, 0.8])
    assert np.all(np.diff(rules.complaint_probability(sev, 1.0, 1.0, C, 1.0)) > 0)
    assert rules.complaint_probability(0.5, 1.0, 1.0, C, 2.0) < rules.complaint_probability(0.5, 1.0, 1.0, C, 1.0)
    assert rules.complaint_probability(0.5, 1.0, 1.4, C, 1.0) > rules.complaint_probability(0.5, 1.0, 1.0, C, 1.0)
    assert rules.complaint_probability(0.9, 100.0, 1.0, C, 0.1) == 1.0  # clipped


def test_compensation_curve_is_steepest_between_60_and_120_percent_and_flat_beyond_150():
    ratios = np.linspace(0.0, 2.0, 201)
    value = rules.compensation_value(ratios, R)
    slope = np.gradient(value, ratios)
    steepest = ratios[np.argmax(slope)]
    assert 0.6 <= steepest <= 1.2  # Gelbrich, Gaethke & Gregoire (2015)
    assert value[0] == 0.0 and np.all(np.diff(value) >= 0)
    assert value[-1] - rules.compensation_value(1.5, R) < 0.03  # flat beyond ~150 %
    gain_mid = rules.compensation_value(1.2, R) - rules.compensation_value(0.6, R)
    gain_high = rules.compensation_value(2.0, R) - rules.compensation_value(1.4, R)
    assert gain_mid > 10 * gain_high


def test_an_unanswered_complaint_earns_no_justice_at_all():
    assert float(rules.recovery_satisfaction(NONE, 0.0, 0, R)) == 0.0
    assert not rules.handles(NONE) and rules.handles(FULL)


def test_speed_counts_once_in_procedural_justice_only():
    fast = float(rules.recovery_satisfaction(FULL, 1.25, 0, R))
    slow = float(rules.recovery_satisfaction(FULL, 1.25, 60, R))
    speed_share = 1.0 - R.procedural_first_contact_share
    assert fast - slow == pytest.approx(R.w_procedural * speed_share * (1 - math.exp(-60 / R.patience_days)))
    # The repair reads satisfaction alone: no second speed term.
    a = R.repair_linear_share
    assert float(rules.repair_fraction(fast, R)) == pytest.approx(a * fast + (1 - a) * fast**R.repair_convexity)


def test_justice_sub_weights_split_outcome_and_procedural_justice_as_configured():
    cfg = RecoveryRulesConfig(outcome_fix_share=0.8, procedural_first_contact_share=0.1)
    assert float(rules.outcome_justice(True, 0.0, cfg)) == pytest.approx(0.8)
    assert float(rules.outcome_justice(False, 5.0, cfg)) == pytest.approx(0.2, abs=1e-3)
    assert float(rules.procedural_justice(True, 1e6, cfg)) == pytest.approx(0.1)
    assert float(rules.procedural_justice(False, 0, cfg)) == pytest.approx(0.9)
    fix_only = PolicyConfig(apology=False, fix=True, first_contact=False, compensation_ratio=0.0)
    assert float(rules.recovery_satisfaction(fix_only, 0.0, 1e6, cfg)) == pytest.approx(cfg.w_outcome * 0.8)


def test_justice_weights_order_outcome_interactional_procedural():
    only_outcome = PolicyConfig(apology=False, first_contact=False, fix=True, compensation_ratio=2.0)
    only_apology = PolicyConfig(apology=True, first_contact=False, fix=False, compensation_ratio=0.0)
    only_process = PolicyConfig(apology=False, first_contact=True, fix=False, compensation_ratio=0.0)
    slow = 1000  # no timeliness credit: compare the dimensions themselves
    o = float(rules.recovery_satisfaction(only_outcome, 2.0, slow, R))
    i = float(rules.recovery_satisfaction(only_apology, 0.0, slow, R))
    p = float(rules.recovery_satisfaction(only_process, 0.0, slow, R))
    assert o > i > p > 0  # Orsingher, Valentini & de Angelis (2010)


ALONE = {
    "apology": dict(apology=True),
    "fix at first contact": dict(fix=True, first_contact=True),
    "compensation": dict(compensation_ratio=1.0),
}


@pytest.mark.parametrize("element", list(ALONE))
def test_each_element_raises_satisfaction_and_repair_on_its_own(element):
    bare = dict(apology=False, fix=False, first_contact=False, compensation_ratio=0.0)
    slow = 30  # a late answer: the element itself, nearly no speed credit
    with_it = PolicyConfig(**(bare | ALONE[element]))
    ratio = with_it.compensation_ratio
    sat = float(rules.recovery_satisfaction(with_it, ratio, slow, R))
    # Against the bare answer (speed credit only) and against one more element on top of it.
    bare_sat = float(rules.timeliness(slow, R)) * R.w_procedural * (1 - R.procedural_first_contact_share)
    assert sat > bare_sat + 0.1
    assert float(rules.repair_fraction(sat, R)) > float(rules.repair_fraction(bare_sat, R)) + 0.03
    others = PolicyConfig(**(bare | {k: v for e, kv in ALONE.items() if e != element for k, v in kv.items()}))
    everything = PolicyConfig(**(bare | {k: v for kv in ALONE.values() for k, v in kv.items()}))
    s_others = float(rules.recovery_satisfaction(others, others.compensation_ratio, slow, R))
    s_all = float(rules.recovery_satisfaction(everything, everything.compensation_ratio, slow, R))
    assert s_all > s_others and float(rules.repair_fraction(s_all, R)) > float(rules.repair_fraction(s_others, R))


def test_speed_raises_satisfaction_and_repair_on_its_own():
    apology = PolicyConfig(apology=True, fix=False, first_contact=False, compensation_ratio=0.0)
    same_day, late = (float(rules.recovery_satisfaction(apology, 0.0, d, R)) for d in (0, 30))
    assert same_day > late + 0.1
    assert float(rules.repair_fraction(same_day, R)) > float(rules.repair_fraction(late, R)) + 0.03


def test_compensation_paid_beyond_the_loss_wins_more_than_an_apology_at_the_same_speed():
    # Smith, Bolton & Wagner (1999); Davidow (2003): compensation (redress) the strongest element.
    pay = PolicyConfig(apology=False, fix=False, first_contact=False, compensation_ratio=1.5)
    apology = PolicyConfig(apology=True, fix=False, first_contact=False, compensation_ratio=0.0)
    for delay in (0, 3, 30):
        assert float(rules.recovery_satisfaction(pay, 1.5, delay, R)) > float(
            rules.recovery_satisfaction(apology, 0.0, delay, R)
        )


def test_voice_alone_wins_back_some_loyalty_and_a_perfect_answer_all_of_it():
    apology = PolicyConfig(fix=False, first_contact=False, compensation_ratio=0)
    apology_late = float(rules.recovery_satisfaction(apology, 0, 14, R))
    assert apology_late >= R.bad_threshold  # answered, not treated badly
    after = float(rules.loyalty_after_recovery(0.37, 0.97, apology_late, R))
    assert after > 0.37  # TARP: complaining beats silence even when unsatisfied
    assert float(rules.loyalty_after_recovery(0.37, 0.97, 1.0, R)) == pytest.approx(0.97)
    assert float(rules.repair_fraction(0.0, R)) == 0.0 and float(rules.repair_fraction(1.0, R)) == 1.0


def test_double_deviation_is_smooth_and_lands_below_silence():
    sats = np.linspace(0.0, R.bad_threshold, 31)
    dd = rules.double_deviation(sats, R)
    assert dd[0] == 1.0 and dd[-1] == 0.0 and np.all(np.diff(dd) < 0)  # no cliff: strictly graded
    assert float(rules.loyalty_after_recovery(0.37, 0.97, 0.0, R)) < 0.37  # Maxham & Netemeyer (2002)
    assert float(rules.terrorist_probability(1.0, R)) == 0.0 < float(rules.terrorist_probability(0.0, R))


def test_paying_the_loss_or_fixing_the_problem_is_never_a_double_deviation():
    pay_loss = PolicyConfig(apology=False, fix=False, first_contact=False, compensation_ratio=1.0)
    late = 60  # slow, no apology: handling scores below bad_threshold
    sat = float(rules.recovery_satisfaction(pay_loss, 1.0, late, R))
    assert sat < R.bad_threshold
    good = rules.makes_good(pay_loss, 1.0)
    assert bool(good)
    assert float(rules.double_deviation(sat, R, good)) == 0.0
    assert float(rules.terrorist_probability(sat, R, good)) == 0.0
    assert float(rules.loyalty_after_recovery(0.37, 0.97, sat, R, good)) > 0.37
    fix_only = PolicyConfig(apology=False, fix=True, first_contact=False, compensation_ratio=0.0)
    assert bool(rules.makes_good(fix_only, 0.0))
    # Paying just under the loss, unfixed and late, can be one; an unanswered complaint always is.
    short = PolicyConfig(apology=False, fix=False, first_contact=False, compensation_ratio=0.99)
    assert not bool(rules.makes_good(short, 0.99))
    assert float(rules.double_deviation(float(rules.recovery_satisfaction(short, 0.99, late, R)), R, False)) > 0
    assert not bool(rules.makes_good(NONE, 0.0))
    assert float(rules.double_deviation(0.0, R, rules.makes_good(NONE, 0.0))) == 1.0
    assert float(rules.terrorist_probability(0.0, R, rules.makes_good(NONE, 0.0))) == R.terrorist_prob
    # A ratio per case (compensation_basis "fixed"): judged case by case.
    assert list(rules.makes_good(short, np.array([0.5, 1.0, 2.0]))) == [False, True, True]


def test_recovery_paradox_lifts_satisfaction_after_a_first_minor_failure_only_and_never_loyalty():
    before = 0.8
    first = float(rules.satisfaction_after_recovery(before, 1.0, True, R, 0.08))
    second = float(rules.satisfaction_after_recovery(before, 1.0, False, R, 0.08))
    assert first > before  # de Matos, Henrique & Rossi (2007)
    assert second == pytest.approx(before)  # Maxham & Netemeyer (2002): gone at a second failure
    assert float(rules.satisfaction_after_recovery(before, R.paradox_threshold, True, R, 0.08)) <= before
    # Loyalty can at best come back to where it was.
    assert float(rules.loyalty_after_recovery(0.2, 0.97, 1.0, R)) <= 0.97 + 1e-12


def test_recovery_paradox_fades_with_severity_and_is_zero_after_a_severe_failure():
    # Magnini et al. (2007); Michel & Meuter (2008): after minor failures only.
    before, sev = 0.8, np.array([0.0, 0.08, 0.2, R.paradox_max_severity, 0.9, 1.0])
    lift = rules.satisfaction_after_recovery(before, 1.0, True, R, sev) - before
    assert lift[0] == pytest.approx(R.paradox_bonus * (1 - before))
    assert np.all(np.diff(lift[:4]) < 0)
    assert np.all(lift[3:] == pytest.approx(0.0, abs=1e-12))
    assert float(rules.paradox_weight(1.0, 0.9, R)) == 0.0


def test_churn_is_a_hazard_per_day_so_a_year_loses_the_baseline_whatever_the_steps():
    year = float(rules.churn_probability(L.initial_mean, L, 365))
    assert year == pytest.approx(L.baseline_attrition)
    daily = 1 - (1 - float(rules.churn_probability(L.initial_mean, L, 1))) ** 365
    weekly = 1 - (1 - float(rules.churn_probability(L.initial_mean, L, 7))) ** (365 / 7)
    assert daily == pytest.approx(year) and weekly == pytest.approx(year)
    # Convex in satisfaction: loyalty 0.4 leaves six times as fast as 0.9 (Jones & Sasser 1995).
    ratio = float(rules.churn_probability(0.4, L) / rules.churn_probability(0.9, L))
    assert ratio == pytest.approx(6.0, rel=1e-3)
    # Proportional hazards: losing 5 points of loyalty multiplies the hazard by the same factor
    # wherever it starts, and that factor is small (one message does not multiply the hazard).
    step = [float(rules.churn_probability(x - 0.05, L) / rules.churn_probability(x, L)) for x in (0.97, 0.6)]
    assert step[0] == pytest.approx(step[1], rel=1e-3) and 1.0 < step[0] < 1.25
    assert float(rules.churn_probability(1.0, L)) < float(rules.churn_probability(L.initial_mean, L))


def test_fade_halves_the_distance_each_half_life():
    assert float(rules.fade(0.4, 0.9, 0, 90.0)) == 0.4
    assert float(rules.fade(0.4, 0.9, 90, 90.0)) == pytest.approx(0.65)
    assert float(rules.fade(0.4, 0.9, 180, 90.0)) == pytest.approx(0.775)


def test_failure_with_zero_severity_leaves_loyalty():
    assert float(rules.loyalty_after_failure(0.9, 0.0, 1.0)) == 0.9
    assert float(rules.loyalty_after_failure(0.9, 1.0, 1.0)) == 0.0


def test_word_of_mouth_effects_are_identity_without_messages_and_depend_on_the_prior():
    assert float(rules.hear_negative(0.9, 0, 0.2)) == 0.9
    assert float(rules.hear_positive(0.9, 0, 0.2)) == pytest.approx(0.9)
    # East, Hammond & Lomax (2008): negative hurts more where the prior is high, positive helps more where it is low.
    assert 0.9 - float(rules.hear_negative(0.9, 1, 0.2)) > 0.3 - float(rules.hear_negative(0.3, 1, 0.2))
    assert float(rules.hear_positive(0.3, 1, 0.2)) - 0.3 > float(rules.hear_positive(0.9, 1, 0.2)) - 0.9


def test_bass_form_adoption():
    acq, w = AcquisitionConfig(), WomConfig()
    assert float(rules.adoption_probability(0, 0, acq, w)) == pytest.approx(-math.expm1(-acq.innovation / 365))
    # Hearing praise at the rate of a neighbourhood of satisfied customers: the Bass hazard p + q.
    full = float(rules.adoption_probability(w.positive_daily_rate, 0, acq, w))
    assert full == pytest.approx(-math.expm1(-(acq.innovation + acq.imitation) / 365))
    # Each recent negative message cuts the hazard by negative_effect.
    hazard = -math.log1p(-float(rules.adoption_probability(1, 0, acq, w)))
    deterred = -math.log1p(-float(rules.adoption_probability(1, 3, acq, w)))
    assert deterred == pytest.approx(hazard * (1 - w.negative_effect) ** 3)


def test_learning_from_complaints_lowers_the_rate_to_its_floor():
    f = FailureConfig()
    assert float(rules.learning_factor(0, f)) == 1.0
    assert np.all(np.diff(rules.learning_factor(np.arange(0, 500, 50), f)) < 0)
    assert float(rules.learning_factor(1e6, f)) == pytest.approx(f.learning_floor)


def test_one_to_ten_rule():
    costs = rules.rework_cost(np.array([0, 1, 2]), 1.0, 10.0)
    assert np.allclose(costs, [1, 10, 100])


def test_tell_count_intention_is_the_courses_twelve_with_a_tail_wider_than_tarps():
    # The intention: the ties that carry the story thin it to TARP's ~13 % over 20 at the
    # defaults (tests/test_calibration.py measures the realised count in the model).
    w = WomConfig()
    n, p = rules.negative_binomial_params(w.negative_mean, w.negative_dispersion)
    dist = stats.nbinom(n, p)
    assert dist.mean() == pytest.approx(12.0)
    assert 0.13 < dist.sf(20) < 0.25


def test_rules_agree_on_scalars_and_arrays():
    loyalty = np.array([0.2, 0.5, 0.97])
    arr = rules.churn_probability(loyalty, L, 3)
    assert np.allclose(arr, [float(rules.churn_probability(x, L, 3)) for x in loyalty])
    sats = np.array([0.0, 0.4, 1.0])
    arr = rules.loyalty_after_recovery(0.3, 0.97, sats, R)
    assert np.allclose(arr, [float(rules.loyalty_after_recovery(0.3, 0.97, s, R)) for s in sats])
    good = np.array([False, True, False])
    arr = rules.loyalty_after_recovery(0.3, 0.97, sats, R, good)
    expected = [float(rules.loyalty_after_recovery(0.3, 0.97, s, R, g)) for s, g in zip(sats, good, strict=True)]
    assert np.allclose(arr, expected)
    sev = np.array([0.05, 0.3, 0.9])
    arr = rules.satisfaction_after_recovery(0.7, 0.95, True, R, sev)
    assert np.allclose(arr, [float(rules.satisfaction_after_recovery(0.7, 0.95, True, R, x)) for x in sev])



def test_daily_churn_hazard_in_place_gives_the_same_values():
    cfg = LoyaltyConfig()
    loyalty = np.random.default_rng(0).uniform(0.0, 1.0, (7, 5))
    out = np.empty_like(loyalty)
    assert rules.daily_churn_hazard(loyalty, cfg, out=out) is out
    assert np.array_equal(out, rules.daily_churn_hazard(loyalty, cfg))
    assert np.allclose(-np.log1p(-rules.churn_probability(loyalty, cfg)), out, rtol=1e-12)


@pytest.mark.parametrize("share", [0.09, 0.37, 0.8])
@pytest.mark.parametrize("impact", [0.5, 1.0])
def test_severity_for_repurchase_inverts_the_failure_rule(share, impact):
    loyalty = 0.97
    severity = rules.severity_for_repurchase(share, loyalty, impact)
    assert float(rules.loyalty_after_failure(loyalty, severity, impact)) == pytest.approx(share, rel=1e-12)
