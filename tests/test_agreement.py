"""Array stepping and per-agent stepping run the same rules: they must agree in distribution.

Two comparisons. The broad one tests every summary metric (Welch t and KS, Bonferroni) and
catches gross slips (a negative message weighing twice). The targeted one tests three
statistics chosen before looking, each close to one mechanism, at ``TARGETED_ALPHA`` each,
against many cheap array runs: it catches slips of the size a refactor makes, each applied to
the per-agent stepping only (``mutant_rules``):

- a negative message 1.25x as strong: ``mean_loyalty_end``, shifted by about 0.85 standard
  deviations (measured over 20 seeds a side); with 40 agent seeds against 160 array seeds the
  standard error is 0.18 sd, so the power at 0.0033 is about 0.97;
- a recovery two days late: the cases still open at the end, 0 in every run when answers come the
  same day, about 2 a run when they come two days late (power about 1);
- a terrorist multiplier doubled: story messages passed on per terrorist, in a case where only
  terrorists pass stories on, shifted by about 4 sd (power about 1).

Without a mutant, a false alarm among the three needs a 1 % event.
"""

import dataclasses
import functools
import types

import numpy as np
import pytest
from scipy import stats

from sim import WomModel
from sim.core import agents, rules
from sim.core.agents import Customer
from sim.core.config import (
    AcquisitionConfig,
    ComplaintConfig,
    FailureConfig,
    MarketConfig,
    ScenarioConfig,
    ShockConfig,
    WomConfig,
)

pytestmark = pytest.mark.slow

SEEDS = 25
MUTANT_SEEDS = 20  # the mutant is far off: fewer runs find it
DAYS = 90
CUSTOMERS = 300  # the firm's customers; with market.share 0.5 the market holds 600 people
METRICS = [
    "customers_lost", "customers_acquired", "purchases", "lost_purchases", "failures", "internal_failures",
    "dissatisfied", "complaints", "detected", "recoveries", "satisfied_recoveries", "double_deviations",
    "terrorists", "negative_wom_messages", "firsthand_wom_messages", "positive_wom_messages",
    "online_wom_messages", "mean_loyalty_end", "mean_satisfaction_end", "buy_again_share",
]
ALPHA = 0.001 / len(METRICS)  # Bonferroni: a false alarm in 1 of 1,000 runs of a comparison
BUSY = ("complaints", "recoveries", "negative_wom_messages", "positive_wom_messages", "customers_acquired")
# Busy settings so that every phase fires often in a small market (half of it already customers,
# which keeps the per-agent runs short).
CASES = {
    # Complaints left unanswered: double deviations and terrorists. Customers feel bad news as
    # fully as prospects do (retention_share 1), so what a message does to a hearer shows in the
    # outcomes and a wrong weight in one path is caught.
    "do-nothing-loud": dict(
        policy="none",
        market=MarketConfig(share=0.5),
        acquisition=AcquisitionConfig(innovation=0.1),  # the steady market's 0.0126 is too quiet in 90 days
        failure=FailureConfig(rate=0.15),
        complaint=ComplaintConfig(base_share=0.3),
        wom=WomConfig(retention_share=1.0),
    ),
    # Full recovery, half the failures found without a complaint, brisk acquisition, and a storm
    # whose cases are answered late.
    "proactive-growth-storm": dict(
        policy="proactive",
        market=MarketConfig(share=0.5),
        failure=FailureConfig(rate=0.15),
        complaint=ComplaintConfig(base_share=0.3),
        acquisition=AcquisitionConfig(innovation=0.3),
        scenario=ScenarioConfig(name="storm", shock=ShockConfig(day=30, days=3, reach=0.1)),
    ),
}


# Only terrorists pass stories on (no forwarding, no posts, no daily retelling), and they tell
# few people each, so their louder campaign is not capped by how many friends they have.
CASES["terrorists-only-retell"] = dict(
    policy="none",
    market=MarketConfig(share=0.5),
    failure=FailureConfig(rate=0.15),
    complaint=ComplaintConfig(base_share=0.6),
    wom=WomConfig(negative_mean=2.0, forward_prob=0.0, online_post_prob=0.0, terrorist_post_prob=0.0,
                  terrorist_daily_tell_prob=0.0),
)
TARGETED_ALPHA = 0.01 / 3
ARRAY_SEEDS = 160  # array runs are cheap: many of them leave the agent runs' variance to dominate
AGENT_SEEDS = 40
TARGETED = {  # mechanism: (case, statistic)
    "negative effect": ("proactive-growth-storm", "mean_loyalty_end"),
    "recovery day": ("proactive-growth-storm", "open_cases_end"),
    "terrorist campaign": ("terrorists-only-retell", "passed_on_per_terrorist"),
}


def statistic(summary, name):
    if name == "open_cases_end":
        return summary["complaints"] + summary["detected"] - summary["recoveries"]
    if name == "passed_on_per_terrorist":
        passed_on = summary["negative_wom_messages"] - summary["firsthand_wom_messages"]
        return passed_on / max(summary["terrorists"], 1)
    return summary[name]


