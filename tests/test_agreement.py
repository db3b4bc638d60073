"""Array stepping and per-agent stepping run the same rules: they must agree in distribution.

The comparison must also be able to fail: a per-agent path whose messages weigh twice as much
(doubled ``wom.negative_impact``) is caught, as ``tests/test_diffusion.py`` shows for the SIR
kernel against EoN.
"""

import functools

import numpy as np
import pytest
from scipy import stats

from sim import WomModel
from sim.core.agents import Customer
from sim.core.config import AcquisitionConfig, ComplaintConfig, FailureConfig, ScenarioConfig, ShockConfig, WomConfig

pytestmark = pytest.mark.slow

SEEDS = 30
METRICS = [
    "customers_lost", "purchases", "failures", "internal_failures", "dissatisfied", "complaints", "recoveries",
    "negative_wom_messages", "positive_wom_messages", "online_wom_messages", "terrorists", "customers_acquired",
    "mean_loyalty_end",
]
ALPHA = 0.001 / len(METRICS)  # Bonferroni: a false alarm in 1 of 1,000 runs of a comparison
# Busy settings so that every phase fires often in a small population.
CASES = {
    "do-nothing": dict(policy="none", failure=FailureConfig(rate=0.15), complaint=ComplaintConfig(base_share=0.3)),
    "proactive-growth-storm": dict(
        policy="proactive",
        failure=FailureConfig(rate=0.15),
        acquisition=AcquisitionConfig(prospect_share=0.3, innovation=0.002),
        scenario=ScenarioConfig(name="storm", shock=ShockConfig(day=30, days=3, reach=0.1)),
    ),
    # Messages that move hearers a lot (each raises the defection chance by 100 %), so that what a
    # message does to a hearer shows in the outcomes and a wrong weight in one path is caught.
    "loud-word-of-mouth": dict(
        policy="none",
        failure=FailureConfig(rate=0.15),
        complaint=ComplaintConfig(base_share=0.3),
        wom=WomConfig(negative_impact=1.0),
    ),
}


@functools.cache
def replicate(stepping, case):
    return tuple(WomModel(customers=300, stepping=stepping, seed=1000 + s, **CASES[case]).run(90) for s in range(SEEDS))


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


@pytest.mark.parametrize("case", list(CASES))
def test_array_and_agent_stepping_agree_in_distribution(case):
    fast, slow = replicate("array", case), replicate("agents", case)
    assert disagreements(fast, slow) == [], [(k, np.mean([s[k] for s in fast]), np.mean([s[k] for s in slow]))
                                             for k in disagreements(fast, slow)]
    # The test has power: the phases it compares are busy in both steppings.
    for key in ("complaints", "recoveries", "negative_wom_messages"):
        assert np.mean([s[key] for s in slow]) > 5, key


def test_the_comparison_catches_a_per_agent_path_with_doubled_negative_impact(monkeypatch):
    """Mutation check: the per-agent path weighs every negative message twice; the comparison must fail."""
    hear_once = Customer.hear_negative_one

    def hear_doubled(self):
        wom = self.model.cfg.wom
        impact = wom.negative_impact
        wom.negative_impact = 2 * impact
        try:
            hear_once(self)
        finally:
            wom.negative_impact = impact

    monkeypatch.setattr(Customer, "hear_negative_one", hear_doubled)
    case = CASES["loud-word-of-mouth"]
    mutated = [WomModel(customers=300, stepping="agents", seed=1000 + s, **case).run(90) for s in range(SEEDS)]
    found = disagreements(replicate("array", "loud-word-of-mouth"), mutated)
    assert "mean_loyalty_end" in found, found
