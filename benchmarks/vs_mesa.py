"""Question 2: array stepping against two per-agent baselines, side by side in one run.

Same default config (the market: ``customers`` customers among ``customers / market.share``
people on the stochastic-block network) and seed for all three:

- ``array``: ``WomModel(stepping="array")``, the model as users run it;
- ``agents``: ``WomModel(stepping="agents")``, the project's own per-agent reference stepping
  (``model.agents.shuffle_do`` over ``Customer`` views onto the model's arrays; it exists to
  test agreement and allocates small numpy arrays on every call);
- ``mesa_user``: ``benchmarks/mesa_baseline.py``, the model as a Mesa user would write it: one
  ``CellAgent`` per person holding its own state, on a ``mesa.discrete_space.Network``,
  stepped by ``model.agents.shuffle_do("step")``, calling the same rules.

Targets: the array stepping at least 30x faster at 10,000 customers and 100x at 100,000.
The array stepping runs the whole year and records its time day by day, so each per-agent run
is compared with the array stepping over the very same days (``ms_per_day`` side by side and
their ratio, ``slower_than_array``), not with a year's average. The Mesa user's model at
10,000 customers runs the whole year; the other per-agent runs step the days in ``DAYS_RUN``
(a per-agent year of 400,000 people takes hours), and the ``measured`` column says so. No time
is scaled. Customers lost and acquired are read on the same day (``check_day``, the shortest run
at that size) for all three, to show they run the same model (one seed each: expect
differences of several per cent; the agreement tests check the distributions).

    python -m benchmarks.vs_mesa
"""

from __future__ import annotations

import time

from benchmarks.common import isolated, machine, report

DAYS = 365
SIZES = (10_000, 100_000)
STEPPINGS = ("array", "agents", "mesa_user")
TARGETS = {10_000: 30, 100_000: 100}
# Days each run steps; anything under DAYS is scaled to the year and labelled so.
DAYS_RUN = {
    (10_000, "array"): DAYS,
    (10_000, "agents"): 73,
    (10_000, "mesa_user"): DAYS,
    (100_000, "array"): DAYS,
    (100_000, "agents"): 10,
    (100_000, "mesa_user"): 10,
}


def step(customers: int, stepping: str, days: int = DAYS, seed: int = 0, check_day: int = DAYS) -> dict:
    """Build one model and time ``days`` days of it; run in a fresh process.

    Customers lost and acquired are read at the end of day ``check_day`` (at most ``days``).
    """
    start = time.perf_counter()
    if stepping == "mesa_user":
        from benchmarks.mesa_baseline import MesaUserModel

        model = MesaUserModel(customers=customers, seed=seed)
    else:
        from sim.core.model import WomModel

        model = WomModel(customers=customers, stepping=stepping, seed=seed)
    setup = time.perf_counter() - start
    seconds, lost, acquired, upto = 0.0, 0, 0, []
    for day in range(1, days + 1):
        start = time.perf_counter()
        model.step()
        seconds += time.perf_counter() - start
        upto.append(round(seconds, 4))
        if day == min(check_day, days):
            if stepping == "mesa_user":
                lost, acquired = model.lost, model.acquired
            else:
                lost, acquired = model.totals.lost, model.totals.acquired
    return {
        "setup_s": round(setup, 3),
        "run_s": round(seconds, 3),
        "days_run": days,
        "seconds_by_day": upto,  # time of days 1..d, for each d
        "customers_lost": int(lost),
        "customers_acquired": int(acquired),
    }


def main() -> None:
    rows = []
    print(machine(), flush=True)
    for customers in SIZES:
        check = min(DAYS_RUN[customers, s] for s in STEPPINGS)
        results = {}
        for s in STEPPINGS:
            days = DAYS_RUN[customers, s]
            results[s] = isolated(
                "benchmarks.vs_mesa", "step", customers=customers, stepping=s, days=days, check_day=check
            )
        by_day = results["array"]["seconds_by_day"]
        for stepping, r in results.items():
            d = r["days_run"]
            array_s = by_day[d - 1]  # the array stepping over the same first d days
            rows.append(
                {
                    "customers": customers,
                    "people": customers * 4,
                    "stepping": stepping,
                    "setup_s": r["setup_s"],
                    "days": d,
                    "run_s": r["run_s"],
                    "ms_per_day": round(1000 * r["run_s"] / d, 2),
                    "array_ms_per_day_same_days": round(1000 * array_s / d, 2),
                    "slower_than_array": round(r["run_s"] / array_s, 1),
                    "target": TARGETS[customers] if stepping != "array" else "",
                    "check_day": check,
                    "customers_lost": r["customers_lost"],
                    "customers_acquired": r["customers_acquired"],
                    "peak_mb": r["peak_mb"],
                }
            )
    report(
        "vs_mesa",
        rows,
        "Q2: array stepping vs two per-agent baselines, default config (stochastic block, share 0.25), seed 0",
        [
            "agents = WomModel(stepping='agents'), the project's reference stepping; "
            "mesa_user = benchmarks/mesa_baseline.py, one CellAgent per person on a mesa.discrete_space.Network",
            "run_s excludes set-up (graph, population, agents); each run in a fresh process, one after the other",
            "array_ms_per_day_same_days: the array stepping's time over the same first days as the row's run "
            "(its early days are cheaper than a year's average); slower_than_array is run_s over that time",
            "nothing is scaled: each row's days were all stepped",
            "customers_lost / customers_acquired: totals at the end of check_day, the same day for the three rows",
        ],
    )


if __name__ == "__main__":
    main()