def run_seeds(stepping, case, seeds=SEEDS, first=0):
    """Summaries of ``seeds`` runs of ``case`` with the given stepping."""
    return tuple(
        WomModel(customers=CUSTOMERS, stepping=stepping, seed=1000 + s, **CASES[case]).run(DAYS)
        for s in range(first, first + seeds)
    )


@functools.cache
def replicate(stepping, case, seeds=SEEDS):
    """Cached runs; a longer replicate reuses the shorter one's seeds."""
    if seeds > SEEDS:
        return replicate(stepping, case) + run_seeds(stepping, case, seeds - SEEDS, first=SEEDS)
    return run_seeds(stepping, case, seeds)


def mutant_rules(**changed):
    """``sim.core.rules`` with some rules changed, for the per-agent stepping only."""
    module = types.SimpleNamespace(**{k: getattr(rules, k) for k in dir(rules) if not k.startswith("__")})
    for name, rule in changed.items():
        setattr(module, name, rule)
    return module


MUTANTS = {
    "negative effect": dict(hear_negative=lambda level, messages, effect: rules.hear_negative(level, messages,
                                                                                              1.25 * effect)),
    "recovery day": dict(recovery_due_day=lambda *args: rules.recovery_due_day(*args) + 2),
    "terrorist campaign": dict(terrorist_extra_tells=lambda wom: rules.terrorist_extra_tells(
        dataclasses.replace(wom, terrorist_tell_multiplier=2 * wom.terrorist_tell_multiplier))),
}


def targeted_pvalue(mechanism, agent_runs):
    """Welch t p-value of the mechanism's statistic, array runs against ``agent_runs``."""
    case, name = TARGETED[mechanism]
    a = np.array([statistic(s, name) for s in replicate("array", case, ARRAY_SEEDS)], dtype=float)
    b = np.array([statistic(s, name) for s in agent_runs], dtype=float)
    if a.std() == 0 and b.std() == 0:
        return 1.0 if a.mean() == b.mean() else 0.0
    return float(stats.ttest_ind(a, b, equal_var=False).pvalue)


def disagreements(fast, slow):
    """Metrics whose means (Welch t) or distributions (KS) differ between the two steppings at ``ALPHA``."""
    out = []
    for key in METRICS:
        a = np.array([s[key] for s in fast], dtype=float)
        b = np.array([s[key] for s in slow], dtype=float)
        if a.std() == 0 and b.std() == 0:
            if a.mean() != b.mean():
                out.append(key)
            continue
        if stats.ttest_ind(a, b, equal_var=False).pvalue <= ALPHA or stats.ks_2samp(a, b).pvalue <= ALPHA:
            out.append(key)
    return out


def means(runs, keys):
    return {k: round(float(np.mean([s[k] for s in runs])), 4) for k in keys}


@pytest.mark.parametrize("case", ["do-nothing-loud", "proactive-growth-storm"])
def test_array_and_agent_stepping_agree_in_distribution(case):
    fast, slow = replicate("array", case), replicate("agents", case)
    differ = disagreements(fast, slow)
    assert differ == [], (means(fast, differ), means(slow, differ))
    # The test has power: the phases it compares are busy in both steppings.
    for key in BUSY:
        assert np.mean([s[key] for s in slow]) > 5, key
        assert np.mean([s[key] for s in fast]) > 5, key


def test_the_comparison_catches_a_per_agent_path_with_doubled_negative_effect(monkeypatch):
    """Mutation check: the per-agent path weighs every negative message twice; the comparison must fail."""
    hear_once = Customer.hear_negative

    def hear_doubled(self, messages):
        wom = self.model.cfg.wom
        effect = wom.negative_effect
        wom.negative_effect = 2 * effect
        try:
            hear_once(self, messages)
        finally:
            wom.negative_effect = effect

    monkeypatch.setattr(Customer, "hear_negative", hear_doubled)
    found = disagreements(replicate("array", "do-nothing-loud"), run_seeds("agents", "do-nothing-loud", MUTANT_SEEDS))
    assert "mean_loyalty_end" in found, found


@pytest.mark.parametrize("mechanism", list(TARGETED))
def test_the_targeted_statistics_agree(mechanism):
    case, _ = TARGETED[mechanism]
    p = targeted_pvalue(mechanism, replicate("agents", case, AGENT_SEEDS))
    print(f"{mechanism}: p = {p:.3g}")
    assert p > TARGETED_ALPHA


@pytest.mark.parametrize("mechanism", list(TARGETED))
def test_the_targeted_comparison_catches_a_small_slip_in_one_stepping(mechanism, monkeypatch):
    """Mutation check: the per-agent stepping alone runs a slightly wrong rule; the comparison must fail."""
    case, _ = TARGETED[mechanism]
    monkeypatch.setattr(agents, "rules", mutant_rules(**MUTANTS[mechanism]))
    p = targeted_pvalue(mechanism, run_seeds("agents", case, AGENT_SEEDS))
    print(f"{mechanism} mutant: p = {p:.3g}")
    assert p <= TARGETED_ALPHA
