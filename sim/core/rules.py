"""The behavioural rules, written once.

Every rule is a pure numpy expression that works on a scalar and on an array alike, so the
array stepping (all customers at once) and the per-agent reference stepping share one
definition. Rules take their config part; the defaults and their sources live in
``sim/core/config.py``.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from sim.core.config import (
    AcquisitionConfig,
    ComplaintConfig,
    FailureConfig,
    LoyaltyConfig,
    PolicyConfig,
    RecoveryRulesConfig,
    SatisfactionConfig,
    ShockConfig,
    WomConfig,
)
from sim.core.keyed import negative_binomial_from_uniform
from sim.core.states import Membership, Mood


def _f(x: ArrayLike) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


# ---------------------------------------------------------------- encounters and failures
def felt_shortfall(expectation: ArrayLike, performance: ArrayLike) -> np.ndarray:
    """Expectation-disconfirmation: how far performance fell short of expectation, in [0, 1].

    Example:
        >>> float(felt_shortfall(0.8, 0.3))
        0.5
    """
    return np.clip(np.subtract(expectation, performance), 0.0, 1.0)


def ratchet_expectation(expectation: ArrayLike, performance: ArrayLike, rate: float) -> np.ndarray:
    """Expectations only move up, after experiences better than expected."""
    gain = np.maximum(np.subtract(performance, expectation), 0.0)
    return np.add(expectation, rate * gain)


def is_dissatisfied(failed: ArrayLike, felt: ArrayLike, failure: FailureConfig) -> np.ndarray:
    """A failure dissatisfies when the shortfall leaves the zone of tolerance."""
    return np.logical_and(failed, _f(felt) > failure.tolerance)


def satisfaction_after_good_encounter(satisfaction: ArrayLike, cfg: SatisfactionConfig) -> np.ndarray:
    """A good encounter moves satisfaction part of the way to ``good_level``.

    Example:
        >>> round(float(satisfaction_after_good_encounter(0.35, SatisfactionConfig())), 3)
        0.45
    """
    return _f(satisfaction) + cfg.good_rate * (cfg.good_level - _f(satisfaction))


def satisfaction_after_failure(satisfaction: ArrayLike, felt: ArrayLike) -> np.ndarray:
    """Disconfirmation: satisfaction scales down by the felt severity."""
    return _f(satisfaction) * (1.0 - _f(felt))


def learning_factor(recorded_per_1000: ArrayLike, failure: FailureConfig) -> np.ndarray:
    """Share of a cause's base defect rate left after learning from its recorded complaints.

    Example:
        >>> float(learning_factor(0, FailureConfig()))
        1.0
    """
    keep = np.power(1.0 - failure.learning_rate, _f(recorded_per_1000))
    return failure.learning_floor + (1.0 - failure.learning_floor) * keep


def internal_catch_stage(draw_geometric: ArrayLike, failure: FailureConfig) -> np.ndarray:
    """Stage at which an internal check catches a defect; ``internal_stages`` means never."""
    if failure.internal_catch_prob <= 0:
        return np.full(np.shape(draw_geometric), failure.internal_stages)
    return np.minimum(np.asarray(draw_geometric) - 1, failure.internal_stages)


def rework_cost(stage: ArrayLike, base_cost: float, stage_multiplier: float) -> np.ndarray:
    """The 1:10 rule: a failure caught one stage later costs ten times as much to fix."""
    return base_cost * np.power(stage_multiplier, _f(stage))


# ---------------------------------------------------------------- complaints
def complaint_probability(
    severity: ArrayLike, propensity: ArrayLike, cause_factor: ArrayLike, cfg: ComplaintConfig, barrier: float
) -> np.ndarray:
    """Chance that a dissatisfied customer complains.

    ``base_share`` holds at the reference severity, for an average customer (propensity 1),
    cause factor 1 and the typical barrier (1). Higher severity raises it, a higher barrier
    lowers it; zero severity gives zero.

    Example:
        >>> float(complaint_probability(0.47, 1.0, 1.0, ComplaintConfig(), 1.0))
        0.075
    """
    s = _f(severity)
    scale = np.power(np.maximum(s, 0.0) / cfg.severity_ref, cfg.severity_elasticity)
    p = cfg.base_share * _f(propensity) * _f(cause_factor) * scale / barrier
    return np.where(s > 0.0, np.clip(p, 0.0, 1.0), 0.0)


# ---------------------------------------------------------------- recovery
def compensation_value(ratio: ArrayLike, cfg: RecoveryRulesConfig) -> np.ndarray:
    """Worth of compensation paid at ``ratio`` times the loss, in [0, 1]: 0 at 0, ~1 beyond 1.5.

    Diminishing returns: a logistic steepest between 60 % and 120 % of the loss, flat beyond
    ~150 % (Gelbrich, Gaethke & Gregoire 2015), rescaled to start at 0.

    Example:
        >>> cfg = RecoveryRulesConfig()
        >>> round(float(compensation_value(0.0, cfg)), 3), round(float(compensation_value(2.0, cfg)), 3)
        (0.0, 0.999)
    """
    k, mid = cfg.compensation_steepness, cfg.compensation_midpoint
    at_zero = 1.0 / (1.0 + math.exp(min(k * mid, 700.0)))  # past ~709 exp overflows; the value is 0 there
    value = 1.0 / (1.0 + np.exp(-k * (_f(ratio) - mid)))
    return np.clip((value - at_zero) / (1.0 - at_zero), 0.0, 1.0)


def timeliness(delay_days: ArrayLike, cfg: RecoveryRulesConfig) -> np.ndarray:
    """How timely a recovery feels: 1 on the same day, decaying with the wait."""
    return np.exp(-_f(delay_days) / cfg.patience_days)


def handles(policy: PolicyConfig) -> bool:
    """Whether the firm does anything with a complaint at all (else: no justice credit)."""
    return bool(
        policy.apology
        or policy.fix
        or policy.first_contact
        or policy.compensation_ratio > 0
        or policy.guarantee_payout > 0
    )


def outcome_justice(fixed: bool, compensation_ratio: ArrayLike, cfg: RecoveryRulesConfig) -> np.ndarray:
    """Outcome (distributive) justice, in [0, 1]: the problem fixed, and the worth of the compensation.

    Example:
        >>> round(float(outcome_justice(True, 0.0, RecoveryRulesConfig())), 3)
        0.3
    """
    return cfg.outcome_fix_share * float(fixed) + (1.0 - cfg.outcome_fix_share) * compensation_value(
        compensation_ratio, cfg
    )


def procedural_justice(first_contact: bool, delay_days: ArrayLike, cfg: RecoveryRulesConfig) -> np.ndarray:
    """Procedural justice, in [0, 1]: resolved at first contact, and timely.

    Example:
        >>> round(float(procedural_justice(False, 0, RecoveryRulesConfig())), 3)
        0.7
    """
    share = cfg.procedural_first_contact_share
    return share * float(first_contact) + (1.0 - share) * timeliness(delay_days, cfg)


def recovery_satisfaction(
    policy: PolicyConfig, compensation_ratio: ArrayLike, delay_days: ArrayLike, cfg: RecoveryRulesConfig
) -> np.ndarray:
    """Satisfaction with complaint handling, in [0, 1], from the three justice dimensions.

    Outcome (distributive): the problem fixed and the worth of the compensation. Interactional:
    a sincere apology. Procedural: resolved at first contact and timely; speed counts here and
    only here. A complaint left unanswered earns nothing, procedural credit included.

    Example:
        >>> float(recovery_satisfaction(PolicyConfig(compensation_ratio=2.0), 2.0, 0, RecoveryRulesConfig()))
        0.99...
    """
    if not handles(policy):
        return np.zeros(np.shape(compensation_ratio))
    outcome = outcome_justice(policy.fix, compensation_ratio, cfg)
    procedural = procedural_justice(policy.first_contact, delay_days, cfg)
    return cfg.w_outcome * outcome + cfg.w_interactional * float(policy.apology) + cfg.w_procedural * procedural


def makes_good(policy: PolicyConfig, compensation_ratio: ArrayLike) -> np.ndarray:
    """Whether the answer fixes the problem or pays at least the loss (``compensation_ratio >= 1``).

    Such an answer is never a double deviation, whatever the handling scores (Bitner, Booms &
    Tetreault 1990; Maxham & Netemeyer 2002): those follow a complaint left unanswered, or an
    answer that neither fixes the problem nor makes good the loss.

    Example:
        >>> bool(makes_good(PolicyConfig(fix=False, compensation_ratio=1.0), 1.0))
        True
    """
    ratio = _f(compensation_ratio)
    return np.logical_and(handles(policy), np.logical_or(bool(policy.fix), ratio >= 1.0))


def repair_fraction(satisfaction: ArrayLike, cfg: RecoveryRulesConfig) -> np.ndarray:
    """Share of the lost loyalty a recovery wins back, from satisfaction with the handling ``s``.

    ``repair_linear_share * s + (1 - repair_linear_share) * s ** repair_convexity``: every point
    of handling satisfaction wins some loyalty back, and an excellent answer wins back much more
    than a good one.

    Example:
        >>> float(repair_fraction(1.0, RecoveryRulesConfig())), float(repair_fraction(0.0, RecoveryRulesConfig()))
        (1.0, 0.0)
    """
    s = np.clip(_f(satisfaction), 0.0, 1.0)
    a = cfg.repair_linear_share
    return a * s + (1.0 - a) * np.power(s, cfg.repair_convexity)


def double_deviation(satisfaction: ArrayLike, cfg: RecoveryRulesConfig, made_good: ArrayLike = False) -> np.ndarray:
    """How badly the handling failed, in [0, 1].

    0 when the answer fixed the problem or paid the loss (``made_good``, see ``makes_good``);
    otherwise 0 at or above ``bad_threshold``, rising smoothly to 1 at satisfaction 0 (no answer).

    Example:
        >>> cfg = RecoveryRulesConfig()
        >>> float(double_deviation(0.0, cfg)), float(double_deviation(0.0, cfg, made_good=True))
        (1.0, 0.0)
    """
    graded = np.clip((cfg.bad_threshold - _f(satisfaction)) / cfg.bad_threshold, 0.0, 1.0)
    return np.where(np.asarray(made_good, dtype=bool), 0.0, graded)


def loyalty_after_recovery(
    loyalty_failed: ArrayLike,
    loyalty_before: ArrayLike,
    satisfaction: ArrayLike,
    cfg: RecoveryRulesConfig,
    made_good: ArrayLike = False,
) -> np.ndarray:
    """Loyalty once a complaint is answered: voice, repair, and a smooth double deviation.

    Complaining wins back ``voice_repair`` of the loss whatever happens (TARP); the handling wins
    back a further ``repair_fraction`` of the rest; a bad answer (one that neither fixes the
    problem nor pays the loss: ``made_good`` false) then costs up to ``double_deviation_penalty``
    of what is left (Maxham & Netemeyer 2002). No repair exceeds the loss: the recovery paradox
    does not reach loyalty (de Matos et al. 2007).

    Example:
        >>> round(float(loyalty_after_recovery(0.4, 0.9, 1.0, RecoveryRulesConfig())), 3)
        0.9
    """
    failed, before = _f(loyalty_failed), _f(loyalty_before)
    gap = np.maximum(before - failed, 0.0)
    won = cfg.voice_repair + (1.0 - cfg.voice_repair) * repair_fraction(satisfaction, cfg)
    repaired = failed + won * gap
    return repaired * (1.0 - cfg.double_deviation_penalty * double_deviation(satisfaction, cfg, made_good))


def paradox_weight(handling: ArrayLike, severity: ArrayLike, cfg: RecoveryRulesConfig) -> np.ndarray:
    """Share of ``paradox_bonus`` a recovery earns: excellent handling, after a minor failure.

    0 below ``paradox_threshold`` of handling satisfaction, 1 at handling 1; it fades linearly
    with the failure's felt severity and is 0 from ``paradox_max_severity`` on (Magnini et al.
    2007; Michel & Meuter 2008: the paradox follows minor failures only).

    Example:
        >>> cfg = RecoveryRulesConfig()
        >>> float(paradox_weight(1.0, 0.0, cfg)), float(paradox_weight(1.0, cfg.paradox_max_severity, cfg))
        (1.0, 0.0)
    """
    h = np.clip(_f(handling), 0.0, 1.0)
    excellence = np.clip((h - cfg.paradox_threshold) / (1.0 - cfg.paradox_threshold), 0.0, 1.0)
    minor = np.clip(1.0 - _f(severity) / cfg.paradox_max_severity, 0.0, 1.0)
    return excellence * minor


def satisfaction_after_recovery(
    satisfaction_before: ArrayLike,
    handling: ArrayLike,
    first_failure: ArrayLike,
    cfg: RecoveryRulesConfig,
    severity: ArrayLike = 0.0,
) -> np.ndarray:
    """Satisfaction once a complaint is answered, with the recovery paradox after a first minor failure.

    Good handling restores the pre-failure satisfaction in proportion; an excellent one after a
    first failure of felt ``severity`` below ``paradox_max_severity`` lifts it above (de Matos et
    al. 2007; Magnini et al. 2007); after a second failure it cannot (Maxham & Netemeyer 2002).

    Example:
        >>> cfg = RecoveryRulesConfig()
        >>> float(satisfaction_after_recovery(0.8, 1.0, True, cfg, severity=0.1)) > 0.8
        True
        >>> float(satisfaction_after_recovery(0.8, 1.0, True, cfg, severity=0.9))
        0.8
    """
    before, h = _f(satisfaction_before), np.clip(_f(handling), 0.0, 1.0)
    weight = paradox_weight(h, severity, cfg)
    paradox = np.where(np.asarray(first_failure, dtype=bool), cfg.paradox_bonus * weight * (1.0 - before), 0.0)
    return np.clip(before * h + paradox, 0.0, 1.0)


def terrorist_probability(
    satisfaction: ArrayLike, cfg: RecoveryRulesConfig, made_good: ArrayLike = False
) -> np.ndarray:
    """Chance a bad recovery turns the customer into a terrorist: a double deviation's, scaled.

    Zero at or above ``bad_threshold`` and whenever the answer fixed the problem or paid the loss.

    Example:
        >>> cfg = RecoveryRulesConfig()
        >>> float(terrorist_probability(1.0, cfg)), float(terrorist_probability(0.0, cfg, made_good=True))
        (0.0, 0.0)
    """
    return cfg.terrorist_prob * double_deviation(satisfaction, cfg, made_good)


def recovery_due_day(day: int, policy: PolicyConfig, shock: ShockConfig, in_shock: bool) -> int:
    """The day a case queued today gets its answer: the policy's delay, longer during a storm."""
    return day + policy.delay_days + (shock.extra_recovery_delay_days if in_shock else 0)


