"""Array stepping and per-agent stepping run the same rules: they must agree in distribution.

The comparison must also be able to fail: a per-agent path whose negative messages weigh twice
as much (doubled ``wom.negative_effect`` in ``Customer.hear_negative``) is caught, as
``tests/test_diffusion.py`` shows for the SIR kernel against EoN.
"""

import functools

import numpy as np
import pytest
from scipy import stats

from sim import WomModel
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


def run_seeds(stepping, case, seeds=SEEDS):
    """Summaries of ``seeds`` runs of ``case`` with the given stepping."""
    return tuple(
        WomModel(customers=CUSTOMERS, stepping=stepping, seed=1000 + s, **CASES[case]).run(DAYS) for s in range(seeds)
    )


@functools.cache
def replicate(stepping, case):
    return run_seeds(stepping, case)


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


@pytest.mark.parametrize("case", list(CASES))
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
