"""Small statistics for the validation: equivalence tests, their power, and CIs of ratios.

- ``tost``: two one-sided tests (Schuirmann 1987) of "no effect" within a margin named up front.
- ``tost_power`` / ``seeds_for_power``: how many seeds give power 0.8 at that margin, given the
  replicate SD (normal approximation, then the t correction).
- ``ratio_ci``: a ratio of means over paired seeds, with a paired bootstrap CI, and
  ``delta_ratio_ci``, its delta-method counterpart.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class Tost:
    """Two one-sided tests of ``|mean| < margin`` at level ``alpha``."""

    p_lower: float  # H0: mean <= -margin
    p_upper: float  # H0: mean >= +margin
    ci_low: float  # the (1 - 2 alpha) CI: equivalence <=> it lies inside (-margin, margin)
    ci_high: float

    @property
    def p(self) -> float:
        return max(self.p_lower, self.p_upper)

    def met(self, alpha: float = 0.05) -> bool:
        return self.p < alpha


def tost(values: np.ndarray, margin: float, alpha: float = 0.05) -> Tost:
    """TOST of the mean of ``values`` against ``(-margin, margin)``.

    With one value or no spread (a deterministic quantity) the test is exact: met iff
    ``|value| < margin``.

    Example:
        >>> tost(np.array([0.1, -0.1, 0.0, 0.05, -0.05]), 1.0).met()
        True
    """
    x = np.asarray(values, dtype=np.float64)
    mean = float(x.mean())
    sd = float(x.std(ddof=1)) if len(x) > 1 else 0.0
    if sd == 0.0:
        return Tost(p_lower=0.0 if mean > -margin else 1.0, p_upper=0.0 if mean < margin else 1.0,
                    ci_low=mean, ci_high=mean)
    se = sd / math.sqrt(len(x))
    df = len(x) - 1
    p_lower = float(stats.t.sf((mean + margin) / se, df))
    p_upper = float(stats.t.cdf((mean - margin) / se, df))
    half = float(stats.t.ppf(1 - alpha, df) * se)
    return Tost(p_lower, p_upper, mean - half, mean + half)


def one_sided_below(values: np.ndarray, bound: float, alpha: float = 0.05) -> tuple[float, float]:
    """One-sided test of H0: mean >= ``bound``: (p, the one-sided upper (1 - alpha) bound)."""
    x = np.asarray(values, dtype=np.float64)
    mean = float(x.mean())
    sd = float(x.std(ddof=1)) if len(x) > 1 else 0.0
    if sd == 0.0:
        return (0.0 if mean < bound else 1.0), mean
    se = sd / math.sqrt(len(x))
    df = len(x) - 1
    return float(stats.t.cdf((mean - bound) / se, df)), mean + float(stats.t.ppf(1 - alpha, df) * se)


def tost_power(sd: float, margin: float, n: int, alpha: float = 0.05, delta: float = 0.0) -> float:
    """Power of TOST with ``n`` seeds when the true mean is ``delta`` (normal approximation).

    ``P = Phi((margin - delta)/se - z) + Phi((margin + delta)/se - z) - 1`` with
    ``se = sd / sqrt(n)``, ``z = z_{1 - alpha}``, floored at 0.
    """
    if sd <= 0:
        return 1.0 if abs(delta) < margin else 0.0
    se = sd / math.sqrt(n)
    z = stats.norm.ppf(1 - alpha)
    p = stats.norm.cdf((margin - delta) / se - z) + stats.norm.cdf((margin + delta) / se - z) - 1.0
    return float(max(p, 0.0))


def seeds_for_power_normal(sd: float, margin: float, power: float = 0.8, alpha: float = 0.05) -> int:
    """Seeds for TOST power ``power`` at a true mean of 0, normal approximation (closed form).

    ``n = ((z_{1-alpha} + z_{1-(1-power)/2}) sd / margin)^2``, at least 2.
    """
    if sd <= 0:
        return 2
    z = stats.norm.ppf(1 - alpha) + stats.norm.ppf(1 - (1 - power) / 2)
    return max(2, math.ceil((z * sd / margin) ** 2))


def seeds_for_power(sd: float, margin: float, power: float = 0.8, alpha: float = 0.05) -> int:
    """As ``seeds_for_power_normal``, with t quantiles on n - 1 degrees of freedom (smallest n that reaches it)."""
    if sd <= 0:
        return 2
    n = seeds_for_power_normal(sd, margin, power, alpha)
    n = max(2, n - 1)
    while True:
        t = stats.t.ppf(1 - alpha, n - 1) + stats.t.ppf(1 - (1 - power) / 2, n - 1)
        if n >= (t * sd / margin) ** 2:
            return n
        n += 1


# ---------------------------------------------------------------- ratios
def ratio_ci(
    numerator: np.ndarray, denominator: np.ndarray, level: float = 0.95, n_boot: int = 4000, seed: int = 0
) -> tuple[float, float, float]:
    """Ratio of the means over paired seeds and its percentile bootstrap CI (seeds resampled in pairs).

    One seed, or no spread in either series, gives a zero-width interval (a deterministic ratio).
    """
    a, b = np.asarray(numerator, dtype=np.float64), np.asarray(denominator, dtype=np.float64)
    ratio = float(a.mean() / b.mean()) if b.mean() else math.nan
    if len(a) < 2 or (a.std() == 0 and b.std() == 0):
        return ratio, ratio, ratio
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(a), size=(n_boot, len(a)))
    den = b[idx].mean(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        boot = a[idx].mean(axis=1) / den
    boot = boot[np.isfinite(boot)]
    lo, hi = np.quantile(boot, [(1 - level) / 2, (1 + level) / 2])
    return ratio, float(lo), float(hi)


def delta_ratio_ci(numerator: np.ndarray, denominator: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Ratio of the means over paired seeds with a delta-method CI (normal)."""
    a, b = np.asarray(numerator, dtype=np.float64), np.asarray(denominator, dtype=np.float64)
    n = len(a)
    ma, mb = a.mean(), b.mean()
    r = float(ma / mb)
    if n < 2:
        return r, r, r
    cov = np.cov(a, b, ddof=1)
    var = (cov[0, 0] - 2 * r * cov[0, 1] + r * r * cov[1, 1]) / (mb * mb * n)
    half = float(stats.norm.ppf(0.5 + level / 2) * math.sqrt(max(var, 0.0)))
    return r, r - half, r + half