def paradox_possible(failures: ArrayLike) -> np.ndarray:
    """The recovery paradox needs a first failure: after a second one it is gone (Maxham & Netemeyer 2002)."""
    return np.asarray(failures) == 1


def terrorist_extra_tells(wom: WomConfig) -> float:
    """Mean of the tells a new terrorist adds to the story left: the louder campaign."""
    return wom.negative_mean * max(wom.terrorist_tell_multiplier - 1.0, 0.0)


def next_mood(current: ArrayLike, new: ArrayLike, hold: ArrayLike = False) -> np.ndarray:
    """The mood an event brings, except that a terrorist stays one (and ``hold`` keeps the current)."""
    current = np.asarray(current)
    return np.where((current == Mood.TERRORIST) | np.asarray(hold, dtype=bool), current, new).astype(current.dtype)


def mood_after_bad_news(current: ArrayLike) -> np.ndarray:
    """A content customer who hears bad news is swayed; any other mood is stronger and stays."""
    current = np.asarray(current)
    return np.where(current == Mood.CONTENT, Mood.SWAYED, current).astype(current.dtype)


def mood_after_recovery(current: ArrayLike, satisfied: ArrayLike) -> np.ndarray:
    """Recovered when the answer satisfied, unhappy still when it did not; a terrorist stays one."""
    return next_mood(current, np.where(satisfied, Mood.RECOVERED, Mood.UNHAPPY))


