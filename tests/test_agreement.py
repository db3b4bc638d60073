"""Array stepping and per-agent stepping run the same rules: they must agree in distribution."""

import numpy as np
import pytest
from scipy import stats

from sim import WomModel
from sim.core.config import AcquisitionConfig, ComplaintConfig, FailureConfig, ScenarioConfig, ShockConfig

pytestmark = pytest.mark.slow

SEEDS = 30
METRICS = [
    "customers_lost", "purchases", "failures", "internal_failures", "dissatisfied", "complaints", "recoveries",
    "negative_wom_messages", "positive_wom_messages", "online_wom_messages", "terrorists", "customers_acquired",
]
# Busy settings so that every phase fires often in a small population.
CASES = {
    "do-nothing": dict(policy="none", failure=FailureConfig(rate=0.15), complaint=ComplaintConfig(base_share=0.3)),
    "proactive-growth-storm": dict(
        policy="proactive",
        failure=FailureConfig(rate=0.15),
        acquisition=AcquisitionConfig(prospect_share=0.3, innovation=0.002),
        scenario=ScenarioConfig(name="storm", shock=ShockConfig(day=30, days=3, reach=0.1)),
    ),
}


def replicate(stepping, kw):
    return [WomModel(customers=300, stepping=stepping, seed=1000 + s, **kw).run(90) for s in range(SEEDS)]


@pytest.mark.parametrize("case", list(CASES))
def test_array_and_agent_stepping_agree_in_distribution(case):
    fast, slow = replicate("array", CASES[case]), replicate("agents", CASES[case])
    alpha = 0.001 / len(METRICS)  # Bonferroni: a false alarm in 1 of 1,000 runs of this test
    for key in METRICS:
        a = np.array([s[key] for s in fast], dtype=float)
        b = np.array([s[key] for s in slow], dtype=float)
        if a.std() == 0 and b.std() == 0:
            assert a.mean() == b.mean(), key
            continue
        assert stats.ttest_ind(a, b, equal_var=False).pvalue > alpha, (key, a.mean(), b.mean())
        assert stats.ks_2samp(a, b).pvalue > alpha, (key, a.mean(), b.mean())
    # The test has power: the phases it compares are busy in both steppings.
    for key in ("complaints", "recoveries", "negative_wom_messages"):
        assert np.mean([s[key] for s in slow]) > 5, key
