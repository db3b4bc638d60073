"""The runs behind the targets: one function per study, from a seed and a size to named values.

A study runs the model for one seed (paired conditions share that seed, so differences are
paired) and returns a flat ``{metric: value}``; the targets in ``targets.py`` pick their metric
and judge it over seeds. Everything model-specific goes through ``adapter``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sim.validate import adapter

Values = dict[str, float]


@dataclass(frozen=True)
class Size:
    """How big the runs are: the full report, or the quick check CI runs."""

    name: str
    market: int  # customers in runs at the defaults
    days: int  # days of runs at the defaults
    seeds: int  # seeds of runs at the defaults
    cohort: int  # customers in cohort experiments
    cohort_seeds: int
    tarp_cohort: int
    tarp_seeds: int
    sir_runs: int  # SIR runs a seed (each seed is one batch on each side)


FULL = Size("full", market=10_000, days=365, seeds=20, cohort=5_000, cohort_seeds=10,
            tarp_cohort=20_000, tarp_seeds=5, sir_runs=40)
QUICK = Size("quick", market=5_000, days=365, seeds=10, cohort=1_500, cohort_seeds=4,
             tarp_cohort=4_000, tarp_seeds=3, sir_runs=20)


@dataclass(frozen=True)
class Study:
    name: str
    run: Callable[[int, Size], Values]
    seeds: Callable[[Size], int]


# ---------------------------------------------------------------- at the defaults
def defaults(seed: int, size: Size) -> Values:
    """The default model (policy ``full``, baseline scenario): complaints and word of mouth."""
    r = adapter.run({"customers": size.market}, seed, size.days)
    positive, negative = adapter.wom_counts(r)
    cascades = adapter.online_cascade_sizes(r.model)
    return {
        "complaint_share": adapter.summary_value(r, "complaint_share"),
        "tells_mean": adapter.summary_value(r, "mean_tells_per_unhappy"),
        "tells_over_20": adapter.summary_value(r, "share_telling_over_20"),
        "wom_ratio": positive / negative if negative else math.nan,
        "online_single_share": float(np.mean(cascades == 1)) if cascades is not None and len(cascades) else math.nan,
    }


def attrition(seed: int, size: Size) -> Values:
    """Failures off: the yearly attrition the model has without any service failure."""
    r = adapter.run({"customers": size.market, "failure.rate": 0.0}, seed, 365)
    return {"yearly_attrition": adapter.yearly_attrition(r)}


def defection_cut(seed: int, size: Size) -> Values:
    """Reichheld & Sasser (1990): the same firm with yearly defections 5 points lower, paired seeds."""
    field = adapter.attrition_field()
    if field is None:
        return {}
    base = adapter.default(field)
    spec = {"customers": size.market}
    before = adapter.npv(adapter.run(spec, seed, size.days))
    after = adapter.npv(adapter.run(spec | {field: max(base - 0.05, 0.0)}, seed, size.days))
    return {"profit_gain": (after - before) / abs(before)}


def bad_news(seed: int, size: Size) -> Values:
    """Goldenberg et al. (2007): NPV lost to negative word of mouth, and how rewiring moves it."""
    off = adapter.negative_wom_off()
    spec = {"customers": size.market}
    with_news = adapter.run(spec, seed, size.days)
    without = adapter.run(spec | off, seed, size.days)
    out = {
        "npv_lost_share": (adapter.npv(without) - adapter.npv(with_news)) / abs(adapter.npv(without)),
        "dissatisfied_per_customer": adapter.summary_value(with_news, "dissatisfied")
        / adapter.summary_value(with_news, "customers_start"),
    }
    for rewire in REWIRING:
        ws = spec | {"network.kind": "watts_strogatz", "network.rewire": rewire}
        on, silent = adapter.run(ws, seed, size.days), adapter.run(ws | off, seed, size.days)
        out[f"ws_lost_{rewire:g}"] = (adapter.npv(silent) - adapter.npv(on)) / abs(adapter.npv(silent))
    out["weak_tie_effect"] = out[f"ws_lost_{REWIRING[-1]:g}"] - out[f"ws_lost_{REWIRING[0]:g}"]
    return out


REWIRING = (0.0, 0.1, 0.5)  # Watts-Strogatz rewiring: share of ties that become weak ties across the ring


def storm(seed: int, size: Size) -> Values:
    """The jetBlue ice storm (Feb 2007): the storm with recovery on time against five days late, paired seeds."""

    def lost(extra_delay: int) -> float:
        spec = {
            "customers": size.market,
            "scenario.name": "jetblue_storm",
            "scenario.shock.reach": 0.08,
            "scenario.shock.extra_recovery_delay_days": extra_delay,
        }
        return adapter.summary_value(adapter.run(spec, seed, size.days), "customers_lost")

    prompt, late = lost(0), lost(5)
    return {"storm_extra_lost": (late - prompt) / size.market}


# ---------------------------------------------------------------- TARP cohorts
TARP_LOSS = {"small": 0.6263, "large": 0.9091}  # sim/conf/tarp_loss: felt severity per loss size
TARP_CONDITION = {  # sim/conf/tarp_condition
    "no_complaint": {"complaint.base_share": 0.0},
    "complained_unsatisfied": {"complaint.base_share": 1.0, "policy.apology": True, "policy.fix": False,
                               "policy.first_contact": False, "policy.compensation_ratio": 0.0,
                               "policy.delay_days": 14},
    "complained_satisfied": {"complaint.base_share": 1.0, "policy.apology": True, "policy.fix": True,
                             "policy.first_contact": True, "policy.compensation_ratio": 1.0,
                             "policy.delay_days": 7},
    "satisfied_quickly": {"complaint.base_share": 1.0, "policy.apology": True, "policy.fix": True,
                          "policy.first_contact": True, "policy.compensation_ratio": 1.0,
                          "policy.delay_days": 0},
}
QUIET = {  # no word of mouth, no other failure: only the episode under study moves anyone
    "failure.rate": 0.0,
    "failure.quality_noise": 0.0,
    "wom.negative_mean": 0.0,
    "wom.positive_mean": 0.0,
    "wom.delight_tell_prob": 0.0,
    "wom.forward_prob": 0.0,
    "wom.online_post_prob": 0.0,
    "wom.terrorist_post_prob": 0.0,
    "wom.terrorist_daily_tell_prob": 0.0,
}


def shock(severity: float, days: int = 1) -> adapter.Spec:
    """Everyone meets the same failure on day 1 (and the next ``days - 1`` days)."""
    return {
        "scenario.name": "cohort",
        "scenario.shock.day": 1,
        "scenario.shock.days": days,
        "scenario.shock.reach": 1.0,
        "scenario.shock.severity_mean": severity,
        "scenario.shock.severity_concentration": 0.0,
        "scenario.shock.extra_recovery_delay_days": 0,
        "complaint.severity_elasticity": 0.0,
        "complaint.propensity_sigma": 0.0,
    }


def tarp(seed: int, size: Size) -> Values:
    """sim/conf/experiment/tarp_cohort.yaml: share who buy again, by loss size and complaint outcome."""
    out = {}
    for loss, severity in TARP_LOSS.items():
        for condition, overrides in TARP_CONDITION.items():
            spec = {"customers": size.tarp_cohort, "network.kind": "erdos_renyi", "network.mean_degree": 2.0}
            spec |= QUIET | shock(severity) | overrides
            out[f"tarp_{loss}_{condition}"] = adapter.summary_value(adapter.run(spec, seed, 150), "buy_again_share")
    return out


# ---------------------------------------------------------------- recovery cohorts
MILD = 0.08  # a first, minor failure: where the paradox is reported (Magnini et al. 2007)
EXCELLENT = {"complaint.base_share": 1.0, "policy.apology": True, "policy.fix": True, "policy.first_contact": True,
             "policy.compensation_ratio": 1.25, "policy.delay_days": 0}
NOTHING = {"complaint.base_share": 1.0, "policy.apology": False, "policy.fix": False,
           "policy.first_contact": False, "policy.compensation_ratio": 0.0, "policy.delay_days": 0}


def _cohort_gap(
    treated: adapter.Spec, control: adapter.Spec, seed: int, days: int, failures: int = 1
) -> tuple[float, float]:
    """Hit customers' mean repurchase intention and satisfaction, treated minus control, same seed.

    The hit customers are those with exactly ``failures`` dissatisfying failures in the treated
    run; the control run (no failure) gives the same people's level without any.
    """
    a = adapter.run(treated, seed, days)
    b = adapter.run(control, seed, days)
    hit = adapter.failures_felt(a.model) == failures
    intent = adapter.repurchase_intention(a.model)[hit].mean() - adapter.repurchase_intention(b.model)[hit].mean()
    sat_a, sat_b = adapter.satisfaction(a.model), adapter.satisfaction(b.model)
    sat = math.nan if sat_a is None or sat_b is None else float(sat_a[hit].mean() - sat_b[hit].mean())
    return float(intent), sat


def recovery(seed: int, size: Size) -> Values:
    """Paradox after a first minor failure, its absence after a second, and double deviation."""
    base = {"customers": size.cohort, "failure.tolerance": 0.05} | QUIET
    no_failure = base | {"complaint.base_share": 0.0}
    out: Values = {}
    intent, sat = _cohort_gap(base | shock(MILD) | EXCELLENT, no_failure, seed, 5)
    out["paradox_repurchase"], out["paradox_satisfaction"] = intent, sat
    intent, sat = _cohort_gap(base | shock(MILD, days=2) | EXCELLENT, no_failure, seed, 5, failures=2)
    out["second_failure_repurchase"], out["second_failure_satisfaction"] = intent, sat
    # Word of mouth: the same cohorts with talk on (a graph, default tell counts), failures otherwise off.
    talk = {"customers": size.cohort, "failure.tolerance": 0.05, "failure.rate": 0.0}
    a = adapter.run(talk | shock(MILD) | EXCELLENT, seed, 30)
    b = adapter.run(talk | {"complaint.base_share": 0.0}, seed, 30)
    net = [(p - n) / size.cohort for p, n in (adapter.wom_counts(a), adapter.wom_counts(b))]
    out["paradox_wom"] = net[0] - net[1]
    # Double deviation: a failure answered badly against the same failure left alone.
    hurt = base | shock(0.3)
    intent, _ = _cohort_gap(hurt | NOTHING, hurt | {"complaint.base_share": 0.0}, seed, 5)
    out["double_deviation"] = intent
    return out


COMPENSATION_LEVELS = tuple(round(0.2 * i, 1) for i in range(11))  # 0 %..200 % of the loss, as Gelbrich et al.
# Compensation with an apology, the same day, the flawed service not fixed (the customer rejects it,
# as in Gelbrich, Gaethke & Gregoire 2015); the apology keeps every level clear of double deviation,
# so the curve shows the compensation rule itself.
APOLOGY_AND_PAYMENT = NOTHING | {"policy.apology": True}


def compensation(seed: int, size: Size) -> Values:
    """Repurchase intention after compensation at 11 levels of the loss (Gelbrich et al. 2015)."""
    curve = []
    for ratio in COMPENSATION_LEVELS:
        spec = {"customers": size.cohort, "failure.tolerance": 0.05} | QUIET | shock(0.3) | APOLOGY_AND_PAYMENT
        r = adapter.run(spec | {"policy.compensation_ratio": ratio}, seed, 2)
        hit = adapter.failures_felt(r.model) > 0
        curve.append(adapter.repurchase_intention(r.model)[hit].mean())
    c = dict(zip(COMPENSATION_LEVELS, curve, strict=True))
    out = {f"comp_{k:g}": float(v) for k, v in c.items()}
    mean_slope = (c[2.0] - c[0.0]) / 2.0
    # Slope in 60-120 % minus slope in 0-60 %, in units of the mean slope over 0-200 %: > 0 when steeper there.
    out["comp_steepening"] = ((c[1.2] - c[0.6]) - (c[0.6] - c[0.0])) / 0.6 / mean_slope if mean_slope else math.nan
    # Gain from 160 % to 200 %, as a share of the whole gain: ~0 when flat beyond ~150 %.
    out["comp_gain_beyond_150"] = (c[2.0] - c[1.6]) / (c[2.0] - c[0.0]) if c[2.0] != c[0.0] else math.nan
    return out


def justice(seed: int, size: Size) -> Values:
    """Handling satisfaction gained by each justice dimension alone, others at their worst (Orsingher et al. 2010)."""
    worst = {"apology": False, "fix": False, "first_contact": False, "compensation_ratio": 0.0}
    slow = 14.0  # a two-week wait: the slow end of procedural justice
    floor = adapter.handling_satisfaction(worst, slow)
    distributive = adapter.handling_satisfaction(worst | {"fix": True, "compensation_ratio": 1.0}, slow) - floor
    interactional = adapter.handling_satisfaction(worst | {"apology": True}, slow) - floor
    procedural = adapter.handling_satisfaction(worst | {"first_contact": True}, 0.0) - floor
    return {
        "justice_distributive_minus_interactional": distributive - interactional,
        "justice_interactional_minus_procedural": interactional - procedural,
    }


# ---------------------------------------------------------------- docking
def bass(seed: int, size: Size) -> Values:
    """Failures off, word of mouth only positive, imitation off: adoption against 1 - exp(-p t)."""
    days = 730
    spec = {"customers": size.market, "failure.rate": 0.0, "wom.negative_mean": 0.0, "wom.online_post_prob": 0.0,
            "acquisition.prospect_share": 0.9, "acquisition.imitation": 0.0}
    r = adapter.run(spec, seed, days)
    p = adapter.default("acquisition.innovation")
    adopted = adapter.summary_value(r, "customers_acquired") / adapter.prospects_at_start(r)
    return {"bass_innovation_gap": adopted - (1.0 - math.exp(-p * days))}


def sir(seed: int, size: Size) -> Values:
    """The SIR kernel against EoN on the same Barabasi-Albert graph, same geometric delays."""
    n, m, p, q = 400, 2, 0.08, 0.25
    ours = adapter.sir_final_sizes(n, m, p, q, size.sir_runs, seed)
    peer = adapter.eon_final_sizes(n, m, p, q, size.sir_runs, seed)
    if peer is None:
        return {}
    return {"sir_final_size_gap": (ours.mean() - peer.mean()) / n}


def retention(seed: int, size: Size) -> Values:
    """No network, no failures: the share still active after a year against the rules' closed form."""
    spec = {"customers": size.cohort} | QUIET
    model = adapter.start(spec, seed, graph=adapter.empty_graph(size.cohort))
    expected = adapter.closed_form_retention(model, 365)
    if expected is None:
        return {}
    model.run(365)
    return {"retention_gap": float(np.mean(adapter.active(model))) - expected}


def _seeds(attr: str) -> Callable[[Size], int]:
    return lambda size: getattr(size, attr)


def _one(size: Size) -> int:
    return 1


STUDIES = {
    s.name: s
    for s in (
        Study("defaults", defaults, _seeds("seeds")),
        Study("attrition", attrition, _seeds("seeds")),
        Study("defection_cut", defection_cut, _seeds("seeds")),
        Study("bad_news", bad_news, _seeds("seeds")),
        Study("storm", storm, _seeds("seeds")),
        Study("tarp", tarp, _seeds("tarp_seeds")),
        Study("recovery", recovery, _seeds("cohort_seeds")),
        Study("compensation", compensation, _seeds("cohort_seeds")),
        Study("justice", justice, _one),  # a deterministic rule: one evaluation
        Study("bass", bass, _seeds("cohort_seeds")),
        Study("sir", sir, _seeds("cohort_seeds")),
        Study("retention", retention, _seeds("cohort_seeds")),
    )
}
