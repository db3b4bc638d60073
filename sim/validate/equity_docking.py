"""Docking check: customer equity against the margin the same customers actually bring later.

Run the default model for ``years``, value the active customers at that day T
(``sim.core.value.equity``), then keep stepping the same model object with acquisition off,
so every later sale comes from the customers active at T, for ``horizon_years`` more, and add up
the discounted margin of those sales (discounted to day 0 like ``model.npv``). Both sides stop at
the horizon (equity is valued truncated at the same day), so the comparison does not depend on a
tail. Without future failures the continuation has failures off; with them it keeps failures and
the policy, learning from complaints included.
"""

from __future__ import annotations

import dataclasses
import math
import time
from typing import Any

import numpy as np
from scipy import stats

from sim.core import value
from sim.core.model import WomModel

HORIZON_YEARS = 25  # 25 years hold about 98 % of the value at the defaults; both sides are truncated there


def continue_without_acquisition(model: WomModel, days: int, failures: bool) -> float:
    """Step ``days`` more days with acquisition off; the discounted margin (to day 0) they bring.

    The model reads ``cfg.acquisition`` and ``cfg.failure.rate`` afresh every day (``acquire``,
    ``defect_rates``), so replacing them on the live model switches them from tomorrow on.
    """
    cfg = model.cfg
    cfg = dataclasses.replace(cfg, acquisition=dataclasses.replace(cfg.acquisition, enabled=False))
    if not failures:
        cfg = dataclasses.replace(cfg, failure=dataclasses.replace(cfg.failure, rate=0.0))
    model.cfg = cfg
    e = cfg.economics
    total = 0.0
    for _ in range(days):
        model.step()
        if model.today.acquired:
            raise RuntimeError("a customer joined with acquisition off")
        total += e.gross_margin * model.today.revenue / (1.0 + e.annual_discount_rate) ** (model.day / 365.0)
    return total


def dock_one(seed: int, customers: int, years: float, future_failures: bool, horizon_years: float) -> dict[str, Any]:
    """One seed: equity at T (truncated at the horizon and in full) and the realised margin."""
    model = WomModel(seed=seed, customers=customers)
    for _ in range(round(years * 365)):
        model.step()
    horizon = round(horizon_years * 365)
    started = time.perf_counter()
    full = value.equity(model, future_failures)
    seconds = time.perf_counter() - started
    truncated = value.equity(model, future_failures, horizon_days=horizon)
    realised = continue_without_acquisition(model, horizon, failures=future_failures)
    return {
        "seed": seed,
        "equity": truncated,
        "equity_untruncated": full,
        "realised": realised,
        "relative_difference": truncated / realised - 1.0,
        "equity_seconds": seconds,
    }


def dock_equity(
    seeds: list[int] | range,
    customers: int = 10_000,
    years: float = 1.0,
    future_failures: bool = False,
    horizon_years: float = HORIZON_YEARS,
) -> dict[str, Any]:
    """Per-seed equity and realised margin, their mean relative difference and its 95 % CI over seeds."""
    rows = [dock_one(s, customers, years, future_failures, horizon_years) for s in seeds]
    diff = np.array([r["relative_difference"] for r in rows])
    mean = float(diff.mean())
    if len(diff) > 1:
        half = float(stats.t.ppf(0.975, len(diff) - 1) * diff.std(ddof=1) / math.sqrt(len(diff)))
    else:
        half = math.inf
    return {
        "future_failures": future_failures,
        "customers": customers,
        "years": years,
        "horizon_years": horizon_years,
        "rows": rows,
        "relative_difference": mean,
        "ci": (mean - half, mean + half),
    }


if __name__ == "__main__":
    import sys

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 4
    for ff in (False, True):
        out = dock_equity(range(n), future_failures=ff)
        for r in out["rows"]:
            print(ff, r["seed"], f"{r['equity']:,.0f}", f"{r['realised']:,.0f}", f"{r['relative_difference']:+.4f}")
        lo, hi = out["ci"]
        print(f"future_failures={ff}: mean {out['relative_difference']:+.4f} CI [{lo:+.4f}, {hi:+.4f}]")
