import numpy as np
import pytest
from scipy import special, stats

from sim.core.keyed import (
    KeyedRandom,
    Purpose,
    beta_table,
    geometric_from_uniform,
    negative_binomial_from_uniform,
)
from sim.core.model import WomModel

WHO = np.arange(200_000)


def test_a_draw_is_a_function_of_its_key_alone():
    r = KeyedRandom(7)
    a = r.uniform(Purpose.BUY, WHO, 40)
    assert np.array_equal(a, r.uniform(Purpose.BUY, WHO, 40))
    # The same person's draw does not depend on who else is drawn with them.
    assert np.array_equal(r.uniform(Purpose.BUY, WHO[::7], 40), a[::7])
    assert not np.array_equal(a, KeyedRandom(8).uniform(Purpose.BUY, WHO, 40))


def test_uniforms_are_uniform_and_independent_across_purpose_day_and_person():
    r = KeyedRandom(1)
    a = r.uniform(Purpose.BUY, WHO, 3)
    assert a.min() >= 0.0 and a.max() < 1.0
    assert stats.kstest(a, "uniform").pvalue > 1e-3
    for b in (r.uniform(Purpose.CHURN, WHO, 3), r.uniform(Purpose.BUY, WHO, 4), r.uniform(Purpose.BUY, WHO + 1, 3)):
        # Correlation of independent uniforms: sd 1 / sqrt(n) ~ 0.0022; 5 sd.
        assert abs(np.corrcoef(a, b)[0, 1]) < 5 / np.sqrt(len(WHO))


def test_variates_by_inversion_follow_their_laws():
    u = KeyedRandom(2).uniform(Purpose.TELLS, WHO, 1)
    g = geometric_from_uniform(u, 0.1)
    assert g.min() >= 1 and stats.ttest_1samp(g, 10.0).pvalue > 1e-3
    n, p = 2.0, 2.0 / 14.0
    counts = negative_binomial_from_uniform(u, n, p)
    assert stats.ttest_1samp(counts, stats.nbinom.mean(n, p)).pvalue > 1e-3
    q = np.linspace(0.001, 0.999, 999)
    assert np.allclose(beta_table(2.0, 3.0)(q), special.betaincinv(2.0, 3.0, q), atol=1e-4)


def test_runs_that_differ_in_policy_share_the_draws_of_untouched_people():
    # Ten days of two runs on one seed: the policies answer different cases differently, and
    # the answers change what is told to whom. Everyone never a case and a customer in both runs
    # has drawn the very same purchase gaps: their next purchase day is the same in both. (With
    # one stream consumed in order the runs part on the first answer and these days differ.)
    a, b = WomModel(customers=2000, seed=5, policy="full"), WomModel(customers=2000, seed=5, policy="none")
    for _ in range(10):
        a.step(), b.step()
    untouched = (a.pop.complaint_day < 0) & (b.pop.complaint_day < 0) & (a.pop.member == 1) & (b.pop.member == 1)
    assert untouched.sum() > 1000
    assert a.totals.recoveries > 0 and b.totals.double_deviations > 0  # the policies did differ
    assert np.array_equal(a.pop.next_purchase[untouched], b.pop.next_purchase[untouched])


@pytest.mark.slow
def test_paired_differences_are_far_tighter_than_either_arm():
    full = [WomModel(customers=3000, seed=s, policy="full").run(365) for s in range(8)]
    none = [WomModel(customers=3000, seed=s, policy="none").run(365) for s in range(8)]
    for key in ("customers_end", "revenue"):
        x, y = np.array([r[key] for r in full]), np.array([r[key] for r in none])
        ratio = np.var(x - y, ddof=1) / (np.var(x, ddof=1) + np.var(y, ddof=1))
        assert ratio < 0.2, (key, ratio)  # the bar; independent seeds give about 1


def test_a_tiny_dispersion_gives_capped_counts_without_a_huge_table():
    """Dispersion 1e-12 once asked for a CDF table of trillions of entries (a MemoryError)."""
    from sim.core import rules
    from sim.core.keyed import COUNT_CAP, count_cdf

    n, p = rules.negative_binomial_params(12.0, 1e-12)
    assert len(count_cdf(n, p)) <= COUNT_CAP + 2
    counts = negative_binomial_from_uniform(np.array([0.0, 0.5, 1.0 - 1e-15]), n, p)
    assert counts.min() >= 0 and counts.max() == COUNT_CAP


@pytest.mark.parametrize("mean", [0.5, 4.0, 12.0, 60.0])
@pytest.mark.parametrize("dispersion", [0.05, 0.5, 2.0, 20.0])
def test_count_table_is_scipy_stats_own(mean, dispersion):
    """The table is built without scipy.stats (0.3 s of import): same length and same values as its nbinom."""
    from sim.core import rules
    from sim.core.keyed import COUNT_CAP, count_cdf

    n, p = rules.negative_binomial_params(mean, dispersion)
    top = int(min(stats.nbinom.ppf(1.0 - 1e-12, n, p), COUNT_CAP)) + 2
    assert np.array_equal(count_cdf(n, p), stats.nbinom.cdf(np.arange(top), n, p))
