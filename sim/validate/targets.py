"""The registry of validation targets, and how a target is judged.

Each target names the study and metric that measure it, the figure the literature gives with
its source, whether the model was fitted to it (and with which knobs) or predicts it
(held-out), or must equal an independent answer (docking; Rand & Rust 2011, IJRM 28(3)).

Tolerances come from the target itself, never from the model: a reported range is used as
it stands; a single reported figure ("about 3") is taken to its own precision, half a unit
of its last reported digit; a claim of direction is met when the model's 95 % CI lies wholly
on that side of zero; a claim of "no effect" is met when the CI reaches zero. A range target
is met when the model's 95 % CI (over seeds) overlaps the range: the model is then not
distinguishable from some value the source reports. The quick check uses the same rule on
its own (wider) CI, so nothing is loosened by hand.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from scipy import stats

MET, MISSED, NOT_MEASURABLE = "met", "missed", "not measurable"
INF = math.inf


@dataclass(frozen=True)
class Criterion:
    """An interval and how the model's CI must relate to it.

    ``overlap``: the CI meets the closed interval ``[low, high]`` (a reported range or a
    figure's own precision). ``within``: the CI lies inside the open interval
    ``(low, high)`` (a claimed direction, significant at 5 %).
    """

    low: float
    high: float
    mode: Literal["overlap", "within"] = "overlap"

    def judge(self, ci_low: float, ci_high: float) -> bool:
        if self.mode == "overlap":
            return ci_high >= self.low and ci_low <= self.high
        return ci_low > self.low and ci_high < self.high


@dataclass(frozen=True)
class Target:
    """One empirical fact the model is checked against."""

    name: str  # a stable id: the committed verdicts are keyed by it
    family: str  # the figure it is drawn in
    claim: str  # the target as the source states it, with its unit
    unit: str  # unit of the model value ("share", "pp", "messages"...)
    source: str  # authors, year, venue
    kind: Literal["fitted", "held-out", "docking"]
    study: str  # key of ``studies.STUDIES``
    metric: str  # key in the study's values
    criterion: Criterion
    why: str  # why this tolerance
    knobs: tuple[str, ...] = ()  # what was fitted to it
    scale: float = 1.0  # display factor (100 for percent)
    note: str = ""  # what exactly is measured
    missing: Callable[[], str | None] = field(default=lambda: None)  # reason it cannot be measured yet


@dataclass(frozen=True)
class Outcome:
    """A target judged on its replicate values."""

    target: Target
    values: np.ndarray  # one a seed (NaN-free)
    mean: float
    ci_low: float
    ci_high: float
    verdict: str  # "met", "missed" or "not measurable: <reason>"


def t_interval(values: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and two-sided t confidence interval over seeds; a single value has a zero-width interval.

    Example:
        >>> m, lo, hi = t_interval(np.array([1.0, 2.0, 3.0]))
        >>> round(m, 3), round(lo, 3), round(hi, 3)
        (2.0, -0.484, 4.484)
    """
    values = np.asarray(values, dtype=np.float64)
    mean = float(values.mean())
    if len(values) < 2:
        return mean, mean, mean
    half = float(stats.t.ppf(0.5 + level / 2, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values)))
    return mean, mean - half, mean + half


def judge(target: Target, values: np.ndarray | None, reason: str | None = None) -> Outcome:
    """Mean, 95 % CI and verdict of ``target`` from its per-seed ``values``.

    ``reason`` (or no finite value) makes the verdict "not measurable: <reason>"; no number
    is then reported.
    """
    values = np.empty(0) if values is None else np.asarray(values, dtype=np.float64)
    values = values[np.isfinite(values)]
    if reason is None and len(values) == 0:
        reason = f"the study gave no value for {target.metric}"
    if reason is not None:
        return Outcome(target, values[:0], math.nan, math.nan, math.nan, f"{NOT_MEASURABLE}: {reason}")
    mean, lo, hi = t_interval(values)
    return Outcome(target, values, mean, lo, hi, MET if target.criterion.judge(lo, hi) else MISSED)


# ---------------------------------------------------------------- availability checks
def _needs_eon() -> str | None:
    try:
        import EoN  # noqa: F401
    except ImportError:
        return "EoN is not installed (pip install -e '.[bench]')"
    return None


