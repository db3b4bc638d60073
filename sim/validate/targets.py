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

from sim.validate import adapter

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
def _needs_field(dotted: str, what: str) -> Callable[[], str | None]:
    return lambda: None if adapter.has_field(dotted) else f"{what} (no `{dotted}` in the model yet; issue 9)"


def _needs_satisfaction() -> str | None:
    model = adapter.start({"customers": 2}, 0)
    if adapter.satisfaction(model) is None:
        return "the model has no satisfaction state apart from loyalty (issue 9 item 3)"
    return None


def _needs_cascades() -> str | None:
    model = adapter.start({"customers": 2}, 0)
    if adapter.online_cascade_sizes(model) is None:
        return "online posts are pooled into one daily reach; no post's cascade is tracked (issue 9 item 5)"
    return None


def _needs_eon() -> str | None:
    try:
        import EoN  # noqa: F401
    except ImportError:
        return "EoN is not installed (pip install -e '.[bench]')"
    return None


def _needs_bass_q() -> str | None:
    cfg = adapter.build_config({})
    if adapter.bass_imitation(cfg) is None:
        return (
            "imitation is a chance per positive message heard, not a Bass q; the rate of positive messages "
            "is not a parameter, so there is no closed form to dock to (issue 9 item 1)"
        )
    return None


def _needs_old_churn_rule() -> str | None:
    if adapter.attrition_field() is not None:
        return "churn is now a daily hazard: derive its closed form in adapter.closed_form_retention"
    return None


def _sir_note() -> str:
    if adapter.has_field(adapter.PROCESS_FIELD):
        return "the model has `wom.process`: re-point adapter.sir_final_sizes to run the model with it"
    return "docks `sim/core/diffusion.py`, the SIR kernel; the model has no `wom.process=sir` option yet"


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


def _tarp_targets() -> list[Target]:
    out = []
    for (loss, condition), share in TARP_CELLS.items():
        fitted_knob = f"scenario.shock.severity_mean ({'0.6263' if loss == 'small' else '0.9091'}, sim/conf/tarp_loss)"
        knobs = (
            (fitted_knob,)
            if condition == "no_complaint"
            else ("recovery.size_drag", "recovery.patience_days", "sim/conf/tarp_condition delays (7 and 14 days)")
        )
        out.append(
            Target(
                name=f"tarp_{loss}_{condition}",
                family="tarp",
                claim=f"{share:.0%} buy again ({loss} loss, {CONDITION_TEXT[condition]})",
                unit="share",
                source=TARP,
                kind="fitted",
                knobs=knobs,
                study="tarp",
                metric=f"tarp_{loss}_{condition}",
                criterion=Criterion(share - 0.005, share + 0.005),
                why=ROUNDED_PERCENT,
                scale=100,
                note="cohort of sim/conf/experiment/tarp_cohort.yaml: buy-again share at the first occasion "
                "after the episode",
            )
        )
    return out


