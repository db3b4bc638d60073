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
    market: int  # the firm's customers in runs at the defaults (the market is 4 times larger)
    days: int  # days of runs at the defaults
    seeds: int  # seeds of runs at the defaults
    cohort: int  # customers in cohort experiments
    cohort_seeds: int
    tarp_cohort: int
    tarp_seeds: int
    years: int  # years of the defection-cut runs (Reichheld & Sasser)
    storm: int  # customers in the jetBlue storm runs (a small effect: the quick check needs them large too)
    storm_seeds: int  # and its seeds: the quick check needs as many as the full report
    sir_runs: int  # EoN runs a seed, against one model run
    docking_seeds: int  # seeds of the docking checks: power >= 0.8 at their margins (see targets.POWER)


FULL = Size("full", market=10_000, days=365, seeds=20, cohort=5_000, cohort_seeds=10,
            tarp_cohort=20_000, tarp_seeds=5, years=3, storm=10_000, storm_seeds=20, sir_runs=40,
            docking_seeds=10)
QUICK = Size("quick", market=3_000, days=365, seeds=8, cohort=1_500, cohort_seeds=5,
             tarp_cohort=4_000, tarp_seeds=3, years=3, storm=10_000, storm_seeds=20, sir_runs=20,
             docking_seeds=8)


@dataclass(frozen=True)
class Study:
    name: str
    run: Callable[[int, Size], Values]
    seeds: Callable[[Size], int]
    columns: tuple[str, ...]  # every metric it returns (the columns of validation.parquet's study rows)
    deterministic: bool = False  # one evaluation of a rule: no seeds, no CI