# ---------------------------------------------------------------- the targets
TARP = "Technical Assistance Research Programs (TARP, 1986), Consumer Complaint Handling in America: An Update Study"
TARP_CELLS = {
    ("small", "no_complaint"): 0.37,
    ("small", "complained_unsatisfied"): 0.46,
    ("small", "complained_satisfied"): 0.70,
    ("small", "satisfied_quickly"): 0.95,
    ("large", "no_complaint"): 0.09,
    ("large", "complained_unsatisfied"): 0.19,
    ("large", "complained_satisfied"): 0.54,
    ("large", "satisfied_quickly"): 0.82,
}
CONDITION_TEXT = {
    "no_complaint": "did not complain",
    "complained_unsatisfied": "complained, not satisfied",
    "complained_satisfied": "complained, satisfied",
    "satisfied_quickly": "satisfied quickly",
}
ROUNDED_PERCENT = "TARP reports whole percentages without sample sizes: the figure's own precision, +/- 0.5 pp"


# What each TARP cell was fitted with (sim/conf/tarp_loss, sim/core/config.py); the rest are held out.
TARP_FITTED = {
    ("small", "no_complaint"): ("scenario.shock.severity_mean = severity_for_intention(0.37, loyalty.initial_mean)",),
    ("large", "no_complaint"): ("scenario.shock.severity_mean = severity_for_intention(0.09, loyalty.initial_mean)",),
    ("small", "complained_unsatisfied"): ("recovery.voice_repair = 0.064",),
    ("small", "complained_satisfied"): ("recovery.repair_convexity = 5.32",),
    ("small", "satisfied_quickly"): ("loyalty.initial_mean = 0.97",),
}


def _tarp_targets() -> list[Target]:
    out = []
    for (loss, condition), share in TARP_CELLS.items():
        knobs = TARP_FITTED.get((loss, condition), ())
        out.append(
            Target(
                name=f"tarp_{loss}_{condition}",
                family="tarp",
                claim=f"{share:.0%} buy again ({loss} loss, {CONDITION_TEXT[condition]})",
                unit="share",
                source=TARP,
                kind="fitted" if knobs else "held-out",
                knobs=knobs,
                study="tarp",
                metric=f"tarp_{loss}_{condition}",
                criterion=Criterion(share - 0.005, share + 0.005),
                why=ROUNDED_PERCENT,
                scale=100,
                note="sim/conf/experiment/tarp_cohort.yaml: mean will to buy again (loyalty) when the failure "
                "episode closes (`buy_again_share`)",
            )
        )
    return out


DE_MATOS = "de Matos, Henrique & Rossi (2007), Journal of Service Research 10(1)"
MAXHAM = "Maxham & Netemeyer (2002), Journal of Marketing 66(4)"
GELBRICH = "Gelbrich, Gaethke & Gregoire (2015), Journal of Service Research 18(1)"
ORSINGHER = "Orsingher, Valentini & de Angelis (2010), Journal of the Academy of Marketing Science 38(2)"
GOLDENBERG = "Goldenberg, Libai, Moldovan & Muller (2007), International Journal of Research in Marketing 24(3)"
GOEL = "Goel, Watts & Goldstein (2012), ACM Conference on Electronic Commerce (EC '12)"
REICHHELD = "Reichheld & Sasser (1990), Harvard Business Review 68(5)"
BASS = "Bass (1969), Management Science 15(5); Rand & Rust (2011), IJRM 28(3)"
NO_EFFECT = "no significant effect: met when the CI reaches zero or lies below"
DOCKING = "docking: the CI of model minus the independent answer must contain 0"


