"""What the customers still active are worth beyond the horizon, along the model's own dynamics.

A customer's value is the expected discounted margin of their future purchases. The model moves
loyalty back towards each person's own level with a half-life, buys at ``loyalty /
purchase_interval_days`` a day and loses customers at the daily churn chance of their loyalty
(``rules.churn_probability``, whatever its form). Valuing today's loyalty as if it lasted for
ever (a plain annuity) prices a customer just hit by a failure at a tenth of what the model
will actually earn from them, so the value follows the fade instead:

- day by day over the first few half-lives (a grid, vectorised over customers in chunks), with
  survival ``S(k) = prod(1 - p(L(j)))`` over the days ``j <= k`` (churn comes before the day's
  purchase, as in the model's day), discounted at ``annual_discount_rate``;
- then a closed-form tail at the level, with the little gap still left to close taken to first
  order (the hazard's slope at the level is measured through ``churn_probability``).

Failures still to come (``future_failures=True``) keep denting loyalty; the failure and
recovery regime of the run is measured on its customers at the valuation day (``Regime``).
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
BLOCKS_PER_HALF_LIFE = 30  # grid steps of half_life / 30 days (3 at the default 90)
CHUNK_ELEMENTS = 1 << 21  # customers x grid days per chunk: about 16 MB per float64 temporary
SLOPE_STEP = 1e-4  # loyalty step for the hazard's slope at the level


@dataclass(frozen=True)
class Regime:
    """Failures still to come, as measured on the customers of a run.

    At a steady failure rate the customers' loyalty sits, on average, below their levels: each
    new failure (and the stories it starts) dents it and the fade closes the dent with the
    loyalty half-life, so the dents of failures from today on build up as ``1 - 0.5 ** (t /
    half_life)`` towards today's mean dent. Two figures carry it, both measured rather than
    derived, since the hazard is not linear in loyalty in general (``E[h(L)] != h(E[L])``):

    - ``purchase_ratio``: the active customers' mean purchase rate over what it would be at their
      levels (waiting customers do not buy);
    - ``extra_hazard``: their mean daily churn hazard minus the mean hazard at their levels
      (waiting customers do not leave).

    Measured among survivors, both are what the surviving population buys and loses each day,
    which is what a customer's expected value adds up.
    """

    purchase_ratio: float = 1.0
    extra_hazard: float = 0.0

    @classmethod
    def measure(cls, model: WomModel) -> Regime:
        """The regime at the model's current day, from its active customers."""
        pop, lc = model.pop, model.cfg.loyalty
        who = np.flatnonzero(pop.member == Membership.ACTIVE)
        if len(who) == 0:
            return cls()
        from sim.core.metrics import current_loyalty

        loyalty = current_loyalty(model, who)
        level = pop.loyalty_level[who].astype(np.float64)
        free = ~pop.waiting[who]
        ratio = float(np.dot(loyalty, free) / level.sum()) if level.sum() > 0 else 1.0
        hazard = float(np.dot(daily_hazard(loyalty, lc), free) / len(who))
        extra = hazard - float(daily_hazard(level, lc).mean())
        return cls(purchase_ratio=ratio, extra_hazard=extra)


NO_FAILURES = Regime()