def defect_rates_by_cause(rates: ArrayLike, failure: FailureConfig) -> np.ndarray:
    """Today's chance of a defect of each cause: each cause's rate weighed by its share."""
    return _f(rates) * _f(failure.cause_shares)


# ---------------------------------------------------------------- loyalty and churn
def days_fading(today: int, last_set: ArrayLike, waiting: ArrayLike) -> np.ndarray:
    """Days loyalty has faded since it was last set: none while a complaint waits for its answer."""
    return np.where(waiting, 0, today - np.asarray(last_set))


def loyalty_after_failure(loyalty: ArrayLike, severity: ArrayLike, impact: float) -> np.ndarray:
    """One failure scales loyalty down by its felt severity ("100 - 1 = 0")."""
    return np.multiply(loyalty, 1.0 - impact * _f(severity))


def severity_for_repurchase(share: float, loyalty: float, failure_impact: float) -> float:
    """The felt severity after which a customer of ``loyalty`` buys again with chance ``share``.

    Loyalty is the will to buy again, and one failure scales it by ``1 - failure_impact * s``
    (``rules.loyalty_after_failure``), so ``s = (1 - share / loyalty) / failure_impact``. YAML
    that calibrates a severity to a repurchase figure (``sim/conf/tarp_loss/``) states the
    figure and derives the severity here, as
    ``${severity_for_repurchase:0.37,${loyalty.initial_mean},${loyalty.failure_impact}}``,
    instead of carrying a rounded result.

    Example:
        >>> round(severity_for_repurchase(0.37, 0.97, 1.0), 4)
        0.6186
    """
    return (1.0 - share / loyalty) / failure_impact


