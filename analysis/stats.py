"""Confidence intervals: Student-t for means, percentile bootstrap over shared seeds for paired differences."""

from __future__ import annotations

import numpy as np
from scipy import stats

LEVEL = 0.95
BOOTSTRAP = 10_000


def mean_ci(values: np.ndarray, level: float = LEVEL) -> tuple[float, float, float]:
    """Mean and its two-sided Student-t interval; the interval is NaN with fewer than two values."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if len(x) == 0:
        return np.nan, np.nan, np.nan
    mean = float(x.mean())
    if len(x) < 2:
        return mean, np.nan, np.nan
    half = stats.t.ppf(0.5 + level / 2, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x))
    return mean, mean - half, mean + half


def bootstrap_indices(n: int, n_boot: int = BOOTSTRAP, seed: int = 0) -> np.ndarray:
    """Resamples of ``n`` paired units (seeds), with replacement; fixed seed for reproducible CIs."""
    return np.random.default_rng(seed).integers(0, n, size=(n_boot, n))


def bootstrap_mean_ci(
    diff: np.ndarray, level: float = LEVEL, n_boot: int = BOOTSTRAP, seed: int = 0
) -> tuple[float, float, float]:
    """Mean of paired differences and its percentile bootstrap interval over the pairs."""
    d = np.asarray(diff, dtype=float)
    if len(d) == 0:
        return np.nan, np.nan, np.nan
    if len(d) < 2:
        return float(d.mean()), np.nan, np.nan
    means = d[bootstrap_indices(len(d), n_boot, seed)].mean(axis=1)
    lo, hi = np.quantile(means, [0.5 - level / 2, 0.5 + level / 2])
    return float(d.mean()), float(lo), float(hi)


def bootstrap_ratio_ci(
    numerator: np.ndarray, denominator: np.ndarray, level: float = LEVEL, n_boot: int = BOOTSTRAP, seed: int = 0
) -> tuple[float, float, float]:
    """Ratio of means (e.g. extra profit per extra unit of recovery cost) with a paired bootstrap interval."""
    a, b = np.asarray(numerator, dtype=float), np.asarray(denominator, dtype=float)
    if len(a) == 0 or b.mean() <= 0:
        return np.nan, np.nan, np.nan
    ratio = float(a.mean() / b.mean())
    if len(a) < 2:
        return ratio, np.nan, np.nan
    idx = bootstrap_indices(len(a), n_boot, seed)
    den = b[idx].mean(axis=1)
    ratios = np.where(den > 0, a[idx].mean(axis=1) / np.where(den > 0, den, 1.0), np.nan)
    lo, hi = np.nanquantile(ratios, [0.5 - level / 2, 0.5 + level / 2])
    return ratio, float(lo), float(hi)