def daily_hazard(loyalty: ArrayLike, lc) -> np.ndarray:
    """``-log(1 - p)`` of the daily churn chance ``p``: hazards add up over days, chances do not."""
    return -np.log1p(-rules.churn_probability(loyalty, lc))


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
    q = np.exp(-daily_hazard(lev, lc) - _daily_discount(e.annual_discount_rate))
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
    w = rules.fade(1.0, 0.0, mid, hl)  # share of today's gap left: the model's own fade
    delta = _daily_discount(e.annual_discount_rate)
    ramp = 1.0 - w  # how far failures from today on have built their mean dent
    buy_factor = 1.0 - (1.0 - regime.purchase_ratio) * ramp
    extra = regime.extra_hazard * ramp
    disc_start = np.exp(-delta * start)
    margin_rate = e.gross_margin * e.ticket / _interval(cfg)
    out = np.empty(len(loyalty), dtype=np.float64)
    step = max(1, CHUNK_ELEMENTS // blocks)
    for first in range(0, len(loyalty), step):
        sl = slice(first, first + step)
        lev, gap = level[sl, None], (loyalty[sl] - level[sl])[:, None]
        path = lev + gap * w  # L over each block
        hazard = daily_hazard(path, lc) + extra
        cum = np.cumsum(hazard, axis=1) * m  # survival to each block's end: churn comes first each day
        q = np.exp(-hazard - delta)
        # sum over the block's days j = 1..m of q ** j, survival and discount from the block's start
        inside = q * -np.expm1(m * np.log(q)) / np.maximum(1.0 - q, 1e-300)
        alive = np.exp(-(cum - hazard * m))
        grid = np.einsum("ij,ij,ij,j->i", path, alive, inside, disc_start * buy_factor)
        if horizon_days is not None:
            out[sl] = margin_rate * grid
            continue
        end = start[-1] + m
        survive_end = np.exp(-cum[:, -1] - delta * end)
        w_end = float(rules.fade(1.0, 0.0, end, hl))
        out[sl] = margin_rate * (grid + survive_end * _tail(lev[:, 0], gap[:, 0], w_end, regime, lc, delta, hl))
    return out


def _tail(
    level: np.ndarray, gap: np.ndarray, w_end: float, regime: Regime, lc, delta: float, hl: float
) -> np.ndarray:
    """Purchases per unit margin rate after the grid's last day, to first order in what is left.

    ``j`` days after the grid, today's gap is down to ``gap * w_end * b ** j`` (``b`` the daily
    fade factor) and so is the share of the failures' dent still to build. Purchases run at
    ``a + c * b ** j`` and the daily hazard at ``h0 + s * b ** j``; the extra cumulative hazard
    ``s * b / (1 - b) * (1 - b ** j)`` is taken to first order, exact at the level (nothing left).
    The hazard's slope at the level is measured through ``churn_probability``, not assumed.
    """
    b = 0.5 ** (1.0 / hl)
    ratio = regime.purchase_ratio
    a = level * ratio
    c = w_end * (gap * ratio + level * (1.0 - ratio))
    h0 = daily_hazard(level, lc) + regime.extra_hazard
    lo, hi = np.clip(level - SLOPE_STEP, 0.0, 1.0), np.clip(level + SLOPE_STEP, 0.0, 1.0)
    slope = (daily_hazard(hi, lc) - daily_hazard(lo, lc)) / np.maximum(hi - lo, 1e-12)
    s = w_end * (slope * gap - regime.extra_hazard)
    big_c = s * b / max(1.0 - b, 1e-300)  # the extra cumulative hazard of the whole tail
    q = np.exp(-h0 - delta)
    return a * (1.0 - big_c) * _annuity(q) + (a * big_c + c) * _annuity(q * b)


def active_values(model: WomModel, future_failures: bool, horizon_days: int | None = None) -> np.ndarray:
    """Values of the model's active customers at its current day (ids: the active rows in order).

    Waiting customers (a complaint not yet answered) are valued as if their fade started today:
    the answer usually raises their loyalty, so this is on the low side for them.
    """
    from sim.core.metrics import current_loyalty

    pop = model.pop
    who = np.flatnonzero(pop.member == Membership.ACTIVE)
    regime = Regime.measure(model) if future_failures else NO_FAILURES
    return customer_values(
        current_loyalty(model, who), pop.loyalty_level[who], model.cfg, regime, horizon_days=horizon_days
    )


def equity(model: WomModel, future_failures: bool, horizon_days: int | None = None) -> float:
    """Sum of the active customers' values, discounted from the model's day back to day 0 like ``npv``."""
    values = active_values(model, future_failures, horizon_days)
    return float(values.sum()) / (1.0 + model.cfg.economics.annual_discount_rate) ** (model.day / 365.0)