def fade(value: ArrayLike, level: ArrayLike, days: ArrayLike, half_life_days: float) -> np.ndarray:
    """Move ``value`` back towards ``level``, halving the distance every ``half_life_days``.

    Example:
        >>> float(fade(0.5, 0.9, 90, 90.0))
        0.7
    """
    level = _f(level)
    return level + (_f(value) - level) * _halvings(days, half_life_days)


FADE_TABLE_MIN = 1024  # from this many whole-day ages on, ``fade`` looks its factors up


def _halvings(days: ArrayLike, half_life_days: float) -> np.ndarray:
    """``0.5 ** (days / half_life_days)``, by table lookup when ``days`` is a long array of whole days.

    The model fades a quarter of a million loyalties a day, all aged a whole number of days in
    a narrow range: ``power`` on every element was the costliest line of a large run. The table
    holds the very same ``power`` values (one per distinct age), so results do not change.
    """
    d = np.asarray(days)
    if d.dtype.kind not in "iu" or d.size < FADE_TABLE_MIN:
        return np.power(0.5, _f(d) / half_life_days)
    low, high = int(d.min()), int(d.max())
    table = np.power(0.5, np.arange(low, high + 1, dtype=np.float64) / half_life_days)
    return table[d - low]


def baseline_daily_hazard(cfg: LoyaltyConfig) -> float:
    """Daily churn hazard that loses ``baseline_attrition`` of the customers in a year."""
    return -math.log1p(-cfg.baseline_attrition) / 365.0


