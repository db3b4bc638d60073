"""Random numbers keyed to what they are about: common random numbers across runs.

One stream consumed in order makes two runs that differ in one setting (a policy, say) part
ways on the first draw that setting touches: every later draw goes to someone else, and a
"paired" comparison on the same seed is no tighter than two independent runs. Here each draw
is a pure function of (seed, purpose, person, day): a person's purchase draw on day 40 is the
same in both runs unless that person's own state differs, so a paired difference measures the
setting, not the order of the draws (common random numbers: Law 2015, *Simulation Modeling and
Analysis*, 5th ed., ch. 11).

Per-person draws hash the key with SplitMix64 (Steele, Lea & Flood 2014, OOPSLA), vectorised in
numpy. Draws that do not depend on anyone's state (which people a day's random talkers are)
come from a Philox generator (Salmon et al. 2011, SC) keyed to (seed, purpose, day), so they
too are the same in both runs. Non-uniform variates come from the uniform by inversion.
"""

from __future__ import annotations

import functools
from enum import IntEnum

import numpy as np
from scipy import special

MASK = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15  # SplitMix64's increment
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


class Purpose(IntEnum):
    """What a draw is about; each purpose has its own stream of numbers."""

    INNOVATORS = 1  # state-free: which people consider joining today
    JOIN = 2
    IMITATE = 3
    CHURN = 4
    CHURN_DAY = 5
    PURCHASE_GAP = 6
    BUY = 7
    STORM = 8
    DEFECT = 9
    CAUSE = 10
    CATCH_STAGE = 11
    SEVERITY = 12
    STORM_SEVERITY = 13
    QUALITY = 14
    TELLS = 15
    POST = 16
    CURSOR = 17
    COMPLAIN = 18
    DETECT = 19
    TERRORIST = 20
    TERRORIST_TELLS = 21
    TERRORIST_POST = 22
    TERRORIST_DAILY = 23
    TERRORIST_FRIEND = 24
    SIR = 26
    FORWARD = 27
    FORWARD_TELLS = 28
    PRAISERS = 29  # state-free: which people may recommend today
    PRAISE_FRIEND = 30
    TIE = 32
    TERRORIST_TIE = 33
    PRAISE_TIE = 34
    RESHARE = 35
    FOLLOWERS = 36  # day 0 only: who follows whom, fixed by the seed


def _mix(x: int) -> int:
    """SplitMix64's finaliser on a Python int (scalar keys)."""
    x &= MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK
    return x ^ (x >> 31)


class KeyedRandom:
    """Uniforms and variates as pure functions of (seed, purpose, person, day)."""

    def __init__(self, seed: int) -> None:
        self.seed = int(seed) & MASK

    def _base(self, purpose: int, day: int, k: int) -> int:
        return _mix(_mix(_mix(self.seed ^ (int(purpose) << 48)) ^ (int(day) & MASK)) + int(k))

    def uniform(self, purpose: int, who: np.ndarray, day: int, k: int = 0) -> np.ndarray:
        """One uniform in [0, 1) per entry of ``who``; ``k`` numbers further draws of the same key.

        Example:
            >>> r = KeyedRandom(1)
            >>> bool((r.uniform(Purpose.BUY, np.arange(3), 5) == r.uniform(Purpose.BUY, np.arange(3), 5)).all())
            True
        """
        who = np.asarray(who)
        x = np.uint64(self._base(purpose, day, k)) + who.astype(np.uint64) * np.uint64(GOLDEN)
        x = (x ^ (x >> np.uint64(30))) * _M1
        x = (x ^ (x >> np.uint64(27))) * _M2
        x = x ^ (x >> np.uint64(31))
        return (x >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))

    def stream(self, purpose: int, day: int) -> np.random.Generator:
        """A generator for draws about no one in particular, the same in every run with this seed."""
        return np.random.Generator(np.random.Philox(key=[self.seed, (int(purpose) << 32) | (int(day) & 0xFFFFFFFF)]))

    def geometric(self, purpose: int, who: np.ndarray, day: int, p: np.ndarray | float) -> np.ndarray:
        """Trials to the first success (>= 1) at chance ``p``, by inversion."""
        return geometric_from_uniform(self.uniform(purpose, who, day), p)

    def normal(self, purpose: int, who: np.ndarray, day: int) -> np.ndarray:
        return special.ndtri(np.maximum(self.uniform(purpose, who, day), 1e-300))


def geometric_from_uniform(u: np.ndarray, p: np.ndarray | float) -> np.ndarray:
    """Inverse CDF of the geometric law on 1, 2, ...: ``ceil(log(1 - u) / log(1 - p))``."""
    p = np.asarray(p, dtype=np.float64)
    with np.errstate(divide="ignore"):
        days = np.ceil(np.log1p(-u) / np.log1p(-np.minimum(p, 1.0 - 1e-16)))
    return np.maximum(np.where(p >= 1.0, 1.0, days), 1.0).astype(np.int64)


class QuantileTable:
    """Inverse CDF of a continuous law on [0, 1], tabulated once and read by interpolation.

    ``scipy.special.betaincinv`` costs microseconds an element; the table costs nanoseconds and
    differs from it by less than the spacing of its grid where the density is smooth.
    """

    def __init__(self, ppf, points: int = 4097) -> None:
        grid = np.linspace(0.0, 1.0, points)
        self.grid = grid
        self.values = np.asarray(ppf(grid), dtype=np.float64)

    def __call__(self, u: np.ndarray) -> np.ndarray:
        return np.interp(u, self.grid, self.values)


@functools.lru_cache(maxsize=64)
def beta_table(a: float, b: float) -> QuantileTable:
    """Quantile table of Beta(a, b)."""
    return QuantileTable(lambda q: special.betaincinv(a, b, q))


COUNT_CAP = np.iinfo(np.int16).max // 2  # the most people one story reaches (counts are stored as int16)


@functools.lru_cache(maxsize=256)
def count_cdf(n: float, p: float) -> np.ndarray:
    """CDF of numpy's negative binomial (n, p) on 0, 1, ... until it reaches 1 - 1e-12.

    The table stops past ``COUNT_CAP``, where the callers cap counts anyway: a tiny dispersion
    would otherwise ask for a table of trillions of entries.
    """
    size = 64
    while True:
        cdf = nbinom_cdf(np.arange(size), n, p)
        reached = np.flatnonzero(cdf >= 1.0 - 1e-12)
        if len(reached) or size > COUNT_CAP:
            top = min(int(reached[0]) if len(reached) else COUNT_CAP, COUNT_CAP) + 2
            return cdf[:top] if top <= size else nbinom_cdf(np.arange(top), n, p)
        size *= 4


def nbinom_cdf(k: np.ndarray, n: float, p: float) -> np.ndarray:
    """``scipy.stats.nbinom.cdf`` for whole ``k``, the same values (both are Boost's ``ibeta``).

    scipy.stats takes 0.3 s to import, a tenth of a small run; scipy.special comes with Mesa.
    """
    return special.betainc(n, k + 1.0, p)


def negative_binomial_from_uniform(u: np.ndarray, n: float, p: float) -> np.ndarray:
    """Negative binomial counts (numpy's parametrisation) by inverting the tabulated CDF, capped at ``COUNT_CAP``."""
    if p >= 1.0:
        return np.zeros(np.shape(u), dtype=np.int64)
    cdf = count_cdf(float(n), float(p))
    return np.minimum(np.searchsorted(cdf, u, side="right"), COUNT_CAP).astype(np.int64)
