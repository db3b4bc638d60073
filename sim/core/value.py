"""What the customers still active are worth beyond the horizon, along the model's own dynamics.

A customer's value is the expected discounted margin of their future purchases. The model moves
loyalty back towards each person's own level with a half-life, buys at ``loyalty /
purchase_interval_days`` a day and loses customers at the daily churn chance of their loyalty
(``rules.churn_probability``, whatever its form). Valuing today's loyalty as if it lasted for
ever (a plain annuity) prices a customer just hit by a failure at a tenth of what the model
will actually earn from them, so the value follows the fade instead:

- over the first few half-lives on a grid of a few days a block (vectorised over customers, in
  chunks), with survival ``S(k) = prod(1 - p(L(j)))`` over the days ``j <= k`` (churn comes
  before the day's purchase, as in the model's day), discounted at ``annual_discount_rate``;
- then a closed-form tail at the level, with the little gap still left to close taken to first
  order (the hazard's slope at the level is measured through ``churn_probability``).

Failures still to come (``future_failures=True``) keep denting loyalty: the run's own failure,
recovery and word-of-mouth regime is measured on its customers at the valuation day and follows
the firm's learning from complaints (``Regime``). The customers are valued on their own: nobody
joins after the valuation day (as in ``sim/validate/equity_docking.py``, which checks both
versions against the margin those customers go on to bring). Without failures to come, the
praise customers keep hearing from each other is left out (it lifts loyalty a little above the
level: about 1.3 % of the value at the defaults).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from sim.core import rules
from sim.core.config import SimConfig
from sim.core.states import Membership

if TYPE_CHECKING:
    from sim.core.model import WomModel

HALF_LIVES = 6.0  # the grid covers this many half-lives of the fade
MAX_GRID_DAYS = 3650  # ... but at most ten years (a longer half-life leans on the tail's first-order gap)
BLOCKS_PER_HALF_LIFE = 30  # grid steps of half_life / 30 days (3 at the default 90): within 1e-4 of a daily grid
CHUNK_ELEMENTS = 1 << 19  # customers x grid blocks per chunk: 4 MB work buffers, reused by every chunk
HORNER_MAX_DAYS = 16  # blocks of up to this many whole days sum their days by Horner's rule
SLOPE_STEP = 1e-4  # loyalty step for the hazard's slope at the level


@dataclass(frozen=True, eq=False)
class Regime:
    """Failures still to come, as measured on the customers of a run.

    At a steady failure rate the customers' loyalty sits, on average, below their levels: each
    new failure (and the stories it starts, the recovery that follows) dents it and the fade
    closes the dent with the loyalty half-life. Today's mean dent is carried by two figures,
    both measured rather than derived, since the hazard is not linear in loyalty in general
    (``E[h(L)] != h(E[L])``):

    - ``purchase_ratio``: the active customers' purchase rate over what it would be at their
      levels (waiting customers do not buy);
    - ``extra_hazard``: their mean daily churn hazard minus the mean hazard at their levels
      (waiting customers do not leave).

    Measured among survivors, both are what the surviving population buys and loses each day.
    The dents of failures from tomorrow on build up towards today's dent times ``outlook``, the
    failure rate relative to today's, day by day (``ramp``); ``None`` holds today's rate for ever.
    """

    purchase_ratio: float = 1.0
    extra_hazard: float = 0.0
    outlook: np.ndarray | None = None

    @classmethod
    def measure(cls, model: WomModel) -> Regime:
        """The regime at the model's current day, from its active customers and its learning."""
        pop, lc = model.pop, model.cfg.loyalty
        who = np.flatnonzero(pop.member == Membership.ACTIVE)
        if len(who) == 0:
            return cls()
        loyalty = current_loyalty(model, who)
        level = pop.loyalty_level[who].astype(np.float64)
        free = ~pop.waiting[who]
        ratio = float(np.dot(loyalty, free) / level.sum()) if level.sum() > 0 else 1.0
        hazard = float(np.dot(rules.daily_churn_hazard(loyalty, lc), free) / len(who))
        extra = hazard - float(rules.daily_churn_hazard(level, lc).mean())
        return cls(purchase_ratio=ratio, extra_hazard=extra, outlook=failure_outlook(model, hazard))

    def ramp(self, days: int, half_life_days: float) -> np.ndarray:
        """Share of today's mean dent that failures from tomorrow on have built by days 1..``days``.

        ``R(t) = b R(t-1) + (1 - b) outlook(t)`` with ``b`` the daily fade factor: each day's
        failures add their share and the fade closes the older dents; ``1 - b ** t`` at a
        steady rate.
        """
        b = 0.5 ** (1.0 / half_life_days)
        if self.outlook is None:
            return 1.0 - b ** np.arange(1, days + 1, dtype=np.float64)
        rate = np.ones(days) * self.outlook[-1]
        rate[: min(days, len(self.outlook))] = self.outlook[:days]
        out, r = np.empty(days), 0.0
        for t, phi in enumerate(rate.tolist()):
            r = b * r + (1.0 - b) * phi
            out[t] = r
        return out