def churn_probability(loyalty: ArrayLike, cfg: LoyaltyConfig, days: ArrayLike = 1.0) -> np.ndarray:
    """Chance to leave within ``days`` days: a hazard per day, not per purchase occasion.

    Proportional hazards in loyalty (Bolton 1998, Marketing Science: the duration of a
    relationship as a proportional hazard in cumulative satisfaction): the baseline times
    ``exp(churn_sensitivity * (initial_mean - loyalty))``. Each point of loyalty lost raises the
    hazard by the same share wherever it starts, so one message (a few points) moves the hazard
    by a few per cent, not by multiples; loyalty 0.4 leaves six times as fast as 0.9 at the
    default sensitivity (Jones & Sasser 1995). A year at ``initial_mean`` loses exactly
    ``baseline_attrition``.

    Example:
        >>> round(float(churn_probability(0.97, LoyaltyConfig(baseline_attrition=0.1), 365)), 6)
        0.1
        >>> cfg = LoyaltyConfig()
        >>> round(float(churn_probability(0.4, cfg) / churn_probability(0.9, cfg)), 2)
        6.0
    """
    return -np.expm1(-daily_churn_hazard(loyalty, cfg) * _f(days))


def daily_churn_hazard(loyalty: ArrayLike, cfg: LoyaltyConfig, out: np.ndarray | None = None) -> np.ndarray:
    """The daily hazard behind ``churn_probability``: hazards add up over days, chances do not.

    ``out`` (float64, the shape of ``loyalty``) takes the result in place, the same values.
    """
    if out is None:
        return baseline_daily_hazard(cfg) * np.exp(cfg.churn_sensitivity * (cfg.initial_mean - _f(loyalty)))
    np.subtract(cfg.initial_mean, loyalty, out=out)
    out *= cfg.churn_sensitivity
    np.exp(out, out=out)
    out *= baseline_daily_hazard(cfg)
    return out