def _share(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else math.nan


# ---------------------------------------------------------------- at the defaults
def defaults(seed: int, size: Size) -> Values:
    """The default model (a market of 4x the customers, policy ``full``): one year."""
    r = adapter.run({"customers": size.market}, seed, size.days)
    s = lambda key: adapter.summary_value(r, key)  # noqa: E731
    return {
        "complaint_share": s("complaint_share"),
        "tells_mean": s("mean_tells_per_unhappy"),
        "tells_over_20": s("share_telling_over_20"),
        "wom_ratio": s("positive_to_negative_wom"),
        "positive_messages": s("positive_wom_messages"),
        "negative_messages": s("negative_wom_messages"),
        "online_cascades": s("online_cascades"),
        "online_no_reshare": s("cascades_no_reshare_share") if s("online_cascades") else math.nan,
        "online_past_one_step": s("cascades_past_one_step_share") if s("online_cascades") else math.nan,
        "yearly_attrition": adapter.yearly_attrition(r),
    }


def defection_cut(seed: int, size: Size) -> Values:
    """Reichheld & Sasser (1990): the same firm with yearly defections 5 points lower, paired seeds.

    Two readings of "5 points fewer defections", each over ``size.years`` years and judged on the
    NPV with customer equity (the lifetime value of the customers left, as R & S valued a
    customer): (a) ``loyalty.baseline_attrition`` cut by 5 points; since every churn hazard is
    proportional to it, this cuts the realised defections by more than 5 points; (b) the baseline
    hazard scaled so that the realised yearly attrition of the default run falls by 5 points.
    """
    field = adapter.attrition_field()
    base = adapter.default(field)
    days = 365 * size.years
    spec = {"customers": size.cohort}
    before = adapter.run(spec, seed, days)
    attrition = adapter.yearly_attrition(before)
    cut = adapter.run(spec | {field: max(base - 0.05, 0.0)}, seed, days)
    # (b): the realised attrition is (nearly) proportional to the baseline hazard -log(1 - b).
    scale = math.log1p(-min(attrition - 0.05, 0.99)) / math.log1p(-attrition) if attrition > 0.05 else 0.0
    realised = 1.0 - (1.0 - base) ** scale
    matched = adapter.run(spec | {field: realised}, seed, days)
    npv0 = adapter.npv(before)
    return {
        "attrition_before": attrition,
        "attrition_after_baseline_cut": adapter.yearly_attrition(cut),
        "attrition_after_matched_cut": adapter.yearly_attrition(matched),
        "npv_gain_baseline_cut": (adapter.npv(cut) - npv0) / abs(npv0),
        "npv_gain_matched_cut": (adapter.npv(matched) - npv0) / abs(npv0),
        "profit_gain_matched_cut": (adapter.summary_value(matched, "npv") - adapter.summary_value(before, "npv"))
        / abs(adapter.summary_value(before, "npv")),
    }


COUNTERFACTUALS = ("as_is", "no_negative_wom", "no_failures")  # sim/conf/experiment/wom_attribution.yaml


def attribution(seed: int, size: Size) -> Values:
    """sim/conf/experiment/wom_attribution.yaml on the default market: what failures cost, and how.

    The experiment's three counterfactuals on the same seed (``python -m sim composes the
    experiment on the Barabasi-Albert graph of ``sim/conf/config.yaml``; here the network is the
    model's default, ``stochastic_block``, as in every other run at the defaults).
    """
    runs = {}
    for c in COUNTERFACTUALS:
        base = adapter.compose("+experiment=wom_attribution", f"counterfactual={c}", "network=stochastic_block")
        runs[c] = adapter.run({"customers": size.market, "progress": False}, seed, size.days, base=base)
    v = {c: {k: adapter.summary_value(r, k) for k in ("npv", "npv_with_equity", "revenue", "customers_end",
                                                       "customers_acquired", "customers_lost", "dissatisfied",
                                                       "customers_start")}
         for c, r in runs.items()}
    a, silent, perfect = v["as_is"], v["no_negative_wom"], v["no_failures"]
    out: Values = {"dissatisfied_per_customer": a["dissatisfied"] / a["customers_start"]}
    for key in ("npv", "npv_with_equity", "revenue", "customers_end"):
        total, wom = perfect[key] - a[key], silent[key] - a[key]
        out[f"{key}_lost_to_failures"] = total
        out[f"{key}_through_wom"] = wom
        out[f"{key}_direct"] = total - wom
    out["bad_news_npv_share"] = _share(silent["npv_with_equity"] - a["npv_with_equity"], silent["npv_with_equity"])
    out["bad_news_profit_share"] = _share(silent["npv"] - a["npv"], silent["npv"])
    out["wom_share_of_failure_loss"] = _share(out["npv_with_equity_through_wom"],
                                              out["npv_with_equity_lost_to_failures"])
    deterred = silent["customers_acquired"] - a["customers_acquired"]
    driven_away = a["customers_lost"] - silent["customers_lost"]
    out["deterred_acquisitions"], out["wom_churned"] = deterred, driven_away
    out["deterrence_over_retention"] = _share(deterred, driven_away)
    return out


REWIRING = (0.0, 0.1, 0.5)  # Watts-Strogatz rewiring: share of ring ties that become random (weak) ties


def weak_ties(seed: int, size: Size) -> Values:
    """Goldenberg et al. (2007): NPV lost to bad news along a Watts-Strogatz rewiring sweep, paired seeds."""
    off = adapter.negative_wom_off()
    out: Values = {}
    for rewire in REWIRING:
        ws = {"customers": size.cohort, "network.kind": "watts_strogatz", "network.rewire": rewire}
        on, silent = adapter.run(ws, seed, size.days), adapter.run(ws | off, seed, size.days)
        out[f"ws_lost_{rewire:g}"] = _share(adapter.npv(silent) - adapter.npv(on), adapter.npv(silent))
    out["weak_tie_effect"] = out[f"ws_lost_{REWIRING[-1]:g}"] - out[f"ws_lost_{REWIRING[0]:g}"]
    return out


def storm(seed: int, size: Size) -> Values:
    """The jetBlue ice storm (Feb 2007, ``scenario=jetblue_storm``): recovery on time against 5 days late.

    jetBlue reached out to the stranded (refunds, vouchers), so the firm here finds failures itself
    (``policy=proactive``): the delay then touches most victims, not only the few who complain.
    """
    base = adapter.compose("scenario=jetblue_storm", "network=stochastic_block", "policy=proactive")

    def lost(extra_delay: int) -> float:
        spec = {"customers": size.storm, "progress": False, "scenario.shock.extra_recovery_delay_days": extra_delay}
        return adapter.summary_value(adapter.run(spec, seed, size.days, base=base), "customers_lost")

    prompt, late = lost(0), lost(5)
    return {"storm_extra_lost": (late - prompt) / size.storm}


# ---------------------------------------------------------------- TARP cohorts
TARP_LOSSES = ("small", "large")  # sim/conf/tarp_loss
TARP_CONDITIONS = ("no_complaint", "complained_unsatisfied", "complained_satisfied", "satisfied_quickly")


def tarp(seed: int, size: Size) -> Values:
    """sim/conf/experiment/tarp_cohort.yaml: the will to buy again at the close, by loss and outcome."""
    out = {}
    for loss in TARP_LOSSES:
        for condition in TARP_CONDITIONS:
            base = adapter.compose("+experiment=tarp_cohort", f"tarp_loss={loss}", f"tarp_condition={condition}")
            r = adapter.run({"customers": size.tarp_cohort, "progress": False}, seed, base.days, base=base)
            out[f"tarp_{loss}_{condition}"] = adapter.summary_value(r, "buy_again_share")
    return out


# ---------------------------------------------------------------- recovery cohorts
QUIET = {  # no word of mouth, no market, no other failure: only the episode under study moves anyone
    "failure.rate": 0.0,
    "failure.quality_noise": 0.0,
    "wom.negative_enabled": False,
    "wom.positive_daily_rate": 0.0,
    "acquisition.enabled": False,
    "market.share": 1.0,
    "network.kind": "erdos_renyi",
    "network.mean_degree": 2.0,
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


MILD = 0.08  # a first, minor failure: where the paradox is reported (Magnini et al. 2007)
EXCELLENT = {"complaint.base_share": 1.0, "policy.apology": True, "policy.fix": True, "policy.first_contact": True,
             "policy.compensation_ratio": 1.25, "policy.delay_days": 0}
NOTHING = {"complaint.base_share": 1.0, "policy.apology": False, "policy.fix": False,
           "policy.first_contact": False, "policy.compensation_ratio": 0.0, "policy.delay_days": 0}


def _cohort_gap(
    treated: adapter.Spec, control: adapter.Spec, seed: int, days: int, failures: int = 1
) -> tuple[float, float]:
    """Hit customers' mean loyalty and satisfaction, treated minus control (no failure), same seed.

    The hit customers are those with exactly ``failures`` dissatisfying failures in the treated
    run; the control run gives the same people's level without any.
    """
    a = adapter.run(treated, seed, days)
    b = adapter.run(control, seed, days)
    hit = adapter.failures_felt(a.model) == failures
    loyalty = adapter.repurchase_intention(a.model)[hit].mean() - adapter.repurchase_intention(b.model)[hit].mean()
    sat = adapter.satisfaction(a.model)[hit].mean() - adapter.satisfaction(b.model)[hit].mean()
    return float(loyalty), float(sat)


def recovery(seed: int, size: Size) -> Values:
    """Paradox after a first minor failure, its absence after a second, and double deviation."""
    base = {"customers": size.cohort, "failure.tolerance": 0.05} | QUIET
    no_failure = base | {"complaint.base_share": 0.0}
    out: Values = {}
    out["paradox_repurchase"], out["paradox_satisfaction"] = _cohort_gap(base | shock(MILD) | EXCELLENT,
                                                                         no_failure, seed, 5)
    out["second_failure_repurchase"], out["second_failure_satisfaction"] = _cohort_gap(
        base | shock(MILD, days=2) | EXCELLENT, no_failure, seed, 5, failures=2
    )
    # Word of mouth: a market with talk on (default graph and tell counts), failures otherwise off.
    talk = {"customers": size.cohort, "failure.tolerance": 0.05, "failure.rate": 0.0}
    a = adapter.run(talk | shock(MILD) | EXCELLENT, seed, 30)
    b = adapter.run(talk | {"complaint.base_share": 0.0}, seed, 30)
    net = [(p - n) / size.cohort for p, n in (adapter.wom_counts(a), adapter.wom_counts(b))]
    out["paradox_wom"] = net[0] - net[1]
    # Double deviation: a failure answered with nothing against the same failure left alone.
    hurt = base | shock(0.3)
    out["double_deviation"], _ = _cohort_gap(hurt | NOTHING, hurt | {"complaint.base_share": 0.0}, seed, 5)
    return out


SEVERITIES = (0.08, 0.5, 0.9)  # minor, middling, severe (Magnini et al. 2007; Michel & Meuter 2008)


def paradox_severity(seed: int, size: Size) -> Values:
    """The paradox cohort (excellent same-day recovery) at three felt severities: satisfaction lift over no failure."""
    base = {"customers": size.cohort, "failure.tolerance": 0.05} | QUIET
    no_failure = base | {"complaint.base_share": 0.0}
    out: Values = {}
    for severity in SEVERITIES:
        _, out[f"paradox_lift_{severity:g}"] = _cohort_gap(base | shock(severity) | EXCELLENT, no_failure, seed, 5)
    out["paradox_fade"] = out[f"paradox_lift_{SEVERITIES[0]:g}"] - out[f"paradox_lift_{SEVERITIES[-1]:g}"]
    return out


TELLS_DAYS = 30


def tarp_tells(seed: int, size: Size) -> Values:
    """First-hand messages a complainant, the complaint recovered excellently at once against left unanswered.

    A market with talk on and nothing else failing; everyone hit on day 1 (severity 0.3) complains. Nothing
    is forwarded or posted online, so every negative message is told first-hand by a complainant (a
    terrorist's extra tells included).
    """
    talk = {"customers": size.cohort, "failure.tolerance": 0.05, "failure.rate": 0.0, "wom.forward_prob": 0.0,
            "wom.online_post_prob": 0.0, "wom.terrorist_post_prob": 0.0, "acquisition.enabled": False}
    out: Values = {}
    for name, handling in (("satisfied", EXCELLENT), ("unsatisfied", NOTHING)):
        r = adapter.run(talk | shock(0.3) | handling, seed, TELLS_DAYS)
        hurt = float((adapter.failures_felt(r.model) > 0).sum())
        out[f"tells_{name}"] = _share(adapter.wom_counts(r)[1], hurt)
    out["tells_ratio"] = _share(out["tells_unsatisfied"], out["tells_satisfied"])
    return out


COMPENSATION_LEVELS = tuple(round(0.2 * i, 1) for i in range(11))  # 0 %..200 % of the loss, as Gelbrich et al.
# Compensation with an apology, the same day, the flawed service not fixed (as in Gelbrich, Gaethke
# & Gregoire 2015); the apology keeps every level clear of double deviation.
APOLOGY_AND_PAYMENT = NOTHING | {"policy.apology": True}


def compensation(seed: int, size: Size) -> Values:
    """Satisfaction after compensation at 11 levels of the loss (Gelbrich et al. 2015 measured satisfaction)."""
    curve = []
    for ratio in COMPENSATION_LEVELS:
        spec = {"customers": size.cohort, "failure.tolerance": 0.05} | QUIET | shock(0.3) | APOLOGY_AND_PAYMENT
        r = adapter.run(spec | {"policy.compensation_ratio": ratio}, seed, 2)
        hit = adapter.failures_felt(r.model) > 0
        curve.append(adapter.satisfaction(r.model)[hit].mean())
    c = dict(zip(COMPENSATION_LEVELS, curve, strict=True))
    out = {f"comp_{k:g}": float(v) for k, v in c.items()}
    mean_slope = (c[2.0] - c[0.0]) / 2.0
    # Slope in 60-120 % minus slope in 0-60 %, in units of the mean slope over 0-200 %: > 0 when steeper there.
    out["comp_steepening"] = _share(((c[1.2] - c[0.6]) - (c[0.6] - c[0.0])) / 0.6, mean_slope)
    # Gain from 160 % to 200 %, as a share of the whole gain: ~0 when flat beyond ~150 %.
    out["comp_gain_beyond_150"] = _share(c[2.0] - c[1.6], c[2.0] - c[0.0])
    return out


def justice(seed: int, size: Size) -> Values:
    """Handling satisfaction gained by each justice dimension alone (Orsingher et al. 2010).

    Each dimension alone against the next: distributive (fixed and 100 % paid), interactional
    (an apology), both after a two-week wait; procedural (first contact, same day).
    """
    worst = {"apology": False, "fix": False, "first_contact": False, "compensation_ratio": 0.0}
    slow = 14.0  # a two-week wait: the slow end of procedural justice
    distributive = adapter.handling_satisfaction(worst | {"fix": True, "compensation_ratio": 1.0}, slow)
    interactional = adapter.handling_satisfaction(worst | {"apology": True}, slow)
    procedural = adapter.handling_satisfaction(worst | {"first_contact": True}, 0.0)
    return {
        "justice_distributive_minus_interactional": distributive - interactional,
        "justice_interactional_minus_procedural": interactional - procedural,
    }


# ---------------------------------------------------------------- docking
BASS_MARKET = 2_000  # people on the complete graph of the Bass docking (2 million ties)
BASS_YEARS = 5
BASS_OFF = {"failure.rate": 0.0, "wom.negative_enabled": False, "loyalty.baseline_attrition": 0.0}


def complete_graph(n: int) -> adapter.Graph:
    """Everyone knows everyone: the well-mixed population the Bass equation assumes."""
    u, v = np.triu_indices(n, 1)
    return adapter.from_edges(n, u, v, np.random.default_rng(n))


def bass(seed: int, size: Size) -> Values:
    """Failures, negative word of mouth and churn off: adoption against the Bass closed form.

    Innovation only (imitation off), and innovation with imitation (every customer recommends:
    ``wom.praise_threshold = 0``), on a complete graph; F0 = the firm's share of the market.
    """
    days = 365 * BASS_YEARS
    graph = complete_graph(BASS_MARKET)
    f0 = adapter.default("market.share")
    spec = BASS_OFF | {"customers": round(f0 * BASS_MARKET), "wom.praise_threshold": 0.0}
    p, q = adapter.default("acquisition.innovation"), adapter.default("acquisition.imitation")
    t = np.arange(days + 1) / 365.0
    out: Values = {}
    for name, extra, q_used in (("innovation", {"acquisition.imitation": 0.0}, 0.0), ("imitation", {}, q)):
        r = adapter.run(spec | extra, seed, days, graph=graph)
        share = adapter.customers_by_day(r) / BASS_MARKET
        expected = adapter.bass_share(t, p, q_used if q_used else 1e-12, f0)
        gap = share - expected
        out[f"bass_{name}_gap"] = float(gap[1:].mean())  # the mean gap over the whole curve
        for year in range(1, BASS_YEARS + 1):
            out[f"bass_{name}_gap_year{year}"] = float(gap[365 * year])
    return out


SIR_CUSTOMERS = 1_000  # the firm's customers of the SIR docking market (4,000 people on the default graph)
SIR_SEEDS_REACH = 0.02  # share of customers hurt on day 1: the first-hand tellers


def sir(seed: int, size: Size) -> Values:
    """``wom.process=sir`` inside the model against EoN from the same tellers on the same graph.

    One failure on day 1 hurts ~2 % of the customers (nothing else fails, no complaint, no online
    post, no forwarding); the model runs its SIR kernel from them. Its final size (hearers plus
    the tellers) is set against the mean of ``size.sir_runs`` EoN runs from the same tellers on the
    model's own graph, with the same geometric delays.
    """
    spec = {
        "customers": SIR_CUSTOMERS,
        "wom.process": "sir",
        "failure.rate": 0.0,
        "complaint.base_share": 0.0,
        "wom.online_post_prob": 0.0,
        "wom.forward_prob": 0.0,
        "acquisition.enabled": False,
    } | shock(0.5) | {"scenario.shock.reach": SIR_SEEDS_REACH, "complaint.base_share": 0.0}
    r = adapter.run(spec, seed, 120)
    tellers = np.flatnonzero(adapter.failures_felt(r.model) > 0)
    ours = adapter.summary_value(r, "negative_wom_messages") + len(tellers)
    w = r.model.cfg.wom
    peer = adapter.eon_final_sizes(r.model.graph, w.sir_tell_prob, w.sir_stop_prob, tellers, size.sir_runs, seed)
    if peer is None or len(tellers) == 0:
        return {}
    return {"sir_final_size_gap": (ours - peer.mean()) / r.model.graph.n, "sir_tellers": float(len(tellers)),
            "sir_final_size": ours}


def retention(seed: int, size: Size) -> Values:
    """No network, no failures: the share still active after a year against exp(-h t) of the churn rule."""
    spec = {"customers": size.cohort} | QUIET
    model = adapter.start(spec, seed, graph=adapter.empty_graph(size.cohort))
    expected = adapter.closed_form_retention(model, 365)
    model.run(365)
    return {"retention_gap": float(np.mean(adapter.active(model))) - expected}


def equity(seed: int, size: Size) -> Values:
    """Customer equity at day 365 against the margin the same customers bring when the run goes on.

    Acquisition off from day 365; without failures to come (failures off) and with them (failures
    and the policy kept); both sides truncated at the same horizon (``sim/validate/equity_docking.py``).
    """
    from sim.validate.equity_docking import dock_one

    horizon = 25 if size.name == "full" else 10
    out: Values = {}
    for name, failures in (("equity_gap", False), ("equity_gap_with_failures", True)):
        out[name] = dock_one(seed, size.cohort, 1.0, failures, horizon)["relative_difference"]
    return out


def _seeds(attr: str) -> Callable[[Size], int]:
    return lambda size: getattr(size, attr)


def _one(size: Size) -> int:
    return 1


_TARP_COLUMNS = tuple(f"tarp_{loss}_{c}" for loss in TARP_LOSSES for c in TARP_CONDITIONS)
_ATTRIBUTION_COLUMNS = (
    "dissatisfied_per_customer",
    "bad_news_profit_share",
    *(f"{k}_{part}" for k in ("npv", "npv_with_equity", "revenue", "customers_end")
      for part in ("lost_to_failures", "through_wom", "direct")),
    "bad_news_npv_share", "wom_share_of_failure_loss", "deterred_acquisitions", "wom_churned",
    "deterrence_over_retention",
)
STUDIES = {
    s.name: s
    for s in (
        Study("defaults", defaults, _seeds("seeds"), (
            "complaint_share", "tells_mean", "tells_over_20", "wom_ratio", "positive_messages", "negative_messages",
            "online_cascades", "online_no_reshare", "online_past_one_step", "yearly_attrition")),
        Study("defection_cut", defection_cut, _seeds("cohort_seeds"), (
            "attrition_before", "attrition_after_baseline_cut", "attrition_after_matched_cut",
            "npv_gain_baseline_cut", "npv_gain_matched_cut", "profit_gain_matched_cut")),
        Study("attribution", attribution, _seeds("seeds"), _ATTRIBUTION_COLUMNS),
        Study("weak_ties", weak_ties, _seeds("seeds"),
              (*(f"ws_lost_{r:g}" for r in REWIRING), "weak_tie_effect")),
        Study("storm", storm, _seeds("storm_seeds"), ("storm_extra_lost",)),
        Study("tarp", tarp, _seeds("tarp_seeds"), _TARP_COLUMNS),
        Study("tarp_tells", tarp_tells, _seeds("cohort_seeds"),
              ("tells_satisfied", "tells_unsatisfied", "tells_ratio")),
        Study("recovery", recovery, _seeds("cohort_seeds"), (
            "paradox_repurchase", "paradox_satisfaction", "second_failure_repurchase", "second_failure_satisfaction",
            "paradox_wom", "double_deviation")),
        Study("paradox_severity", paradox_severity, _seeds("cohort_seeds"),
              (*(f"paradox_lift_{v:g}" for v in SEVERITIES), "paradox_fade")),
        Study("compensation", compensation, _seeds("cohort_seeds"),
              (*(f"comp_{k:g}" for k in COMPENSATION_LEVELS), "comp_steepening", "comp_gain_beyond_150")),
        Study("justice", justice, _one, ("justice_distributive_minus_interactional",
                                        "justice_interactional_minus_procedural"), deterministic=True),
        Study("bass", bass, _seeds("docking_seeds"), tuple(
            f"bass_{n}_gap{y}" for n in ("innovation", "imitation")
            for y in ("", *(f"_year{k}" for k in range(1, BASS_YEARS + 1))))),
        Study("sir", sir, _seeds("docking_seeds"), ("sir_final_size_gap", "sir_tellers", "sir_final_size")),
        # Cheap (no network) and the noisiest docking check per seed: twice the seeds.
        Study("retention", retention, lambda size: 2 * size.docking_seeds, ("retention_gap",)),
        Study("equity", equity, _seeds("docking_seeds"), ("equity_gap", "equity_gap_with_failures")),
    )
}


def columns() -> set[str]:
    """Every metric any study returns: the names notes may cite in backticks."""
    return {c for s in STUDIES.values() for c in s.columns}