OUTLOOK_YEARS = 100  # the failure outlook and the tail's sum run this far; the rest is at the last rate
OUTLOOK_STEP_DAYS = 30  # learning is projected a month at a time (it moves over years)
RECENT_DAYS = 90  # today's complaint rate: the mean of the last this many days


def failure_outlook(model: WomModel, hazard: float) -> np.ndarray:
    """The defect rate relative to today's, day by day, as the firm keeps learning from complaints.

    The model lowers each cause's defect rate with the complaints (and detected failures) it has
    recorded (``rules.learning_factor``). Those still to come are projected from today's case
    rate, by cause as recorded so far, following the defect rate and the valued customers, who
    shrink at their mean ``hazard`` a day: the customers are valued on their own, no newcomer's
    complaints teach the firm for them.
    """
    f = model.cfg.failure
    days = OUTLOOK_YEARS * 365
    shares = np.asarray(f.cause_shares, dtype=np.float64)
    per_1000 = max(model.customers_start / 1000.0, 1e-9)
    recorded = model.recorded.astype(np.float64).copy()
    now = f.rate * rules.learning_factor(recorded / per_1000, f) * shares
    if now.sum() <= 0 or recorded.sum() <= 0:
        return np.ones(1)
    split = recorded / recorded.sum()
    cases = _recent_cases(model)
    step = OUTLOOK_STEP_DAYS
    periods = -(-days // step)
    out = np.empty(periods)
    for i in range(periods):
        rates = f.rate * rules.learning_factor(recorded / per_1000, f) * shares
        out[i] = rates.sum() / now.sum()
        alive = math.exp(-hazard * (i + 0.5) * step)
        recorded += step * cases * split * np.divide(rates, now, out=np.zeros(3), where=now > 0) * alive
    return np.repeat(out, step)


def _recent_cases(model: WomModel) -> float:
    """Complaints and detected failures recorded a day, over the last ``RECENT_DAYS`` days."""
    series = model.datacollector.model_vars
    complaints, detected = series.get("complaints", []), series.get("detected", [])
    recent = min(RECENT_DAYS, len(complaints) - 1, len(detected) - 1)  # the first row is day 0
    if recent <= 0:
        return float(model.recorded.sum()) / max(model.day, 1)
    return (sum(complaints[-recent:]) + sum(detected[-recent:])) / recent


NO_FAILURES = Regime()


def _daily_discount(annual_discount_rate: float) -> float:
    return math.log1p(annual_discount_rate) / 365.0


def _annuity(x: np.ndarray) -> np.ndarray:
    """``sum_{j >= 1} x ** j`` for ``0 <= x < 1``."""
    return x / np.maximum(1.0 - x, 1e-300)


def level_value(level: ArrayLike, cfg: SimConfig) -> np.ndarray:
    """Value (at the valuation day) of a customer whose loyalty stays at ``level`` for ever.

    The discrete-day annuity: purchases at ``level / purchase_interval_days`` a day from tomorrow,
    each day survived with chance ``1 - p(level)``, discounted daily. The closed form the grid
    reduces to for a customer at their level and with no failures to come.
    """
    lc, e = cfg.loyalty, cfg.economics
    lev = np.asarray(level, dtype=np.float64)
    q = np.exp(-rules.daily_churn_hazard(lev, lc) - _daily_discount(e.annual_discount_rate))
    return e.gross_margin * e.ticket * lev / _interval(cfg) * _annuity(q)


def _interval(cfg: SimConfig) -> float:
    return max(cfg.loyalty.purchase_interval_days, 1.0)  # the model draws occasions the same way


def customer_values(
    loyalty: ArrayLike,
    level: ArrayLike,
    cfg: SimConfig,
    regime: Regime = NO_FAILURES,
    *,
    horizon_days: int | None = None,
    half_lives: float = HALF_LIVES,
    block_days: int | None = None,
) -> np.ndarray:
    """Each customer's expected discounted margin from tomorrow on, valued at today (not day 0).

    ``loyalty`` is today's (faded up to today), ``level`` where it fades back to. With
    ``horizon_days`` the sum stops after that many days (no tail): for checks against a
    simulation that stops there. The grid steps ``block_days`` at a time (loyalty read at each
    block's middle day, the block's days summed exactly): second order in ``block_days / half-life``
    and exact for a customer at their level.
    """
    (values,) = values_under(
        loyalty, level, cfg, [regime], horizon_days=horizon_days, half_lives=half_lives, block_days=block_days
    )
    return values


def values_under(
    loyalty: ArrayLike,
    level: ArrayLike,
    cfg: SimConfig,
    regimes: list[Regime],
    *,
    horizon_days: int | None = None,
    half_lives: float = HALF_LIVES,
    block_days: int | None = None,
) -> list[np.ndarray]:
    """``customer_values`` under each of ``regimes``: the loyalty paths and their hazards are made once."""
    lc, e = cfg.loyalty, cfg.economics
    loyalty = np.atleast_1d(np.asarray(loyalty, dtype=np.float64))
    level = np.atleast_1d(np.asarray(level, dtype=np.float64))
    hl = lc.half_life_days
    m = max(1, int(block_days if block_days is not None else round(hl / BLOCKS_PER_HALF_LIFE)))
    if horizon_days is not None:
        blocks = max(1, math.ceil(horizon_days / m))
        m = horizon_days / blocks if horizon_days >= blocks else 1.0  # whole blocks end on the horizon
    else:
        blocks = max(1, math.ceil(min(half_lives * hl, MAX_GRID_DAYS) / m))
    start = np.arange(blocks, dtype=np.float64) * m  # days before each block
    mid = start + (m + 1) / 2.0  # the block's middle day: where loyalty is read for all its days
    end = int(round(start[-1] + m))
    w = rules.fade(1.0, 0.0, mid, hl)  # share of today's gap left: the model's own fade
    delta = _daily_discount(e.annual_discount_rate)
    margin_rate = e.gross_margin * e.ticket / _interval(cfg)
    grids = [_Grid(r, hl, start, mid, end, delta, horizon_days is None, level, lc) for r in regimes]
    out = [np.empty(len(loyalty), dtype=np.float64) for _ in regimes]
    step = max(1, CHUNK_ELEMENTS // blocks)
    work = np.empty((6, blocks, min(step, len(loyalty))))  # reused by every chunk: no memory faulted in again
    for first in range(0, len(loyalty), step):
        sl = slice(first, first + step)
        gap = loyalty[sl] - level[sl]
        path, base, *scratch = work[:, :, : len(gap)]
        np.multiply(w[:, None], gap, out=path)
        path += level[sl]  # L over each block (a row a block: sums over blocks run down the columns)
        rules.daily_churn_hazard(path, lc, out=base)
        for grid, values in zip(grids, out, strict=True):
            values[sl] = margin_rate * grid.purchases(path, base, m, sl, gap, scratch)
    return out


class _Grid:
    """One regime's sums over the grid: survival, discount and purchases of each block."""

    def __init__(self, regime: Regime, hl: float, start, mid, end: int, delta: float, tail: bool, level, lc) -> None:
        failing = regime is not NO_FAILURES
        ramp_days = regime.ramp(end + OUTLOOK_YEARS * 365, hl) if failing else np.zeros(end + 1)
        ramp = np.interp(mid, np.arange(1, len(ramp_days) + 1), ramp_days)  # the dent of failures to come
        self.buy = 1.0 - (1.0 - regime.purchase_ratio) * ramp
        self.extra = regime.extra_hazard * ramp[:, None] if failing else None
        self.discount = (delta * (start + 1.0))[:, None]  # to each block's start, and its first day
        self.delta, self.end = delta, end
        self.tail = None
        if tail:
            w_end = float(rules.fade(1.0, 0.0, end, hl))
            self.tail = _Tail(level, regime, ramp_days[end - 1 :] if failing else None, lc, delta, hl, w_end)

    def purchases(self, path, base, m: float, sl: slice, gap: np.ndarray, scratch: list[np.ndarray]) -> np.ndarray:
        """Expected discounted purchases per unit margin rate of the customers ``sl``.

        Written with ``out=`` into ``scratch``: fresh temporaries of this size cost as much again
        in memory faulted in as in arithmetic.
        """
        hazard, before, weight, x = scratch
        if self.extra is None:
            hazard = base
        else:
            np.add(base, self.extra, out=hazard)
        before[0] = 0.0  # cumulative hazard to each block's start: churn comes first each day
        for j in range(1, len(hazard)):  # row by row: 5x faster than cumsum along an axis, the same sums
            np.add(before[j - 1], hazard[j - 1], out=before[j])
        before *= m
        if self.tail is not None:
            survive_end = np.exp(-(before[-1] + hazard[-1] * m) - self.delta * self.end)
        # Survival and discount to the block's start, times the sum over its days j = 1..m of
        # exp(-x j), x the day's hazard and discount: exp(-x) (1 + q + ... + q^(m-1)), q = exp(-x).
        np.add(before, hazard, out=weight)
        weight += self.discount
        np.negative(weight, out=weight)
        np.exp(weight, out=weight)
        np.add(hazard, self.delta, out=x)
        np.negative(x, out=x)
        if float(m).is_integer() and m <= HORNER_MAX_DAYS:
            np.exp(x, out=x)  # q
            np.add(x, 1.0, out=before)  # done with the cumulative hazard; the block's sum by Horner's rule
            for _ in range(int(m) - 2):
                before *= x
                before += 1.0
            if m > 1:
                weight *= before
        else:  # (1 - q^m) / (1 - q), for a block of a fractional number of days
            np.multiply(x, m, out=before)
            np.expm1(before, out=before)
            weight *= before
            np.expm1(x, out=x)
            np.minimum(x, -1e-300, out=x)
            weight /= x
        weight *= path
        grid = np.einsum("ji,j->i", weight, self.buy)  # not BLAS: its sums depend on the columns beside
        if self.tail is None:
            return grid
        return grid + survive_end * self.tail(sl, gap)


class _Tail:
    """Purchases per unit margin rate after the grid's last day, to first order in the gap left.

    ``j`` days after the grid, today's gap is down to ``gap * w_end * b ** j`` (``b`` the daily
    fade factor). Purchases run at ``level * buy(j) + c * b ** j`` and the daily hazard at
    ``h(level) + extra(j) + s * b ** j``, where ``buy`` and ``extra`` follow the failures still to
    come (common to all customers: summed once on a grid of hazards and interpolated) and the
    gap's terms are taken to first order with the failures' dent as at the grid's end, exact at
    the level (nothing left). The hazard's slope at the level is measured through
    ``churn_probability``, not assumed.
    """

    def __init__(self, level, regime: Regime, ramp, lc, delta: float, hl: float, w_end: float) -> None:
        self.level, self.lc, self.w_end = level, lc, w_end
        self.b = 0.5 ** (1.0 / hl)
        self.h0 = rules.daily_churn_hazard(level, lc)
        self.ratio = regime.purchase_ratio if ramp is None else 1.0 - (1.0 - regime.purchase_ratio) * ramp[0]
        self.extra = 0.0 if ramp is None else regime.extra_hazard * ramp[0]
        self.x = self.h0 + self.extra + delta
        lo, hi = np.clip(level - SLOPE_STEP, 0.0, 1.0), np.clip(level + SLOPE_STEP, 0.0, 1.0)
        self.slope = (rules.daily_churn_hazard(hi, lc) - rules.daily_churn_hazard(lo, lc)) / np.maximum(hi - lo, 1e-12)
        self.main = _annuity(np.exp(-self.x)) * self.ratio  # steady: the closed form
        if ramp is not None:
            self.main = _regime_annuity(self.h0 + delta, regime, ramp)

    def __call__(self, sl: slice, gap: np.ndarray) -> np.ndarray:
        level, b = self.level[sl], self.b
        q = np.exp(-self.x[sl])
        c = self.w_end * gap * self.ratio
        big_c = self.w_end * self.slope[sl] * gap * b / max(1.0 - b, 1e-300)  # the tail's extra cumulative hazard
        steady = _annuity(q)
        return level * self.main[sl] + c * _annuity(q * b) - level * self.ratio * big_c * (steady - _annuity(q * b))


TAIL_RATES = 257  # hazards at which the tail's sum under failures to come is computed exactly


def _regime_annuity(x: np.ndarray, regime: Regime, ramp: np.ndarray) -> np.ndarray:
    """``sum_j buy(j) E(j) exp(-x j)`` for each customer's ``x`` (hazard at the level plus discount).

    ``ramp[j]`` is the failures' dent built ``j`` days after the grid's end (``ramp[0]`` at it).
    ``buy(j)`` is the purchase factor and ``E(j)`` the survival to the failures' extra hazard, both
    common to all customers: the sum is made on a log-spaced grid of ``x`` and interpolated (in
    logs; smooth and monotone), and the days past the ramp's end are added at its last rate.
    """
    days = len(ramp) - 1
    j = np.arange(1, days + 1, dtype=np.float64)
    r = ramp[1:]
    buy = 1.0 - (1.0 - regime.purchase_ratio) * r
    cum_extra = np.cumsum(regime.extra_hazard * r)
    lo, hi = float(x.min()), float(x.max())
    grid = np.geomspace(lo, hi, TAIL_RATES) if hi > lo else np.array([lo])
    out = np.empty(len(grid))
    for i in range(0, len(grid), 16):
        g = grid[i : i + 16, None]
        terms = buy * np.exp(-cum_extra - g * j)
        later = _annuity(np.exp(-g[:, 0] - regime.extra_hazard * r[-1]))
        rest = buy[-1] * np.exp(-cum_extra[-1] - g[:, 0] * days) * later
        out[i : i + 16] = terms.sum(axis=1) + rest
    if len(grid) == 1:
        return np.full(len(x), out[0])
    return np.exp(np.interp(np.log(x), np.log(grid), np.log(out)))


def active_values(model: WomModel, future_failures: bool, horizon_days: int | None = None) -> np.ndarray:
    """Values of the model's active customers at its current day (ids: the active rows in order).

    Waiting customers (a complaint not yet answered) are valued as if their fade started today:
    the answer usually raises their loyalty, so this is on the low side for them.
    """
    regime = Regime.measure(model) if future_failures else NO_FAILURES
    (values,) = _active_values_under(model, [regime], horizon_days)
    return values


def _active_values_under(model: WomModel, regimes: list[Regime], horizon_days: int | None) -> list[np.ndarray]:
    pop = model.pop
    who = np.flatnonzero(pop.member == Membership.ACTIVE)
    loyalty = current_loyalty(model, who)
    return values_under(loyalty, pop.loyalty_level[who], model.cfg, regimes, horizon_days=horizon_days)


def equity(model: WomModel, future_failures: bool, horizon_days: int | None = None) -> float:
    """Sum of the active customers' values, discounted from the model's day back to day 0 like ``npv``."""
    return _to_day_zero(model, active_values(model, future_failures, horizon_days))


def equities(model: WomModel) -> tuple[float, float]:
    """``equity`` with and without the failures still to come, valued together (they share the paths)."""
    with_failures, without = _active_values_under(model, [Regime.measure(model), NO_FAILURES], None)
    return _to_day_zero(model, with_failures), _to_day_zero(model, without)


def _to_day_zero(model: WomModel, values: np.ndarray) -> float:
    return float(values.sum()) / (1.0 + model.cfg.economics.annual_discount_rate) ** (model.day / 365.0)


def current_loyalty(model: WomModel, who: np.ndarray) -> np.ndarray:
    """Loyalty of ``who`` today, faded as ``WomModel.loyalty_now`` fades it, without writing it back."""
    pop = model.pop
    days = rules.days_fading(model.day, pop.loyalty_day[who], pop.waiting[who])
    return rules.fade(pop.loyalty[who], pop.loyalty_level[who], days, model.cfg.loyalty.half_life_days)