def buys(loyalty: ArrayLike, draw: ArrayLike) -> np.ndarray:
    """At a purchase occasion the customer buys from the firm with chance ``loyalty`` (else a rival)."""
    return _f(draw) < _f(loyalty)


# ---------------------------------------------------------------- word of mouth
def hear_negative(level: ArrayLike, messages: ArrayLike, effect: float) -> np.ndarray:
    """Each negative message cuts the hearer's purchase probability by ``effect``, relatively.

    Example:
        >>> round(float(hear_negative(0.9, 1, 0.05)), 3)
        0.855
    """
    return _f(level) * np.power(1.0 - effect, _f(messages))


def hear_positive(level: ArrayLike, messages: ArrayLike, effect: float) -> np.ndarray:
    """Each positive message closes ``effect`` of the gap to 1 (bigger where the prior is low)."""
    return 1.0 - (1.0 - _f(level)) * np.power(1.0 - effect, _f(messages))


def recommends(satisfaction: ArrayLike, wom: WomConfig) -> np.ndarray:
    """Whether a customer is satisfied enough to recommend the firm."""
    return _f(satisfaction) >= wom.praise_threshold


def forward_probability(messages: ArrayLike, forward_prob: float) -> np.ndarray:
    """Chance a hearer passes a story on: each message from a friend (weighted by its tie) is a chance.

    Example:
        >>> round(float(forward_probability(2.0, 0.05)), 4)
        0.0975
    """
    return -np.expm1(_f(messages) * math.log1p(-min(forward_prob, 1.0 - 1e-16)))


def may_forward(tell_left: ArrayLike) -> np.ndarray:
    """A hearer passes a story on only when not already telling one."""
    return np.asarray(tell_left) == 0


def tells_after_good_recovery(tell_left: ArrayLike, cfg: RecoveryRulesConfig) -> np.ndarray:
    """A satisfied complainant tells on at ``recovered_tell_share`` of the story (TARP)."""
    return np.round(_f(tell_left) * cfg.recovered_tell_share).astype(np.int16)


