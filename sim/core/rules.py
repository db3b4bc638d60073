"""The behavioural rules, written once.

Every rule is a pure numpy expression that works on a scalar and on an array alike, so the
array stepping (all customers at once) and the per-agent reference stepping share one
definition. Parameters are passed explicitly; their defaults and sources live in
``sim/core/config.py``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


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


def complaint_probability(
    severity: ArrayLike,
    propensity: ArrayLike,
    base_share: float,
    severity_ref: float,
    severity_elasticity: float,
    barrier: float,
) -> np.ndarray:
    """Chance that a dissatisfied customer complains.

    ``base_share`` is the share at the reference severity, for an average customer
    (propensity 1) facing the typical barrier (1). Higher severity raises it, a higher
    barrier lowers it; zero severity gives zero.

    Example:
        >>> float(complaint_probability(0.5, 1.0, 0.075, 0.5, 1.0, 1.0))
        0.075
    """
    s = np.asarray(severity, dtype=np.float64)
    scale = np.power(np.maximum(s, 0.0) / severity_ref, severity_elasticity)
    p = base_share * np.asarray(propensity) * scale / barrier
    return np.where(s > 0.0, np.clip(p, 0.0, 1.0), 0.0)


def loyalty_after_failure(loyalty: ArrayLike, severity: ArrayLike, impact: float) -> np.ndarray:
    """One failure scales loyalty down by its felt severity ("100 - 1 = 0")."""
    return np.multiply(loyalty, 1.0 - impact * np.asarray(severity))


def speed(delay_days: ArrayLike, patience_days: float) -> np.ndarray:
    """How timely a recovery feels: 1 on the same day, decaying with the wait."""
    return np.exp(-np.asarray(delay_days, dtype=np.float64) / patience_days)


def recovery_satisfaction(
    fixed: ArrayLike,
    compensation_ratio: ArrayLike,
    apology: ArrayLike,
    first_contact: ArrayLike,
    delay_days: ArrayLike,
    patience_days: float,
    w_outcome: float,
    w_interactional: float,
    w_procedural: float,
) -> np.ndarray:
    """Satisfaction with complaint handling, in [0, 1], from the three justice dimensions.

    Outcome justice: the problem fixed and compensation matching the loss (a ratio of 1
    or more is full). Interactional: a sincere apology. Procedural: resolved at first
    contact and fast. Weights sum to 1.

    Example:
        >>> float(recovery_satisfaction(1, 1.0, 1, 1, 0, 14.0, 0.5, 0.3, 0.2))
        1.0
    """
    outcome = 0.5 * np.asarray(fixed, dtype=np.float64) + 0.5 * np.minimum(
        np.asarray(compensation_ratio, dtype=np.float64), 1.0
    )
    interactional = np.asarray(apology, dtype=np.float64)
    procedural = 0.5 * np.asarray(first_contact, dtype=np.float64) + 0.5 * speed(delay_days, patience_days)
    return w_outcome * outcome + w_interactional * interactional + w_procedural * procedural


def repair_fraction(
    satisfaction: ArrayLike,
    delay_days: ArrayLike,
    severity: ArrayLike,
    patience_days: float,
    size_drag: float,
) -> np.ndarray:
    """Share of the loyalty lost to a failure that a recovery wins back.

    Good handling repairs more, a late one less (TARP: speed matters most), and large
    losses are never quite undone (``size_drag``).
    """
    return np.asarray(satisfaction) * speed(delay_days, patience_days) * (1.0 - size_drag * np.asarray(severity))


def loyalty_after_recovery(
    loyalty_failed: ArrayLike,
    loyalty_before: ArrayLike,
    repair: ArrayLike,
    satisfaction: ArrayLike,
    first_failure: ArrayLike,
    ceiling: float,
    paradox_threshold: float,
    paradox_bonus: float,
    bad_threshold: float,
    double_deviation_penalty: float,
) -> np.ndarray:
    """Loyalty once a recovery lands, with the recovery paradox and double deviation.

    Paradox: after a first failure, a recovery at or above ``paradox_threshold`` adds a
    bonus towards the ceiling on top of the repair (Magnini et al. 2007: first, minor
    failures only). Double deviation: a recovery below ``bad_threshold`` lands below the
    unrecovered level (Maxham & Netemeyer 2002).
    """
    failed = np.asarray(loyalty_failed, dtype=np.float64)
    before = np.asarray(loyalty_before, dtype=np.float64)
    sat = np.asarray(satisfaction, dtype=np.float64)
    repaired = failed + np.asarray(repair) * np.maximum(before - failed, 0.0)
    paradox_weight = np.clip((sat - paradox_threshold) / (1.0 - paradox_threshold), 0.0, 1.0)
    bonus = paradox_bonus * paradox_weight * np.maximum(ceiling - before, 0.0)
    repaired = repaired + np.where(np.asarray(first_failure, dtype=bool), bonus, 0.0)
    punished = failed * (1.0 - double_deviation_penalty)
    return np.clip(np.where(sat < bad_threshold, punished, repaired), 0.0, ceiling)


def terrorist_probability(satisfaction: ArrayLike, bad_threshold: float, max_prob: float) -> np.ndarray:
    """Chance a bad recovery turns the customer into a terrorist; zero at or above the threshold.

    Example:
        >>> float(terrorist_probability(1.0, 0.3, 0.5))
        0.0
    """
    sat = np.asarray(satisfaction, dtype=np.float64)
    shortfall = np.clip((bad_threshold - sat) / bad_threshold, 0.0, 1.0)
    return max_prob * shortfall


def defection_probability(loyalty: ArrayLike) -> np.ndarray:
    """Churn hazard at a purchase occasion: loyalty is the chance to buy again."""
    return 1.0 - np.asarray(loyalty, dtype=np.float64)


def purchase_interval(loyalty: ArrayLike, base_days: float, frequency_elasticity: float) -> np.ndarray:
    """Mean days between purchases: less loyal customers buy less often."""
    return base_days / np.power(np.maximum(np.asarray(loyalty, dtype=np.float64), 0.05), frequency_elasticity)


def learn_from_good_encounter(loyalty: ArrayLike, ceiling: float, rate: float) -> np.ndarray:
    """A good encounter moves loyalty part of the way towards the ceiling."""
    return np.add(loyalty, rate * (ceiling - np.asarray(loyalty)))


def hear_negative(loyalty: ArrayLike, messages: ArrayLike, impact: float) -> np.ndarray:
    """Each negative message heard raises the defection chance (1 - loyalty) by ``impact``, relatively.

    Example:
        >>> round(float(hear_negative(0.99, 1, 0.1)), 4)
        0.989
    """
    defection = (1.0 - np.asarray(loyalty, dtype=np.float64)) * np.power(1.0 + impact, np.asarray(messages))
    return 1.0 - np.minimum(defection, 1.0)


def hear_positive(loyalty: ArrayLike, messages: ArrayLike, ceiling: float, impact: float) -> np.ndarray:
    """Each positive message heard closes ``impact`` of the gap to the ceiling."""
    gap = ceiling - np.asarray(loyalty, dtype=np.float64)
    return ceiling - gap * np.power(1.0 - impact, np.asarray(messages))


def adoption_probability(
    positive_heard: ArrayLike, negative_heard: ArrayLike, innovation: float, imitation: float, deterrence: float
) -> np.ndarray:
    """Daily chance a prospect becomes a customer (Bass form, agent-based as Rand & Rust 2011)."""
    pos = np.asarray(positive_heard, dtype=np.float64)
    p = (innovation + imitation * pos) * np.power(1.0 - deterrence, np.asarray(negative_heard))
    return np.clip(p, 0.0, 1.0)


def negative_binomial_params(mean: float, dispersion: float) -> tuple[float, float]:
    """(n, p) of numpy's negative binomial with the given mean and dispersion ``n``."""
    return dispersion, dispersion / (dispersion + mean)


def rework_cost(stage: ArrayLike, base_cost: float, stage_multiplier: float) -> np.ndarray:
    """The 1:10 rule: a failure caught one stage later costs ten times as much to fix."""
    return base_cost * np.power(stage_multiplier, np.asarray(stage, dtype=np.float64))


def lifetime_value(
    loyalty: ArrayLike, interval_days: ArrayLike, margin_per_purchase: float, annual_discount_rate: float
) -> np.ndarray:
    """Expected discounted margin of a customer's future purchases (customer lifetime value).

    Each occasion comes ``interval_days`` later and is reached with chance ``loyalty``:
    ``CLV = m * q / (1 - q)`` with ``q = loyalty * discount ** interval``.

    Example:
        >>> round(float(lifetime_value(0.5, 0.0, 10.0, 0.0)), 6)
        10.0
    """
    daily = (1.0 + annual_discount_rate) ** (-1.0 / 365.0)
    q = np.asarray(loyalty, dtype=np.float64) * np.power(daily, np.asarray(interval_days, dtype=np.float64))
    return margin_per_purchase * q / np.maximum(1.0 - q, 1e-9)