def registry() -> list[Target]:
    """Every target, in report order."""
    attrition_kind = "fitted" if adapter.attrition_field() else "held-out"
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
            knobs=("wom.negative_mean = 12", "wom.negative_dispersion = 3"),
            study="defaults",
            metric="tells_mean",
            criterion=Criterion(9.0, 12.0),
            why="spans TARP's 9-10 and the rule of thumb's 12",
            note="first-hand messages per dissatisfied customer (`mean_tells_per_unhappy`)",
        ),
        Target(
            name="tells_over_20",
            family="word_of_mouth",
            claim="~13 % of unhappy customers tell more than 20",
            unit="share",
            source=TARP,
            kind="fitted",
            knobs=("wom.negative_dispersion = 3",),
            study="defaults",
            metric="tells_over_20",
            criterion=Criterion(0.125, 0.135),
            why="a single whole-percent figure: +/- 0.5 pp",
            scale=100,
        ),
        Target(
            name="wom_ratio",
            family="word_of_mouth",
            claim="positive word of mouth ~3 times as frequent as negative",
            unit="ratio",
            source="East, Hammond & Wright (2007), International Journal of Research in Marketing 24(2)",
            kind="held-out",
            study="defaults",
            metric="wom_ratio",
            criterion=Criterion(2.5, 3.5),
            why="'about 3' to its own precision: 2.5-3.5",
            note="positive / negative messages heard over the year",
        ),
        *_tarp_targets(),
        Target(
            name="paradox_satisfaction",
            family="recovery",
            claim="a good recovery lifts satisfaction above the no-failure level",
            unit="satisfaction",
            source="de Matos, Henrique & Rossi (2007), Journal of Service Research 10(1)",
            kind="held-out",
            study="recovery",
            metric="paradox_satisfaction",
            criterion=Criterion(0.0, INF, "within"),
            why="a direction: the meta-analytic effect on satisfaction is significantly positive",
            missing=_needs_satisfaction,
            note="cohort with one minor failure, excellent same-day recovery, against the same seed without failure",
        ),
        Target(
            name="paradox_repurchase",
            family="recovery",
            claim="... but not repurchase intention (no significant paradox)",
            unit="pp",
            source="de Matos, Henrique & Rossi (2007), Journal of Service Research 10(1)",
            kind="held-out",
            study="recovery",
            metric="paradox_repurchase",
            criterion=Criterion(-INF, 0.0),
            why="no significant effect: met when the CI reaches zero or lies below",
            scale=100,
            note="repurchase intention = the model's loyalty; recovered minus no-failure, same customers",
        ),
        Target(
            name="paradox_wom",
            family="recovery",
            claim="... nor word of mouth (no significant paradox)",
            unit="messages a customer",
            source="de Matos, Henrique & Rossi (2007), Journal of Service Research 10(1)",
            kind="held-out",
            study="recovery",
            metric="paradox_wom",
            criterion=Criterion(-INF, 0.0),
            why="no significant effect: met when the CI reaches zero or lies below",
            note="net (positive - negative) messages a cohort member over 30 days, recovered minus no failure",
        ),
        Target(
            name="second_failure",
            family="recovery",
            claim="after a second failure even a good recovery stays below no failure",
            unit="pp",
            source="Maxham & Netemeyer (2002), Journal of Marketing 66(4)",
            kind="held-out",
            study="recovery",
            metric="second_failure_repurchase",
            criterion=Criterion(-INF, 0.0, "within"),
            why="a direction: significantly below the no-failure level",
            scale=100,
            note="repurchase intention after two minor failures, each recovered excellently at once",
        ),
        Target(
            name="double_deviation",
            family="recovery",
            claim="a failed recovery lands below no recovery (double deviation)",
            unit="pp",
            source="Maxham & Netemeyer (2002), Journal of Marketing 66(4)",
            kind="held-out",
            study="recovery",
            metric="double_deviation",
            criterion=Criterion(-INF, 0.0, "within"),
            why="a direction: significantly below",
            scale=100,
            note="repurchase intention, a complaint met with nothing minus the same failure without complaint",
        ),
        Target(
            name="justice_distributive_over_interactional",
            family="justice",
            claim="complaint satisfaction: distributive > interactional justice",
            unit="satisfaction",
            source="Orsingher, Valentini & de Angelis (2010), Journal of the Academy of Marketing Science 38(2)",
            kind="fitted",
            knobs=("recovery.w_outcome = 0.5", "recovery.w_interactional = 0.3"),
            study="justice",
            metric="justice_distributive_minus_interactional",
            criterion=Criterion(0.0, INF, "within"),
            why="a direction",
            note="the model's handling rule (sim.core.policies.handle), each dimension alone against none",
        ),
        Target(
            name="justice_interactional_over_procedural",
            family="justice",
            claim="complaint satisfaction: interactional > procedural justice",
            unit="satisfaction",
            source="Orsingher, Valentini & de Angelis (2010), Journal of the Academy of Marketing Science 38(2)",
            kind="fitted",
            knobs=("recovery.w_interactional = 0.3", "recovery.w_procedural = 0.2"),
            study="justice",
            metric="justice_interactional_minus_procedural",
            criterion=Criterion(0.0, INF, "within"),
            why="a direction",
            note="procedural = first contact and same day against neither and a two-week wait",
        ),
        Target(
            name="compensation_steepest_60_120",
            family="compensation",
            claim="gain from compensation steepest between 60 % and 120 % of the loss",
            unit="mean slopes",
            source="Gelbrich, Gaethke & Gregoire (2015), Journal of Service Research 18(1)",
            kind="held-out",
            study="compensation",
            metric="comp_steepening",
            criterion=Criterion(0.0, INF, "within"),
            why="a direction: the slope in 60-120 % exceeds the slope in 0-60 %",
            note="(slope 60-120 % - slope 0-60 %) / mean slope 0-200 %, of repurchase intention after apology and "
            "payment (the source measured satisfaction; the model's handling satisfaction has the same shape)",
        ),
        Target(
            name="compensation_flat_beyond_150",
            family="compensation",
            claim="... and flat beyond ~150 %",
            unit="share of gain",
            source="Gelbrich, Gaethke & Gregoire (2015), Journal of Service Research 18(1)",
            kind="held-out",
            study="compensation",
            metric="comp_gain_beyond_150",
            criterion=Criterion(-INF, 0.0),
            why="no further gain: met when the CI reaches zero or lies below",
            scale=100,
            note="gain from 160 % to 200 % as a share of the gain from 0 % to 200 %",
        ),
        Target(
            name="yearly_attrition",
            family="churn_and_profit",
            claim="baseline yearly attrition 9.6 % (retail banks) to 10-13 % (postpaid mobile)",
            unit="share",
            source="J.D. Power (2012) retail banking study (secondary); carriers' reports",
            kind=attrition_kind,
            knobs=(adapter.ATTRITION_FIELD,) if attrition_kind == "fitted" else (),
            study="attrition",
            metric="yearly_attrition",
            criterion=Criterion(0.096, 0.13),
            why="the span of the two reported figures",
            scale=100,
            note="customers lost in a year with failures off, at the defaults",
        ),
        Target(
            name="defection_cut_profit",
            family="churn_and_profit",
            claim="a 5-point cut in yearly defections raises profit by 25-85 %",
            unit="share",
            source="Reichheld & Sasser (1990), Harvard Business Review 68(5)",
            kind="held-out",
            study="defection_cut",
            metric="profit_gain",
            criterion=Criterion(0.25, 0.85),
            why="the reported range across industries",
            scale=100,
            missing=_needs_field(adapter.ATTRITION_FIELD, "no yearly attrition to cut by 5 points"),
            note="NPV with customer equity, attrition cut by 5 points against the defaults, paired seeds",
        ),
        Target(
            name="online_cascades",
            family="network",
            claim="70-95 % of online cascades reach no one beyond the poster",
            unit="share",
            source="Goel, Watts & Goldstein (2012), ACM Conference on Electronic Commerce (EC '12)",
            kind="held-out",
            study="defaults",
            metric="online_single_share",
            criterion=Criterion(0.70, 0.95),
            why="the reported range across seven domains",
            scale=100,
            missing=_needs_cascades,
        ),
        Target(
            name="bad_news_npv",
            family="network",
            claim="negative word of mouth costs a substantial share of NPV even with few dissatisfied",
            unit="share of NPV",
            source="Goldenberg, Libai, Moldovan & Muller (2007), International Journal of Research in Marketing 24(3)",
            kind="held-out",
            study="bad_news",
            metric="npv_lost_share",
            criterion=Criterion(0.0, INF, "within"),
            why="the source gives no single figure ('substantial'): met only if the loss is significantly above zero",
            scale=100,
            note="NPV with equity without negative word of mouth minus with it, over the former; "
            "today negative messages are made inert (negative_impact = deterrence = 0)",
        ),
        Target(
            name="weak_ties",
            family="network",
            claim="weak ties carry the harm: more rewiring, more NPV lost to bad news",
            unit="share of NPV",
            source="Goldenberg, Libai, Moldovan & Muller (2007), International Journal of Research in Marketing 24(3)",
            kind="held-out",
            study="bad_news",
            metric="weak_tie_effect",
            criterion=Criterion(0.0, INF, "within"),
            why="a direction: significantly more loss at rewiring 0.5 than 0",
            scale=100,
            note="Watts-Strogatz k = 10, NPV share lost to bad news at rewiring 0.5 minus at 0, paired seeds",
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
            note="jetblue_storm with recovery 5 days late minus on time, paired seeds",
        ),
        Target(
            name="bass_innovation",
            family="docking",
            claim="failures off, imitation off: adoption = Bass 1 - exp(-p t)",
            unit="pp",
            source="Bass (1969), Management Science 15(5); Rand & Rust (2011), IJRM 28(3)",
            kind="docking",
            study="bass",
            metric="bass_innovation_gap",
            criterion=Criterion(0.0, 0.0),
            why="docking: the CI of model minus closed form must contain 0",
            scale=100,
            note="share of prospects adopted after 730 days minus the closed form",
        ),
        Target(
            name="bass_imitation",
            family="docking",
            claim="failures off, only positive word of mouth: adoption = Bass curve with p and q",
            unit="pp",
            source="Bass (1969), Management Science 15(5); Rand & Rust (2011), IJRM 28(3)",
            kind="docking",
            study="bass",
            metric="bass_imitation_gap",
            criterion=Criterion(0.0, 0.0),
            why="docking: the CI of model minus closed form must contain 0",
            scale=100,
            missing=_needs_bass_q,
        ),
        Target(
            name="sir_vs_eon",
            family="docking",
            claim="SIR word of mouth: final sizes as EoN's on the same graph",
            unit="share of nodes",
            source="Kiss, Miller & Simon (2017), Mathematics of Epidemics on Networks (EoN)",
            kind="docking",
            study="sir",
            metric="sir_final_size_gap",
            criterion=Criterion(0.0, 0.0),
            why="docking: the CI of the mean difference must contain 0",
            scale=100,
            missing=_needs_eon,
            note=_sir_note(),
        ),
        Target(
            name="retention_closed_form",
            family="docking",
            claim="no network, no failures: cohort retention = closed form of the rules",
            unit="pp",
            source="the model's own rules (sim/core/rules.py)",
            kind="docking",
            study="retention",
            metric="retention_gap",
            criterion=Criterion(0.0, 0.0),
            why="docking: the CI of realised minus expected must contain 0",
            scale=100,
            missing=_needs_old_churn_rule,
            note="share active after 365 days minus the expectation from each customer's starting loyalty",
        ),
    ]
