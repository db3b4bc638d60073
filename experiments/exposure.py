"""Exposure: how often customers buy sets how many failures they meet, and so how many leave.

    python -m experiments.exposure --seeds 5 --out DIR
    python -m experiments.exposure --intervals 7 30 --seeds 1 --customers 300 --days 30 --out DIR

Failures happen per encounter (a purchase occasion), while the churn hazard is per day. So
without failures yearly attrition does not depend on the purchase interval, and with them
customers who buy more often meet more failures and lose more. For each purchase interval
(``loyalty.purchase_interval_days``) and seed the default market runs twice on the same seed:
with failures (the defaults) and without (``failure.rate = 0``, ``scenario.shock.reach = 0``).
Acquisition stays on (the default market is stationary).

Per run: customers lost over customer-years (the mean daily number of customers times the years
run: for a year, customers lost over the mean number of customers), customers lost over the
customers at the start, and failures met (external failures, seen by the customer) per
customer-year. Writes ``exposure.csv`` (one row a run) and ``exposure.md`` (means with 95 % CIs
over the seeds, t-based; and paired differences on the same seeds), each atomically.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import math
import os
import shlex
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from sim.core.config import FailureConfig, LoyaltyConfig, ScenarioConfig, SimConfig
from sim.core.model import WomModel
from sim.run.results import atomic_write_bytes

INTERVALS = (7.0, 14.0, 30.0, 90.0)
ARMS = ("on", "off")  # failures at the defaults; no failures at all
CSV = "exposure.csv"
REPORT = "exposure.md"
COLUMNS = [
    "purchase interval (days)",
    "seeds",
    "failures met per customer a year",
    "attrition, failures on",
    "attrition, failures off",
    "due to failures (pp)",
    "lost / start, failures on",
    "lost / start, failures off",
]


def config(seed: int, interval: float, failures: bool, customers: int, days: int) -> SimConfig:
    """The default market at this purchase interval, with failures at the defaults or none at all."""
    cfg = SimConfig(
        seed=seed,
        days=days,
        customers=customers,
        loyalty=dataclasses.replace(LoyaltyConfig(), purchase_interval_days=float(interval)),
    )
    if not failures:
        base = ScenarioConfig()
        cfg = dataclasses.replace(
            cfg,
            failure=dataclasses.replace(FailureConfig(), rate=0.0),
            scenario=dataclasses.replace(base, shock=dataclasses.replace(base.shock, reach=0.0)),
        )
    return cfg


def run_one(seed: int, interval: float, arm: str, customers: int, days: int) -> dict:
    """One run: its counts and the per-customer figures."""
    started = time.perf_counter()
    model = WomModel(config(seed, interval, arm == "on", customers, days))
    summary = model.run(days)
    mean_customers = float(model.timeseries()["customers"].mean())  # days 0..days
    customer_years = mean_customers * days / 365.0
    return {
        "interval_days": float(interval),
        "failures": arm,
        "seed": seed,
        "customers_start": summary["customers_start"],
        "customers_end": summary["customers_end"],
        "mean_customers": mean_customers,
        "customers_acquired": summary["customers_acquired"],
        "customers_lost": summary["customers_lost"],
        "purchases": summary["purchases"],
        "failures_met": summary["failures"],
        "dissatisfied": summary["dissatisfied"],
        "attrition": summary["customers_lost"] / customer_years if customer_years else float("nan"),
        "lost_share_of_start": summary["customers_lost"] / summary["customers_start"],
        "failures_per_customer_year": summary["failures"] / customer_years if customer_years else float("nan"),
        "dissatisfied_per_customer_year": summary["dissatisfied"] / customer_years if customer_years else float("nan"),
        "seconds": time.perf_counter() - started,
    }


def mean_ci(values: np.ndarray) -> tuple[float, float, float]:
    """Mean and a t-based 95 % CI (NaN bounds with a single value)."""
    values = np.asarray(values, dtype=float)
    mean = float(values.mean())
    if len(values) < 2:
        return mean, float("nan"), float("nan")
    half = float(stats.t.ppf(0.975, len(values) - 1) * values.std(ddof=1) / math.sqrt(len(values)))
    return mean, mean - half, mean + half


def number(x: float, digits: int) -> str:
    """``x`` rounded, without a minus sign on a zero."""
    text = f"{x:.{digits}f}"
    return text.lstrip("-") if float(text) == 0 else text


def fmt(values: np.ndarray, scale: float = 100.0, unit: str = " %", digits: int = 1) -> str:
    """Mean [95 % CI] of ``values`` x ``scale``, or the mean alone from a single value."""
    mean, low, high = mean_ci(np.asarray(values, dtype=float) * scale)
    if math.isnan(low):
        return f"{number(mean, digits)}{unit}"
    return f"{number(mean, digits)}{unit} [{number(low, digits)}, {number(high, digits)}]"


def paired(runs: pd.DataFrame, column: str, key: str, first, second, where: dict) -> np.ndarray:
    """Per seed, ``column`` at ``key == first`` minus at ``key == second`` (the other keys fixed by ``where``)."""
    rows = runs
    for name, value in where.items():
        rows = rows[rows[name] == value]
    wide = rows.pivot(index="seed", columns=key, values=column)
    return (wide[first] - wide[second]).to_numpy()


def table(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per purchase interval: the figures as strings, mean [95 % CI] over the seeds."""
    rows = []
    for interval in sorted(runs["interval_days"].unique()):
        at = runs[runs["interval_days"] == interval]
        on, off = at[at["failures"] == "on"], at[at["failures"] == "off"]
        due = paired(at, "attrition", "failures", "on", "off", {})
        rows.append(
            [
                f"{interval:g}",
                str(on["seed"].nunique()),
                fmt(on["failures_per_customer_year"], scale=1.0, unit="", digits=2),
                fmt(on["attrition"]),
                fmt(off["attrition"]),
                fmt(due, unit=""),
                fmt(on["lost_share_of_start"]),
                fmt(off["lost_share_of_start"]),
            ]
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def markdown(frame: pd.DataFrame) -> str:
    lines = ["| " + " | ".join(frame.columns) + " |", "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join(lines) + "\n"


def report(runs: pd.DataFrame, command: str, customers: int, days: int, wall: float) -> str:
    """The Markdown report: the table, what each column means, the no-failure check."""
    intervals = sorted(runs["interval_days"].unique())
    seeds = runs["seed"].nunique()
    out = [
        "# Exposure: purchase interval, failures met and attrition\n",
        f"`{command}`: {customers:,} customers (default market, acquisition on), {days} days, "
        f"{seeds} seed(s) (0-{seeds - 1}) per purchase interval, each run with failures at the defaults "
        "(on) and without (off: `failure.rate = 0`, `scenario.shock.reach = 0`) on the same seed. "
        "Mean [95 % CI] over the seeds (t).\n",
        markdown(table(runs)),
        "- *failures met per customer a year*: failures that reached the customer (after internal "
        "checks) per customer-year, failures on.",
        "- *attrition*: customers lost over customer-years (the mean daily number of customers x the "
        "years run); for a year, customers lost in the year over the mean number of customers.",
        "- *due to failures*: attrition on minus off, paired on the same seed, in percentage points.",
        "- *lost / start*: customers lost over the customers at the start (leavers who joined during the "
        "run included).\n",
    ]
    if len(intervals) >= 2:
        low, high = intervals[0], intervals[-1]
        off = runs[runs["failures"] == "off"]
        d_off = paired(off, "attrition", "interval_days", low, high, {})
        on = runs[runs["failures"] == "on"]
        d_on = paired(on, "attrition", "interval_days", low, high, {})
        out.append(
            f"Every {low:g} days against every {high:g} days, paired on the same seed: attrition "
            f"{fmt(d_on, unit=' pp')} with failures, {fmt(d_off, unit=' pp')} without.\n"
        )
    out.append(
        f"{len(runs)} runs, {runs['seconds'].sum():.0f} s of simulation in all ({wall:.0f} s wall). "
        f"One row a run: `{CSV}`.\n"
    )
    return "\n".join(out)


def run(intervals, seeds: int, customers: int, days: int, jobs: int = 1) -> pd.DataFrame:
    tasks = [(s, i, a) for i in intervals for s in range(seeds) for a in ARMS]
    if jobs > 1:
        from joblib import Parallel, delayed

        rows = Parallel(n_jobs=jobs)(delayed(run_one)(s, i, a, customers, days) for s, i, a in tasks)
    else:
        rows = [run_one(s, i, a, customers, days) for s, i, a in tasks]
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m experiments.exposure", description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=5, help="seeds 0..N-1 per interval and arm (default 5)")
    parser.add_argument("--out", type=Path, required=True, help="folder for exposure.md and exposure.csv")
    parser.add_argument("--intervals", type=float, nargs="+", default=list(INTERVALS), help="days (7 14 30 90)")
    parser.add_argument("--customers", type=int, default=SimConfig().customers, help="default 10,000")
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--jobs", type=int, default=1, help="parallel runs (default 1)")
    args = parser.parse_args(argv)
    if args.seeds < 1 or args.customers < 1 or args.days < 1 or args.jobs < 1:
        parser.error("--seeds, --customers, --days and --jobs must be at least 1")
    if any(not 0 < i <= 3650 for i in args.intervals):
        parser.error("--intervals must be in (0, 3650] days")
    started = time.perf_counter()
    runs = run(args.intervals, args.seeds, args.customers, args.days, args.jobs)
    wall = time.perf_counter() - started
    args.out.mkdir(parents=True, exist_ok=True)
    command = shlex.join(["python", "-m", "experiments.exposure", *(argv if argv is not None else sys.argv[1:])])
    buffer = io.StringIO()
    runs.to_csv(buffer, index=False)
    atomic_write_bytes(args.out / CSV, buffer.getvalue().encode())
    text = report(runs, command, args.customers, args.days, wall)
    atomic_write_bytes(args.out / REPORT, text.encode())
    print(text, end="")
    print(f"written: {os.fspath(args.out / REPORT)}, {os.fspath(args.out / CSV)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