def registry() -> list[Target]:
    """Every target, in report order."""
    return [
        Target(
            name="complaint_share",
            family="complaints",
            claim="5-10 % of dissatisfied customers complain",
            unit="share",
            source=TARP + "; Goodman (2005), Quality Progress",
            kind="fitted",
            knobs=("complaint.base_share = 0.075",),
            study="defaults",
            metric="complaint_share",
            criterion=Criterion(0.05, 0.10),
            why="the reported range",
            scale=100,
        ),
        Target(
            name="tells_mean",
            family="word_of_mouth",
            claim="an unhappy customer tells ~12 people (TARP: 9-10)",
            unit="people",
            source=TARP + "; course rule of thumb",
            kind="fitted",
            knobs=("wom.negative_mean = 12", "wom.negative_dispersion = 3", "network.mean_degree = 30"),
            study="defaults",
            metric="tells_mean",
            criterion=Criterion(9.0, 12.0),
            why="spans TARP's 9-10 and the rule of thumb's 12",
            note="first-hand messages per dissatisfied customer (`mean_tells_per_unhappy`), default market",
        ),
        Target(
            name="tells_over_20",
            family="word_of_mouth",
            claim="~13 % of unhappy customers tell more than 20",
            unit="share",
            source=TARP,
            kind="fitted",
            knobs=("wom.negative_dispersion = 3", "network.mean_degree = 30"),
            study="defaults",
            metric="tells_over_20",
            criterion=Criterion(0.125, 0.135),
            why="a single whole-percent figure: +/- 0.5 pp",
            scale=100,
            note="share of first-hand telling episodes that reached more than 20 people (`share_telling_over_20`)",
        ),
        Target(
            name="wom_ratio",
            family="word_of_mouth",
            claim="positive word of mouth ~3 times as frequent as negative",
            unit="ratio",
            source="East, Hammond & Wright (2007), International Journal of Research in Marketing 24(2)",
            kind="fitted",
            knobs=("wom.positive_daily_rate = 0.028",),
            study="defaults",
            metric="wom_ratio",
            criterion=Criterion(2.5, 3.5),
            why="'about 3' to its own precision: 2.5-3.5",
            note="positive / negative messages heard in the market over the year (`positive_to_negative_wom`)",
        ),
        *_tarp_targets(),
        Target(
            name="paradox_satisfaction",
            family="recovery",
            claim="a good recovery lifts satisfaction above the no-failure level",
            unit="satisfaction",
            source=DE_MATOS,
            kind="held-out",
            study="recovery",
            metric="paradox_satisfaction",
            criterion=Criterion(0.0, INF, "within"),
            why="a direction: the meta-analytic effect on satisfaction is significantly positive",
            note="cohort: one minor failure (felt severity 0.08) on day 1, excellent same-day recovery; mean "
            "satisfaction of the first-failure customers on day 5 minus the same people without the failure "
            "(same seed). The size is set by recovery.paradox_bonus (assumption, not fitted to a figure)",
        ),
        Target(
            name="paradox_repurchase",
            family="recovery",
            claim="... but not repurchase intention (no significant paradox)",
            unit="pp",
            source=DE_MATOS,
            kind="held-out",
            study="recovery",
            metric="paradox_repurchase",
            criterion=Criterion(-INF, 0.0),
            why=NO_EFFECT,
            scale=100,
            note="loyalty (the will to buy again) of the same cohort, recovered minus no failure",
        ),
        Target(
            name="paradox_wom",
            family="recovery",
            claim="... nor word of mouth (no significant paradox)",
            unit="messages a customer",
            source=DE_MATOS,
            kind="held-out",
            study="recovery",
            metric="paradox_wom",
            criterion=Criterion(-INF, 0.0),
            why=NO_EFFECT,
            note="net (positive - negative) messages heard in the default market over 30 days a cohort member, "
            "the failure recovered excellently minus no failure",
        ),
        Target(
            name="second_failure",
            family="recovery",
            claim="the paradox is gone after a second failure, even with a good recovery",
            unit="satisfaction",
            source=MAXHAM,
            kind="held-out",
            study="recovery",
            metric="second_failure_satisfaction",
            criterion=Criterion(-INF, 0.0),
            why="gone: no significant lift above the no-failure level (met when the CI reaches zero or lies below)",
            note="satisfaction after two minor failures on days 1 and 2, each recovered excellently at once, minus "
            "the same people without failure",
        ),
        Target(
            name="double_deviation",
            family="recovery",
            claim="a failed recovery lands below no recovery (double deviation)",
            unit="pp",
            source=MAXHAM,
            kind="held-out",
            study="recovery",
            metric="double_deviation",
            criterion=Criterion(-INF, 0.0, "within"),
            why="a direction: significantly below",
            scale=100,
            note="loyalty, a complaint met with nothing minus the same failure (severity 0.3) without complaint",
        ),
        Target(
            name="justice_distributive_over_interactional",
            family="justice",
            claim="complaint satisfaction: distributive > interactional justice",
            unit="satisfaction",
            source=ORSINGHER,
            kind="fitted",
            knobs=("recovery.w_outcome = 0.5", "recovery.w_interactional = 0.3"),
            study="justice",
            metric="justice_distributive_minus_interactional",
            criterion=Criterion(0.0, INF, "within"),
            why="a direction",
            note="the model's handling rule (rules.recovery_satisfaction via policies.handle): fixed and 100 % paid "
            "against an apology alone, both after two weeks",
        ),
        Target(
            name="justice_interactional_over_procedural",
            family="justice",
            claim="complaint satisfaction: interactional > procedural justice",
            unit="satisfaction",
            source=ORSINGHER,
            kind="fitted",
            knobs=("recovery.w_interactional = 0.3", "recovery.w_procedural = 0.2"),
            study="justice",
            metric="justice_interactional_minus_procedural",
            criterion=Criterion(0.0, INF, "within"),
            why="a direction",
            note="an apology alone after two weeks against first contact alone on the same day",
        ),
        Target(
            name="compensation_steepest_60_120",
            family="compensation",
            claim="gain from compensation steepest between 60 % and 120 % of the loss",
            unit="mean slopes",
            source=GELBRICH,
            kind="fitted",
            knobs=("recovery.compensation_midpoint = 0.9", "recovery.compensation_steepness = 6"),
            study="compensation",
            metric="comp_steepening",
            criterion=Criterion(0.0, INF, "within"),
            why="a direction: the slope in 60-120 % exceeds the slope in 0-60 %",
            note="satisfaction of a cohort after apology and payment (severity 0.3, same day): (slope 60-120 % - "
            "slope 0-60 %) / mean slope 0-200 %",
        ),
        Target(
            name="compensation_flat_beyond_150",
            family="compensation",
            claim="... and flat beyond ~150 %",
            unit="share of gain",
            source=GELBRICH,
            kind="fitted",
            knobs=("recovery.compensation_midpoint = 0.9", "recovery.compensation_steepness = 6"),
            study="compensation",
            metric="comp_gain_beyond_150",
            criterion=Criterion(-INF, 0.0),
            why="no further gain: met when the CI reaches zero or lies below",
            scale=100,
            note="satisfaction gained from 160 % to 200 % as a share of the gain from 0 % to 200 %",
        ),
        Target(
            name="yearly_attrition",
            family="churn_and_profit",
            claim="baseline yearly attrition 9.6 % (retail banks) to 10-13 % (postpaid mobile)",
            unit="share",
            source="J.D. Power (2012) retail banking study (secondary); carriers' reports",
            kind="fitted",
            knobs=("loyalty.baseline_attrition = 0.06",),
            study="defaults",
            metric="yearly_attrition",
            criterion=Criterion(0.096, 0.13),
            why="the span of the two reported figures",
            scale=100,
            note="customers lost in the year over the mean number of customers, at the defaults (failures on)",
        ),
        Target(
            name="defection_cut_profit",
            family="churn_and_profit",
            claim="a 5-point cut in yearly defections raises profit by 25-85 %",
            unit="share",
            source=REICHHELD,
            kind="held-out",
            study="defection_cut",
            metric="npv_gain_matched_cut",
            criterion=Criterion(0.25, 0.85),
            why="the reported range across industries",
            scale=100,
            note="NPV with customer equity over 3 years, 5,000 customers, paired seeds: the baseline hazard scaled "
            "so that the realised yearly attrition falls by 5 points (R & S's reading), against the defaults",
        ),
        Target(
            name="defection_cut_profit_baseline",
            family="churn_and_profit",
            claim="... (the same, cutting `loyalty.baseline_attrition` by 5 points)",
            unit="share",
            source=REICHHELD,
            kind="held-out",
            study="defection_cut",
            metric="npv_gain_baseline_cut",
            criterion=Criterion(0.25, 0.85),
            why="the reported range across industries",
            scale=100,
            note="baseline 6 % -> 1 % a year; every churn hazard is proportional to it, so the realised yearly "
            "attrition falls by about 10 points, not 5 (see validation.parquet: attrition_* are not targets)",
        ),
        Target(
            name="online_cascades",
            family="network",
            claim="70-95 % of online cascades reach no one beyond the poster",
            unit="share",
            source=GOEL,
            kind="held-out",
            study="defaults",
            metric="online_no_reshare",
            criterion=Criterion(0.70, 0.95),
            why="the reported range across seven domains",
            scale=100,
            note="posts never reshared (`cascades_no_reshare_share`), default market, one year",
        ),
        Target(
            name="online_cascades_past_one_step",
            family="network",
            claim="1-4 % of online cascades go past one step",
            unit="share",
            source=GOEL,
            kind="held-out",
            study="defaults",
            metric="online_past_one_step",
            criterion=Criterion(0.01, 0.04),
            why="the reported range across seven domains",
            scale=100,
            note="posts reshared at depth 2 or more (`cascades_past_one_step_share`)",
        ),
        Target(
            name="weak_ties",
            family="network",
            claim="weak ties carry the harm: more rewiring, more NPV lost to bad news",
            unit="share of NPV",
            source=GOLDENBERG,
            kind="held-out",
            study="weak_ties",
            metric="weak_tie_effect",
            criterion=Criterion(0.0, INF, "within"),
            why="a direction: significantly more loss at rewiring 0.5 than 0",
            scale=100,
            note="Watts-Strogatz k = 30, 5,000 customers: NPV share lost to bad news (negative_enabled on/off) at "
            "rewiring 0.5 minus at 0, paired seeds (rewiring 0.1 in validation.parquet)",
        ),
        Target(
            name="bad_news_npv",
            family="attribution",
            claim="negative word of mouth costs a substantial share of NPV even with few dissatisfied",
            unit="share of NPV",
            source=GOLDENBERG,
            kind="held-out",
            study="attribution",
            metric="bad_news_npv_share",
            criterion=Criterion(0.0, INF, "within"),
            why="the source gives no single figure ('substantial'): met only if the loss is significantly above zero",
            scale=100,
            note="sim/conf/experiment/wom_attribution.yaml at the defaults: NPV with equity with "
            "`wom.negative_enabled=false` minus as is, over the former",
        ),
        Target(
            name="storm_late_recovery",
            family="storm",
            claim="after a mass failure, a late recovery loses more customers",
            unit="share of customers",
            source="jetBlue Airways ice storm, February 2007 (course case)",
            kind="held-out",
            study="storm",
            metric="storm_extra_lost",
            criterion=Criterion(0.0, INF, "within"),
            why="a direction: significantly more lost",
            scale=100,
            note="scenario=jetblue_storm, policy=proactive, recovery 5 days late minus on time, paired seeds",
        ),
        Target(
            name="bass_innovation",
            family="docking",
            claim="failures, negative word of mouth, churn and imitation off: adoption = Bass with q = 0",
            unit="pp",
            source=BASS,
            kind="docking",
            study="bass",
            metric="bass_innovation_gap",
            criterion=Criterion(0.0, 0.0),
            why=DOCKING,
            scale=100,
            note="share of the market that are customers minus 1 - (1 - F0) exp(-p t), F0 = market.share, mean "
            "over 5 years of days; complete graph of 2,000 people",
        ),
        Target(
            name="bass_imitation",
            family="docking",
            claim="failures, negative word of mouth and churn off: adoption = Bass curve with p, q and F0",
            unit="pp",
            source=BASS,
            kind="docking",
            study="bass",
            metric="bass_imitation_gap",
            criterion=Criterion(0.0, 0.0),
            why=DOCKING,
            scale=100,
            note="customers' share of the market minus the Bass closed form (p = 0.03, q = 0.38, F0 = 0.25), mean "
            "over 5 years of days; complete graph of 2,000 people (well mixed, as Bass assumes), every customer "
            "recommends (wom.praise_threshold = 0); yearly gaps in validation.parquet",
        ),
        Target(
            name="sir_vs_eon",
            family="docking",
            claim="wom.process=sir: final sizes as EoN's from the same tellers on the same graph",
            unit="share of people",
            source="Kiss, Miller & Simon (2017), Mathematics of Epidemics on Networks (EoN)",
            kind="docking",
            study="sir",
            metric="sir_final_size_gap",
            criterion=Criterion(0.0, 0.0),
            why=DOCKING,
            scale=100,
            missing=_needs_eon,
            note="the model (default market of 1,000 customers, wom.process=sir at its default rates) run from "
            "~2 % of customers hurt on day 1, against the mean of EoN.fast_nonMarkov_SIR runs from the same "
            "tellers on the model's graph with the same geometric delays; share of the market",
        ),
        Target(
            name="retention_closed_form",
            family="docking",
            claim="no network, no failures: cohort retention = exp(-h t) of the churn rule",
            unit="pp",
            source="the model's own rules (sim/core/rules.py: churn_probability)",
            kind="docking",
            study="retention",
            metric="retention_gap",
            criterion=Criterion(0.0, 0.0),
            why=DOCKING,
            scale=100,
            note="share active after 365 days minus the mean of 1 - churn_probability(loyalty, 365 days) over the "
            "starting customers",
        ),
    ]