def switching_weight(member: ArrayLike, terrorist: ArrayLike, acquisition: AcquisitionConfig) -> np.ndarray:
    """Multiple of the switching hazard, by where a person stands with the firm.

    1 for rivals' customers and non-users, ``win_back`` for former customers, 0 for customers and
    for terrorists (who never return).

    Example:
        >>> switching_weight(np.array([0, 1, 2]), np.zeros(3, bool), AcquisitionConfig(win_back=0.5)).tolist()
        [1.0, 0.0, 0.5]
    """
    m = np.asarray(member)
    weight = np.where(m == Membership.PROSPECT, 1.0, np.where(m == Membership.CHURNED, acquisition.win_back, 0.0))
    return np.where(np.asarray(terrorist, dtype=bool), 0.0, weight)


def adoption_probability(
    positive_today: ArrayLike,
    negative_recent: ArrayLike,
    acquisition: AcquisitionConfig,
    wom: WomConfig,
    weight: ArrayLike = 1.0,
) -> np.ndarray:
    """Daily chance a prospect becomes a customer: Bass (1969) form, agent by agent.

    Hazard ``p/365 + (q/365) * P / r``: ``P`` positive messages heard today, ``r`` the daily rate
    at which a satisfied customer recommends, so that among satisfied customers only the hazard is
    ``(p + q) / 365``, Bass's; negative messages heard recently cut it by ``negative_effect`` each;
    ``weight`` scales it (``switching_weight``: former customers come back at ``win_back``).

    Example:
        >>> round(float(adoption_probability(0, 0, AcquisitionConfig(innovation=0.03), WomConfig()) * 365), 3)
        0.03
    """
    imitation = acquisition.imitation / 365.0 / wom.positive_daily_rate if wom.positive_daily_rate > 0 else 0.0
    hazard = acquisition.innovation / 365.0 + imitation * _f(positive_today)
    return -np.expm1(-hazard * _f(weight) * np.power(1.0 - wom.negative_effect, _f(negative_recent)))


def negative_binomial_params(mean: float, dispersion: float) -> tuple[float, float]:
    """(n, p) of numpy's negative binomial with the given mean and dispersion ``n``."""
    return dispersion, dispersion / (dispersion + mean)


def tell_counts(u: ArrayLike, mean: ArrayLike, dispersion: float) -> np.ndarray:
    """How many friends each story reaches: negative binomial counts with ``mean``, one per uniform ``u``.

    The count is the quantile at ``u`` (an inverted CDF table), capped where counts are stored
    (``keyed.COUNT_CAP``): either stepping brings its own uniforms, the rule is this one.
    """
    u = np.asarray(u, dtype=np.float64)
    means = np.broadcast_to(np.asarray(mean, dtype=np.float64), u.shape)
    out = np.empty(u.shape, dtype=np.int64)
    distinct = np.sort(means, axis=None)
    for m in distinct[np.r_[True, distinct[1:] != distinct[:-1]]].tolist() if distinct.size else []:
        at = means == m
        n, p = negative_binomial_params(m, dispersion)
        out[at] = negative_binomial_from_uniform(u[at], n, p)
    return out


def story_size(u: ArrayLike, degree: ArrayLike, mean: ArrayLike, wom: WomConfig) -> np.ndarray:
    """How many friends each new story will reach, by the spread process ``wom.process``.

    ``told_count``: negative binomial with ``mean`` (``tell_counts``); ``independent_cascade``:
    each friend once with ``cascade_prob`` (Kempe et al. 2003), a binomial over the teller's
    ``degree``; ``sir``: none here, the story spreads through the hearing calendar.
    """
    if wom.process == "independent_cascade":
        from scipy import stats  # here: scipy.stats takes 0.3 s to import, and only this process needs it

        return stats.binom.ppf(u, degree, wom.cascade_prob).astype(np.int64)
    if wom.process == "sir":
        return np.zeros(np.shape(u), dtype=np.int64)
    return tell_counts(u, mean, wom.negative_dispersion)
