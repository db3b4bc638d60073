"""Question 2: array stepping against two per-agent baselines, side by side in one run.

Same default config and seed for all three, 365 days, Barabasi-Albert graph (m = 5):

- ``array``: ``WomModel(stepping="array")``, the model as users run it;
- ``agents``: ``WomModel(stepping="agents")``, the project's own per-agent reference stepping
  (``model.agents.shuffle_do`` over ``Customer`` views onto the model's arrays; it exists to
  test agreement and allocates small numpy arrays on every call);
- ``mesa_user``: ``benchmarks/mesa_baseline.py``, the model as a Mesa user would write it: one
  ``CellAgent`` per customer holding its own state, on a ``mesa.discrete_space.Network``,
  stepped by ``model.agents.shuffle_do("step")``, calling the same rules.

Targets: the array stepping at least 30x faster at 10,000 customers and 100x at 100,000.
Every row is measured over the full year unless a run is on course to exceed ``BUDGET_S``:
then it stops at ``SHORT_DAYS`` days and its time is scaled to the year, and the row says
so. ``customers_lost`` is printed to show the three run the same model (one seed each, so
expect differences of a few per cent; the agreement tests check the distributions).

    python -m benchmarks.vs_mesa
"""

from __future__ import annotations

import time

from benchmarks.common import isolated, report

DAYS = 365
SIZES = (10_000, 100_000)
STEPPINGS = ("array", "agents", "mesa_user")
TARGETS = {10_000: 30, 100_000: 100}
BUDGET_S = 600.0  # a run projected past this is cut to SHORT_DAYS days and scaled
PILOT_DAYS = 30  # days after which the projection is made
SHORT_DAYS = 73  # a fifth of the year


def step(customers: int, stepping: str, days: int = DAYS, seed: int = 0) -> dict:
    """Build one model and time ``days`` days of it (cut short past the budget); run in a fresh process."""
    start = time.perf_counter()
    if stepping == "mesa_user":
        from benchmarks.mesa_baseline import MesaUserModel
        from sim.core.config import SimConfig
        from sim.core.policies import load_policy

        model = MesaUserModel(customers=customers, cfg=SimConfig(policy=load_policy("full")), seed=seed)
    else:
        from sim.core.config import NetworkConfig
        from sim.core.model import WomModel

        model = WomModel(customers=customers, network=NetworkConfig(), stepping=stepping, seed=seed)
    setup = time.perf_counter() - start
    start = time.perf_counter()
    ran = 0
    while ran < days:
        model.step()
        ran += 1
        if ran == PILOT_DAYS and (time.perf_counter() - start) * days / ran > BUDGET_S:
            days = SHORT_DAYS
    seconds = time.perf_counter() - start
    lost = model.lost if stepping == "mesa_user" else model.totals.lost
    return {"setup_s": round(setup, 3), "run_s": round(seconds, 3), "days_run": ran, "customers_lost": int(lost)}


def main() -> None:
    rows = []
    for customers in SIZES:
        results = {s: isolated("benchmarks.vs_mesa", "step", customers=customers, stepping=s) for s in STEPPINGS}
        array_s = results["array"]["run_s"]
        for stepping, r in results.items():
            year_s = r["run_s"] * DAYS / r["days_run"]
            rows.append(
                {
                    "customers": customers,
                    "stepping": stepping,
                    "setup_s": r["setup_s"],
                    "year_s": round(year_s, 3),
                    "measured": "365 days" if r["days_run"] == DAYS else f"{r['days_run']} days, SCALED to 365",
                    "slower_than_array": round(year_s / array_s, 1),
                    "target": TARGETS[customers] if stepping != "array" else "",
                    "customers_lost": r["customers_lost"],
                    "peak_mb": r["peak_mb"],
                }
            )
    report(
        "vs_mesa",
        rows,
        f"Q2: array stepping vs two per-agent baselines, {DAYS} days, default config, Barabasi-Albert m=5, seed 0",
        [
            "agents = WomModel(stepping='agents'), the project's reference stepping; "
            "mesa_user = benchmarks/mesa_baseline.py, one CellAgent per customer on a mesa.discrete_space.Network",
            "year_s excludes set-up (graph, population, agents); each run in a fresh process, one after the other",
            f"a run projected past {BUDGET_S:g} s after {PILOT_DAYS} days stops at {SHORT_DAYS} days and is scaled",
        ],
    )


if __name__ == "__main__":
    main()
